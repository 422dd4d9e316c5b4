/* zc_pack.h - the zcpack runtime: open a pack, look entries up, use them in place.
 *
 * This header is the manual. A game links libzcpack (plus libxxhash's header-only
 * code compiled in, so nothing else at run time), opens a pack once, and from then on
 * every lookup is a binary search over the mapped table of contents and every
 * uncompressed entry is a pointer into the mapping: no parse, no copy, no allocation.
 *
 *     zc_pack *pack;
 *     zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = "game.zcpack" });
 *     if (r != ZC_OK) { fprintf(stderr, "%s\n", zc_result_str(r)); return 1; }
 *     zc_entry e;
 *     if (zc_pack_find(pack, "shaders/sky.glsl", &e) == ZC_OK)
 *         compile_shader(e.data, e.raw_size);
 *     zc_pack_close(pack);
 *
 * Lifetime rules
 *  1. Every pointer the runtime hands out (zc_entry.data, zc_entry.path, dependency
 *     lists) stays valid until zc_pack_close() of the pack that produced it.
 *  2. The bytes behind those pointers are read-only; writing through them is
 *     undefined (the mapping is PROT_READ).
 *  3. A memory-backed pack (zc_pack_desc.memory) borrows the caller's buffer, which
 *     must stay unchanged and alive until zc_pack_close().
 *
 * Thread rules
 *  - zc_pack_open / zc_pack_close: one thread per pack object; close only after every
 *    other thread has stopped using the pack.
 *  - Every other call taking a const zc_pack * is safe from any number of threads at
 *    once after zc_pack_open() returned (the pack is immutable after open).
 *
 * Trust
 *  Validation happens once, at open (zc_pack_desc.validate) or on demand
 *  (zc_pack_validate). After a successful validation at a level, every accessor is
 *  safe on that pack for everything that level covers (SPEC.md, "Validation levels").
 *  Nothing in the runtime aborts or crashes on bad data: it returns an error code and
 *  logs a sentence naming the problem through the pack's logger.
 */
#ifndef ZC_PACK_H
#define ZC_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "zc_result.h"
#include "zc_format.h"
#include "zc_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------
 * Versions
 * ------------------------------------------------------------------------------- */

#define ZC_VERSION_MAJOR 0
#define ZC_VERSION_MINOR 1
#define ZC_VERSION_PATCH 0
#define ZC_VERSION_NUMBER ((ZC_VERSION_MAJOR << 16) | (ZC_VERSION_MINOR << 8) | ZC_VERSION_PATCH)

/* "0.1.0": the library version, independent of the on-disk format version
 * (ZC_FORMAT_MAJOR/MINOR in zc_format.h). Static string; any thread. */
const char *zc_version_string(void);

/* ZC_VERSION_NUMBER of the linked library (compare with the header's macro). */
uint32_t zc_version_number(void);

/* ---------------------------------------------------------------------------------
 * Hooks
 * ------------------------------------------------------------------------------- */

/* Allocator: alloc returns memory aligned to at least 16 bytes or NULL; free accepts
 * NULL. Called from the thread that opens or closes the pack. */
typedef struct zc_allocator {
    void *(*alloc)(size_t size, void *user_data);   /* default: malloc */
    void (*free)(void *ptr, void *user_data);       /* default: free */
    void *user_data;                                /* default: NULL */
} zc_allocator;

typedef enum zc_log_level {
    ZC_LOG_ERROR = 0,
    ZC_LOG_WARNING = 1,
    ZC_LOG_INFO = 2,
} zc_log_level;

/* Logger: receives one complete sentence per call, without a trailing newline, e.g.
 * "game.zcpack: entry 12 (maps/a.bin): bytes at 4096 (+9000) lie outside the payload
 * area [128, 8192)". Called on the thread that made the failing call. */
typedef struct zc_logger {
    void (*func)(zc_log_level level, const char *message, void *user_data); /* default: silent */
    void *user_data;                                                          /* default: NULL */
} zc_logger;

/* ---------------------------------------------------------------------------------
 * Opening
 * ------------------------------------------------------------------------------- */

typedef enum zc_validate {
    ZC_VALIDATE_DEFAULT = 0,    /* = ZC_VALIDATE_TOC */
    ZC_VALIDATE_NONE,           /* header fields only, no checksums: trusted (signed) packs */
    ZC_VALIDATE_TOC,            /* header + TOC: checksums, every record's bounds and path */
    ZC_VALIDATE_FULL,           /* TOC + every entry's structure through the type registry */
    ZC_VALIDATE_CHECKSUMS,      /* FULL + XXH3 of every entry's bytes */
} zc_validate;

