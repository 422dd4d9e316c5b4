/* zc_build.h - build one pack from a directory tree.
 *
 *     zc_build_stats stats;
 *     zc_result r = zc_build(&(zc_build_desc){ .input_dir = "assets",
 *                                              .output_path = "assets.zcpack" }, &stats);
 *
 * The build walks input_dir recursively, takes every regular file, names it by its
 * path relative to input_dir with '/' separators, sorts the names bytewise, imports
 * each file through the importer table (zc_importer.h) and writes the pack with
 * zc_writer. The same tree and options give a byte-identical pack, whatever the
 * number of threads.
 *
 * Manifest: a regular file `zcpack.json` at the root of input_dir is read as the
 * manifest (zc_manifest.h) and is not packed; its rules give each file its import
 * settings. A malformed manifest fails the build before the output is touched.
 *
 * Threads: desc->threads threads share the imports: the calling thread and
 * desc->threads - 1 workers on the libuv thread pool, on a loop the build owns. A
 * worker takes the next file in path order, runs its importer's prepare step
 * (textures, models, blobs up to ZC_WRITER_ENCODE_MEMORY) and takes the next,
 * without waiting for the calling thread, which writes the results in path order (a
 * model's entries in the order of its list, zc_model.h) and, when none is ready to
 * write, prepares the next file itself. With threads = 1 the calling thread does
 * every import (no pool thread works), so the build keeps one core busy. The files
 * taken ahead of the one being written are bounded: at most 2 * threads + 256, and
 * past the first 2 * threads only while the prepared ones hold at most 256 MiB
 * together, so a slow file keeps no thread idle and memory stays bounded. Files
 * without a prepare step are imported on the calling thread when their turn comes.
 * The pool's own size is libuv's (UV_THREADPOOL_SIZE, read once per process); a
 * worker holds a pool thread for the whole import, and a pool of fewer than
 * desc->threads - 1 threads runs fewer at once. The
 * writer uses as many threads of its own to compress the frames of an entry too large
 * to prepare ahead (above ZC_WRITER_ENCODE_MEMORY) and to verify the finished pack
 * (zc_writer_desc.threads).
 *
 * Models: a file the model importer claims (zc_model_extensions) becomes the entry
 * P (its scene) and P#mesh/<i>, P#material/<m>, P#texture/<t>, written together or
 * not at all. Each import runs in a worker process with a time limit
 * (desc->model_timeout_ms): a crash or hang of the importer fails that file only and
 * ends that worker only. The build keeps a pool of at most desc->threads workers
 * (zc_model_pool), started when a model needs one and ended when the build ends, or
 * uses the caller's (desc->model_pool), whose workers outlive it; either way a worker
 * imports many models one after the other. The model's notes (a texture it could not
 * find, ...) are logged as warnings "<file>: <note>" in path order.
 *
 * Failed imports: every failure is logged as "<file>: <reason>", in path order. By
 * default the build stops submitting work at the first failure, lets the work in
 * flight finish (reporting its failures too), and leaves the output untouched. With
 * desc->keep_going it imports everything it can, writes and verifies the pack without
 * the failed files, and still returns the first failure's error. A subdirectory that
 * cannot be listed stops the build too (ZC_ERR_IO, stage SCAN); with keep_going it is
 * logged and skipped, and a pack missing only such directories is written and
 * verified, then reported as ZC_ERR_IO at stage SCAN: an incomplete pack is never a
 * clean success.
 *
 * Compression (zc_writer.h, "Compression"): candidates of at most
 * ZC_WRITER_ENCODE_MEMORY raw bytes produced on the thread pool (textures, models'
 * entries, and blobs of files that small, which are read there whole) are compressed
 * there too (zc_writer_encode, the writer's own bytes), and the writer only appends
 * them; larger candidates are compressed by the writer on the build's thread.
 * The importer row of the file says which
 * of the entry types it produces are candidates for zstd (zc_importer_compresses),
 * else the entry type's row does (zc_entry_types.h). Today: blobs (and any type
 * without a runtime view) are candidates, each stored compressed when that saves at least
 * desc->min_saving_percent of its bytes; texture, mesh, material and scene entries,
 * which an engine views in place (zc_*_view_from_entry: GPU bulk data, and the small
 * records that point at it), stay raw unless a manifest rule sets "compress": true
 * for their file (the engine then holds them with zc_pack_acquire and views the
 * decoded bytes with zc_*_view_from_bytes), and "compress": false keeps a file's
 * entries raw whatever their type (zc_manifest.h). A model file's generated entries
 * (P#mesh/0, ...) follow the rules of P. desc->no_entry_compression stores every
 * entry raw; desc->dictionaries adds per-type dictionaries for small entries.
 * Blobs larger than ZC_WRITER_ENCODE_MEMORY are streamed to the pack raw and
 * recompressed from it on the build's thread, so memory stays bounded whatever their
 * size. Unless desc->compress_level is set, every candidate above
 * ZC_WRITER_COMPRESS_MEMORY is compressed at the fast ZC_WRITER_LARGE_LEVEL,
 * whichever thread compresses it.
 *
 * Skipped, with a warning: symbolic links (unless desc->follow_links) and anything
 * that is neither a regular file nor a directory. Skipped silently (an info message): the
 * output pack itself when it lies inside the tree, and temporary files of the writer
 * (`.zc-<pid>-<random>.tmp`, zc_tmpfile.h, and `*.tmp-<pid>-<n>` of earlier versions).
 *
 * Output: desc->output_path must be a new name or a regular file; a symbolic link, a
 * device (/dev/null), a FIFO or a directory there fails the build with ZC_ERR_IO
 * before anything is imported (zc_writer_check_output). An existing output that the
 * walk meets inside the tree (by device and inode, so a hard link to a source counts)
 * is replaced only when it is a pack (it starts with ZC_MAGIC) and is then skipped;
 * any other file there is a source, and the build fails with ZC_ERR_IO (stage SCAN,
 * "refusing to overwrite it") and leaves it untouched.
 *
 * Patch builds (desc->base_path): the output is a patch pack for the base pack, meant
 * to be mounted above it (zc_mounts_add with a higher priority). It holds every entry
 * of the new tree whose path the base lacks or whose zc_entry_differences() (zc_pack.h) with the
 * base's entry is not 0, copied exactly as a full build of the tree stores it (codec
 * included), the zstd dictionaries (zc_zstd_dict.h) those copies were compressed with
 * (an entry is decoded with its own pack's dictionary; such a dictionary is copied even
 * when the base holds the same one, and counts as unchanged), and a whiteout entry
 * (ZC_TYPE_WHITEOUT, empty) for every path of the base that the tree no longer has
 * (whiteouts of the base itself need none). Mounted over
 * the base it gives the same view as a full build of the tree; an unchanged tree gives
 * a patch without entries. The tree is built whole into a temporary pack beside the
 * output (a temporary file `.zc-<pid>-<random>.tmp`, removed afterwards), so a patch build needs
 * the disk space of a full pack for a while. The base is checked at level TOC before
 * the scan: a base that is missing or not a valid pack fails the build (stage SCAN)
 * with its error and the output untouched. The base pack is skipped when the walk
 * meets it, like the output.
 *
 * Memory (desc->max_memory; zc_image_budget.h): every image an import decodes (a
 * texture file, or a texture a model references, decoded in the model's child) first
 * takes its estimated peak (zc_texture_memory_estimate) from one budget of the build
 * and gives it back when its import returns, so the images being decoded at once
 * never hold more than max_memory together. An image whose estimate alone exceeds
 * max_memory fails (ZC_ERR_LIMIT, stage IMPORT) without waiting. Not counted: the
 * finished entries waiting to be written (bounded as "Threads" says), the model
 * importer's own meshes and the memos below. Before that, each image
 * must declare no more texels than its source size allows
 * (zc_texture_settings.max_texels, the manifest's "max_texels").
 *
 * Twins (zc_memo.h): a file whose size another file of the tree has may hold the same
 * bytes as that one. A texture imported from such a file leaves its entry in a memo
 * (at most 64 MiB of entries per build), keyed by its bytes, its settings and the
 * normal-map name rule's answer; a later texture with the same key copies that entry
 * instead of decoding its file again (stats twins_reused). The entry is the one its
 * own import would give, so the pack is the same either way. Payloads the writer
 * compresses are compressed once per distinct raw bytes the same way (at most 64 MiB
 * of stored forms; stats compressions_reused).
 *
 * Build cache (desc->cache or desc->cache_dir; zc_build_cache.h): the entries of every
 * texture and model file are looked up under a key made of the file's bytes, its
 * importer and version, its resolved settings and (models) the names of the tree's
 * files; a model's record also lists the files its import read, and stands only while
 * they keep their bytes. A file whose key has a valid record is not imported again. The pack is
 * byte-identical to a build without the cache. The walk skips the cache directory
 * when it lies inside the tree. A cache that cannot be opened is reported as a
 * warning and the build runs without it; damaged records are reported as info
 * messages and rebuilt. After a build that stored records the cache is trimmed to its
 * size bound (stats: cache_hits, cache_misses, cache_rejected, cache_evicted). With
 * desc->cache_url the cache also fetches from and sends to a shared server
 * (cache_fetched, cache_sent); a server that fails costs imports, never the build.
 *
 * Threads: one build per call; separate builds may run at once on different outputs
 * (they share libuv's thread pool, and may share one zc_build_cache).
 */
