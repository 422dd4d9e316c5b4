/* zc_dds_read.c - DDS sources for the texture importer (zc_texture_pixels.h): the
 * file's layout (levels, layers, cube faces, and the pack's pixel format its bytes
 * already are, for zc_dds_keep.c, which stores such a file as it is), and the level 0
 * of a 2D DDS file decoded to texels, which the importer then treats as any other
 * image (its mip chain rebuilt, its blocks encoded into the format the rules choose).
 *
 * Read: the legacy header alone (FourCC DXT1 to DXT5, ATI1, ATI2, BC4U, BC5U, the
 * half and float RGBA codes 113 and 116, or uncompressed RGB, RGBA and luminance by
 * channel masks of 8 to 32 bits per texel) or with the DX10 header (BC1 to BC7,
 * unsigned BC6H, R8G8B8A8, B8G8R8A8, B8G8R8X8, R16G16B16A16_FLOAT and
 * R32G32B32A32_FLOAT, R8 and R8G8, typeless, UNORM and sRGB alike). Block formats
 * decode with the packer's decoders; BC4 and R8 become grey, BC5 and R8G8 red and green
 * with blue 0, BC6H and the float formats RGBA float (an HDR source). Refused with a
 * sentence, as ZC_ERR_UNSUPPORTED_CODEC (valid files of a kind not imported, which the
 * build packs as blobs): volumes, 1D textures, cube maps without all six faces, signed
 * formats and any other format; as ZC_ERR_BAD_SOURCE by the decoder also cube maps and
 * arrays (they are stored only as they are, zc_dds_keep.c).
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
    DDSCAPS2_CUBEMAP = 0x200, DDSCAPS2_ALL_FACES = 0xFC00, DDSCAPS2_VOLUME = 0x200000,
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
    uint32_t mips;              /* levels per layer */
    uint32_t layers;            /* faces or array layers, six per cube */
    int cube;
    uint32_t pixel;             /* zc_pixel_format the bytes already are; 0: none */
    int srgb;                   /* -1: the file does not say; 0 UNORM; 1 sRGB */
    uint32_t bits;              /* ZC__DDS_MASKS: bits per texel, 8 to 32 in steps of 8 */
    uint32_t mask[4];           /* ZC__DDS_MASKS: R, G, B, A (luminance: R only, copied to G and B) */
    int luminance;
    int alpha;                  /* the format stores alpha */
    int premultiplied;          /* DXT2, DXT4: colour multiplied by alpha */
} zc__dds;

