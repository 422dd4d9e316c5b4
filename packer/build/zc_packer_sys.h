/* zc_packer_sys.h - the system calls of the packer, reachable through one table.
 *
 * The writer and the importers never call these functions directly: they call
 * through zc__packer_sys, whose members default to the libc functions of the same
 * name. A test replaces a member to inject a failure (EIO, ENOSPC, a short write,
 * EINTR) and calls zc__packer_sys_reset() afterwards to restore the defaults.
 *
 * Which calls go where:
 *  - open:      temporary files (zc_tmpfile.h: O_CREAT|O_EXCL|O_NOFOLLOW), the writer's directory for the
 *               final fsync, and every source file an importer reads.
 *  - read:      source files (importers).
 *  - write:     everything the writer streams: padding, payloads, the TOC.
 *  - pwrite:    the header, written last at offset 0.
 *  - pread:     byte-for-byte comparison of duplicate payloads.
 *  - lseek:     rewinding the write position when a duplicate payload is dropped.
 *  - ftruncate: dropping a duplicate payload.
 *  - writeback: starting the kernel's writeback of what the writer wrote, every few
 *               MiB, so the final fsync waits for little (Linux: sync_file_range with
 *               SYNC_FILE_RANGE_WRITE, which does not wait; elsewhere nothing).
 *  - fsync:     the finished temporary file and, after the rename, its directory.
 *  - rename:    the temporary file over the output path.
 *  - unlink:    removing the temporary file on any error.
 *  - close:     every descriptor opened through `open`.
 *  - opendir:   every directory the build's scan lists.
 *
 * The table is process-wide, for tests only: swap members while no build runs.
 * Internal to the packer (zc__ prefix). The names are POSIX; on Windows
 * zc_packer_os.h gives them their Win32 meaning (rename replaces, fsync flushes).
 */
#ifndef ZC_PACKER_SYS_H
#define ZC_PACKER_SYS_H

#include <stddef.h>
#include <sys/types.h>
#include <dirent.h>

#include "zc_packer_os.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zc__packer_sys_table {
    int (*open)(const char *path, int flags, mode_t mode);
    ssize_t (*read)(int fd, void *buf, size_t size);
    ssize_t (*write)(int fd, const void *buf, size_t size);
    ssize_t (*pwrite)(int fd, const void *buf, size_t size, off_t offset);
    ssize_t (*pread)(int fd, void *buf, size_t size, off_t offset);
    off_t (*lseek)(int fd, off_t offset, int whence);
    int (*ftruncate)(int fd, off_t length);
    int (*writeback)(int fd, off_t offset, off_t length);
    int (*fsync)(int fd);
    int (*rename)(const char *from, const char *to);
    int (*unlink)(const char *path);
    int (*close)(int fd);
    DIR *(*opendir)(const char *path);
} zc__packer_sys_table;

/* The table every packer system call goes through. */
extern zc__packer_sys_table zc__packer_sys;

/* Restore every member of zc__packer_sys to its libc default. */
void zc__packer_sys_reset(void);

#ifdef __cplusplus
}
#endif

#endif /* ZC_PACKER_SYS_H */
