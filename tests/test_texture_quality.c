/* test_texture_quality.c - what the texture pipeline does to texels, measured:
 *  - block compression: BC1, BC3, BC4 and BC5 levels of real images, decoded with
 *    zc_bc_decode, against stb_image's decode of the source (level 0) and against the
 *    uncompressed mip chain (levels 1 and below), each above a stated PSNR;
 *  - mip filtering: sRGB-correct for colour, linear for data, renormalised for
 *    normal maps, shown on generated checkerboards where the right and the wrong
 *    filter give far-apart values, and on real images through the mean of linear
 *    light, which a correct filter keeps;
 *  - alpha cutout: a generated foliage-like image keeps its alpha-test coverage at
 *    every mip level when cutout is on, and loses it when off.
 *
 * Every PSNR threshold sits a few dB below the value measured on this machine; the
 * measured values are written beside each threshold. `--verbose` prints them again.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/logging.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_import_texture.h"
#include "zc_pack.h"
#include "zc_test_images.h"
#include "zc_test_util.h"
#include "zc_texture_pixels.h"

TestSuite(texture_quality, .init = zcti_tree_setup, .fini = zcti_tree_teardown, .timeout = 120);

static void build_cli(const char *option) {
    zct_run run = option ? ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path, "-q", option)
                          : ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path, "-q");
    cr_assert_eq(run.code, 0, "zcpack build failed with %d: %s", run.code, run.err);
    zct_run_free(&run);
}

/* ---------------------------------------------------------------------------------
 * Block compression
 * ------------------------------------------------------------------------------- */

#define MASK_R 0x1u
#define MASK_RG 0x3u
#define MASK_RGB 0x7u
#define MASK_RGBA 0xFu

/* Thresholds. Each case states two floors in dB and, in its comment, the values
 * measured when they were set (stb_dxt at high quality, this pipeline's mips): PSNR of
 * level 0 against stb_image's decode of the source over the format's channels (BC1
 * RGB, BC3 RGBA, BC4 R, BC5 RG), and the lowest PSNR of levels 1 and below (those of
 * 16 texels or more) against the same levels of the uncompressed chain. Each floor is
 * about 3 dB under its measurement. Small levels score lower: a 4x4 block of a
 * minified image holds more distinct colours than one of the full image, while BC
 * keeps two endpoints per block. Per format, the lowest floors are BC1 24 dB (level 0)
 * and 19.5 dB (mips), BC3 23.5 and 18.5, BC4 44.5 and 25, BC5 46.5 and 37. */
typedef struct bc_case {
    const char *source;         /* real image, or NULL for `name` already in in_dir */
    const char *name;           /* entry path */
    int large;                  /* left out of sanitizer runs */
    double min_level0;          /* dB against stb_image's decode */
    double min_mips;            /* dB of levels 1.. against the uncompressed chain */
} bc_case;

/* PSNR of level 0 of the pack's `name` against the stb_image decode of its source,
 * and of every further level with at least 16 texels against the same level of an
 * uncompressed import; asserts the thresholds, the chain, and that the pack's view
 * equals the view of zc_texture_import_file with default settings. */
