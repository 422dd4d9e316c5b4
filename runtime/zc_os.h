/* zc_os.h - the runtime's operating-system layer (internal).
 *
 * Two implementations: os_posix.c (open/fstat/mmap/pread) and os_win32.c
 * (CreateFileW/CreateFileMappingW/MapViewOfFile/ReadFile). Paths are UTF-8 on every
 * platform. Every call returns a zc_result and fills `diag` with a sentence naming the
 * failing operation and the system's reason.
 *
 * Fault injection: the POSIX layer reaches every system call through
 * zc__posix_syscalls, a table tests may patch (SQLite's aSyscall idea). Production
 * code never changes it.
 */
#ifndef ZC_OS_H
#define ZC_OS_H

#include <stdint.h>
#include <stddef.h>

#include "zc_format.h"

typedef struct zc__os_file {
    intptr_t handle;            /* fd on POSIX, HANDLE on Win32; -1 when closed */
    uint64_t size;              /* file size at open */
} zc__os_file;

typedef struct zc__os_map {
    const void *data;           /* NULL when not mapped */
    uint64_t size;
    intptr_t mapping;           /* Win32 mapping HANDLE; unused on POSIX */
} zc__os_map;

/* Open a file read-only and read its size. ZC_ERR_FILE_NOT_FOUND, ZC_ERR_IO (also for
 * directories and files too large for the address space). */
zc_result zc__os_open(zc__os_file *file, const char *path, zc_diag *diag);

/* Map the whole file read-only. ZC_ERR_IO when mapping is impossible; the caller then
 * falls back to zc__os_read. Never called for empty files. */
zc_result zc__os_map_file(zc__os_file *file, zc__os_map *map, zc_diag *diag);

/* Unmap; a zeroed map is a no-op. */
void zc__os_unmap(zc__os_map *map);

/* Map the pages of [offset, offset + size) of a mapping in one call (Linux
 * MADV_POPULATE_READ) instead of one page fault each, for a range that is about to be
 * read whole (the TOC at open). A hint: does nothing where unsupported or on failure. */
void zc__os_map_populate(const zc__os_map *map, uint64_t offset, uint64_t size);

/* The size of a page of virtual memory (4096 when the system does not say). */
size_t zc__os_page_size(void);

/* Tell the system that [first, first + length) of a mapping (first page-aligned) will
 * be read soon: it queues the reads and returns without waiting (posix_madvise
 * WILLNEED; PrefetchVirtualMemory on Windows 8 and later). A hint: a failure changes
 * nothing but speed. */
void zc__os_advise_willneed(void *first, size_t length);

/* Read the pages of [first, first + length) of a file mapping (first page-aligned)
 * into memory and map them, waiting for them, in one call (Linux MADV_POPULATE_READ).
 * ZC__OS_POPULATED when done; ZC__OS_POPULATE_UNSUPPORTED where the system has no
 * such call (the caller touches the pages itself; later calls may keep failing);
 * ZC__OS_POPULATE_FAILED when a page could not be read (the caller reports ZC_ERR_IO
 * instead of touching it, which would raise SIGBUS); ZC__OS_POPULATE_SKIPPED when it
 * did not run this time for another reason (the caller touches the pages). Any
 * thread. */
enum { ZC__OS_POPULATED = 0, ZC__OS_POPULATE_UNSUPPORTED = 1, ZC__OS_POPULATE_SKIPPED = 2, ZC__OS_POPULATE_FAILED = -1 };
int zc__os_populate_read(void *first, size_t length);

/* Read `size` bytes from offset 0 into buf, retrying on interruption and short reads.
 * ZC_ERR_TRUNCATED when the file ends early (it shrank), ZC_ERR_IO otherwise. */
zc_result zc__os_read(zc__os_file *file, void *buf, uint64_t size, zc_diag *diag);

/* The same for `size` bytes from file offset `offset`. */
zc_result zc__os_read_at(zc__os_file *file, void *buf, uint64_t size, uint64_t offset, zc_diag *diag);

/* Close; a closed file is a no-op. */
void zc__os_close(zc__os_file *file);

