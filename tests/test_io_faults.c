/* test_io_faults.c - I/O failure at every system call of zc_pack_open and of a whole
 * packer build, one call at a time.
 *
 * The runtime reaches its system calls through zc__posix_syscalls (runtime/zc_os.h),
 * the packer through zc__packer_sys (packer/build/zc_packer_sys.h). Both tables are
 * replaced by wrappers that count every call and make call number N (0, 1, 2, ...)
 * fail in one way: EIO, ENOSPC, EINTR, or a short read or write (half the bytes).
 * For every N until the operation runs without meeting the fault, the test checks
 * what each outcome must be:
 *
 *  - zc_pack_open (mapped and read): the result expected for that call (EIO at open,
 *    fstat and pread is ZC_ERR_IO; a failed mmap falls back to reading; EINTR at open
 *    and pread and every short read are retried), a logged sentence naming the path
 *    and the reason, every descriptor, mapping and allocation released, and a pack
 *    that opens is the one on disk, verified at CHECKSUMS;
 *  - zc_build of a small real tree (text, two identical binary files so duplicate
 *    payloads are compared and rolled back, a PNG texture, a manifest) over an
 *    existing pack, with fsync on: either ZC_OK and the output is byte for byte the
 *    pack a build without faults writes, or ZC_ERR_IO with an error naming the file at
 *    fault and the old pack unchanged; never a temporary file left beside the output,
 *    never a descriptor left open. EINTR and short transfers are always absorbed,
 *    except at rename and lseek, which are not retried: there EINTR fails the build
 *    cleanly. EIO and ENOSPC fail the build at every call that reads sources or
 *    writes the pack, and are absorbed only where the pack is already safe or the
 *    call tidies up (closing a source file, opening and syncing the directory after
 *    the rename). A disk that stays full from call N on is swept too;
 *  - the same build with the fault in the runtime's table, which the packer uses to
 *    re-open the temporary pack at CHECKSUMS before the rename (a fault there fails
 *    the build exactly as it fails zc_pack_open) and to read the finished pack's
 *    statistics after it (a fault there is absorbed: the pack is already in place),
 *    once mapped and once with every mmap refused so the verification reads.
 *
 * Leaks are found by LeakSanitizer in the sanitizer run (fixture teardown).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zc_build.h"
#include "zc_os.h"
#include "zc_pack.h"
#include "zc_packer_sys.h"
#include "zc_test_util.h"

static zc__posix_syscall_table saved_runtime;

static void setup(void) {
    saved_runtime = zc__posix_syscalls;
    zct_tmp_setup();
}

static void teardown(void) {
    zc__posix_syscalls = saved_runtime;
    zc__packer_sys_reset();
    zct_tmp_teardown();
}

TestSuite(io_faults, .init = setup, .fini = teardown, .timeout = 300);

/* ---------------------------------------------------------------------------------
 * The fault: call number `at` of the armed table fails as `kind`
 * ------------------------------------------------------------------------------- */

typedef enum fault_kind {
    FAULT_EIO,
    FAULT_ENOSPC,
    FAULT_EINTR,
    FAULT_SHORT,            /* reads and writes only: half the bytes (at least one) */
    FAULT_DISK_FULL,        /* ENOSPC at call `at` and every later write, pwrite, fsync, ftruncate */
    FAULT_KINDS
} fault_kind;

static const char *const kind_names[FAULT_KINDS] = { "EIO", "ENOSPC", "EINTR", "short transfer", "disk full" };

typedef struct fault {
    atomic_long calls;          /* calls made through the armed table */
    long at;                    /* index of the call that fails */
    fault_kind kind;
    atomic_int fired;           /* the fault happened (at least once) */
    const char *fired_in;       /* name of the first failed call */
    atomic_int opens, closes;   /* descriptors opened and closed through the table */
    atomic_int maps, unmaps;
} fault;

static fault F;

static void arm(long at, fault_kind kind) {
    atomic_store(&F.calls, 0);
    F.at = at;
    F.kind = kind;
    atomic_store(&F.fired, 0);
    F.fired_in = NULL;
    atomic_store(&F.opens, 0);
    atomic_store(&F.closes, 0);
    atomic_store(&F.maps, 0);
    atomic_store(&F.unmaps, 0);
}

