/* zc_model_md2_frames.c - the vertex animation of MD2 files as morph targets and
 * clips.
 *
 * assimp reads the first frame of an MD2 file only. This reader takes every frame
 * from the file itself and adds it to assimp's scene as one morph target of the mesh
 * (target f is frame f, so target 0 moves nothing), and groups the frames into clips
 * whose morph weight keys select one frame after the other:
 *  - a clip is a run of consecutive frames whose names are equal once their trailing
 *    digits are removed ("stand01".."stand40" is the clip "stand", "pain101".."pain304"
 *    the clip "pain"); a name of digits only gives the clip "frame";
 *  - frame j of a clip is keyed at j / ZC__MD2_FRAMES_PER_SECOND seconds (10, the rate
 *    Quake II plays its models at) with weight 1 on its own target and 0 on every other,
 *    so sampling between two keys blends the two frames linearly; a clip lasts from its
 *    first frame to its last (no wrap back to the first);
 *  - each target's normals are computed from that frame's triangles (the area-weighted
 *    sum of the face normals around each vertex of the file), since the format stores
 *    an index into a fixed table of normals that this reader does not carry; without
 *    weights the mesh keeps assimp's normals of frame 0.
 * Alignment with assimp's mesh: assimp makes one vertex per triangle corner, triangle
 * after triangle in file order, so its vertex i is the file's vertex
 * corners[i / 3][i % 3]. That is checked, not assumed: frame 0 decoded here must give
 * every position of assimp's mesh (within ZC__MD2_MATCH of the mesh's size), or the
 * frames are left out with a note and the model imports as assimp read it. So are
 * they when assimp's scene is not one mesh of 3 vertices per triangle of the file.
 * At most ZC_MORPH_MAX_TARGETS frames are kept (noted when a file has more).
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

#include <assimp/scene.h>

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
#define ZC__MD2_MAX_FILE (64u << 20)   /* larger than any file within the limits above */
#define ZC__MD2_FRAMES_PER_SECOND 10.0
#define ZC__MD2_MATCH 1e-5             /* frame 0 against assimp, relative to the mesh size */

void zc__md2_frames_free(zc__md2_frames *f) {
    if (!f) return;
    free(f->corners);
    free(f->positions);
    free(f->names);
    memset(f, 0, sizeof *f);
}

zc_result zc__md2_frames_read(const uint8_t *data, size_t size, zc__md2_frames *out, zc_diag *diag) {
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
    uint32_t kept = frames < ZC_MORPH_MAX_TARGETS ? frames : ZC_MORPH_MAX_TARGETS;
    out->frames_in_file = frames;
    out->frame_count = kept;
    out->vertex_count = vertices;
    out->triangle_count = triangles;
    out->corners = malloc((size_t)triangles * 3 * sizeof *out->corners);
    out->positions = malloc((size_t)kept * vertices * 3 * sizeof *out->positions);
    out->names = malloc((size_t)kept * sizeof *out->names);
    if (!out->corners || !out->positions || !out->names) {
        zc__md2_frames_free(out);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory reading the MD2 frames");
    }
    for (uint32_t t = 0; t < triangles; ++t)
        for (uint32_t c = 0; c < 3; ++c) {
            uint16_t v = zc__le_u16(data + tri_offset + (size_t)t * ZC__MD2_TRIANGLE_SIZE + 2 * c);
            if (v >= vertices) {
                zc__md2_frames_free(out);
                return zc_fail(diag, ZC_ERR_BAD_SOURCE, "MD2 triangle %u names vertex %u of %u", t, v, vertices);
            }
            out->corners[(size_t)t * 3 + c] = v;
        }
    for (uint32_t f = 0; f < kept; ++f) {
        const uint8_t *fr = data + frame_offset + (size_t)f * frame_size;
        float scale[3], translate[3];
        for (int k = 0; k < 3; ++k) {
            scale[k] = zc__le_f32(fr + 4 * k);
            translate[k] = zc__le_f32(fr + 12 + 4 * k);
            if (!isfinite(scale[k]) || !isfinite(translate[k])) {
                zc__md2_frames_free(out);
                return zc_fail(diag, ZC_ERR_BAD_SOURCE, "MD2 frame %u has a scale or offset that is not finite", f);
            }
        }
        size_t name_len = strnlen((const char *)fr + 24, ZC__MD2_NAME_SIZE);
        memcpy(out->names[f], fr + 24, name_len);
        out->names[f][name_len] = 0;
        float *p = out->positions + (size_t)f * vertices * 3;
        for (uint32_t v = 0; v < vertices; ++v)
            for (int k = 0; k < 3; ++k) {
                /* two roundings, as the format's readers (assimp included) compute it */
                float scaled = (float)fr[ZC__MD2_FRAME_HEADER + 4 * v + (uint32_t)k] * scale[k];
                p[(size_t)v * 3 + (size_t)k] = scaled + translate[k];
                if (!isfinite(p[(size_t)v * 3 + (size_t)k])) {
                    zc__md2_frames_free(out);
                    return zc_fail(diag, ZC_ERR_BAD_SOURCE, "MD2 frame %u vertex %u is not finite", f, v);
                }
            }
    }
    return ZC_OK;
}

