/* test_texture.c - the texture pipeline on real third-party images, end to end:
 *  - round trips in every source format (PNG, JPEG, TGA, BMP, PSD, GIF, HDR): a pack
 *    built by `zcpack build --no-compress` holds level 0 exactly as stb_image decodes
 *    the file, every mip level down to 1x1 has its extent, and the archived view has
 *    the same bytes as the view of zc_texture_import_file on the same file;
 *  - TGA variants against the reference PNGs that gdk-pixbuf's tests ship (a decoder
 *    other than stb_image);
 *  - the format policy, zcpack.json rules and malformed manifests;
 *  - `zcpack dump` and `zcpack extract` against the views they describe;
 *  - determinism: the same tree gives the same bytes with 1 and 2 import threads.
 *
 * The images come from Debian packages (tools/bootstrap.sh --test-data) and are copied
 * into a temporary directory; under sanitizers (ZC_SANITIZE_RUN) the large ones are
 * left out.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "zc_build.h"
#include "zc_import_texture.h"
#include "zc_pack.h"
#include "zc_test_images.h"
#include "zc_exit.h" /* the exit codes of zcpack */
#include "zc_test_alloc_wrap.h"
#include "zc_test_util.h"
#include "zc_texture_pixels.h"


TestSuite(texture, .init = zcti_tree_setup, .fini = zcti_tree_teardown, .timeout = 120);

/* A source image: its file and whether it is large enough to leave out of sanitizer
 * runs. */
typedef struct source {
    const char *path;
    int large;
} source;

/* Copy the sources into in_dir under their base names; returns how many were copied. */
static size_t copy_sources(const source *list, size_t count) {
    size_t copied = 0;
    for (size_t i = 0; i < count; ++i) {
        if (list[i].large && zcti_sanitize_run()) continue;
        free(zcti_copy(list[i].path, zcti_in_dir, NULL));
        copied++;
    }
    return copied;
}

/* Build in_dir into pack_path with the CLI and these extra options; assert success. */
static void build_cli(const char *opt1, const char *opt2) {
    const char *argv[8] = { "build", zcti_in_dir, "-o", zcti_pack_path, "-q" };
    size_t n = 5;
    if (opt1) argv[n++] = opt1;
    if (opt2) argv[n++] = opt2;
    zct_run run = zct_cli(NULL, argv);
    cr_assert_eq(run.code, 0, "zcpack build failed with %d: %s", run.code, run.err);
    zct_run_free(&run);
}

/* Every level of an archived view starts at a multiple of the writer's level
 * alignment from the start of its entry. */
static void assert_level_placement(const zc_entry *entry, const zc_texture_view *view) {
    cr_assert_eq(entry->codec, ZC_CODEC_NONE);
    cr_assert_eq(entry->alignment, 1u << ZC_TEXTURE_ENTRY_ALIGN_LOG2);
    for (uint32_t i = 0; i < view->mip_count; ++i) {
        zc_texture_level_view lv = zcti_level(view, i);
        uint64_t offset = (uint64_t)((const uint8_t *)lv.data - (const uint8_t *)entry->data);
        cr_assert_eq(offset % ZC_TEXTURE_WRITER_DATA_ALIGN, 0, "%s level %u at entry offset %llu", entry->path, i,
                     (unsigned long long)offset);
        cr_assert_leq(offset + lv.size, entry->raw_size);
    }
}

/* The entry `name` of the open pack against the view of an import of `file` with the
 * same settings: same view, and the entry's bytes are the import's payload. */
static void assert_matches_import(const zc_entry *entry, const zc_texture_view *view, const char *file,
                                  const char *name, const zc_texture_settings *settings) {
    zc_texture_image img;
    zc_diag diag;
    zc_result r = zc_texture_import_file(file, name, settings, &img, &diag);
    cr_assert_eq(r, ZC_OK, "zc_texture_import_file %s: %s", file, diag.message);
    zc_texture_view imported;
    cr_assert_eq(zc_texture_import_view(&img, &imported), ZC_OK);
    zcti_assert_views_equal(view, &imported, name);
    for (uint32_t level = 0; level < imported.mip_count; ++level) {
        zc_texture_level_view own, viewed;
        cr_assert_eq(zc_texture_image_level(&img, level, &own), ZC_OK);
        cr_assert_eq(zc_texture_view_level(&imported, level, 0, &viewed), ZC_OK);
        cr_assert(own.data == viewed.data && own.size == viewed.size && own.row_pitch == viewed.row_pitch,
                  "%s: level %u", name, level);
    }
    cr_assert_eq(zc_texture_image_level(&img, imported.mip_count, &(zc_texture_level_view){ 0 }), ZC_ERR_NO_ENTRY);
    cr_assert_eq(entry->raw_size, img.size, "%s: entry of %llu bytes, import of %zu", name,
                 (unsigned long long)entry->raw_size, img.size);
    cr_assert(memcmp(entry->data, img.payload, img.size) == 0, "%s: entry bytes differ from the import's", name);
    zc_texture_image_free(&img);
}

