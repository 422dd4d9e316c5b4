/* zc_scene.h - the scene entry type: a flattened node hierarchy with local transforms,
 * mesh and material references, cameras and lights, and a name index for lookup.
 *
 * Payload layout (SPEC.md, "Scene"):
 *
 *   zc_scene                        at offset 0 of the entry
 *   zc_scene_node[nodes.count]      depth-first pre-order; parent index < own index
 *   zc_scene_name[nodes.count]      name index: one record per node, sorted
 *   zc_scene_mesh[meshes.count]     mesh instances; each node owns a slice
 *   zc_camera[cameras.count]
 *   zc_light[lights.count]
 *   name bytes, NUL                 each node name, anywhere after the header
 *
 * Node order. Nodes are stored in depth-first pre-order: a node's parent is the
 * nearest earlier node on the current path from its root, so every subtree is a
 * contiguous run of nodes starting at its root. One forward pass computes every world
 * transform (world[i] = world[parent] * local[i]); no walk needs a stack deeper than
 * ZC_SCENE_MAX_DEPTH, and the check verifies both facts in O(nodes) with a fixed
 * 1 KiB path on the C stack.
 *
 * Name index. One zc_scene_name per node, sorted strictly increasing by the key
 * (hash, name bytes, node), where hash = zc_name_hash of the node's name and names
 * compare bytewise (a prefix sorts first). The check proves the index is a
 * permutation of the nodes with correct hashes: every node value is in range, every
 * stored hash matches its node's name, and the keys strictly increase, so no node
 * appears twice and, the count being node_count, every node appears once. Lookup is a
 * binary search over the index alone (zc_scene_find_node). Names need not be unique;
 * lookup returns the lowest node index with the name.
 *
 * Transforms are local to the parent: translation, then rotation (unit quaternion x, y,
 * z, w), then scale, composed as T * R * S. The second half of this header,
 * zc_scene_check, checks an entry of this type (untrusted bytes); zc_pack.h leaves it
 * out. Pure: no I/O, no allocation.
 */
#ifndef ZC_SCENE_LAYOUT_H
#define ZC_SCENE_LAYOUT_H

#include "zc_layout.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZC_TYPE_SCENE ZC_FOURCC('S', 'C', 'E', 'N')

#define ZC_SCENE_LAYOUT_DESC                                                                      \
    "scene/1:struct_size@0:u32,flags@4:u32,nodes@8:array,name_index@24:array,meshes@40:array,"    \
    "cameras@56:array,lights@72:array,reserved@88:u64;"                                           \
    "node:parent@0:i32,flags@4:u32,name@8:string,translation@24:f32x3,rotation@36:f32x4,"         \
    "scale@52:f32x3,camera@64:i32,light@68:i32,mesh_first@72:u32,mesh_count@76:u32,"             \
    "reserved@80:u64;name:hash@0:u32,node@4:u32;mesh:mesh@0:u64,material@8:u64;"                 \
    "camera:type@0:u32,aspect@4:f32,yfov@8:f32,xmag@12:f32,ymag@16:f32,znear@20:f32,"            \
    "zfar@24:f32,reserved@28:u32;light:type@0:u32,color@4:f32x3,intensity@16:f32,range@20:f32,"  \
    "inner_cone@24:f32,outer_cone@28:f32"
#define ZC_SCENE_LAYOUT_HASH 0xb79db64du /* zc_layout_hash(ZC_SCENE_LAYOUT_DESC) */

#define ZC_SCENE_MAX_NODES   (1u << 20)
#define ZC_SCENE_MAX_DEPTH   256u       /* nodes on the path from a root to any node, both included */
#define ZC_SCENE_MAX_NAME    1024u      /* bytes of a node name, without the NUL */
#define ZC_SCENE_MAX_MESHES  (1u << 22) /* mesh instances in one scene */
#define ZC_SCENE_MAX_CAMERAS 65536u
#define ZC_SCENE_MAX_LIGHTS  65536u
#define ZC_SCENE_RECORD_ALIGN 8u        /* every array of the scene */
#define ZC_SCENE_QUAT_TOLERANCE 1e-3f   /* | |q|^2 - 1 | of a node rotation */

