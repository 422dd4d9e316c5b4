/* zc_build.c - scan a directory tree and write it as one pack (zc_build.h).
 *
 * Three steps: scan (walk, sort, check names, read the manifest), import (a pipeline
 * on a libuv loop owned by the build: prepare steps on the thread pool, every write
 * on this thread in path order), finish (the writer's TOC, verification, rename).
 * This file holds the build itself (root, cache, writer, conclusion, zc_build());
 * the scan is in zc_build_scan.c, the import pipeline in zc_build_pipeline.c, patch
 * builds in zc_build_patch.c, sharing zc_build_internal.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>
#include <zstd.h>

#include "zc_build_internal.h"
#include "zc_packer_os.h"

/* ---------------------------------------------------------------------------------
 * Build cache (zc_build_cache.h): opened before the walk (which skips its directory),
 * the tree fingerprint taken after it when the tree holds a model, trimmed at the end.
 * The cache never fails a build: when it cannot be opened the build runs without it.
 * ------------------------------------------------------------------------------- */

static void zc__cache_open(zc__build *b) {
    const zc_build_desc *desc = b->desc;
    b->cache = desc->cache;
    if (!b->cache && (desc->cache_dir || desc->cache_url)) {
        char *beside = NULL; /* "<output>.cache" for a server without a directory */
        if (!desc->cache_dir && (beside = (char *)malloc(strlen(desc->output_path) + 7)) != NULL)
            sprintf(beside, "%s.cache", desc->output_path);
        zc_build_cache_desc cd;
        memset(&cd, 0, sizeof cd);
        cd.dir = desc->cache_dir ? desc->cache_dir : beside;
        cd.max_bytes = desc->cache_max_bytes;
        cd.logger = desc->logger;
        cd.url = desc->cache_url;
        if (cd.dir && zc_build_cache_open(&b->cache, &cd) == ZC_OK)
            b->cache_owned = 1;
        else
            zc__build_log(b, ZC_LOG_WARNING, "%s: building without the build cache",
                          cd.dir ? cd.dir : desc->cache_url);
        free(beside);
    }
    if (b->cache) zc_build_cache_dir_id(b->cache, &b->cache_dev, &b->cache_ino);
}

/* Hash every file of the tree for the keys of importers that read other files. */
static void zc__cache_tree(zc__build *b) {
    int needed = 0;
    for (size_t i = 0; b->cache && i < b->count && !needed; ++i)
        needed = zc_build_cache_uses_tree(zc_manifest_importer(b->manifest, b->files[i].rel));
    if (!needed || zc_build_cache_tree_new(b->cache, b->root, &b->tree) != ZC_OK) return;
    for (size_t i = 0; i < b->count; ++i) {
        if (zc_build_cache_tree_add(b->tree, b->files[i].rel) == ZC_ERR_OUT_OF_MEMORY) {
            zc_build_cache_tree_free(b->tree); /* the models are then imported uncached */
            b->tree = NULL;
            return;
        }
    }
}

static void zc__cache_close(zc__build *b, const zc__pipe *p, zc_build_stats *out) {
    uint32_t evicted = 0;
    if (b->cache && (p->cache_misses || p->cache_fetched)) zc_build_cache_trim(b->cache, &evicted);
    if (out) {
        out->cache_hits = p->cache_hits;
        out->cache_misses = p->cache_misses;
        out->cache_rejected = p->cache_rejected;
        out->cache_fetched = p->cache_fetched;
        out->cache_sent = p->cache_sent;
        out->cache_evicted = evicted;
    }
    zc_build_cache_tree_free(b->tree);
    if (b->cache_owned) zc_build_cache_close(b->cache);
}

/* ---------------------------------------------------------------------------------
 * Build
 * ------------------------------------------------------------------------------- */

/* Report every file whose name is no entry path (not UTF-8, a control character, ...),
 * in path order: with keep_going it is left out of b->files, as a file that failed to
 * import is left out of the pack; without, the build stops before anything is
 * imported. Counted in b->bad_names. */
