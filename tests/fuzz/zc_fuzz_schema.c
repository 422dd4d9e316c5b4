/* zc_fuzz_schema.c - the walk of fuzz_schema (zc_fuzz_walk.h): a schema entry checked
 * by the generated validator and by the schema interpreter, which must agree, then
 * dumped through the generated accessors.
 *
 * zcf_schema_game.h is `zcpack schema` of zcf_schema_text written to a file named
 * zcf_schema.zcs, output zcf_schema_game.h. The replay suite's
 * fuzz_replay/schema_header_is_current fails when it is not what zcpack generates
 * today, and refreshes it when asked:
 *     ZCF_SCHEMA_HEADER_OUT=tests/fuzz/zcf_schema_game.h bin/release/zcpack_tests \
 *         --filter fuzz_replay/schema_header_is_current
 */
#include "zc_fuzz_walk.h"

#include <string.h>

#include "zc_schema.h"
#include "zcf_schema_game.h"

const char zcf_schema_text[] =
    "// fuzz_schema: every feature of the schema language.\n"
    "type_tag \"FUZZ\";\n"
    "root Weapon;\n"
    "enum Kind : u8 { melee, ranged = 4, thrown }\n"
    "enum Rarity : u32 { common = 1, rare = 100 }\n"
    "inline Vec { x: f32; y: f32; z: f32; }\n"
    "inline Key { on: bool; kind: Kind; at: f64; }\n"
    "struct Stats { range: f32 = 10.5; damage: u16; crit: ?f64; }\n"
    "struct Sound { clip: ref Blob; volume: f32 = 1; }\n"
    "struct Light { color: [f32]; }\n"
    "union Effect { Sound, Light }\n"
    "struct Weapon {\n"
    "    name: string; kind: Kind; rarity: Rarity = rare; flags: bool;\n"
    "    a: i8; b: i16; c: i32; d: i64; e: u8; f: u16; g: u32; h: u64; x: f32; y: f64;\n"
    "    stats: Stats; spare: ?Stats; bonus: ?u32; icon: ref Texture; next: ?Weapon;\n"
    "    tags: [string]; grid: [[u8]]; parts: [Stats]; kinds: [Kind]; keys: [Key]; at: Vec; aim: ?Key;\n"
    "    by_name: map<string, Stats>; by_id: map<u32, string>; big: map<u64, [i32]>;\n"
    "    effect: Effect; effects: [Effect]; nick: ?string;\n"
    "    motto: string = \"sharp\";\n"
    "}\n";

/* Parsed once; the fuzzers and the replay run one input at a time. */
static zc_schema *zcf__schema;
static FILE *zcf__sink;

zc_result zcf_schema(const uint8_t *data, size_t size) {
    if (!zcf__schema) {
        zc_diag diag;
        zc_result r = zc_schema_parse("zcf_schema.zcs", zcf_schema_text, strlen(zcf_schema_text), &zcf__schema, &diag);
        ZCF_REQUIRE(r == ZC_OK, "the fuzz schema does not parse: %s", diag.message);
        zcf__sink = fopen("/dev/null", "w");
        ZCF_REQUIRE(zcf__sink != NULL, "cannot open /dev/null");
    }
    uint64_t *words = (uint64_t *)malloc(size / 8 * 8 + 8);
    if (!words) return ZC_ERR_OUT_OF_MEMORY;
    if (size) memcpy(words, data, size);
    zc_diag generated_diag, interpreted_diag;
    zc_result generated = Weapon_validate(words, size, &generated_diag);
    zc_result interpreted = zc_schema_check(zcf__schema, words, size, &interpreted_diag);
    ZCF_REQUIRE(generated == interpreted, "the generated validator gives %s (%s), zc_schema_check %s (%s)",
                zc_result_name(generated), generated == ZC_OK ? "" : generated_diag.message,
                zc_result_name(interpreted), interpreted == ZC_OK ? "" : interpreted_diag.message);
    if (generated == ZC_OK) ZCF_REQUIRE(Weapon_dump_json(Weapon_root(words), zcf__sink) == 0, "the dump failed");
    free(words);
    return generated;
}
