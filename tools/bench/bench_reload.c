/* bench_reload.c - hot reload latency: from saving a new generation of a large pack, in
 * which one texture changed, to the engine's on_change callback, beside the floor
 * measured in the same run (editor build: bin/editor/bench_reload).
 *
 *  1. A pack of BENCH_TEXTURES distinct 1024x1024 RGBA8 textures with full mip chains
 *     (imported from generated TGA images through the packer's texture importer) plus
 *     a few blobs, stored uncompressed, is written twice under build/bench/: version
 *     A and version B, which differ in textures/t000.tga only.
 *  2. A save is what the packer's writer does last: the finished file is renamed over
 *     the pack's path (here a hard link of A or B made beforehand, so the save itself
 *     is one rename). Saves alternate B, A, B, ... and each waits for its callback.
 *  3. The floor, in the same run and on the same files: the file-change notification
 *     alone (a libuv fs_event on the directory, rename to callback), and opening and
 *     mapping the pack (open + fstat + mmap + munmap + close). Their medians added are
 *     the least any reload can cost. For CHECKSUMS, which hashes the changed texture,
 *     also the "changed floor": the notification plus opening and mapping the pack and
 *     reading that texture's bytes once through the mapping.
 *  4. The live pack (zc_live_open with .watch = 1) at ZC_VALIDATE_CHECKSUMS (the
 *     default: the changed texture's structure and content hash checked before the
 *     swap, the other entries on first use) and at ZC_VALIDATE_FULL, and zc_pack_open
 *     alone at both levels (every entry checked at open) for comparison.
 *
 * Every figure is a median (p50) and p99 over BENCH_SAVES saves after BENCH_WARMUP
 * warm-up saves, with a warm page cache (the writer has just written the file). Output:
 * a report on stdout, build/bench/bench_reload.md and its summary rows
 * bench_reload.glance, and the chart docs/bench/reload_latency.png. A benchmark, never
 * a test: it exits non-zero only when it cannot measure.
 */
#include "zc_bench_plot.h"
#include "zc_bench_util.h"

#include "zc_import_texture.h"
#include "zc_pack.h"
#include "zc_live.h"
#include "zc_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef ZC_EDITOR

#include <pthread.h>
#include <uv.h>

#define BENCH_TEXTURES 24
#define BENCH_EXTENT 1024u
#define BENCH_SAVES 100
#define BENCH_WARMUP 5
#define BENCH_TIMEOUT_NS UINT64_C(10000000000)

/* Keeps the comparator's reads observable. */
static volatile uint64_t bench_sink;

/* ---------------------------------------------------------------------------------
 * The packs
 * ------------------------------------------------------------------------------- */

/* An uncompressed 32-bit TGA (top-left origin) of a pattern that depends on `seed`. */
static uint8_t *make_tga(uint32_t extent, uint64_t seed, size_t *out_size) {
    size_t size = 18 + (size_t)extent * extent * 4;
    uint8_t *tga = (uint8_t *)calloc(1, size);
    if (!tga) zc_bench_fatal("out of memory for a %ux%u image", extent, extent);
    tga[2] = 2; /* uncompressed true colour */
    tga[12] = (uint8_t)extent;
    tga[13] = (uint8_t)(extent >> 8);
    tga[14] = (uint8_t)extent;
    tga[15] = (uint8_t)(extent >> 8);
    tga[16] = 32;
    tga[17] = 0x28; /* 8 alpha bits, top-left origin */
    uint64_t state = seed;
    uint8_t *p = tga + 18;
    for (uint32_t y = 0; y < extent; ++y)
        for (uint32_t x = 0; x < extent; ++x, p += 4) {
            uint64_t noise = zc_bench_rand(&state);
            p[0] = (uint8_t)((x ^ y) + (noise & 15));
            p[1] = (uint8_t)(x * 3 + (uint8_t)seed);
            p[2] = (uint8_t)(y * 5 + (uint8_t)(seed >> 8));
            p[3] = 255;
        }
    *out_size = size;
    return tga;
}

typedef struct texture_set {
    zc_texture_image images[BENCH_TEXTURES];
    zc_texture_image changed;   /* the other version of texture 0 */
} texture_set;

