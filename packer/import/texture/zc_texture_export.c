/* zc_texture_export.c - texture entries as KTX2 and DDS files (zc_texture_export.h).
 *
 * One table row per pixel format names it in both containers and describes it for
 * the KTX2 data format descriptor; the writers below only lay bytes out. */
#include "zc_texture_export.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------
 * The formats
 * ------------------------------------------------------------------------------- */

enum { /* Khronos data format descriptor values (KDF 1.3) */
    DF_MODEL_RGBSDA = 1, DF_MODEL_BC1A = 128, DF_MODEL_BC3 = 130, DF_MODEL_BC4 = 131, DF_MODEL_BC5 = 132,
    DF_MODEL_BC6H = 133, DF_MODEL_BC7 = 134, DF_MODEL_ASTC = 162,
    DF_PRIMARIES_BT709 = 1, DF_TRANSFER_LINEAR = 1, DF_TRANSFER_SRGB = 2,
    DF_LINEAR = 0x10, DF_SIGNED = 0x40, DF_FLOAT = 0x80, DF_ALPHA = 15,
};

typedef struct zc__export_format {
    uint32_t format;            /* zc_pixel_format */
    uint32_t vk_format;         /* KTX2 */
    uint32_t dxgi_format;       /* DDS, DX10 header */
    char fourcc[5];             /* DDS without DX10: "" when the DX10 header is needed */
    uint8_t model;              /* KDF colour model */
    uint8_t channels;           /* samples: one per channel; BC3 and BC5 two blocks */
    uint8_t bits;               /* per sample */
    uint8_t is_float;           /* 1: signed float samples; 2: unsigned float (BC6H_UFLOAT) */
} zc__export_format;

static const zc__export_format zc__formats[] = {
    { ZC_PIXEL_R8_UNORM, 9, 61, "", DF_MODEL_RGBSDA, 1, 8, 0 },
    { ZC_PIXEL_RG8_UNORM, 16, 49, "", DF_MODEL_RGBSDA, 2, 8, 0 },
    { ZC_PIXEL_RGBA8_UNORM, 37, 28, "RGBA", DF_MODEL_RGBSDA, 4, 8, 0 },
    { ZC_PIXEL_RGBA8_SRGB, 43, 29, "", DF_MODEL_RGBSDA, 4, 8, 0 },
    { ZC_PIXEL_RGBA16_FLOAT, 97, 10, "", DF_MODEL_RGBSDA, 4, 16, 1 },
    { ZC_PIXEL_RGBA32_FLOAT, 109, 2, "", DF_MODEL_RGBSDA, 4, 32, 1 },
    { ZC_PIXEL_BC1_UNORM, 133, 71, "DXT1", DF_MODEL_BC1A, 1, 64, 0 },
    { ZC_PIXEL_BC1_SRGB, 134, 72, "", DF_MODEL_BC1A, 1, 64, 0 },
    { ZC_PIXEL_BC3_UNORM, 137, 77, "DXT5", DF_MODEL_BC3, 2, 64, 0 },
    { ZC_PIXEL_BC3_SRGB, 138, 78, "", DF_MODEL_BC3, 2, 64, 0 },
    { ZC_PIXEL_BC4_UNORM, 139, 80, "ATI1", DF_MODEL_BC4, 1, 64, 0 },
    { ZC_PIXEL_BC5_UNORM, 141, 83, "ATI2", DF_MODEL_BC5, 2, 64, 0 },
    { ZC_PIXEL_BC7_UNORM, 145, 98, "", DF_MODEL_BC7, 1, 128, 0 },
    { ZC_PIXEL_BC7_SRGB, 146, 99, "", DF_MODEL_BC7, 1, 128, 0 },
    { ZC_PIXEL_BC6H_UFLOAT, 143, 95, "", DF_MODEL_BC6H, 1, 128, 2 },
    /* ASTC: Direct3D has no format for it, so no DDS (dxgi 0) */
    { ZC_PIXEL_ASTC_4x4_UNORM, 157, 0, "", DF_MODEL_ASTC, 1, 128, 0 },
    { ZC_PIXEL_ASTC_4x4_SRGB, 158, 0, "", DF_MODEL_ASTC, 1, 128, 0 },
    { ZC_PIXEL_ASTC_6x6_UNORM, 165, 0, "", DF_MODEL_ASTC, 1, 128, 0 },
    { ZC_PIXEL_ASTC_6x6_SRGB, 166, 0, "", DF_MODEL_ASTC, 1, 128, 0 },
    { ZC_PIXEL_ASTC_8x8_UNORM, 171, 0, "", DF_MODEL_ASTC, 1, 128, 0 },
    { ZC_PIXEL_ASTC_8x8_SRGB, 172, 0, "", DF_MODEL_ASTC, 1, 128, 0 },
    /* ASTC HDR: VK_EXT_texture_compression_astc_hdr */
    { ZC_PIXEL_ASTC_4x4_FLOAT, 1000066000u, 0, "", DF_MODEL_ASTC, 1, 128, 1 },
    { ZC_PIXEL_ASTC_6x6_FLOAT, 1000066004u, 0, "", DF_MODEL_ASTC, 1, 128, 1 },
    { ZC_PIXEL_ASTC_8x8_FLOAT, 1000066007u, 0, "", DF_MODEL_ASTC, 1, 128, 1 },
};

