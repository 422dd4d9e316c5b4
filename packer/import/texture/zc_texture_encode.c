/* zc_texture_encode.c - one mip level in any pixel format of zc_texture.h through
 * the encoder of its row (zc_pixel_formats.h), the encoders of the existing rows, and
 * the float conversions they need (zc_texture_pixels.h).
 *
 * Block formats go through stb_dxt: BC1 and BC3 with STB_DXT_HIGHQUAL, BC4 and BC5
 * with its single- and two-channel encoders. Works on images the importer built
 * (trusted sizes).
 */
#include <math.h>
#include <string.h>

#include <stb/stb_dxt.h>

#include "zc_pixel_formats.h"
#include "zc_texture_pixels.h"

/* ---------------------------------------------------------------------------------
 * Float helpers
 * ------------------------------------------------------------------------------- */

uint16_t zc_half_from_float(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    uint16_t sign = (uint16_t)((bits >> 16) & 0x8000u);
    uint32_t magnitude = bits & 0x7FFFFFFFu;
    if (magnitude >= 0x7F800000u) { /* infinity or NaN */
        if (magnitude == 0x7F800000u) return (uint16_t)(sign | 0x7C00u);
        return (uint16_t)(sign | 0x7E00u | ((magnitude >> 13) & 0x3FFu)); /* quiet, payload kept */
    }
    if (magnitude >= 0x477FF000u) return (uint16_t)(sign | 0x7C00u); /* >= 65520 rounds to infinity */
    if (magnitude < 0x38800000u) {                                   /* below 2^-14: subnormal half */
        if (magnitude < 0x33000000u) return sign;                    /* below 2^-25: zero */
        uint32_t exponent = magnitude >> 23;                         /* 102 .. 112 */
        uint32_t mantissa = (magnitude & 0x7FFFFFu) | 0x800000u;
        uint32_t shift = 126u - exponent;                            /* 14 .. 24 */
        uint32_t half = mantissa >> shift;
        uint32_t rest = mantissa & ((1u << shift) - 1u), tie = 1u << (shift - 1u);
        if (rest > tie || (rest == tie && (half & 1u))) half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = (magnitude - 0x38000000u) >> 13; /* exponent rebased from 127 to 15 */
    uint32_t rest = magnitude & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) half++; /* a carry moves into the exponent */
    return (uint16_t)(sign | half);
}