static int fault_errno(void) {
    return F.kind == FAULT_EIO ? EIO : F.kind == FAULT_EINTR ? EINTR : ENOSPC;
}

/* Counts the call; 1 when it must fail (errno is then set). `transfer`: the call
 * moves bytes, so a short transfer applies to it; `writes`: it consumes disk space,
 * so a full disk refuses it. */
#define TRACE_MAX 64
static const char *trace[TRACE_MAX];  /* names of the first calls, for the runtime sweep */

static int hit(const char *name, int transfer, int writes) {
    long n = atomic_fetch_add(&F.calls, 1);
    if (n < TRACE_MAX) trace[n] = name;
    int fail;
    if (F.kind == FAULT_DISK_FULL) fail = writes && n >= F.at;
    else if (F.kind == FAULT_SHORT) fail = transfer && n == F.at;
    else fail = n == F.at;
    if (!fail) return 0;
    if (!atomic_exchange(&F.fired, 1)) F.fired_in = name;
    errno = fault_errno();
    return 1;
}

/* ---------------------------------------------------------------------------------
 * Wrappers for the runtime's table
 * ------------------------------------------------------------------------------- */

static int rt_open(const char *path, int flags, ...) {
    if (hit("open", 0, 0)) return -1;
    int fd = open(path, flags);
    if (fd >= 0) atomic_fetch_add(&F.opens, 1);
    return fd;
}
static int rt_fstat(int fd, struct stat *st) {
    if (hit("fstat", 0, 0)) return -1;
    return fstat(fd, st);
}
static int refuse_mmap;         /* every mmap fails with ENODEV (no fault counted): reads instead */

static void *rt_mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset) {
    if (hit("mmap", 0, 0)) return MAP_FAILED;
    if (refuse_mmap) {
        errno = ENODEV;
        return MAP_FAILED;
    }
    void *p = mmap(addr, length, prot, flags, fd, offset);
    if (p != MAP_FAILED) atomic_fetch_add(&F.maps, 1);
    return p;
}
static int rt_munmap(void *addr, size_t length) {
    int failed = hit("munmap", 0, 0);
    int e = errno;
    munmap(addr, length); /* the mapping goes whatever the call reports */
    atomic_fetch_add(&F.unmaps, 1);
    errno = e;
    return failed ? -1 : 0;
}
static ssize_t rt_pread(int fd, void *buf, size_t count, off_t offset) {
    if (hit("pread", 1, 0)) {
        if (F.kind != FAULT_SHORT) return -1;
        return pread(fd, buf, count > 1 ? count / 2 : count, offset);
    }
    return pread(fd, buf, count, offset);
}
static int rt_close(int fd) {
    int failed = hit("close", 0, 0);
    int e = errno;
    close(fd); /* Linux releases the descriptor even when close reports an error */
    atomic_fetch_add(&F.closes, 1);
    errno = e;
    return failed ? -1 : 0;
}

static void arm_runtime(void) {
    zc__posix_syscalls = (zc__posix_syscall_table){ .open = rt_open, .fstat = rt_fstat, .mmap = rt_mmap,
                                                    .munmap = rt_munmap, .pread = rt_pread, .close = rt_close };
}

/* ---------------------------------------------------------------------------------
 * Wrappers for the packer's table
 * ------------------------------------------------------------------------------- */

