/* zc_pack.c - open and look up packs (the runtime's core); their checks are in
 * zc_pack_validate.c.
 *
 * A pack is one contiguous read-only image of the file: a mapping, a buffer read by
 * the fallback, or the caller's memory. After open everything is read from that
 * image; no call in this file allocates after zc_pack_open.
 */
#include "zc_pack.h"
#include "zc_pack_internal.h"
#include "zc_os.h"
#include "zc_hash.h"

#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

/* Read fallback buffers are over-allocated by this much so the image can start on a
 * boundary that honours every entry alignment the format allows. */
#define ZC__IMAGE_ALIGN ((size_t)1 << ZC_MAX_ALIGN_LOG2)

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

zc_result zc__report(const zc_pack *pack, zc_result code, const zc_diag *diag) {
    zc__pack_log(pack, ZC_LOG_ERROR, diag && diag->message[0] ? diag->message : zc_result_str(code));
    return code;
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
 * given, then the level's checks. Level TOC checks at open the header checksum and, in
 * a TOC with pieces, the first piece, leaving every other piece to the first time it
 * is read (zc__toc_read) and T11 and R14 to zc__pack_check_toc_whole; a TOC without
 * pieces costs one pass over its bytes (both checksums, the lookup index, R14). Each
 * record's checks wait for the first time its entry is handed out (zc__entry_touch). */
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
    pack->toc_header_size = th->header_size;
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

void zc__fill_entry(const zc_pack *pack, uint32_t index, zc_entry *out) {
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
