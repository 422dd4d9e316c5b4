/* test_schema.c - the schema compiler (packer/schema/, SPEC.md section 16): a schema
 * with every feature compiled by `zcpack schema` into a header that a C11 and a C++17
 * program include, JSON documents encoded by `zcpack schema --encode` that those
 * programs validate, read and dump back; evolution in both directions; hostile bytes
 * refused by the generated validator (compiled with ASan and UBSan); parser errors
 * with line and column, and JSON errors with the value's path.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <xxhash.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_exit.h"
#include "zc_pack.h"
#include "zc_schema.h"
#include "zc_test_util.h"

TestSuite(schema, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 240);

static const char game_zcs[] =
    "// Every feature of the schema language.\n"
    "type_tag \"WEAP\";\n"
    "root Weapon;\n"
    "enum Kind : u8 { melee, ranged = 4, thrown }\n"
    "enum Rarity : u32 { common = 1, rare = 100 }\n"
    "struct Stats {\n    range: f32 = 10.5;\n    damage: u16;\n    crit: ?f64;\n}\n"
    "struct Sound { clip: ref Blob; volume: f32 = 1; }\n"
    "struct Light { color: [f32]; }\n"
    "union Effect { Sound, Light }\n"
    "struct Weapon {\n"
    "    name: string; kind: Kind; rarity: Rarity = rare; flags: bool;\n"
    "    a: i8; b: i16; c: i32; d: i64; e: u8; f: u16; g: u32; h: u64; x: f32; y: f64;\n"
    "    stats: Stats; spare: ?Stats; bonus: ?u32; icon: ref Texture; next: ?ref Weapon;\n"
    "    tags: [string]; grid: [[u8]]; parts: [Stats]; kinds: [Kind];\n"
    "    by_name: map<string, Stats>; by_id: map<u32, string>; big: map<u64, [i32]>;\n"
    "    effect: Effect; effects: [Effect]; nick: ?string; alias: ?string;\n"
    "    motto: string = \"sharp \\\"edge\\\"\";\n"
    "}\n";

static const char game_json[] =
    "{ \"name\": \"Rifle \\u00e9\", \"kind\": \"ranged\", \"flags\": true,\n"
    "  \"a\": -128, \"b\": -300, \"c\": -70000, \"d\": \"-9223372036854775808\", \"e\": 255, \"f\": 65535,\n"
    "  \"g\": 4294967295, \"h\": \"18446744073709551615\", \"x\": 0.25, \"y\": -1.5e300,\n"
    "  \"stats\": { \"damage\": 40, \"crit\": 2.5 }, \"bonus\": 7, \"icon\": \"textures/rifle.png\",\n"
    "  \"tags\": [\"long\", \"\", \"loud\"], \"grid\": [[1, 2], [], [3]],\n"
    "  \"parts\": [{ \"range\": 1, \"damage\": 2 }, { \"damage\": 3, \"crit\": null }], \"kinds\": [\"melee\", \"thrown\"],\n"
    "  \"by_name\": { \"scope\": { \"damage\": 5 }, \"stock\": { \"damage\": 6 }, \"\": { \"damage\": 7 } },\n"
    "  \"by_id\": { \"0\": \"zero\", \"4294967295\": \"max\", \"17\": \"x\" },\n"
    "  \"big\": { \"18446744073709551615\": [-1, 2], \"3\": [] },\n"
    "  \"effect\": { \"type\": \"Sound\", \"value\": { \"clip\": \"audio/bang.ogg\" } },\n"
    "  \"effects\": [{ \"type\": \"Light\", \"value\": { \"color\": [1, 0.5, 0] } }, null], \"alias\": \"\" }\n";

/* A reader: validate each file named on the command line, dump the valid ones and
 * print some lookups; "invalid <result>" for the others. With --sweep <size> <file>:
 * the file's entries of `size` bytes one after the other, each validated (its result
 * printed as a number) and dumped to /dev/null when valid. */
static const char reader_src[] =
    "#include <stdlib.h>\n"
    "#include <string.h>\n"
    "#include HEADER\n"
    "static int sweep(size_t size, const char *path) {\n"
    "    FILE *f = fopen(path, \"rb\"), *null = fopen(\"/dev/null\", \"w\");\n"
    "    uint64_t *words = (uint64_t *)calloc(size / 8 + 1, 8);\n"
    "    if (!f || !null || !words) return 2;\n"
    "    while (fread(words, 1, size, f) == size) {\n"
    "        zc_result r = Weapon_validate(words, (uint64_t)size, NULL);\n"
    "        printf(\"%d\\n\", (int)r);\n"
    "        if (r == ZC_OK) Weapon_dump_json(Weapon_root(words), null);\n"
    "    }\n"
    "    fclose(f);\n"
    "    fclose(null);\n"
    "    free(words);\n"
    "    return 0;\n"
    "}\n"
    "int main(int argc, char **argv) {\n"
    "    if (argc == 4 && strcmp(argv[1], \"--sweep\") == 0) return sweep((size_t)strtoull(argv[2], NULL, 10), argv[3]);\n"
    "    for (int i = 1; i < argc; ++i) {\n"
    "        FILE *f = fopen(argv[i], \"rb\");\n"
    "        if (!f) return 2;\n"
    "        fseek(f, 0, SEEK_END);\n"
    "        long n = ftell(f);\n"
    "        fseek(f, 0, SEEK_SET);\n"
    "        uint64_t *words = (uint64_t *)calloc((size_t)n / 8 + 1, 8);\n"
    "        if (fread(words, 1, (size_t)n, f) != (size_t)n) return 2;\n"
    "        fclose(f);\n"
    "        zc_diag diag;\n"
    "        zc_result r = Weapon_validate(words, (uint64_t)n, &diag);\n"
    "        if (r != ZC_OK) printf(\"invalid %d %s\\n\", (int)r, diag.message);\n"
    "        else { Weapon_dump_json(Weapon_root(words), stdout); LOOKUPS }\n"
    "        free(words);\n"
    "    }\n"
    "    return 0;\n"
    "}\n";

static const char game_lookups[] =
    "const Weapon *w = Weapon_root(words); const Stats *s = Weapon_by_name_find(w, \"stock\", 5);"
    "const zc_string *z = Weapon_by_id_find(w, 4294967295u); const zc_array *b = Weapon_big_find(w, 18446744073709551615ull);"
    "printf(\"stock %d max %s big %d missing %d\\n\", s ? (int)Stats_damage(s) : -1, z ? zc_string_data(z) : \"-\","
    " b ? (int)b->count : -1, Weapon_by_name_find(w, \"nope\", 4) == NULL && Weapon_by_id_find(w, 5) == NULL);"
    "uint32_t bonus = 0; int has = Weapon_bonus(w, &bonus); printf(\"bonus %d %u range %g sound %d\\n\", has, bonus,"
    " (double)Stats_range(Weapon_stats(w)), Weapon_effect_as_Sound(w) != NULL);"
    "uint64_t nl = 9, al = 9; const char *nick = Weapon_nick(w, &nl), *alias = Weapon_alias(w, &al);"
    "printf(\"nick %d:%d alias %d:%d\\n\", nick != NULL, (int)nl, alias != NULL, (int)al);";

/* ---------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------- */

static char *put(const char *name, const char *text) {
    zct_put_text(zct_tmp, name, text);
    return zct_tmp_path(name);
}

static void gen_header(const char *zcs, const char *header) {
    zct_run r = ZCT_CLI_IN(zct_tmp, "schema", zcs, "-o", header);
    ZCT_EXPECT_CODE(r, ZC_EXIT_OK);
    zct_run_free(&r);
}

static void encode(const char *zcs, const char *json, const char *bin) {
    zct_run r = ZCT_CLI_IN(zct_tmp, "schema", zcs, "--encode", json, "-o", bin);
    ZCT_EXPECT_CODE(r, ZC_EXIT_OK);
    zct_run_free(&r);
}

/* Compile the reader against `header` (C11 or C++17, optionally under ASan and
 * UBSan) into zct_tmp/exe. */
static void compile_reader(const char *header, const char *lookups, int cxx, int sanitize, const char *exe) {
    char src_name[64], define[160], lk[2048];
    snprintf(src_name, sizeof src_name, "%s.%s", exe, cxx ? "cpp" : "c");
    zct_put_text(zct_tmp, src_name, reader_src);
    snprintf(define, sizeof define, "-DHEADER=\"%s\"", header);
    snprintf(lk, sizeof lk, "-DLOOKUPS=%s", lookups ? lookups : "");
    const char *argv[] = { cxx ? "c++" : "cc", cxx ? "-std=c++17" : "-std=c11", "-Wall", "-Wextra", "-Werror", "-O1",
                           "-I", zct_source_path("formats"), "-I", zct_tmp, define, lk, src_name, "-o", exe,
                           sanitize ? "-fsanitize=address,undefined" : "-g",
                           sanitize ? "-fno-sanitize-recover=all" : "-g", NULL };
    char *err = zct_tmp_path("cc.err");
    int rc = zct_run_program(zct_tmp, NULL, err, argv);
    size_t n;
    char *msg = (char *)zct_read_file(err, &n);
    cr_assert_eq(rc, 0, "%s failed:\n%s", argv[0], msg ? msg : "");
    free(msg);
    free(err);
}

/* Run zct_tmp/exe on the files; its stdout (malloc'd). */
static char *run_reader(const char *exe, const char *const *files, size_t count) {
    char path[64];
    snprintf(path, sizeof path, "./%s", exe);
    const char *argv[64] = { path };
    for (size_t i = 0; i < count; ++i) argv[i + 1] = files[i];
    char *out = zct_tmp_path("reader.out"), *err = zct_tmp_path("reader.err");
    int rc = zct_run_program(zct_tmp, out, err, argv);
    size_t n;
    char *text = (char *)zct_read_file(out, &n), *etext = (char *)zct_read_file(err, &n);
    cr_assert_eq(rc, 0, "reader exited %d:\n%s", rc, etext ? etext : "");
    free(etext);
    free(out);
    free(err);
    return text;
}

/* `expected` (the encoded document) is a subset of `dump`: refs as asset ids, floats
 * within f32 precision. */
