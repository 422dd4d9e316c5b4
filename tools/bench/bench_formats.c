/* bench_formats.c - what each GPU texture format keeps of real images and how fast
 * zcpack encodes it, beside the default BC1/BC3 (stb_dxt) and RGBA16F measured in the
 * same run.
 *
 *  1. 8-bit formats on ten real images of the test-data packages (photographs, game
 *     sprites, textures with and without alpha): BC1 (opaque images) or BC3 (alpha),
 *     the default; BC7; ASTC 4x4, 6x6 and 8x8. Quality: PSNR of level 0 decoded again
 *     against the source texels (RGB, and A for images with alpha), mean over the
 *     images. Speed: megatexels of level 0 encoded per second of CPU time on one
 *     thread (the encoder alone; the source is decoded beforehand).
 *  2. Float formats on Blender's eight CC0 OpenEXR environment maps: RGBA16F (the
 *     default for HDR), ASTC HDR 4x4, 6x6 and 8x8, and BC6H (unsigned).
 *     Quality: RMS of the difference in stops (log2 of 1 + the value) over RGB; speed
 *     as above.
 *
 * Output: a report on stdout, build/bench/bench_formats.md and its summary rows
 * bench_formats.glance for BENCHMARKS.md. A benchmark, never a test: it exits
 * non-zero only when it cannot measure.
 */
#define _GNU_SOURCE
#include "zc_bench_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <stb/stb_image.h>

#include "zc_pixel_formats.h"
#include "zc_texture_pixels.h"

#define EXR_DIR "/usr/share/blender/datafiles/studiolights/world"
#define PYGAME "/usr/share/doc/python-pygame-doc/examples/data"
#define ASSIMP "/usr/share/assimp/models"

static const struct { const char *path; int alpha; } ldr_images[] = {
    { PYGAME "/fist.png", 0 },          { PYGAME "/chimp.png", 0 },
    { PYGAME "/alien1.jpg", 0 },        { ASSIMP "/MD2/sydney.bmp", 0 },
    { ASSIMP "/3DS/IMAGE1.jpg", 0 },    { ASSIMP "/Collada/duckCM.tga", 0 },
    { PYGAME "/alien1.png", 1 },        { PYGAME "/midikeys.png", 1 },
    { "/usr/libexec/installed-tests/gdk-pixbuf/test-image.png", 1 },
    { ASSIMP "/glTF2/ClearCoat-glTF/PartialCoating_Alpha.png", 1 },
};
#define LDR_COUNT (sizeof ldr_images / sizeof ldr_images[0])

static const char *const exr_names[] = { "city", "courtyard", "forest", "interior", "night", "studio", "sunrise", "sunset" };
#define EXR_COUNT (sizeof exr_names / sizeof exr_names[0])

static double thread_cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Encode level 0 of img in `format`, timing the encoder; the encoded level in a
 * malloc'd buffer with its view. */
static uint8_t *encode(uint32_t format, const zc_texels *img, zc_texture_level_view *lv, double *seconds) {
    uint32_t row_pitch = (uint32_t)zc_texture_row_bytes(format, img->width);
    uint64_t size = (uint64_t)row_pitch * zc_texture_block_rows(format, img->height);
    uint8_t *dst = calloc(1, (size_t)size);
    if (!dst) zc_bench_fatal("out of memory");
    double start = thread_cpu_seconds();
    zc__texture_encode_level(format, img, dst, row_pitch);
    *seconds = thread_cpu_seconds() - start;
    *lv = (zc_texture_level_view){ dst, size, img->width, img->height, 1, row_pitch };
    return dst;
}

static double psnr(const uint8_t *a, const uint8_t *b, size_t texels, int channels) {
    double sum = 0;
    for (size_t i = 0; i < texels; ++i)
        for (int c = 0; c < channels; ++c) {
            double d = (double)a[4 * i + c] - b[4 * i + c];
            sum += d * d;
        }
    double mse = sum / ((double)texels * channels);
    return mse == 0 ? 99.0 : 10 * log10(255.0 * 255.0 / mse);
}

