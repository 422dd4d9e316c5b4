/* test_texture_webp.c - WebP sources: pygame's lossy scarlet.webp imports to the texels
 * Pillow decodes from it; lossless WebP files that Pillow makes from real PNGs (with
 * and without alpha) import bit for bit equal to the PNGs; damaged and truncated files
 * fail with a sentence; `zcpack build` makes .webp files textures.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zc_exit.h"
#include "zc_import_texture.h"
#include "zc_test_images.h"
#include "zc_test_util.h"

TestSuite(texture_webp, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 120);

static void need_pillow(void) {
    if (access("/usr/bin/python3", X_OK) != 0 ||
        system("/usr/bin/python3 -c 'from PIL import features; assert features.check(\"webp\")' >/dev/null 2>&1") != 0)
        zct_skip_test("Pillow with WebP for /usr/bin/python3 is not installed (tools/bootstrap.sh --test-data)");
}

Test(texture_webp, lossy_file_matches_pillow) {
    need_pillow();
    zcti_require(ZCTI_PYGAME "/scarlet.webp");
    char *raw = zct_tmp_path("scarlet.rgba");
    zcti_python("import sys\nfrom PIL import Image\nim = Image.open(sys.argv[1]).convert('RGBA')\n"
           "open(sys.argv[2], 'wb').write(im.tobytes())",
           ZCTI_PYGAME "/scarlet.webp", raw);
    uint32_t w, h;
    uint8_t *texels = zcti_import_rgba8(ZCTI_PYGAME "/scarlet.webp", &w, &h);
    size_t size = 0;
    uint8_t *want = zct_read_file(raw, &size);
    cr_assert_eq(size, (size_t)w * h * 4, "%ux%u against %zu bytes from Pillow", w, h, size);
    cr_expect(memcmp(texels, want, size) == 0, "the texels differ from Pillow's decode");
    free(want);
    free(texels);
    free(raw);
}

Test(texture_webp, lossless_files_equal_their_pngs) {
    need_pillow();
    const char *pngs[] = { ZCTI_PYGAME "/alien1.png", ZCTI_PYGAME "/fist.png", ZCTI_PIXBUF "/test-image.png" };
    for (size_t i = 0; i < sizeof pngs / sizeof *pngs; ++i) {
        zcti_require(pngs[i]);
        char *webp = zct_tmp_path("lossless.webp");
        zcti_python("import sys\nfrom PIL import Image\nImage.open(sys.argv[1]).convert('RGBA').save(sys.argv[2], "
               "lossless=True)",
               pngs[i], webp);
        uint32_t w, h, pw, ph;
        uint8_t *texels = zcti_import_rgba8(webp, &w, &h);
        uint8_t *want = zcti_stb_rgba8(pngs[i], &pw, &ph, NULL);
        cr_assert(w == pw && h == ph, "%s: %ux%u against %ux%u", pngs[i], w, h, pw, ph);
        size_t differ = 0;
        for (size_t t = 0; t < (size_t)w * h; ++t)
            if (want[4 * t + 3] != 0 && memcmp(texels + 4 * t, want + 4 * t, 4) != 0) differ++; /* RGB under alpha 0 may go */
        cr_expect_eq(differ, 0u, "%s: %zu texels differ", pngs[i], differ);
        free(want);
        free(texels);
        free(webp);
    }
}

Test(texture_webp, damaged_files_fail_with_a_sentence) {
    zcti_require(ZCTI_PYGAME "/scarlet.webp");
    size_t size = 0;
    uint8_t *good = zct_read_file(ZCTI_PYGAME "/scarlet.webp", &size);
    zc_texture_settings s;
    memset(&s, 0, sizeof s);
    int refused = 0;
    for (size_t cut = 0; cut < size; cut += 3) {
        zc_texture_image img;
        zc_diag diag;
        memset(&diag, 0, sizeof diag);
        zc_result r = zc_texture_import_memory(good, cut, "cut.webp", &s, &img, &diag);
        if (r == ZC_OK) {
            zc_texture_image_free(&img);
            continue;
        }
        refused++;
        cr_expect(diag.message[0], "cut at %zu: %s without a sentence", cut, zc_result_str(r));
    }
    cr_expect_gt(refused, (int)(size / 3) - 2, "only %d of the cut files were refused", refused);
    uint64_t seed = 5;
    uint8_t *bad = malloc(size);
    for (int round = 0; round < 500; ++round) {
        memcpy(bad, good, size);
        bad[zct_rand(&seed) % size] ^= (uint8_t)(1u << (zct_rand(&seed) % 8));
        zc_texture_image img;
        zc_diag diag;
        memset(&diag, 0, sizeof diag);
        zc_result r = zc_texture_import_memory(bad, size, "flipped.webp", &s, &img, &diag);
        if (r == ZC_OK) zc_texture_image_free(&img);
        else cr_expect(diag.message[0], "round %d: %s without a sentence", round, zc_result_str(r));
    }
    free(bad);
    free(good);
}

Test(texture_webp, build_packs_webp_as_textures) {
    zcti_require(ZCTI_PYGAME "/scarlet.webp");
    char *root = zct_tmp_path("tree");
    zct_mkdirs(root);
    free(zcti_copy(ZCTI_PYGAME "/scarlet.webp", root, "ui/scarlet.webp"));
    char *pack = zct_tmp_path("tree.zcpack");
    zct_run run = ZCT_CLI("build", root, "-o", pack);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    cr_expect(strstr(run.out, "1 texture"), "%s", run.out);
    cr_expect(!strstr(run.err, "looks like"), "%s", run.err);
    zct_run_free(&run);
    zct_run dump = ZCT_CLI("dump", pack, "ui/scarlet.webp");
    ZCT_EXPECT_CODE(dump, ZC_EXIT_OK);
    cr_expect(strstr(dump.out, "\"type\":\t\"texture\""), "%s", dump.out);
    zct_run_free(&dump);
    free(pack);
    free(root);
}
