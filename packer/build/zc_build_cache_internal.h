/* zc_build_cache_internal.h - what the parts of the build cache share
 * (zc_build_cache.c, zc_build_cache_key.c, zc_build_cache_record.c): limits, the
 * cache's state, the tree fingerprint and the helpers each part offers the others.
 * The including file defines _GNU_SOURCE first. */
#ifndef ZC_BUILD_CACHE_INTERNAL_H
#define ZC_BUILD_CACHE_INTERNAL_H

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zc_build_cache.h"

#define ZC__KEY_VERSION 2u
#define ZC__RECORD_MAGIC 0x5242435Au        /* "ZCBR" */
#define ZC__RECORD_HEADER 48u               /* magic, version, key, count, notes length, body size,
                                               read count, reserved */
#define ZC__OUTPUT_HEADER 32u               /* the fixed fields of one output */
#define ZC__STORED_FIELDS 16u               /* an object output's raw size and content hash */
#define ZC__READ_HEADER 32u                 /* the fixed fields of one read */
#define ZC__MAX_READS (1u << 16)            /* files one import may have read */
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
    uint8_t tool_hash[16];      /* XXH3-128 of /proc/self/exe's bytes, or zeros */
    pthread_mutex_t lock;       /* guards the memo */
    zc__memo_slot *memo;        /* open addressing by path hash */
    size_t memo_cap, memo_used;
    /* the shared server (zc_build_cache_remote.c); url NULL: none */
    char *url;                  /* without a trailing '/' */
    long stall_s;               /* seconds a transfer may stay below 1 KiB/s */
    void *idle[16];             /* idle libcurl handles, guarded by lock */
    size_t idle_count;
    atomic_int remote_down;     /* 1: not reachable, no more transfers */
    atomic_int remote_put_refused; /* 1: a PUT was refused, no more of them */
};

typedef struct zc__tree_file {
    char *rel;
    char *path;                 /* root/rel */
    uint8_t hash[16];           /* XXH3-128 of the bytes; zeros when unreadable */
    uint64_t size;
} zc__tree_file;

struct zc_build_cache_tree {
    zc_build_cache *cache;
    char *root;
    char *root_real;            /* root, symlinks and ".." resolved: reads are relative to it */
    zc__tree_file *files;
    size_t count, cap;
};

/* One file an import read besides its source (zc_import_outputs.reads), as a record
 * keeps it. */
typedef struct zc__read {
    char *rel;                  /* relative to the tree's resolved root */
    uint64_t size;
    uint8_t hash[16];           /* XXH3-128 of the bytes */
} zc__read;

typedef struct zc__reads {
    zc__read *items;
    size_t count;
} zc__reads;

/* What looking a record up gave (zc__build_cache_load_record). */
typedef enum zc__load { ZC__LOAD_HIT, ZC__LOAD_ABSENT, ZC__LOAD_DAMAGED, ZC__LOAD_FAILED } zc__load;

/* zc_build_cache.c */
#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 3, 4)))
#endif
void zc__build_cache_log(const zc_build_cache *c, zc_log_level level, const char *fmt, ...);
uint32_t zc__build_cache_get32(const uint8_t *p);
uint64_t zc__build_cache_get64(const uint8_t *p);
void zc__build_cache_hex(const uint8_t key[16], char out[33]);
void zc__build_cache_memo_clear(zc_build_cache *c);
int zc__build_cache_mkdirs(const char *dir);
int64_t zc__build_cache_ns(struct timespec ts);
void zc__build_cache_put32(uint8_t *p, uint32_t v);
void zc__build_cache_put64(uint8_t *p, uint64_t v);
char *zc__build_cache_strdup(const char *s);

/* zc_build_cache_key.c */
void zc__build_cache_key_from(const zc_build_cache *c, const zc_build_cache_tree *tree, const zc_importer *imp,
                              const zc_import_source *src, const uint8_t source_hash[16], uint64_t source_size,
                              uint8_t key[16]);
zc_result zc__build_cache_source_hash(zc_build_cache *c, const char *path, uint8_t hash[16], uint64_t *size);
zc_result zc__build_cache_hash_fd(int fd, uint8_t hash[16], uint64_t *size);
/* Little-endian values and length-prefixed strings (NULL apart from "") into a key. */
void zc__hash_u32(XXH3_state_t *s, uint32_t v);
void zc__hash_u64(XXH3_state_t *s, uint64_t v);
void zc__hash_str(XXH3_state_t *s, const char *str);
/* What an import's output depends on besides its files: the importer's name and
 * version, the entry path, the settings as the key sees them (zc_import_settings_for_key)
 * and the per-file options. Shared by cache keys and object keys (zc_object.c). */
void zc__hash_import(XXH3_state_t *state, const zc_importer *imp, const zc_import_source *src);
void zc__build_cache_reads_free(zc__reads *reads);
/* The record file `path` (named by its key's 32 hex digits) into *outs when it holds
 * notes, checked as a lookup checks it (checksum, sizes, UTF-8 notes); ZC_OK with
 * *outs zeroed when it holds none (only its header is read). On failure *outs is
 * zeroed and the record left in place. */
