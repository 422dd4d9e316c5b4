/* zc_material.h - the check of a material entry (untrusted bytes); its layout is in
 * zc_material_layout.h. Pure: no I/O, no allocation.
 */
#ifndef ZC_MATERIAL_H
#define ZC_MATERIAL_H

#include "zc_format.h"
#include "zc_material_layout.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when value is finite and in [lo, hi]. Pure. */
static inline int zc__f32_in(float value, float lo, float hi) {
    return zc_f32_finite(value) && value >= lo && value <= hi;
}

/* Full structural check of a material payload: header fields, enums, flags, every
 * factor's range, the name, and every texture slot. Untrusted; O(name length); no
 * allocation. */
static inline zc_result zc_material_check(const void *payload, uint64_t size, zc_diag *diag) {
    if (size < sizeof(zc_material))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "material entry of %llu bytes is smaller than its header",
                       (unsigned long long)size);
    const zc_material *m = (const zc_material *)payload;
    if (m->struct_size < sizeof(zc_material) || m->struct_size > size || m->struct_size % 8 != 0)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "material struct_size %u is invalid", m->struct_size);
    if (!zc_alpha_mode_name(m->alpha_mode))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "material alpha_mode %u is not defined", m->alpha_mode);
    if (m->flags & ~(uint32_t)ZC__MATERIAL_FLAGS_ALL)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "material has unknown flags 0x%08x", m->flags);
    if (m->reserved0 != 0 || m->reserved1 != 0)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "material reserved fields are not zero");
    if (!zc__f32_in(m->alpha_cutoff, 0.0f, 1.0f))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "material alpha_cutoff %g is not in [0, 1]", (double)m->alpha_cutoff);
    for (int k = 0; k < 4; ++k)
        if (!zc__f32_in(m->base_color_factor[k], 0.0f, 1.0f))
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "material base_color_factor[%d] %g is not in [0, 1]", k,
                           (double)m->base_color_factor[k]);
    for (int k = 0; k < 3; ++k)
        if (!zc_f32_finite(m->emissive_factor[k]) || !(m->emissive_factor[k] >= 0.0f))
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "material emissive_factor[%d] %g is not finite and >= 0", k,
                           (double)m->emissive_factor[k]);
    if (!zc__f32_in(m->metallic_factor, 0.0f, 1.0f) || !zc__f32_in(m->roughness_factor, 0.0f, 1.0f))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "material metallic %g or roughness %g is not in [0, 1]",
                       (double)m->metallic_factor, (double)m->roughness_factor);
    if (!zc__f32_in(m->occlusion_strength, 0.0f, 1.0f))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "material occlusion_strength %g is not in [0, 1]",
                       (double)m->occlusion_strength);
    if (!zc_f32_finite(m->normal_scale))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "material normal_scale is not finite");
    for (uint32_t s = 0; s < ZC_MATERIAL_SLOT_COUNT; ++s) {
        const zc_material_texture *t = &m->textures[s];
        if (t->reserved != 0)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "material %s slot reserved field is not zero",
                           zc_material_slot_name(s));
        if (t->texcoord >= ZC_MATERIAL_MAX_TEXCOORD || (t->texture == 0 && t->texcoord != 0))
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "material %s slot texcoord %u is invalid%s",
                           zc_material_slot_name(s), t->texcoord, t->texture ? "" : " for an empty slot");
    }
    zc_diag sub;
    zc_result r = zc_check_string(payload, size, &m->name, ZC_MATERIAL_MAX_NAME, diag ? &sub : NULL);
    if (r != ZC_OK) return zc_fail(diag, r, "material name: %s", diag ? sub.message : "");
    return ZC_OK;
}

#ifdef __cplusplus
}
#endif

#endif /* ZC_MATERIAL_H */
