/* zc_model_reply.c - the parent's reader of a model worker's reply
 * (zc_model_isolate.h, the protocol).
 *
 * The parent trusts nothing in a reply. Before it allocates anything a field sizes, the
 * field is checked against the caps below; payloads grow with the bytes that really
 * arrive (never more than twice what was received), so a lying size costs nothing.
 * Every path passes zc_check_path and lies in the model's namespace (P, or P#<kind>/..
 * with the type that kind stands for), paths are strictly ascending, every payload
 * passes zc_check_payload in a 16-byte-aligned buffer, notes and messages are UTF-8
 * without control characters, reads are absolute paths one per line without control
 * characters, and an error status must be a zc_result. Anything else is "the model
 * importer sent a malformed reply: <what>", ZC_ERR_BAD_SOURCE.
 *
 * Waiting for the pipe is the platform's (zc__model_reply_read_some): on Linux the
 * reader serves the worker's image budget requests (zc_image_budget.h) meanwhile, and
 * watches the worker's pidfd (on Windows its process handle), so a worker that died
 * with a stray copy of the pipe's write end somewhere still ends the read.
 *
 * Threads: a reader belongs to one import on one thread; nothing here is shared.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zc_model_isolate.h"
#include "zc_packer_os.h" /* after the system headers: posix_memalign on Windows */
#include "zc_types.h"

/* Caps on what a reply may declare (all far above what a real model produces). */
#define ZC__REPLY_MAX_ENTRIES (1u << 20)
#define ZC__REPLY_MAX_DEPS (1u << 20)           /* per entry */
#define ZC__REPLY_MAX_TOTAL_DEPS ZC_MAX_DEPS    /* over the reply */
#define ZC__REPLY_MAX_NOTES (256u << 10)        /* bytes */
#define ZC__REPLY_MAX_READS (4u << 20)          /* bytes */
#define ZC__REPLY_MAX_MESSAGE 255u              /* a zc_diag sentence */
#define ZC__REPLY_MAX_PAYLOAD (UINT64_C(1) << 34) /* bytes of one entry: 16 GiB */
#define ZC__PAYLOAD_FIRST_CHUNK ((size_t)1 << 20)

uint64_t zc__model_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int zc__model_ms_left(uint64_t deadline) {
    uint64_t now = zc__model_now_ns();
    if (now >= deadline) return 0;
    uint64_t ms = (deadline - now + 999999u) / 1000000u;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* Exactly `size` bytes into dst; 0 when reading stopped first. */
static int zc__read(zc__reader *r, void *dst, size_t size) {
    uint8_t *d = (uint8_t *)dst;
    while (size) {
        if (r->pos == r->len) {
            if (size >= sizeof r->buf) { /* large: bypass the buffer */
                size_t n = zc__model_reply_read_some(r, d, size);
                if (!n) return 0;
                d += n;
                size -= n;
                continue;
            }
            r->pos = 0;
            r->len = zc__model_reply_read_some(r, r->buf, sizeof r->buf);
            if (!r->len) return 0;
        }
        size_t n = r->len - r->pos < size ? r->len - r->pos : size;
        memcpy(d, r->buf + r->pos, n);
        r->pos += n;
        d += n;
        size -= n;
    }
    return 1;
}

static int zc__read_u32(zc__reader *r, uint32_t *v) {
    return zc__read(r, v, sizeof *v);
}

static int zc__read_u64(zc__reader *r, uint64_t *v) {
    return zc__read(r, v, sizeof *v);
}

/* Say what is wrong with the reply (diag is never NULL here). */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static zc__reply zc__malformed(zc_diag *diag, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(diag->message, sizeof diag->message, fmt, ap);
    va_end(ap);
    return ZC__REPLY_MALFORMED;
}

/* 1 when bytes are UTF-8 without control characters (newline and tab allowed where
 * `lines` is set). */
static int zc__text_ok(const char *s, size_t n, int lines) {
    for (size_t i = 0; i < n; ++i) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && !(lines && (c == '\n' || c == '\t'))) || c == 0x7F) return 0;
    }
    return zc_utf8_valid((const uint8_t *)s, n);
}

