/* zc_bc7_encode.c - a BC7 encoder (zc_bc7_encode_block, zc_texture_pixels.h) and the
 * encoder of the BC7 pixel-format rows.
 *
 * Per 4x4 block it tries a few modes and keeps the one with the smallest sum of
 * squared errors over R, G, B and A (the first one tried wins a tie):
 *  - mode 6 (one subset, RGBA endpoints 7 bits + a p-bit each, 4-bit indices) always,
 *    and alone when its error is already small (ZC__BC7_GOOD_ENOUGH);
 *  - opaque blocks: modes 1 (two subsets, 6 bits + a shared p-bit, 3-bit indices) and
 *    3 (two subsets, 7 bits + a p-bit per endpoint, 2-bit indices) in the few
 *    partitions of the 64 whose subsets lie closest to a line (the residual of each
 *    subset's covariance off its principal axis, a quick estimate);
 *  - blocks with alpha: mode 5 (colour 7 bits and alpha 8 bits with their own 2-bit
 *    indices) in each of its four rotations, and mode 7 (two subsets, RGBA 5 bits + a
 *    p-bit per endpoint) in the closest partitions.
 * Each subset's endpoints start on the principal axis of its texels (power iteration
 * on the covariance) at the extremes of their projections, then go through a few
 * rounds of least-squares refits against the chosen indices; every round tries every
 * p-bit choice and assigns each texel the palette entry nearest to it.
 *
 * Deterministic: fixed iteration counts, ties broken by order, no state outside the
 * call; thread-safe; no allocation. Every function is safe on any texel values.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zc_bc7.h"
#include "zc_pixel_formats.h"
#include "zc_texture_pixels.h"

#define ZC__BC7_REFINE_ROUNDS 1     /* least-squares refits after the principal-axis fit */
#define ZC__BC7_PARTITIONS_TRIED 3  /* best partitions by the estimate, fitted in full */
#define ZC__BC7_MODE3_PARTITIONS 2  /* of those, the ones mode 3 tries too */
#define ZC__BC7_POWER_STEPS 3       /* power-iteration steps for a principal axis */
#define ZC__BC7_GOOD_ENOUGH 16u     /* squared error of mode 6 (MSE 0.25 per channel) under which
                                       no other mode is tried */

/* The texels of a block and which of them a subset holds. */
typedef struct zc__bc7_set {
    const uint8_t (*px)[4];     /* the 16 texels, RGBA */
    uint8_t members[16];        /* texel numbers of the subset */
    uint32_t count;
} zc__bc7_set;

/* How a subset's endpoints and indices are stored. */
typedef struct zc__bc7_spec {
    uint32_t first, channels;   /* components [first, first + channels) */
    uint32_t bits;              /* stored bits per component */
    uint32_t pbits;             /* 0: none, 1: one per subset, 2: one per endpoint */
    uint32_t pbits_one;         /* 1: p-bits fixed at 1 (mode 6 on an opaque block, whose
                                   alpha can then stay 255 exactly) */
    uint32_t index_bits;        /* 2, 3 or 4 */
} zc__bc7_spec;

/* A fitted subset: stored endpoint bits, p-bits, each member's index (by texel
 * number), and the squared error over the spec's components. */
typedef struct zc__bc7_fit {
    uint8_t q[2][4];
    uint8_t p[2];
    uint8_t index[16];
    uint32_t error;
} zc__bc7_fit;

/* ---------------------------------------------------------------------------------
 * One subset
 * ------------------------------------------------------------------------------- */

/* The stored bits whose widened value lies nearest to v (0 to 255; others clamp),
 * with p-bit `pbit` (-1: none); ties to the smaller code. Safe on any value. */
static uint32_t zc__bc7_quantize(float v, uint32_t bits, int pbit) {
    if (!(v > 0.0f)) v = 0.0f; /* NaN -> 0 */
    if (v > 255.0f) v = 255.0f;
    uint32_t n = bits + (pbit >= 0), top = (1u << bits) - 1u;
    float code = v * (float)((1u << n) - 1u) / 255.0f;
    if (pbit >= 0) code = (code - (float)pbit) * 0.5f;
    int guess = (int)floorf(code + 0.5f), best = 0;
    int best_distance = 1 << 20;
    for (int q = guess - 1; q <= guess + 1; ++q) {
        if (q < 0 || q > (int)top) continue;
        int distance = abs((int)zc__bc7_expand((uint32_t)q, bits, pbit) - (int)(v + 0.5f));
        if (distance < best_distance) {
            best_distance = distance;
            best = q;
        }
    }
    return (uint32_t)best;
}

