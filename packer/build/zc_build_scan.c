/* zc_build_scan.c - the scan step of a build (zc_build_internal.h): walk the tree,
 * sort, check names, take the manifest; and the statistics of a written pack.
 */
#define _DEFAULT_SOURCE /* realpath */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>
#include <zstd.h>

#include "zc_build_internal.h"
#include "zc_packer_sys.h"

#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 3, 4)))
#endif
void zc__build_log(const zc__build *b, zc_log_level level, const char *fmt, ...) {
    if (!b->desc->logger.func) return;
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof line) {
        /* Too long (a path over the system's limit): keep the head and the whole tail,
         * where the reason is, and cut the middle on a UTF-8 boundary. */
        char *full = (char *)malloc((size_t)n + 1);
        if (full) {
            va_start(ap, fmt);
            vsnprintf(full, (size_t)n + 1, fmt, ap);
            va_end(ap);
            size_t head = 1024, tail = sizeof line - head - 8;
            while (head > 0 && ((uint8_t)full[head] & 0xC0) == 0x80) head--;
            size_t from = (size_t)n - tail;
            while (from < (size_t)n && ((uint8_t)full[from] & 0xC0) == 0x80) from++;
            memcpy(line, full, head);
            memcpy(line + head, "...", 3);
            memcpy(line + head + 3, full + from, (size_t)n - from + 1);
            free(full);
        }
    }
    b->desc->logger.func(level, line, b->desc->logger.user_data);
}

/* "root/rel", or root alone when rel is empty. NULL when out of memory. */
char *zc__build_join(const char *a, size_t a_len, const char *b) {
    size_t b_len = strlen(b);
    int slash = a_len > 0 && a[a_len - 1] != '/' && b_len > 0;
    char *s = (char *)malloc(a_len + (size_t)slash + b_len + 1);
    if (!s) return NULL;
    memcpy(s, a, a_len);
    if (slash) s[a_len] = '/';
    memcpy(s + a_len + (size_t)slash, b, b_len + 1);
    return s;
}

char *zc__file_path(const zc__build *b, const char *rel) {
    return zc__build_join(b->root, b->root_len, rel);
}

/* Copy `in` into out[cap] with bytes that are not printable UTF-8 written as \xNN,
 * so a message about a bad file name stays readable and valid UTF-8. */
