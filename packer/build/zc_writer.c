/* zc_writer.c - the pack writer (packer/build/zc_writer.h).
 *
 * File layout produced, in this order:
 *   [0, 128)            header, written last (a zeroed placeholder until finish)
 *   payloads            each at the next multiple of its alignment, zero padding between
 *   TOC                 16-byte aligned after the last payload: zc_toc_header, records
 *                       sorted by id, dependency ids (per record, in add_dep order),
 *                       string table (paths with their NUL, in record order)
 *
 * Records keep, until finish, offsets into the writer's own path arena and dependency
 * array (path_offset, deps_first); finish rewrites both into TOC order as it streams.
 * Every system call goes through zc__packer_sys so tests can inject failures.
 *
 * Compression (section "Compression") hooks into begin/write/end: a candidate's bytes
 * go to w->raw instead of the file until end_entry decides what is stored.
 */
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
#define ZC__CMP_CHUNK   (256u * 1024u)  /* each of the two buffers comparing twins */
#define ZC__TMP_TRIES   1000u           /* temporary names tried before giving up */
#define ZC__HEADER_SIZE ((uint64_t)sizeof(zc_header))

/* A small candidate held in memory for dictionary training until finish. */
typedef struct zc__deferred {
    uint32_t index;             /* its record */
    uint32_t type;
    uint8_t *data;              /* malloc'd raw bytes */
    size_t size;
} zc__deferred;

struct zc_writer {
    char *path;                 /* output path */
    char *tmp_path;             /* path.tmp-<pid>-<n> */
    int fd;                     /* temporary file, -1 once closed */
    zc_logger logger;
    int no_verify, no_sync;
    zc_result broken;           /* sticky: set by a failed write; every later call fails */

    uint64_t pos;               /* logical end of the file, buffered bytes included */
    uint64_t end;               /* highest offset + size any record needs (>= pos) */
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
    uint32_t min_saving;        /* resolved min_saving_percent */
    int dictionaries;
    int candidate;              /* the open entry may be stored compressed */
    int spilled;                /* ... and outgrew w->raw: its bytes went to the file */
    uint8_t *raw;               /* raw bytes of the open candidate while in memory */
    size_t raw_len, raw_cap;
    ZSTD_CCtx *cctx;            /* created at the first compression */
    uint8_t *zbuf;              /* compressed output */
    size_t zbuf_cap;
    zc__deferred *deferred;     /* small candidates held for dictionaries */
    uint32_t deferred_count, deferred_cap;
    uint64_t deferred_bytes;
};

static void zc__begin_candidate(zc_writer *w, const char *path, uint32_t type);
static zc_result zc__raw_append(zc_writer *w, const void *data, size_t size);
static zc_result zc__spill(zc_writer *w);
static zc_result zc__end_candidate(zc_writer *w, uint32_t index);
static zc_result zc__write_deferred(zc_writer *w);

/* ---------------------------------------------------------------------------------
 * Logging and I/O helpers
 * ------------------------------------------------------------------------------- */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void zc__wlog(const zc_writer *w, zc_log_level level, const char *fmt, ...) {
    if (!w->logger.func) return;
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    w->logger.func(level, line, w->logger.user_data);
}

static zc_result zc__io_fail(zc_writer *w, const char *what, int err) {
    zc__wlog(w, ZC_LOG_ERROR, "%s: cannot %s: %s", w->tmp_path, what, strerror(err));
    w->broken = ZC_ERR_IO;
    return ZC_ERR_IO;
}

static zc_result zc__oom(zc_writer *w, const char *what) {
    zc__wlog(w, ZC_LOG_ERROR, "%s: out of memory for %s", w->path, what);
    return ZC_ERR_OUT_OF_MEMORY;
}

static uint64_t zc__align_up(uint64_t value, uint64_t alignment) {
    return (value + alignment - 1) & ~(alignment - 1);
}

/* Write all `size` bytes at the file position, retrying short writes and EINTR. */
static zc_result zc__write_all(zc_writer *w, const void *data, size_t size) {
    const uint8_t *p = (const uint8_t *)data;
    while (size > 0) {
        ssize_t n = zc__packer_sys.write(w->fd, p, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return zc__io_fail(w, "write", errno);
        }
        if (n == 0) return zc__io_fail(w, "write", EIO);
        p += n;
        size -= (size_t)n;
    }
    return ZC_OK;
}

static zc_result zc__pwrite_all(zc_writer *w, const void *data, size_t size, uint64_t offset) {
    const uint8_t *p = (const uint8_t *)data;
    while (size > 0) {
        ssize_t n = zc__packer_sys.pwrite(w->fd, p, size, (off_t)offset);
        if (n < 0) {
            if (errno == EINTR) continue;
            return zc__io_fail(w, "write", errno);
        }
        if (n == 0) return zc__io_fail(w, "write", EIO);
        p += n;
        size -= (size_t)n;
        offset += (uint64_t)n;
    }
    return ZC_OK;
}

static zc_result zc__pread_all(zc_writer *w, void *data, size_t size, uint64_t offset) {
    uint8_t *p = (uint8_t *)data;
    while (size > 0) {
        ssize_t n = zc__packer_sys.pread(w->fd, p, size, (off_t)offset);
        if (n < 0) {
            if (errno == EINTR) continue;
            return zc__io_fail(w, "read back", errno);
        }
        if (n == 0) return zc__io_fail(w, "read back", EIO); /* the file is shorter than written */
        p += n;
        size -= (size_t)n;
        offset += (uint64_t)n;
    }
    return ZC_OK;
}

static zc_result zc__flush(zc_writer *w) {
    size_t n = w->wlen;
    w->wlen = 0;
    return n ? zc__write_all(w, w->wbuf, n) : ZC_OK;
}

/* Append bytes at pos through the output buffer. */
static zc_result zc__emit(zc_writer *w, const void *data, size_t size) {
    zc_result r = ZC_OK;
    if (w->wlen + size > ZC__WBUF_SIZE && (r = zc__flush(w)) != ZC_OK) return r;
    if (size >= ZC__WBUF_SIZE) {
        r = zc__write_all(w, data, size);
    } else {
        memcpy(w->wbuf + w->wlen, data, size);
        w->wlen += size;
    }
    if (r == ZC_OK) w->pos += size;
    return r;
}

static zc_result zc__emit_zeros(zc_writer *w, uint64_t count) {
    static const uint8_t zeros[4096];
    while (count > 0) {
        size_t n = count < sizeof zeros ? (size_t)count : sizeof zeros;
        zc_result r = zc__emit(w, zeros, n);
        if (r != ZC_OK) return r;
        count -= n;
    }
    return ZC_OK;
}

static zc_result zc__emit_hashed(zc_writer *w, XXH3_state_t *state, const void *data, size_t size) {
    XXH3_64bits_update(state, data, size);
    return zc__emit(w, data, size);
}

/* ---------------------------------------------------------------------------------
 * Hash tables (open addressing, power-of-two capacity, at most half full). Keys are
 * XXH3 values already, so their low bits index the table directly.
 * ------------------------------------------------------------------------------- */

/* Grow `*table` so one more value fits; values are re-placed by the key `key_of`
 * returns for them. */
