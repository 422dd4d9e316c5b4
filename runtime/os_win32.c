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
    HANDLE h = CreateFileW(wide, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL, NULL);
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

void zc__os_unmap(zc__os_map *map) {
    if (map->data) UnmapViewOfFile(map->data);
    if (map->mapping) CloseHandle((HANDLE)map->mapping);
    memset(map, 0, sizeof *map);
}

zc_result zc__os_read(zc__os_file *file, void *buf, uint64_t size, zc_diag *diag) {
    uint64_t done = 0;
    while (done < size) {
        DWORD chunk = size - done > (1u << 30) ? (1u << 30) : (DWORD)(size - done);
        OVERLAPPED at;
        memset(&at, 0, sizeof at);
        at.Offset = (DWORD)(done & 0xFFFFFFFFu);
        at.OffsetHigh = (DWORD)(done >> 32);
        DWORD got = 0;
        if (!ReadFile((HANDLE)file->handle, (char *)buf + done, chunk, &got, &at)) {
            if (GetLastError() == ERROR_HANDLE_EOF) got = 0;
            else return zc__win_fail(diag, ZC_ERR_IO, "read failed");
        }
        if (got == 0)
            return zc_fail(diag, ZC_ERR_TRUNCATED, "file ended at byte %llu of %llu while reading",
                           (unsigned long long)done, (unsigned long long)size);
        done += got;
    }
    return ZC_OK;
}

void zc__os_close(zc__os_file *file) {
    if (file->handle != -1) CloseHandle((HANDLE)file->handle);
    file->handle = -1;
}
