/* zc_model_pool.c - the pool of model import workers (zc_model.h, "Isolation") and
 * zc_model_import_file, which sends each isolated import to one of them.
 *
 * A pool holds at most max_workers worker processes (zc_model_isolate.c), started
 * when an import finds none idle (on Linux through the pool's worker server, itself
 * started with the first worker and ended with the pool), and kept between imports.
 * One import takes one worker for itself: it sends the request, reads the reply
 * under the deadline (zc_model_reply.c) and then, by how the import ended:
 *  - a whole success reply: the worker goes back to the pool for the next model
 *    (after ZC__WORKER_MAX_IMPORTS of them it is ended and replaced, so memory that
 *    assimp or the allocator keep cannot pile up without bound);
 *  - an error reply (the import failed: assimp refused the file, a limit, a missing
 *    texture that is an error): the worker ends itself, the parent kills and reaps it;
 *  - a time-out, a malformed reply, an I/O error: killed (SIGKILL) and reaped;
 *  - a reply that ended early: the parent waits (until the deadline) for the worker
 *    to end and reports how: a signal is a crash, an exit is "exited without a
 *    result".
 * Every path that ends a worker ends in zc__model_worker_reap (waitpid on Linux), so
 * no zombie is left; every descriptor is O_CLOEXEC and closed. A worker found dead
 * when it is taken from the pool (killed from outside while idle) is reaped and
 * replaced before the request is sent; such a death never fails an import. Starting,
 * waiting for, ending and reporting a worker are the platform's (zc_model_isolate.c
 * on Linux, packer/win32/zc_model_isolate_win32.c on Windows); this file is the same
 * on both.
 *
 * Without a pool in the settings, zc_model_import_file uses a pool of one worker made
 * for the call and destroyed after it: one process per import, as simple callers
 * (tests, the viewer) want, with no process left behind.
 *
 * Threads: any number of imports at once, on one pool or on several; a pool's lists
 * are guarded by its mutex, and each import owns the worker it took. Process-wide
 * state is neither read nor changed (signal dispositions, SIGCHLD, the umask),
 * except that a process which ignores SIGCHLD has its children reaped by the kernel:
 * the exit status is then unknown and a short reply is reported as "exited without a
 * result".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "zc_model_isolate.h"

#define ZC__WORKER_MAX_IMPORTS 128u     /* models one worker imports before it is replaced */
#define ZC__POOL_MAX_WORKERS 1024u

/* A worker start asked of the pool's starter thread. */
typedef struct zc__start {
    zc__model_worker *w;
    zc_diag *diag;
    zc_result result;
    int done;
} zc__start;

struct zc_model_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;       /* a worker went idle, or a place to start one opened */
    pthread_cond_t starts;      /* the starter thread's job changed */
    pthread_t starter;          /* starts every worker (see zc__start_worker) */
    int starter_on, stopping;
    int direct;                 /* 1: fork each worker from here (a pool made for one import) */
    zc__model_server server;    /* the starter thread's (zc__model_worker_start) */
    zc__start *job;             /* the start in progress; NULL: none */
    uint32_t max_workers;
    uint32_t live;              /* started and not yet ended (idle or busy) */
    uint32_t started;           /* over the pool's life (zc_model_pool_started) */
    zc__model_worker *idle;     /* max_workers slots */
    uint32_t idle_count;
};

/* Kill and reap a worker that is not wanted any more, and close its descriptors. */
static void zc__end_worker(zc__model_worker *w) {
    int status, timed_out;
    zc__model_worker_reap(w, 0, 1, &status, &timed_out);
    zc__model_worker_close(w);
}

static void zc__seconds_text(uint32_t ms, char *out, size_t cap) {
    if (ms % 1000u == 0)
        snprintf(out, cap, "%u s", ms / 1000u);
    else
        snprintf(out, cap, "%g s", (double)ms / 1000.0);
}

/* ---------------------------------------------------------------------------------
 * The pool
 * ------------------------------------------------------------------------------- */

