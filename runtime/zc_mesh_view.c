/* zc_mesh_view.c - mesh entries seen through zc_mesh_view, and vertex decoding for
 * tools and tests (zc_mesh_view_read). */
#include "zc_pack.h"
#include "zc_pack_internal.h"
#include "zc_mesh.h"

#include <string.h>

/* Fill a view from a payload that zc_mesh_check accepted. */
static void zc__mesh_fill(const zc_mesh *m, zc_mesh_view *out) {
    out->vertex_count = m->vertex_count;
    out->index_count = m->index_count;
    out->index_size = m->index_size;
    memcpy(out->aabb_min, m->aabb_min, sizeof out->aabb_min);
    memcpy(out->aabb_max, m->aabb_max, sizeof out->aabb_max);
    memcpy(out->sphere_center, m->sphere_center, sizeof out->sphere_center);
    out->sphere_radius = m->sphere_radius;
    const zc_vertex_stream *streams = (const zc_vertex_stream *)zc_array_data(&m->streams);
    out->stream_count = (uint32_t)m->streams.count;
    for (uint32_t s = 0; s < out->stream_count; ++s) {
        out->streams[s].data = zc_array_data(&streams[s].data);
        out->streams[s].stride = streams[s].stride;
    }
    out->attribute_count = (uint32_t)m->attributes.count;
    out->attributes = (const zc_vertex_attribute *)zc_array_data(&m->attributes);
    out->indices = zc_array_data(&m->indices);
    out->submesh_count = (uint32_t)m->submeshes.count;
    out->submeshes = (const zc_submesh *)zc_array_data(&m->submeshes);
    out->meshlet_count = (uint32_t)m->meshlets.count;
    out->meshlets = (const zc_meshlet *)zc_array_data(&m->meshlets);
    out->meshlet_vertices = (const uint32_t *)zc_array_data(&m->meshlet_vertices);
    out->meshlet_triangles = (const uint8_t *)zc_array_data(&m->meshlet_triangles);
}

