/* test_mount.c - the mount table (zc_mounts_*): priority order and ties, mount points,
 * whiteouts, lookups by id, unmounting while entries are held (the sanitizer build
 * turns a use after free into a failure), lookups from several threads while another
 * thread mounts and unmounts, and argument checks.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_pack.h"
#include "zc_test_util.h"
#include "zc_writer.h"

TestSuite(mount, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 120);

/* ---------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------- */

typedef struct item {
    const char *path;
    const char *text;           /* content of a blob; NULL = a whiteout */
} item;

/* Write a pack of blobs and whiteouts named `name` in tmp; returns its malloc'd path. */
static char *write_pack(const char *name, const item *items, size_t count) {
    char *path = zct_join(zct_tmp, name);
    zc_writer *w;
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = path, .no_sync = 1 }), ZC_OK);
    for (size_t i = 0; i < count; ++i) {
        if (items[i].text) {
            cr_assert_eq(zc_writer_begin_entry(w, items[i].path, ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 0), ZC_OK);
            cr_assert_eq(zc_writer_write(w, items[i].text, strlen(items[i].text)), ZC_OK);
        } else {
            cr_assert_eq(zc_writer_begin_entry(w, items[i].path, ZC_TYPE_WHITEOUT, ZC_WHITEOUT_LAYOUT_HASH, 0), ZC_OK);
        }
        cr_assert_eq(zc_writer_end_entry(w), ZC_OK);
    }
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
    return path;
}

static zc_pack *open_pack(const char *path) {
    zc_pack *pack;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_FULL }), ZC_OK);
    return pack;
}

/* Write and open a pack in one step. */
static zc_pack *make_pack(const char *name, const item *items, size_t count) {
    char *path = write_pack(name, items, count);
    zc_pack *pack = open_pack(path);
    free(path);
    return pack;
}

#define MAKE_PACK(name, ...) \
    make_pack(name, (const item[]){ __VA_ARGS__ }, sizeof((const item[]){ __VA_ARGS__ }) / sizeof(item))

static void mount(zc_mounts *m, zc_pack *pack, int32_t priority, const char *mount_point) {
    cr_assert_eq(zc_mounts_add(m, &(zc_mount_desc){ .pack = pack, .priority = priority, .mount_point = mount_point }),
                 ZC_OK);
}

/* Assert that `path` resolves through the table to the bytes `text`. */
static void expect_text(zc_mounts *m, const char *path, const char *text) {
    zc_hold h;
    zc_result r = zc_mounts_acquire(m, path, &h);
    cr_assert_eq(r, ZC_OK, "%s: %s", path, zc_result_str(r));
    cr_assert_eq(h.size, strlen(text), "%s: %llu bytes, expected \"%s\"", path, (unsigned long long)h.size, text);
    cr_assert_eq(memcmp(h.data, text, h.size), 0, "%s: expected \"%s\", got \"%.*s\"", path, text, (int)h.size,
                 (const char *)h.data);
    cr_assert_eq(h.entry.type, ZC_TYPE_BLOB);
    cr_assert_not_null(h.pack);
    zc_hold_release(&h);
    cr_assert_null(h.pack, "release zeroes the hold");
}

static void expect_missing(zc_mounts *m, const char *path) {
    zc_hold h;
    zc_result r = zc_mounts_acquire(m, path, &h);
    cr_assert_eq(r, ZC_ERR_NO_ENTRY, "%s: %s, expected no entry", path, zc_result_str(r));
    cr_assert_null(h.data);
    cr_assert_null(h.pack);
}

static zc_mounts *new_table(void) {
    zc_mounts *m;
    cr_assert_eq(zc_mounts_create(&m, NULL), ZC_OK);
    cr_assert_eq(zc_mounts_count(m), 0);
    return m;
}

/* ---------------------------------------------------------------------------------
 * Priority
 * ------------------------------------------------------------------------------- */

