/* zc_model_iqm.c - the skeleton, skin and clips of IQM files.
 *
 * assimp 5.2 reads an IQM file's meshes and nothing of its joints, blend weights or
 * animations. This reader takes those from the file itself and adds them to assimp's
 * scene as assimp's importers describe skinned models, so the skeleton, mesh and
 * animation passes handle them as any other format's:
 *  - one node per joint, named like it, below the scene's root node (joints without a
 *    parent) or its parent joint's node, holding the joint's base pose (translation,
 *    rotation, scale: T * R * S) as its transform;
 *  - per mesh, one bone per joint its vertices' blend indexes name, with the
 *    vertices' blend weights (integers over their format's largest value, or floats),
 *    and the inverse of the joint's base
 *    pose relative to the root node as offset matrix (the meshes hang on the root);
 *  - per animation of the file, a clip with a key per frame for every joint (its
 *    pose's channel offsets plus, for the channels its mask names, the frame's value
 *    times the channel's scale), frame j at j / framerate seconds (25 per second when
 *    the file's rate is not a positive number).
 * Alignment with assimp's meshes is checked: assimp keeps the file's meshes and their
 * vertices in file order, and each of its positions must equal the file's (within
 * ZC__IQM_MATCH of the model's size), or the joints are left out with a note and the
 * model imports as assimp read it. So are they when the file has no joints or its
 * blend arrays are not 4 numbers per vertex (indexes of an integer format).
 *
 * File layout read here (version 2, little-endian, offsets from the start of the
 * file): header of 124 bytes: "INTERQUAKEMODEL\0", version, file size, flags, then
 * count/offset pairs: text (bytes), meshes, vertex arrays (count, vertex count,
 * offset), triangles (count, offset, adjacency offset), joints, poses, animations,
 * frames (count, channels per frame, offset, bounds offset), comment, extensions.
 * mesh: name, material, first vertex, vertex count, first triangle, triangle count
 * (u32 each); vertex array: type (0 position, 4 blend indexes, 5 blend weights),
 * flags, format (0 to 8: i8, u8, i16, u16, i32, u32, half, f32, f64), components,
 * offset; joint: name u32,
 * parent i32, translate[3], rotate[4] (x, y, z, w), scale[3] f32; pose: parent i32,
 * channel mask u32, channel offset[10], channel scale[10] f32; animation: name,
 * first frame, frame count u32, framerate f32, flags u32; frames: u16 values, per
 * frame one per masked channel of every pose in order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <assimp/scene.h>

#include "zc_model_internal.h"

enum {
    ZC__IQM_HEADER_SIZE = 124,
    ZC__IQM_VERSION = 2,
    ZC__IQM_MESH_SIZE = 24,
    ZC__IQM_ARRAY_SIZE = 20,
    ZC__IQM_JOINT_SIZE = 48,
    ZC__IQM_POSE_SIZE = 88,
    ZC__IQM_ANIM_SIZE = 20,
    ZC__IQM_POSITION = 0,
    ZC__IQM_BLEND_INDEXES = 4,
    ZC__IQM_BLEND_WEIGHTS = 5,
    ZC__IQM_BYTE = 0,
    ZC__IQM_UBYTE = 1,
    ZC__IQM_SHORT = 2,
    ZC__IQM_USHORT = 3,
    ZC__IQM_INT = 4,
    ZC__IQM_UINT = 5,
    ZC__IQM_HALF = 6,
    ZC__IQM_FLOAT = 7,
    ZC__IQM_DOUBLE = 8,
};
#define ZC__IQM_MAX_FILE (256u << 20)
#define ZC__IQM_MAX_POSE_FLOATS (1u << 26) /* frames x joints x 10 decoded; and clip keys x joints */
#define ZC__IQM_DEFAULT_RATE 25.0
#define ZC__IQM_MATCH 1e-5

/* 1 when count records of `size` bytes at `offset` lie inside `total` bytes. */
static int zc__iqm_inside(uint64_t offset, uint64_t count, uint64_t size, uint64_t total) {
    return offset <= total && count <= (total - offset) / (size ? size : 1);
}

void zc__iqm_free(zc__iqm *q) {
    if (!q) return;
    free(q->text);
    free(q->joints);
    free(q->meshes);
    free(q->positions);
    free(q->blend);
    free(q->anims);
    free(q->poses);
    memset(q, 0, sizeof *q);
}

/* The text string at `offset`, or NULL when it does not lie in the text. */
static const char *zc__iqm_text(const zc__iqm *q, uint32_t offset) {
    return offset < q->text_size ? q->text + offset : NULL;
}

