/* zc_importer.h - the importer table: how one source file becomes pack entries.
 *
 * Every importer is one row of a single table (zc_importers.c): a name, a version,
 * the file extensions it claims, its functions, whether the build cache keeps its
 * outputs, its progress label, its settings (where they live in zc_import_settings,
 * their defaults, the fields its cache key ignores), the manifest keys it reads
 * (zc_import_key) and the codec of each entry type it produces (zc_import_codec). The
 * build picks the first row whose extensions match the source
 * file's name, else the fallback row (extensions NULL). The build, the build cache,
 * progress, statistics and the manifest reach importers only through these rows.
 * Adding an importer means writing its functions, adding one row and, when it has
 * settings, its member of zc_import_settings.
 *
 * Two ways to import:
 *  - `import` writes complete entries through the writer it is given: every entry it
 *    begins it also ends. It runs on the build's own thread and may stream (the blob
 *    importer copies a file of any size through a small buffer). When it fails, the
 *    build cancels the entry it left open (zc_writer_cancel_entry).
 *  - `prepare` (optional) does the expensive part on a worker thread of the build's
 *    thread pool and returns the file's finished entries in memory (zc_import_outputs:
 *    one for a texture; a scene, its meshes, materials and textures for a model); the
 *    build writes them on its own thread, files in path order and each file's entries
 *    in the order of its list, so the pack does not depend on the number of threads.
 *    A row with `prepare` still has an `import` (prepare, then write), for callers
 *    that import one file directly.
 *
 * Entry paths of one source file P: P itself, or P#<suffix> where the suffix holds no
 * '#' (zc_model.h names them P#mesh/0, P#material/2, ...). Two files can then never
 * produce the same path, except a file literally named like another file's generated
 * entry, which the build reports as the generating file's failure.
 *
 * Threads: importer functions may be called from several threads at once for
 * different files and writers; they keep no state outside their call. `prepare` must
 * not use the logger (src->logger is silent there): it reports errors through the
 * diag and warnings through zc_import_outputs.notes, which the build logs on its own
 * thread.
 */
#ifndef ZC_IMPORTER_H
#define ZC_IMPORTER_H

#include <stddef.h>
#include <stdint.h>

#include "zc_writer.h"
#include "zc_import_texture.h"
#include "zc_model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One per-file option, from a manifest or the command line: both strings UTF-8 and
 * NUL-terminated. Each importer documents the keys it reads and ignores the rest. */
typedef struct zc_import_option {
    const char *key;
    const char *value;
} zc_import_option;

/* Typed per-file settings, from the manifest (zc_manifest.h) and the build options:
 * one member per importer row that has settings, which only that importer reads (its
 * row names the member by settings_offset and settings_size). Zero everywhere means
 * every importer's defaults. The build cache hashes the whole struct as bytes. */
/* The blob importer's settings. */
typedef struct zc_blob_settings {
    uint32_t alignment;             /* payload alignment in bytes, a power of two in
                                       [16, 65536]; 0: the "align" option, else 16 */
} zc_blob_settings;

/* The schema importer's settings (zc_import_schema.c): the manifest's "schema" and
 * "type". Fixed arrays, zero-filled past the text, so the cache hashes them as bytes. */
#define ZC_SCHEMA_SETTING_PATH 256  /* bytes of "schema", NUL included */
#define ZC_SCHEMA_SETTING_TYPE 64   /* bytes of "type", NUL included */
typedef struct zc_schema_settings {
    char schema[ZC_SCHEMA_SETTING_PATH]; /* the .zcs file, relative to the tree's root */
    char type[ZC_SCHEMA_SETTING_TYPE];   /* the schema's root struct the files must hold */
} zc_schema_settings;

typedef struct zc_import_settings {
    zc_texture_settings texture;    /* the texture importer's (zc_import_texture.h) */
    zc_model_settings model;        /* the model importer's (zc_model.h); model.texture is
                                       the base of the textures a model references */
    zc_blob_settings blob;          /* the blob importer's (zc_import_blob.c) */
    zc_schema_settings schema;      /* the schema importer's (zc_import_schema.c) */
} zc_import_settings;

