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
 * The writer is three files sharing zc_writer_internal.h: this one (helpers, open,
 * entries), zc_writer_compress.c (compression and dictionaries) and
 * zc_writer_finish.c (finish: TOC, header, verification, rename; and copying entries
 * from another pack).
 *
 * Compression (zc_writer_compress.c) hooks into begin/write/end: a candidate's bytes
 * go to w->raw instead of the file until end_entry decides what is stored.
 */
#include "zc_writer_internal.h"

#include <sys/stat.h>

#include "zc_tmpfile.h"

/* ---------------------------------------------------------------------------------
 * Logging and I/O helpers
 * ------------------------------------------------------------------------------- */

#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 3, 4)))
#endif
void zc__writer_wlog(const zc_writer *w, zc_log_level level, const char *fmt, ...) {
    if (!w->logger.func) return;
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    w->logger.func(level, line, w->logger.user_data);
}

#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 3, 4)))
#endif
static void zc__log_to(zc_logger logger, zc_log_level level, const char *fmt, ...) {
    if (!logger.func) return;
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    logger.func(level, line, logger.user_data);
}

zc_result zc__writer_io_fail(zc_writer *w, const char *what, int err) {
    zc__writer_wlog(w, ZC_LOG_ERROR, "%s: cannot %s its temporary file %s: %s", w->path, what, w->tmp_path,
                    strerror(err));
    w->broken = ZC_ERR_IO;
    return ZC_ERR_IO;
}

zc_result zc__writer_oom(zc_writer *w, const char *what) {
    zc__writer_wlog(w, ZC_LOG_ERROR, "%s: out of memory for %s", w->path, what);
    return ZC_ERR_OUT_OF_MEMORY;
}

uint64_t zc__writer_align_up(uint64_t value, uint64_t alignment) {
    return (value + alignment - 1) & ~(alignment - 1);
}

/* Write all `size` bytes at the file position, retrying short writes and EINTR. */
static zc_result zc__write_all(zc_writer *w, const void *data, size_t size) {
    const uint8_t *p = (const uint8_t *)data;
    while (size > 0) {
        ssize_t n = zc__packer_sys.write(w->fd, p, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return zc__writer_io_fail(w, "write", errno);
        }
        if (n == 0) return zc__writer_io_fail(w, "write", EIO);
        p += n;
        size -= (size_t)n;
    }
    return ZC_OK;
}

zc_result zc__writer_pwrite_all(zc_writer *w, const void *data, size_t size, uint64_t offset) {
    const uint8_t *p = (const uint8_t *)data;
    while (size > 0) {
        ssize_t n = zc__packer_sys.pwrite(w->fd, p, size, (off_t)offset);
        if (n < 0) {
            if (errno == EINTR) continue;
            return zc__writer_io_fail(w, "write", errno);
        }
        if (n == 0) return zc__writer_io_fail(w, "write", EIO);
        p += n;
        size -= (size_t)n;
        offset += (uint64_t)n;
    }
    return ZC_OK;
}

zc_result zc__writer_pread_all(zc_writer *w, void *data, size_t size, uint64_t offset) {
    uint8_t *p = (uint8_t *)data;
    while (size > 0) {
        ssize_t n = zc__packer_sys.pread(w->fd, p, size, (off_t)offset);
        if (n < 0) {
            if (errno == EINTR) continue;
            return zc__writer_io_fail(w, "read back", errno);
        }
        if (n == 0) return zc__writer_io_fail(w, "read back", EIO); /* the file is shorter than written */
        p += n;
        size -= (size_t)n;
        offset += (uint64_t)n;
    }
    return ZC_OK;
}

/* Every ZC__WRITEBACK_STEP bytes written, start the kernel's writeback of them
 * (zc__packer_sys.writeback, which does not wait), so the disk writes while the build
 * still computes and the fsync at finish waits for the last step only: on a 35 MiB
 * pack here, 18 ms of fsync become 2. Only when the writer syncs; a hint whose failure
 * changes nothing. Call with the buffer empty: the file's bytes end at pos. */
static void zc__writer_start_writeback(zc_writer *w) {
    if (w->no_sync || w->pos < w->writeback_end + ZC__WRITEBACK_STEP) return;
    (void)zc__packer_sys.writeback(w->fd, (off_t)w->writeback_end, (off_t)(w->pos - w->writeback_end));
    w->writeback_end = w->pos;
}

zc_result zc__writer_flush(zc_writer *w) {
    size_t n = w->wlen;
    w->wlen = 0;
    zc_result r = n ? zc__write_all(w, w->wbuf, n) : ZC_OK;
    if (r == ZC_OK && n) zc__writer_start_writeback(w);
    return r;
}

