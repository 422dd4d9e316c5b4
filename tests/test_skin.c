/* test_skin.c - skeletons, skins and animation clips (formats/zc_skeleton.h,
 * formats/zc_animation.h, zc_model_skeleton.c, the runtime's posing passes), on real
 * files of Debian's assimp-testmodels:
 *  - at every key time of every clip, each joint's world transform from the imported
 *    entries (rest pose, zc_animation_view_sample, zc_skeleton_view_world) matches the
 *    one computed here from assimp's own scene (its node tree and its channels'
 *    keys, interpolated in double precision) within 1e-4 of the model's size;
 *  - skinned vertices from the entries (positions, JOINTS0, WEIGHTS0, skinning
 *    matrices) match skinning assimp's vertices with its bones at those times;
 *  - by-name lookup, and the validators refusing damaged payloads.
 * Files: glTF simple_skin, MD5, two skinned and animated FBX files, a Collada clip,
 * and the three BVH motion files (every key of every joint there, not a sample).
 * IQM (mrfixit): assimp 5.2 reads its meshes only, and the import reads the joints,
 * blend weights and frames itself; the reference there is a decode of the file's
 * frames written here, and the skin at the bind pose must give the file's positions;
 * its reader refuses truncated files and survives bit flips.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <assimp/cimport.h>
#include <assimp/postprocess.h>
#include <assimp/scene.h>

#include "zc_model.h"
#include "zc_model_internal.h"
#include "zc_pack.h"
#include "zc_pack_format.h"
#include "zc_test_images.h"
#include "zc_test_util.h"

#define MODELS ZCTI_ASSIMP

static void setup(void) {
    zct_tmp_setup();
}

static void teardown(void) {
    zct_tmp_teardown();
}

TestSuite(skin, .init = setup, .fini = teardown, .timeout = 300);

/* ---------------------------------------------------------------------------------
 * The reference: assimp's scene evaluated here in double precision
 * ------------------------------------------------------------------------------- */

typedef struct dmat {
    double m[16]; /* column-major, as the runtime's */
} dmat;

static dmat dmul(const dmat *a, const dmat *b) {
    dmat o;
    for (int c = 0; c < 4; ++c)
        for (int r = 0; r < 4; ++r) {
            double s = 0.0;
            for (int k = 0; k < 4; ++k) s += a->m[k * 4 + r] * b->m[c * 4 + k];
            o.m[c * 4 + r] = s;
        }
    return o;
}

static dmat from_ai(const struct aiMatrix4x4 *a) {
    const double rows[4][4] = { { a->a1, a->a2, a->a3, a->a4 },
                                { a->b1, a->b2, a->b3, a->b4 },
                                { a->c1, a->c2, a->c3, a->c4 },
                                { a->d1, a->d2, a->d3, a->d4 } };
    dmat o;
    for (int c = 0; c < 4; ++c)
        for (int r = 0; r < 4; ++r) o.m[c * 4 + r] = rows[r][c];
    return o;
}

static dmat trs(const double t[3], const double q[4], const double s[3]) {
    double x = q[0], y = q[1], z = q[2], w = q[3], n = sqrt(x * x + y * y + z * z + w * w);
    x /= n, y /= n, z /= n, w /= n;
    const double r[9] = { 1 - 2 * (y * y + z * z), 2 * (x * y + z * w),     2 * (x * z - y * w),
                          2 * (x * y - z * w),     1 - 2 * (x * x + z * z), 2 * (y * z + x * w),
                          2 * (x * z + y * w),     2 * (y * z - x * w),     1 - 2 * (x * x + y * y) };
    dmat o;
    for (int c = 0; c < 3; ++c) {
        for (int row = 0; row < 3; ++row) o.m[c * 4 + row] = r[c * 3 + row] * s[c];
        o.m[c * 4 + 3] = 0.0;
    }
    o.m[12] = t[0], o.m[13] = t[1], o.m[14] = t[2], o.m[15] = 1.0;
    return o;
}

/* Key interval of t among n key times (seconds). */
static double interval(const double *times, unsigned n, double t, unsigned *k0, unsigned *k1) {
    *k0 = *k1 = 0;
    if (n == 1 || t <= times[0]) return 0.0;
    if (t >= times[n - 1]) {
        *k0 = *k1 = n - 1;
        return 0.0;
    }
    unsigned k = 0;
    while (times[k + 1] <= t) k++;
    *k0 = k, *k1 = k + 1;
    return (t - times[k]) / (times[k + 1] - times[k]);
}

static void vector_at(const struct aiVectorKey *keys, unsigned n, double ticks, double t, double out[3]) {
    double *times = malloc(n * sizeof *times);
    for (unsigned k = 0; k < n; ++k) times[k] = keys[k].mTime / ticks;
    unsigned k0, k1;
    double u = interval(times, n, t, &k0, &k1);
    const struct aiVector3D *a = &keys[k0].mValue, *b = &keys[k1].mValue;
    out[0] = a->x + (b->x - a->x) * u, out[1] = a->y + (b->y - a->y) * u, out[2] = a->z + (b->z - a->z) * u;
    free(times);
}

static void quat_at(const struct aiQuatKey *keys, unsigned n, double ticks, double t, double out[4]) {
    double *times = malloc(n * sizeof *times);
    for (unsigned k = 0; k < n; ++k) times[k] = keys[k].mTime / ticks;
    unsigned k0, k1;
    double u = interval(times, n, t, &k0, &k1);
    const struct aiQuaternion *a = &keys[k0].mValue, *b = &keys[k1].mValue;
    double qa[4] = { a->x, a->y, a->z, a->w }, qb[4] = { b->x, b->y, b->z, b->w };
    double dot = qa[0] * qb[0] + qa[1] * qb[1] + qa[2] * qb[2] + qa[3] * qb[3], sign = dot < 0 ? -1.0 : 1.0;
    dot = fabs(dot);
    double wa = 1 - u, wb = u;
    if (dot < 0.9999999) {
        double th = acos(dot > 1 ? 1 : dot);
        wa = sin((1 - u) * th) / sin(th), wb = sin(u * th) / sin(th);
    }
    for (int i = 0; i < 4; ++i) out[i] = wa * qa[i] + wb * sign * qb[i];
    free(times);
}