static int pk_open(const char *path, int flags, mode_t mode) {
    if (hit("open", 0, 0)) return -1;
    int fd = open(path, flags, mode);
    if (fd >= 0) atomic_fetch_add(&F.opens, 1);
    return fd;
}
static ssize_t pk_read(int fd, void *buf, size_t size) {
    if (hit("read", 1, 0)) {
        if (F.kind != FAULT_SHORT) return -1;
        return read(fd, buf, size > 1 ? size / 2 : size);
    }
    return read(fd, buf, size);
}
static ssize_t pk_write(int fd, const void *buf, size_t size) {
    if (hit("write", 1, 1)) {
        if (F.kind != FAULT_SHORT) return -1;
        return write(fd, buf, size > 1 ? size / 2 : size);
    }
    return write(fd, buf, size);
}
static ssize_t pk_pwrite(int fd, const void *buf, size_t size, off_t offset) {
    if (hit("pwrite", 1, 1)) {
        if (F.kind != FAULT_SHORT) return -1;
        return pwrite(fd, buf, size > 1 ? size / 2 : size, offset);
    }
    return pwrite(fd, buf, size, offset);
}
static ssize_t pk_pread(int fd, void *buf, size_t size, off_t offset) {
    if (hit("pread", 1, 0)) {
        if (F.kind != FAULT_SHORT) return -1;
        return pread(fd, buf, size > 1 ? size / 2 : size, offset);
    }
    return pread(fd, buf, size, offset);
}
static off_t pk_lseek(int fd, off_t offset, int whence) {
    if (hit("lseek", 0, 0)) return -1;
    return lseek(fd, offset, whence);
}
static int pk_ftruncate(int fd, off_t length) {
    if (hit("ftruncate", 0, 1)) return -1;
    return ftruncate(fd, length);
}
static int (*default_writeback)(int fd, off_t offset, off_t length);
static int pk_writeback(int fd, off_t offset, off_t length) {
    if (hit("writeback", 0, 0)) return -1;
    return default_writeback(fd, offset, length);
}
static int pk_fsync(int fd) {
    if (hit("fsync", 0, 1)) return -1;
    return fsync(fd);
}
static int pk_rename(const char *from, const char *to) {
    if (hit("rename", 0, 0)) return -1;
    return rename(from, to);
}
static int pk_unlink(const char *path) {
    if (hit("unlink", 0, 0)) return -1;
    return unlink(path);
}
static int pk_close(int fd) {
    int failed = hit("close", 0, 0);
    int e = errno;
    close(fd);
    atomic_fetch_add(&F.closes, 1);
    errno = e;
    return failed ? -1 : 0;
}

static void arm_packer(void) {
    zc__packer_sys_reset();
    default_writeback = zc__packer_sys.writeback;
    zc__packer_sys = (zc__packer_sys_table){ pk_open, pk_read, pk_write, pk_pwrite, pk_pread, pk_lseek,
                                             pk_ftruncate, pk_writeback, pk_fsync, pk_rename, pk_unlink,
                                             pk_close, opendir };
}

/* ---------------------------------------------------------------------------------
 * Shared checks
 * ------------------------------------------------------------------------------- */

static int has_error_naming(const zct_log *log, const char *name, const char *reason) {
    int n = log->count < ZCT_LOG_MAX ? log->count : ZCT_LOG_MAX;
    for (int i = 0; i < n; ++i)
        if (log->levels[i] == ZC_LOG_ERROR && strstr(log->messages[i], name) && strstr(log->messages[i], reason))
            return 1;
    return 0;
}

static const char *first_error(const zct_log *log) {
    int n = log->count < ZCT_LOG_MAX ? log->count : ZCT_LOG_MAX;
    for (int i = 0; i < n; ++i)
        if (log->levels[i] == ZC_LOG_ERROR) return log->messages[i];
    return "(no error logged)";
}

/* A real pack: samples/assets-like entries written by the packer from a small tree. */
static void write_tree(const char *root, int variant);

static uint8_t *read_all(const char *path, size_t *size) {
    uint8_t *bytes = zct_read_file(path, size);
    cr_assert_not_null(bytes, "cannot read %s", path);
    return bytes;
}

static int same_bytes(const char *path, const uint8_t *bytes, size_t size) {
    size_t n;
    uint8_t *now = zct_read_file(path, &n);
    int same = now && n == size && memcmp(now, bytes, size) == 0;
    free(now);
    return same;
}

static void assert_verifies(const char *path) {
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_CHECKSUMS });
    cr_assert_eq(r, ZC_OK, "%s does not verify: %s", path, zc_result_name(r));
    zc_pack_close(pack);
}

/* ---------------------------------------------------------------------------------
 * The tree a build packs
 * ------------------------------------------------------------------------------- */

