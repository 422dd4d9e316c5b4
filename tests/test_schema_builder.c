/* test_schema_builder.c - the schema builder (packer/schema/zc_schema_builder.h) and
 * the typed builder of generated headers: a program compiled at test time builds an
 * entry with every kind of field, reads it back with the generated accessors from the
 * builder's memory and from a pack it writes, and the bytes equal the JSON encoder's
 * for the same document; bad strings, counts over the limits, a missing root, a
 * duplicate key and a size cap are clear errors; every allocation failing in turn
 * is an error, never a crash or a leak.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_exit.h"
#include "zc_pack.h"
#include "zc_schema.h"
#include "zc_schema_builder.h"
#include "zc_test_alloc_wrap.h"
#include "zc_test_util.h"

TestSuite(schema_builder, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 240);

static const char item_zcs[] =
    "type_tag \"ITEM\";\nroot Item;\n"
    "enum Slot : u8 { head, hand = 3, feet }\n"
    "struct Stat { power: f32 = 1.5; level: u16; bonus: ?i32; }\n"
    "struct Sfx { clip: ref Blob; gain: f32 = 0.5; }\n"
    "struct Glow { rgb: [f32]; }\n"
    "union Fx { Sfx, Glow }\n"
    "struct Item {\n"
    "    name: string; slot: Slot; heavy: bool; weight: f64; count: u32 = 1; id: i64;\n"
    "    stat: Stat; extra: ?Stat; charges: ?u16; icon: ref Texture; twin: ?ref Item;\n"
    "    tags: [string]; levels: [u32]; parts: [Stat]; slots: [Slot];\n"
    "    by_name: map<string, Stat>; by_id: map<u32, string>; wide: map<u64, [i16]>;\n"
    "    fx: Fx; fxs: [Fx]; nick: ?string; lore: ?string; rune: ?string;\n"
    "    note: string = \"plain \\\"text\\\"\";\n"
    "}\n";

/* The document the program builds, as JSON: `extra`, `twin`, `nick`, `count`, `note`,
 * some bonuses and gains are left out (absent optionals and defaults); `lore` is a
 * present empty string. */
static const char item_json[] =
    "{ \"name\": \"Lantern \\u00e9\", \"slot\": \"hand\", \"heavy\": true, \"weight\": 2.25, \"id\": -5000000000,\n"
    "  \"stat\": { \"level\": 3, \"bonus\": -7 }, \"charges\": 9, \"icon\": \"textures/lantern.png\",\n"
    "  \"tags\": [\"lit\", \"\", \"brass\"], \"levels\": [1, 20, 300],\n"
    "  \"parts\": [{ \"power\": 2, \"level\": 1 }, { \"level\": 2 }], \"slots\": [\"head\", \"feet\"],\n"
    "  \"by_name\": { \"wick\": { \"level\": 4 }, \"glass\": { \"level\": 5, \"bonus\": 1 }, \"\": { \"level\": 6 } },\n"
    "  \"by_id\": { \"7\": \"seven\", \"4294967295\": \"max\", \"0\": \"zero\" },\n"
    "  \"wide\": { \"18446744073709551615\": [-1, 2], \"3\": [] },\n"
    "  \"fx\": { \"type\": \"Sfx\", \"value\": { \"clip\": \"audio/hum.ogg\" } },\n"
    "  \"fxs\": [{ \"type\": \"Glow\", \"value\": { \"rgb\": [1, 0.5, 0] } }, null],\n"
    "  \"lore\": \"\", \"rune\": \"\\u16a0\" }\n";

/* The program: builds the document above with the typed builder (twice, through a
 * reset, and again after each error case), writes the bytes to built.bin, reads them
 * from memory, writes them into built.zcpack with the packer's writer and reads them
 * back through zc_pack_open and zc_entry_typed. */
