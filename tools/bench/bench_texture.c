/* bench_texture.c - the texture pipeline on real third-party images: packer throughput
 * and runtime access, each beside stb_image decoding the same files in the same run.
 *
 *  1. Input: every PNG, JPEG, TGA, BMP, GIF and PSD image that the test-data packages
 *     install (tools/bootstrap.sh --test-data: pygame's example data, gdk-pixbuf's
 *     reference images, assimp's model textures, a PSD) and Radiance HDR files that
 *     pfstools encodes from Blender's CC0 OpenEXR environment maps, copied into a
 *     temporary tree. Files stb_image cannot decode (a few of gdk-pixbuf's reference
 *     inputs are broken on purpose) are left out. When the packages are missing the
 *     program says so and installs them through tools/bootstrap.sh --test-data.
 *  2. Packer: a full zc_build of the tree (default policy: BC1/BC3/BC4/BC5 for 8-bit
 *     sources, RGBA16F for HDR, full mip chains; pack verified after writing, no
 *     fsync) with one import thread and with one per core, and with one per core under
 *     --no-compress; beside stb_image decoding every file (read + decode to RGBA8, or to
 *     float for HDR) on one thread and on one per core. Textures per second, MiB of
 *     source per second, and the ratio build time / decode time: what the pipeline
 *     (mips, format conversion, block compression, layout, writing, verification)
 *     costs on top of decoding.
 *  3. Runtime: zc_pack_open + zc_texture_view_from_entry + the pointer of every level
 *     of every texture + zc_pack_close, and reading every byte of every level once,
 *     beside the single-thread stb_image decode of the sources.
 *
 * Every timing is the median of several runs with a warm page cache. Output: a report
 * on stdout, the Markdown fragment build/bench/bench_texture.md and its summary rows
 * bench_texture.glance that `make bench` gathers into BENCHMARKS.md, and the charts
 * docs/bench/texture_pipeline.png and texture_access.png. A benchmark, never a test: it
 * exits non-zero only when it cannot measure.
 */
#define _GNU_SOURCE
#include "zc_bench_plot.h"
#include "zc_bench_util.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stb/stb_image.h>

#include "zc_build.h"
#include "zc_pack.h"

#define BUILD_REPS 3
#define DECODE_REPS 5
#define RUNTIME_REPS 20
#define MAX_THREADS 64

#define EXR_DIR "/usr/share/blender/datafiles/studiolights/world"

static const char *const image_exts[] = {"png", "jpg", "jpeg", "tga", "bmp", "gif", "psd", "hdr"};
#define FORMATS (sizeof image_exts / sizeof image_exts[0])

typedef struct image_file {
    char *path;                 /* in the temporary tree */
    size_t size;
    int format;                 /* index into image_exts */
    int hdr;
    uint64_t texels;            /* level 0 */
} image_file;

typedef struct image_set {
    image_file *files;
    size_t count, capacity;
    uint64_t bytes;
    size_t skipped;             /* candidates stb_image cannot decode */
} image_set;

static volatile uint64_t bench_sink;

static int format_of(const char *name) {
    const char *dot = strrchr(name, '.');
    if (!dot) return -1;
    for (size_t i = 0; i < FORMATS; ++i)
        if (strcasecmp(dot + 1, image_exts[i]) == 0) return (int)(i == 2 ? 1 : i); /* jpeg counts as jpg */
    return -1;
}

/* ---------------------------------------------------------------------------------
 * The input tree
 * ------------------------------------------------------------------------------- */

/* Decode `bytes` as the importer would (float for HDR); 1 and the texel count when
 * stb_image can. */
static int decodes(const uint8_t *bytes, size_t size, int *hdr, uint64_t *texels) {
    int w, h, n;
    if (size > 0x7fffffff || !stbi_info_from_memory(bytes, (int)size, &w, &h, &n)) return 0;
    if (w <= 0 || h <= 0 || w > 16384 || h > 16384) return 0;
    *hdr = stbi_is_hdr_from_memory(bytes, (int)size);
    void *data = *hdr ? (void *)stbi_loadf_from_memory(bytes, (int)size, &w, &h, &n, 4)
                      : (void *)stbi_load_from_memory(bytes, (int)size, &w, &h, &n, 4);
    if (!data) return 0;
    stbi_image_free(data);
    *texels = (uint64_t)w * (uint64_t)h;
    return 1;
}

