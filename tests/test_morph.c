/* test_morph.c - morph targets (formats/zc_morph.h, the mesh and animation passes of
 * the model import, the runtime's morph view, weight sampling and blending), on the
 * glTF AnimatedMorphCube of Debian's assimp-testmodels:
 *  - every vertex of the mesh entry carries the offsets of the assimp vertices it
 *    stands for (target minus base, per target, positions and normals);
 *  - at every key time, and half way between keys, the clip's weights sampled from
 *    the entry equal assimp's keys (interpolated linearly in double precision);
 *  - the blended vertices equal blending assimp's own vertices with those weights;
 *  - a pack built from the file holds the entry, views it through the pack and
 *    names the mesh; the validator refuses damaged payloads.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <assimp/cimport.h>
#include <assimp/postprocess.h>
#include <assimp/scene.h>

#include "zc_exit.h"
#include "zc_model.h"
#include "zc_pack.h"
#include "zc_pack_format.h"
#include "zc_test_images.h"
#include "zc_test_util.h"

#define CUBE_DIR ZCTI_ASSIMP "/glTF2/glTF-Sample-Models/AnimatedMorphCube-glTF"
#define CUBE CUBE_DIR "/AnimatedMorphCube.gltf"

TestSuite(morph, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 120);

typedef struct imported {
    zc_model model;
    const struct aiScene *scene;
    zc_mesh_view mesh;
    zc_morph_view morph;
    zc_animation_view anim;
    zc_skeleton_view skel;
} imported;

static void view_of(const imported *im, const char *path, uint32_t type, void *out) {
    const zc_model_entry *e = zc_model_find(&im->model, path);
    cr_assert_not_null(e, "no entry %s", path);
    cr_assert_eq(e->type, type, "%s has another type", path);
    zc_result r = type == ZC_TYPE_MESH      ? zc_mesh_view_from_bytes(e->payload, e->size, out)
                  : type == ZC_TYPE_MORPH   ? zc_morph_view_from_bytes(e->payload, e->size, out)
                  : type == ZC_TYPE_SKELETON ? zc_skeleton_view_from_bytes(e->payload, e->size, out)
                                             : zc_animation_view_from_bytes(e->payload, e->size, out);
    cr_assert_eq(r, ZC_OK, "%s: %s", path, zc_result_str(r));
}

static void import_both(imported *im) {
    zcti_require(CUBE);
    memset(im, 0, sizeof *im);
    zc_diag diag = { "" };
    zc_model_settings settings;
    memset(&settings, 0, sizeof settings);
    cr_assert_eq(zc_model_import_file(CUBE, "m", &settings, &im->model, &diag), ZC_OK, "%s", diag.message);
    im->scene = aiImportFile(CUBE, zc_model_assimp_flags(&settings));
    cr_assert_not_null(im->scene);
    view_of(im, "m#mesh/0", ZC_TYPE_MESH, &im->mesh);
    view_of(im, "m#morph/0", ZC_TYPE_MORPH, &im->morph);
    view_of(im, "m#animation/0", ZC_TYPE_ANIMATION, &im->anim);
    view_of(im, "m#skeleton/0", ZC_TYPE_SKELETON, &im->skel);
}

static void release_both(imported *im) {
    aiReleaseImport(im->scene);
    zc_model_free(&im->model);
}

static double dist3(const float *a, double x, double y, double z) {
    return sqrt((a[0] - x) * (a[0] - x) + (a[1] - y) * (a[1] - y) + (a[2] - z) * (a[2] - z));
}

/* The assimp vertex pack vertex v stands for: same position and normal, and the same
 * offsets for every target; -1 when none. */
static int source_vertex(const imported *im, uint32_t v) {
    const struct aiMesh *am = im->scene->mMeshes[0];
    float p[4], n[4];
    zc_mesh_view_read(&im->mesh, zc_mesh_view_attribute(&im->mesh, ZC_SEMANTIC_POSITION), v, p);
    zc_mesh_view_read(&im->mesh, zc_mesh_view_attribute(&im->mesh, ZC_SEMANTIC_NORMAL), v, n);
    const zc_morph_view *mv = &im->morph;
    for (unsigned u = 0; u < am->mNumVertices; ++u) {
        const struct aiVector3D *b = &am->mVertices[u], *bn = &am->mNormals[u];
        if (dist3(p, b->x, b->y, b->z) > 1e-6 || dist3(n, bn->x, bn->y, bn->z) > 1e-6) continue;
        int same = 1;
        for (uint32_t t = 0; same && t < mv->target_count; ++t) {
            const struct aiAnimMesh *target = am->mAnimMeshes[t];
            const float *d = mv->positions + ((size_t)t * mv->vertex_count + v) * 3;
            const float *dn = mv->normals + ((size_t)t * mv->vertex_count + v) * 3;
            const struct aiVector3D *q = &target->mVertices[u], *qn = &target->mNormals[u];
            same = dist3(d, q->x - b->x, q->y - b->y, q->z - b->z) <= 1e-6 &&
                   dist3(dn, qn->x - bn->x, qn->y - bn->y, qn->z - bn->z) <= 1e-6;
        }
        if (same) return (int)u;
    }
    return -1;
}

