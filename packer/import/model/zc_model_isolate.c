/* zc_model_isolate.c - zc_model_import_file: the model import in a child process
 * (zc_model.h, "Isolation").
 *
 * Why a child, and why fork without exec. assimp 5.2.5 dereferences bad pointers on
 * some damaged files and loops forever on others; no check before the call can
 * promise it will not. A separate process is the only containment that survives a
 * wild write, so every import runs in a child made with fork() that runs
 * zc_model_import_in_process, streams the result through a pipe and calls _exit.
 * fork without exec is sound here although the packer is threaded (the build's libuv
 * pool): glibc's fork takes the malloc arenas' and stdio's locks around the fork and
 * resets them in the child, so malloc and free keep working there, and the import
 * path uses nothing else another thread could hold (zc_model.c re-initialises its own
 * assimp mutex with pthread_atfork). The child runs only the import and the write,
 * never returns into the caller's code, never flushes the parent's stdio buffers
 * (_exit) and never touches the parent's descriptors (it closes them all first). If a
 * lock held by another thread at the fork ever made the child block, the time limit
 * ends it like any other hang.
 *
 * The exception: an allocator that is not fork-safe. AddressSanitizer's (GCC 12's
 * libasan has no fork interceptor) leaves its internal locks as the other threads
 * held them, and a child forked during a parallel build then blocks in its first
 * malloc (seen in the sanitizer run: the child waits on a futex inside libasan until
 * the time limit). Such builds (ZC_MODEL_CHILD_EXEC: on under AddressSanitizer, or
 * -DZC_MODEL_CHILD_EXEC=1 for another allocator of that kind) make the child exec
 * /proc/self/exe right after the fork, before any allocation, with a marker argument;
 * a constructor in this file recognises it before main runs and does the same import
 * and reply from a fresh process image. This needs the packer linked statically into
 * the program that runs (the CLI, the tests and the tools are). Everything else
 * (setup, reply, checks, reaping) is the same in both modes.
 *
 * Image memory: when the settings carry an image budget (zc_image_budget.h), the
 * child also gets one end of a socket pair as fd 4 and imports its textures under a
 * remote budget on it; the parent serves the requests while it waits for the reply
 * and gives back whatever the child still holds once it has reaped it.
 *
 * The reply (child to parent, host byte order: both ends are one program image).
 * Every integer is a u32 or u64 written as its bytes, with no padding:
 *
 *   reply    = u32 magic 0x494D435A ("ZCMI"), u32 version 2, u32 status, body,
 *              u32 end magic 0x454D435A ("ZCME")
 *   status 0 (the import succeeded):
 *     body   = u32 entry_count, u32 mesh_count, u32 material_count, u32 texture_count,
 *              u32 node_count, u64 triangle_count, u64 vertex_count,
 *              u32 notes_length, notes_length bytes of notes (no NUL),
 *              u32 reads_length, reads_length bytes of the files read (zc_model.reads),
 *              entry_count times entry
 *     entry  = u32 path_length, path_length bytes of path (no NUL), u32 type,
 *              u32 layout_hash, u32 align_log2, u32 dep_count, u64 size,
 *              dep_count u64 dependency ids, size payload bytes
 *   status != 0 (a zc_result the import returned):
 *     body   = u32 message_length, message_length bytes of the diag's sentence
 *
 * The parent trusts nothing in it. Before it allocates anything a field sizes, the
 * field is checked against the caps below; payloads grow with the bytes that really
 * arrive (never more than twice what was received), so a lying size costs nothing.
 * Every path passes zc_check_path and lies in the model's namespace (P, or P#<kind>/..
 * with the type that kind stands for), paths are strictly ascending, every payload
 * passes zc_check_payload in a 16-byte-aligned buffer, notes, reads and messages are UTF-8
 * without control characters, and an error status must be a zc_result. Anything else
 * is "the model importer sent a malformed reply: <what>", ZC_ERR_BAD_SOURCE.
 *
 * Ending the child: once the end magic arrives the child has nothing left to do, so
 * the parent sends SIGKILL (harmless if it already exited: an unreaped child keeps its
 * pid) and reaps it. On a time-out or a malformed reply likewise. When the pipe ends
 * early the parent waits (until the deadline) for the child to end and reports how:
 * a signal is a crash, an exit is "exited without a result". Every path ends in
 * waitpid, so no zombie is left; every descriptor is O_CLOEXEC and closed.
 *
 * Threads: any number of imports at once; all state is per call. Process-wide state
 * is neither read nor changed (signal dispositions, SIGCHLD, the umask), except that
 * a process which ignores SIGCHLD has its children reaped by the kernel: the exit
 * status is then unknown and a short reply is reported as "exited without a result".
 */
#define _GNU_SOURCE /* pipe2, F_SETPIPE_SZ, prctl */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zc_image_budget.h"
#include "zc_model.h"
#include "zc_model_isolate.h"
#include "zc_types.h"

int zc__model_child_fault = ZC__MODEL_FAULT_NONE;

#define ZC__REPLY_MAGIC 0x494D435Au     /* "ZCMI" as little-endian bytes */
#define ZC__REPLY_END 0x454D435Au       /* "ZCME" */
#define ZC__REPLY_VERSION 2u

/* Caps on what a reply may declare (all far above what a real model produces). */
#define ZC__REPLY_MAX_ENTRIES (1u << 20)
#define ZC__REPLY_MAX_DEPS (1u << 20)           /* per entry */
#define ZC__REPLY_MAX_TOTAL_DEPS ZC_MAX_DEPS    /* over the reply */
#define ZC__REPLY_MAX_NOTES (256u << 10)        /* bytes */
#define ZC__REPLY_MAX_READS (1u << 20)          /* bytes */
#define ZC__REPLY_MAX_MESSAGE 255u              /* a zc_diag sentence */
#define ZC__REPLY_MAX_PAYLOAD (UINT64_C(1) << 34) /* bytes of one entry: 16 GiB */
#define ZC__PAYLOAD_FIRST_CHUNK ((size_t)1 << 20)

