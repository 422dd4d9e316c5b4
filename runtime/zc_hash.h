/* zc_hash.h - XXH3-64 for long inputs, on the widest vector unit available (internal). */
#ifndef ZC_HASH_H
#define ZC_HASH_H

#include <stddef.h>
#include <stdint.h>

/* XXH3_64bits(data, size), seed 0: the same value on every CPU, faster on long inputs
 * where AVX2 exists. Pure; any thread. */
uint64_t zc__xxh3(const void *data, size_t size);

#endif /* ZC_HASH_H */
