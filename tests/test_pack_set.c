/* test_pack_set.c - pack sets: `zcpack link --max-pack-size` and `--chunk` split a link
 * into member packs and an index (packer/build/zc_link.h, "Pack sets"), and the
 * runtime opens the set in one call (zc_pack_set_open, zc_mounts_add_set). On a tree
 * of the demo assets and pygame's example data: every member stays within the limit
 * (or holds one oversized entry, noted), the members hold exactly the single pack's
 * entries with the same stored bytes, every entry is found by path and id through
 * the set and through a mount table, chunk rules place folders, a missing, swapped
 * or stale member and a damaged index are refused naming the file, a failed mount
 * leaves nothing mounted, the same inputs give the same files, and the pack_set
 * entry's check refuses hostile payloads.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

#include "zc_exit.h"
#include "zc_link.h"
#include "zc_test_util.h"

TestSuite(pack_set, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 300);

#define PYGAME_DATA "/usr/share/doc/python-pygame-doc/examples/data"
#define LIMIT (64u << 10)

/* ---------------------------------------------------------------------------------
 * The tree and its objects
 * ------------------------------------------------------------------------------- */

typedef struct names {
    char **items;
    size_t count;
} names;

static void names_add(names *n, const char *s) {
    n->items = realloc(n->items, (n->count + 1) * sizeof *n->items);
    cr_assert_not_null(n->items);
    n->items[n->count++] = strdup(s);
}

static void names_free(names *n) {
    for (size_t i = 0; i < n->count; ++i) free(n->items[i]);
    free(n->items);
    memset(n, 0, sizeof *n);
}

/* Regular files below root/rel, relative to root. */
static void walk(const char *root, const char *rel, names *out) {
    char *dir = rel[0] ? zct_join(root, rel) : strdup(root);
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "opendir %s: %s", dir, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2]))) continue;
        char *sub = rel[0] ? zct_join(rel, e->d_name) : strdup(e->d_name);
        char *full = zct_join(root, sub);
        struct stat st;
        cr_assert_eq(lstat(full, &st), 0);
        if (S_ISDIR(st.st_mode)) walk(root, sub, out);
        else if (S_ISREG(st.st_mode) && strcmp(sub, "zcpack.json") != 0) names_add(out, sub);
        free(full);
        free(sub);
    }
    closedir(d);
    free(dir);
}

static void copy_tree(const char *src, const char *dst) {
    names files = { 0 };
    walk(src, "", &files);
    for (size_t i = 0; i < files.count; ++i) {
        char *from = zct_join(src, files.items[i]);
        zct_copy_file(from, dst, files.items[i]);
        free(from);
    }
    names_free(&files);
}

/* The demo assets with pygame's example data in pygame/, every file imported into
 * an object; the objects, and a list file naming them in *listfile. */
static names tree_objects(char **listfile) {
    if (!zct_exists(PYGAME_DATA)) zct_skip_test("the test data packages are not installed (tools/bootstrap.sh --test-data)");
    char *root = zct_tmp_path("tree"), *objdir = zct_tmp_path("objects");
    copy_tree(zct_source_path("samples/assets"), root);
    char *part = zct_join(root, "pygame");
    copy_tree(PYGAME_DATA, part);
    free(part);
    zct_mkdirs(objdir);
    names files = { 0 }, objects = { 0 };
    walk(root, "", &files);
    *listfile = zct_tmp_path("objects.list");
    FILE *list = fopen(*listfile, "w");
    cr_assert_not_null(list);
    for (size_t i = 0; i < files.count; ++i) {
        char name[32];
        snprintf(name, sizeof name, "%zu.zco", i);
        char *file = zct_join(root, files.items[i]), *object = zct_join(objdir, name);
        zc_result r = zc_object_import(&(zc_object_import_desc){ .file = file, .root = root, .output = object }, NULL);
        if (r == ZC_OK) {
            names_add(&objects, object);
            fprintf(list, "%s\n", object);
        }
        free(file);
        free(object);
    }
    fclose(list);
    cr_assert_gt(objects.count, 40, "only %zu of %zu files imported", objects.count, files.count);
    names_free(&files);
    free(root);
    free(objdir);
    return objects;
}

