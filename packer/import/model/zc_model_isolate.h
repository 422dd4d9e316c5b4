/* zc_model_isolate.h - internal: the parts of the isolated model import
 * (zc_model.h, "Isolation") and its fault-injection hook, in the manner of SQLite's
 * test controls.
 *
 *   zc_model_worker.c   the worker's loop (one request in, one reply out, many
 *                       times), the reply's writer, the request's, fault injection
 *   zc_model_isolate.c  Linux: the worker process's start and setup (fork), waiting
 *                       for it, ending it, reading its pipe under the deadline
 *                       (packer/win32/zc_model_isolate_win32.c: the same for Windows)
 *   zc_model_reply.c    the parent's reader of a reply, which trusts nothing in it
 *   zc_model_pool.c     the pool of workers and zc_model_import_file: start, request,
 *                       wait under the deadline, reap, report
 *
 * Real inputs cover the crash and the hang (tests/test_model_build.c uses a truncated
 * MD5 mesh that makes assimp 5.2.5 dereference a bad pointer, and a truncated PLY
 * header that makes it loop forever). What no real input produces is a worker that
 * answers with a malformed or lying reply; the hook lets a test make the worker do
 * that, and also crash, hang or exit on demand whatever the assimp version. The
 * header also states the isolation facts a test depends on: whether a worker runs
 * under the memory cap, and the cap.
 *
 * Only tests set the hook; the packer and the CLI never do, and it is declared in no
 * public header. Its value is read once per zc_model_import_file and travels in the
 * request, so setting it while imports run on other threads affects only the imports
 * that start afterwards. zc__model_server_off (tests only, like the hook) makes pools
 * fork their workers from the packer itself, as a program that holds the packer in a
 * shared library has it. Packer-internal: zc__ prefix, no stability promise.
 */
#ifndef ZC_MODEL_ISOLATE_H
#define ZC_MODEL_ISOLATE_H

#include <stdint.h>

/* 1 under AddressSanitizer, whose shadow memory reserves terabytes of address space
 * (so a worker runs without the address-space cap below), and whose allocator does
 * not survive a fork of a threaded program (libasan has no fork interceptor: the
 * child may find its locks held), so every worker, even one started for a single
 * import, comes from a worker server. */
#if defined(__SANITIZE_ADDRESS__)
#define ZC__MODEL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ZC__MODEL_ASAN 1
#endif
#endif
#ifndef ZC__MODEL_ASAN
#define ZC__MODEL_ASAN 0
#endif

/* Whether a worker runs under the address-space cap. */
#define ZC__MODEL_CHILD_CAPPED (!ZC__MODEL_ASAN)

/* Bytes of address space a worker may map (RLIMIT_AS, where ZC__MODEL_CHILD_CAPPED);
 * on Windows, the committed memory its job object allows it. */
#define ZC__MODEL_CHILD_ADDRESS_SPACE ((uint64_t)4 << 30)

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

#include "zc_image_budget.h"
#include "zc_model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum zc__model_fault {
    ZC__MODEL_FAULT_NONE = 0,       /* the normal import */
    ZC__MODEL_FAULT_CRASH,          /* the worker raises SIGSEGV before importing */
    ZC__MODEL_FAULT_HANG,           /* the worker sleeps until it is killed */
    ZC__MODEL_FAULT_EXIT,           /* the worker exits with status 3 and sends nothing */
    ZC__MODEL_FAULT_GARBAGE,        /* the reply starts with bytes that are not its magic */
    ZC__MODEL_FAULT_TRUNCATED,      /* half of a real reply, then exit status 0 */
    ZC__MODEL_FAULT_HUGE_COUNT,     /* a header declaring 2^32 - 1 entries, then nothing */
    ZC__MODEL_FAULT_HUGE_SIZE,      /* a first entry declaring 8 GiB (under the cap), then exit 0 */
    ZC__MODEL_FAULT_BAD_PAYLOAD,    /* the real reply with the first payload's bytes scrambled */
    ZC__MODEL_FAULT_FOREIGN_PATH,   /* the real reply with an entry outside the model's paths */
    ZC__MODEL_FAULT_UNSORTED,       /* the real reply with its first two entries swapped */
    ZC__MODEL_FAULT_BAD_ERROR,      /* an error reply whose code is not a zc_result */
    ZC__MODEL_FAULT_LINGER,         /* the real reply, then the worker sleeps instead of taking
                                       the next request */
    ZC__MODEL_FAULT_COUNT
} zc__model_fault;

/* The fault the next isolated imports inject (a zc__model_fault); 0 normally. Ignored
 * by imports with settings->in_process. */
extern int zc__model_child_fault;

