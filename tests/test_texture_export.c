/* test_texture_export.c - `zcpack extract --format ktx2|dds` (zc_texture_export.h),
 * checked by readers no one here wrote: KTX2 files by the ktx-parse npm package
 * (format, extent, levels, layers, level sizes, the data format descriptor's model
 * and transfer, every level's bytes against the pack's), DDS files by Pillow (Debian's
 * python3-pil), whose BC1, BC3, BC4, BC5 and BC7 decoders and raw RGBA reader must give
 * exactly the pixels of zcpack's own decoder, and its BC6H decoder (linear values
 * clamped to [0, 1], truncated to 8 bits, its interpolation rounded down) zcpack's
 * float decoder put through the same clamp within one step. The textures are pygame's example images
 * packed in every pixel format the manifest can ask for. Skipped, saying why, where
 * node with ktx-parse or Pillow is missing (tools/bootstrap.sh --test-data installs
 * both).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "zc_exit.h"
#include "zc_import_texture.h"
#include "zc_pack.h"
#include "zc_test_images.h"
#include "zc_test_util.h"
#include "zc_texture_pixels.h"

TestSuite(texture_export, .init = zcti_tree_setup, .fini = zcti_tree_teardown, .timeout = 300);

typedef struct case_ {
    const char *dir;            /* folder of the tree, matched by the manifest */
    const char *format;         /* the manifest's "format" */
    int srgb;
    zc_pixel_format want;
    int pillow;                 /* 1: Pillow 9.4 reads this DDS; 0: it does not; -1: DDS has no such format */
} case_;

static const case_ cases[] = {
    { "bc1", "bc1", 0, ZC_PIXEL_BC1_UNORM, 1 },   { "bc1s", "bc1", 1, ZC_PIXEL_BC1_SRGB, 0 },
    { "bc3", "bc3", 0, ZC_PIXEL_BC3_UNORM, 1 },   { "bc3s", "bc3", 1, ZC_PIXEL_BC3_SRGB, 0 },
    { "bc4", "bc4", 0, ZC_PIXEL_BC4_UNORM, 1 },   { "bc5", "bc5", 0, ZC_PIXEL_BC5_UNORM, 1 },
    { "rgba8", "rgba8", 0, ZC_PIXEL_RGBA8_UNORM, 1 }, { "rgba8s", "rgba8", 1, ZC_PIXEL_RGBA8_SRGB, 1 },
    { "r8", "r8", 0, ZC_PIXEL_R8_UNORM, 0 },      { "rg8", "rg8", 0, ZC_PIXEL_RG8_UNORM, 0 },
    { "f16", "rgba16f", 0, ZC_PIXEL_RGBA16_FLOAT, 0 }, { "f32", "rgba32f", 0, ZC_PIXEL_RGBA32_FLOAT, 0 },
    { "astc4", "astc4x4", 0, ZC_PIXEL_ASTC_4x4_UNORM, -1 }, { "astc6s", "astc6x6", 1, ZC_PIXEL_ASTC_6x6_SRGB, -1 },
    { "astc8", "astc8x8", 0, ZC_PIXEL_ASTC_8x8_UNORM, -1 },
    { "bc7", "bc7", 0, ZC_PIXEL_BC7_UNORM, 1 },   { "bc7s", "bc7", 1, ZC_PIXEL_BC7_SRGB, 0 },
    { "bc6h", "bc6h", 0, ZC_PIXEL_BC6H_UFLOAT, 1 }, /* Pillow: linear values, within one step */
};
#define CASES (sizeof cases / sizeof cases[0])

/* Two images per folder (an odd size among them: alien1 is 49 x 53), and a manifest
 * giving each folder its format. Returns the pack. */
