/* zc_stream.c - streaming reads of one entry (zc_stream_*, zc_pack.h "Streaming
 * entries"), and the checks of seekable zstd entries (codec 2, SPEC.md §6.2.1) that
 * zc_pack_acquire shares (zc__seekable_check).
 *
 * A stream reads its entry in one of three ways, chosen at open from the codec:
 *   - PLACE (codec 0): reads copy from the mapping into the caller's buffer.
 *   - FRAMES (codec 2; and codec 1 entries of at most ZC_SEEKABLE_MAX_FRAME_RAW raw
 *     bytes, as one frame): the frame holding the position is decoded in one shot
 *     into the stream's buffer of one frame, reads copy out of it, and a read in
 *     another frame decodes that one. The seek table is checked at open (SK1 to SK8);
 *     each frame when it is decoded (Z2 to Z5, the dictionary of frame 0, Z7 with
 *     zstd's frame checksum when the frame has one). The stored offset of frame k is
 *     found by walking the table from the last frame looked up (or from 0 when
 *     that is nearer): O(frames between), no memory per frame.
 *   - INFLATE (codec 1 above that size): ZSTD_decompressStream from the stored bytes
 *     straight into the caller's buffer. A forward seek decodes into a scratch
 *     buffer and drops the bytes; a backward seek restarts the frame from its first
 *     byte. A decoding error also restarts at the next read (out_pos = UINT64_MAX).
 *
 * Memory: one block from the pack's allocator at open (the stream and its buffer),
 * and one zstd decoding context from malloc (zstd's custom allocator interface is
 * experimental API), which for INFLATE grows to the frame's window at the first read.
 */
#include "zc_pack.h"
#include "zc_pack_internal.h"

#include <stdio.h>
#include <string.h>

#ifndef ZC_NO_ZSTD
#include <zstd.h>
#include <zstd_errors.h>
#endif

enum { ZC__STREAM_PLACE, ZC__STREAM_FRAMES, ZC__STREAM_INFLATE };

#define ZC__NO_FRAME UINT32_MAX
#define ZC__SCRATCH_SIZE (64u << 10) /* INFLATE: bytes dropped per call while seeking forward */

struct zc_stream {
    zc_pack *pack;              /* one reference, dropped by zc_stream_close */
    zc_entry entry;             /* the pack's own record */
    uint64_t pos;               /* [0, raw_size] */
    uint64_t block_size;        /* bytes of this allocation (stream and buffer) */
    int mode;                   /* ZC__STREAM_* */
    uint8_t *buf;               /* FRAMES: one frame's raw bytes; INFLATE: scratch */
    size_t buf_size;
#ifndef ZC_NO_ZSTD
    ZSTD_DCtx *dctx;
    const ZSTD_DDict *ddict;    /* owned by the pack's cache; NULL: no dictionary */
    uint32_t dict_id;           /* the dictionary frame 0 names (0: none) */
    zc_seek_table table;        /* FRAMES; records NULL for a codec-1 entry (one frame) */
    uint32_t loaded;            /* frame whose bytes buf holds, ZC__NO_FRAME for none */
    uint32_t walk_frame;        /* a frame whose stored offset is walk_offset */
    uint64_t walk_offset;
    uint64_t in_pos, out_pos;   /* INFLATE: stored bytes consumed, raw bytes produced */
#endif
};

/* ---------------------------------------------------------------------------------
 * Frames of a seekable entry
 * ------------------------------------------------------------------------------- */

#ifndef ZC_NO_ZSTD

/* Stored and raw bytes of frame i: the seek table's record, or the whole entry for a
 * codec-1 entry read as one frame. */
static uint64_t zc__frame_stored(const zc_entry *e, const zc_seek_table *t, uint32_t i) {
    return t->records ? zc_seek_frame_stored(t, i) : e->stored_size;
}
static uint64_t zc__frame_raw(const zc_entry *e, const zc_seek_table *t, uint32_t i) {
    return t->records ? zc_seek_frame_raw(t, i) : e->raw_size;
}

/* Z2 to Z5 on frame i, which starts `offset` stored bytes into the entry, against
 * the size the table gives it; *dict_id is the dictionary it names. Untrusted. */
