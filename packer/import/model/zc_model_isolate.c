/* zc_model_isolate.c - the model import's worker processes on Linux (zc_model.h,
 * "Isolation"; zc_model_isolate.h, the protocol): how a worker starts and the world it
 * runs in, and the parent's side of it: waiting for it, ending it, saying how it
 * ended, reading its pipe under the deadline. What the worker does once started is
 * zc_model_worker.c's, the same on every platform.
 *
 * Why a separate process. assimp 5.2.5 dereferences bad pointers on some damaged files
 * and loops forever on others; no check before the call can promise it will not. A
 * separate process is the only containment that survives a wild write. A worker reads
 * a request (a model file, its entry path, the settings), runs
 * zc_model_import_in_process_under, writes the reply and waits for the next request;
 * the pool (zc_model_pool.c) kills it and starts another when one import crashes,
 * hangs or answers badly, so a damaged file fails only itself. Setting up assimp and
 * a process costs tens of milliseconds; a worker pays it once for many models.
 *
 * How a worker starts: the worker server. A pool's first worker start executes the
 * running program again (posix_spawn of /proc/self/exe, so no copy of the packer's
 * page tables) with a marker argument; a constructor in this file recognises it
 * before main runs and turns that process into the pool's worker server: small,
 * single-threaded, holding nothing of the packer's memory but assimp, which it loads
 * once so that its workers start with it loaded. For each worker the pool
 * sends it the worker's three channel ends (SCM_RIGHTS); the server forks the worker
 * and answers its process id. The packer waits for a worker's end on its pidfd and
 * kills it itself, and asks the server to reap it, which answers the wait status.
 * A fork of the packer itself would share every page the packer holds: an editor or
 * a tool that holds hundreds of megabytes would then pay a copy-on-write fault for
 * each page it writes while the worker lives, and start each worker by copying its
 * page tables. A fork of the server shares nothing but the program, and fork is safe
 * there, as no other thread can hold a lock: under AddressSanitizer too (libasan has
 * no fork interceptor, and a fork of a threaded program can leave its locks held).
 *
 * The server needs this file in the program that /proc/self/exe names, so pools use
 * it only when this code lies in the main program (the CLI, the tests, the tools, an
 * engine that links libzcpacker.a into its executable), and only where pidfds exist
 * (Linux 5.3); a pool made for a single import does without it (one process instead
 * of two) except under AddressSanitizer. Otherwise, or when the server cannot start
 * or stops answering, the pool forks its workers from the packer's process, which is sound although the
 * packer is threaded (the build's libuv pool): glibc's fork takes the malloc arenas'
 * and stdio's locks around the fork and resets them in the child, and the import path
 * uses nothing else another thread could hold (zc_model.c re-initialises its own
 * assimp mutex with pthread_atfork). The worker runs only its loop, never returns
 * into the caller's code, never flushes the parent's stdio buffers (_exit) and never
 * touches the parent's descriptors (it closes them all first). If a lock held by
 * another thread at the fork ever made the worker block, the time limit ends it like
 * any other hang.
 *
 * A worker's world: the process name (comm) ZC__WORKER_NAME, the server's
 * ZC__SERVER_NAME; descriptor 3 the reply pipe, 4 the image budget socket, 5 the
 * request socket, 0 and 1 on /dev/null (the parent's stdout may carry --json), 2
 * kept for crash reports, nothing else open; default signal handling with SIGPIPE
 * ignored; no core file; not dumpable; outside AddressSanitizer an address-space cap
 * (ZC__MODEL_CHILD_ADDRESS_SPACE), so an input that allocates without end fails with
 * bad_alloc instead of eating the machine. It ends when the packer goes away: the
 * parent death signal (SIGKILL when its parent ends: the server, or the thread that
 * forked it, the pool's starter thread, which lives as long as the pool) and, should
 * that miss, the end of the request socket (every other copy of it is closed, so the
 * packer's exit ends it). The server ends the same two ways: the starter thread's
 * death, and the end of its control socket. An import that fails is the worker's
 * last: the pool replaces it, so no state an aborted assimp call left behind reaches
 * the next model.
 */
