/* zc_writer_compress.c - the writer's compression: zstd candidates, the gain
 * threshold, seekable frames, spilled frames and dictionary training (zc_writer.h, "Compression" and
 * "Dictionaries"; zc_writer_internal.h).
 */
#include <uv.h>

#include "zc_writer_internal.h"

/* ---------------------------------------------------------------------------------
 * Compression (zc_writer.h, "Compression" and "Dictionaries")
 * ------------------------------------------------------------------------------- */

#define ZC__COMPRESS_MIN 16u            /* raw bytes below which no frame can pay off */
#define ZC__MOVE_CHUNK ZC__CMP_CHUNK    /* frame bytes moved per read/write pair */
#define ZC__MAX_FRAME_THREADS 64u       /* frames of one streamed batch, at most */

/* Largest stored size that still saves min_saving percent of `raw` bytes. */
static uint64_t zc__stored_limit(const zc_writer *w, uint64_t raw) {
    return raw - (raw * w->min_saving + 99u) / 100u;
}

void zc__writer_begin_candidate(zc_writer *w, const char *path, uint32_t type) {
    w->candidate = w->compress && type != ZC_TYPE_ZSTD_DICT && w->compress(path, type, w->compress_user_data);
    w->spilled = 0;
    w->raw_len = 0;
}

/* Keep `size` more raw bytes of the open candidate in memory. */
zc_result zc__writer_raw_append(zc_writer *w, const void *data, size_t size) {
    if (w->raw_len + size > w->raw_cap) {
        size_t cap = w->raw_cap ? w->raw_cap : 64u * 1024u;
        while (cap < w->raw_len + size) cap *= 2;
        uint8_t *grown = (uint8_t *)realloc(w->raw, cap);
        if (!grown) return zc__writer_oom(w, "an entry's raw bytes");
        w->raw = grown;
        w->raw_cap = cap;
    }
    memcpy(w->raw + w->raw_len, data, size);
    w->raw_len += size;
    return ZC_OK;
}

/* The candidate outgrew memory: write its padding and bytes so far to the file; the
 * rest streams there too, and end_entry recompresses it from the file. */
zc_result zc__writer_spill(zc_writer *w) {
    zc_result r = ZC_OK;
    if (w->pad_pending && (r = zc__writer_emit_zeros(w, w->pad_pending)) != ZC_OK) return r;
    w->pad_pending = 0;
    if (w->raw_len && (r = zc__writer_emit(w, w->raw, w->raw_len)) != ZC_OK) return r;
    w->raw_len = 0;
    w->spilled = 1;
    return ZC_OK;
}

/* A compression context with the writer's settings at `level` (w->level, or
 * w->large_level for a spilled candidate) and no dictionary. */
static ZSTD_CCtx *zc__cctx(zc_writer *w, int level) {
    if (!w->cctx && !(w->cctx = ZSTD_createCCtx())) return NULL;
    ZSTD_CCtx_reset(w->cctx, ZSTD_reset_session_and_parameters);
    ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_contentSizeFlag, 1);
    ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 0);
    return w->cctx;
}

/* w->zbuf holds at least `size` bytes; its contents are scratch and are not kept. */
static int zc__zbuf_reserve(zc_writer *w, size_t size) {
    if (size <= w->zbuf_cap) return 1;
    free(w->zbuf);
    w->zbuf_cap = 0;
    w->zbuf = (uint8_t *)malloc(size);
    if (!w->zbuf) return 0;
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
    ZSTD_CCtx *cctx = zc__cctx(w, w->level);
    if (!cctx || !zc__zbuf_reserve(w, limit)) return zc__writer_oom(w, "compressing an entry");
    if (cdict) ZSTD_CCtx_refCDict(cctx, cdict);
    size_t got = ZSTD_compress2(cctx, w->zbuf, limit, raw, n);
    if (ZSTD_isError(got)) {
        if (ZSTD_getErrorCode(got) == ZSTD_error_memory_allocation) return zc__writer_oom(w, "compressing an entry");
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
        if (errno != EINTR) return zc__writer_io_fail(w, "truncate", errno);
    }
    if (zc__packer_sys.lseek(w->fd, (off_t)offset, SEEK_SET) < 0) return zc__writer_io_fail(w, "seek", errno);
    w->pos = offset;
    return ZC_OK;
}

