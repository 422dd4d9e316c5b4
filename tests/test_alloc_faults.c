/* test_alloc_faults.c - allocation failure at the Nth allocation, for every N until
 * the operation succeeds, once (only call N fails) and persistently (call N and every
 * later one fail), for: zc_pack_open at every validation level and way of loading,
 * zc_pack_validate, lookups and views (which must not allocate at all), decoding of
 * compressed entries (zc_pack_acquire, directly and through a mount table), the mount
 * table (create, add), and a whole zc_build of a small real tree. Suite
 * alloc_faults_editor does hot reload (zc_live_open, also with a trusted key,
 * zc_live_poll, zc_live_acquire); it exists in builds with ZC_EDITOR (editor,
 * sanitize).
 *
 * After every failed attempt: the error is ZC_ERR_OUT_OF_MEMORY (with a sentence
 * logged), nothing crashed, nothing leaked (a counting allocator back to zero, or the
 * malloc wrappers of zc_test_alloc_wrap.h for the packer, which calls malloc itself;
 * LeakSanitizer too under the sanitizers), and the previous state still serves: an
 * open pack keeps answering and decoding after a failed acquire or validation, a
 * mount table keeps its mounts after a failed add, a live pack keeps its generation
 * after a failed reload and reloads at the next poll, and the output of a failed build
 * is the old pack, byte for byte, with no temporary file beside it. An attempt that
 * succeeds although a call failed (a cache or a pool that does without) must give
 * exactly what a fault-free run gives: the same bytes for a build (builds are
 * deterministic), the same entries for the runtime. `--verbose` prints each sweep's
 * totals (allocation calls of the operation, attempts, failures, recoveries).
 *
 * Sources are real files from Debian packages: licence texts (base-files) and a glTF
 * model with its texture (assimp-testmodels).
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "zc_build.h"
#include "zc_pack.h"
#include "zc_live.h"
#include "zc_model_isolate.h"
#include "zc_test_alloc_wrap.h"
#include "zc_test_util.h"
#include "zc_writer.h"

#define LICENSES "/usr/share/common-licenses/"
#define BOX_MODEL "/usr/share/assimp/models/glTF2/BoxTextured-glTF/"

/* No operation here makes more allocation calls than this; a sweep that reaches it
 * has lost track of what it measures. */
#define MAX_SWEEP 20000

TestSuite(alloc_faults, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 600);

/* ---------------------------------------------------------------------------------
 * Sweeps
 * ------------------------------------------------------------------------------- */

/* One attempt of an operation with allocation call `fail_at` of its window failing
 * (`once`: only that call; else every call from it on). The attempt fills `calls`
 * (allocation calls its window made) and `failed` (calls that failed), and checks
 * everything that must hold after it; it returns the operation's result. */
typedef struct fault {
    long fail_at;
    int once;
    long calls;
    long failed;
} fault;

typedef zc_result (*attempt_fn)(void *ctx, fault *f);

typedef struct sweep_totals {
    long attempts;              /* attempts made, both modes */
    long failures;              /* of them, ending in ZC_ERR_OUT_OF_MEMORY */
    long recovered;             /* ending in ZC_OK although a call failed */
    long window;                /* allocation calls of the fault-free attempt */
} sweep_totals;

/* Run `attempt` for N = 0, 1, ... in both modes until an attempt makes no more than N
 * calls (nothing failed: it must succeed). Every attempt in which a call failed must
 * end in ZC_OK (the code recovered, e.g. a cache that does without) or
 * ZC_ERR_OUT_OF_MEMORY. */
static sweep_totals sweep(const char *what, attempt_fn attempt, void *ctx) {
    sweep_totals t = { 0, 0, 0, 0 };
    for (int once = 1; once >= 0; --once) {
        for (long n = 0;; ++n) {
            cr_assert_lt(n, MAX_SWEEP, "%s: no success after %ld failing allocations", what, n);
            fault f = { n, once, 0, 0 };
            zc_result r = attempt(ctx, &f);
            t.attempts++;
            if (f.failed == 0) {
                cr_assert_eq(r, ZC_OK, "%s: %s without any failed allocation (%ld calls)", what,
                             zc_result_name(r), f.calls);
                cr_assert_leq(f.calls, n);
                t.window = f.calls;
                break;
            }
            cr_assert(r == ZC_OK || r == ZC_ERR_OUT_OF_MEMORY, "%s: allocation %ld failed (%s): got %s", what, n,
                      once ? "once" : "from then on", zc_result_name(r));
            if (r == ZC_OK) t.recovered++;
            else t.failures++;
        }
    }
    cr_assert_gt(t.failures, 0, "%s: no allocation failure was ever reported", what);
    cr_log_info("%s: %ld allocation calls, %ld attempts, %ld out of memory, %ld recovered", what, t.window,
                t.attempts, t.failures, t.recovered);
    return t;
}

/* Make call `f->fail_at` (and, unless once, every later one) of the window starting
 * now fail in a counting allocator; returns the window's first call number. */
static long arm(zct_alloc_stats *stats, const fault *f) {
    stats->fail_at = stats->calls + f->fail_at;
    stats->fail_once = f->once;
    return stats->calls;
}

/* Close the window that started at call `base`; fill f->calls and f->failed. */
static void disarm(zct_alloc_stats *stats, long base, fault *f) {
    f->calls = stats->calls - base;
    f->failed = f->calls <= f->fail_at ? 0 : f->once ? 1 : f->calls - f->fail_at;
    stats->fail_at = -1;
    stats->fail_once = 0;
}

/* ---------------------------------------------------------------------------------
 * The sample tree and its pack: licence texts (compressed blobs and a raw one), a
 * texture the manifest compresses, and a glTF model twice, once stored raw (its
 * texture, mesh, material and scene viewed in place) and once compressed by the
 * manifest: every entry type with both codecs.
 * ------------------------------------------------------------------------------- */

static const char sample_manifest[] =
    "{ \"rules\": [ { \"match\": \"docs*\", \"compress\": true },\n"
    "               { \"match\": \"textures*\", \"compress\": true, \"max_size\": 64 },\n"
    "               { \"match\": \"models/packed/*\", \"compress\": true } ] }\n";

/* The sample tree under tmp/<name> with `models` copies of the glTF model (0, 1: the
 * raw one, 2: both). Returns the malloc'd root. */