/* Assign each member the nearest entry of the palette of endpoints q with p-bits p
 * (pbit_used 0: none); returns the squared error. The palette lies on a line, so each
 * texel's projection on it gives the entry, and the entries beside it are checked as
 * well for the rounding of the interpolation. Safe on any fields. */
static uint32_t zc__bc7_assign(const zc__bc7_set *set, const zc__bc7_spec *spec, const uint8_t q[2][4],
                               const uint8_t p[2], int pbit_used, uint8_t index[16]) {
    int32_t palette[16][4] = { { 0 } }, ends[2][4] = { { 0 } }, dir[4] = { 0, 0, 0, 0 };
    int32_t top = (int32_t)(1u << spec->index_bits) - 1, length = 0;
    uint32_t f = spec->first, n = spec->channels;
    for (uint32_t e = 0; e < 2; ++e)
        for (uint32_t c = 0; c < n; ++c) ends[e][c] = (int32_t)zc__bc7_expand(q[e][f + c], spec->bits, pbit_used ? p[e] : -1);
    for (int32_t k = 0; k <= top; ++k) {
        uint32_t w = zc__bc7_weight(spec->index_bits, (uint32_t)k);
        for (uint32_t c = 0; c < n; ++c)
            palette[k][c] = (int32_t)zc__bc7_interpolate((uint32_t)ends[0][c], (uint32_t)ends[1][c], w);
    }
    for (uint32_t c = 0; c < n; ++c) {
        dir[c] = ends[1][c] - ends[0][c];
        length += dir[c] * dir[c];
    }
    uint32_t total = 0;
    for (uint32_t m = 0; m < set->count; ++m) {
        const uint8_t *t = set->px[set->members[m]] + f;
        int32_t along = 0;
        for (uint32_t c = 0; c < n; ++c) along += ((int32_t)t[c] - ends[0][c]) * dir[c];
        int32_t guess = along <= 0 || length == 0 ? 0 : (int32_t)((2 * (int64_t)along * top + length) / (2 * (int64_t)length));
        if (guess > top) guess = top;
        uint32_t best = UINT32_MAX, best_k = 0;
        for (int32_t k = guess > 0 ? guess - 1 : 0; k <= guess + 1 && k <= top; ++k) {
            uint32_t d = 0;
            for (uint32_t c = 0; c < n; ++c) {
                int32_t diff = palette[k][c] - t[c];
                d += (uint32_t)(diff * diff);
            }
            if (d < best) {
                best = d;
                best_k = (uint32_t)k;
            }
        }
        index[set->members[m]] = (uint8_t)best_k;
        total += best;
    }
    return total;
}

/* Quantize float endpoints e under every p-bit choice of the spec, keep the choice
 * with the least error in *fit when it beats fit->error. Safe on any values. */
static void zc__bc7_try_endpoints(const zc__bc7_set *set, const zc__bc7_spec *spec, const float e[2][4],
                                  zc__bc7_fit *fit) {
    uint32_t choices = spec->pbits == 2 ? 4 : spec->pbits == 1 ? 2 : 1;
    for (uint32_t choice = spec->pbits_one ? choices - 1 : 0; choice < choices; ++choice) {
        zc__bc7_fit trial;
        memset(&trial, 0, sizeof trial);
        trial.p[0] = (uint8_t)(choice & 1);
        trial.p[1] = (uint8_t)(spec->pbits == 2 ? (choice >> 1) & 1 : choice & 1);
        for (uint32_t end = 0; end < 2; ++end)
            for (uint32_t c = spec->first; c < spec->first + spec->channels; ++c)
                trial.q[end][c] = (uint8_t)zc__bc7_quantize(e[end][c], spec->bits, spec->pbits ? trial.p[end] : -1);
        trial.error = zc__bc7_assign(set, spec, (const uint8_t(*)[4])trial.q, trial.p, spec->pbits != 0, trial.index);
        if (trial.error < fit->error) *fit = trial;
    }
}

/* Mean and principal axis (unit length, or zero for a single colour) of the members
 * over the spec's components. Safe on any values, any count (0 gives zeros). */
