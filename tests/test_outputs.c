/* test_outputs.c - hostile output paths: what `build`, `watch`, `extract` and the
 * library do when the output names a source of the tree, a device, a FIFO or a
 * symbolic link, and how their temporary files are created and cleaned up.
 *
 *  - an output that is a source file of the tree (or a hard link to one) is refused
 *    with exit 3 and the source is left as it was; a pack of an earlier build inside
 *    the tree is still replaced (and skipped);
 *  - an output that is a character device, a FIFO or a symbolic link is refused with
 *    exit 3 (ZC_ERR_IO in the library) and left as it was.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* mknod, S_IFCHR */
#endif
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zc_build.h"
#include "zc_exit.h"
#include "zc_test_util.h"
#include "zc_writer.h"

TestSuite(outputs, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 120);

/* zct_tmp/tree with two text files; malloc'd path of the tree. */
static char *two_file_tree(void) {
    char *root = zct_join(zct_tmp, "tree");
    zct_put_text(root, "a.txt", "source a\n");
    zct_put_text(root, "sub/b.txt", "source b\n");
    return root;
}

static void expect_text(const char *path, const char *text) {
    size_t size = 0;
    uint8_t *data = zct_read_file(path, &size);
    cr_assert_not_null(data, "%s is gone", path);
    cr_assert(size == strlen(text) && memcmp(data, text, size) == 0, "%s was overwritten", path);
    free(data);
}

/* -o naming a file of the tree: refused, the file untouched. */
Test(outputs, build_refuses_a_source_of_the_tree) {
    char *root = two_file_tree();
    char *src = zct_join(root, "sub/b.txt");
    zct_run r = ZCT_CLI("build", root, "-o", src);
    ZCT_EXPECT_CODE(r, ZC_EXIT_IO);
    ZCT_EXPECT_ERR(r, "refusing to overwrite");
    ZCT_EXPECT_ERR(r, "b.txt");
    zct_run_free(&r);
    expect_text(src, "source b\n");
    free(src);
    free(root);
}

/* watch -o naming a file of the tree: refused at the start, the file untouched. */
Test(outputs, watch_refuses_a_source_of_the_tree) {
    char *root = two_file_tree();
    char *src = zct_join(root, "a.txt");
    zct_run r = ZCT_CLI("watch", root, "-o", src);
    ZCT_EXPECT_CODE(r, ZC_EXIT_IO);
    ZCT_EXPECT_ERR(r, "refusing to overwrite");
    zct_run_free(&r);
    expect_text(src, "source a\n");
    free(src);
    free(root);
}

/* -o naming a hard link (outside the tree) to a file of the tree: refused too. */
Test(outputs, build_refuses_a_hard_link_to_a_source) {
    char *root = two_file_tree();
    char *src = zct_join(root, "a.txt");
    char *link_path = zct_tmp_path("a-link.zcpack");
    cr_assert_eq(link(src, link_path), 0, "link: %s", strerror(errno));
    zct_run r = ZCT_CLI("build", root, "-o", link_path);
    ZCT_EXPECT_CODE(r, ZC_EXIT_IO);
    ZCT_EXPECT_ERR(r, "refusing to overwrite");
    zct_run_free(&r);
    expect_text(src, "source a\n");
    free(link_path);
    free(src);
    free(root);
}

/* A pack of an earlier build inside the tree stays a valid output (and is skipped). */
Test(outputs, build_replaces_its_own_pack_inside_the_tree) {
    char *root = two_file_tree();
    char *pack = zct_join(root, "out.zcpack");
    for (int round = 0; round < 2; ++round) {
        zct_run r = ZCT_CLI("build", root, "-o", pack);
        ZCT_EXPECT_CODE(r, 0);
        zct_run_free(&r);
    }
    zct_run r = ZCT_CLI("ls", pack);
    ZCT_EXPECT_CODE(r, 0);
    cr_assert_null(strstr(r.out, "out.zcpack"), "the pack packed itself:\n%s", r.out);
    zct_run_free(&r);
    free(pack);
    free(root);
}

/* Special files to plant as outputs: a FIFO, a character device like /dev/null (made
 * in zct_tmp: tests run as root), a symbolic link to a regular file. */
typedef enum { SPECIAL_FIFO, SPECIAL_CHR, SPECIAL_LINK } special_kind;

