/* test_exclude.c - telling the build to leave things alone: .zcpackignore patterns
 * (gitignore rules), the manifest's "exclude", "importer" and "alignment", on a tree
 * of real third-party files that are not assets (Sun RPC `.x` interface files, which
 * share the DirectX model extension, a Blender `.blend` and a Photoshop `.psd`), and
 * the errors a bad ignore file or rule gives.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zc_exit.h"
#include "zc_ignore.h"
#include "zc_link.h"
#include "zc_manifest.h"
#include "zc_pack.h"
#include "zc_test_util.h"

TestSuite(exclude, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 120);

#define RPC_DIR "/usr/include/rpcsvc"
#define BLEND_FILE "/usr/share/blender/scripts/startup/bl_app_templates_system/Sculpting/startup.blend"
#define PSD_FILE "/usr/share/gocode/src/github.com/gabriel-vasile/mimetype/testdata/psd.psd"

/* ---------------------------------------------------------------------------------
 * Patterns
 * ------------------------------------------------------------------------------- */

static zc_ignore *parse(const char *text) {
    zc_ignore *ig = NULL;
    zc_diag diag;
    diag.message[0] = 0;
    cr_assert_eq(zc_ignore_parse(text, strlen(text), &ig, &diag), ZC_OK, "%s", diag.message);
    return ig;
}

typedef struct ignore_case {
    const char *path;
    int is_dir;
    uint32_t line;              /* expected: the deciding line, 0 = kept */
} ignore_case;

static void expect_cases(const char *text, const ignore_case *cases, size_t count) {
    zc_ignore *ig = parse(text);
    for (size_t i = 0; i < count; ++i)
        cr_expect_eq(zc_ignore_match(ig, cases[i].path, cases[i].is_dir), cases[i].line,
                     "%s%s: line %u, expected %u, with:\n%s", cases[i].path, cases[i].is_dir ? "/" : "",
                     zc_ignore_match(ig, cases[i].path, cases[i].is_dir), cases[i].line, text);
    zc_ignore_free(ig);
}

Test(exclude, names_without_a_slash_match_at_any_depth) {
    const ignore_case cases[] = {
        { "startup.blend", 0, 2 },      { "dcc/startup.blend", 0, 2 }, { "a/b/c/x.blend", 0, 2 },
        { "blend", 0, 0 },              { "x.blend1", 0, 0 },          { "dcc/cover.psd", 0, 3 },
        { "Cover.PSD", 0, 0 },          { "thumbs.db", 0, 4 },         { "x/thumbs.db", 1, 4 },
    };
    expect_cases("# DCC sources\n*.blend\n*.psd\nthumbs.db\n", cases, sizeof cases / sizeof *cases);
}

Test(exclude, slashes_anchor_and_mark_folders) {
    const ignore_case cases[] = {
        { "tools", 1, 1 },          /* "/tools/": the root's folder */
        { "tools", 0, 0 },          /* ... not a file of that name */
        { "src/tools", 1, 0 },      /* ... nor a folder deeper down */
        { "cache", 1, 2 },          /* "cache/": a folder at any depth */
        { "a/b/cache", 1, 2 },
        { "a/b/cache", 0, 0 },
        { "docs/draft.md", 0, 3 },  /* line 3: anchored by its middle slash */
        { "docs/a/draft.md", 0, 0 },/* '*' does not cross '/' */
        { "x/docs/draft.md", 0, 0 },
    };
    expect_cases("/tools/\ncache/\ndocs/*.md\n", cases, sizeof cases / sizeof *cases);
}

Test(exclude, double_stars_cross_folders) {
    const ignore_case cases[] = {
        { "build", 1, 1 },          { "a/b/build", 1, 1 },       /* "**" then "/build" */
        { "logs/x.txt", 0, 2 },     { "logs/a/b/x.txt", 0, 2 },  /* "logs/" then a trailing "**" */
        { "logs", 1, 0 },           /* ... everything inside, not the folder itself */
        { "a/b", 0, 3 },            { "a/x/y/b", 0, 3 },         /* "a/", "**", "/b" */
        { "a/x/c", 0, 0 },          { "b", 0, 0 },
    };
    expect_cases("**/build\nlogs/**\na/**/b\n", cases, sizeof cases / sizeof *cases);
}

