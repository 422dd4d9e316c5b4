/* test_model_pool.c - the pool of model import workers (zc_model.h, zc_model_pool)
 * and the files an import reports as read (zc_model.reads), on real models from
 * Debian's assimp-testmodels (/usr/share/assimp/models).
 *
 * A pool keeps its workers between imports (zc_model_pool_started counts the
 * processes it made); a crash, a hang and an injected malformed reply fail their own
 * file with the usual sentence and cost that worker only; a worker killed from
 * outside while idle is replaced without failing anything; destroying the pool, or
 * the end of a build, leaves no process behind; and a killed zcpack takes its workers
 * with it. The overhead of an import through a warm pool over the same import in
 * the calling process is measured over a small OBJ imported 200 times and printed
 * (a figure, not a pass/fail condition).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zc_build.h"
#include "zc_model.h"
#include "zc_model_isolate.h"
#include "zc_test_util.h"

#define MODELS "/usr/share/assimp/models/"
#define CRASH_SOURCE MODELS "MD5/SimpleCube.md5mesh"
#define CRASH_PREFIX 1075u
#define HANG_SOURCE MODELS "PLY/cube.ply"
#define HANG_PREFIX 108u
#define BOX MODELS "OBJ/box.obj"

static void teardown(void) {
    zc__model_child_fault = ZC__MODEL_FAULT_NONE;
    zct_tmp_teardown();
}

TestSuite(model_pool, .init = zct_tmp_setup, .fini = teardown, .timeout = 120);

static void copy_cut(const char *src, const char *dir, const char *rel, size_t limit) {
    size_t size;
    uint8_t *bytes = zct_read_file(src, &size);
    cr_assert(bytes, "cannot read %s (is assimp-testmodels installed?)", src);
    char *dst = zct_join(dir, rel);
    zct_write_file(dst, bytes, limit && limit < size ? limit : size);
    free(dst);
    free(bytes);
}

static void assert_no_children(void) {
    errno = 0;
    pid_t got = waitpid(-1, NULL, WNOHANG);
    cr_assert(got == -1 && errno == ECHILD, "a child is left behind (waitpid gave %d, errno %d)", (int)got, errno);
}

/* The model workers of process `pid`: its children so named, and its worker servers'. */
static size_t workers_of(pid_t pid, pid_t *out, size_t cap) {
    size_t n = zct_children_named(pid, ZC__WORKER_NAME, out, cap);
    pid_t servers[8];
    size_t server_count = zct_children_named(pid, ZC__SERVER_NAME, servers, 8);
    for (size_t i = 0; i < server_count && n < cap; ++i)
        n += zct_children_named(servers[i], ZC__WORKER_NAME, out + n, cap - n);
    return n;
}

static zc_result import(zc_model_pool *pool, const char *file, const char *entry, uint32_t timeout_ms, zc_model *m,
                        zc_diag *diag) {
    zc_model_settings s;
    memset(&s, 0, sizeof s);
    s.pool = pool;
    s.timeout_ms = timeout_ms;
    diag->message[0] = 0;
    return zc_model_import_file(file, entry, &s, m, diag);
}

static void import_box(zc_model_pool *pool) {
    zc_model m;
    zc_diag diag;
    cr_assert_eq(import(pool, BOX, "box.obj", 0, &m, &diag), ZC_OK, "%s", diag.message);
    cr_assert_not_null(zc_model_find(&m, "box.obj"));
    zc_model_free(&m);
}

static void *import_box_thread(void *pool) {
    import_box((zc_model_pool *)pool);
    return NULL;
}

static double now_s(void) {
    return (double)zct_now_ns() * 1e-9;
}

