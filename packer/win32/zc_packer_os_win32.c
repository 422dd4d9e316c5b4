/* zc_packer_os_win32.c - the packer's OS layer on Windows (zc_packer_os_win32.h).
 *
 * Compiled into zcpack.exe only (tools/mingw_zcpack.sh); the Linux packer calls the
 * POSIX functions these stand for. */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <bcrypt.h>
#include <limits.h>
#include <stdarg.h>

#include "zc_ignore.h"
#include "zc_packer_os.h"

/* The functions below call the CRT by its own names. */
#undef open
#undef read
#undef write
#undef lseek
#undef rename
#undef unlink
#undef fclose

/* errno for the last Win32 error, for the few codes the packer tells apart. */
static int zc__packer_os_errno(DWORD error) {
    switch (error) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_NAME:
    case ERROR_BAD_NETPATH: return ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION: return EACCES;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS: return EEXIST;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL: return ENOSPC;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY: return ENOMEM;
    case ERROR_DIR_NOT_EMPTY: return ENOTEMPTY;
    case ERROR_INVALID_HANDLE: return EBADF;
    case ERROR_INVALID_PARAMETER: return EINVAL;
    default: return EIO;
    }
}

static int zc__packer_os_fail(void) {
    errno = zc__packer_os_errno(GetLastError());
    return -1;
}

/* FILETIME (100 ns since 1601) to a timespec since 1970. */
static struct timespec zc__packer_os_time(FILETIME t) {
    uint64_t ticks = ((uint64_t)t.dwHighDateTime << 32) | t.dwLowDateTime;
    const uint64_t epoch = UINT64_C(116444736000000000);
    ticks = ticks > epoch ? ticks - epoch : 0;
    struct timespec ts;
    ts.tv_sec = (time_t)(ticks / 10000000u);
    ts.tv_nsec = (long)(ticks % 10000000u) * 100;
    return ts;
}

static int zc__packer_os_fill(HANDLE h, struct zc__packer_os_stat *st, int link) {
    BY_HANDLE_FILE_INFORMATION info;
    if (!GetFileInformationByHandle(h, &info)) return zc__packer_os_fail();
    memset(st, 0, sizeof *st);
    st->st_dev = info.dwVolumeSerialNumber;
    st->st_ino = ((uint64_t)info.nFileIndexHigh << 32) | info.nFileIndexLow;
    st->st_nlink = (unsigned)info.nNumberOfLinks;
    st->st_size = (int64_t)(((uint64_t)info.nFileSizeHigh << 32) | info.nFileSizeLow);
    if (link && (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)) st->st_mode = S_IFLNK | 0777;
    else if (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) st->st_mode = S_IFDIR | 0755;
    else if (GetFileType(h) == FILE_TYPE_DISK) st->st_mode = S_IFREG | 0644;
    else st->st_mode = S_IFCHR | 0644;
    if (info.dwFileAttributes & FILE_ATTRIBUTE_READONLY) st->st_mode &= ~0222u;
    st->st_mtim = zc__packer_os_time(info.ftLastWriteTime);
    /* Windows has no inode change time; the last write stands for it. */
    st->st_ctim = st->st_mtim;
    st->st_mtime = st->st_mtim.tv_sec;
    return 0;
}

static int zc__packer_os_stat_path(const char *path, struct zc__packer_os_stat *st, int link) {
    DWORD flags = FILE_FLAG_BACKUP_SEMANTICS | (link ? FILE_FLAG_OPEN_REPARSE_POINT : 0);
    HANDLE h = CreateFileA(path, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, flags, NULL);
    if (h == INVALID_HANDLE_VALUE) return zc__packer_os_fail();
    int r = zc__packer_os_fill(h, st, link);
    CloseHandle(h);
    return r;
}

int zc__packer_os_stat(const char *path, struct zc__packer_os_stat *st) {
    return zc__packer_os_stat_path(path, st, 0);
}