/* Build-wide options an importer may turn into defaults of its settings
 * (zc_importer.init_settings); the build fills them from its desc (zc_build.h). */
typedef struct zc_import_defaults {
    int no_compress;                /* zc_build_desc.no_compress */
    uint32_t max_texture_dimension; /* zc_build_desc.max_texture_dimension */
    uint32_t model_timeout_ms;      /* zc_build_desc.model_timeout_ms */
    zc_image_budget *image_budget;  /* the build's (zc_build_desc.max_memory); NULL: none */
    zc_model_pool *model_pool;      /* the build's model import workers; NULL: a worker
                                       process per model import */
    int follow_links;               /* zc_build_desc.follow_links */
} zc_import_defaults;

/* How a manifest value is read (zc_manifest.h), and the field it is stored in. */
typedef enum zc_import_key_kind {
    ZC_IMPORT_KEY_SWITCH,           /* true/false -> zc_switch ON/OFF */
    ZC_IMPORT_KEY_FLAG,             /* true/false -> int 1/0 */
    ZC_IMPORT_KEY_UINT,             /* an integer in [lo, hi] -> uint32_t */
    ZC_IMPORT_KEY_POW2,             /* a power of two in [lo, hi] -> uint32_t */
    ZC_IMPORT_KEY_POSITIVE,         /* a number > 0, at most 1e30 -> float */
    ZC_IMPORT_KEY_ENUM,             /* a string that `parse` accepts -> an int-sized enum */
    ZC_IMPORT_KEY_TEXT,             /* a non-empty string of fewer than hi bytes without
                                       NUL -> char[hi], zero-filled */
} zc_import_key_kind;

/* One manifest key of an importer. Several rows may list the same key (the model row
 * lists the texture keys for the base of its textures): the first row's entry decides
 * how the value is read, and the value is stored into every row that lists it. */
typedef struct zc_import_key {
    const char *key;                /* as written in zcpack.json */
    zc_import_key_kind kind;
    uint32_t lo, hi;                /* UINT and POW2: the accepted range */
    size_t offset;                  /* of the field in the row's own settings struct */
    int (*parse)(const char *name, int *value); /* ENUM: 1 and *value when name is valid */
    void (*expected)(char *buf, size_t size); /* ENUM: what the error message says it
                                       must be ("one of auto, rgba8, ...") */
} zc_import_key;

/* What an importer is given about one source file. Borrowed for the call only. */
typedef struct zc_import_source {
    const char *file_path;          /* file system path to read */
    const char *entry_path;         /* entry path in the pack (passes zc_check_path) */
    const char *root;               /* the tree's root, given when file_path is not
                                       root/entry_path (a link the build follows: file_path
                                       is its target); NULL: file_path without its
                                       trailing /entry_path */
    uint64_t size;                  /* file size when the build scanned it */
    int has_identity;               /* 1: dev and ino hold the file the scan saw */
    uint64_t dev, ino;              /* device and inode at the scan (has_identity) */
    const zc_import_option *options; /* option_count options; NULL when none */
    size_t option_count;
    zc_logger logger;               /* warnings and notes; errors go to the diag */
    const zc_import_settings *settings; /* NULL: defaults */
    const struct zc_manifest *manifest; /* the build's manifest (zc_manifest.h), for
                                       importers that look at other files' rules (the
                                       schema importer, for the types of the entries a
                                       reference names); NULL: none */
    const char *manifest_path;      /* the file it was read from; NULL: none */
    struct zc__memo *twins;         /* NULL, or the build's memo of import outputs (zc_memo.h),
                                       given when another file of the tree has this one's
                                       size: an importer whose outputs depend only on the
                                       source's bytes, its settings and what it reads of
                                       the name may take a twin's outputs from it and leave
                                       its own there (the texture importer does) */
} zc_import_source;

/* One entry built in memory by a prepare function. Zero-initialised fields keep the
 * one-entry meaning: path NULL is the source's entry path, no dependencies. */