/* A string of `n` bytes from the reply, NUL-terminated, malloc'd. */
static zc__reply zc__read_string(zc__reader *r, size_t n, char **out) {
    *out = (char *)malloc(n + 1);
    if (!*out) return ZC__REPLY_NO_MEMORY;
    if (!zc__read(r, *out, n)) {
        free(*out);
        *out = NULL;
        return ZC__REPLY_STOPPED;
    }
    (*out)[n] = 0;
    return ZC__REPLY_DONE;
}

/* A payload of `size` bytes into a 16-byte-aligned buffer that grows with the bytes
 * received, so a size the child declares but does not send costs nothing. */
static zc__reply zc__read_payload(zc__reader *r, uint64_t size, void **out) {
    *out = NULL;
    size_t total = (size_t)size, cap = 0;
    uint8_t *p = NULL;
    while (cap < total || !p) {
        size_t next = cap ? (cap > total / 2 ? total : cap * 2) : ZC__PAYLOAD_FIRST_CHUNK;
        if (next > total) next = total;
        uint8_t *grown = (uint8_t *)realloc(p, next ? next : 16);
        if (!grown) {
            free(p);
            return ZC__REPLY_NO_MEMORY;
        }
        p = grown;
        if (!zc__read(r, p + cap, next - cap)) {
            free(p);
            return ZC__REPLY_STOPPED;
        }
        cap = next;
    }
    if ((uintptr_t)p % 16u != 0) { /* malloc's alignment is 16 on the supported targets */
        size_t rounded = (total + 15u) & ~(size_t)15u;
        uint8_t *aligned = NULL;
        if (posix_memalign((void **)&aligned, 16, rounded ? rounded : 16) != 0) {
            free(p);
            return ZC__REPLY_NO_MEMORY;
        }
        memcpy(aligned, p, total);
        free(p);
        p = aligned;
    }
    *out = p;
    return ZC__REPLY_DONE;
}

/* The type an entry path of the model whose scene is `scene_path` must have: P is
 * the scene, P#mesh/.. a mesh, P#material/.. a material, P#texture/.. a texture,
 * P#skeleton/.. a skeleton, P#animation/.. an animation, P#morph/.. a mesh's morph
 * targets (zc_model.h). 0 when the path lies outside the model's namespace. */
static uint32_t zc__type_for_path(const char *path, const char *scene_path) {
    static const struct {
        const char *kind;
        uint32_t type;
    } kinds[] = { { "mesh/", ZC_TYPE_MESH }, { "material/", ZC_TYPE_MATERIAL }, { "texture/", ZC_TYPE_TEXTURE },
                  { "skeleton/", ZC_TYPE_SKELETON }, { "animation/", ZC_TYPE_ANIMATION },
                  { "morph/", ZC_TYPE_MORPH } };
    size_t n = strlen(scene_path);
    if (strncmp(path, scene_path, n) != 0) return 0;
    if (path[n] == 0) return ZC_TYPE_SCENE;
    if (path[n] != '#' || strchr(path + n + 1, '#')) return 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; ++k) {
        size_t len = strlen(kinds[k].kind);
        if (strncmp(path + n + 1, kinds[k].kind, len) == 0 && path[n + 1 + len]) return kinds[k].type;
    }
    return 0;
}

/* Check one received entry against the contract; `prev` is the previous path. */
static zc__reply zc__check_entry(const zc_model_entry *e, const char *prev, const char *scene_path, zc_diag *diag) {
    zc_diag why;
    if (zc_check_path(e->path, strlen(e->path), &why) != ZC_OK)
        return zc__malformed(diag, "entry path: %s", why.message);
    uint32_t want = zc__type_for_path(e->path, scene_path);
    if (!want)
        return zc__malformed(diag, "entry %s is not one of the model's", e->path);
    if (prev && strcmp(prev, e->path) >= 0)
        return zc__malformed(diag, "entry %s is out of order", e->path);
    if (e->type != want) {
        const char *name = zc_type_name(e->type);
        return zc__malformed(diag, "entry %s has type %s, not %s", e->path, name ? name : "unknown",
                       zc_type_name(want));
    }
    if (e->align_log2 != 0 && (e->align_log2 < ZC_MIN_ALIGN_LOG2 || e->align_log2 > ZC_MAX_ALIGN_LOG2))
        return zc__malformed(diag, "entry %s asks for alignment 2^%u", e->path, e->align_log2);
    if (zc_check_payload(e->type, e->layout_hash, e->payload, e->size, &why) != ZC_OK)
        return zc__malformed(diag, "entry %s fails its check: %s", e->path, why.message);
    return ZC__REPLY_DONE;
}

