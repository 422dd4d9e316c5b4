/* zc_mesh.h - the mesh entry type: indexed triangle lists whose vertex streams, index
 * buffer and optional meshlets lie in the entry ready for a GPU upload as they are.
 *
 * Payload layout (SPEC.md, "Mesh"):
 *
 *   zc_mesh                                   at offset 0 of the entry
 *   zc_vertex_stream[streams.count]           records, 8-byte aligned
 *   zc_vertex_attribute[attributes.count]     records, 8-byte aligned
 *   zc_submesh[submeshes.count]               records, 8-byte aligned
 *   vertex data of each stream                vertex_count * stride bytes each
 *   index data                                index_count * index_size bytes
 *   zc_meshlet[meshlets.count]                optional, for mesh-shader pipelines
 *   u32 meshlet_vertices[]                    optional: mesh vertex indices
 *   u8  meshlet_triangles[]                   optional: triples of meshlet-local indices
 *
 * Every buffer a GPU reads (stream data, indices, the three meshlet arrays) begins at an
 * entry position aligned to ZC_MESH_DATA_ALIGN; the records are found only through the
 * header's arrays, never by position arithmetic. The primitive is always a triangle
 * list with counter-clockwise front faces.
 *
 * A vertex is described by attributes, each one reading `format` at byte `offset` of
 * the vertex in stream `stream`. An attribute whose format is normalized (SNORM/UNORM)
 * holds, for POSITION, a position relative to the bounds: UNORM maps [0, 1] and SNORM
 * maps [-1, 1] linearly onto [aabb_min, aabb_max] per axis; for every other semantic
 * the normalized value is the value itself.
 *
 * The second half of this header, zc_mesh_check, checks an entry of this type
 * (untrusted bytes); zc_pack.h leaves it out. Pure: no I/O, no allocation.
 */
#ifndef ZC_MESH_LAYOUT_H
#define ZC_MESH_LAYOUT_H

#include "zc_layout.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZC_TYPE_MESH ZC_FOURCC('M', 'E', 'S', 'H')

#define ZC_MESH_LAYOUT_DESC                                                                       \
    "mesh/1:struct_size@0:u32,flags@4:u32,vertex_count@8:u32,index_count@12:u32,"                 \
    "index_size@16:u32,reserved0@20:u32,aabb_min@24:f32x3,aabb_max@36:f32x3,"                     \
    "sphere_center@48:f32x3,sphere_radius@60:f32,streams@64:array,attributes@80:array,"           \
    "indices@96:array,submeshes@112:array,meshlets@128:array,meshlet_vertices@144:array,"         \
    "meshlet_triangles@160:array,reserved1@176:u64x2;"                                            \
    "stream:data@0:array,stride@16:u32,reserved@20:u32;"                                          \
    "attribute:semantic@0:u8,format@1:u8,stream@2:u8,reserved0@3:u8,offset@4:u16,reserved1@6:u16;" \
    "submesh:index_offset@0:u32,index_count@4:u32,material@8:u64,meshlet_offset@16:u32,"          \
    "meshlet_count@20:u32;meshlet:vertex_offset@0:u32,triangle_offset@4:u32,vertex_count@8:u32,"  \
    "triangle_count@12:u32"
#define ZC_MESH_LAYOUT_HASH 0xdd4d4746u /* zc_layout_hash(ZC_MESH_LAYOUT_DESC) */