/* Local transform of `node` at time t of animation `anim` (NULL: the rest pose). */
static dmat local_at(const struct aiNode *node, const struct aiAnimation *anim, double t) {
    struct aiVector3D s0, t0;
    struct aiQuaternion q0;
    aiDecomposeMatrix(&node->mTransformation, &s0, &q0, &t0);
    const struct aiNodeAnim *ch = NULL;
    for (unsigned i = 0; anim && i < anim->mNumChannels; ++i)
        if (anim->mChannels[i]->mNodeName.length == node->mName.length &&
            memcmp(anim->mChannels[i]->mNodeName.data, node->mName.data, node->mName.length) == 0) {
            ch = anim->mChannels[i];
            break;
        }
    if (!ch) return from_ai(&node->mTransformation);
    double ticks = anim->mTicksPerSecond > 0 ? anim->mTicksPerSecond : 25.0;
    double tr[3] = { t0.x, t0.y, t0.z }, q[4] = { q0.x, q0.y, q0.z, q0.w }, sc[3] = { s0.x, s0.y, s0.z };
    if (ch->mNumPositionKeys) vector_at(ch->mPositionKeys, ch->mNumPositionKeys, ticks, t, tr);
    if (ch->mNumRotationKeys) quat_at(ch->mRotationKeys, ch->mNumRotationKeys, ticks, t, q);
    if (ch->mNumScalingKeys) vector_at(ch->mScalingKeys, ch->mNumScalingKeys, ticks, t, sc);
    return trs(tr, q, sc);
}

static dmat world_at(const struct aiNode *node, const struct aiAnimation *anim, double t) {
    dmat w = local_at(node, anim, t);
    for (const struct aiNode *p = node->mParent; p; p = p->mParent) {
        dmat l = local_at(p, anim, t);
        w = dmul(&l, &w);
    }
    return w;
}

/* World transform of `node` at key `key` of `anim`, for clips whose channels all
 * have a key at every tick 0, 1, 2, ... or a single key (BVH motion: one key per
 * frame, and one constant translation for joints without position channels): the
 * key's values as they are, no interpolation. Scaling without keys is the rest
 * pose's. */
static dmat world_at_key(const struct aiNode *node, const struct aiAnimation *anim, unsigned key) {
    dmat w;
    for (int k = 0; k < 16; ++k) w.m[k] = k % 5 == 0;
    for (const struct aiNode *n = node; n; n = n->mParent) {
        const struct aiNodeAnim *ch = NULL;
        for (unsigned i = 0; i < anim->mNumChannels && !ch; ++i)
            if (anim->mChannels[i]->mNodeName.length == n->mName.length &&
                memcmp(anim->mChannels[i]->mNodeName.data, n->mName.data, n->mName.length) == 0)
                ch = anim->mChannels[i];
        dmat l = from_ai(&n->mTransformation);
        if (ch) {
            struct aiVector3D s0, t0;
            struct aiQuaternion q0;
            aiDecomposeMatrix(&n->mTransformation, &s0, &q0, &t0);
            unsigned kp = ch->mNumPositionKeys == 1 ? 0 : key, kr = ch->mNumRotationKeys == 1 ? 0 : key;
            cr_assert(ch->mNumPositionKeys > kp && ch->mNumRotationKeys > kr, "channel of %s ends before key %u",
                      n->mName.data, key);
            cr_assert_eq(ch->mPositionKeys[kp].mTime, (double)kp);
            cr_assert_eq(ch->mRotationKeys[kr].mTime, (double)kr);
            const struct aiVector3D *p = &ch->mPositionKeys[kp].mValue;
            const struct aiQuaternion *q = &ch->mRotationKeys[kr].mValue;
            const struct aiVector3D *sc = ch->mNumScalingKeys ? &ch->mScalingKeys[0].mValue : &s0;
            cr_assert(ch->mNumScalingKeys <= 1, "scaling keys of %s vary", n->mName.data);
            double tr[3] = { p->x, p->y, p->z }, qq[4] = { q->x, q->y, q->z, q->w }, ss[3] = { sc->x, sc->y, sc->z };
            l = trs(tr, qq, ss);
        }
        w = dmul(&l, &w);
    }
    return w;
}

static const struct aiNode *find_node(const struct aiNode *n, const char *name) {
    if (strlen(name) == n->mName.length && memcmp(n->mName.data, name, n->mName.length) == 0) return n;
    for (unsigned i = 0; i < n->mNumChildren; ++i) {
        const struct aiNode *f = find_node(n->mChildren[i], name);
        if (f) return f;
    }
    return NULL;
}

/* ---------------------------------------------------------------------------------
 * The entries
 * ------------------------------------------------------------------------------- */

typedef struct imported {
    zc_model model;
    const struct aiScene *scene;
    zc_skeleton_view skel;
    double size;                /* largest extent of the rest pose's joints or meshes, at least 1 */
    double worst;               /* largest joint difference compared, relative to size */
} imported;

static void import_both(const char *file, imported *im) {
    zcti_require(file);
    memset(im, 0, sizeof *im);
    zc_diag diag = { "" };
    zc_model_settings settings;
    memset(&settings, 0, sizeof settings);
    cr_assert_eq(zc_model_import_file(file, "m", &settings, &im->model, &diag), ZC_OK, "%s: %s", file, diag.message);
    im->scene = aiImportFile(file, zc_model_assimp_flags(&settings));
    cr_assert_not_null(im->scene, "assimp cannot read %s", file);
    const zc_model_entry *e = zc_model_find(&im->model, "m#skeleton/0");
    cr_assert_not_null(e, "%s: no skeleton entry", file);
    cr_assert_eq(zc_skeleton_view_from_bytes(e->payload, e->size, &im->skel), ZC_OK);
    im->size = 1.0;
}

static void release_both(imported *im) {
    aiReleaseImport(im->scene);
    zc_model_free(&im->model);
}

/* Every joint's world matrix from the entries at time t of clip `anim` (NULL: rest). */
static float (*pack_world(const imported *im, const zc_animation_view *anim, float t))[16] {
    zc_joint_pose *locals = calloc(im->skel.joint_count, sizeof *locals);
    float(*world)[16] = calloc(im->skel.joint_count, sizeof *world);
    zc_skeleton_view_rest_pose(&im->skel, locals);
    if (anim) zc_animation_view_sample(anim, t, locals, im->skel.joint_count);
    zc_skeleton_view_world(&im->skel, locals, world);
    free(locals);
    return world;
}

/* Compare every joint at time t (key: -1, or the key of every channel that lies at t,
 * for world_at_key); returns the largest difference. */
