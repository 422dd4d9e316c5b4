/* zc_pack.c - open, validate and look up packs (the runtime's core).
 *
 * A pack is one contiguous read-only image of the file: a mapping, a buffer read by
 * the fallback, or the caller's memory. After open everything is read from that
 * image; no call in this file allocates after zc_pack_open, except validation at FULL
 * and CHECKSUMS of compressed entries (one array of their payload keys, 48 bytes per
 * compressed record, to decode each shared payload once; the decodes themselves in
 * zc_entry_cache.c, one at a time), and the padding check at CHECKSUMS of a pack of more than 256 entries (one array
 * that sorts the payloads).
 */
#include "zc_pack.h"
#include "zc_pack_internal.h"
#include "zc_os.h"
#include "zc_hash.h"

#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <uv.h>
#include <xxhash.h>

/* Read fallback buffers are over-allocated by this much so the image can start on a
 * boundary that honours every entry alignment the format allows. */
#define ZC__IMAGE_ALIGN ((size_t)1 << ZC_MAX_ALIGN_LOG2)

/* Fuzz builds only (tools/fuzz.sh defines FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, the
 * libFuzzer convention): skip every hash comparison (header and TOC checksums, each id
 * against its path, content hashes) so the fuzzer, which cannot forge XXH3 values,
 * reaches the structure behind them. Never defined in a real build. */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define ZC__CHECK_HASHES 0
#else
#define ZC__CHECK_HASHES 1
#endif


const char *zc_version_string(void) {
#define ZC__STR2(x) #x
#define ZC__STR(x) ZC__STR2(x)
    return ZC__STR(ZC_VERSION_MAJOR) "." ZC__STR(ZC_VERSION_MINOR) "." ZC__STR(ZC_VERSION_PATCH);
#undef ZC__STR
#undef ZC__STR2
}

uint32_t zc_version_number(void) { return ZC_VERSION_NUMBER; }

uint64_t zc_asset_id(const char *path, size_t length) { return XXH3_64bits(path, length); }

/* ---------------------------------------------------------------------------------
 * Hooks
 * ------------------------------------------------------------------------------- */

static void *zc__default_alloc(size_t size, void *user_data) {
    (void)user_data;
    return malloc(size);
}
static void zc__default_free(void *ptr, void *user_data) {
    (void)user_data;
    free(ptr);
}

void zc__pack_log(const zc_pack *pack, zc_log_level level, const char *message) {
    if (!pack->logger.func) return;
    char line[400];
    snprintf(line, sizeof line, "%s: %s", pack->name ? pack->name : "pack", message);
    pack->logger.func(level, line, pack->logger.user_data);
}

/* Log diag's sentence (or the code's description) as an error; return the code. */
static zc_result zc__report(const zc_pack *pack, zc_result code, const zc_diag *diag) {
    zc__pack_log(pack, ZC_LOG_ERROR, diag && diag->message[0] ? diag->message : zc_result_str(code));
    return code;
}

/* ---------------------------------------------------------------------------------
 * Validation
 * ------------------------------------------------------------------------------- */

/* XXH3-64 of the header_size header bytes with the checksum field read as zero. */
static uint64_t zc__header_checksum(const uint8_t *header, uint32_t header_size) {
    XXH3_state_t state;
    static const uint8_t zero[8];
    XXH3_64bits_reset(&state);
    XXH3_64bits_update(&state, header, ZC_HEADER_CHECKSUM_OFFSET);
    XXH3_64bits_update(&state, zero, sizeof zero);
    XXH3_64bits_update(&state, header + ZC_HEADER_CHECKSUM_OFFSET + 8,
                       header_size - ZC_HEADER_CHECKSUM_OFFSET - 8);
    return XXH3_64bits_digest(&state);
}

static const zc_toc_entry *zc__record(const zc_pack *pack, uint32_t index) {
    return zc_toc_entry_at(pack->toc, index);
}

/* H14: the header checksum. Needs only zc_check_header. */
static zc_result zc__check_header_checksum(const zc_pack *pack, zc_diag *diag) {
    if (ZC__CHECK_HASHES &&
        zc_le64(pack->head + ZC_HEADER_CHECKSUM_OFFSET) != zc__header_checksum(pack->head, pack->header_size))
        return zc_fail(diag, ZC_ERR_HEADER_CHECKSUM, "header checksum mismatch: the header is damaged");
    return ZC_OK;
}

/* H15 given the TOC's hash (however its bytes were read). */
static zc_result zc__check_toc_hash(const zc_pack *pack, uint64_t hash, zc_diag *diag) {
    if (ZC__CHECK_HASHES && hash != pack->header.toc_checksum)
        return zc_fail(diag, ZC_ERR_TOC_CHECKSUM, "table of contents checksum mismatch: the TOC is damaged");
    return ZC_OK;
}

/* P1 (SPEC.md 4.9): TOC piece k matches its hash in the piece table at TOC offset
 * `table`. Reads the piece and its table slot in the image; k is a piece of the table. */
static zc_result zc__check_piece(const zc_pack *pack, uint64_t table, uint32_t log2, uint64_t k, zc_diag *diag) {
    uint64_t from = k << log2, to = from + ((uint64_t)1 << log2);
    if (to > table) to = table;
    if (ZC__CHECK_HASHES && zc__xxh3(pack->toc + from, (size_t)(to - from)) != zc_le64(pack->toc + table + k * 8))
        return zc_fail(diag, ZC_ERR_TOC_CHECKSUM,
                       "table of contents checksum mismatch in TOC bytes %llu to %llu: the TOC is damaged",
                       (unsigned long long)from, (unsigned long long)to);
    return ZC_OK;
}

/* zc__toc_read's work where a piece is not yet marked. */
static zc_result zc__toc_check_pieces(const zc_pack *pack, uint64_t at, uint64_t n, zc_diag *diag) {
    uint64_t end = at + n < pack->pieces_end ? at + n : pack->pieces_end;
    for (uint64_t k = at >> pack->piece_log2; at < end && (k << pack->piece_log2) < end; ++k) {
        if (atomic_load_explicit(&pack->piece_checked[k], memory_order_acquire)) continue;
        zc_result r = zc__check_piece(pack, pack->pieces_end, pack->piece_log2, k, diag);
        if (r != ZC_OK) return r;
        atomic_store_explicit(&pack->piece_checked[k], 1, memory_order_release);
    }
    return ZC_OK;
}

/* The TOC bytes [at, at + n) of a pack checked piece by piece may be read: every piece
 * they touch has matched its hash, now or before (remembered). ZC_OK at once in any
 * other pack. Bytes of the piece table itself need no check: a damaged slot fails its
 * piece's. The common case, bytes in one or two pieces already marked, costs two
 * loads. Any thread, lock-free; [at, at + n) lies inside the TOC. */
static inline zc_result zc__toc_read(const zc_pack *pack, uint64_t at, uint64_t n, zc_diag *diag) {
    if (!pack->piece_checked || n == 0) return ZC_OK;
    if (at + n <= pack->pieces_end) {
        uint64_t first = at >> pack->piece_log2, last = (at + n - 1) >> pack->piece_log2;
        if (last - first <= 1 && atomic_load_explicit(&pack->piece_checked[first], memory_order_acquire) &&
            atomic_load_explicit(&pack->piece_checked[last], memory_order_acquire))
            return ZC_OK;
    }
    return zc__toc_check_pieces(pack, at, n, diag);
}

/* The two checksums that guard the header and the TOC, the TOC read in the image; in a
 * TOC with pieces whose placement passes T12, every piece's hash too (P1). */
static zc_result zc__validate_checksums(const zc_pack *pack, zc_diag *diag) {
    zc_result r = zc__check_header_checksum(pack, diag);
    if (r != ZC_OK || !ZC__CHECK_HASHES) return r;
    if ((r = zc__check_toc_hash(pack, zc__xxh3(pack->toc, (size_t)pack->toc_size), diag)) != ZC_OK) return r;
    uint64_t table;
    uint32_t log2;
    if (zc_check_toc_pieces(pack->toc, pack->toc_size, &table, &log2, NULL) != ZC_OK || !table) return ZC_OK;
    uint64_t count = zc_toc_piece_count(table, log2);
    for (uint64_t k = 0; k < count && r == ZC_OK; ++k) r = zc__check_piece(pack, table, log2, k, diag);
    return r;
}

/* Bytes of the TOC read per pread by zc__toc_pass_read: below malloc's threshold for
 * mapping fresh memory, so the buffer's pages are reused from one open to the next. */
#define ZC__TOC_CHUNK ((size_t)64 << 10)

/* What open at level TOC learns in its one pass over the TOC of a mapped pack, which it
 * makes with pread rather than through the mapping (that would fault in every TOC page,
 * the larger part of open's time where page faults are dear): the TOC's hash (H15) and,
 * from the layout the TOC header's first bytes describe, R14's sum and the walk of the
 * bucket table (T11). zc__attach uses the last two only after the TOC header has passed
 * its checks and describes the same layout; otherwise it reads them in the image. */
typedef struct zc__toc_pass {
    zc__xxh3_state hash;
    int records;                /* deps counts summed for this layout: */
    uint32_t header_size, entry_size, entry_count, next_record;
    uint64_t deps_total;
    int table;                  /* bucket table walked at this place: */
    uint64_t table_offset, slots, next_slot;
    uint32_t table_bits, first, last, descents;
} zc__toc_pass;

