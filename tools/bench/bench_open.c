/* bench_open.c - time from a pack's path to a pointer into one entry, and lookups
 * among 10,000 entries, each beside a comparator measured in the same run.
 *
 *  1. Three packs of 10,000 blob entries (64 KiB, 64 MiB and 1 GiB of payload) are
 *     written under build/bench/ through the pack writer, with contents from a fixed
 *     seed. A pack already there is reused when it opens, validates at TOC level and
 *     holds exactly the entries this program would write; otherwise it is rewritten.
 *  2. Open to first pointer: zc_pack_open + zc_pack_find of one fixed path + reading
 *     the first byte of its data + zc_pack_close, at the default validation (header +
 *     TOC) and at ZC_VALIDATE_NONE, beside the floor on the same file: open + fstat +
 *     mmap of the whole file + reading one byte of the same page + munmap + close.
 *  3. Lookups: zc_pack_find over all 10,000 paths in shuffled order beside bsearch +
 *     strcmp over the sorted path strings; zc_pack_find_id beside bsearch over the
 *     sorted 64-bit ids.
 *
 * Every timing is a median over repetitions with a warm page cache, after warm-up
 * runs. Output: a report on stdout, the Markdown fragment build/bench/bench_open.md and
 * its summary rows bench_open.glance that `make bench` gathers into BENCHMARKS.md, and
 * the charts docs/bench/open_time.png (open time against pack size) and lookup.png. A
 * benchmark, never a test: it exits non-zero only when it cannot measure (I/O error, a
 * pack that does not open).
 */
#include "zc_bench_plot.h"
#include "zc_bench_util.h"

#include "zc_blob.h"
#include "zc_pack.h"
#include "zc_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define BENCH_ENTRIES      10000u
#define BENCH_SEED         UINT64_C(0x7a637061636b3031)
#define BENCH_FIXED_INDEX  7123u     /* level07/props/crate_07123.bin */
#define BENCH_MIN_ENTRY    4u        /* every entry starts with its index (4 bytes) */
#define BENCH_PATH_MAX     64u

#define OPEN_WARMUP        20
#define OPEN_REPS          200
#define LOOKUP_WARMUP      3
#define LOOKUP_ROUNDS      40
#define FLAT_THRESHOLD     1.5       /* 1 GiB median within this factor of 64 KiB's */

typedef struct pack_spec {
    const char *label;          /* payload size as shown in the tables */
    const char *file_name;      /* inside the output directory */
    uint64_t payload;           /* exact sum of the entries' sizes */
} pack_spec;

static const pack_spec bench_specs[] = {
    {"64 KiB", "bench_open_64k.zcpack", UINT64_C(64) << 10},
    {"64 MiB", "bench_open_64m.zcpack", UINT64_C(64) << 20},
    {"1 GiB", "bench_open_1g.zcpack", UINT64_C(1) << 30},
};
#define BENCH_SPEC_COUNT (sizeof bench_specs / sizeof bench_specs[0])
#define BENCH_LOOKUP_SPEC 1 /* lookups run on the 64 MiB pack */

typedef struct open_timing {
    double floor_median, floor_p90;
    double toc_median, toc_p90;
    double none_median, none_p90;
    uint64_t file_size;
    uint64_t toc_size;
    uint32_t entries;
} open_timing;

/* Keeps every measured read and lookup result observable. */
static volatile uint64_t bench_sink;

/* ---------------------------------------------------------------------------------
 * The generated entries: paths, sizes and contents are pure functions of the index
 * (and of the pack's payload size), so a pack on disk can be checked against them.
 * ------------------------------------------------------------------------------- */

static void entry_path(uint32_t index, char *buf, size_t size) {
    static const char *const dirs[] = {"props", "textures", "meshes", "audio", "scripts"};
    static const char *const stems[] = {"crate", "albedo", "rock", "footstep", "door"};
    unsigned kind = (unsigned)(index / 200u) % 5u;
    snprintf(buf, size, "level%02u/%s/%s_%05u.bin", (unsigned)(index / 1000u), dirs[kind], stems[kind],
             (unsigned)index);
}

/* Sizes summing to exactly `payload`, each >= BENCH_MIN_ENTRY, varied around the mean:
 * neighbours trade a random amount so the total stays exact. Needs
 * payload >= BENCH_ENTRIES * BENCH_MIN_ENTRY and an even entry count. */