static zc_result link_to(const names *objects, const char *out, uint64_t max, const zc_link_chunk *chunks,
                         uint32_t chunk_count) {
    return zc_link(&(zc_link_desc){ .objects = (const char *const *)objects->items,
                                    .object_count = (uint32_t)objects->count, .output_path = out, .no_sync = 1,
                                    .max_pack_size = max, .chunks = chunks, .chunk_count = chunk_count },
                   NULL);
}

static zc_pack *open_pack(const char *path) {
    zc_pack *pack;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_CHECKSUMS }), ZC_OK,
                 "%s", path);
    return pack;
}

static zc_pack_set *open_set(const char *index, zct_log *log, zc_result expect) {
    zc_pack_set *set = NULL;
    zc_pack_set_desc desc = { .path = index, .validate = ZC_VALIDATE_CHECKSUMS };
    if (log) desc.logger = zct_log_recorder(log);
    zc_result r = zc_pack_set_open(&set, &desc);
    cr_assert_eq(r, expect, "%s: %s, expected %s", index, zc_result_str(r), zc_result_str(expect));
    cr_assert((r == ZC_OK) == (set != NULL));
    return set;
}

/* The member pack files of a set directory (everything but the index), sorted. */
static names member_files(const char *dir, const char *index_name) {
    names out = { 0 };
    walk(dir, "", &out);
    for (size_t i = 0; i < out.count; ++i)
        if (strcmp(out.items[i], index_name) == 0) {
            free(out.items[i]);
            out.items[i--] = out.items[--out.count];
        }
    return out;
}

/* ---------------------------------------------------------------------------------
 * Splitting by size
 * ------------------------------------------------------------------------------- */

/* Same entry, same stored bytes. */
static void expect_same_entry(const zc_entry *a, const zc_entry *b) {
    cr_assert_str_eq(a->path, b->path);
    cr_assert_eq(a->id, b->id);
    cr_assert_eq(a->type, b->type, "%s", a->path);
    cr_assert_eq(a->layout_hash, b->layout_hash);
    cr_assert_eq(a->codec, b->codec, "%s", a->path);
    cr_assert_eq(a->alignment, b->alignment);
    cr_assert_eq(a->raw_size, b->raw_size);
    cr_assert_eq(a->content_hash, b->content_hash);
    cr_assert_eq(a->stored_size, b->stored_size);
    cr_assert_eq(memcmp(a->data, b->data, a->stored_size), 0, "%s: stored bytes differ", a->path);
    cr_assert_eq(a->deps_count, b->deps_count);
    cr_assert(a->deps_count == 0 || memcmp(a->deps, b->deps, a->deps_count * 8) == 0);
}