/* The layout of the TOC's first `n` bytes, when it is one the checks could accept. */
static void zc__toc_pass_layout(zc__toc_pass *p, const uint8_t *b, uint64_t n, uint64_t toc_size) {
    if (n < ZC_TOC_INDEXED_HEADER_SIZE) return; /* a TOC this small is read in the image */
    uint32_t header_size = zc_le32(b + offsetof(zc_toc_header, header_size));
    uint32_t entry_size = zc_le32(b + offsetof(zc_toc_header, entry_size));
    uint32_t count = zc_le32(b + offsetof(zc_toc_header, entry_count));
    if (header_size % 8 || header_size < sizeof(zc_toc_header) || header_size > ZC_MAX_TOC_HEADER_SIZE ||
        entry_size % 8 || entry_size < sizeof(zc_toc_entry) || entry_size > ZC_MAX_TOC_HEADER_SIZE ||
        count > ZC_MAX_ENTRIES || header_size + (uint64_t)count * entry_size > toc_size)
        return;
    p->records = 1;
    p->header_size = header_size;
    p->entry_size = entry_size;
    p->entry_count = count;
    if (header_size < ZC_TOC_INDEXED_HEADER_SIZE) return;
    uint64_t offset = zc_le64(b + sizeof(zc_toc_header) + offsetof(zc_toc_index, offset));
    uint32_t bits = zc_le32(b + sizeof(zc_toc_header) + offsetof(zc_toc_index, bits));
    if (!offset || offset % 4 || bits > ZC_TOC_INDEX_MAX_BITS) return;
    uint64_t slots = ((uint64_t)1 << bits) + 1;
    if (slots * 4 > toc_size || offset > toc_size - slots * 4) return;
    p->table = 1;
    p->table_offset = offset;
    p->table_bits = bits;
    p->slots = slots;
}

/* Feed the `n` TOC bytes at TOC offset `at`; pieces come in order from offset 0, each a
 * multiple of 8 bytes long but the last, so no 4-byte field at a multiple of 4 spans
 * two pieces. */
static void zc__toc_pass_feed(zc__toc_pass *p, const uint8_t *b, uint64_t at, uint64_t n, uint64_t toc_size) {
    zc__xxh3_update(&p->hash, b, (size_t)n);
    if (at == 0) zc__toc_pass_layout(p, b, n, toc_size);
    const uint64_t end = at + n;
    while (p->records && p->next_record < p->entry_count) {
        uint64_t pos = p->header_size + (uint64_t)p->next_record * p->entry_size + offsetof(zc_toc_entry, deps_count);
        if (pos + 4 > end) break;
        p->deps_total += zc_le32(b + (pos - at));
        p->next_record++;
    }
    while (p->table && p->next_slot < p->slots) {
        uint64_t pos = p->table_offset + p->next_slot * 4;
        if (pos + 4 > end) break;
        uint32_t value = zc_le32(b + (pos - at));
        if (p->next_slot == 0) p->first = value;
        else p->descents |= (uint32_t)(p->last > value);
        p->last = value;
        p->next_slot++;
    }
}

/* Read the TOC of a mapped pack with pread, ZC__TOC_CHUNK bytes at a time (or the whole
 * TOC when it is smaller), through one buffer from the pack's allocator (freed before
 * returning) into *p. */
static zc_result zc__toc_pass_read(zc_pack *pack, zc__toc_pass *p, zc_diag *diag) {
    memset(p, 0, sizeof *p);
    zc__xxh3_reset(&p->hash);
    const size_t chunk = pack->toc_size < ZC__TOC_CHUNK ? (size_t)pack->toc_size : ZC__TOC_CHUNK;
    uint8_t *buffer = (uint8_t *)pack->allocator.alloc(chunk, pack->allocator.user_data);
    if (!buffer)
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "cannot allocate %u bytes to read the table of contents",
                       (unsigned)chunk);
    zc_result r = ZC_OK;
    for (uint64_t at = 0; at < pack->toc_size && r == ZC_OK; at += chunk) {
        uint64_t n = pack->toc_size - at < chunk ? pack->toc_size - at : chunk;
        r = zc__os_read_at(&pack->file, buffer, n, pack->header.toc_offset + at, diag);
        if (r == ZC_ERR_TRUNCATED)
            r = zc_fail(diag, r, "the pack changed size while being read (%llu bytes when opened, shorter now): "
                        "it is being rewritten in place", (unsigned long long)pack->size);
        if (r == ZC_OK) zc__toc_pass_feed(p, buffer, at, n, pack->toc_size);
    }
    pack->allocator.free(buffer, pack->allocator.user_data);
    return r;
}

/* R13 for one record that passed R1 to R12: its id is the hash of its path. */
static zc_result zc__check_id(const zc_pack *pack, uint32_t index, zc_diag *diag) {
    const zc_toc_entry *e = zc__record(pack, index);
    if (ZC__CHECK_HASHES && XXH3_64bits(pack->strings + e->path_offset, e->path_length) != e->id)
        return zc_fail(diag, ZC_ERR_BAD_TOC, "entry %u (%s): id %016llx is not the hash of its path", index,
                       pack->strings + e->path_offset, (unsigned long long)e->id);
    return ZC_OK;
}

/* Every record's structure, and id == XXH3-64(path). Needs zc_check_toc_header. */
static zc_result zc__validate_records(const zc_pack *pack, zc_diag *diag) {
    zc_result r = zc_check_toc(pack->toc, pack->toc_size, pack->header_size, pack->header.toc_offset, diag);
    for (uint32_t i = 0; i < pack->entry_count && r == ZC_OK; ++i) r = zc__check_id(pack, i, diag);
    return r;
}

/* The checks of one uncompressed entry at the pack's level beyond its record: E3
 * (structure) at FULL and above, E4 (content hash) at CHECKSUMS. */
static zc_result zc__check_stored_entry(const zc_pack *pack, const zc_toc_entry *e, int checksums, zc_diag *diag) {
    const void *data = pack->base + e->offset;
    if (checksums) zc__os_map_populate(&pack->map, e->offset, e->raw_size); /* the hash reads every page */
    zc_result r = zc__pack_check_payload(pack, e->type, e->layout_hash, data, e->raw_size, diag);
    if (r == ZC_ERR_UNKNOWN_TYPE) r = ZC_OK; /* opaque bytes to this reader (SPEC 8.3) */
    if (r == ZC_OK && checksums && ZC__CHECK_HASHES && zc__xxh3(data, (size_t)e->raw_size) != e->content_hash)
        r = zc_fail(diag, ZC_ERR_ENTRY_CHECKSUM, "content hash mismatch: the data is damaged");
    return r;
}

/* R1 to R13 of one record, then, in a pack that checks FULL or CHECKSUMS lazily
 * (zc__pack_open_lazy), the entry checks an uncompressed entry can have without
 * decoding; a compressed entry's are those of zc_pack_acquire, which decodes it. */
/* In a pack checked piece by piece, the pieces record `index`'s checks read: the
 * record, its predecessor's id (R4), and, where R1 and R11 will let them be read, its
 * path and dependency slice, and its id's bucket (R15). */
static zc_result zc__check_record_pieces(const zc_pack *pack, uint32_t index, zc_diag *diag) {
    if (!pack->piece_checked) return ZC_OK;
    const zc_toc_entry *e = zc__record(pack, index);
    const uint64_t at = (uint64_t)((const uint8_t *)e - pack->toc);
    const uint64_t strings = (uint64_t)((const uint8_t *)pack->strings - pack->toc);
    const uint64_t strings_size = ((const zc_toc_header *)pack->toc)->strings_size;
    zc_result r = zc__toc_read(pack, at, pack->entry_size, diag);
    if (r == ZC_OK && index > 0) r = zc__toc_read(pack, at - pack->entry_size, sizeof e->id, diag);
    if (r != ZC_OK) return r;
    if ((uint64_t)e->path_length + 1 <= strings_size && e->path_offset <= strings_size - e->path_length - 1 &&
        (r = zc__toc_read(pack, strings + e->path_offset, (uint64_t)e->path_length + 1, diag)) != ZC_OK)
        return r;
    if (e->deps_count <= pack->dep_count && e->deps_first <= pack->dep_count - e->deps_count &&
        (r = zc__toc_read(pack, (uint64_t)((const uint8_t *)(pack->deps + e->deps_first) - pack->toc),
                          (uint64_t)e->deps_count * 8, diag)) != ZC_OK)
        return r;
    if (!pack->index) return ZC_OK;
    const uint32_t *bucket = pack->index + zc_toc_index_bucket(e->id, pack->index_bits);
    return zc__toc_read(pack, (uint64_t)((const uint8_t *)bucket - pack->toc), 8, diag);
}

static zc_result zc__check_touched(const zc_pack *pack, uint32_t index, unsigned *marks, zc_diag *diag) {
    zc_result r = zc__check_record_pieces(pack, index, diag);
    if (r == ZC_OK) r = zc_check_toc_entry(pack->toc, index, pack->header_size, pack->header.toc_offset, diag);
    if (r == ZC_OK) r = zc__check_id(pack, index, diag);
    *marks = ZC__CHECKED_RECORD;
    const zc_toc_entry *e = zc__record(pack, index);
    if (r != ZC_OK || pack->validated < ZC_VALIDATE_FULL || e->codec != ZC_CODEC_NONE) return r;
    zc_diag sub;
    sub.message[0] = 0;
    r = zc__check_stored_entry(pack, e, pack->validated == ZC_VALIDATE_CHECKSUMS, &sub);
    if (r != ZC_OK) return zc_fail(diag, r, "entry %u (%s): %s", index, pack->strings + e->path_offset, sub.message);
    *marks |= ZC__CHECKED_STRUCTURE;
    return ZC_OK;
}

