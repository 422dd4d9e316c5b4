/* zc_model.c - the in-process model import (zc_model.h): settings, the assimp call,
 * the passes in order (zc_model_internal.h), the finished entry list, and the small
 * helpers every pass shares. zc_model_import_file (the isolated import) lives in
 * zc_model_pool.c.
 *
 * assimp and threads. Its C API keeps the message of the last failed import in one
 * process-wide string (aiGetErrorString), written by every failing import without a
 * lock, and some of its importers keep static state. So the assimp call (import,
 * post-processing and reading the error) runs under one process-wide mutex: imports
 * on several threads overlap in everything after assimp (meshoptimizer, textures,
 * encoding), not in assimp itself. A child forked while another thread held the
 * mutex gets it back unlocked (pthread_atfork), since only the forking thread exists
 * there; such a child must not count on assimp's error string.
 *
 * Scale. settings->scale multiplies every vertex position and every node translation
 * (and camera clip distances and magnifications); for a uniform scale that scales every world position
 * exactly, without relying on assimp's GlobalScale step, whose behaviour differs
 * between assimp versions and importers.
 */
#define _XOPEN_SOURCE 700 /* realpath, strndup */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zc_packer_os.h" /* after the system headers: realpath, pread, posix_memalign on Windows */

#include <assimp/cfileio.h>
#include <assimp/cimport.h>
#include <assimp/config.h>
#include <assimp/postprocess.h>
#include <assimp/scene.h>

#include "zc_model_assimp.h"
#include "zc_model_internal.h"

/* Formats claimed by extension ("stl", "x", "ac" and "acc", which other files use too,
 * only when the file's first bytes are the format's: zc_importers.c's shared names).
 * Left out on purpose: names other file types use ("xml", "bin", "txt", "json", "raw",
 * "mesh", "3d"), formats whose
 * assimp importer reads only an old or partial variant of files a game tree may hold
 * as sources ("blend" before 2.8, "mdl" of Source), and formats without meshes whose
 * data lives in another file (csm, md5anim, md5camera). BVH, motion without meshes,
 * is claimed: it becomes a skeleton and a clip (see zc__motion_only). */
const char *const zc_model_extensions[] = {
    "gltf", "glb", "obj", "fbx", "dae", "zae", "3ds", "ase", "md2", "md3", "md5mesh", "mdc", "ms3d",
    "lwo", "lxo", "ply", "stl", "off", "x", "b3d", "smd", "iqm", "3mf", "x3d", "ac3d", "ac", "acc", "bvh", NULL,
};

/* Post-processing kept to what the pipeline needs: triangles, normals where missing,
 * and assimp's validation, which refuses inconsistent scenes (indices past the
 * vertices, dangling material or mesh indices) before this code reads them. No
 * JoinIdenticalVertices or ImproveCacheLocality: meshoptimizer indexes and orders the
 * vertices itself; the fewer steps run, the fewer of assimp's crashes are reachable. */
unsigned zc_model_assimp_flags(const zc_model_settings *settings) {
    zc_model_settings none;
    if (!settings) {
        memset(&none, 0, sizeof none);
        settings = &none;
    }
    unsigned flags = aiProcess_Triangulate | aiProcess_GenSmoothNormals | aiProcess_ValidateDataStructure;
    if (settings->generate_normals) flags |= aiProcess_ForceGenNormals;
    if (settings->generate_tangents) flags |= aiProcess_CalcTangentSpace;
    /* assimp reports texture coordinates with v = 0 at the bottom row (OpenGL); the pack
     * stores them with v = 0 at the first stored row (SPEC.md, "Mesh"), so v is flipped
     * unless the manifest asks to keep the source's v. */
    if (!settings->flip_uvs) flags |= aiProcess_FlipUVs;
    return flags;
}

/* ---------------------------------------------------------------------------------
 * Shared helpers (zc_model_internal.h)
 * ------------------------------------------------------------------------------- */

char *zc__model_part_path(const zc__model_build *b, const char *kind, uint32_t index) {
    size_t n = strlen(b->entry_path) + strlen(kind) + 16;
    char *path = malloc(n);
    if (path) snprintf(path, n, "%s#%s/%u", b->entry_path, kind, index);
    return path;
}

uint64_t zc__model_part_id(const zc__model_build *b, const char *kind, uint32_t index) {
    char path[ZC_MAX_PATH + 32];
    int n = snprintf(path, sizeof path, "%s#%s/%u", b->entry_path, kind, index);
    return zc_asset_id(path, n < 0 ? 0 : (size_t)n < sizeof path ? (size_t)n : sizeof path - 1);
}

void *zc__model_alloc_payload(size_t size) {
    if (size == 0 || size > SIZE_MAX - 15) return NULL;
    size_t rounded = (size + 15) & ~(size_t)15;
    void *p = NULL;
    if (posix_memalign(&p, 16, rounded) != 0) return NULL;
    memset(p, 0, rounded);
    return p;
}

