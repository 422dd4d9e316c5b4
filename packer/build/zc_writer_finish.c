/* zc_writer_finish.c - finishing a pack (TOC, header, verification by reopening,
 * rename) and copying entries from another pack (zc_writer.h; zc_writer_internal.h).
 */
#include "zc_writer_internal.h"
#include "zc_tmpfile.h"

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

/* The runtime's messages while verifying the temporary file, prefixed with the
 * output's path (the temporary name alone would not say which pack failed). */
static void zc__verify_log(zc_log_level level, const char *message, void *user_data) {
    const zc_writer *w = (const zc_writer *)user_data;
    zc__writer_wlog(w, level, "%s: %s", w->path, message);
}

/* Make the rename durable. Failure is only a warning: the pack is already in place. */
static void zc__sync_dir(zc_writer *w) {
    char *dir = zc__dir_of(w->path);
    if (!dir) return;
    int fd = zc__packer_sys.open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    if (fd < 0 || zc__packer_sys.fsync(fd) != 0) {
        int err = errno;
        if (err != EINVAL && err != EROFS)
            zc__writer_wlog(w, ZC_LOG_WARNING, "%s: cannot sync directory: %s", dir, strerror(err));
    }
    if (fd >= 0) zc__packer_sys.close(fd);
    free(dir);
}

/* Whether the TOC gets a lookup index (SPEC.md section 4.8) and TOC pieces (4.9):
 * packs of at least ZC_TOC_INDEX_MIN_ENTRIES entries whose string table has room for
 * both. Smaller packs are searched and checked as fast without them and stay byte for
 * byte what a 1.0 writer wrote. The layout of the string table's tail goes to *out. */
typedef struct zc__toc_tail {
    uint64_t index_pad;         /* zero bytes after the paths, to a multiple of 4 */
    uint64_t index_offset;      /* TOC offset of the bucket table */
    uint64_t pieces_pad;        /* zero bytes after it, to a multiple of 8 */
    uint64_t table_offset;      /* TOC offset of the piece table */
    uint64_t piece_count;
    uint64_t bytes;             /* all of the tail */
} zc__toc_tail;

static int zc__toc_indexed(const zc_writer *w, uint32_t bits, zc__toc_tail *out) {
    memset(out, 0, sizeof *out);
    uint64_t strings = ZC_TOC_PIECES_HEADER_SIZE + (uint64_t)w->count * sizeof(zc_toc_entry) +
                       w->dep_count * sizeof(uint64_t);
    out->index_pad = (4 - w->paths_size % 4) % 4;
    out->index_offset = strings + w->paths_size + out->index_pad;
    uint64_t index_end = out->index_offset + (((uint64_t)1 << bits) + 1) * 4u;
    out->pieces_pad = (8 - index_end % 8) % 8;
    out->table_offset = index_end + out->pieces_pad;
    out->piece_count = zc_toc_piece_count(out->table_offset, ZC_TOC_PIECE_LOG2);
    out->bytes = out->table_offset + out->piece_count * 8 - strings - w->paths_size;
    return w->count >= ZC_TOC_INDEX_MIN_ENTRIES && w->paths_size + out->bytes <= UINT32_MAX;
}

/* The TOC's checksums while it is written: XXH3-64 of all of it (the header's
 * toc_checksum) and, in a TOC with pieces, of each piece before the piece table. */
typedef struct zc__toc_sums {
    XXH3_state_t *whole;
    XXH3_state_t *piece;        /* NULL: no pieces */
    uint64_t at;                /* TOC bytes fed so far */
    uint64_t table_offset;      /* end of the last piece */
    uint64_t *hashes;           /* one per piece, filled in order */
    uint64_t done;
} zc__toc_sums;

/* Append TOC bytes, feeding both checksums; a piece's hash is taken at its end. */
static zc_result zc__toc_emit(zc_writer *w, zc__toc_sums *s, const void *data, size_t size) {
    XXH3_64bits_update(s->whole, data, size);
    const uint8_t *b = (const uint8_t *)data;
    const uint64_t piece_size = (uint64_t)1 << ZC_TOC_PIECE_LOG2;
    for (size_t left = size; s->piece && left > 0 && s->at < s->table_offset;) {
        uint64_t piece_end = (s->at / piece_size + 1) * piece_size;
        if (piece_end > s->table_offset) piece_end = s->table_offset;
        size_t n = piece_end - s->at < left ? (size_t)(piece_end - s->at) : left;
        XXH3_64bits_update(s->piece, b, n);
        b += n;
        left -= n;
        s->at += n;
        if (s->at == piece_end) {
            s->hashes[s->done++] = XXH3_64bits_digest(s->piece);
            XXH3_64bits_reset(s->piece);
        }
    }
    return zc__writer_emit(w, data, size);
}