/* Copy `src` to tree/<rel> when it is an image stb_image decodes. */
static void add_file(image_set *set, const char *src, const char *tree, const char *rel) {
    int format = format_of(rel);
    if (format < 0) return;
    size_t size;
    uint8_t *bytes = zc_bench_read_file(src, &size);
    if (!bytes) zc_bench_fatal("%s: cannot read: %s", src, strerror(errno));
    int hdr = 0;
    uint64_t texels = 0;
    if (!decodes(bytes, size, &hdr, &texels)) {
        set->skipped++;
        free(bytes);
        return;
    }
    char dst[4096];
    snprintf(dst, sizeof dst, "%s/%s", tree, rel);
    if (zc_bench_write_file(dst, bytes, size) != 0) zc_bench_fatal("%s: cannot write: %s", dst, strerror(errno));
    free(bytes);
    if (set->count == set->capacity) {
        set->capacity = set->capacity ? set->capacity * 2 : 256;
        set->files = realloc(set->files, set->capacity * sizeof *set->files);
        if (!set->files) zc_bench_fatal("out of memory");
    }
    image_file *f = &set->files[set->count++];
    f->path = strdup(dst);
    if (!f->path) zc_bench_fatal("out of memory");
    f->size = size;
    f->format = format;
    f->hdr = hdr;
    f->texels = texels;
    set->bytes += size;
}

/* The tree a walk copies into, and the set it fills (zc_bench_walk's user data). */
typedef struct tree_walk {
    image_set *set;
    const char *tree;
} tree_walk;

static void add_walked(const char *src, const char *rel, void *user_data) {
    const tree_walk *walk = user_data;
    add_file(walk->set, src, walk->tree, rel);
}

static int compare_names(const void *a, const void *b) {
    return strcmp((const char *)a, (const char *)b);
}

/* Radiance HDR files from Blender's OpenEXR maps, through pfstools. */
static void add_hdrs(image_set *set, const char *tree) {
    DIR *d = opendir(EXR_DIR);
    if (!d) zc_bench_fatal("%s: cannot open: %s", EXR_DIR, strerror(errno));
    char names[32][256];
    size_t count = 0;
    for (struct dirent *de; (de = readdir(d)) != NULL && count < 32;) {
        size_t n = strlen(de->d_name);
        if (n > 4 && n < 250 && strcmp(de->d_name + n - 4, ".exr") == 0) snprintf(names[count++], 256, "%s", de->d_name);
    }
    closedir(d);
    qsort(names, count, sizeof names[0], compare_names);
    /* Encoded beside the tree, then copied in like every other image. */
    char hdr_dir[4300];
    snprintf(hdr_dir, sizeof hdr_dir, "%s.hdr-work", tree);
    if (zc_bench_mkdirs(hdr_dir) != 0) zc_bench_fatal("%s: cannot create: %s", hdr_dir, strerror(errno));
    for (size_t i = 0; i < count; ++i) {
        char out[4600], cmd[9500], rel[512];
        names[i][strlen(names[i]) - 4] = 0;
        snprintf(out, sizeof out, "%s/%s.hdr", hdr_dir, names[i]);
        /* pfsinexr warns about a missing Exif channel: harmless, silenced. */
        snprintf(cmd, sizeof cmd, "pfsinexr '%s/%s.exr' 2>/dev/null | pfsoutrgbe '%s' 2>/dev/null", EXR_DIR,
                 names[i], out);
        if (system(cmd) != 0) zc_bench_fatal("pfsinexr | pfsoutrgbe failed on %s.exr", names[i]);
        snprintf(rel, sizeof rel, "blender/%s.hdr", names[i]);
        add_file(set, out, tree, rel);
        unlink(out);
    }
    rmdir(hdr_dir);
}

/* ---------------------------------------------------------------------------------
 * Measurements
 * ------------------------------------------------------------------------------- */

/* User + system CPU seconds of the process so far (every thread). */
static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