static const zc__export_format *zc__export_format_of(uint32_t format) {
    for (size_t i = 0; i < sizeof zc__formats / sizeof *zc__formats; ++i)
        if (zc__formats[i].format == format) return &zc__formats[i];
    return NULL;
}

/* ---------------------------------------------------------------------------------
 * Levels without the pack's row padding
 * ------------------------------------------------------------------------------- */

typedef struct zc__level_shape {
    uint64_t row_bytes;         /* one row of blocks, tight */
    uint64_t rows;              /* rows of blocks times depth */
    uint64_t bytes;             /* of one layer's level */
} zc__level_shape;

static zc__level_shape zc__shape(const zc_texture_view *view, uint32_t level) {
    uint32_t block = 1, block_bytes = 1;
    zc_pixel_format_block(view->format, &block, &block_bytes);
    uint64_t w = view->width >> level ? view->width >> level : 1, h = view->height >> level ? view->height >> level : 1;
    uint64_t d = view->depth >> level ? view->depth >> level : 1;
    zc__level_shape s;
    s.row_bytes = (w + block - 1) / block * block_bytes;
    s.rows = (h + block - 1) / block * d;
    s.bytes = s.row_bytes * s.rows;
    return s;
}

/* One layer's level, tight, at dst. Safe: the view's level lies inside its entry. */
static void zc__copy_level(const zc_texture_view *view, uint32_t level, uint32_t layer, uint8_t *dst) {
    zc_texture_level_view lv;
    if (zc_texture_view_level(view, level, layer, &lv) != ZC_OK) return;
    zc__level_shape s = zc__shape(view, level);
    for (uint64_t r = 0; r < s.rows; ++r)
        memcpy(dst + r * s.row_bytes, (const uint8_t *)lv.data + r * lv.row_pitch, (size_t)s.row_bytes);
}

static void zc__put32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = (uint8_t)(v >> (8 * i));
}

static void zc__put64(uint8_t *p, uint64_t v) {
    zc__put32(p, (uint32_t)v);
    zc__put32(p + 4, (uint32_t)(v >> 32));
}

/* ---------------------------------------------------------------------------------
 * KTX2
 * ------------------------------------------------------------------------------- */

#define ZC__KTX2_HEADER 80u     /* identifier, header and index */
#define ZC__KTX2_WRITER "KTXwriter"

static const uint8_t zc__ktx2_identifier[12] = { 0xAB, 'K', 'T', 'X', ' ', '2', '0', 0xBB, '\r', '\n', 0x1A, '\n' };

/* The data format descriptor (total size word, then one basic block) at dst;
 * returns its bytes (dst NULL: only counts). */
