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
 * And on the MD2 files of the same package (faerie, sydney), whose frames the import
 * reads as morph targets with one clip per frame-name prefix at 10 frames per second:
 *  - at every frame's time of every clip, the sampled weights blended onto the mesh
 *    entry give every vertex where a decode of that frame written here (independent
 *    of the importer's reader) puts it; half way between two frames, their average;
 *    frame 0's normals (computed by the import) are unit and face as the file's do;
 *  - the MD2 reader refuses every truncated prefix of a file and survives random bit
 *    flips (a clear error or frames that decode to finite numbers), and an import of
 *    a file whose frames are damaged still succeeds with frame 0 and a note.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <assimp/cimport.h>
#include <assimp/postprocess.h>
#include <assimp/scene.h>

#include "zc_exit.h"
#include "zc_model.h"
#include "zc_model_internal.h"
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
    m->flags = ZC_MORPH_NORMALS | 4u; /* a flag this version does not define */
    cr_expect_eq(zc_morph_check(p, me->size, &d), ZC_ERR_BAD_ENTRY);
    cr_expect(strstr(d.message, "unknown flags"), "%s", d.message);
    m->flags = ZC_MORPH_NORMALS | ZC_MORPH_FRAMES; /* frames: weights summing to at most 1 */
    cr_expect_eq(zc_morph_check(p, me->size, &d), ZC_OK, "%s", d.message);
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

/* ---------------------------------------------------------------------------------
 * MD2 frames
 * ------------------------------------------------------------------------------- */

/* An MD2 file decoded here: each frame's positions per vertex of the file, the
 * triangles' vertex indices, the frame names. Trusts the file (the test data). */
typedef struct md2_file {
    uint32_t vertices, triangles, frames;
    double step;                /* the largest quantisation error of a coordinate: scale / 2 */
    double *pos;                /* frames * vertices * 3 */
    char (*names)[17];
} md2_file;

static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void md2_decode(const uint8_t *d, md2_file *m) {
    cr_assert_eq(memcmp(d, "IDP2", 4), 0);
    uint32_t frame_size = le32(d + 16), frame_offset = le32(d + 56);
    m->step = 0.0;
    m->vertices = le32(d + 24), m->triangles = le32(d + 32), m->frames = le32(d + 40);
    m->pos = malloc((size_t)m->frames * m->vertices * 3 * sizeof *m->pos);
    m->names = calloc(m->frames, sizeof *m->names);
    for (uint32_t f = 0; f < m->frames; ++f) {
        const uint8_t *fr = d + frame_offset + (size_t)f * frame_size;
        float scale[3], translate[3];
        memcpy(scale, fr, 12);
        memcpy(translate, fr + 12, 12);
        memcpy(m->names[f], fr + 24, 16);
        for (int k = 0; k < 3; ++k) m->step = fmax(m->step, scale[k] / 2.0);
        for (uint32_t v = 0; v < m->vertices; ++v)
            for (int k = 0; k < 3; ++k)
                m->pos[((size_t)f * m->vertices + v) * 3 + k] = fr[40 + 4 * v + k] * (double)scale[k] + translate[k];
    }
}

static double md2_at(const md2_file *m, uint32_t f, uint32_t v, int k) {
    return m->pos[((size_t)f * m->vertices + v) * 3 + k];
}

/* The file vertex pack vertex v stands for: the one its base position plus every
 * target's offset puts at that frame's decoded position (within tol); -1 when none. */
static int md2_source(const md2_file *m, const zc_morph_view *mv, const float *base, uint32_t v, double tol) {
    for (uint32_t u = 0; u < m->vertices; ++u) {
        int same = 1;
        for (uint32_t f = 0; same && f < mv->target_count; ++f)
            for (int k = 0; k < 3 && same; ++k)
                same = fabs(base[v * 3 + k] + mv->positions[((size_t)f * mv->vertex_count + v) * 3 + k] -
                            md2_at(m, f, u, k)) <= tol;
        if (same) return (int)u;
    }
    return -1;
}

static size_t name_prefix(const char *name) {
    size_t n = strlen(name);
    while (n && name[n - 1] >= '0' && name[n - 1] <= '9') n--;
    return n;
}

static void check_md2(const char *file) {
    size_t size;
    uint8_t *bytes = zcti_read(file, &size);
    md2_file m;
    md2_decode(bytes, &m);
    cr_assert_gt(m.frames, 1);
    cr_assert_leq(m.frames, ZC_MORPH_MAX_TARGETS);

    imported im;
    memset(&im, 0, sizeof im);
    zc_diag diag = { "" };
    zc_model_settings settings;
    memset(&settings, 0, sizeof settings);
    cr_assert_eq(zc_model_import_file(file, "m", &settings, &im.model, &diag), ZC_OK, "%s: %s", file, diag.message);
    cr_assert(!im.model.notes || !strstr(im.model.notes, "MD2"), "%s: %s", file, im.model.notes);
    /* assimp names its placeholder for the file's missing skin; not a missing texture */
    cr_assert(!im.model.notes || !strstr(im.model.notes, "texture_dummy"), "%s: %s", file, im.model.notes);
    view_of(&im, "m#mesh/0", ZC_TYPE_MESH, &im.mesh);
    view_of(&im, "m#morph/0", ZC_TYPE_MORPH, &im.morph);
    view_of(&im, "m#skeleton/0", ZC_TYPE_SKELETON, &im.skel);
    zc_morph_view *mv = &im.morph;
    cr_assert_eq(mv->target_count, m.frames, "%s: one target per frame", file);
    cr_assert_eq(mv->vertex_count, im.mesh.vertex_count);
    cr_assert_not_null(mv->normals, "%s: each frame's normals", file);
    cr_assert(mv->flags & ZC_MORPH_FRAMES, "%s: the targets are marked as frames", file);
    /* the bounds are those of the frames (each one, and so every blend of them), not of
     * every weight sum: each face of the box touches a frame, within the format's step */
    for (int k = 0; k < 3; ++k) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < (size_t)m.frames * m.vertices; ++i) {
            lo = fmin(lo, m.pos[i * 3 + (size_t)k]);
            hi = fmax(hi, m.pos[i * 3 + (size_t)k]);
        }
        cr_assert(im.mesh.aabb_min[k] <= lo + 1e-4 && im.mesh.aabb_max[k] >= hi - 1e-4, "%s: bounds miss a frame", file);
        cr_assert(im.mesh.aabb_min[k] >= lo - 1e-3 && im.mesh.aabb_max[k] <= hi + 1e-3,
                  "%s: axis %d bounds [%g, %g] are wider than the frames' [%g, %g]", file, k, im.mesh.aabb_min[k],
                  im.mesh.aabb_max[k], lo, hi);
    }

    /* base positions, and the file vertex each pack vertex stands for */
    uint32_t n = mv->vertex_count;
    float *base = malloc((size_t)n * 3 * sizeof *base), *out = malloc((size_t)n * 3 * sizeof *out);
    int *source = malloc(n * sizeof *source);
    const zc_vertex_attribute *pos = zc_mesh_view_attribute(&im.mesh, ZC_SEMANTIC_POSITION);
    for (uint32_t v = 0; v < n; ++v) {
        float p[4];
        zc_mesh_view_read(&im.mesh, pos, v, p);
        memcpy(base + v * 3, p, 3 * sizeof *p);
    }
    const double tol = 1e-4; /* far below the format's own step (scale / 2, about 0.03 here) */
    for (uint32_t v = 0; v < n; ++v) {
        source[v] = md2_source(&m, mv, base, v, tol);
        cr_assert_geq(source[v], 0, "%s: pack vertex %u matches no vertex of the file in every frame", file, v);
    }

    /* frame 0's normals computed from its triangles face the way the file's (assimp's
     * normals of frame 0, from the format's table) do */
    float *normals = malloc((size_t)n * 3 * sizeof *normals), *blended = malloc((size_t)n * 3 * sizeof *blended);
    const zc_vertex_attribute *nrm = zc_mesh_view_attribute(&im.mesh, ZC_SEMANTIC_NORMAL);
    cr_assert_not_null(nrm);
    for (uint32_t v = 0; v < n; ++v) {
        float q[4];
        zc_mesh_view_read(&im.mesh, nrm, v, q);
        memcpy(normals + v * 3, q, 3 * sizeof *q);
    }
    float first_frame[ZC_MORPH_MAX_TARGETS] = { 1.0f };
    zc_morph_view_apply(mv, first_frame, 1, normals, blended, n, 3);
    double agree = 0.0;
    for (uint32_t v = 0; v < n; ++v) {
        const float *a = normals + v * 3, *c = blended + v * 3;
        cr_assert_float_eq(c[0] * c[0] + c[1] * c[1] + c[2] * c[2], 1.0f, 1e-4f, "%s: vertex %u", file, v);
        agree += a[0] * c[0] + a[1] * c[1] + a[2] * c[2];
    }
    agree /= n;
    cr_assert_gt(agree, 0.8, "%s: frame 0's computed normals disagree with the file's (mean cosine %g)", file, agree);
    free(normals);
    free(blended);

    /* clips: runs of frames of one name prefix, in order */
    uint32_t clip = 0, frame = 0, keys = 0;
    double worst = 0.0, worst_mid = 0.0;
    float weights[ZC_MORPH_MAX_TARGETS];
    while (frame < m.frames) {
        uint32_t count = 1;
        size_t len = name_prefix(m.names[frame]);
        while (frame + count < m.frames && name_prefix(m.names[frame + count]) == len &&
               memcmp(m.names[frame + count], m.names[frame], len) == 0)
            count++;
        char path[64];
        snprintf(path, sizeof path, "m#animation/%u", clip);
        view_of(&im, path, ZC_TYPE_ANIMATION, &im.anim);
        cr_assert_eq(im.anim.name_length, len, "%s: clip %u is named \"%s\"", file, clip, im.anim.name);
        cr_assert_eq(memcmp(im.anim.name, m.names[frame], len), 0, "%s: clip %u is named \"%s\"", file, clip,
                     im.anim.name);
        cr_assert_float_eq(im.anim.duration, (count - 1) / 10.0f, 1e-6f);
        for (uint32_t j = 0; j < count; ++j) {
            for (int half = 0; half < 2 && (!half || j + 1 < count); ++half) {
                float t = (float)((j + 0.5 * half) / 10.0);
                memset(weights, 0x7f, sizeof weights);
                cr_assert_eq(zc_animation_view_sample_weights(&im.anim, t, 0, weights, ZC_MORPH_MAX_TARGETS),
                             mv->target_count, "%s: clip %s has a weight per target", file, im.anim.name);
                zc_morph_view_apply(mv, weights, 0, base, out, n, 3);
                for (uint32_t v = 0; v < n; ++v)
                    for (int k = 0; k < 3; ++k) {
                        double want = md2_at(&m, frame + j, (uint32_t)source[v], k);
                        if (half) want = (want + md2_at(&m, frame + j + 1, (uint32_t)source[v], k)) / 2;
                        double d = fabs(out[v * 3 + k] - want);
                        cr_assert_leq(d, tol, "%s: clip %s at %g s: vertex %u is %g, frame %u%s puts it at %g", file,
                                      im.anim.name, (double)t, v, out[v * 3 + k], frame + j,
                                      half ? " and the next (average)" : "", want);
                        if (half) worst_mid = fmax(worst_mid, d);
                        else worst = fmax(worst, d);
                    }
            }
            keys++;
        }
        frame += count;
        clip++;
    }
    char past[64];
    snprintf(past, sizeof past, "m#animation/%u", clip);
    cr_assert_null(zc_model_find(&im.model, past), "%s: no clip beyond the %u prefixes", file, clip);
    cr_log_info("%s: %u vertices, %u frames in %u clips: largest difference %.3g at the frames, %.3g half way "
                "(the format's own quantisation error: up to %.3g); frame 0's computed normals agree with the "
                "file's by a mean cosine of %.3f",
                file, n, keys, clip, worst, worst_mid, m.step, agree);
    free(base);
    free(out);
    free(source);
    free(m.pos);
    free(m.names);
    free(bytes);
    zc_model_free(&im.model);
}

