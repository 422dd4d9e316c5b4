/* zc_model_isolate_win32.c - the model import's worker processes on Windows: the
 * platform's part of zc_model_isolate.h (zc_model_isolate.c is Linux's).
 *
 * A worker is zcpack.exe started again by CreateProcess with ZC__WORKER_MAGIC as its
 * only argument; a constructor in this file recognises it before main runs and serves
 * requests (zc__model_worker_serve) on its standard input (the request pipe) and
 * standard output (the reply pipe), which it first moves to descriptors of their own,
 * putting NUL in their place so nothing assimp prints can reach the reply. Standard
 * error stays the packer's. The worker runs:
 *  - in a job object shared by every worker of the process, created with
 *    JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE (the workers end when the packer ends, however
 *    it ends: the job's only handle is the packer's), a committed-memory cap of
 *    ZC__MODEL_CHILD_ADDRESS_SPACE per process (an input that allocates without end
 *    fails with bad_alloc there) and JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
 *  - with Windows' error dialogs off (SetErrorMode) and a last-chance exception
 *    filter that ends the process with the exception's code, so a crash ends it at
 *    once: no dialog waits for a click and no debugger is started (wine starts
 *    winedbg for an unhandled exception and ignores the job's
 *    DIE_ON_UNHANDLED_EXCEPTION).
 * The packer reports an exit code 0xC0000000 and above as a crash, naming the
 * exception ("the model importer crashed (exception 0xC0000005, access violation)").
 *
 * Waiting: an anonymous pipe cannot be polled, so the reader asks PeekNamedPipe how
 * many bytes wait, reads no more than that (never blocking), and otherwise waits on
 * the worker's process handle for at most a few milliseconds, under the deadline. A
 * worker that ends ends the read even if a copy of the pipe's write end lived on.
 *
 * No image budget channel: imports in a Windows worker decode model textures under
 * their own limits (zc_import_texture.h) but not under the build's shared budget.
 */
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "zc_model_isolate.h"

#define ZC__PIPE_SIZE (1u << 20)                /* asked of Windows; a hint */
#define ZC__WAIT_SLICE_MS 2u                    /* longest wait between two looks at the pipe */
#define ZC__KILLED_EXIT 0x5A434B4Cu             /* the exit code TerminateProcess gives ("ZCKL") */
#define ZC__WIDE(s) L##s
#define ZC__WIDEN(s) ZC__WIDE(s)

/* ---------------------------------------------------------------------------------
 * The worker's start, in the worker
 * ------------------------------------------------------------------------------- */

/* The worker's last-chance handler: an exception nothing caught ends the worker with
 * its code as the exit code, which the packer reports as a crash. */
static LONG WINAPI zc__worker_crashed(EXCEPTION_POINTERS *info) {
    TerminateProcess(GetCurrentProcess(), info->ExceptionRecord->ExceptionCode);
    return EXCEPTION_EXECUTE_HANDLER;
}

/* Runs before main in every start of the program and returns at once unless this is
 * a worker. mingw-w64 runs constructors from main's prologue, after the C runtime has
 * set __argc and __argv. */
__attribute__((constructor)) static void zc__worker_entry(void) {
    if (__argc != 2 || !__argv || !__argv[1] || strcmp(__argv[1], ZC__WORKER_MAGIC) != 0) return;
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
    SetUnhandledExceptionFilter(zc__worker_crashed);
    _setmode(0, _O_BINARY);
    _setmode(1, _O_BINARY);
    int request = _dup(0), reply = _dup(1);
    if (request < 0 || reply < 0) _exit(ZC__CHILD_EXIT_WRITE);
    int nul = _open("NUL", _O_RDWR | _O_BINARY);
    if (nul >= 0) {
        _dup2(nul, 0);
        _dup2(nul, 1);
        _close(nul);
    }
    zc__model_worker_serve(request, reply, -1);
}

/* ---------------------------------------------------------------------------------
 * The worker's start, in the packer
 * ------------------------------------------------------------------------------- */

static INIT_ONCE zc__job_once = INIT_ONCE_STATIC_INIT;
static HANDLE zc__job; /* never closed: its end with the process ends every worker */

static BOOL CALLBACK zc__job_create(PINIT_ONCE once, PVOID arg, PVOID *context) {
    (void)once, (void)arg, (void)context;
    HANDLE job = CreateJobObjectW(NULL, NULL);
    if (!job) return FALSE;
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits;
    memset(&limits, 0, sizeof limits);
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_PROCESS_MEMORY |
                                              JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
    limits.ProcessMemoryLimit = (SIZE_T)ZC__MODEL_CHILD_ADDRESS_SPACE;
    if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits)) {
        CloseHandle(job);
        return FALSE;
    }
    zc__job = job;
    return TRUE;
}

