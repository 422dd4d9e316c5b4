/* test_model_build.c - 3D models through `zcpack build` and the isolated import
 * (zc_model_import_file), on real models from Debian's assimp-testmodels
 * (/usr/share/assimp/models).
 *
 * The CLI part runs the real zcpack program (as test_cli.c does) on a tree holding a
 * glTF with its .bin and image, an OBJ with its MTL and images, a COLLADA file with
 * its TGA and an FBX whose textures name another machine's paths: the pack verifies,
 * every model gives P, P#mesh/<i>, P#material/<m>, P#texture/<t> with the right types
 * and references that resolve inside the pack, and the bytes do not depend on -j. Then
 * the failures: the package's invalid models, a zero-byte OBJ, a crashing and a
 * hanging input, a missing texture, a file named like a generated entry, manifest
 * mesh options and their errors.
 *
 * Crash and hang are real inputs cut from package files: the first 1075 bytes of
 * MD5/SimpleCube.md5mesh make assimp 5.2.5 dereference a bad pointer (SIGSEGV), the
 * first 108 bytes of PLY/cube.ply (the header cut after "property float32 y") make
 * it loop forever, and invalid/OutOfMemory.off makes it allocate without end. The
 * malformed replies no real input produces come from the fault-injection hook
 * (zc_model_isolate.h). After every isolated import the test process must have no
 * child left (waitpid(-1, WNOHANG) fails with ECHILD: nothing to reap, no zombie) and
 * no descriptor more than before.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zc_build.h"
#include "zc_importer.h"
#include "zc_manifest.h"
#include "zc_model.h"
#include "zc_model_isolate.h"
#include "zc_pack.h"
#include "zc_exit.h" /* the exit codes of zcpack */
#include "zc_test_util.h"

#define MODELS "/usr/share/assimp/models/"
#define CRASH_SOURCE MODELS "MD5/SimpleCube.md5mesh"
#define CRASH_SOURCE_SIZE 2151u
#define CRASH_PREFIX 1075u
#define HANG_SOURCE MODELS "PLY/cube.ply"
#define HANG_SOURCE_SIZE 329u
#define HANG_PREFIX 108u


static void teardown(void) {
    zc__model_child_fault = ZC__MODEL_FAULT_NONE;
    zct_tmp_teardown();
}

TestSuite(model_build, .init = zct_tmp_setup, .fini = teardown, .timeout = 300);

/* ---------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------- */

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Copy the first `limit` bytes (all when 0) of a package file to dir/rel. When
 * `expect_size` is not 0 the source must have exactly that size, so a different
 * package version cannot silently change what a cut input contains. */
static void copy_cut(const char *src, const char *dir, const char *rel, size_t limit, size_t expect_size) {
    size_t size;
    uint8_t *bytes = zct_read_file(src, &size);
    cr_assert(bytes, "cannot read %s (is assimp-testmodels installed?)", src);
    if (expect_size) cr_assert_eq(size, expect_size, "%s has %zu bytes, expected %zu", src, size, expect_size);
    char *dst = zct_join(dir, rel);
    zct_write_file(dst, bytes, limit && limit < size ? limit : size);
    free(dst);
    free(bytes);
}

static void copy(const char *src, const char *dir, const char *rel) {
    copy_cut(src, dir, rel, 0, 0);
}

/* Nothing left to reap: no zombie and no child still running. */
static void assert_no_children(void) {
    int status;
    errno = 0;
    pid_t got = waitpid(-1, &status, WNOHANG);
    cr_assert(got == -1 && errno == ECHILD, "a child is left behind (waitpid gave %d, errno %d)", (int)got, errno);
}

/* The tree most tests start from (under tmp/<name>). */
static char *model_tree(const char *name) {
    char *root = zct_join(zct_tmp, name);
    copy(MODELS "glTF2/BoxTextured-glTF/BoxTextured.gltf", root, "box/BoxTextured.gltf");
    copy(MODELS "glTF2/BoxTextured-glTF/BoxTextured0.bin", root, "box/BoxTextured0.bin");
    copy(MODELS "glTF2/BoxTextured-glTF/CesiumLogoFlat.png", root, "box/CesiumLogoFlat.png");
    static const char *const obj_files[] = {
        "spider.obj", "spider.mtl", "SpiderTex.jpg", "drkwood2.jpg", "engineflare1.jpg", "wal67ar_small.jpg",
        "wal69ar_small.jpg",
    };
    for (size_t i = 0; i < sizeof obj_files / sizeof obj_files[0]; ++i) {
        char src[256], rel[256];
        snprintf(src, sizeof src, MODELS "OBJ/%s", obj_files[i]);
        snprintf(rel, sizeof rel, "obj/%s", obj_files[i]);
        copy(src, root, rel);
    }
    copy(MODELS "Collada/duck.dae", root, "duck.dae");
    copy(MODELS "Collada/duckCM.tga", root, "duckCM.tga");
    copy(MODELS "FBX/spider.fbx", root, "fbx/spider.fbx");
    char *readme = zct_join(root, "readme.txt");
    zct_write_file(readme, "models\n", 7);
    free(readme);
    return root;
}

/* ---------------------------------------------------------------------------------
 * Checking a pack's models
 * ------------------------------------------------------------------------------- */

typedef struct model_counts {
    uint32_t meshes, materials, textures;
} model_counts;

static zc_pack *open_pack(const char *path) {
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_CHECKSUMS });
    cr_assert_eq(r, ZC_OK, "%s: %s", path, zc_result_str(r));
    return pack;
}