static void entry_sizes(uint64_t payload, uint64_t *sizes) {
    uint64_t state = BENCH_SEED ^ payload;
    for (uint32_t i = 0; i < BENCH_ENTRIES; i += 2) {
        uint64_t a = payload * (i + 1) / BENCH_ENTRIES - payload * i / BENCH_ENTRIES;
        uint64_t b = payload * (i + 2) / BENCH_ENTRIES - payload * (i + 1) / BENCH_ENTRIES;
        uint64_t low = a < b ? a : b;
        uint64_t most = low / 2;
        if (low - most < BENCH_MIN_ENTRY) most = low - BENCH_MIN_ENTRY;
        uint64_t d = zc_bench_rand_below(&state, most + 1);
        sizes[i] = a + d;
        sizes[i + 1] = b - d;
    }
}

/* Pseudo-random bytes from the fixed seed, prefixed by the index so no two entries
 * are equal (the writer would store equal payloads once). */
static void entry_fill(uint32_t index, uint8_t *buf, uint64_t size) {
    uint64_t state = BENCH_SEED + (uint64_t)index * UINT64_C(0xd1b54a32d192ed03);
    uint64_t pos = 0;
    for (; pos + 8 <= size; pos += 8) {
        uint64_t r = zc_bench_rand(&state);
        memcpy(buf + pos, &r, 8);
    }
    if (pos < size) {
        uint64_t r = zc_bench_rand(&state);
        memcpy(buf + pos, &r, (size_t)(size - pos));
    }
    buf[0] = (uint8_t)index;
    buf[1] = (uint8_t)(index >> 8);
    buf[2] = (uint8_t)(index >> 16);
    buf[3] = (uint8_t)(index >> 24);
}

/* 1 when `path` opens at TOC level and holds exactly the entries this program writes
 * (count, total payload, and the full bytes of the first, fixed and last entries). */
static int pack_is_current(const char *path, const uint64_t *sizes, uint64_t payload, uint8_t *buf) {
    zc_pack *pack;
    if (zc_pack_open(&pack, &(zc_pack_desc){.path = path}) != ZC_OK) return 0;
    zc_pack_info info;
    int ok = zc_pack_get_info(pack, &info) == ZC_OK && info.entry_count == BENCH_ENTRIES &&
             info.payload_bytes == payload;
    const uint32_t probes[] = {0, BENCH_FIXED_INDEX, BENCH_ENTRIES - 1};
    for (size_t k = 0; ok && k < sizeof probes / sizeof probes[0]; ++k) {
        char name[BENCH_PATH_MAX];
        zc_entry e;
        const void *data;
        uint64_t size;
        entry_path(probes[k], name, sizeof name);
        ok = zc_pack_find(pack, name, &e) == ZC_OK && zc_entry_bytes(&e, ZC_TYPE_BLOB, &data, &size) == ZC_OK &&
             size == sizes[probes[k]];
        if (ok) {
            entry_fill(probes[k], buf, size);
            ok = memcmp(data, buf, (size_t)size) == 0;
        }
    }
    zc_pack_close(pack);
    return ok;
}

/* Write the pack through the writer (verified re-open included). Progress lines on
 * stdout when `progress` is set. Returns the seconds it took; exits on error. */
static double generate_pack(const char *path, const pack_spec *spec, const uint64_t *sizes, uint8_t *buf,
                            int progress) {
    uint64_t t0 = zc_bench_now_ns();
    zc_writer *w;
    /* The writer's fsync stays on: no writeback of this pack may run during the timings. */
    zc_result r = zc_writer_open(&w, &(zc_writer_desc){.path = path, .logger = {zc_bench_log_to_stderr, NULL}});
    if (r != ZC_OK) zc_bench_fatal("%s: cannot start writing: %s", path, zc_result_str(r));
    uint64_t done = 0;
    int shown = 0;
    for (uint32_t i = 0; i < BENCH_ENTRIES; ++i) {
        char name[BENCH_PATH_MAX];
        entry_path(i, name, sizeof name);
        entry_fill(i, buf, sizes[i]);
        r = zc_writer_begin_entry(w, name, ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 0);
        if (r == ZC_OK) r = zc_writer_write(w, buf, (size_t)sizes[i]);
        if (r == ZC_OK) r = zc_writer_end_entry(w);
        if (r != ZC_OK) {
            zc_writer_abort(w);
            zc_bench_fatal("%s: writing %s failed: %s", path, name, zc_result_str(r));
        }
        done += sizes[i];
        int tenth = (int)(done * 10 / spec->payload);
        if (progress && tenth > shown) {
            shown = tenth;
            char bytes[32];
            zc_bench_format_bytes(done, bytes, sizeof bytes);
            printf("    %3d%%  %s written, %.1f s\n", tenth * 10, bytes, (double)(zc_bench_now_ns() - t0) / 1e9);
            fflush(stdout);
        }
    }
    if (progress) {
        printf("    finishing: table of contents, fsync, checksum verification, rename\n");
        fflush(stdout);
    }
    r = zc_writer_finish(w);
    if (r != ZC_OK) zc_bench_fatal("%s: finishing the pack failed: %s", path, zc_result_str(r));
    return (double)(zc_bench_now_ns() - t0) / 1e9;
}

