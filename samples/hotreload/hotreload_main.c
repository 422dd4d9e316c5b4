/* hotreload_main.c - the hot reload sample: an editor-style frame loop that keeps
 * reading a pack while it is rebuilt, and prints each new generation's changes as they
 * arrive.
 *
 *     hotreload <pack> [--changes N] [--timeout SECONDS] [--poll] [--interval MS]
 *               [--stat-poll MS] [--generations]
 *
 * Watch mode (the default) opens the pack with zc_live_open(.watch = 1): a watcher
 * thread notices each new generation and the on_change callback prints it on that
 * thread. --poll instead calls zc_live_poll once per frame from the loop (what a build
 * without libuv does; the Windows cross-build's sample falls back to it by itself).
 * Each frame pins the current generation (zc_live_acquire), reads every entry's first
 * byte as a renderer would touch its assets, and unpins it (zc_live_release).
 *
 * --changes N   exit 0 after N generations have arrived (default: run until the timeout)
 * --timeout S   give up after S seconds (default 0 = never); with --changes, a timeout
 *               before N generations is exit status 1
 * --interval MS frame time and, in watch mode, the stat poll interval (default 16)
 * --stat-poll MS in watch mode, the stat poll interval alone (default: --interval); a
 *               long one (60000) leaves new generations to the file notifications
 * --generations read generation files `<pack>.gen-<n>` (the Windows scheme; default on
 *               Windows)
 * When the pack does not exist yet (the packer has not published it) the sample waits
 * for it. Exit status: 0 done; 1 timeout or an error; 2 usage or a build without
 * ZC_EDITOR.
 *
 * Uses the runtime's public API only (zc_pack.h, zc_live.h, and zc_pack_format.h for
 * type names).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#else
#include <time.h>
#endif

#include "zc_live.h"
#include "zc_pack.h"
#include "zc_pack_format.h" /* zc_type_name, for the report */

#ifdef ZC_EDITOR

typedef struct options {
    const char *pack;
    long changes;               /* 0: no count to reach */
    double timeout_s;           /* 0: none */
    int poll;
    long interval_ms;
    long stat_poll_ms;          /* 0: interval_ms */
    int generations;
} options;

static atomic_long generations_seen;
static int quiet; /* while waiting for the pack to appear: the failed opens are expected */

static uint64_t now_ms(void) {
#ifdef _WIN32
    return (uint64_t)GetTickCount64();
#else
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
#endif
}

static void sleep_ms(long ms) {
#ifdef _WIN32
    Sleep((DWORD)ms);
#else
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
#endif
}

static void log_line(zc_log_level level, const char *message, void *user_data) {
    (void)user_data;
    if (level <= ZC_LOG_WARNING && !quiet) fprintf(stderr, "hotreload: %s\n", message);
}

static const char *kind_name(zc_live_change_kind kind) {
    return kind == ZC_LIVE_ADDED ? "added" : kind == ZC_LIVE_CHANGED ? "changed" : "removed";
}

/* The watcher thread (or zc_live_poll) calls this once per new generation. An engine
 * would queue the ids for its render thread to re-upload; the sample prints them. */
static void on_change(const zc_live_event *event, void *user_data) {
    (void)user_data;
    printf("generation %u (replaces %u, opened and validated in %.2f ms): %u added, %u changed, %u removed\n",
           event->new_generation, event->old_generation, (double)event->validate_ns / 1e6, event->added,
           event->changed, event->removed);
    for (uint32_t i = 0; i < event->change_count; ++i) {
        const zc_live_change *c = &event->changes[i];
        const char *type = zc_type_name(c->type);
        printf("  %-8s %-40s %-9s %10llu bytes  %016llx -> %016llx\n", kind_name(c->kind), c->path,
               type ? type : "?", (unsigned long long)c->raw_size, (unsigned long long)c->old_hash,
               (unsigned long long)c->new_hash);
    }
    fflush(stdout);
    atomic_fetch_add(&generations_seen, 1);
}

static int usage(void) {
    fprintf(stderr, "usage: hotreload <pack> [--changes N] [--timeout SECONDS] [--poll] [--interval MS] "
                    "[--stat-poll MS] [--generations]\n"
                    "  --changes N    exit 0 after N new generations (default: until the timeout)\n"
                    "  --timeout S    give up after S seconds, exit 1 if N were not seen (default: never)\n"
                    "  --poll         poll once per frame instead of watching (libuv) \n"
                    "  --interval MS  frame time and stat poll interval, 1..10000 (default 16)\n"
                    "  --stat-poll MS stat poll interval alone, 1..60000 (default: --interval)\n"
                    "  --generations  read generation files <pack>.gen-<n> (default on Windows)\n");
    return 2;
}