/* One entry into *e (zeroed by the caller; whatever is read is owned by it). */
static zc__reply zc__read_entry(zc__reader *r, zc_model_entry *e, uint64_t *total_deps, zc_diag *diag) {
    uint32_t path_length, fields[4];
    uint64_t size;
    if (!zc__read_u32(r, &path_length)) return ZC__REPLY_STOPPED;
    if (path_length == 0 || path_length > ZC_MAX_PATH)
        return zc__malformed(diag, "an entry path of %u bytes", path_length);
    zc__reply s = zc__read_string(r, path_length, &e->path);
    if (s != ZC__REPLY_DONE) return s;
    if (!zc__read(r, fields, sizeof fields) || !zc__read_u64(r, &size)) return ZC__REPLY_STOPPED;
    e->type = fields[0];
    e->layout_hash = fields[1];
    e->align_log2 = fields[2];
    uint32_t dep_count = fields[3];
    if (dep_count > ZC__REPLY_MAX_DEPS || *total_deps + dep_count > ZC__REPLY_MAX_TOTAL_DEPS)
        return zc__malformed(diag, "entry %s declares %u dependencies", e->path, dep_count);
    if (size > ZC__REPLY_MAX_PAYLOAD || size > SIZE_MAX)
        return zc__malformed(diag, "entry %s declares %llu bytes", e->path, (unsigned long long)size);
    *total_deps += dep_count;
    if (dep_count) {
        if (!(e->deps = (uint64_t *)malloc(dep_count * sizeof *e->deps))) return ZC__REPLY_NO_MEMORY;
        e->dep_count = dep_count;
        if (!zc__read(r, e->deps, dep_count * sizeof *e->deps)) return ZC__REPLY_STOPPED;
    }
    e->size = (size_t)size;
    return zc__read_payload(r, size, &e->payload);
}

/* Append a zeroed entry slot to out, growing the array as entries arrive. */
static zc_model_entry *zc__next_entry(zc_model *out, size_t *cap) {
    if (out->entry_count == *cap) {
        size_t grown_cap = *cap ? *cap * 2 : 16;
        zc_model_entry *grown = (zc_model_entry *)realloc(out->entries, grown_cap * sizeof *grown);
        if (!grown) return NULL;
        out->entries = grown;
        *cap = grown_cap;
    }
    zc_model_entry *e = &out->entries[out->entry_count++];
    memset(e, 0, sizeof *e);
    return e;
}

/* 1 when the line at s (n bytes left) starts as an absolute path does: '/', or on
 * Windows a drive letter, ':' and '/' (realpath's form there). */