static zc_result zc__iqm_oom(zc__iqm *q, zc_diag *diag) {
    zc__iqm_free(q);
    return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory reading the IQM file");
}

static zc_result zc__iqm_bad(zc__iqm *q, zc_diag *diag, const char *what) {
    zc__iqm_free(q);
    return zc_fail(diag, ZC_ERR_BAD_SOURCE, "IQM: %s", what);
}

/* Bytes of one component of a vertex array of `format`; 0 for a format IQM does not
 * define. */
static uint32_t zc__iqm_component_size(uint32_t format) {
    static const uint8_t sizes[] = { 1, 1, 2, 2, 4, 4, 2, 4, 8 };
    return format < sizeof sizes ? sizes[format] : 0;
}

/* The vertex array component of `format` at p, as a double; integer formats as
 * integers (signed ones sign-extended). Half floats are IEEE binary16. */
static double zc__iqm_component(const uint8_t *p, uint32_t format) {
    switch (format) {
    case ZC__IQM_BYTE: return (int8_t)p[0];
    case ZC__IQM_UBYTE: return p[0];
    case ZC__IQM_SHORT: return (int16_t)(p[0] | p[1] << 8);
    case ZC__IQM_USHORT: return p[0] | p[1] << 8;
    case ZC__IQM_INT: return (int32_t)zc__le_u32(p);
    case ZC__IQM_UINT: return zc__le_u32(p);
    case ZC__IQM_HALF: {
        uint32_t h = (uint32_t)(p[0] | p[1] << 8), exponent = h >> 10 & 31, mantissa = h & 1023;
        double v = exponent == 0    ? ldexp(mantissa, -24)
                   : exponent == 31 ? (mantissa ? NAN : INFINITY)
                                    : ldexp(mantissa + 1024, (int)exponent - 25);
        return h >> 15 ? -v : v;
    }
    case ZC__IQM_FLOAT: return zc__le_f32(p);
    default: {
        uint64_t u = zc__le_u32(p) | (uint64_t)zc__le_u32(p + 4) << 32;
        double v;
        memcpy(&v, &u, sizeof v);
        return v;
    }
    }
}

/* The weight an integer component stands for: its value over the format's largest
 * (IQM's normalised integers); a float component is the weight itself. */
static double zc__iqm_weight(const uint8_t *p, uint32_t format) {
    static const double largest[] = { 127.0, 255.0, 32767.0, 65535.0, 2147483647.0, 4294967295.0 };
    double v = zc__iqm_component(p, format);
    return format < sizeof largest / sizeof largest[0] ? v / largest[format] : v;
}

/* The blend arrays of 4 components per vertex into q->blend: indexes of any integer
 * format, weights of any format. A weight that is not a finite number in [0, 1], or
 * a weighted index that names no joint, refuses the file. */
static zc_result zc__iqm_blend(const uint8_t *indexes, uint32_t index_format, const uint8_t *weights,
                               uint32_t weight_format, zc__iqm *q, zc_diag *diag) {
    if (index_format > ZC__IQM_UINT) return zc__iqm_bad(q, diag, "blend indexes are not integers");
    uint32_t is = zc__iqm_component_size(index_format), ws = zc__iqm_component_size(weight_format);
    if (!(q->blend = malloc((size_t)q->vertex_count * sizeof *q->blend + 1))) return zc__iqm_oom(q, diag);
    for (uint32_t v = 0; v < q->vertex_count; ++v) {
        zc__iqm_influence *b = &q->blend[v];
        for (int k = 0; k < 4; ++k) {
            double joint = zc__iqm_component(indexes + ((size_t)v * 4 + k) * is, index_format);
            double weight = zc__iqm_weight(weights + ((size_t)v * 4 + k) * ws, weight_format);
            if (!(weight >= 0.0 && weight <= 1.0)) return zc__iqm_bad(q, diag, "a blend weight is not in [0, 1]");
            b->weight[k] = (float)weight;
            b->joint[k] = joint >= 0.0 && joint < q->joint_count ? (uint32_t)joint : UINT32_MAX;
            if (b->weight[k] != 0.0f && b->joint[k] == UINT32_MAX)
                return zc__iqm_bad(q, diag, "a vertex names a joint the file does not have");
        }
    }
    return ZC_OK;
}

/* Vertex arrays: positions (float x 3) and the blend arrays (4 components of any
 * format per vertex). */
