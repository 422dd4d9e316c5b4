/* zc_texture_pixels.h - texel-level work of the texture pipeline: mip levels, format
 * conversion, block compression and decompression, half floats.
 *
 *   zc_texture_mips.c    downsampling (stb_image_resize), normal renormalisation,
 *                        alpha statistics and alpha-test coverage
 *   zc_texture_encode.c  a level in any pixel format of zc_texture.h (the encoders of
 *                        the pixel-format rows, zc_pixel_formats.h), half floats
 *   zc_bc_decode.c       BC1/BC3/BC4/BC5 blocks, the decoders of the rows, and whole
 *                        levels back to RGBA8
 *   zc_bc7_encode.c      BC7 blocks from RGBA8 (zc_bc7_decode.c decodes them; the
 *                        block layout both follow is zc_bc7.h)
 *   zc_bc6h_encode.c     unsigned BC6H blocks from RGBA float (zc_bc6h_decode.c decodes
 *                        them; the block layout both follow is zc_bc6h.h)
 *
 * Images here are in memory, tight rows, top row first: RGBA8 (4 bytes per texel) or
 * RGBA float (4 floats per texel). Every function is safe from several threads at
 * once on different images.
 *
 * Trust: the mip and encode functions take images the packer built (width * height
 * texels behind data, sides >= 1); the decoders are safe on any block bytes, and the
 * level decoder on any view whose data holds the size it states.
 */
#ifndef ZC_TEXTURE_PIXELS_H
#define ZC_TEXTURE_PIXELS_H

#include <stddef.h>
#include <stdint.h>

#include "zc_pack_format.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Set to 1 on the calling thread whenever an allocation of stb_image fails
 * (zc_stb.c); never cleared there. A caller clears it before a decode and reads it
 * after a failed one to tell "out of memory" from a damaged file, which stb_image's
 * failure reason does not always do. */
#ifdef __cplusplus
extern thread_local int zc__stbi_out_of_memory;
#else
extern _Thread_local int zc__stbi_out_of_memory;
#endif

/* A decoded image in memory. */
typedef struct zc_texels {
    uint32_t width, height;     /* >= 1 */
    int is_float;               /* 0: RGBA8 texels; 1: RGBA float texels */
    void *data;                 /* width * height texels; malloc'd by whoever filled it */
} zc_texels;

/* Bytes of one texel of an image: 4 or 16. */
static inline size_t zc_texels_texel_bytes(const zc_texels *img) {
    return img->is_float ? 16u : 4u;
}

/* Big-endian fields of the formats that store them (SGI, Photoshop, PNG chunks);
 * little-endian ones are zc_le16 and zc_le32 (zc_format.h). Any bytes. */
static inline uint32_t zc__be16(const uint8_t *p) {
    return (uint32_t)p[0] << 8 | p[1];
}
static inline uint32_t zc__be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---------------------------------------------------------------------------------
 * Layers from one image (zc_texture_layers.c)
 * ------------------------------------------------------------------------------- */

/* The six faces (+X, -X, +Y, -Y, +Z, -Z, each size x size, allocated here, of the
 * source's texel type) of the cube map an equirectangular panorama shows: the
 * panorama's centre column looks along -Z with +X to its right, its top row is +Y;
 * bilinear samples of the stored values, wrapping around horizontally.
 * ZC_ERR_OUT_OF_MEMORY (nothing is left allocated). */
zc_result zc__texels_equirect_to_cube(const zc_texels *src, uint32_t size, zc_texels faces[6], zc_diag *diag);

/* `count` layers (allocated here) of src->width x (src->height / count) texels, the
 * source's rows cut from the top. ZC_ERR_OUT_OF_MEMORY (nothing is left allocated). */
zc_result zc__texels_split_rows(const zc_texels *src, uint32_t count, zc_texels *layers, zc_diag *diag);

/* The refusal of a source whose extent exceeds `cap` texels per side, the same
 * sentence from every reader: "image is WxH, larger than the <cap> limit
 * (--max-texture-dimension)". Always ZC_ERR_LIMIT. Inline: the OpenEXR reader calls
 * it from the zcpack program's EXR module too (zcpack_exr.so). */