static zc_result zc__start_failed(zc_diag *diag, DWORD error, const char *what, HANDLE *handles, size_t count) {
    for (size_t i = 0; i < count; ++i)
        if (handles[i]) CloseHandle(handles[i]);
    zc_result r = error == ERROR_NOT_ENOUGH_MEMORY || error == ERROR_OUTOFMEMORY ? ZC_ERR_OUT_OF_MEMORY
                  : error == ERROR_TOO_MANY_OPEN_FILES                            ? ZC_ERR_LIMIT
                                                                                  : ZC_ERR_IO;
    return zc_fail(diag, r, "cannot start the model importer: %s failed (Windows error %lu)", what,
                   (unsigned long)error);
}

int zc__model_server_off;

/* No worker server here: CreateProcess shares nothing of the packer's memory. */
void zc__model_server_init(zc__model_server *s) {
    s->pid = -1;
    s->fd = -1;
    s->failed = 1;
}

void zc__model_server_destroy(zc__model_server *s) {
    (void)s;
}

zc_result zc__model_worker_start(zc__model_worker *w, zc__model_server *server, zc_diag *diag) {
    (void)server;
    memset(w, 0, sizeof *w);
    w->pid = -1;
    w->pidfd = w->request_fd = w->reply_fd = w->budget_fd = -1;
    if (!InitOnceExecuteOnce(&zc__job_once, zc__job_create, NULL, NULL))
        return zc__start_failed(diag, GetLastError(), "the job object", NULL, 0);

    /* [0] request read (the worker's), [1] request write, [2] reply read, [3] reply write (the worker's) */
    HANDLE h[4] = { NULL, NULL, NULL, NULL };
    SECURITY_ATTRIBUTES inherit = { sizeof inherit, NULL, TRUE };
    if (!CreatePipe(&h[0], &h[1], &inherit, 0) || !CreatePipe(&h[2], &h[3], &inherit, ZC__PIPE_SIZE))
        return zc__start_failed(diag, GetLastError(), "CreatePipe", h, 4);
    SetHandleInformation(h[1], HANDLE_FLAG_INHERIT, 0); /* the packer's ends stay the packer's */
    SetHandleInformation(h[2], HANDLE_FLAG_INHERIT, 0);

    wchar_t exe[32768];
    DWORD n = GetModuleFileNameW(NULL, exe, sizeof exe / sizeof exe[0]);
    if (n == 0 || n >= sizeof exe / sizeof exe[0]) return zc__start_failed(diag, GetLastError(), "GetModuleFileNameW", h, 4);
    static wchar_t command[] = L"zcpack-model-worker " ZC__WIDEN(ZC__WORKER_MAGIC);
    wchar_t line[sizeof command / sizeof command[0]];
    memcpy(line, command, sizeof command); /* CreateProcessW may write to it */

    STARTUPINFOW si;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = h[0];
    si.hStdOutput = h[3];
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    PROCESS_INFORMATION pi;
    memset(&pi, 0, sizeof pi);
    if (!CreateProcessW(exe, line, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL, &si, &pi))
        return zc__start_failed(diag, GetLastError(), "CreateProcessW", h, 4);
    if (!AssignProcessToJobObject(zc__job, pi.hProcess)) {
        DWORD error = GetLastError();
        TerminateProcess(pi.hProcess, ZC__KILLED_EXIT);
        WaitForSingleObject(pi.hProcess, INFINITE);
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
        return zc__start_failed(diag, error, "AssignProcessToJobObject", h, 4);
    }
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);
    CloseHandle(h[0]); /* the worker's ends: only the worker holds them now */
    CloseHandle(h[3]);
    w->request_fd = _open_osfhandle((intptr_t)h[1], _O_WRONLY | _O_BINARY | _O_NOINHERIT);
    w->reply_fd = _open_osfhandle((intptr_t)h[2], _O_RDONLY | _O_BINARY | _O_NOINHERIT);
    w->pid = (pid_t)pi.dwProcessId;
    w->process = pi.hProcess;
    if (w->request_fd < 0 || w->reply_fd < 0) {
        if (w->request_fd < 0) CloseHandle(h[1]);
        if (w->reply_fd < 0) CloseHandle(h[2]);
        int status, timed_out;
        zc__model_worker_reap(w, 0, 1, &status, &timed_out);
        zc__model_worker_close(w);
        return zc_fail(diag, ZC_ERR_LIMIT, "cannot start the model importer: no descriptor left for its pipes");
    }
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * The packer's side: wait for a worker, end it, say how it ended
 * ------------------------------------------------------------------------------- */