static int zc__table_reserve(zc_writer *w, uint32_t **table, uint32_t *cap, uint32_t used,
                             uint64_t (*key_of)(const zc_writer *, uint32_t)) {
    if ((uint64_t)(used + 1) * 2 <= *cap) return 1;
    uint32_t new_cap = *cap ? *cap * 2 : 64;
    uint32_t *fresh = (uint32_t *)calloc(new_cap, sizeof *fresh);
    if (!fresh) return 0;
    for (uint32_t i = 0; i < *cap; ++i) {
        uint32_t v = (*table)[i];
        if (!v) continue;
        uint32_t s = (uint32_t)key_of(w, v - 1) & (new_cap - 1);
        while (fresh[s]) s = (s + 1) & (new_cap - 1);
        fresh[s] = v;
    }
    free(*table);
    *table = fresh;
    *cap = new_cap;
    return 1;
}

static uint64_t zc__id_of(const zc_writer *w, uint32_t index) {
    return w->recs[index].id;
}
static uint64_t zc__content_of(const zc_writer *w, uint32_t index) {
    return w->recs[index].content_hash;
}

static void zc__table_insert(uint32_t *table, uint32_t cap, uint64_t key, uint32_t index) {
    uint32_t s = (uint32_t)key & (cap - 1);
    while (table[s]) s = (s + 1) & (cap - 1);
    table[s] = index + 1;
}

/* ---------------------------------------------------------------------------------
 * Open and abort
 * ------------------------------------------------------------------------------- */

void zc_writer_abort(zc_writer *w) {
    if (!w) return;
    if (w->fd >= 0) zc__packer_sys.close(w->fd);
    if (w->tmp_path) zc__packer_sys.unlink(w->tmp_path);
    if (w->hash) XXH3_freeState(w->hash);
    free(w->path);
    free(w->tmp_path);
    free(w->wbuf);
    free(w->recs);
    free(w->paths);
    free(w->deps);
    free(w->ids);
    free(w->twins);
    free(w->cmp_a);
    free(w->cmp_b);
    free(w->raw);
    free(w->zbuf);
    ZSTD_freeCCtx(w->cctx);
    for (uint32_t i = 0; i < w->deferred_count; ++i) free(w->deferred[i].data);
    free(w->deferred);
    free(w);
}

