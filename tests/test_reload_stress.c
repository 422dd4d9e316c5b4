/* test_reload_stress.c - hot reload under load (suite reload; editor builds only, like
 * test_reload.c).
 *
 * Reader threads, plus a second reader process, check every byte of every entry of
 * every generation they pin while a writer thread republishes the pack thousands of
 * times: zero SIGBUS, zero torn or mixed-generation reads, retained generations
 * bounded. The negative control runs the same readers against a naive writer that
 * truncates and rewrites the pack in place, and requires the harness to catch it.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#ifdef ZC_EDITOR

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zc_pack.h"
#include "zc_live.h"
#include "zc_test_live.h"
#include "zc_test_util.h"
#include "zc_writer.h"

/* ---------------------------------------------------------------------------------
 * Stress: readers check every byte of every pinned generation while it is
 * republished thousands of times.
 *
 * Generation g holds ENTRIES blobs "e0".."e7" whose sizes depend on g (so entries
 * move between generations). Entry i is 64-bit words: word 0 is g (the generation
 * marker), word 1 is i, word k >= 2 is pattern(g, i, k). A reader pins a generation
 * and checks every word of every entry: a marker that differs between the entries of
 * one pin is a mixed-generation read; any other wrong word, size or count is a torn
 * read; markers going backwards between pins of one thread are counted too.
 * ------------------------------------------------------------------------------- */

#define ENTRIES 8

static uint64_t words_of(uint64_t g, uint32_t i) { return 64 + ((g * 7919u + i * 104729u) % 24u) * 64; }

static uint64_t pattern(uint64_t g, uint32_t i, uint64_t k) {
    return (g * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)i << 56) ^ (k * 0xBF58476D1CE4E5B9ull);
}

/* The pack bytes of generation g, written through the writer to `out`. */
static void write_generation(const char *out, uint64_t g) {
    zc_writer *w;
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = out, .no_sync = 1, .no_verify = 1 }), ZC_OK);
    uint64_t buf[64 + 24 * 64];
    for (uint32_t i = 0; i < ENTRIES; ++i) {
        char name[8];
        snprintf(name, sizeof name, "e%u", i);
        uint64_t n = words_of(g, i);
        buf[0] = g;
        buf[1] = i;
        for (uint64_t k = 2; k < n; ++k) buf[k] = pattern(g, i, k);
        cr_assert_eq(zc_writer_begin_entry(w, name, ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 0), ZC_OK);
        cr_assert_eq(zc_writer_write(w, buf, n * 8), ZC_OK);
        cr_assert_eq(zc_writer_end_entry(w), ZC_OK);
    }
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
}

/* Counters shared with reader processes (MAP_SHARED | MAP_ANONYMOUS). */
typedef struct harness {
    atomic_int stop;
    atomic_long passes;         /* pins fully checked */
    atomic_long torn;
    atomic_long mixed;
    atomic_long backwards;
    atomic_long sigbus;
    atomic_long errors;         /* acquire or release failures */
    atomic_ulong max_marker;
    atomic_uint max_generation;
    atomic_uint retained_peak;
    atomic_int fds_leaked;      /* a reader process's own baseline check */
    atomic_int maps_left;
} harness;