/* Float RGBA of a float-format level: RGBA16F as halves, ASTC HDR through the codec,
 * BC6H through zcpack's decoder. */
static void decode_float(uint32_t format, const zc_texture_level_view *lv, float *out) {
    uint32_t block = 1, bytes = 0;
    zc_pixel_format_block(format, &block, &bytes);
    for (uint32_t by = 0; by < (lv->height + block - 1) / block; ++by)
        for (uint32_t bx = 0; bx < (lv->width + block - 1) / block; ++bx) {
            const uint8_t *src = (const uint8_t *)lv->data + (size_t)by * lv->row_pitch + (size_t)bx * bytes;
            float texels[8 * 8 * 4];
            if (format == ZC_PIXEL_RGBA16_FLOAT)
                for (int c = 0; c < 4; ++c) texels[c] = zc_float_from_half((uint16_t)(src[2 * c] | src[2 * c + 1] << 8));
            else if (format == ZC_PIXEL_BC6H_UFLOAT)
                zc_bc6h_decode_block(src, texels);
            else
                zc_astc_decode_hdr(src, block, texels);
            for (uint32_t y = 0; y < block && by * block + y < lv->height; ++y)
                for (uint32_t x = 0; x < block && bx * block + x < lv->width; ++x)
                    memcpy(out + ((size_t)(by * block + y) * lv->width + bx * block + x) * 4, texels + (y * block + x) * 4,
                           16);
        }
}

static double log_rmse(const float *a, const float *b, size_t texels) {
    double sum = 0;
    for (size_t i = 0; i < texels; ++i)
        for (int c = 0; c < 3; ++c) {
            double d = log2(1.0 + fmax(a[4 * i + c], 0.0)) - log2(1.0 + fmax(b[4 * i + c], 0.0));
            sum += d * d;
        }
    return sqrt(sum / (3.0 * (double)texels));
}

typedef struct row_result {
    const char *label;
    double quality;             /* mean PSNR (dB) or log2 RMSE */
    double texels, seconds;
} row_result;