static zc_result zc__iqm_arrays(const uint8_t *d, uint64_t size, const uint32_t *h, zc__iqm *q, zc_diag *diag) {
    uint32_t count = h[7], vertices = h[8], offset = h[9];
    if (!zc__iqm_inside(offset, count, ZC__IQM_ARRAY_SIZE, size)) return zc__iqm_bad(q, diag, "the vertex arrays lie outside the file");
    const uint8_t *indexes = NULL, *weights = NULL;
    uint32_t index_format = 0, weight_format = 0;
    for (uint32_t i = 0; i < count; ++i) {
        const uint8_t *a = d + offset + (size_t)i * ZC__IQM_ARRAY_SIZE;
        uint32_t type = zc__le_u32(a), format = zc__le_u32(a + 8), comps = zc__le_u32(a + 12), at = zc__le_u32(a + 16);
        if (type != ZC__IQM_POSITION && type != ZC__IQM_BLEND_INDEXES && type != ZC__IQM_BLEND_WEIGHTS) continue;
        int is_pos = type == ZC__IQM_POSITION;
        if (is_pos ? format != ZC__IQM_FLOAT || comps != 3u : !zc__iqm_component_size(format) || comps != 4u)
            return zc__iqm_bad(q, diag, is_pos ? "positions are not 3 floats per vertex"
                                               : "blend indexes or weights are not 4 numbers per vertex");
        if (!zc__iqm_inside(at, vertices, comps * zc__iqm_component_size(format), size))
            return zc__iqm_bad(q, diag, "a vertex array lies outside the file");
        if (is_pos) {
            free(q->positions); /* a second position array replaces the first */
            if (!(q->positions = malloc((size_t)vertices * 3 * sizeof *q->positions + 1))) return zc__iqm_oom(q, diag);
            for (size_t k = 0; k < (size_t)vertices * 3; ++k) q->positions[k] = zc__le_f32(d + at + 4 * k);
        } else if (type == ZC__IQM_BLEND_INDEXES) {
            indexes = d + at;
            index_format = format;
        } else {
            weights = d + at;
            weight_format = format;
        }
    }
    q->vertex_count = vertices;
    if (!q->positions) return zc__iqm_bad(q, diag, "the file has no positions");
    return indexes && weights ? zc__iqm_blend(indexes, index_format, weights, weight_format, q, diag) : ZC_OK;
}

/* Poses of every frame decoded into q->poses. */
static zc_result zc__iqm_frames(const uint8_t *d, uint64_t size, const uint32_t *h, zc__iqm *q, zc_diag *diag) {
    uint32_t poses = h[15], pose_at = h[16], frames = h[19], channels = h[20], frame_at = h[21];
    if (!q->anim_count) return ZC_OK;
    if (poses != q->joint_count) return zc__iqm_bad(q, diag, "the file has animations and not one pose per joint");
    if (!zc__iqm_inside(pose_at, poses, ZC__IQM_POSE_SIZE, size) || !zc__iqm_inside(frame_at, frames, 2ull * channels, size) ||
        (channels && (uint64_t)frames * channels * 2 > size))
        return zc__iqm_bad(q, diag, "the poses or frames lie outside the file");
    if ((uint64_t)frames * poses * 10 > ZC__IQM_MAX_POSE_FLOATS)
        return zc__iqm_bad(q, diag, "more frames and joints than zcpack reads");
    uint32_t used = 0;
    for (uint32_t j = 0; j < poses; ++j) {
        const uint8_t *p = d + pose_at + (size_t)j * ZC__IQM_POSE_SIZE;
        int32_t parent = (int32_t)zc__le_u32(p);
        if (parent != q->joints[j].parent) return zc__iqm_bad(q, diag, "a pose's parent is not its joint's");
        for (int c = 0; c < 10; ++c) used += zc__le_u32(p + 4) >> c & 1;
    }
    if (used != channels) return zc__iqm_bad(q, diag, "the poses' channel masks do not add up to the frames' channels");
    uint64_t keys = 0;
    for (uint32_t a = 0; a < q->anim_count; ++a) {
        if (q->anims[a].first > frames || q->anims[a].count > frames - q->anims[a].first)
            return zc__iqm_bad(q, diag, "an animation's frames lie outside the file's frames");
        keys += (uint64_t)q->anims[a].count * poses;
    }
    if (keys > ZC__IQM_MAX_POSE_FLOATS) return zc__iqm_bad(q, diag, "more animation keys than zcpack reads");
    q->frame_count = frames;
    if (!(q->poses = malloc((size_t)frames * poses * 10 * sizeof *q->poses + 1))) return zc__iqm_oom(q, diag);
    for (uint32_t f = 0; f < frames; ++f) {
        const uint8_t *values = d + frame_at + (size_t)f * channels * 2;
        uint32_t k = 0;
        for (uint32_t j = 0; j < poses; ++j) {
            const uint8_t *p = d + pose_at + (size_t)j * ZC__IQM_POSE_SIZE;
            uint32_t mask = zc__le_u32(p + 4);
            float *out = q->poses + ((size_t)f * poses + j) * 10;
            for (int c = 0; c < 10; ++c) {
                out[c] = zc__le_f32(p + 8 + 4 * c);
                if (mask >> c & 1) {
                    out[c] += (float)(values[2 * k] | values[2 * k + 1] << 8) * zc__le_f32(p + 48 + 4 * c);
                    k++;
                }
                if (!isfinite(out[c])) return zc__iqm_bad(q, diag, "a frame's pose is not finite");
            }
        }
    }
    return ZC_OK;
}

