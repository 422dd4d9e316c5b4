/* test_kill.c - SIGKILL the packer at random moments of a build, at least a thousand
 * times, and check after each kill that the output path holds a complete pack: the
 * one that was there before the build or the one the build writes, never anything
 * else.
 *
 * Two trees of about 3.5 MiB (incompressible data stored as it is, text compressed
 * with zstd, the sample textures and the demo glTF scene, whose import runs in a
 * child process of the packer) are packed in turn over the same output, each build by the real zcpack
 * binary (fork and exec) killed after a random delay drawn from [0, 1.1 T), where T
 * is the time an undisturbed build takes (measured again every 25 builds, so it
 * follows the load of the machine). After each kill the output must open and
 * verify at ZC_VALIDATE_CHECKSUMS, its entries' (path, content hash) set must be one
 * of the two expected builds', and its bytes must be exactly those of a build run to
 * completion. The next build always goes towards the other tree, so old and new
 * differ every time.
 *
 * The work directory lies on /dev/shm when it has room, where fsync returns at once:
 * SIGKILL ends a process, not the machine, and the kernel keeps every byte the
 * process wrote in the page cache, so the fsyncs guard against power loss only and
 * change nothing a killed process leaves behind. The packer still makes every call
 * of its write-and-rename path, fsyncs included.
 *
 * A killed build may leave its temporary file `.zc-<pid>-<random>.tmp` behind
 * (zc_writer.h documents this); the next build into the directory removes it. The
 * test checks that: after every build that ran to its end, no temporary file of an
 * earlier (killed, hence dead) build is left. Every tenth build first finds a
 * temporary file under its own pid (the child creates it before exec), as a build
 * still running would have it: that one must survive the build, and is removed by
 * the next. The test process is
 * a child subreaper, so it also sees that no model-import process of a killed packer
 * outlives it.
 *
 * Skipped under sanitizer runs (ZC_SANITIZE_RUN set): it exercises crash safety, not
 * memory errors, and takes tens of seconds. ZC_KILL_COUNT=<n> sets the number of kills.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zc_pack.h"
#include "zc_test_util.h"

/* A private directory on a memory file system (/dev/shm) when it has room, where
 * fsync costs nothing, else under /tmp. */
static char *make_work_dir(void) {
    struct statvfs vfs;
    if (statvfs("/dev/shm", &vfs) == 0 && (uint64_t)vfs.f_bavail * vfs.f_frsize >= ((uint64_t)1 << 30)) {
        char *dir = strdup("/dev/shm/zctest-kill-XXXXXX");
        cr_assert_not_null(dir);
        if (mkdtemp(dir)) return dir;
        free(dir);
    }
    return zct_mkdtemp();
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* ---------------------------------------------------------------------------------
 * The two trees
 * ------------------------------------------------------------------------------- */

/* Copy samples/assets/<src> to <root>/<dst>. */
static void copy_sample(const char *root, const char *dst, const char *src) {
    char rel[256];
    snprintf(rel, sizeof rel, "samples/assets/%s", src);
    size_t size;
    uint8_t *bytes = zct_read_source(rel, &size);
    zct_put(root, dst, bytes, size);
    free(bytes);
}

/* Tree `variant` (0 or 1): the same file names, different bytes in most of them.
 * 3 MiB of incompressible data stored as it is (the manifest turns compression off
 * for it), 512 KiB of text compressed with zstd, three images imported as 64-texel
 * textures, and the demo scene. */
static void write_tree(const char *root, int variant) {
    size_t text_size = 128 * 1024;
    char *text = malloc(text_size);
    cr_assert_not_null(text);
    for (int f = 0; f < 4; ++f) {
        uint64_t rng = 1000u * (uint64_t)variant + (uint64_t)f;
        for (size_t i = 0; i < text_size;) {
            int n = snprintf(text + i, text_size - i, "%llu %s line of tree %d file %d\n",
                             (unsigned long long)(zct_rand(&rng) % 100000), f % 2 ? "another" : "a", variant, f);
            i += (size_t)n < text_size - i ? (size_t)n : text_size - i;
        }
        char rel[64];
        snprintf(rel, sizeof rel, "text/t%d.txt", f);
        zct_put(root, rel, text, text_size);
    }
    free(text);
    size_t noise_size = 512 * 1024;
    uint8_t *noise = malloc(noise_size);
    cr_assert_not_null(noise);
    for (int f = 0; f < 6; ++f) {
        zct_fill(noise, noise_size, 77u + (uint64_t)f + (f < 3 ? 0u : 100u * (uint64_t)variant));
        char rel[64];
        snprintf(rel, sizeof rel, "data/d%d.bin", f);
        zct_put(root, rel, noise, noise_size);
    }
    free(noise);
    /* variant 1 swaps two images, so the scene's textures differ too */
    copy_sample(root, "textures/bricks.png", variant ? "textures/leaves.png" : "textures/bricks.png");
    copy_sample(root, "textures/leaves.png", variant ? "textures/bricks.png" : "textures/leaves.png");
    copy_sample(root, "textures/bricks_n.png", "textures/bricks_n.png");
    copy_sample(root, "scene/demo.gltf", "scene/demo.gltf");
    copy_sample(root, "scene/demo.bin", "scene/demo.bin");
    static const char manifest[] = "{ \"rules\": [ { \"match\": \"*\", \"max_size\": 64 },\n"
                                   "  { \"match\": \"data/*\", \"compress\": false } ] }\n";
    zct_put(root, "zcpack.json", manifest, sizeof manifest - 1);
}

/* ---------------------------------------------------------------------------------
 * Packs and their content
 * ------------------------------------------------------------------------------- */

typedef struct content {
    uint32_t count;
    uint64_t ids[64];
    uint64_t hashes[64];
} content;

/* Open `path` at CHECKSUMS and collect its (id, content hash) pairs (ids ascending);
 * returns the open result. */
static zc_result read_content(const char *path, content *out) {
    memset(out, 0, sizeof *out);
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_CHECKSUMS });
    if (r != ZC_OK) return r;
    out->count = zc_pack_entry_count(pack);
    cr_assert_leq(out->count, 64);
    for (uint32_t i = 0; i < out->count; ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_entry_at(pack, i, &e), ZC_OK);
        out->ids[i] = e.id;
        out->hashes[i] = e.content_hash;
    }
    zc_pack_close(pack);
    return ZC_OK;
}