int zc__packer_os_lstat(const char *path, struct zc__packer_os_stat *st) {
    return zc__packer_os_stat_path(path, st, 1);
}

int zc__packer_os_fstat(int fd, struct zc__packer_os_stat *st) {
    HANDLE h = (HANDLE)_get_osfhandle(fd);
    if (h == INVALID_HANDLE_VALUE) {
        errno = EBADF;
        return -1;
    }
    return zc__packer_os_fill(h, st, 0);
}

int zc__packer_os_open(const char *path, int flags, ...) {
    int mode = 0;
    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, int);
        va_end(ap);
    }
    if (flags & O_DIRECTORY) {
        errno = EINVAL;
        return -1;
    }
    /* The CRT keeps only the owner's write bit. */
    return _open(path, flags | O_BINARY, (mode & 0200) ? _S_IREAD | _S_IWRITE : _S_IREAD);
}

ssize_t zc__packer_os_read(int fd, void *buf, size_t size) {
    return _read(fd, buf, size > INT_MAX ? INT_MAX : (unsigned)size);
}

ssize_t zc__packer_os_write(int fd, const void *buf, size_t size) {
    return _write(fd, buf, size > INT_MAX ? INT_MAX : (unsigned)size);
}

/* ReadFile or WriteFile at `offset` through an OVERLAPPED. On a handle opened for
 * synchronous I/O that moves the file position: it is put back afterwards. */
static ssize_t zc__packer_os_positioned(int fd, void *buf, size_t size, off_t offset, int writing) {
    HANDLE h = (HANDLE)_get_osfhandle(fd);
    if (h == INVALID_HANDLE_VALUE) {
        errno = EBADF;
        return -1;
    }
    if (offset < 0) {
        errno = EINVAL;
        return -1;
    }
    LARGE_INTEGER zero = { 0 }, position;
    if (!SetFilePointerEx(h, zero, &position, FILE_CURRENT)) return zc__packer_os_fail();
    OVERLAPPED at;
    memset(&at, 0, sizeof at);
    at.Offset = (DWORD)((uint64_t)offset & 0xffffffffu);
    at.OffsetHigh = (DWORD)((uint64_t)offset >> 32);
    DWORD n = 0, chunk = size > 0x40000000u ? 0x40000000u : (DWORD)size;
    BOOL ok = writing ? WriteFile(h, buf, chunk, &n, &at) : ReadFile(h, buf, chunk, &n, &at);
    DWORD error = GetLastError();
    SetFilePointerEx(h, position, NULL, FILE_BEGIN);
    if (!ok) {
        if (!writing && error == ERROR_HANDLE_EOF) return 0;
        errno = zc__packer_os_errno(error);
        return -1;
    }
    return (ssize_t)n;
}

ssize_t zc__packer_os_pread(int fd, void *buf, size_t size, off_t offset) {
    return zc__packer_os_positioned(fd, buf, size, offset, 0);
}

ssize_t zc__packer_os_pwrite(int fd, const void *buf, size_t size, off_t offset) {
    return zc__packer_os_positioned(fd, (void *)buf, size, offset, 1);
}

off_t zc__packer_os_lseek(int fd, off_t offset, int whence) {
    return (off_t)_lseeki64(fd, offset, whence);
}

int zc__packer_os_ftruncate(int fd, off_t length) {
    int r = _chsize_s(fd, length);
    if (r == 0) return 0;
    errno = r;
    return -1;
}

int zc__packer_os_fsync(int fd) {
    HANDLE h = (HANDLE)_get_osfhandle(fd);
    if (h == INVALID_HANDLE_VALUE) {
        errno = EBADF;
        return -1;
    }
    return FlushFileBuffers(h) ? 0 : zc__packer_os_fail();
}

int zc__packer_os_rename(const char *from, const char *to) {
    return MoveFileExA(from, to, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH) ? 0 : zc__packer_os_fail();
}

