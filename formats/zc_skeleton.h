/* zc_skeleton.h - the skeleton entry type: the joints a skinned mesh and an animation
 * clip refer to by index.
 *
 * Payload layout (SPEC.md, "Skeleton"):
 *
 *   zc_skeleton                 at offset 0 of the entry
 *   zc_joint x joint_count      the target of `joints`, 8-byte aligned
 *   uint32_t x joint_count      the target of `name_order`: joint indices by name
 *   name bytes, NUL             the targets of the joints' names
 *
 * Joints are in parent-before-child order: a joint's parent has a smaller index, or
 * is ZC_JOINT_NONE for a root, so one forward pass turns local poses into world
 * transforms. Each joint carries its rest pose (the local translation, rotation and
 * scale of the node it was made from) and its inverse bind matrix (model space of a
 * skinned mesh to the joint's space at bind time; identity for a joint no mesh is
 * bound to). Matrices are 16 floats, column-major, for column vectors (v' = M v), as
 * in glTF. `name_order` lists the joints by name (bytewise ascending) for lookup by
 * name in O(log n).
 *
 * The check at the end is safe on untrusted bytes. Pure: no I/O, no allocation.
 */
#ifndef ZC_SKELETON_LAYOUT_H
#define ZC_SKELETON_LAYOUT_H

#include "zc_layout.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZC_TYPE_SKELETON ZC_FOURCC('S', 'K', 'E', 'L')

#define ZC_SKELETON_LAYOUT_DESC                                                                     \
    "skeleton/1:joints@0:array_joint,name_order@16:array_u32,reserved@32:u64x2;"                    \
    "joint:name@0:string,parent@16:u32,reserved@20:u32,translation@24:f32x3,scale@36:f32x3,"        \
    "rotation@48:f32x4,inverse_bind@64:f32x16"
#define ZC_SKELETON_LAYOUT_HASH 0x7a5c9fd1u /* zc_layout_hash(ZC_SKELETON_LAYOUT_DESC) */

#define ZC_JOINT_NONE 0xFFFFFFFFu          /* parent of a root joint */
#define ZC_SKELETON_MAX_JOINTS 65535u      /* joints of one skeleton (a vertex names one in 16 bits) */
#define ZC_SKELETON_MAX_NAME 1024u         /* bytes of a joint name, without the NUL */
#define ZC_SKELETON_UNIT_TOLERANCE 1e-3f   /* | |rotation| - 1 | at most this */

typedef struct zc_joint {
    zc_string name;             /* UTF-8, at most ZC_SKELETON_MAX_NAME bytes; may be empty */
    uint32_t parent;            /* index < this joint's, or ZC_JOINT_NONE */
    uint32_t reserved;          /* 0 */
    float translation[3];       /* rest pose, local to the parent: finite */
    float scale[3];             /* finite */
    float rotation[4];          /* unit quaternion x, y, z, w */
    float inverse_bind[16];     /* column-major; finite */
} zc_joint;

typedef struct zc_skeleton {
    zc_array joints;            /* zc_joint[1, ZC_SKELETON_MAX_JOINTS], parents first */
    zc_array name_order;        /* uint32_t[joint count]: joint indices, names ascending */
    uint64_t reserved[2];       /* 0 */
} zc_skeleton;

ZC_STATIC_ASSERT(sizeof(zc_joint) == 128, "zc_joint size");
ZC_CHECK_LAYOUT(zc_joint, name, 0);
ZC_CHECK_LAYOUT(zc_joint, parent, 16);
ZC_CHECK_LAYOUT(zc_joint, reserved, 20);
ZC_CHECK_LAYOUT(zc_joint, translation, 24);
ZC_CHECK_LAYOUT(zc_joint, scale, 36);
ZC_CHECK_LAYOUT(zc_joint, rotation, 48);
ZC_CHECK_LAYOUT(zc_joint, inverse_bind, 64);
ZC_STATIC_ASSERT(sizeof(zc_skeleton) == 48, "zc_skeleton size");
ZC_CHECK_LAYOUT(zc_skeleton, joints, 0);
ZC_CHECK_LAYOUT(zc_skeleton, name_order, 16);
ZC_CHECK_LAYOUT(zc_skeleton, reserved, 32);

/* Bytewise order of two names: <0, 0, >0 as memcmp, the shorter first on a tie. Pure. */
static inline int zc_skeleton_name_cmp(const char *a, uint64_t an, const char *b, uint64_t bn) {
    for (uint64_t i = 0; i < an && i < bn; ++i)
        if (a[i] != b[i]) return (unsigned char)a[i] < (unsigned char)b[i] ? -1 : 1;
    return an < bn ? -1 : an > bn;
}

