/* zc_cli_stage.c - the staged tree of `zcpack import --stage <list>` (zc_cli_stage.h). */
#define _DEFAULT_SOURCE /* realpath, mkdtemp */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_format.h"
#include "zc_packer_os.h" /* after the system headers */
#include "zc_cli_stage.h"

#define ZC__STAGE_MAX_LIST ((long)64 << 20) /* bytes of a list, at most */

static int zc__stage_fail(char *err, size_t err_size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
    return -1;
}

#ifdef _WIN32

int zc__stage_create(const char *list_path, const char *beside, zc_cli_stage *stage, char *err, size_t err_size) {
    (void)beside;
    memset(stage, 0, sizeof *stage);
    return zc__stage_fail(err, err_size, "%s: --stage is not available in the Windows build", list_path);
}

void zc__stage_remove(zc_cli_stage *stage) { memset(stage, 0, sizeof *stage); }

#else

/* Remember a file or folder made below the root (taking `path`); -1 when out of memory
 * (path freed). */
static int zc__stage_note(zc_cli_stage *stage, char *path, int folder) {
    if (stage->made_count == stage->made_cap) {
        size_t cap = stage->made_cap ? 2 * stage->made_cap : 16;
        zc_cli_staged *made = (zc_cli_staged *)realloc(stage->made, cap * sizeof *made);
        if (!made) {
            free(path);
            return -1;
        }
        stage->made = made;
        stage->made_cap = cap;
    }
    stage->made[stage->made_count].path = path;
    stage->made[stage->made_count].folder = folder;
    stage->made_count++;
    return 0;
}

/* The folders of `rel` below the root, made where missing; `path` is root/rel, and
 * each of its slashes past the root is made a terminator while its folder is made,
 * then put back. */
static int zc__stage_folders(zc_cli_stage *stage, char *path, const char *rel, char *err, size_t err_size) {
    char *rel_in_path = path + strlen(stage->root) + 1;
    for (char *slash = strchr(rel_in_path, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = 0;
        int made = mkdir(path, 0755) == 0, e = errno;
        struct stat st;
        int folder = made || (e == EEXIST && lstat(path, &st) == 0 && S_ISDIR(st.st_mode));
        char *noted = made ? strdup(path) : NULL;
        *slash = '/';
        if (made && (!noted || zc__stage_note(stage, noted, 1) != 0))
            return zc__stage_fail(err, err_size, "out of memory");
        if (!folder)
            return zc__stage_fail(err, err_size, "cannot stage %s: %.*s: %s", rel, (int)(slash - rel_in_path), rel,
                                  e == EEXIST ? "another input has this path" : strerror(e));
    }
    return 0;
}

/* The bytes of `from` into the new file `to`. */
static int zc__stage_copy(const char *from, const char *to, char *err, size_t err_size) {
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) return zc__stage_fail(err, err_size, "%s: cannot read it: %s", from, strerror(errno));
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (out < 0) {
        int e = errno;
        close(in);
        return zc__stage_fail(err, err_size, "%s: cannot create it: %s", to, strerror(e));
    }
    static char buffer[1 << 16];
    int failed = 0;
    for (;;) {
        ssize_t n = read(in, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (n < 0) failed = zc__stage_fail(err, err_size, "%s: cannot read it: %s", from, strerror(errno));
            break;
        }
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(out, buffer + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                failed = zc__stage_fail(err, err_size, "%s: cannot write it: %s", to, w < 0 ? strerror(errno) : "");
                break;
            }
            done += w;
        }
        if (failed) break;
    }
    close(in);
    if (close(out) != 0 && !failed) failed = zc__stage_fail(err, err_size, "%s: cannot write it: %s", to, strerror(errno));
    return failed;
}