int zc__packer_os_unlink(const char *path) {
    return DeleteFileA(path) ? 0 : zc__packer_os_fail();
}

int zc__packer_os_mkdir(const char *path) {
    return CreateDirectoryA(path, NULL) ? 0 : zc__packer_os_fail();
}

char *zc__packer_os_realpath(const char *path, char *resolved) {
    if (GetFileAttributesA(path) == INVALID_FILE_ATTRIBUTES) {
        zc__packer_os_fail();
        return NULL;
    }
    char full[MAX_PATH];
    DWORD n = GetFullPathNameA(path, sizeof full, full, NULL);
    if (n == 0 || n >= sizeof full) {
        errno = n ? ENAMETOOLONG : zc__packer_os_errno(GetLastError());
        return NULL;
    }
    for (char *c = full; *c; ++c)
        if (*c == '\\') *c = '/';
    if (resolved) return strcpy(resolved, full);
    return _strdup(full);
}

int zc__packer_os_fnmatch(const char *pattern, const char *string, int flags) {
    (void)flags; /* the packer passes 0 only */
    return zc__ignore_glob(pattern, string) ? 0 : FNM_NOMATCH;
}

ssize_t zc__packer_os_getrandom(void *buf, size_t size, unsigned flags) {
    (void)flags;
    ULONG n = size > 256 ? 256 : (ULONG)size;
    if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, (PUCHAR)buf, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG))) {
        errno = EIO;
        return -1;
    }
    return (ssize_t)n;
}

int zc__packer_os_kill(pid_t pid, int sig) {
    if (sig != 0) {
        errno = EINVAL;
        return -1;
    }
    HANDLE process = OpenProcess(SYNCHRONIZE, FALSE, (DWORD)pid);
    if (!process) {
        errno = GetLastError() == ERROR_ACCESS_DENIED ? EPERM : ESRCH;
        return -1;
    }
    DWORD state = WaitForSingleObject(process, 0);
    CloseHandle(process);
    if (state == WAIT_TIMEOUT) return 0;
    errno = ESRCH;
    return -1;
}

long zc__packer_os_sysconf(int name) {
    SYSTEM_INFO system;
    GetSystemInfo(&system);
    MEMORYSTATUSEX memory;
    switch (name) {
    case _SC_NPROCESSORS_ONLN: return (long)system.dwNumberOfProcessors;
    case _SC_PAGESIZE: return (long)system.dwPageSize;
    case _SC_PHYS_PAGES:
        memory.dwLength = sizeof memory;
        if (!GlobalMemoryStatusEx(&memory)) return -1;
        return (long)(memory.ullTotalPhys / system.dwPageSize);
    default: errno = EINVAL; return -1;
    }
}

