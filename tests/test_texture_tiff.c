/* test_texture_tiff.c - TIFF sources (packer/import/texture/zc_tiff_read.c): pygame's
 * turquoise.tif (a 4-bit palette, LZW), TIFF files Pillow writes from real PNGs in
 * every compression it offers (none, LZW, Deflate, PackBits) and mode (bilevel, grey,
 * palette, RGB, RGBA) and with premultiplied alpha, files netpbm's pamtotiff writes with 16 bits
 * per sample and horizontal differencing, and libtiff's tiffcp with differencing on
 * 8 bits, import to exactly the texels Pillow decodes from them; a tiled or
 * JPEG-compressed TIFF is packed as a blob with a warning; damaged, cut and unsupported
 * files fail with a sentence and no fault. Skipped, saying why, where Pillow, netpbm
 * or libtiff's tools are missing (tools/bootstrap.sh --test-data installs them).
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

TestSuite(texture_tiff, .init = zcti_tree_setup, .fini = zcti_tree_teardown, .timeout = 180);

static void need_tools(void) {
    zcti_need_pillow("TiffImagePlugin");
    if (access("/usr/bin/pamtotiff", X_OK) != 0 || access("/usr/bin/pngtopnm", X_OK) != 0)
        zct_skip_test("netpbm is not installed (tools/bootstrap.sh --test-data: netpbm)");
    if (access("/usr/bin/tiffcp", X_OK) != 0)
        zct_skip_test("libtiff's tools are not installed (tools/bootstrap.sh --test-data: libtiff-tools)");
}

Test(texture_tiff, a_real_file_imports_to_the_texels_pillow_decodes) {
    need_tools();
    zcti_require(ZCTI_PYGAME "/turquoise.tif");
    zcti_expect_pillow_texels(ZCTI_PYGAME "/turquoise.tif", "turquoise.tif (4-bit palette, LZW)");
}

Test(texture_tiff, pillow_files_import_to_the_texels_pillow_decodes) {
    need_tools();
    const char *sources[] = { ZCTI_PYGAME "/alien1.png", ZCTI_PYGAME "/midikeys.png", ZCTI_PYGAME "/fist.png" };
    const char *modes[] = { "1", "L", "P", "RGB", "RGBA" };
    const char *compressions[] = { "raw", "tiff_lzw", "tiff_adobe_deflate", "packbits" };
    for (size_t i = 0; i < sizeof sources / sizeof sources[0]; ++i)
        for (size_t m = 0; m < sizeof modes / sizeof modes[0]; ++m)
            for (size_t c = 0; c < sizeof compressions / sizeof compressions[0]; ++c) {
                zcti_require(sources[i]);
                char *tiff = zct_tmp_path("pillow.tif");
                char code[256], what[160];
                snprintf(code, sizeof code,
                         "import sys\nfrom PIL import Image\n"
                         "Image.open(sys.argv[1]).convert('RGBA').convert('%s').save(sys.argv[2], compression='%s')\n",
                         modes[m], compressions[c]);
                zcti_python(code, sources[i], tiff);
                snprintf(what, sizeof what, "%s as TIFF mode %s, %s", strrchr(sources[i], '/') + 1, modes[m],
                         compressions[c]);
                zcti_expect_pillow_texels(tiff, what);
                free(tiff);
            }
}

/* Premultiplied alpha (ExtraSamples 1), which Pillow reads but does not write: a file
 * it writes with straight alpha, marked premultiplied, imports to the colours Pillow
 * divides out. */