/* Wall time and CPU time of one measured run. */
typedef struct timing {
    double wall, cpu;
} timing;

typedef struct decode_job {
    const image_set *set;
    size_t first, stride;
    uint64_t checksum;
} decode_job;

/* Read and decode files first, first + stride, ... as the importer does. */
static void *decode_some(void *arg) {
    decode_job *job = arg;
    for (size_t i = job->first; i < job->set->count; i += job->stride) {
        const image_file *f = &job->set->files[i];
        size_t size;
        uint8_t *bytes = zc_bench_read_file(f->path, &size);
        if (!bytes) zc_bench_fatal("%s: cannot read", f->path);
        int w, h, n;
        void *data = f->hdr ? (void *)stbi_loadf_from_memory(bytes, (int)size, &w, &h, &n, 4)
                            : (void *)stbi_load_from_memory(bytes, (int)size, &w, &h, &n, 4);
        if (!data) zc_bench_fatal("%s: stb_image cannot decode it now", f->path);
        job->checksum += ((const uint8_t *)data)[0] + (uint64_t)w * (uint64_t)h;
        stbi_image_free(data);
        free(bytes);
    }
    return NULL;
}

/* Time to decode every file of the set with `threads` threads. */
static timing decode_all(const image_set *set, int threads) {
    decode_job jobs[MAX_THREADS];
    pthread_t ids[MAX_THREADS];
    double cpu = cpu_seconds();
    uint64_t start = zc_bench_now_ns();
    for (int t = 0; t < threads; ++t) {
        jobs[t] = (decode_job){set, (size_t)t, (size_t)threads, 0};
        if (t > 0 && pthread_create(&ids[t], NULL, decode_some, &jobs[t]) != 0) zc_bench_fatal("pthread_create failed");
    }
    decode_some(&jobs[0]);
    for (int t = 1; t < threads; ++t) pthread_join(ids[t], NULL);
    timing t = {(double)(zc_bench_now_ns() - start) / 1e9, cpu_seconds() - cpu};
    for (int k = 0; k < threads; ++k) bench_sink += jobs[k].checksum;
    return t;
}

/* Time of one zc_build of the tree. */
static timing build_once(const char *tree, const char *out, uint32_t threads, int no_compress,
                         zc_build_stats *stats) {
    double cpu = cpu_seconds();
    uint64_t start = zc_bench_now_ns();
    zc_result r = zc_build(&(zc_build_desc){.input_dir = tree, .output_path = out, .threads = threads,
                                            .no_compress = no_compress, .no_sync = 1,
                                            .logger = {zc_bench_log_to_stderr, NULL}},
                           stats);
    timing t = {(double)(zc_bench_now_ns() - start) / 1e9, cpu_seconds() - cpu};
    if (r != ZC_OK) zc_bench_fatal("zc_build of %s failed: %s", tree, zc_result_str(r));
    return t;
}

/* Median wall time of n runs, and the CPU time of that same run. */
static timing median_run(timing *runs, int n) {
    double walls[16];
    for (int i = 0; i < n; ++i) walls[i] = runs[i].wall;
    double wall = zc_bench_quantile(walls, (size_t)n, 0.5);
    for (int i = 0; i < n; ++i)
        if (runs[i].wall == wall) return runs[i];
    return runs[0];
}

typedef struct runtime_timing {
    double levels_secs;         /* open + every level pointer + close */
    double read_secs;           /* every byte of every level */
    uint32_t textures;
    uint64_t levels;
    uint64_t level_bytes;
} runtime_timing;

