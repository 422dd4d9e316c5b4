/* test_texture_halve.c - the mip halving of even-sided images (zc_texture_halve.c)
 * against stb_image_resize, which it replaces for them, on real images:
 *  - sRGB colour with alpha weighting, linear data and float images give
 *    stb_image_resize's texels within one step of 255 (float: within 1e-5), edges and
 *    transparent texels included;
 *  - an image with an odd side still goes to stb_image_resize, byte for byte;
 *  - a chain of halvings down to 1x1 keeps every level's extent.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <stb/stb_image_resize.h>

#include "zc_test_images.h"
#include "zc_texture_pixels.h"

#define UVT ZCTI_ASSIMP "/ReferenceImages/UVTransform/"

/* stb_image_resize's halving of src, as zc__texels_halve made it before
 * zc_texture_halve.c: the reference. */
static zc_texels stb_halve(const zc_texels *src, zc_mip_filter filter) {
    zc_texels out = {src->width > 1 ? src->width / 2 : 1, src->height > 1 ? src->height / 2 : 1, src->is_float, NULL};
    out.data = malloc((size_t)out.width * out.height * zc_texels_texel_bytes(src));
    cr_assert_not_null(out.data);
    int ok;
    if (src->is_float)
        ok = stbir_resize_float((const float *)src->data, (int)src->width, (int)src->height, 0, (float *)out.data,
                                (int)out.width, (int)out.height, 0, 4);
    else if (filter == ZC_MIP_FILTER_SRGB)
        ok = stbir_resize_uint8_srgb((const unsigned char *)src->data, (int)src->width, (int)src->height, 0,
                                     (unsigned char *)out.data, (int)out.width, (int)out.height, 0, 4, 3, 0);
    else
        ok = stbir_resize_uint8((const unsigned char *)src->data, (int)src->width, (int)src->height, 0,
                                (unsigned char *)out.data, (int)out.width, (int)out.height, 0, 4);
    cr_assert(ok);
    return out;
}

/* A real image as RGBA8, cut to even sides. With `cut_alpha`, alpha is replaced by a
 * pattern with fully transparent regions, half-covered edges and opaque areas. */
static zc_texels load_even(const char *path, int cut_alpha) {
    zcti_require(path);
    uint32_t w, h;
    int comp;
    uint8_t *px = zcti_stb_rgba8(path, &w, &h, &comp);
    uint32_t ew = w & ~1u, eh = h & ~1u;
    cr_assert(ew >= 2 && eh >= 2, "%s is too small", path);
    for (uint32_t y = 0; y < eh; ++y) memmove(px + (size_t)y * ew * 4, px + (size_t)y * w * 4, (size_t)ew * 4);
    if (cut_alpha)
        for (uint32_t y = 0; y < eh; ++y)
            for (uint32_t x = 0; x < ew; ++x) {
                uint32_t band = (x / 7 + y / 5) % 4;
                px[((size_t)y * ew + x) * 4 + 3] = band == 0 ? 0 : band == 1 ? (uint8_t)(x * 13 + y) : 255;
            }
    return (zc_texels){ew, eh, 0, px};
}

typedef struct diff {
    int max;            /* largest difference of any channel */
    double over_one;    /* fraction of channels differing by more than one */
} diff;

static diff compare8(const zc_texels *a, const zc_texels *b) {
    cr_assert_eq(a->width, b->width);
    cr_assert_eq(a->height, b->height);
    const uint8_t *p = (const uint8_t *)a->data, *q = (const uint8_t *)b->data;
    size_t n = (size_t)a->width * a->height * 4, over = 0;
    diff d = {0, 0.0};
    for (size_t i = 0; i < n; ++i) {
        int e = abs((int)p[i] - (int)q[i]);
        if (e > d.max) d.max = e;
        if (e > 1) over++;
    }
    d.over_one = (double)over / (double)n;
    return d;
}

/* The largest difference of a and b over the texels whose alpha in b is at least 8
 * (every texel unless `srgb`): the colour of an sRGB texel is divided by its filtered
 * alpha, which amplifies float rounding where alpha is small (and a fully transparent
 * texel's colour is its neighbours' weighted by 2^-80). */
