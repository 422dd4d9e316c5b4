/* zc_bc7_decode.c - the BC7 block layout (zc_bc7.h): its tables, the walk over a
 * block's fields that both unpacks and packs them, and the decoder of all eight modes
 * (zc_bc_decode_bc7, zc_texture_pixels.h), the decoder of the BC7 pixel-format rows.
 *
 * Tables transcribed from the BPTC format description (partition tables P2 and P3,
 * anchor tables A2, A3a and A3b, mode table M, weights). Every function is safe on
 * any block bytes: the reserved mode decodes to zero in all four channels, as the
 * format says, and every other bit pattern decodes to some colour.
 */
#include <string.h>

#include "zc_bc7.h"
#include "zc_texture_pixels.h"

/* ---------------------------------------------------------------------------------
 * Tables
 * ------------------------------------------------------------------------------- */

const zc_bc7_mode zc__bc7_modes[8] = {
    /* subsets, partition, rotation, index select, colour, alpha, endpoint p, shared p,
       index, index2 */
    { 3, 4, 0, 0, 4, 0, 1, 0, 3, 0 },
    { 2, 6, 0, 0, 6, 0, 0, 1, 3, 0 },
    { 3, 6, 0, 0, 5, 0, 0, 0, 2, 0 },
    { 2, 6, 0, 0, 7, 0, 1, 0, 2, 0 },
    { 1, 0, 2, 1, 5, 6, 0, 0, 2, 3 },
    { 1, 0, 2, 0, 7, 8, 0, 0, 2, 2 },
    { 1, 0, 0, 0, 7, 7, 1, 0, 4, 0 },
    { 2, 6, 0, 0, 5, 5, 1, 0, 2, 0 },
};

/* Two-subset partitions: bit i is the subset of texel i (row-major). */
const uint16_t zc__bc7_partition2[64] = {
    0xcccc, 0x8888, 0xeeee, 0xecc8, 0xc880, 0xfeec, 0xfec8, 0xec80,
    0xc800, 0xffec, 0xfe80, 0xe800, 0xffe8, 0xff00, 0xfff0, 0xf000,
    0xf710, 0x008e, 0x7100, 0x08ce, 0x008c, 0x7310, 0x3100, 0x8cce,
    0x088c, 0x3110, 0x6666, 0x366c, 0x17e8, 0x0ff0, 0x718e, 0x399c,
    0xaaaa, 0xf0f0, 0x5a5a, 0x33cc, 0x3c3c, 0x55aa, 0x9696, 0xa55a,
    0x73ce, 0x13c8, 0x324c, 0x3bdc, 0x6996, 0xc33c, 0x9966, 0x0660,
    0x0272, 0x04e4, 0x4e40, 0x2720, 0xc936, 0x936c, 0x39c6, 0x639c,
    0x9336, 0x9cc6, 0x817e, 0xe718, 0xccf0, 0x0fcc, 0x7744, 0xee22,
};

/* Three-subset partitions: bits 2i and 2i + 1 are the subset of texel i. */
const uint32_t zc__bc7_partition3[64] = {
    0xaa685050u, 0x6a5a5040u, 0x5a5a4200u, 0x5450a0a8u, 0xa5a50000u, 0xa0a05050u,
    0x5555a0a0u, 0x5a5a5050u, 0xaa550000u, 0xaa555500u, 0xaaaa5500u, 0x90909090u,
    0x94949494u, 0xa4a4a4a4u, 0xa9a59450u, 0x2a0a4250u, 0xa5945040u, 0x0a425054u,
    0xa5a5a500u, 0x55a0a0a0u, 0xa8a85454u, 0x6a6a4040u, 0xa4a45000u, 0x1a1a0500u,
    0x0050a4a4u, 0xaaa59090u, 0x14696914u, 0x69691400u, 0xa08585a0u, 0xaa821414u,
    0x50a4a450u, 0x6a5a0200u, 0xa9a58000u, 0x5090a0a8u, 0xa8a09050u, 0x24242424u,
    0x00aa5500u, 0x24924924u, 0x24499224u, 0x50a50a50u, 0x500aa550u, 0xaaaa4444u,
    0x66660000u, 0xa5a0a5a0u, 0x50a050a0u, 0x69286928u, 0x44aaaa44u, 0x66666600u,
    0xaa444444u, 0x54a854a8u, 0x95809580u, 0x96969600u, 0xa85454a8u, 0x80959580u,
    0xaa141414u, 0x96960000u, 0xaaaa1414u, 0xa05050a0u, 0xa0a5a5a0u, 0x96000000u,
    0x40804080u, 0xa9a8a9a8u, 0xaaaaaa44u, 0x2a4a5254u,
};

