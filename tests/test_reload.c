/* test_reload.c - hot reload (zc_live_*, editor builds: the suite exists when ZC_EDITOR
 * is defined, i.e. in the editor and sanitize configurations).
 *
 * Refs and stale handles; the change report (only changed entries, ids ascending,
 * hashes); files that are refused (damaged, identical); the bound on retained
 * generations and the deferral at the bound; an old generation staying mapped and
 * intact while pinned (by a ref or a zc_hold), then unmapped; generations read into
 * memory (desc.load = ZC_LOAD_READ) surviving truncation; signed generations checked
 * against trusted keys; the watcher on rename saves, delete-and-create saves, bursts, a
 * path reached through a symbolic link (only the stat poll can see that change) and
 * generation files (the Windows scheme); descriptors and mappings back to their
 * baseline; a shared frame decoded once per generation. The stress test is in
 * test_reload_stress.c.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#ifdef ZC_EDITOR

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "zc_pack.h"
#include "zc_live.h"
#include "zc_test_live.h"
#include "zc_test_util.h"
#include "zc_writer.h"

TestSuite(reload, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 240);

/* ---------------------------------------------------------------------------------
 * Helpers: packs, time, process facts
 * ------------------------------------------------------------------------------- */

typedef struct item {
    const char *path;
    const char *text;
} item;

/* Publish a pack of text blobs at `path` the way the packer does: a temporary file
 * renamed over the path. */
static void publish(const char *path, const item *items, size_t count) {
    zc_writer *w;
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = path, .no_sync = 1, .no_verify = 1 }), ZC_OK);
    for (size_t i = 0; i < count; ++i) {
        cr_assert_eq(zc_writer_begin_entry(w, items[i].path, ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 0), ZC_OK);
        cr_assert_eq(zc_writer_write(w, items[i].text, strlen(items[i].text)), ZC_OK);
        cr_assert_eq(zc_writer_end_entry(w), ZC_OK);
    }
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
}

#define PUBLISH(path, ...) \
    publish(path, (const item[]){ __VA_ARGS__ }, sizeof((const item[]){ __VA_ARGS__ }) / sizeof(item))

/* The text of entry `path` in `pack` as a new string ("" when absent). */
static char *text_of(zc_pack *pack, const char *path) {
    zc_entry e;
    if (zc_pack_find(pack, path, &e) != ZC_OK) return strdup("");
    char *s = malloc(e.raw_size + 1);
    cr_assert_not_null(s);
    memcpy(s, e.data, e.raw_size);
    s[e.raw_size] = 0;
    return s;
}

static void expect_text(zc_pack *pack, const char *path, const char *text) {
    char *got = text_of(pack, path);
    cr_expect_str_eq(got, text, "%s", path);
    free(got);
}

/* Text of `path` in the current generation. */
static char *current_text(zc_live_pack *live, const char *path) {
    zc_live_view v;
    cr_assert_eq(zc_live_acquire(live, &v), ZC_OK);
    char *s = text_of(v.pack, path);
    cr_assert_eq(zc_live_release(live, v.ref), ZC_OK);
    return s;
}

/* Wait up to timeout_ms for the current generation's `path` to read `text`. */
static int wait_for_text(zc_live_pack *live, const char *path, const char *text, long timeout_ms) {
    uint64_t end = zct_now_ns() + (uint64_t)timeout_ms * 1000000u;
    for (;;) {
        char *s = current_text(live, path);
        int same = strcmp(s, text) == 0;
        free(s);
        if (same) return 1;
        if (zct_now_ns() > end) return 0;
        zct_sleep_ms(2);
    }
}

/* ---------------------------------------------------------------------------------
 * Change recorder: the callback copies what it was told (pointers die with it).
 * ------------------------------------------------------------------------------- */

#define REC_MAX 16

typedef struct recorder {
    pthread_mutex_t lock;
    int events;
    uint32_t old_generation, new_generation;
    uint32_t added, changed, removed, count;
    zc_live_change changes[REC_MAX];
    char paths[REC_MAX][64];
    int pack_ok;                /* the event's packs answered for the generations */
} recorder;

static void recorder_init(recorder *r) {
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
}

static void record(const zc_live_event *event, void *user_data) {
    recorder *r = (recorder *)user_data;
    pthread_mutex_lock(&r->lock);
    r->events += 1;
    r->old_generation = event->old_generation;
    r->new_generation = event->new_generation;
    r->added = event->added;
    r->changed = event->changed;
    r->removed = event->removed;
    r->count = event->change_count;
    r->pack_ok = event->pack != NULL && event->old_pack != NULL && event->pack != event->old_pack;
    for (uint32_t i = 0; i < event->change_count && i < REC_MAX; ++i) {
        r->changes[i] = event->changes[i];
        snprintf(r->paths[i], sizeof r->paths[i], "%s", event->changes[i].path);
        r->changes[i].path = r->paths[i];
    }
    pthread_mutex_unlock(&r->lock);
}

static int recorded_events(recorder *r) {
    pthread_mutex_lock(&r->lock);
    int n = r->events;
    pthread_mutex_unlock(&r->lock);
    return n;
}

static const zc_live_change *find_change(recorder *r, const char *path) {
    for (uint32_t i = 0; i < r->count && i < REC_MAX; ++i)
        if (strcmp(r->paths[i], path) == 0) return &r->changes[i];
    return NULL;
}

static uint64_t hash_of(const char *text) { return XXH3_64bits(text, strlen(text)); }

/* ---------------------------------------------------------------------------------
 * Opening, refs, stale handles
 * ------------------------------------------------------------------------------- */