static char *make_special(special_kind kind, const char *name) {
    char *path = zct_tmp_path(name);
    switch (kind) {
    case SPECIAL_FIFO: cr_assert_eq(mkfifo(path, 0644), 0, "mkfifo: %s", strerror(errno)); break;
    case SPECIAL_CHR: {
        struct stat null_st;
        cr_assert_eq(stat("/dev/null", &null_st), 0);
        if (mknod(path, S_IFCHR | 0666, null_st.st_rdev) != 0) zct_skip_test("mknod: %s", strerror(errno));
        break;
    }
    case SPECIAL_LINK: {
        char *target = zct_tmp_path("precious.txt");
        zct_write_file(target, "precious\n", 9);
        cr_assert_eq(symlink(target, path), 0, "symlink: %s", strerror(errno));
        free(target);
        break;
    }
    }
    return path;
}

static void expect_unchanged(special_kind kind, const char *path) {
    struct stat st;
    cr_assert_eq(lstat(path, &st), 0, "%s is gone", path);
    switch (kind) {
    case SPECIAL_FIFO: cr_assert(S_ISFIFO(st.st_mode), "%s was replaced", path); break;
    case SPECIAL_CHR: cr_assert(S_ISCHR(st.st_mode), "%s was replaced", path); break;
    case SPECIAL_LINK: {
        cr_assert(S_ISLNK(st.st_mode), "%s was replaced", path);
        char *target = zct_tmp_path("precious.txt");
        expect_text(target, "precious\n");
        free(target);
        break;
    }
    }
}

static void cli_refuses(special_kind kind, const char *command) {
    char *root = two_file_tree();
    char *out = make_special(kind, "special-out");
    zct_run r;
    if (strcmp(command, "extract") == 0) {
        char *pack = zct_tmp_path("p.zcpack");
        zct_run b = ZCT_CLI("build", root, "-o", pack);
        ZCT_EXPECT_CODE(b, 0);
        zct_run_free(&b);
        r = ZCT_CLI("extract", pack, "a.txt", "-o", out);
        free(pack);
    } else {
        r = ZCT_CLI(command, root, "-o", out);
    }
    ZCT_EXPECT_CODE(r, ZC_EXIT_IO);
    ZCT_EXPECT_ERR(r, "special-out");
    ZCT_EXPECT_ERR(r, "not a regular file");
    zct_run_free(&r);
    expect_unchanged(kind, out);
    free(out);
    free(root);
}

Test(outputs, build_refuses_a_fifo) { cli_refuses(SPECIAL_FIFO, "build"); }
Test(outputs, build_refuses_a_character_device) { cli_refuses(SPECIAL_CHR, "build"); }
Test(outputs, build_refuses_a_symbolic_link) { cli_refuses(SPECIAL_LINK, "build"); }
Test(outputs, watch_refuses_a_fifo) { cli_refuses(SPECIAL_FIFO, "watch"); }
Test(outputs, watch_refuses_a_symbolic_link) { cli_refuses(SPECIAL_LINK, "watch"); }
Test(outputs, extract_refuses_a_fifo) { cli_refuses(SPECIAL_FIFO, "extract"); }
Test(outputs, extract_refuses_a_character_device) { cli_refuses(SPECIAL_CHR, "extract"); }
Test(outputs, extract_refuses_a_symbolic_link) { cli_refuses(SPECIAL_LINK, "extract"); }

/* The library refuses too: zc_writer_open and zc_build, for every special kind. */
Test(outputs, library_refuses_special_outputs) {
    char *root = two_file_tree();
    static const special_kind kinds[] = { SPECIAL_FIFO, SPECIAL_CHR, SPECIAL_LINK };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; ++i) {
        char name[32];
        snprintf(name, sizeof name, "lib-out-%zu", i);
        char *out = make_special(kinds[i], name);
        zc_writer *w = NULL;
        cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = out }), ZC_ERR_IO, "writer on %s", name);
        cr_assert_null(w);
        zc_build_stats stats;
        cr_assert_eq(zc_build(&(zc_build_desc){ .input_dir = root, .output_path = out, .threads = 1 }, &stats),
                     ZC_ERR_IO, "build on %s", name);
        expect_unchanged(kinds[i], out);
        free(out);
    }
    free(root);
}

/* ---------------------------------------------------------------------------------
 * Temporary files: exclusive, never through a link, unguessable, short
 * ------------------------------------------------------------------------------- */