static char *build_tree(void) {
    char manifest[8192];
    size_t n = (size_t)snprintf(manifest, sizeof manifest, "{ \"rules\": [");
    for (size_t i = 0; i < CASES; ++i) {
        zcti_require(ZCTI_PYGAME "/alien1.png");
        char rel[64];
        snprintf(rel, sizeof rel, "%s/alien1.png", cases[i].dir);
        free(zcti_copy(ZCTI_PYGAME "/alien1.png", zcti_in_dir, rel));
        snprintf(rel, sizeof rel, "%s/brick.png", cases[i].dir);
        free(zcti_copy(ZCTI_PYGAME "/brick.png", zcti_in_dir, rel));
        n += (size_t)snprintf(manifest + n, sizeof manifest - n, "%s { \"match\": \"%s/*\", \"format\": \"%s\", \"srgb\": %s }",
                              i ? "," : "", cases[i].dir, cases[i].format, cases[i].srgb ? "true" : "false");
    }
    snprintf(manifest + n, sizeof manifest - n, " ] }\n");
    zct_put_text(zcti_in_dir, "zcpack.json", manifest);
    zct_run run = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path);
    cr_assert_eq(run.code, 0, "build: %s", run.err);
    zct_run_free(&run);
    return zcti_pack_path;
}

/* Run argv with stdout into a malloc'd string; the exit status in *code. */
static char *run_capture(const char *const argv[], int *code) {
    char *out_path = zct_join(zct_tmp, "capture.out");
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        FILE *o = freopen(out_path, "w", stdout);
        (void)o;
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    *code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    size_t size;
    char *text = (char *)zct_read_file(out_path, &size);
    free(out_path);
    return text;
}

static zc_texture_view view_of(zc_pack *pack, const char *path) {
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, path, &e), ZC_OK, "%s", path);
    zc_texture_view v;
    cr_assert_eq(zc_texture_view_from_entry(&e, &v), ZC_OK, "%s", path);
    return v;
}

static char *extract(const char *path, const char *format, const char *name) {
    char *out = zct_join(zct_tmp, name);
    zct_run run = ZCT_CLI("extract", zcti_pack_path, path, "-o", out, "--format", format);
    cr_assert_eq(run.code, 0, "extract %s as %s: %s", path, format, run.err);
    zct_run_free(&run);
    return out;
}

/* ---------------------------------------------------------------------------------
 * KTX2, read by ktx-parse
 * ------------------------------------------------------------------------------- */

static const char ktx_script[] =
    "import { read } from 'ktx-parse';\n"
    "import { readFileSync } from 'fs';\n"
    "import { createHash } from 'crypto';\n"
    "const c = read(new Uint8Array(readFileSync(process.argv[2])));\n"
    "const d = c.dataFormatDescriptor[0];\n"
    "console.log(JSON.stringify({ vkFormat: c.vkFormat, width: c.pixelWidth, height: c.pixelHeight,\n"
    "  depth: c.pixelDepth, layers: c.layerCount, faces: c.faceCount, super: c.supercompressionScheme,\n"
    "  model: d.colorModel, transfer: d.transferFunction, block: d.texelBlockDimension, bytesPlane: d.bytesPlane[0],\n"
    "  samples: d.samples.length, writer: c.keyValue.KTXwriter || '',\n"
    "  levels: c.levels.map(l => ({ bytes: l.levelData.length, raw: l.uncompressedByteLength,\n"
    "    sha: createHash('sha256').update(l.levelData).digest('hex') })) }));\n";

static const char *ktx_dir(void) {
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s/build/test-npm", zct_source_dir());
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/node_modules/ktx-parse/package.json", dir);
    if (!zct_exists(probe)) zct_skip_test("ktx-parse is not installed in %s (tools/bootstrap.sh --test-data)", dir);
    if (access("/usr/bin/node", X_OK) != 0) zct_skip_test("node is not installed");
    return dir;
}

/* SHA-256 of one level as the KTX2 file lays it out: every layer's level, tight. */
static void level_sha(const zc_texture_view *v, uint32_t level, char hex[65]) {
    uint32_t block = 1, block_bytes = 1;
    zc_pixel_format_block(v->format, &block, &block_bytes);
    char *bin = zct_join(zct_tmp, "level.bin");
    FILE *f = fopen(bin, "wb");
    for (uint32_t layer = 0; layer < v->layers; ++layer) {
        zc_texture_level_view lv;
        cr_assert_eq(zc_texture_view_level(v, level, layer, &lv), ZC_OK);
        uint32_t rows = (lv.height + block - 1) / block * lv.depth, row_bytes = (lv.width + block - 1) / block * block_bytes;
        for (uint32_t r = 0; r < rows; ++r) fwrite((const uint8_t *)lv.data + (size_t)r * lv.row_pitch, 1, row_bytes, f);
    }
    fclose(f);
    int code;
    char *out = run_capture((const char *const[]){ "/usr/bin/sha256sum", bin, NULL }, &code);
    cr_assert_eq(code, 0);
    memcpy(hex, out, 64);
    hex[64] = 0;
    free(out);
    free(bin);
}

