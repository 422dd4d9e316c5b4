/* zc_hash_avx512.c - the AVX-512 copy of XXH3-64 that zc_hash.c calls for long inputs
 * when the CPU (and the kernel) have AVX-512F. This file alone is compiled for
 * AVX-512F (the pragma below); nothing else may call it. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#pragma GCC target("avx512f")
#include <stddef.h>
#include <stdint.h>

#define XXH_INLINE_ALL
#define XXH_VECTOR XXH_AVX512
#include <xxhash.h>

uint64_t zc__xxh3_avx512(const void *data, size_t size);
uint64_t zc__xxh3_avx512(const void *data, size_t size) { return XXH3_64bits(data, size); }

void zc__xxh3_update_avx512(void *state, const void *data, size_t size);
void zc__xxh3_update_avx512(void *state, const void *data, size_t size) {
    XXH3_64bits_update((XXH3_state_t *)state, data, size);
}
#else
typedef int zc__hash_avx512_unused; /* ISO C forbids an empty translation unit */
#endif
