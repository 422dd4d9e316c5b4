/* os_win32.c - the runtime's OS layer on Windows: UTF-8 paths converted to UTF-16,
 * CreateFileMappingW + MapViewOfFile for the mapping, ReadFile for the fallback.
 * Both the file handle and the mapping handle are kept and closed. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include "zc_os.h"

/* Longest path the wide-char conversion accepts, in UTF-16 units (the \\?\ limit). */
#define ZC__WIN_MAX_PATH 32768

static void zc__win_reason(char *out, size_t cap, DWORD code) {
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code, 0, out,
                             (DWORD)cap, NULL);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == '.')) out[--n] = 0;
    if (n == 0) snprintf(out, cap, "Windows error %lu", (unsigned long)code);
}

static zc_result zc__win_fail(zc_diag *diag, zc_result code, const char *what) {
    char reason[160];
    zc__win_reason(reason, sizeof reason, GetLastError());
    return zc_fail(diag, code, "%s: %s", what, reason);
}

zc_result zc__os_open(zc__os_file *file, const char *path, zc_diag *diag) {
    file->handle = -1;
    file->size = 0;
    static const size_t wide_cap = ZC__WIN_MAX_PATH;
    wchar_t *wide = (wchar_t *)HeapAlloc(GetProcessHeap(), 0, wide_cap * sizeof(wchar_t));
    if (!wide) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "cannot allocate the UTF-16 path");
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, wide, (int)wide_cap);
    if (n == 0) {
        HeapFree(GetProcessHeap(), 0, wide);
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "path is not valid UTF-8 or is too long");
    }
    /* FILE_SHARE_WRITE: the program that writes a pack may still hold it open (zcpack.exe
     * reads a pack it is signing back through this function before it writes the
     * signature). That the file does not change while open stays the caller's
     * promise (zc_pack.h), as on POSIX; a mapped file cannot shrink on Windows. */
    HANDLE h = CreateFileW(wide, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    HeapFree(GetProcessHeap(), 0, wide);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        return zc__win_fail(diag,
                            e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND ? ZC_ERR_FILE_NOT_FOUND : ZC_ERR_IO,
                            "cannot open");
    }
    BY_HANDLE_FILE_INFORMATION info;
    if (!GetFileInformationByHandle(h, &info)) {
        zc_result r = zc__win_fail(diag, ZC_ERR_IO, "cannot query the file");
        CloseHandle(h);
        return r;
    }
    if (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
        CloseHandle(h);
        return zc_fail(diag, ZC_ERR_IO, "not a regular file");
    }
    uint64_t size = ((uint64_t)info.nFileSizeHigh << 32) | info.nFileSizeLow;
    if (size > (uint64_t)SIZE_MAX) {
        CloseHandle(h);
        return zc_fail(diag, ZC_ERR_IO, "file of %llu bytes does not fit the address space", (unsigned long long)size);
    }
    file->handle = (intptr_t)h;
    file->size = size;
    return ZC_OK;
}

zc_result zc__os_map_file(zc__os_file *file, zc__os_map *map, zc_diag *diag) {
    memset(map, 0, sizeof *map);
    HANDLE mapping = CreateFileMappingW((HANDLE)file->handle, NULL, PAGE_READONLY, (DWORD)(file->size >> 32),
                                        (DWORD)(file->size & 0xFFFFFFFFu), NULL);
    if (!mapping) return zc__win_fail(diag, ZC_ERR_IO, "cannot create the file mapping");
    const void *view = MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, (SIZE_T)file->size);
    if (!view) {
        zc_result r = zc__win_fail(diag, ZC_ERR_IO, "cannot map a view of the file");
        CloseHandle(mapping);
        return r;
    }
    map->data = view;
    map->size = file->size;
    map->mapping = (intptr_t)mapping;
    return ZC_OK;
}

void zc__os_map_populate(const zc__os_map *map, uint64_t offset, uint64_t size) {
    (void)map; /* page faults only: no batch call is used on Windows */
    (void)offset;
    (void)size;
}

void zc__os_unmap(zc__os_map *map) {
    if (map->data) UnmapViewOfFile(map->data);
    if (map->mapping) CloseHandle((HANDLE)map->mapping);
    memset(map, 0, sizeof *map);
}

size_t zc__os_page_size(void) {
    SYSTEM_INFO info;
    GetSystemInfo(&info);
    return info.dwPageSize ? (size_t)info.dwPageSize : 4096;
}

/* PrefetchVirtualMemory exists from Windows 8 on: looked up once, so the runtime still
 * loads on older systems (the hint then does nothing). */