#define ZC__PIPE_SIZE (1 << 20)                 /* asked of the kernel; a smaller pipe works too */
#define ZC__CHILD_EXIT_WRITE 70                 /* the child could not write its reply */
#define ZC__CHILD_EXIT_EXEC 71                  /* the exec'd child could not start */
#define ZC__CHILD_ADDRESS_SPACE ((rlim_t)ZC__MODEL_CHILD_ADDRESS_SPACE)
#define ZC__EXEC_MAGIC "--zc-model-child-7f3c9a51"


/* ---------------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------------- */

static uint64_t zc__now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Milliseconds until `deadline` for poll(), rounded up; 0 when it has passed. */
static int zc__ms_left(uint64_t deadline) {
    uint64_t now = zc__now_ns();
    if (now >= deadline) return 0;
    uint64_t ms = (deadline - now + 999999u) / 1000000u;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* The name of a signal, without locale or static buffers (strsignal has both). */
static const char *zc__signal_name(int sig) {
    switch (sig) {
    case SIGSEGV: return "Segmentation fault";
    case SIGBUS: return "Bus error";
    case SIGABRT: return "Aborted";
    case SIGFPE: return "Floating point exception";
    case SIGILL: return "Illegal instruction";
    case SIGTRAP: return "Trace/breakpoint trap";
    case SIGSYS: return "Bad system call";
    case SIGKILL: return "Killed";
    case SIGTERM: return "Terminated";
    case SIGINT: return "Interrupt";
    case SIGQUIT: return "Quit";
    case SIGHUP: return "Hangup";
    case SIGPIPE: return "Broken pipe";
    case SIGXCPU: return "CPU time limit exceeded";
    case SIGXFSZ: return "File size limit exceeded";
    default: return "unknown signal";
    }
}

static void zc__close(int fd) {
    if (fd >= 0) close(fd); /* never retried on EINTR: Linux releases the fd anyway */
}

/* ---------------------------------------------------------------------------------
 * Child: run the import, write the reply, _exit. Nothing here returns.
 * ------------------------------------------------------------------------------- */

typedef struct zc__writer {
    int fd;
    int failed;
    uint64_t budget;            /* bytes still allowed out (fault injection cuts replies short) */
    size_t len;
    uint8_t buf[1 << 16];
} zc__writer;

static void zc__write_raw(zc__writer *w, const void *data, size_t size) {
    const uint8_t *p = (const uint8_t *)data;
    if (size > w->budget) size = (size_t)w->budget;
    w->budget -= size;
    while (size && !w->failed) {
        ssize_t n = write(w->fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            w->failed = 1;
            break;
        }
        p += n;
        size -= (size_t)n;
    }
}

static void zc__flush(zc__writer *w) {
    zc__write_raw(w, w->buf, w->len);
    w->len = 0;
}

static void zc__put(zc__writer *w, const void *data, size_t size) {
    if (size == 0) return; /* data may be NULL then (a model without notes) */
    if (size > sizeof w->buf - w->len) {
        zc__flush(w);
        if (size >= sizeof w->buf) {
            zc__write_raw(w, data, size);
            return;
        }
    }
    memcpy(w->buf + w->len, data, size);
    w->len += size;
}

static void zc__put_u32(zc__writer *w, uint32_t v) {
    zc__put(w, &v, sizeof v);
}

static void zc__put_u64(zc__writer *w, uint64_t v) {
    zc__put(w, &v, sizeof v);
}

static void zc__put_header(zc__writer *w, uint32_t status) {
    zc__put_u32(w, ZC__REPLY_MAGIC);
    zc__put_u32(w, ZC__REPLY_VERSION);
    zc__put_u32(w, status);
}

static void zc__put_error(zc__writer *w, uint32_t code, const char *message) {
    size_t n = strnlen(message, ZC__REPLY_MAX_MESSAGE);
    zc__put_header(w, code);
    zc__put_u32(w, (uint32_t)n);
    zc__put(w, message, n);
    zc__put_u32(w, ZC__REPLY_END);
}

static void zc__put_entry(zc__writer *w, const zc_model_entry *e) {
    size_t n = strlen(e->path);
    zc__put_u32(w, (uint32_t)n);
    zc__put(w, e->path, n);
    zc__put_u32(w, e->type);
    zc__put_u32(w, e->layout_hash);
    zc__put_u32(w, e->align_log2);
    zc__put_u32(w, e->dep_count);
    zc__put_u64(w, (uint64_t)e->size);
    for (uint32_t i = 0; i < e->dep_count; ++i) zc__put_u64(w, e->deps[i]);
    zc__put(w, e->payload, e->size);
}

/* Bytes of the success reply for m. */
static uint64_t zc__model_reply_size(const zc_model *m) {
    uint64_t n = 12 + 4 * 5 + 8 * 2 + 4 + (m->notes ? strlen(m->notes) : 0) + 4 + (m->reads ? strlen(m->reads) : 0) + 4;
    for (size_t i = 0; i < m->entry_count; ++i)
        n += 4 + strlen(m->entries[i].path) + 4 * 4 + 8 + 8 * (uint64_t)m->entries[i].dep_count + m->entries[i].size;
    return n;
}

/* The success reply; with `declared_entries` other than the real count the reply
 * lies (fault injection), and stop_after_header ends it after the counts. */
static void zc__put_model(zc__writer *w, const zc_model *m, uint32_t declared_entries, int stop_after_header) {
    size_t notes = m->notes ? strlen(m->notes) : 0;
    zc__put_header(w, ZC_OK);
    zc__put_u32(w, declared_entries);
    zc__put_u32(w, m->mesh_count);
    zc__put_u32(w, m->material_count);
    zc__put_u32(w, m->texture_count);
    zc__put_u32(w, m->node_count);
    zc__put_u64(w, m->triangle_count);
    zc__put_u64(w, m->vertex_count);
    zc__put_u32(w, (uint32_t)notes);
    zc__put(w, m->notes, notes);
    size_t reads = m->reads ? strlen(m->reads) : 0;
    zc__put_u32(w, (uint32_t)reads);
    zc__put(w, m->reads, reads);
    if (stop_after_header) return;
    for (size_t i = 0; i < m->entry_count; ++i) zc__put_entry(w, &m->entries[i]);
    zc__put_u32(w, ZC__REPLY_END);
}

/* Faults that change a real reply before it is written. */
static void zc__mutate(zc_model *m, int fault) {
    if (m->entry_count == 0) return;
    if (fault == ZC__MODEL_FAULT_BAD_PAYLOAD) {
        uint8_t *p = (uint8_t *)m->entries[0].payload;
        for (size_t i = 0; i < m->entries[0].size; ++i) p[i] = (uint8_t)(p[i] ^ 0xA5u ^ (uint8_t)i);
    } else if (fault == ZC__MODEL_FAULT_FOREIGN_PATH) {
        char *foreign = strdup("zzz-elsewhere.bin"); /* sorts last, so only the namespace is wrong */
        if (!foreign) _exit(ZC__CHILD_EXIT_WRITE);
        free(m->entries[m->entry_count - 1].path);
        m->entries[m->entry_count - 1].path = foreign;
    } else if (fault == ZC__MODEL_FAULT_UNSORTED && m->entry_count > 1) {
        zc_model_entry t = m->entries[0];
        m->entries[0] = m->entries[1];
        m->entries[1] = t;
    }
}

/* Default handling for every signal (a handler inherited from the parent, such as a
 * sanitizer's, would turn a crash into an ordinary exit, or run the parent's code),
 * nothing blocked, SIGPIPE ignored (a parent that stopped reading makes write fail). */
static void zc__child_signals(void) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < 32; ++sig)
        if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, NULL);
    dfl.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &dfl, NULL);
}