Test(exclude, last_match_decides_and_negation_takes_back) {
    const ignore_case cases[] = {
        { "cover.psd", 0, 1 },      { "keep.psd", 0, 0 },       { "art/keep.psd", 0, 0 },
        { "old/keep.psd", 0, 3 },   /* a later pattern leaves it out again */
    };
    expect_cases("*.psd\n!keep.psd\nold/*.psd\n", cases, sizeof cases / sizeof *cases);
}

Test(exclude, classes_escapes_spaces_and_line_ends) {
    const ignore_case cases[] = {
        { "tex_a.png", 0, 1 },      { "tex_z.png", 0, 0 },       /* [a-c] */
        { "v1.bak", 0, 2 },         { "va.bak", 0, 0 },          /* [!a-z] */
        { "#notes", 0, 3 },         { "!bang", 0, 4 },           /* \# and \! */
        { "trail", 0, 5 },          /* trailing spaces dropped */
        { "space ", 0, 6 },         /* ... unless escaped */
        { "crlf.tmp", 0, 7 },       /* a '\r' before the '\n' */
        { "q?x", 0, 8 },            { "qzx", 0, 8 },             /* '?' one character */
        { "q/x", 0, 0 },            /* ... never '/' */
    };
    expect_cases("tex_[a-c].png\nv[!a-z].bak\n\\#notes\n\\!bang\ntrail   \nspace\\ \ncrlf.tmp\r\nq?x\n", cases,
                 sizeof cases / sizeof *cases);
}

/* A file is left out when one of its folders is (zc_ignore_path: what `zcpack import`
 * asks for one file, the walk never entering the folder). */
Test(exclude, a_file_in_a_left_out_folder_stays_out) {
    zc_ignore *ig = parse("/vendor/\n!vendor/keep.png\n");
    cr_expect_eq(zc_ignore_path(ig, "vendor/keep.png"), 1u);
    cr_expect_eq(zc_ignore_path(ig, "vendor/a/b.png"), 1u);
    cr_expect_eq(zc_ignore_path(ig, "src/vendor/b.png"), 0u);
    cr_expect_eq(zc_ignore_path(ig, "vendor.png"), 0u);
    zc_ignore_free(ig);
}

Test(exclude, a_nul_or_an_oversized_list_is_refused) {
    zc_ignore *ig = NULL;
    zc_diag diag;
    const char text[] = "*.psd\n*.bl\0end\n";
    cr_assert_eq(zc_ignore_parse(text, sizeof text - 1, &ig, &diag), ZC_ERR_INVALID_ARGUMENT);
    cr_expect_null(ig);
    cr_expect(strstr(diag.message, "line 2") && strstr(diag.message, "NUL"), "%s", diag.message);
    size_t big = ZC_IGNORE_MAX_SIZE + 1;
    char *many = malloc(big);
    cr_assert_not_null(many);
    memset(many, '\n', big);
    cr_assert_eq(zc_ignore_parse(many, big, &ig, &diag), ZC_ERR_LIMIT);
    free(many);
    cr_expect_null(ig);
}

/* Hostile patterns: long runs of stars against long names finish quickly and never
 * read past either string. */
Test(exclude, pathological_patterns_finish) {
    char pattern[600], name[600];
    memset(pattern, 0, sizeof pattern);
    for (int i = 0; i < 250; ++i) memcpy(pattern + 2 * i, "*a", 2);
    strcat(pattern, "b\n[\n[!\n\\\n**/**/**/**/**/**/x\n");
    memset(name, 'a', 500);
    name[500] = 0;
    zc_ignore *ig = parse(pattern);
    uint64_t start = zct_now_ns();
    cr_expect_eq(zc_ignore_match(ig, name, 0), 0u);
    cr_expect_eq(zc_ignore_match(ig, "[", 0), 2u);
    cr_expect_eq(zc_ignore_match(ig, "a/a/a/a/a/a/a/x", 0), 5u);
    cr_expect_lt(zct_now_ns() - start, 2000000000ull, "matching took %.2f s", (zct_now_ns() - start) / 1e9);
    zc_ignore_free(ig);
}

/* ---------------------------------------------------------------------------------
 * Manifest fields
 * ------------------------------------------------------------------------------- */

static void expect_manifest_error(const char *text, const char *needle) {
    zc_manifest *m = NULL;
    zc_diag diag;
    diag.message[0] = 0;
    cr_assert_eq(zc_manifest_parse(text, strlen(text), &m, &diag), ZC_ERR_INVALID_ARGUMENT, "%s", text);
    cr_expect_null(m);
    cr_expect(strstr(diag.message, needle), "\"%s\" lacks \"%s\"", diag.message, needle);
}

