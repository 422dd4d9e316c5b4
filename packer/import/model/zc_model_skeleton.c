/* zc_model_skeleton.c - the skeleton pass and the animation pass of the model import
 * (zc_model_internal.h).
 *
 * Skeleton: the joints are the nodes that skin a mesh (assimp's bones) or that an
 * animation channel moves (morph weight channels included), with every ancestor of those nodes up to the root, in
 * depth-first order (parents first), so a joint's world transform is the product of
 * joint poses alone. Each joint keeps its node's local transform as rest pose and the
 * inverse bind matrix of the first bone naming it (identity when none does).
 * Translations are scaled by settings.scale, as the scene's are. The entry is
 * P#skeleton/0; nothing is written for a model without bones or animations.
 *
 * Animations: every aiAnimation becomes P#animation/<i>: one channel per animated
 * property of a joint, key times in seconds (assimp's ticks over its ticks per
 * second, 25 when the file gives none), linear interpolation (what assimp's keys
 * mean). A morph weight channel (assimp's aiMeshMorphAnim, named by the node that
 * holds the morphed mesh) becomes a WEIGHTS channel of that node's joint, as wide as
 * the node's first morphed mesh has targets, every key dense (targets a key does not
 * name weigh 0). Channels of nodes that do not exist are left out with a note.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <assimp/scene.h>

#include "zc_model_internal.h"

#define ZC__DEFAULT_TICKS 25.0 /* assimp's documented default for mTicksPerSecond == 0 */

/* ---------------------------------------------------------------------------------
 * Nodes
 * ------------------------------------------------------------------------------- */

typedef struct zc__skel_node {
    const struct aiNode *node;
    int32_t parent;             /* index in the flat list, -1 for the root */
    int needed;
} zc__skel_node;

typedef struct zc__skel_build {
    zc__skel_node *nodes;       /* depth-first, parents first */
    uint32_t count;
} zc__skel_build;

/* Depth-first flattening, iterative (ZC_SCENE_MAX_DEPTH and ZC_SCENE_MAX_NODES apply
 * as in the scene pass). */
static zc_result zc__skel_flatten(const struct aiScene *scene, zc__skel_build *s, zc_diag *diag) {
    typedef struct { const struct aiNode *node; int32_t parent; uint32_t depth; } visit;
    size_t cap = 64, stack_cap = 64, top = 0;
    s->nodes = malloc(cap * sizeof *s->nodes);
    visit *stack = malloc(stack_cap * sizeof *stack);
    zc_result r = ZC_OK;
    if (!s->nodes || !stack) {
        free(stack);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory flattening the node tree");
    }
    stack[top++] = (visit){ scene->mRootNode, -1, 1 };
    while (top > 0 && r == ZC_OK) {
        visit v = stack[--top];
        if (v.depth > ZC_SCENE_MAX_DEPTH || s->count == ZC_SCENE_MAX_NODES) {
            r = zc_fail(diag, ZC_ERR_LIMIT, "the node hierarchy is deeper than %u levels or has more than %u nodes",
                        ZC_SCENE_MAX_DEPTH, ZC_SCENE_MAX_NODES);
            break;
        }
        unsigned children = v.node->mChildren ? v.node->mNumChildren : 0;
        if (s->count == cap || top + children > stack_cap) {
            size_t ncap = s->count == cap ? cap * 2 : cap, nstack = stack_cap;
            while (top + children > nstack) nstack *= 2;
            zc__skel_node *grown = realloc(s->nodes, ncap * sizeof *grown);
            if (grown) s->nodes = grown;
            visit *sgrown = grown ? realloc(stack, nstack * sizeof *sgrown) : NULL;
            if (!grown || !sgrown) {
                r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory flattening the node tree");
                break;
            }
            stack = sgrown;
            cap = ncap;
            stack_cap = nstack;
        }
        uint32_t self = s->count++;
        s->nodes[self] = (zc__skel_node){ v.node, v.parent, 0 };
        for (unsigned c = children; c-- > 0;) /* reversed, so the first child comes out first */
            if (v.node->mChildren[c]) stack[top++] = (visit){ v.node->mChildren[c], (int32_t)self, v.depth + 1 };
    }
    free(stack);
    return r;
}

