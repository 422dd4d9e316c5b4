/* zc_bc6h.h - the unsigned BC6H (BPTC float) block layout shared by the decoder
 * (zc_bc6h_decode.c) and the encoder (zc_bc6h_encode.c): the fourteen modes, a block's
 * fields unpacked from and packed into its 128 bits, the endpoint transform and the
 * unquantization of the unsigned format.
 *
 * The layout is the one of Direct3D 11's BC6H_UF16 and of the unsigned BPTC_FLOAT of
 * ARB_texture_compression_bptc (SPEC.md 8.5.5): bits least significant first; a mode
 * in the low two bits when they are 0 or 1, else in the low five bits (19, 23, 27 and
 * 31 reserved); then the endpoint bits of the mode, scattered as its table says, the
 * 5-bit partition of the two-region modes (BC7's first 32 two-subset partitions), and
 * the indices texel by texel in row-major order: 3 bits in two regions, 4 in one, the
 * anchor texels (texel 0, and the second region's anchor of BC7's table) one bit
 * shorter.
 *
 * Modes are numbered here 0 to 13 in the order of the format's mode table, which is
 * Direct3D's mode 1 to 14: 0 to 9 two regions, 10 (10-bit endpoints, no transform), 11
 * to 13 one region with the second endpoint stored as a difference from the first.
 *
 * Threads: the tables are constant; every function is pure.
 */
#ifndef ZC_BC6H_H
#define ZC_BC6H_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ZC__BC6H_MODES 14

/* One row of the mode table. */
typedef struct zc_bc6h_mode {
    uint8_t code;               /* the value of the mode bits */
    uint8_t code_bits;          /* 2 or 5 */
    uint8_t regions;            /* 1 or 2 */
    uint8_t transformed;        /* 1: endpoints after the first are differences from it */
    uint8_t endpoint_bits;      /* bits of every component of the first endpoint (all
                                   endpoints when not transformed) */
    uint8_t delta_bits[3];      /* bits of R, G and B of the other endpoints */
} zc_bc6h_mode;

extern const zc_bc6h_mode zc__bc6h_modes[ZC__BC6H_MODES];

/* A block's fields as the bits say them. endpoints[e][c] holds the stored bits of
 * component c (R, G, B) of endpoint e (0 and 1: region 0; 2 and 3: region 1), a
 * difference from endpoint 0 in the transformed modes; index[i] is texel i's index. */
typedef struct zc_bc6h_fields {
    uint32_t mode;              /* 0 to 13 */
    uint32_t partition;         /* 0 to 31; 0 in one region */
    uint16_t endpoints[4][3];
    uint8_t index[16];
} zc_bc6h_fields;

/* Bits of component c of endpoint e in a mode (0 past the mode's regions). Safe on
 * any arguments: mode masked into the table. */
uint32_t zc__bc6h_field_bits(uint32_t mode, uint32_t endpoint, uint32_t c);

/* Unpack a block into *f. Returns 0 for a reserved mode, leaving *f zeroed. Safe on
 * any 16 bytes. */
int zc__bc6h_unpack(const uint8_t block[16], zc_bc6h_fields *f);

/* Pack *f into a block: every field masked to its width, the anchor indices' top bit
 * dropped (the encoder has made it zero). Safe on any fields (mode taken mod 14). */
void zc__bc6h_pack(const zc_bc6h_fields *f, uint8_t block[16]);

/* The endpoints of *f as the decoder uses them, each of endpoint_bits bits: the
 * differences of a transformed mode sign-extended, added to endpoint 0 and wrapped.
 * Safe on any fields. */
void zc__bc6h_endpoints(const zc_bc6h_fields *f, uint32_t ends[4][3]);

/* An endpoint component of `bits` bits (6 to 16) widened to 16 bits (unsigned
 * format): 0 stays 0, the largest code becomes 0xFFFF, 16 bits stay as they are,
 * other codes land at the middle of their interval. Safe on any values. */
static inline uint32_t zc__bc6h_unquantize(uint32_t x, uint32_t bits) {
    if (bits >= 15) return x & 0xFFFFu;
    x &= (1u << bits) - 1u;
    if (x == 0) return 0;
    if (x == (1u << bits) - 1u) return 0xFFFFu;
    return ((x << 15) + 0x4000u) >> (bits - 1);
}

/* The last step of the unsigned format: an interpolated 16-bit value to the bits of a
 * half float (at most 0x7BFF, the largest finite half). */
static inline uint16_t zc__bc6h_finish(uint32_t v) {
    return (uint16_t)(((v & 0xFFFFu) * 31u) >> 6);
}

#ifdef __cplusplus
}
#endif

#endif /* ZC_BC6H_H */
