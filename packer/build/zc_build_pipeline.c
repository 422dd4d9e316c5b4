/* zc_build_pipeline.c - the import step of a build (zc_build_internal.h).
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
#include <xxhash.h>
#include <zstd.h>

#include "zc_build_internal.h"

/* ---------------------------------------------------------------------------------
 * Import pipeline
 *
 * Files are submitted in path order into a ring of `window` jobs; a job with a
 * prepare step runs it on the thread pool, at most `threads` at once, any other job
 * is ready at once. The job at the head of the ring is retired (written, or reported
 * as failed) as soon as it is ready, on this thread, so output order never depends on
 * which thread finished first.
 *
 * The ring is wider than the threads so that one slow file at the head (a large image,
 * a model) does not leave the other threads idle: they go on preparing the files
 * after it, up to ZC__LOOKAHEAD files further. What they finish waits in memory, so
 * past the first 2 * threads files in the ring a new file is submitted only while the
 * prepared files waiting hold at most ZC__HELD_BYTES together.
 * ------------------------------------------------------------------------------- */

#define ZC__LOOKAHEAD 256
#define ZC__HELD_BYTES ((uint64_t)256 << 20)

struct zc__job {
    uv_work_t req;
    zc__pipe *pipe;
    size_t index;               /* into b->files */
    const zc_importer *imp;
    char *file_path;
    zc_import_settings settings;
    int ready;                  /* prepared, or nothing to prepare */
    int prepared;               /* imported through the row's prepare step (zc_importer_prepares) */
    int fatal;                  /* the build itself failed on this job */
    int encoder;                /* index into pipe->encoders lent to the prepare step */
    uint64_t held;              /* payload bytes counted in pipe->held_bytes */
    zc_result result;           /* of the prepare step */
    zc_diag diag;
    zc_import_outputs outputs;  /* of the prepare step */
    zc_build_cache_outcome cached; /* what the build cache did for the prepare step */
};

static void zc__report(const zc__pipe *p, const char *current) {
    const zc__build *b = p->b;
    if (!b->desc->progress) return;
    zc_build_progress progress;
    progress.files_done = (uint32_t)p->next_retire;
    progress.files_total = (uint32_t)b->count;
    memcpy(progress.done, p->done, sizeof progress.done);
    memcpy(progress.total, p->total, sizeof progress.total);
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
    src->has_identity = 1;
    src->dev = f->dev;
    src->ino = f->ino;
    src->settings = &job->settings;
    src->manifest = job->pipe->b->manifest;
    src->manifest_path = job->pipe->b->manifest_path;
}

/* Thread pool: compress the job's outputs that the writer would compress, as it would
 * (zc_writer_encode), so the build's thread only appends them. Uses the encoder lent
 * to the job, which no other job uses meanwhile. */