/* Store `len` bytes as record index's payload (codec as given) at the next offset its
 * alignment allows, then share it with a twin or keep it (zc__writer_share_or_keep). */
zc_result zc__writer_store(zc_writer *w, uint32_t index, const uint8_t *bytes, uint64_t len, zc_codec codec) {
    zc_toc_entry *rec = &w->recs[index];
    rec->stored_size = len;
    rec->codec = (uint8_t)codec;
    w->pad_start = w->pos;
    rec->offset = zc__writer_align_up(w->pos, (uint64_t)1 << rec->align_log2);
    zc_result r = ZC_OK;
    if (len > 0) {
        if ((r = zc__writer_emit_zeros(w, rec->offset - w->pos)) != ZC_OK) return r;
        if ((r = zc__writer_emit(w, bytes, (size_t)len)) != ZC_OK) return r;
    }
    return zc__writer_share_or_keep(w, index);
}

/* A zstd failure while compressing: logged; memory exhaustion is OUT_OF_MEMORY. */
static zc_result zc__zstd_fail(zc_writer *w, size_t code) {
    if (ZSTD_getErrorCode(code) == ZSTD_error_memory_allocation) return zc__writer_oom(w, "compressing an entry");
    zc__writer_wlog(w, ZC_LOG_ERROR, "%s: zstd cannot compress an entry: %s", w->path, ZSTD_getErrorName(code));
    return ZC_ERR_IO;
}

/* ---------------------------------------------------------------------------------
 * Seekable entries (codec 2, formats/zc_seekable.h): independent frames of
 * ZC_WRITER_SEEK_FRAME raw bytes, then the seek table in a skippable frame
 * ------------------------------------------------------------------------------- */

ZC_STATIC_ASSERT(ZC_WRITER_SEEK_FRAME >= ZC_SEEKABLE_MIN_FRAME_RAW && ZC_WRITER_SEEK_FRAME <= ZC_SEEKABLE_MAX_FRAME_RAW,
                 "the writer's frame size is one the format allows");
ZC_STATIC_ASSERT(ZC_WRITER_SEEK_FRAME <= ZC__CMP_CHUNK, "a spilled frame is read back into cmp_a");

/* 1 when a candidate of n raw bytes is stored as seekable frames. */
static int zc__seekable(const zc_writer *w, uint64_t n) {
    return !w->single_frame && n > ZC_WRITER_SEEKABLE_MIN;
}

/* Frames of a seekable entry of n raw bytes. */
static uint32_t zc__seek_count(uint64_t n) {
    return (uint32_t)((n - 1) / ZC_WRITER_SEEK_FRAME + 1);
}

/* The context for seekable frames: the writer's settings at `level` plus zstd's
 * content checksum (a reader decoding one frame checks it), and cdict when not NULL. */
static ZSTD_CCtx *zc__seek_cctx(zc_writer *w, int level, const ZSTD_CDict *cdict) {
    ZSTD_CCtx *cctx = zc__cctx(w, level);
    if (cctx) ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
    if (cctx && cdict) ZSTD_CCtx_refCDict(cctx, cdict);
    return cctx;
}

/* Compress m raw bytes into one frame in dst[0, cap): *got is its size, 0 when it does
 * not fit (the entry cannot meet the saving policy). */
static zc_result zc__seek_frame(zc_writer *w, ZSTD_CCtx *cctx, const uint8_t *src, size_t m, uint8_t *dst,
                                size_t cap, size_t *got) {
    *got = 0;
    size_t n = ZSTD_compress2(cctx, dst, cap, src, m);
    if (!ZSTD_isError(n)) *got = n;
    else if (ZSTD_getErrorCode(n) != ZSTD_error_dstSize_tooSmall) return zc__zstd_fail(w, n);
    return ZC_OK;
}

static void zc__put32(uint8_t *dst, uint32_t value) {
    memcpy(dst, &value, 4); /* the writer runs on little-endian hosts only */
}

/* The seek table of `count` frames of n raw bytes in all, whose stored sizes are
 * sizes[], into dst (zc_seek_table_size(count) bytes). */