Test(morph, md2_faerie_frames_as_clips) {
    check_md2(ZCTI_ASSIMP "/MD2/faerie.md2");
}

Test(morph, md2_sydney_frames_as_clips) {
    check_md2(ZCTI_ASSIMP "/MD2/sydney.md2");
}

/* The reader on hostile bytes: a prefix of a file that ends before the triangles and
 * frames do is refused with a sentence (every prefix up to 200 bytes into the
 * frames, then every 257th, and the last 257), a longer one reads (the GL commands
 * after the frames are not read); random bit flips are refused with a sentence or
 * read into in-range indices and finite positions. Each prefix is a copy of exactly
 * its size, so a read past it is caught by the sanitize build. */
Test(morph, md2_reader_refuses_damaged_files) {
    const char *file = ZCTI_ASSIMP "/MD2/faerie.md2";
    size_t size;
    uint8_t *bytes = zcti_read(file, &size);
    zc__vertex_frames f;
    zc_diag d;
    cr_assert_eq(zc__md2_frames_read(bytes, size, &f, &d), ZC_OK, "%s", d.message);
    cr_assert_eq(f.frame_count, 198);
    zc__vertex_frames_free(&f);
    size_t tri_end = le32(bytes + 52) + 12u * le32(bytes + 32), frames_at = le32(bytes + 56);
    size_t frame_end = frames_at + (size_t)le32(bytes + 40) * le32(bytes + 16);
    size_t needed = tri_end > frame_end ? tri_end : frame_end, tried = 0;
    cr_assert_lt(needed, size);
    for (size_t cut = 0; cut <= needed; cut += cut < frames_at + 200 || cut + 257 > needed ? 1 : 257) {
        uint8_t *prefix = malloc(cut ? cut : 1);
        memcpy(prefix, bytes, cut);
        d.message[0] = 0;
        zc_result r = zc__md2_frames_read(prefix, cut, &f, &d);
        if (cut < needed) {
            cr_assert_eq(r, ZC_ERR_BAD_SOURCE, "prefix of %zu bytes", cut);
            cr_assert_neq(d.message[0], 0);
        } else {
            cr_assert_eq(r, ZC_OK, "prefix of %zu bytes: %s", cut, d.message);
            zc__vertex_frames_free(&f);
        }
        free(prefix);
        tried++;
    }
    uint8_t *copy = malloc(size);
    uint64_t seed = 2026;
    int accepted = 0;
    for (int round = 0; round < 1000; ++round) {
        memcpy(copy, bytes, size);
        zct_flip_bits(copy, size, 2100, 4, &seed); /* half the flips in the header and triangles */
        d.message[0] = 0;
        zc_result r = zc__md2_frames_read(copy, size, &f, &d);
        if (r != ZC_OK) {
            cr_assert_eq(r, ZC_ERR_BAD_SOURCE);
            cr_assert_neq(d.message[0], 0);
            continue;
        }
        accepted++;
        const zc__frame_mesh *m = &f.meshes[0];
        cr_assert_eq(f.mesh_count, 1);
        for (uint32_t i = 0; i < m->triangle_count * 3; ++i) cr_assert_lt(m->corners[i], m->vertex_count);
        for (size_t i = 0; i < (size_t)f.frame_count * m->vertex_count * 3; ++i) cr_assert(isfinite(m->positions[i]));
        zc__vertex_frames_free(&f);
    }
    cr_log_info("MD2 reader: %zu prefixes tried; %d of 1000 damaged files accepted", tried, accepted);
    free(copy);
    free(bytes);
}