static int visible_diff(const zc_texels *a, const zc_texels *b, int srgb) {
    int worst = 0;
    for (size_t i = 0; i < (size_t)b->width * b->height; ++i) {
        const uint8_t *p = (const uint8_t *)a->data + 4 * i, *q = (const uint8_t *)b->data + 4 * i;
        if (q[3] < 8 && srgb) continue;
        for (int c = 0; c < 4; ++c) {
            int e = abs((int)p[c] - (int)q[c]);
            if (e > worst) worst = e;
        }
    }
    return worst;
}

/* Halve with both and compare: texels of alpha 8 or more within one step, and at most
 * 0.1 % of all channels apart by more than one. */
static void check_against_stb(const zc_texels *src, zc_mip_filter filter, const char *what) {
    zc_texels ours;
    cr_assert_eq(zc__texels_halve_even(src, filter, &ours), ZC_OK, "%s", what);
    zc_texels ref = stb_halve(src, filter);
    diff d = compare8(&ours, &ref);
    int opaque_max = visible_diff(&ours, &ref, filter == ZC_MIP_FILTER_SRGB);
    cr_log_info("%s %ux%u: largest difference %d (alpha >= 8: %d), %.4f %% of channels over one", what, src->width,
                src->height, d.max, opaque_max, 100.0 * d.over_one);
    cr_expect_leq(opaque_max, 1, "%s: a texel with alpha >= 8 differs from stb_image_resize by %d", what,
                  opaque_max);
    cr_expect_leq(d.over_one, 0.001, "%s: %.4f %% of channels differ by more than one", what, 100.0 * d.over_one);
    free(ours.data);
    free(ref.data);
}

Test(texture_halve, srgb_matches_stb_image_resize) {
    static const char *const images[] = {ZCTI_ASSIMP "/glTF/CesiumMilkTruck/CesiumMilkTruck.png",
                                         UVT "UVTransform_Normal.png", ZCTI_PYGAME "/fist.png",
                                         ZCTI_PYGAME "/alien1.png", ZCTI_ASSIMP "/IQM/Body.jpg"};
    for (size_t i = 0; i < sizeof images / sizeof images[0]; ++i)
        for (int cut = 0; cut < 2; ++cut) {
            if (cut && zcti_sanitize_run() && i == 0) continue;
            zc_texels src = load_even(images[i], cut);
            check_against_stb(&src, ZC_MIP_FILTER_SRGB, images[i]);
            free(src.data);
        }
}

Test(texture_halve, linear_matches_stb_image_resize) {
    static const char *const images[] = {UVT "UVTransform_Normal.png", ZCTI_PYGAME "/fist.png",
                                         ZCTI_ASSIMP "/IQM/Body.jpg"};
    for (size_t i = 0; i < sizeof images / sizeof images[0]; ++i) {
        zc_texels src = load_even(images[i], 1);
        check_against_stb(&src, ZC_MIP_FILTER_LINEAR, images[i]);
        free(src.data);
    }
}

/* The smallest even images: every output texel sees the clamped edge on both sides. */
Test(texture_halve, tiny_images_match_stb_image_resize) {
    zc_texels big = load_even(ZCTI_PYGAME "/fist.png", 1);
    static const uint32_t sides[][2] = {{2, 2}, {2, 8}, {8, 2}, {4, 6}, {6, 4}};
    for (size_t s = 0; s < sizeof sides / sizeof sides[0]; ++s) {
        uint32_t w = sides[s][0], h = sides[s][1];
        uint8_t *px = malloc((size_t)w * h * 4);
        for (uint32_t y = 0; y < h; ++y) /* from (100, 100) of the big image */
            memcpy(px + (size_t)y * w * 4, (uint8_t *)big.data + ((size_t)(y + 100) * big.width + 100) * 4,
                   (size_t)w * 4);
        zc_texels src = {w, h, 0, px};
        check_against_stb(&src, ZC_MIP_FILTER_SRGB, "tiny sRGB");
        check_against_stb(&src, ZC_MIP_FILTER_LINEAR, "tiny linear");
        free(px);
    }
    free(big.data);
}