static int json_subset(const cJSON *expected, const cJSON *dump) {
    if (cJSON_IsString(expected) && cJSON_IsString(dump)) {
        if (strcmp(expected->valuestring, dump->valuestring) == 0) return 1;
        char id[32];
        snprintf(id, sizeof id, "0x%016llx",
                 (unsigned long long)zc_asset_id(expected->valuestring, strlen(expected->valuestring)));
        if (strcmp(id, dump->valuestring) == 0) return 1;
        /* 64-bit integers given as strings */
        return cJSON_IsNumber(dump) && strtod(expected->valuestring, NULL) == dump->valuedouble;
    }
    if (cJSON_IsString(expected) && cJSON_IsNumber(dump)) return strtod(expected->valuestring, NULL) == dump->valuedouble;
    if (cJSON_IsNumber(expected)) {
        double a = expected->valuedouble, b = dump->valuedouble;
        return cJSON_IsNumber(dump) && fabs(a - b) <= 1e-6 * fabs(a);
    }
    if (cJSON_IsObject(expected)) {
        if (!cJSON_IsObject(dump)) return 0;
        for (const cJSON *c = expected->child; c; c = c->next)
            if (!json_subset(c, cJSON_GetObjectItemCaseSensitive(dump, c->string))) return 0;
        return 1;
    }
    if (cJSON_IsArray(expected)) {
        if (!cJSON_IsArray(dump) || cJSON_GetArraySize(dump) != cJSON_GetArraySize(expected)) return 0;
        for (const cJSON *a = expected->child, *b = dump->child; a; a = a->next, b = b->next)
            if (!json_subset(a, b)) return 0;
        return 1;
    }
    return dump && expected->type == dump->type;
}

static cJSON *first_line_json(const char *text) {
    const char *nl = strchr(text, '\n');
    cr_assert(nl, "no output line: %s", text);
    cJSON *j = cJSON_ParseWithLength(text, (size_t)(nl - text));
    cr_assert(j, "dump is not JSON: %s", text);
    return j;
}

/* ---------------------------------------------------------------------------------
 * Round trip
 * ------------------------------------------------------------------------------- */

static void round_trip(int cxx) {
    char *zcs = put("game.zcs", game_zcs), *json = put("rifle.json", game_json);
    gen_header(zcs, "game.h");
    encode(zcs, json, "rifle.bin");
    compile_reader("game.h", game_lookups, cxx, 0, "reader");
    const char *files[] = { "rifle.bin" };
    char *out = run_reader("reader", files, 1);
    cJSON *dump = first_line_json(out), *doc = cJSON_Parse(game_json);
    cr_assert(json_subset(doc, dump), "dump differs from the document:\n%s", out);
    /* defaults of fields the document leaves out */
    cr_expect_str_eq(cJSON_GetObjectItem(dump, "rarity")->valuestring, "rare");
    cr_expect_str_eq(cJSON_GetObjectItem(dump, "motto")->valuestring, "sharp \"edge\"");
    cr_expect(cJSON_IsNull(cJSON_GetObjectItem(dump, "spare")));
    cr_expect(cJSON_IsNull(cJSON_GetObjectItem(dump, "next")));
    cr_expect(cJSON_IsNull(cJSON_GetObjectItem(dump, "nick")), "%s", out);
    cr_expect_str_eq(cJSON_GetObjectItem(dump, "alias")->valuestring, "");
    cr_expect_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(dump, "stats"), "range")->valuedouble, 10.5);
    cr_expect(strstr(out, "stock 6 max max big 2 missing 1\n"), "%s", out);
    cr_expect(strstr(out, "bonus 1 7 range 10.5 sound 1\n"), "%s", out);
    cr_expect(strstr(out, "nick 0:0 alias 1:0\n"), "%s", out);
    cJSON_Delete(dump);
    cJSON_Delete(doc);
    free(out);
    free(zcs);
    free(json);
}

Test(schema, c11_reader_validates_reads_and_dumps_every_feature) { round_trip(0); }
Test(schema, cxx17_reader_validates_reads_and_dumps_every_feature) { round_trip(1); }

Test(schema, layout_hash_and_tag_are_in_the_header) {
    zc_schema *s;
    zc_diag diag;
    cr_assert_eq(zc_schema_parse("game.zcs", game_zcs, strlen(game_zcs), &s, &diag), ZC_OK, "%s", diag.message);
    cr_expect_eq(s->layout_hash, zc_layout_hash(s->layout_desc));
    cr_expect_eq(s->type_tag, ZC_FOURCC('W', 'E', 'A', 'P'));
    char *zcs = put("game.zcs", game_zcs);
    gen_header(zcs, "game.h");
    char *path = zct_tmp_path("game.h"), want[64];
    size_t n;
    char *text = (char *)zct_read_file(path, &n);
    snprintf(want, sizeof want, "#define WEAPON_LAYOUT_HASH 0x%08xu", s->layout_hash);
    cr_expect(strstr(text, want), "%s missing", want);
    cr_expect(strstr(text, "#define WEAPON_TYPE_TAG ZC_FOURCC('W', 'E', 'A', 'P')"));
    free(text);
    free(path);
    free(zcs);
    zc_schema_free(s);
}

/* ---------------------------------------------------------------------------------
 * Evolution
 * ------------------------------------------------------------------------------- */

static const char v1_zcs[] = "type_tag \"WEAP\"; root Weapon;\n"
                             "struct Stats { damage: u16; }\n"
                             "struct Weapon { name: string; stats: Stats; damage: u32; }\n";
static const char v2_zcs[] = "type_tag \"WEAP\"; root Weapon;\n"
                             "struct Stats { damage: u16; heavy: bool = true; }\n"
                             "struct Extra { note: string; }\n"
                             "struct Weapon { name: string; stats: Stats; damage: u32;\n"
                             "  range: f32 = 12.5; note: string = \"new\"; extra: ?Extra = null; tags: [string] = [];\n"
                             "  alias: ?string = null; }\n";

static uint32_t hash_of(const char *text) {
    zc_schema *s;
    zc_diag diag;
    cr_assert_eq(zc_schema_parse("v.zcs", text, strlen(text), &s, &diag), ZC_OK, "%s", diag.message);
    uint32_t h = s->layout_hash;
    zc_schema_free(s);
    return h;
}

Test(schema, appending_defaulted_fields_keeps_the_layout_hash_and_anything_else_changes_it) {
    uint32_t v1 = hash_of(v1_zcs);
    cr_expect_eq(hash_of(v2_zcs), v1);
    const char *changed[] = {
        "type_tag \"WEAP\"; root Weapon; struct Stats { damage: u32; } struct Weapon { name: string; stats: Stats; damage: u32; }",
        "type_tag \"WEAP\"; root Weapon; struct Stats { damage: u16; } struct Weapon { stats: Stats; name: string; damage: u32; }",
        "type_tag \"WEAP\"; root Weapon; struct Stats { damage: u16; } struct Weapon { name: string; stats: Stats; damage: u32; more: u8; }",
        "type_tag \"WEAX\"; root Weapon; struct Stats { damage: u16; } struct Weapon { name: string; stats: Stats; damage: u32; }",
        "type_tag \"WEAP\"; root Weapon; struct Stats { damage: u16; } struct Weapon { title: string; stats: Stats; damage: u32; }",
    };
    for (size_t i = 0; i < sizeof changed / sizeof *changed; ++i)
        cr_expect_neq(hash_of(changed[i]), v1, "change %zu kept the hash", i);
}

Test(schema, old_reader_on_new_data_and_new_reader_on_old_data) {
    char *z1 = put("v1.zcs", v1_zcs), *z2 = put("v2.zcs", v2_zcs);
    char *j1 = put("old.json", "{ \"name\": \"axe\", \"stats\": { \"damage\": 3 }, \"damage\": 9 }");
    char *j2 = put("new.json", "{ \"name\": \"bow\", \"stats\": { \"damage\": 4, \"heavy\": false }, \"damage\": 8,"
                               " \"range\": 40, \"note\": \"n\", \"extra\": { \"note\": \"e\" }, \"tags\": [\"t\"], \"alias\": \"\" }");
    gen_header(z1, "v1.h");
    gen_header(z2, "v2.h");
    encode(z1, j1, "old.bin");
    encode(z2, j2, "new.bin");
    compile_reader("v1.h", NULL, 0, 0, "old_reader");
    compile_reader("v2.h", NULL, 1, 0, "new_reader");
    const char *files[] = { "old.bin", "new.bin" };
    char *old_out = run_reader("old_reader", files, 2), *new_out = run_reader("new_reader", files, 2);
    cr_expect_str_eq(old_out, "{\"name\": \"axe\", \"stats\": {\"damage\": 3}, \"damage\": 9}\n"
                              "{\"name\": \"bow\", \"stats\": {\"damage\": 4}, \"damage\": 8}\n");
    cr_expect_str_eq(new_out,
                     "{\"name\": \"axe\", \"stats\": {\"damage\": 3, \"heavy\": true}, \"damage\": 9, \"range\": 12.5, "
                     "\"note\": \"new\", \"extra\": null, \"tags\": [], \"alias\": null}\n"
                     "{\"name\": \"bow\", \"stats\": {\"damage\": 4, \"heavy\": false}, \"damage\": 8, \"range\": 40, "
                     "\"note\": \"n\", \"extra\": {\"note\": \"e\"}, \"tags\": [\"t\"], \"alias\": \"\"}\n");
    free(old_out);
    free(new_out);
    free(z1);
    free(z2);
    free(j1);
    free(j2);
}

/* ---------------------------------------------------------------------------------
 * Hostile bytes
 * ------------------------------------------------------------------------------- */

static uint8_t *encode_in_process(const char *zcs, const char *json, size_t *size) {
    zc_schema *s;
    zc_diag diag;
    cr_assert_eq(zc_schema_parse("t.zcs", zcs, strlen(zcs), &s, &diag), ZC_OK, "%s", diag.message);
    uint8_t *bytes;
    cr_assert_eq(zc_schema_encode(s, "t.json", json, strlen(json), &bytes, size, &diag), ZC_OK, "%s", diag.message);
    zc_schema_free(s);
    return bytes;
}

static void put_bytes(const char *name, const void *data, size_t size) { zct_put(zct_tmp, name, data, size); }

/* The offset of field `name` in game.zcs's root record Weapon. */
static uint32_t weapon_field_offset(const char *name) {
    zc_schema *s;
    zc_diag diag;
    cr_assert_eq(zc_schema_parse("game.zcs", game_zcs, strlen(game_zcs), &s, &diag), ZC_OK, "%s", diag.message);
    const zc_schema_decl *w = &s->decls[s->root];
    uint32_t offset = 0;
    for (uint32_t i = 0; i < w->count; ++i)
        if (strcmp(w->fields[i].name, name) == 0) offset = w->fields[i].offset;
    zc_schema_free(s);
    cr_assert_neq(offset, 0u, "no field %s", name);
    return offset;
}