zc_result zc__entry_touch(const zc_pack *pack, uint32_t index) {
    if (!pack->checked ||
        (atomic_load_explicit(&pack->checked[index], memory_order_acquire) & ZC__CHECKED_RECORD))
        return ZC_OK;
    zc_diag diag;
    diag.message[0] = 0;
    unsigned marks;
    zc_result r = zc__check_touched(pack, index, &marks, &diag);
    if (r != ZC_OK) return zc__report(pack, r, &diag);
    atomic_fetch_or_explicit(&pack->checked[index], (unsigned char)marks, memory_order_release);
    return ZC_OK;
}

zc_result zc__pack_check_toc_whole(const zc_pack *pack) {
    if (!pack->piece_checked || atomic_load_explicit(&pack->toc_whole_checked, memory_order_acquire)) return ZC_OK;
    zc_diag diag;
    diag.message[0] = 0;
    zc_result r = zc__toc_read(pack, 0, pack->pieces_end, &diag);
    if (r == ZC_OK && pack->index) r = zc_check_toc_index_table(pack->index, pack->index_bits, pack->entry_count, &diag);
    if (r == ZC_OK) r = zc_check_toc_deps_total(pack->toc, &diag);
    if (r != ZC_OK) return zc__report(pack, r, &diag);
    /* the pack is const to its readers; this flag, like the marks, is theirs to set */
    atomic_store_explicit((atomic_int *)&pack->toc_whole_checked, 1, memory_order_release);
    return ZC_OK;
}

static void zc__fill_entry(const zc_pack *pack, uint32_t index, zc_entry *out);

typedef struct zc__range {
    uint64_t start, end;        /* file offsets of one record's stored bytes */
} zc__range;

static int zc__compare_ranges(const void *a, const void *b) {
    uint64_t x = ((const zc__range *)a)->start, y = ((const zc__range *)b)->start;
    return x < y ? -1 : x > y;
}

/* Bytes [from, to) of the image are zero; else ZC_ERR_BAD_PADDING naming the first
 * byte that is not. */
static zc_result zc__check_zeros(const zc_pack *pack, uint64_t from, uint64_t to, zc_diag *diag) {
    const uint8_t *p = pack->base;
    while (from < to) {
        uint64_t end = to - from > 4096 ? from + 4096 : to;
        uint8_t any = 0;
        for (uint64_t i = from; i < end; ++i) any |= p[i];
        if (any) {
            while (!p[from]) ++from;
            return zc_fail(diag, ZC_ERR_BAD_PADDING,
                           "padding byte at file offset %llu is 0x%02x, not zero: the payload area is damaged",
                           (unsigned long long)from, p[from]);
        }
        from = end;
    }
    return ZC_OK;
}

#define ZC__STACK_RANGES 256

/* The records' non-empty stored ranges, sorted by offset, into *out (*used of them):
 * `stack` (ZC__STACK_RANGES long) for up to that many records, else a temporary array
 * of 16 bytes per record from the pack's allocator, released with zc__free_ranges.
 * Used by E5 and E7; the ranges are bounded by R5 to R7. */
static zc_result zc__sorted_ranges(const zc_pack *pack, zc__range *stack, zc__range **out, uint32_t *used,
                                   zc_diag *diag) {
    zc__range *ranges = stack;
    if (pack->entry_count > ZC__STACK_RANGES)
        ranges = (zc__range *)pack->allocator.alloc((size_t)pack->entry_count * sizeof *ranges,
                                                    pack->allocator.user_data);
    if (!ranges)
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "cannot allocate %llu bytes to sort the payload ranges",
                       (unsigned long long)pack->entry_count * sizeof *ranges);
    uint32_t n = 0;
    for (uint32_t i = 0; i < pack->entry_count; ++i) {
        const zc_toc_entry *e = zc__record(pack, i);
        if (e->stored_size == 0) continue;
        ranges[n].start = e->offset;
        ranges[n].end = e->offset + e->stored_size;
        n++;
    }
    if (n > 1) qsort(ranges, n, sizeof *ranges, zc__compare_ranges);
    *out = ranges;
    *used = n;
    return ZC_OK;
}

static void zc__free_ranges(const zc_pack *pack, zc__range *stack, zc__range *ranges) {
    if (ranges != stack) pack->allocator.free(ranges, pack->allocator.user_data);
}

/* E5, level CHECKSUMS: every byte of the payload area that no record's stored bytes
 * cover is zero (SPEC.md section 2), so damage there is found like damage anywhere
 * else. */
static zc_result zc__validate_padding(const zc_pack *pack, zc_diag *diag) {
    zc__range stack[ZC__STACK_RANGES], *ranges;
    uint32_t used;
    zc_result r = zc__sorted_ranges(pack, stack, &ranges, &used, diag);
    if (r != ZC_OK) return r;
    uint64_t at = pack->header_size;
    for (uint32_t k = 0; k <= used && r == ZC_OK; ++k) {
        uint64_t next = k < used ? ranges[k].start : pack->header.toc_offset;
        if (next > at) r = zc__check_zeros(pack, at, next, diag);
        if (k < used && ranges[k].end > at) at = ranges[k].end;
    }
    zc__free_ranges(pack, stack, ranges);
    return r;
}

/* E7, level FULL and above: two records' stored bytes are either the same range
 * (a shared payload) or disjoint; no writer produces a partial overlap. One sort by
 * offset, O(n log n). */
static zc_result zc__validate_overlap(const zc_pack *pack, zc_diag *diag) {
    if (pack->entry_count < 2) return ZC_OK;
    zc__range stack[ZC__STACK_RANGES], *ranges;
    uint32_t used;
    zc_result r = zc__sorted_ranges(pack, stack, &ranges, &used, diag);
    if (r != ZC_OK) return r;
    uint64_t start = 0, end = 0, max_end = 0;
    for (uint32_t k = 0; k < used && r == ZC_OK; ++k) {
        if (k > 0 && ranges[k].start == start && ranges[k].end == end) continue;
        if (k > 0 && ranges[k].start < max_end)
            r = zc_fail(diag, ZC_ERR_BAD_TOC, "payloads [%llu, %llu) and [%llu, %llu) partially overlap",
                        (unsigned long long)start, (unsigned long long)end,
                        (unsigned long long)ranges[k].start, (unsigned long long)ranges[k].end);
        start = ranges[k].start;
        end = ranges[k].end;
        if (end > max_end) max_end = end;
    }
    zc__free_ranges(pack, stack, ranges);
    return r;
}

/* One compressed record's payload and what its check depends on: two records with
 * equal keys decode to the same bytes and pass or fail the same checks. */
typedef struct zc__payload_key {
    uint64_t offset, stored_size, raw_size, content_hash;
    uint32_t type, layout_hash, codec, index;
} zc__payload_key;

static int zc__compare_payload_keys(const void *pa, const void *pb) {
    const zc__payload_key *a = (const zc__payload_key *)pa, *b = (const zc__payload_key *)pb;
#define ZC__CMP(f) if (a->f != b->f) return a->f < b->f ? -1 : 1
    ZC__CMP(offset); ZC__CMP(stored_size); ZC__CMP(raw_size); ZC__CMP(content_hash);
    ZC__CMP(type); ZC__CMP(layout_hash); ZC__CMP(codec); ZC__CMP(index);
#undef ZC__CMP
    return 0;
}

/* Decode budget of one validation (zc_pack.h, ZC_VALIDATE_FULL): the larger of
 * ZC_VALIDATE_DECODE_RATIO times the file size and max_decoded_size. */
static uint64_t zc__decode_budget(const zc_pack *pack) {
    uint64_t by_size = pack->size > UINT64_MAX / ZC_VALIDATE_DECODE_RATIO ? UINT64_MAX
                                                                           : pack->size * ZC_VALIDATE_DECODE_RATIO;
    return by_size > pack->max_decoded_size ? by_size : pack->max_decoded_size;
}

#define ZC__VALIDATE_MAX_THREADS 64u /* threads of zc_pack_validate_threads, at most */

/* Record i is among the records `which` marks (one bit per record; NULL: all). */
#define ZC__PICKED(which, i) (!(which) || ((which)[(i) / 8] & (1u << ((i) % 8))))

/* Marks in `repeat` (one bit per record) every compressed record among `which` whose
 * payload key equals that of such a record with a lower index, so validation decodes
 * each distinct payload once. Sorting the keys keeps this O(n log n). Returns the allocation to
 * free (NULL when no record is compressed), or sets *result on allocation failure. */
static uint8_t *zc__mark_repeats(const zc_pack *pack, const uint8_t *which, zc_result *result, zc_diag *diag) {
    uint32_t compressed = 0;
    *result = ZC_OK;
    for (uint32_t i = 0; i < pack->entry_count; ++i)
        if (zc__record(pack, i)->codec != ZC_CODEC_NONE && ZC__PICKED(which, i)) compressed++;
    if (compressed == 0) return NULL;
    size_t bitmap = ((size_t)pack->entry_count + 7) / 8;
    size_t bytes = (size_t)compressed * sizeof(zc__payload_key) + bitmap;
    uint8_t *block = (uint8_t *)pack->allocator.alloc(bytes, pack->allocator.user_data);
    if (!block) {
        *result = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "cannot allocate %llu bytes to validate the entries",
                          (unsigned long long)bytes);
        return NULL;
    }
    zc__payload_key *keys = (zc__payload_key *)block;
    uint8_t *repeat = block + (size_t)compressed * sizeof(zc__payload_key);
    memset(repeat, 0, bitmap);
    uint32_t k = 0;
    for (uint32_t i = 0; i < pack->entry_count; ++i) {
        const zc_toc_entry *e = zc__record(pack, i);
        if (e->codec == ZC_CODEC_NONE || !ZC__PICKED(which, i)) continue;
        keys[k++] = (zc__payload_key){ e->offset, e->stored_size, e->raw_size, e->content_hash,
                                       e->type, e->layout_hash, e->codec, i };
    }
    qsort(keys, compressed, sizeof *keys, zc__compare_payload_keys);
    for (k = 1; k < compressed; ++k) {
        const zc__payload_key *a = &keys[k - 1], *b = &keys[k];
        if (a->offset == b->offset && a->stored_size == b->stored_size && a->raw_size == b->raw_size &&
            a->content_hash == b->content_hash && a->type == b->type && a->layout_hash == b->layout_hash &&
            a->codec == b->codec)
            repeat[b->index / 8] |= (uint8_t)(1u << (b->index % 8));
    }
    return block;
}