static int has_prefix(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* `id` names an entry of `type` whose path starts with scene#kind/. */
static void assert_reference(const zc_pack *pack, uint64_t id, uint32_t type, const char *scene, const char *kind) {
    zc_entry e;
    cr_assert_eq(zc_pack_resolve(pack, id, type, &e), ZC_OK, "%s: a %s reference does not resolve", scene, kind);
    char prefix[1200];
    snprintf(prefix, sizeof prefix, "%s#%s/", scene, kind);
    cr_assert(has_prefix(e.path, prefix), "%s: reference to %s, expected %s*", scene, e.path, prefix);
}

/* The entry as its raw bytes, held in *hold (so a compressed entry works too): *raw
 * describes them in memory, for the _from_entry views. */
static zc_entry raw_entry(zc_pack *pack, const zc_entry *e, zc_hold *hold) {
    cr_assert_eq(zc_pack_acquire(pack, e, hold), ZC_OK, "%s", e->path);
    zc_entry raw = *e;
    raw.data = hold->data;
    raw.codec = ZC_CODEC_NONE;
    raw.stored_size = raw.raw_size;
    return raw;
}

/* Every entry of model `scene`: types by name, references inside the model, deps. */
static model_counts check_model(zc_pack *pack, const char *scene) {
    model_counts c = { 0, 0, 0 };
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, scene, &e), ZC_OK, "no entry %s", scene);
    cr_assert_eq(e.type, ZC_TYPE_SCENE, "%s is not a scene", scene);
    for (uint32_t k = 0; k < e.deps_count; ++k)
        cr_assert_eq(zc_pack_find_id(pack, e.deps[k], &(zc_entry){ 0 }), ZC_OK, "%s: dependency %u missing", scene, k);
    zc_scene_view sv;
    zc_hold scene_hold, hold;
    zc_entry raw = raw_entry(pack, &e, &scene_hold);
    cr_assert_eq(zc_scene_view_from_entry(&raw, &sv), ZC_OK);
    cr_assert_gt(sv.node_count, 0);
    cr_assert_gt(sv.mesh_count, 0, "%s draws no mesh", scene);
    for (uint32_t i = 0; i < sv.mesh_count; ++i) {
        assert_reference(pack, sv.meshes[i].mesh, ZC_TYPE_MESH, scene, "mesh");
        if (sv.meshes[i].material) assert_reference(pack, sv.meshes[i].material, ZC_TYPE_MATERIAL, scene, "material");
    }
    char prefix[1200];
    snprintf(prefix, sizeof prefix, "%s#", scene);
    for (uint32_t i = 0; i < zc_pack_entry_count(pack); ++i) {
        cr_assert_eq(zc_pack_entry_at(pack, i, &e), ZC_OK);
        if (!has_prefix(e.path, prefix)) continue;
        const char *kind = e.path + strlen(prefix);
        if (has_prefix(kind, "mesh/")) {
            c.meshes++;
            cr_assert_eq(e.type, ZC_TYPE_MESH, "%s", e.path);
            zc_mesh_view mv;
            raw = raw_entry(pack, &e, &hold);
            cr_assert_eq(zc_mesh_view_from_entry(&raw, &mv), ZC_OK, "%s", e.path);
            cr_assert_gt(mv.index_count, 0);
            for (uint32_t s = 0; s < mv.submesh_count; ++s)
                if (mv.submeshes[s].material)
                    assert_reference(pack, mv.submeshes[s].material, ZC_TYPE_MATERIAL, scene, "material");
            zc_hold_release(&hold);
        } else if (has_prefix(kind, "material/")) {
            c.materials++;
            cr_assert_eq(e.type, ZC_TYPE_MATERIAL, "%s", e.path);
            zc_material_view mat;
            raw = raw_entry(pack, &e, &hold);
            cr_assert_eq(zc_material_view_from_entry(&raw, &mat), ZC_OK, "%s", e.path);
            for (int s = 0; s < ZC_MATERIAL_SLOT_COUNT; ++s)
                if (mat.textures[s].texture)
                    assert_reference(pack, mat.textures[s].texture, ZC_TYPE_TEXTURE, scene, "texture");
            zc_hold_release(&hold);
        } else if (has_prefix(kind, "texture/")) {
            c.textures++;
            cr_assert_eq(e.type, ZC_TYPE_TEXTURE, "%s", e.path);
            zc_texture_view tv;
            raw = raw_entry(pack, &e, &hold);
            cr_assert_eq(zc_texture_view_from_entry(&raw, &tv), ZC_OK, "%s", e.path);
            zc_hold_release(&hold);
        } else {
            cr_assert_fail("unexpected entry %s", e.path);
        }
    }
    zc_hold_release(&scene_hold);
    cr_assert_gt(c.meshes, 0, "%s has no mesh entry", scene);
    return c;
}

static uint32_t count_prefixed_entries(const zc_pack *pack, const char *prefix) {
    uint32_t n = 0;
    zc_entry e;
    for (uint32_t i = 0; i < zc_pack_entry_count(pack); ++i)
        if (zc_pack_entry_at(pack, i, &e) == ZC_OK && has_prefix(e.path, prefix)) n++;
    return n;
}

/* ---------------------------------------------------------------------------------
 * zcpack build on real models
 * ------------------------------------------------------------------------------- */

Test(model_build, real_models_verify_and_hold_every_entry) {
    char *root = model_tree("tree");
    char *pack_path = zct_join(zct_tmp, "models.zcpack");
    zct_run r = ZCT_CLI("build", root, "-o", pack_path, "-j", "2");
    ZCT_EXPECT_CODE(r, ZC_EXIT_OK);
    cr_assert(strstr(r.out, "4 models"), "summary: %s", r.out);
    /* the FBX names its images by another machine's paths: notes, logged as warnings */
    ZCT_EXPECT_ERR(r, "fbx/spider.fbx: material 0");
    ZCT_EXPECT_ERR(r, "not found: slot left empty");
    zct_run_free(&r);

    r = ZCT_CLI("verify", pack_path);
    ZCT_EXPECT_CODE(r, ZC_EXIT_OK);
    zct_run_free(&r);

    zc_pack *pack = open_pack(pack_path);
    model_counts box = check_model(pack, "box/BoxTextured.gltf");
    cr_assert_eq(box.meshes, 1);
    cr_assert_eq(box.materials, 1);
    cr_assert_eq(box.textures, 1);
    model_counts obj = check_model(pack, "obj/spider.obj");
    cr_assert_gt(obj.meshes, 1);
    cr_assert_gt(obj.textures, 0);
    model_counts dae = check_model(pack, "duck.dae");
    cr_assert_eq(dae.textures, 1);
    model_counts fbx = check_model(pack, "fbx/spider.fbx");
    cr_assert_eq(fbx.textures, 0, "the FBX's images are not in the tree");
    cr_assert_gt(fbx.materials, 0);
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, "box/BoxTextured0.bin", &e), ZC_OK); /* other files stay blobs */
    cr_assert_eq(e.type, ZC_TYPE_BLOB);
    cr_assert_eq(zc_pack_find(pack, "box/CesiumLogoFlat.png", &e), ZC_OK);
    cr_assert_eq(e.type, ZC_TYPE_TEXTURE);
    cr_assert_eq(zc_pack_find(pack, "readme.txt", &e), ZC_OK);
    zc_pack_close(pack);
    free(pack_path);
    free(root);
}

