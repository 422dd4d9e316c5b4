/* test_mapped.c - a pack truncated while it is mapped (zc_pack.h, zc_pack_open).
 *
 *  - Every command of zcpack that reads a pack (verify, ls, info, cat, dump, extract,
 *    diff, stats, and build's read-back of the pack it wrote) reports a pack that
 *    shrinks under it as an invalid pack: exit 4 and a message naming the pack and
 *    saying it changed size while being read, never death by SIGBUS. The commands run
 *    in-process (zc__cli_main, the CLI compiled without its main) in a forked child
 *    whose runtime reaches mmap and close through a patched zc__posix_syscalls
 *    (runtime/zc_os.h): the file is truncated right after it is mapped (the fault hits
 *    the runtime's validation inside zc_pack_open) or when the runtime closes the
 *    descriptor at the end of a successful open (the fault hits the command's own
 *    reading, or write(2) fails with EFAULT).
 *  - ZC_LOAD_READ survives truncation after open: every entry reads back intact;
 *    ZC_LOAD_MAP, the default, dies of SIGBUS reading the same entries (the contract
 *    zc_pack_open documents); the no_mmap alias and the misuse checks of `load`.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zc_cli.h"
#include "zc_exit.h"
#include "zc_os.h"
#include "zc_packer_sys.h"
#include "zc_pack.h"
#include "zc_test_util.h"

static zc__posix_syscall_table saved;

static void setup(void) {
    saved = zc__posix_syscalls;
    zct_tmp_setup();
}

static void teardown(void) {
    zc__posix_syscalls = saved;
    zct_tmp_teardown();
}

TestSuite(mapped, .init = setup, .fini = teardown, .timeout = 60);

/* ---------------------------------------------------------------------------------
 * Packs
 * ------------------------------------------------------------------------------- */

#define BLOB_SIZE (64u * 1024u)
#define BLOB_COUNT 4

static uint8_t blob_bytes[BLOB_COUNT][BLOB_SIZE];
static const char *const blob_paths[BLOB_COUNT] = { "a/first.bin", "a/second.bin", "b/third.bin", "b/last.bin" };

/* Blobs of 64 KiB each: `compressible` repeats a short pattern (the writer then stores
 * them compressed), otherwise bytes of a generator that zstd cannot shrink. */
static void make_blobs(zct_blob *blobs, int compressible) {
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < BLOB_COUNT; ++i) {
        for (uint32_t j = 0; j < BLOB_SIZE; ++j) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            blob_bytes[i][j] = compressible ? (uint8_t)("zcpack"[j % 6] + i) : (uint8_t)x;
        }
        blobs[i] = (zct_blob){ .path = blob_paths[i], .data = blob_bytes[i], .size = BLOB_SIZE };
    }
}

/* zct_tmp/<name>: a pack of the four blobs; malloc'd path. */
static char *write_pack(const char *name, int compressed) {
    zct_blob blobs[BLOB_COUNT];
    make_blobs(blobs, compressed);
    char *path = zct_tmp_path(name);
    zc_result r = compressed ? zct_write_compressed_pack(path, blobs, BLOB_COUNT) : zct_write_pack(path, blobs, BLOB_COUNT);
    cr_assert_eq(r, ZC_OK, "%s: %s", path, zc_result_str(r));
    if (compressed) {
        zc_pack *pack;
        zc_entry e;
        cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = path }), ZC_OK);
        cr_assert_eq(zc_pack_find(pack, blob_paths[BLOB_COUNT - 1], &e), ZC_OK);
        cr_assert_eq(e.codec, ZC_CODEC_ZSTD, "the compressible blobs must be stored compressed");
        zc_pack_close(pack);
    }
    return path;
}

static long long file_size(const char *path) {
    struct stat st;
    cr_assert_eq(stat(path, &st), 0, "%s: %s", path, strerror(errno));
    return (long long)st.st_size;
}

/* ---------------------------------------------------------------------------------
 * Truncation through the runtime's system call table
 * ------------------------------------------------------------------------------- */

typedef enum when {
    AFTER_MAP,                  /* right after mmap succeeded: during zc_pack_open */
    AT_CLOSE,                   /* when the runtime closes the mapped descriptor: after open */
    AT_TMPFILE,                 /* when the packer creates a temporary file (extract's
                                   output): after the entry was found, before its bytes
                                   are written */
} when;