/* FULL and CHECKSUMS: every entry's structure, and optionally its content hash. A
 * compressed entry is decoded into a temporary buffer (not the cache), which checks
 * its frame (E2) and its content hash at both levels, then its raw bytes are checked
 * like an uncompressed entry's (E3). Records that repeat an earlier record's payload
 * key are not decoded again, and the raw bytes decoded in all are bounded by
 * zc__decode_budget (E6). At CHECKSUMS the padding between payloads follows (E5).
 * With `which` (one bit per record) only the marked records are checked, each after
 * its own record checks, and marked as checked when they pass; E7 and E5, which
 * concern the whole payload area, are left out. A `part` of a parallel validation
 * (zc_pack_validate_threads) is such a set whose records were checked already: its
 * entries are checked as without `which`, nothing is marked, and the decoded bytes
 * count against the budget in *part, which every part shares. */
static zc_result zc__validate_entries(const zc_pack *pack, int checksums, const uint8_t *which,
                                      _Atomic uint64_t *part, zc_diag *diag) {
    const int lazy = which && !part; /* zc__pack_check_entries */
    zc_result r = which ? ZC_OK : zc__validate_overlap(pack, diag);
    for (uint32_t i = 0; lazy && i < pack->entry_count && r == ZC_OK; ++i) {
        unsigned marks;
        if (ZC__PICKED(which, i)) r = zc__check_touched(pack, i, &marks, diag);
    }
    if (r != ZC_OK) return r;
    uint8_t *marks = zc__mark_repeats(pack, which, &r, diag);
    if (r != ZC_OK) return r;
    uint32_t compressed = 0;
    for (uint32_t i = 0; marks && i < pack->entry_count; ++i)
        if (zc__record(pack, i)->codec != ZC_CODEC_NONE && ZC__PICKED(which, i)) compressed++;
    const uint8_t *repeat = marks ? marks + (size_t)compressed * sizeof(zc__payload_key) : NULL;
    const uint64_t budget = zc__decode_budget(pack);
    uint64_t decoded = 0;
    for (uint32_t i = 0; i < pack->entry_count && r == ZC_OK; ++i) {
        if (!ZC__PICKED(which, i)) continue;
        const zc_toc_entry *e = zc__record(pack, i);
        const char *path = pack->strings + e->path_offset;
        void *block = NULL;
        zc_diag sub;
        sub.message[0] = 0;
        if (e->codec == ZC_CODEC_NONE) {
            if (!lazy) r = zc__check_stored_entry(pack, e, checksums, &sub); /* else zc__check_touched did */
        } else if (!(repeat[i / 8] & (1u << (i % 8)))) {
            /* decoded: the bytes decoded before this entry, by every part when shared */
            if (part) decoded = atomic_fetch_add_explicit(part, e->raw_size, memory_order_relaxed);
            if (e->raw_size > budget || decoded > budget - e->raw_size) {
                r = zc_fail(diag, ZC_ERR_LIMIT,
                            "entry %u (%s): validation would decode more than %llu bytes in all "
                            "(the larger of %u times the file size and max_decoded_size)",
                            i, path, (unsigned long long)budget, (unsigned)ZC_VALIDATE_DECODE_RATIO);
                break;
            }
            if (!part) decoded += e->raw_size;
            zc_entry entry;
            const void *data;
            zc__fill_entry(pack, i, &entry);
            r = zc__entry_decode_copy(pack, &entry, &block, &data, &sub);
            if (r == ZC_OK) r = zc__pack_check_payload(pack, e->type, e->layout_hash, data, e->raw_size, &sub);
            if (r == ZC_ERR_UNKNOWN_TYPE) r = ZC_OK; /* opaque bytes to this reader (SPEC 8.3) */
            zc__entry_free_copy(pack, block);
        }
        if (r != ZC_OK) r = zc_fail(diag, r, "entry %u (%s): %s", i, path, sub.message);
    }
    if (marks) pack->allocator.free(marks, pack->allocator.user_data);
    /* A repeat passes with the first record of its payload, checked before it here or
     * in an earlier call; only now are the picked records marked. */
    for (uint32_t i = 0; lazy && pack->checked && r == ZC_OK && i < pack->entry_count; ++i)
        if (ZC__PICKED(which, i))
            atomic_fetch_or_explicit(&pack->checked[i], (unsigned char)(ZC__CHECKED_RECORD | ZC__CHECKED_STRUCTURE),
                                     memory_order_release);
    if (r != ZC_OK || which) return r;
    return checksums ? zc__validate_padding(pack, diag) : ZC_OK;
}

zc_result zc__pack_check_entries(const zc_pack *pack, const uint8_t *which) {
    zc_diag diag;
    diag.message[0] = 0;
    zc_result r = zc__validate_entries(pack, pack->validated == ZC_VALIDATE_CHECKSUMS, which, NULL, &diag);
    return r == ZC_OK ? r : zc__report(pack, r, &diag);
}

static zc_result zc__validate(const zc_pack *pack, zc_validate level, zc_diag *diag) {
    if (level == ZC_VALIDATE_DEFAULT) level = ZC_VALIDATE_TOC;
    if (level == ZC_VALIDATE_NONE) return ZC_OK;
    zc_result r = zc__validate_checksums(pack, diag);
    if (r == ZC_OK) r = zc__validate_records(pack, diag);
    if (r != ZC_OK || level == ZC_VALIDATE_TOC) return r;
    return zc__validate_entries(pack, level == ZC_VALIDATE_CHECKSUMS, NULL, NULL, diag);
}

zc_result zc_pack_validate(const zc_pack *pack, zc_validate level) {
    if (!pack || level < ZC_VALIDATE_DEFAULT || level > ZC_VALIDATE_CHECKSUMS) return ZC_ERR_INVALID_ARGUMENT;
    zc_diag diag;
    diag.message[0] = 0;
    zc_result r = zc__validate(pack, level, &diag);
    return r == ZC_OK ? r : zc__report(pack, r, &diag);
}

/* One thread's share of zc_pack_validate_threads. */
typedef struct zc__validate_part {
    const zc_pack *pack;
    int checksums;
    uint8_t *which;             /* its records, one bit each */
    _Atomic uint64_t *decoded;  /* shared by every part */
    zc_result result;
    zc_diag diag;
    uv_thread_t thread;
} zc__validate_part;

static void zc__validate_part_run(void *arg) {
    zc__validate_part *part = (zc__validate_part *)arg;
    part->diag.message[0] = 0;
    part->result = zc__validate_entries(part->pack, part->checksums, part->which, part->decoded, &part->diag);
}

/* Mark each record in the `which` of one of `count` parts: the records of one payload
 * (twins) together, so a part decodes it once, and each payload in the part with the
 * fewest raw bytes so far. keys: entry_count of them, for sorting. */
static void zc__split_parts(const zc_pack *pack, zc__payload_key *keys, zc__validate_part *parts, uint32_t count) {
    uint64_t load[ZC__VALIDATE_MAX_THREADS] = { 0 };
    for (uint32_t i = 0; i < pack->entry_count; ++i) {
        const zc_toc_entry *e = zc__record(pack, i);
        keys[i] = (zc__payload_key){ e->offset, e->stored_size, e->raw_size, e->content_hash,
                                     e->type, e->layout_hash, e->codec, i };
    }
    qsort(keys, pack->entry_count, sizeof *keys, zc__compare_payload_keys);
    uint32_t target = 0;
    for (uint32_t k = 0; k < pack->entry_count; ++k) {
        if (k == 0 || keys[k].offset != keys[k - 1].offset || keys[k].stored_size != keys[k - 1].stored_size) {
            target = 0;
            for (uint32_t t = 1; t < count; ++t)
                if (load[t] < load[target]) target = t;
            load[target] += keys[k].raw_size;
        }
        parts[target].which[keys[k].index / 8] |= (uint8_t)(1u << (keys[k].index % 8));
    }
}

