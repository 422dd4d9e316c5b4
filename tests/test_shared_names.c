/* test_shared_names.c - extensions an importer shares with other kinds of files
 * (zc_import_shared_name, packer/import/zc_importers.c): `zcpack build` imports such a
 * file when its first bytes are the importer's format and packs any other file under
 * that name as a blob with a warning, where it used to fail the build: a SuperTux
 * level named .stl, an rpcgen interface named .x, an autoconf script named .ac, an
 * Aseprite sprite named .ase, a raw pixel dump named .rgba. Real models under those
 * names (assimp-testmodels' ASCII and binary STL, text DirectX, AC3D with and without
 * a byte order mark, ASCII Scene Export) and an SGI image
 * stay what they are; an empty file is the importer's, and fails as a broken one; the
 * summary counts each file where it went, and `zcpack import` decides as the build does.
 * A model file of lines or points only, which makes no scene, is packed as a blob too.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zc_exit.h" /* the exit codes of zcpack */
#include "zc_pack.h"
#include "zc_test_images.h"
#include "zc_test_util.h"

TestSuite(shared_names, .init = zcti_tree_setup, .fini = zcti_tree_teardown, .timeout = 120);

/* Files of other kinds under the shared names. */
static const struct {
    const char *path, *text, *warning;
} others[] = {
    { "levels/intro.stl", "(supertux-level\n  (version 3)\n  (name (_ \"Welcome\"))\n)\n", "not an STL model although named .stl" },
    { "net/rstat.x", "program RSTATPROG {\n  version RSTATVERS { int PING(void) = 1; } = 1;\n} = 100001;\n",
      "not a DirectX model although named .x" },
    { "tools/configure.ac", "AC_INIT([game], [1.0])\nAC_OUTPUT\n", "not an AC3D model although named .ac" },
};

/* The first 16 bytes of an Aseprite sprite's 128-byte header (file size 128, magic
 * 0xA5E0, no frames, 32x32, 32 bits per pixel), the rest zero. */
static const uint8_t aseprite_head[16] = { 0x80, 0, 0, 0, 0xE0, 0xA5, 0, 0, 32, 0, 32, 0, 32, 0, 0, 0 };

/* Models under the shared names. */
static const struct {
    const char *source, *path;
} models[] = {
    { ZCTI_ASSIMP "/STL/Spider_ascii.stl", "props/spider_ascii.stl" },
    { ZCTI_ASSIMP "/STL/Spider_binary.stl", "props/spider_binary.stl" },
    { ZCTI_ASSIMP "/X/test.x", "props/test.x" },
    { ZCTI_ASSIMP "/AC/Wuson.ac", "cars/wuson.ac" },
    { ZCTI_ASSIMP "/AC/Wuson.acc", "cars/wuson.acc" },
    { ZCTI_ASSIMP "/AC/SphereWithLight_UTF8BOM.ac", "cars/sphere.ac" },
    { ZCTI_ASSIMP "/ASE/ThreeCubesGreen.ASE", "props/cubes.ase" },
};

static void make_tree(void) {
    for (size_t i = 0; i < sizeof models / sizeof models[0]; ++i) {
        zcti_require(models[i].source);
        free(zcti_copy(models[i].source, zcti_in_dir, models[i].path));
    }
    for (size_t i = 0; i < sizeof others / sizeof others[0]; ++i) {
        char *path = zct_join(zcti_in_dir, others[i].path);
        zct_write_file(path, others[i].text, strlen(others[i].text));
        free(path);
    }
    uint8_t sprite[128] = { 0 };
    memcpy(sprite, aseprite_head, sizeof aseprite_head);
    char *path = zct_join(zcti_in_dir, "sprites/hero.ase");
    zct_write_file(path, sprite, sizeof sprite);
    free(path);
    zcti_require(ZCTI_PIXBUF_IMAGES "/gif-test-suite/checkerboard.rgba");
    free(zcti_copy(ZCTI_PIXBUF_IMAGES "/gif-test-suite/checkerboard.rgba", zcti_in_dir, "dumps/checkerboard.rgba"));
}

Test(shared_names, build_imports_the_format_and_packs_other_files_as_blobs) {
    make_tree();
    zct_run r = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path);
    cr_assert_eq(r.code, 0, "%s", r.err);
    for (size_t i = 0; i < sizeof others / sizeof others[0]; ++i) {
        char needle[256];
        snprintf(needle, sizeof needle, "%s: %s: packed as raw bytes", others[i].path, others[i].warning);
        ZCT_EXPECT_ERR(r, needle);
    }
    ZCT_EXPECT_ERR(r, "dumps/checkerboard.rgba: not an SGI image although named .rgba: packed as raw bytes");
    ZCT_EXPECT_ERR(r, "sprites/hero.ase: not an ASCII Scene Export model although named .ase: packed as raw bytes");
    cr_assert(strstr(r.out, "(0 textures, 7 models)"), "the summary counts otherwise:\n%s", r.out);
    zct_run_free(&r);

    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    zc_entry e;
    for (size_t i = 0; i < sizeof models / sizeof models[0]; ++i) {
        cr_assert_eq(zc_pack_find(pack, models[i].path, &e), ZC_OK, "%s", models[i].path);
        cr_expect_eq(e.type, ZC_TYPE_SCENE, "%s is not a scene", models[i].path);
        char mesh[256];
        snprintf(mesh, sizeof mesh, "%s#mesh/0", models[i].path);
        cr_expect_eq(zc_pack_find(pack, mesh, &e), ZC_OK, "%s has no mesh", models[i].path);
    }
    for (size_t i = 0; i < sizeof others / sizeof others[0]; ++i) {
        cr_assert_eq(zc_pack_find(pack, others[i].path, &e), ZC_OK, "%s", others[i].path);
        cr_expect_eq(e.type, ZC_TYPE_BLOB, "%s is not a blob", others[i].path);
        zc_hold hold;
        cr_assert_eq(zc_pack_get(pack, others[i].path, &hold), ZC_OK);
        cr_expect(hold.size == strlen(others[i].text) && memcmp(hold.data, others[i].text, hold.size) == 0,
                  "%s does not hold the file's bytes", others[i].path);
        zc_hold_release(&hold);
    }
    cr_assert_eq(zc_pack_find(pack, "dumps/checkerboard.rgba", &e), ZC_OK);
    cr_expect_eq(e.type, ZC_TYPE_BLOB);
    cr_assert_eq(zc_pack_find(pack, "sprites/hero.ase", &e), ZC_OK);
    cr_expect_eq(e.type, ZC_TYPE_BLOB);
    zc_pack_close(pack);
}