Test(model_build, same_bytes_whatever_the_thread_count) {
    char *root = model_tree("tree");
    const char *jobs[] = { "1", "2", "8" };
    char *packs[3];
    for (int i = 0; i < 3; ++i) {
        char name[32];
        snprintf(name, sizeof name, "j%s.zcpack", jobs[i]);
        packs[i] = zct_join(zct_tmp, name);
        zct_run r = ZCT_CLI("build", root, "-o", packs[i], "-j", jobs[i], "-q");
        ZCT_EXPECT_CODE(r, ZC_EXIT_OK);
        zct_run_free(&r);
    }
    cr_assert(zct_files_equal(packs[0], packs[1]), "-j 1 and -j 2 differ");
    cr_assert(zct_files_equal(packs[0], packs[2]), "-j 1 and -j 8 differ");
    for (int i = 0; i < 3; ++i) free(packs[i]);
    free(root);
}

Test(model_build, crashing_model_fails_its_file_only) {
    char *root = zct_join(zct_tmp, "tree");
    copy(MODELS "glTF2/BoxTextured-glTF/BoxTextured.gltf", root, "box/BoxTextured.gltf");
    copy(MODELS "glTF2/BoxTextured-glTF/BoxTextured0.bin", root, "box/BoxTextured0.bin");
    copy(MODELS "glTF2/BoxTextured-glTF/CesiumLogoFlat.png", root, "box/CesiumLogoFlat.png");
    copy_cut(CRASH_SOURCE, root, "cut/SimpleCube.md5mesh", CRASH_PREFIX, CRASH_SOURCE_SIZE);
    char *pack_path = zct_join(zct_tmp, "out.zcpack");

    zct_run r = ZCT_CLI("build", root, "-o", pack_path);
    ZCT_EXPECT_CODE(r, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(r, "cut/SimpleCube.md5mesh: the model importer crashed (signal 11, Segmentation fault)");
    cr_assert(!zct_exists(pack_path), "the pack was written although a file failed");
    fprintf(stderr, "model_build: build with a crashing model: %.2f s\n", r.seconds);
    zct_run_free(&r);

    r = ZCT_CLI("build", root, "-o", pack_path, "--keep-going");
    ZCT_EXPECT_CODE(r, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(r, "cut/SimpleCube.md5mesh: the model importer crashed (signal 11");
    zct_run_free(&r);
    zc_pack *pack = open_pack(pack_path);
    check_model(pack, "box/BoxTextured.gltf");
    cr_assert_eq(count_prefixed_entries(pack, "cut/"), 0);
    zc_pack_close(pack);
    free(pack_path);
    free(root);
}

Test(model_build, hanging_model_is_stopped_at_the_time_limit) {
    char *root = zct_join(zct_tmp, "tree");
    copy(MODELS "OBJ/box.obj", root, "box.obj");
    copy_cut(HANG_SOURCE, root, "cut/cube.ply", HANG_PREFIX, HANG_SOURCE_SIZE);
    char *pack_path = zct_join(zct_tmp, "out.zcpack");

    /* The limit leaves box.obj time enough on a loaded machine under the sanitizers. */
    zct_run r = ZCT_CLI("build", root, "-o", pack_path, "--model-timeout", "3", "--keep-going");
    ZCT_EXPECT_CODE(r, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(r, "cut/cube.ply: the model importer took longer than 3 s and was stopped");
    fprintf(stderr, "model_build: build with a model that hangs, --model-timeout 3: %.2f s\n", r.seconds);
    cr_assert_geq(r.seconds, 3.0);
    cr_assert_lt(r.seconds, 10.0, "the build took %.1f s", r.seconds);
    zct_run_free(&r);
    zc_pack *pack = open_pack(pack_path);
    check_model(pack, "box.obj");
    cr_assert_eq(count_prefixed_entries(pack, "cut/"), 0);
    zc_pack_close(pack);
    free(pack_path);
    free(root);
}

Test(model_build, invalid_models_of_the_package) {
    char *root = zct_join(zct_tmp, "tree");
    copy(MODELS "OBJ/box.obj", root, "good/box.obj");
    static const char *const invalid[] = {
        "empty.3ds", "empty.ase", "empty.lwo", "empty.md5mesh", "empty.obj", "empty.off", "empty.ply",
        "empty.smd", "empty.x", "malformed.obj", "OutOfMemory.off", "empty.raw", "emptyIrrMesh.xml",
    };
    size_t count = sizeof invalid / sizeof invalid[0];
    for (size_t i = 0; i < count; ++i) {
        char src[256], rel[256];
        snprintf(src, sizeof src, MODELS "invalid/%s", invalid[i]);
        snprintf(rel, sizeof rel, "invalid/%s", invalid[i]);
        copy(src, root, rel);
    }
    char *pack_path = zct_join(zct_tmp, "out.zcpack");
    zct_run r = ZCT_CLI("build", root, "-o", pack_path, "--keep-going", "--model-timeout", "3");
    ZCT_EXPECT_CODE(r, ZC_EXIT_IMPORT);
    fprintf(stderr, "model_build: build of the package's invalid models: %.2f s\n", r.seconds);
    uint32_t models = 0;
    for (size_t i = 0; i < count; ++i) {
        char rel[256];
        snprintf(rel, sizeof rel, "invalid/%s", invalid[i]);
        int is_model = zc_importer_for_path(rel) == zc_importer_find("model");
        if (!is_model) continue;
        models++;
        char needle[300];
        snprintf(needle, sizeof needle, "%s: ", rel);
        ZCT_EXPECT_ERR(r, needle);
    }
    cr_assert_geq(models, 10);
    /* assimp's sentences name the file by its path; the build names it once, first */
    ZCT_EXPECT_ERR(r, "invalid/empty.ply: assimp cannot read the model: The file is empty.\n");
#if !ZC__MODEL_CHILD_CAPPED
    ZCT_EXPECT_ERR(r, "invalid/OutOfMemory.off: the model importer took longer than 3 s");
#else
    ZCT_EXPECT_ERR(r, "invalid/OutOfMemory.off: assimp cannot read the model: std::bad_alloc");
#endif
    char summary[64];
    snprintf(summary, sizeof summary, "without the %u files that failed", models);
    ZCT_EXPECT_ERR(r, summary);
    zct_run_free(&r);
    zc_pack *pack = open_pack(pack_path);
    check_model(pack, "good/box.obj");
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, "invalid/empty.raw", &e), ZC_OK, "files no importer claims stay blobs");
    cr_assert_eq(zc_pack_find(pack, "invalid/emptyIrrMesh.xml", &e), ZC_OK);
    cr_assert_eq(count_prefixed_entries(pack, "invalid/"), 2);
    zc_pack_close(pack);
    free(pack_path);
    free(root);
}

Test(model_build, zero_byte_obj) {
    char *root = zct_join(zct_tmp, "tree");
    char *zero = zct_join(root, "models/zero.obj");
    zct_write_file(zero, "", 0);
    char *pack_path = zct_join(zct_tmp, "out.zcpack");
    zct_run r = ZCT_CLI("build", root, "-o", pack_path);
    ZCT_EXPECT_CODE(r, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(r, "models/zero.obj: ");
    cr_assert(!zct_exists(pack_path));
    zct_run_free(&r);
    free(pack_path);
    free(zero);
    free(root);
}

Test(model_build, missing_texture_is_a_warning) {
    char *root = zct_join(zct_tmp, "tree");
    copy(MODELS "glTF2/BoxTextured-glTF/BoxTextured.gltf", root, "BoxTextured.gltf");
    copy(MODELS "glTF2/BoxTextured-glTF/BoxTextured0.bin", root, "BoxTextured0.bin");
    char *pack_path = zct_join(zct_tmp, "out.zcpack");
    zct_run r = ZCT_CLI("build", root, "-o", pack_path);
    ZCT_EXPECT_CODE(r, ZC_EXIT_OK);
    ZCT_EXPECT_ERR(r, "warning: ");
    ZCT_EXPECT_ERR(r, "BoxTextured.gltf: ");
    ZCT_EXPECT_ERR(r, "CesiumLogoFlat.png");
    ZCT_EXPECT_ERR(r, "not found");
    zct_run_free(&r);
    zc_pack *pack = open_pack(pack_path);
    model_counts c = check_model(pack, "BoxTextured.gltf");
    cr_assert_eq(c.textures, 0);
    cr_assert_eq(c.materials, 1);
    zc_pack_close(pack);

    r = ZCT_CLI("build", root, "-o", pack_path, "-q"); /* --quiet keeps warnings out */
    ZCT_EXPECT_CODE(r, ZC_EXIT_OK);
    cr_assert_eq(r.err[0], 0, "stderr: %s", r.err);
    zct_run_free(&r);
    free(pack_path);
    free(root);
}

Test(model_build, file_named_like_a_generated_entry) {
    char *root = zct_join(zct_tmp, "tree");
    copy(MODELS "OBJ/box.obj", root, "box.obj");
    char *impostor = zct_join(root, "box.obj#mesh/0");
    zct_write_file(impostor, "impostor", 8);
    free(impostor);
    char *pack_path = zct_join(zct_tmp, "out.zcpack");
    zct_run r = ZCT_CLI("build", root, "-o", pack_path, "--keep-going");
    ZCT_EXPECT_CODE(r, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(r, "box.obj: its entry box.obj#mesh/0 has the path of another file of the tree");
    zct_run_free(&r);
    zc_pack *pack = open_pack(pack_path);
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, "box.obj#mesh/0", &e), ZC_OK);
    cr_assert_eq(e.type, ZC_TYPE_BLOB, "the file itself is packed");
    cr_assert_eq(zc_pack_find(pack, "box.obj", &e), ZC_ERR_NO_ENTRY, "the model is left out whole");
    cr_assert_eq(count_prefixed_entries(pack, "box.obj"), 1);
    zc_pack_close(pack);
    free(pack_path);
    free(root);
}

Test(model_build, manifest_mesh_options) {
    char *plain_root = zct_join(zct_tmp, "plain"), *root = zct_join(zct_tmp, "tree");
    const char *files[] = { "BoxTextured.gltf", "BoxTextured0.bin", "CesiumLogoFlat.png" };
    for (int i = 0; i < 3; ++i) {
        char src[256];
        snprintf(src, sizeof src, MODELS "glTF2/BoxTextured-glTF/%s", files[i]);
        copy(src, plain_root, files[i]);
        copy(src, root, files[i]);
    }
    static const char manifest[] = "{ \"rules\": [\n"
                                   "  { \"match\": \"*.gltf\", \"quantize\": true, \"meshlets\": true },\n"
                                   "  { \"match\": \"Box*\", \"scale\": 2.0, \"generate_tangents\": true,\n"
                                   "    \"flip_uvs\": false, \"generate_normals\": false }\n"
                                   "] }\n";
    char *manifest_path = zct_join(root, "zcpack.json");
    zct_write_file(manifest_path, manifest, sizeof manifest - 1);
    char *plain_pack = zct_join(zct_tmp, "plain.zcpack"), *pack_path = zct_join(zct_tmp, "out.zcpack");
    zct_run r = ZCT_CLI("build", plain_root, "-o", plain_pack, "-q");
    ZCT_EXPECT_CODE(r, ZC_EXIT_OK);
    zct_run_free(&r);
    r = ZCT_CLI("build", root, "-o", pack_path, "-q");
    ZCT_EXPECT_CODE(r, ZC_EXIT_OK);
    zct_run_free(&r);

    zc_pack *plain = open_pack(plain_pack), *pack = open_pack(pack_path);
    zc_entry pe, e;
    cr_assert_eq(zc_pack_find(plain, "BoxTextured.gltf#mesh/0", &pe), ZC_OK);
    cr_assert_eq(zc_pack_find(pack, "BoxTextured.gltf#mesh/0", &e), ZC_OK);
    cr_assert_eq(zc_pack_find(pack, "zcpack.json", &(zc_entry){ 0 }), ZC_ERR_NO_ENTRY);
    zc_mesh_view pv, mv;
    cr_assert_eq(zc_mesh_view_from_entry(&pe, &pv), ZC_OK);
    cr_assert_eq(zc_mesh_view_from_entry(&e, &mv), ZC_OK);
    cr_assert_eq(pv.meshlet_count, 0);
    cr_assert_gt(mv.meshlet_count, 0, "meshlets were asked for");
    const zc_vertex_attribute *pos = zc_mesh_view_attribute(&mv, ZC_SEMANTIC_POSITION);
    cr_assert(pos);
    cr_assert_eq(pos->format, ZC_VERTEX_FORMAT_UNORM16x4, "quantize was asked for");
    cr_assert_eq(zc_mesh_view_attribute(&pv, ZC_SEMANTIC_POSITION)->format, ZC_VERTEX_FORMAT_FLOAT32x3);
    cr_assert(zc_mesh_view_attribute(&mv, ZC_SEMANTIC_TANGENT), "generate_tangents was asked for");
    for (int k = 0; k < 3; ++k) {
        cr_assert_float_eq(mv.aabb_min[k], 2.0f * pv.aabb_min[k], 1e-5f, "axis %d", k);
        cr_assert_float_eq(mv.aabb_max[k], 2.0f * pv.aabb_max[k], 1e-5f, "axis %d", k);
    }
    zc_pack_close(plain);
    zc_pack_close(pack);
    free(plain_pack);
    free(pack_path);
    free(manifest_path);
    free(plain_root);
    free(root);
}

Test(model_build, manifest_mesh_option_errors) {
    static const struct {
        const char *rule;
        const char *message;
    } cases[] = {
        { "\"scale\": 0", "rule 1: \"scale\" must be a number greater than 0" },
        { "\"scale\": -1.5", "rule 1: \"scale\" must be a number greater than 0" },
        { "\"scale\": \"big\"", "rule 1: \"scale\" must be a number greater than 0" },
        { "\"scale\": 1e300", "rule 1: \"scale\" must be a number greater than 0" },
        { "\"quantize\": 1", "rule 1: \"quantize\" must be true or false" },
        { "\"meshlets\": \"yes\"", "rule 1: \"meshlets\" must be true or false" },
        { "\"generate_normals\": null", "rule 1: \"generate_normals\" must be true or false" },
        { "\"generate_tangents\": []", "rule 1: \"generate_tangents\" must be true or false" },
        { "\"flip_uvs\": 0", "rule 1: \"flip_uvs\" must be true or false" },
        { "\"flip_uv\": true", "rule 1: unknown key \"flip_uv\"" },
        { "\"scale\": 2, \"scale\": 3", "rule 1: key \"scale\" appears twice" },
    };
    char *root = zct_join(zct_tmp, "tree");
    copy(MODELS "OBJ/box.obj", root, "box.obj");
    char *manifest_path = zct_join(root, "zcpack.json"), *pack_path = zct_join(zct_tmp, "out.zcpack");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        char text[512];
        int n = snprintf(text, sizeof text, "{ \"rules\": [ { \"match\": \"*\" }, { \"match\": \"*.obj\", %s } ] }",
                         cases[i].rule);
        zct_write_file(manifest_path, text, (size_t)n);
        zct_run r = ZCT_CLI("build", root, "-o", pack_path);
        ZCT_EXPECT_CODE(r, ZC_EXIT_IMPORT);
        ZCT_EXPECT_ERR(r, "zcpack.json: ");
        ZCT_EXPECT_ERR(r, cases[i].message);
        cr_assert(!zct_exists(pack_path));
        zct_run_free(&r);
    }
    free(manifest_path);
    free(pack_path);
    free(root);
}