static int zc__same_name(const struct aiString *a, const struct aiString *b) {
    return a->length == b->length && memcmp(a->data, b->data, a->length) == 0;
}

/* The first node (depth-first) named `name`, -1 when none. */
static int32_t zc__skel_find(const zc__skel_build *s, const struct aiString *name) {
    for (uint32_t i = 0; i < s->count; ++i)
        if (zc__same_name(&s->nodes[i].node->mName, name)) return (int32_t)i;
    return -1;
}

/* Mark node i and its ancestors. */
static void zc__skel_need(zc__skel_build *s, int32_t i) {
    while (i >= 0 && !s->nodes[i].needed) {
        s->nodes[i].needed = 1;
        i = s->nodes[i].parent;
    }
}

/* Mark every bone of every mesh and every animated node; notes for names no node has. */
static void zc__skel_mark(zc__model_build *b, const struct aiScene *scene, zc__skel_build *s) {
    char name[ZC__MODEL_NOTE_NAME + 1];
    for (unsigned m = 0; m < scene->mNumMeshes; ++m) {
        const struct aiMesh *am = scene->mMeshes[m];
        for (unsigned k = 0; am && am->mBones && k < am->mNumBones; ++k) {
            if (!am->mBones[k]) continue;
            int32_t at = zc__skel_find(s, &am->mBones[k]->mName);
            if (at >= 0) zc__skel_need(s, at);
            else zc__model_note(b, "mesh %u: bone \"%s\" names no node: its weights are left out", m,
                                zc__model_note_name(&am->mBones[k]->mName, name));
        }
    }
    for (unsigned a = 0; scene->mAnimations && a < scene->mNumAnimations; ++a) {
        const struct aiAnimation *anim = scene->mAnimations[a];
        for (unsigned c = 0; anim && anim->mChannels && c < anim->mNumChannels; ++c)
            if (anim->mChannels[c]) zc__skel_need(s, zc__skel_find(s, &anim->mChannels[c]->mNodeName));
        for (unsigned c = 0; anim && anim->mMorphMeshChannels && c < anim->mNumMorphMeshChannels; ++c)
            if (anim->mMorphMeshChannels[c]) zc__skel_need(s, zc__skel_find(s, &anim->mMorphMeshChannels[c]->mName));
    }
}

/* ---------------------------------------------------------------------------------
 * The skeleton entry
 * ------------------------------------------------------------------------------- */

static void zc__identity(float m[16]) {
    memset(m, 0, 16 * sizeof *m);
    m[0] = m[5] = m[10] = m[15] = 1.0f;
}

/* The inverse bind matrix of the first bone named like `node`, column-major, its
 * translation scaled; identity when no bone names it. */
static void zc__inverse_bind(const struct aiScene *scene, const struct aiNode *node, float scale, float out[16]) {
    zc__identity(out);
    for (unsigned m = 0; m < scene->mNumMeshes; ++m) {
        const struct aiMesh *am = scene->mMeshes[m];
        for (unsigned k = 0; am && am->mBones && k < am->mNumBones; ++k) {
            const struct aiBone *bone = am->mBones[k];
            if (!bone || !zc__same_name(&bone->mName, &node->mName)) continue;
            const struct aiMatrix4x4 *o = &bone->mOffsetMatrix; /* row-major: a4 is x's translation */
            const float rows[4][4] = { { o->a1, o->a2, o->a3, o->a4 * scale },
                                       { o->b1, o->b2, o->b3, o->b4 * scale },
                                       { o->c1, o->c2, o->c3, o->c4 * scale },
                                       { o->d1, o->d2, o->d3, o->d4 } };
            for (int c = 0; c < 4; ++c)
                for (int r = 0; r < 4; ++r) out[c * 4 + r] = rows[r][c];
            return;
        }
    }
}