zc_result zc_mesh_view_from_bytes(const void *payload, uint64_t size, zc_mesh_view *out) {
    if (!out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (!payload || ((uintptr_t)payload & 15u) != 0) return ZC_ERR_INVALID_ARGUMENT;
    zc_result r = zc_mesh_check(payload, size, NULL);
    if (r != ZC_OK) return r;
    zc__mesh_fill((const zc_mesh *)payload, out);
    return ZC_OK;
}

zc_result zc_mesh_view_from_entry(const zc_entry *entry, zc_mesh_view *out) {
    if (!entry || !out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    const void *data;
    uint64_t size;
    zc_result r = zc__entry_structure(entry, ZC_TYPE_MESH, &data, &size);
    if (r != ZC_OK) return r;
    zc__mesh_fill((const zc_mesh *)data, out);
    return ZC_OK;
}

const zc_vertex_attribute *zc_mesh_view_attribute(const zc_mesh_view *view, uint32_t semantic) {
    if (!view || !view->attributes) return NULL;
    for (uint32_t i = 0; i < view->attribute_count; ++i)
        if (view->attributes[i].semantic == semantic) return &view->attributes[i];
    return NULL;
}

uint32_t zc_mesh_view_index(const zc_mesh_view *view, uint32_t i) {
    if (!view || !view->indices || i >= view->index_count) return 0;
    if (view->index_size == 2) {
        uint16_t v;
        memcpy(&v, (const uint8_t *)view->indices + (size_t)i * 2, sizeof v);
        return v;
    }
    uint32_t v;
    memcpy(&v, (const uint8_t *)view->indices + (size_t)i * 4, sizeof v);
    return v;
}

/* IEEE 754 binary16 to binary32, exact for every input: zeros, subnormals, normals,
 * infinities and NaNs (the payload's top bits are kept). */
static float zc__half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1Fu;
    uint32_t mantissa = h & 0x3FFu;
    uint32_t bits;
    if (exponent == 0x1Fu) {
        bits = sign | 0x7F800000u | (mantissa << 13);
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112u) << 23) | (mantissa << 13); /* rebias 15 -> 127 */
    } else if (mantissa == 0) {
        bits = sign;
    } else {
        /* Subnormal half: shift the mantissa up to an implicit leading one. */
        uint32_t e = 113u; /* 127 - 15 + 1 */
        while (!(mantissa & 0x400u)) {
            mantissa <<= 1;
            --e;
        }
        bits = sign | (e << 23) | ((mantissa & 0x3FFu) << 13);
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Decode `components` values of `format` at p into out (normalized formats to
 * [-1, 1] or [0, 1], integer formats to their values). */
static void zc__decode_vertex(uint32_t format, const uint8_t *p, uint32_t components, float out[4]) {
    for (uint32_t k = 0; k < components; ++k) {
        float v = 0.0f;
        switch (format) {
        case ZC_VERTEX_FORMAT_FLOAT32x2:
        case ZC_VERTEX_FORMAT_FLOAT32x3:
        case ZC_VERTEX_FORMAT_FLOAT32x4: memcpy(&v, p + 4 * k, 4); break;
        case ZC_VERTEX_FORMAT_FLOAT16x2:
        case ZC_VERTEX_FORMAT_FLOAT16x4: {
            uint16_t h;
            memcpy(&h, p + 2 * k, 2);
            v = zc__half_to_float(h);
            break;
        }
        case ZC_VERTEX_FORMAT_SNORM16x2:
        case ZC_VERTEX_FORMAT_SNORM16x4: {
            int16_t s;
            memcpy(&s, p + 2 * k, 2);
            v = s <= -32767 ? -1.0f : (float)s / 32767.0f; /* -32768 and -32767 both mean -1 */
            break;
        }
        case ZC_VERTEX_FORMAT_UNORM16x2:
        case ZC_VERTEX_FORMAT_UNORM16x4:
        case ZC_VERTEX_FORMAT_UINT16x4: {
            uint16_t u;
            memcpy(&u, p + 2 * k, 2);
            v = format == ZC_VERTEX_FORMAT_UINT16x4 ? (float)u : (float)u / 65535.0f;
            break;
        }
        case ZC_VERTEX_FORMAT_SNORM8x4: {
            int8_t s = (int8_t)p[k];
            v = s <= -127 ? -1.0f : (float)s / 127.0f;
            break;
        }
        case ZC_VERTEX_FORMAT_UNORM8x4: v = (float)p[k] / 255.0f; break;
        case ZC_VERTEX_FORMAT_UINT8x4: v = (float)p[k]; break;
        default: break;
        }
        out[k] = v;
    }
}

/* 1 for the normalized formats (SNORM and UNORM), whose POSITION is bounds-relative. */
static int zc__vertex_format_signed_norm(uint32_t format) {
    return format == ZC_VERTEX_FORMAT_SNORM16x2 || format == ZC_VERTEX_FORMAT_SNORM16x4 ||
           format == ZC_VERTEX_FORMAT_SNORM8x4;
}
static int zc__vertex_format_unsigned_norm(uint32_t format) {
    return format == ZC_VERTEX_FORMAT_UNORM16x2 || format == ZC_VERTEX_FORMAT_UNORM16x4 ||
           format == ZC_VERTEX_FORMAT_UNORM8x4;
}

/* Map a normalized position (x, y, z) onto the bounds: UNORM t in [0, 1] gives
 * min + t * (max - min); SNORM s in [-1, 1] gives min + (s + 1) / 2 * (max - min). */
static void zc__position_from_bounds(const zc_mesh_view *view, uint32_t format, float p[4]) {
    int is_signed = zc__vertex_format_signed_norm(format);
    for (int k = 0; k < 3; ++k) {
        float t = is_signed ? (p[k] + 1.0f) * 0.5f : p[k];
        float extent = view->aabb_max[k] - view->aabb_min[k];
        p[k] = t >= 1.0f ? view->aabb_max[k] : view->aabb_min[k] + t * extent;
    }
}

uint32_t zc_mesh_view_read(const zc_mesh_view *view, const zc_vertex_attribute *attr, uint32_t vertex,
                           float out[4]) {
    if (out) out[0] = out[1] = out[2] = out[3] = 0.0f;
    if (!view || !attr || !out || vertex >= view->vertex_count || attr->stream >= view->stream_count) return 0;
    uint32_t bytes = 0, components = 0;
    int integer = 0;
    if (!zc_vertex_format_info(attr->format, &bytes, &components, &integer)) return 0;
    const zc_vertex_stream_view *stream = &view->streams[attr->stream];
    if (!stream->data || (uint32_t)attr->offset + bytes > stream->stride) return 0;
    const uint8_t *p = (const uint8_t *)stream->data + (size_t)vertex * stream->stride + attr->offset;
    zc__decode_vertex(attr->format, p, components, out);
    if (attr->semantic != ZC_SEMANTIC_POSITION) return components;
    /* A position is x, y, z: a fourth stored component is padding. */
    if (zc__vertex_format_signed_norm(attr->format) || zc__vertex_format_unsigned_norm(attr->format))
        zc__position_from_bounds(view, attr->format, out);
    out[3] = 1.0f;
    return 3;
}
