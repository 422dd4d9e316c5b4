/* zc_model_vertex_frames.c - vertex animation stored as whole frames (MD2, MD3), as
 * morph targets and clips.
 *
 * assimp reads the first frame of such a file only. The format's reader
 * (zc_model_md2_frames.c, zc_model_md3_frames.c) takes every frame from the file
 * itself; this file adds them to assimp's scene as one morph target per frame of each
 * mesh (target f is frame f, so target 0 moves nothing), and groups the frames into
 * clips whose morph weight keys select one frame after the other:
 *  - a clip is a run of consecutive frames whose names are equal once their trailing
 *    digits are removed ("stand01".."stand40" is the clip "stand", "pain101".."pain304"
 *    the clip "pain"); a name of digits only, or none, gives the clip "frame";
 *    (a Quake III player part takes its clips from animation.cfg instead,
 *    zc_model_md3_animation.c, each at its own rate);
 *  - frame j of a clip is keyed at j / frames_per_second seconds (the format's rate)
 *    with weight 1 on its own target and 0 on every other, so sampling between two
 *    keys blends the two frames linearly; a clip lasts from its first frame to its
 *    last (no wrap back to the first); the clip's one channel names the node that
 *    draws the meshes, so every mesh follows the same weights;
 *  - each target's normals are the file's for that frame when the format stores them
 *    (MD3), else computed from that frame's triangles (the area-weighted sum of the
 *    face normals around each vertex of the file; MD2 stores an index into a table of
 *    normals that this reader does not carry); without weights the meshes keep
 *    assimp's normals of frame 0.
 * Alignment with assimp's meshes: assimp makes one vertex per triangle corner,
 * triangle after triangle in file order, so vertex i of a mesh is the file's vertex
 * corners[i / 3][i % 3]. That is checked, not assumed: every mesh of assimp's scene
 * must be one of the file's meshes (3 vertices per triangle, and frame 0 decoded here
 * giving every position within ZC__FRAMES_MATCH of the meshes' size), each file mesh
 * used once, all drawn by one node; or the frames are left out with a note and the
 * model imports as assimp read it. At most ZC_MORPH_MAX_TARGETS frames are kept
 * (noted when a file has more).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <assimp/scene.h>

#include "zc_model_internal.h"

#define ZC__FRAMES_MATCH 1e-5 /* frame 0 against assimp, relative to the meshes' size */

void zc__vertex_frames_free(zc__vertex_frames *f) {
    if (!f) return;
    for (uint32_t m = 0; f->meshes && m < f->mesh_count; ++m) {
        free(f->meshes[m].corners);
        free(f->meshes[m].positions);
        free(f->meshes[m].normals);
    }
    free(f->meshes);
    free(f->names);
    free(f->clips);
    memset(f, 0, sizeof *f);
}

zc_result zc__vertex_frames_init(zc__vertex_frames *f, const char *format, double frames_per_second,
                                 uint32_t frames_in_file, uint32_t mesh_count, zc_diag *diag) {
    memset(f, 0, sizeof *f);
    f->format = format;
    f->frames_per_second = frames_per_second;
    f->frames_in_file = frames_in_file;
    f->frame_count = frames_in_file < ZC_MORPH_MAX_TARGETS ? frames_in_file : ZC_MORPH_MAX_TARGETS;
    f->names = calloc(f->frame_count ? f->frame_count : 1, sizeof *f->names);
    f->meshes = calloc(mesh_count ? mesh_count : 1, sizeof *f->meshes);
    if (!f->names || !f->meshes) {
        zc__vertex_frames_free(f);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory reading the %s frames", format);
    }
    return ZC_OK;
}

/* The first node (depth-first) that draws mesh 0, NULL when none. */
static const struct aiNode *zc__frames_mesh_node(const struct aiNode *node, unsigned depth) {
    if (!node || depth > ZC_SCENE_MAX_DEPTH) return NULL;
    for (unsigned k = 0; node->mMeshes && k < node->mNumMeshes; ++k)
        if (node->mMeshes[k] == 0) return node;
    for (unsigned c = 0; node->mChildren && c < node->mNumChildren; ++c) {
        const struct aiNode *found = zc__frames_mesh_node(node->mChildren[c], depth + 1);
        if (found) return found;
    }
    return NULL;
}

/* 1 when `node` draws every mesh of the scene. */
static int zc__frames_node_draws_all(const struct aiNode *node, unsigned mesh_count) {
    for (unsigned m = 0; m < mesh_count; ++m) {
        int drawn = 0;
        for (unsigned k = 0; node->mMeshes && k < node->mNumMeshes && !drawn; ++k) drawn = node->mMeshes[k] == m;
        if (!drawn) return 0;
    }
    return 1;
}