/* The child's world, made with system calls only (async-signal-safe, as the child of
 * a threaded process needs before an exec): the signals above, no core file, death
 * with the parent, no descriptor but the pipe, moved to fd 3, and the image budget's
 * socket (bfd >= 0), moved to fd 4, and stdin/stdout on /dev/null (the parent's
 * stdout may carry --json; stderr stays for crash reports). */
static void zc__child_setup(int wfd, int bfd, pid_t parent) {
    zc__child_signals();
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core); /* a crash leaves no core file in the user's directory */
#if !ZC_MODEL_CHILD_EXEC
    /* An input that makes assimp allocate without end (invalid/OutOfMemory.off of the
     * test models grows by about 150 MB/s) fails with bad_alloc at the cap instead of
     * eating the machine until the time limit. Not under AddressSanitizer, whose shadow
     * memory reserves terabytes of address space. */
    struct rlimit memory = { ZC__CHILD_ADDRESS_SPACE, ZC__CHILD_ADDRESS_SPACE };
    setrlimit(RLIMIT_AS, &memory);
#endif
    prctl(PR_SET_DUMPABLE, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(ZC__CHILD_EXIT_WRITE); /* the parent is already gone */

    /* above every target first, so moving one cannot close the other */
    int high_w = fcntl(wfd, F_DUPFD, 16), high_b = bfd >= 0 ? fcntl(bfd, F_DUPFD, 16) : -1;
    if (high_w < 0 || (bfd >= 0 && high_b < 0)) _exit(ZC__CHILD_EXIT_WRITE);
    if (dup2(high_w, 3) < 0 || (high_b >= 0 && dup2(high_b, 4) < 0)) _exit(ZC__CHILD_EXIT_WRITE);
    fcntl(3, F_SETFD, 0); /* kept across an exec */
    if (high_b >= 0) fcntl(4, F_SETFD, 0);
    unsigned first_closed = high_b >= 0 ? 5u : 4u;
#ifdef SYS_close_range
    if (syscall(SYS_close_range, first_closed, ~0u, 0u) != 0)
#endif
    {
        struct rlimit lim;
        long top = getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY ? (long)lim.rlim_cur : 65536;
        for (long fd = first_closed; fd < top && fd < 65536; ++fd) close((int)fd);
    }
    int null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
        dup2(null_fd, 0);
        dup2(null_fd, 1);
        if (null_fd > 3) close(null_fd);
    }
}

#if defined(__GNUC__)
__attribute__((noreturn))
#endif
static void zc__child_run(int fault, const char *root, const char *file_path, const char *entry_path,
                          const zc_model_settings *settings);

#if ZC_MODEL_CHILD_EXEC
/* The arguments the exec'd child decodes: the settings' bytes in hex (the struct holds
 * no pointer, and both ends are the same executable) and the fault number. Runs in
 * the parent, before the fork, so the child does nothing but system calls until exec. */
static void zc__exec_args(const zc_model_settings *settings, int fault, char *settings_hex, char *fault_text) {
    static const char digits[] = "0123456789abcdef";
    zc_model_settings copy;
    memset(&copy, 0, sizeof copy);
    if (settings) memcpy(&copy, settings, sizeof copy);
    const uint8_t *b = (const uint8_t *)&copy;
    for (size_t i = 0; i < sizeof copy; ++i) {
        settings_hex[2 * i] = digits[b[i] >> 4];
        settings_hex[2 * i + 1] = digits[b[i] & 15];
    }
    settings_hex[2 * sizeof copy] = 0;
    snprintf(fault_text, 16, "%d", fault);
}

