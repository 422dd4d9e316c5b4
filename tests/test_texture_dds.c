/* test_texture_dds.c - DDS sources (packer/import/texture/zc_dds_read.c and
 * zc_dds_keep.c): BC2 blocks (which zcpack never writes) decode to BC3's colours and
 * their explicit alpha; files in a format the rules store are kept as they are, every
 * level of every layer and cube face byte for byte (files zcpack's own DDS export
 * wrote, in every format it writes, and hand-made cube maps and arrays), and rules
 * asking for another format, size or level count are honoured; damaged, cut and
 * unknown-format files fail with a sentence and no fault, every cut of a real one
 * included; a tree holding a .dds file packs it as a texture. The level-0 round trip
 * through decoding, and Pillow's own DDS files, are in test_texture_export.c.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_import_texture.h"
#include "zc_pack.h"
#include "zc_texture_export.h"
#include "zc_test_images.h"
#include "zc_test_util.h"
#include "zc_texture_pixels.h"

TestSuite(texture_dds, .init = zcti_tree_setup, .fini = zcti_tree_teardown, .timeout = 120);

static void put32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = (uint8_t)(v >> (8 * i));
}

/* A DDS file of `mips` levels: the legacy header with `fourcc` (dxgi 0), or the DX10
 * header with `dxgi`, `misc` and `array`; then `n` data bytes. malloc'd. */
static uint8_t *dds_mips(uint32_t w, uint32_t h, uint32_t mips, const char *fourcc, uint32_t caps2, uint32_t dxgi,
                         uint32_t misc, uint32_t array, const void *data, size_t n, size_t *size) {
    zcti_dds_desc d = { .width = w, .height = h, .mips = mips, .fourcc = fourcc, .caps2 = caps2, .dxgi = dxgi,
                        .misc = misc, .array = array, .data = data, .n = n };
    return zcti_dds(&d, size);
}