int zc__model_worker_reap(zc__model_worker *w, uint64_t deadline, int kill_first, int *status, int *timed_out) {
    *timed_out = 0;
    if (!w->process) return 0;
    if (kill_first) TerminateProcess((HANDLE)w->process, ZC__KILLED_EXIT);
    for (;;) {
        DWORD wait = kill_first ? INFINITE : (DWORD)zc__model_ms_left(deadline);
        DWORD got = WaitForSingleObject((HANDLE)w->process, wait);
        if (got == WAIT_OBJECT_0) {
            DWORD code;
            if (!GetExitCodeProcess((HANDLE)w->process, &code)) return 0;
            *status = (int)code;
            return 1;
        }
        if (got != WAIT_TIMEOUT || kill_first) return 0;
        *timed_out = 1;
        kill_first = 1;
        TerminateProcess((HANDLE)w->process, ZC__KILLED_EXIT);
    }
}

int zc__model_worker_dead(const zc__model_worker *w) {
    return !w->process || WaitForSingleObject((HANDLE)w->process, 0) == WAIT_OBJECT_0;
}

void zc__model_worker_close(zc__model_worker *w) {
    if (w->request_fd >= 0) _close(w->request_fd);
    if (w->reply_fd >= 0) _close(w->reply_fd);
    if (w->process) CloseHandle((HANDLE)w->process);
    w->request_fd = w->reply_fd = w->budget_fd = w->pidfd = -1;
    w->process = NULL;
}

/* The name of an exception code a crash ends a process with. */
static const char *zc__exception_name(DWORD code) {
    switch (code) {
    case 0xC0000005u: return "access violation";
    case 0xC00000FDu: return "stack overflow";
    case 0xC0000094u: return "integer division by zero";
    case 0xC000001Du: return "illegal instruction";
    case 0xC0000409u: return "stack buffer overrun";
    case 0xC0000374u: return "heap corruption";
    case 0xC0000017u: return "out of memory";
    case 0x80000003u: return "breakpoint";
    default: return "unknown exception";
    }
}

zc_result zc__model_worker_report_end(int have_status, int status, zc_diag *diag) {
    DWORD code = (DWORD)status;
    if (have_status && code == ZC__KILLED_EXIT)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the model importer was stopped");
    if (have_status && (code >= 0xC0000000u || code == 0x80000003u))
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the model importer crashed (exception 0x%08lX, %s)",
                       (unsigned long)code, zc__exception_name(code));
    if (have_status && code != 0)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the model importer exited without a result (exit status %lu)",
                       (unsigned long)code);
    return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the model importer exited without a result");
}

/* ---------------------------------------------------------------------------------
 * The packer's side: read a reply under the deadline
 * ------------------------------------------------------------------------------- */

size_t zc__model_reply_read_some(zc__reader *r, void *dst, size_t cap) {
    HANDLE pipe = (HANDLE)_get_osfhandle(r->fd);
    if (cap > 0x7FFFFFFFu) cap = 0x7FFFFFFFu;
    for (;;) {
        DWORD waiting = 0;
        if (!PeekNamedPipe(pipe, NULL, 0, NULL, &waiting, NULL)) {
            DWORD error = GetLastError();
            if (error == ERROR_BROKEN_PIPE) {
                r->stop = ZC__STOP_EOF;
            } else {
                r->io_errno = EIO;
                r->stop = ZC__STOP_IO;
            }
            return 0;
        }
        if (waiting) {
            DWORD got = 0;
            if (!ReadFile(pipe, dst, waiting < cap ? waiting : (DWORD)cap, &got, NULL) || got == 0) {
                r->stop = GetLastError() == ERROR_BROKEN_PIPE ? ZC__STOP_EOF : ZC__STOP_IO;
                if (r->stop == ZC__STOP_IO) r->io_errno = EIO;
                return 0;
            }
            return got;
        }
        if (r->child_gone) { /* drained, though a stray copy of the write end stays open */
            r->stop = ZC__STOP_EOF;
            return 0;
        }
        int ms = zc__model_ms_left(r->deadline);
        if (ms == 0) {
            r->stop = ZC__STOP_TIMEOUT;
            return 0;
        }
        DWORD slice = (DWORD)ms < ZC__WAIT_SLICE_MS ? (DWORD)ms : ZC__WAIT_SLICE_MS;
        if (r->process && WaitForSingleObject((HANDLE)r->process, slice) == WAIT_OBJECT_0) r->child_gone = 1;
    }
}

void zc__model_drain_budget(zc__reader *r) {
    (void)r; /* no budget channel on Windows */
}