static char *sample_tree(const char *name, int models) {
    char *root = zct_join(zct_tmp, name);
    zct_copy_file(LICENSES "BSD", root, "docs/bsd.txt");
    zct_copy_file(LICENSES "Apache-2.0", root, "docs/apache.txt");
    zct_copy_file(LICENSES "Artistic", root, "raw/artistic.txt");
    zct_copy_file(BOX_MODEL "CesiumLogoFlat.png", root, "textures/logo.png");
    zct_put_text(root, "zcpack.json", sample_manifest);
    for (int i = 0; i < models; ++i) { /* one model stored raw, one compressed */
        const char *dir = i ? "models/packed/" : "models/plain/";
        const char *files[] = { "BoxTextured.gltf", "BoxTextured0.bin", "CesiumLogoFlat.png" };
        for (int f = 0; f < 3; ++f) {
            char src[256], rel[128];
            snprintf(src, sizeof src, "%s%s", BOX_MODEL, files[f]);
            snprintf(rel, sizeof rel, "%s%s", dir, files[f]);
            zct_copy_file(src, root, rel);
        }
    }
    return root;
}

static zc_build_desc build_desc(const char *root, const char *out, zct_log *log) {
    return (zc_build_desc){ .input_dir = root, .output_path = out, .no_sync = 1, .threads = 2,
                            .logger = zct_log_recorder(log) };
}

static void build_ok(const char *root, const char *out, int dictionaries) {
    zct_log log;
    zc_build_desc desc = build_desc(root, out, &log);
    desc.dictionaries = dictionaries;
    zc_result r = zc_build(&desc, NULL);
    cr_assert_eq(r, ZC_OK, "zc_build %s: %s (%s)", root, zc_result_name(r), log.count ? log.messages[0] : "");
}

/* tmp/<name>.zcpack built from the sample tree (model included). Malloc'd path. */
static char *sample_pack(const char *name) {
    char *root = sample_tree(name, 2);
    char file[64];
    snprintf(file, sizeof file, "%s.zcpack", name);
    char *out = zct_join(zct_tmp, file);
    build_ok(root, out, 0);
    free(root);
    return out;
}

/* tmp/<name>.zcpack with a zstd dictionary: 40 small JSON documents of one shape. */
static char *dictionary_pack(const char *name) {
    char *root = zct_join(zct_tmp, name);
    for (int i = 0; i < 40; ++i) {
        char doc[512], rel[64];
        snprintf(doc, sizeof doc,
                 "{ \"name\": \"enemy_%03d\", \"health\": %d, \"speed\": %d.%d, \"faction\": \"%s\",\n"
                 "  \"loot\": [\"gold\", \"potion_%d\"], \"patrol_radius\": %d, \"sight\": %d }\n",
                 i, 100 + i * 7, 3 + i % 5, i % 10, i % 3 ? "orcs" : "goblins", i % 4, 10 + i, 25 + i % 9);
        snprintf(rel, sizeof rel, "data/enemy_%03d.json", i);
        zct_put_text(root, rel, doc);
    }
    char file[64];
    snprintf(file, sizeof file, "%s.zcpack", name);
    char *out = zct_join(zct_tmp, file);
    build_ok(root, out, 1);
    free(root);
    return out;
}

/* ---------------------------------------------------------------------------------
 * Walking a pack (always with allocation failures off)
 * ------------------------------------------------------------------------------- */

/* The typed view of raw bytes, as an engine would make it: ZC_OK for every entry
 * of a good pack. */
static zc_result view_bytes(uint32_t type, const void *data, uint64_t size) {
    if (size == 0) return ZC_OK;
    switch (type) {
    case ZC_TYPE_TEXTURE: {
        zc_texture_view v;
        return zc_texture_view_from_bytes(data, size, &v);
    }
    case ZC_TYPE_MESH: {
        zc_mesh_view v;
        return zc_mesh_view_from_bytes(data, size, &v);
    }
    case ZC_TYPE_MATERIAL: {
        zc_material_view v;
        return zc_material_view_from_bytes(data, size, &v);
    }
    case ZC_TYPE_SCENE: {
        zc_scene_view v;
        return zc_scene_view_from_bytes(data, size, &v);
    }
    default:
        return ZC_OK;
    }
}

/* Hold every entry, check its bytes against the content hash and view it. Returns the
 * number of compressed entries. */
static uint32_t walk(zc_pack *pack) {
    uint32_t compressed = 0, count = zc_pack_entry_count(pack);
    cr_assert_gt(count, 0);
    for (uint32_t i = 0; i < count; ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_entry_at(pack, i, &e), ZC_OK);
        zc_hold h;
        zc_result r = zc_pack_acquire(pack, &e, &h);
        cr_assert_eq(r, ZC_OK, "acquire %s: %s", e.path, zc_result_name(r));
        cr_assert_eq(h.size, e.raw_size);
        cr_assert_eq(XXH3_64bits(h.data, (size_t)h.size), e.content_hash, "bytes of %s", e.path);
        r = view_bytes(e.type, h.data, h.size);
        cr_assert_eq(r, ZC_OK, "view of %s: %s", e.path, zc_result_name(r));
        compressed += e.codec != ZC_CODEC_NONE;
        zc_hold_release(&h);
    }
    return compressed;
}

/* The first error sentence logged, "" when none. */
static const char *first_error(const zct_log *log) {
    for (int i = 0; i < log->count && i < ZCT_LOG_MAX; ++i)
        if (log->levels[i] == ZC_LOG_ERROR) return log->messages[i];
    return "";
}

/* 1 when some logged sentence names the lack of memory as the cause. */
static int logged_oom(const zct_log *log) {
    return zct_log_contains(log, "memory") || zct_log_contains(log, "allocate");
}

static zc_pack *open_counted(const char *path, zct_alloc_stats *stats, zc_validate level, zct_log *log) {
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .validate = level,
                                                       .allocator = zct_counting_allocator(stats),
                                                       .logger = zct_log_recorder(log) });
    cr_assert_eq(r, ZC_OK, "open %s: %s", path, zc_result_name(r));
    return pack;
}

/* ---------------------------------------------------------------------------------
 * zc_pack_open
 * ------------------------------------------------------------------------------- */

typedef struct open_ctx {
    zc_pack_desc desc;
    uint32_t expect_compressed;
} open_ctx;

static zc_result attempt_open(void *ctx, fault *f) {
    open_ctx *c = ctx;
    zct_alloc_stats stats;
    zct_alloc_stats_init(&stats, -1);
    zct_log log;
    zc_pack_desc desc = c->desc;
    desc.allocator = zct_counting_allocator(&stats);
    desc.logger = zct_log_recorder(&log);
    long base = arm(&stats, f);
    zc_pack *pack = (zc_pack *)&stats; /* must become NULL on failure */
    zc_result r = zc_pack_open(&pack, &desc);
    disarm(&stats, base, f);
    if (r == ZC_OK) {
        cr_assert_eq(walk(pack), c->expect_compressed);
        zc_pack_close(pack);
    } else {
        cr_assert_null(pack, "a failed open hands out no pack");
        cr_assert_geq(log.errors, 1, "a failed open logs a sentence");
        cr_assert(logged_oom(&log), "the sentence names the cause: %s", log.messages[0]);
    }
    cr_assert_eq(stats.live, 0, "allocation %ld failed (%s): %ld blocks leaked", f->fail_at,
                 f->once ? "once" : "from then on", stats.live);
    cr_assert_eq(stats.bad_free, 0);
    return r;
}