static const char builder_src[] =
    "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
    "#include \"zc_pack.h\"\n#include \"zc_writer.h\"\n#include \"zc_schema_builder.h\"\n#include \"item.h\"\n"
    "\n"
    "static void build(zc_builder *b) {\n"
    "    zc_builder_pos w = Item_start(b), s;\n"
    "    Item_set_name(b, w, \"Lantern \\xc3\\xa9\", 10);\n"
    "    Item_set_slot(b, w, Slot_hand);\n"
    "    Item_set_heavy(b, w, 1);\n"
    "    Item_set_weight(b, w, 2.25);\n"
    "    Item_set_id(b, w, -5000000000);\n"
    "    s = Item_start_stat(b, w);\n"
    "    Stat_set_level(b, s, 3);\n"
    "    Stat_set_bonus(b, s, -7);\n"
    "    Item_set_charges(b, w, 9);\n"
    "    Item_set_icon_path(b, w, \"textures/lantern.png\", 20);\n"
    "    static const char *tags[] = { \"lit\", \"\", \"brass\" };\n"
    "    zc_builder_pos t = Item_start_tags(b, w, 3);\n"
    "    for (int i = 0; i < 3; ++i) zc_builder_string(b, Item_tags_slot(t, i), tags[i], strlen(tags[i]));\n"
    "    static const uint32_t levels[] = { 1, 20, 300 };\n"
    "    Item_set_levels(b, w, levels, 3);\n"
    "    zc_builder_pos p = Item_start_parts(b, w, 2);\n"
    "    s = Stat_start_in(b, Item_parts_slot(p, 0));\n"
    "    Stat_set_power(b, s, 2);\n"
    "    Stat_set_level(b, s, 1);\n"
    "    s = Stat_start_in(b, Item_parts_slot(p, 1));\n"
    "    Stat_set_level(b, s, 2);\n"
    "    static const Slot slots[] = { Slot_head, Slot_feet };\n"
    "    Item_set_slots(b, w, slots, 2);\n"
    "    static const zc_builder_key names[] = { { \"wick\", 4, 0 }, { \"glass\", 5, 0 }, { \"\", 0, 0 } };\n"
    "    uint32_t order[3];\n"
    "    zc_builder_pos m = Item_start_by_name(b, w, names, 3, order);\n"
    "    for (int k = 0; k < 3; ++k) {\n"
    "        s = Stat_start_in(b, Item_by_name_entry(b, m, k, &names[order[k]]));\n"
    "        Stat_set_level(b, s, (uint16_t)(4 + order[k]));\n"
    "        if (order[k] == 1) Stat_set_bonus(b, s, 1);\n"
    "    }\n"
    "    static const zc_builder_key ids[] = { { NULL, 0, 7 }, { NULL, 0, 4294967295u }, { NULL, 0, 0 } };\n"
    "    static const char *words[] = { \"seven\", \"max\", \"zero\" };\n"
    "    m = Item_start_by_id(b, w, ids, 3, order);\n"
    "    for (int k = 0; k < 3; ++k)\n"
    "        zc_builder_string(b, Item_by_id_entry(b, m, k, &ids[order[k]]), words[order[k]], strlen(words[order[k]]));\n"
    "    static const zc_builder_key wide[] = { { NULL, 0, UINT64_MAX }, { NULL, 0, 3 } };\n"
    "    m = Item_start_wide(b, w, wide, 2, order);\n"
    "    for (int k = 0; k < 2; ++k) {\n"
    "        zc_builder_pos v = Item_wide_entry(b, m, k, &wide[order[k]]);\n"
    "        if (order[k] != 0) continue;\n"
    "        zc_builder_pos e = zc_builder_vector(b, v, 2, 2);\n"
    "        zc_builder_put_u16(b, e, (uint16_t)-1);\n"
    "        zc_builder_put_u16(b, e + 2, 2);\n"
    "    }\n"
    "    s = Item_start_fx_as_Sfx(b, w);\n"
    "    Sfx_set_clip_path(b, s, \"audio/hum.ogg\", 13);\n"
    "    zc_builder_pos f = Item_start_fxs(b, w, 2);\n"
    "    static const float rgb[] = { 1, 0.5f, 0 };\n"
    "    Glow_set_rgb(b, Fx_start_Glow(b, Item_fxs_slot(f, 0)), rgb, 3);\n"
    "    Item_set_lore(b, w, \"\", 0);\n"
    "    Item_set_rune(b, w, \"\\xe1\\x9a\\xa0\", 3);\n"
    "    Item_set_note_default(b, w);\n"
    "}\n"
    "\n"
    "static void show(const char *where, const void *data, uint64_t size) {\n"
    "    zc_diag diag;\n"
    "    zc_result r = Item_validate(data, size, &diag);\n"
    "    if (r != ZC_OK) { printf(\"%s invalid %s\\n\", where, diag.message); return; }\n"
    "    const Item *it = Item_root(data);\n"
    "    uint64_t n;\n"
    "    const char *name = Item_name(it, &n);\n"
    "    uint16_t charges = 0;\n"
    "    int32_t bonus = 0;\n"
    "    int has_charges = Item_charges(it, &charges), has_bonus = Stat_bonus(Item_stat(it), &bonus);\n"
    "    const Stat *glass = Item_by_name_find(it, \"glass\", 5);\n"
    "    const zc_string *max = Item_by_id_find(it, 4294967295u);\n"
    "    const zc_array *wide = Item_wide_find(it, UINT64_MAX);\n"
    "    printf(\"%s: %s/%d slot %s heavy %d count %u charges %d:%d stat %d bonus %d:%d extra %d twin %d\"\n"
    "           \" tags %d levels %u parts %g glass %d max %s wide %d sfx %d gain %g note %s\\n\", where, name, (int)n,\n"
    "           Slot_name(Item_slot(it)), Item_heavy(it), Item_count(it), has_charges, charges,\n"
    "           Stat_level(Item_stat(it)), has_bonus, bonus, Item_extra(it) != NULL,\n"
    "           (int)Item_twin(it), (int)Item_tags_count(it), Item_levels_at(it, 2),\n"
    "           (double)Stat_power(Item_parts_at(it, 1)), glass ? Stat_level(glass) : -1, max ? zc_string_data(max) : \"-\",\n"
    "           wide ? (int)wide->count : -1, Item_fx_as_Sfx(it) != NULL, (double)Sfx_gain(Item_fx_as_Sfx(it)),\n"
    "           Item_note(it, NULL));\n"
    "    uint64_t lore_length = 9, nick_length = 9;\n"
    "    const char *nick = Item_nick(it, &nick_length), *lore = Item_lore(it, &lore_length);\n"
    "    printf(\"%s optional strings: nick %s:%d lore %s:%d rune %s\\n\", where, nick ? \"present\" : \"absent\",\n"
    "           (int)nick_length, lore ? \"present\" : \"absent\", (int)lore_length, Item_rune(it, NULL));\n"
    "    printf(\"%s json: \", where);\n"
    "    Item_dump_json(it, stdout);\n"
    "}\n"
    "\n"
    "static void expect_error(zc_builder *b, const char *what) {\n"
    "    const void *data;\n"
    "    uint64_t size;\n"
    "    zc_diag diag;\n"
    "    zc_result r = zc_builder_finish(b, &data, &size, &diag);\n"
    "    printf(\"%s: %s (%s) data %d\\n\", what, zc_result_name(r), diag.message, data != NULL);\n"
    "    zc_builder_reset(b);\n"
    "}\n"
    "\n"
    "int main(void) {\n"
    "    zc_builder *b;\n"
    "    if (zc_builder_create(&b, &(zc_builder_desc){ .initial_capacity = 64 }) != ZC_OK) return 2;\n"
    "    const void *data;\n"
    "    uint64_t size;\n"
    "    zc_diag diag;\n"
    "    build(b);\n"
    "    if (zc_builder_finish(b, &data, &size, &diag) != ZC_OK) { printf(\"finish %s\\n\", diag.message); return 3; }\n"
    "    FILE *out = fopen(\"built.bin\", \"wb\");\n"
    "    if (!out || fwrite(data, 1, size, out) != size || fclose(out)) return 4;\n"
    "    show(\"memory\", data, size);\n"
    "    uint8_t *first = (uint8_t *)malloc(size);\n"
    "    memcpy(first, data, size);\n"
    "    uint64_t first_size = size;\n"
    "\n"
    "    zc_writer *wr;\n"
    "    zc_result r = zc_writer_open(&wr, &(zc_writer_desc){ .path = \"built.zcpack\" });\n"
    "    if (r == ZC_OK) r = zc_writer_begin_entry(wr, \"items/lantern.item\", ITEM_TYPE_TAG, ITEM_LAYOUT_HASH, 0);\n"
    "    if (r == ZC_OK) r = zc_writer_write(wr, data, size);\n"
    "    if (r == ZC_OK) r = zc_writer_end_entry(wr);\n"
    "    if (r == ZC_OK) r = zc_writer_finish(wr);\n"
    "    if (r != ZC_OK) { printf(\"writer %s\\n\", zc_result_name(r)); return 5; }\n"
    "    zc_type_row rows[] = { ITEM_TYPE_ROW };\n"
    "    zc_pack *pack;\n"
    "    r = zc_pack_open(&pack, &(zc_pack_desc){ .path = \"built.zcpack\", .validate = ZC_VALIDATE_FULL,\n"
    "                                            .types = rows, .type_count = 1 });\n"
    "    zc_entry e;\n"
    "    const void *entry = NULL;\n"
    "    uint64_t entry_size = 0;\n"
    "    if (r == ZC_OK) r = zc_pack_find(pack, \"items/lantern.item\", &e);\n"
    "    if (r == ZC_OK) r = zc_entry_typed(&e, ITEM_TYPE_TAG, &entry, &entry_size);\n"
    "    if (r != ZC_OK) { printf(\"pack %s\\n\", zc_result_name(r)); return 6; }\n"
    "    show(\"pack\", entry, entry_size);\n"
    "    zc_pack_close(pack);\n"
    "\n"
    "    zc_builder_reset(b);\n"
    "    build(b);\n"
    "    r = zc_builder_finish(b, &data, &size, NULL);\n"
    "    printf(\"reuse %s same %d\\n\", zc_result_name(r), size == first_size && memcmp(data, first, size) == 0);\n"
    "\n"
    "    zc_builder_reset(b);\n"
    "    zc_builder_pos w = Item_start(b);\n"
    "    r = Item_set_name(b, w, \"bad \\xc3\", 5);\n"
    "    Item_start_tags(b, w, 2);\n"
    "    Item_set_note_default(b, w);\n"
    "    printf(\"utf8 returned %s\\n\", zc_result_name(r));\n"
    "    expect_error(b, \"utf8\");\n"
    "    w = Item_start(b);\n"
    "    Item_start_tags(b, w, ZC_BUILDER_MAX_COUNT + 1);\n"
    "    expect_error(b, \"count\");\n"
    "    w = Item_start(b);\n"
    "    static const zc_builder_key many = { NULL, 0, 1 };\n"
    "    uint32_t order[1];\n"
    "    Item_start_by_id(b, w, &many, (uint64_t)ZC_BUILDER_MAX_COUNT + 1, order);\n"
    "    expect_error(b, \"entries\");\n"
    "    expect_error(b, \"no root\");\n"
    "    zc_builder_alloc(b, 8, 8);\n"
    "    Item_start(b);\n"
    "    expect_error(b, \"root not first\");\n"
    "    w = Item_start(b);\n"
    "    static const zc_builder_key twice[] = { { \"a\", 1, 0 }, { \"b\", 1, 0 }, { \"a\", 1, 0 } };\n"
    "    uint32_t order3[3];\n"
    "    Item_start_by_name(b, w, twice, 3, order3);\n"
    "    expect_error(b, \"duplicate\");\n"
    "    w = Item_start(b);\n"
    "    static const zc_builder_key wide_key = { NULL, 0, 4294967296u };\n"
    "    Item_start_by_id(b, w, &wide_key, 1, order);\n"
    "    expect_error(b, \"u32 key\");\n"
    "    w = Item_start(b);\n"
    "    Item_set_icon_path(b, w, \"../up.png\", 9);\n"
    "    expect_error(b, \"path\");\n"
    "    zc_builder *small;\n"
    "    if (zc_builder_create(&small, &(zc_builder_desc){ .max_size = 512 }) != ZC_OK) return 7;\n"
    "    static char long_name[600];\n"
    "    memset(long_name, 'x', sizeof long_name);\n"
    "    w = Item_start(small);\n"
    "    Item_set_name(small, w, long_name, sizeof long_name);\n"
    "    expect_error(small, \"max size\");\n"
    "    zc_builder_destroy(small);\n"
    "\n"
    "    build(b);\n"
    "    r = zc_builder_finish(b, &data, &size, NULL);\n"
    "    printf(\"recovered %s same %d\\n\", zc_result_name(r), size == first_size && memcmp(data, first, size) == 0);\n"
    "    uint8_t *mine;\n"
    "    r = zc_builder_release(b, &mine, &size, NULL);\n"
    "    printf(\"released %s same %d\\n\", zc_result_name(r), size == first_size && memcmp(mine, first, size) == 0);\n"
    "    free(mine);\n"
    "    expect_error(b, \"after release\");\n"
    "    build(b);\n"
    "    r = zc_builder_finish(b, &data, &size, NULL);\n"
    "    printf(\"regrown %s same %d\\n\", zc_result_name(r), size == first_size && memcmp(data, first, size) == 0);\n"
    "    free(first);\n"
    "    zc_builder_destroy(b);\n"
    "    return 0;\n"
    "}\n";