Test(mount, highest_priority_wins) {
    zc_pack *a = MAKE_PACK("a.zcpack", { "x.txt", "from a" }, { "only-a.txt", "a alone" });
    zc_pack *b = MAKE_PACK("b.zcpack", { "x.txt", "from b" }, { "only-b.txt", "b alone" });
    zc_pack *c = MAKE_PACK("c.zcpack", { "x.txt", "from c" }, { "only-c.txt", "c alone" });
    zc_mounts *m = new_table();
    /* mounted in an order that is neither ascending nor descending */
    mount(m, a, 0, NULL);
    mount(m, b, 10, NULL);
    mount(m, c, 5, NULL);
    cr_assert_eq(zc_mounts_count(m), 3);
    expect_text(m, "x.txt", "from b");
    expect_text(m, "only-a.txt", "a alone");
    expect_text(m, "only-b.txt", "b alone");
    expect_text(m, "only-c.txt", "c alone");
    expect_missing(m, "nowhere.txt");

    cr_assert_eq(zc_mounts_remove(m, b), ZC_OK);
    expect_text(m, "x.txt", "from c");
    expect_missing(m, "only-b.txt");
    cr_assert_eq(zc_mounts_remove(m, c), ZC_OK);
    expect_text(m, "x.txt", "from a");
    cr_assert_eq(zc_mounts_count(m), 1);

    /* negative priorities sort below zero */
    mount(m, b, -1, NULL);
    expect_text(m, "x.txt", "from a");
    zc_mounts_destroy(m);
    zc_pack_close(a);
    zc_pack_close(b);
    zc_pack_close(c);
}

/* A damaged record in a higher pack, checked when the entry is first used, is that
 * pack's error: the lower pack's entry of the same path does not stand in for it. */
Test(mount, a_damaged_record_above_is_an_error_not_the_entry_below) {
    zc_pack *base = MAKE_PACK("base.zcpack", { "x.txt", "from base" }, { "y.txt", "y from base" });
    char *path = write_pack("patch.zcpack", (const item[]){ { "x.txt", "from patch" }, { "y.txt", "y patched" } }, 2);
    size_t size;
    uint8_t *image = zct_read_file_aligned(path, 4096, &size);
    zct_record_of(image, "x.txt")->offset += 8; /* misaligned: R9 */
    zct_reseal(image, size);
    zc_pack *patch;
    cr_assert_eq(zc_pack_open(&patch, &(zc_pack_desc){ .memory = image, .memory_size = size }), ZC_OK,
                 "the default level checks records on first use");
    zc_mounts *m = new_table();
    mount(m, base, 0, NULL);
    mount(m, patch, 1, NULL);
    zc_hold h;
    cr_assert_eq(zc_mounts_acquire(m, "x.txt", &h), ZC_ERR_BAD_ALIGNMENT);
    cr_assert_null(h.pack);
    cr_assert_eq(zc_mounts_acquire_id(m, zc_asset_id("x.txt", 5), &h), ZC_ERR_BAD_ALIGNMENT);
    expect_text(m, "y.txt", "y patched");
    zc_mounts_destroy(m);
    zc_pack_close(patch);
    zc_pack_close(base);
    free(image);
    free(path);
}

Test(mount, equal_priority_last_mounted_wins) {
    zc_pack *a = MAKE_PACK("a.zcpack", { "x.txt", "from a" });
    zc_pack *b = MAKE_PACK("b.zcpack", { "x.txt", "from b" });
    zc_pack *c = MAKE_PACK("c.zcpack", { "x.txt", "from c" });
    zc_pack *low = MAKE_PACK("low.zcpack", { "x.txt", "from low" });
    zc_pack *high = MAKE_PACK("high.zcpack", { "x.txt", "from high" });
    zc_mounts *m = new_table();
    mount(m, high, 3, NULL);
    mount(m, a, 2, NULL);
    mount(m, b, 2, NULL);
    mount(m, low, 1, NULL);
    mount(m, c, 2, NULL);
    expect_text(m, "x.txt", "from high");
    cr_assert_eq(zc_mounts_remove(m, high), ZC_OK);
    expect_text(m, "x.txt", "from c");
    cr_assert_eq(zc_mounts_remove(m, c), ZC_OK);
    expect_text(m, "x.txt", "from b");
    /* re-mounting a makes it the latest of its priority */
    cr_assert_eq(zc_mounts_remove(m, a), ZC_OK);
    mount(m, a, 2, NULL);
    expect_text(m, "x.txt", "from a");
    cr_assert_eq(zc_mounts_remove(m, a), ZC_OK);
    cr_assert_eq(zc_mounts_remove(m, b), ZC_OK);
    expect_text(m, "x.txt", "from low");
    zc_mounts_destroy(m);
    zc_pack_close(a);
    zc_pack_close(b);
    zc_pack_close(c);
    zc_pack_close(low);
    zc_pack_close(high);
}