/* Files of `dir` whose name has the writer's temporary form (zc_writer_is_temp_name). */
static int count_temps(const char *dir) {
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) n += zc_writer_is_temp_name(e->d_name);
    closedir(d);
    return n;
}

/* Name of the only entry of `dir` starting with ".zc-"; malloc'd, or NULL. */
static char *only_zc_temp(const char *dir) {
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    char *found = NULL;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, ".zc-", 4) != 0) continue;
        cr_assert_null(found, "two temporary files in %s", dir);
        found = strdup(e->d_name);
    }
    closedir(d);
    return found;
}

/* The writer's temporary file: ".zc-<pid>-<16 hex>.tmp" beside the output, a new
 * random name for each writer, recognised by zc_writer_is_temp_name. */
Test(outputs, writer_temp_name_is_random_and_short) {
    char *dir = zct_tmp_path("w");
    zct_mkdirs(dir);
    char *out = zct_join(dir, "out.zcpack");
    char *names[2] = { NULL, NULL };
    for (int i = 0; i < 2; ++i) {
        zc_writer *w = NULL;
        cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = out, .no_sync = 1 }), ZC_OK);
        names[i] = only_zc_temp(dir);
        cr_assert_not_null(names[i], "no .zc-*.tmp file beside the output");
        char expect[64];
        snprintf(expect, sizeof expect, ".zc-%ld-", (long)getpid());
        cr_assert_eq(strncmp(names[i], expect, strlen(expect)), 0, "%s", names[i]);
        cr_assert_eq(strlen(names[i]), strlen(expect) + 16 + 4, "%s", names[i]);
        cr_assert(zc_writer_is_temp_name(names[i]), "%s", names[i]);
        zc_writer_abort(w);
        cr_assert_eq(count_temps(dir), 0);
    }
    cr_assert_neq(strcmp(names[0], names[1]), 0, "the same temporary name twice: %s", names[0]);
    free(names[0]);
    free(names[1]);
    free(out);
    free(dir);
}

/* An output name of NAME_MAX bytes: build and extract still find a temporary name. */
Test(outputs, output_name_of_name_max_bytes) {
    char *root = two_file_tree();
    char name[256];
    memset(name, 'p', 255);
    name[255] = 0;
    char *pack = zct_tmp_path(name);
    zct_run r = ZCT_CLI("build", root, "-o", pack);
    ZCT_EXPECT_CODE(r, 0);
    zct_run_free(&r);
    name[0] = 'x';
    char *file = zct_tmp_path(name);
    r = ZCT_CLI("extract", pack, "a.txt", "-o", file);
    ZCT_EXPECT_CODE(r, 0);
    zct_run_free(&r);
    expect_text(file, "source a\n");
    cr_assert_eq(count_temps(zct_tmp), 0);
    free(file);
    free(pack);
    free(root);
}

/* Symbolic links planted at every name extract's temporary file could have had (the
 * next pids: "<out>.tmp-<pid>") and at the writer's old names: none is followed, the
 * file they point at keeps its bytes. */
Test(outputs, planted_temp_links_are_never_followed) {
    char *root = two_file_tree();
    char *pack = zct_tmp_path("p.zcpack");
    zct_run r = ZCT_CLI("build", root, "-o", pack);
    ZCT_EXPECT_CODE(r, 0);
    zct_run_free(&r);
    char *victim = zct_tmp_path("victim.txt");
    zct_write_file(victim, "victim\n", 7);
    char *out = zct_tmp_path("extracted.txt");
    long last = 0;
    FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "r");
    if (!f || fscanf(f, "%ld", &last) != 1) zct_skip_test("no /proc/sys/kernel/ns_last_pid");
    fclose(f);
    char link_path[4096];
    for (long pid = last + 1; pid <= last + 400; ++pid) {
        snprintf(link_path, sizeof link_path, "%s.tmp-%ld", out, pid);
        cr_assert_eq(symlink(victim, link_path), 0);
    }
    r = ZCT_CLI("extract", pack, "a.txt", "-o", out);
    ZCT_EXPECT_CODE(r, 0);
    zct_run_free(&r);
    expect_text(victim, "victim\n");
    expect_text(out, "source a\n");
    struct stat st;
    cr_assert_eq(lstat(out, &st), 0);
    cr_assert(S_ISREG(st.st_mode), "the output became a link");
    free(out);
    free(victim);
    free(pack);
    free(root);
}