static int zc__hex_value(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The exec'd child starts here, before main: glibc passes argc and argv to
 * constructors. Any other start of the program returns at once (the magic is not a
 * string anyone passes by accident). */
__attribute__((constructor(101))) static void zc__exec_child_entry(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc != 7 || !argv || !argv[1] || strcmp(argv[1], ZC__EXEC_MAGIC) != 0) return;
    prctl(PR_SET_DUMPABLE, 0); /* exec made the process dumpable again */
    zc__child_signals();       /* and a sanitizer runtime may have caught SIGSEGV again */
    zc_model_settings settings;
    uint8_t *b = (uint8_t *)&settings;
    if (strlen(argv[4]) != 2 * sizeof settings) _exit(ZC__CHILD_EXIT_EXEC);
    for (size_t i = 0; i < sizeof settings; ++i) {
        int hi = zc__hex_value(argv[4][2 * i]), lo = zc__hex_value(argv[4][2 * i + 1]);
        if (hi < 0 || lo < 0) _exit(ZC__CHILD_EXIT_EXEC);
        b[i] = (uint8_t)(hi << 4 | lo);
    }
    zc__child_run(atoi(argv[5]), argv[6][0] ? argv[6] : NULL, argv[2], argv[3], &settings);
}
#endif

/* Run the import and write the reply to fd 3 (zc__child_setup put the pipe there). */
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
static void zc__child_run(int fault, const char *root, const char *file_path, const char *entry_path,
                          const zc_model_settings *settings) {
    static zc__writer w; /* in the child's own copy of the process image: no other user */
    w.fd = 3;
    w.budget = UINT64_MAX;
    if (fault == ZC__MODEL_FAULT_CRASH) raise(SIGSEGV);
    if (fault == ZC__MODEL_FAULT_HANG)
        for (;;) pause();
    if (fault == ZC__MODEL_FAULT_EXIT) _exit(3);
    if (fault == ZC__MODEL_FAULT_GARBAGE) {
        static const char garbage[] = "this is not a model importer reply";
        zc__put(&w, garbage, sizeof garbage);
        zc__flush(&w);
        _exit(0);
    }
    if (fault == ZC__MODEL_FAULT_BAD_ERROR) {
        zc__put_error(&w, 0x7FFFFFFFu, "no such code");
        zc__flush(&w);
        _exit(0);
    }

    /* A budget in the settings: the parent serves it on fd 4 (zc__spawn). */
    zc_model_settings own;
    if (settings)
        own = *settings;
    else
        memset(&own, 0, sizeof own);
    zc_image_budget *remote = NULL;
    zc_model model;
    zc_diag diag;
    diag.message[0] = 0;
    zc_result r = own.texture.budget ? zc_image_budget_remote(4, &remote) : ZC_OK;
    own.texture.budget = remote;
    if (r != ZC_OK) zc_fail(&diag, r, "out of memory joining the build's image memory budget");
    else r = zc_model_import_in_process_under(root, file_path, entry_path, &own, &model, &diag);
    if (r != ZC_OK) {
        zc__put_error(&w, (uint32_t)r, diag.message[0] ? diag.message : zc_result_str(r));
    } else if (fault == ZC__MODEL_FAULT_HUGE_COUNT) {
        zc__put_model(&w, &model, UINT32_MAX, 1);
    } else if (fault == ZC__MODEL_FAULT_HUGE_SIZE) {
        /* below the cap, so the parent starts receiving it, then nothing comes */
        zc__put_model(&w, &model, (uint32_t)model.entry_count, 1);
        zc__put_u32(&w, (uint32_t)strlen(entry_path));
        zc__put(&w, entry_path, strlen(entry_path));
        uint32_t fields[4] = { ZC_TYPE_SCENE, ZC_SCENE_LAYOUT_HASH, 4, 0 };
        zc__put(&w, fields, sizeof fields);
        zc__put_u64(&w, UINT64_C(8) << 30);
    } else {
        zc__mutate(&model, fault);
        if (fault == ZC__MODEL_FAULT_TRUNCATED) w.budget = zc__model_reply_size(&model) / 2;
        zc__put_model(&w, &model, (uint32_t)model.entry_count, 0);
    }
    zc__flush(&w);
    if (fault == ZC__MODEL_FAULT_LINGER)
        for (;;) pause();
    _exit(w.failed ? ZC__CHILD_EXIT_WRITE : 0);
}

/* ---------------------------------------------------------------------------------
 * Parent: read the reply under the deadline
 * ------------------------------------------------------------------------------- */

typedef enum zc__stop {
    ZC__STOP_NONE = 0,
    ZC__STOP_EOF,               /* the pipe ended (or the child died and it is drained) */
    ZC__STOP_TIMEOUT,
    ZC__STOP_IO,                /* read or poll failed */
} zc__stop;

typedef struct zc__reader {
    int fd;                     /* read end, non-blocking */
    int pidfd;                  /* readable when the child has exited; -1 when unavailable */
    int child_gone;
    int budget_fd;              /* the child's image budget requests; -1: none */
    zc_image_budget *budget;    /* served on budget_fd */
    uint64_t budget_held;       /* what the child holds of it (given back at the end) */
    uint64_t deadline;
    zc__stop stop;
    int io_errno;
    size_t pos, len;
    uint8_t buf[1 << 16];
} zc__reader;

/* Wait until the pipe may have data (or the child ended). 0 when reading must stop. */
static int zc__wait_readable(zc__reader *r) {
    for (;;) {
        int ms = zc__ms_left(r->deadline);
        if (ms == 0) {
            r->stop = ZC__STOP_TIMEOUT;
            return 0;
        }
        struct pollfd fds[3] = { { r->fd, POLLIN, 0 }, { r->budget_fd, POLLIN, 0 }, { r->pidfd, POLLIN, 0 } };
        if (r->pidfd < 0 || r->child_gone) fds[2].fd = -1; /* poll skips negative descriptors */
        int n = poll(fds, 3, ms);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            r->io_errno = errno;
            r->stop = ZC__STOP_IO;
            return 0;
        }
        if (n == 0) continue; /* the loop re-reads the clock */
        if (fds[2].revents) r->child_gone = 1;
        if (fds[1].revents && !zc_image_budget_serve(r->budget, r->budget_fd, &r->budget_held))
            r->budget_fd = -1; /* broken or gone: stop serving (closed at the end) */
        if (fds[1].revents && !fds[0].revents && !fds[2].revents) continue;
        return 1;
    }
}