/* ---------------------------------------------------------------------------------
 * Mount points
 * ------------------------------------------------------------------------------- */

Test(mount, mount_points_prefix_the_paths) {
    zc_pack *mod = MAKE_PACK("mod.zcpack", { "a.txt", "mod a" }, { "sub/b.txt", "mod b" });
    zc_mounts *m = new_table();
    mount(m, mod, 0, "mods/foo/");
    expect_text(m, "mods/foo/a.txt", "mod a");
    expect_text(m, "mods/foo/sub/b.txt", "mod b");
    expect_missing(m, "a.txt");
    expect_missing(m, "sub/b.txt");
    expect_missing(m, "mods/foo/");
    expect_missing(m, "mods/foo");
    expect_missing(m, "mods/fooa.txt");
    expect_missing(m, "mods/foo/sub");
    expect_missing(m, "mods/a.txt");

    /* a root pack beside it: its own paths, and its copy of a mod path by priority */
    zc_pack *root = MAKE_PACK("root.zcpack", { "a.txt", "root a" }, { "mods/foo/a.txt", "root's mods/foo/a" });
    mount(m, root, -5, NULL);
    expect_text(m, "a.txt", "root a");
    expect_text(m, "mods/foo/a.txt", "mod a");
    cr_assert_eq(zc_mounts_remove(m, root), ZC_OK);
    mount(m, root, 5, NULL);
    expect_text(m, "mods/foo/a.txt", "root's mods/foo/a");
    expect_text(m, "mods/foo/sub/b.txt", "mod b");

    /* "" is the root, like NULL */
    cr_assert_eq(zc_mounts_remove(m, mod), ZC_OK);
    mount(m, mod, 0, "");
    expect_text(m, "sub/b.txt", "mod b");
    zc_mounts_destroy(m);
    zc_pack_close(mod);
    zc_pack_close(root);
}

Test(mount, mount_point_is_copied) {
    zc_pack *mod = MAKE_PACK("mod.zcpack", { "a.txt", "mod a" });
    zc_mounts *m = new_table();
    char point[32];
    strcpy(point, "dlc/");
    mount(m, mod, 0, point);
    strcpy(point, "zzz/");
    expect_text(m, "dlc/a.txt", "mod a");
    expect_missing(m, "zzz/a.txt");
    zc_mounts_destroy(m);
    zc_pack_close(mod);
}

/* ---------------------------------------------------------------------------------
 * Whiteouts
 * ------------------------------------------------------------------------------- */

Test(mount, whiteouts_hide_lower_entries_only) {
    zc_pack *base = MAKE_PACK("base.zcpack", { "a.txt", "base a" }, { "b.txt", "base b" }, { "c.txt", "base c" });
    zc_pack *patch = MAKE_PACK("patch.zcpack", { "b.txt", NULL }, { "c.txt", "patch c" }, { "d.txt", NULL });
    zc_mounts *m = new_table();
    mount(m, base, 0, NULL);
    expect_text(m, "b.txt", "base b");
    mount(m, patch, 1, NULL);
    expect_text(m, "a.txt", "base a");
    expect_missing(m, "b.txt");
    expect_text(m, "c.txt", "patch c");
    expect_missing(m, "d.txt"); /* a whiteout of a path nobody has */

    zc_hold h;
    cr_assert_eq(zc_mounts_acquire_id(m, zc_asset_id("b.txt", 5), &h), ZC_ERR_NO_ENTRY, "ids see whiteouts too");

    /* a pack above the whiteout shows its own b.txt */
    zc_pack *top = MAKE_PACK("top.zcpack", { "b.txt", "top b" });
    mount(m, top, 2, NULL);
    expect_text(m, "b.txt", "top b");
    cr_assert_eq(zc_mounts_acquire_id(m, zc_asset_id("b.txt", 5), &h), ZC_OK);
    cr_assert_eq(memcmp(h.data, "top b", 5), 0);
    zc_hold_release(&h);

    /* the same pack below the whiteout stays hidden */
    cr_assert_eq(zc_mounts_remove(m, top), ZC_OK);
    mount(m, top, 0, NULL);
    expect_missing(m, "b.txt");

    /* at equal priority the later mount decides */
    cr_assert_eq(zc_mounts_remove(m, top), ZC_OK);
    mount(m, top, 1, NULL);
    expect_text(m, "b.txt", "top b");
    cr_assert_eq(zc_mounts_remove(m, patch), ZC_OK);
    mount(m, patch, 1, NULL);
    expect_missing(m, "b.txt");

    /* unmounting the patch brings the base's entries back */
    cr_assert_eq(zc_mounts_remove(m, patch), ZC_OK);
    cr_assert_eq(zc_mounts_remove(m, top), ZC_OK);
    expect_text(m, "b.txt", "base b");
    expect_text(m, "c.txt", "base c");
    zc_mounts_destroy(m);
    zc_pack_close(base);
    zc_pack_close(patch);
    zc_pack_close(top);
}