zc_result zc__iqm_read(const uint8_t *d, size_t size, zc__iqm *q, zc_diag *diag) {
    memset(q, 0, sizeof *q);
    if (!d || size < ZC__IQM_HEADER_SIZE || memcmp(d, "INTERQUAKEMODEL", 16) != 0)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the file is not an IQM model (no \"INTERQUAKEMODEL\" header)");
    /* h[i]: the header's u32 after the magic: 0 version, 1 file size, 2 flags, 3 4 text,
     * 5 6 meshes, 7 8 9 vertex arrays, 10 11 12 triangles, 13 14 joints, 15 16 poses,
     * 17 18 animations, 19 20 21 22 frames, 23 24 comment, 25 26 extensions */
    uint32_t h[27];
    for (int i = 0; i < 27; ++i) h[i] = zc__le_u32(d + 16 + 4 * i);
    if (h[0] != ZC__IQM_VERSION) return zc_fail(diag, ZC_ERR_BAD_SOURCE, "IQM version %u is not 2", h[0]);
    uint32_t text_size = h[3], text_at = h[4], meshes = h[5], mesh_at = h[6];
    uint32_t joints = h[13], joint_at = h[14], anims = h[17], anim_at = h[18];
    if (!zc__iqm_inside(text_at, text_size, 1, size) || !zc__iqm_inside(mesh_at, meshes, ZC__IQM_MESH_SIZE, size) ||
        !zc__iqm_inside(joint_at, joints, ZC__IQM_JOINT_SIZE, size) || !zc__iqm_inside(anim_at, anims, ZC__IQM_ANIM_SIZE, size))
        return zc__iqm_bad(q, diag, "the text, meshes, joints or animations lie outside the file");
    if (joints > ZC_SKELETON_MAX_JOINTS - 1) return zc__iqm_bad(q, diag, "more joints than a skeleton holds");
    q->text_size = text_size;
    q->joint_count = joints;
    q->mesh_count = meshes;
    q->anim_count = anims;
    q->text = malloc((size_t)text_size + 1);
    q->joints = malloc((size_t)joints * sizeof *q->joints + 1);
    q->meshes = malloc((size_t)meshes * sizeof *q->meshes + 1);
    q->anims = malloc((size_t)anims * sizeof *q->anims + 1);
    if (!q->text || !q->joints || !q->meshes || !q->anims) return zc__iqm_oom(q, diag);
    memcpy(q->text, d + text_at, text_size);
    q->text[text_size] = 0; /* every name ends inside the copy */
    for (uint32_t j = 0; j < joints; ++j) {
        const uint8_t *p = d + joint_at + (size_t)j * ZC__IQM_JOINT_SIZE;
        zc__iqm_joint *jt = &q->joints[j];
        jt->name = zc__iqm_text(q, zc__le_u32(p));
        jt->parent = (int32_t)zc__le_u32(p + 4);
        if (!jt->name) return zc__iqm_bad(q, diag, "a joint's name lies outside the text");
        if (jt->parent < -1 || jt->parent >= (int32_t)j) return zc__iqm_bad(q, diag, "a joint's parent does not come before it");
        for (int k = 0; k < 10; ++k) {
            jt->pose[k] = zc__le_f32(p + 8 + 4 * k);
            if (!isfinite(jt->pose[k])) return zc__iqm_bad(q, diag, "a joint's base pose is not finite");
        }
    }
    for (uint32_t m = 0; m < meshes; ++m) {
        const uint8_t *p = d + mesh_at + (size_t)m * ZC__IQM_MESH_SIZE;
        q->meshes[m].first_vertex = zc__le_u32(p + 8);
        q->meshes[m].vertex_count = zc__le_u32(p + 12);
        if (q->meshes[m].first_vertex > h[8] || q->meshes[m].vertex_count > h[8] - q->meshes[m].first_vertex)
            return zc__iqm_bad(q, diag, "a mesh's vertices lie outside the vertex arrays");
    }
    for (uint32_t a = 0; a < anims; ++a) {
        const uint8_t *p = d + anim_at + (size_t)a * ZC__IQM_ANIM_SIZE;
        q->anims[a].name = zc__iqm_text(q, zc__le_u32(p));
        q->anims[a].first = zc__le_u32(p + 4);
        q->anims[a].count = zc__le_u32(p + 8);
        q->anims[a].rate = zc__le_f32(p + 12);
        if (!q->anims[a].name) return zc__iqm_bad(q, diag, "an animation's name lies outside the text");
        if (!(q->anims[a].rate > 0.0f) || !isfinite(q->anims[a].rate)) q->anims[a].rate = (float)ZC__IQM_DEFAULT_RATE;
    }
    zc_result r = zc__iqm_arrays(d, size, h, q, diag);
    if (r == ZC_OK) r = zc__iqm_frames(d, size, h, q, diag);
    return r;
}