/* assimp's weights at time t (seconds) from its morph keys, linear between keys. */
static void weights_at(const struct aiAnimation *anim, double t, double *out, unsigned width) {
    const struct aiMeshMorphAnim *mm = anim->mMorphMeshChannels[0];
    double ticks = anim->mTicksPerSecond > 0 ? anim->mTicksPerSecond : 25.0;
    unsigned k1 = 0;
    while (k1 < mm->mNumKeys && mm->mKeys[k1].mTime / ticks <= t) k1++;
    unsigned k0 = k1 ? k1 - 1 : 0;
    if (k1 == mm->mNumKeys) k1 = k0;
    double t0 = mm->mKeys[k0].mTime / ticks, t1 = mm->mKeys[k1].mTime / ticks;
    double u = k1 != k0 && t1 > t0 ? (t - t0) / (t1 - t0) : 0.0;
    if (u < 0) u = 0;
    for (unsigned i = 0; i < width; ++i) out[i] = 0;
    double w0[256] = { 0 }, w1[256] = { 0 };
    for (unsigned q = 0; q < mm->mKeys[k0].mNumValuesAndWeights; ++q) w0[mm->mKeys[k0].mValues[q]] = mm->mKeys[k0].mWeights[q];
    for (unsigned q = 0; q < mm->mKeys[k1].mNumValuesAndWeights; ++q) w1[mm->mKeys[k1].mValues[q]] = mm->mKeys[k1].mWeights[q];
    for (unsigned i = 0; i < width; ++i) out[i] = w0[i] + (w1[i] - w0[i]) * u;
}

