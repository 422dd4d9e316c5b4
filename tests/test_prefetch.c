/* test_prefetch.c - the asynchronous prefetcher (zc_pack.h, "Asynchronous prefetch on
 * libuv") on real packs written with the writer and real libuv loops: a loop the test
 * owns and runs (engine mode) and the prefetcher's own loop thread. Callbacks are
 * counted per request; dependency expansion is observed through the prefetcher's
 * internal counters and through page-cache residency (mincore) after the pack's pages
 * were dropped with posix_fadvise(DONTNEED), and through the cache statistics for
 * compressed dependencies (written by the writer's zstd policy); cancellation, priority
 * order, invalid arguments, an entry error among good entries, mount tables, destroy
 * with work in flight, and a stress run of 1000 requests from 4 threads (meant for the
 * sanitizer build too); typed references of schema entries followed as dependencies.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "zc_pack.h"
#include "zc_exit.h"
#include "zc_test_util.h"

/* Internal counters of runtime/zc_prefetch.c: entries paged in or decoded without
 * error since create, and their bytes. */
void zc__prefetcher_counters(zc_prefetcher *prefetcher, uint64_t *out_entries, uint64_t *out_bytes);
/* Reads completed: one per span of neighbouring uncompressed entries or per single entry. */
uint64_t zc__prefetcher_reads(zc_prefetcher *prefetcher);

/* ---------------------------------------------------------------------------------
 * The pack: a scene-like dependency graph with a diamond, a cycle and a dangling
 * reference, an unrelated entry written before it (between two gaps, so neither the
 * reads of the header nor those of the graph reach it), and one big entry for requests
 * that take a while.
 *
 *   scene.bin -> mesh_a.bin, mesh_b.bin, absent/texture.png (in no pack)
 *   mesh_a.bin -> mat.bin;  mesh_b.bin -> mat.bin;  mat.bin -> tex.bin;  tex.bin -> scene.bin
 * ------------------------------------------------------------------------------- */

#define KIB 1024u
#define MIB (1024u * 1024u)
#define BIG_SIZE (16u * MIB)
#define GRAPH_ENTRIES 5u
#define GRAPH_BYTES ((64u + 128u + 96u + 32u + 192u) * KIB)

static const char *const scene_deps[] = { "mesh_a.bin", "mesh_b.bin", "absent/texture.png", NULL };
static const char *const mesh_deps[] = { "mat.bin", NULL };
static const char *const mat_deps[] = { "tex.bin", NULL };
static const char *const tex_deps[] = { "scene.bin", NULL };

typedef struct entry_spec {
    const char *path;
    size_t size;
    const char *const *deps;
} entry_spec;

static const entry_spec specs[] = {
    { "pad.bin", 2 * MIB, NULL },
    { "other.bin", 256 * KIB, NULL },
    { "gap.bin", 1 * MIB, NULL },
    { "scene.bin", 64 * KIB, scene_deps },
    { "mesh_a.bin", 128 * KIB, mesh_deps },
    { "mesh_b.bin", 96 * KIB, mesh_deps },
    { "mat.bin", 32 * KIB, mat_deps },
    { "tex.bin", 192 * KIB, tex_deps },
    { "big.bin", BIG_SIZE, NULL },
};
#define SPEC_COUNT (sizeof specs / sizeof specs[0])
static const char *const graph_paths[GRAPH_ENTRIES] = { "scene.bin", "mesh_a.bin", "mesh_b.bin", "mat.bin", "tex.bin" };

static char *pack_path;

static void write_pack(const char *path, const entry_spec *list, size_t count, uint64_t seed) {
    zct_blob blobs[16];
    void *buffers[16];
    cr_assert_leq(count, 16);
    for (size_t i = 0; i < count; ++i) {
        buffers[i] = malloc(list[i].size);
        cr_assert_not_null(buffers[i]);
        zct_fill(buffers[i], list[i].size, seed + i);
        blobs[i] = (zct_blob){ list[i].path, buffers[i], list[i].size, 12, list[i].deps };
    }
    zc_result r = zct_write_pack(path, blobs, count);
    for (size_t i = 0; i < count; ++i) free(buffers[i]);
    cr_assert_eq(r, ZC_OK, "writing %s: %s", path, zc_result_name(r));
}

static void setup(void) {
    zct_tmp_setup();
    pack_path = zct_tmp_path("graph.zcpack");
    write_pack(pack_path, specs, SPEC_COUNT, 100);
}

static void teardown(void) {
    free(pack_path);
    zct_tmp_teardown();
}

TestSuite(prefetch, .init = setup, .fini = teardown, .timeout = 120);

static zc_pack *open_pack(const char *path) {
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = path });
    cr_assert_eq(r, ZC_OK, "zc_pack_open %s: %s", path, zc_result_name(r));
    return pack;
}

static uint64_t id_of(const char *path) { return zc_asset_id(path, strlen(path)); }

static uint64_t counted_entries(zc_prefetcher *pf) {
    uint64_t entries = 0;
    zc__prefetcher_counters(pf, &entries, NULL);
    return entries;
}

/* ---------------------------------------------------------------------------------
 * Callback records
 * ------------------------------------------------------------------------------- */

#define MAX_CALLS 256

/* Engine mode: everything runs on the test thread, no locking needed. */
typedef struct record {
    int count;
    uint64_t request[MAX_CALLS];
    zc_result status[MAX_CALLS];
    int thread_ok;              /* every callback ran on the creating thread */
    pthread_t expected_thread;
} record;

static void record_init(record *rec) {
    memset(rec, 0, sizeof *rec);
    rec->thread_ok = 1;
    rec->expected_thread = pthread_self();
}

static void record_cb(uint64_t request, zc_result status, void *user_data) {
    record *rec = (record *)user_data;
    if (!pthread_equal(pthread_self(), rec->expected_thread)) rec->thread_ok = 0;
    if (rec->count < MAX_CALLS) {
        rec->request[rec->count] = request;
        rec->status[rec->count] = status;
    }
    rec->count++;
}

/* Calls recorded for one request id. */
static int record_calls(const record *rec, uint64_t request, zc_result *out_status) {
    int calls = 0;
    for (int i = 0; i < rec->count && i < MAX_CALLS; ++i) {
        if (rec->request[i] != request) continue;
        calls++;
        if (out_status) *out_status = rec->status[i];
    }
    return calls;
}

static uint64_t submit(zc_prefetcher *pf, const zc_prefetch_args *args) {
    uint64_t id = 0;
    zc_result r = zc_prefetch(pf, args, &id);
    cr_assert_eq(r, ZC_OK, "zc_prefetch: %s", zc_result_name(r));
    cr_assert_neq(id, 0);
    return id;
}

static uint64_t submit_path(zc_prefetcher *pf, const char *path, int32_t priority, int no_deps, record *rec) {
    const char *paths[1] = { path };
    return submit(pf, &(zc_prefetch_args){ .paths = paths, .path_count = 1, .priority = priority,
                                           .no_deps = no_deps, .cb = record_cb, .user_data = rec });
}

/* ---------------------------------------------------------------------------------
 * Engine loop helpers
 * ------------------------------------------------------------------------------- */

static zc_prefetcher *engine_create(uv_loop_t *loop, zc_pack *pack, zc_mounts *mounts, uint32_t in_flight) {
    zc_prefetcher *pf = NULL;
    zc_result r = zc_prefetcher_create(&pf, &(zc_prefetch_desc){ .pack = pack, .mounts = mounts, .loop = loop,
                                                                 .max_in_flight = in_flight });
    cr_assert_eq(r, ZC_OK, "zc_prefetcher_create: %s", zc_result_name(r));
    cr_assert_not_null(pf);
    return pf;
}