/* Round trip of one 8-bit source in a pack built with --no-compress. */
static void check_ldr(const zc_pack *pack, const char *name) {
    char *file = zct_join(zcti_in_dir, name);
    uint32_t w, h;
    int comp;
    uint8_t *want = zcti_stb_rgba8(file, &w, &h, &comp);
    zc_entry entry;
    zc_texture_view view;
    zcti_pack_texture(pack, name, &entry, &view);

    /* Single-channel sources are data (UNORM); every other source is colour (sRGB). */
    zc_pixel_format format = comp == 1 ? ZC_PIXEL_RGBA8_UNORM : ZC_PIXEL_RGBA8_SRGB;
    cr_assert_eq(view.format, format, "%s (%d channels) is %s", name, comp, zc_pixel_format_name(view.format));
    int has_alpha = 0;
    for (size_t i = 0; i < (size_t)w * h && !has_alpha; ++i) has_alpha = want[i * 4 + 3] < 255;
    cr_assert_eq(!!(view.flags & ZC_TEXTURE_HAS_ALPHA), has_alpha, "%s: HAS_ALPHA flag", name);
    cr_assert_eq(view.flags & (ZC_TEXTURE_HDR | ZC_TEXTURE_NORMAL_MAP), 0, "%s: flags 0x%x", name, view.flags);

    zcti_assert_level0_equals(&view, want, name);
    zcti_assert_chain(&view, w, h, 1);
    assert_level_placement(&entry, &view);
    assert_matches_import(&entry, &view, file, name, &(zc_texture_settings){ .no_compress = 1 });
    free(want);
    free(file);
}

/* Decode a binary16 value exactly (no conversion library involved). */
static double half_value(uint16_t h) {
    int exponent = (h >> 10) & 0x1F;
    double mantissa = h & 0x3FF;
    double magnitude = exponent == 0    ? ldexp(mantissa, -24)
                       : exponent == 31 ? (mantissa ? NAN : INFINITY)
                                        : ldexp(1024.0 + mantissa, exponent - 25);
    return (h & 0x8000) ? -magnitude : magnitude;
}

/* 1 when `h` is a binary16 value nearest to `f` (no other half is strictly closer):
 * its two neighbours in the same sign are no closer. */
static int is_nearest_half(uint16_t h, float f) {
    double v = half_value(h), d = fabs(v - (double)f);
    if (isnan(v) || isinf(v)) return 0;
    uint16_t magnitude = h & 0x7FFF;
    if (magnitude < 0x7BFF && fabs(half_value((uint16_t)(h + 1)) - f) < d) return 0;
    if (magnitude > 0 && fabs(half_value((uint16_t)(h - 1)) - f) < d) return 0;
    if (magnitude == 0 && f != 0 && fabs(half_value((uint16_t)(h ^ 0x8001)) - f) < d) return 0;
    return 1;
}

/* Round trip of an HDR source: RGBA16F level 0 holds stb_image's float decode, each
 * value rounded to a nearest half. */
static void check_hdr(const zc_pack *pack, const char *name) {
    char *file = zct_join(zcti_in_dir, name);
    uint32_t w, h;
    int comp;
    float *want = zcti_stb_rgbaf(file, &w, &h, &comp);
    zc_entry entry;
    zc_texture_view view;
    zcti_pack_texture(pack, name, &entry, &view);
    cr_assert_eq(view.format, ZC_PIXEL_RGBA16_FLOAT, "%s is %s", name, zc_pixel_format_name(view.format));
    cr_assert_eq(view.flags & ZC_TEXTURE_HDR, ZC_TEXTURE_HDR);
    zcti_assert_chain(&view, w, h, 1);
    zc_texture_level_view lv = zcti_level(&view, 0);
    for (uint32_t y = 0; y < h; ++y) {
        const uint8_t *row = (const uint8_t *)lv.data + (size_t)y * lv.row_pitch;
        for (uint32_t x = 0; x < w * 4; ++x) {
            uint16_t half;
            memcpy(&half, row + x * 2, 2);
            float f = want[(size_t)y * w * 4 + x];
            cr_assert(is_nearest_half(half, f), "%s: texel (%u, %u) channel %u: half 0x%04x (%g) for %.9g", name,
                      x / 4, y, x % 4, half, half_value(half), f);
        }
    }
    assert_level_placement(&entry, &view);
    assert_matches_import(&entry, &view, file, name, &(zc_texture_settings){ .no_compress = 1 });
    free(want);
    free(file);
}

/* Build in_dir with --no-compress and check every file in it. */
static void round_trip_all(size_t expected) {
    build_cli("--no-compress", NULL);
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    cr_assert_eq(zc_pack_entry_count(pack), expected);
    for (uint32_t i = 0; i < expected; ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_entry_at(pack, i, &e), ZC_OK);
        size_t n = strlen(e.path);
        if (n > 4 && strcmp(e.path + n - 4, ".hdr") == 0)
            check_hdr(pack, e.path);
        else
            check_ldr(pack, e.path);
    }
    zc_pack_close(pack);
}

/* ---------------------------------------------------------------------------------
 * Round trips, one source format per test
 * ------------------------------------------------------------------------------- */

Test(texture, round_trip_png) {
    static const source list[] = {
        { ZCTI_PYGAME "/alien1.png", 0 },       /* RGBA, binary alpha */
        { ZCTI_PYGAME "/chimp.png", 0 },        /* RGB, odd extent 61x89 */
        { ZCTI_PYGAME "/fist.png", 0 },         /* RGB 300x424 */
        { ZCTI_PYGAME "/city.png", 0 },         /* grey RGBA 24x24 */
        { ZCTI_PIXBUF "/test-image.png", 0 },   /* RGBA, soft alpha edges */
        { ZCTI_ASSIMP "/glTF2/ClearCoat-glTF/PartialCoating_Alpha.png", 0 },
        { ZCTI_ASSIMP "/glTF/CesiumMilkTruck/CesiumMilkTruck.png", 1 }, /* 2048x2048 */
    };
    round_trip_all(copy_sources(list, sizeof list / sizeof list[0]));
}