/* A file whose frames past frame 0 are damaged (its frame size grown by 4 bytes, so
 * every later frame is read 4 bytes further on per frame, into garbage and past the
 * end of the frames): assimp reads frame 0 alone and still accepts it, and the import
 * keeps that frame, noting why the frames are left out. */
Test(morph, md2_damaged_frames_import_as_a_still_model) {
    const char *file = ZCTI_ASSIMP "/MD2/sydney.md2";
    size_t size;
    uint8_t *bytes = zcti_read(file, &size);
    char *dir = zct_tmp_path("md2"), *copy = zct_tmp_path("md2/sydney.md2");
    cr_assert_eq(mkdir(dir, 0755), 0);
    uint32_t frame_size = le32(bytes + 16) + 4;
    for (int i = 0; i < 4; ++i) bytes[16 + i] = (uint8_t)(frame_size >> (8 * i));
    FILE *fp = fopen(copy, "wb");
    cr_assert_not_null(fp);
    cr_assert_eq(fwrite(bytes, 1, size, fp), size);
    fclose(fp);
    zc_model model;
    zc_diag diag = { "" };
    zc_result r = zc_model_import_file(copy, "sydney.md2", NULL, &model, &diag);
    if (r == ZC_OK) {
        cr_assert_not_null(model.notes);
        cr_assert(strstr(model.notes, "MD2 frames left out"), "%s", model.notes);
        cr_assert_not_null(zc_model_find(&model, "sydney.md2#mesh/0"));
        cr_assert_null(zc_model_find(&model, "sydney.md2#morph/0"));
        cr_assert_null(zc_model_find(&model, "sydney.md2#animation/0"));
        cr_log_info("damaged MD2: %s", model.notes);
        zc_model_free(&model);
    } else {
        cr_assert_eq(r, ZC_ERR_BAD_SOURCE, "%s", diag.message); /* assimp refused it first */
        cr_log_info("damaged MD2 refused by assimp: %s", diag.message);
    }
    free(dir);
    free(copy);
    free(bytes);
}

