/* zc_bc6h_decode.c - the unsigned BC6H block layout (zc_bc6h.h): the mode table, the
 * bit layout of every mode, the walk over a block's fields that both unpacks and
 * packs them, and the decoder of all fourteen modes (zc_bc6h_decode_block,
 * zc_texture_pixels.h), the decoder of the BC6H pixel-format row.
 *
 * Tables transcribed from the BPTC float format description (mode table MF and the
 * bit layouts of table F). Every function is safe on any block bytes: the reserved
 * modes decode to (0, 0, 0, 1), as the format says, and every other bit pattern
 * decodes to finite, non-negative half-float values.
 */
#include <string.h>

#include "zc_bc6h.h"
#include "zc_bc7.h"
#include "zc_texture_pixels.h"

/* ---------------------------------------------------------------------------------
 * Tables
 * ------------------------------------------------------------------------------- */

const zc_bc6h_mode zc__bc6h_modes[ZC__BC6H_MODES] = {
    /* code, code bits, regions, transformed, endpoint bits, delta bits R G B */
    { 0, 2, 2, 1, 10, { 5, 5, 5 } },     { 1, 2, 2, 1, 7, { 6, 6, 6 } },     { 2, 5, 2, 1, 11, { 5, 4, 4 } },
    { 6, 5, 2, 1, 11, { 4, 5, 4 } },     { 10, 5, 2, 1, 11, { 4, 4, 5 } },   { 14, 5, 2, 1, 9, { 5, 5, 5 } },
    { 18, 5, 2, 1, 8, { 6, 5, 5 } },     { 22, 5, 2, 1, 8, { 5, 6, 5 } },    { 26, 5, 2, 1, 8, { 5, 5, 6 } },
    { 30, 5, 2, 0, 6, { 6, 6, 6 } },     { 3, 5, 1, 0, 10, { 10, 10, 10 } }, { 7, 5, 1, 1, 11, { 9, 9, 9 } },
    { 11, 5, 1, 1, 12, { 8, 8, 8 } },    { 15, 5, 1, 1, 16, { 4, 4, 4 } },
};

/* One field of a layout: bits of variable `var` (R0..B3: component of endpoint 0 to 3;
 * D: the partition) from bit `first` toward bit `last`, one block bit each; first >
 * last where the format stores the bits reversed. */
typedef struct zc__bc6h_field {
    uint8_t var, last, first;
} zc__bc6h_field;

enum { R0, G0, B0, R1, G1, B1, R2, G2, B2, R3, G3, B3, D, END };