#define _GNU_SOURCE /* pipe2, F_SETPIPE_SZ, prctl */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
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

#include "zc_model_assimp.h"
#include "zc_model_isolate.h"
#include "zc_types.h"

#define ZC__PIPE_SIZE (1 << 20)                 /* asked of the kernel; a smaller pipe works too */
#define ZC__CHILD_ADDRESS_SPACE ((rlim_t)ZC__MODEL_CHILD_ADDRESS_SPACE)
#define ZC__FD_REPLY 3
#define ZC__FD_BUDGET 4
#define ZC__FD_REQUEST 5
#define ZC__FD_SERVER 3                         /* the server's control socket */
#define ZC__SERVER_START 1u                     /* questions to the server */
#define ZC__SERVER_REAP 2u
#define ZC__SERVER_REPLY_MS 10000               /* a server silent this long is given up */

int zc__model_server_off;

extern char **environ;


/* ---------------------------------------------------------------------------------
 * The worker's setup
 * ------------------------------------------------------------------------------- */

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

/* Close every descriptor from `first` on. */
static void zc__close_from(int first) {
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)first, ~0u, 0u) != 0)
#endif
    {
        struct rlimit lim;
        long top = getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY ? (long)lim.rlim_cur : 65536;
        for (long fd = first; fd < top && fd < 65536; ++fd) close((int)fd);
    }
}

/* The worker's world (see the top), made with system calls only (async-signal-safe:
 * a worker forked from the threaded packer may find any lock held). fds: reply,
 * budget and request ends, moved to 3, 4 and 5. */
static void zc__child_setup(const int fds[3], pid_t parent) {
    zc__child_signals();
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core); /* a crash leaves no core file in the user's directory */
#if ZC__MODEL_CHILD_CAPPED
    /* An input that makes assimp allocate without end (invalid/OutOfMemory.off of the
     * test models grows by about 150 MB/s) fails with bad_alloc at the cap instead of
     * eating the machine until the time limit. */
    struct rlimit memory = { ZC__CHILD_ADDRESS_SPACE, ZC__CHILD_ADDRESS_SPACE };
    setrlimit(RLIMIT_AS, &memory);
#endif
    prctl(PR_SET_DUMPABLE, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(ZC__CHILD_EXIT_WRITE); /* the parent is already gone */
    prctl(PR_SET_NAME, ZC__WORKER_NAME);

    /* above every target first, so moving one cannot close another */
    int high[3];
    for (int i = 0; i < 3; ++i)
        if ((high[i] = fcntl(fds[i], F_DUPFD, 16)) < 0) _exit(ZC__CHILD_EXIT_WRITE);
    for (int i = 0; i < 3; ++i) {
        if (dup2(high[i], ZC__FD_REPLY + i) < 0) _exit(ZC__CHILD_EXIT_WRITE);
        fcntl(ZC__FD_REPLY + i, F_SETFD, 0); /* kept across an exec */
    }
    zc__close_from(ZC__FD_REQUEST + 1);
    int null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
        dup2(null_fd, 0);
        dup2(null_fd, 1);
        if (null_fd > ZC__FD_REQUEST) close(null_fd);
    }
}

/* Serve requests until the socket ends or an import fails. Never returns. */
static void zc__worker_loop(void) {
    zc__model_worker_serve(ZC__FD_REQUEST, ZC__FD_REPLY, ZC__FD_BUDGET);
}

/* ---------------------------------------------------------------------------------
 * The parent's side: start a worker, send a request
 * ------------------------------------------------------------------------------- */

/* A descriptor readable once the worker has exited; -1 where the kernel has none. */
static int zc__pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    long fd = syscall(SYS_pidfd_open, pid, 0);
    if (fd >= 0) return (int)fd; /* close-on-exec by definition */
#else
    (void)pid;
#endif
    return -1;
}