Test(reload, refs_pin_the_current_generation_and_stale_refs_are_refused) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    PUBLISH(path, { "a.txt", "one" });
    zct_alloc_stats alloc;
    zct_alloc_stats_init(&alloc, -1);
    zc_live_pack *live;
    cr_assert_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .allocator = zct_counting_allocator(&alloc) }),
                 ZC_OK);
    cr_expect_eq(zc_live_generation(live), 1u);

    zc_live_view v;
    cr_assert_eq(zc_live_acquire(live, &v), ZC_OK);
    cr_expect_eq(v.generation, 1u);
    cr_expect_neq(v.ref.version, 0u, "the zero ref is never issued");
    zc_entry e;
    cr_assert_eq(zc_live_find(live, v.ref, "a.txt", &e), ZC_OK);
    cr_expect_eq(e.raw_size, 3u);
    cr_expect_eq(zc_live_find(live, v.ref, "missing.txt", &e), ZC_ERR_NO_ENTRY);
    zc_live_view again;
    cr_assert_eq(zc_live_resolve(live, v.ref, &again), ZC_OK);
    cr_expect_eq(again.pack, v.pack);
    cr_expect_eq(zc_live_get_stats(live, &(zc_live_stats){ 0 }), ZC_OK);
    cr_expect_eq(zctl_stats(live).refs, 1u);

    cr_assert_eq(zc_live_release(live, v.ref), ZC_OK);
    /* Released: every call with the ref is refused and touches nothing. */
    cr_expect_eq(zc_live_release(live, v.ref), ZC_ERR_STALE_HANDLE);
    cr_expect_eq(zc_live_resolve(live, v.ref, &again), ZC_ERR_STALE_HANDLE);
    cr_expect_null(again.pack);
    cr_expect_eq(zc_live_find(live, v.ref, "a.txt", &e), ZC_ERR_STALE_HANDLE);
    cr_expect_eq(zc_live_release(live, (zc_live_ref){ 0, 0 }), ZC_ERR_STALE_HANDLE);
    cr_expect_eq(zc_live_release(live, (zc_live_ref){ 1u << 30, 1 }), ZC_ERR_STALE_HANDLE);

    /* The slot is reused with a new version: the old ref stays stale, the new one works. */
    zc_live_view w;
    cr_assert_eq(zc_live_acquire(live, &w), ZC_OK);
    cr_expect_eq(w.ref.index, v.ref.index);
    cr_expect_neq(w.ref.version, v.ref.version);
    cr_expect_eq(zc_live_find(live, v.ref, "a.txt", &e), ZC_ERR_STALE_HANDLE);
    cr_expect_eq(zc_live_find(live, w.ref, "a.txt", &e), ZC_OK);
    cr_assert_eq(zc_live_release(live, w.ref), ZC_OK);

    /* Many refs at once grow the table; each stays distinct and releasable. */
    enum { MANY = 100 };
    zc_live_view views[MANY];
    for (int i = 0; i < MANY; ++i) cr_assert_eq(zc_live_acquire(live, &views[i]), ZC_OK);
    cr_expect_eq(zctl_stats(live).refs, (uint32_t)MANY);
    for (int i = 0; i < MANY; ++i) cr_assert_eq(zc_live_release(live, views[i].ref), ZC_OK);
    for (int i = 0; i < MANY; ++i) cr_expect_eq(zc_live_release(live, views[i].ref), ZC_ERR_STALE_HANDLE);

    zc_live_close(live);
    cr_expect_eq(alloc.live, 0, "everything the live pack allocated is freed");
    cr_expect_eq(alloc.bad_free, 0);
    free(path);
}

Test(reload, invalid_arguments) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    PUBLISH(path, { "a.txt", "one" });
    zc_live_pack *live = (zc_live_pack *)path;
    cr_expect_eq(zc_live_open(NULL, &(zc_live_desc){ .path = path }), ZC_ERR_INVALID_ARGUMENT);
    cr_expect_eq(zc_live_open(&live, NULL), ZC_ERR_INVALID_ARGUMENT);
    cr_expect_null(live);
    zct_log log;
    zc_logger logger = zct_log_recorder(&log);
    const zc_live_desc bad[] = {
        { .path = NULL },
        { .path = path, .validate = ZC_VALIDATE_TOC },
        { .path = path, .validate = ZC_VALIDATE_NONE },
        { .path = path, .max_generations = 1 },
        { .path = path, .max_generations = 65 },
        { .path = path, .poll_interval_ms = 60001 },
        { .path = path, .debounce_ms = 10001 },
        { .path = path, .files = (zc_live_files)7 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        zc_live_desc d = bad[i];
        d.logger = logger;
        cr_expect_eq(zc_live_open(&live, &d), ZC_ERR_INVALID_ARGUMENT, "desc %zu", i);
        cr_expect_null(live);
    }
    cr_expect_eq(log.errors, (int)(sizeof bad / sizeof bad[0]), "each misuse is named");
    cr_expect(zct_log_contains(&log, "max_generations"));

    char *missing = zct_join(zct_tmp, "missing.zcpack");
    cr_expect_eq(zc_live_open(&live, &(zc_live_desc){ .path = missing }), ZC_ERR_FILE_NOT_FOUND);
    char *junk = zct_join(zct_tmp, "junk.zcpack");
    zct_write_file(junk, "not a pack at all, just text that is long enough", 48);
    cr_expect_eq(zc_live_open(&live, &(zc_live_desc){ .path = junk }), ZC_ERR_NOT_A_PACK);

    cr_expect_eq(zc_live_poll(NULL, NULL), ZC_ERR_INVALID_ARGUMENT);
    cr_expect_eq(zc_live_acquire(NULL, &(zc_live_view){ 0 }), ZC_ERR_INVALID_ARGUMENT);
    cr_expect_eq(zc_live_release(NULL, (zc_live_ref){ 0, 1 }), ZC_ERR_INVALID_ARGUMENT);
    cr_expect_eq(zc_live_get_stats(NULL, &(zc_live_stats){ 0 }), ZC_ERR_INVALID_ARGUMENT);
    cr_expect_eq(zc_live_generation(NULL), 0u);
    zc_live_close(NULL);
    free(path);
    free(missing);
    free(junk);
}

/* ---------------------------------------------------------------------------------
 * Reloads by zc_live_poll and the change report
 * ------------------------------------------------------------------------------- */

Test(reload, change_report_lists_only_changed_entries) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    PUBLISH(path, { "a.txt", "alpha" }, { "b.txt", "bravo" }, { "c.txt", "charlie" }, { "d.txt", "delta" });
    recorder rec;
    recorder_init(&rec);
    zc_live_pack *live;
    cr_assert_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .on_change = record, .user_data = &rec }), ZC_OK);

    /* a unchanged, b changed (and larger, so d moves), c removed, d unchanged at another
     * offset, e added, f added with a's bytes (stored once with a). */
    PUBLISH(path, { "a.txt", "alpha" }, { "b.txt", "BRAVO, now much longer than it was before the edit" },
            { "d.txt", "delta" }, { "e.txt", "echo" }, { "f.txt", "alpha" });
    uint32_t generation = 0;
    cr_assert_eq(zc_live_poll(live, &generation), ZC_OK);
    cr_expect_eq(generation, 2u);
    cr_assert_eq(rec.events, 1);
    cr_expect_eq(rec.old_generation, 1u);
    cr_expect_eq(rec.new_generation, 2u);
    cr_expect(rec.pack_ok);
    cr_expect_eq(rec.count, 4u, "b changed, c removed, e and f added; nothing else");
    cr_expect_eq(rec.added, 2u);
    cr_expect_eq(rec.changed, 1u);
    cr_expect_eq(rec.removed, 1u);
    cr_expect_null(find_change(&rec, "a.txt"));
    cr_expect_null(find_change(&rec, "d.txt"), "same content at another offset is no change");

    const zc_live_change *b = find_change(&rec, "b.txt");
    cr_assert_not_null(b);
    cr_expect_eq(b->kind, ZC_LIVE_CHANGED);
    cr_expect_eq(b->id, zc_asset_id("b.txt", 5));
    cr_expect_eq(b->old_hash, hash_of("bravo"));
    cr_expect_eq(b->new_hash, hash_of("BRAVO, now much longer than it was before the edit"));
    cr_expect_eq(b->raw_size, strlen("BRAVO, now much longer than it was before the edit"));
    cr_expect_eq(b->type, ZC_TYPE_BLOB);
    const zc_live_change *c = find_change(&rec, "c.txt");
    cr_assert_not_null(c);
    cr_expect_eq(c->kind, ZC_LIVE_REMOVED);
    cr_expect_eq(c->old_hash, hash_of("charlie"));
    cr_expect_eq(c->new_hash, 0u);
    cr_expect_eq(c->raw_size, 7u);
    const zc_live_change *e = find_change(&rec, "e.txt");
    cr_assert_not_null(e);
    cr_expect_eq(e->kind, ZC_LIVE_ADDED);
    cr_expect_eq(e->old_hash, 0u);
    cr_expect_eq(e->new_hash, hash_of("echo"));
    const zc_live_change *f = find_change(&rec, "f.txt");
    cr_assert_not_null(f);
    cr_expect_eq(f->kind, ZC_LIVE_ADDED);
    for (uint32_t i = 1; i < rec.count; ++i)
        cr_expect_lt(rec.changes[i - 1].id, rec.changes[i].id, "changes come in id order");

    /* The new generation reads the new bytes. */
    char *text = current_text(live, "b.txt");
    cr_expect_str_eq(text, "BRAVO, now much longer than it was before the edit");
    free(text);

    /* One more edit: only that entry is reported. */
    PUBLISH(path, { "a.txt", "alpha" }, { "b.txt", "BRAVO, now much longer than it was before the edit" },
            { "d.txt", "delta!" }, { "e.txt", "echo" }, { "f.txt", "alpha" });
    cr_assert_eq(zc_live_poll(live, &generation), ZC_OK);
    cr_expect_eq(generation, 3u);
    cr_expect_eq(rec.count, 1u);
    cr_expect_str_eq(rec.paths[0], "d.txt");
    cr_expect_eq(rec.changes[0].kind, ZC_LIVE_CHANGED);

    /* Nothing new on disk: a poll is a stat and no event. */
    cr_assert_eq(zc_live_poll(live, &generation), ZC_OK);
    cr_expect_eq(generation, 3u);
    cr_expect_eq(rec.events, 2);
    zc_live_close(live);
    free(path);
}

