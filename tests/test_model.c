/* test_model.c - the in-process model import (zc_model_import_in_process) on real
 * third-party models from Debian's assimp-testmodels (/usr/share/assimp/models):
 * glTF 2.0 text with an external image, binary GLB and a data-URI glTF with embedded
 * images, OBJ with MTL (backslash texture paths), COLLADA with a camera and a light,
 * FBX with pivots and with an embedded image, a Half-Life MDL with raw embedded
 * texels, a 75k-triangle GLB.
 *
 * Each model is also loaded by assimp alone (aiImportFile with zc_model_assimp_flags)
 * and the import is compared with it through the runtime's views:
 *  - per source mesh, the triangles as a multiset of (position, uv0, normal) corners,
 *    exact to 1e-6 relative (meshoptimizer reorders triangles, rotates corners and
 *    merges vertices, but must not change a value), or within half a quantisation
 *    step with quantize on; the total triangle count;
 *  - each mesh's material, and the base colour texture against the image assimp names
 *    (its size as stb_image reports it for the file or the embedded bytes);
 *  - the node tree: the same nodes in the same pre-order with the same names, parents
 *    and mesh instances, and world transforms equal to the products of assimp's
 *    matrices.
 * Besides: models without triangles, point and line primitives, missing textures and
 * names in another case, quantisation and meshlets (each submesh's triangles covered
 * exactly once), raw embedded texels, cameras, generated glTF files for the depth
 * limit and for names that are too long or not UTF-8, scale, determinism and the
 * small API.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <assimp/cimport.h>
#include <assimp/material.h>
#include <assimp/postprocess.h>
#include <assimp/scene.h>
#include <stb/stb_image.h>

#include "zc_model.h"
#include "zc_pack.h"
#include "zc_test_images.h"
#include "zc_test_util.h"

#define MODELS "/usr/share/assimp/models/"
#define ENTRY "models/m"

TestSuite(model, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 240);

/* ---------------------------------------------------------------------------------
 * Helpers: importing, entries, the assimp reference
 * ------------------------------------------------------------------------------- */

static void import_ok(const char *path, const zc_model_settings *s, zc_model *m) {
    zcti_require(path);
    zc_diag d = { { 0 } };
    zc_result r = zc_model_import_in_process(path, ENTRY, s, m, &d);
    cr_assert_eq(r, ZC_OK, "%s: %s: %s", path, zc_result_name(r), d.message);
}

static zc_result import_err(const char *path, const zc_model_settings *s, zc_diag *d) {
    zc_model m;
    memset(&m, 0xAB, sizeof m);
    zc_result r = zc_model_import_in_process(path, ENTRY, s, &m, d);
    cr_assert_neq(r, ZC_OK, "%s imported although it should not", path);
    cr_assert(m.entries == NULL && m.entry_count == 0 && m.notes == NULL, "a failed import left entries behind");
    return r;
}

static const struct aiScene *reference(const char *path, const zc_model_settings *s) {
    const struct aiScene *scene = aiImportFile(path, zc_model_assimp_flags(s));
    cr_assert(scene, "assimp alone cannot read %s: %s", path, aiGetErrorString());
    return scene;
}

static void part_path(char *out, size_t size, const char *kind, unsigned index) {
    snprintf(out, size, "%s#%s/%u", ENTRY, kind, index);
}

static uint64_t part_id(const char *kind, unsigned index) {
    char path[256];
    part_path(path, sizeof path, kind, index);
    return zc_asset_id(path, strlen(path));
}

static const zc_model_entry *part(const zc_model *m, const char *kind, unsigned index) {
    char path[256];
    part_path(path, sizeof path, kind, index);
    return zc_model_find(m, path);
}

static zc_mesh_view mesh_view(const zc_model_entry *e) {
    cr_assert(e && e->type == ZC_TYPE_MESH, "not a mesh entry");
    zc_mesh_view v;
    zc_result r = zc_mesh_view_from_bytes(e->payload, e->size, &v);
    cr_assert_eq(r, ZC_OK, "%s: mesh view: %s", e->path, zc_result_name(r));
    return v;
}

static zc_scene_view scene_view(const zc_model *m) {
    const zc_model_entry *e = zc_model_find(m, ENTRY);
    cr_assert(e && e->type == ZC_TYPE_SCENE, "the model has no scene entry");
    zc_scene_view v;
    zc_result r = zc_scene_view_from_bytes(e->payload, e->size, &v);
    cr_assert_eq(r, ZC_OK, "scene view: %s", zc_result_name(r));
    return v;
}

static int triangle_count(const struct aiMesh *am) {
    int n = 0;
    for (unsigned f = 0; f < am->mNumFaces; ++f) n += am->mFaces[f].mNumIndices == 3;
    return n;
}

/* Every entry: sorted paths, a type the registry accepts, 16-byte aligned payload,
 * dependencies that exist in the model and have the type the referrer expects. */
static void check_entries(const zc_model *m) {
    cr_assert_gt(m->entry_count, 0);
    for (size_t i = 0; i < m->entry_count; ++i) {
        const zc_model_entry *e = &m->entries[i];
        if (i) cr_assert_lt(strcmp(m->entries[i - 1].path, e->path), 0, "entries are not sorted by path");
        cr_assert_eq((uintptr_t)e->payload % 16, 0, "%s: payload not 16-byte aligned", e->path);
        zc_diag d;
        zc_result r = zc_check_payload(e->type, e->layout_hash, e->payload, e->size, &d);
        cr_assert_eq(r, ZC_OK, "%s: %s", e->path, d.message);
        cr_assert(e->align_log2 >= ZC_MIN_ALIGN_LOG2 && e->align_log2 <= ZC_MAX_ALIGN_LOG2);
        cr_assert_eq(e->deps == NULL, e->dep_count == 0);
        uint32_t want = e->type == ZC_TYPE_SCENE       ? ZC_TYPE_MESH
                        : e->type == ZC_TYPE_MESH      ? ZC_TYPE_MATERIAL
                        : e->type == ZC_TYPE_MATERIAL  ? ZC_TYPE_TEXTURE
                        : e->type == ZC_TYPE_ANIMATION ? ZC_TYPE_SKELETON
                                                       : 0;
        for (uint32_t k = 0; k < e->dep_count; ++k) {
            const zc_model_entry *dep = zc_model_find_id(m, e->deps[k]);
            cr_assert(dep, "%s: dependency %u is not in the model", e->path, k);
            /* a skinned mesh also names its skeleton, after its material */
            int skeleton = e->type == ZC_TYPE_MESH && k + 1 == e->dep_count && dep->type == ZC_TYPE_SKELETON;
            cr_assert(dep->type == want || skeleton, "%s: dependency %s has the wrong type", e->path, dep->path);
        }
    }
}

/* ---------------------------------------------------------------------------------
 * Triangles as multisets
 * ------------------------------------------------------------------------------- */

#define CORNER 8 /* position xyz, uv0 uv, normal xyz */

typedef struct tri {
    float c[3][CORNER];
} tri;

static int corner_cmp(const float *a, const float *b) {
    for (int k = 0; k < CORNER; ++k)
        if (a[k] != b[k]) return a[k] < b[k] ? -1 : 1;
    return 0;
}

/* Rotate the corners (keeping the winding) so the smallest comes first. */
static void canonical(tri *t) {
    int first = 0;
    for (int k = 1; k < 3; ++k)
        if (corner_cmp(t->c[k], t->c[first]) < 0) first = k;
    tri r;
    for (int k = 0; k < 3; ++k) memcpy(r.c[k], t->c[(first + k) % 3], sizeof r.c[k]);
    *t = r;
}

static int tri_cmp(const void *pa, const void *pb) {
    const tri *a = pa, *b = pb;
    for (int k = 0; k < 3; ++k) {
        int c = corner_cmp(a->c[k], b->c[k]);
        if (c) return c;
    }
    return 0;
}

static tri *assimp_triangles(const struct aiMesh *am, float scale, size_t *count) {
    tri *out = calloc((size_t)triangle_count(am) + 1, sizeof *out);
    size_t n = 0;
    for (unsigned f = 0; f < am->mNumFaces; ++f) {
        if (am->mFaces[f].mNumIndices != 3) continue;
        for (int k = 0; k < 3; ++k) {
            unsigned v = am->mFaces[f].mIndices[k];
            float *c = out[n].c[k];
            c[0] = am->mVertices[v].x * scale, c[1] = am->mVertices[v].y * scale, c[2] = am->mVertices[v].z * scale;
            if (am->mTextureCoords[0]) c[3] = am->mTextureCoords[0][v].x, c[4] = am->mTextureCoords[0][v].y;
            if (am->mNormals) c[5] = am->mNormals[v].x, c[6] = am->mNormals[v].y, c[7] = am->mNormals[v].z;
        }
        n++;
    }
    *count = n;
    return out;
}