Test(texture_tiff, premultiplied_alpha_is_divided_out) {
    need_tools();
    zcti_require(ZCTI_PYGAME "/midikeys.png");
    char *tiff = zct_tmp_path("premultiplied.tif");
    zcti_python("import sys, struct\nfrom PIL import Image\n"
                "Image.open(sys.argv[1]).convert('RGBA').save(sys.argv[2])\n"
                "b = bytearray(open(sys.argv[2], 'rb').read())\n"
                "ifd = struct.unpack_from('<I', b, 4)[0]\n"
                "for i in range(struct.unpack_from('<H', b, ifd)[0]):\n"
                "    e = ifd + 2 + 12 * i\n"
                "    if struct.unpack_from('<H', b, e)[0] == 338: struct.pack_into('<H', b, e + 8, 1)\n"
                "open(sys.argv[2], 'wb').write(b)\n"
                "assert Image.open(sys.argv[2]).tag_v2.get(338) == (1,)\n",
                ZCTI_PYGAME "/midikeys.png", tiff);
    zcti_expect_pillow_texels(tiff, "midikeys.png as premultiplied RGBA");
    free(tiff);
}

Test(texture_tiff, netpbm_and_libtiff_files_import_to_the_texels_pillow_decodes) {
    need_tools();
    zcti_require(ZCTI_PYGAME "/fist.png");
    zcti_require(ZCTI_PYGAME "/brick.png");
    static const char *const ways[] = {
        "pamtotiff -lzw -predictor=2",                     /* RGB, 8 bits, differencing */
        "pnmdepth 65535 | pamtotiff -lzw -predictor=2",    /* RGB, 16 bits, differencing */
        "pnmdepth 65535 | pamtotiff -flate",               /* RGB, 16 bits, Deflate */
        "ppmtopgm | pnmdepth 65535 | pamtotiff -packbits", /* grey, 16 bits */
        "pamtotiff -lsb2msb -lzw",                         /* bits filled from the low end */
        "pamtotiff -lsb2msb -packbits -truecolor",         /* the same, PackBits */
        "pamtotiff -lsb2msb",                              /* the same, uncompressed */
        "pamtotiff -rowsperstrip=7 -flate -predictor=2",   /* many strips */
    };
    const char *sources[] = { ZCTI_PYGAME "/fist.png", ZCTI_PYGAME "/brick.png" };
    for (size_t i = 0; i < 2; ++i)
        for (size_t k = 0; k < sizeof ways / sizeof ways[0]; ++k) {
            char *tiff = zct_tmp_path("netpbm.tif");
            char command[1024], what[256];
            snprintf(command, sizeof command, "pngtopnm '%s' 2>/dev/null | %s > '%s' 2>/dev/null", sources[i], ways[k], tiff);
            zcti_shell(command);
            snprintf(what, sizeof what, "%s through `%s`", strrchr(sources[i], '/') + 1, ways[k]);
            zcti_expect_pillow_texels(tiff, what);
            free(tiff);
        }
    /* libtiff's own writer, with differencing on 8-bit RGBA, big-endian */
    char *from = zct_tmp_path("from.tif"), *tiff = zct_tmp_path("tiffcp.tif");
    zcti_python("import sys\nfrom PIL import Image\nImage.open(sys.argv[1]).convert('RGBA').save(sys.argv[2])\n",
                ZCTI_PYGAME "/fist.png", from);
    char command[1024];
    snprintf(command, sizeof command, "tiffcp -B -c lzw:2 '%s' '%s'", from, tiff);
    zcti_shell(command);
    zcti_expect_pillow_texels(tiff, "fist.png through `tiffcp -B -c lzw:2`");
    free(from);
    free(tiff);
}

/* Tiled and JPEG-compressed TIFF files are not read: `zcpack build` packs them as
 * their bytes with the reader's reason, while a TIFF it reads becomes a texture. */