Test(model_build, model_timeout_option_range) {
    char *root = zct_join(zct_tmp, "tree");
    copy(MODELS "OBJ/box.obj", root, "box.obj");
    char *pack_path = zct_join(zct_tmp, "out.zcpack");
    const char *bad[] = { "0", "86401", "1.5", "x" };
    for (int i = 0; i < 4; ++i) {
        zct_run r = ZCT_CLI("build", root, "-o", pack_path, "--model-timeout", bad[i]);
        ZCT_EXPECT_CODE(r, ZC_EXIT_USAGE);
        ZCT_EXPECT_ERR(r, "--model-timeout");
        zct_run_free(&r);
    }
    zct_run r = ZCT_CLI("build", root, "-o", pack_path, "--model-timeout=30", "-q");
    ZCT_EXPECT_CODE(r, ZC_EXIT_OK);
    zct_run_free(&r);
    r = ZCT_CLI("build", "--help");
    ZCT_EXPECT_CODE(r, ZC_EXIT_OK);
    ZCT_EXPECT_ERR(r, "--model-timeout <s>");
    zct_run_free(&r);
    free(pack_path);
    free(root);
}

/* ---------------------------------------------------------------------------------
 * The build library: progress, stats, notes, manifest settings
 * ------------------------------------------------------------------------------- */