static tri *packed_triangles(const zc_mesh_view *v, size_t *count) {
    const zc_vertex_attribute *pos = zc_mesh_view_attribute(v, ZC_SEMANTIC_POSITION);
    const zc_vertex_attribute *uv = zc_mesh_view_attribute(v, ZC_SEMANTIC_TEXCOORD0);
    const zc_vertex_attribute *nrm = zc_mesh_view_attribute(v, ZC_SEMANTIC_NORMAL);
    cr_assert(pos);
    tri *out = calloc(v->index_count / 3 + 1, sizeof *out);
    for (uint32_t t = 0; t < v->index_count / 3; ++t)
        for (int k = 0; k < 3; ++k) {
            uint32_t vertex = zc_mesh_view_index(v, t * 3 + k);
            float value[4], *c = out[t].c[k];
            zc_mesh_view_read(v, pos, vertex, value);
            memcpy(c, value, 3 * sizeof(float));
            if (uv && zc_mesh_view_read(v, uv, vertex, value)) c[3] = value[0], c[4] = value[1];
            if (nrm && zc_mesh_view_read(v, nrm, vertex, value)) memcpy(c + 5, value, 3 * sizeof(float));
        }
    *count = v->index_count / 3;
    return out;
}

static int close_rel(float a, float b, double rel) {
    return fabs((double)a - b) <= rel * fmax(fabs(a), fabs(b));
}

/* Float streams: the two triangle lists are equal as multisets. */
static void compare_exact(const char *what, tri *a, size_t na, tri *b, size_t nb) {
    cr_assert_eq(na, nb, "%s: %zu triangles packed, assimp has %zu", what, na, nb);
    for (size_t i = 0; i < na; ++i) canonical(&a[i]), canonical(&b[i]);
    qsort(a, na, sizeof *a, tri_cmp);
    qsort(b, nb, sizeof *b, tri_cmp);
    for (size_t i = 0; i < na; ++i)
        for (int k = 0; k < 3; ++k)
            for (int j = 0; j < CORNER; ++j)
                cr_assert(close_rel(a[i].c[k][j], b[i].c[k][j], 1e-6),
                          "%s: sorted triangle %zu corner %d value %d: packed %.9g, assimp %.9g", what, i, k, j,
                          (double)a[i].c[k][j], (double)b[i].c[k][j]);
}

/* Quantised positions: every packed triangle matches a distinct source triangle
 * (in some rotation of its corners) within half a step of the bounds per axis. */
static void compare_quantised(const char *what, const zc_mesh_view *v, const tri *packed, size_t np, const tri *src,
                              size_t ns) {
    cr_assert_eq(np, ns, "%s: %zu triangles packed, assimp has %zu", what, np, ns);
    double tol[3];
    for (int k = 0; k < 3; ++k) {
        double extent = (double)v->aabb_max[k] - v->aabb_min[k];
        double mag = fmax(fabs(v->aabb_min[k]), fabs(v->aabb_max[k]));
        tol[k] = 0.5 * extent / 65535.0 + 4.0 * FLT_EPSILON * mag;
    }
    char *used = calloc(ns + 1, 1);
    for (size_t i = 0; i < np; ++i) {
        int found = 0;
        for (size_t j = 0; j < ns && !found; ++j) {
            if (used[j]) continue;
            for (int r = 0; r < 3 && !found; ++r) {
                int ok = 1;
                for (int k = 0; k < 3 && ok; ++k)
                    for (int axis = 0; axis < 3 && ok; ++axis)
                        ok = fabs((double)packed[i].c[k][axis] - src[j].c[(k + r) % 3][axis]) <= tol[axis];
                if (ok) used[j] = 1, found = 1;
            }
        }
        cr_assert(found, "%s: packed triangle %zu (%g %g %g) matches no source triangle within half a step", what, i,
                  (double)packed[i].c[0][0], (double)packed[i].c[0][1], (double)packed[i].c[0][2]);
    }
    free(used);
}

/* Compare every mesh with assimp's; returns the triangles compared. */
static uint64_t compare_meshes(const char *path, const zc_model *m, const struct aiScene *ref, float scale,
                               int quantised) {
    uint64_t total = 0;
    for (unsigned i = 0; i < ref->mNumMeshes; ++i) {
        const struct aiMesh *am = ref->mMeshes[i];
        const zc_model_entry *e = part(m, "mesh", i);
        if (triangle_count(am) == 0) {
            cr_assert_null(e, "%s: mesh %u has no triangles but an entry", path, i);
            continue;
        }
        cr_assert(e, "%s: mesh %u has no entry", path, i);
        zc_mesh_view v = mesh_view(e);
        cr_assert_eq(v.index_size, v.vertex_count <= 65536 ? 2u : 4u, "index size for %u vertices", v.vertex_count);
        cr_assert_eq(v.submesh_count, 1);
        cr_assert_eq(v.submeshes[0].material, part_id("material", am->mMaterialIndex), "mesh %u material", i);
        size_t np, ns;
        tri *packed = packed_triangles(&v, &np);
        tri *src = assimp_triangles(am, scale, &ns);
        char what[300];
        snprintf(what, sizeof what, "%s mesh %u", path, i);
        if (quantised) compare_quantised(what, &v, packed, np, src, ns);
        else compare_exact(what, packed, np, src, ns);
        free(packed);
        free(src);
        total += ns;
    }
    cr_assert_eq(m->triangle_count, total, "%s: model counts %llu triangles, assimp %llu", path,
                 (unsigned long long)m->triangle_count, (unsigned long long)total);
    return total;
}

/* ---------------------------------------------------------------------------------
 * Materials and textures
 * ------------------------------------------------------------------------------- */

/* The file name at the end of a path with '/' or '\\' separators. */
static const char *file_name(const char *path) {
    const char *slash = strrchr(path, '/'), *back = strrchr(path, '\\');
    const char *last = slash > back ? slash : back;
    return last ? last + 1 : path;
}

/* The size of the image a texture path names: 1 and w, h when it is found. */
static int expected_image(const char *model_path, const struct aiScene *ref, const char *path, int *w, int *h) {
    int comp;
    const struct aiTexture *tex = NULL;
    if (path[0] == '*') {
        tex = ref->mTextures[atoi(path + 1)];
    } else {
        for (unsigned i = 0; i < ref->mNumTextures && !tex; ++i)
            if (strcmp(file_name(ref->mTextures[i]->mFilename.data), file_name(path)) == 0) tex = ref->mTextures[i];
    }
    if (tex) {
        if (tex->mHeight) {
            *w = (int)tex->mWidth, *h = (int)tex->mHeight;
            return 1;
        }
        return stbi_info_from_memory((const unsigned char *)tex->pcData, (int)tex->mWidth, w, h, &comp);
    }
    char rel[1100], file[2200];
    snprintf(rel, sizeof rel, "%s", path);
    for (char *c = rel; *c; ++c)
        if (*c == '\\') *c = '/';
    const char *start = strncmp(rel, "./", 2) == 0 ? rel + 2 : rel;
    const char *slash = strrchr(model_path, '/');
    snprintf(file, sizeof file, "%.*s/%s", (int)(slash - model_path), model_path, start);
    return stbi_info(file, w, h, &comp);
}

/* Base colour textures of every kept mesh's material against assimp's material;
 * returns the number of slots that hold a texture. */
static int check_base_color(const char *model_path, const zc_model *m, const struct aiScene *ref) {
    int textured = 0;
    for (unsigned i = 0; i < ref->mNumMeshes; ++i) {
        if (!triangle_count(ref->mMeshes[i])) continue;
        unsigned mi = ref->mMeshes[i]->mMaterialIndex;
        const zc_model_entry *e = part(m, "material", mi);
        cr_assert(e && e->type == ZC_TYPE_MATERIAL, "%s: material %u of mesh %u has no entry", model_path, mi, i);
        zc_material_view mv;
        cr_assert_eq(zc_material_view_from_bytes(e->payload, e->size, &mv), ZC_OK);
        const struct aiMaterial *mat = ref->mMaterials[mi];
        struct aiString name, path;
        if (aiGetMaterialString(mat, AI_MATKEY_NAME, &name) != aiReturn_SUCCESS) name.data[0] = 0, name.length = 0;
        if (zc_utf8_valid((const uint8_t *)name.data, name.length)) cr_assert_str_eq(mv.name, name.data);
        else cr_assert(strstr(mv.name, "\xEF\xBF\xBD"), "%s: material %u name is not made valid", model_path, mi);
        enum aiTextureType type = aiGetMaterialTextureCount(mat, aiTextureType_BASE_COLOR) ? aiTextureType_BASE_COLOR
                                                                                         : aiTextureType_DIFFUSE;
        int w = 0, h = 0;
        int named = aiGetMaterialTexture(mat, type, 0, &path, NULL, NULL, NULL, NULL, NULL, NULL) == aiReturn_SUCCESS;
        uint64_t id = mv.textures[ZC_MATERIAL_SLOT_BASE_COLOR].texture;
        if (!named || !expected_image(model_path, ref, path.data, &w, &h)) {
            cr_assert_eq(id, 0, "%s: material %u has a base colour texture assimp does not name", model_path, mi);
            continue;
        }
        const zc_model_entry *te = zc_model_find_id(m, id);
        cr_assert(te, "%s: material %u names texture %s, which has no entry", model_path, mi, path.data);
        cr_assert_eq(te->type, ZC_TYPE_TEXTURE);
        const zc_texture *t = te->payload;
        cr_assert(t->width == (uint32_t)w && t->height == (uint32_t)h, "%s: texture %s is %ux%u, the image %dx%d",
                  model_path, path.data, t->width, t->height, w, h);
        cr_assert(zc_pixel_format_is_srgb(t->format), "%s: base colour texture is not sRGB", model_path);
        cr_assert(strncmp(te->path, ENTRY "#texture/", strlen(ENTRY "#texture/")) == 0);
        textured++;
    }
    return textured;
}

