/* zc_pack_internal.h - the pack object as the runtime's own files see it (internal).
 *
 * zc_pack.c owns opening and lookup, zc_pack_validate.c the checks; zc_entry_cache.c holds and decodes
 * entries; zc_mount.c and zc_prefetch.c keep packs alive through the reference count.
 * Nothing outside runtime/ includes this header.
 */
#ifndef ZC_PACK_INTERNAL_H
#define ZC_PACK_INTERNAL_H

#include <stdatomic.h>

#include "zc_pack_format.h"
#include "zc_os.h"
#include "zc_hash.h"

/* Fuzz builds only (tools/fuzz.sh defines FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, the
 * libFuzzer convention): skip every hash comparison (header and TOC checksums, each id
 * against its path, content hashes) so the fuzzer, which cannot forge XXH3 values,
 * reaches the structure behind them. Never defined in a real build. */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define ZC__CHECK_HASHES 0
#else
#define ZC__CHECK_HASHES 1
#endif

struct zc__cache;

/* Holds per stripe of threads, each on its own cache line. A stripe's word is
 * ZC__HOLD_BIAS plus the holds taken minus the holds dropped on the threads of that
 * stripe (a hold may be dropped on another thread than took it, so one stripe alone
 * may count below zero, never the sum); ZC__HOLD_CLOSED is set in every stripe once
 * the pack's last reference is gone. */
#define ZC__HOLD_STRIPES 16
#define ZC__HOLD_BIAS ((int64_t)1 << 40)
#define ZC__HOLD_CLOSED ((int64_t)1 << 62)
typedef struct zc__hold_count {
    _Atomic int64_t word;
    char pad[64 - sizeof(int64_t)];
} zc__hold_count;

/* The stripe (of ZC__HOLD_STRIPES) of the calling thread: threads are dealt stripes in
 * the order they first ask. Any thread. */
uint32_t zc__thread_stripe(void);

struct zc_pack {
    const uint8_t *base;        /* the pack image */
    const uint8_t *head;        /* its header bytes: head_copy, or base when there is none */
    uint8_t head_copy[256];     /* a mapped file's first bytes, read with one pread at open
                                   so open need not fault in the mapping's first page */
    uint32_t head_read;         /* bytes in head_copy */
    uint64_t size;
    const uint8_t *toc;         /* base + toc_offset */
    uint64_t toc_size;
    uint32_t header_size;
    uint32_t toc_header_size;   /* TOC header bytes: the records start here */
    uint32_t entry_size;        /* TOC record stride */
    uint32_t entry_count;
    uint32_t dep_count;
    const uint64_t *deps;
    const char *strings;
    const uint32_t *index;      /* lookup index bucket table (SPEC.md 4.8); NULL: binary search */
    uint32_t index_bits;        /* log2 of its bucket count */
    zc_validate validated;
    /* Checks paid once per entry (zc__entry_touch, zc__entry_structure): one byte of
     * ZC__CHECKED_* bits per record, set once the check passed, never cleared. NULL
     * at ZC_VALIDATE_NONE (nothing is checked) and at FULL and CHECKSUMS opened by
     * zc_pack_open (everything was checked at open). */
    atomic_uchar *checked;
    /* TOC pieces (SPEC.md 4.9) of a pack that zc_pack_open checks at level TOC: the TOC
     * is checked piece by piece where it is read (zc__toc_read), not whole at open, and
     * the checks over every record (T11, R14) wait for zc__pack_check_toc_whole. NULL
     * piece_checked: the TOC was checked whole at open, or is not checked (NONE). */
    uint64_t pieces_end;        /* TOC offset where the pieces end: the piece table's */
    uint32_t piece_log2;
    atomic_uchar *piece_checked; /* one per piece, set once it matched; inside `checked`'s
                                   allocation */
    atomic_int toc_whole_checked; /* zc__pack_check_toc_whole passed */
    zc_header header;           /* copy of the header fields (little-endian host) */
    zc_type_row *types;         /* registered entry types (zc_pack_desc.types), copied;
                                   NULL when none */
    uint32_t type_count;

