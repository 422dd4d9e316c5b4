/* test_lazy_libraries.c - assimp and libcurl are loaded by the processes that use
 * them, not by every zcpack run (zc_model_assimp.c, zc_build_cache_remote.c): read
 * from the dynamic loader's own log (LD_DEBUG=files, on stderr, of the CLI and of
 * the model workers it starts), a build of images and other files maps neither
 * library; a build with a model loads assimp at run time and still no libcurl; a
 * build that names a cache server loads libcurl at run time. The CLI program itself
 * needs neither.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
