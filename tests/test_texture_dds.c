/* test_texture_dds.c - DDS sources (packer/import/texture/zc_dds_read.c): BC2 blocks
 * (which zcpack never writes) decode to BC3's colours and their explicit alpha;
 * damaged, cut, cube-map, array and unknown-format files fail with a sentence and no
 * fault, every cut of a real one included; a tree holding a .dds file packs it as a
 * texture. The round trip of every DDS format zcpack writes, and Pillow's own DDS
 * files, are in test_texture_export.c.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_import_texture.h"
#include "zc_pack.h"
#include "zc_test_images.h"
#include "zc_test_util.h"
#include "zc_texture_pixels.h"

TestSuite(texture_dds, .init = zcti_tree_setup, .fini = zcti_tree_teardown, .timeout = 120);

static void put32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = (uint8_t)(v >> (8 * i));
}

/* A DDS file of one level: the legacy header with `fourcc` (dxgi 0), or the DX10
 * header with `dxgi`, `misc` and `array`; then `n` data bytes. malloc'd. */
static uint8_t *dds_file(uint32_t w, uint32_t h, const char *fourcc, uint32_t caps2, uint32_t dxgi, uint32_t misc,
                         uint32_t array, const void *data, size_t n, size_t *size) {
    size_t head = dxgi ? 148 : 128;
    uint8_t *b = calloc(1, head + n);
    cr_assert_not_null(b);
    memcpy(b, "DDS ", 4);
    put32(b + 4, 124);
    put32(b + 8, 0x1 | 0x2 | 0x4 | 0x1000);
    put32(b + 12, h);
    put32(b + 16, w);
    put32(b + 28, 1);
    put32(b + 76, 32);
    put32(b + 80, 0x4); /* DDPF_FOURCC */
    memcpy(b + 84, dxgi ? "DX10" : fourcc, 4);
    put32(b + 108, 0x1000);
    put32(b + 112, caps2);
    if (dxgi) {
        put32(b + 128, dxgi);
        put32(b + 132, 3); /* TEXTURE2D */
        put32(b + 136, misc);
        put32(b + 140, array);
    }
    if (n) memcpy(b + head, data, n);
    *size = head + n;
    return b;
}

/* `path` imported with the given format and no mips; level 0's tight rows (malloc'd). */
static uint8_t *import_level0(const void *bytes, size_t size, zc_texture_choice format, uint32_t *w, uint32_t *h) {
    zc_texture_settings s;
    memset(&s, 0, sizeof s);
    s.format = format;
    s.mips = ZC_SWITCH_OFF;
    s.srgb = ZC_SWITCH_OFF;
    zc_texture_image img;
    zc_diag diag;
    cr_assert_eq(zc_texture_import_memory(bytes, size, "t.dds", &s, &img, &diag), ZC_OK, "%s", diag.message);
    zc_texture_level_view lv;
    cr_assert_eq(zc_texture_image_level(&img, 0, &lv), ZC_OK);
    uint32_t pixel_format = ((const zc_texture *)img.payload)->format, block = 1, block_bytes = 0;
    cr_assert(zc_pixel_format_block(pixel_format, &block, &block_bytes));
    size_t row = (size_t)zc_texture_row_bytes(pixel_format, lv.width), rows = (lv.height + block - 1) / block;
    uint8_t *out = malloc(rows * row);
    for (size_t y = 0; y < rows; ++y) memcpy(out + y * row, (const uint8_t *)lv.data + y * lv.row_pitch, row);
    *w = lv.width;
    *h = lv.height;
    zc_texture_image_free(&img);
    return out;
}

/* A real image's BC3 blocks made BC2 (the colour half kept, every 4-bit alpha value
 * in turn) and stored as DXT3 decode to BC3's colours with that alpha. */