/* Entries of a pack stored compressed, through a plain open and walk. */
static uint32_t count_compressed(const char *path) {
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_CHECKSUMS }), ZC_OK);
    uint32_t n = walk(pack);
    zc_pack_close(pack);
    return n;
}

static const zc_validate every_level[] = { ZC_VALIDATE_NONE, ZC_VALIDATE_TOC, ZC_VALIDATE_FULL,
                                           ZC_VALIDATE_CHECKSUMS };
static const char *const level_names[] = { "default", "none", "toc", "full", "checksums" };

Test(alloc_faults, open) {
    char *path = sample_pack("sample");
    uint32_t compressed = count_compressed(path);
    cr_assert_geq(compressed, 7, "texts, a texture and the packed model's entries are compressed");
    size_t size;
    uint8_t *image = zct_read_file_aligned(path, 1u << ZC_MAX_ALIGN_LOG2, &size);
    for (size_t l = 0; l < sizeof every_level / sizeof every_level[0]; ++l) {
        for (int way = 0; way < 3; ++way) {
            open_ctx c = { .expect_compressed = compressed };
            if (way == 2) c.desc = (zc_pack_desc){ .memory = image, .memory_size = size };
            else c.desc = (zc_pack_desc){ .path = path, .no_mmap = way };
            c.desc.validate = every_level[l];
            char what[96];
            snprintf(what, sizeof what, "zc_pack_open at %s from %s", level_names[every_level[l]],
                     way == 2 ? "memory" : way ? "a read file" : "a mapped file");
            sweep(what, attempt_open, &c);
        }
    }
    free(image);

    /* Decoding with a zstd dictionary at FULL: the dictionary table of the cache. */
    char *dict = dictionary_pack("dict");
    open_ctx c = { .desc = { .path = dict, .validate = ZC_VALIDATE_FULL },
                   .expect_compressed = count_compressed(dict) };
    cr_assert_gt(c.expect_compressed, 0);
    sweep("zc_pack_open at full with a dictionary", attempt_open, &c);
    free(dict);
    free(path);
}

/* ---------------------------------------------------------------------------------
 * zc_pack_validate on an open pack
 * ------------------------------------------------------------------------------- */

typedef struct validate_ctx {
    const char *path;
    zc_validate level;
    int hold_first;             /* hold a compressed entry before the faults (the cache exists) */
    uint32_t expect_compressed;
} validate_ctx;

/* Index of the first compressed entry. */
static uint32_t first_compressed(const zc_pack *pack) {
    for (uint32_t i = 0; i < zc_pack_entry_count(pack); ++i) {
        zc_entry e;
        zc_pack_entry_at(pack, i, &e);
        if (e.codec != ZC_CODEC_NONE) return i;
    }
    cr_assert_fail("the pack has no compressed entry");
    return 0;
}

static zc_result attempt_validate(void *ctx, fault *f) {
    validate_ctx *c = ctx;
    zct_alloc_stats stats;
    zct_alloc_stats_init(&stats, -1);
    zct_log log;
    zc_pack *pack = open_counted(c->path, &stats, ZC_VALIDATE_NONE, &log);
    zc_entry e;
    zc_hold held = { 0 };
    if (c->hold_first) {
        cr_assert_eq(zc_pack_entry_at(pack, first_compressed(pack), &e), ZC_OK);
        cr_assert_eq(zc_pack_acquire(pack, &e, &held), ZC_OK);
    }
    long base = arm(&stats, f);
    zc_result r = zc_pack_validate(pack, c->level);
    disarm(&stats, base, f);
    if (r != ZC_OK) cr_assert(logged_oom(&log), "the failure is logged as such: %s", log.messages[0]);
    /* The pack still serves: the hold, every entry, and a validation without faults. */
    if (c->hold_first) cr_assert_eq(XXH3_64bits(held.data, (size_t)held.size), e.content_hash);
    cr_assert_eq(walk(pack), c->expect_compressed);
    cr_assert_eq(zc_pack_validate(pack, c->level), ZC_OK);
    zc_hold_release(&held);
    zc_pack_close(pack);
    cr_assert_eq(stats.live, 0, "allocation %ld failed (%s): %ld blocks leaked", f->fail_at,
                 f->once ? "once" : "from then on", stats.live);
    cr_assert_eq(stats.bad_free, 0);
    return r;
}

Test(alloc_faults, validate) {
    char *path = sample_pack("sample");
    char *dict = dictionary_pack("dict");
    const char *packs[] = { path, dict };
    for (int p = 0; p < 2; ++p) {
        uint32_t compressed = count_compressed(packs[p]);
        for (int level = ZC_VALIDATE_FULL; level <= ZC_VALIDATE_CHECKSUMS; ++level) {
            for (int hold_first = 0; hold_first < 2; ++hold_first) {
                validate_ctx c = { packs[p], (zc_validate)level, hold_first, compressed };
                char what[96];
                snprintf(what, sizeof what, "zc_pack_validate at %s (%s, %s)", level_names[level],
                         p ? "dictionary pack" : "sample pack", hold_first ? "cache in use" : "no cache yet");
                sweep(what, attempt_validate, &c);
            }
        }
    }
    free(dict);
    free(path);
}

/* ---------------------------------------------------------------------------------
 * Lookups, entry bytes and views: no allocation at all once open
 * ------------------------------------------------------------------------------- */

/* Every view of an uncompressed typed entry, in place; ZC_OK expected. */
static void view_in_place(const zc_entry *e, uint32_t seen[4]) {
    zc_result r = ZC_OK;
    switch (e->type) {
    case ZC_TYPE_TEXTURE: {
        zc_texture_view v;
        r = zc_texture_view_from_entry(e, &v);
        zc_texture_level_view level;
        if (r == ZC_OK) r = zc_texture_view_level(&v, v.mip_count - 1, 0, &level);
        seen[0]++;
        break;
    }
    case ZC_TYPE_MESH: {
        zc_mesh_view v;
        r = zc_mesh_view_from_entry(e, &v);
        float out[4];
        if (r == ZC_OK) cr_assert_eq(zc_mesh_view_read(&v, &v.attributes[0], v.vertex_count - 1, out) > 0, 1);
        seen[1]++;
        break;
    }
    case ZC_TYPE_MATERIAL: {
        zc_material_view v;
        r = zc_material_view_from_entry(e, &v);
        seen[2]++;
        break;
    }
    case ZC_TYPE_SCENE: {
        zc_scene_view v;
        r = zc_scene_view_from_entry(e, &v);
        seen[3]++;
        break;
    }
    default:
        break;
    }
    cr_assert_eq(r, ZC_OK, "view of %s: %s", e->path, zc_result_name(r));
}