Test(schema, hostile_bytes_are_refused_without_crashing) {
    char *zcs = put("game.zcs", game_zcs);
    gen_header(zcs, "game.h");
    compile_reader("game.h", NULL, 0, 1, "checker");
    size_t size;
    uint8_t *good = encode_in_process(game_zcs, game_json, &size);
    uint8_t *m = (uint8_t *)malloc(size);
    char names[40][32];
    const char *files[40];
    const char *expect[40];
    size_t n = 0;
#define CASE(want, ...)                                                                                   \
    do {                                                                                                  \
        memcpy(m, good, size);                                                                            \
        size_t len = size;                                                                                \
        __VA_ARGS__;                                                                                      \
        snprintf(names[n], sizeof names[n], "case%zu.bin", n);                                            \
        put_bytes(names[n], m, len);                                                                      \
        files[n] = names[n];                                                                              \
        expect[n++] = want;                                                                               \
    } while (0)
    CASE("ok", (void)0);
    CASE("invalid 16", len = 4);                                                 /* shorter than a record */
    CASE("invalid 16", len = 200);                                               /* cut inside the root */
    CASE("invalid", len = size / 2);                                          /* targets past the end */
    CASE("invalid 16", m[0] = 12);                                               /* struct_size not a multiple of 8 */
    CASE("invalid 16", m[0] = 8; m[1] = 0);                                      /* below the base size */
    CASE("invalid 16", m[0] = 0; m[1] = 0; m[2] = 0x10);                         /* past the entry */
    CASE("invalid 24", m[8] = 0xff; m[9] = 0xff; m[10] = 0xff; m[15] = 0x7f);     /* name offset out of bounds */
    CASE("invalid 24", m[8] = 0x00; m[9] = 0xf0; m[10] = 0xff; m[15] = 0xff);     /* name offset before the entry */
    CASE("invalid 16", m[24] = 3);                                               /* kind: undeclared enum value */
    CASE("invalid 16", m[32] = 2);                                               /* bool not 0 or 1 */
    CASE("invalid 16", m[80] = 0; m[81] = 0; m[82] = 0; m[83] = 0; m[84] = 0; m[85] = 0; m[86] = 0; m[87] = 0); /* null stats */
    CASE("invalid 26", m[80] ^= 4);                                              /* misaligned record */
    CASE("invalid 16", m[96] = 2);                                               /* presence byte */
    CASE("invalid 16", m[104] = 0; m[105] = 0; m[106] = 0; m[107] = 0; m[108] = 0; m[109] = 0; m[110] = 0; m[111] = 0); /* ref 0 */
    CASE("invalid 23", m[128 + 7] = 0x01);                                       /* tags: count over the limit */
    CASE("invalid 16", m[280] = 9);                                              /* union tag */
    {
        /* bad UTF-8 and a missing NUL in the name's bytes */
        int64_t off;
        memcpy(&off, good + 8, 8);
        CASE("invalid 25", m[8 + off] = 0xc0);
        CASE("invalid 25", m[8 + off + 8] = 'x');
        /* ?string: absent (offset 0) with a length; the present empty string's NUL */
        uint32_t nick = weapon_field_offset("nick"), alias = weapon_field_offset("alias");
        CASE("invalid 25", m[nick + 8] = 3);
        memcpy(&off, good + alias, 8);
        cr_assert_neq(off, 0, "the present empty alias has no bytes");
        cr_assert_eq(good[alias + off], 0);
        CASE("invalid 25", m[alias + off] = 'x');
    }
    char *out = run_reader("checker", files, n);
    char *line = out;
    for (size_t i = 0; i < n; ++i) {
        cr_assert(line && *line, "no result for case %zu:\n%s", i, out);
        if (strcmp(expect[i], "ok") == 0) cr_expect(line[0] == '{', "case %zu: %.80s", i, line);
        else cr_expect(strncmp(line, expect[i], strlen(expect[i])) == 0, "case %zu: expected %s, got %.120s", i, expect[i], line);
        line = strchr(line, '\n');
        if (line) line++;
    }
    free(out);
    free(m);
    free(good);
    free(zcs);
}

/* The schema `zcs` written as <name>.zcs, its header <name>.h, the reader compiled
 * against it under ASan and UBSan as `exe`, *schema parsed in this process (free it
 * with zc_schema_free); returns `json` encoded (*size bytes, malloc'd). */
static uint8_t *checker_setup(const char *name, const char *zcs, const char *json, const char *exe, zc_schema **schema,
                              size_t *size) {
    char zcs_name[64], header[64];
    snprintf(zcs_name, sizeof zcs_name, "%s.zcs", name);
    snprintf(header, sizeof header, "%s.h", name);
    char *path = put(zcs_name, zcs);
    gen_header(path, header);
    compile_reader(header, NULL, 0, 1, exe);
    free(path);
    zc_diag diag;
    cr_assert_eq(zc_schema_parse(zcs_name, zcs, strlen(zcs), schema, &diag), ZC_OK, "%s", diag.message);
    return encode_in_process(zcs, json, size);
}

/* Every byte of an entry with every feature, changed in turn to 0, to 0xff, by one
 * and in its high bit: the generated validator (compiled with ASan and UBSan) and
 * zc_schema_check give each mutant the same verdict, and the generated JSON dumper
 * reads every mutant they accept without a fault. */
Test(schema, every_byte_changed_gets_one_verdict_from_both_validators) {
    zc_schema *s;
    zc_diag diag;
    size_t size;
    uint8_t *good = checker_setup("game", game_zcs, game_json, "sweeper", &s, &size);
    enum { CHANGES = 4 };
    size_t count = size * CHANGES;
    uint8_t *mutants = (uint8_t *)malloc(count * size);
    cr_assert(mutants);
    for (size_t at = 0; at < size; ++at) {
        const uint8_t to[CHANGES] = { 0, 0xff, (uint8_t)(good[at] + 1), (uint8_t)(good[at] ^ 0x80) };
        for (size_t k = 0; k < CHANGES; ++k) {
            uint8_t *m = mutants + (at * CHANGES + k) * size;
            memcpy(m, good, size);
            m[at] = to[k];
        }
    }
    put_bytes("mutants.bin", mutants, count * size);
    char size_text[32];
    snprintf(size_text, sizeof size_text, "%zu", size);
    const char *args[] = { "--sweep", size_text, "mutants.bin" };
    char *out = run_reader("sweeper", args, 3), *line = out;
    size_t accepted = 0;
    uint64_t *words = (uint64_t *)calloc(size / 8 + 1, 8);
    for (size_t i = 0; i < count; ++i) {
        cr_assert(line && *line, "no verdict for mutant %zu of %zu", i, count);
        memcpy(words, mutants + i * size, size);
        int generated = atoi(line), interpreted = (int)zc_schema_check(s, words, size, &diag);
        cr_assert_eq(generated, interpreted, "byte %zu changed to 0x%02x: generated validator %d, zc_schema_check %d (%s)",
                     i / CHANGES, mutants[i * size + i / CHANGES], generated, interpreted, diag.message);
        accepted += generated == ZC_OK;
        line = strchr(line, '\n');
        if (line) line++;
    }
    /* padding and scalar bytes change without harm; pointers, counts and tags do not */
    cr_expect(accepted > count / 10 && accepted < count - count / 10, "%zu of %zu mutants accepted", accepted, count);
    free(words);
    free(out);
    free(mutants);
    free(good);
    zc_schema_free(s);
}

Test(schema, depth_cycles_and_shared_targets_are_bounded) {
    static const char node_zcs[] = "type_tag \"NODE\"; root Weapon; struct Weapon { next: ?Weapon; kids: [Weapon]; }";
    char *zcs = put("node.zcs", node_zcs);
    gen_header(zcs, "node.h");
    compile_reader("node.h", NULL, 0, 1, "checker");
    /* records of 32 bytes: struct_size, pad, next, kids (offset, count) */
    enum { N = 100 };
    uint64_t chain[N * 4], loop[4], fan[4 + 64];
    memset(chain, 0, sizeof chain);
    for (int i = 0; i < N; ++i) {
        chain[i * 4] = 32;
        if (i + 1 < N) chain[i * 4 + 1] = 24; /* next: from field at +8 to the next record */
    }
    memset(loop, 0, sizeof loop);
    loop[0] = 32;
    loop[1] = (uint64_t)-8; /* next points back at its own record */
    /* every kid of the root is the root itself: 64 pointers, each a full walk */
    memset(fan, 0, sizeof fan);
    fan[0] = 32;
    fan[2] = 16;  /* kids: from the field at 16 to the array at 32 */
    fan[3] = 64;  /* ... of 64 records? the element slot is an 8-byte pointer */
    for (int i = 0; i < 64; ++i) fan[4 + i] = (uint64_t)(-(int64_t)(32 + 8 * i));
    put_bytes("chain.bin", chain, sizeof chain);
    put_bytes("loop.bin", loop, sizeof loop);
    put_bytes("fan.bin", fan, sizeof fan);
    const char *files[] = { "chain.bin", "loop.bin", "fan.bin" };
    char *out = run_reader("checker", files, 3);
    cr_expect(strncmp(out, "invalid 23 ", 11) == 0, "%s", out);
    cr_expect(strstr(out, "\ninvalid 23 "), "%s", out);
    free(out);
    free(zcs);
}

/* A record of `named.zcs`, 32 bytes: struct_size, name (a zc_string at 8), next (a
 * zc_rel_ptr at 24); its name's bytes at 32 + gap, then its NUL; every byte a target,
 * so the work budget is spent exactly when gap is 0. Returns the entry's size. */
static size_t named_entry(uint8_t *m, size_t gap, const char *name, int64_t next) {
    size_t length = strlen(name);
    memset(m, 0, 32 + gap + length + 1);
    uint32_t struct_size = 32;
    int64_t offset = (int64_t)(24 + gap);
    uint64_t len = length;
    memcpy(m, &struct_size, 4);
    memcpy(m + 8, &offset, 8);
    memcpy(m + 16, &len, 8);
    memcpy(m + 24, &next, 8);
    memcpy(m + 32 + gap, name, length);
    return 32 + gap + length + 1;
}

/* The validator's fast paths (record pointers, strings, ASCII words of UTF-8) accept
 * and refuse what its full checks do: a multi-byte character or a bad byte at every
 * position of a name whose bytes start at every alignment, bounds and the budget
 * met exactly or missed by one byte, pointers that would wrap. */