Test(texture_dds, bc2_blocks_decode_to_their_colours_and_explicit_alpha) {
    zcti_require(ZCTI_PYGAME "/alien1.png");
    size_t png_size;
    uint8_t *png = zct_read_file(ZCTI_PYGAME "/alien1.png", &png_size);
    uint32_t w, h;
    uint8_t *bc3 = import_level0(png, png_size, ZC_TEXTURE_CHOICE_BC3, &w, &h);
    size_t blocks = (size_t)((w + 3) / 4) * ((h + 3) / 4);
    uint8_t *bc2 = malloc(blocks * 16), *want = malloc((size_t)w * h * 4);
    for (size_t b = 0; b < blocks; ++b) {
        uint8_t rgba[64];
        zc_bc_decode_bc3(bc3 + b * 16, rgba);
        memset(bc2 + b * 16, 0, 8);
        for (int i = 0; i < 16; ++i) {
            uint8_t a = (uint8_t)((i + b) % 16);
            bc2[b * 16 + i / 2] |= (uint8_t)(a << (4 * (i % 2)));
            rgba[4 * i + 3] = (uint8_t)(a * 17);
        }
        memcpy(bc2 + b * 16 + 8, bc3 + b * 16 + 8, 8);
        size_t bx = b % ((w + 3) / 4), by = b / ((w + 3) / 4);
        for (uint32_t y = 0; y < 4 && by * 4 + y < h; ++y)
            for (uint32_t x = 0; x < 4 && bx * 4 + x < w; ++x)
                memcpy(want + ((by * 4 + y) * w + bx * 4 + x) * 4, rgba + (y * 4 + x) * 4, 4);
    }
    size_t size;
    uint8_t *dds = dds_file(w, h, "DXT3", 0, 0, 0, 0, bc2, blocks * 16, &size);
    uint32_t dw, dh;
    uint8_t *got = import_level0(dds, size, ZC_TEXTURE_CHOICE_RGBA8, &dw, &dh);
    cr_assert(dw == w && dh == h);
    cr_assert(memcmp(got, want, (size_t)w * h * 4) == 0, "DXT3 texels differ from BC3's colours with BC2's alpha");
    free(got);
    free(dds);
    free(want);
    free(bc2);
    free(bc3);
    free(png);
}

/* Files the reader must refuse, each with its sentence, and every cut of a real DDS
 * file (exact-size copies: a read past the end is a sanitizer error). */
Test(texture_dds, damaged_and_unsupported_files_fail_with_a_sentence) {
    uint8_t block[8] = { 0xff, 0xff, 0, 0, 0, 0, 0, 0 };
    size_t size;
    uint8_t *b = dds_file(4, 4, "DXT1", 0, 0, 0, 0, NULL, 0, &size);
    zcti_expect_import_refused(b, size, "bad.dds", ZC_ERR_BAD_SOURCE, "its first level needs 8 bytes, the file holds 0 after the header");
    free(b);
    b = dds_file(4, 4, "DXT1", 0x200 | 0xFC00, 0, 0, 0, block, 8, &size);
    zcti_expect_import_refused(b, size, "bad.dds", ZC_ERR_BAD_SOURCE, "a DDS cube map, which is not imported");
    free(b);
    b = dds_file(4, 4, "ABCD", 0, 0, 0, 0, block, 8, &size);
    zcti_expect_import_refused(b, size, "bad.dds", ZC_ERR_UNSUPPORTED_CODEC, "a DDS file of FourCC \"ABCD\", which is not imported");
    free(b);
    b = dds_file(100000, 4, "DXT1", 0, 0, 0, 0, block, 8, &size);
    zcti_expect_import_refused(b, size, "bad.dds", ZC_ERR_LIMIT, "image is 100000x4, larger than the 4096 limit");
    free(b);
    b = dds_file(0, 4, "DXT1", 0, 0, 0, 0, block, 8, &size);
    zcti_expect_import_refused(b, size, "bad.dds", ZC_ERR_BAD_SOURCE, "DDS header gives the empty size 0x4");
    free(b);
    b = dds_file(4, 4, NULL, 0, 71, 0, 6, block, 8, &size);
    zcti_expect_import_refused(b, size, "bad.dds", ZC_ERR_BAD_SOURCE, "a DDS texture array, which is not imported");
    free(b);
    b = dds_file(4, 4, NULL, 0, 71, 0x4, 1, block, 8, &size);
    zcti_expect_import_refused(b, size, "bad.dds", ZC_ERR_BAD_SOURCE, "a DDS cube map, which is not imported");
    free(b);
    uint8_t bc6[16] = { 0 };
    b = dds_file(4, 4, NULL, 0, 96, 0, 1, bc6, 16, &size); /* BC6H_SF16: signed */
    zcti_expect_import_refused(b, size, "bad.dds", ZC_ERR_UNSUPPORTED_CODEC, "a DDS file of DXGI format 96, which is not imported");
    free(b);
    b = dds_file(4, 4, "DXT1", 0, 0, 0, 0, block, 8, &size);
    put32(b + 80, 0x40); /* DDPF_RGB, 12 bits per texel */
    put32(b + 88, 12);
    zcti_expect_import_refused(b, size, "bad.dds", ZC_ERR_UNSUPPORTED_CODEC, "a DDS file of 12 bits per texel, which is not imported");
    free(b);

    /* every cut of a real DXT5 file of an odd size */
    zcti_require(ZCTI_PYGAME "/alien1.png");
    size_t png_size;
    uint8_t *png = zct_read_file(ZCTI_PYGAME "/alien1.png", &png_size);
    uint32_t w, h;
    uint8_t *bc3 = import_level0(png, png_size, ZC_TEXTURE_CHOICE_BC3, &w, &h);
    size_t bytes = (size_t)((w + 3) / 4) * ((h + 3) / 4) * 16;
    uint8_t *whole = dds_file(w, h, "DXT5", 0, 0, 0, 0, bc3, bytes, &size);
    uint32_t dw, dh;
    free(import_level0(whole, size, ZC_TEXTURE_CHOICE_RGBA8, &dw, &dh));
    zcti_expect_every_cut_refused(whole, size, "cut.dds", 160, zcti_sanitize_run() ? 61 : 7);
    free(whole);
    free(bc3);
    free(png);
}