/* ---------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------- */

static char *run_tool(const char *const argv[], int *rc) {
    char *out = zct_tmp_path("tool.out"), *err = zct_tmp_path("tool.err");
    *rc = zct_run_program(zct_tmp, out, err, argv);
    size_t n;
    char *text = (char *)zct_read_file(out, &n), *etext = (char *)zct_read_file(err, &n);
    if (*rc != 0) cr_log_error("%s exited %d:\n%s%s", argv[0], *rc, text ? text : "", etext ? etext : "");
    free(etext);
    free(out);
    free(err);
    return text;
}

/* `header` from the schema `zcs` (written as `zcs_name`), and the program `src`
 * compiled against it, the builder and the writer (this build's libraries:
 * instrumented in the sanitize build) into zct_tmp/builder; and `cxx_probe`, which
 * includes the builder's header and `header`, compiled as C++17. */
static void compile_program(const char *zcs_name, const char *zcs, const char *header, const char *src,
                            const char *cxx_probe) {
    zct_put_text(zct_tmp, zcs_name, zcs);
    zct_run g = ZCT_CLI_IN(zct_tmp, "schema", zcs_name, "-o", header);
    ZCT_EXPECT_CODE(g, ZC_EXIT_OK);
    zct_run_free(&g);
    zct_put_text(zct_tmp, "builder.c", src);
    char *packer = zct_join(zct_self_dir(), "libzcpacker.a"), *runtime = zct_join(zct_self_dir(), "libzcpack.a");
    char *formats = strdup(zct_source_path("formats")), *include = strdup(zct_source_path("runtime/include"));
    char *schema = strdup(zct_source_path("packer/schema")), *build = strdup(zct_source_path("packer/build"));
#ifdef __SANITIZE_ADDRESS__
    int sanitize = 1;
#else
    int sanitize = 0;
#endif
    const char *argv[] = { "cc", "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-Wall", "-Wextra", "-Werror", "-O1",
                           "-I", formats, "-I", include, "-I", schema, "-I", build, "-I", zct_tmp, "builder.c",
                           "-o", "builder", "-Wl,--as-needed", packer, runtime, "-lcjson", "-lzstd", "-luv", "-lsodium",
                           "-lassimp", "-lmeshoptimizer", "-lxxhash", "-lcurl", "-lastcenc", "-lOpenEXR-3_1", "-lIex-3_1",
                           "-lImath-3_1", "-lIlmThread-3_1", "-lOpenEXRCore-3_1", "-lwebp", "-lstdc++", "-lm", "-lpthread",
                           sanitize ? "-fsanitize=address,undefined" : NULL, NULL };
    int rc;
    char *out = run_tool(argv, &rc);
    cr_assert_eq(rc, 0, "the builder program does not compile");
    free(out);
    /* the typed builder of the header compiles as C++17 too */
    zct_put_text(zct_tmp, "typed.cpp", cxx_probe);
    const char *cxx[] = { "c++", "-std=c++17", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", "-I", formats, "-I", schema,
                          "-I", zct_tmp, "typed.cpp", NULL };
    out = run_tool(cxx, &rc);
    cr_assert_eq(rc, 0, "the typed builder does not compile as C++17");
    free(out);
    free(packer);
    free(runtime);
    free(formats);
    free(include);
    free(schema);
    free(build);
}