/* variant 0: the tree the faulty builds pack; variant 1: another tree, whose pack is
 * the "old" one the output path holds before each build. */
static void write_tree(const char *root, int variant) {
    char *path;
    if (variant == 1) {
        path = zct_join(root, "old.txt");
        zct_write_file(path, "the previous generation\n", 24);
        free(path);
        return;
    }
    /* 100 KiB of text: compressed in memory, written through the 64 KiB buffer */
    size_t text_size = 100 * 1024;
    char *text = malloc(text_size);
    cr_assert_not_null(text);
    for (size_t i = 0, line = 0; i < text_size; ++line) {
        int n = snprintf(text + i, text_size - i, "%zu: the quick brown fox jumps over the lazy dog\n", line);
        i += (size_t)n < text_size - i ? (size_t)n : text_size - i;
    }
    path = zct_join(root, "docs/notes.txt");
    zct_write_file(path, text, text_size);
    free(path);
    free(text);
    /* 70 KiB of noise twice: stored raw, the second a twin compared and rolled back */
    size_t noise_size = 70 * 1024;
    uint8_t *noise = malloc(noise_size);
    cr_assert_not_null(noise);
    zct_fill(noise, noise_size, 99);
    path = zct_join(root, "data/a.bin");
    zct_write_file(path, noise, noise_size);
    free(path);
    path = zct_join(root, "data/b.bin");
    zct_write_file(path, noise, noise_size);
    free(path);
    free(noise);
    size_t png_size;
    uint8_t *png = zct_read_source("samples/assets/textures/bricks_n.png", &png_size);
    path = zct_join(root, "textures/bricks_n.png");
    zct_write_file(path, png, png_size);
    free(path);
    free(png);
    static const char manifest[] = "{ \"rules\": [ { \"match\": \"textures*\", \"max_size\": 32 } ] }\n";
    path = zct_join(root, "zcpack.json");
    zct_write_file(path, manifest, sizeof manifest - 1);
    free(path);
}

/* ---------------------------------------------------------------------------------
 * zc_pack_open
 * ------------------------------------------------------------------------------- */

typedef struct open_case {
    const char *path;
    const uint8_t *bytes;       /* the file's contents */
    size_t size;
} open_case;

/* What zc_pack_open must return when the fault hit `fn` (runtime/zc_os.h and
 * zc_pack.c): open retries EINTR; fstat is not retried; a failed mmap falls back to
 * reading; reads continue after EINTR and short reads; close and munmap failures do
 * not matter once the bytes are in memory. */
static zc_result expected_open_result(const char *fn, fault_kind kind) {
    if (strcmp(fn, "open") == 0) return kind == FAULT_EINTR ? ZC_OK : ZC_ERR_IO;
    if (strcmp(fn, "fstat") == 0) return ZC_ERR_IO;
    if (strcmp(fn, "pread") == 0) return kind == FAULT_EINTR || kind == FAULT_SHORT ? ZC_OK : ZC_ERR_IO;
    return ZC_OK; /* mmap, munmap, close */
}