/* ---------------------------------------------------------------------------------
 * The node tree
 * ------------------------------------------------------------------------------- */

typedef struct ref_node {
    const struct aiNode *node;
    int parent;
    double world[4][4]; /* row-major, as aiMatrix4x4 */
} ref_node;

static void flatten(const struct aiNode *n, int parent, const double pw[4][4], ref_node *out, int *count) {
    ref_node *r = &out[(*count)++];
    r->node = n;
    r->parent = parent;
    const struct aiMatrix4x4 *t = &n->mTransformation;
    const double local[4][4] = { { t->a1, t->a2, t->a3, t->a4 }, { t->b1, t->b2, t->b3, t->b4 },
                                 { t->c1, t->c2, t->c3, t->c4 }, { t->d1, t->d2, t->d3, t->d4 } };
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) {
            double s = 0;
            for (int k = 0; k < 4; ++k) s += pw[i][k] * local[k][j];
            r->world[i][j] = s;
        }
    int self = *count - 1;
    for (unsigned c = 0; c < n->mNumChildren; ++c) flatten(n->mChildren[c], self, out[self].world, out, count);
}

static int node_total(const struct aiNode *n) {
    int c = 1;
    for (unsigned i = 0; i < n->mNumChildren; ++i) c += node_total(n->mChildren[i]);
    return c;
}

static void check_scene(const char *path, const zc_model *m, const struct aiScene *ref, float scale) {
    zc_scene_view v = scene_view(m);
    int count = 0, total = node_total(ref->mRootNode);
    ref_node *nodes = calloc((size_t)total, sizeof *nodes);
    const double identity[4][4] = { { 1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } };
    flatten(ref->mRootNode, -1, identity, nodes, &count);
    cr_assert_eq(v.node_count, (uint32_t)count, "%s: %u nodes packed, assimp has %d", path, v.node_count, count);
    cr_assert_eq(m->node_count, (uint32_t)count);
    float (*world)[16] = calloc((size_t)count, sizeof *world);
    zc_scene_view_world_transforms(&v, world);
    for (int i = 0; i < count; ++i) {
        const struct aiNode *n = nodes[i].node;
        cr_assert_str_eq(zc_scene_view_node_name(&v, (uint32_t)i, NULL), n->mName.data, "%s: node %d name", path, i);
        cr_assert_eq(v.nodes[i].parent, nodes[i].parent, "%s: node %d (%s) parent", path, i, n->mName.data);
        uint32_t kept = 0;
        for (unsigned k = 0; k < n->mNumMeshes; ++k)
            if (triangle_count(ref->mMeshes[n->mMeshes[k]])) {
                cr_assert_lt(kept, v.nodes[i].mesh_count);
                cr_assert_eq(v.meshes[v.nodes[i].mesh_first + kept].mesh, part_id("mesh", n->mMeshes[k]));
                cr_assert_eq(v.meshes[v.nodes[i].mesh_first + kept].material, 0);
                kept++;
            }
        cr_assert_eq(v.nodes[i].mesh_count, kept, "%s: node %d mesh instances", path, i);
        double mag = 1.0;
        for (int r = 0; r < 4; ++r)
            for (int c = 0; c < 4; ++c) mag = fmax(mag, fabs(nodes[i].world[r][c]) * (c == 3 ? scale : 1.0));
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 4; ++c) {
                double want = nodes[i].world[r][c] * (c == 3 ? scale : 1.0);
                cr_assert(fabs(world[i][c * 4 + r] - want) <= 1e-4 * mag,
                          "%s: node %d (%s) world[%d][%d] is %g, assimp %g", path, i, n->mName.data, r, c,
                          (double)world[i][c * 4 + r], want);
            }
    }
    free(world);
    free(nodes);
}

/* The whole comparison for one model file with these settings. */
static void compare_model(const char *path, const zc_model_settings *s, zc_model *m, int *textured) {
    import_ok(path, s, m);
    check_entries(m);
    const struct aiScene *ref = reference(path, s);
    compare_meshes(path, m, ref, s && s->scale ? s->scale : 1.0f, s && s->quantize);
    int t = check_base_color(path, m, ref);
    if (textured) *textured = t;
    check_scene(path, m, ref, s && s->scale ? s->scale : 1.0f);
    aiReleaseImport(ref);
}

/* ---------------------------------------------------------------------------------
 * Real models, compared with assimp
 * ------------------------------------------------------------------------------- */

Test(model, gltf_text_with_external_png) {
    zc_model m;
    int textured;
    compare_model(MODELS "glTF2/BoxTextured-glTF/BoxTextured.gltf", NULL, &m, &textured);
    cr_assert_eq(textured, 1);
    cr_assert_eq(m.mesh_count, 1);
    cr_assert_eq(m.texture_count, 1);
    cr_assert_eq(m.material_count, 1, "only the material a mesh uses has an entry");
    cr_assert_null(m.notes, "unexpected notes: %s", m.notes);
    zc_model_free(&m);
}

Test(model, glb_with_embedded_png) {
    zc_model m;
    int textured;
    compare_model(MODELS "glTF2/BoxTextured-glTF-Binary/BoxTextured.glb", NULL, &m, &textured);
    cr_assert_eq(textured, 1);
    zc_model_free(&m);
}

Test(model, gltf_with_data_uris) {
    zc_model m;
    int textured;
    compare_model(MODELS "glTF2/BoxTextured-glTF-Embedded/BoxTextured.gltf", NULL, &m, &textured);
    cr_assert_eq(textured, 1);
    zc_model_free(&m);
}

Test(model, obj_with_mtl_and_backslash_paths) {
    zc_model m;
    int textured;
    compare_model(MODELS "OBJ/spider.obj", NULL, &m, &textured);
    cr_assert_eq(m.mesh_count, 19);
    cr_assert_eq(textured, 19, "every mesh's material has an image");
    cr_assert_eq(m.material_count, 4, "the meshes use four of spider.mtl's materials");
    cr_assert_eq(m.texture_count, 4);
    cr_assert_null(m.notes, "unexpected notes: %s", m.notes);
    zc_model_free(&m);
}

/* The material named `name` (NULL when there is none). */
static const zc_model_entry *material_named(const zc_model *m, const char *name, zc_material_view *out) {
    for (size_t i = 0; i < m->entry_count; ++i) {
        if (m->entries[i].type != ZC_TYPE_MATERIAL) continue;
        cr_assert_eq(zc_material_view_from_bytes(m->entries[i].payload, m->entries[i].size, out), ZC_OK);
        if (strcmp(out->name, name) == 0) return &m->entries[i];
    }
    return NULL;
}

Test(model, obj_with_latin1_names_and_transparency) {
    zc_model m;
    compare_model(MODELS "OBJ/regr01.obj", NULL, &m, NULL);
    cr_assert_eq(m.node_count, 111);
    zc_material_view v;
    cr_assert(material_named(&m, "Windows", &v), "no material Windows");
    cr_assert_eq(v.alpha_mode, ZC_ALPHA_BLEND, "d 0.5 is blended");
    cr_assert_eq(v.base_color_factor[3], 0.5f);
    cr_assert(fabsf(v.base_color_factor[2] - 0.8f) < 1e-6f);
    cr_assert(material_named(&m, "Wall-out", &v));
    cr_assert_eq(v.alpha_mode, ZC_ALPHA_OPAQUE);
    cr_assert_eq(v.metallic_factor, 0.0f, "non-PBR sources are not metallic");
    /* "Terraind\xE6k" is Latin-1 in regr01.mtl: the byte that is not UTF-8 becomes U+FFFD. */
    cr_assert(material_named(&m, "Terraind\xEF\xBF\xBDk", &v), "the Latin-1 name was not made valid");
    zc_model_free(&m);
}