Test(alloc_faults, lookups_and_views_never_allocate) {
    char *path = sample_pack("sample");
    zct_alloc_stats stats;
    zct_alloc_stats_init(&stats, -1);
    zct_log log;
    zc_pack *pack = open_counted(path, &stats, ZC_VALIDATE_CHECKSUMS, &log);
    uint32_t count = zc_pack_entry_count(pack);
    zc_hold *holds = calloc(count, sizeof *holds);
    cr_assert(holds);
    for (uint32_t i = 0; i < count; ++i) { /* decoded before the faults start */
        zc_entry e;
        cr_assert_eq(zc_pack_entry_at(pack, i, &e), ZC_OK);
        if (e.codec != ZC_CODEC_NONE) cr_assert_eq(zc_pack_acquire(pack, &e, &holds[i]), ZC_OK);
    }
    long before = stats.calls;
    stats.fail_at = stats.calls; /* every allocation from here on fails */
    uint32_t in_place[4] = { 0 }, held_views = 0;
    for (uint32_t i = 0; i < count; ++i) {
        zc_entry e, by_path, by_id;
        cr_assert_eq(zc_pack_entry_at(pack, i, &e), ZC_OK);
        cr_assert_eq(zc_pack_find(pack, e.path, &by_path), ZC_OK);
        cr_assert_eq(zc_pack_find_id(pack, e.id, &by_id), ZC_OK);
        cr_assert_eq(by_path.index, i);
        cr_assert_eq(by_id.index, i);
        for (uint32_t d = 0; d < e.deps_count; ++d) {
            zc_entry dep;
            zc_result r = zc_pack_resolve(pack, e.deps[d], 0, &dep);
            cr_assert(r == ZC_OK || r == ZC_ERR_NO_ENTRY, "dependency of %s: %s", e.path, zc_result_name(r));
        }
        const void *data;
        uint64_t size;
        zc_result r = zc_entry_bytes(&e, 0, &data, &size);
        zc_hold h;
        cr_assert_eq(zc_pack_acquire(pack, &e, &h), ZC_OK, "a held or uncompressed entry needs no allocation");
        if (e.codec == ZC_CODEC_NONE) {
            cr_assert_eq(r, ZC_OK);
            cr_assert_eq(h.data, e.raw_size ? e.data : NULL, "an uncompressed hold is the mapping's bytes");
            view_in_place(&e, in_place);
        } else {
            cr_assert_eq(r, ZC_ERR_UNSUPPORTED_CODEC);
            cr_assert_eq(h.data, holds[i].data, "the cached bytes");
            cr_assert_eq(view_bytes(e.type, h.data, h.size), ZC_OK);
            held_views += e.type != ZC_TYPE_BLOB;
        }
        zc_hold_release(&h);
    }
    zc_pack_info info;
    zc_cache_stats cache;
    cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
    cr_assert_eq(zc_pack_cache_stats(pack, &cache), ZC_OK);
    cr_assert_eq(zc_pack_validate(pack, ZC_VALIDATE_TOC), ZC_OK);
    cr_assert_eq(stats.calls, before, "lookups and views made %ld allocation calls", stats.calls - before);
    cr_assert_geq(in_place[0], 1, "an uncompressed texture (the model's)");
    cr_assert_geq(in_place[1], 1, "an uncompressed mesh");
    cr_assert_geq(held_views, 5, "compressed textures, a mesh, a material and a scene viewed from their holds");
    cr_assert_geq(in_place[2], 1, "an uncompressed material");
    cr_assert_geq(in_place[3], 1, "an uncompressed scene");
    cr_assert_eq(log.count, 0, "nothing to report: %s", log.count ? log.messages[0] : "");
    for (uint32_t i = 0; i < count; ++i) zc_hold_release(&holds[i]);
    free(holds);
    zc_pack_close(pack);
    cr_assert_eq(stats.live, 0);
    free(path);
}

/* ---------------------------------------------------------------------------------
 * Decoding: zc_pack_acquire of compressed entries
 * ------------------------------------------------------------------------------- */

typedef struct decode_ctx {
    const char *path;
    uint64_t cache_budget;      /* 0: default; 1: every release evicts */
} decode_ctx;

static zc_result attempt_decode(void *ctx, fault *f) {
    decode_ctx *c = ctx;
    zct_alloc_stats stats;
    zct_alloc_stats_init(&stats, -1);
    zct_log log;
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = c->path, .cache_budget = c->cache_budget,
                                                      .allocator = zct_counting_allocator(&stats),
                                                      .logger = zct_log_recorder(&log) }),
                 ZC_OK);
    uint32_t count = zc_pack_entry_count(pack);
    zc_entry first;
    cr_assert_eq(zc_pack_entry_at(pack, first_compressed(pack), &first), ZC_OK);
    zc_hold kept; /* the previous state: a hold taken before the faults */
    cr_assert_eq(zc_pack_acquire(pack, &first, &kept), ZC_OK);
    zc_hold *holds = calloc(count, sizeof *holds);
    cr_assert(holds);

    long base = arm(&stats, f);
    zc_result r = ZC_OK;
    uint32_t got = 0;
    for (uint32_t i = 0; i < count && r == ZC_OK; ++i) {
        zc_entry e;
        zc_pack_entry_at(pack, i, &e);
        if (e.codec == ZC_CODEC_NONE) continue;
        r = zc_pack_acquire(pack, &e, &holds[i]);
        if (r == ZC_OK) got++;
        else cr_assert(holds[i].data == NULL && holds[i].pack == NULL, "a failed acquire zeroes its hold");
    }
    disarm(&stats, base, f);
    if (r != ZC_OK) cr_assert(logged_oom(&log), "logged: %s", log.count ? log.messages[0] : "");
    for (uint32_t i = 0; i < count; ++i) {
        if (holds[i].pack) cr_assert_eq(XXH3_64bits(holds[i].data, (size_t)holds[i].size),
                                        holds[i].entry.content_hash);
        zc_hold_release(&holds[i]);
    }
    free(holds);

    /* The open pack keeps working: the old hold is intact, everything decodes again,
     * and the cache's counters add up. */
    cr_assert_eq(XXH3_64bits(kept.data, (size_t)kept.size), first.content_hash);
    cr_assert_gt(walk(pack), 0);
    zc_cache_stats cs;
    cr_assert_eq(zc_pack_cache_stats(pack, &cs), ZC_OK);
    cr_assert_eq(cs.held_bytes, kept.size, "only the kept hold is held");
    cr_assert_geq(cs.resident_bytes, kept.size);
    zc_hold_release(&kept);
    zc_pack_close(pack);
    cr_assert_eq(stats.live, 0, "allocation %ld failed (%s): %ld blocks leaked", f->fail_at,
                 f->once ? "once" : "from then on", stats.live);
    cr_assert_eq(stats.bad_free, 0);
    (void)got;
    return r;
}

