/* test_texture_sgi.c - SGI sources (packer/import/texture/zc_sgi_read.c): SGI files
 * that netpbm's pnmtosgi (run-length encoded and verbatim, 8 and 16 bits per value)
 * and Pillow (verbatim grey, RGB and RGBA) write from real PNGs import to exactly the
 * texels Pillow decodes from them; damaged, cut and unsupported files fail with a
 * sentence and no fault; `zcpack build` makes SGI files textures under each of
 * their names. Skipped, saying why, where Pillow or netpbm is missing
 * (tools/bootstrap.sh --test-data installs them).
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

TestSuite(texture_sgi, .init = zcti_tree_setup, .fini = zcti_tree_teardown, .timeout = 120);

static void need_tools(void) {
    zcti_need_pillow("SgiImagePlugin");
    if (access("/usr/bin/pnmtosgi", X_OK) != 0 || access("/usr/bin/pngtopnm", X_OK) != 0)
        zct_skip_test("netpbm is not installed (tools/bootstrap.sh --test-data: netpbm)");
}

/* The storage byte (0 verbatim, 1 run-length) and bytes per value of an SGI file. */
static void expect_storage(const char *sgi, unsigned storage, unsigned bpc) {
    size_t n;
    uint8_t *b = zct_read_file(sgi, &n);
    cr_assert(n > 512 && b[0] == 0x01 && b[1] == 0xDA, "%s is not an SGI file", sgi);
    cr_assert(b[2] == storage && b[3] == bpc, "%s: storage %u, %u bytes per value; the test wants %u and %u", sgi, b[2],
              b[3], storage, bpc);
    free(b);
}

Test(texture_sgi, netpbm_files_import_to_the_texels_pillow_decodes) {
    need_tools();
    const char *sources[] = { ZCTI_PYGAME "/fist.png", ZCTI_PYGAME "/brick.png" };
    static const struct {
        const char *pipe;
        unsigned storage, bpc;
    } ways[] = {
        { "pnmtosgi", 1, 1 },
        { "pnmtosgi -verbatim", 0, 1 },
        { "pnmdepth 65535 | pnmtosgi", 1, 2 },
        { "pnmdepth 65535 | pnmtosgi -verbatim", 0, 2 },
    };
    for (size_t i = 0; i < 2; ++i)
        for (size_t k = 0; k < sizeof ways / sizeof ways[0]; ++k) {
            zcti_require(sources[i]);
            char *sgi = zct_tmp_path("netpbm.rgb");
            char command[1024], what[160];
            snprintf(command, sizeof command, "pngtopnm '%s' | %s > '%s' 2>/dev/null", sources[i], ways[k].pipe, sgi);
            zcti_shell(command);
            expect_storage(sgi, ways[k].storage, ways[k].bpc);
            snprintf(what, sizeof what, "%s through `%s`", strrchr(sources[i], '/') + 1, ways[k].pipe);
            zcti_expect_pillow_texels(sgi, what);
            free(sgi);
        }
}

Test(texture_sgi, pillow_files_import_to_the_texels_pillow_decodes) {
    need_tools();
    const char *sources[] = { ZCTI_PYGAME "/alien1.png", ZCTI_PYGAME "/midikeys.png" };
    const char *modes[] = { "L", "RGB", "RGBA" };
    for (size_t i = 0; i < 2; ++i)
        for (size_t m = 0; m < 3; ++m) {
            zcti_require(sources[i]);
            char *sgi = zct_tmp_path("pillow.sgi");
            char code[200], what[128];
            snprintf(code, sizeof code,
                     "import sys\nfrom PIL import Image\nImage.open(sys.argv[1]).convert('%s').save(sys.argv[2], 'SGI')\n",
                     modes[m]);
            zcti_python(code, sources[i], sgi);
            snprintf(what, sizeof what, "%s as SGI mode %s", strrchr(sources[i], '/') + 1, modes[m]);
            zcti_expect_pillow_texels(sgi, what);
            free(sgi);
        }
}

