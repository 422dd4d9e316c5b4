/* test_texture_exr.c - OpenEXR sources: Blender's environment maps and matcaps
 * (blender-data, DWA-compressed) import as RGBA16F textures whose texels match the
 * same images decoded independently by pfstools into Radiance HDR; an EXR written here
 * through OpenEXRCore's encoder (known half values, ZIP and PIZ, scanline and tiled,
 * luminance only) comes back bit for bit; NaN and infinities are mapped; damaged and
 * truncated files fail with a sentence, never a crash; `zcpack build` packs .exr as
 * textures.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <OpenEXR/openexr.h>

#include "zc_exit.h"
#include "zc_import_texture.h"
#include "zc_test_images.h"
#include "zc_test_util.h"
#include "zc_texture_pixels.h"

TestSuite(texture_exr, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 240);

#define MATCAP_DIR "/usr/share/blender/datafiles/studiolights/matcap"

static float half_to_float(uint16_t h) {
    int sign = h >> 15, exponent = (h >> 10) & 31, mantissa = h & 1023;
    float v = exponent == 0 ? ldexpf((float)mantissa, -24)
              : exponent == 31 ? (mantissa ? NAN : INFINITY)
                               : ldexpf((float)(mantissa | 1024), exponent - 25);
    return sign ? -v : v;
}

/* Import a file through the texture importer with the given settings (NULL: default). */
static zc_result import(const char *path, const zc_texture_settings *settings, zc_texture_image *img, zc_diag *diag) {
    memset(diag, 0, sizeof *diag);
    return zc_texture_import_file(path, NULL, settings, img, diag);
}

/* Level 0 of an imported RGBA16F texture as halves (points into img). */
static const uint16_t *level0_halves(const zc_texture_image *img, uint32_t *w, uint32_t *h, uint32_t *pitch) {
    zc_texture_view view;
    cr_assert_eq(zc_texture_import_view(img, &view), ZC_OK);
    cr_assert_eq(view.format, ZC_PIXEL_RGBA16_FLOAT, "an EXR becomes RGBA16F, got %s", zc_pixel_format_name(view.format));
    zc_texture_level_view lv;
    cr_assert_eq(zc_texture_view_level(&view, 0, 0, &lv), ZC_OK);
    *w = lv.width;
    *h = lv.height;
    *pitch = lv.row_pitch / 2;
    return (const uint16_t *)lv.data;
}

/* ---------------------------------------------------------------------------------
 * Real files
 * ------------------------------------------------------------------------------- */

/* Each world map: the probe's extent is the texture's; every texel is finite; the sky
 * is brighter than 1 somewhere (HDR); and level 0 matches pfstools' decode of the same
 * file within RGBE's precision (its 8-bit mantissa: 1/128 of the texel's largest
 * channel) plus half's. */
