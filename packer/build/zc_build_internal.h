/* zc_build_internal.h - what the parts of zc_build share (zc_build.h): the build's
 * state, the import pipeline's counters, and the functions each part offers the
 * others.
 *
 *   zc_build.c           the build itself: root, cache, writer, conclusion, zc_build()
 *   zc_build_scan.c      walk, sort, names, the manifest, statistics of the written pack
 *   zc_build_pipeline.c  the import pipeline (thread pool, path-order writes)
 *   zc_build_patch.c     patch builds against a base pack
 */
#ifndef ZC_BUILD_INTERNAL_H
#define ZC_BUILD_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

#include "zc_build.h"
#include "zc_build_cache.h"
#include "zc_image_budget.h"
#include "zc_importer.h"
#include "zc_ignore.h"
#include "zc_manifest.h"

typedef struct zc__build_file {
    char *rel;                  /* entry path: relative, '/'-separated */
    uint64_t size;
    uint64_t dev, ino;          /* identity at the scan: an importer refuses another file */
    int followed;               /* a symbolic link to a regular file (desc->follow_links):
                                   imported from its target's real path */
    int size_shared;            /* another file of the tree has this size: it may have a
                                   twin (zc_import_source.twins) */
} zc__build_file;

typedef struct zc__build {
    const zc_build_desc *desc;
    const char *root;           /* input_dir without trailing slashes ("/" stays "/") */
    size_t root_len;
    int has_output;             /* the output exists: skip it if the walk meets it */
    dev_t output_dev;
    ino_t output_ino;
    int output_is_source;       /* ... and is no pack (no ZC_MAGIC): met in the walk, it
                                   is a source the build refuses to overwrite */
    int has_base;               /* patch builds: the base pack exists; skip it too */
    dev_t base_dev;
    ino_t base_ino;
    zc__build_file *files;
    size_t count, cap;
    uint32_t skipped;
    uint32_t unlisted_dirs;     /* keep_going: subdirectories that could not be listed */
    uint32_t bad_names;         /* files whose names are no entry paths (left out with
                                   keep_going; counted as failed files) */
    zc_manifest *manifest;      /* NULL when the tree has none */
    char *manifest_path;        /* root/zcpack.json when manifest is set, malloc'd */
    zc_ignore *ignore;          /* the root's .zcpackignore; NULL when the tree has none */
    uint32_t excluded;          /* files and folders left out by .zcpackignore or by
                                   the manifest's "exclude" */
    uint32_t links_skipped;     /* symbolic links skipped (not following links) */
    uint32_t hidden;            /* hidden and system files and folders left out
                                   (zc_ignore_system_name) */
    zc_build_cache *cache;      /* desc->cache, or one opened on desc->cache_dir; NULL: none */
    int cache_owned;            /* opened by this build: closed at its end */
    uint64_t cache_dev, cache_ino; /* the cache directory, skipped by the walk */
    zc_build_cache_tree *tree;  /* file hashes for the model importer's keys; NULL: none */
    zc_image_budget *budget;    /* decoded images of the whole build (desc->max_memory) */
    zc_model_pool *model_pool;  /* the model import workers: the caller's, or one per thread
                                   at most for this build */
} zc__build;

typedef struct zc__job zc__job; /* zc_build_pipeline.c */

/* The import pipeline of one build: its ring of jobs and its counts. */
typedef struct zc__worker {
    uv_work_t req;
    struct zc__pipe *pipe;
    size_t id;                  /* its encoder in pipe->encoders */
} zc__worker;

