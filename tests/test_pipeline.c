/* test_pipeline.c - the build's import pipeline (zc_build.h, "Threads"): how many
 * prepare steps run at once, and how far the threads run ahead of a slow file.
 *
 * Every prepare step opens its source file through zc__packer_sys.open, so the tests
 * wrap that member: an open of a file of the tree counts as a step running, and the
 * wrapper holds it for a while (a slow decode) before returning.
 */
#include <criterion/criterion.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_build.h"
#include "zc_import_texture.h"
#include "zc_pack.h"
#include "zc_packer_sys.h"
#include "zc_test_util.h"

TestSuite(pipeline, .init = zct_tmp_setup, .fini = zct_tmp_teardown);

static const char *watched_root;     /* opens below it are prepare steps */
static const char *slow_name;        /* this file's open is held for slow_ms */
static long slow_ms, other_ms;
static atomic_int in_step, most_at_once, opened_while_slow, slow_running;

static atomic_int opened, most_opened_in_one_write;
static pthread_t caller;             /* the thread that called zc_build */
static atomic_int opened_by_caller;
static long write_ms;

/* The writer's write: each call held for write_ms, as on a slow disk, counting the
 * prepare steps that start meanwhile. */
static ssize_t slow_write(int fd, const void *buf, size_t size) {
    int before = atomic_load(&opened);
    zct_sleep_ms(write_ms);
    int during = atomic_load(&opened) - before;
    if (during > atomic_load(&most_opened_in_one_write)) atomic_store(&most_opened_in_one_write, during);
    return write(fd, buf, size);
}

static int watching_open(const char *path, int flags, mode_t mode) {
    size_t n = strlen(watched_root);
    if (strncmp(path, watched_root, n) != 0 || path[n] != '/') return open(path, flags, mode);
    atomic_fetch_add(&opened, 1);
    if (pthread_equal(pthread_self(), caller)) atomic_fetch_add(&opened_by_caller, 1);
    int now = atomic_fetch_add(&in_step, 1) + 1;
    for (int seen = atomic_load(&most_at_once); now > seen && !atomic_compare_exchange_weak(&most_at_once, &seen, now);) {
    }
    int slow = slow_name && strcmp(strrchr(path, '/') + 1, slow_name) == 0;
    if (slow) {
        atomic_store(&slow_running, 1);
    } else if (atomic_load(&slow_running)) {
        atomic_fetch_add(&opened_while_slow, 1);
    }
    zct_sleep_ms(slow ? slow_ms : other_ms);
    if (slow) atomic_store(&slow_running, 0);
    atomic_fetch_sub(&in_step, 1);
    return open(path, flags, mode);
}

static void watch(const char *root, const char *slow, long slow_for_ms, long others_ms) {
    watched_root = root;
    slow_name = slow;
    slow_ms = slow_for_ms;
    other_ms = others_ms;
    atomic_store(&in_step, 0);
    atomic_store(&most_at_once, 0);
    atomic_store(&opened_while_slow, 0);
    atomic_store(&slow_running, 0);
    zc__packer_sys.open = watching_open;
}

/* A tree of `count` small text files f00.txt, f01.txt, ... (blobs, prepared on the
 * pool). */
static char *text_tree(const char *name, int count) {
    char *tree = zct_tmp_path(name);
    for (int i = 0; i < count; ++i) {
        char rel[32], text[256];
        snprintf(rel, sizeof rel, "f%02d.txt", i);
        int n = snprintf(text, sizeof text, "file %d of the pipeline tree, with some words to compress: ", i);
        for (; n < (int)sizeof text - 1; ++n) text[n] = (char)('a' + (n * 7 + i) % 26);
        zct_put(tree, rel, text, sizeof text - 1);
    }
    return tree;
}

static zc_result build(const char *tree, const char *out, uint32_t threads) {
    caller = pthread_self();
    atomic_store(&opened, 0);
    atomic_store(&opened_by_caller, 0);
    return zc_build(&(zc_build_desc){ .input_dir = tree, .output_path = out, .threads = threads, .no_sync = 1 }, NULL);
}

/* desc.threads bounds the prepare steps running at once, even when libuv's pool has
 * more threads (4 here), and the pack does not depend on it. */