Test(texture_exr, blender_world_maps_match_pfstools) {
    if (access(ZCTI_EXR_DIR, R_OK) != 0) zct_skip_test("blender-data is not installed (tools/bootstrap.sh --test-data)");
    const char *names[] = { "city.exr", "courtyard.exr", "forest.exr", "interior.exr", "night.exr", "studio.exr",
                            "sunrise.exr", "sunset.exr" };
    for (size_t n = 0; n < sizeof names / sizeof *names; ++n) {
        char *path = zct_join(ZCTI_EXR_DIR, names[n]);
        size_t size = 0;
        uint8_t *bytes = zct_read_file(path, &size);
        int pw = 0, ph = 0, channels = 0;
        zc_diag diag;
        cr_assert_eq(zc_exr_probe(bytes, size, 16384, &pw, &ph, &channels, &diag), ZC_OK, "%s: %s", path, diag.message);
        free(bytes);
        zc_texture_image img;
        cr_assert_eq(import(path, NULL, &img, &diag), ZC_OK, "%s: %s", path, diag.message);
        uint32_t w, h, pitch;
        const uint16_t *texels = level0_halves(&img, &w, &h, &pitch);
        cr_expect(w == (uint32_t)pw && h == (uint32_t)ph, "%s: %ux%u, the header says %dx%d", path, w, h, pw, ph);

        char *hdr = zcti_make_hdr(names[n], zct_tmp, "reference.hdr");
        uint32_t rw, rh;
        float *ref = zcti_stb_rgbaf(hdr, &rw, &rh, NULL);
        cr_assert(rw == w && rh == h, "%s: pfstools gives %ux%u", path, rw, rh);
        double brightest = 0, worst = 0, sum = 0;
        size_t skipped = 0;
        for (uint32_t y = 0; y < h; ++y)
            for (uint32_t x = 0; x < w; ++x) {
                const float *r = ref + ((size_t)y * w + x) * 4;
                const uint16_t *t = texels + (size_t)y * pitch + (size_t)x * 4;
                float top = fmaxf(r[0], fmaxf(r[1], r[2])), v[3];
                int negative = 0;
                for (int c = 0; c < 3; ++c) {
                    v[c] = half_to_float(t[c]);
                    cr_assert(isfinite(v[c]), "%s: texel %u,%u is not finite", path, x, y);
                    brightest = fmax(brightest, v[c]);
                    negative |= v[c] < 0;
                }
                /* RGBE holds no negative value (DWA's undershoots next to bright spots):
                 * the reference cannot be compared there; those texels are counted */
                if (negative) {
                    skipped++;
                    continue;
                }
                for (int c = 0; c < 3; ++c) {
                    double err = fabs(v[c] - r[c]) / (top + 1e-2);
                    worst = fmax(worst, err);
                    sum += err;
                }
            }
        cr_expect_gt(brightest, 1.0, "%s: no texel above 1: not decoded as HDR", path);
        cr_expect_lt(sum / (3.0 * w * h), 1.0 / 256, "%s: mean difference to pfstools %.5f", path, sum / (3.0 * w * h));
        cr_expect_lt(worst, 1.0 / 64, "%s: largest difference to pfstools %.4f of the texel's brightest channel", path, worst);
        cr_expect_lt(skipped, (size_t)w * h / 100, "%s: %zu texels with a negative channel", path, skipped);
        cr_log_info("%s: %ux%u, brightest %.1f, against pfstools: mean %.5f, largest %.5f of the brightest channel "
                    "(%zu texels with a negative channel left out)",
                    names[n], w, h, brightest, sum / (3.0 * w * h), worst, skipped);
        free(ref);
        free(hdr);
        zc_texture_image_free(&img);
        free(path);
    }
}

/* Matcaps: small square EXRs, some with alpha; they import too. */
Test(texture_exr, blender_matcaps_import) {
    DIR *d = opendir(MATCAP_DIR);
    if (!d) zct_skip_test("blender-data is not installed (tools/bootstrap.sh --test-data)");
    struct dirent *e;
    int imported = 0;
    while ((e = readdir(d)) != NULL) {
        const char *dot = strrchr(e->d_name, '.');
        if (!dot || strcmp(dot, ".exr") != 0) continue;
        char *path = zct_join(MATCAP_DIR, e->d_name);
        zc_texture_image img;
        zc_diag diag;
        cr_expect_eq(import(path, NULL, &img, &diag), ZC_OK, "%s: %s", path, diag.message);
        zc_texture_image_free(&img);
        free(path);
        imported++;
    }
    closedir(d);
    cr_expect_geq(imported, 10, "only %d matcaps", imported);
}

/* ---------------------------------------------------------------------------------
 * Files written here
 * ------------------------------------------------------------------------------- */

#define W 37
#define H 21

/* Write `channels` ("RGBA", "RGB" or "Y") of halves[c][y][x] to path, scanline or
 * tiled (16x8 tiles), with the given compression. */
