/* bench_build_profile.h - bench_build's CPU profile: builds of the mixed tree under
 * `perf record --call-graph dwarf`, each sample charged to the innermost library
 * encode/decode call on its stack or to the time outside them (bench_build.c says how,
 * and reports it).
 */
#ifndef BENCH_BUILD_PROFILE_H
#define BENCH_BUILD_PROFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ZCPACK "bin/release/zcpack"
/* Samples per second of the CPU profile: about 2,000 samples over the mixed tree's
 * build, so a share of 15 % is known to within about 1 % (at 499 Hz the same build
 * gave 500 samples and shares that moved by 3 % between runs). */
#define PROFILE_HZ 1999
#define PROFILE_BUILDS 3 /* builds profiled one after another, their samples summed */

/* snprintf that refuses to cut a path short. */
#define PATH_PRINTF(buf, ...)                                                                  \
    do {                                                                                       \
        int n_ = snprintf((buf), sizeof(buf), __VA_ARGS__);                                    \
        if (n_ < 0 || (size_t)n_ >= sizeof(buf)) zc_bench_fatal("path too long: %s", (buf)); \
    } while (0)

enum {
    CAT_STB_DECODE,
    CAT_BLOCK_ENCODE,
    CAT_ASSIMP,
    CAT_MESHOPT,
    CAT_ZSTD,
    CAT_XXH3,
    CAT_OTHER_CODEC,
    CAT_MIP_FILTER, /* zcpack's own pixel pass: counted both ways in the report */
    CAT_LIBRARY_COUNT,
    CAT_OUTSIDE = CAT_LIBRARY_COUNT,
    CAT_COUNT
};

extern const char *const cat_names[CAT_COUNT];

typedef struct outside_sym {
    char name[96];
    double weight;
} outside_sym;

typedef struct profile {
    int ran;                    /* 1: the figures below are measured */
    char why_not[256];          /* else: why not */
    double weight[CAT_COUNT];   /* sample periods (ns of CPU time) */
    double total;               /* of the samples charged above */
    double unwound_not;         /* samples left out: no library frame, and a stack perf
                                   could not follow to its thread's start */
    uint64_t unwound_not_samples;
    uint64_t samples;
    outside_sym top[512];       /* leaf symbols of the samples outside, by weight */
    size_t top_count;
    double wall;                /* of the profiled build */
} profile;

/* The figures of one profile: outside the calls with mip filtering as encoding, with
 * it outside too, and the bound where every sample left out lay outside. */
typedef struct shares {
    double outside, with_mips, at_most, left_out;
} shares;

/* The profile's builds (PROFILE_BUILDS of the tree `mixed`, scratch files in `work`):
 * in_process 0, `zcpack build` through sh; 1, zc_build in `bench_build --profile-child`.
 * p->ran says whether it was measured, p->why_not why not. */
void profile_build(const char *work, const char *mixed, uint32_t threads, int in_process, profile *p);

/* The figures of a profile; zeros when it did not run. */
shares profile_shares(const profile *p);

#endif
