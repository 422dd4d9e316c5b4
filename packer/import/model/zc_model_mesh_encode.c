/* zc_model_mesh_encode.c - an optimised triangle list (zc__mesh_data) laid out as a
 * zc_mesh payload (formats/zc_mesh.h): the vertex formats of zc_model.h, optional
 * quantisation, optional meshlets, 16- or 32-bit indices.
 *
 * Payload order: zc_mesh, stream records, attribute records, the one submesh record
 * (records 8-byte aligned), then stream 0 (POSITION), stream 1 (the other
 * attributes), the indices, and with meshlets the zc_meshlet records, their vertex
 * indices (u32) and their triangles (u8 triples), each of those buffers at a multiple
 * of ZC_MESH_DATA_ALIGN. Every padding byte is zero, so the same mesh always gives
 * the same bytes.
 *
 * Quantisation (settings->quantize): POSITION as UNORM16 relative to the bounds (a
 * flat axis stores 0), NORMAL and TANGENT as SNORM8 (w = 0 for the normal, +-1 for the
 * tangent's handedness), TEXCOORD0/1 as FLOAT16 (round to nearest even, clamped to
 * +-65504). COLOR0 is UNORM8x4 in both modes. Meshlets (meshopt_buildMeshlets of
 * meshoptimizer 0.18, at most 64 vertices and 124 triangles, no cone weighting) are
 * built from the float positions.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <meshoptimizer.h>

#include "zc_model_internal.h"

/* ---------------------------------------------------------------------------------
 * Scalar conversions (meshoptimizer's quantisation helpers are C++-only inlines)
 * ------------------------------------------------------------------------------- */

