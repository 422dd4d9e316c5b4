/* zc_live_watch.c - the live pack's watcher: a thread running a libuv loop of its own
 * (editor builds; left out of builds without libuv, which define ZC_LIVE_NO_WATCHER).
 *
 * Handles on the loop:
 *  - a uv_fs_event on the pack's directory (a rename replaces the file, so watching
 *    the file itself would lose it): a notification naming the pack (or one of its
 *    generation files) starts the debounce timer;
 *  - the debounce timer (desc.debounce_ms, 0 = the next loop turn, which still folds
 *    the notifications of one burst into one check) runs a check that re-examines a
 *    file refused before;
 *  - a repeating poll timer runs a plain check, which costs one stat when nothing
 *    changed: the fallback for notifications that never come (network file systems,
 *    some save-by-rename patterns, a full inotify table);
 *  - a uv_async that wakes the loop to stop, or to retry a deferred reload after a
 *    release.
 * Every callback runs on the watcher thread; checks run there too, so the engine's
 * on_change callback does.
 */
#if defined(ZC_EDITOR) && !defined(ZC_LIVE_NO_WATCHER)

#include "zc_live_internal.h"
#include "zc_os.h"

#include <stdatomic.h>
#include <string.h>

#include <uv.h>

struct zc__live_watch {
    uv_loop_t loop;
    uv_async_t async;
    uv_timer_t poll;
    uv_timer_t debounce;
    uv_fs_event_t event;
    uv_thread_t thread;
    zc_live_pack *live;
    zc_allocator allocator;
    const char *name;
    size_t name_length;
    int generation_files;
    uint32_t debounce_ms;
    int notifies;               /* the fs_event started */
    int debounce_armed;         /* loop thread only */
    int notified;               /* loop thread only: a notification since the last check */
    atomic_int stop;
    atomic_int wake;
};

/* 1 when a notification about `filename` may concern the pack. */
static int zc__watch_concerns(const zc__live_watch *w, const char *filename) {
    if (!filename) return 1; /* the platform did not say which file */
    if (strcmp(filename, w->name) == 0) return 1;
    return w->generation_files && zc__os_parse_generation(filename, w->name, w->name_length) != 0;
}

static void zc__watch_on_debounce(uv_timer_t *timer) {
    zc__live_watch *w = (zc__live_watch *)timer->data;
    w->debounce_armed = 0;
    int notified = w->notified;
    w->notified = 0;
    zc__live_check(w->live, notified);
}

static void zc__watch_on_event(uv_fs_event_t *handle, const char *filename, int events, int status) {
    (void)events;
    zc__live_watch *w = (zc__live_watch *)handle->data;
    if (status < 0) {
        zc__live_log(w->live, ZC_LOG_WARNING, "file-change notification failed (%s); the poll goes on",
                     uv_strerror(status));
        return;
    }
    if (!zc__watch_concerns(w, filename)) return;
    w->notified = 1;
    if (w->debounce_armed) return;
    w->debounce_armed = 1;
    uv_timer_start(&w->debounce, zc__watch_on_debounce, w->debounce_ms, 0);
}

static void zc__watch_on_poll(uv_timer_t *timer) {
    zc__live_watch *w = (zc__live_watch *)timer->data;
    zc__live_check(w->live, 0);
}

static void zc__watch_close_all(zc__live_watch *w) {
    uv_close((uv_handle_t *)&w->async, NULL);
    uv_close((uv_handle_t *)&w->poll, NULL);
    uv_close((uv_handle_t *)&w->debounce, NULL);
    uv_close((uv_handle_t *)&w->event, NULL);
}

static void zc__watch_on_async(uv_async_t *async) {
    zc__live_watch *w = (zc__live_watch *)async->data;
    if (atomic_load(&w->stop)) {
        zc__watch_close_all(w);
        return;
    }
    if (atomic_exchange(&w->wake, 0)) zc__live_check(w->live, 0);
}

static void zc__watch_thread(void *arg) {
    zc__live_watch *w = (zc__live_watch *)arg;
    uv_run(&w->loop, UV_RUN_DEFAULT);
}

/* Close whatever was initialised and the loop (the thread never ran). */
static void zc__watch_abandon(zc__live_watch *w) {
    zc__watch_close_all(w);
    uv_run(&w->loop, UV_RUN_DEFAULT);
    uv_loop_close(&w->loop);
    w->allocator.free(w, w->allocator.user_data);
}

zc_result zc__live_watch_start(zc__live_watch **out, const zc__live_watch_config *config) {
    *out = NULL;
    zc_allocator a = config->allocator;
    zc__live_watch *w = (zc__live_watch *)a.alloc(sizeof *w, a.user_data);
    if (!w) {
        zc__live_log(config->live, ZC_LOG_ERROR, "out of memory starting the watcher");
        return ZC_ERR_OUT_OF_MEMORY;
    }
    memset(w, 0, sizeof *w);
    w->allocator = a;
    w->live = config->live;
    w->name = config->name;
    w->name_length = strlen(config->name);
    w->generation_files = config->generation_files;
    w->debounce_ms = config->debounce_ms;
    atomic_init(&w->stop, 0);
    atomic_init(&w->wake, 0);
    int e = uv_loop_init(&w->loop);
    if (e < 0) {
        zc__live_log(config->live, ZC_LOG_ERROR, "cannot start the watcher's loop: %s", uv_strerror(e));
        a.free(w, a.user_data);
        return ZC_ERR_IO;
    }
    /* Initialising these cannot fail on an initialised loop except for the async
     * handle (it may need a descriptor), checked below. */
    e = uv_async_init(&w->loop, &w->async, zc__watch_on_async);
    uv_timer_init(&w->loop, &w->poll);
    uv_timer_init(&w->loop, &w->debounce);
    uv_fs_event_init(&w->loop, &w->event);
    w->async.data = w->poll.data = w->debounce.data = w->event.data = w;
    if (e < 0) {
        zc__live_log(config->live, ZC_LOG_ERROR, "cannot create the watcher's wake-up handle: %s", uv_strerror(e));
        zc__watch_abandon(w);
        return ZC_ERR_IO;
    }
    e = uv_fs_event_start(&w->event, zc__watch_on_event, config->directory, 0);
    w->notifies = e == 0;
    if (e < 0)
        zc__live_log(config->live, ZC_LOG_WARNING,
                     "cannot watch the directory %s (%s): looking for new generations every %u ms only",
                     config->directory, uv_strerror(e), config->poll_interval_ms);
    uv_timer_start(&w->poll, zc__watch_on_poll, config->poll_interval_ms, config->poll_interval_ms);
    e = uv_thread_create(&w->thread, zc__watch_thread, w);
    if (e < 0) {
        zc__live_log(config->live, ZC_LOG_ERROR, "cannot start the watcher thread: %s", uv_strerror(e));
        zc__watch_abandon(w);
        return ZC_ERR_IO;
    }
    *out = w;
    return ZC_OK;
}

void zc__live_watch_stop(zc__live_watch *w) {
    if (!w) return;
    atomic_store(&w->stop, 1);
    uv_async_send(&w->async);
    uv_thread_join(&w->thread);
    uv_loop_close(&w->loop);
    w->allocator.free(w, w->allocator.user_data);
}

void zc__live_watch_wake(zc__live_watch *w) {
    atomic_store(&w->wake, 1);
    uv_async_send(&w->async);
}

int zc__live_watch_notifies(const zc__live_watch *w) { return w->notifies; }

#else
/* Shipping builds, and editor builds without libuv, have no watcher. */
typedef int zc__live_watch_not_built;
#endif