/* ---------------------------------------------------------------------------------
 * Open to first pointer
 * ------------------------------------------------------------------------------- */

/* The floor: the system calls any mmap-based reader needs, and one page touched. */
static uint64_t time_floor(const char *path, uint64_t touch_offset) {
    uint64_t t0 = zc_bench_now_ns();
    int fd = open(path, O_RDONLY);
    if (fd < 0) zc_bench_fatal("%s: open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) zc_bench_fatal("%s: fstat: %s", path, strerror(errno));
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) zc_bench_fatal("%s: mmap: %s", path, strerror(errno));
    bench_sink += ((const volatile uint8_t *)map)[touch_offset];
    munmap(map, (size_t)st.st_size);
    close(fd);
    return zc_bench_now_ns() - t0;
}

static uint64_t time_zcpack(const char *path, const char *entry, zc_validate level) {
    uint64_t t0 = zc_bench_now_ns();
    zc_pack *pack;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){.path = path, .validate = level});
    if (r != ZC_OK) zc_bench_fatal("%s: zc_pack_open: %s", path, zc_result_str(r));
    zc_entry e;
    const void *data;
    uint64_t size;
    r = zc_pack_find(pack, entry, &e);
    if (r == ZC_OK) r = zc_entry_bytes(&e, ZC_TYPE_BLOB, &data, &size);
    if (r != ZC_OK) zc_bench_fatal("%s: %s: %s", path, entry, zc_result_str(r));
    bench_sink += *(const volatile uint8_t *)data;
    zc_pack_close(pack);
    return zc_bench_now_ns() - t0;
}

/* Facts of the pack at `path` and the file offset of the fixed entry's data. */
static void open_setup(const char *path, open_timing *out, uint64_t *touch_offset) {
    char fixed[BENCH_PATH_MAX];
    entry_path(BENCH_FIXED_INDEX, fixed, sizeof fixed);
    zc_pack *pack;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){.path = path, .logger = {zc_bench_log_to_stderr, NULL}});
    if (r != ZC_OK) zc_bench_fatal("%s: zc_pack_open: %s", path, zc_result_str(r));
    zc_pack_info info;
    zc_entry e;
    if (zc_pack_get_info(pack, &info) != ZC_OK || zc_pack_find(pack, fixed, &e) != ZC_OK)
        zc_bench_fatal("%s: %s not found", path, fixed);
    *touch_offset = e.offset; /* the floor reads the same page as zcpack's first read */
    out->file_size = info.file_size;
    out->toc_size = info.toc_size;
    out->entries = info.entry_count;
    zc_pack_close(pack);
}

/* Every repetition runs all packs and all three variants in a rotating order, so a
 * burst of outside load lands on every column alike instead of on one pack. */
static void bench_open_all(char (*paths)[4096], open_timing *out) {
    char fixed[BENCH_PATH_MAX];
    entry_path(BENCH_FIXED_INDEX, fixed, sizeof fixed);
    uint64_t touch[BENCH_SPEC_COUNT];
    for (size_t s = 0; s < BENCH_SPEC_COUNT; ++s) open_setup(paths[s], &out[s], &touch[s]);

    enum { VARIANTS = 3, SLOTS = (int)BENCH_SPEC_COUNT * VARIANTS };
    static double ns[SLOTS][OPEN_REPS];
    for (int rep = -OPEN_WARMUP; rep < OPEN_REPS; ++rep) {
        for (int k = 0; k < SLOTS; ++k) {
            int slot = (rep + OPEN_WARMUP + k) % SLOTS;
            size_t s = (size_t)slot / VARIANTS;
            int variant = slot % VARIANTS;
            uint64_t t = variant == 0   ? time_floor(paths[s], touch[s])
                         : variant == 1 ? time_zcpack(paths[s], fixed, ZC_VALIDATE_DEFAULT)
                                        : time_zcpack(paths[s], fixed, ZC_VALIDATE_NONE);
            if (rep >= 0) ns[slot][rep] = (double)t;
        }
    }
    for (size_t s = 0; s < BENCH_SPEC_COUNT; ++s) {
        double *floor_ns = ns[s * VARIANTS], *toc_ns = ns[s * VARIANTS + 1], *none_ns = ns[s * VARIANTS + 2];
        out[s].floor_median = zc_bench_quantile(floor_ns, OPEN_REPS, 0.5);
        out[s].floor_p90 = zc_bench_quantile(floor_ns, OPEN_REPS, 0.9);
        out[s].toc_median = zc_bench_quantile(toc_ns, OPEN_REPS, 0.5);
        out[s].toc_p90 = zc_bench_quantile(toc_ns, OPEN_REPS, 0.9);
        out[s].none_median = zc_bench_quantile(none_ns, OPEN_REPS, 0.5);
        out[s].none_p90 = zc_bench_quantile(none_ns, OPEN_REPS, 0.9);
    }
}

