/* zc_build.c - scan a directory tree and write it as one pack (zc_build.h).
 *
 * Three steps: scan (walk, sort, check names, read the manifest), import (a pipeline
 * on a libuv loop owned by the build: prepare steps on the thread pool, every write
 * on this thread in path order), finish (the writer's TOC, verification, rename).
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

#include "zc_build.h"
#include "zc_build_cache.h"
#include "zc_importer.h"
#include "zc_manifest.h"

typedef struct zc__build_file {
    char *rel;                  /* entry path: relative, '/'-separated */
    uint64_t size;
} zc__build_file;

typedef struct zc__build {
    const zc_build_desc *desc;
    const char *root;           /* input_dir without trailing slashes ("/" stays "/") */
    size_t root_len;
    int has_output;             /* the output exists: skip it if the walk meets it */
    dev_t output_dev;
    ino_t output_ino;
    int has_base;               /* patch builds: the base pack exists; skip it too */
    dev_t base_dev;
    ino_t base_ino;
    zc__build_file *files;
    size_t count, cap;
    uint32_t skipped;
    zc_manifest *manifest;      /* NULL when the tree has none */
    zc_build_cache *cache;      /* desc->cache, or one opened on desc->cache_dir; NULL: none */
    int cache_owned;            /* opened by this build: closed at its end */
    uint64_t cache_dev, cache_ino; /* the cache directory, skipped by the walk */
    zc_build_cache_tree *tree;  /* file hashes for the model importer's keys; NULL: none */
} zc__build;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void zc__blog(const zc__build *b, zc_log_level level, const char *fmt, ...) {
    if (!b->desc->logger.func) return;
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    b->desc->logger.func(level, line, b->desc->logger.user_data);
}

/* "root/rel", or root alone when rel is empty. NULL when out of memory. */
static char *zc__join(const char *a, size_t a_len, const char *b) {
    size_t b_len = strlen(b);
    int slash = a_len > 0 && a[a_len - 1] != '/' && b_len > 0;
    char *s = (char *)malloc(a_len + (size_t)slash + b_len + 1);
    if (!s) return NULL;
    memcpy(s, a, a_len);
    if (slash) s[a_len] = '/';
    memcpy(s + a_len + (size_t)slash, b, b_len + 1);
    return s;
}

static char *zc__file_path(const zc__build *b, const char *rel) {
    return zc__join(b->root, b->root_len, rel);
}

/* Copy `in` into out[cap] with bytes that are not printable UTF-8 written as \xNN,
 * so a message about a bad file name stays readable and valid UTF-8. */
static const char *zc__escape(const char *in, char *out, size_t cap) {
    size_t o = 0;
    const uint8_t *s = (const uint8_t *)in;
    for (size_t i = 0; s[i] && o + 5 < cap;) {
        size_t n = s[i] < 0x80 ? 1 : s[i] >= 0xF0 ? 4 : s[i] >= 0xE0 ? 3 : 2;
        int ok = s[i] >= 0x20 && s[i] != 0x7F && s[i] != '\\';
        if (n > 1) {
            size_t avail = 1;
            while (avail < n && s[i + avail]) avail++;
            ok = avail == n && zc_utf8_valid(s + i, n);
        }
        if (!ok) {
            snprintf(out + o, cap - o, "\\x%02x", s[i]);
            o += 4;
            i += 1;
        } else if (o + n < cap) {
            memcpy(out + o, s + i, n);
            o += n;
            i += n;
        } else {
            break;
        }
    }
    out[o] = 0;
    return out;
}

static zc_result zc__add_file(zc__build *b, char *rel, uint64_t size) {
    if (b->count == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        zc__build_file *files = (zc__build_file *)realloc(b->files, cap * sizeof *files);
        if (!files) return ZC_ERR_OUT_OF_MEMORY;
        b->files = files;
        b->cap = cap;
    }
    b->files[b->count].rel = rel;
    b->files[b->count].size = size;
    b->count++;
    return ZC_OK;
}

static void zc__free_names(char **names, size_t count) {
    for (size_t i = 0; i < count; ++i) free(names[i]);
    free(names);
}

/* Read the names in one directory (without "." and ".."), then close it, so a deep
 * tree never holds more than one directory stream open. */
static zc_result zc__list_dir(zc__build *b, const char *dir_path, char ***out_names, size_t *out_count) {
    *out_names = NULL;
    *out_count = 0;
    DIR *dir = opendir(dir_path);
    if (!dir) {
        int err = errno;
        zc__blog(b, ZC_LOG_ERROR, "%s: cannot open directory: %s", dir_path, strerror(err));
        return err == ENOENT ? ZC_ERR_FILE_NOT_FOUND : ZC_ERR_IO;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    zc_result r = ZC_OK;
    for (;;) {
        errno = 0;
        struct dirent *d = readdir(dir);
        if (!d) {
            if (errno != 0) {
                zc__blog(b, ZC_LOG_ERROR, "%s: cannot read directory: %s", dir_path, strerror(errno));
                r = ZC_ERR_IO;
            }
            break;
        }
        if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0) continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 32;
            char **grown = (char **)realloc(names, cap * sizeof *grown);
            if (!grown) {
                r = ZC_ERR_OUT_OF_MEMORY;
                break;
            }
            names = grown;
        }
        size_t n = strlen(d->d_name);
        if (!(names[count] = (char *)malloc(n + 1))) {
            r = ZC_ERR_OUT_OF_MEMORY;
            break;
        }
        memcpy(names[count++], d->d_name, n + 1);
    }
    closedir(dir);
    if (r != ZC_OK) {
        if (r == ZC_ERR_OUT_OF_MEMORY) zc__blog(b, ZC_LOG_ERROR, "%s: out of memory listing the directory", dir_path);
        zc__free_names(names, count);
        return r;
    }
    *out_names = names;
    *out_count = count;
    return ZC_OK;
}

