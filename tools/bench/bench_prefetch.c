/* bench_prefetch.c - cold-cache reads of a large pack with and without the prefetcher,
 * beside `cat` and plain pread() of the same file, and the prefetcher's overhead beside
 * raw libuv reads of the same ranges on the same loop.
 *
 *  1. Packs under build/bench/ written through the pack writer, contents from a fixed
 *     seed (incompressible, stored raw): bench_prefetch_512m.zcpack, 2048 blob entries
 *     of 64..448 KiB (about 508 MiB), and bench_prefetch_small.zcpack, 8192 entries
 *     of 1..7 KiB (about 32 MiB). A pack already there is reused when it holds exactly these
 *     entries.
 *  2. Cold cache: before every run the page cache is dropped: `sync` and
 *     `echo 3 > /proc/sys/vm/drop_caches` when the program may write it (root), else
 *     posix_fadvise(POSIX_FADV_DONTNEED) on the pack file (nothing of it is mapped at
 *     that moment). The report says which method ran and how much of the file was
 *     still resident afterwards (mincore). Two sets of the 512 MiB pack's entries:
 *     all of them in file order, and a random 10 % in random order. Methods:
 *       - cat: `cat pack > /dev/null` (whole file; the floor for sequential reading),
 *       - pread: open + one pread() per entry range into one buffer, in set order,
 *       - zcpack: zc_pack_open + per entry zc_pack_acquire, a read of every page,
 *         zc_hold_release,
 *       - zcpack + prefetch: the same consumer, with one prefetch request for the
 *         whole set (own loop thread, 4 reads in flight) issued right after open;
 *         the time of its callback is reported too (the prefetcher hints the set's
 *         small ranges before zc_prefetch returns, coalesces neighbours and reads in
 *         file order, so the consumer mostly meets pages already read),
 *       - prefetch, then read: the request's callback is awaited, then the consumer
 *         runs.
 *     COLD_REPS runs of every method over all entries, SUBSET_REPS over the subset,
 *     methods interleaved; per cell the median and p10/p90, and each method's time
 *     over pread's in the same repetition (paired: a shared machine drifts between
 *     repetitions far more than within one), as median, min and max. The headline
 *     figure is that paired ratio for "zcpack + prefetch" on the random subset.
 *  3. Overhead, warm page cache, one engine-owned uv_loop_t: the prefetcher (one
 *     request per entry, no dependencies, 4 in flight, pack re-opened before each
 *     run so every page is mapped afresh) beside uv_fs_read of the same ranges into
 *     per-slot buffers with 4 reads in flight, on both packs. Median of WARM_REPS runs
 *     after one warm-up run.
 *
 * Output: a report on stdout, the Markdown fragment build/bench/bench_prefetch.md and its
 * summary rows bench_prefetch.glance, and the chart docs/bench/prefetch_cold.png. A
 * benchmark, never a test: it exits non-zero only when it cannot measure.
 */
#define _DEFAULT_SOURCE /* mincore, usleep, sync */
#include "zc_bench_plot.h"
#include "zc_bench_util.h"

#include "zc_blob.h"
#include "zc_pack.h"
#include "zc_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#define BENCH_SEED      UINT64_C(0x7a63707265663031)
#define COLD_REPS       5       /* all entries */
#define SUBSET_REPS     15      /* the random subset (short runs, noisier) */
#define MAX_REPS        15
#define WARM_REPS       5
#define IN_FLIGHT       4
#define SUBSET_PERCENT  10

typedef struct pack_spec {
    const char *label;
    const char *file_name;
    uint32_t entries;
    uint64_t min_size, max_size;   /* sizes uniform in [min, max], multiples of 16 */
} pack_spec;

static const pack_spec big_spec = { "large", "bench_prefetch_512m.zcpack", 2048, 64u << 10, 448u << 10 };
static const pack_spec small_spec = { "small", "bench_prefetch_small.zcpack", 8192, 1u << 10, 7u << 10 };

static volatile uint64_t bench_sink;

/* ---------------------------------------------------------------------------------
 * Packs
 * ------------------------------------------------------------------------------- */

static void entry_path(const pack_spec *spec, uint32_t index, char *buf, size_t size) {
    snprintf(buf, size, "stream/%s/chunk_%05u.bin", spec->entries > 4096 ? "small" : "large", (unsigned)index);
}

/* Sizes are a pure function of the spec; their sum is the pack's payload. */
static uint64_t entry_sizes(const pack_spec *spec, uint64_t *sizes) {
    uint64_t state = BENCH_SEED ^ spec->entries;
    uint64_t total = 0;
    uint64_t steps = (spec->max_size - spec->min_size) / 16 + 1;
    for (uint32_t i = 0; i < spec->entries; ++i) {
        sizes[i] = spec->min_size + 16 * zc_bench_rand_below(&state, steps);
        total += sizes[i];
    }
    return total;
}

static void entry_fill(uint32_t index, uint8_t *buf, uint64_t size) {
    uint64_t state = BENCH_SEED + (uint64_t)index * UINT64_C(0xd1b54a32d192ed03);
    uint64_t pos = 0;
    for (; pos + 8 <= size; pos += 8) {
        uint64_t r = zc_bench_rand(&state);
        memcpy(buf + pos, &r, 8);
    }
    memcpy(buf, &index, 4); /* no two entries alike: the writer would store twins once */
}

static int pack_is_current(const char *path, const pack_spec *spec, uint64_t payload) {
    zc_pack *pack;
    if (zc_pack_open(&pack, &(zc_pack_desc){ .path = path }) != ZC_OK) return 0;
    zc_pack_info info;
    int ok = zc_pack_get_info(pack, &info) == ZC_OK && info.entry_count == spec->entries &&
             info.payload_bytes == payload && info.format_minor == ZC_FORMAT_MINOR; /* this writer's TOC */
    char name[64];
    zc_entry e;
    entry_path(spec, spec->entries - 1, name, sizeof name);
    ok = ok && zc_pack_find(pack, name, &e) == ZC_OK && e.codec == ZC_CODEC_NONE;
    zc_pack_close(pack);
    return ok;
}

