/* zc_bc_decode.c - BC1/BC3/BC4/BC5 blocks, the decoders of the pixel-format rows
 * (zc_pixel_formats.h), and whole levels of every pixel format through them, back to
 * RGBA8 (zc_texture_pixels.h). Used by `zcpack extract` and by the tests that
 * measure what block compression lost.
 */
#include <string.h>

#include "zc_pixel_formats.h"
#include "zc_texture_pixels.h"

/* ---------------------------------------------------------------------------------
 * Blocks
 * ------------------------------------------------------------------------------- */

static void zc__rgb565(uint32_t v, uint8_t out[4]) {
    uint32_t r = (v >> 11) & 31, g = (v >> 5) & 63, b = v & 31;
    out[0] = (uint8_t)((r << 3) | (r >> 2));
    out[1] = (uint8_t)((g << 2) | (g >> 4));
    out[2] = (uint8_t)((b << 3) | (b >> 2));
    out[3] = 255;
}

/* The colour half of BC1/BC3: 8 bytes. four_colors forces the 4-colour palette. */
static void zc__decode_color(const uint8_t *block, int four_colors, uint8_t rgba[64]) {
    uint32_t c0 = (uint32_t)block[0] | ((uint32_t)block[1] << 8);
    uint32_t c1 = (uint32_t)block[2] | ((uint32_t)block[3] << 8);
    uint8_t palette[4][4];
    zc__rgb565(c0, palette[0]);
    zc__rgb565(c1, palette[1]);
    for (int c = 0; c < 3; ++c) {
        int a = palette[0][c], b = palette[1][c];
        if (four_colors || c0 > c1) {
            palette[2][c] = (uint8_t)((2 * a + b) / 3);
            palette[3][c] = (uint8_t)((a + 2 * b) / 3);
        } else {
            palette[2][c] = (uint8_t)((a + b) / 2);
            palette[3][c] = 0;
        }
    }
    palette[2][3] = 255;
    palette[3][3] = (four_colors || c0 > c1) ? 255 : 0;
    uint32_t indices = (uint32_t)block[4] | ((uint32_t)block[5] << 8) | ((uint32_t)block[6] << 16) |
                       ((uint32_t)block[7] << 24);
    for (int i = 0; i < 16; ++i) memcpy(rgba + i * 4, palette[(indices >> (2 * i)) & 3], 4);
}

/* One BC4 channel block (8 bytes) into out[i * stride]. The interpolated values are
 * truncated, as the BC1 colours above are and as the common CPU decoders (Pillow's
 * among them) do, so a file extracted as DDS decodes to these very bytes elsewhere. */
static void zc__decode_channel(const uint8_t *block, uint8_t *out, int stride) {
    int a0 = block[0], a1 = block[1];
    uint8_t palette[8];
    palette[0] = (uint8_t)a0;
    palette[1] = (uint8_t)a1;
    if (a0 > a1) {
        for (int i = 1; i < 7; ++i) palette[i + 1] = (uint8_t)(((7 - i) * a0 + i * a1) / 7);
    } else {
        for (int i = 1; i < 5; ++i) palette[i + 1] = (uint8_t)(((5 - i) * a0 + i * a1) / 5);
        palette[6] = 0;
        palette[7] = 255;
    }
    uint64_t indices = 0;
    for (int i = 0; i < 6; ++i) indices |= (uint64_t)block[2 + i] << (8 * i);
    for (int i = 0; i < 16; ++i) out[i * stride] = palette[(indices >> (3 * i)) & 7];
}

void zc_bc_decode_bc1(const uint8_t block[8], uint8_t rgba[64]) {
    zc__decode_color(block, 0, rgba);
}

void zc_bc_decode_bc3(const uint8_t block[16], uint8_t rgba[64]) {
    zc__decode_color(block + 8, 1, rgba);
    zc__decode_channel(block, rgba + 3, 4);
}

void zc_bc_decode_bc4(const uint8_t block[8], uint8_t r[16]) {
    zc__decode_channel(block, r, 1);
}

void zc_bc_decode_bc5(const uint8_t block[16], uint8_t rg[32]) {
    zc__decode_channel(block, rg, 2);
    zc__decode_channel(block + 8, rg + 1, 2);
}

/* ---------------------------------------------------------------------------------
 * Levels
 * ------------------------------------------------------------------------------- */

/* The decoders of the pixel-format rows (zc_pixel_formats.c): one block, or one
 * texel of an uncompressed format, as RGBA8. */
void zc__decode_bc1(const uint8_t *block, uint8_t *rgba) {
    zc_bc_decode_bc1(block, rgba);
}

void zc__decode_bc3(const uint8_t *block, uint8_t *rgba) {
    zc_bc_decode_bc3(block, rgba);
}