static when trigger;
static const char *victim_path; /* AT_TMPFILE: the pack to truncate */
static struct stat target;      /* only this file is truncated; st_ino 0 = the first mapped */
static int mapped_fd = -1;
static int fired;

/* Cut the file open at `w` (writable) to half its size, rounded down to a page, so
 * every page of the second half (the TOC, the last entries) leaves the mapping. */
static void cut_in_half(int w) {
    struct stat st;
    long page = sysconf(_SC_PAGESIZE);
    if (w < 0 || fstat(w, &st) != 0 || ftruncate(w, (st.st_size / 2) / page * page) != 0) _exit(121);
    close(w);
    fired = 1;
}

static void truncate_behind(int fd) {
    struct stat st;
    if (fired || fstat(fd, &st) != 0) return;
    if (target.st_ino && (st.st_ino != target.st_ino || st.st_dev != target.st_dev)) return;
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    cut_in_half(open(self, O_WRONLY));
}

static int truncating_tmp_open(const char *path, int flags, mode_t mode) {
    if (trigger == AT_TMPFILE && !fired && strstr(path, "/.zc-")) cut_in_half(open(victim_path, O_WRONLY));
    return open(path, flags, mode);
}

static void *truncating_mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset) {
    void *p = mmap(addr, length, prot, flags, fd, offset);
    if (p != MAP_FAILED) {
        if (trigger == AFTER_MAP) truncate_behind(fd);
        else if (!fired) mapped_fd = fd;
    }
    return p;
}

static int truncating_close(int fd) {
    if (trigger == AT_CLOSE && fd == mapped_fd) truncate_behind(fd);
    return close(fd);
}

/* Run `zcpack argv...` in-process in a forked child whose runtime truncates `victim`
 * (NULL: the first file it maps) at `when`; stdout and stderr captured. Asserts that
 * the child exited (a signal means the command died) and that the truncation fired. */
static zct_run run_truncating(when at, const char *victim, const char *const argv[]) {
    char *out = zct_tmp_path("cli.stdout"), *err = zct_tmp_path("cli.stderr");
    memset(&target, 0, sizeof target);
    if (victim) cr_assert_eq(stat(victim, &target), 0);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644), e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0) _exit(126);
        trigger = at;
        victim_path = victim;
        zc__posix_syscalls.mmap = truncating_mmap;
        zc__posix_syscalls.close = truncating_close;
        zc__packer_sys.open = truncating_tmp_open;
        int argc = 1;
        char *args[16] = { "zcpack" };
        for (; argv[argc - 1] && argc < 15; ++argc) args[argc] = (char *)argv[argc - 1];
        args[argc] = NULL;
        int rc = zc__cli_main(argc, args);
        fflush(NULL);
        _exit(fired ? rc : 125);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) cr_assert_eq(errno, EINTR);
    zct_run run;
    memset(&run, 0, sizeof run);
    run.out = (char *)zct_read_file(out, &run.out_size);
    size_t n;
    run.err = (char *)zct_read_file(err, &n);
    cr_assert(run.out && run.err);
    free(out);
    free(err);
    cr_assert(!WIFSIGNALED(status), "zcpack %s died of signal %d (%s); stderr:\n%s", argv[0], WTERMSIG(status),
              strsignal(WTERMSIG(status)), run.err);
    cr_assert(WIFEXITED(status));
    run.code = WEXITSTATUS(status);
    cr_assert_neq(run.code, 125, "zcpack %s never mapped the pack (nothing was truncated)", argv[0]);
    return run;
}

#define RUN_TRUNCATING(at, victim, ...) run_truncating(at, victim, (const char *const[]){ __VA_ARGS__, NULL })

/* Exit 4, and a message naming `pack` that says it changed size. */
static void expect_changed(zct_run *run, const char *pack) {
    ZCT_EXPECT_CODE(*run, ZC_EXIT_CORRUPT);
    char needle[1200];
    snprintf(needle, sizeof needle, "zcpack: %s: the pack changed size while being read", pack);
    ZCT_EXPECT_ERR(*run, needle);
    zct_run_free(run);
}

/* ---------------------------------------------------------------------------------
 * The commands
 * ------------------------------------------------------------------------------- */

/* Rewrite the pack at `pack` (compressed or not), run each command line of `argvs`
 * (NULL-terminated) on it with the truncation at `at`, and expect exit 4 and the
 * message; then no output of extract (out.bin) and no temporary file. */