/* Emit the bucket table of the sorted records, 2^bits + 1 little-endian u32: entry b
 * is the first record whose bucket is b or more. One pass over the records, written
 * in chunks. */
static zc_result zc__emit_toc_index(zc_writer *w, zc__toc_sums *sums, uint32_t bits) {
    uint32_t chunk[1024];
    uint32_t used = 0, record = 0;
    uint64_t buckets = (uint64_t)1 << bits;
    zc_result r = ZC_OK;
    for (uint64_t b = 0; b <= buckets && r == ZC_OK; ++b) {
        while (record < w->count && zc_toc_index_bucket(w->recs[record].id, bits) < b) record++;
        chunk[used++] = b == buckets ? w->count : record;
        if (used == 1024 || b == buckets) {
            r = zc__toc_emit(w, sums, chunk, (size_t)used * sizeof *chunk);
            used = 0;
        }
    }
    return r;
}

/* The TOC's records, dependency list, paths and, when indexed, the string table's
 * tail: the bucket table, then the piece table. */
static zc_result zc__emit_toc_body(zc_writer *w, zc__toc_sums *sums, int indexed, uint32_t bits,
                                   const zc__toc_tail *tail) {
    static const uint8_t zeros[8];
    zc_result r = ZC_OK;
    uint32_t path_offset = 0, deps_first = 0;
    for (uint32_t i = 0; i < w->count && r == ZC_OK; ++i) {
        zc_toc_entry out = w->recs[i];
        out.path_offset = path_offset;
        out.deps_first = deps_first;
        path_offset += out.path_length + 1;
        deps_first += out.deps_count;
        r = zc__toc_emit(w, sums, &out, sizeof out);
    }
    for (uint32_t i = 0; i < w->count && r == ZC_OK; ++i) {
        const zc_toc_entry *rec = &w->recs[i];
        if (rec->deps_count)
            r = zc__toc_emit(w, sums, w->deps + rec->deps_first, (size_t)rec->deps_count * sizeof(uint64_t));
    }
    for (uint32_t i = 0; i < w->count && r == ZC_OK; ++i) {
        const zc_toc_entry *rec = &w->recs[i];
        r = zc__toc_emit(w, sums, zc__writer_rec_path(w, rec), (size_t)rec->path_length + 1);
    }
    if (!indexed || r != ZC_OK) return r;
    if ((r = zc__toc_emit(w, sums, zeros, (size_t)tail->index_pad)) != ZC_OK) return r;
    if ((r = zc__emit_toc_index(w, sums, bits)) != ZC_OK) return r;
    if ((r = zc__toc_emit(w, sums, zeros, (size_t)tail->pieces_pad)) != ZC_OK) return r;
    return zc__toc_emit(w, sums, sums->hashes, (size_t)tail->piece_count * 8);
}

/* Stream the TOC at pos (already 16-byte aligned); returns its checksum and whether
 * it carries a lookup index and pieces. */
static zc_result zc__write_toc(zc_writer *w, uint64_t *out_checksum, int *out_indexed) {
    zc__toc_sums sums;
    memset(&sums, 0, sizeof sums);
    sums.whole = w->hash; /* no entry is open: reuse the entry state */
    XXH3_64bits_reset(sums.whole);
    const uint32_t bits = zc_toc_index_bits_for(w->count);
    zc__toc_tail tail;
    const int indexed = zc__toc_indexed(w, bits, &tail);
    struct {
        zc_toc_header th;
        zc_toc_index index;
        zc_toc_pieces pieces;
    } head;
    memset(&head, 0, sizeof head);
    head.th.tag = ZC_TOC_TAG;
    head.th.version = ZC_TOC_VERSION;
    head.th.header_size = indexed ? ZC_TOC_PIECES_HEADER_SIZE : sizeof(zc_toc_header);
    head.th.entry_size = sizeof(zc_toc_entry);
    head.th.entry_count = w->count;
    head.th.dep_count = w->dep_count;
    head.th.strings_size = w->paths_size;
    if (indexed) {
        head.th.strings_size += tail.bytes;
        head.index.offset = tail.index_offset;
        head.index.bits = bits;
        head.pieces.table_offset = tail.table_offset;
        head.pieces.piece_log2 = ZC_TOC_PIECE_LOG2;
        sums.piece = XXH3_createState();
        sums.hashes = (uint64_t *)malloc((size_t)tail.piece_count * 8);
        sums.table_offset = tail.table_offset;
        if (!sums.piece || !sums.hashes) {
            XXH3_freeState(sums.piece);
            free(sums.hashes);
            zc__writer_wlog(w, ZC_LOG_ERROR, "%s: out of memory for the checksums of %llu TOC pieces", w->path,
                            (unsigned long long)tail.piece_count);
            return ZC_ERR_OUT_OF_MEMORY;
        }
        XXH3_64bits_reset(sums.piece);
    }
    zc_result r = zc__toc_emit(w, &sums, &head, head.th.header_size);
    if (r == ZC_OK) r = zc__emit_toc_body(w, &sums, indexed, bits, &tail);
    XXH3_freeState(sums.piece);
    free(sums.hashes);
    *out_checksum = XXH3_64bits_digest(sums.whole);
    *out_indexed = indexed;
    return r;
}