static void zc__seek_table_write(uint8_t *dst, const uint32_t *sizes, uint32_t count, uint64_t n) {
    uint64_t table = zc_seek_table_size(count);
    zc__put32(dst, ZC_SEEKABLE_SKIPPABLE_MAGIC);
    zc__put32(dst + 4, (uint32_t)(table - ZC_SEEKABLE_HEADER_SIZE));
    uint8_t *rec = dst + ZC_SEEKABLE_HEADER_SIZE;
    for (uint32_t i = 0; i < count; ++i, rec += ZC_SEEKABLE_RECORD_SIZE) {
        zc__put32(rec, sizes[i]);
        zc__put32(rec + 4, i + 1 < count ? ZC_WRITER_SEEK_FRAME : (uint32_t)(n - (uint64_t)i * ZC_WRITER_SEEK_FRAME));
    }
    zc__put32(rec, count);
    zc__put32(rec + 4, ZC_WRITER_SEEK_FRAME);
    zc__put32(rec + 8, ZC_SEEKABLE_VERSION); /* version (u16), reserved (u16) = 0 */
    zc__put32(rec + 12, ZC_SEEKABLE_FOOTER_MAGIC);
}

/* 1 in *out when the first frame of a seekable candidate (m raw bytes at src) does not
 * save min_saving percent even at ZC_WRITER_PROBE_LEVEL: the candidate is then stored
 * raw without trying the rest (zc_writer.h, "Compression"). Uses w->cctx and w->zbuf,
 * which must hold zc__stored_limit(w, m) bytes. */
static zc_result zc__first_frame_incompressible(zc_writer *w, const uint8_t *src, size_t m, int *out) {
    *out = 0;
    ZSTD_CCtx *cctx = zc__seek_cctx(w, ZC_WRITER_PROBE_LEVEL, NULL);
    if (!cctx) return zc__writer_oom(w, "compressing an entry");
    size_t got = 0;
    zc_result r = zc__seek_frame(w, cctx, src, m, w->zbuf, (size_t)zc__stored_limit(w, m), &got);
    *out = r == ZC_OK && got == 0;
    return r;
}

/* zc__try_compress for seekable entries: the frames of n raw bytes in memory at
 * `level` and their table into w->zbuf; *out_len 0 when they do not meet the saving
 * policy. Frame for frame the bytes zc__stream_seekable writes at the same level. */
static zc_result zc__try_seekable(zc_writer *w, const uint8_t *raw, size_t n, const ZSTD_CDict *cdict, int level,
                                  size_t *out_len) {
    *out_len = 0;
    uint32_t count = zc__seek_count(n);
    size_t limit = (size_t)zc__stored_limit(w, n), table = (size_t)zc_seek_table_size(count), at = 0;
    if (table >= limit) return ZC_OK;
    if (!zc__zbuf_reserve(w, limit)) return zc__writer_oom(w, "compressing an entry");
    int incompressible = 0;
    zc_result r = zc__first_frame_incompressible(w, raw, n < ZC_WRITER_SEEK_FRAME ? n : ZC_WRITER_SEEK_FRAME,
                                                 &incompressible);
    if (r != ZC_OK || incompressible) return r;
    uint32_t *sizes = (uint32_t *)malloc((size_t)count * sizeof *sizes);
    ZSTD_CCtx *cctx = zc__seek_cctx(w, level, cdict);
    if (!sizes || !cctx) {
        free(sizes);
        return zc__writer_oom(w, "compressing an entry");
    }
    int fits = 1;
    for (uint32_t i = 0; i < count && fits && r == ZC_OK; ++i) {
        size_t off = (size_t)i * ZC_WRITER_SEEK_FRAME, m = n - off < ZC_WRITER_SEEK_FRAME ? n - off : ZC_WRITER_SEEK_FRAME;
        size_t got = 0;
        r = zc__seek_frame(w, cctx, raw + off, m, w->zbuf + at, limit - table - at, &got);
        sizes[i] = (uint32_t)got;
        at += got;
        fits = got != 0;
    }
    if (r == ZC_OK && fits) {
        zc__seek_table_write(w->zbuf + at, sizes, count, n);
        *out_len = at + table;
    }
    free(sizes);
    return r;
}

/* One frame of a batch (zc__stream_batch): its raw bytes, its compressed frame, and
 * the context that compressed it, which lives as long as the writer. */
typedef struct zc__frame_slot {
    ZSTD_CCtx *cctx;
    uint8_t *src;               /* ZC_WRITER_SEEK_FRAME bytes */
    uint8_t *dst;               /* ZSTD_compressBound(ZC_WRITER_SEEK_FRAME) bytes */
    size_t m, got;
    size_t error;               /* a zstd error code, 0 when the frame was made */
    uv_thread_t thread;
} zc__frame_slot;