Test(morph, animated_morph_cube_matches_assimp) {
    imported im;
    import_both(&im);
    const struct aiMesh *am = im.scene->mMeshes[0];
    const struct aiAnimation *anim = im.scene->mAnimations[0];
    zc_morph_view *mv = &im.morph;
    cr_assert_eq(mv->target_count, am->mNumAnimMeshes);
    cr_assert_eq(mv->vertex_count, im.mesh.vertex_count, "the offsets follow the mesh entry's vertices");
    cr_assert_not_null(mv->normals);
    const zc_model_entry *mesh_entry = zc_model_find(&im.model, "m#mesh/0");
    cr_expect_eq(mv->mesh, zc_asset_id(mesh_entry->path, strlen(mesh_entry->path)));

    /* offsets, vertex by vertex */
    int *source = malloc(mv->vertex_count * sizeof *source);
    double largest = 0;
    for (uint32_t v = 0; v < mv->vertex_count; ++v) {
        source[v] = source_vertex(&im, v);
        cr_assert_geq(source[v], 0, "pack vertex %u matches no assimp vertex with its offsets", v);
        for (uint64_t k = 0; k < 3ull * mv->target_count; ++k) largest = fmax(largest, fabs(mv->positions[(size_t)v * 3 + k % 3]));
    }

    /* weights at every key and half way, and the blended vertices */
    uint32_t joint = zc_skeleton_view_find_joint(&im.skel, anim->mMorphMeshChannels[0]->mName.data);
    cr_assert_neq(joint, ZC_JOINT_NONE, "the morphed node is a joint");
    const struct aiMeshMorphAnim *mm = anim->mMorphMeshChannels[0];
    double ticks = anim->mTicksPerSecond > 0 ? anim->mTicksPerSecond : 25.0, worst_w = 0, worst_v = 0;
    float *base = malloc((size_t)mv->vertex_count * 3 * sizeof *base), *out = malloc((size_t)mv->vertex_count * 3 * sizeof *out);
    for (uint32_t v = 0; v < mv->vertex_count; ++v) {
        float p[4];
        zc_mesh_view_read(&im.mesh, zc_mesh_view_attribute(&im.mesh, ZC_SEMANTIC_POSITION), v, p);
        memcpy(base + (size_t)v * 3, p, 3 * sizeof *p);
    }
    for (unsigned k = 0; k < mm->mNumKeys; ++k)
        for (int half = 0; half < 2; ++half) {
            if (half && k + 1 == mm->mNumKeys) break;
            double t = mm->mKeys[k].mTime / ticks;
            if (half) t = (t + mm->mKeys[k + 1].mTime / ticks) / 2;
            float w[8];
            double want[8];
            cr_assert_eq(zc_animation_view_sample_weights(&im.anim, (float)t, joint, w, 8), mv->target_count);
            weights_at(anim, t, want, mv->target_count);
            for (uint32_t i = 0; i < mv->target_count; ++i) worst_w = fmax(worst_w, fabs(w[i] - want[i]));
            zc_morph_view_apply(mv, w, 0, base, out, mv->vertex_count, 3);
            for (uint32_t v = 0; v < mv->vertex_count; ++v) {
                const struct aiVector3D *b = &am->mVertices[source[v]];
                double x = b->x, y = b->y, z = b->z;
                for (uint32_t i = 0; i < mv->target_count; ++i) {
                    const struct aiVector3D *q = &am->mAnimMeshes[i]->mVertices[source[v]];
                    x += want[i] * (q->x - b->x), y += want[i] * (q->y - b->y), z += want[i] * (q->z - b->z);
                }
                worst_v = fmax(worst_v, dist3(out + (size_t)v * 3, x, y, z));
            }
        }
    cr_log_info("AnimatedMorphCube: %u vertices, %u targets (largest offset %.4f), %u keys: weights within %.2g, "
                "blended vertices within %.2g", mv->vertex_count, mv->target_count, largest, mm->mNumKeys, worst_w,
                worst_v);
    cr_expect_leq(worst_w, 1e-6, "weights differ by %g", worst_w);
    cr_expect_leq(worst_v, 1e-6, "blended vertices differ by %g", worst_v);
    cr_expect_gt(largest, 0.001, "the targets move the cube");

    /* the mesh's bounds hold every vertex at any weights in [0, 1] */
    static const float corners[4][2] = { { 0, 0 }, { 1, 0 }, { 0, 1 }, { 1, 1 } };
    for (int c = 0; c < 4; ++c) {
        zc_morph_view_apply(mv, corners[c], 0, base, out, mv->vertex_count, 3);
        for (uint32_t v = 0; v < mv->vertex_count; ++v) {
            const float *q = out + (size_t)v * 3;
            double d2 = 0;
            for (int k = 0; k < 3; ++k) {
                cr_assert(q[k] >= im.mesh.aabb_min[k] && q[k] <= im.mesh.aabb_max[k],
                          "vertex %u at weights (%g, %g) leaves the mesh's box", v, corners[c][0], corners[c][1]);
                d2 += (q[k] - im.mesh.sphere_center[k]) * (double)(q[k] - im.mesh.sphere_center[k]);
            }
            cr_assert_leq(sqrt(d2), im.mesh.sphere_radius * (1 + 1e-6), "vertex %u leaves the sphere", v);
        }
    }

    /* normals: blended and normalised again; in place gives the same */
    float w1[2] = { 1.0f, 0.0f };
    float *normals = malloc((size_t)mv->vertex_count * 3 * sizeof *normals);
    for (uint32_t v = 0; v < mv->vertex_count; ++v) {
        float n[4];
        zc_mesh_view_read(&im.mesh, zc_mesh_view_attribute(&im.mesh, ZC_SEMANTIC_NORMAL), v, n);
        memcpy(normals + (size_t)v * 3, n, 3 * sizeof *n);
    }
    zc_morph_view_apply(mv, w1, 1, normals, out, mv->vertex_count, 3);
    zc_morph_view_apply(mv, w1, 1, normals, normals, mv->vertex_count, 3);
    for (uint32_t v = 0; v < mv->vertex_count; ++v) {
        const struct aiVector3D *q = &am->mAnimMeshes[0]->mNormals[source[v]];
        double len = sqrt((double)q->x * q->x + (double)q->y * q->y + (double)q->z * q->z);
        cr_assert_leq(dist3(out + (size_t)v * 3, q->x / len, q->y / len, q->z / len), 1e-5, "normal of vertex %u", v);
        cr_assert(memcmp(out + (size_t)v * 3, normals + (size_t)v * 3, 3 * sizeof(float)) == 0, "in place differs");
    }
    free(normals);
    free(base);
    free(out);
    free(source);
    release_both(&im);
}

/* Through a pack: the morph entry is viewed in place and names its mesh; the clip's
 * weights channel is there; a dump shows the morph. */