zc_result zc_model_pool_create(zc_model_pool **out, uint32_t max_workers) {
    if (!out) return ZC_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (max_workers == 0) max_workers = 1;
    if (max_workers > ZC__POOL_MAX_WORKERS) max_workers = ZC__POOL_MAX_WORKERS;
    zc_model_pool *p = (zc_model_pool *)calloc(1, sizeof *p);
    if (!p || !(p->idle = (zc__model_worker *)calloc(max_workers, sizeof *p->idle))) {
        free(p);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    p->max_workers = max_workers;
    zc__model_server_init(&p->server);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    pthread_cond_init(&p->starts, NULL);
    *out = p;
    return ZC_OK;
}

void zc_model_pool_destroy(zc_model_pool *pool) {
    if (!pool) return;
    /* Workers first, then their server (which reaps them), then the starter thread
     * (whose end kills the server and the workers it forked: the parent death signal) */
    for (uint32_t i = 0; i < pool->idle_count; ++i) {
        close(pool->idle[i].request_fd); /* the end of its requests: it exits */
        pool->idle[i].request_fd = -1;
        zc__end_worker(&pool->idle[i]);
    }
    zc__model_server_destroy(&pool->server);
    if (pool->starter_on) {
        pthread_mutex_lock(&pool->lock);
        pool->stopping = 1;
        pthread_cond_broadcast(&pool->starts);
        pthread_mutex_unlock(&pool->lock);
        pthread_join(pool->starter, NULL);
    }
    pthread_cond_destroy(&pool->freed);
    pthread_cond_destroy(&pool->starts);
    pthread_mutex_destroy(&pool->lock);
    free(pool->idle);
    free(pool);
}

uint32_t zc_model_pool_started(zc_model_pool *pool) {
    if (!pool) return 0;
    pthread_mutex_lock(&pool->lock);
    uint32_t n = pool->started;
    pthread_mutex_unlock(&pool->lock);
    return n;
}

/* The starter thread: starts workers one at a time for the imports that ask. */
static void *zc__starter(void *arg) {
    zc_model_pool *p = (zc_model_pool *)arg;
#ifndef _WIN32
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL); /* signals go to the program's own threads */
#endif
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->stopping && (!p->job || p->job->done)) pthread_cond_wait(&p->starts, &p->lock);
        if (p->stopping) break;
        zc__start *job = p->job;
        pthread_mutex_unlock(&p->lock);
        job->result = zc__model_worker_start(job->w, p->direct ? NULL : &p->server, job->diag);
        pthread_mutex_lock(&p->lock);
        job->done = 1;
        pthread_cond_broadcast(&p->starts);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Start a worker from the pool's own thread. A worker dies with the thread that
 * started it or its server (the parent death signal follows the thread, not the
 * process), so workers are started by a thread that lives as long as the pool, never
 * by the importing thread, which may end while the worker serves others. Caller holds
 * p->lock. */
static zc_result zc__start_worker(zc_model_pool *p, zc__model_worker *w, zc_diag *diag) {
    if (!p->starter_on) {
        int e = pthread_create(&p->starter, NULL, zc__starter, p);
        if (e != 0)
            return zc_fail(diag, e == EAGAIN ? ZC_ERR_LIMIT : ZC_ERR_IO, "cannot start the model importer: %s",
                           strerror(e));
        p->starter_on = 1;
    }
    while (p->job) pthread_cond_wait(&p->starts, &p->lock);
    zc__start job = { w, diag, ZC_OK, 0 };
    p->job = &job;
    pthread_cond_broadcast(&p->starts);
    while (!job.done) pthread_cond_wait(&p->starts, &p->lock);
    p->job = NULL;
    pthread_cond_broadcast(&p->starts);
    return job.result;
}

/* Take an idle worker that is still alive, or start one when the pool has room, or
 * wait for one of the two. */
static zc_result zc__take_worker(zc_model_pool *p, zc__model_worker *w, zc_diag *diag) {
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (p->idle_count) {
            *w = p->idle[--p->idle_count];
            if (!zc__model_worker_dead(w)) {
                pthread_mutex_unlock(&p->lock);
                return ZC_OK;
            }
            zc__end_worker(w); /* died while idle: replaced below, the import unharmed */
            p->live--;
        }
        if (p->live < p->max_workers) break;
        pthread_cond_wait(&p->freed, &p->lock);
    }
    p->live++;
    p->started++;
    zc_result r = zc__start_worker(p, w, diag);
    if (r != ZC_OK) {
        p->live--;
        p->started--;
        pthread_cond_signal(&p->freed);
    }
    pthread_mutex_unlock(&p->lock);
    return r;
}

/* Give a worker back (keep: idle for the next import) or count it as ended (the
 * caller has reaped it). */
static void zc__give_back(zc_model_pool *p, const zc__model_worker *w, int keep) {
    pthread_mutex_lock(&p->lock);
    if (keep) p->idle[p->idle_count++] = *w;
    else p->live--;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

/* ---------------------------------------------------------------------------------
 * One import
 * ------------------------------------------------------------------------------- */

/* Send the request to a worker of the pool. A worker that took its last request
 * while idle (its socket is closed) is replaced once. */
static zc_result zc__start_import(zc_model_pool *p, zc__model_worker *w, int fault, const char *root,
                                  const char *file_path, const char *entry_path, const zc_model_settings *settings,
                                  zc_diag *diag) {
    for (int attempt = 0;; ++attempt) {
        zc_result r = zc__take_worker(p, w, diag);
        if (r != ZC_OK) return r;
        int err = zc__model_worker_send(w, fault, root, file_path, entry_path, settings);
        if (!err) return ZC_OK;
        zc__end_worker(w);
        zc__give_back(p, w, 0);
        if (err == ENAMETOOLONG) return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "the model's path is too long");
        if (err == ENOMEM) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
        if (attempt == 1 || (err != EPIPE && err != ECONNRESET))
            return zc_fail(diag, ZC_ERR_IO, "cannot send the model to the model importer: %s", strerror(err));
    }
}

