/* test_texture_cube.c - cube maps from equirectangular panoramas and texture arrays
 * from vertical strips: the faces look where Vulkan and Direct3D say they look
 * (checked against a panorama whose colours are its directions, with the face
 * directions computed here from the APIs' face table); a real HDR environment map
 * has its sky on +Y; strips become layers in order with their own mip chains; the
 * validator refuses a cube flag on a texture that cannot be one; wrong shapes fail
 * with a sentence. Cube maps from six face files, arrays from a folder and from a
 * layer list (.texarray), rebuilt when a face or layer changes.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stb/stb_image_write.h>

#include "zc_exit.h"
#include "zc_import_texture.h"
#include "zc_texture_pixels.h"
#include "zc_test_images.h"
#include "zc_test_util.h"

TestSuite(texture_cube, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 120);

#define PI 3.14159265358979323846

/* Growing buffer for stbi_write_png_to_func. */
typedef struct png_buf {
    uint8_t *data;
    size_t size;
} png_buf;

static void png_append(void *ctx, void *data, int size) {
    png_buf *b = ctx;
    b->data = realloc(b->data, b->size + (size_t)size);
    memcpy(b->data + b->size, data, (size_t)size);
    b->size += (size_t)size;
}

static png_buf encode_png(int w, int h, const uint8_t *rgba) {
    png_buf b = { NULL, 0 };
    cr_assert(stbi_write_png_to_func(png_append, &b, w, h, 4, rgba, w * 4));
    return b;
}

static zc_texture_settings linear_rgba8(void) {
    zc_texture_settings s;
    memset(&s, 0, sizeof s);
    s.format = ZC_TEXTURE_CHOICE_RGBA8;
    s.srgb = ZC_SWITCH_OFF;
    s.mips = ZC_SWITCH_OFF;
    return s;
}

/* The direction through the centre of texel (x, y) of face f of size n, from the face
 * table of the Vulkan specification (cube map face selection: for major axis +X the
 * face coordinates are sc = -z, tc = -y; -X: sc = +z, tc = -y; +Y: sc = +x, tc = +z;
 * -Y: sc = +x, tc = -z; +Z: sc = +x, tc = -y; -Z: sc = -x, tc = -y; s = (sc / |ma| + 1) / 2),
 * inverted. */
static void face_direction(int f, int x, int y, int n, double d[3]) {
    double sc = 2.0 * (x + 0.5) / n - 1, tc = 2.0 * (y + 0.5) / n - 1;
    static const int axis[6] = { 0, 0, 1, 1, 2, 2 };
    double ma = f % 2 ? -1 : 1;
    d[axis[f]] = ma;
    switch (f) {
    case 0: d[2] = -sc, d[1] = -tc; break;
    case 1: d[2] = sc, d[1] = -tc; break;
    case 2: d[0] = sc, d[2] = tc; break;
    case 3: d[0] = sc, d[2] = -tc; break;
    case 4: d[0] = sc, d[1] = -tc; break;
    default: d[0] = -sc, d[1] = -tc; break;
    }
}

/* A panorama whose texel colours encode their directions: (d + 1) / 2 in RGB, with
 * the documented mapping (centre column looking along -Z, +X to its right, top row +Y). */
static uint8_t *direction_panorama(int w, int h) {
    uint8_t *rgba = malloc((size_t)w * h * 4);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            double lon = ((x + 0.5) / w - 0.5) * 2 * PI, lat = (y + 0.5) / h * PI;
            double d[3] = { sin(lat) * sin(lon), cos(lat), -sin(lat) * cos(lon) };
            for (int c = 0; c < 3; ++c) rgba[((size_t)y * w + x) * 4 + c] = (uint8_t)lround((d[c] + 1) * 127.5);
            rgba[((size_t)y * w + x) * 4 + 3] = 255;
        }
    return rgba;
}

