/* zc_build_cache_record.c - the build cache's records: writing one atomically and
 * reading one back with every check (zc_build_cache.h, the record layout;
 * zc_build_cache_internal.h).
 */
#define _GNU_SOURCE /* O_CLOEXEC, futimens, struct stat's st_mtim */
#include <limits.h>

#include "zc_tmpfile.h"
#include "zc_build_cache_internal.h"
#include "zc_packer_os.h"

/* ---------------------------------------------------------------------------------
 * Records: writing
 * ------------------------------------------------------------------------------- */

/* "<dir>/<hh>" and "<dir>/<hh>/<hex>" for a key; malloc'd, NULL when out of memory. */
char *zc__build_cache_key_path(const char *prefix, const uint8_t key[16]) {
    char hex[33];
    zc__build_cache_hex(key, hex);
    size_t n = strlen(prefix) + 40;
    char *p = (char *)malloc(n);
    if (p) snprintf(p, n, "%s/%.2s/%s", prefix, hex, hex);
    return p;
}

char *zc__build_cache_record_path(const zc_build_cache *c, const uint8_t key[16]) {
    return zc__build_cache_key_path(c->dir, key);
}

/* mkdir -p when the cache's own directory was removed while it was open */
int zc__build_cache_record_dir(const char *record_path) {
    size_t n = strrchr(record_path, '/') - record_path;
    char *dir = (char *)malloc(n + 1);
    if (!dir) {
        errno = ENOMEM;
        return -1;
    }
    memcpy(dir, record_path, n);
    dir[n] = 0;
    int rc = mkdir(dir, 0777) == 0 || errno == EEXIST ? 0 : zc__build_cache_mkdirs(dir);
    free(dir);
    return rc;
}

void zc__record_out_flush(zc__record_out *o) {
    size_t done = 0;
    while (!o->failed && done < o->len) {
        ssize_t n = write(o->fd, o->buf + done, o->len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            o->failed = n < 0 ? errno : EIO;
            break;
        }
        done += (size_t)n;
    }
    o->len = 0;
}

void zc__record_out_put(zc__record_out *o, const void *data, size_t size) {
    const uint8_t *p = (const uint8_t *)data;
    XXH3_64bits_update(&o->hash, p, size);
    while (size && !o->failed) {
        size_t n = sizeof o->buf - o->len;
        if (n > size) n = size;
        memcpy(o->buf + o->len, p, n);
        o->len += n;
        p += n;
        size -= n;
        if (o->len == sizeof o->buf) zc__record_out_flush(o);
    }
}

/* One output: its fixed fields (with the stored form after them when `stored` is
 * not NULL: an object's), path, dependency ids and bytes. */
void zc__record_write_output(zc__record_out *o, const zc_import_output *e, const zc__record_stored *stored) {
    uint8_t f[ZC__OUTPUT_HEADER + ZC__STORED_FIELDS];
    uint32_t path_len = e->path ? (uint32_t)strlen(e->path) : 0;
    zc__build_cache_put32(f, e->type);
    zc__build_cache_put32(f + 4, e->layout_hash);
    zc__build_cache_put32(f + 8, e->align_log2);
    zc__build_cache_put32(f + 12, e->dep_count);
    zc__build_cache_put32(f + 16, path_len);
    zc__build_cache_put32(f + 20, stored ? stored->codec : 0);
    zc__build_cache_put64(f + 24, (uint64_t)e->size);
    if (stored) {
        zc__build_cache_put64(f + 32, stored->raw_size);
        zc__build_cache_put64(f + 40, stored->content_hash);
    }
    zc__record_out_put(o, f, ZC__OUTPUT_HEADER + (stored ? ZC__STORED_FIELDS : 0));
    if (path_len) zc__record_out_put(o, e->path, path_len);
    for (uint32_t d = 0; d < e->dep_count; ++d) {
        uint8_t b[8];
        zc__build_cache_put64(b, e->deps[d]);
        zc__record_out_put(o, b, 8);
    }
    if (e->size) zc__record_out_put(o, e->payload, e->size);
}