zc_result zc_pack_validate_threads(const zc_pack *pack, zc_validate level, uint32_t threads) {
    if (!pack || level < ZC_VALIDATE_DEFAULT || level > ZC_VALIDATE_CHECKSUMS) return ZC_ERR_INVALID_ARGUMENT;
    if (threads > ZC__VALIDATE_MAX_THREADS) threads = ZC__VALIDATE_MAX_THREADS;
    if (threads > pack->entry_count) threads = pack->entry_count;
    if (level < ZC_VALIDATE_FULL || threads < 2) return zc_pack_validate(pack, level);
    zc_diag diag;
    diag.message[0] = 0;
    zc_result r = zc__validate(pack, ZC_VALIDATE_TOC, &diag); /* the checksums and the records */
    if (r == ZC_OK) r = zc__validate_overlap(pack, &diag);
    if (r != ZC_OK) return zc__report(pack, r, &diag);
    size_t bitmap = ((size_t)pack->entry_count + 7) / 8;
    size_t bytes = (size_t)pack->entry_count * sizeof(zc__payload_key) + threads * (sizeof(zc__validate_part) + bitmap);
    uint8_t *block = (uint8_t *)pack->allocator.alloc(bytes, pack->allocator.user_data);
    if (!block) {
        r = zc_fail(&diag, ZC_ERR_OUT_OF_MEMORY, "cannot allocate %llu bytes to validate on %u threads",
                    (unsigned long long)bytes, threads);
        return zc__report(pack, r, &diag);
    }
    memset(block, 0, bytes);
    zc__payload_key *keys = (zc__payload_key *)block;
    zc__validate_part *parts = (zc__validate_part *)(keys + pack->entry_count);
    uint8_t *bits = (uint8_t *)(parts + threads);
    _Atomic uint64_t decoded;
    atomic_init(&decoded, 0);
    for (uint32_t t = 0; t < threads; ++t) {
        parts[t].pack = pack;
        parts[t].checksums = level == ZC_VALIDATE_CHECKSUMS;
        parts[t].which = bits + t * bitmap;
        parts[t].decoded = &decoded;
    }
    zc__split_parts(pack, keys, parts, threads);
    int started[ZC__VALIDATE_MAX_THREADS] = { 0 };
    for (uint32_t t = 1; t < threads; ++t)
        started[t] = uv_thread_create(&parts[t].thread, zc__validate_part_run, &parts[t]) == 0;
    zc__validate_part_run(&parts[0]);
    for (uint32_t t = 1; t < threads; ++t) {
        if (started[t]) uv_thread_join(&parts[t].thread);
        else zc__validate_part_run(&parts[t]); /* no thread: on this one */
    }
    /* The first part that failed, in part order, so the result does not depend on
     * which thread finished first. */
    for (uint32_t t = 0; t < threads && r == ZC_OK; ++t)
        if ((r = parts[t].result) != ZC_OK) diag = parts[t].diag;
    pack->allocator.free(block, pack->allocator.user_data);
    if (r == ZC_OK && level == ZC_VALIDATE_CHECKSUMS) r = zc__validate_padding(pack, &diag);
    return r == ZC_OK ? r : zc__report(pack, r, &diag);
}

/* ---------------------------------------------------------------------------------
 * Open and close
 * ------------------------------------------------------------------------------- */

static char *zc__strdup(const zc_allocator *a, const char *s) {
    size_t n = strlen(s) + 1;
    char *copy = (char *)a->alloc(n, a->user_data);
    if (copy) memcpy(copy, s, n);
    return copy;
}

/* Bring the file into memory: map it, or read it into an aligned buffer. */
static zc_result zc__load_file(zc_pack *pack, const char *path, zc_load load, zc_diag *diag) {
    zc_result r = zc__os_open(&pack->file, path, diag);
    if (r != ZC_OK) return r;
    pack->size = pack->file.size;
    if (pack->size < sizeof(zc_header)) {
        /* Too small for a header: read what is there so the format check names the
         * problem (bad magic or truncation) like it would for a mapped file. */
        static const uint8_t nothing[16];
        uint8_t head[sizeof(zc_header)];
        if (pack->size > 0 && (r = zc__os_read(&pack->file, head, pack->size, diag)) != ZC_OK) return r;
        r = zc_check_header(pack->size ? head : nothing, pack->size, pack->size, diag);
        return r != ZC_OK ? r : zc_fail(diag, ZC_ERR_TRUNCATED, "file is shorter than a pack header");
    }
    if (load == ZC_LOAD_MAP) {
        zc_diag map_diag;
        if (zc__os_map_file(&pack->file, &pack->map, &map_diag) == ZC_OK) {
            pack->base = (const uint8_t *)pack->map.data;
            /* The header from a read, not the mapping: one call instead of a page
             * fault (and a page table) for a page the entries may never need. */
            uint32_t n = pack->size < sizeof pack->head_copy ? (uint32_t)pack->size : (uint32_t)sizeof pack->head_copy;
            if ((r = zc__os_read(&pack->file, pack->head_copy, n, diag)) == ZC_ERR_TRUNCATED)
                return zc_fail(diag, r, "the pack changed size while being read (%llu bytes when opened, "
                               "shorter now): it is being rewritten in place", (unsigned long long)pack->size);
            if (r != ZC_OK) return r;
            pack->head_read = n;
            return ZC_OK;
        }
        zc__pack_log(pack, ZC_LOG_WARNING, map_diag.message); /* then read instead */
    }
    if (pack->size > SIZE_MAX - ZC__IMAGE_ALIGN)
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "file of %llu bytes cannot be read into memory",
                       (unsigned long long)pack->size);
    pack->read_buffer = pack->allocator.alloc((size_t)pack->size + ZC__IMAGE_ALIGN, pack->allocator.user_data);
    if (!pack->read_buffer)
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "cannot allocate %llu bytes to read the file",
                       (unsigned long long)pack->size);
    uintptr_t aligned = ((uintptr_t)pack->read_buffer + ZC__IMAGE_ALIGN - 1) & ~(uintptr_t)(ZC__IMAGE_ALIGN - 1);
    r = zc__os_read(&pack->file, (void *)aligned, pack->size, diag);
    if (r != ZC_OK) return r;
    pack->base = (const uint8_t *)aligned;
    return ZC_OK;
}

/* With trusted keys: the header checksum (the one field the signature leaves out),
 * then the signature (zc_pack.h, zc_pack_open, "Signatures"). */
static zc_result zc__check_signature(zc_pack *pack, const zc_pack_desc *desc, zc_diag *diag) {
    if (!desc->trusted_key_count) return ZC_OK;
    zc_result r = zc__check_header_checksum(pack, diag);
    if (r != ZC_OK) return r;
    uint32_t index = 0;
    r = zc__signature_verify(pack, desc->trusted_keys, desc->trusted_key_count, &index, diag);
    if (r != ZC_OK) return r;
    pack->signature_verified = 1;
    pack->verified_key = desc->trusted_keys[index];
    return ZC_OK;
}

/* The per-entry check bytes of a pack opened at level TOC, and after them one per TOC
 * piece when it is checked piece by piece (zc_pack_internal.h). */
static zc_result zc__alloc_checked(zc_pack *pack, uint64_t pieces, zc_diag *diag) {
    size_t bytes = (size_t)pack->entry_count * sizeof *pack->checked + (size_t)pieces;
    if (bytes == 0) return ZC_OK;
    /* With the default allocator, calloc: a large block comes as fresh zero pages that
     * open need not touch (a million entries' marks are 245 pages, each a fault). */
    const int zeroed = pack->allocator.alloc == zc__default_alloc;
    pack->checked = (atomic_uchar *)(zeroed ? calloc(bytes, 1) : pack->allocator.alloc(bytes, pack->allocator.user_data));
    if (!pack->checked)
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "cannot allocate %llu bytes for the entries' check marks",
                       (unsigned long long)bytes);
    if (!zeroed) memset((void *)pack->checked, 0, bytes); /* atomic_uchar 0 is the zero byte */
    if (pieces) pack->piece_checked = pack->checked + pack->entry_count;
    return ZC_OK;
}

/* Header and TOC placement checks common to every level, the signature when keys are
 * given, then the level's checks. Level TOC checks at open what costs one pass over
 * the TOC's bytes (both checksums, the lookup index, R14) and leaves each record's
 * checks to the first time its entry is handed out (zc__entry_touch). */
static zc_result zc__register_types(zc_pack *pack, const zc_pack_desc *desc, zc_diag *diag);

