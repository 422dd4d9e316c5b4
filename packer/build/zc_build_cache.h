/* zc_build_cache.h - the content-addressed build cache: what an importer made of a
 * source file, kept on disk under a key that names everything the result depends on,
 * so a rebuild imports only the files that changed.
 *
 *     zc_build_cache *cache;
 *     zc_build_cache_open(&cache, &(zc_build_cache_desc){ .dir = "game.zcpack.cache" });
 *     zc_build(&(zc_build_desc){ .input_dir = "assets", .output_path = "game.zcpack",
 *                                .cache = cache }, &stats);   // stats.cache_hits ...
 *     zc_build_cache_close(cache);
 *
 * What is cached: the outputs of an importer's prepare step (zc_importer.h), that is
 * every entry of one source file (path, type, layout hash, alignment, payload bytes,
 * dependency ids) and its notes, for the importer rows flagged ZC_IMPORTER_CACHED
 * (the texture and the model importer); the blob importer has no prepare step (its
 * entry is the file's bytes, copied as it is written) and is not. Failed imports are
 * never cached.
 *
 * The key: XXH3-128 of a canonical byte string holding
 *  - the key and record format versions of this file, the pack format version and the
 *    library version (zc_version_string),
 *  - the identity of the running program (XXH3-128 of /proc/self/exe's bytes): a
 *    rebuilt zcpack starts with a cold cache, so a change to an importer's code can
 *    never hand out stale results, while machines running the same zcpack binary
 *    share keys (a shared server, below),
 *  - the importer's name and version, the entry path of the file (texture defaults
 *    read the file name; model entry paths contain it),
 *  - the resolved import settings of the file (build options and manifest rules
 *    together, zc_import_settings, as bytes; fields that change only whether an
 *    import fails, not what it produces, are left out by each row's key_settings:
 *    the model time limit and the in-process switch) and the per-file options, if any,
 *  - XXH3-128 and size of the source file's bytes,
 *  - for the model importer, the names of the tree's files (zc_build_cache_tree): which
 *    files exist decides what a model finds (a texture that appears where one was
 *    missing, a name matched without regard to case), so adding, removing or renaming
 *    a file imports the tree's models again.
 * The contents a model depends on besides its own file are its reads
 * (zc_import_outputs.reads: glTF buffers, OBJ material libraries, textures, the parts
 * of an MD3 player model; every file the import opened, all below the asset root,
 * which is the tree). A model's record lists them, each with its path relative to the
 * tree's resolved root, size and XXH3-128, and a record is a hit only while every
 * one of them still has those bytes (checked through the tree's hashes, or the memo
 * of source hashes): editing a texture imports again the texture and the models that
 * read it, and no other model. A hit gives the reads back in the outputs.
 *
 * On disk: <dir>/<first two hex digits>/<32 hex digits of the key>, one record per
 * key, plus a CACHEDIR.TAG at the top (backup tools skip such directories). Record
 * layout (little-endian, no padding):
 *
 *   header  = u32 magic "ZCBR" (0x5242435A), u32 record version 2, 16 bytes key,
 *             u32 output count, u32 notes length, u64 body bytes, u32 read count,
 *             u32 zero
 *   body    = notes bytes, then per read: u32 path length, u32 zero, u64 size,
 *             16 bytes XXH3-128, path bytes (relative to the tree's resolved root,
 *             never leaving it), then per output: u32 type, u32 layout hash, u32 align_log2,
 *             u32 dependency count, u32 path length (0: the source's entry path),
 *             u32 zero, u64 payload size, path bytes, dependency ids (u64 each),
 *             payload bytes
 *   trailer = u64 XXH3-64 of header and body
 *
 * Trust: a record is read as untrusted input. Before it is used, its size, magic,
 * version, key (must be the one asked for), checksum, counts and sizes (against the
 * file's size before anything is allocated) are checked; every path passes
 * zc_check_path and the importer-output rules (zc_import_outputs_check), every payload
 * passes zc_check_payload, the notes are UTF-8 without NUL. A record that fails is
 * removed, reported as an info message ("<record>: damaged build cache record
 * ignored: <reason>") and the file is imported afresh; it is never trusted.
 *
 * Writing: each record goes to a temporary file beside its final name
 * (.zc-<pid>-<random>.tmp, created exclusively without following links: zc_tmpfile.h)
 * and is renamed over it, so a reader sees a whole record or
 * none; no fsync (a record lost or torn by a crash fails its checks and is rebuilt).
 * A record is stored only when the source still has the bytes the key was made from
 * once the import has finished and, for models, every read lies in the tree and still
 * has the bytes the tree saw at the start of the build, so a file saved during the
 * import never leaves a record that describes other bytes.
 *
 * Size bound and eviction: zc_build_cache_trim (called by zc_build after a build that
 * stored records) sums the record sizes; when they exceed max_bytes it removes
 * records oldest first (by modification time; a hit refreshes it, so this is least
 * recently used first) until the total is at most 3/4 of max_bytes. A single record
 * larger than max_bytes / 2 is not stored at all. Temporary files older than an hour
 * (left by a crash) are removed on the same pass.
 *
 * Source hashes: an open cache remembers the XXH3-128 of each source file it hashed
 * with the file's device, inode, size, modification and change times, and uses the
 * remembered hash while those are unchanged and the modification time lies more than
 * 2 s before the moment of hashing (a file written again within the timestamp's
 * granularity is read again: git's "racily clean" rule). A cache kept open across
 * builds (`zcpack watch`) thus reads only the files that changed.
 *
 * Shared server (desc->url): a team shares imports through an HTTP server that
 * stores what it is sent, such as nginx with WebDAV PUT (tools/bazel/README.md shows
 * one configuration; the same server can hold Bazel's cache). A record's address is
 * "<url>/<first two hex digits>/<32 hex digits of the key>" and its body the record
 * file's bytes, as on disk. On a local miss the record is fetched with GET (200: the
 * body is the record; 404: the server has none) into the directory and read there
 * with every check above, so a broken or hostile server can cost an import, never a
 * crash or a wrong entry: a fetched record that fails its checks is removed like a
 * damaged local one. A body larger than half of max_bytes ends the transfer. After
 * an import, the record stored locally is sent with PUT (any 2xx answer counts).
 * A server that cannot be reached (no connection within 3 s, or a transfer slower
 * than 1 KiB/s for stall_ms) is not asked again by this cache: one warning, and the
 * build goes on locally; a server that refuses a PUT (a read-only cache) is sent
 * nothing more but still asked. Addresses may be https:// and may carry credentials
 * ("http://user:secret@host/..."), which libcurl also reads from ~/.netrc; proxies
 * follow libcurl's environment variables (http_proxy, no_proxy). On Linux libcurl
 * (libcurl.so.4) is loaded when the first cache with a server opens; where it cannot
 * be, that cache warns once and works without the server. Keys are portable
 * between machines: they hold the zcpack binary's hash, never a path outside the
 * tree or a time.
 *
 * Threads: one cache may serve several builds at once, and every function here may
 * be called from any thread, except zc_build_cache_close (no other call may run).
 * Several processes may share one directory: records are replaced by rename and
 * verified on load; two trims at once only remove more.
 */