/* ---------------------------------------------------------------------------------
 * Step 2's numbering of a mesh with targets (zc__index_morph), against a brute-force
 * numbering: by first appearance in the index buffer, equal bytes everywhere merge.
 * ------------------------------------------------------------------------------- */

/* The numbering by definition: each named vertex takes the number of the first named
 * vertex with the same position, attribute and offset bytes. */
static size_t brute_numbering(const zc__mesh_data *m, uint32_t blocks, unsigned *remap) {
    size_t next = 0, n = (size_t)m->vertex_count * 3;
    for (uint32_t v = 0; v < m->vertex_count; ++v) remap[v] = ~0u;
    for (uint32_t k = 0; k < m->index_count; ++k) {
        uint32_t v = m->indices[k];
        if (remap[v] != ~0u) continue;
        for (uint32_t u = 0; u < m->vertex_count && remap[v] == ~0u; ++u) {
            if (u == v || remap[u] == ~0u) continue;
            int same = memcmp(m->positions + u * 3, m->positions + v * 3, 12) == 0 &&
                       memcmp(m->attrs + u * m->attr_floats, m->attrs + v * m->attr_floats, m->attr_floats * 4) == 0;
            for (uint32_t b = 0; same && b < blocks; ++b)
                same = memcmp(m->morph + b * n + u * 3, m->morph + b * n + v * 3, 12) == 0;
            if (same) remap[v] = remap[u];
        }
        if (remap[v] == ~0u) remap[v] = (unsigned)next++;
    }
    return next;
}

