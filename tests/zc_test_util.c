/* zc_test_util.c - shared helpers of the test suites (see zc_test_util.h). */
#define _GNU_SOURCE
#include "zc_test_util.h"
#include "fuzz/zc_fuzz_walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

/* ---------------------------------------------------------------------------------
 * Files and directories
 * ------------------------------------------------------------------------------- */

char *zct_mkdtemp(void) {
    char *dir = strdup("/tmp/zctest-XXXXXX");
    cr_assert_not_null(dir);
    cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
    return dir;
}

static int zct__rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st; (void)ftw;
    int r = (flag == FTW_DP) ? rmdir(path) : unlink(path);
    return (r != 0 && errno != ENOENT) ? -1 : 0;
}

uint64_t zct_now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

void zct_sleep_ms(long ms) {
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

int zct_sanitizing(void) { return getenv("ZC_SANITIZE_RUN") != NULL; }

int zct_count_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    cr_assert_not_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) n += e->d_name[0] != '.';
    closedir(d);
    return n - 1;
}

/* 1 when process `pid` is named `name` (its comm). */
static int zct__named(pid_t pid, const char *name) {
    char path[64], comm[32] = "";
    snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
    FILE *f = fopen(path, "r");
    if (f && fgets(comm, sizeof comm, f)) comm[strcspn(comm, "\n")] = 0;
    if (f) fclose(f);
    return strcmp(comm, name) == 0;
}

size_t zct_children_named(pid_t pid, const char *name, pid_t *out, size_t cap) {
    char dir_path[64];
    snprintf(dir_path, sizeof dir_path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(dir_path);
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[400];
        snprintf(path, sizeof path, "%s/%s/children", dir_path, e->d_name);
        FILE *f = fopen(path, "r");
        int child;
        while (f && n < cap && fscanf(f, "%d", &child) == 1)
            if (zct__named(child, name)) out[n++] = child;
        if (f) fclose(f);
    }
    if (d) closedir(d);
    return n;
}

int zct_count_maps_under(const char *dir) {
    FILE *f = fopen("/proc/self/maps", "r");
    cr_assert_not_null(f);
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, f)) n += strstr(line, dir) != NULL;
    fclose(f);
    return n;
}

int zct_rm_rf(const char *path) {
    struct stat st;
    if (!path || lstat(path, &st) != 0) return 0;
    return nftw(path, zct__rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

char *zct_join(const char *dir, const char *name) {
    size_t a = strlen(dir), b = strlen(name);
    char *s = malloc(a + b + 2);
    cr_assert_not_null(s);
    memcpy(s, dir, a);
    s[a] = '/';
    memcpy(s + a + 1, name, b + 1);
    return s;
}

void zct_mkdirs(const char *path) {
    char buf[PATH_MAX];
    size_t n = strlen(path);
    cr_assert_lt(n, sizeof buf, "path too long: %s", path);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; ++i) {
        if (buf[i] != '/' && buf[i] != 0) continue;
        char keep = buf[i];
        buf[i] = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            cr_assert_fail("mkdir %s: %s", buf, strerror(errno));
        buf[i] = keep;
    }
}

void zct_write_file(const char *path, const void *data, size_t size) {
    const char *slash = strrchr(path, '/');
    if (slash && slash != path) {
        char *parent = strndup(path, (size_t)(slash - path));
        cr_assert_not_null(parent);
        zct_mkdirs(parent);
        free(parent);
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
    const uint8_t *p = data;
    while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        cr_assert_gt(n, 0, "write %s: %s", path, strerror(errno));
        p += n;
        size -= (size_t)n;
    }
    cr_assert_eq(close(fd), 0);
}

void zct_put(const char *root, const char *rel, const void *data, size_t size) {
    char *path = zct_join(root, rel);
    zct_write_file(path, data, size);
    free(path);
}

void zct_put_text(const char *root, const char *rel, const char *text) {
    zct_put(root, rel, text, strlen(text));
}

void zct_copy_file(const char *src, const char *root, const char *rel) {
    size_t size;
    uint8_t *bytes = zct_read_file(src, &size);
    cr_assert_not_null(bytes, "cannot read %s (tools/bootstrap.sh --test-data installs its package)", src);
    zct_put(root, rel, bytes, size);
    free(bytes);
}

uint8_t *zct_read_file(const char *path, size_t *out_size) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return NULL;
    }
    size_t size = (size_t)st.st_size, got = 0;
    uint8_t *buf = malloc(size + 1);
    if (!buf) {
        close(fd);
        return NULL;
    }
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(fd);
    if (got != size) {
        free(buf);
        return NULL;
    }
    buf[size] = 0;
    if (out_size) *out_size = size;
    return buf;
}