/* Write the header_size bytes of `header` at offset 0, their checksum computed with
 * its own field still zero. */
static zc_result zc__write_header(zc_writer *w, uint8_t *header) {
    memset(header + ZC_HEADER_CHECKSUM_OFFSET, 0, 8);
    uint64_t checksum = XXH3_64bits(header, w->header_size);
    memcpy(header + ZC_HEADER_CHECKSUM_OFFSET, &checksum, 8);
    return zc__writer_pwrite_all(w, header, w->header_size, 0);
}

/* Sign the complete temporary file (SPEC.md section 14.3): read it back through the
 * runtime, which computes the signed message, then write the signature into the
 * header and the header again. */
static zc_result zc__sign_file(zc_writer *w, uint8_t *header) {
    zc_pack *pack = NULL;
    zc_pack_desc pd;
    memset(&pd, 0, sizeof pd);
    pd.path = w->tmp_path;
    pd.validate = ZC_VALIDATE_NONE; /* it is verified at CHECKSUMS once signed */
    pd.logger.func = w->logger.func ? zc__verify_log : NULL;
    pd.logger.user_data = w;
    uint8_t message[ZC_SIGNED_MESSAGE_SIZE];
    zc_result r = zc_pack_open(&pack, &pd);
    if (r == ZC_OK) r = zc_pack_signed_message(pack, message);
    zc_pack_close(pack);
    if (r != ZC_OK) {
        zc__writer_wlog(w, ZC_LOG_ERROR, "%s: cannot read the written pack back to sign it (%s)", w->tmp_path,
                        zc_result_str(r));
        return r;
    }
    zc_secret_key_sign(&w->sign_key, message, header + ZC_SIGNATURE_FIELD_OFFSET);
    return zc__write_header(w, header);
}

