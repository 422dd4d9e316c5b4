/* test_patch.c - patch packs and `zcpack diff`.
 *
 * A tree A (blobs, duplicate files, an empty file, textures and glTF/OBJ models from
 * Debian's assimp-testmodels) is built as the base; tree B changes, adds and removes
 * files (a model replaced by one with fewer meshes, so generated entries disappear
 * too). `zcpack build B --base base` must give a patch that, mounted above the base,
 * shows exactly what a full build of B shows: every path of B with the same bytes,
 * type and dependencies, every path only A had gone. Then an unchanged tree, bad
 * bases, the writer's entry copy, and diff's output, JSON and exit codes.
 *
 * The program is `zcpack` beside this test program, or $ZCPACK_BIN.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "zc_build.h"
#include "zc_pack.h"
#include "zc_exit.h" /* the exit codes of zcpack */
#include "zc_test_util.h"
#include "zc_writer.h"

#define MODELS "/usr/share/assimp/models/"


TestSuite(patch, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 300);

/* Run and expect exit 0. */
#define RUN_OK(...)                                                                          \
    do {                                                                                     \
        zct_run ok_ = ZCT_CLI(__VA_ARGS__);                                                  \
        cr_assert_eq(ok_.code, 0, "zcpack exited %d: %s", ok_.code, ok_.err);                \
        zct_run_free(&ok_);                                                                  \
    } while (0)

/* ---------------------------------------------------------------------------------
 * Trees
 * ------------------------------------------------------------------------------- */

static void put_random(const char *root, const char *rel, size_t size, uint64_t seed) {
    uint8_t *data = malloc(size);
    cr_assert_not_null(data);
    zct_fill(data, size, seed);
    zct_put(root, rel, data, size);
    free(data);
}

static void remove_file(const char *root, const char *rel) {
    char *path = zct_join(root, rel);
    cr_assert_eq(unlink(path), 0, "unlink %s", path);
    free(path);
}

/* Tree A: the base. */
static char *make_tree_a(void) {
    char *root = zct_join(zct_tmp, "A");
    zct_put_text(root, "readme.txt", "version 1\n");
    put_random(root, "data/keep.bin", 100000, 1);
    put_random(root, "data/change.bin", 50000, 2);
    zct_put_text(root, "sub/c.txt", "unchanged\n");
    zct_put_text(root, "sub/d.txt", "removed in B\n");
    zct_put_text(root, "sub/deep/e.txt", "removed with its directory\n");
    zct_put_text(root, "dup1.txt", "twin\n");
    zct_put_text(root, "dup2.txt", "twin\n");
    zct_put_text(root, "empty.txt", "");
    zct_copy_file(MODELS "glTF2/BoxTextured-glTF/CesiumLogoFlat.png", root, "tex/logo.png");
    zct_copy_file(MODELS "OBJ/engineflare1.jpg", root, "tex/flare.jpg");
    zct_copy_file(MODELS "glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb", root, "models/engine.glb");
    zct_copy_file(MODELS "OBJ/box.obj", root, "models/box.obj");
    return root;
}

/* Tree B: A changed in place (same directory). */
static void change_to_tree_b(const char *root) {
    zct_put_text(root, "readme.txt", "version 2, longer\n");            /* content and size */
    put_random(root, "data/change.bin", 50000, 3);                  /* content, same size */
    remove_file(root, "sub/d.txt");
    remove_file(root, "sub/deep/e.txt");
    zct_put_text(root, "sub/new.txt", "added in B\n");
    zct_put_text(root, "dup3.txt", "twin\n");                           /* new path, known bytes */
    zct_put_text(root, "empty2.txt", "");
    zct_copy_file(MODELS "OBJ/SpiderTex.jpg", root, "tex/flare.jpg");    /* another texture */
    zct_copy_file(MODELS "glTF2/BoxTextured-glTF-Binary/BoxTextured.glb", root, "models/engine.glb");
    zct_copy_file(MODELS "glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb", root, "models/engine2.glb");
}

/* ---------------------------------------------------------------------------------
 * Checking a mounted view against a full build
 * ------------------------------------------------------------------------------- */

static zc_pack *open_pack(const char *path) {
    zc_pack *pack;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_CHECKSUMS });
    cr_assert_eq(r, ZC_OK, "%s: %s", path, zc_result_str(r));
    return pack;
}

static void expect_same_entry(const zc_hold *got, zc_pack *full, const zc_entry *want, const char *how) {
    cr_assert_str_eq(got->entry.path, want->path, "%s", how);
    cr_assert_eq(got->entry.type, want->type, "%s: %s: type", how, want->path);
    cr_assert_eq(got->entry.layout_hash, want->layout_hash, "%s: %s: layout", how, want->path);
    cr_assert_eq(got->entry.content_hash, want->content_hash, "%s: %s: content hash", how, want->path);
    cr_assert_eq(got->entry.alignment, want->alignment, "%s: %s: alignment", how, want->path);
    cr_assert_eq(got->entry.deps_count, want->deps_count, "%s: %s: dependencies", how, want->path);
    if (want->deps_count)
        cr_assert_eq(memcmp(got->entry.deps, want->deps, want->deps_count * sizeof *want->deps), 0, "%s: %s: deps",
                     how, want->path);
    zc_hold expected;
    cr_assert_eq(zc_pack_acquire(full, want, &expected), ZC_OK);
    cr_assert_eq(got->size, expected.size, "%s: %s: size", how, want->path);
    if (got->size) cr_assert_eq(memcmp(got->data, expected.data, got->size), 0, "%s: %s: bytes", how, want->path);
    zc_hold_release(&expected);
}