int zc_dds_is(const uint8_t *bytes, size_t size) {
    return size >= 8 && memcmp(bytes, "DDS ", 4) == 0 && zc_le32(bytes + 4) == 124;
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

/* The pack's pixel format whose bytes a kind's are (the UNORM one where there are
 * two); 0 when the bytes would need converting. */
static uint32_t zc__dds_pixel(zc__dds_kind kind) {
    switch (kind) {
    case ZC__DDS_BC1: return ZC_PIXEL_BC1_UNORM;
    case ZC__DDS_BC3: return ZC_PIXEL_BC3_UNORM;
    case ZC__DDS_BC4: return ZC_PIXEL_BC4_UNORM;
    case ZC__DDS_BC5: return ZC_PIXEL_BC5_UNORM;
    case ZC__DDS_BC6H: return ZC_PIXEL_BC6H_UFLOAT;
    case ZC__DDS_BC7: return ZC_PIXEL_BC7_UNORM;
    case ZC__DDS_R8: return ZC_PIXEL_R8_UNORM;
    case ZC__DDS_RG8: return ZC_PIXEL_RG8_UNORM;
    case ZC__DDS_RGBA8: return ZC_PIXEL_RGBA8_UNORM;
    case ZC__DDS_RGBA16F: return ZC_PIXEL_RGBA16_FLOAT;
    case ZC__DDS_RGBA32F: return ZC_PIXEL_RGBA32_FLOAT;
    default: return 0;
    }
}

/* A DXGI format of the DX10 header; 0 when it is not one this reader decodes. Each
 * row is a typeless format followed by its UNORM and (srgb_at) sRGB ones. */
static int zc__dds_dxgi(uint32_t dxgi, zc__dds *d) {
    static const struct { uint32_t first, last; zc__dds_kind kind; int alpha; uint32_t unorm_at, srgb_at; } rows[] = {
        { 70, 72, ZC__DDS_BC1, 1, 71, 72 },  { 73, 75, ZC__DDS_BC2, 1, 74, 75 },  { 76, 78, ZC__DDS_BC3, 1, 77, 78 },
        { 79, 80, ZC__DDS_BC4, 0, 80, 0 },   { 82, 83, ZC__DDS_BC5, 0, 83, 0 },   { 94, 95, ZC__DDS_BC6H, 0, 0, 0 },
        { 97, 99, ZC__DDS_BC7, 1, 98, 99 },  { 27, 29, ZC__DDS_RGBA8, 1, 28, 29 }, { 87, 87, ZC__DDS_BGRA8, 1, 87, 0 },
        { 90, 91, ZC__DDS_BGRA8, 1, 0, 91 }, { 88, 88, ZC__DDS_BGRX8, 0, 88, 0 }, { 92, 93, ZC__DDS_BGRX8, 0, 0, 93 },
        { 10, 10, ZC__DDS_RGBA16F, 1, 0, 0 }, { 2, 2, ZC__DDS_RGBA32F, 1, 0, 0 }, { 60, 61, ZC__DDS_R8, 0, 61, 0 },
        { 48, 49, ZC__DDS_RG8, 0, 49, 0 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; ++i)
        if (dxgi >= rows[i].first && dxgi <= rows[i].last) {
            d->kind = rows[i].kind;
            d->alpha = rows[i].alpha;
            d->srgb = dxgi == rows[i].srgb_at ? 1 : dxgi == rows[i].unorm_at ? 0 : -1;
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
            d->premultiplied = memcmp(cc, "DXT2", 4) == 0 || memcmp(cc, "DXT4", 4) == 0;
            return 1;
        }
    uint32_t code = zc_le32(cc); /* D3DFORMAT numbers stored as the FourCC */
    if (code == 113 || code == 116) {
        d->kind = code == 113 ? ZC__DDS_RGBA16F : ZC__DDS_RGBA32F;
        d->alpha = 1;
        return 1;
    }
    return 0;
}

/* Levels in a full chain down to 1x1 for a w x h level 0. */
static uint32_t zc__dds_full_chain(uint32_t w, uint32_t h) {
    uint32_t n = 1, side = w > h ? w : h;
    while (side > 1) side >>= 1, ++n;
    return n;
}

/* Bytes of one layer's levels 0 to mips - 1, tight, as the file stores them. */
static uint64_t zc__dds_layer_bytes(const zc__dds *d, uint32_t mips) {
    uint64_t total = 0;
    for (uint32_t i = 0; i < mips; ++i) {
        uint64_t w = d->width >> i ? d->width >> i : 1, h = d->height >> i ? d->height >> i : 1;
        uint32_t block = zc__dds_block_bytes(d->kind);
        total += block ? ((w + 3) / 4) * ((h + 3) / 4) * block : w * h * zc__dds_texel_bytes(d);
    }
    return total;
}

/* The header's facts about the file's levels and layers, checked against the file's
 * size and the cap. */
static zc_result zc__dds_parse(const uint8_t *b, size_t size, uint32_t cap, zc__dds *d, zc_diag *diag) {
    memset(d, 0, sizeof *d);
    d->srgb = -1;
    d->layers = 1;
    if (size < ZC__DDS_HEADER) return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable DDS file: it ends inside its header");
    d->height = zc_le32(b + 12);
    d->width = zc_le32(b + 16);
    uint32_t depth = zc_le32(b + 24), pf_flags = zc_le32(b + 80), caps2 = zc_le32(b + 112);
    d->offset = ZC__DDS_HEADER;
    if ((pf_flags & DDPF_FOURCC) && memcmp(b + 84, "DX10", 4) == 0) {
        if (size < ZC__DDS_HEADER + ZC__DDS_DX10)
            return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable DDS file: it ends inside its DX10 header");
        const uint8_t *x = b + ZC__DDS_HEADER;
        uint32_t dxgi = zc_le32(x), dimension = zc_le32(x + 4), misc = zc_le32(x + 8), array = zc_le32(x + 12);
        d->offset += ZC__DDS_DX10;
        if (dimension != DDS_DIMENSION_TEXTURE2D)
            return zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC, "a DDS texture of another dimension than 2D, which is not "
                           "imported");
        d->cube = (misc & DDS_MISC_TEXTURECUBE) != 0;
        if (array == 0) array = 1;
        if (array > ZC_TEXTURE_MAX_LAYERS / (d->cube ? 6u : 1u))
            return zc_fail(diag, ZC_ERR_LIMIT, "a DDS texture array of %u %s, more than the %u layers a texture may have",
                           array, d->cube ? "cube maps" : "layers", ZC_TEXTURE_MAX_LAYERS);
        d->layers = array * (d->cube ? 6u : 1u);
        if (!zc__dds_dxgi(dxgi, d))
            return zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC, "a DDS file of DXGI format %u, which is not imported "
                           "(BC1 to BC7, R8, R8G8, RGBA8, BGRA8 and RGBA float formats are)", dxgi);
    } else {
        if ((caps2 & DDSCAPS2_VOLUME) || depth > 1)
            return zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC, "a DDS volume texture, which is not imported");
        if (caps2 & DDSCAPS2_CUBEMAP) {
            if ((caps2 & DDSCAPS2_ALL_FACES) != DDSCAPS2_ALL_FACES)
                return zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC, "a DDS cube map without all six faces, which is not "
                               "imported");
            d->cube = 1;
            d->layers = 6;
        }
        if (pf_flags & DDPF_FOURCC) {
            if (!zc__dds_fourcc(b + 84, d))
                return zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC, "a DDS file of FourCC \"%c%c%c%c\", which is not "
                               "imported (DXT1 to DXT5, ATI1, ATI2 and uncompressed ones are)",
                               b[84] >= 32 && b[84] < 127 ? b[84] : '?', b[85] >= 32 && b[85] < 127 ? b[85] : '?',
                               b[86] >= 32 && b[86] < 127 ? b[86] : '?', b[87] >= 32 && b[87] < 127 ? b[87] : '?');
        } else if (pf_flags & (DDPF_RGB | DDPF_LUMINANCE | DDPF_ALPHA)) {
            d->kind = ZC__DDS_MASKS;
            d->bits = zc_le32(b + 88);
            for (uint32_t c = 0; c < 4; ++c) d->mask[c] = zc_le32(b + 92 + 4 * c);
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
        return zc__texture_too_large(d->width, d->height, cap, diag);
    if (d->cube && d->width != d->height)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "a DDS cube map of %ux%u faces, which are not square", d->width,
                       d->height);
    d->mips = zc_le32(b + 28) ? zc_le32(b + 28) : 1;
    if (d->mips > zc__dds_full_chain(d->width, d->height))
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "DDS header gives %u mip levels, more than a %ux%u image has", d->mips,
                       d->width, d->height);
    d->bytes = zc__dds_layer_bytes(d, 1);
    uint64_t all = zc__dds_layer_bytes(d, d->mips) * d->layers; /* < 2^48: extent, levels and layers are capped */
    if (d->offset > size || all > size - d->offset)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable DDS file: its %u level%s of %u layer%s need %llu bytes, "
                       "the file holds %llu after the header", d->mips, d->mips == 1 ? "" : "s", d->layers,
                       d->layers == 1 ? "" : "s", (unsigned long long)all,
                       (unsigned long long)(size > d->offset ? size - d->offset : 0));
    d->pixel = d->premultiplied ? 0u : zc__dds_pixel(d->kind);
    if (d->kind == ZC__DDS_MASKS && d->bits == 32 && !d->luminance && d->mask[0] == 0xFFu && d->mask[1] == 0xFF00u &&
        d->mask[2] == 0xFF0000u && d->mask[3] == 0xFF000000u)
        d->pixel = ZC_PIXEL_RGBA8_UNORM; /* bytes R, G, B, A */
    return ZC_OK;
}