Test(exclude, manifest_fields_are_checked) {
    expect_manifest_error("{\"rules\":[{\"match\":\"*\",\"exclude\":1}]}", "rule 0: \"exclude\" must be true or false");
    expect_manifest_error("{\"rules\":[{\"match\":\"*\"},{\"match\":\"*.ogg\",\"importer\":\"sound\"}]}",
                          "rule 1: \"importer\" must be \"texture\", \"model\", \"schema\" or \"blob\"");
    expect_manifest_error("{\"rules\":[{\"match\":\"*\",\"alignment\":8192}]}",
                          "\"alignment\" must be a power of two in [16, 4096]");
    expect_manifest_error("{\"rules\":[{\"match\":\"*\",\"alignment\":48}]}", "power of two");
    expect_manifest_error("{\"rules\":[{\"match\":\"*\",\"alignment\":8}]}", "[16, 4096]");
}

Test(exclude, last_rule_decides_exclude_and_importer) {
    const char *text = "{\"rules\":[{\"match\":\"*.psd\",\"exclude\":true},{\"match\":\"keep/*\",\"exclude\":false},"
                       "{\"match\":\"net/*.x\",\"importer\":\"blob\"},{\"match\":\"*.dat\",\"importer\":\"texture\"}]}";
    zc_manifest *m = NULL;
    cr_assert_eq(zc_manifest_parse(text, strlen(text), &m, NULL), ZC_OK);
    cr_expect_eq(zc_manifest_excludes(m, "art/cover.psd"), 1u); /* rule 0, counted from 1 */
    cr_expect_eq(zc_manifest_excludes(m, "keep/cover.psd"), 0u);
    cr_expect_eq(zc_manifest_excludes(m, "cover.png"), 0u);
    cr_expect_str_eq(zc_manifest_importer(m, "net/rstat.x")->name, "blob");
    cr_expect_str_eq(zc_manifest_importer(m, "models/ship.x")->name, "model");
    cr_expect_str_eq(zc_manifest_importer(m, "icons/ok.dat")->name, "texture");
    cr_expect_str_eq(zc_manifest_importer(m, "notes.txt")->name, "blob");
    cr_expect_str_eq(zc_manifest_importer(NULL, "a.png")->name, "texture");
    zc_manifest_free(m);
}

/* ---------------------------------------------------------------------------------
 * Builds of a tree that holds more than assets
 * ------------------------------------------------------------------------------- */

static void skip_without_data(void) {
    if (!zct_exists(RPC_DIR "/rstat.x") || !zct_exists(BLEND_FILE) || !zct_exists(PSD_FILE))
        zct_skip_test("the test data packages are not installed (tools/bootstrap.sh --test-data)");
}

/* The demo assets plus two Sun RPC interface files, a .blend and two .psd, a FIFO in a
 * drafts folder; returns the root. */
static char *make_tree(void) {
    char *root = zct_tmp_path("game");
    const char *demo[] = { "textures/bricks.png", "textures/leaves.png", "text/strings_en.csv" };
    for (size_t i = 0; i < sizeof demo / sizeof *demo; ++i) {
        char rel[128];
        snprintf(rel, sizeof rel, "samples/assets/%s", demo[i]);
        zct_copy_file(zct_source_path(rel), root, demo[i]);
    }
    zct_copy_file(RPC_DIR "/rstat.x", root, "net/rstat.x");
    zct_copy_file(RPC_DIR "/key_prot.x", root, "net/key_prot.x");
    zct_copy_file(BLEND_FILE, root, "dcc/startup.blend");
    zct_copy_file(PSD_FILE, root, "dcc/cover.psd");
    zct_copy_file(PSD_FILE, root, "textures/keep.psd");
    char *drafts = zct_join(root, "dcc/drafts");
    zct_mkdirs(drafts);
    char *fifo = zct_join(drafts, "pipe");
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    free(fifo);
    free(drafts);
    return root;
}

static zc_pack *open_pack(const char *path) {
    zc_pack *pack = NULL;
    zc_pack_desc pd;
    memset(&pd, 0, sizeof pd);
    pd.path = path;
    pd.validate = ZC_VALIDATE_CHECKSUMS;
    cr_assert_eq(zc_pack_open(&pack, &pd), ZC_OK, "%s", path);
    return pack;
}

