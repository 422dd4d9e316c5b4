/* zc_build.h - build one pack from a directory tree.
 *
 *     zc_build_stats stats;
 *     zc_result r = zc_build(&(zc_build_desc){ .input_dir = "assets",
 *                                              .output_path = "assets.zcpack" }, &stats);
 *
 * The build walks input_dir recursively, takes every regular file, names it by its
 * path relative to input_dir with '/' separators, sorts the names bytewise, imports
 * each file through the importer table (zc_importer.h) and writes the pack with
 * zc_writer. The same tree gives a byte-identical pack.
 *
 * Skipped, with a warning: symbolic links (never followed) and anything that is
 * neither a regular file nor a directory. Skipped silently (an info message): the
 * output pack itself when it lies inside the tree, and temporary files of the writer
 * (`*.tmp-<pid>-<n>`).
 *
 * Threads: one build per call; separate builds may run at once on different outputs.
 */
#ifndef ZC_BUILD_H
#define ZC_BUILD_H

#include <stdint.h>

#include "zc_writer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zc_build_progress {
    uint32_t files_done, files_total;
    uint64_t bytes_done, bytes_total;   /* file sizes as scanned */
    const char *current;                /* entry path of the file just imported; NULL before the first */
} zc_build_progress;

typedef void (*zc_build_progress_fn)(const zc_build_progress *progress, void *user_data);

typedef struct zc_build_desc {
    const char *input_dir;          /* directory to pack; required */
    const char *output_path;        /* pack to write; required */
    zc_logger logger;               /* default: silent */
    zc_build_progress_fn progress;  /* default: NULL = none; called once before the first
                                       file and once after each, on the calling thread */
    void *progress_user_data;       /* default: NULL */
    int no_verify;                  /* default: 0 (see zc_writer_desc) */
    int no_sync;                    /* default: 0 (see zc_writer_desc) */
} zc_build_desc;

/* Where a build stopped: lets a caller tell a bad asset from a bad tool. */
typedef enum zc_build_stage {
    ZC_BUILD_STAGE_NONE = 0,        /* the build succeeded */
    ZC_BUILD_STAGE_SCAN,            /* walking the tree, checking file names */
    ZC_BUILD_STAGE_IMPORT,          /* an importer failed on its file */
    ZC_BUILD_STAGE_WRITE,           /* opening or finishing the pack (incl. its verification) */
} zc_build_stage;

typedef struct zc_build_stats {
    zc_build_stage failed_stage;    /* NONE on success */
    uint32_t files;                 /* source files imported */
    uint32_t skipped;               /* symbolic links, special files, the output, temporaries */
    uint32_t entries;               /* entries in the pack */
    uint32_t unique_payloads;       /* distinct non-empty payloads stored */
    uint64_t input_bytes;           /* sum of the source file sizes */
    uint64_t payload_bytes;         /* bytes of the distinct payloads */
    uint64_t pack_bytes;            /* size of the pack file */
} zc_build_stats;

/* Build desc->output_path from desc->input_dir. Fills *out (may be NULL): every count
 * on success, only failed_stage on error.
 * On error the output path is untouched, no temporary file is left, and the logger has
 * received a sentence naming the file at fault. Errors:
 *  - ZC_ERR_INVALID_ARGUMENT: NULL desc or missing paths; two entries with one path.
 *  - ZC_ERR_FILE_NOT_FOUND, ZC_ERR_IO: input_dir missing or not a directory, a
 *    directory or file that cannot be read, an output that cannot be written.
 *  - ZC_ERR_BAD_PATH: a file whose relative path is not a valid entry path (invalid
 *    UTF-8, backslash, control character, too long or too deep).
 *  - any error an importer returns for its file; ZC_ERR_OUT_OF_MEMORY; ZC_ERR_LIMIT.
 *  - a format error if the written pack fails its verification (a writer bug). */
zc_result zc_build(const zc_build_desc *desc, zc_build_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* ZC_BUILD_H */