/* Open the pack with call `at` failing; returns 1 when the fault happened. */
static int open_with_fault(const open_case *c, int no_mmap, long at, fault_kind kind, int *counts) {
    arm(at, kind);
    arm_runtime();
    zct_alloc_stats stats;
    zct_alloc_stats_init(&stats, -1);
    zct_log log;
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = c->path, .validate = ZC_VALIDATE_CHECKSUMS,
                                                       .no_mmap = no_mmap,
                                                       .allocator = zct_counting_allocator(&stats),
                                                       .logger = zct_log_recorder(&log) });
    int fired = atomic_load(&F.fired);
    const char *fn = fired ? F.fired_in : "(none)";
    if (r == ZC_OK) {
        cr_assert_not_null(pack);
        zc_pack_info info;
        cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
        cr_assert_eq(info.file_size, c->size);
        cr_assert_eq(info.mapped, !no_mmap && !(fired && strcmp(fn, "mmap") == 0));
        cr_assert_eq(info.validated, ZC_VALIDATE_CHECKSUMS);
        for (uint32_t i = 0; i < info.entry_count; ++i) {
            zc_entry e;
            cr_assert_eq(zc_pack_entry_at(pack, i, &e), ZC_OK);
            cr_assert_eq(memcmp(e.data, c->bytes + e.offset, e.stored_size), 0, "entry %s differs from the file",
                         e.path);
        }
        zc_pack_close(pack);
        if (!fired && atomic_load(&F.fired)) { /* the fault met the munmap of the close */
            fired = 1;
            fn = F.fired_in;
        }
    } else {
        cr_assert_null(pack);
        cr_assert_eq(log.errors, 1, "one error sentence, got %d", log.errors);
        cr_assert(has_error_naming(&log, c->path, strerror(fault_errno())),
                  "the error names the path and the reason: %s", first_error(&log));
    }
    zc__posix_syscalls = saved_runtime;
    zc_result want = fired ? expected_open_result(fn, kind) : ZC_OK;
    cr_assert_eq(r, want, "%s at call %ld (%s, %s): %s, expected %s", kind_names[kind], at, fn,
                 no_mmap ? "read" : "mapped", zc_result_name(r), zc_result_name(want));
    cr_assert_eq(stats.live, 0, "%s at call %ld (%s): %ld allocations left", kind_names[kind], at, fn, stats.live);
    cr_assert_eq(atomic_load(&F.opens), atomic_load(&F.closes), "%s at call %ld (%s): %d descriptors opened, %d closed",
                 kind_names[kind], at, fn, atomic_load(&F.opens), atomic_load(&F.closes));
    cr_assert_eq(atomic_load(&F.maps), atomic_load(&F.unmaps), "%s at call %ld (%s): %d mappings, %d unmapped",
                 kind_names[kind], at, fn, atomic_load(&F.maps), atomic_load(&F.unmaps));
    if (fired && r == ZC_OK && strcmp(fn, "mmap") == 0)
        cr_assert(zct_log_contains(&log, "cannot map"), "the fallback to reading is logged");
    if (fired) counts[r == ZC_OK ? 0 : 1]++;
    return fired;
}

Test(io_faults, pack_open_at_every_call) {
    char *root = zct_tmp_path("tree");
    write_tree(root, 0);
    char *pack_path = zct_join(zct_tmp, "tree.zcpack");
    zct_log log;
    zc_build_stats stats;
    zc_result r = zc_build(&(zc_build_desc){ .input_dir = root, .output_path = pack_path, .no_sync = 1, .threads = 1,
                                             .logger = zct_log_recorder(&log) }, &stats);
    cr_assert_eq(r, ZC_OK, "%s", first_error(&log));
    open_case c = { .path = pack_path };
    uint8_t *bytes = read_all(pack_path, &c.size);
    c.bytes = bytes;
    int total = 0;
    for (int no_mmap = 0; no_mmap <= 1; ++no_mmap) {
        for (int kind = FAULT_EIO; kind <= FAULT_SHORT; ++kind) {
            int counts[2] = { 0, 0 };
            long at = 0;
            for (;; ++at) {
                cr_assert_lt(at, 1000, "zc_pack_open never finished its calls");
                int fired = open_with_fault(&c, no_mmap, at, (fault_kind)kind, counts);
                if (!fired && at >= atomic_load(&F.calls)) break; /* past the last call */
            }
            cr_assert_gt(at, 2, "an open makes several system calls");
            fprintf(stderr, "io_faults: zc_pack_open (%s), %s at each of %ld calls: %d opened, %d refused\n",
                    no_mmap ? "read" : "mapped", kind_names[kind], at, counts[0], counts[1]);
            total += counts[0] + counts[1];
        }
    }
    cr_assert_gt(total, 12);
    free(bytes);
    free(pack_path);
    free(root);
}

/* ---------------------------------------------------------------------------------
 * zc_build: the write-and-rename path
 * ------------------------------------------------------------------------------- */

typedef struct build_case {
    char *root;                 /* the tree */
    char *out;                  /* dir/out.zcpack */
    uint8_t *old_bytes, *new_bytes;
    size_t old_size, new_size;
} build_case;

