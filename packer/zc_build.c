/* zc_build.c - scan a directory tree and write it as one pack (zc_build.h). */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "zc_build.h"
#include "zc_importer.h"

typedef struct zc__build_file {
    char *rel;                  /* entry path: relative, '/'-separated */
    uint64_t size;
} zc__build_file;

typedef struct zc__build {
    const zc_build_desc *desc;
    const char *root;           /* input_dir without trailing slashes ("/" stays "/") */
    size_t root_len;
    int has_output;             /* the output exists: skip it if the walk meets it */
    dev_t output_dev;
    ino_t output_ino;
    zc__build_file *files;
    size_t count, cap;
    uint32_t skipped;
} zc__build;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void zc__blog(const zc__build *b, zc_log_level level, const char *fmt, ...) {
    if (!b->desc->logger.func) return;
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    b->desc->logger.func(level, line, b->desc->logger.user_data);
}

/* "root/rel", or root alone when rel is empty. NULL when out of memory. */
static char *zc__join(const char *a, size_t a_len, const char *b) {
    size_t b_len = strlen(b);
    int slash = a_len > 0 && a[a_len - 1] != '/' && b_len > 0;
    char *s = (char *)malloc(a_len + (size_t)slash + b_len + 1);
    if (!s) return NULL;
    memcpy(s, a, a_len);
    if (slash) s[a_len] = '/';
    memcpy(s + a_len + (size_t)slash, b, b_len + 1);
    return s;
}

static char *zc__file_path(const zc__build *b, const char *rel) {
    return zc__join(b->root, b->root_len, rel);
}

/* Copy `in` into out[cap] with bytes that are not printable UTF-8 written as \xNN,
 * so a message about a bad file name stays readable and valid UTF-8. */
static const char *zc__escape(const char *in, char *out, size_t cap) {
    size_t o = 0;
    const uint8_t *s = (const uint8_t *)in;
    for (size_t i = 0; s[i] && o + 5 < cap;) {
        size_t n = s[i] < 0x80 ? 1 : s[i] >= 0xF0 ? 4 : s[i] >= 0xE0 ? 3 : 2;
        int ok = s[i] >= 0x20 && s[i] != 0x7F && s[i] != '\\';
        if (n > 1) {
            size_t avail = 1;
            while (avail < n && s[i + avail]) avail++;
            ok = avail == n && zc_utf8_valid(s + i, n);
        }
        if (!ok) {
            snprintf(out + o, cap - o, "\\x%02x", s[i]);
            o += 4;
            i += 1;
        } else if (o + n < cap) {
            memcpy(out + o, s + i, n);
            o += n;
            i += n;
        } else {
            break;
        }
    }
    out[o] = 0;
    return out;
}

/* `name` has the form *.tmp-<digits>-<digits>: a temporary file of a writer. */
static int zc__is_writer_temp(const char *name) {
    const char *p = NULL;
    for (const char *q = strstr(name, ".tmp-"); q; q = strstr(q + 1, ".tmp-")) p = q;
    if (!p || p == name) return 0;
    p += 5;
    const char *digits = p;
    while (*p >= '0' && *p <= '9') p++;
    if (p == digits || *p != '-') return 0;
    digits = ++p;
    while (*p >= '0' && *p <= '9') p++;
    return p != digits && *p == 0;
}

static zc_result zc__add_file(zc__build *b, char *rel, uint64_t size) {
    if (b->count == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        zc__build_file *files = (zc__build_file *)realloc(b->files, cap * sizeof *files);
        if (!files) return ZC_ERR_OUT_OF_MEMORY;
        b->files = files;
        b->cap = cap;
    }
    b->files[b->count].rel = rel;
    b->files[b->count].size = size;
    b->count++;
    return ZC_OK;
}

static void zc__free_names(char **names, size_t count) {
    for (size_t i = 0; i < count; ++i) free(names[i]);
    free(names);
}

/* Read the names in one directory (without "." and ".."), then close it, so a deep
 * tree never holds more than one directory stream open. */
static zc_result zc__list_dir(zc__build *b, const char *dir_path, char ***out_names, size_t *out_count) {
    *out_names = NULL;
    *out_count = 0;
    DIR *dir = opendir(dir_path);
    if (!dir) {
        int err = errno;
        zc__blog(b, ZC_LOG_ERROR, "%s: cannot open directory: %s", dir_path, strerror(err));
        return err == ENOENT ? ZC_ERR_FILE_NOT_FOUND : ZC_ERR_IO;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    zc_result r = ZC_OK;
    for (;;) {
        errno = 0;
        struct dirent *d = readdir(dir);
        if (!d) {
            if (errno != 0) {
                zc__blog(b, ZC_LOG_ERROR, "%s: cannot read directory: %s", dir_path, strerror(errno));
                r = ZC_ERR_IO;
            }
            break;
        }
        if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0) continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 32;
            char **grown = (char **)realloc(names, cap * sizeof *grown);
            if (!grown) {
                r = ZC_ERR_OUT_OF_MEMORY;
                break;
            }
            names = grown;
        }
        size_t n = strlen(d->d_name);
        if (!(names[count] = (char *)malloc(n + 1))) {
            r = ZC_ERR_OUT_OF_MEMORY;
            break;
        }
        memcpy(names[count++], d->d_name, n + 1);
    }
    closedir(dir);
    if (r != ZC_OK) {
        if (r == ZC_ERR_OUT_OF_MEMORY) zc__blog(b, ZC_LOG_ERROR, "%s: out of memory listing the directory", dir_path);
        zc__free_names(names, count);
        return r;
    }
    *out_names = names;
    *out_count = count;
    return ZC_OK;
}