Test(texture_cube, faces_look_where_the_graphics_apis_say) {
    int w = 512, h = 256, n = w / 4;
    uint8_t *pano = direction_panorama(w, h);
    png_buf png = encode_png(w, h, pano);
    zc_texture_settings s = linear_rgba8();
    s.cubemap = ZC_SWITCH_ON;
    zc_texture_image img;
    zc_diag diag;
    cr_assert_eq(zc_texture_import_memory(png.data, png.size, "sky.png", &s, &img, &diag), ZC_OK, "%s", diag.message);
    zc_texture_view view;
    cr_assert_eq(zc_texture_import_view(&img, &view), ZC_OK);
    cr_expect_eq(view.layers, 6u);
    cr_expect(view.width == (uint32_t)n && view.height == (uint32_t)n);
    cr_expect(view.flags & ZC_TEXTURE_CUBE);
    double worst = 0, sum = 0;
    for (int f = 0; f < 6; ++f) {
        zc_texture_level_view lv;
        cr_assert_eq(zc_texture_view_level(&view, 0, (uint32_t)f, &lv), ZC_OK);
        for (int y = 0; y < n; ++y)
            for (int x = 0; x < n; ++x) {
                const uint8_t *t = (const uint8_t *)lv.data + (size_t)y * lv.row_pitch + (size_t)x * 4;
                double got[3], want[3], gl = 0, wl = 0, dot = 0;
                face_direction(f, x, y, n, want);
                for (int c = 0; c < 3; ++c) {
                    got[c] = t[c] / 127.5 - 1;
                    gl += got[c] * got[c];
                    wl += want[c] * want[c];
                }
                for (int c = 0; c < 3; ++c) dot += got[c] * want[c];
                double angle = acos(fmin(1.0, dot / sqrt(gl * wl))) * 180 / PI;
                worst = fmax(worst, angle);
                sum += angle;
            }
    }
    cr_log_info("cube faces against the API's directions: mean %.3f, largest %.3f degrees", sum / (6.0 * n * n), worst);
    cr_expect_lt(sum / (6.0 * n * n), 0.5, "mean angle %.3f degrees", sum / (6.0 * n * n));
    cr_expect_lt(worst, 3.0, "largest angle %.3f degrees", worst);
    zc_texture_image_free(&img);
    free(png.data);
    free(pano);
}

/* A real HDR environment map: the +Y face (sky) is brighter than the -Y face (ground);
 * each face has a full mip chain; the pack's view reaches every face and level. */
Test(texture_cube, environment_map_has_its_sky_up) {
    if (access(ZCTI_EXR_DIR "/forest.exr", R_OK) != 0) zct_skip_test("blender-data is not installed");
    char *root = zct_tmp_path("tree");
    zct_mkdirs(root);
    free(zcti_copy(ZCTI_EXR_DIR "/forest.exr", root, "sky.exr"));
    zct_put_text(root, "zcpack.json", "{ \"rules\": [ { \"match\": \"sky.exr\", \"cubemap\": true } ] }");
    char *pack_path = zct_tmp_path("tree.zcpack");
    zct_run run = ZCT_CLI("build", root, "-o", pack_path);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    zc_pack *pack = zcti_open_pack(pack_path);
    zc_entry e;
    zc_texture_view view;
    zcti_pack_texture(pack, "sky.exr", &e, &view);
    cr_expect(view.layers == 6 && view.width == 256 && view.height == 256 && view.mip_count == 9);
    cr_expect((view.flags & (ZC_TEXTURE_CUBE | ZC_TEXTURE_HDR)) == (ZC_TEXTURE_CUBE | ZC_TEXTURE_HDR));
    double mean[6];
    for (uint32_t f = 0; f < 6; ++f) {
        zc_texture_level_view lv;
        cr_assert_eq(zc_texture_view_level(&view, 8, f, &lv), ZC_OK, "face %u level 8", f);
        cr_expect(lv.width == 1 && lv.height == 1);
        cr_assert_eq(zc_texture_view_level(&view, 0, f, &lv), ZC_OK);
        double sum = 0;
        for (uint32_t y = 0; y < lv.height; ++y)
            for (uint32_t x = 0; x < lv.width; ++x) {
                const uint16_t *t = (const uint16_t *)((const uint8_t *)lv.data + (size_t)y * lv.row_pitch) + x * 4;
                for (int c = 0; c < 3; ++c) sum += zc_float_from_half(t[c]);
            }
        mean[f] = sum / (3.0 * lv.width * lv.height);
    }
    cr_log_info("face means +X %.3f -X %.3f +Y %.3f -Y %.3f +Z %.3f -Z %.3f", mean[0], mean[1], mean[2], mean[3],
                mean[4], mean[5]);
    cr_expect_gt(mean[2], 2 * mean[3], "the sky (+Y) is not brighter than the ground (-Y)");
    zc_texture_level_view none;
    cr_expect_neq(zc_texture_view_level(&view, 0, 6, &none), ZC_OK, "a seventh face");
    zc_pack_close(pack);
    free(pack_path);
    free(root);
}