static zc_result zc__attach(zc_pack *pack, const zc_pack_desc *desc, int lazy, zc_diag *diag) {
    zc_validate level = desc->validate == ZC_VALIDATE_DEFAULT ? ZC_VALIDATE_TOC : desc->validate;
    /* The copy of the header serves when it holds all header_size bytes; otherwise
     * (or when it claims more) the image's own bytes are checked. */
    pack->head = pack->base;
    uint64_t available = pack->size;
    if (pack->head_read >= 16 && zc_le32(pack->head_copy + offsetof(zc_header, header_size)) <= pack->head_read) {
        pack->head = pack->head_copy;
        available = pack->head_read;
    }
    zc_result r = zc_check_header(pack->head, available, pack->size, diag);
    if (r != ZC_OK) return r;
    memcpy(&pack->header, pack->head, sizeof pack->header);
    pack->header_size = pack->header.header_size;
    pack->toc = pack->base + pack->header.toc_offset;
    pack->toc_size = pack->header.toc_size;
    pack->is_signed = zc_header_is_signed(pack->head);
    if ((r = zc__check_signature(pack, desc, diag)) != ZC_OK) return r;
    /* Checksums first, so damage is named as damage rather than as a bad field. The
     * TOC checksum reads the whole TOC: with pread at the per-entry levels of a mapped
     * pack (zc__toc_pass), else in the image with its pages mapped in one call. A TOC
     * with pieces opened at level TOC is checked piece by piece instead, where it is
     * read: here the first piece, which holds the TOC header (SPEC.md 4.9). */
    const int per_entry = level == ZC_VALIDATE_TOC || (lazy && level != ZC_VALIDATE_NONE);
    uint64_t pieces = 0;
    uint32_t piece_log2 = 0;
    const int by_piece = level == ZC_VALIDATE_TOC && !lazy &&
                         zc_check_toc_pieces(pack->toc, pack->toc_size, &pieces, &piece_log2, NULL) == ZC_OK && pieces;
    zc__toc_pass pass;
    int streamed = 0;
    if (level != ZC_VALIDATE_NONE && (r = zc__check_header_checksum(pack, diag)) != ZC_OK) return r;
    if (by_piece) {
        if ((r = zc__check_piece(pack, pieces, piece_log2, 0, diag)) != ZC_OK) return r;
    } else if (per_entry && pack->map.data && pack->file.handle >= 0) {
        /* the TOC with pread: open touches none of its pages (zc__toc_pass) */
        if ((r = zc__toc_pass_read(pack, &pass, diag)) != ZC_OK) return r;
        if ((r = zc__check_toc_hash(pack, zc__xxh3_digest(&pass.hash), diag)) != ZC_OK) return r;
        streamed = 1;
    } else if (level != ZC_VALIDATE_NONE) {
        zc__os_map_populate(&pack->map, pack->header.toc_offset, pack->toc_size);
        if ((r = zc__validate_checksums(pack, diag)) != ZC_OK) return r;
    }
    /* The TOC header, the index placement and the piece table's bound every accessor,
     * so they are checked at every level. */
    if ((r = zc_check_toc_header(pack->toc, pack->toc_size, diag)) != ZC_OK) return r;
    const zc_toc_header *th = (const zc_toc_header *)pack->toc;
    pack->entry_size = th->entry_size;
    pack->entry_count = th->entry_count;
    pack->dep_count = th->dep_count;
    pack->deps = zc_toc_deps(pack->toc);
    pack->strings = zc_toc_strings(pack->toc);
    if ((r = zc_check_toc_index(pack->toc, &pack->index, &pack->index_bits, diag)) != ZC_OK) return r;
    if ((r = zc_check_toc_pieces(pack->toc, pack->toc_size, &pieces, &piece_log2, diag)) != ZC_OK ||
        (r = zc_check_toc_pieces_placement(pack->toc, pieces, diag)) != ZC_OK)
        return r;
    if (by_piece) {
        /* T11 and R14 wait for zc__pack_check_toc_whole */
        if ((r = zc__alloc_checked(pack, zc_toc_piece_count(pieces, piece_log2), diag)) != ZC_OK) return r;
        pack->pieces_end = pieces;
        pack->piece_log2 = piece_log2;
        atomic_store_explicit(&pack->piece_checked[0], 1, memory_order_relaxed);
    } else if (per_entry) {
        /* T11 and R14 from the pass when it read the layout the checked header has */
        if (streamed && pass.table && pack->index &&
            pass.table_offset == (uint64_t)((const uint8_t *)pack->index - pack->toc) && pass.table_bits == pack->index_bits)
            r = zc_check_toc_index_summary(pass.first, pass.last, pass.descents, pack->entry_count, diag);
        else if (pack->index)
            r = zc_check_toc_index_table(pack->index, pack->index_bits, pack->entry_count, diag);
        if (r != ZC_OK) return r;
        if (streamed && pass.records && pass.header_size == th->header_size && pass.entry_size == th->entry_size &&
            pass.entry_count == th->entry_count)
            r = zc_check_toc_deps_sum(pass.deps_total, th->dep_count, diag);
        else
            r = zc_check_toc_deps_total(pack->toc, diag);
        if (r != ZC_OK) return r;
        if ((r = zc__alloc_checked(pack, 0, diag)) != ZC_OK) return r;
    }
    if (level >= ZC_VALIDATE_FULL && !lazy && (r = zc__validate_records(pack, diag)) != ZC_OK) return r;
    if (level >= ZC_VALIDATE_FULL && !lazy &&
        (r = zc__validate_entries(pack, level == ZC_VALIDATE_CHECKSUMS, NULL, NULL, diag)) != ZC_OK)
        return r;
    pack->validated = level;
    return ZC_OK;
}

static zc_result zc__open(zc_pack **out_pack, const zc_pack_desc *desc, int lazy) {
    if (!out_pack) return ZC_ERR_INVALID_ARGUMENT;
    *out_pack = NULL;
    if (!desc) return ZC_ERR_INVALID_ARGUMENT;
    const char *misuse = !desc->path && !desc->memory ? "zc_pack_open: desc has neither a path nor memory"
                         : desc->validate < ZC_VALIDATE_DEFAULT || desc->validate > ZC_VALIDATE_CHECKSUMS
                             ? "zc_pack_open: desc.validate is not a zc_validate value"
                         : desc->trusted_key_count && !desc->trusted_keys
                             ? "zc_pack_open: desc.trusted_key_count is set but desc.trusted_keys is NULL"
                         : desc->load < ZC_LOAD_DEFAULT || desc->load > ZC_LOAD_READ
                             ? "zc_pack_open: desc.load is not a zc_load value"
                         : desc->load == ZC_LOAD_MAP && desc->no_mmap
                             ? "zc_pack_open: desc.no_mmap asks for ZC_LOAD_READ but desc.load is ZC_LOAD_MAP"
                             : NULL;
    if (misuse) {
        if (desc->logger.func) desc->logger.func(ZC_LOG_ERROR, misuse, desc->logger.user_data);
        return ZC_ERR_INVALID_ARGUMENT;
    }
    zc_allocator allocator = desc->allocator;
    if (!allocator.alloc || !allocator.free) {
        allocator.alloc = zc__default_alloc;
        allocator.free = zc__default_free;
    }
    zc_pack *pack = (zc_pack *)allocator.alloc(sizeof *pack, allocator.user_data);
    if (!pack) {
        if (desc->logger.func)
            desc->logger.func(ZC_LOG_ERROR, "out of memory allocating the pack object", desc->logger.user_data);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    memset(pack, 0, sizeof *pack);
    atomic_init(&pack->refs, 1u);
    atomic_init(&pack->toc_whole_checked, 0);
    for (int i = 0; i < ZC__HOLD_STRIPES; ++i) atomic_init(&pack->holds[i].word, ZC__HOLD_BIAS);
    pack->cache_budget = desc->cache_budget ? desc->cache_budget : ZC_DEFAULT_CACHE_BUDGET;
    pack->max_decoded_size = desc->max_decoded_size ? desc->max_decoded_size : ZC_DEFAULT_MAX_DECODED_SIZE;
    pack->file.handle = -1;
    pack->allocator = allocator;
    pack->logger = desc->logger;
    pack->name = zc__strdup(&allocator, desc->name ? desc->name : desc->path ? desc->path : "memory");

    zc_diag diag;
    diag.message[0] = 0;
    zc_result r = ZC_OK;
    if (!pack->name) {
        r = zc_fail(&diag, ZC_ERR_OUT_OF_MEMORY, "out of memory copying the pack name");
    } else if (!zc_host_is_little_endian()) {
        r = zc_fail(&diag, ZC_ERR_ENDIAN, "this host is big-endian; zcpack maps little-endian packs only");
    } else if (desc->path) {
        /* The one place the load default and the no_mmap alias are resolved. */
        zc_load load = desc->load != ZC_LOAD_DEFAULT ? desc->load : desc->no_mmap ? ZC_LOAD_READ : ZC_LOAD_MAP;
        r = zc__load_file(pack, desc->path, load, &diag);
    } else if (((uintptr_t)desc->memory & 15u) != 0) {
        r = zc_fail(&diag, ZC_ERR_INVALID_ARGUMENT, "memory buffer is not 16-byte aligned");
    } else {
        pack->base = (const uint8_t *)desc->memory;
        pack->size = desc->memory_size;
        if (pack->size < sizeof(zc_header)) {
            r = zc_check_header(pack->base, pack->size, pack->size, &diag);
            if (r == ZC_OK) r = zc_fail(&diag, ZC_ERR_TRUNCATED, "buffer is shorter than a pack header");
        }
    }
    if (r == ZC_OK) r = zc__register_types(pack, desc, &diag);
    if (r == ZC_OK) r = zc__attach(pack, desc, lazy, &diag);
    /* Once mapped or read, the bytes no longer need the file handle. */
    zc__os_close(&pack->file);
    if (r != ZC_OK) {
        zc__report(pack, r, &diag);
        zc_pack_close(pack);
        return r;
    }
    *out_pack = pack;
    return ZC_OK;
}

zc_result zc_pack_open(zc_pack **out_pack, const zc_pack_desc *desc) { return zc__open(out_pack, desc, 0); }

zc_result zc__pack_open_lazy(zc_pack **out_pack, const zc_pack_desc *desc) { return zc__open(out_pack, desc, 1); }

void zc_pack_close(zc_pack *pack) { zc__pack_unref(pack); }

void zc__pack_ref(zc_pack *pack) { atomic_fetch_add_explicit(&pack->refs, 1u, memory_order_relaxed); }

void zc__pack_unref(zc_pack *pack) {
    if (!pack) return;
    if (atomic_fetch_sub_explicit(&pack->refs, 1u, memory_order_acq_rel) != 1u) return;
    if (zc__pack_holds_close(pack)) zc__pack_free(pack);
}

void zc__pack_free(zc_pack *pack) {
    zc__cache_destroy(pack);
    zc__os_unmap(&pack->map);
    zc__os_close(&pack->file);
    zc_allocator a = pack->allocator;
    if (pack->read_buffer) a.free(pack->read_buffer, a.user_data);
    if (pack->checked) a.free((void *)pack->checked, a.user_data);
    if (pack->name) a.free(pack->name, a.user_data);
    if (pack->types) a.free(pack->types, a.user_data);
    a.free(pack, a.user_data);
}

/* ---------------------------------------------------------------------------------
 * Facts and lookups
 * ------------------------------------------------------------------------------- */

zc_result zc_pack_get_info(const zc_pack *pack, zc_pack_info *out) {
    if (!pack || !out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    out->format_major = pack->header.format_major;
    out->format_minor = pack->header.format_minor;
    out->writer_version = pack->header.writer_version;
    out->file_size = pack->size;
    out->toc_offset = pack->header.toc_offset;
    out->toc_size = pack->toc_size;
    out->entry_count = pack->entry_count;
    out->dep_count = pack->dep_count;
    zc_diag diag;
    diag.message[0] = 0;
    zc_result r = zc__toc_read(pack, ((const zc_toc_header *)pack->toc)->header_size, (uint64_t)pack->entry_count * pack->entry_size, &diag);
    if (r != ZC_OK) return zc__report(pack, r, &diag); /* the records are read below */
    for (uint32_t i = 0; i < pack->entry_count; ++i) out->payload_bytes += zc__record(pack, i)->stored_size;
    uint64_t table;
    uint32_t log2;
    if (zc_check_toc_pieces(pack->toc, pack->toc_size, &table, &log2, NULL) == ZC_OK && table) {
        out->toc_pieces = zc_toc_piece_count(table, log2);
        out->toc_piece_size = (uint32_t)1 << log2;
    }
    out->mapped = pack->map.data != NULL;
    out->validated = pack->validated;
    out->is_signed = pack->is_signed;
    out->index_buckets = pack->index ? (uint32_t)1 << pack->index_bits : 0;
    out->header_checksum = pack->header.header_checksum;
    out->toc_checksum = pack->header.toc_checksum;
    out->signature_verified = pack->signature_verified;
    if (pack->is_signed)
        memcpy(out->signer_key_id, pack->head + ZC_SIGNATURE_BLOCK_OFFSET + offsetof(zc_signature_block, key_id),
               ZC_KEY_ID_SIZE);
    return ZC_OK;
}

uint32_t zc_pack_entry_count(const zc_pack *pack) { return pack ? pack->entry_count : 0; }

static void zc__fill_entry(const zc_pack *pack, uint32_t index, zc_entry *out) {
    const zc_toc_entry *e = zc__record(pack, index);
    out->id = e->id;
    out->path = pack->strings + e->path_offset;
    out->path_length = e->path_length;
    out->index = index;
    out->type = e->type;
    out->layout_hash = e->layout_hash;
    out->codec = (zc_codec)e->codec;
    out->alignment = (uint32_t)1 << e->align_log2;
    out->offset = e->offset;
    out->stored_size = e->stored_size;
    out->raw_size = e->raw_size;
    out->content_hash = e->content_hash;
    out->deps = e->deps_count ? pack->deps + e->deps_first : NULL;
    out->deps_count = e->deps_count;
    out->data = pack->base + e->offset;
    out->pack = pack;
}

/* The TOC offset of `p`, a pointer into the TOC. */
static uint64_t zc__toc_at(const zc_pack *pack, const void *p) {
    return (uint64_t)((const uint8_t *)p - pack->toc);
}

/* Index of the record with this id, or entry_count when there is none: the records of
 * the id's bucket when the pack has a lookup index (SPEC.md 4.8), else a binary search.
 * Reads only ids, so it is safe before the records are checked; a bucket range is
 * clamped to the records, so a damaged index (unchecked at level NONE) can only fail
 * to find. */
static uint32_t zc__search_ids(const zc_pack *pack, uint64_t id) {
    uint32_t lo = 0, hi = pack->entry_count;
    if (pack->index) {
        uint32_t b = zc_toc_index_bucket(id, pack->index_bits);
        lo = pack->index[b];
        if (pack->index[b + 1] < hi) hi = pack->index[b + 1];
        for (uint32_t i = lo; i < hi; ++i) {
            uint64_t at = zc__record(pack, i)->id;
            if (at == id) return i;
            if (at > id) break;
        }
        return pack->entry_count;
    }
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        uint64_t mid_id = zc__record(pack, mid)->id;
        if (mid_id < id) lo = mid + 1;
        else if (mid_id > id) hi = mid;
        else return mid;
    }
    return pack->entry_count;
}

/* A miss of zc__search_ids in a pack checked piece by piece, believed only once the TOC
 * bytes that led to it have passed their pieces' checks: the bucket's two slots and
 * records, which must be a range of records (T11 for that bucket), or the records a
 * binary search probes. */
static zc_result zc__check_miss(const zc_pack *pack, uint64_t id, zc_diag *diag) {
    uint32_t lo = 0, hi = pack->entry_count;
    zc_result r;
    if (pack->index) {
        uint32_t b = zc_toc_index_bucket(id, pack->index_bits);
        if ((r = zc__toc_read(pack, zc__toc_at(pack, pack->index + b), 8, diag)) != ZC_OK) return r;
        lo = pack->index[b];
        hi = pack->index[b + 1];
        if (lo > hi || hi > pack->entry_count)
            return zc_fail(diag, ZC_ERR_BAD_TOC, "lookup index bucket %u (records %u to %u of %u) is not a range of "
                           "records: the TOC is damaged", b, lo, hi, pack->entry_count);
        return zc__toc_read(pack, zc__toc_at(pack, zc__record(pack, lo)), (uint64_t)(hi - lo) * pack->entry_size, diag);
    }
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const zc_toc_entry *e = zc__record(pack, mid);
        if ((r = zc__toc_read(pack, zc__toc_at(pack, e), sizeof e->id, diag)) != ZC_OK) return r;
        if (e->id < id) lo = mid + 1;
        else hi = mid;
    }
    return ZC_OK;
}