/* Without rules the .x files, which do not start as DirectX models do, are packed as
 * blobs with a warning, beside every source file of the artists; with rules the
 * build packs the assets, the .x files as their bytes at the alignment asked for,
 * takes one .psd back, and leaves the rest out without reading it. */
Test(exclude, a_tree_with_dcc_and_rpc_files) {
    skip_without_data();
    char *root = make_tree();
    char *pack_path = zct_tmp_path("game.zcpack");

    zct_run plain = ZCT_CLI("build", root, "-o", pack_path);
    ZCT_EXPECT_CODE(plain, ZC_EXIT_OK);
    ZCT_EXPECT_ERR(plain, "net/key_prot.x: not a DirectX model although named .x: packed as raw bytes");
    ZCT_EXPECT_ERR(plain, "net/rstat.x: not a DirectX model although named .x: packed as raw bytes");
    ZCT_EXPECT_ERR(plain, "dcc/drafts/pipe: skipping: not a regular file");
    zct_run_free(&plain);
    zc_pack *everything = open_pack(pack_path);
    cr_expect_gt(zc_pack_entry_count(everything), 5u, "without rules the artists' sources are packed too");
    zc_pack_close(everything);

    zct_put_text(root, ".zcpackignore", "# artists' sources\n*.blend\n*.psd\n!textures/*.psd\n/dcc/drafts/\n");
    zct_put_text(root, "zcpack.json",
                 "{ \"rules\": [\n"
                 "  { \"match\": \"net/*.x\", \"importer\": \"blob\", \"alignment\": 4096 },\n"
                 "  { \"match\": \"text/*\", \"exclude\": true }\n"
                 "] }\n");
    zct_run run = ZCT_CLI("build", root, "-o", pack_path);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    cr_expect(!strstr(run.err, "pipe"), "a left-out folder was listed:\n%s", run.err);
    cr_expect(strstr(run.out, "4 files and folders left out by .zcpackignore and \"exclude\" rules"), "%s", run.out);

    zc_pack *pack = open_pack(pack_path);
    const char *expected[] = { "net/key_prot.x", "net/rstat.x", "textures/bricks.png", "textures/keep.psd",
                               "textures/leaves.png" };
    cr_assert_eq(zc_pack_entry_count(pack), 5u);
    for (uint32_t i = 0; i < 5; ++i) {
        zc_entry e;
        cr_expect_eq(zc_pack_find(pack, expected[i], &e), ZC_OK, "%s is missing", expected[i]);
    }
    const char *rpc[] = { "rstat.x", "key_prot.x" };
    for (size_t i = 0; i < 2; ++i) {
        char path[64], source[128];
        snprintf(path, sizeof path, "net/%s", rpc[i]);
        snprintf(source, sizeof source, RPC_DIR "/%s", rpc[i]);
        zc_entry e;
        cr_assert_eq(zc_pack_find(pack, path, &e), ZC_OK);
        cr_expect_eq(e.type, ZC_TYPE_BLOB);
        cr_expect_eq(e.alignment, 4096u);
        cr_expect_eq(e.offset % 4096u, 0u);
        zc_hold hold;
        cr_assert_eq(zc_pack_get(pack, path, &hold), ZC_OK);
        cr_expect_eq((uintptr_t)hold.data % 4096u, 0u, "the bytes an engine gets are aligned too");
        size_t source_size = 0;
        uint8_t *bytes = zct_read_file(source, &source_size);
        cr_expect_eq(hold.size, source_size);
        cr_expect(hold.size == source_size && memcmp(hold.data, bytes, source_size) == 0, "%s differs from %s", path,
                  source);
        free(bytes);
        zc_hold_release(&hold);
    }
    zc_entry psd;
    cr_assert_eq(zc_pack_find(pack, "textures/keep.psd", &psd), ZC_OK);
    cr_expect_eq(psd.type, ZC_TYPE_TEXTURE, "the .psd taken back is imported as an image");
    zc_pack_close(pack);
    zct_run_free(&run);
    free(pack_path);
    free(root);
}

/* "importer": a PNG under a name no importer claims becomes a texture, and a PNG can
 * stay its bytes; the default alignment of a blob stays 16. */