/* Read up to `cap` bytes straight from the pipe; 0 when reading must stop. */
static size_t zc__read_some(zc__reader *r, void *dst, size_t cap) {
    for (;;) {
        ssize_t n = read(r->fd, dst, cap);
        if (n > 0) return (size_t)n;
        if (n == 0) {
            r->stop = ZC__STOP_EOF;
            return 0;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            r->io_errno = errno;
            r->stop = ZC__STOP_IO;
            return 0;
        }
        if (r->child_gone) { /* drained, though a stray copy of the write end stays open */
            r->stop = ZC__STOP_EOF;
            return 0;
        }
        if (!zc__wait_readable(r)) return 0;
    }
}

/* Exactly `size` bytes into dst; 0 when reading stopped first. */
static int zc__read(zc__reader *r, void *dst, size_t size) {
    uint8_t *d = (uint8_t *)dst;
    while (size) {
        if (r->pos == r->len) {
            if (size >= sizeof r->buf) { /* large: bypass the buffer */
                size_t n = zc__read_some(r, d, size);
                if (!n) return 0;
                d += n;
                size -= n;
                continue;
            }
            r->pos = 0;
            r->len = zc__read_some(r, r->buf, sizeof r->buf);
            if (!r->len) return 0;
        }
        size_t n = r->len - r->pos < size ? r->len - r->pos : size;
        memcpy(d, r->buf + r->pos, n);
        r->pos += n;
        d += n;
        size -= n;
    }
    return 1;
}

static int zc__read_u32(zc__reader *r, uint32_t *v) {
    return zc__read(r, v, sizeof *v);
}

static int zc__read_u64(zc__reader *r, uint64_t *v) {
    return zc__read(r, v, sizeof *v);
}

/* How reading the reply ended. */
typedef enum zc__reply {
    ZC__REPLY_DONE,             /* complete; *child_result holds its status */
    ZC__REPLY_STOPPED,          /* the reader stopped (r->stop says why) */
    ZC__REPLY_MALFORMED,        /* diag holds what was wrong */
    ZC__REPLY_NO_MEMORY,
} zc__reply;

/* Say what is wrong with the reply (diag is never NULL here). */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static zc__reply zc__malformed(zc_diag *diag, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(diag->message, sizeof diag->message, fmt, ap);
    va_end(ap);
    return ZC__REPLY_MALFORMED;
}

/* 1 when bytes are UTF-8 without control characters (newline and tab allowed where
 * `lines` is set). */
static int zc__text_ok(const char *s, size_t n, int lines) {
    for (size_t i = 0; i < n; ++i) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && !(lines && (c == '\n' || c == '\t'))) || c == 0x7F) return 0;
    }
    return zc_utf8_valid((const uint8_t *)s, n);
}

/* A string of `n` bytes from the reply, NUL-terminated, malloc'd. */
static zc__reply zc__read_string(zc__reader *r, size_t n, char **out) {
    *out = (char *)malloc(n + 1);
    if (!*out) return ZC__REPLY_NO_MEMORY;
    if (!zc__read(r, *out, n)) {
        free(*out);
        *out = NULL;
        return ZC__REPLY_STOPPED;
    }
    (*out)[n] = 0;
    return ZC__REPLY_DONE;
}

/* A payload of `size` bytes into a 16-byte-aligned buffer that grows with the bytes
 * received, so a size the child declares but does not send costs nothing. */
static zc__reply zc__read_payload(zc__reader *r, uint64_t size, void **out) {
    *out = NULL;
    size_t total = (size_t)size, cap = 0;
    uint8_t *p = NULL;
    while (cap < total || !p) {
        size_t next = cap ? (cap > total / 2 ? total : cap * 2) : ZC__PAYLOAD_FIRST_CHUNK;
        if (next > total) next = total;
        uint8_t *grown = (uint8_t *)realloc(p, next ? next : 16);
        if (!grown) {
            free(p);
            return ZC__REPLY_NO_MEMORY;
        }
        p = grown;
        if (!zc__read(r, p + cap, next - cap)) {
            free(p);
            return ZC__REPLY_STOPPED;
        }
        cap = next;
    }
    if ((uintptr_t)p % 16u != 0) { /* malloc's alignment is 16 on the supported targets */
        size_t rounded = (total + 15u) & ~(size_t)15u;
        uint8_t *aligned = (uint8_t *)aligned_alloc(16, rounded ? rounded : 16);
        if (!aligned) {
            free(p);
            return ZC__REPLY_NO_MEMORY;
        }
        memcpy(aligned, p, total);
        free(p);
        p = aligned;
    }
    *out = p;
    return ZC__REPLY_DONE;
}

/* The type an entry path of the model whose scene is `scene_path` must have: P is
 * the scene, P#mesh/.. a mesh, P#material/.. a material, P#texture/.. a texture
 * (zc_model.h). 0 when the path lies outside the model's namespace. */
static uint32_t zc__type_for_path(const char *path, const char *scene_path) {
    static const struct {
        const char *kind;
        uint32_t type;
    } kinds[] = { { "mesh/", ZC_TYPE_MESH }, { "material/", ZC_TYPE_MATERIAL }, { "texture/", ZC_TYPE_TEXTURE } };
    size_t n = strlen(scene_path);
    if (strncmp(path, scene_path, n) != 0) return 0;
    if (path[n] == 0) return ZC_TYPE_SCENE;
    if (path[n] != '#' || strchr(path + n + 1, '#')) return 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; ++k) {
        size_t len = strlen(kinds[k].kind);
        if (strncmp(path + n + 1, kinds[k].kind, len) == 0 && path[n + 1 + len]) return kinds[k].type;
    }
    return 0;
}