static inline zc_result zc__texture_too_large(uint64_t w, uint64_t h, uint32_t cap, zc_diag *diag) {
    return zc_fail(diag, ZC_ERR_LIMIT, "image is %llux%llu, larger than the %u limit (--max-texture-dimension)",
                   (unsigned long long)w, (unsigned long long)h, cap);
}

/* ---------------------------------------------------------------------------------
 * WebP sources (zc_webp_read.c)
 * ------------------------------------------------------------------------------- */

/* 1 when the bytes start as a WebP file does ("RIFF", size, "WEBP"). Any bytes. */
int zc_webp_is(const uint8_t *bytes, size_t size);

/* The extent (each side at most `cap`, else ZC_ERR_LIMIT) and channels (3, or 4 with
 * alpha) of a WebP file in memory; ZC_ERR_BAD_SOURCE for a damaged header or an
 * animation. Untrusted; decodes no pixel. */
zc_result zc_webp_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels, zc_diag *diag);

/* Decode a WebP file whose probe gave w x h into RGBA8 texels (*out, data malloc'd).
 * ZC_ERR_BAD_SOURCE, ZC_ERR_OUT_OF_MEMORY. Untrusted. */
zc_result zc_webp_decode(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag);

/* ---------------------------------------------------------------------------------
 * DDS sources (zc_dds_read.c): the file's layout, and level 0 of a 2D texture
 * ------------------------------------------------------------------------------- */

/* What a DDS file holds, from its header, checked: every level of every layer lies
 * inside the file. The file stores layer after layer (cube faces +X, -X, +Y, -Y, +Z,
 * -Z), each layer's levels largest first, rows of texels or 4x4 blocks tight. */
typedef struct zc_dds_layout {
    uint32_t width, height;     /* level 0, each at most the cap given */
    uint32_t mips;              /* levels per layer, at most the full chain */
    uint32_t layers;            /* 1, array layers, or six faces per cube, <= ZC_TEXTURE_MAX_LAYERS */
    int cube;                   /* layers are cube faces */
    uint32_t pixel;             /* the zc_pixel_format (the UNORM one where sRGB exists) the
                                   bytes already are; 0: they need converting (BC2, BGRA,
                                   other channel masks, premultiplied DXT2 and DXT4) */
    int srgb;                   /* -1: the file does not say (legacy header, typeless); 0:
                                   UNORM; 1: sRGB */
    uint64_t offset;            /* of layer 0's level 0 */
} zc_dds_layout;

/* The layout of a DDS file in memory. Errors as zc_dds_probe's, except that cube
 * maps and arrays are read. Untrusted bytes. */
zc_result zc_dds_read_layout(const uint8_t *bytes, size_t size, uint32_t cap, zc_dds_layout *out, zc_diag *diag);

/* Level 0 of layer 0 of a file whose layout was read, into *out (malloc'd), as
 * zc_dds_decode gives it. Untrusted bytes. */
zc_result zc_dds_decode_level0(const uint8_t *bytes, size_t size, const zc_dds_layout *layout, zc_texels *out,
                               zc_diag *diag);

/* 1 when the bytes start as a DDS file does ("DDS ", header size 124). Any bytes. */
int zc_dds_is(const uint8_t *bytes, size_t size);

/* 1 when they are a DDS file this reader decodes to float texels (BC6H, RGBA16F,
 * RGBA32F): an HDR source. Any bytes. */
int zc_dds_is_float(const uint8_t *bytes, size_t size);

/* The extent (each side at most `cap`, else ZC_ERR_LIMIT) and channels (4 when the
 * format stores alpha, else 3) of a DDS file in memory. ZC_ERR_BAD_SOURCE for a
 * damaged or cut header, levels the file does not hold, a cube map or an array;
 * ZC_ERR_UNSUPPORTED_CODEC for a format it does not decode, a volume, a texture of
 * another dimension than 2D and a cube map without all six faces. Untrusted bytes. */
zc_result zc_dds_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels, zc_diag *diag);

/* Level 0 of a file zc_dds_probe accepted as w x h, into *out (malloc'd): RGBA8, or
 * RGBA float for the float formats. Untrusted bytes. */