Test(pack_set, size_limit_splits_into_packs_holding_the_single_packs_entries) {
    char *listfile;
    names objects = tree_objects(&listfile);
    char *single = zct_tmp_path("single.zcpack"), *dir = zct_tmp_path("set"), *index = zct_tmp_path("set/game.zcindex");
    cr_assert_eq(link_to(&objects, single, 0, NULL, 0), ZC_OK);
    zct_mkdirs(dir);
    char at[4096];
    snprintf(at, sizeof at, "@%s", listfile);
    zct_run run = ZCT_CLI("link", at, "-o", index, "--max-pack-size", "64K");
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);

    /* Every member within the limit, or one entry too large for it, noted. */
    names files = member_files(dir, "game.zcindex");
    cr_assert_geq(files.count, 4, "only %zu members", files.count);
    size_t oversized = 0;
    uint32_t member_entries = 0;
    for (size_t i = 0; i < files.count; ++i) {
        cr_assert(fnmatch("game-main-*.zcpack", files.items[i], 0) == 0, "member named %s", files.items[i]);
        char *path = zct_join(dir, files.items[i]);
        zc_pack *p = open_pack(path);
        zc_pack_info info;
        zc_pack_get_info(p, &info);
        member_entries += info.entry_count;
        if (info.file_size > LIMIT) {
            zc_entry e;
            cr_assert_eq(info.entry_count, 1, "%s: %llu bytes with %u entries", files.items[i],
                         (unsigned long long)info.file_size, info.entry_count);
            zc_pack_entry_at(p, 0, &e);
            cr_assert(strstr(run.err, e.path) && strstr(run.err, "gets a pack of its own"), "%s not noted:\n%s",
                      e.path, run.err);
            oversized++;
        }
        zc_pack_close(p);
        free(path);
    }
    cr_assert_gt(oversized, 0, "the tree has textures above 64 KiB");
    cr_assert_lt(oversized, files.count);

    /* The union is the single pack's entries, byte for byte, and nothing else. */
    zc_pack *one = open_pack(single);
    cr_assert_eq(member_entries, zc_pack_entry_count(one));
    zc_pack_set *set = open_set(index, NULL, ZC_OK);
    cr_assert_eq(zc_pack_set_member_count(set), files.count);
    cr_assert_eq(zc_pack_set_entry_count(set), member_entries);
    zc_mounts *mounts;
    cr_assert_eq(zc_mounts_create(&mounts, NULL), ZC_OK);
    cr_assert_eq(zc_mounts_add_set(mounts, &(zc_mount_set_desc){ .set = set }), ZC_OK);
    cr_assert_eq(zc_mounts_count(mounts), files.count);
    for (uint32_t i = 0; i < zc_pack_entry_count(one); ++i) {
        zc_entry e, by_path, by_id;
        cr_assert_eq(zc_pack_entry_at(one, i, &e), ZC_OK);
        cr_assert_eq(zc_pack_set_find(set, e.path, &by_path), ZC_OK, "%s", e.path);
        cr_assert_eq(zc_pack_set_find_id(set, e.id, &by_id), ZC_OK, "%s", e.path);
        cr_assert_eq(by_path.pack, by_id.pack);
        expect_same_entry(&e, &by_path);
        zc_hold want, got, got_id, set_got, set_got_id;
        cr_assert_eq(zc_pack_acquire(one, &e, &want), ZC_OK);
        cr_assert_eq(zc_mounts_acquire(mounts, e.path, &got), ZC_OK, "%s", e.path);
        cr_assert_eq(zc_mounts_acquire_id(mounts, e.id, &got_id), ZC_OK, "%s", e.path);
        cr_assert_eq(zc_pack_set_get(set, e.path, &set_got), ZC_OK, "%s", e.path);
        cr_assert_eq(zc_pack_set_get_id(set, e.id, &set_got_id), ZC_OK, "%s", e.path);
        const zc_hold *held[] = { &got, &got_id, &set_got, &set_got_id };
        for (size_t h = 0; h < sizeof held / sizeof *held; ++h)
            cr_assert(held[h]->size == want.size && memcmp(held[h]->data, want.data, want.size) == 0, "%s (%zu)",
                      e.path, h);
        cr_assert_eq(set_got.entry.pack, by_path.pack, "%s: held from another member", e.path);
        zc_hold_release(&want);
        zc_hold_release(&got);
        zc_hold_release(&got_id);
        zc_hold_release(&set_got);
        zc_hold_release(&set_got_id);
    }
    zc_entry none;
    cr_assert_eq(zc_pack_set_find(set, "no/such/file", &none), ZC_ERR_NO_ENTRY);
    zc_hold no_hold;
    cr_assert_eq(zc_pack_set_get(set, "no/such/file", &no_hold), ZC_ERR_NO_ENTRY);
    cr_assert_null(no_hold.data);
    cr_assert_eq(zc_pack_set_get_id(set, 0, &no_hold), ZC_ERR_NO_ENTRY);
    cr_assert_eq(zc_mounts_remove_set(mounts, set), ZC_OK);
    cr_assert_eq(zc_mounts_count(mounts), 0);
    zc_mounts_destroy(mounts);
    zc_pack_set_close(set);
    zc_pack_close(one);

    /* The CLI reads the index as its set. */
    zct_run verify = ZCT_CLI("verify", index);
    ZCT_EXPECT_CODE(verify, ZC_EXIT_OK);
    char line[128];
    snprintf(line, sizeof line, "ok: %u entries verified in %zu packs of the set", member_entries, files.count);
    cr_assert(strstr(verify.out, line), "%s", verify.out);
    zct_run info = ZCT_CLI("info", index);
    ZCT_EXPECT_CODE(info, ZC_EXIT_OK);
    snprintf(line, sizeof line, "pack set        %zu members, %u entries", files.count, member_entries);
    cr_assert(strstr(info.out, line), "%s", info.out);
    cr_assert(strstr(info.out, "game-main-0.zcpack"));
    zct_run ls_set = ZCT_CLI("ls", index), ls_one = ZCT_CLI("ls", single);
    ZCT_EXPECT_CODE(ls_set, ZC_EXIT_OK);
    cr_assert_str_eq(ls_set.out, ls_one.out, "ls of the set differs from ls of the single pack");
    zct_run_free(&ls_set);
    zct_run_free(&ls_one);
    zct_run_free(&info);
    zct_run_free(&verify);
    zct_run_free(&run);
    names_free(&files);
    names_free(&objects);
    free(listfile);
    free(single);
    free(dir);
    free(index);
}