Test(texture_export, ktx2_read_by_ktx_parse) {
    const char *dir = ktx_dir();
    build_tree();
    char *script = zct_join(dir, "zc_read_ktx2.mjs"); /* beside node_modules, so the import resolves */
    zct_put_text(dir, "zc_read_ktx2.mjs", ktx_script);
    zc_pack *pack;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = zcti_pack_path }), ZC_OK);
    static const uint32_t vk[][2] = { { ZC_PIXEL_BC1_UNORM, 133 }, { ZC_PIXEL_BC1_SRGB, 134 }, { ZC_PIXEL_BC3_UNORM, 137 },
                                      { ZC_PIXEL_BC3_SRGB, 138 },  { ZC_PIXEL_BC4_UNORM, 139 }, { ZC_PIXEL_BC5_UNORM, 141 },
                                      { ZC_PIXEL_RGBA8_UNORM, 37 }, { ZC_PIXEL_RGBA8_SRGB, 43 }, { ZC_PIXEL_R8_UNORM, 9 },
                                      { ZC_PIXEL_RG8_UNORM, 16 },   { ZC_PIXEL_RGBA16_FLOAT, 97 }, { ZC_PIXEL_RGBA32_FLOAT, 109 },
                                      { ZC_PIXEL_ASTC_4x4_UNORM, 157 }, { ZC_PIXEL_ASTC_6x6_SRGB, 166 },
                                      { ZC_PIXEL_ASTC_8x8_UNORM, 171 }, { ZC_PIXEL_BC7_UNORM, 145 },
                                      { ZC_PIXEL_BC7_SRGB, 146 }, { ZC_PIXEL_BC6H_UFLOAT, 143 } };
    for (size_t i = 0; i < CASES; ++i) {
        char path[64];
        snprintf(path, sizeof path, "%s/alien1.png", cases[i].dir);
        zc_texture_view v = view_of(pack, path);
        cr_assert_eq(v.format, cases[i].want, "%s: format %u", path, v.format);
        char *file = extract(path, "ktx2", "t.ktx2");
        int code;
        char *json = run_capture((const char *const[]){ "/usr/bin/node", script, file, NULL }, &code);
        cr_assert_eq(code, 0, "ktx-parse cannot read the KTX2 of %s", path);
        cJSON *o = cJSON_Parse(json);
        cr_assert_not_null(o, "%s", json);
        uint32_t want_vk = 0;
        for (size_t k = 0; k < sizeof vk / sizeof vk[0]; ++k)
            if (vk[k][0] == v.format) want_vk = vk[k][1];
        cr_assert_eq((uint32_t)cJSON_GetObjectItem(o, "vkFormat")->valuedouble, want_vk, "%s", path);
        cr_assert_eq((uint32_t)cJSON_GetObjectItem(o, "width")->valuedouble, v.width);
        cr_assert_eq((uint32_t)cJSON_GetObjectItem(o, "height")->valuedouble, v.height);
        cr_assert_eq(cJSON_GetObjectItem(o, "depth")->valuedouble, 0.0);
        cr_assert_eq(cJSON_GetObjectItem(o, "layers")->valuedouble, 0.0);
        cr_assert_eq(cJSON_GetObjectItem(o, "faces")->valuedouble, 1.0);
        cr_assert_eq(cJSON_GetObjectItem(o, "super")->valuedouble, 0.0);
        cr_assert_str_eq(cJSON_GetObjectItem(o, "writer")->valuestring, "zcpack");
        double transfer = cJSON_GetObjectItem(o, "transfer")->valuedouble;
        cr_assert_eq(transfer, zc_pixel_format_is_srgb(v.format) ? 2.0 : 1.0, "%s: transfer %g", path, transfer);
        uint32_t block = 1, block_bytes = 1;
        zc_pixel_format_block(v.format, &block, &block_bytes);
        cr_assert_eq((uint32_t)cJSON_GetObjectItem(o, "bytesPlane")->valuedouble, block_bytes, "%s", path);
        cJSON *levels = cJSON_GetObjectItem(o, "levels");
        cr_assert_eq((uint32_t)cJSON_GetArraySize(levels), v.mip_count, "%s", path);
        for (uint32_t l = 0; l < v.mip_count; ++l) {
            char hex[65];
            level_sha(&v, l, hex);
            cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(levels, (int)l), "sha")->valuestring, hex,
                             "%s level %u: bytes differ from the pack's", path, l);
        }
        cJSON_Delete(o);
        free(json);
        free(file);
    }
    zc_pack_close(pack);
    free(script);
}