Test(exclude, importer_rule_overrides_the_name) {
    char *root = zct_tmp_path("tree");
    zct_copy_file(zct_source_path("samples/assets/textures/bricks.png"), root, "ui/icon.dat");
    zct_copy_file(zct_source_path("samples/assets/textures/bricks.png"), root, "raw/bricks.png");
    zct_copy_file(zct_source_path("samples/assets/textures/bricks.png"), root, "plain.dat");
    zct_put_text(root, "zcpack.json",
                 "{ \"rules\": [ { \"match\": \"ui/*\", \"importer\": \"texture\" },"
                 " { \"match\": \"raw/*\", \"importer\": \"blob\" } ] }");
    char *pack_path = zct_tmp_path("tree.zcpack");
    zct_run run = ZCT_CLI("build", root, "-o", pack_path);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    cr_expect(strstr(run.err, "plain.dat: looks like a PNG image"), "%s", run.err);
    cr_expect(!strstr(run.err, "icon.dat"), "%s", run.err);
    zc_pack *pack = open_pack(pack_path);
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, "ui/icon.dat", &e), ZC_OK);
    cr_expect_eq(e.type, ZC_TYPE_TEXTURE);
    cr_assert_eq(zc_pack_find(pack, "raw/bricks.png", &e), ZC_OK);
    cr_expect_eq(e.type, ZC_TYPE_BLOB);
    cr_expect_eq(e.alignment, 16u);
    zc_pack_close(pack);
    zct_run_free(&run);
    free(pack_path);
    free(root);
}

/* A bad ignore file fails the build before the output is touched, naming the file and
 * the line; `zcpack import` refuses the ignore file as a source. */