static zc_result zc__start_failed(zc_diag *diag, int err, const int *fds, size_t count) {
    for (size_t i = 0; i < count; ++i)
        if (fds[i] >= 0) close(fds[i]);
    zc_result r = err == EMFILE || err == ENFILE ? ZC_ERR_LIMIT : err == ENOMEM ? ZC_ERR_OUT_OF_MEMORY : ZC_ERR_IO;
    return zc_fail(diag, r, "cannot start the model importer: %s", strerror(err));
}

/* ---------------------------------------------------------------------------------
 * The worker server (see the top)
 *
 * Protocol, on a SOCK_SEQPACKET pair, one message each way per question: the pool
 * sends two u32, a question and a process id, and the server answers two i32.
 *   ZC__SERVER_START, 0, with the worker's reply, budget and request ends as
 *     SCM_RIGHTS: the server forks a worker on them; answer: its process id and 0,
 *     or 0 and the errno of the failed fork.
 *   ZC__SERVER_REAP, pid of a worker of this server that has ended or been killed:
 *     the server waits for it; answer: 1 and its wait status, or 0 and the errno.
 * The end of the socket ends the server.
 * ------------------------------------------------------------------------------- */

/* One message of the protocol: the question and room for three descriptors. */
typedef struct zc__server_message {
    uint32_t words[2];
    struct iovec iov;
    struct msghdr m;
    union {
        struct cmsghdr header;
        char bytes[CMSG_SPACE(3 * sizeof(int))];
    } control;                  /* last: clang counts CMSG_SPACE as a variable size */
} zc__server_message;

static void zc__server_message_init(zc__server_message *msg, uint32_t question, uint32_t pid) {
    memset(msg, 0, sizeof *msg);
    msg->words[0] = question;
    msg->words[1] = pid;
    msg->iov.iov_base = msg->words;
    msg->iov.iov_len = sizeof msg->words;
    msg->m.msg_iov = &msg->iov;
    msg->m.msg_iovlen = 1;
    msg->m.msg_control = msg->control.bytes;
    msg->m.msg_controllen = sizeof msg->control.bytes;
}

/* The server's answer to one question. */
static void zc__server_answer(const zc__server_message *msg, ssize_t n, const int *ends, size_t ends_count,
                              int32_t answer[2]) {
    answer[0] = 0;
    answer[1] = EPROTO;
    if (n != (ssize_t)sizeof msg->words || (msg->m.msg_flags & MSG_CTRUNC)) return;
    if (msg->words[0] == ZC__SERVER_START && ends_count == 3) {
        pid_t server = getpid();
        pid_t pid = fork();
        if (pid == 0) {
            zc__child_setup(ends, server);
            zc__worker_loop();
        }
        answer[0] = pid > 0 ? (int32_t)pid : 0;
        answer[1] = pid > 0 ? 0 : errno;
    } else if (msg->words[0] == ZC__SERVER_REAP && ends_count == 0 && msg->words[1] > 0) {
        int status = 0;
        pid_t got;
        while ((got = waitpid((pid_t)msg->words[1], &status, 0)) < 0 && errno == EINTR) {
        }
        answer[0] = got > 0;
        answer[1] = got > 0 ? status : errno;
    }
}

/* The server's loop: one question, one answer. Never returns. */
static void zc__server_loop(void) {
    for (;;) {
        zc__server_message msg;
        zc__server_message_init(&msg, 0, 0);
        ssize_t n = recvmsg(ZC__FD_SERVER, &msg.m, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) _exit(0); /* the pool ended, or the packer went away */
        int ends[3] = { -1, -1, -1 };
        size_t got = 0;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg.m);
        if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            got = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            if (got > 3) got = 3;
            memcpy(ends, CMSG_DATA(c), got * sizeof(int));
        }
        int32_t answer[2];
        zc__server_answer(&msg, n, ends, got, answer);
        for (size_t i = 0; i < got; ++i) close(ends[i]);
        if (send(ZC__FD_SERVER, answer, sizeof answer, MSG_NOSIGNAL) != (ssize_t)sizeof answer) _exit(0);
    }
}

/* The server starts here, before main: glibc passes argc and argv to constructors.
 * Any other start of the program returns at once. */