static void import_one(uint64_t seed, zc_texture_image *out) {
    size_t size;
    uint8_t *tga = make_tga(BENCH_EXTENT, seed, &size);
    zc_texture_settings settings = { .format = ZC_TEXTURE_CHOICE_RGBA8 };
    zc_diag diag;
    diag.message[0] = 0;
    if (zc_texture_import_memory(tga, size, "bench.tga", &settings, out, &diag) != ZC_OK)
        zc_bench_fatal("texture import failed: %s", diag.message);
    free(tga);
}

static void write_entry(zc_writer *w, const char *path, uint32_t type, uint32_t layout, uint32_t align_log2,
                        const void *data, size_t size) {
    if (zc_writer_begin_entry(w, path, type, layout, align_log2) != ZC_OK || zc_writer_write(w, data, size) != ZC_OK ||
        zc_writer_end_entry(w) != ZC_OK)
        zc_bench_fatal("cannot write entry %s", path);
}

/* Version A (changed = 0) or B of the pack. Returns its size in bytes. */
static uint64_t write_pack(const char *out, const texture_set *set, int changed) {
    zc_writer *w;
    zc_logger logger = { .func = zc_bench_log_to_stderr };
    if (zc_writer_open(&w, &(zc_writer_desc){ .path = out, .logger = logger, .no_sync = 1 }) != ZC_OK)
        zc_bench_fatal("cannot create %s", out);
    for (int i = 0; i < BENCH_TEXTURES; ++i) {
        char path[64];
        snprintf(path, sizeof path, "textures/t%03d.tga", i);
        const zc_texture_image *img = i == 0 && changed ? &set->changed : &set->images[i];
        write_entry(w, path, ZC_TYPE_TEXTURE, ZC_TEXTURE_LAYOUT_HASH, ZC_TEXTURE_ENTRY_ALIGN_LOG2, img->payload,
                    img->size);
    }
    static const char *const texts[] = { "config/game.json", "levels/level01.txt", "shaders/sky.glsl" };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; ++i)
        write_entry(w, texts[i], ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 0, texts[i], strlen(texts[i]));
    if (zc_writer_finish(w) != ZC_OK) zc_bench_fatal("cannot finish %s", out);
    struct stat st;
    if (stat(out, &st) != 0) zc_bench_fatal("cannot stat %s: %s", out, strerror(errno));
    return (uint64_t)st.st_size;
}

/* ---------------------------------------------------------------------------------
 * Saves and their waiting
 * ------------------------------------------------------------------------------- */

typedef struct paths {
    const char *pack;           /* the watched path */
    const char *versions[2];    /* A, B */
    const char *staging;        /* the hard link renamed over `pack` */
    int current;                /* the version the pack path holds */
} paths;

/* Rename the other version over the pack; returns the time just before the rename. */
static uint64_t save(paths *p) {
    int which = 1 - p->current;
    p->current = which;
    unlink(p->staging);
    if (link(p->versions[which], p->staging) != 0)
        zc_bench_fatal("cannot link %s: %s", p->versions[which], strerror(errno));
    uint64_t t0 = zc_bench_now_ns();
    if (rename(p->staging, p->pack) != 0) zc_bench_fatal("cannot rename over %s: %s", p->pack, strerror(errno));
    return t0;
}

/* One arrival time per save, handed from a callback thread to the saving thread. */
typedef struct arrivals {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint64_t count;
    uint64_t last_ns;
    uint64_t validate_ns;
    uint32_t changes;
    int wrong;                  /* a report that was not exactly textures/t000.tga changed */
} arrivals;

static void arrivals_init(arrivals *a) {
    memset(a, 0, sizeof *a);
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->cond, NULL);
}

static void arrive(arrivals *a, uint64_t validate_ns, uint32_t changes, int wrong) {
    uint64_t now = zc_bench_now_ns();
    pthread_mutex_lock(&a->lock);
    a->last_ns = now;
    a->validate_ns = validate_ns;
    a->changes = changes;
    a->wrong |= wrong;
    a->count += 1;
    pthread_cond_broadcast(&a->cond);
    pthread_mutex_unlock(&a->lock);
}

