/* zc_writer.h - the pack writer: streams entries into a temporary file, then writes
 * the table of contents and the header, re-opens the result through the runtime's
 * public API, and renames it over the output path.
 *
 * Write-forward: each entry's bytes go to the file as they are produced, so memory
 * stays bounded by the TOC records (72 bytes + path per entry), never by the pack.
 * Deterministic: output depends only on the sequence of calls (no timestamps; padding
 * is zero). Identical payloads are stored once: end_entry compares a finished entry
 * with every earlier one of the same content hash and size, byte for byte, and rolls
 * the file back when it finds a twin.
 *
 * Crash safety: nothing is written to `path` until zc_writer_finish succeeds; then
 * the complete, verified pack replaces it in one rename. A crash at any moment leaves
 * either the old pack or the new one at `path` (plus, at worst, a stale temporary
 * `path.tmp-*` file beside it).
 *
 * Threads: a writer is used from one thread at a time.
 */
#ifndef ZC_WRITER_H
#define ZC_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "zc_pack.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zc_writer zc_writer;

typedef struct zc_writer_desc {
    const char *path;              /* output pack path; required */
    zc_logger logger;              /* default: silent */
    int no_verify;                 /* default: 0 = re-open and verify (CHECKSUMS) before rename */
    int no_sync;                   /* default: 0 = fsync file and directory before/after rename */
} zc_writer_desc;

/* Create the temporary file beside desc->path. ZC_ERR_IO (logged with the path and
 * strerror) when it cannot be created; ZC_ERR_OUT_OF_MEMORY. */
zc_result zc_writer_open(zc_writer **out_writer, const zc_writer_desc *desc);

/* Start an entry. `path` must pass zc_check_path (ZC_ERR_BAD_PATH otherwise) and be
 * new in this pack (ZC_ERR_INVALID_ARGUMENT for duplicates or id collisions, found
 * at finish at the latest). align_log2 in [ZC_MIN_ALIGN_LOG2, ZC_MAX_ALIGN_LOG2], 0
 * means 4 (16 bytes). Only one entry is open at a time. */
zc_result zc_writer_begin_entry(zc_writer *w, const char *path, uint32_t type, uint32_t layout_hash,
                                uint32_t align_log2);

/* Append bytes to the open entry. ZC_ERR_IO on a failed write (disk full, ...). */
zc_result zc_writer_write(zc_writer *w, const void *data, size_t size);

/* Record that the open entry references asset `id` (kept in call order). */
zc_result zc_writer_add_dep(zc_writer *w, uint64_t id);

/* Close the open entry: hash it, and store it once if an identical payload exists. */
zc_result zc_writer_end_entry(zc_writer *w);

/* Drop the open entry as if it had never begun: its record, path, dependencies,
 * bytes and the padding before them. ZC_OK, also when no entry is open; the writer's
 * sticky error when an earlier write failed or the file cannot be cut back (ZC_ERR_IO;
 * the writer is then unusable). Lets a build skip a file whose import failed half-way. */
zc_result zc_writer_cancel_entry(zc_writer *w);

/* Write TOC and header, flush, verify through zc_pack_open, rename over the output.
 * Frees the writer whatever the result; on error the output path is untouched and the
 * temporary file is removed. */
zc_result zc_writer_finish(zc_writer *w);

/* Drop everything: remove the temporary file, free the writer. NULL is a no-op. */
void zc_writer_abort(zc_writer *w);

/* Bytes written to the temporary file so far (for progress and limits). */
uint64_t zc_writer_bytes_written(const zc_writer *w);

#ifdef __cplusplus
}
#endif

#endif /* ZC_WRITER_H */