/* Camera projections. Values are stable; new types are appended. X(name, value) */
#define ZC_CAMERA_TYPE_LIST(X) \
    X(PERSPECTIVE,  1)         \
    X(ORTHOGRAPHIC, 2)

typedef enum zc_camera_type {
    ZC_CAMERA_UNDEFINED = 0,
#define ZC__CAMERA_ENUM(name, value) ZC_CAMERA_##name = value,
    ZC_CAMERA_TYPE_LIST(ZC__CAMERA_ENUM)
#undef ZC__CAMERA_ENUM
    ZC__CAMERA_COUNT
} zc_camera_type;

/* Punctual lights (KHR_lights_punctual). Values are stable; new types are appended.
 * X(name, value) */
#define ZC_LIGHT_TYPE_LIST(X) \
    X(DIRECTIONAL, 1)         \
    X(POINT,       2)         \
    X(SPOT,        3)

typedef enum zc_light_type {
    ZC_LIGHT_UNDEFINED = 0,
#define ZC__LIGHT_ENUM(name, value) ZC_LIGHT_##name = value,
    ZC_LIGHT_TYPE_LIST(ZC__LIGHT_ENUM)
#undef ZC__LIGHT_ENUM
    ZC__LIGHT_COUNT
} zc_light_type;

typedef struct zc_scene {
    uint32_t struct_size;       /* sizeof(zc_scene) of the writer; readers accept larger */
    uint32_t flags;             /* none defined in version 1: zero */
    zc_array nodes;             /* zc_scene_node[0, ZC_SCENE_MAX_NODES] */
    zc_array name_index;        /* zc_scene_name[nodes.count] */
    zc_array meshes;            /* zc_scene_mesh[0, ZC_SCENE_MAX_MESHES] */
    zc_array cameras;           /* zc_camera[0, ZC_SCENE_MAX_CAMERAS] */
    zc_array lights;            /* zc_light[0, ZC_SCENE_MAX_LIGHTS] */
    uint64_t reserved;          /* zero */
} zc_scene;

typedef struct zc_scene_node {
    int32_t  parent;            /* -1 for a root, else an earlier node on the current path */
    uint32_t flags;             /* none defined in version 1: zero */
    zc_string name;             /* UTF-8, at most ZC_SCENE_MAX_NAME bytes; may be empty */
    float    translation[3];    /* finite */
    float    rotation[4];       /* unit quaternion x, y, z, w, finite */
    float    scale[3];          /* finite; may be zero or negative */
    int32_t  camera;            /* index into cameras, -1 = none */
    int32_t  light;             /* index into lights, -1 = none */
    uint32_t mesh_first;        /* the node's mesh instances: meshes[mesh_first, +mesh_count) */
    uint32_t mesh_count;
    uint64_t reserved;          /* zero */
} zc_scene_node;

typedef struct zc_scene_name {
    uint32_t hash;              /* zc_name_hash of the node's name */
    uint32_t node;              /* index into nodes */
} zc_scene_name;

/* One mesh drawn at a node. A node with several meshes (one per material, as importers
 * split them) owns several consecutive instances. */
typedef struct zc_scene_mesh {
    uint64_t mesh;              /* asset id of a mesh entry, nonzero */
    uint64_t material;          /* asset id of a material entry for every submesh; 0 = the submeshes' own */
} zc_scene_mesh;

