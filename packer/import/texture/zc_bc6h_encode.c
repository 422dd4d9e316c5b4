/* zc_bc6h_encode.c - an unsigned BC6H encoder (zc_bc6h_encode_block,
 * zc_texture_pixels.h) and the encoder of the BC6H pixel-format row.
 *
 * Every texel's R, G and B become unsigned half floats first (negative values and NaN
 * 0, values past the half range its largest finite value). The format interpolates
 * 16-bit integers that map linearly onto the bits of a half float, so the encoder
 * works on those bits: a half's bits grow with the logarithm of its value (1024 a
 * doubling above the subnormals), and the squared difference of decoded and source
 * bits over R, G and B is the error every choice is made by.
 *
 * Per 4x4 block it tries:
 *  - the four one-region modes (10: two 10-bit endpoints; 11, 12, 13: a first endpoint
 *    of 11, 12 or 16 bits and the second as a difference of 9, 8 or 4 bits);
 *  - unless one region already comes within 8 half-float steps RMS of every channel
 *    (0.8 % of the value, ZC__BC6H_ONE_REGION_ENOUGH; it makes the encoder 1.6 times
 *    as fast on Blender's environment maps, whose error in stops moves by less than
 *    0.0001), the two-region modes in the few partitions of the 32 whose regions lie
 *    closest to a line each (the residual of each region's covariance off its principal axis, a
 *    quick estimate): mode 9 (6-bit endpoints) always, and each transformed mode (0 to
 *    8: a first endpoint of 7 to 11 bits, the three others as differences of 4 to 6
 *    bits) whose differences fit;
 * and keeps the one of least error (the first tried wins a tie). Each region's
 * endpoints start on the principal axis of its texels at the extremes of their
 * projections, oriented so that the anchor texel lies nearer the first; each is
 * quantized to the nearest code (differences clamped to their range), every texel
 * takes the palette entry of least error (an anchor only the lower half), and a few
 * least-squares refits against the chosen indices follow.
 *
 * Deterministic: fixed iteration counts, ties broken by order, no state outside the
 * call; thread-safe; no allocation. Every function is safe on any texel values.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "zc_bc6h.h"
#include "zc_bc7.h"
#include "zc_pixel_formats.h"
#include "zc_texture_pixels.h"

#define ZC__BC6H_PARTITIONS_TRIED 3 /* best partitions by the estimate, fitted in full */
#define ZC__BC6H_REFINE_ROUNDS 2     /* least-squares refits after the principal-axis fit */
#define ZC__BC6H_POWER_STEPS 4       /* power-iteration steps for a principal axis */
#define ZC__BC6H_MAX_HALF 0x7BFFu    /* the largest finite half, the format's largest value */
#define ZC__BC6H_ONE_REGION_ENOUGH (48u * 8u * 8u) /* squared error below which no
                                       two-region mode is tried: 8 half steps RMS per
                                       channel, 0.8 % of the value */

/* A block's targets: the half bits of each texel's R, G and B, and the same in the
 * 16-bit domain the format interpolates in (the middle of the values that finish to
 * those bits). */
typedef struct zc__bc6h_block {
    uint16_t h[16][3];
    float u[16][3];
} zc__bc6h_block;

/* Float endpoints in the 16-bit domain: [region][end][component]. */
typedef float zc__bc6h_ends[2][2][3];

/* ---------------------------------------------------------------------------------
 * Targets
 * ------------------------------------------------------------------------------- */

/* The unsigned half bits nearest to v: 0 for negative values and NaN, the largest
 * finite half past the range. Safe on any value. */
static uint16_t zc__bc6h_half(float v) {
    if (!(v > 0.0f)) return 0;
    uint16_t h = zc_half_from_float(v);
    return h > ZC__BC6H_MAX_HALF ? (uint16_t)ZC__BC6H_MAX_HALF : h;
}

static void zc__bc6h_targets(const float rgba[64], zc__bc6h_block *blk) {
    for (uint32_t i = 0; i < 16; ++i)
        for (uint32_t c = 0; c < 3; ++c) {
            blk->h[i][c] = zc__bc6h_half(rgba[4 * i + c]);
            blk->u[i][c] = ((float)blk->h[i][c] + 0.5f) * (64.0f / 31.0f);
        }
}

/* ---------------------------------------------------------------------------------
 * One mode
 * ------------------------------------------------------------------------------- */

/* The code of `bits` bits whose widened value lies nearest to u (clamped to the
 * 16-bit domain); ties to the smaller code. Safe on any value. */
