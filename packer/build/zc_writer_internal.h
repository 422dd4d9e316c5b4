/* zc_writer_internal.h - what the parts of the writer share (zc_writer.c,
 * zc_writer_compress.c, zc_writer_finish.c): its state and helpers. */
#ifndef ZC_WRITER_INTERNAL_H
#define ZC_WRITER_INTERNAL_H

#define XXH_INLINE_ALL
#include <xxhash.h>
#include <zdict.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zc_writer.h"
#include "zc_packer_sys.h"

#define ZC__WBUF_SIZE   (64u * 1024u)   /* sequential output buffer */
#define ZC__WRITEBACK_STEP ((uint64_t)8 << 20) /* written bytes handed to writeback at a time */
#define ZC__CMP_CHUNK   (256u * 1024u)  /* each of the two buffers comparing twins; also one
                                           seekable frame's raw bytes read back */

/* A small candidate held in memory for dictionary training until finish. */
typedef struct zc__deferred {
    uint32_t index;             /* its record */
    uint32_t type;
    uint8_t *data;              /* malloc'd raw bytes */
    size_t size;
} zc__deferred;

struct zc_writer {
    char *path;                 /* output path */
    char *tmp_path;             /* <dir>/.zc-<pid>-<random>.tmp (zc_tmpfile.h) */
    int fd;                     /* temporary file, -1 once closed */
    zc_logger logger;
    int no_verify, no_sync;
    zc_result broken;           /* sticky: set by a failed write; every later call fails */
    uint32_t header_size;       /* sizeof(zc_header), or ZC_SIGNED_HEADER_SIZE when signing */
    int sign;                   /* sign_key holds the key to sign with */
    zc_secret_key sign_key;     /* copy of desc.sign_key; wiped by zc_writer_abort */

    uint64_t pos;               /* logical end of the file, buffered bytes included */
    uint64_t end;               /* highest offset + size any record needs (>= pos) */
    uint64_t writeback_end;     /* file bytes [0, writeback_end) were handed to writeback */
    uint8_t *wbuf;              /* ZC__WBUF_SIZE bytes not yet written */
    size_t wlen;

    zc_toc_entry *recs;         /* in begin_entry order until finish sorts them */
    uint32_t count, cap;
    char *paths;                /* arena: every path followed by its NUL */
    uint64_t paths_size, paths_cap;
    uint64_t *deps;
    uint32_t dep_count, dep_cap;

    uint32_t *ids;              /* open addressing: record index + 1, 0 = empty */
    uint32_t ids_cap, ids_used;
    uint32_t *twins;            /* open addressing over content hashes of stored payloads */
    uint32_t twins_cap, twins_used;

    int open_entry;             /* the last record is being written */
    uint64_t pad_start;         /* pos when the open entry began */
    uint64_t pad_pending;       /* zero bytes still owed before the entry's first byte */
    XXH3_state_t *hash;         /* content hash of the open entry */
    uint8_t *cmp_a, *cmp_b;     /* comparison buffers, allocated at the first twin */

    zc_writer_compress_fn compress; /* compression policy; NULL: none */
    void *compress_user_data;
    int level;                  /* resolved compress_level */
    int large_level;            /* level of spilled candidates: compress_level when set,
                                   else ZC_WRITER_LARGE_LEVEL (zc_writer.h) */
    uint32_t min_saving;        /* resolved min_saving_percent */
    int dictionaries;
    int single_frame;           /* desc.single_frame: no seekable entries */
    int candidate;              /* the open entry may be stored compressed */
    int spilled;                /* ... and outgrew w->raw: its bytes went to the file */
    uint8_t *raw;               /* raw bytes of the open candidate while in memory */
    size_t raw_len, raw_cap;
    uint32_t threads;           /* desc.threads, at least 1 */
    struct zc__frame_slot *slots; /* one per thread, at most 64, made at the first
                                   streamed seekable candidate when threads > 1
                                   (zc_writer_compress.c) */
    ZSTD_CCtx *cctx;            /* created at the first compression */
    uint8_t *zbuf;              /* compressed output */
    size_t zbuf_cap;
    zc__deferred *deferred;     /* small candidates held for dictionaries */
    uint32_t deferred_count, deferred_cap;
    uint64_t deferred_bytes;
};

/* zc_writer_compress.c: free w->slots. */
void zc__writer_free_slots(zc_writer *w);

/* zc_writer.c */
uint64_t zc__writer_align_up(uint64_t value, uint64_t alignment);
zc_result zc__writer_emit(zc_writer *w, const void *data, size_t size);
zc_result zc__writer_emit_hashed(zc_writer *w, XXH3_state_t *state, const void *data, size_t size);
zc_result zc__writer_emit_zeros(zc_writer *w, uint64_t count);
zc_result zc__writer_flush(zc_writer *w);
zc_result zc__writer_io_fail(zc_writer *w, const char *what, int err);
zc_result zc__writer_oom(zc_writer *w, const char *what);
zc_result zc__writer_pread_all(zc_writer *w, void *data, size_t size, uint64_t offset);
zc_result zc__writer_pwrite_all(zc_writer *w, const void *data, size_t size, uint64_t offset);
const char *zc__writer_rec_path(const zc_writer *w, const zc_toc_entry *rec);
zc_result zc__writer_share_or_keep(zc_writer *w, uint32_t index);
#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 3, 4)))
#endif
void zc__writer_wlog(const zc_writer *w, zc_log_level level, const char *fmt, ...);

/* zc_writer_compress.c */
void zc__writer_begin_candidate(zc_writer *w, const char *path, uint32_t type);
zc_result zc__writer_end_candidate(zc_writer *w, uint32_t index);
zc_result zc__writer_raw_append(zc_writer *w, const void *data, size_t size);
zc_result zc__writer_spill(zc_writer *w);
zc_result zc__writer_store(zc_writer *w, uint32_t index, const uint8_t *bytes, uint64_t len, zc_codec codec);
zc_result zc__writer_write_deferred(zc_writer *w);

#endif /* ZC_WRITER_INTERNAL_H */