typedef struct zc_camera {
    uint32_t type;              /* zc_camera_type */
    float    aspect;            /* perspective: width / height, finite > 0, or 0 = the viewport's; else 0 */
    float    yfov;              /* perspective: vertical field of view, radians in (0, pi); else 0 */
    float    xmag;              /* orthographic: half width and half height, finite > 0; else 0 */
    float    ymag;
    float    znear;             /* perspective: finite > 0; orthographic: finite >= 0 */
    float    zfar;              /* finite > znear; perspective may use 0 = infinite */
    uint32_t reserved;          /* zero */
} zc_camera;

typedef struct zc_light {
    uint32_t type;              /* zc_light_type; shines along the node's local -Z */
    float    color[3];          /* linear RGB, each finite >= 0 */
    float    intensity;         /* finite >= 0: lux for directional, candela for point and spot */
    float    range;             /* 0 = infinite, else finite > 0; always 0 for directional */
    float    inner_cone;        /* spot: 0 <= inner < outer <= pi / 2, radians; else both 0 */
    float    outer_cone;
} zc_light;

ZC_STATIC_ASSERT(sizeof(float) == 4, "float is binary32");
ZC_STATIC_ASSERT(sizeof(zc_scene) == 96, "zc_scene size");
ZC_CHECK_LAYOUT(zc_scene, struct_size, 0);
ZC_CHECK_LAYOUT(zc_scene, flags, 4);
ZC_CHECK_LAYOUT(zc_scene, nodes, 8);
ZC_CHECK_LAYOUT(zc_scene, name_index, 24);
ZC_CHECK_LAYOUT(zc_scene, meshes, 40);
ZC_CHECK_LAYOUT(zc_scene, cameras, 56);
ZC_CHECK_LAYOUT(zc_scene, lights, 72);
ZC_CHECK_LAYOUT(zc_scene, reserved, 88);
ZC_STATIC_ASSERT(sizeof(zc_scene_node) == 88, "zc_scene_node size");
ZC_CHECK_LAYOUT(zc_scene_node, parent, 0);
ZC_CHECK_LAYOUT(zc_scene_node, flags, 4);
ZC_CHECK_LAYOUT(zc_scene_node, name, 8);
ZC_CHECK_LAYOUT(zc_scene_node, translation, 24);
ZC_CHECK_LAYOUT(zc_scene_node, rotation, 36);
ZC_CHECK_LAYOUT(zc_scene_node, scale, 52);
ZC_CHECK_LAYOUT(zc_scene_node, camera, 64);
ZC_CHECK_LAYOUT(zc_scene_node, light, 68);
ZC_CHECK_LAYOUT(zc_scene_node, mesh_first, 72);
ZC_CHECK_LAYOUT(zc_scene_node, mesh_count, 76);
ZC_CHECK_LAYOUT(zc_scene_node, reserved, 80);
ZC_STATIC_ASSERT(sizeof(zc_scene_name) == 8, "zc_scene_name size");
ZC_CHECK_LAYOUT(zc_scene_name, hash, 0);
ZC_CHECK_LAYOUT(zc_scene_name, node, 4);
ZC_STATIC_ASSERT(sizeof(zc_scene_mesh) == 16, "zc_scene_mesh size");
ZC_CHECK_LAYOUT(zc_scene_mesh, mesh, 0);
ZC_CHECK_LAYOUT(zc_scene_mesh, material, 8);
ZC_STATIC_ASSERT(sizeof(zc_camera) == 32, "zc_camera size");
ZC_CHECK_LAYOUT(zc_camera, type, 0);
ZC_CHECK_LAYOUT(zc_camera, aspect, 4);
ZC_CHECK_LAYOUT(zc_camera, yfov, 8);
ZC_CHECK_LAYOUT(zc_camera, xmag, 12);
ZC_CHECK_LAYOUT(zc_camera, ymag, 16);
ZC_CHECK_LAYOUT(zc_camera, znear, 20);
ZC_CHECK_LAYOUT(zc_camera, zfar, 24);
ZC_CHECK_LAYOUT(zc_camera, reserved, 28);
ZC_STATIC_ASSERT(sizeof(zc_light) == 32, "zc_light size");
ZC_CHECK_LAYOUT(zc_light, type, 0);
ZC_CHECK_LAYOUT(zc_light, color, 4);
ZC_CHECK_LAYOUT(zc_light, intensity, 16);
ZC_CHECK_LAYOUT(zc_light, range, 20);
ZC_CHECK_LAYOUT(zc_light, inner_cone, 24);
ZC_CHECK_LAYOUT(zc_light, outer_cone, 28);