static void generate_pack(const char *path, const pack_spec *spec, const uint64_t *sizes) {
    uint8_t *buf = malloc((size_t)spec->max_size);
    if (!buf) zc_bench_fatal("out of memory");
    zc_writer *w;
    /* fsync stays on: no writeback of this pack may run during the timings. */
    zc_result r = zc_writer_open(&w, &(zc_writer_desc){ .path = path, .logger = { zc_bench_log_to_stderr, NULL } });
    if (r != ZC_OK) zc_bench_fatal("%s: cannot start writing: %s", path, zc_result_str(r));
    for (uint32_t i = 0; i < spec->entries; ++i) {
        char name[64];
        entry_path(spec, i, name, sizeof name);
        entry_fill(i, buf, sizes[i]);
        r = zc_writer_begin_entry(w, name, ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 0);
        if (r == ZC_OK) r = zc_writer_write(w, buf, (size_t)sizes[i]);
        if (r == ZC_OK) r = zc_writer_end_entry(w);
        if (r != ZC_OK) {
            zc_writer_abort(w);
            zc_bench_fatal("%s: writing %s failed: %s", path, name, zc_result_str(r));
        }
    }
    free(buf);
    r = zc_writer_finish(w);
    if (r != ZC_OK) zc_bench_fatal("%s: finishing the pack failed: %s", path, zc_result_str(r));
}

/* A set of entries to read: TOC indexes, offsets and sizes in reading order. */
typedef struct entry_set {
    uint32_t count;
    uint32_t *index;
    uint64_t *id;
    uint64_t *offset;
    uint64_t *size;
    uint64_t bytes;
    uint64_t largest;
} entry_set;

static void set_alloc(entry_set *set, uint32_t count) {
    memset(set, 0, sizeof *set);
    set->count = count;
    set->index = malloc(count * sizeof *set->index);
    set->id = malloc(count * sizeof *set->id);
    set->offset = malloc(count * sizeof *set->offset);
    set->size = malloc(count * sizeof *set->size);
    if (!set->index || !set->id || !set->offset || !set->size) zc_bench_fatal("out of memory");
}

static void set_free(entry_set *set) {
    free(set->index);
    free(set->id);
    free(set->offset);
    free(set->size);
}

static void set_fill(entry_set *set, const zc_pack *pack) {
    set->bytes = set->largest = 0;
    for (uint32_t k = 0; k < set->count; ++k) {
        zc_entry e;
        if (zc_pack_entry_at(pack, set->index[k], &e) != ZC_OK) zc_bench_fatal("entry %u vanished", set->index[k]);
        set->id[k] = e.id;
        set->offset[k] = e.offset;
        set->size[k] = e.stored_size;
        set->bytes += e.stored_size;
        if (e.stored_size > set->largest) set->largest = e.stored_size;
    }
}

static const zc_pack *sort_pack; /* qsort has no context argument */
static int cmp_by_offset(const void *a, const void *b) {
    zc_entry x, y;
    zc_pack_entry_at(sort_pack, *(const uint32_t *)a, &x);
    zc_pack_entry_at(sort_pack, *(const uint32_t *)b, &y);
    return (x.offset > y.offset) - (x.offset < y.offset);
}

/* Every entry in file order, and SUBSET_PERCENT % of them in a random order. */
static void make_sets(const char *path, entry_set *all, entry_set *subset) {
    zc_pack *pack;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = path });
    if (r != ZC_OK) zc_bench_fatal("%s: %s", path, zc_result_str(r));
    uint32_t n = zc_pack_entry_count(pack);
    set_alloc(all, n);
    for (uint32_t i = 0; i < n; ++i) all->index[i] = i;
    sort_pack = pack;
    qsort(all->index, n, sizeof *all->index, cmp_by_offset);
    set_fill(all, pack);
    uint32_t *shuffled = malloc(n * sizeof *shuffled);
    if (!shuffled) zc_bench_fatal("out of memory");
    for (uint32_t i = 0; i < n; ++i) shuffled[i] = i;
    uint64_t state = BENCH_SEED ^ 0x5b5e7;
    for (uint32_t i = n - 1; i > 0; --i) {
        uint32_t j = (uint32_t)zc_bench_rand_below(&state, (uint64_t)i + 1);
        uint32_t t = shuffled[i];
        shuffled[i] = shuffled[j];
        shuffled[j] = t;
    }
    set_alloc(subset, n * SUBSET_PERCENT / 100);
    memcpy(subset->index, shuffled, subset->count * sizeof *subset->index);
    set_fill(subset, pack);
    free(shuffled);
    zc_pack_close(pack);
}

/* ---------------------------------------------------------------------------------
 * Dropping the page cache
 * ------------------------------------------------------------------------------- */

typedef enum drop_method { DROP_PROC, DROP_FADVISE } drop_method;

static int drop_proc(void) {
    sync();
    FILE *f = fopen("/proc/sys/vm/drop_caches", "w");
    if (!f) return -1;
    int ok = fputs("3\n", f) >= 0;
    if (fclose(f) != 0) ok = 0;
    return ok ? 0 : -1;
}

static void drop_fadvise(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) zc_bench_fatal("%s: %s", path, strerror(errno));
    fdatasync(fd);
    int e = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
    if (e != 0) zc_bench_fatal("%s: posix_fadvise: %s", path, strerror(e));
}