/* Collect the regular files under the directory `rel` ("" for the root). */
static zc_result zc__scan(zc__build *b, const char *rel) {
    char *dir_path = zc__file_path(b, rel);
    if (!dir_path) return ZC_ERR_OUT_OF_MEMORY;
    char **names;
    size_t count;
    zc_result r = zc__list_dir(b, dir_path, &names, &count);
    free(dir_path);
    if (r != ZC_OK) return r;

    for (size_t i = 0; i < count && r == ZC_OK; ++i) {
        char *child = zc__join(rel, strlen(rel), names[i]);
        char *child_path = child ? zc__file_path(b, child) : NULL;
        if (!child_path) {
            free(child);
            r = ZC_ERR_OUT_OF_MEMORY;
            break;
        }
        struct stat st;
        if (lstat(child_path, &st) != 0) {
            zc__blog(b, ZC_LOG_ERROR, "%s: cannot stat: %s", child_path, strerror(errno));
            r = ZC_ERR_IO;
        } else if (S_ISLNK(st.st_mode)) {
            zc__blog(b, ZC_LOG_WARNING, "%s: skipping symbolic link", child_path);
            b->skipped++;
        } else if (S_ISDIR(st.st_mode)) {
            r = zc__scan(b, child);
        } else if (!S_ISREG(st.st_mode)) {
            zc__blog(b, ZC_LOG_WARNING, "%s: skipping: not a regular file", child_path);
            b->skipped++;
        } else if (b->has_output && st.st_dev == b->output_dev && st.st_ino == b->output_ino) {
            zc__blog(b, ZC_LOG_INFO, "%s: skipping the output pack", child_path);
            b->skipped++;
        } else if (zc__is_writer_temp(names[i])) {
            zc__blog(b, ZC_LOG_INFO, "%s: skipping a temporary pack file", child_path);
            b->skipped++;
        } else {
            r = zc__add_file(b, child, (uint64_t)st.st_size);
            if (r == ZC_OK) child = NULL; /* owned by the list now */
        }
        free(child);
        free(child_path);
    }
    if (r == ZC_ERR_OUT_OF_MEMORY) zc__blog(b, ZC_LOG_ERROR, "%s: out of memory while scanning", b->root);
    zc__free_names(names, count);
    return r;
}

static int zc__compare_files(const void *x, const void *y) {
    return strcmp(((const zc__build_file *)x)->rel, ((const zc__build_file *)y)->rel);
}