typedef struct zc_pack_desc {
    const char *path;           /* UTF-8 file path; default: NULL = open `memory` instead */
    const void *memory;         /* pack bytes when path is NULL; borrowed. Must be 16-byte
                                   aligned; entries keep their declared alignment (up to
                                   4096) only if the buffer is aligned that much */
    size_t memory_size;         /* bytes at `memory`; default: 0 */
    zc_validate validate;       /* default: ZC_VALIDATE_TOC */
    int no_mmap;                /* default: 0 = map the file; 1 = read it into memory */
    zc_allocator allocator;     /* default: malloc/free */
    zc_logger logger;           /* default: silent */
    const char *name;           /* name used in log messages; default: path or "memory" */
} zc_pack_desc;

typedef struct zc_pack zc_pack;

/* Open a pack and validate it at desc->validate.
 * On success *out_pack holds a new pack (ZC_OK). On error *out_pack is NULL, nothing
 * is leaked, and the logger has received one sentence naming the problem. Errors:
 * ZC_ERR_INVALID_ARGUMENT (NULL out_pack or desc, neither path nor memory),
 * ZC_ERR_FILE_NOT_FOUND, ZC_ERR_IO, ZC_ERR_OUT_OF_MEMORY, and every format error
 * (ZC_ERR_NOT_A_PACK, ZC_ERR_MANGLED, ZC_ERR_VERSION, ZC_ERR_ENDIAN, ZC_ERR_TRUNCATED,
 * ZC_ERR_FILE_SIZE, ZC_ERR_HEADER_CHECKSUM, ZC_ERR_BAD_HEADER, ZC_ERR_TOC_CHECKSUM,
 * ZC_ERR_BAD_TOC, ZC_ERR_BAD_PATH, ZC_ERR_BAD_ALIGNMENT, ZC_ERR_LIMIT and, at
 * FULL/CHECKSUMS, the entry errors of zc_pack_validate).
 * Maps the file read-only; when mapping fails (or desc->no_mmap) reads it into one
 * buffer from desc->allocator. Untrusted input: safe on any file. */
zc_result zc_pack_open(zc_pack **out_pack, const zc_pack_desc *desc);

/* Unmap and free everything. NULL is a no-op. Invalidates every pointer obtained from
 * the pack (lifetime rule 1). */
void zc_pack_close(zc_pack *pack);

/* Run validation at `level` on an open pack (e.g. open at TOC level for speed, then
 * verify fully in a tool). Entry errors: ZC_ERR_UNKNOWN_TYPE, ZC_ERR_LAYOUT_MISMATCH,
 * ZC_ERR_UNSUPPORTED_CODEC, the structural errors of the type's validator, and
 * ZC_ERR_ENTRY_CHECKSUM. Logs the first problem found; returns its code. Allocation
 * free. Any thread; reads the whole pack at CHECKSUMS level. */
zc_result zc_pack_validate(const zc_pack *pack, zc_validate level);

/* ---------------------------------------------------------------------------------
 * Pack facts
 * ------------------------------------------------------------------------------- */

typedef struct zc_pack_info {
    uint16_t format_major, format_minor;
    uint32_t writer_version;    /* ZC_VERSION_NUMBER of the writer */
    uint64_t file_size;
    uint64_t toc_offset, toc_size;
    uint32_t entry_count;
    uint32_t dep_count;
    uint64_t payload_bytes;     /* sum of every record's stored size (a payload shared by
                                   several records is counted once per record) */
    int mapped;                 /* 1 when the pack is memory-mapped */
    zc_validate validated;      /* highest level the pack has passed at open */
} zc_pack_info;

/* Fill *out with the pack's header facts. ZC_ERR_INVALID_ARGUMENT on NULL. O(entries)
 * (payload_bytes walks the TOC); allocation-free; any thread. */
zc_result zc_pack_get_info(const zc_pack *pack, zc_pack_info *out);

/* ---------------------------------------------------------------------------------
 * Entries
 * ------------------------------------------------------------------------------- */

typedef struct zc_entry {
    uint64_t id;                /* asset id (zc_asset_id of the path) */
    const char *path;           /* NUL-terminated UTF-8, inside the pack */
    uint32_t path_length;       /* bytes without the NUL */
    uint32_t index;             /* position in the TOC, [0, entry_count) */
    uint32_t type;              /* FourCC tag (ZC_TYPE_BLOB, ...) */
    uint32_t layout_hash;       /* layout of the type the writer used */
    zc_codec codec;             /* ZC_CODEC_NONE: data is usable in place */
    uint32_t alignment;         /* bytes (16..4096); data is aligned to it (mapped and read
                                   packs always; memory packs as far as their buffer is) */
    uint64_t offset;            /* file offset of the stored bytes */
    uint64_t stored_size;       /* bytes in the file */
    uint64_t raw_size;          /* bytes of the entry's content */
    uint64_t content_hash;      /* XXH3-64 of the content */
    const uint64_t *deps;       /* deps_count asset ids this entry references */
    uint32_t deps_count;
    const void *data;           /* stored bytes in the mapping (never a copy) */
} zc_entry;