zc_result zc_dds_decode(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag);

/* ---------------------------------------------------------------------------------
 * PCX sources (zc_pcx_read.c)
 * ------------------------------------------------------------------------------- */

/* 1 when the header could be a PCX file's (byte 10, a known version, run-length
 * encoding, 1, 2, 4 or 8 bits per plane). A weak test: zc_import_texture.c asks it
 * only of files stb_image does not read. Any bytes. */
int zc_pcx_is(const uint8_t *bytes, size_t size);

/* The extent (each side at most `cap`, else ZC_ERR_LIMIT) and channels (4 for 8-bit
 * RGBA, else 3) of a PCX file in memory; ZC_ERR_BAD_SOURCE for a damaged header,
 * ZC_ERR_UNSUPPORTED_CODEC for a layout it does not decode. Untrusted bytes. */
zc_result zc_pcx_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels, zc_diag *diag);

/* A file zc_pcx_probe accepted as w x h, into *out (RGBA8, malloc'd). Untrusted bytes. */
zc_result zc_pcx_decode(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag);

/* ---------------------------------------------------------------------------------
 * Run-length encoded BMP sources (zc_bmp_rle_read.c)
 * ------------------------------------------------------------------------------- */

/* 1 when the bytes start as a BMP file with BI_RLE8 or BI_RLE4 data does. Any bytes. */
int zc_bmp_rle_is(const uint8_t *bytes, size_t size);

/* The extent (each side at most `cap`, else ZC_ERR_LIMIT) and channels (3) of such a
 * file in memory; ZC_ERR_BAD_SOURCE for a damaged header or a palette or data offset
 * outside the file. Untrusted bytes. */
zc_result zc_bmp_rle_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels,
                           zc_diag *diag);

/* A file zc_bmp_rle_probe accepted as w x h, into *out (RGBA8, malloc'd). Untrusted bytes. */
zc_result zc_bmp_rle_decode(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag);

/* ---------------------------------------------------------------------------------
 * TIFF sources (zc_tiff_read.c)
 * ------------------------------------------------------------------------------- */

/* 1 when the bytes start as a TIFF file does ("II*\0" or "MM\0*"). Any bytes. */
int zc_tiff_is(const uint8_t *bytes, size_t size);

/* The extent (each side at most `cap`, else ZC_ERR_LIMIT) and channels (1 grey, 2 grey
 * and alpha, 3 RGB or palette, 4 with alpha) of the first image of a TIFF file in
 * memory; ZC_ERR_BAD_SOURCE for a damaged header or directory,
 * ZC_ERR_UNSUPPORTED_CODEC for a kind it does not decode (zc_tiff_read.c). Untrusted
 * bytes. */
zc_result zc_tiff_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels, zc_diag *diag);

/* A file zc_tiff_probe accepted as w x h, into *out (RGBA8, malloc'd). Untrusted bytes. */
zc_result zc_tiff_decode(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag);

/* ---------------------------------------------------------------------------------
 * GIF sources stb_image refuses (zc_gif_read.c)
 * ------------------------------------------------------------------------------- */

/* The logical screen's extent (each side at most `cap`, else ZC_ERR_LIMIT) of a GIF
 * file in memory, and 4 channels; ZC_ERR_BAD_SOURCE for a damaged header or colour
 * table or a file without an image. Untrusted bytes. */
zc_result zc_gif_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels, zc_diag *diag);

/* The first frame of a file zc_gif_probe accepted as w x h, on a transparent screen,
 * into *out (RGBA8, malloc'd); ZC_ERR_BAD_SOURCE for a code not yet in the LZW table
 * or a colour index beyond the colour table. Untrusted bytes. */
zc_result zc_gif_decode(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag);

/* PackBits (Apple's run-length code, as TIFF and Photoshop files use it): exactly `n`
 * bytes into out from [in, in + size); 1, or 0 when the data ends first or a run
 * would pass the n-th byte. Untrusted bytes. (zc_tiff_read.c) */
int zc__packbits(const uint8_t *in, size_t size, uint8_t *out, size_t n);