/* ---------------------------------------------------------------------------------
 * Lookups
 * ------------------------------------------------------------------------------- */

enum { LOOKUP_FIND, LOOKUP_BSEARCH_PATH, LOOKUP_FIND_ID, LOOKUP_BSEARCH_ID, LOOKUP_HASH, LOOKUP_METHODS };

typedef struct lookup_data {
    const zc_pack *pack;
    const char **queries;       /* every path once, shuffled */
    uint64_t *query_ids;        /* their ids, same order */
    const char **sorted_paths;  /* the comparator's table */
    uint64_t *sorted_ids;
} lookup_data;

typedef struct lookup_timing {
    double median[LOOKUP_METHODS];  /* ns per lookup */
    double p90[LOOKUP_METHODS];
} lookup_timing;

static int cmp_path_key(const void *key, const void *elem) {
    return strcmp((const char *)key, *(const char *const *)elem);
}
static int cmp_path_ptr(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}
static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* One round: every query once. Returns the elapsed ns; exits if any lookup misses. */
static uint64_t lookup_round(const lookup_data *d, int method) {
    uint64_t acc = 0;
    uint32_t found = 0;
    uint64_t t0 = zc_bench_now_ns();
    switch (method) {
    case LOOKUP_FIND:
        for (uint32_t i = 0; i < BENCH_ENTRIES; ++i) {
            zc_entry e;
            if (zc_pack_find(d->pack, d->queries[i], &e) == ZC_OK) {
                ++found;
                acc += e.offset;
            }
        }
        break;
    case LOOKUP_BSEARCH_PATH:
        for (uint32_t i = 0; i < BENCH_ENTRIES; ++i) {
            const char *const *hit = (const char *const *)bsearch(d->queries[i], d->sorted_paths, BENCH_ENTRIES,
                                                                  sizeof *d->sorted_paths, cmp_path_key);
            if (hit) {
                ++found;
                acc += (uint64_t)(hit - d->sorted_paths);
            }
        }
        break;
    case LOOKUP_FIND_ID:
        for (uint32_t i = 0; i < BENCH_ENTRIES; ++i) {
            zc_entry e;
            if (zc_pack_find_id(d->pack, d->query_ids[i], &e) == ZC_OK) {
                ++found;
                acc += e.offset;
            }
        }
        break;
    case LOOKUP_BSEARCH_ID:
        for (uint32_t i = 0; i < BENCH_ENTRIES; ++i) {
            const uint64_t *hit = (const uint64_t *)bsearch(&d->query_ids[i], d->sorted_ids, BENCH_ENTRIES,
                                                            sizeof *d->sorted_ids, cmp_u64);
            if (hit) {
                ++found;
                acc += (uint64_t)(hit - d->sorted_ids);
            }
        }
        break;
    default:
        for (uint32_t i = 0; i < BENCH_ENTRIES; ++i) {
            acc += zc_asset_id(d->queries[i], strlen(d->queries[i]));
            ++found;
        }
        break;
    }
    uint64_t elapsed = zc_bench_now_ns() - t0;
    if (found != BENCH_ENTRIES) zc_bench_fatal("lookup method %d found %u of %u entries", method, found, BENCH_ENTRIES);
    bench_sink += acc;
    return elapsed;
}