Test(reload, identical_republish_is_not_swapped) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    PUBLISH(path, { "a.txt", "alpha" }, { "b.txt", "bravo" });
    recorder rec;
    recorder_init(&rec);
    zc_live_pack *live;
    cr_assert_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .on_change = record, .user_data = &rec }), ZC_OK);
    PUBLISH(path, { "a.txt", "alpha" }, { "b.txt", "bravo" }); /* a new file, the same contents */
    uint32_t generation;
    cr_assert_eq(zc_live_poll(live, &generation), ZC_OK);
    cr_expect_eq(generation, 1u);
    cr_expect_eq(rec.events, 0);
    zc_live_stats s = zctl_stats(live);
    cr_expect_eq(s.unchanged, 1u);
    cr_expect_eq(s.reloads, 0u);
    cr_expect_eq(s.retained, 1u);
    /* Examined once: the next poll does not open it again. */
    cr_assert_eq(zc_live_poll(live, &generation), ZC_OK);
    cr_expect_eq(zctl_stats(live).unchanged, 1u);
    zc_live_close(live);
    free(path);
}

/* Publish blobs "a.txt" ("alpha") and "b.txt" ("bravo"), a.txt depending on the ids of
 * `deps` (deps_count of them). */
static void publish_with_deps(const char *path, const char *const *deps, size_t deps_count) {
    zc_writer *w;
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = path, .no_sync = 1, .no_verify = 1 }), ZC_OK);
    cr_assert_eq(zc_writer_begin_entry(w, "a.txt", ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 0), ZC_OK);
    cr_assert_eq(zc_writer_write(w, "alpha", 5), ZC_OK);
    for (size_t i = 0; i < deps_count; ++i)
        cr_assert_eq(zc_writer_add_dep(w, zc_asset_id(deps[i], strlen(deps[i]))), ZC_OK);
    cr_assert_eq(zc_writer_end_entry(w), ZC_OK);
    cr_assert_eq(zc_writer_begin_entry(w, "b.txt", ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 0), ZC_OK);
    cr_assert_eq(zc_writer_write(w, "bravo", 5), ZC_OK);
    cr_assert_eq(zc_writer_end_entry(w), ZC_OK);
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
}

/* "Changed" means zc_entry_differences is not 0, as for patch builds and `zcpack diff`:
 * an entry whose bytes stay the same but whose dependency list changes is reported. */
Test(reload, a_changed_dependency_list_is_a_change) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    const char *deps1[] = { "b.txt" };
    publish_with_deps(path, deps1, 1);
    recorder rec;
    recorder_init(&rec);
    zc_live_pack *live;
    cr_assert_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .on_change = record, .user_data = &rec }), ZC_OK);

    const char *deps2[] = { "b.txt", "c.txt" };
    publish_with_deps(path, deps2, 2);
    uint32_t generation = 0;
    cr_assert_eq(zc_live_poll(live, &generation), ZC_OK);
    cr_expect_eq(generation, 2u, "only a.txt's dependencies changed, and that is a new generation");
    cr_assert_eq(rec.events, 1);
    cr_expect_eq(rec.count, 1u);
    cr_expect_eq(rec.changed, 1u);
    const zc_live_change *a = find_change(&rec, "a.txt");
    cr_assert_not_null(a);
    cr_expect_eq(a->kind, ZC_LIVE_CHANGED);
    cr_expect_eq(a->old_hash, a->new_hash, "the bytes are the same");
    cr_expect_null(find_change(&rec, "b.txt"));
    cr_expect_eq(zctl_stats(live).unchanged, 0u);

    /* Dropping the dependencies is a change too. */
    publish_with_deps(path, NULL, 0);
    cr_assert_eq(zc_live_poll(live, &generation), ZC_OK);
    cr_expect_eq(generation, 3u);
    cr_expect_eq(rec.events, 2);
    cr_expect_eq(rec.count, 1u);
    cr_expect_str_eq(rec.paths[0], "a.txt");
    zc_live_close(live);
    free(path);
}

/* Copy `path` to a temporary file with one byte flipped at `offset` from the end of
 * the first entry's data, and rename it over `path`. */
/* A live pack on `path` (polled, default level) whose changes go to *rec and whose
 * log lines go to *log. */
static zc_live_pack *open_recorded(const char *path, recorder *rec, zct_log *log) {
    recorder_init(rec);
    zc_live_pack *live;
    cr_assert_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .on_change = record, .user_data = rec,
                                                     .logger = zct_log_recorder(log) }),
                 ZC_OK);
    return live;
}

static void publish_damaged_copy(const char *path, const char *good_path, const char *entry_path) {
    size_t size;
    uint8_t *bytes = zct_read_file(good_path, &size);
    cr_assert_not_null(bytes);
    zc_pack *pack;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = good_path }), ZC_OK);
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, entry_path, &e), ZC_OK);
    bytes[e.offset + 1] ^= 0x20;
    zc_pack_close(pack);
    char *side = zct_join(zct_tmp, "damaged.tmp");
    zct_write_file(side, bytes, size);
    cr_assert_eq(rename(side, path), 0);
    free(side);
    free(bytes);
}