/* Anchor texel of subset 1 of the two-subset partitions. */
static const uint8_t zc__bc7_anchor2[64] = {
    15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
    15, 2,  8,  2,  2,  8,  8,  15, 2,  8,  2,  2,  8,  8,  2,  2,
    15, 15, 6,  8,  2,  8,  15, 15, 2,  8,  2,  2,  2,  15, 15, 6,
    6,  2,  6,  8,  15, 15, 2,  2,  15, 15, 15, 15, 15, 2,  2,  15,
};

/* Anchor texels of subsets 1 and 2 of the three-subset partitions. */
static const uint8_t zc__bc7_anchor3[2][64] = {
    { 3,  3,  15, 15, 8,  3,  15, 15, 8,  8,  6,  6,  6,  5,  3,  3,
      3,  3,  8,  15, 3,  3,  6,  10, 5,  8,  8,  6,  8,  5,  15, 15,
      8,  15, 3,  5,  6,  10, 8,  15, 15, 3,  15, 5,  15, 15, 15, 15,
      3,  15, 5,  5,  5,  8,  5,  10, 5,  10, 8,  13, 15, 12, 3,  3 },
    { 15, 8,  8,  3,  15, 15, 3,  8,  15, 15, 15, 15, 15, 15, 15, 8,
      15, 8,  15, 3,  15, 8,  15, 8,  3,  15, 6,  10, 15, 15, 10, 8,
      15, 3,  15, 10, 10, 8,  9,  10, 6,  15, 8,  15, 3,  6,  6,  8,
      15, 3,  15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 3,  15, 15, 8 },
};

const uint8_t zc__bc7_weights[5][16] = {
    { 0 },
    { 0 },
    { 0, 21, 43, 64 },
    { 0, 9, 18, 27, 37, 46, 55, 64 },
    { 0, 4, 9, 13, 17, 21, 26, 30, 34, 38, 43, 47, 51, 55, 60, 64 },
};

/* Safe on any arguments (masked). */
uint32_t zc__bc7_anchor(uint32_t subsets, uint32_t partition, uint32_t subset) {
    partition &= 63;
    if (subset == 0) return 0;
    if (subsets == 2) return zc__bc7_anchor2[partition];
    if (subsets == 3) return zc__bc7_anchor3[subset == 1 ? 0 : 1][partition];
    return 0;
}

/* ---------------------------------------------------------------------------------
 * The walk over a block's fields
 * ------------------------------------------------------------------------------- */

/* A bit cursor over 16 bytes that reads fields out of them or writes fields into
 * them, so that packing and unpacking follow one description of the layout. */
typedef struct zc__bc7_bits {
    uint8_t *block;
    uint32_t at;    /* next bit, 0 to 128 */
    int write;
} zc__bc7_bits;

/* Read or write `count` bits (0 to 8) at the cursor into or from *value. Safe: never
 * touches bits past 128, and a read keeps only the bits it read. */
static void zc__bc7_field(zc__bc7_bits *b, uint8_t *value, uint32_t count) {
    uint32_t v = b->write ? *value : 0;
    for (uint32_t i = 0; i < count && b->at < 128; ++i, ++b->at) {
        uint32_t byte = b->at >> 3, bit = b->at & 7;
        if (b->write)
            b->block[byte] = (uint8_t)((b->block[byte] & ~(1u << bit)) | (((v >> i) & 1u) << bit));
        else
            v |= ((uint32_t)(b->block[byte] >> bit) & 1u) << i;
    }
    if (!b->write) *value = (uint8_t)v;
}

/* A field held in a uint32_t of zc_bc7_fields. Safe as zc__bc7_field. */
static void zc__bc7_field32(zc__bc7_bits *b, uint32_t *value, uint32_t count) {
    uint8_t v = (uint8_t)*value;
    zc__bc7_field(b, &v, count);
    *value = v;
}

/* The indices of one set: anchors one bit shorter. Safe: every index masked. */
static void zc__bc7_index_fields(zc__bc7_bits *b, const zc_bc7_mode *m, uint32_t partition, uint8_t *index,
                                 uint32_t bits, int all_anchored_at_zero) {
    for (uint32_t i = 0; i < 16; ++i) {
        uint32_t count = bits;
        if (i == 0) {
            count--;
        } else if (!all_anchored_at_zero) {
            for (uint32_t s = 1; s < m->subsets; ++s)
                if (zc__bc7_anchor(m->subsets, partition, s) == i) count--;
        }
        if (b->write) index[i] &= (uint8_t)((1u << count) - 1u);
        zc__bc7_field(b, &index[i], count);
    }
}