zc_result zc__model_add_entry(zc__model_build *b, char *path, uint32_t type, uint32_t layout_hash,
                              uint32_t align_log2, void *payload, size_t size, const uint64_t *deps,
                              uint32_t dep_count, zc_diag *diag) {
    uint64_t *dep_copy = NULL;
    if (!path || !payload) goto oom;
    if (dep_count) {
        dep_copy = malloc(dep_count * sizeof *dep_copy);
        if (!dep_copy) goto oom;
        memcpy(dep_copy, deps, dep_count * sizeof *dep_copy);
    }
    if (b->entry_count == b->entry_cap) {
        size_t cap = b->entry_cap ? b->entry_cap * 2 : 16;
        zc_model_entry *grown = realloc(b->entries, cap * sizeof *grown);
        if (!grown) goto oom;
        b->entries = grown;
        b->entry_cap = cap;
    }
    b->entries[b->entry_count++] = (zc_model_entry){
        .path = path, .type = type, .layout_hash = layout_hash, .align_log2 = align_log2,
        .payload = payload, .size = size, .deps = dep_copy, .dep_count = dep_count,
    };
    return ZC_OK;
oom:
    free(path);
    free(payload);
    free(dep_copy);
    return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory while collecting the model's entries");
}

void zc__model_note(zc__model_build *b, const char *fmt, ...) {
    b->note_count++;
    if (b->note_count > ZC__MODEL_MAX_NOTES || b->notes_failed) return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    size_t len = (size_t)n < sizeof line - 1 ? (size_t)n : sizeof line - 2;
    line[len++] = '\n';
    if (b->notes_len + len + 1 > b->notes_cap) {
        size_t cap = b->notes_cap ? b->notes_cap * 2 : 1024;
        while (cap < b->notes_len + len + 1) cap *= 2;
        char *grown = realloc(b->notes, cap);
        if (!grown) {
            b->notes_failed = 1;
            return;
        }
        b->notes = grown;
        b->notes_cap = cap;
    }
    memcpy(b->notes + b->notes_len, line, len);
    b->notes_len += len;
    b->notes[b->notes_len] = 0;
}

/* Length of the well-formed UTF-8 sequence at s[0, avail), 0 when it is not one (or
 * is NUL). */