/* A mesh of `count` vertices drawn from `kinds` distinct ones (positions and
 * attributes from fewer kinds still, so many vertices agree everywhere but in their
 * motion), targets with normals, and every vertex but the last named at least once. */
static void random_morph_mesh(zc__mesh_data *m, uint32_t count, uint32_t kinds, uint32_t targets, unsigned seed) {
    memset(m, 0, sizeof *m);
    srand(seed);
    m->vertex_count = count;
    m->morph_targets = targets;
    m->morph_normals = 1;
    m->attr_floats = 5;
    m->positions = malloc((size_t)count * 3 * sizeof(float));
    m->attrs = malloc((size_t)count * m->attr_floats * sizeof(float));
    m->morph = malloc((size_t)targets * 2 * count * 3 * sizeof(float));
    m->index_count = 3 * count;
    m->indices = malloc(m->index_count * sizeof *m->indices);
    for (uint32_t v = 0; v < count; ++v) {
        uint32_t kind = (uint32_t)rand() % kinds, still = kind % (kinds / 4 + 1);
        for (int k = 0; k < 3; ++k) m->positions[v * 3 + k] = (float)(still * 3 + k);
        for (uint32_t k = 0; k < m->attr_floats; ++k) m->attrs[v * m->attr_floats + k] = (float)still * 0.5f + k;
        for (uint32_t b = 0; b < targets * 2; ++b)
            for (int k = 0; k < 3; ++k) /* one target of one axis tells some kinds apart */
                m->morph[((size_t)b * count + v) * 3 + k] = b == targets - 1 && k == 2 ? (float)kind : (float)(b + k);
    }
    for (uint32_t i = 0; i < m->index_count; ++i) m->indices[i] = (uint32_t)rand() % (count - 1);
}

