/* bench_open.c - time from a pack's path to a pointer into one entry, lookups among
 * 10,000 and 1,000,000 entries, and the cost of a mesh view once its structure check
 * is paid, each beside a comparator measured in the same run.
 *
 *  1. Packs written under build/bench/ through the pack writer, with contents from a
 *     fixed seed: three of 10,000 blob entries (64 KiB, 64 MiB and 1 GiB of payload)
 *     and one of 1,000,000 blob entries of 21 to 63 bytes (40 MiB). A pack already
 *     there is reused when it opens, validates at TOC level and holds exactly the
 *     entries this program would write; otherwise it is rewritten (the 1,000,000-entry
 *     pack takes some seconds, once). A fourth, small pack holds one mesh entry of
 *     33,000 16-bit indices (a 100 x 55 quad grid), rewritten when its bytes differ.
 *  2. Open to first pointer: zc_pack_open + zc_pack_find of one fixed path + reading
 *     the first byte of its data + zc_pack_close, at the default validation (the
 *     header checksum and the TOC's first 4 KiB piece at open; the TOC pieces the
 *     lookup reads and the found record on first touch, SPEC.md 4.9) and at
 *     ZC_VALIDATE_NONE, beside two comparators on the same file: the floor, open +
 *     fstat + mmap of the whole file + reading one byte of the same page + munmap +
 *     close; and the TOC floor, the floor plus one pass over the TOC's bytes through
 *     the mapping (MADV_POPULATE_READ of its pages and XXH3-64 of its bytes, with the
 *     runtime's own XXH3): what checking the whole TOC at open would cost at least.
 *  3. Lookups: zc_pack_find, and zc_pack_find_many given 256 of them a call, over the
 *     paths in shuffled order beside bsearch + strcmp
 *     over the sorted path strings; zc_pack_find_id beside bsearch over the sorted
 *     64-bit ids; among 10,000 entries (every path per round) and among 1,000,000
 *     (100,000 paths per round, a different slice each round), after one untimed
 *     lookup of every entry (the record checks of first touch). Beside them, the two
 *     parts a lookup cannot avoid: zc_asset_id of the path, and a read at a random
 *     cache line of the TOC that depends on the read before (one cache miss).
 *  4. Mesh view: zc_mesh_view_from_entry on a freshly opened pack, its first call
 *     (the structure check, remembered in the pack) and the calls after it, beside
 *     zc_mesh_view_from_bytes on the same bytes, which checks every call.
 *
 * Every timed figure is given as its median with p10 and p90 over repetitions, with a
 * warm page cache, after warm-up runs. Output: a report on stdout, the Markdown
 * fragment build/bench/bench_open.md and its summary rows bench_open.glance that
 * `make bench` gathers into BENCHMARKS.md, and the charts docs/bench/open_time.png
 * (open time against pack size) and lookup.png. A benchmark, never a test: it exits
 * non-zero only when it cannot measure (I/O error, a pack that does not open).
 */
#define _DEFAULT_SOURCE /* madvise */
#include "zc_bench_plot.h"
#include "zc_bench_util.h"

#include "zc_blob.h"
#include "zc_pack.h"
#include "zc_pack_format.h"
#include "zc_writer.h"
/* zc__xxh3: the XXH3-64 the runtime's TOC checksum runs (AVX2 where the CPU has it),
 * so the TOC floor hashes exactly as fast as zc_pack_open can. */
#include "../../runtime/zc_hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14; older kernels answer EINVAL and fault instead */
#endif

#define BENCH_ENTRIES      10000u
#define BENCH_MANY_ENTRIES 1000000u
#define BENCH_SEED         UINT64_C(0x7a637061636b3031)
#define BENCH_MIN_ENTRY    4u        /* every entry starts with its index (4 bytes) */
#define BENCH_PATH_MAX     64u

#define OPEN_WARMUP        20        /* the 10,000-entry packs */
#define OPEN_REPS          200
#define OPEN_MANY_WARMUP   4         /* the 1,000,000-entry pack: about 0.1 s a default open here */
#define OPEN_MANY_REPS     40
#define FLAT_THRESHOLD     1.5       /* 1 GiB median within this factor of 64 KiB's */

#define MESH_GRID_X        100u      /* quads across */
#define MESH_GRID_Y        55u       /* quads down: 100 * 55 * 6 = 33,000 indices */
#define MESH_PATH          "meshes/terrain_grid.mesh"
#define MESH_WARMUP        10
#define MESH_REPS          200
#define MESH_BATCH         1000      /* calls per timed batch after the second */

typedef struct pack_spec {
    const char *label;          /* payload size as shown in the tables */
    const char *file_name;      /* inside the output directory */
    uint32_t entries;           /* an even count */
    uint32_t fixed_index;       /* the entry open-to-first-pointer finds */
    uint64_t payload;           /* exact sum of the entries' sizes */
} pack_spec;

static const pack_spec bench_specs[] = {
    {"64 KiB", "bench_open_64k.zcpack", BENCH_ENTRIES, 7123u, UINT64_C(64) << 10},
    {"64 MiB", "bench_open_64m.zcpack", BENCH_ENTRIES, 7123u, UINT64_C(64) << 20},
    {"1 GiB", "bench_open_1g.zcpack", BENCH_ENTRIES, 7123u, UINT64_C(1) << 30},
    {"40 MiB", "bench_open_1m.zcpack", BENCH_MANY_ENTRIES, 712345u, UINT64_C(40) << 20},
};
#define BENCH_SPEC_COUNT (sizeof bench_specs / sizeof bench_specs[0])
#define BENCH_FLAT_SPECS 3   /* the 10,000-entry packs, 64 KiB to 1 GiB: the flatness claim */
#define BENCH_LOOKUP_SPEC 1  /* lookups among 10,000 run on the 64 MiB pack */
#define BENCH_MANY_SPEC 3    /* the 1,000,000-entry pack */

/* Open to first pointer runs on groups of packs, each with its own repetitions; the
 * packs and variants of a group are interleaved. */
typedef struct open_group {
    size_t first, count;        /* bench_specs[first .. first + count) */
    int warmup, reps;
} open_group;

static const open_group open_groups[] = {
    {0, BENCH_FLAT_SPECS, OPEN_WARMUP, OPEN_REPS},
    {BENCH_MANY_SPEC, 1, OPEN_MANY_WARMUP, OPEN_MANY_REPS},
};
#define OPEN_GROUP_COUNT (sizeof open_groups / sizeof open_groups[0])

/* Lookups: how many rounds, and how many queries each round asks. */
typedef struct lookup_plan {
    size_t spec;                /* index into bench_specs */
    uint32_t per_round;         /* divides the entry count */
    int warmup, rounds;
} lookup_plan;

static const lookup_plan lookup_plans[] = {
    {BENCH_LOOKUP_SPEC, BENCH_ENTRIES, 3, 40},
    {BENCH_MANY_SPEC, 100000u, 2, 20},
};
#define LOOKUP_PLAN_COUNT (sizeof lookup_plans / sizeof lookup_plans[0])

enum { OPEN_FLOOR, OPEN_TOC_FLOOR, OPEN_PAGE_FLOOR, OPEN_DEFAULT, OPEN_NONE, OPEN_VARIANTS };

/* The TOC bytes a lookup by path reads: the TOC header, the bucket slot, the record,
 * the path (file offsets). */
enum { LOOKUP_PAGES = 4 };

typedef struct open_timing {
    zc_bench_spread ns[OPEN_VARIANTS];
    uint64_t file_size;
    uint64_t toc_offset, toc_size;
    uint32_t entries;
    uint64_t lookup_reads[LOOKUP_PAGES]; /* file offsets the fixed lookup reads in the TOC */
} open_timing;

/* Keeps every measured read and lookup result observable. */
static volatile uint64_t bench_sink;
/* Zero, unknown to the compiler: chains each read to the one before. */
static volatile uint64_t bench_zero;

/* ---------------------------------------------------------------------------------
 * The generated entries: paths, sizes and contents are pure functions of the index
 * (and of the pack's payload size and entry count), so a pack on disk can be checked
 * against them.
 * ------------------------------------------------------------------------------- */

/* The path of entry `index`; at most BENCH_PATH_MAX bytes with the NUL. Returns its
 * length. */