/* One line of the list: "<rel>\t<file>", without its newline. */
static int zc__stage_line(zc_cli_stage *stage, const char *list_path, unsigned line_no, char *line, char *err,
                          size_t err_size) {
    char *tab = strchr(line, '\t');
    if (!tab)
        return zc__stage_fail(err, err_size, "%s:%u: expected \"<entry path><tab><file>\"", list_path, line_no);
    *tab = 0;
    const char *rel = line, *file = tab + 1;
    zc_diag diag;
    diag.message[0] = 0;
    if (zc_check_path(rel, strlen(rel), &diag) != ZC_OK)
        return zc__stage_fail(err, err_size, "%s:%u: %s: %s", list_path, line_no, rel, diag.message);
    if (!file[0]) return zc__stage_fail(err, err_size, "%s:%u: %s: no file after the tab", list_path, line_no, rel);
    char *real = realpath(file, NULL);
    struct stat st;
    if (!real || stat(real, &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = errno;
        free(real);
        return zc__stage_fail(err, err_size, "%s:%u: %s: %s", list_path, line_no, file,
                              real ? "not a regular file" : strerror(e));
    }
    size_t size = strlen(stage->root) + 1 + strlen(rel) + 1;
    char *path = (char *)malloc(size);
    if (!path) {
        free(real);
        return zc__stage_fail(err, err_size, "out of memory");
    }
    snprintf(path, size, "%s/%s", stage->root, rel);
    if (zc__stage_folders(stage, path, rel, err, err_size) != 0) {
        free(real);
        free(path);
        return -1;
    }
    if (link(real, path) != 0) {
        int e = errno;
        if (e == EEXIST) {
            free(real);
            free(path);
            return zc__stage_fail(err, err_size, "%s:%u: %s: another input has this path", list_path, line_no, rel);
        }
        if (zc__stage_copy(real, path, err, err_size) != 0) {
            unlink(path); /* a partial copy; nothing when open failed */
            free(real);
            free(path);
            return -1;
        }
    }
    free(real);
    return zc__stage_note(stage, path, 0) == 0 ? 0 : zc__stage_fail(err, err_size, "out of memory");
}

int zc__stage_create(const char *list_path, const char *beside, zc_cli_stage *stage, char *err, size_t err_size) {
    memset(stage, 0, sizeof *stage);
    FILE *list = fopen(list_path, "rb");
    if (!list) return zc__stage_fail(err, err_size, "%s: cannot read it: %s", list_path, strerror(errno));
    const char *suffix = ".stage-XXXXXX";
    size_t n = strlen(beside);
    stage->root = (char *)malloc(n + strlen(suffix) + 1);
    if (!stage->root) {
        fclose(list);
        return zc__stage_fail(err, err_size, "out of memory");
    }
    memcpy(stage->root, beside, n);
    strcpy(stage->root + n, suffix);
    if (!mkdtemp(stage->root)) {
        int e = errno;
        free(stage->root);
        stage->root = NULL;
        fclose(list);
        return zc__stage_fail(err, err_size, "cannot make a folder beside %s: %s", beside, strerror(e));
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t length;
    unsigned line_no = 0;
    long total = 0;
    int r = 0;
    while (r == 0 && (length = getline(&line, &cap, list)) >= 0) {
        line_no++;
        total += (long)length;
        if (total > ZC__STAGE_MAX_LIST) {
            r = zc__stage_fail(err, err_size, "%s: longer than %ld bytes", list_path, ZC__STAGE_MAX_LIST);
            break;
        }
        if (length > 0 && line[length - 1] == '\n') line[--length] = 0;
        if (length == 0) continue;
        if (memchr(line, 0, (size_t)length))
            r = zc__stage_fail(err, err_size, "%s:%u: holds a NUL byte", list_path, line_no);
        else
            r = zc__stage_line(stage, list_path, line_no, line, err, err_size);
    }
    if (r == 0 && ferror(list)) r = zc__stage_fail(err, err_size, "%s: cannot read it: %s", list_path, strerror(errno));
    free(line);
    fclose(list);
    if (r != 0) zc__stage_remove(stage);
    return r;
}

void zc__stage_remove(zc_cli_stage *stage) {
    for (size_t i = stage->made_count; i-- > 0;) {
        zc_cli_staged *m = &stage->made[i];
        if (m->folder) rmdir(m->path);
        else unlink(m->path);
        free(m->path);
    }
    if (stage->root) rmdir(stage->root);
    free(stage->root);
    free(stage->made);
    memset(stage, 0, sizeof *stage);
}

#endif
