/* zc_watch.c - watch a tree and rebuild its pack (zc_watch.h).
 *
 * One loop, four kinds of handles: an fs_event watch per directory, a debounce timer,
 * a polling timer and (optionally) two signal handles. Every change notice, from an
 * event or from a poll that finds the tree different from the last build's scan,
 * re-arms the debounce timer; when it fires, the tree is scanned (which also brings
 * the directory watches up to date) and the pack is rebuilt, on this thread. The
 * build runs a loop of its own, so this loop simply waits while it runs; the kernel
 * queues the events meanwhile.
 */
#define _GNU_SOURCE /* struct stat's st_mtim */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <uv.h>

#include "zc_build_cache.h"
#include "zc_ignore.h"
#include "zc_model.h"
#include "zc_watch.h"
#include "zc_packer_os.h"

#define ZC__MAX_DEBOUNCE_MS 60000u
#define ZC__MIN_POLL_MS 10u
#define ZC__MAX_DEPTH 256            /* directory nesting the scan follows */

typedef struct zc__watch zc__watch;

typedef struct zc__dir {
    uv_fs_event_t handle;
    zc__watch *w;
    char *path;                 /* root-based path of the directory */
    uint64_t dev, ino;
    int seen;                   /* found by the scan in progress */
    int active;                 /* the fs_event watch runs */
} zc__dir;

struct zc__watch {
    const zc_watch_desc *desc;
    zc_build_desc build;        /* desc->build with the cache filled in */
    zc_build_cache *cache;      /* opened here when desc->build has none */
    zc_model_pool *pool;        /* made here when desc->build has none: its model workers
                                   serve every build */
    uv_loop_t loop;
    uv_timer_t debounce, poll;
    uv_signal_t sigint, sigterm;
    int signals_on;
    char *root;                 /* input_dir without trailing slashes */
    uint64_t out_dir_dev, out_dir_ino; /* the output's directory */
    char *out_name;             /* the output's file name */
    uint64_t cache_dev, cache_ino;
    int have_cache_id;
    uint64_t cache_parent_dev, cache_parent_ino; /* the cache's parent directory */
    char *cache_name;           /* the cache directory's name there; NULL: unknown */
    zc__dir **dirs;
    size_t dir_count, dir_cap;
    uint8_t built[16];          /* scan hash taken for the last build */
    uint32_t pending;           /* change notices since the last build */
    uint64_t first_pending_ms;  /* loop time of the first of them */
    uint32_t builds;
    zc_result last_result;
    int stopped_by_signal;
    int stopping;
    int watch_warned;           /* the inotify limit was reported */
    int oom;                    /* the scan ran out of memory */
};

#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 3, 4)))
#endif
static void zc__wlog(const zc__watch *w, zc_log_level level, const char *fmt, ...) {
    const zc_logger *logger = &w->desc->build.logger;
    if (!logger->func) return;
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    logger->func(level, line, logger->user_data);
}