static void measure_runtime(const char *pack_path, runtime_timing *out) {
    double levels[RUNTIME_REPS], reads[RUNTIME_REPS];
    for (int rep = 0; rep < RUNTIME_REPS + 2; ++rep) {
        uint64_t start = zc_bench_now_ns();
        zc_pack *pack;
        zc_result r = zc_pack_open(&pack, &(zc_pack_desc){.path = pack_path});
        if (r != ZC_OK) zc_bench_fatal("%s: cannot open: %s", pack_path, zc_result_str(r));
        uint32_t count = zc_pack_entry_count(pack), textures = 0;
        uint64_t level_count = 0, sum = 0;
        for (uint32_t i = 0; i < count; ++i) {
            zc_entry e;
            zc_texture_view view;
            if (zc_pack_entry_at(pack, i, &e) != ZC_OK || zc_texture_view_from_entry(&e, &view) != ZC_OK)
                zc_bench_fatal("%s: entry %u is not a readable texture", pack_path, i);
            textures++;
            for (uint32_t l = 0; l < view.mip_count; ++l) {
                zc_texture_level_view lv;
                if (zc_texture_view_level(&view, l, 0, &lv) != ZC_OK) zc_bench_fatal("level %u missing", l);
                sum += (uintptr_t)lv.data + lv.size;
                level_count++;
            }
        }
        zc_pack_close(pack);
        double levels_secs = (double)(zc_bench_now_ns() - start) / 1e9;
        bench_sink += sum;

        /* Read pass: a separate open, so the timing holds the reads alone. */
        if (zc_pack_open(&pack, &(zc_pack_desc){.path = pack_path}) != ZC_OK) zc_bench_fatal("reopen failed");
        uint64_t bytes = 0, acc = 0;
        start = zc_bench_now_ns();
        for (uint32_t i = 0; i < count; ++i) {
            zc_entry e;
            zc_texture_view view;
            zc_pack_entry_at(pack, i, &e);
            zc_texture_view_from_entry(&e, &view);
            for (uint32_t l = 0; l < view.mip_count; ++l) {
                zc_texture_level_view lv;
                zc_texture_view_level(&view, l, 0, &lv);
                const uint64_t *words = lv.data; /* levels are 16-byte aligned, sizes multiples of 8 */
                for (uint64_t k = 0; k < lv.size / 8; ++k) acc += words[k];
                bytes += lv.size;
            }
        }
        double read_secs = (double)(zc_bench_now_ns() - start) / 1e9;
        zc_pack_close(pack);
        bench_sink += acc;
        if (rep >= 2) {
            levels[rep - 2] = levels_secs;
            reads[rep - 2] = read_secs;
        }
        out->textures = textures;
        out->levels = level_count;
        out->level_bytes = bytes;
    }
    out->levels_secs = zc_bench_quantile(levels, RUNTIME_REPS, 0.5);
    out->read_secs = zc_bench_quantile(reads, RUNTIME_REPS, 0.5);
}

/* ---------------------------------------------------------------------------------
 * Report
 * ------------------------------------------------------------------------------- */

static void usage(FILE *out) {
    fprintf(out, "usage: bench_texture [--dir DIR]\n"
                 "  Packer throughput and runtime texture access on the real images of the test-data\n"
                 "  packages (installed through tools/bootstrap.sh --test-data when missing), beside\n"
                 "  stb_image decoding the same files.\n"
                 "  --dir DIR   where bench_texture.md goes (default: build/bench)\n");
}

static void set_rate_cells(zc_bench_table *t, int row, timing run, const image_set *set, double versus) {
    char b[32];
    zc_bench_format_ns(run.wall * 1e9, b, sizeof b);
    zc_bench_table_set(t, row, 2, "%s", b);
    zc_bench_table_set(t, row, 3, "%.2f", run.cpu / run.wall);
    zc_bench_table_set(t, row, 4, "%.0f", (double)set->count / run.wall);
    zc_bench_table_set(t, row, 5, "%.1f", (double)set->bytes / (1024.0 * 1024.0) / run.wall);
    if (versus > 0)
        zc_bench_table_set(t, row, 6, "%.1fx", run.wall / versus);
    else
        zc_bench_table_set(t, row, 6, "-");
}

/* Textures per second: stb_image decoding beside the whole pipeline, per thread count
 * (the --no-compress build ran with every core only). */