/* ---------------------------------------------------------------------------------
 * Photoshop sources (zc_psd_read.c; stb_image does not decode them)
 * ------------------------------------------------------------------------------- */

/* 1 when the bytes start as a Photoshop file does ("8BPS" and a whole header). Any
 * bytes. */
int zc_psd_is(const uint8_t *bytes, size_t size);

/* The extent (each side at most `cap`, else ZC_ERR_LIMIT) and channels (4 with alpha,
 * else 3) of such a file in memory: RGB, grayscale, duotone, indexed or CMYK, of 8 or
 * 16 bits; ZC_ERR_BAD_SOURCE for a damaged or cut header or section,
 * ZC_ERR_UNSUPPORTED_CODEC for another kind (bitmap, Lab, multichannel, 32 bits,
 * PSB, ZIP compression). Untrusted bytes. */
zc_result zc_psd_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels, zc_diag *diag);

/* A file zc_psd_probe accepted as w x h, into *out (RGBA8, malloc'd). Untrusted bytes. */
zc_result zc_psd_decode(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag);

/* ---------------------------------------------------------------------------------
 * SGI sources (zc_sgi_read.c)
 * ------------------------------------------------------------------------------- */

/* 1 when the bytes start as an SGI image does (magic 474, storage 0 or 1, 1 or 2 bytes
 * per value, dimension 1 to 3). Any bytes. */
int zc_sgi_is(const uint8_t *bytes, size_t size);

/* The extent (each side at most `cap`, else ZC_ERR_LIMIT) and channels (1 grey, 2 grey
 * and alpha, 3 RGB, 4 RGBA) of an SGI file in memory; ZC_ERR_BAD_SOURCE for a damaged
 * or cut header or tables, ZC_ERR_UNSUPPORTED_CODEC for a colour-mapped image.
 * Untrusted bytes. */
zc_result zc_sgi_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels, zc_diag *diag);

/* A file zc_sgi_probe accepted as w x h, into *out (RGBA8, malloc'd). Untrusted bytes. */
zc_result zc_sgi_decode(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag);

/* ---------------------------------------------------------------------------------
 * OpenEXR sources (zc_exr_read.c, zc_exr_decode.cpp)
 *
 * Linked into libzcpacker.a with the OpenEXR libraries. The zcpack program instead
 * builds the two files into zcpack_exr.so and loads it the first time a file is an
 * EXR (packer/cli/zc_cli_exr.c): OpenEXR's libraries take half of a process's
 * start, which every import action of a build engine pays.
 * ------------------------------------------------------------------------------- */

/* 1 when the bytes start with OpenEXR's magic number. Safe on any bytes. */
static inline int zc_exr_is(const uint8_t *bytes, size_t size) {
    return size >= 4 && bytes[0] == 0x76 && bytes[1] == 0x2f && bytes[2] == 0x31 && bytes[3] == 0x01;
}

/* Read the header of an OpenEXR file in memory: the data window's extent (each side
 * at most `cap`, else ZC_ERR_LIMIT) and how many of R, G, B, A (or Y, A) it has (1 to
 * 4). ZC_ERR_BAD_SOURCE with the reason for a damaged header, a deep image, no colour
 * channel or a subsampled one. Untrusted; decodes no pixel. */
zc_result zc_exr_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels, zc_diag *diag);

/* Decode part 0, level 0 of an OpenEXR file whose probe gave w x h into float RGBA
 * texels (*out, is_float 1, data malloc'd): absent colour channels 0, absent alpha 1,
 * Y copied to R, G and B; NaN becomes 0 and infinities +-65504 (half's largest).
 * ZC_ERR_BAD_SOURCE (a damaged chunk, with the library's reason),
 * ZC_ERR_OUT_OF_MEMORY. Untrusted. */
zc_result zc_exr_decode(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag);

/* ---------------------------------------------------------------------------------
 * Mip levels (zc_texture_mips.c)
 * ------------------------------------------------------------------------------- */