#ifndef ZC_BUILD_CACHE_H
#define ZC_BUILD_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "zc_importer.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZC_BUILD_CACHE_DEFAULT_MAX_BYTES ((uint64_t)2 << 30) /* 2 GiB */
#define ZC_BUILD_CACHE_RECORD_VERSION 2u
#define ZC_BUILD_CACHE_DEFAULT_STALL_MS 10000u

typedef struct zc_build_cache zc_build_cache;

typedef struct zc_build_cache_desc {
    const char *dir;                /* cache directory; required. Created (with missing
                                       parents) when it does not exist */
    uint64_t max_bytes;             /* default: 0 = ZC_BUILD_CACHE_DEFAULT_MAX_BYTES; bound
                                       of the records' total size */
    zc_logger logger;               /* default: silent; open, close, trim and the
                                       shared server's warnings */
    const char *url;                /* default: NULL = no shared server; else its
                                       http:// or https:// address ("Shared server") */
    uint32_t stall_ms;              /* default: 0 = ZC_BUILD_CACHE_DEFAULT_STALL_MS; a
                                       transfer below 1 KiB/s this long fails */
} zc_build_cache_desc;

/* Open (and create) a cache directory. ZC_ERR_INVALID_ARGUMENT for NULL arguments or
 * an empty dir, or a url that is not http:// or https:// (logged); ZC_ERR_IO when the
 * directory cannot be created or is not a directory (logged with the path and
 * strerror); ZC_ERR_OUT_OF_MEMORY. Opening does not contact the server. */
zc_result zc_build_cache_open(zc_build_cache **out, const zc_build_cache_desc *desc);

/* ZC_OK when url can name a shared server (http:// or https:// and something after
 * it), else ZC_ERR_INVALID_ARGUMENT. Pure. */
zc_result zc_build_cache_check_url(const char *url);

/* Close a cache (the directory stays). NULL is a no-op. */
void zc_build_cache_close(zc_build_cache *cache);

/* The cache directory as given to open, and its device and inode (a build skips the
 * directory when its walk meets it). */
const char *zc_build_cache_dir(const zc_build_cache *cache);
void zc_build_cache_dir_id(const zc_build_cache *cache, uint64_t *dev, uint64_t *ino);

