/* zc_type_scene.c - the scene row of the entry type table: its view and its
 * `zcpack dump` keys; stored uncompressed by default (an engine views it in place). */
#include "zc_entry_types.h"

#include <cjson/cJSON.h>

ZC_ENTRY_VIEW_FITS(zc_scene_view);

static zc_result zc__scene_view(const void *payload, uint64_t size, void *out) {
    return zc_scene_view_from_bytes(payload, size, (zc_scene_view *)out);
}

/* Mesh instances of one node: [{"mesh": path or hex id, "material": path, hex id or null}]. */
static cJSON *zc__node_meshes_json(const zc_scene_view *view, const zc_scene_node *n, const zc_pack *pack) {
    cJSON *meshes = cJSON_CreateArray();
    for (uint32_t k = 0; meshes && k < n->mesh_count; ++k) {
        const zc_scene_mesh *m = &view->meshes[n->mesh_first + k];
        cJSON *o = cJSON_CreateObject();
        if (!o) break;
        cJSON_AddItemToObject(o, "mesh", zc__json_reference(pack, m->mesh, ZC_TYPE_MESH));
        cJSON_AddItemToObject(o, "material", zc__json_reference(pack, m->material, ZC_TYPE_MATERIAL));
        cJSON_AddItemToArray(meshes, o);
    }
    return meshes;
}

static cJSON *zc__scene_nodes_json(const zc_scene_view *view, const zc_pack *pack) {
    cJSON *nodes = cJSON_CreateArray();
    for (uint32_t i = 0; nodes && i < view->node_count; ++i) {
        const zc_scene_node *n = &view->nodes[i];
        cJSON *o = cJSON_CreateObject();
        if (!o) break;
        cJSON_AddStringToObject(o, "name", zc_scene_view_node_name(view, i, NULL));
        cJSON_AddNumberToObject(o, "parent", n->parent);
        cJSON_AddItemToObject(o, "translation", zc__json_floats(n->translation, 3));
        cJSON_AddItemToObject(o, "rotation", zc__json_floats(n->rotation, 4));
        cJSON_AddItemToObject(o, "scale", zc__json_floats(n->scale, 3));
        cJSON_AddItemToObject(o, "meshes", zc__node_meshes_json(view, n, pack));
        cJSON_AddNumberToObject(o, "camera", n->camera);
        cJSON_AddNumberToObject(o, "light", n->light);
        cJSON_AddItemToArray(nodes, o);
    }
    return nodes;
}

static cJSON *zc__scene_cameras_json(const zc_scene_view *view) {
    cJSON *cameras = cJSON_CreateArray();
    for (uint32_t i = 0; cameras && i < view->camera_count; ++i) {
        const zc_camera *c = &view->cameras[i];
        cJSON *o = cJSON_CreateObject();
        if (!o) break;
        cJSON_AddStringToObject(o, "type", zc_camera_type_name(c->type));
        zc__json_add_float(o, "aspect", c->aspect);
        zc__json_add_float(o, "yfov", c->yfov);
        zc__json_add_float(o, "xmag", c->xmag);
        zc__json_add_float(o, "ymag", c->ymag);
        zc__json_add_float(o, "znear", c->znear);
        zc__json_add_float(o, "zfar", c->zfar);
        cJSON_AddItemToArray(cameras, o);
    }
    return cameras;
}

static cJSON *zc__scene_lights_json(const zc_scene_view *view) {
    cJSON *lights = cJSON_CreateArray();
    for (uint32_t i = 0; lights && i < view->light_count; ++i) {
        const zc_light *l = &view->lights[i];
        cJSON *o = cJSON_CreateObject();
        if (!o) break;
        cJSON_AddStringToObject(o, "type", zc_light_type_name(l->type));
        cJSON_AddItemToObject(o, "color", zc__json_floats(l->color, 3));
        zc__json_add_float(o, "intensity", l->intensity);
        zc__json_add_float(o, "range", l->range);
        zc__json_add_float(o, "inner_cone", l->inner_cone);
        zc__json_add_float(o, "outer_cone", l->outer_cone);
        cJSON_AddItemToArray(lights, o);
    }
    return lights;
}

static zc_result zc__scene_dump(const zc_pack *pack, const zc_entry *e, const void *view_, cJSON *o) {
    (void)e;
    const zc_scene_view *view = (const zc_scene_view *)view_;
    cJSON_AddItemToObject(o, "nodes", zc__scene_nodes_json(view, pack));
    cJSON_AddItemToObject(o, "cameras", zc__scene_cameras_json(view));
    cJSON_AddItemToObject(o, "lights", zc__scene_lights_json(view));
    return ZC_OK;
}

const zc_entry_type_ops zc__entry_type_scene = {
    zc__scene_view, sizeof(zc_scene_view), zc__scene_dump, 0,
};
