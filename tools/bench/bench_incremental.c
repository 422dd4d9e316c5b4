/* bench_incremental.c - incremental rebuilds through the build cache, beside a clean
 * build of the same tree in the same run.
 *
 *  1. Input: every image stb_image decodes among the files the test-data packages
 *     install (tools/bootstrap.sh --test-data: pygame's example data, gdk-pixbuf's
 *     reference images, the textures of assimp's test models, a PSD), copied into a
 *     temporary tree, as bench_texture does (without its HDR files); then the same
 *     tree with one real model (assimp's OBJ spider, its material library and its five
 *     textures) added.
 *  2. Builds, all with one import thread per core, the writer's verification on and
 *     no fsync, each the median of several runs with a warm page cache:
 *       - clean: zc_build without a cache (the comparator);
 *       - into an empty cache: the first build of `zcpack watch`, records stored;
 *       - nothing changed, cache kept open (what `zcpack watch` does between saves);
 *       - one texture changed, cache kept open: the save-to-published time of an
 *         editor loop without the debounce;
 *       - one texture changed, cache opened for the build (`zcpack build --cache`):
 *         every source is hashed again;
 *       - with the model: the model changed, cache and model workers kept (a pool
 *         passed to every build, as `zcpack watch` does), and the same with the
 *         workers started for each build;
 *       - the floor: copying the finished pack (read, write, rename), which every
 *         full new generation costs at least.
 *     The changed texture is a real image re-encoded with a few texels changed before
 *     every run, so each run imports it afresh.
 *
 * Output: a report on stdout, the Markdown fragment build/bench/bench_incremental.md and
 * its summary rows bench_incremental.glance that `make bench` gathers into
 * BENCHMARKS.md, and the chart docs/bench/incremental_build.png. A benchmark, never a
 * test: it exits non-zero only when it cannot measure.
 */
#define _GNU_SOURCE
#include "zc_bench_plot.h"
#include "zc_bench_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include "zc_build.h"
#include "zc_build_cache.h"
#include "zc_model.h"
#include "zc_pack.h"

#define REPS 5
#define SPIDER_DIR "/usr/share/assimp/models/OBJ"


static const char *const image_exts[] = {"png", "jpg", "jpeg", "tga", "bmp", "gif", "psd"};

typedef struct tree_facts {
    size_t files;
    uint64_t bytes;
    char changed[4096];         /* the texture every measured change rewrites */
    char changed_rel[4096];
    int changed_w, changed_h;
    uint64_t changed_texels;
} tree_facts;

/* ---------------------------------------------------------------------------------
 * The input tree
 * ------------------------------------------------------------------------------- */

static int is_image_name(const char *name) {
    const char *dot = strrchr(name, '.');
    if (!dot) return 0;
    for (size_t i = 0; i < sizeof image_exts / sizeof image_exts[0]; ++i)
        if (strcasecmp(dot + 1, image_exts[i]) == 0) return 1;
    return 0;
}

/* Copy `src` to tree/rel when stb_image decodes it; a PNG of up to 1024 x 1024 with
 * the most texels becomes the texture the measured changes rewrite. */
static void add_file(tree_facts *t, const char *src, const char *tree, const char *rel) {
    if (!is_image_name(rel)) return;
    size_t size;
    uint8_t *bytes = zc_bench_read_file(src, &size);
    if (!bytes) zc_bench_fatal("%s: cannot read: %s", src, strerror(errno));
    int w, h, n;
    if (size > 0x7fffffff || !stbi_info_from_memory(bytes, (int)size, &w, &h, &n) || w <= 0 || h <= 0 ||
        w > 16384 || h > 16384) {
        free(bytes);
        return;
    }
    void *pixels = stbi_load_from_memory(bytes, (int)size, &w, &h, &n, 4);
    if (!pixels) {
        free(bytes);
        return;
    }
    stbi_image_free(pixels);
    char dst[4096];
    if (snprintf(dst, sizeof dst, "%s/%s", tree, rel) >= (int)sizeof dst) zc_bench_fatal("%s: path too long", rel);
    if (zc_bench_write_file(dst, bytes, size) != 0) zc_bench_fatal("%s: cannot write: %s", dst, strerror(errno));
    free(bytes);
    t->files++;
    t->bytes += size;
    const char *dot = strrchr(rel, '.');
    uint64_t texels = (uint64_t)w * (uint64_t)h;
    if (strcasecmp(dot, ".png") == 0 && w <= 1024 && h <= 1024 && texels > t->changed_texels &&
        strlen(rel) < sizeof t->changed_rel) {
        memcpy(t->changed, dst, strlen(dst) + 1);
        memcpy(t->changed_rel, rel, strlen(rel) + 1);
        t->changed_w = w;
        t->changed_h = h;
        t->changed_texels = texels;
    }
}

