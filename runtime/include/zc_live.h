/* zc_live.h - hot reload: watch a pack path and swap in each new generation while
 * the engine keeps reading (editor builds only).
 *
 * Everything here is compiled only when ZC_EDITOR is defined, in the library (the
 * editor and sanitize configurations) and in the code that includes this header;
 * without it this header declares nothing. The rest of the runtime is in zc_pack.h.
 */
#ifndef ZC_LIVE_H
#define ZC_LIVE_H

#include "zc_pack.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------
 * Hot reload
 *
 * A live pack watches one pack path and swaps in each new generation of it while the
 * engine keeps reading. The writer (the packer, `zcpack watch`) never modifies a pack
 * in place: it writes a new file beside it and renames it over the path. The live
 * pack notices (libuv fs_event on the directory, plus a stat poll because watchers
 * miss some rename-style saves), opens and validates the new file at desc.validate,
 * compares its table of contents with the current generation's (zc_entry_differences),
 * swaps it in, and calls desc.on_change with the entries added, changed and removed,
 * so the engine re-uploads only those.
 *
 * Example:
 *     static void reupload(const zc_live_event *ev, void *engine) {   // watcher thread
 *         for (uint32_t i = 0; i < ev->change_count; ++i)
 *             queue_upload(engine, ev->changes[i].id, ev->changes[i].kind);
 *     }
 *
 *     zc_live_pack *live;
 *     zc_live_open(&live, &(zc_live_desc){ .path = "game.zcpack", .watch = 1,
 *                                          .on_change = reupload, .user_data = engine });
 *     while (engine_running(engine)) {         // each frame
 *         zc_live_view view;
 *         zc_live_acquire(live, &view);        // pins the current generation
 *         draw(view.pack);                     // any zc_pack_* call on view.pack
 *         zc_live_release(live, view.ref);     // the generation may now be unmapped
 *     }
 *     zc_live_close(live);
 *
 * Generations and handles
 *  1. Generation numbers count from 1 (the pack found at open) and grow by one per
 *     swap; they are never reused within a live pack.
 *  2. zc_live_acquire pins the current generation and returns a zc_live_ref, a handle
 *     made of a 32-bit slot index and a 32-bit version (sokol's pool handles). Every
 *     call taking a ref checks both against the live pack's own table first: a ref
 *     that was released (or never issued) is reported as ZC_ERR_STALE_HANDLE and
 *     nothing it once named is touched. Releasing a ref twice is that error too.
 *  3. A generation stays mapped while it is current, while a ref pins it, and while
 *     its zc_pack has other references (zc_pack_acquire holds, mount tables): the
 *     bytes a reader got from a pinned generation stay valid and unchanged however
 *     many reloads happen meanwhile.
 *  4. At most desc.max_generations generations are mapped at once, the current one
 *     included. When a new file arrives and that many are still pinned, it is not
 *     opened: the reload waits (zc_live_poll returns ZC_ERR_LIMIT, the stats count a
 *     deferral, a warning is logged once) and is retried as soon as a ref is released
 *     (watch mode) or at the next check. Readers never block; memory and mappings stay
 *     bounded.
 *  5. A generation no longer pinned is unmapped by the next check or release: at
 *     once when the last pin was a zc_live_ref, within one poll interval (watch mode)
 *     or at the next zc_live_poll when it was a zc_hold.
 *
 * What counts as a new generation
 *  - A file at the path (or, with ZC_LIVE_FILES_GENERATIONS, a newer generation file)
 *    whose identity (device, inode or file index, size, modification and change
 *    times) differs from the last file examined. A file-change notification also
 *    forces a look at the current identity.
 *  - It must open, carry a good signature when desc.trusted_keys are given, and pass
 *    validation at desc.validate where it differs from the current generation;
 *    otherwise it is refused (one sentence through the logger, the stats count a
 *    failure) and the current generation stays. The same file is examined again only
 *    when it changes. What "passes" costs (SPEC.md section 9, lazy checks): the header
 *    and both checksums (one pass over the TOC), then every entry new or changed by
 *    zc_entry_differences is checked at desc.validate (structure; decoded when
 *    compressed; content hash at CHECKSUMS) before the swap. An entry that is the same
 *    by its record as in the current generation is checked when it is first used in
 *    the new one: a lookup that hands it out runs its checks, including its content
 *    hash at CHECKSUMS, once, and refuses it if they fail (so a damaged copy of an
 *    unchanged entry is reported on use, never handed out). The callback fires as
 *    soon as the changed entries passed: saving one texture of a large pack costs the
 *    TOC and that texture, not the whole file. The first generation (zc_live_open) is
 *    validated whole.
 *  - A valid file with the same ids as the current generation, each entry unchanged
 *    by zc_entry_differences (same type, layout hash, content hash, raw size and
 *    dependency list), is closed again: no swap, no callback (a `touch`, or a rebuild
 *    that produced the same bytes).
 *
 * Windows: a mapped file cannot be replaced by a rename, so there the default is
 * ZC_LIVE_FILES_GENERATIONS: the writer publishes generation n as `<path>.gen-<n>`
 * (decimal n >= 1, written to a temporary name and renamed to that new name), the
 * live pack opens the highest n present (or `<path>` itself when there is none),
 * and the writer deletes older generation files once Windows lets it (a file still
 * mapped by some reader refuses deletion; the writer retries at its next publish).
 *
 * Never write a pack in place (truncate and rewrite): every process that maps it can
 * die of SIGBUS, and readers see torn bytes. tests/test_reload.c demonstrates both.
 * zc_pack_open states the contract for every mapped pack, and desc.load =
 * ZC_LOAD_READ survives such writers.
 *
 * Thread rules
 *  - zc_live_open / zc_live_close: one thread; close after every other thread has
 *    stopped calling into the live pack.
 *  - zc_live_acquire, zc_live_release, zc_live_resolve, zc_live_find,
 *    zc_live_generation and zc_live_get_stats: any thread, any number at once (a
 *    short mutex section; never waits for a reload in progress).
 *  - zc_live_poll: any thread; checks are serialised, so a second caller waits for
 *    the first.
 *  - desc.on_change runs on the watcher thread (watch mode) or inside zc_live_poll,
 *    one call at a time, after the swap. It may call acquire, release, resolve, find,
 *    generation and stats; it must not call zc_live_poll or zc_live_close.
 * Trust: every entry of a new generation is validated at desc.validate before
 * anything reads it (its changed entries before the swap, the others on first use), so
 * a damaged or half-written file is refused rather than used. With
 * desc.trusted_keys each generation must also be signed by one of those keys (SPEC.md
 * sections 14 and 15), checked before validation: a new file that is unsigned, signed
 * by another key or changed since it was signed is refused like a damaged one
 * (ZC_ERR_SIGNATURE from zc_live_poll, a logged sentence, a counted failure; the
 * current generation stays). A signing writer (`zcpack watch --sign`) re-signs every
 * generation it publishes.
 * ------------------------------------------------------------------------------- */

#ifdef ZC_EDITOR

typedef struct zc_live_pack zc_live_pack;

/* Handle to one pinned generation: slot index and version, both checked on every use.
 * The zero value is never issued. */
typedef struct zc_live_ref {
    uint32_t index;
    uint32_t version;
} zc_live_ref;

typedef enum zc_live_files {
    ZC_LIVE_FILES_DEFAULT = 0,      /* SINGLE on POSIX systems, GENERATIONS on Windows */
    ZC_LIVE_FILES_SINGLE,           /* the pack at path, replaced by rename */
    ZC_LIVE_FILES_GENERATIONS,      /* the newest `<path>.gen-<n>`, else path itself */
} zc_live_files;

typedef enum zc_live_change_kind {
    ZC_LIVE_ADDED = 1,              /* in the new generation only */
    ZC_LIVE_CHANGED = 2,            /* in both; zc_entry_differences is not 0 */
    ZC_LIVE_REMOVED = 3,            /* in the old generation only */
} zc_live_change_kind;

typedef struct zc_live_change {
    zc_live_change_kind kind;
    uint64_t id;                    /* asset id */
    const char *path;               /* NUL-terminated; valid during the callback */
    uint32_t path_length;
    uint32_t type;                  /* the new entry's type (the old one's when removed) */
    uint64_t old_hash;              /* content hash in the old generation; 0 when added */
    uint64_t new_hash;              /* content hash in the new generation; 0 when removed */
    uint64_t raw_size;              /* the new entry's raw size (the old one's when removed) */
} zc_live_change;

typedef struct zc_live_event {
    uint32_t old_generation;
    uint32_t new_generation;        /* current when the callback runs */
    zc_pack *pack;                  /* the new generation; valid during the callback
                                       (zc_live_acquire to keep it longer) */
    zc_pack *old_pack;              /* the old generation; valid during the callback */
    const zc_live_change *changes;  /* ids ascending; valid during the callback */
    uint32_t change_count;
    uint32_t added, changed, removed;
    uint64_t validate_ns;           /* time spent opening the new file and validating what changed */
} zc_live_event;

/* Called once per swap, after it: on the watcher thread (watch mode) or inside
 * zc_live_poll, one call at a time (see the thread rules above). */
typedef void (*zc_live_cb)(const zc_live_event *event, void *user_data);

typedef struct zc_live_desc {
    const char *path;               /* required: the pack to open and watch (UTF-8) */
    zc_validate validate;           /* default: ZC_VALIDATE_CHECKSUMS (every entry's structure and
                                       content hash, so the change report can trust the hashes;
                                       changed entries before the swap, the others on first use);
                                       ZC_VALIDATE_FULL skips the hashes; lower levels are refused */
    uint32_t max_generations;       /* default: 0 = 4; generations mapped at once, in [2, 64] */
    int watch;                      /* default: 0 = reload only in zc_live_poll; 1 = a watcher
                                       thread (libuv) reloads by itself */
    uint32_t poll_interval_ms;      /* default: 0 = 250; watch mode's stat poll, in [1, 60000] */
    uint32_t debounce_ms;           /* default: 0 = none; watch mode waits this long after a
                                       notification before looking, to let a burst settle */
    zc_live_files files;            /* default: ZC_LIVE_FILES_DEFAULT */
    zc_live_cb on_change;           /* default: NULL = no report (generations still swap) */
    void *user_data;                /* passed to on_change */
    zc_load load;                   /* default: ZC_LOAD_MAP; how each generation is opened
                                       (zc_pack_desc.load): ZC_LOAD_READ reads each one into
                                       memory, so rewriting a file in place cannot hurt */
    int no_mmap;                    /* default: 0; older spelling of load = ZC_LOAD_READ,
                                       as zc_pack_desc.no_mmap */
    zc_allocator allocator;         /* default: malloc/free; also used by every generation;
                                       called from the checking thread and from acquires */
    zc_logger logger;               /* default: silent; called on the thread that checks */
    const zc_public_key *trusted_keys; /* default: NULL = no signature check. Else every
                                       generation, the first included, must carry a
                                       signature by one of these keys that verifies
                                       (zc_pack_desc.trusted_keys): an unsigned or badly
                                       signed new file is refused with ZC_ERR_SIGNATURE;
                                       copied at open */
    uint32_t trusted_key_count;     /* default: 0; keys at trusted_keys */
    const zc_type_row *types;       /* default: NULL = only the built-in types. Entry types
                                       registered with every generation (zc_pack_desc.types):
                                       a changed entry of one is checked by its row before the
                                       swap, like a built-in type; copied at open, the check
                                       functions must stay callable until zc_live_close */
    uint32_t type_count;            /* default: 0; rows at types */
} zc_live_desc;

typedef struct zc_live_view {
    zc_live_ref ref;                /* pass to zc_live_release */
    zc_pack *pack;                  /* the pinned generation; valid until the release */
    uint32_t generation;
} zc_live_view;

typedef struct zc_live_stats {
    uint32_t generation;            /* current generation number */
    uint32_t retained;              /* generations mapped now, the current one included */
    uint32_t retained_peak;         /* highest `retained` since open */
    uint32_t max_generations;
    uint32_t refs;                  /* zc_live_refs outstanding */
    int watching;                   /* 1 when the watcher thread runs */
    int notifications;              /* 1 when file-change notifications work (else polling only) */
    uint64_t checks;                /* looks at the file (polls, notifications, zc_live_poll) */
    uint64_t reloads;               /* generations swapped in */
    uint64_t unchanged;             /* new files with the same contents, not swapped in */
    uint64_t failures;              /* new files refused (open or validation failed) */
    uint64_t deferrals;             /* reloads put off because max_generations were pinned */
} zc_live_stats;

/* Open the pack at desc->path (generation 1) and, with desc->watch, start watching it.
 * ZC_OK fills *out. Errors: ZC_ERR_INVALID_ARGUMENT (NULL out or desc, no path, a
 * field out of range, trusted_key_count without trusted_keys, watch requested from a
 * build without libuv), every error of zc_pack_open for the initial file (with
 * trusted keys ZC_ERR_SIGNATURE for one not signed by them), ZC_ERR_OUT_OF_MEMORY, ZC_ERR_IO (the watcher
 * cannot start its loop or thread; a directory that cannot be watched only logs a
 * warning and falls back to polling). On error *out is NULL and nothing is leaked.
 * Untrusted input: safe (validated at desc->validate). Threads: one thread, before any
 * other call on the live pack; with desc.watch the watcher thread starts here. */
zc_result zc_live_open(zc_live_pack **out, const zc_live_desc *desc);

/* Stop the watcher (waits for a check or callback in progress), release the refs still
 * outstanding (a warning names their number), and close every generation. Packs kept
 * by zc_pack_acquire holds stay valid until those are released. NULL is a no-op.
 * Threads: once, after every other thread stopped calling into the live pack; never
 * from on_change. */
void zc_live_close(zc_live_pack *live);

/* Look at the file now and reload when a new generation is there; the engine's way
 * when it does not watch (or wants a reload at a chosen moment). ZC_OK when the
 * current generation is up to date afterwards (*out_generation, may be NULL, is the
 * current number); ZC_ERR_LIMIT when the reload is deferred (rule 4); the new file's
 * open, signature (ZC_ERR_SIGNATURE) or validation error when it was refused (the old generation stays current);
 * ZC_ERR_OUT_OF_MEMORY (the old generation stays current; the file is not refused,
 * the next check examines it again); ZC_ERR_INVALID_ARGUMENT for NULL. A missing
 * file (between a delete and a create) is ZC_OK: the current generation stays. A
 * refused file is examined again only when its identity changes, so polling every
 * frame costs one stat (and, with generation files, one directory listing) while
 * nothing changes.
 * Threads: any thread; waits for a check in progress (the watcher's or another
 * poll's); runs on_change on the calling thread; never from on_change. */
zc_result zc_live_poll(zc_live_pack *live, uint32_t *out_generation);

/* Pin the current generation. ZC_OK fills *out; ZC_ERR_INVALID_ARGUMENT for NULL;
 * ZC_ERR_OUT_OF_MEMORY when the handle table cannot grow; ZC_ERR_LIMIT above 2^20
 * refs outstanding. On error *out is zeroed. Allocates only to grow the handle table
 * (through desc.allocator, so that allocator must be thread-safe when refs are taken
 * on several threads). Threads: any thread, also from on_change; never waits for a
 * reload. */
zc_result zc_live_acquire(zc_live_pack *live, zc_live_view *out);

/* Unpin. ZC_ERR_STALE_HANDLE for a ref already released or never issued (nothing is
 * touched); ZC_ERR_INVALID_ARGUMENT for NULL. An old generation no longer pinned is
 * unmapped here; a deferred reload is retried (watch mode). Threads: any thread (not
 * necessarily the acquiring one), also from on_change. */
zc_result zc_live_release(zc_live_pack *live, zc_live_ref ref);

/* The view a ref pins. ZC_ERR_STALE_HANDLE for a released or unknown ref (*out
 * zeroed). Threads: any thread. */
zc_result zc_live_resolve(zc_live_pack *live, zc_live_ref ref, zc_live_view *out);

/* zc_pack_find on the generation a ref pins: ZC_ERR_STALE_HANDLE for a released or
 * unknown ref, else zc_pack_find's results. *out stays valid until the release.
 * Threads: any thread; allocation-free. */
zc_result zc_live_find(zc_live_pack *live, zc_live_ref ref, const char *path, zc_entry *out);

/* Current generation number; 0 for NULL. Lock-free; any thread. */
uint32_t zc_live_generation(const zc_live_pack *live);

/* Snapshot of the counters. ZC_ERR_INVALID_ARGUMENT on NULL. Any thread. */
zc_result zc_live_get_stats(zc_live_pack *live, zc_live_stats *out);

#endif /* ZC_EDITOR */

#ifdef __cplusplus
}
#endif

#endif /* ZC_LIVE_H */