/* Check one received entry against the contract; `prev` is the previous path. */
static zc__reply zc__check_entry(const zc_model_entry *e, const char *prev, const char *scene_path, zc_diag *diag) {
    zc_diag why;
    if (zc_check_path(e->path, strlen(e->path), &why) != ZC_OK)
        return zc__malformed(diag, "entry path: %s", why.message);
    uint32_t want = zc__type_for_path(e->path, scene_path);
    if (!want)
        return zc__malformed(diag, "entry %s is not one of the model's", e->path);
    if (prev && strcmp(prev, e->path) >= 0)
        return zc__malformed(diag, "entry %s is out of order", e->path);
    if (e->type != want) {
        const char *name = zc_type_name(e->type);
        return zc__malformed(diag, "entry %s has type %s, not %s", e->path, name ? name : "unknown",
                       zc_type_name(want));
    }
    if (e->align_log2 != 0 && (e->align_log2 < ZC_MIN_ALIGN_LOG2 || e->align_log2 > ZC_MAX_ALIGN_LOG2))
        return zc__malformed(diag, "entry %s asks for alignment 2^%u", e->path, e->align_log2);
    if (zc_check_payload(e->type, e->layout_hash, e->payload, e->size, &why) != ZC_OK)
        return zc__malformed(diag, "entry %s fails its check: %s", e->path, why.message);
    return ZC__REPLY_DONE;
}

/* One entry into *e (zeroed by the caller; whatever is read is owned by it). */
static zc__reply zc__read_entry(zc__reader *r, zc_model_entry *e, uint64_t *total_deps, zc_diag *diag) {
    uint32_t path_length, fields[4];
    uint64_t size;
    if (!zc__read_u32(r, &path_length)) return ZC__REPLY_STOPPED;
    if (path_length == 0 || path_length > ZC_MAX_PATH)
        return zc__malformed(diag, "an entry path of %u bytes", path_length);
    zc__reply s = zc__read_string(r, path_length, &e->path);
    if (s != ZC__REPLY_DONE) return s;
    if (!zc__read(r, fields, sizeof fields) || !zc__read_u64(r, &size)) return ZC__REPLY_STOPPED;
    e->type = fields[0];
    e->layout_hash = fields[1];
    e->align_log2 = fields[2];
    uint32_t dep_count = fields[3];
    if (dep_count > ZC__REPLY_MAX_DEPS || *total_deps + dep_count > ZC__REPLY_MAX_TOTAL_DEPS)
        return zc__malformed(diag, "entry %s declares %u dependencies", e->path, dep_count);
    if (size > ZC__REPLY_MAX_PAYLOAD || size > SIZE_MAX)
        return zc__malformed(diag, "entry %s declares %llu bytes", e->path, (unsigned long long)size);
    *total_deps += dep_count;
    if (dep_count) {
        if (!(e->deps = (uint64_t *)malloc(dep_count * sizeof *e->deps))) return ZC__REPLY_NO_MEMORY;
        e->dep_count = dep_count;
        if (!zc__read(r, e->deps, dep_count * sizeof *e->deps)) return ZC__REPLY_STOPPED;
    }
    e->size = (size_t)size;
    return zc__read_payload(r, size, &e->payload);
}

/* Append a zeroed entry slot to out, growing the array as entries arrive. */
static zc_model_entry *zc__next_entry(zc_model *out, size_t *cap) {
    if (out->entry_count == *cap) {
        size_t grown_cap = *cap ? *cap * 2 : 16;
        zc_model_entry *grown = (zc_model_entry *)realloc(out->entries, grown_cap * sizeof *grown);
        if (!grown) return NULL;
        out->entries = grown;
        *cap = grown_cap;
    }
    zc_model_entry *e = &out->entries[out->entry_count++];
    memset(e, 0, sizeof *e);
    return e;
}

/* The body of a success reply. */
static zc__reply zc__read_model(zc__reader *r, const char *scene_path, zc_model *out, zc_diag *diag) {
    uint32_t head[5], notes_length;
    uint64_t sums[2];
    if (!zc__read(r, head, sizeof head) || !zc__read(r, sums, sizeof sums) || !zc__read_u32(r, &notes_length))
        return ZC__REPLY_STOPPED;
    uint32_t count = head[0];
    if (count == 0 || count > ZC__REPLY_MAX_ENTRIES)
        return zc__malformed(diag, "it declares %u entries", count);
    out->mesh_count = head[1];
    out->material_count = head[2];
    out->texture_count = head[3];
    out->node_count = head[4];
    out->triangle_count = sums[0];
    out->vertex_count = sums[1];
    if (notes_length > ZC__REPLY_MAX_NOTES)
        return zc__malformed(diag, "notes of %u bytes", notes_length);
    if (notes_length) {
        zc__reply s = zc__read_string(r, notes_length, &out->notes);
        if (s != ZC__REPLY_DONE) return s;
        if (!zc__text_ok(out->notes, notes_length, 1))
            return zc__malformed(diag, "the notes are not plain UTF-8 text");
    }
    uint32_t reads_length;
    if (!zc__read_u32(r, &reads_length)) return ZC__REPLY_STOPPED;
    if (reads_length > ZC__REPLY_MAX_READS)
        return zc__malformed(diag, "a list of files read of %u bytes", reads_length);
    if (reads_length) {
        zc__reply s = zc__read_string(r, reads_length, &out->reads);
        if (s != ZC__REPLY_DONE) return s;
        if (!zc__text_ok(out->reads, reads_length, 1) || out->reads[reads_length - 1] != '\n')
            return zc__malformed(diag, "the list of files read is not plain UTF-8 lines");
    }
    size_t cap = 0;
    uint64_t total_deps = 0;
    for (uint32_t i = 0; i < count; ++i) {
        zc_model_entry *e = zc__next_entry(out, &cap);
        if (!e) return ZC__REPLY_NO_MEMORY;
        zc__reply s = zc__read_entry(r, e, &total_deps, diag);
        if (s == ZC__REPLY_DONE) s = zc__check_entry(e, i ? out->entries[i - 1].path : NULL, scene_path, diag);
        if (s != ZC__REPLY_DONE) return s;
    }
    if (!zc_model_find(out, scene_path))
        return zc__malformed(diag, "it holds no scene entry");
    return ZC__REPLY_DONE;
}