/* The offset of the first IDAT chunk of a PNG file in memory (asserted to exist). */
static size_t first_idat(const uint8_t *png, size_t size) {
    size_t at = 8;
    while (at + 12 <= size && memcmp(png + at + 4, "IDAT", 4) != 0)
        at += 12 + ((size_t)png[at] << 24 | (size_t)png[at + 1] << 16 | (size_t)png[at + 2] << 8 | png[at + 3]);
    cr_assert(at + 12 <= size, "the PNG has no IDAT chunk");
    return at;
}

/* Empty IDAT chunks carry no data: a real PNG with one put before its first image data
 * chunk (where stb_image would add 0 to a null pointer) imports to the same texels. */
Test(texture, png_with_an_empty_image_data_chunk) {
    zcti_require(ZCTI_PYGAME "/fist.png");
    size_t size;
    uint8_t *png = zct_read_file(ZCTI_PYGAME "/fist.png", &size);
    size_t at = first_idat(png, size);
    static const uint8_t empty[12] = { 0, 0, 0, 0, 'I', 'D', 'A', 'T', 0x35, 0xAF, 0x06, 0x1E }; /* CRC-32 of "IDAT" */
    uint8_t *with = malloc(size + 12);
    memcpy(with, png, at);
    memcpy(with + at, empty, 12);
    memcpy(with + at + 12, png + at, size - at);
    char *path = zct_join(zcti_in_dir, "empty_idat.png");
    zct_write_file(path, with, size + 12);
    uint32_t w0, h0, w1, h1;
    uint8_t *plain = zcti_import_rgba8(ZCTI_PYGAME "/fist.png", &w0, &h0), *odd = zcti_import_rgba8(path, &w1, &h1);
    cr_assert(w0 == w1 && h0 == h1 && memcmp(plain, odd, (size_t)w0 * h0 * 4) == 0, "the empty chunk changed the texels");
    free(plain);
    free(odd);
    free(path);
    free(with);
    free(png);
}

/* A PNG cut inside an image data chunk that declares 2 GiB is refused as stb_image
 * refuses any cut PNG, without an allocation near the declared size (stb_image would
 * grow its buffer to the declared length before finding the bytes missing). */
Test(texture, png_declaring_a_huge_image_data_chunk) {
    zcti_require(ZCTI_PYGAME "/fist.png");
    size_t size;
    uint8_t *png = zct_read_file(ZCTI_PYGAME "/fist.png", &size);
    size_t at = first_idat(png, size);
    png[at] = 0x7F, png[at + 1] = png[at + 2] = png[at + 3] = 0xF0; /* 2 GiB - 16 MiB: runs past the end */
    zc_texture_settings s;
    memset(&s, 0, sizeof s);
    zc_texture_image img;
    zc_diag diag = { 0 };
    zct_wrap_arm(-1, 0);
    zc_result r = zc_texture_import_memory(png, size, "huge_idat.png", &s, &img, &diag);
    zct_wrap_report report = zct_wrap_disarm();
    cr_assert_eq(r, ZC_ERR_BAD_SOURCE, "got %s (%s)", zc_result_name(r), diag.message);
    cr_assert(strstr(diag.message, "Corrupt PNG"), "%s", diag.message);
    cr_assert_lt(report.largest, (size_t)16 << 20, "an allocation of %zu bytes for a %zu-byte file", report.largest, size);
    free(png);
}

Test(texture, round_trip_jpeg) {
    static const source list[] = {
        { ZCTI_PYGAME "/alien1.jpg", 0 },
        { ZCTI_PYGAME "/red.jpg", 0 },                          /* progressive */
        { ZCTI_PIXBUF_IMAGES "/reftests/cat.jpg", 0 },          /* single channel */
        { ZCTI_ASSIMP "/3DS/IMAGE1.jpg", 0 },
        { ZCTI_ASSIMP "/Ogre/TheThing/Reference.JPG", 0 },      /* upper-case extension */
        { ZCTI_ASSIMP "/LWO/LWO2/MappingModes/earthCylindric.jpg", 1 }, /* 2048x1024 */
    };
    round_trip_all(copy_sources(list, sizeof list / sizeof list[0]));
}

Test(texture, round_trip_tga) {
    static const source list[] = {
        { ZCTI_PYGAME "/yellow.tga", 0 },
        { ZCTI_ASSIMP "/Collada/duckCM.tga", 0 },       /* 512x512 */
        { ZCTI_ASSIMP "/SMD/holygrail.tga", 1 },        /* 32-bit, 256x512 */
        { ZCTI_PIXBUF_IMAGES "/reftests/rle-too-many-pixels.tga", 0 },
    };
    size_t count = copy_sources(list, sizeof list / sizeof list[0]);
    /* gdk-pixbuf's TGA variants: 16/24/32 bits, colour-mapped, grey, RLE, four origins. */
    static const char *const kinds[] = { "16bpp", "24bpp", "32bpp", "cmap-8bpp", "cmap-rle-8bpp", "gray-16bpp",
                                         "gray-8bpp", "gray-rle-16bpp", "gray-rle-8bpp", "rle-24bpp", "rle-32bpp" };
    static const char *const origins[] = { "bottom-left", "bottom-right", "top-left", "top-right" };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; ++k)
        for (size_t o = 0; o < 4; ++o) {
            if (zcti_sanitize_run() && o != 0) continue;
            char path[512];
            snprintf(path, sizeof path, "%s/reftests/tga/gtk-logo-%s-%s.tga", ZCTI_PIXBUF_IMAGES, kinds[k], origins[o]);
            free(zcti_copy(path, zcti_in_dir, NULL));
            count++;
        }
    round_trip_all(count);
}