static double compare_joints_at(const imported *im, const zc_animation_view *view, const struct aiAnimation *anim,
                                double t, long key, const char *file) {
    float(*world)[16] = pack_world(im, view, (float)t);
    double worst = 0.0;
    for (uint32_t j = 0; j < im->skel.joint_count; ++j) {
        const char *name = zc_skeleton_view_joint_name(&im->skel, j, NULL);
        const struct aiNode *node = find_node(im->scene->mRootNode, name);
        cr_assert_not_null(node, "%s: joint %s is no node", file, name);
        dmat ref = key >= 0 ? world_at_key(node, anim, (unsigned)key) : world_at(node, anim, t);
        for (int k = 0; k < 16; ++k) {
            double d = fabs(ref.m[k] - world[j][k]) / (k >= 12 ? im->size : 1.0);
            if (d > worst) worst = d;
            cr_assert_leq(d, 1e-4, "%s: joint %u (%s) at t = %g s: element %d is %g, assimp %g", file, j, name, t, k,
                          world[j][k], ref.m[k]);
        }
    }
    free(world);
    return worst;
}

static double compare_joints(const imported *im, const zc_animation_view *view, const struct aiAnimation *anim,
                             double t, const char *file) {
    return compare_joints_at(im, view, anim, t, -1, file);
}

/* The largest translation in the rest pose: what 1e-4 is relative to. */
static void measure(imported *im) {
    float(*world)[16] = pack_world(im, NULL, 0.0f);
    for (uint32_t j = 0; j < im->skel.joint_count; ++j)
        for (int k = 12; k < 15; ++k)
            if (fabs(world[j][k]) > im->size) im->size = fabs(world[j][k]);
    free(world);
}

/* Every key time of every clip, and the midpoints between them. */
static int check_clips(imported *im, const char *file) {
    measure(im);
    int clips = 0;
    for (unsigned a = 0; a < im->scene->mNumAnimations; ++a) {
        char path[64];
        snprintf(path, sizeof path, "m#animation/%u", a);
        const zc_model_entry *e = zc_model_find(&im->model, path);
        cr_assert_not_null(e, "%s: no %s", file, path);
        zc_animation_view view;
        cr_assert_eq(zc_animation_view_from_bytes(e->payload, e->size, &view), ZC_OK);
        cr_assert_eq(view.skeleton, zc_asset_id("m#skeleton/0", 12));
        cr_assert_eq(e->dep_count, 1);
        cr_assert_eq(e->deps[0], view.skeleton);
        for (uint32_t c = 0; c < view.channel_count; ++c) {
            const zc_animation_channel *ch = &view.channels[c];
            uint32_t step = ch->key_count > 64 ? ch->key_count / 64 : 1; /* long clips: 64 keys of each channel */
            for (uint32_t k = 0; k < ch->key_count; k += step) {
                double t = view.times[ch->first_time + k];
                double e = compare_joints(im, &view, im->scene->mAnimations[a], t, file);
                if (e > im->worst) im->worst = e;
                if (k + 1 < ch->key_count) {
                    e = compare_joints(im, &view, im->scene->mAnimations[a], (t + view.times[ch->first_time + k + 1]) / 2,
                                       file);
                    if (e > im->worst) im->worst = e;
                }
            }
        }
        clips++;
    }
    cr_log_info("%s: %u joints, %d clips, largest joint difference %.3g (of the model's size %.3g)", file,
                im->skel.joint_count, clips, im->worst, im->size);
    return clips;
}

/* Skinned vertices of every skinned mesh at time t of clip 0 against assimp's: every
 * vertex of the entry must have an assimp vertex at the same rest position that skins
 * to the same place. Returns how many vertices were compared. */
