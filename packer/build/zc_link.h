/* zc_link.h - the packer as two pure steps: import one source file into an object,
 * then link objects into a pack. A build engine (Bazel) runs one import per file and
 * one link, and caches or distributes each step by its declared inputs.
 *
 *     zc_object_import(&(zc_object_import_desc){ .file = "assets/textures/bricks.png",
 *                                                .root = "assets",
 *                                                .output = "out/bricks.zco" }, NULL);
 *     ... one import per file of the tree ...
 *     zc_link(&(zc_link_desc){ .objects = paths, .object_count = n,
 *                              .output_path = "assets.zcpack" }, &stats);
 *
 * Same bytes as a build: importing every file `zc_build` would pack (every regular
 * file of the tree but the manifest zcpack.json at its root, symbolic links and the
 * writer's temporary files) with the options the build was given, then linking the
 * objects, gives exactly the pack `zc_build` writes, byte for byte. An object holds
 * its file's entries as the build's writer stores them (the codec chosen by the same
 * policy, zstd frames already made), so link compresses nothing: it sorts the objects
 * by their source's entry path (bytewise, as the build sorts files), writes each
 * object's entries in its order through zc_writer_copy_entry (identical stored bytes
 * shared, as the build shares them) and finishes the pack as the build does. Not
 * available in this form: zstd dictionaries (zc_build_desc.dictionaries trains them
 * over the entries of the whole pack) and patch packs.
 *
 * The object (formats/SPEC.md, "Appendix D. Build objects"): one source file's
 * entries, its importer's notes, and its inputs: the source and the files the import
 * read besides it (zc_import_outputs.reads), each as a path relative to the root with
 * its size and XXH3-128, in bytewise order. Its key, an XXH3-128 of everything the
 * entries depend on (the inputs' paths and bytes, the importer's name and version,
 * the settings the manifest's matching rules and the options resolve to, the
 * compression choices, the tool's version), lets a store file it by content. Its
 * bytes depend on nothing else: no absolute path, no time, no thread count, no part
 * of the manifest that does not apply to the file.
 *
 * Pack sets: with a size limit (max_pack_size) or chunk rules, link writes several
 * member packs and a small index pack naming them (formats/zc_pack_set.h; the
 * runtime opens the set with zc_pack_set_open). Each entry goes to the chunk of the
 * first rule whose glob matches its path (fnmatch without FNM_PATHNAME, as the
 * manifest's globs: '*' matches '/' too), else to the chunk "main". A chunk's entries
 * go, in link order, into members named "<stem>-<chunk>-<n>.zcpack" beside the index
 * (<stem>: the index's file name without its last extension; n from 0): a member is
 * finished and the next started when the next entry would take it past the limit, so
 * every member stays within it, except that an entry larger than the limit on its own
 * gets a member of its own (noted as a warning). The limit is checked against a bound
 * of the member's size that counts no shared payload and a full lookup index, so a
 * member may start a few bytes early, never end late. Entries are copied as a single
 * pack stores them, so the members hold the single pack's entries, byte for byte.
 * Members are written first, each atomically, then the index: a reader of an older
 * index meanwhile finds a member that changed and refuses it (zc_pack_set_open).
 * Files of an earlier set that the new index does not name are left in place.
 *
 * Trust: link reads objects as untrusted input (they may come from a remote cache):
 * sizes and counts are checked against the file before anything is allocated, every
 * path, the checksum, each entry's codec and sizes, each compressed entry's frames
 * (decoded with the limits of a pack reader: ZC_DEFAULT_MAX_DECODED_SIZE, windows of
 * at most 2^ZC_MAX_WINDOW_LOG), each content hash and each typed entry's structure
 * (zc_check_payload). A damaged object fails the link with a message naming the
 * object and what is wrong; the output is left untouched.
 *
 * Threads: each call is independent; calls may run at once on different outputs.
 */
#ifndef ZC_LINK_H
#define ZC_LINK_H

#include <stdint.h>

#include "zc_pack_format.h"
#include "zc_sign.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZC_OBJECT_MAGIC 0x4F42435Au         /* "ZCBO" */
#define ZC_OBJECT_VERSION 2u

typedef struct zc_object_import_desc {
    const char *file;               /* source file; required. Its entry path is its path
                                       relative to root (textually, or through the real
                                       paths of its directory and of root) */
    const char *root;               /* the asset root; required */
    const char *manifest;           /* default: NULL = root/zcpack.json when it exists;
                                       else this manifest (zc_manifest.h) */
    const char *output;             /* object to write (atomically: a temporary file
                                       beside it is renamed over it); NULL: import only,
                                       to learn what it reads (zc_object_import_info) */
    zc_logger logger;               /* default: silent; the importer's notes come as
                                       warnings "<root/rel>: <note>" */
    /* The build options that change what an import makes, as zc_build_desc's; a link
     * matches `zcpack build` given the same values. */
    int no_compress;                /* default: 0 */
    uint32_t max_texture_dimension; /* default: 0 = 16384 */
    uint32_t model_timeout_ms;      /* default: 0 = ZC_MODEL_DEFAULT_TIMEOUT_MS */
    int no_entry_compression;       /* default: 0 */
    int compress_level;             /* default: 0 = ZC_WRITER_DEFAULT_LEVEL */
    uint32_t min_saving_percent;    /* default: 0 = ZC_WRITER_DEFAULT_MIN_SAVING */
    uint64_t max_memory;            /* default: 0 = zc_image_budget_default_limit() */
    int include_hidden;             /* default: 0 = a hidden or system file, or one in such
                                       a folder (zc_ignore_system_path), is left out as a
                                       build leaves it out: the object holds no entries */
} zc_object_import_desc;