static uint32_t zc__bc6h_quantize(float u, uint32_t bits) {
    if (!(u > 0.0f)) u = 0.0f; /* NaN -> 0 */
    if (u > 65535.0f) u = 65535.0f;
    int32_t top = (int32_t)((1u << bits) - 1u), guess = (int32_t)(u * (float)(1u << bits) / 65536.0f);
    int32_t best = 0;
    float best_distance = 1e30f;
    for (int32_t q = guess - 1; q <= guess + 1; ++q) {
        if (q < 0 || q > top) continue;
        float d = fabsf((float)zc__bc6h_unquantize((uint32_t)q, bits) - u);
        if (d < best_distance) {
            best_distance = d;
            best = q;
        }
    }
    return (uint32_t)best;
}

/* 1 when the endpoints, quantized, differ from the first by what the transformed
 * mode's difference bits hold; always 1 for a mode without transform. */
static int zc__bc6h_fits(uint32_t mode, const zc__bc6h_ends e) {
    const zc_bc6h_mode *m = &zc__bc6h_modes[mode];
    if (!m->transformed) return 1;
    for (uint32_t c = 0; c < 3; ++c) {
        int32_t base = (int32_t)zc__bc6h_quantize(e[0][0][c], m->endpoint_bits), limit = 1 << (m->delta_bits[c] - 1);
        for (uint32_t k = 1; k < 2u * m->regions; ++k) {
            int32_t d = (int32_t)zc__bc6h_quantize(e[k / 2][k % 2][c], m->endpoint_bits) - base;
            if (d < -limit || d >= limit) return 0;
        }
    }
    return 1;
}

/* Encode the block in `mode` and `partition` from float endpoints e: quantize them
 * into f (differences clamped to their bits), give every texel the palette entry of
 * least error (anchors the lower half), and return the error. Safe on any values. */
static uint64_t zc__bc6h_encode_mode(const zc__bc6h_block *blk, uint32_t mode, uint32_t partition,
                                     const zc__bc6h_ends e, zc_bc6h_fields *f) {
    const zc_bc6h_mode *m = &zc__bc6h_modes[mode];
    memset(f, 0, sizeof *f);
    f->mode = mode;
    f->partition = m->regions == 2 ? partition & 31u : 0;
    uint32_t ends = 2u * m->regions, wide[4][3];
    for (uint32_t c = 0; c < 3; ++c) {
        int32_t base = (int32_t)zc__bc6h_quantize(e[0][0][c], m->endpoint_bits);
        f->endpoints[0][c] = (uint16_t)base;
        wide[0][c] = zc__bc6h_unquantize((uint32_t)base, m->endpoint_bits);
        for (uint32_t k = 1; k < ends; ++k) {
            int32_t q = (int32_t)zc__bc6h_quantize(e[k / 2][k % 2][c], m->endpoint_bits);
            if (m->transformed) {
                int32_t limit = 1 << (m->delta_bits[c] - 1), d = q - base;
                d = d < -limit ? -limit : d >= limit ? limit - 1 : d;
                q = base + d; /* between base and the wanted code: in range */
                f->endpoints[k][c] = (uint16_t)((uint32_t)d & ((1u << m->delta_bits[c]) - 1u));
            } else {
                f->endpoints[k][c] = (uint16_t)q;
            }
            wide[k][c] = zc__bc6h_unquantize((uint32_t)q, m->endpoint_bits);
        }
    }
    uint32_t bits = m->regions == 2 ? 3u : 4u, top = (1u << bits) - 1u;
    uint32_t anchor = m->regions == 2 ? zc__bc7_anchor(2, f->partition, 1) : 0;
    int32_t palette[2][16][3];
    for (uint32_t s = 0; s < m->regions; ++s)
        for (uint32_t k = 0; k <= top; ++k)
            for (uint32_t c = 0; c < 3; ++c)
                palette[s][k][c] = zc__bc6h_finish(zc__bc7_interpolate(wide[2 * s][c], wide[2 * s + 1][c], zc__bc7_weight(bits, k)));
    uint64_t total = 0;
    for (uint32_t i = 0; i < 16; ++i) {
        uint32_t s = m->regions == 2 ? zc__bc7_subset(2, f->partition, i) : 0;
        uint32_t last = i == 0 || (m->regions == 2 && i == anchor) ? top / 2 : top, best_k = 0;
        uint64_t best = UINT64_MAX;
        for (uint32_t k = 0; k <= last; ++k) {
            uint64_t d = 0;
            for (uint32_t c = 0; c < 3; ++c) {
                int64_t diff = (int64_t)palette[s][k][c] - (int64_t)blk->h[i][c];
                d += (uint64_t)(diff * diff);
            }
            if (d < best) {
                best = d;
                best_k = k;
            }
        }
        f->index[i] = (uint8_t)best_k;
        total += best;
    }
    return total;
}

