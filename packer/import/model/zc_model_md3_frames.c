/* zc_model_md3_frames.c - the frames of MD3 files, for zc_model_vertex_frames.c.
 *
 * assimp reads the first frame of an MD3 file only; this reader takes every frame of
 * every surface (one mesh per surface that has vertices and triangles, in file order;
 * assimp skips the others too), with each frame's normals decoded from the format's
 * latitude and longitude bytes. The file stores no playback rate (Quake III reads
 * clip ranges and rates from a separate animation.cfg, which zc_model_md3_animation.c
 * reads for a player's lower and upper parts): without it frames are keyed at
 * ZC__MD3_FRAMES_PER_SECOND, 15, the rate most of those files give, and grouped into
 * clips by their names as zc_model_vertex_frames.c says.
 *
 * File layout read here (little-endian, offsets from the start of the file unless
 * said otherwise):
 *   header, 108 bytes: "IDP3" (0), version 15 (4), name[64] (8), flags (72), frame
 *   count (76), tag count (80), surface count (84), skin count (88), frames offset
 *   (92), tags offset (96), surfaces offset (100), end offset (104);
 *   frames: 56 bytes each: bounds[6] f32 (0), origin[3] f32 (24), radius f32 (36),
 *   name[16] (40);
 *   surfaces, one after the other from the surfaces offset: header of 108 bytes:
 *   "IDP3" (0), name[64] (4), flags (68), frame count (72), shader count (76), vertex
 *   count (80), triangle count (84), then offsets from the surface's start: triangles
 *   (88), shaders (92), texture coordinates (96), vertices (100), next surface (104);
 *   triangles: three i32 vertex indices (12 bytes); vertices: per frame, per vertex
 *   x, y, z i16 (units of 1/64) and a normal u16 (latitude in the high byte, longitude
 *   in the low one, each in 255ths of a full turn).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zc_model_internal.h"

enum {
    ZC__MD3_HEADER = 108,
    ZC__MD3_FRAME = 56,
    ZC__MD3_FRAME_NAME = 40,
    ZC__MD3_NAME = 16,
    ZC__MD3_SURFACE = 108,
    ZC__MD3_TRIANGLE = 12,
    ZC__MD3_VERTEX = 8,
    ZC__MD3_SHADER = 68,           /* name[64], index i32 */
    ZC__MD3_TAG = 112,             /* name[64], origin[3], axis[3][3] */
    ZC__MD3_MAX_TAGS = 16,
    ZC__MD3_MAX_SHADERS = 256,
    ZC__MD3_VERSION = 15,
    ZC__MD3_MAX_FRAMES = 1024,     /* the format's limits (MD3_MAX_FRAMES, MD3_MAX_SURFACES, */
    ZC__MD3_MAX_SURFACES = 32,     /* SHADER_MAX_VERTEXES and SHADER_MAX_INDEXES / 3 of the */
    ZC__MD3_MAX_VERTICES = 4096,   /* engines that read it) */
    ZC__MD3_MAX_TRIANGLES = 8192,
};
#define ZC__MD3_FRAMES_PER_SECOND 15.0
_Static_assert(ZC__MD3_MAX_SURFACES <= ZC__FRAMES_MAX_MESHES, "every surface can be a mesh");

static zc_result zc__md3_bad(zc__vertex_frames *out, zc_diag *diag, const char *what, uint32_t surface) {
    zc__vertex_frames_free(out);
    return zc_fail(diag, ZC_ERR_BAD_SOURCE, "MD3 surface %u: %s", surface, what);
}

/* 1 when `count` records of `size` bytes at `offset` lie inside `total` bytes. */
static int zc__md3_inside(uint64_t offset, uint64_t count, uint64_t size, uint64_t total) {
    return offset <= total && count <= (total - offset) / size;
}

/* A unit normal from the format's two bytes. */
static void zc__md3_normal(uint16_t packed, float *n) {
    const double turn = 2.0 * 3.14159265358979323846 / 255.0;
    double lat = (packed >> 8) * turn, lng = (packed & 0xff) * turn;
    n[0] = (float)(cos(lat) * sin(lng));
    n[1] = (float)(sin(lat) * sin(lng));
    n[2] = (float)cos(lng);
}

/* Surface s at data + at (its header inside the file) into out->meshes[out->mesh_count]
 * when it has vertices and triangles. */