static void check_bc(const zc_pack *pack, const bc_case *c, zc_pixel_format format, unsigned mask) {
    char *file = zct_join(zcti_in_dir, c->name);
    uint32_t w, h;
    uint8_t *source = zcti_stb_rgba8(file, &w, &h, NULL);
    zc_entry entry;
    zc_texture_view view;
    zcti_pack_texture(pack, c->name, &entry, &view);
    cr_assert_eq(view.format, format, "%s is %s, expected %s", c->name, zc_pixel_format_name(view.format),
                 zc_pixel_format_name(format));
    zcti_assert_chain(&view, w, h, 1);

    uint8_t *level0 = zcti_decode_level(&view, 0);
    double psnr0 = zcti_psnr(level0, source, (size_t)w * h, mask);
    free(level0);

    zc_texture_image plain;
    zc_diag diag;
    cr_assert_eq(zc_texture_import_file(file, c->name, &(zc_texture_settings){ .no_compress = 1 }, &plain, &diag),
                 ZC_OK, "%s: %s", c->name, diag.message);
    zc_texture_view plain_view;
    cr_assert_eq(zc_texture_import_view(&plain, &plain_view), ZC_OK);
    cr_assert_eq(plain_view.mip_count, view.mip_count);
    double worst_mip = INFINITY;
    for (uint32_t i = 1; i < view.mip_count; ++i) {
        uint8_t *bc = zcti_decode_level(&view, i);   /* every level decodes, whatever its extent */
        zc_texture_level_view lv = zcti_level(&view, i);
        if ((size_t)lv.width * lv.height >= 16) {
            uint8_t *ref = zcti_decode_level(&plain_view, i);
            double p = zcti_psnr(bc, ref, (size_t)lv.width * lv.height, mask);
            if (p < worst_mip) worst_mip = p;
            free(ref);
        }
        free(bc);
    }
    zc_texture_image_free(&plain);
    cr_log_info("%s %s: level 0 %.2f dB, worst mip %.2f dB", zc_pixel_format_name(format), c->name, psnr0,
                worst_mip);
    cr_expect_geq(psnr0, c->min_level0, "%s %s: level 0 PSNR %.2f dB < %.1f", zc_pixel_format_name(format), c->name,
                  psnr0, c->min_level0);
    cr_expect_geq(worst_mip, c->min_mips, "%s %s: mip PSNR %.2f dB < %.1f", zc_pixel_format_name(format), c->name,
                  worst_mip, c->min_mips);

    zc_texture_image img;
    cr_assert_eq(zc_texture_import_file(file, c->name, NULL, &img, &diag), ZC_OK, "%s: %s", c->name, diag.message);
    zc_texture_view imported;
    cr_assert_eq(zc_texture_import_view(&img, &imported), ZC_OK);
    zcti_assert_views_equal(&view, &imported, c->name);
    zc_texture_image_free(&img);
    free(source);
    free(file);
}

static void run_bc(const bc_case *cases, size_t count, zc_pixel_format format, unsigned mask) {
    for (size_t i = 0; i < count; ++i) {
        if (cases[i].large && zcti_sanitize_run()) continue;
        if (cases[i].source) free(zcti_copy(cases[i].source, zcti_in_dir, cases[i].name));
    }
    build_cli(NULL);
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    for (size_t i = 0; i < count; ++i)
        if (!(cases[i].large && zcti_sanitize_run())) check_bc(pack, &cases[i], format, mask);
    zc_pack_close(pack);
}

Test(texture_quality, bc1_opaque) {
    static const bc_case cases[] = {
        { ZCTI_PYGAME "/alien1.jpg", "alien1.jpg", 0, 24.0, 22.0 },             /* 27.62, 25.52 */
        { ZCTI_PYGAME "/fist.png", "fist.png", 0, 40.0, 21.0 },                 /* 43.56, 24.65 */
        { ZCTI_ASSIMP "/Collada/duckCM.tga", "duckCM.tga", 0, 42.0, 19.5 },     /* 45.13, 22.87 */
        { ZCTI_ASSIMP "/MD2/sydney.bmp", "sydney.bmp", 0, 33.0, 29.0 },         /* 36.22, 32.38 */
        { ZCTI_ASSIMP "/3DS/IMAGE1.jpg", "IMAGE1.jpg", 0, 34.5, 37.5 },         /* 37.73, 40.78 */
        { ZCTI_ASSIMP "/Collada/Collada_Sample.jpg", "Collada_Sample.jpg", 1, 43.0, 24.5 }, /* 46.10, 27.58 */
        { ZCTI_ASSIMP "/LWO/LWO2/MappingModes/earthCylindric.jpg", "earthCylindric.jpg", 1, 33.5, 25.0 }, /* 36.71, 27.95 */
    };
    run_bc(cases, sizeof cases / sizeof cases[0], ZC_PIXEL_BC1_SRGB, MASK_RGB);
}