static void zc__bc7_principal_axis(const zc__bc7_set *set, const zc__bc7_spec *spec, float mean[4], float axis[4]) {
    float cov[4][4];
    memset(cov, 0, sizeof cov);
    for (uint32_t c = 0; c < 4; ++c) mean[c] = axis[c] = 0.0f;
    if (set->count == 0) return;
    uint32_t f = spec->first, n = spec->channels;
    for (uint32_t m = 0; m < set->count; ++m)
        for (uint32_t c = 0; c < n; ++c) mean[c] += set->px[set->members[m]][f + c];
    for (uint32_t c = 0; c < n; ++c) mean[c] /= (float)set->count;
    for (uint32_t m = 0; m < set->count; ++m) {
        const uint8_t *t = set->px[set->members[m]];
        for (uint32_t a = 0; a < n; ++a)
            for (uint32_t b = 0; b < n; ++b) cov[a][b] += ((float)t[f + a] - mean[a]) * ((float)t[f + b] - mean[b]);
    }
    /* start from the covariance row of the largest variance: never orthogonal to the
       principal axis unless the subset is a single colour */
    uint32_t widest = 0;
    for (uint32_t c = 1; c < n; ++c)
        if (cov[c][c] > cov[widest][widest]) widest = c;
    float v[4] = { 0, 0, 0, 0 };
    for (uint32_t c = 0; c < n; ++c) v[c] = cov[widest][c];
    for (uint32_t step = 0; step < ZC__BC7_POWER_STEPS; ++step) {
        float next[4] = { 0, 0, 0, 0 }, length = 0.0f;
        for (uint32_t a = 0; a < n; ++a) {
            for (uint32_t b = 0; b < n; ++b) next[a] += cov[a][b] * v[b];
            length += next[a] * next[a];
        }
        if (!(length > 1e-12f)) return; /* one colour: no axis */
        length = sqrtf(length);
        for (uint32_t c = 0; c < n; ++c) v[c] = next[c] / length;
    }
    for (uint32_t c = 0; c < n; ++c) axis[c] = v[c];
}

/* Endpoints at the extreme projections of the members on their principal axis, in
 * the component slots of the spec. Safe on any values. */
static void zc__bc7_axis_endpoints(const zc__bc7_set *set, const zc__bc7_spec *spec, float e[2][4]) {
    float mean[4], axis[4], lo = 0.0f, hi = 0.0f;
    zc__bc7_principal_axis(set, spec, mean, axis);
    uint32_t f = spec->first, n = spec->channels;
    for (uint32_t m = 0; m < set->count; ++m) {
        float t = 0.0f;
        for (uint32_t c = 0; c < n; ++c) t += ((float)set->px[set->members[m]][f + c] - mean[c]) * axis[c];
        if (m == 0 || t < lo) lo = t;
        if (m == 0 || t > hi) hi = t;
    }
    for (uint32_t c = 0; c < n; ++c) {
        e[0][f + c] = mean[c] + axis[c] * lo;
        e[1][f + c] = mean[c] + axis[c] * hi;
    }
}

/* Endpoints minimising the squared error for the members' current indices. Returns 0
 * (e untouched) when the indices do not determine them (all weights equal). Safe on
 * any values. */
static int zc__bc7_refit(const zc__bc7_set *set, const zc__bc7_spec *spec, const uint8_t index[16], float e[2][4]) {
    float aa = 0.0f, ab = 0.0f, bb = 0.0f, ra[4] = { 0, 0, 0, 0 }, rb[4] = { 0, 0, 0, 0 };
    uint32_t f = spec->first, n = spec->channels;
    for (uint32_t m = 0; m < set->count; ++m) {
        uint32_t texel = set->members[m];
        float w = (float)zc__bc7_weight(spec->index_bits, index[texel]) / 64.0f, v = 1.0f - w;
        aa += v * v;
        ab += v * w;
        bb += w * w;
        for (uint32_t c = 0; c < n; ++c) {
            ra[c] += v * (float)set->px[texel][f + c];
            rb[c] += w * (float)set->px[texel][f + c];
        }
    }
    float det = aa * bb - ab * ab;
    if (!(det > 1e-4f)) return 0;
    for (uint32_t c = 0; c < n; ++c) {
        e[0][f + c] = (bb * ra[c] - ab * rb[c]) / det;
        e[1][f + c] = (aa * rb[c] - ab * ra[c]) / det;
    }
    return 1;
}