/* ---------------------------------------------------------------------------------
 * Fitting
 * ------------------------------------------------------------------------------- */

/* The texels of region s of a partition (regions 1: all). */
static uint32_t zc__bc6h_members(uint32_t regions, uint32_t partition, uint32_t s, uint8_t members[16]) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < 16; ++i)
        if ((regions == 2 ? zc__bc7_subset(2, partition, i) : 0) == s) members[n++] = (uint8_t)i;
    return n;
}

/* The principal axis of a covariance (unit length in axis; zero for one colour) by
 * power iteration, and the residual off it: the trace less the largest eigenvalue.
 * Safe on any values. */
static double zc__bc6h_principal(const double cov[3][3], double axis[3]) {
    for (uint32_t c = 0; c < 3; ++c) axis[c] = 0.0;
    uint32_t widest = 0;
    double trace = cov[0][0] + cov[1][1] + cov[2][2];
    for (uint32_t c = 1; c < 3; ++c)
        if (cov[c][c] > cov[widest][widest]) widest = c;
    if (!(cov[widest][widest] > 1e-6)) return 0.0; /* one colour */
    double v[3] = { cov[widest][0], cov[widest][1], cov[widest][2] };
    for (uint32_t step = 0; step < ZC__BC6H_POWER_STEPS; ++step) {
        double next[3] = { 0, 0, 0 }, length = 0.0;
        for (uint32_t a = 0; a < 3; ++a) {
            for (uint32_t b = 0; b < 3; ++b) next[a] += cov[a][b] * v[b];
            length += next[a] * next[a];
        }
        if (!(length > 1e-30)) return 0.0;
        length = sqrt(length);
        for (uint32_t c = 0; c < 3; ++c) v[c] = next[c] / length;
    }
    double vcv = 0.0;
    for (uint32_t a = 0; a < 3; ++a)
        for (uint32_t b = 0; b < 3; ++b) vcv += v[a] * cov[a][b] * v[b];
    for (uint32_t c = 0; c < 3; ++c) axis[c] = v[c];
    return trace > vcv ? trace - vcv : 0.0;
}

/* Mean, principal axis (unit length, zero for one colour) and the residual off it
 * (the covariance's trace less its largest eigenvalue) of some texels. Safe on any
 * values and any count. */
static double zc__bc6h_axis(const zc__bc6h_block *blk, const uint8_t *members, uint32_t n, double mean[3], double axis[3]) {
    double cov[3][3] = { { 0 } };
    for (uint32_t c = 0; c < 3; ++c) mean[c] = axis[c] = 0.0;
    if (n == 0) return 0.0;
    for (uint32_t k = 0; k < n; ++k)
        for (uint32_t c = 0; c < 3; ++c) mean[c] += blk->u[members[k]][c];
    for (uint32_t c = 0; c < 3; ++c) mean[c] /= n;
    for (uint32_t k = 0; k < n; ++k) {
        const float *t = blk->u[members[k]];
        for (uint32_t a = 0; a < 3; ++a)
            for (uint32_t b = 0; b < 3; ++b) cov[a][b] += ((double)t[a] - mean[a]) * ((double)t[b] - mean[b]);
    }
    return zc__bc6h_principal(cov, axis);
}

/* Float endpoints of every region at the extremes of its texels' projections on their
 * principal axis, each region's first endpoint the one nearer its anchor texel. */
static void zc__bc6h_axis_endpoints(const zc__bc6h_block *blk, uint32_t regions, uint32_t partition, zc__bc6h_ends e) {
    memset(e, 0, sizeof(zc__bc6h_ends));
    for (uint32_t s = 0; s < regions; ++s) {
        uint8_t members[16];
        uint32_t n = zc__bc6h_members(regions, partition, s, members);
        double mean[3], axis[3], lo = 0.0, hi = 0.0;
        zc__bc6h_axis(blk, members, n, mean, axis);
        uint32_t anchor = s == 0 ? 0 : zc__bc7_anchor(2, partition, 1);
        double at_anchor = 0.0;
        for (uint32_t k = 0; k < n; ++k) {
            double t = 0.0;
            for (uint32_t c = 0; c < 3; ++c) t += ((double)blk->u[members[k]][c] - mean[c]) * axis[c];
            if (k == 0 || t < lo) lo = t;
            if (k == 0 || t > hi) hi = t;
            if (members[k] == anchor) at_anchor = t;
        }
        if (at_anchor - lo > hi - at_anchor) { /* the anchor nearer the top: turn the axis round */
            double t = lo;
            lo = hi;
            hi = t;
        }
        for (uint32_t c = 0; c < 3; ++c) {
            e[s][0][c] = (float)(mean[c] + axis[c] * lo);
            e[s][1][c] = (float)(mean[c] + axis[c] * hi);
        }
    }
}