Test(texture_quality, bc3_alpha) {
    static const bc_case cases[] = {
        { ZCTI_PYGAME "/alien1.png", "alien1.png", 0, 23.5, 20.0 },             /* 26.67, 22.91 */
        { ZCTI_PIXBUF "/test-image.png", "test-image.png", 0, 27.0, 18.5 },     /* 30.00, 21.59 */
        { ZCTI_ASSIMP "/glTF2/ClearCoat-glTF/PartialCoating_Alpha.png", "PartialCoating_Alpha.png", 0, 53.5, 41.0 },
        /* 56.89, 43.98 */
        { ZCTI_ASSIMP "/Collada/teapots_reference.png", "teapots_reference.png", 1, 41.0, 24.0 }, /* 43.91, 26.98 */
        { ZCTI_ASSIMP "/ReferenceImages/UVTransform/UVTransform_Normal.png", "UVTransform.png", 1, 39.5, 27.5 },
        /* 42.71, 30.81 */
    };
    run_bc(cases, sizeof cases / sizeof cases[0], ZC_PIXEL_BC3_SRGB, MASK_RGBA);
}

/* A real colour photograph turned grey here (Rec. 709 luma of stb_image's decode),
 * written as a one-channel PNG. */
static void write_grey(const char *source, const char *name) {
    zcti_require(source);
    uint32_t w, h;
    uint8_t *rgba = zcti_stb_rgba8(source, &w, &h, NULL);
    uint8_t *grey = malloc((size_t)w * h);
    cr_assert_not_null(grey);
    for (size_t i = 0; i < (size_t)w * h; ++i)
        grey[i] = (uint8_t)lrint(0.2126 * rgba[i * 4] + 0.7152 * rgba[i * 4 + 1] + 0.0722 * rgba[i * 4 + 2]);
    char *path = zct_join(zcti_in_dir, name);
    zcti_write_png(path, w, h, 1, grey);
    free(path);
    free(grey);
    free(rgba);
}

Test(texture_quality, bc4_single_channel) {
    write_grey(ZCTI_ASSIMP "/Collada/duck_sample.jpg", "duck_grey.png");
    write_grey(ZCTI_PYGAME "/fist.png", "fist_grey.png");
    static const bc_case cases[] = {
        { ZCTI_PIXBUF_IMAGES "/reftests/cat.jpg", "cat.jpg", 0, 44.5, 25.0 }, /* 47.59, 28.28; grey as shipped */
        { NULL, "duck_grey.png", 0, 49.0, 33.0 },                               /* 52.07, 35.87 */
        { NULL, "fist_grey.png", 0, 47.0, 33.0 },                               /* 50.33, 36.01 */
    };
    run_bc(cases, sizeof cases / sizeof cases[0], ZC_PIXEL_BC4_UNORM, MASK_R);
}

Test(texture_quality, bc5_normal_map) {
    static const bc_case cases[] = {
        { ZCTI_ASSIMP "/glTF2/ClearCoat-glTF/RibsNormal.png", "ribs_n.png", 0, 50.0, 37.0 }, /* 53.41, 40.39 */
        { ZCTI_ASSIMP "/glTF2/ClearCoat-glTF/PlasticWrap_normals.jpg", "wrap_normal.jpg", 1, 46.5, 37.5 },
        /* 49.69, 40.46 */
    };
    run_bc(cases, sizeof cases / sizeof cases[0], ZC_PIXEL_BC5_UNORM, MASK_RG);
}

/* ---------------------------------------------------------------------------------
 * sRGB, linear and normal-map mips
 * ------------------------------------------------------------------------------- */