Test(alloc_faults, decode) {
    char *path = sample_pack("sample");
    char *dict = dictionary_pack("dict");
    decode_ctx cases[] = { { path, 0 }, { path, 1 }, { dict, 0 } };
    const char *names[] = { "acquire (sample pack)", "acquire (sample pack, budget 1 byte)",
                            "acquire (dictionary pack)" };
    for (int i = 0; i < 3; ++i) sweep(names[i], attempt_decode, &cases[i]);
    free(dict);
    free(path);
}

/* ---------------------------------------------------------------------------------
 * Mount tables
 * ------------------------------------------------------------------------------- */

#define MOUNTED 8

typedef struct mount_ctx {
    zc_pack *packs[MOUNTED + 1];    /* each has "x.txt" = "pack <i>" and "own/<i>.txt" */
    const char *mount_point;        /* of the ninth mount */
    int32_t priority;               /* of the ninth mount */
    const char *probe;              /* path the ninth mount answers when it is there */
} mount_ctx;

/* The pack that answers `path` through the table, NULL when none does. */
static zc_pack *winner(zc_mounts *m, const char *path) {
    zc_hold h;
    zc_result r = zc_mounts_acquire(m, path, &h);
    if (r == ZC_ERR_NO_ENTRY) return NULL;
    cr_assert_eq(r, ZC_OK, "%s: %s", path, zc_result_name(r));
    zc_pack *pack = h.pack;
    zc_hold_release(&h);
    return pack;
}

static zc_result attempt_mounts_create(void *ctx, fault *f) {
    (void)ctx;
    zct_alloc_stats stats;
    zct_alloc_stats_init(&stats, -1);
    zct_log log;
    long base = arm(&stats, f);
    zc_mounts *m = (zc_mounts *)&stats;
    zc_result r = zc_mounts_create(&m, &(zc_mounts_desc){ .allocator = zct_counting_allocator(&stats),
                                                          .logger = zct_log_recorder(&log) });
    disarm(&stats, base, f);
    if (r != ZC_OK) {
        cr_assert_null(m);
        cr_assert(zct_log_contains(&log, "out of memory"));
    }
    zc_mounts_destroy(r == ZC_OK ? m : NULL);
    cr_assert_eq(stats.live, 0);
    return r;
}

static zc_result attempt_mounts_add(void *ctx, fault *f) {
    mount_ctx *c = ctx;
    zct_alloc_stats stats;
    zct_alloc_stats_init(&stats, -1);
    zct_log log;
    zc_mounts *m;
    cr_assert_eq(zc_mounts_create(&m, &(zc_mounts_desc){ .allocator = zct_counting_allocator(&stats),
                                                         .logger = zct_log_recorder(&log) }),
                 ZC_OK);
    for (int i = 0; i < MOUNTED; ++i)
        cr_assert_eq(zc_mounts_add(m, &(zc_mount_desc){ .pack = c->packs[i], .priority = i }), ZC_OK);
    long base = arm(&stats, f);
    zc_result r = zc_mounts_add(m, &(zc_mount_desc){ .pack = c->packs[MOUNTED], .priority = c->priority,
                                                     .mount_point = c->mount_point });
    disarm(&stats, base, f);
    if (r == ZC_OK) {
        cr_assert_eq(zc_mounts_count(m), MOUNTED + 1);
        cr_assert_eq(winner(m, c->probe), c->packs[MOUNTED]);
    } else {
        /* The table is unchanged: every mount answers as before, the new one nowhere. */
        cr_assert(zct_log_contains(&log, "out of memory"));
        cr_assert_eq(zc_mounts_count(m), MOUNTED);
        cr_assert_neq(winner(m, c->probe), c->packs[MOUNTED]);
        cr_assert_eq(winner(m, "x.txt"), c->packs[MOUNTED - 1]);
        for (int i = 0; i < MOUNTED; ++i) {
            char own[32];
            snprintf(own, sizeof own, "own/%d.txt", i);
            cr_assert_eq(winner(m, own), c->packs[i]);
        }
        cr_assert_eq(zc_mounts_remove(m, c->packs[MOUNTED]), ZC_ERR_NO_ENTRY);
    }
    zc_mounts_destroy(m);
    cr_assert_eq(stats.live, 0, "allocation %ld failed: %ld blocks leaked", f->fail_at, stats.live);
    cr_assert_eq(stats.bad_free, 0);
    return r;
}

/* A compressed entry decoded through a mount table whose pack allocator fails. */
typedef struct mount_decode_ctx {
    const char *path;
} mount_decode_ctx;

static zc_result attempt_mounts_decode(void *ctx, fault *f) {
    mount_decode_ctx *c = ctx;
    zct_alloc_stats stats;
    zct_alloc_stats_init(&stats, -1);
    zct_log log;
    zc_pack *pack = open_counted(c->path, &stats, ZC_VALIDATE_TOC, &log);
    zc_mounts *m;
    cr_assert_eq(zc_mounts_create(&m, NULL), ZC_OK);
    cr_assert_eq(zc_mounts_add(m, &(zc_mount_desc){ .pack = pack, .mount_point = "base/" }), ZC_OK);
    uint32_t count = zc_pack_entry_count(pack);
    char **paths = calloc(count, sizeof *paths);
    cr_assert(paths);
    for (uint32_t i = 0; i < count; ++i) {
        zc_entry e;
        zc_pack_entry_at(pack, i, &e);
        if (e.codec == ZC_CODEC_NONE) continue;
        paths[i] = malloc(e.path_length + 8);
        cr_assert(paths[i]);
        snprintf(paths[i], e.path_length + 8, "base/%s", e.path);
    }
    zc_pack_close(pack); /* the table keeps it */

    long base = arm(&stats, f);
    zc_result r = ZC_OK;
    for (uint32_t i = 0; i < count && r == ZC_OK; ++i) {
        if (!paths[i]) continue;
        zc_hold h;
        r = zc_mounts_acquire(m, paths[i], &h);
        if (r != ZC_OK) cr_assert_null(h.pack);
        zc_hold_release(&h);
    }
    disarm(&stats, base, f);
    for (uint32_t i = 0; i < count; ++i) { /* the table serves on */
        if (!paths[i]) continue;
        zc_hold h;
        cr_assert_eq(zc_mounts_acquire(m, paths[i], &h), ZC_OK);
        cr_assert_eq(XXH3_64bits(h.data, (size_t)h.size), h.entry.content_hash);
        zc_hold_release(&h);
        free(paths[i]);
    }
    free(paths);
    zc_mounts_destroy(m);
    cr_assert_eq(stats.live, 0, "allocation %ld failed: %ld blocks leaked", f->fail_at, stats.live);
    return r;
}

