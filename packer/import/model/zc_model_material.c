/* zc_model_material.c - the material pass of the model import: every aiMaterial a
 * kept mesh uses becomes P#material/<m> (formats/zc_material.h), glTF 2.0
 * metallic-roughness PBR, with its textures imported as P#texture/<t>.
 *
 * Where each field comes from (first source found wins; values outside a field's
 * range are clamped into it, values that are not finite fall back to the default):
 *   base_color_factor   AI_MATKEY_BASE_COLOR, else the diffuse colour with alpha =
 *                       AI_MATKEY_OPACITY when present; default opaque white
 *   metallic_factor     AI_MATKEY_METALLIC_FACTOR; default 0 (non-PBR sources)
 *   roughness_factor    AI_MATKEY_ROUGHNESS_FACTOR, else sqrt(2 / (shininess + 2)) from
 *                       a Phong exponent (AI_MATKEY_SHININESS); default 1
 *   alpha_mode, cutoff  AI_MATKEY_GLTF_ALPHAMODE / _ALPHACUTOFF (glTF sources), else
 *                       BLEND when the base alpha is below 1, else OPAQUE; cutoff 0.5
 *   flags               DOUBLE_SIDED from AI_MATKEY_TWOSIDED, UNLIT from the
 *                       aiShadingMode_Unlit shading model
 *   emissive_factor     the emissive colour times AI_MATKEY_EMISSIVE_INTENSITY (if any)
 *   normal_scale        the glTF scale of the normal texture; default 1
 *   occlusion_strength  the glTF strength of the occlusion texture; default 1
 * Colours are taken as assimp gives them (glTF's are linear; other formats do not say).
 *
 * Texture slots, by assimp texture type in order of preference:
 *   BASE_COLOR          BASE_COLOR, DIFFUSE
 *   METALLIC_ROUGHNESS  METALNESS and DIFFUSE_ROUGHNESS when both name the same image
 *                       (glTF's packed texture), else UNKNOWN for glTF sources (assimp's
 *                       older name for it); two different images are not combined: the
 *                       slot stays empty with a note
 *   NORMAL              NORMALS, NORMAL_CAMERA, then HEIGHT for OBJ sources only (OBJ
 *                       exporters put normal maps in map_bump)
 *   OCCLUSION           AMBIENT_OCCLUSION, LIGHTMAP
 *   EMISSIVE            EMISSIVE, EMISSION_COLOR
 * Only the first texture of a type is used. A texcoord set beyond TEXCOORD1 falls
 * back to TEXCOORD0 with a note.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <assimp/GltfMaterial.h>
#include <assimp/material.h>
#include <assimp/scene.h>

#include "zc_model_assimp.h"
#include "zc_model_internal.h"

static float zc__unit(float v, float fallback) {
    if (!zc_f32_finite(v)) return fallback;
    return v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
}

static int zc__get_float(const struct aiMaterial *mat, const char *key, unsigned type, unsigned index, float *out) {
    ai_real v;
    if (zc__assimp.GetMaterialFloatArray(mat, key, type, index, &v, NULL) != aiReturn_SUCCESS) return 0;
    *out = (float)v;
    return 1;
}

static int zc__get_int(const struct aiMaterial *mat, const char *key, unsigned type, unsigned index, int *out) {
    return zc__assimp.GetMaterialIntegerArray(mat, key, type, index, out, NULL) == aiReturn_SUCCESS;
}

/* Base colour, opacity and the alpha mode. */
static void zc__material_colour(const struct aiMaterial *mat, zc_material *out) {
    struct aiColor4D c = { 1.0f, 1.0f, 1.0f, 1.0f };
    float opacity;
    if (zc__assimp.GetMaterialColor(mat, AI_MATKEY_BASE_COLOR, &c) != aiReturn_SUCCESS) {
        c = (struct aiColor4D){ 1.0f, 1.0f, 1.0f, 1.0f };
        if (zc__assimp.GetMaterialColor(mat, AI_MATKEY_COLOR_DIFFUSE, &c) != aiReturn_SUCCESS)
            c = (struct aiColor4D){ 1.0f, 1.0f, 1.0f, 1.0f };
        if (zc__get_float(mat, AI_MATKEY_OPACITY, &opacity)) c.a = opacity;
    }
    out->base_color_factor[0] = zc__unit(c.r, 1.0f);
    out->base_color_factor[1] = zc__unit(c.g, 1.0f);
    out->base_color_factor[2] = zc__unit(c.b, 1.0f);
    out->base_color_factor[3] = zc__unit(c.a, 1.0f);

    struct aiString mode;
    out->alpha_cutoff = 0.5f;
    if (zc__assimp.GetMaterialString(mat, AI_MATKEY_GLTF_ALPHAMODE, &mode) == aiReturn_SUCCESS) {
        out->alpha_mode = strcmp(mode.data, "MASK") == 0    ? ZC_ALPHA_MASK
                          : strcmp(mode.data, "BLEND") == 0 ? ZC_ALPHA_BLEND
                                                            : ZC_ALPHA_OPAQUE;
        float cutoff;
        if (zc__get_float(mat, AI_MATKEY_GLTF_ALPHACUTOFF, &cutoff)) out->alpha_cutoff = zc__unit(cutoff, 0.5f);
    } else {
        out->alpha_mode = out->base_color_factor[3] < 1.0f ? ZC_ALPHA_BLEND : ZC_ALPHA_OPAQUE;
    }
}