/* Fit one subset: principal axis, then refits. Safe on any values. */
static void zc__bc7_fit_subset(const zc__bc7_set *set, const zc__bc7_spec *spec, zc__bc7_fit *fit) {
    float e[2][4] = { { 0, 0, 0, 0 }, { 0, 0, 0, 0 } };
    memset(fit, 0, sizeof *fit);
    fit->error = UINT32_MAX;
    zc__bc7_axis_endpoints(set, spec, e);
    zc__bc7_try_endpoints(set, spec, (const float(*)[4])e, fit);
    for (uint32_t round = 0; round < ZC__BC7_REFINE_ROUNDS && fit->error > 0; ++round) {
        if (!zc__bc7_refit(set, spec, fit->index, e)) break;
        uint32_t before = fit->error;
        zc__bc7_try_endpoints(set, spec, (const float(*)[4])e, fit);
        if (fit->error == before) break;
    }
}

/* Store a fitted subset in the block's fields: endpoints, p-bits and indices, with the
 * endpoints swapped and the indices mirrored when the anchor texel's index has its top
 * bit set (the anchor is stored one bit short). `index` is f->index or f->index2.
 * Safe on any fit. */
static void zc__bc7_store(zc_bc7_fields *f, uint32_t subset, const zc__bc7_set *set, const zc__bc7_spec *spec,
                          zc__bc7_fit *fit, uint32_t anchor, uint8_t *index) {
    uint32_t top = (1u << spec->index_bits) - 1u;
    if (fit->index[anchor & 15] > top / 2) {
        for (uint32_t c = 0; c < 4; ++c) {
            uint8_t t = fit->q[0][c];
            fit->q[0][c] = fit->q[1][c];
            fit->q[1][c] = t;
        }
        uint8_t t = fit->p[0];
        fit->p[0] = fit->p[1];
        fit->p[1] = t;
        for (uint32_t m = 0; m < set->count; ++m) fit->index[set->members[m]] = (uint8_t)(top - fit->index[set->members[m]]);
    }
    for (uint32_t e = 0; e < 2; ++e) {
        for (uint32_t c = spec->first; c < spec->first + spec->channels; ++c) f->endpoints[subset][e][c] = fit->q[e][c];
        if (spec->pbits) f->pbits[subset][e] = fit->p[e];
    }
    for (uint32_t m = 0; m < set->count; ++m) index[set->members[m]] = fit->index[set->members[m]];
}

/* ---------------------------------------------------------------------------------
 * Modes
 * ------------------------------------------------------------------------------- */

/* The members of subset s of a partition. Safe on any arguments. */
static void zc__bc7_members(const uint8_t px[16][4], uint32_t subsets, uint32_t partition, uint32_t s,
                            zc__bc7_set *set) {
    set->px = px;
    set->count = 0;
    for (uint32_t i = 0; i < 16; ++i)
        if (zc__bc7_subset(subsets, partition, i) == s) set->members[set->count++] = (uint8_t)i;
}

/* Modes with one index set (0, 1, 2, 3, 6, 7) in one partition: fills *f and returns
 * the squared error over RGBA (alpha 255 for modes without alpha). An opaque block
 * keeps alpha 255 exactly in every mode. Safe on any texels and any mode of those. */
static uint32_t zc__bc7_encode_joint(const uint8_t px[16][4], uint32_t mode, uint32_t partition, int opaque,
                                     zc_bc7_fields *f) {
    const zc_bc7_mode *m = &zc__bc7_modes[mode & 7];
    memset(f, 0, sizeof *f);
    f->mode = mode & 7;
    f->partition = partition;
    zc__bc7_spec spec = { 0, m->alpha_bits ? 4u : 3u, m->color_bits, m->endpoint_pbits ? 2u : m->shared_pbits ? 1u : 0u,
                          opaque && m->alpha_bits, m->index_bits };
    uint32_t error = 0;
    for (uint32_t s = 0; s < m->subsets; ++s) {
        zc__bc7_set set;
        zc__bc7_fit fit;
        zc__bc7_members(px, m->subsets, partition, s, &set);
        zc__bc7_fit_subset(&set, &spec, &fit);
        zc__bc7_store(f, s, &set, &spec, &fit, zc__bc7_anchor(m->subsets, partition, s), f->index);
        error += fit.error;
        if (!m->alpha_bits)
            for (uint32_t i = 0; i < set.count; ++i) {
                uint32_t d = 255u - px[set.members[i]][3];
                error += d * d;
            }
    }
    return error;
}

/* Mode 5 in rotation `rotation`: colour and alpha fitted apart, each with its own
 * 2-bit indices, the rotated channel stored as alpha. Safe on any texels. */