Test(alloc_faults, mounts) {
    sweep("zc_mounts_create", attempt_mounts_create, NULL);

    mount_ctx c;
    for (int i = 0; i <= MOUNTED; ++i) {
        char name[32], text[32], own[32];
        snprintf(name, sizeof name, "m%d.zcpack", i);
        snprintf(text, sizeof text, "pack %d", i);
        snprintf(own, sizeof own, "own/%d.txt", i);
        char *out = zct_join(zct_tmp, name);
        zct_blob blobs[] = { { .path = "x.txt", .data = text, .size = strlen(text) },
                             { .path = own, .data = text, .size = strlen(text) } };
        cr_assert_eq(zct_write_pack(out, blobs, 2), ZC_OK);
        cr_assert_eq(zc_pack_open(&c.packs[i], &(zc_pack_desc){ .path = out }), ZC_OK);
        free(out);
    }
    /* At the root above everything (the array grows), then at a mount point (the
     * mount point is copied too). */
    c.mount_point = NULL;
    c.priority = 100;
    c.probe = "x.txt";
    sweep("zc_mounts_add at the root", attempt_mounts_add, &c);
    c.mount_point = "mods/nine/";
    c.priority = 3;
    c.probe = "mods/nine/x.txt";
    sweep("zc_mounts_add at a mount point", attempt_mounts_add, &c);
    for (int i = 0; i <= MOUNTED; ++i) zc_pack_close(c.packs[i]);

    char *path = sample_pack("sample");
    mount_decode_ctx d = { path };
    sweep("zc_mounts_acquire of compressed entries", attempt_mounts_decode, &d);
    free(path);
}

/* ---------------------------------------------------------------------------------
 * zc_build: the packer calls malloc itself, so the wrappers of zc_test_alloc_wrap.h
 * make its calls fail (the runtime's, which verifies the new pack, included).
 * ------------------------------------------------------------------------------- */

typedef struct build_ctx {
    zc_build_desc desc;         /* input_dir, output_path and options; logger set per attempt */
    const char *old;            /* a copy of the old pack at output_path */
    const char *out_dir;        /* holds output_path and nothing else */
    const char *fresh_dir;      /* removed before each attempt (a cold build cache); may be NULL */
    const char *reference;      /* the same build without faults: what a success must write */
} build_ctx;

/* Names in `dir` (except . and ..). */
static int dir_entries(const char *dir) {
    DIR *d = opendir(dir);
    cr_assert(d, "cannot list %s", dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void restore_old(const build_ctx *c) {
    if (zct_files_equal(c->desc.output_path, c->old)) return;
    size_t size;
    uint8_t *bytes = zct_read_file(c->old, &size);
    cr_assert(bytes);
    zct_write_file(c->desc.output_path, bytes, size);
    free(bytes);
}

static zc_result attempt_build(void *ctx, fault *f) {
    build_ctx *c = ctx;
    restore_old(c);
    if (c->fresh_dir) zct_rm_rf(c->fresh_dir);
    zct_log log;
    zc_build_desc desc = c->desc;
    desc.logger = zct_log_recorder(&log);
    zc_build_stats stats;
    zct_wrap_arm(f->fail_at, f->once);
    zc_result r = zc_build(&desc, &stats);
    zct_wrap_report w = zct_wrap_disarm();
    f->calls = w.calls;
    f->failed = w.failed;
    cr_assert(r == ZC_OK || r == ZC_ERR_OUT_OF_MEMORY, "allocation %ld failed (%s): zc_build returned %s: %s",
              f->fail_at, f->once ? "once" : "from then on", zc_result_name(r), first_error(&log));
    cr_assert_not(w.overflow);
    cr_assert_eq(w.live, 0, "allocation %ld failed (%s): zc_build returned %s and leaked %ld blocks", f->fail_at,
                 f->once ? "once" : "from then on", zc_result_name(r), w.live);
    cr_assert_eq(dir_entries(c->out_dir), 1, "allocation %ld failed: a temporary file was left beside the output",
                 f->fail_at);
    if (r != ZC_OK) {
        cr_assert_eq(stats.pack_written, 0);
        cr_assert(zct_files_equal(desc.output_path, c->old), "allocation %ld failed: the old pack was replaced",
                  f->fail_at);
        cr_assert_geq(log.errors, 1, "allocation %ld failed (%s): the build returned %s without logging an error",
                      f->fail_at, f->once ? "once" : "from then on", zc_result_name(r));
    } else {
        /* Builds are deterministic: a success after a recovered failure writes the
         * very pack a build without faults writes. */
        cr_assert(zct_files_equal(desc.output_path, c->reference),
                  "allocation %ld failed (%s) and the build succeeded, but its pack differs from a build without "
                  "faults", f->fail_at, f->once ? "once" : "from then on");
    }
    return r;
}

/* Build the tree at `root` into tmp/out/out.zcpack over an old pack (built from
 * `old_root`) with allocation failures everywhere; `options` adds to the desc. */
static sweep_totals sweep_build(const char *what, const char *root, const char *old_root, zc_build_desc options,
                                const char *fresh_dir) {
    char *out_dir = zct_join(zct_tmp, "out");
    char *out = zct_join(out_dir, "out.zcpack");
    char *old = zct_join(zct_tmp, "old.zcpack");
    char *reference = zct_join(zct_tmp, "reference.zcpack");
    zct_mkdirs(out_dir);
    build_ok(old_root, old, 0);
    build_ctx c = { .desc = options, .old = old, .out_dir = out_dir, .fresh_dir = fresh_dir,
                    .reference = reference };
    c.desc.input_dir = root;
    c.desc.output_path = reference;
    c.desc.no_sync = 1;
    if (!c.desc.threads) c.desc.threads = 2;
    if (fresh_dir) zct_rm_rf(fresh_dir);
    zct_log log;
    c.desc.logger = zct_log_recorder(&log);
    zc_result r = zc_build(&c.desc, NULL);
    cr_assert_eq(r, ZC_OK, "%s without faults: %s (%s)", what, zc_result_name(r), first_error(&log));
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = reference, .validate = ZC_VALIDATE_CHECKSUMS }),
                 ZC_OK);
    walk(pack);
    zc_pack_close(pack);
    c.desc.output_path = out;
    restore_old(&c);
    sweep_totals t = sweep(what, attempt_build, &c);
    zct_rm_rf(out_dir);
    remove(old);
    remove(reference);
    free(reference);
    free(old);
    free(out);
    free(out_dir);
    return t;
}