Test(mount, whiteouts_under_a_mount_point) {
    zc_pack *base = MAKE_PACK("base.zcpack", { "mods/foo/a.txt", "base a" }, { "a.txt", "root a" });
    zc_pack *patch = MAKE_PACK("patch.zcpack", { "a.txt", NULL });
    zc_mounts *m = new_table();
    mount(m, base, 0, NULL);
    mount(m, patch, 1, "mods/foo/");
    expect_missing(m, "mods/foo/a.txt");
    expect_text(m, "a.txt", "root a");
    zc_mounts_destroy(m);
    zc_pack_close(base);
    zc_pack_close(patch);
}

/* ---------------------------------------------------------------------------------
 * Lookups by id
 * ------------------------------------------------------------------------------- */

static uint64_t id_of(const char *path) {
    return zc_asset_id(path, strlen(path));
}

Test(mount, acquire_id_follows_priority_and_ignores_mount_points) {
    zc_pack *a = MAKE_PACK("a.zcpack", { "x.txt", "from a" }, { "y.txt", "a y" });
    zc_pack *b = MAKE_PACK("b.zcpack", { "x.txt", "from b" });
    zc_pack *mod = MAKE_PACK("mod.zcpack", { "m.txt", "mod m" });
    zc_mounts *m = new_table();
    mount(m, a, 0, NULL);
    mount(m, b, 1, NULL);
    mount(m, mod, 2, "mods/");
    zc_hold h;
    cr_assert_eq(zc_mounts_acquire_id(m, id_of("x.txt"), &h), ZC_OK);
    cr_assert_eq(h.size, 6);
    cr_assert_eq(memcmp(h.data, "from b", 6), 0);
    cr_assert_eq(h.entry.id, id_of("x.txt"));
    cr_assert_str_eq(h.entry.path, "x.txt");
    zc_hold_release(&h);
    cr_assert_eq(zc_mounts_acquire_id(m, id_of("y.txt"), &h), ZC_OK);
    cr_assert_eq(memcmp(h.data, "a y", 3), 0);
    zc_hold_release(&h);

    /* the id stored in the pack, not the id of the mounted path */
    cr_assert_eq(zc_mounts_acquire_id(m, id_of("m.txt"), &h), ZC_OK);
    cr_assert_eq(memcmp(h.data, "mod m", 5), 0);
    zc_hold_release(&h);
    cr_assert_eq(zc_mounts_acquire_id(m, id_of("mods/m.txt"), &h), ZC_ERR_NO_ENTRY);
    expect_text(m, "mods/m.txt", "mod m");

    cr_assert_eq(zc_mounts_acquire_id(m, id_of("nowhere"), &h), ZC_ERR_NO_ENTRY);
    cr_assert_eq(zc_mounts_acquire_id(m, 0, &h), ZC_ERR_NO_ENTRY, "id 0 means none");
    cr_assert_null(h.pack);
    zc_mounts_destroy(m);
    zc_pack_close(a);
    zc_pack_close(b);
    zc_pack_close(mod);
}

/* ---------------------------------------------------------------------------------
 * Lifetime
 * ------------------------------------------------------------------------------- */

/* A pack read into memory from a counting allocator: its bytes live in allocations
 * ASan watches, and stats->live tells when the pack is freed. */
static zc_pack *open_counted(const char *path, zct_alloc_stats *stats) {
    zct_alloc_stats_init(stats, -1);
    zc_pack *pack;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .no_mmap = 1,
                                                      .allocator = zct_counting_allocator(stats) }),
                 ZC_OK);
    cr_assert_gt(stats->live, 0);
    return pack;
}

