/* zc_watch.h - watch an asset tree and rebuild its pack whenever a file changes
 * (`zcpack watch`).
 *
 *     zc_watch_desc wd = { .build = { .input_dir = "assets", .output_path = "game.zcpack",
 *                                     .logger = my_logger },
 *                          .handle_signals = 1 };
 *     zc_result r = zc_watch_run(&wd);   // returns on SIGINT or SIGTERM
 *
 * What it does, on one libuv loop of its own:
 *  1. builds the pack once at the start;
 *  2. notices changes two ways: a libuv fs_event watch on every directory of the tree
 *     (Linux inotify watches are not recursive, so each directory gets its own, and a
 *     directory that appears gets one at the next scan), and a polling scan every
 *     poll_ms that compares the tree's file names, sizes, modification and change
 *     times and inodes with the scan taken at the last build (editors that save by
 *     writing a temporary file and renaming it over the old one, network file systems
 *     and a full inotify table are all caught this way);
 *  3. debounces: a rebuild starts once no change has been noticed for debounce_ms, or
 *     at the latest max(1 s, 10 * debounce_ms) after the first change not yet built,
 *     so a burst of saves gives one rebuild and a file written continuously still
 *     gets built;
 *  4. rebuilds with zc_build through the build cache (zc_build_cache.h): only the
 *     files whose key changed are imported again, and a model also when a file its
 *     last import read (its .bin, material library, textures: zc_import_outputs.reads,
 *     all inside the watched tree) changed, and no other model; the new pack is
 *     written to a temporary file, verified and renamed over the output: readers (the runtime's
 *     hot reload) see the old generation or the new one, never a mixture;
 *  5. a build that fails (a half-written PNG, a truncated glTF) writes nothing: each
 *     failure is logged as "<file>: <reason>" and the last good pack stays published
 *     until a later save builds again (build.keep_going still writes the pack without
 *     the failed files, as for zc_build).
 * Changes the watcher causes itself are ignored: the output pack and its temporary
 * files (`.zc-<pid>-<random>.tmp` and `*.tmp-<pid>-<n>`, which the build skips as well), and the cache directory,
 * which is neither watched nor scanned.
 *
 * Why a full new generation and not a patch pack over the base: with the cache, a
 * rebuild costs the changed imports plus writing the pack (sequential writes of
 * records already in the page cache, then the writer's verification), which is
 * milliseconds to a few hundred milliseconds for packs of hundreds of MiB; a patch
 * chain would save part of that write but make every reader mount and re-resolve a
 * growing stack of packs, needs compaction, and turns every hot-reload into a
 * multi-pack question. One file, one generation, one rename keeps the runtime's job
 * (and its Windows fallback of generation-named files) simple.
 *
 * Threads: zc_watch_run blocks the calling thread until it stops; everything it calls
 * back runs on that thread. With handle_signals it installs SIGINT and SIGTERM
 * handlers (uv_signal) for the duration of the call; a signal that arrives during a
 * build stops the watch once that build has finished (a model import may take up to
 * build.model_timeout_ms).
 */
#ifndef ZC_WATCH_H
#define ZC_WATCH_H

#include <stdint.h>

#include "zc_build.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZC_WATCH_DEFAULT_DEBOUNCE_MS 100u
#define ZC_WATCH_DEFAULT_POLL_MS 1000u

/* One finished build, as reported to on_rebuild. */
typedef struct zc_watch_rebuild {
    uint32_t number;                /* 1 for the build at the start */
    zc_result result;               /* zc_build's result */
    const zc_build_stats *stats;    /* its stats (pack_written says whether a new
                                       generation was published) */
    double seconds;                 /* wall time of the build */
    uint32_t changes;               /* change notices since the previous build (0 for the first) */
} zc_watch_rebuild;

typedef void (*zc_watch_rebuild_fn)(const zc_watch_rebuild *rebuild, void *user_data);

typedef struct zc_watch_desc {
    zc_build_desc build;            /* what each build does; input_dir and output_path
                                       required; base_path must be NULL; with
                                       build.sign_key every pack written is signed (the key
                                       must outlive the call). build.cache and
                                       build.cache_dir default to an open cache on
                                       "<output_path>.cache", and build.model_pool to a pool
                                       of build.threads model workers, both kept for the
                                       whole watch */
    uint32_t debounce_ms;           /* default: 0 = ZC_WATCH_DEFAULT_DEBOUNCE_MS; quiet time
                                       before a rebuild, at most 60000 */
    uint32_t poll_ms;               /* default: 0 = ZC_WATCH_DEFAULT_POLL_MS; interval of the
                                       polling scan, at least 10 */
    int no_poll;                    /* default: 0; 1 = fs events only */
    int no_events;                  /* default: 0; 1 = polling only (no fs_event watches) */
    uint32_t max_rebuilds;          /* default: 0 = until stopped by a signal; else stop after
                                       this many builds (the first counts) */
    int handle_signals;             /* default: 0; 1 = stop cleanly on SIGINT and SIGTERM */
    zc_watch_rebuild_fn on_rebuild; /* default: NULL; called after every build */
    void *user_data;                /* default: NULL; passed to on_rebuild */
} zc_watch_desc;

/* Build, then watch and rebuild until a signal (handle_signals) or max_rebuilds.
 * Returns ZC_OK when stopped by a signal; after max_rebuilds, the last build's
 * result. Errors before the first build: ZC_ERR_INVALID_ARGUMENT (NULL desc, missing
 * paths, a base_path, debounce_ms or poll_ms out of range, neither events nor
 * polling); ZC_ERR_FILE_NOT_FOUND or ZC_ERR_IO when input_dir is not a readable
 * directory or the cache cannot be opened (logged); ZC_ERR_IO (logged) when the
 * output is a symbolic link, device, FIFO or directory (zc_writer_check_output) or an
 * existing file inside the tree that is not a pack (a source: never overwritten);
 * ZC_ERR_OUT_OF_MEMORY. A directory
 * that cannot be watched (inotify's limit) is logged as a warning once and left to
 * polling. */
zc_result zc_watch_run(const zc_watch_desc *desc);

#ifdef __cplusplus
}
#endif

#endif /* ZC_WATCH_H */