static char *zc__dup(const char *s, size_t n) {
    char *d = (char *)malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

/* The entry `name` of the directory (dir_dev, dir_ino) is the watcher's own doing, or
 * one the build leaves out whatever it holds (a hidden or system file or folder). */
static int zc__is_own(const zc__watch *w, uint64_t dir_dev, uint64_t dir_ino, const char *name) {
    if (zc_writer_is_temp_name(name)) return 1;
    if (!w->build.include_hidden && zc_ignore_system_name(name)) return 1;
    if (w->cache_name && dir_dev == w->cache_parent_dev && dir_ino == w->cache_parent_ino &&
        strcmp(name, w->cache_name) == 0)
        return 1;
    return dir_dev == w->out_dir_dev && dir_ino == w->out_dir_ino && strcmp(name, w->out_name) == 0;
}

/* ---------------------------------------------------------------------------------
 * Directory watches
 * ------------------------------------------------------------------------------- */

static void zc__changed(zc__watch *w);

static void zc__on_event(uv_fs_event_t *handle, const char *filename, int events, int status) {
    (void)events;
    zc__dir *d = (zc__dir *)handle->data;
    zc__watch *w = d->w;
    if (w->stopping) return;
    if (status == 0 && filename && zc__is_own(w, d->dev, d->ino, filename)) return;
    zc__changed(w);
}

static void zc__free_dir(uv_handle_t *handle) {
    zc__dir *d = (zc__dir *)handle->data;
    free(d->path);
    free(d);
}

static void zc__close_dir(zc__dir *d) {
    if (d->active) uv_fs_event_stop(&d->handle);
    uv_close((uv_handle_t *)&d->handle, zc__free_dir);
}

/* Mark the directory seen by the scan, adding a watch when it is new (or a new
 * directory under an old name). */
static void zc__see_dir(zc__watch *w, const char *path, const struct stat *st) {
    for (size_t i = 0; i < w->dir_count; ++i) {
        zc__dir *d = w->dirs[i];
        if (!d->seen && d->dev == (uint64_t)st->st_dev && d->ino == (uint64_t)st->st_ino &&
            strcmp(d->path, path) == 0) {
            d->seen = 1;
            return;
        }
    }
    if (w->dir_count == w->dir_cap) {
        size_t cap = w->dir_cap ? w->dir_cap * 2 : 64;
        zc__dir **dirs = (zc__dir **)realloc(w->dirs, cap * sizeof *dirs);
        if (!dirs) {
            w->oom = 1;
            return;
        }
        w->dirs = dirs;
        w->dir_cap = cap;
    }
    zc__dir *d = (zc__dir *)calloc(1, sizeof *d);
    if (!d || !(d->path = zc__dup(path, strlen(path)))) {
        free(d);
        w->oom = 1;
        return;
    }
    d->w = w;
    d->dev = (uint64_t)st->st_dev;
    d->ino = (uint64_t)st->st_ino;
    d->seen = 1;
    uv_fs_event_init(&w->loop, &d->handle);
    d->handle.data = d;
    if (!w->desc->no_events) {
        int e = uv_fs_event_start(&d->handle, zc__on_event, path, 0);
        d->active = e == 0;
        if (e != 0 && !w->watch_warned) {
            w->watch_warned = 1;
            zc__wlog(w, ZC_LOG_WARNING, "%s: cannot watch for changes (%s); %s", path, uv_strerror(e),
                     w->desc->no_poll ? "changes there are missed" : "polling finds them");
        }
    }
    w->dirs[w->dir_count++] = d;
}

/* After a scan: drop the watches of directories that are gone. */
static void zc__sweep_dirs(zc__watch *w) {
    size_t kept = 0;
    for (size_t i = 0; i < w->dir_count; ++i) {
        zc__dir *d = w->dirs[i];
        if (d->seen) {
            d->seen = 0;
            w->dirs[kept++] = d;
        } else {
            zc__close_dir(d);
        }
    }
    w->dir_count = kept;
}

/* ---------------------------------------------------------------------------------
 * Scan: every file and directory the build would see, hashed with the facts that
 * change when a file is saved (size, modification and change times, inode).
 * Directories count by name and inode only: their times change whenever a temporary
 * file comes and goes.
 * ------------------------------------------------------------------------------- */

static int zc__compare_names(const void *x, const void *y) {
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The names in `path`, sorted; NULL with *count 0 when it cannot be read. */
static char **zc__read_names(const char *path, size_t *count, int *oom) {
    *count = 0;
    DIR *dir = opendir(path);
    if (!dir) return NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **grown = (char **)realloc(names, cap * sizeof *grown);
            if (!grown) break;
            names = grown;
        }
        if (!(names[n] = zc__dup(e->d_name, strlen(e->d_name)))) break;
        n++;
    }
    if (e) *oom = 1;
    closedir(dir);
    if (n > 1) qsort(names, n, sizeof *names, zc__compare_names);
    *count = n;
    return names;
}