/* Every field after the mode bits, in the layout's order. Safe on any fields. */
static void zc__bc7_walk(zc__bc7_bits *b, zc_bc7_fields *f) {
    const zc_bc7_mode *m = &zc__bc7_modes[f->mode & 7];
    zc__bc7_field32(b, &f->partition, m->partition_bits);
    zc__bc7_field32(b, &f->rotation, m->rotation_bits);
    zc__bc7_field32(b, &f->index_select, m->index_select_bits);
    for (uint32_t c = 0; c < 4; ++c) {
        uint32_t bits = c < 3 ? m->color_bits : m->alpha_bits;
        for (uint32_t s = 0; s < m->subsets; ++s)
            for (uint32_t e = 0; e < 2; ++e) {
                if (b->write) f->endpoints[s][e][c] &= (uint8_t)((1u << bits) - 1u);
                zc__bc7_field(b, &f->endpoints[s][e][c], bits);
            }
    }
    for (uint32_t s = 0; s < m->subsets && m->endpoint_pbits; ++s)
        for (uint32_t e = 0; e < 2; ++e) zc__bc7_field(b, &f->pbits[s][e], 1);
    for (uint32_t s = 0; s < m->subsets && m->shared_pbits; ++s) {
        zc__bc7_field(b, &f->pbits[s][0], 1);
        f->pbits[s][1] = f->pbits[s][0];
    }
    zc__bc7_index_fields(b, m, f->partition, f->index, m->index_bits, 0);
    if (m->index2_bits) zc__bc7_index_fields(b, m, f->partition, f->index2, m->index2_bits, 1);
}

/* Safe on any 16 bytes. */
int zc__bc7_unpack(const uint8_t block[16], zc_bc7_fields *f) {
    memset(f, 0, sizeof *f);
    if (block[0] == 0) return 0;
    uint32_t mode = 0;
    while (!(block[0] & (1u << mode))) mode++;
    f->mode = mode;
    uint8_t copy[16];
    memcpy(copy, block, sizeof copy);
    zc__bc7_bits b = { copy, mode + 1, 0 };
    zc__bc7_walk(&b, f);
    return 1;
}

/* Safe on any fields: the mode masked, every other field masked to its width. */
void zc__bc7_pack(const zc_bc7_fields *f, uint8_t block[16]) {
    zc_bc7_fields copy = *f;
    copy.mode &= 7;
    memset(block, 0, 16);
    block[0] = (uint8_t)(1u << copy.mode);
    zc__bc7_bits b = { block, copy.mode + 1, 1 };
    zc__bc7_walk(&b, &copy);
}

/* ---------------------------------------------------------------------------------
 * The decoder
 * ------------------------------------------------------------------------------- */

/* Safe on any 16 bytes. */
void zc_bc_decode_bc7(const uint8_t block[16], uint8_t rgba[64]) {
    zc_bc7_fields f;
    if (!zc__bc7_unpack(block, &f)) {
        memset(rgba, 0, 64);
        return;
    }
    const zc_bc7_mode *m = &zc__bc7_modes[f.mode];
    uint8_t ends[3][2][4];
    for (uint32_t s = 0; s < m->subsets; ++s)
        for (uint32_t e = 0; e < 2; ++e) {
            int pbit = m->endpoint_pbits || m->shared_pbits ? f.pbits[s][e] : -1;
            for (uint32_t c = 0; c < 3; ++c) ends[s][e][c] = (uint8_t)zc__bc7_expand(f.endpoints[s][e][c], m->color_bits, pbit);
            ends[s][e][3] = m->alpha_bits ? (uint8_t)zc__bc7_expand(f.endpoints[s][e][3], m->alpha_bits, pbit) : 255;
        }
    /* Colour from the secondary indices when the index-selection bit says so, alpha from
       them whenever there are secondary indices and it does not. */
    int color_second = m->index2_bits && f.index_select;
    int alpha_second = m->index2_bits && !f.index_select;
    for (uint32_t i = 0; i < 16; ++i) {
        uint32_t s = zc__bc7_subset(m->subsets, f.partition, i);
        uint32_t wc = color_second ? zc__bc7_weight(m->index2_bits, f.index2[i]) : zc__bc7_weight(m->index_bits, f.index[i]);
        uint32_t wa = alpha_second ? zc__bc7_weight(m->index2_bits, f.index2[i]) : zc__bc7_weight(m->index_bits, f.index[i]);
        uint8_t *out = rgba + i * 4;
        for (uint32_t c = 0; c < 4; ++c)
            out[c] = (uint8_t)zc__bc7_interpolate(ends[s][0][c], ends[s][1][c], c < 3 ? wc : wa);
        if (f.rotation) { /* the stored alpha is the rotated channel */
            uint8_t t = out[3];
            out[3] = out[f.rotation - 1];
            out[f.rotation - 1] = t;
        }
    }
}

/* The decoder of the BC7 pixel-format rows (zc_pixel_formats.c). */
void zc__decode_bc7(const uint8_t *block, uint8_t *rgba) {
    zc_bc_decode_bc7(block, rgba);
}