/* "PERSPECTIVE"; NULL for undefined values. Pure. */
static inline const char *zc_camera_type_name(uint32_t type) {
    switch (type) {
#define ZC__CAMERA_NAME(name, value) case value: return #name;
    ZC_CAMERA_TYPE_LIST(ZC__CAMERA_NAME)
#undef ZC__CAMERA_NAME
    default: return NULL;
    }
}

/* "SPOT"; NULL for undefined values. Pure. */
static inline const char *zc_light_type_name(uint32_t type) {
    switch (type) {
#define ZC__LIGHT_NAME(name, value) case value: return #name;
    ZC_LIGHT_TYPE_LIST(ZC__LIGHT_NAME)
#undef ZC__LIGHT_NAME
    default: return NULL;
    }
}

/* FNV-1a 32 of `length` bytes: the hash of a node name in the name index. Pure; bytes
 * may be NULL when length is 0. */
static inline uint32_t zc_name_hash(const void *bytes, uint64_t length) {
    const unsigned char *p = (const unsigned char *)bytes;
    uint32_t h = 2166136261u;
    for (uint64_t i = 0; i < length; ++i) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

/* Order of two names: bytewise, a proper prefix first. <0, 0, >0. Pure. */
static inline int zc__name_cmp(const char *a, uint64_t a_len, const char *b, uint64_t b_len) {
    uint64_t n = a_len < b_len ? a_len : b_len;
    for (uint64_t i = 0; i < n; ++i) { /* memcmp's order, without <string.h> in zc_pack.h */
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x != y) return x < y ? -1 : 1;
    }
    return a_len < b_len ? -1 : a_len > b_len ? 1 : 0;
}

/* Index of the first node named name[0, length), -1 when none is. O(log nodes) name
 * comparisons, reading the name index and the names it lands on. Trusted input only
 * (after zc_scene_check); name may be NULL when length is 0. */
static inline int32_t zc_scene_find_node(const zc_scene *scene, const char *name, uint64_t length) {
    const zc_scene_node *nodes = (const zc_scene_node *)zc_array_data(&scene->nodes);
    const zc_scene_name *index = (const zc_scene_name *)zc_array_data(&scene->name_index);
    if (!name) name = "";
    uint32_t hash = zc_name_hash(name, length);
    uint64_t lo = 0, hi = scene->name_index.count; /* first entry not below (hash, name) */
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        const zc_scene_name *e = &index[mid];
        int below = e->hash < hash;
        if (e->hash == hash) {
            const zc_string *s = &nodes[e->node].name;
            below = zc__name_cmp(zc_string_data(s), s->length, name, length) < 0;
        }
        if (below) lo = mid + 1;
        else hi = mid;
    }
    if (lo == scene->name_index.count || index[lo].hash != hash) return -1;
    const zc_string *s = &nodes[index[lo].node].name;
    return zc__name_cmp(zc_string_data(s), s->length, name, length) == 0 ? (int32_t)index[lo].node : -1;
}

#ifdef __cplusplus
}
#endif

#endif /* ZC_SCENE_LAYOUT_H */

/* ---------------------------------------------------------------------------------
 * The check (formats/zc_format.h's diagnostics). Left out while ZC__LAYOUT_ONLY is
 * defined, as zc_pack.h includes this header; included again without it (zc_types.h,
 * zc_pack_format.h), it adds the check.
 * ------------------------------------------------------------------------------- */

