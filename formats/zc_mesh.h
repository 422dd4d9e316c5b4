/* zc_mesh.h - the check of a mesh entry (untrusted bytes); its layout is in
 * zc_mesh_layout.h. Pure: no I/O, no allocation.
 */
#ifndef ZC_MESH_H
#define ZC_MESH_H

#include "zc_format.h"
#include "zc_mesh_layout.h"

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