static zc_result zc__check_names(zc__build *b) {
    size_t kept = 0;
    for (size_t i = 0; i < b->count; ++i) {
        zc_diag diag;
        if (zc_check_path(b->files[i].rel, strlen(b->files[i].rel), &diag) == ZC_OK) {
            b->files[kept++] = b->files[i];
            continue;
        }
        char shown[2048];
        char *file = zc__file_path(b, b->files[i].rel);
        zc__build_log(b, ZC_LOG_ERROR, "%s: file name is not a valid entry path: %s",
                      zc__escape(file ? file : b->files[i].rel, shown, sizeof shown), diag.message);
        free(file);
        b->bad_names++;
        if (b->desc->keep_going) free(b->files[i].rel);
        else b->files[kept++] = b->files[i];
    }
    b->count = kept;
    if (!b->bad_names || b->desc->keep_going) return ZC_OK;
    zc__build_log(b, ZC_LOG_ERROR, "%s: not written: %u file%s with names that cannot be entry paths",
                  b->desc->output_path, b->bad_names, b->bad_names == 1 ? "" : "s");
    return ZC_ERR_BAD_PATH;
}

/* Scan the tree and check everything before the output is touched. */
static zc_result zc__prepare_build(zc__build *b, uint64_t *bytes_total) {
    zc_result r = zc__take_ignore(b);
    if (r == ZC_OK) r = zc__build_scan(b, "");
    if (r == ZC_OK && b->count > 1) qsort(b->files, b->count, sizeof *b->files, zc__compare_files);
    if (r == ZC_OK) r = zc__take_manifest(b);
    if (r == ZC_OK) r = zc__check_names(b);
    *bytes_total = 0;
    for (size_t i = 0; i < b->count && r == ZC_OK; ++i) *bytes_total += b->files[i].size;
    if (r == ZC_OK && b->count > ZC_MAX_ENTRIES) {
        zc__build_log(b, ZC_LOG_ERROR, "%s: %zu files exceed the limit of %u entries", b->root, b->count, ZC_MAX_ENTRIES);
        r = ZC_ERR_LIMIT;
    }
    return r;
}