/* ---------------------------------------------------------------------------------
 * Chunk rules
 * ------------------------------------------------------------------------------- */

Test(pack_set, chunk_rules_put_folders_where_they_say) {
    char *listfile;
    names objects = tree_objects(&listfile);
    char *dir = zct_tmp_path("chunks"), *index = zct_tmp_path("chunks/game.zcindex");
    zct_mkdirs(dir);
    char at[4096];
    snprintf(at, sizeof at, "@%s", listfile);
    zct_run run = ZCT_CLI("link", at, "-o", index, "--chunk", "pygame/*.wav=sounds", "--chunk", "scene/**=scene",
                          "--chunk", "pygame/*=pygame");
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zc_pack_set *set = open_set(index, NULL, ZC_OK);
    uint32_t n = zc_pack_set_member_count(set), seen[4] = { 0 };
    cr_assert_eq(n, 4, "one member per chunk without a size limit, got %u", n);
    for (uint32_t i = 0; i < n; ++i) {
        zc_pack_set_member_info m;
        cr_assert_eq(zc_pack_set_member(set, i, &m), ZC_OK);
        for (uint32_t k = 0; k < m.entry_count; ++k) {
            zc_entry e;
            cr_assert_eq(zc_pack_entry_at(m.pack, k, &e), ZC_OK);
            const char *want = fnmatch("pygame/*.wav", e.path, 0) == 0 ? "game-sounds-0.zcpack"
                               : fnmatch("scene/*", e.path, 0) == 0    ? "game-scene-0.zcpack"
                               : fnmatch("pygame/*", e.path, 0) == 0   ? "game-pygame-0.zcpack"
                                                                        : "game-main-0.zcpack";
            cr_assert_str_eq(m.name, want, "%s is in %s", e.path, m.name);
            seen[i]++;
        }
    }
    for (uint32_t i = 0; i < n; ++i) cr_assert_gt(seen[i], 0);
    zc_pack_set_close(set);

    /* Rules and a limit together; bad rules are usage errors naming them. */
    zct_run both = ZCT_CLI("link", at, "-o", index, "--chunk", "pygame/*=pygame", "--max-pack-size", "100K");
    ZCT_EXPECT_CODE(both, ZC_EXIT_OK);
    set = open_set(index, NULL, ZC_OK);
    cr_assert_gt(zc_pack_set_member_count(set), 2);
    zc_pack_set_close(set);
    zct_run bad = ZCT_CLI("link", at, "-o", index, "--chunk", "pygame/*=no/slash");
    ZCT_EXPECT_CODE(bad, ZC_EXIT_USAGE);
    ZCT_EXPECT_ERR(bad, "no/slash");
    zct_run bad2 = ZCT_CLI("link", at, "-o", index, "--chunk", "pygame/*");
    ZCT_EXPECT_CODE(bad2, ZC_EXIT_USAGE);
    zct_run small = ZCT_CLI("link", at, "-o", index, "--max-pack-size", "1000");
    ZCT_EXPECT_CODE(small, ZC_EXIT_USAGE);
    zct_run_free(&small);
    zct_run_free(&bad2);
    zct_run_free(&bad);
    zct_run_free(&both);
    zct_run_free(&run);
    names_free(&objects);
    free(listfile);
    free(dir);
    free(index);
}

/* ---------------------------------------------------------------------------------
 * Refusals
 * ------------------------------------------------------------------------------- */