Test(texture_halve, float_matches_stb_image_resize) {
    uint32_t w, h;
    int comp;
    const char *path = ZCTI_ASSIMP "/glTF/CesiumMilkTruck/CesiumMilkTruck.png";
    zcti_require(path);
    float *px = zcti_stb_rgbaf(path, &w, &h, &comp);
    for (size_t i = 0; i < (size_t)w * h * 4; ++i) px[i] = px[i] * 40.0f - 3.0f; /* HDR-like range, negatives */
    zc_texels src = {w, h, 1, px}, ours;
    cr_assert_eq(zc__texels_halve_even(&src, ZC_MIP_FILTER_LINEAR, &ours), ZC_OK);
    zc_texels ref = stb_halve(&src, ZC_MIP_FILTER_LINEAR);
    double worst = 0.0;
    for (size_t i = 0; i < (size_t)ref.width * ref.height * 4; ++i) {
        float a = ((float *)ours.data)[i], b = ((float *)ref.data)[i];
        double e = fabs((double)a - (double)b) / (fabs((double)b) > 1.0 ? fabs((double)b) : 1.0);
        if (e > worst) worst = e;
    }
    cr_log_info("float %ux%u: largest relative difference %.3g", w, h, worst);
    cr_expect_leq(worst, 1e-5, "float halving differs from stb_image_resize by %.3g", worst);
    free(ours.data);
    free(ref.data);
    free(px);
}

/* zc__texels_halve hands even images to zc__texels_halve_even and the rest to
 * stb_image_resize: an odd side gives stb_image_resize's bytes exactly. */
Test(texture_halve, odd_sides_use_stb_image_resize) {
    zc_texels big = load_even(UVT "UVTransform_Normal.png", 1);
    static const uint32_t sides[][2] = {{639, 480}, {640, 479}, {5, 3}, {1, 8}, {8, 1}};
    for (size_t s = 0; s < sizeof sides / sizeof sides[0]; ++s) {
        zc_texels src = {sides[s][0], sides[s][1], 0, big.data}, ours;
        cr_assert_eq(zc__texels_halve(&src, ZC_MIP_FILTER_SRGB, &ours), ZC_OK);
        zc_texels ref = stb_halve(&src, ZC_MIP_FILTER_SRGB);
        cr_expect_eq(compare8(&ours, &ref).max, 0, "%ux%u differs from stb_image_resize", src.width, src.height);
        free(ours.data);
        free(ref.data);
    }
    zc_texels even = {640, 480, 0, big.data}, ours;
    cr_assert_eq(zc__texels_halve_even(&(zc_texels){639, 480, 0, big.data}, ZC_MIP_FILTER_SRGB, &ours),
                 ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc__texels_halve(&even, ZC_MIP_FILTER_SRGB, &ours), ZC_OK);
    zc_texels direct;
    cr_assert_eq(zc__texels_halve_even(&even, ZC_MIP_FILTER_SRGB, &direct), ZC_OK);
    cr_expect_eq(compare8(&ours, &direct).max, 0, "an even image did not take zc__texels_halve_even");
    free(ours.data);
    free(direct.data);
    free(big.data);
}

/* 640x480 halved to 1x1: even levels through zc_texture_halve.c, then 5x3 and below
 * through stb_image_resize; every level has its extent and stays within two steps
 * of the stb_image_resize chain where alpha is 8 or more. */
Test(texture_halve, chain_to_one_texel) {
    zc_texels level = load_even(UVT "UVTransform_Normal.png", 0), ref = level;
    ref.data = malloc((size_t)level.width * level.height * 4);
    memcpy(ref.data, level.data, (size_t)level.width * level.height * 4);
    uint32_t count = 1;
    while (level.width > 1 || level.height > 1) {
        zc_texels next, ref_next = stb_halve(&ref, ZC_MIP_FILTER_SRGB);
        cr_assert_eq(zc__texels_halve(&level, ZC_MIP_FILTER_SRGB, &next), ZC_OK);
        cr_assert_eq(next.width, level.width > 1 ? level.width / 2 : 1);
        cr_assert_eq(next.height, level.height > 1 ? level.height / 2 : 1);
        int e = visible_diff(&next, &ref_next, 1);
        cr_expect_leq(e, 2, "level %u (%ux%u) differs from the stb_image_resize chain by %d", count, next.width,
                      next.height, e);
        free(level.data);
        free(ref.data);
        level = next;
        ref = ref_next;
        count++;
    }
    cr_expect_eq(count, 10u); /* 640x480 .. 1x1 */
    free(level.data);
    free(ref.data);
}