static int zc__absolute_start(const char *s, size_t n) {
    if (n >= 1 && s[0] == '/') return 1;
#ifdef _WIN32
    if (n >= 3 && ((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')) && s[1] == ':' && s[2] == '/')
        return 1;
#endif
    return 0;
}

/* 1 when `s` (n bytes) is lines of absolute paths, none empty, no control character
 * but the newlines between them. */
static int zc__reads_ok(const char *s, size_t n) {
    int line_start = 1;
    for (size_t i = 0; i < n; ++i) {
        unsigned char c = (unsigned char)s[i];
        if (line_start && !zc__absolute_start(s + i, n - i)) return 0;
        line_start = c == '\n';
        if ((c < 0x20 && c != '\n') || c == 0x7F) return 0;
    }
    return !line_start;
}

/* The reads of a success reply: u32 length, then the bytes; NULL when empty. */
static zc__reply zc__read_reads(zc__reader *r, char **out, zc_diag *diag) {
    uint32_t length;
    if (!zc__read_u32(r, &length)) return ZC__REPLY_STOPPED;
    if (length > ZC__REPLY_MAX_READS) return zc__malformed(diag, "reads of %u bytes", length);
    if (!length) return ZC__REPLY_DONE;
    zc__reply s = zc__read_string(r, length, out);
    if (s != ZC__REPLY_DONE) return s;
    if (!zc__reads_ok(*out, length)) return zc__malformed(diag, "the reads are not lines of absolute paths");
    return ZC__REPLY_DONE;
}

/* The body of a success reply. */
static zc__reply zc__read_model(zc__reader *r, const char *scene_path, zc_model *out, zc_diag *diag) {
    uint32_t head[5], notes_length;
    uint64_t sums[2];
    if (!zc__read(r, head, sizeof head) || !zc__read(r, sums, sizeof sums) || !zc__read_u32(r, &notes_length))
        return ZC__REPLY_STOPPED;
    uint32_t count = head[0];
    if (count == 0 || count > ZC__REPLY_MAX_ENTRIES)
        return zc__malformed(diag, "it declares %u entries", count);
    out->mesh_count = head[1];
    out->material_count = head[2];
    out->texture_count = head[3];
    out->node_count = head[4];
    out->triangle_count = sums[0];
    out->vertex_count = sums[1];
    if (notes_length > ZC__REPLY_MAX_NOTES)
        return zc__malformed(diag, "notes of %u bytes", notes_length);
    if (notes_length) {
        zc__reply s = zc__read_string(r, notes_length, &out->notes);
        if (s != ZC__REPLY_DONE) return s;
        if (!zc__text_ok(out->notes, notes_length, 1))
            return zc__malformed(diag, "the notes are not plain UTF-8 text");
    }
    zc__reply got_reads = zc__read_reads(r, &out->reads, diag);
    if (got_reads != ZC__REPLY_DONE) return got_reads;
    size_t cap = 0;
    uint64_t total_deps = 0;
    for (uint32_t i = 0; i < count; ++i) {
        zc_model_entry *e = zc__next_entry(out, &cap);
        if (!e) return ZC__REPLY_NO_MEMORY;
        zc__reply s = zc__read_entry(r, e, &total_deps, diag);
        if (s == ZC__REPLY_DONE) s = zc__check_entry(e, i ? out->entries[i - 1].path : NULL, scene_path, diag);
        if (s != ZC__REPLY_DONE) return s;
    }
    if (!zc_model_find(out, scene_path))
        return zc__malformed(diag, "it holds no scene entry");
    return ZC__REPLY_DONE;
}

/* The body of an error reply: the child's code and sentence. */
static zc__reply zc__read_failure(zc__reader *r, uint32_t status, zc_result *child_result, zc_diag *diag) {
    uint32_t length;
    char message[ZC__REPLY_MAX_MESSAGE + 1];
    if (!zc__read_u32(r, &length)) return ZC__REPLY_STOPPED;
    if (status >= (uint32_t)ZC__RESULT_COUNT)
        return zc__malformed(diag, "error code %u is not a result code", status);
    if (length > ZC__REPLY_MAX_MESSAGE)
        return zc__malformed(diag, "an error message of %u bytes", length);
    if (!zc__read(r, message, length)) return ZC__REPLY_STOPPED;
    message[length] = 0;
    if (!zc__text_ok(message, length, 0))
        return zc__malformed(diag, "the error message is not plain UTF-8 text");
    *child_result = (zc_result)status;
    zc_fail(diag, *child_result, "%s", length ? message : zc_result_str(*child_result));
    return ZC__REPLY_DONE;
}

zc__reply zc__model_read_reply(zc__reader *r, const char *scene_path, zc_model *out, zc_result *child_result,
                               zc_diag *diag) {
    uint32_t head[3], end;
    *child_result = ZC_OK;
    if (!zc__read(r, head, sizeof head)) return ZC__REPLY_STOPPED;
    if (head[0] != ZC__REPLY_MAGIC || head[1] != ZC__PROTOCOL_VERSION)
        return zc__malformed(diag, "it does not start with the reply magic and version");
    zc__reply s = head[2] == ZC_OK ? zc__read_model(r, scene_path, out, diag)
                                   : zc__read_failure(r, head[2], child_result, diag);
    if (s != ZC__REPLY_DONE) return s;
    if (!zc__read_u32(r, &end)) return ZC__REPLY_STOPPED;
    if (end != ZC__REPLY_END)
        return zc__malformed(diag, "it does not end with the end magic");
    return ZC__REPLY_DONE;
}