/* Destroy, let the loop free what libuv still refers to, and close the loop: it must
 * hold no handle or request of the prefetcher any more. */
static void engine_finish(zc_prefetcher *pf, uv_loop_t *loop) {
    zc_prefetcher_destroy(pf);
    uv_run(loop, UV_RUN_DEFAULT);
    cr_assert_eq(uv_loop_close(loop), 0, "the loop still has handles or requests after destroy");
}

/* ---------------------------------------------------------------------------------
 * Page-cache residency
 * ------------------------------------------------------------------------------- */

/* Write back and drop the file's pages from the page cache (they must not be mapped
 * by anyone). */
static void drop_file_pages(const char *path) {
    int fd = open(path, O_RDONLY);
    cr_assert_geq(fd, 0);
    cr_assert_eq(fsync(fd), 0);
    cr_assert_eq(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
    close(fd);
}

/* Resident pages of the range / its pages, from mincore on the pack's mapping. */
static double resident_share(const void *data, uint64_t size) {
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t start = (uintptr_t)data & ~(uintptr_t)(page - 1);
    uintptr_t end = ((uintptr_t)data + size + (uintptr_t)page - 1) & ~(uintptr_t)(page - 1);
    size_t pages = (end - start) / (size_t)page;
    unsigned char *vec = malloc(pages);
    cr_assert_not_null(vec);
    cr_assert_eq(mincore((void *)start, end - start, vec), 0, "mincore: %s", strerror(errno));
    size_t resident = 0;
    for (size_t i = 0; i < pages; ++i) resident += vec[i] & 1;
    free(vec);
    return (double)resident / (double)pages;
}

static double entry_resident(zc_pack *pack, const char *path) {
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, path, &e), ZC_OK, "%s", path);
    return resident_share(e.data, e.stored_size);
}

static void assert_fully_resident(zc_pack *pack, const char *path) {
    double share = entry_resident(pack, path);
    cr_assert_eq(share, 1.0, "%s: %.2f of its pages resident after the prefetch", path, share);
}

/* ---------------------------------------------------------------------------------
 * Engine loop: callbacks and dependency expansion
 * ------------------------------------------------------------------------------- */

Test(prefetch, engine_loop_one_callback_per_request) {
    zc_pack *pack = open_pack(pack_path);
    uv_loop_t loop;
    cr_assert_eq(uv_loop_init(&loop), 0);
    zc_prefetcher *pf = engine_create(&loop, pack, NULL, 0);
    record rec;
    record_init(&rec);

    uint64_t a = submit_path(pf, "scene.bin", 0, 0, &rec);
    uint64_t b = submit(pf, &(zc_prefetch_args){ .ids = (uint64_t[]){ id_of("other.bin"), id_of("pad.bin") },
                                                 .id_count = 2, .cb = record_cb, .user_data = &rec });
    uint64_t c = submit_path(pf, "big.bin", 3, 1, &rec);
    cr_assert(a != b && b != c && a != c, "request ids are unique");
    cr_assert_eq(rec.count, 0, "no callback runs inside zc_prefetch");

    cr_assert_eq(uv_run(&loop, UV_RUN_DEFAULT), 0);
    cr_assert_eq(rec.count, 3, "three requests, three callbacks (got %d)", rec.count);
    zc_result status;
    cr_assert_eq(record_calls(&rec, a, &status), 1);
    cr_assert_eq(status, ZC_OK);
    cr_assert_eq(record_calls(&rec, b, &status), 1);
    cr_assert_eq(status, ZC_OK);
    cr_assert_eq(record_calls(&rec, c, &status), 1);
    cr_assert_eq(status, ZC_OK);
    cr_assert(rec.thread_ok, "callbacks run on the loop's thread");

    uint64_t entries = 0, bytes = 0;
    zc__prefetcher_counters(pf, &entries, &bytes);
    cr_assert_eq(entries, GRAPH_ENTRIES + 2 + 1, "graph closure + 2 ids + big (got %llu)", (unsigned long long)entries);
    cr_assert_eq(bytes, GRAPH_BYTES + 256 * KIB + 2 * MIB + BIG_SIZE);

    /* Running the loop again changes nothing: every callback ran exactly once. */
    uv_run(&loop, UV_RUN_NOWAIT);
    cr_assert_eq(rec.count, 3);
    engine_finish(pf, &loop);
    cr_assert_eq(rec.count, 3, "destroy after completion calls nothing again");
    zc_pack_close(pack);
}

Test(prefetch, dependency_closure_each_entry_once) {
    zc_pack *pack = open_pack(pack_path);
    uv_loop_t loop;
    cr_assert_eq(uv_loop_init(&loop), 0);
    zc_prefetcher *pf = engine_create(&loop, pack, NULL, 2);
    record rec;
    record_init(&rec);

    /* The cycle tex -> scene -> ... -> tex and the diamond through mat.bin: each entry once. */
    submit_path(pf, "mat.bin", 0, 0, &rec);
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(rec.count, 1);
    cr_assert_eq(rec.status[0], ZC_OK, "a dangling dependency is skipped: %s", zc_result_name(rec.status[0]));
    cr_assert_eq(counted_entries(pf), GRAPH_ENTRIES);

    /* Without dependencies: only the named entry. */
    submit_path(pf, "scene.bin", 0, 1, &rec);
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(rec.count, 2);
    cr_assert_eq(counted_entries(pf), GRAPH_ENTRIES + 1);

    /* A name given twice (by path and by id) and a dependency also named: still once. */
    const char *paths[] = { "mesh_b.bin", "mat.bin" };
    submit(pf, &(zc_prefetch_args){ .ids = (uint64_t[]){ id_of("mesh_b.bin"), id_of("tex.bin") }, .id_count = 2,
                                    .paths = paths, .path_count = 2, .cb = record_cb, .user_data = &rec });
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(rec.count, 3);
    cr_assert_eq(counted_entries(pf), 2 * GRAPH_ENTRIES + 1);
    engine_finish(pf, &loop);
    zc_pack_close(pack);
}

Test(prefetch, dependencies_are_paged_in) {
    /* Open first: the faults on the header and the TOC read ahead around them. Then drop
     * every page nobody has mapped. */
    zc_pack *pack = open_pack(pack_path);
    drop_file_pages(pack_path);
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
    cr_assert(info.mapped, "the pack must be mapped for this test");
    double before = 0;
    for (unsigned i = 0; i < GRAPH_ENTRIES; ++i) before += entry_resident(pack, graph_paths[i]);
    if (before > 0.5)
        zct_skip_test("posix_fadvise(DONTNEED) left the pages resident on this file system (%.2f)", before);
    cr_assert_lt(entry_resident(pack, "other.bin"), 0.01);

    uv_loop_t loop;
    cr_assert_eq(uv_loop_init(&loop), 0);
    zc_prefetcher *pf = engine_create(&loop, pack, NULL, 0);
    record rec;
    record_init(&rec);
    submit_path(pf, "scene.bin", 0, 0, &rec);
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(rec.count, 1);
    cr_assert_eq(rec.status[0], ZC_OK);
    for (unsigned i = 0; i < GRAPH_ENTRIES; ++i) assert_fully_resident(pack, graph_paths[i]);
    cr_assert_lt(entry_resident(pack, "other.bin"), 0.01, "an entry outside the closure stays on disk");
    engine_finish(pf, &loop);
    zc_pack_close(pack);
}