/* The body of an error reply: the child's code and sentence. */
static zc__reply zc__read_failure(zc__reader *r, uint32_t status, zc_result *child_result, zc_diag *diag) {
    uint32_t length;
    char message[ZC__REPLY_MAX_MESSAGE + 1];
    if (!zc__read_u32(r, &length)) return ZC__REPLY_STOPPED;
    if (status >= (uint32_t)ZC__RESULT_COUNT)
        return zc__malformed(diag, "error code %u is not a result code", status);
    if (length > ZC__REPLY_MAX_MESSAGE)
        return zc__malformed(diag, "an error message of %u bytes", length);
    if (!zc__read(r, message, length)) return ZC__REPLY_STOPPED;
    message[length] = 0;
    if (!zc__text_ok(message, length, 0))
        return zc__malformed(diag, "the error message is not plain UTF-8 text");
    *child_result = (zc_result)status;
    zc_fail(diag, *child_result, "%s", length ? message : zc_result_str(*child_result));
    return ZC__REPLY_DONE;
}

/* The whole reply. On DONE, *child_result is the import's result: ZC_OK with *out
 * filled, or its error with the sentence in diag. Otherwise *out may be half filled
 * (the caller frees it). */
static zc__reply zc__read_reply(zc__reader *r, const char *scene_path, zc_model *out, zc_result *child_result,
                                zc_diag *diag) {
    uint32_t head[3], end;
    *child_result = ZC_OK;
    if (!zc__read(r, head, sizeof head)) return ZC__REPLY_STOPPED;
    if (head[0] != ZC__REPLY_MAGIC || head[1] != ZC__REPLY_VERSION)
        return zc__malformed(diag, "it does not start with the reply magic and version");
    zc__reply s = head[2] == ZC_OK ? zc__read_model(r, scene_path, out, diag)
                                   : zc__read_failure(r, head[2], child_result, diag);
    if (s != ZC__REPLY_DONE) return s;
    if (!zc__read_u32(r, &end)) return ZC__REPLY_STOPPED;
    if (end != ZC__REPLY_END)
        return zc__malformed(diag, "it does not end with the end magic");
    return ZC__REPLY_DONE;
}

/* ---------------------------------------------------------------------------------
 * Parent: start, reap, report
 * ------------------------------------------------------------------------------- */

/* Reap the child. With `kill_first` it is stopped at once; otherwise it gets until
 * the deadline to end by itself and is stopped then (*timed_out set). *status is
 * valid when this returns 1 (0: the kernel reaped it already, SIGCHLD ignored). */
static int zc__reap(pid_t pid, int pidfd, uint64_t deadline, int kill_first, int *status, int *timed_out) {
    *timed_out = 0;
    if (kill_first) kill(pid, SIGKILL);
    for (unsigned nap_us = 1000;;) {
        pid_t got = waitpid(pid, status, kill_first ? 0 : WNOHANG);
        if (got == pid) return 1;
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return 0;
        int ms = zc__ms_left(deadline);
        if (ms == 0) {
            *timed_out = 1;
            kill_first = 1;
            kill(pid, SIGKILL);
            continue;
        }
        if (pidfd >= 0) {
            struct pollfd p = { pidfd, POLLIN, 0 };
            poll(&p, 1, ms);
        } else {
            struct timespec nap = { 0, (long)nap_us * 1000 };
            nanosleep(&nap, NULL);
            if (nap_us < 20000) nap_us *= 2;
        }
    }
}

static void zc__seconds_text(uint32_t ms, char *out, size_t cap) {
    if (ms % 1000u == 0)
        snprintf(out, cap, "%u s", ms / 1000u);
    else
        snprintf(out, cap, "%g s", (double)ms / 1000.0);
}

/* The sentence for a reply that ended early, from how the child ended. */
static zc_result zc__report_end(int have_status, int status, zc_diag *diag) {
    if (have_status && WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig == SIGKILL)
            return zc_fail(diag, ZC_ERR_BAD_SOURCE,
                           "the model importer was killed (signal 9, Killed), perhaps for lack of memory");
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the model importer crashed (signal %d, %s)", sig,
                       zc__signal_name(sig));
    }
    if (have_status && WIFEXITED(status) && WEXITSTATUS(status) == ZC__CHILD_EXIT_EXEC)
        return zc_fail(diag, ZC_ERR_IO, "the model importer could not start (exec of /proc/self/exe failed)");
    if (have_status && WIFEXITED(status) && WEXITSTATUS(status) != 0)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the model importer exited without a result (exit status %d)",
                       WEXITSTATUS(status));
    return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the model importer exited without a result");
}

static int zc__pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    long fd = syscall(SYS_pidfd_open, pid, 0);
    if (fd >= 0) return (int)fd; /* close-on-exec by definition */
#else
    (void)pid;
#endif
    return -1;
}