zc_result zc__build_cache_read_notes(const char *path, zc_import_outputs *outs);
/* The reads of a finished import as a record keeps them, hashed now: 1, or 0 when
 * they cannot be kept (a read outside the tree's root, a file that changed since the
 * tree was hashed, out of memory), with why in *why. */
int zc__build_cache_reads_of(const zc_build_cache_tree *tree, const char *text, zc__reads *out, const char **why);
/* 1 when every read of a record still has the bytes recorded. */
int zc__build_cache_reads_current(const zc_build_cache_tree *tree, const zc__reads *reads);
/* The reads of a record as zc_import_outputs.reads (absolute paths); ZC_OK, or
 * ZC_ERR_OUT_OF_MEMORY. */
zc_result zc__build_cache_reads_text(const zc_build_cache_tree *tree, const zc__reads *reads, char **out);

/* zc_build_cache_record.c: the record's I/O, shared with build objects (zc_object.c),
 * whose layout is the record's with an output's stored form added. */

/* Buffered writing to fd, hashing every byte (XXH3-64) on the way. */
typedef struct zc__record_out {
    int fd;
    uint8_t buf[64 * 1024];
    size_t len;
    XXH3_state_t hash;
    int failed;                 /* errno of the first failed write, 0 */
} zc__record_out;

/* Exact reads from fd, bounded by the bytes the file has left, hashed while `hashing`. */
typedef struct zc__record_in {
    int fd;
    uint64_t left;              /* bytes of the file not yet read */
    XXH3_state_t hash;
    int hashing;
} zc__record_in;

/* How an object output is stored in a pack: the codec, and the size and XXH3-64 of
 * its raw bytes (a record's outputs are raw: they have none). */
typedef struct zc__record_stored {
    uint32_t codec;
    uint64_t raw_size;
    uint64_t content_hash;
} zc__record_stored;

void zc__record_out_put(zc__record_out *o, const void *data, size_t size);
void zc__record_out_flush(zc__record_out *o);
/* One output (the stored form after its fixed fields when `stored` is not NULL). */
void zc__record_write_output(zc__record_out *o, const zc_import_output *e, const zc__record_stored *stored);
/* The trailer (the hash so far), then flush. */
void zc__record_out_end(zc__record_out *o);
/* Write `path` atomically: put(o, what) writes the bytes into a temporary file
 * beside it (zc_tmpfile.h), which is renamed over it. 0 or an errno value. */
int zc__record_write_file(const char *path, void (*put)(zc__record_out *o, const void *what), const void *what);
/* Read exactly `size` bytes; 0 when the file ends or fails first. */
int zc__record_in_read(zc__record_in *in, void *data, size_t size);
/* Payload buffer aligned for the entry (16 bytes at least, a page at most). */
void *zc__record_payload_alloc(uint32_t align_log2, size_t size);
/* Read one output written by zc__record_write_output with the same `stored` choice;
 * every size is checked against in->left before it sizes an allocation. The fields
 * read so far are owned by *e (zeroed by the caller) whatever the result. */
zc_result zc__record_read_output(zc__record_in *in, zc_import_output *e, zc__record_stored *stored, zc_diag *why);

/* "<prefix>/<hh>/<32 hex digits>" of a key (malloc'd; NULL when out of memory); the
 * record's path in the directory; the creation of its "<dir>/<hh>" directory (0 or -1
 * with errno). */
char *zc__build_cache_key_path(const char *prefix, const uint8_t key[16]);
char *zc__build_cache_record_path(const zc_build_cache *c, const uint8_t key[16]);
int zc__build_cache_record_dir(const char *record_path);

zc__load zc__build_cache_load_record(zc_build_cache *c, const uint8_t key[16], const char *entry_path,
                                     zc_import_outputs *outs, zc__reads *reads, zc_diag *why, char **record_path);
int zc__build_cache_store(zc_build_cache *c, const uint8_t key[16], const zc_import_outputs *outs,
                          const zc__reads *reads);

/* zc_build_cache_remote.c: the shared server (zc_build_cache.h, "Shared server").
 * open: 0, or -1 (logged: not an http(s) address, libcurl cannot start). fetch: the
 * server's record for key into the directory (ZC__LOAD_HIT: a file was stored, still
 * to be checked by zc__build_cache_load_record; ZC__LOAD_ABSENT: the server has none
 * or is off; ZC__LOAD_FAILED: why says). store: send the local record of key; 1 when
 * the server took it. Any thread. */
int zc__remote_open(zc_build_cache *c, const char *url, uint32_t stall_ms);
void zc__remote_close(zc_build_cache *c);
zc__load zc__remote_fetch(zc_build_cache *c, const uint8_t key[16], zc_diag *why);
int zc__remote_store(zc_build_cache *c, const uint8_t key[16]);

#endif /* ZC_BUILD_CACHE_INTERNAL_H */
