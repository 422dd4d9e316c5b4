/* zc_build_cache.c - the content-addressed build cache (zc_build_cache.h).
 *
 * Four parts: source hashes (with the memo of file status), keys, records (write,
 * read with every check), and the directory (trim, usage). The record layout and the
 * trust rules are in the header.
 */
#define _GNU_SOURCE /* O_CLOEXEC, futimens, struct stat's st_mtim */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zc_build_cache.h"

#define ZC__KEY_VERSION 1u
#define ZC__RECORD_MAGIC 0x5242435Au        /* "ZCBR" */
#define ZC__RECORD_HEADER 40u               /* magic, version, key, count, notes length, body size */
#define ZC__OUTPUT_HEADER 32u               /* the fixed fields of one output */
#define ZC__MAX_OUTPUTS (1u << 20)          /* entries one source file may give */
#define ZC__MAX_NOTES (1u << 20)            /* bytes of notes */
#define ZC__IO_CHUNK (1u << 20)             /* bytes read or written at once */
#define ZC__MEMO_TRUST_NS (2000000000LL)    /* mtime this far before hashing: trusted */
#define ZC__MEMO_MAX (1u << 20)             /* remembered files; the memo is cleared beyond */
#define ZC__STALE_TEMP_S 3600               /* temporary files older than this are removed */

typedef struct zc__memo_slot {
    char *path;                 /* NULL: empty */
    uint64_t dev, ino, size;
    int64_t mtime_ns, ctime_ns;
    uint8_t hash[16];
} zc__memo_slot;

struct zc_build_cache {
    char *dir;
    uint64_t max_bytes;
    zc_logger logger;
    uint64_t dev, ino;
    uint64_t tool_size;         /* /proc/self/exe: size and mtime, or zeros */
    int64_t tool_mtime_ns;
    pthread_mutex_t lock;       /* guards the memo and the temporary-name counter */
    zc__memo_slot *memo;        /* open addressing by path hash */
    size_t memo_cap, memo_used;
    uint32_t temp_counter;
};

typedef struct zc__tree_file {
    char *rel;
    char *path;                 /* root/rel */
    size_t dir_len;             /* bytes of rel before its last '/', 0 at the root */
    int reads_tree;             /* a file of a ZC_IMPORTER_READS_TREE importer (a model) */
    uint8_t hash[16];           /* XXH3-128 of the bytes; zeros when unreadable */
    uint64_t size;
} zc__tree_file;

struct zc_build_cache_tree {
    zc_build_cache *cache;
    char *root;
    zc__tree_file *files;
    size_t count, cap;
};

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void zc__clog(const zc_build_cache *c, zc_log_level level, const char *fmt, ...) {
    if (!c->logger.func) return;
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    c->logger.func(level, line, c->logger.user_data);
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void zc__note(zc_build_cache_outcome *o, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->note, sizeof o->note, fmt, ap);
    va_end(ap);
}

static char *zc__strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = (char *)malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static int64_t zc__ns(struct timespec ts) {
    return (int64_t)ts.tv_sec * 1000000000LL + (int64_t)ts.tv_nsec;
}

static void zc__put32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = (uint8_t)(v >> (8 * i));
}

static void zc__put64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t zc__get32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t zc__get64(const uint8_t *p) {
    return (uint64_t)zc__get32(p) | (uint64_t)zc__get32(p + 4) << 32;
}

static void zc__hex(const uint8_t key[16], char out[33]) {
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 16; ++i) {
        out[2 * i] = digits[key[i] >> 4];
        out[2 * i + 1] = digits[key[i] & 15];
    }
    out[32] = 0;
}

/* ---------------------------------------------------------------------------------
 * Opening and closing
 * ------------------------------------------------------------------------------- */

/* mkdir -p; 0 or -1 with errno set. */
static int zc__mkdirs(const char *dir) {
    char *p = zc__strdup(dir);
    if (!p) {
        errno = ENOMEM;
        return -1;
    }
    int rc = 0;
    for (char *s = p + 1; rc == 0; ++s) {
        if (*s != '/' && *s != 0) continue;
        char c = *s;
        *s = 0;
        if (mkdir(p, 0777) != 0 && errno != EEXIST) rc = -1;
        *s = c;
        if (!c) break;
    }
    free(p);
    return rc;
}

/* CACHEDIR.TAG (https://bford.info/cachedir/): backup tools skip the directory. */
static void zc__write_tag(const char *dir) {
    static const char tag[] = "Signature: 8a477f597d28d172789f06886806bc55\n"
                              "# This file is a cache directory tag created by zcpack (its build cache).\n";
    size_t n = strlen(dir) + 16;
    char *path = (char *)malloc(n);
    if (!path) return;
    snprintf(path, n, "%s/CACHEDIR.TAG", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
        ssize_t w = write(fd, tag, sizeof tag - 1);
        (void)w; /* a missing tag only costs backup space */
        close(fd);
    }
    free(path);
}