/* A strip of four bands becomes four layers in order, each with its own chain. */
Test(texture_cube, strip_becomes_layers) {
    int w = 16, h = 64;
    uint8_t *rgba = malloc((size_t)w * h * 4);
    const uint8_t colours[4][4] = { { 255, 0, 0, 255 }, { 0, 255, 0, 255 }, { 0, 0, 255, 255 }, { 255, 255, 0, 255 } };
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) memcpy(rgba + ((size_t)y * w + x) * 4, colours[y / 16], 4);
    png_buf png = encode_png(w, h, rgba);
    zc_texture_settings s = linear_rgba8();
    s.layers = 4;
    s.mips = ZC_SWITCH_ON;
    zc_texture_image img;
    zc_diag diag;
    cr_assert_eq(zc_texture_import_memory(png.data, png.size, "strip.png", &s, &img, &diag), ZC_OK, "%s", diag.message);
    zc_texture_view view;
    cr_assert_eq(zc_texture_import_view(&img, &view), ZC_OK);
    cr_expect(view.layers == 4 && view.width == 16 && view.height == 16 && view.mip_count == 5);
    cr_expect(!(view.flags & ZC_TEXTURE_CUBE));
    for (uint32_t a = 0; a < 4; ++a)
        for (uint32_t m = 0; m < view.mip_count; ++m) {
            zc_texture_level_view lv;
            cr_assert_eq(zc_texture_view_level(&view, m, a, &lv), ZC_OK);
            for (uint32_t y = 0; y < lv.height; ++y)
                for (uint32_t x = 0; x < lv.width; ++x)
                    cr_assert(memcmp((const uint8_t *)lv.data + (size_t)y * lv.row_pitch + x * 4, colours[a], 4) == 0,
                              "layer %u level %u texel %u,%u", a, m, x, y);
        }
    zc_texture_image_free(&img);
    free(png.data);
    free(rgba);
}

/* Shapes that cannot be made into layers fail with a sentence; a cube flag on a
 * texture that cannot be a cube is refused by the validator (TX7c). */
Test(texture_cube, wrong_shapes_are_refused) {
    uint8_t rgba[12 * 10 * 4];
    memset(rgba, 200, sizeof rgba);
    png_buf png = encode_png(12, 10, rgba);
    zc_texture_settings s = linear_rgba8();
    s.cubemap = ZC_SWITCH_ON;
    zc_texture_image img;
    zc_diag diag;
    cr_expect_eq(zc_texture_import_memory(png.data, png.size, "a.png", &s, &img, &diag), ZC_ERR_BAD_SOURCE);
    cr_expect(strstr(diag.message, "twice as wide as tall; this image is 12x10"), "%s", diag.message);
    s = linear_rgba8();
    s.layers = 3;
    cr_expect_eq(zc_texture_import_memory(png.data, png.size, "a.png", &s, &img, &diag), ZC_ERR_BAD_SOURCE);
    cr_expect(strstr(diag.message, "3 layers need a height that is a multiple of 3"), "%s", diag.message);
    free(png.data);

    /* a valid 2-layer array, then the cube flag set on it */
    uint8_t strip[8 * 16 * 4];
    memset(strip, 100, sizeof strip);
    png = encode_png(8, 16, strip);
    s = linear_rgba8();
    s.layers = 2;
    cr_assert_eq(zc_texture_import_memory(png.data, png.size, "b.png", &s, &img, &diag), ZC_OK, "%s", diag.message);
    zc_texture *t = (zc_texture *)img.payload;
    cr_assert_eq(zc_texture_check(img.payload, img.size, &diag), ZC_OK);
    t->flags |= ZC_TEXTURE_CUBE;
    cr_expect_eq(zc_texture_check(img.payload, img.size, &diag), ZC_ERR_BAD_ENTRY);
    cr_expect(strstr(diag.message, "cube texture"), "%s", diag.message);
    zc_texture_image_free(&img);
    free(png.data);
}