/* Share of the file's pages in the page cache (a fresh mapping, mincore). */
static double resident_share(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) zc_bench_fatal("%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) zc_bench_fatal("%s: fstat: %s", path, strerror(errno));
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) zc_bench_fatal("%s: mmap: %s", path, strerror(errno));
    long page = sysconf(_SC_PAGESIZE);
    size_t pages = ((size_t)st.st_size + (size_t)page - 1) / (size_t)page;
    unsigned char *vec = malloc(pages);
    if (!vec) zc_bench_fatal("out of memory");
    size_t resident = 0;
    if (mincore(p, (size_t)st.st_size, vec) == 0)
        for (size_t i = 0; i < pages; ++i) resident += vec[i] & 1;
    free(vec);
    munmap(p, (size_t)st.st_size);
    return (double)resident / (double)pages;
}

static drop_method g_drop = DROP_PROC;
static double g_worst_residency = 0;

/* Drop the pack's pages, then load the shell and cat again (drop_caches evicts them
 * too), so every method starts with a cold pack and nothing else cold. */
static void drop_cache(const char *path) {
    if (g_drop == DROP_PROC && drop_proc() != 0) g_drop = DROP_FADVISE;
    if (g_drop == DROP_FADVISE) drop_fadvise(path);
    double share = resident_share(path);
    if (share > g_worst_residency) g_worst_residency = share;
    if (system("cat /dev/null > /dev/null") != 0) zc_bench_fatal("cannot run cat");
}

/* ---------------------------------------------------------------------------------
 * Cold readers: each returns nanoseconds; `aux` receives the prefetch callback time
 * ------------------------------------------------------------------------------- */

static uint64_t touch_pages(const void *data, uint64_t size) {
    const volatile uint8_t *p = (const volatile uint8_t *)data;
    uint64_t sum = 0;
    for (uint64_t off = 0; off < size; off += 4096) sum += p[off];
    if (size) sum += p[size - 1];
    return sum;
}

static double read_cat(const char *path, const entry_set *set, double *aux) {
    (void)set;
    (void)aux;
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "cat '%s' > /dev/null", path);
    uint64_t t0 = zc_bench_now_ns();
    if (system(cmd) != 0) zc_bench_fatal("%s failed", cmd);
    return (double)(zc_bench_now_ns() - t0);
}

static double read_pread(const char *path, const entry_set *set, double *aux) {
    (void)aux;
    uint8_t *buf = malloc((size_t)set->largest);
    if (!buf) zc_bench_fatal("out of memory");
    uint64_t t0 = zc_bench_now_ns();
    int fd = open(path, O_RDONLY);
    if (fd < 0) zc_bench_fatal("%s: %s", path, strerror(errno));
    uint64_t sum = 0;
    for (uint32_t k = 0; k < set->count; ++k) {
        uint64_t done = 0;
        while (done < set->size[k]) {
            ssize_t n = pread(fd, buf + done, (size_t)(set->size[k] - done), (off_t)(set->offset[k] + done));
            if (n <= 0) zc_bench_fatal("%s: pread: %s", path, n < 0 ? strerror(errno) : "short file");
            done += (uint64_t)n;
        }
        sum += buf[0];
    }
    close(fd);
    double ns = (double)(zc_bench_now_ns() - t0);
    bench_sink += sum;
    free(buf);
    return ns;
}

static void consume(zc_pack *pack, const entry_set *set) {
    uint64_t sum = 0;
    for (uint32_t k = 0; k < set->count; ++k) {
        zc_entry e;
        zc_hold hold;
        if (zc_pack_entry_at(pack, set->index[k], &e) != ZC_OK || zc_pack_acquire(pack, &e, &hold) != ZC_OK)
            zc_bench_fatal("acquiring entry %u failed", set->index[k]);
        sum += touch_pages(hold.data, hold.size);
        zc_hold_release(&hold);
    }
    bench_sink += sum;
}

static zc_pack *open_or_die(const char *path) {
    zc_pack *pack;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .logger = { zc_bench_log_to_stderr, NULL } });
    if (r != ZC_OK) zc_bench_fatal("%s: %s", path, zc_result_str(r));
    return pack;
}

static double read_runtime(const char *path, const entry_set *set, double *aux) {
    (void)aux;
    uint64_t t0 = zc_bench_now_ns();
    zc_pack *pack = open_or_die(path);
    consume(pack, set);
    double ns = (double)(zc_bench_now_ns() - t0);
    zc_pack_close(pack);
    return ns;
}

typedef struct prefetch_done {
    atomic_ullong at_ns;        /* 0 until the callback ran */
    atomic_int status;
} prefetch_done;

static void prefetch_done_cb(uint64_t request, zc_result status, void *user_data) {
    (void)request;
    prefetch_done *d = (prefetch_done *)user_data;
    atomic_store(&d->status, (int)status);
    atomic_store(&d->at_ns, zc_bench_now_ns());
}

/* Open, start a prefetcher on its own thread and one request for the whole set;
 * `wait_first`: wait for its callback before consuming. */
static double read_prefetched(const char *path, const entry_set *set, double *aux, int wait_first) {
    prefetch_done done;
    atomic_init(&done.at_ns, 0);
    atomic_init(&done.status, ZC_OK);
    uint64_t t0 = zc_bench_now_ns();
    zc_pack *pack = open_or_die(path);
    zc_prefetcher *pf;
    zc_result r = zc_prefetcher_create(&pf, &(zc_prefetch_desc){ .pack = pack, .max_in_flight = IN_FLIGHT });
    if (r != ZC_OK) zc_bench_fatal("zc_prefetcher_create: %s", zc_result_str(r));
    r = zc_prefetch(pf, &(zc_prefetch_args){ .ids = set->id, .id_count = set->count, .no_deps = 1,
                                             .cb = prefetch_done_cb, .user_data = &done }, NULL);
    if (r != ZC_OK) zc_bench_fatal("zc_prefetch: %s", zc_result_str(r));
    if (wait_first)
        while (atomic_load(&done.at_ns) == 0) usleep(200);
    consume(pack, set);
    double ns = (double)(zc_bench_now_ns() - t0);
    while (atomic_load(&done.at_ns) == 0) usleep(200);
    if (atomic_load(&done.status) != ZC_OK) zc_bench_fatal("prefetch: %s", zc_result_str(atomic_load(&done.status)));
    *aux = (double)(atomic_load(&done.at_ns) - t0);
    zc_prefetcher_destroy(pf);
    zc_pack_close(pack);
    return ns;
}