static uint64_t arrivals_count(arrivals *a) {
    pthread_mutex_lock(&a->lock);
    uint64_t n = a->count;
    pthread_mutex_unlock(&a->lock);
    return n;
}

/* Wait for arrival number `n`; its time, or 0 after BENCH_TIMEOUT_NS. */
static uint64_t wait_arrival(arrivals *a, uint64_t n, uint64_t *validate_ns) {
    uint64_t end = zc_bench_now_ns() + BENCH_TIMEOUT_NS;
    pthread_mutex_lock(&a->lock);
    while (a->count < n && zc_bench_now_ns() < end) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec += 1;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&a->cond, &a->lock, &ts);
    }
    uint64_t t = a->count >= n ? a->last_ns : 0;
    if (validate_ns) *validate_ns = a->validate_ns;
    pthread_mutex_unlock(&a->lock);
    return t;
}

/* ---------------------------------------------------------------------------------
 * Floor 1: the notification alone (libuv fs_event on the directory, own thread)
 * ------------------------------------------------------------------------------- */

typedef struct notifier {
    uv_loop_t loop;
    uv_fs_event_t event;
    uv_async_t stop;
    uv_thread_t thread;
    const char *name;
    arrivals arrivals;
} notifier;

static void on_notify(uv_fs_event_t *handle, const char *filename, int events, int status) {
    (void)events;
    notifier *n = (notifier *)handle->data;
    if (status == 0 && filename && strcmp(filename, n->name) == 0) arrive(&n->arrivals, 0, 0, 0);
}

static void on_stop(uv_async_t *async) {
    notifier *n = (notifier *)async->data;
    uv_close((uv_handle_t *)&n->event, NULL);
    uv_close((uv_handle_t *)&n->stop, NULL);
}

static void run_loop(void *arg) { uv_run(&((notifier *)arg)->loop, UV_RUN_DEFAULT); }

static void measure_notification(paths *p, const char *dir, const char *name, double *out) {
    notifier n;
    memset(&n, 0, sizeof n);
    n.name = name;
    arrivals_init(&n.arrivals);
    if (uv_loop_init(&n.loop) != 0) zc_bench_fatal("uv_loop_init failed");
    uv_fs_event_init(&n.loop, &n.event);
    uv_async_init(&n.loop, &n.stop, on_stop);
    n.event.data = n.stop.data = &n;
    int e = uv_fs_event_start(&n.event, on_notify, dir, 0);
    if (e != 0) zc_bench_fatal("cannot watch %s: %s", dir, uv_strerror(e));
    uv_thread_create(&n.thread, run_loop, &n);
    for (int i = 0; i < BENCH_WARMUP + BENCH_SAVES; ++i) {
        uint64_t before = arrivals_count(&n.arrivals);
        uint64_t t0 = save(p);
        uint64_t t1 = wait_arrival(&n.arrivals, before + 1, NULL);
        if (!t1) zc_bench_fatal("no notification within 10 s");
        if (i >= BENCH_WARMUP) out[i - BENCH_WARMUP] = (double)(t1 - t0);
        /* Let any further notification of this save arrive before the next one. */
        struct timespec rest = { 0, 2000000 };
        nanosleep(&rest, NULL);
    }
    uv_async_send(&n.stop);
    uv_thread_join(&n.thread);
    uv_loop_close(&n.loop);
}

/* ---------------------------------------------------------------------------------
 * Floor 2: opening and mapping the file
 * ------------------------------------------------------------------------------- */

static void measure_open_map(const char *pack, double *out) {
    for (int i = 0; i < BENCH_WARMUP + BENCH_SAVES; ++i) {
        uint64_t t0 = zc_bench_now_ns();
        int fd = open(pack, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) != 0) zc_bench_fatal("cannot open %s: %s", pack, strerror(errno));
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) zc_bench_fatal("cannot map %s: %s", pack, strerror(errno));
        munmap(p, (size_t)st.st_size);
        close(fd);
        uint64_t t1 = zc_bench_now_ns();
        if (i >= BENCH_WARMUP) out[i - BENCH_WARMUP] = (double)(t1 - t0);
    }
}