static void zc__hash_fact(XXH3_state_t *h, const char *name, const struct stat *st, int is_dir) {
    uint64_t facts[6] = { (uint64_t)st->st_dev, (uint64_t)st->st_ino, 0, 0, 0, (uint64_t)is_dir };
    if (!is_dir) {
        facts[2] = (uint64_t)st->st_size;
        facts[3] = (uint64_t)st->st_mtim.tv_sec * 1000000000u + (uint64_t)st->st_mtim.tv_nsec;
        facts[4] = (uint64_t)st->st_ctim.tv_sec * 1000000000u + (uint64_t)st->st_ctim.tv_nsec;
    }
    XXH3_128bits_update(h, name, strlen(name) + 1);
    XXH3_128bits_update(h, facts, sizeof facts);
}

/* Scan the folder at `path`, whose identity and stat are walk's and dir_st. */
static void zc__scan_dir(zc__watch *w, const char *path, const struct stat *dir_st, const zc_walk_folder *walk,
                         XXH3_state_t *h, int depth) {
    zc__see_dir(w, path, dir_st);
    if (depth >= ZC__MAX_DEPTH) return;
    size_t count;
    char **names = zc__read_names(path, &count, &w->oom);
    size_t path_len = strlen(path);
    for (size_t i = 0; i < count; ++i) {
        size_t n = strlen(names[i]);
        char *child = (char *)malloc(path_len + n + 2);
        struct stat st;
        if (!child) {
            w->oom = 1;
        } else {
            memcpy(child, path, path_len);
            child[path_len] = '/';
            memcpy(child + path_len + 1, names[i], n + 1);
        }
        /* as the build sees it: links followed to their targets, or left out */
        int seen = child && (w->build.follow_links ? stat(child, &st) : lstat(child, &st)) == 0;
        if (seen && !zc__is_own(w, (uint64_t)dir_st->st_dev, (uint64_t)dir_st->st_ino, names[i])) {
            if (S_ISDIR(st.st_mode)) {
                int is_cache = w->have_cache_id && (uint64_t)st.st_dev == w->cache_dev &&
                               (uint64_t)st.st_ino == w->cache_ino;
                if (!is_cache && !zc_walk_folder_inside(walk, (uint64_t)st.st_dev, (uint64_t)st.st_ino)) {
                    zc_walk_folder inner = { (uint64_t)st.st_dev, (uint64_t)st.st_ino, walk };
                    zc__hash_fact(h, child, &st, 1);
                    zc__scan_dir(w, child, &st, &inner, h, depth + 1);
                }
            } else if (S_ISREG(st.st_mode)) {
                zc__hash_fact(h, child, &st, 0);
            }
        }
        free(child);
        free(names[i]);
    }
    free(names);
}

/* Scan the tree: bring the watches up to date and hash what the build would see.
 * Returns 0, or -1 when the root cannot be read (the hash then says so). */
static int zc__scan(zc__watch *w, uint8_t out[16]) {
    XXH3_state_t h;
    XXH3_INITSTATE(&h);
    XXH3_128bits_reset(&h);
    struct stat st;
    int rc = 0;
    if (stat(w->root, &st) == 0 && S_ISDIR(st.st_mode)) {
        zc_walk_folder walk = { (uint64_t)st.st_dev, (uint64_t)st.st_ino, NULL };
        zc__scan_dir(w, w->root, &st, &walk, &h, 0);
    } else {
        XXH3_128bits_update(&h, "no root", 7);
        rc = -1;
    }
    zc__sweep_dirs(w);
    XXH128_canonical_t canon;
    XXH128_canonicalFromHash(&canon, XXH3_128bits_digest(&h));
    memcpy(out, canon.digest, 16);
    return rc;
}