typedef enum zc_mip_filter {
    ZC_MIP_FILTER_SRGB = 0,     /* RGBA8 colour: RGB filtered in linear light (sRGB decode,
                                   filter, encode), alpha linear and used as the weight */
    ZC_MIP_FILTER_LINEAR,       /* every channel on its own, as stored (data textures;
                                   float images always use this) */
    ZC_MIP_FILTER_NORMAL,       /* LINEAR, then RGB renormalised as a unit vector */
} zc_mip_filter;

/* Fill *dst (allocated here, free its data) with src halved: max(1, w/2) x max(1, h/2),
 * stb_image_resize's default filter with clamped edges. ZC_ERR_OUT_OF_MEMORY;
 * ZC_ERR_INVALID_ARGUMENT for a 1x1 source. */
zc_result zc__texels_halve(const zc_texels *src, zc_mip_filter filter, zc_texels *dst);

/* zc__texels_halve for a source whose width and height are both even, without
 * stb_image_resize (zc_texture_halve.c): the same filter in two passes of eight fixed
 * taps, within one step of 255 of its results. ZC_ERR_INVALID_ARGUMENT for an odd
 * side; ZC_ERR_OUT_OF_MEMORY. */
zc_result zc__texels_halve_even(const zc_texels *src, zc_mip_filter filter, zc_texels *dst);

/* Renormalise the RGB of an RGBA8 normal map in place: (c / 255 * 2 - 1) scaled to
 * unit length and encoded back; zero vectors become (0, 0, 1). Alpha is kept. */
void zc__texels_renormalize(zc_texels *img);

/* Alpha facts of an image: *has_alpha = 1 when some alpha is below 1 (255);
 * *binary_fraction = share of texels whose alpha is exactly 0 or 255 (RGBA8; 0 for
 * float images). */
void zc__texels_alpha_stats(const zc_texels *img, int *has_alpha, double *binary_fraction);

/* Share of the texels of an RGBA8 image whose alpha passes the test alpha >= reference. */
double zc__texels_coverage(const zc_texels *img, uint32_t reference);

/* Scale the alpha of an RGBA8 image so that its coverage at `reference` comes as
 * close to `target` as one scale factor allows (binary search over the scale);
 * alpha becomes min(255, round(alpha * scale)). Leaves the image alone when target is
 * 0 or 1 or the coverage already matches. */
void zc__texels_keep_coverage(zc_texels *img, uint32_t reference, double target);

/* ---------------------------------------------------------------------------------
 * Format conversion (zc_texture_encode.c)
 * ------------------------------------------------------------------------------- */

/* IEEE 754 binary16 from binary32, rounding to nearest even; values beyond the half
 * range become infinities, NaN stays NaN (quiet, sign kept), tiny values become
 * subnormals or zero. Pure. */
uint16_t zc_half_from_float(float value);

/* binary32 of a binary16; exact. Pure. */
float zc_float_from_half(uint16_t half);

/* sRGB transfer functions on [0, 1] (values outside are clamped). Pure. */
float zc_srgb_to_linear(float encoded);
float zc_linear_to_srgb(float linear);

/* 1 when an image of this kind (RGBA8 or float) can be written as `format`: RGBA8
 * images to every defined format except the float ones, float images to the float
 * formats only (RGBA16_FLOAT, RGBA32_FLOAT, ASTC HDR, BC6H_UFLOAT). */
int zc__texture_format_accepts(uint32_t format, int is_float);

/* Write `img` as one level of `format` at dst: block rows row_pitch bytes apart, each
 * row zc_texture_row_bytes(format, width) bytes; bytes between rows are not touched
 * (the caller zeroed them). BC formats pad partial edge blocks by clamping to the last
 * row and column. RGBA8 images: R8 keeps red, RG8 red and green, BC1 ignores alpha,
 * BC4 encodes red, BC5 red and green. Requires zc__texture_format_accepts. */
void zc__texture_encode_level(uint32_t format, const zc_texels *img, uint8_t *dst, uint32_t row_pitch);

/* Every 4x4 block of an RGBA8 image, edges clamped, through `encode_block` (which may
 * change the 64 bytes it is given), block_bytes each, block rows row_pitch apart. */