int main(void) {
    zc_bench_require_test_data(NULL);
    uint64_t start = zc_bench_now_ns();
    zc_bench_machine machine;
    zc_bench_machine_get(&machine);

    /* 8-bit */
    const char *ldr_labels[] = { "BC1 / BC3 (default, stb_dxt)", "BC7", "ASTC 4x4", "ASTC 6x6", "ASTC 8x8" };
    const uint32_t ldr_formats[][2] = { { ZC_PIXEL_BC1_SRGB, ZC_PIXEL_BC3_SRGB }, { ZC_PIXEL_BC7_SRGB, ZC_PIXEL_BC7_SRGB },
                                        { ZC_PIXEL_ASTC_4x4_SRGB, ZC_PIXEL_ASTC_4x4_SRGB },
                                        { ZC_PIXEL_ASTC_6x6_SRGB, ZC_PIXEL_ASTC_6x6_SRGB },
                                        { ZC_PIXEL_ASTC_8x8_SRGB, ZC_PIXEL_ASTC_8x8_SRGB } };
    const double ldr_bits[] = { 4, 8, 8, 128.0 / 36, 2 };
    row_result ldr[5] = { { 0 } };
    for (size_t f = 0; f < 5; ++f) ldr[f].label = ldr_labels[f];
    for (size_t i = 0; i < LDR_COUNT; ++i) {
        int w, h, n;
        uint8_t *src = stbi_load(ldr_images[i].path, &w, &h, &n, 4);
        if (!src) zc_bench_fatal("%s: %s", ldr_images[i].path, stbi_failure_reason());
        zc_texels img = { (uint32_t)w, (uint32_t)h, 0, src };
        uint8_t *back = malloc((size_t)w * h * 4);
        for (size_t f = 0; f < 5; ++f) {
            uint32_t format = ldr_formats[f][ldr_images[i].alpha];
            zc_texture_level_view lv;
            double secs;
            uint8_t *enc = encode(format, &img, &lv, &secs);
            if (zc_texture_level_decode_rgba8(format, &lv, back) != ZC_OK) zc_bench_fatal("cannot decode format %u", format);
            ldr[f].quality += psnr(src, back, (size_t)w * h, ldr_images[i].alpha ? 4 : 3) / LDR_COUNT;
            ldr[f].texels += (double)w * h;
            ldr[f].seconds += secs;
            free(enc);
        }
        free(back);
        stbi_image_free(src);
    }

    /* float */
    const char *hdr_labels[] = { "RGBA16F (default)", "BC6H", "ASTC HDR 4x4", "ASTC HDR 6x6", "ASTC HDR 8x8" };
    const uint32_t hdr_formats[] = { ZC_PIXEL_RGBA16_FLOAT, ZC_PIXEL_BC6H_UFLOAT, ZC_PIXEL_ASTC_4x4_FLOAT,
                                     ZC_PIXEL_ASTC_6x6_FLOAT, ZC_PIXEL_ASTC_8x8_FLOAT };
    enum { HDR_ROWS = sizeof hdr_formats / sizeof hdr_formats[0] };
    const double hdr_bits[HDR_ROWS] = { 64, 8, 8, 128.0 / 36, 2 };
    row_result hdr[HDR_ROWS] = { { 0 } };
    for (size_t f = 0; f < HDR_ROWS; ++f) hdr[f].label = hdr_labels[f];
    for (size_t i = 0; i < EXR_COUNT; ++i) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s.exr", EXR_DIR, exr_names[i]);
        size_t size = 0;
        uint8_t *bytes = zc_bench_read_file(path, &size);
        int w = 0, h = 0, channels = 0;
        zc_diag diag;
        zc_texels img;
        if (!bytes || zc_exr_probe(bytes, size, 16384, &w, &h, &channels, &diag) != ZC_OK ||
            zc_exr_decode(bytes, size, w, h, &img, &diag) != ZC_OK)
            zc_bench_fatal("%s: cannot read it", path);
        float *back = malloc((size_t)w * h * 16);
        for (size_t f = 0; f < HDR_ROWS; ++f) {
            zc_texture_level_view lv;
            double secs;
            uint8_t *enc = encode(hdr_formats[f], &img, &lv, &secs);
            decode_float(hdr_formats[f], &lv, back);
            hdr[f].quality += log_rmse(back, (const float *)img.data, (size_t)w * h) / EXR_COUNT;
            hdr[f].texels += (double)w * h;
            hdr[f].seconds += secs;
            free(enc);
        }
        free(back);
        free(img.data);
        free(bytes);
    }

    /* report */
    const char *ldr_head[] = { "format", "bits / texel", "mean PSNR", "vs default", "Mtexel/s (1 core)", "vs default" };
    zc_bench_table ldr_table;
    zc_bench_table_init(&ldr_table, 6, ldr_head);
    zc_bench_table_left(&ldr_table, 0);
    for (size_t f = 0; f < 5; ++f) {
        int r = zc_bench_table_add_row(&ldr_table);
        double rate = ldr[f].texels / ldr[f].seconds / 1e6, base = ldr[0].texels / ldr[0].seconds / 1e6;
        zc_bench_table_set(&ldr_table, r, 0, "%s", ldr[f].label);
        zc_bench_table_set(&ldr_table, r, 1, f == 0 ? "4 / 8" : "%.2f", ldr_bits[f]);
        zc_bench_table_set(&ldr_table, r, 2, "%.2f dB", ldr[f].quality);
        zc_bench_table_set(&ldr_table, r, 3, "%+.2f dB", ldr[f].quality - ldr[0].quality);
        zc_bench_table_set(&ldr_table, r, 4, "%.2f", rate);
        zc_bench_table_set(&ldr_table, r, 5, "%.3fx", rate / base);
    }
    const char *hdr_head[] = { "format", "bits / texel", "log2 RMSE (stops)", "Mtexel/s (1 core)", "vs RGBA16F" };
    zc_bench_table hdr_table;
    zc_bench_table_init(&hdr_table, 5, hdr_head);
    zc_bench_table_left(&hdr_table, 0);
    for (size_t f = 0; f < HDR_ROWS; ++f) {
        int r = zc_bench_table_add_row(&hdr_table);
        double rate = hdr[f].texels / hdr[f].seconds / 1e6, base = hdr[0].texels / hdr[0].seconds / 1e6;
        zc_bench_table_set(&hdr_table, r, 0, "%s", hdr[f].label);
        zc_bench_table_set(&hdr_table, r, 1, "%.2f", hdr_bits[f]);
        zc_bench_table_set(&hdr_table, r, 2, "%.4f", hdr[f].quality);
        zc_bench_table_set(&hdr_table, r, 3, "%.2f", rate);
        zc_bench_table_set(&hdr_table, r, 4, "%.4fx", rate / base);
    }
    const char *what_ldr = "Ten real images of the test-data packages (six opaque, four with alpha), level 0 "
                           "encoded by zcpack's row encoder of each format (sRGB variants) and decoded again; PSNR "
                           "over RGB (and A for the images with alpha), mean of the ten; speed is megatexels per "
                           "second of one thread's CPU time, the source already decoded. The default is BC1 for "
                           "opaque images and BC3 for images with alpha (4 and 8 bits per texel).";
    const char *what_hdr = "Blender's eight CC0 OpenEXR environment maps (1024x512), level 0 of each format "
                           "against the float source: RMS over RGB of the difference of log2(1 + value), in "
                           "stops; speed as above.";
    printf("8-bit formats: %s\n\n", what_ldr);
    zc_bench_table_print(&ldr_table, stdout, "  ");
    printf("\nFloat formats: %s\n\n", what_hdr);
    zc_bench_table_print(&hdr_table, stdout, "  ");

    zc_bench_md md;
    zc_bench_md_init(&md);
    zc_bench_md_printf(&md, "## Texture formats: quality and encoding speed (bench_formats)\n\n");
    zc_bench_md_machine(&md, &machine);
    zc_bench_md_printf(&md, "### 8-bit formats\n\n%s\n\n", what_ldr);
    zc_bench_md_table(&md, &ldr_table);
    zc_bench_md_printf(&md, "### Float formats\n\n%s\n\n", what_hdr);
    zc_bench_md_table(&md, &hdr_table);
    zc_bench_md glance;
    zc_bench_md_init(&glance);
    zc_bench_glance_row(&glance, "bench_formats", "BC7 mean PSNR on ten real images", "BC1/BC3 (stb_dxt)", "%+.1f dB",
                        ldr[1].quality - ldr[0].quality);
    zc_bench_glance_row(&glance, "bench_formats", "BC7 encoding speed, one core", "BC1/BC3 (stb_dxt)", "%.3fx",
                        (ldr[1].texels / ldr[1].seconds) / (ldr[0].texels / ldr[0].seconds));
    zc_bench_glance_row(&glance, "bench_formats", "BC6H error on eight HDR maps (stops RMS)",
                        "RGBA16F, 8x the bytes", "%.4f against %.4f", hdr[1].quality, hdr[0].quality);
    zc_bench_glance_row(&glance, "bench_formats", "ASTC HDR 6x6 error on eight HDR maps (stops RMS)",
                        "RGBA16F, 18x the bytes", "%.4f against %.4f", hdr[3].quality, hdr[0].quality);
    const char *dir = "build/bench";
    zc_bench_mkdirs(dir);
    zc_bench_glance_save(&glance, dir, "bench_formats");
    int saved = zc_bench_md_save(&md, "build/bench/bench_formats.md");
    zc_bench_md_free(&md);
    printf("\nTotal time: %.1f s\n", (double)(zc_bench_now_ns() - start) / 1e9);
    return saved == 0 ? 0 : 1;
}
