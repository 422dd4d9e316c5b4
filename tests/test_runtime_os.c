/* test_runtime_os.c - the runtime's POSIX layer under injected system call failures
 * (zc__posix_syscalls, runtime/zc_os.h): a failed mapping falls back to reading, read
 * errors and short files are reported with the right code, interrupted calls are
 * retried, and every descriptor, mapping and allocation is released on every path.
 * Also files that are not packs at all: a FIFO must not block the open.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zc_os.h"
#include "zc_pack.h"
#include "zc_test_util.h"

static zc__posix_syscall_table saved;

static int opens, closes, maps, unmaps;
static int open_errno;          /* non-zero: open fails with it (once when open_once) */
static int open_once;
static int pread_mode;          /* see fake_pread */

static void setup(void) {
    saved = zc__posix_syscalls;
    zct_sample_setup();
}

static void teardown(void) {
    zc__posix_syscalls = saved;
    zct_sample_teardown();
}

TestSuite(runtime_os, .init = setup, .fini = teardown, .timeout = 30);

static int fake_open(const char *path, int flags, ...) {
    if (open_errno) {
        int e = open_errno;
        if (open_once) open_errno = 0;
        errno = e;
        return -1;
    }
    int fd = open(path, flags);
    if (fd >= 0) opens++;
    return fd;
}
static int fake_close(int fd) {
    closes++;
    return close(fd);
}
static void *fake_mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset) {
    void *p = mmap(addr, length, prot, flags, fd, offset);
    if (p != MAP_FAILED) maps++;
    return p;
}
static void *failing_mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset) {
    (void)addr; (void)length; (void)prot; (void)flags; (void)fd; (void)offset;
    errno = ENOMEM;
    return MAP_FAILED;
}
static int fake_munmap(void *addr, size_t length) {
    unmaps++;
    return munmap(addr, length);
}
static int failing_fstat(int fd, struct stat *st) {
    (void)fd; (void)st;
    errno = EIO;
    return -1;
}
/* pread_mode: 0 plain, 1 EIO, 2 one byte at a time, 3 end of file after 64 bytes,
 * 4 EINTR on every other call */
static ssize_t fake_pread(int fd, void *buf, size_t count, off_t offset) {
    static int toggle;
    switch (pread_mode) {
    case 1: errno = EIO; return -1;
    case 2: return pread(fd, buf, count ? 1 : 0, offset);
    case 3: return offset >= 64 ? 0 : pread(fd, buf, count < (size_t)(64 - offset) ? count : (size_t)(64 - offset), offset);
    case 4:
        if ((toggle ^= 1) != 0) {
            errno = EINTR;
            return -1;
        }
        return pread(fd, buf, count, offset);
    default: return pread(fd, buf, count, offset);
    }
}

static void install(void) {
    zc__posix_syscalls.open = fake_open;
    zc__posix_syscalls.close = fake_close;
    zc__posix_syscalls.mmap = fake_mmap;
    zc__posix_syscalls.munmap = fake_munmap;
    zc__posix_syscalls.pread = fake_pread;
}

static void check_contents(const zc_pack *pack) {
    for (size_t i = 0; i < zct_sample_blob_count; ++i) {
        const zct_blob *b = &zct_sample_blobs[i];
        zc_entry e;
        cr_assert_eq(zc_pack_find(pack, b->path, &e), ZC_OK);
        cr_assert_eq(e.raw_size, b->size);
        if (b->size) cr_assert_eq(memcmp(e.data, b->data, b->size), 0);
        cr_assert_eq((uintptr_t)e.data % e.alignment, 0);
    }
}

/* Open with a counting allocator and a log; check nothing is held afterwards. */
static zc_result open_and_release(zc_pack_desc desc, zct_log *log, int expect_mapped) {
    zct_alloc_stats stats;
    zct_alloc_stats_init(&stats, -1);
    desc.allocator = zct_counting_allocator(&stats);
    desc.logger = zct_log_recorder(log);
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &desc);
    if (r == ZC_OK) {
        zc_pack_info info;
        cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
        cr_assert_eq(info.mapped, expect_mapped);
        check_contents(pack);
        zc_pack_close(pack);
    } else {
        cr_assert_null(pack);
        cr_assert_eq(log->errors, 1, "one error sentence");
    }
    cr_assert_eq(stats.live, 0, "allocations left after close");
    cr_assert_eq(opens, closes, "%d descriptors opened, %d closed", opens, closes);
    cr_assert_eq(maps, unmaps, "%d mappings made, %d removed", maps, unmaps);
    return r;
}

Test(runtime_os, mapped_open_releases_everything) {
    install();
    zct_log log;
    cr_assert_eq(open_and_release((zc_pack_desc){ .path = zct_sample_path }, &log, 1), ZC_OK);
    cr_assert_eq(maps, 1);
    cr_assert_eq(opens, 1);
    cr_assert_eq(log.count, 0);
}

