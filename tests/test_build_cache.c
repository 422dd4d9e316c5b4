/* test_build_cache.c - the content-addressed build cache (packer/build/zc_build_cache.h):
 *  - after seeded rounds of random edits, additions and deletions of real images,
 *    blobs and the textures of a real OBJ model, a build through the cache is byte for
 *    byte the pack a build without it writes, and imports exactly the files whose key
 *    changed (counted by zc_build_stats.cache_hits / cache_misses);
 *  - a model is imported again when a file it reads changes, not when a model in
 *    another directory or a texture it does not read does (its record lists its reads);
 *  - damaged records (flipped byte, truncated, foreign key, bad magic, and a record
 *    with a valid checksum whose payload fails its type check) are reported, ignored
 *    and rebuilt;
 *  - manifest rules and build options that change an import invalidate exactly the
 *    files they touch;
 *  - the size bound evicts records and the cache inside the tree is not packed.
 *
 * Images come from Debian packages (python-pygame-doc, assimp-testmodels; see
 * tools/bootstrap.sh --test-data), copied into the test's temporary tree.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "zc_build.h"
#include "zc_build_cache.h"
#include "zc_pack.h"
#include "zc_test_images.h"
#include "zc_test_util.h"

#define PYGAME ZCTI_PYGAME "/"
#define OBJ ZCTI_ASSIMP "/OBJ/"

/* zcti_in_dir is the tree that is built; zcti_pack_path the incremental builds. */
static char *cache_dir; /* zct_tmp/cache */
static char *clean_path; /* zct_tmp/clean.zcpack: the builds without cache */

static void setup(void) {
    zcti_tree_setup();
    cache_dir = zct_tmp_path("cache");
    clean_path = zct_tmp_path("clean.zcpack");
}

static void teardown(void) {
    free(cache_dir);
    free(clean_path);
    zcti_tree_teardown();
}

TestSuite(build_cache, .init = setup, .fini = teardown, .timeout = 600);

/* ---------------------------------------------------------------------------------
 * Builds
 * ------------------------------------------------------------------------------- */

typedef struct opts {
    const char *cache_dir;      /* NULL: none (unless cache) */
    zc_build_cache *cache;
    int no_compress;
    uint32_t max_dimension;
    uint64_t cache_max_bytes;
} opts;

static zc_build_stats build_into(const char *out, const opts *o, zct_log *log) {
    zc_build_desc d;
    memset(&d, 0, sizeof d);
    d.input_dir = zcti_in_dir;
    d.output_path = out;
    d.no_sync = 1;
    d.threads = 2;
    d.cache_dir = o->cache_dir;
    d.cache = o->cache;
    d.cache_max_bytes = o->cache_max_bytes;
    d.no_compress = o->no_compress;
    d.max_texture_dimension = o->max_dimension;
    zct_log local;
    d.logger = zct_log_recorder(log ? log : &local);
    zc_build_stats st;
    zc_result r = zc_build(&d, &st);
    const zct_log *l = log ? log : &local;
    cr_assert_eq(r, ZC_OK, "build of %s: %s (%s)", out, zc_result_str(r), l->errors ? l->messages[0] : "");
    cr_assert(st.pack_written);
    return st;
}

/* Build the tree without any cache into clean_path with the same options, and
 * require the incremental pack to be the same bytes. */
static void assert_equals_clean(const opts *o, const char *what) {
    opts clean = *o;
    clean.cache_dir = NULL;
    clean.cache = NULL;
    zc_build_stats st = build_into(clean_path, &clean, NULL);
    cr_assert_eq(st.cache_hits + st.cache_misses, 0);
    cr_assert(zct_files_equal(zcti_pack_path, clean_path), "%s: the build through the cache differs from a clean build",
              what);
}

/* ---------------------------------------------------------------------------------
 * Tree edits with real images
 * ------------------------------------------------------------------------------- */

/* dst becomes `src` decoded and re-encoded as PNG with a few texels changed at random:
 * bytes no build has seen before. */
static void write_variant(const char *src, const char *dst, uint64_t *seed) {
    uint32_t w, h;
    int comp;
    uint8_t *rgba = zcti_stb_rgba8(src, &w, &h, &comp);
    for (int i = 0; i < 8; ++i) {
        uint64_t r = zct_rand(seed);
        size_t texel = (size_t)(r % ((uint64_t)w * h));
        memcpy(rgba + 4 * texel, &r, 4);
        rgba[4 * texel + 3] = 255;
    }
    zcti_write_png(dst, w, h, 4, rgba);
    free(rgba);
}

