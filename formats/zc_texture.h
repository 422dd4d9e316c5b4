/* zc_texture.h - the check of a texture entry (untrusted bytes); its layout is in
 * zc_texture_layout.h. Pure: no I/O, no allocation.
 */
#ifndef ZC_TEXTURE_H
#define ZC_TEXTURE_H

#include "zc_format.h"
#include "zc_texture_layout.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Full structural check of a texture payload: header fields, limits, the level array,
 * and every level's extent, pitch, size and placement inside the entry. Untrusted;
 * O(mip_count * layers); no allocation. */
static inline zc_result zc_texture_check(const void *payload, uint64_t size, zc_diag *diag) {
    if (size < sizeof(zc_texture))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "texture entry of %llu bytes is smaller than its header",
                       (unsigned long long)size);
    const zc_texture *t = (const zc_texture *)payload;
    if (t->struct_size < sizeof(zc_texture) || t->struct_size > size || t->struct_size % 8 != 0)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "texture struct_size %u is invalid", t->struct_size);
    uint32_t block = 0, block_bytes = 0;
    if (!zc_pixel_format_block(t->format, &block, &block_bytes))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "texture format %u is not defined", t->format);
    if (t->width == 0 || t->height == 0 || t->depth == 0 || t->layers == 0 || t->width > ZC_TEXTURE_MAX_EXTENT ||
        t->height > ZC_TEXTURE_MAX_EXTENT || t->depth > ZC_TEXTURE_MAX_DEPTH || t->layers > ZC_TEXTURE_MAX_LAYERS)
        return zc_fail(diag, ZC_ERR_LIMIT, "texture extent %ux%ux%u with %u layers is outside the limits", t->width,
                       t->height, t->depth, t->layers);
    if (t->depth > 1 && t->layers > 1)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "texture is both 3D (depth %u) and an array (%u layers)", t->depth,
                       t->layers);
    uint32_t largest = t->width > t->height ? t->width : t->height;
    if (t->depth > largest) largest = t->depth;
    uint32_t full_chain = 1;
    while ((largest >> full_chain) != 0) ++full_chain;
    if (t->mip_count == 0 || t->mip_count > full_chain)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "texture has %u mip levels; %ux%ux%u allows 1 to %u", t->mip_count,
                       t->width, t->height, t->depth, full_chain);
    if (t->flags & ~(uint32_t)ZC__TEXTURE_FLAGS_ALL)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "texture has unknown flags 0x%08x", t->flags);
    if (t->row_pitch_align == 0 || t->row_pitch_align > 4096 || (t->row_pitch_align & (t->row_pitch_align - 1)))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "texture row_pitch_align %u is not a power of two in [1, 4096]",
                       t->row_pitch_align);
    if (t->reserved0 != 0 || t->reserved1 != 0)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "texture reserved fields are not zero");
    uint64_t level_count = (uint64_t)t->mip_count * t->layers;
    if (t->levels.count != level_count)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "texture lists %llu levels, expected %llu",
                       (unsigned long long)t->levels.count, (unsigned long long)level_count);
    zc_result r = zc_check_array(payload, size, &t->levels, sizeof(zc_texture_level), 8, level_count, diag);
    if (r != ZC_OK) return r;
    const zc_texture_level *levels = (const zc_texture_level *)zc_array_data(&t->levels);
    for (uint64_t i = 0; i < level_count; ++i) {
        const zc_texture_level *l = &levels[i];
        uint32_t mip = (uint32_t)(i / t->layers);
        uint32_t w = t->width >> mip, h = t->height >> mip, d = t->depth >> mip;
        if (w == 0) w = 1;
        if (h == 0) h = 1;
        if (d == 0) d = 1;
        if (l->width != w || l->height != h || l->depth != d)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "texture level %u is %ux%ux%u, expected %ux%ux%u", mip, l->width,
                           l->height, l->depth, w, h, d);
        uint64_t row_bytes = zc_texture_row_bytes(t->format, w);
        if (l->row_pitch < row_bytes || l->row_pitch % t->row_pitch_align != 0 || l->row_pitch % block_bytes != 0)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY,
                           "texture level %u row pitch %u (need >= %llu, a multiple of %u and of the %u-byte block)",
                           mip, l->row_pitch, (unsigned long long)row_bytes, t->row_pitch_align, block_bytes);
        /* row_pitch < 2^32, block rows <= 2^16, depth <= 2^11: no 64-bit overflow */
        uint64_t need = (uint64_t)l->row_pitch * zc_texture_block_rows(t->format, h) * d;
        if (l->texels.count != need)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "texture level %u holds %llu bytes, expected %llu", mip,
                           (unsigned long long)l->texels.count, (unsigned long long)need);
        r = zc_check_array(payload, size, &l->texels, 1, ZC_TEXTURE_DATA_ALIGN, UINT64_MAX, diag);
        if (r != ZC_OK) return r;
    }
    return ZC_OK;
}

#ifdef __cplusplus
}
#endif

#endif /* ZC_TEXTURE_H */
