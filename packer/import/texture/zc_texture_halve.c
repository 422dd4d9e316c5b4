/* zc_texture_halve.c - halving an image whose width and height are both even, with
 * the filter stb_image_resize uses for it (zc_texture_pixels.h), in two separable
 * passes of eight fixed taps instead of a general resampler.
 *
 * At a ratio of exactly 2 the Mitchell-Netravali filter (B = C = 1/3, support 2
 * output texels) gives output texel x the source texels 2x - 3 .. 2x + 4, at centre
 * distances (d - 0.5) / 2 in output texels for d = -3 .. 4, each weight halved; the
 * eight weights sum to 1. Edges are clamped (the border texel repeats). For
 * ZC_MIP_FILTER_SRGB the RGB channels are filtered in linear light and weighted by
 * alpha, as stb_image_resize does with an alpha channel: decode, premultiply (alpha
 * plus 2^-80, so a transparent texel keeps its colour where nothing covers it),
 * filter, divide by the filtered alpha, encode. Results differ from stb_image_resize
 * by at most one step of 255 (its sRGB encoder is an approximation; this one rounds
 * exactly) and by float rounding.
 *
 * Works on images built by the importer itself (trusted sizes).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "zc_texture_pixels.h"

enum { ZC__TAPS = 8, ZC__LEFT = 3, ZC__RIGHT = 4, ZC__SRGB_BUCKETS = 4096 };

static float zc__taps[ZC__TAPS];
static float zc__srgb_to_linear[256];
/* zc__srgb_rise[c]: the smallest linear value that encodes to c + 1 (c < 255). */
static float zc__srgb_rise[256];
/* zc__srgb_start[i]: the code of linear i / ZC__SRGB_BUCKETS; within one bucket the
 * code rises by at most one (the steepest part of the curve, 12.92 * 255 codes per
 * unit, crosses 0.8 codes a bucket). */
static uint8_t zc__srgb_start[ZC__SRGB_BUCKETS + 1];
static pthread_once_t zc__tables_once = PTHREAD_ONCE_INIT;

static double zc__mitchell(double x) {
    x = x < 0.0 ? -x : x;
    if (x < 1.0) return (16.0 + x * x * (21.0 * x - 36.0)) / 18.0;
    if (x < 2.0) return (32.0 + x * (-60.0 + x * (36.0 - 7.0 * x))) / 18.0;
    return 0.0;
}

/* c^0.4 for c in (0, 1], by Newton's method on y^5 = c^2 from y = 1 (decreasing to
 * the root). Basic operations only, unlike pow(), so the tables and with them the
 * packs are the same bytes with every C library. */
static double zc__pow_0_4(double c) {
    double y = 1.0, c2 = c * c;
    for (int i = 0; i < 64; ++i) {
        double y2 = y * y, next = (4.0 * y + c2 / (y2 * y2)) / 5.0;
        if (!(next < y)) break;
        y = next;
    }
    return y;
}

/* The sRGB transfer function's decode of v in [0, 1]. */
static double zc__decode_srgb(double v) {
    if (v <= 0.04045) return v / 12.92;
    double c = (v + 0.055) / 1.055;
    return c * c * zc__pow_0_4(c);
}

static void zc__tables_init(void) {
    for (int k = 0; k < ZC__TAPS; ++k) zc__taps[k] = (float)(zc__mitchell((k - ZC__LEFT - 0.5) / 2.0) / 2.0);
    for (int c = 0; c < 256; ++c) {
        zc__srgb_to_linear[c] = (float)zc__decode_srgb(c / 255.0);
        zc__srgb_rise[c] = c < 255 ? (float)zc__decode_srgb((c + 0.5) / 255.0) : 2.0f;
    }
    int code = 0;
    for (int i = 0; i <= ZC__SRGB_BUCKETS; ++i) {
        float v = (float)i / ZC__SRGB_BUCKETS;
        while (code < 255 && v >= zc__srgb_rise[code]) code++;
        zc__srgb_start[i] = (uint8_t)code;
    }
}