/* Frames compressed at once, and slots kept: one per thread, at most
 * ZC__MAX_FRAME_THREADS (each holds a compression context and half a MiB). */
static uint32_t zc__slot_count(const zc_writer *w) {
    return w->threads < ZC__MAX_FRAME_THREADS ? w->threads : ZC__MAX_FRAME_THREADS;
}

void zc__writer_free_slots(zc_writer *w) {
    for (uint32_t k = 0; w->slots && k < zc__slot_count(w); ++k) {
        ZSTD_freeCCtx(w->slots[k].cctx);
        free(w->slots[k].src);
        free(w->slots[k].dst);
    }
    free(w->slots);
    w->slots = NULL;
}

/* w->slots with contexts set as zc__seek_cctx sets w->cctx at `level`; NULL when out
 * of memory (the frames are then compressed one by one on this thread). */
static zc__frame_slot *zc__frame_slots(zc_writer *w, int level) {
    if (!w->slots && !(w->slots = (zc__frame_slot *)calloc(zc__slot_count(w), sizeof *w->slots))) return NULL;
    for (uint32_t k = 0; k < zc__slot_count(w); ++k) {
        zc__frame_slot *s = &w->slots[k];
        if (!s->cctx) s->cctx = ZSTD_createCCtx();
        if (!s->src) s->src = (uint8_t *)malloc(ZC_WRITER_SEEK_FRAME);
        if (!s->dst) s->dst = (uint8_t *)malloc(ZSTD_compressBound(ZC_WRITER_SEEK_FRAME));
        if (!s->cctx || !s->src || !s->dst) {
            zc__writer_free_slots(w);
            return NULL;
        }
        ZSTD_CCtx_reset(s->cctx, ZSTD_reset_session_and_parameters);
        ZSTD_CCtx_setParameter(s->cctx, ZSTD_c_compressionLevel, level);
        ZSTD_CCtx_setParameter(s->cctx, ZSTD_c_contentSizeFlag, 1);
        ZSTD_CCtx_setParameter(s->cctx, ZSTD_c_checksumFlag, 1);
    }
    return w->slots;
}

/* Compress one slot's frame; on any thread (touches only the slot). */
static void zc__frame_run(void *arg) {
    zc__frame_slot *s = (zc__frame_slot *)arg;
    size_t n = ZSTD_compress2(s->cctx, s->dst, ZSTD_compressBound(ZC_WRITER_SEEK_FRAME), s->src, s->m);
    s->got = ZSTD_isError(n) ? 0 : n;
    s->error = ZSTD_isError(n) ? n : 0;
}

/* Frames first .. first + batch - 1 of a streamed seekable candidate: read back from
 * the file, compressed on `batch` threads (this one and batch - 1 started for them;
 * a thread that cannot start leaves its frame to this one), in frame order in the
 * slots. Each frame is compressed alone, so the bytes are those of one thread. */
static zc_result zc__stream_batch(zc_writer *w, const zc_toc_entry *rec, uint32_t first, uint32_t batch) {
    zc__frame_slot *slots = w->slots;
    for (uint32_t k = 0; k < batch; ++k) {
        uint64_t off = (uint64_t)(first + k) * ZC_WRITER_SEEK_FRAME;
        slots[k].m = rec->raw_size - off < ZC_WRITER_SEEK_FRAME ? (size_t)(rec->raw_size - off) : ZC_WRITER_SEEK_FRAME;
        zc_result r = zc__writer_pread_all(w, slots[k].src, slots[k].m, rec->offset + off);
        if (r != ZC_OK) return r;
    }
    int started[ZC__MAX_FRAME_THREADS] = {0};
    for (uint32_t k = 1; k < batch; ++k)
        started[k] = uv_thread_create(&slots[k].thread, zc__frame_run, &slots[k]) == 0;
    zc__frame_run(&slots[0]);
    for (uint32_t k = 1; k < batch; ++k) {
        if (started[k]) uv_thread_join(&slots[k].thread);
        else zc__frame_run(&slots[k]);
    }
    return ZC_OK;
}

/* zc__stream_frame for seekable entries: frame by frame, each read back from the file
 * and compressed in one shot at w->large_level (w->threads frames at a time when it
 * is above 1), then the table. */