/* Mount base (priority 0) and patch (priority 1) and compare every path with `full`:
 * every entry of full resolves (by path and by id) to the same entry; every path of
 * the base that full lacks is NO_ENTRY; the patch holds nothing full lacks except
 * whiteouts. Returns the number of paths compared. */
static uint32_t check_view(const char *base_path, const char *patch_path, const char *full_path) {
    zc_pack *base = open_pack(base_path), *patch = open_pack(patch_path), *full = open_pack(full_path);
    zc_mounts *m;
    cr_assert_eq(zc_mounts_create(&m, NULL), ZC_OK);
    cr_assert_eq(zc_mounts_add(m, &(zc_mount_desc){ .pack = base, .priority = 0 }), ZC_OK);
    cr_assert_eq(zc_mounts_add(m, &(zc_mount_desc){ .pack = patch, .priority = 1 }), ZC_OK);

    uint32_t n = zc_pack_entry_count(full);
    for (uint32_t i = 0; i < n; ++i) {
        zc_entry want;
        cr_assert_eq(zc_pack_entry_at(full, i, &want), ZC_OK);
        zc_hold got;
        zc_result r = zc_mounts_acquire(m, want.path, &got);
        cr_assert_eq(r, ZC_OK, "%s: %s", want.path, zc_result_str(r));
        expect_same_entry(&got, full, &want, "by path");
        zc_hold_release(&got);
        cr_assert_eq(zc_mounts_acquire_id(m, want.id, &got), ZC_OK, "%s by id", want.path);
        expect_same_entry(&got, full, &want, "by id");
        zc_hold_release(&got);
    }
    uint32_t removed = 0;
    for (uint32_t i = 0; i < zc_pack_entry_count(base); ++i) {
        zc_entry e, f;
        cr_assert_eq(zc_pack_entry_at(base, i, &e), ZC_OK);
        if (zc_pack_find(full, e.path, &f) == ZC_OK) continue;
        removed++;
        zc_hold h;
        cr_assert_eq(zc_mounts_acquire(m, e.path, &h), ZC_ERR_NO_ENTRY, "%s was removed", e.path);
        cr_assert_eq(zc_mounts_acquire_id(m, e.id, &h), ZC_ERR_NO_ENTRY, "%s was removed (by id)", e.path);
    }
    uint32_t whiteouts = 0;
    for (uint32_t i = 0; i < zc_pack_entry_count(patch); ++i) {
        zc_entry e, f, b;
        cr_assert_eq(zc_pack_entry_at(patch, i, &e), ZC_OK);
        if (e.type == ZC_TYPE_WHITEOUT) {
            whiteouts++;
            cr_assert_eq(e.raw_size, 0);
            cr_assert_eq(zc_pack_find(base, e.path, &b), ZC_OK, "whiteout %s hides a base path", e.path);
            cr_assert_eq(zc_pack_find(full, e.path, &f), ZC_ERR_NO_ENTRY, "whiteout %s hides a removed path",
                         e.path);
            continue;
        }
        cr_assert_eq(zc_pack_find(full, e.path, &f), ZC_OK, "patch entry %s is in the new tree", e.path);
        /* only a dictionary that copied entries need may be there unchanged */
        if (zc_pack_find(base, e.path, &b) == ZC_OK && e.type != ZC_TYPE_ZSTD_DICT)
            cr_assert_neq(zc_entry_differences(&b, &f), 0, "patch entry %s differs from the base", e.path);
    }
    cr_assert_eq(whiteouts, removed, "one whiteout per removed path");
    zc_mounts_destroy(m);
    zc_pack_close(base);
    zc_pack_close(patch);
    zc_pack_close(full);
    return n;
}

/* Number of entries of `path`, and of them the whiteouts and the distinct payloads. */
static void pack_counts(const char *path, uint32_t *entries, uint32_t *whiteouts, uint32_t *payloads) {
    zc_pack *pack = open_pack(path);
    *entries = zc_pack_entry_count(pack);
    *whiteouts = *payloads = 0;
    uint64_t offsets[4096];
    cr_assert_leq(*entries, 4096);
    for (uint32_t i = 0; i < *entries; ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_entry_at(pack, i, &e), ZC_OK);
        if (e.type == ZC_TYPE_WHITEOUT) (*whiteouts)++;
        if (e.stored_size == 0) continue;
        int seen = 0;
        for (uint32_t k = 0; k < *payloads && !seen; ++k) seen = offsets[k] == e.offset;
        if (!seen) offsets[(*payloads)++] = e.offset;
    }
    zc_pack_close(pack);
}

/* ---------------------------------------------------------------------------------
 * Patch builds
 * ------------------------------------------------------------------------------- */