/* Endpoints of every region minimising the squared error in the 16-bit domain for
 * the indices of f. A region whose indices do not determine them (all weights equal)
 * keeps its endpoints. Safe on any values. */
static void zc__bc6h_refit(const zc__bc6h_block *blk, const zc_bc6h_fields *f, zc__bc6h_ends e) {
    const zc_bc6h_mode *m = &zc__bc6h_modes[f->mode];
    uint32_t bits = m->regions == 2 ? 3u : 4u;
    for (uint32_t s = 0; s < m->regions; ++s) {
        double aa = 0, ab = 0, bb = 0, ra[3] = { 0, 0, 0 }, rb[3] = { 0, 0, 0 };
        for (uint32_t i = 0; i < 16; ++i) {
            if ((m->regions == 2 ? zc__bc7_subset(2, f->partition, i) : 0) != s) continue;
            double w = zc__bc7_weight(bits, f->index[i]) / 64.0, v = 1.0 - w;
            aa += v * v;
            ab += v * w;
            bb += w * w;
            for (uint32_t c = 0; c < 3; ++c) {
                ra[c] += v * blk->u[i][c];
                rb[c] += w * blk->u[i][c];
            }
        }
        double det = aa * bb - ab * ab;
        if (!(det > 1e-6)) continue;
        for (uint32_t c = 0; c < 3; ++c) {
            e[s][0][c] = (float)((bb * ra[c] - ab * rb[c]) / det);
            e[s][1][c] = (float)((aa * rb[c] - ab * ra[c]) / det);
        }
    }
}

/* The best of `mode` from endpoints e and their refits: kept in *best when it beats
 * *best_error. */
static void zc__bc6h_try(const zc__bc6h_block *blk, uint32_t mode, uint32_t partition, const zc__bc6h_ends start,
                         zc_bc6h_fields *best, uint64_t *best_error) {
    zc__bc6h_ends e;
    memcpy(e, start, sizeof e);
    zc_bc6h_fields f;
    uint64_t error = zc__bc6h_encode_mode(blk, mode, partition, (const float(*)[2][3])e, &f);
    for (uint32_t round = 0; round < ZC__BC6H_REFINE_ROUNDS && error > 0; ++round) {
        zc_bc6h_fields again;
        zc__bc6h_refit(blk, &f, e);
        uint64_t next = zc__bc6h_encode_mode(blk, mode, partition, (const float(*)[2][3])e, &again);
        if (next >= error) break;
        error = next;
        f = again;
    }
    if (error < *best_error) {
        *best = f;
        *best_error = error;
    }
}

/* Sums over some texels of each component and of each product of two (the upper
 * triangle: xx, xy, xz, yy, yz, zz), from which a region's covariance follows. */
typedef struct zc__bc6h_moments {
    double n, sum[3], prod[6];
} zc__bc6h_moments;

static void zc__bc6h_add_texel(zc__bc6h_moments *m, const float u[3]) {
    m->n += 1.0;
    for (uint32_t a = 0, k = 0; a < 3; ++a) {
        m->sum[a] += u[a];
        for (uint32_t b = a; b < 3; ++b) m->prod[k++] += (double)u[a] * u[b];
    }
}

/* The covariance's trace less its largest eigenvalue (0 for fewer than two texels or
 * one colour): how far the texels lie from the line through them. The same estimate
 * as zc__bc6h_axis's residual, from sums. Safe on any values. */
static double zc__bc6h_moments_residual(const zc__bc6h_moments *m) {
    if (m->n < 2.0) return 0.0;
    double cov[3][3], axis[3];
    for (uint32_t a = 0, k = 0; a < 3; ++a)
        for (uint32_t b = a; b < 3; ++b, ++k)
            cov[a][b] = cov[b][a] = m->prod[k] - m->sum[a] * m->sum[b] / m->n;
    return zc__bc6h_principal(cov, axis);
}

/* The ZC__BC6H_PARTITIONS_TRIED partitions of the 32 whose two regions lie closest to
 * a line each, best first (ties to the lower number). Each partition's second region
 * is the whole block less its first, so the block's sums are taken once. */