static zc_result zc__stream_seekable(zc_writer *w, const zc_toc_entry *rec, uint64_t *stored_len) {
    *stored_len = 0;
    uint64_t raw = rec->raw_size, start = w->pos, limit = zc__stored_limit(w, raw);
    uint32_t count = zc__seek_count(raw);
    uint64_t table = zc_seek_table_size(count);
    size_t cap = ZSTD_compressBound(ZC_WRITER_SEEK_FRAME);
    uint32_t *sizes = (uint32_t *)malloc((size_t)count * sizeof *sizes);
    ZSTD_CCtx *cctx = zc__seek_cctx(w, w->large_level, NULL);
    if (!w->cmp_a) w->cmp_a = (uint8_t *)malloc(ZC__CMP_CHUNK);
    if (!sizes || !cctx || !w->cmp_a || !zc__zbuf_reserve(w, cap > table ? cap : (size_t)table)) {
        free(sizes);
        return zc__writer_oom(w, "compressing an entry");
    }
    zc_result r = zc__writer_flush(w);
    int over = table >= limit;
    if (r == ZC_OK && !over) {
        size_t m = raw < ZC_WRITER_SEEK_FRAME ? (size_t)raw : ZC_WRITER_SEEK_FRAME;
        if ((r = zc__writer_pread_all(w, w->cmp_a, m, rec->offset)) == ZC_OK)
            r = zc__first_frame_incompressible(w, w->cmp_a, m, &over);
        if (r == ZC_OK && over) {
            free(sizes);
            return ZC_OK; /* nothing was written: the raw bytes stay */
        }
        cctx = zc__seek_cctx(w, w->large_level, NULL);
        if (!cctx) r = zc__writer_oom(w, "compressing an entry");
    }
    zc__frame_slot *slots = w->threads > 1 && count > 1 ? zc__frame_slots(w, w->large_level) : NULL;
    uint32_t per_batch = zc__slot_count(w);
    for (uint32_t i = 0; slots && i < count && r == ZC_OK && !over;) {
        uint32_t batch = count - i < per_batch ? count - i : per_batch;
        if ((r = zc__stream_batch(w, rec, i, batch)) != ZC_OK) break;
        for (uint32_t k = 0; k < batch && r == ZC_OK && !over; ++k) {
            if (slots[k].error) {
                r = zc__zstd_fail(w, slots[k].error);
                break;
            }
            sizes[i + k] = (uint32_t)slots[k].got;
            r = zc__writer_emit(w, slots[k].dst, slots[k].got);
            over = w->pos - start + table > limit; /* no gain: stop here */
        }
        i += batch;
    }
    for (uint32_t i = 0; !slots && i < count && r == ZC_OK && !over; ++i) {
        uint64_t off = (uint64_t)i * ZC_WRITER_SEEK_FRAME;
        size_t m = raw - off < ZC_WRITER_SEEK_FRAME ? (size_t)(raw - off) : ZC_WRITER_SEEK_FRAME, got = 0;
        if ((r = zc__writer_pread_all(w, w->cmp_a, m, rec->offset + off)) != ZC_OK) break;
        if ((r = zc__seek_frame(w, cctx, w->cmp_a, m, w->zbuf, cap, &got)) != ZC_OK) break;
        sizes[i] = (uint32_t)got;
        r = zc__writer_emit(w, w->zbuf, got);
        over = w->pos - start + table > limit; /* no gain: stop here */
    }
    if (r == ZC_OK && !over) {
        zc__seek_table_write(w->zbuf, sizes, count, raw);
        r = zc__writer_emit(w, w->zbuf, (size_t)table);
    }
    free(sizes);
    if (r == ZC_OK) r = zc__writer_flush(w);
    if (r != ZC_OK) return r;
    if (over) return zc__cut(w, start);
    *stored_len = w->pos - start;
    return ZC_OK;
}

/* Compress n raw bytes by the policy (with cdict when not NULL) and store the result:
 * one frame, seekable frames (above ZC_WRITER_SEEKABLE_MIN), or the raw bytes. */
