/* test_report.c - `zcpack report`: the page it writes is loaded in headless Chromium
 * (Debian's chromium, installed by tools/bootstrap.sh --test-data): it runs without a
 * console message or script error, draws the treemap and the table (read back from
 * the DOM and from a screenshot), selects an entry from the address as a click on its
 * row does and draws that entry's dependencies, embeds a shrunk thumbnail of every
 * texture, links build warnings to their entries, and refers to nothing outside
 * itself. Entry paths that look like HTML stay text. Bad arguments fail cleanly.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stb/stb_image.h>

#include "zc_exit.h"
#include "zc_test_util.h"

TestSuite(report, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 180);

#define CHROMIUM "/usr/bin/chromium"

/* ---------------------------------------------------------------------------------
 * The browser
 * ------------------------------------------------------------------------------- */

static void need_chromium(void) {
    if (access(CHROMIUM, X_OK) != 0)
        zct_skip_test("chromium is not installed (tools/bootstrap.sh --test-data installs it)");
}

/* Load file#fragment in headless Chromium; with `screenshot`, write a 1280x1400 PNG
 * there, else return the DOM after the scripts ran (malloc'd). Asserts that the browser
 * printed no console message. */
static char *browse(const char *file, const char *fragment, const char *screenshot) {
    char url[4096], shot[4096];
    snprintf(url, sizeof url, "file://%s%s%s", file, fragment ? "#" : "", fragment ? fragment : "");
    char *profile = zct_tmp_path("chromium-profile"), *out = zct_tmp_path("chromium.out");
    char *err = zct_tmp_path("chromium.err"), profile_arg[4096];
    snprintf(profile_arg, sizeof profile_arg, "--user-data-dir=%s", profile);
    snprintf(shot, sizeof shot, "--screenshot=%s", screenshot ? screenshot : "");
    const char *argv[] = { CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", profile_arg,
                           screenshot ? "--window-size=1280,1400" : "--dump-dom", screenshot ? shot : url,
                           screenshot ? url : NULL, NULL };
    int code = zct_run_program(NULL, out, err, argv);
    size_t n = 0;
    char *log = (char *)zct_read_file(err, &n);
    cr_assert_eq(code, 0, "chromium exit %d:\n%s", code, log);
    cr_expect(!strstr(log, "CONSOLE"), "the page wrote to the console:\n%s", log);
    free(log);
    char *dom = screenshot ? NULL : (char *)zct_read_file(out, &n);
    free(profile);
    free(out);
    free(err);
    return dom;
}

/* The value of attribute `name` of <body> in a dumped DOM, malloc'd; NULL when absent. */
static char *body_attr(const char *dom, const char *name) {
    const char *body = strstr(dom, "<body");
    const char *end = body ? strchr(body, '>') : NULL;
    char key[64];
    snprintf(key, sizeof key, " %s=\"", name);
    const char *at = body ? strstr(body, key) : NULL;
    if (!at || at > end) return NULL;
    at += strlen(key);
    return strndup(at, (size_t)(strchr(at, '"') - at));
}

static long body_number(const char *dom, const char *name) {
    char *v = body_attr(dom, name);
    cr_assert_not_null(v, "<body> has no %s", name);
    long n = strtol(v, NULL, 10);
    free(v);
    return n;
}