/* 1 when imports of `imp` depend on other files of the tree (ZC_IMPORTER_READS_TREE:
 * the model importer): their keys need a tree fingerprint. */
int zc_build_cache_uses_tree(const zc_importer *imp);

/* ---------------------------------------------------------------------------------
 * Tree fingerprint: the files of one build, hashed once, for the keys of importers
 * that read more than their own file.
 * ------------------------------------------------------------------------------- */

typedef struct zc_build_cache_tree zc_build_cache_tree;

/* Start a fingerprint of the tree at `root` (a directory path). */
zc_result zc_build_cache_tree_new(zc_build_cache *cache, const char *root, zc_build_cache_tree **out);

/* Add the file `rel` (entry path relative to root, added in ascending bytewise order)
 * and hash its bytes. ZC_ERR_IO or ZC_ERR_FILE_NOT_FOUND when it cannot be read (the
 * file then counts with a hash of zero: its import reports the problem itself);
 * ZC_ERR_OUT_OF_MEMORY. */
zc_result zc_build_cache_tree_add(zc_build_cache_tree *tree, const char *rel);

/* Free a fingerprint. NULL is a no-op. */
void zc_build_cache_tree_free(zc_build_cache_tree *tree);

/* ---------------------------------------------------------------------------------
 * Import through the cache
 * ------------------------------------------------------------------------------- */

/* What zc_build_cache_prepare did, for the build's counts and log. */
typedef struct zc_build_cache_outcome {
    int hit;                        /* the outputs came from a record */
    int stored;                     /* imported, and a record was written */
    int rejected;                   /* a damaged record was found and removed */
    int fetched;                    /* the hit's record came from the shared server */
    int sent;                       /* the stored record was sent to the shared server */
    char note[512];                 /* info message for the build's log; "" when none */
} zc_build_cache_outcome;

/* Import one file through the cache: compute its key, return the record's outputs
 * when a valid one exists, else run imp->prepare and store what it returns. `tree`
 * is required when zc_build_cache_uses_tree(imp), ignored otherwise (NULL then). The
 * contract of *out and diag is zc_prepare_fn's; the cache itself never makes an
 * import fail: when it cannot key, read or store, the import runs uncached and
 * outcome->note says why. Any thread; imp must have a prepare step. */
zc_result zc_build_cache_prepare(zc_build_cache *cache, const zc_build_cache_tree *tree, const zc_importer *imp,
                                 const zc_import_source *src, zc_import_outputs *out, zc_diag *diag,
                                 zc_build_cache_outcome *outcome);

/* The key of one import (see the top of this file), for tests and tools. ZC_ERR_IO
 * or ZC_ERR_FILE_NOT_FOUND when the source cannot be read; ZC_ERR_INVALID_ARGUMENT
 * when a tree is needed and missing. */
zc_result zc_build_cache_key(zc_build_cache *cache, const zc_build_cache_tree *tree, const zc_importer *imp,
                             const zc_import_source *src, uint8_t key[16]);

/* Keep the cache within max_bytes (see "Size bound" above). *evicted (may be NULL)
 * receives the number of records removed. ZC_ERR_IO when the directory cannot be
 * read (logged); a record that cannot be removed is skipped. */
zc_result zc_build_cache_trim(zc_build_cache *cache, uint32_t *evicted);

/* Number of records and their total size in bytes (a walk of the directory). */
zc_result zc_build_cache_usage(zc_build_cache *cache, uint64_t *records, uint64_t *bytes);

/* What zc_build_cache_each_notes hands over: one record's notes (the importer's
 * warnings, one per line) and its outputs (payloads raw, an output's path NULL for the
 * source's own entry). Both are borrowed for the call. */
typedef void (*zc_build_cache_notes_fn)(const char *notes, const zc_import_outputs *outs, void *user_data);

/* Call fn for every record of the cache that holds notes, in the order of the records'
 * file names, so a tool can tell which warnings the imports of a pack gave (`zcpack
 * report` matches the outputs against the pack's entries: a record keeps no source
 * path). Records are read as a lookup reads them, as untrusted input; one that fails
 * its checks is skipped (not removed); one without notes is passed over after its
 * header. Imports the cache does not keep (blobs, texture groups, layer lists) have
 * no record. ZC_ERR_INVALID_ARGUMENT for NULL arguments; ZC_ERR_IO when the directory
 * cannot be read (logged); ZC_ERR_OUT_OF_MEMORY. Any thread. */
zc_result zc_build_cache_each_notes(zc_build_cache *cache, zc_build_cache_notes_fn fn, void *user_data);

#ifdef __cplusplus
}
#endif

#endif /* ZC_BUILD_CACHE_H */