static size_t zc__utf8_sequence(const unsigned char *s, size_t avail) {
    unsigned char c = s[0];
    if (c == 0) return 0;
    if (c < 0x80) return 1;
    size_t need;
    uint32_t cp, min;
    if ((c & 0xE0) == 0xC0) need = 1, cp = c & 0x1Fu, min = 0x80;
    else if ((c & 0xF0) == 0xE0) need = 2, cp = c & 0x0Fu, min = 0x800;
    else if ((c & 0xF8) == 0xF0) need = 3, cp = c & 0x07u, min = 0x10000;
    else return 0;
    if (need >= avail) return 0;
    for (size_t k = 1; k <= need; ++k) {
        if ((s[k] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[k] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return need + 1;
}

size_t zc__model_utf8_copy(const char *src, size_t length, char *dst, size_t max) {
    static const char replacement[3] = { (char)0xEF, (char)0xBF, (char)0xBD };
    const unsigned char *s = (const unsigned char *)src;
    size_t in = 0, out = 0;
    while (in < length) {
        size_t n = zc__utf8_sequence(s + in, length - in);
        const char *bytes = n ? (const char *)s + in : replacement;
        size_t out_n = n ? n : sizeof replacement;
        if (out_n > max - out) break;
        memcpy(dst + out, bytes, out_n);
        out += out_n;
        in += n ? n : 1;
    }
    dst[out] = 0;
    return out;
}

const char *zc__model_note_name(const struct aiString *source, char *name) {
    size_t length = source->length < sizeof source->data ? source->length : sizeof source->data - 1;
    zc__model_utf8_copy(source->data, length, name, ZC__MODEL_NOTE_NAME);
    return name;
}

/* ---------------------------------------------------------------------------------
 * The assimp call
 * ------------------------------------------------------------------------------- */

static pthread_mutex_t zc__assimp_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t zc__assimp_once = PTHREAD_ONCE_INIT;

#ifndef _WIN32 /* no fork there */
static void zc__assimp_lock_reset_in_child(void) {
    pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
    memcpy(&zc__assimp_lock, &fresh, sizeof fresh);
}
#endif

static void zc__assimp_lock_setup(void) {
#ifndef _WIN32
    pthread_atfork(NULL, NULL, zc__assimp_lock_reset_in_child);
#endif
}

/* Copy assimp's message into out[size] with each occurrence of the file's path
 * replaced by "the file" (the caller names the file itself). Quotes around the path
 * and a word "file" or "File" before it go too, so `File <path> is empty.` reads
 * "The file is empty." and `of file "<path>"` reads "of the file". */
static void zc__without_path(const char *message, const char *path, char *out, size_t size) {
    size_t n = 0, plen = strlen(path);
    out[0] = 0;
    for (const char *p = message ? message : ""; *p && n + 1 < size;) {
        if (plen && strncmp(p, path, plen) == 0) {
            p += plen;
            if (n && out[n - 1] == '"' && *p == '"') { /* "<path>" */
                n--;
                p++;
            }
            const char *the = "the file";
            if (n >= 5 && (strncmp(out + n - 5, "file ", 5) == 0 || strncmp(out + n - 5, "File ", 5) == 0)) {
                if (out[n - 5] == 'F') the = "The file";
                n -= 5;
            }
            n += (size_t)snprintf(out + n, size - n, "%s", the);
            if (n >= size) n = size - 1;
        } else {
            out[n++] = *p++;
            out[n] = 0;
        }
    }
}

/* ---------------------------------------------------------------------------------
 * Confinement: every file assimp opens lies in the asset root
 * ------------------------------------------------------------------------------- */

/* 1 when the resolved path `real` lies strictly below the resolved folder `dir`. */
static int zc__below(const char *real, const char *dir) {
    size_t n = strlen(dir);
    if (n == 1 && dir[0] == '/') return real[1] != 0;
    return strncmp(real, dir, n) == 0 && real[n] == '/' && real[n + 1] != 0;
}

/* `path` made absolute (against the working directory) with "." and ".." folded by
 * name, links left unresolved, into out[PATH_MAX]: where the path lies in the tree as
 * a walk that follows links sees it. 0 when it does not fit. */
static int zc__lexical(const char *path, char *out) {
    size_t n = 0;
    if (path[0] != '/') {
        if (!getcwd(out, PATH_MAX)) return 0;
        n = strlen(out);
        if (n == 1) n = 0; /* "/" */
    }
    for (const char *p = path; *p;) {
        while (*p == '/') p++;
        const char *end = p;
        while (*end && *end != '/') end++;
        size_t len = (size_t)(end - p);
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            while (n > 0 && out[n - 1] != '/') n--;
            if (n > 0) n--; /* the slash before the component dropped */
        } else if (len > 0 && !(len == 1 && p[0] == '.')) {
            if (n + 1 + len >= PATH_MAX) return 0;
            out[n++] = '/';
            memcpy(out + n, p, len);
            n += len;
        }
        p = end;
    }
    if (n == 0) out[n++] = '/';
    out[n] = 0;
    return 1;
}

int zc__model_inside_root(const zc__model_build *b, const char *path, char *resolved) {
    char buf[PATH_MAX];
    char *real = resolved ? resolved : buf;
    if (!b->root_real || !realpath(path, real)) return 0;
    if (zc__below(real, b->root_real) || (b->link_folder && zc__below(real, b->link_folder))) return 1;
    char seen[PATH_MAX];
    return b->root_lexical && zc__lexical(path, seen) && zc__below(seen, b->root_lexical);
}

/* settings.follow_links: when the model at root/entry_path is itself a symbolic link,
 * the folder of its target, whose files it names relative to that target (the links
 * of folders on the way are covered by root_lexical). NULL in *out when it is no
 * link. ZC_OK or ZC_ERR_OUT_OF_MEMORY. */
static zc_result zc__linked_model_folder(const char *root, const char *entry_path, char **out) {
    *out = NULL;
    char *path = zc__model_join(root, strlen(root), entry_path);
    if (!path) return ZC_ERR_OUT_OF_MEMORY;
    struct stat st;
    errno = 0;
    char *target = lstat(path, &st) == 0 && S_ISLNK(st.st_mode) ? realpath(path, NULL) : NULL;
    int oom = !target && errno == ENOMEM;
    free(path);
    char *slash = target ? strrchr(target, '/') : NULL;
    if (slash) slash[slash == target ? 1 : 0] = 0;
    *out = target;
    return oom ? ZC_ERR_OUT_OF_MEMORY : ZC_OK;
}

int zc__model_read(zc__model_build *b, const char *real) {
    if (b->source_real && strcmp(real, b->source_real) == 0) return 1;
    for (size_t i = 0; i < b->read_count; ++i)
        if (strcmp(b->reads[i], real) == 0) return 1;
    if (b->read_count == b->read_cap) {
        size_t cap = b->read_cap ? b->read_cap * 2 : 8;
        char **grown = realloc(b->reads, cap * sizeof *grown);
        if (!grown) return 0;
        b->reads = grown;
        b->read_cap = cap;
    }
    if (!(b->reads[b->read_count] = strdup(real))) return 0;
    b->read_count++;
    return 1;
}

static size_t zc__io_read(struct aiFile *f, char *buf, size_t size, size_t count) {
    return fread(buf, size, count, (FILE *)f->UserData);
}
static size_t zc__io_write(struct aiFile *f, const char *buf, size_t size, size_t count) {
    (void)f, (void)buf, (void)size, (void)count;
    return 0;
}
static size_t zc__io_tell(struct aiFile *f) {
    long at = ftell((FILE *)f->UserData);
    return at < 0 ? 0 : (size_t)at;
}
static size_t zc__io_size(struct aiFile *f) {
    struct stat st;
    return fstat(fileno((FILE *)f->UserData), &st) == 0 ? (size_t)st.st_size : 0;
}
static void zc__io_flush(struct aiFile *f) {
    (void)f;
}
static enum aiReturn zc__io_seek(struct aiFile *f, size_t offset, enum aiOrigin origin) {
    int whence = origin == aiOrigin_CUR ? SEEK_CUR : origin == aiOrigin_END ? SEEK_END : SEEK_SET;
    return fseek((FILE *)f->UserData, (long)offset, whence) == 0 ? aiReturn_SUCCESS : aiReturn_FAILURE;
}

/* Remember the first refused reference for the error message. */
static void zc__io_refuse(zc__model_build *b, const char *path) {
    size_t n = strlen(b->model_dir);
    if (strncmp(path, b->model_dir, n) == 0 && path[n] == '/') path += n + 1; /* as the model wrote it */
    if (!b->outside_ref && !(b->outside_ref = strdup(path))) b->io_oom = 1;
}

/* zc__model_open_source, with the file's status in *st. */
static int zc__open_source_stat(zc__model_build *b, struct stat *st, zc_diag *diag) {
    int fd = open(b->file_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    const char *why = NULL;
    if (fd < 0)
        why = errno == ELOOP ? "it was replaced by a symbolic link" : strerror(errno);
    else if (fstat(fd, st) != 0)
        why = strerror(errno);
    else if (!S_ISREG(st->st_mode))
        why = "it is not a regular file";
    else if ((b->settings.source_dev || b->settings.source_ino) &&
             ((uint64_t)st->st_dev != b->settings.source_dev || (uint64_t)st->st_ino != b->settings.source_ino))
        why = "it was replaced by another file since the scan";
    if (!why) return fd;
    if (fd >= 0) close(fd);
    b->source_swapped = 1;
    snprintf(b->source_problem, sizeof b->source_problem, "%s", why);
    zc_fail(diag, ZC_ERR_IO, "cannot open the model file: %s", why);
    return -1;
}

int zc__model_open_source(zc__model_build *b, zc_diag *diag) {
    struct stat st;
    return zc__open_source_stat(b, &st, diag);
}

ssize_t zc__model_pread(int fd, void *buf, size_t size, uint64_t offset) {
    size_t done = 0;
    while (done < size) {
        ssize_t n = pread(fd, (uint8_t *)buf + done, size - done, (off_t)(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) break;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

zc_result zc__model_read_source(zc__model_build *b, uint64_t max, uint8_t **out, size_t *out_size, zc_diag *diag) {
    *out = NULL;
    *out_size = 0;
    struct stat st;
    int fd = zc__open_source_stat(b, &st, diag);
    if (fd < 0) return ZC_ERR_IO;
    uint64_t size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
    zc_result r = ZC_OK;
    uint8_t *data = NULL;
    ssize_t got = 0;
    if (size > max)
        r = zc_fail(diag, ZC_ERR_LIMIT, "the model file of %llu bytes is larger than the %llu this reader takes",
                    (unsigned long long)size, (unsigned long long)max);
    else if (!(data = malloc(size ? (size_t)size : 1)))
        r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory reading the model file");
    else if ((got = zc__model_pread(fd, data, (size_t)size, 0)) != (ssize_t)size)
        r = zc_fail(diag, ZC_ERR_IO, "cannot read the model file: %s", got < 0 ? strerror(errno) : "it shrank");
    close(fd);
    if (r != ZC_OK) {
        free(data);
        return r;
    }
    *out = data;
    *out_size = (size_t)size;
    return ZC_OK;
}

zc_result zc__model_parse_source(zc__model_build *b, uint64_t max, const char *what, zc__model_parse_fn parse,
                                 void *out, int *parsed, zc_diag *diag) {
    *parsed = 0;
    uint8_t *data = NULL;
    size_t size = 0;
    zc_diag why;
    zc_result r = zc__model_read_source(b, max, &data, &size, &why);
    if (r == ZC_OK) {
        r = parse(data, size, out, &why);
        free(data);
    }
    if (r == ZC_OK) {
        *parsed = 1;
        return ZC_OK;
    }
    if (r != ZC_ERR_LIMIT && r != ZC_ERR_BAD_SOURCE) return zc_fail(diag, r, "%s", why.message);
    zc__model_note(b, "%s left out: %s", what, why.message);
    return ZC_OK;
}

/* 1 when the resolved path names a directory. */
static int zc__io_is_dir(const char *real) {
    struct stat st;
    return stat(real, &st) == 0 && S_ISDIR(st.st_mode);
}

/* assimp's every open: read-only, below the root after resolving, a regular file,
 * opened without following a link and without blocking, read through that descriptor;
 * the model file itself through zc__model_open_source, so it is the file expected.
 * A directory, inside the root or out, is only "not found": nothing can be read from
 * it, and importers probe for optional files with names that resolve to directories
 * (MD3 looks for "<dir>/../../../scripts/<name>.shader" and, with an empty name, for
 * "../../../" itself, which lies above the root of a tree three levels shallower). */
static struct aiFile *zc__io_open(struct aiFileIO *io, const char *path, const char *mode) {
    zc__model_build *b = (zc__model_build *)io->UserData;
    if (!path || !mode || strpbrk(mode, "wa+")) return NULL;
    char real[PATH_MAX];
    errno = 0;
    if (!zc__model_inside_root(b, path, real)) {
        if (errno == ENOMEM) b->io_oom = 1;
        else if (realpath(path, real)) { /* a missing file stays assimp's call */
            if (!zc__io_is_dir(real)) zc__io_refuse(b, path);
        }
        else if (errno == ENOMEM) b->io_oom = 1;
        return NULL;
    }
    zc_diag ignored;
    int fd = strcmp(path, b->file_path) == 0 ? zc__model_open_source(b, &ignored)
                                             : open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd < 0 && b->source_swapped) return NULL;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int dir = fd >= 0 && S_ISDIR(st.st_mode);
        if (fd >= 0) close(fd);
        if (!dir) zc__io_refuse(b, path);
        return NULL;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    FILE *fp = fdopen(fd, "rb");
    struct aiFile *f = fp ? (struct aiFile *)calloc(1, sizeof *f) : NULL;
    if (!f) {
        if (fp) fclose(fp);
        else close(fd);
        b->io_oom = 1;
        return NULL;
    }
    f->ReadProc = zc__io_read;
    f->WriteProc = zc__io_write;
    f->TellProc = zc__io_tell;
    f->FileSizeProc = zc__io_size;
    f->SeekProc = zc__io_seek;
    f->FlushProc = zc__io_flush;
    f->UserData = (aiUserData)fp;
    if (!zc__model_read(b, real)) b->io_oom = 1; /* the open stands; the import fails */
    return f;
}

static void zc__io_close(struct aiFileIO *io, struct aiFile *f) {
    (void)io;
    if (!f) return;
    fclose((FILE *)f->UserData);
    free(f);
}

/* An MD3 file's structure checked before assimp reads it (zc__md3_check). */
static zc_result zc__model_md3_checked(zc__model_build *b, zc_diag *diag) {
    uint8_t *data = NULL;
    size_t size = 0;
    zc_result r = zc__model_read_source(b, ZC__MD3_MAX_FILE, &data, &size, diag);
    if (r == ZC_OK) r = zc__md3_check(data, size, diag);
    free(data);
    return r;
}


/* 1 when the model file does not begin as a zip archive does ("PK\3\4"), with what it
 * begins with in `shown` ("begins with \"<?xml ver\"", or "is empty"): assimp's 3MF
 * reader, which opens the file as a zip archive, says only "Failed to open the file."
 * 0 when it does, or when the file cannot be read (the reader's own message stands). */
static int zc__not_a_zip(zc__model_build *b, char *shown, size_t cap) {
    zc_diag ignored;
    int fd = zc__model_open_source(b, &ignored);
    if (fd < 0) return 0;
    unsigned char head[12];
    ssize_t n = zc__model_pread(fd, head, sizeof head, 0);
    close(fd);
    if (n < 0 || (n >= 4 && memcmp(head, "PK\3\4", 4) == 0)) return 0;
    if (n == 0) {
        snprintf(shown, cap, "is empty");
        return 1;
    }
    char text[sizeof head + 1];
    for (ssize_t k = 0; k < n; ++k) text[k] = head[k] >= 0x20 && head[k] < 0x7f && head[k] != '"' ? (char)head[k] : '.';
    text[n] = 0;
    snprintf(shown, cap, "begins with \"%s\"", text);
    return 1;
}
/* Set each mesh's mPrimitiveTypes from the sizes of its faces. Safe on an unvalidated
 * scene as far as it trusts each array's count (assimp's own scene preprocessing
 * trusts the same counts). */
static void zc__set_primitive_types(struct aiScene *scene) {
    for (unsigned m = 0; scene->mMeshes && m < scene->mNumMeshes; ++m) {
        struct aiMesh *mesh = scene->mMeshes[m];
        if (!mesh || !mesh->mFaces) continue;
        for (unsigned f = 0; f < mesh->mNumFaces; ++f) {
            unsigned n = mesh->mFaces[f].mNumIndices;
            mesh->mPrimitiveTypes |= n == 1   ? aiPrimitiveType_POINT
                                     : n == 2 ? aiPrimitiveType_LINE
                                     : n == 3 ? aiPrimitiveType_TRIANGLE
                                              : aiPrimitiveType_POLYGON;
        }
    }
}

int zc__model_in_worker;

/* Some of assimp's importers (OBJ with two-index faces, for one) leave a primitive
 * type out of a mesh's mPrimitiveTypes, and assimp's validation then refuses the whole
 * model for that bookkeeping slip. Such a model is read again without post-processing,
 * its flags are set from its faces, and the same post-processing, validation first,
 * runs on it; faces other than triangles are left out later (zc_model_mesh.c).
 * Only in a worker process (zc__model_in_worker): when a post-processing step fails,
 * assimp 5.2's aiApplyPostProcessing releases the scene that step already deleted,
 * which crashes the process. In a worker that is one more contained crash; a caller
 * importing in its own process gets assimp's message instead. */
static int zc__primitive_types_slip(const char *why) {
    return zc__model_in_worker && strstr(why, "but aiMesh::mPrimitiveTypes does not report the") != NULL;
}

/* NULL when it still fails; aiGetErrorString then still holds the first import's
 * message (post-processing does not set it). Called with the assimp lock held. */
static const struct aiScene *zc__import_with_primitive_types(const zc__model_build *b, struct aiFileIO *io,
                                                             struct aiPropertyStore *props) {
    const struct aiScene *raw = zc__assimp.ImportFileExWithProperties(b->file_path, 0, io, props);
    if (!raw) return NULL;
    zc__set_primitive_types((struct aiScene *)raw);
    return zc__assimp.ApplyPostProcessing(raw, zc_model_assimp_flags(&b->settings)); /* releases `raw` on failure */
}

/* Import the file through assimp with our flags and properties into *out_scene
 * (released with aiReleaseImport). ZC_ERR_BAD_SOURCE with assimp's reason when it
 * refuses the file. */
static zc_result zc__assimp_import(zc__model_build *b, const struct aiScene **out_scene, zc_diag *diag) {
    struct aiPropertyStore *props = zc__assimp.CreatePropertyStore();
    if (!props) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory creating the importer's settings");
    /* Skeleton-only files otherwise get a made-up mesh that draws the bones. A BVH file
     * is refused by assimp's validation without that mesh (a scene needs one), so it
     * keeps it here and the driver leaves it out (zc__motion_only). */
    zc__assimp.SetImportPropertyInteger(props, AI_CONFIG_IMPORT_NO_SKELETON_MESHES, !b->is_bvh);
    /* An MD3 named like a Quake III player part (lower, upper, head) would otherwise
     * pull its two sibling files into its scene, so each part would hold all three:
     * every file is its own model, and an engine attaches the parts at their tags. */
    zc__assimp.SetImportPropertyInteger(props, AI_CONFIG_IMPORT_MD3_HANDLE_MULTIPART, 0);
    pthread_once(&zc__assimp_once, zc__assimp_lock_setup);
    pthread_mutex_lock(&zc__assimp_lock);
    zc_result r = ZC_OK;
    struct aiFileIO io;
    memset(&io, 0, sizeof io);
    io.OpenProc = zc__io_open;
    io.CloseProc = zc__io_close;
    io.UserData = (aiUserData)b;
    *out_scene = zc__assimp.ImportFileExWithProperties(b->file_path, zc_model_assimp_flags(&b->settings), &io, props);
    if (!*out_scene && !b->io_oom && !b->source_swapped && !b->outside_ref && zc__primitive_types_slip(zc__assimp.GetErrorString()))
        *out_scene = zc__import_with_primitive_types(b, &io, props);
    if (b->io_oom) {
        r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory opening the model's files");
        if (*out_scene) zc__assimp.ReleaseImport(*out_scene);
        *out_scene = NULL;
    } else if (b->source_swapped) {
        r = zc_fail(diag, ZC_ERR_IO, "cannot open the model file: %s", b->source_problem);
        if (*out_scene) zc__assimp.ReleaseImport(*out_scene);
        *out_scene = NULL;
    } else if (b->outside_ref) {
        char shown[300];
        zc__model_utf8_copy(b->outside_ref, strlen(b->outside_ref), shown, sizeof shown - 1);
        r = zc_fail(diag, ZC_ERR_BAD_SOURCE,
                    "the model references \"%s\", which lies outside the asset root or is not a regular file",
                    shown);
        if (*out_scene) zc__assimp.ReleaseImport(*out_scene);
        *out_scene = NULL;
    } else if (!*out_scene) {
        char why[200], head[40];
        zc__without_path(zc__assimp.GetErrorString(), b->file_path, why, sizeof why);
        if (b->is_3mf && zc__not_a_zip(b, head, sizeof head))
            r = zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a 3MF package: a 3MF file is a zip archive, and this one %s", head);
        else
            r = zc_fail(diag, ZC_ERR_BAD_SOURCE, "assimp cannot read the model: %s", why[0] ? why : "no reason given");
    }
    pthread_mutex_unlock(&zc__assimp_lock);
    zc__assimp.ReleasePropertyStore(props);
    return r;
}

/* ---------------------------------------------------------------------------------
 * The driver
 * ------------------------------------------------------------------------------- */

static void zc__entry_free(zc_model_entry *e) {
    free(e->path);
    free(e->payload);
    free(e->deps);
}

static void zc__build_free(zc__model_build *b) {
    for (size_t i = 0; i < b->entry_count; ++i) zc__entry_free(&b->entries[i]);
    free(b->entries);
    for (size_t i = 0; i < b->texture_ref_count; ++i) free(b->textures[i].key);
    free(b->textures);
    free(b->mesh_kept);
    free(b->material_used);
    free(b->joint_nodes);
    free(b->joint_parents);
    free(b->model_dir);
    free(b->root_real);
    free(b->link_folder);
    free(b->root_lexical);
    free(b->source_real);
    for (size_t i = 0; i < b->read_count; ++i) free(b->reads[i]);
    free(b->reads);
    free(b->outside_ref);
    free(b->notes);
    memset(b, 0, sizeof *b);
}

static int zc__string_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The reads as one string (zc_model.reads): sorted, '\n'-separated; NULL when none.
 * 0 when out of memory. */
static int zc__join_reads(zc__model_build *b, char **out) {
    *out = NULL;
    if (!b->read_count) return 1;
    qsort(b->reads, b->read_count, sizeof *b->reads, zc__string_cmp);
    size_t total = 0;
    for (size_t i = 0; i < b->read_count; ++i) total += strlen(b->reads[i]) + 1;
    char *joined = malloc(total), *at = joined;
    if (!joined) return 0;
    for (size_t i = 0; i < b->read_count; ++i) {
        size_t n = strlen(b->reads[i]);
        memcpy(at, b->reads[i], n);
        at += n;
        *at++ = i + 1 < b->read_count ? '\n' : 0;
    }
    *out = joined;
    return 1;
}

static int zc__entry_cmp(const void *a, const void *b) {
    return strcmp(((const zc_model_entry *)a)->path, ((const zc_model_entry *)b)->path);
}

/* Lowercase extension of the file name in `path` ("" when none) into ext[8]. */
static void zc__extension(const char *path, char ext[8]) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    ext[0] = 0;
    if (!dot || dot == base || strlen(dot + 1) >= 8) return;
    size_t i = 0;
    for (const char *p = dot + 1; *p; ++p) ext[i++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    ext[i] = 0;
}

/* Check the arguments, resolve the settings and the file facts. */
static zc_result zc__build_init(zc__model_build *b, const char *root_in, const char *file_path,
                                const char *entry_path, const zc_model_settings *settings, zc_diag *diag) {
    memset(b, 0, sizeof *b);
    zc_diag sub;
    size_t entry_len = strlen(entry_path);
    if (zc_check_path(entry_path, entry_len, &sub) != ZC_OK)
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "entry path \"%s\" is invalid: %s", entry_path, sub.message);
    if (entry_len + sizeof "#material/4294967295" > ZC_MAX_PATH)
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT,
                       "entry path of %zu bytes leaves no room for the names of its parts", entry_len);
    if (settings) b->settings = *settings;
    if (b->settings.scale == 0.0f) b->settings.scale = 1.0f;
    if (!zc_f32_finite(b->settings.scale) || b->settings.scale < 0.0f)
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "scale %g is not a finite positive number",
                       (double)b->settings.scale);
    b->file_path = file_path;
    b->entry_path = entry_path;

    struct stat st;
    if (stat(file_path, &st) != 0)
        return errno == ENOENT || errno == ENOTDIR
                   ? zc_fail(diag, ZC_ERR_FILE_NOT_FOUND, "the model file does not exist")
                   : zc_fail(diag, ZC_ERR_IO, "cannot read the model file: %s", strerror(errno));
    if (!S_ISREG(st.st_mode)) return zc_fail(diag, ZC_ERR_IO, "the model path is not a regular file");

    const char *slash = strrchr(file_path, '/');
    b->model_dir = slash ? strndup(file_path, slash == file_path ? 1 : (size_t)(slash - file_path)) : strdup(".");
    if (!b->model_dir) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    /* the asset root: file_path is root + "/" + entry_path when the build calls */
    size_t file_len = strlen(file_path);
    char *root = NULL;
    if (root_in)
        root = strdup(root_in);
    else if (file_len > entry_len && strcmp(file_path + file_len - entry_len, entry_path) == 0 &&
        file_path[file_len - entry_len - 1] == '/')
        root = strndup(file_path, file_len - entry_len - 1 > 0 ? file_len - entry_len - 1 : 1);
    else if (file_len == entry_len && strcmp(file_path, entry_path) == 0)
        root = strdup(".");
    else
        root = strdup(b->model_dir);
    if (!root) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    b->root_real = realpath(root, NULL);
    zc_result linked = ZC_OK;
    if (b->root_real && b->settings.follow_links) {
        char lexical[PATH_MAX];
        linked = zc__linked_model_folder(root, entry_path, &b->link_folder);
        if (linked == ZC_OK && zc__lexical(root, lexical) && !(b->root_lexical = strdup(lexical)))
            linked = ZC_ERR_OUT_OF_MEMORY;
    }
    free(root);
    if (linked != ZC_OK) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    if (!b->root_real)
        return zc_fail(diag, errno == ENOMEM ? ZC_ERR_OUT_OF_MEMORY : ZC_ERR_IO, "cannot resolve the asset root: %s",
                       strerror(errno));
    b->source_real = realpath(file_path, NULL); /* NULL: the open that follows fails anyway */
    char ext[8];
    zc__extension(file_path, ext);
    b->is_obj = strcmp(ext, "obj") == 0;
    b->is_gltf = strcmp(ext, "gltf") == 0 || strcmp(ext, "glb") == 0;
    b->is_glb = strcmp(ext, "glb") == 0;
    b->is_md3 = strcmp(ext, "md3") == 0;
    b->is_bvh = strcmp(ext, "bvh") == 0;
    b->is_md2 = strcmp(ext, "md2") == 0;
    b->is_iqm = strcmp(ext, "iqm") == 0;
    b->is_3mf = strcmp(ext, "3mf") == 0;
    return ZC_OK;
}

/* Run the passes on an imported scene. */
static zc_result zc__build_run(zc__model_build *b, const struct aiScene *scene, zc_diag *diag) {
    int rig = (scene->mCameras && scene->mNumCameras) || (scene->mLights && scene->mNumLights);
    if ((scene->mFlags & AI_SCENE_FLAGS_INCOMPLETE) && !rig) /* a rig has no meshes by nature */
        zc__model_note(b, "assimp marks the model incomplete (no meshes, or animation or skeleton data only)");
    if (!scene->mRootNode) return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the model has no node hierarchy");
    b->mesh_kept = calloc(scene->mNumMeshes ? scene->mNumMeshes : 1, 1);
    b->material_used = calloc(scene->mNumMaterials ? scene->mNumMaterials : 1, 1);
    if (!b->mesh_kept || !b->material_used) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    zc_result r = zc__model_skeleton(b, scene, diag);
    if (r == ZC_OK) r = zc__model_meshes(b, scene, diag);
    if (r != ZC_OK) return r;
    /* a rig of cameras or lights is a scene too; a file of lines or points is not */
    if (b->mesh_count == 0 && !b->tags_only && !b->joint_count && !rig)
        return zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC, "the model holds no triangles, cameras or lights (only lines "
                       "or points, or nothing), which is not imported as a scene");
    if ((r = zc__model_animations(b, scene, diag)) != ZC_OK) return r;
    if ((r = zc__model_materials(b, scene, diag)) != ZC_OK) return r;
    return zc__model_scene(b, scene, diag);
}

/* A BVH file's scene without its meshes and materials: BVH holds motion only (a
 * hierarchy of joints and one clip), and the one mesh assimp's scene has is the
 * made-up figure its skeleton-mesh step draws of the bones, no geometry of the file.
 * The copy shares everything else with `scene` and must not be released. */
static struct aiScene zc__motion_only(const struct aiScene *scene) {
    struct aiScene motion = *scene;
    motion.mNumMeshes = 0;
    motion.mMeshes = NULL;
    motion.mNumMaterials = 0;
    motion.mMaterials = NULL;
    return motion;
}

/* Move the build's results into *out (entries sorted by path). */
static zc_result zc__build_finish(zc__model_build *b, zc_model *out, zc_diag *diag) {
    if (!zc__join_reads(b, &out->reads)) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    qsort(b->entries, b->entry_count, sizeof *b->entries, zc__entry_cmp);
    out->entries = b->entries;
    out->entry_count = b->entry_count;
    out->mesh_count = b->mesh_count;
    out->material_count = b->material_count;
    out->texture_count = b->texture_count;
    out->node_count = b->node_count;
    out->triangle_count = b->triangle_count;
    out->vertex_count = b->vertex_count;
    b->entries = NULL;
    b->entry_count = 0;
    if (b->note_count > ZC__MODEL_MAX_NOTES || b->notes_failed) {
        uint32_t dropped = b->note_count > ZC__MODEL_MAX_NOTES ? b->note_count - ZC__MODEL_MAX_NOTES : 0;
        int lost = b->notes_failed;
        b->note_count = 0; /* let the summary line through */
        b->notes_failed = 0;
        if (lost) zc__model_note(b, "some notes were lost: out of memory");
        else zc__model_note(b, "%u further notes left out", dropped);
    }
    out->notes = b->notes;
    b->notes = NULL;
    return ZC_OK;
}

zc_result zc_model_import_in_process(const char *file_path, const char *entry_path,
                                     const zc_model_settings *settings, zc_model *out, zc_diag *diag) {
    return zc_model_import_in_process_under(NULL, file_path, entry_path, settings, out, diag);
}

zc_result zc_model_import_in_process_under(const char *root, const char *file_path, const char *entry_path,
                                           const zc_model_settings *settings, zc_model *out, zc_diag *diag) {
    if (out) memset(out, 0, sizeof *out);
    if (!file_path || !entry_path || !out)
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "file path, entry path and output must not be NULL");
    zc_result r = zc__assimp_load(diag); /* every path below calls assimp, a tag-only MD3 too */
    if (r != ZC_OK) return r;
    zc__model_build b;
    r = zc__build_init(&b, root, file_path, entry_path, settings, diag);
    struct aiScene *tags = NULL;
    if (r == ZC_OK && b.is_md3 && (r = zc__model_md3_tags(&b, &tags, diag)) == ZC_OK && tags) {
        b.tags_only = 1;
        r = zc__build_run(&b, tags, diag);
        zc__model_md3_tags_free(tags);
    } else if (r == ZC_OK && (!b.is_gltf || (r = zc__model_gltf_uris(&b, diag)) == ZC_OK) &&
               (!b.is_md3 || (r = zc__model_md3_checked(&b, diag)) == ZC_OK)) {
        const struct aiScene *scene = NULL;
        r = zc__assimp_import(&b, &scene, diag);
        if (r == ZC_OK && b.is_bvh) {
            struct aiScene motion = zc__motion_only(scene);
            r = zc__build_run(&b, &motion, diag);
            zc__assimp.ReleaseImport(scene);
        } else if (r == ZC_OK && (b.is_md2 || b.is_md3)) {
            struct aiScene *frames = NULL;
            r = b.is_md2 ? zc__model_vertex_frames(&b, scene, "MD2", ZC__MD2_MAX_FILE, zc__md2_frames_parse, &frames, diag)
                         : zc__model_vertex_frames(&b, scene, "MD3", ZC__MD3_MAX_FILE, zc__md3_frames_parse, &frames, diag);
            if (r == ZC_OK) r = zc__build_run(&b, frames ? frames : scene, diag);
            zc__model_vertex_frames_free(frames, scene);
            zc__assimp.ReleaseImport(scene);
        } else if (r == ZC_OK && b.is_iqm) {
            struct aiScene *skinned = NULL;
            r = zc__model_iqm_skin(&b, scene, &skinned, diag);
            if (r == ZC_OK) r = zc__build_run(&b, skinned ? skinned : scene, diag);
            zc__model_iqm_skin_free(skinned);
            zc__assimp.ReleaseImport(scene);
        } else if (r == ZC_OK) {
            r = zc__build_run(&b, scene, diag);
            zc__assimp.ReleaseImport(scene);
        }
    }
    if (r == ZC_OK) r = zc__build_finish(&b, out, diag);
    zc__build_free(&b);
    return r;
}

/* ---------------------------------------------------------------------------------
 * The finished model
 * ------------------------------------------------------------------------------- */

const zc_model_entry *zc_model_find(const zc_model *model, const char *path) {
    if (!model || !path || !model->entries) return NULL;
    size_t lo = 0, hi = model->entry_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(model->entries[mid].path, path);
        if (c == 0) return &model->entries[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

const zc_model_entry *zc_model_find_id(const zc_model *model, uint64_t id) {
    if (!model || !model->entries) return NULL;
    for (size_t i = 0; i < model->entry_count; ++i)
        if (zc_asset_id(model->entries[i].path, strlen(model->entries[i].path)) == id) return &model->entries[i];
    return NULL;
}

void zc_model_free(zc_model *model) {
    if (!model) return;
    for (size_t i = 0; i < model->entry_count; ++i) zc__entry_free(&model->entries[i]);
    free(model->entries);
    free(model->notes);
    free(model->reads);
    memset(model, 0, sizeof *model);
}