/* The same with one level. */
static uint8_t *dds_file(uint32_t w, uint32_t h, const char *fourcc, uint32_t caps2, uint32_t dxgi, uint32_t misc,
                         uint32_t array, const void *data, size_t n, size_t *size) {
    return dds_mips(w, h, 1, fourcc, caps2, dxgi, misc, array, data, n, size);
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
    zcti_expect_import_refused(b, size, "bad.dds", ZC_ERR_BAD_SOURCE, "its 1 level of 1 layer need 8 bytes, the file holds 0 after the header");
    free(b);
    b = dds_file(4, 4, "DXT1", 0x200 | 0xFC00, 0, 0, 0, block, 8, &size);
    zcti_expect_import_refused(b, size, "bad.dds", ZC_ERR_BAD_SOURCE, "its 1 level of 6 layers need 48 bytes, the file holds 8 after the header");
    free(b);
    b = dds_file(4, 4, "DXT1", 0x200 | 0x0C00, 0, 0, 0, block, 8, &size);
    zcti_expect_import_refused(b, size, "bad.dds", ZC_ERR_UNSUPPORTED_CODEC, "a DDS cube map without all six faces");
    free(b);
    b = dds_mips(4, 4, 4, "DXT1", 0, 0, 0, 0, block, 8, &size);
    zcti_expect_import_refused(b, size, "bad.dds", ZC_ERR_BAD_SOURCE, "DDS header gives 4 mip levels, more than a 4x4 image has");
    free(b);
    b = dds_file(8, 4, NULL, 0, 71, 0x4, 1, NULL, 0, &size);
    zcti_expect_import_refused(b, size, "bad.dds", ZC_ERR_BAD_SOURCE, "a DDS cube map of 8x4 faces, which are not square");
    free(b);
    b = dds_file(4, 4, NULL, 0, 71, 0, 3000, NULL, 0, &size);
    zcti_expect_import_refused(b, size, "bad.dds", ZC_ERR_LIMIT, "a DDS texture array of 3000 layers, more than the 2048");
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
    zcti_expect_import_refused(b, size, "bad.dds", ZC_ERR_BAD_SOURCE, "its 1 level of 6 layers need 48 bytes");
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

/* ---------------------------------------------------------------------------------
 * Files kept as they are
 * ------------------------------------------------------------------------------- */

/* `bytes` imported under `s` (NULL: defaults) as `name`; must succeed. */
static zc_texture_view import_view(const uint8_t *bytes, size_t size, const char *name, const zc_texture_settings *s,
                                   zc_texture_image *img) {
    zc_diag diag;
    cr_assert_eq(zc_texture_import_memory(bytes, size, name, s, img, &diag), ZC_OK, "%s: %s", name, diag.message);
    zc_texture_view v;
    cr_assert_eq(zc_texture_import_view(img, &v), ZC_OK);
    return v;
}

/* The texture of view `v` written as a DDS file by zcpack's export (malloc'd). */
static uint8_t *export_dds(const zc_texture_view *v, size_t *size) {
    uint8_t *out;
    zc_diag diag;
    cr_assert_eq(zc_texture_export(v, ZC_TEXTURE_DDS, &out, size, &diag), ZC_OK, "%s", diag.message);
    return out;
}

/* Every level of every layer of `a` and `b` holds the same bytes; same format,
 * extent, levels, layers, and flags once `flag_mask` is applied. */
static void expect_same_texture(const zc_texture_view *a, const zc_texture_view *b, uint32_t flag_mask,
                                const char *what) {
    cr_assert(a->format == b->format && a->width == b->width && a->height == b->height &&
                  a->layers == b->layers && a->mip_count == b->mip_count &&
                  (a->flags & flag_mask) == (b->flags & flag_mask),
              "%s: %s %ux%u, %u levels, %u layers, flags 0x%x against %s %ux%u, %u levels, %u layers, flags 0x%x",
              what, zc_pixel_format_name(a->format), a->width, a->height, a->mip_count, a->layers, a->flags,
              zc_pixel_format_name(b->format), b->width, b->height, b->mip_count, b->layers, b->flags);
    for (uint32_t layer = 0; layer < a->layers; ++layer)
        for (uint32_t i = 0; i < a->mip_count; ++i) {
            zc_texture_level_view la, lb;
            cr_assert_eq(zc_texture_view_level(a, i, layer, &la), ZC_OK);
            cr_assert_eq(zc_texture_view_level(b, i, layer, &lb), ZC_OK);
            uint32_t block = 1, block_bytes = 1;
            zc_pixel_format_block(a->format, &block, &block_bytes);
            size_t row = (size_t)zc_texture_row_bytes(a->format, la.width), rows = (la.height + block - 1) / block;
            cr_assert(la.width == lb.width && la.height == lb.height, "%s: level %u extent", what, i);
            for (size_t y = 0; y < rows; ++y)
                cr_assert(memcmp((const uint8_t *)la.data + y * la.row_pitch, (const uint8_t *)lb.data + y * lb.row_pitch,
                                 row) == 0,
                          "%s: level %u of layer %u differs in block row %zu", what, i, layer, y);
        }
}

/* A texture zcpack made from a real image in every format its DDS export writes,
 * with its whole mip chain, comes back from that DDS file as the same texture, byte
 * for byte: block-compressed and RGBA16F files under the default rules, the others
 * when the rule names their format. Nothing is decoded and encoded again. */
Test(texture_dds, files_in_a_stored_format_are_kept_level_for_level) {
    zcti_require(ZCTI_PYGAME "/alien1.png");
    size_t png_size;
    uint8_t *png = zct_read_file(ZCTI_PYGAME "/alien1.png", &png_size);
    static const struct { zc_texture_choice format; int srgb, named; } cases[] = {
        { ZC_TEXTURE_CHOICE_BC1, 0, 0 },  { ZC_TEXTURE_CHOICE_BC1, 1, 0 },     { ZC_TEXTURE_CHOICE_BC3, 1, 0 },
        { ZC_TEXTURE_CHOICE_BC4, 0, 0 },  { ZC_TEXTURE_CHOICE_BC5, 0, 0 },     { ZC_TEXTURE_CHOICE_BC7, 0, 0 },
        { ZC_TEXTURE_CHOICE_BC7, 1, 0 },  { ZC_TEXTURE_CHOICE_BC6H, 0, 0 },    { ZC_TEXTURE_CHOICE_RGBA16F, 0, 0 },
        { ZC_TEXTURE_CHOICE_RGBA8, 1, 1 }, { ZC_TEXTURE_CHOICE_RGBA8, 0, 1 },  { ZC_TEXTURE_CHOICE_R8, 0, 1 },
        { ZC_TEXTURE_CHOICE_RG8, 0, 1 },  { ZC_TEXTURE_CHOICE_RGBA32F, 0, 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; ++i) {
        zc_texture_settings made = { .format = cases[i].format, .srgb = cases[i].srgb ? ZC_SWITCH_ON : ZC_SWITCH_OFF };
        zc_texture_image a, b;
        zc_texture_view va = import_view(png, png_size, "alien1.png", &made, &a);
        size_t size;
        uint8_t *dds = export_dds(&va, &size);
        /* zcpack writes UNORM BC1, BC3 and RGBA8 with the legacy header, which does not say
         * UNORM or sRGB: the rule says */
        zc_texture_settings back = { .format = cases[i].named ? cases[i].format : ZC_TEXTURE_CHOICE_AUTO,
                                     .srgb = made.srgb };
        zc_texture_view vb = import_view(dds, size, "alien1.dds", &back, &b);
        char what[64];
        snprintf(what, sizeof what, "%s through DDS", zc_pixel_format_name(va.format));
        cr_assert_gt(va.mip_count, 1);
        /* a float file is an HDR source, which the PNG was not */
        int is_float = va.format == ZC_PIXEL_BC6H_UFLOAT || va.format == ZC_PIXEL_RGBA16_FLOAT ||
                       va.format == ZC_PIXEL_RGBA32_FLOAT;
        expect_same_texture(&va, &vb, ~(uint32_t)ZC_TEXTURE_HDR, what);
        cr_assert_eq((vb.flags & ZC_TEXTURE_HDR) != 0, is_float, "%s: HDR flag", what);
        zc_texture_image_free(&a);
        zc_texture_image_free(&b);
        free(dds);
    }
    free(png);
}

/* An image made of random texels (no block encoder finds it easy), written as PNG;
 * its path (malloc'd). */
static char *noise_png(const char *name, uint32_t w, uint32_t h) {
    uint8_t *texels = malloc((size_t)w * h * 4);
    uint32_t x = 0x9E3779B9u;
    for (size_t i = 0; i < (size_t)w * h * 4; ++i) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        texels[i] = (uint8_t)(i % 4 == 3 ? 255 : x >> 24);
    }
    char *path = zct_join(zct_tmp, name);
    zcti_write_png(path, w, h, 4, texels);
    free(texels);
    return path;
}

/* Cube maps and texture arrays, which cannot be decoded into one image, are kept with
 * every face or layer and level; their cuts are refused; a rule asking for another
 * format refuses them with a sentence saying why. */
Test(texture_dds, cube_maps_and_arrays_are_kept_with_every_face_and_layer) {
    char *panorama = noise_png("panorama.png", 128, 64), *strip = noise_png("strip.png", 40, 120);
    zc_texture_settings cube = { .format = ZC_TEXTURE_CHOICE_BC1, .cubemap = ZC_SWITCH_ON };
    zc_texture_settings array = { .format = ZC_TEXTURE_CHOICE_BC7, .layers = 3 };
    const char *sources[] = { panorama, strip };
    const zc_texture_settings *settings[] = { &cube, &array };
    for (int k = 0; k < 2; ++k) {
        size_t png_size;
        uint8_t *png = zct_read_file(sources[k], &png_size);
        zc_texture_image a, b;
        zc_texture_view va = import_view(png, png_size, "layers.png", settings[k], &a);
        cr_assert_eq(va.layers, k == 0 ? 6u : 3u);
        size_t size;
        uint8_t *dds = export_dds(&va, &size);
        zc_texture_view vb = import_view(dds, size, "layers.dds", NULL, &b);
        expect_same_texture(&va, &vb, ~0u, k == 0 ? "cube map through DDS" : "array through DDS");
        cr_assert_eq((vb.flags & ZC_TEXTURE_CUBE) != 0, k == 0);

        zc_texture_settings other = { .format = ZC_TEXTURE_CHOICE_RGBA8 };
        zc_texture_image c;
        zc_diag diag;
        cr_assert_eq(zc_texture_import_memory(dds, size, "layers.dds", &other, &c, &diag), ZC_ERR_BAD_SOURCE);
        const char *want = k == 0 ? "a DDS cube map is imported only as the file stores it (its own format, levels and "
                                    "faces), and the rules for this file ask for another format or size"
                                  : "a DDS texture array is imported only as the file stores it";
        cr_assert(strstr(diag.message, want), "%s", diag.message);
        zcti_expect_every_cut_refused(dds, size, "layers.dds", 200, zcti_sanitize_run() ? 97 : 13);
        zc_texture_image_free(&a);
        zc_texture_image_free(&b);
        free(dds);
        free(png);
    }
    free(panorama);
    free(strip);
}

/* The rules still decide: another format decodes the file and builds a new chain;
 * "mips": false keeps level 0; "max_size" starts at the file's first level that fits,
 * or decodes when the file holds none; --no-compress and the mobile profile decode a
 * block-compressed file; "srgb" picks the variant, and a file that does not say is
 * sRGB unless it is a normal map. */
Test(texture_dds, rules_for_another_format_size_or_levels_are_honoured) {
    char *path = noise_png("noise.png", 64, 32);
    size_t png_size;
    uint8_t *png = zct_read_file(path, &png_size);
    zc_texture_image a;
    zc_texture_view va = import_view(png, png_size, "noise.png",
                                     &(zc_texture_settings){ .format = ZC_TEXTURE_CHOICE_BC7, .srgb = ZC_SWITCH_OFF }, &a);
    size_t size;
    uint8_t *dds = export_dds(&va, &size);
    cr_assert_eq(va.mip_count, 7u);
    zc_texture_image b;
    zc_texture_view vb;

    vb = import_view(dds, size, "n.dds", &(zc_texture_settings){ .format = ZC_TEXTURE_CHOICE_BC1 }, &b);
    cr_assert(vb.format == ZC_PIXEL_BC1_SRGB && vb.mip_count == 7, "%s, %u levels", zc_pixel_format_name(vb.format), vb.mip_count);
    zc_texture_image_free(&b);

    vb = import_view(dds, size, "n.dds", &(zc_texture_settings){ .mips = ZC_SWITCH_OFF }, &b);
    cr_assert_eq(vb.mip_count, 1u);
    cr_assert(memcmp(zcti_level(&vb, 0).data, zcti_level(&va, 0).data, (size_t)zcti_level(&va, 0).size) == 0);
    zc_texture_image_free(&b);

    vb = import_view(dds, size, "n.dds", &(zc_texture_settings){ .max_size = 20 }, &b);
    cr_assert(vb.width == 16 && vb.height == 8 && vb.mip_count == 5 && vb.format == va.format, "%ux%u, %u levels",
              vb.width, vb.height, vb.mip_count);
    for (uint32_t i = 0; i < 5; ++i) {
        zc_texture_level_view got = zcti_level(&vb, i), want = zcti_level(&va, i + 2);
        cr_assert(got.size == want.size && memcmp(got.data, want.data, (size_t)got.size) == 0, "level %u", i);
    }
    zc_texture_image_free(&b);

    /* a file of level 0 alone, asked for 20 texels: decoded and halved */
    zc_texture_image one;
    zc_texture_view vone = import_view(png, png_size, "noise.png",
                                       &(zc_texture_settings){ .format = ZC_TEXTURE_CHOICE_BC7, .mips = ZC_SWITCH_OFF }, &one);
    size_t one_size;
    uint8_t *one_dds = export_dds(&vone, &one_size);
    vb = import_view(one_dds, one_size, "n.dds", &(zc_texture_settings){ .max_size = 20 }, &b);
    cr_assert(vb.width == 16 && vb.height == 8 && vb.mip_count == 5, "%ux%u, %u levels", vb.width, vb.height, vb.mip_count);
    zc_texture_image_free(&b);
    vb = import_view(one_dds, one_size, "n.dds", NULL, &b);
    cr_assert_eq(vb.mip_count, 1u, "a file without mips gives a texture without mips");
    zc_texture_image_free(&b);

    vb = import_view(dds, size, "n.dds", &(zc_texture_settings){ .no_compress = 1 }, &b);
    cr_assert_eq(vb.format, ZC_PIXEL_RGBA8_SRGB, "%s", zc_pixel_format_name(vb.format));
    zc_texture_image_free(&b);
    vb = import_view(dds, size, "n.dds", &(zc_texture_settings){ .profile = ZC_TEXTURE_PROFILE_MOBILE }, &b);
    cr_assert_eq(vb.format, ZC_PIXEL_ASTC_6x6_SRGB, "%s", zc_pixel_format_name(vb.format));
    zc_texture_image_free(&b);

    /* sRGB: the DX10 file says UNORM (BC7 made without srgb), the rule may say otherwise */
    vb = import_view(dds, size, "n.dds", NULL, &b);
    cr_assert_eq(vb.format, ZC_PIXEL_BC7_UNORM);
    zc_texture_image_free(&b);
    vb = import_view(dds, size, "n.dds", &(zc_texture_settings){ .srgb = ZC_SWITCH_ON }, &b);
    cr_assert_eq(vb.format, ZC_PIXEL_BC7_SRGB);
    zc_texture_image_free(&b);
    /* a legacy DXT1 file does not say: sRGB, or UNORM with the normal-map flag for rock_n */
    zc_texture_image bc1;
    zc_texture_view vbc1 = import_view(png, png_size, "noise.png", &(zc_texture_settings){ .format = ZC_TEXTURE_CHOICE_BC1 }, &bc1);
    zc_texture_level_view l0 = zcti_level(&vbc1, 0);
    size_t legacy_size;
    uint8_t *legacy = dds_file(64, 32, "DXT1", 0, 0, 0, 0, l0.data, (size_t)l0.size, &legacy_size);
    vb = import_view(legacy, legacy_size, "rock.dds", NULL, &b);
    cr_assert(vb.format == ZC_PIXEL_BC1_SRGB && !(vb.flags & ZC_TEXTURE_NORMAL_MAP));
    zc_texture_image_free(&b);
    vb = import_view(legacy, legacy_size, "rock_n.dds", NULL, &b);
    cr_assert(vb.format == ZC_PIXEL_BC1_UNORM && (vb.flags & ZC_TEXTURE_NORMAL_MAP));
    cr_assert(memcmp(zcti_level(&vb, 0).data, l0.data, (size_t)l0.size) == 0);
    zc_texture_image_free(&b);

    free(legacy);
    zc_texture_image_free(&bc1);
    free(one_dds);
    zc_texture_image_free(&one);
    free(dds);
    zc_texture_image_free(&a);
    free(png);
    free(path);
}

/* `zcpack build` makes a .dds file a texture entry holding the file's own blocks: a
 * file of one level gives one level. */
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
    cr_assert(v.width == w && v.height == h && v.mip_count == 1, "%ux%u, %u levels", v.width, v.height, v.mip_count);
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

/* samples/textures, the tree `make demo` packs, gives what its manifest asks for: the
 * HDR panorama a BC6H cube map, the terrain folder a BC7 array of three layers, the
 * badge ASTC 6x6, and the DDS file its own levels, each one colour as the file made
 * them (a chain rebuilt from level 0 would be red throughout). */
Test(texture_dds, sample_texture_tree_packs_as_its_manifest_says) {
    zct_run run = ZCT_CLI("build", zct_source_path("samples/textures"), "-o", zcti_pack_path);
    cr_assert_eq(run.code, 0, "%s", run.err);
    zct_run_free(&run);
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    static const struct { const char *path; zc_pixel_format format; uint32_t layers, flags; } want[] = {
        { "sky.hdr", ZC_PIXEL_BC6H_UFLOAT, 6, ZC_TEXTURE_CUBE | ZC_TEXTURE_HDR },
        { "terrain/a_grass.png", ZC_PIXEL_BC7_SRGB, 3, 0 },
        { "decal.png", ZC_PIXEL_BC7_SRGB, 1, ZC_TEXTURE_HAS_ALPHA },
        { "badge.png", ZC_PIXEL_ASTC_6x6_SRGB, 1, 0 },
        { "mip_colours.dds", ZC_PIXEL_RGBA8_UNORM, 1, 0 },
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; ++i) {
        zc_entry e;
        zc_texture_view v;
        zcti_pack_texture(pack, want[i].path, &e, &v);
        cr_assert(v.format == want[i].format && v.layers == want[i].layers && (v.flags & want[i].flags) == want[i].flags,
                  "%s: %s, %u layers, flags 0x%x", want[i].path, zc_pixel_format_name(v.format), v.layers, v.flags);
    }
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, "terrain/b_rock.png", &e), ZC_ERR_NO_ENTRY, "a layer has no entry of its own");
    zc_texture_view v;
    zcti_pack_texture(pack, "mip_colours.dds", &e, &v);
    static const uint8_t colours[6][3] = { { 255, 0, 0 }, { 255, 160, 0 }, { 240, 240, 0 },
                                           { 0, 200, 0 }, { 0, 120, 255 }, { 160, 0, 255 } };
    cr_assert_eq(v.mip_count, 6u);
    for (uint32_t level = 0; level < 6; ++level) {
        zc_texture_level_view lv = zcti_level(&v, level);
        cr_assert_eq(lv.width, 32u >> level);
        for (uint32_t y = 0; y < lv.height; ++y)
            for (uint32_t x = 0; x < lv.width; ++x) {
                const uint8_t *t = (const uint8_t *)lv.data + (size_t)y * lv.row_pitch + x * 4;
                cr_assert(t[0] == colours[level][0] && t[1] == colours[level][1] && t[2] == colours[level][2],
                          "level %u texel (%u, %u) is %u,%u,%u", level, x, y, t[0], t[1], t[2]);
            }
    }
    zc_pack_close(pack);
}