#define ZC_MESH_MAX_VERTICES   (1u << 28)
#define ZC_MESH_MAX_INDICES    (1u << 28)  /* a multiple of 3 at most this */
#define ZC_MESH_MAX_STREAMS    8u
#define ZC_MESH_MAX_ATTRIBUTES 16u
#define ZC_MESH_MAX_STRIDE     256u        /* bytes of one vertex in one stream */
#define ZC_MESH_MAX_SUBMESHES  65536u
#define ZC_MESH_MAX_MESHLETS   (1u << 24)
#define ZC_MESH_MAX_MESHLET_VERTICES  255u /* vertices referenced by one meshlet */
#define ZC_MESH_MAX_MESHLET_TRIANGLES 512u /* triangles of one meshlet */
#define ZC_MESH_RECORD_ALIGN   8u          /* streams, attributes, submeshes */
#define ZC_MESH_DATA_ALIGN     16u         /* every GPU buffer in the entry */
#define ZC_MESH_ATTRIBUTE_ALIGN 4u         /* every stride and attribute offset */

/* Vertex semantics. Values are stable; new semantics are appended.
 * X(name, value, minimum components, integer format required) */
#define ZC_VERTEX_SEMANTIC_LIST(X) \
    X(POSITION,  1, 3, 0)          \
    X(NORMAL,    2, 3, 0)          \
    X(TANGENT,   3, 4, 0) /* xyz, w = handedness of the bitangent (+1 or -1) */ \
    X(TEXCOORD0, 4, 2, 0)          \
    X(TEXCOORD1, 5, 2, 0)          \
    X(COLOR0,    6, 3, 0)          \
    X(JOINTS0,   7, 4, 1)          \
    X(WEIGHTS0,  8, 4, 0)

typedef enum zc_vertex_semantic {
    ZC_SEMANTIC_UNDEFINED = 0,
#define ZC__SEMANTIC_ENUM(name, value, comps, integer) ZC_SEMANTIC_##name = value,
    ZC_VERTEX_SEMANTIC_LIST(ZC__SEMANTIC_ENUM)
#undef ZC__SEMANTIC_ENUM
    ZC__SEMANTIC_COUNT
} zc_vertex_semantic;

/* Vertex formats. Values are stable; new formats are appended.
 * X(name, value, bytes, components, integer) */
#define ZC_VERTEX_FORMAT_LIST(X)    \
    X(FLOAT32x2,  1,  8, 2, 0)      \
    X(FLOAT32x3,  2, 12, 3, 0)      \
    X(FLOAT32x4,  3, 16, 4, 0)      \
    X(FLOAT16x2,  4,  4, 2, 0)      \
    X(FLOAT16x4,  5,  8, 4, 0)      \
    X(SNORM16x2,  6,  4, 2, 0)      \
    X(SNORM16x4,  7,  8, 4, 0)      \
    X(UNORM16x2,  8,  4, 2, 0)      \
    X(UNORM16x4,  9,  8, 4, 0)      \
    X(SNORM8x4,  10,  4, 4, 0)      \
    X(UNORM8x4,  11,  4, 4, 0)      \
    X(UINT8x4,   12,  4, 4, 1)      \
    X(UINT16x4,  13,  8, 4, 1)

typedef enum zc_vertex_format {
    ZC_VERTEX_FORMAT_UNDEFINED = 0,
#define ZC__VFORMAT_ENUM(name, value, bytes, comps, integer) ZC_VERTEX_FORMAT_##name = value,
    ZC_VERTEX_FORMAT_LIST(ZC__VFORMAT_ENUM)
#undef ZC__VFORMAT_ENUM
    ZC__VERTEX_FORMAT_COUNT
} zc_vertex_format;