Test(reload, damaged_generation_is_refused_and_the_old_one_stays) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    char *good = zct_join(zct_tmp, "good.zcpack");
    PUBLISH(path, { "a.txt", "alpha" }, { "b.txt", "bravo" });
    PUBLISH(good, { "a.txt", "alpha" }, { "b.txt", "bravo, edited" });
    recorder rec;
    zct_log log = { 0 };
    zc_live_pack *live = open_recorded(path, &rec, &log);

    /* A flipped bit in an entry passes the header and TOC checks; the content hash
     * (ZC_VALIDATE_CHECKSUMS, the default) catches it. */
    publish_damaged_copy(path, good, "b.txt");
    uint32_t generation;
    cr_expect_eq(zc_live_poll(live, &generation), ZC_ERR_ENTRY_CHECKSUM);
    cr_expect_eq(generation, 1u);
    cr_expect_eq(rec.events, 0);
    cr_expect_eq(zctl_stats(live).failures, 1u);
    cr_expect(zct_log_contains(&log, "was refused"));
    char *text = current_text(live, "b.txt");
    cr_expect_str_eq(text, "bravo");
    free(text);
    /* The same refused file is not opened again while it stays as it is. */
    cr_expect_eq(zc_live_poll(live, &generation), ZC_OK);
    cr_expect_eq(zctl_stats(live).failures, 1u);

    /* A truncated file is refused too. */
    size_t size;
    uint8_t *bytes = zct_read_file(good, &size);
    char *side = zct_join(zct_tmp, "half.tmp");
    zct_write_file(side, bytes, size / 2);
    cr_assert_eq(rename(side, path), 0);
    cr_expect_neq(zc_live_poll(live, &generation), ZC_OK);
    cr_expect_eq(generation, 1u);

    /* Then the good save arrives and is swapped in. */
    PUBLISH(path, { "a.txt", "alpha" }, { "b.txt", "bravo, edited" });
    cr_expect_eq(zc_live_poll(live, &generation), ZC_OK);
    cr_expect_eq(generation, 2u);
    cr_expect_eq(rec.events, 1);
    cr_expect_eq(rec.count, 1u);
    text = current_text(live, "b.txt");
    cr_expect_str_eq(text, "bravo, edited");
    free(text);
    cr_expect_eq(zctl_stats(live).failures, 2u);
    zc_live_close(live);
    free(bytes);
    free(side);
    free(path);
    free(good);
}

/* A reload checks at once only the entries that differ from the running generation;
 * the others are checked when they are first used. An unchanged entry damaged in the
 * new file (its record, and so its content hash, unchanged) does not stop the reload:
 * it is refused on first use, at the pack's level, and the changed entry is served. */
Test(reload, a_reload_checks_the_changed_entries_now_and_the_others_on_first_use) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    char *good = zct_join(zct_tmp, "good.zcpack");
    PUBLISH(path, { "a.txt", "alpha" }, { "b.txt", "bravo" }, { "c.txt", "charlie" });
    PUBLISH(good, { "a.txt", "alpha" }, { "b.txt", "bravo, edited" }, { "c.txt", "charlie" });
    recorder rec;
    zct_log log = { 0 };
    zc_live_pack *live = open_recorded(path, &rec, &log);
    publish_damaged_copy(path, good, "a.txt");
    uint32_t generation;
    cr_assert_eq(zc_live_poll(live, &generation), ZC_OK, "a.txt is unchanged by its record: not hashed now");
    cr_expect_eq(generation, 2u);
    cr_expect_eq(rec.events, 1);
    cr_expect_eq(rec.count, 1u, "b.txt alone changed");
    zc_live_view view;
    cr_assert_eq(zc_live_acquire(live, &view), ZC_OK);
    zc_entry e;
    cr_expect_eq(zc_pack_find(view.pack, "a.txt", &e), ZC_ERR_ENTRY_CHECKSUM, "hashed on first use, refused");
    cr_expect_eq(zc_pack_find(view.pack, "a.txt", &e), ZC_ERR_ENTRY_CHECKSUM, "and every use after");
    cr_expect(zct_log_contains(&log, "a.txt"));
    expect_text(view.pack, "b.txt", "bravo, edited");
    expect_text(view.pack, "c.txt", "charlie");
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(view.pack, &info), ZC_OK);
    cr_expect_eq(info.validated, ZC_VALIDATE_CHECKSUMS, "the generation keeps the live pack's level");
    cr_assert_eq(zc_live_release(live, view.ref), ZC_OK);
    zc_live_close(live);
    free(path);
    free(good);
}

Test(reload, full_validation_level_skips_the_content_hashes) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    char *good = zct_join(zct_tmp, "good.zcpack");
    PUBLISH(path, { "a.txt", "alpha" });
    PUBLISH(good, { "a.txt", "alpha, edited" });
    zc_live_pack *live;
    cr_assert_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .validate = ZC_VALIDATE_FULL }), ZC_OK);
    publish_damaged_copy(path, good, "a.txt"); /* a blob's structure has nothing to check */
    uint32_t generation;
    cr_expect_eq(zc_live_poll(live, &generation), ZC_OK);
    cr_expect_eq(generation, 2u, "FULL trusts the content hashes it does not compute");
    zc_live_close(live);
    free(path);
    free(good);
}

/* Entries of a type the application registers (desc.types) in every generation: a
 * "TUNE" entry is valid when its bytes begin with "ok". */
#define TUNE_TAG ZC_FOURCC('T', 'U', 'N', 'E')
static atomic_int tune_checks;

static zc_result tune_check(const void *payload, uint64_t size, struct zc_diag *diag) {
    atomic_fetch_add(&tune_checks, 1);
    if (size < 2 || memcmp(payload, "ok", 2) != 0) return zc_fail(diag, ZC_ERR_BAD_ENTRY, "a tune begins with \"ok\"");
    return ZC_OK;
}

static void publish_tune(const char *path, const char *text) {
    char *side = zct_join(zct_tmp, "tune.tmp");
    zc_writer *w;
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = side, .no_sync = 1, .no_verify = 1 }), ZC_OK);
    cr_assert_eq(zc_writer_begin_entry(w, "a.txt", ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 0), ZC_OK);
    cr_assert_eq(zc_writer_write(w, "alpha", 5), ZC_OK);
    cr_assert_eq(zc_writer_end_entry(w), ZC_OK);
    cr_assert_eq(zc_writer_begin_entry(w, "tune.bin", TUNE_TAG, 1, 0), ZC_OK);
    cr_assert_eq(zc_writer_write(w, text, strlen(text)), ZC_OK);
    cr_assert_eq(zc_writer_end_entry(w), ZC_OK);
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
    cr_assert_eq(rename(side, path), 0);
    free(side);
}

/* The current generation's tune, through the typed access; its result when it fails. */
static zc_result current_tune(zc_live_pack *live, char *text, size_t capacity) {
    zc_live_view view;
    cr_assert_eq(zc_live_acquire(live, &view), ZC_OK);
    zc_entry e;
    const void *data;
    uint64_t size;
    cr_assert_eq(zc_pack_find(view.pack, "tune.bin", &e), ZC_OK);
    zc_result r = zc_entry_typed(&e, TUNE_TAG, &data, &size);
    if (r == ZC_OK) snprintf(text, capacity, "%.*s", (int)size, (const char *)data);
    cr_assert_eq(zc_live_release(live, view.ref), ZC_OK);
    return r;
}