/* A grey SGI file is a one-channel source, so AUTO makes it BC4 as it does a grey PNG. */
Test(texture_sgi, grey_files_are_single_channel_sources) {
    need_tools();
    zcti_require(ZCTI_PYGAME "/brick.png");
    char *sgi = zct_tmp_path("grey.bw");
    char command[512];
    snprintf(command, sizeof command, "pngtopnm '%s' | ppmtopgm | pnmtosgi > '%s' 2>/dev/null", ZCTI_PYGAME "/brick.png", sgi);
    zcti_shell(command);
    zc_texture_image img;
    zc_diag diag = { 0 };
    cr_assert_eq(zc_texture_import_file(sgi, "grey.bw", NULL, &img, &diag), ZC_OK, "%s", diag.message);
    zc_texture_view v;
    cr_assert_eq(zc_texture_import_view(&img, &v), ZC_OK);
    cr_expect_eq(v.format, ZC_PIXEL_BC4_UNORM, "format %u", v.format);
    zc_texture_image_free(&img);
    free(sgi);
}

/* Damaged headers, unsupported kinds, broken run-length tables and every cut of a real
 * file: a sentence each, no fault (exact-size copies: a read past the end is a
 * sanitizer error). */
Test(texture_sgi, damaged_cut_and_unsupported_files_fail_with_a_sentence) {
    need_tools();
    zcti_require(ZCTI_PYGAME "/fist.png");
    char *verbatim = zct_tmp_path("v.rgb"), *rle = zct_tmp_path("r.rgb");
    char command[1024];
    snprintf(command, sizeof command, "pngtopnm '%s' | pnmtosgi -verbatim > '%s' 2>/dev/null && pngtopnm '%s' | pnmtosgi > '%s' 2>/dev/null",
             ZCTI_PYGAME "/fist.png", verbatim, ZCTI_PYGAME "/fist.png", rle);
    zcti_shell(command);
    size_t size, rle_size;
    uint8_t *good = zct_read_file(verbatim, &size), *good_rle = zct_read_file(rle, &rle_size);
    uint8_t *m = malloc(size > rle_size ? size : rle_size);

    memcpy(m, good, size);
    m[107] = 3; /* colour map kind 3 */
    zcti_expect_import_refused(m, size, "bad.rgb", ZC_ERR_UNSUPPORTED_CODEC, "an SGI image with colour map kind 3, which is not imported");
    memcpy(m, good, size);
    m[6] = 0x27; /* width 10028 */
    zcti_expect_import_refused(m, size, "bad.rgb", ZC_ERR_LIMIT, "larger than the 4096 limit");
    memcpy(m, good, size);
    m[6] = m[7] = 0; /* width 0 */
    zcti_expect_import_refused(m, size, "bad.rgb", ZC_ERR_BAD_SOURCE, "SGI header gives the empty size 0x424");
    memcpy(m, good, size);
    m[8] = 0x02; /* height 680: more rows than the file holds */
    zcti_expect_import_refused(m, size, "bad.rgb", ZC_ERR_BAD_SOURCE, "not a readable SGI image: it needs");

    memcpy(m, good_rle, rle_size);
    m[512] = 0x7F; /* the first row's offset far past the end */
    zcti_expect_import_refused(m, rle_size, "bad.rgb", ZC_ERR_BAD_SOURCE, "row 0 of channel 0 lies outside the file");
    memcpy(m, good_rle, rle_size);
    m[514] = m[515] = 0; /* the first row's offset inside the header */
    m[512] = m[513] = 0;
    zcti_expect_import_refused(m, rle_size, "bad.rgb", ZC_ERR_BAD_SOURCE, "row 0 of channel 0 lies outside the file");
    zcti_expect_import_refused(good_rle, 512 + 4 * 424, "cut.rgb", ZC_ERR_BAD_SOURCE, "for its row tables");
    /* the last row's data cut off: the row ends before its last value */
    zcti_expect_import_refused(good_rle, rle_size - 64, "cut.rgb", ZC_ERR_BAD_SOURCE, "ends before its last value");

    zcti_expect_every_cut_refused(good, size, "cut.rgb", 600, 4099);
    free(m);
    free(good);
    free(good_rle);
    free(verbatim);
    free(rle);
}

