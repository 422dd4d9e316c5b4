/* zc_texture_groups.c - which files make one texture together: the six faces of a
 * cube map named by suffix ("cubemap_faces"), the layers of a texture array that fill
 * a folder ("array_folder") and those a layer list names (".texarray")
 * (zc_import_texture.h). Names only, one listing of a folder, and a list's text; the
 * images themselves are read by zc_import_texture.c.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "zc_import_texture.h"
#include "zc_packer_os.h"

/* 1 when the bytes before `end` (not before `start`) are `suffix`, ASCII case ignored
 * (suffix in lower case). */
static int zc__stem_ends_with(const char *start, const char *end, const char *suffix) {
    size_t n = strlen(suffix);
    if ((size_t)(end - start) < n) return 0;
    for (size_t i = 0; i < n; ++i) {
        int c = (unsigned char)end[-(ptrdiff_t)n + (ptrdiff_t)i];
        if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
        if (c != suffix[i]) return 0;
    }
    return 1;
}

/* Face suffixes in face order (+X, -X, +Y, -Y, +Z, -Z), in both spellings. */
static const char *const zc__face_short[6] = { "_px", "_nx", "_py", "_ny", "_pz", "_nz" };
static const char *const zc__face_long[6] = { "_posx", "_negx", "_posy", "_negy", "_posz", "_negz" };

/* The face suffix of name's stem: its face (0..5) with *at (the suffix's first byte)
 * and *length; -1 when none. */
static int zc__face_suffix(const char *name, const char **at, size_t *length) {
    if (!name) return -1;
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    const char *end = strrchr(base, '.');
    if (!end || end == base) end = base + strlen(base);
    for (int f = 0; f < 6; ++f) {
        const char *suffixes[2] = { zc__face_short[f], zc__face_long[f] };
        for (int k = 0; k < 2; ++k)
            if (zc__stem_ends_with(base, end, suffixes[k])) {
                *length = strlen(suffixes[k]);
                *at = end - *length;
                return f;
            }
    }
    return -1;
}

int zc_texture_cube_face(const char *name) {
    const char *at;
    size_t length;
    return zc__face_suffix(name, &at, &length);
}

char *zc_texture_cube_face_name(const char *name, int face) {
    const char *at;
    size_t length;
    if (face < 0 || face > 5 || zc__face_suffix(name, &at, &length) < 0) return NULL;
    const char *suffix = length == 3 ? zc__face_short[face] : zc__face_long[face];
    size_t total = strlen(name);
    char *out = (char *)malloc(total + 1);
    if (!out) return NULL;
    memcpy(out, name, total + 1);
    /* same case as the name's own suffix, letter by letter */
    for (size_t i = 0; i < length; ++i) {
        char c = suffix[i];
        if (at[i] >= 'A' && at[i] <= 'Z' && c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        out[(size_t)(at - name) + i] = c;
    }
    return out;
}


/* The extension of a name (after its last '.', not a leading one); "" when none. */
static const char *zc__extension(const char *name) {
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot + 1 : "";
}

static int zc__same_extension(const char *a, const char *b) {
    for (; *a && *b; ++a, ++b) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z') x += 'a' - 'A';
        if (y >= 'A' && y <= 'Z') y += 'a' - 'A';
        if (x != y) return 0;
    }
    return *a == *b;
}

static int zc__compare_names(const void *x, const void *y) {
    return strcmp(*(char *const *)x, *(char *const *)y);
}

void zc_texture_array_files_free(char **files, uint32_t count) {
    for (uint32_t i = 0; files && i < count; ++i) free(files[i]);
    free(files);
}

/* Add dir/name to the list (grown by doubling). 0, or -1 when memory runs out. */
static int zc__list_add(char ***list, uint32_t *count, uint32_t *cap, const char *dir, size_t dir_length,
                        const char *name) {
    if (*count == *cap) {
        uint32_t grown = *cap ? *cap * 2 : 16;
        char **bigger = (char **)realloc(*list, grown * sizeof *bigger);
        if (!bigger) return -1;
        *list = bigger;
        *cap = grown;
    }
    size_t n = strlen(name);
    char *path = (char *)malloc(dir_length + 1 + n + 1);
    if (!path) return -1;
    memcpy(path, dir, dir_length);
    path[dir_length] = '/';
    memcpy(path + dir_length + 1, name, n + 1);
    (*list)[(*count)++] = path;
    return 0;
}