void zc__record_out_end(zc__record_out *o) {
    uint8_t trailer[8];
    zc__build_cache_put64(trailer, XXH3_64bits_digest(&o->hash));
    zc__record_out_put(o, trailer, 8); /* hashed too, harmlessly: the digest was taken first */
    zc__record_out_flush(o);
}

static uint64_t zc__record_body_size(const zc_import_outputs *outs, const zc__reads *reads) {
    uint64_t body = outs->notes ? strlen(outs->notes) : 0;
    for (size_t i = 0; i < reads->count; ++i) body += ZC__READ_HEADER + strlen(reads->items[i].rel);
    for (size_t i = 0; i < outs->count; ++i) {
        const zc_import_output *o = &outs->items[i];
        body += ZC__OUTPUT_HEADER + (o->path ? strlen(o->path) : 0) + 8u * (uint64_t)o->dep_count + o->size;
    }
    return body;
}

static void zc__write_reads(zc__record_out *o, const zc__reads *reads) {
    for (size_t i = 0; i < reads->count; ++i) {
        const zc__read *r = &reads->items[i];
        uint8_t f[ZC__READ_HEADER];
        uint32_t path_len = (uint32_t)strlen(r->rel);
        zc__build_cache_put32(f, path_len);
        zc__build_cache_put32(f + 4, 0);
        zc__build_cache_put64(f + 8, r->size);
        memcpy(f + 16, r->hash, 16);
        zc__record_out_put(o, f, sizeof f);
        zc__record_out_put(o, r->rel, path_len);
    }
}

static void zc__write_record(zc__record_out *o, const uint8_t key[16], const zc_import_outputs *outs,
                             const zc__reads *reads, uint64_t body) {
    uint8_t h[ZC__RECORD_HEADER];
    uint32_t notes_len = outs->notes ? (uint32_t)strlen(outs->notes) : 0;
    zc__build_cache_put32(h, ZC__RECORD_MAGIC);
    zc__build_cache_put32(h + 4, ZC_BUILD_CACHE_RECORD_VERSION);
    memcpy(h + 8, key, 16);
    zc__build_cache_put32(h + 24, (uint32_t)outs->count);
    zc__build_cache_put32(h + 28, notes_len);
    zc__build_cache_put64(h + 32, body);
    zc__build_cache_put32(h + 40, (uint32_t)reads->count);
    zc__build_cache_put32(h + 44, 0);
    zc__record_out_put(o, h, sizeof h);
    if (notes_len) zc__record_out_put(o, outs->notes, notes_len);
    zc__write_reads(o, reads);
    for (size_t i = 0; i < outs->count; ++i) zc__record_write_output(o, &outs->items[i], NULL);
    zc__record_out_end(o);
}

typedef struct zc__record_args {
    const uint8_t *key;
    const zc_import_outputs *outs;
    const zc__reads *reads;
    uint64_t body;
} zc__record_args;

static void zc__put_record(zc__record_out *o, const void *what) {
    const zc__record_args *a = (const zc__record_args *)what;
    zc__write_record(o, a->key, a->outs, a->reads, a->body);
}

/* Store a record; returns 0 or an errno value (ENOSPC, EFBIG for a record over the
 * per-record bound, ...). */
int zc__build_cache_store(zc_build_cache *c, const uint8_t key[16], const zc_import_outputs *outs,
                          const zc__reads *reads) {
    for (size_t i = 0; i < outs->count; ++i)
        if (outs->items[i].path && strlen(outs->items[i].path) > ZC_MAX_PATH) return EINVAL;
    for (size_t i = 0; i < reads->count; ++i)
        if (strlen(reads->items[i].rel) > PATH_MAX) return EINVAL;
    if (outs->count > ZC__MAX_OUTPUTS || reads->count > ZC__MAX_READS ||
        (outs->notes && strlen(outs->notes) > ZC__MAX_NOTES))
        return EFBIG;
    uint64_t body = zc__record_body_size(outs, reads);
    if (body + ZC__RECORD_HEADER + 8 > c->max_bytes / 2) return EFBIG;
    char *final = zc__build_cache_record_path(c, key);
    int err = final ? 0 : ENOMEM;
    if (!err && zc__build_cache_record_dir(final) != 0) err = errno;
    zc__record_args args = { key, outs, reads, body };
    if (!err) err = zc__record_write_file(final, zc__put_record, &args);
    free(final);
    return err;
}