/* Rest pose of a node: its transform decomposed, translation scaled. */
static zc_result zc__rest_pose(const struct aiNode *node, float scale, zc_joint *j, uint32_t index, zc_diag *diag) {
    if (!zc__model_decompose(node, scale, j->translation, j->rotation, j->scale))
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "joint %u has a transform that is not finite or cannot be decomposed",
                       index);
    return ZC_OK;
}

static const zc_joint *zc__sort_joints; /* qsort's context: the joints being ordered */

static int zc__by_name(const void *pa, const void *pb) {
    const zc_joint *a = &zc__sort_joints[*(const uint32_t *)pa], *b = &zc__sort_joints[*(const uint32_t *)pb];
    int c = zc_skeleton_name_cmp(zc_string_data(&a->name), a->name.length, zc_string_data(&b->name), b->name.length);
    if (c) return c;
    return *(const uint32_t *)pa < *(const uint32_t *)pb ? -1 : 1; /* stable: the lower index first */
}

/* Lay the joints out: header, joints, name order, names. */
static zc_result zc__skeleton_payload(zc__model_build *b, const struct aiScene *scene, const zc__skel_build *s,
                                      void **out, size_t *out_size, zc_diag *diag) {
    uint32_t n = b->joint_count;
    size_t at_joints = sizeof(zc_skeleton), at_order = at_joints + (size_t)n * sizeof(zc_joint);
    size_t at_names = at_order + (size_t)n * sizeof(uint32_t), size = at_names;
    char(*names)[ZC_SKELETON_MAX_NAME + 1] = malloc((size_t)n * sizeof *names);
    size_t *lengths = malloc((size_t)n * sizeof *lengths);
    if (!names || !lengths) {
        free(names);
        free(lengths);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for the skeleton");
    }
    for (uint32_t i = 0; i < n; ++i) {
        const struct aiString *src = &b->joint_nodes[i]->mName;
        lengths[i] = zc__model_utf8_copy(src->data, src->length, names[i], ZC_SKELETON_MAX_NAME);
        size += lengths[i] + 1;
    }
    uint8_t *p = zc__model_alloc_payload(size);
    zc_result r = p ? ZC_OK : zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for the skeleton");
    if (r == ZC_OK) {
        zc_skeleton *h = (zc_skeleton *)p;
        zc_joint *joints = (zc_joint *)(p + at_joints);
        uint32_t *order = (uint32_t *)(p + at_order);
        h->joints.count = n;
        zc_rel_set(&h->joints.offset, &h->joints, joints);
        h->name_order.count = n;
        zc_rel_set(&h->name_order.offset, &h->name_order, order);
        size_t at = at_names;
        for (uint32_t i = 0; i < n && r == ZC_OK; ++i) {
            zc_joint *j = &joints[i];
            memcpy(p + at, names[i], lengths[i] + 1);
            j->name.length = lengths[i];
            zc_rel_set(&j->name.offset, &j->name, lengths[i] ? p + at : NULL);
            at += lengths[i] + 1;
            j->parent = b->joint_parents[i];
            r = zc__rest_pose(b->joint_nodes[i], b->settings.scale, j, i, diag);
            zc__inverse_bind(scene, b->joint_nodes[i], b->settings.scale, j->inverse_bind);
            order[i] = i;
        }
        zc__sort_joints = joints;
        qsort(order, n, sizeof *order, zc__by_name);
    }
    (void)s;
    free(names);
    free(lengths);
    if (r != ZC_OK) {
        free(p);
        return r;
    }
    *out = p;
    *out_size = size;
    return ZC_OK;
}