#if !defined(ZC__LAYOUT_ONLY) && !defined(ZC_SCENE_H)
#define ZC_SCENE_H

#include "zc_format.h"

#ifdef __cplusplus
extern "C" {
#endif

static inline int zc__f32_all_finite(const float *v, int n) {
    for (int k = 0; k < n; ++k)
        if (!zc_f32_finite(v[k])) return 0;
    return 1;
}

/* Check of one camera record. Untrusted values; the record itself must be in range. */
static inline zc_result zc__camera_check(const zc_camera *c, uint64_t i, zc_diag *diag) {
    const float values[6] = { c->aspect, c->yfov, c->xmag, c->ymag, c->znear, c->zfar };
    if (!zc__f32_all_finite(values, 6))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene camera %llu has a value that is not finite", (unsigned long long)i);
    if (c->reserved != 0)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene camera %llu reserved field is not zero", (unsigned long long)i);
    if (c->type == ZC_CAMERA_PERSPECTIVE) {
        if (!(c->yfov > 0.0f && c->yfov < 3.14159265f) || !(c->aspect >= 0.0f) || c->xmag != 0.0f || c->ymag != 0.0f)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene camera %llu: perspective yfov %g or aspect %g is out of range",
                           (unsigned long long)i, (double)c->yfov, (double)c->aspect);
        if (!(c->znear > 0.0f) || !(c->zfar == 0.0f || c->zfar > c->znear))
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene camera %llu: clip range %g to %g is invalid",
                           (unsigned long long)i, (double)c->znear, (double)c->zfar);
    } else if (c->type == ZC_CAMERA_ORTHOGRAPHIC) {
        if (!(c->xmag > 0.0f && c->ymag > 0.0f) || c->yfov != 0.0f || c->aspect != 0.0f)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene camera %llu: orthographic magnification %g x %g is invalid",
                           (unsigned long long)i, (double)c->xmag, (double)c->ymag);
        if (!(c->znear >= 0.0f) || !(c->zfar > c->znear))
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene camera %llu: clip range %g to %g is invalid",
                           (unsigned long long)i, (double)c->znear, (double)c->zfar);
    } else {
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene camera %llu type %u is not defined", (unsigned long long)i, c->type);
    }
    return ZC_OK;
}

/* Check of one light record. Untrusted values; the record itself must be in range. */
static inline zc_result zc__light_check(const zc_light *l, uint64_t i, zc_diag *diag) {
    if (!zc_light_type_name(l->type))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene light %llu type %u is not defined", (unsigned long long)i, l->type);
    const float values[7] = { l->color[0], l->color[1], l->color[2], l->intensity, l->range, l->inner_cone, l->outer_cone };
    if (!zc__f32_all_finite(values, 7))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene light %llu has a value that is not finite", (unsigned long long)i);
    if (!(l->color[0] >= 0.0f && l->color[1] >= 0.0f && l->color[2] >= 0.0f && l->intensity >= 0.0f))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene light %llu has a negative colour or intensity",
                       (unsigned long long)i);
    if (!(l->range >= 0.0f) || (l->type == ZC_LIGHT_DIRECTIONAL && l->range != 0.0f))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene light %llu range %g is invalid", (unsigned long long)i,
                       (double)l->range);
    int cone_ok = l->type == ZC_LIGHT_SPOT
                      ? l->inner_cone >= 0.0f && l->inner_cone < l->outer_cone && l->outer_cone <= 1.57079633f
                      : l->inner_cone == 0.0f && l->outer_cone == 0.0f;
    if (!cone_ok)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene light %llu cone %g to %g is invalid for a %s light",
                       (unsigned long long)i, (double)l->inner_cone, (double)l->outer_cone, zc_light_type_name(l->type));
    return ZC_OK;
}

