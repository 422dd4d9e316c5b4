/* zc_build_cache_key.c - the build cache's keys: source hashes with the memo of
 * file status, tree fingerprints, and the key itself (zc_build_cache.h, "The key";
 * zc_build_cache_internal.h).
 */
#define _GNU_SOURCE /* O_CLOEXEC, futimens, struct stat's st_mtim, realpath */
#include <limits.h>

#include "zc_build_cache_internal.h"
#include "zc_packer_os.h"

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
    s.mtime_ns = zc__build_cache_ns(st->st_mtim);
    s.ctime_ns = zc__build_cache_ns(st->st_ctim);
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
    if (c->memo_used >= ZC__MEMO_MAX) zc__build_cache_memo_clear(c);
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
        char *owned = slot->path ? slot->path : zc__build_cache_strdup(path);
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

/* XXH3-128 of a file's bytes (and its size), remembered while its status holds (c
 * NULL: read every time). */
/* XXH3-128 of what fd has left to read, and its size. ZC_ERR_IO, ZC_ERR_OUT_OF_MEMORY. */
zc_result zc__build_cache_hash_fd(int fd, uint8_t hash[16], uint64_t *size) {
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
    }
    XXH3_freeState(state);
    free(buf);
    return r;
}

zc_result zc__build_cache_source_hash(zc_build_cache *c, const char *path, uint8_t hash[16], uint64_t *size) {
    int fd;
    /* no link, and a FIFO swapped in must not block the open */
    do fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) return errno == ENOENT ? ZC_ERR_FILE_NOT_FOUND : ZC_ERR_IO;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ZC_ERR_IO;
    }
    zc__status before = zc__status_of(&st);
    *size = before.size;
    if (c && zc__memo_lookup(c, path, &before, hash)) {
        close(fd);
        return ZC_OK;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t total = 0;
    zc_result r = zc__build_cache_hash_fd(fd, hash, &total);
    if (r == ZC_OK) {
        *size = total;
        zc__status after = before;
        if (fstat(fd, &st) == 0) after = zc__status_of(&st);
        /* remembered only when the file held still and is older than the clock's grain */
        if (c && zc__status_equal(&before, &after) && total == before.size &&
            before.mtime_ns < zc__build_cache_ns(now) - ZC__MEMO_TRUST_NS)
            zc__memo_store(c, path, &before, hash);
    }
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
    if (!t || !(t->root = zc__build_cache_strdup(root))) {
        free(t);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    t->cache = cache;
    t->root_real = realpath(root, NULL); /* NULL: models are imported uncached */
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
    f->rel = zc__build_cache_strdup(rel);
    f->path = (char *)malloc(root_len + (size_t)slash + rel_len + 1);
    if (!f->rel || !f->path) {
        free(f->rel);
        free(f->path);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    memcpy(f->path, tree->root, root_len);
    if (slash) f->path[root_len] = '/';
    memcpy(f->path + root_len + (size_t)slash, rel, rel_len + 1);
    struct stat link;
    if (lstat(f->path, &link) == 0 && S_ISLNK(link.st_mode)) { /* a link the build follows: hash its target */
        char *real = realpath(f->path, NULL);
        if (real) {
            free(f->path);
            f->path = real;
        }
    }
    tree->count++;
    zc_result r = zc__build_cache_source_hash(tree->cache, f->path, f->hash, &f->size);
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
    free(tree->root_real);
    free(tree);
}

void zc__hash_u32(XXH3_state_t *s, uint32_t v) {
    uint8_t b[4];
    zc__build_cache_put32(b, v);
    XXH3_128bits_update(s, b, 4);
}

void zc__hash_u64(XXH3_state_t *s, uint64_t v) {
    uint8_t b[8];
    zc__build_cache_put64(b, v);
    XXH3_128bits_update(s, b, 8);
}

void zc__hash_str(XXH3_state_t *s, const char *str) {
    size_t n = str ? strlen(str) : 0;
    zc__hash_u64(s, str ? n : UINT64_MAX);
    if (n) XXH3_128bits_update(s, str, n);
}

/* The names of the tree's files, for the keys of tree-reading imports (a model): which
 * files exist decides what a model finds (a texture that appears, a name matched
 * without regard to case), while the contents it depends on are its reads, which
 * the record lists and a hit checks (zc__build_cache_reads_current). */
static void zc__hash_tree(XXH3_state_t *s, const zc_build_cache_tree *tree) {
    for (size_t i = 0; i < tree->count; ++i) zc__hash_str(s, tree->files[i].rel);
    zc__hash_u64(s, tree->count);
}

/* The tree's file at `rel`, NULL when none (files were added in ascending order). */
static const zc__tree_file *zc__tree_find(const zc_build_cache_tree *tree, const char *rel) {
    size_t lo = 0, hi = tree->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(tree->files[mid].rel, rel);
        if (c == 0) return &tree->files[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

void zc__build_cache_reads_free(zc__reads *reads) {
    for (size_t i = 0; i < reads->count; ++i) free(reads->items[i].rel);
    free(reads->items);
    reads->items = NULL;
    reads->count = 0;
}

/* root_real/rel, malloc'd. */
static char *zc__read_path(const zc_build_cache_tree *tree, const char *rel) {
    size_t n = strlen(tree->root_real), m = strlen(rel);
    int slash = !(n == 1 && tree->root_real[0] == '/');
    char *path = (char *)malloc(n + (size_t)slash + m + 1);
    if (!path) return NULL;
    memcpy(path, tree->root_real, n);
    if (slash) path[n] = '/';
    memcpy(path + n + (size_t)slash, rel, m + 1);
    return path;
}

/* One line of zc_import_outputs.reads (n bytes at line) into r, hashed now. */
static int zc__read_of(const zc_build_cache_tree *tree, const char *line, size_t n, zc__read *r, const char **why) {
    size_t root_len = strlen(tree->root_real);
    int at_top = root_len == 1 && tree->root_real[0] == '/';
    if (n <= root_len + 1 || memcmp(line, tree->root_real, root_len) != 0 ||
        (!at_top && line[root_len] != '/')) {
        *why = "it read a file outside the tree";
        return 0;
    }
    size_t skip = at_top ? 1 : root_len + 1;
    if (!(r->rel = (char *)malloc(n - skip + 1))) {
        *why = "out of memory";
        return 0;
    }
    memcpy(r->rel, line + skip, n - skip);
    r->rel[n - skip] = 0;
    char *path = zc__read_path(tree, r->rel);
    if (!path || zc__build_cache_source_hash(tree->cache, path, r->hash, &r->size) != ZC_OK) {
        free(path);
        *why = "a file it read cannot be read again";
        return 0;
    }
    free(path);
    const zc__tree_file *f = zc__tree_find(tree, r->rel);
    if (f && (memcmp(f->hash, r->hash, 16) != 0 || f->size != r->size)) {
        *why = "a file it read changed during the build";
        return 0;
    }
    return 1;
}

int zc__build_cache_reads_of(const zc_build_cache_tree *tree, const char *text, zc__reads *out, const char **why) {
    memset(out, 0, sizeof *out);
    *why = NULL;
    if (!text || !*text) return 1;
    if (!tree->root_real) {
        *why = "the tree's root cannot be resolved";
        return 0;
    }
    size_t lines = 1;
    for (const char *c = text; *c; ++c) lines += *c == '\n';
    if (lines > ZC__MAX_READS) {
        *why = "it read too many files";
        return 0;
    }
    if (!(out->items = (zc__read *)calloc(lines, sizeof *out->items))) {
        *why = "out of memory";
        return 0;
    }
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (n && !zc__read_of(tree, line, n, &out->items[out->count++], why)) {
            zc__build_cache_reads_free(out);
            return 0;
        }
        line += n + (end ? 1 : 0);
    }
    return 1;
}

int zc__build_cache_reads_current(const zc_build_cache_tree *tree, const zc__reads *reads) {
    if (reads->count && !tree->root_real) return 0;
    for (size_t i = 0; i < reads->count; ++i) {
        const zc__read *r = &reads->items[i];
        const zc__tree_file *f = zc__tree_find(tree, r->rel);
        uint8_t hash[16];
        uint64_t size = 0;
        if (f) { /* hashed with the tree at the start of the build */
            memcpy(hash, f->hash, 16);
            size = f->size;
        } else {
            char *path = zc__read_path(tree, r->rel);
            zc_result got = path ? zc__build_cache_source_hash(tree->cache, path, hash, &size) : ZC_ERR_OUT_OF_MEMORY;
            free(path);
            if (got != ZC_OK) return 0;
        }
        if (memcmp(hash, r->hash, 16) != 0 || size != r->size) return 0;
    }
    return 1;
}

zc_result zc__build_cache_reads_text(const zc_build_cache_tree *tree, const zc__reads *reads, char **out) {
    *out = NULL;
    if (!reads->count) return ZC_OK;
    size_t total = 0;
    for (size_t i = 0; i < reads->count; ++i) total += strlen(tree->root_real) + strlen(reads->items[i].rel) + 2;
    char *text = (char *)malloc(total), *at = text;
    if (!text) return ZC_ERR_OUT_OF_MEMORY;
    for (size_t i = 0; i < reads->count; ++i) {
        char *path = zc__read_path(tree, reads->items[i].rel);
        if (!path) {
            free(text);
            return ZC_ERR_OUT_OF_MEMORY;
        }
        size_t n = strlen(path);
        memcpy(at, path, n);
        at += n;
        *at++ = i + 1 < reads->count ? '\n' : 0;
        free(path);
    }
    *out = text;
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * Keys
 * ------------------------------------------------------------------------------- */

void zc__hash_import(XXH3_state_t *state, const zc_importer *imp, const zc_import_source *src) {
    zc__hash_str(state, imp->name);
    zc__hash_u32(state, imp->version);
    zc__hash_str(state, src->entry_path);

    /* settings as bytes: a field added later is covered without touching this code */
    zc_import_settings settings;
    memset(&settings, 0, sizeof settings);
    if (src->settings) memcpy(&settings, src->settings, sizeof settings);
    zc_import_settings_for_key(&settings);
    zc__hash_u64(state, sizeof settings);
    XXH3_128bits_update(state, &settings, sizeof settings);

    zc__hash_u64(state, src->options ? src->option_count : 0);
    for (size_t i = 0; src->options && i < src->option_count; ++i) {
        zc__hash_str(state, src->options[i].key);
        zc__hash_str(state, src->options[i].value);
    }
}

/* The key from a source hash already computed. */
void zc__build_cache_key_from(const zc_build_cache *c, const zc_build_cache_tree *tree, const zc_importer *imp,
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
    XXH3_128bits_update(&state, c->tool_hash, 16);
    zc__hash_import(&state, imp, src);
    XXH3_128bits_update(&state, source_hash, 16);
    zc__hash_u64(&state, source_size);
    zc__hash_u32(&state, tree && zc_build_cache_uses_tree(imp) ? 1u : 0u);
    if (tree && zc_build_cache_uses_tree(imp)) zc__hash_tree(&state, tree);

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
    zc_result r = zc__build_cache_source_hash(cache, src->file_path, hash, &size);
    if (r != ZC_OK) return r;
    zc__build_cache_key_from(cache, tree, imp, src, hash, size, key);
    return ZC_OK;
}