Test(model, collada_duck_with_camera_and_light) {
    zc_model m;
    int textured;
    compare_model(MODELS "Collada/duck.dae", NULL, &m, &textured);
    cr_assert_eq(textured, 1);
    zc_scene_view v = scene_view(&m);
    cr_assert_eq(v.camera_count, 1);
    cr_assert_eq(v.light_count, 1);
    int32_t cam = zc_scene_view_find_node(&v, "camera1"), light = zc_scene_view_find_node(&v, "directionalLight1");
    cr_assert(cam >= 0 && light >= 0);
    cr_assert_eq(v.nodes[cam].camera, 0);
    cr_assert_eq(v.nodes[light].light, 0);
    const zc_camera *c = &v.cameras[0];
    cr_assert_eq(c->type, ZC_CAMERA_PERSPECTIVE);
    /* duck.dae: yfov 37.8493 degrees, aspect 1.5, clip 1 to 10000 */
    cr_assert(fabs(c->yfov - 37.8493 * M_PI / 180.0) < 1e-4, "yfov %g", (double)c->yfov);
    cr_assert(fabs(c->aspect - 1.5f) < 1e-6 && c->znear == 1.0f && c->zfar == 10000.0f);
    cr_assert_eq(v.lights[0].type, ZC_LIGHT_DIRECTIONAL);
    cr_assert(v.lights[0].color[0] == 1.0f && v.lights[0].intensity == 1.0f && v.lights[0].range == 0.0f);
    zc_model_free(&m);
}

Test(model, fbx_with_pivot_nodes) {
    zc_model m;
    compare_model(MODELS "FBX/box.fbx", NULL, &m, NULL);
    cr_assert_eq(m.node_count, 5);
    zc_model_free(&m);
}

Test(model, fbx_with_embedded_png) {
    zc_model m;
    int textured;
    compare_model(MODELS "FBX/embedded_ascii/box_embedded_texture_fragmented.fbx", NULL, &m, &textured);
    cr_assert_eq(textured, 1);
    zc_model_free(&m);
}

Test(model, fbx_with_texture_paths_of_another_machine) {
    zc_model m;
    int textured;
    compare_model(MODELS "FBX/spider.fbx", NULL, &m, &textured);
    cr_assert_eq(textured, 0);
    cr_assert_not_null(m.notes);
    cr_assert(strstr(m.notes, "drkwood2.jpg\" not found: slot left empty"), "notes: %s", m.notes);
    zc_model_free(&m);
}

Test(model, hl1_mdl_with_raw_embedded_texels) {
    const char *path = MODELS "MDL/MDL (HL1)/alpha_test.mdl";
    zc_model_settings s = { .texture = { .format = ZC_TEXTURE_CHOICE_RGBA8, .mips = ZC_SWITCH_OFF, .no_compress = 1 } };
    zc_model m;
    int textured;
    compare_model(path, &s, &m, &textured);
    cr_assert_eq(textured, 1);
    /* The texels are the BGRA aiTexels assimp gives, as RGBA. */
    const struct aiScene *ref = reference(path, &s);
    const struct aiTexture *tex = ref->mTextures[0];
    cr_assert_gt(tex->mHeight, 0, "the MDL skin is raw texels");
    const zc_model_entry *e = part(&m, "texture", 0);
    cr_assert(e);
    const zc_texture *t = e->payload;
    cr_assert_eq(t->format, ZC_PIXEL_RGBA8_SRGB);
    const zc_texture_level *level = zc_array_data(&t->levels);
    const uint8_t *texels = zc_array_data(&level[0].texels);
    cr_assert_eq(level[0].row_pitch, tex->mWidth * 4);
    for (size_t i = 0; i < (size_t)tex->mWidth * tex->mHeight; ++i) {
        const struct aiTexel *x = &tex->pcData[i];
        cr_assert(texels[i * 4] == x->r && texels[i * 4 + 1] == x->g && texels[i * 4 + 2] == x->b &&
                      texels[i * 4 + 3] == x->a,
                  "texel %zu differs", i);
    }
    aiReleaseImport(ref);
    zc_model_free(&m);
}