typedef struct zc_mesh {
    uint32_t struct_size;       /* sizeof(zc_mesh) of the writer; readers accept larger */
    uint32_t flags;             /* none defined in version 1: zero */
    uint32_t vertex_count;      /* [1, ZC_MESH_MAX_VERTICES] */
    uint32_t index_count;       /* [3, ZC_MESH_MAX_INDICES], a multiple of 3 */
    uint32_t index_size;        /* bytes per index: 2 or 4 */
    uint32_t reserved0;         /* zero */
    float    aabb_min[3];       /* object-space bounds of every position: finite, min <= max */
    float    aabb_max[3];
    float    sphere_center[3];  /* bounding sphere: finite */
    float    sphere_radius;     /* finite, >= 0 */
    zc_array streams;           /* zc_vertex_stream[1, ZC_MESH_MAX_STREAMS] */
    zc_array attributes;        /* zc_vertex_attribute[1, ZC_MESH_MAX_ATTRIBUTES] */
    zc_array indices;           /* bytes: index_count * index_size, each index < vertex_count */
    zc_array submeshes;         /* zc_submesh[1, ZC_MESH_MAX_SUBMESHES] */
    zc_array meshlets;          /* zc_meshlet[0, ZC_MESH_MAX_MESHLETS]; empty = no meshlets */
    zc_array meshlet_vertices;  /* u32 mesh vertex indices; empty without meshlets */
    zc_array meshlet_triangles; /* u8: 3 meshlet-local indices per triangle; empty without meshlets */
    uint64_t reserved1[2];      /* zero */
} zc_mesh;

typedef struct zc_vertex_stream {
    zc_array data;              /* bytes: vertex_count * stride, aligned to ZC_MESH_DATA_ALIGN */
    uint32_t stride;            /* bytes per vertex, a multiple of 4 in [4, ZC_MESH_MAX_STRIDE] */
    uint32_t reserved;          /* zero */
} zc_vertex_stream;

typedef struct zc_vertex_attribute {
    uint8_t  semantic;          /* zc_vertex_semantic; each at most once per mesh */
    uint8_t  format;            /* zc_vertex_format */
    uint8_t  stream;            /* index into streams */
    uint8_t  reserved0;         /* zero */
    uint16_t offset;            /* byte offset in the vertex: a multiple of 4, offset + size <= stride */
    uint16_t reserved1;         /* zero */
} zc_vertex_attribute;

typedef struct zc_submesh {
    uint32_t index_offset;      /* first index, a multiple of 3 */
    uint32_t index_count;       /* a multiple of 3, >= 3; the range lies inside the index buffer */
    uint64_t material;          /* asset id of a material entry; 0 = none */
    uint32_t meshlet_offset;    /* the submesh's meshlets; both 0 when the mesh has none */
    uint32_t meshlet_count;
} zc_submesh;

typedef struct zc_meshlet {
    uint32_t vertex_offset;     /* first element of meshlet_vertices */
    uint32_t triangle_offset;   /* first byte of meshlet_triangles */
    uint32_t vertex_count;      /* [1, ZC_MESH_MAX_MESHLET_VERTICES] */
    uint32_t triangle_count;    /* [1, ZC_MESH_MAX_MESHLET_TRIANGLES] */
} zc_meshlet;