/* ---------------------------------------------------------------------------------
 * Cube maps from six face files ("cubemap_faces")
 * ------------------------------------------------------------------------------- */

/* Face f of a test cube: red is the face's index, green and blue the texel's place,
 * alpha opaque, so a face that lands in the wrong layer or mirrored is seen. */
static uint8_t *face_texels(int f, int n, int salt) {
    uint8_t *rgba = malloc((size_t)n * n * 4);
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            uint8_t *t = rgba + ((size_t)y * n + x) * 4;
            t[0] = (uint8_t)(40 * f + salt);
            t[1] = (uint8_t)(x * 255 / (n - 1));
            t[2] = (uint8_t)(y * 255 / (n - 1));
            t[3] = 255;
        }
    return rgba;
}

static void put_face(const char *root, const char *rel, int f, int n, int salt) {
    uint8_t *rgba = face_texels(f, n, salt);
    png_buf png = encode_png(n, n, rgba);
    zct_put(root, rel, png.data, png.size);
    free(png.data);
    free(rgba);
}

static const char *const short_faces[6] = { "_px", "_nx", "_py", "_ny", "_pz", "_nz" };
static const char *const long_faces[6] = { "_POSX", "_NEGX", "_POSY", "_NEGY", "_POSZ", "_NEGZ" };

static void put_cube(const char *root, const char *stem, const char *const suffixes[6], int n, int salt) {
    for (int f = 0; f < 6; ++f) {
        char rel[256];
        snprintf(rel, sizeof rel, "%s%s.png", stem, suffixes[f]);
        put_face(root, rel, f, n, salt);
    }
}

static const char cube_rules[] = "{ \"rules\": [ { \"match\": \"sky/*\", \"cubemap_faces\": true, \"format\": "
                                 "\"rgba8\", \"mips\": false, \"srgb\": false } ] }";

/* A tree holding the cube sky/day_*.png (32 texels on a side) and the rule. */
static char *day_cube_tree(void) {
    char *root = zct_tmp_path("tree");
    put_cube(root, "sky/day", short_faces, 32, 0);
    zct_put_text(root, "zcpack.json", cube_rules);
    return root;
}

/* The entry `path` is a texture of `count` layers, n texels on a side, a cube map when
 * `cube`; layer i holds face_texels(faces[i], n, salt) texel for texel. */
static void expect_layers(zc_pack *pack, const char *path, int cube, const int *faces, int count, int n, int salt) {
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, path, &e), ZC_OK, "%s is missing", path);
    zc_texture_view view;
    cr_assert_eq(zc_texture_view_from_entry(&e, &view), ZC_OK);
    cr_expect_eq(!!(view.flags & ZC_TEXTURE_CUBE), cube, "%s: cube flag", path);
    cr_assert_eq(view.layers, (uint32_t)count);
    cr_expect(view.width == (uint32_t)n && view.height == (uint32_t)n);
    for (int i = 0; i < count; ++i) {
        zc_texture_level_view lv;
        cr_assert_eq(zc_texture_view_level(&view, 0, (uint32_t)i, &lv), ZC_OK);
        uint8_t *want = face_texels(faces[i], n, salt);
        for (int y = 0; y < n; ++y)
            cr_assert(memcmp((const uint8_t *)lv.data + (size_t)y * lv.row_pitch, want + (size_t)y * n * 4,
                             (size_t)n * 4) == 0,
                      "%s: layer %d, row %d differs from its file", path, i, y);
        free(want);
    }
}