Test(texture, round_trip_bmp) {
    static const source list[] = {
        { ZCTI_PYGAME "/arraydemo.bmp", 0 },    /* 8-bit palette */
        { ZCTI_PYGAME "/liquid.bmp", 0 },       /* 4-bit palette */
        { ZCTI_PYGAME "/asprite.bmp", 0 },
        { ZCTI_ASSIMP "/MD2/sydney.bmp", 0 },   /* 308x193 */
        { ZCTI_ASSIMP "/MD2/faerie2.bmp", 0 },
        { ZCTI_ASSIMP "/LWO/LWO2/white.bmp", 0 }, /* 1x1: a chain of one level */
    };
    round_trip_all(copy_sources(list, sizeof list / sizeof list[0]));
}

Test(texture, round_trip_psd) {
    /* 640x400 RGB, 8 bits, RLE. Its composited image (the only part stb_image and the
     * importer read) is white everywhere: a real file all the same, and the round trip
     * of header, RLE decode and chain holds whatever the picture. */
    free(zcti_copy(ZCTI_PSD, zcti_in_dir, "mimetype.psd"));
    round_trip_all(1);
}

Test(texture, round_trip_gif) {
    static const source list[] = {
        { ZCTI_PYGAME "/alien1.gif", 0 },       /* transparent colour */
        { ZCTI_PYGAME "/background.gif", 0 },   /* 126x480 */
        { ZCTI_PIXBUF "/aero.gif", 0 },         /* animated: the first frame is taken */
        { ZCTI_PIXBUF "/1_partyanimsm2.gif", 1 }, /* animated, 660x666 */
        { ZCTI_PIXBUF_IMAGES "/gif-test-suite/interlace.gif", 0 },
        { ZCTI_PIXBUF_IMAGES "/gif-test-suite/depth1.gif", 0 },
    };
    round_trip_all(copy_sources(list, sizeof list / sizeof list[0]));
}

Test(texture, round_trip_hdr) {
    /* No Debian package ships a Radiance .hdr file: the RGBE files are encoded here, at
     * test time, by pfstools from Blender's CC0 OpenEXR environment maps. */
    free(zcti_make_hdr("forest.exr", zcti_in_dir, "forest.hdr"));
    size_t count = 1;
    if (!zcti_sanitize_run()) {
        free(zcti_make_hdr("studio.exr", zcti_in_dir, "studio.hdr"));
        count++;
    }
    round_trip_all(count);
}

/* The 8-bit TGA variants decode to exactly gdk-pixbuf's reference PNGs, so the packed
 * level 0 is checked against a second decoder too. The 16-bit (5-5-5) ones differ by
 * at most 1 in a channel: the references expand 5 bits by another rule. The
 * right-to-left variants are left out: stb_image ignores that bit of the TGA header,
 * so those come out mirrored. */
Test(texture, tga_matches_reference_decoder) {
    static const char *const kinds[] = { "16bpp", "24bpp", "32bpp", "cmap-8bpp", "cmap-rle-8bpp", "gray-16bpp",
                                         "gray-8bpp", "gray-rle-16bpp", "gray-rle-8bpp", "rle-24bpp", "rle-32bpp" };
    static const char *const origins[] = { "bottom-left", "top-left" };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; ++k)
        for (size_t o = 0; o < 2; ++o) {
            char path[512];
            snprintf(path, sizeof path, "%s/reftests/tga/gtk-logo-%s-%s.tga", ZCTI_PIXBUF_IMAGES, kinds[k], origins[o]);
            free(zcti_copy(path, zcti_in_dir, NULL));
        }
    build_cli("--no-compress", NULL);
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; ++k)
        for (size_t o = 0; o < 2; ++o) {
            char name[128], ref[512];
            snprintf(name, sizeof name, "gtk-logo-%s-%s.tga", kinds[k], origins[o]);
            snprintf(ref, sizeof ref, "%s/reftests/tga/%s.ref.png", ZCTI_PIXBUF_IMAGES, name);
            zcti_require(ref);
            uint32_t w, h;
            uint8_t *want = zcti_stb_rgba8(ref, &w, &h, NULL);
            zc_entry entry;
            zc_texture_view view;
            zcti_pack_texture(pack, name, &entry, &view);
            cr_assert(view.width == w && view.height == h);
            zc_texture_level_view lv = zcti_level(&view, 0);
            int tolerance = strcmp(kinds[k], "16bpp") == 0 ? 1 : 0;
            for (uint32_t y = 0; y < h; ++y)
                for (uint32_t x = 0; x < w * 4; ++x) {
                    int got = ((const uint8_t *)lv.data)[(size_t)y * lv.row_pitch + x];
                    int expected = want[((size_t)y * w) * 4 + x];
                    cr_assert(abs(got - expected) <= tolerance, "%s: texel (%u, %u) channel %u is %d, reference %d",
                              name, x / 4, y, x % 4, got, expected);
                }
            free(want);
        }
    zc_pack_close(pack);
}

/* ---------------------------------------------------------------------------------
 * Format policy
 * ------------------------------------------------------------------------------- */

typedef struct policy_case {
    const char *source;         /* file to copy */
    const char *name;           /* its entry path */
    zc_pixel_format compressed; /* format by default */
    zc_pixel_format plain;      /* format with --no-compress */
    uint32_t flags;             /* flags either way */
    zc_pixel_format mobile;     /* format with "profile": "mobile" */
} policy_case;