/* ---------------------------------------------------------------------------------
 * DDS, read by Pillow
 * ------------------------------------------------------------------------------- */

static const char pillow_script[] =
    "import sys\n"
    "from PIL import Image\n"
    "im = Image.open(sys.argv[1])\n"
    "im.load()\n"
    "sys.stdout.write(im.mode + ' %d %d\\n' % im.size)\n"
    "open(sys.argv[2], 'wb').write(im.convert('RGBA').tobytes())\n";

Test(texture_export, dds_read_by_pillow_matches_zcpack_decoder) {
    if (access("/usr/bin/python3", X_OK) != 0 ||
        system("/usr/bin/python3 -c 'import PIL.DdsImagePlugin' > /dev/null 2>&1") != 0)
        zct_skip_test("Pillow for /usr/bin/python3 is not installed (tools/bootstrap.sh --test-data: python3-pil)");
    build_tree();
    zct_put_text(zct_tmp, "read_dds.py", pillow_script);
    char *script = zct_join(zct_tmp, "read_dds.py"), *pixels = zct_join(zct_tmp, "pixels.rgba");
    zc_pack *pack;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = zcti_pack_path }), ZC_OK);
    int compared = 0;
    for (size_t i = 0; i < CASES; ++i) {
        const char *images[] = { "alien1.png", "brick.png" };
        for (int k = 0; k < 2; ++k) {
            char path[64];
            snprintf(path, sizeof path, "%s/%s", cases[i].dir, images[k]);
            zc_texture_view v = view_of(pack, path);
            if (cases[i].pillow < 0) { /* Direct3D has no ASTC: a clear error, nothing written */
                char *none = zct_join(zct_tmp, "none.dds");
                zct_run run = ZCT_CLI("extract", zcti_pack_path, path, "-o", none);
                cr_assert_neq(run.code, 0);
                cr_assert(strstr(run.err, "DDS has no format for ASTC"), "%s", run.err);
                cr_assert(!zct_exists(none));
                zct_run_free(&run);
                free(none);
                continue;
            }
            char *file = extract(path, "dds", "t.dds");
            size_t dds_size;
            uint8_t *dds = zct_read_file(file, &dds_size);
            cr_assert(dds_size > 128 && memcmp(dds, "DDS ", 4) == 0, "%s: not a DDS file", path);
            free(dds);
            if (!cases[i].pillow) { /* DX10 formats Pillow 9.4 does not read: the header only */
                free(file);
                continue;
            }
            int code;
            char *out = run_capture((const char *const[]){ "/usr/bin/python3", script, file, pixels, NULL }, &code);
            cr_assert_eq(code, 0, "Pillow cannot read the DDS of %s", path);
            unsigned w = 0, h = 0;
            char mode[8] = "";
            cr_assert_eq(sscanf(out, "%7s %u %u", mode, &w, &h), 3, "%s", out);
            cr_assert(w == v.width && h == v.height, "%s: Pillow sees %ux%u, the pack has %ux%u", path, w, h, v.width,
                      v.height);
            zc_texture_level_view lv;
            cr_assert_eq(zc_texture_view_level(&v, 0, 0, &lv), ZC_OK);
            uint8_t *ours = malloc((size_t)w * h * 4);
            cr_assert_eq(zc_texture_level_decode_rgba8(v.format, &lv, ours), ZC_OK);
            int steps = 0; /* the largest difference allowed */
            if (v.format == ZC_PIXEL_BC6H_UFLOAT) {
                float *f = zcti_decode_float_level(v.format, &lv);
                for (size_t p = 0; p < (size_t)w * h * 4; ++p) ours[p] = f[p] > 1.0f ? 255 : f[p] > 0.0f ? (uint8_t)(f[p] * 255.0f) : 0;
                free(f);
                steps = 1;
            }
            size_t size;
            uint8_t *theirs = zct_read_file(pixels, &size);
            cr_assert_eq(size, (size_t)w * h * 4);
            /* channels Pillow's mode carries: BC4 is grey (L), BC5 red and green (RGB with blue 0) */
            int channels = !strcmp(mode, "L") ? 1 : !strcmp(mode, "RGB") ? 3 : 4;
            size_t differ = 0;
            for (size_t p = 0; p < (size_t)w * h; ++p)
                for (int c = 0; c < channels; ++c) {
                    int d = abs((int)ours[p * 4 + c] - (int)theirs[p * 4 + c]);
                    cr_assert_leq(d, steps, "%s (%s): texel %zu channel %d: zcpack %u, Pillow %u", path,
                                  zc_pixel_format_name(v.format), p, c, ours[p * 4 + c], theirs[p * 4 + c]);
                    differ += d != 0;
                }
            cr_assert_leq(differ, steps * (size_t)w * h * (size_t)channels / 100,
                          "%s (%s): %zu channel values differ between Pillow and zcpack's decoder", path,
                          zc_pixel_format_name(v.format), differ);
            compared++;
            free(ours);
            free(theirs);
            free(out);
            free(file);
        }
    }
    cr_assert_eq(compared, 16, "compared %d textures", compared);
    zc_pack_close(pack);
    free(script);
    free(pixels);
}