/* 64-bit asset id of a path: XXH3-64 of its `length` bytes. Pure; any thread. */
uint64_t zc_asset_id(const char *path, size_t length);

/* Look an entry up by path (NUL-terminated, '/'-separated, as `zcpack ls` prints it).
 * ZC_OK fills *out; ZC_ERR_NO_ENTRY when absent; ZC_ERR_INVALID_ARGUMENT on NULL.
 * O(log n), allocation-free, any thread. Compares the path itself, so two paths with
 * colliding ids are never confused. */
zc_result zc_pack_find(const zc_pack *pack, const char *path, zc_entry *out);

/* Look an entry up by asset id. Same contract as zc_pack_find. */
zc_result zc_pack_find_id(const zc_pack *pack, uint64_t id, zc_entry *out);

/* The entry at TOC position index (ids ascending). ZC_ERR_NO_ENTRY when
 * index >= entry_count. O(1), allocation-free, any thread. */
zc_result zc_pack_entry_at(const zc_pack *pack, uint32_t index, zc_entry *out);

/* Number of entries; 0 for NULL. Any thread. */
uint32_t zc_pack_entry_count(const zc_pack *pack);

/* The entry's bytes, in place, checked against the expected type: ZC_OK sets *out_data
 * and *out_size; ZC_ERR_TYPE_MISMATCH when `type` is non-zero and differs;
 * ZC_ERR_LAYOUT_MISMATCH when the type is known and its layout differs from this
 * reader's; ZC_ERR_UNSUPPORTED_CODEC for compressed entries (this version maps
 * uncompressed entries only). Allocation-free, any thread. */
zc_result zc_entry_bytes(const zc_entry *entry, uint32_t type, const void **out_data, uint64_t *out_size);

/* ---------------------------------------------------------------------------------
 * Textures
 *
 * A texture view describes a texture and reaches each of its levels; the runtime fills
 * it from an archived entry (zc_texture_view_from_entry), pointing into the mapping,
 * and the packer fills the same struct from freshly imported data, so engine code
 * that uploads a view needs no second path for archived data.
 * ------------------------------------------------------------------------------- */

typedef struct zc_texture_level_view {
    const void *data;           /* first byte of the level (top row of blocks) */
    uint64_t size;              /* bytes: row_pitch * block rows * depth */
    uint32_t width, height, depth;
    uint32_t row_pitch;         /* bytes between rows of blocks */
} zc_texture_level_view;

typedef struct zc_texture_view {
    zc_pixel_format format;
    uint32_t width, height, depth;  /* level 0, texels */
    uint32_t layers;
    uint32_t mip_count;
    uint32_t flags;                 /* ZC_TEXTURE_* */
    uint32_t row_pitch_align;
    const zc_texture_level *levels; /* archived level records (mip_count * layers) */
    const zc_texture_level_view *level_views; /* or, when filled by the packer, views */
} zc_texture_view;

/* Fill a view from a texture entry, in place. Checks the type, the layout and the
 * codec like zc_entry_bytes, then the texture's whole structure (zc_texture_check:
 * every level against the extent and the format, every level inside the entry), so it
 * is safe on packs opened at any validation level. ZC_ERR_TYPE_MISMATCH,
 * ZC_ERR_LAYOUT_MISMATCH, ZC_ERR_UNSUPPORTED_CODEC, ZC_ERR_BAD_ENTRY, ZC_ERR_LIMIT,
 * ZC_ERR_BAD_POINTER, ZC_ERR_BAD_ALIGNMENT. O(levels); allocation-free; any thread. */
zc_result zc_texture_view_from_entry(const zc_entry *entry, zc_texture_view *out);

/* One level of one layer: pointer into the mapping, size, extent and row pitch.
 * ZC_ERR_NO_ENTRY when level >= mip_count or layer >= layers. O(1); allocation-free;
 * any thread. */
zc_result zc_texture_view_level(const zc_texture_view *view, uint32_t level, uint32_t layer,
                                zc_texture_level_view *out);

#ifdef __cplusplus
}
#endif

#endif /* ZC_PACK_H */