static size_t entry_path(uint32_t index, char *buf, size_t size) {
    static const char *const dirs[] = {"props", "textures", "meshes", "audio", "scripts"};
    static const char *const stems[] = {"crate", "albedo", "rock", "footstep", "door"};
    unsigned kind = (unsigned)(index / 200u) % 5u;
    int n = snprintf(buf, size, "level%02u/%s/%s_%05u.bin", (unsigned)(index / 1000u), dirs[kind], stems[kind],
                     (unsigned)index);
    return n > 0 ? (size_t)n : 0;
}

/* Sizes of `count` entries summing to exactly `payload`, each >= BENCH_MIN_ENTRY,
 * varied around the mean: neighbours trade a random amount so the total stays exact.
 * Needs payload >= count * BENCH_MIN_ENTRY and an even count. */
static void entry_sizes(uint64_t payload, uint32_t count, uint64_t *sizes) {
    uint64_t state = BENCH_SEED ^ payload;
    for (uint32_t i = 0; i < count; i += 2) {
        uint64_t a = payload * (i + 1) / count - payload * i / count;
        uint64_t b = payload * (i + 2) / count - payload * (i + 1) / count;
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
 * for `spec` (count, total payload, and the full bytes of the first, fixed and last
 * entries). */
static int pack_is_current(const char *path, const pack_spec *spec, const uint64_t *sizes, uint8_t *buf) {
    zc_pack *pack;
    if (zc_pack_open(&pack, &(zc_pack_desc){.path = path}) != ZC_OK) return 0;
    zc_pack_info info;
    int ok = zc_pack_get_info(pack, &info) == ZC_OK && info.entry_count == spec->entries &&
             info.payload_bytes == spec->payload && info.format_minor == ZC_FORMAT_MINOR; /* this writer's TOC */
    const uint32_t probes[] = {0, spec->fixed_index, spec->entries - 1};
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
    for (uint32_t i = 0; i < spec->entries; ++i) {
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
            printf("    %3d%%  %s in %u entries written, %.1f s\n", tenth * 10, bytes, i + 1,
                   (double)(zc_bench_now_ns() - t0) / 1e9);
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

/* Make sure `path` holds the pack of `spec` (reused or written); its provenance for
 * the report goes to `provenance`. */
static void prepare_pack(const char *path, const pack_spec *spec, int regenerate, char *provenance,
                         size_t provenance_size) {
    uint64_t *sizes = malloc(spec->entries * sizeof *sizes);
    if (!sizes) zc_bench_fatal("out of memory");
    entry_sizes(spec->payload, spec->entries, sizes);
    uint64_t largest = 0;
    for (uint32_t i = 0; i < spec->entries; ++i)
        if (sizes[i] > largest) largest = sizes[i];
    uint8_t *buf = malloc((size_t)largest);
    if (!buf) zc_bench_fatal("out of memory");
    struct stat st;
    int present = stat(path, &st) == 0;
    if (!regenerate && present && pack_is_current(path, spec, sizes, buf)) {
        snprintf(provenance, provenance_size, "reused (valid at TOC level, same entries)");
    } else {
        int big = spec->payload >= (UINT64_C(256) << 20) || spec->entries >= 100000u;
        printf("  %-6s  %s: %s, writing it\n", spec->label, path,
               regenerate ? "--regenerate" : present ? "present but not the expected pack" : "absent");
        fflush(stdout);
        double secs = generate_pack(path, spec, sizes, buf, big);
        if (!pack_is_current(path, spec, sizes, buf))
            zc_bench_fatal("%s: the pack just written does not hold the expected entries", path);
        double rate = secs > 0 ? 1.0 / secs : 1e9;
        if (spec->entries >= 100000u)
            snprintf(provenance, provenance_size, "generated in %.2f s (%.0f entries/s)", secs,
                     (double)spec->entries * rate);
        else if (spec->payload >= (UINT64_C(64) << 20))
            snprintf(provenance, provenance_size, "generated in %.2f s (%.0f MiB/s)", secs,
                     (double)spec->payload / (1024.0 * 1024.0) * rate);
        else
            snprintf(provenance, provenance_size, "generated in %.2f s", secs);
    }
    printf("  %-6s  %s: %u entries, %s\n", spec->label, path, spec->entries, provenance);
    free(buf);
    free(sizes);
}

/* ---------------------------------------------------------------------------------
 * Open to first pointer
 * ------------------------------------------------------------------------------- */

/* Map the pages of [offset, offset + size) of a mapping in one call, as the runtime
 * does for the TOC before its checksum (zc__os_map_populate). */
static void populate_range(void *map, uint64_t offset, uint64_t size) {
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), start = offset / page * page;
    madvise((char *)map + start, (size_t)(offset + size - start), MADV_POPULATE_READ);
}

/* The floor: the system calls any mmap-based reader needs, and one page touched. With
 * toc_size > 0, the TOC floor: the floor plus one pass over the TOC through the mapping
 * (its pages mapped in one call, then XXH3-64 of its bytes). With `reads`, the lookup
 * floor: the floor plus one byte read at each of the LOOKUP_PAGES offsets, the TOC
 * bytes zc_pack_find reads (first reads of mapped pages: page faults). */
static uint64_t time_floor(const char *path, uint64_t touch_offset, uint64_t toc_offset, uint64_t toc_size,
                           const uint64_t *reads) {
    uint64_t t0 = zc_bench_now_ns();
    int fd = open(path, O_RDONLY);
    if (fd < 0) zc_bench_fatal("%s: open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) zc_bench_fatal("%s: fstat: %s", path, strerror(errno));
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) zc_bench_fatal("%s: mmap: %s", path, strerror(errno));
    if (toc_size) {
        populate_range(map, toc_offset, toc_size);
        bench_sink += zc__xxh3((const uint8_t *)map + toc_offset, (size_t)toc_size);
    }
    for (int k = 0; reads && k < LOOKUP_PAGES; ++k) bench_sink += ((const volatile uint8_t *)map)[reads[k]];
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
static void open_setup(const char *path, const pack_spec *spec, open_timing *out, uint64_t *touch_offset) {
    char fixed[BENCH_PATH_MAX];
    entry_path(spec->fixed_index, fixed, sizeof fixed);
    zc_pack *pack;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){.path = path, .logger = {zc_bench_log_to_stderr, NULL}});
    if (r != ZC_OK) zc_bench_fatal("%s: zc_pack_open: %s", path, zc_result_str(r));
    zc_pack_info info;
    zc_entry e;
    if (zc_pack_get_info(pack, &info) != ZC_OK || zc_pack_find(pack, fixed, &e) != ZC_OK)
        zc_bench_fatal("%s: %s not found", path, fixed);
    *touch_offset = e.offset; /* the floors read the same page as zcpack's first read */
    /* the TOC bytes the lookup of `fixed` reads: the TOC header, its bucket's two slots,
     * its record and its path */
    const uint8_t *base = (const uint8_t *)e.data - e.offset;
    zc_toc_header th;
    zc_toc_index ix;
    memcpy(&th, base + info.toc_offset, sizeof th);
    memcpy(&ix, base + info.toc_offset + sizeof th, sizeof ix);
    out->lookup_reads[0] = info.toc_offset;
    out->lookup_reads[1] = info.toc_offset + ix.offset + 4u * zc_toc_index_bucket(e.id, ix.bits);
    out->lookup_reads[2] = info.toc_offset + th.header_size + (uint64_t)e.index * th.entry_size;
    out->lookup_reads[3] = (uint64_t)((const uint8_t *)e.path - base);
    out->file_size = info.file_size;
    out->toc_offset = info.toc_offset;
    out->toc_size = info.toc_size;
    out->entries = info.entry_count;
    zc_pack_close(pack);
}

/* Every repetition runs all packs of the group and all variants in a rotating order,
 * so a burst of outside load lands on every column alike instead of on one pack. */
static void bench_open_group(char (*paths)[4096], const open_group *group, open_timing *out) {
    char fixed[BENCH_SPEC_COUNT][BENCH_PATH_MAX];
    uint64_t touch[BENCH_SPEC_COUNT];
    for (size_t s = group->first; s < group->first + group->count; ++s) {
        entry_path(bench_specs[s].fixed_index, fixed[s], sizeof fixed[s]);
        open_setup(paths[s], &bench_specs[s], &out[s], &touch[s]);
    }
    int slots = (int)group->count * OPEN_VARIANTS, reps = group->reps;
    double *ns = malloc((size_t)slots * (size_t)reps * sizeof *ns);
    if (!ns) zc_bench_fatal("out of memory");
    for (int rep = -group->warmup; rep < reps; ++rep) {
        for (int k = 0; k < slots; ++k) {
            int slot = (rep + group->warmup + k) % slots;
            size_t s = group->first + (size_t)slot / OPEN_VARIANTS;
            uint64_t t = 0;
            switch (slot % OPEN_VARIANTS) {
            case OPEN_FLOOR: t = time_floor(paths[s], touch[s], 0, 0, NULL); break;
            case OPEN_TOC_FLOOR: t = time_floor(paths[s], touch[s], out[s].toc_offset, out[s].toc_size, NULL); break;
            case OPEN_PAGE_FLOOR: t = time_floor(paths[s], touch[s], 0, 0, out[s].lookup_reads); break;
            case OPEN_DEFAULT: t = time_zcpack(paths[s], fixed[s], ZC_VALIDATE_DEFAULT); break;
            default: t = time_zcpack(paths[s], fixed[s], ZC_VALIDATE_NONE); break;
            }
            if (rep >= 0) ns[slot * reps + rep] = (double)t;
        }
    }
    for (int slot = 0; slot < slots; ++slot)
        out[group->first + (size_t)slot / OPEN_VARIANTS].ns[slot % OPEN_VARIANTS] =
            zc_bench_spread_of(ns + slot * reps, (size_t)reps);
    free(ns);
}

/* ---------------------------------------------------------------------------------
 * Lookups
 * ------------------------------------------------------------------------------- */

enum {
    LOOKUP_FIND,
    LOOKUP_FIND_MANY, /* zc_pack_find_many over the round's queries: the time per path */
    LOOKUP_BSEARCH_PATH,
    LOOKUP_FIND_ID,
    LOOKUP_BSEARCH_ID,
    LOOKUP_HASH,    /* zc_asset_id of the query: the part of zc_pack_find that is not memory */
    LOOKUP_TOUCH,   /* a read at a random cache line of the TOC whose address depends on
                       the read before: what one cache miss costs (memory latency) */
    LOOKUP_METHODS
};

/* Paths per zc_pack_find_many call: a level's list of assets arrives in one piece;
 * the call interleaves them in its own groups. */
enum { LOOKUP_BATCH = 256 };

typedef struct lookup_data {
    const zc_pack *pack;
    uint32_t count;             /* entries */
    const char **queries;       /* every path once, shuffled */
    uint64_t *query_ids;        /* their ids, same order */
    const char **sorted_paths;  /* the comparator's table */
    uint64_t *sorted_ids;
    const uint8_t *toc;         /* the pack's TOC in a mapping of our own, populated */
    uint64_t toc_lines;         /* its whole 64-byte lines */
} lookup_data;

typedef struct lookup_timing {
    uint32_t entries;
    uint32_t per_round;
    int rounds, warmup;
    zc_bench_spread ns[LOOKUP_METHODS]; /* ns per lookup */
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

/* One round: queries [first, first + n). Returns the elapsed ns; exits if any lookup
 * misses. */
static uint64_t lookup_round(const lookup_data *d, int method, uint32_t first, uint32_t n) {
    const char *const *queries = d->queries + first;
    const uint64_t *ids = d->query_ids + first;
    uint64_t acc = 0;
    uint32_t found = 0;
    uint64_t t0 = zc_bench_now_ns();
    switch (method) {
    case LOOKUP_FIND:
        for (uint32_t i = 0; i < n; ++i) {
            zc_entry e;
            if (zc_pack_find(d->pack, queries[i], &e) == ZC_OK) {
                ++found;
                acc += e.offset;
            }
        }
        break;
    case LOOKUP_FIND_MANY:
        for (uint32_t i = 0; i < n; i += LOOKUP_BATCH) {
            uint32_t m = n - i < LOOKUP_BATCH ? n - i : LOOKUP_BATCH;
            zc_entry e[LOOKUP_BATCH];
            zc_result r[LOOKUP_BATCH];
            zc_pack_find_many(d->pack, queries + i, m, e, r);
            for (uint32_t k = 0; k < m; ++k)
                if (r[k] == ZC_OK) {
                    ++found;
                    acc += e[k].offset;
                }
        }
        break;
    case LOOKUP_BSEARCH_PATH:
        for (uint32_t i = 0; i < n; ++i) {
            const char *const *hit = (const char *const *)bsearch(queries[i], d->sorted_paths, d->count,
                                                                  sizeof *d->sorted_paths, cmp_path_key);
            if (hit) {
                ++found;
                acc += (uint64_t)(hit - d->sorted_paths);
            }
        }
        break;
    case LOOKUP_FIND_ID:
        for (uint32_t i = 0; i < n; ++i) {
            zc_entry e;
            if (zc_pack_find_id(d->pack, ids[i], &e) == ZC_OK) {
                ++found;
                acc += e.offset;
            }
        }
        break;
    case LOOKUP_BSEARCH_ID:
        for (uint32_t i = 0; i < n; ++i) {
            const uint64_t *hit =
                (const uint64_t *)bsearch(&ids[i], d->sorted_ids, d->count, sizeof *d->sorted_ids, cmp_u64);
            if (hit) {
                ++found;
                acc += (uint64_t)(hit - d->sorted_ids);
            }
        }
        break;
    case LOOKUP_TOUCH: {
        uint64_t zero = bench_zero, word = 0;
        for (uint32_t i = 0; i < n; ++i) {
            memcpy(&word, d->toc + (ids[i] ^ (word & zero)) % d->toc_lines * 64, sizeof word);
            acc += word;
            ++found;
        }
        break;
    }
    default:
        for (uint32_t i = 0; i < n; ++i) {
            acc += zc_asset_id(queries[i], strlen(queries[i]));
            ++found;
        }
        break;
    }
    uint64_t elapsed = zc_bench_now_ns() - t0;
    if (found != n) zc_bench_fatal("lookup method %d found %u of %u entries", method, found, n);
    bench_sink += acc;
    return elapsed;
}

/* Copy the strings `paths` point at into `pool`, one after the other in that order,
 * and point `paths` at the copies. */
static void pack_strings(const char **paths, uint32_t count, char *pool) {
    size_t used = 0;
    for (uint32_t i = 0; i < count; ++i) {
        size_t n = strlen(paths[i]) + 1;
        memcpy(pool + used, paths[i], n);
        paths[i] = pool + used;
        used += n;
    }
}

/* Lookups on the pack at `path` following `plan`. The query strings lie one after the
 * other in query order (reading the next query costs no cache miss, whatever the
 * entry count), the comparator's strings in sorted order, as a sorted string table
 * holds them. Every entry is looked up once before timing, so its record check (run
 * on first touch at the default level) is paid outside the rounds. */
static void bench_lookups(const char *path, const lookup_plan *plan, lookup_timing *out) {
    const pack_spec *spec = &bench_specs[plan->spec];
    uint32_t count = spec->entries;
    zc_pack *pack;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){.path = path, .logger = {zc_bench_log_to_stderr, NULL}});
    if (r != ZC_OK) zc_bench_fatal("%s: zc_pack_open: %s", path, zc_result_str(r));
    zc_pack_info info;
    if (zc_pack_get_info(pack, &info) != ZC_OK) zc_bench_fatal("%s: zc_pack_get_info failed", path);
    int fd = open(path, O_RDONLY);
    if (fd < 0) zc_bench_fatal("%s: open: %s", path, strerror(errno));
    void *map = mmap(NULL, (size_t)info.file_size, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) zc_bench_fatal("%s: mmap: %s", path, strerror(errno));
    close(fd);
    populate_range(map, info.toc_offset, info.toc_size);

    char *names = malloc((size_t)count * BENCH_PATH_MAX);
    char *query_pool = malloc((size_t)count * BENCH_PATH_MAX);
    char *table_pool = malloc((size_t)count * BENCH_PATH_MAX);
    lookup_data d = {
        .pack = pack,
        .count = count,
        .queries = malloc(count * sizeof *d.queries),
        .query_ids = malloc(count * sizeof *d.query_ids),
        .sorted_paths = malloc(count * sizeof *d.sorted_paths),
        .sorted_ids = malloc(count * sizeof *d.sorted_ids),
        .toc = (const uint8_t *)map + info.toc_offset,
        .toc_lines = info.toc_size / 64,
    };
    if (!names || !query_pool || !table_pool || !d.queries || !d.query_ids || !d.sorted_paths || !d.sorted_ids)
        zc_bench_fatal("out of memory");
    for (uint32_t i = 0; i < count; ++i) {
        d.queries[i] = names + (size_t)i * BENCH_PATH_MAX;
        entry_path(i, names + (size_t)i * BENCH_PATH_MAX, BENCH_PATH_MAX);
    }
    uint64_t state = BENCH_SEED ^ UINT64_C(0x53485546464c45); /* Fisher-Yates, fixed seed */
    for (uint32_t i = count - 1; i > 0; --i) {
        uint32_t j = (uint32_t)zc_bench_rand_below(&state, (uint64_t)i + 1);
        const char *t = d.queries[i];
        d.queries[i] = d.queries[j];
        d.queries[j] = t;
    }
    pack_strings(d.queries, count, query_pool);
    for (uint32_t i = 0; i < count; ++i) {
        d.query_ids[i] = zc_asset_id(d.queries[i], strlen(d.queries[i]));
        d.sorted_paths[i] = d.queries[i];
        d.sorted_ids[i] = d.query_ids[i];
    }
    qsort(d.sorted_paths, count, sizeof *d.sorted_paths, cmp_path_ptr);
    pack_strings(d.sorted_paths, count, table_pool);
    qsort(d.sorted_ids, count, sizeof *d.sorted_ids, cmp_u64);
    free(names);

    uint32_t slices = count / plan->per_round;
    for (uint32_t k = 0; k < slices; ++k) lookup_round(&d, LOOKUP_FIND, k * plan->per_round, plan->per_round);

    int rounds = plan->rounds;
    double *ns = malloc((size_t)LOOKUP_METHODS * (size_t)rounds * sizeof *ns);
    if (!ns) zc_bench_fatal("out of memory");
    for (int round = -plan->warmup; round < rounds; ++round) {
        uint32_t first = (uint32_t)((round + plan->warmup) % (int)slices) * plan->per_round;
        for (int k = 0; k < LOOKUP_METHODS; ++k) {
            int method = (round + plan->warmup + k) % LOOKUP_METHODS;
            uint64_t elapsed = lookup_round(&d, method, first, plan->per_round);
            if (round >= 0) ns[method * rounds + round] = (double)elapsed / plan->per_round;
        }
    }
    out->entries = count;
    out->per_round = plan->per_round;
    out->rounds = rounds;
    out->warmup = plan->warmup;
    for (int m = 0; m < LOOKUP_METHODS; ++m) out->ns[m] = zc_bench_spread_of(ns + m * rounds, (size_t)rounds);
    free(ns);
    free(query_pool);
    free(table_pool);
    free(d.queries);
    free(d.query_ids);
    free(d.sorted_paths);
    free(d.sorted_ids);
    munmap(map, (size_t)info.file_size);
    zc_pack_close(pack);
}

/* ---------------------------------------------------------------------------------
 * Mesh view
 * ------------------------------------------------------------------------------- */

enum { MESH_FIRST, MESH_SECOND, MESH_LATER, MESH_FROM_BYTES, MESH_CLOCK, MESH_FIGURES };

typedef struct mesh_timing {
    uint32_t index_count, vertex_count;
    uint64_t payload_size;
    zc_bench_spread ns[MESH_FIGURES];
} mesh_timing;

/* Place `size` bytes at the next multiple of `align` after *end; returns their offset. */
static size_t mesh_place(size_t *end, size_t size, size_t align) {
    size_t at = (*end + align - 1) / align * align;
    *end = at + size;
    return at;
}

/* The relative array field at `field` of `payload` pointing at `target`. */
static void mesh_link(uint8_t *payload, size_t field, size_t target, uint64_t count) {
    zc_array a = {count ? (int64_t)target - (int64_t)field : 0, count};
    memcpy(payload + field, &a, sizeof a);
}

/* A flat grid of MESH_GRID_X x MESH_GRID_Y quads in one interleaved stream (POSITION,
 * NORMAL, TEXCOORD0; 32 bytes a vertex), two counter-clockwise triangles a quad, 16-bit
 * indices, one submesh: the layout of zc_mesh.h. Returns a malloc'd payload of *size
 * bytes. */
static uint8_t *mesh_build(size_t *size) {
    enum { STRIDE = 32 };
    const uint32_t columns = MESH_GRID_X + 1, vertices = (MESH_GRID_X + 1) * (MESH_GRID_Y + 1);
    const uint32_t indices = MESH_GRID_X * MESH_GRID_Y * 6;
    size_t end = 0;
    size_t at_mesh = mesh_place(&end, sizeof(zc_mesh), 16);
    size_t at_stream = mesh_place(&end, sizeof(zc_vertex_stream), ZC_MESH_RECORD_ALIGN);
    size_t at_attrs = mesh_place(&end, 3 * sizeof(zc_vertex_attribute), ZC_MESH_RECORD_ALIGN);
    size_t at_sub = mesh_place(&end, sizeof(zc_submesh), ZC_MESH_RECORD_ALIGN);
    size_t at_vertices = mesh_place(&end, (size_t)vertices * STRIDE, ZC_MESH_DATA_ALIGN);
    size_t at_indices = mesh_place(&end, (size_t)indices * 2, ZC_MESH_DATA_ALIGN);
    uint8_t *p = calloc(1, end);
    if (!p) zc_bench_fatal("out of memory");

    zc_mesh m;
    memset(&m, 0, sizeof m);
    m.struct_size = sizeof(zc_mesh);
    m.vertex_count = vertices;
    m.index_count = indices;
    m.index_size = 2;
    m.aabb_max[0] = (float)MESH_GRID_X;
    m.aabb_max[1] = (float)MESH_GRID_Y;
    m.sphere_center[0] = (float)MESH_GRID_X / 2;
    m.sphere_center[1] = (float)MESH_GRID_Y / 2;
    m.sphere_radius = (float)(MESH_GRID_X + MESH_GRID_Y) / 2; /* >= the half diagonal */
    memcpy(p + at_mesh, &m, sizeof m);
    mesh_link(p, at_mesh + offsetof(zc_mesh, streams), at_stream, 1);
    mesh_link(p, at_mesh + offsetof(zc_mesh, attributes), at_attrs, 3);
    mesh_link(p, at_mesh + offsetof(zc_mesh, submeshes), at_sub, 1);
    mesh_link(p, at_mesh + offsetof(zc_mesh, indices), at_indices, (uint64_t)indices * 2);

    zc_vertex_stream stream = {{0, 0}, STRIDE, 0};
    memcpy(p + at_stream, &stream, sizeof stream);
    mesh_link(p, at_stream + offsetof(zc_vertex_stream, data), at_vertices, (uint64_t)vertices * STRIDE);
    const zc_vertex_attribute attrs[3] = {
        {ZC_SEMANTIC_POSITION, ZC_VERTEX_FORMAT_FLOAT32x3, 0, 0, 0, 0},
        {ZC_SEMANTIC_NORMAL, ZC_VERTEX_FORMAT_FLOAT32x3, 0, 0, 12, 0},
        {ZC_SEMANTIC_TEXCOORD0, ZC_VERTEX_FORMAT_FLOAT32x2, 0, 0, 24, 0},
    };
    memcpy(p + at_attrs, attrs, sizeof attrs);
    const zc_submesh sub = {0, indices, 0, 0, 0};
    memcpy(p + at_sub, &sub, sizeof sub);

    for (uint32_t v = 0; v < vertices; ++v) {
        float x = (float)(v % columns), y = (float)(v / columns);
        const float vertex[8] = {x, y, 0.0f, 0.0f, 0.0f, 1.0f, x / MESH_GRID_X, y / MESH_GRID_Y};
        memcpy(p + at_vertices + (size_t)v * STRIDE, vertex, sizeof vertex);
    }
    uint16_t *ix = (uint16_t *)(p + at_indices);
    for (uint32_t qy = 0; qy < MESH_GRID_Y; ++qy) {
        for (uint32_t qx = 0; qx < MESH_GRID_X; ++qx) {
            uint16_t a = (uint16_t)(qy * columns + qx), b = (uint16_t)(a + 1);
            uint16_t c = (uint16_t)(a + columns + 1), d = (uint16_t)(a + columns);
            const uint16_t quad[6] = {a, b, c, a, c, d};
            memcpy(ix, quad, sizeof quad);
            ix += 6;
        }
    }
    *size = end;
    return p;
}

/* 1 when `path` opens and its MESH_PATH entry holds exactly `payload`. */
static int mesh_pack_is_current(const char *path, const uint8_t *payload, size_t size) {
    zc_pack *pack;
    if (zc_pack_open(&pack, &(zc_pack_desc){.path = path}) != ZC_OK) return 0;
    zc_entry e;
    const void *data;
    uint64_t stored;
    int ok = zc_pack_find(pack, MESH_PATH, &e) == ZC_OK &&
             zc_entry_bytes(&e, ZC_TYPE_MESH, &data, &stored) == ZC_OK && stored == size &&
             memcmp(data, payload, size) == 0;
    zc_pack_close(pack);
    return ok;
}

/* The mesh pack at `path`, reused when current, else written (the writer's verified
 * re-open runs the mesh check at level CHECKSUMS, so a wrong layout fails here). */
static void prepare_mesh_pack(const char *path, mesh_timing *out) {
    size_t size;
    uint8_t *payload = mesh_build(&size);
    const zc_mesh *m = (const zc_mesh *)payload;
    out->index_count = m->index_count;
    out->vertex_count = m->vertex_count;
    out->payload_size = size;
    if (mesh_pack_is_current(path, payload, size)) {
        printf("  mesh    %s: reused\n", path);
    } else {
        zc_writer *w;
        zc_result r = zc_writer_open(&w, &(zc_writer_desc){.path = path, .logger = {zc_bench_log_to_stderr, NULL}});
        if (r == ZC_OK) {
            r = zc_writer_begin_entry(w, MESH_PATH, ZC_TYPE_MESH, ZC_MESH_LAYOUT_HASH, 0);
            if (r == ZC_OK) r = zc_writer_write(w, payload, size);
            if (r == ZC_OK) r = zc_writer_end_entry(w);
            if (r == ZC_OK) r = zc_writer_finish(w);
            else zc_writer_abort(w);
        }
        if (r != ZC_OK) zc_bench_fatal("%s: writing the mesh pack failed: %s", path, zc_result_str(r));
        if (!mesh_pack_is_current(path, payload, size))
            zc_bench_fatal("%s: the mesh pack just written does not hold the expected entry", path);
        printf("  mesh    %s: written\n", path);
    }
    free(payload);
}

/* Exit unless `r` is ZC_OK and the view shows the grid. */
static void mesh_expect(zc_result r, const zc_mesh_view *view, const mesh_timing *t, const char *what) {
    if (r != ZC_OK) zc_bench_fatal("%s: %s", what, zc_result_str(r));
    if (view->index_count != t->index_count || view->vertex_count != t->vertex_count)
        zc_bench_fatal("%s: the view shows %u indices and %u vertices", what, view->index_count, view->vertex_count);
    bench_sink += zc_mesh_view_index(view, view->index_count - 1);
}

/* Each repetition opens the pack at the default level and finds the entry (untimed),
 * then times the first view (the structure check), the second, a batch of
 * MESH_BATCH more, one zc_mesh_view_from_bytes of the same bytes, and an empty
 * interval (what one clock read costs). */
static void bench_mesh(const char *path, mesh_timing *out) {
    static double ns[MESH_FIGURES][MESH_REPS];
    for (int rep = -MESH_WARMUP; rep < MESH_REPS; ++rep) {
        zc_pack *pack;
        zc_result r = zc_pack_open(&pack, &(zc_pack_desc){.path = path, .logger = {zc_bench_log_to_stderr, NULL}});
        if (r != ZC_OK) zc_bench_fatal("%s: zc_pack_open: %s", path, zc_result_str(r));
        zc_entry e;
        if (zc_pack_find(pack, MESH_PATH, &e) != ZC_OK) zc_bench_fatal("%s: %s not found", path, MESH_PATH);
        zc_mesh_view view;
        double t[MESH_FIGURES];

        uint64_t t0 = zc_bench_now_ns();
        r = zc_mesh_view_from_entry(&e, &view);
        t[MESH_FIRST] = (double)(zc_bench_now_ns() - t0);
        mesh_expect(r, &view, out, "zc_mesh_view_from_entry, first call");

        t0 = zc_bench_now_ns();
        r = zc_mesh_view_from_entry(&e, &view);
        t[MESH_SECOND] = (double)(zc_bench_now_ns() - t0);
        mesh_expect(r, &view, out, "zc_mesh_view_from_entry, second call");

        zc_result batch = ZC_OK;
        uint64_t acc = 0;
        t0 = zc_bench_now_ns();
        for (int k = 0; k < MESH_BATCH; ++k) {
            zc_result rk = zc_mesh_view_from_entry(&e, &view);
            if (rk != ZC_OK) batch = rk;
            acc += view.index_count;
        }
        t[MESH_LATER] = (double)(zc_bench_now_ns() - t0) / MESH_BATCH;
        bench_sink += acc;
        mesh_expect(batch, &view, out, "zc_mesh_view_from_entry, later calls");

        t0 = zc_bench_now_ns();
        r = zc_mesh_view_from_bytes(e.data, e.raw_size, &view);
        t[MESH_FROM_BYTES] = (double)(zc_bench_now_ns() - t0);
        mesh_expect(r, &view, out, "zc_mesh_view_from_bytes");

        t0 = zc_bench_now_ns();
        t[MESH_CLOCK] = (double)(zc_bench_now_ns() - t0);

        zc_pack_close(pack);
        if (rep >= 0)
            for (int f = 0; f < MESH_FIGURES; ++f) ns[f][rep] = t[f];
    }
    for (int f = 0; f < MESH_FIGURES; ++f) out->ns[f] = zc_bench_spread_of(ns[f], MESH_REPS);
}

/* ---------------------------------------------------------------------------------
 * Charts (docs/bench/, linked from the fragment)
 * ------------------------------------------------------------------------------- */

/* Open time against pack size: one line per variant over the 10,000-entry packs. */
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
    chart.series_count = OPEN_VARIANTS;
    chart.series[OPEN_FLOOR].name = "floor: open + fstat + mmap + read 1 byte";
    chart.series[OPEN_TOC_FLOOR].name = "TOC floor: the floor + XXH3 of the TOC";
    chart.series[OPEN_PAGE_FLOOR].name = "lookup floor: the floor + a read of each TOC page a lookup reads";
    chart.series[OPEN_DEFAULT].name = "zcpack: open (default validation) + find + read";
    chart.series[OPEN_NONE].name = "zcpack at ZC_VALIDATE_NONE";
    static char labels[BENCH_FLAT_SPECS][32];
    for (size_t s = 0; s < BENCH_FLAT_SPECS; ++s) {
        double x = (double)t[s].file_size;
        for (int k = 0; k < OPEN_VARIANTS; ++k) {
            chart.series[k].x[s] = x;
            chart.series[k].y[s] = t[s].ns[k].median / 1000.0;
            chart.series[k].count = BENCH_FLAT_SPECS;
        }
        zc_bench_format_bytes(t[s].file_size, labels[s], sizeof labels[s]);
        chart.x_ticks[s] = x;
        chart.x_tick_labels[s] = labels[s];
    }
    chart.x_tick_count = BENCH_FLAT_SPECS;
    zc_plot_lines_md(&chart, "open_time", md);
}