/* Every layer of the cube entry `path` holds the face written with `salt`. */
static void expect_cube(zc_pack *pack, const char *path, int n, int salt) {
    expect_layers(pack, path, 1, (const int[]){ 0, 1, 2, 3, 4, 5 }, 6, n, salt);
}

/* Two cubes (both spellings of the suffixes) and a plain image under one rule: each
 * cube is one entry named after its +X file with its six faces in API order; the
 * other face files give no entries; the plain image stays a plain texture. */
Test(texture_cube, six_face_files_become_one_cube) {
    char *root = zct_tmp_path("tree");
    put_cube(root, "sky/day", short_faces, 32, 0);
    put_cube(root, "sky/night", long_faces, 16, 7);
    put_face(root, "sky/moon.png", 0, 8, 3);
    zct_put_text(root, "zcpack.json", cube_rules);
    char *pack_path = zct_tmp_path("cubes.zcpack");
    zct_run run = ZCT_CLI("build", root, "-o", pack_path);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = pack_path, .validate = ZC_VALIDATE_CHECKSUMS }), ZC_OK);
    cr_expect_eq(zc_pack_entry_count(pack), 3u);
    expect_cube(pack, "sky/day_px.png", 32, 0);
    expect_cube(pack, "sky/night_POSX.png", 16, 7);
    zc_entry e;
    cr_expect_eq(zc_pack_find(pack, "sky/day_nx.png", &e), ZC_ERR_NO_ENTRY);
    cr_expect_eq(zc_pack_find(pack, "sky/night_NEGZ.png", &e), ZC_ERR_NO_ENTRY);
    cr_assert_eq(zc_pack_find(pack, "sky/moon.png", &e), ZC_OK);
    zc_texture_view moon;
    cr_assert_eq(zc_texture_view_from_entry(&e, &moon), ZC_OK);
    cr_expect(moon.layers == 1 && !(moon.flags & ZC_TEXTURE_CUBE));
    zc_pack_close(pack);
    zct_run_free(&run);
    free(pack_path);
    free(root);
}

/* A missing face fails the cube naming that face's file; a face whose +X file is not
 * in the tree fails naming the +X file; faces that do not match fail with both sizes. */