static uint8_t zc__encode_unorm8(float v) {
    if (!(v > 0.0f)) return 0;
    return v >= 1.0f ? 255 : (uint8_t)(int)(v * 255.0f + 0.5f);
}

/* Linear light in [0, 1] (clamped; NaN gives 0) to the nearest sRGB code. */
static uint8_t zc__encode_srgb8(float v) {
    if (!(v > 0.0f)) return 0;
    if (v >= 1.0f) return 255;
    unsigned code = zc__srgb_start[(int)(v * ZC__SRGB_BUCKETS)];
    return (uint8_t)(code + (v >= zc__srgb_rise[code]));
}

/* One source row as linear floats into pad + 4 * ZC__LEFT, the edge texels repeated
 * ZC__LEFT times before it and ZC__RIGHT times after it. */
static void zc__decode_row(const zc_texels *src, uint32_t y, zc_mip_filter filter, float *pad) {
    uint32_t w = src->width;
    float *line = pad + 4 * ZC__LEFT;
    if (src->is_float) {
        memcpy(line, (const float *)src->data + (size_t)y * w * 4, (size_t)w * 16);
    } else {
        const uint8_t *p = (const uint8_t *)src->data + (size_t)y * w * 4;
        if (filter == ZC_MIP_FILTER_SRGB) {
            for (uint32_t x = 0; x < w; ++x, p += 4) {
                float a = p[3] * (1.0f / 255.0f) + 0x1p-80f;
                line[4 * x + 0] = zc__srgb_to_linear[p[0]] * a;
                line[4 * x + 1] = zc__srgb_to_linear[p[1]] * a;
                line[4 * x + 2] = zc__srgb_to_linear[p[2]] * a;
                line[4 * x + 3] = a;
            }
        } else {
            for (uint32_t x = 0; x < 4 * w; ++x) line[x] = p[x] * (1.0f / 255.0f);
        }
    }
    for (int k = 0; k < ZC__LEFT; ++k) memcpy(pad + 4 * k, line, 16);
    for (int k = 0; k < ZC__RIGHT; ++k) memcpy(line + 4 * ((size_t)w + k), line + 4 * ((size_t)w - 1), 16);
}

/* The horizontal pass over one padded row: w / 2 texels into out. Taps are summed
 * from the left, as stb_image_resize sums them. */
static void zc__filter_row(const float *restrict pad, uint32_t half_w, float *restrict out) {
    const float t0 = zc__taps[0], t1 = zc__taps[1], t2 = zc__taps[2], t3 = zc__taps[3];
    const float t4 = zc__taps[4], t5 = zc__taps[5], t6 = zc__taps[6], t7 = zc__taps[7];
    for (size_t x = 0; x < half_w; ++x) {
        const float *s = pad + 8 * x;
        float *o = out + 4 * x;
        for (int c = 0; c < 4; ++c) {
            float acc = t0 * s[c];
            acc += t1 * s[4 + c];
            acc += t2 * s[8 + c];
            acc += t3 * s[12 + c];
            acc += t4 * s[16 + c];
            acc += t5 * s[20 + c];
            acc += t6 * s[24 + c];
            acc += t7 * s[28 + c];
            o[c] = acc;
        }
    }
}

/* The vertical pass: n floats from eight filtered rows into out, rows summed from
 * the top. */