/* ---------------------------------------------------------------------------------
 * Builds, debouncing, polling, stopping
 * ------------------------------------------------------------------------------- */

static void zc__stop(zc__watch *w) {
    if (w->stopping) return;
    w->stopping = 1;
    uv_close((uv_handle_t *)&w->debounce, NULL);
    uv_close((uv_handle_t *)&w->poll, NULL);
    if (w->signals_on) {
        uv_close((uv_handle_t *)&w->sigint, NULL);
        uv_close((uv_handle_t *)&w->sigterm, NULL);
    }
    for (size_t i = 0; i < w->dir_count; ++i) zc__close_dir(w->dirs[i]);
    w->dir_count = 0;
}

static void zc__rebuild(zc__watch *w) {
    uint8_t snapshot[16];
    zc__scan(w, snapshot);
    uint32_t changes = w->pending;
    w->pending = 0;
    zc_build_stats stats;
    uint64_t start = uv_hrtime();
    zc_result r = zc_build(&w->build, &stats);
    double seconds = (double)(uv_hrtime() - start) * 1e-9;
    uv_update_time(&w->loop);
    memcpy(w->built, snapshot, 16);
    w->builds++;
    w->last_result = r;
    if (w->desc->on_rebuild) {
        zc_watch_rebuild info;
        info.number = w->builds;
        info.result = r;
        info.stats = &stats;
        info.seconds = seconds;
        info.changes = changes;
        w->desc->on_rebuild(&info, w->desc->user_data);
    }
    if (w->oom) zc__wlog(w, ZC_LOG_WARNING, "%s: out of memory while scanning; some changes may be missed", w->root);
    w->oom = 0;
    if (w->desc->max_rebuilds && w->builds >= w->desc->max_rebuilds) zc__stop(w);
}

static void zc__on_debounce(uv_timer_t *timer) {
    zc__watch *w = (zc__watch *)timer->data;
    if (!w->stopping && w->pending) zc__rebuild(w);
}

static uint32_t zc__debounce_ms(const zc__watch *w) {
    return w->desc->debounce_ms ? w->desc->debounce_ms : ZC_WATCH_DEFAULT_DEBOUNCE_MS;
}

/* A change was noticed: (re)arm the debounce timer, within the latest start time. */
static void zc__changed(zc__watch *w) {
    if (w->stopping) return;
    uint64_t now = uv_now(&w->loop);
    if (!w->pending++) w->first_pending_ms = now;
    uint64_t debounce = zc__debounce_ms(w);
    uint64_t max_wait = debounce * 10 > 1000 ? debounce * 10 : 1000;
    uint64_t waited = now - w->first_pending_ms;
    uint64_t delay = waited + debounce <= max_wait ? debounce : waited < max_wait ? max_wait - waited : 0;
    uv_timer_start(&w->debounce, zc__on_debounce, delay, 0);
}

static void zc__on_poll(uv_timer_t *timer) {
    zc__watch *w = (zc__watch *)timer->data;
    if (w->stopping) return;
    uint8_t snapshot[16];
    zc__scan(w, snapshot);
    if (memcmp(snapshot, w->built, 16) != 0 && !w->pending) zc__changed(w);
}

static void zc__on_signal(uv_signal_t *handle, int signum) {
    zc__watch *w = (zc__watch *)handle->data;
    zc__wlog(w, ZC_LOG_INFO, "%s: stopping on signal %d", w->root, signum);
    w->stopped_by_signal = 1;
    zc__stop(w);
}

/* ---------------------------------------------------------------------------------
 * Setup
 * ------------------------------------------------------------------------------- */