ZC_STATIC_ASSERT(sizeof(float) == 4, "float is binary32");
ZC_STATIC_ASSERT(sizeof(zc_mesh) == 192, "zc_mesh size");
ZC_CHECK_LAYOUT(zc_mesh, struct_size, 0);
ZC_CHECK_LAYOUT(zc_mesh, flags, 4);
ZC_CHECK_LAYOUT(zc_mesh, vertex_count, 8);
ZC_CHECK_LAYOUT(zc_mesh, index_count, 12);
ZC_CHECK_LAYOUT(zc_mesh, index_size, 16);
ZC_CHECK_LAYOUT(zc_mesh, reserved0, 20);
ZC_CHECK_LAYOUT(zc_mesh, aabb_min, 24);
ZC_CHECK_LAYOUT(zc_mesh, aabb_max, 36);
ZC_CHECK_LAYOUT(zc_mesh, sphere_center, 48);
ZC_CHECK_LAYOUT(zc_mesh, sphere_radius, 60);
ZC_CHECK_LAYOUT(zc_mesh, streams, 64);
ZC_CHECK_LAYOUT(zc_mesh, attributes, 80);
ZC_CHECK_LAYOUT(zc_mesh, indices, 96);
ZC_CHECK_LAYOUT(zc_mesh, submeshes, 112);
ZC_CHECK_LAYOUT(zc_mesh, meshlets, 128);
ZC_CHECK_LAYOUT(zc_mesh, meshlet_vertices, 144);
ZC_CHECK_LAYOUT(zc_mesh, meshlet_triangles, 160);
ZC_CHECK_LAYOUT(zc_mesh, reserved1, 176);
ZC_STATIC_ASSERT(sizeof(zc_vertex_stream) == 24, "zc_vertex_stream size");
ZC_CHECK_LAYOUT(zc_vertex_stream, data, 0);
ZC_CHECK_LAYOUT(zc_vertex_stream, stride, 16);
ZC_CHECK_LAYOUT(zc_vertex_stream, reserved, 20);
ZC_STATIC_ASSERT(sizeof(zc_vertex_attribute) == 8, "zc_vertex_attribute size");
ZC_CHECK_LAYOUT(zc_vertex_attribute, semantic, 0);
ZC_CHECK_LAYOUT(zc_vertex_attribute, format, 1);
ZC_CHECK_LAYOUT(zc_vertex_attribute, stream, 2);
ZC_CHECK_LAYOUT(zc_vertex_attribute, reserved0, 3);
ZC_CHECK_LAYOUT(zc_vertex_attribute, offset, 4);
ZC_CHECK_LAYOUT(zc_vertex_attribute, reserved1, 6);
ZC_STATIC_ASSERT(sizeof(zc_submesh) == 24, "zc_submesh size");
ZC_CHECK_LAYOUT(zc_submesh, index_offset, 0);
ZC_CHECK_LAYOUT(zc_submesh, index_count, 4);
ZC_CHECK_LAYOUT(zc_submesh, material, 8);
ZC_CHECK_LAYOUT(zc_submesh, meshlet_offset, 16);
ZC_CHECK_LAYOUT(zc_submesh, meshlet_count, 20);
ZC_STATIC_ASSERT(sizeof(zc_meshlet) == 16, "zc_meshlet size");
ZC_CHECK_LAYOUT(zc_meshlet, vertex_offset, 0);
ZC_CHECK_LAYOUT(zc_meshlet, triangle_offset, 4);
ZC_CHECK_LAYOUT(zc_meshlet, vertex_count, 8);
ZC_CHECK_LAYOUT(zc_meshlet, triangle_count, 12);

/* Shape of a vertex format: 1 and fills the outputs for defined formats, 0 for
 * ZC_VERTEX_FORMAT_UNDEFINED and values outside the list. Pure; safe on any value. */
static inline int zc_vertex_format_info(uint32_t format, uint32_t *bytes, uint32_t *components, int *integer) {
    switch (format) {
#define ZC__VFORMAT_INFO(name, value, bytes_, comps, integer_) \
    case value: *bytes = bytes_; *components = comps; *integer = integer_; return 1;
    ZC_VERTEX_FORMAT_LIST(ZC__VFORMAT_INFO)
#undef ZC__VFORMAT_INFO
    default: return 0;
    }
}

/* "FLOAT32x3"; NULL for undefined values. Pure. */
static inline const char *zc_vertex_format_name(uint32_t format) {
    switch (format) {
#define ZC__VFORMAT_NAME(name, value, bytes, comps, integer) case value: return #name;
    ZC_VERTEX_FORMAT_LIST(ZC__VFORMAT_NAME)
#undef ZC__VFORMAT_NAME
    default: return NULL;
    }
}

/* Requirements of a semantic: 1 and fills the outputs for defined semantics, else 0.
 * Pure; safe on any value. */
static inline int zc_vertex_semantic_info(uint32_t semantic, uint32_t *min_components, int *integer) {
    switch (semantic) {
#define ZC__SEMANTIC_INFO(name, value, comps, integer_) \
    case value: *min_components = comps; *integer = integer_; return 1;
    ZC_VERTEX_SEMANTIC_LIST(ZC__SEMANTIC_INFO)
#undef ZC__SEMANTIC_INFO
    default: return 0;
    }
}