zc_result zc_writer_finish(zc_writer *w) {
    if (!w) return ZC_ERR_INVALID_ARGUMENT;
    zc_result r = w->broken;
    if (r != ZC_OK) goto fail;
    if (w->open_entry) {
        zc__writer_wlog(w, ZC_LOG_ERROR, "%s: finish called while entry \"%s\" is still open", w->path,
                 zc__writer_rec_path(w, &w->recs[w->count - 1]));
        r = ZC_ERR_INVALID_ARGUMENT;
        goto fail;
    }
    if ((r = zc__writer_write_deferred(w)) != ZC_OK) goto fail;

    /* Records in id order; begin_entry already refused duplicates, this is the
     * guarantee the format needs (strictly increasing ids). */
    if (w->count > 1) qsort(w->recs, w->count, sizeof *w->recs, zc__compare_ids);
    for (uint32_t i = 1; i < w->count; ++i) {
        if (w->recs[i - 1].id != w->recs[i].id) continue;
        zc__writer_wlog(w, ZC_LOG_ERROR, "%s: entry paths \"%s\" and \"%s\" have the same asset id %016llx", w->path,
                 zc__writer_rec_path(w, &w->recs[i - 1]), zc__writer_rec_path(w, &w->recs[i]), (unsigned long long)w->recs[i].id);
        r = ZC_ERR_INVALID_ARGUMENT;
        goto fail;
    }

    uint64_t toc_offset = zc__writer_align_up(w->pos > w->end ? w->pos : w->end, 16);
    uint64_t toc_checksum = 0;
    int indexed = 0;
    if ((r = zc__writer_emit_zeros(w, toc_offset - w->pos)) != ZC_OK) goto fail;
    if ((r = zc__write_toc(w, &toc_checksum, &indexed)) != ZC_OK) goto fail;
    if ((r = zc__writer_flush(w)) != ZC_OK) goto fail;

    uint8_t header[ZC_SIGNED_HEADER_SIZE];
    zc_header h;
    memset(header, 0, sizeof header);
    memset(&h, 0, sizeof h);
    memcpy(h.magic, ZC_MAGIC, 4);
    memcpy(h.mangle_check, ZC_MANGLE_CHECK, 4);
    h.format_major = ZC_FORMAT_MAJOR;
    h.format_minor = indexed ? ZC_FORMAT_MINOR_PIECES : w->sign ? ZC_FORMAT_MINOR_SIGNED : ZC_FORMAT_MINOR_UNSIGNED;
    for (uint32_t i = 0; i < w->count; ++i)
        if (w->recs[i].codec == ZC_CODEC_ZSTD_SEEKABLE && h.format_minor < ZC_FORMAT_MINOR_SEEKABLE)
            h.format_minor = ZC_FORMAT_MINOR_SEEKABLE;
    h.header_size = w->header_size;
    h.endian_check = ZC_ENDIAN_CHECK;
    h.float_check = ZC_FLOAT_CHECK;
    h.writer_version = ZC_VERSION_NUMBER;
    h.flags = 0;
    h.file_size = w->pos;
    h.toc_offset = toc_offset;
    h.toc_size = w->pos - toc_offset;
    h.toc_checksum = toc_checksum;
    memcpy(header, &h, sizeof h);
    if (w->sign) {
        zc_signature_block block;
        memset(&block, 0, sizeof block);
        block.tag = ZC_SIGNATURE_TAG;
        block.version = ZC_SIGNATURE_VERSION;
        block.algorithm = ZC_SIGNATURE_ED25519_BLAKE2B;
        memcpy(block.key_id, w->sign_key.public_key.key_id, ZC_KEY_ID_SIZE);
        memcpy(header + ZC_SIGNATURE_BLOCK_OFFSET, &block, sizeof block);
    }
    if ((r = zc__write_header(w, header)) != ZC_OK) goto fail;
    if (w->sign && (r = zc__sign_file(w, header)) != ZC_OK) goto fail;

    if (!w->no_sync) {
        while (zc__packer_sys.fsync(w->fd) != 0) {
            if (errno == EINTR) continue;
            r = zc__writer_io_fail(w, "sync", errno);
            goto fail;
        }
    }
    int fd = w->fd;
    w->fd = -1;
    if (zc__packer_sys.close(fd) != 0 && errno != EINTR) {
        r = zc__writer_io_fail(w, "close", errno);
        goto fail;
    }

    if (!w->no_verify) {
        zc_pack *pack = NULL;
        zc_pack_desc pd;
        memset(&pd, 0, sizeof pd);
        pd.path = w->tmp_path;
        /* With threads, the entries' checks run after open on all of them. */
        pd.validate = w->threads > 1 ? ZC_VALIDATE_TOC : ZC_VALIDATE_CHECKSUMS;
        pd.logger.func = w->logger.func ? zc__verify_log : NULL; /* messages name the output too */
        pd.logger.user_data = w;
        pd.trusted_keys = w->sign ? &w->sign_key.public_key : NULL; /* the signature too */
        pd.trusted_key_count = w->sign ? 1u : 0u;
        r = zc_pack_open(&pack, &pd);
        if (r == ZC_OK && w->threads > 1) r = zc_pack_validate_threads(pack, ZC_VALIDATE_CHECKSUMS, w->threads);
        zc_pack_close(pack);
        if (r != ZC_OK) {
            zc__writer_wlog(w, ZC_LOG_ERROR, "%s: the written pack failed verification (%s); %s is left unchanged",
                     w->tmp_path, zc_result_str(r), w->path);
            goto fail;
        }
    }

    r = zc_writer_check_output(w->path, w->logger); /* replaced by a link or device since open */
    if (r != ZC_OK) goto fail;
    if (zc__packer_sys.rename(w->tmp_path, w->path) != 0) {
        int err = errno;
        zc__writer_wlog(w, ZC_LOG_ERROR, "%s: cannot rename to %s: %s", w->tmp_path, w->path, strerror(err));
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
 * end_entry shares them (zc__writer_store, zc__writer_share_or_keep).
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
    w->pad_pending = 0; /* zc__writer_store places the payload itself */
    return zc__writer_store(w, index, (const uint8_t *)entry->data, entry->stored_size, (zc_codec)entry->codec);
}

zc_result zc_writer_copy_entry(zc_writer *w, const zc_entry *entry) {
    if (!w || !entry || !entry->path || (!entry->data && entry->stored_size) || (!entry->deps && entry->deps_count))
        return ZC_ERR_INVALID_ARGUMENT;
    if (w->broken) return w->broken;
    uint32_t align_log2 = zc__log2_alignment(entry->alignment);
    if (align_log2 < ZC_MIN_ALIGN_LOG2 || align_log2 > ZC_MAX_ALIGN_LOG2 || entry->stored_size > ZC_MAX_RAW_SIZE ||
        entry->raw_size > ZC_MAX_RAW_SIZE || (entry->codec == ZC_CODEC_NONE && entry->raw_size != entry->stored_size) ||
        (unsigned)entry->codec > 255u) {
        zc__writer_wlog(w, ZC_LOG_ERROR, "%s: entry \"%s\" cannot be copied: alignment %u, codec %u, sizes %llu/%llu",
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
    if (zc__tmpfile_pid(name) != 0) return 1;
    /* the form of earlier versions, *.tmp-<digits>-<digits>, still left by them */
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