    zc__os_file file;
    zc__os_map map;
    void *read_buffer;          /* fallback allocation; the image lies inside it */
    zc_allocator allocator;
    zc_logger logger;
    char *name;                 /* for messages */

    /* Lifetime: one reference for the opener (dropped by zc_pack_close), one per
     * mount table the pack is mounted in, prefetcher and stream; holds count apart, in
     * `holds` (zc__pack_hold). The pack is freed when the references reach zero and no
     * hold is left (zc__pack_unref, zc__pack_unhold). */
    char refs_line_before[64];  /* refs alone on its cache line: it is written from many */
    atomic_uint refs;           /* threads while they read the fields around it */
    char refs_line_after[60];
    zc__hold_count holds[ZC__HOLD_STRIPES]; /* holds, one cache line per stripe of threads */
    _Atomic int64_t closing_holds; /* after the last reference: the holds left, plus a bias
                                   while the stripes are closed (zc_pack.c) */
    uint64_t cache_budget;      /* resolved zc_pack_desc.cache_budget */
    uint64_t max_decoded_size;  /* resolved zc_pack_desc.max_decoded_size */
    struct zc__cache *cache;    /* decoded compressed entries (zc_entry_cache.c); NULL until
                                   the first compressed entry is acquired */

    int is_signed;              /* the header carries a signature block (zc_header_is_signed) */
    int signature_verified;     /* verified at open against verified_key */
    zc_public_key verified_key; /* the trusted key that verified it */
};

/* ---------------------------------------------------------------------------------
 * Between opening (zc_pack.c) and checking (zc_pack_validate.c)
 * ------------------------------------------------------------------------------- */

/* Log diag's sentence (or the code's description) as an error; return the code. */
zc_result zc__report(const zc_pack *pack, zc_result code, const zc_diag *diag);

/* Fill *out from record `index`, whose checks passed. */
void zc__fill_entry(const zc_pack *pack, uint32_t index, zc_entry *out);

/* Record `index` in the image (T9 keeps it inside the TOC). */
static inline const zc_toc_entry *zc__record(const zc_pack *pack, uint32_t index) {
    /* the layout from the pack's copy, so a lookup reads no TOC header */
    return (const zc_toc_entry *)(pack->toc + pack->toc_header_size + (uint64_t)index * pack->entry_size);
}

/* H14: the header checksum. Needs only zc_check_header. */
zc_result zc__check_header_checksum(const zc_pack *pack, zc_diag *diag);
/* H15 given the TOC's hash (however its bytes were read). */
zc_result zc__check_toc_hash(const zc_pack *pack, uint64_t hash, zc_diag *diag);
/* P1: TOC piece k matches its value in the piece table at TOC offset `table`. */
zc_result zc__check_piece(const zc_pack *pack, uint64_t table, uint32_t log2, uint64_t k, zc_diag *diag);
/* zc__toc_read's work where a piece is not yet marked. */
zc_result zc__toc_check_pieces(const zc_pack *pack, uint64_t at, uint64_t n, zc_diag *diag);
/* H14 and H15 in the image, and P1 for every piece of a TOC with pieces. */
zc_result zc__validate_checksums(const zc_pack *pack, zc_diag *diag);
/* Every record's structure (zc_check_toc), and id == XXH3-64(path). */
zc_result zc__validate_records(const zc_pack *pack, zc_diag *diag);
/* FULL and CHECKSUMS: the entries (zc_pack_validate.c says how `which` and `part` narrow them). */
zc_result zc__validate_entries(const zc_pack *pack, int checksums, const uint8_t *which, _Atomic uint64_t *part,
                               zc_diag *diag);

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

/* Read the TOC of a mapped pack with pread into *p (zc__toc_pass). */
zc_result zc__toc_pass_read(zc_pack *pack, zc__toc_pass *p, zc_diag *diag);