/* Collect the regular files under the directory `rel` ("" for the root). */
static zc_result zc__scan(zc__build *b, const char *rel) {
    char *dir_path = zc__file_path(b, rel);
    if (!dir_path) return ZC_ERR_OUT_OF_MEMORY;
    char **names;
    size_t count;
    zc_result r = zc__list_dir(b, dir_path, &names, &count);
    free(dir_path);
    if (r != ZC_OK) return r;

    for (size_t i = 0; i < count && r == ZC_OK; ++i) {
        char *child = zc__join(rel, strlen(rel), names[i]);
        char *child_path = child ? zc__file_path(b, child) : NULL;
        if (!child_path) {
            free(child);
            r = ZC_ERR_OUT_OF_MEMORY;
            break;
        }
        struct stat st;
        if (lstat(child_path, &st) != 0) {
            zc__blog(b, ZC_LOG_ERROR, "%s: cannot stat: %s", child_path, strerror(errno));
            r = ZC_ERR_IO;
        } else if (S_ISLNK(st.st_mode)) {
            zc__blog(b, ZC_LOG_WARNING, "%s: skipping symbolic link", child_path);
            b->skipped++;
        } else if (S_ISDIR(st.st_mode) && b->cache && (uint64_t)st.st_dev == b->cache_dev &&
                   (uint64_t)st.st_ino == b->cache_ino) {
            zc__blog(b, ZC_LOG_INFO, "%s: skipping the build cache", child_path);
        } else if (S_ISDIR(st.st_mode)) {
            r = zc__scan(b, child);
        } else if (!S_ISREG(st.st_mode)) {
            zc__blog(b, ZC_LOG_WARNING, "%s: skipping: not a regular file", child_path);
            b->skipped++;
        } else if (b->has_output && st.st_dev == b->output_dev && st.st_ino == b->output_ino) {
            zc__blog(b, ZC_LOG_INFO, "%s: skipping the output pack", child_path);
            b->skipped++;
        } else if (b->has_base && st.st_dev == b->base_dev && st.st_ino == b->base_ino) {
            zc__blog(b, ZC_LOG_INFO, "%s: skipping the base pack", child_path);
            b->skipped++;
        } else if (zc_writer_is_temp_name(names[i])) {
            zc__blog(b, ZC_LOG_INFO, "%s: skipping a temporary pack file", child_path);
            b->skipped++;
        } else {
            r = zc__add_file(b, child, (uint64_t)st.st_size);
            if (r == ZC_OK) child = NULL; /* owned by the list now */
        }
        free(child);
        free(child_path);
    }
    if (r == ZC_ERR_OUT_OF_MEMORY) zc__blog(b, ZC_LOG_ERROR, "%s: out of memory while scanning", b->root);
    zc__free_names(names, count);
    return r;
}

static int zc__compare_files(const void *x, const void *y) {
    return strcmp(((const zc__build_file *)x)->rel, ((const zc__build_file *)y)->rel);
}

