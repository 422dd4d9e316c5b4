/* zc_hash_avx2.c - the AVX2 copy of XXH3-64 that zc_hash.c calls when the CPU has AVX2.
 * This file alone is compiled for AVX2 (the pragma below); nothing else may call it. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#pragma GCC target("avx2")
#include <stddef.h>
#include <stdint.h>

#define XXH_INLINE_ALL
#define XXH_VECTOR XXH_AVX2
#include <xxhash.h>

uint64_t zc__xxh3_avx2(const void *data, size_t size);
uint64_t zc__xxh3_avx2(const void *data, size_t size) { return XXH3_64bits(data, size); }

void zc__xxh3_update_avx2(void *state, const void *data, size_t size);
void zc__xxh3_update_avx2(void *state, const void *data, size_t size) {
    XXH3_64bits_update((XXH3_state_t *)state, data, size);
}
#else
typedef int zc__hash_avx2_unused; /* ISO C forbids an empty translation unit */
#endif