static zc_result zc__md3_surface(const uint8_t *data, size_t size, uint64_t at, uint32_t s, zc__vertex_frames *out,
                                 zc_diag *diag) {
    const uint8_t *h = data + at;
    uint32_t frames = zc__le_u32(h + 72), vertices = zc__le_u32(h + 80), triangles = zc__le_u32(h + 84);
    uint32_t tri_at = zc__le_u32(h + 88), vert_at = zc__le_u32(h + 100);
    if (memcmp(h, "IDP3", 4) != 0) return zc__md3_bad(out, diag, "no \"IDP3\" at its start", s);
    if (frames != out->frames_in_file) return zc__md3_bad(out, diag, "its frame count is not the file's", s);
    if (vertices > ZC__MD3_MAX_VERTICES || triangles > ZC__MD3_MAX_TRIANGLES)
        return zc__md3_bad(out, diag, "more vertices or triangles than the format allows", s);
    if (!vertices || !triangles) return ZC_OK;
    if (!zc__md3_inside(at + tri_at, triangles, ZC__MD3_TRIANGLE, size) ||
        !zc__md3_inside(at + vert_at, (uint64_t)frames * vertices, ZC__MD3_VERTEX, size))
        return zc__md3_bad(out, diag, "its triangles or vertices lie outside the file", s);
    zc__frame_mesh *m = &out->meshes[out->mesh_count++];
    size_t values = (size_t)out->frame_count * vertices * 3;
    m->vertex_count = vertices;
    m->triangle_count = triangles;
    m->corners = malloc((size_t)triangles * 3 * sizeof *m->corners);
    m->positions = malloc(values * sizeof *m->positions);
    m->normals = malloc(values * sizeof *m->normals);
    if (!m->corners || !m->positions || !m->normals) {
        zc__vertex_frames_free(out);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory reading the MD3 frames");
    }
    for (size_t i = 0; i < (size_t)triangles * 3; ++i) {
        uint32_t v = zc__le_u32(h + tri_at + 4 * i);
        if (v >= vertices) return zc__md3_bad(out, diag, "a triangle names a vertex past its vertices", s);
        m->corners[i] = v;
    }
    for (size_t i = 0; i < (size_t)out->frame_count * vertices; ++i) {
        const uint8_t *v = h + vert_at + ZC__MD3_VERTEX * i;
        for (int k = 0; k < 3; ++k) m->positions[i * 3 + (size_t)k] = (float)(int16_t)zc__le_u16(v + 2 * k) * (1.0f / 64.0f);
        zc__md3_normal(zc__le_u16(v + 6), m->normals + i * 3);
    }
    return ZC_OK;
}

zc_result zc__md3_frames_read(const uint8_t *data, size_t size, zc__vertex_frames *out, zc_diag *diag) {
    memset(out, 0, sizeof *out);
    if (!data || size < ZC__MD3_HEADER || memcmp(data, "IDP3", 4) != 0)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the file is not an MD3 model (no \"IDP3\" header)");
    uint32_t version = zc__le_u32(data + 4), frames = zc__le_u32(data + 76), surfaces = zc__le_u32(data + 84);
    uint32_t frame_at = zc__le_u32(data + 92), surface_at = zc__le_u32(data + 100);
    if (version != ZC__MD3_VERSION) return zc_fail(diag, ZC_ERR_BAD_SOURCE, "MD3 version %u is not 15", version);
    if (frames == 0 || frames > ZC__MD3_MAX_FRAMES || surfaces > ZC__MD3_MAX_SURFACES)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE,
                       "MD3 counts out of the format's range: %u frames (1 to %u), %u surfaces (at most %u)", frames,
                       ZC__MD3_MAX_FRAMES, surfaces, ZC__MD3_MAX_SURFACES);
    if (!zc__md3_inside(frame_at, frames, ZC__MD3_FRAME, size))
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the MD3 frames (%u at offset %u) do not lie inside the file's %zu bytes",
                       frames, frame_at, size);
    zc_result r = zc__vertex_frames_init(out, "MD3", ZC__MD3_FRAMES_PER_SECOND, frames, surfaces, diag);
    if (r != ZC_OK) return r;
    for (uint32_t f = 0; f < out->frame_count; ++f) {
        const char *name = (const char *)data + frame_at + (size_t)f * ZC__MD3_FRAME + ZC__MD3_FRAME_NAME;
        size_t len = strnlen(name, ZC__MD3_NAME);
        memcpy(out->names[f], name, len);
        out->names[f][len] = 0;
    }
    uint64_t at = surface_at;
    for (uint32_t s = 0; s < surfaces && r == ZC_OK; ++s) {
        if (!zc__md3_inside(at, 1, ZC__MD3_SURFACE, size)) return zc__md3_bad(out, diag, "it lies outside the file", s);
        uint32_t next = zc__le_u32(data + at + 104);
        if (next < ZC__MD3_SURFACE || next > size - at)
            return zc__md3_bad(out, diag, "its end offset lies outside the file", s);
        r = zc__md3_surface(data, size, at, s, out, diag);
        at += next;
    }
    return r;
}

zc_result zc__md3_frames_parse(const uint8_t *data, size_t size, void *out, zc_diag *diag) {
    return zc__md3_frames_read(data, size, out, diag);
}

/* 1 when the `size`-byte name field at p holds a NUL. */
static int zc__md3_name_ends(const uint8_t *p, size_t size) {
    return memchr(p, 0, size) != NULL;
}