static float zc__clampf(float v, float lo, float hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

static uint16_t zc__unorm16(float v) {
    return (uint16_t)(zc__clampf(v, 0.0f, 1.0f) * 65535.0f + 0.5f);
}

static uint8_t zc__unorm8(float v) {
    return (uint8_t)(zc__clampf(v, 0.0f, 1.0f) * 255.0f + 0.5f);
}

static int8_t zc__snorm8(float v) {
    v = zc__clampf(v, -1.0f, 1.0f) * 127.0f;
    return (int8_t)(v >= 0.0f ? v + 0.5f : v - 0.5f);
}

/* binary16 of a finite float, round to nearest even, clamped to +-65504. */
static uint16_t zc__half(float value) {
    uint32_t bits;
    value = zc__clampf(value, -65504.0f, 65504.0f);
    memcpy(&bits, &value, sizeof bits);
    uint16_t sign = (uint16_t)((bits >> 16) & 0x8000u);
    uint32_t abs = bits & 0x7FFFFFFFu;
    if (abs < 0x33000001u) return sign; /* below half the smallest subnormal: zero */
    int32_t exp = (int32_t)(abs >> 23) - 127 + 15;
    uint32_t mant = (abs & 0x7FFFFFu) | 0x800000u; /* 24 significant bits */
    uint32_t shift = exp >= 1 ? 13u : (uint32_t)(14 - exp); /* subnormals lose more bits */
    uint32_t kept = mant >> shift, rest = mant & ((1u << shift) - 1u), half = 1u << (shift - 1);
    if (rest > half || (rest == half && (kept & 1u))) kept++;
    /* normal: exponent field + 10 mantissa bits (a carry rolls into the exponent) */
    uint32_t h = exp >= 1 ? (((uint32_t)exp << 10) + (kept - 0x400u)) : kept;
    return (uint16_t)(sign | h);
}

/* ---------------------------------------------------------------------------------
 * Vertex layout
 * ------------------------------------------------------------------------------- */

typedef struct zc__attr_plan {
    uint8_t semantic, format, stream;
    uint16_t offset;
    uint32_t source;            /* ZC__MESH_HAS_* bit, 0 for POSITION */
} zc__attr_plan;

typedef struct zc__layout {
    zc__attr_plan attrs[8];
    uint32_t attr_count;
    uint32_t stride[2], stream_count;
    size_t at_streams, at_attrs, at_submesh, at_data[2], at_indices;
    size_t at_meshlets, at_meshlet_vertices, at_meshlet_triangles, size;
    uint32_t index_size;
} zc__layout;

static void zc__plan_attr(zc__layout *l, uint8_t semantic, uint8_t format, uint32_t bytes, uint32_t source) {
    uint8_t stream = semantic == ZC_SEMANTIC_POSITION ? 0 : 1;
    l->attrs[l->attr_count++] = (zc__attr_plan){ semantic, format, stream, (uint16_t)l->stride[stream], source };
    l->stride[stream] += bytes;
}

static void zc__plan_vertex(zc__layout *l, const zc__mesh_data *m, int q) {
    zc__plan_attr(l, ZC_SEMANTIC_POSITION, q ? ZC_VERTEX_FORMAT_UNORM16x4 : ZC_VERTEX_FORMAT_FLOAT32x3, q ? 8 : 12, 0);
    if (m->has & ZC__MESH_HAS_NORMAL)
        zc__plan_attr(l, ZC_SEMANTIC_NORMAL, q ? ZC_VERTEX_FORMAT_SNORM8x4 : ZC_VERTEX_FORMAT_FLOAT32x3, q ? 4 : 12,
                      ZC__MESH_HAS_NORMAL);
    if (m->has & ZC__MESH_HAS_TANGENT)
        zc__plan_attr(l, ZC_SEMANTIC_TANGENT, q ? ZC_VERTEX_FORMAT_SNORM8x4 : ZC_VERTEX_FORMAT_FLOAT32x4, q ? 4 : 16,
                      ZC__MESH_HAS_TANGENT);
    if (m->has & ZC__MESH_HAS_UV0)
        zc__plan_attr(l, ZC_SEMANTIC_TEXCOORD0, q ? ZC_VERTEX_FORMAT_FLOAT16x2 : ZC_VERTEX_FORMAT_FLOAT32x2, q ? 4 : 8,
                      ZC__MESH_HAS_UV0);
    if (m->has & ZC__MESH_HAS_UV1)
        zc__plan_attr(l, ZC_SEMANTIC_TEXCOORD1, q ? ZC_VERTEX_FORMAT_FLOAT16x2 : ZC_VERTEX_FORMAT_FLOAT32x2, q ? 4 : 8,
                      ZC__MESH_HAS_UV1);
    if (m->has & ZC__MESH_HAS_COLOR)
        zc__plan_attr(l, ZC_SEMANTIC_COLOR0, ZC_VERTEX_FORMAT_UNORM8x4, 4, ZC__MESH_HAS_COLOR);
    if (m->has & ZC__MESH_HAS_SKIN) {
        zc__plan_attr(l, ZC_SEMANTIC_JOINTS0, ZC_VERTEX_FORMAT_UINT16x4, 8, ZC__MESH_HAS_SKIN);
        zc__plan_attr(l, ZC_SEMANTIC_WEIGHTS0, q ? ZC_VERTEX_FORMAT_UNORM16x4 : ZC_VERTEX_FORMAT_FLOAT32x4, q ? 8 : 16,
                      ZC__MESH_HAS_SKIN);
    }
    l->stream_count = l->stride[1] ? 2 : 1;
}

static size_t zc__align16(size_t v) {
    return (v + ZC_MESH_DATA_ALIGN - 1) & ~(size_t)(ZC_MESH_DATA_ALIGN - 1);
}

/* Positions of every part of the payload. */
static void zc__plan_offsets(zc__layout *l, const zc__mesh_data *m, size_t meshlets, size_t meshlet_vertices,
                             size_t meshlet_triangle_bytes) {
    l->index_size = m->vertex_count <= 65536u ? 2 : 4;
    l->at_streams = sizeof(zc_mesh);
    l->at_attrs = l->at_streams + l->stream_count * sizeof(zc_vertex_stream);
    l->at_submesh = l->at_attrs + l->attr_count * sizeof(zc_vertex_attribute);
    size_t pos = l->at_submesh + sizeof(zc_submesh);
    for (uint32_t s = 0; s < l->stream_count; ++s) {
        l->at_data[s] = zc__align16(pos);
        pos = l->at_data[s] + (size_t)m->vertex_count * l->stride[s];
    }
    l->at_indices = zc__align16(pos);
    pos = l->at_indices + (size_t)m->index_count * l->index_size;
    if (meshlets) {
        l->at_meshlets = zc__align16(pos);
        l->at_meshlet_vertices = zc__align16(l->at_meshlets + meshlets * sizeof(zc_meshlet));
        l->at_meshlet_triangles = zc__align16(l->at_meshlet_vertices + meshlet_vertices * sizeof(uint32_t));
        pos = l->at_meshlet_triangles + meshlet_triangle_bytes;
    }
    l->size = pos;
}

/* ---------------------------------------------------------------------------------
 * Writing
 * ------------------------------------------------------------------------------- */

static void zc__set_array(zc_array *field, uint8_t *payload, size_t at, uint64_t count) {
    field->count = count;
    zc_rel_set(&field->offset, field, count ? payload + at : NULL);
}

/* One attribute of vertex v into `dst` in the planned format. */
static void zc__write_attr(const zc__attr_plan *a, const zc__mesh_data *m, uint32_t v, int q, uint8_t *dst) {
    if (a->semantic == ZC_SEMANTIC_POSITION) {
        const float *p = &m->positions[(size_t)v * 3];
        if (!q) {
            memcpy(dst, p, 12);
            return;
        }
        uint16_t out[4] = { 0, 0, 0, 0 };
        for (int k = 0; k < 3; ++k) {
            float extent = m->aabb_max[k] - m->aabb_min[k];
            out[k] = extent > 0.0f ? zc__unorm16((p[k] - m->aabb_min[k]) / extent) : 0;
        }
        memcpy(dst, out, sizeof out);
        return;
    }
    const float *src = m->attrs + (size_t)v * m->attr_floats + zc__mesh_attr_offset(m->has, a->source);
    if (a->semantic == ZC_SEMANTIC_WEIGHTS0) src += 4; /* the skin's weights follow its joints */
    switch (a->format) {
    case ZC_VERTEX_FORMAT_FLOAT32x2: memcpy(dst, src, 8); break;
    case ZC_VERTEX_FORMAT_FLOAT32x3: memcpy(dst, src, 12); break;
    case ZC_VERTEX_FORMAT_FLOAT32x4: memcpy(dst, src, 16); break;
    case ZC_VERTEX_FORMAT_FLOAT16x2: {
        uint16_t h[2] = { zc__half(src[0]), zc__half(src[1]) };
        memcpy(dst, h, sizeof h);
        break;
    }
    case ZC_VERTEX_FORMAT_SNORM8x4: {
        int tangent = a->semantic == ZC_SEMANTIC_TANGENT;
        int8_t s[4] = { zc__snorm8(src[0]), zc__snorm8(src[1]), zc__snorm8(src[2]),
                        tangent ? zc__snorm8(src[3]) : (int8_t)0 };
        memcpy(dst, s, sizeof s);
        break;
    }
    case ZC_VERTEX_FORMAT_UINT16x4: {
        uint16_t j[4] = { (uint16_t)src[0], (uint16_t)src[1], (uint16_t)src[2], (uint16_t)src[3] };
        memcpy(dst, j, sizeof j);
        break;
    }
    case ZC_VERTEX_FORMAT_UNORM16x4: {
        uint16_t w[4] = { zc__unorm16(src[0]), zc__unorm16(src[1]), zc__unorm16(src[2]), zc__unorm16(src[3]) };
        memcpy(dst, w, sizeof w);
        break;
    }
    case ZC_VERTEX_FORMAT_UNORM8x4: {
        uint8_t c[4] = { zc__unorm8(src[0]), zc__unorm8(src[1]), zc__unorm8(src[2]), zc__unorm8(src[3]) };
        memcpy(dst, c, sizeof c);
        break;
    }
    default: break;
    }
}

static void zc__write_header(const zc__layout *l, const zc__mesh_data *m, uint64_t material, size_t meshlets,
                             size_t meshlet_vertices, size_t meshlet_triangle_bytes, uint8_t *payload) {
    zc_mesh *h = (zc_mesh *)payload;
    h->struct_size = sizeof(zc_mesh);
    h->vertex_count = m->vertex_count;
    h->index_count = m->index_count;
    h->index_size = l->index_size;
    memcpy(h->aabb_min, m->aabb_min, sizeof h->aabb_min);
    memcpy(h->aabb_max, m->aabb_max, sizeof h->aabb_max);
    memcpy(h->sphere_center, m->sphere_center, sizeof h->sphere_center);
    h->sphere_radius = m->sphere_radius;
    zc__set_array(&h->streams, payload, l->at_streams, l->stream_count);
    zc__set_array(&h->attributes, payload, l->at_attrs, l->attr_count);
    zc__set_array(&h->indices, payload, l->at_indices, (uint64_t)m->index_count * l->index_size);
    zc__set_array(&h->submeshes, payload, l->at_submesh, 1);
    zc__set_array(&h->meshlets, payload, l->at_meshlets, meshlets);
    zc__set_array(&h->meshlet_vertices, payload, l->at_meshlet_vertices, meshlet_vertices);
    zc__set_array(&h->meshlet_triangles, payload, l->at_meshlet_triangles, meshlet_triangle_bytes);

    zc_vertex_stream *streams = (zc_vertex_stream *)(payload + l->at_streams);
    for (uint32_t s = 0; s < l->stream_count; ++s) {
        streams[s].stride = l->stride[s];
        zc__set_array(&streams[s].data, payload, l->at_data[s], (uint64_t)m->vertex_count * l->stride[s]);
    }
    zc_vertex_attribute *attrs = (zc_vertex_attribute *)(payload + l->at_attrs);
    for (uint32_t i = 0; i < l->attr_count; ++i) {
        attrs[i].semantic = l->attrs[i].semantic;
        attrs[i].format = l->attrs[i].format;
        attrs[i].stream = l->attrs[i].stream;
        attrs[i].offset = l->attrs[i].offset;
    }
    zc_submesh *sub = (zc_submesh *)(payload + l->at_submesh);
    sub->index_offset = 0;
    sub->index_count = m->index_count;
    sub->material = material;
    sub->meshlet_offset = 0;
    sub->meshlet_count = (uint32_t)meshlets;
}

static void zc__write_data(const zc__layout *l, const zc__mesh_data *m, int q, uint8_t *payload) {
    for (uint32_t v = 0; v < m->vertex_count; ++v)
        for (uint32_t i = 0; i < l->attr_count; ++i) {
            const zc__attr_plan *a = &l->attrs[i];
            zc__write_attr(a, m, v, q, payload + l->at_data[a->stream] + (size_t)v * l->stride[a->stream] + a->offset);
        }
    if (l->index_size == 2) {
        uint16_t *ix = (uint16_t *)(payload + l->at_indices);
        for (uint32_t i = 0; i < m->index_count; ++i) ix[i] = (uint16_t)m->indices[i];
    } else {
        memcpy(payload + l->at_indices, m->indices, (size_t)m->index_count * sizeof(uint32_t));
    }
}

/* ---------------------------------------------------------------------------------
 * Meshlets
 * ------------------------------------------------------------------------------- */

typedef struct zc__meshlets {
    struct meshopt_Meshlet *meshlets;
    unsigned *vertices;
    unsigned char *triangles;
    size_t count, vertex_count, triangle_bytes;
} zc__meshlets;

static void zc__meshlets_free(zc__meshlets *ml) {
    free(ml->meshlets);
    free(ml->vertices);
    free(ml->triangles);
    memset(ml, 0, sizeof *ml);
}

static zc_result zc__build_meshlets(const zc__mesh_data *m, zc__meshlets *ml, zc_diag *diag) {
    memset(ml, 0, sizeof *ml);
    size_t bound = meshopt_buildMeshletsBound(m->index_count, ZC__MODEL_MESHLET_VERTICES, ZC__MODEL_MESHLET_TRIANGLES);
    ml->meshlets = calloc(bound, sizeof *ml->meshlets);
    ml->vertices = calloc(bound * ZC__MODEL_MESHLET_VERTICES, sizeof *ml->vertices);
    ml->triangles = calloc(bound * ZC__MODEL_MESHLET_TRIANGLES * 3, 1);
    if (!ml->meshlets || !ml->vertices || !ml->triangles) {
        zc__meshlets_free(ml);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory building meshlets");
    }
    ml->count = meshopt_buildMeshlets(ml->meshlets, ml->vertices, ml->triangles, m->indices, m->index_count,
                                      m->positions, m->vertex_count, 3 * sizeof(float), ZC__MODEL_MESHLET_VERTICES,
                                      ZC__MODEL_MESHLET_TRIANGLES, 0.0f);
    if (ml->count > ZC_MESH_MAX_MESHLETS) {
        zc__meshlets_free(ml);
        return zc_fail(diag, ZC_ERR_LIMIT, "the mesh needs more than %u meshlets", ZC_MESH_MAX_MESHLETS);
    }
    if (ml->count) {
        const struct meshopt_Meshlet *last = &ml->meshlets[ml->count - 1];
        ml->vertex_count = (size_t)last->vertex_offset + last->vertex_count;
        ml->triangle_bytes = (size_t)last->triangle_offset + (size_t)last->triangle_count * 3;
    }
    return ZC_OK;
}

static void zc__write_meshlets(const zc__layout *l, const zc__meshlets *ml, uint8_t *payload) {
    zc_meshlet *out = (zc_meshlet *)(payload + l->at_meshlets);
    for (size_t i = 0; i < ml->count; ++i) {
        out[i].vertex_offset = ml->meshlets[i].vertex_offset;
        out[i].triangle_offset = ml->meshlets[i].triangle_offset;
        out[i].vertex_count = ml->meshlets[i].vertex_count;
        out[i].triangle_count = ml->meshlets[i].triangle_count;
    }
    memcpy(payload + l->at_meshlet_vertices, ml->vertices, ml->vertex_count * sizeof(uint32_t));
    memcpy(payload + l->at_meshlet_triangles, ml->triangles, ml->triangle_bytes);
}

/* ---------------------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------------------- */

zc_result zc__mesh_encode(const zc__mesh_data *m, int quantize, int meshlets, uint64_t material_id,
                          void **out_payload, size_t *out_size, zc_diag *diag) {
    *out_payload = NULL;
    *out_size = 0;
    zc__layout l;
    memset(&l, 0, sizeof l);
    zc__plan_vertex(&l, m, quantize);
    zc__meshlets ml;
    memset(&ml, 0, sizeof ml);
    if (meshlets) {
        zc_result r = zc__build_meshlets(m, &ml, diag);
        if (r != ZC_OK) return r;
    }
    zc__plan_offsets(&l, m, ml.count, ml.vertex_count, ml.triangle_bytes);
    uint8_t *payload = zc__model_alloc_payload(l.size);
    if (!payload) {
        zc__meshlets_free(&ml);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for a mesh entry of %zu bytes", l.size);
    }
    zc__write_header(&l, m, material_id, ml.count, ml.vertex_count, ml.triangle_bytes, payload);
    zc__write_data(&l, m, quantize, payload);
    if (ml.count) zc__write_meshlets(&l, &ml, payload);
    zc__meshlets_free(&ml);

    zc_diag sub;
    zc_result r = zc_mesh_check(payload, l.size, &sub);
    if (r != ZC_OK) {
        free(payload);
        return zc_fail(diag, r, "internal error: the encoded mesh fails its own check: %s", sub.message);
    }
    *out_payload = payload;
    *out_size = l.size;
    return ZC_OK;
}