/* The prefetcher keeps its own reference: the pack may be closed right after create. */
Test(prefetch, keeps_the_pack_alive) {
    zc_pack *pack = open_pack(pack_path);
    uv_loop_t loop;
    cr_assert_eq(uv_loop_init(&loop), 0);
    zc_prefetcher *pf = engine_create(&loop, pack, NULL, 0);
    zc_pack_close(pack);
    record rec;
    record_init(&rec);
    submit_path(pf, "tex.bin", 0, 0, &rec);
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(rec.count, 1);
    cr_assert_eq(rec.status[0], ZC_OK);
    cr_assert_eq(counted_entries(pf), GRAPH_ENTRIES);
    engine_finish(pf, &loop); /* frees the pack: LeakSanitizer checks in the teardown */
}

/* ---------------------------------------------------------------------------------
 * Cancellation and priorities (engine loop with one entry in flight: the first
 * request starts inside zc_prefetch, and nothing completes before uv_run)
 * ------------------------------------------------------------------------------- */

Test(prefetch, cancel_queued_request_while_big_one_runs) {
    zc_pack *pack = open_pack(pack_path);
    uv_loop_t loop;
    cr_assert_eq(uv_loop_init(&loop), 0);
    zc_prefetcher *pf = engine_create(&loop, pack, NULL, 1);
    record rec;
    record_init(&rec);

    uint64_t big = submit_path(pf, "big.bin", 0, 1, &rec);
    uint64_t low = submit_path(pf, "scene.bin", -5, 0, &rec);
    cr_assert_eq(zc_prefetch_cancel(pf, low), ZC_OK);
    cr_assert_eq(rec.count, 0, "the cancel callback never runs inside zc_prefetch_cancel");
    cr_assert_eq(zc_prefetch_cancel(pf, low), ZC_OK, "canceling again while the callback is owed");
    cr_assert_eq(zc_prefetch_cancel(pf, 987654), ZC_ERR_NO_ENTRY, "an id never handed out");

    uv_run(&loop, UV_RUN_DEFAULT);
    zc_result status;
    cr_assert_eq(record_calls(&rec, low, &status), 1);
    cr_assert_eq(status, ZC_ERR_CANCELED, "got %s", zc_result_name(status));
    cr_assert_eq(record_calls(&rec, big, &status), 1);
    cr_assert_eq(status, ZC_OK);
    cr_assert_eq(rec.count, 2);
    cr_assert_eq(counted_entries(pf), 1, "none of the canceled request's entries ran");

    cr_assert_eq(zc_prefetch_cancel(pf, big), ZC_ERR_NO_ENTRY, "a finished request cannot be canceled");
    cr_assert_eq(zc_prefetch_cancel(pf, low), ZC_ERR_NO_ENTRY, "nor one whose cancel callback ran");
    engine_finish(pf, &loop);
    zc_pack_close(pack);
}

/* Entries of the pack none of which neighbours another (an unrequested entry of at
 * least 64 KiB lies between any two), in file order. */
static const char *const apart_paths[] = { "pad.bin", "gap.bin", "mesh_a.bin", "tex.bin" };
#define APART_COUNT 4u

Test(prefetch, cancel_running_request_drops_the_rest) {
    zc_pack *pack = open_pack(pack_path);
    uv_loop_t loop;
    cr_assert_eq(uv_loop_init(&loop), 0);
    zc_prefetcher *pf = engine_create(&loop, pack, NULL, 1);
    record rec;
    record_init(&rec);

    /* Four reads (no two entries are neighbours); the first (pad.bin, first in the file)
     * is on the thread pool as soon as zc_prefetch returns. */
    uint64_t id = submit(pf, &(zc_prefetch_args){ .paths = apart_paths, .path_count = APART_COUNT, .no_deps = 1,
                                                  .cb = record_cb, .user_data = &rec });
    cr_assert_eq(zc_prefetch_cancel(pf, id), ZC_OK);
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(rec.count, 1);
    cr_assert_eq(rec.request[0], id);
    cr_assert_eq(rec.status[0], ZC_ERR_CANCELED, "the running entry finished, the request reports CANCELED");
    cr_assert_eq(counted_entries(pf), 1, "the running entry finishes, the three queued ones are dropped");
    cr_assert_eq(zc__prefetcher_reads(pf), 1);
    uint64_t bytes = 0;
    zc__prefetcher_counters(pf, NULL, &bytes);
    cr_assert_eq(bytes, 2 * MIB, "the read that ran is pad.bin's, the first in the file");
    engine_finish(pf, &loop);
    zc_pack_close(pack);
}

/* ---------------------------------------------------------------------------------
 * Coalescing and read-ahead
 * ------------------------------------------------------------------------------- */

/* The graph's five entries lie side by side in the file: one read serves them all;
 * entries apart from each other get one read each. */
Test(prefetch, neighbouring_entries_share_one_read) {
    zc_pack *pack = open_pack(pack_path);
    uv_loop_t loop;
    cr_assert_eq(uv_loop_init(&loop), 0);
    zc_prefetcher *pf = engine_create(&loop, pack, NULL, 0);
    record rec;
    record_init(&rec);

    submit_path(pf, "scene.bin", 0, 0, &rec); /* the closure: all five graph entries */
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(rec.count, 1);
    cr_assert_eq(rec.status[0], ZC_OK);
    uint64_t entries = 0, bytes = 0;
    zc__prefetcher_counters(pf, &entries, &bytes);
    cr_assert_eq(entries, GRAPH_ENTRIES);
    cr_assert_eq(bytes, GRAPH_BYTES);
    cr_assert_eq(zc__prefetcher_reads(pf), 1, "five neighbours, one read (got %llu)",
                 (unsigned long long)zc__prefetcher_reads(pf));

    submit(pf, &(zc_prefetch_args){ .paths = apart_paths, .path_count = APART_COUNT, .no_deps = 1,
                                    .cb = record_cb, .user_data = &rec });
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(rec.count, 2);
    cr_assert_eq(rec.status[1], ZC_OK);
    cr_assert_eq(counted_entries(pf), GRAPH_ENTRIES + APART_COUNT);
    cr_assert_eq(zc__prefetcher_reads(pf), 1 + APART_COUNT, "entries apart are read apart");

    /* big.bin (16 MiB) follows tex.bin but a span of several entries stays within 2 MiB:
     * tex.bin joins mat.bin's span, big.bin is read alone. */
    const char *paths[] = { "big.bin", "mat.bin", "tex.bin" };
    submit(pf, &(zc_prefetch_args){ .paths = paths, .path_count = 3, .no_deps = 1, .cb = record_cb,
                                    .user_data = &rec });
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(rec.count, 3);
    cr_assert_eq(rec.status[2], ZC_OK);
    cr_assert_eq(counted_entries(pf), GRAPH_ENTRIES + APART_COUNT + 3);
    cr_assert_eq(zc__prefetcher_reads(pf), 1 + APART_COUNT + 2);
    engine_finish(pf, &loop);
    zc_pack_close(pack);
}

/* After a coalesced prefetch from a cold cache, every page of every entry is resident
 * and the bytes the pack hands out are the file's bytes at the entry's offset. */
static void check_entries_match_file(zc_pack *pack, const char *path) {
    size_t size = 0;
    uint8_t *file = zct_read_file(path, &size);
    cr_assert_not_null(file);
    for (size_t i = 0; i < SPEC_COUNT; ++i) {
        zc_hold hold;
        cr_assert_eq(zc_pack_get(pack, specs[i].path, &hold), ZC_OK, "%s", specs[i].path);
        cr_assert_eq(hold.size, specs[i].size);
        cr_assert_leq(hold.entry.offset + hold.size, size);
        cr_assert(memcmp(hold.data, file + hold.entry.offset, hold.size) == 0, "%s: bytes differ from the file",
                  specs[i].path);
        zc_hold_release(&hold);
    }
    free(file);
}