int zc__record_write_file(const char *path, void (*put)(zc__record_out *o, const void *what), const void *what) {
    char *tmp = NULL;
    zc__record_out *o = NULL; /* holds an XXH3 state: 64-byte alignment */
    if (posix_memalign((void **)&o, 64, sizeof *o) != 0) return ENOMEM;
    int err = 0;
    o->fd = zc__tmpfile_create(path, &tmp); /* exclusive, no link followed, random name */
    if (o->fd < 0) err = errno;
    if (!err) {
        o->len = 0;
        o->failed = 0;
        XXH3_INITSTATE(&o->hash);
        XXH3_64bits_reset(&o->hash);
        put(o, what);
        err = o->failed;
        if (close(o->fd) != 0 && !err) err = errno;
        if (!err && rename(tmp, path) != 0) err = errno;
        if (err) unlink(tmp);
    }
    free(o);
    free(tmp);
    return err;
}

/* ---------------------------------------------------------------------------------
 * Records: reading. Every field is checked before it sizes anything.
 * ------------------------------------------------------------------------------- */

int zc__record_in_read(zc__record_in *in, void *data, size_t size) {
    if (size > in->left) return 0;
    uint8_t *p = (uint8_t *)data;
    size_t done = 0;
    while (done < size) {
        ssize_t n = read(in->fd, p + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0;
        done += (size_t)n;
    }
    in->left -= size;
    if (in->hashing) XXH3_64bits_update(&in->hash, p, size);
    return 1;
}

/* Payload buffer aligned for the entry (16 bytes at least, a page at most), as the
 * type checks expect. */
void *zc__record_payload_alloc(uint32_t align_log2, size_t size) {
    size_t align = (size_t)1 << (align_log2 < 4 ? 4 : align_log2 > 12 ? 12 : align_log2);
    void *p = NULL;
    return posix_memalign(&p, align, size ? size : 1) == 0 ? p : NULL;
}

zc_result zc__record_read_output(zc__record_in *in, zc_import_output *e, zc__record_stored *stored, zc_diag *why) {
    uint8_t f[ZC__OUTPUT_HEADER + ZC__STORED_FIELDS];
    size_t fixed = ZC__OUTPUT_HEADER + (stored ? ZC__STORED_FIELDS : 0);
    if (!zc__record_in_read(in, f, fixed)) return zc_fail(why, ZC_ERR_TRUNCATED, "the file ends inside an entry");
    e->type = zc__build_cache_get32(f);
    e->layout_hash = zc__build_cache_get32(f + 4);
    e->align_log2 = zc__build_cache_get32(f + 8);
    uint32_t deps = zc__build_cache_get32(f + 12), path_len = zc__build_cache_get32(f + 16);
    uint64_t size = zc__build_cache_get64(f + 24);
    if (stored) {
        stored->codec = zc__build_cache_get32(f + 20);
        stored->raw_size = zc__build_cache_get64(f + 32);
        stored->content_hash = zc__build_cache_get64(f + 40);
    } else if (zc__build_cache_get32(f + 20) != 0) {
        return zc_fail(why, ZC_ERR_BAD_ENTRY, "a reserved field is not zero");
    }
    if (e->align_log2 != 0 && (e->align_log2 < ZC_MIN_ALIGN_LOG2 || e->align_log2 > ZC_MAX_ALIGN_LOG2))
        return zc_fail(why, ZC_ERR_BAD_ENTRY, "an entry asks for alignment 2^%u", e->align_log2);
    if (path_len > ZC_MAX_PATH || size > in->left || (uint64_t)path_len + 8u * (uint64_t)deps > in->left - size ||
        size > SIZE_MAX)
        return zc_fail(why, ZC_ERR_BAD_ENTRY, "an entry declares more bytes than the file holds");
    if (path_len) {
        if (!(e->path = (char *)malloc((size_t)path_len + 1))) return ZC_ERR_OUT_OF_MEMORY;
        if (!zc__record_in_read(in, e->path, path_len)) return zc_fail(why, ZC_ERR_BAD_ENTRY, "cannot read a path");
        e->path[path_len] = 0;
        if (memchr(e->path, 0, path_len)) return zc_fail(why, ZC_ERR_BAD_PATH, "a path holds a NUL byte");
    }
    if (deps) {
        if (!(e->deps = (uint64_t *)malloc((size_t)deps * sizeof *e->deps))) return ZC_ERR_OUT_OF_MEMORY;
        e->dep_count = deps;
        for (uint32_t d = 0; d < deps; ++d) {
            uint8_t b[8];
            if (!zc__record_in_read(in, b, 8)) return zc_fail(why, ZC_ERR_BAD_ENTRY, "cannot read a dependency");
            e->deps[d] = zc__build_cache_get64(b);
        }
    }
    if (!(e->payload = zc__record_payload_alloc(e->align_log2, (size_t)size))) return ZC_ERR_OUT_OF_MEMORY;
    e->size = (size_t)size;
    if (size && !zc__record_in_read(in, e->payload, (size_t)size))
        return zc_fail(why, ZC_ERR_BAD_ENTRY, "cannot read a payload");
    return ZC_OK;
}

static zc_result zc__read_read(zc__record_in *in, zc__read *r, zc_diag *why) {
    uint8_t f[ZC__READ_HEADER];
    if (!zc__record_in_read(in, f, sizeof f)) return zc_fail(why, ZC_ERR_BAD_ENTRY, "the record ends inside a read");
    uint32_t path_len = zc__build_cache_get32(f);
    if (zc__build_cache_get32(f + 4) != 0) return zc_fail(why, ZC_ERR_BAD_ENTRY, "a reserved field is not zero");
    if (path_len == 0 || path_len > PATH_MAX || path_len > in->left)
        return zc_fail(why, ZC_ERR_BAD_ENTRY, "a read's path has %u bytes", path_len);
    r->size = zc__build_cache_get64(f + 8);
    memcpy(r->hash, f + 16, 16);
    if (!(r->rel = (char *)malloc((size_t)path_len + 1))) return ZC_ERR_OUT_OF_MEMORY;
    if (!zc__record_in_read(in, r->rel, path_len)) return zc_fail(why, ZC_ERR_BAD_ENTRY, "cannot read a read's path");
    r->rel[path_len] = 0;
    /* relative, below the root: no NUL, no leading '/', no ".." component */
    if (memchr(r->rel, 0, path_len) || r->rel[0] == '/' || strcmp(r->rel, "..") == 0 || strncmp(r->rel, "../", 3) == 0 ||
        strstr(r->rel, "/../") || (path_len >= 3 && strcmp(r->rel + path_len - 3, "/..") == 0))
        return zc_fail(why, ZC_ERR_BAD_PATH, "a read's path leaves the tree");
    return ZC_OK;
}

/* The checks after the checksum: the importer-output rules and each payload's type.
 * A type the registry does not know is a game's own (the schema importer's entries,
 * SPEC.md 16.12): its bytes are taken as they are, as a pack's reader takes them. */
static zc_result zc__check_outputs(const zc_import_outputs *outs, const char *entry_path, zc_diag *why) {
    zc_result r = zc_import_outputs_check(outs, entry_path, why);
    for (size_t i = 0; r == ZC_OK && i < outs->count; ++i) {
        const zc_import_output *e = &outs->items[i];
        zc_diag d;
        r = zc_check_payload(e->type, e->layout_hash, e->payload, e->size, &d);
        if (r == ZC_ERR_UNKNOWN_TYPE) r = ZC_OK;
        if (r != ZC_OK)
            return zc_fail(why, r, "entry %s fails its check: %s", e->path ? e->path : entry_path, d.message);
    }
    if (r == ZC_OK && outs->notes && !zc_utf8_valid((const uint8_t *)outs->notes, strlen(outs->notes)))
        return zc_fail(why, ZC_ERR_BAD_STRING, "the notes are not UTF-8");
    return r;
}

/* Read the record body into *outs (zeroed by the caller; whatever is read is owned
 * by it). */
static zc_result zc__read_body(zc__record_in *in, const uint8_t key[16], zc_import_outputs *outs, zc__reads *reads,
                               zc_diag *why) {
    uint8_t h[ZC__RECORD_HEADER];
    if (!zc__record_in_read(in, h, sizeof h)) return zc_fail(why, ZC_ERR_TRUNCATED, "shorter than a record header");
    if (zc__build_cache_get32(h) != ZC__RECORD_MAGIC) return zc_fail(why, ZC_ERR_NOT_A_PACK, "not a build cache record");
    if (zc__build_cache_get32(h + 4) != ZC_BUILD_CACHE_RECORD_VERSION)
        return zc_fail(why, ZC_ERR_VERSION, "record version %u", zc__build_cache_get32(h + 4));
    if (memcmp(h + 8, key, 16) != 0) return zc_fail(why, ZC_ERR_BAD_ENTRY, "the record holds another key");
    uint32_t count = zc__build_cache_get32(h + 24), notes_len = zc__build_cache_get32(h + 28);
    uint64_t body = zc__build_cache_get64(h + 32);
    uint32_t read_count = zc__build_cache_get32(h + 40);
    if (zc__build_cache_get32(h + 44) != 0) return zc_fail(why, ZC_ERR_BAD_ENTRY, "a reserved field is not zero");
    if (count == 0 || count > ZC__MAX_OUTPUTS || notes_len > ZC__MAX_NOTES || read_count > ZC__MAX_READS ||
        body > in->left || body + 8 != in->left ||
        (uint64_t)count * ZC__OUTPUT_HEADER + (uint64_t)read_count * ZC__READ_HEADER + notes_len > body)
        return zc_fail(why, ZC_ERR_BAD_ENTRY, "the record's counts do not match its size");
    if (notes_len) {
        if (!(outs->notes = (char *)malloc((size_t)notes_len + 1))) return ZC_ERR_OUT_OF_MEMORY;
        if (!zc__record_in_read(in, outs->notes, notes_len)) return zc_fail(why, ZC_ERR_TRUNCATED, "cannot read the notes");
        outs->notes[notes_len] = 0;
        if (memchr(outs->notes, 0, notes_len)) return zc_fail(why, ZC_ERR_BAD_STRING, "the notes hold a NUL byte");
    }
    if (read_count && !(reads->items = (zc__read *)calloc(read_count, sizeof *reads->items)))
        return ZC_ERR_OUT_OF_MEMORY;
    for (uint32_t i = 0; i < read_count; ++i) {
        reads->count = i + 1;
        zc_result r = zc__read_read(in, &reads->items[i], why);
        if (r != ZC_OK) return r;
    }
    if (!(outs->items = (zc_import_output *)calloc(count, sizeof *outs->items))) return ZC_ERR_OUT_OF_MEMORY;
    for (uint32_t i = 0; i < count; ++i) {
        outs->count = i + 1;
        zc_result r = zc__record_read_output(in, &outs->items[i], NULL, why);
        if (r != ZC_OK) return r;
    }
    uint64_t want = XXH3_64bits_digest(&in->hash);
    uint8_t trailer[8];
    in->hashing = 0;
    if (!zc__record_in_read(in, trailer, 8) || in->left != 0)
        return zc_fail(why, ZC_ERR_TRUNCATED, "the record's body does not end at its checksum");
    if (zc__build_cache_get64(trailer) != want) return zc_fail(why, ZC_ERR_ENTRY_CHECKSUM, "checksum mismatch");
    return ZC_OK;
}

/* The whole record open on fd, the one of `key`, into *outs and *reads (zeroed by the
 * caller; whatever is read is owned by it), checksum checked. */
static zc_result zc__read_record_fd(int fd, const uint8_t key[16], zc_import_outputs *outs, zc__reads *reads,
                                    zc_diag *why) {
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return zc_fail(why, ZC_ERR_IO, "not a regular file");
    zc__record_in in;
    memset(&in, 0, sizeof in);
    in.fd = fd;
    in.left = (uint64_t)st.st_size;
    XXH3_INITSTATE(&in.hash);
    XXH3_64bits_reset(&in.hash);
    in.hashing = 1;
    return zc__read_body(&in, key, outs, reads, why);
}

static int zc__hex_digit(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

zc_result zc__build_cache_read_notes(const char *path, zc_import_outputs *outs) {
    memset(outs, 0, sizeof *outs);
    const char *name = strrchr(path, '/');
    name = name ? name + 1 : path;
    uint8_t key[16];
    for (int i = 0; i < 16; ++i) {
        int hi = zc__hex_digit(name[2 * i]), lo = hi < 0 ? -1 : zc__hex_digit(name[2 * i + 1]);
        if (lo < 0) return ZC_ERR_INVALID_ARGUMENT;
        key[i] = (uint8_t)(hi << 4 | lo);
    }
    int fd;
    do fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) return ZC_ERR_IO;
    uint8_t h[ZC__RECORD_HEADER];
    zc__reads reads;
    memset(&reads, 0, sizeof reads);
    zc_diag why;
    zc_result r = ZC_ERR_IO;
    if (pread(fd, h, sizeof h, 0) == (ssize_t)sizeof h) {
        if (zc__build_cache_get32(h) == ZC__RECORD_MAGIC && zc__build_cache_get32(h + 28) == 0)
            r = ZC_OK; /* no notes: the rest is not read */
        else
            r = zc__read_record_fd(fd, key, outs, &reads, &why);
    }
    close(fd);
    zc__build_cache_reads_free(&reads);
    if (r == ZC_OK && outs->notes && !zc_utf8_valid((const uint8_t *)outs->notes, strlen(outs->notes)))
        r = ZC_ERR_BAD_STRING;
    if (r != ZC_OK) zc_import_outputs_free(outs);
    return r;
}

/* Look a record up. HIT fills *outs; DAMAGED removes the record and says why in
 * *why; FAILED (out of memory, unreadable) leaves it. */
zc__load zc__build_cache_load_record(zc_build_cache *c, const uint8_t key[16], const char *entry_path,
                                zc_import_outputs *outs, zc__reads *reads, zc_diag *why, char **record_path) {
    memset(outs, 0, sizeof *outs);
    memset(reads, 0, sizeof *reads);
    why->message[0] = 0;
    *record_path = zc__build_cache_record_path(c, key);
    if (!*record_path) return ZC__LOAD_FAILED;
    int fd;
    do fd = open(*record_path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        if (errno == ENOENT) return ZC__LOAD_ABSENT;
        zc_fail(why, ZC_ERR_IO, "cannot open: %s", strerror(errno));
        return ZC__LOAD_FAILED;
    }
    zc_result r = zc__read_record_fd(fd, key, outs, reads, why);
    if (r == ZC_OK) r = zc__check_outputs(outs, entry_path, why);
    if (r == ZC_OK) futimens(fd, NULL); /* the last use orders eviction */
    close(fd);
    if (r == ZC_OK) return ZC__LOAD_HIT;
    zc_import_outputs_free(outs);
    zc__build_cache_reads_free(reads);
    if (r == ZC_ERR_OUT_OF_MEMORY) {
        zc_fail(why, r, "out of memory");
        return ZC__LOAD_FAILED;
    }
    unlink(*record_path);
    return ZC__LOAD_DAMAGED;
}