static uint32_t zc__ktx2_dfd(const zc_texture_view *view, const zc__export_format *f, uint8_t *dst) {
    uint32_t samples = f->channels, block_size = 24 + 16 * samples, total = 4 + block_size;
    if (!dst) return total;
    uint32_t block = 1, block_bytes = 1;
    zc_pixel_format_block(view->format, &block, &block_bytes);
    int srgb = zc_pixel_format_is_srgb(view->format);
    zc__put32(dst, total);
    uint8_t *b = dst + 4;
    zc__put32(b, 0);                               /* vendor 0 (Khronos), descriptor type 0 (basic) */
    zc__put32(b + 4, 2u | (block_size << 16));     /* version 2 (KDF 1.3), block size */
    b[8] = f->model;
    b[9] = DF_PRIMARIES_BT709;
    b[10] = srgb ? DF_TRANSFER_SRGB : DF_TRANSFER_LINEAR;
    b[11] = 0;                                     /* straight alpha */
    b[12] = (uint8_t)(block - 1), b[13] = (uint8_t)(block - 1), b[14] = 0, b[15] = 0;
    memset(b + 16, 0, 8);
    b[16] = (uint8_t)block_bytes;                  /* bytesPlane0 */
    static const uint8_t rgba_ids[4] = { 0, 1, 2, DF_ALPHA };
    for (uint32_t i = 0; i < samples; ++i) {
        uint8_t *s = b + 24 + 16 * i;
        uint8_t id = f->model == DF_MODEL_RGBSDA ? rgba_ids[i]
                     : f->model == DF_MODEL_BC3  ? (i == 0 ? DF_ALPHA : 0)
                     : f->model == DF_MODEL_BC1A ? 1 /* alpha present */
                                                 : (uint8_t)i;
        uint8_t qualifiers = (uint8_t)((f->is_float ? DF_FLOAT : 0) | (f->is_float == 1 ? DF_SIGNED : 0) |
                                       (srgb && id == DF_ALPHA ? DF_LINEAR : 0));
        zc__put32(s, (i * f->bits) | ((uint32_t)(f->bits - 1) << 16) | ((uint32_t)(id | qualifiers) << 24));
        zc__put32(s + 4, 0);                       /* sample position */
        uint32_t upper = f->is_float ? 0x3F800000u : f->bits >= 32 ? 0xFFFFFFFFu : (1u << f->bits) - 1u;
        zc__put32(s + 8, f->is_float == 1 ? 0xBF800000u : 0); /* -1.0f, or 0 (0.0f) */
        zc__put32(s + 12, f->model == DF_MODEL_RGBSDA ? upper : f->is_float ? 0x7F800000u : 0xFFFFFFFFu);
    }
    return total;
}

static uint64_t zc__align(uint64_t v, uint64_t a) {
    return (v + a - 1) / a * a;
}