static zc_result zc__check_desc(const zc_watch_desc *desc) {
    if (!desc || !desc->build.input_dir || !desc->build.input_dir[0] || !desc->build.output_path ||
        !desc->build.output_path[0] || desc->build.base_path)
        return ZC_ERR_INVALID_ARGUMENT;
    if (desc->debounce_ms > ZC__MAX_DEBOUNCE_MS || (desc->poll_ms && desc->poll_ms < ZC__MIN_POLL_MS))
        return ZC_ERR_INVALID_ARGUMENT;
    if (desc->no_poll && desc->no_events) return ZC_ERR_INVALID_ARGUMENT;
    return ZC_OK;
}

/* The cache directory's parent and name, so events about it are known as ours. */
static zc_result zc__locate_cache(zc__watch *w) {
    const char *dir = zc_build_cache_dir(w->build.cache);
    const char *slash = strrchr(dir, '/');
    char *parent = slash ? zc__dup(dir, slash == dir ? 1 : (size_t)(slash - dir)) : zc__dup(".", 1);
    w->cache_name = zc__dup(slash ? slash + 1 : dir, strlen(slash ? slash + 1 : dir));
    if (!parent || !w->cache_name) {
        free(parent);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    struct stat st;
    if (stat(parent, &st) == 0) {
        w->cache_parent_dev = (uint64_t)st.st_dev;
        w->cache_parent_ino = (uint64_t)st.st_ino;
    }
    free(parent);
    return ZC_OK;
}

/* 1 when `out` is an existing regular file inside the tree `root` that is not a
 * pack: a source every build would refuse to overwrite (zc_build.h, "Output"). */
static int zc__output_is_source(const char *root, const char *out) {
    struct stat st;
    if (stat(out, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    char magic[sizeof ZC_MAGIC - 1] = { 0 };
    FILE *f = fopen(out, "rb");
    size_t got = f ? fread(magic, 1, sizeof magic, f) : 0;
    if (f) fclose(f);
    if (got == sizeof magic && memcmp(magic, ZC_MAGIC, sizeof magic) == 0) return 0;
    char *real_root = realpath(root, NULL), *real_out = realpath(out, NULL);
    size_t n = real_root ? strlen(real_root) : 0;
    int inside = real_root && real_out && strncmp(real_out, real_root, n) == 0 &&
                 (real_out[n] == '/' || (n == 1 && real_root[0] == '/'));
    free(real_root);
    free(real_out);
    return inside;
}

/* Root, output name and directory identity, and the cache. */
static zc_result zc__setup(zc__watch *w) {
    const zc_watch_desc *desc = w->desc;
    size_t n = strlen(desc->build.input_dir);
    while (n > 1 && desc->build.input_dir[n - 1] == '/') n--;
    const char *out = desc->build.output_path;
    const char *slash = strrchr(out, '/');
    char *out_dir = slash ? zc__dup(out, slash == out ? 1 : (size_t)(slash - out)) : zc__dup(".", 1);
    w->root = zc__dup(desc->build.input_dir, n);
    w->out_name = zc__dup(slash ? slash + 1 : out, strlen(slash ? slash + 1 : out));
    if (!w->root || !w->out_name || !out_dir) {
        free(out_dir);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    if (zc_writer_check_output(out, desc->build.logger) != ZC_OK) { /* no device, FIFO, link */
        free(out_dir);
        return ZC_ERR_IO;
    }
    if (zc__output_is_source(w->root, out)) {
        zc__wlog(w, ZC_LOG_ERROR, "%s: the output is a source file of the tree %s: refusing to overwrite it", out,
                 w->root);
        free(out_dir);
        return ZC_ERR_IO;
    }
    struct stat st;
    int found = stat(w->root, &st) == 0, err = errno;
    if (!found || !S_ISDIR(st.st_mode)) {
        zc__wlog(w, ZC_LOG_ERROR, "%s: cannot watch: %s", w->root, found ? "not a directory" : strerror(err));
        free(out_dir);
        return !found && err == ENOENT ? ZC_ERR_FILE_NOT_FOUND : ZC_ERR_IO;
    }
    if (stat(out_dir, &st) == 0) {
        w->out_dir_dev = (uint64_t)st.st_dev;
        w->out_dir_ino = (uint64_t)st.st_ino;
    }
    free(out_dir);

    w->build = desc->build;
    w->build.progress = NULL;
    if (!w->build.model_pool) {
        uint32_t threads = w->build.threads ? w->build.threads : uv_available_parallelism();
        if (zc_model_pool_create(&w->pool, threads) != ZC_OK) return ZC_ERR_OUT_OF_MEMORY;
        w->build.model_pool = w->pool;
    }
    if (!w->build.cache) {
        char *dir = NULL;
        if (!w->build.cache_dir) {
            size_t len = strlen(out);
            if (!(dir = (char *)malloc(len + 7))) return ZC_ERR_OUT_OF_MEMORY;
            memcpy(dir, out, len);
            memcpy(dir + len, ".cache", 7);
        }
        zc_build_cache_desc cd;
        memset(&cd, 0, sizeof cd);
        cd.dir = dir ? dir : w->build.cache_dir;
        cd.max_bytes = w->build.cache_max_bytes;
        cd.logger = w->build.logger;
        cd.url = w->build.cache_url;
        zc_result r = zc_build_cache_open(&w->cache, &cd);
        free(dir);
        if (r != ZC_OK) return r;
        w->build.cache = w->cache;
    }
    zc_build_cache_dir_id(w->build.cache, &w->cache_dev, &w->cache_ino);
    w->have_cache_id = 1;
    return zc__locate_cache(w);
}

static zc_result zc__start_handles(zc__watch *w) {
    const zc_watch_desc *desc = w->desc;
    int e = uv_loop_init(&w->loop);
    if (e != 0) {
        zc__wlog(w, ZC_LOG_ERROR, "%s: cannot start the watch loop: %s", w->root, uv_strerror(e));
        return ZC_ERR_IO;
    }
    uv_timer_init(&w->loop, &w->debounce);
    uv_timer_init(&w->loop, &w->poll);
    w->debounce.data = w->poll.data = w;
    if (!desc->no_poll) {
        uint64_t every = desc->poll_ms ? desc->poll_ms : ZC_WATCH_DEFAULT_POLL_MS;
        uv_timer_start(&w->poll, zc__on_poll, every, every);
    }
    if (desc->handle_signals) {
        uv_signal_init(&w->loop, &w->sigint);
        uv_signal_init(&w->loop, &w->sigterm);
        w->sigint.data = w->sigterm.data = w;
        uv_signal_start(&w->sigint, zc__on_signal, SIGINT);
        uv_signal_start(&w->sigterm, zc__on_signal, SIGTERM);
        w->signals_on = 1;
    }
    return ZC_OK;
}

zc_result zc_watch_run(const zc_watch_desc *desc) {
    zc_result r = zc__check_desc(desc);
    if (r != ZC_OK) return r;
    zc__watch *w = (zc__watch *)calloc(1, sizeof *w);
    if (!w) return ZC_ERR_OUT_OF_MEMORY;
    w->desc = desc;
    r = zc__setup(w);
    int loop_started = 0;
    if (r == ZC_OK) {
        r = zc__start_handles(w);
        loop_started = r == ZC_OK;
    }
    if (r == ZC_OK) {
        w->pending = 0;
        zc__rebuild(w); /* the first build scans the tree and installs the watches */
        uv_run(&w->loop, UV_RUN_DEFAULT);
        r = w->stopped_by_signal ? ZC_OK : w->last_result;
    }
    if (loop_started) {
        zc__stop(w);
        uv_run(&w->loop, UV_RUN_DEFAULT); /* let the close callbacks run */
        uv_loop_close(&w->loop);
    }
    free(w->dirs);
    free(w->root);
    free(w->out_name);
    free(w->cache_name);
    zc_build_cache_close(w->cache);
    zc_model_pool_destroy(w->pool);
    free(w);
    return r;
}
