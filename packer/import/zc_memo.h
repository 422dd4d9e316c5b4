/* zc_memo.h - bytes a build's workers worked out, by a key of what they were worked out
 * from (internal to the build and its importers).
 *
 * A tree often holds the same bytes under several names: a file copied into several
 * folders, a symbolic link followed (--follow-links). The writer stores such twins
 * once, but only after each was imported and compressed. A memo lets the first worker
 * leave its result and the others copy it. The build keeps two: stored forms of
 * payloads by their raw bytes (the stored form depends on nothing but the raw bytes
 * and the writer's settings, zc_writer_encode), and the outputs of imports whose
 * result depends only on the source's bytes, the import settings and what the
 * importer reads of the name (zc_import_source.twins). Either way the pack is byte for
 * byte the same with or without the memo.
 *
 * Keys are XXH3-128 with the size of the bytes: a pack's own content hash is 64 bits,
 * too few to trust a match that no byte comparison confirms. The copies live until
 * the memo is destroyed, bounded by its byte budget (past it nothing more is kept,
 * and later twins are worked out again).
 *
 * Threads: any number at once; one mutex guards the table, held for a lookup or an
 * insertion, never while bytes are copied in or out.
 */
#ifndef ZC_MEMO_H
#define ZC_MEMO_H

#include <stddef.h>
#include <stdint.h>

typedef struct zc__memo zc__memo;

/* A memo that keeps at most `budget` bytes. NULL when out of memory (its users then
 * work everything out themselves). */
zc__memo *zc__memo_create(uint64_t budget);
void zc__memo_destroy(zc__memo *m);

/* The key of `size` bytes worked out from `raw` alone. Pure. */
typedef struct zc__memo_key {
    uint64_t low, high, size;
} zc__memo_key;
zc__memo_key zc__memo_key_of(const void *raw, size_t size);

/* The key of `size` bytes at `raw` read with `context_size` bytes of context (the
 * settings and name facts an import depends on). Pure. */
zc__memo_key zc__memo_key_with(const void *context, size_t context_size, const void *raw, size_t size);

/* 1 and what was kept for this key: *tag, and [*bytes, *bytes + *size), owned by the
 * memo and valid until it is destroyed (NULL and 0 when only a tag was kept). 0 when
 * nothing is known. */
int zc__memo_find(zc__memo *m, const zc__memo_key *key, uint32_t *tag, const void **bytes, size_t *size);

/* Keep `tag` and a copy of `size` bytes (NULL and 0: the tag alone) for this key,
 * while the budget allows; the first kept for a key stays. */
void zc__memo_put(zc__memo *m, const zc__memo_key *key, uint32_t tag, const void *bytes, size_t size);

/* Lookups that found something. */
uint32_t zc__memo_reused(zc__memo *m);

#endif /* ZC_MEMO_H */