Test(patch, patch_over_base_equals_full_build) {
    char *root = make_tree_a();
    char *base = zct_tmp_path("base.zcpack"), *full = zct_tmp_path("full.zcpack");
    char *patch = zct_tmp_path("patch.zcpack");
    char *again = zct_tmp_path("again.zcpack");
    RUN_OK("build", root, "-o", base, "-q");
    change_to_tree_b(root);
    RUN_OK("build", root, "-o", full, "-q");
    zct_run r = ZCT_CLI("build", root, "--base", base, "-o", patch);
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert(strstr(r.out, "patch for"), "summary: %s", r.out);
    zct_run_free(&r);

    uint32_t compared = check_view(base, patch, full);
    cr_assert_gt(compared, 40, "the view covers the models' entries too (%u)", compared);

    /* the patch is much smaller than the tree: unchanged entries stay in the base */
    uint32_t full_entries, full_whiteouts, full_payloads, entries, whiteouts, payloads;
    pack_counts(full, &full_entries, &full_whiteouts, &full_payloads);
    pack_counts(patch, &entries, &whiteouts, &payloads);
    cr_assert_eq(full_whiteouts, 0);
    cr_assert_lt(entries - whiteouts, full_entries, "unchanged entries are left out");
    /* engine.glb went from many meshes to one: its extra meshes and materials are
     * whiteouts, and so are the two removed files */
    cr_assert_gt(whiteouts, 10, "%u whiteouts", whiteouts);
    /* engine2.glb repeats payloads (identical materials): copies share them */
    cr_assert_lt(payloads, entries - whiteouts, "identical payloads are stored once in the patch");

    zc_pack *p = open_pack(patch);
    zc_entry e;
    cr_assert_eq(zc_pack_find(p, "data/keep.bin", &e), ZC_ERR_NO_ENTRY, "unchanged");
    cr_assert_eq(zc_pack_find(p, "tex/logo.png", &e), ZC_ERR_NO_ENTRY, "unchanged texture");
    cr_assert_eq(zc_pack_find(p, "models/box.obj", &e), ZC_ERR_NO_ENTRY, "unchanged model");
    cr_assert_eq(zc_pack_find(p, "dup1.txt", &e), ZC_ERR_NO_ENTRY);
    cr_assert_eq(zc_pack_find(p, "empty.txt", &e), ZC_ERR_NO_ENTRY);
    cr_assert_eq(zc_pack_find(p, "data/change.bin", &e), ZC_OK, "same size, new bytes");
    cr_assert_eq(zc_pack_find(p, "readme.txt", &e), ZC_OK);
    cr_assert_eq(zc_pack_find(p, "tex/flare.jpg", &e), ZC_OK);
    cr_assert_eq(e.type, ZC_TYPE_TEXTURE);
    cr_assert_eq(zc_pack_find(p, "models/engine.glb", &e), ZC_OK);
    cr_assert_eq(e.type, ZC_TYPE_SCENE);
    cr_assert_gt(e.deps_count, 0, "dependency lists are copied");
    cr_assert_eq(zc_pack_find(p, "models/engine2.glb#mesh/0", &e), ZC_OK);
    cr_assert_eq(zc_pack_find(p, "sub/new.txt", &e), ZC_OK);
    cr_assert_eq(zc_pack_find(p, "dup3.txt", &e), ZC_OK);
    cr_assert_eq(zc_pack_find(p, "empty2.txt", &e), ZC_OK);
    cr_assert_eq(zc_pack_find(p, "sub/d.txt", &e), ZC_OK);
    cr_assert_eq(e.type, ZC_TYPE_WHITEOUT);
    cr_assert_eq(zc_pack_find(p, "sub/deep/e.txt", &e), ZC_OK);
    cr_assert_eq(e.type, ZC_TYPE_WHITEOUT);
    cr_assert_eq(zc_pack_find(p, "models/engine.glb#mesh/5", &e), ZC_OK);
    cr_assert_eq(e.type, ZC_TYPE_WHITEOUT);
    zc_pack_close(p);

    /* deterministic: the same inputs give the same patch; no temporary is left */
    RUN_OK("build", root, "--base", base, "-o", again, "-q");
    cr_assert(zct_files_equal(patch, again), "two patch builds differ");
    cr_assert_eq(zct_count_prefixed(zct_tmp, "patch.zcpack."), 0, "temporary files left behind");
    cr_assert_eq(zct_count_prefixed(zct_tmp, "again.zcpack."), 0, "temporary files left behind");
    free(root);
    free(base);
    free(full);
    free(patch);
    free(again);
}

Test(patch, unchanged_tree_gives_an_empty_patch) {
    char *root = make_tree_a();
    char *base = zct_tmp_path("base.zcpack"), *patch = zct_tmp_path("patch.zcpack");
    RUN_OK("build", root, "-o", base, "-q");
    zct_run r = ZCT_CLI("build", root, "--base", base, "-o", patch);
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert(strstr(r.out, "0 added, 0 changed, 0 removed"), "summary: %s", r.out);
    zct_run_free(&r);
    zc_pack *p = open_pack(patch);
    cr_assert_eq(zc_pack_entry_count(p), 0, "no entry differs");
    zc_pack_close(p);
    check_view(base, patch, base);
    free(root);
    free(base);
    free(patch);
}

Test(patch, library_reports_patch_counts) {
    char *root = zct_join(zct_tmp, "tree");
    zct_put_text(root, "a.txt", "a");
    zct_put_text(root, "b.txt", "b");
    zct_put_text(root, "c.txt", "c");
    char *base = zct_tmp_path("base.zcpack"), *patch = zct_tmp_path("patch.zcpack");
    zc_build_stats stats;
    cr_assert_eq(zc_build(&(zc_build_desc){ .input_dir = root, .output_path = base, .no_sync = 1 }, &stats), ZC_OK);
    zct_put_text(root, "a.txt", "A");
    remove_file(root, "b.txt");
    zct_put_text(root, "d.txt", "d");
    zct_put_text(root, "e.txt", "e");
    zct_log log;
    zc_result r = zc_build(&(zc_build_desc){ .input_dir = root, .output_path = patch, .base_path = base,
                                              .no_sync = 1, .logger = zct_log_recorder(&log) },
                           &stats);
    cr_assert_eq(r, ZC_OK, "%s", log.messages[0]);
    cr_assert_eq(stats.failed_stage, ZC_BUILD_STAGE_NONE);
    cr_assert_eq(stats.pack_written, 1);
    cr_assert_eq(stats.patch_added, 2);
    cr_assert_eq(stats.patch_changed, 1);
    cr_assert_eq(stats.patch_removed, 1);
    cr_assert_eq(stats.patch_unchanged, 1);
    cr_assert_eq(stats.entries, 4, "a, d, e and the whiteout of b");
    cr_assert_eq(stats.files, 4, "files of the tree");
    struct stat st;
    cr_assert_eq(stat(patch, &st), 0);
    cr_assert_eq(stats.pack_bytes, (uint64_t)st.st_size);
    free(root);
    free(base);
    free(patch);
}