Test(reload, registered_types_are_checked_in_every_generation) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    publish_tune(path, "ok 1");
    zc_type_row rows[] = { { TUNE_TAG, 1, tune_check, "Tune" } };
    zc_live_pack *plain, *live;
    char text[32];
    cr_assert_eq(zc_live_open(&plain, &(zc_live_desc){ .path = path }), ZC_OK);
    cr_expect_eq(current_tune(plain, text, sizeof text), ZC_ERR_UNKNOWN_TYPE, "not registered: opaque");
    zc_live_close(plain);
    cr_expect_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .type_count = 1 }), ZC_ERR_INVALID_ARGUMENT);

    cr_assert_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .types = rows, .type_count = 1 }), ZC_OK);
    rows[0].check = NULL; /* the live pack copied the rows at open */
    cr_assert_eq(current_tune(live, text, sizeof text), ZC_OK);
    cr_expect_str_eq(text, "ok 1");
    publish_tune(path, "ok 2");
    uint32_t generation;
    int before = atomic_load(&tune_checks);
    cr_expect_eq(zc_live_poll(live, &generation), ZC_OK);
    cr_expect_eq(generation, 2u);
    cr_expect_eq(atomic_load(&tune_checks), before + 1, "the changed tune is checked before the swap");
    cr_assert_eq(current_tune(live, text, sizeof text), ZC_OK);
    cr_expect_str_eq(text, "ok 2");
    /* a changed entry its registered check refuses stops the reload */
    publish_tune(path, "broken");
    cr_expect_eq(zc_live_poll(live, &generation), ZC_ERR_BAD_ENTRY);
    cr_expect_eq(generation, 2u);
    cr_assert_eq(current_tune(live, text, sizeof text), ZC_OK);
    cr_expect_str_eq(text, "ok 2");
    zc_live_close(live);
    free(path);
}

/* desc.load = ZC_LOAD_READ: each generation is read into memory, so a writer that
 * truncates the file in place cannot reach the pinned generation. */
Test(reload, load_read_generations_survive_truncation) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    PUBLISH(path, { "a.txt", "alpha" }, { "b.txt", "bravo" });
    zc_live_pack *live;
    cr_assert_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .load = ZC_LOAD_READ }), ZC_OK);
    zc_live_view view;
    cr_assert_eq(zc_live_acquire(live, &view), ZC_OK);
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(view.pack, &info), ZC_OK);
    cr_expect_eq(info.mapped, 0, "the generation was mapped");
    cr_assert_eq(truncate(path, 0), 0);
    expect_text(view.pack, "a.txt", "alpha");
    expect_text(view.pack, "b.txt", "bravo");
    cr_expect_eq(zc_pack_validate(view.pack, ZC_VALIDATE_CHECKSUMS), ZC_OK);
    cr_expect_eq(zc_live_release(live, view.ref), ZC_OK);
    zc_live_close(live);
    free(path);
}

/* ---------------------------------------------------------------------------------
 * Signed generations (zc_live_desc.trusted_keys)
 * ------------------------------------------------------------------------------- */

/* Publish a one-entry pack signed with `key` (a temporary file renamed over `path`). */
static void publish_signed(const char *path, const zc_secret_key *key, const char *text) {
    char *side = zct_join(zct_tmp, "signed.tmp");
    zc_writer *w;
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = side, .no_sync = 1, .sign_key = key }), ZC_OK);
    cr_assert_eq(zc_writer_begin_entry(w, "a.txt", ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 0), ZC_OK);
    cr_assert_eq(zc_writer_write(w, text, strlen(text)), ZC_OK);
    cr_assert_eq(zc_writer_end_entry(w), ZC_OK);
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
    cr_assert_eq(rename(side, path), 0);
    free(side);
}

/* Poll once and expect `want`, the generation number `generation` afterwards and
 * a.txt reading `text`. */
static void expect_poll(zc_live_pack *live, zc_result want, uint32_t generation, const char *text) {
    uint32_t got;
    zc_result r = zc_live_poll(live, &got);
    cr_expect_eq(r, want, "poll: %s, expected %s", zc_result_str(r), zc_result_str(want));
    cr_expect_eq(got, generation);
    char *now = current_text(live, "a.txt");
    cr_expect_str_eq(now, text);
    free(now);
}

Test(reload, signed_generations_are_checked_against_the_trusted_keys) {
    zc_secret_key release, stranger;
    zc_public_key trusted;
    zct_make_keys("release", &release, &trusted);
    zct_make_keys("stranger", &stranger, NULL);
    char *path = zct_join(zct_tmp, "game.zcpack");
    char *spare = zct_join(zct_tmp, "spare.zcpack");

    /* Generation 1 must be signed too. */
    PUBLISH(path, { "a.txt", "unsigned start" });
    zc_live_pack *live = NULL;
    zct_log log = { 0 };
    cr_expect_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .trusted_keys = &trusted, .trusted_key_count = 1,
                                                     .logger = zct_log_recorder(&log) }),
                 ZC_ERR_SIGNATURE);
    cr_expect_null(live);
    cr_expect(zct_log_contains(&log, "not signed"));
    cr_expect_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .trusted_key_count = 1 }),
                 ZC_ERR_INVALID_ARGUMENT);

    publish_signed(path, &release, "one");
    recorder rec;
    recorder_init(&rec);
    log = (zct_log){ 0 };
    zc_public_key keys[2] = { trusted, trusted };
    cr_assert_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .trusted_keys = keys, .trusted_key_count = 2,
                                                     .on_change = record, .user_data = &rec,
                                                     .logger = zct_log_recorder(&log) }),
                 ZC_OK);
    memset(keys, 0, sizeof keys); /* the live pack keeps its own copy */

    /* A new version signed by the trusted key is swapped in. */
    publish_signed(path, &release, "two");
    expect_poll(live, ZC_OK, 2, "two");
    cr_expect_eq(rec.events, 1);

    /* An unsigned new version is refused; generation 2 stays. */
    PUBLISH(path, { "a.txt", "unsigned three" });
    expect_poll(live, ZC_ERR_SIGNATURE, 2, "two");
    cr_expect(zct_log_contains(&log, "was refused (pack is unsigned"));

    /* Signed by a key nobody trusts: refused. */
    publish_signed(path, &stranger, "four");
    expect_poll(live, ZC_ERR_SIGNATURE, 2, "two");
    cr_expect(zct_log_contains(&log, "not among"));

    /* Signed by the trusted key, then one payload bit flipped: the signature no longer
     * verifies, which is found before any validation level runs. */
    publish_signed(spare, &release, "five");
    publish_damaged_copy(path, spare, "a.txt");
    expect_poll(live, ZC_ERR_SIGNATURE, 2, "two");
    cr_expect_eq(zctl_stats(live).failures, 3u);
    cr_expect_eq(rec.events, 1);

    /* An unsigned pack re-signed in place by `zcpack sign`'s code is accepted. */
    PUBLISH(path, { "a.txt", "six" });
    cr_assert_eq(zc_sign_pack_file(path, &release, (zc_logger){ 0 }), ZC_OK);
    expect_poll(live, ZC_OK, 3, "six");
    cr_expect_eq(rec.events, 2);
    zc_pack_info info;
    zc_live_view view;
    cr_assert_eq(zc_live_acquire(live, &view), ZC_OK);
    cr_assert_eq(zc_pack_get_info(view.pack, &info), ZC_OK);
    cr_expect(info.signature_verified, "the current generation was opened without checking its signature");
    cr_expect_eq(memcmp(info.signer_key_id, trusted.key_id, ZC_KEY_ID_SIZE), 0);
    cr_assert_eq(zc_live_release(live, view.ref), ZC_OK);
    cr_expect_eq(zctl_stats(live).failures, 3u);
    zc_live_close(live);
    zc_secret_key_wipe(&release);
    zc_secret_key_wipe(&stranger);
    free(path);
    free(spare);
}