typedef struct zc_import_output {
    uint32_t type;                  /* FourCC type tag */
    uint32_t layout_hash;
    uint32_t align_log2;            /* as zc_writer_begin_entry takes it */
    void *payload;                  /* malloc'd entry bytes; owned by the output */
    size_t size;
    char *path;                     /* malloc'd entry path; NULL = the source's entry path */
    uint64_t *deps;                 /* malloc'd asset ids the entry references; NULL when none */
    uint32_t dep_count;
    int encoded;                    /* 0: payload holds the raw bytes; 1: their stored form from
                                       zc_writer_encode (the build's workers compress ahead of
                                       the writer), described by the three fields below */
    zc_codec codec;                 /* encoded: the stored form's codec */
    uint64_t raw_size;              /* encoded: bytes of the raw entry */
    uint64_t content_hash;          /* encoded: XXH3-64 of the raw entry */
} zc_import_output;

/* Every entry a prepare function built for one source file, plus its warnings. */
typedef struct zc_import_outputs {
    zc_import_output *items;        /* malloc'd, count entries, sorted by path (bytewise) */
    size_t count;
    char *notes;                    /* malloc'd warnings, one per line ('\n'-separated);
                                       NULL when none. The build logs each as
                                       "<file>: <line>" at ZC_LOG_WARNING */
    char *reads; /* malloc'd, '\n'-separated file system paths the import opened besides the source file; NULL when none */
} zc_import_outputs;

/* Import one file: write its entries into `w`. Returns ZC_OK, or an error with a
 * sentence in diag->message that does not repeat the file path (the caller prefixes
 * it). I/O errors reading the source are ZC_ERR_IO or ZC_ERR_FILE_NOT_FOUND. */
typedef zc_result (*zc_import_fn)(const zc_import_source *src, zc_writer *w, zc_diag *diag);

/* Build one file's entries in memory: on ZC_OK *out holds at least one (the caller
 * checks them with zc_import_outputs_check, writes them with zc_import_outputs_write
 * and frees them); on error *out is empty and the diag says why, as for zc_import_fn.
 * Runs on any thread. */
typedef zc_result (*zc_prepare_fn)(const zc_import_source *src, zc_import_outputs *out, zc_diag *diag);

/* The codec an importer gives one type of entry it produces, over that entry type's
 * default (zc_entry_types.h). A zcpack.json "compress" rule overrides both. */
typedef struct zc_import_codec {
    uint32_t type;                  /* FourCC type tag; 0 ends a list */
    int compress;                   /* 1: stored zstd-compressed when that saves enough
                                       (zc_writer.h); 0: stored raw */
} zc_import_codec;

/* zc_importer.flags */
enum {
    ZC_IMPORTER_CACHED = 1u << 0,   /* the build cache keeps its prepared outputs (needs prepare) */
    ZC_IMPORTER_PREPARE_SMALL = 1u << 2, /* prepare only files of at most ZC_WRITER_ENCODE_MEMORY
                                       bytes (read whole on a worker); larger ones stream
                                       through import (zc_importer_prepares) */
    ZC_IMPORTER_READS_TREE = 1u << 1, /* its imports read other files of the tree: its cache
                                       key covers them (zc_build_cache.h) */
    ZC_IMPORTER_RAW = 1u << 4,      /* every entry it produces is stored raw by default,
                                       whatever its type (schema entries, read in place,
                                       whose types its codec list cannot name) */
    ZC_IMPORTER_CHOSEN_BY_KEYS = 1u << 3, /* a manifest rule that sets one of its keys makes
                                       it the importer of the files it matches, as
                                       "importer" would (an explicit "importer" wins) */
};

/* Most rows the table may hold: the size of the per-importer arrays of the build's
 * progress and statistics (zc_build.h). */
#define ZC_IMPORTER_MAX 8

/* One of a row's extensions that other kinds of files use too (".rgb" holds SGI images
 * and raw pixel dumps, ".stl" STL models and SuperTux levels, ".x" DirectX models and
 * RPC interface files, ".ac" AC3D models and autoconf scripts): a file named so is
 * the row's when it is empty or its first bytes are the row's format (is_format),
 * else the blob row packs it, with a warning that names `format`. The row's prepare
 * step decides, so a build, an object import and a direct import agree; everything
 * that goes by name alone (progress totals, the Bazel rules) counts the file as the
 * row's. */
