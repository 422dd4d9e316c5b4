/* zc_test_util.h - helpers shared by the Criterion suites: temporary directories,
 * whole-file I/O and source trees, the fixtures every suite uses (the test's
 * temporary directory, the sample pack), running the zcpack CLI with its output
 * captured, building packs with the writer, a counting (and optionally failing)
 * allocator, a log recorder and a seeded generator.
 *
 * Every helper either succeeds or fails the calling test with a Criterion assertion,
 * except where its comment says it returns a status. Criterion runs each test in its
 * own process, so the only state helpers keep is the fixtures' (zct_tmp,
 * zct_sample_path), which belongs to the running test.
 */
#ifndef ZC_TEST_UTIL_H
#define ZC_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "zc_pack.h"
#include "zc_writer.h"

/* ---------------------------------------------------------------------------------
 * Files and directories
 * ------------------------------------------------------------------------------- */

/* New private directory under /tmp (mkdtemp). Returns a malloc'd path. */
char *zct_mkdtemp(void);

/* The directory of this test program (bin/<config>/). Static string. */
const char *zct_self_dir(void);

/* Remove `path` and everything under it; symbolic links are removed, never followed.
 * A missing path is not an error. Returns 0 on success, -1 otherwise. */
int zct_rm_rf(const char *path);

/* Monotonic clock in nanoseconds. */
uint64_t zct_now_ns(void);

/* Sleep `ms` milliseconds (an interrupting signal may cut it short). */
void zct_sleep_ms(long ms);

/* 1 under a sanitizer run (ZC_SANITIZE_RUN set): slow, inflated memory; tests scale
 * their work or skip memory figures. */
int zct_sanitizing(void);

/* Open file descriptors of this process (/proc/self/fd, without the listing's own). */
int zct_count_fds(void);

/* The pids of the children of process `pid` (every thread's) whose name (comm) is
 * `name`, up to `cap`: the model worker processes (ZC__WORKER_NAME, ZC__SERVER_NAME of
 * zc_model_isolate.h). */
size_t zct_children_named(pid_t pid, const char *name, pid_t *out, size_t cap);

/* Lines of /proc/self/maps naming a file under `dir` (mapped packs, deleted or not). */
int zct_count_maps_under(const char *dir);

/* malloc'd "a/b" joined with one '/'. */
char *zct_join(const char *dir, const char *name);

/* Create every missing directory of `path` (like mkdir -p). */
void zct_mkdirs(const char *path);

/* Write `size` bytes to `path` (created or truncated), creating parent directories. */
void zct_write_file(const char *path, const void *data, size_t size);

/* Write `size` bytes to root/rel, creating parent directories (a tree to build). */
void zct_put(const char *root, const char *rel, const void *data, size_t size);

/* Write the NUL-terminated `text` (without its NUL) to root/rel. */
void zct_put_text(const char *root, const char *rel, const char *text);

/* Copy the file `src` to root/rel; asserts that `src` can be read. */
void zct_copy_file(const char *src, const char *root, const char *rel);

/* Whole file into a malloc'd buffer with one extra NUL byte after the data; NULL when
 * the file cannot be read (status, not an assertion). */
uint8_t *zct_read_file(const char *path, size_t *out_size);

/* Flip `flips` random bits of data[0, size) (a 64-bit LCG on *seed, so a run repeats):
 * the even-numbered flips land in data[0, min(head, size)), the odd ones anywhere. */
void zct_flip_bits(uint8_t *data, size_t size, size_t head, int flips, uint64_t *seed);

/* Whole file into a buffer aligned to `alignment` (power of two >= 16), for opening a
 * pack from memory. Free with free(). Asserts on failure. */
uint8_t *zct_read_file_aligned(const char *path, size_t alignment, size_t *out_size);

/* Copy of `size` bytes in a buffer aligned to `alignment`. Free with free(). */
uint8_t *zct_aligned_copy(const void *data, size_t size, size_t alignment);

/* 1 when the two files exist and have identical bytes. */
int zct_files_equal(const char *a, const char *b);

/* The source tree: $ZC_SOURCE_DIR, else two directories above this test program
 * (bin/<config>/). Static string. */
const char *zct_source_dir(void);

/* Path of `relative` (e.g. "samples/assets") under zct_source_dir(); asserts that it
 * exists. Static string, overwritten by the next call. */
const char *zct_source_path(const char *relative);

/* Bytes of the file `relative` under zct_source_dir(), as zct_read_file; asserts that
 * it can be read. */