static double read_prefetch_parallel(const char *path, const entry_set *set, double *aux) {
    return read_prefetched(path, set, aux, 0);
}

static double read_prefetch_then(const char *path, const entry_set *set, double *aux) {
    return read_prefetched(path, set, aux, 1);
}

typedef double (*cold_reader)(const char *path, const entry_set *set, double *aux);

typedef struct cold_method {
    const char *name;
    cold_reader fn;
    int whole_file;             /* reads the whole file whatever the set */
    int has_aux;
} cold_method;

static const cold_method cold_methods[] = {
    { "cat file > /dev/null", read_cat, 1, 0 },
    { "pread() of each range", read_pread, 0, 0 },
    { "zcpack acquire + touch", read_runtime, 0, 0 },
    { "zcpack + prefetch", read_prefetch_parallel, 0, 1 },
    { "prefetch, then read", read_prefetch_then, 0, 1 },
};
#define COLD_METHODS (sizeof cold_methods / sizeof cold_methods[0])

typedef struct cold_result {
    int reps;
    double median[COLD_METHODS];
    double p10[COLD_METHODS], p90[COLD_METHODS];
    double aux_median[COLD_METHODS];
    /* time of each method over pread's in the same repetition (paired, so the drift of
     * a shared machine between repetitions cancels): median, min and max */
    double ratio[COLD_METHODS], ratio_min[COLD_METHODS], ratio_max[COLD_METHODS];
} cold_result;

static double quantile_of(const double *values, int n, double q) {
    double copy[MAX_REPS];
    memcpy(copy, values, (size_t)n * sizeof *copy);
    return zc_bench_quantile(copy, (size_t)n, q);
}

static void run_cold(const char *path, const entry_set *set, int include_cat, int reps, cold_result *out) {
    double times[COLD_METHODS][MAX_REPS], aux[COLD_METHODS][MAX_REPS];
    memset(aux, 0, sizeof aux);
    out->reps = reps;
    for (int rep = 0; rep < reps; ++rep) {
        for (size_t m = 0; m < COLD_METHODS; ++m) {
            if (cold_methods[m].whole_file && !include_cat) continue;
            drop_cache(path);
            times[m][rep] = cold_methods[m].fn(path, set, &aux[m][rep]);
            printf("    %-24s run %d: %.0f ms\n", cold_methods[m].name, rep + 1, times[m][rep] / 1e6);
            fflush(stdout);
        }
    }
    for (size_t m = 0; m < COLD_METHODS; ++m) {
        if (cold_methods[m].whole_file && !include_cat) {
            out->median[m] = out->p10[m] = out->p90[m] = out->aux_median[m] = 0;
            out->ratio[m] = out->ratio_min[m] = out->ratio_max[m] = 0;
            continue;
        }
        double ratios[MAX_REPS];
        for (int rep = 0; rep < reps; ++rep) ratios[rep] = times[m][rep] / times[1][rep];
        out->median[m] = quantile_of(times[m], reps, 0.5);
        out->p10[m] = quantile_of(times[m], reps, 0.1);
        out->p90[m] = quantile_of(times[m], reps, 0.9);
        out->aux_median[m] = quantile_of(aux[m], reps, 0.5);
        out->ratio[m] = quantile_of(ratios, reps, 0.5);
        out->ratio_min[m] = quantile_of(ratios, reps, 0.0);
        out->ratio_max[m] = quantile_of(ratios, reps, 1.0);
    }
}

/* ---------------------------------------------------------------------------------
 * Overhead on a warm cache, one engine loop
 * ------------------------------------------------------------------------------- */

typedef struct warm_prefetch {
    uint32_t done;
} warm_prefetch;

static void warm_cb(uint64_t request, zc_result status, void *user_data) {
    (void)request;
    if (status != ZC_OK) zc_bench_fatal("prefetch: %s", zc_result_str(status));
    ((warm_prefetch *)user_data)->done++;
}

/* One request per entry (or one request for the whole set) on the loop, on an open pack. */
static double warm_prefetcher(uv_loop_t *loop, zc_pack *pack, const entry_set *set, int one_request) {
    zc_prefetcher *pf;
    zc_result r = zc_prefetcher_create(&pf, &(zc_prefetch_desc){ .pack = pack, .loop = loop,
                                                                 .max_in_flight = IN_FLIGHT });
    if (r != ZC_OK) zc_bench_fatal("zc_prefetcher_create: %s", zc_result_str(r));
    warm_prefetch w = { 0 };
    uint64_t t0 = zc_bench_now_ns();
    uint32_t requests = one_request ? 1 : set->count;
    for (uint32_t k = 0; k < requests; ++k) {
        r = zc_prefetch(pf, &(zc_prefetch_args){ .ids = &set->id[k], .id_count = one_request ? set->count : 1,
                                                 .no_deps = 1, .cb = warm_cb, .user_data = &w }, NULL);
        if (r != ZC_OK) zc_bench_fatal("zc_prefetch: %s", zc_result_str(r));
    }
    uv_run(loop, UV_RUN_DEFAULT);
    double ns = (double)(zc_bench_now_ns() - t0);
    if (w.done != requests) zc_bench_fatal("%u of %u prefetch callbacks ran", w.done, requests);
    zc_prefetcher_destroy(pf);
    uv_run(loop, UV_RUN_DEFAULT);
    return ns;
}