static zc_result zc__store_policy(zc_writer *w, uint32_t index, const uint8_t *raw, size_t n, const ZSTD_CDict *cdict) {
    size_t len = 0;
    int seekable = zc__seekable(w, n);
    zc_result r = seekable ? zc__try_seekable(w, raw, n, cdict, w->level, &len) : zc__try_compress(w, raw, n, cdict, &len);
    if (r != ZC_OK) return r;
    if (!len) return zc__writer_store(w, index, raw, n, ZC_CODEC_NONE);
    return zc__writer_store(w, index, w->zbuf, len, seekable ? ZC_CODEC_ZSTD_SEEKABLE : ZC_CODEC_ZSTD);
}

/* ---------------------------------------------------------------------------------
 * Encoding ahead of the writer (zc_writer.h): an encoder is a writer with no file
 * that holds only the compression settings, its zstd context and its buffer, so the
 * one-shot paths above run on it unchanged.
 * ------------------------------------------------------------------------------- */

struct zc_writer_encoder {
    zc_writer w;
};

zc_writer_encoder *zc_writer_encoder_create(const zc_writer *w) {
    zc_writer_encoder *e = (zc_writer_encoder *)calloc(1, sizeof *e);
    if (!e) return NULL;
    e->w.path = w->path; /* borrowed, for messages; the logger stays silent */
    e->w.fd = -1;
    e->w.level = w->level;
    e->w.large_level = w->large_level;
    e->w.min_saving = w->min_saving;
    e->w.single_frame = w->single_frame;
    return e;
}

void zc_writer_encoder_destroy(zc_writer_encoder *e) {
    if (!e) return;
    free(e->w.zbuf);
    ZSTD_freeCCtx(e->w.cctx);
    free(e);
}

int zc_writer_encodes(const zc_writer *w, const char *path, uint32_t type, uint64_t raw_size) {
    return w && w->compress && !w->dictionaries && type != ZC_TYPE_ZSTD_DICT &&
           raw_size <= (w->single_frame ? ZC_WRITER_COMPRESS_MEMORY : ZC_WRITER_ENCODE_MEMORY) &&
           w->compress(path, type, w->compress_user_data);
}

zc_result zc_writer_encode(zc_writer_encoder *e, const void *raw, size_t n, zc_codec *codec, const void **stored,
                           size_t *stored_size) {
    size_t len = 0;
    int seekable = zc__seekable(&e->w, n);
    int level = n > ZC_WRITER_COMPRESS_MEMORY ? e->w.large_level : e->w.level; /* as end_entry spills it */
    zc_result r = seekable ? zc__try_seekable(&e->w, raw, n, NULL, level, &len)
                           : zc__try_compress(&e->w, raw, n, NULL, &len);
    *codec = !len ? ZC_CODEC_NONE : seekable ? ZC_CODEC_ZSTD_SEEKABLE : ZC_CODEC_ZSTD;
    *stored = len ? (const void *)e->w.zbuf : raw;
    *stored_size = len ? len : n;
    return r;
}

/* Stream the raw bytes of a spilled candidate (in the file at rec->offset) through
 * zstd at w->large_level into the file after them. Sets *frame_len to the frame's size, or 0 when it
 * grew past the policy's limit (the file is then cut back to the raw bytes). */