__attribute__((constructor(101))) static void zc__server_entry(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc != 3 || !argv || !argv[1] || !argv[2] || strcmp(argv[1], ZC__SERVER_MAGIC) != 0) return;
    pid_t packer = (pid_t)strtol(argv[2], NULL, 10);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != packer) _exit(ZC__CHILD_EXIT_WRITE); /* the packer is already gone */
    prctl(PR_SET_DUMPABLE, 0);
    prctl(PR_SET_NAME, ZC__SERVER_NAME);
    zc__child_signals(); /* the starter thread's mask, a sanitizer's handlers */
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core);
    zc__close_from(ZC__FD_SERVER + 1); /* a descriptor the program leaked past exec */
    /* assimp loaded and relocated once, here: every worker forked below inherits it
     * instead of loading it itself (about 4 ms a worker). A failure is kept for the
     * workers to report. */
    zc_diag ignored;
    zc__assimp_load(&ignored);
    zc__server_loop();
}

/* The main program's segments contain `address` (the first object dl_iterate_phdr
 * visits is the main program). */
static int zc__main_program_holds(struct dl_phdr_info *info, size_t size, void *address) {
    (void)size;
    uintptr_t at = (uintptr_t)address;
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = (uintptr_t)info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && at >= start && at - start < ph->p_memsz) return 1;
    }
    return -1; /* stop after the first object */
}

void zc__model_server_init(zc__model_server *s) {
    s->pid = -1;
    s->fd = -1;
    s->failed = 0;
    pthread_mutex_init(&s->lock, NULL);
}

/* End and reap the server (its workers die with it). Caller holds s->lock. */
static void zc__server_end(zc__model_server *s) {
    if (s->fd >= 0) close(s->fd);
    if (s->pid > 0) {
        kill(s->pid, SIGKILL); /* it holds nothing: no need to wait for it to see the end */
        while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR) {
        }
    }
    s->pid = -1;
    s->fd = -1;
}

void zc__model_server_destroy(zc__model_server *s) {
    zc__server_end(s);
    pthread_mutex_destroy(&s->lock);
}

/* Start the server. 0, or -1 (s->failed set) when it cannot run here. */
static int zc__server_spawn(zc__model_server *s) {
    s->failed = 1;
    if (zc__model_server_off || dl_iterate_phdr(zc__main_program_holds, (void *)&zc__server_entry) != 1) return -1;
    int probe = zc__pidfd_open(getpid()); /* the server's workers are waited for on pidfds */
    if (probe < 0) return -1;
    close(probe);
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) return -1;
    int theirs = fcntl(pair[1], F_DUPFD_CLOEXEC, ZC__FD_SERVER + 1); /* never 3 itself: dup2 must copy it */
    close(pair[1]);
    posix_spawn_file_actions_t actions;
    int spawned = -1;
    pid_t pid = -1;
    if (theirs >= 0 && posix_spawn_file_actions_init(&actions) == 0) {
        char packer[24];
        snprintf(packer, sizeof packer, "%ld", (long)getpid());
        char *const argv[] = { (char *)"zcpack-model-server", (char *)ZC__SERVER_MAGIC, packer, NULL };
        if (posix_spawn_file_actions_adddup2(&actions, theirs, ZC__FD_SERVER) == 0 &&
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) == 0 &&
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0) == 0)
            spawned = posix_spawn(&pid, "/proc/self/exe", &actions, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&actions);
    }
    if (theirs >= 0) close(theirs);
    if (spawned != 0) {
        close(pair[0]);
        return -1;
    }
    s->pid = pid;
    s->fd = pair[0];
    s->failed = 0;
    return 0;
}

/* Ask the running server one question (ends: NULL, or three descriptors to pass).
 * 1 with its answer, or 0 when it did not answer in time: then it is ended and
 * marked failed. Caller holds s->lock. */