zc_result zc_writer_open(zc_writer **out_writer, const zc_writer_desc *desc) {
    if (!out_writer) return ZC_ERR_INVALID_ARGUMENT;
    *out_writer = NULL;
    if (!desc || !desc->path || !desc->path[0]) return ZC_ERR_INVALID_ARGUMENT;
    zc_writer *w = (zc_writer *)calloc(1, sizeof *w);
    if (!w) return ZC_ERR_OUT_OF_MEMORY;
    w->fd = -1;
    w->logger = desc->logger;
    w->no_verify = desc->no_verify;
    w->no_sync = desc->no_sync;
    w->compress = desc->compress;
    w->compress_user_data = desc->compress_user_data;
    w->level = desc->compress_level ? desc->compress_level : ZC_WRITER_DEFAULT_LEVEL;
    w->min_saving = desc->min_saving_percent ? desc->min_saving_percent : ZC_WRITER_DEFAULT_MIN_SAVING;
    w->dictionaries = desc->dictionaries;
    if (w->level < 1 || w->level > ZC_WRITER_MAX_LEVEL || w->min_saving > 99) {
        zc__wlog(w, ZC_LOG_ERROR, "%s: compression level %d (1..%d) or minimum saving %u%% (1..99) out of range",
                 desc->path, w->level, ZC_WRITER_MAX_LEVEL, w->min_saving);
        zc_writer_abort(w);
        return ZC_ERR_INVALID_ARGUMENT;
    }
    if (!zc_host_is_little_endian()) {
        zc__wlog(w, ZC_LOG_ERROR, "%s: packs can only be written on a little-endian host", desc->path);
        zc_writer_abort(w);
        return ZC_ERR_ENDIAN;
    }
    size_t n = strlen(desc->path);
    size_t tmp_cap = n + 64;
    w->path = (char *)malloc(n + 1);
    w->tmp_path = (char *)malloc(tmp_cap);
    w->wbuf = (uint8_t *)malloc(ZC__WBUF_SIZE);
    w->hash = XXH3_createState();
    if (!w->path || !w->tmp_path || !w->wbuf || !w->hash) {
        free(w->tmp_path);
        w->tmp_path = NULL; /* nothing was created: abort must not unlink */
        zc_writer_abort(w);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    memcpy(w->path, desc->path, n + 1);

    /* O_EXCL makes the name ours; a name taken by another writer moves to the next. */
    long pid = (long)getpid();
    int err = 0;
    for (unsigned i = 0; i < ZC__TMP_TRIES && w->fd < 0; ++i) {
        snprintf(w->tmp_path, tmp_cap, "%s.tmp-%ld-%u", desc->path, pid, i);
        w->fd = zc__packer_sys.open(w->tmp_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        err = errno;
        if (w->fd < 0 && err != EEXIST && err != EINTR) break;
    }
    if (w->fd < 0) {
        zc__wlog(w, ZC_LOG_ERROR, "%s: cannot create: %s", w->tmp_path, strerror(err));
        free(w->tmp_path);
        w->tmp_path = NULL;
        zc_writer_abort(w);
        return ZC_ERR_IO;
    }
    zc_result r = zc__emit_zeros(w, ZC__HEADER_SIZE);
    if (r != ZC_OK) {
        zc_writer_abort(w);
        return r;
    }
    w->end = w->pos;
    *out_writer = w;
    return ZC_OK;
}

uint64_t zc_writer_bytes_written(const zc_writer *w) {
    return w ? w->pos : 0;
}

/* ---------------------------------------------------------------------------------
 * Entries
 * ------------------------------------------------------------------------------- */

static const char *zc__rec_path(const zc_writer *w, const zc_toc_entry *rec) {
    return w->paths + rec->path_offset;
}

zc_result zc_writer_begin_entry(zc_writer *w, const char *path, uint32_t type, uint32_t layout_hash,
                                uint32_t align_log2) {
    if (!w || !path) return ZC_ERR_INVALID_ARGUMENT;
    if (w->broken) return w->broken;
    if (w->open_entry) {
        zc__wlog(w, ZC_LOG_ERROR, "%s: entry \"%s\" begun while \"%s\" is still open", w->path, path,
                 zc__rec_path(w, &w->recs[w->count - 1]));
        return ZC_ERR_INVALID_ARGUMENT;
    }
    size_t len = strlen(path);
    zc_diag diag;
    if (zc_check_path(path, len, &diag) != ZC_OK) {
        zc__wlog(w, ZC_LOG_ERROR, "%s: invalid entry path \"%s\": %s", w->path, path, diag.message);
        return ZC_ERR_BAD_PATH;
    }
    if (align_log2 == 0) align_log2 = ZC_MIN_ALIGN_LOG2;
    if (align_log2 < ZC_MIN_ALIGN_LOG2 || align_log2 > ZC_MAX_ALIGN_LOG2) {
        zc__wlog(w, ZC_LOG_ERROR, "%s: entry \"%s\": alignment 2^%u outside [2^%u, 2^%u]", w->path, path,
                 align_log2, ZC_MIN_ALIGN_LOG2, ZC_MAX_ALIGN_LOG2);
        return ZC_ERR_INVALID_ARGUMENT;
    }
    if (w->count >= ZC_MAX_ENTRIES) {
        zc__wlog(w, ZC_LOG_ERROR, "%s: entry \"%s\" exceeds the limit of %u entries", w->path, path, ZC_MAX_ENTRIES);
        return ZC_ERR_LIMIT;
    }
    if (w->paths_size + len + 1 > UINT32_MAX) {
        zc__wlog(w, ZC_LOG_ERROR, "%s: entry \"%s\": the string table exceeds 4 GiB", w->path, path);
        return ZC_ERR_LIMIT;
    }

    uint64_t id = XXH3_64bits(path, len);
    if (w->ids_cap) {
        for (uint32_t s = (uint32_t)id & (w->ids_cap - 1); w->ids[s]; s = (s + 1) & (w->ids_cap - 1)) {
            const zc_toc_entry *other = &w->recs[w->ids[s] - 1];
            if (other->id != id) continue;
            if (other->path_length == len && memcmp(zc__rec_path(w, other), path, len) == 0)
                zc__wlog(w, ZC_LOG_ERROR, "%s: duplicate entry path \"%s\"", w->path, path);
            else
                zc__wlog(w, ZC_LOG_ERROR, "%s: entry paths \"%s\" and \"%s\" have the same asset id %016llx",
                         w->path, zc__rec_path(w, other), path, (unsigned long long)id);
            return ZC_ERR_INVALID_ARGUMENT;
        }
    }

    /* Reserve everything first so a failure leaves the writer unchanged. */
    if (w->count == w->cap) {
        uint32_t cap = w->cap ? w->cap * 2 : 256;
        zc_toc_entry *recs = (zc_toc_entry *)realloc(w->recs, (size_t)cap * sizeof *recs);
        if (!recs) return zc__oom(w, "entry records");
        w->recs = recs;
        w->cap = cap;
    }
    if (w->paths_size + len + 1 > w->paths_cap) {
        uint64_t cap = w->paths_cap ? w->paths_cap : 4096;
        while (cap < w->paths_size + len + 1) cap *= 2;
        char *paths = (char *)realloc(w->paths, (size_t)cap);
        if (!paths) return zc__oom(w, "entry paths");
        w->paths = paths;
        w->paths_cap = cap;
    }
    if (!zc__table_reserve(w, &w->ids, &w->ids_cap, w->ids_used, zc__id_of)) return zc__oom(w, "the id table");

    uint64_t alignment = (uint64_t)1 << align_log2;
    zc_toc_entry *rec = &w->recs[w->count];
    memset(rec, 0, sizeof *rec);
    rec->id = id;
    rec->offset = zc__align_up(w->pos, alignment);
    rec->path_offset = (uint32_t)w->paths_size;
    rec->path_length = (uint32_t)len;
    rec->type = type;
    rec->layout_hash = layout_hash;
    rec->deps_first = w->dep_count;
    rec->codec = ZC_CODEC_NONE;
    rec->align_log2 = (uint8_t)align_log2;
    memcpy(w->paths + w->paths_size, path, len + 1);
    w->paths_size += len + 1;
    zc__table_insert(w->ids, w->ids_cap, id, w->count);
    w->ids_used++;
    w->count++;

    w->open_entry = 1;
    w->pad_start = w->pos;
    w->pad_pending = rec->offset - w->pos;
    XXH3_64bits_reset(w->hash);
    zc__begin_candidate(w, path, type);
    return ZC_OK;
}

static zc_result zc__need_open_entry(zc_writer *w, const char *call) {
    if (w->broken) return w->broken;
    if (!w->open_entry) {
        zc__wlog(w, ZC_LOG_ERROR, "%s: %s called with no entry open", w->path, call);
        return ZC_ERR_INVALID_ARGUMENT;
    }
    return ZC_OK;
}

zc_result zc_writer_write(zc_writer *w, const void *data, size_t size) {
    if (!w || (!data && size)) return ZC_ERR_INVALID_ARGUMENT;
    zc_result r = zc__need_open_entry(w, "zc_writer_write");
    if (r != ZC_OK || size == 0) return r;
    zc_toc_entry *rec = &w->recs[w->count - 1];
    if (size > ZC_MAX_RAW_SIZE - rec->stored_size) {
        zc__wlog(w, ZC_LOG_ERROR, "%s: entry \"%s\" exceeds the limit of %llu bytes", w->path,
                 zc__rec_path(w, rec), (unsigned long long)ZC_MAX_RAW_SIZE);
        return ZC_ERR_LIMIT;
    }
    if (w->candidate && !w->spilled) {
        if (w->raw_len + size <= ZC_WRITER_COMPRESS_MEMORY) {
            if ((r = zc__raw_append(w, data, size)) != ZC_OK) return r;
            XXH3_64bits_update(w->hash, data, size);
            rec->stored_size += size;
            return ZC_OK;
        }
        if ((r = zc__spill(w)) != ZC_OK) return r;
    }
    if (w->pad_pending) {
        if ((r = zc__emit_zeros(w, w->pad_pending)) != ZC_OK) return r;
        w->pad_pending = 0;
    }
    if ((r = zc__emit(w, data, size)) != ZC_OK) return r;
    XXH3_64bits_update(w->hash, data, size);
    rec->stored_size += size;
    return ZC_OK;
}

zc_result zc_writer_add_dep(zc_writer *w, uint64_t id) {
    if (!w) return ZC_ERR_INVALID_ARGUMENT;
    zc_result r = zc__need_open_entry(w, "zc_writer_add_dep");
    if (r != ZC_OK) return r;
    if (w->dep_count >= ZC_MAX_DEPS) {
        zc__wlog(w, ZC_LOG_ERROR, "%s: entry \"%s\" exceeds the limit of %u dependencies", w->path,
                 zc__rec_path(w, &w->recs[w->count - 1]), ZC_MAX_DEPS);
        return ZC_ERR_LIMIT;
    }
    if (w->dep_count == w->dep_cap) {
        uint32_t cap = w->dep_cap ? w->dep_cap * 2 : 256;
        uint64_t *deps = (uint64_t *)realloc(w->deps, (size_t)cap * sizeof *deps);
        if (!deps) return zc__oom(w, "dependencies");
        w->deps = deps;
        w->dep_cap = cap;
    }
    w->deps[w->dep_count++] = id;
    w->recs[w->count - 1].deps_count++;
    return ZC_OK;
}

/* 1 when the `size` bytes at offsets a and b of the temporary file are equal, 0 when
 * they differ; -1 on an I/O or allocation failure (logged). The buffer is flushed. */
static int zc__same_bytes(zc_writer *w, uint64_t a, uint64_t b, uint64_t size) {
    if (!w->cmp_a) w->cmp_a = (uint8_t *)malloc(ZC__CMP_CHUNK);
    if (!w->cmp_b) w->cmp_b = (uint8_t *)malloc(ZC__CMP_CHUNK);
    if (!w->cmp_a || !w->cmp_b) {
        zc__oom(w, "comparing payloads");
        return -1;
    }
    while (size > 0) {
        size_t n = size < ZC__CMP_CHUNK ? (size_t)size : ZC__CMP_CHUNK;
        if (zc__pread_all(w, w->cmp_a, n, a) != ZC_OK || zc__pread_all(w, w->cmp_b, n, b) != ZC_OK) return -1;
        if (memcmp(w->cmp_a, w->cmp_b, n) != 0) return 0;
        a += n;
        b += n;
        size -= n;
    }
    return 1;
}

/* Forget the open entry's bytes and padding: the file ends at pad_start again. */
static zc_result zc__roll_back(zc_writer *w) {
    w->wlen = 0; /* flushed by the comparison */
    for (;;) {
        if (zc__packer_sys.ftruncate(w->fd, (off_t)w->pad_start) == 0) break;
        if (errno != EINTR) return zc__io_fail(w, "truncate", errno);
    }
    if (zc__packer_sys.lseek(w->fd, (off_t)w->pad_start, SEEK_SET) < 0) return zc__io_fail(w, "seek", errno);
    w->pos = w->pad_start;
    return ZC_OK;
}

/* The stored bytes of record `index` end the file (or it has none): share them with
 * an identical earlier payload, rolling the file back, or keep them and remember them
 * for later twins. */
static zc_result zc__share_or_keep(zc_writer *w, uint32_t index) {
    zc_toc_entry *rec = &w->recs[index];
    uint64_t alignment = (uint64_t)1 << rec->align_log2;
    zc_result r = ZC_OK;
    if (rec->stored_size == 0) {
        /* No bytes: the lowest aligned offset in the payload area. finish places the
         * TOC at or after it. */
        rec->offset = zc__align_up(ZC__HEADER_SIZE, alignment);
        if (rec->offset > w->end) w->end = rec->offset;
        return ZC_OK;
    }

    /* Look for a stored twin: same hash and size, at an offset this entry's alignment
     * accepts, and the same bytes. */
    if (w->twins_cap) {
        int flushed = 0;
        for (uint32_t s = (uint32_t)rec->content_hash & (w->twins_cap - 1); w->twins[s];
             s = (s + 1) & (w->twins_cap - 1)) {
            const zc_toc_entry *twin = &w->recs[w->twins[s] - 1];
            if (twin->content_hash != rec->content_hash || twin->stored_size != rec->stored_size ||
                twin->raw_size != rec->raw_size || twin->codec != rec->codec || twin->offset % alignment != 0)
                continue;
            if (!flushed) {
                if ((r = zc__flush(w)) != ZC_OK) return r;
                flushed = 1;
            }
            int same = zc__same_bytes(w, twin->offset, rec->offset, rec->stored_size);
            if (same < 0) return w->broken ? w->broken : (w->broken = ZC_ERR_OUT_OF_MEMORY);
            if (!same) continue;
            if ((r = zc__roll_back(w)) != ZC_OK) return r;
            rec->offset = twin->offset;
            return ZC_OK;
        }
    }
    if (!zc__table_reserve(w, &w->twins, &w->twins_cap, w->twins_used, zc__content_of)) {
        /* The payload is stored; it only cannot be shared by later twins. */
        zc__wlog(w, ZC_LOG_WARNING, "%s: out of memory for the duplicate table; \"%s\" will not be shared",
                 w->path, zc__rec_path(w, rec));
    } else {
        zc__table_insert(w->twins, w->twins_cap, rec->content_hash, index);
        w->twins_used++;
    }
    if (w->pos > w->end) w->end = w->pos;
    return ZC_OK;
}

zc_result zc_writer_end_entry(zc_writer *w) {
    if (!w) return ZC_ERR_INVALID_ARGUMENT;
    zc_result r = zc__need_open_entry(w, "zc_writer_end_entry");
    if (r != ZC_OK) return r;
    uint32_t index = w->count - 1;
    zc_toc_entry *rec = &w->recs[index];
    rec->raw_size = rec->stored_size;
    rec->content_hash = XXH3_64bits_digest(w->hash);
    w->open_entry = 0;
    if (w->candidate) return zc__end_candidate(w, index); /* nothing of it is in the file yet, or all of it */
    w->pad_pending = 0;
    return zc__share_or_keep(w, index);
}

zc_result zc_writer_cancel_entry(zc_writer *w) {
    if (!w) return ZC_ERR_INVALID_ARGUMENT;
    if (w->broken) return w->broken;
    if (!w->open_entry) return ZC_OK;
    w->candidate = 0;
    w->spilled = 0;
    w->raw_len = 0;
    zc_result r = zc__flush(w);
    if (r == ZC_OK) r = zc__roll_back(w);
    if (r != ZC_OK) return r;
    const zc_toc_entry *rec = &w->recs[w->count - 1];
    w->paths_size -= (uint64_t)rec->path_length + 1;
    w->dep_count = rec->deps_first;
    w->count--;
    w->open_entry = 0;
    w->pad_pending = 0;
    /* Open addressing cannot delete in place: re-place the remaining ids. */
    if (w->ids_cap) memset(w->ids, 0, (size_t)w->ids_cap * sizeof *w->ids);
    for (uint32_t i = 0; i < w->count; ++i) zc__table_insert(w->ids, w->ids_cap, w->recs[i].id, i);
    w->ids_used = w->count;
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * Compression (zc_writer.h, "Compression" and "Dictionaries")
 * ------------------------------------------------------------------------------- */

#define ZC__COMPRESS_MIN 16u            /* raw bytes below which no frame can pay off */
#define ZC__MOVE_CHUNK ZC__CMP_CHUNK    /* frame bytes moved per read/write pair */

/* Largest stored size that still saves min_saving percent of `raw` bytes. */
static uint64_t zc__stored_limit(const zc_writer *w, uint64_t raw) {
    return raw - (raw * w->min_saving + 99u) / 100u;
}

static void zc__begin_candidate(zc_writer *w, const char *path, uint32_t type) {
    w->candidate = w->compress && type != ZC_TYPE_ZSTD_DICT && w->compress(path, type, w->compress_user_data);
    w->spilled = 0;
    w->raw_len = 0;
}

/* Keep `size` more raw bytes of the open candidate in memory. */
static zc_result zc__raw_append(zc_writer *w, const void *data, size_t size) {
    if (w->raw_len + size > w->raw_cap) {
        size_t cap = w->raw_cap ? w->raw_cap : 64u * 1024u;
        while (cap < w->raw_len + size) cap *= 2;
        uint8_t *grown = (uint8_t *)realloc(w->raw, cap);
        if (!grown) return zc__oom(w, "an entry's raw bytes");
        w->raw = grown;
        w->raw_cap = cap;
    }
    memcpy(w->raw + w->raw_len, data, size);
    w->raw_len += size;
    return ZC_OK;
}

/* The candidate outgrew memory: write its padding and bytes so far to the file; the
 * rest streams there too, and end_entry recompresses it from the file. */
static zc_result zc__spill(zc_writer *w) {
    zc_result r = ZC_OK;
    if (w->pad_pending && (r = zc__emit_zeros(w, w->pad_pending)) != ZC_OK) return r;
    w->pad_pending = 0;
    if (w->raw_len && (r = zc__emit(w, w->raw, w->raw_len)) != ZC_OK) return r;
    w->raw_len = 0;
    w->spilled = 1;
    return ZC_OK;
}

/* A compression context with the writer's settings and no dictionary. */
static ZSTD_CCtx *zc__cctx(zc_writer *w) {
    if (!w->cctx && !(w->cctx = ZSTD_createCCtx())) return NULL;
    ZSTD_CCtx_reset(w->cctx, ZSTD_reset_session_and_parameters);
    ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, w->level);
    ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_contentSizeFlag, 1);
    ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 0);
    return w->cctx;
}