static harness *harness_new(void) {
    harness *h = mmap(NULL, sizeof *h, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(h, MAP_FAILED);
    memset(h, 0, sizeof *h);
    return h;
}

/* SIGBUS: counted; a reader thread inside a check jumps out of it, any other thread
 * (a watcher validating a file that shrinks under it) dies of it as by default. */
static _Thread_local sigjmp_buf *reader_jump;
static harness *signal_harness;

static void on_sigbus(int sig, siginfo_t *info, void *context) {
    (void)info;
    (void)context;
    if (signal_harness) atomic_fetch_add(&signal_harness->sigbus, 1);
    if (reader_jump) siglongjmp(*reader_jump, 1);
    signal(sig, SIG_DFL); /* returning re-runs the faulting access, which now kills */
}

static void install_sigbus(harness *h) {
    signal_harness = h;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    cr_assert_eq(sigaction(SIGBUS, &sa, NULL), 0);
}

/* Check one pinned generation. 0 when it is whole and of one generation. */
static int check_generation(const zc_pack *pack, harness *h, uint64_t *last_marker) {
    if (zc_pack_entry_count(pack) != ENTRIES) {
        atomic_fetch_add(&h->torn, 1);
        return 1;
    }
    uint64_t marker = 0;
    for (uint32_t i = 0; i < ENTRIES; ++i) {
        char name[8];
        snprintf(name, sizeof name, "e%u", i);
        zc_entry e;
        if (zc_pack_find(pack, name, &e) != ZC_OK || e.raw_size % 8 != 0 || e.raw_size < 16) {
            atomic_fetch_add(&h->torn, 1);
            return 1;
        }
        const volatile uint64_t *w = (const volatile uint64_t *)e.data;
        if (i == 0) marker = w[0];
        if (w[0] != marker) {
            atomic_fetch_add(&h->mixed, 1);
            return 1;
        }
        uint64_t n = e.raw_size / 8;
        if (w[1] != i || n != words_of(marker, i)) {
            atomic_fetch_add(&h->torn, 1);
            return 1;
        }
        for (uint64_t k = 2; k < n; ++k)
            if (w[k] != pattern(marker, i, k)) {
                atomic_fetch_add(&h->torn, 1);
                return 1;
            }
    }
    if (marker < *last_marker) atomic_fetch_add(&h->backwards, 1);
    *last_marker = marker;
    unsigned long seen = atomic_load(&h->max_marker);
    while (marker > seen && !atomic_compare_exchange_weak(&h->max_marker, &seen, marker)) {}
    atomic_fetch_add(&h->passes, 1);
    return 0;
}

/* check_generation with a SIGBUS turned into a counted jump out of it. */
static void guarded_check(const zc_pack *pack, harness *h, uint64_t *last_marker) {
    sigjmp_buf jump;
    if (sigsetjmp(jump, 1) == 0) {
        reader_jump = &jump;
        check_generation(pack, h, last_marker);
    }
    reader_jump = NULL;
}

typedef struct reader_arg {
    zc_live_pack *live;
    harness *h;
    int slow;                   /* hold some pins for a millisecond, to fill the bound */
} reader_arg;

static void *reader_thread(void *p) {
    reader_arg *a = (reader_arg *)p;
    uint64_t last_marker = 0;
    uint32_t last_generation = 0;
    for (unsigned long round = 0; !atomic_load(&a->h->stop); ++round) {
        zc_live_view v;
        if (zc_live_acquire(a->live, &v) != ZC_OK) {
            atomic_fetch_add(&a->h->errors, 1);
            continue;
        }
        if (v.generation < last_generation) atomic_fetch_add(&a->h->backwards, 1);
        last_generation = v.generation;
        guarded_check(v.pack, a->h, &last_marker);
        if (a->slow && round % 4 == 0) zct_sleep_ms(1);
        if (zc_live_release(a->live, v.ref) != ZC_OK) atomic_fetch_add(&a->h->errors, 1);
        unsigned g = atomic_load(&a->h->max_generation);
        while (v.generation > g && !atomic_compare_exchange_weak(&a->h->max_generation, &g, v.generation)) {}
    }
    return NULL;
}

/* Readers in this process on their own live pack until h->stop; then the live pack's
 * peak retention is recorded and it is closed. */
static void run_readers(const char *path, harness *h, int threads, uint32_t max_generations) {
    zc_live_pack *live;
    if (zc_live_open(&live, &(zc_live_desc){ .path = path, .watch = 1, .poll_interval_ms = 20,
                                            .max_generations = max_generations }) != ZC_OK) {
        atomic_fetch_add(&h->errors, 1);
        return;
    }
    pthread_t tid[16];
    reader_arg args[16];
    for (int i = 0; i < threads; ++i) {
        args[i] = (reader_arg){ .live = live, .h = h, .slow = i == 0 };
        pthread_create(&tid[i], NULL, reader_thread, &args[i]);
    }
    for (int i = 0; i < threads; ++i) pthread_join(tid[i], NULL);
    zc_live_stats s;
    zc_live_get_stats(live, &s);
    unsigned peak = atomic_load(&h->retained_peak);
    if (s.retained_peak > peak) atomic_store(&h->retained_peak, s.retained_peak);
    zc_live_close(live);
}

/* A reader process: its own readers, then its own baseline check; exit 0 when its
 * readers found nothing wrong, 1 otherwise (the parent also reads the counters).
 * `quiet`: its stderr goes to /dev/null (the negative control's processes read
 * damaged packs, and the sanitizers say so at length). */
static pid_t spawn_reader_process(const char *path, harness *h, int threads, uint32_t max_generations,
                                  const char *dir, int quiet) {
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid != 0) return pid;
    if (quiet) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, 2);
        if (null > 2) close(null);
    }
    install_sigbus(h);
    zctl_warm_up_libuv(path);
    int fds = zct_count_fds();
    run_readers(path, h, threads, max_generations);
    if (zct_count_fds() != fds) atomic_store(&h->fds_leaked, 1);
    atomic_store(&h->maps_left, zct_count_maps_under(dir));
    int bad = atomic_load(&h->torn) || atomic_load(&h->mixed) || atomic_load(&h->sigbus) ||
              atomic_load(&h->errors) || atomic_load(&h->backwards);
    _exit(bad ? 1 : 0);
}

typedef struct writer_arg {
    const char *path;
    const char *dir;
    uint64_t first, last;
    int max_maps;               /* most pack mappings seen in this process */
} writer_arg;