Test(model_pool, workers_are_kept_between_imports) {
    zc_model_pool *pool;
    cr_assert_eq(zc_model_pool_create(&pool, 2), ZC_OK);
    cr_assert_eq(zc_model_pool_started(pool), 0, "workers start lazily");
    int fds = zct_count_fds();
    for (int i = 0; i < 20; ++i) {
        zc_model a, b;
        zc_diag diag;
        cr_assert_eq(import(pool, MODELS "glTF2/BoxTextured-glTF/BoxTextured.gltf", "m/box.gltf", 0, &a, &diag),
                     ZC_OK, "%s", diag.message);
        zc_model_settings in_process = { .in_process = 1 };
        cr_assert_eq(zc_model_import_file(MODELS "glTF2/BoxTextured-glTF/BoxTextured.gltf", "m/box.gltf",
                                          &in_process, &b, &diag), ZC_OK);
        cr_assert_eq(a.entry_count, b.entry_count);
        for (size_t k = 0; k < a.entry_count; ++k) {
            cr_assert_str_eq(a.entries[k].path, b.entries[k].path);
            cr_assert_eq(a.entries[k].size, b.entries[k].size);
            cr_assert_eq(memcmp(a.entries[k].payload, b.entries[k].payload, a.entries[k].size), 0,
                         "import %d: %s differs from the in-process import", i, a.entries[k].path);
        }
        cr_assert_str_eq(a.reads, b.reads);
        zc_model_free(&a);
        zc_model_free(&b);
    }
    cr_assert_eq(zc_model_pool_started(pool), 1, "one worker served all: %u started", zc_model_pool_started(pool));
    pid_t kids[8];
    cr_assert_eq(workers_of(getpid(), kids, 8), 1, "the idle worker stays");
    cr_assert_eq(zct_children_named(getpid(), ZC__SERVER_NAME, kids, 8), 1, "the pool's worker server stays");
    zc_model_pool_destroy(pool);
    assert_no_children();
    cr_assert_eq(zct_count_fds(), fds, "descriptors leaked");
}

Test(model_pool, crash_and_hang_cost_their_worker_only) {
    copy_cut(CRASH_SOURCE, zct_tmp, "crash.md5mesh", CRASH_PREFIX);
    copy_cut(HANG_SOURCE, zct_tmp, "hang.ply", HANG_PREFIX);
    char *crash = zct_join(zct_tmp, "crash.md5mesh"), *hang = zct_join(zct_tmp, "hang.ply");
    zc_model_pool *pool;
    cr_assert_eq(zc_model_pool_create(&pool, 1), ZC_OK);
    import_box(pool);
    zc_model m;
    zc_diag diag;
    cr_assert_eq(import(pool, crash, "crash.md5mesh", 10000, &m, &diag), ZC_ERR_BAD_SOURCE);
    cr_assert_str_eq(diag.message, "the model importer crashed (signal 11, Segmentation fault)");
    import_box(pool);
    cr_assert_eq(import(pool, hang, "hang.ply", 700, &m, &diag), ZC_ERR_BAD_SOURCE);
    cr_assert_str_eq(diag.message, "the model importer took longer than 0.7 s and was stopped");
    import_box(pool);
    cr_assert_eq(import(pool, MODELS "invalid/malformed.obj", "x.obj", 0, &m, &diag), ZC_ERR_BAD_SOURCE);
    cr_assert(strstr(diag.message, "OBJ"), "%s", diag.message);
    import_box(pool);
    import_box(pool);
    cr_assert_eq(zc_model_pool_started(pool), 4, "a new worker after each failure: %u", zc_model_pool_started(pool));
    zc_model_pool_destroy(pool);
    assert_no_children();
    free(crash);
    free(hang);
}

