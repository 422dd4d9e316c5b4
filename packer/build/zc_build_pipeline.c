/* zc_build_pipeline.c - the import step of a build (zc_build_internal.h).
 */
#define _DEFAULT_SOURCE /* realpath */
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
#include "zc_memo.h"
#include "zc_packer_os.h" /* after the system headers: realpath on Windows */

/* ---------------------------------------------------------------------------------
 * Import pipeline
 *
 * `threads` threads share the imports: this thread and `threads - 1` workers on the
 * thread pool. Each worker takes the next file in path order, runs its prepare step
 * (or only marks it ready when it has none), and takes the next, so a worker never
 * waits for this thread between two files. Taken files fill a ring of `window`
 * jobs; this thread retires the job at the head of the ring (writes it, or reports
 * it as failed) as soon as it is ready, so output order never depends on which
 * thread finished first, and when nothing is ready to write it takes the next file
 * and prepares it as a worker would. With one thread there is no worker: the build
 * uses one core, as `-j 1` asks. Files without a prepare step are imported as they
 * are retired.
 *
 * The ring is wider than the threads so that one slow file at the head (a large image,
 * a model) does not leave the other workers idle: they go on preparing the files
 * after it, up to ZC__LOOKAHEAD files further. What they finish waits in memory, so
 * past the first 2 * threads files in the ring a new file is taken only while the
 * prepared files waiting hold at most ZC__HELD_BYTES together.
 *
 * p->lock guards what both sides touch: next_take, next_retire, held_bytes, stop,
 * fatal, the ring slots' `ready` and workers_left. A job's other fields belong to
 * whoever took it until it is ready, then to this thread.
 * ------------------------------------------------------------------------------- */

#define ZC__LOOKAHEAD 256
#define ZC__HELD_BYTES ((uint64_t)256 << 20)
#define ZC__MEMO_BYTES ((uint64_t)64 << 20) /* stored forms kept for later twins, at most */
#define ZC__TWIN_BYTES ((uint64_t)64 << 20) /* import outputs kept for later twins, at most */