/* ---------------------------------------------------------------------------------
 * Into assimp's scene
 * ------------------------------------------------------------------------------- */

/* Row-major T * R * S of a pose (translation 0..2, quaternion x y z w 3..6, scale
 * 7..9), the quaternion normalised (identity when it is zero). */
static struct aiMatrix4x4 zc__iqm_matrix(const float *p) {
    double x = p[3], y = p[4], z = p[5], w = p[6], n = sqrt(x * x + y * y + z * z + w * w);
    if (n > 0.0) x /= n, y /= n, z /= n, w /= n;
    else x = y = z = 0.0, w = 1.0;
    const double r[3][3] = { { 1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w) },
                             { 2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w) },
                             { 2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y) } };
    struct aiMatrix4x4 m;
    ai_real *c = &m.a1;
    for (int row = 0; row < 3; ++row) {
        for (int col = 0; col < 3; ++col) c[row * 4 + col] = (ai_real)(r[row][col] * p[7 + col]);
        c[row * 4 + 3] = p[row];
    }
    c[12] = c[13] = c[14] = 0, c[15] = 1;
    return m;
}

/* a * b, row-major, in double. */
static void zc__iqm_mul(const double *a, const double *b, double *out) {
    double t[16];
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c) {
            double s = 0;
            for (int k = 0; k < 4; ++k) s += a[r * 4 + k] * b[k * 4 + c];
            t[r * 4 + c] = s;
        }
    memcpy(out, t, sizeof t);
}

/* Inverse of an affine row-major matrix (3x3 by cofactors, then the translation); 0
 * when it is singular. */