zc_result zc__model_skeleton(zc__model_build *b, const struct aiScene *scene, zc_diag *diag) {
    zc__skel_build s = { NULL, 0 };
    zc_result r = zc__skel_flatten(scene, &s, diag);
    if (r == ZC_OK) zc__skel_mark(b, scene, &s);
    uint32_t n = 0;
    for (uint32_t i = 0; r == ZC_OK && i < s.count; ++i) n += (uint32_t)s.nodes[i].needed;
    if (r != ZC_OK || n == 0) {
        free(s.nodes);
        return r;
    }
    if (n > ZC_SKELETON_MAX_JOINTS) {
        free(s.nodes);
        return zc_fail(diag, ZC_ERR_LIMIT, "the skeleton has %u joints, more than the %u an entry holds", n,
                       ZC_SKELETON_MAX_JOINTS);
    }
    b->joint_nodes = malloc((size_t)n * sizeof *b->joint_nodes);
    b->joint_parents = malloc((size_t)n * sizeof *b->joint_parents);
    int32_t *joint_of = malloc((size_t)s.count * sizeof *joint_of);
    if (!b->joint_nodes || !b->joint_parents || !joint_of) {
        free(joint_of);
        free(s.nodes);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for the skeleton");
    }
    for (uint32_t i = 0; i < s.count; ++i) {
        joint_of[i] = -1;
        if (!s.nodes[i].needed) continue;
        joint_of[i] = (int32_t)b->joint_count;
        b->joint_nodes[b->joint_count] = s.nodes[i].node;
        /* every ancestor of a needed node is needed, so the parent is a joint already */
        b->joint_parents[b->joint_count] = s.nodes[i].parent >= 0 ? (uint32_t)joint_of[s.nodes[i].parent] : ZC_JOINT_NONE;
        b->joint_count++;
    }
    free(joint_of);
    void *payload = NULL;
    size_t size = 0;
    r = zc__skeleton_payload(b, scene, &s, &payload, &size, diag);
    free(s.nodes);
    if (r != ZC_OK) return r;
    b->skeleton_id = zc__model_part_id(b, "skeleton", 0);
    return zc__model_add_entry(b, zc__model_part_path(b, "skeleton", 0), ZC_TYPE_SKELETON, ZC_SKELETON_LAYOUT_HASH, 4,
                               payload, size, NULL, 0, diag);
}

int32_t zc__model_joint_of(const zc__model_build *b, const struct aiString *name) {
    for (uint32_t i = 0; i < b->joint_count; ++i)
        if (zc__same_name(&b->joint_nodes[i]->mName, name)) return (int32_t)i;
    return -1;
}

/* ---------------------------------------------------------------------------------
 * Animations
 * ------------------------------------------------------------------------------- */

/* Keys of one clip being laid out. */
typedef struct zc__clip {
    zc_animation_channel *channels;
    float *times, *values;
    uint32_t channel_count, time_count, value_count;
    float last_time;
} zc__clip;

/* One channel of `count` keys: times from key i at time_of(i), `width` floats from
 * value_of(i, out). Keys that are not finite fail the clip. */
static int zc__clip_channel(zc__clip *c, uint32_t joint, uint8_t path, uint16_t width, const void *keys,
                            unsigned count, double ticks, float scale) {
    zc_animation_channel *ch = &c->channels[c->channel_count++];
    *ch = (zc_animation_channel){ joint, path, ZC_INTERPOLATION_LINEAR, width, count, c->time_count, c->value_count, 0 };
    for (unsigned k = 0; k < count; ++k) {
        double time;
        float v[4];
        if (path == ZC_ANIMATION_ROTATION) {
            const struct aiQuatKey *q = &((const struct aiQuatKey *)keys)[k];
            time = q->mTime;
            v[0] = q->mValue.x, v[1] = q->mValue.y, v[2] = q->mValue.z, v[3] = q->mValue.w;
        } else {
            const struct aiVectorKey *p = &((const struct aiVectorKey *)keys)[k];
            float f = path == ZC_ANIMATION_TRANSLATION ? scale : 1.0f;
            time = p->mTime;
            v[0] = p->mValue.x * f, v[1] = p->mValue.y * f, v[2] = p->mValue.z * f;
        }
        float t = (float)(time / ticks);
        if (!zc_f32_finite(t) || t < 0.0f || (k && t < c->times[c->time_count - 1])) return 0;
        for (int i = 0; i < width; ++i)
            if (!zc_f32_finite(v[i])) return 0;
        c->times[c->time_count++] = t;
        memcpy(c->values + c->value_count, v, width * sizeof *v);
        c->value_count += width;
        if (t > c->last_time) c->last_time = t;
    }
    return 1;
}