/* A surface's structure (zc__md3_check): counts, arrays inside the file, names ended. */
static zc_result zc__md3_check_surface(const uint8_t *data, size_t size, uint64_t at, uint32_t s, zc_diag *diag) {
    const uint8_t *h = data + at;
    uint32_t frames = zc__le_u32(h + 72), shaders = zc__le_u32(h + 76), vertices = zc__le_u32(h + 80);
    uint32_t triangles = zc__le_u32(h + 84);
    const char *why = NULL;
    if (memcmp(h, "IDP3", 4) != 0) why = "no \"IDP3\" at its start";
    else if (!zc__md3_name_ends(h + 4, 64)) why = "its name does not end within its 64 bytes";
    else if (frames > ZC__MD3_MAX_FRAMES || shaders > ZC__MD3_MAX_SHADERS || vertices > ZC__MD3_MAX_VERTICES ||
             triangles > ZC__MD3_MAX_TRIANGLES)
        why = "more frames, shaders, vertices or triangles than the format allows";
    else if (!zc__md3_inside(at + zc__le_u32(h + 88), triangles, ZC__MD3_TRIANGLE, size) ||
             !zc__md3_inside(at + zc__le_u32(h + 92), shaders, ZC__MD3_SHADER, size) ||
             !zc__md3_inside(at + zc__le_u32(h + 96), vertices, 8, size) ||
             !zc__md3_inside(at + zc__le_u32(h + 100), (uint64_t)frames * vertices, ZC__MD3_VERTEX, size))
        why = "its triangles, shaders, texture coordinates or vertices lie outside the file";
    for (uint32_t i = 0; !why && i < shaders; ++i)
        if (!zc__md3_name_ends(h + zc__le_u32(h + 92) + (size_t)i * ZC__MD3_SHADER, 64))
            why = "a shader name does not end within its 64 bytes";
    for (size_t i = 0; !why && i < (size_t)triangles * 3; ++i)
        if (zc__le_u32(h + zc__le_u32(h + 88) + 4 * i) >= vertices) why = "a triangle names a vertex past its vertices";
    return why ? zc_fail(diag, ZC_ERR_BAD_SOURCE, "MD3 surface %u: %s", s, why) : ZC_OK;
}

zc_result zc__md3_check(const uint8_t *data, size_t size, zc_diag *diag) {
    if (!data || size < ZC__MD3_HEADER || memcmp(data, "IDP3", 4) != 0)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the file is not an MD3 model (no \"IDP3\" header)");
    uint32_t version = zc__le_u32(data + 4), frames = zc__le_u32(data + 76), tags = zc__le_u32(data + 80);
    uint32_t surfaces = zc__le_u32(data + 84), tag_at = zc__le_u32(data + 96), surface_at = zc__le_u32(data + 100);
    if (version != ZC__MD3_VERSION) return zc_fail(diag, ZC_ERR_BAD_SOURCE, "MD3 version %u is not 15", version);
    if (!zc__md3_name_ends(data + 8, 64))
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the MD3 model's name does not end within its 64 bytes");
    if (frames == 0 || frames > ZC__MD3_MAX_FRAMES || tags > ZC__MD3_MAX_TAGS || surfaces > ZC__MD3_MAX_SURFACES)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE,
                       "MD3 counts out of the format's range: %u frames (1 to %u), %u tags (at most %u), %u surfaces "
                       "(at most %u)",
                       frames, ZC__MD3_MAX_FRAMES, tags, ZC__MD3_MAX_TAGS, surfaces, ZC__MD3_MAX_SURFACES);
    if (!zc__md3_inside(zc__le_u32(data + 92), frames, ZC__MD3_FRAME, size) ||
        !zc__md3_inside(tag_at, (uint64_t)frames * tags, ZC__MD3_TAG, size))
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the MD3 frames or tags lie outside the file's %zu bytes", size);
    for (size_t i = 0; i < (size_t)frames * tags; ++i)
        if (!zc__md3_name_ends(data + tag_at + i * ZC__MD3_TAG, 64))
            return zc_fail(diag, ZC_ERR_BAD_SOURCE, "an MD3 tag name does not end within its 64 bytes");
    uint64_t at = surface_at;
    for (uint32_t s = 0; s < surfaces; ++s) {
        if (!zc__md3_inside(at, 1, ZC__MD3_SURFACE, size))
            return zc_fail(diag, ZC_ERR_BAD_SOURCE, "MD3 surface %u: it lies outside the file", s);
        uint32_t next = zc__le_u32(data + at + 104);
        if (next < ZC__MD3_SURFACE || next > size - at)
            return zc_fail(diag, ZC_ERR_BAD_SOURCE, "MD3 surface %u: its end offset lies outside the file", s);
        zc_result r = zc__md3_check_surface(data, size, at, s, diag);
        if (r != ZC_OK) return r;
        at += next;
    }
    return ZC_OK;
}
