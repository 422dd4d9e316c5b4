/* zc_model_md2_frames.c - the frames of MD2 files, for zc_model_vertex_frames.c.
 *
 * assimp reads the first frame of an MD2 file only; this reader takes every frame,
 * as one mesh of the file's triangles, keyed at ZC__MD2_FRAMES_PER_SECOND (10, the
 * rate Quake II plays its models at). The format stores each vertex's normal as an
 * index into a fixed table that this reader does not carry: the targets' normals are
 * computed from each frame's triangles (zc_model_vertex_frames.c).
 *
 * File layout read here (little-endian, offsets from the start of the file):
 *   header, 68 bytes: "IDP2" (0), version 8 (4), skin width and height (8, 12), frame
 *   size in bytes (16), skin, vertex, texture coordinate, triangle, GL command and
 *   frame counts (20..40), skin, texture coordinate, triangle, frame, GL command and
 *   end offsets (44..64);
 *   triangles: 12 bytes each: three u16 vertex indices, three u16 texcoord indices;
 *   frames: frame size bytes each: scale[3] f32 (0), translate[3] f32 (12), name[16]
 *   (24), then per vertex x, y, z u8 and a normal index u8 (40); a position is
 *   component * scale + translate.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zc_model_internal.h"

enum {
    ZC__MD2_HEADER_SIZE = 68,
    ZC__MD2_TRIANGLE_SIZE = 12,
    ZC__MD2_FRAME_HEADER = 40,
    ZC__MD2_NAME_SIZE = 16,
    ZC__MD2_VERSION = 8,
    ZC__MD2_MAX_VERTICES = 2048,   /* the format's limits (MAX_VERTS, MAX_TRIANGLES, */
    ZC__MD2_MAX_TRIANGLES = 4096,  /* MAX_FRAMES of the engines that read it) */
    ZC__MD2_MAX_FRAMES = 512,
};
#define ZC__MD2_FRAMES_PER_SECOND 10.0

zc_result zc__md2_frames_read(const uint8_t *data, size_t size, zc__vertex_frames *out, zc_diag *diag) {
    memset(out, 0, sizeof *out);
    if (!data || size < ZC__MD2_HEADER_SIZE || memcmp(data, "IDP2", 4) != 0)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the file is not an MD2 model (no \"IDP2\" header)");
    uint32_t version = zc__le_u32(data + 4), frame_size = zc__le_u32(data + 16);
    uint32_t vertices = zc__le_u32(data + 24), triangles = zc__le_u32(data + 32), frames = zc__le_u32(data + 40);
    uint32_t tri_offset = zc__le_u32(data + 52), frame_offset = zc__le_u32(data + 56);
    if (version != ZC__MD2_VERSION) return zc_fail(diag, ZC_ERR_BAD_SOURCE, "MD2 version %u is not 8", version);
    if (vertices == 0 || vertices > ZC__MD2_MAX_VERTICES || triangles == 0 || triangles > ZC__MD2_MAX_TRIANGLES ||
        frames == 0 || frames > ZC__MD2_MAX_FRAMES)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE,
                       "MD2 counts out of the format's range: %u vertices (1 to %u), %u triangles (1 to %u), %u "
                       "frames (1 to %u)",
                       vertices, ZC__MD2_MAX_VERTICES, triangles, ZC__MD2_MAX_TRIANGLES, frames, ZC__MD2_MAX_FRAMES);
    if (frame_size < ZC__MD2_FRAME_HEADER + 4u * vertices)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "MD2 frame size %u is less than the %u bytes of %u vertices",
                       frame_size, ZC__MD2_FRAME_HEADER + 4u * vertices, vertices);
    uint64_t total = size;
    if (tri_offset < ZC__MD2_HEADER_SIZE || (uint64_t)tri_offset + (uint64_t)triangles * ZC__MD2_TRIANGLE_SIZE > total)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the MD2 triangles (%u at offset %u) do not lie inside the file's %zu bytes",
                       triangles, tri_offset, size);
    if (frame_offset < ZC__MD2_HEADER_SIZE || (uint64_t)frame_offset + (uint64_t)frames * frame_size > total)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE,
                       "the MD2 frames (%u of %u bytes at offset %u) do not lie inside the file's %zu bytes", frames,
                       frame_size, frame_offset, size);
    zc_result r = zc__vertex_frames_init(out, "MD2", ZC__MD2_FRAMES_PER_SECOND, frames, 1, diag);
    if (r != ZC_OK) return r;
    uint32_t kept = out->frame_count;
    zc__frame_mesh *m = &out->meshes[0];
    out->mesh_count = 1;
    m->vertex_count = vertices;
    m->triangle_count = triangles;
    m->corners = malloc((size_t)triangles * 3 * sizeof *m->corners);
    m->positions = malloc((size_t)kept * vertices * 3 * sizeof *m->positions);
    if (!m->corners || !m->positions) {
        zc__vertex_frames_free(out);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory reading the MD2 frames");
    }
    for (uint32_t t = 0; t < triangles; ++t)
        for (uint32_t c = 0; c < 3; ++c) {
            uint16_t v = zc__le_u16(data + tri_offset + (size_t)t * ZC__MD2_TRIANGLE_SIZE + 2 * c);
            if (v >= vertices) {
                zc__vertex_frames_free(out);
                return zc_fail(diag, ZC_ERR_BAD_SOURCE, "MD2 triangle %u names vertex %u of %u", t, v, vertices);
            }
            m->corners[(size_t)t * 3 + c] = v;
        }
    for (uint32_t f = 0; f < kept; ++f) {
        const uint8_t *fr = data + frame_offset + (size_t)f * frame_size;
        float scale[3], translate[3];
        for (int k = 0; k < 3; ++k) {
            scale[k] = zc__le_f32(fr + 4 * k);
            translate[k] = zc__le_f32(fr + 12 + 4 * k);
            if (!isfinite(scale[k]) || !isfinite(translate[k])) {
                zc__vertex_frames_free(out);
                return zc_fail(diag, ZC_ERR_BAD_SOURCE, "MD2 frame %u has a scale or offset that is not finite", f);
            }
        }
        size_t name_len = strnlen((const char *)fr + 24, ZC__MD2_NAME_SIZE);
        memcpy(out->names[f], fr + 24, name_len);
        out->names[f][name_len] = 0;
        float *p = m->positions + (size_t)f * vertices * 3;
        for (uint32_t v = 0; v < vertices; ++v)
            for (int k = 0; k < 3; ++k) {
                /* two roundings, as the format's readers (assimp included) compute it */
                float scaled = (float)fr[ZC__MD2_FRAME_HEADER + 4 * v + (uint32_t)k] * scale[k];
                p[(size_t)v * 3 + (size_t)k] = scaled + translate[k];
                if (!isfinite(p[(size_t)v * 3 + (size_t)k])) {
                    zc__vertex_frames_free(out);
                    return zc_fail(diag, ZC_ERR_BAD_SOURCE, "MD2 frame %u vertex %u is not finite", f, v);
                }
            }
    }
    return ZC_OK;
}

zc_result zc__md2_frames_parse(const uint8_t *data, size_t size, void *out, zc_diag *diag) {
    return zc__md2_frames_read(data, size, out, diag);
}