/* Nanoseconds per lookup beside the bsearch comparators, per pack. */
static void plot_lookups(const lookup_timing *look, zc_bench_md *md) {
    static zc_plot_bars chart;
    memset(&chart, 0, sizeof chart);
    chart.title = "Lookup against libc bsearch";
    chart.subtitle = "shuffled order; median of the rounds; lower is better";
    chart.value_label = "ns per lookup";
    chart.series_count = 2;
    chart.series[0] = "zcpack (zc_pack_find, zc_pack_find_id)";
    chart.series[1] = "bsearch over the same keys";
    static char groups[LOOKUP_PLAN_COUNT * 2][48];
    const int methods[2][2] = {{LOOKUP_FIND, LOOKUP_BSEARCH_PATH}, {LOOKUP_FIND_ID, LOOKUP_BSEARCH_ID}};
    for (size_t p = 0; p < LOOKUP_PLAN_COUNT; ++p) {
        for (int k = 0; k < 2; ++k) {
            int g = (int)p * 2 + k;
            snprintf(groups[g], sizeof groups[g], "%s, %u entries", k == 0 ? "by path" : "by 64-bit id",
                     look[p].entries);
            chart.groups[g] = groups[g];
            double ours = look[p].ns[methods[k][0]].median, theirs = look[p].ns[methods[k][1]].median;
            chart.values[g][0] = ours;
            chart.values[g][1] = theirs;
            snprintf(chart.notes[g][0], sizeof chart.notes[g][0], "%.1f ns (%.2fx)", ours, ours / theirs);
            snprintf(chart.notes[g][1], sizeof chart.notes[g][1], "%.1f ns", theirs);
        }
    }
    chart.group_count = (int)LOOKUP_PLAN_COUNT * 2;
    zc_plot_bars_md(&chart, "lookup", md);
}