static int zc__zbuf_reserve(zc_writer *w, size_t size) {
    if (size <= w->zbuf_cap) return 1;
    uint8_t *grown = (uint8_t *)realloc(w->zbuf, size);
    if (!grown) return 0;
    w->zbuf = grown;
    w->zbuf_cap = size;
    return 1;
}

/* Compress n raw bytes (with cdict when not NULL) into w->zbuf. *out_len is the frame
 * size when it meets the saving policy, 0 when the entry stays raw. */
static zc_result zc__try_compress(zc_writer *w, const uint8_t *raw, size_t n, const ZSTD_CDict *cdict,
                                  size_t *out_len) {
    *out_len = 0;
    if (n < ZC__COMPRESS_MIN) return ZC_OK;
    size_t limit = (size_t)zc__stored_limit(w, n);
    ZSTD_CCtx *cctx = zc__cctx(w);
    if (!cctx || !zc__zbuf_reserve(w, limit)) return zc__oom(w, "compressing an entry");
    if (cdict) ZSTD_CCtx_refCDict(cctx, cdict);
    size_t got = ZSTD_compress2(cctx, w->zbuf, limit, raw, n);
    if (ZSTD_isError(got)) {
        if (ZSTD_getErrorCode(got) == ZSTD_error_memory_allocation) return zc__oom(w, "compressing an entry");
        return ZC_OK; /* dstSize_tooSmall: the frame would not save enough */
    }
    *out_len = got;
    return ZC_OK;
}