/* What an import found; fill with zc_object_import, free with zc_object_import_info_free. */
typedef struct zc_object_import_info {
    char *entry_path;               /* malloc'd; the source's entry path */
    char *reads;                    /* malloc'd, '\n'-separated paths relative to root of the
                                       files the import read besides the source, sorted
                                       bytewise, each ending in '\n'; NULL when none */
    uint32_t entries;               /* entries of the object */
    uint8_t key[16];                /* the object's key (zeros when output is NULL) */
} zc_object_import_info;

/* Import desc->file into the object desc->output. On error nothing is written (an
 * existing object is left as it was) and the logger has a sentence naming the file.
 * Errors:
 *  - ZC_ERR_INVALID_ARGUMENT: missing fields; a file outside root, or the manifest
 *    at the root itself (a build does not pack it); a malformed manifest; an option
 *    out of range.
 *  - ZC_ERR_BAD_PATH: the relative path is not a valid entry path.
 *  - ZC_ERR_FILE_NOT_FOUND, ZC_ERR_IO: the file is missing, not a regular file or a
 *    symbolic link (a build skips those), or changed during its import; a file it
 *    read lies outside root; the object cannot be written.
 *  - any error the importer returns for the file (as zc_build reports it);
 *    ZC_ERR_OUT_OF_MEMORY.
 * *info (may be NULL) is filled on success. */
zc_result zc_object_import(const zc_object_import_desc *desc, zc_object_import_info *info);

/* Free what an import info holds and zero it. NULL is a no-op. */
void zc_object_import_info_free(zc_object_import_info *info);

/* A chunk rule: entries whose path matches `match` go to the chunk `name`. */
typedef struct zc_link_chunk {
    const char *match;              /* glob over entry paths; required, not empty */
    const char *name;               /* chunk name: 1 to 64 of [A-Za-z0-9_-] */
} zc_link_chunk;

#define ZC_LINK_DEFAULT_CHUNK "main"           /* the chunk of entries no rule matches */
#define ZC_LINK_MIN_PACK_SIZE 4096u            /* smallest max_pack_size */
#define ZC_LINK_MAX_CHUNKS 256u                /* chunk rules in one link */

typedef struct zc_link_desc {
    const char *const *objects;     /* object_count object files; required unless the
                                       count is 0 (an empty pack) */
    uint32_t object_count;
    const char *output_path;        /* pack to write; required */
    zc_logger logger;               /* default: silent; each object's notes come as
                                       warnings "<entry path>: <note>", in pack order */
    int no_verify;                  /* default: 0 (zc_writer_desc) */
    int no_sync;                    /* default: 0 (zc_writer_desc) */
    const zc_secret_key *sign_key;  /* default: NULL = unsigned (zc_writer_desc); signs every
                                       member and the index */
    uint64_t max_pack_size;         /* default: 0 = no limit; else bytes a member may take, at
                                       least ZC_LINK_MIN_PACK_SIZE, and output_path is the
                                       index of a pack set ("Pack sets" above) */
    const zc_link_chunk *chunks;    /* default: NULL; chunk_count rules, the first match wins;
                                       any rule makes output_path the index of a pack set */
    uint32_t chunk_count;           /* default: 0; at most ZC_LINK_MAX_CHUNKS */
} zc_link_desc;

typedef struct zc_link_stats {
    uint32_t objects;               /* objects linked */
    uint32_t entries;               /* entries written */
    uint64_t pack_bytes;            /* size of the pack file; of a set, of the members and
                                       the index together */
    uint32_t packs;                 /* packs written besides an index: 1 for a single pack */
} zc_link_stats;

/* Write desc->output_path from the objects, in the order of their sources' entry
 * paths whatever the order given. On error the output is untouched, no temporary file
 * is left and the logger has a sentence naming the object at fault. Errors:
 *  - ZC_ERR_INVALID_ARGUMENT: missing fields; two objects of one source, or one entry
 *    path in two objects (both named); a chunk rule without a glob or with a bad
 *    name, too many rules, a size limit below ZC_LINK_MIN_PACK_SIZE.
 *  - ZC_ERR_FILE_NOT_FOUND, ZC_ERR_IO: an object that cannot be read; an output that
 *    cannot be written.
 *  - ZC_ERR_NOT_A_PACK (not an object), ZC_ERR_VERSION (another object version, or
 *    made by another version of zcpack), ZC_ERR_TRUNCATED, ZC_ERR_BAD_ENTRY,
 *    ZC_ERR_BAD_PATH, ZC_ERR_ENTRY_CHECKSUM, ZC_ERR_LIMIT and the structural errors of
 *    zc_check_payload: a damaged or hostile object.
 *  - ZC_ERR_OUT_OF_MEMORY; a format error if the written pack fails its verification.
 * *out (may be NULL) is filled on success. */
zc_result zc_link(const zc_link_desc *desc, zc_link_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* ZC_LINK_H */