static void expect_each_reports(when at, const char *pack, int compressed, const char *const *const *argvs) {
    const char *name = strrchr(pack, '/') + 1;
    for (size_t i = 0; argvs[i]; ++i) {
        unlink(pack);
        free(write_pack(name, compressed));
        long long before = file_size(pack);
        zct_run run = run_truncating(at, pack, argvs[i]);
        cr_assert_lt(file_size(pack), before);
        cr_assert(strstr(run.err, "bytes when opened"), "%s: no sizes in:\n%s", argvs[i][0], run.err);
        expect_changed(&run, pack);
    }
    char *out = zct_tmp_path("out.bin");
    cr_assert(!zct_exists(out), "extract wrote %s from a truncated pack", out);
    free(out);
    cr_assert_eq(zct_count_prefixed(zct_tmp, ".zc-"), 0, "extract left a temporary file");
}

#define ARGV(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Truncated while the runtime validates it inside zc_pack_open: every command. */
Test(mapped, every_command_reports_a_pack_truncated_during_open) {
    char *pack = write_pack("p.zcpack", 0), *out = zct_tmp_path("out.bin");
    const char *first = blob_paths[0];
    expect_each_reports(AFTER_MAP, pack, 0,
                        (const char *const *const[]){ ARGV("verify", pack), ARGV("ls", pack), ARGV("ls", pack, "--json"),
                                                      ARGV("info", pack), ARGV("cat", pack, first),
                                                      ARGV("dump", pack, first), ARGV("extract", pack, first, "-o", out),
                                                      ARGV("stats", pack), NULL });
    free(pack);
    free(out);
}

/* verify --json still prints its verdict, with the truncation as the error. */
Test(mapped, verify_json_reports_the_truncation) {
    char *pack = write_pack("p.zcpack", 0);
    zct_run run = RUN_TRUNCATING(AFTER_MAP, pack, "verify", pack, "--json");
    cr_assert(strstr(run.out, "\"ok\":\tfalse") || strstr(run.out, "\"ok\": false"), "stdout:\n%s", run.out);
    cr_assert(strstr(run.out, "ZC_ERR_TRUNCATED"), "stdout:\n%s", run.out);
    cr_assert(strstr(run.out, "changed size while being read"), "stdout:\n%s", run.out);
    expect_changed(&run, pack);
    free(pack);
}

/* Truncated after a successful open: the fault hits the command's own reads of the
 * TOC (the TOC lies at the end of the file, so it goes first). */
Test(mapped, commands_report_a_pack_truncated_after_open) {
    char *plain = write_pack("plain.zcpack", 0), *packed = write_pack("packed.zcpack", 1);
    char *out = zct_tmp_path("out.bin");
    const char *last = blob_paths[BLOB_COUNT - 1];
    expect_each_reports(AT_CLOSE, plain, 0,
                        (const char *const *const[]){ ARGV("ls", plain), ARGV("ls", plain, "--json"), ARGV("info", plain),
                                                      ARGV("stats", plain), ARGV("cat", plain, last),
                                                      ARGV("extract", plain, last, "-o", out), NULL });
    expect_each_reports(AT_CLOSE, packed, 1,
                        (const char *const *const[]){ ARGV("cat", packed, last), ARGV("dump", packed, last),
                                                      ARGV("extract", packed, last, "-o", out), NULL });
    free(plain);
    free(packed);
    free(out);
}

/* extract found the entry, then the pack shrinks before the bytes are written:
 * write(2) from the mapping fails with EFAULT, reported the same way, and the
 * temporary file is removed. */
Test(mapped, extract_reports_a_pack_truncated_before_writing) {
    char *pack = write_pack("p.zcpack", 0);
    char *out = zct_tmp_path("out.bin");
    zct_run run = RUN_TRUNCATING(AT_TMPFILE, pack, "extract", pack, blob_paths[BLOB_COUNT - 1], "-o", out);
    expect_changed(&run, pack);
    cr_assert(!zct_exists(out), "extract wrote %s from a truncated pack", out);
    cr_assert_eq(zct_count_prefixed(zct_tmp, ".zc-"), 0, "extract left its temporary file");
    free(pack);
    free(out);
}

/* The real program: `zcpack cat` blocks writing an entry into a full one-page pipe;
 * the pack is cut below the entry; once the pipe drains, the rest of the write(2)
 * from the mapping fails with EFAULT: exit 4, not an I/O error. */