static const policy_case policy_cases[] = {
    { ZCTI_PYGAME "/alien1.jpg", "opaque.jpg", ZC_PIXEL_BC1_SRGB, ZC_PIXEL_RGBA8_SRGB, 0, ZC_PIXEL_ASTC_6x6_SRGB },
    { ZCTI_PYGAME "/alien1.png", "cutout.png", ZC_PIXEL_BC3_SRGB, ZC_PIXEL_RGBA8_SRGB,
      ZC_TEXTURE_HAS_ALPHA | ZC_TEXTURE_CUTOUT, ZC_PIXEL_ASTC_6x6_SRGB },
    { ZCTI_ASSIMP "/glTF2/ClearCoat-glTF/PartialCoating_Alpha.png", "blend.png", ZC_PIXEL_BC3_SRGB,
      ZC_PIXEL_RGBA8_SRGB, ZC_TEXTURE_HAS_ALPHA, ZC_PIXEL_ASTC_6x6_SRGB },
    { ZCTI_PIXBUF_IMAGES "/reftests/cat.jpg", "grey.jpg", ZC_PIXEL_BC4_UNORM, ZC_PIXEL_RGBA8_UNORM, 0, ZC_PIXEL_ASTC_4x4_UNORM },
    { ZCTI_ASSIMP "/glTF2/ClearCoat-glTF/RibsNormal.png", "ribs_n.png", ZC_PIXEL_BC5_UNORM, ZC_PIXEL_RGBA8_UNORM,
      ZC_TEXTURE_NORMAL_MAP, ZC_PIXEL_ASTC_4x4_UNORM },
    { ZCTI_ASSIMP "/glTF2/ClearCoat-glTF/RibsNormal.png", "dir/wall_normal.png", ZC_PIXEL_BC5_UNORM,
      ZC_PIXEL_RGBA8_UNORM, ZC_TEXTURE_NORMAL_MAP, ZC_PIXEL_ASTC_4x4_UNORM },
    { ZCTI_PYGAME "/yellow.tga", "crate_NRM.tga", ZC_PIXEL_BC5_UNORM, ZC_PIXEL_RGBA8_UNORM, ZC_TEXTURE_NORMAL_MAP,
      ZC_PIXEL_ASTC_4x4_UNORM },
    { ZCTI_PYGAME "/arraydemo.bmp", "not_a_normal_nx.bmp", ZC_PIXEL_BC1_SRGB, ZC_PIXEL_RGBA8_SRGB, 0, ZC_PIXEL_ASTC_6x6_SRGB },
};
#define POLICY_CASES (sizeof policy_cases / sizeof policy_cases[0])

/* mode 0: the default policy; 1: --no-compress; 2: the mobile profile (a manifest). */
static void check_policy(int mode) {
    int no_compress = mode == 1, mobile = mode == 2;
    for (size_t i = 0; i < POLICY_CASES; ++i)
        free(zcti_copy(policy_cases[i].source, zcti_in_dir, policy_cases[i].name));
    free(zcti_make_hdr("night.exr", zcti_in_dir, "sky.hdr"));
    if (mobile) zct_put_text(zcti_in_dir, "zcpack.json", "{ \"rules\": [ { \"match\": \"*\", \"profile\": \"mobile\" } ] }");
    build_cli(no_compress ? "--no-compress" : NULL, NULL);
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    cr_assert_eq(zc_pack_entry_count(pack), POLICY_CASES + 1);
    for (size_t i = 0; i < POLICY_CASES + 1; ++i) {
        const policy_case *c = i < POLICY_CASES ? &policy_cases[i] : NULL;
        const char *name = c ? c->name : "sky.hdr";
        zc_pixel_format want = !c ? ZC_PIXEL_RGBA16_FLOAT : no_compress ? c->plain : mobile ? c->mobile : c->compressed;
        uint32_t flags = c ? c->flags : ZC_TEXTURE_HDR;
        zc_entry entry;
        zc_texture_view view;
        zcti_pack_texture(pack, name, &entry, &view);
        cr_assert_eq(view.format, want, "%s is %s, expected %s", name, zc_pixel_format_name(view.format),
                     zc_pixel_format_name(want));
        cr_assert_eq(view.flags, flags, "%s has flags 0x%x, expected 0x%x", name, view.flags, flags);
        char *file = zct_join(zcti_in_dir, name);
        uint32_t w, h;
        free(zcti_stb_rgba8(file, &w, &h, NULL));
        zcti_assert_chain(&view, w, h, 1);
        assert_matches_import(&entry, &view, file, name,
                              &(zc_texture_settings){ .no_compress = no_compress,
                                                      .profile = mobile ? ZC_TEXTURE_PROFILE_MOBILE
                                                                        : ZC_TEXTURE_PROFILE_DESKTOP });
        free(file);
    }
    zc_pack_close(pack);
}

Test(texture, policy_compressed) {
    check_policy(0);
}

Test(texture, policy_mobile_profile) {
    check_policy(2);
}

Test(texture, policy_no_compress) {
    check_policy(1);
}

Test(texture, normal_map_names) {
    static const char *const yes[] = { "rock_n.png", "rock_N.PNG", "a/b/wall_normal.tga", "x_nrm.jpg",
                                       "dir.v2/brick_Normal.bmp", "noext_n" };
    static const char *const no[] = { "rock.png", "rock_nx.png", "normal.png", "rock_n/x.png", "_normals.png",
                                      "rock-n.png", NULL };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; ++i)
        cr_assert(zc_texture_name_is_normal_map(yes[i]), "%s should be a normal map", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; ++i)
        cr_assert(!zc_texture_name_is_normal_map(no[i]), "%s should not be a normal map", no[i] ? no[i] : "NULL");
}

/* ---------------------------------------------------------------------------------
 * zcpack.json
 * ------------------------------------------------------------------------------- */

static void write_manifest(const char *text) {
    char *path = zct_join(zcti_in_dir, "zcpack.json");
    zct_write_file(path, text, strlen(text));
    free(path);
}

