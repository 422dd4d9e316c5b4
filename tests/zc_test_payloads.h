/* zc_test_payloads.h - typed entry payloads (mesh, material, scene, texture) built in
 * memory from plain descriptions, and packs written from them, for the suites that
 * need valid archived objects to read back or to damage.
 *
 * A payload is one zeroed, 16-byte aligned buffer that grows by reservations; every
 * part is addressed by its entry position, so links stay right however the parts are
 * placed. Builders lay parts out the way formats/SPEC.md allows (records 8-aligned,
 * GPU buffers 16-aligned) and produce payloads that pass the type's check; tests then
 * change single fields to break one rule at a time.
 *
 * Every helper succeeds or fails the calling test with a Criterion assertion, except
 * zct_write_typed_pack, which returns the writer's status.
 */
#ifndef ZC_TEST_PAYLOADS_H
#define ZC_TEST_PAYLOADS_H

#include <stddef.h>
#include <stdint.h>

#include "zc_pack.h"

typedef struct zct_payload {
    uint8_t *bytes;             /* 16-byte aligned, zero beyond `size` */
    size_t size;                /* entry size: the end of the last reservation */
    size_t cap;
} zct_payload;

/* An empty payload able to hold `cap` bytes. */
void zct_payload_init(zct_payload *p, size_t cap);
void zct_payload_free(zct_payload *p);

/* Reserve `size` zeroed bytes at the first position >= p->size aligned to `align`;
 * returns the position. */
size_t zct_payload_reserve(zct_payload *p, size_t size, size_t align);

/* Reserve and copy `size` bytes (data may be NULL to leave them zero). */
size_t zct_payload_append(zct_payload *p, const void *data, size_t size, size_t align);

/* Point the zc_array (or zc_string: same encoding) at field_pos to target_pos with
 * `count` elements; count 0 stores the null pointer. */
void zct_payload_link(zct_payload *p, size_t field_pos, size_t target_pos, uint64_t count);

/* Append `length` bytes of text and a NUL and link the zc_string at field_pos to
 * them; length 0 stores the null (empty) string. */
void zct_payload_string(zct_payload *p, size_t field_pos, const char *text, size_t length);

/* Typed pointer to entry position `pos`. */
#define ZCT_AT(p, type, pos) ((type *)((p)->bytes + (pos)))

/* ---------------------------------------------------------------------------------
 * Builders
 * ------------------------------------------------------------------------------- */

typedef struct zct_mesh_desc {
    uint32_t vertex_count;
    uint32_t stream_count;
    uint32_t strides[ZC_MESH_MAX_STREAMS];
    const void *stream_data[ZC_MESH_MAX_STREAMS];  /* vertex_count * stride bytes each */
    uint32_t attribute_count;
    const zc_vertex_attribute *attributes;
    uint32_t index_count;
    uint32_t index_size;                            /* 2 or 4 */
    const void *indices;
    uint32_t submesh_count;                         /* 0: one submesh over every index */
    const zc_submesh *submeshes;
    float aabb_min[3], aabb_max[3];
    float sphere_center[3], sphere_radius;
    uint32_t meshlet_count;                         /* 0: no meshlets */
    const zc_meshlet *meshlets;
    uint32_t meshlet_vertex_count;
    const uint32_t *meshlet_vertices;
    uint32_t meshlet_triangle_bytes;
    const uint8_t *meshlet_triangles;
} zct_mesh_desc;

/* Mesh: header, stream records, attributes, submeshes, then each stream's data, the
 * indices and the meshlet arrays, each at the next multiple of 16. */
void zct_build_mesh(zct_payload *p, const zct_mesh_desc *d);

/* Material: the header with every field of `fields` except struct_size (set) and
 * name (linked to a copy of `name` after the header). */
void zct_build_material(zct_payload *p, const zc_material *fields, const char *name);

typedef struct zct_scene_desc {
    uint32_t node_count;
    const zc_scene_node *nodes;                     /* name fields are ignored */
    const char *const *names;                       /* node_count names; "" = unnamed */
    uint32_t mesh_count;
    const zc_scene_mesh *meshes;
    uint32_t camera_count;
    const zc_camera *cameras;
    uint32_t light_count;
    const zc_light *lights;
} zct_scene_desc;

/* Scene: header, nodes, the sorted name index, mesh instances, cameras, lights, then
 * the names with their NULs. */
void zct_build_scene(zct_payload *p, const zct_scene_desc *d);

/* A node with identity transform, no camera, light or meshes, under `parent`. */
zc_scene_node zct_scene_node(int32_t parent);

/* A one-level RGBA8_UNORM texture of width x height texels (tight rows). */
void zct_build_texture_rgba8(zct_payload *p, uint32_t width, uint32_t height, const uint8_t *rgba);

/* ---------------------------------------------------------------------------------
 * Packs
 * ------------------------------------------------------------------------------- */

typedef struct zct_typed_entry {
    const char *path;
    uint32_t type;              /* a registered tag: its layout hash is taken from zc_types.h */
    const void *data;
    size_t size;
    uint32_t align_log2;        /* 0 = writer default */
} zct_typed_entry;

/* Write the entries, in order, into a pack at `out`. verify = 0 skips the writer's
 * re-open at level CHECKSUMS, so damaged entries can be written. Returns the writer's
 * result. */
zc_result zct_write_typed_pack(const char *out, const zct_typed_entry *entries, size_t count, int verify);

#endif /* ZC_TEST_PAYLOADS_H */