typedef struct progress_seen {
    int calls;
    uint32_t models_total, models_done_last, textures_total;
    int models_done_monotonic;
} progress_seen;

static void on_progress(const zc_build_progress *p, void *user_data) {
    progress_seen *s = (progress_seen *)user_data;
    size_t model = zc_importer_index(zc_importer_find("model")), texture = zc_importer_index(zc_importer_find("texture"));
    if (s->calls++ && p->done[model] < s->models_done_last) s->models_done_monotonic = 0;
    s->models_total = p->total[model];
    s->textures_total = p->total[texture];
    s->models_done_last = p->done[model];
}

typedef struct note_count {
    int errors, fbx_warnings, other_warnings;
} note_count;

static void count_notes(zc_log_level level, const char *message, void *user_data) {
    note_count *n = (note_count *)user_data;
    if (level == ZC_LOG_ERROR) n->errors++;
    if (level != ZC_LOG_WARNING) return;
    if (strstr(message, "fbx/spider.fbx: material ") && strstr(message, "not found: slot left empty"))
        n->fbx_warnings++;
    else
        n->other_warnings++;
}

Test(model_build, library_progress_stats_and_notes) {
    char *root = model_tree("tree");
    char *pack_path = zct_join(zct_tmp, "out.zcpack");
    note_count notes = { 0, 0, 0 };
    progress_seen seen = { 0, 0, 0, 0, 1 };
    zc_build_stats stats;
    zc_result r = zc_build(&(zc_build_desc){ .input_dir = root, .output_path = pack_path, .threads = 3,
                                             .logger = { count_notes, &notes }, .progress = on_progress,
                                             .progress_user_data = &seen, .no_sync = 1 },
                           &stats);
    cr_assert_eq(r, ZC_OK, "%s", zc_result_str(r));
    cr_assert_eq(stats.imported[zc_importer_index(zc_importer_find("model"))], 4);
    cr_assert_eq(stats.imported[zc_importer_index(zc_importer_find("texture"))], 7, "the tree's images: 1 png, 5 jpg, 1 tga");
    cr_assert_eq(stats.files, 14);
    cr_assert_eq(seen.models_total, 4);
    cr_assert_eq(seen.textures_total, 7);
    cr_assert_eq(seen.models_done_last, 4);
    cr_assert(seen.models_done_monotonic);
    cr_assert_eq(notes.errors, 0);
    cr_assert_eq(notes.fbx_warnings, 4, "one warning per FBX material, as \"<file>: <note>\"");
    assert_no_children();
    free(pack_path);
    free(root);
}