Test(runtime_os, failed_mapping_falls_back_to_reading) {
    install();
    zc__posix_syscalls.mmap = failing_mmap;
    zct_log log;
    cr_assert_eq(open_and_release((zc_pack_desc){ .path = zct_sample_path }, &log, 0), ZC_OK);
    cr_assert_eq(log.errors, 0);
    cr_assert_geq(log.count, 1, "the fallback is reported as a warning");
    cr_assert_eq(log.levels[0], ZC_LOG_WARNING);
}

Test(runtime_os, read_error) {
    install();
    pread_mode = 1;
    zct_log log;
    cr_assert_eq(open_and_release((zc_pack_desc){ .path = zct_sample_path, .no_mmap = 1 }, &log, 0), ZC_ERR_IO);
    cr_assert(zct_log_contains(&log, strerror(EIO)), "the reason is logged: %s", log.messages[0]);
    cr_assert(zct_log_contains(&log, zct_sample_path));
}

Test(runtime_os, short_reads_are_continued) {
    install();
    pread_mode = 2;
    zct_log log;
    cr_assert_eq(open_and_release((zc_pack_desc){ .path = zct_sample_path, .no_mmap = 1 }, &log, 0), ZC_OK);
    pread_mode = 4;
    cr_assert_eq(open_and_release((zc_pack_desc){ .path = zct_sample_path, .no_mmap = 1 }, &log, 0), ZC_OK,
                 "EINTR is retried");
}

Test(runtime_os, file_shrinking_while_read) {
    install();
    pread_mode = 3;
    zct_log log;
    cr_assert_eq(open_and_release((zc_pack_desc){ .path = zct_sample_path, .no_mmap = 1 }, &log, 0), ZC_ERR_TRUNCATED);
}

Test(runtime_os, stat_fails) {
    install();
    zc__posix_syscalls.fstat = failing_fstat;
    zct_log log;
    cr_assert_eq(open_and_release((zc_pack_desc){ .path = zct_sample_path }, &log, 1), ZC_ERR_IO);
    cr_assert_eq(opens, 1);
}

Test(runtime_os, open_errors) {
    install();
    zct_log log;
    open_errno = EACCES;
    cr_assert_eq(open_and_release((zc_pack_desc){ .path = zct_sample_path }, &log, 1), ZC_ERR_IO);
    cr_assert(zct_log_contains(&log, strerror(EACCES)), "%s", log.messages[0]);
    open_errno = ENOENT;
    cr_assert_eq(open_and_release((zc_pack_desc){ .path = zct_sample_path }, &log, 1), ZC_ERR_FILE_NOT_FOUND);
    open_errno = EMFILE;
    cr_assert_eq(open_and_release((zc_pack_desc){ .path = zct_sample_path }, &log, 1), ZC_ERR_IO);
    open_errno = EINTR;
    open_once = 1;
    cr_assert_eq(open_and_release((zc_pack_desc){ .path = zct_sample_path }, &log, 1), ZC_OK, "EINTR is retried");
}

/* A FIFO (or any special file) is not a pack: open must say so, not wait for a writer.
 * The open runs in a child process with an alarm, so a blocking open fails the test
 * (and lets the fixture clean up) instead of hanging it. */
Test(runtime_os, fifo_does_not_block) {
    char *fifo = zct_join(zct_tmp, "pipe.zcpack");
    cr_assert_eq(mkfifo(fifo, 0644), 0);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        alarm(3);
        zc_pack *pack = NULL;
        zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = fifo });
        _exit(pack == NULL ? (int)r : 100);
    }
    free(fifo);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(!WIFSIGNALED(status), "zc_pack_open on a FIFO blocked (killed by signal %d after 3 s)",
              WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    cr_assert(WIFEXITED(status));
    cr_assert_eq(WEXITSTATUS(status), ZC_ERR_IO, "zc_pack_open on a FIFO returned %d", WEXITSTATUS(status));
}

Test(runtime_os, device_is_not_a_pack) {
    zct_log log;
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = "/dev/null", .logger = zct_log_recorder(&log) }),
                 ZC_ERR_IO);
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = "/dev/zero", .no_mmap = 1 }), ZC_ERR_IO);
    cr_assert_null(pack);
}

Test(runtime_os, symlink_to_a_pack_opens) {
    char *link = zct_join(zct_tmp, "link.zcpack");
    cr_assert_eq(symlink(zct_sample_path, link), 0);
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = link }), ZC_OK);
    check_contents(pack);
    zc_pack_close(pack);
    free(link);
}

/* The pack stays usable after its file is removed or replaced (the mapping holds the
 * old bytes), which is how a writer's rename looks to a reader. */
Test(runtime_os, file_replaced_while_open) {
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = zct_sample_path }), ZC_OK);
    char *other = zct_join(zct_tmp, "other.zcpack");
    static const zct_blob blobs[] = { { "a.bin", "new bytes", 9, 0, NULL } };
    cr_assert_eq(zct_write_pack(other, blobs, 1), ZC_OK);
    cr_assert_eq(rename(other, zct_sample_path), 0);
    check_contents(pack);
    zc_pack_close(pack);
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = zct_sample_path }), ZC_OK);
    cr_assert_eq(zc_pack_entry_count(pack), 1);
    zc_pack_close(pack);
    free(other);
}