static const zc__bc6h_field zc__bc6h_layout0[] = { /* mode bits 0 */
    { G2, 4, 4 }, { B2, 4, 4 }, { B3, 4, 4 }, { R0, 9, 0 }, { G0, 9, 0 }, { B0, 9, 0 }, { R1, 4, 0 }, { G3, 4, 4 },
    { G2, 3, 0 }, { G1, 4, 0 }, { B3, 0, 0 }, { G3, 3, 0 }, { B1, 4, 0 }, { B3, 1, 1 }, { B2, 3, 0 }, { R2, 4, 0 },
    { B3, 2, 2 }, { R3, 4, 0 }, { B3, 3, 3 }, { D, 4, 0 }, { END, 0, 0 }
};
static const zc__bc6h_field zc__bc6h_layout1[] = { /* mode bits 1 */
    { G2, 5, 5 }, { G3, 4, 4 }, { G3, 5, 5 }, { R0, 6, 0 }, { B3, 0, 0 }, { B3, 1, 1 }, { B2, 4, 4 }, { G0, 6, 0 },
    { B2, 5, 5 }, { B3, 2, 2 }, { G2, 4, 4 }, { B0, 6, 0 }, { B3, 3, 3 }, { B3, 5, 5 }, { B3, 4, 4 }, { R1, 5, 0 },
    { G2, 3, 0 }, { G1, 5, 0 }, { G3, 3, 0 }, { B1, 5, 0 }, { B2, 3, 0 }, { R2, 5, 0 }, { R3, 5, 0 }, { D, 4, 0 },
    { END, 0, 0 }
};
static const zc__bc6h_field zc__bc6h_layout2[] = { /* mode bits 2 */
    { R0, 9, 0 }, { G0, 9, 0 }, { B0, 9, 0 }, { R1, 4, 0 }, { R0, 10, 10 }, { G2, 3, 0 }, { G1, 3, 0 },
    { G0, 10, 10 }, { B3, 0, 0 }, { G3, 3, 0 }, { B1, 3, 0 }, { B0, 10, 10 }, { B3, 1, 1 }, { B2, 3, 0 },
    { R2, 4, 0 }, { B3, 2, 2 }, { R3, 4, 0 }, { B3, 3, 3 }, { D, 4, 0 }, { END, 0, 0 }
};
static const zc__bc6h_field zc__bc6h_layout3[] = { /* mode bits 6 */
    { R0, 9, 0 }, { G0, 9, 0 }, { B0, 9, 0 }, { R1, 3, 0 }, { R0, 10, 10 }, { G3, 4, 4 }, { G2, 3, 0 },
    { G1, 4, 0 }, { G0, 10, 10 }, { G3, 3, 0 }, { B1, 3, 0 }, { B0, 10, 10 }, { B3, 1, 1 }, { B2, 3, 0 },
    { R2, 3, 0 }, { B3, 0, 0 }, { B3, 2, 2 }, { R3, 3, 0 }, { G2, 4, 4 }, { B3, 3, 3 }, { D, 4, 0 }, { END, 0, 0 }
};
static const zc__bc6h_field zc__bc6h_layout4[] = { /* mode bits 10 */
    { R0, 9, 0 }, { G0, 9, 0 }, { B0, 9, 0 }, { R1, 3, 0 }, { R0, 10, 10 }, { B2, 4, 4 }, { G2, 3, 0 },
    { G1, 3, 0 }, { G0, 10, 10 }, { B3, 0, 0 }, { G3, 3, 0 }, { B1, 4, 0 }, { B0, 10, 10 }, { B2, 3, 0 },
    { R2, 3, 0 }, { B3, 1, 1 }, { B3, 2, 2 }, { R3, 3, 0 }, { B3, 4, 4 }, { B3, 3, 3 }, { D, 4, 0 }, { END, 0, 0 }
};
static const zc__bc6h_field zc__bc6h_layout5[] = { /* mode bits 14 */
    { R0, 8, 0 }, { B2, 4, 4 }, { G0, 8, 0 }, { G2, 4, 4 }, { B0, 8, 0 }, { B3, 4, 4 }, { R1, 4, 0 }, { G3, 4, 4 },
    { G2, 3, 0 }, { G1, 4, 0 }, { B3, 0, 0 }, { G3, 3, 0 }, { B1, 4, 0 }, { B3, 1, 1 }, { B2, 3, 0 }, { R2, 4, 0 },
    { B3, 2, 2 }, { R3, 4, 0 }, { B3, 3, 3 }, { D, 4, 0 }, { END, 0, 0 }
};
static const zc__bc6h_field zc__bc6h_layout6[] = { /* mode bits 18 */
    { R0, 7, 0 }, { G3, 4, 4 }, { B2, 4, 4 }, { G0, 7, 0 }, { B3, 2, 2 }, { G2, 4, 4 }, { B0, 7, 0 }, { B3, 3, 3 },
    { B3, 4, 4 }, { R1, 5, 0 }, { G2, 3, 0 }, { G1, 4, 0 }, { B3, 0, 0 }, { G3, 3, 0 }, { B1, 4, 0 }, { B3, 1, 1 },
    { B2, 3, 0 }, { R2, 5, 0 }, { R3, 5, 0 }, { D, 4, 0 }, { END, 0, 0 }
};
static const zc__bc6h_field zc__bc6h_layout7[] = { /* mode bits 22 */
    { R0, 7, 0 }, { B3, 0, 0 }, { B2, 4, 4 }, { G0, 7, 0 }, { G2, 5, 5 }, { G2, 4, 4 }, { B0, 7, 0 }, { G3, 5, 5 },
    { B3, 4, 4 }, { R1, 4, 0 }, { G3, 4, 4 }, { G2, 3, 0 }, { G1, 5, 0 }, { G3, 3, 0 }, { B1, 4, 0 }, { B3, 1, 1 },
    { B2, 3, 0 }, { R2, 4, 0 }, { B3, 2, 2 }, { R3, 4, 0 }, { B3, 3, 3 }, { D, 4, 0 }, { END, 0, 0 }
};
static const zc__bc6h_field zc__bc6h_layout8[] = { /* mode bits 26 */
    { R0, 7, 0 }, { B3, 1, 1 }, { B2, 4, 4 }, { G0, 7, 0 }, { B2, 5, 5 }, { G2, 4, 4 }, { B0, 7, 0 }, { B3, 5, 5 },
    { B3, 4, 4 }, { R1, 4, 0 }, { G3, 4, 4 }, { G2, 3, 0 }, { G1, 4, 0 }, { B3, 0, 0 }, { G3, 3, 0 }, { B1, 5, 0 },
    { B2, 3, 0 }, { R2, 4, 0 }, { B3, 2, 2 }, { R3, 4, 0 }, { B3, 3, 3 }, { D, 4, 0 }, { END, 0, 0 }
};
static const zc__bc6h_field zc__bc6h_layout9[] = { /* mode bits 30 */
    { R0, 5, 0 }, { G3, 4, 4 }, { B3, 0, 0 }, { B3, 1, 1 }, { B2, 4, 4 }, { G0, 5, 0 }, { G2, 5, 5 }, { B2, 5, 5 },
    { B3, 2, 2 }, { G2, 4, 4 }, { B0, 5, 0 }, { G3, 5, 5 }, { B3, 3, 3 }, { B3, 5, 5 }, { B3, 4, 4 }, { R1, 5, 0 },
    { G2, 3, 0 }, { G1, 5, 0 }, { G3, 3, 0 }, { B1, 5, 0 }, { B2, 3, 0 }, { R2, 5, 0 }, { R3, 5, 0 }, { D, 4, 0 },
    { END, 0, 0 }
};
static const zc__bc6h_field zc__bc6h_layout10[] = { /* mode bits 3 */
    { R0, 9, 0 }, { G0, 9, 0 }, { B0, 9, 0 }, { R1, 9, 0 }, { G1, 9, 0 }, { B1, 9, 0 }, { END, 0, 0 }
};
static const zc__bc6h_field zc__bc6h_layout11[] = { /* mode bits 7 */
    { R0, 9, 0 }, { G0, 9, 0 }, { B0, 9, 0 }, { R1, 8, 0 }, { R0, 10, 10 }, { G1, 8, 0 }, { G0, 10, 10 },
    { B1, 8, 0 }, { B0, 10, 10 }, { END, 0, 0 }
};
static const zc__bc6h_field zc__bc6h_layout12[] = { /* mode bits 11 */
    { R0, 9, 0 }, { G0, 9, 0 }, { B0, 9, 0 }, { R1, 7, 0 }, { R0, 10, 11 }, { G1, 7, 0 }, { G0, 10, 11 },
    { B1, 7, 0 }, { B0, 10, 11 }, { END, 0, 0 }
};
static const zc__bc6h_field zc__bc6h_layout13[] = { /* mode bits 15 */
    { R0, 9, 0 }, { G0, 9, 0 }, { B0, 9, 0 }, { R1, 3, 0 }, { R0, 10, 15 }, { G1, 3, 0 }, { G0, 10, 15 },
    { B1, 3, 0 }, { B0, 10, 15 }, { END, 0, 0 }
};