/* Open the root and the facts about the output; fills b->root. */
static zc_result zc__open_root(zc__build *b) {
    const zc_build_desc *desc = b->desc;
    char *root = zc__build_join(b->root, b->root_len, "");
    b->root = root;
    if (!root) return ZC_ERR_OUT_OF_MEMORY;
    struct stat st;
    if (stat(root, &st) != 0) {
        int err = errno;
        zc__build_log(b, ZC_LOG_ERROR, "%s: cannot open directory: %s", root, strerror(err));
        return err == ENOENT ? ZC_ERR_FILE_NOT_FOUND : ZC_ERR_IO;
    }
    if (!S_ISDIR(st.st_mode)) {
        zc__build_log(b, ZC_LOG_ERROR, "%s: not a directory", root);
        return ZC_ERR_IO;
    }
    zc_diag diag;
    zc_import_defaults defaults;
    zc__build_import_defaults(desc, NULL, &defaults);
    zc_result r = zc_import_defaults_check(&defaults, &diag);
    if (r != ZC_OK) {
        zc__build_log(b, ZC_LOG_ERROR, "%s", diag.message);
        return r;
    }
    r = zc_writer_check_output(desc->output_path, desc->logger); /* no device, FIFO, link */
    if (r != ZC_OK) return r;
    if (stat(desc->output_path, &st) == 0) {
        b->has_output = 1;
        b->output_dev = st.st_dev;
        b->output_ino = st.st_ino;
        /* A pack of an earlier build may be replaced (and is skipped by the walk);
         * any other file the walk meets is a source (zc_build.h, "Output"). */
        char magic[sizeof ZC_MAGIC - 1] = { 0 };
        int fd = open(desc->output_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        ssize_t got = fd >= 0 ? read(fd, magic, sizeof magic) : -1;
        if (fd >= 0) close(fd);
        b->output_is_source = got != (ssize_t)sizeof magic || memcmp(magic, ZC_MAGIC, sizeof magic) != 0;
    }
    if (desc->base_path && stat(desc->base_path, &st) == 0) {
        b->has_base = 1;
        b->base_dev = st.st_dev;
        b->base_ino = st.st_ino;
    }
    return ZC_OK;
}

/* The build's compression policy (zc_build.h, "Compression"), as the writer's
 * zc_writer_compress_fn; user_data is the manifest (may be NULL). */
static int zc__compress_policy(const char *path, uint32_t type, void *user_data) {
    char source[ZC_MAX_PATH + 1];
    size_t n = strcspn(path, "#"); /* P#mesh/0 follows the rules of P */
    if (n > ZC_MAX_PATH) n = ZC_MAX_PATH;
    memcpy(source, path, n);
    source[n] = 0;
    zc_switch choice = zc_manifest_compression((const zc_manifest *)user_data, source);
    if (choice != ZC_SWITCH_AUTO) return choice == ZC_SWITCH_ON;
    /* The importer's codec for the type, else the type's: typed entries are what an
     * engine views in place (zc_*_view_from_entry) and stay raw. */
    return zc_importer_compresses(zc_manifest_importer((const zc_manifest *)user_data, source), type);
}

zc_result zc__build_open_writer(const zc_build_desc *desc, const zc_manifest *manifest, zc_writer **w) {
    zc_writer_desc wd;
    memset(&wd, 0, sizeof wd);
    wd.path = desc->output_path;
    wd.logger = desc->logger;
    wd.no_verify = desc->no_verify;
    wd.no_sync = desc->no_sync;
    wd.compress = desc->no_entry_compression ? NULL : zc__compress_policy;
    wd.compress_user_data = (void *)manifest;
    wd.compress_level = desc->compress_level;
    wd.min_saving_percent = desc->min_saving_percent;
    wd.dictionaries = desc->dictionaries;
    wd.threads = desc->threads ? desc->threads : uv_available_parallelism();
    wd.sign_key = desc->sign_key;
    return zc_writer_open(w, &wd);
}

/* Finish or abandon the pack after the imports; sets *stage and *written. */
static zc_result zc__conclude(zc__pipe *p, zc_build_stage *stage, int *written) {
    const zc_build_desc *desc = p->b->desc;
    *written = 0;
    if (p->fatal != ZC_OK || (p->failed && !desc->keep_going)) {
        zc_writer_abort(p->w);
        if (p->fatal != ZC_OK) {
            *stage = ZC_BUILD_STAGE_WRITE;
            return p->fatal;
        }
        zc__build_log(p->b, ZC_LOG_ERROR, "%s: not written: %u file%s failed to import", desc->output_path, p->failed,
                 p->failed == 1 ? "" : "s");
        *stage = ZC_BUILD_STAGE_IMPORT;
        return p->first_failure;
    }
    *stage = ZC_BUILD_STAGE_WRITE;
    zc_result r = zc_writer_finish(p->w);
    if (r != ZC_OK) return r;
    *written = 1;
    if (!p->failed && !p->b->unlisted_dirs) {
        *stage = ZC_BUILD_STAGE_NONE;
        return ZC_OK;
    }
    if (!p->failed) {
        /* keep_going skipped input the walk could not see: the pack is incomplete */
        uint32_t n = p->b->unlisted_dirs;
        zc__build_log(p->b, ZC_LOG_ERROR, "%s: written without the %u director%s that could not be listed",
                      desc->output_path, n, n == 1 ? "y" : "ies");
        *stage = ZC_BUILD_STAGE_SCAN;
        return ZC_ERR_IO;
    }
    zc__build_log(p->b, ZC_LOG_ERROR, "%s: written without the %u file%s that failed to import", desc->output_path,
             p->failed, p->failed == 1 ? "" : "s");
    *stage = ZC_BUILD_STAGE_IMPORT;
    return p->first_failure;
}

/* Build the tree into `write_path`: desc->output_path for a full build, a temporary
 * file for a patch build (then written without sync or verification: only the patch
 * made from it is kept). */
zc_result zc__build_tree(const zc_build_desc *desc, const char *write_path, zc_build_stats *out) {
    if (out) memset(out, 0, sizeof *out);
    if (!desc || !desc->input_dir || !desc->input_dir[0] || !desc->output_path || !desc->output_path[0])
        return ZC_ERR_INVALID_ARGUMENT;
    zc__build b;
    memset(&b, 0, sizeof b);
    b.desc = desc;
    b.root = desc->input_dir;
    b.root_len = strlen(b.root);
    while (b.root_len > 1 && b.root[b.root_len - 1] == '/') b.root_len--;

    zc_build_stage stage = ZC_BUILD_STAGE_SCAN;
    uint64_t bytes_total = 0;
    zc_result r = zc__open_root(&b);
    if (r == ZC_OK) zc__cache_open(&b);
    if (r == ZC_OK) r = zc__prepare_build(&b, &bytes_total);
    if (r == ZC_ERR_BAD_PATH && b.bad_names) stage = ZC_BUILD_STAGE_IMPORT; /* files that cannot be packed */
    if (r == ZC_OK) zc__cache_tree(&b);
    zc__pipe p;
    memset(&p, 0, sizeof p);
    p.b = &b;
    p.bytes_total = bytes_total;
    p.failed = b.bad_names; /* files left out by keep_going before any import */
    if (b.bad_names) p.first_failure = ZC_ERR_BAD_PATH;
    if (r == ZC_OK) {
        stage = ZC_BUILD_STAGE_WRITE;
        zc_build_desc write_desc = *desc;
        write_desc.output_path = write_path;
        if (write_path != desc->output_path) {
            write_desc.no_sync = write_desc.no_verify = 1;
            write_desc.sign_key = NULL; /* only the patch made from it is kept, and signed */
        }
        r = zc__build_open_writer(&write_desc, b.manifest, &p.w);
    }
    int written = 0;
    uint32_t threads = desc->threads ? desc->threads : uv_available_parallelism();
    zc_model_pool *own_pool = NULL;
    if (r == ZC_OK && (zc_image_budget_create(desc->max_memory, &b.budget) != ZC_OK ||
                       (!desc->model_pool && zc_model_pool_create(&own_pool, threads) != ZC_OK))) {
        zc_writer_abort(p.w);
        r = ZC_ERR_OUT_OF_MEMORY;
    }
    b.model_pool = desc->model_pool ? desc->model_pool : own_pool;
    if (r == ZC_OK) {
        zc__run_imports(&p);
        r = zc__conclude(&p, &stage, &written);
    }

    if (out) {
        out->failed_stage = r == ZC_OK ? ZC_BUILD_STAGE_NONE : stage;
        out->failed_files = p.failed;
        out->unlisted_dirs = b.unlisted_dirs;
        out->pack_written = written;
    }
    if (written && out) {
        out->files = (uint32_t)b.count - (p.failed - b.bad_names);
        out->compressions_reused = p.compressions_reused;
        out->twins_reused = p.twins_reused;
        memcpy(out->imported, p.written, sizeof out->imported);
        out->skipped = b.skipped;
        out->links_skipped = b.links_skipped;
        out->excluded = b.excluded;
        out->hidden = b.hidden;
        out->input_bytes = bytes_total;
        zc__pack_stats(write_path, out);
    }
    if (out) out->image_memory_peak = zc_image_budget_peak(b.budget);
    zc_model_pool_destroy(own_pool); /* its workers end with the build */
    zc_image_budget_destroy(b.budget);
    zc__cache_close(&b, &p, out);
    for (size_t i = 0; i < b.count; ++i) free(b.files[i].rel);
    free(b.files);
    free((char *)b.root);
    zc_manifest_free(b.manifest);
    free(b.manifest_path);
    zc_ignore_free(b.ignore);
    return r;
}

void zc__build_import_defaults(const zc_build_desc *desc, zc_image_budget *budget, zc_import_defaults *out) {
    memset(out, 0, sizeof *out);
    out->no_compress = desc->no_compress;
    out->max_texture_dimension = desc->max_texture_dimension;
    out->model_timeout_ms = desc->model_timeout_ms;
    out->image_budget = budget;
    out->follow_links = desc->follow_links;
}

/* ---------------------------------------------------------------------------------
 * Entry comparison (zc_build.h); patch builds are in zc_build_patch.c
 * ------------------------------------------------------------------------------- */

/* The build's logger, counting the errors it passes on: a failure that reached no
 * sentence on its way up (out of memory in a helper that only returns its code) still
 * gets one, as zc_build.h promises. Called from the build's thread and, through the
 * build cache, from the thread pool. */
typedef struct zc__log_tally {
    zc_logger inner;
    atomic_uint errors;
} zc__log_tally;

static void zc__tally_log(zc_log_level level, const char *message, void *user_data) {
    zc__log_tally *tally = (zc__log_tally *)user_data;
    if (level == ZC_LOG_ERROR) atomic_fetch_add(&tally->errors, 1u);
    if (tally->inner.func) tally->inner.func(level, message, tally->inner.user_data);
}

zc_result zc_build(const zc_build_desc *desc, zc_build_stats *out) {
    if (!desc) return zc__build_tree(NULL, NULL, out);
    zc__log_tally tally;
    tally.inner = desc->logger;
    atomic_init(&tally.errors, 0u);
    zc_build_desc d = *desc;
    d.logger.func = zc__tally_log;
    d.logger.user_data = &tally;
    zc_result r = d.base_path ? zc__build_patch(&d, out) : zc__build_tree(&d, d.output_path, out);
    if (r != ZC_OK && atomic_load(&tally.errors) == 0 && d.output_path)
        zc__plog(desc, ZC_LOG_ERROR, "%s: not written: %s", d.output_path, zc_result_str(r));
    return r;
}

