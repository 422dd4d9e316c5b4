/* bench_build.c - how a build uses the cores it is given, beside the traditional load
 * of the same files, and where the build's CPU time goes, all in the same run.
 *
 *  1. Input, copied into a temporary tree (never into the repository):
 *     - the texture tree of bench_texture: every PNG, JPEG, TGA, BMP, GIF and PSD image
 *       the test-data packages install that stb_image decodes, and Blender's OpenEXR
 *       environment maps encoded as Radiance HDR by pfstools;
 *     - a mixed game tree: the model folders of bench_scene from Debian's
 *       assimp-testmodels (glTF 2.0 text and binary, COLLADA, OBJ with MTL, FBX, PLY,
 *       3DS, MD2, STL, X, each folder with the textures and other files beside its
 *       models), pygame's example data (images, WAV/OGG/MP3 sounds, a TrueType font, a
 *       video) and example scripts (text), Blender's UI fonts (WOFF2, one of 11 MiB)
 *       and its colour-management configuration (OCIO text and LUTs of up to 9 MiB).
 *       Files the build refuses (the package holds broken models on purpose), models
 *       assimp cannot load in this process and images stb_image cannot decode (a WebP,
 *       a TIFF) are left out, so both sides load the same files.
 *     When the packages are missing the program installs them through
 *     tools/bootstrap.sh --test-data.
 *  2. Scaling: zc_build (public API; pack verified, no fsync) of each tree with
 *     zc_build_desc.threads = 1 and = 2, and of the mixed tree with one thread per
 *     core when that is not 2; and the same trees through the CLI as a user runs it,
 *     `bin/release/zcpack build -j 1` and `-j 2`, a fresh process each with its
 *     defaults (fsync on); and the machine's ceiling, an integer loop done by one
 *     thread or split over two. Every repetition runs every variant once, the order of
 *     the thread counts alternating between repetitions; warm page cache.
 *  3. Traditional load of the mixed tree, on one thread, in the same repetitions:
 *     stb_image decodes every image (float for HDR), aiImportFile imports every model
 *     with the packer's own post-processing flags (zc_model_assimp_flags) and
 *     stb_image decodes its embedded compressed textures, every other file is read.
 *  4. CPU profile of three runs of `bin/release/zcpack build` of the mixed tree with
 *     one thread per core, one after another, under `perf record -e cpu-clock
 *     --call-graph dwarf` (model workers included: perf follows the forks), their
 *     samples summed. Each sample is charged to the innermost frame
 *     of its stack that lies in a library's own encode/decode call: stb_image decode
 *     (stbi_*), the BC and ASTC encoders (stb_dxt, zc_bc7/zc_bc6h, libastcenc), assimp,
 *     meshoptimizer, zstd, XXH3 (libxxhash and the runtime's own kernels), libwebp and
 *     OpenEXR, or to mip filtering (stb_image_resize and zcpack's own halving), reported
 *     both as encoding and as outside; a sample with no such frame is time outside them,
 *     unless perf could not unwind its stack to its thread's start, to main or to a
 *     model import's entry: those are left out of the shares and counted, and the
 *     report gives the bound where every one of them lay outside the calls. perf 6.1
 *     does not follow the stacks of the workers the CLI's worker server forks, so the
 *     same builds are profiled a second time through zc_build in a child of this
 *     program (--profile-child) whose workers are forked from it. Where perf is missing
 *     or not permitted, or zcpack has no symbol table, the program says so in its report
 *     and leaves that part out.
 *
 * Output: a report on stdout, build/bench/bench_build.md and bench_build.glance for
 * BENCHMARKS.md, the chart docs/bench/build_scaling.png. A benchmark, never a test: it
 * exits non-zero only when it cannot measure.
 */
#define _GNU_SOURCE
#include "bench_build_profile.h"
#include "zc_bench_plot.h"
#include "zc_bench_util.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <assimp/cimport.h>
#include <assimp/scene.h>
#include <stb/stb_image.h>

#include "zc_build.h"
#include "zc_model.h"
#include "zc_model_isolate.h"
#include "zc_pack.h"

#define DEFAULT_REPS 15
#define MAX_REPS 25
#define EXR_DIR "/usr/share/blender/datafiles/studiolights/world"
#define ASSIMP_MODELS "/usr/share/assimp/models"
#define PYGAME_EXAMPLES "/usr/share/doc/python-pygame-doc/examples"
#define BLENDER_DATA "/usr/share/blender/datafiles"

static volatile uint64_t bench_sink;


/* ---------------------------------------------------------------------------------
 * The trees
 * ------------------------------------------------------------------------------- */

typedef enum file_kind { KIND_IMAGE, KIND_MODEL, KIND_OTHER } file_kind;

typedef struct tree_file {
    char *path;                 /* in the temporary tree */
    file_kind kind;
    int hdr;                    /* KIND_IMAGE: Radiance HDR, decoded to float */
    int removed;                /* left out after the checks */
    uint64_t size;
} tree_file;

typedef struct tree {
    char root[4096];
    tree_file *files;
    size_t count, capacity;
} tree;

typedef struct tree_facts {
    size_t files, images, models, others;
    uint64_t bytes;
} tree_facts;

static tree_facts facts_of(const tree *t) {
    tree_facts f;
    memset(&f, 0, sizeof f);
    for (size_t i = 0; i < t->count; ++i) {
        const tree_file *tf = &t->files[i];
        if (tf->removed) continue;
        f.files++;
        f.bytes += tf->size;
        if (tf->kind == KIND_IMAGE) f.images++;
        else if (tf->kind == KIND_MODEL) f.models++;
        else f.others++;
    }
    return f;
}

/* Decode `bytes` the way the traditional side will; 1 when stb_image can. */
static int stb_decodes(const uint8_t *bytes, size_t size, int *hdr) {
    int w, h, n;
    if (size > 0x7fffffff || !stbi_info_from_memory(bytes, (int)size, &w, &h, &n)) return 0;
    if (w <= 0 || h <= 0 || w > 16384 || h > 16384) return 0;
    *hdr = stbi_is_hdr_from_memory(bytes, (int)size);
    void *data = *hdr ? (void *)stbi_loadf_from_memory(bytes, (int)size, &w, &h, &n, 4)
                      : (void *)stbi_load_from_memory(bytes, (int)size, &w, &h, &n, 4);
    if (!data) return 0;
    stbi_image_free(data);
    return 1;
}