static zc_result zc__stream_frame(zc_writer *w, const zc_toc_entry *rec, uint64_t *frame_len) {
    *frame_len = 0;
    uint64_t raw = rec->raw_size, frame_start = w->pos, limit = zc__stored_limit(w, raw), done = 0;
    size_t out_cap = ZSTD_CStreamOutSize();
    ZSTD_CCtx *cctx = zc__cctx(w, w->large_level);
    if (!w->cmp_a) w->cmp_a = (uint8_t *)malloc(ZC__CMP_CHUNK);
    if (!cctx || !w->cmp_a || !zc__zbuf_reserve(w, out_cap)) return zc__writer_oom(w, "compressing an entry");
    ZSTD_CCtx_setPledgedSrcSize(cctx, raw);
    zc_result r = zc__writer_flush(w);
    int over = 0, finished = 0;
    while (r == ZC_OK && !over && !finished) {
        size_t n = raw - done < ZC__CMP_CHUNK ? (size_t)(raw - done) : ZC__CMP_CHUNK;
        if ((r = zc__writer_pread_all(w, w->cmp_a, n, rec->offset + done)) != ZC_OK) return r;
        done += n;
        ZSTD_inBuffer in = { w->cmp_a, n, 0 };
        ZSTD_EndDirective mode = done == raw ? ZSTD_e_end : ZSTD_e_continue;
        for (;;) {
            ZSTD_outBuffer out = { w->zbuf, out_cap, 0 };
            size_t left = ZSTD_compressStream2(cctx, &out, &in, mode);
            if (ZSTD_isError(left)) return zc__zstd_fail(w, left);
            if (out.pos && (r = zc__writer_emit(w, w->zbuf, out.pos)) != ZC_OK) return r;
            if (w->pos - frame_start > limit) {
                over = 1; /* no gain: stop here */
                break;
            }
            if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size) break;
        }
        finished = mode == ZSTD_e_end;
    }
    if (r == ZC_OK) r = zc__writer_flush(w);
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
        r = zc__writer_pread_all(w, w->cmp_a, n, from + done);
        if (r == ZC_OK) r = zc__writer_pwrite_all(w, w->cmp_a, n, to + done);
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
        int seekable = zc__seekable(w, rec->raw_size);
        zc_result r = seekable ? zc__stream_seekable(w, rec, &frame_len) : zc__stream_frame(w, rec, &frame_len);
        if (r == ZC_OK && frame_len) r = zc__move_frame(w, frame_start, rec->offset, frame_len);
        if (r != ZC_OK) return r;
        if (frame_len) {
            rec = &w->recs[index];
            rec->stored_size = frame_len;
            rec->codec = seekable ? ZC_CODEC_ZSTD_SEEKABLE : ZC_CODEC_ZSTD;
        }
    }
    return zc__writer_share_or_keep(w, index);
}

/* end_entry of a candidate. */
zc_result zc__writer_end_candidate(zc_writer *w, uint32_t index) {
    w->candidate = 0;
    w->pad_pending = 0; /* zc__writer_store places the payload itself */
    if (w->spilled) return zc__end_spilled(w, index);
    size_t n = w->raw_len;
    w->raw_len = 0;
    if (w->dictionaries && n > 0 && n <= ZC_WRITER_DICT_ENTRY_MAX && w->deferred_bytes + n <= ZC_WRITER_DICT_MEMORY) {
        if (w->deferred_count == w->deferred_cap) {
            uint32_t cap = w->deferred_cap ? w->deferred_cap * 2 : 256;
            zc__deferred *grown = (zc__deferred *)realloc(w->deferred, (size_t)cap * sizeof *grown);
            if (!grown) return zc__writer_oom(w, "entries held for a dictionary");
            w->deferred = grown;
            w->deferred_cap = cap;
        }
        uint8_t *copy = (uint8_t *)malloc(n);
        if (!copy) return zc__writer_oom(w, "entries held for a dictionary");
        memcpy(copy, w->raw, n);
        zc__deferred *d = &w->deferred[w->deferred_count++];
        d->index = index;
        d->type = w->recs[index].type;
        d->data = copy;
        d->size = n;
        w->deferred_bytes += n;
        return ZC_OK; /* stored by zc__writer_write_deferred at finish */
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
        return zc__writer_oom(w, "the samples of a dictionary");
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
    uint64_t dict_total = zc__writer_align_up(dict_size, 16) + sizeof(zc_toc_entry) + path_length + 1;
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
        plain_total += zc__writer_align_up(stored, alignment);
        dict_total += zc__writer_align_up(use[i] ? with : stored, alignment);
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
        r = dict && use ? zc__train(w, list, n, dict, &dict_size) : zc__writer_oom(w, "a dictionary");
    }
    if (r == ZC_OK && dict_size > 0) {
        snprintf(path, sizeof path, ZC_ZSTD_DICT_PATH_PREFIX "%u", ZDICT_getDictID(dict, dict_size));
        if (zc__path_taken(w, path))
            zc__writer_wlog(w, ZC_LOG_WARNING, "%s: entry %s exists already; its type's entries get no dictionary", w->path,
                     path);
        else if (!(cdict = ZSTD_createCDict(dict, dict_size, w->level)))
            r = zc__writer_oom(w, "a dictionary");
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
zc_result zc__writer_write_deferred(zc_writer *w) {
    uint32_t n = w->deferred_count;
    if (n == 0) return ZC_OK;
    uint32_t *types = (uint32_t *)malloc((size_t)n * sizeof *types);
    uint32_t *list = (uint32_t *)malloc((size_t)n * sizeof *list);
    if (!types || !list) {
        free(types);
        free(list);
        return zc__writer_oom(w, "entries held for a dictionary");
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

