/* zc_hash.c - XXH3-64 of long inputs (the TOC checksum, content hashes) on the widest
 * vector unit the CPU offers.
 *
 * The runtime is built for the x86-64 baseline (SSE2), where XXH3 runs at about
 * 18 GB/s here. Copies compiled for AVX2 (about 44 GB/s from 1 KiB, 50 GB/s on long
 * inputs) and AVX-512F (about 54 GB/s at 4 KiB, 70 GB/s from 16 KiB; slower than AVX2
 * below 4 KiB) are chosen at run time by the input's size and what the CPU has. All
 * compute the same function: XXH3's result does not depend on the vector unit. Inputs
 * of up to 240 bytes take XXH3's scalar paths whatever the copy. Other compilers and
 * architectures use the baseline copy.
 */
#include "zc_hash.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

_Static_assert(sizeof(XXH3_state_t) <= sizeof(zc__xxh3_state), "zc__xxh3_state holds an XXH3 state");
_Static_assert(_Alignof(XXH3_state_t) <= 64, "zc__xxh3_state is aligned for an XXH3 state");

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define ZC__HASH_X86 1
uint64_t zc__xxh3_avx2(const void *data, size_t size); /* zc_hash_avx2.c */
void zc__xxh3_update_avx2(void *state, const void *data, size_t size);
uint64_t zc__xxh3_avx512(const void *data, size_t size); /* zc_hash_avx512.c */
void zc__xxh3_update_avx512(void *state, const void *data, size_t size);
#else
#define ZC__HASH_X86 0
#endif

/* Sizes from which the wider copies are faster (measured on the inputs' sizes above). */
#define ZC__HASH_AVX2_FROM 256
#define ZC__HASH_AVX512_FROM 4096

#if ZC__HASH_X86
/* Which copy hashes `size` bytes: 0 baseline, 2 AVX2, 5 AVX-512F. */
static int zc__hash_unit(size_t size) {
    if (size >= ZC__HASH_AVX512_FROM && __builtin_cpu_supports("avx512f")) return 5;
    if (size >= ZC__HASH_AVX2_FROM && __builtin_cpu_supports("avx2")) return 2;
    return 0;
}
#endif

uint64_t zc__xxh3(const void *data, size_t size) {
#if ZC__HASH_X86
    switch (zc__hash_unit(size)) {
    case 5: return zc__xxh3_avx512(data, size);
    case 2: return zc__xxh3_avx2(data, size);
    default: break;
    }
#endif
    return XXH3_64bits(data, size);
}

void zc__xxh3_reset(zc__xxh3_state *state) { XXH3_64bits_reset((XXH3_state_t *)(void *)state->bytes); }

void zc__xxh3_update(zc__xxh3_state *state, const void *data, size_t size) {
#if ZC__HASH_X86
    switch (zc__hash_unit(size)) {
    case 5: zc__xxh3_update_avx512(state->bytes, data, size); return;
    case 2: zc__xxh3_update_avx2(state->bytes, data, size); return;
    default: break;
    }
#endif
    XXH3_64bits_update((XXH3_state_t *)(void *)state->bytes, data, size);
}

uint64_t zc__xxh3_digest(const zc__xxh3_state *state) {
    return XXH3_64bits_digest((const XXH3_state_t *)(const void *)state->bytes);
}
