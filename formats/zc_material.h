/* zc_material.h - the material entry type: glTF 2.0 metallic-roughness PBR factors,
 * alpha mode, and references to texture entries by asset id.
 *
 * Payload layout (SPEC.md, "Material"):
 *
 *   zc_material                     at offset 0 of the entry; holds its five texture
 *                                   slots inline
 *   name bytes, NUL                 the target of `name`, anywhere after the header
 *
 * Factors follow glTF 2.0: each factor multiplies the texel its slot's texture gives (a
 * slot without texture samples as 1). Colours are linear; base colour and emissive
 * textures hold sRGB-encoded texels. Texture references are asset ids resolved through
 * the TOC by the runtime, which reports a missing or non-texture target; this check sees
 * only the entry itself. The second half of this header, zc_material_check, checks an
 * entry of this type (untrusted bytes); zc_pack.h leaves it out. Pure: no I/O, no
 * allocation.
 */
#ifndef ZC_MATERIAL_LAYOUT_H
#define ZC_MATERIAL_LAYOUT_H

#include "zc_layout.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZC_TYPE_MATERIAL ZC_FOURCC('M', 'A', 'T', 'L')

#define ZC_MATERIAL_LAYOUT_DESC                                                                   \
    "material/1:struct_size@0:u32,alpha_mode@4:u32,flags@8:u32,alpha_cutoff@12:f32,"              \
    "base_color_factor@16:f32x4,emissive_factor@32:f32x3,metallic_factor@44:f32,"                 \
    "roughness_factor@48:f32,normal_scale@52:f32,occlusion_strength@56:f32,reserved0@60:u32,"     \
    "name@64:string,textures@80:texture_slot_x5,reserved1@160:u64;"                               \
    "texture_slot:texture@0:u64,texcoord@8:u32,reserved@12:u32"
#define ZC_MATERIAL_LAYOUT_HASH 0x294ee0e4u /* zc_layout_hash(ZC_MATERIAL_LAYOUT_DESC) */

#define ZC_MATERIAL_MAX_NAME     1024u  /* bytes of the name, without the NUL */
#define ZC_MATERIAL_MAX_TEXCOORD 2u     /* texcoord sets: TEXCOORD0 and TEXCOORD1 of a mesh */

/* Alpha modes. Values are stable; new modes are appended. X(name, value) */
#define ZC_ALPHA_MODE_LIST(X) \
    X(OPAQUE, 1)  /* alpha ignored */ \
    X(MASK,   2)  /* alpha >= alpha_cutoff is opaque, below is discarded */ \
    X(BLEND,  3)  /* alpha blended over what lies behind */

typedef enum zc_alpha_mode {
    ZC_ALPHA_UNDEFINED = 0,
#define ZC__ALPHA_ENUM(name, value) ZC_ALPHA_##name = value,
    ZC_ALPHA_MODE_LIST(ZC__ALPHA_ENUM)
#undef ZC__ALPHA_ENUM
    ZC__ALPHA_COUNT
} zc_alpha_mode;

/* Texture slots: the index of a slot in zc_material.textures. Unlike the stored enums,
 * slot values are array indices and start at 0; new slots are appended with a new
 * layout. X(name, index, sRGB texels) */
#define ZC_MATERIAL_SLOT_LIST(X)      \
    X(BASE_COLOR,         0, 1) /* RGB colour, A coverage */ \
    X(METALLIC_ROUGHNESS, 1, 0) /* B metallic, G roughness */ \
    X(NORMAL,             2, 0) /* tangent-space normal */ \
    X(OCCLUSION,          3, 0) /* R ambient occlusion */ \
    X(EMISSIVE,           4, 1) /* RGB emitted colour */

typedef enum zc_material_slot {
#define ZC__SLOT_ENUM(name, index, srgb) ZC_MATERIAL_SLOT_##name = index,
    ZC_MATERIAL_SLOT_LIST(ZC__SLOT_ENUM)
#undef ZC__SLOT_ENUM
    ZC_MATERIAL_SLOT_COUNT
} zc_material_slot;

/* Material flags. */
enum {
    ZC_MATERIAL_DOUBLE_SIDED = 1u << 0, /* no back-face culling; back faces flip the normal */
    ZC_MATERIAL_UNLIT        = 1u << 1, /* base colour only, no lighting (KHR_materials_unlit) */
    ZC__MATERIAL_FLAGS_ALL   = 0x3u
};

typedef struct zc_material_texture {
    uint64_t texture;           /* asset id of a texture entry; 0 = none */
    uint32_t texcoord;          /* TEXCOORD set, < ZC_MATERIAL_MAX_TEXCOORD; 0 when texture is 0 */
    uint32_t reserved;          /* zero */
} zc_material_texture;