static const zc__bc6h_field *const zc__bc6h_layouts[ZC__BC6H_MODES] = {
    zc__bc6h_layout0, zc__bc6h_layout1, zc__bc6h_layout2,  zc__bc6h_layout3,  zc__bc6h_layout4,
    zc__bc6h_layout5, zc__bc6h_layout6, zc__bc6h_layout7,  zc__bc6h_layout8,  zc__bc6h_layout9,
    zc__bc6h_layout10, zc__bc6h_layout11, zc__bc6h_layout12, zc__bc6h_layout13,
};

/* Safe on any arguments. */
uint32_t zc__bc6h_field_bits(uint32_t mode, uint32_t endpoint, uint32_t c) {
    const zc_bc6h_mode *m = &zc__bc6h_modes[mode % ZC__BC6H_MODES];
    if (endpoint >= 2u * m->regions || c > 2) return 0;
    return endpoint == 0 || !m->transformed ? m->endpoint_bits : m->delta_bits[c];
}

/* ---------------------------------------------------------------------------------
 * The walk over a block's fields
 * ------------------------------------------------------------------------------- */

/* A bit cursor over 16 bytes that reads bits out of them or writes bits into them, so
 * that packing and unpacking follow one description of the layout. */
typedef struct zc__bc6h_bits {
    uint8_t *block;
    uint32_t at;    /* next bit, 0 to 128 */
    int write;
} zc__bc6h_bits;