/* zc__check_miss for the public calls: a failure is logged and returned. */
static zc_result zc__report_miss(const zc_pack *pack, uint64_t id) {
    zc_diag diag;
    diag.message[0] = 0;
    zc_result r = zc__check_miss(pack, id, &diag);
    return r == ZC_OK ? r : zc__report(pack, r, &diag);
}

/* Set *out to zc__search_ids's answer. In a pack checked piece by piece a hit needs
 * nothing more here: the entry is touched before it is handed out, and its checks read
 * the bucket and the record the search read (R15). A miss is checked first. */
static zc_result zc__find_index(const zc_pack *pack, uint64_t id, uint32_t *out) {
    *out = zc__search_ids(pack, id);
    return *out == pack->entry_count && pack->piece_checked ? zc__report_miss(pack, id) : ZC_OK;
}

/* Hand out entry `index`: its record checks on first touch, then the fields. */
static zc_result zc__entry_out(const zc_pack *pack, uint32_t index, zc_entry *out) {
    zc_result r = zc__entry_touch(pack, index);
    if (r != ZC_OK) return r;
    zc__fill_entry(pack, index, out);
    return ZC_OK;
}

zc_result zc_pack_find_id(const zc_pack *pack, uint64_t id, zc_entry *out) {
    if (!pack || !out) return ZC_ERR_INVALID_ARGUMENT;
    uint32_t i;
    zc_result r = zc__find_index(pack, id, &i);
    if (r != ZC_OK) return r;
    if (i == pack->entry_count) return ZC_ERR_NO_ENTRY;
    return zc__entry_out(pack, i, out);
}

/* Hand out record i (entry_count: none) for `path` when the record's path is path. */
static zc_result zc__path_out(const zc_pack *pack, uint32_t i, const char *path, size_t length, zc_entry *out) {
    if (i == pack->entry_count) return ZC_ERR_NO_ENTRY;
    zc_result r = zc__entry_touch(pack, i); /* the path is read only once its bounds are checked */
    if (r != ZC_OK) return r;
    const zc_toc_entry *e = zc__record(pack, i);
    if (e->path_length != length || memcmp(pack->strings + e->path_offset, path, length) != 0)
        return ZC_ERR_NO_ENTRY; /* another path with the same id */
    zc__fill_entry(pack, i, out);
    return ZC_OK;
}

zc_result zc_pack_find(const zc_pack *pack, const char *path, zc_entry *out) {
    if (!pack || !path || !out) return ZC_ERR_INVALID_ARGUMENT;
    size_t length = strlen(path);
    uint32_t i;
    zc_result r = zc__find_index(pack, zc_asset_id(path, length), &i);
    return r != ZC_OK ? r : zc__path_out(pack, i, path, length, out);
}

/* Lookups interleaved by zc_pack_find_many: enough to cover a cache miss's latency
 * with the others' work, few enough for their reads to stay in flight at once. */
enum { ZC__FIND_GROUP = 16 };

#if defined(__GNUC__) || defined(__clang__)
#define ZC__PREFETCH(address) __builtin_prefetch(address)
#else
#define ZC__PREFETCH(address) ((void)0)
#endif

/* One group of zc_pack_find_many in three passes, each starting the memory reads the
 * next one needs: the ids' index buckets, then their first records, then the found
 * records' paths and check marks. Prefetches never fault, and a path is prefetched
 * only where it lies inside the image; zc__path_out checks the record before reading
 * it. */
static zc_result zc__find_group(const zc_pack *pack, const char *const *paths, size_t n, zc_entry *out,
                                zc_result *results) {
    uint64_t ids[ZC__FIND_GROUP];
    size_t lengths[ZC__FIND_GROUP];
    uint32_t found[ZC__FIND_GROUP];
    zc_result searched[ZC__FIND_GROUP];
    for (size_t k = 0; k < n; ++k) {
        lengths[k] = paths[k] ? strlen(paths[k]) : 0;
        ids[k] = zc_asset_id(paths[k] ? paths[k] : "", lengths[k]);
        if (pack->index) ZC__PREFETCH(&pack->index[zc_toc_index_bucket(ids[k], pack->index_bits)]);
    }
    if (pack->index)
        for (size_t k = 0; k < n; ++k) {
            uint32_t first = pack->index[zc_toc_index_bucket(ids[k], pack->index_bits)];
            if (first < pack->entry_count) ZC__PREFETCH(zc__record(pack, first));
        }
    uint64_t strings_room = (uint64_t)(pack->base + pack->size - (const uint8_t *)pack->strings);
    for (size_t k = 0; k < n; ++k) {
        searched[k] = zc__find_index(pack, ids[k], &found[k]);
        if (found[k] == pack->entry_count) continue;
        const zc_toc_entry *e = zc__record(pack, found[k]);
        ZC__PREFETCH((const uint8_t *)e + sizeof *e - 1); /* a record may straddle two lines */
        uint64_t at = e->path_offset;
        if (at < strings_room) ZC__PREFETCH(pack->strings + at);
        if (pack->checked) ZC__PREFETCH(&pack->checked[found[k]]);
    }
    zc_result first_error = ZC_OK;
    for (size_t k = 0; k < n; ++k) {
        results[k] = !paths[k]                ? ZC_ERR_INVALID_ARGUMENT
                     : searched[k] != ZC_OK ? searched[k]
                                            : zc__path_out(pack, found[k], paths[k], lengths[k], &out[k]);
        if (results[k] != ZC_OK && first_error == ZC_OK) first_error = results[k];
    }
    return first_error;
}