typedef struct zc_material {
    uint32_t struct_size;       /* sizeof(zc_material) of the writer; readers accept larger */
    uint32_t alpha_mode;        /* zc_alpha_mode */
    uint32_t flags;             /* ZC_MATERIAL_* */
    float    alpha_cutoff;      /* [0, 1]; used by ZC_ALPHA_MASK (glTF default 0.5) */
    float    base_color_factor[4]; /* linear RGBA, each in [0, 1] */
    float    emissive_factor[3];   /* linear RGB, each finite >= 0 (strength folded in) */
    float    metallic_factor;   /* [0, 1] */
    float    roughness_factor;  /* [0, 1] */
    float    normal_scale;      /* finite; scales the normal texture's X and Y */
    float    occlusion_strength;/* [0, 1] */
    uint32_t reserved0;         /* zero */
    zc_string name;             /* source name, UTF-8, at most ZC_MATERIAL_MAX_NAME bytes; may be empty */
    zc_material_texture textures[ZC_MATERIAL_SLOT_COUNT]; /* indexed by zc_material_slot */
    uint64_t reserved1;         /* zero */
} zc_material;

ZC_STATIC_ASSERT(sizeof(float) == 4, "float is binary32");
ZC_STATIC_ASSERT(ZC_MATERIAL_SLOT_COUNT == 5, "the layout has five texture slots");
ZC_STATIC_ASSERT(sizeof(zc_material_texture) == 16, "zc_material_texture size");
ZC_CHECK_LAYOUT(zc_material_texture, texture, 0);
ZC_CHECK_LAYOUT(zc_material_texture, texcoord, 8);
ZC_CHECK_LAYOUT(zc_material_texture, reserved, 12);
ZC_STATIC_ASSERT(sizeof(zc_material) == 168, "zc_material size");
ZC_CHECK_LAYOUT(zc_material, struct_size, 0);
ZC_CHECK_LAYOUT(zc_material, alpha_mode, 4);
ZC_CHECK_LAYOUT(zc_material, flags, 8);
ZC_CHECK_LAYOUT(zc_material, alpha_cutoff, 12);
ZC_CHECK_LAYOUT(zc_material, base_color_factor, 16);
ZC_CHECK_LAYOUT(zc_material, emissive_factor, 32);
ZC_CHECK_LAYOUT(zc_material, metallic_factor, 44);
ZC_CHECK_LAYOUT(zc_material, roughness_factor, 48);
ZC_CHECK_LAYOUT(zc_material, normal_scale, 52);
ZC_CHECK_LAYOUT(zc_material, occlusion_strength, 56);
ZC_CHECK_LAYOUT(zc_material, reserved0, 60);
ZC_CHECK_LAYOUT(zc_material, name, 64);
ZC_CHECK_LAYOUT(zc_material, textures, 80);
ZC_CHECK_LAYOUT(zc_material, reserved1, 160);

/* "OPAQUE"; NULL for undefined values. Pure. */
static inline const char *zc_alpha_mode_name(uint32_t mode) {
    switch (mode) {
#define ZC__ALPHA_NAME(name, value) case value: return #name;
    ZC_ALPHA_MODE_LIST(ZC__ALPHA_NAME)
#undef ZC__ALPHA_NAME
    default: return NULL;
    }
}

/* "BASE_COLOR"; NULL for indices outside the slot list. Pure. */
static inline const char *zc_material_slot_name(uint32_t slot) {
    switch (slot) {
#define ZC__SLOT_NAME(name, index, srgb) case index: return #name;
    ZC_MATERIAL_SLOT_LIST(ZC__SLOT_NAME)
#undef ZC__SLOT_NAME
    default: return NULL;
    }
}

/* 1 when the slot's texture holds sRGB-encoded colour. Pure. */
static inline int zc_material_slot_is_srgb(uint32_t slot) {
    switch (slot) {
#define ZC__SLOT_SRGB(name, index, srgb) case index: return srgb;
    ZC_MATERIAL_SLOT_LIST(ZC__SLOT_SRGB)
#undef ZC__SLOT_SRGB
    default: return 0;
    }
}

#ifdef __cplusplus
}
#endif

#endif /* ZC_MATERIAL_LAYOUT_H */

/* ---------------------------------------------------------------------------------
 * The check (formats/zc_format.h's diagnostics). Left out while ZC__LAYOUT_ONLY is
 * defined, as zc_pack.h includes this header; included again without it (zc_types.h,
 * zc_pack_format.h), it adds the check.
 * ------------------------------------------------------------------------------- */

#if !defined(ZC__LAYOUT_ONLY) && !defined(ZC_MATERIAL_H)
#define ZC_MATERIAL_H

#include "zc_format.h"

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