uint8_t *zct_aligned_copy(const void *data, size_t size, size_t alignment) {
    size_t rounded = (size + alignment - 1) / alignment * alignment;
    uint8_t *buf = aligned_alloc(alignment, rounded ? rounded : alignment);
    cr_assert_not_null(buf);
    if (size) memcpy(buf, data, size);
    return buf;
}

void zct_flip_bits(uint8_t *data, size_t size, size_t head, int flips, uint64_t *seed) {
    if (!size) return;
    if (head == 0 || head > size) head = size;
    for (int k = 0; k < flips; ++k) {
        *seed = *seed * 6364136223846793005u + 1442695040888963407u;
        size_t at = (size_t)(*seed >> 33) % (k & 1 ? size : head);
        data[at] ^= (uint8_t)(1u << ((*seed >> 20) & 7));
    }
}

uint8_t *zct_read_file_aligned(const char *path, size_t alignment, size_t *out_size) {
    size_t size = 0;
    uint8_t *plain = zct_read_file(path, &size);
    cr_assert_not_null(plain, "cannot read %s", path);
    uint8_t *buf = zct_aligned_copy(plain, size, alignment);
    free(plain);
    *out_size = size;
    return buf;
}

int zct_files_equal(const char *a, const char *b) {
    size_t na, nb;
    uint8_t *x = zct_read_file(a, &na), *y = zct_read_file(b, &nb);
    int same = x && y && na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

int zct_exists(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0;
}

int zct_count_prefixed(const char *dir, const char *prefix) {
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "opendir %s: %s", dir, strerror(errno));
    int n = 0;
    size_t len = strlen(prefix);
    for (struct dirent *de; (de = readdir(d)) != NULL;)
        if (strncmp(de->d_name, prefix, len) == 0) n++;
    closedir(d);
    return n;
}

/* ---------------------------------------------------------------------------------
 * The zcpack CLI
 * ------------------------------------------------------------------------------- */

const char *zct_self_dir(void) {
    static char dir[PATH_MAX];
    if (dir[0]) return dir;
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
    cr_assert_gt(n, 0, "readlink /proc/self/exe: %s", strerror(errno));
    dir[n] = 0;
    char *slash = strrchr(dir, '/');
    cr_assert_not_null(slash);
    *slash = 0;
    return dir;
}

const char *zct_source_dir(void) {
    static char path[PATH_MAX];
    const char *env = getenv("ZC_SOURCE_DIR");
    if (env && *env) return env;
    snprintf(path, sizeof path, "%.*s/../..", PATH_MAX - 16, zct_self_dir());
    return path;
}

const char *zct_source_path(const char *relative) {
    static char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s", zct_source_dir(), relative);
    cr_assert(n > 0 && (size_t)n < sizeof path, "path too long: %s/%s", zct_source_dir(), relative);
    cr_assert(zct_exists(path), "%s not found (set ZC_SOURCE_DIR to the source tree)", path);
    return path;
}

uint8_t *zct_read_source(const char *relative, size_t *out_size) {
    const char *path = zct_source_path(relative);
    uint8_t *bytes = zct_read_file(path, out_size);
    cr_assert_not_null(bytes, "cannot read %s", path);
    return bytes;
}