/* The least a reload that hashes the changed texture can add to the floor: open and map
 * the pack, read every byte of that texture's stored bytes once through the mapping
 * (64-bit words summed, as fast as memory and page faults allow), unmap, close. */
static void measure_read_changed(const char *pack, double *out) {
    zc_pack *pk;
    zc_entry e;
    if (zc_pack_open(&pk, &(zc_pack_desc){ .path = pack }) != ZC_OK ||
        zc_pack_find(pk, "textures/t000.tga", &e) != ZC_OK)
        zc_bench_fatal("cannot find textures/t000.tga in %s", pack);
    uint64_t offset = e.offset, size = e.stored_size;
    zc_pack_close(pk);
    for (int i = 0; i < BENCH_WARMUP + BENCH_SAVES; ++i) {
        uint64_t t0 = zc_bench_now_ns();
        int fd = open(pack, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) != 0) zc_bench_fatal("cannot open %s: %s", pack, strerror(errno));
        const uint8_t *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) zc_bench_fatal("cannot map %s: %s", pack, strerror(errno));
        uint64_t sum = 0, word;
        for (uint64_t k = 0; k + 8 <= size; k += 8) {
            memcpy(&word, p + offset + k, 8);
            sum += word;
        }
        bench_sink += sum;
        munmap((void *)p, (size_t)st.st_size);
        close(fd);
        uint64_t t1 = zc_bench_now_ns();
        if (i >= BENCH_WARMUP) out[i - BENCH_WARMUP] = (double)(t1 - t0);
    }
}

/* Validation alone on a freshly mapped pack (each run maps again: page faults count). */
static void measure_validate(const char *pack, zc_validate level, double *out) {
    for (int i = 0; i < BENCH_WARMUP + BENCH_SAVES / 4; ++i) {
        zc_pack *pk;
        uint64_t t0 = zc_bench_now_ns();
        if (zc_pack_open(&pk, &(zc_pack_desc){ .path = pack, .validate = level }) != ZC_OK)
            zc_bench_fatal("cannot open %s", pack);
        uint64_t t1 = zc_bench_now_ns();
        zc_pack_close(pk);
        if (i >= BENCH_WARMUP) out[i - BENCH_WARMUP] = (double)(t1 - t0);
    }
}

/* ---------------------------------------------------------------------------------
 * The live pack
 * ------------------------------------------------------------------------------- */

static void on_change(const zc_live_event *event, void *user_data) {
    int wrong = event->change_count != 1 || event->changes[0].kind != ZC_LIVE_CHANGED ||
                strcmp(event->changes[0].path, "textures/t000.tga") != 0;
    arrive((arrivals *)user_data, event->validate_ns, event->change_count, wrong);
}

static void measure_live(paths *p, zc_validate level, double *latency, double *validate) {
    arrivals a;
    arrivals_init(&a);
    zc_live_pack *live;
    zc_logger logger = { .func = zc_bench_log_to_stderr };
    /* A long poll interval: the notification must bring every save. */
    if (zc_live_open(&live, &(zc_live_desc){ .path = p->pack, .watch = 1, .validate = level,
                                            .poll_interval_ms = 10000, .on_change = on_change,
                                            .user_data = &a, .logger = logger }) != ZC_OK)
        zc_bench_fatal("cannot open the live pack %s", p->pack);
    zc_live_stats stats;
    zc_live_get_stats(live, &stats);
    if (!stats.notifications) zc_bench_fatal("file-change notifications do not work here");
    for (int i = 0; i < BENCH_WARMUP + BENCH_SAVES; ++i) {
        uint64_t t0 = save(p);
        uint64_t validate_ns = 0;
        uint64_t t1 = wait_arrival(&a, (uint64_t)i + 1, &validate_ns);
        if (!t1) zc_bench_fatal("save %d: no callback within 10 s", i);
        if (i >= BENCH_WARMUP) {
            latency[i - BENCH_WARMUP] = (double)(t1 - t0);
            validate[i - BENCH_WARMUP] = (double)validate_ns;
        }
    }
    if (a.wrong) zc_bench_fatal("a callback reported something else than textures/t000.tga changed");
    zc_live_close(live);
}