static void bench_lookups(const char *path, lookup_timing *out) {
    zc_pack *pack;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){.path = path, .logger = {zc_bench_log_to_stderr, NULL}});
    if (r != ZC_OK) zc_bench_fatal("%s: zc_pack_open: %s", path, zc_result_str(r));

    char(*names)[BENCH_PATH_MAX] = malloc(BENCH_ENTRIES * sizeof *names);
    lookup_data d = {
        .pack = pack,
        .queries = malloc(BENCH_ENTRIES * sizeof *d.queries),
        .query_ids = malloc(BENCH_ENTRIES * sizeof *d.query_ids),
        .sorted_paths = malloc(BENCH_ENTRIES * sizeof *d.sorted_paths),
        .sorted_ids = malloc(BENCH_ENTRIES * sizeof *d.sorted_ids),
    };
    if (!names || !d.queries || !d.query_ids || !d.sorted_paths || !d.sorted_ids) zc_bench_fatal("out of memory");
    for (uint32_t i = 0; i < BENCH_ENTRIES; ++i) {
        entry_path(i, names[i], sizeof names[i]);
        d.queries[i] = names[i];
    }
    uint64_t state = BENCH_SEED ^ UINT64_C(0x53485546464c45); /* Fisher-Yates, fixed seed */
    for (uint32_t i = BENCH_ENTRIES - 1; i > 0; --i) {
        uint32_t j = (uint32_t)zc_bench_rand_below(&state, (uint64_t)i + 1);
        const char *t = d.queries[i];
        d.queries[i] = d.queries[j];
        d.queries[j] = t;
    }
    for (uint32_t i = 0; i < BENCH_ENTRIES; ++i) {
        d.query_ids[i] = zc_asset_id(d.queries[i], strlen(d.queries[i]));
        d.sorted_paths[i] = names[i];
        d.sorted_ids[i] = d.query_ids[i];
    }
    qsort(d.sorted_paths, BENCH_ENTRIES, sizeof *d.sorted_paths, cmp_path_ptr);
    qsort(d.sorted_ids, BENCH_ENTRIES, sizeof *d.sorted_ids, cmp_u64);

    static double ns[LOOKUP_METHODS][LOOKUP_ROUNDS];
    for (int round = -LOOKUP_WARMUP; round < LOOKUP_ROUNDS; ++round) {
        for (int k = 0; k < LOOKUP_METHODS; ++k) {
            int method = (round + LOOKUP_WARMUP + k) % LOOKUP_METHODS;
            uint64_t elapsed = lookup_round(&d, method);
            if (round >= 0) ns[method][round] = (double)elapsed / BENCH_ENTRIES;
        }
    }
    for (int m = 0; m < LOOKUP_METHODS; ++m) {
        out->median[m] = zc_bench_quantile(ns[m], LOOKUP_ROUNDS, 0.5);
        out->p90[m] = zc_bench_quantile(ns[m], LOOKUP_ROUNDS, 0.9);
    }
    free(names);
    free(d.queries);
    free(d.query_ids);
    free(d.sorted_paths);
    free(d.sorted_ids);
    zc_pack_close(pack);
}

/* ---------------------------------------------------------------------------------
 * Report
 * ------------------------------------------------------------------------------- */

/* ---------------------------------------------------------------------------------
 * Charts (docs/bench/, linked from the fragment)
 * ------------------------------------------------------------------------------- */

/* Open time against pack size: one line per variant over the three files' sizes. */
static void plot_open(const open_timing *t, zc_bench_md *md) {
    static zc_plot_lines chart;
    memset(&chart, 0, sizeof chart);
    char subtitle[160];
    snprintf(subtitle, sizeof subtitle, "%u entries per pack; median of %d runs, warm page cache; lower is better",
             BENCH_ENTRIES, OPEN_REPS);
    chart.title = "Open to first pointer against pack size";
    chart.subtitle = subtitle;
    chart.x_label = "pack file size (log scale)";
    chart.y_label = "median time, us (log scale)";
    chart.log_x = chart.log_y = 1;
    chart.series_count = 3;
    chart.series[0].name = "floor: open + fstat + mmap + read 1 byte";
    chart.series[1].name = "zcpack: open (header + TOC) + find + read";
    chart.series[2].name = "zcpack at ZC_VALIDATE_NONE";
    static char labels[BENCH_SPEC_COUNT][32];
    for (size_t s = 0; s < BENCH_SPEC_COUNT; ++s) {
        double x = (double)t[s].file_size;
        double y[3] = {t[s].floor_median, t[s].toc_median, t[s].none_median};
        for (int k = 0; k < 3; ++k) {
            chart.series[k].x[s] = x;
            chart.series[k].y[s] = y[k] / 1000.0;
            chart.series[k].count = (int)BENCH_SPEC_COUNT;
        }
        zc_bench_format_bytes(t[s].file_size, labels[s], sizeof labels[s]);
        chart.x_ticks[s] = x;
        chart.x_tick_labels[s] = labels[s];
    }
    chart.x_tick_count = (int)BENCH_SPEC_COUNT;
    zc_plot_lines_md(&chart, "open_time", md);
}

