/* zc_importer.h - the importer table: how one source file becomes pack entries.
 *
 * Every importer is one row of a single table (zc_importers.c): a name, a version,
 * the file extensions it claims and its functions. The build picks the first row
 * whose extensions match the source file's name, else the fallback row (extensions
 * NULL). Adding an importer means writing its functions and adding one row.
 *
 * Two ways to import:
 *  - `import` writes complete entries through the writer it is given: every entry it
 *    begins it also ends. It runs on the build's own thread and may stream (the blob
 *    importer copies a file of any size through a small buffer). When it fails, the
 *    build cancels the entry it left open (zc_writer_cancel_entry).
 *  - `prepare` (optional) does the expensive part on a worker thread of the build's
 *    thread pool and returns one finished entry in memory (zc_import_output); the
 *    build writes the outputs in path order on its own thread, so the pack does not
 *    depend on the number of threads. A row with `prepare` still has an `import`
 *    (prepare, then write), for callers that import one file directly.
 *
 * Threads: importer functions may be called from several threads at once for
 * different files and writers; they keep no state outside their call. `prepare` must
 * not use the logger (src->logger is silent there): it reports through the diag.
 */
#ifndef ZC_IMPORTER_H
#define ZC_IMPORTER_H

#include <stddef.h>
#include <stdint.h>

#include "zc_writer.h"
#include "zc_import_texture.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One per-file option, from a manifest or the command line: both strings UTF-8 and
 * NUL-terminated. Each importer documents the keys it reads and ignores the rest. */
typedef struct zc_import_option {
    const char *key;
    const char *value;
} zc_import_option;

/* Typed per-file settings, from the manifest (zc_manifest.h) and the build options.
 * Zero everywhere means every importer's defaults. */
typedef struct zc_import_settings {
    zc_texture_settings texture;    /* the texture importer's (zc_import_texture.h) */
} zc_import_settings;

/* What an importer is given about one source file. Borrowed for the call only. */
typedef struct zc_import_source {
    const char *file_path;          /* file system path to read */
    const char *entry_path;         /* entry path in the pack (passes zc_check_path) */
    uint64_t size;                  /* file size when the build scanned it */
    const zc_import_option *options; /* option_count options; NULL when none */
    size_t option_count;
    zc_logger logger;               /* warnings and notes; errors go to the diag */
    const zc_import_settings *settings; /* NULL: defaults */
} zc_import_source;

/* One entry built in memory by a prepare function. */
typedef struct zc_import_output {
    uint32_t type;                  /* FourCC type tag */
    uint32_t layout_hash;
    uint32_t align_log2;            /* as zc_writer_begin_entry takes it */
    void *payload;                  /* malloc'd entry bytes; owned by the output */
    size_t size;
} zc_import_output;

/* Import one file: write its entries into `w`. Returns ZC_OK, or an error with a
 * sentence in diag->message that does not repeat the file path (the caller prefixes
 * it). I/O errors reading the source are ZC_ERR_IO or ZC_ERR_FILE_NOT_FOUND. */
typedef zc_result (*zc_import_fn)(const zc_import_source *src, zc_writer *w, zc_diag *diag);

/* Build one file's entry in memory: on ZC_OK *out holds it (the caller writes it with
 * zc_import_output_write and frees it); on error *out is empty and the diag says why,
 * as for zc_import_fn. Runs on any thread. */
typedef zc_result (*zc_prepare_fn)(const zc_import_source *src, zc_import_output *out, zc_diag *diag);

typedef struct zc_importer {
    const char *name;               /* short name, e.g. "blob" */
    uint32_t version;               /* bumped whenever the output for the same input changes */
    const char *const *extensions;  /* lowercase, without the dot, NULL-terminated; NULL = fallback */
    zc_import_fn import;            /* never NULL */
    zc_prepare_fn prepare;          /* NULL: the build calls import on its thread */
} zc_importer;

/* Number of importers in the table, and the one at `index` (NULL past the end). */
size_t zc_importer_count(void);
const zc_importer *zc_importer_at(size_t index);

/* The importer named `name`, NULL when there is none. */
const zc_importer *zc_importer_find(const char *name);

/* The importer for a file name: the first whose extensions contain the name's
 * extension (compared without regard to ASCII case), else the fallback. Never NULL. */
const zc_importer *zc_importer_for_path(const char *path);

/* The value of option `key` for this source, NULL when it is not set (the last
 * occurrence wins). */
const char *zc_import_option_get(const zc_import_source *src, const char *key);

/* Write a prepared output as one entry named entry_path. ZC_OK or the writer's error,
 * with a sentence in diag. The output stays owned by the caller. */
zc_result zc_import_output_write(const zc_import_output *out, const char *entry_path, zc_writer *w, zc_diag *diag);

/* Free an output's payload and zero it. NULL is a no-op. */
void zc_import_output_free(zc_import_output *out);

/* The importers themselves (zc_import_*.c). */
zc_result zc__import_blob(const zc_import_source *src, zc_writer *w, zc_diag *diag);
zc_result zc__import_texture(const zc_import_source *src, zc_writer *w, zc_diag *diag);
zc_result zc__prepare_texture(const zc_import_source *src, zc_import_output *out, zc_diag *diag);

#ifdef __cplusplus
}
#endif

#endif /* ZC_IMPORTER_H */
