/* os_posix.c - the runtime's OS layer on POSIX systems (Linux, macOS, the BSDs). */
#define _FILE_OFFSET_BITS 64
#define _DEFAULT_SOURCE /* madvise */
#include "zc_os.h"

#include <errno.h>
#include <pthread.h>
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

void zc__os_map_populate(const zc__os_map *map, uint64_t offset, uint64_t size) {
#ifdef __linux__
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14; older kernels answer EINVAL */
#endif
    if (!map->data || offset >= map->size) return;
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t start = offset / page * page;
    uint64_t end = size > map->size - offset ? map->size : offset + size;
    madvise((char *)map->data + start, (size_t)(end - start), MADV_POPULATE_READ);
#else
    (void)map;
    (void)offset;
    (void)size;
#endif
}

size_t zc__os_page_size(void) {
    long page = sysconf(_SC_PAGESIZE);
    return page > 0 ? (size_t)page : 4096;
}

void zc__os_advise_willneed(void *first, size_t length) {
    (void)posix_madvise(first, length, POSIX_MADV_WILLNEED);
}

int zc__os_populate_read(void *first, size_t length) {
#ifdef __linux__
    if (madvise(first, length, MADV_POPULATE_READ) == 0) return ZC__OS_POPULATED;
    if (errno == EFAULT || errno == EIO || errno == ENOMEM) return ZC__OS_POPULATE_FAILED;
    return errno == EINVAL ? ZC__OS_POPULATE_UNSUPPORTED /* a kernel before 5.14 */ : ZC__OS_POPULATE_SKIPPED;
#else
    (void)first;
    (void)length;
    return ZC__OS_POPULATE_UNSUPPORTED;
#endif
}

zc_result zc__os_read(zc__os_file *file, void *buf, uint64_t size, zc_diag *diag) {
    return zc__os_read_at(file, buf, size, 0, diag);
}

zc_result zc__os_read_at(zc__os_file *file, void *buf, uint64_t size, uint64_t offset, zc_diag *diag) {
    uint64_t done = 0;
    while (done < size) {
        size_t chunk = size - done > (1u << 30) ? (1u << 30) : (size_t)(size - done);
        ssize_t n = zc__posix_syscalls.pread((int)file->handle, (char *)buf + done, chunk, (off_t)(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return zc_fail(diag, ZC_ERR_IO, "read failed at byte %llu: %s", (unsigned long long)(offset + done),
                           strerror(errno));
        }
        if (n == 0)
            return zc_fail(diag, ZC_ERR_TRUNCATED, "file ended at byte %llu of %llu while reading",
                           (unsigned long long)(offset + done), (unsigned long long)(offset + size));
        done += (uint64_t)n;
    }
    return ZC_OK;
}

void zc__os_close(zc__os_file *file) {
    if (file->handle >= 0) zc__posix_syscalls.close((int)file->handle);
    file->handle = -1;
}

/* ---------------------------------------------------------------------------------
 * Mutex and condition variable
 * ------------------------------------------------------------------------------- */

_Static_assert(sizeof(pthread_mutex_t) <= sizeof(((zc__os_mutex *)0)->storage), "mutex storage");
_Static_assert(sizeof(pthread_cond_t) <= sizeof(((zc__os_cond *)0)->storage), "cond storage");

#define ZC__MUTEX(m) ((pthread_mutex_t *)(void *)(m)->storage.bytes)
#define ZC__COND(c) ((pthread_cond_t *)(void *)(c)->storage.bytes)

void zc__os_mutex_init(zc__os_mutex *m) { pthread_mutex_init(ZC__MUTEX(m), NULL); }
void zc__os_mutex_destroy(zc__os_mutex *m) { pthread_mutex_destroy(ZC__MUTEX(m)); }
void zc__os_mutex_lock(zc__os_mutex *m) { pthread_mutex_lock(ZC__MUTEX(m)); }
void zc__os_mutex_unlock(zc__os_mutex *m) { pthread_mutex_unlock(ZC__MUTEX(m)); }
void zc__os_cond_init(zc__os_cond *c) { pthread_cond_init(ZC__COND(c), NULL); }
void zc__os_cond_destroy(zc__os_cond *c) { pthread_cond_destroy(ZC__COND(c)); }
void zc__os_cond_wait(zc__os_cond *c, zc__os_mutex *m) { pthread_cond_wait(ZC__COND(c), ZC__MUTEX(m)); }
void zc__os_cond_broadcast(zc__os_cond *c) { pthread_cond_broadcast(ZC__COND(c)); }

#ifdef ZC_EDITOR
/* ---------------------------------------------------------------------------------
 * File identity and generation files (hot reload, editor builds)
 * ------------------------------------------------------------------------------- */

#include <dirent.h>
#include <stdlib.h>
#include <time.h>

static int64_t zc__posix_ns(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

zc_result zc__os_file_identity(const char *path, zc__os_file_id *out, zc_diag *diag) {
    memset(out, 0, sizeof *out);
    struct stat st;
    if (stat(path, &st) != 0) {
        int e = errno;
        return zc_fail(diag, e == ENOENT || e == ENOTDIR ? ZC_ERR_FILE_NOT_FOUND : ZC_ERR_IO, "cannot stat: %s",
                       strerror(e));
    }
    if (!S_ISREG(st.st_mode)) return zc_fail(diag, ZC_ERR_IO, "not a regular file");
    out->device = (uint64_t)st.st_dev;
    out->inode = (uint64_t)st.st_ino;
    out->size = (uint64_t)st.st_size;
    out->mtime_ns = zc__posix_ns(st.st_mtim);
    out->ctime_ns = zc__posix_ns(st.st_ctim);
    return ZC_OK;
}

zc_result zc__os_newest_generation(const char *path, uint64_t *out_n, zc_diag *diag) {
    *out_n = 0;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t dir_length = slash ? (size_t)(slash - path) : 0;
    char *dir = (char *)malloc(dir_length + 2);
    if (!dir) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "cannot allocate a directory name");
    if (!slash) strcpy(dir, ".");
    else if (dir_length == 0) strcpy(dir, "/");
    else {
        memcpy(dir, path, dir_length);
        dir[dir_length] = 0;
    }
    DIR *d = opendir(dir);
    if (!d) {
        int e = errno;
        zc_result r = zc_fail(diag, ZC_ERR_IO, "cannot list the directory %s: %s", dir, strerror(e));
        free(dir);
        return r;
    }
    size_t base_length = strlen(base);
    struct dirent *item;
    while ((item = readdir(d)) != NULL) {
        uint64_t n = zc__os_parse_generation(item->d_name, base, base_length);
        if (n > *out_n) *out_n = n;
    }
    closedir(d);
    free(dir);
    return ZC_OK;
}
#endif /* ZC_EDITOR */

uint64_t zc__os_now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}