Test(model_build, library_timeout_and_failed_models_count) {
    char *root = zct_join(zct_tmp, "tree");
    copy(MODELS "OBJ/box.obj", root, "a.obj");
    copy_cut(HANG_SOURCE, root, "b.ply", HANG_PREFIX, HANG_SOURCE_SIZE);
    copy_cut(CRASH_SOURCE, root, "c.md5mesh", CRASH_PREFIX, CRASH_SOURCE_SIZE);
    char *pack_path = zct_join(zct_tmp, "out.zcpack");
    zct_log log;
    zc_build_stats stats;
    double start = now_s();
    zc_result r = zc_build(&(zc_build_desc){ .input_dir = root, .output_path = pack_path, .threads = 2,
                                             .logger = zct_log_recorder(&log), .keep_going = 1,
                                             .model_timeout_ms = 3000, .no_sync = 1 },
                           &stats);
    double seconds = now_s() - start;
    cr_assert_eq(r, ZC_ERR_BAD_SOURCE, "%s", zc_result_str(r));
    cr_assert_eq(stats.failed_stage, ZC_BUILD_STAGE_IMPORT);
    cr_assert_eq(stats.failed_files, 2);
    cr_assert_eq(stats.imported[zc_importer_index(zc_importer_find("model"))], 1);
    cr_assert(stats.pack_written);
    cr_assert(zct_log_contains(&log, "b.ply: the model importer took longer than 3 s and was stopped"));
    cr_assert(zct_log_contains(&log, "c.md5mesh: the model importer crashed (signal 11, Segmentation fault)"));
    cr_assert_lt(seconds, 15.0, "%.1f s", seconds);
    assert_no_children();
    free(pack_path);
    free(root);
}

Test(model_build, manifest_settings_reach_the_model_importer) {
    static const char text[] = "{ \"rules\": [\n"
                               " { \"match\": \"*.gltf\", \"quantize\": true, \"scale\": 0.5, \"max_size\": 64 },\n"
                               " { \"match\": \"a/*\", \"quantize\": false, \"meshlets\": true, \"flip_uvs\": true,\n"
                               "   \"generate_normals\": true, \"generate_tangents\": true }\n"
                               "] }";
    zc_manifest *m = NULL;
    zc_diag diag;
    cr_assert_eq(zc_manifest_parse(text, sizeof text - 1, &m, &diag), ZC_OK, "%s", diag.message);
    zc_import_settings s;
    memset(&s, 0, sizeof s);
    zc_manifest_apply(m, "b/x.gltf", &s);
    cr_assert_eq(s.model.quantize, 1);
    cr_assert_float_eq(s.model.scale, 0.5f, 0.0f);
    cr_assert_eq(s.model.meshlets, 0);
    cr_assert_eq(s.model.texture.max_size, 64, "texture keys reach a model's textures");
    cr_assert_eq(s.texture.max_size, 64);
    memset(&s, 0, sizeof s);
    zc_manifest_apply(m, "a/x.gltf", &s);
    cr_assert_eq(s.model.quantize, 0, "the later rule wins");
    cr_assert_float_eq(s.model.scale, 0.5f, 0.0f, "fields a rule does not set stay");
    cr_assert_eq(s.model.meshlets, 1);
    cr_assert_eq(s.model.flip_uvs, 1);
    cr_assert_eq(s.model.generate_normals, 1);
    cr_assert_eq(s.model.generate_tangents, 1);
    memset(&s, 0, sizeof s);
    zc_manifest_apply(m, "a/x.obj", &s);
    cr_assert_eq(s.model.meshlets, 1);
    cr_assert_float_eq(s.model.scale, 0.0f, 0.0f);
    zc_manifest_free(m);
}

/* ---------------------------------------------------------------------------------
 * zc_model_import_file: the isolated import itself
 * ------------------------------------------------------------------------------- */

/* Import through the child and return the result; *seconds is the wall time. */
static zc_result isolated(const char *file, const char *entry, uint32_t timeout_ms, zc_model *out, zc_diag *diag,
                          double *seconds) {
    zc_model_settings settings;
    memset(&settings, 0, sizeof settings);
    settings.timeout_ms = timeout_ms;
    diag->message[0] = 0;
    double start = now_s();
    zc_result r = zc_model_import_file(file, entry, &settings, out, diag);
    if (seconds) *seconds = now_s() - start;
    return r;
}

static void assert_models_equal(const zc_model *a, const zc_model *b) {
    cr_assert_eq(a->entry_count, b->entry_count);
    for (size_t i = 0; i < a->entry_count; ++i) {
        const zc_model_entry *x = &a->entries[i], *y = &b->entries[i];
        cr_assert_str_eq(x->path, y->path);
        cr_assert_eq(x->type, y->type);
        cr_assert_eq(x->layout_hash, y->layout_hash);
        cr_assert_eq(x->align_log2, y->align_log2);
        cr_assert_eq(x->size, y->size, "%s", x->path);
        cr_assert_eq(memcmp(x->payload, y->payload, x->size), 0, "%s", x->path);
        cr_assert_eq((uintptr_t)x->payload % 16u, 0, "%s is not 16-byte aligned", x->path);
        cr_assert_eq(x->dep_count, y->dep_count);
        if (x->dep_count) cr_assert_eq(memcmp(x->deps, y->deps, x->dep_count * sizeof *x->deps), 0);
    }
    cr_assert_eq(a->mesh_count, b->mesh_count);
    cr_assert_eq(a->material_count, b->material_count);
    cr_assert_eq(a->texture_count, b->texture_count);
    cr_assert_eq(a->node_count, b->node_count);
    cr_assert_eq(a->triangle_count, b->triangle_count);
    cr_assert_eq(a->vertex_count, b->vertex_count);
    cr_assert_eq(!a->notes, !b->notes);
    if (a->notes) cr_assert_str_eq(a->notes, b->notes);
}