/* The first node (depth-first) that draws mesh 0, NULL when none. */
static const struct aiNode *zc__md2_mesh_node(const struct aiNode *node, unsigned depth) {
    if (!node || depth > ZC_SCENE_MAX_DEPTH) return NULL;
    for (unsigned k = 0; node->mMeshes && k < node->mNumMeshes; ++k)
        if (node->mMeshes[k] == 0) return node;
    for (unsigned c = 0; node->mChildren && c < node->mNumChildren; ++c) {
        const struct aiNode *found = zc__md2_mesh_node(node->mChildren[c], depth + 1);
        if (found) return found;
    }
    return NULL;
}

/* Largest difference between frame 0 and assimp's positions, relative to the mesh's
 * extent (at least 1). */
static double zc__md2_mismatch(const zc__md2_frames *f, const struct aiMesh *am, uint32_t *worst_vertex) {
    double extent = 1.0, worst = 0.0;
    for (unsigned i = 0; i < am->mNumVertices; ++i) {
        const struct aiVector3D *v = &am->mVertices[i];
        extent = fmax(extent, fmax(fabs(v->x), fmax(fabs(v->y), fabs(v->z))));
    }
    *worst_vertex = 0;
    for (unsigned i = 0; i < am->mNumVertices; ++i) {
        const float *p = f->positions + (size_t)f->corners[i] * 3;
        const struct aiVector3D *v = &am->mVertices[i];
        double d = fmax(fabs(p[0] - v->x), fmax(fabs(p[1] - v->y), fabs(p[2] - v->z))) / extent;
        if (!(d <= worst)) {
            worst = d;
            *worst_vertex = i;
        }
    }
    return worst;
}

/* Target f's positions and normals in assimp's vertex order (normals when `normals`). */
static void zc__md2_target(const zc__md2_frames *f, const struct aiMesh *am, uint32_t frame, struct aiAnimMesh *t,
                           float *accum) {
    const float *p = f->positions + (size_t)frame * f->vertex_count * 3;
    for (unsigned i = 0; i < am->mNumVertices; ++i) {
        const float *q = p + (size_t)f->corners[i] * 3;
        t->mVertices[i] = (struct aiVector3D){ q[0], q[1], q[2] };
    }
    if (!t->mNormals) return;
    memset(accum, 0, (size_t)f->vertex_count * 3 * sizeof *accum);
    for (unsigned k = 0; k < am->mNumFaces; ++k) {
        const struct aiFace *face = &am->mFaces[k];
        if (face->mNumIndices != 3 || !face->mIndices) continue;
        const float *a = p + (size_t)f->corners[face->mIndices[0]] * 3, *b = p + (size_t)f->corners[face->mIndices[1]] * 3,
                    *c = p + (size_t)f->corners[face->mIndices[2]] * 3;
        float e1[3] = { b[0] - a[0], b[1] - a[1], b[2] - a[2] }, e2[3] = { c[0] - a[0], c[1] - a[1], c[2] - a[2] };
        float n[3] = { e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0] };
        for (int i = 0; i < 3; ++i) {
            float *s = accum + (size_t)f->corners[face->mIndices[i]] * 3;
            s[0] += n[0], s[1] += n[1], s[2] += n[2];
        }
    }
    for (unsigned i = 0; i < am->mNumVertices; ++i) {
        const float *s = accum + (size_t)f->corners[i] * 3;
        double len = sqrt((double)s[0] * s[0] + (double)s[1] * s[1] + (double)s[2] * s[2]);
        /* a vertex of degenerate triangles only keeps frame 0's normal */
        t->mNormals[i] = len > 0.0 ? (struct aiVector3D){ (float)(s[0] / len), (float)(s[1] / len), (float)(s[2] / len) }
                                   : am->mNormals[i];
    }
}

static void zc__md2_set_name(struct aiString *s, const char *name, size_t len) {
    if (len >= sizeof s->data) len = sizeof s->data - 1;
    memcpy(s->data, name, len);
    s->data[len] = 0;
    s->length = (uint32_t)len;
}