static void compile_builder_program(void) {
    compile_program("item.zcs", item_zcs, "item.h", builder_src,
                    "#include \"zc_schema_builder.h\"\n#include \"item.h\"\n"
                    "zc_builder_pos first(zc_builder *b) { return Item_start(b); }\n");
}

/* The line of `out` that starts with `prefix` (malloc'd, without its newline). */
static char *line_of(const char *out, const char *prefix) {
    size_t n = strlen(prefix);
    for (const char *l = out; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
        if (strncmp(l, prefix, n) == 0) {
            const char *end = strchr(l, '\n');
            return strndup(l, end ? (size_t)(end - l) : strlen(l));
        }
    cr_assert_fail("no line starting with \"%s\" in:\n%s", prefix, out);
    return NULL;
}

static void expect_line(const char *out, const char *prefix, const char *expected) {
    char *line = line_of(out, prefix);
    cr_expect_str_eq(line, expected);
    free(line);
}

/* built.bin, which the program wrote, holds the bytes zc_schema_encode makes of
 * `json`, and zc_schema_check accepts them. */
static void expect_encoders_bytes(const char *zcs, const char *json) {
    zc_schema *s;
    zc_diag diag;
    cr_assert_eq(zc_schema_parse("t.zcs", zcs, strlen(zcs), &s, &diag), ZC_OK, "%s", diag.message);
    uint8_t *encoded;
    size_t encoded_size, built_size;
    cr_assert_eq(zc_schema_encode(s, "t.json", json, strlen(json), &encoded, &encoded_size, &diag), ZC_OK, "%s",
                 diag.message);
    char *built_path = zct_tmp_path("built.bin");
    uint8_t *built = zct_read_file(built_path, &built_size);
    cr_assert(built);
    cr_expect_eq(built_size, encoded_size);
    size_t first = 0;
    while (first < built_size && first < encoded_size && built[first] == encoded[first]) first++;
    cr_expect_eq(first, encoded_size, "the builder's bytes differ from the encoder's at byte %zu", first);
    cr_expect_eq(zc_schema_check(s, built, built_size, &diag), ZC_OK, "%s", diag.message);
    free(built);
    free(built_path);
    free(encoded);
    zc_schema_free(s);
}

/* ---------------------------------------------------------------------------------
 * The typed builder
 * ------------------------------------------------------------------------------- */

Test(schema_builder, typed_builder_writes_the_encoders_bytes_read_from_memory_and_from_a_pack) {
    compile_builder_program();
    const char *argv[] = { "./builder", NULL };
    int rc;
    char *out = run_tool(argv, &rc);
    cr_assert_eq(rc, 0, "builder exited %d:\n%s", rc, out ? out : "");

    expect_encoders_bytes(item_zcs, item_json);

    /* read back by the generated accessors, from memory and from the pack */
    const char *values = ": Lantern \xc3\xa9/10 slot hand heavy 1 count 1 charges 1:9 stat 3 bonus 1:-7 extra 0 twin 0"
                         " tags 3 levels 300 parts 1.5 glass 5 max max wide 2 sfx 1 gain 0.5 note plain \"text\"";
    char want[512];
    snprintf(want, sizeof want, "memory%s", values);
    expect_line(out, "memory: ", want);
    snprintf(want, sizeof want, "pack%s", values);
    expect_line(out, "pack: ", want);
    expect_line(out, "memory optional", "memory optional strings: nick absent:0 lore present:0 rune \xe1\x9a\xa0");
    expect_line(out, "pack optional", "pack optional strings: nick absent:0 lore present:0 rune \xe1\x9a\xa0");
    char *memory_json = line_of(out, "memory json: "), *pack_json = line_of(out, "pack json: ");
    cr_expect_str_eq(memory_json + strlen("memory json: "), pack_json + strlen("pack json: "));
    const char *parts[] = { "\"by_id\": {\"0\": \"zero\", \"7\": \"seven\", \"4294967295\": \"max\"}",
                            "\"wide\": {\"18446744073709551615\": [-1, 2], \"3\": []}",
                            "\"fxs\": [{\"type\": \"Glow\", \"value\": {\"rgb\": [1, 0.5, 0]}}, null]",
                            "\"extra\": null, \"charges\": 9", "\"twin\": null", "\"id\": -5000000000",
                            "\"nick\": null, \"lore\": \"\", \"rune\": \"\xe1\x9a\xa0\"" };
    for (size_t i = 0; i < sizeof parts / sizeof *parts; ++i) cr_expect(strstr(memory_json, parts[i]), "%s missing: %s", parts[i], memory_json);
    char icon[40];
    snprintf(icon, sizeof icon, "\"icon\": \"0x%016llx\"", (unsigned long long)zc_asset_id("textures/lantern.png", 20));
    cr_expect(strstr(memory_json, icon), "%s missing: %s", icon, memory_json);
    free(memory_json);
    free(pack_json);

    /* reuse after reset, and the errors */
    expect_line(out, "reuse ", "reuse ZC_OK same 1");
    expect_line(out, "utf8 returned", "utf8 returned ZC_ERR_BAD_STRING");
    expect_line(out, "utf8:", "utf8: ZC_ERR_BAD_STRING (string is not valid UTF-8 or holds a NUL) data 0");
    expect_line(out, "count:", "count: ZC_ERR_LIMIT (more than 16777216 elements) data 0");
    expect_line(out, "entries:", "entries: ZC_ERR_LIMIT (more than 16777216 entries) data 0");
    expect_line(out, "no root:", "no root: ZC_ERR_INVALID_ARGUMENT (no root record was written) data 0");
    expect_line(out, "root not first:",
                "root not first: ZC_ERR_INVALID_ARGUMENT (the root record must be the entry's first record) data 0");
    expect_line(out, "duplicate:", "duplicate: ZC_ERR_INVALID_ARGUMENT (key \"a\" appears twice) data 0");
    expect_line(out, "u32 key:", "u32 key: ZC_ERR_LIMIT (key 4294967296 of a u32 map is over 2^32 - 1) data 0");
    cr_expect(strstr(out, "path: ZC_ERR_BAD_PATH (\"../up.png\" is not an entry path: "), "%s", out);
    expect_line(out, "max size:", "max size: ZC_ERR_LIMIT (the entry would exceed 512 bytes) data 0");
    expect_line(out, "recovered ", "recovered ZC_OK same 1");
    expect_line(out, "released ", "released ZC_OK same 1");
    expect_line(out, "after release:", "after release: ZC_ERR_INVALID_ARGUMENT (no root record was written) data 0");
    expect_line(out, "regrown ", "regrown ZC_OK same 1");
    free(out);
}

/* ---------------------------------------------------------------------------------
 * The generic builder, in this process
 * ------------------------------------------------------------------------------- */

/* root Pair; struct Pair { name: string; names: map<string, u32>; } : records of 56
 * bytes (name at 8, the map at 24). */
static const char pair_zcs[] = "type_tag \"PAIR\"; root Pair; struct Pair { name: string; names: map<string, u32>; }";
static const char pair_json[] = "{ \"name\": \"two\", \"names\": { \"one\": 1, \"two\": 2, \"three\": 3 } }";

static void build_pair(zc_builder *b) {
    static const zc_builder_key keys[] = { { "one", 3, 0 }, { "two", 3, 0 }, { "three", 5, 0 } };
    uint32_t order[3];
    zc_builder_pos p = zc_builder_root(b, 56);
    zc_builder_string(b, p + 8, "two", 3);
    zc_builder_pos entries = zc_builder_map(b, p + 24, ZC_BUILDER_KEY_STRING, 24, keys, 3, order);
    for (uint64_t k = 0; k < 3; ++k)
        zc_builder_put_u32(b, zc_builder_map_key(b, entries, 24, k, &keys[order[k]]), order[k] + 1);
}

Test(schema_builder, generic_calls_write_the_encoders_bytes) {
    zc_schema *s;
    zc_diag diag;
    cr_assert_eq(zc_schema_parse("pair.zcs", pair_zcs, strlen(pair_zcs), &s, &diag), ZC_OK, "%s", diag.message);
    cr_assert_eq(s->decls[s->root].size, 56);
    uint8_t *encoded;
    size_t encoded_size;
    cr_assert_eq(zc_schema_encode(s, "pair.json", pair_json, strlen(pair_json), &encoded, &encoded_size, &diag), ZC_OK);
    zc_builder *b;
    cr_assert_eq(zc_builder_create(&b, NULL), ZC_OK);
    build_pair(b);
    const void *data;
    uint64_t size;
    cr_assert_eq(zc_builder_finish(b, &data, &size, &diag), ZC_OK, "%s", diag.message);
    cr_expect_eq(size, encoded_size);
    cr_expect(size == encoded_size && memcmp(data, encoded, size) == 0, "the bytes differ");
    cr_expect_eq(zc_schema_check(s, data, size, &diag), ZC_OK, "%s", diag.message);
    zc_builder_destroy(b);
    free(encoded);
    zc_schema_free(s);
}

Test(schema_builder, every_allocation_failing_is_an_error_without_leak_or_crash) {
    zc_schema *s;
    zc_diag diag;
    cr_assert_eq(zc_schema_parse("pair.zcs", pair_zcs, strlen(pair_zcs), &s, &diag), ZC_OK, "%s", diag.message);
    long failures = 0;
    for (long at = 0;; ++at) {
        /* a builder that starts small, so the entry grows it, and a map's scratch */
        zct_wrap_arm(at, 1);
        zc_builder *b = NULL;
        zc_result created = zc_builder_create(&b, &(zc_builder_desc){ .initial_capacity = 8 });
        zc_result r = created;
        const void *data = NULL;
        uint64_t size = 0;
        diag.message[0] = 0;
        if (created == ZC_OK) {
            build_pair(b);
            r = zc_builder_finish(b, &data, &size, &diag);
        }
        zc_builder_destroy(b);
        zct_wrap_report rep = zct_wrap_disarm();
        if (created == ZC_OK && r != ZC_OK) {
            cr_expect_str_eq(diag.message, "out of memory");
            cr_expect_null(data);
        }
        cr_expect_eq(rep.live, 0, "allocation %ld: %ld blocks left", at, rep.live);
        if (rep.failed == 0) {
            cr_expect_eq(r, ZC_OK);
            break;
        }
        cr_expect_eq(r, ZC_ERR_OUT_OF_MEMORY, "allocation %ld failed: got %s", at, zc_result_name(r));
        failures++;
    }
    cr_expect_geq(failures, 4, "create, its buffer, growth and the map scratch each fail once");
    for (long at = 0;; ++at) {
        zct_wrap_arm(at, 1);
        uint8_t *bytes = NULL;
        size_t size = 0;
        zc_result r = zc_schema_encode(s, "pair.json", pair_json, strlen(pair_json), &bytes, &size, &diag);
        int had_bytes = bytes != NULL;
        free(bytes);
        zct_wrap_report rep = zct_wrap_disarm();
        cr_expect_eq(rep.live, 0, "encoder, allocation %ld: %ld blocks left", at, rep.live);
        if (rep.failed == 0) {
            cr_expect_eq(r, ZC_OK);
            break;
        }
        cr_expect_eq(r, ZC_ERR_OUT_OF_MEMORY, "encoder, allocation %ld failed: got %s", at, zc_result_name(r));
        cr_expect(!had_bytes);
    }
    zc_schema_free(s);
}

Test(schema_builder, a_failed_builder_stays_failed_until_reset) {
    zc_builder *b;
    cr_assert_eq(zc_builder_create(&b, &(zc_builder_desc){ .max_size = 64 }), ZC_OK);
    zc_builder_pos root = zc_builder_root(b, 32);
    cr_expect_eq(zc_builder_string(b, root + 8, "\xff", 1), ZC_ERR_BAD_STRING);
    /* later calls do nothing, return position 0 and the first error */
    cr_expect_eq(zc_builder_vector(b, root + 16, 4, 8), 0);
    cr_expect_eq(zc_builder_string(b, root + 8, "fine", 4), ZC_ERR_BAD_STRING);
    cr_expect_eq(zc_builder_record(b, 16), 0);
    cr_expect_eq(b->size, 32, "nothing appended after the error");
    zc_builder_put_u64(b, 1000, 1); /* outside the entry: dropped */
    zc_diag diag;
    cr_expect_eq(zc_builder_error(b, &diag), ZC_ERR_BAD_STRING);
    cr_expect_str_eq(diag.message, "string is not valid UTF-8 or holds a NUL");
    zc_builder_reset(b);
    cr_expect_eq(zc_builder_error(b, &diag), ZC_OK);
    cr_expect_str_eq(diag.message, "");
    root = zc_builder_root(b, 32);
    cr_expect_eq(zc_builder_string(b, root + 8, "0123456789012345678901234567890123", 34), ZC_ERR_LIMIT,
                 "32 + 35 bytes pass max_size 64");
    zc_builder_reset(b);
    root = zc_builder_root(b, 32);
    cr_expect_eq(zc_builder_string(b, root + 8, "fits", 4), ZC_OK);
    const void *data;
    uint64_t size;
    cr_expect_eq(zc_builder_finish(b, &data, &size, NULL), ZC_OK);
    cr_expect_eq(size, 40);
    cr_expect_str_eq((const char *)data + 32, "fits");
    zc_builder_destroy(b);
    zc_builder_destroy(NULL);
    cr_expect_eq(zc_builder_create(&b, &(zc_builder_desc){ .initial_capacity = 128, .max_size = 64 }),
                 ZC_ERR_INVALID_ARGUMENT);
    cr_expect_null(b);
}

Test(schema_builder, strings_are_checked_whole_past_an_ascii_prefix) {
    static const struct { const char *text; size_t length; zc_result want; } cases[] = {
        { "0123456789abcdef", 16, ZC_OK },
        { "01234567\xc3\xa9", 10, ZC_OK },             /* é after a word of ASCII */
        { "0123456789abcde\xc3\xa9xyz", 20, ZC_OK },   /* é across a word boundary */
        { "01234567\xc3", 9, ZC_ERR_BAD_STRING },       /* cut after the ASCII word */
        { "0123456789abcdef\xed\xa0\x80", 19, ZC_ERR_BAD_STRING }, /* a surrogate */
        { "0123\0" "567", 8, ZC_ERR_BAD_STRING },       /* NUL inside the first word */
        { "0123456789\0", 11, ZC_ERR_BAD_STRING },      /* NUL in the tail */
    };
    zc_builder *b;
    cr_assert_eq(zc_builder_create(&b, NULL), ZC_OK);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; ++i) {
        zc_builder_reset(b);
        zc_builder_pos root = zc_builder_root(b, 32);
        cr_expect_eq(zc_builder_string(b, root + 8, cases[i].text, cases[i].length), cases[i].want, "case %zu", i);
        const void *data;
        uint64_t size;
        if (zc_builder_finish(b, &data, &size, NULL) != ZC_OK) continue;
        cr_expect_eq(size, (32 + cases[i].length + 1 + 7) / 8 * 8, "case %zu", i);
        cr_expect(memcmp((const uint8_t *)data + 32, cases[i].text, cases[i].length) == 0, "case %zu", i);
        cr_expect_eq(((const uint8_t *)data)[32 + cases[i].length], 0, "case %zu: the NUL", i);
        cr_expect_eq(zc_utf8_valid((const uint8_t *)cases[i].text, cases[i].length), 1, "case %zu", i);
    }
    zc_builder_destroy(b);
}