/* ---------------------------------------------------------------------------------
 * Report
 * ------------------------------------------------------------------------------- */

/* "40.2 ns [38.1..51.5]" below a microsecond (one decimal), else zc_bench_format_spread. */
static void format_timing(const zc_bench_spread *s, char *buf, size_t size) {
    if (s->p90 < 1000.0) snprintf(buf, size, "%.1f ns [%.1f..%.1f]", s->median, s->p10, s->p90);
    else zc_bench_format_spread(s, buf, size);
}

static void open_table_fill(zc_bench_table *table, const open_timing *open_t) {
    static const char *const heads[] = {"payload",      "entries",          "file",         "TOC",
                                        "floor",        "TOC floor",        "lookup floor", "zcpack",
                                        "NONE",         "zcpack/floor",     "zcpack/TOC floor", "NONE/floor",
                                        "NONE/lookup floor", "validation share"};
    zc_bench_table_init(table, 14, heads);
    for (size_t s = 0; s < BENCH_SPEC_COUNT; ++s) {
        const open_timing *t = &open_t[s];
        int row = zc_bench_table_add_row(table);
        char b[64];
        zc_bench_table_set(table, row, 0, "%s", bench_specs[s].label);
        zc_bench_table_set(table, row, 1, "%u", t->entries);
        zc_bench_format_bytes(t->file_size, b, sizeof b);
        zc_bench_table_set(table, row, 2, "%s", b);
        zc_bench_format_bytes(t->toc_size, b, sizeof b);
        zc_bench_table_set(table, row, 3, "%s", b);
        static const int columns[OPEN_VARIANTS] = {4, 5, 6, 7, 8};
        for (int v = 0; v < OPEN_VARIANTS; ++v) {
            zc_bench_format_spread(&t->ns[v], b, sizeof b);
            zc_bench_table_set(table, row, columns[v], "%s", b);
        }
        double def = t->ns[OPEN_DEFAULT].median, none = t->ns[OPEN_NONE].median;
        zc_bench_table_set(table, row, 9, "%.2fx", def / t->ns[OPEN_FLOOR].median);
        zc_bench_table_set(table, row, 10, "%.2fx", def / t->ns[OPEN_TOC_FLOOR].median);
        zc_bench_table_set(table, row, 11, "%.2fx", none / t->ns[OPEN_FLOOR].median);
        zc_bench_table_set(table, row, 12, "%.2fx", none / t->ns[OPEN_PAGE_FLOOR].median);
        zc_bench_table_set(table, row, 13, "%.0f%%", def > none ? 100.0 * (def - none) / def : 0.0);
    }
}