static void write_blob(const char *path, uint64_t *seed) {
    uint8_t bytes[777];
    zct_fill(bytes, sizeof bytes, zct_rand(seed));
    zct_write_file(path, bytes, sizeof bytes);
}

/* The modification time of every file written in the last ten minutes an hour back
 * (its change time becomes "now"; older files are left alone), so the cache's memo of
 * source hashes trusts unchanged files in later rounds. */
static void age_tree(const char *dir) {
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s: %s", dir, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char *path = zct_join(dir, e->d_name);
        struct stat st;
        cr_assert_eq(lstat(path, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            age_tree(path);
        } else if (st.st_mtim.tv_sec > time(NULL) - 600) {
            struct timespec times[2] = { { st.st_mtim.tv_sec - 3600, 0 }, { st.st_mtim.tv_sec - 3600, 0 } };
            cr_assert_eq(utimensat(AT_FDCWD, path, times, 0), 0);
        }
        free(path);
    }
    closedir(d);
}

typedef enum kind { BLOB, TEXTURE } kind;

typedef struct tracked {
    char rel[64];
    kind kind;
    char image[256];            /* textures: the real image its variants derive from */
} tracked;

#define MAX_TRACKED 64

typedef struct tree {
    tracked files[MAX_TRACKED];
    int count;
    uint32_t textures;          /* textures in the tree, the model's own included */
} tree;

static char *in_path(const char *rel) {
    return zct_join(zcti_in_dir, rel);
}

static void add_copy(tree *t, const char *src, const char *rel, kind k) {
    char *slash = strrchr(rel, '/');
    char *dir = zct_join(zcti_in_dir, rel);
    *strrchr(dir, '/') = 0;
    cr_assert_not_null(slash);
    free(zcti_copy(src, dir, slash + 1));
    free(dir);
    cr_assert_lt(t->count, MAX_TRACKED);
    tracked *f = &t->files[t->count++];
    snprintf(f->rel, sizeof f->rel, "%s", rel);
    f->kind = k;
    snprintf(f->image, sizeof f->image, "%s", src);
    if (k == TEXTURE) t->textures++;
}

/* The spider of assimp's OBJ tests: spider.obj, its material library and the five
 * images it references (each also a texture of the tree on its own). */
static void add_spider(tree *t, const char *dir) {
    static const char *const images[] = { "SpiderTex.jpg", "drkwood2.jpg", "engineflare1.jpg", "wal67ar_small.jpg",
                                          "wal69ar_small.jpg" };
    char rel[64];
    snprintf(rel, sizeof rel, "%s/spider.obj", dir);
    zcti_require(OBJ "spider.obj");
    free(zcti_copy(OBJ "spider.obj", zcti_in_dir, rel));
    snprintf(rel, sizeof rel, "%s/spider.mtl", dir);
    free(zcti_copy(OBJ "spider.mtl", zcti_in_dir, rel));
    for (size_t i = 0; i < sizeof images / sizeof images[0]; ++i) {
        if (zcti_sanitize_run() && i == 1) continue; /* drkwood2 is 512x512: a note instead */
        char src[256];
        snprintf(src, sizeof src, OBJ "%s", images[i]);
        snprintf(rel, sizeof rel, "%s/%s", dir, images[i]);
        add_copy(t, src, rel, TEXTURE);
    }
}

static void initial_tree(tree *t) {
    memset(t, 0, sizeof *t);
    zcti_require(PYGAME "alien1.png");
    add_copy(t, PYGAME "alien1.png", "tex/a.png", TEXTURE);
    add_copy(t, PYGAME "brick.png", "tex/b.png", TEXTURE);
    add_copy(t, PYGAME "alien2.gif", "tex/c.gif", TEXTURE);
    add_copy(t, PYGAME "asprite.bmp", "tex/d.bmp", TEXTURE);
    add_copy(t, PYGAME "alien1.jpg", "tex/e.jpg", TEXTURE);
    add_copy(t, PYGAME "chimp.png", "tex/sub/f.png", TEXTURE);
    add_spider(t, "models");
    uint64_t seed = 7;
    char *p = in_path("data/x.bin");
    write_blob(p, &seed);
    free(p);
    cr_assert_lt(t->count, MAX_TRACKED);
    snprintf(t->files[t->count].rel, sizeof t->files[0].rel, "data/x.bin");
    t->files[t->count++].kind = BLOB;
}

