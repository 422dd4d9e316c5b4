/* zc_scene.h - the check of a scene entry (untrusted bytes); its layout is in
 * zc_scene_layout.h. Pure: no I/O, no allocation.
 */
#ifndef ZC_SCENE_H
#define ZC_SCENE_H

#include "zc_format.h"
#include "zc_scene_layout.h"

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