/* Append bytes at pos through the output buffer. */
zc_result zc__writer_emit(zc_writer *w, const void *data, size_t size) {
    zc_result r = ZC_OK;
    if (w->wlen + size > ZC__WBUF_SIZE && (r = zc__writer_flush(w)) != ZC_OK) return r;
    if (size >= ZC__WBUF_SIZE) {
        r = zc__write_all(w, data, size);
    } else {
        memcpy(w->wbuf + w->wlen, data, size);
        w->wlen += size;
    }
    if (r == ZC_OK) w->pos += size;
    if (r == ZC_OK && size >= ZC__WBUF_SIZE) zc__writer_start_writeback(w);
    return r;
}

zc_result zc__writer_emit_zeros(zc_writer *w, uint64_t count) {
    static const uint8_t zeros[4096];
    while (count > 0) {
        size_t n = count < sizeof zeros ? (size_t)count : sizeof zeros;
        zc_result r = zc__writer_emit(w, zeros, n);
        if (r != ZC_OK) return r;
        count -= n;
    }
    return ZC_OK;
}

zc_result zc__writer_emit_hashed(zc_writer *w, XXH3_state_t *state, const void *data, size_t size) {
    XXH3_64bits_update(state, data, size);
    return zc__writer_emit(w, data, size);
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
    zc__writer_free_slots(w);
    for (uint32_t i = 0; i < w->deferred_count; ++i) free(w->deferred[i].data);
    free(w->deferred);
    zc_secret_key_wipe(&w->sign_key);
    free(w);
}

