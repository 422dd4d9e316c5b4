/* zc_build_cache.c - the content-addressed build cache (zc_build_cache.h).
 *
 * Four parts: source hashes (with the memo of file status), keys, records (write,
 * read with every check), and the directory (trim, usage). The record layout and the
 * trust rules are in the header. This file opens and closes the cache, imports
 * through it and keeps its directory; zc_build_cache_key.c computes source hashes,
 * tree fingerprints and keys; zc_build_cache_record.c writes and reads records. They
 * share zc_build_cache_internal.h.
 */
#define _GNU_SOURCE /* O_CLOEXEC, futimens, struct stat's st_mtim */
#include "zc_tmpfile.h"
#include "zc_build_cache_internal.h"
#include "zc_packer_os.h"

void zc__build_cache_log(const zc_build_cache *c, zc_log_level level, const char *fmt, ...) {
    if (!c->logger.func) return;
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    c->logger.func(level, line, c->logger.user_data);
}

#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 2, 3)))
#endif
static void zc__note(zc_build_cache_outcome *o, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->note, sizeof o->note, fmt, ap);
    va_end(ap);
}

char *zc__build_cache_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = (char *)malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

int64_t zc__build_cache_ns(struct timespec ts) {
    return (int64_t)ts.tv_sec * 1000000000LL + (int64_t)ts.tv_nsec;
}

void zc__build_cache_put32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = (uint8_t)(v >> (8 * i));
}

void zc__build_cache_put64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t zc__build_cache_get32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t zc__build_cache_get64(const uint8_t *p) {
    return (uint64_t)zc__build_cache_get32(p) | (uint64_t)zc__build_cache_get32(p + 4) << 32;
}