static uint32_t zc__bc7_encode_mode5(const uint8_t px[16][4], uint32_t rotation, zc_bc7_fields *f) {
    uint8_t turned[16][4];
    memcpy(turned, px, sizeof turned);
    if (rotation)
        for (uint32_t i = 0; i < 16; ++i) {
            turned[i][3] = px[i][rotation - 1];
            turned[i][rotation - 1] = px[i][3];
        }
    memset(f, 0, sizeof *f);
    f->mode = 5;
    f->rotation = rotation;
    const zc__bc7_spec color = { 0, 3, 7, 0, 0, 2 }, alpha = { 3, 1, 8, 0, 0, 2 };
    zc__bc7_set set;
    zc__bc7_members((const uint8_t(*)[4])turned, 1, 0, 0, &set);
    zc__bc7_fit fit_color, fit_alpha;
    zc__bc7_fit_subset(&set, &color, &fit_color);
    zc__bc7_fit_subset(&set, &alpha, &fit_alpha);
    zc__bc7_store(f, 0, &set, &color, &fit_color, 0, f->index);
    zc__bc7_store(f, 0, &set, &alpha, &fit_alpha, 0, f->index2);
    return fit_color.error + fit_alpha.error;
}

/* Sums of a set of texels for the partition estimate: count, components, and their
 * products (upper triangle, row-major), 15 used of 16. */
typedef struct zc__bc7_moments {
    float v[16];
} zc__bc7_moments;

/* One texel's moments over `channels` components. Safe on any values. */
static void zc__bc7_texel_moments(const uint8_t *t, uint32_t channels, zc__bc7_moments *mo) {
    memset(mo, 0, sizeof *mo);
    mo->v[0] = 1.0f;
    for (uint32_t a = 0, k = 5; a < channels; ++a) {
        mo->v[1 + a] = (float)t[a];
        for (uint32_t b = a; b < channels; ++b, ++k) mo->v[k] = (float)t[a] * (float)t[b];
    }
}

/* Sum of the squared distances of a set's texels to their principal axis, from its
 * moments: the covariance's trace less its largest eigenvalue (power iteration).
 * Safe on any moments. */
static float zc__bc7_line_residual(const zc__bc7_moments *mo, uint32_t channels) {
    float n = mo->v[0];
    if (!(n > 0.5f)) return 0.0f;
    float cov[4][4], trace = 0.0f;
    for (uint32_t a = 0, k = 5; a < channels; ++a)
        for (uint32_t b = a; b < channels; ++b, ++k) cov[a][b] = cov[b][a] = mo->v[k] - mo->v[1 + a] * mo->v[1 + b] / n;
    uint32_t widest = 0;
    for (uint32_t c = 0; c < channels; ++c) {
        trace += cov[c][c];
        if (cov[c][c] > cov[widest][widest]) widest = c;
    }
    if (!(cov[widest][widest] > 1e-3f)) return 0.0f; /* one colour */
    float v[4] = { 0, 0, 0, 0 };
    for (uint32_t c = 0; c < channels; ++c) v[c] = cov[widest][c] / cov[widest][widest];
    for (uint32_t step = 0; step < ZC__BC7_POWER_STEPS; ++step) { /* scaled by the largest component */
        float next[4] = { 0, 0, 0, 0 }, big = 0.0f;
        for (uint32_t a = 0; a < channels; ++a) {
            for (uint32_t b = 0; b < channels; ++b) next[a] += cov[a][b] * v[b];
            if (fabsf(next[a]) > big) big = fabsf(next[a]);
        }
        if (!(big > 1e-12f)) return 0.0f;
        for (uint32_t c = 0; c < channels; ++c) v[c] = next[c] / big;
    }
    float vv = 0.0f, vcv = 0.0f; /* Rayleigh quotient: the eigenvalue of v */
    for (uint32_t a = 0; a < channels; ++a) {
        vv += v[a] * v[a];
        for (uint32_t b = 0; b < channels; ++b) vcv += v[a] * cov[a][b] * v[b];
    }
    float residual = trace - vcv / vv;
    return residual > 0.0f ? residual : 0.0f;
}

/* How far the two subsets of a partition lie from a line each: the sum over both of
 * the squared distances of their texels to their principal axis. `texel` holds each
 * texel's moments and `all` their sum. Safe on any moments. */
static float zc__bc7_partition_estimate(const zc__bc7_moments texel[16], const zc__bc7_moments *all,
                                        uint32_t partition, uint32_t channels) {
    zc__bc7_moments one, zero;
    memset(&one, 0, sizeof one);
    for (uint32_t mask = zc__bc7_partition2[partition & 63], i = 0; mask; mask >>= 1, ++i)
        if (mask & 1u)
            for (uint32_t k = 0; k < 16; ++k) one.v[k] += texel[i].v[k];
    for (uint32_t k = 0; k < 16; ++k) zero.v[k] = all->v[k] - one.v[k];
    return zc__bc7_line_residual(&zero, channels) + zc__bc7_line_residual(&one, channels);
}

