/* zc_mesh_layout.h - the mesh entry type: indexed triangle lists whose vertex streams, index
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
 * The check of an entry of this type is zc_mesh_check in zc_mesh.h. Pure: no I/O, no
 * allocation.
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