Test(texture, manifest_rules) {
    free(zcti_copy(ZCTI_PYGAME "/alien1.png", zcti_in_dir, "ui/button.png"));
    free(zcti_copy(ZCTI_PYGAME "/alien1.jpg", zcti_in_dir, "data/mask.jpg"));
    free(zcti_copy(ZCTI_PYGAME "/alien1.jpg", zcti_in_dir, "data/plain.jpg"));
    free(zcti_copy(ZCTI_ASSIMP "/3DS/IMAGE1.jpg", zcti_in_dir, "big/earth.jpg"));
    free(zcti_copy(ZCTI_PYGAME "/alien1.png", zcti_in_dir, "foliage/leaf.png"));
    free(zcti_copy(ZCTI_ASSIMP "/glTF2/ClearCoat-glTF/RibsNormal.png", zcti_in_dir, "bumps.png"));
    free(zcti_copy(ZCTI_PYGAME "/chimp.png", zcti_in_dir, "ui/pitched.png"));
    write_manifest("{\n"
                   "  \"rules\": [\n"
                   "    { \"match\": \"ui/*\", \"format\": \"rgba8\", \"mips\": false },\n"
                   "    { \"match\": \"data/*\", \"srgb\": false },\n"
                   "    { \"match\": \"data/plain*\", \"format\": \"rgba8\" },\n"
                   "    { \"match\": \"big/*\", \"max_size\": 64 },\n"
                   "    { \"match\": \"foliage/*\", \"cutout\": false },\n"
                   "    { \"match\": \"bumps.png\", \"normal_map\": true },\n"
                   "    { \"match\": \"ui/pitched.png\", \"row_pitch_align\": 256 }\n"
                   "  ]\n"
                   "}\n");
    build_cli(NULL, NULL);
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    zc_entry entry;
    cr_assert_eq(zc_pack_find(pack, "zcpack.json", &entry), ZC_ERR_NO_ENTRY, "the manifest was packed");
    cr_assert_eq(zc_pack_entry_count(pack), 7);

    static const struct {
        const char *name;
        zc_pixel_format format;
        uint32_t width, height;     /* level 0 */
        int full_chain;
        uint32_t flags;
        zc_texture_settings settings; /* what the rules amount to, for the import */
    } cases[] = {
        { "ui/button.png", ZC_PIXEL_RGBA8_SRGB, 80, 71, 0, ZC_TEXTURE_HAS_ALPHA | ZC_TEXTURE_CUTOUT,
          { .format = ZC_TEXTURE_CHOICE_RGBA8, .mips = ZC_SWITCH_OFF } },
        { "data/mask.jpg", ZC_PIXEL_BC1_UNORM, 80, 71, 1, 0, { .srgb = ZC_SWITCH_OFF } },
        { "data/plain.jpg", ZC_PIXEL_RGBA8_UNORM, 80, 71, 1, 0,
          { .srgb = ZC_SWITCH_OFF, .format = ZC_TEXTURE_CHOICE_RGBA8 } },
        /* 400x300 halved until both sides are <= 64: 50x37. */
        { "big/earth.jpg", ZC_PIXEL_BC1_SRGB, 50, 37, 1, 0, { .max_size = 64 } },
        { "foliage/leaf.png", ZC_PIXEL_BC3_SRGB, 80, 71, 1, ZC_TEXTURE_HAS_ALPHA, { .cutout = ZC_SWITCH_OFF } },
        { "bumps.png", ZC_PIXEL_BC5_UNORM, 512, 512, 1, ZC_TEXTURE_NORMAL_MAP, { .normal_map = ZC_SWITCH_ON } },
        { "ui/pitched.png", ZC_PIXEL_RGBA8_SRGB, 61, 89, 0, 0,
          { .format = ZC_TEXTURE_CHOICE_RGBA8, .mips = ZC_SWITCH_OFF, .row_pitch_align = 256 } },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        zc_texture_view view;
        zcti_pack_texture(pack, cases[i].name, &entry, &view);
        cr_assert_eq(view.format, cases[i].format, "%s is %s, expected %s", cases[i].name,
                     zc_pixel_format_name(view.format), zc_pixel_format_name(cases[i].format));
        cr_assert_eq(view.flags, cases[i].flags, "%s flags 0x%x", cases[i].name, view.flags);
        zcti_assert_chain(&view, cases[i].width, cases[i].height, cases[i].full_chain);
        char *file = zct_join(zcti_in_dir, cases[i].name);
        assert_matches_import(&entry, &view, file, cases[i].name, &cases[i].settings);
        free(file);
    }
    /* The pitch rule: 61 texels * 4 bytes = 244, padded to 256. */
    zc_texture_view view;
    zcti_pack_texture(pack, "ui/pitched.png", &entry, &view);
    cr_assert_eq(view.row_pitch_align, 256);
    cr_assert_eq(zcti_level(&view, 0).row_pitch, 256);
    /* A rule that forces RGBA8 keeps level 0 exactly as decoded. */
    char *file = zct_join(zcti_in_dir, "ui/button.png");
    uint32_t w, h;
    uint8_t *want = zcti_stb_rgba8(file, &w, &h, NULL);
    zcti_pack_texture(pack, "ui/button.png", &entry, &view);
    zcti_assert_level0_equals(&view, want, "ui/button.png");
    free(want);
    free(file);
    zc_pack_close(pack);
}

typedef struct bad_manifest {
    const char *text;
    const char *needle;         /* what the message must mention besides zcpack.json */
} bad_manifest;

