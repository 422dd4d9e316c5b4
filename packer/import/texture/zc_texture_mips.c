/* zc_texture_mips.c - mip levels: halving (zc_texture_halve.c when both sides are
 * even, stb_image_resize otherwise), normal-map renormalisation, alpha statistics
 * and alpha-test coverage (zc_texture_pixels.h).
 *
 * Every function works on images built by the importer itself (trusted sizes).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <stb/stb_image_resize.h>

#include "zc_texture_pixels.h"

/* zc__texels_halve by stb_image_resize, for any size. */
static zc_result zc__halve_stbir(const zc_texels *src, zc_mip_filter filter, zc_texels *dst) {
    uint32_t w = src->width > 1 ? src->width / 2 : 1;
    uint32_t h = src->height > 1 ? src->height / 2 : 1;
    size_t texel = zc_texels_texel_bytes(src);
    void *data = malloc((size_t)w * h * texel);
    if (!data) return ZC_ERR_OUT_OF_MEMORY;
    int ok;
    if (src->is_float)
        ok = stbir_resize_float((const float *)src->data, (int)src->width, (int)src->height, 0, (float *)data, (int)w,
                                (int)h, 0, 4);
    else if (filter == ZC_MIP_FILTER_SRGB)
        ok = stbir_resize_uint8_srgb((const unsigned char *)src->data, (int)src->width, (int)src->height, 0,
                                     (unsigned char *)data, (int)w, (int)h, 0, 4, 3, 0);
    else
        ok = stbir_resize_uint8((const unsigned char *)src->data, (int)src->width, (int)src->height, 0,
                                (unsigned char *)data, (int)w, (int)h, 0, 4);
    if (!ok) {
        free(data);
        return ZC_ERR_OUT_OF_MEMORY; /* the only failure left for valid arguments */
    }
    dst->width = w;
    dst->height = h;
    dst->is_float = src->is_float;
    dst->data = data;
    return ZC_OK;
}

zc_result zc__texels_halve(const zc_texels *src, zc_mip_filter filter, zc_texels *dst) {
    memset(dst, 0, sizeof *dst);
    if (src->width == 1 && src->height == 1) return ZC_ERR_INVALID_ARGUMENT;
    zc_result r = src->width % 2 == 0 && src->height % 2 == 0 ? zc__texels_halve_even(src, filter, dst)
                                                              : zc__halve_stbir(src, filter, dst);
    if (r == ZC_OK && filter == ZC_MIP_FILTER_NORMAL && !src->is_float) zc__texels_renormalize(dst);
    return r;
}

static uint8_t zc__unorm8(float v) {
    float scaled = (v * 0.5f + 0.5f) * 255.0f + 0.5f;
    if (!(scaled > 0.0f)) return 0;
    return scaled >= 255.0f ? 255 : (uint8_t)scaled;
}

void zc__texels_renormalize(zc_texels *img) {
    uint8_t *p = (uint8_t *)img->data;
    size_t count = (size_t)img->width * img->height;
    for (size_t i = 0; i < count; ++i, p += 4) {
        float x = p[0] / 255.0f * 2.0f - 1.0f;
        float y = p[1] / 255.0f * 2.0f - 1.0f;
        float z = p[2] / 255.0f * 2.0f - 1.0f;
        float length = sqrtf(x * x + y * y + z * z);
        if (length < 1e-6f) {
            x = 0.0f;
            y = 0.0f;
            z = 1.0f;
        } else {
            x /= length;
            y /= length;
            z /= length;
        }
        p[0] = zc__unorm8(x);
        p[1] = zc__unorm8(y);
        p[2] = zc__unorm8(z);
    }
}

void zc__texels_alpha_stats(const zc_texels *img, int *has_alpha, double *binary_fraction) {
    /* Counts without branches, which the compiler vectorises. */
    size_t count = (size_t)img->width * img->height, binary = 0, opaque = 0;
    if (img->is_float) {
        const float *p = (const float *)img->data;
        for (size_t i = 0; i < count; ++i) opaque += p[i * 4 + 3] >= 1.0f;
        *has_alpha = opaque != count;
        *binary_fraction = 0.0;
        return;
    }
    const uint8_t *p = (const uint8_t *)img->data;
    for (size_t i = 0; i < count; ++i) {
        uint32_t a = p[i * 4 + 3];
        opaque += a == 255u;
        binary += (a == 255u) | (a == 0u);
    }
    *has_alpha = opaque != count;
    *binary_fraction = count ? (double)binary / (double)count : 0.0;
}

static void zc__alpha_histogram(const zc_texels *img, size_t histogram[256]) {
    memset(histogram, 0, 256 * sizeof histogram[0]);
    const uint8_t *p = (const uint8_t *)img->data;
    size_t count = (size_t)img->width * img->height;
    for (size_t i = 0; i < count; ++i) histogram[p[i * 4 + 3]]++;
}

static uint8_t zc__scaled_alpha(uint32_t alpha, float scale) {
    float v = (float)alpha * scale + 0.5f;
    return v >= 255.0f ? 255 : (uint8_t)v;
}

/* Coverage the image would have with its alpha scaled by `scale`. */
static double zc__scaled_coverage(const size_t histogram[256], size_t count, uint32_t reference, float scale) {
    size_t passed = 0;
    for (uint32_t a = 0; a < 256; ++a)
        if (zc__scaled_alpha(a, scale) >= reference) passed += histogram[a];
    return (double)passed / (double)count;
}

double zc__texels_coverage(const zc_texels *img, uint32_t reference) {
    size_t histogram[256];
    zc__alpha_histogram(img, histogram);
    return zc__scaled_coverage(histogram, (size_t)img->width * img->height, reference, 1.0f);
}

void zc__texels_keep_coverage(zc_texels *img, uint32_t reference, double target) {
    if (img->is_float || target <= 0.0 || target >= 1.0) return;
    size_t histogram[256], count = (size_t)img->width * img->height;
    zc__alpha_histogram(img, histogram);
    if (zc__scaled_coverage(histogram, count, reference, 1.0f) == target) return;
    /* Coverage grows with the scale: find the smallest scale reaching the target.
     * 255 lifts every non-zero alpha over any reference, so it bounds the search. */
    float lo = 0.0f, hi = 255.0f;
    for (int i = 0; i < 24; ++i) {
        float mid = 0.5f * (lo + hi);
        if (zc__scaled_coverage(histogram, count, reference, mid) < target)
            lo = mid;
        else
            hi = mid;
    }
    double below = zc__scaled_coverage(histogram, count, reference, lo);
    double above = zc__scaled_coverage(histogram, count, reference, hi);
    float scale = target - below < above - target ? lo : hi;
    uint8_t *p = (uint8_t *)img->data;
    for (size_t i = 0; i < count; ++i) p[i * 4 + 3] = zc__scaled_alpha(p[i * 4 + 3], scale);
}
