/* zc_scene_view.c - scene entries seen through zc_scene_view: node names, lookup by
 * name, and world transforms. */
#include "zc_pack.h"
#include "zc_pack_internal.h"
#include "zc_scene.h"

#include <string.h>

/* Fill a view from a payload that zc_scene_check accepted. */
static void zc__scene_fill(const zc_scene *s, zc_scene_view *out) {
    out->node_count = (uint32_t)s->nodes.count;
    out->nodes = (const zc_scene_node *)zc_array_data(&s->nodes);
    out->mesh_count = (uint32_t)s->meshes.count;
    out->meshes = (const zc_scene_mesh *)zc_array_data(&s->meshes);
    out->camera_count = (uint32_t)s->cameras.count;
    out->cameras = (const zc_camera *)zc_array_data(&s->cameras);
    out->light_count = (uint32_t)s->lights.count;
    out->lights = (const zc_light *)zc_array_data(&s->lights);
    out->scene = s;
}

zc_result zc_scene_view_from_bytes(const void *payload, uint64_t size, zc_scene_view *out) {
    if (!out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (!payload || ((uintptr_t)payload & 15u) != 0) return ZC_ERR_INVALID_ARGUMENT;
    zc_result r = zc_scene_check(payload, size, NULL);
    if (r != ZC_OK) return r;
    zc__scene_fill((const zc_scene *)payload, out);
    return ZC_OK;
}

zc_result zc_scene_view_from_entry(const zc_entry *entry, zc_scene_view *out) {
    if (!entry || !out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    const void *data;
    uint64_t size;
    zc_result r = zc__entry_structure(entry, ZC_TYPE_SCENE, &data, &size);
    if (r != ZC_OK) return r;
    zc__scene_fill((const zc_scene *)data, out);
    return ZC_OK;
}

const char *zc_scene_view_node_name(const zc_scene_view *view, uint32_t node, uint32_t *out_length) {
    if (out_length) *out_length = 0;
    if (!view || !view->nodes || node >= view->node_count) return "";
    const zc_string *name = &view->nodes[node].name;
    if (out_length) *out_length = (uint32_t)name->length;
    return zc_string_data(name);
}

int32_t zc_scene_view_find_node(const zc_scene_view *view, const char *name) {
    if (!view || !view->scene || !name) return -1;
    return zc_scene_find_node(view->scene, name, strlen(name));
}

void zc__trs_matrix(const float t[3], const float q[4], const float scale[3], float m[16]) {
    float x = q[0], y = q[1], z = q[2], w = q[3];
    float n2 = x * x + y * y + z * z + w * w;
    float s = n2 > 0.0f ? 2.0f / n2 : 0.0f;
    const float r[9] = { /* column-major 3x3 rotation */
        1.0f - s * (y * y + z * z), s * (x * y + z * w),        s * (x * z - y * w),
        s * (x * y - z * w),        1.0f - s * (x * x + z * z), s * (y * z + x * w),
        s * (x * z + y * w),        s * (y * z - x * w),        1.0f - s * (x * x + y * y),
    };
    for (int c = 0; c < 3; ++c) {
        for (int row = 0; row < 3; ++row) m[c * 4 + row] = r[c * 3 + row] * scale[c];
        m[c * 4 + 3] = 0.0f;
    }
    m[12] = t[0];
    m[13] = t[1];
    m[14] = t[2];
    m[15] = 1.0f;
}

void zc__mat4_mul(const float a[16], const float b[16], float out[16]) {
    for (int c = 0; c < 4; ++c)
        for (int row = 0; row < 4; ++row) {
            float sum = 0.0f;
            for (int k = 0; k < 4; ++k) sum += a[k * 4 + row] * b[c * 4 + k];
            out[c * 4 + row] = sum;
        }
}

/* Column-major T * R * S of a node. */
static void zc__local_matrix(const zc_scene_node *n, float m[16]) {
    zc__trs_matrix(n->translation, n->rotation, n->scale, m);
}

void zc_scene_view_world_transforms(const zc_scene_view *view, float (*out_world)[16]) {
    if (!view || !view->nodes || !out_world) return;
    for (uint32_t i = 0; i < view->node_count; ++i) {
        const zc_scene_node *n = &view->nodes[i];
        /* A checked view has parent < i; anything else is treated as a root, so the
         * pass never reads a matrix it has not written. */
        if (n->parent >= 0 && (uint32_t)n->parent < i) {
            float local[16];
            zc__local_matrix(n, local);
            zc__mat4_mul(out_world[n->parent], local, out_world[i]);
        } else {
            zc__local_matrix(n, out_world[i]);
        }
    }
}