#define ZC__CHECKED_RECORD    1u   /* R1 to R13 (SPEC.md 4.7) passed */
#define ZC__CHECKED_STRUCTURE 2u   /* the stored bytes passed zc_check_payload (E3) */

/* The first time anything hands out entry `index` of a pack at level TOC: its record
 * checks R1 to R13, remembered. ZC_OK when they passed now or before, or when the
 * pack's level needs no check; else the failure, logged through the pack's logger.
 * Any thread, lock-free, allocation-free; index < entry_count. */
zc_result zc__entry_touch(const zc_pack *pack, uint32_t index);

/* The checks a pack checked piece by piece leaves until something walks every record
 * (SPEC.md 4.9): every piece, the bucket table (T11) and the dependency total (R14),
 * run once and remembered; ZC_OK at once for any other pack, whose open ran them. A
 * walk over the dependency lists of many records calls it first, so its work stays
 * linear in the TOC size. Any thread; failures are logged through the pack's logger. */
zc_result zc__pack_check_toc_whole(const zc_pack *pack);

/* The stored bytes of an uncompressed entry of `type` (0: any), for the views:
 * zc_entry_bytes, then the type's structural check (zc_check_payload), run once per
 * entry of an opened pack and remembered, every time for an entry not filled by a pack
 * (entry->pack NULL, or fields that no longer match its record). Any thread. */
/* Column-major T * R * S (m[column * 4 + row]); the rotation is that of q / |q|
 * (s = 2 / |q|^2, no square root). zc_scene_view.c. */
void zc__trs_matrix(const float t[3], const float q[4], const float scale[3], float m[16]);
/* out = a * b, all column-major; out must not alias a or b. zc_scene_view.c. */
void zc__mat4_mul(const float a[16], const float b[16], float out[16]);

zc_result zc__entry_structure(const zc_entry *entry, uint32_t type, const void **out_data, uint64_t *out_size);

/* Structural check of one entry's raw payload: the pack's registered row for `tag`
 * (layout hash, then its check), else the built-in registry (zc_check_payload).
 * ZC_ERR_UNKNOWN_TYPE when neither knows the tag; pack NULL: built-in types only.
 * Untrusted bytes; any thread. */
zc_result zc__pack_check_payload(const zc_pack *pack, uint32_t tag, uint32_t layout_hash, const void *payload,
                                 uint64_t size, zc_diag *diag);

/* zc_pack_open, with the entry checks of desc->validate = FULL or CHECKSUMS paid per
 * entry instead of at open: open runs what level TOC runs at open, each entry's record
 * and (uncompressed) structure and content hash are checked when it is first handed
 * out, a compressed entry's when it is decoded, and zc__pack_check_entries checks
 * chosen entries now. E7 and E5, which concern the whole payload area, are not run.
 * Hot reload opens each new generation this way. Same errors and thread rules as
 * zc_pack_open. */
zc_result zc__pack_open_lazy(zc_pack **out_pack, const zc_pack_desc *desc);

/* Run the checks of the pack's level now on the records marked in `which` (one bit
 * per record): R1 to R13, then E1 to E4 with E6, decoding each distinct compressed
 * payload among them once, and remember that they passed. The first failure is logged
 * and returned. For packs from zc__pack_open_lazy. Any thread. */
zc_result zc__pack_check_entries(const zc_pack *pack, const uint8_t *which);

/* Take one hold on the pack: it stays mapped until the matching zc__pack_unhold, after
 * zc_pack_close too. Writes only the calling thread's stripe of pack->holds, so holds
 * taken on different threads share no cache line. Any thread, while the caller has a
 * reference (an open handle, a mount). */
void zc__pack_hold(zc_pack *pack);

/* Drop one hold, taken on any thread. When the pack is closed and this was the last
 * hold, frees it. Any thread. */
void zc__pack_unhold(zc_pack *pack);

/* 1 when only one reference is left and no hold: a retired hot reload generation,
 * which is never handed out again, can be closed. Any thread. */
int zc__pack_only_ref(const zc_pack *pack);

/* The last reference is gone: close the hold stripes (zc_pack_holds.c). 1 when no hold
 * is left and the caller must free the pack, 0 when the last release will. */