/* ---------------------------------------------------------------------------------
 * Inline structs through the typed builder
 * ------------------------------------------------------------------------------- */

static const char shape_zcs[] =
    "type_tag \"SHAP\"; root Shape;\n"
    "enum Kind : u8 { a, b = 5 }\n"
    "inline Vector3 { x: f32; y: f32; z: f32; }\n"
    "inline Key { on: bool; at: f64; kind: Kind; }\n"
    "inline Pair { k: Key; v: Vector3; n: u16; }\n"
    "struct Shape { name: string; origin: Vector3; key: Key; tris: [Vector3]; keys: [Key];\n"
    "    by: map<u32, Pair>; pairs: [Pair]; opt: ?Key; none: ?Vector3; }\n";

static const char shape_json[] =
    "{ \"name\": \"tri\", \"origin\": { \"x\": 1, \"y\": 2, \"z\": 3 }, \"key\": { \"on\": true, \"at\": 2.5, \"kind\": \"b\" },\n"
    "  \"tris\": [{ \"x\": 0, \"y\": 0, \"z\": 0 }, { \"x\": 1, \"y\": 0, \"z\": 0 }, { \"x\": 0, \"y\": 1, \"z\": 0 }],\n"
    "  \"keys\": [{ \"on\": false, \"at\": -1, \"kind\": \"a\" }, { \"on\": true, \"at\": 4, \"kind\": \"b\" }],\n"
    "  \"by\": { \"7\": { \"k\": { \"on\": false, \"at\": 0, \"kind\": \"a\" }, \"v\": { \"x\": 1, \"y\": 2, \"z\": 3 }, \"n\": 10 },\n"
    "          \"9\": { \"k\": { \"on\": true, \"at\": 1, \"kind\": \"a\" }, \"v\": { \"x\": 1, \"y\": 2, \"z\": 3 }, \"n\": 11 } },\n"
    "  \"pairs\": [{ \"k\": { \"on\": true, \"at\": 0.5, \"kind\": \"a\" }, \"v\": { \"x\": 1, \"y\": 2, \"z\": 3 }, \"n\": 3 }],\n"
    "  \"opt\": { \"on\": false, \"at\": 6, \"kind\": \"b\" }, \"none\": null }\n";