static int same_content(const content *a, const content *b) {
    return a->count == b->count && memcmp(a->ids, b->ids, a->count * sizeof a->ids[0]) == 0 &&
           memcmp(a->hashes, b->hashes, a->count * sizeof a->hashes[0]) == 0;
}

typedef struct build_ref {
    char *root;
    uint8_t *bytes;
    size_t size;
    content content;
} build_ref;

/* ---------------------------------------------------------------------------------
 * Running and killing the packer
 * ------------------------------------------------------------------------------- */

/* Start `zcpack build root -o out`. With plant_stale, the child first creates the
 * temporary file its writer would pick first (same pid after exec), as a crashed
 * earlier process with a recycled pid would have left it. */
static pid_t start_build(const char *root, const char *out, int plant_stale) {
    const char *bin = zct_zcpack_bin();
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        if (plant_stale) {
            char stale[4096];
            const char *slash = strrchr(out, '/');
            snprintf(stale, sizeof stale, "%.*s.zc-%ld-0000000000000000.tmp", (int)(slash - out + 1), out,
                     (long)getpid());
            int fd = open(stale, O_WRONLY | O_CREAT | O_EXCL, 0644);
            if (fd < 0 || write(fd, "stale", 5) != 5) _exit(125);
            close(fd);
        }
        int null = open("/dev/null", O_RDWR);
        if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0) _exit(126);
        execl(bin, bin, "build", root, "-o", out, "-q", "-j", "2", (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Reap children of killed packers that were reparented to this process (a subreaper);
 * returns how many were reaped. */
static int reap_orphans(void) {
    int n = 0, status;
    while (waitpid(-1, &status, WNOHANG) > 0) n++;
    return n;
}

static void sleep_s(double seconds) {
    if (seconds <= 0) return;
    struct timespec t = { (time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9) };
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

/* Exit status of a finished build, 128 + signal for a killed one. */
static int wait_build(pid_t pid) {
    int status;
    while (waitpid(pid, &status, 0) < 0) cr_assert_eq(errno, EINTR, "waitpid: %s", strerror(errno));
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int is_stale_name(const char *name) {
    return strncmp(name, ".zc-", 4) == 0;
}

/* Remove the stale temporary files in the output directory; returns how many. */
static int remove_stale(const char *out_dir) {
    int n = 0;
    DIR *d = opendir(out_dir);
    cr_assert_not_null(d, "opendir %s: %s", out_dir, strerror(errno));
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        if (!is_stale_name(de->d_name)) continue;
        char *p = zct_join(out_dir, de->d_name);
        cr_assert_eq(unlink(p), 0, "unlink %s: %s", p, strerror(errno));
        free(p);
        n++;
    }
    closedir(d);
    return n;
}

/* Criterion does not run a fixture's teardown after cr_skip_test, so the directory
 * (zct_tmp) is created only once the test knows it will run. */
Test(kill, sigkill_during_builds, .fini = zct_tmp_teardown, .timeout = 900) {
    if (getenv("ZC_SANITIZE_RUN"))
        zct_skip_test("ZC_SANITIZE_RUN is set: the kill test checks crash safety, not memory errors");
    long target = 1000;
    const char *count_env = getenv("ZC_KILL_COUNT");
    if (count_env && *count_env) target = strtol(count_env, NULL, 10);
    cr_assert_gt(target, 0);
    zct_tmp = make_work_dir();
    cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);

    build_ref ref[2];
    char *out_dir = zct_join(zct_tmp, "out");
    zct_mkdirs(out_dir);
    char *out = zct_join(out_dir, "out.zcpack");
    double t_build = 0;
    for (int v = 0; v < 2; ++v) {
        char name[16];
        snprintf(name, sizeof name, "tree%d", v);
        ref[v].root = zct_join(zct_tmp, name);
        write_tree(ref[v].root, v);
    }
    /* Reference builds, run to completion: each tree once, then 6 more timed (T is
     * their median). */
    double times[6];
    for (int round = 0; round < 8; ++round) {
        int v = round % 2;
        double t0 = now_s();
        int code = wait_build(start_build(ref[v].root, out, 0));
        double t = now_s() - t0;
        cr_assert_eq(code, 0, "zcpack build of tree %d exited with %d", v, code);
        if (round >= 2) times[round - 2] = t;
        if (round < 2) {
            ref[v].bytes = zct_read_file(out, &ref[v].size);
            cr_assert_not_null(ref[v].bytes);
            cr_assert_eq(read_content(out, &ref[v].content), ZC_OK);
        } else {
            size_t n;
            uint8_t *again = zct_read_file(out, &n);
            cr_assert(n == ref[v].size && memcmp(again, ref[v].bytes, n) == 0, "builds are not deterministic");
            free(again);
        }
    }
    double sorted[6];
    memcpy(sorted, times, sizeof sorted);
    qsort(sorted, 6, sizeof sorted[0], compare_doubles);
    t_build = (sorted[2] + sorted[3]) / 2;
    double t_first = t_build;
    cr_assert(!same_content(&ref[0].content, &ref[1].content), "the two trees give the same pack");
    /* The output holds tree 1's pack now; the first killed build goes towards tree 0. */

    uint64_t rng = 0xC0FFEE;
    long kills = 0, finished = 0, attempts = 0, outcome_old = 0, outcome_new = 0, stale_seen = 0, planted = 0;
    long stale_removed = 0, orphans = 0, by_fifth[5] = { 0 }, new_by_fifth[5] = { 0 }, calibrations = 0;
    int current = 1; /* the tree whose pack the output holds */
    double t0 = now_s();
    while (kills < target) {
        cr_assert_lt(attempts, target * 4, "too few builds were still running when killed");
        attempts++;
        int next = 1 - current;
        int plant = attempts % 10 == 0;
        /* Every 25th build runs to completion: T follows the machine's load (the median
         * of the last six complete builds). */
        int calibrate = attempts % 25 == 0;
        double delay = (double)(zct_rand(&rng) % 1000000) / 1e6 * 1.1 * t_build;
        double started = now_s();
        pid_t pid = start_build(ref[next].root, out, plant);
        if (!calibrate) {
            sleep_s(delay);
            kill(pid, SIGKILL);
        }
        int code = wait_build(pid);
        if (calibrate) {
            cr_assert_eq(code, 0, "an undisturbed build exited with %d", code);
            times[calibrations++ % 6] = now_s() - started;
            memcpy(sorted, times, sizeof sorted);
            qsort(sorted, 6, sizeof sorted[0], compare_doubles);
            t_build = (sorted[2] + sorted[3]) / 2;
            delay = t_build * 2; /* counted as finished, not as a kill */
        }
        orphans += reap_orphans();
        cr_assert(code == 128 + SIGKILL || code == 0, "zcpack build exited with %d", code);
        int killed = code == 128 + SIGKILL;
        planted += plant;

        content now;
        zc_result r = read_content(out, &now);
        cr_assert_eq(r, ZC_OK, "after a kill %.1f ms into a build the output does not verify: %s", delay * 1e3,
                     zc_result_name(r));
        int is_new = same_content(&now, &ref[next].content);
        cr_assert(is_new || same_content(&now, &ref[current].content),
                  "after a kill %.1f ms into a build the output is neither the old nor the new pack", delay * 1e3);
        size_t n;
        uint8_t *bytes = zct_read_file(out, &n);
        const build_ref *expect = &ref[is_new ? next : current];
        cr_assert(bytes && n == expect->size && memcmp(bytes, expect->bytes, n) == 0,
                  "the output has the %s pack's entries but other bytes", is_new ? "new" : "old");
        free(bytes);
        cr_assert(killed || is_new, "a build that finished left the old pack");

        int fifth = (int)(delay / (1.1 * t_build) * 5);
        if (fifth > 4 || fifth < 0) fifth = 4;
        if (killed) {
            kills++;
            by_fifth[fifth]++;
            if (is_new) new_by_fifth[fifth]++;
            if (is_new) outcome_new++;
            else outcome_old++;
        } else {
            finished++;
        }
        if (is_new) current = next;
        stale_seen = zct_count_prefixed(out_dir, ".zc-");
        if (!killed)
            cr_assert_eq(stale_seen, plant,
                         "a build that ran to its end left %ld temporary files; expected only the %d planted "
                         "under its own pid (a running build's, which it must keep)", stale_seen, plant);
        if (stale_seen > 16) stale_removed += remove_stale(out_dir);
    }
    double elapsed = now_s() - t0;

    /* A last build beside every stale file of the last batch removes them all, but
     * keeps the one planted under its own pid. */
    int stale_before = zct_count_prefixed(out_dir, ".zc-");
    int next = 1 - current;
    int code = wait_build(start_build(ref[next].root, out, 1));
    cr_assert_eq(code, 0, "a build beside %d stale temporary files exited with %d", stale_before, code);
    size_t n;
    uint8_t *bytes = zct_read_file(out, &n);
    cr_assert(n == ref[next].size && memcmp(bytes, ref[next].bytes, n) == 0, "the last build wrote another pack");
    free(bytes);
    cr_assert_eq(zct_count_prefixed(out_dir, ".zc-"), 1,
                 "the build beside %d stale temporary files of killed builds left other than the one planted under "
                 "its own pid", stale_before);
    stale_removed += remove_stale(out_dir);

    /* Import children of killed packers die with them (PR_SET_PDEATHSIG). */
    double deadline = now_s() + 5;
    while (now_s() < deadline) {
        orphans += reap_orphans();
        if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD) break;
        sleep_s(0.01);
    }
    cr_assert(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "a child of a killed packer is still running");

    fprintf(stderr,
            "kill: %ld builds started, %ld killed, %ld finished (%ld of them undisturbed, timing T); T %.1f ms "
            "at the start, %.1f ms at the end (packs of %zu and %zu bytes); %.1f s in all (%.1f ms per build)\n",
            attempts, kills, finished, calibrations, t_first * 1e3, t_build * 1e3, ref[0].size, ref[1].size,
            elapsed, elapsed * 1e3 / (double)attempts);
    fprintf(stderr, "kill: after a kill the output held the old pack %ld times, the new one %ld times\n", outcome_old,
            outcome_new);
    fprintf(stderr, "kill: kills by fifth of [0, 1.1 T): ");
    for (int f = 0; f < 5; ++f) fprintf(stderr, "%s%ld (%ld new)", f ? ", " : "", by_fifth[f], new_by_fifth[f]);
    fprintf(stderr, "\nkill: %ld stale temporary files removed, %ld builds found one under their own name, "
                    "%ld orphaned import processes reaped\n", stale_removed, planted, orphans);
    cr_assert_geq(kills, target);
    cr_assert_gt(outcome_old, 0, "some kills came before the rename");
    if (target >= 500) cr_assert_gt(outcome_new, 0, "some kills came after the rename");
    for (int v = 0; v < 2; ++v) {
        free(ref[v].root);
        free(ref[v].bytes);
    }
    free(out);
    free(out_dir);
}