/* ---------------------------------------------------------------------------------
 * Retention: pinned generations stay mapped and intact; the bound; the sweep
 * ------------------------------------------------------------------------------- */

Test(reload, retained_generations_are_bounded_and_reloads_wait_at_the_bound) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    PUBLISH(path, { "a.txt", "gen 1" });
    zct_log log = { 0 };
    zc_live_pack *live;
    cr_assert_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .max_generations = 3,
                                                     .logger = zct_log_recorder(&log) }),
                 ZC_OK);
    cr_expect_eq(zct_count_maps_under(zct_tmp), 1);
    zc_live_view v1, v2;
    cr_assert_eq(zc_live_acquire(live, &v1), ZC_OK);
    PUBLISH(path, { "a.txt", "gen 2" });
    cr_assert_eq(zc_live_poll(live, NULL), ZC_OK);
    cr_assert_eq(zc_live_acquire(live, &v2), ZC_OK);
    cr_expect_eq(v2.generation, 2u);
    PUBLISH(path, { "a.txt", "gen 3" });
    cr_assert_eq(zc_live_poll(live, NULL), ZC_OK);
    cr_expect_eq(zctl_stats(live).retained, 3u);
    cr_expect_eq(zct_count_maps_under(zct_tmp), 3);

    /* Generations 1 and 2 pinned, 3 current: the fourth waits. */
    PUBLISH(path, { "a.txt", "gen 4" });
    uint32_t generation;
    cr_expect_eq(zc_live_poll(live, &generation), ZC_ERR_LIMIT);
    cr_expect_eq(generation, 3u);
    cr_expect_eq(zc_live_poll(live, &generation), ZC_ERR_LIMIT);
    zc_live_stats s = zctl_stats(live);
    cr_expect_eq(s.deferrals, 2u);
    cr_expect_eq(s.retained, 3u);
    cr_expect_eq(s.retained_peak, 3u);
    cr_expect_eq(zct_count_maps_under(zct_tmp), 3, "the waiting file is not even mapped");
    cr_expect(zct_log_contains(&log, "waits"));
    expect_text(v1.pack, "a.txt", "gen 1");
    expect_text(v2.pack, "a.txt", "gen 2");

    /* Releasing generation 1 unmaps it at once and makes room. */
    cr_assert_eq(zc_live_release(live, v1.ref), ZC_OK);
    cr_expect_eq(zctl_stats(live).retained, 2u);
    cr_expect_eq(zct_count_maps_under(zct_tmp), 2);
    cr_expect_eq(zc_live_poll(live, &generation), ZC_OK);
    cr_expect_eq(generation, 4u);
    char *text = current_text(live, "a.txt");
    cr_expect_str_eq(text, "gen 4");
    free(text);
    /* 3 is neither current nor pinned: swept. 2 is still pinned. */
    cr_expect_eq(zctl_stats(live).retained, 2u);
    expect_text(v2.pack, "a.txt", "gen 2");
    cr_assert_eq(zc_live_release(live, v2.ref), ZC_OK);
    cr_expect_eq(zctl_stats(live).retained, 1u);
    cr_expect_eq(zct_count_maps_under(zct_tmp), 1);
    cr_expect_leq(zctl_stats(live).retained_peak, 3u);
    zc_live_close(live);
    cr_expect_eq(zct_count_maps_under(zct_tmp), 0);
    free(path);
}

Test(reload, pinned_generation_stays_mapped_and_intact_across_reloads) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    char big[8192];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    PUBLISH(path, { "a.txt", "first" }, { "big.bin", big });
    zc_live_pack *live;
    cr_assert_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .max_generations = 8 }), ZC_OK);
    zc_live_view pinned;
    cr_assert_eq(zc_live_acquire(live, &pinned), ZC_OK);
    zc_entry a;
    cr_assert_eq(zc_live_find(live, pinned.ref, "a.txt", &a), ZC_OK);
    const char *bytes = (const char *)a.data;

    for (int i = 0; i < 5; ++i) { /* smaller packs each time: the old file's pages would be gone */
        char text[32];
        snprintf(text, sizeof text, "edit %d", i);
        PUBLISH(path, { "a.txt", text });
        cr_assert_eq(zc_live_poll(live, NULL), ZC_OK);
    }
    cr_expect_eq(zc_live_generation(live), 6u);
    cr_expect_eq(memcmp(bytes, "first", 5), 0, "the pinned generation's bytes are unchanged");
    zc_entry b;
    cr_assert_eq(zc_live_find(live, pinned.ref, "big.bin", &b), ZC_OK);
    cr_expect_eq(memcmp(b.data, big, sizeof big - 1), 0);
    /* Only the pinned generation and the current one are mapped. */
    cr_expect_eq(zctl_stats(live).retained, 2u);
    cr_expect_eq(zct_count_maps_under(zct_tmp), 2);
    cr_assert_eq(zc_live_release(live, pinned.ref), ZC_OK);
    cr_expect_eq(zct_count_maps_under(zct_tmp), 1);
    cr_expect_eq(zc_live_find(live, pinned.ref, "a.txt", &a), ZC_ERR_STALE_HANDLE);
    zc_live_close(live);
    free(path);
}

Test(reload, a_zc_hold_keeps_its_generation_until_released) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    PUBLISH(path, { "a.txt", "held bytes" });
    zc_live_pack *live;
    cr_assert_eq(zc_live_open(&live, &(zc_live_desc){ .path = path }), ZC_OK);
    zc_live_view v;
    cr_assert_eq(zc_live_acquire(live, &v), ZC_OK);
    zc_entry e;
    cr_assert_eq(zc_pack_find(v.pack, "a.txt", &e), ZC_OK);
    zc_hold hold;
    cr_assert_eq(zc_pack_acquire(v.pack, &e, &hold), ZC_OK);
    cr_assert_eq(zc_live_release(live, v.ref), ZC_OK);

    PUBLISH(path, { "a.txt", "new bytes" });
    cr_assert_eq(zc_live_poll(live, NULL), ZC_OK);
    cr_expect_eq(zctl_stats(live).retained, 2u, "the hold keeps generation 1");
    cr_expect_eq(memcmp(hold.data, "held bytes", 10), 0);
    zc_hold_release(&hold);
    /* The next check sweeps it. */
    cr_assert_eq(zc_live_poll(live, NULL), ZC_OK);
    cr_expect_eq(zctl_stats(live).retained, 1u);
    cr_expect_eq(zct_count_maps_under(zct_tmp), 1);

    /* A hold may outlive the live pack itself. */
    cr_assert_eq(zc_live_acquire(live, &v), ZC_OK);
    cr_assert_eq(zc_pack_find(v.pack, "a.txt", &e), ZC_OK);
    cr_assert_eq(zc_pack_acquire(v.pack, &e, &hold), ZC_OK);
    cr_assert_eq(zc_live_release(live, v.ref), ZC_OK);
    zc_live_close(live);
    cr_expect_eq(memcmp(hold.data, "new bytes", 9), 0);
    zc_hold_release(&hold);
    cr_expect_eq(zct_count_maps_under(zct_tmp), 0);
    free(path);
}