static void *writer_thread(void *p) {
    writer_arg *a = (writer_arg *)p;
    for (uint64_t g = a->first; g <= a->last; ++g) {
        write_generation(a->path, g);
        if (g % 16 == 0) {
            int maps = zct_count_maps_under(a->dir);
            if (maps > a->max_maps) a->max_maps = maps;
        }
    }
    return NULL;
}

/* Wait until the live pack shows generation marker `g` (its e0 word 0). */
static int wait_for_marker(zc_live_pack *live, uint64_t g, long timeout_ms) {
    uint64_t end = zct_now_ns() + (uint64_t)timeout_ms * 1000000u;
    for (;;) {
        zc_live_view v;
        cr_assert_eq(zc_live_acquire(live, &v), ZC_OK);
        zc_entry e;
        uint64_t marker = zc_pack_find(v.pack, "e0", &e) == ZC_OK ? *(const uint64_t *)e.data : 0;
        zc_live_release(live, v.ref);
        if (marker == g) return 1;
        if (zct_now_ns() > end) return 0;
        zct_sleep_ms(5);
    }
}

Test(reload, stress_readers_and_a_reader_process_while_the_pack_is_republished, .timeout = 300) {
    const uint64_t publishes = zct_sanitizing() ? 600 : 3000;
    const uint32_t max_generations = 3;
    const int threads = 4;
    char *path = zct_join(zct_tmp, "game.zcpack");
    write_generation(path, 1);
    zctl_warm_up_libuv(path);
    int fds = zct_count_fds();
    cr_assert_eq(zct_count_maps_under(zct_tmp), 0);

    /* The second reader process first (no threads yet in this one). */
    harness *child_h = harness_new();
    pid_t child = spawn_reader_process(path, child_h, 2, max_generations, zct_tmp, 0);

    harness *h = harness_new();
    install_sigbus(h);
    zc_live_pack *live;
    cr_assert_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .watch = 1, .poll_interval_ms = 20,
                                                     .max_generations = max_generations }),
                 ZC_OK);
    pthread_t tid[8];
    reader_arg args[8];
    for (int i = 0; i < threads; ++i) {
        args[i] = (reader_arg){ .live = live, .h = h, .slow = i == 0 };
        cr_assert_eq(pthread_create(&tid[i], NULL, reader_thread, &args[i]), 0);
    }
    writer_arg wa = { .path = path, .dir = zct_tmp, .first = 2, .last = publishes + 1 };
    uint64_t start = zct_now_ns();
    pthread_t writer;
    cr_assert_eq(pthread_create(&writer, NULL, writer_thread, &wa), 0);
    pthread_join(writer, NULL);
    double write_s = (double)(zct_now_ns() - start) / 1e9;

    /* Every reader converges on the last generation. */
    cr_expect(wait_for_marker(live, publishes + 1, 10000), "the last generation arrived");
    uint64_t end = zct_now_ns() + 10000000000u;
    while ((atomic_load(&h->max_marker) != publishes + 1 || atomic_load(&child_h->max_marker) != publishes + 1) &&
           zct_now_ns() < end)
        zct_sleep_ms(5);
    atomic_store(&h->stop, 1);
    atomic_store(&child_h->stop, 1);
    for (int i = 0; i < threads; ++i) pthread_join(tid[i], NULL);
    zc_live_stats s = zctl_stats(live);
    zc_live_close(live);
    int status = 0;
    cr_assert_eq(waitpid(child, &status, 0), child);

    cr_log_info("stress: %llu publishes in %.2f s; this process: %ld checked pins, %llu reloads, %llu deferrals, "
                "peak %u generations, %d pack mappings at most; reader process: %ld checked pins, peak %u",
                (unsigned long long)publishes, write_s, atomic_load(&h->passes), (unsigned long long)s.reloads,
                (unsigned long long)s.deferrals, s.retained_peak, wa.max_maps, atomic_load(&child_h->passes),
                atomic_load(&child_h->retained_peak));
    /* This process. */
    cr_expect_eq(atomic_load(&h->sigbus), 0);
    cr_expect_eq(atomic_load(&h->torn), 0);
    cr_expect_eq(atomic_load(&h->mixed), 0);
    cr_expect_eq(atomic_load(&h->backwards), 0);
    cr_expect_eq(atomic_load(&h->errors), 0);
    cr_expect_gt(atomic_load(&h->passes), 100);
    cr_expect_eq(atomic_load(&h->max_marker), publishes + 1);
    cr_expect_gt(s.reloads, 10u, "generations were swapped while readers read");
    cr_expect_leq(s.retained_peak, max_generations);
    /* The runtime's own count (retained_peak, above) is exact. /proc/self/maps is read
     * in several read() calls while the watcher thread maps and unmaps generations, so
     * one snapshot can list a mapping that is being replaced next to its successor:
     * the file view may show one line more than were ever mapped at once. */
    cr_expect_leq(wa.max_maps, (int)max_generations + 1, "mapped generations stay within the bound");
    cr_expect_eq(s.failures, 0u);
    cr_expect_eq(zct_count_fds(), fds, "descriptors back to the baseline");
    cr_expect_eq(zct_count_maps_under(zct_tmp), 0, "every pack mapping is gone");
    /* The reader process. */
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "reader process status %d", status);
    cr_expect_eq(atomic_load(&child_h->sigbus), 0);
    cr_expect_eq(atomic_load(&child_h->torn), 0);
    cr_expect_eq(atomic_load(&child_h->mixed), 0);
    cr_expect_gt(atomic_load(&child_h->passes), 10);
    cr_expect_eq(atomic_load(&child_h->max_marker), publishes + 1);
    cr_expect_leq(atomic_load(&child_h->retained_peak), max_generations);
    cr_expect_eq(atomic_load(&child_h->fds_leaked), 0);
    cr_expect_eq(atomic_load(&child_h->maps_left), 0);
    munmap(h, sizeof *h);
    munmap(child_h, sizeof *child_h);
    free(path);
}