Test(prefetch, coalesced_reads_deliver_the_pack_bytes) {
    zc_pack *pack = open_pack(pack_path);
    drop_file_pages(pack_path);
    uv_loop_t loop;
    cr_assert_eq(uv_loop_init(&loop), 0);
    zc_prefetcher *pf = engine_create(&loop, pack, NULL, 2);
    record rec;
    record_init(&rec);
    const char *paths[SPEC_COUNT];
    for (size_t i = 0; i < SPEC_COUNT; ++i) paths[SPEC_COUNT - 1 - i] = specs[i].path; /* reverse file order */
    submit(pf, &(zc_prefetch_args){ .paths = paths, .path_count = (uint32_t)SPEC_COUNT, .no_deps = 1,
                                    .cb = record_cb, .user_data = &rec });
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(rec.count, 1);
    cr_assert_eq(rec.status[0], ZC_OK);
    cr_assert_eq(counted_entries(pf), SPEC_COUNT);
    cr_assert_lt(zc__prefetcher_reads(pf), SPEC_COUNT, "neighbours were coalesced");
    for (size_t i = 0; i < SPEC_COUNT; ++i) assert_fully_resident(pack, specs[i].path);
    check_entries_match_file(pack, pack_path);
    engine_finish(pf, &loop);
    zc_pack_close(pack);
}

/* A pack read into memory (no mapping): nothing to hint or populate, the same reads. */
Test(prefetch, pack_read_into_memory) {
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = pack_path, .load = ZC_LOAD_READ }), ZC_OK);
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
    cr_assert(!info.mapped);
    uv_loop_t loop;
    cr_assert_eq(uv_loop_init(&loop), 0);
    zc_prefetcher *pf = engine_create(&loop, pack, NULL, 0);
    record rec;
    record_init(&rec);
    submit_path(pf, "scene.bin", 0, 0, &rec);
    submit(pf, &(zc_prefetch_args){ .paths = apart_paths, .path_count = APART_COUNT, .no_deps = 1,
                                    .cb = record_cb, .user_data = &rec });
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(rec.count, 2);
    cr_assert_eq(rec.status[0], ZC_OK);
    cr_assert_eq(rec.status[1], ZC_OK);
    cr_assert_eq(counted_entries(pf), GRAPH_ENTRIES + APART_COUNT);
    cr_assert_eq(zc__prefetcher_reads(pf), 1 + APART_COUNT);
    check_entries_match_file(pack, pack_path);
    engine_finish(pf, &loop);
    zc_pack_close(pack);
}

/* zc_prefetch hints the request's ranges before it returns (mincore counts a page
 * whose read is under way): with one read in flight and the loop never run, far.bin,
 * 16 MiB away from anything else the request or the open reads, is on its way in.
 * Under other I/O the kernel may queue the hinted read a little later, so the test
 * waits up to a second for the pages, still without running the loop: nothing but
 * the hint can bring them in. */