Test(reload, close_releases_refs_still_held) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    PUBLISH(path, { "a.txt", "x" });
    zct_log log = { 0 };
    zct_alloc_stats alloc;
    zct_alloc_stats_init(&alloc, -1);
    zc_live_pack *live;
    cr_assert_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .logger = zct_log_recorder(&log),
                                                     .allocator = zct_counting_allocator(&alloc) }),
                 ZC_OK);
    zc_live_view v;
    cr_assert_eq(zc_live_acquire(live, &v), ZC_OK);
    PUBLISH(path, { "a.txt", "y" });
    cr_assert_eq(zc_live_poll(live, NULL), ZC_OK);
    zc_live_close(live);
    cr_expect(zct_log_contains(&log, "1 refs still held"));
    cr_expect_eq(alloc.live, 0);
    cr_expect_eq(zct_count_maps_under(zct_tmp), 0);
    free(path);
}

/* ---------------------------------------------------------------------------------
 * Generation files (the Windows scheme, exercised here through the POSIX layer)
 * ------------------------------------------------------------------------------- */

static char *gen_path(const char *path, const char *suffix) {
    char *s = malloc(strlen(path) + strlen(suffix) + 1);
    cr_assert_not_null(s);
    strcpy(s, path);
    strcat(s, suffix);
    return s;
}

Test(reload, generation_files_newest_wins) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    PUBLISH(path, { "a.txt", "base" });
    recorder rec;
    recorder_init(&rec);
    zc_live_pack *live;
    cr_assert_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .files = ZC_LIVE_FILES_GENERATIONS,
                                                     .on_change = record, .user_data = &rec }),
                 ZC_OK);
    char *text = current_text(live, "a.txt");
    cr_expect_str_eq(text, "base", "no generation file yet: the path itself");
    free(text);

    char *g1 = gen_path(path, ".gen-1"), *g3 = gen_path(path, ".gen-3");
    PUBLISH(g1, { "a.txt", "one" });
    cr_assert_eq(zc_live_poll(live, NULL), ZC_OK);
    text = current_text(live, "a.txt");
    cr_expect_str_eq(text, "one");
    free(text);

    /* Names that are not generation files are ignored, whatever their number. */
    const char *decoys[] = { ".gen-05", ".gen-12a", ".gen-", ".gen-99999999999999999999", ".tmp-7" };
    for (size_t i = 0; i < sizeof decoys / sizeof decoys[0]; ++i) {
        char *d = gen_path(path, decoys[i]);
        PUBLISH(d, { "a.txt", "decoy" });
        free(d);
    }
    char *other = zct_join(zct_tmp, "other.zcpack.gen-50");
    PUBLISH(other, { "a.txt", "decoy" });
    PUBLISH(g3, { "a.txt", "three" });
    cr_assert_eq(zc_live_poll(live, NULL), ZC_OK);
    text = current_text(live, "a.txt");
    cr_expect_str_eq(text, "three");
    free(text);
    cr_expect_eq(rec.events, 2);
    cr_expect_eq(zc_live_generation(live), 3u);

    /* The writer deletes old generation files once nobody maps them. */
    cr_expect_eq(unlink(g1), 0);
    cr_assert_eq(zc_live_poll(live, NULL), ZC_OK);
    cr_expect_eq(zc_live_generation(live), 3u);
    zc_live_close(live);
    free(g1);
    free(g3);
    free(other);
    free(path);
}

/* ---------------------------------------------------------------------------------
 * The watcher (libuv): each save style converges on the last version
 * ------------------------------------------------------------------------------- */

static zc_live_pack *open_watching(const char *path, recorder *rec, uint32_t poll_ms, zc_live_files files) {
    zc_live_pack *live;
    cr_assert_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .watch = 1, .poll_interval_ms = poll_ms,
                                                     .files = files, .on_change = record, .user_data = rec }),
                 ZC_OK);
    zc_live_stats s = zctl_stats(live);
    cr_expect_eq(s.watching, 1);
    return live;
}

Test(reload, watcher_sees_rename_saves) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    PUBLISH(path, { "a.txt", "v1" }, { "b.txt", "same" });
    recorder rec;
    recorder_init(&rec);
    /* A long poll interval: the notification alone must bring the change. */
    zc_live_pack *live = open_watching(path, &rec, 60000, ZC_LIVE_FILES_DEFAULT);
    cr_expect_eq(zctl_stats(live).notifications, 1);
    PUBLISH(path, { "a.txt", "v2" }, { "b.txt", "same" });
    cr_expect(wait_for_text(live, "a.txt", "v2", 5000), "the notification brought generation 2");
    cr_expect_eq(recorded_events(&rec), 1);
    cr_expect_eq(rec.count, 1u);
    cr_expect_str_eq(rec.paths[0], "a.txt");
    zc_live_close(live);
    free(path);
}

Test(reload, watcher_sees_delete_and_create_saves) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    char *side = zct_join(zct_tmp, "side.zcpack");
    PUBLISH(path, { "a.txt", "v1" });
    recorder rec;
    recorder_init(&rec);
    zct_log log = { 0 };
    zc_live_pack *live;
    cr_assert_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .watch = 1, .poll_interval_ms = 60000,
                                                     .on_change = record, .user_data = &rec,
                                                     .logger = zct_log_recorder(&log) }),
                 ZC_OK);
    for (int round = 2; round <= 4; ++round) {
        char text[16];
        snprintf(text, sizeof text, "v%d", round);
        PUBLISH(side, { "a.txt", text });
        size_t size;
        uint8_t *bytes = zct_read_file(side, &size);
        cr_assert_not_null(bytes);
        /* Delete, then create and write in small pieces, as some editors save: the
         * watcher sees the missing file and the half-written one, and refuses both. */
        cr_assert_eq(unlink(path), 0);
        zct_sleep_ms(5);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        cr_assert_geq(fd, 0);
        for (size_t at = 0; at < size; at += 40) {
            size_t n = size - at < 40 ? size - at : 40;
            cr_assert_eq(write(fd, bytes + at, n), (ssize_t)n);
            zct_sleep_ms(1);
        }
        close(fd);
        free(bytes);
        cr_expect(wait_for_text(live, "a.txt", text, 5000), "round %d converged", round);
    }
    cr_expect_eq(zc_live_generation(live), 4u);
    zc_live_close(live);
    free(path);
    free(side);
}