/* Pseudo-text of `size` bytes from a shared vocabulary: small files that compress
 * better with a dictionary trained over all of them. */
static void put_words(const char *root, const char *rel, size_t size, uint64_t seed) {
    static const char *const vocabulary[] = {
        "mesh", "texture", "material", "scene", "vertex", "index", "normal", "tangent", "albedo", "roughness",
        "metallic", "emissive", "occlusion", "shadow", "light", "camera", "frustum", "bounds", "sphere", "node",
        "parent", "child", "transform", "rotation", "scale", "translation", "quaternion", "matrix", "sampler",
        "mipmap", "level", "layer", "format", "block", "pitch", "stride", "stream", "attribute", "semantic",
    };
    char *text = malloc(size + 1);
    cr_assert_not_null(text);
    size_t n = 0;
    uint64_t state = seed;
    while (n < size) {
        const char *w = vocabulary[zct_rand(&state) % (sizeof vocabulary / sizeof vocabulary[0])];
        size_t len = strlen(w);
        if (n + len + 1 > size) break;
        memcpy(text + n, w, len);
        n += len;
        text[n++] = (zct_rand(&state) % 8) ? ' ' : '\n';
    }
    while (n < size) text[n++] = '.';
    char *path = zct_join(root, rel);
    zct_write_file(path, text, size);
    free(path);
    free(text);
}

Test(patch, copied_entries_bring_their_dictionary) {
    /* more than the writer's 8 MiB of training samples, so the last file (in path
     * order) is compressed with the dictionary but does not shape it: changing it
     * leaves the dictionary unchanged, yet the patch needs its own copy to decode */
    char *root = zct_join(zct_tmp, "words");
    enum { FILES = 570, SIZE = 15000 };
    for (int i = 0; i < FILES; ++i) {
        char rel[32];
        snprintf(rel, sizeof rel, "w%04d.txt", i);
        put_words(root, rel, SIZE, (uint64_t)i + 1);
    }
    cr_assert_gt((uint64_t)FILES * SIZE, (uint64_t)ZC_WRITER_DICT_TRAIN_MAX + SIZE);
    char *base = zct_tmp_path("base.zcpack"), *full = zct_tmp_path("full.zcpack");
    char *patch = zct_tmp_path("patch.zcpack");
    RUN_OK("build", root, "--dict", "-o", base, "-q");
    put_words(root, "w0569.txt", SIZE, 12345);
    RUN_OK("build", root, "--dict", "-o", full, "-q");
    RUN_OK("build", root, "--dict", "--base", base, "-o", patch, "-q");

    zc_pack *b = open_pack(base), *p = open_pack(patch);
    zc_entry changed, dict, base_dict;
    cr_assert_eq(zc_pack_find(p, "w0569.txt", &changed), ZC_OK);
    cr_assert_eq(changed.codec, ZC_CODEC_ZSTD, "the changed file is compressed");
    uint32_t id = ZSTD_getDictID_fromFrame(changed.data, changed.stored_size);
    cr_assert_neq(id, 0, "... with a dictionary");
    char dict_path[64];
    snprintf(dict_path, sizeof dict_path, ZC_ZSTD_DICT_PATH_PREFIX "%u", id);
    cr_assert_eq(zc_pack_find(p, dict_path, &dict), ZC_OK, "the patch carries %s", dict_path);
    cr_assert_eq(zc_pack_find(b, dict_path, &base_dict), ZC_OK, "the base has the same dictionary");
    cr_assert_eq(zc_entry_differences(&dict, &base_dict), 0);
    cr_assert_eq(zc_pack_entry_count(p), 2, "the changed file and its dictionary");
    zc_pack_close(b);
    zc_pack_close(p);
    check_view(base, patch, full);
    free(root);
    free(base);
    free(full);
    free(patch);
}

Test(patch, base_inside_the_tree_is_skipped) {
    char *root = zct_join(zct_tmp, "tree");
    zct_put_text(root, "a.txt", "a");
    char *base = zct_join(root, "base.zcpack"), *patch = zct_join(root, "patch.zcpack");
    RUN_OK("build", root, "-o", base, "-q");
    zct_put_text(root, "a.txt", "changed");
    RUN_OK("build", root, "--base", base, "-o", patch, "-q");
    RUN_OK("build", root, "--base", base, "-o", patch, "-q"); /* the old patch is skipped too */
    zc_pack *p = open_pack(patch);
    zc_entry e;
    cr_assert_eq(zc_pack_entry_count(p), 1);
    cr_assert_eq(zc_pack_find(p, "a.txt", &e), ZC_OK);
    zc_pack_close(p);
    free(root);
    free(base);
    free(patch);
}

/* ---------------------------------------------------------------------------------
 * Bad bases and options
 * ------------------------------------------------------------------------------- */

