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

/* The same from a texture payload in memory (16-byte aligned; ZC_ERR_INVALID_ARGUMENT
 * otherwise), e.g. an entry the packer has just built or one decoded from a compressed
 * entry. Level pointers point into `data`. Same checks and errors, without the type,
 * layout and codec checks of an entry. */
zc_result zc_texture_view_from_bytes(const void *data, uint64_t size, zc_texture_view *out);

/* One level of one layer: pointer into the mapping, size, extent and row pitch.
 * ZC_ERR_NO_ENTRY when level >= mip_count or layer >= layers. O(1); allocation-free;
 * any thread. */
zc_result zc_texture_view_level(const zc_texture_view *view, uint32_t level, uint32_t layer,
                                zc_texture_level_view *out);

/* ---------------------------------------------------------------------------------
 * References between entries
 * ------------------------------------------------------------------------------- */

/* Resolve an asset id found inside an entry (a material's texture, a submesh's
 * material, a scene's mesh) to the entry it names, checking its type: ZC_OK fills
 * *out; ZC_ERR_NO_ENTRY when no entry has the id (id 0 included: it means "none" and
 * callers test it first); ZC_ERR_TYPE_MISMATCH when the entry is not of `type`
 * (0 accepts any type), with *out filled all the same so the caller can name the
 * entry it found; ZC_ERR_INVALID_ARGUMENT on NULL. Logs nothing. O(log n);
 * allocation-free; any thread. */
zc_result zc_pack_resolve(const zc_pack *pack, uint64_t id, uint32_t type, zc_entry *out);

/* ---------------------------------------------------------------------------------
 * Meshes, materials and scenes
 *
 * As for textures, a view is a small struct of pointers and counts. The runtime fills
 * one from an entry (zc_*_view_from_entry: pointers into the mapping) and anyone can
 * fill one from a payload in memory (zc_*_view_from_bytes), which is how the packer
 * hands out freshly imported models: engine code that draws a view has one path for
 * both. Every view_from_* call runs the type's full structural check first (SPEC.md),
 * so a view is safe to walk whatever the pack's validation level: every index is
 * below vertex_count, every stream lies inside the entry, every parent is earlier.
 * Pointers in a view live as long as the bytes they point into (lifetime rule 1 for
 * entries; the caller's buffer for _from_bytes). Views need no cleanup.
 * ------------------------------------------------------------------------------- */

typedef struct zc_vertex_stream_view {
    const void *data;               /* vertex_count * stride bytes, 16-byte aligned */
    uint32_t stride;                /* bytes per vertex */
} zc_vertex_stream_view;

typedef struct zc_mesh_view {
    uint32_t vertex_count;
    uint32_t index_count;           /* a multiple of 3: a triangle list, counter-clockwise front */
    uint32_t index_size;            /* 2 (uint16_t indices) or 4 (uint32_t) */
    float aabb_min[3], aabb_max[3]; /* object-space bounds */
    float sphere_center[3], sphere_radius;
    uint32_t stream_count;          /* [1, ZC_MESH_MAX_STREAMS] */
    zc_vertex_stream_view streams[ZC_MESH_MAX_STREAMS];
    uint32_t attribute_count;
    const zc_vertex_attribute *attributes;  /* semantic, format, stream, offset */
    const void *indices;            /* index_count * index_size bytes */
    uint32_t submesh_count;
    const zc_submesh *submeshes;    /* index ranges and material asset ids */
    uint32_t meshlet_count;         /* 0: no meshlets */
    const zc_meshlet *meshlets;
    const uint32_t *meshlet_vertices;
    const uint8_t *meshlet_triangles;
} zc_mesh_view;

/* Fill a mesh view from a mesh entry / from a mesh payload in memory. Checks type,
 * layout and codec like zc_entry_bytes (from_entry only), then zc_mesh_check. On any
 * error *out is zeroed. Errors: ZC_ERR_INVALID_ARGUMENT (NULL, or a payload that is
 * not 16-byte aligned), ZC_ERR_TYPE_MISMATCH, ZC_ERR_LAYOUT_MISMATCH,
 * ZC_ERR_UNSUPPORTED_CODEC and the check's structural errors (ZC_ERR_BAD_ENTRY,
 * ZC_ERR_BAD_POINTER, ZC_ERR_BAD_STRING, ZC_ERR_LIMIT, ZC_ERR_BAD_ALIGNMENT).
 * O(indices + meshlets); allocation-free; any thread. Untrusted input: safe. */
zc_result zc_mesh_view_from_entry(const zc_entry *entry, zc_mesh_view *out);
zc_result zc_mesh_view_from_bytes(const void *payload, uint64_t size, zc_mesh_view *out);