/* ---------------------------------------------------------------------------------
 * Report
 * ------------------------------------------------------------------------------- */

static void row(zc_bench_table *t, const char *what, double *values, size_t n, double floor_ns) {
    int r = zc_bench_table_add_row(t);
    char p50[32], p99[32];
    double median = zc_bench_quantile(values, n, 0.5);
    zc_bench_format_ns(median, p50, sizeof p50);
    zc_bench_format_ns(zc_bench_quantile(values, n, 0.99), p99, sizeof p99);
    zc_bench_table_set(t, r, 0, "%s", what);
    zc_bench_table_set(t, r, 1, "%s", p50);
    zc_bench_table_set(t, r, 2, "%s", p99);
    if (floor_ns > 0) zc_bench_table_set(t, r, 3, "%.1fx", median / floor_ns);
    else zc_bench_table_set(t, r, 3, "-");
}

/* Save-to-callback latency, p50 and p99, beside the floor. */
static void plot_latency(double *floor_sums, double *live_sum, double *live_full, double floor_ns, zc_bench_md *md) {
    static zc_plot_bars chart;
    memset(&chart, 0, sizeof chart);
    char subtitle[160];
    snprintf(subtitle, sizeof subtitle, "%d saves of a pack in which one texture changed; shorter is better",
             BENCH_SAVES);
    chart.title = "Hot reload: save to on_change against the floor";
    chart.subtitle = subtitle;
    chart.value_label = "latency, ms (log scale)";
    chart.log_scale = 1;
    chart.group_count = 3;
    chart.groups[0] = "floor: notify + open, map";
    chart.groups[1] = "live pack at CHECKSUMS";
    chart.groups[2] = "live pack at FULL";
    chart.series_count = 2;
    chart.series[0] = "p50";
    chart.series[1] = "p99";
    double *values[3] = {floor_sums, live_sum, live_full};
    for (int g = 0; g < 3; ++g) {
        double q[2] = {zc_bench_quantile(values[g], BENCH_SAVES, 0.5), zc_bench_quantile(values[g], BENCH_SAVES, 0.99)};
        for (int k = 0; k < 2; ++k) {
            char t[16], ratio[16];
            zc_bench_format_ns(q[k], t, sizeof t);
            zc_bench_format_ratio(q[k] / floor_ns, ratio, sizeof ratio);
            chart.values[g][k] = q[k] / 1e6;
            if (g == 0 || k == 1) snprintf(chart.notes[g][k], sizeof chart.notes[g][k], "%s", t);
            else snprintf(chart.notes[g][k], sizeof chart.notes[g][k], "%s (%s the floor)", t, ratio);
        }
    }
    zc_plot_bars_md(&chart, "reload_latency", md);
}