static const char *const pool[] = {
    PYGAME "alien3.png", PYGAME "bomb.gif",   PYGAME "danger.gif", PYGAME "player1.gif", PYGAME "static.png",
    PYGAME "red.jpg",    PYGAME "laplacian.png", PYGAME "BGR.png", PYGAME "liquid.bmp", PYGAME "city.png",
};

/* 1 when the spider's import (models/spider.obj) reads the file `rel` of the tree. */
static int spider_reads(const char *rel) {
    char *model = in_path("models/spider.obj"), *file = in_path(rel);
    char *real = realpath(file, NULL);
    zc_model m;
    zc_diag diag;
    zc_model_settings s = { .in_process = 1 };
    cr_assert_eq(zc_model_import_file(model, "models/spider.obj", &s, &m, &diag), ZC_OK, "%s", diag.message);
    int found = 0;
    for (const char *line = m.reads; real && line && *line;) {
        size_t n = strcspn(line, "\n");
        found |= n == strlen(real) && strncmp(line, real, n) == 0;
        line += n + (line[n] ? 1 : 0);
    }
    zc_model_free(&m);
    free(real);
    free(file);
    free(model);
    return found;
}

/* One random operation; returns 1 when it changed or added a texture (a cache miss to
 * come), 0 otherwise. *model_miss becomes 1 when it changes a file the model reads (the
 * spider's images) or which files the tree holds (the model's key names them). */
static int random_op(tree *t, uint64_t *seed, size_t *pool_next, int round, int op_index, int *model_miss) {
    int op = (int)(zct_rand(seed) % 5);
    int i = (int)(zct_rand(seed) % (uint64_t)t->count);
    tracked *f = &t->files[i];
    char *path = in_path(f->rel);
    int miss = 0, read_by_model = spider_reads(f->rel);
    if (op <= 1 && f->kind == TEXTURE) { /* edit a texture (maybe one the model reads) */
        write_variant(f->image, path, seed);
        miss = 1;
        *model_miss |= read_by_model;
    } else if (op <= 1) { /* edit a blob */
        write_blob(path, seed);
    } else if (op == 2 && *pool_next < sizeof pool / sizeof pool[0]) { /* add an image */
        *model_miss = 1;
        char rel[64];
        snprintf(rel, sizeof rel, "added/r%d/n%d.png", round, op_index);
        add_copy(t, pool[*pool_next], rel, TEXTURE);
        (*pool_next)++;
        miss = 1;
    } else if (op == 3) { /* add a blob */
        *model_miss = 1;
        char rel[64];
        snprintf(rel, sizeof rel, "data/r%d_%d.bin", round, op_index);
        char *p = in_path(rel);
        write_blob(p, seed);
        free(p);
        cr_assert_lt(t->count, MAX_TRACKED);
        snprintf(t->files[t->count].rel, sizeof t->files[0].rel, "%s", rel);
        t->files[t->count++].kind = BLOB;
    } else if (t->count > 4) { /* delete */
        *model_miss = 1;
        cr_assert_eq(unlink(path), 0, "%s: %s", path, strerror(errno));
        if (f->kind == TEXTURE) t->textures--;
        t->files[i] = t->files[--t->count];
    } else {
        write_blob(path, seed);
        *model_miss |= read_by_model;
    }
    free(path);
    return miss;
}

/* ---------------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------------- */