/* `zcpack build` makes a .dds file a texture entry, with a full mip chain, in the
 * format the default policy picks for an opaque colour image, and the texels of its
 * level 0 are those of the DDS file. */
Test(texture_dds, build_packs_a_dds_file_as_a_texture) {
    zcti_require(ZCTI_PYGAME "/brick.png");
    size_t png_size;
    uint8_t *png = zct_read_file(ZCTI_PYGAME "/brick.png", &png_size);
    uint32_t w, h;
    uint8_t *bc1 = import_level0(png, png_size, ZC_TEXTURE_CHOICE_BC1, &w, &h);
    size_t size, bytes = (size_t)((w + 3) / 4) * ((h + 3) / 4) * 8;
    uint8_t *dds = dds_file(w, h, "DXT1", 0, 0, 0, 0, bc1, bytes, &size);
    zct_put(zcti_in_dir, "walls/brick.dds", dds, size);
    zct_run run = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path);
    cr_assert_eq(run.code, 0, "%s", run.err);
    cr_assert_null(strstr(run.err, "brick.dds"), "a warning names the file: %s", run.err);
    zct_run_free(&run);
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, "walls/brick.dds", &e), ZC_OK);
    zc_texture_view v;
    cr_assert_eq(zc_texture_view_from_entry(&e, &v), ZC_OK);
    cr_assert(v.width == w && v.height == h && v.mip_count > 1, "%ux%u, %u levels", v.width, v.height, v.mip_count);
    cr_assert_eq(v.format, ZC_PIXEL_BC1_SRGB, "format %s", zc_pixel_format_name(v.format));
    zc_texture_level_view lv;
    cr_assert_eq(zc_texture_view_level(&v, 0, 0, &lv), ZC_OK);
    for (uint32_t y = 0; y < (h + 3) / 4; ++y)
        cr_assert(memcmp((const uint8_t *)lv.data + (size_t)y * lv.row_pitch, bc1 + (size_t)y * ((w + 3) / 4) * 8,
                         (size_t)((w + 3) / 4) * 8) == 0,
                  "block row %u of level 0 differs from the DDS file's", y);
    zc_pack_close(pack);
    free(dds);
    free(bc1);
    free(png);
}