Test(mapped, cat_reports_a_pack_truncated_while_writing) {
    char *pack = write_pack("p.zcpack", 0);
    zc_pack *p;
    zc_entry e;
    cr_assert_eq(zc_pack_open(&p, &(zc_pack_desc){ .path = pack }), ZC_OK);
    cr_assert_eq(zc_pack_find(p, blob_paths[BLOB_COUNT - 1], &e), ZC_OK);
    uint64_t offset = e.offset;
    zc_pack_close(p);
    char *err = zct_tmp_path("cat.stderr");
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    long page = sysconf(_SC_PAGESIZE);
    cr_assert_geq(fcntl(fds[1], F_SETPIPE_SZ, (int)page), page);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int e2 = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (e2 < 0 || dup2(fds[1], 1) < 0 || dup2(e2, 2) < 0) _exit(126);
        close(fds[0]);
        execl(zct_zcpack_bin(), "zcpack", "cat", pack, blob_paths[BLOB_COUNT - 1], (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    /* The pipe is full: cat sits in write(2) with the rest of the entry to copy. */
    int queued = 0;
    for (int tries = 0; tries < 10000 && queued < page; ++tries) {
        cr_assert_eq(ioctl(fds[0], FIONREAD, &queued), 0);
        if (queued < page) usleep(1000);
    }
    cr_assert_eq(queued, page, "cat never filled the pipe");
    cr_assert_eq(truncate(pack, (off_t)(offset / (uint64_t)page * (uint64_t)page)), 0);
    char buf[4096];
    size_t got = 0;
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        cr_assert_gt(n, 0, "read: %s", strerror(errno));
        got += (size_t)n;
    }
    close(fds[0]);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    zct_run run;
    memset(&run, 0, sizeof run);
    size_t n;
    run.err = (char *)zct_read_file(err, &n);
    run.out = NULL;
    cr_assert_not_null(run.err);
    cr_assert(WIFEXITED(status), "zcpack cat died of signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    run.code = WEXITSTATUS(status);
    cr_assert_lt(got, BLOB_SIZE, "cat wrote the whole entry (%zu bytes) from a truncated pack", got);
    expect_changed(&run, pack);
    free(err);
    free(pack);
}

/* diff of two packs names the one that shrank, not the other. */
Test(mapped, diff_names_the_pack_that_shrank) {
    char *a = write_pack("a.zcpack", 0);
    char *b = write_pack("b.zcpack", 1);
    for (int at = AFTER_MAP; at <= AT_CLOSE; ++at) {
        unlink(b);
        free(write_pack("b.zcpack", 1));
        zct_run run = RUN_TRUNCATING((when)at, b, "diff", a, b);
        char other[1200];
        snprintf(other, sizeof other, "%s: the pack", a);
        cr_assert(!strstr(run.err, other), "diff blamed %s:\n%s", a, run.err);
        expect_changed(&run, b);
    }
    free(a);
    free(b);
}

/* build's read-back of the pack it wrote shrinks right after it is mapped: the runtime
 * notices when it reads the header, before it touches the mapping, so the build fails
 * its verification (exit 1, "a pack the writer could not verify"), the output is
 * untouched, and the temporary file left behind is removed by the next build. */
Test(mapped, build_reports_its_output_truncated_during_verification) {
    char *root = zct_join(zct_tmp, "tree");
    zct_put_text(root, "a.txt", "source a\n");
    zct_put_text(root, "b/c.txt", "source c\n");
    char *outdir = zct_join(zct_tmp, "out");
    zct_mkdirs(outdir);
    char *pack = zct_join(outdir, "game.zcpack");
    zct_run run = RUN_TRUNCATING(AFTER_MAP, NULL, "build", root, "-o", pack, "--quiet");
    ZCT_EXPECT_CODE(run, ZC_EXIT_INTERNAL);
    ZCT_EXPECT_ERR(run, "changed size while being read");
    ZCT_EXPECT_ERR(run, "the written pack failed verification");
    zct_run_free(&run);
    cr_assert(!zct_exists(pack), "the build published a pack it could not verify");
    run = ZCT_CLI("build", root, "-o", pack, "--quiet");
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    cr_assert_eq(zct_count_prefixed(outdir, "game.zcpack"), 1, "a temporary file of the failed build remains");
    run = ZCT_CLI("verify", pack);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    free(root);
    free(outdir);
    free(pack);
}

/* ---------------------------------------------------------------------------------
 * The runtime: ZC_LOAD_READ, ZC_LOAD_MAP and the no_mmap alias
 * ------------------------------------------------------------------------------- */

static void read_every_entry(const zc_pack *pack) {
    cr_assert_eq(zc_pack_entry_count(pack), BLOB_COUNT);
    for (int i = 0; i < BLOB_COUNT; ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_find(pack, blob_paths[i], &e), ZC_OK);
        cr_assert_eq(e.raw_size, BLOB_SIZE);
        cr_assert_eq(memcmp(e.data, blob_bytes[i], BLOB_SIZE), 0, "%s changed", blob_paths[i]);
    }
}

/* Opened with ZC_LOAD_READ, then the file is cut to nothing and rewritten with
 * garbage: the pack still reads every entry intact and passes full validation. */
Test(mapped, load_read_survives_truncation_after_open) {
    char *path = write_pack("p.zcpack", 0);
    zc_pack *pack;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .load = ZC_LOAD_READ }), ZC_OK);
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
    cr_assert_eq(info.mapped, 0);
    cr_assert_eq(truncate(path, 0), 0);
    read_every_entry(pack);
    zct_write_file(path, "garbage", 7);
    cr_assert_eq(zc_pack_validate(pack, ZC_VALIDATE_CHECKSUMS), ZC_OK);
    read_every_entry(pack);
    zc_pack_close(pack);
    free(path);
}

