/* zc_dds_read.c - DDS sources for the texture importer (zc_texture_pixels.h): the
 * level 0 of a 2D DDS file decoded to texels, which the importer then treats as any
 * other image (its mip chain rebuilt, its blocks encoded into the format the rules
 * choose).
 *
 * Read: the legacy header alone (FourCC DXT1 to DXT5, ATI1, ATI2, BC4U, BC5U, the
 * half and float RGBA codes 113 and 116, or uncompressed RGB, RGBA and luminance by
 * channel masks of 8 to 32 bits per texel) or with the DX10 header (BC1 to BC7,
 * unsigned BC6H, R8G8B8A8, B8G8R8A8, B8G8R8X8, R16G16B16A16_FLOAT and
 * R32G32B32A32_FLOAT, R8 and R8G8, typeless, UNORM and sRGB alike). Block formats
 * decode with the packer's decoders; BC4 and R8 become grey, BC5 and R8G8 red and green
 * with blue 0, BC6H and the float formats RGBA float (an HDR source). Refused with a sentence: cube maps, volumes
 * and arrays (assemble those from separate images with a cube-map or array rule),
 * signed formats, and any other format.
 *
 * Untrusted input: the header's fields are checked before use, the level's bytes are
 * computed in 64 bits and must lie inside the file, and the extent is checked against
 * the importer's limit before anything is allocated.
 */
#include <stdlib.h>
#include <string.h>

#include "zc_texture_pixels.h"

#define ZC__DDS_HEADER 128u     /* "DDS " and the 124-byte header */
#define ZC__DDS_DX10 20u        /* the DX10 header after it */

enum { /* DDS_PIXELFORMAT flags, caps2 and DX10 fields */
    DDPF_ALPHAPIXELS = 0x1, DDPF_ALPHA = 0x2, DDPF_FOURCC = 0x4, DDPF_RGB = 0x40, DDPF_LUMINANCE = 0x20000,
    DDSCAPS2_CUBEMAP = 0x200, DDSCAPS2_VOLUME = 0x200000,
    DDS_DIMENSION_TEXTURE2D = 3, DDS_MISC_TEXTURECUBE = 0x4,
};

/* How level 0 is stored. */
typedef enum zc__dds_kind {
    ZC__DDS_BC1, ZC__DDS_BC2, ZC__DDS_BC3, ZC__DDS_BC4, ZC__DDS_BC5, ZC__DDS_BC6H, ZC__DDS_BC7,
    ZC__DDS_R8, ZC__DDS_RG8, ZC__DDS_RGBA8, ZC__DDS_BGRA8, ZC__DDS_BGRX8, ZC__DDS_RGBA16F, ZC__DDS_RGBA32F,
    ZC__DDS_MASKS,              /* uncompressed, channels by bit masks */
} zc__dds_kind;

typedef struct zc__dds {
    zc__dds_kind kind;
    uint32_t width, height;
    uint64_t offset;            /* of level 0's bytes */
    uint64_t bytes;             /* level 0's size */
    uint32_t bits;              /* ZC__DDS_MASKS: bits per texel, 8 to 32 in steps of 8 */
    uint32_t mask[4];           /* ZC__DDS_MASKS: R, G, B, A (luminance: R only, copied to G and B) */
    int luminance;
    int alpha;                  /* the format stores alpha */
} zc__dds;

static uint32_t zc__le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int zc_dds_is(const uint8_t *bytes, size_t size) {
    return size >= 8 && memcmp(bytes, "DDS ", 4) == 0 && zc__le32(bytes + 4) == 124;
}

/* Block formats: bytes per 4x4 block; 0 for the others. */
static uint32_t zc__dds_block_bytes(zc__dds_kind kind) {
    switch (kind) {
    case ZC__DDS_BC1: case ZC__DDS_BC4: return 8;
    case ZC__DDS_BC2: case ZC__DDS_BC3: case ZC__DDS_BC5: case ZC__DDS_BC6H: case ZC__DDS_BC7: return 16;
    default: return 0;
    }
}