#ifdef __cplusplus
}
#endif

#endif /* ZC_SKELETON_LAYOUT_H */

/* ---------------------------------------------------------------------------------
 * The check (formats/zc_format.h's diagnostics). Left out while ZC__LAYOUT_ONLY is
 * defined, as zc_pack.h includes this header; included again without it (zc_types.h,
 * zc_pack_format.h), it adds the check.
 * ------------------------------------------------------------------------------- */

#if !defined(ZC__LAYOUT_ONLY) && !defined(ZC_SKELETON_H)
#define ZC_SKELETON_H

#include "zc_format.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when every one of `count` floats is finite. Pure. */
static inline int zc__floats_finite(const float *v, int count) {
    for (int i = 0; i < count; ++i)
        if (!zc_f32_finite(v[i])) return 0;
    return 1;
}

/* One joint of a skeleton whose arrays passed their range checks: SL3 to SL6 of
 * SPEC.md. Untrusted. */
static inline zc_result zc__joint_check(const void *payload, uint64_t size, const zc_joint *j, uint64_t i,
                                        zc_diag *diag) {
    zc_result r = zc_check_string(payload, size, &j->name, ZC_SKELETON_MAX_NAME, diag);
    if (r != ZC_OK) return r;
    if (j->reserved != 0) return zc_fail(diag, ZC_ERR_BAD_ENTRY, "joint %llu: reserved field is not zero", (unsigned long long)i);
    if (j->parent != ZC_JOINT_NONE && j->parent >= i)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "joint %llu: parent %u does not come before it", (unsigned long long)i,
                       j->parent);
    if (!zc__floats_finite(j->translation, 3) || !zc__floats_finite(j->scale, 3) ||
        !zc__floats_finite(j->rotation, 4) || !zc__floats_finite(j->inverse_bind, 16))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "joint %llu: a value is not finite", (unsigned long long)i);
    float q = j->rotation[0] * j->rotation[0] + j->rotation[1] * j->rotation[1] + j->rotation[2] * j->rotation[2] +
              j->rotation[3] * j->rotation[3];
    if (q < 1.0f - 2.0f * ZC_SKELETON_UNIT_TOLERANCE || q > 1.0f + 2.0f * ZC_SKELETON_UNIT_TOLERANCE)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "joint %llu: rotation is not a unit quaternion", (unsigned long long)i);
    return ZC_OK;
}

/* Full structural check of a skeleton payload, SL1 to SL7 of SPEC.md (section
 * "Skeleton"). Untrusted. O(joints + name bytes); allocation-free. */
static inline zc_result zc_skeleton_check(const void *payload, uint64_t size, zc_diag *diag) {
    if (size < sizeof(zc_skeleton))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "skeleton entry of %llu bytes is smaller than its header",
                       (unsigned long long)size);
    const zc_skeleton *s = (const zc_skeleton *)payload;
    if (s->reserved[0] != 0 || s->reserved[1] != 0)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "skeleton reserved field is not zero");
    zc_result r = zc_check_array(payload, size, &s->joints, sizeof(zc_joint), 8, ZC_SKELETON_MAX_JOINTS, diag);
    if (r != ZC_OK) return r;
    if (s->joints.count == 0) return zc_fail(diag, ZC_ERR_BAD_ENTRY, "skeleton has no joints");
    r = zc_check_array(payload, size, &s->name_order, sizeof(uint32_t), 4, ZC_SKELETON_MAX_JOINTS, diag);
    if (r != ZC_OK) return r;
    if (s->name_order.count != s->joints.count)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "skeleton name order has %llu indices for %llu joints",
                       (unsigned long long)s->name_order.count, (unsigned long long)s->joints.count);
    const zc_joint *joints = (const zc_joint *)zc_array_data(&s->joints);
    for (uint64_t i = 0; i < s->joints.count; ++i)
        if ((r = zc__joint_check(payload, size, &joints[i], i, diag)) != ZC_OK) return r;
    const uint32_t *order = (const uint32_t *)zc_array_data(&s->name_order);
    for (uint64_t i = 0; i < s->name_order.count; ++i) {
        if (order[i] >= s->joints.count)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "skeleton name order names joint %u of %llu", order[i],
                           (unsigned long long)s->joints.count);
        if (i == 0) continue;
        const zc_joint *a = &joints[order[i - 1]], *b = &joints[order[i]];
        if (zc_skeleton_name_cmp(zc_string_data(&a->name), a->name.length, zc_string_data(&b->name),
                                 b->name.length) > 0)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "skeleton name order is not ascending at %llu",
                           (unsigned long long)i);
    }
    return ZC_OK;
}

#ifdef __cplusplus
}
#endif

#endif /* ZC_SKELETON_H */