float zc_float_from_half(uint16_t half) {
    uint32_t sign = (uint32_t)(half & 0x8000u) << 16;
    uint32_t exponent = (half >> 10) & 0x1Fu, mantissa = half & 0x3FFu, bits;
    if (exponent == 0x1Fu) {
        bits = sign | 0x7F800000u | (mantissa << 13);
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign;
    } else { /* subnormal: normalise */
        exponent = 113u;
        while (!(mantissa & 0x400u)) {
            mantissa <<= 1;
            exponent--;
        }
        bits = sign | (exponent << 23) | ((mantissa & 0x3FFu) << 13);
    }
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

static float zc__clamp01(float v) {
    return v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f; /* NaN -> 0 */
}

float zc_srgb_to_linear(float encoded) {
    float c = zc__clamp01(encoded);
    return c <= 0.04045f ? c / 12.92f : powf((c + 0.055f) / 1.055f, 2.4f);
}

float zc_linear_to_srgb(float linear) {
    float c = zc__clamp01(linear);
    return c <= 0.0031308f ? c * 12.92f : 1.055f * powf(c, 1.0f / 2.4f) - 0.055f;
}

/* ---------------------------------------------------------------------------------
 * Levels
 * ------------------------------------------------------------------------------- */

int zc__texture_format_accepts(uint32_t format, int is_float) {
    const zc_pixel_format_row *row = zc_pixel_format_row_of(format);
    return row && !(row->flags & ZC_PIXEL_ROW_FLOAT) == !is_float;
}

void zc__texture_encode_level(uint32_t format, const zc_texels *img, uint8_t *dst, uint32_t row_pitch) {
    const zc_pixel_format_row *row = zc_pixel_format_row_of(format);
    if (row) row->encode(img, dst, row_pitch);
}

/* ---------------------------------------------------------------------------------
 * Encoders of the pixel-format rows (zc_pixel_formats.c)
 * ------------------------------------------------------------------------------- */

/* Uncompressed formats from RGBA8: keep the first `channels` bytes of each texel. */
static void zc__encode_bytes(const zc_texels *img, uint32_t channels, uint8_t *dst, uint32_t row_pitch) {
    const uint8_t *src = (const uint8_t *)img->data;
    for (uint32_t y = 0; y < img->height; ++y) {
        const uint8_t *s = src + (size_t)y * img->width * 4;
        uint8_t *d = dst + (size_t)y * row_pitch;
        if (channels == 4) {
            memcpy(d, s, (size_t)img->width * 4);
            continue;
        }
        for (uint32_t x = 0; x < img->width; ++x)
            for (uint32_t c = 0; c < channels; ++c) d[x * channels + c] = s[x * 4 + c];
    }
}

static void zc__encode_floats(const zc_texels *img, int half, uint8_t *dst, uint32_t row_pitch) {
    const float *src = (const float *)img->data;
    for (uint32_t y = 0; y < img->height; ++y) {
        const float *s = src + (size_t)y * img->width * 4;
        uint8_t *d = dst + (size_t)y * row_pitch;
        if (!half) {
            memcpy(d, s, (size_t)img->width * 16);
            continue;
        }
        for (size_t i = 0; i < (size_t)img->width * 4; ++i) {
            uint16_t h = zc_half_from_float(s[i]);
            d[2 * i] = (uint8_t)(h & 0xFF); /* little-endian, as every archived field */
            d[2 * i + 1] = (uint8_t)(h >> 8);
        }
    }
}

/* The 4x4 RGBA8 texels of the block at (bx, by), edges clamped. */
static void zc__gather_block(const zc_texels *img, uint32_t bx, uint32_t by, uint8_t out[64]) {
    const uint8_t *src = (const uint8_t *)img->data;
    if (bx * 4 + 4 <= img->width && by * 4 + 4 <= img->height) { /* inside: four rows of 16 bytes */
        for (uint32_t y = 0; y < 4; ++y) memcpy(out + y * 16, src + ((size_t)(by * 4 + y) * img->width + bx * 4) * 4, 16);
        return;
    }
    for (uint32_t y = 0; y < 4; ++y) {
        uint32_t sy = by * 4 + y < img->height ? by * 4 + y : img->height - 1;
        for (uint32_t x = 0; x < 4; ++x) {
            uint32_t sx = bx * 4 + x < img->width ? bx * 4 + x : img->width - 1;
            memcpy(out + (y * 4 + x) * 4, src + ((size_t)sy * img->width + sx) * 4, 4);
        }
    }
}

void zc__texture_encode_blocks(const zc_texels *img, uint32_t block_bytes, void (*encode_block)(uint8_t *, uint8_t *),
                               uint8_t *dst, uint32_t row_pitch) {
    _Alignas(16) uint8_t rgba[64]; /* stb_dxt reads it as 32-bit words */
    uint32_t blocks_x = (img->width + 3) / 4, blocks_y = (img->height + 3) / 4;
    for (uint32_t by = 0; by < blocks_y; ++by) {
        uint8_t *d = dst + (size_t)by * row_pitch;
        for (uint32_t bx = 0; bx < blocks_x; ++bx) {
            zc__gather_block(img, bx, by, rgba);
            encode_block(rgba, d + (size_t)bx * block_bytes);
        }
    }
}

static void zc__bc1_block(uint8_t *rgba, uint8_t *dst) {
    for (int i = 0; i < 16; ++i) rgba[i * 4 + 3] = 255; /* stb_dxt wants constant alpha here */
    stb_compress_dxt_block(dst, rgba, 0, STB_DXT_HIGHQUAL);
}

static void zc__bc3_block(uint8_t *rgba, uint8_t *dst) {
    stb_compress_dxt_block(dst, rgba, 1, STB_DXT_HIGHQUAL);
}

static void zc__bc4_block(uint8_t *rgba, uint8_t *dst) {
    uint8_t channels[16];
    for (int i = 0; i < 16; ++i) channels[i] = rgba[i * 4];
    stb_compress_bc4_block(dst, channels);
}

static void zc__bc5_block(uint8_t *rgba, uint8_t *dst) {
    uint8_t channels[32];
    for (int i = 0; i < 16; ++i) {
        channels[2 * i] = rgba[i * 4];
        channels[2 * i + 1] = rgba[i * 4 + 1];
    }
    stb_compress_bc5_block(dst, channels);
}

void zc__encode_r8(const zc_texels *img, uint8_t *dst, uint32_t row_pitch) {
    zc__encode_bytes(img, 1, dst, row_pitch);
}
void zc__encode_rg8(const zc_texels *img, uint8_t *dst, uint32_t row_pitch) {
    zc__encode_bytes(img, 2, dst, row_pitch);
}
void zc__encode_rgba8(const zc_texels *img, uint8_t *dst, uint32_t row_pitch) {
    zc__encode_bytes(img, 4, dst, row_pitch);
}
void zc__encode_rgba16f(const zc_texels *img, uint8_t *dst, uint32_t row_pitch) {
    zc__encode_floats(img, 1, dst, row_pitch);
}
void zc__encode_rgba32f(const zc_texels *img, uint8_t *dst, uint32_t row_pitch) {
    zc__encode_floats(img, 0, dst, row_pitch);
}
void zc__encode_bc1(const zc_texels *img, uint8_t *dst, uint32_t row_pitch) {
    zc__texture_encode_blocks(img, 8, zc__bc1_block, dst, row_pitch);
}
void zc__encode_bc3(const zc_texels *img, uint8_t *dst, uint32_t row_pitch) {
    zc__texture_encode_blocks(img, 16, zc__bc3_block, dst, row_pitch);
}
void zc__encode_bc4(const zc_texels *img, uint8_t *dst, uint32_t row_pitch) {
    zc__texture_encode_blocks(img, 8, zc__bc4_block, dst, row_pitch);
}
void zc__encode_bc5(const zc_texels *img, uint8_t *dst, uint32_t row_pitch) {
    zc__texture_encode_blocks(img, 16, zc__bc5_block, dst, row_pitch);
}