Test(schema, fast_paths_meet_every_bound_exactly) {
    static const char named_zcs[] = "type_tag \"NAME\"; root Weapon; struct Weapon { name: string; next: ?Weapon; }";
    char *zcs = put("named.zcs", named_zcs);
    gen_header(zcs, "named.h");
    compile_reader("named.h", NULL, 0, 1, "checker");
    enum { LENGTH = 20, CASES = 2 * (LENGTH - 1) + 13 };
    static char names[CASES][32];
    static const char *files[CASES], *expect[CASES];
    uint8_t m[160];
    size_t n = 0, size;
    char name[LENGTH + 1];
#define NAMED_CASE(want, gap, text, next, cut)                                       \
    do {                                                                             \
        size = named_entry(m, (gap), (text), (next));                                \
        snprintf(names[n], sizeof names[n], "named%zu.bin", n);                      \
        put_bytes(names[n], m, size - (cut));                                        \
        files[n] = names[n];                                                         \
        expect[n++] = (want);                                                        \
    } while (0)
    for (size_t at = 0; at + 1 < LENGTH; ++at) {
        memset(name, 'a', LENGTH);
        name[LENGTH] = 0;
        memcpy(name + at, "\xc3\xa9", 2);
        NAMED_CASE("ok", at % 8, name, 0, 0);
        memset(name, 'a', LENGTH);
        name[at] = (char)(at % 2 ? 0xff : 0x80);
        name[at + 1] = (char)(at % 3 ? 'b' : 0xe2); /* 0xe2 then 'a' or the end: truncated */
        NAMED_CASE("invalid 25", (at * 3) % 8, name, 0, 0);
    }
    NAMED_CASE("ok", 0, "exact budget and end", 0, 0);
    NAMED_CASE("invalid 24", 0, "NUL cut off", 0, 1);
    NAMED_CASE("invalid 24", 3, "NUL cut off, budget to spare", 0, 1);
    NAMED_CASE("ok", 0, "four", 0, 0);               /* 4 to 7 bytes: two 4-byte reads */
    NAMED_CASE("invalid 25", 0, "fo\xc3r", 0, 0);
    NAMED_CASE("ok", 0, "\xf0\x9f\x8e\xae", 0, 0);
    NAMED_CASE("invalid 25", 0, "\xed\xa0\x80x", 0, 0); /* a surrogate */
    NAMED_CASE("invalid 23", 0, "loop", -24, 0);      /* back to the root: over budget */
    NAMED_CASE("invalid 24", 0, "min", INT64_MIN, 0);
    NAMED_CASE("invalid 24", 0, "max", INT64_MAX, 0);
    NAMED_CASE("invalid 24", 0, "before", -32, 0);
    NAMED_CASE("invalid 26", 0, "misaligned", 4, 0);
    NAMED_CASE("invalid 16", 0, "into the name", 8, 0); /* struct_size read from "into" */
#undef NAMED_CASE
    cr_assert_eq(n, (size_t)CASES);
    /* a second record ending exactly at the entry's end, then one byte short */
    size = named_entry(m, 0, "twenty-three bytes long", 32);
    uint32_t struct_size = 32;
    memset(m + size, 0, 32);
    memcpy(m + size, &struct_size, 4);
    put_bytes("tail.bin", m, size + 32);
    put_bytes("short.bin", m, size + 31);
    const char *tails[] = { "tail.bin", "short.bin" };
    char *out = run_reader("checker", files, n / 2);
    char *out2 = run_reader("checker", files + n / 2, n - n / 2);
    char *out3 = run_reader("checker", tails, 2);
    size_t total = strlen(out) + strlen(out2) + 1;
    char *all = (char *)malloc(total);
    snprintf(all, total, "%s%s", out, out2);
    char *line = all;
    for (size_t i = 0; i < n; ++i) {
        cr_assert(line && *line, "no result for %s:\n%s", files[i], all);
        if (strcmp(expect[i], "ok") == 0) cr_expect(line[0] == '{', "%s: %.120s", files[i], line);
        else cr_expect(strncmp(line, expect[i], strlen(expect[i])) == 0, "%s: expected %s, got %.120s", files[i], expect[i], line);
        line = strchr(line, '\n');
        if (line) line++;
    }
    cr_expect(out3[0] == '{', "%s", out3);
    cr_expect(strstr(out3, "\ninvalid 16 "), "%s", out3);
    free(all);
    free(out);
    free(out2);
    free(out3);
    free(zcs);
}

/* ---------------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------------- */

static void expect_parse_error(const char *text, const char *message) {
    zc_schema *s = NULL;
    zc_diag diag;
    diag.message[0] = 0;
    cr_expect_eq(zc_schema_parse("game.zcs", text, strlen(text), &s, &diag), ZC_ERR_BAD_SOURCE, "accepted: %s", text);
    cr_expect_str_eq(diag.message, message);
    zc_schema_free(s);
}

Test(schema, parser_errors_name_line_and_column) {
    expect_parse_error("root A;\ntype_tag \"ABCD\";\nstruct A {\n  x: Foo;\n}\n", "game.zcs:4:6: unknown type 'Foo'");
    expect_parse_error("root A; type_tag \"ABCD\";\nstruct A { x: u8 = 300; }", "game.zcs:2:20: default of 'x': out of the type's range");
    expect_parse_error("struct A {\n  x: [?u8];\n}", "game.zcs:2:7: vector elements cannot be optional");
    expect_parse_error("root A; type_tag \"ABCD\";\nstruct A { x: ?[u8]; }",
                       "game.zcs:2:16: 'x': only scalars, enums, strings, structs, inline structs and refs can be optional");
    expect_parse_error("root A; type_tag \"ABCD\";\nstruct A { x: ?string = \"\"; }",
                       "game.zcs:2:25: default of 'x': an optional field's default is null");
    expect_parse_error("enum E : i8 { a }", "game.zcs:1:10: expected an enum's type (u8, u16 or u32), got 'i8'");
    expect_parse_error("struct A { x: u32 $ }", "game.zcs:1:19: unexpected character '$'");
    expect_parse_error("root A; type_tag \"ABCD\";\nstruct A {\n  x: u32;\n  x: u8;\n}", "game.zcs:4:3: struct 'A': field 'x' is declared twice");
    expect_parse_error("struct A { int: u32; }", "game.zcs:1:12: 'int' cannot be a name (reserved word, or leading '_' or '__' inside)");
    expect_parse_error("root A; type_tag \"ABCD\"; struct A { s: B = null; } struct B { }",
                       "game.zcs:1:44: default of 's': a struct or ref field has no default; declare it ?T = null");
    expect_parse_error("root A; type_tag \"ABC\";", "game.zcs:1:18: a type tag has 4 characters");
    expect_parse_error("root A; type_tag \"ABCD\"; struct A { r: ref Nothing; }",
                       "game.zcs:1:40: ref names 'Nothing', which is neither a struct of this schema nor an entry type "
                       "(Blob, Texture, Mesh, Material, Scene, Skeleton, Animation)");
}

static void expect_json_error(const char *json, const char *message) {
    zc_schema *s;
    zc_diag diag;
    cr_assert_eq(zc_schema_parse("game.zcs", game_zcs, strlen(game_zcs), &s, &diag), ZC_OK, "%s", diag.message);
    uint8_t *bytes = NULL;
    size_t size;
    diag.message[0] = 0;
    cr_expect_eq(zc_schema_encode(s, "weapons/rifle.json", json, strlen(json), &bytes, &size, &diag), ZC_ERR_BAD_SOURCE,
                 "accepted: %s", json);
    cr_expect_str_eq(diag.message, message);
    free(bytes);
    zc_schema_free(s);
}

Test(schema, json_errors_name_the_value_path) {
    cJSON *doc = cJSON_Parse(game_json);
    cJSON_AddItemToObject(cJSON_GetObjectItem(doc, "stats"), "range", cJSON_CreateString("far"));
    char *text = cJSON_PrintUnformatted(doc);
    expect_json_error(text, "weapons/rifle.json: .stats.range: expected f32, got string");
    free(text);
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(doc, "stats"), "range", cJSON_CreateNumber(1));
    cJSON_ReplaceItemInArray(cJSON_GetObjectItem(doc, "tags"), 1, cJSON_CreateNumber(3));
    text = cJSON_PrintUnformatted(doc);
    expect_json_error(text, "weapons/rifle.json: .tags[1]: expected string, got number");
    free(text);
    cJSON_ReplaceItemInArray(cJSON_GetObjectItem(doc, "tags"), 1, cJSON_CreateString("ok"));
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(doc, "by_name"), "scope", cJSON_Parse("{\"damage\": 70000}"));
    text = cJSON_PrintUnformatted(doc);
    expect_json_error(text, "weapons/rifle.json: .by_name[\"scope\"].damage: 70000 is out of the range of u16");
    free(text);
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(doc, "by_name"), "scope", cJSON_Parse("{\"damage\": 7}"));
    cJSON_ReplaceItemInObject(doc, "kind", cJSON_CreateString("laser"));
    text = cJSON_PrintUnformatted(doc);
    expect_json_error(text, "weapons/rifle.json: .kind: \"laser\" is not a value of enum Kind");
    free(text);
    cJSON_Delete(doc);
    expect_json_error("{\"kind\": \"melee\"}", "weapons/rifle.json: .name: missing required field");
    expect_json_error("[1]", "weapons/rifle.json: .: expected Weapon (an object), got array");
}