static void build_case_init(build_case *b) {
    b->root = zct_tmp_path("tree");
    write_tree(b->root, 0);
    char *old_root = zct_tmp_path("old");
    write_tree(old_root, 1);
    b->out = zct_join(zct_tmp, "out.zcpack");
    zct_log log;
    zc_result r = zc_build(&(zc_build_desc){ .input_dir = old_root, .output_path = b->out, .no_sync = 1,
                                             .logger = zct_log_recorder(&log) }, NULL);
    cr_assert_eq(r, ZC_OK, "%s", first_error(&log));
    b->old_bytes = read_all(b->out, &b->old_size);
    char *fresh = zct_join(zct_tmp, "reference.zcpack");
    r = zc_build(&(zc_build_desc){ .input_dir = b->root, .output_path = fresh, .threads = 1,
                                   .logger = zct_log_recorder(&log) }, NULL);
    cr_assert_eq(r, ZC_OK, "%s", first_error(&log));
    b->new_bytes = read_all(fresh, &b->new_size);
    unlink(fresh);
    free(fresh);
    free(old_root);
}

static void build_case_free(build_case *b) {
    free(b->root);
    free(b->out);
    free(b->old_bytes);
    free(b->new_bytes);
}

/* Calls whose failure a build must absorb, by kind: EINTR is retried everywhere but at
 * rename and lseek (neither reports it on local file systems), a short transfer is
 * continued. Calls whose failure must fail the build: every read of a source and
 * every write, read-back, cut or rename of the pack. open, fsync and close fail it
 * or not depending on the call site (the temporary file or the directory sync after
 * the rename, a source file's close), so the test only checks the outcome is clean. */
static int must_succeed(const char *fn, fault_kind kind) {
    if (kind == FAULT_SHORT || strcmp(fn, "writeback") == 0) return 1; /* a hint: its failure changes nothing */
    if (kind == FAULT_EINTR) return strcmp(fn, "rename") != 0 && strcmp(fn, "lseek") != 0;
    return 0;
}
static int must_fail(const char *fn, fault_kind kind) {
    if (kind == FAULT_SHORT || kind == FAULT_EINTR) return !must_succeed(fn, kind);
    return strcmp(fn, "read") == 0 || strcmp(fn, "write") == 0 || strcmp(fn, "pwrite") == 0 ||
           strcmp(fn, "pread") == 0 || strcmp(fn, "ftruncate") == 0 || strcmp(fn, "lseek") == 0 ||
           strcmp(fn, "rename") == 0;
}

typedef struct sweep_counts {
    long builds, written, refused;
    char absorbed[256];         /* calls whose failure the build absorbed, e.g. "close fsync" */
    char sample[512];           /* the first error sentence of a failed build */
} sweep_counts;

static void note_absorbed(sweep_counts *c, const char *fn) {
    char word[32];
    snprintf(word, sizeof word, " %s", fn);
    if (strstr(c->absorbed, word)) return;
    size_t n = strlen(c->absorbed);
    snprintf(c->absorbed + n, sizeof c->absorbed - n, "%s", word);
}

/* The runtime's calls during a build: first the writer's verification (zc_pack_open at
 * CHECKSUMS of the temporary file, up to and including the munmap of its close), then
 * the build's re-open of the renamed pack for its statistics, whose failure only
 * leaves the statistics at zero. Index of the verification's last call. */
static long verify_end = -1;

static zc_result expected_build_result(const char *fn, long at, fault_kind kind) {
    return at <= verify_end ? expected_open_result(fn, kind) : ZC_OK;
}

/* Run one build with the armed fault and check its outcome; returns 1 when the fault
 * happened. `runtime`: the fault is in the runtime's table (the verification re-open),
 * else in the packer's. */