/* Cut the file back to `offset` (everything after it is dropped). The buffer must be
 * flushed. */
static zc_result zc__cut(zc_writer *w, uint64_t offset) {
    for (;;) {
        if (zc__packer_sys.ftruncate(w->fd, (off_t)offset) == 0) break;
        if (errno != EINTR) return zc__io_fail(w, "truncate", errno);
    }
    if (zc__packer_sys.lseek(w->fd, (off_t)offset, SEEK_SET) < 0) return zc__io_fail(w, "seek", errno);
    w->pos = offset;
    return ZC_OK;
}

/* Store `len` bytes as record index's payload (codec as given) at the next offset its
 * alignment allows, then share it with a twin or keep it (zc__share_or_keep). */
static zc_result zc__store(zc_writer *w, uint32_t index, const uint8_t *bytes, uint64_t len, zc_codec codec) {
    zc_toc_entry *rec = &w->recs[index];
    rec->stored_size = len;
    rec->codec = (uint8_t)codec;
    w->pad_start = w->pos;
    rec->offset = zc__align_up(w->pos, (uint64_t)1 << rec->align_log2);
    zc_result r = ZC_OK;
    if (len > 0) {
        if ((r = zc__emit_zeros(w, rec->offset - w->pos)) != ZC_OK) return r;
        if ((r = zc__emit(w, bytes, (size_t)len)) != ZC_OK) return r;
    }
    return zc__share_or_keep(w, index);
}

/* Compress n raw bytes by the policy (with cdict when not NULL) and store the result. */
static zc_result zc__store_policy(zc_writer *w, uint32_t index, const uint8_t *raw, size_t n, const ZSTD_CDict *cdict) {
    size_t len = 0;
    zc_result r = zc__try_compress(w, raw, n, cdict, &len);
    if (r != ZC_OK) return r;
    return len ? zc__store(w, index, w->zbuf, len, ZC_CODEC_ZSTD) : zc__store(w, index, raw, n, ZC_CODEC_NONE);
}

/* A zstd failure while compressing: logged; memory exhaustion is OUT_OF_MEMORY. */
static zc_result zc__zstd_fail(zc_writer *w, size_t code) {
    if (ZSTD_getErrorCode(code) == ZSTD_error_memory_allocation) return zc__oom(w, "compressing an entry");
    zc__wlog(w, ZC_LOG_ERROR, "%s: zstd cannot compress an entry: %s", w->path, ZSTD_getErrorName(code));
    return ZC_ERR_IO;
}

/* Stream the raw bytes of a spilled candidate (in the file at rec->offset) through
 * zstd into the file after them. Sets *frame_len to the frame's size, or 0 when it
 * grew past the policy's limit (the file is then cut back to the raw bytes). */
static zc_result zc__stream_frame(zc_writer *w, const zc_toc_entry *rec, uint64_t *frame_len) {
    *frame_len = 0;
    uint64_t raw = rec->raw_size, frame_start = w->pos, limit = zc__stored_limit(w, raw), done = 0;
    size_t out_cap = ZSTD_CStreamOutSize();
    ZSTD_CCtx *cctx = zc__cctx(w);
    if (!w->cmp_a) w->cmp_a = (uint8_t *)malloc(ZC__CMP_CHUNK);
    if (!cctx || !w->cmp_a || !zc__zbuf_reserve(w, out_cap)) return zc__oom(w, "compressing an entry");
    ZSTD_CCtx_setPledgedSrcSize(cctx, raw);
    zc_result r = zc__flush(w);
    int over = 0, finished = 0;
    while (r == ZC_OK && !over && !finished) {
        size_t n = raw - done < ZC__CMP_CHUNK ? (size_t)(raw - done) : ZC__CMP_CHUNK;
        if ((r = zc__pread_all(w, w->cmp_a, n, rec->offset + done)) != ZC_OK) return r;
        done += n;
        ZSTD_inBuffer in = { w->cmp_a, n, 0 };
        ZSTD_EndDirective mode = done == raw ? ZSTD_e_end : ZSTD_e_continue;
        for (;;) {
            ZSTD_outBuffer out = { w->zbuf, out_cap, 0 };
            size_t left = ZSTD_compressStream2(cctx, &out, &in, mode);
            if (ZSTD_isError(left)) return zc__zstd_fail(w, left);
            if (out.pos && (r = zc__emit(w, w->zbuf, out.pos)) != ZC_OK) return r;
            if (w->pos - frame_start > limit) {
                over = 1; /* no gain: stop here */
                break;
            }
            if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size) break;
        }
        finished = mode == ZSTD_e_end;
    }
    if (r == ZC_OK) r = zc__flush(w);
    if (r != ZC_OK) return r;
    if (over) return zc__cut(w, frame_start);
    *frame_len = w->pos - frame_start;
    return ZC_OK;
}