static uint32_t check_skinning(imported *im, double t, const char *file) {
    const struct aiAnimation *anim = im->scene->mNumAnimations ? im->scene->mAnimations[0] : NULL;
    zc_animation_view view, *pview = NULL;
    const zc_model_entry *ae = zc_model_find(&im->model, "m#animation/0");
    if (ae && zc_animation_view_from_bytes(ae->payload, ae->size, &view) == ZC_OK) pview = &view;
    float(*world)[16] = pack_world(im, pview, (float)t);
    float(*skin)[16] = calloc(im->skel.joint_count, sizeof *skin);
    zc_skeleton_view_skin(&im->skel, (const float(*)[16])world, skin);
    uint32_t compared = 0;
    for (unsigned mi = 0; mi < im->scene->mNumMeshes; ++mi) {
        const struct aiMesh *am = im->scene->mMeshes[mi];
        if (!am->mNumBones || am->mNumVertices > 20000) continue;
        char path[64];
        snprintf(path, sizeof path, "m#mesh/%u", mi);
        const zc_model_entry *me = zc_model_find(&im->model, path);
        if (!me) continue;
        cr_assert_eq(me->deps[me->dep_count - 1], zc_asset_id("m#skeleton/0", 12), "%s: the mesh names its skeleton",
                     file);
        zc_mesh_view mv;
        cr_assert_eq(zc_mesh_view_from_bytes(me->payload, me->size, &mv), ZC_OK);
        const zc_vertex_attribute *pos = zc_mesh_view_attribute(&mv, ZC_SEMANTIC_POSITION),
                                  *jnt = zc_mesh_view_attribute(&mv, ZC_SEMANTIC_JOINTS0),
                                  *wgt = zc_mesh_view_attribute(&mv, ZC_SEMANTIC_WEIGHTS0);
        cr_assert(pos && jnt && wgt, "%s: mesh %u lacks JOINTS0 or WEIGHTS0", file, mi);
        /* assimp's skinned positions, from its bones and the reference world matrices:
         * each vertex's four strongest influences, their weights normalised (the
         * mesh entry's documented rule; glTF requires as much, FBX weights need not
         * sum to 1) */
        typedef struct { double w; dmat m; } influence;
        influence(*inf)[4] = calloc(am->mNumVertices, sizeof *inf);
        for (unsigned b = 0; b < am->mNumBones; ++b) {
            const struct aiBone *bone = am->mBones[b];
            const struct aiNode *node = find_node(im->scene->mRootNode, bone->mName.data);
            cr_assert_not_null(node);
            dmat w = world_at(node, anim, t), off = from_ai(&bone->mOffsetMatrix), m = dmul(&w, &off);
            for (unsigned k = 0; k < bone->mNumWeights; ++k) {
                influence *slots = inf[bone->mWeights[k].mVertexId], in = { bone->mWeights[k].mWeight, m };
                for (int i = 0; i < 4; ++i)
                    if (in.w > slots[i].w) { /* insert, pushing the weaker ones down */
                        influence out = slots[i];
                        slots[i] = in;
                        in = out;
                    }
            }
        }
        double(*ref)[3] = calloc(am->mNumVertices, sizeof *ref);
        for (unsigned v = 0; v < am->mNumVertices; ++v) {
            const struct aiVector3D *p = &am->mVertices[v];
            double sum = inf[v][0].w + inf[v][1].w + inf[v][2].w + inf[v][3].w;
            for (int i = 0; i < 4 && sum > 0; ++i)
                for (int r = 0; r < 3; ++r) {
                    const double *m = inf[v][i].m.m;
                    ref[v][r] += inf[v][i].w / sum * (m[r] * p->x + m[4 + r] * p->y + m[8 + r] * p->z + m[12 + r]);
                }
        }
        free(inf);
        double extent = 0.0;
        for (int k = 0; k < 3; ++k) extent = fmax(extent, (double)mv.aabb_max[k] - mv.aabb_min[k]);
        double tolerance = 2e-4 * fmax(1.0, fmax(extent, im->size));
        for (uint32_t v = 0; v < mv.vertex_count; ++v) {
            float p[4], j[4], w[4], out[3] = { 0, 0, 0 };
            zc_mesh_view_read(&mv, pos, v, p);
            zc_mesh_view_read(&mv, jnt, v, j);
            zc_mesh_view_read(&mv, wgt, v, w);
            for (int i = 0; i < 4; ++i) {
                if (w[i] == 0.0f) continue;
                cr_assert_lt(j[i], (float)im->skel.joint_count);
                const float *m = skin[(uint32_t)j[i]];
                for (int r = 0; r < 3; ++r) out[r] += w[i] * (m[r] * p[0] + m[4 + r] * p[1] + m[8 + r] * p[2] + m[12 + r]);
            }
            int found = 0;
            for (unsigned a = 0; a < am->mNumVertices && !found; ++a) {
                const struct aiVector3D *q = &am->mVertices[a];
                if (fabs(q->x - p[0]) > tolerance || fabs(q->y - p[1]) > tolerance || fabs(q->z - p[2]) > tolerance)
                    continue;
                found = fabs(ref[a][0] - out[0]) <= tolerance && fabs(ref[a][1] - out[1]) <= tolerance &&
                        fabs(ref[a][2] - out[2]) <= tolerance;
            }
            cr_assert(found, "%s: mesh %u vertex %u skins to (%g, %g, %g) at t = %g s; no assimp vertex does", file, mi,
                      v, out[0], out[1], out[2], t);
            compared++;
        }
        free(ref);
    }
    free(skin);
    free(world);
    return compared;
}

/* ---------------------------------------------------------------------------------
 * Real files
 * ------------------------------------------------------------------------------- */

Test(skin, gltf_simple_skin_poses_and_skins_as_assimp) {
    imported im;
    import_both(MODELS "/glTF2/simple_skin/simple_skin.gltf", &im);
    cr_assert_eq(check_clips(&im, "simple_skin"), 1);
    uint32_t compared = 0;
    for (double t = 0.0; t <= 5.5; t += 0.25) compared += check_skinning(&im, t, "simple_skin");
    cr_assert_gt(compared, 0);
    /* joints by name */
    for (uint32_t j = 0; j < im.skel.joint_count; ++j) {
        const char *name = zc_skeleton_view_joint_name(&im.skel, j, NULL);
        if (name[0]) cr_assert_eq(zc_skeleton_view_find_joint(&im.skel, name), j, "%s", name);
    }
    cr_assert_eq(zc_skeleton_view_find_joint(&im.skel, "no such joint"), ZC_JOINT_NONE);
    release_both(&im);
}

/* Other formats' skeletons and clips, each compared as the glTF is. */
static void check_file(const char *file, int want_clips, int want_skin) {
    imported im;
    import_both(file, &im);
    int clips = check_clips(&im, file);
    if (want_clips) cr_assert_gt(clips, 0, "%s: no clips", file);
    if (want_skin) {
        uint32_t compared = check_skinning(&im, 0.0, file);
        if (im.scene->mNumAnimations) compared += check_skinning(&im, im.scene->mAnimations[0]->mDuration /
                                                                            (im.scene->mAnimations[0]->mTicksPerSecond > 0 ? im.scene->mAnimations[0]->mTicksPerSecond : 25.0) / 3,
                                                                  file);
        cr_assert_gt(compared, 0, "%s: no skinned vertex compared", file);
    }
    release_both(&im);
}

Test(skin, fbx_skinned_and_animated) {
    check_file(MODELS "/FBX/huesitos.fbx", 1, 1);
}

/* The demo's character (samples/characters, written by tools/make_demo_character.c). */
Test(skin, demo_character) {
    check_file(zct_source_path("samples/characters/waver.gltf"), 1, 1);
}

Test(skin, md5_simple_cube) {
    check_file(MODELS "/MD5/SimpleCube.md5mesh", 0, 1);
}

Test(skin, fbx_animation_with_skeleton) {
    check_file(MODELS "/FBX/animation_with_skeleton.fbx", 1, 1);
}

Test(skin, collada_rotations_between_keys) {
    check_file(MODELS "/Collada/anims_with_full_rotations_between_keys.DAE", 1, 0);
}

/* BVH motion: a skeleton of the animated joints and one clip, no mesh (assimp's scene
 * has one, a figure it draws of the bones, which the import leaves out). At every
 * frame (key) of the clip every joint's world transform matches assimp's keys taken
 * as they are; every 64th midpoint between frames matches assimp's keys interpolated.
 * The files' units are centimetres or inches, so the bound is relative to the
 * skeleton's size (the largest joint translation of the rest pose). */