Test(model, large_glb) {
    zc_model m;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    compare_model(MODELS "glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb", NULL, &m, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cr_assert_eq(m.triangle_count, 75730);
    cr_assert_eq(m.mesh_count, 34);
    cr_assert_eq(m.node_count, 83);
    cr_log_info("2CylinderEngine.glb: %llu triangles, %llu vertices; import and comparison %.0f ms",
                (unsigned long long)m.triangle_count, (unsigned long long)m.vertex_count,
                (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
    zc_model_free(&m);
}

Test(model, scale_multiplies_positions_and_translations) {
    zc_model_settings s = { .scale = 2.5f };
    zc_model m;
    compare_model(MODELS "glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb", &s, &m, NULL);
    zc_model_free(&m);
}

Test(model, flipped_uvs_and_tangents) {
    zc_model_settings s = { .flip_uvs = 1, .generate_tangents = 1, .generate_normals = 1 };
    zc_model m;
    compare_model(MODELS "Collada/duck.dae", &s, &m, NULL);
    zc_mesh_view v = mesh_view(part(&m, "mesh", 0));
    const zc_vertex_attribute *t = zc_mesh_view_attribute(&v, ZC_SEMANTIC_TANGENT);
    cr_assert(t && t->format == ZC_VERTEX_FORMAT_FLOAT32x4);
    for (uint32_t i = 0; i < v.vertex_count; ++i) {
        float value[4];
        zc_mesh_view_read(&v, t, i, value);
        cr_assert(value[3] == 1.0f || value[3] == -1.0f, "tangent %u handedness %g", i, (double)value[3]);
    }
    zc_model_free(&m);
    /* Without the setting there is no tangent. */
    import_ok(MODELS "Collada/duck.dae", NULL, &m);
    v = mesh_view(part(&m, "mesh", 0));
    cr_assert_null(zc_mesh_view_attribute(&v, ZC_SEMANTIC_TANGENT));
    zc_model_free(&m);
}

Test(model, one_image_in_two_colour_spaces) {
    const char *path = MODELS "glTF2/BoxTexcoords-glTF/boxTexcoords.gltf";
    zc_model m;
    compare_model(path, NULL, &m, NULL);
    cr_assert_eq(m.texture_count, 2, "base colour (sRGB) and metallic-roughness (linear) are two entries");
    const zc_model_entry *e = part(&m, "material", 0);
    zc_material_view mv;
    cr_assert_eq(zc_material_view_from_bytes(e->payload, e->size, &mv), ZC_OK);
    cr_assert(mv.flags & ZC_MATERIAL_DOUBLE_SIDED);
    cr_assert_eq(mv.metallic_factor, 0.0f);
    cr_assert_eq(mv.roughness_factor, 1.0f);
    const zc_material_texture_view *base = &mv.textures[ZC_MATERIAL_SLOT_BASE_COLOR];
    const zc_material_texture_view *mr = &mv.textures[ZC_MATERIAL_SLOT_METALLIC_ROUGHNESS];
    cr_assert(base->texture && mr->texture && base->texture != mr->texture);
    cr_assert_eq(base->texcoord, 0);
    cr_assert_eq(mr->texcoord, 1);
    const zc_texture *bt = zc_model_find_id(&m, base->texture)->payload;
    const zc_texture *mt = zc_model_find_id(&m, mr->texture)->payload;
    cr_assert(zc_pixel_format_is_srgb(bt->format) && !zc_pixel_format_is_srgb(mt->format));
    cr_assert(bt->width == mt->width && bt->height == mt->height);
    cr_assert_eq(e->dep_count, 2);
    zc_mesh_view v = mesh_view(part(&m, "mesh", 0));
    cr_assert_not_null(zc_mesh_view_attribute(&v, ZC_SEMANTIC_TEXCOORD1));
    zc_model_free(&m);
}

Test(model, normal_maps_use_normal_settings) {
    zc_model m;
    int textured;
    compare_model(MODELS "glTF2/ClearCoat-glTF/ClearCoatTest.gltf", NULL, &m, &textured);
    int normals = 0;
    for (size_t i = 0; i < m.entry_count; ++i) {
        if (m.entries[i].type != ZC_TYPE_MATERIAL) continue;
        zc_material_view mv;
        cr_assert_eq(zc_material_view_from_bytes(m.entries[i].payload, m.entries[i].size, &mv), ZC_OK);
        uint64_t id = mv.textures[ZC_MATERIAL_SLOT_NORMAL].texture;
        if (!id) continue;
        const zc_texture *t = zc_model_find_id(&m, id)->payload;
        cr_assert_eq(t->format, ZC_PIXEL_BC5_UNORM, "%s: normal map in format %u", mv.name, t->format);
        normals++;
    }
    cr_assert_geq(normals, 4);
    zc_model_free(&m);
}

/* A height field of n x n vertices as an OBJ file, one triangle pair per cell. */
static char *write_grid(const char *file, int n) {
    size_t cap = (size_t)n * n * 120, len = 0;
    char *text = malloc(cap);
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x)
            len += (size_t)snprintf(text + len, cap - len, "v %d %d %.4f\n", x, y, sin(x * 0.1) * cos(y * 0.13));
    for (int y = 0; y + 1 < n; ++y)
        for (int x = 0; x + 1 < n; ++x) {
            int a = y * n + x + 1, b = a + 1, c = a + n, d = c + 1;
            len += (size_t)snprintf(text + len, cap - len, "f %d %d %d\nf %d %d %d\n", a, b, d, a, d, c);
        }
    char *path = zct_join(zct_tmp, file);
    zct_write_file(path, text, len);
    free(text);
    return path;
}

Test(model, more_than_65536_vertices_use_32_bit_indices) {
    char *path = write_grid("grid.obj", 257);
    zc_model m;
    compare_model(path, NULL, &m, NULL);
    zc_mesh_view v = mesh_view(part(&m, "mesh", 0));
    cr_assert_eq(v.vertex_count, 257u * 257u);
    cr_assert_eq(v.index_size, 4);
    cr_assert_eq(m.triangle_count, 2u * 256u * 256u);
    zc_model_free(&m);
    free(path);
    path = write_grid("small.obj", 256); /* 65536 vertices: still 16-bit */
    compare_model(path, NULL, &m, NULL);
    cr_assert_eq(mesh_view(part(&m, "mesh", 0)).index_size, 2);
    zc_model_free(&m);
    free(path);
}

/* ---------------------------------------------------------------------------------
 * Quantisation and meshlets
 * ------------------------------------------------------------------------------- */

Test(model, quantised_streams) {
    zc_model_settings s = { .quantize = 1 };
    const char *paths[] = { MODELS "Collada/duck.dae", MODELS "glTF2/BoxTextured-glTF/BoxTextured.gltf" };
    for (size_t p = 0; p < 2; ++p) {
        zc_model m;
        compare_model(paths[p], &s, &m, NULL);
        zc_mesh_view v = mesh_view(part(&m, "mesh", 0));
        const struct { uint32_t semantic, format, stream; } want[] = {
            { ZC_SEMANTIC_POSITION, ZC_VERTEX_FORMAT_UNORM16x4, 0 },
            { ZC_SEMANTIC_NORMAL, ZC_VERTEX_FORMAT_SNORM8x4, 1 },
            { ZC_SEMANTIC_TEXCOORD0, ZC_VERTEX_FORMAT_FLOAT16x2, 1 },
        };
        for (size_t k = 0; k < 3; ++k) {
            const zc_vertex_attribute *a = zc_mesh_view_attribute(&v, want[k].semantic);
            cr_assert(a && a->format == want[k].format && a->stream == want[k].stream, "%s: %s format", paths[p],
                      zc_vertex_semantic_name(want[k].semantic));
        }
        cr_assert_eq(v.streams[0].stride, 8);
        /* Normals within an SNORM8 step of unit length; uvs as halves of assimp's. */
        const zc_vertex_attribute *n = zc_mesh_view_attribute(&v, ZC_SEMANTIC_NORMAL);
        for (uint32_t i = 0; i < v.vertex_count; ++i) {
            float value[4];
            zc_mesh_view_read(&v, n, i, value);
            double len = sqrt(value[0] * value[0] + value[1] * value[1] + value[2] * value[2]);
            cr_assert(fabs(len - 1.0) < 2.0 / 127.0, "normal %u has length %g", i, len);
            cr_assert_eq(value[3], 0.0f);
        }
        zc_model_free(&m);
    }
}

typedef struct itri {
    uint32_t v[3];
} itri;

static int itri_cmp(const void *pa, const void *pb) {
    const itri *a = pa, *b = pb;
    for (int k = 0; k < 3; ++k)
        if (a->v[k] != b->v[k]) return a->v[k] < b->v[k] ? -1 : 1;
    return 0;
}

static itri itri_canonical(uint32_t a, uint32_t b, uint32_t c) {
    if (a <= b && a <= c) return (itri){ { a, b, c } };
    if (b <= a && b <= c) return (itri){ { b, c, a } };
    return (itri){ { c, a, b } };
}

/* Every meshlet of every submesh is in range and together they hold each triangle
 * of the submesh exactly once (as a multiset of index triples, winding kept). */
static void check_meshlets(const zc_mesh_view *v) {
    cr_assert_gt(v->meshlet_count, 0);
    for (uint32_t s = 0; s < v->submesh_count; ++s) {
        const zc_submesh *sub = &v->submeshes[s];
        size_t n = sub->index_count / 3, got = 0;
        itri *want = malloc(n * sizeof *want), *have = malloc(n * sizeof *have);
        for (size_t t = 0; t < n; ++t) {
            uint32_t i = sub->index_offset + (uint32_t)t * 3;
            want[t] = itri_canonical(zc_mesh_view_index(v, i), zc_mesh_view_index(v, i + 1),
                                     zc_mesh_view_index(v, i + 2));
        }
        for (uint32_t k = 0; k < sub->meshlet_count; ++k) {
            const zc_meshlet *ml = &v->meshlets[sub->meshlet_offset + k];
            cr_assert(ml->vertex_count >= 1 && ml->vertex_count <= 64 && ml->triangle_count >= 1 &&
                      ml->triangle_count <= 124, "meshlet %u: %u vertices, %u triangles", k, ml->vertex_count,
                      ml->triangle_count);
            for (uint32_t t = 0; t < ml->triangle_count; ++t) {
                uint32_t c[3];
                for (int j = 0; j < 3; ++j) {
                    uint8_t local = v->meshlet_triangles[ml->triangle_offset + t * 3 + j];
                    cr_assert_lt(local, ml->vertex_count);
                    c[j] = v->meshlet_vertices[ml->vertex_offset + local];
                    cr_assert_lt(c[j], v->vertex_count);
                }
                cr_assert_lt(got, n, "the meshlets hold more triangles than the submesh");
                have[got++] = itri_canonical(c[0], c[1], c[2]);
            }
        }
        cr_assert_eq(got, n, "the meshlets hold %zu of %zu triangles", got, n);
        qsort(want, n, sizeof *want, itri_cmp);
        qsort(have, n, sizeof *have, itri_cmp);
        cr_assert(memcmp(want, have, n * sizeof *want) == 0, "the meshlets do not cover the submesh exactly");
        free(want);
        free(have);
    }
}

Test(model, meshlets_cover_every_triangle_once) {
    zc_model_settings s = { .meshlets = 1, .quantize = 1 };
    zc_model m;
    compare_model(MODELS "Collada/duck.dae", &s, &m, NULL);
    zc_mesh_view v = mesh_view(part(&m, "mesh", 0));
    check_meshlets(&v);
    cr_assert_geq(v.meshlet_count, 4212u / 124u);
    zc_model_free(&m);

    s.quantize = 0;
    import_ok(MODELS "glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb", &s, &m);
    check_entries(&m);
    for (size_t i = 0; i < m.entry_count; ++i)
        if (m.entries[i].type == ZC_TYPE_MESH) {
            zc_mesh_view mv = mesh_view(&m.entries[i]);
            check_meshlets(&mv);
        }
    zc_model_free(&m);
}

/* ---------------------------------------------------------------------------------
 * Sources with problems
 * ------------------------------------------------------------------------------- */

/* Lines or points alone make no scene: ZC_ERR_UNSUPPORTED_CODEC, which the build turns
 * into a blob (test_shared_names.c); a point cloud assimp refuses stays its failure. */
Test(model, no_triangles_is_an_error) {
    zc_diag d;
    cr_assert_eq(import_err(MODELS "OBJ/testline.obj", NULL, &d), ZC_ERR_UNSUPPORTED_CODEC);
    cr_assert(strstr(d.message, "no triangles"), "%s", d.message);
    cr_assert_eq(import_err(MODELS "OBJ/point_cloud.obj", NULL, &d), ZC_ERR_BAD_SOURCE);
    cr_assert(strstr(d.message, "assimp cannot read the model"), "%s", d.message);
}

/* Files of cameras or lights only are scenes: every camera and light of assimp's
 * scene on the node named like it, no mesh (assimp's stand-in skeleton mesh is not
 * imported). */
Test(model, cameras_or_lights_alone_are_scenes) {
    const char *files[] = { MODELS "Collada/lights.dae", MODELS "Collada/cameras.dae" };
    for (int i = 0; i < 2; ++i) {
        zc_model m;
        import_ok(files[i], NULL, &m);
        check_entries(&m);
        const struct aiScene *ref = reference(files[i], NULL);
        zc_scene_view v = scene_view(&m);
        cr_assert_eq(m.mesh_count, 0, "%s", files[i]);
        cr_assert_eq(v.camera_count, ref->mNumCameras, "%s", files[i]);
        for (unsigned c = 0; c < ref->mNumCameras; ++c) {
            int32_t n = zc_scene_view_find_node(&v, ref->mCameras[c]->mName.data);
            cr_assert(n >= 0 && v.nodes[n].camera >= 0, "%s: camera %s", files[i], ref->mCameras[c]->mName.data);
        }
        /* directional, point and spot lights are kept; ambient and area ones noted */
        uint32_t kept = 0;
        for (unsigned l = 0; l < ref->mNumLights; ++l) {
            const struct aiLight *al = ref->mLights[l];
            int32_t n = zc_scene_view_find_node(&v, al->mName.data);
            if (al->mType == aiLightSource_DIRECTIONAL || al->mType == aiLightSource_POINT ||
                al->mType == aiLightSource_SPOT) {
                cr_assert(n >= 0 && v.nodes[n].light >= 0, "%s: light %s", files[i], al->mName.data);
                kept++;
            } else {
                cr_assert(m.notes && strstr(m.notes, al->mName.data), "%s: light %s left out silently", files[i],
                          al->mName.data);
            }
        }
        cr_assert_eq(v.light_count, kept, "%s", files[i]);
        cr_assert(!m.notes || !strstr(m.notes, "incomplete"), "%s: %s", files[i], m.notes);
        cr_assert_gt(v.camera_count + v.light_count, 0);
        aiReleaseImport(ref);
        zc_model_free(&m);
    }
}

Test(model, broken_sources_are_errors) {
    const char *files[] = {
        "invalid/empty.3ds", "invalid/empty.ase", "invalid/empty.lwo", "invalid/empty.md5mesh", "invalid/empty.obj",
        "invalid/empty.off", "invalid/empty.ply", "invalid/empty.smd", "invalid/empty.x", "invalid/malformed.obj",
        "glTF2/RecursiveNodes/RecursiveNodes.gltf", "glTF2/MissingBin/BoxTextured.gltf",
        "glTF2/wrongTypes/badArray.gltf", "glTF2/wrongTypes/badNumber.gltf", "glTF2/TestNoRootNode/NoScene.gltf",
        "glTF2/IndexOutOfRange/AllIndicesOutOfRange.gltf", "glTF2/BoxWithInfinites-glTF-Binary/BoxWithInfinites.glb",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; ++i) {
        char path[300];
        snprintf(path, sizeof path, MODELS "%s", files[i]);
        zcti_require(path);
        zc_diag d;
        cr_assert_eq(import_err(path, NULL, &d), ZC_ERR_BAD_SOURCE, "%s: %s", files[i], d.message);
        cr_assert_null(strstr(d.message, MODELS), "%s: the message repeats the path: %s", files[i], d.message);
        if (strstr(files[i], "Infinites"))
            cr_assert(strstr(d.message, "not finite"), "%s: %s", files[i], d.message);
    }
}

Test(model, points_and_lines_are_left_out) {
    zc_model m;
    compare_model(MODELS "OBJ/testmixed.obj", NULL, &m, NULL);
    cr_assert_eq(m.triangle_count, 12);
    cr_assert(m.notes && strstr(m.notes, "42 point or line primitives left out"), "notes: %s", m.notes);
    zc_model_free(&m);
}

/* spider.obj with its .mtl and images copied into tmp, one image under `renamed`
 * (NULL: left out). Returns the copied .obj path. */
static char *spider_copy(const char *image, const char *renamed) {
    const char *files[] = { "spider.obj", "spider.mtl", "wal67ar_small.jpg", "wal69ar_small.jpg", "SpiderTex.jpg",
                            "drkwood2.jpg", "engineflare1.jpg" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; ++i) {
        char src[256];
        snprintf(src, sizeof src, MODELS "OBJ/%s", files[i]);
        if (strcmp(files[i], image) == 0) {
            if (renamed) free(zcti_copy(src, zct_tmp, renamed));
        } else {
            free(zcti_copy(src, zct_tmp, NULL));
        }
    }
    return zct_join(zct_tmp, "spider.obj");
}

/* The base colour texture id of the material named `name`, asserting it exists. */
static uint64_t base_color_of(const zc_model *m, const char *name) {
    for (size_t i = 0; i < m->entry_count; ++i) {
        if (m->entries[i].type != ZC_TYPE_MATERIAL) continue;
        zc_material_view v;
        cr_assert_eq(zc_material_view_from_bytes(m->entries[i].payload, m->entries[i].size, &v), ZC_OK);
        if (strcmp(v.name, name) == 0) return v.textures[ZC_MATERIAL_SLOT_BASE_COLOR].texture;
    }
    cr_assert_fail("no material named %s", name);
    return 0;
}

Test(model, missing_texture_is_a_note) {
    char *obj = spider_copy("SpiderTex.jpg", NULL);
    zc_model m;
    import_ok(obj, NULL, &m);
    check_entries(&m);
    const char *note = "material 3 \"HLeibTex\" BASE_COLOR slot: texture \".\\SpiderTex.jpg\" not found";
    cr_assert(m.notes && strstr(m.notes, note), "notes: %s", m.notes);
    cr_assert_eq(base_color_of(&m, "HLeibTex"), 0);
    cr_assert_neq(base_color_of(&m, "Skin"), 0);
    cr_assert_eq(m.texture_count, 3);
    zc_model_free(&m);
    free(obj);
}

Test(model, texture_name_in_another_case) {
    char *obj = spider_copy("wal67ar_small.jpg", "WAL67AR_Small.JPG");
    zc_model m;
    import_ok(obj, NULL, &m);
    cr_assert_null(m.notes, "notes: %s", m.notes);
    const zc_model_entry *t = zc_model_find_id(&m, base_color_of(&m, "Skin"));
    cr_assert(t && t->type == ZC_TYPE_TEXTURE);
    int w, h, comp;
    cr_assert(stbi_info(MODELS "OBJ/wal67ar_small.jpg", &w, &h, &comp));
    cr_assert(((const zc_texture *)t->payload)->width == (uint32_t)w);
    zc_model_free(&m);
    free(obj);
}

/* Write `dst` as the spider.mtl that spider_copy put in tmp, with material Skin's
 * image name ".\\wal67ar_small.jpg" replaced by `name`. */
static void write_spider_mtl(const char *dst, const char *name) {
    char *src = zct_join(zct_tmp, "spider.mtl");
    size_t size;
    char *mtl = (char *)zct_read_file(src, &size);
    const char *from = ".\\wal67ar_small.jpg";
    char *at = strstr(mtl, from);
    cr_assert(at);
    size_t head = (size_t)(at - mtl), tail = size - head - strlen(from), n = strlen(name);
    char *edited = malloc(head + n + tail);
    memcpy(edited, mtl, head);
    memcpy(edited + head, name, n);
    memcpy(edited + head + n, at + strlen(from), tail);
    zct_write_file(dst, edited, head + n + tail);
    free(edited);
    free(mtl);
    free(src);
}

/* Material Skin's base colour is a texture, and no note names its image. */
static void expect_skin_found(const zc_model *m) {
    cr_assert(!m->notes || !strstr(m->notes, "wal67ar"), "notes: %s", m->notes);
    const zc_model_entry *t = zc_model_find_id(m, base_color_of(m, "Skin"));
    cr_assert(t && t->type == ZC_TYPE_TEXTURE);
}

/* A material library that ends a texture name with tabs and a carriage return, as
 * hand-edited and old exported .mtl files do: the name without them is found. */
Test(model, texture_name_with_trailing_blanks) {
    char *obj = spider_copy("", NULL);
    char *mtl = zct_join(zct_tmp, "spider.mtl");
    write_spider_mtl(mtl, ".\\wal67ar_small.jpg\t\t \r");
    zc_model m;
    import_ok(obj, NULL, &m);
    expect_skin_found(&m);
    zc_model_free(&m);
    free(mtl);
    free(obj);
}

/* assimp's OBJ reader makes a face of two indices a line but leaves the line out of
 * the mesh's primitive types, which its validation then refuses: the isolated import
 * (a build's) reads it again with the types set, the lines are left out with a note,
 * and the triangles are the ones without them. In the calling process the second read
 * is not tried (zc_model.c says why): assimp's message. */
Test(model, obj_faces_of_two_indices_are_lines_left_out) {
    char *obj = spider_copy("", NULL);
    zc_model plain;
    import_ok(obj, NULL, &plain);
    size_t size;
    char *text = (char *)zct_read_file(obj, &size);
    char *edited = malloc(size + 32);
    memcpy(edited, text, size);
    memcpy(edited + size, "f 1 2\nf 2 3\nf 3 4\n", 18);
    zct_write_file(obj, edited, size + 18);
    zc_model m;
    zc_diag d = { { 0 } };
    zc_result r = zc_model_import_file(obj, ENTRY, NULL, &m, &d);
    cr_assert_eq(r, ZC_OK, "%s: %s", zc_result_name(r), d.message);
    cr_assert_eq(m.triangle_count, plain.triangle_count);
    cr_assert(m.notes && strstr(m.notes, "3 point or line primitives left out"), "notes: %s", m.notes);
    zc_model_free(&m);
    zc_model_free(&plain);
    cr_assert_eq(import_err(obj, NULL, &d), ZC_ERR_BAD_SOURCE);
    cr_assert(strstr(d.message, "mPrimitiveTypes does not report the LINE flag"), "%s", d.message);
    free(edited);
    free(text);
    free(obj);
}

/* The base colour texture of material `index` (by its part path: MDC materials have
 * no names), 0 when the slot is empty. */
static uint64_t base_color_at(const zc_model *m, unsigned index) {
    const zc_model_entry *e = part(m, "material", index);
    cr_assert(e && e->type == ZC_TYPE_MATERIAL, "no material %u", index);
    zc_material_view v;
    cr_assert_eq(zc_material_view_from_bytes(e->payload, e->size, &v), ZC_OK);
    return v.textures[ZC_MATERIAL_SLOT_BASE_COLOR].texture;
}

/* An MDC's shader names carry no extension, as id Tech 3 models' often do ("Augentex"):
 * the image of that name with an image extension is found, in any letter case; a
 * name with no such image stays a note. */
Test(model, shader_names_without_an_extension_find_their_image) {
    char *mdc = zcti_copy(MODELS "MDC/spider.mdc", zct_tmp, NULL);
    free(zcti_copy(MODELS "OBJ/SpiderTex.jpg", zct_tmp, "Augentex.jpg"));
    free(zcti_copy(MODELS "OBJ/wal67ar_small.jpg", zct_tmp, "skin.JPEG"));
    zc_model m;
    import_ok(mdc, NULL, &m);
    cr_assert(m.notes && !strstr(m.notes, "\"Augentex\"") && !strstr(m.notes, "\"Skin\""), "notes: %s", m.notes);
    cr_assert(strstr(m.notes, "texture \"BeinTex\" not found"), "notes: %s", m.notes);
    const zc_model_entry *eye = zc_model_find_id(&m, base_color_at(&m, 0));
    const zc_model_entry *skin = zc_model_find_id(&m, base_color_at(&m, 4));
    cr_assert(eye && eye->type == ZC_TYPE_TEXTURE && skin && skin->type == ZC_TYPE_TEXTURE);
    cr_assert(eye->size != skin->size || memcmp(eye->payload, skin->payload, eye->size) != 0);
    cr_assert_eq(base_color_at(&m, 2), 0);
    zc_model_free(&m);
    free(mdc);
}

/* A material that names its image from the asset root ("textures/shared/...", as
 * Quake-family games do), and with ".tga" where the tree holds a ".jpg": found. */
Test(model, texture_path_from_the_asset_root) {
    char *root = zct_join(zct_tmp, "tree");
    char *dir = zct_join(root, "models/spider");
    char *obj = spider_copy("", NULL);
    free(zcti_copy(obj, dir, NULL));
    char *mtl = zct_join(dir, "spider.mtl");
    write_spider_mtl(mtl, "textures/shared/wal67ar_small.tga");
    free(zcti_copy(MODELS "OBJ/wal67ar_small.jpg", root, "textures/shared/wal67ar_small.jpg"));
    char *model = zct_join(dir, "spider.obj");
    zc_model m;
    zc_diag d = { { 0 } };
    zc_result r = zc_model_import_in_process_under(root, model, "models/spider/spider.obj", NULL, &m, &d);
    cr_assert_eq(r, ZC_OK, "%s", d.message);
    expect_skin_found(&m);
    zc_model_free(&m);
    free(model);
    free(mtl);
    free(obj);
    free(dir);
    free(root);
}

Test(model, texture_that_does_not_decode_is_a_note) {
    char *obj = spider_copy("drkwood2.jpg", NULL);
    char *bad = zct_join(zct_tmp, "drkwood2.jpg");
    zct_write_file(bad, "not an image", 12);
    zc_model m;
    import_ok(obj, NULL, &m);
    cr_assert(m.notes && strstr(m.notes, "drkwood2.jpg\" cannot be imported"), "notes: %s", m.notes);
    cr_assert_eq(base_color_of(&m, "BeinTex"), 0);
    zc_model_free(&m);
    free(bad);
    free(obj);
}

Test(model, bad_arguments_and_files) {
    zc_diag d;
    zc_model m;
    cr_assert_eq(zc_model_import_in_process(NULL, ENTRY, NULL, &m, &d), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_model_import_in_process(MODELS "OBJ/box.obj", NULL, NULL, &m, &d), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_model_import_in_process(MODELS "OBJ/box.obj", ENTRY, NULL, NULL, &d), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_model_import_in_process(MODELS "OBJ/box.obj", "a/../b", NULL, &m, &d), ZC_ERR_INVALID_ARGUMENT);
    zc_model_settings s = { .scale = -1.0f };
    cr_assert_eq(zc_model_import_in_process(MODELS "OBJ/box.obj", ENTRY, &s, &m, &d), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(import_err(MODELS "OBJ/no_such_model.obj", NULL, &d), ZC_ERR_FILE_NOT_FOUND);
    cr_assert_eq(import_err(MODELS "OBJ", NULL, &d), ZC_ERR_IO);
    cr_assert_eq(import_err(MODELS "OBJ/SpiderTex.jpg", NULL, &d), ZC_ERR_BAD_SOURCE);
    char *text = zct_join(zct_tmp, "garbage.obj");
    zct_write_file(text, "\x01\x02\x03 this is not a model\n", 24);
    cr_assert_eq(import_err(text, NULL, &d), ZC_ERR_BAD_SOURCE);
    free(text);
}

/* ---------------------------------------------------------------------------------
 * Generated glTF files: depth limit and names
 * ------------------------------------------------------------------------------- */

/* A glTF file of a chain of `depth` nested nodes (the first draws one triangle),
 * node i named names[i] when names is given, else "n<i>". */
static char *write_chain(const char *file, int depth, const char *const *names) {
    size_t cap = 4096 + (size_t)depth * 2400, n = 0;
    char *json = malloc(cap);
    n += (size_t)snprintf(json + n, cap - n,
                          "{\"asset\":{\"version\":\"2.0\"},\"scene\":0,\"scenes\":[{\"nodes\":[0]}],\"nodes\":[");
    for (int i = 0; i < depth; ++i) {
        n += (size_t)snprintf(json + n, cap - n, "%s{", i ? "," : "");
        if (names) n += (size_t)snprintf(json + n, cap - n, "\"name\":\"%s\"", names[i]);
        else n += (size_t)snprintf(json + n, cap - n, "\"name\":\"n%d\"", i);
        if (i == 0) n += (size_t)snprintf(json + n, cap - n, ",\"mesh\":0");
        if (i + 1 < depth) n += (size_t)snprintf(json + n, cap - n, ",\"children\":[%d]", i + 1);
        n += (size_t)snprintf(json + n, cap - n, "}");
    }
    n += (size_t)snprintf(json + n, cap - n,
                          "],\"meshes\":[{\"primitives\":[{\"attributes\":{\"POSITION\":0}}]}],"
                          "\"accessors\":[{\"bufferView\":0,\"componentType\":5126,\"count\":3,\"type\":\"VEC3\","
                          "\"min\":[0,0,0],\"max\":[1,1,0]}],\"bufferViews\":[{\"buffer\":0,\"byteLength\":36}],"
                          "\"buffers\":[{\"byteLength\":36,\"uri\":\"data:application/octet-stream;base64,"
                          "AAAAAAAAAAAAAAAAAACAPwAAAAAAAAAAAAAAAAAAgD8AAAAA\"}]}");
    char *path = zct_join(zct_tmp, file);
    zct_write_file(path, json, n);
    free(json);
    return path;
}

Test(model, hierarchy_depth_limit) {
    char *ok = write_chain("deep256.gltf", (int)ZC_SCENE_MAX_DEPTH, NULL);
    zc_model m;
    compare_model(ok, NULL, &m, NULL);
    cr_assert_eq(m.node_count, ZC_SCENE_MAX_DEPTH);
    zc_model_free(&m);
    char *deep = write_chain("deep257.gltf", (int)ZC_SCENE_MAX_DEPTH + 1, NULL);
    zc_diag d;
    cr_assert_eq(import_err(deep, NULL, &d), ZC_ERR_LIMIT);
    cr_assert(strstr(d.message, "deeper than 256 levels"), "%s", d.message);
    free(ok);
    free(deep);
}

Test(model, node_names_made_valid_utf8) {
    char *long_valid = malloc(1001), *long_bad = malloc(401);
    for (int i = 0; i < 500; ++i) memcpy(long_valid + i * 2, "\xC3\xA9", 2); /* U+00E9, 1000 bytes */
    long_valid[1000] = 0;
    memset(long_bad, 0xFF, 400);
    long_bad[400] = 0;
    const char *names[] = { "root", "bad\xFFname", long_valid, long_bad, "tail" };
    char *path = write_chain("names.gltf", 5, names);
    zc_model m;
    import_ok(path, NULL, &m);
    check_entries(&m);
    zc_scene_view v = scene_view(&m);
    cr_assert_eq(v.node_count, 5);
    uint32_t len;
    cr_assert_str_eq(zc_scene_view_node_name(&v, 1, &len), "bad\xEF\xBF\xBDname");
    cr_assert_str_eq(zc_scene_view_node_name(&v, 2, &len), long_valid);
    /* 400 invalid bytes become U+FFFD each (3 bytes): 341 of them fit in 1024 bytes. */
    const char *cut = zc_scene_view_node_name(&v, 3, &len);
    cr_assert_eq(len, 341u * 3u);
    for (uint32_t i = 0; i < len; i += 3) cr_assert(memcmp(cut + i, "\xEF\xBF\xBD", 3) == 0);
    cr_assert_eq(zc_scene_view_find_node(&v, "bad\xEF\xBF\xBDname"), 1);
    cr_assert_eq(zc_scene_view_find_node(&v, "tail"), 4);
    zc_model_free(&m);
    free(path);
    free(long_valid);
    free(long_bad);
}

Test(model, gltf_cameras) {
    zc_model m;
    compare_model(MODELS "glTF2/cameras/Cameras.gltf", NULL, &m, NULL);
    zc_scene_view v = scene_view(&m);
    cr_assert_eq(v.camera_count, 2);
    int perspective = -1, ortho = -1;
    for (uint32_t i = 0; i < v.node_count; ++i) {
        if (v.nodes[i].camera < 0) continue;
        const zc_camera *c = &v.cameras[v.nodes[i].camera];
        if (c->type == ZC_CAMERA_PERSPECTIVE) perspective = (int)i;
        if (c->type == ZC_CAMERA_ORTHOGRAPHIC) ortho = (int)i;
    }
    cr_assert(perspective >= 0 && ortho >= 0);
    const zc_camera *p = &v.cameras[v.nodes[perspective].camera], *o = &v.cameras[v.nodes[ortho].camera];
    cr_assert(fabs(p->yfov - 0.7f) < 1e-6 && p->aspect == 1.0f, "yfov %g aspect %g", (double)p->yfov,
              (double)p->aspect);
    cr_assert(fabs(p->znear - 0.01f) < 1e-9 && p->zfar == 100.0f);
    cr_assert(o->xmag == 1.0f && o->ymag == 1.0f && o->zfar == 100.0f);
    zc_model_free(&m);
}

/* ---------------------------------------------------------------------------------
 * API and determinism
 * ------------------------------------------------------------------------------- */

Test(model, same_file_same_bytes) {
    zc_model a, b;
    zc_model_settings s = { .quantize = 1, .meshlets = 1 };
    import_ok(MODELS "OBJ/spider.obj", &s, &a);
    import_ok(MODELS "OBJ/spider.obj", &s, &b);
    cr_assert_eq(a.entry_count, b.entry_count);
    for (size_t i = 0; i < a.entry_count; ++i) {
        cr_assert_str_eq(a.entries[i].path, b.entries[i].path);
        cr_assert_eq(a.entries[i].size, b.entries[i].size);
        cr_assert(memcmp(a.entries[i].payload, b.entries[i].payload, a.entries[i].size) == 0, "%s differs",
                  a.entries[i].path);
        cr_assert_eq(a.entries[i].dep_count, b.entries[i].dep_count);
        if (a.entries[i].dep_count)
            cr_assert(memcmp(a.entries[i].deps, b.entries[i].deps, a.entries[i].dep_count * 8) == 0);
    }
    zc_model_free(&a);
    zc_model_free(&b);
}

typedef struct import_job {
    const char *path;
    zc_model model;
    zc_result result;
} import_job;

static void *import_thread(void *arg) {
    import_job *job = arg;
    zc_diag d;
    job->result = zc_model_import_in_process(job->path, ENTRY, NULL, &job->model, &d);
    return NULL;
}

Test(model, concurrent_imports_match_sequential_ones) {
    const char *paths[] = {
        MODELS "OBJ/spider.obj", MODELS "Collada/duck.dae", MODELS "glTF2/BoxTextured-glTF/BoxTextured.gltf",
        MODELS "FBX/box.fbx", MODELS "OBJ/testline.obj", MODELS "glTF2/BoxTextured-glTF-Binary/BoxTextured.glb",
    };
    enum { N = sizeof paths / sizeof paths[0] };
    import_job jobs[N];
    pthread_t threads[N];
    for (int i = 0; i < N; ++i) {
        jobs[i] = (import_job){ .path = paths[i] };
        cr_assert_eq(pthread_create(&threads[i], NULL, import_thread, &jobs[i]), 0);
    }
    for (int i = 0; i < N; ++i) pthread_join(threads[i], NULL);
    for (int i = 0; i < N; ++i) {
        zc_model alone;
        zc_diag d;
        zc_result r = zc_model_import_in_process(paths[i], ENTRY, NULL, &alone, &d);
        cr_assert_eq(jobs[i].result, r, "%s: %s on a thread, %s alone", paths[i], zc_result_name(jobs[i].result),
                     zc_result_name(r));
        cr_assert_eq(jobs[i].model.entry_count, alone.entry_count);
        for (size_t k = 0; k < alone.entry_count; ++k) {
            cr_assert_eq(jobs[i].model.entries[k].size, alone.entries[k].size);
            cr_assert(memcmp(jobs[i].model.entries[k].payload, alone.entries[k].payload, alone.entries[k].size) == 0,
                      "%s: %s differs", paths[i], alone.entries[k].path);
        }
        zc_model_free(&alone);
        zc_model_free(&jobs[i].model);
    }
}

Test(model, find_free_and_extensions) {
    zc_model m;
    import_ok(MODELS "glTF2/BoxTextured-glTF/BoxTextured.gltf", NULL, &m);
    cr_assert_eq(m.entry_count, 4);
    const char *want[] = { ENTRY, ENTRY "#material/0", ENTRY "#mesh/0", ENTRY "#texture/0" };
    for (size_t i = 0; i < 4; ++i) {
        const zc_model_entry *e = zc_model_find(&m, want[i]);
        cr_assert(e && strcmp(e->path, want[i]) == 0, "%s not found", want[i]);
        cr_assert_eq(zc_model_find_id(&m, zc_asset_id(want[i], strlen(want[i]))), e);
    }
    cr_assert_null(zc_model_find(&m, ENTRY "#mesh/1"));
    cr_assert_null(zc_model_find(&m, "zzz"));
    cr_assert_null(zc_model_find_id(&m, 12345));
    cr_assert_null(zc_model_find(NULL, ENTRY));
    cr_assert_eq(zc_model_find(&m, ENTRY "#texture/0")->align_log2, ZC_TEXTURE_ENTRY_ALIGN_LOG2);
    zc_model_free(&m);
    cr_assert(m.entries == NULL && m.entry_count == 0);
    zc_model_free(&m);
    zc_model_free(NULL);

    size_t count = 0;
    for (const char *const *e = zc_model_extensions; *e; ++e, ++count) {
        char dotted[32];
        snprintf(dotted, sizeof dotted, ".%s", *e);
        cr_assert(aiIsExtensionSupported(dotted), "assimp does not read .%s", *e);
        const char *refused[] = { "bin", "txt", "xml", "json", "png", "jpg", "raw", "mesh" };
        for (size_t k = 0; k < sizeof refused / sizeof refused[0]; ++k) cr_assert_str_neq(*e, refused[k]);
        for (const char *c = *e; *c; ++c) cr_assert(!(*c >= 'A' && *c <= 'Z'), "%s is not lowercase", *e);
    }
    cr_assert_geq(count, 10);
}

Test(model, assimp_flags_follow_settings) {
    unsigned base = zc_model_assimp_flags(NULL);
    cr_assert(base & aiProcess_Triangulate);
    cr_assert(base & aiProcess_GenSmoothNormals);
    cr_assert(base & aiProcess_ValidateDataStructure);
    cr_assert(base & aiProcess_FlipUVs, "assimp's bottom-left v is turned into the pack's top-left v");
    cr_assert_eq(base & (aiProcess_CalcTangentSpace | aiProcess_ForceGenNormals), 0);
    zc_model_settings s = { .flip_uvs = 1, .generate_tangents = 1, .generate_normals = 1 };
    unsigned all = zc_model_assimp_flags(&s);
    cr_assert_eq(all & (aiProcess_FlipUVs | aiProcess_CalcTangentSpace | aiProcess_ForceGenNormals),
                 aiProcess_CalcTangentSpace | aiProcess_ForceGenNormals);
    cr_assert_eq(all & (base & ~(unsigned)aiProcess_FlipUVs), base & ~(unsigned)aiProcess_FlipUVs);
}
