/* zc_pack_validate.c - the checks of a pack (formats/SPEC.md sections 3.4, 4.7, 4.9 and
 * 9): the header and TOC checksums and the TOC's pieces, the pass over the TOC that
 * open makes with pread, each record's checks on first touch, the checks over the
 * whole TOC that a pack checked piece by piece leaves to walks, and the entry checks
 * of FULL and CHECKSUMS (zc_pack_validate, zc_pack_validate_threads). zc_pack.c opens
 * packs and looks entries up; both share zc_pack_internal.h.
 *
 * Allocation: none, except validation at FULL and CHECKSUMS of compressed entries (one
 * array of their payload keys, 48 bytes per compressed record, to decode each shared
 * payload once; the decodes themselves in zc_entry_cache.c, one at a time), the
 * padding check at CHECKSUMS of a pack of more than 256 entries (one array that sorts
 * the payloads), and the pass's one read buffer.
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

/* H14: the header checksum. Needs only zc_check_header. */
zc_result zc__check_header_checksum(const zc_pack *pack, zc_diag *diag) {
    if (ZC__CHECK_HASHES &&
        zc_le64(pack->head + ZC_HEADER_CHECKSUM_OFFSET) != zc__header_checksum(pack->head, pack->header_size))
        return zc_fail(diag, ZC_ERR_HEADER_CHECKSUM, "header checksum mismatch: the header is damaged");
    return ZC_OK;
}

/* H15 given the TOC's hash (however its bytes were read). */
zc_result zc__check_toc_hash(const zc_pack *pack, uint64_t hash, zc_diag *diag) {
    if (ZC__CHECK_HASHES && hash != pack->header.toc_checksum)
        return zc_fail(diag, ZC_ERR_TOC_CHECKSUM, "table of contents checksum mismatch: the TOC is damaged");
    return ZC_OK;
}

/* P1 (SPEC.md 4.9): TOC piece k matches its hash in the piece table at TOC offset
 * `table`. Reads the piece and its table slot in the image; k is a piece of the table. */
zc_result zc__check_piece(const zc_pack *pack, uint64_t table, uint32_t log2, uint64_t k, zc_diag *diag) {
    uint64_t from = k << log2, to = from + ((uint64_t)1 << log2);
    if (to > table) to = table;
    if (ZC__CHECK_HASHES && zc__xxh3(pack->toc + from, (size_t)(to - from)) != zc_le64(pack->toc + table + k * 8))
        return zc_fail(diag, ZC_ERR_TOC_CHECKSUM,
                       "table of contents checksum mismatch in TOC bytes %llu to %llu: the TOC is damaged",
                       (unsigned long long)from, (unsigned long long)to);
    return ZC_OK;
}

/* zc__toc_read's work where a piece is not yet marked. */
zc_result zc__toc_check_pieces(const zc_pack *pack, uint64_t at, uint64_t n, zc_diag *diag) {
    uint64_t end = at + n < pack->pieces_end ? at + n : pack->pieces_end;
    for (uint64_t k = at >> pack->piece_log2; at < end && (k << pack->piece_log2) < end; ++k) {
        if (atomic_load_explicit(&pack->piece_checked[k], memory_order_acquire)) continue;
        zc_result r = zc__check_piece(pack, pack->pieces_end, pack->piece_log2, k, diag);
        if (r != ZC_OK) return r;
        atomic_store_explicit(&pack->piece_checked[k], 1, memory_order_release);
    }
    return ZC_OK;
}

/* The two checksums that guard the header and the TOC, the TOC read in the image; in a
 * TOC with pieces whose placement passes T12, every piece's hash too (P1). */
zc_result zc__validate_checksums(const zc_pack *pack, zc_diag *diag) {
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

/* Feed the `n` TOC bytes at TOC offset `at`; chunks come in order from offset 0, each a
 * multiple of 8 bytes long but the last, so no 4-byte field at a multiple of 4 spans
 * two chunks. */
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
zc_result zc__toc_pass_read(zc_pack *pack, zc__toc_pass *p, zc_diag *diag) {
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
zc_result zc__validate_records(const zc_pack *pack, zc_diag *diag) {
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
zc_result zc__validate_entries(const zc_pack *pack, int checksums, const uint8_t *which,
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