Test(texture_tiff, build_packs_unread_kinds_as_blobs_with_a_warning) {
    need_tools();
    zcti_require(ZCTI_PYGAME "/fist.png");
    char *source = zct_tmp_path("source.tif");
    zcti_python("import sys\nfrom PIL import Image\nImage.open(sys.argv[1]).convert('RGB').save(sys.argv[2])\n",
                ZCTI_PYGAME "/fist.png", source);
    char *tiled = zct_join(zcti_in_dir, "art/tiled.tif"), *jpeg = zct_join(zcti_in_dir, "art/photo.tiff"),
         *plain = zct_join(zcti_in_dir, "art/plain.tif");
    zct_write_file(plain, "", 0); /* the folder */
    char command[2048];
    snprintf(command, sizeof command, "tiffcp -t -c lzw '%s' '%s' && tiffcp -r 16 -c jpeg '%s' '%s' && cp '%s' '%s'",
             source, tiled, source, jpeg, source, plain);
    zcti_shell(command);
    zct_run r = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path);
    cr_assert_eq(r.code, 0, "%s", r.err);
    ZCT_EXPECT_ERR(r, "art/tiled.tif: a tiled TIFF image, which is not imported (images in strips are): packed as raw bytes");
    ZCT_EXPECT_ERR(r, "art/photo.tiff: a TIFF image with compression scheme 7, which is not imported: packed as raw bytes");
    cr_assert(strstr(r.out, "(1 texture, 0 models)"), "the summary counts the blobs as textures:\n%s", r.out);
    zct_run_free(&r);
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, "art/tiled.tif", &e), ZC_OK);
    cr_expect_eq(e.type, ZC_TYPE_BLOB);
    cr_assert_eq(zc_pack_find(pack, "art/photo.tiff", &e), ZC_OK);
    cr_expect_eq(e.type, ZC_TYPE_BLOB);
    cr_assert_eq(zc_pack_find(pack, "art/plain.tif", &e), ZC_OK);
    zc_texture_view v;
    cr_assert_eq(zc_texture_view_from_entry(&e, &v), ZC_OK);
    cr_assert(v.width == 300 && v.height == 424, "%ux%u", v.width, v.height);
    zc_pack_close(pack);
    free(source);
    free(tiled);
    free(jpeg);
    free(plain);
}

/* Damaged directories, unsupported kinds, broken strips and every cut of real files:
 * a sentence each, no fault (exact-size copies: a read past the end is a sanitizer
 * error). */
Test(texture_tiff, damaged_cut_and_unsupported_files_fail_with_a_sentence) {
    need_tools();
    zcti_require(ZCTI_PYGAME "/turquoise.tif");
    zcti_require(ZCTI_PYGAME "/alien1.png");
    size_t size;
    uint8_t *lzw = zct_read_file(ZCTI_PYGAME "/turquoise.tif", &size);
    char *raw_path = zct_tmp_path("raw.tif"), *deflate_path = zct_tmp_path("deflate.tif");
    zcti_python("import sys\nfrom PIL import Image\nim = Image.open(sys.argv[1]).convert('RGBA')\n"
                "im.save(sys.argv[2])\nim.save(sys.argv[2] + '.z', 'TIFF', compression='tiff_adobe_deflate')\n",
                ZCTI_PYGAME "/alien1.png", raw_path);
    size_t raw_size, deflate_size;
    uint8_t *raw = zct_read_file(raw_path, &raw_size);
    snprintf(deflate_path, strlen(deflate_path) + 1, "%s", raw_path);
    char *z = zct_tmp_path("raw.tif.z");
    uint8_t *deflate = zct_read_file(z, &deflate_size);
    zcti_expect_every_cut_refused(raw, raw_size, "cut.tif", 512, 997);
    zcti_expect_every_cut_refused(deflate, deflate_size, "cut.tif", 512, 1);

    uint8_t *m = malloc(raw_size);
    memcpy(m, raw, raw_size);
    m[7] = 0x7F; /* the first directory far past the end */
    zcti_expect_import_refused(m, raw_size, "bad.tif", ZC_ERR_BAD_SOURCE, "its first directory lies outside the file");
    /* every LZW code of turquoise.tif's strip replaced by 0xFF: codes past the table */
    memcpy(m, lzw, size);
    for (size_t i = 8; i < 47; ++i) m[i] = 0xFF;
    zcti_expect_import_refused(m, size, "bad.tif", ZC_ERR_BAD_SOURCE, "strip 0 does not decode to its 32 rows");
    free(m);
    free(raw);
    free(deflate);
    free(lzw);
    free(raw_path);
    free(deflate_path);
    free(z);
}
