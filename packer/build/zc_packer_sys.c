/* zc_packer_sys.c - the default system-call table of the packer (libc). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "zc_packer_sys.h"

/* open is variadic in libc: this gives it the fixed signature of the table. */
static int zc__sys_open(const char *path, int flags, mode_t mode) {
    return open(path, flags, mode);
}

static const zc__packer_sys_table zc__packer_sys_defaults = {
    zc__sys_open, read, write, pwrite, pread, lseek, ftruncate, fsync, rename, unlink, close, opendir,
};

zc__packer_sys_table zc__packer_sys = {
    zc__sys_open, read, write, pwrite, pread, lseek, ftruncate, fsync, rename, unlink, close, opendir,
};

void zc__packer_sys_reset(void) {
    zc__packer_sys = zc__packer_sys_defaults;
}