/* Nanoseconds per lookup beside the bsearch comparators. */
static void plot_lookups(const lookup_timing *look, zc_bench_md *md) {
    static zc_plot_bars chart;
    memset(&chart, 0, sizeof chart);
    char subtitle[160];
    snprintf(subtitle, sizeof subtitle, "%u entries, shuffled order, median of %d rounds; lower is better",
             BENCH_ENTRIES, LOOKUP_ROUNDS);
    chart.title = "Lookup against libc bsearch";
    chart.subtitle = subtitle;
    chart.value_label = "ns per lookup";
    chart.group_count = 2;
    chart.groups[0] = "by path";
    chart.groups[1] = "by 64-bit id";
    chart.series_count = 2;
    chart.series[0] = "zcpack (zc_pack_find, zc_pack_find_id)";
    chart.series[1] = "bsearch over the same keys";
    int methods[2][2] = {{LOOKUP_FIND, LOOKUP_BSEARCH_PATH}, {LOOKUP_FIND_ID, LOOKUP_BSEARCH_ID}};
    for (int g = 0; g < 2; ++g) {
        double ours = look->median[methods[g][0]], theirs = look->median[methods[g][1]];
        chart.values[g][0] = ours;
        chart.values[g][1] = theirs;
        snprintf(chart.notes[g][0], sizeof chart.notes[g][0], "%.1f ns (%.2fx)", ours, ours / theirs);
        snprintf(chart.notes[g][1], sizeof chart.notes[g][1], "%.1f ns", theirs);
    }
    zc_plot_bars_md(&chart, "lookup", md);
}