static void look_table_fill(zc_bench_table *table, const lookup_timing *look) {
    static const char *const heads[] = {"operation",  "entries",         "zcpack ns/op",
                                        "comparator", "comparator ns/op", "zcpack/comparator"};
    zc_bench_table_init(table, 6, heads);
    zc_bench_table_left(table, 3);
    static const struct {
        const char *name;
        int method;
        const char *comparator;
        int comparator_method;
    } rows[] = {
        {"zc_pack_find (path)", LOOKUP_FIND, "bsearch + strcmp, sorted paths", LOOKUP_BSEARCH_PATH},
        {"zc_pack_find_many (paths, 256 a call)", LOOKUP_FIND_MANY, "bsearch + strcmp, sorted paths",
         LOOKUP_BSEARCH_PATH},
        {"zc_pack_find_id (id)", LOOKUP_FIND_ID, "bsearch, sorted uint64 ids", LOOKUP_BSEARCH_ID},
        {"zc_asset_id (hash only)", LOOKUP_HASH, "-", -1},
        {"a random TOC line, dependent read", LOOKUP_TOUCH, "-", -1},
    };
    for (size_t p = 0; p < LOOKUP_PLAN_COUNT; ++p) {
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; ++i) {
            const lookup_timing *l = &look[p];
            int row = zc_bench_table_add_row(table);
            char b[64];
            zc_bench_table_set(table, row, 0, "%s", rows[i].name);
            zc_bench_table_set(table, row, 1, "%u", l->entries);
            format_timing(&l->ns[rows[i].method], b, sizeof b);
            zc_bench_table_set(table, row, 2, "%s", b);
            zc_bench_table_set(table, row, 3, "%s", rows[i].comparator);
            if (rows[i].comparator_method >= 0) {
                format_timing(&l->ns[rows[i].comparator_method], b, sizeof b);
                zc_bench_table_set(table, row, 4, "%s", b);
                zc_bench_table_set(table, row, 5, "%.2fx",
                                   l->ns[rows[i].method].median / l->ns[rows[i].comparator_method].median);
            } else {
                zc_bench_table_set(table, row, 4, "-");
                zc_bench_table_set(table, row, 5, "-");
            }
        }
    }
}