/* Copy a frame down over the raw bytes it replaces (the ranges never overlap: the
 * frame is shorter than the raw bytes), then cut the file after it. */
static zc_result zc__move_frame(zc_writer *w, uint64_t from, uint64_t to, uint64_t len) {
    zc_result r = ZC_OK;
    for (uint64_t done = 0; done < len && r == ZC_OK;) {
        size_t n = len - done < ZC__MOVE_CHUNK ? (size_t)(len - done) : ZC__MOVE_CHUNK;
        r = zc__pread_all(w, w->cmp_a, n, from + done);
        if (r == ZC_OK) r = zc__pwrite_all(w, w->cmp_a, n, to + done);
        done += n;
    }
    return r == ZC_OK ? zc__cut(w, to + len) : r;
}

/* end_entry of a spilled candidate: recompress it from the file when it is small
 * enough for readers to decode, then share or keep whatever is stored. */
static zc_result zc__end_spilled(zc_writer *w, uint32_t index) {
    zc_toc_entry *rec = &w->recs[index];
    if (rec->raw_size <= ZC_DEFAULT_MAX_DECODED_SIZE) {
        uint64_t frame_len = 0, frame_start = w->pos;
        zc_result r = zc__stream_frame(w, rec, &frame_len);
        if (r == ZC_OK && frame_len) r = zc__move_frame(w, frame_start, rec->offset, frame_len);
        if (r != ZC_OK) return r;
        if (frame_len) {
            rec = &w->recs[index];
            rec->stored_size = frame_len;
            rec->codec = ZC_CODEC_ZSTD;
        }
    }
    return zc__share_or_keep(w, index);
}

/* end_entry of a candidate. */
static zc_result zc__end_candidate(zc_writer *w, uint32_t index) {
    w->candidate = 0;
    w->pad_pending = 0; /* zc__store places the payload itself */
    if (w->spilled) return zc__end_spilled(w, index);
    size_t n = w->raw_len;
    w->raw_len = 0;
    if (w->dictionaries && n > 0 && n <= ZC_WRITER_DICT_ENTRY_MAX && w->deferred_bytes + n <= ZC_WRITER_DICT_MEMORY) {
        if (w->deferred_count == w->deferred_cap) {
            uint32_t cap = w->deferred_cap ? w->deferred_cap * 2 : 256;
            zc__deferred *grown = (zc__deferred *)realloc(w->deferred, (size_t)cap * sizeof *grown);
            if (!grown) return zc__oom(w, "entries held for a dictionary");
            w->deferred = grown;
            w->deferred_cap = cap;
        }
        uint8_t *copy = (uint8_t *)malloc(n);
        if (!copy) return zc__oom(w, "entries held for a dictionary");
        memcpy(copy, w->raw, n);
        zc__deferred *d = &w->deferred[w->deferred_count++];
        d->index = index;
        d->type = w->recs[index].type;
        d->data = copy;
        d->size = n;
        w->deferred_bytes += n;
        return ZC_OK; /* stored by zc__write_deferred at finish */
    }
    return zc__store_policy(w, index, w->raw, n, NULL);
}

/* 1 when some record already has `path`. */
static int zc__path_taken(const zc_writer *w, const char *path) {
    size_t len = strlen(path);
    uint64_t id = XXH3_64bits(path, len);
    if (!w->ids_cap) return 0;
    for (uint32_t s = (uint32_t)id & (w->ids_cap - 1); w->ids[s]; s = (s + 1) & (w->ids_cap - 1))
        if (w->recs[w->ids[s] - 1].id == id) return 1;
    return 0;
}

/* Train a dictionary over the held entries list[0..n) (at most
 * ZC_WRITER_DICT_TRAIN_MAX sample bytes, in list order) into dict[ZC_WRITER_DICT_SIZE].
 * *out_size is its size, 0 when zstd cannot train one from these samples. Running out
 * of memory for the samples is ZC_ERR_OUT_OF_MEMORY, never a pack without the
 * dictionary: the same inputs always give the same pack. */
static zc_result zc__train(zc_writer *w, const uint32_t *list, uint32_t n, uint8_t *dict, size_t *out_size) {
    *out_size = 0;
    size_t total = 0;
    uint32_t count = 0;
    while (count < n && total + w->deferred[list[count]].size <= ZC_WRITER_DICT_TRAIN_MAX)
        total += w->deferred[list[count++]].size;
    uint8_t *samples = (uint8_t *)malloc(total ? total : 1);
    size_t *sizes = (size_t *)malloc((size_t)(count ? count : 1) * sizeof *sizes);
    if (!samples || !sizes) {
        free(samples);
        free(sizes);
        return zc__oom(w, "the samples of a dictionary");
    }
    size_t at = 0;
    for (uint32_t i = 0; i < count; ++i) {
        const zc__deferred *d = &w->deferred[list[i]];
        memcpy(samples + at, d->data, d->size);
        sizes[i] = d->size;
        at += d->size;
    }
    size_t got = ZDICT_trainFromBuffer(dict, ZC_WRITER_DICT_SIZE, samples, sizes, count);
    if (!ZDICT_isError(got) && ZDICT_getDictID(dict, got) != 0) *out_size = got;
    free(samples);
    free(sizes);
    return ZC_OK;
}

/* Decide, for the held entries list[0..n) of one type, whether the dictionary pays for
 * itself (*worth): use[i] says which entries would take its frame. Costs count file
 * bytes: each payload padded to its alignment, and the dictionary's own entry with its
 * TOC record and path. */
static zc_result zc__plan_dict(zc_writer *w, const uint32_t *list, uint32_t n, const ZSTD_CDict *cdict,
                               size_t dict_size, size_t path_length, uint8_t *use, int *worth) {
    uint64_t plain_total = 0;
    uint64_t dict_total = zc__align_up(dict_size, 16) + sizeof(zc_toc_entry) + path_length + 1;
    *worth = 0;
    for (uint32_t i = 0; i < n; ++i) {
        const zc__deferred *d = &w->deferred[list[i]];
        uint64_t alignment = (uint64_t)1 << w->recs[d->index].align_log2;
        size_t plain = 0, with = 0;
        zc_result r = zc__try_compress(w, d->data, d->size, NULL, &plain);
        if (r == ZC_OK) r = zc__try_compress(w, d->data, d->size, cdict, &with);
        if (r != ZC_OK) return r;
        uint64_t stored = plain ? plain : d->size;
        use[i] = with && with < stored;
        plain_total += zc__align_up(stored, alignment);
        dict_total += zc__align_up(use[i] ? with : stored, alignment);
    }
    *worth = dict_total < plain_total;
    return ZC_OK;
}

/* Write one dictionary entry: raw, uncompressed, before the entries that use it. */
static zc_result zc__write_dict_entry(zc_writer *w, const char *path, const uint8_t *dict, size_t size) {
    zc_result r = zc_writer_begin_entry(w, path, ZC_TYPE_ZSTD_DICT, ZC_ZSTD_DICT_LAYOUT_HASH, ZC_MIN_ALIGN_LOG2);
    if (r == ZC_OK) r = zc_writer_write(w, dict, size);
    if (r == ZC_OK) r = zc_writer_end_entry(w);
    return r;
}