Test(build_cache, incremental_equals_clean_after_random_rounds) {
    tree t;
    initial_tree(&t);
    zc_build_cache *kept = NULL;
    cr_assert_eq(zc_build_cache_open(&kept, &(zc_build_cache_desc){ .dir = cache_dir }), ZC_OK);

    opts o = { .cache_dir = cache_dir };
    zc_build_stats st = build_into(zcti_pack_path, &o, NULL);
    cr_assert_eq(st.cache_hits, 0);
    cr_assert_eq(st.cache_misses, t.textures + 1, "every texture and the model imported: %u", st.cache_misses);
    cr_assert_eq(st.imported[zc_importer_index(zc_importer_find("model"))], 1);
    assert_equals_clean(&o, "first build");

    uint64_t seed = 0x5eedcafe;
    size_t pool_next = 0;
    int rounds = zcti_sanitize_run() ? 3 : 6;
    for (int round = 1; round <= rounds; ++round) {
        age_tree(zcti_in_dir);
        int ops = 1 + (int)(zct_rand(&seed) % 3), changed = 0, model = 0;
        for (int k = 0; k < ops; ++k) changed += random_op(&t, &seed, &pool_next, round, k, &model);
        /* odd rounds open the cache on its directory, even rounds keep one open (as
         * zcpack watch does, with the memo of source hashes) */
        opts io = { .cache_dir = round % 2 ? cache_dir : NULL, .cache = round % 2 ? NULL : kept };
        st = build_into(zcti_pack_path, &io, NULL);
        cr_assert_eq(st.cache_misses, (uint32_t)changed + (uint32_t)model,
                     "round %d: %d textures changed or added, plus %d model, yet %u imported", round, changed, model,
                     st.cache_misses);
        cr_assert_eq(st.cache_hits, t.textures - (uint32_t)changed + (uint32_t)!model,
                     "round %d: %u hits of %u textures and the model", round, st.cache_hits, t.textures);
        cr_assert_eq(st.cache_rejected, 0);
        char what[64];
        snprintf(what, sizeof what, "round %d", round);
        assert_equals_clean(&io, what);
    }

    /* nothing changed: everything from the cache, the model too */
    opts io = { .cache = kept };
    st = build_into(zcti_pack_path, &io, NULL);
    cr_assert_eq(st.cache_misses, 0);
    cr_assert_eq(st.cache_hits, t.textures + 1);
    assert_equals_clean(&io, "unchanged tree");
    zc_build_cache_close(kept);
}

Test(build_cache, model_follows_the_files_it_reads) {
    tree t;
    memset(&t, 0, sizeof t);
    add_spider(&t, "models");
    free(zcti_copy(OBJ "box.obj", zcti_in_dir, "props/box.obj"));
    opts o = { .cache_dir = cache_dir };
    zc_build_stats st = build_into(zcti_pack_path, &o, NULL);
    cr_assert_eq(st.imported[zc_importer_index(zc_importer_find("model"))], 2);
    cr_assert_eq(st.cache_misses, t.textures + 2);

    /* the box is a model in another directory: the spider stays cached */
    char *box = in_path("props/box.obj");
    size_t size;
    uint8_t *bytes = zct_read_file(box, &size);
    cr_assert_not_null(bytes);
    static const char extra[] = "# edited\n";
    uint8_t *edited = malloc(size + sizeof extra);
    memcpy(edited, bytes, size);
    memcpy(edited + size, extra, sizeof extra - 1);
    zct_write_file(box, edited, size + sizeof extra - 1);
    free(edited);
    free(bytes);
    free(box);
    st = build_into(zcti_pack_path, &o, NULL);
    cr_assert_eq(st.cache_misses, 1, "only the box: %u", st.cache_misses);
    cr_assert_eq(st.cache_hits, t.textures + 1);
    assert_equals_clean(&o, "box edited");

    /* the spider's texture: the texture and the spider (it read the file); the box read
     * nothing of it and stays cached */
    uint64_t seed = 3;
    char *tex = in_path("models/SpiderTex.jpg");
    write_variant(OBJ "SpiderTex.jpg", tex, &seed);
    free(tex);
    st = build_into(zcti_pack_path, &o, NULL);
    cr_assert_eq(st.cache_misses, 2, "the texture and the spider: %u", st.cache_misses);
    assert_equals_clean(&o, "spider texture edited");

    /* a texture the spider references goes away: its material slot empties; a model's
     * key names the files of the tree, so both models are imported again */
    char *flare = in_path("models/engineflare1.jpg");
    cr_assert_eq(unlink(flare), 0);
    free(flare);
    zct_log log;
    st = build_into(zcti_pack_path, &o, &log);
    cr_assert_eq(st.cache_misses, 2, "the two models: %u", st.cache_misses);
    cr_assert(zct_log_contains(&log, "engineflare1.jpg"), "the model's note is replayed");
    assert_equals_clean(&o, "spider texture removed");

    /* from the cache, the spider's notes are logged as they were */
    st = build_into(zcti_pack_path, &o, &log);
    cr_assert_eq(st.cache_misses, 0);
    cr_assert(zct_log_contains(&log, "engineflare1.jpg"), "notes come back from the record");
}