Test(model_pool, injected_faults_fail_one_import_each) {
    static const struct {
        int fault;
        const char *message;
    } cases[] = {
        { ZC__MODEL_FAULT_CRASH, "the model importer crashed (signal 11, Segmentation fault)" },
        { ZC__MODEL_FAULT_EXIT, "the model importer exited without a result (exit status 3)" },
        { ZC__MODEL_FAULT_GARBAGE, "the model importer sent a malformed reply: it does not start" },
        { ZC__MODEL_FAULT_TRUNCATED, "the model importer exited without a result" },
        { ZC__MODEL_FAULT_BAD_PAYLOAD, "the model importer sent a malformed reply: entry m/box.obj" },
        { ZC__MODEL_FAULT_BAD_ERROR, "the model importer sent a malformed reply: error code" },
    };
    zc_model_pool *pool;
    cr_assert_eq(zc_model_pool_create(&pool, 1), ZC_OK);
    int fds = zct_count_fds();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        import_box(pool);
        zc__model_child_fault = cases[i].fault;
        zc_model m;
        zc_diag diag;
        cr_assert_eq(import(pool, BOX, "m/box.obj", 10000, &m, &diag), ZC_ERR_BAD_SOURCE, "fault %d",
                     cases[i].fault);
        zc__model_child_fault = ZC__MODEL_FAULT_NONE;
        cr_assert(strncmp(diag.message, cases[i].message, strlen(cases[i].message)) == 0, "fault %d: \"%s\"",
                  cases[i].fault, diag.message);
        cr_assert_eq(m.entry_count, 0);
    }
    import_box(pool);
    zc_model_pool_destroy(pool);
    assert_no_children();
    cr_assert_eq(zct_count_fds(), fds, "descriptors leaked");
}

Test(model_pool, worker_killed_while_idle_is_replaced) {
    zc_model_pool *pool;
    cr_assert_eq(zc_model_pool_create(&pool, 1), ZC_OK);
    import_box(pool);
    pid_t kids[8];
    cr_assert_eq(workers_of(getpid(), kids, 8), 1);
    cr_assert_eq(kill(kids[0], SIGKILL), 0);
    zct_sleep_ms(50);
    import_box(pool);
    cr_assert_eq(zc_model_pool_started(pool), 2);
    zc_model_pool_destroy(pool);
    assert_no_children();
}

Test(model_pool, a_dead_server_leaves_the_pool_forking) {
    if (ZC__MODEL_ASAN) zct_skip_test("the pool then forks from this threaded program, which AddressSanitizer's "
                                      "allocator does not survive");
    zc_model_pool *pool;
    cr_assert_eq(zc_model_pool_create(&pool, 1), ZC_OK);
    import_box(pool);
    pid_t servers[8], kids[8];
    cr_assert_eq(zct_children_named(getpid(), ZC__SERVER_NAME, servers, 8), 1);
    cr_assert_eq(zct_children_named(servers[0], ZC__WORKER_NAME, kids, 8), 1, "the server forked the worker");
    cr_assert_eq(kill(servers[0], SIGKILL), 0);
    int gone = 0; /* the worker dies with its server (parent death signal) */
    for (int waited = 0; waited < 5000 && !gone; waited += 10) {
        zct_sleep_ms(10);
        gone = kill(kids[0], 0) != 0;
    }
    cr_assert(gone, "worker %d outlived its server", (int)kids[0]);
    import_box(pool); /* a new worker, forked here: the server no longer answers */
    import_box(pool);
    cr_assert_eq(zc_model_pool_started(pool), 2);
    cr_assert_eq(zct_children_named(getpid(), ZC__WORKER_NAME, kids, 8), 1, "the new worker is the packer's child");
    cr_assert_eq(zct_children_named(getpid(), ZC__SERVER_NAME, servers, 8), 0, "the dead server was reaped");
    zc_model_pool_destroy(pool);
    assert_no_children();
}

static long minor_faults(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_minflt;
}

/* VmRSS of process `pid` in KiB, or -1. */
static long rss_kib(pid_t pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) kib = strtol(line + 6, NULL, 10);
    if (f) fclose(f);
    return kib;
}

/* With 256 MiB of this process's memory written, import through a new pool (with its
 * worker server, or forking here) and write the memory again while the worker lives:
 * the page faults that second write takes here, and the worker's resident size. */
