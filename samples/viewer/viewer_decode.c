/* viewer_decode.c - level 0 of a texture view as RGBA8: uncompressed RGBA8 rows are
 * copied, BC1 and BC3 blocks are decoded by the small decoder below (the sample uses
 * the public API and its own code only). */
#include "viewer_raster.h"

#include <stdlib.h>
#include <string.h>

/* The four colours of a BC1/BC3 colour block: endpoints in RGB565, then two
 * interpolated colours, or (BC1 with c0 <= c1) their midpoint and transparent black. */
static void vr__color_palette(const uint8_t *block, int three_colour_mode, uint8_t palette[4][4]) {
    uint16_t c[2] = { (uint16_t)(block[0] | block[1] << 8), (uint16_t)(block[2] | block[3] << 8) };
    for (int e = 0; e < 2; ++e) {
        uint32_t r = (c[e] >> 11) & 31, g = (c[e] >> 5) & 63, b = c[e] & 31;
        palette[e][0] = (uint8_t)(r << 3 | r >> 2);
        palette[e][1] = (uint8_t)(g << 2 | g >> 4);
        palette[e][2] = (uint8_t)(b << 3 | b >> 2);
        palette[e][3] = 255;
    }
    int four = !three_colour_mode || c[0] > c[1];
    for (int k = 0; k < 3; ++k) {
        int a = palette[0][k], b = palette[1][k];
        palette[2][k] = (uint8_t)(four ? (2 * a + b + 1) / 3 : (a + b + 1) / 2);
        palette[3][k] = (uint8_t)(four ? (a + 2 * b + 1) / 3 : 0);
    }
    palette[2][3] = 255;
    palette[3][3] = four ? 255 : 0;
}

/* Texel i (row-major in the 4x4 block) of a colour block. */
static const uint8_t *vr__color_texel(const uint8_t *block, const uint8_t palette[4][4], int i) {
    uint32_t bits = (uint32_t)block[4] | (uint32_t)block[5] << 8 | (uint32_t)block[6] << 16 | (uint32_t)block[7] << 24;
    return palette[(bits >> (2 * i)) & 3];
}

/* The eight alphas of a BC3 alpha block, and the 3-bit index of texel i. */
static void vr__alpha_palette(const uint8_t *block, uint8_t alpha[8]) {
    int a0 = block[0], a1 = block[1];
    alpha[0] = (uint8_t)a0;
    alpha[1] = (uint8_t)a1;
    if (a0 > a1) {
        for (int k = 1; k < 7; ++k) alpha[k + 1] = (uint8_t)(((7 - k) * a0 + k * a1 + 3) / 7);
    } else {
        for (int k = 1; k < 5; ++k) alpha[k + 1] = (uint8_t)(((5 - k) * a0 + k * a1 + 2) / 5);
        alpha[6] = 0;
        alpha[7] = 255;
    }
}

static int vr__alpha_index(const uint8_t *block, int i) {
    uint64_t bits = 0;
    for (int k = 0; k < 6; ++k) bits |= (uint64_t)block[2 + k] << (8 * k);
    return (int)((bits >> (3 * i)) & 7);
}

/* Decode one 4x4 block at texel (x, y) of the image, clipped to its edges. */
static void vr__decode_block(const uint8_t *block, int bc3, vr_image *out, uint32_t x, uint32_t y) {
    const uint8_t *color = bc3 ? block + 8 : block;
    uint8_t palette[4][4], alpha[8];
    vr__color_palette(color, !bc3, palette);
    if (bc3) vr__alpha_palette(block, alpha);
    for (int i = 0; i < 16; ++i) {
        uint32_t tx = x + (uint32_t)(i & 3), ty = y + (uint32_t)(i >> 2);
        if (tx >= out->width || ty >= out->height) continue;
        uint8_t *dst = &out->rgba[((size_t)ty * out->width + tx) * 4];
        memcpy(dst, vr__color_texel(color, palette, i), 4);
        if (bc3) dst[3] = alpha[vr__alpha_index(block, i)];
    }
}

zc_result vr_image_decode(const zc_texture_view *view, vr_image *out) {
    memset(out, 0, sizeof *out);
    if (!view) return ZC_ERR_INVALID_ARGUMENT;
    zc_pixel_format format = view->format;
    int bc = format == ZC_PIXEL_BC1_UNORM || format == ZC_PIXEL_BC1_SRGB || format == ZC_PIXEL_BC3_UNORM ||
             format == ZC_PIXEL_BC3_SRGB;
    if (!bc && format != ZC_PIXEL_RGBA8_UNORM && format != ZC_PIXEL_RGBA8_SRGB) return ZC_ERR_UNSUPPORTED_CODEC;
    zc_texture_level_view level;
    zc_result r = zc_texture_view_level(view, 0, 0, &level);
    if (r != ZC_OK) return r;
    if (level.width == 0 || level.height == 0 || !level.data) return ZC_ERR_BAD_ENTRY;
    if ((uint64_t)level.width * level.height > VR_MAX_IMAGE_TEXELS) return ZC_ERR_LIMIT;
    /* The views are checked against the format already; check again what this code reads. */
    uint32_t block = bc ? 4 : 1, block_bytes = format == ZC_PIXEL_BC1_UNORM || format == ZC_PIXEL_BC1_SRGB ? 8
                                             : bc ? 16 : 4;
    uint64_t columns = (level.width + block - 1) / block, rows = (level.height + block - 1) / block;
    if (level.row_pitch < columns * block_bytes || level.size / level.row_pitch < rows) return ZC_ERR_BAD_ENTRY;

    out->rgba = malloc((size_t)level.width * level.height * 4);
    if (!out->rgba) return ZC_ERR_OUT_OF_MEMORY;
    out->width = level.width;
    out->height = level.height;
    out->srgb = zc_pixel_format_is_srgb(format);
    const uint8_t *src = (const uint8_t *)level.data;
    for (uint64_t row = 0; row < rows; ++row) {
        const uint8_t *line = src + row * level.row_pitch;
        if (!bc) {
            memcpy(out->rgba + row * level.width * 4, line, (size_t)level.width * 4);
            continue;
        }
        int bc3 = block_bytes == 16;
        for (uint64_t col = 0; col < columns; ++col)
            vr__decode_block(line + col * block_bytes, bc3, out, (uint32_t)col * 4, (uint32_t)row * 4);
    }
    return ZC_OK;
}

void vr_image_free(vr_image *image) {
    if (!image) return;
    free(image->rgba);
    memset(image, 0, sizeof *image);
}
