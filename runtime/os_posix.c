/* os_posix.c - the runtime's OS layer on POSIX systems (Linux, macOS, the BSDs). */
#define _FILE_OFFSET_BITS 64
#include "zc_os.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

zc__posix_syscall_table zc__posix_syscalls = {
    .open = open,
    .fstat = fstat,
    .mmap = mmap,
    .munmap = munmap,
    .pread = pread,
    .close = close,
};

zc_result zc__os_open(zc__os_file *file, const char *path, zc_diag *diag) {
    file->handle = -1;
    file->size = 0;
    int fd;
    do {
        fd = zc__posix_syscalls.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO must not block */
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int e = errno;
        return zc_fail(diag, e == ENOENT || e == ENOTDIR ? ZC_ERR_FILE_NOT_FOUND : ZC_ERR_IO, "cannot open: %s",
                       strerror(e));
    }
    struct stat st;
    if (zc__posix_syscalls.fstat(fd, &st) != 0) {
        int e = errno;
        zc__posix_syscalls.close(fd);
        return zc_fail(diag, ZC_ERR_IO, "cannot stat: %s", strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        zc__posix_syscalls.close(fd);
        return zc_fail(diag, ZC_ERR_IO, "not a regular file");
    }
    if ((uint64_t)st.st_size > (uint64_t)SIZE_MAX || st.st_size < 0) {
        zc__posix_syscalls.close(fd);
        return zc_fail(diag, ZC_ERR_IO, "file of %lld bytes does not fit the address space", (long long)st.st_size);
    }
    file->handle = fd;
    file->size = (uint64_t)st.st_size;
    return ZC_OK;
}

zc_result zc__os_map_file(zc__os_file *file, zc__os_map *map, zc_diag *diag) {
    memset(map, 0, sizeof *map);
    void *p = zc__posix_syscalls.mmap(NULL, (size_t)file->size, PROT_READ, MAP_SHARED, (int)file->handle, 0);
    if (p == MAP_FAILED) return zc_fail(diag, ZC_ERR_IO, "cannot map %llu bytes: %s",
                                        (unsigned long long)file->size, strerror(errno));
    map->data = p;
    map->size = file->size;
    return ZC_OK;
}

void zc__os_unmap(zc__os_map *map) {
    if (map->data) zc__posix_syscalls.munmap((void *)map->data, (size_t)map->size);
    memset(map, 0, sizeof *map);
}

zc_result zc__os_read(zc__os_file *file, void *buf, uint64_t size, zc_diag *diag) {
    uint64_t done = 0;
    while (done < size) {
        size_t chunk = size - done > (1u << 30) ? (1u << 30) : (size_t)(size - done);
        ssize_t n = zc__posix_syscalls.pread((int)file->handle, (char *)buf + done, chunk, (off_t)done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return zc_fail(diag, ZC_ERR_IO, "read failed at byte %llu: %s", (unsigned long long)done,
                           strerror(errno));
        }
        if (n == 0)
            return zc_fail(diag, ZC_ERR_TRUNCATED, "file ended at byte %llu of %llu while reading",
                           (unsigned long long)done, (unsigned long long)size);
        done += (uint64_t)n;
    }
    return ZC_OK;
}

void zc__os_close(zc__os_file *file) {
    if (file->handle >= 0) zc__posix_syscalls.close((int)file->handle);
    file->handle = -1;
}