int zc_dds_is_float(const uint8_t *bytes, size_t size) {
    zc__dds d;
    return zc_dds_is(bytes, size) && zc__dds_parse(bytes, size, UINT32_MAX, &d, NULL) == ZC_OK &&
           (d.kind == ZC__DDS_BC6H || d.kind == ZC__DDS_RGBA16F || d.kind == ZC__DDS_RGBA32F);
}

/* The decoder's refusal of files it cannot make one image of. */
static zc_result zc__dds_one_image(const zc__dds *d, zc_diag *diag) {
    if (d->layers == 1) return ZC_OK;
    return zc_fail(diag, ZC_ERR_BAD_SOURCE, "a DDS %s is imported only as the file stores it (its own format, levels "
                   "and %s), and the rules for this file ask for another format or size",
                   d->cube ? "cube map" : "texture array", d->cube ? "faces" : "layers");
}

zc_result zc_dds_read_layout(const uint8_t *bytes, size_t size, uint32_t cap, zc_dds_layout *out, zc_diag *diag) {
    zc__dds d;
    memset(out, 0, sizeof *out);
    zc_result r = zc__dds_parse(bytes, size, cap, &d, diag);
    if (r != ZC_OK) return r;
    out->width = d.width;
    out->height = d.height;
    out->mips = d.mips;
    out->layers = d.layers;
    out->cube = d.cube;
    out->pixel = d.pixel;
    out->srgb = d.srgb;
    out->offset = d.offset;
    return ZC_OK;
}

zc_result zc_dds_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels, zc_diag *diag) {
    zc__dds d;
    zc_result r = zc__dds_parse(bytes, size, cap, &d, diag);
    if (r == ZC_OK) r = zc__dds_one_image(&d, diag);
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

/* Level 0 of layer 0, whatever the file's layers. */
static zc_result zc__dds_decode_first(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag) {
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

zc_result zc_dds_decode(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag) {
    zc__dds d;
    zc_result r = zc__dds_parse(bytes, size, UINT32_MAX, &d, diag);
    if (r == ZC_OK) r = zc__dds_one_image(&d, diag);
    return r == ZC_OK ? zc__dds_decode_first(bytes, size, w, h, out, diag) : r;
}

zc_result zc_dds_decode_level0(const uint8_t *bytes, size_t size, const zc_dds_layout *layout, zc_texels *out,
                               zc_diag *diag) {
    return zc__dds_decode_first(bytes, size, (int)layout->width, (int)layout->height, out, diag);
}