/* A mutex and a condition variable (pthreads on POSIX, SRWLOCK and
 * CONDITION_VARIABLE on Win32), in storage large enough for either. Init cannot fail
 * on these platforms' default attributes; a zeroed object must be initialised before
 * use and destroyed after. */
typedef struct zc__os_mutex {
    union { void *align; uint64_t align64; unsigned char bytes[64]; } storage;
} zc__os_mutex;
typedef struct zc__os_cond {
    union { void *align; uint64_t align64; unsigned char bytes[64]; } storage;
} zc__os_cond;

void zc__os_mutex_init(zc__os_mutex *m);
void zc__os_mutex_destroy(zc__os_mutex *m);
void zc__os_mutex_lock(zc__os_mutex *m);
void zc__os_mutex_unlock(zc__os_mutex *m);
void zc__os_cond_init(zc__os_cond *c);
void zc__os_cond_destroy(zc__os_cond *c);
/* Atomically unlock m and wait for a signal, then lock m again (spurious wake-ups
 * happen: callers wait in a loop on their condition). */
void zc__os_cond_wait(zc__os_cond *c, zc__os_mutex *m);
void zc__os_cond_broadcast(zc__os_cond *c);

#if !defined(_WIN32)
#include <sys/types.h>
#include <sys/stat.h>
/* System calls of the POSIX layer, patchable by tests for fault injection. */
typedef struct zc__posix_syscall_table {
    int (*open)(const char *path, int flags, ...);
    int (*fstat)(int fd, struct stat *st);
    void *(*mmap)(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
    int (*munmap)(void *addr, size_t length);
    ssize_t (*pread)(int fd, void *buf, size_t count, off_t offset);
    int (*close)(int fd);
} zc__posix_syscall_table;

extern zc__posix_syscall_table zc__posix_syscalls;
#endif

/* Monotonic clock in nanoseconds; only differences are meaningful. */
uint64_t zc__os_now_ns(void);

/* A cheap increasing count for ordering events: the CPU's time-stamp counter on x86
 * (invariant on the CPUs this runs on; cores agree as closely as their counters do),
 * else zc__os_now_ns. Only its order is meaningful. */
static inline uint64_t zc__os_ticks(void) {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
    return __builtin_ia32_rdtsc();
#else
    return zc__os_now_ns();
#endif
}

#ifdef ZC_EDITOR
/* Hot reload support (editor builds; zc_live.c). */

/* Identity of the file a path names now: two looks with equal identities saw the same
 * unchanged file (as far as timestamps tell). */
typedef struct zc__os_file_id {
    uint64_t device;            /* Win32: volume serial number */
    uint64_t inode;             /* Win32: file index */
    uint64_t size;
    int64_t mtime_ns;           /* last modification */
    int64_t ctime_ns;           /* POSIX: last status change; Win32: creation */
} zc__os_file_id;

/* Identity of the file at `path` (following symbolic links). ZC_ERR_FILE_NOT_FOUND
 * when nothing is there, ZC_ERR_IO otherwise (also for directories). */
zc_result zc__os_file_identity(const char *path, zc__os_file_id *out, zc_diag *diag);

/* Largest n among the files named `<name>.gen-<n>` beside `path` (whose last
 * component is <name>): n decimal without a leading zero, 1 <= n < 10^18. *out_n = 0
 * when there is none. ZC_ERR_IO when the directory cannot be listed. */
zc_result zc__os_newest_generation(const char *path, uint64_t *out_n, zc_diag *diag);

/* n when `name` is "<base>.gen-<n>" as described above, else 0. Pure. */
static inline uint64_t zc__os_parse_generation(const char *name, const char *base, size_t base_length) {
    static const char suffix[] = ".gen-";
    for (size_t i = 0; i < base_length; ++i)
        if (name[i] != base[i]) return 0;
    name += base_length;
    for (size_t i = 0; i < sizeof suffix - 1; ++i)
        if (name[i] != suffix[i]) return 0;
    name += sizeof suffix - 1;
    if (name[0] < '1' || name[0] > '9') return 0;
    uint64_t n = 0;
    for (int digits = 0; *name; ++name, ++digits) {
        if (*name < '0' || *name > '9' || digits == 18) return 0;
        n = n * 10 + (uint64_t)(*name - '0');
    }
    return n;
}
#endif

#endif /* ZC_OS_H */