const char *zc__escape(const char *in, char *out, size_t cap) {
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

static zc_result zc__add_file(zc__build *b, char *rel, const struct stat *st, int followed) {
    if (b->count == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        zc__build_file *files = (zc__build_file *)realloc(b->files, cap * sizeof *files);
        if (!files) return ZC_ERR_OUT_OF_MEMORY;
        b->files = files;
        b->cap = cap;
    }
    b->files[b->count].rel = rel;
    b->files[b->count].size = (uint64_t)st->st_size;
    b->files[b->count].dev = (uint64_t)st->st_dev;
    b->files[b->count].ino = (uint64_t)st->st_ino;
    b->files[b->count].followed = followed;
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
    DIR *dir = zc__packer_sys.opendir(dir_path);
    if (!dir) {
        int err = errno;
        zc__build_log(b, ZC_LOG_ERROR, "%s: cannot open directory: %s", dir_path, strerror(err));
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
                zc__build_log(b, ZC_LOG_ERROR, "%s: cannot read directory: %s", dir_path, strerror(errno));
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
        if (r == ZC_ERR_OUT_OF_MEMORY) zc__build_log(b, ZC_LOG_ERROR, "%s: out of memory listing the directory", dir_path);
        zc__free_names(names, count);
        return r;
    }
    *out_names = names;
    *out_count = count;
    return ZC_OK;
}

/* Warn that the walk skips the symbolic link at `path`, saying where it leads: into
 * the tree (whose file or folder is packed, or left out, under its own path), out of
 * it, or nowhere. */
static void zc__skip_link(zc__build *b, const char *path) {
    char shown[600];
    char *target = realpath(path, NULL);
    char *root = target ? realpath(b->root, NULL) : NULL;
    size_t n = root ? strlen(root) : 0;
    struct stat st;
    if (!target) {
        zc__build_log(b, ZC_LOG_WARNING, "%s: skipping symbolic link: its target does not exist", path);
    } else if (root && strncmp(target, root, n) == 0 && (target[n] == '/' || (n == 1 && root[0] == '/'))) {
        const char *rel = target + n + (root[n - 1] != '/');
        int dir = stat(target, &st) == 0 && S_ISDIR(st.st_mode);
        zc__build_log(b, ZC_LOG_WARNING,
                      "%s: skipping symbolic link to %s%s of the tree (links are not followed; it is packed, "
                      "or left out, under its own path)",
                      path, dir ? "the folder " : "", zc__escape(rel, shown, sizeof shown));
    } else {
        zc__build_log(b, ZC_LOG_WARNING, "%s: skipping symbolic link to %s, outside the tree (links are not followed)",
                      path, zc__escape(target, shown, sizeof shown));
    }
    free(root);
    free(target);
}

/* What a symbolic link at `path` leads to when the build follows links: 1 and *st
 * for a target that exists and does not contain the link (a folder the walk is in),
 * else 0 after a warning. */
static int zc__follow_link(zc__build *b, const char *path, const zc_walk_folder *walk, struct stat *st) {
    if (stat(path, st) != 0) {
        zc__build_log(b, ZC_LOG_WARNING, "%s: skipping symbolic link: %s", path,
                      errno == ENOENT ? "its target does not exist" : errno == ELOOP ? "it leads to itself" : strerror(errno));
        return 0;
    }
    if (S_ISDIR(st->st_mode) && zc_walk_folder_inside(walk, (uint64_t)st->st_dev, (uint64_t)st->st_ino)) {
        zc__build_log(b, ZC_LOG_WARNING, "%s: skipping symbolic link: it leads to a folder that contains it", path);
        return 0;
    }
    return 1;
}

/* Collect the regular files under the directory `rel` ("" for the root), whose
 * identity `walk` holds first. */
static zc_result zc__scan_dir(zc__build *b, const char *rel, const zc_walk_folder *walk) {
    char *dir_path = zc__file_path(b, rel);
    if (!dir_path) return ZC_ERR_OUT_OF_MEMORY;
    char **names;
    size_t count;
    zc_result r = zc__list_dir(b, dir_path, &names, &count);
    if (r != ZC_OK && r != ZC_ERR_OUT_OF_MEMORY && rel[0] && b->desc->keep_going) {
        /* keep_going: a subdirectory that cannot be listed is reported and skipped */
        zc__build_log(b, ZC_LOG_ERROR, "%s: skipping the directory: it cannot be listed", dir_path);
        b->unlisted_dirs++;
        r = ZC_OK;
        count = 0;
        names = NULL;
    }
    free(dir_path);
    if (r != ZC_OK) return r;

    for (size_t i = 0; i < count && r == ZC_OK; ++i) {
        char *child = zc__build_join(rel, strlen(rel), names[i]);
        char *child_path = child ? zc__file_path(b, child) : NULL;
        if (!child_path) {
            free(child);
            r = ZC_ERR_OUT_OF_MEMORY;
            break;
        }
        struct stat st;
        uint32_t line = 0;
        int followed = 0;
        if (!rel[0] && strcmp(names[i], ZC_IGNORE_NAME) == 0) {
            /* the ignore list itself, read before the walk */
        } else if (lstat(child_path, &st) != 0) {
            zc__build_log(b, ZC_LOG_ERROR, "%s: cannot stat: %s", child_path, strerror(errno));
            r = ZC_ERR_IO;
        } else if (S_ISLNK(st.st_mode) && b->desc->follow_links &&
                   (b->desc->include_hidden || !zc_ignore_system_name(names[i])) && /* else left out below */
                   !(followed = zc__follow_link(b, child_path, walk, &st))) {
            b->skipped++;
        } else if ((line = zc_ignore_match(b->ignore, child, S_ISDIR(st.st_mode))) != 0) {
            zc__build_log(b, ZC_LOG_INFO, "%s: left out by line %u of %s", child_path, line, ZC_IGNORE_NAME);
            b->excluded++;
        } else if (!b->desc->include_hidden && zc_ignore_system_name(names[i])) {
            zc__build_log(b, ZC_LOG_INFO, "%s: left out: a hidden or system %s", child_path,
                          S_ISDIR(st.st_mode) ? "folder" : "file");
            b->hidden++;
        } else if (S_ISLNK(st.st_mode)) {
            zc__skip_link(b, child_path);
            b->skipped++;
            b->links_skipped++;
        } else if (S_ISDIR(st.st_mode) && b->cache && (uint64_t)st.st_dev == b->cache_dev &&
                   (uint64_t)st.st_ino == b->cache_ino) {
            zc__build_log(b, ZC_LOG_INFO, "%s: skipping the build cache", child_path);
        } else if (S_ISDIR(st.st_mode)) {
            zc_walk_folder inner = { (uint64_t)st.st_dev, (uint64_t)st.st_ino, walk };
            r = zc__scan_dir(b, child, &inner);
        } else if (!S_ISREG(st.st_mode)) {
            zc__build_log(b, ZC_LOG_WARNING, "%s: skipping: not a regular file", child_path);
            b->skipped++;
        } else if (b->has_output && st.st_dev == b->output_dev && st.st_ino == b->output_ino &&
                   b->output_is_source) {
            zc__build_log(b, ZC_LOG_ERROR, "%s: the output %s is this source file of the tree: refusing to overwrite it",
                          child_path, b->desc->output_path);
            r = ZC_ERR_IO;
        } else if (b->has_output && st.st_dev == b->output_dev && st.st_ino == b->output_ino) {
            zc__build_log(b, ZC_LOG_INFO, "%s: skipping the output pack", child_path);
            b->skipped++;
        } else if (b->has_base && st.st_dev == b->base_dev && st.st_ino == b->base_ino) {
            zc__build_log(b, ZC_LOG_INFO, "%s: skipping the base pack", child_path);
            b->skipped++;
        } else if (zc_writer_is_temp_name(names[i])) {
            zc__build_log(b, ZC_LOG_INFO, "%s: skipping a temporary pack file", child_path);
            b->skipped++;
        } else {
            r = zc__add_file(b, child, &st, followed);
            if (r == ZC_OK) child = NULL; /* owned by the list now */
        }
        free(child);
        free(child_path);
    }
    if (r == ZC_ERR_OUT_OF_MEMORY) zc__build_log(b, ZC_LOG_ERROR, "%s: out of memory while scanning", b->root);
    zc__free_names(names, count);
    return r;
}

zc_result zc__build_scan(zc__build *b, const char *rel) {
    char *dir_path = zc__file_path(b, rel);
    struct stat st;
    int known = dir_path && stat(dir_path, &st) == 0;
    free(dir_path);
    zc_walk_folder walk = { known ? (uint64_t)st.st_dev : 0, known ? (uint64_t)st.st_ino : 0, NULL };
    return zc__scan_dir(b, rel, known ? &walk : NULL);
}

int zc__compare_files(const void *x, const void *y) {
    return strcmp(((const zc__build_file *)x)->rel, ((const zc__build_file *)y)->rel);
}

static int zc__compare_u64(const void *x, const void *y) {
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* Entry and payload counts of the finished pack, read back through the runtime. */
void zc__pack_stats(const char *path, zc_build_stats *stats) {
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

/* ---------------------------------------------------------------------------------
 * Manifest
 * ------------------------------------------------------------------------------- */

zc_result zc__take_ignore(zc__build *b) {
    char *file = zc__file_path(b, ZC_IGNORE_NAME);
    if (!file) return ZC_ERR_OUT_OF_MEMORY;
    struct stat st;
    zc_result r = ZC_OK;
    if (lstat(file, &st) == 0 && S_ISREG(st.st_mode)) {
        zc_diag diag;
        diag.message[0] = 0;
        r = zc_ignore_load(file, &b->ignore, &diag);
        if (r != ZC_OK)
            zc__build_log(b, ZC_LOG_ERROR, "%s: %s", file, diag.message[0] ? diag.message : zc_result_str(r));
        else
            zc__build_log(b, ZC_LOG_INFO, "%s: %zu patterns", file, zc_ignore_count(b->ignore));
    } else if (lstat(file, &st) == 0) {
        zc__build_log(b, ZC_LOG_ERROR, "%s: not a regular file", file);
        r = ZC_ERR_IO;
    }
    free(file);
    return r;
}

/* Drop the files a manifest rule excludes. */
static void zc__drop_excluded(zc__build *b) {
    size_t kept = 0;
    for (size_t i = 0; i < b->count; ++i) {
        uint32_t rule = zc_manifest_excludes(b->manifest, b->files[i].rel);
        if (!rule) {
            b->files[kept++] = b->files[i];
            continue;
        }
        zc__build_log(b, ZC_LOG_INFO, "%s/%s: left out by rule %u of %s", b->root, b->files[i].rel, rule - 1,
                      ZC_MANIFEST_NAME);
        free(b->files[i].rel);
        b->excluded++;
    }
    b->count = kept;
}

/* 1 when the scan holds the file `rel` (the files are sorted by it). */
static int zc__scanned(const zc__build *b, const char *rel) {
    size_t lo = 0, hi = b->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(b->files[mid].rel, rel);
        if (c == 0) return 1;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}

zc_result zc__texture_group_first(const zc_manifest *m, const char *root, const char *rel, char **first) {
    *first = NULL;
    zc_texture_group group = zc_manifest_texture_group(m, rel);
    if (group == ZC_TEXTURE_GROUP_CUBE) {
        if (zc_texture_cube_face(rel) == 0) return ZC_OK;
        return (*first = zc_texture_cube_face_name(rel, 0)) ? ZC_OK : ZC_ERR_OUT_OF_MEMORY;
    }
    if (group != ZC_TEXTURE_GROUP_ARRAY) return ZC_OK;
    char *path = zc__build_join(root, strlen(root), rel);
    if (!path) return ZC_ERR_OUT_OF_MEMORY;
    char **files;
    uint32_t count, index;
    zc_diag diag;
    zc_result r = zc_texture_array_files(path, &files, &count, &index, &diag);
    free(path);
    if (r != ZC_OK) return r == ZC_ERR_OUT_OF_MEMORY ? r : ZC_OK; /* the file's own import reports it */
    if (index > 0) {
        const char *name = strrchr(files[0], '/') + 1;
        const char *slash = strrchr(rel, '/');
        size_t folder = slash ? (size_t)(slash - rel + 1) : 0, n = strlen(name);
        if ((*first = (char *)malloc(folder + n + 1)) != NULL) {
            memcpy(*first, rel, folder);
            memcpy(*first + folder, name, n + 1);
        } else {
            r = ZC_ERR_OUT_OF_MEMORY;
        }
    }
    zc_texture_array_files_free(files, count);
    return r;
}

/* Drop the later files of texture groups (a cube map's -X to -Z faces, an array's
 * layers after the first) whose first file is in the tree: its import reads them. A
 * later file without its first stays, and its import says what is missing. */
static zc_result zc__drop_group_members(zc__build *b) {
    uint8_t *drop = NULL;
    size_t dropped = 0;
    zc_result r = ZC_OK;
    for (size_t i = 0; i < b->count && r == ZC_OK; ++i) {
        char *first = NULL;
        r = zc__texture_group_first(b->manifest, b->root, b->files[i].rel, &first);
        if (r != ZC_OK || !first || !zc__scanned(b, first)) {
            free(first);
            continue;
        }
        if (!drop && !(drop = (uint8_t *)calloc(b->count, 1))) r = ZC_ERR_OUT_OF_MEMORY;
        if (r == ZC_OK) {
            drop[i] = 1;
            dropped++;
            zc__build_log(b, ZC_LOG_INFO, "%s/%s: read by the import of %s (one texture)", b->root, b->files[i].rel,
                          first);
        }
        free(first);
    }
    if (r == ZC_OK && dropped) {
        size_t kept = 0;
        for (size_t i = 0; i < b->count; ++i) {
            if (drop[i]) free(b->files[i].rel);
            else b->files[kept++] = b->files[i];
        }
        b->count = kept;
    }
    free(drop);
    return r;
}

/* Read zcpack.json when the scan found it at the root, drop it from the files, and the
 * files its rules exclude. */
zc_result zc__take_manifest(zc__build *b) {
    size_t i = 0;
    while (i < b->count && strcmp(b->files[i].rel, ZC_MANIFEST_NAME) != 0) i++;
    if (i == b->count) return ZC_OK;
    char *file = zc__file_path(b, ZC_MANIFEST_NAME);
    if (!file) return ZC_ERR_OUT_OF_MEMORY;
    zc_diag diag;
    diag.message[0] = 0;
    zc_result r = zc_manifest_load(file, &b->manifest, &diag);
    if (r != ZC_OK)
        zc__build_log(b, ZC_LOG_ERROR, "%s: %s", file, diag.message[0] ? diag.message : zc_result_str(r));
    else
        zc__build_log(b, ZC_LOG_INFO, "%s: %zu rules", file, zc_manifest_rule_count(b->manifest));
    if (r == ZC_OK) b->manifest_path = file;
    else free(file);
    free(b->files[i].rel);
    memmove(&b->files[i], &b->files[i + 1], (b->count - i - 1) * sizeof *b->files);
    b->count--;
    if (r == ZC_OK) zc__drop_excluded(b);
    if (r == ZC_OK) r = zc__drop_group_members(b);
    return r;
}