/* The tree a walk copies into, and its facts (zc_bench_walk's user data). */
typedef struct tree_walk {
    tree_facts *facts;
    const char *tree;
} tree_walk;

static void add_walked(const char *src, const char *rel, void *user_data) {
    const tree_walk *walk = user_data;
    add_file(walk->facts, src, walk->tree, rel);
}

/* The spider model of assimp's OBJ tests with its material library and textures. */
static void add_spider(const char *tree) {
    static const char *const files[] = {"spider.obj", "spider.mtl", "SpiderTex.jpg", "drkwood2.jpg",
                                        "engineflare1.jpg", "wal67ar_small.jpg", "wal69ar_small.jpg"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; ++i) {
        char src[512], dst[4300];
        snprintf(src, sizeof src, "%s/%s", SPIDER_DIR, files[i]);
        snprintf(dst, sizeof dst, "%s/models/spider/%s", tree, files[i]);
        size_t size;
        uint8_t *bytes = zc_bench_read_file(src, &size);
        if (!bytes || zc_bench_write_file(dst, bytes, size) != 0) zc_bench_fatal("%s: cannot copy", src);
        free(bytes);
    }
}

/* Rewrite the changed texture: its source re-encoded as PNG with texels changed by a
 * counter, so no cache has seen the bytes. */
static void change_texture(const tree_facts *t, const uint8_t *rgba, uint64_t *state) {
    size_t n = (size_t)t->changed_w * (size_t)t->changed_h * 4u;
    uint8_t *copy = malloc(n);
    if (!copy) zc_bench_fatal("out of memory");
    memcpy(copy, rgba, n);
    for (int i = 0; i < 16; ++i) {
        uint64_t r = zc_bench_rand(state);
        size_t texel = (size_t)(r % t->changed_texels);
        memcpy(copy + 4 * texel, &r, 3);
    }
    if (!stbi_write_png(t->changed, t->changed_w, t->changed_h, 4, copy, t->changed_w * 4))
        zc_bench_fatal("%s: cannot write", t->changed);
    free(copy);
}

/* Append a comment line with a counter to the spider's OBJ file, so no cache has seen
 * its bytes. */
static void change_model(const char *tree, uint64_t *state) {
    char path[4300];
    snprintf(path, sizeof path, "%s/models/spider/spider.obj", tree);
    FILE *f = fopen(path, "a");
    if (!f || fprintf(f, "# edit %llu\n", (unsigned long long)zc_bench_rand(state)) < 0 || fclose(f) != 0)
        zc_bench_fatal("%s: cannot write", path);
}

/* ---------------------------------------------------------------------------------
 * Measurements
 * ------------------------------------------------------------------------------- */

typedef struct run {
    double secs;
    zc_build_stats stats;
} run;

static run build_with(const char *tree, const char *out, uint32_t threads, const char *cache_dir,
                      zc_build_cache *cache, zc_model_pool *pool) {
    zc_build_desc d;
    memset(&d, 0, sizeof d);
    d.input_dir = tree;
    d.output_path = out;
    d.threads = threads;
    d.no_sync = 1;
    d.cache_dir = cache_dir;
    d.cache = cache;
    d.model_pool = pool;
    d.logger.func = zc_bench_log_to_stderr;
    run r;
    uint64_t start = zc_bench_now_ns();
    zc_result res = zc_build(&d, &r.stats);
    r.secs = (double)(zc_bench_now_ns() - start) / 1e9;
    if (res != ZC_OK) zc_bench_fatal("zc_build of %s failed: %s", tree, zc_result_str(res));
    return r;
}