/* `zcpack build` makes SGI files textures under each of their names (the shared
 * names' other files: test_shared_names.c). */
Test(texture_sgi, build_packs_sgi_files_as_textures) {
    need_tools();
    zcti_require(ZCTI_PYGAME "/alien1.png");
    const char *names[] = { "skins/a.rgb", "skins/a.rgba", "skins/a.bw", "skins/a.int", "skins/a.inta", "skins/a.sgi" };
    size_t count = sizeof names / sizeof names[0];
    for (size_t i = 0; i < count; ++i) {
        char *out = zct_join(zcti_in_dir, names[i]);
        zct_write_file(out, "", 0); /* its folder */
        zcti_python("import sys\nfrom PIL import Image\nImage.open(sys.argv[1]).convert('RGBA').save(sys.argv[2], 'SGI')\n",
                    ZCTI_PYGAME "/alien1.png", out);
        free(out);
    }
    zct_run r = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path);
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert(strstr(r.out, "(6 textures, 0 models)"), "the summary counts otherwise:\n%s", r.out);
    zct_run_free(&r);
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    for (size_t i = 0; i < count; ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_find(pack, names[i], &e), ZC_OK, "%s", names[i]);
        zc_texture_view v;
        cr_assert_eq(zc_texture_view_from_entry(&e, &v), ZC_OK, "%s is not a texture", names[i]);
        cr_assert(v.width == 80 && v.height == 71 && v.mip_count == 7, "%s: %ux%u, %u levels", names[i], v.width,
                  v.height, v.mip_count);
    }
    zc_pack_close(pack);
}

/* An AC3D model whose material names an SGI texture (as the models of driving and
 * flight games do) gets that texture as its base colour. */
Test(texture_sgi, an_ac3d_model_gets_its_sgi_texture) {
    need_tools();
    const char *model = ZCTI_ASSIMP "/AC/SphereWithLight.ac", *image = ZCTI_ASSIMP "/LWO/LWO2/MappingModes/earthSpherical.jpg";
    zcti_require(model);
    zcti_require(image);
    char *ac = zct_join(zcti_in_dir, "car/sphere.ac"), *rgb = zct_join(zcti_in_dir, "car/earth.rgb");
    zct_write_file(rgb, "", 0); /* the folder */
    char command[1024];
    snprintf(command, sizeof command, "sed 's|^texture \".*\"|texture \"earth.rgb\"|' '%s' > '%s' && jpegtopnm '%s' 2>/dev/null | pnmtosgi > '%s'",
             model, ac, image, rgb);
    zcti_shell(command);
    zct_run r = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path);
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert(!strstr(r.err, "slot left empty"), "%s", r.err);
    zct_run_free(&r);
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    zc_entry e, t;
    cr_assert_eq(zc_pack_find(pack, "car/sphere.ac#material/0", &e), ZC_OK);
    zc_material_view m;
    cr_assert_eq(zc_material_view_from_entry(&e, &m), ZC_OK);
    uint64_t id = m.textures[ZC_MATERIAL_SLOT_BASE_COLOR].texture;
    cr_assert_eq(zc_pack_find_id(pack, id, &t), ZC_OK, "the base colour slot names no entry");
    zc_texture_view v;
    cr_assert_eq(zc_texture_view_from_entry(&t, &v), ZC_OK);
    cr_assert(v.width == 2048 && v.height == 1024, "%ux%u", v.width, v.height);
    zc_pack_close(pack);
    free(ac);
    free(rgb);
}