static int build_with_fault(build_case *b, int runtime, long at, fault_kind kind, sweep_counts *counts) {
    zct_write_file(b->out, b->old_bytes, b->old_size); /* plain libc, not through the tables */
    arm(at, kind);
    if (runtime) arm_runtime();
    else arm_packer();
    zct_log log;
    zc_build_stats stats;
    zc_result r = zc_build(&(zc_build_desc){ .input_dir = b->root, .output_path = b->out, .threads = 1,
                                             .logger = zct_log_recorder(&log) }, &stats);
    zc__packer_sys_reset();
    zc__posix_syscalls = saved_runtime;
    int fired = atomic_load(&F.fired);
    const char *fn = fired ? F.fired_in : "(none)";
    const char *where = runtime ? "runtime" : "packer";
    cr_assert_eq(zct_count_prefixed(zct_tmp, ".zc-"), 0, "%s at %s call %ld (%s): a temporary file is left",
                 kind_names[kind], where, at, fn);
    cr_assert_eq(atomic_load(&F.opens), atomic_load(&F.closes),
                 "%s at %s call %ld (%s): %d descriptors opened, %d closed", kind_names[kind], where, at, fn,
                 atomic_load(&F.opens), atomic_load(&F.closes));
    if (r == ZC_OK) {
        cr_assert(same_bytes(b->out, b->new_bytes, b->new_size),
                  "%s at %s call %ld (%s): the build succeeded but the output is not the expected pack",
                  kind_names[kind], where, at, fn);
        assert_verifies(b->out);
        cr_assert(!fired || runtime || !must_fail(fn, kind), "%s at %s call %ld (%s) went unnoticed",
                  kind_names[kind], where, at, fn);
        cr_assert_eq(stats.pack_written, 1);
        if (fired && runtime)
            cr_assert_eq(expected_build_result(fn, at, kind), ZC_OK, "%s at %s call %ld (%s) went unnoticed",
                         kind_names[kind], where, at, fn);
    } else {
        cr_assert(fired, "the build failed without a fault: %s", first_error(&log));
        if (runtime)
            cr_assert_neq(expected_build_result(fn, at, kind), ZC_OK, "%s at %s call %ld (%s) failed the build: %s",
                          kind_names[kind], where, at, fn, first_error(&log));
        cr_assert_eq(r, ZC_ERR_IO, "%s at %s call %ld (%s): %s (%s)", kind_names[kind], where, at, fn,
                     zc_result_name(r), first_error(&log));
        cr_assert(same_bytes(b->out, b->old_bytes, b->old_size),
                  "%s at %s call %ld (%s): the failed build changed the old pack", kind_names[kind], where, at, fn);
        cr_assert(runtime || !must_succeed(fn, kind), "%s at %s call %ld (%s) failed the build: %s",
                  kind_names[kind], where, at, fn, first_error(&log));
        const char *reason = strerror(fault_errno());
        cr_assert(has_error_naming(&log, b->out, reason) || has_error_naming(&log, b->root, reason) ||
                      has_error_naming(&log, "docs/notes.txt", reason) || has_error_naming(&log, "data/", reason) ||
                      has_error_naming(&log, "textures/", reason) || has_error_naming(&log, "zcpack.json", reason),
                  "%s at %s call %ld (%s): the error names no file and no reason: %s", kind_names[kind], where, at,
                  fn, first_error(&log));
        cr_assert_eq(stats.pack_written, 0);
    }
    if (fired) {
        counts->builds++;
        if (r == ZC_OK) {
            counts->written++;
            if (!must_succeed(fn, kind)) note_absorbed(counts, fn);
        } else {
            counts->refused++;
            if (!counts->sample[0]) snprintf(counts->sample, sizeof counts->sample, "%s", first_error(&log));
        }
    }
    return fired;
}

/* Every call index for one kind; returns the number of calls a build makes. */
static long sweep_build(build_case *b, int runtime, fault_kind kind, sweep_counts *counts) {
    long at = 0;
    for (;; ++at) {
        cr_assert_lt(at, 5000, "the build never finished its calls");
        build_with_fault(b, runtime, at, kind, counts);
        if (!atomic_load(&F.fired) && at >= atomic_load(&F.calls)) break; /* past the last call */
    }
    return at;
}