static void check_bvh(const char *file) {
    imported im;
    import_both(file, &im);
    cr_assert_eq(im.scene->mNumAnimations, 1);
    const struct aiAnimation *anim = im.scene->mAnimations[0];
    cr_assert_eq(im.skel.joint_count, anim->mNumChannels, "%s: one joint per animated node", file);
    for (size_t i = 0; i < im.model.entry_count; ++i)
        cr_assert(!strstr(im.model.entries[i].path, "#mesh/") && !strstr(im.model.entries[i].path, "#material/"),
                  "%s: %s is left out (not geometry of the file)", file, im.model.entries[i].path);
    const zc_model_entry *e = zc_model_find(&im.model, "m#animation/0");
    cr_assert_not_null(e);
    zc_animation_view view;
    cr_assert_eq(zc_animation_view_from_bytes(e->payload, e->size, &view), ZC_OK);
    measure(&im);
    unsigned keys = 0;
    for (unsigned c = 0; c < anim->mNumChannels; ++c)
        if (anim->mChannels[c]->mNumRotationKeys > keys) keys = anim->mChannels[c]->mNumRotationKeys;
    cr_assert_gt(keys, 100, "%s: %u frames", file, keys);
    double tps = anim->mTicksPerSecond, worst_key = 0.0, worst_mid = 0.0;
    for (unsigned k = 0; k < keys; ++k) {
        worst_key = fmax(worst_key, compare_joints_at(&im, &view, anim, k / tps, (long)k, file));
        /* the midpoint as the float the runtime samples at (at 30 s a float time is
         * off by up to 2e-6 s, which a toe turning fast between frames shows) */
        if (k % 64 == 0 && k + 1 < keys)
            worst_mid = fmax(worst_mid, compare_joints(&im, &view, anim, (double)(float)((k + 0.5) / tps), file));
    }
    cr_log_info("%s: %u joints, %u frames at %g per second: largest joint difference %.3g at the frames, %.3g "
                "between them (of the skeleton's size %.3g)",
                file, im.skel.joint_count, keys, tps, worst_key, worst_mid, im.size);
    release_both(&im);
}

Test(skin, bvh_01_01_every_frame) {
    check_bvh(MODELS "/BVH/01_01.bvh");
}

Test(skin, bvh_01_03_every_frame) {
    check_bvh(MODELS "/BVH/01_03.bvh");
}

Test(skin, bvh_boxing_toes_every_frame) {
    check_bvh(MODELS "/BVH/Boxing_Toes.bvh");
}

/* IQM, decoded here from the bytes (trusting the test file). */
static uint32_t iqm_u32(const uint8_t *d, size_t at) {
    return (uint32_t)d[at] | (uint32_t)d[at + 1] << 8 | (uint32_t)d[at + 2] << 16 | (uint32_t)d[at + 3] << 24;
}