/* The DDS files zcpack writes import back (zc_dds_read.c, as RGBA8 or RGBA32F with no
 * mips) to exactly the texels zcpack's decoder gives their level 0, in every format DDS
 * has; and Pillow's own DDS files of the same PNGs (uncompressed, described by
 * channel masks: 32-bit BGRA and 24-bit BGR) to the PNGs' texels. */
static void import_level0(const char *file, int is_float, zc_texture_image *img, zc_texture_level_view *lv) {
    zc_texture_settings s;
    memset(&s, 0, sizeof s);
    s.format = is_float ? ZC_TEXTURE_CHOICE_RGBA32F : ZC_TEXTURE_CHOICE_RGBA8;
    s.mips = ZC_SWITCH_OFF;
    s.srgb = ZC_SWITCH_OFF;
    zc_diag diag;
    cr_assert_eq(zc_texture_import_file(file, NULL, &s, img, &diag), ZC_OK, "%s: %s", file, diag.message);
    cr_assert_eq(zc_texture_image_level(img, 0, lv), ZC_OK);
}

static void expect_rows(const zc_texture_level_view *lv, const void *want, size_t texel, const char *what) {
    for (uint32_t y = 0; y < lv->height; ++y)
        cr_assert(memcmp((const uint8_t *)lv->data + (size_t)y * lv->row_pitch,
                         (const uint8_t *)want + (size_t)y * lv->width * texel, (size_t)lv->width * texel) == 0,
                  "%s: row %u differs", what, y);
}

