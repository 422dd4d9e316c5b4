/* zc_cli_guard.c - commands survive a pack that another program truncates while
 * zcpack has it mapped (zc_cli.h, "Mapped packs that change size").
 *
 * The runtime maps packs (zc_pack.h, zc_pack_open: the file must not change while it
 * is open). A read past the end of a file that shrank raises SIGBUS with si_code
 * BUS_ADRERR; so does an I/O error behind a mapped page. While zc__guard_call runs its
 * body, a handler catches that signal on the calling thread and siglongjmp's back to
 * zc__guard_call, which reports the pack and returns ZC_EXIT_CORRUPT. Anything the
 * body held at that moment (the pack, buffers, a cache lock) is abandoned, never
 * touched again: the process ends soon after. A system call handed bytes of such a
 * pack (write(2) in cat and extract) fails with EFAULT instead of faulting; the
 * command reports that through zc__guard_bad_address.
 *
 * Only the thread that entered the outermost zc__guard_call can jump back. A fault on
 * another thread (a build's workers) ends the process at once with a fixed message
 * and ZC_EXIT_CORRUPT; the build's temporary file is then left behind and removed by
 * the next build into that directory. Any other SIGBUS (another si_code, or outside a
 * guarded call) gets the action that was installed before.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zc_cli.h"

/* Packs a command opens at once: diff opens two, build --base one. */
#define ZC__GUARD_MAX_PACKS 8

typedef struct zc__guard_pack {
    char path[1024];
    long long size;             /* bytes when opened; -1 when unknown */
} zc__guard_pack;

static struct {
    sigjmp_buf *recovery;       /* innermost active zc__guard_call; NULL outside */
    pthread_t thread;           /* the thread that may jump there */
    struct sigaction previous;  /* the handler before the outermost call */
    zc__guard_pack packs[ZC__GUARD_MAX_PACKS];
    int pack_count;
} zc__guard;

static void zc__guard_on_sigbus(int sig, siginfo_t *info, void *context) {
    (void)context;
    if (info->si_code == BUS_ADRERR && zc__guard.recovery) {
        if (pthread_equal(pthread_self(), zc__guard.thread)) siglongjmp(*zc__guard.recovery, 1);
        static const char message[] = "zcpack: a mapped pack changed size while being read (another program "
                                      "truncated or rewrote it in place)\n";
        ssize_t ignored = write(STDERR_FILENO, message, sizeof message - 1);
        (void)ignored;
        _exit(ZC_EXIT_CORRUPT);
    }
    /* Not a mapped file's fault: the previous action, which runs when the faulting
     * instruction is retried (the default one ends the process). */
    sigaction(sig, &zc__guard.previous, NULL);
}

void zc__guard_track(const char *path, const zc_pack *pack) {
    zc__guard_pack *p = NULL;
    for (int i = 0; i < zc__guard.pack_count && !p; ++i)
        if (strcmp(zc__guard.packs[i].path, path) == 0) p = &zc__guard.packs[i];
    if (!p) {
        if (zc__guard.pack_count == ZC__GUARD_MAX_PACKS || strlen(path) >= sizeof p->path) return;
        p = &zc__guard.packs[zc__guard.pack_count++];
        memcpy(p->path, path, strlen(path) + 1);
    }
    zc_pack_info info;
    struct stat st;
    if (pack && zc_pack_get_info(pack, &info) == ZC_OK)
        p->size = (long long)info.file_size;
    else
        p->size = stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* Name every tracked pack whose size is no longer the size it had when opened (all
 * of them when none has changed: then the device failed or the file shrank and grew
 * back). Returns ZC_EXIT_CORRUPT. */
static int zc__guard_report(const char *command) {
    int named = 0;
    for (int pass = 0; pass < 2 && !named; ++pass) {
        for (int i = 0; i < zc__guard.pack_count; ++i) {
            const zc__guard_pack *p = &zc__guard.packs[i];
            struct stat st;
            long long now = stat(p->path, &st) == 0 ? (long long)st.st_size : -1;
            char line[sizeof zc__cli.first_error];
            if (pass == 0 && p->size >= 0 && now >= 0 && now != p->size)
                snprintf(line, sizeof line,
                         "%s: the pack changed size while being read (%lld bytes when opened, %lld now): "
                         "another program truncated or rewrote it in place",
                         p->path, p->size, now);
            else if (pass == 1)
                snprintf(line, sizeof line,
                         "%s: the pack could not be read through its mapping: it changed size while being "
                         "read, or the device failed",
                         p->path);
            else
                continue;
            zc__error("%s", line);
            if (!zc__cli.errors_logged++) snprintf(zc__cli.first_error, sizeof zc__cli.first_error, "%s", line);
            named++;
        }
    }
    if (!named) {
        zc__error("%s: a mapped pack changed size while being read (another program truncated or rewrote it in place)",
                  command);
        if (!zc__cli.errors_logged++)
            snprintf(zc__cli.first_error, sizeof zc__cli.first_error, "a mapped pack changed size while being read");
    }
    return ZC_EXIT_CORRUPT;
}

int zc__guard_bad_address(const char *command) {
    return zc__guard_report(command);
}

int zc__guard_call(const char *command, int (*body)(void *arg), void *arg) {
    sigjmp_buf recovery;
    sigjmp_buf *volatile outer = zc__guard.recovery;
    if (sigsetjmp(recovery, 1) != 0) { /* the mask saved here unblocks SIGBUS again */
        zc__guard.recovery = outer;
        if (!outer) sigaction(SIGBUS, &zc__guard.previous, NULL);
        return zc__guard_report(command);
    }
    if (!outer) {
        zc__guard.pack_count = 0;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = zc__guard_on_sigbus;
        sa.sa_flags = SA_SIGINFO;
        sigemptyset(&sa.sa_mask);
        zc__guard.thread = pthread_self();
        sigaction(SIGBUS, &sa, &zc__guard.previous);
    }
    zc__guard.recovery = &recovery;
    int rc = body(arg);
    zc__guard.recovery = outer;
    if (!outer) sigaction(SIGBUS, &zc__guard.previous, NULL);
    return rc;
}