static double iqm_f32(const uint8_t *d, size_t at) {
    uint32_t u = iqm_u32(d, at);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* The local matrix of a pose: translation 0..2, quaternion x y z w 3..6, scale 7..9. */
static dmat iqm_local(const double *p) {
    return trs(p, p + 3, p + 7);
}

Test(skin, iqm_mrfixit_joints_skin_and_frames) {
    const char *file = MODELS "/IQM/mrfixit.iqm";
    imported im;
    import_both(file, &im);
    size_t size;
    uint8_t *d = zcti_read(file, &size);
    cr_assert_eq(memcmp(d, "INTERQUAKEMODEL", 16), 0);
    uint32_t text_at = iqm_u32(d, 32), joints = iqm_u32(d, 68), joint_at = iqm_u32(d, 72), pose_at = iqm_u32(d, 80);
    uint32_t anim_at = iqm_u32(d, 88), channels = iqm_u32(d, 96), frame_at = iqm_u32(d, 100);
    cr_assert_eq(im.skel.joint_count, joints + 1, "the file's joints below the root node");
    const dmat root = from_ai(&im.scene->mRootNode->mTransformation);

    /* meshes: every vertex of each mesh entry is one of assimp's, and as many triangles */
    for (unsigned m = 0; m < im.scene->mNumMeshes; ++m) {
        char path[32];
        snprintf(path, sizeof path, "m#mesh/%u", m);
        const zc_model_entry *e = zc_model_find(&im.model, path);
        cr_assert_not_null(e);
        zc_mesh_view mv;
        cr_assert_eq(zc_mesh_view_from_bytes(e->payload, e->size, &mv), ZC_OK);
        const struct aiMesh *am = im.scene->mMeshes[m];
        cr_assert_eq(mv.index_count / 3, am->mNumFaces);
        cr_assert_not_null(zc_mesh_view_attribute(&mv, ZC_SEMANTIC_JOINTS0), "mesh %u is skinned", m);
        for (uint32_t v = 0; v < mv.vertex_count; ++v) {
            float p[4];
            zc_mesh_view_read(&mv, zc_mesh_view_attribute(&mv, ZC_SEMANTIC_POSITION), v, p);
            int found = 0;
            for (unsigned a = 0; a < am->mNumVertices && !found; ++a)
                found = p[0] == am->mVertices[a].x && p[1] == am->mVertices[a].y && p[2] == am->mVertices[a].z;
            cr_assert(found, "mesh %u vertex %u is no vertex of assimp's", m, v);
        }
    }

    /* the bind pose (the rest pose) skins every vertex onto itself */
    measure(&im);
    float(*world)[16] = pack_world(&im, NULL, 0.0f);
    float(*skin)[16] = calloc(im.skel.joint_count, sizeof *skin);
    zc_skeleton_view_skin(&im.skel, (const float(*)[16])world, skin);
    double worst_bind = 0.0;
    uint32_t skinned = 0;
    for (unsigned m = 0; m < im.scene->mNumMeshes; ++m) {
        char path[32];
        snprintf(path, sizeof path, "m#mesh/%u", m);
        const zc_model_entry *e = zc_model_find(&im.model, path);
        zc_mesh_view mv;
        cr_assert_eq(zc_mesh_view_from_bytes(e->payload, e->size, &mv), ZC_OK);
        for (uint32_t v = 0; v < mv.vertex_count; ++v) {
            float p[4], j[4], w[4], out[3] = { 0, 0, 0 };
            zc_mesh_view_read(&mv, zc_mesh_view_attribute(&mv, ZC_SEMANTIC_POSITION), v, p);
            zc_mesh_view_read(&mv, zc_mesh_view_attribute(&mv, ZC_SEMANTIC_JOINTS0), v, j);
            zc_mesh_view_read(&mv, zc_mesh_view_attribute(&mv, ZC_SEMANTIC_WEIGHTS0), v, w);
            cr_assert_gt(w[0] + w[1] + w[2] + w[3], 0.99f, "mesh %u vertex %u has weights", m, v);
            for (int i = 0; i < 4; ++i) {
                if (w[i] == 0.0f) continue;
                const float *s = skin[(uint32_t)j[i]];
                for (int r = 0; r < 3; ++r) out[r] += w[i] * (s[r] * p[0] + s[4 + r] * p[1] + s[8 + r] * p[2] + s[12 + r]);
            }
            /* the mesh hangs on the root node: skinned, it lands where the root puts it */
            for (int r = 0; r < 3; ++r) {
                double want = root.m[r] * p[0] + root.m[4 + r] * p[1] + root.m[8 + r] * p[2] + root.m[12 + r];
                double dd = fabs(out[r] - want) / im.size;
                worst_bind = fmax(worst_bind, dd);
                cr_assert_leq(dd, 1e-4, "mesh %u vertex %u skins to %g at the bind pose, not %g", m, v, out[r], want);
            }
            skinned++;
        }
    }
    free(skin);
    free(world);

    /* every frame of the clip against the file's frames decoded here */
    const zc_model_entry *ae = zc_model_find(&im.model, "m#animation/0");
    cr_assert_not_null(ae);
    zc_animation_view view;
    cr_assert_eq(zc_animation_view_from_bytes(ae->payload, ae->size, &view), ZC_OK);
    uint32_t first = iqm_u32(d, anim_at + 4), frames = iqm_u32(d, anim_at + 8);
    double rate = iqm_f32(d, anim_at + 12);
    cr_assert_gt(frames, 1);
    double worst = 0.0;
    dmat *ref = calloc(joints, sizeof *ref);
    for (uint32_t f = 0; f < frames; ++f) {
        uint32_t k = 0;
        for (uint32_t j = 0; j < joints; ++j) {
            size_t pose = pose_at + (size_t)j * 88;
            uint32_t mask = iqm_u32(d, pose + 4);
            double v[10];
            for (int c = 0; c < 10; ++c) {
                v[c] = iqm_f32(d, pose + 8 + 4 * c);
                if (mask >> c & 1) {
                    size_t at = frame_at + ((size_t)(first + f) * channels + k++) * 2;
                    v[c] += (d[at] | d[at + 1] << 8) * iqm_f32(d, pose + 48 + 4 * c);
                }
            }
            int32_t parent = (int32_t)iqm_u32(d, joint_at + (size_t)j * 48 + 4);
            dmat local = iqm_local(v);
            ref[j] = parent < 0 ? dmul(&root, &local) : dmul(&ref[parent], &local);
        }
        cr_assert_eq(k, channels);
        world = pack_world(&im, &view, (float)(f / rate));
        for (uint32_t j = 0; j < joints; ++j) {
            const char *name = (const char *)d + text_at + iqm_u32(d, joint_at + (size_t)j * 48);
            uint32_t pj = zc_skeleton_view_find_joint(&im.skel, name);
            cr_assert_neq(pj, ZC_JOINT_NONE, "joint %s", name);
            for (int e = 0; e < 16; ++e) {
                double dd = fabs(ref[j].m[e] - world[pj][e]) / (e >= 12 ? im.size : 1.0);
                worst = fmax(worst, dd);
                cr_assert_leq(dd, 1e-4, "frame %u joint %s: element %d is %g, the file's %g", f, name, e, world[pj][e],
                              ref[j].m[e]);
            }
        }
        free(world);
    }
    cr_log_info("%s: %u joints, %u vertices at the bind pose within %.3g, %u frames within %.3g (of the model's "
                "size %.3g)",
                file, joints, skinned, worst_bind, frames, worst, im.size);
    free(ref);
    free(d);
    release_both(&im);
}

/* mrfixit.iqm with its byte blend arrays rewritten in other formats of IQM: each
 * array's values converted (indexes as they are; weights w / 255 as floats or
 * halves, w * 257 as u16, which is w / 255 of 65535) and placed at the end of the
 * file, the array's record pointing there. */
static uint8_t *iqm_reformat_blend(const uint8_t *d, size_t size, uint32_t index_format, uint32_t weight_format,
                                   size_t *out_size) {
    static const uint32_t component[] = { 1, 1, 2, 2, 4, 4, 2, 4, 8 };
    uint32_t arrays = iqm_u32(d, 44), vertices = iqm_u32(d, 48), array_at = iqm_u32(d, 52);
    size_t total = (size + 7) & ~(size_t)7;
    uint8_t *out = calloc(1, total + (size_t)vertices * 4 * 8 * 2);
    memcpy(out, d, size);
    for (uint32_t i = 0; i < arrays; ++i) {
        uint8_t *a = out + array_at + (size_t)i * 20;
        uint32_t type = iqm_u32(a, 0), at = iqm_u32(a, 16);
        if (type != 4 && type != 5) continue;
        cr_assert_eq(iqm_u32(a, 8), 1, "mrfixit's blend arrays are bytes");
        uint32_t format = type == 4 ? index_format : weight_format;
        for (size_t k = 0; k < (size_t)vertices * 4; ++k) {
            uint32_t b = d[at + k];
            uint8_t *p = out + total + k * component[format];
            if (type == 4 || format == 1) {
                for (uint32_t c = 0; c < component[format]; ++c) p[c] = (uint8_t)(b >> 8 * c);
            } else if (format == 3) {
                p[0] = (uint8_t)(b * 257), p[1] = (uint8_t)(b * 257 >> 8);
            } else if (format == 7) {
                float f = (float)(b / 255.0);
                memcpy(p, &f, 4);
            } else {
                cr_assert_eq(format, 6, "a format this test writes");
                int e;
                double m = frexp(b / 255.0, &e); /* b / 255 = m * 2^e, m in [0.5, 1) */
                uint32_t h = b == 0 ? 0 : (uint32_t)(e + 14) << 10 | ((uint32_t)lrint(m * 2048.0) & 1023);
                if (b && lrint(m * 2048.0) == 2048) h = (uint32_t)(e + 15) << 10;
                p[0] = (uint8_t)h, p[1] = (uint8_t)(h >> 8);
            }
        }
        a[8] = (uint8_t)format;
        memcpy(a + 16, &(uint32_t){ (uint32_t)total }, 4);
        total += ((size_t)vertices * 4 * component[format] + 7) & ~(size_t)7;
    }
    memcpy(out + 20, &(uint32_t){ (uint32_t)total }, 4);
    *out_size = total;
    return out;
}

/* The meshes of two imports of mrfixit: same vertices and joints; weights within `tol`. */
static void expect_same_skin(const zc_model *a, const zc_model *b, float tol) {
    for (unsigned m = 0;; ++m) {
        char path[32];
        snprintf(path, sizeof path, "m#mesh/%u", m);
        const zc_model_entry *ea = zc_model_find(a, path), *eb = zc_model_find(b, path);
        cr_assert_eq(ea == NULL, eb == NULL, "%s", path);
        if (!ea) {
            cr_assert_gt(m, 0);
            return;
        }
        if (tol == 0.0f) {
            cr_assert(ea->size == eb->size && memcmp(ea->payload, eb->payload, ea->size) == 0, "%s differs", path);
            continue;
        }
        zc_mesh_view va, vb;
        cr_assert_eq(zc_mesh_view_from_bytes(ea->payload, ea->size, &va), ZC_OK);
        cr_assert_eq(zc_mesh_view_from_bytes(eb->payload, eb->size, &vb), ZC_OK);
        cr_assert_eq(va.vertex_count, vb.vertex_count);
        for (uint32_t v = 0; v < va.vertex_count; ++v) {
            float pa[4], pb[4], wa[4], wb[4];
            zc_mesh_view_read(&va, zc_mesh_view_attribute(&va, ZC_SEMANTIC_POSITION), v, pa);
            zc_mesh_view_read(&vb, zc_mesh_view_attribute(&vb, ZC_SEMANTIC_POSITION), v, pb);
            cr_assert(memcmp(pa, pb, 3 * sizeof(float)) == 0, "%s vertex %u moved", path, v);
            zc_mesh_view_read(&va, zc_mesh_view_attribute(&va, ZC_SEMANTIC_WEIGHTS0), v, wa);
            zc_mesh_view_read(&vb, zc_mesh_view_attribute(&vb, ZC_SEMANTIC_WEIGHTS0), v, wb);
            for (int k = 0; k < 4; ++k)
                cr_assert_leq(fabsf(wa[k] - wb[k]), tol, "%s vertex %u weight %d: %g, not %g", path, v, k, wb[k], wa[k]);
        }
    }
}

static void import_iqm_bytes(const uint8_t *bytes, size_t size, zc_model *model) {
    char *file = zct_tmp_path("reformatted.iqm");
    zct_write_file(file, bytes, size);
    zc_model_settings settings;
    memset(&settings, 0, sizeof settings);
    zc_diag diag = { "" };
    memset(model, 0, sizeof *model);
    cr_assert_eq(zc_model_import_file(file, "m", &settings, model, &diag), ZC_OK, "%s", diag.message);
    free(file);
}

Test(skin, iqm_blend_arrays_of_every_integer_and_float_format) {
    const char *file = MODELS "/IQM/mrfixit.iqm";
    zcti_require(file);
    size_t size, out_size;
    uint8_t *d = zcti_read(file, &size);
    zc_model plain, other;
    import_iqm_bytes(d, size, &plain);
    cr_assert(!plain.notes || !strstr(plain.notes, "IQM"), "%s", plain.notes);
    /* weights that are exactly the bytes' give the very same meshes */
    const uint32_t exact[][2] = { { 3, 7 }, { 5, 3 }, { 1, 7 } }; /* u16/f32, u32/u16, u8/f32 */
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; ++i) {
        uint8_t *bytes = iqm_reformat_blend(d, size, exact[i][0], exact[i][1], &out_size);
        import_iqm_bytes(bytes, out_size, &other);
        cr_assert(!other.notes || !strstr(other.notes, "IQM"), "indexes %u, weights %u: %s", exact[i][0], exact[i][1],
                  other.notes);
        expect_same_skin(&plain, &other, 0.0f);
        zc_model_free(&other);
        free(bytes);
    }
    /* half floats hold w / 255 to 11 bits */
    uint8_t *bytes = iqm_reformat_blend(d, size, 1, 6, &out_size);
    import_iqm_bytes(bytes, out_size, &other);
    cr_assert(!other.notes || !strstr(other.notes, "IQM"), "%s", other.notes);
    expect_same_skin(&plain, &other, 1.0f / 255.0f);
    zc_model_free(&other);
    free(bytes);
    /* float indexes: the joints are left out with a note naming the problem */
    bytes = iqm_reformat_blend(d, size, 7, 7, &out_size);
    import_iqm_bytes(bytes, out_size, &other);
    cr_assert(other.notes && strstr(other.notes, "blend indexes are not integers"), "%s", other.notes);
    cr_assert_null(zc_model_find(&other, "m#skeleton/0"));
    zc_model_free(&other);
    free(bytes);
    zc_model_free(&plain);
    free(d);
}