typedef struct zc__pipe {
    zc__build *b;
    zc_writer *w;
    uv_loop_t loop;
    uv_async_t wake;            /* a worker readied a job */
    uv_mutex_t lock;            /* see "Import pipeline" in zc_build_pipeline.c */
    uv_cond_t room;             /* a job was retired: the ring has room */
    zc__job *ring;              /* `window` slots, indexed by file index % window */
    zc__worker *workers;        /* `threads - 1` of them, on the thread pool */
    zc_writer_encoder **encoders; /* one per thread (the last the build's own), created on first use */
    size_t window;              /* files taken and not yet written, at most */
    size_t threads;             /* the build's thread and the workers, each running one prepare step at a time */
    size_t workers_left;        /* queued on the pool and not ended */
    int wake_closed;
    uint64_t held_bytes;        /* payload bytes of prepared files waiting to be written */
    size_t next_take, next_retire;
    int stop;                   /* take nothing more; write nothing more */
    zc_result fatal;            /* writer or resource failure: the pack cannot be finished */
    zc_result first_failure;    /* of the first failed file in path order */
    uint32_t failed;
    uint32_t done[ZC_IMPORTER_MAX], total[ZC_IMPORTER_MAX], written[ZC_IMPORTER_MAX]; /* per importer row */
    uint64_t bytes_done, bytes_total;
    uint32_t cache_hits, cache_misses, cache_rejected, cache_fetched, cache_sent;
    struct zc__memo *memo;      /* stored forms by raw bytes (zc_memo.h); NULL: none */
    struct zc__memo *twins;     /* import outputs of files with shared sizes; NULL: none */
    uint32_t compressions_reused; /* payloads whose stored form came from the memo */
    uint32_t twins_reused;      /* imports whose outputs a twin gave (p->twins) */
} zc__pipe;

/* zc_build_scan.c */
#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 3, 4)))
#endif
void zc__build_log(const zc__build *b, zc_log_level level, const char *fmt, ...);
char *zc__build_join(const char *a, size_t a_len, const char *b); /* "a/b"; NULL: out of memory */
char *zc__file_path(const zc__build *b, const char *rel);        /* root/rel, malloc'd */
/* When `rel` (a file below `root`) is a later file of a texture group (a cube map's
 * -X to -Z face, an array layer after the first; zc_manifest_texture_group), the
 * group's first file as an entry path in *first (malloc'd); else *first NULL. Lists
 * the folder for arrays; a folder that cannot be listed counts as no group (the file's
 * import reports it). ZC_ERR_OUT_OF_MEMORY or ZC_OK. */
zc_result zc__texture_group_first(const zc_manifest *m, const char *root, const char *rel, char **first);
const char *zc__escape(const char *in, char *out, size_t cap);    /* a name shown in a message */
zc_result zc__build_scan(zc__build *b, const char *rel);          /* walk the tree below rel */
int zc__compare_files(const void *x, const void *y);             /* by entry path */
zc_result zc__take_manifest(zc__build *b);                       /* read and drop zcpack.json and the
                                                                    files its rules exclude */
zc_result zc__take_ignore(zc__build *b);                         /* read .zcpackignore, before the walk */
void zc__pack_stats(const char *path, zc_build_stats *stats);     /* counts of a written pack */

/* zc_build_pipeline.c: import every file into p->w (zc_build.c concludes). */
void zc__run_imports(zc__pipe *p);

/* zc_build.c: build the tree into write_path. */
zc_result zc__build_tree(const zc_build_desc *desc, const char *write_path, zc_build_stats *out);

/* zc_build.c: open the writer of desc->output_path with the build's options and its
 * compression policy (zc_build.h, "Compression") over `manifest` (may be NULL). */
zc_result zc__build_open_writer(const zc_build_desc *desc, const zc_manifest *manifest, zc_writer **w);

/* zc_build.c: the build options the importer rows turn into settings defaults. */
void zc__build_import_defaults(const zc_build_desc *desc, zc_image_budget *budget, zc_import_defaults *out);

/* zc_build_patch.c */
zc_result zc__build_patch(const zc_build_desc *desc, zc_build_stats *out);
#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 3, 4)))
#endif
void zc__plog(const zc_build_desc *desc, zc_log_level level, const char *fmt, ...);

#endif /* ZC_BUILD_INTERNAL_H */