/* An empty file under a shared name is a broken file of the importer's kind. */
Test(shared_names, an_empty_file_fails_as_the_importers) {
    char *path = zct_join(zcti_in_dir, "props/empty.stl");
    zct_write_file(path, "", 0);
    zct_run r = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path);
    ZCT_EXPECT_CODE(r, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(r, "props/empty.stl: assimp cannot read the model");
    zct_run_free(&r);
    free(path);
}

/* `zcpack import` decides as the build does, and import + link gives the build's pack. */
Test(shared_names, import_and_link_give_the_builds_bytes) {
    make_tree();
    zct_run r = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path);
    cr_assert_eq(r.code, 0, "%s", r.err);
    zct_run_free(&r);
    const char *paths[] = { "levels/intro.stl", "net/rstat.x", "tools/configure.ac", "props/spider_binary.stl",
                            "cars/wuson.ac" };
    char *objects[5], *linked = zct_join(zct_tmp, "linked.zcpack");
    for (size_t i = 0; i < 5; ++i) {
        char *source = zct_join(zcti_in_dir, paths[i]), name[32];
        snprintf(name, sizeof name, "o%zu.zco", i);
        objects[i] = zct_join(zct_tmp, name);
        r = ZCT_CLI("import", source, "--root", zcti_in_dir, "-o", objects[i]);
        cr_assert_eq(r.code, 0, "%s: %s", paths[i], r.err);
        zct_run_free(&r);
        free(source);
    }
    r = ZCT_CLI("link", objects[0], objects[1], objects[2], objects[3], objects[4], "-o", linked);
    cr_assert_eq(r.code, 0, "%s", r.err);
    zct_run_free(&r);
    zc_pack *built = zcti_open_pack(zcti_pack_path), *pack = zcti_open_pack(linked);
    for (size_t i = 0; i < 5; ++i) {
        zc_entry a, b;
        cr_assert_eq(zc_pack_find(built, paths[i], &a), ZC_OK);
        cr_assert_eq(zc_pack_find(pack, paths[i], &b), ZC_OK, "%s is not in the linked pack", paths[i]);
        cr_expect(a.type == b.type && a.content_hash == b.content_hash, "%s: import gives another entry", paths[i]);
    }
    zc_pack_close(built);
    zc_pack_close(pack);
    for (size_t i = 0; i < 5; ++i) free(objects[i]);
    free(linked);
}

/* A model file that holds no triangles, cameras or lights (a path of lines, a point
 * cloud: assimp-testmodels' testline.obj, testpoints.obj and openLine.ac) is no scene:
 * it is packed as its bytes with the reason as a warning, counted among the blobs,
 * and the build succeeds. */
Test(shared_names, a_model_of_lines_or_points_is_packed_as_its_bytes) {
    static const char *const lines[] = { "OBJ/testline.obj", "OBJ/testpoints.obj", "AC/openLine.ac" };
    for (size_t i = 0; i < 3; ++i) {
        char source[256];
        snprintf(source, sizeof source, ZCTI_ASSIMP "/%s", lines[i]);
        zcti_require(source);
        free(zcti_copy(source, zcti_in_dir, lines[i]));
    }
    zcti_require(ZCTI_ASSIMP "/OBJ/box.obj");
    free(zcti_copy(ZCTI_ASSIMP "/OBJ/box.obj", zcti_in_dir, "OBJ/box.obj"));
    zct_run r = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path);
    cr_assert_eq(r.code, 0, "%s", r.err);
    for (size_t i = 0; i < 3; ++i) {
        char needle[256];
        snprintf(needle, sizeof needle, "%s: the model holds no triangles, cameras or lights (only lines or points, or "
                 "nothing), which is not imported as a scene: packed as raw bytes", lines[i]);
        ZCT_EXPECT_ERR(r, needle);
    }
    cr_assert(strstr(r.out, "(0 textures, 1 model)"), "the summary counts otherwise:\n%s", r.out);
    zct_run_free(&r);
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    for (size_t i = 0; i < 3; ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_find(pack, lines[i], &e), ZC_OK, "%s", lines[i]);
        cr_expect_eq(e.type, ZC_TYPE_BLOB, "%s is not a blob", lines[i]);
    }
    zc_pack_close(pack);
}