char *zc__packer_os_strndup(const char *s, size_t n) {
    size_t len = strnlen(s, n);
    char *copy = (char *)malloc(len + 1);
    if (!copy) return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

ssize_t zc__packer_os_send(int fd, const void *buf, size_t size, int flags) {
    (void)flags;
    return zc__packer_os_write(fd, buf, size);
}

ssize_t zc__packer_os_recv(int fd, void *buf, size_t size, int flags) {
    (void)flags;
    return zc__packer_os_read(fd, buf, size);
}

int zc__packer_os_posix_memalign(void **out, size_t align, size_t size) {
    if (align == 0 || (align & (align - 1)) != 0) return EINVAL;
    void *p = malloc(size ? size : 1);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}

int zc__packer_os_futimens(int fd, const struct timespec *times) {
    (void)times; /* the packer passes NULL: now */
    HANDLE h = (HANDLE)_get_osfhandle(fd);
    if (h == INVALID_HANDLE_VALUE) {
        errno = EBADF;
        return -1;
    }
    FILETIME now;
    GetSystemTimeAsFileTime(&now);
    return SetFileTime(h, NULL, &now, &now) ? 0 : zc__packer_os_fail();
}

int zc__packer_os_fcntl(int fd, int command, ...) {
    if (_get_osfhandle(fd) == -1) {
        errno = EBADF;
        return -1;
    }
    if (command == F_GETFL || command == F_SETFL) return 0;
    errno = EINVAL;
    return -1;
}

int zc__packer_os_setenv(const char *name, const char *value, int overwrite) {
    if (!overwrite && getenv(name)) return 0;
    if (_putenv_s(name, value) != 0) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

ssize_t zc__packer_os_getline(char **line, size_t *cap, FILE *f) {
    size_t n = 0;
    int c;
    while ((c = fgetc(f)) != EOF) {
        if (n + 2 > *cap) {
            size_t grown = *cap ? *cap * 2 : 128;
            char *p = (char *)realloc(*line, grown);
            if (!p) {
                errno = ENOMEM;
                return -1;
            }
            *line = p;
            *cap = grown;
        }
        (*line)[n++] = (char)c;
        if (c == '\n') break;
    }
    if (n == 0) return -1;
    (*line)[n] = '\0';
    return (ssize_t)n;
}

/* The open memory streams: their FILE and where fclose leaves the text. One command
 * holds at most one at a time; a few slots leave room. */
#define ZC__OS_MEMSTREAMS 4
static struct {
    FILE *file;
    char **text;
    size_t *size;
} zc__packer_os_memstreams[ZC__OS_MEMSTREAMS];

FILE *zc__packer_os_open_memstream(char **text, size_t *size) {
    int slot = 0;
    while (slot < ZC__OS_MEMSTREAMS && zc__packer_os_memstreams[slot].file) slot++;
    char dir[MAX_PATH], path[MAX_PATH];
    if (slot == ZC__OS_MEMSTREAMS || !GetTempPathA(sizeof dir, dir) || !GetTempFileNameA(dir, "zc", 0, path)) {
        errno = ENOMEM;
        return NULL;
    }
    FILE *f = fopen(path, "w+bTD"); /* T: kept in memory when it can be; D: deleted on close */
    if (!f) return NULL;
    zc__packer_os_memstreams[slot].file = f;
    zc__packer_os_memstreams[slot].text = text;
    zc__packer_os_memstreams[slot].size = size;
    *text = NULL;
    *size = 0;
    return f;
}

int zc__packer_os_fclose(FILE *f) {
    int slot = 0;
    while (slot < ZC__OS_MEMSTREAMS && zc__packer_os_memstreams[slot].file != f) slot++;
    if (!f || slot == ZC__OS_MEMSTREAMS) return fclose(f);
    zc__packer_os_memstreams[slot].file = NULL;
    int failed = fflush(f) != 0 || fseek(f, 0, SEEK_END) != 0;
    long size = failed ? -1 : ftell(f);
    char *text = size >= 0 ? (char *)malloc((size_t)size + 1) : NULL;
    if (text && (fseek(f, 0, SEEK_SET) != 0 || fread(text, 1, (size_t)size, f) != (size_t)size)) {
        free(text);
        text = NULL;
    }
    if (text) {
        text[size] = '\0';
        *zc__packer_os_memstreams[slot].text = text;
        *zc__packer_os_memstreams[slot].size = (size_t)size;
    }
    return fclose(f) != 0 || !text ? EOF : 0;
}

/* Standard streams carry bytes, as on Linux: `zcpack cat` writes an entry as it is,
 * and --json, ls and the messages end their lines with "\n" alone. (binmode.o, linked
 * in, does the same for the descriptors and streams the packer opens.) */
__attribute__((constructor)) static void zc__packer_os_binary_stdio(void) {
    _setmode(_fileno(stdin), _O_BINARY);
    _setmode(_fileno(stdout), _O_BINARY);
    _setmode(_fileno(stderr), _O_BINARY);
}