static size_t count(const char *haystack, const char *needle) {
    size_t n = 0;
    for (const char *p = strstr(haystack, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

/* ---------------------------------------------------------------------------------
 * Packs and pages
 * ------------------------------------------------------------------------------- */

/* Build `dir` into zct_tmp/<name>.zcpack with the build's stderr kept in <name>.log;
 * returns the pack's path. */
static char *build(const char *dir, const char *name) {
    char file[256];
    snprintf(file, sizeof file, "%s.zcpack", name);
    char *pack = zct_tmp_path(file);
    zct_run run = ZCT_CLI("build", dir, "-o", pack);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    snprintf(file, sizeof file, "%s.log", name);
    char *log = zct_tmp_path(file);
    zct_write_file(log, run.err, strlen(run.err));
    free(log);
    zct_run_free(&run);
    return pack;
}

/* A 1 x 1 .. n x n data URL PNG's size, decoded from "data:image/png;base64,". */
static void data_url_size(const char *url, int *w, int *h) {
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *b64 = strstr(url, "base64,");
    cr_assert_not_null(b64);
    b64 += 7;
    size_t n = strcspn(b64, "\"=");
    uint8_t *bytes = malloc(n);
    size_t len = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; ++i) {
        const char *d = strchr(digits, b64[i]);
        cr_assert(d && *d, "not base64 at %zu", i);
        acc = acc << 6 | (uint32_t)(d - digits);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            bytes[len++] = (uint8_t)(acc >> bits);
        }
    }
    int comp;
    cr_assert(stbi_info_from_memory(bytes, (int)len, w, h, &comp), "the thumbnail is not a PNG");
    free(bytes);
}

/* ---------------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------------- */

/* The demo pack: the page loads clean, draws a treemap and all 20 rows, selects the
 * scene from the address and draws what it uses (its meshes, then their materials),
 * shows six thumbnails and the preview, and names nothing outside itself. */
Test(report, demo_pack_in_a_browser) {
    need_chromium();
    char *pack = build(zct_source_path("samples/assets"), "demo");
    char *preview = zct_tmp_path("preview.png"), *page = zct_tmp_path("demo.html");
    zct_run ex = ZCT_CLI("extract", pack, "textures/leaves.png", "-o", preview);
    ZCT_EXPECT_CODE(ex, ZC_EXIT_OK);
    zct_run_free(&ex);
    zct_run run = ZCT_CLI("report", pack, "-o", page, "--preview", preview);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    cr_expect(strstr(run.out, "20 entries, 6 thumbnails"), "%s", run.out);
    zct_run_free(&run);

    size_t size = 0;
    char *html = (char *)zct_read_file(page, &size);
    cr_expect(!strstr(html, "src=\"http") && !strstr(html, "href=\"http") && !strstr(html, "url(http") &&
                  !strstr(html, "@import") && !strstr(html, "<link"),
              "the page loads something from outside");
    free(html);

    char *dom = browse(page, "entry=scene%2Fdemo.gltf", NULL);
    cr_assert_eq(body_number(dom, "data-ready"), 1, "the script did not finish");
    cr_expect_eq(body_number(dom, "data-errors"), 0);
    cr_expect_eq(body_number(dom, "data-rows"), 20);
    long leaves = body_number(dom, "data-leaves");
    cr_expect(leaves >= 10 && leaves <= 20, "%ld rectangles of entries", leaves);
    char *selected = body_attr(dom, "data-selected");
    cr_expect(selected && strcmp(selected, "scene/demo.gltf") == 0, "selected: %s", selected ? selected : "nothing");
    free(selected);
    cr_expect(strstr(dom, "<tr data-i=\"") && strstr(dom, "class=\"sel\""), "no row is marked selected");
    cr_expect_eq(count(dom, "class=\"gnode sel\""), 1u);
    cr_expect_geq(count(dom, "class=\"gnode\""), 5u, "the scene's meshes and their materials");
    cr_expect(strstr(dom, ">scene/demo.gltf#mesh/0</text>") && strstr(dom, ">scene/demo.gltf#material/0</text>"),
              "the graph lacks the scene's dependencies");
    cr_expect_eq(count(dom, "<figure"), 6u, "a thumbnail per texture");
    cr_expect(strstr(dom, "id=\"preview-section\">") || !strstr(dom, "id=\"preview-section\" hidden"),
              "the preview is hidden");
    char *tm = body_attr(dom, "data-treemap");
    int box[4] = { 0 };
    cr_assert(tm && sscanf(tm, "%d,%d,%d,%d", &box[0], &box[1], &box[2], &box[3]) == 4);
    free(tm);
    free(dom);

    /* The screenshot: the treemap's rectangle holds the texture colour and several
     * others; the page is not blank. */
    char *shot = zct_tmp_path("demo.png");
    free(browse(page, NULL, shot));
    int w, h, comp;
    uint8_t *px = stbi_load(shot, &w, &h, &comp, 3);
    cr_assert_not_null(px, "no screenshot");
    cr_assert(box[0] + box[2] <= w && box[1] + box[3] <= h, "the treemap lies outside the screenshot");
    size_t texture_px = 0, colours = 0;
    uint32_t seen[64] = { 0 };
    for (int y = box[1] + 2; y < box[1] + box[3] - 2; ++y)
        for (int x = box[0] + 2; x < box[0] + box[2] - 2; ++x) {
            const uint8_t *p = px + ((size_t)y * (size_t)w + (size_t)x) * 3;
            if (abs(p[0] - 0x4e) < 8 && abs(p[1] - 0x79) < 8 && abs(p[2] - 0xa7) < 8) texture_px++;
            uint32_t rgb = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
            for (size_t k = 0; k < 64; ++k) {
                if (seen[k] == rgb + 1) break;
                if (!seen[k]) {
                    seen[k] = rgb + 1;
                    colours++;
                    break;
                }
            }
        }
    cr_expect_gt(texture_px, (size_t)(box[2] * box[3] / 4), "textures take most of the demo's bytes");
    cr_expect_geq(colours, 6u, "the treemap has %zu colours", colours);
    stbi_image_free(px);
    free(shot);
    free(preview);
    free(page);
    free(pack);
}

/* Paths that are HTML, quotes and non-ASCII stay text; a build warning links to the
 * entry of its file; a texture without mips is shrunk to the thumbnail size. */
Test(report, hostile_names_warnings_and_thumbnails) {
    need_chromium();
    char *root = zct_tmp_path("tree");
    const char *names[] = { "</script><script>document.body.dataset.errors=99</script>.txt", "a\"b'c&d.txt",
                            "caf\xc3\xa9/<b>bold</b>.txt" };
    for (size_t i = 0; i < 3; ++i) zct_put_text(root, names[i], "text");
    zct_copy_file(zct_source_path("samples/assets/textures/bricks.png"), root, "icon.dat"); /* a lookalike warning */
    zct_copy_file(zct_source_path("samples/assets/textures/leaves.png"), root, "big.png");
    zct_put_text(root, "zcpack.json", "{ \"rules\": [ { \"match\": \"big.png\", \"mips\": false } ] }");
    char *pack = build(root, "tree"), *log = zct_tmp_path("tree.log"), *page = zct_tmp_path("tree.html");
    zct_run run = ZCT_CLI("report", pack, "-o", page, "--log", log, "--thumb-size", "32");
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    char *dom = browse(page, NULL, NULL);
    cr_assert_eq(body_number(dom, "data-ready"), 1);
    cr_expect_eq(body_number(dom, "data-errors"), 0, "a path ran as script");
    cr_expect_eq(body_number(dom, "data-rows"), 5);
    cr_expect(strstr(dom, "&lt;/script&gt;&lt;script&gt;"), "the HTML path is not shown as text");
    cr_expect(strstr(dom, "caf\xc3\xa9/&lt;b&gt;bold&lt;/b&gt;.txt"), "the UTF-8 path is not shown as text");
    cr_expect(strstr(dom, "icon.dat: looks like a PNG image"), "the warning is not listed");
    cr_expect(!strstr(dom, "data-e=\"-1\""), "a warning did not find its entry");
    cr_expect(strstr(dom, "data-e=\""), "no warning");
    const char *figure = strstr(dom, "<figure");
    cr_assert_not_null(figure);
    int w = 0, h = 0;
    data_url_size(figure, &w, &h);
    cr_expect(w <= 32 && h <= 32 && w >= 16, "a %dx%d thumbnail for --thumb-size 32", w, h);
    free(dom);
    free(page);
    free(log);
    free(pack);
    free(root);
}

/* Errors: no output, a preview that is no PNG, a missing log, a damaged pack; each
 * leaves an existing page alone. */
Test(report, bad_arguments_fail_cleanly) {
    char *pack = build(zct_source_path("samples/assets"), "demo");
    char *page = zct_tmp_path("page.html"), *text = zct_tmp_path("not.png");
    zct_put_text(zct_tmp, "page.html", "old page");
    zct_put_text(zct_tmp, "not.png", "plain text");
    zct_run run = ZCT_CLI("report", pack);
    ZCT_EXPECT_CODE(run, ZC_EXIT_USAGE);
    zct_run_free(&run);
    run = ZCT_CLI("report", pack, "-o", page, "--preview", text);
    ZCT_EXPECT_CODE(run, ZC_EXIT_USAGE);
    ZCT_EXPECT_ERR(run, "not.png: the preview is not a PNG file");
    zct_run_free(&run);
    run = ZCT_CLI("report", pack, "-o", page, "--log", "/nonexistent/build.log");
    ZCT_EXPECT_CODE(run, ZC_EXIT_IO);
    ZCT_EXPECT_ERR(run, "/nonexistent/build.log: cannot read the log");
    zct_run_free(&run);
    size_t size = 0;
    uint8_t *bytes = zct_read_file(pack, &size);
    bytes[size / 2] ^= 0x40; /* a payload byte: the checksums catch it */
    zct_write_file(pack, bytes, size);
    free(bytes);
    run = ZCT_CLI("report", pack, "-o", page);
    ZCT_EXPECT_CODE(run, ZC_EXIT_CORRUPT);
    zct_run_free(&run);
    char *kept = (char *)zct_read_file(page, &size);
    cr_expect(size == 8 && memcmp(kept, "old page", 8) == 0, "the old page was touched");
    free(kept);
    free(text);
    free(page);
    free(pack);
}

/* Without --log, the warnings come from the build cache the build used (<pack>.cache
 * by default, or --cache): a model whose texture is missing gives a warning that is
 * listed with its file and linked to its entry. Once the texture is back and the pack
 * built again, the old record's warning no longer matches the pack's entries and is
 * not listed; a pack with no cache beside it says none were recorded; a named cache
 * that does not exist fails, naming it. */
Test(report, warnings_from_the_build_cache) {
    need_chromium();
    char *root = zct_tmp_path("cached");
    static const char *const files[] = { "scene/demo.gltf", "scene/demo.bin", "textures/bricks.png",
                                         "textures/bricks_n.png" };
    for (size_t i = 0; i < 4; ++i) {
        char source[128];
        snprintf(source, sizeof source, "samples/assets/%s", files[i]);
        zct_copy_file(zct_source_path(source), root, files[i]);
    }
    char *pack = zct_tmp_path("cached.zcpack"), *cache = zct_tmp_path("cached.zcpack.cache");
    char *page = zct_tmp_path("cached.html");
    zct_run run = ZCT_CLI("build", root, "-o", pack, "--cache", cache);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    ZCT_EXPECT_ERR(run, "not found");
    zct_run_free(&run);
    run = ZCT_CLI("report", pack, "-o", page);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    cr_expect(strstr(run.out, ", 1 warning -> "), "report printed: %s", run.out);
    zct_run_free(&run);
    char *dom = browse(page, NULL, NULL);
    cr_assert_eq(body_number(dom, "data-ready"), 1);
    cr_expect(strstr(dom, "scene/demo.gltf: material 1 \"leaves\" BASE_COLOR slot: texture \"../textures/leaves.png\" "
                          "not found"),
              "the cached warning is not listed with its file:\n%s", strstr(dom, "warnings-section"));
    cr_expect(strstr(dom, "From the build cache "), "the page does not say where the warnings come from");
    cr_expect(!strstr(dom, "data-e=\"-1\""), "the warning did not find its entry");
    free(dom);

    /* the texture back: the model's record with the warning stays, but matches nothing */
    zct_copy_file(zct_source_path("samples/assets/textures/leaves.png"), root, "textures/leaves.png");
    run = ZCT_CLI("build", root, "-o", pack, "--cache", cache);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    run = ZCT_CLI("report", pack, "-o", page, "--cache", cache);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    cr_expect(strstr(run.out, "0 warnings"), "report printed: %s", run.out);
    zct_run_free(&run);
    dom = browse(page, NULL, NULL);
    cr_expect(strstr(dom, "None recorded in the build cache "), "the page does not say no warning was recorded");
    cr_expect(!strstr(dom, "not found"), "a stale record's warning is listed");
    free(dom);

    /* no cache */
    char *bare = zct_tmp_path("bare.zcpack");
    run = ZCT_CLI("build", root, "-o", bare);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    run = ZCT_CLI("report", bare, "-o", page);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    dom = browse(page, NULL, NULL);
    cr_expect(strstr(dom, "None recorded: no build log (--log) and no build cache"),
              "the page does not say that no warnings were recorded");
    free(dom);
    run = ZCT_CLI("report", bare, "-o", page, "--cache", "/nonexistent/cache");
    ZCT_EXPECT_CODE(run, ZC_EXIT_IO);
    ZCT_EXPECT_ERR(run, "/nonexistent/cache: cannot read the build cache");
    zct_run_free(&run);

    free(bare);
    free(page);
    free(cache);
    free(pack);
    free(root);
}