static void write_exr(const char *path, const char *channels, uint16_t halves[4][H][W], int tiled,
                      exr_compression_t compression) {
    exr_context_t ctxt = NULL;
    exr_context_initializer_t init = EXR_DEFAULT_CONTEXT_INITIALIZER;
    cr_assert_eq(exr_start_write(&ctxt, path, EXR_WRITE_FILE_DIRECTLY, &init), EXR_ERR_SUCCESS);
    int part = 0;
    cr_assert_eq(exr_add_part(ctxt, "image", tiled ? EXR_STORAGE_TILED : EXR_STORAGE_SCANLINE, &part), EXR_ERR_SUCCESS);
    cr_assert_eq(exr_initialize_required_attr_simple(ctxt, part, W, H, compression), EXR_ERR_SUCCESS);
    if (tiled) cr_assert_eq(exr_set_tile_descriptor(ctxt, part, 16, 8, EXR_TILE_ONE_LEVEL, EXR_TILE_ROUND_DOWN), EXR_ERR_SUCCESS);
    size_t n = strlen(channels);
    for (size_t c = 0; c < n; ++c) {
        char name[2] = { channels[c], 0 };
        cr_assert_eq(exr_add_channel(ctxt, part, name, EXR_PIXEL_HALF, EXR_PERCEPTUALLY_LINEAR, 1, 1), EXR_ERR_SUCCESS);
    }
    cr_assert_eq(exr_write_header(ctxt), EXR_ERR_SUCCESS);
    exr_encode_pipeline_t encode = EXR_ENCODE_PIPELINE_INITIALIZER;
    int first = 1;
    int32_t lines = 0;
    if (!tiled) cr_assert_eq(exr_get_scanlines_per_chunk(ctxt, part, &lines), EXR_ERR_SUCCESS);
    int across = tiled ? (W + 15) / 16 : 1, down = tiled ? (H + 7) / 8 : (H + lines - 1) / lines;
    for (int ty = 0; ty < down; ++ty)
        for (int tx = 0; tx < across; ++tx) {
            exr_chunk_info_t chunk;
            int x0 = tiled ? tx * 16 : 0, y0 = tiled ? ty * 8 : ty * lines;
            cr_assert_eq(tiled ? exr_write_tile_chunk_info(ctxt, part, tx, ty, 0, 0, &chunk)
                               : exr_write_scanline_chunk_info(ctxt, part, y0, &chunk),
                         EXR_ERR_SUCCESS);
            cr_assert_eq(first ? exr_encoding_initialize(ctxt, part, &chunk, &encode)
                               : exr_encoding_update(ctxt, part, &chunk, &encode),
                         EXR_ERR_SUCCESS);
            for (int16_t i = 0; i < encode.channel_count; ++i) {
                exr_coding_channel_info_t *ch = &encode.channels[i];
                int c = (int)(strchr("RGBA", ch->channel_name[0]) ? strchr("RGBA", ch->channel_name[0]) - "RGBA" : 0);
                ch->user_bytes_per_element = 2;
                ch->user_data_type = EXR_PIXEL_HALF;
                ch->user_pixel_stride = 2;
                ch->user_line_stride = W * 2;
                ch->encode_from_ptr = (const uint8_t *)&halves[c][y0][x0];
            }
            if (first) cr_assert_eq(exr_encoding_choose_default_routines(ctxt, part, &encode), EXR_ERR_SUCCESS);
            first = 0;
            cr_assert_eq(exr_encoding_run(ctxt, part, &encode), EXR_ERR_SUCCESS);
        }
    exr_encoding_destroy(ctxt, &encode);
    cr_assert_eq(exr_finish(&ctxt), EXR_ERR_SUCCESS);
}

/* Halves that cover the range: negatives, subnormals, the largest, ramps; texel (0,0)
 * of R is NaN, (1,0) +inf, (2,0) -inf. */
static void fill_halves(uint16_t halves[4][H][W]) {
    uint64_t seed = 7;
    for (int c = 0; c < 4; ++c)
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x) {
                uint16_t bits = (uint16_t)(zct_rand(&seed) & 0xffff);
                if ((bits & 0x7c00) == 0x7c00) bits &= 0xbfff; /* no NaN or infinity but the three below */
                halves[c][y][x] = bits;
            }
    halves[0][0][0] = 0x7e00;
    halves[0][0][1] = 0x7c00;
    halves[0][0][2] = 0xfc00;
}

static uint16_t expected_half(uint16_t h) {
    if ((h & 0x7c00) == 0x7c00) return (h & 0x3ff) ? 0 : (uint16_t)((h & 0x8000) | 0x7bff);
    if ((h & 0x7fff) == 0) return 0; /* -0 becomes +0 through float and back: both are zero */
    return h;
}