Test(model_build, isolated_import_equals_in_process) {
    static const char *const files[] = {
        MODELS "glTF2/BoxTextured-glTF/BoxTextured.gltf",
        MODELS "OBJ/spider.obj",
        MODELS "FBX/spider.fbx", /* with notes */
        MODELS "Collada/duck.dae",
    };
    int fds = zct_count_fds();
    for (size_t i = 0; i < sizeof files / sizeof files[0]; ++i) {
        zc_model a, b;
        zc_diag diag;
        double seconds;
        cr_assert_eq(isolated(files[i], "m/model", 0, &a, &diag, &seconds), ZC_OK, "%s: %s", files[i], diag.message);
        assert_no_children();
        zc_model_settings in_process = { .in_process = 1 };
        cr_assert_eq(zc_model_import_file(files[i], "m/model", &in_process, &b, &diag), ZC_OK, "%s", diag.message);
        assert_models_equal(&a, &b);
        if (i == 2) cr_assert(a.notes && strstr(a.notes, "not found"), "the FBX's notes travel through the pipe");
        zc_model_free(&a);
        zc_model_free(&b);
    }
    cr_assert_eq(zct_count_fds(), fds, "descriptors leaked");
}

Test(model_build, real_crash_is_reported_with_its_signal) {
    copy_cut(CRASH_SOURCE, zct_tmp, "crash.md5mesh", CRASH_PREFIX, CRASH_SOURCE_SIZE);
    char *file = zct_join(zct_tmp, "crash.md5mesh");
    int fds = zct_count_fds();
    zc_model m;
    zc_diag diag;
    double seconds;
    zc_result r = isolated(file, "crash.md5mesh", 10000, &m, &diag, &seconds);
    fprintf(stderr, "model_build: real crash (truncated SimpleCube.md5mesh) reported in %.3f s\n", seconds);
    cr_assert_eq(r, ZC_ERR_BAD_SOURCE, "%s", zc_result_str(r));
    cr_assert_str_eq(diag.message, "the model importer crashed (signal 11, Segmentation fault)");
    cr_assert_eq(m.entry_count, 0);
    cr_assert_null(m.entries);
    cr_assert_lt(seconds, 5.0);
    assert_no_children();
    cr_assert_eq(zct_count_fds(), fds);
    free(file);
}

Test(model_build, real_hang_is_stopped_at_the_time_limit) {
    copy_cut(HANG_SOURCE, zct_tmp, "hang.ply", HANG_PREFIX, HANG_SOURCE_SIZE);
    char *file = zct_join(zct_tmp, "hang.ply");
    int fds = zct_count_fds();
    zc_model m;
    zc_diag diag;
    double seconds;
    zc_result r = isolated(file, "hang.ply", 1000, &m, &diag, &seconds);
    fprintf(stderr, "model_build: real hang (truncated cube.ply), limit 1 s, stopped after %.3f s\n", seconds);
    cr_assert_eq(r, ZC_ERR_BAD_SOURCE);
    cr_assert_str_eq(diag.message, "the model importer took longer than 1 s and was stopped");
    cr_assert_geq(seconds, 1.0);
    cr_assert_lt(seconds, 3.0, "stopped only after %.2f s", seconds);
    assert_no_children();
    cr_assert_eq(zct_count_fds(), fds);
    free(file);
}

Test(model_build, endless_allocation_is_stopped) {
    zc_model m;
    zc_diag diag;
    double seconds;
    zc_result r = isolated(MODELS "invalid/OutOfMemory.off", "oom.off", 1500, &m, &diag, &seconds);
    fprintf(stderr, "model_build: invalid/OutOfMemory.off, limit 1.5 s, stopped after %.3f s\n", seconds);
    cr_assert_eq(r, ZC_ERR_BAD_SOURCE);
#if !ZC__MODEL_CHILD_CAPPED
    /* No address-space cap in this build: the time limit ends it. */
    cr_assert_str_eq(diag.message, "the model importer took longer than 1.5 s and was stopped");
#else
    /* The address-space cap makes assimp's allocation fail long before the time limit. */
    cr_assert_str_eq(diag.message, "assimp cannot read the model: std::bad_alloc");
    cr_assert_lt(seconds, 1.0);
#endif
    cr_assert_lt(seconds, 4.0);
    assert_no_children();
}

Test(model_build, injected_faults_become_errors) {
    static const struct {
        int fault;
        const char *message;        /* the diag starts with it */
    } cases[] = {
        { ZC__MODEL_FAULT_CRASH, "the model importer crashed (signal 11, Segmentation fault)" },
        { ZC__MODEL_FAULT_HANG, "the model importer took longer than 0.5 s and was stopped" },
        { ZC__MODEL_FAULT_EXIT, "the model importer exited without a result (exit status 3)" },
        { ZC__MODEL_FAULT_GARBAGE,
          "the model importer sent a malformed reply: it does not start with the reply magic" },
        { ZC__MODEL_FAULT_TRUNCATED, "the model importer exited without a result" },
        { ZC__MODEL_FAULT_HUGE_COUNT, "the model importer sent a malformed reply: it declares 4294967295 entries" },
        { ZC__MODEL_FAULT_BAD_PAYLOAD, "the model importer sent a malformed reply: entry m/box.obj" },
        { ZC__MODEL_FAULT_FOREIGN_PATH,
          "the model importer sent a malformed reply: entry zzz-elsewhere.bin is not one of the model's" },
        { ZC__MODEL_FAULT_UNSORTED, "the model importer sent a malformed reply: entry " },
        { ZC__MODEL_FAULT_BAD_ERROR, "the model importer sent a malformed reply: error code 2147483647" },
    };
    int fds = zct_count_fds();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        zc__model_child_fault = cases[i].fault;
        zc_model m;
        zc_diag diag;
        double seconds;
        /* Only the hang waits for the limit; the others must not meet it on a loaded machine. */
        uint32_t limit = cases[i].fault == ZC__MODEL_FAULT_HANG ? 500 : 10000;
        zc_result r = isolated(MODELS "OBJ/box.obj", "m/box.obj", limit, &m, &diag, &seconds);
        cr_assert_eq(r, ZC_ERR_BAD_SOURCE, "fault %d: %s (%s)", cases[i].fault, zc_result_str(r), diag.message);
        cr_assert(has_prefix(diag.message, cases[i].message), "fault %d: \"%s\"", cases[i].fault, diag.message);
        cr_assert_eq(m.entry_count, 0);
        cr_assert_null(m.entries);
        cr_assert_null(m.notes);
        cr_assert_lt(seconds, 3.0, "fault %d took %.2f s", cases[i].fault, seconds);
        fprintf(stderr, "model_build: fault %d -> %.3f s: %s\n", cases[i].fault, seconds, diag.message);
        assert_no_children();
    }
    cr_assert_eq(zct_count_fds(), fds, "descriptors leaked");
}