static zc_result zc__check_frame_at(const zc_entry *e, const zc_seek_table *t, uint32_t i, uint64_t offset,
                                    uint32_t *dict_id, zc_diag *diag) {
    zc_entry frame = *e;
    frame.data = (const uint8_t *)e->data + offset;
    frame.stored_size = zc__frame_stored(e, t, i);
    frame.raw_size = zc__frame_raw(e, t, i);
    zc_diag sub;
    sub.message[0] = 0;
    zc_result r = zc__frame_check(&frame, dict_id, &sub);
    if (r != ZC_OK && t->records)
        return zc_fail(diag, r, "frame %u of %u (stored bytes %llu to %llu): %s", i, t->frame_count,
                       (unsigned long long)offset, (unsigned long long)(offset + frame.stored_size), sub.message);
    if (r != ZC_OK) return zc_fail(diag, r, "%s", sub.message);
    return ZC_OK;
}

zc_result zc__seekable_check(const zc_entry *e, uint32_t *dict_id, zc_diag *diag) {
    *dict_id = 0;
    zc_seek_table t;
    zc_result r = zc_seek_table_check(e->data, e->stored_size, e->raw_size, &t, diag);
    uint64_t offset = 0;
    for (uint32_t i = 0; i < t.frame_count && r == ZC_OK; ++i) {
        uint32_t id = 0;
        r = zc__check_frame_at(e, &t, i, offset, &id, diag);
        if (r == ZC_OK && i == 0) *dict_id = id;
        if (r == ZC_OK && id != *dict_id)
            r = zc_fail(diag, ZC_ERR_BAD_ENTRY, "frame %u names zstd dictionary %u but frame 0 names %u", i, id,
                        *dict_id);
        offset += zc__frame_stored(e, &t, i);
    }
    return r;
}

/* Stored offset of frame k, walking the table from the frame looked up last or from
 * frame 0, whichever is nearer. */
static uint64_t zc__walk(zc_stream *s, uint32_t k) {
    if (!s->table.records) return 0;
    if (k < s->walk_frame && k < s->walk_frame - k) {
        s->walk_frame = 0;
        s->walk_offset = 0;
    }
    for (; s->walk_frame < k; s->walk_frame++) s->walk_offset += zc_seek_frame_stored(&s->table, s->walk_frame);
    while (s->walk_frame > k) s->walk_offset -= zc_seek_frame_stored(&s->table, --s->walk_frame);
    return s->walk_offset;
}

/* zstd's error as a result: memory exhaustion is OUT_OF_MEMORY, the rest BAD_ENTRY. */
static zc_result zc__zstd_error(size_t code, zc_diag *diag, const char *what) {
    if (ZSTD_getErrorCode(code) == ZSTD_error_memory_allocation)
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "zstd ran out of memory decoding %s", what);
    return zc_fail(diag, ZC_ERR_BAD_ENTRY, "zstd cannot decode %s: %s", what, ZSTD_getErrorName(code));
}

/* Decode frame k into s->buf. */
static zc_result zc__load_frame(zc_stream *s, uint32_t k, zc_diag *diag) {
    const zc_entry *e = &s->entry;
    uint64_t offset = zc__walk(s, k), stored = zc__frame_stored(e, &s->table, k);
    size_t raw = (size_t)zc__frame_raw(e, &s->table, k);
    uint32_t id = 0;
    s->loaded = ZC__NO_FRAME;
    zc_result r = zc__check_frame_at(e, &s->table, k, offset, &id, diag);
    if (r != ZC_OK) return r;
    if (id != s->dict_id)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "frame %u names zstd dictionary %u but frame 0 names %u", k, id,
                       s->dict_id);
    const uint8_t *src = (const uint8_t *)e->data + offset;
    size_t got = s->ddict ? ZSTD_decompress_usingDDict(s->dctx, s->buf, raw, src, (size_t)stored, s->ddict)
                          : ZSTD_decompressDCtx(s->dctx, s->buf, raw, src, (size_t)stored);
    char what[48];
    snprintf(what, sizeof what, "frame %u", k);
    if (ZSTD_isError(got)) return zc__zstd_error(got, diag, what);
    if (got != raw) return zc_fail(diag, ZC_ERR_BAD_ENTRY, "frame %u decoded to %zu bytes instead of %zu", k, got, raw);
    s->loaded = k;
    return ZC_OK;
}