static zc_result zc__ktx2(const zc_texture_view *view, const zc__export_format *f, uint8_t **out, size_t *out_size) {
    uint32_t block = 1, block_bytes = 1;
    zc_pixel_format_block(view->format, &block, &block_bytes);
    uint64_t align = block_bytes % 4 == 0 ? block_bytes : block_bytes % 2 == 0 ? block_bytes * 2 : block_bytes * 4;
    uint32_t levels = view->mip_count, dfd_size = zc__ktx2_dfd(view, f, NULL);
    static const char kv_value[] = "zcpack";
    uint32_t kv_length = (uint32_t)(sizeof ZC__KTX2_WRITER + sizeof kv_value); /* key NUL value NUL */
    uint64_t dfd_at = ZC__KTX2_HEADER + 24ull * levels, kvd_at = dfd_at + dfd_size;
    uint64_t at = zc__align(kvd_at + 4 + kv_length, 4);
    uint64_t offsets[ZC_TEXTURE_MAX_MIPS];
    for (uint32_t l = levels; l-- > 0;) { /* smallest level first */
        at = zc__align(at, align);
        offsets[l] = at;
        at += zc__shape(view, l).bytes * view->layers;
    }
    if (at > SIZE_MAX / 2) return ZC_ERR_LIMIT;
    uint8_t *p = calloc(1, (size_t)at);
    if (!p) return ZC_ERR_OUT_OF_MEMORY;
    memcpy(p, zc__ktx2_identifier, sizeof zc__ktx2_identifier);
    zc__put32(p + 12, f->vk_format);
    zc__put32(p + 16, block > 1 ? 1 : (uint32_t)(f->bits / 8)); /* typeSize */
    zc__put32(p + 20, view->width);
    zc__put32(p + 24, view->height);
    zc__put32(p + 28, view->depth > 1 ? view->depth : 0);
    int cube = (view->flags & ZC_TEXTURE_CUBE) && view->layers % 6 == 0;
    uint32_t array = cube ? view->layers / 6 : view->layers; /* cube faces follow each layer's */
    zc__put32(p + 32, array > 1 ? array : 0);
    zc__put32(p + 36, cube ? 6 : 1);               /* faces */
    zc__put32(p + 40, levels);
    zc__put32(p + 44, 0);                          /* no supercompression */
    zc__put32(p + 48, (uint32_t)dfd_at);
    zc__put32(p + 52, dfd_size);
    zc__put32(p + 56, (uint32_t)kvd_at);
    zc__put32(p + 60, 4 + kv_length);
    zc__put64(p + 64, 0);                          /* no supercompression global data */
    zc__put64(p + 72, 0);
    for (uint32_t l = 0; l < levels; ++l) {
        uint64_t bytes = zc__shape(view, l).bytes * view->layers;
        zc__put64(p + ZC__KTX2_HEADER + 24ull * l, offsets[l]);
        zc__put64(p + ZC__KTX2_HEADER + 24ull * l + 8, bytes);
        zc__put64(p + ZC__KTX2_HEADER + 24ull * l + 16, bytes);
        for (uint32_t layer = 0; layer < view->layers; ++layer)
            zc__copy_level(view, l, layer, p + offsets[l] + zc__shape(view, l).bytes * layer);
    }
    zc__ktx2_dfd(view, f, p + dfd_at);
    zc__put32(p + kvd_at, kv_length);
    memcpy(p + kvd_at + 4, ZC__KTX2_WRITER, sizeof ZC__KTX2_WRITER);
    memcpy(p + kvd_at + 4 + sizeof ZC__KTX2_WRITER, kv_value, sizeof kv_value);
    *out = p;
    *out_size = (size_t)at;
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * DDS
 * ------------------------------------------------------------------------------- */

enum {
    DDSD_CAPS = 0x1, DDSD_HEIGHT = 0x2, DDSD_WIDTH = 0x4, DDSD_PITCH = 0x8, DDSD_PIXELFORMAT = 0x1000,
    DDSD_MIPMAPCOUNT = 0x20000, DDSD_LINEARSIZE = 0x80000, DDSD_DEPTH = 0x800000,
    DDPF_ALPHAPIXELS = 0x1, DDPF_FOURCC = 0x4, DDPF_RGB = 0x40,
    DDSCAPS_COMPLEX = 0x8, DDSCAPS_TEXTURE = 0x1000, DDSCAPS_MIPMAP = 0x400000, DDSCAPS2_VOLUME = 0x200000,
    DDSCAPS2_CUBEMAP_ALL_FACES = 0xFE00, DDS_DIMENSION_2D = 3, DDS_DIMENSION_3D = 4, DDS_MISC_TEXTURECUBE = 0x4,
};

static zc_result zc__dds(const zc_texture_view *view, const zc__export_format *f, uint8_t **out, size_t *out_size) {
    uint32_t block = 1, block_bytes = 1;
    zc_pixel_format_block(view->format, &block, &block_bytes);
    int dx10 = !f->fourcc[0] || view->layers > 1;
    uint64_t header = 4 + 124 + (dx10 ? 20 : 0), data = 0;
    for (uint32_t l = 0; l < view->mip_count; ++l) data += zc__shape(view, l).bytes;
    data *= view->layers;
    if (header + data > SIZE_MAX / 2) return ZC_ERR_LIMIT;
    uint8_t *p = calloc(1, (size_t)(header + data));
    if (!p) return ZC_ERR_OUT_OF_MEMORY;
    memcpy(p, "DDS ", 4);
    uint8_t *h = p + 4;
    zc__level_shape top = zc__shape(view, 0);
    uint32_t flags = DDSD_CAPS | DDSD_HEIGHT | DDSD_WIDTH | DDSD_PIXELFORMAT | DDSD_MIPMAPCOUNT |
                     (block > 1 ? DDSD_LINEARSIZE : DDSD_PITCH) | (view->depth > 1 ? DDSD_DEPTH : 0);
    zc__put32(h, 124);
    zc__put32(h + 4, flags);
    zc__put32(h + 8, view->height);
    zc__put32(h + 12, view->width);
    zc__put32(h + 16, (uint32_t)(block > 1 ? top.bytes / (view->depth ? view->depth : 1) : top.row_bytes));
    zc__put32(h + 20, view->depth > 1 ? view->depth : 0);
    zc__put32(h + 24, view->mip_count);
    uint8_t *pf = h + 72; /* DDS_PIXELFORMAT */
    zc__put32(pf, 32);
    if (dx10) {
        zc__put32(pf + 4, DDPF_FOURCC);
        memcpy(pf + 8, "DX10", 4);
    } else if (block == 1) { /* RGBA8 by masks */
        zc__put32(pf + 4, DDPF_RGB | DDPF_ALPHAPIXELS);
        zc__put32(pf + 12, 32);
        zc__put32(pf + 16, 0x000000FFu);
        zc__put32(pf + 20, 0x0000FF00u);
        zc__put32(pf + 24, 0x00FF0000u);
        zc__put32(pf + 28, 0xFF000000u);
    } else {
        zc__put32(pf + 4, DDPF_FOURCC);
        memcpy(pf + 8, f->fourcc, 4);
    }
    zc__put32(h + 104, DDSCAPS_TEXTURE | (view->mip_count > 1 ? DDSCAPS_MIPMAP | DDSCAPS_COMPLEX : 0) |
                           (view->layers > 1 ? DDSCAPS_COMPLEX : 0));
    int cube = (view->flags & ZC_TEXTURE_CUBE) && view->layers % 6 == 0;
    zc__put32(h + 108, view->depth > 1 ? DDSCAPS2_VOLUME : cube ? DDSCAPS2_CUBEMAP_ALL_FACES : 0);
    if (dx10) {
        uint8_t *x = h + 124;
        zc__put32(x, f->dxgi_format);
        zc__put32(x + 4, view->depth > 1 ? DDS_DIMENSION_3D : DDS_DIMENSION_2D);
        zc__put32(x + 8, cube ? DDS_MISC_TEXTURECUBE : 0);
        zc__put32(x + 12, cube ? view->layers / 6 : view->layers); /* DX10 counts cubes, not faces */
        zc__put32(x + 16, 0); /* alpha mode unknown */
    }
    uint8_t *at = p + header;
    for (uint32_t layer = 0; layer < view->layers; ++layer)
        for (uint32_t l = 0; l < view->mip_count; ++l) {
            zc__copy_level(view, l, layer, at);
            at += zc__shape(view, l).bytes;
        }
    *out = p;
    *out_size = (size_t)(header + data);
    return ZC_OK;
}

zc_result zc_texture_export(const zc_texture_view *view, zc_texture_container kind, uint8_t **out, size_t *out_size,
                            zc_diag *diag) {
    *out = NULL;
    *out_size = 0;
    const zc__export_format *f = view ? zc__export_format_of(view->format) : NULL;
    if (!f || view->mip_count == 0 || view->mip_count > ZC_TEXTURE_MAX_MIPS || view->layers == 0)
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "pixel format %u has no KTX2 or DDS name",
                       view ? (unsigned)view->format : 0u);
    if (kind == ZC_TEXTURE_DDS && !f->dxgi_format)
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "DDS has no format for %s (Direct3D has no ASTC): use KTX2",
                       zc_pixel_format_name(view->format));
    zc_result r = kind == ZC_TEXTURE_KTX2 ? zc__ktx2(view, f, out, out_size)
                  : kind == ZC_TEXTURE_DDS ? zc__dds(view, f, out, out_size)
                                           : ZC_ERR_INVALID_ARGUMENT;
    if (r == ZC_ERR_LIMIT) return zc_fail(diag, r, "the texture's file would not fit in memory");
    if (r == ZC_ERR_OUT_OF_MEMORY) return zc_fail(diag, r, "out of memory");
    if (r != ZC_OK) return zc_fail(diag, r, "unknown container %d", (int)kind);
    return ZC_OK;
}