/* Metallic, roughness, emissive, flags and the texture scalars. */
static void zc__material_factors(const struct aiMaterial *mat, zc_material *out) {
    float v;
    out->metallic_factor = zc__get_float(mat, AI_MATKEY_METALLIC_FACTOR, &v) ? zc__unit(v, 0.0f) : 0.0f;
    if (zc__get_float(mat, AI_MATKEY_ROUGHNESS_FACTOR, &v)) out->roughness_factor = zc__unit(v, 1.0f);
    else if (zc__get_float(mat, AI_MATKEY_SHININESS, &v) && zc_f32_finite(v) && v >= 0.0f)
        out->roughness_factor = zc__unit(sqrtf(2.0f / (v + 2.0f)), 1.0f);
    else out->roughness_factor = 1.0f;

    struct aiColor4D e = { 0.0f, 0.0f, 0.0f, 1.0f };
    float intensity = 1.0f;
    if (zc__assimp.GetMaterialColor(mat, AI_MATKEY_COLOR_EMISSIVE, &e) != aiReturn_SUCCESS) e = (struct aiColor4D){ 0, 0, 0, 1 };
    if (zc__get_float(mat, AI_MATKEY_EMISSIVE_INTENSITY, &v) && zc_f32_finite(v) && v >= 0.0f) intensity = v;
    const float rgb[3] = { e.r * intensity, e.g * intensity, e.b * intensity };
    for (int k = 0; k < 3; ++k) out->emissive_factor[k] = zc_f32_finite(rgb[k]) && rgb[k] > 0.0f ? rgb[k] : 0.0f;

    int i;
    if (zc__get_int(mat, AI_MATKEY_TWOSIDED, &i) && i) out->flags |= ZC_MATERIAL_DOUBLE_SIDED;
    if (zc__get_int(mat, AI_MATKEY_SHADING_MODEL, &i) && i == aiShadingMode_Unlit) out->flags |= ZC_MATERIAL_UNLIT;

    out->normal_scale = 1.0f;
    if (zc__get_float(mat, AI_MATKEY_GLTF_TEXTURE_SCALE(aiTextureType_NORMALS, 0), &v) && zc_f32_finite(v))
        out->normal_scale = v;
    out->occlusion_strength = 1.0f;
    if (zc__get_float(mat, AI_MATKEY_GLTF_TEXTURE_STRENGTH(aiTextureType_AMBIENT_OCCLUSION, 0), &v) ||
        zc__get_float(mat, AI_MATKEY_GLTF_TEXTURE_STRENGTH(aiTextureType_LIGHTMAP, 0), &v))
        out->occlusion_strength = zc__unit(v, 1.0f);
}

/* The first texture of `type`: path and texcoord set. 0 when the material has none. */
static int zc__texture_of(const struct aiMaterial *mat, int type, struct aiString *path, unsigned *uv) {
    if (zc__assimp.GetMaterialTextureCount(mat, (enum aiTextureType)type) == 0) return 0;
    *uv = 0;
    if (zc__assimp.GetMaterialTexture(mat, (enum aiTextureType)type, 0, path, NULL, uv, NULL, NULL, NULL, NULL) !=
        aiReturn_SUCCESS)
        return 0;
    return path->length > 0;
}

/* Which texture fills `slot`; 0 when none does. */
static int zc__slot_source(zc__model_build *b, const struct aiMaterial *mat, uint32_t slot, const char *what,
                           struct aiString *path, unsigned *uv) {
    switch (slot) {
    case ZC_MATERIAL_SLOT_BASE_COLOR:
        return zc__texture_of(mat, aiTextureType_BASE_COLOR, path, uv) ||
               zc__texture_of(mat, aiTextureType_DIFFUSE, path, uv);
    case ZC_MATERIAL_SLOT_METALLIC_ROUGHNESS: {
        struct aiString rough;
        unsigned rough_uv = 0;
        int metal = zc__texture_of(mat, aiTextureType_METALNESS, path, uv);
        int has_rough = zc__texture_of(mat, aiTextureType_DIFFUSE_ROUGHNESS, &rough, &rough_uv);
        if (metal && has_rough && strcmp(path->data, rough.data) == 0) return 1;
        if (metal || has_rough) {
            zc__model_note(b, "%s: separate metalness and roughness textures are not combined: slot left empty", what);
            return 0;
        }
        return b->is_gltf && zc__texture_of(mat, aiTextureType_UNKNOWN, path, uv);
    }
    case ZC_MATERIAL_SLOT_NORMAL:
        return zc__texture_of(mat, aiTextureType_NORMALS, path, uv) ||
               zc__texture_of(mat, aiTextureType_NORMAL_CAMERA, path, uv) ||
               (b->is_obj && zc__texture_of(mat, aiTextureType_HEIGHT, path, uv));
    case ZC_MATERIAL_SLOT_OCCLUSION:
        return zc__texture_of(mat, aiTextureType_AMBIENT_OCCLUSION, path, uv) ||
               zc__texture_of(mat, aiTextureType_LIGHTMAP, path, uv);
    case ZC_MATERIAL_SLOT_EMISSIVE:
        return zc__texture_of(mat, aiTextureType_EMISSIVE, path, uv) ||
               zc__texture_of(mat, aiTextureType_EMISSION_COLOR, path, uv);
    default: return 0;
    }
}