zc_result zc_writer_check_output(const char *path, zc_logger logger) {
    struct stat st;
    if (!path) return ZC_ERR_INVALID_ARGUMENT;
    if (lstat(path, &st) != 0) {
        int err = errno;
        if (err == ENOENT) return ZC_OK;
        zc__log_to(logger, ZC_LOG_ERROR, "%s: cannot check the output: %s", path, strerror(err));
        return ZC_ERR_IO;
    }
    if (S_ISREG(st.st_mode)) return ZC_OK;
    const char *what = S_ISLNK(st.st_mode)    ? "a symbolic link"
                       : S_ISCHR(st.st_mode)  ? "a character device"
                       : S_ISBLK(st.st_mode)  ? "a block device"
                       : S_ISFIFO(st.st_mode) ? "a FIFO"
                       : S_ISDIR(st.st_mode)  ? "a directory"
                                              : "a special file";
    zc__log_to(logger, ZC_LOG_ERROR, "%s: not a regular file (%s): refusing to replace it with a pack", path, what);
    return ZC_ERR_IO;
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
    w->large_level = desc->compress_level ? desc->compress_level : ZC_WRITER_LARGE_LEVEL;
    w->min_saving = desc->min_saving_percent ? desc->min_saving_percent : ZC_WRITER_DEFAULT_MIN_SAVING;
    w->dictionaries = desc->dictionaries;
    w->single_frame = desc->single_frame;
    w->threads = desc->threads ? desc->threads : 1;
    w->header_size = desc->sign_key ? ZC_SIGNED_HEADER_SIZE : (uint32_t)sizeof(zc_header);
    w->sign = desc->sign_key != NULL;
    if (desc->sign_key) w->sign_key = *desc->sign_key;
    if (w->level < 1 || w->level > ZC_WRITER_MAX_LEVEL || w->min_saving > 99) {
        zc__writer_wlog(w, ZC_LOG_ERROR, "%s: compression level %d (1..%d) or minimum saving %u%% (1..99) out of range",
                 desc->path, w->level, ZC_WRITER_MAX_LEVEL, w->min_saving);
        zc_writer_abort(w);
        return ZC_ERR_INVALID_ARGUMENT;
    }
    if (!zc_host_is_little_endian()) {
        zc__writer_wlog(w, ZC_LOG_ERROR, "%s: packs can only be written on a little-endian host", desc->path);
        zc_writer_abort(w);
        return ZC_ERR_ENDIAN;
    }
    zc_result checked = zc_writer_check_output(desc->path, desc->logger);
    if (checked != ZC_OK) {
        zc_writer_abort(w);
        return checked;
    }
    size_t n = strlen(desc->path);
    w->path = (char *)malloc(n + 1);
    w->wbuf = (uint8_t *)malloc(ZC__WBUF_SIZE);
    w->hash = XXH3_createState();
    if (!w->path || !w->wbuf || !w->hash) {
        zc_writer_abort(w); /* w->tmp_path is NULL: nothing to unlink */
        return ZC_ERR_OUT_OF_MEMORY;
    }
    memcpy(w->path, desc->path, n + 1);

    /* Exclusive, never through a link, under a random name (zc_tmpfile.h). */
    w->fd = zc__tmpfile_create(desc->path, &w->tmp_path);
    if (w->fd < 0) {
        int err = errno;
        zc__writer_wlog(w, ZC_LOG_ERROR, "%s: cannot create a temporary file beside it: %s", desc->path, strerror(err));
        zc_writer_abort(w);
        return err == ENOMEM ? ZC_ERR_OUT_OF_MEMORY : ZC_ERR_IO;
    }
    /* Leftovers of killed writers in this directory: their process is gone. */
    unsigned stale = zc__tmpfile_remove_stale(desc->path);
    if (stale)
        zc__writer_wlog(w, ZC_LOG_INFO, "%s: removed %u temporary file%s of ended processes beside it", desc->path,
                        stale, stale == 1 ? "" : "s");
    zc_result r = zc__writer_emit_zeros(w, w->header_size);
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

const char *zc__writer_rec_path(const zc_writer *w, const zc_toc_entry *rec) {
    return w->paths + rec->path_offset;
}

zc_result zc_writer_begin_entry(zc_writer *w, const char *path, uint32_t type, uint32_t layout_hash,
                                uint32_t align_log2) {
    if (!w || !path) return ZC_ERR_INVALID_ARGUMENT;
    if (w->broken) return w->broken;
    if (w->open_entry) {
        zc__writer_wlog(w, ZC_LOG_ERROR, "%s: entry \"%s\" begun while \"%s\" is still open", w->path, path,
                 zc__writer_rec_path(w, &w->recs[w->count - 1]));
        return ZC_ERR_INVALID_ARGUMENT;
    }
    size_t len = strlen(path);
    zc_diag diag;
    if (zc_check_path(path, len, &diag) != ZC_OK) {
        zc__writer_wlog(w, ZC_LOG_ERROR, "%s: invalid entry path \"%s\": %s", w->path, path, diag.message);
        return ZC_ERR_BAD_PATH;
    }
    if (align_log2 == 0) align_log2 = ZC_MIN_ALIGN_LOG2;
    if (align_log2 < ZC_MIN_ALIGN_LOG2 || align_log2 > ZC_MAX_ALIGN_LOG2) {
        zc__writer_wlog(w, ZC_LOG_ERROR, "%s: entry \"%s\": alignment 2^%u outside [2^%u, 2^%u]", w->path, path,
                 align_log2, ZC_MIN_ALIGN_LOG2, ZC_MAX_ALIGN_LOG2);
        return ZC_ERR_INVALID_ARGUMENT;
    }
    if (w->count >= ZC_MAX_ENTRIES) {
        zc__writer_wlog(w, ZC_LOG_ERROR, "%s: entry \"%s\" exceeds the limit of %u entries", w->path, path, ZC_MAX_ENTRIES);
        return ZC_ERR_LIMIT;
    }
    if (w->paths_size + len + 1 > UINT32_MAX) {
        zc__writer_wlog(w, ZC_LOG_ERROR, "%s: entry \"%s\": the string table exceeds 4 GiB", w->path, path);
        return ZC_ERR_LIMIT;
    }

    uint64_t id = XXH3_64bits(path, len);
    if (w->ids_cap) {
        for (uint32_t s = (uint32_t)id & (w->ids_cap - 1); w->ids[s]; s = (s + 1) & (w->ids_cap - 1)) {
            const zc_toc_entry *other = &w->recs[w->ids[s] - 1];
            if (other->id != id) continue;
            if (other->path_length == len && memcmp(zc__writer_rec_path(w, other), path, len) == 0)
                zc__writer_wlog(w, ZC_LOG_ERROR, "%s: duplicate entry path \"%s\"", w->path, path);
            else
                zc__writer_wlog(w, ZC_LOG_ERROR, "%s: entry paths \"%s\" and \"%s\" have the same asset id %016llx",
                         w->path, zc__writer_rec_path(w, other), path, (unsigned long long)id);
            return ZC_ERR_INVALID_ARGUMENT;
        }
    }

    /* Reserve everything first so a failure leaves the writer unchanged. */
    if (w->count == w->cap) {
        uint32_t cap = w->cap ? w->cap * 2 : 256;
        zc_toc_entry *recs = (zc_toc_entry *)realloc(w->recs, (size_t)cap * sizeof *recs);
        if (!recs) return zc__writer_oom(w, "entry records");
        w->recs = recs;
        w->cap = cap;
    }
    if (w->paths_size + len + 1 > w->paths_cap) {
        uint64_t cap = w->paths_cap ? w->paths_cap : 4096;
        while (cap < w->paths_size + len + 1) cap *= 2;
        char *paths = (char *)realloc(w->paths, (size_t)cap);
        if (!paths) return zc__writer_oom(w, "entry paths");
        w->paths = paths;
        w->paths_cap = cap;
    }
    if (!zc__table_reserve(w, &w->ids, &w->ids_cap, w->ids_used, zc__id_of)) return zc__writer_oom(w, "the id table");

    uint64_t alignment = (uint64_t)1 << align_log2;
    zc_toc_entry *rec = &w->recs[w->count];
    memset(rec, 0, sizeof *rec);
    rec->id = id;
    rec->offset = zc__writer_align_up(w->pos, alignment);
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
    zc__writer_begin_candidate(w, path, type);
    return ZC_OK;
}

static zc_result zc__need_open_entry(zc_writer *w, const char *call) {
    if (w->broken) return w->broken;
    if (!w->open_entry) {
        zc__writer_wlog(w, ZC_LOG_ERROR, "%s: %s called with no entry open", w->path, call);
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
        zc__writer_wlog(w, ZC_LOG_ERROR, "%s: entry \"%s\" exceeds the limit of %llu bytes", w->path,
                 zc__writer_rec_path(w, rec), (unsigned long long)ZC_MAX_RAW_SIZE);
        return ZC_ERR_LIMIT;
    }
    if (w->candidate && !w->spilled) {
        if (w->raw_len + size <= ZC_WRITER_COMPRESS_MEMORY) {
            if ((r = zc__writer_raw_append(w, data, size)) != ZC_OK) return r;
            XXH3_64bits_update(w->hash, data, size);
            rec->stored_size += size;
            return ZC_OK;
        }
        if ((r = zc__writer_spill(w)) != ZC_OK) return r;
    }
    if (w->pad_pending) {
        if ((r = zc__writer_emit_zeros(w, w->pad_pending)) != ZC_OK) return r;
        w->pad_pending = 0;
    }
    if ((r = zc__writer_emit(w, data, size)) != ZC_OK) return r;
    XXH3_64bits_update(w->hash, data, size);
    rec->stored_size += size;
    return ZC_OK;
}

zc_result zc_writer_add_dep(zc_writer *w, uint64_t id) {
    if (!w) return ZC_ERR_INVALID_ARGUMENT;
    zc_result r = zc__need_open_entry(w, "zc_writer_add_dep");
    if (r != ZC_OK) return r;
    if (w->dep_count >= ZC_MAX_DEPS) {
        zc__writer_wlog(w, ZC_LOG_ERROR, "%s: entry \"%s\" exceeds the limit of %u dependencies", w->path,
                 zc__writer_rec_path(w, &w->recs[w->count - 1]), ZC_MAX_DEPS);
        return ZC_ERR_LIMIT;
    }
    if (w->dep_count == w->dep_cap) {
        uint32_t cap = w->dep_cap ? w->dep_cap * 2 : 256;
        uint64_t *deps = (uint64_t *)realloc(w->deps, (size_t)cap * sizeof *deps);
        if (!deps) return zc__writer_oom(w, "dependencies");
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
        zc__writer_oom(w, "comparing payloads");
        return -1;
    }
    while (size > 0) {
        size_t n = size < ZC__CMP_CHUNK ? (size_t)size : ZC__CMP_CHUNK;
        if (zc__writer_pread_all(w, w->cmp_a, n, a) != ZC_OK || zc__writer_pread_all(w, w->cmp_b, n, b) != ZC_OK) return -1;
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
        if (errno != EINTR) return zc__writer_io_fail(w, "truncate", errno);
    }
    if (zc__packer_sys.lseek(w->fd, (off_t)w->pad_start, SEEK_SET) < 0) return zc__writer_io_fail(w, "seek", errno);
    w->pos = w->pad_start;
    return ZC_OK;
}

/* The stored bytes of record `index` end the file (or it has none): share them with
 * an identical earlier payload, rolling the file back, or keep them and remember them
 * for later twins. */
zc_result zc__writer_share_or_keep(zc_writer *w, uint32_t index) {
    zc_toc_entry *rec = &w->recs[index];
    uint64_t alignment = (uint64_t)1 << rec->align_log2;
    zc_result r = ZC_OK;
    if (rec->stored_size == 0) {
        /* No bytes: the lowest aligned offset in the payload area. finish places the
         * TOC at or after it. */
        rec->offset = zc__writer_align_up(w->header_size, alignment);
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
                if ((r = zc__writer_flush(w)) != ZC_OK) return r;
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
        zc__writer_wlog(w, ZC_LOG_WARNING, "%s: out of memory for the duplicate table; \"%s\" will not be shared",
                 w->path, zc__writer_rec_path(w, rec));
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
    if (w->candidate) return zc__writer_end_candidate(w, index); /* nothing of it is in the file yet, or all of it */
    w->pad_pending = 0;
    return zc__writer_share_or_keep(w, index);
}

zc_result zc_writer_cancel_entry(zc_writer *w) {
    if (!w) return ZC_ERR_INVALID_ARGUMENT;
    if (w->broken) return w->broken;
    if (!w->open_entry) return ZC_OK;
    w->candidate = 0;
    w->spilled = 0;
    w->raw_len = 0;
    zc_result r = zc__writer_flush(w);
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

