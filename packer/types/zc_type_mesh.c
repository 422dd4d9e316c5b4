/* zc_type_mesh.c - the mesh row of the entry type table: its view and its
 * `zcpack dump` keys; stored uncompressed by default (an engine views it in place). */
#include "zc_entry_types.h"

#include <cjson/cJSON.h>

ZC_ENTRY_VIEW_FITS(zc_mesh_view);

static zc_result zc__mesh_view(const void *payload, uint64_t size, void *out) {
    return zc_mesh_view_from_bytes(payload, size, (zc_mesh_view *)out);
}

static cJSON *zc__mesh_streams_json(const zc_mesh_view *view, const zc_entry *e) {
    cJSON *streams = cJSON_CreateArray();
    for (uint32_t s = 0; streams && s < view->stream_count; ++s) {
        cJSON *o = cJSON_CreateObject();
        if (!o) break;
        const zc_vertex_stream_view *sv = &view->streams[s];
        cJSON_AddNumberToObject(o, "stride", sv->stride);
        cJSON_AddNumberToObject(o, "size", (double)sv->stride * view->vertex_count);
        cJSON_AddNumberToObject(o, "offset", (double)((const uint8_t *)sv->data - (const uint8_t *)e->data));
        cJSON_AddItemToArray(streams, o);
    }
    return streams;
}

static cJSON *zc__mesh_attributes_json(const zc_mesh_view *view) {
    cJSON *attributes = cJSON_CreateArray();
    for (uint32_t i = 0; attributes && i < view->attribute_count; ++i) {
        cJSON *o = cJSON_CreateObject();
        if (!o) break;
        const zc_vertex_attribute *a = &view->attributes[i];
        cJSON_AddStringToObject(o, "semantic", zc_vertex_semantic_name(a->semantic));
        cJSON_AddStringToObject(o, "format", zc_vertex_format_name(a->format));
        cJSON_AddNumberToObject(o, "stream", a->stream);
        cJSON_AddNumberToObject(o, "offset", a->offset);
        cJSON_AddItemToArray(attributes, o);
    }
    return attributes;
}

static cJSON *zc__mesh_submeshes_json(const zc_mesh_view *view, const zc_pack *pack) {
    cJSON *submeshes = cJSON_CreateArray();
    for (uint32_t i = 0; submeshes && i < view->submesh_count; ++i) {
        cJSON *o = cJSON_CreateObject();
        if (!o) break;
        const zc_submesh *sm = &view->submeshes[i];
        cJSON_AddNumberToObject(o, "index_offset", sm->index_offset);
        cJSON_AddNumberToObject(o, "index_count", sm->index_count);
        cJSON_AddItemToObject(o, "material", zc__json_reference(pack, sm->material, ZC_TYPE_MATERIAL));
        cJSON_AddNumberToObject(o, "meshlet_offset", sm->meshlet_offset);
        cJSON_AddNumberToObject(o, "meshlet_count", sm->meshlet_count);
        cJSON_AddItemToArray(submeshes, o);
    }
    return submeshes;
}

static zc_result zc__mesh_dump(const zc_pack *pack, const zc_entry *e, const void *view_, cJSON *o) {
    const zc_mesh_view *view = (const zc_mesh_view *)view_;
    cJSON_AddNumberToObject(o, "vertex_count", view->vertex_count);
    cJSON_AddNumberToObject(o, "index_count", view->index_count);
    cJSON_AddNumberToObject(o, "index_size", view->index_size);
    cJSON_AddItemToObject(o, "aabb_min", zc__json_floats(view->aabb_min, 3));
    cJSON_AddItemToObject(o, "aabb_max", zc__json_floats(view->aabb_max, 3));
    cJSON_AddItemToObject(o, "sphere_center", zc__json_floats(view->sphere_center, 3));
    zc__json_add_float(o, "sphere_radius", view->sphere_radius);
    cJSON_AddItemToObject(o, "streams", zc__mesh_streams_json(view, e));
    cJSON_AddItemToObject(o, "attributes", zc__mesh_attributes_json(view));
    cJSON_AddItemToObject(o, "submeshes", zc__mesh_submeshes_json(view, pack));
    cJSON_AddNumberToObject(o, "meshlet_count", view->meshlet_count);
    return ZC_OK;
}

const zc_entry_type_ops zc__entry_type_mesh = {
    zc__mesh_view, sizeof(zc_mesh_view), zc__mesh_dump, 0,
};