static int zc__server_ask(zc__model_server *s, uint32_t question, uint32_t pid, const int *ends,
                          int32_t answer[2]) {
    zc__server_message msg;
    zc__server_message_init(&msg, question, pid);
    if (ends) {
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg.m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(3 * sizeof(int));
        memcpy(CMSG_DATA(c), ends, 3 * sizeof(int));
    } else {
        msg.m.msg_control = NULL;
        msg.m.msg_controllen = 0;
    }
    if (sendmsg(s->fd, &msg.m, MSG_NOSIGNAL) == (ssize_t)sizeof msg.words) {
        uint64_t deadline = zc__model_now_ns() + (uint64_t)ZC__SERVER_REPLY_MS * 1000000u;
        struct pollfd p = { s->fd, POLLIN, 0 };
        int ready;
        while ((ready = poll(&p, 1, zc__model_ms_left(deadline))) < 0 && errno == EINTR) {
        }
        if (ready == 1 && recv(s->fd, answer, 2 * sizeof(int32_t), MSG_DONTWAIT) == (ssize_t)(2 * sizeof(int32_t)))
            return 1;
    }
    zc__server_end(s); /* silent or gone: fork from here on */
    s->failed = 1;
    return 0;
}

/* Ask the server for a worker on `ends` (reply, budget, request) and open its pidfd.
 * Its process id, or -1 when the caller must fork it: no server here, or one that
 * failed (then ended, and not asked again). */