#define CHECKER 64

/* A one-texel checkerboard of two opaque RGB colours, written as dir/name. */
static void write_checker(const char *name, const uint8_t a[3], const uint8_t b[3]) {
    uint8_t rgba[CHECKER * CHECKER * 4];
    for (int y = 0; y < CHECKER; ++y)
        for (int x = 0; x < CHECKER; ++x) {
            const uint8_t *c = (x + y) % 2 ? b : a;
            uint8_t *p = rgba + (y * CHECKER + x) * 4;
            p[0] = c[0];
            p[1] = c[1];
            p[2] = c[2];
            p[3] = 255;
        }
    char *path = zct_join(zcti_in_dir, name);
    zcti_write_png(path, CHECKER, CHECKER, 4, rgba);
    free(path);
}

/* Every channel in `mask` of every texel of level `level` of `name` that is at least
 * 2 texels from the edge (edges are clamped, so there the filter is lopsided) lies in
 * [lo, hi]. */
static void assert_interior(const zc_pack *pack, const char *name, uint32_t level, unsigned mask, int lo, int hi) {
    zc_entry entry;
    zc_texture_view view;
    zcti_pack_texture(pack, name, &entry, &view);
    zc_texture_level_view lv = zcti_level(&view, level);
    cr_assert_eq(zc_texture_row_bytes(view.format, 1), 4, "%s is not RGBA8", name);
    for (uint32_t y = 2; y + 2 < lv.height; ++y)
        for (uint32_t x = 2; x + 2 < lv.width; ++x)
            for (unsigned c = 0; c < 4; ++c) {
                if (!(mask & (1u << c))) continue;
                int v = ((const uint8_t *)lv.data)[(size_t)y * lv.row_pitch + x * 4 + c];
                cr_assert(v >= lo && v <= hi, "%s level %u texel (%u, %u) channel %u is %d, expected [%d, %d]", name,
                          level, x, y, c, v, lo, hi);
            }
}

/* Black and white texels average to half the light: 0.5 linear, which sRGB encodes as
 * 188 (187.5). A filter on the encoded values would give 128 instead, which is right
 * only for data textures. */
Test(texture_quality, srgb_and_linear_mips) {
    static const uint8_t black[3] = { 0, 0, 0 }, white[3] = { 255, 255, 255 };
    write_checker("colour.png", black, white);
    write_checker("data.png", black, white);
    /* Normals tilted 37 degrees left and right: (+-0.6, 0, 0.8) encoded as c / 2 + 0.5.
     * The linear average (0, 0, 0.8) renormalised is (0, 0, 1): 128, 128, 255. An sRGB
     * filter would give red 153; no renormalisation would leave blue at 230. */
    static const uint8_t right[3] = { 204, 128, 230 }, left[3] = { 51, 128, 230 };
    write_checker("tilt_n.png", right, left);
    char *manifest = zct_join(zcti_in_dir, "zcpack.json");
    static const char rules[] = "{ \"rules\": [ { \"match\": \"data.png\", \"srgb\": false } ] }";
    zct_write_file(manifest, rules, strlen(rules));
    free(manifest);
    build_cli("--no-compress");
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    for (uint32_t level = 1; level <= 3; ++level) {
        assert_interior(pack, "colour.png", level, MASK_RGB, 186, 189);
        assert_interior(pack, "data.png", level, MASK_RGB, 126, 129);
        assert_interior(pack, "tilt_n.png", level, MASK_RG, 126, 130);
        assert_interior(pack, "tilt_n.png", level, 0x4u, 253, 255);
    }
    zc_pack_close(pack);
}