/* A set of the tree in dir/ (size-limited), its index path returned. */
static char *make_set(const names *objects, const char *dirname) {
    char *dir = zct_tmp_path(dirname);
    zct_mkdirs(dir);
    char *index = zct_join(dir, "game.zcindex");
    cr_assert_eq(link_to(objects, index, LIMIT, NULL, 0), ZC_OK);
    free(dir);
    return index;
}

static char *member_path(const char *index, const char *name) {
    char *dir = strdup(index);
    *strrchr(dir, '/') = 0;
    char *path = zct_join(dir, name);
    free(dir);
    return path;
}

Test(pack_set, missing_swapped_and_stale_members_are_refused_by_name) {
    char *listfile;
    names objects = tree_objects(&listfile);
    char *index = make_set(&objects, "set");
    char *m1 = member_path(index, "game-main-1.zcpack"), *m2 = member_path(index, "game-main-2.zcpack");
    char *aside = zct_tmp_path("aside.zcpack");
    zct_log log;

    /* Missing. */
    cr_assert_eq(rename(m1, aside), 0);
    open_set(index, &log, ZC_ERR_FILE_NOT_FOUND);
    cr_assert(zct_log_contains(&log, "game-main-1.zcpack"));
    zct_run verify = ZCT_CLI("verify", index);
    ZCT_EXPECT_CODE(verify, ZC_EXIT_IO);
    ZCT_EXPECT_ERR(verify, "member game-main-1.zcpack of the set cannot be opened");
    zct_run_free(&verify);
    cr_assert_eq(rename(aside, m1), 0);

    /* Swapped: another member under its name. */
    size_t size;
    uint8_t *keep = zct_read_file(m1, &size);
    cr_assert_eq(rename(m1, aside), 0);
    char *setdir = zct_tmp_path("set");
    zct_copy_file(m2, setdir, "game-main-1.zcpack");
    free(setdir);
    open_set(index, &log, ZC_ERR_TOC_CHECKSUM);
    cr_assert(zct_log_contains(&log, "member game-main-1.zcpack is not the pack the index records"));
    zct_run ls = ZCT_CLI("ls", index);
    ZCT_EXPECT_CODE(ls, ZC_EXIT_CORRUPT);
    ZCT_EXPECT_ERR(ls, "game-main-1.zcpack");
    zct_run_free(&ls);
    cr_assert_eq(rename(aside, m1), 0);
    zc_pack_set_close(open_set(index, NULL, ZC_OK));

    /* Stale: the member of the same name from a later link of the tree without its
     * first object (a valid pack, not the one this index records). */
    names fewer = { objects.items + 1, objects.count - 1 };
    char *later = make_set(&fewer, "later");
    char name[64], *later_m = NULL, *this_m = NULL;
    for (int k = 0; !later_m; ++k) { /* the first member of that name that differs */
        snprintf(name, sizeof name, "game-main-%d.zcpack", k);
        later_m = member_path(later, name);
        this_m = member_path(index, name);
        cr_assert(zct_exists(later_m) && zct_exists(this_m), "no member differs");
        if (zct_files_equal(later_m, this_m)) {
            free(later_m);
            free(this_m);
            later_m = this_m = NULL;
        }
    }
    size_t this_size;
    uint8_t *this_keep = zct_read_file(this_m, &this_size);
    char *setdir2 = zct_tmp_path("set");
    zct_copy_file(later_m, setdir2, name);
    open_set(index, &log, ZC_ERR_TOC_CHECKSUM);
    char says[128];
    snprintf(says, sizeof says, "member %s is not the pack the index records", name);
    cr_assert(zct_log_contains(&log, says));
    zct_write_file(this_m, this_keep, this_size);
    zc_pack_set_close(open_set(index, NULL, ZC_OK));
    free(this_keep);
    free(this_m);
    free(setdir2);
    free(later_m);
    zc_pack_set_close(open_set(later, NULL, ZC_OK));
    free(later);

    /* Nothing half-mounted: a set whose member is already mounted is refused whole. */
    zc_pack_set *set = open_set(index, NULL, ZC_OK);
    zc_pack_set_member_info last;
    zc_pack_set_member(set, zc_pack_set_member_count(set) - 1, &last);
    zc_mounts *mounts;
    zc_mounts_create(&mounts, NULL);
    cr_assert_eq(zc_mounts_add(mounts, &(zc_mount_desc){ .pack = last.pack }), ZC_OK);
    cr_assert_eq(zc_mounts_add_set(mounts, &(zc_mount_set_desc){ .set = set }), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_mounts_count(mounts), 1);
    cr_assert_eq(zc_mounts_add_set(mounts, &(zc_mount_set_desc){ .set = set, .mount_point = "bad" }),
                 ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_mounts_count(mounts), 1);
    zc_mounts_destroy(mounts);
    zc_pack_set_close(set);

    free(keep);
    free(aside);
    free(m1);
    free(m2);
    free(index);
    names_free(&objects);
    free(listfile);
}