static zc_result zc__encode_outputs(zc__job *job) {
    zc__pipe *p = job->pipe;
    const char *own = p->b->files[job->index].rel;
    for (size_t i = 0; i < job->outputs.count; ++i) {
        zc_import_output *o = &job->outputs.items[i];
        const char *path = o->path ? o->path : own;
        if (o->encoded || !zc_writer_encodes(p->w, path, o->type, o->size)) continue;
        zc_writer_encoder **e = &p->encoders[job->encoder];
        if (!*e && !(*e = zc_writer_encoder_create(p->w)))
            return zc_fail(&job->diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for a compression context");
        zc_codec codec;
        const void *stored;
        size_t stored_size;
        zc_result r = zc_writer_encode(*e, o->payload, o->size, &codec, &stored, &stored_size);
        if (r != ZC_OK) return zc_fail(&job->diag, r, "cannot compress the entry %s: %s", path, zc_result_str(r));
        o->content_hash = XXH3_64bits(o->payload, o->size);
        if (codec != ZC_CODEC_NONE) {
            void *copy = malloc(stored_size);
            if (!copy) return zc_fail(&job->diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for a compressed entry");
            memcpy(copy, stored, stored_size);
            free(o->payload);
            o->payload = copy;
        }
        o->encoded = 1;
        o->codec = codec;
        o->raw_size = o->size;
        o->size = stored_size;
    }
    return ZC_OK;
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
    if (job->result == ZC_OK) job->result = zc__encode_outputs(job);
}

static void zc__pump(zc__pipe *p);

/* Build's thread: a prepare step finished. */
static void zc__after_work(uv_work_t *req, int status) {
    zc__job *job = (zc__job *)req->data;
    zc__pipe *p = job->pipe;
    if (status != 0 && job->result == ZC_OK) /* cancelled: the build never cancels */
        job->result = zc_fail(&job->diag, ZC_ERR_IO, "the import was cancelled");
    job->ready = 1;
    p->running--;
    p->encoder_busy[job->encoder] = 0;
    for (size_t i = 0; i < job->outputs.count; ++i) job->held += job->outputs.items[i].size;
    p->held_bytes += job->held;
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
    job->imp = zc_manifest_importer(b->manifest, b->files[index].rel);
    zc_import_defaults defaults;
    zc__build_import_defaults(b->desc, b->budget, &defaults);
    defaults.model_pool = b->model_pool;
    zc_import_settings_init(&job->settings, &defaults);
    zc_manifest_apply(b->manifest, b->files[index].rel, &job->settings);
    job->req.data = job;
    job->file_path = zc__file_path(b, b->files[index].rel);
    if (!job->file_path) {
        job->result = zc_fail(&job->diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
        job->fatal = 1;
    } else if ((job->prepared = zc_importer_prepares(job->imp, b->files[index].size))) {
        while (p->encoder_busy[job->encoder]) job->encoder++; /* one is free: running < threads */
        int e = uv_queue_work(&p->loop, &job->req, zc__work, zc__after_work);
        if (e == 0) {
            p->running++;
            p->encoder_busy[job->encoder] = 1;
            return;
        }
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
    if (job->prepared) {
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
    if (job->cached.note[0]) zc__build_log(p->b, ZC_LOG_INFO, "%s", job->cached.note);
    p->cache_rejected += (uint32_t)job->cached.rejected;
    p->cache_fetched += (uint32_t)job->cached.fetched;
    p->cache_sent += (uint32_t)job->cached.sent;
    if (job->cached.hit)
        p->cache_hits++;
    else if ((job->imp->flags & ZC_IMPORTER_CACHED) && job->imp->prepare && p->b->cache && job->result == ZC_OK)
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
        zc__build_log(b, ZC_LOG_ERROR, "%s: %s", job->file_path ? job->file_path : f->rel,
                 job->diag.message[0] ? job->diag.message : zc_result_str(r));
        if (fatal) {
            zc__set_fatal(p, r);
        } else {
            p->failed++;
            if (p->first_failure == ZC_OK) p->first_failure = r;
            if (!b->desc->keep_going) p->stop = 1;
        }
    } else if (live) {
        p->written[zc_importer_index(job->imp)]++;
    }
    p->done[zc_importer_index(job->imp)]++;
    p->bytes_done += f->size;
    p->next_retire++;
    p->held_bytes -= job->held;
    zc__count_cached(p, job);
    zc_import_outputs_free(&job->outputs);
    free(job->file_path);
    job->file_path = NULL;
    zc__report(p, f->rel);
}

/* Whether the next file may enter the ring now (see "Import pipeline" above). */
static int zc__may_submit(const zc__pipe *p) {
    const zc__build *b = p->b;
    size_t waiting = p->next_submit - p->next_retire;
    if (p->stop || p->next_submit >= b->count || waiting >= p->window) return 0;
    if (waiting >= 2 * p->threads && p->held_bytes > ZC__HELD_BYTES) return 0;
    if (p->running < p->threads) return 1;
    const zc__build_file *f = &b->files[p->next_submit];
    return !zc_importer_prepares(zc_manifest_importer(b->manifest, f->rel), f->size);
}

/* Retire what is ready at the head, and submit while the ring has room. */
static void zc__pump(zc__pipe *p) {
    for (;;) {
        if (p->next_retire < p->next_submit && p->ring[p->next_retire % p->window].ready) {
            zc__retire(p);
        } else if (zc__may_submit(p)) {
            zc__submit(p);
        } else {
            break;
        }
    }
}

/* Import every file into p->w. Failures are left in p (fatal, failed, first_failure)
 * for zc__conclude; every job is retired when this returns. */
void zc__run_imports(zc__pipe *p) {
    const zc_build_desc *desc = p->b->desc;
    uint32_t threads = desc->threads ? desc->threads : uv_available_parallelism();
    if (threads == 0) threads = 1;
    if (threads > 1024) threads = 1024;
    p->threads = threads;
    p->window = 2 * (size_t)threads + ZC__LOOKAHEAD;
    p->ring = (zc__job *)calloc(p->window, sizeof *p->ring);
    p->encoders = (zc_writer_encoder **)calloc(threads, sizeof *p->encoders);
    p->encoder_busy = (unsigned char *)calloc(threads, 1);
    if (!p->ring || !p->encoders || !p->encoder_busy) {
        free(p->ring);
        free(p->encoders);
        free(p->encoder_busy);
        zc__build_log(p->b, ZC_LOG_ERROR, "%s: out of memory for the import queue", p->b->root);
        zc__set_fatal(p, ZC_ERR_OUT_OF_MEMORY);
        return;
    }
    int e = uv_loop_init(&p->loop);
    if (e != 0) {
        zc__build_log(p->b, ZC_LOG_ERROR, "%s: cannot start the import loop: %s", p->b->root, uv_strerror(e));
        zc__set_fatal(p, ZC_ERR_IO);
        free(p->encoders);
        free(p->encoder_busy);
        free(p->ring);
        return;
    }
    for (size_t i = 0; i < p->b->count; ++i) p->total[zc_importer_index(zc_manifest_importer(p->b->manifest, p->b->files[i].rel))]++;
    zc__report(p, NULL);
    zc__pump(p);
    uv_run(&p->loop, UV_RUN_DEFAULT); /* returns when no prepare step is left */
    uv_loop_close(&p->loop);
    for (size_t i = 0; i < p->threads; ++i) zc_writer_encoder_destroy(p->encoders[i]);
    free(p->encoders);
    free(p->encoder_busy);
    free(p->ring);
}