Test(mount, unmount_with_live_holders) {
    char *path = write_pack("held.zcpack", (const item[]){ { "held.txt", "bytes that outlive the mount" },
                                                           { "other.txt", "other" } },
                            2);
    zct_alloc_stats stats;
    zc_pack *pack = open_counted(path, &stats);
    zc_mounts *m = new_table();
    mount(m, pack, 0, NULL);

    zc_hold h1, h2;
    cr_assert_eq(zc_mounts_acquire(m, "held.txt", &h1), ZC_OK);
    cr_assert_eq(zc_mounts_acquire(m, "other.txt", &h2), ZC_OK);
    cr_assert_eq(zc_mounts_remove(m, pack), ZC_OK);
    cr_assert_eq(zc_mounts_count(m), 0);
    expect_missing(m, "held.txt");
    zc_pack_close(pack); /* the opener lets go too: only the holds are left */
    cr_assert_gt(stats.live, 0, "two holds keep the pack");

    /* every byte and pointer of the holds is still readable */
    cr_assert_eq(h1.size, strlen("bytes that outlive the mount"));
    cr_assert_eq(memcmp(h1.data, "bytes that outlive the mount", h1.size), 0);
    cr_assert_str_eq(h1.entry.path, "held.txt");
    zc_hold_release(&h1);
    cr_assert_gt(stats.live, 0, "one hold still keeps the pack");
    cr_assert_eq(memcmp(h2.data, "other", 5), 0);
    zc_hold_release(&h2);
    cr_assert_eq(stats.live, 0, "the last release frees the pack");
    cr_assert_eq(stats.bad_free, 0);
    zc_hold_release(&h2); /* a released (zeroed) hold is a no-op */
    zc_mounts_destroy(m);
    free(path);
}

Test(mount, remove_after_the_opener_closed) {
    char *path = write_pack("held.zcpack", (const item[]){ { "held.txt", "kept by the table" } }, 1);
    zct_alloc_stats stats;
    zc_pack *pack = open_counted(path, &stats);
    zc_mounts *m = new_table();
    mount(m, pack, 0, NULL);
    zc_pack_close(pack); /* allowed right after the add: the table keeps the pack */
    expect_text(m, "held.txt", "kept by the table");
    cr_assert_gt(stats.live, 0);
    zc_hold h;
    cr_assert_eq(zc_mounts_acquire(m, "held.txt", &h), ZC_OK);
    cr_assert_eq(zc_mounts_remove(m, pack), ZC_OK, "the closed handle still names the mounted pack");
    cr_assert_gt(stats.live, 0, "the hold keeps the pack");
    cr_assert_eq(memcmp(h.data, "kept by the table", h.size), 0);
    zc_hold_release(&h);
    cr_assert_eq(stats.live, 0);
    zc_mounts_destroy(m);
    free(path);
}

Test(mount, destroy_with_live_holders) {
    char *path = write_pack("held.zcpack", (const item[]){ { "held.txt", "still here" } }, 1);
    zct_alloc_stats stats;
    zc_pack *pack = open_counted(path, &stats);
    zc_mounts *m = new_table();
    mount(m, pack, 0, NULL);
    zc_hold h;
    cr_assert_eq(zc_mounts_acquire(m, "held.txt", &h), ZC_OK);
    zc_mounts_destroy(m);
    zc_pack_close(pack);
    cr_assert_gt(stats.live, 0);
    cr_assert_eq(memcmp(h.data, "still here", 10), 0);
    zc_hold_release(&h);
    cr_assert_eq(stats.live, 0);
    free(path);
}

Test(mount, one_pack_in_two_tables) {
    char *path = write_pack("shared.zcpack", (const item[]){ { "s.txt", "shared" } }, 1);
    zct_alloc_stats stats;
    zc_pack *pack = open_counted(path, &stats);
    zc_mounts *m1 = new_table(), *m2 = new_table();
    mount(m1, pack, 0, NULL);
    mount(m2, pack, 7, "sub/");
    zc_pack_close(pack);
    expect_text(m1, "s.txt", "shared");
    expect_text(m2, "sub/s.txt", "shared");
    zc_mounts_destroy(m1);
    cr_assert_gt(stats.live, 0, "the second table keeps the pack");
    expect_text(m2, "sub/s.txt", "shared");
    zc_mounts_destroy(m2);
    cr_assert_eq(stats.live, 0);
    free(path);
}