/* "TEXCOORD0"; NULL for undefined values. Pure. */
static inline const char *zc_vertex_semantic_name(uint32_t semantic) {
    switch (semantic) {
#define ZC__SEMANTIC_NAME(name, value, comps, integer) case value: return #name;
    ZC_VERTEX_SEMANTIC_LIST(ZC__SEMANTIC_NAME)
#undef ZC__SEMANTIC_NAME
    default: return NULL;
    }
}

/* The attribute with `semantic`, NULL when the mesh has none. Trusted input only
 * (after zc_mesh_check). */
static inline const zc_vertex_attribute *zc_mesh_find_attribute(const zc_mesh *mesh, uint32_t semantic) {
    const zc_vertex_attribute *a = (const zc_vertex_attribute *)zc_array_data(&mesh->attributes);
    for (uint64_t i = 0; i < mesh->attributes.count; ++i)
        if (a[i].semantic == semantic) return &a[i];
    return NULL;
}

#ifdef __cplusplus
}
#endif

#endif /* ZC_MESH_LAYOUT_H */

/* ---------------------------------------------------------------------------------
 * The check (formats/zc_format.h's diagnostics). Left out while ZC__LAYOUT_ONLY is
 * defined, as zc_pack.h includes this header; included again without it (zc_types.h,
 * zc_pack_format.h), it adds the check.
 * ------------------------------------------------------------------------------- */

#if !defined(ZC__LAYOUT_ONLY) && !defined(ZC_MESH_H)
#define ZC_MESH_H

#include "zc_format.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Full structural check of a mesh payload: header fields, limits, bounds, every array's
 * placement, attribute layout, every index, submesh ranges and meshlets. Everything a
 * GPU or a draw loop trusts is checked: after success no index, attribute read, submesh
 * or meshlet range leaves its buffer. Bounds are checked for shape, not recomputed from
 * the positions. Untrusted; O(index_count + meshlet data); no allocation. */