/* Builds shape_json with the typed builder from values whose padding holds garbage
 * (the builder writes their fields, so the entry's padding stays zero), the triangles
 * written in place (Shape_fill_tris: Vector3 has no padding), writes it to built.bin,
 * and reads it back. */
static const char shape_src[] =
    "#include <stdio.h>\n#include <string.h>\n"
    "#include \"zc_schema_builder.h\"\n#include \"shape.h\"\n"
    "static Key key(int on, double at, Kind kind) {\n"
    "    Key k;\n    memset(&k, 0xab, sizeof k);\n    k.on = (uint8_t)on;\n    k.at = at;\n    k.kind = kind;\n    return k;\n}\n"
    "int main(void) {\n"
    "    zc_builder *b;\n"
    "    if (zc_builder_create(&b, NULL) != ZC_OK) return 2;\n"
    "    zc_builder_pos s = Shape_start(b);\n"
    "    Shape_set_name(b, s, \"tri\", 3);\n"
    "    const Vector3 o = { 1, 2, 3 };\n"
    "    Shape_set_origin(b, s, o);\n"
    "    Shape_set_key(b, s, key(1, 2.5, Kind_b));\n"
    "    static const Vector3 tris[] = { { 0, 0, 0 }, { 1, 0, 0 }, { 0, 1, 0 } };\n"
    "    Vector3 *in_place = Shape_fill_tris(b, s, 3);\n"
    "    if (!in_place) return 6;\n"
    "    for (int i = 0; i < 3; ++i) in_place[i] = tris[i];\n"
    "    const Key keys[] = { key(0, -1, Kind_a), key(1, 4, Kind_b) };\n"
    "    Shape_set_keys(b, s, keys, 2);\n"
    "    static const zc_builder_key ids[] = { { NULL, 0, 7 }, { NULL, 0, 9 } };\n"
    "    uint32_t order[2];\n"
    "    zc_builder_pos m = Shape_start_by(b, s, ids, 2, order);\n"
    "    for (int k = 0; k < 2; ++k) {\n"
    "        Pair p;\n        memset(&p, 0xcd, sizeof p);\n"
    "        p.k = key((int)order[k], (double)order[k], Kind_a);\n        p.v = o;\n        p.n = (uint16_t)(10 + order[k]);\n"
    "        Pair_put(b, Shape_by_entry(b, m, (uint64_t)k, &ids[order[k]]), &p);\n"
    "    }\n"
    "    Pair pairs[1];\n    memset(pairs, 0xef, sizeof pairs);\n"
    "    pairs[0].k = key(1, 0.5, Kind_a);\n    pairs[0].v = o;\n    pairs[0].n = 3;\n"
    "    Shape_set_pairs(b, s, pairs, 1);\n"
    "    Shape_set_opt(b, s, key(0, 6, Kind_b));\n"
    "    const void *data;\n    uint64_t size;\n    zc_diag diag;\n"
    "    if (zc_builder_finish(b, &data, &size, &diag) != ZC_OK) { printf(\"finish %s\\n\", diag.message); return 3; }\n"
    "    FILE *out = fopen(\"built.bin\", \"wb\");\n"
    "    if (!out || fwrite(data, 1, size, out) != size || fclose(out)) return 4;\n"
    "    if (Shape_validate(data, size, &diag) != ZC_OK) { printf(\"invalid %s\\n\", diag.message); return 5; }\n"
    "    const Shape *sh = Shape_root(data);\n"
    "    printf(\"origin %g key %d tri %g keys %g by %u pairs %g opt %g none %d\\n\", (double)Shape_origin(sh)->z,\n"
    "           (int)Shape_key(sh)->kind, (double)Shape_tris_data(sh)[2].y, Shape_keys_at(sh, 0)->at,\n"
    "           (unsigned)Shape_by_find(sh, 9)->n, Shape_pairs_at(sh, 0)->k.at, Shape_opt(sh)->at, Shape_none(sh) == NULL);\n"
    "    Shape_dump_json(sh, stdout);\n"
    "    zc_builder_destroy(b);\n"
    "    return 0;\n"
    "}\n";