static void mesh_table_fill(zc_bench_table *table, const mesh_timing *mesh) {
    static const char *const heads[] = {"call", "time per call", "/ from_bytes"};
    zc_bench_table_init(table, 3, heads);
    char later[48];
    snprintf(later, sizeof later, "from_entry, calls 3 to %d (batch mean)", MESH_BATCH + 2);
    const struct {
        int figure;
        const char *name;
    } rows[] = {
        {MESH_FIRST, "from_entry, first call after open"},
        {MESH_SECOND, "from_entry, second call (timed alone)"},
        {MESH_LATER, later},
        {MESH_FROM_BYTES, "from_bytes, same bytes (comparator)"},
        {MESH_CLOCK, "an empty timed interval"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; ++i) {
        int row = zc_bench_table_add_row(table);
        char b[64];
        zc_bench_table_set(table, row, 0, "%s", rows[i].name);
        format_timing(&mesh->ns[rows[i].figure], b, sizeof b);
        zc_bench_table_set(table, row, 1, "%s", b);
        if (rows[i].figure == MESH_CLOCK) zc_bench_table_set(table, row, 2, "-");
        else zc_bench_table_set(table, row, 2, "%.4fx", mesh->ns[rows[i].figure].median / mesh->ns[MESH_FROM_BYTES].median);
    }
}

static void usage(FILE *out) {
    fprintf(out,
            "usage: bench_open [--dir DIR] [--regenerate]\n"
            "  Measures open-to-first-pointer and lookups on generated packs of %u and %u entries,\n"
            "  and mesh views of a %u-index mesh.\n"
            "  --dir DIR       where packs and bench_open.md go (default: build/bench)\n"
            "  --regenerate    rewrite the packs even when valid ones are already there\n",
            BENCH_ENTRIES, BENCH_MANY_ENTRIES, MESH_GRID_X * MESH_GRID_Y * 6);
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
    printf("bench_open: open-to-first-pointer, lookups and mesh views, zcpack %s\n", zc_version_string());
    printf("  CPU: %s, %ld logical cores\n  Kernel: %s\n  Compiler: %s\n\n", machine.cpu, machine.cores,
           machine.kernel, machine.compiler);

    /* 1. packs */
    char paths[BENCH_SPEC_COUNT][4096];
    char provenance[BENCH_SPEC_COUNT][96];
    printf("Packs (blob entries, contents from a fixed seed):\n");
    for (size_t s = 0; s < BENCH_SPEC_COUNT; ++s) {
        snprintf(paths[s], sizeof paths[s], "%s/%s", dir, bench_specs[s].file_name);
        prepare_pack(paths[s], &bench_specs[s], regenerate, provenance[s], sizeof provenance[s]);
    }
    char mesh_path[4096];
    snprintf(mesh_path, sizeof mesh_path, "%s/bench_open_mesh.zcpack", dir);
    mesh_timing mesh;
    prepare_mesh_pack(mesh_path, &mesh);
    printf("\n");

    /* 2. open to first pointer */
    open_timing open_t[BENCH_SPEC_COUNT];
    for (size_t g = 0; g < OPEN_GROUP_COUNT; ++g) {
        printf("measuring open-to-first-pointer on %u pack(s) of %u entries, interleaved ...\n",
               (unsigned)open_groups[g].count, bench_specs[open_groups[g].first].entries);
        fflush(stdout);
        bench_open_group(paths, &open_groups[g], open_t);
    }
    zc_bench_table open_table;
    open_table_fill(&open_table, open_t);
    const open_timing *small = &open_t[0], *large = &open_t[BENCH_FLAT_SPECS - 1], *many = &open_t[BENCH_MANY_SPEC];
    double flat = large->ns[OPEN_DEFAULT].median / small->ns[OPEN_DEFAULT].median;
    double floor_flat = large->ns[OPEN_FLOOR].median / small->ns[OPEN_FLOOR].median;
    char flat_sentence[512];
    snprintf(flat_sentence, sizeof flat_sentence,
             "With %u entries, open-to-first-pointer %s as the pack grows: the %s pack's median is %.2fx the "
             "%s pack's (flat means within %.1fx; the floor's own factor is %.2fx).",
             BENCH_ENTRIES, flat <= FLAT_THRESHOLD ? "stays flat" : "does NOT stay flat",
             bench_specs[BENCH_FLAT_SPECS - 1].label, flat, bench_specs[0].label, FLAT_THRESHOLD, floor_flat);
    double share[BENCH_SPEC_COUNT];
    for (size_t s = 0; s < BENCH_SPEC_COUNT; ++s) {
        double def = open_t[s].ns[OPEN_DEFAULT].median, none = open_t[s].ns[OPEN_NONE].median;
        share[s] = def > none ? 100.0 * (def - none) / def : 0.0;
    }
    char share_sentence[512];
    snprintf(share_sentence, sizeof share_sentence,
             "The validation (header checksum and first TOC piece at open; the pieces and the record the "
             "lookup reads) accounts for the difference between the zcpack and NONE columns: %.0f%%, %.0f%% and %.0f%% "
             "of the default open's median for the three %u-entry packs, %.0f%% with %u entries.",
             share[0], share[1], share[2], BENCH_ENTRIES, share[BENCH_MANY_SPEC], BENCH_MANY_ENTRIES);
    char many_toc[32], many_default[32];
    zc_bench_format_bytes(many->toc_size, many_toc, sizeof many_toc);
    zc_bench_format_ns(many->ns[OPEN_DEFAULT].median, many_default, sizeof many_default);
    char none_sentence[512];
    snprintf(none_sentence, sizeof none_sentence,
             "At ZC_VALIDATE_NONE, on the 1 GiB pack, the open is %.2fx the floor and %.2fx the lookup floor: "
             "beyond the floor's system calls and page, it costs what reading the TOC where a lookup reads it "
             "costs, %.1f us here (%.1f us a first read of a page, on this machine), and little else.",
             large->ns[OPEN_NONE].median / large->ns[OPEN_FLOOR].median,
             large->ns[OPEN_NONE].median / large->ns[OPEN_PAGE_FLOOR].median,
             (large->ns[OPEN_PAGE_FLOOR].median - large->ns[OPEN_FLOOR].median) / 1000.0,
             (large->ns[OPEN_PAGE_FLOOR].median - large->ns[OPEN_FLOOR].median) / 1000.0 / LOOKUP_PAGES);
    char many_sentence[768];
    snprintf(many_sentence, sizeof many_sentence,
             "With %u entries the TOC is %s (%.0f bytes per entry) and the default open's median is %s: %.1fx "
             "the floor and %.2fx the TOC floor, which maps and hashes the whole TOC once as checking it at open "
             "would; the runtime checks its first 4 KiB piece at open and the pieces the lookup reads on first "
             "touch, with one check mark per entry and per piece in zeroed pages it does not touch at open. At "
             "ZC_VALIDATE_NONE the open is %.2fx the floor.",
             BENCH_MANY_ENTRIES, many_toc, (double)many->toc_size / many->entries, many_default,
             many->ns[OPEN_DEFAULT].median / many->ns[OPEN_FLOOR].median,
             many->ns[OPEN_DEFAULT].median / many->ns[OPEN_TOC_FLOOR].median,
             many->ns[OPEN_NONE].median / many->ns[OPEN_FLOOR].median);

    /* 3. lookups */
    lookup_timing look[LOOKUP_PLAN_COUNT];
    for (size_t p = 0; p < LOOKUP_PLAN_COUNT; ++p) {
        printf("measuring lookups among %u entries ...\n", bench_specs[lookup_plans[p].spec].entries);
        fflush(stdout);
        bench_lookups(paths[lookup_plans[p].spec], &lookup_plans[p], &look[p]);
    }
    zc_bench_table look_table;
    look_table_fill(&look_table, look);
    const lookup_timing *look_many = &look[LOOKUP_PLAN_COUNT - 1];
    char look_sentence[1024];
    snprintf(look_sentence, sizeof look_sentence,
             "Among %u entries the TOC (%s) is far larger than the CPU's caches, and a lookup reads at random "
             "places the bucket of the lookup index, the record, the entry's check mark and, by path, the path "
             "bytes. A read at a random TOC cache line that depends on the read before (the latency of one "
             "cache miss) costs %.1f ns here (%.1f ns among %u entries): zc_pack_find costs as much as %.1f "
             "such reads and zc_pack_find_id %.1f (consecutive lookups overlap their misses); the hash of the "
             "path is %.1f ns. zc_pack_find_many, given %d paths a call, interleaves them 16 at a time so that "
             "their reads are in flight together: %.1f ns a path, %.2fx the time of zc_pack_find (%.2fx among "
             "%u entries).",
             look_many->entries, many_toc, look_many->ns[LOOKUP_TOUCH].median, look[0].ns[LOOKUP_TOUCH].median,
             look[0].entries, look_many->ns[LOOKUP_FIND].median / look_many->ns[LOOKUP_TOUCH].median,
             look_many->ns[LOOKUP_FIND_ID].median / look_many->ns[LOOKUP_TOUCH].median,
             look_many->ns[LOOKUP_HASH].median, LOOKUP_BATCH, look_many->ns[LOOKUP_FIND_MANY].median,
             look_many->ns[LOOKUP_FIND_MANY].median / look_many->ns[LOOKUP_FIND].median,
             look[0].ns[LOOKUP_FIND_MANY].median / look[0].ns[LOOKUP_FIND].median, look[0].entries);

    /* 4. mesh view */
    printf("measuring mesh views ...\n\n");
    fflush(stdout);
    bench_mesh(mesh_path, &mesh);
    zc_bench_table mesh_table;
    mesh_table_fill(&mesh_table, &mesh);
    char mesh_size[32], first[32], bytes_ns[32];
    zc_bench_format_bytes(mesh.payload_size, mesh_size, sizeof mesh_size);
    zc_bench_format_ns(mesh.ns[MESH_FIRST].median, first, sizeof first);
    zc_bench_format_ns(mesh.ns[MESH_FROM_BYTES].median, bytes_ns, sizeof bytes_ns);
    char mesh_sentence[768];
    snprintf(mesh_sentence, sizeof mesh_sentence,
             "The first view after open runs the mesh's structure check (every index against the vertex count, "
             "every array's placement) and remembers it in the pack: %s, page faults on the entry's bytes "
             "included. The second call takes %.1f ns (%.4fx from_bytes, one clock read of about %.1f ns "
             "included), and later calls %.1f ns each (%.4fx): the check is not run again, while "
             "zc_mesh_view_from_bytes runs it on every call (%s).",
             first, mesh.ns[MESH_SECOND].median, mesh.ns[MESH_SECOND].median / mesh.ns[MESH_FROM_BYTES].median,
             mesh.ns[MESH_CLOCK].median, mesh.ns[MESH_LATER].median,
             mesh.ns[MESH_LATER].median / mesh.ns[MESH_FROM_BYTES].median, bytes_ns);

    /* stdout report */
    char open_runs[256];
    snprintf(open_runs, sizeof open_runs,
             "%d runs per cell after %d warm-up runs for the %u-entry packs, %d after %d for the %u-entry pack; "
             "packs and variants interleaved, warm page cache",
             OPEN_REPS, OPEN_WARMUP, BENCH_ENTRIES, OPEN_MANY_REPS, OPEN_MANY_WARMUP, BENCH_MANY_ENTRIES);
    const char *open_what =
        "zcpack = zc_pack_open (default validation: the header checksum and the TOC's first 4 KiB piece at "
        "open, the TOC pieces the lookup reads and the found record on first touch) + zc_pack_find of one "
        "fixed path + read its first byte + "
        "zc_pack_close; NONE = the same at ZC_VALIDATE_NONE; floor = open + fstat + mmap of the whole file + "
        "read one byte of the same page + munmap + close; lookup floor = the floor + one byte read at each "
        "TOC place zc_pack_find reads for that path (the TOC header, the bucket slot, the record, the path), "
        "each the first read of its page; TOC floor = the floor + MADV_POPULATE_READ of the "
        "TOC's pages + XXH3-64 of every TOC byte through the mapping (the runtime's own XXH3, AVX2 where the "
        "CPU has it): what checking the whole TOC at open costs at least. Cells: median [p10..p90]; ratios of "
        "medians";
    printf("Open to first pointer (%s):\n", open_runs);
    printf("  %s.\n\n", open_what);
    zc_bench_table_print(&open_table, stdout, "  ");
    printf("\n  %s\n  %s\n  %s\n  %s\n\n", flat_sentence, share_sentence, none_sentence, many_sentence);
    const char *look_what =
        "Shuffled order, query strings stored one after the other in that order; among 10,000 entries every "
        "path per round, among 1,000,000 a different slice of 100,000 per round; every entry looked up once "
        "before timing (its record check, run on first touch, paid); cells: ns per lookup, median [p10..p90] "
        "over the rounds";
    printf("Lookups (%s; %d and %d rounds after %d and %d warm-up rounds, %s and %s packs):\n\n", look_what,
           look[0].rounds, look[1].rounds, look[0].warmup, look[1].warmup, bench_specs[lookup_plans[0].spec].label,
           bench_specs[lookup_plans[1].spec].label);
    zc_bench_table_print(&look_table, stdout, "  ");
    printf("\n  %s\n", look_sentence);
    printf("\nMesh view of a %u-index, %u-vertex mesh entry (%s; %d repetitions after %d warm-up, each on a fresh "
           "open at the default level; median [p10..p90]):\n\n",
           mesh.index_count, mesh.vertex_count, mesh_size, MESH_REPS, MESH_WARMUP);
    zc_bench_table_print(&mesh_table, stdout, "  ");
    printf("\n  %s\n\n", mesh_sentence);

    /* Markdown fragment */
    zc_bench_md md;
    zc_bench_md_init(&md);
    zc_bench_md_printf(&md, "## Open to first pointer, lookups and mesh views (bench_open)\n\n");
    zc_bench_md_machine(&md, &machine);
    zc_bench_md_printf(&md, "Produced by `make bench` (program `bench_open`, run from the repository root).\n\n");
    zc_bench_md_printf(&md, "Packs: blob entries written by the pack writer with contents from a fixed seed; "
                            "three of %u entries, and one of %u entries of 21 to 63 bytes. The smallest file is "
                            "larger than its payload because the TOC (72-byte records, paths and the lookup "
                            "index) and the 16-byte alignment of every entry dominate it.\n\n",
                       BENCH_ENTRIES, BENCH_MANY_ENTRIES);
    for (size_t s = 0; s < BENCH_SPEC_COUNT; ++s)
        zc_bench_md_printf(&md, "- %s payload, %u entries: %s\n", bench_specs[s].label, bench_specs[s].entries,
                           provenance[s]);
    zc_bench_md_printf(&md, "\n### Open to first pointer\n\n");
    zc_bench_md_printf(&md, "%s; %s.\n\n", open_runs, open_what);
    zc_bench_md_table(&md, &open_table);
    plot_open(open_t, &md);
    zc_bench_md_printf(&md, "%s %s\n\n%s\n\n%s\n\n", flat_sentence, share_sentence, none_sentence, many_sentence);
    zc_bench_md_printf(&md, "### Lookup among %u and %u entries\n\n", BENCH_ENTRIES, BENCH_MANY_ENTRIES);
    zc_bench_md_printf(&md, "%s; %d and %d rounds after %d and %d warm-up rounds, on the %s and %s packs. The "
                            "comparators are libc `bsearch` over arrays holding the same keys (the paths packed "
                            "in one block, as in a string table).\n\n",
                       look_what, look[0].rounds, look[1].rounds, look[0].warmup, look[1].warmup,
                       bench_specs[lookup_plans[0].spec].label, bench_specs[lookup_plans[1].spec].label);
    zc_bench_md_table(&md, &look_table);
    plot_lookups(look, &md);
    zc_bench_md_printf(&md, "%s\n\n", look_sentence);
    zc_bench_md_printf(&md, "### Mesh view after the first check\n\n");
    zc_bench_md_printf(&md, "One mesh entry of %u 16-bit indices and %u vertices (%s, a flat grid in one "
                            "interleaved stream); %d repetitions after %d warm-up, each on a fresh "
                            "`zc_pack_open` at the default level with the entry found before timing; median "
                            "[p10..p90].\n\n",
                       mesh.index_count, mesh.vertex_count, mesh_size, MESH_REPS, MESH_WARMUP);
    zc_bench_md_table(&md, &mesh_table);
    zc_bench_md_printf(&md, "%s\n\n", mesh_sentence);

    zc_bench_md glance;
    zc_bench_md_init(&glance);
    zc_bench_glance_row(&glance, "bench_open", "open to first pointer, 10000 entries, 1 GiB pack (default validation)",
                        "the same on the 64 KiB pack", "%.2fx the time", flat);
    zc_bench_glance_row(&glance, "bench_open", "open to first pointer, 10000 entries, 1 GiB pack (default validation)",
                        "open + mmap + read one byte", "%.1fx the time", large->ns[OPEN_DEFAULT].median /
                                                                            large->ns[OPEN_FLOOR].median);
    zc_bench_glance_row(&glance, "bench_open", "open to first pointer, 10000 entries, 1 GiB pack (ZC_VALIDATE_NONE)",
                        "open + mmap + read one byte", "%.1fx the time", large->ns[OPEN_NONE].median /
                                                                            large->ns[OPEN_FLOOR].median);
    zc_bench_glance_row(&glance, "bench_open", "open to first pointer, 10000 entries, 1 GiB pack (ZC_VALIDATE_NONE)",
                        "open + mmap + read one byte + a read of each TOC page the lookup reads", "%.2fx the time",
                        large->ns[OPEN_NONE].median / large->ns[OPEN_PAGE_FLOOR].median);
    zc_bench_glance_row(&glance, "bench_open", "open to first pointer, 1000000 entries (default validation)",
                        "open + mmap + XXH3 of the TOC + read one byte", "%.2fx the time (%s)",
                        many->ns[OPEN_DEFAULT].median / many->ns[OPEN_TOC_FLOOR].median, many_default);
    zc_bench_glance_row(&glance, "bench_open", "open to first pointer, 1000000 entries (default validation)",
                        "open + mmap + read one byte", "%.1fx the time",
                        many->ns[OPEN_DEFAULT].median / many->ns[OPEN_FLOOR].median);
    zc_bench_glance_row(&glance, "bench_open", "zc_pack_find among 10000 paths", "bsearch + strcmp, sorted paths",
                        "%.2fx the time (%.1f ns)", look[0].ns[LOOKUP_FIND].median / look[0].ns[LOOKUP_BSEARCH_PATH].median,
                        look[0].ns[LOOKUP_FIND].median);
    zc_bench_glance_row(&glance, "bench_open", "zc_pack_find among 1000000 paths", "bsearch + strcmp, sorted paths",
                        "%.2fx the time (%.1f ns)",
                        look_many->ns[LOOKUP_FIND].median / look_many->ns[LOOKUP_BSEARCH_PATH].median,
                        look_many->ns[LOOKUP_FIND].median);
    zc_bench_glance_row(&glance, "bench_open", "zc_pack_find_many among 1000000 paths (per path)",
                        "bsearch + strcmp, sorted paths", "%.2fx the time (%.1f ns)",
                        look_many->ns[LOOKUP_FIND_MANY].median / look_many->ns[LOOKUP_BSEARCH_PATH].median,
                        look_many->ns[LOOKUP_FIND_MANY].median);
    char mesh_figure[128];
    snprintf(mesh_figure, sizeof mesh_figure, "mesh view of %u indices, second call (zc_mesh_view_from_entry)",
             mesh.index_count);
    zc_bench_glance_row(&glance, "bench_open", mesh_figure,
                        "zc_mesh_view_from_bytes, same bytes (checks every call)", "%.4fx the time (%.0f ns)",
                        mesh.ns[MESH_SECOND].median / mesh.ns[MESH_FROM_BYTES].median, mesh.ns[MESH_SECOND].median);
    zc_bench_glance_save(&glance, dir, "bench_open");
    char md_path[4096];
    snprintf(md_path, sizeof md_path, "%s/bench_open.md", dir);
    int saved = zc_bench_md_save(&md, md_path);
    zc_bench_md_free(&md);
    if (saved == 0) printf("Markdown fragment: %s\n", md_path);
    printf("Total time: %.1f s\n", (double)(zc_bench_now_ns() - start) / 1e9);
    return saved == 0 ? 0 : 1;
}