static inline zc_result zc_mesh_check(const void *payload, uint64_t size, zc_diag *diag) {
    if (size < sizeof(zc_mesh))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh entry of %llu bytes is smaller than its header",
                       (unsigned long long)size);
    const zc_mesh *m = (const zc_mesh *)payload;
    if (m->struct_size < sizeof(zc_mesh) || m->struct_size > size || m->struct_size % 8 != 0)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh struct_size %u is invalid", m->struct_size);
    if (m->flags != 0)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh has unknown flags 0x%08x", m->flags);
    if (m->reserved0 != 0 || m->reserved1[0] != 0 || m->reserved1[1] != 0)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh reserved fields are not zero");
    if (m->index_size != 2 && m->index_size != 4)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh index_size %u is neither 2 nor 4", m->index_size);
    if (m->vertex_count == 0 || m->vertex_count > ZC_MESH_MAX_VERTICES)
        return zc_fail(diag, ZC_ERR_LIMIT, "mesh has %u vertices, allowed 1 to %u", m->vertex_count,
                       ZC_MESH_MAX_VERTICES);
    if (m->index_count == 0 || m->index_count > ZC_MESH_MAX_INDICES)
        return zc_fail(diag, ZC_ERR_LIMIT, "mesh has %u indices, allowed 3 to %u", m->index_count,
                       ZC_MESH_MAX_INDICES);
    if (m->index_count % 3 != 0)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh index_count %u is not a multiple of 3", m->index_count);
    for (int k = 0; k < 3; ++k) {
        if (!zc_f32_finite(m->aabb_min[k]) || !zc_f32_finite(m->aabb_max[k]) ||
            !(m->aabb_min[k] <= m->aabb_max[k]))
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh bounds on axis %d are not finite with min <= max", k);
        if (!zc_f32_finite(m->sphere_center[k]))
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh bounding sphere center is not finite");
    }
    if (!zc_f32_finite(m->sphere_radius) || !(m->sphere_radius >= 0.0f))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh bounding sphere radius is not finite and >= 0");

    /* Streams: each holds exactly vertex_count * stride bytes (< 2^36: no overflow). */
    if (m->streams.count == 0)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh has no vertex stream");
    zc_result r = zc_check_array(payload, size, &m->streams, sizeof(zc_vertex_stream), ZC_MESH_RECORD_ALIGN,
                                 ZC_MESH_MAX_STREAMS, diag);
    if (r != ZC_OK) return r;
    const zc_vertex_stream *streams = (const zc_vertex_stream *)zc_array_data(&m->streams);
    for (uint64_t s = 0; s < m->streams.count; ++s) {
        const zc_vertex_stream *st = &streams[s];
        if (st->stride == 0 || st->stride > ZC_MESH_MAX_STRIDE)
            return zc_fail(diag, ZC_ERR_LIMIT, "mesh stream %llu stride %u is outside [4, %u]",
                           (unsigned long long)s, st->stride, ZC_MESH_MAX_STRIDE);
        if (st->stride % ZC_MESH_ATTRIBUTE_ALIGN != 0)
            return zc_fail(diag, ZC_ERR_BAD_ALIGNMENT, "mesh stream %llu stride %u is not a multiple of %u",
                           (unsigned long long)s, st->stride, ZC_MESH_ATTRIBUTE_ALIGN);
        if (st->reserved != 0)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh stream %llu reserved field is not zero", (unsigned long long)s);
        uint64_t need = (uint64_t)m->vertex_count * st->stride;
        if (st->data.count != need)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh stream %llu holds %llu bytes, expected %llu",
                           (unsigned long long)s, (unsigned long long)st->data.count, (unsigned long long)need);
        r = zc_check_array(payload, size, &st->data, 1, ZC_MESH_DATA_ALIGN, UINT64_MAX, diag);
        if (r != ZC_OK) return r;
    }

    /* Attributes: defined enums, each semantic once, inside its stream's vertex. */
    r = zc_check_array(payload, size, &m->attributes, sizeof(zc_vertex_attribute), ZC_MESH_RECORD_ALIGN,
                       ZC_MESH_MAX_ATTRIBUTES, diag);
    if (r != ZC_OK) return r;
    const zc_vertex_attribute *attrs = (const zc_vertex_attribute *)zc_array_data(&m->attributes);
    uint32_t seen = 0; /* bit per semantic value; values are < 32 */
    for (uint64_t i = 0; i < m->attributes.count; ++i) {
        const zc_vertex_attribute *a = &attrs[i];
        uint32_t min_comps = 0, bytes = 0, comps = 0;
        int want_int = 0, is_int = 0;
        if (!zc_vertex_semantic_info(a->semantic, &min_comps, &want_int))
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh attribute %llu semantic %u is not defined",
                           (unsigned long long)i, a->semantic);
        if (!zc_vertex_format_info(a->format, &bytes, &comps, &is_int))
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh attribute %llu (%s) format %u is not defined",
                           (unsigned long long)i, zc_vertex_semantic_name(a->semantic), a->format);
        if (comps < min_comps || is_int != want_int)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh attribute %llu: %s cannot be stored as %s",
                           (unsigned long long)i, zc_vertex_semantic_name(a->semantic), zc_vertex_format_name(a->format));
        if (seen & (1u << a->semantic))
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh attribute %llu: semantic %s appears twice",
                           (unsigned long long)i, zc_vertex_semantic_name(a->semantic));
        seen |= 1u << a->semantic;
        if (a->reserved0 != 0 || a->reserved1 != 0)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh attribute %llu reserved fields are not zero",
                           (unsigned long long)i);
        if (a->stream >= m->streams.count)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh attribute %llu (%s) reads stream %u of %llu",
                           (unsigned long long)i, zc_vertex_semantic_name(a->semantic), a->stream,
                           (unsigned long long)m->streams.count);
        if (a->offset % ZC_MESH_ATTRIBUTE_ALIGN != 0)
            return zc_fail(diag, ZC_ERR_BAD_ALIGNMENT, "mesh attribute %llu (%s) offset %u is not a multiple of %u",
                           (unsigned long long)i, zc_vertex_semantic_name(a->semantic), a->offset,
                           ZC_MESH_ATTRIBUTE_ALIGN);
        uint32_t stride = streams[a->stream].stride;
        if ((uint32_t)a->offset + bytes > stride)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh attribute %llu (%s) at %u (+%u) overruns the %u-byte vertex",
                           (unsigned long long)i, zc_vertex_semantic_name(a->semantic), a->offset, bytes, stride);
    }
    if (!(seen & (1u << ZC_SEMANTIC_POSITION)))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh has no POSITION attribute");

    /* Indices: exactly index_count * index_size bytes, every index < vertex_count. */
    uint64_t index_bytes = (uint64_t)m->index_count * m->index_size;
    if (m->indices.count != index_bytes)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh index buffer holds %llu bytes, expected %llu",
                       (unsigned long long)m->indices.count, (unsigned long long)index_bytes);
    r = zc_check_array(payload, size, &m->indices, 1, ZC_MESH_DATA_ALIGN, UINT64_MAX, diag);
    if (r != ZC_OK) return r;
    uint32_t max_index = 0;
    if (m->index_size == 2) {
        const uint16_t *ix = (const uint16_t *)zc_array_data(&m->indices);
        for (uint32_t i = 0; i < m->index_count; ++i)
            if (ix[i] > max_index) max_index = ix[i];
    } else {
        const uint32_t *ix = (const uint32_t *)zc_array_data(&m->indices);
        for (uint32_t i = 0; i < m->index_count; ++i)
            if (ix[i] > max_index) max_index = ix[i];
    }
    if (max_index >= m->vertex_count)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh index %u is out of range for %u vertices", max_index,
                       m->vertex_count);

    /* Meshlets: in order, disjoint ranges of their two arrays, so the check is linear
     * in the entry size; every byte of every meshlet's triangles is checked. */
    uint64_t meshlet_count = m->meshlets.count;
    if (meshlet_count == 0 && (m->meshlet_vertices.count != 0 || m->meshlet_triangles.count != 0))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh has meshlet vertices or triangles but no meshlets");
    r = zc_check_array(payload, size, &m->meshlets, sizeof(zc_meshlet), ZC_MESH_DATA_ALIGN, ZC_MESH_MAX_MESHLETS,
                       diag);
    if (r != ZC_OK) return r;
    r = zc_check_array(payload, size, &m->meshlet_vertices, 4, ZC_MESH_DATA_ALIGN,
                       (uint64_t)ZC_MESH_MAX_MESHLETS * ZC_MESH_MAX_MESHLET_VERTICES, diag);
    if (r != ZC_OK) return r;
    r = zc_check_array(payload, size, &m->meshlet_triangles, 1, ZC_MESH_DATA_ALIGN,
                       (uint64_t)ZC_MESH_MAX_MESHLETS * ZC_MESH_MAX_MESHLET_TRIANGLES * 4, diag);
    if (r != ZC_OK) return r;
    const uint32_t *mv = (const uint32_t *)zc_array_data(&m->meshlet_vertices);
    for (uint64_t i = 0; i < m->meshlet_vertices.count; ++i)
        if (mv[i] >= m->vertex_count)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh meshlet vertex %llu is %u, out of range for %u vertices",
                           (unsigned long long)i, mv[i], m->vertex_count);
    const zc_meshlet *ml = (const zc_meshlet *)zc_array_data(&m->meshlets);
    const uint8_t *mt = (const uint8_t *)zc_array_data(&m->meshlet_triangles);
    uint64_t vertex_end = 0, triangle_end = 0;
    for (uint64_t i = 0; i < meshlet_count; ++i) {
        const zc_meshlet *l = &ml[i];
        if (l->vertex_count == 0 || l->vertex_count > ZC_MESH_MAX_MESHLET_VERTICES || l->triangle_count == 0 ||
            l->triangle_count > ZC_MESH_MAX_MESHLET_TRIANGLES)
            return zc_fail(diag, ZC_ERR_LIMIT, "mesh meshlet %llu has %u vertices and %u triangles, allowed 1 to %u and 1 to %u",
                           (unsigned long long)i, l->vertex_count, l->triangle_count, ZC_MESH_MAX_MESHLET_VERTICES,
                           ZC_MESH_MAX_MESHLET_TRIANGLES);
        uint64_t tri_bytes = (uint64_t)l->triangle_count * 3;
        if (l->vertex_offset < vertex_end || l->triangle_offset < triangle_end)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh meshlet %llu overlaps or precedes the one before it",
                           (unsigned long long)i);
        if (l->vertex_count > m->meshlet_vertices.count ||
            l->vertex_offset > m->meshlet_vertices.count - l->vertex_count ||
            tri_bytes > m->meshlet_triangles.count || l->triangle_offset > m->meshlet_triangles.count - tri_bytes)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY,
                           "mesh meshlet %llu ranges %u (+%u) and %u (+%llu) overrun its arrays of %llu and %llu",
                           (unsigned long long)i, l->vertex_offset, l->vertex_count, l->triangle_offset,
                           (unsigned long long)tri_bytes, (unsigned long long)m->meshlet_vertices.count,
                           (unsigned long long)m->meshlet_triangles.count);
        vertex_end = (uint64_t)l->vertex_offset + l->vertex_count;
        triangle_end = l->triangle_offset + tri_bytes;
        for (uint64_t k = 0; k < tri_bytes; ++k)
            if (mt[l->triangle_offset + k] >= l->vertex_count)
                return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh meshlet %llu triangle byte %llu is %u, out of range for %u vertices",
                               (unsigned long long)i, (unsigned long long)k, mt[l->triangle_offset + k], l->vertex_count);
    }

    /* Submeshes: triangle-aligned index ranges and meshlet ranges inside their buffers. */
    if (m->submeshes.count == 0)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh has no submesh");
    r = zc_check_array(payload, size, &m->submeshes, sizeof(zc_submesh), ZC_MESH_RECORD_ALIGN,
                       ZC_MESH_MAX_SUBMESHES, diag);
    if (r != ZC_OK) return r;
    const zc_submesh *subs = (const zc_submesh *)zc_array_data(&m->submeshes);
    for (uint64_t i = 0; i < m->submeshes.count; ++i) {
        const zc_submesh *s = &subs[i];
        if (s->index_count == 0 || s->index_count % 3 != 0 || s->index_offset % 3 != 0)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh submesh %llu range %u (+%u) is not whole triangles",
                           (unsigned long long)i, s->index_offset, s->index_count);
        if (s->index_count > m->index_count || s->index_offset > m->index_count - s->index_count)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh submesh %llu range %u (+%u) overruns %u indices",
                           (unsigned long long)i, s->index_offset, s->index_count, m->index_count);
        if (s->meshlet_count > meshlet_count || s->meshlet_offset > meshlet_count - s->meshlet_count)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "mesh submesh %llu meshlets %u (+%u) overrun %llu meshlets",
                           (unsigned long long)i, s->meshlet_offset, s->meshlet_count,
                           (unsigned long long)meshlet_count);
    }
    return ZC_OK;
}

#ifdef __cplusplus
}
#endif

#endif /* ZC_MESH_H */