/* Full structural check of a scene payload: header fields, every array's placement and
 * limits, cameras, lights, mesh instances, every node (pre-order parent, depth, name,
 * transform, references) and the name index (a sorted permutation with correct
 * hashes; see the file comment). After success a forward walk, zc_scene_find_node and
 * every index a node holds stay in range. Untrusted; O(nodes + name bytes + cameras +
 * lights + mesh instances); no allocation (a fixed 1 KiB path on the stack). */
static inline zc_result zc_scene_check(const void *payload, uint64_t size, zc_diag *diag) {
    if (size < sizeof(zc_scene))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene entry of %llu bytes is smaller than its header",
                       (unsigned long long)size);
    const zc_scene *sc = (const zc_scene *)payload;
    if (sc->struct_size < sizeof(zc_scene) || sc->struct_size > size || sc->struct_size % 8 != 0)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene struct_size %u is invalid", sc->struct_size);
    if (sc->flags != 0)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene has unknown flags 0x%08x", sc->flags);
    if (sc->reserved != 0)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene reserved field is not zero");
    zc_result r = zc_check_array(payload, size, &sc->nodes, sizeof(zc_scene_node), ZC_SCENE_RECORD_ALIGN,
                                 ZC_SCENE_MAX_NODES, diag);
    if (r != ZC_OK) return r;
    if (sc->name_index.count != sc->nodes.count)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene name index has %llu records for %llu nodes",
                       (unsigned long long)sc->name_index.count, (unsigned long long)sc->nodes.count);
    r = zc_check_array(payload, size, &sc->name_index, sizeof(zc_scene_name), ZC_SCENE_RECORD_ALIGN,
                       ZC_SCENE_MAX_NODES, diag);
    if (r != ZC_OK) return r;
    r = zc_check_array(payload, size, &sc->meshes, sizeof(zc_scene_mesh), ZC_SCENE_RECORD_ALIGN,
                       ZC_SCENE_MAX_MESHES, diag);
    if (r != ZC_OK) return r;
    r = zc_check_array(payload, size, &sc->cameras, sizeof(zc_camera), ZC_SCENE_RECORD_ALIGN,
                       ZC_SCENE_MAX_CAMERAS, diag);
    if (r != ZC_OK) return r;
    r = zc_check_array(payload, size, &sc->lights, sizeof(zc_light), ZC_SCENE_RECORD_ALIGN,
                       ZC_SCENE_MAX_LIGHTS, diag);
    if (r != ZC_OK) return r;

    const zc_camera *cameras = (const zc_camera *)zc_array_data(&sc->cameras);
    for (uint64_t i = 0; i < sc->cameras.count; ++i)
        if ((r = zc__camera_check(&cameras[i], i, diag)) != ZC_OK) return r;
    const zc_light *lights = (const zc_light *)zc_array_data(&sc->lights);
    for (uint64_t i = 0; i < sc->lights.count; ++i)
        if ((r = zc__light_check(&lights[i], i, diag)) != ZC_OK) return r;
    const zc_scene_mesh *meshes = (const zc_scene_mesh *)zc_array_data(&sc->meshes);
    for (uint64_t i = 0; i < sc->meshes.count; ++i)
        if (meshes[i].mesh == 0)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene mesh instance %llu names no mesh", (unsigned long long)i);

    const zc_scene_node *nodes = (const zc_scene_node *)zc_array_data(&sc->nodes);
    uint32_t path[ZC_SCENE_MAX_DEPTH]; /* the current root-to-node path */
    uint32_t depth = 0;
    for (uint64_t i = 0; i < sc->nodes.count; ++i) {
        const zc_scene_node *n = &nodes[i];
        if (n->flags != 0 || n->reserved != 0)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene node %llu has unknown flags or reserved bits set",
                           (unsigned long long)i);
        if (n->parent < -1 || (n->parent >= 0 && (uint64_t)n->parent >= i))
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene node %llu parent %d is not an earlier node",
                           (unsigned long long)i, n->parent);
        if (n->parent == -1) {
            depth = 0;
        } else {
            while (depth > 0 && path[depth - 1] != (uint32_t)n->parent) --depth;
            if (depth == 0)
                return zc_fail(diag, ZC_ERR_BAD_ENTRY,
                               "scene node %llu parent %d is not on the current path (nodes are not in depth-first pre-order)",
                               (unsigned long long)i, n->parent);
        }
        if (depth == ZC_SCENE_MAX_DEPTH)
            return zc_fail(diag, ZC_ERR_LIMIT, "scene node %llu is deeper than %u levels", (unsigned long long)i,
                           ZC_SCENE_MAX_DEPTH);
        path[depth++] = (uint32_t)i;
        zc_diag sub;
        r = zc_check_string(payload, size, &n->name, ZC_SCENE_MAX_NAME, diag ? &sub : NULL);
        if (r != ZC_OK) return zc_fail(diag, r, "scene node %llu name: %s", (unsigned long long)i, diag ? sub.message : "");
        if (!zc__f32_all_finite(n->translation, 3) || !zc__f32_all_finite(n->rotation, 4) ||
            !zc__f32_all_finite(n->scale, 3))
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene node %llu transform is not finite", (unsigned long long)i);
        double q2 = (double)n->rotation[0] * n->rotation[0] + (double)n->rotation[1] * n->rotation[1] +
                    (double)n->rotation[2] * n->rotation[2] + (double)n->rotation[3] * n->rotation[3];
        if (q2 < 1.0 - ZC_SCENE_QUAT_TOLERANCE || q2 > 1.0 + ZC_SCENE_QUAT_TOLERANCE)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene node %llu rotation has squared length %g, not 1",
                           (unsigned long long)i, q2);
        if (n->camera < -1 || (n->camera >= 0 && (uint64_t)n->camera >= sc->cameras.count))
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene node %llu camera %d is not one of %llu",
                           (unsigned long long)i, n->camera, (unsigned long long)sc->cameras.count);
        if (n->light < -1 || (n->light >= 0 && (uint64_t)n->light >= sc->lights.count))
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene node %llu light %d is not one of %llu", (unsigned long long)i,
                           n->light, (unsigned long long)sc->lights.count);
        if (n->mesh_count > sc->meshes.count || n->mesh_first > sc->meshes.count - n->mesh_count)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene node %llu mesh instances %u (+%u) overrun %llu",
                           (unsigned long long)i, n->mesh_first, n->mesh_count, (unsigned long long)sc->meshes.count);
    }

    const zc_scene_name *index = (const zc_scene_name *)zc_array_data(&sc->name_index);
    for (uint64_t k = 0; k < sc->name_index.count; ++k) {
        const zc_scene_name *e = &index[k];
        if (e->node >= sc->nodes.count)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene name index record %llu names node %u of %llu",
                           (unsigned long long)k, e->node, (unsigned long long)sc->nodes.count);
        const zc_string *name = &nodes[e->node].name;
        if (e->hash != zc_name_hash(zc_string_data(name), name->length))
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene name index record %llu hash 0x%08x does not match node %u",
                           (unsigned long long)k, e->hash, e->node);
        if (k == 0) continue;
        const zc_scene_name *p = &index[k - 1];
        const zc_string *prev = &nodes[p->node].name;
        int c = p->hash < e->hash ? -1 : p->hash > e->hash ? 1 : 0;
        if (c == 0) c = zc__name_cmp(zc_string_data(prev), prev->length, zc_string_data(name), name->length);
        if (c == 0) c = p->node < e->node ? -1 : p->node > e->node ? 1 : 0;
        if (c >= 0)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "scene name index records %llu and %llu are not in strict order",
                           (unsigned long long)k - 1, (unsigned long long)k);
    }
    return ZC_OK;
}

#ifdef __cplusplus
}
#endif

#endif /* ZC_SCENE_H */