/* Fill every texture slot, importing the textures; deps receives each distinct id. */
static zc_result zc__material_slots(zc__model_build *b, const struct aiScene *scene, const struct aiMaterial *mat,
                                    uint32_t m, const char *name, zc_material *out, uint64_t *deps,
                                    uint32_t *dep_count, zc_diag *diag) {
    *dep_count = 0;
    for (uint32_t slot = 0; slot < ZC_MATERIAL_SLOT_COUNT; ++slot) {
        char what[160];
        const char *slot_name = zc_material_slot_name(slot);
        snprintf(what, sizeof what, "material %u \"%s\" %s slot", m, name, slot_name ? slot_name : "unknown");
        struct aiString path;
        unsigned uv = 0;
        if (!zc__slot_source(b, mat, slot, what, &path, &uv)) continue;
        uint64_t id = 0;
        zc_result r = zc__model_texture(b, scene, path.data, zc_material_slot_is_srgb(slot),
                                        slot == ZC_MATERIAL_SLOT_NORMAL, what, &id, diag);
        if (r != ZC_OK) return r;
        if (!id) continue;
        if (uv >= ZC_MATERIAL_MAX_TEXCOORD) {
            zc__model_note(b, "%s: texcoord set %u is not kept: TEXCOORD0 used instead", what, uv);
            uv = 0;
        }
        out->textures[slot].texture = id;
        out->textures[slot].texcoord = uv;
        uint32_t k = 0;
        while (k < *dep_count && deps[k] != id) ++k;
        if (k == *dep_count) deps[(*dep_count)++] = id;
    }
    return ZC_OK;
}

/* One material: fields, slots, name; then the entry. */
static zc_result zc__material_entry(zc__model_build *b, const struct aiScene *scene, uint32_t m, zc_diag *diag) {
    const struct aiMaterial *mat = scene->mMaterials[m];
    struct aiString source_name;
    char name[ZC_MATERIAL_MAX_NAME + 1];
    size_t name_len = 0;
    name[0] = 0;
    if (zc__assimp.GetMaterialString(mat, AI_MATKEY_NAME, &source_name) == aiReturn_SUCCESS) {
        size_t n = source_name.length < sizeof source_name.data ? source_name.length : sizeof source_name.data - 1;
        name_len = zc__model_utf8_copy(source_name.data, n, name, ZC_MATERIAL_MAX_NAME);
    }
    char note_name[ZC__MODEL_NOTE_NAME + 1];
    zc__model_utf8_copy(name, name_len, note_name, ZC__MODEL_NOTE_NAME);

    zc_material fields;
    memset(&fields, 0, sizeof fields);
    zc__material_colour(mat, &fields);
    zc__material_factors(mat, &fields);
    uint64_t deps[ZC_MATERIAL_SLOT_COUNT];
    uint32_t dep_count = 0;
    zc_result r = zc__material_slots(b, scene, mat, m, note_name, &fields, deps, &dep_count, diag);
    if (r != ZC_OK) return r;

    size_t size = sizeof(zc_material) + name_len + 1;
    uint8_t *payload = zc__model_alloc_payload(size);
    if (!payload) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for material %u", m);
    zc_material *out = (zc_material *)payload;
    *out = fields;
    out->struct_size = sizeof(zc_material);
    out->name.length = name_len;
    memcpy(payload + sizeof(zc_material), name, name_len);
    zc_rel_set(&out->name.offset, &out->name, name_len ? payload + sizeof(zc_material) : NULL);

    zc_diag sub;
    if ((r = zc_material_check(payload, size, &sub)) != ZC_OK) {
        free(payload);
        return zc_fail(diag, r, "internal error: material %u fails its own check: %s", m, sub.message);
    }
    r = zc__model_add_entry(b, zc__model_part_path(b, "material", m), ZC_TYPE_MATERIAL, ZC_MATERIAL_LAYOUT_HASH, 4,
                            payload, size, deps, dep_count, diag);
    if (r == ZC_OK) b->material_count++;
    return r;
}

zc_result zc__model_materials(zc__model_build *b, const struct aiScene *scene, zc_diag *diag) {
    for (uint32_t m = 0; m < scene->mNumMaterials; ++m) {
        if (!b->material_used[m] || !scene->mMaterials[m]) continue;
        zc_result r = zc__material_entry(b, scene, m, diag);
        if (r != ZC_OK) return r;
    }
    return ZC_OK;
}
