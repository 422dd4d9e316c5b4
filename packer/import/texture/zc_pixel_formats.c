/* zc_pixel_formats.c - the packer's pixel-format table (zc_pixel_formats.h). */
#include <stdio.h>
#include <string.h>

#include "zc_pixel_formats.h"

/* The codecs of the rows: encoders in zc_texture_encode.c, decoders in zc_bc_decode.c. */
void zc__encode_r8(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);
void zc__encode_rg8(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);
void zc__encode_rgba8(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);
void zc__encode_rgba16f(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);
void zc__encode_rgba32f(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);
void zc__encode_bc1(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);
void zc__encode_bc3(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);
void zc__encode_bc4(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);
void zc__encode_bc5(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);
void zc__decode_r8(const uint8_t *block, uint8_t *rgba);
void zc__decode_rg8(const uint8_t *block, uint8_t *rgba);
void zc__decode_rgba8(const uint8_t *block, uint8_t *rgba);
void zc__decode_rgba16f(const uint8_t *block, uint8_t *rgba);
void zc__decode_rgba32f(const uint8_t *block, uint8_t *rgba);
void zc__decode_bc1(const uint8_t *block, uint8_t *rgba);
void zc__decode_bc3(const uint8_t *block, uint8_t *rgba);
void zc__decode_bc4(const uint8_t *block, uint8_t *rgba);
void zc__decode_bc5(const uint8_t *block, uint8_t *rgba);
/* zc_bc7_encode.c, zc_bc7_decode.c */
void zc__encode_bc7(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);
void zc__decode_bc7(const uint8_t *block, uint8_t *rgba);
/* zc_bc6h_encode.c, zc_bc6h_decode.c */
void zc__encode_bc6h(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);
void zc__decode_bc6h(const uint8_t *block, uint8_t *rgba);
/* zc_astc.c: libastcenc */
#define ZC__ASTC_CODECS(n)                                                                  \
    void zc__encode_astc##n(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);          \
    void zc__encode_astc##n##_srgb(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);   \
    void zc__decode_astc##n(const uint8_t *block, uint8_t *rgba);                             \
    void zc__decode_astc##n##_srgb(const uint8_t *block, uint8_t *rgba);                     \
    void zc__encode_astc##n##_hdr(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);    \
    void zc__decode_astc##n##_hdr(const uint8_t *block, uint8_t *rgba);
ZC__ASTC_CODECS(4)
ZC__ASTC_CODECS(6)
ZC__ASTC_CODECS(8)

#define A ZC_PIXEL_ROW_ALPHA
#define F ZC_PIXEL_ROW_FLOAT
#define S ZC_PIXEL_ROW_SRGB

static const zc_pixel_format_row zc__pixel_rows[] = {
    { ZC_PIXEL_RGBA8_UNORM, "rgba8", A, zc__encode_rgba8, zc__decode_rgba8 },
    { ZC_PIXEL_RGBA8_SRGB, "rgba8", A | S, zc__encode_rgba8, zc__decode_rgba8 },
    { ZC_PIXEL_R8_UNORM, "r8", 0, zc__encode_r8, zc__decode_r8 },
    { ZC_PIXEL_RG8_UNORM, "rg8", 0, zc__encode_rg8, zc__decode_rg8 },
    { ZC_PIXEL_RGBA16_FLOAT, "rgba16f", A | F, zc__encode_rgba16f, zc__decode_rgba16f },
    { ZC_PIXEL_RGBA32_FLOAT, "rgba32f", A | F, zc__encode_rgba32f, zc__decode_rgba32f },
    { ZC_PIXEL_BC1_UNORM, "bc1", 0, zc__encode_bc1, zc__decode_bc1 },
    { ZC_PIXEL_BC1_SRGB, "bc1", S, zc__encode_bc1, zc__decode_bc1 },
    { ZC_PIXEL_BC3_UNORM, "bc3", A, zc__encode_bc3, zc__decode_bc3 },
    { ZC_PIXEL_BC3_SRGB, "bc3", A | S, zc__encode_bc3, zc__decode_bc3 },
    { ZC_PIXEL_BC4_UNORM, "bc4", 0, zc__encode_bc4, zc__decode_bc4 },
    { ZC_PIXEL_BC5_UNORM, "bc5", 0, zc__encode_bc5, zc__decode_bc5 },
    { ZC_PIXEL_ASTC_4x4_UNORM, "astc4x4", A, zc__encode_astc4, zc__decode_astc4 },
    { ZC_PIXEL_ASTC_4x4_SRGB, "astc4x4", A | S, zc__encode_astc4_srgb, zc__decode_astc4_srgb },
    { ZC_PIXEL_ASTC_6x6_UNORM, "astc6x6", A, zc__encode_astc6, zc__decode_astc6 },
    { ZC_PIXEL_ASTC_6x6_SRGB, "astc6x6", A | S, zc__encode_astc6_srgb, zc__decode_astc6_srgb },
    { ZC_PIXEL_ASTC_8x8_UNORM, "astc8x8", A, zc__encode_astc8, zc__decode_astc8 },
    { ZC_PIXEL_ASTC_8x8_SRGB, "astc8x8", A | S, zc__encode_astc8_srgb, zc__decode_astc8_srgb },
    { ZC_PIXEL_BC7_UNORM, "bc7", A, zc__encode_bc7, zc__decode_bc7 },
    { ZC_PIXEL_BC7_SRGB, "bc7", A | S, zc__encode_bc7, zc__decode_bc7 },
    { ZC_PIXEL_ASTC_4x4_FLOAT, "astc4x4hdr", A | F, zc__encode_astc4_hdr, zc__decode_astc4_hdr },
    { ZC_PIXEL_ASTC_6x6_FLOAT, "astc6x6hdr", A | F, zc__encode_astc6_hdr, zc__decode_astc6_hdr },
    { ZC_PIXEL_ASTC_8x8_FLOAT, "astc8x8hdr", A | F, zc__encode_astc8_hdr, zc__decode_astc8_hdr },
    { ZC_PIXEL_BC6H_UFLOAT, "bc6h", F, zc__encode_bc6h, zc__decode_bc6h },
};

