/* zc_seekable.h - seekable zstd entries (codec 2, ZC_CODEC_ZSTD_SEEKABLE): the seek
 * table that lets a reader decode any part of a large compressed entry from the one
 * frame that holds it.
 *
 * The stored bytes of such an entry are N >= 1 independent zstd frames, frame i
 * holding raw bytes [i * frame_raw_size, min((i + 1) * frame_raw_size, raw_size)),
 * followed by one zstd skippable frame holding the seek table (SPEC.md §6.2.1):
 *
 *   offset from the table's start   size    field
 *   0                               4       ZC_SEEKABLE_SKIPPABLE_MAGIC (0x184D2A5C)
 *   4                               4       8 * N + 16: the bytes that follow
 *   8 + 8 * i                       4       stored (compressed) bytes of frame i
 *   12 + 8 * i                      4       raw bytes of frame i
 *   8 + 8 * N                       4       N, the frame count
 *   12 + 8 * N                      4       frame_raw_size
 *   16 + 8 * N                      2       version, 1
 *   18 + 8 * N                      2       reserved, 0
 *   20 + 8 * N                      4       ZC_SEEKABLE_FOOTER_MAGIC ("ZCSK")
 *
 * Everything is little-endian. Data frames and the skippable frame together are a
 * valid zstd stream: zstd's own decoder (ZSTD_decompress over the whole stored bytes)
 * decodes the entry and skips the table. The design is that of zstd's seekable
 * format (a seek table in a trailing skippable frame, read from its footer), with a
 * layout of zcpack's own, a fixed raw size per frame so a position maps to its frame
 * by one division, and the limits below. Pure: no I/O, no allocation.
 */
#ifndef ZC_SEEKABLE_H
#define ZC_SEEKABLE_H

#include "zc_format.h"

#define ZC_SEEKABLE_SKIPPABLE_MAGIC 0x184D2A5Cu  /* a zstd skippable frame magic (0x184D2A5?) */
#define ZC_SEEKABLE_FOOTER_MAGIC ZC_FOURCC('Z', 'C', 'S', 'K')
#define ZC_SEEKABLE_VERSION 1u
#define ZC_SEEKABLE_RECORD_SIZE 8u              /* stored size, raw size */
#define ZC_SEEKABLE_FOOTER_SIZE 16u             /* count, frame raw size, version, reserved, magic */
#define ZC_SEEKABLE_HEADER_SIZE 8u              /* skippable magic, frame size */
#define ZC_SEEKABLE_MIN_FRAME_RAW (4u << 10)    /* frame_raw_size: at least 4 KiB ... */
#define ZC_SEEKABLE_MAX_FRAME_RAW (4u << 20)    /* ... at most 4 MiB: a reader's buffer for one frame */
#define ZC_SEEKABLE_MAX_FRAMES (1u << 22)       /* frames per entry: 1 TiB at 256 KiB per frame */

/* Bytes of a seek table of `frames` frames, skippable frame header included. */
static inline uint64_t zc_seek_table_size(uint32_t frames) {
    return ZC_SEEKABLE_HEADER_SIZE + (uint64_t)frames * ZC_SEEKABLE_RECORD_SIZE + ZC_SEEKABLE_FOOTER_SIZE;
}

/* A seek table that zc_seek_table_check accepted; records point into the stored
 * bytes it was checked on. */
typedef struct zc_seek_table {
    const uint8_t *records;     /* frame_count records of ZC_SEEKABLE_RECORD_SIZE bytes */
    uint32_t frame_count;
    uint32_t frame_raw_size;    /* raw bytes of every frame but the last */
    uint64_t frames_size;       /* stored bytes of all frames: the table starts here */
    uint64_t raw_size;          /* the entry's raw_size */
} zc_seek_table;

/* Stored and raw bytes of frame i (i < frame_count) of a checked table. */
static inline uint32_t zc_seek_frame_stored(const zc_seek_table *t, uint32_t i) {
    return zc_le32(t->records + (size_t)i * ZC_SEEKABLE_RECORD_SIZE);
}
static inline uint32_t zc_seek_frame_raw(const zc_seek_table *t, uint32_t i) {
    return zc_le32(t->records + (size_t)i * ZC_SEEKABLE_RECORD_SIZE + 4);
}