Test(mount, table_memory_comes_from_its_allocator) {
    zc_pack *packs[20];
    for (int i = 0; i < 20; ++i) {
        char name[32];
        snprintf(name, sizeof name, "p%02d.zcpack", i);
        packs[i] = MAKE_PACK(name, { "x.txt", "x" });
    }
    zct_alloc_stats stats;
    zct_alloc_stats_init(&stats, -1);
    zc_mounts *m;
    cr_assert_eq(zc_mounts_create(&m, &(zc_mounts_desc){ .allocator = zct_counting_allocator(&stats) }), ZC_OK);
    for (int i = 0; i < 20; ++i) mount(m, packs[i], i % 3, i % 2 ? "odd/" : NULL);
    cr_assert_gt(stats.live, 2, "the table, its array and the mount points");
    for (int i = 0; i < 20; i += 2) cr_assert_eq(zc_mounts_remove(m, packs[i]), ZC_OK);
    zc_mounts_destroy(m);
    cr_assert_eq(stats.live, 0);
    cr_assert_eq(stats.bad_free, 0);
    for (int i = 0; i < 20; ++i) zc_pack_close(packs[i]);
}

Test(mount, out_of_memory_is_reported) {
    zc_pack *pack = MAKE_PACK("p.zcpack", { "x.txt", "x" });
    for (long fail_at = 0; fail_at < 3; ++fail_at) {
        zct_alloc_stats stats;
        zct_alloc_stats_init(&stats, fail_at);
        zct_log log;
        zc_mounts *m = NULL;
        zc_result r = zc_mounts_create(&m, &(zc_mounts_desc){ .allocator = zct_counting_allocator(&stats),
                                                               .logger = zct_log_recorder(&log) });
        if (fail_at == 0) {
            cr_assert_eq(r, ZC_ERR_OUT_OF_MEMORY);
            cr_assert_null(m);
            cr_assert(zct_log_contains(&log, "out of memory"));
            continue;
        }
        cr_assert_eq(r, ZC_OK);
        r = zc_mounts_add(m, &(zc_mount_desc){ .pack = pack, .mount_point = "a/" });
        cr_assert_eq(r, ZC_ERR_OUT_OF_MEMORY, "allocation %ld fails", fail_at);
        cr_assert(zct_log_contains(&log, "out of memory"));
        cr_assert_eq(zc_mounts_count(m), 0);
        expect_missing(m, "a/x.txt");
        zc_mounts_destroy(m);
        cr_assert_eq(stats.live, 0, "a failed add leaves nothing behind");
    }
    zc_pack_close(pack);
}

/* ---------------------------------------------------------------------------------
 * Threads: four readers look entries up and check every byte while a fifth thread
 * opens, mounts, unmounts and closes overlay packs. Under the sanitizer build a pack
 * freed while a reader still uses it is a reported error.
 * ------------------------------------------------------------------------------- */

enum { PATHS = 32, READERS = 4, OVERLAYS = 3 };

typedef struct stress {
    zc_mounts *mounts;
    char *overlay_paths[OVERLAYS];
    atomic_int stop;
    atomic_long lookups, overlay_hits;
    atomic_int failures;
    char failure[256];
} stress;

static void text_for(char *out, size_t cap, int layer, int i) {
    snprintf(out, cap, "layer %d entry %d", layer, i);
}

static void *reader(void *arg) {
    stress *s = arg;
    uint64_t seed = (uint64_t)(uintptr_t)&seed;
    while (!atomic_load(&s->stop)) {
        int i = (int)(zct_rand(&seed) % PATHS);
        char path[32];
        snprintf(path, sizeof path, "p/%02d", i);
        zc_hold h;
        zc_result r = zc_mounts_acquire(s->mounts, path, &h);
        int ok = r == ZC_OK;
        for (volatile int spin = 0; spin < 200; ++spin) {
        } /* widen the window in which the pack may be unmounted under the hold */
        int layer = -1;
        for (int l = 0; ok && l <= OVERLAYS && layer < 0; ++l) {
            char text[64];
            text_for(text, sizeof text, l, i);
            if (h.size == strlen(text) && memcmp(h.data, text, h.size) == 0) layer = l;
        }
        if (!ok || layer < 0) {
            if (atomic_fetch_add(&s->failures, 1) == 0)
                snprintf(s->failure, sizeof s->failure, "%s: %s, %llu bytes", path, zc_result_str(r),
                         (unsigned long long)h.size);
        }
        if (layer > 0) atomic_fetch_add(&s->overlay_hits, 1);
        atomic_fetch_add(&s->lookups, 1);
        zc_hold_release(&h);
        /* ids too: whichever pack wins, the entry has this path */
        if (zc_mounts_acquire_id(s->mounts, zc_asset_id(path, strlen(path)), &h) != ZC_OK ||
            strcmp(h.entry.path, path) != 0)
            atomic_fetch_add(&s->failures, 1);
        zc_hold_release(&h);
    }
    return NULL;
}