/* Every record file of the cache directory, in a malloc'd NULL-terminated list. */
static char **list_records(size_t *count) {
    char **list = calloc(1024, sizeof *list);
    *count = 0;
    DIR *top = opendir(cache_dir);
    cr_assert_not_null(top);
    struct dirent *e;
    while ((e = readdir(top)) != NULL) {
        if (strlen(e->d_name) != 2 || e->d_name[0] == '.') continue;
        char *sub = zct_join(cache_dir, e->d_name);
        DIR *d = opendir(sub);
        struct dirent *r;
        while (d && (r = readdir(d)) != NULL) {
            if (strlen(r->d_name) != 32) continue;
            cr_assert_lt(*count, 1023);
            list[(*count)++] = zct_join(sub, r->d_name);
        }
        if (d) closedir(d);
        free(sub);
    }
    closedir(top);
    return list;
}

static void free_list(char **list, size_t count) {
    for (size_t i = 0; i < count; ++i) free(list[i]);
    free(list);
}

Test(build_cache, damaged_records_are_ignored_and_rebuilt) {
    tree t;
    initial_tree(&t);
    opts o = { .cache_dir = cache_dir };
    zc_build_stats st = build_into(zcti_pack_path, &o, NULL);
    uint32_t cached = st.cache_misses;
    size_t count;
    char **records = list_records(&count);
    cr_assert_eq(count, cached, "one record per cached file: %zu of %u", count, cached);

    size_t first_size = 0;
    uint8_t *first = zct_read_file(records[0], &first_size);
    for (size_t i = 0; i < count; ++i) {
        size_t size;
        uint8_t *bytes = zct_read_file(records[i], &size);
        cr_assert_not_null(bytes);
        switch (i % 5) {
        case 0: bytes[size / 2] ^= 0x40; break;                     /* a flipped bit */
        case 1: size /= 2; break;                                   /* truncated */
        case 2: size = 10; break;                                   /* ten bytes left */
        case 3: memcpy(bytes, "PNG!", 4); break;                    /* not a record */
        default:                                                    /* another key's record */
            free(bytes);
            bytes = malloc(first_size);
            memcpy(bytes, first, first_size);
            size = first_size;
            break;
        }
        zct_write_file(records[i], bytes, size);
        free(bytes);
    }
    free(first);
    free_list(records, count);

    zct_log log;
    st = build_into(zcti_pack_path, &o, &log);
    cr_assert_eq(st.cache_rejected, cached, "every damaged record is rejected: %u of %u", st.cache_rejected, cached);
    cr_assert_eq(st.cache_hits, 0);
    cr_assert_eq(st.cache_misses, cached);
    cr_assert(zct_log_contains(&log, "damaged build cache record ignored"));
    assert_equals_clean(&o, "after damage");

    st = build_into(zcti_pack_path, &o, NULL);
    cr_assert_eq(st.cache_hits, cached, "the rebuilt records serve: %u of %u", st.cache_hits, cached);
    cr_assert_eq(st.cache_rejected, 0);
}

Test(build_cache, record_with_valid_checksum_and_bad_payload_is_rejected) {
    free(zcti_copy(PYGAME "alien1.png", zcti_in_dir, "a.png"));
    opts o = { .cache_dir = cache_dir };
    build_into(zcti_pack_path, &o, NULL);
    size_t count;
    char **records = list_records(&count);
    cr_assert_eq(count, 1);
    size_t size;
    uint8_t *bytes = zct_read_file(records[0], &size);
    /* header 48 bytes, no notes, no reads, one output header of 32 bytes, no path, no
     * deps: the texture's payload starts at 80 */
    cr_assert_gt(size, 80 + 64 + 8);
    memset(bytes + 80, 0xFF, 64);
    uint64_t sum = XXH3_64bits(bytes, size - 8);
    for (int i = 0; i < 8; ++i) bytes[size - 8 + i] = (uint8_t)(sum >> (8 * i));
    zct_write_file(records[0], bytes, size);
    free(bytes);

    zct_log log;
    zc_build_stats st = build_into(zcti_pack_path, &o, &log);
    cr_assert_eq(st.cache_rejected, 1);
    cr_assert_eq(st.cache_misses, 1);
    cr_assert(zct_log_contains(&log, "fails its check"), "the type check names the problem");
    assert_equals_clean(&o, "bad payload");
    cr_assert(zct_exists(records[0]), "the record is written again");
    free_list(records, count);
}