Test(patch, bad_base_leaves_the_output_untouched) {
    char *root = zct_join(zct_tmp, "tree");
    zct_put_text(root, "a.txt", "a");
    char *patch = zct_tmp_path("patch.zcpack"), *not_pack = zct_tmp_path("not.zcpack");
    char *missing = zct_tmp_path("missing.zcpack");
    char *truncated = zct_tmp_path("truncated.zcpack");
    zct_put_text(zct_tmp, "patch.zcpack", "previous output");
    zct_put_text(zct_tmp, "not.zcpack", "this is not a pack, only some text that is long enough for a header........."
                                "................................................................\n");
    RUN_OK("build", root, "-o", truncated, "-q");
    cr_assert_eq(truncate(truncated, 100), 0);

    zct_run r = ZCT_CLI("build", root, "--base", not_pack, "-o", patch);
    cr_assert_eq(r.code, ZC_EXIT_CORRUPT, "exit %d: %s", r.code, r.err);
    cr_assert(strstr(r.err, not_pack), "the message names the base: %s", r.err);
    zct_run_free(&r);
    r = ZCT_CLI("build", root, "--base", truncated, "-o", patch);
    cr_assert_eq(r.code, ZC_EXIT_CORRUPT, "exit %d: %s", r.code, r.err);
    zct_run_free(&r);
    r = ZCT_CLI("build", root, "--base", missing, "-o", patch);
    cr_assert_eq(r.code, ZC_EXIT_IO, "exit %d: %s", r.code, r.err);
    cr_assert(strstr(r.err, missing), "%s", r.err);
    zct_run_free(&r);
    r = ZCT_CLI("build", root, "--base", zct_tmp, "-o", patch);
    cr_assert(r.code == ZC_EXIT_IO || r.code == ZC_EXIT_CORRUPT, "a directory as the base: exit %d", r.code);
    zct_run_free(&r);

    size_t n;
    char *kept = (char *)zct_read_file(patch, &n);
    cr_assert_str_eq(kept, "previous output");
    free(kept);
    cr_assert_eq(zct_count_prefixed(zct_tmp, "patch.zcpack."), 0, "temporary files left behind");

    /* the library says the same, and where it stopped */
    zc_build_stats stats;
    zct_log log;
    zc_result res = zc_build(&(zc_build_desc){ .input_dir = root, .output_path = patch, .base_path = not_pack,
                                                .logger = zct_log_recorder(&log) },
                             &stats);
    cr_assert_eq(res, ZC_ERR_NOT_A_PACK, "%s", zc_result_str(res));
    cr_assert_eq(stats.failed_stage, ZC_BUILD_STAGE_SCAN);
    cr_assert_eq(stats.pack_written, 0);
    cr_assert(zct_log_contains(&log, "cannot use it as the base pack"));
    res = zc_build(&(zc_build_desc){ .input_dir = root, .output_path = patch, .base_path = missing }, &stats);
    cr_assert_eq(res, ZC_ERR_FILE_NOT_FOUND, "%s", zc_result_str(res));
    kept = (char *)zct_read_file(patch, &n);
    cr_assert_str_eq(kept, "previous output");
    free(kept);
    free(root);
    free(patch);
    free(not_pack);
    free(missing);
    free(truncated);
}

Test(patch, option_errors) {
    char *root = zct_join(zct_tmp, "tree");
    zct_put_text(root, "a.txt", "a");
    char *base = zct_tmp_path("base.zcpack"), *patch = zct_tmp_path("patch.zcpack");
    RUN_OK("build", root, "-o", base, "-q");

    zct_run r = ZCT_CLI("build", root, "--base", base, "--keep-going", "-o", patch);
    cr_assert_eq(r.code, ZC_EXIT_USAGE, "%s", r.err);
    cr_assert(strstr(r.err, "--keep-going"), "%s", r.err);
    zct_run_free(&r);
    r = ZCT_CLI("build", root, "-o", patch, "--base");
    cr_assert_eq(r.code, ZC_EXIT_USAGE, "%s", r.err);
    zct_run_free(&r);
    r = ZCT_CLI("build", root, "-o", patch, "--base=");
    cr_assert_eq(r.code, ZC_EXIT_USAGE, "%s", r.err);
    zct_run_free(&r);
    r = ZCT_CLI("build", root, "--base", base, "-o", base);
    cr_assert_eq(r.code, ZC_EXIT_USAGE, "the output is the base: %s", r.err);
    cr_assert(strstr(r.err, "is the base pack"), "%s", r.err);
    zct_run_free(&r);
    cr_assert_eq(zct_exists(patch), 0);
    char base_option[4200];
    snprintf(base_option, sizeof base_option, "--base=%s", base);
    RUN_OK("build", root, base_option, "-o", patch, "-q");
    cr_assert(zct_exists(patch));

    zc_result res = zc_build(&(zc_build_desc){ .input_dir = root, .output_path = patch, .base_path = base,
                                                .keep_going = 1 },
                             NULL);
    cr_assert_eq(res, ZC_ERR_INVALID_ARGUMENT);
    res = zc_build(&(zc_build_desc){ .input_dir = root, .output_path = base, .base_path = base }, NULL);
    cr_assert_eq(res, ZC_ERR_INVALID_ARGUMENT, "the output is the base");
    res = zc_build(&(zc_build_desc){ .input_dir = root, .output_path = patch, .base_path = "" }, NULL);
    cr_assert_eq(res, ZC_ERR_INVALID_ARGUMENT);

    r = ZCT_CLI("build", "--help");
    cr_assert_eq(r.code, 0);
    cr_assert(strstr(r.err, "--base <pack>"), "build --help documents --base");
    zct_run_free(&r);
    free(root);
    free(base);
    free(patch);
}