/* A tree the old pack comes from: one licence text. */
static char *old_tree(void) {
    char *root = zct_join(zct_tmp, "old_tree");
    zct_copy_file(LICENSES "CC0-1.0", root, "docs/cc0.txt");
    return root;
}

Test(alloc_faults, build) {
    char *root = sample_tree("tree", 0);
    char *old_root = old_tree();
    sweep_build("zc_build (texts, a texture, a manifest)", root, old_root, (zc_build_desc){ 0 }, NULL);
    free(old_root);
    free(root);
}

Test(alloc_faults, build_model) {
    /* The model alone, twice: with the pool's worker server (the packer's own calls
     * fail, and a server that cannot start leaves the pool forking), and with the
     * workers forked from the packer, whose calls count and fail in the same sequence
     * as the packer's (zc_test_alloc_wrap.h; not under AddressSanitizer, whose
     * allocator does not survive that fork); the server's workers are another
     * program's image, which the wrappers do not reach. */
    char *root = zct_join(zct_tmp, "tree");
    zct_copy_file(BOX_MODEL "BoxTextured.gltf", root, "box/BoxTextured.gltf");
    zct_copy_file(BOX_MODEL "BoxTextured0.bin", root, "box/BoxTextured0.bin");
    zct_copy_file(BOX_MODEL "CesiumLogoFlat.png", root, "box/CesiumLogoFlat.png");
    char *old_root = old_tree();
    sweep_build("zc_build (a glTF model)", root, old_root, (zc_build_desc){ 0 }, NULL);
#if !ZC__MODEL_ASAN /* a fork of this threaded program may find AddressSanitizer's locks held */
    zc__model_server_off = 1;
    sweep_build("zc_build (a glTF model, workers forked from the packer)", root, old_root, (zc_build_desc){ 0 },
                NULL);
    zc__model_server_off = 0;
#endif
    free(old_root);
    free(root);
}

Test(alloc_faults, build_dictionaries) {
    char *root = zct_join(zct_tmp, "json");
    for (int i = 0; i < 24; ++i) {
        char doc[512], rel[64];
        snprintf(doc, sizeof doc, "{ \"name\": \"enemy_%03d\", \"health\": %d, \"faction\": \"%s\",\n"
                 "  \"loot\": [\"gold\", \"potion_%d\"], \"sight\": %d }\n", i, 100 + i * 7,
                 i % 3 ? "orcs" : "goblins", i % 4, 25 + i % 9);
        snprintf(rel, sizeof rel, "data/enemy_%03d.json", i);
        zct_put_text(root, rel, doc);
    }
    char *old_root = old_tree();
    sweep_build("zc_build with dictionaries", root, old_root, (zc_build_desc){ .dictionaries = 1 }, NULL);
    free(old_root);
    free(root);
}

Test(alloc_faults, build_patch) {
    /* The base lacks the texture, holds another version of one text and a text the
     * tree no longer has: the patch adds, changes and removes. */
    char *root = sample_tree("tree", 0);
    char *base_root = zct_join(zct_tmp, "base_tree");
    zct_copy_file(LICENSES "BSD", base_root, "docs/bsd.txt");
    zct_copy_file(LICENSES "GPL-2", base_root, "docs/apache.txt");
    zct_copy_file(LICENSES "CC0-1.0", base_root, "docs/cc0.txt");
    char *base = zct_join(zct_tmp, "base.zcpack");
    build_ok(base_root, base, 0);
    char *old_root = old_tree();
    sweep_build("zc_build of a patch", root, old_root, (zc_build_desc){ .base_path = base }, NULL);
    free(old_root);
    free(base);
    free(base_root);
    free(root);
}

Test(alloc_faults, build_cache) {
    char *root = sample_tree("tree", 0);
    char *cache = zct_join(zct_tmp, "cache");
    char *old_root = old_tree();
    /* A cold cache (filled by the build), then a warm one (every texture a hit). */
    sweep_build("zc_build with a cold build cache", root, old_root, (zc_build_desc){ .cache_dir = cache }, cache);
    char *warm = zct_join(zct_tmp, "warm.zcpack");
    zct_log log;
    zc_build_desc desc = build_desc(root, warm, &log);
    desc.cache_dir = cache;
    zc_build_stats stats;
    cr_assert_eq(zc_build(&desc, &stats), ZC_OK);
    sweep_totals t = sweep_build("zc_build with a warm build cache", root, old_root,
                                 (zc_build_desc){ .cache_dir = cache }, NULL);
    (void)t;
    free(warm);
    free(old_root);
    free(cache);
    free(root);
}

/* ---------------------------------------------------------------------------------
 * Hot reload (editor builds): zc_live_open, zc_live_poll, zc_live_acquire
 * ------------------------------------------------------------------------------- */

#ifdef ZC_EDITOR

TestSuite(alloc_faults_editor, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 300);

/* Generation 1 has a.txt = "one" and b.txt; generation 2 has a.txt = "two" and c.txt:
 * one change of each kind. */
static void publish(const char *path, int generation) {
    zct_blob one[] = { { .path = "a.txt", .data = "one", .size = 3 }, { .path = "b.txt", .data = "bee", .size = 3 } };
    zct_blob two[] = { { .path = "a.txt", .data = "two", .size = 3 }, { .path = "c.txt", .data = "sea", .size = 3 } };
    cr_assert_eq(zct_write_pack(path, generation == 1 ? one : two, 2), ZC_OK);
}

/* The text of a.txt in a pack ("one" or "two"). */
static void expect_a(zc_pack *pack, const char *text) {
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, "a.txt", &e), ZC_OK);
    cr_assert_eq(e.raw_size, 3);
    cr_assert_eq(memcmp(e.data, text, 3), 0, "a.txt holds %.3s, expected %s", (const char *)e.data, text);
}

typedef struct live_ctx {
    char *path;
    int watch;
    const zc_public_key *key;   /* NULL: no signature check */
    uint32_t reports;           /* on_change calls */
    uint32_t last_changes;      /* change_count of the last one */
} live_ctx;

static void on_change(const zc_live_event *event, void *user_data) {
    live_ctx *c = user_data;
    c->reports++;
    c->last_changes = event->change_count;
}

static zc_live_desc live_desc(live_ctx *c, zct_alloc_stats *stats, zct_log *log) {
    return (zc_live_desc){ .path = c->path, .watch = c->watch, .poll_interval_ms = 60000, .on_change = on_change,
                           .user_data = c, .allocator = zct_counting_allocator(stats),
                           .logger = zct_log_recorder(log), .trusted_keys = c->key,
                           .trusted_key_count = c->key ? 1 : 0 };
}