uint8_t *zct_read_source(const char *relative, size_t *out_size);

/* 1 when `path` exists (lstat). */
int zct_exists(const char *path);

/* Number of directory entries in `dir` whose name starts with `prefix`. */
int zct_count_prefixed(const char *dir, const char *prefix);

/* ---------------------------------------------------------------------------------
 * Fixtures
 * ------------------------------------------------------------------------------- */

/* The running test's private directory (NULL when none): made by zct_tmp_setup, removed
 * with everything under it by zct_tmp_teardown. Criterion runs each test in its own
 * process, so each test has its own. */
extern char *zct_tmp;

/* The temporary-directory fixture, usable as it stands:
 *     TestSuite(name, .init = zct_tmp_setup, .fini = zct_tmp_teardown);
 * or called from a suite's own pair. Setup makes zct_tmp (zct_mkdtemp). Teardown
 * removes it (nothing when NULL: a test that set zct_tmp itself, or skipped before),
 * frees it, sets it to NULL, and ends with zct_assert_no_leaks(). */
void zct_tmp_setup(void);
void zct_tmp_teardown(void);

/* Remove zct_tmp and forget it, without the teardown's leak check. */
void zct_tmp_drop(void);

/* cr_skip_test for every test: Criterion runs no fixture teardown after a skip, so
 * the directory a fixture made (zct_tmp) is removed first. */
#define zct_skip_test(...)         \
    do {                           \
        zct_tmp_drop();            \
        cr_skip_test(__VA_ARGS__); \
    } while (0)

/* malloc'd zct_tmp/name. */
char *zct_tmp_path(const char *name);

/* The sample pack fixture (zct_write_sample_pack): setup runs zct_tmp_setup and writes
 * the sample pack to zct_sample_path (zct_tmp/sample.zcpack); teardown frees the path
 * and runs zct_tmp_teardown. */
extern char *zct_sample_path;
void zct_sample_setup(void);
void zct_sample_teardown(void);

/* ---------------------------------------------------------------------------------
 * The zcpack CLI
 * ------------------------------------------------------------------------------- */

/* Path of the CLI: $ZCPACK_BIN, else "zcpack" beside this test program. */
const char *zct_zcpack_bin(void);

/* Run the CLI with arguments argv[0..] (NULL-terminated, without the program name)
 * in directory `cwd` (NULL: inherit), stdout and stderr redirected to the given files
 * (NULL: /dev/null). Returns the exit status, 128 + signal number when killed by a
 * signal, or -1 when the program could not be started. */
int zct_run_cli(const char *cwd, const char *out_path, const char *err_path, const char *const argv[]);

/* The same for any program: argv[0] (found on PATH), argv[1..] its arguments. */
int zct_run_program(const char *cwd, const char *out_path, const char *err_path, const char *const argv[]);

/* One run of the CLI with its output captured. */
typedef struct zct_run {
    int code;                   /* exit status (asserted: started, not killed by a signal) */
    double seconds;             /* wall-clock time of the run */
    char *out;                  /* stdout, NUL-terminated */
    size_t out_size;            /* bytes of stdout, without the NUL */
    char *err;                  /* stderr, NUL-terminated */
} zct_run;

/* Run the CLI with arguments argv[0..] (NULL-terminated, without the program name) in
 * directory `cwd` (NULL: inherit), capturing stdout and stderr through files under
 * zct_tmp (which must be set). Asserts that the program started and was not killed by
 * a signal. Free with zct_run_free. */
zct_run zct_cli(const char *cwd, const char *const argv[]);
void zct_run_free(zct_run *run);

#define ZCT_CLI(...) zct_cli(NULL, (const char *const[]){ __VA_ARGS__, NULL })
#define ZCT_CLI_IN(cwd, ...) zct_cli(cwd, (const char *const[]){ __VA_ARGS__, NULL })

/* Assert the run's exit status; the message shows its stderr. */
#define ZCT_EXPECT_CODE(run, expected)                                                                     \
    cr_assert_eq((run).code, (expected), "exit %d, expected %d; stderr:\n%s", (run).code, (expected), (run).err)

/* Assert that the run's stderr contains `needle`. */
#define ZCT_EXPECT_ERR(run, needle)                                                                        \
    cr_assert(strstr((run).err, (needle)), "stderr lacks \"%s\":\n%s", (needle), (run).err)

/* ---------------------------------------------------------------------------------
 * Packs built with the writer
 * ------------------------------------------------------------------------------- */