/* Store the held entries list[0..n) of one type, with a dictionary when one can be
 * trained and pays for itself. */
static zc_result zc__write_type(zc_writer *w, const uint32_t *list, uint32_t n) {
    uint8_t *dict = NULL, *use = NULL;
    ZSTD_CDict *cdict = NULL;
    size_t dict_size = 0;
    int worth = 0;
    zc_result r = ZC_OK;
    char path[40];
    if (n >= ZC_WRITER_DICT_MIN_ENTRIES) {
        dict = (uint8_t *)malloc(ZC_WRITER_DICT_SIZE);
        use = (uint8_t *)calloc(n, 1);
        r = dict && use ? zc__train(w, list, n, dict, &dict_size) : zc__oom(w, "a dictionary");
    }
    if (r == ZC_OK && dict_size > 0) {
        snprintf(path, sizeof path, ZC_ZSTD_DICT_PATH_PREFIX "%u", ZDICT_getDictID(dict, dict_size));
        if (zc__path_taken(w, path))
            zc__wlog(w, ZC_LOG_WARNING, "%s: entry %s exists already; its type's entries get no dictionary", w->path,
                     path);
        else if (!(cdict = ZSTD_createCDict(dict, dict_size, w->level)))
            r = zc__oom(w, "a dictionary");
        else
            r = zc__plan_dict(w, list, n, cdict, dict_size, strlen(path), use, &worth);
    }
    if (r == ZC_OK && worth) r = zc__write_dict_entry(w, path, dict, dict_size);
    for (uint32_t i = 0; i < n && r == ZC_OK; ++i) {
        const zc__deferred *d = &w->deferred[list[i]];
        r = zc__store_policy(w, d->index, d->data, d->size, worth && use[i] ? cdict : NULL);
    }
    ZSTD_freeCDict(cdict);
    free(use);
    free(dict);
    return r;
}

static int zc__compare_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* finish, first step: every held entry, type by type (ascending tags), each type's in
 * the order they ended. */
static zc_result zc__write_deferred(zc_writer *w) {
    uint32_t n = w->deferred_count;
    if (n == 0) return ZC_OK;
    uint32_t *types = (uint32_t *)malloc((size_t)n * sizeof *types);
    uint32_t *list = (uint32_t *)malloc((size_t)n * sizeof *list);
    if (!types || !list) {
        free(types);
        free(list);
        return zc__oom(w, "entries held for a dictionary");
    }
    for (uint32_t i = 0; i < n; ++i) types[i] = w->deferred[i].type;
    qsort(types, n, sizeof *types, zc__compare_u32);
    zc_result r = ZC_OK;
    for (uint32_t t = 0; t < n && r == ZC_OK; ++t) {
        if (t > 0 && types[t] == types[t - 1]) continue;
        uint32_t count = 0;
        for (uint32_t i = 0; i < n; ++i)
            if (w->deferred[i].type == types[t]) list[count++] = i;
        r = zc__write_type(w, list, count);
    }
    free(types);
    free(list);
    for (uint32_t i = 0; i < n; ++i) free(w->deferred[i].data);
    w->deferred_count = 0;
    w->deferred_bytes = 0;
    return r;
}

/* ---------------------------------------------------------------------------------
 * Finish
 * ------------------------------------------------------------------------------- */

static int zc__compare_ids(const void *a, const void *b) {
    uint64_t x = ((const zc_toc_entry *)a)->id, y = ((const zc_toc_entry *)b)->id;
    return x < y ? -1 : x > y;
}

/* Copy of `path` without its last component: the directory to fsync after rename. */
static char *zc__dir_of(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) {
        char *dot = (char *)malloc(2);
        if (dot) memcpy(dot, ".", 2);
        return dot;
    }
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *dir = (char *)malloc(n + 1);
    if (dir) {
        memcpy(dir, path, n);
        dir[n] = 0;
    }
    return dir;
}

/* Make the rename durable. Failure is only a warning: the pack is already in place. */
static void zc__sync_dir(zc_writer *w) {
    char *dir = zc__dir_of(w->path);
    if (!dir) return;
    int fd = zc__packer_sys.open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    if (fd < 0 || zc__packer_sys.fsync(fd) != 0) {
        int err = errno;
        if (err != EINVAL && err != EROFS)
            zc__wlog(w, ZC_LOG_WARNING, "%s: cannot sync directory: %s", dir, strerror(err));
    }
    if (fd >= 0) zc__packer_sys.close(fd);
    free(dir);
}

/* Stream the TOC at pos (already 16-byte aligned); returns its checksum. */
static zc_result zc__write_toc(zc_writer *w, uint64_t *out_checksum) {
    XXH3_state_t *state = w->hash; /* no entry is open: reuse the entry state */
    XXH3_64bits_reset(state);
    zc_toc_header th;
    memset(&th, 0, sizeof th);
    th.tag = ZC_TOC_TAG;
    th.version = ZC_TOC_VERSION;
    th.header_size = sizeof(zc_toc_header);
    th.entry_size = sizeof(zc_toc_entry);
    th.entry_count = w->count;
    th.dep_count = w->dep_count;
    th.strings_size = w->paths_size;
    zc_result r = zc__emit_hashed(w, state, &th, sizeof th);

    uint32_t path_offset = 0, deps_first = 0;
    for (uint32_t i = 0; i < w->count && r == ZC_OK; ++i) {
        zc_toc_entry out = w->recs[i];
        out.path_offset = path_offset;
        out.deps_first = deps_first;
        path_offset += out.path_length + 1;
        deps_first += out.deps_count;
        r = zc__emit_hashed(w, state, &out, sizeof out);
    }
    for (uint32_t i = 0; i < w->count && r == ZC_OK; ++i) {
        const zc_toc_entry *rec = &w->recs[i];
        if (rec->deps_count)
            r = zc__emit_hashed(w, state, w->deps + rec->deps_first, (size_t)rec->deps_count * sizeof(uint64_t));
    }
    for (uint32_t i = 0; i < w->count && r == ZC_OK; ++i) {
        const zc_toc_entry *rec = &w->recs[i];
        r = zc__emit_hashed(w, state, zc__rec_path(w, rec), (size_t)rec->path_length + 1);
    }
    *out_checksum = XXH3_64bits_digest(state);
    return r;
}