Test(prefetch, read_ahead_starts_inside_zc_prefetch) {
    static const entry_spec far_specs[] = {
        { "lead.bin", 16 * KIB, NULL }, { "fill1.bin", 16 * MIB, NULL }, { "far.bin", 64 * KIB, NULL },
        { "fill2.bin", 16 * MIB, NULL }, { "last.bin", 32 * KIB, NULL },
    };
    char *path = zct_join(zct_tmp, "far.zcpack");
    write_pack(path, far_specs, 5, 7);
    zc_pack *pack = open_pack(path);
    drop_file_pages(path);
    if (entry_resident(pack, "far.bin") > 0.5)
        zct_skip_test("posix_fadvise(DONTNEED) left the pages resident on this file system");
    uv_loop_t loop;
    cr_assert_eq(uv_loop_init(&loop), 0);
    zc_prefetcher *pf = engine_create(&loop, pack, NULL, 1);
    record rec;
    record_init(&rec);
    const char *paths[] = { "last.bin", "far.bin", "lead.bin" };
    submit(pf, &(zc_prefetch_args){ .paths = paths, .path_count = 3, .no_deps = 1, .cb = record_cb,
                                    .user_data = &rec });
    double far = entry_resident(pack, "far.bin");
    for (int wait = 0; wait < 100 && far < 1.0; ++wait) {
        zct_sleep_ms(10);
        far = entry_resident(pack, "far.bin");
    }
    cr_assert_eq(far, 1.0, "far.bin is being read once zc_prefetch returns (%.2f of its pages)", far);
    double beside = entry_resident(pack, "fill1.bin") + entry_resident(pack, "fill2.bin");
    cr_assert_lt(beside, 0.5, "the entries around it are not read (%.2f)", beside);
    cr_assert_eq(rec.count, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(rec.count, 1);
    cr_assert_eq(rec.status[0], ZC_OK);
    cr_assert_eq(zc__prefetcher_reads(pf), 3);
    engine_finish(pf, &loop);
    zc_pack_close(pack);
    free(path);
}

Test(prefetch, higher_priority_runs_first) {
    zc_pack *pack = open_pack(pack_path);
    uv_loop_t loop;
    cr_assert_eq(uv_loop_init(&loop), 0);
    zc_prefetcher *pf = engine_create(&loop, pack, NULL, 1);
    record rec;
    record_init(&rec);

    uint64_t first = submit_path(pf, "big.bin", 0, 1, &rec);   /* starts at once */
    uint64_t low = submit_path(pf, "other.bin", 0, 1, &rec);
    uint64_t mid = submit_path(pf, "mat.bin", 1, 0, &rec);     /* five entries at priority 1 */
    uint64_t high1 = submit_path(pf, "pad.bin", 5, 1, &rec);
    uint64_t high2 = submit_path(pf, "tex.bin", 5, 1, &rec);
    uint64_t negative = submit_path(pf, "scene.bin", -3, 1, &rec);
    uv_run(&loop, UV_RUN_DEFAULT);

    const uint64_t expected[] = { first, high1, high2, mid, low, negative };
    cr_assert_eq(rec.count, 6);
    for (int i = 0; i < 6; ++i) {
        cr_assert_eq(rec.request[i], expected[i], "completion %d: request %llu, expected %llu", i,
                     (unsigned long long)rec.request[i], (unsigned long long)expected[i]);
        cr_assert_eq(rec.status[i], ZC_OK);
    }
    engine_finish(pf, &loop);
    zc_pack_close(pack);
}

/* ---------------------------------------------------------------------------------
 * Invalid arguments: errors, no callback
 * ------------------------------------------------------------------------------- */

Test(prefetch, invalid_arguments_never_call_back) {
    zc_pack *pack = open_pack(pack_path);
    uv_loop_t loop;
    cr_assert_eq(uv_loop_init(&loop), 0);
    zct_log log;
    zc_prefetcher *pf = NULL;

    cr_assert_eq(zc_prefetcher_create(NULL, &(zc_prefetch_desc){ .pack = pack }), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_prefetcher_create(&pf, NULL), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_null(pf);
    cr_assert_eq(zc_prefetcher_create(&pf, &(zc_prefetch_desc){ .loop = &loop, .logger = zct_log_recorder(&log) }),
                 ZC_ERR_INVALID_ARGUMENT, "neither pack nor mounts");
    cr_assert(zct_log_contains(&log, "exactly one of pack and mounts"), "%s", log.messages[0]);
    zc_mounts *mounts = NULL;
    cr_assert_eq(zc_mounts_create(&mounts, NULL), ZC_OK);
    cr_assert_eq(zc_prefetcher_create(&pf, &(zc_prefetch_desc){ .pack = pack, .mounts = mounts, .loop = &loop }),
                 ZC_ERR_INVALID_ARGUMENT, "both pack and mounts");
    cr_assert_eq(zc_prefetcher_create(&pf, &(zc_prefetch_desc){ .pack = pack, .loop = &loop, .max_in_flight = 5000 }),
                 ZC_ERR_INVALID_ARGUMENT);
    cr_assert_null(pf);
    zc_mounts_destroy(mounts);

    cr_assert_eq(zc_prefetcher_create(&pf, &(zc_prefetch_desc){ .pack = pack, .loop = &loop,
                                                                .logger = zct_log_recorder(&log) }), ZC_OK);
    record rec;
    record_init(&rec);
    uint64_t id = 77;
    const char *missing[] = { "no/such/entry.bin" };
    const char *null_path[] = { NULL };
    const char *good[] = { "scene.bin" };
    struct { zc_prefetch_args args; zc_result expected; const char *logged; } cases[] = {
        { { .paths = good, .path_count = 1 }, ZC_ERR_INVALID_ARGUMENT, "cb is NULL" },
        { { .cb = record_cb, .user_data = &rec }, ZC_ERR_INVALID_ARGUMENT, "names no entry" },
        { { .id_count = 2, .cb = record_cb }, ZC_ERR_INVALID_ARGUMENT, "ids is NULL" },
        { { .path_count = 1, .cb = record_cb }, ZC_ERR_INVALID_ARGUMENT, "paths is NULL" },
        { { .paths = null_path, .path_count = 1, .cb = record_cb }, ZC_ERR_INVALID_ARGUMENT, "path in args.paths" },
        { { .paths = missing, .path_count = 1, .cb = record_cb, .user_data = &rec }, ZC_ERR_NO_ENTRY,
          "no/such/entry.bin" },
        { { .ids = (uint64_t[]){ id_of("scene.bin"), 12345 }, .id_count = 2, .cb = record_cb, .user_data = &rec },
          ZC_ERR_NO_ENTRY, "0000000000003039" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        memset(&log, 0, sizeof log);
        id = 77;
        zc_result r = zc_prefetch(pf, &cases[i].args, &id);
        cr_assert_eq(r, cases[i].expected, "case %zu: %s", i, zc_result_name(r));
        cr_assert_eq(id, 0, "case %zu: *out_request is zeroed on error", i);
        cr_assert(zct_log_contains(&log, cases[i].logged), "case %zu logs '%s': %s", i, cases[i].logged,
                  log.count ? log.messages[0] : "nothing");
    }
    cr_assert_eq(zc_prefetch(pf, NULL, &id), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_prefetch(NULL, &(zc_prefetch_args){ .paths = good, .path_count = 1, .cb = record_cb }, &id),
                 ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_prefetch_cancel(NULL, 1), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_prefetch_cancel(pf, 1), ZC_ERR_NO_ENTRY, "no request was queued");

    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(rec.count, 0, "a call that returned an error never calls back");
    cr_assert_eq(counted_entries(pf), 0, "nothing was queued");

    /* The next good request gets id 1: failed calls used no id. */
    cr_assert_eq(submit_path(pf, "scene.bin", 0, 0, &rec), 1);
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(rec.count, 1);
    engine_finish(pf, &loop);
    zc_prefetcher_destroy(NULL);
    zc_pack_close(pack);
}

/* ---------------------------------------------------------------------------------
 * Destroy
 * ------------------------------------------------------------------------------- */

Test(prefetch, engine_destroy_with_requests_in_flight) {
    zc_pack *pack = open_pack(pack_path);
    uv_loop_t loop;
    cr_assert_eq(uv_loop_init(&loop), 0);
    zc_prefetcher *pf = engine_create(&loop, pack, NULL, 2);
    record rec;
    record_init(&rec);
    uint64_t ids[20];
    for (int i = 0; i < 20; ++i) ids[i] = submit_path(pf, i % 2 ? "big.bin" : "scene.bin", i % 3, 0, &rec);
    uv_run(&loop, UV_RUN_NOWAIT);
    int before = rec.count;
    cr_assert_lt(before, 20, "some requests are still owed when destroy starts");
    zc_prefetcher_destroy(pf);
    cr_assert_eq(rec.count, 20, "every callback ran before destroy returned (%d)", rec.count);
    int canceled = 0;
    for (int i = 0; i < 20; ++i) {
        zc_result status;
        cr_assert_eq(record_calls(&rec, ids[i], &status), 1, "request %llu", (unsigned long long)ids[i]);
        cr_assert(status == ZC_OK || status == ZC_ERR_CANCELED, "%s", zc_result_name(status));
        canceled += status == ZC_ERR_CANCELED;
    }
    cr_assert_gt(canceled, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(uv_loop_close(&loop), 0, "the loop holds nothing of the prefetcher after its next run");
    cr_assert_eq(rec.count, 20);
    zc_pack_close(pack);
}

typedef struct destroy_in_cb {
    zc_prefetcher *pf;
    record rec;
    int destroyed;
} destroy_in_cb;

static void destroying_cb(uint64_t request, zc_result status, void *user_data) {
    destroy_in_cb *d = (destroy_in_cb *)user_data;
    record_cb(request, status, &d->rec);
    if (!d->destroyed) {
        d->destroyed = 1;
        zc_prefetcher_destroy(d->pf);
        cr_assert_eq(d->rec.count, 10, "the other callbacks ran inside destroy (%d)", d->rec.count);
    }
}

Test(prefetch, engine_destroy_from_a_callback) {
    zc_pack *pack = open_pack(pack_path);
    uv_loop_t loop;
    cr_assert_eq(uv_loop_init(&loop), 0);
    destroy_in_cb d;
    memset(&d, 0, sizeof d);
    record_init(&d.rec);
    d.pf = engine_create(&loop, pack, NULL, 1);
    const char *paths[] = { "tex.bin" };
    for (int i = 0; i < 10; ++i)
        submit(d.pf, &(zc_prefetch_args){ .paths = paths, .path_count = 1, .no_deps = 1, .cb = destroying_cb,
                                          .user_data = &d });
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert(d.destroyed);
    cr_assert_eq(d.rec.count, 10);
    cr_assert_eq(d.rec.status[0], ZC_OK);
    for (int i = 1; i < 10; ++i) cr_assert_eq(d.rec.status[i], ZC_ERR_CANCELED);
    cr_assert_eq(uv_loop_close(&loop), 0);
    zc_pack_close(pack);
}

/* ---------------------------------------------------------------------------------
 * Own loop thread
 * ------------------------------------------------------------------------------- */

typedef struct slot {
    atomic_int calls;
    atomic_int status;
    atomic_ullong request;      /* as passed to the callback */
    int off_caller_thread;      /* the callback ran on another thread than the test's */
    uint64_t submitted;         /* id from zc_prefetch */
    int cancel;                 /* 1: canceled right after submit */
    zc_result cancel_result;
} slot;

typedef struct tally {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int calls;
    pthread_t test_thread;
} tally;

static tally the_tally = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };

static void slot_cb(uint64_t request, zc_result status, void *user_data) {
    slot *s = (slot *)user_data;
    s->off_caller_thread = !pthread_equal(pthread_self(), the_tally.test_thread);
    atomic_store(&s->status, (int)status);
    atomic_store(&s->request, request);
    atomic_fetch_add(&s->calls, 1);
    pthread_mutex_lock(&the_tally.lock);
    the_tally.calls++;
    pthread_cond_broadcast(&the_tally.changed);
    pthread_mutex_unlock(&the_tally.lock);
}

static void tally_reset(void) {
    pthread_mutex_lock(&the_tally.lock);
    the_tally.calls = 0;
    the_tally.test_thread = pthread_self();
    pthread_mutex_unlock(&the_tally.lock);
}

static int tally_calls(void) {
    pthread_mutex_lock(&the_tally.lock);
    int n = the_tally.calls;
    pthread_mutex_unlock(&the_tally.lock);
    return n;
}

/* Wait until `n` callbacks ran (at most `seconds`). */
static void tally_wait(int n, int seconds) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += seconds;
    pthread_mutex_lock(&the_tally.lock);
    while (the_tally.calls < n) {
        if (pthread_cond_timedwait(&the_tally.changed, &the_tally.lock, &deadline) != 0) break;
    }
    int calls = the_tally.calls;
    pthread_mutex_unlock(&the_tally.lock);
    cr_assert_geq(calls, n, "waited %d s for %d callbacks, got %d", seconds, n, calls);
}

static zc_prefetcher *own_create(zc_pack *pack, zc_mounts *mounts, uint32_t in_flight) {
    zc_prefetcher *pf = NULL;
    zc_result r = zc_prefetcher_create(&pf, &(zc_prefetch_desc){ .pack = pack, .mounts = mounts,
                                                                 .max_in_flight = in_flight });
    cr_assert_eq(r, ZC_OK, "zc_prefetcher_create: %s", zc_result_name(r));
    return pf;
}

static uint64_t submit_slot(zc_prefetcher *pf, const char *path, int32_t priority, int no_deps, slot *s) {
    const char *paths[1] = { path };
    return submit(pf, &(zc_prefetch_args){ .paths = paths, .path_count = 1, .priority = priority,
                                           .no_deps = no_deps, .cb = slot_cb, .user_data = s });
}

Test(prefetch, own_loop_thread) {
    tally_reset();
    zc_pack *pack = open_pack(pack_path);
    zc_prefetcher *pf = own_create(pack, NULL, 0);
    slot slots[3];
    memset(slots, 0, sizeof slots);
    uint64_t a = submit_slot(pf, "scene.bin", 0, 0, &slots[0]);
    uint64_t b = submit_slot(pf, "big.bin", 1, 1, &slots[1]);
    uint64_t c = submit_slot(pf, "other.bin", 2, 1, &slots[2]);
    tally_wait(3, 60);
    uint64_t ids[3] = { a, b, c };
    for (int i = 0; i < 3; ++i) {
        cr_assert_eq(atomic_load(&slots[i].calls), 1);
        cr_assert_eq(atomic_load(&slots[i].status), ZC_OK, "%s", zc_result_name(atomic_load(&slots[i].status)));
        cr_assert_eq(atomic_load(&slots[i].request), ids[i]);
        cr_assert(slots[i].off_caller_thread, "callbacks run on the prefetcher's own thread");
    }
    cr_assert_eq(counted_entries(pf), GRAPH_ENTRIES + 2);
    cr_assert_eq(zc_prefetch_cancel(pf, a), ZC_ERR_NO_ENTRY);
    zc_prefetcher_destroy(pf);
    cr_assert_eq(tally_calls(), 3);
    zc_pack_close(pack);
}

Test(prefetch, own_loop_destroy_with_requests_in_flight) {
    tally_reset();
    zc_pack *pack = open_pack(pack_path);
    zc_prefetcher *pf = own_create(pack, NULL, 2);
    enum { N = 100 };
    slot *slots = calloc(N, sizeof *slots);
    cr_assert_not_null(slots);
    for (int i = 0; i < N; ++i)
        slots[i].submitted = submit_slot(pf, i % 4 ? "big.bin" : "scene.bin", i % 7, 0, &slots[i]);
    zc_prefetcher_destroy(pf);
    cr_assert_eq(tally_calls(), N, "every callback ran before destroy returned");
    int canceled = 0;
    for (int i = 0; i < N; ++i) {
        cr_assert_eq(atomic_load(&slots[i].calls), 1, "request %d", i);
        int status = atomic_load(&slots[i].status);
        cr_assert(status == ZC_OK || status == ZC_ERR_CANCELED, "%s", zc_result_name(status));
        canceled += status == ZC_ERR_CANCELED;
    }
    cr_assert_gt(canceled, 0, "100 requests of 16 MiB cannot all finish before destroy");
    free(slots);
    zc_pack_close(pack);
}

/* Stress: 4 threads submit 250 requests each, canceling every fifth right away. */
#define STRESS_THREADS 4
#define STRESS_PER_THREAD 250

typedef struct stress_arg {
    zc_prefetcher *pf;
    slot *slots;
    int thread;
} stress_arg;

static void *stress_main(void *p) {
    stress_arg *arg = (stress_arg *)p;
    uint64_t rng = 0x5eed + (uint64_t)arg->thread;
    for (int i = 0; i < STRESS_PER_THREAD; ++i) {
        slot *s = &arg->slots[i];
        uint64_t pick = zct_rand(&rng);
        uint64_t ids[3];
        uint32_t count = 1 + (uint32_t)(pick % 3);
        for (uint32_t k = 0; k < count; ++k) ids[k] = id_of(specs[zct_rand(&rng) % SPEC_COUNT].path);
        zc_prefetch_args args = { .ids = ids, .id_count = count, .priority = (int32_t)(pick >> 8) % 5 - 2,
                                  .no_deps = (int)((pick >> 16) & 1), .cb = slot_cb, .user_data = s };
        if (zc_prefetch(arg->pf, &args, &s->submitted) != ZC_OK) return (void *)"zc_prefetch failed";
        if (i % 5 == 0) {
            s->cancel = 1;
            s->cancel_result = zc_prefetch_cancel(arg->pf, s->submitted);
        }
    }
    return NULL;
}

Test(prefetch, stress_1000_requests_from_4_threads) {
    tally_reset();
    zc_pack *pack = open_pack(pack_path);
    zc_prefetcher *pf = own_create(pack, NULL, 3);
    enum { N = STRESS_THREADS * STRESS_PER_THREAD };
    slot *slots = calloc(N, sizeof *slots);
    cr_assert_not_null(slots);
    pthread_t threads[STRESS_THREADS];
    stress_arg args[STRESS_THREADS];
    for (int t = 0; t < STRESS_THREADS; ++t) {
        args[t] = (stress_arg){ pf, slots + t * STRESS_PER_THREAD, t };
        cr_assert_eq(pthread_create(&threads[t], NULL, stress_main, &args[t]), 0);
    }
    for (int t = 0; t < STRESS_THREADS; ++t) {
        void *failure = NULL;
        pthread_join(threads[t], &failure);
        cr_assert_null(failure, "thread %d: %s", t, (const char *)failure);
    }
    tally_wait(N, 100);

    uint64_t *seen = calloc(N, sizeof *seen);
    cr_assert_not_null(seen);
    int canceled = 0, late = 0;
    for (int i = 0; i < N; ++i) {
        slot *s = &slots[i];
        cr_assert_eq(atomic_load(&s->calls), 1, "request %d called back %d times", i, atomic_load(&s->calls));
        cr_assert_eq(atomic_load(&s->request), s->submitted);
        cr_assert(s->submitted >= 1 && s->submitted <= N, "ids are 1..1000 here: %llu",
                  (unsigned long long)s->submitted);
        cr_assert_eq(seen[s->submitted - 1], 0, "request id %llu handed out twice", (unsigned long long)s->submitted);
        seen[s->submitted - 1] = 1;
        int status = atomic_load(&s->status);
        if (!s->cancel) {
            cr_assert_eq(status, ZC_OK, "request %d: %s", i, zc_result_name(status));
        } else if (s->cancel_result == ZC_OK) {
            cr_assert_eq(status, ZC_ERR_CANCELED, "a successful cancel reports CANCELED, got %s",
                         zc_result_name(status));
            canceled++;
        } else {
            cr_assert_eq(s->cancel_result, ZC_ERR_NO_ENTRY, "%s", zc_result_name(s->cancel_result));
            cr_assert_eq(status, ZC_OK, "a cancel that came too late leaves the status alone");
            late++;
        }
    }
    cr_assert_eq(canceled + late, N / 5);
    cr_assert_gt(canceled, 0);
    zc_prefetcher_destroy(pf);
    cr_assert_eq(tally_calls(), N, "destroy after completion calls nothing again");
    free(seen);
    free(slots);
    zc_pack_close(pack);
}

/* ---------------------------------------------------------------------------------
 * Through a mount table
 * ------------------------------------------------------------------------------- */

Test(prefetch, through_mounts) {
    /* A patch mounted above the base: its mat.bin depends on extra.bin instead of tex.bin. */
    static const char *const patch_mat_deps[] = { "extra.bin", NULL };
    static const entry_spec patch_specs[] = {
        { "mat.bin", 48 * KIB, patch_mat_deps },
        { "extra.bin", 16 * KIB, NULL },
    };
    char *patch_path = zct_join(zct_tmp, "patch.zcpack");
    write_pack(patch_path, patch_specs, 2, 900);
    zc_pack *base = open_pack(pack_path);
    zc_pack *patch = open_pack(patch_path);
    zc_mounts *mounts = NULL;
    cr_assert_eq(zc_mounts_create(&mounts, NULL), ZC_OK);
    cr_assert_eq(zc_mounts_add(mounts, &(zc_mount_desc){ .pack = base, .priority = 0 }), ZC_OK);
    cr_assert_eq(zc_mounts_add(mounts, &(zc_mount_desc){ .pack = patch, .priority = 1 }), ZC_OK);
    zc_pack_close(base);
    zc_pack_close(patch);

    uv_loop_t loop;
    cr_assert_eq(uv_loop_init(&loop), 0);
    zc_prefetcher *pf = engine_create(&loop, NULL, mounts, 2);
    record rec;
    record_init(&rec);
    uint64_t scene = submit_path(pf, "scene.bin", 0, 0, &rec);
    uint64_t missing = submit_path(pf, "no/such/file.bin", 0, 0, &rec);
    uv_run(&loop, UV_RUN_DEFAULT);
    zc_result status;
    cr_assert_eq(record_calls(&rec, scene, &status), 1);
    cr_assert_eq(status, ZC_OK, "%s", zc_result_name(status));
    cr_assert_eq(record_calls(&rec, missing, &status), 1);
    cr_assert_eq(status, ZC_ERR_NO_ENTRY, "through mounts an unknown name completes the request with NO_ENTRY");
    uint64_t entries = 0, bytes = 0;
    zc__prefetcher_counters(pf, &entries, &bytes);
    cr_assert_eq(entries, 5, "scene, mesh_a, mesh_b, the patch's mat.bin and extra.bin (got %llu)",
                 (unsigned long long)entries);
    cr_assert_eq(bytes, (64u + 128u + 96u + 48u + 16u) * KIB);
    engine_finish(pf, &loop);
    zc_mounts_destroy(mounts);
    free(patch_path);
}

Test(prefetch, own_loop_through_mounts_by_id) {
    tally_reset();
    zc_pack *base = open_pack(pack_path);
    zc_mounts *mounts = NULL;
    cr_assert_eq(zc_mounts_create(&mounts, NULL), ZC_OK);
    cr_assert_eq(zc_mounts_add(mounts, &(zc_mount_desc){ .pack = base }), ZC_OK);
    zc_pack_close(base);
    zc_prefetcher *pf = own_create(NULL, mounts, 0);
    slot slots[2];
    memset(slots, 0, sizeof slots);
    submit(pf, &(zc_prefetch_args){ .ids = (uint64_t[]){ id_of("tex.bin") }, .id_count = 1, .cb = slot_cb,
                                    .user_data = &slots[0] });
    submit(pf, &(zc_prefetch_args){ .ids = (uint64_t[]){ 42 }, .id_count = 1, .cb = slot_cb, .user_data = &slots[1] });
    tally_wait(2, 60);
    cr_assert_eq(atomic_load(&slots[0].status), ZC_OK);
    cr_assert_eq(atomic_load(&slots[1].status), ZC_ERR_NO_ENTRY);
    cr_assert_eq(counted_entries(pf), GRAPH_ENTRIES);
    zc_prefetcher_destroy(pf);
    zc_mounts_destroy(mounts);
}

/* ---------------------------------------------------------------------------------
 * Compressed entries: a prefetch decodes them into the pack's cache
 * ------------------------------------------------------------------------------- */

static int compress_dot_z(const char *path, uint32_t type, void *user_data) {
    (void)type;
    (void)user_data;
    size_t n = strlen(path);
    return n > 2 && strcmp(path + n - 2, ".z") == 0;
}

/* Text-like bytes that zstd shrinks well but that differ per seed. */
static void fill_compressible(uint8_t *buf, size_t size, uint64_t seed) {
    static const char *const words[] = { "vertex ", "normal ", "index ", "texel ", "mip ", "scene\n" };
    uint64_t state = seed;
    size_t pos = 0;
    while (pos < size) {
        const char *w = words[zct_rand(&state) % 6];
        size_t n = strlen(w);
        if (n > size - pos) n = size - pos;
        memcpy(buf + pos, w, n);
        pos += n;
    }
}

/* level.bin (raw) -> mesh.z, tex.z (compressed); unused.z is compressed and unreferenced. */
static void write_compressed_pack(const char *path) {
    static const struct { const char *path; size_t size; int compressible; const char *deps[3]; } entries[] = {
        { "level.bin", 64 * KIB, 0, { "mesh.z", "tex.z", NULL } },
        { "mesh.z", 512 * KIB, 1, { NULL } },
        { "tex.z", 256 * KIB, 1, { NULL } },
        { "unused.z", 128 * KIB, 1, { NULL } },
    };
    zc_writer *w = NULL;
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = path, .no_sync = 1, .compress = compress_dot_z }),
                 ZC_OK);
    uint8_t *buf = malloc(512 * KIB);
    cr_assert_not_null(buf);
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; ++i) {
        if (entries[i].compressible) fill_compressible(buf, entries[i].size, 7 + i);
        else zct_fill(buf, entries[i].size, 7 + i);
        cr_assert_eq(zc_writer_begin_entry(w, entries[i].path, ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 12), ZC_OK);
        cr_assert_eq(zc_writer_write(w, buf, entries[i].size), ZC_OK);
        for (int d = 0; entries[i].deps[d]; ++d) cr_assert_eq(zc_writer_add_dep(w, id_of(entries[i].deps[d])), ZC_OK);
        cr_assert_eq(zc_writer_end_entry(w), ZC_OK);
    }
    free(buf);
    zc_result r = zc_writer_finish(w);
    cr_assert_eq(r, ZC_OK, "writing %s: %s", path, zc_result_name(r));
}