zc_result zc_pack_find_many(const zc_pack *pack, const char *const *paths, size_t count, zc_entry *out,
                            zc_result *results) {
    if (!pack || (count && (!paths || !out || !results))) return ZC_ERR_INVALID_ARGUMENT;
    zc_result first_error = ZC_OK;
    for (size_t at = 0; at < count; at += ZC__FIND_GROUP) {
        size_t n = count - at < ZC__FIND_GROUP ? count - at : ZC__FIND_GROUP;
        zc_result r = zc__find_group(pack, paths + at, n, out + at, results + at);
        if (r != ZC_OK && first_error == ZC_OK) first_error = r;
    }
    return first_error;
}

zc_result zc_pack_entry_at(const zc_pack *pack, uint32_t index, zc_entry *out) {
    if (!pack || !out) return ZC_ERR_INVALID_ARGUMENT;
    if (index >= pack->entry_count) return ZC_ERR_NO_ENTRY;
    return zc__entry_out(pack, index, out);
}

/* Layout hash this reader knows for a tag; 0 when the tag is not in the registry. */
static uint32_t zc__known_layout(uint32_t tag) {
#define ZC__TYPE_LAYOUT(name, tag_, hash, fn) if (tag == (tag_)) return (hash);
    ZC_TYPE_LIST(ZC__TYPE_LAYOUT)
#undef ZC__TYPE_LAYOUT
    return 0;
}

uint32_t zc_entry_differences(const zc_entry *a, const zc_entry *b) {
    if (!a || !b) return ZC_DIFF_ALL;
    uint32_t d = 0;
    if (a->type != b->type) d |= ZC_DIFF_TYPE;
    if (a->layout_hash != b->layout_hash) d |= ZC_DIFF_LAYOUT;
    if (a->content_hash != b->content_hash) d |= ZC_DIFF_CONTENT;
    if (a->raw_size != b->raw_size) d |= ZC_DIFF_RAW_SIZE;
    if (a->deps_count != b->deps_count ||
        (a->deps_count && memcmp(a->deps, b->deps, (size_t)a->deps_count * sizeof *a->deps) != 0))
        d |= ZC_DIFF_DEPS;
    return d;
}

zc_result zc_entry_bytes(const zc_entry *entry, uint32_t type, const void **out_data, uint64_t *out_size) {
    if (!entry || !out_data || !out_size) return ZC_ERR_INVALID_ARGUMENT;
    *out_data = NULL;
    *out_size = 0;
    if (type != 0 && entry->type != type) return ZC_ERR_TYPE_MISMATCH;
    uint32_t known = zc__known_layout(entry->type);
    if (known != 0 && known != entry->layout_hash) return ZC_ERR_LAYOUT_MISMATCH;
    if (entry->codec != ZC_CODEC_NONE) return ZC_ERR_UNSUPPORTED_CODEC;
    *out_data = entry->data;
    *out_size = entry->raw_size;
    return ZC_OK;
}

static const zc_type_row *zc__registered(const zc_pack *pack, uint32_t tag);

zc_result zc__entry_structure(const zc_entry *entry, uint32_t type, const void **out_data, uint64_t *out_size) {
    zc_result r = zc_entry_bytes(entry, type, out_data, out_size);
    if (r == ZC_OK && !zc_type_name(entry->type) && !zc__registered(entry->pack, entry->type))
        r = ZC_ERR_UNKNOWN_TYPE; /* opaque to this reader, whatever validation passed */
    if (r != ZC_OK) {
        *out_data = NULL;
        *out_size = 0;
        return r;
    }
    if (!*out_data || ((uintptr_t)*out_data & 15u) != 0) {
        *out_data = NULL;
        *out_size = 0;
        return ZC_ERR_INVALID_ARGUMENT;
    }
    const zc_pack *pack = entry->pack;
    atomic_uchar *mark = NULL;
    if (pack && entry->index < pack->entry_count && (pack->checked || pack->validated >= ZC_VALIDATE_FULL)) {
        /* Trust a mark only for the record it was made for: this entry as the pack
         * filled it, whose record passed its checks. */
        const zc_toc_entry *e = zc__record(pack, entry->index);
        unsigned marks = pack->checked ? atomic_load_explicit(&pack->checked[entry->index], memory_order_acquire)
                                       : ZC__CHECKED_RECORD | ZC__CHECKED_STRUCTURE;
        if ((marks & ZC__CHECKED_RECORD) && entry->data == pack->base + e->offset && entry->raw_size == e->raw_size &&
            entry->type == e->type && entry->layout_hash == e->layout_hash) {
            if (marks & ZC__CHECKED_STRUCTURE) return ZC_OK;
            mark = &pack->checked[entry->index];
        }
    }
    zc_diag diag;
    diag.message[0] = 0;
    r = zc__pack_check_payload(pack, entry->type, entry->layout_hash, *out_data, *out_size, &diag);
    if (r == ZC_ERR_LAYOUT_MISMATCH && pack) zc__report(pack, r, &diag);
    if (r == ZC_OK && mark) atomic_fetch_or_explicit(mark, (unsigned char)ZC__CHECKED_STRUCTURE, memory_order_release);
    if (r != ZC_OK) {
        *out_data = NULL;
        *out_size = 0;
    }
    return r;
}

zc_result zc_entry_typed(const zc_entry *entry, uint32_t type, const void **out_data, uint64_t *out_size) {
    if (!entry || !out_data || !out_size || type == 0) return ZC_ERR_INVALID_ARGUMENT;
    *out_data = NULL;
    *out_size = 0;
    if (entry->type != type) return ZC_ERR_TYPE_MISMATCH;
    return zc__entry_structure(entry, type, out_data, out_size);
}

/* The registered row of `tag`, NULL when the pack registered none. */
static const zc_type_row *zc__registered(const zc_pack *pack, uint32_t tag) {
    for (uint32_t i = 0; pack && i < pack->type_count; ++i)
        if (pack->types[i].tag == tag) return &pack->types[i];
    return NULL;
}

zc_result zc__pack_check_payload(const zc_pack *pack, uint32_t tag, uint32_t layout_hash, const void *payload,
                                 uint64_t size, zc_diag *diag) {
    const zc_type_row *row = zc__registered(pack, tag);
    if (!row) return zc_check_payload(tag, layout_hash, payload, size, diag);
    if (layout_hash != row->layout_hash)
        return zc_fail(diag, ZC_ERR_LAYOUT_MISMATCH, "%s layout 0x%08x, reader has 0x%08x",
                       row->name ? row->name : "registered type", layout_hash, row->layout_hash);
    return row->check(payload, size, diag);
}

/* 1 when one of the first `count` rows has `tag`. */
static int zc__registered_in(const zc_type_row *rows, uint32_t count, uint32_t tag) {
    for (uint32_t i = 0; i < count; ++i)
        if (rows[i].tag == tag) return 1;
    return 0;
}

/* Copy desc->types into the pack after checking them. ZC_OK, ZC_ERR_INVALID_ARGUMENT
 * (a built-in tag, a repeated tag, a NULL check, too many) or ZC_ERR_OUT_OF_MEMORY,
 * with a sentence in diag. */
static zc_result zc__register_types(zc_pack *pack, const zc_pack_desc *desc, zc_diag *diag) {
    if (!desc->type_count) return ZC_OK;
    if (!desc->types || desc->type_count > ZC_MAX_REGISTERED_TYPES)
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "zc_pack_open: desc.types is NULL or holds more than %u rows",
                       ZC_MAX_REGISTERED_TYPES);
    for (uint32_t i = 0; i < desc->type_count; ++i) {
        const zc_type_row *t = &desc->types[i];
        if (!t->check || zc_type_name(t->tag) || zc__registered_in(desc->types, i, t->tag))
            return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT,
                           "zc_pack_open: desc.types[%u] (tag 0x%08x) has no check, is a built-in type or repeats a tag",
                           i, t->tag);
    }
    size_t bytes = (size_t)desc->type_count * sizeof *pack->types;
    pack->types = (zc_type_row *)pack->allocator.alloc(bytes, pack->allocator.user_data);
    if (!pack->types) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory copying the registered types");
    memcpy(pack->types, desc->types, bytes);
    pack->type_count = desc->type_count;
    return ZC_OK;
}

zc_result zc_pack_resolve(const zc_pack *pack, uint64_t id, uint32_t type, zc_entry *out) {
    if (!pack || !out) return ZC_ERR_INVALID_ARGUMENT;
    if (id == 0) return ZC_ERR_NO_ENTRY; /* 0 means "no reference", never an entry */
    zc_result r = zc_pack_find_id(pack, id, out);
    if (r != ZC_OK) return r;
    return type != 0 && out->type != type ? ZC_ERR_TYPE_MISMATCH : ZC_OK;
}