void zc__build_cache_hex(const uint8_t key[16], char out[33]) {
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
int zc__build_cache_mkdirs(const char *dir) {
    char *p = zc__build_cache_strdup(dir);
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
    if (!c || !(c->dir = zc__build_cache_strdup(desc->dir))) {
        free(c);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    size_t len = strlen(c->dir);
    while (len > 1 && c->dir[len - 1] == '/') c->dir[--len] = 0;
    c->max_bytes = desc->max_bytes ? desc->max_bytes : ZC_BUILD_CACHE_DEFAULT_MAX_BYTES;
    c->logger = desc->logger;
    struct stat st;
    if (zc__build_cache_mkdirs(c->dir) != 0 || stat(c->dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        int err = errno;
        zc__build_cache_log(c, ZC_LOG_ERROR, "%s: cannot use as the build cache directory: %s", c->dir,
                 err ? strerror(err) : "not a directory");
        free(c->dir);
        free(c);
        return ZC_ERR_IO;
    }
    if (desc->url && zc__remote_open(c, desc->url, desc->stall_ms) != 0) {
        zc_result r = errno == ENOMEM ? ZC_ERR_OUT_OF_MEMORY : ZC_ERR_INVALID_ARGUMENT;
        free(c->dir);
        free(c);
        return r;
    }
    c->dev = (uint64_t)st.st_dev;
    c->ino = (uint64_t)st.st_ino;
    zc__write_tag(c->dir);
    int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    uint64_t exe_size = 0;
    if (exe >= 0) {
        if (zc__build_cache_hash_fd(exe, c->tool_hash, &exe_size) != ZC_OK) memset(c->tool_hash, 0, 16);
        close(exe);
    }
    pthread_mutex_init(&c->lock, NULL);
    *out = c;
    return ZC_OK;
}

void zc__build_cache_memo_clear(zc_build_cache *c) {
    for (size_t i = 0; i < c->memo_cap; ++i) free(c->memo[i].path);
    free(c->memo);
    c->memo = NULL;
    c->memo_cap = c->memo_used = 0;
}

void zc_build_cache_close(zc_build_cache *cache) {
    if (!cache) return;
    zc__build_cache_memo_clear(cache);
    zc__remote_close(cache);
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
    if (zc__build_cache_source_hash(cache, src->file_path, source_hash, &source_size) != ZC_OK)
        return imp->prepare(src, out, diag); /* the importer reports why it cannot read */
    zc__build_cache_key_from(cache, tree, imp, src, source_hash, source_size, key);

    zc_diag why;
    char *record = NULL;
    zc__reads reads;
    int from_server = 0;
    zc__load load = zc__build_cache_load_record(cache, key, src->entry_path, out, &reads, &why, &record);
    if (load == ZC__LOAD_ABSENT && cache->url) {
        /* the server's record lands where a local one would and is read the same way */
        zc__load fetch = zc__remote_fetch(cache, key, &why);
        if (fetch == ZC__LOAD_HIT) {
            free(record);
            load = zc__build_cache_load_record(cache, key, src->entry_path, out, &reads, &why, &record);
            from_server = load == ZC__LOAD_HIT;
            if (load == ZC__LOAD_DAMAGED) {
                outcome->rejected = 1;
                zc__note(outcome, "%s: damaged record from the build cache server ignored: %s", src->file_path,
                         why.message);
                load = ZC__LOAD_ABSENT;
            }
        } else if (fetch == ZC__LOAD_FAILED) {
            zc__note(outcome, "%s: not fetched from the build cache server: %s", src->file_path, why.message);
        }
    }
    if (load == ZC__LOAD_HIT) {
        /* a hit stands while every file the import read has the bytes it had */
        int current = !reads.count || (uses_tree && zc__build_cache_reads_current(tree, &reads));
        if (current && zc__build_cache_reads_text(tree, &reads, &out->reads) == ZC_OK) {
            outcome->hit = 1;
            outcome->fetched = from_server;
            zc__build_cache_reads_free(&reads);
            free(record);
            return ZC_OK;
        }
        zc_import_outputs_free(out); /* imported again below; the new record replaces it */
    }
    zc__build_cache_reads_free(&reads);
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
    int still = zc__build_cache_source_hash(cache, src->file_path, after_hash, &after_size) == ZC_OK &&
                memcmp(after_hash, source_hash, 16) == 0 && after_size == source_size;
    if (!still) {
        if (!outcome->note[0]) zc__note(outcome, "%s: changed during its import: not cached", src->file_path);
        return ZC_OK;
    }
    const char *why_not = NULL;
    if (!uses_tree && out->reads) why_not = "its importer read other files";
    else if (uses_tree && !zc__build_cache_reads_of(tree, out->reads, &reads, &why_not)) reads.count = 0;
    if (why_not) {
        if (!outcome->note[0]) zc__note(outcome, "%s: not cached: %s", src->file_path, why_not);
        return ZC_OK;
    }
    int err = zc__build_cache_store(cache, key, out, &reads);
    zc__build_cache_reads_free(&reads);
    if (err == 0) {
        outcome->stored = 1;
        outcome->sent = zc__remote_store(cache, key);
    } else if (!outcome->note[0]) {
        zc__note(outcome, "%s: not stored in the build cache: %s", src->file_path,
                 err == EFBIG ? "larger than half the cache" : strerror(err));
    }
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
    char *p = zc__build_cache_strdup(path);
    if (!p) {
        l->oom = 1;
        return;
    }
    l->items[l->count].path = p;
    l->items[l->count].size = (uint64_t)st->st_size;
    l->items[l->count].mtime_ns = zc__build_cache_ns(st->st_mtim);
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
        int temp = !record && ((zc__hex_prefix(e->d_name, 32) && strncmp(e->d_name + 32, ".tmp-", 5) == 0) ||
                               zc__tmpfile_pid(e->d_name) != 0);
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
        zc__build_cache_log(c, ZC_LOG_ERROR, "%s: cannot read the build cache: %s", c->dir, strerror(errno));
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

static int zc__by_path(const void *x, const void *y) {
    return strcmp(((const zc__record_file *)x)->path, ((const zc__record_file *)y)->path);
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

zc_result zc_build_cache_each_notes(zc_build_cache *cache, zc_build_cache_notes_fn fn, void *user_data) {
    if (!cache || !fn) return ZC_ERR_INVALID_ARGUMENT;
    zc__record_list l;
    zc_result r = zc__scan_records(cache, &l);
    if (l.count) qsort(l.items, l.count, sizeof *l.items, zc__by_path);
    for (size_t i = 0; r == ZC_OK && i < l.count; ++i) {
        zc_import_outputs outs;
        zc_result got = zc__build_cache_read_notes(l.items[i].path, &outs);
        if (got == ZC_ERR_OUT_OF_MEMORY) r = got;
        if (got != ZC_OK || !outs.notes) continue;
        fn(outs.notes, &outs, user_data);
        zc_import_outputs_free(&outs);
    }
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
        zc__build_cache_log(cache, ZC_LOG_INFO, "%s: build cache trimmed: %u records removed, %llu bytes kept", cache->dir,
                 removed, (unsigned long long)total);
        if (evicted) *evicted = removed;
    }
    zc__list_free(&l);
    return r;
}
