/* test_texture_pcx.c - PCX sources (packer/import/texture/zc_pcx_read.c): pygame's
 * green.pcx (RGB in three planes), and PCX files Pillow writes from real PNGs in its
 * four PCX layouts (paletted, grey, RGB, one bit), import to exactly the texels Pillow
 * decodes from them; damaged, cut and unsupported files fail with a sentence and no
 * fault; `zcpack build` makes a .pcx file a texture. Skipped, saying why, where
 * Pillow is missing (tools/bootstrap.sh --test-data installs it).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zc_import_texture.h"
#include "zc_pack.h"
#include "zc_test_images.h"
#include "zc_test_util.h"
#include "zc_texture_pixels.h"

TestSuite(texture_pcx, .init = zcti_tree_setup, .fini = zcti_tree_teardown, .timeout = 120);

Test(texture_pcx, real_files_import_to_the_texels_pillow_decodes) {
    zcti_need_pillow("PcxImagePlugin");
    zcti_require(ZCTI_PYGAME "/green.pcx");
    zcti_expect_pillow_texels(ZCTI_PYGAME "/green.pcx", "green.pcx (RGB, 3 planes)");
    const char *sources[] = { ZCTI_PYGAME "/alien1.png", ZCTI_PYGAME "/brick.png" };
    const char *modes[] = { "P", "L", "RGB", "1" };
    for (size_t i = 0; i < 2; ++i)
        for (size_t m = 0; m < 4; ++m) {
            zcti_require(sources[i]);
            char *pcx = zct_tmp_path("pillow.pcx");
            char code[160];
            snprintf(code, sizeof code, "import sys\nfrom PIL import Image\nImage.open(sys.argv[1]).convert('%s').save(sys.argv[2])\n",
                     modes[m]);
            zcti_python(code, sources[i], pcx);
            char what[128];
            snprintf(what, sizeof what, "%s as PCX mode %s", strrchr(sources[i], '/') + 1, modes[m]);
            zcti_expect_pillow_texels(pcx, what);
            free(pcx);
        }
}

/* Damaged headers, unsupported layouts and every cut of a real file: a sentence each,
 * no fault (exact-size copies: a read past the end is a sanitizer error). */
Test(texture_pcx, damaged_cut_and_unsupported_files_fail_with_a_sentence) {
    zcti_require(ZCTI_PYGAME "/green.pcx");
    size_t size;
    uint8_t *good = zct_read_file(ZCTI_PYGAME "/green.pcx", &size);
    uint8_t *m = malloc(size);
    memcpy(m, good, size);
    m[66] = 4; /* bytes per line: 4 for 32 texels */
    zcti_expect_import_refused(m, size, "bad.pcx", ZC_ERR_BAD_SOURCE, "PCX header gives 4 bytes per line, too few for 32 texels of 8 bits");
    memcpy(m, good, size);
    m[3] = 2; /* 2 bits in 3 planes */
    zcti_expect_import_refused(m, size, "bad.pcx", ZC_ERR_UNSUPPORTED_CODEC, "a PCX image of 2 bits in 3 planes, which is not imported");
    memcpy(m, good, size);
    m[8] = 0x10; /* xmax 10000 */
    m[9] = 0x27;
    m[66] = 0x10;
    m[67] = 0x27;
    zcti_expect_import_refused(m, size, "bad.pcx", ZC_ERR_LIMIT, "image is 10001x32, larger than the 4096 limit");
    memcpy(m, good, size);
    m[8] = 0; /* xmax below xmin */
    m[4] = 5;
    zcti_expect_import_refused(m, size, "bad.pcx", ZC_ERR_BAD_SOURCE, "PCX header gives an empty window");
    zcti_expect_every_cut_refused(good, size, "cut.pcx", size, 1);
    free(m);
    free(good);
}

/* `zcpack build` makes a .pcx file a texture with a mip chain. */
Test(texture_pcx, build_packs_a_pcx_file_as_a_texture) {
    zcti_require(ZCTI_PYGAME "/green.pcx");
    free(zcti_copy(ZCTI_PYGAME "/green.pcx", zcti_in_dir, "skins/green.pcx"));
    zct_run run = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path);
    cr_assert_eq(run.code, 0, "%s", run.err);
    zct_run_free(&run);
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, "skins/green.pcx", &e), ZC_OK);
    zc_texture_view v;
    cr_assert_eq(zc_texture_view_from_entry(&e, &v), ZC_OK);
    cr_assert(v.width == 32 && v.height == 32 && v.mip_count == 6, "%ux%u, %u levels", v.width, v.height, v.mip_count);
    zc_pack_close(pack);
}
