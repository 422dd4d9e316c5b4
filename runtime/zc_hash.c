/* zc_hash.c - XXH3-64 of long inputs (the TOC checksum, content hashes) on the widest
 * vector unit the CPU offers.
 *
 * The runtime is built for the x86-64 baseline (SSE2), where XXH3 runs at about
 * 17 GB/s here; the AVX2 copy below runs at about 50 GB/s and is chosen at run time
 * when the CPU has AVX2. Both compute the same function: XXH3's result does not depend
 * on the vector unit. Other compilers and architectures use the baseline copy.
 */
#include "zc_hash.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

_Static_assert(sizeof(XXH3_state_t) <= sizeof(zc__xxh3_state), "zc__xxh3_state holds an XXH3 state");
_Static_assert(_Alignof(XXH3_state_t) <= 64, "zc__xxh3_state is aligned for an XXH3 state");

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define ZC__HASH_AVX2 1
uint64_t zc__xxh3_avx2(const void *data, size_t size); /* zc_hash_avx2.c */
void zc__xxh3_update_avx2(void *state, const void *data, size_t size);
#else
#define ZC__HASH_AVX2 0
#endif

uint64_t zc__xxh3(const void *data, size_t size) {
#if ZC__HASH_AVX2
    if (size >= 4096 && __builtin_cpu_supports("avx2")) return zc__xxh3_avx2(data, size);
#endif
    return XXH3_64bits(data, size);
}

void zc__xxh3_reset(zc__xxh3_state *state) { XXH3_64bits_reset((XXH3_state_t *)(void *)state->bytes); }

void zc__xxh3_update(zc__xxh3_state *state, const void *data, size_t size) {
#if ZC__HASH_AVX2
    if (size >= 4096 && __builtin_cpu_supports("avx2")) {
        zc__xxh3_update_avx2(state->bytes, data, size);
        return;
    }
#endif
    XXH3_64bits_update((XXH3_state_t *)(void *)state->bytes, data, size);
}

uint64_t zc__xxh3_digest(const zc__xxh3_state *state) {
    return XXH3_64bits_digest((const XXH3_state_t *)(const void *)state->bytes);
}
