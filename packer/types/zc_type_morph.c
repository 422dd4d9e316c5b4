/* zc_type_morph.c - the morph row of the entry type table: its view and its
 * `zcpack dump` keys (the mesh, the vertex and target counts, the default weights and
 * whether normal offsets are kept; the offsets themselves are left out, as a mesh's
 * vertices are); stored uncompressed by default (an engine uploads the offsets from
 * the mapping as they are). */
#include "zc_entry_types.h"

#include <cjson/cJSON.h>

ZC_ENTRY_VIEW_FITS(zc_morph_view);

static zc_result zc__morph_view(const void *payload, uint64_t size, void *out) {
    return zc_morph_view_from_bytes(payload, size, (zc_morph_view *)out);
}

static zc_result zc__morph_dump(const zc_pack *pack, const zc_entry *e, const void *view_, cJSON *o) {
    (void)e;
    const zc_morph_view *view = (const zc_morph_view *)view_;
    cJSON_AddItemToObject(o, "mesh", zc__json_reference(pack, view->mesh, ZC_TYPE_MESH));
    cJSON_AddNumberToObject(o, "vertex_count", view->vertex_count);
    cJSON_AddNumberToObject(o, "target_count", view->target_count);
    cJSON_AddItemToObject(o, "weights", zc__json_floats(view->weights, (int)view->target_count));
    cJSON_AddBoolToObject(o, "normals", view->normals != NULL);
    cJSON_AddBoolToObject(o, "frames", (view->flags & ZC_MORPH_FRAMES) != 0);
    return ZC_OK;
}

const zc_entry_type_ops zc__entry_type_morph = {
    zc__morph_view, sizeof(zc_morph_view), zc__morph_dump, 0,
};