typedef struct zc__win_range {
    void *address;
    SIZE_T size;
} zc__win_range;
typedef BOOL(WINAPI *zc__win_prefetch_fn)(HANDLE, ULONG_PTR, zc__win_range *, ULONG);

void zc__os_advise_willneed(void *first, size_t length) {
    static zc__win_prefetch_fn prefetch;
    static volatile LONG looked_up;
    if (!looked_up) {
        HMODULE kernel = GetModuleHandleW(L"kernel32.dll");
        FARPROC found = kernel ? GetProcAddress(kernel, "PrefetchVirtualMemory") : NULL;
        memcpy(&prefetch, &found, sizeof prefetch);
        InterlockedExchange(&looked_up, 1);
    }
    if (!prefetch) return;
    zc__win_range range = { first, (SIZE_T)length };
    (void)prefetch(GetCurrentProcess(), 1, &range, 0);
}

int zc__os_populate_read(void *first, size_t length) {
    (void)first; /* no batch call: the caller touches the pages */
    (void)length;
    return ZC__OS_POPULATE_UNSUPPORTED;
}

zc_result zc__os_read(zc__os_file *file, void *buf, uint64_t size, zc_diag *diag) {
    return zc__os_read_at(file, buf, size, 0, diag);
}

zc_result zc__os_read_at(zc__os_file *file, void *buf, uint64_t size, uint64_t offset, zc_diag *diag) {
    uint64_t done = 0;
    while (done < size) {
        DWORD chunk = size - done > (1u << 30) ? (1u << 30) : (DWORD)(size - done);
        OVERLAPPED at;
        memset(&at, 0, sizeof at);
        at.Offset = (DWORD)((offset + done) & 0xFFFFFFFFu);
        at.OffsetHigh = (DWORD)((offset + done) >> 32);
        DWORD got = 0;
        if (!ReadFile((HANDLE)file->handle, (char *)buf + done, chunk, &got, &at)) {
            if (GetLastError() == ERROR_HANDLE_EOF) got = 0;
            else return zc__win_fail(diag, ZC_ERR_IO, "read failed");
        }
        if (got == 0)
            return zc_fail(diag, ZC_ERR_TRUNCATED, "file ended at byte %llu of %llu while reading",
                           (unsigned long long)(offset + done), (unsigned long long)(offset + size));
        done += got;
    }
    return ZC_OK;
}

void zc__os_close(zc__os_file *file) {
    if (file->handle != -1) CloseHandle((HANDLE)file->handle);
    file->handle = -1;
}

/* ---------------------------------------------------------------------------------
 * Mutex and condition variable
 * ------------------------------------------------------------------------------- */

_Static_assert(sizeof(SRWLOCK) <= sizeof(((zc__os_mutex *)0)->storage), "mutex storage");
_Static_assert(sizeof(CONDITION_VARIABLE) <= sizeof(((zc__os_cond *)0)->storage), "cond storage");

#define ZC__MUTEX(m) ((PSRWLOCK)(void *)(m)->storage.bytes)
#define ZC__COND(c) ((PCONDITION_VARIABLE)(void *)(c)->storage.bytes)

void zc__os_mutex_init(zc__os_mutex *m) { InitializeSRWLock(ZC__MUTEX(m)); }
void zc__os_mutex_destroy(zc__os_mutex *m) { (void)m; }
void zc__os_mutex_lock(zc__os_mutex *m) { AcquireSRWLockExclusive(ZC__MUTEX(m)); }
void zc__os_mutex_unlock(zc__os_mutex *m) { ReleaseSRWLockExclusive(ZC__MUTEX(m)); }
void zc__os_cond_init(zc__os_cond *c) { InitializeConditionVariable(ZC__COND(c)); }
void zc__os_cond_destroy(zc__os_cond *c) { (void)c; }
void zc__os_cond_wait(zc__os_cond *c, zc__os_mutex *m) { SleepConditionVariableSRW(ZC__COND(c), ZC__MUTEX(m), INFINITE, 0); }
void zc__os_cond_broadcast(zc__os_cond *c) { WakeAllConditionVariable(ZC__COND(c)); }

#ifdef ZC_EDITOR
/* ---------------------------------------------------------------------------------
 * File identity and generation files (hot reload, editor builds)
 *
 * Windows refuses to replace a file that is mapped, so a live pack there reads
 * generation files: the writer publishes `<path>.gen-<n>` under a new name each time
 * and the reader opens the highest n (zc_live.h, "Hot reload").
 * ------------------------------------------------------------------------------- */