/* The morph targets of the first morphed mesh of joint `joint`'s node: a WEIGHTS
 * channel's width; 0 when its node holds none. */
static uint16_t zc__morph_width(const zc__model_build *b, const struct aiScene *scene, int32_t joint) {
    const struct aiNode *node = b->joint_nodes[joint];
    for (unsigned k = 0; node->mMeshes && k < node->mNumMeshes; ++k) {
        unsigned m = node->mMeshes[k];
        const struct aiMesh *am = m < scene->mNumMeshes ? scene->mMeshes[m] : NULL;
        if (am && am->mAnimMeshes && am->mNumAnimMeshes)
            return (uint16_t)(am->mNumAnimMeshes < ZC_MORPH_MAX_TARGETS ? am->mNumAnimMeshes : ZC_MORPH_MAX_TARGETS);
    }
    return 0;
}

/* One morph weight channel of `width` targets: each key's weights dense (targets it
 * does not name weigh 0, targets past width are dropped). 0 when a key is not finite
 * or out of time order. */
static int zc__clip_weights(zc__clip *c, uint32_t joint, uint16_t width, const struct aiMeshMorphAnim *mm,
                            double ticks) {
    zc_animation_channel *ch = &c->channels[c->channel_count++];
    *ch = (zc_animation_channel){ joint, ZC_ANIMATION_WEIGHTS, ZC_INTERPOLATION_LINEAR, width, mm->mNumKeys,
                                  c->time_count, c->value_count, 0 };
    for (unsigned k = 0; k < mm->mNumKeys; ++k) {
        const struct aiMeshMorphKey *key = &mm->mKeys[k];
        float t = (float)(key->mTime / ticks);
        if (!zc_f32_finite(t) || t < 0.0f || (k && t < c->times[c->time_count - 1])) return 0;
        float *v = c->values + c->value_count;
        memset(v, 0, width * sizeof *v);
        for (unsigned q = 0; key->mValues && key->mWeights && q < key->mNumValuesAndWeights; ++q) {
            double w = key->mWeights[q];
            if (!zc_f32_finite((float)w)) return 0;
            if (key->mValues[q] < width) v[key->mValues[q]] = (float)w;
        }
        c->times[c->time_count++] = t;
        c->value_count += width;
        if (t > c->last_time) c->last_time = t;
    }
    return 1;
}