#ifndef ZC_BUILD_H
#define ZC_BUILD_H

#include <stdint.h>

#include "zc_importer.h"
#include "zc_writer.h"

typedef struct zc_model_pool zc_model_pool; /* zc_model.h */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zc_build_cache zc_build_cache; /* zc_build_cache.h */

typedef struct zc_build_progress {
    uint32_t files_done, files_total;   /* failed files count as done */
    uint32_t done[ZC_IMPORTER_MAX];     /* per importer row (zc_importer_at): its files among */
    uint32_t total[ZC_IMPORTER_MAX];    /* files_done and files_total; label them with the
                                           row's label, rows without one are not shown apart */
    uint64_t bytes_done, bytes_total;   /* file sizes as scanned */
    const char *current;                /* entry path of the file just imported; NULL before the first */
} zc_build_progress;

typedef void (*zc_build_progress_fn)(const zc_build_progress *progress, void *user_data);

typedef struct zc_build_desc {
    const char *input_dir;          /* directory to pack; required */
    const char *output_path;        /* pack to write; required */
    zc_logger logger;               /* default: silent */
    zc_build_progress_fn progress;  /* default: NULL = none; called once before the first
                                       file and once after each, on the calling thread */
    void *progress_user_data;       /* default: NULL */
    int no_verify;                  /* default: 0 (see zc_writer_desc) */
    int no_sync;                    /* default: 0 (see zc_writer_desc) */
    const zc_secret_key *sign_key;  /* default: NULL = unsigned; else the pack (a patch pack
                                       with base_path) is signed with it (zc_writer_desc) */
    uint32_t threads;               /* default: 0 = uv_available_parallelism(); imports
                                       prepared at once, the calling thread's included */
    int keep_going;                 /* default: 0 = stop at the first failed import and
                                       write nothing; 1 = write the pack without the
                                       failed files */
    int no_compress;                /* default: 0; 1 = RGBA8 where a texture would be
                                       block-compressed (zc_texture_settings.no_compress) */
    uint32_t max_texture_dimension; /* default: 0 = 16384; sources wider or taller are
                                       refused before decoding (at most 65536) */
    uint32_t model_timeout_ms;      /* default: 0 = ZC_MODEL_DEFAULT_TIMEOUT_MS (60 s); time
                                       one model import may take before it is stopped and
                                       fails */
    int no_entry_compression;       /* default: 0 = zstd by the policy above; 1 = every entry
                                       stored raw */
    int compress_level;             /* default: 0 = ZC_WRITER_DEFAULT_LEVEL (6), and
                                       ZC_WRITER_LARGE_LEVEL (3) for candidates above
                                       ZC_WRITER_COMPRESS_MEMORY; 1..22: every entry */
    uint32_t min_saving_percent;    /* default: 0 = ZC_WRITER_DEFAULT_MIN_SAVING (5); 1..99 */
    int dictionaries;               /* default: 0; 1 = zstd dictionaries per type for small
                                       entries (zc_writer.h, "Dictionaries") */
    const char *base_path;          /* default: NULL = a full pack; else the base pack a
                                       patch pack is written against ("Patch builds"
                                       above); cannot be combined with keep_going */
    const char *cache_dir;          /* default: NULL = no build cache (unless `cache` is
                                       set); else the directory of the build cache
                                       ("Build cache" above), created when missing */
    uint64_t cache_max_bytes;       /* default: 0 = ZC_BUILD_CACHE_DEFAULT_MAX_BYTES (2 GiB);
                                       bound of the cache opened on cache_dir */
    uint64_t max_memory;            /* default: 0 = a quarter of physical memory
                                       (zc_image_budget_default_limit); bytes the images
                                       being imported may hold at once ("Memory" above) */
    const char *cache_url;          /* default: NULL = no shared server; else the build
                                       cache's server (zc_build_cache.h, "Shared server"),
                                       with cache_dir or, without it, "<output>.cache" */
    zc_build_cache *cache;          /* default: NULL; an open cache to use instead of
                                       cache_dir (zc_build_cache_open), e.g. kept across
                                       the builds of `zcpack watch`; borrowed: it must
                                       stay open until zc_build returns */
    int include_hidden;             /* default: 0 = the walk leaves out hidden and system
                                       files and folders (zc_ignore_system_name: .git,
                                       .DS_Store, "._" AppleDouble files, __MACOSX,
                                       Thumbs.db, desktop.ini), counted in
                                       zc_build_stats.hidden; 1 = packs them too */
    int follow_links;               /* default: 0 = symbolic links are skipped with a
                                       warning; 1 = a link to a file is packed under its
                                       own path with its target's bytes, and a link to a
                                       folder is walked as a folder of that name; links
                                       that lead nowhere or to a folder that contains them
                                       are skipped with a warning */
    zc_model_pool *model_pool;      /* default: NULL = a pool of `threads` model workers for
                                       this build alone; else the pool to import models in
                                       (zc_model_pool_create), e.g. kept across the builds
                                       of `zcpack watch` so that they reuse its workers;
                                       borrowed: it must outlive zc_build's return */
} zc_build_desc;