Test(exclude, a_bad_ignore_file_fails_the_build) {
    char *root = zct_tmp_path("tree");
    zct_copy_file(zct_source_path("samples/assets/textures/bricks.png"), root, "bricks.png");
    zct_put(root, ".zcpackignore", "*.tmp\n\n*.b\0k\n", 14);
    char *pack_path = zct_tmp_path("tree.zcpack");
    zct_put_text(zct_tmp, "tree.zcpack", "an older pack the build must not touch");
    zct_run run = ZCT_CLI("build", root, "-o", pack_path);
    ZCT_EXPECT_CODE(run, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(run, ".zcpackignore: line 3: holds a NUL character");
    size_t size = 0;
    char *kept = (char *)zct_read_file(pack_path, &size);
    cr_expect(size == 38 && memcmp(kept, "an older pack the build must not touch", 38) == 0);
    free(kept);
    zct_run_free(&run);

    char *ignore = zct_join(root, ".zcpackignore");
    char *object = zct_tmp_path("x.zco");
    zct_run imp = ZCT_CLI("import", ignore, "--root", root, "-o", object);
    ZCT_EXPECT_CODE(imp, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(imp, "the ignore list of the tree, which a build does not pack");
    zct_run_free(&imp);
    free(object);
    free(ignore);
    free(pack_path);
    free(root);
}

/* ---------------------------------------------------------------------------------
 * Hidden and system files
 * ------------------------------------------------------------------------------- */

Test(exclude, system_names) {
    const char *left_out[] = { ".git", ".DS_Store", "._bricks.png", ".hidden", "__MACOSX", "Thumbs.db", "THUMBS.DB",
                               "ehthumbs.db", "desktop.ini", "Desktop.INI" };
    const char *kept[] = { "bricks.png", "a.git", "__macosx", "thumbs.db.png", "my desktop.ini", "_.png", "" };
    for (size_t i = 0; i < sizeof left_out / sizeof *left_out; ++i)
        cr_expect(zc_ignore_system_name(left_out[i]), "%s is kept", left_out[i]);
    for (size_t i = 0; i < sizeof kept / sizeof *kept; ++i)
        cr_expect(!zc_ignore_system_name(kept[i]), "%s is left out", kept[i]);
    cr_expect(zc_ignore_system_path("art/.svn/entries"));
    cr_expect(zc_ignore_system_path("x/__MACOSX"));
    cr_expect(zc_ignore_system_path(".DS_Store"));
    cr_expect(!zc_ignore_system_path("art/textures/bricks.png"));
    cr_expect(!zc_ignore_system_path("art/x.y/z"));
}

/* The first bytes of an AppleDouble file, which macOS writes as "._<name>" beside a
 * file on a foreign file system and into the __MACOSX folder of a zip archive: the
 * name says PNG, the bytes are not an image. */
static const uint8_t apple_double[] = { 0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00, 'M', 'a', 'c', ' ',
                                        'O',  'S',  ' ',  'X',  ' ',  ' ',  ' ',  ' ',  ' ', ' ', ' ', ' ' };

/* An asset folder as it comes out of a zip archive made on macOS and a Windows and git
 * working copy: two real files, and six hidden or system files and folders. */
static char *make_unpacked_tree(void) {
    char *root = zct_tmp_path("unzipped");
    zct_copy_file(zct_source_path("samples/assets/textures/bricks.png"), root, "textures/bricks.png");
    zct_copy_file(zct_source_path("samples/assets/text/strings_en.csv"), root, "docs/strings_en.csv");
    zct_put(root, "textures/._bricks.png", apple_double, sizeof apple_double);
    zct_put(root, "__MACOSX/textures/._bricks.png", apple_double, sizeof apple_double);
    zct_put_text(root, ".git/HEAD", "ref: refs/heads/main\n");
    zct_put_text(root, ".DS_Store", "Bud1");
    zct_put_text(root, "textures/Thumbs.db", "thumbnails");
    zct_put_text(root, "docs/Desktop.ini", "[.ShellClassInfo]\n");
    return root;
}

/* By default the build leaves the six out (the AppleDouble files would fail as
 * images) and says how many; --include-hidden packs them, and the AppleDouble files
 * then fail to import as the images their names claim. */
Test(exclude, hidden_and_system_files_are_left_out) {
    char *root = make_unpacked_tree();
    char *pack_path = zct_tmp_path("unzipped.zcpack");
    zct_run run = ZCT_CLI("build", root, "-o", pack_path);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    cr_expect(strstr(run.out, "6 hidden and system files and folders left out"), "%s", run.out);
    cr_expect(strstr(run.out, "--include-hidden packs them"), "%s", run.out);
    zc_pack *pack = open_pack(pack_path);
    zc_entry e;
    cr_expect_eq(zc_pack_entry_count(pack), 2u);
    cr_expect_eq(zc_pack_find(pack, "textures/bricks.png", &e), ZC_OK);
    cr_expect_eq(zc_pack_find(pack, "docs/strings_en.csv", &e), ZC_OK);
    zc_pack_close(pack);
    zct_run_free(&run);

    zct_run all = ZCT_CLI("build", root, "-o", pack_path, "--include-hidden", "--keep-going");
    ZCT_EXPECT_CODE(all, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(all, "__MACOSX/textures/._bricks.png: not an image");
    ZCT_EXPECT_ERR(all, "textures/._bricks.png: not an image");
    pack = open_pack(pack_path);
    const char *kept[] = { ".DS_Store", ".git/HEAD", "docs/Desktop.ini", "docs/strings_en.csv", "textures/Thumbs.db",
                           "textures/bricks.png" };
    cr_expect_eq(zc_pack_entry_count(pack), 6u);
    for (size_t i = 0; i < sizeof kept / sizeof *kept; ++i)
        cr_expect_eq(zc_pack_find(pack, kept[i], &e), ZC_OK, "%s is missing", kept[i]);
    zc_pack_close(pack);
    zct_run_free(&all);
    free(pack_path);
    free(root);
}

/* `zcpack import` of a hidden file, or of a file in a hidden folder, gives an object
 * without entries, as the build leaves the file out; with include_hidden its
 * entries. */
Test(exclude, import_of_a_hidden_file_holds_no_entries) {
    char *root = make_unpacked_tree();
    const char *files[] = { ".git/HEAD", "docs/Desktop.ini", "__MACOSX/textures/._bricks.png" };
    for (size_t i = 0; i < sizeof files / sizeof *files; ++i) {
        char *file = zct_join(root, files[i]);
        char *object = zct_tmp_path("o.zco");
        zc_object_import_desc desc = { .file = file, .root = root, .output = object };
        zc_object_import_info info;
        cr_assert_eq(zc_object_import(&desc, &info), ZC_OK, "%s", files[i]);
        cr_expect_eq(info.entries, 0u, "%s", files[i]);
        zc_object_import_info_free(&info);
        desc.include_hidden = 1;
        zc_result r = zc_object_import(&desc, &info);
        if (strstr(files[i], "._")) {
            cr_expect_eq(r, ZC_ERR_BAD_SOURCE, "%s: %s", files[i], zc_result_str(r));
        } else {
            cr_assert_eq(r, ZC_OK, "%s", files[i]);
            cr_expect_eq(info.entries, 1u, "%s", files[i]);
            zc_object_import_info_free(&info);
        }
        free(object);
        free(file);
    }
    free(root);
}