static int zc__iqm_inverse(const double *m, double *out) {
    double a = m[0], b = m[1], c = m[2], d = m[4], e = m[5], f = m[6], g = m[8], h = m[9], i = m[10];
    double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
    if (!(fabs(det) > 1e-30)) return 0;
    double inv[9] = { (e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det,
                      (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det,
                      (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det };
    for (int r = 0; r < 3; ++r) {
        for (int k = 0; k < 3; ++k) out[r * 4 + k] = inv[r * 3 + k];
        out[r * 4 + 3] = -(inv[r * 3] * m[3] + inv[r * 3 + 1] * m[7] + inv[r * 3 + 2] * m[11]);
    }
    out[12] = out[13] = out[14] = 0, out[15] = 1;
    return 1;
}

/* What zc__model_iqm_skin adds, to be freed. */
typedef struct zc__iqm_scene {
    struct aiScene scene;       /* first: the scene handed out is this */
    const struct aiScene *original;
    struct aiNode root;
    struct aiNode *nodes;       /* one per joint */
    struct aiNode **children;   /* every child list, one block */
    struct aiMesh *meshes;      /* copies of assimp's */
    struct aiMesh **mesh_list;
    struct aiBone *bones;       /* every mesh's bones, one block */
    struct aiBone **bone_lists;
    struct aiVertexWeight *weights;
    struct aiAnimation *anims;
    struct aiAnimation **anim_list;
    struct aiNodeAnim *channels;
    struct aiNodeAnim **channel_lists;
    struct aiVectorKey *vector_keys;
    struct aiQuatKey *quat_keys;
} zc__iqm_scene;

void zc__model_iqm_skin_free(struct aiScene *scene) {
    zc__iqm_scene *s = (zc__iqm_scene *)scene;
    if (!s) return;
    free(s->nodes), free(s->children), free(s->meshes), free(s->mesh_list), free(s->bones), free(s->bone_lists);
    free(s->weights), free(s->anims), free(s->anim_list), free(s->channels), free(s->channel_lists);
    free(s->vector_keys), free(s->quat_keys);
    free(s);
}

static void zc__iqm_name(struct aiString *s, const char *name) {
    size_t len = strlen(name);
    if (len >= sizeof s->data) len = sizeof s->data - 1;
    memcpy(s->data, name, len);
    s->data[len] = 0;
    s->length = (uint32_t)len;
}

/* Joint nodes under a copy of the root. */
static int zc__iqm_nodes(zc__iqm_scene *s, const zc__iqm *q) {
    const struct aiNode *root = s->original->mRootNode;
    uint32_t n = q->joint_count, slots = root->mNumChildren + n;
    s->nodes = calloc(n ? n : 1, sizeof *s->nodes);
    s->children = calloc(slots ? slots : 1, sizeof *s->children);
    uint32_t *child_count = calloc(n + 1, sizeof *child_count);
    if (!s->nodes || !s->children || !child_count) {
        free(child_count);
        return 0;
    }
    s->root = *root;
    for (uint32_t j = 0; j < n; ++j) child_count[q->joints[j].parent + 1]++;
    /* child lists in one block: the root's (its own children, then its joints), then each joint's */
    struct aiNode **at = s->children;
    if (root->mNumChildren && root->mChildren) memcpy(at, root->mChildren, root->mNumChildren * sizeof *at);
    else s->root.mNumChildren = 0;
    s->root.mChildren = at;
    at += s->root.mNumChildren + child_count[0];
    for (uint32_t j = 0; j < n; ++j) {
        s->nodes[j].mChildren = at;
        at += child_count[j + 1];
    }
    for (uint32_t j = 0; j < n; ++j) {
        struct aiNode *node = &s->nodes[j], *parent = q->joints[j].parent < 0 ? &s->root : &s->nodes[q->joints[j].parent];
        zc__iqm_name(&node->mName, q->joints[j].name);
        node->mTransformation = zc__iqm_matrix(q->joints[j].pose);
        node->mParent = parent;
        parent->mChildren[parent->mNumChildren++] = node;
    }
    free(child_count);
    s->scene.mRootNode = &s->root;
    return 1;
}

/* Each mesh copied with its bones. bind[j]: the joint's base pose relative to the root. */
static int zc__iqm_bones(zc__iqm_scene *s, const zc__iqm *q, const double (*bind)[16]) {
    const struct aiScene *o = s->original;
    uint64_t weights = 0; /* per mesh, as written below: meshes may share vertices */
    for (unsigned m = 0; m < o->mNumMeshes; ++m)
        for (uint32_t v = 0; v < q->meshes[m].vertex_count; ++v)
            for (int k = 0; k < 4; ++k) weights += q->blend[(size_t)q->meshes[m].first_vertex + v].weight[k] != 0.0f;
    size_t bone_slots = (size_t)o->mNumMeshes * q->joint_count;
    s->meshes = calloc(o->mNumMeshes, sizeof *s->meshes);
    s->mesh_list = calloc(o->mNumMeshes, sizeof *s->mesh_list);
    s->bones = calloc(bone_slots ? bone_slots : 1, sizeof *s->bones);
    s->bone_lists = calloc(bone_slots ? bone_slots : 1, sizeof *s->bone_lists);
    s->weights = calloc(weights ? weights : 1, sizeof *s->weights);
    uint32_t *per_joint = calloc(q->joint_count ? q->joint_count : 1, sizeof *per_joint);
    if (!s->meshes || !s->mesh_list || !s->bones || !s->bone_lists || !s->weights || !per_joint) {
        free(per_joint);
        return 0;
    }
    struct aiVertexWeight *w = s->weights;
    for (unsigned m = 0; m < o->mNumMeshes; ++m) {
        struct aiMesh *mesh = &s->meshes[m];
        *mesh = *o->mMeshes[m];
        s->mesh_list[m] = mesh;
        struct aiBone *bones = s->bones + (size_t)m * q->joint_count;
        struct aiBone **list = s->bone_lists + (size_t)m * q->joint_count;
        mesh->mBones = list;
        mesh->mNumBones = 0;
        uint32_t first = q->meshes[m].first_vertex, count = q->meshes[m].vertex_count;
        /* each bone's weights in one pass over the vertices: counted, placed, filled */
        memset(per_joint, 0, (size_t)q->joint_count * sizeof *per_joint);
        for (uint32_t v = 0; v < count; ++v)
            for (int k = 0; k < 4; ++k) {
                const zc__iqm_influence *b = &q->blend[(size_t)first + v];
                if (b->weight[k] != 0.0f) per_joint[b->joint[k]]++;
            }
        for (uint32_t j = 0; j < q->joint_count; ++j) {
            bones[j].mWeights = w;
            w += per_joint[j];
        }
        for (uint32_t v = 0; v < count; ++v)
            for (int k = 0; k < 4; ++k) {
                const zc__iqm_influence *b = &q->blend[(size_t)first + v];
                if (b->weight[k] == 0.0f) continue; /* an index without weight may name no joint */
                struct aiBone *bone = &bones[b->joint[k]];
                bone->mWeights[bone->mNumWeights++] = (struct aiVertexWeight){ v, b->weight[k] };
            }
        for (uint32_t j = 0; j < q->joint_count; ++j) {
            struct aiBone *bone = &bones[j];
            if (!bone->mNumWeights) continue;
            zc__iqm_name(&bone->mName, q->joints[j].name);
            double inv[16];
            if (!zc__iqm_inverse(bind[j], inv)) {
                free(per_joint);
                return -1;
            }
            ai_real *c = &bone->mOffsetMatrix.a1;
            for (int k = 0; k < 16; ++k) c[k] = (ai_real)inv[k];
            list[mesh->mNumBones++] = bone;
        }
    }
    free(per_joint);
    s->scene.mMeshes = s->mesh_list;
    return 1;
}

/* One clip per animation of the file: a key per frame for every joint. */
static int zc__iqm_clips(zc__iqm_scene *s, const zc__iqm *q) {
    uint64_t keys = 0;
    for (uint32_t a = 0; a < q->anim_count; ++a) keys += (uint64_t)q->anims[a].count * q->joint_count;
    size_t channels = (size_t)q->anim_count * q->joint_count;
    s->anims = calloc(q->anim_count ? q->anim_count : 1, sizeof *s->anims);
    s->anim_list = calloc(q->anim_count ? q->anim_count : 1, sizeof *s->anim_list);
    s->channels = calloc(channels ? channels : 1, sizeof *s->channels);
    s->channel_lists = calloc(channels ? channels : 1, sizeof *s->channel_lists);
    s->vector_keys = calloc(keys ? 2 * keys : 1, sizeof *s->vector_keys);
    s->quat_keys = calloc(keys ? keys : 1, sizeof *s->quat_keys);
    if (!s->anims || !s->anim_list || !s->channels || !s->channel_lists || !s->vector_keys || !s->quat_keys) return 0;
    struct aiVectorKey *vk = s->vector_keys;
    struct aiQuatKey *qk = s->quat_keys;
    for (uint32_t a = 0; a < q->anim_count; ++a) {
        struct aiAnimation *anim = &s->anims[a];
        s->anim_list[a] = anim;
        zc__iqm_name(&anim->mName, q->anims[a].name);
        anim->mTicksPerSecond = q->anims[a].rate;
        anim->mDuration = q->anims[a].count ? q->anims[a].count - 1 : 0;
        anim->mChannels = s->channel_lists + (size_t)a * q->joint_count;
        for (uint32_t j = 0; q->anims[a].count && j < q->joint_count; ++j) {
            struct aiNodeAnim *ch = &s->channels[(size_t)a * q->joint_count + j];
            anim->mChannels[anim->mNumChannels++] = ch;
            zc__iqm_name(&ch->mNodeName, q->joints[j].name);
            ch->mNumPositionKeys = ch->mNumRotationKeys = ch->mNumScalingKeys = q->anims[a].count;
            ch->mPositionKeys = vk;
            ch->mScalingKeys = vk + q->anims[a].count;
            ch->mRotationKeys = qk;
            for (uint32_t k = 0; k < q->anims[a].count; ++k) {
                const float *p = q->poses + ((size_t)(q->anims[a].first + k) * q->joint_count + j) * 10;
                double x = p[3], y = p[4], z = p[5], w = p[6], n = sqrt(x * x + y * y + z * z + w * w);
                if (n > 0.0) x /= n, y /= n, z /= n, w /= n;
                else x = y = z = 0.0, w = 1.0;
                ch->mPositionKeys[k] = (struct aiVectorKey){ .mTime = k, .mValue = { p[0], p[1], p[2] } };
                ch->mScalingKeys[k] = (struct aiVectorKey){ .mTime = k, .mValue = { p[7], p[8], p[9] } };
                ch->mRotationKeys[k].mTime = k;
                ch->mRotationKeys[k].mValue.x = (ai_real)x, ch->mRotationKeys[k].mValue.y = (ai_real)y;
                ch->mRotationKeys[k].mValue.z = (ai_real)z, ch->mRotationKeys[k].mValue.w = (ai_real)w;
            }
            vk += 2 * (size_t)q->anims[a].count;
            qk += q->anims[a].count;
        }
    }
    s->scene.mAnimations = s->anim_list;
    s->scene.mNumAnimations = q->anim_count;
    return 1;
}

/* Largest difference between the file's positions and assimp's, relative to the
 * model's size; -1 when the meshes do not correspond. */
static double zc__iqm_mismatch(const zc__iqm *q, const struct aiScene *scene) {
    if (scene->mNumMeshes != q->mesh_count || !scene->mMeshes) return -1.0;
    double extent = 1.0, worst = 0.0;
    for (size_t k = 0; k < (size_t)q->vertex_count * 3; ++k) extent = fmax(extent, fabs(q->positions[k]));
    for (unsigned m = 0; m < scene->mNumMeshes; ++m) {
        const struct aiMesh *am = scene->mMeshes[m];
        if (!am || !am->mVertices || am->mNumVertices != q->meshes[m].vertex_count) return -1.0;
        for (unsigned v = 0; v < am->mNumVertices; ++v) {
            const float *p = q->positions + ((size_t)q->meshes[m].first_vertex + v) * 3;
            const struct aiVector3D *a = &am->mVertices[v];
            double d = fmax(fabs(p[0] - a->x), fmax(fabs(p[1] - a->y), fabs(p[2] - a->z))) / extent;
            if (!(d <= worst)) worst = d;
        }
    }
    return worst;
}

static zc_result zc__iqm_parse(const uint8_t *data, size_t size, void *out, zc_diag *diag) {
    return zc__iqm_read(data, size, out, diag);
}

zc_result zc__model_iqm_skin(zc__model_build *b, const struct aiScene *scene, struct aiScene **out, zc_diag *diag) {
    *out = NULL;
    zc__iqm q;
    int parsed;
    zc_result r = zc__model_parse_source(b, ZC__IQM_MAX_FILE, "IQM joints", zc__iqm_parse, &q, &parsed, diag);
    if (r != ZC_OK || !parsed) return r;
    double mismatch = 0.0;
    if (!q.joint_count || !q.blend) {
        if (q.joint_count) zc__model_note(b, "IQM joints left out: the file has no blend indexes and weights");
        zc__iqm_free(&q);
        return ZC_OK;
    }
    if ((mismatch = zc__iqm_mismatch(&q, scene)) < 0.0 || mismatch > ZC__IQM_MATCH || !scene->mRootNode) {
        zc__model_note(b, "IQM joints left out: assimp's meshes are not the file's (positions differ by %.3g)",
                       mismatch);
        zc__iqm_free(&q);
        return ZC_OK;
    }
    zc__iqm_scene *s = calloc(1, sizeof *s);
    double(*bind)[16] = malloc((size_t)q.joint_count * sizeof *bind);
    int ok = s && bind;
    if (ok) {
        s->scene = *scene;
        s->original = scene;
        for (uint32_t j = 0; j < q.joint_count; ++j) {
            struct aiMatrix4x4 m = zc__iqm_matrix(q.joints[j].pose);
            const ai_real *c = &m.a1;
            for (int k = 0; k < 16; ++k) bind[j][k] = c[k];
            if (q.joints[j].parent >= 0) zc__iqm_mul(bind[q.joints[j].parent], bind[j], bind[j]);
        }
        ok = zc__iqm_nodes(s, &q);
        if (ok) ok = zc__iqm_bones(s, &q, (const double(*)[16])bind);
        if (ok == 1) ok = zc__iqm_clips(s, &q);
    }
    free(bind);
    zc__iqm_free(&q);
    if (ok == -1) {
        zc__model_iqm_skin_free(&s->scene);
        zc__model_note(b, "IQM joints left out: a joint's base pose cannot be inverted");
        return ZC_OK;
    }
    if (!ok) {
        zc__model_iqm_skin_free(s ? &s->scene : NULL);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory adding the IQM joints");
    }
    *out = &s->scene;
    return ZC_OK;
}