static zc_result zc__import_in_pool(zc_model_pool *p, const char *root, const char *file_path,
                                    const char *entry_path, const zc_model_settings *settings, zc_model *out,
                                    zc_diag *diag) {
    uint32_t timeout_ms = settings && settings->timeout_ms ? settings->timeout_ms : ZC_MODEL_DEFAULT_TIMEOUT_MS;
#if defined(__GNUC__)
    int fault = __atomic_load_n(&zc__model_child_fault, __ATOMIC_RELAXED);
#else
    int fault = zc__model_child_fault;
#endif
    zc__reader *r = (zc__reader *)malloc(sizeof *r);
    if (!r) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    memset(r, 0, offsetof(zc__reader, buf));
    uint64_t start = zc__model_now_ns(); /* the deadline counts from here: a start included */
    zc__model_worker w;
    zc_result result = zc__start_import(p, &w, fault, root, file_path, entry_path, settings, diag);
    if (result != ZC_OK) {
        free(r);
        return result;
    }
    r->fd = w.reply_fd;
    r->pidfd = w.pidfd;
    r->process = w.process;
    r->budget = settings ? settings->texture.budget : NULL;
    r->budget_fd = r->budget ? w.budget_fd : -1;
    r->deadline = start + (uint64_t)timeout_ms * 1000000u;

    zc_diag reply_diag;
    reply_diag.message[0] = 0;
    zc_result child_result = ZC_OK;
    zc__reply state = zc__model_read_reply(r, entry_path, out, &child_result, &reply_diag);
    int keep = state == ZC__REPLY_DONE && child_result == ZC_OK && ++w.imports < ZC__WORKER_MAX_IMPORTS;
    if (state == ZC__REPLY_DONE) zc__model_drain_budget(r);
    /* A complete or unusable reply: nothing more is wanted from the worker. A reply
     * that ended early: let the worker finish dying (until the deadline) to learn how. */
    int kill_first = state != ZC__REPLY_STOPPED || r->stop != ZC__STOP_EOF;
    int status = 0, timed_out = 0, have_status = 0;
    if (!keep) {
        have_status = zc__model_worker_reap(&w, r->deadline, kill_first, &status, &timed_out);
        zc__model_worker_close(&w);
    }
    zc__stop stop = r->stop;
    int io_errno = r->io_errno;
    zc_image_budget_release(r->budget, r->budget_held); /* what it held of the build's budget is free */
    free(r);
    zc__give_back(p, &w, keep);

    char limit[32];
    zc__seconds_text(timeout_ms, limit, sizeof limit);
    if (state == ZC__REPLY_DONE && child_result == ZC_OK) return ZC_OK;
    zc_model_free(out);
    if (state == ZC__REPLY_DONE) return zc_fail(diag, child_result, "%s", reply_diag.message);
    if (state == ZC__REPLY_MALFORMED)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the model importer sent a malformed reply: %s", reply_diag.message);
    if (state == ZC__REPLY_NO_MEMORY)
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory receiving the imported model");
    if (stop == ZC__STOP_TIMEOUT || timed_out)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the model importer took longer than %s and was stopped", limit);
    if (stop == ZC__STOP_IO)
        return zc_fail(diag, ZC_ERR_IO, "cannot read the model importer's reply: %s", strerror(io_errno));
    return zc__model_worker_report_end(have_status, status, diag);
}

zc_result zc_model_import_file(const char *file_path, const char *entry_path, const zc_model_settings *settings,
                               zc_model *out, zc_diag *diag) {
    return zc_model_import_file_under(NULL, file_path, entry_path, settings, out, diag);
}

zc_result zc_model_import_file_under(const char *root, const char *file_path, const char *entry_path,
                                     const zc_model_settings *settings, zc_model *out, zc_diag *diag) {
    if (out) memset(out, 0, sizeof *out);
    if (!file_path || !entry_path || !out)
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "file path, entry path and output must not be NULL");
    zc_diag why;
    if (zc_check_path(entry_path, strlen(entry_path), &why) != ZC_OK)
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "entry path: %s", why.message);
    if (settings && settings->in_process)
        return zc_model_import_in_process_under(root, file_path, entry_path, settings, out, diag);
    if (settings && settings->pool)
        return zc__import_in_pool(settings->pool, root, file_path, entry_path, settings, out, diag);
    zc_model_pool *own;
    if (zc_model_pool_create(&own, 1) != ZC_OK) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    own->direct = !ZC__MODEL_ASAN; /* one worker: a server would only add a process */
    zc_result r = zc__import_in_pool(own, root, file_path, entry_path, settings, out, diag);
    zc_model_pool_destroy(own);
    return r;
}
