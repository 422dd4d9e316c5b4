/* zc_material_view.c - material entries seen through zc_material_view. */
#include "zc_pack.h"
#include "zc_pack_internal.h"
#include "zc_material.h"

#include <string.h>

/* Fill a view from a payload that zc_material_check accepted. */
static void zc__material_fill(const zc_material *m, zc_material_view *out) {
    out->name = zc_string_data(&m->name);
    out->name_length = (uint32_t)m->name.length;
    out->alpha_mode = (zc_alpha_mode)m->alpha_mode;
    out->flags = m->flags;
    out->alpha_cutoff = m->alpha_cutoff;
    memcpy(out->base_color_factor, m->base_color_factor, sizeof out->base_color_factor);
    memcpy(out->emissive_factor, m->emissive_factor, sizeof out->emissive_factor);
    out->metallic_factor = m->metallic_factor;
    out->roughness_factor = m->roughness_factor;
    out->normal_scale = m->normal_scale;
    out->occlusion_strength = m->occlusion_strength;
    for (uint32_t s = 0; s < ZC_MATERIAL_SLOT_COUNT; ++s) {
        out->textures[s].texture = m->textures[s].texture;
        out->textures[s].texcoord = m->textures[s].texcoord;
    }
}

zc_result zc_material_view_from_bytes(const void *payload, uint64_t size, zc_material_view *out) {
    if (!out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    out->name = "";
    if (!payload || ((uintptr_t)payload & 15u) != 0) return ZC_ERR_INVALID_ARGUMENT;
    zc_result r = zc_material_check(payload, size, NULL);
    if (r != ZC_OK) return r;
    zc__material_fill((const zc_material *)payload, out);
    return ZC_OK;
}

zc_result zc_material_view_from_entry(const zc_entry *entry, zc_material_view *out) {
    if (!entry || !out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    out->name = "";
    const void *data;
    uint64_t size;
    zc_result r = zc__entry_structure(entry, ZC_TYPE_MATERIAL, &data, &size);
    if (r != ZC_OK) return r;
    zc__material_fill((const zc_material *)data, out);
    return ZC_OK;
}