typedef struct zct_blob {
    const char *path;           /* entry path */
    const void *data;           /* bytes; may be NULL when size is 0 */
    size_t size;
    uint32_t align_log2;        /* 0 = writer default (16 bytes) */
    const char *const *deps;    /* NULL-terminated paths whose asset ids are recorded; may be NULL */
} zct_blob;

/* Write the blobs, in order, into a pack at `out` through the writer API. Returns the
 * writer's result (the first failing call's), so tests can assert on errors. */
zc_result zct_write_pack(const char *out, const zct_blob *blobs, size_t count);

/* As zct_write_pack, with every entry a compression candidate (the writer stores it
 * compressed when the frame is smaller). */
zc_result zct_write_compressed_pack(const char *out, const zct_blob *blobs, size_t count);

/* An allocator over malloc/free that counts the allocations of at least `at_least`
 * bytes in *count (no other bookkeeping): tests count entry decodes with it. */
typedef struct zct_big_allocs {
    size_t at_least;
    long count;
} zct_big_allocs;
zc_allocator zct_big_alloc_counter(zct_big_allocs *big);

/* The small pack most runtime and corruption tests use: a handful of blobs of sizes
 * that are multiples of 16 (so entries tile the payload area), one empty blob, two
 * with identical bytes, one 4 KiB-aligned, one with dependencies. */
extern const zct_blob *zct_sample_blobs;
extern const size_t zct_sample_blob_count;

/* Write the sample pack to `out`; asserts success. */
void zct_write_sample_pack(const char *out);

/* The worked example of formats/SPEC.md (Appendix B): every byte of the pack that
 * holds one blob "hello.txt" with the 15 bytes "Hello, zcpack!\n", written by library
 * 0.1.0. */
extern const uint8_t zct_hello_pack[258];
extern const size_t zct_hello_pack_size;
#define ZCT_HELLO_TEXT "Hello, zcpack!\n"

/* The TOC record of `path` in a pack image (to change a field before zct_reseal);
 * asserts that it exists. */
zc_toc_entry *zct_record_of(uint8_t *pack, const char *path);

/* Recompute the TOC and header checksums of a pack image in place, so a test can
 * change a field and reach the check behind the checksums. The header must be intact
 * enough to locate the TOC. */
void zct_reseal(uint8_t *pack, size_t size);

/* ---------------------------------------------------------------------------------
 * Hooks
 * ------------------------------------------------------------------------------- */

/* Counts live allocations; fails allocation number `fail_at` (0-based) and every later
 * one when fail_at >= 0; with fail_once only that one allocation fails. */
typedef struct zct_alloc_stats {
    long live;                  /* allocations not yet freed */
    long allocs;                /* successful allocations */
    long frees;                 /* non-NULL frees */
    long calls;                 /* alloc calls, failed ones included */
    long fail_at;               /* -1: never fail */
    int fail_once;
    int bad_free;               /* free of a pointer this allocator did not return */
} zct_alloc_stats;

void zct_alloc_stats_init(zct_alloc_stats *stats, long fail_at);
zc_allocator zct_counting_allocator(zct_alloc_stats *stats);

#define ZCT_LOG_MAX 16
typedef struct zct_log {
    int count;                  /* messages received, even beyond ZCT_LOG_MAX */
    int errors;                 /* of them at ZC_LOG_ERROR */
    zc_log_level levels[ZCT_LOG_MAX];
    char messages[ZCT_LOG_MAX][512];
} zct_log;

zc_logger zct_log_recorder(zct_log *log);

/* 1 when some recorded message contains `needle`. */
int zct_log_contains(const zct_log *log, const char *needle);

/* Under LeakSanitizer: abort the test process when memory allocated during the test
 * is unreachable, so the test program exits non-zero. Elsewhere a no-op. Call it last
 * in a fixture's teardown. */
void zct_assert_no_leaks(void);

/* ---------------------------------------------------------------------------------
 * Signing keys
 * ------------------------------------------------------------------------------- */

/* Make key pair `name` in zct_tmp through zc_keygen (files <name>.key and <name>.pub)
 * and read back the halves asked for (secret and pub may be NULL). */
void zct_make_keys(const char *name, zc_secret_key *secret, zc_public_key *pub);

/* ---------------------------------------------------------------------------------
 * Deterministic data
 * ------------------------------------------------------------------------------- */

/* splitmix64 step. */
uint64_t zct_rand(uint64_t *state);

/* Fill `size` bytes from a generator seeded with `seed`. */
void zct_fill(void *data, size_t size, uint64_t seed);

#endif /* ZC_TEST_UTIL_H */