static void write_manifest(const char *json) {
    char *p = in_path("zcpack.json");
    zct_write_file(p, json, strlen(json));
    free(p);
}

Test(build_cache, settings_changes_invalidate_what_they_touch) {
    tree t;
    memset(&t, 0, sizeof t);
    add_copy(&t, PYGAME "alien1.png", "tex/a.png", TEXTURE);
    add_copy(&t, PYGAME "brick.png", "tex/b.png", TEXTURE);
    add_copy(&t, PYGAME "chimp.png", "ui/c.png", TEXTURE);
    add_spider(&t, "models");
    uint32_t all = t.textures + 1;
    opts o = { .cache_dir = cache_dir };
    zc_build_stats st = build_into(zcti_pack_path, &o, NULL);
    cr_assert_eq(st.cache_misses, all);

    write_manifest("{ \"rules\": [ { \"match\": \"tex/a*\", \"format\": \"rgba8\" } ] }");
    st = build_into(zcti_pack_path, &o, NULL);
    cr_assert_eq(st.cache_misses, 1, "the rule touches tex/a.png only: %u", st.cache_misses);
    cr_assert_eq(st.cache_hits, all - 1);
    assert_equals_clean(&o, "rgba8 rule");

    write_manifest("{ \"rules\": [ { \"match\": \"tex/a*\", \"format\": \"rgba8\" },"
                   "              { \"match\": \"models/*.obj\", \"quantize\": true } ] }");
    st = build_into(zcti_pack_path, &o, NULL);
    cr_assert_eq(st.cache_misses, 1, "the quantize rule touches the model only: %u", st.cache_misses);
    assert_equals_clean(&o, "quantize rule");

    opts nc = { .cache_dir = cache_dir, .no_compress = 1 };
    st = build_into(zcti_pack_path, &nc, NULL);
    cr_assert_eq(st.cache_misses, all, "--no-compress is in every texture's settings: %u", st.cache_misses);
    assert_equals_clean(&nc, "no_compress");

    opts md = { .cache_dir = cache_dir, .max_dimension = 8192 };
    st = build_into(zcti_pack_path, &md, NULL);
    cr_assert_eq(st.cache_misses, all, "a new dimension cap is a new key: %u", st.cache_misses);
    assert_equals_clean(&md, "max dimension");

    char *manifest = in_path("zcpack.json");
    cr_assert_eq(unlink(manifest), 0);
    free(manifest);
    st = build_into(zcti_pack_path, &o, NULL);
    cr_assert_eq(st.cache_misses, 0, "the first settings' records are still there: %u", st.cache_misses);
    cr_assert_eq(st.cache_hits, all);
    assert_equals_clean(&o, "defaults again");
}

/* JSON files of a game-defined type (a schema rule) are taken from the cache on the
 * next build, although the registry does not know their type: their records are
 * checked as a pack's reader checks such entries, as bytes. Editing the schema makes
 * them imports again (the schema file is among their reads). */
Test(build_cache, schema_typed_files_hit_like_any_other) {
    static const char schema[] = "type_tag \"ITEM\";\nroot Item;\nstruct Item { name: string; weight: f32; }\n";
    zct_put_text(zcti_in_dir, "game.zcs", schema);
    zct_put_text(zcti_in_dir, "items/sword.json", "{ \"name\": \"sword\", \"weight\": 3.5 }\n");
    zct_put_text(zcti_in_dir, "items/shield.json", "{ \"name\": \"shield\", \"weight\": 6 }\n");
    free(zcti_copy(PYGAME "alien1.png", zcti_in_dir, "a.png"));
    write_manifest("{ \"rules\": [ { \"match\": \"items/*.json\", \"type\": \"Item\", \"schema\": \"game.zcs\" } ] }");
    opts o = { .cache_dir = cache_dir };
    zc_build_stats st = build_into(zcti_pack_path, &o, NULL);
    cr_assert_eq(st.cache_misses, 3);
    zct_log log;
    st = build_into(zcti_pack_path, &o, &log);
    cr_assert(st.cache_hits == 3 && st.cache_misses == 0, "%u hits, %u misses (%s)", st.cache_hits, st.cache_misses,
              log.count ? log.messages[0] : "");
    assert_equals_clean(&o, "schema-typed files from the cache");

    zct_put_text(zcti_in_dir, "game.zcs", "type_tag \"ITEM\";\nroot Item;\nstruct Item { name: string; weight: f32; "
                                          "price: u32 = 0; }\n");
    st = build_into(zcti_pack_path, &o, NULL);
    cr_assert(st.cache_hits == 1 && st.cache_misses == 2, "after the schema changed: %u hits, %u misses",
              st.cache_hits, st.cache_misses);
    assert_equals_clean(&o, "schema changed");
}