zc_result zc_texture_array_files(const char *file_path, char ***out, uint32_t *count, uint32_t *index,
                                 zc_diag *diag) {
    *out = NULL;
    *count = 0;
    *index = 0;
    const char *slash = strrchr(file_path, '/');
    const char *own = slash ? slash + 1 : file_path;
    size_t dir_length = slash ? (size_t)(slash - file_path) : 1;
    const char *dir = slash ? file_path : ".";
    char *dir_copy = (char *)malloc(dir_length + 1);
    if (!dir_copy) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory listing the array's folder");
    memcpy(dir_copy, dir, dir_length);
    dir_copy[dir_length] = 0;
    if (dir_length == 0) strcpy(dir_copy, "/"); /* a file in / */
    DIR *d = opendir(dir_copy);
    if (!d) {
        zc_result r = zc_fail(diag, ZC_ERR_IO, "cannot list the array's folder %s: %s", dir_copy, strerror(errno));
        free(dir_copy);
        return r;
    }
    const char *extension = zc__extension(own);
    char **list = NULL;
    uint32_t n = 0, cap = 0;
    zc_result r = ZC_OK;
    struct dirent *e;
    while (r == ZC_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !zc__same_extension(zc__extension(e->d_name), extension)) continue;
        if (n >= ZC_TEXTURE_MAX_LAYERS)
            r = zc_fail(diag, ZC_ERR_LIMIT, "the array's folder %s holds more than %u .%s files, the layers a texture "
                        "holds", dir_copy, ZC_TEXTURE_MAX_LAYERS, extension);
        else if (zc__list_add(&list, &n, &cap, dir_copy, dir_length ? dir_length : 0, e->d_name) != 0)
            r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory listing the array's folder");
    }
    closedir(d);
    /* only regular files (lstat: a link to an image is not one) */
    uint32_t kept = 0;
    for (uint32_t i = 0; r == ZC_OK && i < n; ++i) {
        struct stat st;
        if (lstat(list[i], &st) == 0 && S_ISREG(st.st_mode)) list[kept++] = list[i];
        else free(list[i]);
    }
    if (r == ZC_OK) n = kept;
    if (r == ZC_OK && n) qsort(list, n, sizeof *list, zc__compare_names);
    uint32_t at = n;
    for (uint32_t i = 0; r == ZC_OK && i < n; ++i) {
        const char *name = strrchr(list[i], '/') + 1;
        if (strcmp(name, own) == 0) at = i;
    }
    if (r == ZC_OK && at == n)
        r = zc_fail(diag, ZC_ERR_FILE_NOT_FOUND, "%s is not a regular file of its folder", file_path);
    free(dir_copy);
    if (r != ZC_OK) {
        zc_texture_array_files_free(list, n);
        return r;
    }
    *out = list;
    *count = n;
    *index = at;
    return ZC_OK;
}

int zc_texture_is_layer_list(const char *name) {
    return name && zc__same_extension(zc__extension(name), ZC_TEXTURE_LIST_EXTENSION);
}

/* NULL when `path` (length n) is a layer path a list may hold, else why not. */
static const char *zc__layer_path_problem(const char *path, size_t n) {
    if (n > ZC_MAX_PATH) return "longer than an entry path may be";
    if (path[0] == '/') return "absolute; a layer path is relative to the list's folder";
    if (memchr(path, 0, n)) return "holds a NUL byte";
    if (memchr(path, '\\', n)) return "holds a backslash; separate folders with '/'";
    for (size_t at = 0; at <= n;) {
        const char *seg = path + at, *slash = memchr(seg, '/', n - at);
        size_t len = slash ? (size_t)(slash - seg) : n - at;
        if (len == 0) return "has an empty folder name";
        if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
            return "has a '.' or '..' folder; layers lie in the list's folder or below it";
        at += len + 1;
    }
    return NULL;
}

zc_result zc_texture_list_files(const char *list_path, const char *text, size_t size, char ***out, uint32_t *count,
                                zc_diag *diag) {
    *out = NULL;
    *count = 0;
    if (size > ZC_TEXTURE_LIST_MAX_BYTES)
        return zc_fail(diag, ZC_ERR_LIMIT, "a layer list of %zu bytes is larger than the %u bytes one may have", size,
                       ZC_TEXTURE_LIST_MAX_BYTES);
    const char *slash = strrchr(list_path, '/');
    size_t dir_length = slash ? (size_t)(slash - list_path) : 1;
    const char *dir = slash ? list_path : ".";
    char **list = NULL;
    uint32_t n = 0, cap = 0, line = 0;
    zc_result r = ZC_OK;
    for (size_t at = 0; r == ZC_OK && at < size;) {
        const char *start = text + at, *newline = memchr(start, '\n', size - at);
        size_t len = newline ? (size_t)(newline - start) : size - at;
        at += len + 1;
        ++line;
        while (len && (start[len - 1] == '\r' || start[len - 1] == ' ' || start[len - 1] == '\t')) --len;
        while (len && (start[0] == ' ' || start[0] == '\t')) ++start, --len;
        if (len == 0 || start[0] == '#') continue;
        const char *problem = zc__layer_path_problem(start, len);
        char name[ZC_MAX_PATH + 1];
        if (problem) {
            r = zc_fail(diag, ZC_ERR_BAD_SOURCE, "line %u: \"%.*s\": %s", line, (int)(len > 80 ? 80 : len), start,
                        problem);
        } else if (n >= ZC_TEXTURE_MAX_LAYERS) {
            r = zc_fail(diag, ZC_ERR_LIMIT, "line %u: more than the %u layers a texture holds", line,
                        ZC_TEXTURE_MAX_LAYERS);
        } else {
            memcpy(name, start, len);
            name[len] = 0;
            if (zc__list_add(&list, &n, &cap, dir, dir_length, name) != 0)
                r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory reading the layer list");
        }
    }
    if (r == ZC_OK && n == 0)
        r = zc_fail(diag, ZC_ERR_BAD_SOURCE, "the layer list names no layer (one path per line; '#' starts a comment)");
    if (r != ZC_OK) {
        zc_texture_array_files_free(list, n);
        return r;
    }
    *out = list;
    *count = n;
    return ZC_OK;
}