static zc_result zc__read_frames(zc_stream *s, uint8_t *dst, size_t want, size_t *done, zc_diag *diag) {
    uint64_t frame_raw = s->table.frame_raw_size;
    while (*done < want) {
        uint64_t pos = s->pos + *done;
        uint32_t k = (uint32_t)(pos / frame_raw);
        zc_result r = s->loaded == k ? ZC_OK : zc__load_frame(s, k, diag);
        if (r != ZC_OK) return r;
        uint64_t in = pos - (uint64_t)k * frame_raw, left = zc__frame_raw(&s->entry, &s->table, k) - in;
        size_t n = want - *done < left ? want - *done : (size_t)left;
        memcpy(dst + *done, s->buf + in, n);
        *done += n;
    }
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * One large zstd frame, streamed
 * ------------------------------------------------------------------------------- */

/* Decode the next n raw bytes of the frame into dst; *made says how many came out
 * before an error. */
static zc_result zc__inflate(zc_stream *s, uint8_t *dst, size_t n, size_t *made, zc_diag *diag) {
    ZSTD_inBuffer in = { s->entry.data, (size_t)s->entry.stored_size, (size_t)s->in_pos };
    ZSTD_outBuffer out = { dst, n, 0 };
    zc_result r = ZC_OK;
    while (out.pos < out.size && r == ZC_OK) {
        size_t in_before = in.pos, out_before = out.pos;
        size_t left = ZSTD_decompressStream(s->dctx, &out, &in);
        if (ZSTD_isError(left))
            r = zc__zstd_error(left, diag, "the frame");
        else if (out.pos < out.size && (left == 0 || (in.pos == in_before && out.pos == out_before)))
            r = zc_fail(diag, ZC_ERR_BAD_ENTRY, "the zstd frame ends after %llu of the %llu raw bytes the TOC declares",
                        (unsigned long long)(s->out_pos + out.pos), (unsigned long long)s->entry.raw_size);
    }
    *made = out.pos;
    s->in_pos = in.pos;
    s->out_pos = r == ZC_OK ? s->out_pos + out.pos : UINT64_MAX; /* restart after an error */
    return r;
}

static zc_result zc__read_inflate(zc_stream *s, uint8_t *dst, size_t want, size_t *done, zc_diag *diag) {
    zc_result r = ZC_OK;
    size_t made = 0;
    if (s->pos < s->out_pos) { /* backwards, or after an error: from the frame's start */
        ZSTD_DCtx_reset(s->dctx, ZSTD_reset_session_only);
        s->in_pos = 0;
        s->out_pos = 0;
    }
    while (s->out_pos < s->pos && r == ZC_OK) {
        uint64_t skip = s->pos - s->out_pos;
        r = zc__inflate(s, s->buf, skip < s->buf_size ? (size_t)skip : s->buf_size, &made, diag);
    }
    if (r == ZC_OK) r = zc__inflate(s, dst, want, &made, diag);
    *done = r == ZC_OK ? want : made;
    return r;
}

#endif /* ZC_NO_ZSTD */

/* ---------------------------------------------------------------------------------
 * Open and close
 * ------------------------------------------------------------------------------- */

zc_result zc__codec_decodable(const zc_entry *e, zc_diag *diag) {
    if (e->codec != ZC_CODEC_ZSTD && e->codec != ZC_CODEC_ZSTD_SEEKABLE)
        return zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC, "codec %u is not decoded by this reader", (unsigned)e->codec);
#ifdef ZC_NO_ZSTD
    return zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC, "this build of the runtime decodes no zstd entries (ZC_NO_ZSTD)");
#else
    return ZC_OK;
#endif
}

/* Decide how s reads its entry (the checks that need no decoding, the dictionary)
 * and how large its buffer is. */