static const bad_manifest bad_manifests[] = {
    { "{ \"rules\": [ { \"match\": \"*.png\", \"mips\": \"no\" } ] }", "mips" },           /* wrong type */
    { "{ \"rules\": [ { \"match\": \"*.png\", \"max_size\": -4 } ] }", "max_size" },       /* out of range */
    { "{ \"rules\": [ { \"match\": \"*.png\", \"format\": \"etc2\" } ] }", "format" },      /* unknown value */
    { "{ \"rules\": [ { \"match\": \"*.png\", \"colour\": \"red\" } ] }", "colour" },      /* unknown key */
    { "{ \"rulez\": [] }", "rulez" },                                                      /* unknown top key */
    { "{ \"rules\": [ { \"mips\": false } ] }", "match" },                                 /* no match */
    { "{ \"rules\": [\n  { \"match\": \"*.png\" ", "JSON" },                               /* invalid JSON */
    { "", "JSON" },                                                                        /* empty file */
};

/* A malformed manifest fails the build with exit code 6 and a message naming
 * zcpack.json and the problem; the previous pack stays as it was. */
Test(texture, manifest_malformed_cli) {
    free(zcti_copy(ZCTI_PYGAME "/chimp.png", zcti_in_dir, NULL));
    build_cli(NULL, NULL);
    size_t good_size;
    uint8_t *good = zct_read_file(zcti_pack_path, &good_size);
    cr_assert_not_null(good);
    for (size_t i = 0; i < sizeof bad_manifests / sizeof bad_manifests[0]; ++i) {
        write_manifest(bad_manifests[i].text);
        zct_run run = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path, "-q");
        cr_assert_eq(run.code, ZC_EXIT_IMPORT, "manifest %zu: exit %d: %s", i, run.code, run.err);
        cr_assert(strstr(run.err, "zcpack.json") && strstr(run.err, bad_manifests[i].needle),
                  "manifest %zu: message does not name zcpack.json and \"%s\": %s", i, bad_manifests[i].needle,
                  run.err);
        zct_run_free(&run);
        size_t size;
        uint8_t *now = zct_read_file(zcti_pack_path, &size);
        cr_assert(now && size == good_size && memcmp(now, good, size) == 0, "manifest %zu: the old pack changed", i);
        free(now);
        cr_assert_eq(zct_count_prefixed(zct_tmp, ".zc-"), 0, "a temporary file was left");
    }
    free(good);
}

Test(texture, manifest_malformed_library) {
    free(zcti_copy(ZCTI_PYGAME "/chimp.png", zcti_in_dir, NULL));
    for (size_t i = 0; i < sizeof bad_manifests / sizeof bad_manifests[0]; ++i) {
        write_manifest(bad_manifests[i].text);
        zct_log log = { 0 };
        zc_build_stats stats;
        zc_result r = zc_build(&(zc_build_desc){ .input_dir = zcti_in_dir, .output_path = zcti_pack_path,
                                                 .logger = zct_log_recorder(&log), .no_sync = 1 },
                               &stats);
        cr_assert_eq(r, ZC_ERR_INVALID_ARGUMENT, "manifest %zu: %s", i, zc_result_str(r));
        cr_assert_eq(stats.pack_written, 0);
        cr_assert(zct_log_contains(&log, "zcpack.json") && zct_log_contains(&log, bad_manifests[i].needle),
                  "manifest %zu: no message naming zcpack.json and \"%s\" (%d messages, first: %s)", i,
                  bad_manifests[i].needle, log.count, log.count ? log.messages[0] : "");
        cr_assert(!zct_exists(zcti_pack_path), "manifest %zu: a pack was written", i);
    }
}

/* ---------------------------------------------------------------------------------
 * Inspection: dump and extract
 * ------------------------------------------------------------------------------- */

/* `zcpack dump` describes a texture as the view does; `zcpack extract` writes any
 * level as a PNG holding what zc_texture_level_decode_rgba8 gives (for an RGBA8 level
 * 0, the source as stb_image decodes it). */