/* The attribute with `semantic` (zc_vertex_semantic), NULL when the mesh has none.
 * Any thread. */
const zc_vertex_attribute *zc_mesh_view_attribute(const zc_mesh_view *view, uint32_t semantic);

/* Read attribute `attr` (one of view->attributes) of vertex `vertex` as floats in
 * out[0..3]. FLOAT formats are read as they are (binary16 widened exactly), SNORM as
 * max(v / (2^(n-1) - 1), -1), UNORM as v / (2^n - 1), UINT as the integer value.
 * A POSITION is always x, y, z with out[3] = 1 (a fourth stored component is padding)
 * and a normalized POSITION is mapped back onto the bounds (zc_mesh.h). Components the
 * format lacks are 0. Returns the number of components (3 for POSITION, else the
 * format's), 0 with out zeroed when vertex >= vertex_count, attr is NULL or does not
 * fit its stream. For tools and tests; an engine uploads the streams as they lie.
 * Allocation-free; any thread. */
uint32_t zc_mesh_view_read(const zc_mesh_view *view, const zc_vertex_attribute *attr, uint32_t vertex,
                           float out[4]);

/* Index `i` of the index buffer, whatever its size; 0 when i >= index_count. Any
 * thread. */
uint32_t zc_mesh_view_index(const zc_mesh_view *view, uint32_t i);

typedef struct zc_material_texture_view {
    uint64_t texture;               /* asset id of a texture entry; 0 = none */
    uint32_t texcoord;              /* TEXCOORD set the texture is sampled with */
} zc_material_texture_view;

typedef struct zc_material_view {
    const char *name;               /* NUL-terminated UTF-8, never NULL (may be "") */
    uint32_t name_length;
    zc_alpha_mode alpha_mode;
    uint32_t flags;                 /* ZC_MATERIAL_* */
    float alpha_cutoff;
    float base_color_factor[4];     /* linear RGBA */
    float emissive_factor[3];
    float metallic_factor, roughness_factor;
    float normal_scale, occlusion_strength;
    zc_material_texture_view textures[ZC_MATERIAL_SLOT_COUNT]; /* indexed by zc_material_slot */
} zc_material_view;

/* Fill a material view (the same contract as zc_mesh_view_from_entry, with
 * zc_material_check; on error *out is zeroed with name = ""). O(name length);
 * allocation-free; any thread. */
zc_result zc_material_view_from_entry(const zc_entry *entry, zc_material_view *out);
zc_result zc_material_view_from_bytes(const void *payload, uint64_t size, zc_material_view *out);

typedef struct zc_scene_view {
    uint32_t node_count;
    const zc_scene_node *nodes;     /* depth-first pre-order: parent < own index, -1 = root */
    uint32_t mesh_count;
    const zc_scene_mesh *meshes;    /* node i draws meshes[nodes[i].mesh_first, +mesh_count) */
    uint32_t camera_count;
    const zc_camera *cameras;
    uint32_t light_count;
    const zc_light *lights;
    const zc_scene *scene;          /* the archived header, for zc_scene_find_node */
} zc_scene_view;

/* Fill a scene view (the same contract as zc_mesh_view_from_entry, with
 * zc_scene_check). O(nodes + name bytes); allocation-free; any thread. */
zc_result zc_scene_view_from_entry(const zc_entry *entry, zc_scene_view *out);
zc_result zc_scene_view_from_bytes(const void *payload, uint64_t size, zc_scene_view *out);

/* Name of node `node` (NUL-terminated UTF-8, "" when unnamed or out of range) and its
 * length. Any thread. */
const char *zc_scene_view_node_name(const zc_scene_view *view, uint32_t node, uint32_t *out_length);

/* Index of the lowest-numbered node named `name` (NUL-terminated, compared bytewise),
 * -1 when none or when name or view is NULL. Binary search of the scene's name index:
 * O(log nodes), allocation-free, any thread. */
int32_t zc_scene_view_find_node(const zc_scene_view *view, const char *name);

/* World transform of every node, column-major 4x4 (element [column * 4 + row]):
 * world[i] = world[parent] * T * R * S, or T * R * S for a root, where R is the
 * rotation of the node's quaternion (normalized). Written to out_world[node_count][16]
 * in one forward pass (parents precede their children). The caller owns the buffer;
 * NULL arguments are a no-op; allocation-free; any thread. */
void zc_scene_view_world_transforms(const zc_scene_view *view, float (*out_world)[16]);

#ifdef __cplusplus
}
#endif

#endif /* ZC_PACK_H */