Test(pipeline, threads_bound_the_prepare_steps_running_at_once) {
    setenv("UV_THREADPOOL_SIZE", "4", 1); /* read when this process first uses the pool */
    char *tree = text_tree("tree", 24);
    char *one = zct_tmp_path("one.zcpack"), *three = zct_tmp_path("three.zcpack");
    watch(tree, NULL, 0, 15);
    cr_assert_eq(build(tree, one, 1), ZC_OK);
    int one_most = atomic_load(&most_at_once);
    watch(tree, NULL, 0, 15);
    cr_assert_eq(build(tree, three, 3), ZC_OK);
    int three_most = atomic_load(&most_at_once);
    zc__packer_sys_reset();
    cr_expect_eq(one_most, 1, "threads = 1 ran %d prepare steps at once", one_most);
    cr_expect_eq(three_most, 3, "threads = 3 ran at most %d prepare steps at once", three_most);
    cr_expect(zct_files_equal(one, three), "the pack depends on the number of threads");
    free(one);
    free(three);
    free(tree);
}

/* desc.threads counts the calling thread: with 1, every prepare step runs on it (no
 * thread of the pool works); with 2, it prepares files too, between its writes,
 * beside the one worker. */
Test(pipeline, the_calling_thread_is_one_of_the_threads) {
    char *tree = text_tree("tree", 24);
    char *out = zct_tmp_path("out.zcpack");
    watch(tree, NULL, 0, 15);
    cr_assert_eq(build(tree, out, 1), ZC_OK);
    int one_all = atomic_load(&opened), one_caller = atomic_load(&opened_by_caller);
    watch(tree, NULL, 0, 15);
    cr_assert_eq(build(tree, out, 2), ZC_OK);
    int two_all = atomic_load(&opened), two_caller = atomic_load(&opened_by_caller);
    zc__packer_sys_reset();
    cr_expect_eq(one_all, 24, "threads = 1 prepared %d of the 24 files", one_all);
    cr_expect_eq(one_caller, 24, "threads = 1 prepared %d of the 24 files on the calling thread", one_caller);
    cr_expect_eq(two_all, 24, "threads = 2 prepared %d of the 24 files", two_all);
    cr_expect(two_caller >= 1 && two_caller <= 23,
              "threads = 2 prepared %d of the 24 files on the calling thread, the worker the others", two_caller);
    free(out);
    free(tree);
}

/* A slow file at the head of the queue does not leave the other thread idle: it goes
 * on preparing the files after it (held until the slow one is written), far past
 * 2 * threads of them, and the pack is the one a build without the slow file's delay
 * writes. */
Test(pipeline, a_slow_file_keeps_the_other_threads_busy) {
    char *tree = text_tree("tree", 60);
    char *slow = zct_tmp_path("slow.zcpack"), *plain = zct_tmp_path("plain.zcpack");
    watch(tree, "f00.txt", 600, 5);
    cr_assert_eq(build(tree, slow, 2), ZC_OK);
    int ahead = atomic_load(&opened_while_slow);
    zc__packer_sys_reset();
    cr_expect_geq(ahead, 20, "only %d files were prepared while the first one took 600 ms", ahead);
    cr_assert_eq(build(tree, plain, 2), ZC_OK);
    cr_expect(zct_files_equal(slow, plain), "the pack depends on which thread finished first");
    free(slow);
    free(plain);
    free(tree);
}

/* A worker that finishes a file takes the next one itself: while the build's thread
 * is held in a slow write, the workers go on preparing the files after it (three
 * threads: the build's own and two workers). */