static int parse(int argc, char **argv, options *o) {
    memset(o, 0, sizeof *o);
    o->interval_ms = 16;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        char *end = NULL;
        if (strcmp(a, "--poll") == 0) o->poll = 1;
        else if (strcmp(a, "--generations") == 0) o->generations = 1;
        else if (strcmp(a, "--changes") == 0 && i + 1 < argc) {
            o->changes = strtol(argv[++i], &end, 10);
            if (*end || o->changes < 1) return 0;
        } else if (strcmp(a, "--timeout") == 0 && i + 1 < argc) {
            o->timeout_s = strtod(argv[++i], &end);
            if (*end || o->timeout_s < 0) return 0;
        } else if (strcmp(a, "--interval") == 0 && i + 1 < argc) {
            o->interval_ms = strtol(argv[++i], &end, 10);
            if (*end || o->interval_ms < 1 || o->interval_ms > 10000) return 0;
        } else if (strcmp(a, "--stat-poll") == 0 && i + 1 < argc) {
            o->stat_poll_ms = strtol(argv[++i], &end, 10);
            if (*end || o->stat_poll_ms < 1 || o->stat_poll_ms > 60000) return 0;
        } else if (a[0] == '-' || o->pack) {
            return 0;
        } else {
            o->pack = a;
        }
    }
    return o->pack != NULL;
}

static int timed_out(const options *o, uint64_t start) {
    return o->timeout_s > 0 && (double)(now_ms() - start) >= o->timeout_s * 1000.0;
}

/* Open the live pack, waiting for the file to appear; without a watcher in the build,
 * switch to polling (o->poll). */
static zc_result open_live(options *o, uint64_t start, zc_live_pack **out) {
    zc_live_desc desc = {
        .path = o->pack,
        .watch = !o->poll,
        .poll_interval_ms = (uint32_t)(o->stat_poll_ms ? o->stat_poll_ms : o->interval_ms),
        .files = o->generations ? ZC_LIVE_FILES_GENERATIONS : ZC_LIVE_FILES_DEFAULT,
        .on_change = on_change,
        .logger = { .func = log_line },
    };
    int waiting = 0;
    for (;;) {
        zc_result r = zc_live_open(out, &desc);
        if (r == ZC_ERR_INVALID_ARGUMENT && desc.watch) { /* the logger said why: no watcher here */
            desc.watch = 0;
            o->poll = 1;
            continue;
        }
        if (r != ZC_ERR_FILE_NOT_FOUND) {
            quiet = 0;
            return r;
        }
        if (!waiting) fprintf(stderr, "hotreload: waiting for %s to appear\n", o->pack);
        waiting = quiet = 1;
        if (timed_out(o, start)) {
            quiet = 0;
            return r;
        }
        sleep_ms(o->interval_ms);
    }
}

/* One frame: pin the current generation, touch every entry, unpin. */
static int frame(zc_live_pack *live, uint64_t *checksum) {
    zc_live_view view;
    zc_result r = zc_live_acquire(live, &view);
    if (r != ZC_OK) {
        fprintf(stderr, "hotreload: zc_live_acquire: %s\n", zc_result_str(r));
        return 0;
    }
    uint32_t count = zc_pack_entry_count(view.pack);
    for (uint32_t i = 0; i < count; ++i) {
        zc_entry e;
        if (zc_pack_entry_at(view.pack, i, &e) == ZC_OK && e.stored_size > 0)
            *checksum += *(const unsigned char *)e.data;
    }
    zc_live_release(live, view.ref);
    return 1;
}

int main(int argc, char **argv) {
    options o;
    if (!parse(argc, argv, &o)) return usage();
    uint64_t start = now_ms();
    zc_live_pack *live;
    zc_result r = open_live(&o, start, &live);
    if (r != ZC_OK) {
        fprintf(stderr, "hotreload: cannot open %s: %s\n", o.pack, zc_result_str(r));
        return 1;
    }
    zc_live_stats stats;
    zc_live_get_stats(live, &stats);
    zc_live_view first;
    zc_live_acquire(live, &first);
    printf("hotreload: %s generation %u, %u entries; %s\n", o.pack, first.generation,
           zc_pack_entry_count(first.pack),
           stats.watching ? (stats.notifications ? "watching (notifications and a stat poll)" : "watching (stat poll)")
                          : "polling once per frame");
    fflush(stdout);
    zc_live_release(live, first.ref);

    uint64_t checksum = 0;
    int status = 0;
    while (!o.changes || atomic_load(&generations_seen) < o.changes) {
        if (timed_out(&o, start)) {
            if (o.changes) {
                fprintf(stderr, "hotreload: timed out after %.1f s with %ld of %ld new generations\n", o.timeout_s,
                        atomic_load(&generations_seen), o.changes);
                status = 1;
            }
            break;
        }
        if (o.poll) zc_live_poll(live, NULL); /* a refused file is logged; the old generation stays */
        if (!frame(live, &checksum)) {
            status = 1;
            break;
        }
        sleep_ms(o.interval_ms);
    }
    zc_live_get_stats(live, &stats);
    printf("hotreload: %ld new generations, %llu refused, now at generation %u (frame checksum %llu)\n",
           atomic_load(&generations_seen), (unsigned long long)stats.failures, stats.generation,
           (unsigned long long)checksum);
    zc_live_close(live);
    return status;
}

#else

int main(void) {
    fprintf(stderr, "hotreload: this build has no hot reload; build the editor configuration (make editor) and run "
                    "bin/editor/hotreload\n");
    return 2;
}

#endif /* ZC_EDITOR */
