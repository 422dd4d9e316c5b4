/* zc_morph.h - the morph entry type: the morph targets (blend shapes) of one mesh,
 * as position and normal offsets per vertex that weights blend onto the mesh.
 *
 * Payload layout (SPEC.md, "Morph"):
 *
 *   zc_morph                                    at offset 0 of the entry
 *   float x target_count                        the target of `weights`
 *   float x 3 * vertex_count * target_count     the target of `positions`
 *   float x 3 * vertex_count * target_count     the target of `normals` (optional)
 *
 * The mesh entry named by `mesh` (asset id) has exactly `vertex_count` vertices, and
 * vertex v of target t moves by positions[(t * vertex_count + v) * 3 + 0..2] times the
 * target's weight (normals alike, normalised again after blending): a vertex at
 * weights w is base + sum over t of w[t] * offset[t]. The offsets are in the mesh's
 * own units and vertex order, so they apply to its decoded POSITION and NORMAL
 * attributes as they are (positions as the mesh's attribute decodes them: a
 * normalized POSITION attribute decodes onto the mesh's bounds first). `weights` are
 * the weights a mesh has when no animation sets them (glTF's mesh weights). The
 * reference importer makes the mesh's bounds cover every vertex at any weights in
 * [0, 1], so culling by them stays right while the targets play; with
 * ZC_MORPH_FRAMES, whose weights sum to at most 1, every vertex at the base and at
 * each target, which holds every blend of them. An
 * animation's WEIGHTS channel (zc_animation.h) sets all target_count weights at once.
 *
 * The check at the end is safe on untrusted bytes. Pure: no I/O, no allocation.
 */
#ifndef ZC_MORPH_LAYOUT_H
#define ZC_MORPH_LAYOUT_H

#include "zc_layout.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZC_TYPE_MORPH ZC_FOURCC('M', 'R', 'P', 'H')

#define ZC_MORPH_LAYOUT_DESC                                                                        \
    "morph/1:mesh@0:u64,vertex_count@8:u32,target_count@12:u32,flags@16:u32,reserved0@20:u32,"      \
    "weights@24:array_f32,positions@40:array_f32,normals@56:array_f32,reserved1@72:u64"
#define ZC_MORPH_LAYOUT_HASH 0xe7999069u /* zc_layout_hash(ZC_MORPH_LAYOUT_DESC) */

#define ZC_MORPH_MAX_TARGETS 255u        /* an animation's WEIGHTS channel is at most this wide */
#define ZC_MORPH_MAX_VERTICES (1u << 28) /* a mesh's limit (zc_mesh.h) */
#define ZC_MORPH_MAX_FLOATS (1u << 30)   /* floats of positions, and of normals */

/* zc_morph.flags */
#define ZC_MORPH_NORMALS 1u              /* `normals` holds an offset per vertex and target */
#define ZC_MORPH_FRAMES 2u               /* the targets are whole frames of a vertex animation
                                            (MD2, MD3): their weights are each in [0, 1] and sum
                                            to at most 1 (one frame, or a blend of frames) */

typedef struct zc_morph {
    uint64_t mesh;              /* asset id of the mesh entry the targets move */
    uint32_t vertex_count;      /* that mesh's vertex_count, [1, ZC_MORPH_MAX_VERTICES] */
    uint32_t target_count;      /* [1, ZC_MORPH_MAX_TARGETS] */
    uint32_t flags;             /* ZC_MORPH_*; other bits zero */
    uint32_t reserved0;         /* 0 */
    zc_array weights;           /* float[target_count]: default weights, finite */
    zc_array positions;         /* float[3 * vertex_count * target_count], target-major, finite */
    zc_array normals;           /* the same count with ZC_MORPH_NORMALS, else empty; finite */
    uint64_t reserved1;         /* 0 */
} zc_morph;

ZC_STATIC_ASSERT(sizeof(zc_morph) == 80, "zc_morph size");
ZC_CHECK_LAYOUT(zc_morph, mesh, 0);
ZC_CHECK_LAYOUT(zc_morph, vertex_count, 8);
ZC_CHECK_LAYOUT(zc_morph, target_count, 12);
ZC_CHECK_LAYOUT(zc_morph, flags, 16);
ZC_CHECK_LAYOUT(zc_morph, reserved0, 20);
ZC_CHECK_LAYOUT(zc_morph, weights, 24);
ZC_CHECK_LAYOUT(zc_morph, positions, 40);
ZC_CHECK_LAYOUT(zc_morph, normals, 56);
ZC_CHECK_LAYOUT(zc_morph, reserved1, 72);