Test(build_cache, size_bound_evicts_oldest_records) {
    static const char *const images[] = { "alien1.png", "alien2.png", "alien3.png", "alien1.gif",
                                          "alien2.gif", "alien3.gif", "alien1.jpg", "player1.gif" };
    for (size_t i = 0; i < sizeof images / sizeof images[0]; ++i) {
        char src[256], name[32];
        snprintf(src, sizeof src, PYGAME "%s", images[i]);
        snprintf(name, sizeof name, "t%zu.%s", i, strrchr(images[i], '.') + 1);
        free(zcti_copy(src, zcti_in_dir, name));
    }
    opts o = { .cache_dir = cache_dir };
    zc_build_stats st = build_into(zcti_pack_path, &o, NULL);
    cr_assert_eq(st.cache_misses, 8);
    zc_build_cache *c = NULL;
    cr_assert_eq(zc_build_cache_open(&c, &(zc_build_cache_desc){ .dir = cache_dir }), ZC_OK);
    uint64_t records = 0, bytes = 0;
    cr_assert_eq(zc_build_cache_usage(c, &records, &bytes), ZC_OK);
    zc_build_cache_close(c);
    cr_assert_eq(records, 8);

    /* a bound of half the records: a fresh cache keeps at most 3/4 of it after trimming */
    zct_rm_rf(cache_dir);
    uint64_t bound = bytes / 2;
    opts small = { .cache_dir = cache_dir, .cache_max_bytes = bound };
    st = build_into(zcti_pack_path, &small, NULL);
    cr_assert_eq(st.cache_misses, 8);
    cr_assert_gt(st.cache_evicted, 0, "the bound evicts");
    cr_assert_eq(zc_build_cache_open(&c, &(zc_build_cache_desc){ .dir = cache_dir }), ZC_OK);
    cr_assert_eq(zc_build_cache_usage(c, &records, &bytes), ZC_OK);
    zc_build_cache_close(c);
    cr_assert_leq(bytes, bound / 4 * 3, "%llu bytes kept under a bound of %llu", (unsigned long long)bytes,
                  (unsigned long long)bound);
    cr_assert_eq(records, 8 - st.cache_evicted);
    assert_equals_clean(&small, "after eviction");

    st = build_into(zcti_pack_path, &small, NULL);
    cr_assert_eq(st.cache_hits, records, "the records kept still serve: %u of %llu", st.cache_hits,
                 (unsigned long long)records);
    cr_assert_eq(st.cache_hits + st.cache_misses, 8);
    assert_equals_clean(&small, "rebuild after eviction");
}

Test(build_cache, cache_inside_the_tree_is_not_packed) {
    free(zcti_copy(PYGAME "alien1.png", zcti_in_dir, "a.png"));
    free(zcti_copy(PYGAME "brick.png", zcti_in_dir, "b.png"));
    char *inner_cache = zct_join(zcti_in_dir, ".cache");
    char *inner_pack = zct_join(zcti_in_dir, "game.zcpack");
    for (int pass = 0; pass < 2; ++pass) {
        zc_build_desc d;
        memset(&d, 0, sizeof d);
        d.input_dir = zcti_in_dir;
        d.output_path = inner_pack;
        d.no_sync = 1;
        d.cache_dir = inner_cache;
        zc_build_stats st;
        cr_assert_eq(zc_build(&d, &st), ZC_OK);
        cr_assert_eq(st.entries, 2, "pass %d: the cache and the pack are not packed: %u entries", pass, st.entries);
        cr_assert_eq(st.cache_hits, pass ? 2u : 0u);
    }
    free(inner_cache);
    free(inner_pack);
}