/* The same on a pack opened just before the clock starts: every page is mapped afresh. */
static double warm_prefetcher_fresh(uv_loop_t *loop, const char *path, const entry_set *set) {
    zc_pack *pack = open_or_die(path);
    double ns = warm_prefetcher(loop, pack, set, 0);
    zc_pack_close(pack);
    return ns;
}

typedef struct raw_reads {
    uv_loop_t *loop;
    uv_fs_t req[IN_FLIGHT];
    uint8_t *buf[IN_FLIGHT];
    uv_file file;
    const entry_set *set;
    uint32_t next;
    uint32_t done;
} raw_reads;

static void raw_start(raw_reads *rr, int slot);

static void raw_read_cb(uv_fs_t *req) {
    raw_reads *rr = (raw_reads *)req->data;
    int slot = (int)(req - rr->req);
    if (req->result < 0) zc_bench_fatal("uv_fs_read: %s", uv_strerror((int)req->result));
    uv_fs_req_cleanup(req);
    bench_sink += rr->buf[slot][0];
    rr->done++;
    raw_start(rr, slot);
}

static void raw_start(raw_reads *rr, int slot) {
    if (rr->next >= rr->set->count) return;
    uint32_t k = rr->next++;
    uv_buf_t b = uv_buf_init((char *)rr->buf[slot], (unsigned)rr->set->size[k]);
    rr->req[slot].data = rr;
    int e = uv_fs_read(rr->loop, &rr->req[slot], rr->file, &b, 1,
                       (int64_t)rr->set->offset[k], raw_read_cb);
    if (e != 0) zc_bench_fatal("uv_fs_read: %s", uv_strerror(e));
}

/* uv_fs_read of every range, IN_FLIGHT at a time, into per-slot buffers. The file is
 * opened before the clock starts, as the pack is for the prefetcher. */
static double warm_libuv(uv_loop_t *loop, const char *path, const entry_set *set) {
    raw_reads rr;
    memset(&rr, 0, sizeof rr);
    rr.set = set;
    rr.loop = loop;
    uv_fs_t open_req;
    rr.file = uv_fs_open(loop, &open_req, path, O_RDONLY, 0, NULL);
    if (rr.file < 0) zc_bench_fatal("%s: %s", path, uv_strerror(rr.file));
    uv_fs_req_cleanup(&open_req);
    for (int s = 0; s < IN_FLIGHT; ++s) {
        rr.buf[s] = malloc((size_t)set->largest);
        if (!rr.buf[s]) zc_bench_fatal("out of memory");
    }
    uint64_t t0 = zc_bench_now_ns();
    for (int s = 0; s < IN_FLIGHT; ++s) raw_start(&rr, s);
    uv_run(loop, UV_RUN_DEFAULT);
    double ns = (double)(zc_bench_now_ns() - t0);
    if (rr.done != set->count) zc_bench_fatal("%u of %u reads completed", rr.done, set->count);
    uv_fs_t close_req;
    uv_fs_close(loop, &close_req, rr.file, NULL);
    uv_fs_req_cleanup(&close_req);
    for (int s = 0; s < IN_FLIGHT; ++s) free(rr.buf[s]);
    return ns;
}

typedef struct warm_result {
    double fresh, mapped, batch, libuv;
} warm_result;

static void run_warm(uv_loop_t *loop, const char *path, const entry_set *set, warm_result *out) {
    double fresh[WARM_REPS], mapped[WARM_REPS], batch[WARM_REPS], raw[WARM_REPS];
    zc_pack *kept = open_or_die(path);
    warm_prefetcher(loop, kept, set, 0); /* warm-up: page cache, thread pool, kept's page tables */
    warm_libuv(loop, path, set);
    for (int rep = 0; rep < WARM_REPS; ++rep) {
        fresh[rep] = warm_prefetcher_fresh(loop, path, set);
        mapped[rep] = warm_prefetcher(loop, kept, set, 0);
        batch[rep] = warm_prefetcher(loop, kept, set, 1);
        raw[rep] = warm_libuv(loop, path, set);
    }
    zc_pack_close(kept);
    out->fresh = zc_bench_quantile(fresh, WARM_REPS, 0.5);
    out->mapped = zc_bench_quantile(mapped, WARM_REPS, 0.5);
    out->batch = zc_bench_quantile(batch, WARM_REPS, 0.5);
    out->libuv = zc_bench_quantile(raw, WARM_REPS, 0.5);
}

/* What the first access to a freshly mapped, fully cached page costs on this machine:
 * one madvise(MADV_POPULATE_READ) over the whole file, then a read of one byte per page,
 * then the same read again. Nanoseconds in out[0..2]; out[0] < 0 when the kernel lacks
 * MADV_POPULATE_READ. */
static void mapping_costs(const char *path, double out[3]) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) zc_bench_fatal("%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) zc_bench_fatal("%s: fstat: %s", path, strerror(errno));
    size_t n = (size_t)st.st_size;
    uint8_t *p = mmap(NULL, n, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) zc_bench_fatal("%s: mmap: %s", path, strerror(errno));
    uint64_t t0 = zc_bench_now_ns();
    int populated = madvise(p, n, 22 /* MADV_POPULATE_READ */) == 0;
    uint64_t t1 = zc_bench_now_ns();
    bench_sink += touch_pages(p, n);
    uint64_t t2 = zc_bench_now_ns();
    bench_sink += touch_pages(p, n);
    uint64_t t3 = zc_bench_now_ns();
    munmap(p, n);
    out[0] = populated ? (double)(t1 - t0) : -1.0;
    out[1] = (double)(t2 - t1);
    out[2] = (double)(t3 - t2);
}

/* ---------------------------------------------------------------------------------
 * Main
 * ------------------------------------------------------------------------------- */

static void usage(FILE *out) {
    fprintf(out, "usage: bench_prefetch [--dir DIR] [--regenerate]\n"
                 "  --dir DIR       where packs and bench_prefetch.md go (default: build/bench)\n"
                 "  --regenerate    write the packs even when current ones exist\n");
}