Test(texture_cube, incomplete_or_mismatched_faces_are_refused) {
    char *root = day_cube_tree();
    char *day_nz = zct_join(root, "sky/day_nz.png");
    cr_assert_eq(unlink(day_nz), 0);
    char *pack_path = zct_tmp_path("cubes.zcpack");
    zct_run run = ZCT_CLI("build", root, "-o", pack_path);
    ZCT_EXPECT_CODE(run, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(run, "sky/day_px.png");
    ZCT_EXPECT_ERR(run, "day_nz.png");
    zct_run_free(&run);

    put_face(root, "sky/day_nz.png", 5, 16, 0); /* half the size */
    run = ZCT_CLI("build", root, "-o", pack_path);
    ZCT_EXPECT_CODE(run, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(run, "face is 16x16, the +X face 32x32");
    zct_run_free(&run);

    put_face(root, "sky/day_nz.png", 5, 32, 0);
    char *day_px = zct_join(root, "sky/day_px.png");
    cr_assert_eq(unlink(day_px), 0);
    run = ZCT_CLI("build", root, "-o", pack_path);
    ZCT_EXPECT_CODE(run, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(run, "whose +X face sky/day_px.png is not in the tree");
    zct_run_free(&run);
    cr_expect(!zct_exists(pack_path));
    free(day_px);
    free(day_nz);
    free(pack_path);
    free(root);
}

/* The build cache keeps no stale cube: after one face file changes, a rebuild through
 * the same cache holds the new face. */
Test(texture_cube, a_changed_face_rebuilds_the_cube) {
    char *root = day_cube_tree();
    char *cache = zct_tmp_path("cache"), *pack_path = zct_tmp_path("cubes.zcpack");
    zct_run run = ZCT_CLI("build", root, "-o", pack_path, "--cache", cache);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    for (int f = 0; f < 6; ++f) {
        char rel[64];
        snprintf(rel, sizeof rel, "sky/day%s.png", short_faces[f]);
        put_face(root, rel, f, 32, f == 3 ? 100 : 0); /* -Y changes */
    }
    run = ZCT_CLI("build", root, "-o", pack_path, "--cache", cache);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = pack_path }), ZC_OK);
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, "sky/day_px.png", &e), ZC_OK);
    zc_texture_view view;
    cr_assert_eq(zc_texture_view_from_entry(&e, &view), ZC_OK);
    zc_texture_level_view lv;
    cr_assert_eq(zc_texture_view_level(&view, 0, 3, &lv), ZC_OK);
    cr_expect_eq(((const uint8_t *)lv.data)[0], (uint8_t)(40 * 3 + 100), "the -Y face is the old one");
    cr_assert_eq(zc_texture_view_level(&view, 0, 2, &lv), ZC_OK);
    cr_expect_eq(((const uint8_t *)lv.data)[0], (uint8_t)(40 * 2));
    zc_pack_close(pack);
    free(pack_path);
    free(cache);
    free(root);
}

/* The names the rule recognises, and the sibling names it makes. */
Test(texture_cube, face_names) {
    cr_expect_eq(zc_texture_cube_face("sky/day_px.png"), 0);
    cr_expect_eq(zc_texture_cube_face("sky/day_NZ.PNG"), 5);
    cr_expect_eq(zc_texture_cube_face("sky/day_negy.jpg"), 3);
    cr_expect_eq(zc_texture_cube_face("sky/day_px"), 0);
    cr_expect_eq(zc_texture_cube_face("sky/day.png"), -1);
    cr_expect_eq(zc_texture_cube_face("sky_px/day.png"), -1, "a folder's name is not a face");
    cr_expect_eq(zc_texture_cube_face("px.png"), -1);
    cr_expect_eq(zc_texture_cube_face(""), -1);
    char *name = zc_texture_cube_face_name("sky/Day_NEGX.tga", 4);
    cr_expect_str_eq(name, "sky/Day_POSZ.tga");
    free(name);
    name = zc_texture_cube_face_name("a.b/day_nz.png", 0);
    cr_expect_str_eq(name, "a.b/day_px.png");
    free(name);
    cr_expect_null(zc_texture_cube_face_name("sky/day.png", 0));
}

/* ---------------------------------------------------------------------------------
 * Texture arrays from the files of a folder ("array_folder")
 * ------------------------------------------------------------------------------- */

/* Three layers of a folder in name order, whatever order they were written in; a
 * file of another extension in the folder stays a texture of its own; a layer of
 * another size fails naming it. */
