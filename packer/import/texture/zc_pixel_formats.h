/* zc_pixel_formats.h - the packer's pixel-format table: one row per pixel format of
 * zc_texture.h (ZC_PIXEL_FORMAT_LIST) that the packer writes or reads.
 *
 * A row carries the format, the manifest name of its zc_texture_choice ("bc1"; the
 * sRGB and UNORM variants of one choice share it, and the choice is the pixel format of
 * the first of them), facts the texture importer's policy
 * asks (float, alpha, sRGB), its encoder (an RGBA8 or RGBA float image to one level)
 * and its decoder (one block to RGBA8, for extract and the quality tests). Block
 * extent and bytes are not repeated here: zc_pixel_format_block() reads them from
 * ZC_PIXEL_FORMAT_LIST.
 *
 * Adding a pixel format: its ZC_PIXEL_FORMAT_LIST row (formats/zc_texture.h), its row
 * in zc_pixel_formats.c (with the declarations of its codec), and its encoder and
 * decoder in one file of this folder; then its tests. Nothing else names formats
 * except the importer's AUTO policy (zc_import_texture.c), which picks among them.
 *
 * Threads: the table is constant; every function is pure.
 */
#ifndef ZC_PIXEL_FORMATS_H
#define ZC_PIXEL_FORMATS_H

#include <stddef.h>
#include <stdint.h>

#include "zc_import_texture.h"
#include "zc_texture_pixels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* zc_pixel_format_row.flags */
enum {
    ZC_PIXEL_ROW_FLOAT = 1u << 0,   /* written from RGBA float images (HDR), else from RGBA8 */
    ZC_PIXEL_ROW_ALPHA = 1u << 1,   /* stores alpha */
    ZC_PIXEL_ROW_SRGB = 1u << 2,    /* sRGB-encoded colour */
};

/* Write `img` as one level at dst: block rows row_pitch bytes apart, each row
 * zc_texture_row_bytes(format, width) bytes; bytes between rows are not touched. */
typedef void (*zc_pixel_encode_fn)(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);

/* Decode one block (block extent squared texels, row-major; one texel for
 * uncompressed formats) to RGBA8 as a person would look at it. Safe on any bytes. */
typedef void (*zc_pixel_decode_fn)(const uint8_t *block, uint8_t *rgba);

typedef struct zc_pixel_format_row {
    uint32_t format;                /* zc_pixel_format */
    const char *name;               /* manifest name of its choice ("rgba8", "bc1"); the
                                       sRGB and UNORM variants of one choice are adjacent
                                       rows with one name, the choice's value being the
                                       first one's format */
    uint32_t flags;                 /* ZC_PIXEL_ROW_* */
    zc_pixel_encode_fn encode;
    zc_pixel_decode_fn decode;
} zc_pixel_format_row;

/* Rows of the table, in the order the manifest's messages list the names; NULL past
 * the end. */
size_t zc_pixel_format_row_count(void);
const zc_pixel_format_row *zc_pixel_format_row_at(size_t index);

/* The row of a format; NULL when the packer has none. */
const zc_pixel_format_row *zc_pixel_format_row_of(uint32_t format);

/* The row answering `choice`: the one whose sRGB flag equals srgb when the choice has
 * both variants, else its only row; NULL for AUTO and unknown choices. */
const zc_pixel_format_row *zc_pixel_format_row_for_choice(zc_texture_choice choice, int srgb);

/* "one of auto, rgba8, r8, ...": the manifest names in choice order, for messages. */
void zc_pixel_format_choice_list(char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* ZC_PIXEL_FORMATS_H */