/* What the packer makes of a file with this name: a texture, a model or a blob. */
static file_kind kind_of(const char *rel) {
    const zc_importer *imp = zc_importer_for_path(rel);
    if (imp && strcmp(imp->name, "texture") == 0) return KIND_IMAGE;
    if (imp && strcmp(imp->name, "model") == 0) return KIND_MODEL;
    return KIND_OTHER;
}

/* Copy src to tree/rel. images_only: leave out everything but images stb_image
 * decodes (the texture tree); otherwise images it cannot decode are left out too. */
static void add_file(tree *t, const char *src, const char *rel, int images_only) {
    file_kind kind = kind_of(rel);
    if (images_only && kind != KIND_IMAGE) return;
    size_t size;
    uint8_t *bytes = zc_bench_read_file(src, &size);
    if (!bytes) zc_bench_fatal("%s: cannot read: %s", src, strerror(errno));
    int hdr = 0;
    if (kind == KIND_IMAGE && !stb_decodes(bytes, size, &hdr)) {
        free(bytes);
        return;
    }
    char dst[4096];
    PATH_PRINTF(dst, "%s/%s", t->root, rel);
    if (zc_bench_write_file(dst, bytes, size) != 0) zc_bench_fatal("%s: cannot write: %s", dst, strerror(errno));
    free(bytes);
    if (t->count == t->capacity) {
        t->capacity = t->capacity ? 2 * t->capacity : 256;
        t->files = realloc(t->files, t->capacity * sizeof *t->files);
        if (!t->files) zc_bench_fatal("out of memory");
    }
    tree_file *f = &t->files[t->count++];
    memset(f, 0, sizeof *f);
    f->path = strdup(dst);
    if (!f->path) zc_bench_fatal("out of memory");
    f->kind = kind;
    f->hdr = hdr;
    f->size = size;
}

typedef struct walk_ctx {
    tree *t;
    int images_only;
} walk_ctx;

static void add_walked(const char *src, const char *rel, void *user_data) {
    const walk_ctx *w = user_data;
    add_file(w->t, src, rel, w->images_only);
}

/* The regular files of dir (not its subfolders) into tree/label/, those whose name
 * ends with `suffix` when it is not NULL. */
