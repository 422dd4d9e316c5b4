/* zc_texture_layout.h - the texture entry type: pixel format, extent, and a mip chain whose
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
 * slice. The check of an entry of this type is zc_texture_check in zc_texture.h. Pure:
 * no I/O, no allocation.
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
    X(BC5_UNORM,     12, 4, 16)

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
    ZC__TEXTURE_FLAGS_ALL = 0xFu
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
    return format == ZC_PIXEL_RGBA8_SRGB || format == ZC_PIXEL_BC1_SRGB || format == ZC_PIXEL_BC3_SRGB;
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