Test(pipeline, workers_go_on_while_the_pack_is_written) {
    /* 40 files of 96 KiB of letters: each fills the writer's 64 KiB buffer */
    char *tree = zct_tmp_path("tree");
    static char text[96 * 1024];
    uint32_t seed = 1;
    for (int i = 0; i < 40; ++i) {
        for (size_t k = 0; k < sizeof text; ++k) {
            seed = seed * 1664525u + 1013904223u;
            text[k] = (char)('a' + (seed >> 24) % 26);
        }
        char rel[32];
        snprintf(rel, sizeof rel, "f%02d.txt", i);
        zct_put(tree, rel, text, sizeof text);
    }
    char *slow = zct_tmp_path("slow.zcpack"), *plain = zct_tmp_path("plain.zcpack");
    watch(tree, NULL, 0, 2);
    write_ms = 10;
    atomic_store(&most_opened_in_one_write, 0);
    zc__packer_sys.write = slow_write;
    cr_assert_eq(build(tree, slow, 3), ZC_OK);
    int most = atomic_load(&most_opened_in_one_write);
    zc__packer_sys_reset();
    /* 2 ms a step, 10 ms a write: about ten steps fit in one write on the two
     * workers; a worker that waited for this thread to hand it a file would start none */
    cr_expect_geq(most, 4, "at most %d prepare steps started during one write of 10 ms", most);
    cr_assert_eq(build(tree, plain, 2), ZC_OK);
    cr_expect(zct_files_equal(slow, plain), "the pack depends on the speed of its writes");
    free(slow);
    free(plain);
    free(tree);
}

/* The same bytes under twelve names (folders copied, links followed), and one other
 * file: the copies are compressed once and take that stored form (the memo of
 * zc_memo.h), the pack stores the payload once, every entry reads back as its
 * source, and the pack is byte for byte the same with one thread as with two. */
Test(pipeline, repeated_bytes_are_compressed_once) {
    char *tree = zct_tmp_path("copies");
    enum { COPIES = 12, SIZE = 96 << 10 };
    char *text = malloc(SIZE);
    cr_assert_not_null(text);
    for (int n = 0; n < SIZE; ++n) text[n] = (char)('a' + (n * 7 + n / 100) % 26); /* compressible */
    for (int i = 0; i < COPIES; ++i) {
        char rel[32];
        snprintf(rel, sizeof rel, "level%02d/notes.txt", i);
        zct_put(tree, rel, text, SIZE);
    }
    text[0] = 'Z';
    zct_put(tree, "other.txt", text, SIZE);
    uint8_t *packs[2];
    size_t sizes[2];
    for (uint32_t threads = 1; threads <= 2; ++threads) {
        char name[32];
        snprintf(name, sizeof name, "copies%u.zcpack", threads);
        char *out = zct_tmp_path(name);
        zc_build_stats stats;
        cr_assert_eq(zc_build(&(zc_build_desc){ .input_dir = tree, .output_path = out, .threads = threads,
                                                .no_sync = 1 }, &stats), ZC_OK);
        cr_assert_eq(stats.entries, COPIES + 1);
        cr_assert_eq(stats.unique_payloads, 2u);
        /* one compression per distinct payload; with two threads both may start on
         * the first copies at once */
        cr_assert_geq(stats.compressions_reused, COPIES - threads, "%u threads: %u reused", threads,
                      stats.compressions_reused);
        cr_assert_leq(stats.compressions_reused, COPIES - 1);
        zc_pack *pack = NULL;
        cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = out, .validate = ZC_VALIDATE_CHECKSUMS }), ZC_OK);
        for (int i = 0; i <= COPIES; ++i) {
            char rel[32];
            snprintf(rel, sizeof rel, i < COPIES ? "level%02d/notes.txt" : "other.txt", i);
            zc_entry e;
            zc_hold h;
            cr_assert_eq(zc_pack_find(pack, rel, &e), ZC_OK, "%s", rel);
            cr_assert_neq(e.codec, ZC_CODEC_NONE, "%s is stored compressed", rel);
            cr_assert_eq(zc_pack_acquire(pack, &e, &h), ZC_OK);
            cr_assert_eq(h.size, (uint64_t)SIZE);
            cr_assert_eq(((const char *)h.data)[0], i < COPIES ? 'a' : 'Z');
            cr_assert(memcmp((const char *)h.data + 1, text + 1, SIZE - 1) == 0, "%s", rel);
            zc_hold_release(&h);
        }
        zc_pack_close(pack);
        packs[threads - 1] = zct_read_file(out, &sizes[threads - 1]);
        free(out);
    }
    cr_assert_eq(sizes[0], sizes[1]);
    cr_assert(memcmp(packs[0], packs[1], sizes[0]) == 0, "the pack does not depend on which thread compressed");
    free(packs[0]);
    free(packs[1]);
    free(text);
    free(tree);
}