/* Where a build stopped: lets a caller tell a bad asset from a bad tool. */
typedef enum zc_build_stage {
    ZC_BUILD_STAGE_NONE = 0,        /* the build succeeded */
    ZC_BUILD_STAGE_SCAN,            /* walking the tree, checking file names */
    ZC_BUILD_STAGE_IMPORT,          /* an importer failed on its file */
    ZC_BUILD_STAGE_WRITE,           /* opening or finishing the pack (incl. its verification) */
} zc_build_stage;

typedef struct zc_build_stats {
    zc_build_stage failed_stage;    /* NONE on success */
    int pack_written;               /* 1 when the output holds the new pack (success, or
                                       keep_going with failed files) */
    uint32_t failed_files;          /* files whose import failed (logged one by one) */
    uint32_t unlisted_dirs;         /* keep_going: subdirectories skipped because they
                                       could not be listed (logged one by one) */
    uint32_t imported[ZC_IMPORTER_MAX]; /* files written per importer row (zc_importer_at;
                                       summaries show the rows with a label: textures,
                                       models) */
    uint32_t files;                 /* source files imported */
    uint32_t skipped;               /* symbolic links, special files, the output, temporaries */
    uint32_t links_skipped;         /* of those, symbolic links left out because the build
                                       does not follow links (desc->follow_links = 0) */
    uint32_t excluded;              /* files and folders left out by the tree's .zcpackignore
                                       or a manifest rule's "exclude" (zc_ignore.h,
                                       zc_manifest.h), each logged at ZC_LOG_INFO */
    uint32_t hidden;                /* hidden and system files and folders the walk left
                                       out (desc->include_hidden = 0), each logged at
                                       ZC_LOG_INFO */
    uint32_t entries;               /* entries in the pack */
    uint32_t unique_payloads;       /* distinct non-empty payloads stored */
    uint32_t compressions_reused;   /* payloads compressed once for several entries: an
                                       entry whose raw bytes an earlier entry of this build
                                       had took its stored form instead of compressing them
                                       again (the same file under several names) */
    uint64_t input_bytes;           /* sum of the source file sizes */
    uint64_t payload_bytes;         /* bytes of the distinct payloads */
    uint64_t pack_bytes;            /* size of the pack file */
    uint32_t patch_added;           /* patch builds: entries whose path the base lacks */
    uint32_t patch_changed;         /* patch builds: entries that differ from the base's */
    uint32_t patch_removed;         /* patch builds: whiteouts written */
    uint32_t patch_unchanged;       /* patch builds: entries left to the base */
    uint32_t cache_hits;            /* files whose entries came from the build cache */
    uint32_t cache_misses;          /* files of a cached importer (ZC_IMPORTER_CACHED) imported
                                       afresh; blobs are never cached and count in neither */
    uint32_t cache_rejected;        /* damaged cache records found, ignored and removed
                                       (from the shared server too) */
    uint32_t cache_fetched;         /* cache hits whose record came from the shared server */
    uint32_t cache_sent;            /* records of this build sent to the shared server */
    uint32_t cache_evicted;         /* records removed to keep the cache within its bound */
    uint64_t image_memory_peak;     /* most bytes of the image memory budget held at once
                                       by this process's imports ("Memory" above) */
    uint32_t twins_reused;          /* files imported once for several: a texture whose bytes
                                       and settings (the normal-map name rule's answer
                                       among them) an earlier texture of this build had took
                                       that one's entry instead of being decoded again */
} zc_build_stats;