/* ---------------------------------------------------------------------------------
 * The protocol between the packer and a worker (host byte order: both ends are one
 * program image). Every integer is a u32 or u64 written as its bytes, no padding.
 *
 *   request  = u32 magic 0x514D435A ("ZCMQ"), u32 version 2, u32 fault, u32 flags
 *              (bit 0: import under the build's image budget, served on the budget
 *              socket), u32 settings_size, settings_size bytes of zc_model_settings
 *              (its pointers are meaningless there and ignored), then three strings:
 *              the root, the file path, the entry path, each as u32 length
 *              (0xFFFFFFFF: NULL) and that many bytes
 *   reply    = u32 magic 0x494D435A ("ZCMI"), u32 version 2, u32 status, body,
 *              u32 end magic 0x454D435A ("ZCME")
 *   status 0 (the import succeeded):
 *     body   = u32 entry_count, u32 mesh_count, u32 material_count, u32 texture_count,
 *              u32 node_count, u64 triangle_count, u64 vertex_count,
 *              u32 notes_length, notes_length bytes of notes (no NUL),
 *              u32 reads_length, reads_length bytes of reads (zc_model.reads, no NUL),
 *              entry_count times entry
 *     entry  = u32 path_length, path_length bytes of path (no NUL), u32 type,
 *              u32 layout_hash, u32 align_log2, u32 dep_count, u64 size,
 *              dep_count u64 dependency ids, size payload bytes
 *   status != 0 (a zc_result the import returned):
 *     body   = u32 message_length, message_length bytes of the diag's sentence
 * ------------------------------------------------------------------------------- */

#define ZC__REQUEST_MAGIC 0x514D435Au   /* "ZCMQ" as little-endian bytes */
#define ZC__REPLY_MAGIC 0x494D435Au     /* "ZCMI" */
#define ZC__REPLY_END 0x454D435Au       /* "ZCME" */
#define ZC__PROTOCOL_VERSION 2u
#define ZC__REQUEST_BUDGET 1u           /* request flag */
#define ZC__REQUEST_MAX_STRING 8192u    /* bytes of one path in a request */

/* How a worker ends by itself (exit statuses the parent reports apart). */
#define ZC__CHILD_EXIT_WRITE 70         /* it could not read a request or write a reply */

/* The argument that makes the running program a worker (every worker on Windows) or
 * the worker server (Linux); not strings anyone passes by accident. */
#define ZC__WORKER_MAGIC "--zc-model-worker-7f3c9a52"
#define ZC__SERVER_MAGIC "--zc-model-server-7f3c9a52"

/* The process names (Linux: comm, as ps and top show) of a worker and of the server. */
#define ZC__WORKER_NAME "zc-model-worker"
#define ZC__SERVER_NAME "zc-model-server"

/* 1: pools fork workers from the packer's process, never through a worker server
 * (tests only). */
extern int zc__model_server_off;

/* The worker server of a pool (Linux; zc_model_isolate.c, "The worker server"): the
 * running program executed again, small and single-threaded, which forks each worker
 * and reaps it when the pool asks. Threads: the pool's starter thread starts workers
 * through it and any thread reaps them; `lock` orders their questions. */
typedef struct zc__model_server {
    pid_t pid;                  /* -1: not started */
    int fd;                     /* its control socket; -1: none */
    int failed;                 /* it could not start or stopped answering: fork directly */
    pthread_mutex_t lock;
} zc__model_server;

/* The platform's: a server that is not started yet (it starts with the first worker). */
void zc__model_server_init(zc__model_server *s);

/* The platform's: end and reap the server, if it runs (its workers die with it), once
 * its workers are reaped; then free it. */
void zc__model_server_destroy(zc__model_server *s);

/* The descriptors of a worker, as the parent holds them. */
typedef struct zc__model_worker {
    pid_t pid;
    int pidfd;                  /* readable once the worker has exited; -1: unavailable */
    void *process;              /* Windows: the worker's process handle; NULL on Linux */
    int request_fd;             /* stream socket, requests out (closing it ends the worker) */
    int reply_fd;               /* pipe, replies in, non-blocking */
    int budget_fd;              /* stream socket, image budget requests in, non-blocking */
    uint32_t imports;           /* requests answered with a whole reply */
    zc__model_server *server;   /* Linux: the server that forked it and reaps it; NULL: a
                                   child of the packer */
} zc__model_worker;

/* The platform's (zc_model_isolate.c; packer/win32/zc_model_isolate_win32.c): start a
 * worker that serves requests until its request channel ends: on Linux through
 * `server` (NULL, or one that failed: a fork of the calling process), on Windows by
 * CreateProcess of the running program (`server` unused). Fills *w. ZC_OK, or
 * ZC_ERR_LIMIT / ZC_ERR_IO / ZC_ERR_OUT_OF_MEMORY with a sentence. */