Test(model_build, declared_size_is_not_allocated_before_it_arrives) {
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    zc__model_child_fault = ZC__MODEL_FAULT_HUGE_SIZE; /* declares 8 GiB, sends nothing */
    zc_model m;
    zc_diag diag;
    zc_result r = isolated(MODELS "OBJ/box.obj", "m/box.obj", 5000, &m, &diag, NULL);
    cr_assert_eq(r, ZC_ERR_BAD_SOURCE);
    cr_assert_str_eq(diag.message, "the model importer exited without a result");
    getrusage(RUSAGE_SELF, &after);
    long grown_kib = after.ru_maxrss - before.ru_maxrss;
    cr_assert_lt(grown_kib, 256 * 1024, "peak memory grew by %ld KiB", grown_kib);
    assert_no_children();
}

Test(model_build, lingering_child_is_stopped_after_its_reply) {
    zc__model_child_fault = ZC__MODEL_FAULT_LINGER;
    zc_model m;
    zc_diag diag;
    double seconds;
    zc_result r = isolated(MODELS "OBJ/box.obj", "m/box.obj", 20000, &m, &diag, &seconds);
    cr_assert_eq(r, ZC_OK, "%s", diag.message);
    cr_assert_lt(seconds, 5.0, "waited %.2f s for a child that had answered", seconds);
    cr_assert_not_null(zc_model_find(&m, "m/box.obj"));
    zc_model_free(&m);
    assert_no_children();
}

Test(model_build, errors_of_the_import_pass_through) {
    zc_model m;
    zc_diag diag;
    char *missing = zct_join(zct_tmp, "missing.obj");
    cr_assert_eq(isolated(missing, "missing.obj", 0, &m, &diag, NULL), ZC_ERR_FILE_NOT_FOUND, "%s", diag.message);
    cr_assert_neq(diag.message[0], 0);
    zc_diag in_process_diag;
    zc_model_settings in_process = { .in_process = 1 };
    cr_assert_eq(zc_model_import_file(missing, "missing.obj", &in_process, &m, &in_process_diag),
                 ZC_ERR_FILE_NOT_FOUND);
    cr_assert_str_eq(diag.message, in_process_diag.message, "the child's sentence arrives unchanged");
    cr_assert_eq(isolated(MODELS "invalid/malformed.obj", "x.obj", 0, &m, &diag, NULL), ZC_ERR_BAD_SOURCE);
    cr_assert(strstr(diag.message, "OBJ"), "%s", diag.message);
    cr_assert_eq(zc_model_import_file(NULL, "x", NULL, &m, &diag), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_model_import_file(MODELS "OBJ/box.obj", NULL, NULL, &m, &diag), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_model_import_file(MODELS "OBJ/box.obj", "x", NULL, NULL, &diag), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_model_import_file(MODELS "OBJ/box.obj", "../x", NULL, &m, &diag), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_model_import_file(MODELS "OBJ/box.obj", "a\\b", NULL, &m, NULL), ZC_ERR_INVALID_ARGUMENT);
    assert_no_children();
    free(missing);
}

Test(model_build, in_process_setting_runs_no_child) {
    zc__model_child_fault = ZC__MODEL_FAULT_CRASH; /* would fail any isolated import */
    zc_model_settings settings = { .in_process = 1 };
    zc_model m;
    zc_diag diag;
    cr_assert_eq(zc_model_import_file(MODELS "OBJ/box.obj", "box.obj", &settings, &m, &diag), ZC_OK, "%s",
                 diag.message);
    zc_model_free(&m);
    zc_diag isolated_diag;
    cr_assert_eq(isolated(MODELS "OBJ/box.obj", "box.obj", 0, &m, &isolated_diag, NULL), ZC_ERR_BAD_SOURCE);
    assert_no_children();
}

typedef struct import_job {
    const char *file;
    uint32_t timeout_ms;
    zc_result result;
    zc_diag diag;
    size_t entries;
} import_job;

static void *import_thread(void *arg) {
    import_job *job = (import_job *)arg;
    zc_model m;
    job->result = isolated(job->file, "m/model", job->timeout_ms, &m, &job->diag, NULL);
    job->entries = m.entry_count;
    zc_model_free(&m);
    return NULL;
}

Test(model_build, concurrent_imports_each_get_their_own_result) {
    copy_cut(CRASH_SOURCE, zct_tmp, "crash.md5mesh", CRASH_PREFIX, CRASH_SOURCE_SIZE);
    copy_cut(HANG_SOURCE, zct_tmp, "hang.ply", HANG_PREFIX, HANG_SOURCE_SIZE);
    char *crash = zct_join(zct_tmp, "crash.md5mesh"), *hang = zct_join(zct_tmp, "hang.ply");
    enum { JOBS = 12 };
    import_job jobs[JOBS];
    pthread_t threads[JOBS];
    int fds = zct_count_fds();
    for (int i = 0; i < JOBS; ++i) {
        memset(&jobs[i], 0, sizeof jobs[i]);
        jobs[i].file = i % 3 == 0 ? crash : i % 3 == 1 ? hang : MODELS "glTF2/BoxTextured-glTF/BoxTextured.gltf";
        jobs[i].timeout_ms = i % 3 == 1 ? 1500 : 60000; /* the good ones may wait for a core */
    }
    double start = now_s();
    for (int i = 0; i < JOBS; ++i) cr_assert_eq(pthread_create(&threads[i], NULL, import_thread, &jobs[i]), 0);
    for (int i = 0; i < JOBS; ++i) pthread_join(threads[i], NULL);
    double seconds = now_s() - start;
    fprintf(stderr, "model_build: %d concurrent imports (crash, hang, glTF) in %.3f s\n", JOBS, seconds);
    for (int i = 0; i < JOBS; ++i) {
        if (i % 3 == 0) {
            cr_assert_str_eq(jobs[i].diag.message, "the model importer crashed (signal 11, Segmentation fault)");
        } else if (i % 3 == 1) {
            cr_assert_str_eq(jobs[i].diag.message, "the model importer took longer than 1.5 s and was stopped");
        } else {
            cr_assert_eq(jobs[i].result, ZC_OK, "job %d: %s", i, jobs[i].diag.message);
            cr_assert_eq(jobs[i].entries, 4);
        }
    }
    cr_assert_lt(seconds, 10.0);
    assert_no_children();
    cr_assert_eq(zct_count_fds(), fds, "descriptors leaked");
    free(crash);
    free(hang);
}