/* UTF-8 path to a new UTF-16 string in *out (HeapFree it), with `suffix` (ASCII)
 * appended. ZC_ERR_OUT_OF_MEMORY, ZC_ERR_INVALID_ARGUMENT (not UTF-8, too long). */
static zc_result zc__win_wide(const char *path, const char *suffix, wchar_t **out, zc_diag *diag) {
    static const size_t wide_cap = ZC__WIN_MAX_PATH;
    *out = NULL;
    wchar_t *wide = (wchar_t *)HeapAlloc(GetProcessHeap(), 0, wide_cap * sizeof(wchar_t));
    if (!wide) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "cannot allocate the UTF-16 path");
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, wide, (int)wide_cap);
    size_t extra = strlen(suffix);
    if (n == 0 || (size_t)n + extra > wide_cap) {
        HeapFree(GetProcessHeap(), 0, wide);
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "path is not valid UTF-8 or is too long");
    }
    for (size_t i = 0; i <= extra; ++i) wide[(size_t)n - 1 + i] = (wchar_t)(unsigned char)suffix[i];
    *out = wide;
    return ZC_OK;
}

/* FILETIME (100 ns units since 1601) as nanoseconds. */
static int64_t zc__win_ns(FILETIME t) {
    return (int64_t)((((uint64_t)t.dwHighDateTime << 32) | t.dwLowDateTime) * 100u);
}

zc_result zc__os_file_identity(const char *path, zc__os_file_id *out, zc_diag *diag) {
    memset(out, 0, sizeof *out);
    wchar_t *wide;
    zc_result r = zc__win_wide(path, "", &wide, diag);
    if (r != ZC_OK) return r;
    /* Share everything, so looking never stands in a writer's or a deleter's way. */
    HANDLE h = CreateFileW(wide, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    HeapFree(GetProcessHeap(), 0, wide);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        return zc__win_fail(diag,
                            e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND ? ZC_ERR_FILE_NOT_FOUND : ZC_ERR_IO,
                            "cannot open to query");
    }
    BY_HANDLE_FILE_INFORMATION info;
    BOOL ok = GetFileInformationByHandle(h, &info);
    r = ok ? ZC_OK : zc__win_fail(diag, ZC_ERR_IO, "cannot query the file");
    CloseHandle(h);
    if (r != ZC_OK) return r;
    if (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) return zc_fail(diag, ZC_ERR_IO, "not a regular file");
    out->device = info.dwVolumeSerialNumber;
    out->inode = ((uint64_t)info.nFileIndexHigh << 32) | info.nFileIndexLow;
    out->size = ((uint64_t)info.nFileSizeHigh << 32) | info.nFileSizeLow;
    out->mtime_ns = zc__win_ns(info.ftLastWriteTime);
    out->ctime_ns = zc__win_ns(info.ftCreationTime);
    return ZC_OK;
}

zc_result zc__os_newest_generation(const char *path, uint64_t *out_n, zc_diag *diag) {
    *out_n = 0;
    const char *base = path;
    for (const char *p = path; *p; ++p)
        if (*p == '/' || *p == '\\') base = p + 1;
    size_t base_length = strlen(base);
    wchar_t *pattern;
    zc_result r = zc__win_wide(path, ".gen-*", &pattern, diag);
    if (r != ZC_OK) return r;
    WIN32_FIND_DATAW found;
    HANDLE search = FindFirstFileW(pattern, &found);
    HeapFree(GetProcessHeap(), 0, pattern);
    if (search == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        if (e == ERROR_FILE_NOT_FOUND || e == ERROR_NO_MORE_FILES) return ZC_OK;
        return zc__win_fail(diag, ZC_ERR_IO, "cannot list the generation files");
    }
    do {
        char name[MAX_PATH * 4];
        if (found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) continue;
        if (!WideCharToMultiByte(CP_UTF8, 0, found.cFileName, -1, name, (int)sizeof name, NULL, NULL)) continue;
        uint64_t n = zc__os_parse_generation(name, base, base_length);
        if (n > *out_n) *out_n = n;
    } while (FindNextFileW(search, &found));
    FindClose(search);
    return ZC_OK;
}
#endif /* ZC_EDITOR */

uint64_t zc__os_now_ns(void) {
    LARGE_INTEGER count, frequency;
    QueryPerformanceCounter(&count);
    QueryPerformanceFrequency(&frequency);
    uint64_t seconds = (uint64_t)count.QuadPart / (uint64_t)frequency.QuadPart;
    uint64_t rest = (uint64_t)count.QuadPart % (uint64_t)frequency.QuadPart;
    return seconds * 1000000000u + rest * 1000000000u / (uint64_t)frequency.QuadPart;
}