#ifdef __cplusplus
}
#endif

#endif /* ZC_MORPH_LAYOUT_H */

/* ---------------------------------------------------------------------------------
 * The check (formats/zc_format.h's diagnostics). Left out while ZC__LAYOUT_ONLY is
 * defined, as zc_pack.h includes this header; included again without it (zc_types.h,
 * zc_pack_format.h), it adds the check.
 * ------------------------------------------------------------------------------- */

#if !defined(ZC__LAYOUT_ONLY) && !defined(ZC_MORPH_H)
#define ZC_MORPH_H

#include "zc_format.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The index of the first float of `count` that is not finite, count when all are. */
static inline uint64_t zc__morph_first_nonfinite(const float *v, uint64_t count) {
    for (uint64_t i = 0; i < count; ++i)
        if (!zc_f32_finite(v[i])) return i;
    return count;
}

/* Full structural check of a morph payload, MR1 to MR5 of SPEC.md (section "Morph").
 * Untrusted. O(floats); allocation-free. */
static inline zc_result zc_morph_check(const void *payload, uint64_t size, zc_diag *diag) {
    if (size < sizeof(zc_morph))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "morph entry of %llu bytes is smaller than its header",
                       (unsigned long long)size);
    const zc_morph *m = (const zc_morph *)payload;
    if (m->reserved0 != 0 || m->reserved1 != 0 || (m->flags & ~(ZC_MORPH_NORMALS | ZC_MORPH_FRAMES)) != 0)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "morph has unknown flags or reserved bits set");
    if (m->vertex_count == 0 || m->vertex_count > ZC_MORPH_MAX_VERTICES || m->target_count == 0 ||
        m->target_count > ZC_MORPH_MAX_TARGETS)
        return zc_fail(diag, ZC_ERR_LIMIT, "morph of %u targets over %u vertices is outside [1, %u] x [1, %u]",
                       m->target_count, m->vertex_count, ZC_MORPH_MAX_TARGETS, ZC_MORPH_MAX_VERTICES);
    uint64_t floats = 3ull * m->vertex_count * m->target_count;
    if (floats > ZC_MORPH_MAX_FLOATS)
        return zc_fail(diag, ZC_ERR_LIMIT, "morph of %u targets over %u vertices holds more than %u floats",
                       m->target_count, m->vertex_count, ZC_MORPH_MAX_FLOATS);
    zc_result r = zc_check_array(payload, size, &m->weights, 4, 4, ZC_MORPH_MAX_TARGETS, diag);
    if (r == ZC_OK) r = zc_check_array(payload, size, &m->positions, 4, 4, ZC_MORPH_MAX_FLOATS, diag);
    if (r == ZC_OK) r = zc_check_array(payload, size, &m->normals, 4, 4, ZC_MORPH_MAX_FLOATS, diag);
    if (r != ZC_OK) return r;
    uint64_t normals = (m->flags & ZC_MORPH_NORMALS) ? floats : 0;
    if (m->weights.count != m->target_count || m->positions.count != floats || m->normals.count != normals)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY,
                       "morph arrays hold %llu weights, %llu and %llu floats; %u targets over %u vertices need %u, "
                       "%llu and %llu",
                       (unsigned long long)m->weights.count, (unsigned long long)m->positions.count,
                       (unsigned long long)m->normals.count, m->target_count, m->vertex_count, m->target_count,
                       (unsigned long long)floats, (unsigned long long)normals);
    const zc_array *arrays[3] = { &m->weights, &m->positions, &m->normals };
    static const char *const names[3] = { "weight", "position offset", "normal offset" };
    for (int a = 0; a < 3; ++a) {
        uint64_t bad = zc__morph_first_nonfinite((const float *)zc_array_data(arrays[a]), arrays[a]->count);
        if (bad < arrays[a]->count)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "morph %s %llu is not finite", names[a], (unsigned long long)bad);
    }
    return ZC_OK;
}

#ifdef __cplusplus
}
#endif

#endif /* ZC_MORPH_H */