/* ---------------------------------------------------------------------------------
 * The writer's entry copy and the definition of "changed"
 * ------------------------------------------------------------------------------- */

Test(patch, writer_copies_entries_as_stored) {
    char *src = zct_tmp_path("sample.zcpack"), *copy = zct_tmp_path("copy.zcpack");
    zct_write_sample_pack(src);
    zc_pack *a = open_pack(src);
    zc_writer *w;
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = copy, .no_sync = 1 }), ZC_OK);
    uint32_t n = zc_pack_entry_count(a);
    for (uint32_t i = 0; i < n; ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_entry_at(a, i, &e), ZC_OK);
        cr_assert_eq(zc_writer_copy_entry(w, &e), ZC_OK, "%s", e.path);
    }
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
    zc_pack *b = open_pack(copy);
    cr_assert_eq(zc_pack_entry_count(b), n);
    zc_pack_info ia, ib;
    cr_assert_eq(zc_pack_get_info(a, &ia), ZC_OK);
    cr_assert_eq(zc_pack_get_info(b, &ib), ZC_OK);
    cr_assert_eq(ia.payload_bytes, ib.payload_bytes);
    for (uint32_t i = 0; i < n; ++i) {
        zc_entry x, y;
        cr_assert_eq(zc_pack_entry_at(a, i, &x), ZC_OK);
        cr_assert_eq(zc_pack_find(b, x.path, &y), ZC_OK);
        cr_assert_eq(zc_entry_differences(&x, &y), 0, "%s", x.path);
        cr_assert_eq(x.alignment, y.alignment);
        cr_assert_eq(x.codec, y.codec);
        cr_assert_eq(x.stored_size, y.stored_size);
        cr_assert_eq(y.offset % y.alignment, 0);
        if (x.stored_size) cr_assert_eq(memcmp(x.data, y.data, x.stored_size), 0, "%s", x.path);
    }
    /* the sample's twin payloads stay shared */
    uint32_t ea, wa, pa, eb, wb, pb;
    pack_counts(src, &ea, &wa, &pa);
    pack_counts(copy, &eb, &wb, &pb);
    cr_assert_lt(pa, ea, "the sample shares a payload");
    cr_assert_eq(pa, pb, "as many distinct payloads in the copy");

    /* argument checks: the writer is unchanged by a refused copy */
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = copy, .no_sync = 1 }), ZC_OK);
    zc_entry e;
    cr_assert_eq(zc_pack_entry_at(a, 0, &e), ZC_OK);
    cr_assert_eq(zc_writer_copy_entry(NULL, &e), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_writer_copy_entry(w, NULL), ZC_ERR_INVALID_ARGUMENT);
    zc_entry bad = e;
    bad.alignment = 24;
    cr_assert_eq(zc_writer_copy_entry(w, &bad), ZC_ERR_INVALID_ARGUMENT);
    bad = e;
    bad.alignment = 8192;
    cr_assert_eq(zc_writer_copy_entry(w, &bad), ZC_ERR_INVALID_ARGUMENT);
    bad = e;
    bad.codec = ZC_CODEC_NONE;
    bad.raw_size = e.stored_size + 1;
    cr_assert_eq(zc_writer_copy_entry(w, &bad), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_writer_copy_entry(w, &e), ZC_OK);
    cr_assert_eq(zc_writer_copy_entry(w, &e), ZC_ERR_INVALID_ARGUMENT, "a duplicate path");
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
    zc_pack *c = open_pack(copy);
    cr_assert_eq(zc_pack_entry_count(c), 1);
    zc_pack_close(c);
    zc_pack_close(a);
    zc_pack_close(b);
    free(src);
    free(copy);
}

Test(patch, differences_ignore_how_entries_are_stored) {
    static const uint64_t deps_a[] = { 1, 2 }, deps_b[] = { 1, 3 };
    zc_entry a;
    memset(&a, 0, sizeof a);
    a.path = "x";
    a.type = ZC_TYPE_BLOB;
    a.layout_hash = ZC_BLOB_LAYOUT_HASH;
    a.content_hash = 0x1234;
    a.raw_size = 100;
    a.stored_size = 100;
    a.deps = deps_a;
    a.deps_count = 2;
    zc_entry b = a;
    b.codec = ZC_CODEC_ZSTD;
    b.stored_size = 40;
    b.offset = 4096;
    b.alignment = 256;
    b.index = 7;
    b.deps = (const uint64_t[]){ 1, 2 };
    cr_assert_eq(zc_entry_differences(&a, &b), 0);
    b = a;
    b.type = ZC_TYPE_TEXTURE;
    cr_assert_eq(zc_entry_differences(&a, &b), ZC_DIFF_TYPE);
    b = a;
    b.layout_hash ^= 1;
    cr_assert_eq(zc_entry_differences(&a, &b), ZC_DIFF_LAYOUT);
    b = a;
    b.content_hash ^= 1;
    cr_assert_eq(zc_entry_differences(&a, &b), ZC_DIFF_CONTENT);
    b = a;
    b.raw_size++;
    cr_assert_eq(zc_entry_differences(&a, &b), ZC_DIFF_RAW_SIZE);
    b = a;
    b.deps = deps_b;
    cr_assert_eq(zc_entry_differences(&a, &b), ZC_DIFF_DEPS);
    b = a;
    b.deps_count = 1;
    cr_assert_eq(zc_entry_differences(&a, &b), ZC_DIFF_DEPS);
    cr_assert_eq(zc_entry_differences(&a, NULL), ZC_DIFF_ALL);
}