Test(morph, pack_holds_the_targets) {
    zcti_require(CUBE);
    char *root = zct_tmp_path("tree");
    zct_copy_file(CUBE, root, "cube/AnimatedMorphCube.gltf");
    zct_copy_file(CUBE_DIR "/AnimatedMorphCube.bin", root, "cube/AnimatedMorphCube.bin");
    char *pack_path = zct_tmp_path("cube.zcpack");
    zct_run run = ZCT_CLI("build", root, "-o", pack_path);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = pack_path, .validate = ZC_VALIDATE_CHECKSUMS }), ZC_OK);
    zc_entry e, mesh;
    cr_assert_eq(zc_pack_find(pack, "cube/AnimatedMorphCube.gltf#morph/0", &e), ZC_OK);
    cr_expect_eq(e.codec, ZC_CODEC_NONE, "stored raw, for use in place");
    zc_morph_view view;
    cr_assert_eq(zc_morph_view_from_entry(&e, &view), ZC_OK);
    cr_assert_eq(zc_morph_view_from_entry(&e, &view), ZC_OK);
    cr_expect_eq((const void *)view.positions > e.data, 1, "the offsets lie in the mapping");
    cr_assert_eq(zc_pack_resolve(pack, view.mesh, ZC_TYPE_MESH, &mesh), ZC_OK);
    cr_expect_str_eq(mesh.path, "cube/AnimatedMorphCube.gltf#mesh/0");
    zc_entry clip;
    zc_animation_view anim;
    cr_assert_eq(zc_pack_find(pack, "cube/AnimatedMorphCube.gltf#animation/0", &clip), ZC_OK);
    zc_hold hold;
    cr_assert_eq(zc_pack_acquire(pack, &clip, &hold), ZC_OK);
    cr_assert_eq(zc_animation_view_from_bytes(hold.data, hold.size, &anim), ZC_OK);
    int weights = 0;
    for (uint32_t i = 0; i < anim.channel_count; ++i) weights += anim.channels[i].path == ZC_ANIMATION_WEIGHTS;
    cr_expect_eq(weights, 1);
    zc_hold_release(&hold);
    zc_pack_close(pack);
    run = ZCT_CLI("dump", pack_path, "cube/AnimatedMorphCube.gltf#morph/0");
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    cr_expect(strstr(run.out, "\"target_count\":\t2") && strstr(run.out, "#mesh/0"), "%s", run.out);
    zct_run_free(&run);
    free(pack_path);
    free(root);
}

Test(morph, validator_refuses_damaged_payloads) {
    imported im;
    import_both(&im);
    cr_assert_eq(zc_layout_hash(ZC_MORPH_LAYOUT_DESC), ZC_MORPH_LAYOUT_HASH);
    const zc_model_entry *me = zc_model_find(&im.model, "m#morph/0");
    uint8_t *p = zct_aligned_copy(me->payload, me->size, 16);
    zc_morph *m = (zc_morph *)p;
    float *positions = (float *)(void *)zc_array_data(&m->positions);
    zc_diag d;
    cr_assert_eq(zc_morph_check(p, me->size, &d), ZC_OK, "%s", d.message);
    m->target_count = 0;
    cr_expect_eq(zc_morph_check(p, me->size, &d), ZC_ERR_LIMIT);
    m->target_count = 3; /* more targets than the arrays hold */
    cr_expect_eq(zc_morph_check(p, me->size, &d), ZC_ERR_BAD_ENTRY);
    cr_expect(strstr(d.message, "need"), "%s", d.message);
    memcpy(p, me->payload, me->size);
    m->vertex_count = 0xFFFFFFFFu;
    cr_expect_eq(zc_morph_check(p, me->size, &d), ZC_ERR_LIMIT);
    memcpy(p, me->payload, me->size);
    positions[7] = INFINITY;
    cr_expect_eq(zc_morph_check(p, me->size, &d), ZC_ERR_BAD_ENTRY);
    cr_expect(strstr(d.message, "position offset 7 is not finite"), "%s", d.message);
    memcpy(p, me->payload, me->size);
    m->flags = 2;
    cr_expect_eq(zc_morph_check(p, me->size, &d), ZC_ERR_BAD_ENTRY);
    memcpy(p, me->payload, me->size);
    m->flags = 0; /* normals present but not announced */
    cr_expect_eq(zc_morph_check(p, me->size, &d), ZC_ERR_BAD_ENTRY);
    memcpy(p, me->payload, me->size);
    m->positions.offset += 1 << 20; /* outside the entry */
    cr_expect_neq(zc_morph_check(p, me->size, &d), ZC_OK);
    memcpy(p, me->payload, me->size);
    for (uint64_t cut = 0; cut < me->size; cut += 4)
        cr_assert_neq(zc_morph_check(p, cut, &d), ZC_OK, "cut at %llu", (unsigned long long)cut);
    zc_morph_view view;
    cr_expect_eq(zc_morph_view_from_bytes(p + 4, me->size - 4, &view), ZC_ERR_INVALID_ARGUMENT, "misaligned");
    free(p);
    release_both(&im);
}