/* The IQM reader on hostile bytes: every prefix shorter than the file (up to 4 KiB,
 * then every 509th) is refused with a sentence or read consistently; random bit flips
 * give a sentence or a consistent result, never a crash (the sanitize build). */
Test(skin, iqm_reader_refuses_damaged_files) {
    size_t size;
    uint8_t *bytes = zcti_read(MODELS "/IQM/mrfixit.iqm", &size);
    zc__iqm q;
    zc_diag d;
    cr_assert_eq(zc__iqm_read(bytes, size, &q, &d), ZC_OK, "%s", d.message);
    cr_assert_eq(q.joint_count, 75);
    cr_assert_eq(q.anim_count, 1);
    zc__iqm_free(&q);
    int refused = 0;
    for (size_t cut = 0; cut < size; cut += cut < 4096 ? 1 : 509) {
        uint8_t *prefix = malloc(cut ? cut : 1);
        memcpy(prefix, bytes, cut);
        d.message[0] = 0;
        zc_result r = zc__iqm_read(prefix, cut, &q, &d);
        if (r != ZC_OK) {
            cr_assert_eq(r, ZC_ERR_BAD_SOURCE, "prefix of %zu bytes", cut);
            cr_assert_neq(d.message[0], 0);
            refused++;
        } else {
            zc__iqm_free(&q);
        }
        free(prefix);
    }
    cr_assert_gt(refused, 0);
    uint8_t *copy = malloc(size);
    uint64_t seed = 77;
    int accepted = 0;
    for (int round = 0; round < 1000; ++round) {
        memcpy(copy, bytes, size);
        zct_flip_bits(copy, size, 1200, 4, &seed); /* half the flips in the header, text and meshes */
        zc_result r = zc__iqm_read(copy, size, &q, &d);
        if (r != ZC_OK) {
            cr_assert_eq(r, ZC_ERR_BAD_SOURCE);
            continue;
        }
        accepted++;
        for (uint32_t j = 0; j < q.joint_count; ++j) cr_assert_lt(q.joints[j].parent, (int32_t)j);
        for (uint32_t v = 0; q.blend && v < q.vertex_count; ++v)
            for (int k = 0; k < 4; ++k) {
                cr_assert(q.blend[v].weight[k] >= 0.0f && q.blend[v].weight[k] <= 1.0f);
                if (q.blend[v].weight[k] != 0.0f) cr_assert_lt(q.blend[v].joint[k], q.joint_count);
            }
        for (uint32_t a = 0; a < q.anim_count; ++a) cr_assert_leq(q.anims[a].first + q.anims[a].count, q.frame_count);
        zc__iqm_free(&q);
    }
    cr_log_info("IQM reader: %d prefixes refused; %d of 1000 damaged files accepted", refused, accepted);
    free(copy);
    free(bytes);
}

