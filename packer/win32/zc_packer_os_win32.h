/* zc_packer_os_win32.h - the POSIX names the packer uses, for mingw-w64 (see
 * packer/build/zc_packer_os.h, the only file that includes this one).
 *
 * Each name is a macro for a zc__packer_os_ function of zc_packer_os_win32.c, or a constant
 * with the nearest Win32 meaning:
 *  - Paths are in the process's ANSI code page, as mingw's argv and readdir give
 *    them (the narrow CRT and the ...A calls of Win32 throughout). zcpack.exe's
 *    manifest (zcpack.exe.manifest) makes that code page UTF-8 on Windows 10 1903
 *    and later, so file names arrive as the UTF-8 of entry paths.
 *  - open: always O_BINARY; O_CLOEXEC is _O_NOINHERIT; O_NOFOLLOW,
 *    O_NONBLOCK and O_NOCTTY have no Windows meaning (0); O_DIRECTORY fails with EINVAL
 *    (Windows has no descriptor for a directory; the writer then skips the directory
 *    sync, which NTFS's journaled rename does not need).
 *  - stat, fstat, lstat: `struct stat` is this header's, with 64-bit st_size, st_dev
 *    the volume serial number, st_ino the file index (so the scan's identity checks
 *    hold), st_mtim/st_ctim in nanoseconds; lstat reports a symbolic link (a reparse
 *    point) as S_IFLNK, as the scan refuses to follow it.
 *  - pread, pwrite: positioned through an OVERLAPPED offset; the file position is
 *    left where it was, as POSIX says.
 *  - fsync: FlushFileBuffers. rename: MoveFileExA with MOVEFILE_REPLACE_EXISTING.
 *  - realpath: GetFullPathNameA of an existing path, with '/' separators.
 *  - fnmatch (flags 0 only): the .zcpackignore matcher on the whole string.
 *  - getrandom: BCryptGenRandom. kill(pid, 0): whether the process exists.
 *  - sysconf: _SC_NPROCESSORS_ONLN, _SC_PHYS_PAGES, _SC_PAGESIZE.
 *  - mkdir(path, mode): the mode is ignored.
 *  - posix_memalign: malloc, whose blocks the mingw-w64 heap aligns to 16 bytes, so
 *    that free() releases them as everywhere else. The packer's larger requests are
 *    met by 16 on this build: an XXH3 state (64) is read with SSE2's 16-byte loads
 *    (the build enables no AVX), and a cached payload (its entry's alignment) is
 *    checked as the importers' own malloc'd payloads are.
 *  - open_memstream: a temporary file deleted on close; fclose of such a stream
 *    reads it back into *text and *size (fclose of any other stream is fclose).
 *  - getline, setenv: as POSIX.
 *  - futimens(fd, NULL): SetFileTime to now. fcntl F_GETFL/F_SETFL: nothing to do
 *    (O_NONBLOCK has no meaning for a file on Windows).
 *  - send/recv on a descriptor (a model worker's request pipe, and the image budget's
 *    remote protocol, which this build's workers do not use): _write/_read.
 */
#ifndef ZC_PACKER_OS_WIN32_H
#define ZC_PACKER_OS_WIN32_H

#include <direct.h>
#include <io.h>
#include <process.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#undef O_CLOEXEC
#define O_CLOEXEC _O_NOINHERIT
#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0
#endif
#ifndef O_NONBLOCK
#define O_NONBLOCK 0
#endif
#ifndef O_NOCTTY
#define O_NOCTTY 0
#endif
#ifndef O_DIRECTORY
#define O_DIRECTORY 0x01000000 /* no CRT flag uses this bit */
#endif
#ifndef S_IFLNK
#define S_IFLNK 0xA000
#endif
#ifndef S_ISLNK
#define S_ISLNK(m) (((m)&S_IFMT) == S_IFLNK)
#endif
#ifndef ESRCH
#define ESRCH 3
#endif
#define FNM_NOMATCH 1
#define MSG_NOSIGNAL 0
#define _SC_NPROCESSORS_ONLN 1
#define _SC_PHYS_PAGES 2
#define _SC_PAGESIZE 3

