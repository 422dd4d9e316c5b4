/* test_lazy_libraries.c - assimp and libcurl are loaded by the processes that use
 * them, not by every zcpack run (zc_model_assimp.c, zc_build_cache_remote.c): read
 * from the dynamic loader's own log (LD_DEBUG=files, on stderr, of the CLI and of
 * the model workers it starts), a build of images and other files maps neither
 * library; a build with a model loads assimp at run time and still no libcurl; a
 * build that names a cache server loads libcurl at run time. The CLI program itself
 * needs neither. OpenEXR likewise: the program loads its EXR module (zcpack_exr.so,
 * packer/cli/zc_cli_exr.c), and with it OpenEXR's libraries, for the first EXR file.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include "zc_exit.h"
#include "zc_test_images.h"
#include "zc_test_server.h"
#include "zc_test_util.h"

static void setup(void) {
    zct_tmp_setup();
}

static void teardown(void) {
    zct_tmp_teardown();
}

TestSuite(lazy_libraries, .init = setup, .fini = teardown, .timeout = 120);

/* `zcpack build tree -o <tmp>/out.zcpack`, with one more option and its value when
 * extra1 is not NULL, and the loader's log on stderr. */
static zct_run build_logged(const char *tree, const char *extra1, const char *extra2) {
    char *out = zct_tmp_path("out.zcpack");
    cr_assert_eq(setenv("LD_DEBUG", "files", 1), 0);
    zct_run run = extra1 ? ZCT_CLI("build", tree, "-o", out, extra1, extra2) : ZCT_CLI("build", tree, "-o", out);
    unsetenv("LD_DEBUG");
    free(out);
    cr_assert_eq(run.code, 0, "%s", run.err);
    return run;
}

/* The log says `soname` was loaded at run time (dlopen), not as a needed library. */
static int loaded_at_run_time(const zct_run *run, const char *soname) {
    char needle[128];
    snprintf(needle, sizeof needle, "file=%s [0];  dynamically loaded by", soname);
    return strstr(run->err, needle) != NULL;
}

Test(lazy_libraries, each_is_loaded_only_by_a_run_that_uses_it) {
    char *images = zct_tmp_path("images"), *with_model = zct_tmp_path("with_model");
    zct_copy_file(zct_source_path("samples/assets/textures/bricks.png"), images, "textures/bricks.png");
    zct_copy_file(zct_source_path("samples/assets/config/game.json"), images, "config/game.json");
    zct_copy_file(zct_source_path("samples/assets/scene/demo.gltf"), with_model, "scene/demo.gltf");
    zct_copy_file(zct_source_path("samples/assets/scene/demo.bin"), with_model, "scene/demo.bin");
    zct_copy_file(zct_source_path("samples/assets/textures/bricks.png"), with_model, "textures/bricks.png");

    zct_run plain = build_logged(images, NULL, NULL);
    cr_assert(strstr(plain.err, "file=libcjson.so.1"), "no loader log on stderr:\n%s", plain.err);
    cr_assert_null(strstr(plain.err, "libassimp"), "a build without models loaded assimp:\n%s", plain.err);
    cr_assert_null(strstr(plain.err, "libcurl"), "a build without a server loaded libcurl:\n%s", plain.err);
    zct_run_free(&plain);

    zct_run model = build_logged(with_model, NULL, NULL);
    cr_assert(loaded_at_run_time(&model, "libassimp.so.5"), "the model's import did not load assimp:\n%s", model.err);
    cr_assert_null(strstr(model.err, "libcurl"), "a build without a server loaded libcurl:\n%s", model.err);
    zct_run_free(&model);

    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/cache", zct_free_port());
    zct_run served = build_logged(images, "--cache-url", url);
    cr_assert(loaded_at_run_time(&served, "libcurl.so.4"), "a build with a server did not load libcurl:\n%s",
              served.err);
    ZCT_EXPECT_ERR(served, "build cache server not reachable");
    zct_run_free(&served);
    free(images);
    free(with_model);
}

/* OpenEXR's libraries come with the first EXR file: not in a build of other images,
 * through zcpack_exr.so in a build with one. A program without the module beside it
 * (nor in ../lib/zcpack/) refuses the EXR file with the reason and packs the rest. */
Test(lazy_libraries, openexr_comes_with_the_first_exr_file) {
    char *exr = zct_join(ZCTI_EXR_DIR, "night.exr");
    if (access(exr, R_OK) != 0) {
        free(exr);
        zct_skip_test("blender-data is not installed (tools/bootstrap.sh --test-data)");
    }
    char *images = zct_tmp_path("images"), *with_exr = zct_tmp_path("with_exr");
    zct_copy_file(zct_source_path("samples/assets/textures/bricks.png"), images, "textures/bricks.png");
    zct_copy_file(zct_source_path("samples/assets/textures/bricks.png"), with_exr, "textures/bricks.png");
    zct_copy_file(exr, with_exr, "sky/night.exr");

    zct_run plain = build_logged(images, NULL, NULL);
    cr_assert(strstr(plain.err, "file=libcjson.so.1"), "no loader log on stderr:\n%s", plain.err);
    cr_assert_null(strstr(plain.err, "OpenEXR"), "a build without EXR files loaded OpenEXR:\n%s", plain.err);
    cr_assert_null(strstr(plain.err, "zcpack_exr.so"), "a build without EXR files loaded the module:\n%s", plain.err);
    zct_run_free(&plain);

    zct_run sky = build_logged(with_exr, NULL, NULL);
    cr_assert(strstr(sky.err, "zcpack_exr.so [0];  dynamically loaded by"), "the EXR file did not load the module:\n%s",
              sky.err);
    cr_assert(strstr(sky.err, "file=libOpenEXR-3_1.so.30 [0];  needed by") && strstr(sky.err, "zcpack_exr.so [0]"),
              "OpenEXR did not come with the module:\n%s", sky.err);
    zct_run_free(&sky);

    /* the program alone in a folder of its own */
    char *alone = zct_tmp_path("alone"), *program = zct_tmp_path("alone/zcpack"), *out = zct_tmp_path("alone.zcpack");
    zct_copy_file(zct_zcpack_bin(), alone, "zcpack");
    cr_assert_eq(chmod(program, 0755), 0);
    cr_assert_eq(setenv("ZCPACK_BIN", program, 1), 0);
    zct_run run = ZCT_CLI("build", with_exr, "-o", out, "--keep-going");
    unsetenv("ZCPACK_BIN");
    cr_expect_eq(run.code, ZC_EXIT_IMPORT, "exit %d:\n%s", run.code, run.err);
    ZCT_EXPECT_ERR(run, "night.exr: OpenEXR images cannot be read: ");
    ZCT_EXPECT_ERR(run, "zcpack_exr.so");
    zct_run_free(&run);
    zct_run listed = ZCT_CLI("ls", out);
    ZCT_EXPECT_CODE(listed, 0);
    cr_expect(strstr(listed.out, "textures/bricks.png"), "the PNG was not packed:\n%s", listed.out);
    zct_run_free(&listed);
    free(out);
    free(program);
    free(alone);
    free(images);
    free(with_exr);
    free(exr);
}