static pid_t zc__server_start_worker(zc__model_server *s, const int ends[3], int *pidfd) {
    pthread_mutex_lock(&s->lock);
    pid_t pid = -1;
    int32_t answer[2];
    if (!s->failed && (s->fd >= 0 || zc__server_spawn(s) == 0) &&
        zc__server_ask(s, ZC__SERVER_START, 0, ends, answer) && answer[0] > 0) {
        pid = (pid_t)answer[0];
        if ((*pidfd = zc__pidfd_open(pid)) < 0) { /* cannot be waited for: give it back */
            kill(pid, SIGKILL);
            zc__server_ask(s, ZC__SERVER_REAP, (uint32_t)pid, NULL, answer);
            pid = -1;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return pid;
}

/* Reap a worker of the server once its pidfd says it has ended. 1 with *status, or
 * 0 when the server could not tell. */
static int zc__server_reap(zc__model_server *s, pid_t pid, int *status) {
    pthread_mutex_lock(&s->lock);
    int32_t answer[2] = { 0, 0 };
    int ok = s->fd >= 0 && zc__server_ask(s, ZC__SERVER_REAP, (uint32_t)pid, NULL, answer) && answer[0] == 1;
    pthread_mutex_unlock(&s->lock);
    if (ok) *status = answer[1];
    return ok;
}

zc_result zc__model_worker_start(zc__model_worker *w, zc__model_server *server, zc_diag *diag) {
    /* reply pipe [0] read [1] write; budget and request sockets [2]/[3], [4]/[5] (parent, worker) */
    int fds[6] = { -1, -1, -1, -1, -1, -1 };
    memset(w, 0, sizeof *w);
    w->pid = -1;
    w->pidfd = w->request_fd = w->reply_fd = w->budget_fd = -1;
    if (pipe2(fds, O_CLOEXEC) != 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds + 2) != 0 ||
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds + 4) != 0)
        return zc__start_failed(diag, errno, fds, 6);
    fcntl(fds[1], F_SETPIPE_SZ, ZC__PIPE_SIZE); /* fewer wake-ups for large models; optional */
    const int ends[3] = { fds[1], fds[3], fds[5] };
    pid_t child = server ? zc__server_start_worker(server, ends, &w->pidfd) : -1;
    int err = 0;
    if (child > 0) {
        w->server = server;
    } else {
        pid_t parent = getpid();
        child = fork();
        if (child == 0) {
            zc__child_setup(ends, parent);
            zc__worker_loop();
        }
        err = errno;
        if (child > 0) w->pidfd = zc__pidfd_open(child);
    }
    close(fds[1]);
    close(fds[3]);
    close(fds[5]);
    if (child < 0) {
        const int ours[3] = { fds[0], fds[2], fds[4] };
        return zc__start_failed(diag, err, ours, 3);
    }
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    fcntl(fds[2], F_SETFL, fcntl(fds[2], F_GETFL) | O_NONBLOCK);
    w->pid = child;
    w->reply_fd = fds[0];
    w->budget_fd = fds[2];
    w->request_fd = fds[4];
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * The parent's side: wait for a worker, end it, say how it ended
 * ------------------------------------------------------------------------------- */

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

/* zc__model_worker_reap for a worker of the server: its pidfd says when it has
 * ended, and the server reaps it. */
static int zc__reap_served(zc__model_worker *w, uint64_t deadline, int kill_first, int *status, int *timed_out) {
    if (kill_first) kill(w->pid, SIGKILL);
    for (;;) {
        int ms = kill_first ? -1 : zc__model_ms_left(deadline); /* killed: it ends at once */
        if (ms == 0) {
            *timed_out = 1;
            kill_first = 1;
            kill(w->pid, SIGKILL);
            continue;
        }
        struct pollfd p = { w->pidfd, POLLIN, 0 };
        int n = poll(&p, 1, ms);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return 0;
        if (n > 0) return zc__server_reap(w->server, w->pid, status);
    }
}

int zc__model_worker_reap(zc__model_worker *w, uint64_t deadline, int kill_first, int *status, int *timed_out) {
    pid_t pid = w->pid;
    int pidfd = w->pidfd;
    *timed_out = 0;
    if (w->server) return zc__reap_served(w, deadline, kill_first, status, timed_out);
    if (kill_first) kill(pid, SIGKILL);
    for (unsigned nap_us = 1000;;) {
        pid_t got = waitpid(pid, status, kill_first ? 0 : WNOHANG);
        if (got == pid) return 1;
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return 0;
        int ms = zc__model_ms_left(deadline);
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

static void zc__close(int fd) {
    if (fd >= 0) close(fd); /* never retried on EINTR: Linux releases the fd anyway */
}

void zc__model_worker_close(zc__model_worker *w) {
    zc__close(w->request_fd);
    zc__close(w->reply_fd);
    zc__close(w->budget_fd);
    zc__close(w->pidfd);
    w->request_fd = w->reply_fd = w->budget_fd = w->pidfd = -1;
}

int zc__model_worker_dead(const zc__model_worker *w) {
    if (w->pidfd >= 0) {
        struct pollfd p = { w->pidfd, POLLIN, 0 };
        return poll(&p, 1, 0) > 0;
    }
    siginfo_t info;
    memset(&info, 0, sizeof info);
    return waitid(P_PID, (id_t)w->pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == w->pid;
}

zc_result zc__model_worker_report_end(int have_status, int status, zc_diag *diag) {
    if (have_status && WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig == SIGKILL)
            return zc_fail(diag, ZC_ERR_BAD_SOURCE,
                           "the model importer was killed (signal 9, Killed), perhaps for lack of memory");
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the model importer crashed (signal %d, %s)", sig,
                       zc__signal_name(sig));
    }
    if (have_status && WIFEXITED(status) && WEXITSTATUS(status) != 0)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the model importer exited without a result (exit status %d)",
                       WEXITSTATUS(status));
    return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the model importer exited without a result");
}

/* ---------------------------------------------------------------------------------
 * The parent's side: read a reply under the deadline
 * ------------------------------------------------------------------------------- */

/* Wait until the pipe may have data (or the child ended). 0 when reading must stop. */
static int zc__wait_readable(zc__reader *r) {
    for (;;) {
        int ms = zc__model_ms_left(r->deadline);
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

size_t zc__model_reply_read_some(zc__reader *r, void *dst, size_t cap) {
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

void zc__model_drain_budget(zc__reader *r) {
    while (r->budget_fd >= 0 && r->budget) {
        struct pollfd p = { r->budget_fd, POLLIN, 0 };
        if (poll(&p, 1, 0) <= 0 || !p.revents) return;
        if (!zc_image_budget_serve(r->budget, r->budget_fd, &r->budget_held)) return;
    }
}