static zc_result attempt_live_open(void *ctx, fault *f) {
    live_ctx *c = ctx;
    zct_alloc_stats stats;
    zct_alloc_stats_init(&stats, -1);
    zct_log log;
    zc_live_desc desc = live_desc(c, &stats, &log);
    long base = arm(&stats, f);
    zc_live_pack *live = (zc_live_pack *)&stats;
    zc_result r = zc_live_open(&live, &desc);
    disarm(&stats, base, f);
    if (r == ZC_OK) {
        zc_live_view view;
        cr_assert_eq(zc_live_acquire(live, &view), ZC_OK);
        cr_assert_eq(view.generation, 1);
        expect_a(view.pack, "one");
        cr_assert_eq(zc_live_release(live, view.ref), ZC_OK);
        zc_live_close(live);
    } else {
        cr_assert_null(live, "a failed open hands out no live pack");
    }
    cr_assert_eq(stats.live, 0, "allocation %ld failed (%s): %ld blocks leaked", f->fail_at,
                 f->once ? "once" : "from then on", stats.live);
    cr_assert_eq(stats.bad_free, 0);
    return r;
}

Test(alloc_faults_editor, live_open) {
    live_ctx c = { .path = zct_join(zct_tmp, "live.zcpack") };
    publish(c.path, 1);
    sweep("zc_live_open", attempt_live_open, &c);
    c.watch = 1;
    sweep("zc_live_open with a watcher", attempt_live_open, &c);
    /* With a trusted key (copied at open) and a pack signed by it. */
    zc_secret_key secret;
    zc_public_key trusted;
    zct_make_keys("live", &secret, &trusted);
    cr_assert_eq(zc_sign_pack_file(c.path, &secret, (zc_logger){ 0 }), ZC_OK);
    c.watch = 0;
    c.key = &trusted;
    sweep("zc_live_open with a trusted key", attempt_live_open, &c);
    zc_secret_key_wipe(&secret);
    free(c.path);
}

static zc_result attempt_live_poll(void *ctx, fault *f) {
    live_ctx *c = ctx;
    c->reports = c->last_changes = 0;
    publish(c->path, 1);
    zct_alloc_stats stats;
    zct_alloc_stats_init(&stats, -1);
    zct_log log;
    zc_live_desc desc = live_desc(c, &stats, &log);
    zc_live_pack *live;
    cr_assert_eq(zc_live_open(&live, &desc), ZC_OK);
    zc_live_view old; /* the previous state: a reader pinning generation 1 */
    cr_assert_eq(zc_live_acquire(live, &old), ZC_OK);
    publish(c->path, 2);

    long base = arm(&stats, f);
    uint32_t generation = 0;
    zc_result r = zc_live_poll(live, &generation);
    disarm(&stats, base, f);
    if (r != ZC_OK) {
        cr_assert_eq(generation, 1, "the old generation stays current");
        cr_assert_eq(c->reports, 0, "no change is reported");
        cr_assert(logged_oom(&log), "logged: %s", first_error(&log));
    }
    /* The pinned generation still serves, and a later poll (no fault) reloads. */
    zc_live_view again;
    cr_assert_eq(zc_live_resolve(live, old.ref, &again), ZC_OK);
    cr_assert_eq(again.generation, 1);
    expect_a(old.pack, "one");
    cr_assert_eq(zc_live_poll(live, &generation), ZC_OK);
    cr_assert_eq(generation, 2, "allocation %ld failed (%s): the next poll did not reload", f->fail_at,
                 f->once ? "once" : "from then on");
    cr_assert_eq(c->reports, 1, "one change report");
    cr_assert_eq(c->last_changes, 3, "a.txt changed, b.txt removed, c.txt added");
    zc_live_view fresh;
    cr_assert_eq(zc_live_acquire(live, &fresh), ZC_OK);
    expect_a(fresh.pack, "two");
    cr_assert_eq(zc_live_release(live, fresh.ref), ZC_OK);
    cr_assert_eq(zc_live_release(live, old.ref), ZC_OK);
    zc_live_close(live);
    cr_assert_eq(stats.live, 0, "allocation %ld failed (%s): %ld blocks leaked", f->fail_at,
                 f->once ? "once" : "from then on", stats.live);
    cr_assert_eq(stats.bad_free, 0);
    return r;
}

Test(alloc_faults_editor, live_poll) {
    live_ctx c = { .path = zct_join(zct_tmp, "live.zcpack") };
    sweep("zc_live_poll of a new generation", attempt_live_poll, &c);
    free(c.path);
}

#define FIRST_REFS 16 /* refs the first handle table holds (zc_live.c) */

static zc_result attempt_live_acquire(void *ctx, fault *f) {
    live_ctx *c = ctx;
    zct_alloc_stats stats;
    zct_alloc_stats_init(&stats, -1);
    zct_log log;
    zc_live_desc desc = live_desc(c, &stats, &log);
    zc_live_pack *live;
    cr_assert_eq(zc_live_open(&live, &desc), ZC_OK);
    zc_live_view views[FIRST_REFS + 1];
    for (int i = 0; i < FIRST_REFS; ++i) cr_assert_eq(zc_live_acquire(live, &views[i]), ZC_OK);
    long base = arm(&stats, f);
    zc_result r = zc_live_acquire(live, &views[FIRST_REFS]); /* the table grows */
    disarm(&stats, base, f);
    zc_live_stats ls;
    cr_assert_eq(zc_live_get_stats(live, &ls), ZC_OK);
    if (r != ZC_OK) {
        cr_assert_null(views[FIRST_REFS].pack, "a failed acquire zeroes the view");
        cr_assert_eq(ls.refs, FIRST_REFS);
        cr_assert_eq(zc_live_acquire(live, &views[FIRST_REFS]), ZC_OK, "the next acquire succeeds");
    }
    for (int i = 0; i <= FIRST_REFS; ++i) { /* every ref still resolves to its generation */
        zc_live_view v;
        cr_assert_eq(zc_live_resolve(live, views[i].ref, &v), ZC_OK);
        expect_a(v.pack, "one");
        cr_assert_eq(zc_live_release(live, views[i].ref), ZC_OK);
    }
    zc_live_close(live);
    cr_assert_eq(stats.live, 0);
    return r;
}

Test(alloc_faults_editor, live_acquire) {
    live_ctx c = { .path = zct_join(zct_tmp, "live.zcpack") };
    publish(c.path, 1);
    sweep("zc_live_acquire growing the handle table", attempt_live_acquire, &c);
    free(c.path);
}

#endif /* ZC_EDITOR */