/* Check the seek table at the end of a codec-2 entry's `stored_size` stored bytes
 * against the entry's raw_size (SPEC.md §6.2.1, steps SK1 to SK8, in that order) and
 * fill *out. ZC_ERR_BAD_ENTRY for a missing, damaged or inconsistent table;
 * ZC_ERR_LIMIT for a frame size or frame count above the limits. O(frame count),
 * bounded by stored_size / 8; reads nothing outside the stored bytes. The frames
 * themselves are checked when they are decoded (Z2 to Z8 per frame). Untrusted
 * input: safe. */
static inline zc_result zc_seek_table_check(const void *stored, uint64_t stored_size, uint64_t raw_size,
                                            zc_seek_table *out, zc_diag *diag) {
    const uint8_t *p = (const uint8_t *)stored;
    memset(out, 0, sizeof *out);
    if (stored_size < zc_seek_table_size(1) ||
        zc_le32(p + stored_size - 4) != ZC_SEEKABLE_FOOTER_MAGIC) /* SK1 */
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "seekable zstd entry does not end with a seek table footer");
    const uint8_t *footer = p + stored_size - ZC_SEEKABLE_FOOTER_SIZE;
    uint32_t count = zc_le32(footer), frame_raw = zc_le32(footer + 4);
    if (zc_le16(footer + 8) != ZC_SEEKABLE_VERSION || zc_le16(footer + 10) != 0) /* SK2 */
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "seek table version %u (reserved %u); this reader knows %u",
                       zc_le16(footer + 8), zc_le16(footer + 10), ZC_SEEKABLE_VERSION);
    if (frame_raw < ZC_SEEKABLE_MIN_FRAME_RAW || frame_raw > ZC_SEEKABLE_MAX_FRAME_RAW) /* SK3 */
        return zc_fail(diag, frame_raw > ZC_SEEKABLE_MAX_FRAME_RAW ? ZC_ERR_LIMIT : ZC_ERR_BAD_ENTRY,
                       "seek table frame size of %u raw bytes is outside [%u, %u]", frame_raw,
                       ZC_SEEKABLE_MIN_FRAME_RAW, ZC_SEEKABLE_MAX_FRAME_RAW);
    if (count == 0 || count > ZC_SEEKABLE_MAX_FRAMES) /* SK4 */
        return zc_fail(diag, count ? ZC_ERR_LIMIT : ZC_ERR_BAD_ENTRY, "seek table of %u frames is outside [1, %u]",
                       count, ZC_SEEKABLE_MAX_FRAMES);
    uint64_t table = zc_seek_table_size(count);
    if (table >= stored_size) /* SK5: at least one byte of frames precedes it */
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "seek table of %u frames (%llu bytes) does not fit in %llu stored bytes",
                       count, (unsigned long long)table, (unsigned long long)stored_size);
    const uint8_t *head = p + (stored_size - table);
    if (zc_le32(head) != ZC_SEEKABLE_SKIPPABLE_MAGIC || zc_le32(head + 4) != table - ZC_SEEKABLE_HEADER_SIZE) /* SK6 */
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "seek table of %u frames lacks its skippable frame header "
                       "(magic 0x%08x, size %u)", count, zc_le32(head), zc_le32(head + 4));
    if (raw_size == 0 || (raw_size - 1) / frame_raw + 1 != count) /* SK7 */
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "%u frames of %u raw bytes cannot hold the entry's %llu raw bytes",
                       count, frame_raw, (unsigned long long)raw_size);
    uint64_t frames = stored_size - table, sum = 0, last = raw_size - (uint64_t)(count - 1) * frame_raw;
    const uint8_t *rec = head + ZC_SEEKABLE_HEADER_SIZE;
    for (uint32_t i = 0; i < count; ++i, rec += ZC_SEEKABLE_RECORD_SIZE) { /* SK8 */
        uint32_t s = zc_le32(rec), r = zc_le32(rec + 4);
        uint64_t want = i + 1 < count ? frame_raw : last;
        if (r != want)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "seek table frame %u holds %u raw bytes instead of %llu", i, r,
                           (unsigned long long)want);
        if (s == 0 || s > frames - sum)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "seek table frame %u of %u stored bytes lies outside the %llu "
                           "bytes before the table", i, s, (unsigned long long)frames);
        sum += s;
    }
    if (sum != frames)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "seek table frames add up to %llu stored bytes but %llu precede the "
                       "table", (unsigned long long)sum, (unsigned long long)frames);
    out->records = head + ZC_SEEKABLE_HEADER_SIZE;
    out->frame_count = count;
    out->frame_raw_size = frame_raw;
    out->frames_size = frames;
    out->raw_size = raw_size;
    return ZC_OK;
}

#endif /* ZC_SEEKABLE_H */