static run build(const char *tree, const char *out, uint32_t threads, const char *cache_dir, zc_build_cache *cache) {
    return build_with(tree, out, threads, cache_dir, cache, NULL);
}

/* Copy the pack to a temporary file beside it and rename it over a second name: the
 * bytes a new generation writes at least. */
static double copy_pack(const char *pack, const char *to) {
    uint64_t start = zc_bench_now_ns();
    size_t size;
    uint8_t *bytes = zc_bench_read_file(pack, &size);
    if (!bytes || zc_bench_write_file(to, bytes, size) != 0) zc_bench_fatal("%s: cannot copy", pack);
    free(bytes);
    return (double)(zc_bench_now_ns() - start) / 1e9;
}

static run median(run *runs, int n) {
    double secs[REPS];
    for (int i = 0; i < n; ++i) secs[i] = runs[i].secs;
    double m = zc_bench_quantile(secs, (size_t)n, 0.5);
    for (int i = 0; i < n; ++i)
        if (runs[i].secs == m) return runs[i];
    return runs[0];
}

typedef struct scenario {
    run clean, cold, noop, one_kept, one_dir;
    run model_kept, model_new;  /* the model changed: workers kept / started for the build */
    double copy_secs;
    uint64_t pack_bytes;
    uint32_t entries;
} scenario;

/* Every measurement of one tree. */
static void measure(const char *work, const char *tree, const tree_facts *t, uint32_t threads, int full, int model,
                    scenario *s) {
    char pack[4300], cache_dir[4300], copy[4300];
    snprintf(pack, sizeof pack, "%s/out.zcpack", work);
    snprintf(cache_dir, sizeof cache_dir, "%s/cache", work);
    snprintf(copy, sizeof copy, "%s/copy.zcpack", work);
    int w, h, n;
    uint8_t *rgba = stbi_load(t->changed, &w, &h, &n, 4);
    if (!rgba || w != t->changed_w || h != t->changed_h) zc_bench_fatal("%s: cannot decode", t->changed);
    uint64_t state = 0x1ec5eed;
    run runs[REPS];

    build(tree, pack, threads, NULL, NULL); /* warm-up */
    for (int i = 0; i < REPS; ++i) runs[i] = build(tree, pack, threads, NULL, NULL);
    s->clean = median(runs, REPS);
    s->pack_bytes = s->clean.stats.pack_bytes;
    s->entries = s->clean.stats.entries;

    if (full) {
        for (int i = 0; i < REPS; ++i) {
            zc_bench_rm_rf(cache_dir);
            runs[i] = build(tree, pack, threads, cache_dir, NULL);
        }
        s->cold = median(runs, REPS);
    } else {
        zc_bench_rm_rf(cache_dir);
        build(tree, pack, threads, cache_dir, NULL);
    }

    zc_build_cache *cache = NULL;
    zc_build_cache_desc cd;
    memset(&cd, 0, sizeof cd);
    cd.dir = cache_dir;
    if (zc_build_cache_open(&cache, &cd) != ZC_OK) zc_bench_fatal("%s: cannot open the cache", cache_dir);
    build(tree, pack, threads, NULL, cache); /* fills the memo of source hashes */
    if (full) {
        for (int i = 0; i < REPS; ++i) runs[i] = build(tree, pack, threads, NULL, cache);
        s->noop = median(runs, REPS);
    }
    for (int i = 0; i < REPS; ++i) {
        change_texture(t, rgba, &state);
        runs[i] = build(tree, pack, threads, NULL, cache);
    }
    s->one_kept = median(runs, REPS);
    if (model) {
        zc_model_pool *pool = NULL;
        if (zc_model_pool_create(&pool, threads) != ZC_OK) zc_bench_fatal("out of memory");
        build_with(tree, pack, threads, NULL, cache, pool); /* starts the workers */
        for (int i = 0; i < REPS; ++i) {
            change_model(tree, &state);
            runs[i] = build_with(tree, pack, threads, NULL, cache, pool);
        }
        s->model_kept = median(runs, REPS);
        zc_model_pool_destroy(pool);
        for (int i = 0; i < REPS; ++i) {
            change_model(tree, &state);
            runs[i] = build(tree, pack, threads, NULL, cache);
        }
        s->model_new = median(runs, REPS);
    }
    zc_build_cache_close(cache);

    if (full) {
        for (int i = 0; i < REPS; ++i) {
            change_texture(t, rgba, &state);
            runs[i] = build(tree, pack, threads, cache_dir, NULL);
        }
        s->one_dir = median(runs, REPS);
        double copies[REPS];
        for (int i = 0; i < REPS; ++i) copies[i] = copy_pack(pack, copy);
        s->copy_secs = zc_bench_quantile(copies, REPS, 0.5);
        unlink(copy);
    }
    stbi_image_free(rgba);
}