int main(int argc, char **argv) {
    const char *dir = "build/bench";
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) dir = argv[++i];
        else {
            fprintf(stderr, "usage: bench_reload [--dir DIR]\n"
                            "  --dir DIR   where the packs and bench_reload.md go (default: build/bench)\n");
            return 2;
        }
    }
    char work[1024], pack[1100], a_path[1100], b_path[1100], staging[1100], md_path[1100];
    snprintf(work, sizeof work, "%s/reload", dir);
    zc_bench_rm_rf(work);
    if (zc_bench_mkdirs(work) != 0) zc_bench_fatal("cannot create %s: %s", work, strerror(errno));
    snprintf(pack, sizeof pack, "%s/game.zcpack", work);
    snprintf(a_path, sizeof a_path, "%s/version_a.zcpack", work);
    snprintf(b_path, sizeof b_path, "%s/version_b.zcpack", work);
    snprintf(staging, sizeof staging, "%s/game.zcpack.staging", work);
    snprintf(md_path, sizeof md_path, "%s/bench_reload.md", dir);

    printf("bench_reload: importing %d textures of %ux%u (RGBA8, full mip chains)\n", BENCH_TEXTURES, BENCH_EXTENT,
           BENCH_EXTENT);
    fflush(stdout);
    static texture_set set;
    for (int i = 0; i < BENCH_TEXTURES; ++i) import_one(UINT64_C(0x5eed0000) + (uint64_t)i, &set.images[i]);
    import_one(UINT64_C(0xc4a26e), &set.changed);
    uint64_t size = write_pack(a_path, &set, 0);
    write_pack(b_path, &set, 1);
    for (int i = 0; i < BENCH_TEXTURES; ++i) zc_texture_image_free(&set.images[i]);
    uint64_t texture_bytes = set.changed.size;
    zc_texture_image_free(&set.changed);
    paths p = { .pack = pack, .versions = { a_path, b_path }, .staging = staging };
    p.current = 1;
    save(&p);

    static double notify[BENCH_SAVES], open_map[BENCH_SAVES], sum[BENCH_SAVES], read_changed[BENCH_SAVES];
    static double floor_changed[BENCH_SAVES];
    static double validate_sum[BENCH_SAVES], validate_full[BENCH_SAVES];
    static double live_sum[BENCH_SAVES], live_sum_v[BENCH_SAVES], live_full[BENCH_SAVES], live_full_v[BENCH_SAVES];
    printf("bench_reload: floor (notification, open + map), then the live pack, %d saves each\n", BENCH_SAVES);
    fflush(stdout);
    measure_notification(&p, work, "game.zcpack", notify);
    measure_open_map(pack, open_map);
    measure_read_changed(pack, read_changed);
    measure_validate(pack, ZC_VALIDATE_CHECKSUMS, validate_sum);
    measure_validate(pack, ZC_VALIDATE_FULL, validate_full);
    measure_live(&p, ZC_VALIDATE_CHECKSUMS, live_sum, live_sum_v);
    measure_live(&p, ZC_VALIDATE_FULL, live_full, live_full_v);

    double floor_ns = zc_bench_quantile(notify, BENCH_SAVES, 0.5) + zc_bench_quantile(open_map, BENCH_SAVES, 0.5);
    for (int i = 0; i < BENCH_SAVES; ++i) sum[i] = notify[i] + open_map[i];
    for (int i = 0; i < BENCH_SAVES; ++i) floor_changed[i] = notify[i] + read_changed[i];
    /* The floor of a reload that hashes what changed: notification, then opening and
     * mapping the pack and reading the changed texture's bytes once. */
    double changed_ns = zc_bench_quantile(notify, BENCH_SAVES, 0.5) + zc_bench_quantile(read_changed, BENCH_SAVES, 0.5);

    static const char *const head[] = { "step", "p50", "p99", "vs floor" };
    zc_bench_table t;
    zc_bench_table_init(&t, 4, head);
    row(&t, "floor: notification (rename -> libuv fs_event)", notify, BENCH_SAVES, 0);
    row(&t, "floor: open + mmap + munmap + close", open_map, BENCH_SAVES, 0);
    row(&t, "floor: both (per-save sums)", sum, BENCH_SAVES, floor_ns);
    row(&t, "open + map + read the changed texture once", read_changed, BENCH_SAVES, 0);
    row(&t, "changed floor: notification + that (sums)", floor_changed, BENCH_SAVES, floor_ns);
    row(&t, "zc_pack_open at CHECKSUMS alone (25 runs)", validate_sum, BENCH_SAVES / 4, floor_ns);
    row(&t, "zc_pack_open at FULL alone (25 runs)", validate_full, BENCH_SAVES / 4, floor_ns);
    row(&t, "live, CHECKSUMS: save -> on_change", live_sum, BENCH_SAVES, floor_ns);
    row(&t, "  the same, vs the changed floor", live_sum, BENCH_SAVES, changed_ns);
    row(&t, "  of which opening + validating", live_sum_v, BENCH_SAVES, floor_ns);
    row(&t, "live, FULL: save -> on_change", live_full, BENCH_SAVES, floor_ns);
    row(&t, "  of which opening + validating", live_full_v, BENCH_SAVES, floor_ns);

    char size_text[32], texture_text[32], floor_text[32];
    zc_bench_format_bytes(size, size_text, sizeof size_text);
    zc_bench_format_bytes(texture_bytes, texture_text, sizeof texture_text);
    zc_bench_format_ns(floor_ns, floor_text, sizeof floor_text);
    printf("\nPack: %s, %d textures + 3 blobs; each save changes textures/t000.tga (%s).\n", size_text,
           BENCH_TEXTURES, texture_text);
    zc_bench_table_print(&t, stdout, "  ");
    char changed_text[32];
    zc_bench_format_ns(changed_ns, changed_text, sizeof changed_text);
    printf("\nFloor (median notification + median open and map): %s; with the changed texture read once: %s\n",
           floor_text, changed_text);

    zc_bench_machine machine;
    zc_bench_machine_get(&machine);
    zc_bench_md md;
    zc_bench_md_init(&md);
    zc_bench_md_printf(&md, "## Hot reload: save to callback (bench_reload)\n\n");
    zc_bench_md_machine(&md, &machine);
    zc_bench_md_printf(&md, "Produced by `make bench` (program `bin/editor/bench_reload`, the editor build, run from "
                            "the repository root).\n\n");
    zc_bench_md_printf(&md,
                       "Pack: %s, %d distinct 1024x1024 RGBA8 textures with full mip chains and 3 blobs, stored "
                       "uncompressed. A save renames a finished pack over the watched path, as the writer does; "
                       "consecutive saves differ in one texture (textures/t000.tga, %s), and every callback must "
                       "report exactly that entry as changed. p50 and p99 over %d saves after %d warm-up saves, warm "
                       "page cache; each save waits for its callback.\n\n",
                       size_text, BENCH_TEXTURES, texture_text, BENCH_SAVES, BENCH_WARMUP);
    zc_bench_md_printf(&md, "The floor is measured in the same run on the same files: the file-change notification "
                            "alone (a libuv fs_event on the directory, from the rename to its callback) plus "
                            "opening and mapping the pack; its median is %s. The live pack adds what the floor "
                            "does not do: checking the new generation where it differs from the running one (the "
                            "header, both checksums, and the changed texture: its structure at FULL, also its "
                            "content hash at CHECKSUMS; unchanged entries are checked on first use), copying its "
                            "table of contents and comparing it with the current one. Hashing the changed texture "
                            "reads its %s, so CHECKSUMS is also compared with the *changed floor*: the "
                            "notification plus opening and mapping the pack and reading that texture's bytes "
                            "once through the mapping (%s).\n\n",
                       floor_text, texture_text, changed_text);
    zc_bench_md_table(&md, &t);
    plot_latency(sum, live_sum, live_full, floor_ns, &md);
    zc_bench_md glance;
    zc_bench_md_init(&glance);
    char ratio[16];
    zc_bench_format_ratio(zc_bench_quantile(live_sum, BENCH_SAVES, 0.5) / floor_ns, ratio, sizeof ratio);
    zc_bench_glance_row(&glance, "bench_reload", "hot reload, save to on_change (p50, changed texture hashed)",
                        "file notification + open and map", "%s the time", ratio);
    zc_bench_format_ratio(zc_bench_quantile(live_sum, BENCH_SAVES, 0.5) / changed_ns, ratio, sizeof ratio);
    zc_bench_glance_row(&glance, "bench_reload", "hot reload, save to on_change (p50, changed texture hashed)",
                        "notification + open, map and read the changed texture", "%s the time", ratio);
    zc_bench_format_ratio(zc_bench_quantile(live_full, BENCH_SAVES, 0.5) / floor_ns, ratio, sizeof ratio);
    zc_bench_glance_row(&glance, "bench_reload", "hot reload, save to on_change (p50, structure checked)",
                        "file notification + open and map", "%s the time", ratio);
    zc_bench_glance_save(&glance, dir, "bench_reload");
    int saved = zc_bench_md_save(&md, md_path);
    zc_bench_md_free(&md);
    zc_bench_rm_rf(work);
    if (saved != 0) return 1;
    printf("bench_reload: wrote %s\n", md_path);
    return 0;
}

#else

int main(void) {
    fprintf(stderr, "bench_reload: measures the hot reload API of the editor build; run bin/editor/bench_reload "
                    "(make editor)\n");
    return 2;
}

#endif /* ZC_EDITOR */