Test(texture_cube, folder_becomes_an_array) {
    char *root = zct_tmp_path("tree");
    static const char *const layers[3] = { "terrain/splat/a_grass.png", "terrain/splat/b_rock.png",
                                           "terrain/splat/c_sand.png" };
    for (int i = 2; i >= 0; --i) put_face(root, layers[i], i, 16, 50);
    put_face(root, "terrain/splat/mask.tga.png.jpg.bmp.png2", 0, 8, 0); /* another extension: not a layer */
    put_face(root, "terrain/detail.png", 1, 8, 0);
    zct_put_text(root, "zcpack.json",
                 "{ \"rules\": [ { \"match\": \"terrain/splat/*\", \"array_folder\": true, \"format\": \"rgba8\", "
                 "\"mips\": false, \"srgb\": false }, { \"match\": \"*.png2\", \"importer\": \"blob\" } ] }");
    char *pack_path = zct_tmp_path("arrays.zcpack");
    zct_run run = ZCT_CLI("build", root, "-o", pack_path);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = pack_path, .validate = ZC_VALIDATE_CHECKSUMS }), ZC_OK);
    cr_expect_eq(zc_pack_entry_count(pack), 3u, "the array, the blob and detail.png");
    expect_layers(pack, layers[0], 0, (const int[]){ 0, 1, 2 }, 3, 16, 50);
    zc_entry e;
    for (int i = 1; i < 3; ++i) cr_expect_eq(zc_pack_find(pack, layers[i], &e), ZC_ERR_NO_ENTRY, "%s has an entry", layers[i]);
    zc_pack_close(pack);

    put_face(root, "terrain/splat/b_rock.png", 1, 32, 50);
    run = ZCT_CLI("build", root, "-o", pack_path);
    ZCT_EXPECT_CODE(run, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(run, "array layer ");
    ZCT_EXPECT_ERR(run, "b_rock.png: layer is 32x32, the first layer 16x16");
    zct_run_free(&run);
    free(pack_path);
    free(root);
}

/* A layer list names the layers in its own order, relative to its folder; the files
 * it names keep their own entries unless a rule excludes them. */