struct zc__job {
    zc__pipe *pipe;
    size_t index;               /* into b->files */
    const zc_importer *imp;
    char *file_path;
    zc_import_settings settings;
    int ready;                  /* prepared, or nothing to prepare */
    int prepared;               /* imported through the row's prepare step (zc_importer_prepares) */
    int fatal;                  /* the build itself failed on this job */
    size_t encoder;             /* the worker's encoder (pipe->encoders) for its prepare step */
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

static int zc__compare_sizes(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Mark the files whose size another file has (only those can have a twin); the
 * number marked, 0 also when out of memory (no file is marked then). */
static size_t zc__mark_shared_sizes(zc__build *b) {
    uint64_t *sizes = (uint64_t *)malloc((b->count ? b->count : 1) * sizeof *sizes);
    if (!sizes) return 0;
    for (size_t i = 0; i < b->count; ++i) sizes[i] = b->files[i].size;
    qsort(sizes, b->count, sizeof *sizes, zc__compare_sizes);
    size_t marked = 0;
    for (size_t i = 0; i < b->count; ++i) {
        size_t lo = 0, hi = b->count; /* the first sorted size >= this file's */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (sizes[mid] < b->files[i].size) lo = mid + 1;
            else hi = mid;
        }
        b->files[i].size_shared = lo + 1 < b->count && sizes[lo + 1] == b->files[i].size;
        marked += (size_t)b->files[i].size_shared;
    }
    free(sizes);
    return marked;
}

static void zc__job_source(const zc__job *job, zc_import_source *src) {
    const zc__build_file *f = &job->pipe->b->files[job->index];
    memset(src, 0, sizeof *src);
    src->file_path = job->file_path;
    src->entry_path = f->rel;
    src->root = f->followed ? job->pipe->b->root : NULL;
    src->size = f->size;
    src->has_identity = 1;
    src->dev = f->dev;
    src->ino = f->ino;
    src->settings = &job->settings;
    src->manifest = job->pipe->b->manifest;
    src->manifest_path = job->pipe->b->manifest_path;
    src->twins = f->size_shared ? job->pipe->twins : NULL;
}

/* Thread pool: compress the job's outputs that the writer would compress, as it would
 * (zc_writer_encode), so the build's thread only appends them; a payload whose bytes
 * an earlier one had takes that one's stored form from the memo instead. Uses the
 * encoder lent to the job, which no other job uses meanwhile. */
static zc_result zc__encode_outputs(zc__job *job) {
    zc__pipe *p = job->pipe;
    const char *own = p->b->files[job->index].rel;
    for (size_t i = 0; i < job->outputs.count; ++i) {
        zc_import_output *o = &job->outputs.items[i];
        const char *path = o->path ? o->path : own;
        if (o->encoded || !zc_writer_encodes(p->w, path, o->type, o->size)) continue;
        zc_codec codec;
        uint32_t tag;
        const void *stored;
        size_t stored_size;
        const zc__memo_key key = zc__memo_key_of(o->payload, o->size);
        if (zc__memo_find(p->memo, &key, &tag, &stored, &stored_size)) {
            codec = (zc_codec)tag;
            if (codec == ZC_CODEC_NONE) stored = o->payload, stored_size = o->size;
        } else {
            zc_writer_encoder **e = &p->encoders[job->encoder];
            if (!*e && !(*e = zc_writer_encoder_create(p->w)))
                return zc_fail(&job->diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for a compression context");
            zc_result r = zc_writer_encode(*e, o->payload, o->size, &codec, &stored, &stored_size);
            if (r != ZC_OK) return zc_fail(&job->diag, r, "cannot compress the entry %s: %s", path, zc_result_str(r));
            if (codec == ZC_CODEC_NONE) zc__memo_put(p->memo, &key, codec, NULL, 0); /* it stays raw */
            else zc__memo_put(p->memo, &key, codec, stored, stored_size);
        }
        o->content_hash = XXH3_64bits(o->payload, o->size);
        if (codec != ZC_CODEC_NONE && stored_size <= o->size) {
            /* into the raw bytes' own pages, which are mapped already; then shrunk in place */
            memcpy(o->payload, stored, stored_size);
            void *shrunk = realloc(o->payload, stored_size ? stored_size : 1);
            if (shrunk) o->payload = shrunk;
        } else if (codec != ZC_CODEC_NONE) {
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

/* The prepare step of a taken job, on its worker. Touches only the job. */
static void zc__prepare(zc__job *job) {
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

/* With p->lock held. */
static void zc__set_fatal(zc__pipe *p, zc_result r) {
    if (p->fatal == ZC_OK) p->fatal = r;
    p->stop = 1;
}

/* With p->lock held: whether the next file may be taken now. See "Import pipeline"
 * above. */
static int zc__may_take(const zc__pipe *p) {
    const zc__build *b = p->b;
    size_t waiting = p->next_take - p->next_retire;
    if (p->stop || p->next_take >= b->count || waiting >= p->window) return 0;
    return waiting < 2 * p->threads || p->held_bytes <= ZC__HELD_BYTES;
}

/* With p->lock held: the next file's job, cleared and not ready. */
static zc__job *zc__take(zc__pipe *p) {
    size_t index = p->next_take++;
    zc__job *job = &p->ring[index % p->window];
    memset(job, 0, sizeof *job);
    job->pipe = p;
    job->index = index;
    return job;
}

/* A taken job's settings and path, by whoever took it (read-only use of the build).
 * job->fatal is set when even that fails. */
static void zc__set_up(zc__job *job) {
    const zc__build *b = job->pipe->b;
    const char *rel = b->files[job->index].rel;
    job->imp = zc_manifest_importer(b->manifest, rel);
    zc_import_defaults defaults;
    zc__build_import_defaults(b->desc, b->budget, &defaults);
    defaults.model_pool = b->model_pool;
    zc_import_settings_init(&job->settings, &defaults);
    zc_manifest_apply(b->manifest, rel, &job->settings);
    job->file_path = zc__file_path(b, rel);
    if (job->file_path && b->files[job->index].followed) { /* importers open no link */
        char *real = realpath(job->file_path, NULL);
        if (real) {
            free(job->file_path);
            job->file_path = real;
        }
    }
    if (!job->file_path) {
        job->result = zc_fail(&job->diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
        job->fatal = 1;
        return;
    }
    job->prepared = zc_importer_prepares(job->imp, b->files[job->index].size);
}

/* With p->lock held: a taken job is ready for this thread. */
static void zc__job_ready(zc__pipe *p, zc__job *job) {
    for (size_t i = 0; i < job->outputs.count; ++i) job->held += job->outputs.items[i].size;
    p->held_bytes += job->held;
    job->ready = 1;
    if (job->fatal) zc__set_fatal(p, job->result);
    else if (job->result != ZC_OK && !p->b->desc->keep_going) p->stop = 1;
}

/* Thread pool: one worker, taking files until none is left or the build stops. */
static void zc__worker_run(uv_work_t *req) {
    zc__worker *wk = (zc__worker *)req->data;
    zc__pipe *p = wk->pipe;
    uv_mutex_lock(&p->lock);
    for (;;) {
        while (!zc__may_take(p) && !p->stop && p->next_take < p->b->count) uv_cond_wait(&p->room, &p->lock);
        if (p->stop || p->next_take >= p->b->count) break;
        zc__job *job = zc__take(p);
        uv_mutex_unlock(&p->lock);
        zc__set_up(job);
        if (job->prepared && !job->fatal) {
            job->encoder = wk->id;
            zc__prepare(job);
        }
        uv_mutex_lock(&p->lock);
        zc__job_ready(p, job);
        uv_async_send(&p->wake);
    }
    uv_mutex_unlock(&p->lock);
}

static void zc__pump(zc__pipe *p);

/* Build's thread: a worker ended. */
static void zc__worker_done(uv_work_t *req, int status) {
    (void)status; /* a worker is never cancelled */
    zc__pipe *p = ((zc__worker *)req->data)->pipe;
    uv_mutex_lock(&p->lock);
    p->workers_left--;
    uv_mutex_unlock(&p->lock);
    zc__pump(p);
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

/* The row a written job counts for in the summary: its own, or the blob row's when the
 * file became a blob after all (a shared name over another format, zc_importer.h; a
 * TIFF kind the texture importer does not read). */
static size_t zc__written_row(const zc__job *job) {
    const zc_importer *blob = zc_importer_find("blob");
    int became_blob = job->imp != blob && job->outputs.count == 1 && job->outputs.items[0].type == ZC_TYPE_BLOB;
    return zc_importer_index(became_blob ? blob : job->imp);
}

/* The head job is ready: write it or report it, then free it. Called without
 * p->lock; takes it for what the workers read. */
static void zc__retire(zc__pipe *p) {
    zc__build *b = p->b;
    uv_mutex_lock(&p->lock);
    zc__job *job = &p->ring[p->next_retire % p->window];
    int fatal = job->fatal, live = !p->stop && !p->fatal;
    uv_mutex_unlock(&p->lock);
    const zc__build_file *f = &b->files[job->index];
    zc_result r = job->result;
    if (r == ZC_OK && live) r = zc__write_job(p, job, &fatal);
    if (r != ZC_OK)
        zc__build_log(b, ZC_LOG_ERROR, "%s: %s", job->file_path ? job->file_path : f->rel,
                      job->diag.message[0] ? job->diag.message : zc_result_str(r));
    size_t row = zc_importer_index(job->imp);
    uint64_t held = job->held;
    p->done[row]++;
    p->bytes_done += f->size;
    if (r == ZC_OK && live) p->written[zc__written_row(job)]++;
    zc__count_cached(p, job);
    zc_import_outputs_free(&job->outputs);
    free(job->file_path);
    job->file_path = NULL;
    /* The slot is a worker's to take again from here. */
    uv_mutex_lock(&p->lock);
    if (r != ZC_OK) {
        if (fatal) {
            zc__set_fatal(p, r);
        } else {
            p->failed++;
            if (p->first_failure == ZC_OK) p->first_failure = r;
            if (!b->desc->keep_going) p->stop = 1;
        }
    }
    p->next_retire++;
    p->held_bytes -= held;
    uv_cond_broadcast(&p->room);
    uv_mutex_unlock(&p->lock);
    zc__report(p, f->rel);
}

/* Retire what is ready at the head; with nothing to write, take the next file as a
 * worker does (its prepare step runs here, with the last encoder). Closes the wake
 * handle, ending the loop, once every worker has ended and every taken file is
 * retired. */
static void zc__pump(zc__pipe *p) {
    uv_mutex_lock(&p->lock);
    for (;;) {
        if (p->next_retire < p->next_take && p->ring[p->next_retire % p->window].ready) {
            uv_mutex_unlock(&p->lock);
            zc__retire(p);
            uv_mutex_lock(&p->lock);
        } else if (zc__may_take(p)) {
            zc__job *job = zc__take(p);
            uv_mutex_unlock(&p->lock);
            zc__set_up(job);
            if (job->prepared && !job->fatal) {
                job->encoder = p->threads - 1;
                zc__prepare(job);
            }
            uv_mutex_lock(&p->lock);
            zc__job_ready(p, job);
        } else {
            break;
        }
    }
    int finished = p->workers_left == 0 && p->next_retire == p->next_take && !p->wake_closed;
    if (finished) p->wake_closed = 1;
    uv_mutex_unlock(&p->lock);
    if (finished) uv_close((uv_handle_t *)&p->wake, NULL);
}

static void zc__wake(uv_async_t *handle) { zc__pump((zc__pipe *)handle->data); }

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
    p->workers = (zc__worker *)calloc(threads, sizeof *p->workers);
    int e = !p->ring || !p->encoders || !p->workers ? UV_ENOMEM : uv_loop_init(&p->loop);
    if (e != 0) {
        zc__build_log(p->b, ZC_LOG_ERROR, "%s: cannot start the import: %s", p->b->root, uv_strerror(e));
        zc__set_fatal(p, e == UV_ENOMEM ? ZC_ERR_OUT_OF_MEMORY : ZC_ERR_IO);
        free(p->ring);
        free(p->encoders);
        free(p->workers);
        return;
    }
    if ((e = uv_mutex_init(&p->lock)) == 0 && (e = uv_cond_init(&p->room)) != 0) uv_mutex_destroy(&p->lock);
    if (e == 0 && (e = uv_async_init(&p->loop, &p->wake, zc__wake)) != 0) {
        uv_cond_destroy(&p->room);
        uv_mutex_destroy(&p->lock);
    }
    if (e != 0) {
        zc__build_log(p->b, ZC_LOG_ERROR, "%s: cannot start the import: %s", p->b->root, uv_strerror(e));
        zc__set_fatal(p, ZC_ERR_IO);
        uv_loop_close(&p->loop);
        free(p->ring);
        free(p->encoders);
        free(p->workers);
        return;
    }
    p->wake.data = p;
    p->memo = zc__memo_create(ZC__MEMO_BYTES); /* NULL: every payload compressed */
    p->twins = zc__mark_shared_sizes(p->b) ? zc__memo_create(ZC__TWIN_BYTES) : NULL; /* NULL: every file imported */
    for (size_t i = 0; i < p->b->count; ++i) p->total[zc_importer_index(zc_manifest_importer(p->b->manifest, p->b->files[i].rel))]++;
    zc__report(p, NULL);
    for (size_t i = 0; i + 1 < threads; ++i) { /* the last share is this thread's */
        zc__worker *wk = &p->workers[i];
        wk->pipe = p;
        wk->id = i;
        wk->req.data = wk;
        uv_mutex_lock(&p->lock);
        e = uv_queue_work(&p->loop, &wk->req, zc__worker_run, zc__worker_done);
        if (e == 0) p->workers_left++;
        else zc__set_fatal(p, ZC_ERR_IO);
        uv_mutex_unlock(&p->lock);
        if (e != 0) {
            zc__build_log(p->b, ZC_LOG_ERROR, "%s: cannot start an import thread: %s", p->b->root, uv_strerror(e));
            break;
        }
    }
    zc__pump(p);
    uv_run(&p->loop, UV_RUN_DEFAULT); /* returns once zc__pump closed the wake handle */
    uv_loop_close(&p->loop);
    uv_cond_destroy(&p->room);
    uv_mutex_destroy(&p->lock);
    for (size_t i = 0; i < p->threads; ++i) zc_writer_encoder_destroy(p->encoders[i]);
    p->compressions_reused = zc__memo_reused(p->memo);
    p->twins_reused = zc__memo_reused(p->twins);
    zc__memo_destroy(p->memo);
    zc__memo_destroy(p->twins);
    p->memo = NULL;
    free(p->encoders);
    free(p->workers);
    free(p->ring);
}