static void usage(FILE *out) {
    fprintf(out,
            "usage: bench_open [--dir DIR] [--regenerate]\n"
            "  Measures open-to-first-pointer and lookups on three generated packs of %u entries.\n"
            "  --dir DIR       where packs and bench_open.md go (default: build/bench)\n"
            "  --regenerate    rewrite the packs even when valid ones are already there\n",
            BENCH_ENTRIES);
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
    printf("bench_open: open-to-first-pointer and lookups, zcpack %s\n", zc_version_string());
    printf("  CPU: %s, %ld logical cores\n  Kernel: %s\n  Compiler: %s\n\n", machine.cpu, machine.cores,
           machine.kernel, machine.compiler);

    /* 1. packs */
    static uint64_t sizes[BENCH_SPEC_COUNT][BENCH_ENTRIES];
    uint64_t largest = 0;
    for (size_t s = 0; s < BENCH_SPEC_COUNT; ++s) {
        entry_sizes(bench_specs[s].payload, sizes[s]);
        for (uint32_t i = 0; i < BENCH_ENTRIES; ++i)
            if (sizes[s][i] > largest) largest = sizes[s][i];
    }
    uint8_t *buf = malloc((size_t)largest);
    if (!buf) zc_bench_fatal("out of memory");
    char paths[BENCH_SPEC_COUNT][4096];
    char provenance[BENCH_SPEC_COUNT][96];
    printf("Packs (%u blob entries each, contents from a fixed seed):\n", BENCH_ENTRIES);
    for (size_t s = 0; s < BENCH_SPEC_COUNT; ++s) {
        const pack_spec *spec = &bench_specs[s];
        snprintf(paths[s], sizeof paths[s], "%s/%s", dir, spec->file_name);
        struct stat st;
        int present = stat(paths[s], &st) == 0;
        if (!regenerate && present && pack_is_current(paths[s], sizes[s], spec->payload, buf)) {
            snprintf(provenance[s], sizeof provenance[s], "reused (valid at TOC level, same entries)");
        } else {
            int big = spec->payload >= (UINT64_C(256) << 20);
            printf("  %-6s  %s: %s, writing it\n", spec->label, paths[s],
                   regenerate ? "--regenerate" : present ? "present but not the expected pack" : "absent");
            fflush(stdout);
            double secs = generate_pack(paths[s], spec, sizes[s], buf, big);
            if (!pack_is_current(paths[s], sizes[s], spec->payload, buf))
                zc_bench_fatal("%s: the pack just written does not hold the expected entries", paths[s]);
            if (spec->payload >= (UINT64_C(64) << 20))
                snprintf(provenance[s], sizeof provenance[s], "generated in %.2f s (%.0f MiB/s)", secs,
                         (double)spec->payload / (1024.0 * 1024.0) / (secs > 0 ? secs : 1e-9));
            else
                snprintf(provenance[s], sizeof provenance[s], "generated in %.2f s", secs);
        }
        printf("  %-6s  %s: %s\n", spec->label, paths[s], provenance[s]);
    }
    free(buf);
    printf("\n");

    /* 2. open to first pointer */
    open_timing open_t[BENCH_SPEC_COUNT];
    printf("measuring open-to-first-pointer on the %u packs, interleaved ...\n", (unsigned)BENCH_SPEC_COUNT);
    fflush(stdout);
    bench_open_all(paths, open_t);
    static const char *const open_heads[] = {"payload", "file", "TOC", "entries", "floor med", "floor p90",
                                             "zcpack med", "zcpack p90", "zcpack/floor", "NONE med",
                                             "NONE/floor", "validation share"};
    zc_bench_table open_table;
    zc_bench_table_init(&open_table, 12, open_heads);
    for (size_t s = 0; s < BENCH_SPEC_COUNT; ++s) {
        const open_timing *t = &open_t[s];
        int row = zc_bench_table_add_row(&open_table);
        char b[32];
        zc_bench_table_set(&open_table, row, 0, "%s", bench_specs[s].label);
        zc_bench_format_bytes(t->file_size, b, sizeof b);
        zc_bench_table_set(&open_table, row, 1, "%s", b);
        zc_bench_format_bytes(t->toc_size, b, sizeof b);
        zc_bench_table_set(&open_table, row, 2, "%s", b);
        zc_bench_table_set(&open_table, row, 3, "%u", t->entries);
        zc_bench_format_ns(t->floor_median, b, sizeof b);
        zc_bench_table_set(&open_table, row, 4, "%s", b);
        zc_bench_format_ns(t->floor_p90, b, sizeof b);
        zc_bench_table_set(&open_table, row, 5, "%s", b);
        zc_bench_format_ns(t->toc_median, b, sizeof b);
        zc_bench_table_set(&open_table, row, 6, "%s", b);
        zc_bench_format_ns(t->toc_p90, b, sizeof b);
        zc_bench_table_set(&open_table, row, 7, "%s", b);
        zc_bench_table_set(&open_table, row, 8, "%.1fx", t->toc_median / t->floor_median);
        zc_bench_format_ns(t->none_median, b, sizeof b);
        zc_bench_table_set(&open_table, row, 9, "%s", b);
        zc_bench_table_set(&open_table, row, 10, "%.1fx", t->none_median / t->floor_median);
        double share = t->toc_median > t->none_median ? (t->toc_median - t->none_median) / t->toc_median : 0.0;
        zc_bench_table_set(&open_table, row, 11, "%.0f%%", share * 100.0);
    }
    const open_timing *small = &open_t[0], *large = &open_t[BENCH_SPEC_COUNT - 1];
    double flat = large->toc_median / small->toc_median;
    double floor_flat = large->floor_median / small->floor_median;
    char flat_sentence[512];
    snprintf(flat_sentence, sizeof flat_sentence,
             "Open-to-first-pointer %s as the pack grows: the %s pack's median is %.2fx the %s pack's "
             "(flat means within %.1fx; the floor's own factor is %.2fx).",
             flat <= FLAT_THRESHOLD ? "stays flat" : "does NOT stay flat", bench_specs[BENCH_SPEC_COUNT - 1].label,
             flat, bench_specs[0].label, FLAT_THRESHOLD, floor_flat);
    char share_sentence[512];
    snprintf(share_sentence, sizeof share_sentence,
             "The header + TOC validation (checksums, record checks, path ids) accounts for the difference "
             "between the zcpack and NONE columns: %.0f%%, %.0f%% and %.0f%% of the default open's median for "
             "the three packs.",
             100.0 * (small->toc_median - small->none_median) / small->toc_median,
             100.0 * (open_t[1].toc_median - open_t[1].none_median) / open_t[1].toc_median,
             100.0 * (large->toc_median - large->none_median) / large->toc_median);

    /* 3. lookups */
    printf("measuring lookups on %s ...\n\n", bench_specs[BENCH_LOOKUP_SPEC].label);
    fflush(stdout);
    lookup_timing look;
    bench_lookups(paths[BENCH_LOOKUP_SPEC], &look);
    static const char *const look_heads[] = {"operation", "zcpack ns/op", "p90", "comparator", "comparator ns/op",
                                             "zcpack/comparator"};
    zc_bench_table look_table;
    zc_bench_table_init(&look_table, 6, look_heads);
    zc_bench_table_left(&look_table, 3);
    struct {
        const char *name;
        int method;
        const char *comparator;
        int comparator_method;
    } rows[] = {
        {"zc_pack_find (path)", LOOKUP_FIND, "bsearch + strcmp, sorted paths", LOOKUP_BSEARCH_PATH},
        {"zc_pack_find_id (id)", LOOKUP_FIND_ID, "bsearch, sorted uint64 ids", LOOKUP_BSEARCH_ID},
        {"zc_asset_id (hash only)", LOOKUP_HASH, "-", -1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; ++i) {
        int row = zc_bench_table_add_row(&look_table);
        zc_bench_table_set(&look_table, row, 0, "%s", rows[i].name);
        zc_bench_table_set(&look_table, row, 1, "%.1f", look.median[rows[i].method]);
        zc_bench_table_set(&look_table, row, 2, "%.1f", look.p90[rows[i].method]);
        zc_bench_table_set(&look_table, row, 3, "%s", rows[i].comparator);
        if (rows[i].comparator_method >= 0) {
            zc_bench_table_set(&look_table, row, 4, "%.1f", look.median[rows[i].comparator_method]);
            zc_bench_table_set(&look_table, row, 5, "%.2fx",
                               look.median[rows[i].method] / look.median[rows[i].comparator_method]);
        } else {
            zc_bench_table_set(&look_table, row, 4, "-");
            zc_bench_table_set(&look_table, row, 5, "-");
        }
    }

    /* stdout report */
    const char *open_what =
        "zcpack = zc_pack_open (default validation: header + TOC) + zc_pack_find of one fixed path + "
        "read its first byte + zc_pack_close; NONE = the same at ZC_VALIDATE_NONE; floor = open + fstat + "
        "mmap of the whole file + read one byte of the same page + munmap + close";
    printf("Open to first pointer (%d runs per cell after %d warm-up runs, packs and variants interleaved, warm "
           "page cache):\n",
           OPEN_REPS, OPEN_WARMUP);
    printf("  %s.\n\n", open_what);
    zc_bench_table_print(&open_table, stdout, "  ");
    printf("\n  %s\n  %s\n\n", flat_sentence, share_sentence);
    printf("Lookups among %u entries (all paths in shuffled order, median of %d rounds after %d warm-up rounds, "
           "%s pack):\n\n",
           BENCH_ENTRIES, LOOKUP_ROUNDS, LOOKUP_WARMUP, bench_specs[BENCH_LOOKUP_SPEC].label);
    zc_bench_table_print(&look_table, stdout, "  ");
    printf("\n");

    /* Markdown fragment */
    zc_bench_md md;
    zc_bench_md_init(&md);
    zc_bench_md_printf(&md, "## Open to first pointer, and lookups (bench_open)\n\n");
    zc_bench_md_machine(&md, &machine);
    zc_bench_md_printf(&md, "Produced by `make bench` (program `bench_open`, run from the repository root).\n\n");
    zc_bench_md_printf(&md, "Packs: %u blob entries each, written by the pack writer with contents from a fixed "
                            "seed; the smallest file is larger than its payload because the TOC of %u entries "
                            "(72-byte records plus paths) and the 16-byte alignment of every entry dominate it.\n\n",
                       BENCH_ENTRIES, BENCH_ENTRIES);
    for (size_t s = 0; s < BENCH_SPEC_COUNT; ++s)
        zc_bench_md_printf(&md, "- %s payload: %s\n", bench_specs[s].label, provenance[s]);
    zc_bench_md_printf(&md, "\n### Open to first pointer\n\n");
    zc_bench_md_printf(&md, "%d runs per cell after %d warm-up runs, packs and variants interleaved, warm page "
                            "cache; %s.\n\n",
                       OPEN_REPS, OPEN_WARMUP, open_what);
    zc_bench_md_table(&md, &open_table);
    plot_open(open_t, &md);
    zc_bench_md_printf(&md, "%s %s\n\n", flat_sentence, share_sentence);
    zc_bench_md_printf(&md, "### Lookup among %u entries\n\n", BENCH_ENTRIES);
    zc_bench_md_printf(&md, "Every path once per round in shuffled order; median and p90 of %d rounds after %d "
                            "warm-up rounds, on the %s pack. The comparators are libc `bsearch` over arrays "
                            "holding the same keys.\n\n",
                       LOOKUP_ROUNDS, LOOKUP_WARMUP, bench_specs[BENCH_LOOKUP_SPEC].label);
    zc_bench_md_table(&md, &look_table);
    plot_lookups(&look, &md);
    zc_bench_md glance;
    zc_bench_md_init(&glance);
    zc_bench_glance_row(&glance, "bench_open", "open to first pointer, 1 GiB pack (header + TOC checked)",
                        "the same on the 64 KiB pack", "%.2fx the time", flat);
    zc_bench_glance_row(&glance, "bench_open", "open to first pointer, 1 GiB pack", "open + mmap + read one byte",
                        "%.1fx the time", large->toc_median / large->floor_median);
    zc_bench_glance_row(&glance, "bench_open", "zc_pack_find among 10000 paths", "bsearch + strcmp, sorted paths",
                        "%.2fx the time", look.median[LOOKUP_FIND] / look.median[LOOKUP_BSEARCH_PATH]);
    zc_bench_glance_save(&glance, dir, "bench_open");
    char md_path[4096];
    snprintf(md_path, sizeof md_path, "%s/bench_open.md", dir);
    int saved = zc_bench_md_save(&md, md_path);
    zc_bench_md_free(&md);
    if (saved == 0) printf("Markdown fragment: %s\n", md_path);
    printf("Total time: %.1f s\n", (double)(zc_bench_now_ns() - start) / 1e9);
    return saved == 0 ? 0 : 1;
}