static zc_result zc__clip_payload(zc__model_build *b, const struct aiAnimation *anim, const zc__clip *c,
                                  void **out, size_t *out_size, zc_diag *diag) {
    char name[ZC_ANIMATION_MAX_NAME + 1];
    size_t name_length = zc__model_utf8_copy(anim->mName.data, anim->mName.length, name, ZC_ANIMATION_MAX_NAME);
    size_t at_channels = sizeof(zc_animation), at_times = at_channels + c->channel_count * sizeof(zc_animation_channel);
    size_t at_values = at_times + (size_t)c->time_count * sizeof(float);
    size_t at_name = at_values + (size_t)c->value_count * sizeof(float), size = at_name + name_length + 1;
    uint8_t *p = zc__model_alloc_payload(size);
    if (!p) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for an animation");
    zc_animation *h = (zc_animation *)p;
    memcpy(p + at_channels, c->channels, c->channel_count * sizeof(zc_animation_channel));
    memcpy(p + at_times, c->times, (size_t)c->time_count * sizeof(float));
    memcpy(p + at_values, c->values, (size_t)c->value_count * sizeof(float));
    memcpy(p + at_name, name, name_length + 1);
    h->name.length = name_length;
    zc_rel_set(&h->name.offset, &h->name, name_length ? p + at_name : NULL);
    h->skeleton = b->skeleton_id;
    double duration = anim->mDuration / (anim->mTicksPerSecond > 0.0 ? anim->mTicksPerSecond : ZC__DEFAULT_TICKS);
    h->duration = zc_f32_finite((float)duration) && (float)duration > c->last_time ? (float)duration : c->last_time;
    h->joint_count = b->joint_count;
    h->channels.count = c->channel_count;
    zc_rel_set(&h->channels.offset, &h->channels, c->channel_count ? p + at_channels : NULL);
    h->times.count = c->time_count;
    zc_rel_set(&h->times.offset, &h->times, c->time_count ? p + at_times : NULL);
    h->values.count = c->value_count;
    zc_rel_set(&h->values.offset, &h->values, c->value_count ? p + at_values : NULL);
    *out = p;
    *out_size = size;
    return ZC_OK;
}

/* Keys of a node channel: position, rotation, scaling counts (0 when the array is missing). */
static void zc__key_counts(const struct aiNodeAnim *na, unsigned n[3]) {
    n[0] = na->mPositionKeys ? na->mNumPositionKeys : 0;
    n[1] = na->mRotationKeys ? na->mNumRotationKeys : 0;
    n[2] = na->mScalingKeys ? na->mNumScalingKeys : 0;
}

/* The joint and width of a morph weight channel; joint -1 (noted) when it cannot be
 * kept. */
static int32_t zc__morph_channel_joint(zc__model_build *b, const struct aiScene *scene,
                                       const struct aiMeshMorphAnim *mm, uint32_t index, uint16_t *width) {
    char name[ZC__MODEL_NOTE_NAME + 1];
    *width = 0;
    int32_t joint = mm && mm->mKeys && mm->mNumKeys ? zc__model_joint_of(b, &mm->mName) : -1;
    if (joint >= 0 && (*width = zc__morph_width(b, scene, joint)) != 0) return joint;
    if (mm)
        zc__model_note(b, "animation %u: morph weights of node \"%s\", which holds no morphed mesh, left out", index,
                       zc__model_note_name(&mm->mName, name));
    return -1;
}