static void prepare_pack(const char *dir, const pack_spec *spec, int regenerate, char *path, size_t path_size,
                         char *provenance, size_t provenance_size) {
    snprintf(path, path_size, "%s/%s", dir, spec->file_name);
    uint64_t *sizes = malloc(spec->entries * sizeof *sizes);
    if (!sizes) zc_bench_fatal("out of memory");
    uint64_t payload = entry_sizes(spec, sizes);
    if (!regenerate && pack_is_current(path, spec, payload)) {
        snprintf(provenance, provenance_size, "reused (same entries)");
    } else {
        printf("  writing %s (%u entries) ...\n", path, spec->entries);
        fflush(stdout);
        uint64_t t0 = zc_bench_now_ns();
        generate_pack(path, spec, sizes);
        if (!pack_is_current(path, spec, payload)) zc_bench_fatal("%s: the new pack is not the expected one", path);
        snprintf(provenance, provenance_size, "generated in %.1f s", (double)(zc_bench_now_ns() - t0) / 1e9);
    }
    free(sizes);
    printf("  %s: %s\n", path, provenance);
}

static void cold_table(zc_bench_table *t, const entry_set *set, const cold_result *res, double cat_ns,
                       uint64_t file_size, int subset) {
    static const char *const heads[] = { "method", "bytes", "median", "p10 - p90", "MiB/s",
                                         "vs pread, paired (min - max)", "prefetch callback" };
    zc_bench_table_init(t, 7, heads);
    zc_bench_table_left(t, 0);
    for (size_t m = 0; m < COLD_METHODS; ++m) {
        int row = zc_bench_table_add_row(t);
        uint64_t bytes = cold_methods[m].whole_file ? file_size : set->bytes;
        double ns = cold_methods[m].whole_file ? cat_ns : res->median[m];
        char b[32], tm[32];
        zc_bench_table_set(t, row, 0, "%s%s", cold_methods[m].name,
                           cold_methods[m].whole_file && subset ? " (whole file)" : "");
        zc_bench_format_bytes(bytes, b, sizeof b);
        zc_bench_table_set(t, row, 1, "%s", b);
        zc_bench_format_ns(ns, tm, sizeof tm);
        zc_bench_table_set(t, row, 2, "%s", tm);
        if (cold_methods[m].whole_file && subset) {
            zc_bench_table_set(t, row, 3, "-");
        } else {
            char lo[32], hi[32];
            zc_bench_format_ns(res->p10[m], lo, sizeof lo);
            zc_bench_format_ns(res->p90[m], hi, sizeof hi);
            zc_bench_table_set(t, row, 3, "%s - %s", lo, hi);
        }
        zc_bench_table_set(t, row, 4, "%.0f", (double)bytes / (1024.0 * 1024.0) / (ns / 1e9));
        if (cold_methods[m].whole_file) zc_bench_table_set(t, row, 5, "-");
        else zc_bench_table_set(t, row, 5, "%.2fx (%.2f - %.2f)", res->ratio[m], res->ratio_min[m], res->ratio_max[m]);
        if (cold_methods[m].has_aux) {
            zc_bench_format_ns(res->aux_median[m], tm, sizeof tm);
            zc_bench_table_set(t, row, 6, "%s", tm);
        } else {
            zc_bench_table_set(t, row, 6, "-");
        }
    }
}

/* Cold-cache read throughput of each method, for both entry sets (cat reads the
 * whole file, so it appears with the full set only). */
static void plot_cold(const entry_set *all, const entry_set *subset, const cold_result *res_all,
                      const cold_result *res_sub, uint64_t file_size, zc_bench_md *md) {
    static zc_plot_bars chart;
    static char series[2][64];
    memset(&chart, 0, sizeof chart);
    char subtitle[160];
    snprintf(subtitle, sizeof subtitle,
             "page cache dropped before every run, median of %d (all) and %d (subset) runs; higher is better",
             COLD_REPS, SUBSET_REPS);
    snprintf(series[0], sizeof series[0], "all %u entries, file order", all->count);
    snprintf(series[1], sizeof series[1], "random %d %%, random order", SUBSET_PERCENT);
    chart.title = "Cold-cache reads: prefetch against cat and pread";
    chart.subtitle = subtitle;
    chart.value_label = "MiB/s read";
    chart.group_count = (int)COLD_METHODS;
    chart.series_count = 2;
    chart.series[0] = series[0];
    chart.series[1] = series[1];
    const entry_set *sets[2] = {all, subset};
    const cold_result *res[2] = {res_all, res_sub};
    for (size_t m = 0; m < COLD_METHODS; ++m) {
        chart.groups[m] = cold_methods[m].name;
        for (int k = 0; k < 2; ++k) {
            int whole = cold_methods[m].whole_file;
            if (whole && k == 1) {
                chart.values[m][k] = NAN;
                continue;
            }
            double ns = res[k]->median[m];
            double rate = (double)(whole ? file_size : sets[k]->bytes) / (1024.0 * 1024.0) / (ns / 1e9);
            chart.values[m][k] = rate;
            if (whole || m == 1) snprintf(chart.notes[m][k], sizeof chart.notes[m][k], "%.0f MiB/s", rate);
            else snprintf(chart.notes[m][k], sizeof chart.notes[m][k], "%.0f MiB/s (%.2fx pread time)", rate,
                          ns / res[k]->median[1]);
        }
    }
    zc_plot_bars_md(&chart, "prefetch_cold", md);
}