static zc_cache_stats cache_stats(const zc_pack *pack) {
    zc_cache_stats stats;
    cr_assert_eq(zc_pack_cache_stats(pack, &stats), ZC_OK);
    return stats;
}

Test(prefetch, compressed_dependencies_land_in_the_cache) {
    char *path = zct_join(zct_tmp, "compressed.zcpack");
    write_compressed_pack(path);
    zc_pack *pack = open_pack(path);
    zc_entry mesh;
    cr_assert_eq(zc_pack_find(pack, "mesh.z", &mesh), ZC_OK);
    cr_assert_eq(mesh.codec, ZC_CODEC_ZSTD, "the writer stores mesh.z compressed");
    zc_cache_stats stats = cache_stats(pack);
    cr_assert_eq(stats.decodes, 0);
    cr_assert_eq(stats.resident_entries, 0);

    uv_loop_t loop;
    cr_assert_eq(uv_loop_init(&loop), 0);
    zc_prefetcher *pf = engine_create(&loop, pack, NULL, 0);
    record rec;
    record_init(&rec);
    submit_path(pf, "level.bin", 0, 0, &rec);
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(rec.count, 1);
    cr_assert_eq(rec.status[0], ZC_OK, "%s", zc_result_name(rec.status[0]));
    stats = cache_stats(pack);
    cr_assert_eq(stats.decodes, 2, "mesh.z and tex.z decoded once each (got %llu)", (unsigned long long)stats.decodes);
    cr_assert_eq(stats.resident_entries, 2, "both stay cached after the prefetch released them");
    cr_assert_eq(stats.resident_bytes, 768 * KIB);
    cr_assert_eq(stats.held_bytes, 0, "the prefetcher holds nothing once the request completed");
    uint64_t entries = 0, bytes = 0;
    zc__prefetcher_counters(pf, &entries, &bytes);
    cr_assert_eq(entries, 3);
    cr_assert_eq(bytes, (64 + 512 + 256) * KIB);

    /* The engine's later acquire is a cache hit. */
    zc_hold hold;
    cr_assert_eq(zc_pack_acquire(pack, &mesh, &hold), ZC_OK);
    stats = cache_stats(pack);
    cr_assert_eq(stats.decodes, 2);
    cr_assert_eq(stats.hits, 1);
    cr_assert_eq(hold.size, 512 * KIB);
    zc_hold_release(&hold);

    /* Prefetching them again decodes nothing. */
    submit(pf, &(zc_prefetch_args){ .ids = (uint64_t[]){ id_of("tex.z"), id_of("mesh.z") }, .id_count = 2,
                                    .cb = record_cb, .user_data = &rec });
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(rec.count, 2);
    cr_assert_eq(rec.status[1], ZC_OK);
    cr_assert_eq(cache_stats(pack).decodes, 2);
    engine_finish(pf, &loop);
    zc_pack_close(pack);
    free(path);
}

