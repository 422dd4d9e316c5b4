/* zc_tmpfile.c - the packer's temporary files (zc_tmpfile.h). */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* O_NOFOLLOW, kill, getrandom under -std=c11 */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zc_packer_sys.h"
#include "zc_tmpfile.h"

#define ZC__TMPFILE_TRIES 100u
#define ZC__TMPFILE_PREFIX ".zc-"
#define ZC__TMPFILE_SUFFIX ".tmp"
#define ZC__TMPFILE_HEX 16

/* 8 unpredictable bytes: getrandom, else /dev/urandom. 0 or -1 (errno set). */
static int zc__random64(uint64_t *out) {
    uint8_t *p = (uint8_t *)out;
    size_t got = 0;
    while (got < sizeof *out) {
        ssize_t n = getrandom(p + got, sizeof *out - got, 0);
        if (n > 0) {
            got += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        break;
    }
    if (got == sizeof *out) return 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return -1;
    while (got < sizeof *out) {
        ssize_t n = read(fd, p + got, sizeof *out - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(fd);
    if (got == sizeof *out) return 0;
    errno = EIO;
    return -1;
}

/* Length of the directory part of `path`, its last '/' included (0: none). */
static size_t zc__dir_len(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? (size_t)(slash - path) + 1 : 0;
}

int zc__tmpfile_create(const char *final_path, char **out_path) {
    *out_path = NULL;
    size_t dir_len = zc__dir_len(final_path);
    size_t cap = dir_len + 64;
    char *path = (char *)malloc(cap);
    if (!path) {
        errno = ENOMEM;
        return -1;
    }
    memcpy(path, final_path, dir_len);
    int err = EEXIST;
    for (unsigned i = 0; i < ZC__TMPFILE_TRIES; ++i) {
        uint64_t r;
        if (zc__random64(&r) != 0) {
            err = errno;
            break;
        }
        snprintf(path + dir_len, cap - dir_len, ZC__TMPFILE_PREFIX "%ld-%016llx" ZC__TMPFILE_SUFFIX, (long)getpid(),
                 (unsigned long long)r);
        int fd = zc__packer_sys.open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd >= 0) {
            *out_path = path;
            return fd;
        }
        err = errno;
        if (err != EEXIST && err != EINTR) break;
    }
    free(path);
    errno = err;
    return -1;
}

pid_t zc__tmpfile_pid(const char *name) {
    size_t prefix = sizeof ZC__TMPFILE_PREFIX - 1, suffix = sizeof ZC__TMPFILE_SUFFIX - 1;
    if (strncmp(name, ZC__TMPFILE_PREFIX, prefix) != 0) return 0;
    const char *p = name + prefix;
    long pid = 0;
    const char *digits = p;
    while (*p >= '0' && *p <= '9' && p - digits < 10) pid = pid * 10 + (*p++ - '0');
    if (p == digits || *p != '-' || pid <= 0 || (long)(pid_t)pid != pid) return 0;
    p++;
    for (int i = 0; i < ZC__TMPFILE_HEX; ++i, ++p)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return 0;
    if (strlen(p) != suffix || strcmp(p, ZC__TMPFILE_SUFFIX) != 0) return 0;
    return (pid_t)pid;
}

unsigned zc__tmpfile_remove_stale(const char *final_path) {
    size_t dir_len = zc__dir_len(final_path);
    char *dir = (char *)malloc(dir_len + 2);
    if (!dir) return 0;
    if (dir_len) {
        memcpy(dir, final_path, dir_len);
        dir[dir_len] = 0;
    } else {
        memcpy(dir, ".", 2);
    }
    DIR *d = opendir(dir);
    unsigned removed = 0;
    pid_t self = getpid();
    struct dirent *e;
    char path[4096];
    for (unsigned looked = 0; d && looked < ZC_TMPFILE_SCAN_NAMES && (e = readdir(d)) != NULL; ++looked) {
        pid_t pid = zc__tmpfile_pid(e->d_name);
        if (pid == 0 || pid == self) continue;
        if (kill(pid, 0) == 0 || errno != ESRCH) continue; /* alive, or not ours to judge */
        if (snprintf(path, sizeof path, "%s%s", dir_len ? dir : "", e->d_name) >= (int)sizeof path) continue;
        struct stat st;
        if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (zc__packer_sys.unlink(path) == 0) removed++;
    }
    if (d) closedir(d);
    free(dir);
    return removed;
}