Test(reload, watcher_converges_after_a_burst_of_saves) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    PUBLISH(path, { "a.txt", "v0" });
    recorder rec;
    recorder_init(&rec);
    zc_live_pack *live = open_watching(path, &rec, 60000, ZC_LIVE_FILES_DEFAULT);
    char text[16] = "";
    for (int i = 1; i <= 200; ++i) {
        snprintf(text, sizeof text, "v%d", i);
        PUBLISH(path, { "a.txt", text });
    }
    cr_expect(wait_for_text(live, "a.txt", "v200", 5000));
    int events = recorded_events(&rec);
    cr_expect_geq(events, 1);
    cr_expect_leq(events, 200);
    zc_live_stats s = zctl_stats(live);
    cr_expect_eq(s.failures, 0u, "rename saves are never seen half-written");
    zc_live_close(live);
    free(path);
}

Test(reload, the_stat_poll_catches_what_notifications_miss) {
    /* The live pack's path is a symbolic link into another directory: the watched
     * directory never hears about saves there, so only the poll can see them. */
    char *real_dir = zct_join(zct_tmp, "build");
    char *link_dir = zct_join(zct_tmp, "game");
    zct_mkdirs(real_dir);
    zct_mkdirs(link_dir);
    char *real = zct_join(real_dir, "assets.zcpack");
    char *link = zct_join(link_dir, "assets.zcpack");
    PUBLISH(real, { "a.txt", "v1" });
    cr_assert_eq(symlink(real, link), 0);
    recorder rec;
    recorder_init(&rec);
    zc_live_pack *live = open_watching(link, &rec, 20, ZC_LIVE_FILES_DEFAULT);
    PUBLISH(real, { "a.txt", "v2" });
    cr_expect(wait_for_text(live, "a.txt", "v2", 5000));
    cr_expect_eq(recorded_events(&rec), 1);
    zc_live_close(live);
    free(real_dir);
    free(link_dir);
    free(real);
    free(link);
}

Test(reload, watcher_follows_generation_files) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    char *g1 = gen_path(path, ".gen-1"), *g2 = gen_path(path, ".gen-2");
    PUBLISH(g1, { "a.txt", "one" });
    recorder rec;
    recorder_init(&rec);
    zc_live_pack *live = open_watching(path, &rec, 60000, ZC_LIVE_FILES_GENERATIONS);
    char *text = current_text(live, "a.txt");
    cr_expect_str_eq(text, "one");
    free(text);
    PUBLISH(g2, { "a.txt", "two" });
    cr_expect(wait_for_text(live, "a.txt", "two", 5000));
    cr_expect_eq(recorded_events(&rec), 1);
    zc_live_close(live);
    free(g1);
    free(g2);
    free(path);
}

Test(reload, watcher_retries_a_deferred_reload_when_a_ref_is_released) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    PUBLISH(path, { "a.txt", "v1" });
    recorder rec;
    recorder_init(&rec);
    zc_live_pack *live;
    cr_assert_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .watch = 1, .poll_interval_ms = 60000,
                                                     .max_generations = 2, .on_change = record,
                                                     .user_data = &rec }),
                 ZC_OK);
    zc_live_view v1;
    cr_assert_eq(zc_live_acquire(live, &v1), ZC_OK);
    PUBLISH(path, { "a.txt", "v2" });
    cr_expect(wait_for_text(live, "a.txt", "v2", 5000));
    zc_live_view v2;
    cr_assert_eq(zc_live_acquire(live, &v2), ZC_OK);
    cr_assert_eq(zc_live_release(live, v1.ref), ZC_OK);
    zc_live_view keep;
    cr_assert_eq(zc_live_acquire(live, &keep), ZC_OK); /* pins 2 again */
    cr_assert_eq(zc_live_release(live, v2.ref), ZC_OK);
    PUBLISH(path, { "a.txt", "v3" }); /* 2 pinned and current: room for nothing else? */
    cr_expect(wait_for_text(live, "a.txt", "v3", 5000), "2 is current, so 3 fits beside it");
    PUBLISH(path, { "a.txt", "v4" }); /* 2 pinned, 3 current: 4 must wait */
    uint64_t end = zct_now_ns() + 3000000000u;
    while (zctl_stats(live).deferrals == 0 && zct_now_ns() < end) zct_sleep_ms(2);
    cr_expect_geq(zctl_stats(live).deferrals, 1u);
    char *text = current_text(live, "a.txt");
    cr_expect_str_eq(text, "v3");
    free(text);
    cr_assert_eq(zc_live_release(live, keep.ref), ZC_OK); /* wakes the watcher */
    cr_expect(wait_for_text(live, "a.txt", "v4", 5000), "the release brought the deferred reload");
    zc_live_close(live);
    free(path);
}

Test(reload, descriptors_and_mappings_return_to_baseline) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    PUBLISH(path, { "a.txt", "v0" });
    zctl_warm_up_libuv(path);
    int fds = zct_count_fds();
    for (int i = 1; i <= 10; ++i) {
        recorder rec;
        recorder_init(&rec);
        zc_live_pack *live = open_watching(path, &rec, 10, ZC_LIVE_FILES_DEFAULT);
        char text[16];
        snprintf(text, sizeof text, "v%d", i);
        PUBLISH(path, { "a.txt", text });
        cr_expect(wait_for_text(live, "a.txt", text, 5000));
        zc_live_close(live);
        cr_expect_eq(zct_count_fds(), fds, "round %d", i);
        cr_expect_eq(zct_count_maps_under(zct_tmp), 0, "round %d", i);
    }
    free(path);
}

/* ---------------------------------------------------------------------------------
 * Validation work of a generation
 * ------------------------------------------------------------------------------- */

/* 64 records sharing one zstd frame of 1 MiB bytes `fill`, published at `path`. */
static void publish_shared_frame(const char *path, int fill) {
    enum { RECORDS = 64 };
    const size_t raw = (size_t)1 << 20;
    uint8_t *bytes = malloc(raw);
    cr_assert_not_null(bytes);
    memset(bytes, fill, raw);
    zct_blob blobs[RECORDS];
    char names[RECORDS][32];
    for (int i = 0; i < RECORDS; ++i) {
        snprintf(names[i], sizeof names[i], "bomb/%02d.bin", i);
        blobs[i] = (zct_blob){ names[i], bytes, raw, 0, NULL };
    }
    cr_assert_eq(zct_write_compressed_pack(path, blobs, RECORDS), ZC_OK);
    free(bytes);
}

Test(reload, generations_decode_a_shared_frame_once) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    publish_shared_frame(path, 0);
    zct_big_allocs big = { .at_least = (size_t)1 << 20 };
    zc_live_pack *live;
    cr_assert_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .allocator = zct_big_alloc_counter(&big) }),
                 ZC_OK);
    cr_expect_eq(big.count, 1, "the first generation decoded %ld frames, want 1", big.count);
    big.count = 0;
    publish_shared_frame(path, 1);
    uint32_t generation = 0;
    cr_assert_eq(zc_live_poll(live, &generation), ZC_OK);
    cr_expect_eq(generation, 2u);
    cr_expect_eq(big.count, 1, "the reload decoded %ld frames, want 1", big.count);
    zc_live_close(live);
    free(path);
}

#endif /* ZC_EDITOR */