static void add_row(zc_bench_table *t, const char *what, const run *r, double clean_secs) {
    int row = zc_bench_table_add_row(t);
    char time[32];
    zc_bench_format_ns(r->secs * 1e9, time, sizeof time);
    zc_bench_table_set(t, row, 0, "%s", what);
    zc_bench_table_set(t, row, 1, "%s", time);
    const zc_build_stats *st = &r->stats;
    uint32_t imported = st->cache_misses; /* without a cache, every file of a cached importer */
    for (size_t i = 0; !(st->cache_hits + st->cache_misses) && i < zc_importer_count(); ++i)
        if (zc_importer_at(i)->flags & ZC_IMPORTER_CACHED) imported += st->imported[i];
    zc_bench_table_set(t, row, 2, "%u", imported);
    zc_bench_table_set(t, row, 3, "%u", r->stats.cache_hits);
    zc_bench_table_set(t, row, 4, "%.1fx", clean_secs / r->secs);
}

/* Build time of each scenario of the images tree beside the clean build (log scale:
 * a no-op rebuild is orders of magnitude below a clean one). */
static void plot_builds(const scenario *s, uint32_t threads, zc_bench_md *md) {
    static zc_plot_bars chart;
    memset(&chart, 0, sizeof chart);
    char subtitle[160];
    snprintf(subtitle, sizeof subtitle, "%u import threads, median of %d runs, warm page cache; shorter is better",
             threads, REPS);
    chart.title = "Incremental rebuild against a clean build";
    chart.subtitle = subtitle;
    chart.value_label = "build time, ms (log scale)";
    chart.log_scale = 1;
    chart.series_count = 1;
    const struct {
        const char *name;
        double secs;
    } rows[] = {
        {"clean, no cache", s->clean.secs},
        {"into an empty cache", s->cold.secs},
        {"nothing changed (watch)", s->noop.secs},
        {"one texture changed (watch)", s->one_kept.secs},
        {"one texture, build --cache", s->one_dir.secs},
        {"floor: copy of the pack", s->copy_secs},
    };
    chart.group_count = (int)(sizeof rows / sizeof rows[0]);
    for (int g = 0; g < chart.group_count; ++g) {
        char t[16], ratio[16];
        zc_bench_format_ns(rows[g].secs * 1e9, t, sizeof t);
        double faster = s->clean.secs / rows[g].secs;
        zc_bench_format_ratio(faster >= 1 ? faster : 1 / faster, ratio, sizeof ratio);
        chart.groups[g] = rows[g].name;
        chart.values[g][0] = rows[g].secs * 1e3;
        if (g == 0) snprintf(chart.notes[g][0], sizeof chart.notes[g][0], "%s", t);
        else snprintf(chart.notes[g][0], sizeof chart.notes[g][0], "%s (%s %s)", t, ratio,
                      faster >= 1 ? "faster" : "slower");
    }
    zc_plot_bars_md(&chart, "incremental_build", md);
}