/* Read or write one bit at the cursor into or from bit `bit` (0 to 15) of *value.
 * Safe: never touches bits past 128. */
static void zc__bc6h_bit(zc__bc6h_bits *b, uint16_t *value, uint32_t bit) {
    if (b->at >= 128 || bit > 15) return;
    uint32_t byte = b->at >> 3, shift = b->at & 7;
    if (b->write)
        b->block[byte] = (uint8_t)((b->block[byte] & ~(1u << shift)) | (((uint32_t)(*value >> bit) & 1u) << shift));
    else
        *value = (uint16_t)((*value & ~(1u << bit)) | (((uint32_t)(b->block[byte] >> shift) & 1u) << bit));
    b->at++;
}

/* Every field after the mode bits, in the layout's order. Safe on any fields. */
static void zc__bc6h_walk(zc__bc6h_bits *b, zc_bc6h_fields *f) {
    uint32_t mode = f->mode % ZC__BC6H_MODES;
    const zc_bc6h_mode *m = &zc__bc6h_modes[mode];
    uint16_t partition = (uint16_t)(f->partition & 31u);
    for (const zc__bc6h_field *field = zc__bc6h_layouts[mode]; field->var != END; ++field) {
        uint16_t *value = field->var == D ? &partition : &f->endpoints[field->var / 3][field->var % 3];
        int step = field->first <= field->last ? 1 : -1;
        for (int bit = field->first;; bit += step) {
            zc__bc6h_bit(b, value, (uint32_t)bit);
            if (bit == field->last) break;
        }
    }
    f->partition = partition;
    uint32_t bits = m->regions == 2 ? 3u : 4u;
    uint32_t anchor = m->regions == 2 ? zc__bc7_anchor(2, f->partition, 1) : 0;
    for (uint32_t i = 0; i < 16; ++i) {
        uint32_t count = i == 0 || (m->regions == 2 && i == anchor) ? bits - 1 : bits;
        uint16_t v = b->write ? (uint16_t)(f->index[i] & ((1u << count) - 1u)) : 0;
        for (uint32_t k = 0; k < count; ++k) zc__bc6h_bit(b, &v, k);
        f->index[i] = (uint8_t)v;
    }
}

/* The mode of a block's first byte: 0 to 13, or -1 for a reserved mode. */
static int zc__bc6h_mode_of(uint8_t first) {
    uint32_t code = (first & 3u) < 2 ? first & 3u : first & 31u;
    for (int m = 0; m < ZC__BC6H_MODES; ++m)
        if (zc__bc6h_modes[m].code == code) return m;
    return -1;
}

/* Safe on any 16 bytes. */
int zc__bc6h_unpack(const uint8_t block[16], zc_bc6h_fields *f) {
    memset(f, 0, sizeof *f);
    int mode = zc__bc6h_mode_of(block[0]);
    if (mode < 0) return 0;
    f->mode = (uint32_t)mode;
    uint8_t copy[16];
    memcpy(copy, block, sizeof copy);
    zc__bc6h_bits b = { copy, zc__bc6h_modes[mode].code_bits, 0 };
    zc__bc6h_walk(&b, f);
    return 1;
}