int zc__pack_holds_close(zc_pack *pack);

/* Free the pack: its cache, mapping and memory. Called once, by whoever ends its last
 * reference or hold. */
void zc__pack_free(zc_pack *pack);

/* Take one more reference on the pack. Any thread. */
void zc__pack_ref(zc_pack *pack);

/* Drop one reference; the last one frees the pack (its cache, mapping and memory).
 * Any thread; NULL is a no-op. */
void zc__pack_unref(zc_pack *pack);

/* Log one sentence through the pack's logger, prefixed by the pack's name. */
void zc__pack_log(const zc_pack *pack, zc_log_level level, const char *message);

/* Free the cache and every decoded entry in it (zc_entry_cache.c); called once, by the
 * last zc__pack_unref, when no hold is left. NULL is a no-op. */
void zc__cache_destroy(zc_pack *pack);

/* Decode a compressed entry into a private buffer from the pack's allocator, outside
 * the cache's slots (full validation uses it, one entry at a time): the checks and
 * errors of zc_pack_acquire (content hash included), with a sentence in diag instead
 * of a log line. On ZC_OK *out_data is the raw bytes (NULL when empty) inside
 * *out_block, which the caller frees with zc__entry_free_copy. Any thread. */
zc_result zc__entry_decode_copy(const zc_pack *pack, const zc_entry *entry, void **out_block, const void **out_data,
                                zc_diag *diag);
void zc__entry_free_copy(const zc_pack *pack, void *block);

/* Log "entry I (path): <diag message>" at error level through the pack's logger;
 * returns code (zc_entry_cache.c). */
zc_result zc__entry_error(const zc_pack *pack, const zc_entry *e, zc_result code, const zc_diag *diag);

/* ZC_OK when this build decodes the compressed entry's codec (1 or 2, without
 * ZC_NO_ZSTD), else ZC_ERR_UNSUPPORTED_CODEC with a sentence (zc_stream.c). */
zc_result zc__codec_decodable(const zc_entry *e, zc_diag *diag);

/* SPEC.md §6.2 Z2 to Z5 on the stored bytes of e, which must be exactly one zstd
 * frame declaring e->raw_size bytes; *dict_id is the dictionary the frame names (0:
 * none). Untrusted input: safe. Any thread (zc_entry_cache.c; zc_stream.c checks
 * each frame of a seekable entry with it, on an entry describing that frame). */
zc_result zc__frame_check(const zc_entry *e, uint32_t *dict_id, zc_diag *diag);

/* The seek table of a codec-2 entry (SPEC.md §6.2.1 SK1 to SK8), then Z2 to Z5 on every
 * frame it lists, all frames naming the same dictionary, *dict_id (zc_stream.c).
 * Untrusted input: safe; O(frames); allocation-free. Any thread. */
zc_result zc__seekable_check(const zc_entry *e, uint32_t *dict_id, zc_diag *diag);

/* The decoding dictionary of id `id`: the pack's entry "zstd-dict/<id>" checked (Z6)
 * and loaded once into the pack's cache, which keeps it until the pack is freed
 * (zc_entry_cache.c). Any thread. */
struct ZSTD_DDict_s;
zc_result zc__pack_ddict(const zc_pack *pack, uint32_t id, const struct ZSTD_DDict_s **out, zc_diag *diag);

/* Verify the pack's signature against `count` trusted keys (zc_signature.c): the
 * block's fields, its key id among the keys, then Ed25519 over the pack's digest (one
 * BLAKE2b pass over the image). ZC_OK sets *out_index (may be NULL) to the key that
 * verified; else ZC_ERR_SIGNATURE with a sentence in diag. Needs only a header that
 * zc_check_header accepted. Any thread; allocation-free. */
zc_result zc__signature_verify(const zc_pack *pack, const zc_public_key *keys, uint32_t count, uint32_t *out_index,
                               zc_diag *diag);

#endif /* ZC_PACK_INTERNAL_H */
