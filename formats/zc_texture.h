/* zc_texture.h - the texture entry type: pixel format, extent, and a mip chain whose
 * levels lie in the entry ready for a GPU upload as they are.
 *
 * Payload layout (SPEC.md, "Texture"):
 *
 *   zc_texture                      at offset 0 of the entry
 *   zc_texture_level[mip_count * layers]   level-major: index = level * layers + layer
 *   texel data of every level       each level at a multiple of ZC_TEXTURE_DATA_ALIGN
 *
 * Each level's bytes are rows of texel blocks (1x1 texels for uncompressed formats, 4x4
 * for BCn), row_pitch bytes apart, top row first; a 3D level repeats that for each depth
 * slice. The second half of this header, zc_texture_check, checks an entry of this
 * type (untrusted bytes); zc_pack.h leaves it out. Pure: no I/O, no allocation.
 */
#ifndef ZC_TEXTURE_LAYOUT_H
#define ZC_TEXTURE_LAYOUT_H

#include "zc_layout.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZC_TYPE_TEXTURE ZC_FOURCC('T', 'E', 'X', 'R')

#define ZC_TEXTURE_LAYOUT_DESC                                                                   \
    "texture/1:struct_size@0:u32,format@4:u32,width@8:u32,height@12:u32,depth@16:u32,"           \
    "layers@20:u32,mip_count@24:u32,flags@28:u32,row_pitch_align@32:u32,reserved0@36:u32,"       \
    "levels@40:array,reserved1@56:u64;level:texels@0:array,width@16:u32,height@20:u32,"          \
    "depth@24:u32,row_pitch@28:u32"
#define ZC_TEXTURE_LAYOUT_HASH 0x74ef9514u /* zc_layout_hash(ZC_TEXTURE_LAYOUT_DESC) */

#define ZC_TEXTURE_MAX_EXTENT   65536u  /* texels per side, any level */
#define ZC_TEXTURE_MAX_MIPS     17u     /* 1 + log2(ZC_TEXTURE_MAX_EXTENT) */
#define ZC_TEXTURE_MAX_LAYERS   2048u
#define ZC_TEXTURE_MAX_DEPTH    2048u
#define ZC_TEXTURE_DATA_ALIGN   16u     /* minimum alignment of a level's bytes in the entry */
#define ZC_TEXTURE_WRITER_DATA_ALIGN 512u /* what zcpack uses: a D3D12 copy source needs 512 */

/* Pixel formats. Values are stable; new formats are appended. */
#define ZC_PIXEL_FORMAT_LIST(X)                        \
    /* name,          value, block w/h, block bytes */ \
    X(R8_UNORM,       1, 1, 1)                         \
    X(RG8_UNORM,      2, 1, 2)                         \
    X(RGBA8_UNORM,    3, 1, 4)                         \
    X(RGBA8_SRGB,     4, 1, 4)                         \
    X(RGBA16_FLOAT,   5, 1, 8)                         \
    X(RGBA32_FLOAT,   6, 1, 16)                        \
    X(BC1_UNORM,      7, 4, 8)                         \
    X(BC1_SRGB,       8, 4, 8)                         \
    X(BC3_UNORM,      9, 4, 16)                        \
    X(BC3_SRGB,      10, 4, 16)                        \
    X(BC4_UNORM,     11, 4, 8)                         \
    X(BC5_UNORM,     12, 4, 16)                        \
    X(ASTC_4x4_UNORM, 13, 4, 16)                       \
    X(ASTC_4x4_SRGB, 14, 4, 16)                        \
    X(ASTC_6x6_UNORM, 15, 6, 16)                       \
    X(ASTC_6x6_SRGB, 16, 6, 16)                        \
    X(ASTC_8x8_UNORM, 17, 8, 16)                       \
    X(ASTC_8x8_SRGB, 18, 8, 16)                        \
    X(BC7_UNORM,     19, 4, 16)                        \
    X(BC7_SRGB,      20, 4, 16)                        \
    X(ASTC_4x4_FLOAT, 21, 4, 16)                       \
    X(ASTC_6x6_FLOAT, 22, 6, 16)                       \
    X(ASTC_8x8_FLOAT, 23, 8, 16)                       \
    X(BC6H_UFLOAT,   24, 4, 16)

typedef enum zc_pixel_format {
    ZC_PIXEL_UNDEFINED = 0,
#define ZC__PIXEL_ENUM(name, value, block, bytes) ZC_PIXEL_##name = value,
    ZC_PIXEL_FORMAT_LIST(ZC__PIXEL_ENUM)
#undef ZC__PIXEL_ENUM
    ZC__PIXEL_COUNT
} zc_pixel_format;

/* Texture flags: facts about the content, for the engine's sampler and shader choices. */
enum {
    ZC_TEXTURE_NORMAL_MAP = 1u << 0,  /* tangent-space normals in RG (BC5) or RGB */
    ZC_TEXTURE_HAS_ALPHA  = 1u << 1,  /* some texel has alpha < 1 */
    ZC_TEXTURE_CUTOUT     = 1u << 2,  /* alpha-tested: mips keep their alpha coverage */
    ZC_TEXTURE_HDR        = 1u << 3,  /* decoded from a high-dynamic-range source */
    ZC_TEXTURE_CUBE       = 1u << 4,  /* layers are cube faces, six per cube, in the order
                                         +X, -X, +Y, -Y, +Z, -Z; square, 2D */
    ZC__TEXTURE_FLAGS_ALL = 0x1Fu
};