/* The same with the default, ZC_LOAD_MAP: reading the entries past the new end kills
 * the reader with SIGBUS (what zc_pack_open's contract warns of). */
Test(mapped, load_map_faults_after_truncation) {
    char *path = write_pack("p.zcpack", 0);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        signal(SIGBUS, SIG_DFL); /* AddressSanitizer's handler would report and exit 1 */
        zc_pack *pack;
        zc_pack_info info;
        if (zc_pack_open(&pack, &(zc_pack_desc){ .path = path }) != ZC_OK || zc_pack_get_info(pack, &info) != ZC_OK ||
            !info.mapped || truncate(path, 0) != 0)
            _exit(1);
        volatile uint8_t sum = 0;
        for (int i = 0; i < BLOB_COUNT; ++i) {
            zc_entry e;
            if (zc_pack_find(pack, blob_paths[i], &e) != ZC_OK) _exit(0); /* the TOC read faults first */
            for (uint32_t j = 0; j < BLOB_SIZE; j += 512) sum += ((const uint8_t *)e.data)[j];
        }
        _exit(2);
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS, "status %d: expected death by SIGBUS", status);
    free(path);
}

/* no_mmap keeps meaning ZC_LOAD_READ; load values are checked. */
Test(mapped, load_modes_and_the_no_mmap_alias) {
    char *path = write_pack("p.zcpack", 0);
    struct {
        zc_load load;
        int no_mmap;
        int mapped;
    } ok[] = {
        { ZC_LOAD_DEFAULT, 0, 1 }, { ZC_LOAD_MAP, 0, 1 }, { ZC_LOAD_READ, 0, 0 },
        { ZC_LOAD_DEFAULT, 1, 0 }, { ZC_LOAD_READ, 1, 0 },
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; ++i) {
        zc_pack *pack;
        cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .load = ok[i].load, .no_mmap = ok[i].no_mmap }),
                     ZC_OK);
        zc_pack_info info;
        cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
        cr_assert_eq(info.mapped, ok[i].mapped, "load %d, no_mmap %d", (int)ok[i].load, ok[i].no_mmap);
        read_every_entry(pack);
        zc_pack_close(pack);
    }
    zct_log log;
    memset(&log, 0, sizeof log);
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .load = ZC_LOAD_MAP, .no_mmap = 1,
                                                       .logger = zct_log_recorder(&log) }),
                 ZC_ERR_INVALID_ARGUMENT);
    cr_assert_null(pack);
    cr_assert(zct_log_contains(&log, "no_mmap"), "log: %s", log.messages[0]);
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .load = (zc_load)(ZC_LOAD_READ + 1),
                                                       .logger = zct_log_recorder(&log) }),
                 ZC_ERR_INVALID_ARGUMENT);
    cr_assert(zct_log_contains(&log, "desc.load is not"), "log: %s", log.messages[1]);
    free(path);
}