/* The index's set entry changed: caught by the checksums, and behind them (resealed)
 * by the entry's structural check; a plain pack is not an index. */
Test(pack_set, damaged_index_is_refused) {
    char *listfile;
    names objects = tree_objects(&listfile);
    char *index = make_set(&objects, "set");
    size_t size;
    uint8_t *good = zct_read_file(index, &size);
    zc_pack *p = open_pack(index);
    zc_entry e;
    cr_assert_eq(zc_pack_find(p, ZC_PACK_SET_PATH, &e), ZC_OK);
    cr_assert_eq(e.type, ZC_TYPE_PACK_SET);
    const uint64_t payload = e.offset;
    zc_pack_close(p);

    struct {
        size_t at;          /* byte of the payload */
        uint8_t value;
        int reseal;
        zc_result want;
        const char *says;
    } cases[] = {
        { 48, 0x55, 0, ZC_ERR_ENTRY_CHECKSUM, "" },                                     /* a file size, unsealed */
        { 24, 1, 1, ZC_ERR_BAD_ENTRY, "reserved" },                                     /* header reserved */
        { 10, 0xff, 1, ZC_ERR_LIMIT, "array" },                                         /* member count */
        { 16, 0x7f, 1, ZC_ERR_BAD_ENTRY, "entries" },                                   /* entry count */
        { 76, 1, 1, ZC_ERR_BAD_ENTRY, "reserved" },                                     /* member 0 reserved */
        { 32 + 48 + 8, 0, 1, ZC_ERR_BAD_STRING, "" },                                   /* member 1 name cut */
        { SIZE_MAX, '/', 1, ZC_ERR_BAD_PATH, "" },                                      /* member 0 name absolute */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        uint8_t *bad = malloc(size);
        memcpy(bad, good, size);
        size_t at = cases[i].at != SIZE_MAX ? cases[i].at : 32 + 48 * (size_t)bad[payload + 8]; /* first name */
        bad[payload + at] = cases[i].value;
        if (cases[i].reseal) { /* the entry's content hash too, to reach the structural check */
            zc_toc_entry *rec = zct_record_of(bad, ZC_PACK_SET_PATH);
            rec->content_hash = XXH3_64bits(bad + payload, (size_t)rec->raw_size);
            zct_reseal(bad, size);
        }
        zct_write_file(index, bad, size);
        zct_log log;
        zc_pack_set *set = NULL;
        zc_result r = zc_pack_set_open(&set, &(zc_pack_set_desc){ .path = index, .validate = ZC_VALIDATE_CHECKSUMS,
                                                                  .logger = zct_log_recorder(&log) });
        cr_assert_eq(r, cases[i].want, "case %zu: %s", i, zc_result_str(r));
        cr_assert_null(set);
        cr_assert(zct_log_contains(&log, cases[i].says), "case %zu", i);
        zct_run verify = ZCT_CLI("verify", index);
        cr_assert_neq(verify.code, ZC_EXIT_OK, "case %zu", i);
        zct_run_free(&verify);
        free(bad);
    }
    zct_write_file(index, good, size);
    zc_pack_set_close(open_set(index, NULL, ZC_OK));

    /* A member is a pack, not an index. */
    char *m0 = member_path(index, "game-main-0.zcpack");
    zct_log log;
    open_set(m0, &log, ZC_ERR_NO_ENTRY);
    cr_assert(zct_log_contains(&log, "not a pack set index"));
    free(m0);
    free(good);
    free(index);
    names_free(&objects);
    free(listfile);
}