/* ---------------------------------------------------------------------------------
 * Damaged payloads
 * ------------------------------------------------------------------------------- */

static uint8_t *copy_of(const zc_model_entry *e) {
    return zct_aligned_copy(e->payload, e->size, 16);
}

Test(skin, validators_refuse_damaged_payloads) {
    imported im;
    import_both(MODELS "/glTF2/simple_skin/simple_skin.gltf", &im);
    const zc_model_entry *se = zc_model_find(&im.model, "m#skeleton/0"), *ae = zc_model_find(&im.model, "m#animation/0");
    cr_assert_eq(zc_layout_hash(ZC_SKELETON_LAYOUT_DESC), ZC_SKELETON_LAYOUT_HASH);
    cr_assert_eq(zc_layout_hash(ZC_ANIMATION_LAYOUT_DESC), ZC_ANIMATION_LAYOUT_HASH);
    zc_diag d;

    uint8_t *s = copy_of(se);
    zc_skeleton *sk = (zc_skeleton *)s;
    zc_joint *joints = (zc_joint *)(void *)zc_array_data(&sk->joints);
    uint32_t *order = (uint32_t *)(void *)zc_array_data(&sk->name_order);
    cr_assert_eq(zc_skeleton_check(s, se->size, &d), ZC_OK, "%s", d.message);
    joints[0].parent = 1; /* a parent after its child */
    cr_assert_eq(zc_skeleton_check(s, se->size, &d), ZC_ERR_BAD_ENTRY);
    cr_assert(strstr(d.message, "does not come before it"), "%s", d.message);
    joints[0].parent = ZC_JOINT_NONE;
    joints[1].inverse_bind[5] = NAN;
    cr_assert_eq(zc_skeleton_check(s, se->size, &d), ZC_ERR_BAD_ENTRY);
    joints[1].inverse_bind[5] = 1.0f;
    joints[1].rotation[3] = 2.0f;
    cr_assert_eq(zc_skeleton_check(s, se->size, &d), ZC_ERR_BAD_ENTRY);
    cr_assert(strstr(d.message, "unit quaternion"), "%s", d.message);
    memcpy(s, se->payload, se->size);
    order[0] = 1000;
    cr_assert_eq(zc_skeleton_check(s, se->size, &d), ZC_ERR_BAD_ENTRY);
    memcpy(s, se->payload, se->size);
    for (uint64_t cut = 0; cut < se->size; cut += 8) cr_assert_neq(zc_skeleton_check(s, cut, &d), ZC_OK, "cut at %llu", (unsigned long long)cut);
    free(s);

    uint8_t *a = copy_of(ae);
    zc_animation *an = (zc_animation *)a;
    zc_animation_channel *ch = (zc_animation_channel *)(void *)zc_array_data(&an->channels);
    float *times = (float *)(void *)zc_array_data(&an->times);
    cr_assert_eq(zc_animation_check(a, ae->size, &d), ZC_OK, "%s", d.message);
    ch[1].joint = an->joint_count;
    cr_assert_eq(zc_animation_check(a, ae->size, &d), ZC_ERR_BAD_ENTRY);
    memcpy(a, ae->payload, ae->size);
    ch[1].key_count += 1000;
    cr_assert_eq(zc_animation_check(a, ae->size, &d), ZC_ERR_BAD_ENTRY);
    cr_assert(strstr(d.message, "outside the clip's arrays"), "%s", d.message);
    memcpy(a, ae->payload, ae->size);
    ch[1].width = 3;
    cr_assert_eq(zc_animation_check(a, ae->size, &d), ZC_ERR_BAD_ENTRY);
    memcpy(a, ae->payload, ae->size);
    times[ch[1].first_time + 2] = times[ch[1].first_time + 1] - 0.25f; /* out of order */
    cr_assert_eq(zc_animation_check(a, ae->size, &d), ZC_ERR_BAD_ENTRY);
    memcpy(a, ae->payload, ae->size);
    an->joint_count = 70000; /* more than any skeleton: a reader sizing poses by it must not trust it */
    cr_assert_eq(zc_animation_check(a, ae->size, &d), ZC_ERR_LIMIT);
    memcpy(a, ae->payload, ae->size);
    an->duration = 1.0f; /* keys after the end */
    cr_assert_eq(zc_animation_check(a, ae->size, &d), ZC_ERR_BAD_ENTRY);
    memcpy(a, ae->payload, ae->size);
    uint64_t used = (uint64_t)((const uint8_t *)zc_array_data(&an->values) - a) + an->values.count * sizeof(float);
    for (uint64_t cut = 0; cut < used; cut += 4) cr_assert_neq(zc_animation_check(a, cut, &d), ZC_OK, "cut at %llu", (unsigned long long)cut);
    /* random bytes changed: refused or accepted, never a crash; an accepted clip samples */
    uint64_t seed = 12345;
    for (int round = 0; round < 4000; ++round) {
        memcpy(a, ae->payload, ae->size);
        for (int k = 0; k < 3; ++k) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            a[(seed >> 33) % ae->size] ^= (uint8_t)(1u << ((seed >> 20) & 7));
        }
        zc_animation_view view;
        if (zc_animation_view_from_bytes(a, ae->size, &view) == ZC_OK) {
            zc_joint_pose poses[8];
            memset(poses, 0, sizeof poses);
            zc_animation_view_sample(&view, 1.25f, poses, 8);
        }
    }
    free(a);
    release_both(&im);
}
