/* zc_texture_layers.c - one decoded image made into the layers of one texture
 * (zc_texture_pixels.h): an equirectangular panorama resampled into the six faces of
 * a cube map, or a vertical strip cut into array layers. Each function is one pass
 * over its source; both work on RGBA8 and RGBA float texels alike.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zc_texture_pixels.h"

#define ZC__PI 3.14159265358979323846

static void zc__free_layers(zc_texels *layers, uint32_t count) {
    for (uint32_t i = 0; i < count; ++i) {
        free(layers[i].data);
        layers[i].data = NULL;
    }
}

/* Direction of texel (x, y) of face `face` (+X, -X, +Y, -Y, +Z, -Z) of size n: the
 * texel's centre, s and t across the face as Vulkan and Direct3D sample cube maps. */
static void zc__cube_direction(uint32_t face, uint32_t x, uint32_t y, uint32_t n, double d[3]) {
    double a = 2.0 * ((double)x + 0.5) / n - 1.0, b = 2.0 * ((double)y + 0.5) / n - 1.0;
    switch (face) {
    case 0: d[0] = 1, d[1] = -b, d[2] = -a; break;
    case 1: d[0] = -1, d[1] = -b, d[2] = a; break;
    case 2: d[0] = a, d[1] = 1, d[2] = b; break;
    case 3: d[0] = a, d[1] = -1, d[2] = -b; break;
    case 4: d[0] = a, d[1] = -b, d[2] = 1; break;
    default: d[0] = -a, d[1] = -b, d[2] = -1; break;
    }
}

/* Bilinear sample of the panorama at (u, v) in texels, wrapping around in u and
 * clamped in v, into out[4] as floats (RGBA8 texels as 0..255). */
static void zc__sample(const zc_texels *src, double u, double v, float out[4]) {
    double fu = floor(u - 0.5), fv = floor(v - 0.5);
    double wu = u - 0.5 - fu, wv = v - 0.5 - fv;
    int64_t x0 = (int64_t)fu, y0 = (int64_t)fv;
    float acc[4] = { 0, 0, 0, 0 };
    for (int j = 0; j < 2; ++j)
        for (int i = 0; i < 2; ++i) {
            int64_t x = (x0 + i) % (int64_t)src->width, y = y0 + j;
            if (x < 0) x += src->width;
            if (y < 0) y = 0;
            if (y >= (int64_t)src->height) y = src->height - 1;
            double w = (i ? wu : 1 - wu) * (j ? wv : 1 - wv);
            size_t at = ((size_t)y * src->width + (size_t)x) * 4;
            for (int c = 0; c < 4; ++c)
                acc[c] += (float)(w * (src->is_float ? ((const float *)src->data)[at + c] : ((const uint8_t *)src->data)[at + c]));
        }
    memcpy(out, acc, sizeof acc);
}

zc_result zc__texels_equirect_to_cube(const zc_texels *src, uint32_t size, zc_texels faces[6], zc_diag *diag) {
    memset(faces, 0, 6 * sizeof *faces);
    size_t texel_bytes = zc_texels_texel_bytes(src);
    for (uint32_t f = 0; f < 6; ++f) {
        faces[f].width = faces[f].height = size;
        faces[f].is_float = src->is_float;
        if (!(faces[f].data = malloc((size_t)size * size * texel_bytes))) {
            zc__free_layers(faces, f);
            return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for the cube map's faces");
        }
        for (uint32_t y = 0; y < size; ++y)
            for (uint32_t x = 0; x < size; ++x) {
                double d[3];
                zc__cube_direction(f, x, y, size, d);
                double len = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
                /* longitude 0 (the panorama's centre column) looks along -Z, +X to its
                 * right; latitude from +Y (top row) to -Y (bottom row) */
                double lon = atan2(d[0], -d[2]), lat = acos(d[1] / len);
                double u = (lon / (2.0 * ZC__PI) + 0.5) * src->width, v = lat / ZC__PI * src->height;
                float texel[4];
                zc__sample(src, u, v, texel);
                size_t at = ((size_t)y * size + x) * 4;
                for (int c = 0; c < 4; ++c) {
                    if (src->is_float) ((float *)faces[f].data)[at + c] = texel[c];
                    else ((uint8_t *)faces[f].data)[at + c] = (uint8_t)(texel[c] + 0.5f);
                }
            }
    }
    return ZC_OK;
}

zc_result zc__texels_split_rows(const zc_texels *src, uint32_t count, zc_texels *layers, zc_diag *diag) {
    memset(layers, 0, count * sizeof *layers);
    uint32_t rows = src->height / count;
    size_t bytes = (size_t)src->width * rows * zc_texels_texel_bytes(src);
    for (uint32_t i = 0; i < count; ++i) {
        layers[i].width = src->width;
        layers[i].height = rows;
        layers[i].is_float = src->is_float;
        if (!(layers[i].data = malloc(bytes))) {
            zc__free_layers(layers, i);
            return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for the texture's layers");
        }
        memcpy(layers[i].data, (const uint8_t *)src->data + bytes * i, bytes);
    }
    return ZC_OK;
}