static void zc__bc6h_rank_partitions(const zc__bc6h_block *blk, uint32_t best[ZC__BC6H_PARTITIONS_TRIED]) {
    double score[ZC__BC6H_PARTITIONS_TRIED];
    uint32_t kept = 0;
    zc__bc6h_moments all;
    memset(&all, 0, sizeof all);
    for (uint32_t i = 0; i < 16; ++i) zc__bc6h_add_texel(&all, blk->u[i]);
    for (uint32_t p = 0; p < 32; ++p) {
        zc__bc6h_moments first, second;
        memset(&first, 0, sizeof first);
        for (uint32_t i = 0; i < 16; ++i)
            if (zc__bc7_subset(2, p, i) == 0) zc__bc6h_add_texel(&first, blk->u[i]);
        second.n = all.n - first.n;
        for (uint32_t c = 0; c < 3; ++c) second.sum[c] = all.sum[c] - first.sum[c];
        for (uint32_t k = 0; k < 6; ++k) second.prod[k] = all.prod[k] - first.prod[k];
        double residual = zc__bc6h_moments_residual(&first) + zc__bc6h_moments_residual(&second);
        uint32_t at = kept;
        while (at > 0 && residual < score[at - 1]) at--;
        if (at >= ZC__BC6H_PARTITIONS_TRIED) continue;
        uint32_t end = kept < ZC__BC6H_PARTITIONS_TRIED ? kept : ZC__BC6H_PARTITIONS_TRIED - 1;
        for (uint32_t k = end; k > at; --k) {
            score[k] = score[k - 1];
            best[k] = best[k - 1];
        }
        score[at] = residual;
        best[at] = p;
        if (kept < ZC__BC6H_PARTITIONS_TRIED) kept++;
    }
}

/* ---------------------------------------------------------------------------------
 * Blocks and levels
 * ------------------------------------------------------------------------------- */

/* Safe on any texels; thread-safe; no allocation. */
void zc_bc6h_encode_block(const float rgba[64], uint8_t block[16]) {
    zc__bc6h_block blk;
    zc__bc6h_targets(rgba, &blk);
    zc_bc6h_fields best;
    uint64_t best_error = UINT64_MAX;
    zc__bc6h_ends e;
    zc__bc6h_axis_endpoints(&blk, 1, 0, e);
    for (uint32_t mode = 10; mode < ZC__BC6H_MODES && best_error > 0; ++mode)
        if (mode == 10 || zc__bc6h_fits(mode, (const float(*)[2][3])e))
            zc__bc6h_try(&blk, mode, 0, (const float(*)[2][3])e, &best, &best_error);
    if (best_error > ZC__BC6H_ONE_REGION_ENOUGH) {
        uint32_t partitions[ZC__BC6H_PARTITIONS_TRIED];
        zc__bc6h_rank_partitions(&blk, partitions);
        for (uint32_t k = 0; k < ZC__BC6H_PARTITIONS_TRIED && best_error > 0; ++k) {
            zc__bc6h_axis_endpoints(&blk, 2, partitions[k], e);
            for (uint32_t mode = 0; mode < 10 && best_error > 0; ++mode)
                if (zc__bc6h_fits(mode, (const float(*)[2][3])e))
                    zc__bc6h_try(&blk, mode, partitions[k], (const float(*)[2][3])e, &best, &best_error);
        }
    }
    zc__bc6h_pack(&best, block);
}

/* The encoder of the BC6H pixel-format row (zc_pixel_formats.c): every 4x4 block of
 * a float image, edges clamped. */
void zc__encode_bc6h(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);
void zc__encode_bc6h(const zc_texels *img, uint8_t *dst, uint32_t row_pitch) {
    if (!img->is_float) return;
    const float *src = (const float *)img->data;
    uint32_t blocks_x = (img->width + 3) / 4, blocks_y = (img->height + 3) / 4;
    float texels[64];
    for (uint32_t by = 0; by < blocks_y; ++by)
        for (uint32_t bx = 0; bx < blocks_x; ++bx) {
            for (uint32_t y = 0; y < 4; ++y) {
                uint32_t sy = by * 4 + y < img->height ? by * 4 + y : img->height - 1;
                for (uint32_t x = 0; x < 4; ++x) {
                    uint32_t sx = bx * 4 + x < img->width ? bx * 4 + x : img->width - 1;
                    memcpy(texels + (y * 4 + x) * 4, src + ((size_t)sy * img->width + sx) * 4, 16);
                }
            }
            zc_bc6h_encode_block(texels, dst + (size_t)by * row_pitch + (size_t)bx * 16);
        }
}