static void *mounter(void *arg) {
    stress *s = arg;
    for (int round = 0; round < 300; ++round) {
        int which = round % OVERLAYS;
        zc_pack *pack;
        if (zc_pack_open(&pack, &(zc_pack_desc){ .path = s->overlay_paths[which], .no_mmap = round % 2 }) != ZC_OK) {
            atomic_fetch_add(&s->failures, 1);
            break;
        }
        if (zc_mounts_add(s->mounts, &(zc_mount_desc){ .pack = pack, .priority = which + 1 }) != ZC_OK)
            atomic_fetch_add(&s->failures, 1);
        zc_pack_close(pack); /* from here on only the table and holds keep it */
        long start = atomic_load(&s->lookups);
        for (int wait = 0; wait < 100000 && atomic_load(&s->lookups) - start < 100; ++wait) sched_yield();
        if (zc_mounts_remove(s->mounts, pack) != ZC_OK) atomic_fetch_add(&s->failures, 1);
    }
    atomic_store(&s->stop, 1);
    return NULL;
}

Test(mount, concurrent_lookups_while_mounting) {
    /* the base has every path; overlay l has every l-th path with its own text */
    item base_items[PATHS];
    char names[OVERLAYS + 1][PATHS][32], texts[OVERLAYS + 1][PATHS][64];
    for (int l = 0; l <= OVERLAYS; ++l)
        for (int i = 0; i < PATHS; ++i) {
            snprintf(names[l][i], sizeof names[l][i], "p/%02d", i);
            text_for(texts[l][i], sizeof texts[l][i], l, i);
        }
    for (int i = 0; i < PATHS; ++i) base_items[i] = (item){ names[0][i], texts[0][i] };
    stress *s = calloc(1, sizeof *s);
    cr_assert_not_null(s);
    zc_pack *base = make_pack("base.zcpack", base_items, PATHS);
    for (int l = 1; l <= OVERLAYS; ++l) {
        item items[PATHS];
        size_t n = 0;
        for (int i = 0; i < PATHS; i += l + 1) items[n++] = (item){ names[l][i], texts[l][i] };
        char name[32];
        snprintf(name, sizeof name, "overlay%d.zcpack", l);
        s->overlay_paths[l - 1] = write_pack(name, items, n);
    }
    s->mounts = new_table();
    mount(s->mounts, base, 0, NULL);
    zc_pack_close(base);

    pthread_t readers[READERS], writer;
    for (int t = 0; t < READERS; ++t) cr_assert_eq(pthread_create(&readers[t], NULL, reader, s), 0);
    cr_assert_eq(pthread_create(&writer, NULL, mounter, s), 0);
    pthread_join(writer, NULL);
    for (int t = 0; t < READERS; ++t) pthread_join(readers[t], NULL);

    cr_assert_eq(atomic_load(&s->failures), 0, "%d failed lookups, first: %s", atomic_load(&s->failures), s->failure);
    cr_assert_gt(atomic_load(&s->lookups), 1000, "only %ld lookups ran", atomic_load(&s->lookups));
    cr_log_info("%ld lookups, %ld answered by an overlay", atomic_load(&s->lookups), atomic_load(&s->overlay_hits));
    cr_assert_gt(atomic_load(&s->overlay_hits), 0, "the overlays answered while mounted");
    cr_assert_eq(zc_mounts_count(s->mounts), 1);
    zc_mounts_destroy(s->mounts);
    for (int l = 0; l < OVERLAYS; ++l) free(s->overlay_paths[l]);
    free(s);
}

/* ---------------------------------------------------------------------------------
 * Arguments
 * ------------------------------------------------------------------------------- */