/* ---------------------------------------------------------------------------------
 * diff
 * ------------------------------------------------------------------------------- */

typedef struct spec {
    const char *path;
    uint32_t type;
    const char *text;
    uint64_t dep;               /* 0: none */
} spec;

static char *write_specs(const char *name, const spec *specs, size_t count) {
    char *path = zct_tmp_path(name);
    zc_writer *w;
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = path, .no_sync = 1 }), ZC_OK);
    for (size_t i = 0; i < count; ++i) {
        uint32_t layout = specs[i].type == ZC_TYPE_WHITEOUT ? ZC_WHITEOUT_LAYOUT_HASH : ZC_BLOB_LAYOUT_HASH;
        cr_assert_eq(zc_writer_begin_entry(w, specs[i].path, specs[i].type, layout, 0), ZC_OK);
        if (specs[i].text) cr_assert_eq(zc_writer_write(w, specs[i].text, strlen(specs[i].text)), ZC_OK);
        if (specs[i].dep) cr_assert_eq(zc_writer_add_dep(w, specs[i].dep), ZC_OK);
        cr_assert_eq(zc_writer_end_entry(w), ZC_OK);
    }
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
    return path;
}

#define SPECS(name, ...) \
    write_specs(name, (const spec[]){ __VA_ARGS__ }, sizeof((const spec[]){ __VA_ARGS__ }) / sizeof(spec))

static cJSON *array_of(const cJSON *root, const char *name) {
    cJSON *a = cJSON_GetObjectItemCaseSensitive(root, name);
    cr_assert(cJSON_IsArray(a), "\"%s\" is an array", name);
    return a;
}

static int has_string(const cJSON *array, const char *s) {
    const cJSON *item;
    cJSON_ArrayForEach(item, array) if (cJSON_IsString(item) && strcmp(item->valuestring, s) == 0) return 1;
    return 0;
}

Test(patch, diff_lists_added_removed_and_changed) {
    char *a = SPECS("a.zcpack", { "same.txt", ZC_TYPE_BLOB, "same", 0 }, { "gone.txt", ZC_TYPE_BLOB, "gone", 0 },
                    { "content.txt", ZC_TYPE_BLOB, "four", 0 }, { "size.txt", ZC_TYPE_BLOB, "short", 0 },
                    { "deps.txt", ZC_TYPE_BLOB, "d", 11 }, { "kind.txt", ZC_TYPE_BLOB, "", 0 },
                    { "aligned.txt", ZC_TYPE_BLOB, "unmoved", 0 });
    char *b = SPECS("b.zcpack", { "aligned.txt", ZC_TYPE_BLOB, "unmoved", 0 }, { "new.txt", ZC_TYPE_BLOB, "new", 0 },
                    { "same.txt", ZC_TYPE_BLOB, "same", 0 }, { "content.txt", ZC_TYPE_BLOB, "FOUR", 0 },
                    { "size.txt", ZC_TYPE_BLOB, "longer", 0 }, { "deps.txt", ZC_TYPE_BLOB, "d", 12 },
                    { "kind.txt", ZC_TYPE_WHITEOUT, NULL, 0 });
    zct_run r = ZCT_CLI("diff", a, b);
    cr_assert_eq(r.code, ZC_EXIT_DIFFERENT, "exit %d: %s", r.code, r.err);
    const char *expected = "changed\tcontent.txt\tcontent_hash\n"
                           "changed\tdeps.txt\tdeps\n"
                           "removed\tgone.txt\n"
                           "changed\tkind.txt\ttype,layout_hash\n"
                           "added\tnew.txt\n"
                           "changed\tsize.txt\tcontent_hash,raw_size\n";
    cr_assert_str_eq(r.out, expected);
    cr_assert_str_eq(r.err, "");
    zct_run_free(&r);

    /* the other way round, added and removed swap */
    r = ZCT_CLI("diff", b, a);
    cr_assert_eq(r.code, ZC_EXIT_DIFFERENT);
    cr_assert(strstr(r.out, "added\tgone.txt\n") && strstr(r.out, "removed\tnew.txt\n"), "%s", r.out);
    zct_run_free(&r);

    r = ZCT_CLI("diff", "--json", a, b);
    cr_assert_eq(r.code, ZC_EXIT_DIFFERENT, "%s", r.err);
    cJSON *root = cJSON_Parse(r.out);
    cr_assert_not_null(root, "diff --json prints JSON: %s", r.out);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(root, "identical")));
    cJSON *added = array_of(root, "added"), *removed = array_of(root, "removed"), *changed = array_of(root, "changed");
    cr_assert_eq(cJSON_GetArraySize(added), 1);
    cr_assert(has_string(added, "new.txt"));
    cr_assert_eq(cJSON_GetArraySize(removed), 1);
    cr_assert(has_string(removed, "gone.txt"));
    cr_assert_eq(cJSON_GetArraySize(changed), 4);
    const cJSON *item;
    int seen = 0;
    cJSON_ArrayForEach(item, changed) {
        const cJSON *path = cJSON_GetObjectItemCaseSensitive(item, "path");
        const cJSON *fields = cJSON_GetObjectItemCaseSensitive(item, "fields");
        cr_assert(cJSON_IsString(path) && cJSON_IsArray(fields));
        if (strcmp(path->valuestring, "kind.txt") == 0) {
            seen++;
            cr_assert_eq(cJSON_GetArraySize(fields), 2);
            cr_assert(has_string(fields, "type") && has_string(fields, "layout_hash"));
        } else if (strcmp(path->valuestring, "size.txt") == 0) {
            seen++;
            cr_assert(has_string(fields, "raw_size") && has_string(fields, "content_hash"));
        } else if (strcmp(path->valuestring, "deps.txt") == 0) {
            seen++;
            cr_assert_eq(cJSON_GetArraySize(fields), 1);
            cr_assert(has_string(fields, "deps"));
        }
    }
    cr_assert_eq(seen, 3);
    cJSON_Delete(root);
    zct_run_free(&r);
    free(a);
    free(b);
}