void zc__decode_bc4(const uint8_t *block, uint8_t *rgba) {
    uint8_t channels[16];
    zc_bc_decode_bc4(block, channels);
    for (int i = 0; i < 16; ++i) {
        rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = channels[i];
        rgba[i * 4 + 3] = 255;
    }
}

void zc__decode_bc5(const uint8_t *block, uint8_t *rgba) {
    uint8_t channels[32];
    zc_bc_decode_bc5(block, channels);
    for (int i = 0; i < 16; ++i) {
        rgba[i * 4] = channels[2 * i];
        rgba[i * 4 + 1] = channels[2 * i + 1];
        rgba[i * 4 + 2] = 0;
        rgba[i * 4 + 3] = 255;
    }
}

static uint8_t zc__unit_to_byte(float v) {
    float scaled = v * 255.0f + 0.5f;
    if (!(scaled > 0.0f)) return 0;
    return scaled >= 255.0f ? 255 : (uint8_t)scaled;
}

void zc__decode_r8(const uint8_t *p, uint8_t *out) {
    out[0] = out[1] = out[2] = p[0];
    out[3] = 255;
}

void zc__decode_rg8(const uint8_t *p, uint8_t *out) {
    out[0] = p[0];
    out[1] = p[1];
    out[2] = 0;
    out[3] = 255;
}

void zc__decode_rgba8(const uint8_t *p, uint8_t *out) {
    memcpy(out, p, 4);
}

void zc_float_texel_to_rgba8(const float f[4], uint8_t *out) {
    for (int c = 0; c < 3; ++c) out[c] = zc__unit_to_byte(zc_linear_to_srgb(f[c]));
    out[3] = zc__unit_to_byte(f[3] > 0.0f ? (f[3] < 1.0f ? f[3] : 1.0f) : 0.0f);
}

void zc__decode_rgba16f(const uint8_t *p, uint8_t *out) {
    float f[4];
    for (int c = 0; c < 4; ++c) f[c] = zc_float_from_half((uint16_t)(p[2 * c] | (p[2 * c + 1] << 8)));
    zc_float_texel_to_rgba8(f, out);
}

void zc__decode_rgba32f(const uint8_t *p, uint8_t *out) {
    float f[4];
    memcpy(f, p, sizeof f);
    zc_float_texel_to_rgba8(f, out);
}

/* One depth slice through the row's decoder: `src` holds its block rows, `out` width *
 * height RGBA8 texels. */
#define ZC__MAX_BLOCK_TEXELS 64u /* an 8x8 ASTC block */

static void zc__decode_slice(uint32_t format, const zc_texture_level_view *level, const uint8_t *src, uint8_t *out) {
    uint32_t block = 1, bytes = 0;
    zc_pixel_format_block(format, &block, &bytes);
    zc_pixel_decode_fn decode = zc_pixel_format_row_of(format)->decode;
    uint32_t w = level->width, h = level->height;
    uint8_t rgba[ZC__MAX_BLOCK_TEXELS * 4];
    for (uint32_t by = 0; by < (h + block - 1) / block; ++by) {
        for (uint32_t bx = 0; bx < (w + block - 1) / block; ++bx) {
            decode(src + (size_t)by * level->row_pitch + (size_t)bx * bytes, rgba);
            for (uint32_t y = 0; y < block && by * block + y < h; ++y)
                for (uint32_t x = 0; x < block && bx * block + x < w; ++x)
                    memcpy(out + ((size_t)(by * block + y) * w + bx * block + x) * 4, rgba + (y * block + x) * 4, 4);
        }
    }
}

zc_result zc_texture_level_decode_rgba8(uint32_t format, const zc_texture_level_view *level, uint8_t *out) {
    uint32_t block, bytes;
    if (!level || !out || !level->data || !zc_pixel_format_block(format, &block, &bytes) ||
        block * block > ZC__MAX_BLOCK_TEXELS || !zc_pixel_format_row_of(format)) /* decode_slice holds one block */
        return ZC_ERR_INVALID_ARGUMENT;
    if (level->width == 0 || level->height == 0 || level->depth == 0 || level->width > ZC_TEXTURE_MAX_EXTENT ||
        level->height > ZC_TEXTURE_MAX_EXTENT || level->depth > ZC_TEXTURE_MAX_DEPTH)
        return ZC_ERR_INVALID_ARGUMENT;
    uint64_t slice = (uint64_t)level->row_pitch * zc_texture_block_rows(format, level->height);
    if (level->row_pitch < zc_texture_row_bytes(format, level->width) || level->size < slice * level->depth)
        return ZC_ERR_INVALID_ARGUMENT;
    const uint8_t *src = (const uint8_t *)level->data;
    size_t texels = (size_t)level->width * level->height;
    for (uint32_t z = 0; z < level->depth; ++z) zc__decode_slice(format, level, src + z * slice, out + z * texels * 4);
    return ZC_OK;
}