Test(texture_cube, a_layer_list_becomes_an_array) {
    char *root = zct_tmp_path("tree");
    put_face(root, "terrain/layers/a_grass.png", 1, 16, 70);
    put_face(root, "terrain/layers/b_rock.png", 2, 16, 70);
    put_face(root, "terrain/layers/deep/c_sand.png", 0, 16, 70);
    zct_put_text(root, "terrain/splat.texarray",
                 "# splat layers, in the order the shader indexes them\r\n"
                 "layers/deep/c_sand.png\r\n\n  layers/a_grass.png \t\nlayers/b_rock.png");
    zct_put_text(root, "zcpack.json",
                 "{ \"rules\": [ { \"match\": \"terrain/*\", \"format\": \"rgba8\", \"mips\": false, \"srgb\": false },"
                 " { \"match\": \"terrain/layers/**\", \"exclude\": true } ] }");
    char *pack_path = zct_tmp_path("list.zcpack");
    zct_run run = ZCT_CLI("build", root, "-o", pack_path);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = pack_path, .validate = ZC_VALIDATE_CHECKSUMS }), ZC_OK);
    cr_expect_eq(zc_pack_entry_count(pack), 1u, "the array alone: its layer files are excluded");
    expect_layers(pack, "terrain/splat.texarray", 0, (const int[]){ 0, 1, 2 }, 3, 16, 70);
    zc_pack_close(pack);

    char *list = zct_join(root, "terrain/splat.texarray");
    run = ZCT_CLI("import", list, "--root", root, "--deps");
    free(list);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    cr_expect_str_eq(run.out, "terrain/layers/a_grass.png\nterrain/layers/b_rock.png\nterrain/layers/deep/c_sand.png\n",
                     "the files read, in name order");
    zct_run_free(&run);

    /* a changed layer changes the array on the next build, through the build cache too */
    char *cache = zct_tmp_path("cache");
    run = ZCT_CLI("build", root, "-o", pack_path, "--cache", cache);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    put_face(root, "terrain/layers/b_rock.png", 2, 16, 90);
    run = ZCT_CLI("build", root, "-o", pack_path, "--cache", cache);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = pack_path }), ZC_OK);
    zc_entry e;
    zc_texture_view view;
    zc_texture_level_view lv;
    cr_assert_eq(zc_pack_find(pack, "terrain/splat.texarray", &e), ZC_OK);
    cr_assert_eq(zc_texture_view_from_entry(&e, &view), ZC_OK);
    cr_assert_eq(zc_texture_view_level(&view, 0, 2, &lv), ZC_OK);
    cr_expect_eq(((const uint8_t *)lv.data)[0], 40 * 2 + 90, "layer 2 is the changed b_rock.png");
    zc_pack_close(pack);

    /* a list larger than a list may be is refused with its size */
    char *huge = zct_join(root, "terrain/huge.texarray");
    FILE *f = fopen(huge, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fseek(f, (long)ZC_TEXTURE_LIST_MAX_BYTES, SEEK_SET), 0);
    cr_assert_eq(fputc('\n', f), '\n');
    fclose(f);
    run = ZCT_CLI("build", root, "-o", pack_path);
    ZCT_EXPECT_CODE(run, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(run, "huge.texarray: a layer list of 1048577 bytes is larger than");
    zct_run_free(&run);
    cr_assert_eq(unlink(huge), 0);
    free(huge);

    /* a layer of another size fails the list, naming the layer */
    put_face(root, "terrain/layers/a_grass.png", 1, 32, 70);
    run = ZCT_CLI("build", root, "-o", pack_path);
    ZCT_EXPECT_CODE(run, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(run, "terrain/splat.texarray: array layer ");
    ZCT_EXPECT_ERR(run, "a_grass.png: layer is 32x32, the first layer 16x16");
    zct_run_free(&run);
    free(cache);
    free(pack_path);
    free(root);
}

static void expect_list_error(const char *text, size_t size, zc_result want, const char *message) {
    char **paths = NULL;
    uint32_t count = 0;
    zc_diag diag = { 0 };
    cr_expect_eq(zc_texture_list_files("t/a.texarray", text, size, &paths, &count, &diag), want, "%.40s", text);
    cr_expect(strstr(diag.message, message), "\"%s\" not in \"%s\"", message, diag.message);
    cr_expect_null(paths);
    cr_expect_eq(count, 0u);
}

Test(texture_cube, layer_lists_refuse_paths_that_leave_their_folder) {
    expect_list_error("../x.png", 8, ZC_ERR_BAD_SOURCE, "line 1: \"../x.png\": has a '.' or '..' folder");
    expect_list_error("ok.png\na/./b.png", 16, ZC_ERR_BAD_SOURCE, "line 2:");
    expect_list_error("/etc/x.png", 10, ZC_ERR_BAD_SOURCE, "absolute");
    expect_list_error("a//b.png", 8, ZC_ERR_BAD_SOURCE, "empty folder name");
    expect_list_error("a\\b.png", 7, ZC_ERR_BAD_SOURCE, "backslash");
    expect_list_error("a\0b.png", 7, ZC_ERR_BAD_SOURCE, "NUL");
    expect_list_error("# nothing\n\n  \n", 14, ZC_ERR_BAD_SOURCE, "names no layer");
    expect_list_error("", 0, ZC_ERR_BAD_SOURCE, "names no layer");
    size_t big = ZC_TEXTURE_LIST_MAX_BYTES + 1;
    char *text = malloc(big);
    memset(text, '\n', big);
    expect_list_error(text, big, ZC_ERR_LIMIT, "larger than");
    /* one line more than the layers a texture holds */
    size_t n = 0;
    for (uint32_t i = 0; i <= ZC_TEXTURE_MAX_LAYERS; ++i) n += (size_t)sprintf(text + n, "l%u.png\n", i);
    expect_list_error(text, n, ZC_ERR_LIMIT, "more than the");
    free(text);

    char **paths = NULL;
    uint32_t count = 0;
    zc_diag diag = { 0 };
    cr_assert_eq(zc_texture_list_files("t/a.texarray", "x.png\n deep/y.png\n", 18, &paths, &count, &diag), ZC_OK);
    cr_assert_eq(count, 2u);
    cr_expect_str_eq(paths[0], "t/x.png");
    cr_expect_str_eq(paths[1], "t/deep/y.png");
    zc_texture_array_files_free(paths, count);
    cr_assert_eq(zc_texture_list_files("a.texarray", "x.png", 5, &paths, &count, &diag), ZC_OK);
    cr_expect_str_eq(paths[0], "./x.png");
    zc_texture_array_files_free(paths, count);
}