const char *zct_zcpack_bin(void) {
    static char path[PATH_MAX];
    const char *env = getenv("ZCPACK_BIN");
    if (env && *env) return env;
    snprintf(path, sizeof path, "%.*s/zcpack", PATH_MAX - 16, zct_self_dir());
    return path;
}

int zct_run_program(const char *cwd, const char *out_path, const char *err_path, const char *const argv[]) {
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        int out = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err = open(err_path ? err_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int in = open("/dev/null", O_RDONLY);
        if (out < 0 || err < 0 || in < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0 || dup2(in, 0) < 0) _exit(126);
        if (cwd && chdir(cwd) != 0) _exit(126);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        cr_assert_eq(errno, EINTR, "waitpid: %s", strerror(errno));
    if (WIFEXITED(status)) {
        int code = WEXITSTATUS(status);
        return code == 127 ? -1 : code;
    }
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

int zct_run_cli(const char *cwd, const char *out_path, const char *err_path, const char *const argv[]) {
    size_t argc = 0;
    while (argv[argc]) argc++;
    const char **args = calloc(argc + 2, sizeof *args);
    cr_assert_not_null(args);
    args[0] = zct_zcpack_bin();
    for (size_t i = 0; i < argc; ++i) args[i + 1] = argv[i];
    int code = zct_run_program(cwd, out_path, err_path, args);
    free(args);
    return code;
}

static double zct__now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

zct_run zct_cli(const char *cwd, const char *const argv[]) {
    cr_assert_not_null(zct_tmp, "zct_cli captures its output under zct_tmp, which is not set");
    char *out = zct_tmp_path("zcpack.stdout"), *err = zct_tmp_path("zcpack.stderr");
    zct_run run;
    double start = zct__now();
    run.code = zct_run_cli(cwd, out, err, argv);
    run.seconds = zct__now() - start;
    cr_assert_neq(run.code, -1, "cannot run %s", zct_zcpack_bin());
    cr_assert_lt(run.code, 128, "zcpack was killed by signal %d", run.code - 128);
    size_t n;
    run.out = (char *)zct_read_file(out, &run.out_size);
    run.err = (char *)zct_read_file(err, &n);
    cr_assert(run.out && run.err);
    unlink(out);
    unlink(err);
    free(out);
    free(err);
    return run;
}

void zct_run_free(zct_run *run) {
    free(run->out);
    free(run->err);
    run->out = run->err = NULL;
}

/* ---------------------------------------------------------------------------------
 * Fixtures
 * ------------------------------------------------------------------------------- */

char *zct_tmp;
char *zct_sample_path;

void zct_tmp_setup(void) {
    zct_tmp = zct_mkdtemp();
}

void zct_tmp_drop(void) {
    if (zct_tmp) zct_rm_rf(zct_tmp);
    free(zct_tmp);
    zct_tmp = NULL;
}

void zct_tmp_teardown(void) {
    zct_tmp_drop();
    zct_assert_no_leaks();
}

char *zct_tmp_path(const char *name) {
    cr_assert_not_null(zct_tmp);
    return zct_join(zct_tmp, name);
}

void zct_sample_setup(void) {
    zct_tmp_setup();
    zct_sample_path = zct_tmp_path("sample.zcpack");
    zct_write_sample_pack(zct_sample_path);
}

void zct_sample_teardown(void) {
    free(zct_sample_path);
    zct_sample_path = NULL;
    zct_tmp_teardown();
}

/* ---------------------------------------------------------------------------------
 * Packs built with the writer
 * ------------------------------------------------------------------------------- */

static int zct__compress_all(const char *path, uint32_t type, void *user_data) {
    (void)path;
    (void)type;
    (void)user_data;
    return 1;
}

static zc_result zct__write_pack(const char *out, const zct_blob *blobs, size_t count, int compress);

zc_result zct_write_pack(const char *out, const zct_blob *blobs, size_t count) {
    return zct__write_pack(out, blobs, count, 0);
}

zc_toc_entry *zct_record_of(uint8_t *pack, const char *path) {
    uint8_t *toc = pack + zc_le64(pack + offsetof(zc_header, toc_offset));
    const zc_toc_header *th = (const zc_toc_header *)toc;
    uint64_t id = zc_asset_id(path, strlen(path));
    for (uint32_t i = 0; i < th->entry_count; ++i) {
        zc_toc_entry *e = (zc_toc_entry *)(toc + th->header_size + (uint64_t)i * th->entry_size);
        if (e->id == id) return e;
    }
    cr_assert_fail("no record for %s", path);
    return NULL;
}

zc_result zct_write_compressed_pack(const char *out, const zct_blob *blobs, size_t count) {
    return zct__write_pack(out, blobs, count, 1);
}

static void *zct__big_alloc(size_t size, void *user_data) {
    zct_big_allocs *big = (zct_big_allocs *)user_data;
    if (size >= big->at_least) big->count++;
    return malloc(size);
}

static void zct__big_free(void *ptr, void *user_data) {
    (void)user_data;
    free(ptr);
}

zc_allocator zct_big_alloc_counter(zct_big_allocs *big) {
    return (zc_allocator){ .alloc = zct__big_alloc, .free = zct__big_free, .user_data = big };
}

static zc_result zct__write_pack(const char *out, const zct_blob *blobs, size_t count, int compress) {
    zc_writer *w = NULL;
    zc_result r = zc_writer_open(&w, &(zc_writer_desc){ .path = out, .no_sync = 1,
                                                        .compress = compress ? zct__compress_all : NULL });
    if (r != ZC_OK) return r;
    for (size_t i = 0; i < count; ++i) {
        const zct_blob *b = &blobs[i];
        r = zc_writer_begin_entry(w, b->path, ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, b->align_log2);
        if (r == ZC_OK && b->size) r = zc_writer_write(w, b->data, b->size);
        for (size_t d = 0; r == ZC_OK && b->deps && b->deps[d]; ++d)
            r = zc_writer_add_dep(w, zc_asset_id(b->deps[d], strlen(b->deps[d])));
        if (r == ZC_OK) r = zc_writer_end_entry(w);
        if (r != ZC_OK) {
            zc_writer_abort(w);
            return r;
        }
    }
    return zc_writer_finish(w);
}

static const uint8_t zct__bytes_a[48] = "forty-eight bytes of blob a, padded with zeros.";
static uint8_t zct__bytes_b[160];
static uint8_t zct__bytes_page[256];
static const uint8_t zct__bytes_root[32] = "scene root referencing a and b";
static const uint8_t zct__bytes_utf8[16] = "umlaut \xc3\xa4 bytes";
static const char *const zct__root_deps[] = { "a.bin", "dir/b.bin", NULL };

static const zct_blob zct__sample[] = {
    { "a.bin", zct__bytes_a, sizeof zct__bytes_a, 0, NULL },
    { "dir/b.bin", zct__bytes_b, sizeof zct__bytes_b, 0, NULL },
    { "dir/copy_of_b.bin", zct__bytes_b, sizeof zct__bytes_b, 0, NULL },
    { "empty.bin", NULL, 0, 0, NULL },
    { "aligned/page.bin", zct__bytes_page, sizeof zct__bytes_page, 12, NULL },
    { "scene/root.bin", zct__bytes_root, sizeof zct__bytes_root, 0, zct__root_deps },
    { "utf8/\xc3\x9f\xe6\x97\xa5\xe6\x9c\xac.bin", zct__bytes_utf8, sizeof zct__bytes_utf8, 0, NULL },
};

const zct_blob *zct_sample_blobs = zct__sample;
const size_t zct_sample_blob_count = sizeof zct__sample / sizeof zct__sample[0];

void zct_write_sample_pack(const char *out) {
    zct_fill(zct__bytes_b, sizeof zct__bytes_b, 0xB);
    zct_fill(zct__bytes_page, sizeof zct__bytes_page, 0x9A6E);
    zc_result r = zct_write_pack(out, zct__sample, zct_sample_blob_count);
    cr_assert_eq(r, ZC_OK, "writing the sample pack %s: %s", out, zc_result_str(r));
}

void zct_reseal(uint8_t *pack, size_t size) {
    cr_assert_geq(size, sizeof(zc_header));
    uint32_t header_size = zc_le32(pack + offsetof(zc_header, header_size));
    uint64_t toc_offset = zc_le64(pack + offsetof(zc_header, toc_offset));
    uint64_t toc_size = zc_le64(pack + offsetof(zc_header, toc_size));
    cr_assert(header_size <= size && toc_size <= size && toc_offset <= size - toc_size, "cannot reseal");
    uint8_t *toc = pack + toc_offset;
    zcf_reseal_pieces(toc, toc_size);
    uint64_t toc_sum = XXH3_64bits(toc, (size_t)toc_size);
    memcpy(pack + offsetof(zc_header, toc_checksum), &toc_sum, 8);
    memset(pack + ZC_HEADER_CHECKSUM_OFFSET, 0, 8);
    uint64_t header_sum = XXH3_64bits(pack, header_size);
    memcpy(pack + ZC_HEADER_CHECKSUM_OFFSET, &header_sum, 8);
}

/* formats/SPEC.md, Appendix B: the pack of one blob "hello.txt" = "Hello, zcpack!\n". */
const uint8_t zct_hello_pack[258] = {
    0x89, 0x5a, 0x43, 0x50, 0x0d, 0x0a, 0x1a, 0x0a, 0x01, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
    0x70, 0xbb, 0x3e, 0xa8, 0xb2, 0x4f, 0xec, 0x87, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x28, 0x77, 0x40, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x90, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x72, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3c, 0x53, 0xed, 0x9d, 0x86, 0xfd, 0x0e, 0x9a,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x2c, 0x20, 0x7a, 0x63, 0x70, 0x61, 0x63, 0x6b, 0x21, 0x0a, 0x00,
    0x5a, 0x54, 0x4f, 0x43, 0x01, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x48, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xe0, 0xf5, 0xee, 0xc3, 0xb6, 0x8d, 0x5b, 0x28, 0xbe, 0xaa, 0xdb, 0x3b, 0x4e, 0x56, 0x5e, 0xa7,
    0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00,
    0x42, 0x4c, 0x4f, 0x42, 0x7b, 0x72, 0x02, 0x59, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x2e, 0x74, 0x78,
    0x74, 0x00,
};
const size_t zct_hello_pack_size = sizeof zct_hello_pack;

/* ---------------------------------------------------------------------------------
 * Hooks
 * ------------------------------------------------------------------------------- */

/* Each block carries a 16-byte prefix with a tag, so a foreign free is detected. */
#define ZCT__ALLOC_TAG UINT64_C(0x5a43544553544d4d)

static void *zct__alloc(size_t size, void *user_data) {
    zct_alloc_stats *s = user_data;
    long call = s->calls++;
    if (s->fail_at >= 0 && (s->fail_once ? call == s->fail_at : call >= s->fail_at)) return NULL;
    uint8_t *p = aligned_alloc(16, 16 + (size + 15) / 16 * 16);
    if (!p) return NULL;
    uint64_t tag = ZCT__ALLOC_TAG;
    memcpy(p, &tag, 8);
    s->live++;
    s->allocs++;
    return p + 16;
}

static void zct__free(void *ptr, void *user_data) {
    zct_alloc_stats *s = user_data;
    if (!ptr) return;
    uint8_t *p = (uint8_t *)ptr - 16;
    uint64_t tag;
    memcpy(&tag, p, 8);
    if (tag != ZCT__ALLOC_TAG) {
        s->bad_free++;
        return;
    }
    memset(p, 0, 8);
    s->live--;
    s->frees++;
    free(p);
}

void zct_alloc_stats_init(zct_alloc_stats *stats, long fail_at) {
    memset(stats, 0, sizeof *stats);
    stats->fail_at = fail_at;
}

zc_allocator zct_counting_allocator(zct_alloc_stats *stats) {
    return (zc_allocator){ .alloc = zct__alloc, .free = zct__free, .user_data = stats };
}

static void zct__log(zc_log_level level, const char *message, void *user_data) {
    zct_log *log = user_data;
    if (log->count < ZCT_LOG_MAX) {
        log->levels[log->count] = level;
        snprintf(log->messages[log->count], sizeof log->messages[0], "%s", message ? message : "(null)");
    }
    log->count++;
    if (level == ZC_LOG_ERROR) log->errors++;
}

zc_logger zct_log_recorder(zct_log *log) {
    memset(log, 0, sizeof *log);
    return (zc_logger){ .func = zct__log, .user_data = log };
}

int zct_log_contains(const zct_log *log, const char *needle) {
    int n = log->count < ZCT_LOG_MAX ? log->count : ZCT_LOG_MAX;
    for (int i = 0; i < n; ++i)
        if (strstr(log->messages[i], needle)) return 1;
    return 0;
}

/* ---------------------------------------------------------------------------------
 * Deterministic data
 * ------------------------------------------------------------------------------- */

uint64_t zct_rand(uint64_t *state) {
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

void zct_fill(void *data, size_t size, uint64_t seed) {
    uint8_t *p = data;
    uint64_t state = seed;
    while (size >= 8) {
        uint64_t v = zct_rand(&state);
        memcpy(p, &v, 8);
        p += 8;
        size -= 8;
    }
    if (size) {
        uint64_t v = zct_rand(&state);
        memcpy(p, &v, size);
    }
}

/* ---------------------------------------------------------------------------------
 * Sanitizer runs
 * ------------------------------------------------------------------------------- */

#if defined(__SANITIZE_ADDRESS__)
#define ZCT__LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ZCT__LSAN 1
#endif
#endif

#ifdef ZCT__LSAN
int __lsan_do_recoverable_leak_check(void);
#endif

void zct_assert_no_leaks(void) {
#ifdef ZCT__LSAN
    /* A failed assertion in a teardown does not change the test's verdict, so a leak
     * aborts the test process instead: Criterion reports a crash in the teardown and
     * the test program exits non-zero. */
    if (__lsan_do_recoverable_leak_check() != 0) {
        fputs("memory leaked during the test (LeakSanitizer report above)\n", stderr);
        fflush(NULL);
        abort();
    }
#endif
}

/* Criterion's parallel runner (the parent process, which runs no test) loses a few
 * small allocations of its own before exit. They are not ours: LeakSanitizer ignores
 * leaks through libcriterion in that process only. Test processes, which Criterion
 * starts with BXFI_MAP in their environment, keep every leak report. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) {
    return getenv("BXFI_MAP") ? "" : "leak:libcriterion.so\n";
}

void zct_make_keys(const char *name, zc_secret_key *secret, zc_public_key *pub) {
    char *base = zct_join(zct_tmp, name);
    char key_path[4200], pub_path[4200];
    snprintf(key_path, sizeof key_path, "%s.key", base);
    snprintf(pub_path, sizeof pub_path, "%s.pub", base);
    cr_assert_eq(zc_keygen(base, (zc_logger){ 0 }, NULL), ZC_OK, "keygen %s", base);
    if (secret) cr_assert_eq(zc_secret_key_read(key_path, secret, (zc_logger){ 0 }), ZC_OK);
    if (pub) cr_assert_eq(zc_public_key_read(pub_path, pub, (zc_logger){ 0 }), ZC_OK);
    free(base);
}