zc_result zc__model_worker_start(zc__model_worker *w, zc__model_server *server, zc_diag *diag);

/* The platform's: reap the worker. With `kill_first` it is stopped at once; otherwise
 * it gets until the deadline to end by itself and is stopped then (*timed_out set).
 * *status (a wait status on Linux, an exit code on Windows) is valid when this
 * returns 1 (0: it could not be learnt, e.g. SIGCHLD ignored). */
int zc__model_worker_reap(zc__model_worker *w, uint64_t deadline, int kill_first, int *status, int *timed_out);

/* The platform's: 1 when the worker has exited (or been killed) since it went idle. */
int zc__model_worker_dead(const zc__model_worker *w);

/* The platform's: close the parent's ends of the worker's channels (and its process
 * handle); the worker must have been reaped. */
void zc__model_worker_close(zc__model_worker *w);

/* The platform's: the sentence for a reply that ended early, from how the worker
 * ended (zc__model_worker_reap's status). */
zc_result zc__model_worker_report_end(int have_status, int status, zc_diag *diag);

/* zc_model_worker.c: serve requests from request_fd with replies on reply_fd (and the
 * image budget on budget_fd; -1: none) until the request channel ends or an import
 * fails; then _exit. Called by the platform's worker start, in the worker. */
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
void zc__model_worker_serve(int request_fd, int reply_fd, int budget_fd);

/* zc_model_worker.c: write the success reply for `model` to fd, as a worker does
 * (for the reply fuzzer's seeds). 0, or -1 when a write failed. */
int zc__model_write_reply(int fd, const zc_model *model);

/* zc_model_worker.c: send one request (blocking, never SIGPIPE). 0, or an errno. The
 * import runs under the build's image budget only where the worker has a budget
 * channel (Linux). */
int zc__model_worker_send(const zc__model_worker *w, int fault, const char *root, const char *file_path,
                          const char *entry_path, const zc_model_settings *settings);

/* zc_model_reply.c: monotonic nanoseconds, and milliseconds left until a deadline
 * for poll() (rounded up; 0 once it has passed). */
uint64_t zc__model_now_ns(void);
int zc__model_ms_left(uint64_t deadline);

typedef enum zc__stop {
    ZC__STOP_NONE = 0,
    ZC__STOP_EOF,               /* the pipe ended (or the worker died and it is drained) */
    ZC__STOP_TIMEOUT,
    ZC__STOP_IO,                /* read or poll failed */
} zc__stop;

/* How reading one reply ended. */
typedef enum zc__reply {
    ZC__REPLY_DONE,             /* complete; *child_result holds its status */
    ZC__REPLY_STOPPED,          /* the reader stopped (r->stop says why) */
    ZC__REPLY_MALFORMED,        /* diag holds what was wrong */
    ZC__REPLY_NO_MEMORY,
} zc__reply;

/* The parent's side of one request: the reply pipe read under the deadline, with the
 * worker's image budget requests served meanwhile. Set the first fields, zero the
 * rest (up to buf). */
typedef struct zc__reader {
    int fd;                     /* reply pipe, non-blocking */
    int pidfd;                  /* readable when the worker has exited; -1 when unavailable */
    void *process;              /* Windows: the worker's process handle */
    int budget_fd;              /* the worker's image budget requests; -1: none */
    zc_image_budget *budget;    /* served on budget_fd; NULL: none */
    uint64_t deadline;
    int child_gone;
    uint64_t budget_held;       /* what the worker holds of it (given back after the request) */
    zc__stop stop;
    int io_errno;
    size_t pos, len;
    uint8_t buf[1 << 16];
} zc__reader;

/* zc_model_reply.c: read and check one whole reply for the model whose scene entry is
 * `scene_path` (checks: zc_model_reply.c). On DONE, *child_result is the import's
 * result: ZC_OK with *out filled, or its error with the sentence in diag. Otherwise
 * *out may be half filled (the caller frees it). */
zc__reply zc__model_read_reply(zc__reader *r, const char *scene_path, zc_model *out, zc_result *child_result,
                               zc_diag *diag);

/* The platform's: read up to `cap` bytes of the reply straight from the pipe, waiting
 * under r->deadline; 0 when reading must stop (r->stop says why). */
size_t zc__model_reply_read_some(zc__reader *r, void *dst, size_t cap);

/* The platform's: serve the budget requests already waiting on r->budget_fd
 * without blocking (a worker asks, then replies: once the reply is in, whatever it
 * asked before is already in the socket). */
void zc__model_drain_budget(zc__reader *r);

#ifdef __cplusplus
}
#endif

#endif /* ZC_MODEL_ISOLATE_H */