static uint32_t zc__dds_texel_bytes(const zc__dds *d) {
    switch (d->kind) {
    case ZC__DDS_R8: return 1;
    case ZC__DDS_RG8: return 2;
    case ZC__DDS_RGBA8: case ZC__DDS_BGRA8: case ZC__DDS_BGRX8: return 4;
    case ZC__DDS_RGBA16F: return 8;
    case ZC__DDS_RGBA32F: return 16;
    case ZC__DDS_MASKS: return d->bits / 8;
    default: return 0;
    }
}

/* A DXGI format of the DX10 header; 0 when it is not one this reader decodes. */
static int zc__dds_dxgi(uint32_t dxgi, zc__dds *d) {
    static const struct { uint32_t first, last; zc__dds_kind kind; int alpha; } rows[] = {
        { 70, 72, ZC__DDS_BC1, 1 },  { 73, 75, ZC__DDS_BC2, 1 },  { 76, 78, ZC__DDS_BC3, 1 },
        { 79, 80, ZC__DDS_BC4, 0 },  { 82, 83, ZC__DDS_BC5, 0 },  { 94, 95, ZC__DDS_BC6H, 0 },
        { 97, 99, ZC__DDS_BC7, 1 },  { 27, 29, ZC__DDS_RGBA8, 1 }, { 87, 87, ZC__DDS_BGRA8, 1 },
        { 90, 91, ZC__DDS_BGRA8, 1 }, { 88, 88, ZC__DDS_BGRX8, 0 }, { 92, 93, ZC__DDS_BGRX8, 0 },
        { 10, 10, ZC__DDS_RGBA16F, 1 }, { 2, 2, ZC__DDS_RGBA32F, 1 }, { 60, 61, ZC__DDS_R8, 0 },
        { 48, 49, ZC__DDS_RG8, 0 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; ++i)
        if (dxgi >= rows[i].first && dxgi <= rows[i].last) {
            d->kind = rows[i].kind;
            d->alpha = rows[i].alpha;
            return 1;
        }
    return 0;
}

/* A legacy FourCC; 0 when it is not one this reader decodes. */
static int zc__dds_fourcc(const uint8_t *cc, zc__dds *d) {
    static const struct { char cc[5]; zc__dds_kind kind; int alpha; } rows[] = {
        { "DXT1", ZC__DDS_BC1, 1 }, { "DXT2", ZC__DDS_BC2, 1 }, { "DXT3", ZC__DDS_BC2, 1 },
        { "DXT4", ZC__DDS_BC3, 1 }, { "DXT5", ZC__DDS_BC3, 1 }, { "ATI1", ZC__DDS_BC4, 0 },
        { "BC4U", ZC__DDS_BC4, 0 }, { "ATI2", ZC__DDS_BC5, 0 }, { "BC5U", ZC__DDS_BC5, 0 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; ++i)
        if (memcmp(cc, rows[i].cc, 4) == 0) {
            d->kind = rows[i].kind;
            d->alpha = rows[i].alpha;
            return 1;
        }
    uint32_t code = zc__le32(cc); /* D3DFORMAT numbers stored as the FourCC */
    if (code == 113 || code == 116) {
        d->kind = code == 113 ? ZC__DDS_RGBA16F : ZC__DDS_RGBA32F;
        d->alpha = 1;
        return 1;
    }
    return 0;
}

/* The header's facts about level 0, checked against the file's size and the cap. */
static zc_result zc__dds_parse(const uint8_t *b, size_t size, uint32_t cap, zc__dds *d, zc_diag *diag) {
    memset(d, 0, sizeof *d);
    if (size < ZC__DDS_HEADER) return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable DDS file: it ends inside its header");
    d->height = zc__le32(b + 12);
    d->width = zc__le32(b + 16);
    uint32_t depth = zc__le32(b + 24), pf_flags = zc__le32(b + 80), caps2 = zc__le32(b + 112);
    d->offset = ZC__DDS_HEADER;
    if ((pf_flags & DDPF_FOURCC) && memcmp(b + 84, "DX10", 4) == 0) {
        if (size < ZC__DDS_HEADER + ZC__DDS_DX10)
            return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable DDS file: it ends inside its DX10 header");
        const uint8_t *x = b + ZC__DDS_HEADER;
        uint32_t dxgi = zc__le32(x), dimension = zc__le32(x + 4), misc = zc__le32(x + 8), array = zc__le32(x + 12);
        d->offset += ZC__DDS_DX10;
        if (dimension != DDS_DIMENSION_TEXTURE2D || (misc & DDS_MISC_TEXTURECUBE) || array > 1)
            return zc_fail(diag, ZC_ERR_BAD_SOURCE, "a DDS %s, which is not imported: give each face or layer as an "
                           "image of its own and assemble them with a cube-map or array rule",
                           dimension != DDS_DIMENSION_TEXTURE2D ? "texture of another dimension than 2D"
                           : (misc & DDS_MISC_TEXTURECUBE) ? "cube map" : "texture array");
        if (!zc__dds_dxgi(dxgi, d))
            return zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC, "a DDS file of DXGI format %u, which is not imported "
                           "(BC1 to BC7, R8, R8G8, RGBA8, BGRA8 and RGBA float formats are)", dxgi);
    } else {
        if ((caps2 & (DDSCAPS2_CUBEMAP | DDSCAPS2_VOLUME)) || depth > 1)
            return zc_fail(diag, ZC_ERR_BAD_SOURCE, "a DDS %s, which is not imported: give each face or layer as an "
                           "image of its own and assemble them with a cube-map or array rule",
                           (caps2 & DDSCAPS2_CUBEMAP) ? "cube map" : "volume texture");
        if (pf_flags & DDPF_FOURCC) {
            if (!zc__dds_fourcc(b + 84, d))
                return zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC, "a DDS file of FourCC \"%c%c%c%c\", which is not "
                               "imported (DXT1 to DXT5, ATI1, ATI2 and uncompressed ones are)",
                               b[84] >= 32 && b[84] < 127 ? b[84] : '?', b[85] >= 32 && b[85] < 127 ? b[85] : '?',
                               b[86] >= 32 && b[86] < 127 ? b[86] : '?', b[87] >= 32 && b[87] < 127 ? b[87] : '?');
        } else if (pf_flags & (DDPF_RGB | DDPF_LUMINANCE | DDPF_ALPHA)) {
            d->kind = ZC__DDS_MASKS;
            d->bits = zc__le32(b + 88);
            for (uint32_t c = 0; c < 4; ++c) d->mask[c] = zc__le32(b + 92 + 4 * c);
            d->luminance = (pf_flags & DDPF_LUMINANCE) != 0;
            d->alpha = (pf_flags & (DDPF_ALPHAPIXELS | DDPF_ALPHA)) && d->mask[3];
            if (!d->alpha) d->mask[3] = 0;
            if (pf_flags & DDPF_ALPHA && !(pf_flags & (DDPF_RGB | DDPF_LUMINANCE))) d->mask[0] = d->mask[1] = d->mask[2] = 0;
            if (d->bits == 0 || d->bits > 32 || d->bits % 8 != 0)
                return zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC, "a DDS file of %u bits per texel, which is not imported "
                               "(8, 16, 24 and 32 are)", d->bits);
        } else {
            return zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC, "a DDS file whose pixel format names no known layout");
        }
    }
    if (d->width == 0 || d->height == 0)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "DDS header gives the empty size %ux%u", d->width, d->height);
    if (d->width > cap || d->height > cap)
        return zc_fail(diag, ZC_ERR_LIMIT, "image is %ux%u, larger than the %u limit", d->width, d->height, cap);
    uint32_t block = zc__dds_block_bytes(d->kind);
    d->bytes = block ? (uint64_t)((d->width + 3) / 4) * ((d->height + 3) / 4) * block
                     : (uint64_t)d->width * d->height * zc__dds_texel_bytes(d);
    if (d->offset > size || d->bytes > size - d->offset)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable DDS file: its first level needs %llu bytes, the file "
                       "holds %llu after the header", (unsigned long long)d->bytes,
                       (unsigned long long)(size > d->offset ? size - d->offset : 0));
    return ZC_OK;
}