static zc_result zc__stream_plan(zc_pack *pack, zc_stream *s, zc_diag *diag) {
    const zc_entry *e = &s->entry;
    if (e->codec == ZC_CODEC_NONE) {
        s->mode = ZC__STREAM_PLACE;
        return ZC_OK;
    }
    zc_result r = zc__codec_decodable(e, diag);
#ifdef ZC_NO_ZSTD
    (void)pack;
    return r;
#else
    if (r != ZC_OK) return r;
    if (e->stored_size > SIZE_MAX)
        return zc_fail(diag, ZC_ERR_LIMIT, "%llu stored bytes exceed this host's address space",
                       (unsigned long long)e->stored_size);
    if (e->codec == ZC_CODEC_ZSTD_SEEKABLE) {
        r = zc_seek_table_check(e->data, e->stored_size, e->raw_size, &s->table, diag);
        if (r == ZC_OK) r = zc__check_frame_at(e, &s->table, 0, 0, &s->dict_id, diag);
        s->mode = ZC__STREAM_FRAMES;
        s->buf_size = s->table.frame_raw_size;
    } else {
        r = zc__frame_check(e, &s->dict_id, diag);
        s->mode = e->raw_size <= ZC_SEEKABLE_MAX_FRAME_RAW ? ZC__STREAM_FRAMES : ZC__STREAM_INFLATE;
        s->table.frame_count = 1;
        s->table.frame_raw_size = (uint32_t)(e->raw_size <= ZC_SEEKABLE_MAX_FRAME_RAW ? e->raw_size : 0);
        s->buf_size = s->mode == ZC__STREAM_FRAMES ? (size_t)e->raw_size : ZC__SCRATCH_SIZE;
    }
    if (r == ZC_OK && s->dict_id) r = zc__pack_ddict(pack, s->dict_id, &s->ddict, diag);
    return r;
#endif
}

zc_result zc_stream_open_entry(zc_stream **out, zc_pack *pack, const zc_entry *entry) {
    if (out) *out = NULL;
    if (!out || !pack || !entry) return ZC_ERR_INVALID_ARGUMENT;
    zc_stream plan;
    memset(&plan, 0, sizeof plan);
    if (zc_pack_entry_at(pack, entry->index, &plan.entry) != ZC_OK || plan.entry.id != entry->id) {
        zc__pack_log(pack, ZC_LOG_ERROR, "zc_stream_open_entry: the entry does not belong to this pack");
        return ZC_ERR_INVALID_ARGUMENT;
    }
    zc_diag diag;
    diag.message[0] = 0;
    zc_result r = zc__stream_plan(pack, &plan, &diag);
    if (r != ZC_OK) return zc__entry_error(pack, &plan.entry, r, &diag);
    size_t head = (sizeof plan + 15u) & ~(size_t)15u;
    plan.block_size = head + plan.buf_size;
    zc_stream *s = (zc_stream *)pack->allocator.alloc((size_t)plan.block_size, pack->allocator.user_data);
    if (!s) {
        zc_fail(&diag, ZC_ERR_OUT_OF_MEMORY, "cannot allocate %llu bytes for a stream",
                (unsigned long long)plan.block_size);
        return zc__entry_error(pack, &plan.entry, ZC_ERR_OUT_OF_MEMORY, &diag);
    }
    *s = plan;
    s->pack = pack;
    s->buf = plan.buf_size ? (uint8_t *)s + head : NULL;
#ifndef ZC_NO_ZSTD
    s->loaded = ZC__NO_FRAME;
    if (s->mode != ZC__STREAM_PLACE) {
        s->dctx = ZSTD_createDCtx();
        if (s->dctx) ZSTD_DCtx_setParameter(s->dctx, ZSTD_d_windowLogMax, ZC_MAX_WINDOW_LOG);
        if (s->dctx && s->ddict) ZSTD_DCtx_refDDict(s->dctx, s->ddict);
        if (!s->dctx) {
            pack->allocator.free(s, pack->allocator.user_data);
            zc_fail(&diag, ZC_ERR_OUT_OF_MEMORY, "cannot create a zstd decoding context for a stream");
            return zc__entry_error(pack, &plan.entry, ZC_ERR_OUT_OF_MEMORY, &diag);
        }
    }
#endif
    zc__pack_ref(pack);
    *out = s;
    return ZC_OK;
}