/* Length of a frame name without its trailing digits. */
static size_t zc__md2_prefix(const char *name) {
    size_t n = strlen(name);
    while (n > 0 && name[n - 1] >= '0' && name[n - 1] <= '9') n--;
    return n;
}

static int zc__md2_same_clip(const char *a, const char *b) {
    size_t na = zc__md2_prefix(a);
    return na == zc__md2_prefix(b) && memcmp(a, b, na) == 0;
}

void zc__model_md2_morph_free(struct aiScene *scene, const struct aiScene *original) {
    if (!scene) return;
    if (scene->mMeshes && scene->mMeshes[0] != original->mMeshes[0]) {
        struct aiMesh *m = scene->mMeshes[0];
        for (unsigned t = 0; m->mAnimMeshes && t < m->mNumAnimMeshes; ++t) {
            if (!m->mAnimMeshes[t]) continue;
            free(m->mAnimMeshes[t]->mVertices);
            free(m->mAnimMeshes[t]->mNormals);
            free(m->mAnimMeshes[t]);
        }
        free(m->mAnimMeshes);
        free(m);
    }
    if (scene->mMeshes != original->mMeshes) free(scene->mMeshes);
    for (unsigned a = original->mNumAnimations; scene->mAnimations && a < scene->mNumAnimations; ++a) {
        struct aiAnimation *anim = scene->mAnimations[a];
        if (!anim) continue;
        if (anim->mMorphMeshChannels && anim->mMorphMeshChannels[0]) {
            struct aiMeshMorphAnim *mm = anim->mMorphMeshChannels[0];
            if (mm->mKeys) {
                free(mm->mKeys[0].mValues);
                free(mm->mKeys[0].mWeights);
            }
            free(mm->mKeys);
            free(mm);
        }
        free(anim->mMorphMeshChannels);
        free(anim);
    }
    if (scene->mAnimations != original->mAnimations) free(scene->mAnimations);
    free(scene);
}

/* One clip of frames [first, first + count) of mesh node `node`. */
static struct aiAnimation *zc__md2_clip(const zc__md2_frames *f, const struct aiNode *node, uint32_t first,
                                        uint32_t count) {
    struct aiAnimation *anim = calloc(1, sizeof *anim);
    struct aiMeshMorphAnim **channels = calloc(1, sizeof *channels);
    struct aiMeshMorphAnim *mm = calloc(1, sizeof *mm);
    struct aiMeshMorphKey *keys = calloc(count, sizeof *keys);
    unsigned *values = malloc(count * sizeof *values);
    double *weights = malloc(count * sizeof *weights);
    if (!anim || !channels || !mm || !keys || !values || !weights) {
        free(anim), free(channels), free(mm), free(keys), free(values), free(weights);
        return NULL;
    }
    const char *name = f->names[first];
    size_t len = zc__md2_prefix(name);
    if (len) zc__md2_set_name(&anim->mName, name, len);
    else zc__md2_set_name(&anim->mName, "frame", 5);
    anim->mTicksPerSecond = ZC__MD2_FRAMES_PER_SECOND;
    anim->mDuration = count - 1;
    anim->mNumMorphMeshChannels = 1;
    anim->mMorphMeshChannels = channels;
    channels[0] = mm;
    mm->mName = node->mName;
    mm->mNumKeys = count;
    mm->mKeys = keys;
    for (uint32_t j = 0; j < count; ++j) {
        values[j] = first + j;
        weights[j] = 1.0;
        keys[j] = (struct aiMeshMorphKey){ .mTime = j, .mValues = values + j, .mWeights = weights + j,
                                           .mNumValuesAndWeights = 1 };
    }
    return anim;
}

/* The scene with the frames added: mesh 0 copied with one aiAnimMesh per frame, and
 * the clips appended to the animations. Everything else is shared with `scene`. */