static void report(const char *what, fault_kind kind, long calls, const sweep_counts *c) {
    fprintf(stderr, "io_faults: %s, %s at each of %ld calls: %ld builds met it, %ld wrote the new pack, %ld failed "
                    "cleanly\n", what, kind_names[kind], calls, c->builds, c->written, c->refused);
    if (c->absorbed[0]) fprintf(stderr, "  absorbed at:%s\n", c->absorbed);
    if (c->sample[0]) fprintf(stderr, "  e.g. %s\n", c->sample);
}

Test(io_faults, build_at_every_packer_call) {
    build_case b;
    build_case_init(&b);
    sweep_counts none = { 0 };
    build_with_fault(&b, 0, -1, FAULT_EIO, &none); /* no fault: list the calls a build makes */
    char names[512] = "";
    long traced = atomic_load(&F.calls) < TRACE_MAX ? atomic_load(&F.calls) : TRACE_MAX;
    for (long i = 0; i < traced; ++i) {
        size_t n = strlen(names);
        snprintf(names + n, sizeof names - n, " %s", trace[i]);
    }
    fprintf(stderr, "io_faults: a build's packer calls:%s\n", names);
    static const char *const needed[] = { " open", " read", " write", " pwrite", " pread", " ftruncate", " lseek",
                                          " fsync", " rename", " close" };
    for (size_t k = 0; k < sizeof needed / sizeof needed[0]; ++k)
        cr_assert(strstr(names, needed[k]), "the build makes no%s call", needed[k]);
    long calls = 0;
    for (int kind = FAULT_EIO; kind < FAULT_KINDS; ++kind) {
        sweep_counts c = { 0 };
        calls = sweep_build(&b, 0, (fault_kind)kind, &c);
        report("zc_build, packer calls", (fault_kind)kind, calls, &c);
        cr_assert_gt(c.builds, 0);
        if (kind == FAULT_EIO || kind == FAULT_ENOSPC || kind == FAULT_DISK_FULL) cr_assert_gt(c.refused, 0);
        if (kind == FAULT_SHORT) cr_assert_eq(c.refused, 0);
    }
    cr_assert_gt(calls, 20, "a build makes many packer calls");
    /* After all that, a clean build still writes the pack. */
    zct_log log;
    cr_assert_eq(zc_build(&(zc_build_desc){ .input_dir = b.root, .output_path = b.out, .threads = 1,
                                            .logger = zct_log_recorder(&log) }, NULL), ZC_OK);
    cr_assert(same_bytes(b.out, b.new_bytes, b.new_size));
    build_case_free(&b);
}

Test(io_faults, build_at_every_verification_call) {
    build_case b;
    build_case_init(&b);
    sweep_counts none = { 0 };
    /* Mapped, then with every mmap refused so the verification reads the file. */
    for (refuse_mmap = 0; refuse_mmap <= 1; ++refuse_mmap) {
        /* no fault: find where the verification ends, at its munmap (mapped) or at the
         * close after its read (not mapped) */
        verify_end = -1;
        build_with_fault(&b, 1, -1, FAULT_EIO, &none);
        const char *last = refuse_mmap ? "close" : "munmap";
        for (long i = 0; i < atomic_load(&F.calls) && i < TRACE_MAX && verify_end < 0; ++i)
            if (strcmp(trace[i], last) == 0) verify_end = i;
        cr_assert_geq(verify_end, 3, "the verification opens, maps or reads, and lets go of the pack");
        for (int kind = FAULT_EIO; kind <= FAULT_SHORT; ++kind) {
            if (kind == FAULT_ENOSPC) continue; /* the runtime only reads */
            sweep_counts c = { 0 };
            long calls = sweep_build(&b, 1, (fault_kind)kind, &c);
            report(refuse_mmap ? "zc_build, verification calls (read, not mapped)" : "zc_build, verification calls",
                   (fault_kind)kind, calls, &c);
            cr_assert_gt(calls, 2);
            if (kind == FAULT_EIO)
                cr_assert_gt(c.refused, 0, "a verification that cannot read the pack fails the build");
            if (kind == FAULT_SHORT && refuse_mmap) cr_assert_gt(c.written, 0, "short reads are continued");
        }
    }
    refuse_mmap = 0;
    build_case_free(&b);
}