Test(morph, index_keeps_vertices_apart_that_differ_only_in_motion) {
    /* vertices 0 and 3 agree in every byte; 1 and 4 only in position and attributes */
    float positions[6 * 3] = { 0, 0, 0, 1, 1, 1, 2, 2, 2, 0, 0, 0, 1, 1, 1, 9, 9, 9 };
    float attrs[6 * 2] = { 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 7, 7 };
    float morph[2 * 6 * 3] = { 0 };
    morph[1 * 18 + 4 * 3 + 1] = 0.25f; /* target 1 moves vertex 4 along y */
    unsigned indices[6] = { 0, 1, 2, 3, 4, 2 };
    zc__mesh_data m = { .vertex_count = 6, .index_count = 6, .attr_floats = 2, .morph_targets = 2,
                        .positions = positions, .attrs = attrs, .morph = morph, .indices = indices };
    for (int exact = 0; exact < 2; ++exact) {
        unsigned remap[6];
        cr_assert_eq(zc__index_morph(remap, &m, exact), 4, "exact %d", exact);
        unsigned expected[6] = { 0, 1, 2, 0, 3, ~0u };
        for (int v = 0; v < 6; ++v) cr_assert_eq(remap[v], expected[v], "exact %d: vertex %d", exact, v);
    }
}

Test(morph, index_agrees_with_brute_force) {
    for (unsigned seed = 1; seed <= 40; ++seed) {
        zc__mesh_data m;
        uint32_t count = 50 + seed * 7, kinds = 4 + seed % 13, targets = 1 + seed % 5;
        random_morph_mesh(&m, count, kinds, targets, seed);
        unsigned *want = malloc(count * sizeof *want), *got = malloc(count * sizeof *got);
        size_t distinct = brute_numbering(&m, targets * 2, want);
        cr_assert_lt(distinct, count - 1, "seed %u: the mesh has vertices to merge", seed);
        for (int exact = 0; exact < 2; ++exact) {
            cr_assert_eq(zc__index_morph(got, &m, exact), distinct, "seed %u exact %d", seed, exact);
            cr_assert_arr_eq(got, want, count * sizeof *got, "seed %u exact %d", seed, exact);
        }
        cr_assert_eq(got[count - 1], ~0u, "seed %u: the vertex no index names", seed);
        free(want);
        free(got);
        free(m.positions);
        free(m.attrs);
        free(m.morph);
        free(m.indices);
    }
}