zc_result zc_build_cache_open(zc_build_cache **out, const zc_build_cache_desc *desc) {
    if (out) *out = NULL;
    if (!out || !desc || !desc->dir || !desc->dir[0]) return ZC_ERR_INVALID_ARGUMENT;
    zc_build_cache *c = (zc_build_cache *)calloc(1, sizeof *c);
    if (!c || !(c->dir = zc__strdup(desc->dir))) {
        free(c);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    size_t len = strlen(c->dir);
    while (len > 1 && c->dir[len - 1] == '/') c->dir[--len] = 0;
    c->max_bytes = desc->max_bytes ? desc->max_bytes : ZC_BUILD_CACHE_DEFAULT_MAX_BYTES;
    c->logger = desc->logger;
    struct stat st;
    if (zc__mkdirs(c->dir) != 0 || stat(c->dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        int err = errno;
        zc__clog(c, ZC_LOG_ERROR, "%s: cannot use as the build cache directory: %s", c->dir,
                 err ? strerror(err) : "not a directory");
        free(c->dir);
        free(c);
        return ZC_ERR_IO;
    }
    c->dev = (uint64_t)st.st_dev;
    c->ino = (uint64_t)st.st_ino;
    zc__write_tag(c->dir);
    if (stat("/proc/self/exe", &st) == 0) {
        c->tool_size = (uint64_t)st.st_size;
        c->tool_mtime_ns = zc__ns(st.st_mtim);
    }
    pthread_mutex_init(&c->lock, NULL);
    *out = c;
    return ZC_OK;
}

static void zc__memo_clear(zc_build_cache *c) {
    for (size_t i = 0; i < c->memo_cap; ++i) free(c->memo[i].path);
    free(c->memo);
    c->memo = NULL;
    c->memo_cap = c->memo_used = 0;
}

void zc_build_cache_close(zc_build_cache *cache) {
    if (!cache) return;
    zc__memo_clear(cache);
    pthread_mutex_destroy(&cache->lock);
    free(cache->dir);
    free(cache);
}

const char *zc_build_cache_dir(const zc_build_cache *cache) {
    return cache ? cache->dir : NULL;
}

void zc_build_cache_dir_id(const zc_build_cache *cache, uint64_t *dev, uint64_t *ino) {
    *dev = cache ? cache->dev : 0;
    *ino = cache ? cache->ino : 0;
}

int zc_build_cache_uses_tree(const zc_importer *imp) {
    return imp && (imp->flags & ZC_IMPORTER_READS_TREE);
}

/* ---------------------------------------------------------------------------------
 * Source hashes and the memo
 * ------------------------------------------------------------------------------- */

typedef struct zc__status {
    uint64_t dev, ino, size;
    int64_t mtime_ns, ctime_ns;
} zc__status;

static zc__status zc__status_of(const struct stat *st) {
    zc__status s;
    s.dev = (uint64_t)st->st_dev;
    s.ino = (uint64_t)st->st_ino;
    s.size = (uint64_t)st->st_size;
    s.mtime_ns = zc__ns(st->st_mtim);
    s.ctime_ns = zc__ns(st->st_ctim);
    return s;
}

static int zc__status_equal(const zc__status *a, const zc__status *b) {
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime_ns == b->mtime_ns &&
           a->ctime_ns == b->ctime_ns;
}

/* Slot of `path` (its own, or the empty one where it would go). Caller holds the lock
 * and memo_cap > 0. */
static zc__memo_slot *zc__memo_slot_for(zc_build_cache *c, const char *path) {
    size_t mask = c->memo_cap - 1;
    for (size_t i = (size_t)XXH3_64bits(path, strlen(path)) & mask;; i = (i + 1) & mask)
        if (!c->memo[i].path || strcmp(c->memo[i].path, path) == 0) return &c->memo[i];
}

static int zc__memo_lookup(zc_build_cache *c, const char *path, const zc__status *s, uint8_t hash[16]) {
    int found = 0;
    pthread_mutex_lock(&c->lock);
    if (c->memo_cap) {
        const zc__memo_slot *slot = zc__memo_slot_for(c, path);
        zc__status m = { slot->dev, slot->ino, slot->size, slot->mtime_ns, slot->ctime_ns };
        if (slot->path && zc__status_equal(&m, s)) {
            memcpy(hash, slot->hash, 16);
            found = 1;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return found;
}

/* Grow (or, past ZC__MEMO_MAX, clear) so one more path fits. Caller holds the lock. */
static int zc__memo_reserve(zc_build_cache *c) {
    if (c->memo_used + 1 <= c->memo_cap / 2) return 1;
    if (c->memo_used >= ZC__MEMO_MAX) zc__memo_clear(c);
    size_t cap = c->memo_cap ? c->memo_cap * 2 : 1024;
    zc__memo_slot *old = c->memo;
    size_t old_cap = c->memo_cap;
    zc__memo_slot *slots = (zc__memo_slot *)calloc(cap, sizeof *slots);
    if (!slots) return 0;
    c->memo = slots;
    c->memo_cap = cap;
    for (size_t i = 0; i < old_cap; ++i)
        if (old[i].path) *zc__memo_slot_for(c, old[i].path) = old[i];
    free(old);
    return 1;
}

static void zc__memo_store(zc_build_cache *c, const char *path, const zc__status *s, const uint8_t hash[16]) {
    pthread_mutex_lock(&c->lock);
    if (zc__memo_reserve(c)) {
        zc__memo_slot *slot = zc__memo_slot_for(c, path);
        char *owned = slot->path ? slot->path : zc__strdup(path);
        if (owned) {
            if (!slot->path) c->memo_used++;
            slot->path = owned;
            slot->dev = s->dev;
            slot->ino = s->ino;
            slot->size = s->size;
            slot->mtime_ns = s->mtime_ns;
            slot->ctime_ns = s->ctime_ns;
            memcpy(slot->hash, hash, 16);
        }
    }
    pthread_mutex_unlock(&c->lock);
}

/* XXH3-128 of a file's bytes (and its size), remembered while its status holds. */
static zc_result zc__source_hash(zc_build_cache *c, const char *path, uint8_t hash[16], uint64_t *size) {
    int fd;
    do fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) return errno == ENOENT ? ZC_ERR_FILE_NOT_FOUND : ZC_ERR_IO;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ZC_ERR_IO;
    }
    zc__status before = zc__status_of(&st);
    *size = before.size;
    if (zc__memo_lookup(c, path, &before, hash)) {
        close(fd);
        return ZC_OK;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint8_t *buf = (uint8_t *)malloc(ZC__IO_CHUNK);
    XXH3_state_t *state = XXH3_createState();
    zc_result r = buf && state ? ZC_OK : ZC_ERR_OUT_OF_MEMORY;
    if (r == ZC_OK) XXH3_128bits_reset(state);
    uint64_t total = 0;
    while (r == ZC_OK) {
        ssize_t n = read(fd, buf, ZC__IO_CHUNK);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) r = ZC_ERR_IO;
        if (n <= 0) break;
        XXH3_128bits_update(state, buf, (size_t)n);
        total += (uint64_t)n;
    }
    if (r == ZC_OK) {
        XXH128_canonical_t canon;
        XXH128_canonicalFromHash(&canon, XXH3_128bits_digest(state));
        memcpy(hash, canon.digest, 16);
        *size = total;
        zc__status after = before;
        if (fstat(fd, &st) == 0) after = zc__status_of(&st);
        /* remembered only when the file held still and is older than the clock's grain */
        if (zc__status_equal(&before, &after) && total == before.size &&
            before.mtime_ns < zc__ns(now) - ZC__MEMO_TRUST_NS)
            zc__memo_store(c, path, &before, hash);
    }
    XXH3_freeState(state);
    free(buf);
    close(fd);
    return r;
}

/* ---------------------------------------------------------------------------------
 * Tree fingerprint
 * ------------------------------------------------------------------------------- */

zc_result zc_build_cache_tree_new(zc_build_cache *cache, const char *root, zc_build_cache_tree **out) {
    if (out) *out = NULL;
    if (!cache || !root || !out) return ZC_ERR_INVALID_ARGUMENT;
    zc_build_cache_tree *t = (zc_build_cache_tree *)calloc(1, sizeof *t);
    if (!t || !(t->root = zc__strdup(root))) {
        free(t);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    t->cache = cache;
    *out = t;
    return ZC_OK;
}

zc_result zc_build_cache_tree_add(zc_build_cache_tree *tree, const char *rel) {
    if (!tree || !rel) return ZC_ERR_INVALID_ARGUMENT;
    if (tree->count == tree->cap) {
        size_t cap = tree->cap ? tree->cap * 2 : 256;
        zc__tree_file *files = (zc__tree_file *)realloc(tree->files, cap * sizeof *files);
        if (!files) return ZC_ERR_OUT_OF_MEMORY;
        tree->files = files;
        tree->cap = cap;
    }
    zc__tree_file *f = &tree->files[tree->count];
    memset(f, 0, sizeof *f);
    size_t root_len = strlen(tree->root), rel_len = strlen(rel);
    int slash = root_len > 0 && tree->root[root_len - 1] != '/';
    f->rel = zc__strdup(rel);
    f->path = (char *)malloc(root_len + (size_t)slash + rel_len + 1);
    if (!f->rel || !f->path) {
        free(f->rel);
        free(f->path);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    memcpy(f->path, tree->root, root_len);
    if (slash) f->path[root_len] = '/';
    memcpy(f->path + root_len + (size_t)slash, rel, rel_len + 1);
    const char *last = strrchr(rel, '/');
    f->dir_len = last ? (size_t)(last - rel) : 0;
    f->reads_tree = zc_build_cache_uses_tree(zc_importer_for_path(rel));
    tree->count++;
    zc_result r = zc__source_hash(tree->cache, f->path, f->hash, &f->size);
    if (r != ZC_OK) {
        memset(f->hash, 0, sizeof f->hash);
        f->size = 0;
    }
    return r;
}

void zc_build_cache_tree_free(zc_build_cache_tree *tree) {
    if (!tree) return;
    for (size_t i = 0; i < tree->count; ++i) {
        free(tree->files[i].rel);
        free(tree->files[i].path);
    }
    free(tree->files);
    free(tree->root);
    free(tree);
}

static void zc__hash_u32(XXH3_state_t *s, uint32_t v) {
    uint8_t b[4];
    zc__put32(b, v);
    XXH3_128bits_update(s, b, 4);
}

static void zc__hash_u64(XXH3_state_t *s, uint64_t v) {
    uint8_t b[8];
    zc__put64(b, v);
    XXH3_128bits_update(s, b, 8);
}

static void zc__hash_str(XXH3_state_t *s, const char *str) {
    size_t n = str ? strlen(str) : 0;
    zc__hash_u64(s, str ? n : UINT64_MAX);
    if (n) XXH3_128bits_update(s, str, n);
}

/* The files a tree-reading import (a model) at entry path `rel` depends on: every file
 * that is not itself tree-reading, and the tree-reading files of its own directory. */
static int zc__tree_covers(const zc__tree_file *f, const char *rel) {
    if (!f->reads_tree) return 1;
    const char *last = strrchr(rel, '/');
    size_t dir_len = last ? (size_t)(last - rel) : 0;
    return f->dir_len == dir_len && strncmp(f->rel, rel, dir_len) == 0;
}

static void zc__hash_tree(XXH3_state_t *s, const zc_build_cache_tree *tree, const char *rel) {
    uint64_t covered = 0;
    for (size_t i = 0; i < tree->count; ++i) {
        const zc__tree_file *f = &tree->files[i];
        if (!zc__tree_covers(f, rel)) continue;
        zc__hash_str(s, f->rel);
        XXH3_128bits_update(s, f->hash, 16);
        zc__hash_u64(s, f->size);
        covered++;
    }
    zc__hash_u64(s, covered);
}

/* 1 when every covered file of the tree still has the bytes it had when added. */
static int zc__tree_unchanged(const zc_build_cache_tree *tree, const char *rel) {
    for (size_t i = 0; i < tree->count; ++i) {
        const zc__tree_file *f = &tree->files[i];
        if (!zc__tree_covers(f, rel)) continue;
        uint8_t hash[16] = { 0 };
        uint64_t size = 0;
        if (zc__source_hash(tree->cache, f->path, hash, &size) != ZC_OK) {
            memset(hash, 0, sizeof hash);
            size = 0;
        }
        if (memcmp(hash, f->hash, 16) != 0 || size != f->size) return 0;
    }
    return 1;
}

/* ---------------------------------------------------------------------------------
 * Keys
 * ------------------------------------------------------------------------------- */

/* The key from a source hash already computed. */
static void zc__key_from(const zc_build_cache *c, const zc_build_cache_tree *tree, const zc_importer *imp,
                         const zc_import_source *src, const uint8_t source_hash[16], uint64_t source_size,
                         uint8_t key[16]) {
    XXH3_state_t state;
    XXH3_INITSTATE(&state);
    XXH3_128bits_reset(&state);
    XXH3_128bits_update(&state, "zcpack build cache key", 23);
    zc__hash_u32(&state, ZC__KEY_VERSION);
    zc__hash_u32(&state, ZC_BUILD_CACHE_RECORD_VERSION);
    zc__hash_u32(&state, ZC_FORMAT_MAJOR);
    zc__hash_u32(&state, ZC_FORMAT_MINOR);
    zc__hash_str(&state, zc_version_string());
    zc__hash_u64(&state, c->tool_size);
    zc__hash_u64(&state, (uint64_t)c->tool_mtime_ns);
    zc__hash_str(&state, imp->name);
    zc__hash_u32(&state, imp->version);
    zc__hash_str(&state, src->entry_path);

    /* settings as bytes: a field added later is covered without touching this code */
    zc_import_settings settings;
    memset(&settings, 0, sizeof settings);
    if (src->settings) memcpy(&settings, src->settings, sizeof settings);
    zc_import_settings_for_key(&settings);
    zc__hash_u64(&state, sizeof settings);
    XXH3_128bits_update(&state, &settings, sizeof settings);

    zc__hash_u64(&state, src->options ? src->option_count : 0);
    for (size_t i = 0; src->options && i < src->option_count; ++i) {
        zc__hash_str(&state, src->options[i].key);
        zc__hash_str(&state, src->options[i].value);
    }
    XXH3_128bits_update(&state, source_hash, 16);
    zc__hash_u64(&state, source_size);
    zc__hash_u32(&state, tree && zc_build_cache_uses_tree(imp) ? 1u : 0u);
    if (tree && zc_build_cache_uses_tree(imp)) zc__hash_tree(&state, tree, src->entry_path);

    XXH128_canonical_t canon;
    XXH128_canonicalFromHash(&canon, XXH3_128bits_digest(&state));
    memcpy(key, canon.digest, 16);
}

zc_result zc_build_cache_key(zc_build_cache *cache, const zc_build_cache_tree *tree, const zc_importer *imp,
                             const zc_import_source *src, uint8_t key[16]) {
    if (!cache || !imp || !src || !src->file_path || !src->entry_path || !key) return ZC_ERR_INVALID_ARGUMENT;
    if (zc_build_cache_uses_tree(imp) && !tree) return ZC_ERR_INVALID_ARGUMENT;
    uint8_t hash[16];
    uint64_t size = 0;
    zc_result r = zc__source_hash(cache, src->file_path, hash, &size);
    if (r != ZC_OK) return r;
    zc__key_from(cache, tree, imp, src, hash, size, key);
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * Records: writing
 * ------------------------------------------------------------------------------- */

/* "<dir>/<hh>" and "<dir>/<hh>/<hex>" for a key; malloc'd, NULL when out of memory. */
static char *zc__record_path(const zc_build_cache *c, const uint8_t key[16], int dir_only) {
    char hex[33];
    zc__hex(key, hex);
    size_t n = strlen(c->dir) + 40;
    char *p = (char *)malloc(n);
    if (!p) return NULL;
    if (dir_only)
        snprintf(p, n, "%s/%.2s", c->dir, hex);
    else
        snprintf(p, n, "%s/%.2s/%s", c->dir, hex, hex);
    return p;
}

typedef struct zc__out {
    int fd;
    uint8_t buf[64 * 1024];
    size_t len;
    XXH3_state_t hash;
    int failed;                 /* errno of the first failed write, 0 */
} zc__out;

static void zc__out_flush(zc__out *o) {
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

static void zc__out_put(zc__out *o, const void *data, size_t size) {
    const uint8_t *p = (const uint8_t *)data;
    XXH3_64bits_update(&o->hash, p, size);
    while (size && !o->failed) {
        size_t n = sizeof o->buf - o->len;
        if (n > size) n = size;
        memcpy(o->buf + o->len, p, n);
        o->len += n;
        p += n;
        size -= n;
        if (o->len == sizeof o->buf) zc__out_flush(o);
    }
}

static uint64_t zc__record_body_size(const zc_import_outputs *outs) {
    uint64_t body = outs->notes ? strlen(outs->notes) : 0;
    for (size_t i = 0; i < outs->count; ++i) {
        const zc_import_output *o = &outs->items[i];
        body += ZC__OUTPUT_HEADER + (o->path ? strlen(o->path) : 0) + 8u * (uint64_t)o->dep_count + o->size;
    }
    return body;
}

static void zc__write_record(zc__out *o, const uint8_t key[16], const zc_import_outputs *outs, uint64_t body) {
    uint8_t h[ZC__RECORD_HEADER];
    uint32_t notes_len = outs->notes ? (uint32_t)strlen(outs->notes) : 0;
    zc__put32(h, ZC__RECORD_MAGIC);
    zc__put32(h + 4, ZC_BUILD_CACHE_RECORD_VERSION);
    memcpy(h + 8, key, 16);
    zc__put32(h + 24, (uint32_t)outs->count);
    zc__put32(h + 28, notes_len);
    zc__put64(h + 32, body);
    zc__out_put(o, h, sizeof h);
    if (notes_len) zc__out_put(o, outs->notes, notes_len);
    for (size_t i = 0; i < outs->count; ++i) {
        const zc_import_output *e = &outs->items[i];
        uint8_t f[ZC__OUTPUT_HEADER];
        uint32_t path_len = e->path ? (uint32_t)strlen(e->path) : 0;
        zc__put32(f, e->type);
        zc__put32(f + 4, e->layout_hash);
        zc__put32(f + 8, e->align_log2);
        zc__put32(f + 12, e->dep_count);
        zc__put32(f + 16, path_len);
        zc__put32(f + 20, 0);
        zc__put64(f + 24, (uint64_t)e->size);
        zc__out_put(o, f, sizeof f);
        if (path_len) zc__out_put(o, e->path, path_len);
        for (uint32_t d = 0; d < e->dep_count; ++d) {
            uint8_t b[8];
            zc__put64(b, e->deps[d]);
            zc__out_put(o, b, 8);
        }
        if (e->size) zc__out_put(o, e->payload, e->size);
    }
    uint8_t trailer[8];
    zc__put64(trailer, XXH3_64bits_digest(&o->hash));
    zc__out_put(o, trailer, 8); /* hashed too, harmlessly: the digest was taken first */
    zc__out_flush(o);
}

/* Store a record; returns 0 or an errno value (ENOSPC, EFBIG for a record over the
 * per-record bound, ...). */
static int zc__store(zc_build_cache *c, const uint8_t key[16], const zc_import_outputs *outs) {
    for (size_t i = 0; i < outs->count; ++i)
        if (outs->items[i].path && strlen(outs->items[i].path) > ZC_MAX_PATH) return EINVAL;
    if (outs->count > ZC__MAX_OUTPUTS || (outs->notes && strlen(outs->notes) > ZC__MAX_NOTES)) return EFBIG;
    uint64_t body = zc__record_body_size(outs);
    if (body + ZC__RECORD_HEADER + 8 > c->max_bytes / 2) return EFBIG;
    char *dir = zc__record_path(c, key, 1), *final = zc__record_path(c, key, 0);
    size_t tmp_cap = final ? strlen(final) + 48 : 0;
    char *tmp = final ? (char *)malloc(tmp_cap) : NULL;
    zc__out *o = NULL; /* holds an XXH3 state: 64-byte alignment */
    if (posix_memalign((void **)&o, 64, sizeof *o) != 0) o = NULL;
    int err = dir && final && tmp && o ? 0 : ENOMEM;
    /* mkdir -p when the cache's own directory was removed while it was open */
    if (!err && mkdir(dir, 0777) != 0 && errno != EEXIST && zc__mkdirs(dir) != 0) err = errno;
    if (!err) {
        pthread_mutex_lock(&c->lock);
        unsigned n = c->temp_counter++;
        pthread_mutex_unlock(&c->lock);
        snprintf(tmp, tmp_cap, "%s.tmp-%ld-%u", final, (long)getpid(), n);
        o->fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (o->fd < 0) err = errno;
    }
    if (!err) {
        o->len = 0;
        o->failed = 0;
        XXH3_INITSTATE(&o->hash);
        XXH3_64bits_reset(&o->hash);
        zc__write_record(o, key, outs, body);
        err = o->failed;
        if (close(o->fd) != 0 && !err) err = errno;
        if (!err && rename(tmp, final) != 0) err = errno;
        if (err) unlink(tmp);
    }
    free(o);
    free(tmp);
    free(final);
    free(dir);
    return err;
}

/* ---------------------------------------------------------------------------------
 * Records: reading. Every field is checked before it sizes anything.
 * ------------------------------------------------------------------------------- */

typedef struct zc__in {
    int fd;
    uint64_t left;              /* bytes of the file not yet read */
    XXH3_state_t hash;
    int hashing;
} zc__in;

/* Read exactly `size` bytes; 0 when the file ends or fails first. */
static int zc__in_read(zc__in *in, void *data, size_t size) {
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
static void *zc__payload_alloc(uint32_t align_log2, size_t size) {
    size_t align = (size_t)1 << (align_log2 < 4 ? 4 : align_log2 > 12 ? 12 : align_log2);
    void *p = NULL;
    return posix_memalign(&p, align, size ? size : 1) == 0 ? p : NULL;
}

static zc_result zc__read_output(zc__in *in, zc_import_output *e, zc_diag *why) {
    uint8_t f[ZC__OUTPUT_HEADER];
    if (!zc__in_read(in, f, sizeof f)) return zc_fail(why, ZC_ERR_BAD_ENTRY, "the record ends inside an entry");
    e->type = zc__get32(f);
    e->layout_hash = zc__get32(f + 4);
    e->align_log2 = zc__get32(f + 8);
    uint32_t deps = zc__get32(f + 12), path_len = zc__get32(f + 16);
    uint64_t size = zc__get64(f + 24);
    if (zc__get32(f + 20) != 0) return zc_fail(why, ZC_ERR_BAD_ENTRY, "a reserved field is not zero");
    if (e->align_log2 != 0 && (e->align_log2 < ZC_MIN_ALIGN_LOG2 || e->align_log2 > ZC_MAX_ALIGN_LOG2))
        return zc_fail(why, ZC_ERR_BAD_ENTRY, "an entry asks for alignment 2^%u", e->align_log2);
    if (path_len > ZC_MAX_PATH || size > in->left || (uint64_t)path_len + 8u * (uint64_t)deps > in->left - size ||
        size > SIZE_MAX)
        return zc_fail(why, ZC_ERR_BAD_ENTRY, "an entry declares more bytes than the record holds");
    if (path_len) {
        if (!(e->path = (char *)malloc((size_t)path_len + 1))) return ZC_ERR_OUT_OF_MEMORY;
        if (!zc__in_read(in, e->path, path_len)) return zc_fail(why, ZC_ERR_BAD_ENTRY, "cannot read a path");
        e->path[path_len] = 0;
        if (memchr(e->path, 0, path_len)) return zc_fail(why, ZC_ERR_BAD_PATH, "a path holds a NUL byte");
    }
    if (deps) {
        if (!(e->deps = (uint64_t *)malloc((size_t)deps * sizeof *e->deps))) return ZC_ERR_OUT_OF_MEMORY;
        e->dep_count = deps;
        for (uint32_t d = 0; d < deps; ++d) {
            uint8_t b[8];
            if (!zc__in_read(in, b, 8)) return zc_fail(why, ZC_ERR_BAD_ENTRY, "cannot read a dependency");
            e->deps[d] = zc__get64(b);
        }
    }
    if (!(e->payload = zc__payload_alloc(e->align_log2, (size_t)size))) return ZC_ERR_OUT_OF_MEMORY;
    e->size = (size_t)size;
    if (size && !zc__in_read(in, e->payload, (size_t)size))
        return zc_fail(why, ZC_ERR_BAD_ENTRY, "cannot read a payload");
    return ZC_OK;
}

/* The checks after the checksum: the importer-output rules and each payload's type. */
static zc_result zc__check_outputs(const zc_import_outputs *outs, const char *entry_path, zc_diag *why) {
    zc_result r = zc_import_outputs_check(outs, entry_path, why);
    for (size_t i = 0; r == ZC_OK && i < outs->count; ++i) {
        const zc_import_output *e = &outs->items[i];
        zc_diag d;
        if ((r = zc_check_payload(e->type, e->layout_hash, e->payload, e->size, &d)) != ZC_OK)
            return zc_fail(why, r, "entry %s fails its check: %s", e->path ? e->path : entry_path, d.message);
    }
    if (r == ZC_OK && outs->notes && !zc_utf8_valid((const uint8_t *)outs->notes, strlen(outs->notes)))
        return zc_fail(why, ZC_ERR_BAD_STRING, "the notes are not UTF-8");
    return r;
}

/* Read the record body into *outs (zeroed by the caller; whatever is read is owned
 * by it). */
static zc_result zc__read_body(zc__in *in, const uint8_t key[16], zc_import_outputs *outs, zc_diag *why) {
    uint8_t h[ZC__RECORD_HEADER];
    if (!zc__in_read(in, h, sizeof h)) return zc_fail(why, ZC_ERR_TRUNCATED, "shorter than a record header");
    if (zc__get32(h) != ZC__RECORD_MAGIC) return zc_fail(why, ZC_ERR_NOT_A_PACK, "not a build cache record");
    if (zc__get32(h + 4) != ZC_BUILD_CACHE_RECORD_VERSION)
        return zc_fail(why, ZC_ERR_VERSION, "record version %u", zc__get32(h + 4));
    if (memcmp(h + 8, key, 16) != 0) return zc_fail(why, ZC_ERR_BAD_ENTRY, "the record holds another key");
    uint32_t count = zc__get32(h + 24), notes_len = zc__get32(h + 28);
    uint64_t body = zc__get64(h + 32);
    if (count == 0 || count > ZC__MAX_OUTPUTS || notes_len > ZC__MAX_NOTES || body > in->left ||
        body + 8 != in->left || (uint64_t)count * ZC__OUTPUT_HEADER + notes_len > body)
        return zc_fail(why, ZC_ERR_BAD_ENTRY, "the record's counts do not match its size");
    if (notes_len) {
        if (!(outs->notes = (char *)malloc((size_t)notes_len + 1))) return ZC_ERR_OUT_OF_MEMORY;
        if (!zc__in_read(in, outs->notes, notes_len)) return zc_fail(why, ZC_ERR_TRUNCATED, "cannot read the notes");
        outs->notes[notes_len] = 0;
        if (memchr(outs->notes, 0, notes_len)) return zc_fail(why, ZC_ERR_BAD_STRING, "the notes hold a NUL byte");
    }
    if (!(outs->items = (zc_import_output *)calloc(count, sizeof *outs->items))) return ZC_ERR_OUT_OF_MEMORY;
    for (uint32_t i = 0; i < count; ++i) {
        outs->count = i + 1;
        zc_result r = zc__read_output(in, &outs->items[i], why);
        if (r != ZC_OK) return r;
    }
    uint64_t want = XXH3_64bits_digest(&in->hash);
    uint8_t trailer[8];
    in->hashing = 0;
    if (!zc__in_read(in, trailer, 8) || in->left != 0)
        return zc_fail(why, ZC_ERR_TRUNCATED, "the record's body does not end at its checksum");
    if (zc__get64(trailer) != want) return zc_fail(why, ZC_ERR_ENTRY_CHECKSUM, "checksum mismatch");
    return ZC_OK;
}

typedef enum zc__load { ZC__LOAD_HIT, ZC__LOAD_ABSENT, ZC__LOAD_DAMAGED, ZC__LOAD_FAILED } zc__load;

/* Look a record up. HIT fills *outs; DAMAGED removes the record and says why in
 * *why; FAILED (out of memory, unreadable) leaves it. */
static zc__load zc__load_record(zc_build_cache *c, const uint8_t key[16], const char *entry_path,
                                zc_import_outputs *outs, zc_diag *why, char **record_path) {
    memset(outs, 0, sizeof *outs);
    why->message[0] = 0;
    *record_path = zc__record_path(c, key, 0);
    if (!*record_path) return ZC__LOAD_FAILED;
    int fd;
    do fd = open(*record_path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        if (errno == ENOENT) return ZC__LOAD_ABSENT;
        zc_fail(why, ZC_ERR_IO, "cannot open: %s", strerror(errno));
        return ZC__LOAD_FAILED;
    }
    struct stat st;
    zc__in in;
    memset(&in, 0, sizeof in);
    in.fd = fd;
    XXH3_INITSTATE(&in.hash);
    XXH3_64bits_reset(&in.hash);
    in.hashing = 1;
    zc_result r = ZC_ERR_IO;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        in.left = (uint64_t)st.st_size;
        r = zc__read_body(&in, key, outs, why);
        if (r == ZC_OK) r = zc__check_outputs(outs, entry_path, why);
    } else {
        zc_fail(why, ZC_ERR_IO, "not a regular file");
    }
    if (r == ZC_OK) futimens(fd, NULL); /* the last use orders eviction */
    close(fd);
    if (r == ZC_OK) return ZC__LOAD_HIT;
    zc_import_outputs_free(outs);
    if (r == ZC_ERR_OUT_OF_MEMORY) {
        zc_fail(why, r, "out of memory");
        return ZC__LOAD_FAILED;
    }
    unlink(*record_path);
    return ZC__LOAD_DAMAGED;
}

/* ---------------------------------------------------------------------------------
 * Import through the cache
 * ------------------------------------------------------------------------------- */

zc_result zc_build_cache_prepare(zc_build_cache *cache, const zc_build_cache_tree *tree, const zc_importer *imp,
                                 const zc_import_source *src, zc_import_outputs *out, zc_diag *diag,
                                 zc_build_cache_outcome *outcome) {
    zc_build_cache_outcome scratch;
    if (!outcome) outcome = &scratch;
    memset(outcome, 0, sizeof *outcome);
    if (!imp || !imp->prepare || !src || !out) return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "nothing to import");
    memset(out, 0, sizeof *out);
    int uses_tree = zc_build_cache_uses_tree(imp);
    if (!cache || !(imp->flags & ZC_IMPORTER_CACHED) || (uses_tree && !tree)) return imp->prepare(src, out, diag);

    uint8_t key[16];
    uint8_t source_hash[16];
    uint64_t source_size = 0;
    if (zc__source_hash(cache, src->file_path, source_hash, &source_size) != ZC_OK)
        return imp->prepare(src, out, diag); /* the importer reports why it cannot read */
    zc__key_from(cache, tree, imp, src, source_hash, source_size, key);

    zc_diag why;
    char *record = NULL;
    zc__load load = zc__load_record(cache, key, src->entry_path, out, &why, &record);
    if (load == ZC__LOAD_HIT) {
        outcome->hit = 1;
        free(record);
        return ZC_OK;
    }
    if (load == ZC__LOAD_DAMAGED) {
        outcome->rejected = 1;
        zc__note(outcome, "%s: damaged build cache record ignored: %s", record ? record : cache->dir, why.message);
    } else if (load == ZC__LOAD_FAILED) {
        zc__note(outcome, "%s: build cache record not read: %s", record ? record : cache->dir, why.message);
    }
    free(record);

    zc_result r = imp->prepare(src, out, diag);
    if (r != ZC_OK) return r;
    /* store only what still describes the bytes on disk */
    uint8_t after_hash[16];
    uint64_t after_size = 0;
    int still = zc__source_hash(cache, src->file_path, after_hash, &after_size) == ZC_OK &&
                memcmp(after_hash, source_hash, 16) == 0 && after_size == source_size &&
                (!uses_tree || zc__tree_unchanged(tree, src->entry_path));
    if (!still) {
        if (!outcome->note[0]) zc__note(outcome, "%s: changed during its import: not cached", src->file_path);
        return ZC_OK;
    }
    int err = zc__store(cache, key, out);
    if (err == 0)
        outcome->stored = 1;
    else if (!outcome->note[0])
        zc__note(outcome, "%s: not stored in the build cache: %s", src->file_path,
                 err == EFBIG ? "larger than half the cache" : strerror(err));
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * The directory: usage and trim
 * ------------------------------------------------------------------------------- */

typedef struct zc__record_file {
    char *path;
    uint64_t size;
    int64_t mtime_ns;
} zc__record_file;

typedef struct zc__record_list {
    zc__record_file *items;
    size_t count, cap;
    uint64_t bytes;
    int oom;
} zc__record_list;

/* The first n bytes of s are lowercase hex digits. */
static int zc__hex_prefix(const char *s, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return 1;
}

/* s is exactly n lowercase hex digits. */
static int zc__is_hex(const char *s, size_t n) {
    return zc__hex_prefix(s, n) && s[n] == 0;
}

static void zc__list_add(zc__record_list *l, const char *path, const struct stat *st) {
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        zc__record_file *items = (zc__record_file *)realloc(l->items, cap * sizeof *items);
        if (!items) {
            l->oom = 1;
            return;
        }
        l->items = items;
        l->cap = cap;
    }
    char *p = zc__strdup(path);
    if (!p) {
        l->oom = 1;
        return;
    }
    l->items[l->count].path = p;
    l->items[l->count].size = (uint64_t)st->st_size;
    l->items[l->count].mtime_ns = zc__ns(st->st_mtim);
    l->count++;
    l->bytes += (uint64_t)st->st_size;
}

/* Records of one "<hh>" directory into the list; stale temporaries removed. */
static void zc__scan_subdir(const char *sub, zc__record_list *l, time_t now) {
    DIR *d = opendir(sub);
    if (!d) return;
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d)) != NULL) {
        int record = zc__is_hex(e->d_name, 32);
        int temp = !record && zc__hex_prefix(e->d_name, 32) && strncmp(e->d_name + 32, ".tmp-", 5) == 0;
        if (!record && !temp) continue;
        if (snprintf(path, sizeof path, "%s/%s", sub, e->d_name) >= (int)sizeof path) continue;
        struct stat st;
        if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (temp) {
            if (now - st.st_mtime > ZC__STALE_TEMP_S) unlink(path);
            continue;
        }
        zc__list_add(l, path, &st);
    }
    closedir(d);
}

static zc_result zc__scan_records(zc_build_cache *c, zc__record_list *l) {
    memset(l, 0, sizeof *l);
    DIR *d = opendir(c->dir);
    if (!d) {
        zc__clog(c, ZC_LOG_ERROR, "%s: cannot read the build cache: %s", c->dir, strerror(errno));
        return ZC_ERR_IO;
    }
    time_t now = time(NULL);
    struct dirent *e;
    char sub[4096];
    while ((e = readdir(d)) != NULL) {
        if (!zc__is_hex(e->d_name, 2)) continue;
        if (snprintf(sub, sizeof sub, "%s/%s", c->dir, e->d_name) >= (int)sizeof sub) continue;
        zc__scan_subdir(sub, l, now);
    }
    closedir(d);
    return l->oom ? ZC_ERR_OUT_OF_MEMORY : ZC_OK;
}

static void zc__list_free(zc__record_list *l) {
    for (size_t i = 0; i < l->count; ++i) free(l->items[i].path);
    free(l->items);
}

static int zc__older_first(const void *x, const void *y) {
    const zc__record_file *a = (const zc__record_file *)x, *b = (const zc__record_file *)y;
    if (a->mtime_ns != b->mtime_ns) return a->mtime_ns < b->mtime_ns ? -1 : 1;
    return strcmp(a->path, b->path);
}

zc_result zc_build_cache_usage(zc_build_cache *cache, uint64_t *records, uint64_t *bytes) {
    if (!cache) return ZC_ERR_INVALID_ARGUMENT;
    zc__record_list l;
    zc_result r = zc__scan_records(cache, &l);
    if (records) *records = l.count;
    if (bytes) *bytes = l.bytes;
    zc__list_free(&l);
    return r;
}

zc_result zc_build_cache_trim(zc_build_cache *cache, uint32_t *evicted) {
    if (evicted) *evicted = 0;
    if (!cache) return ZC_ERR_INVALID_ARGUMENT;
    zc__record_list l;
    zc_result r = zc__scan_records(cache, &l);
    if (r == ZC_OK && l.bytes > cache->max_bytes) {
        qsort(l.items, l.count, sizeof *l.items, zc__older_first);
        uint64_t target = cache->max_bytes / 4 * 3, total = l.bytes;
        uint32_t removed = 0;
        for (size_t i = 0; i < l.count && total > target; ++i) {
            if (unlink(l.items[i].path) != 0) continue;
            total -= l.items[i].size;
            removed++;
        }
        zc__clog(cache, ZC_LOG_INFO, "%s: build cache trimmed: %u records removed, %llu bytes kept", cache->dir,
                 removed, (unsigned long long)total);
        if (evicted) *evicted = removed;
    }
    zc__list_free(&l);
    return r;
}