/* The pack_set check on hand-made payloads: names out of order, a name leaving the
 * index's directory, a truncated payload. */
Test(pack_set, check_refuses_hostile_payloads) {
    _Alignas(16) uint8_t buf[256];
    memset(buf, 0, sizeof buf);
    zc_pack_set_header *h = (zc_pack_set_header *)buf;
    zc_pack_set_record *rec = (zc_pack_set_record *)(buf + sizeof *h);
    char *names_at = (char *)(rec + 2);
    strcpy(names_at, "b.zcpack");
    strcpy(names_at + 9, "a.zcpack");
    zc_rel_set(&h->members.offset, &h->members, rec);
    h->members.count = 2;
    for (int i = 0; i < 2; ++i) {
        zc_rel_set(&rec[i].name.offset, &rec[i].name, names_at + 9 * i);
        rec[i].name.length = 8;
        rec[i].file_size = 1000;
        rec[i].entry_count = 3;
    }
    h->entry_count = 6;
    size_t size = (size_t)(names_at + 18 - (char *)buf);
    zc_diag diag;
    cr_assert_eq(zc_pack_set_check(buf, size, &diag), ZC_ERR_BAD_ENTRY, "unsorted names");
    cr_assert(strstr(diag.message, "not after"));
    strcpy(names_at, "0.zcpack");
    cr_assert_eq(zc_pack_set_check(buf, size, &diag), ZC_OK, "%s", diag.message);
    cr_assert_eq(zc_check_payload(ZC_TYPE_PACK_SET, ZC_PACK_SET_LAYOUT_HASH, buf, size, &diag), ZC_OK);
    memcpy(names_at + 9, "../x.pak", 8);
    cr_assert_eq(zc_pack_set_check(buf, size, &diag), ZC_ERR_BAD_PATH);
    memcpy(names_at + 9, "a.zcpack", 8);
    for (size_t cut = 0; cut < size; ++cut) cr_assert_neq(zc_pack_set_check(buf, cut, &diag), ZC_OK, "cut %zu", cut);
    cr_assert_eq(zc_layout_hash(ZC_PACK_SET_LAYOUT_DESC), ZC_PACK_SET_LAYOUT_HASH);
    cr_assert_str_eq(zc_type_name(ZC_TYPE_PACK_SET), "pack_set");
}

/* ---------------------------------------------------------------------------------
 * Determinism
 * ------------------------------------------------------------------------------- */

Test(pack_set, same_inputs_give_the_same_files) {
    char *listfile;
    names objects = tree_objects(&listfile);
    zc_link_chunk rules[] = { { "pygame/*.wav", "sounds" }, { "textures/*", "textures" } };
    char *a = zct_tmp_path("a"), *b = zct_tmp_path("b");
    zct_mkdirs(a);
    zct_mkdirs(b);
    char *ia = zct_join(a, "game.zcindex"), *ib = zct_join(b, "game.zcindex");
    cr_assert_eq(link_to(&objects, ia, 100u << 10, rules, 2), ZC_OK);
    /* The objects in reverse order: the link sorts them. */
    for (size_t i = 0; i < objects.count / 2; ++i) {
        char *t = objects.items[i];
        objects.items[i] = objects.items[objects.count - 1 - i];
        objects.items[objects.count - 1 - i] = t;
    }
    cr_assert_eq(link_to(&objects, ib, 100u << 10, rules, 2), ZC_OK);
    names fa = { 0 }, fb = { 0 };
    walk(a, "", &fa);
    walk(b, "", &fb);
    cr_assert_eq(fa.count, fb.count);
    cr_assert_gt(fa.count, 4);
    for (size_t i = 0; i < fa.count; ++i) {
        char *pa = zct_join(a, fa.items[i]), *pb = zct_join(b, fa.items[i]);
        cr_assert(zct_files_equal(pa, pb), "%s differs", fa.items[i]);
        free(pa);
        free(pb);
    }
    names_free(&fa);
    names_free(&fb);
    free(ia);
    free(ib);
    free(a);
    free(b);
    names_free(&objects);
    free(listfile);
}
