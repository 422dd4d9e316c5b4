/* zc_bc7.h - the BC7 (BPTC) block layout shared by the decoder (zc_bc7_decode.c) and
 * the encoder (zc_bc7_encode.c): the eight modes, the partition and anchor tables,
 * the interpolation weights, and a block's fields unpacked from and packed into its
 * 128 bits.
 *
 * The layout is the one of Direct3D 11's BC7 and of ARB_texture_compression_bptc
 * (SPEC.md 8.5.5): bits least significant first; the mode is the lowest set bit of
 * byte 0; then the partition, rotation and index-selection bits; the colour endpoints
 * (red of every endpoint of every subset, then green, then blue), the alpha endpoints,
 * the per-endpoint or per-subset p-bits; the primary indices and the secondary ones,
 * texel by texel in row-major order, each anchor index one bit shorter.
 *
 * Threads: the tables are constant; every function is pure.
 */
#ifndef ZC_BC7_H
#define ZC_BC7_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One row of the mode table. */
typedef struct zc_bc7_mode {
    uint8_t subsets;            /* 1 to 3 */
    uint8_t partition_bits;     /* 0, 4 or 6 */
    uint8_t rotation_bits;      /* 0 or 2 */
    uint8_t index_select_bits;  /* 0 or 1 */
    uint8_t color_bits;         /* bits of each colour component of an endpoint */
    uint8_t alpha_bits;         /* 0: alpha is 255 */
    uint8_t endpoint_pbits;     /* 1: one p-bit per endpoint */
    uint8_t shared_pbits;       /* 1: one p-bit per subset */
    uint8_t index_bits;         /* primary index bits per texel */
    uint8_t index2_bits;        /* secondary index bits per texel, 0: none */
} zc_bc7_mode;

extern const zc_bc7_mode zc__bc7_modes[8];

/* A block's fields as the bits say them. endpoints[s][e][c] holds the stored bits of
 * component c (R, G, B, A) of endpoint e of subset s, without the p-bit; pbits[s][e]
 * the p-bit of that endpoint (with a shared p-bit, both endpoints hold it). index[i]
 * and index2[i] are texel i's primary and secondary indices. */
typedef struct zc_bc7_fields {
    uint32_t mode;              /* 0 to 7 */
    uint32_t partition;         /* < 2^partition_bits */
    uint32_t rotation;          /* 0: none, 1 to 3: alpha swapped with R, G or B */
    uint32_t index_select;      /* mode 4: 1 = colour takes the 3-bit indices */
    uint8_t endpoints[3][2][4];
    uint8_t pbits[3][2];
    uint8_t index[16];
    uint8_t index2[16];
} zc_bc7_fields;

/* The tables of the format (zc_bc7_decode.c): two-subset partitions (bit i: subset of
 * texel i), three-subset partitions (bits 2i, 2i + 1), and the interpolation weights
 * of 2-, 3- and 4-bit indices (row `bits`; rows 0 and 1 unused). */
extern const uint16_t zc__bc7_partition2[64];
extern const uint32_t zc__bc7_partition3[64];
extern const uint8_t zc__bc7_weights[5][16];

/* Subset (0 to subsets - 1) of texel i (0 to 15) in partition `partition` of a mode
 * with `subsets` subsets. Safe on any arguments: out-of-range values are masked. */
static inline uint32_t zc__bc7_subset(uint32_t subsets, uint32_t partition, uint32_t texel) {
    if (subsets == 2) return (zc__bc7_partition2[partition & 63] >> (texel & 15)) & 1u;
    if (subsets == 3) return (zc__bc7_partition3[partition & 63] >> (2 * (texel & 15))) & 3u;
    return 0;
}

/* The anchor texel of subset s: 0 for subset 0, else from the anchor tables. Safe on
 * any arguments, as above. */
uint32_t zc__bc7_anchor(uint32_t subsets, uint32_t partition, uint32_t subset);

/* Interpolation weight (0 to 64) of index `index` of an index of `bits` bits (2, 3 or
 * 4); other bit counts read as 4 and the index is masked. Safe on any arguments. */
static inline uint32_t zc__bc7_weight(uint32_t bits, uint32_t index) {
    return bits == 2 || bits == 3 ? zc__bc7_weights[bits][index & ((1u << bits) - 1u)] : zc__bc7_weights[4][index & 15];
}

/* ((64 - w) * e0 + w * e1 + 32) >> 6, the one interpolation of the format. */
static inline uint32_t zc__bc7_interpolate(uint32_t e0, uint32_t e1, uint32_t weight) {
    return ((64u - weight) * e0 + weight * e1 + 32u) >> 6;
}

/* An endpoint component of `bits` stored bits and p-bit `pbit` (-1: none) widened to 8
 * bits by replicating its top bits. Safe on any values: bits is clamped to [1, 8]. */
static inline uint32_t zc__bc7_expand(uint32_t value, uint32_t bits, int pbit) {
    if (bits < 1) bits = 1;
    if (bits > 8) bits = 8;
    uint32_t v = value & ((1u << bits) - 1u), n = bits;
    if (pbit >= 0 && n < 8) {
        v = (v << 1) | ((uint32_t)pbit & 1u);
        n++;
    }
    if (n >= 8) return v & 0xFFu;
    v <<= 8 - n; /* the value's bits at the top of the byte, then its top bits again below */
    return v | (v >> n);
}

/* Unpack a block into *f. Returns 0 for the reserved mode (byte 0 zero), leaving *f
 * zeroed. Safe on any 16 bytes: every field is read within the block and within its
 * width. */
int zc__bc7_unpack(const uint8_t block[16], zc_bc7_fields *f);

/* Pack *f into a block: every field masked to its width, the anchor indices' top bit
 * dropped (the encoder has made it zero). f->mode must be 0 to 7. */
void zc__bc7_pack(const zc_bc7_fields *f, uint8_t block[16]);

#ifdef __cplusplus
}
#endif

#endif /* ZC_BC7_H */