int zc_dds_is_float(const uint8_t *bytes, size_t size) {
    zc__dds d;
    return zc_dds_is(bytes, size) && zc__dds_parse(bytes, size, UINT32_MAX, &d, NULL) == ZC_OK &&
           (d.kind == ZC__DDS_BC6H || d.kind == ZC__DDS_RGBA16F || d.kind == ZC__DDS_RGBA32F);
}

zc_result zc_dds_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels, zc_diag *diag) {
    zc__dds d;
    zc_result r = zc__dds_parse(bytes, size, cap, &d, diag);
    if (r != ZC_OK) return r;
    *w = (int)d.width;
    *h = (int)d.height;
    *channels = d.alpha ? 4 : 3;
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * Decoding level 0
 * ------------------------------------------------------------------------------- */

/* One block into 16 RGBA8 texels (row-major). */
static void zc__dds_block_rgba8(zc__dds_kind kind, const uint8_t *block, uint8_t rgba[64]) {
    switch (kind) {
    case ZC__DDS_BC1: zc_bc_decode_bc1(block, rgba); break;
    case ZC__DDS_BC2: {
        /* colour as BC3's (always four colours), alpha from the explicit 4-bit values */
        uint8_t bc3[16] = { 255, 255, 0, 0, 0, 0, 0, 0 };
        memcpy(bc3 + 8, block + 8, 8);
        zc_bc_decode_bc3(bc3, rgba);
        for (uint32_t i = 0; i < 16; ++i) rgba[4 * i + 3] = (uint8_t)(((block[i / 2] >> (4 * (i % 2))) & 15) * 17);
        break;
    }
    case ZC__DDS_BC3: zc_bc_decode_bc3(block, rgba); break;
    case ZC__DDS_BC4: {
        uint8_t r[16];
        zc_bc_decode_bc4(block, r);
        for (uint32_t i = 0; i < 16; ++i) rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = r[i], rgba[4 * i + 3] = 255;
        break;
    }
    case ZC__DDS_BC5: {
        uint8_t rg[32];
        zc_bc_decode_bc5(block, rg);
        for (uint32_t i = 0; i < 16; ++i)
            rgba[4 * i] = rg[2 * i], rgba[4 * i + 1] = rg[2 * i + 1], rgba[4 * i + 2] = 0, rgba[4 * i + 3] = 255;
        break;
    }
    default: zc_bc_decode_bc7(block, rgba); break;
    }
}

/* Block formats: every block decoded, the texels inside the extent kept. */
static void zc__dds_blocks(const zc__dds *d, const uint8_t *src, zc_texels *out) {
    uint32_t bw = (d->width + 3) / 4, bh = (d->height + 3) / 4, block = zc__dds_block_bytes(d->kind);
    for (uint32_t by = 0; by < bh; ++by)
        for (uint32_t bx = 0; bx < bw; ++bx, src += block) {
            uint8_t rgba[64];
            float f[64];
            if (d->kind == ZC__DDS_BC6H) zc_bc6h_decode_block(src, f);
            else zc__dds_block_rgba8(d->kind, src, rgba);
            for (uint32_t y = 0; y < 4 && by * 4 + y < d->height; ++y)
                for (uint32_t x = 0; x < 4 && bx * 4 + x < d->width; ++x) {
                    size_t at = (size_t)(by * 4 + y) * d->width + bx * 4 + x;
                    if (d->kind == ZC__DDS_BC6H) memcpy((float *)out->data + at * 4, f + (y * 4 + x) * 4, 16);
                    else memcpy((uint8_t *)out->data + at * 4, rgba + (y * 4 + x) * 4, 4);
                }
        }
}

/* A channel by its mask, widened or narrowed to 8 bits; `none` when the mask is 0. */
static uint8_t zc__dds_channel(uint32_t texel, uint32_t mask, uint8_t none) {
    if (!mask) return none;
    uint32_t shift = 0;
    while (!(mask >> shift & 1)) ++shift;
    uint64_t max = mask >> shift, value = (texel & mask) >> shift;
    return (uint8_t)((value * 255 + max / 2) / max);
}

/* Uncompressed formats, one texel at a time. */
static void zc__dds_texels(const zc__dds *d, const uint8_t *src, zc_texels *out) {
    size_t count = (size_t)d->width * d->height;
    uint32_t step = zc__dds_texel_bytes(d);
    for (size_t i = 0; i < count; ++i, src += step) {
        if (d->kind == ZC__DDS_RGBA16F || d->kind == ZC__DDS_RGBA32F) {
            float *f = (float *)out->data + i * 4;
            for (uint32_t c = 0; c < 4; ++c) {
                if (d->kind == ZC__DDS_RGBA32F) memcpy(&f[c], src + 4 * c, 4);
                else f[c] = zc_float_from_half((uint16_t)(src[2 * c] | src[2 * c + 1] << 8));
            }
            continue;
        }
        uint8_t *t = (uint8_t *)out->data + i * 4;
        if (d->kind == ZC__DDS_MASKS) {
            uint32_t texel = 0;
            for (uint32_t k = 0; k < step; ++k) texel |= (uint32_t)src[k] << (8 * k);
            t[0] = zc__dds_channel(texel, d->mask[0], 0);
            t[1] = d->luminance ? t[0] : zc__dds_channel(texel, d->mask[1], 0);
            t[2] = d->luminance ? t[0] : zc__dds_channel(texel, d->mask[2], 0);
            t[3] = zc__dds_channel(texel, d->mask[3], 255);
        } else if (d->kind == ZC__DDS_R8 || d->kind == ZC__DDS_RG8) { /* as BC4 and BC5 */
            int rg = d->kind == ZC__DDS_RG8;
            t[0] = src[0];
            t[1] = rg ? src[1] : src[0];
            t[2] = rg ? 0 : src[0];
            t[3] = 255;
        } else {
            int bgr = d->kind != ZC__DDS_RGBA8;
            t[0] = src[bgr ? 2 : 0];
            t[1] = src[1];
            t[2] = src[bgr ? 0 : 2];
            t[3] = d->kind == ZC__DDS_BGRX8 ? 255 : src[3];
        }
    }
}

zc_result zc_dds_decode(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag) {
    zc__dds d;
    zc_result r = zc__dds_parse(bytes, size, UINT32_MAX, &d, diag);
    if (r != ZC_OK) return r;
    if ((int)d.width != w || (int)d.height != h)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "image decoded as %ux%u but its header said %dx%d", d.width, d.height, w, h);
    int is_float = d.kind == ZC__DDS_BC6H || d.kind == ZC__DDS_RGBA16F || d.kind == ZC__DDS_RGBA32F;
    void *data = malloc((size_t)d.width * d.height * (is_float ? 16u : 4u));
    if (!data) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory decoding the image");
    out->width = d.width;
    out->height = d.height;
    out->is_float = is_float;
    out->data = data;
    if (zc__dds_block_bytes(d.kind)) zc__dds_blocks(&d, bytes + d.offset, out);
    else zc__dds_texels(&d, bytes + d.offset, out);
    return ZC_OK;
}
