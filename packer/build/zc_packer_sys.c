/* zc_packer_sys.c - the default system-call table of the packer (libc). */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* sync_file_range */
#endif
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "zc_packer_sys.h"

/* open is variadic in libc: this gives it the fixed signature of the table. */
static int zc__sys_open(const char *path, int flags, mode_t mode) {
    return open(path, flags, mode);
}

/* Start writeback of a written range without waiting for it (zc_packer_sys.h). */
static int zc__sys_writeback(int fd, off_t offset, off_t length) {
#if defined(__linux__)
    return sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd, (void)offset, (void)length;
    return 0;
#endif
}

static const zc__packer_sys_table zc__packer_sys_defaults = {
    zc__sys_open, read, write, pwrite, pread, lseek, ftruncate, zc__sys_writeback, fsync, rename, unlink, close,
    opendir,
};

zc__packer_sys_table zc__packer_sys = {
    zc__sys_open, read, write, pwrite, pread, lseek, ftruncate, zc__sys_writeback, fsync, rename, unlink, close,
    opendir,
};

void zc__packer_sys_reset(void) {
    zc__packer_sys = zc__packer_sys_defaults;
}