/* Largest difference between frame 0 of file mesh fm and assimp's positions,
 * relative to `extent`; +inf when the vertex counts differ. */
static double zc__frames_mismatch(const zc__frame_mesh *fm, const struct aiMesh *am, double extent) {
    if (!am->mVertices || am->mNumVertices != 3ull * fm->triangle_count) return INFINITY;
    double worst = 0.0;
    for (unsigned i = 0; i < am->mNumVertices; ++i) {
        const float *p = fm->positions + (size_t)fm->corners[i] * 3;
        const struct aiVector3D *v = &am->mVertices[i];
        double d = fmax(fabs(p[0] - v->x), fmax(fabs(p[1] - v->y), fabs(p[2] - v->z))) / extent;
        if (!(d <= worst)) worst = d;
    }
    return worst;
}

/* For every mesh of the scene, the file mesh it is (match[m]); 0 with a note naming
 * the first mesh that is none of them. */
static int zc__frames_match(zc__model_build *b, const zc__vertex_frames *f, const struct aiScene *scene,
                            uint32_t *match) {
    double extent = 1.0;
    for (unsigned m = 0; m < scene->mNumMeshes; ++m)
        for (unsigned i = 0; scene->mMeshes[m]->mVertices && i < scene->mMeshes[m]->mNumVertices; ++i) {
            const struct aiVector3D *v = &scene->mMeshes[m]->mVertices[i];
            extent = fmax(extent, fmax(fabs(v->x), fmax(fabs(v->y), fabs(v->z))));
        }
    uint8_t used[ZC__FRAMES_MAX_MESHES] = { 0 };
    for (unsigned m = 0; m < scene->mNumMeshes; ++m) {
        double best = INFINITY;
        uint32_t pick = UINT32_MAX;
        for (uint32_t s = 0; s < f->mesh_count; ++s) {
            double d = used[s] ? INFINITY : zc__frames_mismatch(&f->meshes[s], scene->mMeshes[m], extent);
            if (d < best) best = d, pick = s;
        }
        if (!(best <= ZC__FRAMES_MATCH)) {
            if (pick == UINT32_MAX)
                zc__model_note(b, "%s frames left out: assimp's mesh %u is none of the file's meshes", f->format, m);
            else
                zc__model_note(b, "%s frames left out: frame 0 read here differs from assimp's mesh %u by %.3g of the "
                                  "model's size",
                               f->format, m, best);
            return 0;
        }
        used[pick] = 1;
        match[m] = pick;
    }
    return 1;
}

/* Target `frame` of file mesh fm in assimp's vertex order: positions, and normals
 * when the target has room for them (`accum`: scratch of fm's vertex count * 4: each
 * file vertex's summed face normal, then that normal made unit and a flag saying it
 * has a length; each file vertex is made unit once, however many assimp vertices
 * stand for it). */
static void zc__frames_target(const zc__frame_mesh *fm, const struct aiMesh *am, uint32_t frame,
                              struct aiAnimMesh *t, float *accum) {
    const float *p = fm->positions + (size_t)frame * fm->vertex_count * 3;
    for (unsigned i = 0; i < am->mNumVertices; ++i) {
        const float *q = p + (size_t)fm->corners[i] * 3;
        t->mVertices[i] = (struct aiVector3D){ q[0], q[1], q[2] };
    }
    if (!t->mNormals) return;
    if (fm->normals) {
        const float *n = fm->normals + (size_t)frame * fm->vertex_count * 3;
        for (unsigned i = 0; i < am->mNumVertices; ++i) {
            const float *q = n + (size_t)fm->corners[i] * 3;
            t->mNormals[i] = (struct aiVector3D){ q[0], q[1], q[2] };
        }
        return;
    }
    memset(accum, 0, (size_t)fm->vertex_count * 4 * sizeof *accum);
    for (unsigned k = 0; k < am->mNumFaces; ++k) {
        const struct aiFace *face = &am->mFaces[k];
        if (face->mNumIndices != 3 || !face->mIndices) continue;
        const float *a = p + (size_t)fm->corners[face->mIndices[0]] * 3,
                    *b = p + (size_t)fm->corners[face->mIndices[1]] * 3,
                    *c = p + (size_t)fm->corners[face->mIndices[2]] * 3;
        float e1[3] = { b[0] - a[0], b[1] - a[1], b[2] - a[2] }, e2[3] = { c[0] - a[0], c[1] - a[1], c[2] - a[2] };
        float n[3] = { e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0] };
        for (int i = 0; i < 3; ++i) {
            float *s = accum + (size_t)fm->corners[face->mIndices[i]] * 4;
            s[0] += n[0], s[1] += n[1], s[2] += n[2];
        }
    }
    for (uint32_t j = 0; j < fm->vertex_count; ++j) {
        float *s = accum + (size_t)j * 4;
        double len = sqrt((double)s[0] * s[0] + (double)s[1] * s[1] + (double)s[2] * s[2]);
        if (!(len > 0.0)) continue; /* s[3] stays 0 */
        float x = (float)(s[0] / len), y = (float)(s[1] / len), z = (float)(s[2] / len);
        s[0] = x, s[1] = y, s[2] = z, s[3] = 1.0f;
    }
    for (unsigned i = 0; i < am->mNumVertices; ++i) {
        const float *s = accum + (size_t)fm->corners[i] * 4;
        /* a vertex of degenerate triangles only keeps frame 0's normal */
        t->mNormals[i] = s[3] != 0.0f ? (struct aiVector3D){ s[0], s[1], s[2] } : am->mNormals[i];
    }
}