typedef struct zc_texture {
    uint32_t struct_size;       /* sizeof(zc_texture) of the writer; readers accept larger */
    uint32_t format;            /* zc_pixel_format */
    uint32_t width;             /* level 0, texels, [1, ZC_TEXTURE_MAX_EXTENT] */
    uint32_t height;
    uint32_t depth;             /* 1 for 2D textures */
    uint32_t layers;            /* array layers, 1 for a plain texture */
    uint32_t mip_count;         /* [1, 1 + floor(log2(max(width, height, depth)))] */
    uint32_t flags;             /* ZC_TEXTURE_* */
    uint32_t row_pitch_align;   /* power of two in [1, 4096]; every row_pitch is a multiple */
    uint32_t reserved0;         /* zero */
    zc_array levels;            /* zc_texture_level[mip_count * layers] */
    uint64_t reserved1;         /* zero */
} zc_texture;

typedef struct zc_texture_level {
    zc_array texels;            /* the level's bytes; count = size in bytes */
    uint32_t width;             /* max(1, texture.width >> level) */
    uint32_t height;            /* max(1, texture.height >> level) */
    uint32_t depth;             /* max(1, texture.depth >> level) */
    uint32_t row_pitch;         /* bytes from one row of blocks to the next */
} zc_texture_level;

ZC_STATIC_ASSERT(sizeof(zc_texture) == 64, "zc_texture size");
ZC_CHECK_LAYOUT(zc_texture, struct_size, 0);
ZC_CHECK_LAYOUT(zc_texture, format, 4);
ZC_CHECK_LAYOUT(zc_texture, width, 8);
ZC_CHECK_LAYOUT(zc_texture, height, 12);
ZC_CHECK_LAYOUT(zc_texture, depth, 16);
ZC_CHECK_LAYOUT(zc_texture, layers, 20);
ZC_CHECK_LAYOUT(zc_texture, mip_count, 24);
ZC_CHECK_LAYOUT(zc_texture, flags, 28);
ZC_CHECK_LAYOUT(zc_texture, row_pitch_align, 32);
ZC_CHECK_LAYOUT(zc_texture, reserved0, 36);
ZC_CHECK_LAYOUT(zc_texture, levels, 40);
ZC_CHECK_LAYOUT(zc_texture, reserved1, 56);
ZC_STATIC_ASSERT(sizeof(zc_texture_level) == 32, "zc_texture_level size");
ZC_CHECK_LAYOUT(zc_texture_level, texels, 0);
ZC_CHECK_LAYOUT(zc_texture_level, width, 16);
ZC_CHECK_LAYOUT(zc_texture_level, height, 20);
ZC_CHECK_LAYOUT(zc_texture_level, depth, 24);
ZC_CHECK_LAYOUT(zc_texture_level, row_pitch, 28);

/* Block geometry of a format: 1 and fills the outputs for defined formats, 0 for
 * ZC_PIXEL_UNDEFINED and values outside the list. Pure; safe on any value. */
static inline int zc_pixel_format_block(uint32_t format, uint32_t *block_extent, uint32_t *block_bytes) {
    switch (format) {
#define ZC__PIXEL_BLOCK(name, value, block, bytes) \
    case value: *block_extent = block; *block_bytes = bytes; return 1;
    ZC_PIXEL_FORMAT_LIST(ZC__PIXEL_BLOCK)
#undef ZC__PIXEL_BLOCK
    default: return 0;
    }
}

/* "BC1_SRGB"; NULL for undefined values. Pure. */
static inline const char *zc_pixel_format_name(uint32_t format) {
    switch (format) {
#define ZC__PIXEL_NAME(name, value, block, bytes) case value: return #name;
    ZC_PIXEL_FORMAT_LIST(ZC__PIXEL_NAME)
#undef ZC__PIXEL_NAME
    default: return NULL;
    }
}

/* 1 for the sRGB-encoded formats. Pure. */
static inline int zc_pixel_format_is_srgb(uint32_t format) {
    return format == ZC_PIXEL_RGBA8_SRGB || format == ZC_PIXEL_BC1_SRGB || format == ZC_PIXEL_BC3_SRGB ||
           format == ZC_PIXEL_ASTC_4x4_SRGB || format == ZC_PIXEL_ASTC_6x6_SRGB || format == ZC_PIXEL_ASTC_8x8_SRGB ||
           format == ZC_PIXEL_BC7_SRGB;
}

/* Smallest row pitch of a level `width` texels wide, and the number of block rows of a
 * level `height` texels high. Defined formats only; no overflow for extents within
 * ZC_TEXTURE_MAX_EXTENT. */
static inline uint64_t zc_texture_row_bytes(uint32_t format, uint32_t width) {
    uint32_t block = 1, bytes = 0;
    zc_pixel_format_block(format, &block, &bytes);
    return (uint64_t)((width + block - 1) / block) * bytes;
}
static inline uint32_t zc_texture_block_rows(uint32_t format, uint32_t height) {
    uint32_t block = 1, bytes = 0;
    zc_pixel_format_block(format, &block, &bytes);
    return (height + block - 1) / block;
}

#ifdef __cplusplus
}
#endif

#endif /* ZC_TEXTURE_LAYOUT_H */

/* ---------------------------------------------------------------------------------
 * The check (formats/zc_format.h's diagnostics). Left out while ZC__LAYOUT_ONLY is
 * defined, as zc_pack.h includes this header; included again without it (zc_types.h,
 * zc_pack_format.h), it adds the check.
 * ------------------------------------------------------------------------------- */

#if !defined(ZC__LAYOUT_ONLY) && !defined(ZC_TEXTURE_H)
#define ZC_TEXTURE_H

#include "zc_format.h"

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
    if ((t->flags & ZC_TEXTURE_CUBE) && (t->layers % 6 != 0 || t->width != t->height || t->depth != 1))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "cube texture of %ux%ux%u with %u layers (needs square faces, six per cube)",
                       t->width, t->height, t->depth, t->layers);
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
