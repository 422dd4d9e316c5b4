/* zc_type_material.c - the material row of the entry type table: its view and its
 * `zcpack dump` keys; stored uncompressed by default (an engine views it in place). */
#include "zc_entry_types.h"

#include <cjson/cJSON.h>

ZC_ENTRY_VIEW_FITS(zc_material_view);

static zc_result zc__material_view(const void *payload, uint64_t size, void *out) {
    return zc_material_view_from_bytes(payload, size, (zc_material_view *)out);
}

static cJSON *zc__material_flags_json(uint32_t flags) {
    cJSON *array = cJSON_CreateArray();
    if (array && (flags & ZC_MATERIAL_DOUBLE_SIDED)) cJSON_AddItemToArray(array, cJSON_CreateString("DOUBLE_SIDED"));
    if (array && (flags & ZC_MATERIAL_UNLIT)) cJSON_AddItemToArray(array, cJSON_CreateString("UNLIT"));
    return array;
}

/* The filled texture slots, keyed by slot name: {"texture": path or hex id, "texcoord"}. */
static cJSON *zc__material_textures_json(const zc_material_view *view, const zc_pack *pack) {
    cJSON *textures = cJSON_CreateObject();
    for (uint32_t s = 0; textures && s < ZC_MATERIAL_SLOT_COUNT; ++s) {
        if (view->textures[s].texture == 0) continue;
        cJSON *t = cJSON_CreateObject();
        if (!t) break;
        cJSON_AddItemToObject(t, "texture", zc__json_reference(pack, view->textures[s].texture, ZC_TYPE_TEXTURE));
        cJSON_AddNumberToObject(t, "texcoord", view->textures[s].texcoord);
        cJSON_AddItemToObject(textures, zc_material_slot_name(s), t);
    }
    return textures;
}

static zc_result zc__material_dump(const zc_pack *pack, const zc_entry *e, const void *view_, cJSON *o) {
    (void)e;
    const zc_material_view *view = (const zc_material_view *)view_;
    cJSON_AddStringToObject(o, "name", view->name);
    cJSON_AddStringToObject(o, "alpha_mode", zc_alpha_mode_name(view->alpha_mode));
    zc__json_add_float(o, "alpha_cutoff", view->alpha_cutoff);
    cJSON_AddItemToObject(o, "flags", zc__material_flags_json(view->flags));
    cJSON_AddItemToObject(o, "base_color_factor", zc__json_floats(view->base_color_factor, 4));
    cJSON_AddItemToObject(o, "emissive_factor", zc__json_floats(view->emissive_factor, 3));
    zc__json_add_float(o, "metallic_factor", view->metallic_factor);
    zc__json_add_float(o, "roughness_factor", view->roughness_factor);
    zc__json_add_float(o, "normal_scale", view->normal_scale);
    zc__json_add_float(o, "occlusion_strength", view->occlusion_strength);
    cJSON_AddItemToObject(o, "textures", zc__material_textures_json(view, pack));
    return ZC_OK;
}

const zc_entry_type_ops zc__entry_type_material = {
    zc__material_view, sizeof(zc_material_view), zc__material_dump, 0,
};