/* ---------------------------------------------------------------------------------
 * Stale temporary files of killed builds
 * ------------------------------------------------------------------------------- */

/* A pid no process has: a child that has exited and been reaped. */
static pid_t dead_pid(void) {
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) _exit(0);
    cr_assert_eq(waitpid(pid, NULL, 0), pid);
    return pid;
}

static char *plant_temp(const char *dir, long pid, const char *hex) {
    char name[64];
    snprintf(name, sizeof name, ".zc-%ld-%s.tmp", pid, hex);
    char *path = zct_join(dir, name);
    zct_write_file(path, "stale", 5);
    return path;
}

/* The next build into a directory removes the temporary files of ended processes
 * there, and keeps those of running ones (another process, this one) and anything
 * that only looks alike. */
Test(outputs, next_build_removes_stale_temporaries_of_dead_builds) {
    char *root = two_file_tree();
    char *dir = zct_tmp_path("packs");
    zct_mkdirs(dir);
    char *out = zct_join(dir, "out.zcpack");
    pid_t sleeper = fork();
    cr_assert_geq(sleeper, 0);
    if (sleeper == 0) {
        pause();
        _exit(0);
    }
    char *dead = plant_temp(dir, (long)dead_pid(), "0123456789abcdef");
    char *dead2 = plant_temp(dir, (long)dead_pid(), "fedcba9876543210");
    char *live = plant_temp(dir, (long)sleeper, "00000000000000aa");
    char *self = plant_temp(dir, (long)getpid(), "00000000000000bb");
    char *other = zct_join(dir, ".zc-notes.tmp");
    zct_write_file(other, "mine", 4);

    zct_run r = ZCT_CLI("build", root, "-o", out);
    ZCT_EXPECT_CODE(r, 0);
    zct_run_free(&r);
    kill(sleeper, SIGKILL);
    waitpid(sleeper, NULL, 0);

    cr_assert_not(zct_exists(dead), "the temporary file of a dead build is still there");
    cr_assert_not(zct_exists(dead2), "the temporary file of a dead build is still there");
    cr_assert(zct_exists(live), "the temporary file of a running build was removed");
    cr_assert(zct_exists(self), "the temporary file of a running build was removed");
    cr_assert(zct_exists(other), "a file that only looks like a temporary file was removed");

    /* the library does it too: a writer opened in this process */
    char *dead3 = plant_temp(dir, (long)dead_pid(), "0123456789abcdee");
    zc_writer *w = NULL;
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = out, .no_sync = 1 }), ZC_OK);
    zc_writer_abort(w);
    cr_assert_not(zct_exists(dead3));
    cr_assert(zct_exists(self));
    free(dead3);
    free(other);
    free(self);
    free(live);
    free(dead2);
    free(dead);
    free(out);
    free(dir);
    free(root);
}

/* A writer looks at the first 4096 names of its folder only (ZC_TMPFILE_SCAN_NAMES):
 * in a folder of 5000 leftovers of a dead process, opening a writer removes those
 * among the first 4096 names the folder lists (which also holds ".", ".." and the
 * writer's own temporary file: 4093 to 4096 of them), and the next writer the rest. So a
 * writer into a folder of many files (one import per object) costs no more than into
 * a small one. */
Test(outputs, the_stale_file_scan_stops_after_4096_names) {
    char *dir = zct_tmp_path("objects");
    zct_mkdirs(dir);
    long pid = (long)dead_pid();
    for (int i = 0; i < 5000; ++i) {
        char hex[17];
        snprintf(hex, sizeof hex, "%016x", (unsigned)i);
        free(plant_temp(dir, pid, hex));
    }
    char *out = zct_join(dir, "a.zco");
    zc_writer *w = NULL;
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = out, .no_sync = 1 }), ZC_OK);
    zc_writer_abort(w);
    int left = zct_count_prefixed(dir, ".zc-");
    cr_expect(left >= 5000 - 4096 && left <= 5000 - 4093, "after one writer: %d left", left);
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = out, .no_sync = 1 }), ZC_OK);
    zc_writer_abort(w);
    cr_expect_eq(zct_count_prefixed(dir, ".zc-"), 0, "after two writers: %d left", zct_count_prefixed(dir, ".zc-"));
    free(out);
    free(dir);
}