static zc_result zc__md2_scene(const zc__md2_frames *f, const struct aiScene *scene, const struct aiNode *node,
                               struct aiScene **out, zc_diag *diag) {
    const struct aiMesh *am = scene->mMeshes[0];
    uint32_t clips = 0;
    for (uint32_t i = 0; i < f->frame_count; ++i) clips += i == 0 || !zc__md2_same_clip(f->names[i - 1], f->names[i]);
    struct aiScene *s = malloc(sizeof *s);
    if (!s) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory adding the MD2 frames");
    *s = *scene;
    zc_result r = ZC_OK;
    struct aiMesh *mesh = NULL;
    float *accum = malloc((size_t)f->vertex_count * 3 * sizeof *accum);
    if (!accum || !(s->mMeshes = malloc(scene->mNumMeshes * sizeof *s->mMeshes))) {
        s->mMeshes = scene->mMeshes;
        s->mAnimations = scene->mAnimations;
        r = ZC_ERR_OUT_OF_MEMORY;
    } else {
        memcpy(s->mMeshes, scene->mMeshes, scene->mNumMeshes * sizeof *s->mMeshes);
        s->mAnimations = NULL;
        if ((mesh = malloc(sizeof *mesh))) {
            *mesh = *am;
            mesh->mNumAnimMeshes = 0;
            mesh->mAnimMeshes = calloc(f->frame_count, sizeof *mesh->mAnimMeshes);
            s->mMeshes[0] = mesh;
        }
        size_t anims = (size_t)scene->mNumAnimations + clips;
        if (!mesh || !mesh->mAnimMeshes || !(s->mAnimations = calloc(anims, sizeof *s->mAnimations))) {
            if (!s->mAnimations) s->mAnimations = scene->mAnimations, s->mNumAnimations = scene->mNumAnimations;
            r = ZC_ERR_OUT_OF_MEMORY;
        } else if (scene->mNumAnimations) {
            memcpy(s->mAnimations, scene->mAnimations, scene->mNumAnimations * sizeof *s->mAnimations);
        }
    }
    for (uint32_t t = 0; r == ZC_OK && t < f->frame_count; ++t) {
        struct aiAnimMesh *target = calloc(1, sizeof *target);
        if (!target) {
            r = ZC_ERR_OUT_OF_MEMORY;
            break;
        }
        mesh->mAnimMeshes[mesh->mNumAnimMeshes++] = target;
        zc__md2_set_name(&target->mName, f->names[t], strlen(f->names[t]));
        target->mNumVertices = am->mNumVertices;
        target->mVertices = malloc(am->mNumVertices * sizeof *target->mVertices);
        if (am->mNormals) target->mNormals = malloc(am->mNumVertices * sizeof *target->mNormals);
        if (!target->mVertices || (am->mNormals && !target->mNormals)) r = ZC_ERR_OUT_OF_MEMORY;
        else zc__md2_target(f, am, t, target, accum);
    }
    for (uint32_t i = 0; r == ZC_OK && i < f->frame_count;) {
        uint32_t n = 1;
        while (i + n < f->frame_count && zc__md2_same_clip(f->names[i], f->names[i + n])) n++;
        struct aiAnimation *clip = zc__md2_clip(f, node, i, n);
        if (!clip) r = ZC_ERR_OUT_OF_MEMORY;
        else s->mAnimations[s->mNumAnimations++] = clip;
        i += n;
    }
    free(accum);
    if (r != ZC_OK) {
        zc__model_md2_morph_free(s, scene);
        return zc_fail(diag, r, "out of memory adding the MD2 frames");
    }
    *out = s;
    return ZC_OK;
}

static zc_result zc__md2_parse(const uint8_t *data, size_t size, void *out, zc_diag *diag) {
    return zc__md2_frames_read(data, size, out, diag);
}

zc_result zc__model_md2_morph(zc__model_build *b, const struct aiScene *scene, struct aiScene **out, zc_diag *diag) {
    *out = NULL;
    zc__md2_frames f;
    int parsed;
    zc_result r = zc__model_parse_source(b, ZC__MD2_MAX_FILE, "MD2 frames", zc__md2_parse, &f, &parsed, diag);
    if (r != ZC_OK || !parsed) return r;
    const struct aiMesh *am = scene->mNumMeshes == 1 && scene->mMeshes ? scene->mMeshes[0] : NULL;
    const struct aiNode *node = zc__md2_mesh_node(scene->mRootNode, 1);
    uint32_t worst_vertex = 0;
    double mismatch = 0.0;
    if (f.frames_in_file < 2) {
        /* a still model: nothing to animate */
    } else if (!am || !am->mVertices || am->mNumVertices != 3 * f.triangle_count || !node) {
        zc__model_note(b, "MD2 frames left out: assimp's scene is not one mesh of the file's %u triangles",
                       f.triangle_count);
    } else if ((mismatch = zc__md2_mismatch(&f, am, &worst_vertex)) > ZC__MD2_MATCH) {
        zc__model_note(b,
                       "MD2 frames left out: frame 0 read here differs from assimp's mesh at vertex %u by %.3g of "
                       "the mesh's size",
                       worst_vertex, mismatch);
    } else {
        if (f.frames_in_file > f.frame_count)
            zc__model_note(b, "MD2 model of %u frames: only the first %u kept as morph targets", f.frames_in_file,
                           f.frame_count);
        r = zc__md2_scene(&f, scene, node, out, diag);
    }
    zc__md2_frames_free(&f);
    return r;
}