static int zc__compare_u64(const void *x, const void *y) {
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* Entry and payload counts of the finished pack, read back through the runtime. */
static void zc__pack_stats(const char *path, zc_build_stats *stats) {
    zc_pack *pack = NULL;
    zc_pack_desc pd;
    memset(&pd, 0, sizeof pd);
    pd.path = path;
    pd.validate = ZC_VALIDATE_TOC;
    if (zc_pack_open(&pack, &pd) != ZC_OK) return;
    zc_pack_info info;
    if (zc_pack_get_info(pack, &info) == ZC_OK) {
        stats->entries = info.entry_count;
        stats->pack_bytes = info.file_size;
    }
    /* distinct (offset, size) pairs: offsets of non-empty payloads never overlap */
    uint64_t *offsets = (uint64_t *)malloc(((size_t)stats->entries + 1) * 2 * sizeof *offsets);
    uint32_t n = 0;
    for (uint32_t i = 0; offsets && i < stats->entries; ++i) {
        zc_entry e;
        if (zc_pack_entry_at(pack, i, &e) != ZC_OK || e.stored_size == 0) continue;
        offsets[2 * n] = e.offset;
        offsets[2 * n + 1] = e.stored_size;
        n++;
    }
    if (offsets) {
        qsort(offsets, n, 2 * sizeof *offsets, zc__compare_u64);
        for (uint32_t i = 0; i < n; ++i) {
            if (i > 0 && offsets[2 * i] == offsets[2 * (i - 1)]) continue;
            stats->unique_payloads++;
            stats->payload_bytes += offsets[2 * i + 1];
        }
    }
    free(offsets);
    zc_pack_close(pack);
}

/* ---------------------------------------------------------------------------------
 * Manifest
 * ------------------------------------------------------------------------------- */

/* Read zcpack.json when the scan found it at the root, and drop it from the files. */
static zc_result zc__take_manifest(zc__build *b) {
    size_t i = 0;
    while (i < b->count && strcmp(b->files[i].rel, ZC_MANIFEST_NAME) != 0) i++;
    if (i == b->count) return ZC_OK;
    char *file = zc__file_path(b, ZC_MANIFEST_NAME);
    if (!file) return ZC_ERR_OUT_OF_MEMORY;
    zc_diag diag;
    diag.message[0] = 0;
    zc_result r = zc_manifest_load(file, &b->manifest, &diag);
    if (r != ZC_OK)
        zc__blog(b, ZC_LOG_ERROR, "%s: %s", file, diag.message[0] ? diag.message : zc_result_str(r));
    else
        zc__blog(b, ZC_LOG_INFO, "%s: %zu rules", file, zc_manifest_rule_count(b->manifest));
    free(file);
    free(b->files[i].rel);
    memmove(&b->files[i], &b->files[i + 1], (b->count - i - 1) * sizeof *b->files);
    b->count--;
    return r;
}

/* ---------------------------------------------------------------------------------
 * Import pipeline
 *
 * Files are submitted in path order into a ring of `window` jobs; a job with a
 * prepare step runs it on the thread pool, any other job is ready at once. The job at
 * the head of the ring is retired (written, or reported as failed) as soon as it is
 * ready, on this thread, so output order never depends on which thread finished first.
 * ------------------------------------------------------------------------------- */

typedef struct zc__pipe zc__pipe;

typedef struct zc__job {
    uv_work_t req;
    zc__pipe *pipe;
    size_t index;               /* into b->files */
    const zc_importer *imp;
    char *file_path;
    zc_import_settings settings;
    int ready;                  /* prepared, or nothing to prepare */
    int fatal;                  /* the build itself failed on this job */
    zc_result result;           /* of the prepare step */
    zc_diag diag;
    zc_import_outputs outputs;  /* of the prepare step */
    zc_build_cache_outcome cached; /* what the build cache did for the prepare step */
} zc__job;

struct zc__pipe {
    zc__build *b;
    zc_writer *w;
    uv_loop_t loop;
    zc__job *ring;
    size_t window;
    size_t next_submit, next_retire;
    int stop;                   /* submit nothing more; write nothing more */
    zc_result fatal;            /* writer or resource failure: the pack cannot be finished */
    zc_result first_failure;    /* of the first failed file in path order */
    uint32_t failed;
    uint32_t textures_done, textures_total, textures_written;
    uint32_t models_done, models_total, models_written;
    uint64_t bytes_done, bytes_total;
    uint32_t cache_hits, cache_misses, cache_rejected;
};

static int zc__is_texture(const zc_importer *imp) {
    return strcmp(imp->name, "texture") == 0;
}

static int zc__is_model(const zc_importer *imp) {
    return strcmp(imp->name, "model") == 0;
}

static void zc__report(const zc__pipe *p, const char *current) {
    const zc__build *b = p->b;
    if (!b->desc->progress) return;
    zc_build_progress progress;
    progress.files_done = (uint32_t)p->next_retire;
    progress.files_total = (uint32_t)b->count;
    progress.textures_done = p->textures_done;
    progress.textures_total = p->textures_total;
    progress.models_done = p->models_done;
    progress.models_total = p->models_total;
    progress.bytes_done = p->bytes_done;
    progress.bytes_total = p->bytes_total;
    progress.current = current;
    b->desc->progress(&progress, b->desc->progress_user_data);
}

static void zc__job_source(const zc__job *job, zc_import_source *src) {
    const zc__build_file *f = &job->pipe->b->files[job->index];
    memset(src, 0, sizeof *src);
    src->file_path = job->file_path;
    src->entry_path = f->rel;
    src->size = f->size;
    src->settings = &job->settings;
}

/* Thread pool: the prepare step. Touches only the job. */
static void zc__work(uv_work_t *req) {
    zc__job *job = (zc__job *)req->data;
    zc_import_source src;
    zc__job_source(job, &src); /* logger stays silent off the build's thread */
    job->diag.message[0] = 0;
    const zc__build *b = job->pipe->b;
    if (b->cache)
        job->result = zc_build_cache_prepare(b->cache, b->tree, job->imp, &src, &job->outputs, &job->diag,
                                             &job->cached);
    else
        job->result = job->imp->prepare(&src, &job->outputs, &job->diag);
}

static void zc__pump(zc__pipe *p);

/* Build's thread: a prepare step finished. */
static void zc__after_work(uv_work_t *req, int status) {
    zc__job *job = (zc__job *)req->data;
    zc__pipe *p = job->pipe;
    if (status != 0 && job->result == ZC_OK) /* cancelled: the build never cancels */
        job->result = zc_fail(&job->diag, ZC_ERR_IO, "the import was cancelled");
    job->ready = 1;
    if (job->result != ZC_OK && !p->b->desc->keep_going) p->stop = 1;
    zc__pump(p);
}

static void zc__set_fatal(zc__pipe *p, zc_result r) {
    if (p->fatal == ZC_OK) p->fatal = r;
    p->stop = 1;
}

static void zc__submit(zc__pipe *p) {
    zc__build *b = p->b;
    size_t index = p->next_submit++;
    zc__job *job = &p->ring[index % p->window];
    memset(job, 0, sizeof *job);
    job->pipe = p;
    job->index = index;
    job->imp = zc_importer_for_path(b->files[index].rel);
    job->settings.texture.no_compress = b->desc->no_compress;
    job->settings.texture.max_dimension = b->desc->max_texture_dimension;
    job->settings.model.texture = job->settings.texture;
    job->settings.model.timeout_ms = b->desc->model_timeout_ms;
    zc_manifest_apply(b->manifest, b->files[index].rel, &job->settings);
    job->req.data = job;
    job->file_path = zc__file_path(b, b->files[index].rel);
    if (!job->file_path) {
        job->result = zc_fail(&job->diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
        job->fatal = 1;
    } else if (job->imp->prepare) {
        int e = uv_queue_work(&p->loop, &job->req, zc__work, zc__after_work);
        if (e == 0) return;
        job->result = zc_fail(&job->diag, ZC_ERR_IO, "cannot start the import: %s", uv_strerror(e));
        job->fatal = 1;
    }
    job->ready = 1;
    if (job->fatal) zc__set_fatal(p, job->result);
}

/* A generated entry path (not the file's own) that another file of the tree has as
 * its path: the writer would refuse the pair only at the end, so refuse the file now. */
static zc_result zc__check_collisions(const zc__build *b, const zc__job *job, zc_diag *diag) {
    const char *own = b->files[job->index].rel;
    for (size_t i = 0; i < job->outputs.count; ++i) {
        const char *path = job->outputs.items[i].path;
        if (!path || strcmp(path, own) == 0) continue;
        zc__build_file key;
        key.rel = (char *)path;
        if (bsearch(&key, b->files, b->count, sizeof *b->files, zc__compare_files))
            return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT,
                           "its entry %s has the path of another file of the tree (a duplicate entry path)", path);
    }
    return ZC_OK;
}

/* Write a ready job's entries: the whole prepared list is checked first, so a file is
 * written whole or not at all. Returns the import's error, or the writer's with
 * *fatal set. */
static zc_result zc__write_job(zc__pipe *p, zc__job *job, int *fatal) {
    const char *path = p->b->files[job->index].rel;
    if (job->imp->prepare) {
        zc_result r = zc_import_outputs_check(&job->outputs, path, &job->diag);
        if (r == ZC_OK) r = zc__check_collisions(p->b, job, &job->diag);
        if (r != ZC_OK) return r;
        zc_import_notes_log(job->outputs.notes, job->file_path, p->b->desc->logger);
        r = zc_import_outputs_write(&job->outputs, path, p->w, &job->diag);
        *fatal = r != ZC_OK;
        return r;
    }
    zc_import_source src;
    zc__job_source(job, &src);
    src.logger = p->b->desc->logger;
    job->diag.message[0] = 0;
    zc_result r = job->imp->import(&src, p->w, &job->diag);
    if (r != ZC_OK && zc_writer_cancel_entry(p->w) != ZC_OK) *fatal = 1;
    return r;
}

/* Build cache counts and its message for a retired job (the message is logged here,
 * on the build's thread). */
static void zc__count_cached(zc__pipe *p, const zc__job *job) {
    if (job->cached.note[0]) zc__blog(p->b, ZC_LOG_INFO, "%s", job->cached.note);
    p->cache_rejected += (uint32_t)job->cached.rejected;
    if (job->cached.hit)
        p->cache_hits++;
    else if (job->imp->prepare && p->b->cache && job->result == ZC_OK)
        p->cache_misses++;
}

/* The head job is ready: write it or report it, then free it. */
static void zc__retire(zc__pipe *p) {
    zc__build *b = p->b;
    zc__job *job = &p->ring[p->next_retire % p->window];
    const zc__build_file *f = &b->files[job->index];
    int fatal = job->fatal, live = !p->stop && !p->fatal;
    zc_result r = job->result;
    if (r == ZC_OK && live) r = zc__write_job(p, job, &fatal);
    if (r != ZC_OK) {
        zc__blog(b, ZC_LOG_ERROR, "%s: %s", job->file_path ? job->file_path : f->rel,
                 job->diag.message[0] ? job->diag.message : zc_result_str(r));
        if (fatal) {
            zc__set_fatal(p, r);
        } else {
            p->failed++;
            if (p->first_failure == ZC_OK) p->first_failure = r;
            if (!b->desc->keep_going) p->stop = 1;
        }
    } else if (live && zc__is_texture(job->imp)) {
        p->textures_written++;
    } else if (live && zc__is_model(job->imp)) {
        p->models_written++;
    }
    if (zc__is_texture(job->imp)) p->textures_done++;
    if (zc__is_model(job->imp)) p->models_done++;
    p->bytes_done += f->size;
    p->next_retire++;
    zc__count_cached(p, job);
    zc_import_outputs_free(&job->outputs);
    free(job->file_path);
    job->file_path = NULL;
    zc__report(p, f->rel);
}

/* Retire what is ready at the head, and submit while the window has room. */
static void zc__pump(zc__pipe *p) {
    for (;;) {
        if (p->next_retire < p->next_submit && p->ring[p->next_retire % p->window].ready) {
            zc__retire(p);
        } else if (!p->stop && p->next_submit < p->b->count && p->next_submit - p->next_retire < p->window) {
            zc__submit(p);
        } else {
            break;
        }
    }
}

/* Import every file into p->w. Failures are left in p (fatal, failed, first_failure)
 * for zc__conclude; every job is retired when this returns. */
static void zc__run_imports(zc__pipe *p) {
    const zc_build_desc *desc = p->b->desc;
    uint32_t threads = desc->threads ? desc->threads : uv_available_parallelism();
    if (threads == 0) threads = 1;
    if (threads > 1024) threads = 1024;
    p->window = 2 * (size_t)threads;
    p->ring = (zc__job *)calloc(p->window, sizeof *p->ring);
    if (!p->ring) {
        zc__blog(p->b, ZC_LOG_ERROR, "%s: out of memory for the import queue", p->b->root);
        zc__set_fatal(p, ZC_ERR_OUT_OF_MEMORY);
        return;
    }
    int e = uv_loop_init(&p->loop);
    if (e != 0) {
        zc__blog(p->b, ZC_LOG_ERROR, "%s: cannot start the import loop: %s", p->b->root, uv_strerror(e));
        zc__set_fatal(p, ZC_ERR_IO);
        free(p->ring);
        return;
    }
    for (size_t i = 0; i < p->b->count; ++i) {
        const zc_importer *imp = zc_importer_for_path(p->b->files[i].rel);
        if (zc__is_texture(imp)) p->textures_total++;
        if (zc__is_model(imp)) p->models_total++;
    }
    zc__report(p, NULL);
    zc__pump(p);
    uv_run(&p->loop, UV_RUN_DEFAULT); /* returns when no prepare step is left */
    uv_loop_close(&p->loop);
    free(p->ring);
}

/* ---------------------------------------------------------------------------------
 * Build cache (zc_build_cache.h): opened before the walk (which skips its directory),
 * the tree fingerprint taken after it when the tree holds a model, trimmed at the end.
 * The cache never fails a build: when it cannot be opened the build runs without it.
 * ------------------------------------------------------------------------------- */

static void zc__cache_open(zc__build *b) {
    const zc_build_desc *desc = b->desc;
    b->cache = desc->cache;
    if (!b->cache && desc->cache_dir) {
        zc_build_cache_desc cd;
        memset(&cd, 0, sizeof cd);
        cd.dir = desc->cache_dir;
        cd.max_bytes = desc->cache_max_bytes;
        cd.logger = desc->logger;
        if (zc_build_cache_open(&b->cache, &cd) == ZC_OK)
            b->cache_owned = 1;
        else
            zc__blog(b, ZC_LOG_WARNING, "%s: building without the build cache", desc->cache_dir);
    }
    if (b->cache) zc_build_cache_dir_id(b->cache, &b->cache_dev, &b->cache_ino);
}

/* Hash every file of the tree for the keys of importers that read other files. */
static void zc__cache_tree(zc__build *b) {
    int needed = 0;
    for (size_t i = 0; b->cache && i < b->count && !needed; ++i)
        needed = zc_build_cache_uses_tree(zc_importer_for_path(b->files[i].rel));
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
    if (b->cache && p->cache_misses) zc_build_cache_trim(b->cache, &evicted);
    if (out) {
        out->cache_hits = p->cache_hits;
        out->cache_misses = p->cache_misses;
        out->cache_rejected = p->cache_rejected;
        out->cache_evicted = evicted;
    }
    zc_build_cache_tree_free(b->tree);
    if (b->cache_owned) zc_build_cache_close(b->cache);
}

/* ---------------------------------------------------------------------------------
 * Build
 * ------------------------------------------------------------------------------- */

/* Scan the tree and check everything before the output is touched. */
static zc_result zc__prepare_build(zc__build *b, uint64_t *bytes_total) {
    zc_result r = zc__scan(b, "");
    if (r == ZC_OK && b->count > 1) qsort(b->files, b->count, sizeof *b->files, zc__compare_files);
    if (r == ZC_OK) r = zc__take_manifest(b);
    *bytes_total = 0;
    for (size_t i = 0; i < b->count && r == ZC_OK; ++i) {
        zc_diag diag;
        *bytes_total += b->files[i].size;
        if (zc_check_path(b->files[i].rel, strlen(b->files[i].rel), &diag) != ZC_OK) {
            char shown[2048];
            char *file = zc__file_path(b, b->files[i].rel);
            zc__blog(b, ZC_LOG_ERROR, "%s: file name is not a valid entry path: %s",
                     zc__escape(file ? file : b->files[i].rel, shown, sizeof shown), diag.message);
            free(file);
            r = ZC_ERR_BAD_PATH;
        }
    }
    if (r == ZC_OK && b->count > ZC_MAX_ENTRIES) {
        zc__blog(b, ZC_LOG_ERROR, "%s: %zu files exceed the limit of %u entries", b->root, b->count, ZC_MAX_ENTRIES);
        r = ZC_ERR_LIMIT;
    }
    return r;
}

/* Open the root and the facts about the output; fills b->root. */
static zc_result zc__open_root(zc__build *b) {
    const zc_build_desc *desc = b->desc;
    char *root = zc__join(b->root, b->root_len, "");
    b->root = root;
    if (!root) return ZC_ERR_OUT_OF_MEMORY;
    struct stat st;
    if (stat(root, &st) != 0) {
        int err = errno;
        zc__blog(b, ZC_LOG_ERROR, "%s: cannot open directory: %s", root, strerror(err));
        return err == ENOENT ? ZC_ERR_FILE_NOT_FOUND : ZC_ERR_IO;
    }
    if (!S_ISDIR(st.st_mode)) {
        zc__blog(b, ZC_LOG_ERROR, "%s: not a directory", root);
        return ZC_ERR_IO;
    }
    if (desc->max_texture_dimension > ZC_TEXTURE_MAX_EXTENT) {
        zc__blog(b, ZC_LOG_ERROR, "maximum texture dimension %u exceeds the format's limit of %u",
                 desc->max_texture_dimension, ZC_TEXTURE_MAX_EXTENT);
        return ZC_ERR_INVALID_ARGUMENT;
    }
    if (stat(desc->output_path, &st) == 0) {
        b->has_output = 1;
        b->output_dev = st.st_dev;
        b->output_ino = st.st_ino;
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
    /* Typed entries are what an engine views in place (zc_*_view_from_entry); only
     * blobs and types without a view are compressed unless the manifest says so. */
    return type != ZC_TYPE_TEXTURE && type != ZC_TYPE_MESH && type != ZC_TYPE_MATERIAL && type != ZC_TYPE_SCENE;
}

static zc_result zc__open_writer(const zc_build_desc *desc, const zc_manifest *manifest, zc_writer **w) {
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
        zc__blog(p->b, ZC_LOG_ERROR, "%s: not written: %u file%s failed to import", desc->output_path, p->failed,
                 p->failed == 1 ? "" : "s");
        *stage = ZC_BUILD_STAGE_IMPORT;
        return p->first_failure;
    }
    *stage = ZC_BUILD_STAGE_WRITE;
    zc_result r = zc_writer_finish(p->w);
    if (r != ZC_OK) return r;
    *written = 1;
    if (!p->failed) {
        *stage = ZC_BUILD_STAGE_NONE;
        return ZC_OK;
    }
    zc__blog(p->b, ZC_LOG_ERROR, "%s: written without the %u file%s that failed to import", desc->output_path,
             p->failed, p->failed == 1 ? "" : "s");
    *stage = ZC_BUILD_STAGE_IMPORT;
    return p->first_failure;
}

/* Build the tree into `write_path`: desc->output_path for a full build, a temporary
 * file for a patch build (then written without sync or verification: only the patch
 * made from it is kept). */
static zc_result zc__build_tree(const zc_build_desc *desc, const char *write_path, zc_build_stats *out) {
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
    if (r == ZC_OK) zc__cache_tree(&b);
    zc__pipe p;
    memset(&p, 0, sizeof p);
    p.b = &b;
    p.bytes_total = bytes_total;
    if (r == ZC_OK) {
        stage = ZC_BUILD_STAGE_WRITE;
        zc_build_desc write_desc = *desc;
        write_desc.output_path = write_path;
        if (write_path != desc->output_path) write_desc.no_sync = write_desc.no_verify = 1;
        r = zc__open_writer(&write_desc, b.manifest, &p.w);
    }
    int written = 0;
    if (r == ZC_OK) {
        zc__run_imports(&p);
        r = zc__conclude(&p, &stage, &written);
    }

    if (out) {
        out->failed_stage = r == ZC_OK ? ZC_BUILD_STAGE_NONE : stage;
        out->failed_files = p.failed;
        out->pack_written = written;
    }
    if (written && out) {
        out->files = (uint32_t)b.count - p.failed;
        out->textures = p.textures_written;
        out->models = p.models_written;
        out->skipped = b.skipped;
        out->input_bytes = bytes_total;
        zc__pack_stats(write_path, out);
    }
    zc__cache_close(&b, &p, out);
    for (size_t i = 0; i < b.count; ++i) free(b.files[i].rel);
    free(b.files);
    free((char *)b.root);
    zc_manifest_free(b.manifest);
    return r;
}

/* ---------------------------------------------------------------------------------
 * Patch builds (desc->base_path): the tree is built whole into a temporary pack
 * beside the output, compared with the base record by record, and the entries that
 * differ are copied as they are stored into the patch, followed by a whiteout for
 * every base path the tree no longer has.
 * ------------------------------------------------------------------------------- */

static int zc__compare_entry_paths(const void *x, const void *y) {
    return strcmp(((const zc_entry *)x)->path, ((const zc_entry *)y)->path);
}

/* Every entry of `pack` sorted by path, in a malloc'd array (count in *out_count);
 * NULL when out of memory. */
static zc_entry *zc__entries_by_path(const zc_pack *pack, uint32_t *out_count) {
    uint32_t n = zc_pack_entry_count(pack);
    zc_entry *entries = (zc_entry *)malloc(((size_t)n + 1) * sizeof *entries);
    if (!entries) return NULL;
    for (uint32_t i = 0; i < n; ++i) zc_pack_entry_at(pack, i, &entries[i]);
    if (n > 1) qsort(entries, n, sizeof *entries, zc__compare_entry_paths);
    *out_count = n;
    return entries;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void zc__plog(const zc_build_desc *desc, zc_log_level level, const char *fmt, ...) {
    if (!desc->logger.func) return;
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    desc->logger.func(level, line, desc->logger.user_data);
}

/* Open a pack read back by the build at level TOC, messages through desc's logger. */
static zc_result zc__open_pack(const zc_build_desc *desc, const char *path, zc_pack **out) {
    zc_pack_desc pd;
    memset(&pd, 0, sizeof pd);
    pd.path = path;
    pd.validate = ZC_VALIDATE_TOC;
    pd.logger = desc->logger;
    return zc_pack_open(out, &pd);
}

/* Open the base, refusing a base that is the output itself. */
static zc_result zc__open_base(const zc_build_desc *desc, zc_pack **out) {
    *out = NULL;
    struct stat base_st, out_st;
    if (stat(desc->base_path, &base_st) == 0 && stat(desc->output_path, &out_st) == 0 &&
        base_st.st_dev == out_st.st_dev && base_st.st_ino == out_st.st_ino) {
        zc__plog(desc, ZC_LOG_ERROR, "%s: the patch would replace its own base pack; choose another output",
                 desc->output_path);
        return ZC_ERR_INVALID_ARGUMENT;
    }
    zc_result r = zc__open_pack(desc, desc->base_path, out);
    if (r != ZC_OK)
        zc__plog(desc, ZC_LOG_ERROR, "%s: cannot use it as the base pack: %s", desc->base_path, zc_result_str(r));
    return r;
}

/* Create an empty file "<output>.full.tmp-<pid>-<n>" (a name the scan skips) to hold
 * the full build. ZC_OK and the malloc'd name in *out; else *out is NULL and the
 * failure (ZC_ERR_OUT_OF_MEMORY, ZC_ERR_IO) is logged. */
static zc_result zc__reserve_full_path(const zc_build_desc *desc, char **out) {
    *out = NULL;
    size_t cap = strlen(desc->output_path) + 64;
    char *path = (char *)malloc(cap);
    if (!path) {
        zc__plog(desc, ZC_LOG_ERROR, "%s: out of memory", desc->output_path);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    int err = 0;
    for (unsigned n = 0; n < 1000; ++n) {
        snprintf(path, cap, "%s.full.tmp-%ld-%u", desc->output_path, (long)getpid(), n);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0) {
            close(fd);
            *out = path;
            return ZC_OK;
        }
        err = errno;
        if (err != EEXIST && err != EINTR) break;
    }
    zc__plog(desc, ZC_LOG_ERROR, "%s: cannot create: %s", path, strerror(err));
    free(path);
    return ZC_ERR_IO;
}

typedef struct zc__patch_counts {
    uint32_t added, changed, removed, unchanged;
} zc__patch_counts;

/* 1 when the entry goes into the patch because of its own content: `base` lacks its
 * path or holds it differently. Counts it as added, changed or unchanged. */
static int zc__patch_needs(const zc_pack *base, const zc_entry *e, zc__patch_counts *counts) {
    zc_entry old;
    if (zc_pack_find(base, e->path, &old) != ZC_OK) {
        if (counts) counts->added++;
        return 1;
    }
    if (zc_entry_differences(e, &old) != 0) {
        if (counts) counts->changed++;
        return 1;
    }
    if (counts) counts->unchanged++;
    return 0;
}

/* The zstd dictionaries (formats/zc_zstd_dict.h) that the frames of the entries going
 * into the patch name: a compressed entry is decoded with the dictionary of its own
 * pack, so the patch carries them even when the base holds the same ones. Returns a
 * malloc'd array of distinct ids (count in *out_count, possibly 0), NULL when out of
 * memory. */
static uint32_t *zc__patch_dict_ids(const zc_pack *base, const zc_entry *entries, uint32_t count,
                                    uint32_t *out_count) {
    uint32_t *ids = (uint32_t *)malloc(sizeof *ids * ((size_t)count + 1)), n = 0;
    if (!ids) return NULL;
    for (uint32_t i = 0; i < count; ++i) {
        const zc_entry *e = &entries[i];
        if (e->codec != ZC_CODEC_ZSTD || e->stored_size > SIZE_MAX || !zc__patch_needs(base, e, NULL)) continue;
        uint32_t id = ZSTD_getDictID_fromFrame(e->data, (size_t)e->stored_size);
        uint32_t k = 0;
        while (k < n && ids[k] != id) k++;
        if (id != 0 && k == n) ids[n++] = id;
    }
    *out_count = n;
    return ids;
}

/* Copy the entries of `full` that `base` lacks or holds differently, and the
 * dictionaries those need, in path order. */
static zc_result zc__patch_copy(const zc_build_desc *desc, zc_writer *w, const zc_pack *base,
                                const zc_entry *entries, uint32_t count, zc__patch_counts *counts) {
    uint32_t dict_count = 0;
    uint32_t *dicts = zc__patch_dict_ids(base, entries, count, &dict_count);
    if (!dicts) {
        zc__plog(desc, ZC_LOG_ERROR, "%s: out of memory comparing with the base", desc->output_path);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    zc_result r = ZC_OK;
    for (uint32_t i = 0; i < count && r == ZC_OK; ++i) {
        const zc_entry *e = &entries[i];
        int copy = zc__patch_needs(base, e, counts);
        if (!copy && e->type == ZC_TYPE_ZSTD_DICT && e->codec == ZC_CODEC_NONE) {
            uint32_t id = zc_zstd_dict_id(e->data, e->stored_size);
            for (uint32_t k = 0; k < dict_count && !copy; ++k) copy = id != 0 && dicts[k] == id;
        }
        if (copy) r = zc_writer_copy_entry(w, e);
    }
    free(dicts);
    return r;
}

/* A whiteout for every path of `base` that `full` lacks, in path order. The base's own
 * whiteouts need none: those paths are absent from its view already. */
static zc_result zc__patch_whiteouts(zc_writer *w, const zc_pack *full, const zc_entry *entries, uint32_t count,
                                     zc__patch_counts *counts) {
    for (uint32_t i = 0; i < count; ++i) {
        zc_entry e;
        if (entries[i].type == ZC_TYPE_WHITEOUT || zc_pack_find(full, entries[i].path, &e) == ZC_OK) continue;
        zc_result r = zc_writer_begin_entry(w, entries[i].path, ZC_TYPE_WHITEOUT, ZC_WHITEOUT_LAYOUT_HASH, 0);
        if (r == ZC_OK) r = zc_writer_end_entry(w);
        if (r != ZC_OK) return r;
        counts->removed++;
    }
    return ZC_OK;
}

/* Write the patch of `full` against `base` to desc->output_path. */
static zc_result zc__write_patch(const zc_build_desc *desc, const zc_pack *base, const zc_pack *full,
                                 zc__patch_counts *counts) {
    uint32_t full_count = 0, base_count = 0;
    zc_entry *full_entries = zc__entries_by_path(full, &full_count);
    zc_entry *base_entries = zc__entries_by_path(base, &base_count);
    zc_writer *w = NULL;
    zc_result r = full_entries && base_entries ? ZC_OK : ZC_ERR_OUT_OF_MEMORY;
    if (r != ZC_OK) zc__plog(desc, ZC_LOG_ERROR, "%s: out of memory comparing with the base", desc->output_path);
    if (r == ZC_OK) {
        zc_writer_desc wd;
        memset(&wd, 0, sizeof wd);
        wd.path = desc->output_path;
        wd.logger = desc->logger;
        wd.no_verify = desc->no_verify;
        wd.no_sync = desc->no_sync;
        r = zc_writer_open(&w, &wd);
    }
    if (r == ZC_OK) r = zc__patch_copy(desc, w, base, full_entries, full_count, counts);
    if (r == ZC_OK) r = zc__patch_whiteouts(w, full, base_entries, base_count, counts);
    if (r == ZC_OK) {
        r = zc_writer_finish(w); /* frees the writer whatever the result */
        w = NULL;
    }
    zc_writer_abort(w);
    free(full_entries);
    free(base_entries);
    return r;
}

static zc_result zc__build_patch(const zc_build_desc *desc, zc_build_stats *out) {
    if (out) memset(out, 0, sizeof *out);
    if (!desc->input_dir || !desc->input_dir[0] || !desc->output_path || !desc->output_path[0] ||
        !desc->base_path[0])
        return ZC_ERR_INVALID_ARGUMENT;
    if (out) out->failed_stage = ZC_BUILD_STAGE_SCAN;
    if (desc->keep_going) {
        zc__plog(desc, ZC_LOG_ERROR, "%s: a patch cannot be built with keep_going: a file that failed to import "
                 "would read as removed", desc->output_path);
        return ZC_ERR_INVALID_ARGUMENT;
    }
    zc_pack *base = NULL, *full = NULL;
    zc_result r = zc__open_base(desc, &base);
    char *full_path = NULL;
    if (r == ZC_OK) r = zc__reserve_full_path(desc, &full_path);
    if (r != ZC_OK) {
        zc_pack_close(base);
        return r;
    }

    zc_build_stats full_stats;
    r = zc__build_tree(desc, full_path, &full_stats);
    zc__patch_counts counts = { 0, 0, 0, 0 };
    if (r == ZC_OK) {
        r = zc__open_pack(desc, full_path, &full);
        if (r == ZC_OK) r = zc__write_patch(desc, base, full, &counts);
        if (out) out->failed_stage = ZC_BUILD_STAGE_WRITE;
    } else if (out) {
        out->failed_stage = full_stats.failed_stage;
        out->failed_files = full_stats.failed_files;
    }
    zc_pack_close(full);
    zc_pack_close(base);
    unlink(full_path);
    free(full_path);
    if (r != ZC_OK || !out) return r;

    *out = full_stats;
    out->entries = out->unique_payloads = 0;
    out->payload_bytes = out->pack_bytes = 0;
    out->patch_added = counts.added;
    out->patch_changed = counts.changed;
    out->patch_removed = counts.removed;
    out->patch_unchanged = counts.unchanged;
    zc__pack_stats(desc->output_path, out);
    return ZC_OK;
}

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