static void write_while_a_worker_lives(int server_off, long *faults, long *worker_kib) {
    size_t size = (size_t)256 << 20;
    uint8_t *memory = (uint8_t *)mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(memory, MAP_FAILED);
    madvise(memory, size, MADV_NOHUGEPAGE); /* one copy-on-write fault per 4 KiB page, if any */
    memset(memory, 1, size);
    zc__model_server_off = server_off;
    zc_model_pool *pool;
    cr_assert_eq(zc_model_pool_create(&pool, 1), ZC_OK);
    import_box(pool);
    pid_t kids[8];
    cr_assert_eq(workers_of(getpid(), kids, 8), 1);
    *worker_kib = rss_kib(kids[0]);
    long before = minor_faults();
    memset(memory, 2, size);
    *faults = minor_faults() - before;
    zc_model_pool_destroy(pool);
    zc__model_server_off = 0;
    munmap(memory, size);
}

Test(model_pool, workers_share_nothing_of_the_packers_memory) {
    if (zct_sanitizing()) zct_skip_test("memory figures under the sanitizers");
    long served_faults, served_kib, forked_faults, forked_kib;
    write_while_a_worker_lives(0, &served_faults, &served_kib);
    write_while_a_worker_lives(1, &forked_faults, &forked_kib);
    fprintf(stderr, "model_pool: 256 MiB written while a worker lives: %ld faults and a %ld KiB worker through the "
            "server, %ld faults and a %ld KiB worker forked from the packer\n", served_faults, served_kib,
            forked_faults, forked_kib);
    cr_assert_lt(served_faults, 4096, "%ld copy-on-write faults: the worker shares the packer's pages",
                 served_faults);
    cr_assert_lt(served_kib, 128 * 1024, "a worker of %ld KiB holds the packer's memory", served_kib);
    /* the fork the server replaces shows what it saves (and that the figures can tell) */
    cr_assert_gt(forked_faults, 32768, "forked: only %ld faults", forked_faults);
    cr_assert_gt(forked_kib, 256 * 1024, "forked: a %ld KiB worker", forked_kib);
    assert_no_children();
}