Test(texture_export, dds_files_import_back_to_their_level_0) {
    build_tree();
    zc_pack *pack;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = zcti_pack_path }), ZC_OK);
    int compared = 0;
    for (size_t i = 0; i < CASES; ++i) {
        if (cases[i].pillow < 0) continue; /* no ASTC in DDS */
        const char *images[] = { "alien1.png", "brick.png" };
        for (int k = 0; k < 2; ++k) {
            char path[64];
            snprintf(path, sizeof path, "%s/%s", cases[i].dir, images[k]);
            zc_texture_view v = view_of(pack, path);
            zc_texture_level_view source;
            cr_assert_eq(zc_texture_view_level(&v, 0, 0, &source), ZC_OK);
            int is_float = v.format == ZC_PIXEL_RGBA16_FLOAT || v.format == ZC_PIXEL_RGBA32_FLOAT ||
                           v.format == ZC_PIXEL_BC6H_UFLOAT;
            char *file = extract(path, "dds", "back.dds");
            zc_texture_image img;
            zc_texture_level_view lv;
            import_level0(file, is_float, &img, &lv);
            cr_assert(lv.width == v.width && lv.height == v.height, "%s: %ux%u back, %ux%u packed", path, lv.width,
                      lv.height, v.width, v.height);
            void *want;
            if (is_float) {
                want = zcti_decode_float_level(v.format, &source);
            } else {
                want = malloc((size_t)v.width * v.height * 4);
                cr_assert_eq(zc_texture_level_decode_rgba8(v.format, &source, (uint8_t *)want), ZC_OK);
            }
            char what[96];
            snprintf(what, sizeof what, "%s (%s) through DDS", path, zc_pixel_format_name(v.format));
            expect_rows(&lv, want, is_float ? 16 : 4, what);
            compared++;
            free(want);
            zc_texture_image_free(&img);
            free(file);
        }
    }
    cr_assert_eq(compared, 30, "compared %d textures", compared);
    zc_pack_close(pack);

    if (access("/usr/bin/python3", X_OK) != 0 ||
        system("/usr/bin/python3 -c 'import PIL.DdsImagePlugin' > /dev/null 2>&1") != 0)
        zct_skip_test("Pillow for /usr/bin/python3 is not installed (tools/bootstrap.sh --test-data: python3-pil)");
    static const char writer[] = "import sys\nfrom PIL import Image\n"
                                 "Image.open(sys.argv[1]).convert(sys.argv[2]).save(sys.argv[3])\n";
    zct_put_text(zct_tmp, "write_dds.py", writer);
    char *script = zct_join(zct_tmp, "write_dds.py");
    const char *modes[] = { "RGBA", "RGB" };
    for (int m = 0; m < 2; ++m) {
        char *file = zct_join(zct_tmp, "pillow.dds");
        int code;
        char *out = run_capture((const char *const[]){ "/usr/bin/python3", script, ZCTI_PYGAME "/alien1.png", modes[m],
                                                        file, NULL }, &code);
        cr_assert_eq(code, 0, "Pillow cannot write a DDS file");
        zc_texture_image from_dds, from_png;
        zc_texture_level_view a, b;
        import_level0(file, 0, &from_dds, &a);
        import_level0(ZCTI_PYGAME "/alien1.png", 0, &from_png, &b);
        uint8_t *want = malloc((size_t)b.width * b.height * 4);
        for (uint32_t y = 0; y < b.height; ++y)
            for (uint32_t x = 0; x < b.width; ++x) {
                memcpy(want + ((size_t)y * b.width + x) * 4, (const uint8_t *)b.data + (size_t)y * b.row_pitch + x * 4, 4);
                if (m == 1) want[((size_t)y * b.width + x) * 4 + 3] = 255; /* RGB: opaque */
            }
        cr_assert(a.width == b.width && a.height == b.height);
        expect_rows(&a, want, 4, m ? "Pillow's 24-bit DDS" : "Pillow's 32-bit DDS");
        free(want);
        zc_texture_image_free(&from_dds);
        zc_texture_image_free(&from_png);
        free(out);
        free(file);
    }
    free(script);
}

Test(texture_export, usage_errors) {
    build_tree();
    char *out = zct_join(zct_tmp, "x.ktx2");
    zct_run bad = ZCT_CLI("extract", zcti_pack_path, "bc1/alien1.png", "-o", out, "--format", "tga");
    ZCT_EXPECT_CODE(bad, ZC_EXIT_USAGE);
    cr_assert(strstr(bad.err, "--format tga: expected png, ktx2 or dds"), "%s", bad.err);
    zct_run level = ZCT_CLI("extract", zcti_pack_path, "bc1/alien1.png", "-o", out, "--level", "1");
    ZCT_EXPECT_CODE(level, ZC_EXIT_USAGE); /* .ktx2 means KTX2: every level already */
    zct_run by_name = ZCT_CLI("extract", zcti_pack_path, "bc1/alien1.png", "-o", out);
    ZCT_EXPECT_CODE(by_name, ZC_EXIT_OK);
    size_t size;
    uint8_t *bytes = zct_read_file(out, &size);
    cr_assert(size > 12 && memcmp(bytes, "\xABKTX 20\xBB\r\n\x1A\n", 12) == 0, "the .ktx2 name did not give KTX2");
    free(bytes);
    zct_run_free(&bad);
    zct_run_free(&level);
    zct_run_free(&by_name);
    free(out);
}