/* The ZC__BC7_PARTITIONS_TRIED partitions with the smallest estimates, best first
 * (ties to the lower number). Safe on any texels. */
static void zc__bc7_rank_partitions(const uint8_t px[16][4], uint32_t channels,
                                    uint32_t best[ZC__BC7_PARTITIONS_TRIED]) {
    float score[ZC__BC7_PARTITIONS_TRIED];
    uint32_t kept = 0;
    zc__bc7_moments texel[16], all;
    memset(&all, 0, sizeof all);
    for (uint32_t i = 0; i < 16; ++i) {
        zc__bc7_texel_moments(px[i], channels, &texel[i]);
        for (uint32_t k = 0; k < 16; ++k) all.v[k] += texel[i].v[k];
    }
    for (uint32_t p = 0; p < 64; ++p) {
        float e = zc__bc7_partition_estimate(texel, &all, p, channels);
        uint32_t at = kept;
        while (at > 0 && e < score[at - 1]) at--;
        if (at >= ZC__BC7_PARTITIONS_TRIED) continue;
        uint32_t end = kept < ZC__BC7_PARTITIONS_TRIED ? kept : ZC__BC7_PARTITIONS_TRIED - 1;
        for (uint32_t k = end; k > at; --k) {
            score[k] = score[k - 1];
            best[k] = best[k - 1];
        }
        score[at] = e;
        best[at] = p;
        if (kept < ZC__BC7_PARTITIONS_TRIED) kept++;
    }
}

/* Keep a candidate when it beats the best so far. */
static void zc__bc7_keep(const zc_bc7_fields *candidate, uint32_t error, zc_bc7_fields *best, uint32_t *best_error) {
    if (error < *best_error) {
        *best = *candidate;
        *best_error = error;
    }
}

/* Safe on any texels; thread-safe; no allocation. */
void zc_bc7_encode_block(const uint8_t rgba[64], uint8_t block[16]) {
    uint8_t px[16][4];
    memcpy(px, rgba, sizeof px);
    const uint8_t(*texels)[4] = (const uint8_t(*)[4])px;
    int opaque = 1;
    for (uint32_t i = 0; i < 16; ++i) opaque &= px[i][3] == 255;

    zc_bc7_fields best, trial;
    uint32_t best_error = UINT32_MAX;
    zc__bc7_keep(&trial, zc__bc7_encode_joint(texels, 6, 0, opaque, &trial), &best, &best_error);
    if (best_error > ZC__BC7_GOOD_ENOUGH) {
        uint32_t partitions[ZC__BC7_PARTITIONS_TRIED];
        zc__bc7_rank_partitions(texels, opaque ? 3 : 4, partitions);
        if (opaque) {
            for (uint32_t k = 0; k < ZC__BC7_PARTITIONS_TRIED && best_error > 0; ++k) {
                zc__bc7_keep(&trial, zc__bc7_encode_joint(texels, 1, partitions[k], 1, &trial), &best, &best_error);
                if (k < ZC__BC7_MODE3_PARTITIONS)
                    zc__bc7_keep(&trial, zc__bc7_encode_joint(texels, 3, partitions[k], 1, &trial), &best, &best_error);
            }
        } else {
            for (uint32_t rotation = 0; rotation < 4 && best_error > 0; ++rotation)
                zc__bc7_keep(&trial, zc__bc7_encode_mode5(texels, rotation, &trial), &best, &best_error);
            for (uint32_t k = 0; k < ZC__BC7_PARTITIONS_TRIED && best_error > 0; ++k)
                zc__bc7_keep(&trial, zc__bc7_encode_joint(texels, 7, partitions[k], 0, &trial), &best, &best_error);
        }
    }
    zc__bc7_pack(&best, block);
}

/* The encoder of the BC7 pixel-format rows (zc_pixel_formats.c). */
static void zc__bc7_level_block(uint8_t *rgba, uint8_t *dst) {
    zc_bc7_encode_block(rgba, dst);
}

void zc__encode_bc7(const zc_texels *img, uint8_t *dst, uint32_t row_pitch) {
    zc__texture_encode_blocks(img, 16, zc__bc7_level_block, dst, row_pitch);
}