static void usage(FILE *out) {
    fprintf(out, "usage: bench_incremental [--dir DIR]\n"
                 "  Incremental rebuild time through the build cache for one changed texture, beside a\n"
                 "  clean build of the same tree, on the real images of the test-data packages\n"
                 "  (installed through tools/bootstrap.sh --test-data when missing).\n"
                 "  --dir DIR  where the Markdown fragment goes (default: build/bench)\n");
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
    if (zc_bench_mkdirs(dir) != 0) zc_bench_fatal("%s: cannot create: %s", dir, strerror(errno));
    zc_bench_machine machine;
    zc_bench_machine_get(&machine);
    uint32_t threads = machine.cores > 0 ? (uint32_t)machine.cores : 1;
    char pool[16];
    snprintf(pool, sizeof pool, "%u", threads < 4 ? 4 : threads);
    setenv("UV_THREADPOOL_SIZE", pool, 0);
    printf("bench_incremental: rebuilds through the build cache, zcpack %s\n", zc_version_string());
    printf("  CPU: %s, %ld logical cores\n  Kernel: %s\n  Compiler: %s\n\n", machine.cpu, machine.cores,
           machine.kernel, machine.compiler);

    static const char *const extra_data[] = {SPIDER_DIR "/spider.obj", NULL};
    zc_bench_require_test_data(extra_data);
    char work[] = "/tmp/zc-bench-incremental-XXXXXX";
    if (!mkdtemp(work)) zc_bench_fatal("mkdtemp: %s", strerror(errno));
    char tree[4200];
    snprintf(tree, sizeof tree, "%s/images", work);
    tree_facts facts;
    memset(&facts, 0, sizeof facts);
    printf("copying the images into %s ...\n", tree);
    fflush(stdout);
    for (size_t i = 0; i < zc_bench_image_dir_count; ++i)
        zc_bench_walk(zc_bench_image_dirs[i].path, zc_bench_image_dirs[i].label, add_walked,
                      &(tree_walk){.facts = &facts, .tree = tree});
    if (facts.files == 0 || !facts.changed[0]) zc_bench_fatal("no images found");
    char source_bytes[32];
    zc_bench_format_bytes(facts.bytes, source_bytes, sizeof source_bytes);
    printf("  %zu images, %s; the changed texture: %s (%d x %d)\n", facts.files, source_bytes, facts.changed_rel,
           facts.changed_w, facts.changed_h);

    printf("measuring the images tree, %d runs each ...\n", REPS);
    fflush(stdout);
    scenario images;
    measure(work, tree, &facts, threads, 1, 0, &images);
    printf("measuring the same tree with a model, %d runs each ...\n", REPS);
    fflush(stdout);
    add_spider(tree);
    scenario model;
    measure(work, tree, &facts, threads, 0, 1, &model);
    zc_bench_rm_rf(work);

    static const char *const heads[] = {"build", "time (median)", "imported", "from the cache", "clean / this"};
    zc_bench_table table;
    zc_bench_table_init(&table, 5, heads);
    zc_bench_table_left(&table, 0);
    double clean = images.clean.secs;
    add_row(&table, "clean, no cache", &images.clean, clean);
    add_row(&table, "into an empty cache", &images.cold, clean);
    add_row(&table, "nothing changed, cache kept open (watch)", &images.noop, clean);
    add_row(&table, "one texture changed, cache kept open (watch)", &images.one_kept, clean);
    add_row(&table, "one texture changed, build --cache", &images.one_dir, clean);
    int row = zc_bench_table_add_row(&table);
    char time[32];
    zc_bench_format_ns(images.copy_secs * 1e9, time, sizeof time);
    zc_bench_table_set(&table, row, 0, "floor: copy of the pack");
    zc_bench_table_set(&table, row, 1, "%s", time);
    zc_bench_table_set(&table, row, 2, "-");
    zc_bench_table_set(&table, row, 3, "-");
    zc_bench_table_set(&table, row, 4, "%.1fx", clean / images.copy_secs);

    zc_bench_table mtable;
    zc_bench_table_init(&mtable, 5, heads);
    zc_bench_table_left(&mtable, 0);
    add_row(&mtable, "clean, no cache", &model.clean, model.clean.secs);
    add_row(&mtable, "one texture changed, cache kept open (watch)", &model.one_kept, model.clean.secs);
    add_row(&mtable, "the model changed, workers kept (watch)", &model.model_kept,
            model.clean.secs);
    add_row(&mtable, "the model changed, workers started per build", &model.model_new,
            model.clean.secs);

    char pack_bytes[32], model_pack_bytes[32];
    zc_bench_format_bytes(images.pack_bytes, pack_bytes, sizeof pack_bytes);
    zc_bench_format_bytes(model.pack_bytes, model_pack_bytes, sizeof model_pack_bytes);
    printf("\nImages tree: %zu images (%s), pack of %u entries, %s; changed: %s (%d x %d)\n", facts.files,
           source_bytes, images.entries, pack_bytes, facts.changed_rel, facts.changed_w, facts.changed_h);
    zc_bench_table_print(&table, stdout, "  ");
    printf("\nThe same tree with the OBJ spider model (pack of %u entries, %s):\n", model.entries, model_pack_bytes);
    zc_bench_table_print(&mtable, stdout, "  ");

    zc_bench_md md;
    zc_bench_md_init(&md);
    zc_bench_md_printf(&md, "## Incremental rebuilds through the build cache (bench_incremental)\n\n");
    zc_bench_md_machine(&md, &machine);
    zc_bench_md_printf(&md, "Produced by `make bench` (program `bench_incremental`, run from the repository root; "
                            "it installs the images with `tools/bootstrap.sh --test-data` when they are "
                            "missing).\n\n");
    zc_bench_md_printf(&md, "Input: %zu images stb_image decodes (%s) from pygame's example data, gdk-pixbuf's "
                            "reference images, assimp's test models and mimetype's test data; pack of %u entries, "
                            "%s. Every build uses %u import threads, verifies the pack and skips fsync; each time "
                            "is the median of %d runs with a warm page cache. The changed texture is %s "
                            "(%d x %d PNG), re-encoded with 16 texels changed before every run.\n\n",
                       facts.files, source_bytes, images.entries, pack_bytes, threads, REPS, facts.changed_rel,
                       facts.changed_w, facts.changed_h);
    zc_bench_md_table(&md, &table);
    plot_builds(&images, threads, &md);
    zc_bench_md_printf(&md, "\"cache kept open\" is what `zcpack watch` does: one zc_build_cache across builds, "
                            "whose memo of source hashes reads only the files whose status changed. `build "
                            "--cache` opens the cache for the build and hashes every source again. The floor "
                            "is one read and one write of the finished pack: a full new generation costs at "
                            "least that.\n\n");
    zc_bench_md_printf(&md, "The same tree with one model added (assimp's OBJ spider with its material library "
                            "and five textures; pack of %u entries, %s). A model's cache key covers the "
                            "files its import read (the OBJ, its material library and its textures), so the "
                            "changed texture, which the spider does not use, is imported alone. When the "
                            "model changes (a comment line appended to the OBJ before every run), its import "
                            "runs in a model worker: `zcpack watch` keeps the build's pool of workers "
                            "(zc_build_desc.model_pool) from one build to the next, where a build on its own "
                            "starts its workers and their server first:\n\n",
                       model.entries, model_pack_bytes);
    zc_bench_md_table(&md, &mtable);
    zc_bench_md_printf(&md, "Keeping the workers saves %.1f ms of the %.1f ms rebuild (%.2fx as fast).\n\n",
                       (model.model_new.secs - model.model_kept.secs) * 1e3, model.model_new.secs * 1e3,
                       model.model_new.secs / model.model_kept.secs);
    zc_bench_md glance;
    zc_bench_md_init(&glance);
    zc_bench_glance_row(&glance, "bench_incremental", "rebuild after one texture changed (cache kept open)",
                        "clean build of the same tree", "%.1fx faster", images.clean.secs / images.one_kept.secs);
    zc_bench_glance_save(&glance, dir, "bench_incremental");
    char md_path[4096];
    snprintf(md_path, sizeof md_path, "%s/bench_incremental.md", dir);
    int saved = zc_bench_md_save(&md, md_path);
    zc_bench_md_free(&md);
    if (saved != 0) return 1;
    printf("\nwrote %s\n", md_path);
    return 0;
}
