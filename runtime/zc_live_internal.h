/* zc_live_internal.h - what the live pack (zc_live.c) and its libuv watcher
 * (zc_live_watch.c) share (internal; editor builds only).
 *
 * The watcher owns a thread running a libuv loop of its own: a file-change
 * notification on the pack's directory and a repeating stat poll both end in
 * zc__live_check on that thread. zc_live.c holds every other piece of state.
 * Builds without libuv (the mingw cross-build) define ZC_LIVE_NO_WATCHER and leave
 * zc_live_watch.c out; zc_live_open then refuses desc.watch.
 */
#ifndef ZC_LIVE_INTERNAL_H
#define ZC_LIVE_INTERNAL_H

#ifdef ZC_EDITOR

#include <stdint.h>

#include "zc_format.h" /* ZC_PRINTF_ARCHETYPE */
#include "zc_live.h"

typedef struct zc__live_watch zc__live_watch;

typedef struct zc__live_watch_config {
    zc_live_pack *live;         /* checked by the watcher; outlives it */
    zc_allocator allocator;     /* resolved (never NULL functions) */
    const char *directory;      /* watched for notifications */
    const char *name;           /* the pack file's name in `directory` */
    int generation_files;       /* 1: notifications about `<name>.gen-<n>` count too */
    uint32_t poll_interval_ms;
    uint32_t debounce_ms;
} zc__live_watch_config;

/* Start watching: ZC_OK and *out, or ZC_ERR_OUT_OF_MEMORY / ZC_ERR_IO (logged through
 * the live pack) with *out NULL. A directory that cannot be watched only logs a
 * warning: the poll still runs. The config's strings must outlive the watcher. */
zc_result zc__live_watch_start(zc__live_watch **out, const zc__live_watch_config *config);

/* Stop the thread, wait for a check in progress, free everything. NULL is a no-op. */
void zc__live_watch_stop(zc__live_watch *watch);

/* Ask for a check soon (a deferred reload may now fit). Any thread. */
void zc__live_watch_wake(zc__live_watch *watch);

/* 1 when file-change notifications work, 0 when only the poll runs. */
int zc__live_watch_notifies(const zc__live_watch *watch);

/* Look at the file and reload when needed (zc_live_poll without its argument
 * checks). `notified`: a notification arrived, so a file refused before is examined
 * again even when its identity looks unchanged. Serialised by the live pack. */
zc_result zc__live_check(zc_live_pack *live, int notified);

/* One sentence through the live pack's logger, prefixed by its path. */
void zc__live_log(zc_live_pack *live, zc_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(ZC_PRINTF_ARCHETYPE, 3, 4)))
#endif
    ;

#endif /* ZC_EDITOR */

#endif /* ZC_LIVE_INTERNAL_H */