Test(schema, cli_reports_errors_with_exit_codes) {
    char *bad = put("bad.zcs", "root A;\ntype_tag \"ABCD\";\nstruct A { x: Foo; }\n");
    zct_run r = ZCT_CLI_IN(zct_tmp, "schema", "bad.zcs", "-o", "bad.h");
    ZCT_EXPECT_CODE(r, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(r, "bad.zcs:3:15: unknown type 'Foo'");
    zct_run_free(&r);
    r = ZCT_CLI_IN(zct_tmp, "schema", "missing.zcs", "-o", "x.h");
    ZCT_EXPECT_CODE(r, ZC_EXIT_IO);
    zct_run_free(&r);
    r = ZCT_CLI_IN(zct_tmp, "schema", "bad.zcs");
    ZCT_EXPECT_CODE(r, ZC_EXIT_USAGE);
    zct_run_free(&r);
    free(bad);
}

/* ---------------------------------------------------------------------------------
 * Schema entries in packs (SPEC.md 16.11 and 16.12)
 * ------------------------------------------------------------------------------- */

/* Two schema types that reference each other (each schema declares the other's
 * struct, which a reference names by its type name), a model and a texture. */
static const char tree_game_zcs[] =
    "type_tag \"WEAP\";\nroot Weapon;\n"
    "struct Stats { range: f32 = 10.5; damage: u16; }\n"
    "struct Armor { name: string; }\n"
    "struct Weapon { name: string; stats: Stats; icon: ref Texture; model: ref Mesh; pair: ?ref Weapon;\n"
    "    guard: ?ref Armor; tags: [string]; }\n";
static const char tree_armor_zcs[] =
    "type_tag \"ARMR\";\nroot Armor;\nstruct Weapon { name: string; }\n"
    "struct Armor { name: string; weight: f32; best: ref Weapon; }\n";
static const char tree_rifle_json[] =
    "{ \"name\": \"Rifle\", \"stats\": { \"damage\": 40 }, \"model\": \"m.obj#mesh/0\", \"icon\": \"textures/leaves.png\","
    " \"pair\": \"weapons/knife.json\", \"guard\": \"armor/plate.json\", \"tags\": [\"long\", \"loud\"] }";
static const char tree_knife_json[] =
    "{ \"name\": \"Knife\", \"stats\": { \"range\": 1, \"damage\": 5 }, \"model\": \"m.obj#mesh/0\","
    " \"icon\": \"textures/leaves.png\", \"tags\": [] }";
static const char tree_plate_json[] = "{ \"name\": \"Plate\", \"weight\": 12.5, \"best\": \"weapons/rifle.json\" }";

/* zct_tmp/<name>: the tree above with its manifest; returns its path. */
static char *schema_tree(const char *name) {
    char *root = zct_tmp_path(name);
    zct_put_text(root, "game.zcs", tree_game_zcs);
    zct_put_text(root, "armor.zcs", tree_armor_zcs);
    zct_put_text(root, "zcpack.json",
                 "{ \"rules\": [ { \"match\": \"weapons/*.json\", \"type\": \"Weapon\", \"schema\": \"game.zcs\" },"
                 " { \"match\": \"armor/*.json\", \"type\": \"Armor\", \"schema\": \"armor.zcs\" } ] }");
    zct_put_text(root, "weapons/rifle.json", tree_rifle_json);
    zct_put_text(root, "weapons/knife.json", tree_knife_json);
    zct_put_text(root, "armor/plate.json", tree_plate_json);
    zct_put_text(root, "m.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
    zct_copy_file(zct_source_path("samples/assets/textures/leaves.png"), root, "textures/leaves.png");
    return root;
}

static char *build_tree(const char *root, const char *pack_name) {
    char *pack = zct_tmp_path(pack_name);
    zct_run r = ZCT_CLI("build", root, "-o", pack);
    ZCT_EXPECT_CODE(r, ZC_EXIT_OK);
    zct_run_free(&r);
    return pack;
}

/* A program against game.h and the runtime: opens the pack (registering Weapon unless
 * a third argument is given), dumps the entry argv[2] as JSON, or prints the typed
 * access's error. */
static const char pack_reader_src[] =
    "#include <stdio.h>\n#include \"zc_pack.h\"\n#include \"game.h\"\n"
    "int main(int argc, char **argv) {\n"
    "    zc_type_row rows[] = { WEAPON_TYPE_ROW };\n"
    "    zc_pack_desc d; memset(&d, 0, sizeof d);\n"
    "    d.path = argv[1]; d.validate = ZC_VALIDATE_FULL; d.types = rows; d.type_count = argc > 3 ? 0 : 1;\n"
    "    zc_pack *p; zc_result r = zc_pack_open(&p, &d);\n"
    "    if (r != ZC_OK) { printf(\"open %s\\n\", zc_result_name(r)); return 0; }\n"
    "    zc_entry e; const void *data; uint64_t size;\n"
    "    if (zc_pack_find(p, argv[2], &e) != ZC_OK) return 4;\n"
    "    r = zc_entry_typed(&e, WEAPON_TYPE_TAG, &data, &size);\n"
    "    if (r != ZC_OK) printf(\"typed %s\\n\", zc_result_name(r));\n"
    "    else { Weapon_dump_json(Weapon_root(data), stdout); printf(\"deps %u\\n\", e.deps_count); }\n"
    "    zc_pack_close(p);\n    return 0;\n}\n";

static void compile_pack_reader(void) {
    zct_put_text(zct_tmp, "pack_reader.c", pack_reader_src);
    char *lib = zct_join(zct_self_dir(), "libzcpack.a");
    char *formats = strdup(zct_source_path("formats")), *include = strdup(zct_source_path("runtime/include"));
    /* the runtime of this test binary's build: instrumented in the sanitize build */
#ifdef __SANITIZE_ADDRESS__
    int sanitize = 1;
#else
    int sanitize = 0;
#endif
    const char *argv[] = { "cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-O1", "-I", formats, "-I", include, "-I", zct_tmp,
                           "pack_reader.c", "-o", "pack_reader", lib, "-lzstd", "-luv", "-lsodium", "-lm", "-lpthread",
                           sanitize ? "-fsanitize=address,undefined" : NULL, NULL };
    char *err = zct_tmp_path("cc.err");
    int rc = zct_run_program(zct_tmp, NULL, err, argv);
    size_t n;
    char *msg = (char *)zct_read_file(err, &n);
    cr_assert_eq(rc, 0, "cc failed:\n%s", msg ? msg : "");
    free(msg);
    free(err);
    free(lib);
    free(formats);
    free(include);
}

static char *read_entry(const char *pack, const char *path, int registered) {
    const char *files[] = { pack, path, registered ? NULL : "unregistered" };
    return run_reader("pack_reader", files, registered ? 2 : 3);
}

Test(schema, json_files_build_into_typed_entries_read_through_the_pack) {
    char *root = schema_tree("tree"), *pack = build_tree(root, "game.zcpack");
    char *header = zct_tmp_path("game.h"), *game_zcs = zct_tmp_path("tree/game.zcs");
    char *armor_zcs = zct_tmp_path("tree/armor.zcs");
    gen_header(game_zcs, header);
    compile_pack_reader();
    char *out = read_entry(pack, "weapons/rifle.json", 1);
    cJSON *dump = first_line_json(out), *doc = cJSON_Parse(tree_rifle_json);
    cr_assert(json_subset(doc, dump), "dump differs from the document:\n%s", out);
    cr_expect(strstr(out, "deps 4\n"), "%s", out);
    cJSON_Delete(dump);
    cJSON_Delete(doc);
    free(out);
    /* the other type, which this program does not register */
    zc_pack *p = NULL;
    cr_assert_eq(zc_pack_open(&p, &(zc_pack_desc){ .path = pack, .validate = ZC_VALIDATE_CHECKSUMS }), ZC_OK);
    zc_entry e;
    const void *data;
    uint64_t size;
    cr_assert_eq(zc_pack_find(p, "armor/plate.json", &e), ZC_OK);
    cr_expect_eq(e.type, ZC_FOURCC('A', 'R', 'M', 'R'));
    cr_expect_eq(zc_entry_typed(&e, e.type, &data, &size), ZC_ERR_UNKNOWN_TYPE);
    cr_expect_eq(zc_entry_bytes(&e, e.type, &data, &size), ZC_OK, "opaque bytes stay reachable");
    cr_expect_eq(zc_pack_validate(p, ZC_VALIDATE_CHECKSUMS), ZC_OK);
    zc_pack_close(p);
    out = read_entry(pack, "weapons/knife.json", 0);
    cr_expect_str_eq(out, "typed ZC_ERR_UNKNOWN_TYPE\n");
    free(out);
    zct_run v = ZCT_CLI("verify", pack);
    ZCT_EXPECT_CODE(v, ZC_EXIT_OK);
    zct_run_free(&v);
    v = ZCT_CLI("verify", pack, "--schema", game_zcs, "--schema", armor_zcs);
    ZCT_EXPECT_CODE(v, ZC_EXIT_OK);
    cr_expect(strstr(v.out, "3 checked against a schema"), "%s", v.out);
    zct_run_free(&v);
    free(armor_zcs);
    free(game_zcs);
    free(header);
    free(pack);
    free(root);
}

/* One file of the tree changed: the build fails naming the file and the JSON path. */
static void expect_build_error(const char *rel, const char *text, const char *message) {
    char *root = schema_tree("bad");
    zct_put_text(root, rel, text);
    char *pack = zct_tmp_path("bad.zcpack");
    zct_run r = ZCT_CLI("build", root, "-o", pack);
    ZCT_EXPECT_CODE(r, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(r, message);
    zct_run_free(&r);
    zct_rm_rf(root);
    free(pack);
    free(root);
}

Test(schema, wrong_values_and_bad_references_fail_the_file_with_the_json_path) {
    expect_build_error("weapons/knife.json", "{ \"name\": \"Knife\", \"stats\": { \"damage\": \"x\" } }",
                       "weapons/knife.json: .stats.damage: expected u16, got string");
    expect_build_error("armor/plate.json", "{ \"name\": \"P\", \"weight\": 1, \"best\": \"weapons/gone.json\" }",
                       "armor/plate.json: .best: reference to \"weapons/gone.json\": no file of the tree has that path");
    expect_build_error("armor/plate.json", "{ \"name\": \"P\", \"weight\": 1, \"best\": \"textures/leaves.png\" }",
                       "armor/plate.json: .best: reference to \"textures/leaves.png\": it is an entry of type Texture, "
                       "the schema wants type Weapon");
    expect_build_error("weapons/knife.json",
                       "{ \"name\": \"K\", \"stats\": { \"damage\": 1 }, \"model\": \"m.obj\", \"icon\": \"textures/leaves.png\" }",
                       "weapons/knife.json: .model: reference to \"m.obj\": it is an entry of type Scene, the schema "
                       "wants type Mesh");
    expect_build_error("weapons/knife.json",
                       "{ \"name\": \"K\", \"stats\": { \"damage\": 1 }, \"model\": \"m.obj#mesh/0\", \"icon\": \"textures/leaves.png\","
                       " \"guard\": \"weapons/rifle.json\" }",
                       "weapons/knife.json: .guard: reference to \"weapons/rifle.json\": it is an entry of type Weapon, "
                       "the schema wants type Armor");
}

Test(schema, verify_with_the_schema_finds_a_damaged_entry_and_a_layout_mismatch) {
    char *root = schema_tree("tree"), *pack = build_tree(root, "game.zcpack"), *zcs = zct_tmp_path("tree/game.zcs");
    size_t size;
    uint8_t *image = zct_read_file(pack, &size);
    zc_toc_entry *rec = zct_record_of(image, "weapons/rifle.json");
    uint32_t bad_size = 12; /* struct_size of the root record: not a multiple of 8 */
    memcpy(image + rec->offset, &bad_size, 4);
    rec->content_hash = XXH3_64bits(image + rec->offset, (size_t)rec->raw_size);
    zct_reseal(image, size);
    char *damaged = zct_tmp_path("damaged.zcpack");
    zct_write_file(damaged, image, size);
    zct_run v = ZCT_CLI("verify", damaged);
    ZCT_EXPECT_CODE(v, ZC_EXIT_OK); /* opaque to a program that does not know the type */
    zct_run_free(&v);
    v = ZCT_CLI("verify", damaged, "--schema", zcs);
    ZCT_EXPECT_CODE(v, ZC_EXIT_CORRUPT);
    ZCT_EXPECT_ERR(v, "weapons/rifle.json: record at 0 has struct_size 12");
    zct_run_free(&v);
    free(image);
    image = zct_read_file(pack, &size);
    rec = zct_record_of(image, "weapons/knife.json");
    rec->layout_hash ^= 1;
    zct_reseal(image, size);
    zct_write_file(damaged, image, size);
    v = ZCT_CLI("verify", damaged, "--schema", zcs);
    ZCT_EXPECT_CODE(v, ZC_EXIT_CORRUPT);
    char expected[160];
    zc_schema *schema = NULL;
    cr_assert_eq(zc_schema_load(zcs, &schema, NULL), ZC_OK);
    snprintf(expected, sizeof expected, "Weapon layout 0x%08x, schema %s has 0x%08x", schema->layout_hash ^ 1, zcs,
             schema->layout_hash);
    ZCT_EXPECT_ERR(v, expected);
    zct_run_free(&v);
    char *game_h = zct_tmp_path("game.h");
    gen_header(zcs, game_h);
    free(game_h);
    compile_pack_reader();
    char *out = read_entry(damaged, "weapons/knife.json", 1);
    cr_expect_str_eq(out, "open ZC_ERR_LAYOUT_MISMATCH\n", "a registered type is checked at FULL");
    free(out);
    zc_schema_free(schema);
    free(image);
    free(damaged);
    free(zcs);
    free(pack);
    free(root);
}

/* A pack set made from the tree by import and link: verify --schema reaches the
 * entries in every member, and a schema whose Weapon differs fails on the member that
 * holds the weapons. */
Test(schema, verify_with_the_schema_checks_the_members_of_a_pack_set) {
    char *root = schema_tree("settree"), *objdir = zct_tmp_path("set_objects"), *setdir = zct_tmp_path("set");
    char *list = zct_tmp_path("set_objects.list"), *index = zct_tmp_path("set/game.zcindex");
    const char *files[] = { "armor/plate.json", "m.obj", "textures/leaves.png", "weapons/knife.json",
                            "weapons/rifle.json" };
    zct_mkdirs(objdir);
    zct_mkdirs(setdir);
    FILE *listfile = fopen(list, "w");
    cr_assert_not_null(listfile);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; ++i) {
        char name[16];
        snprintf(name, sizeof name, "%zu.zco", i);
        char *file = zct_join(root, files[i]), *object = zct_join(objdir, name);
        zct_run r = ZCT_CLI("import", file, "--root", root, "-o", object);
        ZCT_EXPECT_CODE(r, ZC_EXIT_OK);
        zct_run_free(&r);
        fprintf(listfile, "%s\n", object);
        free(object);
        free(file);
    }
    fclose(listfile);
    char at[4200];
    snprintf(at, sizeof at, "@%s", list);
    zct_run r = ZCT_CLI("link", at, "-o", index, "--chunk", "weapons/*=weapons");
    ZCT_EXPECT_CODE(r, ZC_EXIT_OK);
    zct_run_free(&r);

    char *game_zcs = zct_join(root, "game.zcs"), *armor_zcs = zct_join(root, "armor.zcs");
    r = ZCT_CLI("verify", index, "--schema", game_zcs, "--schema", armor_zcs);
    ZCT_EXPECT_CODE(r, ZC_EXIT_OK);
    cr_expect(strstr(r.out, "in 2 packs of the set (3 checked against a schema)"), "%s", r.out);
    zct_run_free(&r);
    /* damage became a u32: another layout, found in the weapons member only */
    char *changed = zct_tmp_path("changed.zcs");
    char *text = strdup(tree_game_zcs), *at_damage = strstr(text, "damage: u16");
    cr_assert_not_null(at_damage);
    memcpy(at_damage, "damage: u32", 11);
    zct_write_file(changed, text, strlen(text));
    r = ZCT_CLI("verify", index, "--schema", changed);
    ZCT_EXPECT_CODE(r, ZC_EXIT_CORRUPT);
    ZCT_EXPECT_ERR(r, "game-weapons-0.zcpack: weapons/");
    ZCT_EXPECT_ERR(r, ".json: Weapon layout 0x");
    zct_run_free(&r);
    free(text);
    free(changed);
    free(armor_zcs);
    free(game_zcs);
    free(index);
    free(list);
    free(setdir);
    free(objdir);
    free(root);
}

/* ---------------------------------------------------------------------------------
 * Inline structs (SPEC.md 16.2: fixed layouts stored in place)
 * ------------------------------------------------------------------------------- */

/* Records of Weapon, 200 bytes: struct_size, name at 8, pos at 24 (12 bytes, aligned
 * to 4), pair at 40 (40 bytes, aligned to 8), keys at 80, tris at 96, by at 112, small
 * at 144 (6 bytes, aligned to 2), opt's presence byte at 152 and its Key at 160, none's
 * presence byte at 184 and its Vector3 at 188. */
static const char inline_zcs[] =
    "type_tag \"INLN\"; root Weapon;\n"
    "enum Kind : u8 { melee, ranged = 4 }\n"
    "inline Vector3 { x: f32; y: f32; z: f32; }\n"
    "inline Key { on: bool; at: f64; kind: Kind; }\n"
    "inline Pair { k: Key; v: Vector3; n: u16; }\n"
    "inline Small { a: u8; b: u16; c: u8; }\n"
    "inline Triangle { v0: Vector3; v1: Vector3; v2: Vector3; normal: Vector3; }\n"
    "struct Weapon { name: string; pos: Vector3; pair: Pair; keys: [Key]; tris: [Triangle];\n"
    "    by: map<string, Pair>; small: Small; opt: ?Key; none: ?Vector3; }\n";

static const char inline_json[] =
    "{ \"name\": \"bolt\", \"pos\": { \"x\": 1, \"y\": -2.5, \"z\": 3 },\n"
    "  \"pair\": { \"k\": { \"on\": true, \"at\": 0.125, \"kind\": \"ranged\" }, \"v\": { \"x\": 4, \"y\": 5, \"z\": 6 }, \"n\": 65535 },\n"
    "  \"keys\": [{ \"on\": false, \"at\": -1, \"kind\": \"melee\" }, { \"on\": true, \"at\": 2, \"kind\": \"ranged\" }],\n"
    "  \"tris\": [{ \"v0\": { \"x\": 0, \"y\": 0, \"z\": 0 }, \"v1\": { \"x\": 1, \"y\": 0, \"z\": 0 },\n"
    "              \"v2\": { \"x\": 0, \"y\": 1, \"z\": 0 }, \"normal\": { \"x\": 0, \"y\": 0, \"z\": 1 } },\n"
    "            { \"v0\": { \"x\": 2, \"y\": 2, \"z\": 2 }, \"v1\": { \"x\": 3, \"y\": 2, \"z\": 2 },\n"
    "              \"v2\": { \"x\": 2, \"y\": 3, \"z\": 2 }, \"normal\": { \"x\": 0, \"y\": 0, \"z\": -1 } }],\n"
    "  \"by\": { \"left\": { \"k\": { \"on\": false, \"at\": 9, \"kind\": \"melee\" }, \"v\": { \"x\": 7, \"y\": 8, \"z\": 9 }, \"n\": 3 } },\n"
    "  \"small\": { \"a\": 255, \"b\": 513, \"c\": 7 }, \"opt\": { \"on\": true, \"at\": 3, \"kind\": \"melee\" } }\n";

/* The dump of inline_json: every inline struct an object, in field order. */
static const char inline_dump[] =
    "{\"name\": \"bolt\", \"pos\": {\"x\": 1, \"y\": -2.5, \"z\": 3}, "
    "\"pair\": {\"k\": {\"on\": true, \"at\": 0.125, \"kind\": \"ranged\"}, \"v\": {\"x\": 4, \"y\": 5, \"z\": 6}, \"n\": 65535}, "
    "\"keys\": [{\"on\": false, \"at\": -1, \"kind\": \"melee\"}, {\"on\": true, \"at\": 2, \"kind\": \"ranged\"}], "
    "\"tris\": [{\"v0\": {\"x\": 0, \"y\": 0, \"z\": 0}, \"v1\": {\"x\": 1, \"y\": 0, \"z\": 0}, \"v2\": {\"x\": 0, \"y\": 1, \"z\": 0}, "
    "\"normal\": {\"x\": 0, \"y\": 0, \"z\": 1}}, {\"v0\": {\"x\": 2, \"y\": 2, \"z\": 2}, \"v1\": {\"x\": 3, \"y\": 2, \"z\": 2}, "
    "\"v2\": {\"x\": 2, \"y\": 3, \"z\": 2}, \"normal\": {\"x\": 0, \"y\": 0, \"z\": -1}}], "
    "\"by\": {\"left\": {\"k\": {\"on\": false, \"at\": 9, \"kind\": \"melee\"}, \"v\": {\"x\": 7, \"y\": 8, \"z\": 9}, \"n\": 3}}, "
    "\"small\": {\"a\": 255, \"b\": 513, \"c\": 7}, \"opt\": {\"on\": true, \"at\": 3, \"kind\": \"melee\"}, \"none\": null}\n";

/* Accessors return inline structs in place: const pointers, vectors as arrays. */
static const char inline_lookups[] =
    "const Weapon *w = Weapon_root(words); const Triangle *t = Weapon_tris_data(w); const Pair *p = Weapon_by_find(w, \"left\", 4);"
    "printf(\"pos %g pair %g %u tri %g keys %d %g small %u %u left %u\\n\", (double)Weapon_pos(w)->y,"
    " Weapon_pair(w)->k.at, (unsigned)Weapon_pair(w)->n, (double)t[1].normal.z, (int)Weapon_keys_count(w),"
    " Weapon_keys_at(w, 1)->at, (unsigned)Weapon_small(w)->b, (unsigned)Weapon_small(w)->c, p ? (unsigned)p->n : 0u);";

static const zc_schema_decl *decl_named(const zc_schema *s, const char *name) {
    for (uint32_t i = 0; i < s->decl_count; ++i)
        if (strcmp(s->decls[i].name, name) == 0) return &s->decls[i];
    cr_assert_fail("no declaration %s", name);
    return NULL;
}

static void expect_inline(const zc_schema *s, const char *name, uint32_t size, uint32_t align, const uint32_t *offsets) {
    const zc_schema_decl *d = decl_named(s, name);
    cr_expect_eq(d->kind, ZC_SCHEMA_DECL_INLINE, "%s", name);
    cr_expect_eq(d->size, size, "%s size %u", name, d->size);
    cr_expect_eq(d->align, align, "%s alignment %u", name, d->align);
    for (uint32_t i = 0; i < d->count; ++i)
        cr_expect_eq(d->fields[i].offset, offsets[i], "%s.%s at %u", name, d->fields[i].name, d->fields[i].offset);
}

Test(schema, inline_structs_lay_out_fields_in_place) {
    zc_schema *s;
    zc_diag diag;
    cr_assert_eq(zc_schema_parse("inline.zcs", inline_zcs, strlen(inline_zcs), &s, &diag), ZC_OK, "%s", diag.message);
    expect_inline(s, "Vector3", 12, 4, (const uint32_t[]){ 0, 4, 8 });
    expect_inline(s, "Key", 24, 8, (const uint32_t[]){ 0, 8, 16 });
    expect_inline(s, "Pair", 40, 8, (const uint32_t[]){ 0, 24, 36 });
    expect_inline(s, "Small", 6, 2, (const uint32_t[]){ 0, 2, 4 });
    expect_inline(s, "Triangle", 48, 4, (const uint32_t[]){ 0, 12, 24, 36 });
    const zc_schema_decl *w = decl_named(s, "Weapon");
    const uint32_t offsets[] = { 8, 24, 40, 80, 96, 112, 144, 160, 188 }, presence[] = { 152, 184 };
    for (uint32_t i = 0; i < w->count; ++i) cr_expect_eq(w->fields[i].offset, offsets[i], "Weapon.%s", w->fields[i].name);
    cr_expect_eq(w->fields[7].presence, presence[0]);
    cr_expect_eq(w->fields[8].presence, presence[1]);
    cr_expect_eq(w->size, 200);
    cr_expect(strstr(s->layout_desc, ",small@144:Small,opt@152:?Key,none@184:?Vector3};"), "%s", s->layout_desc);
    cr_expect(strstr(s->layout_desc, "inline Triangle{v0@0:Vector3,v1@12:Vector3,v2@24:Vector3,normal@36:Vector3};"
                                     "inline Vector3{x@0:f32,y@4:f32,z@8:f32};"), "%s", s->layout_desc);
    zc_schema_free(s);
    /* a vector of an inline struct holds the values back to back: 12 bytes a Vector3 */
    static const char pts_zcs[] = "type_tag \"PNTS\"; root Pts; inline Vector3 { x: f32; y: f32; z: f32; }\n"
                                  "struct Pts { pts: [Vector3]; }";
    size_t size;
    uint8_t *bytes = encode_in_process(pts_zcs, "{ \"pts\": [{ \"x\": 1, \"y\": 2, \"z\": 3 }, { \"x\": 4, \"y\": 5, \"z\": 6 },"
                                                " { \"x\": 7, \"y\": 8, \"z\": 9 }] }", &size);
    cr_expect_eq(size, 24 + 3 * 12 + 4, "a 24-byte record, 36 bytes of elements, padding to 8");
    int64_t offset;
    uint64_t count;
    memcpy(&offset, bytes + 8, 8);
    memcpy(&count, bytes + 16, 8);
    cr_expect_eq(offset, 16, "the elements follow the record");
    cr_expect_eq(count, 3);
    for (int i = 0; i < 9; ++i) {
        float v;
        memcpy(&v, bytes + 24 + 4 * i, 4);
        cr_expect_eq(v, (float)(i + 1), "element %d / %d", i / 3, i % 3);
    }
    free(bytes);
}

static void inline_round_trip(int cxx) {
    char *zcs = put("inline.zcs", inline_zcs), *json = put("bolt.json", inline_json);
    gen_header(zcs, "inline.h");
    encode(zcs, json, "bolt.bin");
    compile_reader("inline.h", inline_lookups, cxx, 0, "reader");
    const char *files[] = { "bolt.bin" };
    char *out = run_reader("reader", files, 1);
    char want[2048];
    snprintf(want, sizeof want, "%spos -2.5 pair 0.125 65535 tri -1 keys 2 2 small 513 7 left 3\n", inline_dump);
    cr_expect_str_eq(out, want);
    free(out);
    free(zcs);
    free(json);
}

Test(schema, inline_structs_c11_reader_validates_reads_and_dumps) { inline_round_trip(0); }
Test(schema, inline_structs_cxx17_reader_validates_reads_and_dumps) { inline_round_trip(1); }

/* Bad values inside inline structs, and arrays of them that leave the entry: refused
 * by the generated validator (under ASan and UBSan) and by zc_schema_check alike. */
Test(schema, inline_structs_hostile_bytes_are_refused) {
    zc_schema *s;
    zc_diag diag;
    size_t size;
    uint8_t *good = checker_setup("inline", inline_zcs, inline_json, "checker", &s, &size);
    int64_t keys_offset, tris_offset;
    memcpy(&keys_offset, good + 80, 8);
    memcpy(&tris_offset, good + 96, 8);
    size_t keys = 80 + (size_t)keys_offset, tris = 96 + (size_t)tris_offset;
    uint8_t *m = (uint8_t *)malloc(size);
    uint64_t big = (size - tris) / 48 + 1;
    struct { const char *name; size_t at; uint8_t byte; size_t at8; uint64_t word; zc_result want; } cases[] = {
        { "ok", 0, 0, 0, 0, ZC_OK },
        { "pair.k.on 2", 40, 2, 0, 0, ZC_ERR_BAD_ENTRY },
        { "pair.k.kind 3", 56, 3, 0, 0, ZC_ERR_BAD_ENTRY },
        { "keys[1].on 2", keys + 24, 2, 0, 0, ZC_ERR_BAD_ENTRY },
        { "keys[1].kind 5", keys + 24 + 16, 5, 0, 0, ZC_ERR_BAD_ENTRY },
        { "tris past the entry", 0, 0, 104, big, ZC_ERR_BAD_POINTER },
        { "tris misaligned", 0, 0, 96, (uint64_t)tris_offset + 4, ZC_ERR_BAD_ALIGNMENT },
        { "opt present 2", 152, 2, 0, 0, ZC_ERR_BAD_ENTRY },
        { "opt.on 2", 160, 2, 0, 0, ZC_ERR_BAD_ENTRY },
        { "none absent, not zero", 199, 1, 0, 0, ZC_ERR_BAD_ENTRY },
        { "opt absent, its Key not zero", 0, 0, 152, 0, ZC_ERR_BAD_ENTRY },
    };
    size_t n = sizeof cases / sizeof *cases;
    char names[16][32];
    const char *files[16];
    for (size_t i = 0; i < n; ++i) {
        memcpy(m, good, size);
        if (cases[i].at) m[cases[i].at] = cases[i].byte;
        if (cases[i].at8) memcpy(m + cases[i].at8, &cases[i].word, 8);
        cr_expect_eq(zc_schema_check(s, m, size, &diag), cases[i].want, "zc_schema_check, %s: %s", cases[i].name,
                     diag.message);
        snprintf(names[i], sizeof names[i], "inline%zu.bin", i);
        put_bytes(names[i], m, size);
        files[i] = names[i];
    }
    char *out = run_reader("checker", files, n), *line = out;
    for (size_t i = 0; i < n; ++i) {
        cr_assert(line && *line, "no result for %s:\n%s", cases[i].name, out);
        char want[32];
        snprintf(want, sizeof want, "invalid %d ", (int)cases[i].want);
        if (cases[i].want == ZC_OK) cr_expect(line[0] == '{', "%s: %.120s", cases[i].name, line);
        else cr_expect(strncmp(line, want, strlen(want)) == 0, "%s: expected %s, got %.120s", cases[i].name, want, line);
        line = strchr(line, '\n');
        if (line) line++;
    }
    free(out);
    free(m);
    free(good);
    zc_schema_free(s);
}

Test(schema, inline_struct_errors_name_line_and_column) {
    const char *h = "type_tag \"ABCD\"; root A; struct A { v: V; }\n";
    struct { const char *text, *message; } cases[] = {
        { "inline V { s: string; }", "game.zcs:2:15: inline struct 'V': field 's' must be a scalar, an enum or an inline struct" },
        { "inline V { s: [f32]; }", "game.zcs:2:15: inline struct 'V': field 's' must be a scalar, an enum or an inline struct" },
        { "inline V { s: map<u32, u8>; }", "game.zcs:2:15: inline struct 'V': field 's' must be a scalar, an enum or an inline struct" },
        { "inline V { s: S; } struct S { x: u8; }", "game.zcs:2:15: inline struct 'V': field 's' must be a scalar, an enum or an inline struct" },
        { "inline V { s: U; } union U { S } struct S { x: u8; }", "game.zcs:2:15: inline struct 'V': field 's' must be a scalar, an enum or an inline struct" },
        { "inline V { s: ref Blob; }", "game.zcs:2:15: inline struct 'V': field 's' must be a scalar, an enum or an inline struct" },
        { "inline V { s: ?u8; }", "game.zcs:2:12: inline struct 'V': field 's' cannot be optional" },
        { "inline V { s: u8 = 1; }", "game.zcs:2:20: inline struct 'V': field 's' cannot have a default" },
        { "inline V { x: u8; x: u16; }", "game.zcs:2:19: inline struct 'V': field 'x' is declared twice" },
        { "inline V { }", "game.zcs:2:8: inline struct 'V' has no fields" },
        { "inline V { v: V; }", "game.zcs:2:15: inline struct 'V' contains itself (through field 'V.v')" },
        { "inline V { w: W; }\ninline W { v: V; }", "game.zcs:3:15: inline struct 'V' contains itself (through field 'W.v')" },
    };
    char text[256];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; ++i) {
        snprintf(text, sizeof text, "%s%s", h, cases[i].text);
        expect_parse_error(text, cases[i].message);
    }
    expect_parse_error("type_tag \"ABCD\"; root V; inline V { x: u8; }", "game.zcs:1:23: the root must be a struct, not an inline struct");
    expect_parse_error("type_tag \"ABCD\"; root A; struct A { v: ?V = {}; } inline V { x: u8; }",
                       "game.zcs:1:45: default of 'v': an optional field's default is null");
    expect_parse_error("type_tag \"ABCD\"; root A; struct A { v: V = {}; } inline V { x: u8; }",
                       "game.zcs:1:44: default of 'v': an inline struct has no default; a field of one is always required");
    expect_parse_error("type_tag \"ABCD\"; root A; struct A { u: U; } union U { V } inline V { x: u8; }",
                       "game.zcs:1:55: union 'U': members are structs, not inline structs");
    expect_parse_error("type_tag \"ABCD\"; root A; struct A { v: ref V; } inline V { x: u8; }",
                       "game.zcs:1:40: 'V' is an inline struct; a ref names a struct or an entry type");
    expect_parse_error("type_tag \"ABCD\"; root A; struct A { v: ?ref V; } inline V { x: u8; }",
                       "game.zcs:1:41: 'V' is an inline struct; a ref names a struct or an entry type");
    expect_parse_error("type_tag \"ABCD\"; root A; struct A { v: V; } inline V { x: [u8; }",
                       "game.zcs:1:62: expected ']', got ';'");
}

/* A chain of `levels` inline structs, V1 holding V2 ... holding V<levels>, under a root
 * struct; malloc'd. */
static char *inline_chain(int levels) {
    size_t size = 64 + (size_t)levels * 48;
    char *text = (char *)malloc(size);
    size_t n = (size_t)snprintf(text, size, "type_tag \"DEEP\"; root A; struct A { v: V1; }\n");
    for (int i = 1; i < levels; ++i) n += (size_t)snprintf(text + n, size - n, "inline V%d { v: V%d; }\n", i, i + 1);
    snprintf(text + n, size - n, "inline V%d { x: u8; }\n", levels);
    return text;
}

Test(schema, inline_structs_nest_at_most_64_deep) {
    char *ok = inline_chain(64), *deep = inline_chain(65);
    zc_schema *s = NULL;
    zc_diag diag;
    cr_expect_eq(zc_schema_parse("deep.zcs", ok, strlen(ok), &s, &diag), ZC_OK, "%s", diag.message);
    zc_schema_free(s);
    s = NULL;
    cr_expect_eq(zc_schema_parse("deep.zcs", deep, strlen(deep), &s, &diag), ZC_ERR_BAD_SOURCE);
    cr_expect_str_eq(diag.message, "deep.zcs:65:17: inline structs nested more than 64 deep (field 'V64.v')");
    zc_schema_free(s);
    free(ok);
    free(deep);
}

/* How struct_chain's S<i> holds S<i+1>. */
enum { CHAIN_PLAIN, CHAIN_MIXED, CHAIN_CYCLE };

/* A schema of `count` structs S0 ... S<count-1>, root S0, each holding the next:
 * CHAIN_PLAIN as a struct field, the last holding a u8; CHAIN_MIXED through a vector,
 * a map, a union and an optional field in turn (2, 2, 1 and 1 levels); CHAIN_CYCLE
 * as an optional field, the last holding S0 (one cycle through all). malloc'd. */
static char *struct_chain(int count, int shape) {
    size_t size = 64 + (size_t)count * 64, n = 0;
    char *text = (char *)malloc(size);
    n += (size_t)snprintf(text + n, size - n, "type_tag \"DEEP\"; root S0;\n");
    for (int i = 0; i + 1 < count; ++i) {
        int k = i + 1, step = shape == CHAIN_MIXED ? i % 4 : shape == CHAIN_CYCLE ? 3 : 4;
        n += (size_t)(step == 0   ? snprintf(text + n, size - n, "struct S%d { n: [S%d]; }\n", i, k)
                      : step == 1 ? snprintf(text + n, size - n, "struct S%d { n: map<string, S%d>; }\n", i, k)
                      : step == 2 ? snprintf(text + n, size - n, "struct S%d { n: U%d; } union U%d { S%d }\n", i, k, k, k)
                      : step == 3 ? snprintf(text + n, size - n, "struct S%d { n: ?S%d; }\n", i, k)
                                  : snprintf(text + n, size - n, "struct S%d { n: S%d; }\n", i, k));
    }
    snprintf(text + n, size - n, shape == CHAIN_CYCLE ? "struct S%d { n: S0; }\n" : "struct S%d { x: u8; }\n", count - 1);
    return text;
}

/* Parses `text` (and frees it); the result, the message in *diag. */
static zc_result parse_text(const char *file, char *text, zc_diag *diag) {
    zc_schema *s = NULL;
    diag->message[0] = 0;
    zc_result r = zc_schema_parse(file, text, strlen(text), &s, diag);
    zc_schema_free(s);
    free(text);
    return r;
}

Test(schema, types_nest_at_most_64_deep_through_every_kind_of_type) {
    zc_diag diag;
    cr_expect_eq(parse_text("deep.zcs", struct_chain(65, CHAIN_PLAIN), &diag), ZC_OK, "%s", diag.message);
    cr_expect_eq(parse_text("deep.zcs", struct_chain(66, CHAIN_PLAIN), &diag), ZC_ERR_BAD_SOURCE);
    cr_expect_str_eq(diag.message, "deep.zcs:2:16: types nested more than 64 deep (field 'S0.n')");
    /* Far deeper than a native stack would take, were the passes to recurse. */
    cr_expect_eq(parse_text("deep.zcs", struct_chain(100000, CHAIN_PLAIN), &diag), ZC_ERR_BAD_SOURCE);
    cr_expect_str_eq(diag.message, "deep.zcs:99936:20: types nested more than 64 deep (field 'S99934.n')");
    /* 6 levels every 4 steps: S0 .. S42 nest 64 deep, S0 .. S43 65. */
    cr_expect_eq(parse_text("mixed.zcs", struct_chain(43, CHAIN_MIXED), &diag), ZC_OK, "%s", diag.message);
    cr_expect_eq(parse_text("mixed.zcs", struct_chain(44, CHAIN_MIXED), &diag), ZC_ERR_BAD_SOURCE);
    cr_expect_str_eq(diag.message, "mixed.zcs:2:16: types nested more than 64 deep (field 'S0.n')");
    cr_expect_eq(parse_text("mixed.zcs", struct_chain(100000, CHAIN_MIXED), &diag), ZC_ERR_BAD_SOURCE);
    cr_expect(strstr(diag.message, ": types nested more than 64 deep (field 'S") != NULL, "%s", diag.message);
    /* Each vector is a level, and so is the struct record: 63 + 1, then 2 + 63 + 1. */
    char text[512] = "type_tag \"DEEP\"; root A; struct A { v: ";
    for (int i = 0; i < 63; ++i) strcat(text, "[");
    strcat(text, "B");
    for (int i = 0; i < 63; ++i) strcat(text, "]");
    strcat(text, "; } struct B { x: u8; }");
    cr_expect_eq(parse_text("vec.zcs", strdup(text), &diag), ZC_OK, "%s", diag.message);
    strcat(text, " struct C { b: [[A]]; }");
    cr_expect_eq(parse_text("vec.zcs", strdup(text), &diag), ZC_ERR_BAD_SOURCE);
    cr_expect_str_eq(diag.message, "vec.zcs:1:205: types nested more than 64 deep (field 'C.b')");
    cr_expect_eq(parse_text("deep.zcs", inline_chain(100000), &diag), ZC_ERR_BAD_SOURCE);
    cr_expect_str_eq(diag.message, "deep.zcs:65:17: inline structs nested more than 64 deep (field 'V64.v')");
}

Test(schema, recursive_data_is_allowed_through_cycles_of_any_length) {
    zc_diag diag;
    const char *tree = "type_tag \"TREE\"; root Node;\n"
                       "struct Node { kids: [Node]; byname: map<string, Node>; next: ?Node; any: U; }\n"
                       "union U { Node, Leaf } struct Leaf { x: u8; }\n";
    cr_expect_eq(parse_text("tree.zcs", strdup(tree), &diag), ZC_OK, "%s", diag.message);
    cr_expect_eq(parse_text("cycle.zcs", struct_chain(100000, CHAIN_CYCLE), &diag), ZC_OK, "%s", diag.message);
}

Test(schema, inline_json_errors_name_the_value_path) {
    zc_schema *s;
    zc_diag diag;
    cr_assert_eq(zc_schema_parse("inline.zcs", inline_zcs, strlen(inline_zcs), &s, &diag), ZC_OK, "%s", diag.message);
    struct { const char *from, *to, *message; } cases[] = {
        { "\"y\": -2.5, ", "", "bolt.json: .pos.y: missing required field" },
        { "\"z\": 3 }", "\"z\": 3, \"w\": 4 }", "bolt.json: .pos.w: no such field in Vector3" },
        { "\"kind\": \"ranged\" }, \"v\"", "\"kind\": \"far\" }, \"v\"", "bolt.json: .pair.k.kind: \"far\" is not a value of enum Kind" },
        { "{ \"on\": true, \"at\": 2", "{ \"on\": 1, \"at\": 2", "bolt.json: .keys[1].on: expected bool, got number" },
        { "\"a\": 255", "\"a\": 256", "bolt.json: .small.a: 256 is out of the range of u8" },
        { "\"pos\": { \"x\": 1, \"y\": -2.5, \"z\": 3 }", "\"pos\": null", "bolt.json: .pos: expected Vector3, got null" },
        { "\"pos\": { \"x\": 1, \"y\": -2.5, \"z\": 3 }", "\"pos\": [1, 2, 3]", "bolt.json: .pos: expected Vector3 (an object), got array" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; ++i) {
        const char *at = strstr(inline_json, cases[i].from);
        cr_assert(at, "case %zu", i);
        char json[4096];
        snprintf(json, sizeof json, "%.*s%s%s", (int)(at - inline_json), inline_json, cases[i].to, at + strlen(cases[i].from));
        uint8_t *bytes = NULL;
        size_t size;
        diag.message[0] = 0;
        cr_expect_eq(zc_schema_encode(s, "bolt.json", json, strlen(json), &bytes, &size, &diag), ZC_ERR_BAD_SOURCE,
                     "accepted case %zu", i);
        cr_expect_str_eq(diag.message, cases[i].message);
        free(bytes);
    }
    zc_schema_free(s);
}

Test(schema, changing_an_inline_struct_changes_the_layout_hash_of_its_users) {
    /* V reached through a field of a nested struct, and through a vector */
    const char *base = "type_tag \"INLH\"; root W; struct S { v: V; } struct W { s: S; vs: [V]; }\n";
    const char *versions[] = {
        "inline V { x: f32; y: f32; }",
        "inline V { x: f32; y: f64; }",  /* retyped */
        "inline V { y: f32; x: f32; }",  /* reordered */
        "inline V { x: f32; z: f32; }",  /* renamed */
        "inline V { x: f32; y: f32; z: f32; }", /* a field added */
        "inline V { x: f32; }",          /* a field removed */
        "inline V { x: f32; y: E; } enum E : u32 { a }", /* an enum of the same size */
    };
    uint32_t hashes[sizeof versions / sizeof *versions];
    char text[512];
    for (size_t i = 0; i < sizeof versions / sizeof *versions; ++i) {
        snprintf(text, sizeof text, "%s%s", base, versions[i]);
        hashes[i] = hash_of(text);
        for (size_t k = 0; k < i; ++k) cr_expect_neq(hashes[i], hashes[k], "versions %zu and %zu share a hash", k, i);
    }
    snprintf(text, sizeof text, "%s%s", base, versions[0]);
    cr_expect_eq(hash_of(text), hashes[0], "the hash is a function of the schema");
    /* only through a vector appended with its default: the appended-field rule, so the
     * layout hash does not see it (SPEC.md 16.6) */
    cr_expect_eq(hash_of("type_tag \"INLH\"; root W; struct W { n: u32; vs: [V] = []; } inline V { x: f32; }"),
                 hash_of("type_tag \"INLH\"; root W; struct W { n: u32; vs: [V] = []; } inline V { x: f64; }"));
    /* an optional inline field appended with `= null` is a compatible change */
    cr_expect_eq(hash_of("type_tag \"INLH\"; root W; struct W { n: u32; } inline V { x: f32; }"),
                 hash_of("type_tag \"INLH\"; root W; struct W { n: u32; v: ?V = null; } inline V { x: f32; }"));
}
