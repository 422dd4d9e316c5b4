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

/* Read `size` bytes from offset 0 into buf, retrying on interruption and short reads.
 * ZC_ERR_TRUNCATED when the file ends early (it shrank), ZC_ERR_IO otherwise. */
zc_result zc__os_read(zc__os_file *file, void *buf, uint64_t size, zc_diag *diag);

/* Close; a closed file is a no-op. */
void zc__os_close(zc__os_file *file);

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

#endif /* ZC_OS_H */