int main(int argc, char **argv) {
    const char *dir = "build/bench";
    int regenerate = 0;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--regenerate") == 0) {
            regenerate = 1;
        } else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    uint64_t start = zc_bench_now_ns();
    if (zc_bench_mkdirs(dir) != 0) zc_bench_fatal("%s: cannot create: %s", dir, strerror(errno));
    zc_bench_machine machine;
    zc_bench_machine_get(&machine);
    printf("bench_prefetch: cold-cache reads and prefetch overhead, zcpack %s\n", zc_version_string());
    printf("  CPU: %s, %ld logical cores\n  Kernel: %s\n  Compiler: %s\n\n", machine.cpu, machine.cores,
           machine.kernel, machine.compiler);

    char big_path[4096], small_path[4096], big_prov[96], small_prov[96];
    printf("Packs:\n");
    prepare_pack(dir, &big_spec, regenerate, big_path, sizeof big_path, big_prov, sizeof big_prov);
    prepare_pack(dir, &small_spec, regenerate, small_path, sizeof small_path, small_prov, sizeof small_prov);
    struct stat st;
    if (stat(big_path, &st) != 0) zc_bench_fatal("%s: %s", big_path, strerror(errno));
    uint64_t big_file_size = (uint64_t)st.st_size;
    printf("\n");

    entry_set all, subset, small_all, small_subset;
    make_sets(big_path, &all, &subset);
    make_sets(small_path, &small_all, &small_subset);

    /* 2. cold cache */
    cold_result cold_all, cold_sub;
    printf("Cold cache, all %u entries in file order:\n", all.count);
    run_cold(big_path, &all, 1, COLD_REPS, &cold_all);
    printf("Cold cache, random %d %% (%u entries) in random order:\n", SUBSET_PERCENT, subset.count);
    run_cold(big_path, &subset, 0, SUBSET_REPS, &cold_sub);
    const char *drop_text = g_drop == DROP_PROC ? "`sync; echo 3 > /proc/sys/vm/drop_caches`"
                                                : "posix_fadvise(POSIX_FADV_DONTNEED) on the pack file "
                                                  "(/proc/sys/vm/drop_caches was not writable)";
    char drop_sentence[400];
    snprintf(drop_sentence, sizeof drop_sentence,
             "Page cache dropped before every run with %s, then `sh` and `cat` loaded again; at most %.1f %% "
             "of the pack's pages were still resident after a drop (mincore).",
             drop_text, g_worst_residency * 100.0);
    printf("  %s\n\n", drop_sentence);

    zc_bench_table t_all, t_sub;
    cold_table(&t_all, &all, &cold_all, cold_all.median[0], big_file_size, 0);
    cold_table(&t_sub, &subset, &cold_sub, cold_all.median[0], big_file_size, 1);

    /* 3. overhead */
    uv_loop_t loop;
    if (uv_loop_init(&loop) != 0) zc_bench_fatal("uv_loop_init failed");
    warm_result w_big, w_small;
    printf("Warm cache overhead on one loop (%d in flight) ...\n", IN_FLIGHT);
    fflush(stdout);
    double mapping[3];
    mapping_costs(big_path, mapping);
    run_warm(&loop, big_path, &all, &w_big);
    run_warm(&loop, small_path, &small_all, &w_small);
    if (uv_loop_close(&loop) != 0) zc_bench_fatal("the loop still holds handles");

    static const char *const warm_heads[] = { "pack", "entries", "bytes", "method", "median", "per entry",
                                              "MiB/s", "vs uv_fs_read" };
    zc_bench_table t_warm;
    zc_bench_table_init(&t_warm, 8, warm_heads);
    zc_bench_table_left(&t_warm, 3);
    const struct { const char *pack; const entry_set *set; const warm_result *res; } warm_rows[] = {
        { big_spec.label, &all, &w_big },
        { small_spec.label, &small_all, &w_small },
    };
    static const char *const warm_methods[] = { "zc_prefetch, pack opened afresh", "zc_prefetch, pages mapped",
                                                "one request for all, pages mapped", "uv_fs_read" };
    for (size_t i = 0; i < 2; ++i) {
        for (int m = 0; m < 4; ++m) {
            const warm_result *res = warm_rows[i].res;
            double ns = m == 0 ? res->fresh : m == 1 ? res->mapped : m == 2 ? res->batch : res->libuv;
            int row = zc_bench_table_add_row(&t_warm);
            char b[32], tm[32], per[32];
            zc_bench_format_bytes(warm_rows[i].set->bytes, b, sizeof b);
            zc_bench_format_ns(ns, tm, sizeof tm);
            zc_bench_format_ns(ns / warm_rows[i].set->count, per, sizeof per);
            zc_bench_table_set(&t_warm, row, 0, "%s", warm_rows[i].pack);
            zc_bench_table_set(&t_warm, row, 1, "%u", warm_rows[i].set->count);
            zc_bench_table_set(&t_warm, row, 2, "%s", b);
            zc_bench_table_set(&t_warm, row, 3, "%s", warm_methods[m]);
            zc_bench_table_set(&t_warm, row, 4, "%s", tm);
            zc_bench_table_set(&t_warm, row, 5, "%s", per);
            double mib = (double)warm_rows[i].set->bytes / (1024.0 * 1024.0);
            zc_bench_table_set(&t_warm, row, 6, "%.0f", mib / (ns / 1e9));
            zc_bench_table_set(&t_warm, row, 7, "%.2fx", ns / warm_rows[i].res->libuv);
        }
    }

    printf("Cold cache, all entries of the %s pack (%.1f MiB):\n", big_spec.label,
           (double)all.bytes / (1024.0 * 1024.0));
    zc_bench_table_print(&t_all, stdout, "  ");
    printf("\nCold cache, random %d %%:\n", SUBSET_PERCENT);
    zc_bench_table_print(&t_sub, stdout, "  ");
    printf("\nWarm cache, prefetch overhead beside uv_fs_read on the same loop:\n");
    zc_bench_table_print(&t_warm, stdout, "  ");
    char pop[32], first[32], second[32], mapping_sentence[600];
    zc_bench_format_ns(mapping[0], pop, sizeof pop);
    zc_bench_format_ns(mapping[1], first, sizeof first);
    zc_bench_format_ns(mapping[2], second, sizeof second);
    if (mapping[0] >= 0)
        snprintf(mapping_sentence, sizeof mapping_sentence,
                 "First access to mapped pages on this machine (the %s pack, fully cached, mapped afresh): "
                 "madvise(MADV_POPULATE_READ) over the file %s, then one read per page %s (%.2f us per page, "
                 "no page fault), the same reads again %s.",
                 big_spec.label, pop, first, mapping[1] / 1e3 / ((double)big_file_size / 4096.0), second);
    else
        snprintf(mapping_sentence, sizeof mapping_sentence,
                 "This kernel lacks MADV_POPULATE_READ; one read per page of the %s pack mapped afresh took %s, "
                 "the same reads again %s.", big_spec.label, first, second);
    printf("  %s\n\n", mapping_sentence);

    zc_bench_md md;
    zc_bench_md_init(&md);
    zc_bench_md_printf(&md, "## Cold-cache reads and prefetch (bench_prefetch)\n\n");
    zc_bench_md_machine(&md, &machine);
    zc_bench_md_printf(&md, "Produced by `make bench` (program `bench_prefetch`, run from the repository root).\n\n");
    zc_bench_md_printf(&md, "Packs written by the pack writer, contents from a fixed seed, stored raw:\n\n"
                            "- %s pack: %u blob entries of %llu to %llu KiB, file %.1f MiB; %s\n"
                            "- %s pack: %u blob entries of %llu to %llu KiB; %s\n\n",
                       big_spec.label, big_spec.entries, (unsigned long long)(big_spec.min_size >> 10),
                       (unsigned long long)(big_spec.max_size >> 10), (double)big_file_size / (1024.0 * 1024.0),
                       big_prov, small_spec.label, small_spec.entries,
                       (unsigned long long)(small_spec.min_size >> 10), (unsigned long long)(small_spec.max_size >> 10),
                       small_prov);
    zc_bench_md_printf(&md, "### Cold cache\n\n%s %d runs per method over all entries and %d over the "
                            "random subset, methods interleaved: median and p10 - p90 of the times, and each "
                            "method's time over pread's in the same repetition (paired, since a shared machine "
                            "drifts more between repetitions than within one): median (min - max). "
                            "*zcpack acquire + touch*: zc_pack_open, then per entry zc_pack_acquire, a read of "
                            "every page and zc_hold_release. *zcpack + prefetch*: the same, with one prefetch "
                            "request for the whole set issued right after open (own loop thread, %d reads in "
                            "flight on libuv's thread pool), the reader running at once; *prefetch, then read* "
                            "waits for the request's callback first. The callback column is the time from open "
                            "to the prefetch callback. pread() reads each range into one buffer on one "
                            "thread.\n\n",
                       drop_sentence, COLD_REPS, SUBSET_REPS, IN_FLIGHT);
    zc_bench_md_printf(&md, "All %u entries, in file order:\n\n", all.count);
    zc_bench_md_table(&md, &t_all);
    zc_bench_md_printf(&md, "A random %d %% (%u entries, %.1f MiB), in random order (cat reads the whole file, "
                            "as above):\n\n",
                       SUBSET_PERCENT, subset.count, (double)subset.bytes / (1024.0 * 1024.0));
    zc_bench_md_table(&md, &t_sub);
    plot_cold(&all, &subset, &cold_all, &cold_sub, big_file_size, &md);
    zc_bench_md_printf(&md, "### Prefetch overhead beside raw libuv reads\n\n"
                            "Warm page cache, one uv_loop_t run by the program: the prefetcher with one request "
                            "per entry (no dependencies, %d in flight), on a pack opened afresh before each run "
                            "(outside the clock: every page is mapped and first read by the prefetch) and on a "
                            "pack kept open whose pages are already mapped (the machinery alone), then one "
                            "request naming every entry on that pack, beside "
                            "uv_fs_read of the same ranges, %d in flight, into one buffer per slot (the file "
                            "opened outside the clock). Median of %d runs after a warm-up run. The prefetcher "
                            "maps every page and reads one byte of each; uv_fs_read copies every byte into "
                            "buffers that stay mapped.\n\n",
                       IN_FLIGHT, IN_FLIGHT, WARM_REPS);
    zc_bench_md_table(&md, &t_warm);
    zc_bench_md_printf(&md, "%s\n\n", mapping_sentence);
    zc_bench_md glance;
    zc_bench_md_init(&glance);
    char subset_figure[128];
    snprintf(subset_figure, sizeof subset_figure, "cold read of a random %d %% of a %.0f MiB pack, with prefetch",
             SUBSET_PERCENT, (double)big_file_size / (1024.0 * 1024.0));
    zc_bench_glance_row(&glance, "bench_prefetch", subset_figure, "pread() of each range", "%.2fx the time",
                        cold_sub.ratio[3]);
    zc_bench_glance_row(&glance, "bench_prefetch", "cold read of the whole pack, with prefetch",
                        "pread() of each range", "%.2fx the time", cold_all.ratio[3]);
    zc_bench_glance_row(&glance, "bench_prefetch", "cold read of the whole pack, with prefetch",
                        "cat of the file", "%.2fx the time", cold_all.median[3] / cold_all.median[0]);
    zc_bench_glance_save(&glance, dir, "bench_prefetch");
    char md_path[4096];
    snprintf(md_path, sizeof md_path, "%s/bench_prefetch.md", dir);
    int saved = zc_bench_md_save(&md, md_path);
    zc_bench_md_free(&md);
    if (saved == 0) printf("Markdown fragment: %s\n", md_path);
    set_free(&all);
    set_free(&subset);
    set_free(&small_all);
    set_free(&small_subset);
    printf("Total time: %.1f s\n", (double)(zc_bench_now_ns() - start) / 1e9);
    return saved == 0 ? 0 : 1;
}