/* The negative control: the same readers, in reader processes, against a writer that
 * rewrites the pack in place (truncate, then write it again piece by piece). The
 * harness must catch it: a SIGBUS (counted, or a process killed by one) or a torn or
 * mixed read. */
Test(reload, negative_control_an_in_place_writer_is_caught, .timeout = 120) {
    char *path = zct_join(zct_tmp, "game.zcpack");
    char *side = zct_join(zct_tmp, "side.zcpack");
    write_generation(path, 1);
    enum { PROCESSES = 2 };
    harness *h[PROCESSES];
    pid_t pid[PROCESSES];
    for (int i = 0; i < PROCESSES; ++i) {
        h[i] = harness_new();
        pid[i] = spawn_reader_process(path, h[i], 2, 3, zct_tmp, 1);
    }
    zct_sleep_ms(100); /* let the readers start */
    /* Rewrite until every reader process has noticed (or died), within a deadline
     * long enough for a loaded machine: the readers must be scheduled during a
     * rewrite to notice it. */
    uint64_t end = zct_now_ns() + (zct_sanitizing() ? 30000000000u : 15000000000u);
    uint64_t g = 2;
    int alive = PROCESSES, noticed = 0, status[PROCESSES], reaped[PROCESSES] = { 0 };
    while (zct_now_ns() < end && alive > 0 && noticed < PROCESSES) {
        write_generation(side, g++);
        size_t size;
        uint8_t *bytes = zct_read_file(side, &size);
        cr_assert_not_null(bytes);
        int fd = open(path, O_WRONLY | O_TRUNC);
        cr_assert_geq(fd, 0);
        for (size_t at = 0; at < size; at += 4096) {
            size_t n = size - at < 4096 ? size - at : 4096;
            cr_assert_eq(write(fd, bytes + at, n), (ssize_t)n);
            sched_yield();
        }
        close(fd);
        free(bytes);
        alive = 0;
        noticed = 0;
        for (int i = 0; i < PROCESSES; ++i) {
            if (!reaped[i]) reaped[i] = waitpid(pid[i], &status[i], WNOHANG) == pid[i];
            alive += !reaped[i];
            noticed += reaped[i] || atomic_load(&h[i]->sigbus) + atomic_load(&h[i]->torn) + atomic_load(&h[i]->mixed) > 0;
        }
    }
    long caught = 0;
    for (int i = 0; i < PROCESSES; ++i) {
        atomic_store(&h[i]->stop, 1);
        if (!reaped[i]) cr_assert_eq(waitpid(pid[i], &status[i], 0), pid[i]);
        int killed = WIFSIGNALED(status[i]);
        long found = atomic_load(&h[i]->sigbus) + atomic_load(&h[i]->torn) + atomic_load(&h[i]->mixed);
        cr_log_info("negative control, reader process %d: %s %d; %ld SIGBUS, %ld torn, %ld mixed, %ld whole pins", i,
                    killed ? "killed by signal" : "exit status", killed ? WTERMSIG(status[i]) : WEXITSTATUS(status[i]),
                    atomic_load(&h[i]->sigbus), atomic_load(&h[i]->torn), atomic_load(&h[i]->mixed),
                    atomic_load(&h[i]->passes));
        caught += killed || found > 0;
        munmap(h[i], sizeof *h[i]);
    }
    cr_expect_eq(caught, PROCESSES, "every reader process noticed the in-place writer (%llu rewrites)",
                 (unsigned long long)(g - 2));
    free(path);
    free(side);
}

#endif /* ZC_EDITOR */