Test(patch, diff_of_identical_packs) {
    char *root = make_tree_a();
    char *one = zct_tmp_path("one.zcpack"), *two = zct_tmp_path("two.zcpack");
    RUN_OK("build", root, "-o", one, "-q");
    RUN_OK("build", root, "-o", two, "-q", "-j", "1");
    zct_run r = ZCT_CLI("diff", one, two);
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    cr_assert_str_eq(r.out, "");
    zct_run_free(&r);
    r = ZCT_CLI("diff", one, two, "--json");
    cr_assert_eq(r.code, 0);
    cJSON *json = cJSON_Parse(r.out);
    cr_assert_not_null(json);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(json, "identical")));
    cr_assert_eq(cJSON_GetArraySize(array_of(json, "added")), 0);
    cr_assert_eq(cJSON_GetArraySize(array_of(json, "removed")), 0);
    cr_assert_eq(cJSON_GetArraySize(array_of(json, "changed")), 0);
    cJSON_Delete(json);
    zct_run_free(&r);

    /* same entries stored differently (another order, hence other offsets) are identical */
    char *x = SPECS("x.zcpack", { "a", ZC_TYPE_BLOB, "1", 0 }, { "b", ZC_TYPE_BLOB, "22", 0 });
    char *y = SPECS("y.zcpack", { "b", ZC_TYPE_BLOB, "22", 0 }, { "a", ZC_TYPE_BLOB, "1", 0 });
    cr_assert(!zct_files_equal(x, y));
    r = ZCT_CLI("diff", x, y);
    cr_assert_eq(r.code, 0, "%s", r.out);
    zct_run_free(&r);
    free(x);
    free(y);
    free(root);
    free(one);
    free(two);
}

Test(patch, diff_of_base_and_full_build_matches_the_patch) {
    char *root = make_tree_a();
    char *base = zct_tmp_path("base.zcpack"), *full = zct_tmp_path("full.zcpack");
    char *patch = zct_tmp_path("patch.zcpack");
    RUN_OK("build", root, "-o", base, "-q");
    change_to_tree_b(root);
    RUN_OK("build", root, "-o", full, "-q");
    RUN_OK("build", root, "--base", base, "-o", patch, "-q");
    zct_run r = ZCT_CLI("diff", "--json", base, full);
    cr_assert_eq(r.code, ZC_EXIT_DIFFERENT, "%s", r.err);
    cJSON *json = cJSON_Parse(r.out);
    cr_assert_not_null(json);
    uint32_t entries, whiteouts, payloads;
    pack_counts(patch, &entries, &whiteouts, &payloads);
    int added = cJSON_GetArraySize(array_of(json, "added")), removed = cJSON_GetArraySize(array_of(json, "removed"));
    int changed = cJSON_GetArraySize(array_of(json, "changed"));
    cr_assert_eq((uint32_t)removed, whiteouts, "diff's removed paths are the patch's whiteouts");
    cr_assert_eq((uint32_t)(added + changed), entries - whiteouts, "diff's added and changed are the patch's copies");
    cr_assert(has_string(array_of(json, "removed"), "sub/d.txt"));
    cr_assert(has_string(array_of(json, "added"), "sub/new.txt"));
    cJSON_Delete(json);
    zct_run_free(&r);
    free(root);
    free(base);
    free(full);
    free(patch);
}

Test(patch, diff_errors_and_exit_codes) {
    char *a = SPECS("a.zcpack", { "a", ZC_TYPE_BLOB, "1", 0 });
    char *missing = zct_tmp_path("missing.zcpack");
    zct_put_text(zct_tmp, "junk.zcpack", "not a pack at all, just words in a file that is long enough to be read "
                                 "as a header by a reader that does not check........................\n");
    char *junk = zct_tmp_path("junk.zcpack");
    zct_run r = ZCT_CLI("diff", a, missing);
    cr_assert_eq(r.code, ZC_EXIT_IO, "%s", r.err);
    cr_assert(strstr(r.err, missing), "%s", r.err);
    zct_run_free(&r);
    r = ZCT_CLI("diff", junk, a);
    cr_assert_eq(r.code, ZC_EXIT_CORRUPT, "%s", r.err);
    cr_assert(strstr(r.err, junk), "%s", r.err);
    zct_run_free(&r);
    r = ZCT_CLI("diff", a);
    cr_assert_eq(r.code, ZC_EXIT_USAGE);
    zct_run_free(&r);
    r = ZCT_CLI("diff", a, a, a);
    cr_assert_eq(r.code, ZC_EXIT_USAGE);
    zct_run_free(&r);
    r = ZCT_CLI("diff", a, a, "--bogus");
    cr_assert_eq(r.code, ZC_EXIT_USAGE);
    zct_run_free(&r);
    r = ZCT_CLI("diff", "--help");
    cr_assert_eq(r.code, 0);
    cr_assert(strstr(r.err, "Usage: zcpack diff"), "%s", r.err);
    zct_run_free(&r);
    r = ZCT_CLI("--help");
    cr_assert(strstr(r.err, "diff <a> <b>"), "the main help lists diff");
    zct_run_free(&r);
    free(a);
    free(missing);
    free(junk);
}