/* `struct stat` and the three calls that fill it (see the top of this file). */
struct zc__packer_os_stat {
    uint64_t st_dev;
    uint64_t st_ino;
    unsigned st_mode;
    unsigned st_nlink;
    int64_t st_size;
    struct timespec st_mtim;
    struct timespec st_ctim;
    time_t st_mtime;
};
int zc__packer_os_stat(const char *path, struct zc__packer_os_stat *st);
int zc__packer_os_lstat(const char *path, struct zc__packer_os_stat *st);
int zc__packer_os_fstat(int fd, struct zc__packer_os_stat *st);
#undef stat
#undef lstat
#undef fstat
#define stat zc__packer_os_stat
#define lstat zc__packer_os_lstat
#define fstat zc__packer_os_fstat

int zc__packer_os_open(const char *path, int flags, ...);
ssize_t zc__packer_os_read(int fd, void *buf, size_t size);
ssize_t zc__packer_os_write(int fd, const void *buf, size_t size);
ssize_t zc__packer_os_pread(int fd, void *buf, size_t size, off_t offset);
ssize_t zc__packer_os_pwrite(int fd, const void *buf, size_t size, off_t offset);
off_t zc__packer_os_lseek(int fd, off_t offset, int whence);
int zc__packer_os_ftruncate(int fd, off_t length);
int zc__packer_os_fsync(int fd);
int zc__packer_os_rename(const char *from, const char *to);
int zc__packer_os_unlink(const char *path);
int zc__packer_os_mkdir(const char *path);
char *zc__packer_os_realpath(const char *path, char *resolved);
int zc__packer_os_fnmatch(const char *pattern, const char *string, int flags);
ssize_t zc__packer_os_getrandom(void *buf, size_t size, unsigned flags);
int zc__packer_os_kill(pid_t pid, int sig);
long zc__packer_os_sysconf(int name);
char *zc__packer_os_strndup(const char *s, size_t n);
ssize_t zc__packer_os_send(int fd, const void *buf, size_t size, int flags);
ssize_t zc__packer_os_recv(int fd, void *buf, size_t size, int flags);
int zc__packer_os_posix_memalign(void **out, size_t align, size_t size);
int zc__packer_os_futimens(int fd, const struct timespec *times);
int zc__packer_os_fcntl(int fd, int command, ...);
int zc__packer_os_setenv(const char *name, const char *value, int overwrite);
ssize_t zc__packer_os_getline(char **line, size_t *cap, FILE *f);
FILE *zc__packer_os_open_memstream(char **text, size_t *size);
int zc__packer_os_fclose(FILE *f);
#define F_GETFL 3
#define F_SETFL 4
#undef open
#undef read
#undef write
#undef pread
#undef pwrite
#undef lseek
#undef ftruncate
#undef fsync
#undef rename
#undef unlink
#undef mkdir
#undef realpath
#undef strndup
#define open zc__packer_os_open
#define read zc__packer_os_read
#define write zc__packer_os_write
#define pread zc__packer_os_pread
#define pwrite zc__packer_os_pwrite
#define lseek zc__packer_os_lseek
#define ftruncate zc__packer_os_ftruncate
#define fsync zc__packer_os_fsync
#define rename zc__packer_os_rename
#define unlink zc__packer_os_unlink
#define mkdir(path, mode) zc__packer_os_mkdir(path)
#define realpath zc__packer_os_realpath
#define fnmatch zc__packer_os_fnmatch
#define getrandom zc__packer_os_getrandom
#define kill zc__packer_os_kill
#define sysconf zc__packer_os_sysconf
#define strndup zc__packer_os_strndup
#define send zc__packer_os_send
#define recv zc__packer_os_recv
#define posix_memalign zc__packer_os_posix_memalign
#define futimens zc__packer_os_futimens
#define fcntl zc__packer_os_fcntl
#define setenv zc__packer_os_setenv
#define getline zc__packer_os_getline
#define open_memstream zc__packer_os_open_memstream
#define fclose zc__packer_os_fclose

#ifdef __cplusplus
}
#endif

#endif /* ZC_PACKER_OS_WIN32_H */