static void plot_pipeline(const image_set *set, int cores, timing dec1, timing decn, timing b1, timing bn,
                          timing plain, zc_bench_md *md) {
    static zc_plot_bars chart;
    memset(&chart, 0, sizeof chart);
    char subtitle[160], many[32];
    snprintf(subtitle, sizeof subtitle, "%zu real images; median of %d builds and %d decodes; higher is better",
             set->count, BUILD_REPS, DECODE_REPS);
    snprintf(many, sizeof many, "%d threads", cores);
    chart.title = "Texture pipeline against stb_image decoding";
    chart.subtitle = subtitle;
    chart.value_label = "textures per second";
    chart.group_count = 3;
    chart.groups[0] = "stb_image: read + decode";
    chart.groups[1] = "zc_build (BCn, mips)";
    chart.groups[2] = "zc_build --no-compress";
    chart.series_count = 2;
    chart.series[0] = "1 thread";
    chart.series[1] = many;
    timing runs[3][2] = {{dec1, decn}, {b1, bn}, {{0, 0}, plain}};
    double versus[2] = {dec1.wall, decn.wall};
    for (int g = 0; g < 3; ++g) {
        for (int t = 0; t < 2; ++t) {
            timing run = runs[g][t];
            if (run.wall <= 0) {
                chart.values[g][t] = NAN;
                continue;
            }
            chart.values[g][t] = (double)set->count / run.wall;
            if (g == 0)
                snprintf(chart.notes[g][t], sizeof chart.notes[g][t], "%.0f/s", chart.values[g][t]);
            else
                snprintf(chart.notes[g][t], sizeof chart.notes[g][t], "%.0f/s (%.1fx decode time)",
                         chart.values[g][t], run.wall / versus[t]);
        }
    }
    zc_plot_bars_md(&chart, "texture_pipeline", md);
}

/* Time per texture of the runtime's access beside decoding the source (log scale). */
static void plot_access(const runtime_timing *rt, double decode_secs, zc_bench_md *md) {
    static zc_plot_bars chart;
    memset(&chart, 0, sizeof chart);
    char subtitle[160];
    snprintf(subtitle, sizeof subtitle, "%u textures, one thread, median of %d rounds; lower is better",
             rt->textures, RUNTIME_REPS);
    chart.title = "Texture access: pack against stb_image";
    chart.subtitle = subtitle;
    chart.value_label = "time per texture, us (log scale)";
    chart.log_scale = 1;
    chart.group_count = 3;
    chart.groups[0] = "pack: open + every level";
    chart.groups[1] = "pack: read every byte";
    chart.groups[2] = "stb_image: read + decode";
    chart.series_count = 1;
    double secs[3] = {rt->levels_secs, rt->read_secs, decode_secs};
    for (int g = 0; g < 3; ++g) {
        double us = secs[g] * 1e6 / rt->textures;
        chart.values[g][0] = us;
        char t[16];
        zc_bench_format_ns(us * 1000.0, t, sizeof t);
        double faster = decode_secs / secs[g];
        if (g < 2) snprintf(chart.notes[g][0], sizeof chart.notes[g][0], "%s (%.*fx faster)", t, faster < 100 ? 1 : 0,
                            faster);
        else snprintf(chart.notes[g][0], sizeof chart.notes[g][0], "%s", t);
    }
    zc_plot_bars_md(&chart, "texture_access", md);
}