static double srgb_to_linear(double c) {
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

/* Mean linear light of the RGB of an RGBA8 level: sRGB-decoded when `srgb`. */
static double mean_light(const zc_texture_view *view, uint32_t level, int srgb) {
    uint8_t *texels = zcti_decode_level(view, level);
    zc_texture_level_view lv = zcti_level(view, level);
    double sum = 0;
    size_t n = (size_t)lv.width * lv.height;
    for (size_t i = 0; i < n * 4; ++i)
        if (i % 4 != 3) sum += srgb ? srgb_to_linear(texels[i] / 255.0) : texels[i] / 255.0;
    free(texels);
    return sum / (double)(n * 3);
}

/* On real colour images, every level of the sRGB chain keeps the mean linear light of
 * level 0, to within the filter's edge and clamping effects, while the mean of its
 * encoded bytes moves: a filter on encoded values would do the opposite. Measured over
 * levels 1 to 5 (worst level): linear light drifts 0.01% (IMAGE1.jpg), 0.15%
 * (duckCM.tga) and 0.16% (fist.png); the encoded mean 0.42%, 5.4% and 5.8%. */
Test(texture_quality, srgb_mips_keep_light) {
    static const char *const sources[] = {
        ZCTI_ASSIMP "/3DS/IMAGE1.jpg",
        ZCTI_ASSIMP "/Collada/duckCM.tga",
        ZCTI_PYGAME "/fist.png",
    };
    for (size_t i = 0; i < sizeof sources / sizeof sources[0]; ++i) free(zcti_copy(sources[i], zcti_in_dir, NULL));
    build_cli("--no-compress");
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    for (size_t i = 0; i < sizeof sources / sizeof sources[0]; ++i) {
        const char *name = strrchr(sources[i], '/') + 1;
        zc_entry entry;
        zc_texture_view view;
        zcti_pack_texture(pack, name, &entry, &view);
        cr_assert_eq(view.format, ZC_PIXEL_RGBA8_SRGB);
        double base = mean_light(&view, 0, 1), base_wrong = mean_light(&view, 0, 0);
        double worst = 0, worst_wrong = 0;
        for (uint32_t level = 1; level < view.mip_count && level <= 5; ++level) {
            double drift = fabs(mean_light(&view, level, 1) / base - 1.0);
            double drift_wrong = fabs(mean_light(&view, level, 0) / base_wrong - 1.0);
            if (drift > worst) worst = drift;
            if (drift_wrong > worst_wrong) worst_wrong = drift_wrong;
        }
        cr_log_info("%s: linear-light drift %.4f, read as linear %.4f", name, worst, worst_wrong);
        cr_expect_leq(worst, 0.005, "%s: mean linear light drifts by %.2f%% over the mips", name, worst * 100);
        cr_expect_gt(worst_wrong, 2 * worst, "%s: the encoded mean drifts by %.2f%%, linear light by %.2f%%", name,
                     worst_wrong * 100, worst * 100);
    }
    zc_pack_close(pack);
}

/* ---------------------------------------------------------------------------------
 * Alpha cutout coverage
 * ------------------------------------------------------------------------------- */

#define FOLIAGE 256

/* Grass-like blades: thin slanted strokes of opaque green on a transparent
 * background, binary alpha, drawn from a fixed seed. */
static void write_foliage(const char *name) {
    uint8_t *rgba = calloc((size_t)FOLIAGE * FOLIAGE, 4);
    cr_assert_not_null(rgba);
    uint64_t seed = 0x666f6c69616765u;
    for (int blade = 0; blade < 160; ++blade) {
        double x0 = (double)(zct_rand(&seed) % FOLIAGE), y0 = (double)(zct_rand(&seed) % FOLIAGE);
        double angle = (double)(zct_rand(&seed) % 1000) / 1000.0 * 3.14159265;
        double length = 20 + (double)(zct_rand(&seed) % 60), half_width = 0.6 + (double)(zct_rand(&seed) % 10) / 10.0;
        double dx = cos(angle), dy = sin(angle);
        for (int y = 0; y < FOLIAGE; ++y)
            for (int x = 0; x < FOLIAGE; ++x) {
                double px = x + 0.5 - x0, py = y + 0.5 - y0;
                double along = px * dx + py * dy, across = -px * dy + py * dx;
                if (along < 0 || along > length || fabs(across) > half_width) continue;
                uint8_t *p = rgba + ((size_t)y * FOLIAGE + x) * 4;
                p[0] = 40;
                p[1] = (uint8_t)(120 + (int)along);
                p[2] = 30;
                p[3] = 255;
            }
    }
    char *path = zct_join(zcti_in_dir, name);
    zcti_write_png(path, FOLIAGE, FOLIAGE, 4, rgba);
    free(path);
    free(rgba);
}

/* Share of the texels of level `level` whose alpha passes the test alpha >= 128. */
static double coverage(const zc_texture_view *view, uint32_t level) {
    uint8_t *texels = zcti_decode_level(view, level);
    zc_texture_level_view lv = zcti_level(view, level);
    size_t n = (size_t)lv.width * lv.height, pass = 0;
    for (size_t i = 0; i < n; ++i) pass += texels[i * 4 + 3] >= 128;
    free(texels);
    return (double)pass / (double)n;
}

/* Coverage of every level with at least 8x8 texels (below that one texel is more
 * than 1.5% of the level) compared with level 0's. */
static void check_coverage(const zc_pack *pack, const char *name, int cutout, double tolerance) {
    zc_entry entry;
    zc_texture_view view;
    zcti_pack_texture(pack, name, &entry, &view);
    cr_assert_eq(!!(view.flags & ZC_TEXTURE_CUTOUT), cutout, "%s: CUTOUT flag 0x%x", name, view.flags);
    double base = coverage(&view, 0), worst = 0;
    for (uint32_t level = 1; level < view.mip_count; ++level) {
        zc_texture_level_view lv = zcti_level(&view, level);
        if (lv.width < 8 || lv.height < 8) break;
        double c = coverage(&view, level);
        if (fabs(c - base) > worst) worst = fabs(c - base);
    }
    cr_log_info("%s (%s): level 0 coverage %.4f, worst deviation %.4f", name, zc_pixel_format_name(view.format), base,
                worst);
    if (cutout)
        cr_assert_leq(worst, tolerance, "%s: coverage moves by %.4f from %.4f over the mips", name, worst, base);
    else
        cr_assert_gt(worst, tolerance, "%s: coverage without cutout moved only %.4f", name, worst);
}

/* Measured on the generated grass (level 0 coverage 0.2027), levels 1 to 5 (8x8):
 * cutout on, RGBA8: 0.1998 0.2031 0.2051 0.2031 0.2188; cutout on, BC3: 0.2081 0.2012
 * 0.1973 0.2031 0.2031; cutout off: 0.2137 0.1333 0.0566 0.0039 0.0000 (the blades
 * fade out of the alpha test). Tolerances: 0.03 with cutout, more than 0.10 lost
 * without. */
Test(texture_quality, cutout_keeps_coverage) {
    write_foliage("grass.png");
    write_foliage("grass_plain.png");
    char *manifest = zct_join(zcti_in_dir, "zcpack.json");
    static const char rules[] = "{ \"rules\": [ { \"match\": \"grass_plain.png\", \"cutout\": false } ] }";
    zct_write_file(manifest, rules, strlen(rules));
    free(manifest);
    build_cli("--no-compress");
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    check_coverage(pack, "grass.png", 1, 0.03);
    check_coverage(pack, "grass_plain.png", 0, 0.10);
    zc_pack_close(pack);
    /* The same through BC3: block-compressed alpha still keeps the coverage. */
    build_cli(NULL);
    pack = zcti_open_pack(zcti_pack_path);
    check_coverage(pack, "grass.png", 1, 0.03);
    zc_pack_close(pack);
}

/* ---------------------------------------------------------------------------------
 * ASTC (libastcenc)
 * ------------------------------------------------------------------------------- */

/* Real colour images packed as BC1 and as ASTC 4x4, 6x6 and 8x8 (8, 3.56 and 2 bits
 * per texel against BC1's 4): the mean RGB PSNR of level 0 against stb_image's decode
 * falls as the blocks grow, ASTC 4x4 beats BC1 by a clear margin, and every level of
 * every ASTC texture decodes. Measured when set: BC1 33.4 dB, ASTC 4x4 40.7, 6x6 35.1,
 * 8x8 31.6 (mean of the four images); floors about 3 dB under. */
Test(texture_quality, astc_quality_follows_its_block_size) {
    static const char *const images[] = { "alien1.png", "midikeys.png", "fist.png", "chimp.png" };
    static const char *const formats[] = { "bc1", "astc4x4", "astc6x6", "astc8x8" };
    static const zc_pixel_format want[] = { ZC_PIXEL_BC1_SRGB, ZC_PIXEL_ASTC_4x4_SRGB, ZC_PIXEL_ASTC_6x6_SRGB,
                                            ZC_PIXEL_ASTC_8x8_SRGB };
    char manifest[1024];
    size_t n = (size_t)snprintf(manifest, sizeof manifest, "{ \"rules\": [");
    for (size_t f = 0; f < 4; ++f) {
        for (size_t i = 0; i < 4; ++i) {
            char src[256], rel[64];
            snprintf(src, sizeof src, ZCTI_PYGAME "/%s", images[i]);
            zcti_require(src);
            snprintf(rel, sizeof rel, "%s/%s", formats[f], images[i]);
            free(zcti_copy(src, zcti_in_dir, rel));
        }
        n += (size_t)snprintf(manifest + n, sizeof manifest - n, "%s { \"match\": \"%s/*\", \"format\": \"%s\" }",
                              f ? "," : "", formats[f], formats[f]);
    }
    snprintf(manifest + n, sizeof manifest - n, " ] }\n");
    zct_put_text(zcti_in_dir, "zcpack.json", manifest);
    build_cli(NULL);
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    double mean[4] = { 0, 0, 0, 0 };
    for (size_t f = 0; f < 4; ++f) {
        for (size_t i = 0; i < 4; ++i) {
            char rel[64];
            snprintf(rel, sizeof rel, "%s/%s", formats[f], images[i]);
            char *file = zct_join(zcti_in_dir, rel);
            uint32_t w, h;
            uint8_t *source = zcti_stb_rgba8(file, &w, &h, NULL);
            zc_entry entry;
            zc_texture_view view;
            zcti_pack_texture(pack, rel, &entry, &view);
            cr_assert_eq(view.format, want[f], "%s is %s", rel, zc_pixel_format_name(view.format));
            zcti_assert_chain(&view, w, h, 1);
            for (uint32_t l = 1; l < view.mip_count; ++l) free(zcti_decode_level(&view, l));
            uint8_t *level0 = zcti_decode_level(&view, 0);
            double p = zcti_psnr(level0, source, (size_t)w * h, MASK_RGB);
            cr_log_info("%s: %.2f dB", rel, p);
            mean[f] += p / 4;
            free(level0);
            free(source);
            free(file);
        }
    }
    cr_log_info("mean RGB PSNR: BC1 %.2f dB, ASTC 4x4 %.2f, 6x6 %.2f, 8x8 %.2f", mean[0], mean[1], mean[2], mean[3]);
    cr_expect_gt(mean[1], mean[2]);
    cr_expect_gt(mean[2], mean[3]);
    cr_expect_geq(mean[1], mean[0] + 10.0, "ASTC 4x4 %.2f dB against BC1 %.2f", mean[1], mean[0]);
    cr_expect_geq(mean[1], 47.5);
    cr_expect_geq(mean[2], 35.5);
    cr_expect_geq(mean[3], 30.5);
    zc_pack_close(pack);
}