Test(texture_exr, written_halves_come_back_bit_for_bit) {
    static uint16_t halves[4][H][W];
    fill_halves(halves);
    struct { const char *channels; int tiled; exr_compression_t compression; const char *name; } cases[] = {
        { "RGBA", 0, EXR_COMPRESSION_ZIP, "rgba_zip.exr" },
        { "RGBA", 1, EXR_COMPRESSION_PIZ, "rgba_piz_tiled.exr" },
        { "RGB", 0, EXR_COMPRESSION_NONE, "rgb_none.exr" },
        { "Y", 0, EXR_COMPRESSION_RLE, "y_rle.exr" },
    };
    zc_texture_settings settings;
    memset(&settings, 0, sizeof settings);
    settings.mips = ZC_SWITCH_OFF;
    for (size_t k = 0; k < sizeof cases / sizeof *cases; ++k) {
        char *path = zct_tmp_path(cases[k].name);
        write_exr(path, cases[k].channels, halves, cases[k].tiled, cases[k].compression);
        zc_texture_image img;
        zc_diag diag;
        cr_assert_eq(import(path, &settings, &img, &diag), ZC_OK, "%s: %s", cases[k].name, diag.message);
        uint32_t w, h, pitch;
        const uint16_t *texels = level0_halves(&img, &w, &h, &pitch);
        cr_assert(w == W && h == H);
        int grey = strcmp(cases[k].channels, "Y") == 0, alpha = strchr(cases[k].channels, 'A') != NULL;
        size_t wrong = 0;
        for (uint32_t y = 0; y < H; ++y)
            for (uint32_t x = 0; x < W; ++x)
                for (int c = 0; c < 4; ++c) {
                    uint16_t want = c == 3 ? (alpha ? expected_half(halves[3][y][x]) : 0x3c00)
                                           : expected_half(halves[grey ? 0 : c][y][x]);
                    uint16_t got = texels[(size_t)y * pitch + (size_t)x * 4 + (size_t)c];
                    if (got != want && wrong++ < 4)
                        cr_log_error("%s: texel %u,%u channel %d: 0x%04x, wrote 0x%04x", cases[k].name, x, y, c, got, want);
                }
        cr_expect_eq(wrong, 0u, "%s: %zu values differ", cases[k].name, wrong);
        zc_texture_image_free(&img);
        free(path);
    }
}

/* Truncated anywhere and bytes changed anywhere: an error with a sentence, or a
 * texture whose texels are finite; never a crash or a hang. */
Test(texture_exr, damaged_files_fail_with_a_sentence) {
    static uint16_t halves[4][H][W];
    fill_halves(halves);
    char *path = zct_tmp_path("good.exr");
    write_exr(path, "RGBA", halves, 0, EXR_COMPRESSION_ZIP);
    size_t size = 0;
    uint8_t *good = zct_read_file(path, &size);
    zc_texture_settings settings;
    memset(&settings, 0, sizeof settings);
    settings.mips = ZC_SWITCH_OFF;
    int refused = 0, accepted = 0;
    for (size_t cut = 0; cut < size; cut += cut < 400 ? 7 : 97) {
        zc_texture_image img;
        zc_diag diag;
        memset(&diag, 0, sizeof diag);
        zc_result r = zc_texture_import_memory(good, cut, "cut.exr", &settings, &img, &diag);
        if (r == ZC_OK) {
            accepted++;
            zc_texture_image_free(&img);
        } else {
            refused++;
            cr_expect(diag.message[0], "cut at %zu: %s without a sentence", cut, zc_result_str(r));
        }
    }
    cr_expect_gt(refused, 10);
    uint64_t seed = 11;
    uint8_t *bad = malloc(size);
    for (int round = 0; round < 300; ++round) {
        memcpy(bad, good, size);
        for (int k = 0; k < 3; ++k) bad[zct_rand(&seed) % size] ^= (uint8_t)(1u << (zct_rand(&seed) % 8));
        zc_texture_image img;
        zc_diag diag;
        memset(&diag, 0, sizeof diag);
        zc_result r = zc_texture_import_memory(bad, size, "flipped.exr", &settings, &img, &diag);
        if (r == ZC_OK) zc_texture_image_free(&img);
        else cr_expect(diag.message[0], "round %d: %s without a sentence", round, zc_result_str(r));
    }
    cr_log_info("truncated: %d refused, %d accepted", refused, accepted);
    free(bad);
    free(good);
    free(path);
}

/* Through the CLI: an .exr in a tree is a texture, and one too large for
 * --max-texture-dimension is refused before it is decoded. */