/* Safe on any fields: the mode taken mod 14, every other field masked to its width. */
void zc__bc6h_pack(const zc_bc6h_fields *f, uint8_t block[16]) {
    zc_bc6h_fields copy = *f;
    copy.mode %= ZC__BC6H_MODES;
    const zc_bc6h_mode *m = &zc__bc6h_modes[copy.mode];
    for (uint32_t e = 0; e < 4; ++e)
        for (uint32_t c = 0; c < 3; ++c) {
            uint32_t bits = zc__bc6h_field_bits(copy.mode, e, c);
            copy.endpoints[e][c] = (uint16_t)(bits >= 16 ? copy.endpoints[e][c] : copy.endpoints[e][c] & ((1u << bits) - 1u));
        }
    memset(block, 0, 16);
    block[0] = m->code;
    zc__bc6h_bits b = { block, m->code_bits, 1 };
    zc__bc6h_walk(&b, &copy);
}

/* Safe on any fields. */
void zc__bc6h_endpoints(const zc_bc6h_fields *f, uint32_t ends[4][3]) {
    uint32_t mode = f->mode % ZC__BC6H_MODES;
    const zc_bc6h_mode *m = &zc__bc6h_modes[mode];
    uint32_t mask = m->endpoint_bits >= 16 ? 0xFFFFu : (1u << m->endpoint_bits) - 1u;
    for (uint32_t e = 0; e < 4; ++e)
        for (uint32_t c = 0; c < 3; ++c) {
            uint32_t bits = zc__bc6h_field_bits(mode, e, c), v = f->endpoints[e][c];
            if (bits == 0) {
                ends[e][c] = 0;
                continue;
            }
            v &= bits >= 16 ? 0xFFFFu : (1u << bits) - 1u;
            if (e > 0 && m->transformed) {
                uint32_t sign = 1u << (bits - 1);
                int32_t delta = (int32_t)(v ^ sign) - (int32_t)sign; /* sign-extended */
                v = (uint32_t)((int32_t)(f->endpoints[0][c] & mask) + delta) & mask;
            }
            ends[e][c] = v;
        }
}

/* ---------------------------------------------------------------------------------
 * The decoder
 * ------------------------------------------------------------------------------- */

/* Safe on any 16 bytes. */
void zc_bc6h_decode_block(const uint8_t block[16], float rgba[64]) {
    zc_bc6h_fields f;
    if (!zc__bc6h_unpack(block, &f)) {
        for (uint32_t i = 0; i < 16; ++i) {
            rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = 0.0f;
            rgba[4 * i + 3] = 1.0f;
        }
        return;
    }
    const zc_bc6h_mode *m = &zc__bc6h_modes[f.mode];
    uint32_t ends[4][3], wide[4][3];
    zc__bc6h_endpoints(&f, ends);
    for (uint32_t e = 0; e < 4; ++e)
        for (uint32_t c = 0; c < 3; ++c) wide[e][c] = zc__bc6h_unquantize(ends[e][c], m->endpoint_bits);
    uint32_t bits = m->regions == 2 ? 3u : 4u;
    for (uint32_t i = 0; i < 16; ++i) {
        uint32_t s = m->regions == 2 ? zc__bc7_subset(2, f.partition, i) : 0;
        uint32_t w = zc__bc7_weight(bits, f.index[i]);
        for (uint32_t c = 0; c < 3; ++c)
            rgba[4 * i + c] = zc_float_from_half(zc__bc6h_finish(zc__bc7_interpolate(wide[2 * s][c], wide[2 * s + 1][c], w)));
        rgba[4 * i + 3] = 1.0f;
    }
}

/* The decoder of the BC6H pixel-format row (zc_pixel_formats.c): RGBA8 to look at, as
 * RGBA16F levels are shown. */
void zc__decode_bc6h(const uint8_t *block, uint8_t *rgba);
void zc__decode_bc6h(const uint8_t *block, uint8_t *rgba) {
    float texels[64];
    zc_bc6h_decode_block(block, texels);
    for (uint32_t i = 0; i < 16; ++i) zc_float_texel_to_rgba8(texels + 4 * i, rgba + 4 * i);
}