static void add_dir_flat(tree *t, const char *dir, const char *label, const char *suffix) {
    DIR *d = opendir(dir);
    if (!d) zc_bench_fatal("%s: cannot open: %s", dir, strerror(errno));
    char names[512][256];
    size_t count = 0;
    for (struct dirent *de; (de = readdir(d)) != NULL && count < 512;) {
        size_t n = strlen(de->d_name);
        if (de->d_name[0] == '.' || n >= 256) continue;
        if (suffix && (n < strlen(suffix) || strcmp(de->d_name + n - strlen(suffix), suffix) != 0)) continue;
        memcpy(names[count++], de->d_name, n + 1);
    }
    closedir(d);
    qsort(names, count, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    for (size_t i = 0; i < count; ++i) {
        char src[4096], rel[4096];
        struct stat st;
        PATH_PRINTF(src, "%s/%s", dir, names[i]);
        if (stat(src, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        PATH_PRINTF(rel, "%s/%s", label, names[i]);
        add_file(t, src, rel, 0);
    }
}

/* Radiance HDR files from Blender's OpenEXR maps, through pfstools (as bench_texture). */
static void add_hdrs(tree *t) {
    DIR *d = opendir(EXR_DIR);
    if (!d) zc_bench_fatal("%s: cannot open: %s", EXR_DIR, strerror(errno));
    char names[32][256];
    size_t count = 0;
    for (struct dirent *de; (de = readdir(d)) != NULL && count < 32;) {
        size_t n = strlen(de->d_name);
        if (n > 4 && n < 250 && strcmp(de->d_name + n - 4, ".exr") == 0) memcpy(names[count++], de->d_name, n + 1);
    }
    closedir(d);
    qsort(names, count, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    char work[4300];
    PATH_PRINTF(work, "%s.hdr-work", t->root);
    if (zc_bench_mkdirs(work) != 0) zc_bench_fatal("%s: cannot create: %s", work, strerror(errno));
    for (size_t i = 0; i < count; ++i) {
        char out[4700], cmd[9800], rel[512];
        names[i][strlen(names[i]) - 4] = 0;
        PATH_PRINTF(out, "%s/%s.hdr", work, names[i]);
        PATH_PRINTF(cmd, "pfsinexr '%s/%s.exr' 2>/dev/null | pfsoutrgbe '%s' 2>/dev/null", EXR_DIR, names[i], out);
        if (system(cmd) != 0) zc_bench_fatal("pfsinexr | pfsoutrgbe failed on %s.exr", names[i]);
        PATH_PRINTF(rel, "blender/%s.hdr", names[i]);
        add_file(t, out, rel, 1);
        unlink(out);
    }
    zc_bench_rm_rf(work);
}

/* Model folders of bench_scene (the demo scene aside). */
static const struct model_dir {
    const char *path;
    const char *label;
} model_dirs[] = {
    {ASSIMP_MODELS "/glTF2/2CylinderEngine-glTF-Binary", "models/gltf-engine"},
    {ASSIMP_MODELS "/glTF2/BoxTextured-glTF", "models/gltf-box"},
    {ASSIMP_MODELS "/glTF2/BoxTextured-glTF-Binary", "models/glb-box"},
    {ASSIMP_MODELS "/Collada", "models/collada"},
    {ASSIMP_MODELS "/OBJ", "models/obj"},
    {ASSIMP_MODELS "/FBX", "models/fbx"},
    {ASSIMP_MODELS "/PLY", "models/ply"},
    {ASSIMP_MODELS "/3DS", "models/3ds"},
    {ASSIMP_MODELS "/MD2", "models/md2"},
    {ASSIMP_MODELS "/STL", "models/stl"},
    {ASSIMP_MODELS "/X", "models/x"},
};

/* Errors of the check build: the file each names ("<file>: <reason>"). */
typedef struct failed_list {
    const char *root;
    char paths[256][1024];
    size_t count;
} failed_list;

static void collect_failures(zc_log_level level, const char *message, void *user_data) {
    failed_list *f = user_data;
    size_t root = strlen(f->root);
    if (level != ZC_LOG_ERROR || strncmp(message, f->root, root) != 0 || message[root] != '/') return;
    const char *colon = strstr(message + root, ": ");
    if (!colon || f->count == 256 || (size_t)(colon - message) >= sizeof f->paths[0]) return;
    memcpy(f->paths[f->count], message, (size_t)(colon - message));
    f->paths[f->count++][colon - message] = 0;
}

static void remove_file(tree *t, const char *path) {
    for (size_t i = 0; i < t->count; ++i)
        if (!t->files[i].removed && strcmp(t->files[i].path, path) == 0) {
            t->files[i].removed = 1;
            unlink(path);
        }
}

/* Leave out what the build refuses and the models assimp cannot load here. Returns
 * the number of files left out. */
static size_t check_mixed(tree *t, const char *out) {
    failed_list failed;
    memset(&failed, 0, sizeof failed);
    failed.root = t->root;
    zc_build_stats stats;
    zc_build(&(zc_build_desc){.input_dir = t->root, .output_path = out, .keep_going = 1, .no_sync = 1,
                              .logger = {collect_failures, &failed}},
             &stats);
    size_t removed = 0;
    for (size_t i = 0; i < failed.count; ++i, ++removed) remove_file(t, failed.paths[i]);
    unsigned flags = zc_model_assimp_flags(NULL);
    for (size_t i = 0; i < t->count; ++i) {
        tree_file *f = &t->files[i];
        if (f->removed || f->kind != KIND_MODEL) continue;
        const struct aiScene *scene = aiImportFile(f->path, flags);
        if (scene) {
            aiReleaseImport(scene);
        } else {
            remove_file(t, f->path);
            removed++;
        }
    }
    return removed;
}

/* ---------------------------------------------------------------------------------
 * Measurements
 * ------------------------------------------------------------------------------- */

/* CPU seconds of this process and of its waited-for children (the model workers). */
static double cpu_seconds(void) {
    struct rusage self, children;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + children.ru_utime.tv_sec +
                    children.ru_stime.tv_sec) +
           (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + children.ru_utime.tv_usec +
                    children.ru_stime.tv_usec) / 1e6;
}

typedef struct timing {
    double wall, cpu;
} timing;

/* The build's errors on stderr; its warnings (the test models' missing textures) are
 * the same in every run and left out. */
static void log_errors(zc_log_level level, const char *message, void *user_data) {
    if (level == ZC_LOG_ERROR) zc_bench_log_to_stderr(level, message, user_data);
}

static timing build_once(const char *root, const char *out, uint32_t threads, zc_build_stats *stats) {
    unlink(out); /* the run writes a new pack instead of deleting its predecessor's */
    double cpu = cpu_seconds();
    uint64_t start = zc_bench_now_ns();
    zc_result r = zc_build(&(zc_build_desc){.input_dir = root, .output_path = out, .threads = threads, .no_sync = 1,
                                            .logger = {log_errors, NULL}},
                           stats);
    timing t = {(double)(zc_bench_now_ns() - start) / 1e9, cpu_seconds() - cpu};
    if (r != ZC_OK) zc_bench_fatal("zc_build of %s failed: %s", root, zc_result_str(r));
    return t;
}

/* The same build through the CLI as a user runs it: a fresh `zcpack build -j N -q`
 * process with its defaults (fsync on), waited for; CPU time of it and its workers. */
static timing cli_build_once(const char *root, const char *out, uint32_t threads) {
    char jobs[16];
    snprintf(jobs, sizeof jobs, "%u", threads);
    unlink(out);
    double cpu = cpu_seconds();
    uint64_t start = zc_bench_now_ns();
    pid_t child = fork();
    if (child < 0) zc_bench_fatal("fork: %s", strerror(errno));
    if (child == 0) {
        execl(ZCPACK, ZCPACK, "build", root, "-o", out, "-j", jobs, "-q", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    timing t = {(double)(zc_bench_now_ns() - start) / 1e9, cpu_seconds() - cpu};
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        zc_bench_fatal("%s build %s -j %u failed (status %d)", ZCPACK, root, threads, status);
    return t;
}

static uint64_t touch(const void *data, size_t size) {
    const uint8_t *p = data;
    uint64_t acc = 0;
    for (size_t i = 0; i < size; i += 64) acc += p[i];
    return acc;
}

/* Every file of the tree loaded the traditional way, on this thread. */
static timing traditional_once(const tree *t) {
    double cpu = cpu_seconds();
    uint64_t start = zc_bench_now_ns();
    unsigned flags = zc_model_assimp_flags(NULL);
    uint64_t acc = 0;
    for (size_t i = 0; i < t->count; ++i) {
        const tree_file *f = &t->files[i];
        if (f->removed) continue;
        if (f->kind == KIND_MODEL) {
            const struct aiScene *scene = aiImportFile(f->path, flags);
            if (!scene) zc_bench_fatal("%s: assimp cannot import it now: %s", f->path, aiGetErrorString());
            for (unsigned m = 0; m < scene->mNumMeshes; ++m) acc += scene->mMeshes[m]->mNumVertices;
            for (unsigned k = 0; k < scene->mNumTextures; ++k) {
                const struct aiTexture *tex = scene->mTextures[k];
                if (tex->mHeight != 0 || tex->mWidth > 0x7fffffff) continue; /* raw texels: nothing to decode */
                int w, h, n;
                stbi_uc *texels = stbi_load_from_memory((const stbi_uc *)tex->pcData, (int)tex->mWidth, &w, &h, &n, 4);
                if (texels) acc += touch(texels, (size_t)w * (size_t)h * 4);
                stbi_image_free(texels);
            }
            aiReleaseImport(scene);
            continue;
        }
        size_t size;
        uint8_t *bytes = zc_bench_read_file(f->path, &size);
        if (!bytes) zc_bench_fatal("%s: cannot read: %s", f->path, strerror(errno));
        if (f->kind == KIND_IMAGE) {
            int w, h, n;
            void *data = f->hdr ? (void *)stbi_loadf_from_memory(bytes, (int)size, &w, &h, &n, 4)
                                : (void *)stbi_load_from_memory(bytes, (int)size, &w, &h, &n, 4);
            if (!data) zc_bench_fatal("%s: stb_image cannot decode it now", f->path);
            acc += touch(data, (size_t)w * (size_t)h * 4);
            stbi_image_free(data);
        } else {
            acc += touch(bytes, size);
        }
        free(bytes);
    }
    bench_sink += acc;
    return (timing){(double)(zc_bench_now_ns() - start) / 1e9, cpu_seconds() - cpu};
}

/* A measured variant: its runs, one per repetition. */
/* The machine's own ceiling for a build's speed-up: the same integer work (a linear
 * congruential loop, no memory traffic, nothing shared) done by one thread, or split
 * evenly over `threads`. On a virtual machine two threads lose time to the host even
 * here; a build cannot scale better than this. */
#define ALU_STEPS 300000000ull

static void *alu_loop(void *arg) {
    uint64_t steps = *(const uint64_t *)arg, x = steps | 1;
    for (uint64_t i = 0; i < steps; ++i) x = x * 6364136223846793005ull + 1442695040888963407ull;
    bench_sink += x;
    return NULL;
}

static timing alu_once(uint32_t threads) {
    pthread_t ids[64];
    uint64_t share = ALU_STEPS / threads;
    if (threads > 64) zc_bench_fatal("the integer loop runs on at most 64 threads");
    double cpu = cpu_seconds();
    uint64_t start = zc_bench_now_ns();
    for (uint32_t i = 0; i < threads; ++i)
        if (pthread_create(&ids[i], NULL, alu_loop, &share) != 0) zc_bench_fatal("pthread_create failed");
    for (uint32_t i = 0; i < threads; ++i) pthread_join(ids[i], NULL);
    return (timing){(double)(zc_bench_now_ns() - start) / 1e9, cpu_seconds() - cpu};
}

typedef struct variant {
    double wall[MAX_REPS], cpu[MAX_REPS];
    int n;
} variant;

static void record(variant *v, timing t) {
    v->wall[v->n] = t.wall;
    v->cpu[v->n] = t.cpu;
    v->n++;
}

static zc_bench_spread wall_spread(const variant *v) {
    double w[MAX_REPS];
    memcpy(w, v->wall, sizeof w);
    return zc_bench_spread_of(w, (size_t)v->n);
}

static double median_wall(const variant *v) {
    return wall_spread(v).median;
}

/* The fastest run: the one other work on the machine disturbed least. */
static double fastest_wall(const variant *v) {
    double least = v->wall[0];
    for (int i = 1; i < v->n; ++i)
        if (v->wall[i] < least) least = v->wall[i];
    return least;
}

/* Median of the per-run CPU / wall. */
static double median_busy(const variant *v) {
    double b[MAX_REPS];
    for (int i = 0; i < v->n; ++i) b[i] = v->cpu[i] / v->wall[i];
    return zc_bench_quantile(b, (size_t)v->n, 0.5);
}

/* p10..p90 of a / b over the repetitions (each ratio within one repetition). */
static zc_bench_spread ratio_spread(const variant *a, const variant *b) {
    double r[MAX_REPS];
    for (int i = 0; i < a->n; ++i) r[i] = a->wall[i] / b->wall[i];
    return zc_bench_spread_of(r, (size_t)a->n);
}

static void load_average(char *buf, size_t size) {
    FILE *f = fopen("/proc/loadavg", "r");
    double one = 0;
    if (!f || fscanf(f, "%lf", &one) != 1) snprintf(buf, size, "unknown");
    else snprintf(buf, size, "%.2f", one);
    if (f) fclose(f);
}

/* ---------------------------------------------------------------------------------
 * Report
 * ------------------------------------------------------------------------------- */

static void format_spread(const zc_bench_spread *s, char *buf, size_t size) {
    zc_bench_spread ns = {s->p10 * 1e9, s->median * 1e9, s->p90 * 1e9};
    zc_bench_format_spread(&ns, buf, size);
}

static void add_build_row(zc_bench_table *t, const char *tree_name, uint32_t threads, const variant *v,
                          const variant *one) {
    int row = zc_bench_table_add_row(t);
    zc_bench_spread s = wall_spread(v);
    char time[64];
    format_spread(&s, time, sizeof time);
    zc_bench_table_set(t, row, 0, "%s", tree_name);
    zc_bench_table_set(t, row, 1, "%u", threads);
    zc_bench_table_set(t, row, 2, "%s", time);
    zc_bench_table_set(t, row, 3, "%.2f", median_busy(v));
    if (v == one) {
        zc_bench_table_set(t, row, 4, "1 (comparator)");
        zc_bench_table_set(t, row, 5, "1");
    } else {
        zc_bench_spread r = ratio_spread(one, v);
        zc_bench_table_set(t, row, 4, "%.2fx [%.2f..%.2f]", median_wall(one) / median_wall(v), r.p10, r.p90);
        zc_bench_table_set(t, row, 5, "%.2fx", fastest_wall(one) / fastest_wall(v));
    }
}

static void plot(const variant *tj1, const variant *tj2, const variant *mj1, const variant *mj2,
                 const variant *trad, int reps, zc_bench_md *md) {
    static zc_plot_bars chart;
    memset(&chart, 0, sizeof chart);
    char subtitle[160];
    snprintf(subtitle, sizeof subtitle, "median of %d interleaved runs, warm page cache; shorter is better", reps);
    chart.title = "zc_build with 1 and 2 threads, and the traditional load";
    chart.subtitle = subtitle;
    chart.value_label = "seconds";
    chart.series_count = 2;
    chart.series[0] = "1 thread";
    chart.series[1] = "2 threads";
    chart.group_count = 3;
    chart.groups[0] = "texture tree: zc_build";
    chart.groups[1] = "mixed tree: zc_build";
    chart.groups[2] = "mixed tree: traditional load";
    const variant *cells[3][2] = {{tj1, tj2}, {mj1, mj2}, {trad, NULL}};
    for (int g = 0; g < 3; ++g)
        for (int s = 0; s < 2; ++s) {
            if (!cells[g][s]) {
                chart.values[g][s] = 0.0 / 0.0; /* not drawn */
                continue;
            }
            double secs = median_wall(cells[g][s]);
            chart.values[g][s] = secs;
            char t[32];
            zc_bench_format_ns(secs * 1e9, t, sizeof t);
            if (s == 1) snprintf(chart.notes[g][s], sizeof chart.notes[g][s], "%s (%.2fx as fast)", t,
                                 median_wall(cells[g][0]) / secs);
            else snprintf(chart.notes[g][s], sizeof chart.notes[g][s], "%s", t);
        }
    zc_plot_bars_md(&chart, "build_scaling", md);
}

/* bench_build --profile-child <tree> <out prefix> <threads>: the in-process variant of
 * the profile (profile_build), run under perf: PROFILE_BUILDS builds through
 * zc_build with the CLI's defaults (verified, fsync on), each into <out prefix><i>.zcpack,
 * the model workers forked from this process instead of the worker server (perf
 * follows the stacks of those; it does not follow the server's). */
static int profile_child(const char *root, const char *prefix, uint32_t threads) {
    zc__model_server_off = 1;
    for (int i = 0; i < PROFILE_BUILDS; ++i) {
        char out[4300];
        PATH_PRINTF(out, "%s%d.zcpack", prefix, i);
        zc_build_stats stats;
        zc_result r = zc_build(&(zc_build_desc){.input_dir = root, .output_path = out, .threads = threads,
                                                .logger = {log_errors, NULL}},
                               &stats);
        if (r != ZC_OK) {
            fprintf(stderr, "bench_build: zc_build of %s failed: %s\n", root, zc_result_str(r));
            return 1;
        }
    }
    return 0;
}

static void usage(FILE *out) {
    fprintf(out, "usage: bench_build [--dir DIR] [--reps N] [--no-perf] [--keep]\n"
                 "  zc_build with 1 and 2 threads on the texture tree and a mixed game tree, the mixed\n"
                 "  tree's build beside its traditional load (stb_image + assimp + reading), and the\n"
                 "  share of the build's CPU time outside the encode/decode calls (perf).\n"
                 "  --dir DIR   where the Markdown fragment goes (default: build/bench)\n"
                 "  --reps N    repetitions, 3 to %d (default: %d)\n"
                 "  --no-perf   leave the CPU profile out\n"
                 "  --keep      leave the two trees in /tmp/zc-bench-build-* (printed) for study\n",
            MAX_REPS, DEFAULT_REPS);
}

int main(int argc, char **argv) {
    const char *dir = "build/bench";
    int reps = DEFAULT_REPS, use_perf = 1, keep = 0;
    if (argc == 5 && strcmp(argv[1], "--profile-child") == 0)
        return profile_child(argv[2], argv[3], (uint32_t)strtoul(argv[4], NULL, 10));
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            reps = atoi(argv[++i]);
            if (reps < 3 || reps > MAX_REPS) {
                usage(stderr);
                return 2;
            }
        } else if (strcmp(argv[i], "--no-perf") == 0) {
            use_perf = 0;
        } else if (strcmp(argv[i], "--keep") == 0) {
            keep = 1;
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
    uint32_t cores = machine.cores > 0 ? (uint32_t)machine.cores : 1;
    char pool[16];
    snprintf(pool, sizeof pool, "%u", cores < 4 ? 4 : cores);
    setenv("UV_THREADPOOL_SIZE", pool, 0);
    printf("bench_build: build scaling, traditional load and CPU profile, zcpack %s\n", zc_version_string());
    printf("  CPU: %s, %ld logical cores\n  Kernel: %s\n  Compiler: %s\n\n", machine.cpu, machine.cores,
           machine.kernel, machine.compiler);

    static const char *const extra[] = {EXR_DIR, PYGAME_EXAMPLES "/chimp.py", BLENDER_DATA "/fonts",
                                        BLENDER_DATA "/colormanagement/config.ocio", ASSIMP_MODELS "/OBJ/spider.obj",
                                        NULL};
    zc_bench_require_test_data(extra);
    char work[] = "/tmp/zc-bench-build-XXXXXX";
    if (!mkdtemp(work)) zc_bench_fatal("mkdtemp: %s", strerror(errno));

    static tree textures, mixed;
    PATH_PRINTF(textures.root, "%s/textures", work);
    PATH_PRINTF(mixed.root, "%s/mixed", work);
    printf("copying the trees into %s ...\n", work);
    fflush(stdout);
    for (size_t i = 0; i < zc_bench_image_dir_count; ++i)
        zc_bench_walk(zc_bench_image_dirs[i].path, zc_bench_image_dirs[i].label, add_walked,
                      &(walk_ctx){&textures, 1});
    add_hdrs(&textures);
    for (size_t i = 0; i < sizeof model_dirs / sizeof model_dirs[0]; ++i)
        add_dir_flat(&mixed, model_dirs[i].path, model_dirs[i].label, NULL);
    add_dir_flat(&mixed, PYGAME_EXAMPLES "/data", "pygame/data", NULL);
    add_dir_flat(&mixed, PYGAME_EXAMPLES, "pygame/scripts", ".py");
    add_dir_flat(&mixed, BLENDER_DATA "/fonts", "fonts", NULL);
    zc_bench_walk(BLENDER_DATA "/colormanagement", "colormanagement", add_walked, &(walk_ctx){&mixed, 0});
    char out[4300];
    PATH_PRINTF(out, "%s/out.zcpack", work);
    size_t left_out = check_mixed(&mixed, out);
    tree_facts tf = facts_of(&textures), mf = facts_of(&mixed);
    char tbytes[32], mbytes[32];
    zc_bench_format_bytes(tf.bytes, tbytes, sizeof tbytes);
    zc_bench_format_bytes(mf.bytes, mbytes, sizeof mbytes);
    printf("  texture tree: %zu images, %s\n  mixed tree: %zu files, %s: %zu images, %zu models, %zu other files "
           "(%zu files left out)\n",
           tf.files, tbytes, mf.files, mbytes, mf.images, mf.models, mf.others, left_out);

    char load_start[32], load_end[32];
    load_average(load_start, sizeof load_start);
    zc_bench_other_work other_work;
    zc_bench_other_work_begin(&other_work);
    zc_build_stats tstats, mstats;
    build_once(textures.root, out, 1, &tstats); /* warm-up */
    build_once(mixed.root, out, 1, &mstats);
    traditional_once(&mixed);
    static variant tj1, tj2, mj1, mj2, mjn, trad, ctj1, ctj2, cmj1, cmj2, aj1, aj2;
    const int cli = access(ZCPACK, X_OK) == 0;
    int extra_all = cores != 2;
    printf("measuring, %d repetitions of every variant ...\n", reps);
    fflush(stdout);
    for (int rep = 0; rep < reps; ++rep) {
        uint32_t order[2] = {rep % 2 ? 2u : 1u, rep % 2 ? 1u : 2u};
        for (int k = 0; k < 2; ++k) record(order[k] == 1 ? &tj1 : &tj2, build_once(textures.root, out, order[k], &tstats));
        for (int k = 0; k < 2; ++k) record(order[k] == 1 ? &mj1 : &mj2, build_once(mixed.root, out, order[k], &mstats));
        for (int k = 0; cli && k < 2; ++k) {
            record(order[k] == 1 ? &ctj1 : &ctj2, cli_build_once(textures.root, out, order[k]));
            record(order[k] == 1 ? &cmj1 : &cmj2, cli_build_once(mixed.root, out, order[k]));
        }
        if (extra_all) record(&mjn, build_once(mixed.root, out, cores, &mstats));
        record(&trad, traditional_once(&mixed));
        for (int k = 0; k < 2; ++k) record(order[k] == 1 ? &aj1 : &aj2, alu_once(order[k]));
        printf("  %d/%d: textures %.2f / %.2f s, mixed %.2f / %.2f s (1 / 2 threads), traditional %.2f s\n", rep + 1,
               reps, tj1.wall[rep], tj2.wall[rep], mj1.wall[rep], mj2.wall[rep], trad.wall[rep]);
        fflush(stdout);
    }
    const variant *all = extra_all ? &mjn : &mj2;
    load_average(load_end, sizeof load_end);
    double other = zc_bench_other_work_end(&other_work, (long)cores);
    char other_text[160];
    if (other < 0)
        snprintf(other_text, sizeof other_text, "the CPU time of other processes could not be read");
    else
        snprintf(other_text, sizeof other_text, "other processes used %.1f %% of the machine's CPU time%s",
                 other * 100, other > 0.05 ? ", so a second thread can only be as useful as the idle core it finds" : "");

    static profile prof, prof_in; /* the CLI's builds; zc_build's in this program's child */
    if (use_perf) {
        printf("profiling %s build of the mixed tree under perf ...\n", ZCPACK);
        fflush(stdout);
        profile_build(work, mixed.root, cores, 0, &prof);
        printf("profiling zc_build of the mixed tree in process under perf ...\n");
        fflush(stdout);
        profile_build(work, mixed.root, cores, 1, &prof_in);
    } else {
        snprintf(prof.why_not, sizeof prof.why_not, "the run was started with --no-perf");
        snprintf(prof_in.why_not, sizeof prof_in.why_not, "the run was started with --no-perf");
    }
    if (keep)
        printf("kept the trees: %s/textures and %s/mixed\n", work, work);
    else
        zc_bench_rm_rf(work);

    /* Tables */
    static const char *const heads[] = {"tree", "threads", "time: median [p10..p90]", "CPU / wall",
                                        "speed-up over 1 thread [p10..p90]", "fastest runs"};
    zc_bench_table scaling;
    zc_bench_table_init(&scaling, 6, heads);
    zc_bench_table_left(&scaling, 0);
    add_build_row(&scaling, "texture tree", 1, &tj1, &tj1);
    add_build_row(&scaling, "texture tree", 2, &tj2, &tj1);
    add_build_row(&scaling, "mixed tree", 1, &mj1, &mj1);
    add_build_row(&scaling, "mixed tree", 2, &mj2, &mj1);
    if (extra_all) add_build_row(&scaling, "mixed tree", cores, &mjn, &mj1);
    add_build_row(&scaling, "integer loop (ceiling)", 1, &aj1, &aj1);
    add_build_row(&scaling, "integer loop (ceiling)", 2, &aj2, &aj1);
    static const char *const cheads[] = {"zcpack build (CLI)", "-j", "time: median [p10..p90]", "CPU / wall",
                                         "speed-up over -j 1 [p10..p90]", "fastest runs"};
    zc_bench_table cli_scaling;
    zc_bench_table_init(&cli_scaling, 6, cheads);
    zc_bench_table_left(&cli_scaling, 0);
    if (cli) {
        add_build_row(&cli_scaling, "texture tree", 1, &ctj1, &ctj1);
        add_build_row(&cli_scaling, "texture tree", 2, &ctj2, &ctj1);
        add_build_row(&cli_scaling, "mixed tree", 1, &cmj1, &cmj1);
        add_build_row(&cli_scaling, "mixed tree", 2, &cmj2, &cmj1);
    }

    static const char *const theads[] = {"mixed tree", "threads", "time: median [p10..p90]", "CPU / wall",
                                         "time / traditional load [p10..p90]"};
    zc_bench_table vs;
    zc_bench_table_init(&vs, 5, theads);
    zc_bench_table_left(&vs, 0);
    {
        int row = zc_bench_table_add_row(&vs);
        zc_bench_spread s = wall_spread(&trad);
        char time[64];
        format_spread(&s, time, sizeof time);
        zc_bench_table_set(&vs, row, 0, "traditional load (stb_image, assimp, read)");
        zc_bench_table_set(&vs, row, 1, "1");
        zc_bench_table_set(&vs, row, 2, "%s", time);
        zc_bench_table_set(&vs, row, 3, "%.2f", median_busy(&trad));
        zc_bench_table_set(&vs, row, 4, "1 (comparator)");
        row = zc_bench_table_add_row(&vs);
        s = wall_spread(all);
        format_spread(&s, time, sizeof time);
        zc_bench_spread r = ratio_spread(all, &trad);
        zc_bench_table_set(&vs, row, 0, "zc_build, all cores");
        zc_bench_table_set(&vs, row, 1, "%u", cores);
        zc_bench_table_set(&vs, row, 2, "%s", time);
        zc_bench_table_set(&vs, row, 3, "%.2f", median_busy(all));
        zc_bench_table_set(&vs, row, 4, "%.2fx [%.2f..%.2f]", median_wall(all) / median_wall(&trad), r.p10, r.p90);
    }

    static const char *const pheads[] = {"where the build's CPU time went", "zcpack build (CLI)",
                                         "zc_build, workers forked from it"};
    zc_bench_table cpu;
    zc_bench_table_init(&cpu, 3, pheads);
    zc_bench_table_left(&cpu, 0);
    static const char *const oheads[] = {"outside: leaf function (library)", "share of all CPU"};
    zc_bench_table top;
    zc_bench_table_init(&top, 2, oheads);
    zc_bench_table_left(&top, 0);
    shares cli_share = profile_shares(&prof), in_share = profile_shares(&prof_in);
    for (int c = 0; (prof.ran || prof_in.ran) && c < CAT_COUNT; ++c) {
        int row = zc_bench_table_add_row(&cpu);
        zc_bench_table_set(&cpu, row, 0, "%s", cat_names[c]);
        if (prof.ran) zc_bench_table_set(&cpu, row, 1, "%.1f %%", 100.0 * prof.weight[c] / prof.total);
        else zc_bench_table_set(&cpu, row, 1, "-");
        if (prof_in.ran) zc_bench_table_set(&cpu, row, 2, "%.1f %%", 100.0 * prof_in.weight[c] / prof_in.total);
        else zc_bench_table_set(&cpu, row, 2, "-");
    }
    const profile *leaves = prof_in.ran ? &prof_in : &prof; /* the one whose stacks perf follows */
    for (size_t i = 0; leaves->ran && i < leaves->top_count && i < 10; ++i) {
        int row = zc_bench_table_add_row(&top);
        zc_bench_table_set(&top, row, 0, "%s", leaves->top[i].name);
        zc_bench_table_set(&top, row, 1, "%.1f %%", 100.0 * leaves->top[i].weight / leaves->total);
    }

    printf("\nTexture tree: %zu images, %s. Mixed tree: %zu files, %s (%zu images, %zu models, %zu other files).\n",
           tf.files, tbytes, mf.files, mbytes, mf.images, mf.models, mf.others);
    zc_bench_table_print(&scaling, stdout, "  ");
    printf("\n");
    if (cli) {
        zc_bench_table_print(&cli_scaling, stdout, "  ");
        printf("\n");
    }
    zc_bench_table_print(&vs, stdout, "  ");
    if (prof.ran || prof_in.ran) {
        printf("\nCPU profile of the mixed tree's build, %d builds each: samples left out (stack not unwound): "
               "CLI %.1f %%, in process %.1f %%\n",
               PROFILE_BUILDS, cli_share.left_out, in_share.left_out);
        zc_bench_table_print(&cpu, stdout, "  ");
        printf("  (at most %.1f %% (CLI) and %.1f %% (in process) outside if every sample left out lay outside)\n\n",
               cli_share.at_most, in_share.at_most);
        zc_bench_table_print(&top, stdout, "  ");
    }
    if (!prof.ran) printf("\nCPU profile of the CLI: not measured: %s\n", prof.why_not);
    if (!prof_in.ran) printf("\nCPU profile in process: not measured: %s\n", prof_in.why_not);
    printf("\nload average (1 min): %s before the timed runs, %s after; during them %s\n", load_start, load_end,
           other_text);

    /* Markdown */
    char tj1s[32], mj1s[32], trads[32], alls[32];
    zc_bench_format_ns(median_wall(&tj1) * 1e9, tj1s, sizeof tj1s);
    zc_bench_format_ns(median_wall(&mj1) * 1e9, mj1s, sizeof mj1s);
    zc_bench_format_ns(median_wall(&trad) * 1e9, trads, sizeof trads);
    zc_bench_format_ns(median_wall(all) * 1e9, alls, sizeof alls);
    zc_bench_md md;
    zc_bench_md_init(&md);
    zc_bench_md_printf(&md, "## Build scaling and where the build's time goes (bench_build)\n\n");
    zc_bench_md_machine(&md, &machine);
    zc_bench_md_printf(&md, "Produced by `make bench` (program `bench_build`, run from the repository root; it "
                            "installs the test data with `tools/bootstrap.sh --test-data` when it is missing). Over "
                            "the timed runs %s (all processes' CPU time from /proc/stat less this program's and "
                            "its children's; the 1-minute load average, which counts this program's own threads, "
                            "was %s before them and %s after, on %u cores). CPU / wall shows the cores a build "
                            "kept busy.\n\n",
                       other_text, load_start, load_end, cores);
    zc_bench_md_printf(&md, "Input, copied into a temporary tree: the **texture tree** of bench_texture (%zu images, "
                            "%s: every image of the test-data packages that stb_image decodes, and Blender's "
                            "OpenEXR maps as Radiance HDR) and a **mixed game tree** of %zu files, %s: %zu images, "
                            "%zu models (assimp-testmodels' glTF 2.0, GLB, COLLADA, OBJ, FBX, PLY, 3DS, MD2, STL "
                            "and X folders with the textures beside them) and %zu other files (pygame's sounds, "
                            "font, video and example scripts, Blender's UI fonts in WOFF2 up to 11 MiB and its "
                            "colour-management configuration and LUTs up to 9 MiB). %zu files the build refuses "
                            "or assimp cannot load (the package holds broken models on purpose) and images "
                            "stb_image cannot decode are left out of both sides.\n\n",
                       tf.files, tbytes, mf.files, mbytes, mf.images, mf.models, mf.others, left_out);
    zc_bench_md_printf(&md, "### Threads\n\n`zc_build` (public API, default policy, pack verified, no fsync) with "
                            "`zc_build_desc.threads` = 1 and 2; %d repetitions, each running every variant once "
                            "(the order of 1 and 2 threads alternates) and the traditional load, warm page "
                            "cache. The previous run's pack is removed before each run, untimed: replacing it "
                            "would add the file system's deletion of its blocks to every run alike (about 15 ms "
                            "for the texture tree's 61 MiB pack on this machine's ext4), a fixed cost of "
                            "rebuilding in place, not of building. Speed-up = median time with 1 thread / median time with this many; in "
                            "brackets the p10..p90 of the same ratio within each repetition; fastest runs = the "
                            "ratio of the two variants' shortest times, the runs other work on the machine "
                            "disturbed least. CPU / wall counts "
                            "the model worker processes too. The last two rows are the machine's own ceiling, "
                            "measured in the same repetitions: the same integer work (a linear congruential "
                            "loop, no memory traffic, nothing shared between the threads) done by one thread "
                            "or split evenly over two; a build cannot scale better than they do.\n\n",
                       reps);
    zc_bench_md_table(&md, &scaling);
    if (cli) {
        zc_bench_md_printf(&md, "The same builds through the CLI, as a user runs them: `%s build <tree> -o <pack> "
                                "-j 1` and `-j 2`, a fresh process each (its defaults: pack verified, fsync on), "
                                "in the same repetitions. Both start their model workers from the pool's "
                                "worker server (the program executed again), so a worker shares none of the "
                                "pages of this long-lived program, which the build writes again.\n\n",
                           ZCPACK);
        zc_bench_md_table(&md, &cli_scaling);
    }
    plot(&tj1, &tj2, &mj1, &mj2, &trad, reps, &md);
    zc_bench_md_printf(&md, "### Against the traditional load\n\nThe traditional load of the mixed tree, on one "
                            "thread, as a game without a pack would do it: stb_image decodes every image (float "
                            "for HDR), `aiImportFile` imports every model with the packer's post-processing "
                            "flags (`zc_model_assimp_flags`: triangulation, vertex joining, normals where "
                            "missing) and stb_image decodes its embedded compressed textures, every other file "
                            "is read whole. It yields RGBA8 level 0 and assimp's meshes; the build also makes "
                            "mip chains, block-compresses, optimises meshes, compresses blobs, writes the pack "
                            "and verifies it.\n\n");
    zc_bench_md_table(&md, &vs);
    zc_bench_md_printf(&md, "### CPU time outside the encode/decode calls\n\n");
    if (prof.ran && prof_in.ran) {
        zc_bench_md_printf(&md, "`perf record -e cpu-clock -F %d --call-graph dwarf`, two profiles of %d builds each "
                                "of the mixed tree with %u threads, one after another, each into a new pack, "
                                "verified and synced as the CLI does, model workers included, their samples "
                                "summed: `zcpack build -j %u` (%llu samples, %.2f s of CPU in %.2f s), and "
                                "`zc_build` in a child of this benchmark whose model workers are forked from it "
                                "(%llu samples, %.2f s of CPU in %.2f s). The second exists because perf 6.1 "
                                "does not follow the stacks of the processes the CLI's worker server forks (the "
                                "server is the program executed again; a worker forked by the build's own "
                                "process unwinds): in the CLI's profile a model worker's sample is told apart by "
                                "its innermost frame alone. Each sample is charged to the innermost frame of its "
                                "stack that lies in one of the libraries' encode/decode calls (by shared library, "
                                "or by symbol name for the code compiled into zcpack: `stbi_*`, `stb_compress_*`, "
                                "`zc_bc7_*`, `zc_bc6h_*`, XXH3), or in mip filtering (`stbir_*` and zcpack's "
                                "`zc__texels_halve*`, which halves even sides with stb_image_resize's filter, "
                                "and `zc__texels_renormalize`), a pixel pass of zcpack's own like its BC7 and "
                                "BC6H encoders; a sample with no such frame counts as outside them: zcpack's "
                                "other code (layout, writing, verification, the pipeline), libc, the kernel "
                                "(page faults, I/O, fork) and libuv. A sample with no such frame whose stack perf "
                                "could not follow to its thread's start, nor to `main` or a model import's entry "
                                "(above which no library frame can lie), cannot be told apart and is left out of "
                                "the shares: %.1f %% of the CPU time in the CLI's profile, %.1f %% in the "
                                "other.\n\n",
                           PROFILE_HZ, PROFILE_BUILDS, cores, cores, (unsigned long long)prof.samples,
                           prof.total / 1e9, prof.wall, (unsigned long long)prof_in.samples, prof_in.total / 1e9,
                           prof_in.wall, cli_share.left_out, in_share.left_out);
        zc_bench_md_table(&md, &cpu);
        zc_bench_md_printf(&md, "Outside the encode/decode calls, with mip filtering counted as encoding as above: "
                                "%.1f %% of the CLI's CPU time (at most %.1f %% if every sample left out lay "
                                "outside the calls) and %.1f %% of zc_build's (at most %.1f %%); %.1f %% and "
                                "%.1f %% when mip filtering is counted outside too.\n\n",
                           cli_share.outside, cli_share.at_most, in_share.outside, in_share.at_most,
                           cli_share.with_mips, in_share.with_mips);
        zc_bench_md_printf(&md, "The largest leaf functions of the samples outside them, in the in-process "
                                "profile:\n\n");
        zc_bench_md_table(&md, &top);
    } else {
        zc_bench_md_printf(&md, "**Not measured in this run: %s.** The profile needs `perf` (Debian's "
                                "linux-perf), permission to use it (root, or kernel.perf_event_paranoid <= 1) and "
                                "`bin/release/zcpack` and this program with their symbol tables.\n\n",
                           prof.ran ? prof_in.why_not : prof.why_not);
    }

    zc_bench_md glance;
    zc_bench_md_init(&glance);
    zc_bench_glance_row(&glance, "bench_build", "zc_build of the texture tree, 2 threads", "1 thread, same tree",
                        "%.2fx as fast (fastest runs: %.2fx)", median_wall(&tj1) / median_wall(&tj2),
                        fastest_wall(&tj1) / fastest_wall(&tj2));
    zc_bench_glance_row(&glance, "bench_build", "zc_build of a mixed game tree, 2 threads", "1 thread, same tree",
                        "%.2fx as fast (fastest runs: %.2fx)", median_wall(&mj1) / median_wall(&mj2),
                        fastest_wall(&mj1) / fastest_wall(&mj2));
    zc_bench_glance_row(&glance, "bench_build", "an integer loop split over 2 threads (the machine's ceiling)",
                        "the same loop on 1 thread", "%.2fx as fast (fastest runs: %.2fx)",
                        median_wall(&aj1) / median_wall(&aj2), fastest_wall(&aj1) / fastest_wall(&aj2));
    if (cli) {
        zc_bench_glance_row(&glance, "bench_build", "zcpack build -j 2 of the texture tree (CLI)", "-j 1, same tree",
                            "%.2fx as fast (fastest runs: %.2fx)", median_wall(&ctj1) / median_wall(&ctj2),
                            fastest_wall(&ctj1) / fastest_wall(&ctj2));
        zc_bench_glance_row(&glance, "bench_build", "zcpack build -j 2 of the mixed tree (CLI)", "-j 1, same tree",
                            "%.2fx as fast (fastest runs: %.2fx)", median_wall(&cmj1) / median_wall(&cmj2),
                            fastest_wall(&cmj1) / fastest_wall(&cmj2));
    }
    zc_bench_glance_row(&glance, "bench_build", "zc_build of the mixed tree, all cores",
                        "its traditional load on one thread (stb_image, assimp, reading)", "%.2fx the time",
                        median_wall(all) / median_wall(&trad));
    if (prof.ran && prof_in.ran)
        zc_bench_glance_row(&glance, "bench_build", "build CPU time outside the encode/decode calls (perf)",
                            "the build's whole CPU time",
                            "CLI %.0f %% (at most %.0f %%); zc_build, every stack followed, %.0f %% (at most %.0f %%)",
                            cli_share.outside, cli_share.at_most, in_share.outside, in_share.at_most);
    else
        zc_bench_glance_row(&glance, "bench_build", "build CPU time outside the encode/decode calls",
                            "the build's whole CPU time", "not measured (no perf)");
    if (zc_bench_glance_save(&glance, dir, "bench_build") != 0) return 1;
    char md_path[4096];
    PATH_PRINTF(md_path, "%s/bench_build.md", dir);
    int saved = zc_bench_md_save(&md, md_path);
    zc_bench_md_free(&md);
    if (saved != 0) return 1;
    printf("\nwrote %s\n", md_path);
    for (size_t i = 0; i < textures.count; ++i) free(textures.files[i].path);
    for (size_t i = 0; i < mixed.count; ++i) free(mixed.files[i].path);
    free(textures.files);
    free(mixed.files);
    return 0;
}