static double cpu_seconds(int who) {
    struct rusage u;
    getrusage(who, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

Test(model_pool, workers_cpu_time_reaches_the_packer) {
    /* The server reaps its workers when the pool asks, and the pool reaps the server,
     * so their CPU time is the packer's children's, as time(1) and build tools read it. */
    enum { IMPORTS = 12 };
    double self_before = cpu_seconds(RUSAGE_SELF);
    for (int i = 0; i < IMPORTS; ++i) {
        zc_model m;
        zc_diag diag;
        zc_model_settings in_process = { .in_process = 1 };
        cr_assert_eq(zc_model_import_file(MODELS "OBJ/spider.obj", "spider.obj", &in_process, &m, &diag), ZC_OK);
        zc_model_free(&m);
    }
    double in_process = cpu_seconds(RUSAGE_SELF) - self_before;
    double children_before = cpu_seconds(RUSAGE_CHILDREN);
    zc_model_pool *pool;
    cr_assert_eq(zc_model_pool_create(&pool, 1), ZC_OK);
    for (int i = 0; i < IMPORTS; ++i) {
        zc_model m;
        zc_diag diag;
        cr_assert_eq(import(pool, MODELS "OBJ/spider.obj", "spider.obj", 0, &m, &diag), ZC_OK, "%s", diag.message);
        zc_model_free(&m);
    }
    zc_model_pool_destroy(pool);
    double children = cpu_seconds(RUSAGE_CHILDREN) - children_before;
    fprintf(stderr, "model_pool: OBJ/spider.obj x%d: %.3f s of CPU in process, %.3f s counted for the workers\n",
            IMPORTS, in_process, children);
    cr_assert_geq(children, 0.5 * in_process, "the workers' %.3f s are not counted (%.3f s in process)", children,
                  in_process);
    assert_no_children();
}

Test(model_pool, concurrent_imports_share_the_workers) {
    zc_model_pool *pool;
    cr_assert_eq(zc_model_pool_create(&pool, 2), ZC_OK);
    enum { THREADS = 6 };
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; ++i)
        cr_assert_eq(pthread_create(&threads[i], NULL, import_box_thread, pool), 0);
    for (int i = 0; i < THREADS; ++i) pthread_join(threads[i], NULL);
    cr_assert_leq(zc_model_pool_started(pool), 2, "at most max_workers: %u", zc_model_pool_started(pool));
    zc_model_pool_destroy(pool);
    assert_no_children();
}

Test(model_pool, reads_name_the_buffer_and_the_texture) {
    char *root = zct_join(zct_tmp, "tree");
    zct_copy_file(MODELS "glTF2/BoxTextured-glTF/BoxTextured.gltf", root, "box/BoxTextured.gltf");
    zct_copy_file(MODELS "glTF2/BoxTextured-glTF/BoxTextured0.bin", root, "box/BoxTextured0.bin");
    zct_copy_file(MODELS "glTF2/BoxTextured-glTF/CesiumLogoFlat.png", root, "box/CesiumLogoFlat.png");
    zct_copy_file(BOX, root, "box/unrelated.obj");
    char *file = zct_join(root, "box/BoxTextured.gltf");
    char *real_root = realpath(root, NULL);
    char expected[4096];
    snprintf(expected, sizeof expected, "%s/box/BoxTextured0.bin\n%s/box/CesiumLogoFlat.png", real_root, real_root);
    zc_model m;
    zc_diag diag;
    cr_assert_eq(zc_model_import_file(file, "box/BoxTextured.gltf", NULL, &m, &diag), ZC_OK, "%s", diag.message);
    cr_assert_str_eq(m.reads, expected);
    zc_model_free(&m);
    zc_model_settings in_process = { .in_process = 1 };
    cr_assert_eq(zc_model_import_file(file, "box/BoxTextured.gltf", &in_process, &m, &diag), ZC_OK);
    cr_assert_str_eq(m.reads, expected);
    zc_model_free(&m);
    /* an OBJ without material library opens nothing else */
    char *obj = zct_join(root, "box/unrelated.obj");
    cr_assert_eq(zc_model_import_file(obj, "box/unrelated.obj", NULL, &m, &diag), ZC_OK, "%s", diag.message);
    cr_assert_null(m.reads, "%s", m.reads);
    zc_model_free(&m);
    free(obj);
    free(file);
    free(real_root);
    free(root);
}

Test(model_pool, overhead_per_model_over_in_process) {
    enum { ROUNDS = 200 };
    zc_model_pool *pool;
    cr_assert_eq(zc_model_pool_create(&pool, 1), ZC_OK);
    import_box(pool); /* the worker's start is paid once, not measured */
    zc_model_settings in_process = { .in_process = 1 };
    zc_model m;
    zc_diag diag;
    cr_assert_eq(zc_model_import_file(BOX, "box.obj", &in_process, &m, &diag), ZC_OK);
    zc_model_free(&m);
    double start = now_s();
    for (int i = 0; i < ROUNDS; ++i) import_box(pool);
    double pooled = (now_s() - start) / ROUNDS;
    start = now_s();
    for (int i = 0; i < ROUNDS; ++i) {
        cr_assert_eq(zc_model_import_file(BOX, "box.obj", &in_process, &m, &diag), ZC_OK);
        zc_model_free(&m);
    }
    double direct = (now_s() - start) / ROUNDS;
    start = now_s();
    for (int i = 0; i < 20; ++i) import_box(NULL);
    double fresh = (now_s() - start) / 20;
    fprintf(stderr,
            "model_pool: OBJ/box.obj x%d: in process %.3f ms, warm pool %.3f ms (overhead %.3f ms), "
            "a worker per import %.3f ms\n",
            ROUNDS, direct * 1e3, pooled * 1e3, (pooled - direct) * 1e3, fresh * 1e3);
    /* 201 imports: the worker is replaced once when it reaches its quota of imports */
    cr_assert_leq(zc_model_pool_started(pool), 2);
    zc_model_pool_destroy(pool);
    assert_no_children();
}

Test(model_pool, build_ends_its_workers) {
    char *root = zct_join(zct_tmp, "tree");
    zct_copy_file(BOX, root, "a/box.obj");
    zct_copy_file(BOX, root, "b/box.obj");
    zct_copy_file(MODELS "OBJ/spider.obj", root, "c/spider.obj");
    char *out = zct_join(zct_tmp, "out.zcpack");
    zc_build_stats st;
    cr_assert_eq(zc_build(&(zc_build_desc){ .input_dir = root, .output_path = out, .threads = 2, .no_sync = 1 }, &st),
                 ZC_OK);
    cr_assert_eq(st.imported[zc_importer_index(zc_importer_find("model"))], 3);
    assert_no_children();
    free(out);
    free(root);
}

Test(model_pool, builds_share_a_callers_pool) {
    char *root = zct_join(zct_tmp, "tree");
    zct_copy_file(BOX, root, "a/box.obj");
    zct_copy_file(BOX, root, "b/box.obj");
    zct_copy_file(MODELS "OBJ/spider.obj", root, "c/spider.obj");
    char *first = zct_join(zct_tmp, "first.zcpack"), *second = zct_join(zct_tmp, "second.zcpack");
    zc_model_pool *pool;
    cr_assert_eq(zc_model_pool_create(&pool, 2), ZC_OK);
    zc_build_desc d = { .input_dir = root, .output_path = first, .threads = 2, .no_sync = 1, .model_pool = pool };
    zc_build_stats st;
    cr_assert_eq(zc_build(&d, &st), ZC_OK);
    cr_assert_eq(st.imported[zc_importer_index(zc_importer_find("model"))], 3);
    uint32_t started = zc_model_pool_started(pool);
    pid_t kids[8];
    cr_assert_geq(started, 1);
    cr_assert_eq(workers_of(getpid(), kids, 8), started, "the caller's workers outlive the build");
    d.output_path = second;
    cr_assert_eq(zc_build(&d, &st), ZC_OK);
    cr_assert_eq(zc_model_pool_started(pool), started, "the second build started %u workers of its own",
                 zc_model_pool_started(pool) - started);
    cr_assert(zct_files_equal(first, second), "the same tree gave different packs");
    zc_model_pool_destroy(pool);
    assert_no_children();
    free(first);
    free(second);
    free(root);
}

Test(model_pool, killed_packer_takes_its_workers_along) {
    if (zct_sanitizing()) zct_skip_test("process timing under the sanitizers");
    char *root = zct_join(zct_tmp, "tree");
    copy_cut(HANG_SOURCE, root, "hang.ply", HANG_PREFIX);
    char *out = zct_join(zct_tmp, "out.zcpack");
    pid_t packer = fork();
    cr_assert_geq(packer, 0);
    if (packer == 0) {
        int null_fd = open("/dev/null", O_WRONLY);
        dup2(null_fd, 1);
        dup2(null_fd, 2);
        execl(zct_zcpack_bin(), "zcpack", "build", root, "-o", out, "--model-timeout", "60", (char *)NULL);
        _exit(127);
    }
    pid_t workers[8], servers[8];
    size_t n = 0;
    for (int waited = 0; waited < 5000 && n == 0; waited += 10) {
        zct_sleep_ms(10);
        n = workers_of(packer, workers, 8);
    }
    cr_assert_eq(n, 1, "the packer started its worker");
    cr_assert_eq(zct_children_named(packer, ZC__SERVER_NAME, servers, 8), 1, "through its worker server");
    cr_assert_eq(kill(packer, SIGKILL), 0);
    cr_assert_eq(waitpid(packer, NULL, 0), packer);
    int gone = 0;
    for (int waited = 0; waited < 5000 && !gone; waited += 10) {
        zct_sleep_ms(10);
        /* reparented and reaped by init, or ours if subreaper */
        gone = kill(workers[0], 0) != 0 && kill(servers[0], 0) != 0;
    }
    cr_assert(gone, "worker %d or server %d outlived the killed packer", (int)workers[0], (int)servers[0]);
    free(out);
    free(root);
}