int main(int argc, char **argv) {
    const char *dir = "build/bench";
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
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
    int cores = machine.cores > 0 ? (int)(machine.cores < MAX_THREADS ? machine.cores : MAX_THREADS) : 1;
    /* libuv sizes its pool once, at first use: make room for one import per core. */
    char pool[16];
    snprintf(pool, sizeof pool, "%d", cores < 4 ? 4 : cores);
    setenv("UV_THREADPOOL_SIZE", pool, 0);

    printf("bench_texture: texture packer and runtime on real images, zcpack %s\n", zc_version_string());
    printf("  CPU: %s, %ld logical cores\n  Kernel: %s\n  Compiler: %s\n\n", machine.cpu, machine.cores,
           machine.kernel, machine.compiler);

    /* 1. input */
    static const char *const extra_data[] = {EXR_DIR, "/usr/bin/pfsoutrgbe", NULL};
    zc_bench_require_test_data(extra_data);
    char work[] = "/tmp/zc-bench-texture-XXXXXX";
    if (!mkdtemp(work)) zc_bench_fatal("mkdtemp: %s", strerror(errno));
    char tree[4200], pack_path[4200], plain_path[4200];
    snprintf(tree, sizeof tree, "%s/images", work);
    snprintf(pack_path, sizeof pack_path, "%s/textures.zcpack", work);
    snprintf(plain_path, sizeof plain_path, "%s/textures-rgba8.zcpack", work);
    image_set set = {0};
    printf("copying the images into %s ...\n", tree);
    fflush(stdout);
    for (size_t i = 0; i < zc_bench_image_dir_count; ++i)
        zc_bench_walk(zc_bench_image_dirs[i].path, zc_bench_image_dirs[i].label, add_walked,
                      &(tree_walk){.set = &set, .tree = tree});
    add_hdrs(&set, tree);
    if (set.count == 0) zc_bench_fatal("no images found");

    static const char *const input_heads[] = {"format", "files", "source bytes", "level-0 texels"};
    zc_bench_table input_table;
    zc_bench_table_init(&input_table, 4, input_heads);
    uint64_t total_texels = 0;
    for (size_t fmt = 0; fmt < FORMATS; ++fmt) {
        size_t n = 0;
        uint64_t bytes = 0, texels = 0;
        for (size_t i = 0; i < set.count; ++i)
            if ((size_t)set.files[i].format == fmt) {
                n++;
                bytes += set.files[i].size;
                texels += set.files[i].texels;
            }
        total_texels += texels;
        if (n == 0) continue;
        int row = zc_bench_table_add_row(&input_table);
        char b[32];
        zc_bench_table_set(&input_table, row, 0, "%s", image_exts[fmt]);
        zc_bench_table_set(&input_table, row, 1, "%zu", n);
        zc_bench_format_bytes(bytes, b, sizeof b);
        zc_bench_table_set(&input_table, row, 2, "%s", b);
        zc_bench_table_set(&input_table, row, 3, "%.2f M", (double)texels / 1e6);
    }
    int total_row = zc_bench_table_add_row(&input_table);
    char total_bytes[32];
    zc_bench_format_bytes(set.bytes, total_bytes, sizeof total_bytes);
    zc_bench_table_set(&input_table, total_row, 0, "all");
    zc_bench_table_set(&input_table, total_row, 1, "%zu", set.count);
    zc_bench_table_set(&input_table, total_row, 2, "%s", total_bytes);
    zc_bench_table_set(&input_table, total_row, 3, "%.2f M", (double)total_texels / 1e6);

    /* 2. packer, interleaved repetitions after one warm-up round */
    printf("measuring: stb_image decode and zc_build, %d and %d rounds ...\n", DECODE_REPS, BUILD_REPS);
    fflush(stdout);
    timing dec1[DECODE_REPS], decn[DECODE_REPS], b1[BUILD_REPS], bn[BUILD_REPS], bplain[BUILD_REPS];
    zc_build_stats stats = {0}, plain_stats = {0};
    decode_all(&set, 1);
    build_once(tree, pack_path, (uint32_t)cores, 0, &stats);
    for (int rep = 0; rep < DECODE_REPS; ++rep) {
        dec1[rep] = decode_all(&set, 1);
        decn[rep] = decode_all(&set, cores);
        if (rep < BUILD_REPS) {
            b1[rep] = build_once(tree, pack_path, 1, 0, &stats);
            bn[rep] = build_once(tree, pack_path, (uint32_t)cores, 0, &stats);
            bplain[rep] = build_once(tree, plain_path, (uint32_t)cores, 1, &plain_stats);
        }
    }
    timing dec1_med = median_run(dec1, DECODE_REPS), decn_med = median_run(decn, DECODE_REPS);
    timing b1_med = median_run(b1, BUILD_REPS), bn_med = median_run(bn, BUILD_REPS);
    timing plain_med = median_run(bplain, BUILD_REPS);
    uint32_t textures = stats.imported[zc_importer_index(zc_importer_find("texture"))];
    if (textures != set.count) zc_bench_fatal("zc_build imported %u textures out of %zu files", textures, set.count);

    static const char *const pack_heads[] = {"work",       "threads",      "time (median)",    "CPU / wall",
                                             "textures/s", "source MiB/s", "time / stb decode"};
    zc_bench_table pack_table;
    zc_bench_table_init(&pack_table, 7, pack_heads);
    struct {
        const char *work;
        int threads;
        timing run;
        double versus;
    } rows[] = {
        {"stb_image: read + decode", 1, dec1_med, 0},
        {"stb_image: read + decode", cores, decn_med, 0},
        {"zc_build, default policy", 1, b1_med, dec1_med.wall},
        {"zc_build, default policy", cores, bn_med, decn_med.wall},
        {"zc_build --no-compress", cores, plain_med, decn_med.wall},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; ++i) {
        int row = zc_bench_table_add_row(&pack_table);
        zc_bench_table_set(&pack_table, row, 0, "%s", rows[i].work);
        zc_bench_table_set(&pack_table, row, 1, "%d", rows[i].threads);
        set_rate_cells(&pack_table, row, rows[i].run, &set, rows[i].versus);
    }
    char pack_bytes[32], plain_bytes[32];
    zc_bench_format_bytes(stats.pack_bytes, pack_bytes, sizeof pack_bytes);
    zc_bench_format_bytes(plain_stats.pack_bytes, plain_bytes, sizeof plain_bytes);
    char scaling[768];
    snprintf(scaling, sizeof scaling,
             "Threads of a zc_build row = zc_build_desc.threads. With %d the build runs %.2fx as fast as with one "
             "(stb_image alone: %.2fx); with one it keeps %.2f cores busy. The pack is %s with block compression "
             "and %s with --no-compress, from %s of source.",
             cores, b1_med.wall / bn_med.wall, dec1_med.wall / decn_med.wall, b1_med.cpu / b1_med.wall, pack_bytes,
             plain_bytes, total_bytes);

    /* 3. runtime */
    printf("measuring: runtime access to the pack, %d rounds ...\n\n", RUNTIME_REPS);
    fflush(stdout);
    runtime_timing rt;
    measure_runtime(pack_path, &rt);
    static const char *const rt_heads[] = {"work", "time (median)", "per texture", "vs stb decode (1 thread)"};
    zc_bench_table rt_table;
    zc_bench_table_init(&rt_table, 4, rt_heads);
    char level_bytes[32];
    zc_bench_format_bytes(rt.level_bytes, level_bytes, sizeof level_bytes);
    struct {
        char work[96];
        double secs;
    } rt_rows[3];
    snprintf(rt_rows[0].work, sizeof rt_rows[0].work, "open + every level pointer + close");
    rt_rows[0].secs = rt.levels_secs;
    snprintf(rt_rows[1].work, sizeof rt_rows[1].work, "read every level byte once");
    rt_rows[1].secs = rt.read_secs;
    snprintf(rt_rows[2].work, sizeof rt_rows[2].work, "stb_image: read + decode the sources");
    rt_rows[2].secs = dec1_med.wall;
    for (int i = 0; i < 3; ++i) {
        int row = zc_bench_table_add_row(&rt_table);
        char b[32];
        zc_bench_table_set(&rt_table, row, 0, "%s", rt_rows[i].work);
        zc_bench_format_ns(rt_rows[i].secs * 1e9, b, sizeof b);
        zc_bench_table_set(&rt_table, row, 1, "%s", b);
        zc_bench_format_ns(rt_rows[i].secs * 1e9 / rt.textures, b, sizeof b);
        zc_bench_table_set(&rt_table, row, 2, "%s", b);
        zc_bench_table_set(&rt_table, row, 3, i == 2 ? "1x" : "%.4fx", rt_rows[i].secs / dec1_med.wall);
    }

    /* stdout report */
    const char *input_what =
        "every PNG, JPEG, TGA, BMP, GIF and PSD file of the test-data packages (pygame's example data, "
        "gdk-pixbuf's reference images, assimp's model textures, a PSD) and Blender's OpenEXR environment maps "
        "encoded as Radiance HDR by pfstools";
    const char *pack_what =
        "zc_build = the whole pipeline: scan, read, decode, mip chain, format conversion and block compression "
        "(BC1/BC3/BC4/BC5 for 8-bit sources, RGBA16F for HDR), layout, pack writing and verification of every "
        "checksum; no fsync. stb_image = read each file and decode it to RGBA8 (float RGBA for HDR), files "
        "spread over the threads. CPU / wall = CPU time of all threads over elapsed time: the cores "
        "actually kept busy. The last column divides each build's time by the stb_image decode with the same "
        "number of threads: what the pipeline costs on top of decoding.";
    printf("Input: %zu images, %s of source (%s)", set.count, total_bytes, input_what);
    if (set.skipped) printf("; %zu files stb_image cannot decode left out", set.skipped);
    printf(".\n\n");
    zc_bench_table_print(&input_table, stdout, "  ");
    printf("\nPacker (median of %d builds and %d decodes, interleaved, warm page cache):\n  %s\n\n", BUILD_REPS,
           DECODE_REPS, pack_what);
    zc_bench_table_print(&pack_table, stdout, "  ");
    printf("\n  %s\n\n", scaling);
    printf("Runtime on the default pack (median of %d rounds, warm page cache, %u textures, %llu levels, %s of "
           "level bytes):\n\n",
           RUNTIME_REPS, rt.textures, (unsigned long long)rt.levels, level_bytes);
    zc_bench_table_print(&rt_table, stdout, "  ");
    printf("\n");

    /* Markdown fragment */
    zc_bench_md md;
    zc_bench_md_init(&md);
    zc_bench_md_printf(&md, "## Texture pipeline on real images (bench_texture)\n\n");
    zc_bench_md_machine(&md, &machine);
    zc_bench_md_printf(&md, "Produced by `make bench` (program `bench_texture`, run from the repository root; "
                            "it installs the images with `tools/bootstrap.sh --test-data` when they are "
                            "missing).\n\n");
    zc_bench_md_printf(&md, "Input: %zu images, %s of source: %s, copied into a temporary tree.", set.count,
                       total_bytes, input_what);
    if (set.skipped) zc_bench_md_printf(&md, " %zu files stb_image cannot decode are left out.", set.skipped);
    zc_bench_md_printf(&md, "\n\n");
    zc_bench_md_table(&md, &input_table);
    zc_bench_md_printf(&md, "### Packer throughput\n\nMedian of %d builds and %d decodes, interleaved, warm page "
                            "cache. %s\n\n",
                       BUILD_REPS, DECODE_REPS, pack_what);
    zc_bench_md_table(&md, &pack_table);
    plot_pipeline(&set, cores, dec1_med, decn_med, b1_med, bn_med, plain_med, &md);
    zc_bench_md_printf(&md, "%s\n\n", scaling);
    zc_bench_md_printf(&md, "### Runtime access\n\nOn the default pack (%u textures, %llu levels, %s of level "
                            "bytes), median of %d rounds, warm page cache: zc_pack_open at the default validation, "
                            "zc_texture_view_from_entry (full structural check of each texture) and "
                            "zc_texture_view_level for every level, zc_pack_close; then a sum over every "
                            "8-byte word of every level. The comparator decodes the source files with "
                            "stb_image on one thread.\n\n",
                       rt.textures, (unsigned long long)rt.levels, level_bytes, RUNTIME_REPS);
    zc_bench_md_table(&md, &rt_table);
    plot_access(&rt, dec1_med.wall, &md);
    zc_bench_md glance;
    zc_bench_md_init(&glance);
    zc_bench_glance_row(&glance, "bench_texture", "reading every texture level from the pack",
                        "stb_image decoding the source images", "%.1fx faster", dec1_med.wall / rt.read_secs);
    zc_bench_glance_row(&glance, "bench_texture", "zc_build of the images (mips, BCn, all cores)",
                        "stb_image decoding them, same threads", "%.1fx the time", bn_med.wall / decn_med.wall);
    zc_bench_glance_save(&glance, dir, "bench_texture");
    char md_path[4096];
    snprintf(md_path, sizeof md_path, "%s/bench_texture.md", dir);
    int saved = zc_bench_md_save(&md, md_path);
    zc_bench_md_free(&md);
    if (saved == 0) printf("Markdown fragment: %s\n", md_path);

    zc_bench_rm_rf(work);
    for (size_t i = 0; i < set.count; ++i) free(set.files[i].path);
    free(set.files);
    printf("Total time: %.1f s\n", (double)(zc_bench_now_ns() - start) / 1e9);
    return saved == 0 ? 0 : 1;
}