static void zc__filter_column(const float *const rows[ZC__TAPS], size_t n, float *restrict out) {
    const float *restrict r0 = rows[0], *restrict r1 = rows[1], *restrict r2 = rows[2], *restrict r3 = rows[3];
    const float *restrict r4 = rows[4], *restrict r5 = rows[5], *restrict r6 = rows[6], *restrict r7 = rows[7];
    const float t0 = zc__taps[0], t1 = zc__taps[1], t2 = zc__taps[2], t3 = zc__taps[3];
    const float t4 = zc__taps[4], t5 = zc__taps[5], t6 = zc__taps[6], t7 = zc__taps[7];
    for (size_t i = 0; i < n; ++i) {
        float acc = t0 * r0[i];
        acc += t1 * r1[i];
        acc += t2 * r2[i];
        acc += t3 * r3[i];
        acc += t4 * r4[i];
        acc += t5 * r5[i];
        acc += t6 * r6[i];
        acc += t7 * r7[i];
        out[i] = acc;
    }
}

/* One output row from linear floats to the image's texel format. */
static void zc__encode_row(float *row, uint32_t half_w, const zc_texels *dst, uint32_t y, zc_mip_filter filter) {
    if (dst->is_float) {
        memcpy((float *)dst->data + (size_t)y * half_w * 4, row, (size_t)half_w * 16);
        return;
    }
    uint8_t *p = (uint8_t *)dst->data + (size_t)y * half_w * 4;
    if (filter != ZC_MIP_FILTER_SRGB) {
        for (uint32_t i = 0; i < 4 * half_w; ++i) p[i] = zc__encode_unorm8(row[i]);
        return;
    }
    for (uint32_t x = 0; x < half_w; ++x, p += 4, row += 4) {
        float a = row[3], unweight = a != 0.0f ? 1.0f / a : 0.0f;
        p[0] = zc__encode_srgb8(row[0] * unweight);
        p[1] = zc__encode_srgb8(row[1] * unweight);
        p[2] = zc__encode_srgb8(row[2] * unweight);
        p[3] = zc__encode_unorm8(a);
    }
}

zc_result zc__texels_halve_even(const zc_texels *src, zc_mip_filter filter, zc_texels *dst) {
    memset(dst, 0, sizeof *dst);
    pthread_once(&zc__tables_once, zc__tables_init);
    uint32_t w = src->width, h = src->height, half_w = w / 2, half_h = h / 2;
    if (w < 2 || h < 2 || (w | h) & 1u) return ZC_ERR_INVALID_ARGUMENT;
    size_t row_floats = (size_t)half_w * 4;
    float *scratch = (float *)malloc(((size_t)w + ZC__LEFT + ZC__RIGHT + (ZC__TAPS + 1) * (size_t)half_w) * 16);
    void *data = malloc((size_t)half_w * half_h * zc_texels_texel_bytes(src));
    if (!scratch || !data) {
        free(scratch);
        free(data);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    float *pad = scratch, *ring = pad + 4 * ((size_t)w + ZC__LEFT + ZC__RIGHT), *out = ring + ZC__TAPS * row_floats;
    int64_t ring_row[ZC__TAPS];
    for (int k = 0; k < ZC__TAPS; ++k) ring_row[k] = -1;
    dst->width = half_w;
    dst->height = half_h;
    dst->is_float = src->is_float;
    dst->data = data;
    for (uint32_t y = 0; y < half_h; ++y) {
        /* Source rows 2y - 3 .. 2y + 4, clamped: eight consecutive rows at most, so
         * row r keeps slot r % 8 for as long as any output row needs it. */
        const float *rows[ZC__TAPS];
        for (int k = 0; k < ZC__TAPS; ++k) {
            int64_t r = (int64_t)2 * y - ZC__LEFT + k;
            r = r < 0 ? 0 : r >= (int64_t)h ? (int64_t)h - 1 : r;
            float *slot = ring + (size_t)(r % ZC__TAPS) * row_floats;
            if (ring_row[r % ZC__TAPS] != r) {
                zc__decode_row(src, (uint32_t)r, filter, pad);
                zc__filter_row(pad, half_w, slot);
                ring_row[r % ZC__TAPS] = r;
            }
            rows[k] = slot;
        }
        zc__filter_column(rows, row_floats, out);
        zc__encode_row(out, half_w, dst, y, filter);
    }
    free(scratch);
    return ZC_OK;
}