Test(build_cache, keys_name_every_input) {
    free(zcti_copy(PYGAME "alien1.png", zcti_in_dir, "a.png"));
    free(zcti_copy(PYGAME "alien1.png", zcti_in_dir, "b.png"));
    zc_build_cache *c = NULL;
    cr_assert_eq(zc_build_cache_open(&c, &(zc_build_cache_desc){ .dir = cache_dir }), ZC_OK);
    const zc_importer *tex = zc_importer_find("texture");
    char *a = in_path("a.png"), *b = in_path("b.png");
    zc_import_settings s;
    memset(&s, 0, sizeof s);
    zc_import_source src = { .file_path = a, .entry_path = "a.png", .settings = &s };
    uint8_t k1[16], k2[16], k3[16], k4[16], k5[16];
    cr_assert_eq(zc_build_cache_key(c, NULL, tex, &src, k1), ZC_OK);
    cr_assert_eq(zc_build_cache_key(c, NULL, tex, &src, k2), ZC_OK);
    cr_assert_eq(memcmp(k1, k2, 16), 0, "a key is stable");
    src.file_path = b;
    src.entry_path = "b.png";
    cr_assert_eq(zc_build_cache_key(c, NULL, tex, &src, k3), ZC_OK);
    cr_assert_neq(memcmp(k1, k3, 16), 0, "the entry path is part of the key");
    src.file_path = a;
    src.entry_path = "a.png";
    s.texture.mips = ZC_SWITCH_OFF;
    cr_assert_eq(zc_build_cache_key(c, NULL, tex, &src, k4), ZC_OK);
    cr_assert_neq(memcmp(k1, k4, 16), 0, "the settings are part of the key");
    s.texture.mips = ZC_SWITCH_AUTO;
    s.model.timeout_ms = 5000; /* changes whether an import fails, not what it gives */
    cr_assert_eq(zc_build_cache_key(c, NULL, tex, &src, k5), ZC_OK);
    cr_assert_eq(memcmp(k1, k5, 16), 0, "the model time limit is not part of the key");
    const zc_importer *model = zc_importer_find("model");
    cr_assert_eq(zc_build_cache_key(c, NULL, model, &src, k5), ZC_ERR_INVALID_ARGUMENT, "a model needs the tree");
    src.file_path = "/nonexistent/zcpack/a.png";
    cr_assert_eq(zc_build_cache_key(c, NULL, tex, &src, k5), ZC_ERR_FILE_NOT_FOUND);
    free(a);
    free(b);
    zc_build_cache_close(c);
}

Test(build_cache, cli_build_with_cache) {
    free(zcti_copy(PYGAME "alien1.png", zcti_in_dir, "a.png"));
    free(zcti_copy(PYGAME "brick.png", zcti_in_dir, "b.png"));
    char *text = in_path("c.txt");
    zct_write_file(text, "blob", 4);
    free(text);
    zct_run r = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path, "--cache", cache_dir);
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "0 files from the cache, 2 imported"), "%s", r.out);
    zct_run_free(&r);
    r = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path, "--cache=");
    cr_assert_eq(r.code, 2, "an empty --cache= is a usage error: %d", r.code);
    zct_run_free(&r);
    r = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path, "--cache", cache_dir, "--cache-max", "64");
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "2 files from the cache, 0 imported"), "%s", r.out);
    zct_run_free(&r);
    r = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path, "--cache", cache_dir, "--cache-max", "0");
    cr_assert_eq(r.code, 2, "--cache-max 0 is out of range: %d", r.code);
    zct_run_free(&r);
    r = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path, "--debounce", "5");
    cr_assert_eq(r.code, 2, "--debounce belongs to watch: %d", r.code);
    zct_run_free(&r);
    r = ZCT_CLI("watch", zcti_in_dir, "-o", zcti_pack_path, "--once", "--cache", cache_dir);
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "zcpack watch: build 1: 0 imported, 2 from the cache, 1 copied"), "%s", r.out);
    zct_run_free(&r);
    r = ZCT_CLI("watch", zcti_in_dir, "-o", zcti_pack_path, "--poll", "0", "--no-events");
    cr_assert_eq(r.code, 2, "no way to notice changes is a usage error: %d", r.code);
    zct_run_free(&r);
}