Test(prefetch, entry_error_reported_other_entries_fetched) {
    char *path = zct_join(zct_tmp, "damaged.zcpack");
    write_compressed_pack(path);
    /* Damage the middle of tex.z's frame; the TOC (and its checksum) stays intact. */
    zc_pack *pack = open_pack(path);
    zc_entry tex;
    cr_assert_eq(zc_pack_find(pack, "tex.z", &tex), ZC_OK);
    cr_assert_eq(tex.codec, ZC_CODEC_ZSTD);
    uint64_t offset = tex.offset + tex.stored_size / 2;
    zc_pack_close(pack);
    size_t size = 0;
    uint8_t *bytes = zct_read_file(path, &size);
    cr_assert_not_null(bytes);
    bytes[offset] ^= 0x5a;
    bytes[offset + 1] ^= 0xa5;
    zct_write_file(path, bytes, size);
    free(bytes);

    pack = open_pack(path);
    zct_log log;
    memset(&log, 0, sizeof log);
    zc_prefetcher *pf = NULL;
    cr_assert_eq(zc_prefetcher_create(&pf, &(zc_prefetch_desc){ .pack = pack, .max_in_flight = 1,
                                                                .logger = zct_log_recorder(&log) }), ZC_OK);
    tally_reset();
    slot s;
    memset(&s, 0, sizeof s);
    submit_slot(pf, "level.bin", 0, 0, &s);
    tally_wait(1, 60);
    int status = atomic_load(&s.status);
    cr_assert(status == ZC_ERR_BAD_ENTRY || status == ZC_ERR_ENTRY_CHECKSUM,
              "the damaged entry's error is the request's status: %s", zc_result_name(status));
    zc_cache_stats stats = cache_stats(pack);
    cr_assert_eq(stats.resident_entries, 1, "mesh.z was still decoded");
    cr_assert_eq(stats.resident_bytes, 512 * KIB);
    cr_assert_eq(counted_entries(pf), 2, "level.bin and mesh.z");
    cr_assert(zct_log_contains(&log, "tex.z"), "the prefetcher's logger names the entry: %s",
              log.count ? log.messages[0] : "nothing logged");
    zc_prefetcher_destroy(pf);
    zc_pack_close(pack);
    free(path);
}

