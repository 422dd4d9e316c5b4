/* zc_hash.h - XXH3-64 for long inputs, on the widest vector unit available (internal). */
#ifndef ZC_HASH_H
#define ZC_HASH_H

#include <stddef.h>
#include <stdint.h>

/* XXH3_64bits(data, size), seed 0: the same value on every CPU, faster on long inputs
 * where AVX2 exists. Pure; any thread. */
uint64_t zc__xxh3(const void *data, size_t size);

/* The same hash of bytes fed in pieces: reset, update with each piece in order, digest.
 * The state is the caller's (on the stack is fine); one thread at a time per state. */
typedef struct zc__xxh3_state {
    _Alignas(64) unsigned char bytes[640];
} zc__xxh3_state;
void zc__xxh3_reset(zc__xxh3_state *state);
void zc__xxh3_update(zc__xxh3_state *state, const void *data, size_t size);
uint64_t zc__xxh3_digest(const zc__xxh3_state *state);

#endif /* ZC_HASH_H */
