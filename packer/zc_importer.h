/* zc_importer.h - the importer table: how one source file becomes pack entries.
 *
 * Every importer is one row of a single table (zc_importers.c): a name, a version,
 * the file extensions it claims and one function. The build picks the first row
 * whose extensions match the source file's name, else the fallback row (extensions
 * NULL), and calls its function once per file. Adding an importer means writing its
 * function and adding one row.
 *
 * An importer writes complete entries through the writer it is given: every entry it
 * begins it also ends. On error the build abandons the whole pack (zc_writer_abort),
 * so an importer need not undo a half-written entry.
 *
 * Threads: an importer function may be called from several threads at once for
 * different files and writers; it keeps no state outside its call.
 */
#ifndef ZC_IMPORTER_H
#define ZC_IMPORTER_H

#include <stddef.h>
#include <stdint.h>

#include "zc_writer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One per-file option, from a manifest or the command line: both strings UTF-8 and
 * NUL-terminated. Each importer documents the keys it reads and ignores the rest. */
typedef struct zc_import_option {
    const char *key;
    const char *value;
} zc_import_option;

/* What an importer is given about one source file. Borrowed for the call only. */
typedef struct zc_import_source {
    const char *file_path;          /* file system path to read */
    const char *entry_path;         /* entry path in the pack (passes zc_check_path) */
    uint64_t size;                  /* file size when the build scanned it */
    const zc_import_option *options; /* option_count options; NULL when none */
    size_t option_count;
    zc_logger logger;               /* warnings and notes; errors go to the diag */
} zc_import_source;

/* Import one file: write its entries into `w`. Returns ZC_OK, or an error with a
 * sentence in diag->message that does not repeat the file path (the caller prefixes
 * it). I/O errors reading the source are ZC_ERR_IO or ZC_ERR_FILE_NOT_FOUND. */
typedef zc_result (*zc_import_fn)(const zc_import_source *src, zc_writer *w, zc_diag *diag);

typedef struct zc_importer {
    const char *name;               /* short name, e.g. "blob" */
    uint32_t version;               /* bumped whenever the output for the same input changes */
    const char *const *extensions;  /* lowercase, without the dot, NULL-terminated; NULL = fallback */
    zc_import_fn import;
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

/* The importers themselves (zc_import_*.c). */
zc_result zc__import_blob(const zc_import_source *src, zc_writer *w, zc_diag *diag);

#ifdef __cplusplus
}
#endif

#endif /* ZC_IMPORTER_H */