Test(texture_exr, build_packs_exr_as_textures) {
    static uint16_t halves[4][H][W];
    fill_halves(halves);
    char *root = zct_tmp_path("tree");
    zct_mkdirs(root);
    char *path = zct_join(root, "sky.exr");
    write_exr(path, "RGBA", halves, 1, EXR_COMPRESSION_ZIP);
    char *pack = zct_tmp_path("tree.zcpack");
    zct_run run = ZCT_CLI("build", root, "-o", pack);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    cr_expect(strstr(run.out, "1 texture"), "%s", run.out);
    zct_run_free(&run);
    zct_run dump = ZCT_CLI("dump", pack, "sky.exr");
    ZCT_EXPECT_CODE(dump, ZC_EXIT_OK);
    cr_expect(strstr(dump.out, "RGBA16_FLOAT"), "%s", dump.out);
    zct_run_free(&dump);
    run = ZCT_CLI("build", root, "-o", pack, "--max-texture-dimension", "32");
    ZCT_EXPECT_CODE(run, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(run, "image is 37x21, larger than the 32 limit");
    zct_run_free(&run);
    free(pack);
    free(path);
    free(root);
}

/* ---------------------------------------------------------------------------------
 * HDR formats against the float source
 * ------------------------------------------------------------------------------- */

/* Level 0 of an imported HDR texture as float RGBA (malloc'd). */
static float *level0_floats(const zc_texture_image *img, uint32_t *w, uint32_t *h) {
    zc_texture_view view;
    cr_assert_eq(zc_texture_import_view(img, &view), ZC_OK);
    zc_texture_level_view lv;
    cr_assert_eq(zc_texture_view_level(&view, 0, 0, &lv), ZC_OK);
    *w = lv.width;
    *h = lv.height;
    return zcti_decode_float_level(view.format, &lv);
}

/* Forest and studio maps: RGBA16F (8 bytes a texel), ASTC HDR 4x4 (1), 6x6 (0.44) and
 * 8x8 (0.25) against the decoded float source. Each block size loses more than the one
 * before and more than RGBA16F; ASTC 4x4 stays within a tenth of a stop in RMS. */
Test(texture_exr, hdr_formats_error_against_the_source) {
    if (access(ZCTI_EXR_DIR, R_OK) != 0) zct_skip_test("blender-data is not installed (tools/bootstrap.sh --test-data)");
    const char *names[] = { "forest.exr", "studio.exr" };
    const struct { zc_texture_choice choice; const char *name; double bits; } formats[] = {
        { ZC_TEXTURE_CHOICE_RGBA16F, "rgba16f", 64 }, { ZC_TEXTURE_CHOICE_ASTC4x4_HDR, "astc4x4hdr", 8 },
        { ZC_TEXTURE_CHOICE_ASTC6x6_HDR, "astc6x6hdr", 128.0 / 36 }, { ZC_TEXTURE_CHOICE_ASTC8x8_HDR, "astc8x8hdr", 2 },
    };
    for (size_t n = 0; n < sizeof names / sizeof *names; ++n) {
        char *path = zct_join(ZCTI_EXR_DIR, names[n]);
        size_t size = 0;
        uint8_t *bytes = zct_read_file(path, &size);
        int w = 0, h = 0, channels = 0;
        zc_diag diag;
        cr_assert_eq(zc_exr_probe(bytes, size, 16384, &w, &h, &channels, &diag), ZC_OK);
        zc_texels source;
        cr_assert_eq(zc_exr_decode(bytes, size, w, h, &source, &diag), ZC_OK, "%s", diag.message);
        double errors[4];
        for (size_t f = 0; f < 4; ++f) {
            zc_texture_settings settings;
            memset(&settings, 0, sizeof settings);
            settings.mips = ZC_SWITCH_OFF;
            settings.format = formats[f].choice;
            zc_texture_image img;
            cr_assert_eq(zc_texture_import_memory(bytes, size, names[n], &settings, &img, &diag), ZC_OK, "%s", diag.message);
            uint32_t lw, lh;
            float *decoded = level0_floats(&img, &lw, &lh);
            cr_assert(lw == (uint32_t)w && lh == (uint32_t)h);
            errors[f] = zcti_log2_rmse(decoded, (const float *)source.data, (size_t)w * h);
            cr_log_info("%s %s: %.2f bits a texel, log2 RMSE %.5f", names[n], formats[f].name, formats[f].bits, errors[f]);
            free(decoded);
            zc_texture_image_free(&img);
        }
        for (size_t f = 1; f < 4; ++f)
            cr_expect_gt(errors[f], errors[f - 1], "%s: %s loses less than %s", names[n], formats[f].name, formats[f - 1].name);
        cr_expect_lt(errors[1], 0.1, "%s: ASTC 4x4 HDR log2 RMSE %.4f", names[n], errors[1]);
        free(source.data);
        free(bytes);
        free(path);
    }
}