/* Build desc->output_path from desc->input_dir. Fills *out (may be NULL): every count
 * when the pack was written (pack_written = 1), else failed_stage and failed_files.
 * On error the output path is untouched (except with keep_going when only imports
 * failed or directories could not be listed: then the pack without them is written,
 * pack_written is 1, failed_stage is ZC_BUILD_STAGE_IMPORT and the first import
 * failure's error is returned, or, when every import succeeded, ZC_BUILD_STAGE_SCAN
 * and ZC_ERR_IO), no temporary file
 * is left, and the logger has received a sentence naming the file at fault. Errors:
 *  - ZC_ERR_INVALID_ARGUMENT: NULL desc or missing paths; two entries with one path;
 *    a malformed zcpack.json; desc->max_texture_dimension above 65536; a compression
 *    level or minimum saving out of range.
 *  - ZC_ERR_FILE_NOT_FOUND, ZC_ERR_IO: input_dir missing or not a directory, a
 *    directory that cannot be read, an output that cannot be written; a source file
 *    that cannot be read (stage IMPORT).
 *  - ZC_ERR_BAD_PATH: files whose relative paths are not valid entry paths (invalid
 *    UTF-8, backslash, control character, too long or too deep), each logged, stage
 *    IMPORT, counted in failed_files; found before any import, so without keep_going
 *    nothing is imported, and with it they are left out like failed imports.
 *  - any error an importer returns for its file (stage IMPORT); ZC_ERR_OUT_OF_MEMORY;
 *    ZC_ERR_LIMIT (also: an image declaring more texels than its size allows, or
 *    needing more than the whole max_memory).
 *  - a format error if the written pack fails its verification (a writer bug).
 *  - patch builds: the base pack's open errors (ZC_ERR_FILE_NOT_FOUND, ZC_ERR_IO,
 *    ZC_ERR_NOT_A_PACK and every other format error, stage SCAN);
 *    ZC_ERR_INVALID_ARGUMENT with keep_going, or when the output is the base pack. */
zc_result zc_build(const zc_build_desc *desc, zc_build_stats *out);


#ifdef __cplusplus
}
#endif

#endif /* ZC_BUILD_H */