static zc_result zc__animation_entry(zc__model_build *b, const struct aiScene *scene, const struct aiAnimation *anim,
                                     uint32_t index, zc_diag *diag) {
    char name[ZC__MODEL_NOTE_NAME + 1];
    double ticks = anim->mTicksPerSecond > 0.0 ? anim->mTicksPerSecond : ZC__DEFAULT_TICKS;
    uint64_t times = 0, values = 0, channels = 0;
    for (unsigned i = 0; anim->mChannels && i < anim->mNumChannels; ++i) {
        if (!anim->mChannels[i]) continue;
        unsigned n[3];
        zc__key_counts(anim->mChannels[i], n);
        for (int k = 0; k < 3; ++k) {
            times += n[k];
            values += (uint64_t)n[k] * 4;
            channels += n[k] > 0;
        }
    }
    for (unsigned i = 0; anim->mMorphMeshChannels && i < anim->mNumMorphMeshChannels; ++i) {
        const struct aiMeshMorphAnim *mm = anim->mMorphMeshChannels[i];
        uint16_t width = 0;
        if (!mm || !mm->mKeys || !mm->mNumKeys) continue;
        int32_t joint = zc__model_joint_of(b, &mm->mName);
        if (joint >= 0) width = zc__morph_width(b, scene, joint);
        times += mm->mNumKeys;
        values += (uint64_t)mm->mNumKeys * width;
        channels++;
    }
    if (times > ZC_ANIMATION_MAX_FLOATS / 4 || values > ZC_ANIMATION_MAX_FLOATS || channels > ZC_ANIMATION_MAX_CHANNELS)
        return zc_fail(diag, ZC_ERR_LIMIT, "animation %u has more keys or channels than an entry holds", index);
    zc__clip c = { malloc((channels ? channels : 1) * sizeof(zc_animation_channel)),
                   malloc((times ? times : 1) * sizeof(float)), malloc((values ? values : 1) * sizeof(float)), 0, 0,
                   0, 0.0f };
    zc_result r = c.channels && c.times && c.values ? ZC_OK : zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    for (unsigned i = 0; r == ZC_OK && anim->mChannels && i < anim->mNumChannels; ++i) {
        const struct aiNodeAnim *na = anim->mChannels[i];
        if (!na) continue;
        int32_t joint = zc__model_joint_of(b, &na->mNodeName);
        if (joint < 0) {
            zc__model_note(b, "animation %u: channel of node \"%s\", which does not exist, left out", index,
                           zc__model_note_name(&na->mNodeName, name));
            continue;
        }
        unsigned n[3];
        zc__key_counts(na, n);
        const void *keys[3] = { na->mPositionKeys, na->mRotationKeys, na->mScalingKeys };
        static const uint16_t widths[3] = { 3, 4, 3 };
        for (uint8_t path = 0; path < 3 && r == ZC_OK; ++path)
            if (n[path] && !zc__clip_channel(&c, (uint32_t)joint, path, widths[path], keys[path], n[path], ticks,
                                             b->settings.scale))
                r = zc_fail(diag, ZC_ERR_BAD_SOURCE,
                            "animation %u: a key of node \"%s\" is not finite or out of time order", index,
                            zc__model_note_name(&na->mNodeName, name));
    }
    for (unsigned i = 0; r == ZC_OK && anim->mMorphMeshChannels && i < anim->mNumMorphMeshChannels; ++i) {
        const struct aiMeshMorphAnim *mm = anim->mMorphMeshChannels[i];
        uint16_t width;
        int32_t joint = zc__morph_channel_joint(b, scene, mm, index, &width);
        if (joint >= 0 && !zc__clip_weights(&c, (uint32_t)joint, width, mm, ticks))
            r = zc_fail(diag, ZC_ERR_BAD_SOURCE,
                        "animation %u: a morph weight key of node \"%s\" is not finite or out of time order", index,
                        zc__model_note_name(&mm->mName, name));
    }
    void *payload = NULL;
    size_t size = 0;
    if (r == ZC_OK) r = zc__clip_payload(b, anim, &c, &payload, &size, diag);
    free(c.channels);
    free(c.times);
    free(c.values);
    if (r != ZC_OK) return r;
    return zc__model_add_entry(b, zc__model_part_path(b, "animation", index), ZC_TYPE_ANIMATION,
                               ZC_ANIMATION_LAYOUT_HASH, 4, payload, size, &b->skeleton_id, 1, diag);
}

zc_result zc__model_animations(zc__model_build *b, const struct aiScene *scene, zc_diag *diag) {
    if (!scene->mAnimations || !scene->mNumAnimations) return ZC_OK;
    if (!b->joint_count) {
        zc__model_note(b, "%u animations left out: they move no node of the model", scene->mNumAnimations);
        return ZC_OK;
    }
    for (unsigned a = 0; a < scene->mNumAnimations; ++a) {
        if (!scene->mAnimations[a]) continue;
        zc_result r = zc__animation_entry(b, scene, scene->mAnimations[a], a, diag);
        if (r != ZC_OK) return r;
    }
    return ZC_OK;
}