Test(schema_builder, inline_structs_are_set_and_appended_in_one_call_with_the_encoders_bytes) {
    compile_program("shape.zcs", shape_zcs, "shape.h", shape_src,
                    "#include \"zc_schema_builder.h\"\n#include \"shape.h\"\n"
                    "void first(zc_builder *b, const Key *keys) {\n"
                    "    zc_builder_pos s = Shape_start(b);\n    Vector3 v = { 1, 2, 3 };\n"
                    "    Shape_set_origin(b, s, v);\n    Shape_set_keys(b, s, keys, 2);\n"
                    "    Vector3 *t = Shape_fill_tris(b, s, 1);\n    if (t) *t = v;\n}\n");
    size_t header_size;
    char *header_path = zct_join(zct_tmp, "shape.h");
    char *header = (char *)zct_read_file(header_path, &header_size);
    free(header_path);
    cr_assert(header && strstr(header, "Shape_fill_tris("), "plain values without padding are filled in place");
    cr_assert(!strstr(header, "Shape_fill_keys(") && !strstr(header, "Shape_fill_pairs("),
              "no fill for elements with padding bytes, whose garbage would reach the entry");
    free(header);
    const char *argv[] = { "./builder", NULL };
    int rc;
    char *out = run_tool(argv, &rc);
    cr_assert_eq(rc, 0, "builder exited %d:\n%s", rc, out ? out : "");
    expect_line(out, "origin ", "origin 3 key 5 tri 1 keys -1 by 11 pairs 0.5 opt 6 none 1");
    expect_line(out, "{", "{\"name\": \"tri\", \"origin\": {\"x\": 1, \"y\": 2, \"z\": 3}, "
                          "\"key\": {\"on\": true, \"at\": 2.5, \"kind\": \"b\"}, "
                          "\"tris\": [{\"x\": 0, \"y\": 0, \"z\": 0}, {\"x\": 1, \"y\": 0, \"z\": 0}, {\"x\": 0, \"y\": 1, \"z\": 0}], "
                          "\"keys\": [{\"on\": false, \"at\": -1, \"kind\": \"a\"}, {\"on\": true, \"at\": 4, \"kind\": \"b\"}], "
                          "\"by\": {\"7\": {\"k\": {\"on\": false, \"at\": 0, \"kind\": \"a\"}, \"v\": {\"x\": 1, \"y\": 2, \"z\": 3}, \"n\": 10}, "
                          "\"9\": {\"k\": {\"on\": true, \"at\": 1, \"kind\": \"a\"}, \"v\": {\"x\": 1, \"y\": 2, \"z\": 3}, \"n\": 11}}, "
                          "\"pairs\": [{\"k\": {\"on\": true, \"at\": 0.5, \"kind\": \"a\"}, \"v\": {\"x\": 1, \"y\": 2, \"z\": 3}, \"n\": 3}], "
                          "\"opt\": {\"on\": false, \"at\": 6, \"kind\": \"b\"}, \"none\": null}");
    expect_encoders_bytes(shape_zcs, shape_json);
    free(out);
}