void zc__texture_encode_blocks(const zc_texels *img, uint32_t block_bytes, void (*encode_block)(uint8_t *, uint8_t *),
                               uint8_t *dst, uint32_t row_pitch);

/* One 4x4 RGBA8 block (row-major) as a BC7 block (zc_bc7_encode.c): modes 6, 1 and 3
 * for opaque blocks, 6, 5 and 7 for blocks with alpha, the one of least squared error.
 * Deterministic, thread-safe, no allocation; safe on any texels. */
void zc_bc7_encode_block(const uint8_t rgba[64], uint8_t block[16]);

/* One 4x4 block of RGBA float texels (row-major; alpha ignored) as an unsigned BC6H
 * block (zc_bc6h_encode.c): R, G and B as unsigned half floats (negative values and
 * NaN 0, values past the half range 65504), the four one-region modes and the
 * two-region modes in the best few of the 32 partitions, the one of least squared
 * error in half-float bits. Deterministic, thread-safe, no allocation; safe on any
 * texels. */
void zc_bc6h_encode_block(const float rgba[64], uint8_t block[16]);

/* ---------------------------------------------------------------------------------
 * Block decompression (zc_bc_decode.c, zc_bc7_decode.c, zc_bc6h_decode.c)
 * ------------------------------------------------------------------------------- */

/* Decode one 4x4 block into texels in row-major order (texel (x, y) at index
 * y * 4 + x). BC1 follows its endpoint order: 4 colours when color0 > color1, else 3
 * colours and transparent black; BC3's colour half always uses 4 colours. Endpoints
 * expand by bit replication, interpolants round down as stb_dxt assumes ((2a + b) / 3).
 * Safe on any block bytes. */
void zc_bc_decode_bc1(const uint8_t block[8], uint8_t rgba[64]);
void zc_bc_decode_bc3(const uint8_t block[16], uint8_t rgba[64]);
void zc_bc_decode_bc4(const uint8_t block[8], uint8_t r[16]);
void zc_bc_decode_bc5(const uint8_t block[16], uint8_t rg[32]);

/* Decode one BC7 block, any of its eight modes, into RGBA8 texels as above. The
 * reserved mode (byte 0 zero) decodes to zero in all four channels. Safe on any block
 * bytes. */
void zc_bc_decode_bc7(const uint8_t block[16], uint8_t rgba[64]);

/* Decode one unsigned BC6H block, any of its fourteen modes, into 16 RGBA float
 * texels (row-major; A = 1): non-negative, finite half-float values. The reserved
 * modes decode to (0, 0, 0, 1). Safe on any block bytes (zc_bc6h_decode.c). */
void zc_bc6h_decode_block(const uint8_t block[16], float rgba[64]);

/* One ASTC HDR block (block_size 4, 6 or 8) to block_size^2 RGBA float texels (zc_astc.c);
 * zeros when the codec cannot run. Safe on any bytes; any thread. */
void zc_astc_decode_hdr(const uint8_t block[16], unsigned block_size, float *rgba);

/* Linear float RGBA to RGBA8 as a person would look at it: RGB clamped to [0, 1] and
 * encoded linear -> sRGB, alpha clamped and kept linear (zc_bc_decode.c). */
void zc_float_texel_to_rgba8(const float f[4], uint8_t *out);

/* Decode one level of any format of zc_texture.h to tight RGBA8 rows at `out`
 * (width * height * depth * 4 bytes, depth slices one after another), as a person
 * would look at it: RGBA8 and BCn as stored (sRGB bytes stay sRGB), R8 and BC4 as grey
 * with alpha 255, RG8 and BC5 as red and green with blue 0 and alpha 255, float formats
 * clamped to [0, 1] with RGB encoded linear -> sRGB and alpha kept linear.
 * ZC_ERR_INVALID_ARGUMENT for NULL, an undefined format, or a level whose row_pitch or
 * size is too small for its extent. Safe on unverified views as far as their size
 * field is true (reads only level->size bytes from level->data). */
zc_result zc_texture_level_decode_rgba8(uint32_t format, const zc_texture_level_view *level, uint8_t *out);

#ifdef __cplusplus
}
#endif

#endif /* ZC_TEXTURE_PIXELS_H */