zc_result zc_stream_open(zc_stream **out, zc_pack *pack, const char *path) {
    if (out) *out = NULL;
    if (!out || !pack || !path) return ZC_ERR_INVALID_ARGUMENT;
    zc_entry e;
    zc_result r = zc_pack_find(pack, path, &e);
    return r == ZC_OK ? zc_stream_open_entry(out, pack, &e) : r;
}

zc_result zc_stream_open_id(zc_stream **out, zc_pack *pack, uint64_t id) {
    if (out) *out = NULL;
    if (!out || !pack) return ZC_ERR_INVALID_ARGUMENT;
    if (id == 0) return ZC_ERR_NO_ENTRY;
    zc_entry e;
    zc_result r = zc_pack_find_id(pack, id, &e);
    return r == ZC_OK ? zc_stream_open_entry(out, pack, &e) : r;
}

void zc_stream_close(zc_stream *stream) {
    if (!stream) return;
    zc_pack *pack = stream->pack;
#ifndef ZC_NO_ZSTD
    ZSTD_freeDCtx(stream->dctx);
#endif
    pack->allocator.free(stream, pack->allocator.user_data);
    zc__pack_unref(pack);
}

/* ---------------------------------------------------------------------------------
 * Reading and seeking
 * ------------------------------------------------------------------------------- */

zc_result zc_stream_read(zc_stream *stream, void *dst, size_t size, size_t *out_read) {
    if (out_read) *out_read = 0;
    if (!stream || !out_read || (!dst && size)) return ZC_ERR_INVALID_ARGUMENT;
    zc_stream *s = stream;
    uint64_t left = s->entry.raw_size - s->pos;
    size_t want = size < left ? size : (size_t)left, done = 0;
    if (want == 0) return ZC_OK;
    zc_result r = ZC_OK;
    zc_diag diag;
    diag.message[0] = 0;
    if (s->mode == ZC__STREAM_PLACE) {
        memcpy(dst, (const uint8_t *)s->entry.data + s->pos, want);
        done = want;
    }
#ifndef ZC_NO_ZSTD
    else if (s->mode == ZC__STREAM_FRAMES)
        r = zc__read_frames(s, (uint8_t *)dst, want, &done, &diag);
    else
        r = zc__read_inflate(s, (uint8_t *)dst, want, &done, &diag);
#endif
    s->pos += done;
    *out_read = done;
    return r == ZC_OK ? ZC_OK : zc__entry_error(s->pack, &s->entry, r, &diag);
}

zc_result zc_stream_seek(zc_stream *stream, int64_t offset, zc_whence whence) {
    if (!stream) return ZC_ERR_INVALID_ARGUMENT;
    uint64_t size = stream->entry.raw_size, base;
    switch (whence) {
    case ZC_SEEK_SET: base = 0; break;
    case ZC_SEEK_CUR: base = stream->pos; break;
    case ZC_SEEK_END: base = size; break;
    default: return ZC_ERR_INVALID_ARGUMENT;
    }
    if (offset < 0) {
        uint64_t back = (uint64_t)(-(offset + 1)) + 1u; /* |offset| without overflow at INT64_MIN */
        if (back > base) return ZC_ERR_INVALID_ARGUMENT;
        stream->pos = base - back;
    } else {
        if ((uint64_t)offset > size - base) return ZC_ERR_INVALID_ARGUMENT;
        stream->pos = base + (uint64_t)offset;
    }
    return ZC_OK;
}

uint64_t zc_stream_tell(const zc_stream *stream) {
    return stream ? stream->pos : 0;
}

uint64_t zc_stream_size(const zc_stream *stream) {
    return stream ? stream->entry.raw_size : 0;
}

const zc_entry *zc_stream_entry(const zc_stream *stream) {
    return stream ? &stream->entry : NULL;
}

uint64_t zc_stream_memory(const zc_stream *stream) {
    if (!stream) return 0;
    uint64_t bytes = stream->block_size;
#ifndef ZC_NO_ZSTD
    if (stream->dctx) bytes += ZSTD_sizeof_DCtx(stream->dctx);
#endif
    return bytes;
}
