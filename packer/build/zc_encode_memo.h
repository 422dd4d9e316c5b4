/* zc_encode_memo.h - stored forms a build's workers computed, by the raw bytes they
 * came from (internal to the build).
 *
 * A tree often holds the same bytes under several names: a file copied into several
 * folders, a symbolic link followed (--follow-links). The writer stores such twins
 * once, but only after each was compressed; with the memo, the first worker to
 * compress a payload leaves its stored form here and the others copy it. The stored
 * form of a candidate depends on nothing but its raw bytes and the writer's settings
 * (zc_writer_encode), so the pack is byte for byte the same with or without the memo.
 *
 * Keys are XXH3-128 of the raw bytes with their size: a pack's own content hash is 64
 * bits, too few to trust a match that no byte comparison confirms. The stored copies
 * live until the memo is destroyed, bounded by its byte budget (past it nothing more
 * is kept, and later twins are compressed again).
 *
 * Threads: any number at once; one mutex guards the table, held for a lookup or an
 * insertion, never while bytes are compressed or copied out.
 */
#ifndef ZC_ENCODE_MEMO_H
#define ZC_ENCODE_MEMO_H

#include <stddef.h>
#include <stdint.h>

#include "zc_pack.h"

typedef struct zc__encode_memo zc__encode_memo;

/* A memo that keeps at most `budget` bytes of stored forms. NULL when out of memory
 * (the build then compresses every payload itself). */
zc__encode_memo *zc__encode_memo_create(uint64_t budget);
void zc__encode_memo_destroy(zc__encode_memo *m);

/* The key of `size` raw bytes. Pure. */
typedef struct zc__encode_key {
    uint64_t low, high, size;
} zc__encode_key;
zc__encode_key zc__encode_key_of(const void *raw, size_t size);

/* 1 and the stored form of an earlier payload with this key: *codec, and
 * [*stored, *stored + *stored_size), owned by the memo and valid until it is
 * destroyed (NULL with ZC_CODEC_NONE: the payload stays raw). 0 when none is known. */
int zc__encode_memo_find(zc__encode_memo *m, const zc__encode_key *key, zc_codec *codec, const void **stored,
                         size_t *stored_size);

/* Keep the stored form of the payload with this key (a copy), while the budget
 * allows; with ZC_CODEC_NONE only the fact that it stays raw. */
void zc__encode_memo_put(zc__encode_memo *m, const zc__encode_key *key, zc_codec codec, const void *stored,
                         size_t stored_size);

/* Payloads whose stored form was found here instead of computed. */
uint32_t zc__encode_memo_reused(zc__encode_memo *m);

#endif /* ZC_ENCODE_MEMO_H */