/* Start the child; on success *pid and *read_fd (non-blocking, close-on-exec). */
static zc_result zc__spawn(const char *root, const char *file_path, const char *entry_path,
                           const zc_model_settings *settings,
                           pid_t *pid, int *read_fd, int *budget_fd, zc_diag *diag) {
    int fds[2], sv[2] = { -1, -1 };
    *budget_fd = -1;
    if (pipe2(fds, O_CLOEXEC) != 0)
        return zc_fail(diag, errno == EMFILE || errno == ENFILE ? ZC_ERR_LIMIT : ZC_ERR_IO,
                       "cannot start the model importer: %s", strerror(errno));
    if (settings && settings->texture.budget && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        int err = errno;
        close(fds[0]);
        close(fds[1]);
        return zc_fail(diag, err == EMFILE || err == ENFILE ? ZC_ERR_LIMIT : ZC_ERR_IO,
                       "cannot start the model importer: %s", strerror(err));
    }
    fcntl(fds[1], F_SETPIPE_SZ, ZC__PIPE_SIZE); /* fewer wake-ups for large models; optional */
#if defined(__GNUC__)
    int fault = __atomic_load_n(&zc__model_child_fault, __ATOMIC_RELAXED);
#else
    int fault = zc__model_child_fault;
#endif
#if ZC_MODEL_CHILD_EXEC
    char settings_hex[2 * sizeof(zc_model_settings) + 1], fault_text[16];
    zc__exec_args(settings, fault, settings_hex, fault_text);
    char *const argv[] = { (char *)"zcpack-model-child", (char *)ZC__EXEC_MAGIC, (char *)file_path,
                           (char *)entry_path, settings_hex, fault_text, (char *)(root ? root : ""), NULL };
#endif
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        zc__child_setup(fds[1], sv[1], parent);
#if ZC_MODEL_CHILD_EXEC
        execv("/proc/self/exe", argv); /* continues in zc__exec_child_entry */
        _exit(ZC__CHILD_EXIT_EXEC);
#else
        zc__child_run(fault, root, file_path, entry_path, settings);
#endif
    }
    int err = errno;
    close(fds[1]);
    if (sv[1] >= 0) close(sv[1]);
    if (child < 0) {
        close(fds[0]);
        if (sv[0] >= 0) close(sv[0]);
        return zc_fail(diag, err == ENOMEM ? ZC_ERR_OUT_OF_MEMORY : ZC_ERR_IO, "cannot start the model importer: %s",
                       strerror(err));
    }
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    if (sv[0] >= 0) fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    *pid = child;
    *read_fd = fds[0];
    *budget_fd = sv[0];
    return ZC_OK;
}

zc_result zc_model_import_file(const char *file_path, const char *entry_path, const zc_model_settings *settings,
                               zc_model *out, zc_diag *diag) {
    return zc_model_import_file_under(NULL, file_path, entry_path, settings, out, diag);
}

zc_result zc_model_import_file_under(const char *root, const char *file_path, const char *entry_path,
                                     const zc_model_settings *settings, zc_model *out, zc_diag *diag) {
    if (out) memset(out, 0, sizeof *out);
    if (!file_path || !entry_path || !out)
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "file path, entry path and output must not be NULL");
    zc_diag why;
    if (zc_check_path(entry_path, strlen(entry_path), &why) != ZC_OK)
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "entry path: %s", why.message);
    if (settings && settings->in_process)
        return zc_model_import_in_process_under(root, file_path, entry_path, settings, out, diag);
    uint32_t timeout_ms = settings && settings->timeout_ms ? settings->timeout_ms : ZC_MODEL_DEFAULT_TIMEOUT_MS;

    zc__reader *r = (zc__reader *)malloc(sizeof *r);
    if (!r) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    memset(r, 0, offsetof(zc__reader, buf));
    pid_t pid = -1;
    uint64_t start = zc__now_ns();
    int budget_fd = -1;
    zc_result result = zc__spawn(root, file_path, entry_path, settings, &pid, &r->fd, &budget_fd, diag);
    if (result != ZC_OK) {
        free(r);
        return result;
    }
    r->budget_fd = budget_fd;
    r->budget = settings ? settings->texture.budget : NULL;
    r->pidfd = zc__pidfd_open(pid);
    r->deadline = start + (uint64_t)timeout_ms * 1000000u;

    zc_diag reply_diag;
    reply_diag.message[0] = 0;
    zc_result child_result = ZC_OK;
    zc__reply state = zc__read_reply(r, entry_path, out, &child_result, &reply_diag);
    /* A complete or unusable reply: nothing more is wanted from the child. A reply that
     * ended early: let the child finish dying (until the deadline) to learn how. */
    int kill_first = state != ZC__REPLY_STOPPED || r->stop != ZC__STOP_EOF;
    int status = 0, timed_out = 0;
    int have_status = zc__reap(pid, r->pidfd, r->deadline, kill_first, &status, &timed_out);
    zc__stop stop = r->stop;
    int io_errno = r->io_errno;
    zc__close(r->pidfd);
    zc__close(r->fd);
    zc__close(budget_fd);
    zc_image_budget_release(r->budget, r->budget_held); /* the child is gone: what it held is free */
    free(r);

    char limit[32];
    zc__seconds_text(timeout_ms, limit, sizeof limit);
    if (state == ZC__REPLY_DONE && child_result == ZC_OK) return ZC_OK;
    zc_model_free(out);
    if (state == ZC__REPLY_DONE) return zc_fail(diag, child_result, "%s", reply_diag.message);
    if (state == ZC__REPLY_MALFORMED)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the model importer sent a malformed reply: %s", reply_diag.message);
    if (state == ZC__REPLY_NO_MEMORY)
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory receiving the imported model");
    if (stop == ZC__STOP_TIMEOUT || timed_out)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the model importer took longer than %s and was stopped", limit);
    if (stop == ZC__STOP_IO)
        return zc_fail(diag, ZC_ERR_IO, "cannot read the model importer's reply: %s", strerror(io_errno));
    return zc__report_end(have_status, status, diag);
}