#undef A
#undef F
#undef S

#define ZC__PIXEL_ROW_COUNT (sizeof zc__pixel_rows / sizeof zc__pixel_rows[0])

size_t zc_pixel_format_row_count(void) {
    return ZC__PIXEL_ROW_COUNT;
}

const zc_pixel_format_row *zc_pixel_format_row_at(size_t index) {
    return index < ZC__PIXEL_ROW_COUNT ? &zc__pixel_rows[index] : NULL;
}

const zc_pixel_format_row *zc_pixel_format_row_of(uint32_t format) {
    uint32_t block, bytes;
    if (!zc_pixel_format_block(format, &block, &bytes)) return NULL;
    for (size_t i = 0; i < ZC__PIXEL_ROW_COUNT; ++i)
        if (zc__pixel_rows[i].format == format) return &zc__pixel_rows[i];
    return NULL;
}

const zc_pixel_format_row *zc_pixel_format_row_for_choice(zc_texture_choice choice, int srgb) {
    const zc_pixel_format_row *first = choice != ZC_TEXTURE_CHOICE_AUTO ? zc_pixel_format_row_of(choice) : NULL;
    if (!first || zc_texture_choice_from_name(first->name) != choice) return NULL; /* not a choice's first row */
    for (size_t i = 0; i < ZC__PIXEL_ROW_COUNT; ++i) {
        const zc_pixel_format_row *row = &zc__pixel_rows[i];
        if (strcmp(row->name, first->name) == 0 && !(row->flags & ZC_PIXEL_ROW_SRGB) == !srgb) return row;
    }
    return first;
}

const char *zc_texture_choice_name(zc_texture_choice choice) {
    const zc_pixel_format_row *row = zc_pixel_format_row_for_choice(choice, 0);
    return row ? row->name : NULL;
}

zc_texture_choice zc_texture_choice_from_name(const char *name) {
    for (size_t i = 0; name && i < ZC__PIXEL_ROW_COUNT; ++i)
        if (strcmp(zc__pixel_rows[i].name, name) == 0) return (zc_texture_choice)zc__pixel_rows[i].format;
    return ZC_TEXTURE_CHOICE_AUTO;
}

void zc_pixel_format_choice_list(char *buf, size_t size) {
    size_t used = 0;
    int n = snprintf(buf, size, "one of auto");
    if (n > 0) used = (size_t)n;
    for (size_t i = 0; i < ZC__PIXEL_ROW_COUNT && used < size; ++i) {
        if (i && strcmp(zc__pixel_rows[i - 1].name, zc__pixel_rows[i].name) == 0) continue; /* a variant */
        n = snprintf(buf + used, size - used, ", %s", zc__pixel_rows[i].name);
        if (n > 0) used += (size_t)n;
    }
}