typedef struct zc_import_shared_name {
    const char *extension;          /* lowercase, without the dot; NULL ends a list */
    /* The file's first n bytes (n <= ZC_IMPORT_HEAD, fewer only when the file is
     * shorter) and its size. Any bytes. */
    int (*is_format)(const uint8_t *head, size_t n, uint64_t size);
    const char *format;             /* "an SGI image" */
} zc_import_shared_name;

#define ZC_IMPORT_HEAD 128

typedef struct zc_importer {
    const char *name;               /* short name, e.g. "blob" */
    uint32_t version;               /* bumped whenever the output for the same input changes */
    const char *const *extensions;  /* lowercase, without the dot, NULL-terminated; NULL = fallback */
    const zc_import_shared_name *shared; /* those of its extensions claimed by content;
                                       NULL or ended by extension NULL */
    zc_import_fn import;            /* never NULL */
    zc_prepare_fn prepare;          /* NULL: the build calls import on its thread */
    uint32_t flags;                 /* ZC_IMPORTER_* */
    const char *label;              /* plural noun for progress and summaries ("textures");
                                       NULL: its files are not counted apart */
    size_t settings_offset;         /* of its member of zc_import_settings */
    size_t settings_size;           /* of that member; 0: no settings */
    /* Set the defaults the build options imply into the row's member (zeroed before);
     * NULL: zeros. */
    void (*init_settings)(void *settings, const zc_import_defaults *defaults);
    /* Check the build options this row turns into defaults: ZC_OK, or an error with a
     * sentence in diag (the build fails before it scans); NULL: any values. */
    zc_result (*check_defaults)(const zc_import_defaults *defaults, zc_diag *diag);
    /* Zero the fields of the row's member that change only whether an import fails,
     * not what it produces (a time limit), before the cache key hashes it; NULL: none. */
    void (*key_settings)(void *settings);
    const zc_import_key *keys;      /* the manifest keys it reads; key_count of them */
    size_t key_count;
    const zc_import_codec *codecs;  /* the codec of each type it produces, ended by type 0;
                                       NULL, or a type not listed: the entry type's default */
} zc_importer;

/* 1 when entries of `type` that `imp` produces are compression candidates by default:
 * the row's codecs, else the entry type's default (zc_entry_type_compressed_by_default).
 * imp NULL: the entry type's default. Pure; any thread. */
/* 1 when a file of `size` bytes is imported through imp's prepare step (imp has one,
 * and ZC_IMPORTER_PREPARE_SMALL, when set, admits the size), 0 when through import. */
int zc_importer_prepares(const zc_importer *imp, uint64_t size);

int zc_importer_compresses(const zc_importer *imp, uint32_t type);

/* Number of importers in the table (at most ZC_IMPORTER_MAX), and the one at `index`
 * (NULL past the end). */
size_t zc_importer_count(void);
const zc_importer *zc_importer_at(size_t index);

/* The index of a row of the table (zc_importer_at(zc_importer_index(imp)) == imp). */
size_t zc_importer_index(const zc_importer *imp);

/* Reset *settings to every row's defaults for these build options (init_settings);
 * defaults NULL: all zero. */
void zc_import_settings_init(zc_import_settings *settings, const zc_import_defaults *defaults);

/* Check the build options against every row (check_defaults): the first error, with
 * its sentence in diag. */
zc_result zc_import_defaults_check(const zc_import_defaults *defaults, zc_diag *diag);

/* Zero in *settings the fields no row's output depends on (key_settings). */
void zc_import_settings_for_key(zc_import_settings *settings);

/* The importer named `name`, NULL when there is none. */
const zc_importer *zc_importer_find(const char *name);

/* The importer for a file name: the first whose extensions contain the name's
 * extension (compared without regard to ASCII case), else the fallback. Never NULL. A
 * file with a shared name may still become a blob (zc_import_shared_name). */
const zc_importer *zc_importer_for_path(const char *path);