/* ---------------------------------------------------------------------------------
 * Typed references of game-defined entries (schema types) are dependencies
 * ------------------------------------------------------------------------------- */

/* The dependency closure of `id` in `pack`, walked here from the TOC records: its size. */
static uint32_t closure_size(zc_pack *pack, uint64_t id, uint64_t *seen, uint32_t count, uint32_t cap) {
    for (uint32_t i = 0; i < count; ++i)
        if (seen[i] == id) return count;
    zc_entry e;
    if (zc_pack_find_id(pack, id, &e) != ZC_OK) return count;
    cr_assert_lt(count, cap);
    seen[count++] = id;
    for (uint32_t d = 0; d < e.deps_count; ++d) count = closure_size(pack, e.deps[d], seen, count, cap);
    return count;
}

Test(prefetch, a_typed_entry_brings_the_entries_it_references) {
    char *root = zct_tmp_path("loot");
    zct_put_text(root, "loot.zcs",
                 "type_tag \"LOOT\";\nroot Loot;\nstruct Loot { name: string; icon: ref Texture; next: ?ref Loot; }\n");
    zct_put_text(root, "zcpack.json", "{ \"rules\": [ { \"match\": \"loot/*.json\", \"type\": \"Loot\", \"schema\": \"loot.zcs\" } ] }");
    zct_put_text(root, "loot/a.json", "{ \"name\": \"a\", \"icon\": \"icons/leaves.png\", \"next\": \"loot/b.json\" }");
    zct_put_text(root, "loot/b.json", "{ \"name\": \"b\", \"icon\": \"icons/leaves.png\" }");
    zct_put_text(root, "loot/c.json", "{ \"name\": \"c\", \"icon\": \"icons/other.png\", \"next\": \"loot/a.json\" }");
    zct_copy_file(zct_source_path("samples/assets/textures/leaves.png"), root, "icons/leaves.png");
    zct_copy_file(zct_source_path("samples/assets/textures/bricks.png"), root, "icons/other.png");
    char *path = zct_tmp_path("loot.zcpack");
    zct_run run = ZCT_CLI("build", root, "-o", path);
    cr_assert_eq(run.code, ZC_EXIT_OK, "%s", run.err);
    zct_run_free(&run);

    zc_pack *pack = open_pack(path);
    uint64_t seen[8];
    cr_assert_eq(closure_size(pack, zc_asset_id("loot/a.json", 11), seen, 0, 8), 3u, "a -> b, leaves; b -> leaves");
    uv_loop_t loop;
    cr_assert_eq(uv_loop_init(&loop), 0);
    zc_prefetcher *pf = engine_create(&loop, pack, NULL, 2);
    record rec;
    record_init(&rec);
    submit_path(pf, "loot/a.json", 0, 0, &rec);
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(rec.count, 1);
    cr_assert_eq(rec.status[0], ZC_OK, "%s", zc_result_name(rec.status[0]));
    cr_expect_eq(counted_entries(pf), 3u, "loot/a.json, loot/b.json and icons/leaves.png; not c or other.png");
    submit_path(pf, "loot/c.json", 0, 0, &rec);
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(rec.count, 2);
    cr_expect_eq(counted_entries(pf), 3u + 5u, "c's closure is the whole pack");
    engine_finish(pf, &loop);
    zc_pack_close(pack);
    free(path);
    free(root);
}