static void free_hook(void *ptr, void *user_data) {
    (void)user_data;
    free(ptr);
}

Test(mount, invalid_arguments) {
    zc_pack *pack = MAKE_PACK("p.zcpack", { "x.txt", "x" });
    zct_log log;
    zc_mounts *m;
    cr_assert_eq(zc_mounts_create(NULL, NULL), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_mounts_create(&m, &(zc_mounts_desc){ .allocator = { .alloc = NULL, .free = free_hook } }),
                 ZC_ERR_INVALID_ARGUMENT, "half an allocator");
    cr_assert_null(m);
    cr_assert_eq(zc_mounts_create(&m, &(zc_mounts_desc){ .logger = zct_log_recorder(&log) }), ZC_OK);

    cr_assert_eq(zc_mounts_add(NULL, &(zc_mount_desc){ .pack = pack }), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_mounts_add(m, NULL), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_mounts_add(m, &(zc_mount_desc){ .pack = NULL }), ZC_ERR_INVALID_ARGUMENT);

    static const char *const bad_points[] = {
        "mods", "/mods/", "mods//", "./", "../", "a/../", "a\\b/", "a\tb/", "/", "\xff/", "mods/x",
    };
    for (size_t i = 0; i < sizeof bad_points / sizeof bad_points[0]; ++i) {
        int errors = log.errors;
        cr_assert_eq(zc_mounts_add(m, &(zc_mount_desc){ .pack = pack, .mount_point = bad_points[i] }),
                     ZC_ERR_INVALID_ARGUMENT, "mount point \"%s\"", bad_points[i]);
        cr_assert_eq(log.errors, errors + 1, "mount point \"%s\" is logged", bad_points[i]);
    }
    cr_assert(zct_log_contains(&log, "does not end in '/'"));
    cr_assert(zct_log_contains(&log, "is not a valid path prefix"));
    char long_point[ZC_MAX_PATH + 8];
    memset(long_point, 'a', ZC_MAX_PATH + 1);
    strcpy(long_point + ZC_MAX_PATH + 1, "/");
    cr_assert_eq(zc_mounts_add(m, &(zc_mount_desc){ .pack = pack, .mount_point = long_point }),
                 ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_mounts_count(m), 0);

    mount(m, pack, 0, NULL);
    cr_assert_eq(zc_mounts_add(m, &(zc_mount_desc){ .pack = pack, .priority = 4, .mount_point = "b/" }),
                 ZC_ERR_INVALID_ARGUMENT, "already mounted");
    cr_assert(zct_log_contains(&log, "already mounted"));
    cr_assert_eq(zc_mounts_count(m), 1);

    zc_hold h;
    memset(&h, 0xAB, sizeof h);
    cr_assert_eq(zc_mounts_acquire(m, NULL, &h), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_null(h.pack, "the hold is zeroed on error");
    cr_assert_null(h.data);
    cr_assert_eq(zc_mounts_acquire(NULL, "x.txt", &h), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_mounts_acquire(m, "x.txt", NULL), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_mounts_acquire_id(NULL, 1, &h), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_mounts_acquire_id(m, 1, NULL), ZC_ERR_INVALID_ARGUMENT);
    expect_missing(m, "");

    cr_assert_eq(zc_mounts_remove(NULL, pack), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_mounts_remove(m, NULL), ZC_ERR_INVALID_ARGUMENT);
    zc_pack *other = MAKE_PACK("o.zcpack", { "x.txt", "o" });
    cr_assert_eq(zc_mounts_remove(m, other), ZC_ERR_NO_ENTRY);
    cr_assert_eq(zc_mounts_remove(m, pack), ZC_OK);
    cr_assert_eq(zc_mounts_remove(m, pack), ZC_ERR_NO_ENTRY, "removed twice");
    cr_assert_eq(zc_mounts_count(NULL), 0);
    zc_mounts_destroy(NULL);
    zc_mounts_destroy(m);
    zc_pack_close(pack);
    zc_pack_close(other);
}

Test(mount, empty_table_finds_nothing) {
    zc_mounts *m = new_table();
    expect_missing(m, "x.txt");
    zc_hold h;
    cr_assert_eq(zc_mounts_acquire_id(m, id_of("x.txt"), &h), ZC_ERR_NO_ENTRY);
    zc_mounts_destroy(m);
}