/* Open the source for reading, the only way an importer reads its own file: without
 * following a symbolic link and without blocking (O_NOFOLLOW | O_NONBLOCK, so a FIFO
 * put in its place cannot hang the build), then fstat: it must be a regular file and,
 * when the source has an identity, the device and inode the scan recorded. ZC_OK and
 * *fd (close it through zc__packer_sys.close), or ZC_ERR_FILE_NOT_FOUND / ZC_ERR_IO
 * with a sentence in diag ("replaced since the scan", "is a symbolic link", ...). */
zc_result zc_import_open(const zc_import_source *src, int *fd, zc_diag *diag);

/* The value of option `key` for this source, NULL when it is not set (the last
 * occurrence wins). */
const char *zc_import_option_get(const zc_import_source *src, const char *key);

/* Write a prepared output as one entry named out->path, or entry_path when that is
 * NULL, with its dependencies. ZC_OK or the writer's error, with a sentence in diag.
 * The output stays owned by the caller. */
zc_result zc_import_output_write(const zc_import_output *out, const char *entry_path, zc_writer *w, zc_diag *diag);

/* Free an output's payload, path and dependencies and zero it. NULL is a no-op. */
void zc_import_output_free(zc_import_output *out);

/* Check a prepared list before anything of it is written, so that a file is written
 * whole or not at all: at least one output; every path (entry_path when NULL) passes
 * zc_check_path and is entry_path or entry_path#<suffix without '#'>; paths strictly
 * ascending; a payload wherever the size is not 0. ZC_ERR_BAD_PATH for a path that
 * fails zc_check_path, ZC_ERR_INVALID_ARGUMENT for the rest, with a sentence in diag.
 * (The build also refuses a generated path that another source file of the tree has
 * as its own.) Pure. */
zc_result zc_import_outputs_check(const zc_import_outputs *outs, const char *entry_path, zc_diag *diag);

/* Write every output in list order (zc_import_output_write). On an error the entry in
 * progress is left open (the build cancels it; its earlier entries stay written). */
zc_result zc_import_outputs_write(const zc_import_outputs *outs, const char *entry_path, zc_writer *w,
                                  zc_diag *diag);

/* Log each non-empty line of `notes` as "<file>: <line>" at ZC_LOG_WARNING (lines cut
 * at 900 bytes). NULL notes or a silent logger: nothing. */
void zc_import_notes_log(const char *notes, const char *file, zc_logger logger);

/* An import function made of a prepare function: prepare, check the outputs, log
 * their notes through src->logger, write them, free them. For rows whose `import`
 * adds nothing to `prepare`. ZC_OK or the first error, as zc_import_fn. */
zc_result zc_import_prepared(zc_prepare_fn prepare, const zc_import_source *src, zc_writer *w, zc_diag *diag);

/* Free every output, the notes and the reads and zero the list. NULL is a no-op. */
void zc_import_outputs_free(zc_import_outputs *outs);

/* The importers themselves (zc_import_*.c). */
zc_result zc__import_blob(const zc_import_source *src, zc_writer *w, zc_diag *diag);
zc_result zc__prepare_blob(const zc_import_source *src, zc_import_outputs *out, zc_diag *diag);
zc_result zc__import_texture(const zc_import_source *src, zc_writer *w, zc_diag *diag);
zc_result zc__prepare_texture(const zc_import_source *src, zc_import_output *out, zc_diag *diag);
/* The same, with the other files it read ('\n'-separated, malloc'd; NULL when none:
 * the five other faces of a cube map from six files) in *reads when reads is not NULL. */
zc_result zc__prepare_texture_reads(const zc_import_source *src, zc_import_output *out, char **reads, zc_diag *diag);
zc_result zc__import_schema(const zc_import_source *src, zc_writer *w, zc_diag *diag);
zc_result zc__prepare_schema(const zc_import_source *src, zc_import_outputs *out, zc_diag *diag);
zc_result zc__import_model(const zc_import_source *src, zc_writer *w, zc_diag *diag);
zc_result zc__prepare_model(const zc_import_source *src, zc_import_outputs *out, zc_diag *diag);

#ifdef __cplusplus
}
#endif

#endif /* ZC_IMPORTER_H */