static int zc__compare_u64(const void *x, const void *y) {
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* Entry and payload counts of the finished pack, read back through the runtime. */
static void zc__pack_stats(const char *path, zc_build_stats *stats) {
    zc_pack *pack = NULL;
    zc_pack_desc pd;
    memset(&pd, 0, sizeof pd);
    pd.path = path;
    pd.validate = ZC_VALIDATE_TOC;
    if (zc_pack_open(&pack, &pd) != ZC_OK) return;
    zc_pack_info info;
    if (zc_pack_get_info(pack, &info) == ZC_OK) {
        stats->entries = info.entry_count;
        stats->pack_bytes = info.file_size;
    }
    /* distinct (offset, size) pairs: offsets of non-empty payloads never overlap */
    uint64_t *offsets = (uint64_t *)malloc(((size_t)stats->entries + 1) * 2 * sizeof *offsets);
    uint32_t n = 0;
    for (uint32_t i = 0; offsets && i < stats->entries; ++i) {
        zc_entry e;
        if (zc_pack_entry_at(pack, i, &e) != ZC_OK || e.stored_size == 0) continue;
        offsets[2 * n] = e.offset;
        offsets[2 * n + 1] = e.stored_size;
        n++;
    }
    if (offsets) {
        qsort(offsets, n, 2 * sizeof *offsets, zc__compare_u64);
        for (uint32_t i = 0; i < n; ++i) {
            if (i > 0 && offsets[2 * i] == offsets[2 * (i - 1)]) continue;
            stats->unique_payloads++;
            stats->payload_bytes += offsets[2 * i + 1];
        }
    }
    free(offsets);
    zc_pack_close(pack);
}

static void zc__report(const zc__build *b, uint32_t done, uint64_t bytes_done, uint64_t bytes_total,
                       const char *current) {
    if (!b->desc->progress) return;
    zc_build_progress p;
    p.files_done = done;
    p.files_total = (uint32_t)b->count;
    p.bytes_done = bytes_done;
    p.bytes_total = bytes_total;
    p.current = current;
    b->desc->progress(&p, b->desc->progress_user_data);
}

zc_result zc_build(const zc_build_desc *desc, zc_build_stats *out) {
    if (out) memset(out, 0, sizeof *out);
    if (!desc || !desc->input_dir || !desc->input_dir[0] || !desc->output_path || !desc->output_path[0])
        return ZC_ERR_INVALID_ARGUMENT;
    zc__build b;
    memset(&b, 0, sizeof b);
    b.desc = desc;
    b.root = desc->input_dir;
    b.root_len = strlen(b.root);
    while (b.root_len > 1 && b.root[b.root_len - 1] == '/') b.root_len--;

    zc_result r = ZC_OK;
    char *root = zc__join(b.root, b.root_len, "");
    struct stat st;
    if (!root) {
        r = ZC_ERR_OUT_OF_MEMORY;
    } else if (stat(root, &st) != 0) {
        int err = errno;
        zc__blog(&b, ZC_LOG_ERROR, "%s: cannot open directory: %s", root, strerror(err));
        r = err == ENOENT ? ZC_ERR_FILE_NOT_FOUND : ZC_ERR_IO;
    } else if (!S_ISDIR(st.st_mode)) {
        zc__blog(&b, ZC_LOG_ERROR, "%s: not a directory", root);
        r = ZC_ERR_IO;
    }
    b.root = root;
    if (r == ZC_OK && stat(desc->output_path, &st) == 0) {
        b.has_output = 1;
        b.output_dev = st.st_dev;
        b.output_ino = st.st_ino;
    }
    zc_build_stage stage = ZC_BUILD_STAGE_SCAN;
    if (r == ZC_OK) r = zc__scan(&b, "");
    if (r == ZC_OK && b.count > 1) qsort(b.files, b.count, sizeof *b.files, zc__compare_files);

    /* Every name is checked before the output is touched. */
    uint64_t bytes_total = 0;
    for (size_t i = 0; i < b.count && r == ZC_OK; ++i) {
        zc_diag diag;
        bytes_total += b.files[i].size;
        if (zc_check_path(b.files[i].rel, strlen(b.files[i].rel), &diag) != ZC_OK) {
            char shown[2048];
            char *file = zc__file_path(&b, b.files[i].rel);
            zc__blog(&b, ZC_LOG_ERROR, "%s: file name is not a valid entry path: %s",
                     zc__escape(file ? file : b.files[i].rel, shown, sizeof shown), diag.message);
            free(file);
            r = ZC_ERR_BAD_PATH;
        }
    }
    if (r == ZC_OK && b.count > ZC_MAX_ENTRIES) {
        zc__blog(&b, ZC_LOG_ERROR, "%s: %zu files exceed the limit of %u entries", b.root, b.count, ZC_MAX_ENTRIES);
        r = ZC_ERR_LIMIT;
    }

    zc_writer *w = NULL;
    if (r == ZC_OK) {
        stage = ZC_BUILD_STAGE_WRITE;
        zc_writer_desc wd;
        memset(&wd, 0, sizeof wd);
        wd.path = desc->output_path;
        wd.logger = desc->logger;
        wd.no_verify = desc->no_verify;
        wd.no_sync = desc->no_sync;
        r = zc_writer_open(&w, &wd);
    }
    uint64_t bytes_done = 0;
    if (r == ZC_OK) {
        stage = ZC_BUILD_STAGE_IMPORT;
        zc__report(&b, 0, 0, bytes_total, NULL);
    }
    for (size_t i = 0; i < b.count && r == ZC_OK; ++i) {
        char *file = zc__file_path(&b, b.files[i].rel);
        if (!file) {
            r = ZC_ERR_OUT_OF_MEMORY;
            break;
        }
        zc_import_source src;
        memset(&src, 0, sizeof src);
        src.file_path = file;
        src.entry_path = b.files[i].rel;
        src.size = b.files[i].size;
        src.logger = desc->logger;
        const zc_importer *imp = zc_importer_for_path(b.files[i].rel);
        zc_diag diag;
        diag.message[0] = 0;
        r = imp->import(&src, w, &diag);
        if (r != ZC_OK)
            zc__blog(&b, ZC_LOG_ERROR, "%s: %s import failed: %s", file, imp->name,
                     diag.message[0] ? diag.message : zc_result_str(r));
        free(file);
        bytes_done += b.files[i].size;
        if (r == ZC_OK) zc__report(&b, (uint32_t)(i + 1), bytes_done, bytes_total, b.files[i].rel);
    }
    if (r == ZC_OK) {
        stage = ZC_BUILD_STAGE_WRITE;
        r = zc_writer_finish(w);
    } else {
        zc_writer_abort(w);
    }

    if (r != ZC_OK && out) out->failed_stage = stage;
    if (r == ZC_OK && out) {
        out->files = (uint32_t)b.count;
        out->skipped = b.skipped;
        out->input_bytes = bytes_total;
        zc__pack_stats(desc->output_path, out);
    }
    for (size_t i = 0; i < b.count; ++i) free(b.files[i].rel);
    free(b.files);
    free(root);
    return r;
}