/* One real image under several names, with one byte changed (the same size), under a
 * normal-map name and under a rule that stores it as RGBA8: the twins with the same
 * bytes and settings take the first one's texture instead of being decoded again
 * (zc_import_source.twins), the others are imported as they are, and every entry holds
 * exactly what importing its file alone gives; one thread and two give the same pack. */
Test(pipeline, identical_images_are_decoded_once) {
    const char *source = "/usr/share/doc/python-pygame-doc/examples/data/arraydemo.bmp";
    if (!zct_exists(source)) zct_skip_test("%s is missing (tools/bootstrap.sh --test-data: python-pygame-doc)", source);
    size_t size;
    uint8_t *bytes = zct_read_file(source, &size);
    char *tree = zct_tmp_path("twins");
    static const char *const names[] = { "a/sky.bmp", "b/sky.bmp", "c/sky.bmp", "d/sky_n.bmp", "e/sky.bmp", "f/sky.bmp" };
    enum { NAMES = sizeof names / sizeof names[0] };
    for (size_t i = 0; i < NAMES; ++i) {
        uint32_t pixels = (uint32_t)bytes[10] | (uint32_t)bytes[11] << 8; /* bfOffBits */
        if (i == 5) bytes[pixels + 100] ^= 0x40; /* f: one texel's byte changed */
        zct_put(tree, names[i], bytes, size);
        if (i == 5) bytes[pixels + 100] ^= 0x40;
    }
    zct_put_text(tree, "zcpack.json", "{ \"rules\": [ { \"match\": \"e/*\", \"format\": \"rgba8\" } ] }\n");
    uint8_t *packs[2];
    size_t sizes[2];
    for (uint32_t threads = 1; threads <= 2; ++threads) {
        char name[32];
        snprintf(name, sizeof name, "twins%u.zcpack", threads);
        char *out = zct_tmp_path(name);
        zc_build_stats stats;
        cr_assert_eq(zc_build(&(zc_build_desc){ .input_dir = tree, .output_path = out, .threads = threads,
                                                .no_sync = 1 }, &stats), ZC_OK);
        /* b and c take a's texture; with two threads a and b may be decoded at once */
        if (threads == 1) cr_assert_eq(stats.twins_reused, 2u, "%u twins reused", stats.twins_reused);
        else cr_assert(stats.twins_reused >= 1 && stats.twins_reused <= 2, "%u twins reused", stats.twins_reused);
        zc_pack *pack = NULL;
        cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = out, .validate = ZC_VALIDATE_CHECKSUMS }), ZC_OK);
        for (size_t i = 0; i < NAMES; ++i) {
            char *file = zct_join(tree, names[i]);
            zc_texture_settings settings;
            memset(&settings, 0, sizeof settings);
            if (names[i][0] == 'e') settings.format = zc_texture_choice_from_name("rgba8");
            zc_texture_image alone;
            zc_diag diag = { 0 };
            cr_assert_eq(zc_texture_import_file(file, names[i], &settings, &alone, &diag), ZC_OK, "%s", diag.message);
            zc_hold h;
            cr_assert_eq(zc_pack_get(pack, names[i], &h), ZC_OK, "%s", names[i]);
            cr_assert(h.size == alone.size && memcmp(h.data, alone.payload, alone.size) == 0,
                      "%s does not hold what importing it alone gives", names[i]);
            zc_hold_release(&h);
            zc_texture_image_free(&alone);
            free(file);
        }
        zc_entry a, d, e, f;
        cr_assert(zc_pack_find(pack, "a/sky.bmp", &a) == ZC_OK && zc_pack_find(pack, "d/sky_n.bmp", &d) == ZC_OK &&
                  zc_pack_find(pack, "e/sky.bmp", &e) == ZC_OK && zc_pack_find(pack, "f/sky.bmp", &f) == ZC_OK);
        cr_expect(a.content_hash != d.content_hash && a.content_hash != e.content_hash &&
                  a.content_hash != f.content_hash, "the name rule, the format rule and the changed byte all count");
        zc_pack_close(pack);
        packs[threads - 1] = zct_read_file(out, &sizes[threads - 1]);
        free(out);
    }
    cr_assert(sizes[0] == sizes[1] && memcmp(packs[0], packs[1], sizes[0]) == 0, "the pack depends on the threads");
    free(packs[0]);
    free(packs[1]);
    free(bytes);
    free(tree);
}