static void zc__frames_set_name(struct aiString *s, const char *name, size_t len) {
    if (len >= sizeof s->data) len = sizeof s->data - 1;
    memcpy(s->data, name, len);
    s->data[len] = 0;
    s->length = (uint32_t)len;
}

/* Length of a frame name without its trailing digits. */
static size_t zc__frames_prefix(const char *name) {
    size_t n = strlen(name);
    while (n > 0 && name[n - 1] >= '0' && name[n - 1] <= '9') n--;
    return n;
}

static int zc__frames_same_clip(const char *a, const char *b) {
    size_t na = zc__frames_prefix(a);
    return na == zc__frames_prefix(b) && memcmp(a, b, na) == 0;
}

void zc__model_vertex_frames_free(struct aiScene *scene, const struct aiScene *original) {
    if (!scene) return;
    for (unsigned i = 0; scene->mMeshes && scene->mMeshes != original->mMeshes && i < scene->mNumMeshes; ++i) {
        struct aiMesh *m = scene->mMeshes[i];
        if (m == original->mMeshes[i]) continue;
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

/* One clip of frames [first, first + count) of the meshes node `node` draws, keyed at
 * `fps`, named `name` (NULL: the first frame's name without its trailing digits). */
static struct aiAnimation *zc__frames_clip(const zc__vertex_frames *f, const struct aiNode *node, uint32_t first,
                                           uint32_t count, const char *name, double fps) {
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
    size_t len = name ? strlen(name) : zc__frames_prefix(f->names[first]);
    if (len) zc__frames_set_name(&anim->mName, name ? name : f->names[first], len);
    else zc__frames_set_name(&anim->mName, "frame", 5);
    anim->mTicksPerSecond = fps;
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

/* Mesh am copied with one aiAnimMesh per frame of file mesh fm, into *out. */
static zc_result zc__frames_mesh(const zc__vertex_frames *f, const zc__frame_mesh *fm, const struct aiMesh *am,
                                 struct aiMesh **out) {
    struct aiMesh *mesh = malloc(sizeof *mesh);
    float *accum = malloc((size_t)fm->vertex_count * 4 * sizeof *accum + 1);
    if (!mesh || !accum) {
        free(mesh), free(accum);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    *mesh = *am;
    mesh->mNumAnimMeshes = 0;
    *out = mesh;
    zc_result r = (mesh->mAnimMeshes = calloc(f->frame_count, sizeof *mesh->mAnimMeshes)) ? ZC_OK : ZC_ERR_OUT_OF_MEMORY;
    for (uint32_t t = 0; r == ZC_OK && t < f->frame_count; ++t) {
        struct aiAnimMesh *target = calloc(1, sizeof *target);
        if (!target) {
            r = ZC_ERR_OUT_OF_MEMORY;
            break;
        }
        mesh->mAnimMeshes[mesh->mNumAnimMeshes++] = target;
        zc__frames_set_name(&target->mName, f->names[t], strlen(f->names[t]));
        target->mNumVertices = am->mNumVertices;
        target->mVertices = malloc(am->mNumVertices * sizeof *target->mVertices);
        if (am->mNormals) target->mNormals = malloc(am->mNumVertices * sizeof *target->mNormals);
        if (!target->mVertices || (am->mNormals && !target->mNormals)) r = ZC_ERR_OUT_OF_MEMORY;
        else zc__frames_target(fm, am, t, target, accum);
    }
    free(accum);
    return r;
}

/* The scene with the frames added: each mesh copied with its targets, and the clips
 * appended to the animations. Everything else is shared with `scene`. */
static zc_result zc__frames_scene(const zc__vertex_frames *f, const uint32_t *match, const struct aiScene *scene,
                                  const struct aiNode *node, struct aiScene **out, zc_diag *diag) {
    uint32_t clips = f->clip_count;
    for (uint32_t i = 0; !f->clip_count && i < f->frame_count; ++i)
        clips += i == 0 || !zc__frames_same_clip(f->names[i - 1], f->names[i]);
    struct aiScene *s = malloc(sizeof *s);
    if (!s) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory adding the %s frames", f->format);
    *s = *scene;
    s->mMeshes = calloc(scene->mNumMeshes, sizeof *s->mMeshes);
    s->mAnimations = calloc((size_t)scene->mNumAnimations + clips, sizeof *s->mAnimations);
    s->mNumAnimations = scene->mNumAnimations;
    zc_result r = s->mMeshes && s->mAnimations ? ZC_OK : ZC_ERR_OUT_OF_MEMORY;
    if (!s->mMeshes) s->mMeshes = scene->mMeshes;
    if (!s->mAnimations) s->mAnimations = scene->mAnimations;
    if (r == ZC_OK) {
        memcpy(s->mMeshes, scene->mMeshes, scene->mNumMeshes * sizeof *s->mMeshes);
        if (scene->mNumAnimations)
            memcpy(s->mAnimations, scene->mAnimations, scene->mNumAnimations * sizeof *s->mAnimations);
    }
    for (unsigned m = 0; r == ZC_OK && m < scene->mNumMeshes; ++m)
        r = zc__frames_mesh(f, &f->meshes[match[m]], scene->mMeshes[m], &s->mMeshes[m]);
    for (uint32_t c = 0; r == ZC_OK && c < f->clip_count; ++c) {
        const zc__frame_clip *fc = &f->clips[c];
        struct aiAnimation *clip = zc__frames_clip(f, node, fc->first, fc->count, fc->name, fc->frames_per_second);
        if (!clip) r = ZC_ERR_OUT_OF_MEMORY;
        else s->mAnimations[s->mNumAnimations++] = clip;
    }
    for (uint32_t i = 0; r == ZC_OK && !f->clip_count && i < f->frame_count;) {
        uint32_t n = 1;
        while (i + n < f->frame_count && zc__frames_same_clip(f->names[i], f->names[i + n])) n++;
        struct aiAnimation *clip = zc__frames_clip(f, node, i, n, NULL, f->frames_per_second);
        if (!clip) r = ZC_ERR_OUT_OF_MEMORY;
        else s->mAnimations[s->mNumAnimations++] = clip;
        i += n;
    }
    if (r != ZC_OK) {
        zc__model_vertex_frames_free(s, scene);
        return zc_fail(diag, r, "out of memory adding the %s frames", f->format);
    }
    *out = s;
    return ZC_OK;
}

zc_result zc__model_vertex_frames(zc__model_build *b, const struct aiScene *scene, const char *format,
                                  uint64_t max_file, zc__model_parse_fn read, struct aiScene **out, zc_diag *diag) {
    *out = NULL;
    zc__vertex_frames f;
    int parsed;
    char what[32];
    snprintf(what, sizeof what, "%s frames", format);
    zc_result r = zc__model_parse_source(b, max_file, what, read, &f, &parsed, diag);
    if (r != ZC_OK || !parsed) return r;
    const struct aiNode *node = scene->mNumMeshes ? zc__frames_mesh_node(scene->mRootNode, 1) : NULL;
    uint32_t match[ZC__FRAMES_MAX_MESHES];
    if (f.frames_in_file < 2) {
        /* a still model: nothing to animate */
    } else if (!scene->mMeshes || !scene->mNumMeshes || scene->mNumMeshes > f.mesh_count || !node ||
               !zc__frames_node_draws_all(node, scene->mNumMeshes)) {
        zc__model_note(b, "%s frames left out: assimp's scene is not the file's %u meshes drawn by one node", format,
                       f.mesh_count);
    } else if (zc__frames_match(b, &f, scene, match)) {
        if (f.frames_in_file > f.frame_count)
            zc__model_note(b, "%s model of %u frames: only the first %u kept as morph targets", format,
                           f.frames_in_file, f.frame_count);
        if (b->is_md3 && (r = zc__md3_animation_cfg(b, &f)) != ZC_OK)
            r = zc_fail(diag, r, "out of memory reading animation.cfg");
        if (r == ZC_OK) r = zc__frames_scene(&f, match, scene, node, out, diag);
        b->frame_targets = r == ZC_OK;
    }
    zc__vertex_frames_free(&f);
    return r;
}