zc_result zc_writer_finish(zc_writer *w) {
    if (!w) return ZC_ERR_INVALID_ARGUMENT;
    zc_result r = w->broken;
    if (r != ZC_OK) goto fail;
    if (w->open_entry) {
        zc__wlog(w, ZC_LOG_ERROR, "%s: finish called while entry \"%s\" is still open", w->path,
                 zc__rec_path(w, &w->recs[w->count - 1]));
        r = ZC_ERR_INVALID_ARGUMENT;
        goto fail;
    }
    if ((r = zc__write_deferred(w)) != ZC_OK) goto fail;

    /* Records in id order; begin_entry already refused duplicates, this is the
     * guarantee the format needs (strictly increasing ids). */
    if (w->count > 1) qsort(w->recs, w->count, sizeof *w->recs, zc__compare_ids);
    for (uint32_t i = 1; i < w->count; ++i) {
        if (w->recs[i - 1].id != w->recs[i].id) continue;
        zc__wlog(w, ZC_LOG_ERROR, "%s: entry paths \"%s\" and \"%s\" have the same asset id %016llx", w->path,
                 zc__rec_path(w, &w->recs[i - 1]), zc__rec_path(w, &w->recs[i]), (unsigned long long)w->recs[i].id);
        r = ZC_ERR_INVALID_ARGUMENT;
        goto fail;
    }

    uint64_t toc_offset = zc__align_up(w->pos > w->end ? w->pos : w->end, 16);
    uint64_t toc_checksum = 0;
    if ((r = zc__emit_zeros(w, toc_offset - w->pos)) != ZC_OK) goto fail;
    if ((r = zc__write_toc(w, &toc_checksum)) != ZC_OK) goto fail;
    if ((r = zc__flush(w)) != ZC_OK) goto fail;

    zc_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, ZC_MAGIC, 4);
    memcpy(h.mangle_check, ZC_MANGLE_CHECK, 4);
    h.format_major = ZC_FORMAT_MAJOR;
    h.format_minor = ZC_FORMAT_MINOR;
    h.header_size = (uint32_t)sizeof h;
    h.endian_check = ZC_ENDIAN_CHECK;
    h.float_check = ZC_FLOAT_CHECK;
    h.writer_version = ZC_VERSION_NUMBER;
    h.flags = 0;
    h.file_size = w->pos;
    h.toc_offset = toc_offset;
    h.toc_size = w->pos - toc_offset;
    h.toc_checksum = toc_checksum;
    h.header_checksum = XXH3_64bits(&h, sizeof h); /* computed with the field still zero */
    if ((r = zc__pwrite_all(w, &h, sizeof h, 0)) != ZC_OK) goto fail;

    if (!w->no_sync) {
        while (zc__packer_sys.fsync(w->fd) != 0) {
            if (errno == EINTR) continue;
            r = zc__io_fail(w, "sync", errno);
            goto fail;
        }
    }
    int fd = w->fd;
    w->fd = -1;
    if (zc__packer_sys.close(fd) != 0 && errno != EINTR) {
        r = zc__io_fail(w, "close", errno);
        goto fail;
    }

    if (!w->no_verify) {
        zc_pack *pack = NULL;
        zc_pack_desc pd;
        memset(&pd, 0, sizeof pd);
        pd.path = w->tmp_path;
        pd.validate = ZC_VALIDATE_CHECKSUMS;
        pd.logger = w->logger;
        r = zc_pack_open(&pack, &pd);
        zc_pack_close(pack);
        if (r != ZC_OK) {
            zc__wlog(w, ZC_LOG_ERROR, "%s: the written pack failed verification (%s); %s is left unchanged",
                     w->tmp_path, zc_result_str(r), w->path);
            goto fail;
        }
    }

    if (zc__packer_sys.rename(w->tmp_path, w->path) != 0) {
        int err = errno;
        zc__wlog(w, ZC_LOG_ERROR, "%s: cannot rename to %s: %s", w->tmp_path, w->path, strerror(err));
        r = ZC_ERR_IO;
        goto fail;
    }
    free(w->tmp_path);
    w->tmp_path = NULL; /* renamed: nothing left to remove */
    if (!w->no_sync) zc__sync_dir(w);
    zc_writer_abort(w);
    return ZC_OK;

fail:
    zc_writer_abort(w);
    return r;
}

/* ---------------------------------------------------------------------------------
 * Copying an entry from another pack (zc_writer_copy_entry)
 *
 * Kept apart from begin/write/end: the stored bytes are already final (possibly a
 * compressed frame), so nothing is hashed or transformed; the record takes the
 * source's codec, raw size and content hash. Identical stored bytes are shared as
 * end_entry shares them (zc__store, zc__share_or_keep).
 * ------------------------------------------------------------------------------- */

static uint32_t zc__log2_alignment(uint32_t alignment) {
    uint32_t log2 = 0;
    while (log2 < 31 && ((uint32_t)1 << log2) < alignment) log2++;
    return ((uint32_t)1 << log2) == alignment ? log2 : 0;
}

/* Store the copied entry's bytes as they are (or share a twin's) and close its
 * record: the same store and twin search as every other payload. */
static zc_result zc__copy_payload(zc_writer *w, const zc_entry *entry) {
    uint32_t index = w->count - 1;
    zc_toc_entry *rec = &w->recs[index];
    rec->raw_size = entry->raw_size;
    rec->content_hash = entry->content_hash;
    w->pad_pending = 0; /* zc__store places the payload itself */
    return zc__store(w, index, (const uint8_t *)entry->data, entry->stored_size, (zc_codec)entry->codec);
}

zc_result zc_writer_copy_entry(zc_writer *w, const zc_entry *entry) {
    if (!w || !entry || !entry->path || (!entry->data && entry->stored_size) || (!entry->deps && entry->deps_count))
        return ZC_ERR_INVALID_ARGUMENT;
    if (w->broken) return w->broken;
    uint32_t align_log2 = zc__log2_alignment(entry->alignment);
    if (align_log2 < ZC_MIN_ALIGN_LOG2 || align_log2 > ZC_MAX_ALIGN_LOG2 || entry->stored_size > ZC_MAX_RAW_SIZE ||
        entry->raw_size > ZC_MAX_RAW_SIZE || (entry->codec == ZC_CODEC_NONE && entry->raw_size != entry->stored_size) ||
        (unsigned)entry->codec > 255u) {
        zc__wlog(w, ZC_LOG_ERROR, "%s: entry \"%s\" cannot be copied: alignment %u, codec %u, sizes %llu/%llu",
                 w->path, entry->path, entry->alignment, (unsigned)entry->codec,
                 (unsigned long long)entry->raw_size, (unsigned long long)entry->stored_size);
        return ZC_ERR_INVALID_ARGUMENT;
    }
    zc_result r = zc_writer_begin_entry(w, entry->path, entry->type, entry->layout_hash, align_log2);
    if (r != ZC_OK) return r;
    for (uint32_t i = 0; i < entry->deps_count && r == ZC_OK; ++i) r = zc_writer_add_dep(w, entry->deps[i]);
    if (r != ZC_OK) {
        zc_writer_cancel_entry(w);
        return r;
    }
    w->open_entry = 0; /* closed here, whatever happens next: the bytes are final */
    w->candidate = 0;  /* and never recompressed, whatever the writer's policy */
    w->spilled = 0;
    r = zc__copy_payload(w, entry);
    if (r != ZC_OK && !w->broken) w->broken = r; /* a half-copied record cannot be finished */
    return r;
}

int zc_writer_is_temp_name(const char *name) {
    const char *p = NULL;
    for (const char *q = strstr(name, ".tmp-"); q; q = strstr(q + 1, ".tmp-")) p = q;
    if (!p || p == name) return 0;
    p += 5;
    const char *digits = p;
    while (*p >= '0' && *p <= '9') p++;
    if (p == digits || *p != '-') return 0;
    digits = ++p;
    while (*p >= '0' && *p <= '9') p++;
    return p != digits && *p == 0;
}