Test(texture, dump_and_extract) {
    free(zcti_copy(ZCTI_ASSIMP "/Collada/duckCM.tga", zcti_in_dir, "duck.tga"));
    free(zcti_copy(ZCTI_PYGAME "/alien1.png", zcti_in_dir, "ui/alien.png"));
    char *manifest = zct_join(zcti_in_dir, "zcpack.json");
    static const char rules[] = "{ \"rules\": [ { \"match\": \"ui/*\", \"format\": \"rgba8\" } ] }";
    zct_write_file(manifest, rules, strlen(rules));
    free(manifest);
    build_cli(NULL, NULL);
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    zc_entry entry;
    zc_texture_view view;
    zcti_pack_texture(pack, "duck.tga", &entry, &view);

    zct_run run = ZCT_CLI("dump", zcti_pack_path, "duck.tga");
    cr_assert_eq(run.code, 0, "dump: %s", run.err);
    cJSON *json = cJSON_Parse(run.out);
    cr_assert_not_null(json, "dump printed no JSON: %s", run.out);
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(json, "format")), "BC1_SRGB");
    cr_assert_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(json, "width")), 512);
    cr_assert_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(json, "height")), 512);
    cr_assert_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(json, "mip_count")), view.mip_count);
    const cJSON *levels = cJSON_GetObjectItem(json, "levels");
    cr_assert_eq(cJSON_GetArraySize(levels), (int)view.mip_count);
    for (uint32_t i = 0; i < view.mip_count; ++i) {
        const cJSON *l = cJSON_GetArrayItem(levels, (int)i);
        zc_texture_level_view lv = zcti_level(&view, i);
        uint64_t offset = (uint64_t)((const uint8_t *)lv.data - (const uint8_t *)entry.data);
        cr_assert(cJSON_GetNumberValue(cJSON_GetObjectItem(l, "width")) == lv.width &&
                      cJSON_GetNumberValue(cJSON_GetObjectItem(l, "height")) == lv.height &&
                      cJSON_GetNumberValue(cJSON_GetObjectItem(l, "row_pitch")) == lv.row_pitch &&
                      cJSON_GetNumberValue(cJSON_GetObjectItem(l, "size")) == (double)lv.size &&
                      cJSON_GetNumberValue(cJSON_GetObjectItem(l, "offset")) == (double)offset,
                  "dump level %u differs from the view", i);
    }
    cJSON_Delete(json);
    zct_run_free(&run);

    char *png = zct_join(zct_tmp, "level.png");
    for (uint32_t level = 0; level < view.mip_count; level += 3) {
        char level_arg[16];
        snprintf(level_arg, sizeof level_arg, "%u", level);
        run = ZCT_CLI("extract", zcti_pack_path, "duck.tga", "--level", level_arg, "-o", png);
        cr_assert_eq(run.code, 0, "extract level %u: %s", level, run.err);
        zct_run_free(&run);
        uint32_t w, h;
        uint8_t *got = zcti_stb_rgba8(png, &w, &h, NULL);
        zc_texture_level_view lv = zcti_level(&view, level);
        cr_assert(w == lv.width && h == lv.height);
        uint8_t *want = zcti_decode_level(&view, level);
        cr_assert(memcmp(got, want, (size_t)w * h * 4) == 0, "extracted level %u differs from its decode", level);
        free(want);
        free(got);
    }
    run = ZCT_CLI("extract", zcti_pack_path, "duck.tga", "--level", "10", "-o", png);
    cr_assert_eq(run.code, 5, "extract of a missing level: exit %d", run.code);
    zct_run_free(&run);

    run = ZCT_CLI("extract", zcti_pack_path, "ui/alien.png", "-o", png);
    cr_assert_eq(run.code, 0, "extract: %s", run.err);
    zct_run_free(&run);
    char *source = zct_join(zcti_in_dir, "ui/alien.png");
    uint32_t w, h, sw, sh;
    uint8_t *got = zcti_stb_rgba8(png, &w, &h, NULL), *want = zcti_stb_rgba8(source, &sw, &sh, NULL);
    cr_assert(w == sw && h == sh && memcmp(got, want, (size_t)w * h * 4) == 0,
              "extracted RGBA8 level 0 differs from the source's decode");
    free(got);
    free(want);
    free(source);
    free(png);
    zc_pack_close(pack);
}

/* ---------------------------------------------------------------------------------
 * Determinism with threads
 * ------------------------------------------------------------------------------- */

Test(texture, deterministic_across_threads) {
    static const source list[] = {
        { ZCTI_PYGAME "/alien1.png", 0 },
        { ZCTI_PYGAME "/fist.png", 0 },
        { ZCTI_PYGAME "/liquid.bmp", 0 },
        { ZCTI_PYGAME "/background.gif", 0 },
        { ZCTI_PIXBUF_IMAGES "/reftests/cat.jpg", 0 },
        { ZCTI_ASSIMP "/Collada/duckCM.tga", 0 },
        { ZCTI_ASSIMP "/glTF2/ClearCoat-glTF/RibsNormal.png", 0 },
        { ZCTI_ASSIMP "/3DS/IMAGE1.jpg", 0 },
        { ZCTI_ASSIMP "/Collada/Collada_Sample.jpg", 1 },
    };
    copy_sources(list, sizeof list / sizeof list[0]);
    free(zcti_copy(ZCTI_PYGAME "/chimp.png", zcti_in_dir, "sub/dir/chimp_n.png"));
    char *blob = zct_join(zcti_in_dir, "notes.txt");
    zct_write_file(blob, "not an image\n", 13);
    free(blob);
    free(zcti_make_hdr("city.exr", zcti_in_dir, "city.hdr"));

    char *one = zct_join(zct_tmp, "j1.zcpack"), *two = zct_join(zct_tmp, "j2.zcpack");
    char *again = zct_join(zct_tmp, "j2b.zcpack"), *lib = zct_join(zct_tmp, "lib.zcpack");
    const char *const *runs[] = {
        (const char *const[]){ "build", zcti_in_dir, "-o", one, "-q", "-j", "1", NULL },
        (const char *const[]){ "build", zcti_in_dir, "-o", two, "-q", "-j", "2", NULL },
        (const char *const[]){ "build", zcti_in_dir, "-o", again, "-q", "--jobs", "2", NULL },
    };
    for (size_t i = 0; i < 3; ++i) {
        zct_run run = zct_cli(NULL, runs[i]);
        cr_assert_eq(run.code, 0, "build %zu: %s", i, run.err);
        zct_run_free(&run);
    }
    zc_build_stats stats;
    zc_result r = zc_build(&(zc_build_desc){ .input_dir = zcti_in_dir, .output_path = lib, .threads = 2, .no_sync = 1 },
                           &stats);
    cr_assert_eq(r, ZC_OK, "zc_build: %s", zc_result_str(r));
    cr_assert_eq(stats.imported[zc_importer_index(zc_importer_find("texture"))], stats.files - 1);
    cr_assert(zct_files_equal(one, two), "-j 1 and -j 2 give different packs");
    cr_assert(zct_files_equal(two, again), "two builds with -j 2 differ");
    cr_assert(zct_files_equal(one, lib), "zc_build with 2 threads differs from the CLI");
    free(one);
    free(two);
    free(again);
    free(lib);
}
