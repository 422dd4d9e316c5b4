/* zc_model_scene.c - the scene pass of the model import: assimp's node tree becomes
 * the scene entry P (formats/zc_scene.h).
 *
 *  1. flatten: depth-first pre-order with children in assimp's order, without
 *     recursion; a path deeper than ZC_SCENE_MAX_DEPTH or more than
 *     ZC_SCENE_MAX_NODES nodes is ZC_ERR_LIMIT (a node tree that loops back on
 *     itself ends there too);
 *  2. nodes: names as valid UTF-8 of at most ZC_SCENE_MAX_NAME bytes (see
 *     zc__model_utf8_copy), local transforms decomposed by aiDecomposeMatrix into
 *     translation (times the model's scale), a normalised rotation (x, y, z, w) and
 *     scale (shear is lost), and one mesh instance per kept mesh the node draws
 *     (material 0: each submesh names its own);
 *  3. cameras and lights: each is attached to the first node (in pre-order) with its
 *     name; one of each per node. Their own position and direction inside the node
 *     are not kept: a camera looks and a light shines along the node's -Z (glTF's
 *     convention, which assimp's glTF, COLLADA and FBX importers follow). Cameras:
 *     orthographic when mOrthographicWidth > 0 (xmag = that width, ymag = width /
 *     aspect), else perspective with yfov from mHorizontalFOV read as the full
 *     horizontal angle (what those importers store, whatever aiCamera's comment
 *     says) and the aspect (0 = yfov taken equal to it); clip distances times the
 *     scale. Lights: directional, point and spot (ambient and area lights are left
 *     out with a note); colour = the diffuse colour (assimp folds the intensity into
 *     it), intensity 1, range 0 (infinite); spot cone angles are taken as angles
 *     from the axis and clamped to pi/2. A camera or light the format cannot hold,
 *     or whose name matches no node, is left out with a note;
 *  4. the name index, sorted by (hash, name bytes, node).
 * The entry's dependencies are the meshes it instances, in first-use order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <assimp/cimport.h>
#include <assimp/scene.h>

#include "zc_model_assimp.h"
#include "zc_model_internal.h"

/* One flattened node. */
typedef struct zc__flat_node {
    const struct aiNode *node;
    int32_t parent;
    char *name;                 /* sanitised, NUL-terminated, inside the build's name buffer */
    uint32_t name_length;
    int32_t camera, light;
} zc__flat_node;

typedef struct zc__scene_build {
    zc__flat_node *nodes;
    uint32_t node_count;
    char *names;                /* every node name, each followed by a NUL */
    size_t names_size;
    zc_scene_name *index;       /* the sorted name index */
    zc_scene_mesh *meshes;
    uint32_t mesh_count;
    zc_camera *cameras;
    uint32_t camera_count;
    zc_light *lights;
    uint32_t light_count;
    uint64_t *deps;
    uint32_t dep_count;
} zc__scene_build;

static void zc__scene_build_free(zc__scene_build *s) {
    free(s->nodes);
    free(s->names);
    free(s->index);
    free(s->meshes);
    free(s->cameras);
    free(s->lights);
    free(s->deps);
    memset(s, 0, sizeof *s);
}

/* ---------------------------------------------------------------------------------
 * 1. Flatten
 * ------------------------------------------------------------------------------- */

typedef struct zc__visit {
    const struct aiNode *node;
    int32_t parent;
    uint32_t depth;             /* nodes on the path from the root, this one included */
} zc__visit;

static zc_result zc__flatten(const struct aiScene *scene, zc__scene_build *s, zc_diag *diag) {
    size_t cap = 64, stack_cap = 64, top = 0;
    s->nodes = malloc(cap * sizeof *s->nodes);
    zc__visit *stack = malloc(stack_cap * sizeof *stack);
    zc_result r = ZC_OK;
    if (!s->nodes || !stack) {
        r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory flattening the node tree");
        goto done;
    }
    stack[top++] = (zc__visit){ scene->mRootNode, -1, 1 };
    while (top > 0) {
        zc__visit v = stack[--top];
        if (v.depth > ZC_SCENE_MAX_DEPTH) {
            r = zc_fail(diag, ZC_ERR_LIMIT, "the node hierarchy is deeper than %u levels", ZC_SCENE_MAX_DEPTH);
            goto done;
        }
        if (s->node_count == ZC_SCENE_MAX_NODES) {
            r = zc_fail(diag, ZC_ERR_LIMIT, "the model has more than %u nodes", ZC_SCENE_MAX_NODES);
            goto done;
        }
        if (s->node_count == cap) {
            zc__flat_node *grown = realloc(s->nodes, cap * 2 * sizeof *grown);
            if (!grown) {
                r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory flattening the node tree");
                goto done;
            }
            s->nodes = grown;
            cap *= 2;
        }
        uint32_t self = s->node_count++;
        s->nodes[self] = (zc__flat_node){ v.node, v.parent, NULL, 0, -1, -1 };
        unsigned children = v.node->mChildren ? v.node->mNumChildren : 0;
        while (top + children > stack_cap) {
            zc__visit *grown = realloc(stack, stack_cap * 2 * sizeof *grown);
            if (!grown) {
                r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory flattening the node tree");
                goto done;
            }
            stack = grown;
            stack_cap *= 2;
        }
        for (unsigned c = children; c-- > 0;) /* reversed, so the first child comes out first */
            if (v.node->mChildren[c]) stack[top++] = (zc__visit){ v.node->mChildren[c], (int32_t)self, v.depth + 1 };
    }
done:
    free(stack);
    return r;
}

/* ---------------------------------------------------------------------------------
 * 2. Names, the name index and lookups
 * ------------------------------------------------------------------------------- */

static size_t zc__source_length(const struct aiString *s) {
    return s->length < sizeof s->data ? s->length : sizeof s->data - 1;
}

static zc_result zc__names(zc__scene_build *s, zc_diag *diag) {
    size_t total = 0;
    for (uint32_t i = 0; i < s->node_count; ++i) {
        size_t n = zc__source_length(&s->nodes[i].node->mName);
        total += (n * 3 < ZC_SCENE_MAX_NAME ? n * 3 : ZC_SCENE_MAX_NAME) + 1; /* U+FFFD may triple a byte */
    }
    s->names = malloc(total);
    if (!s->names) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for the node names");
    size_t at = 0;
    for (uint32_t i = 0; i < s->node_count; ++i) {
        const struct aiString *src = &s->nodes[i].node->mName;
        s->nodes[i].name = s->names + at;
        s->nodes[i].name_length = (uint32_t)zc__model_utf8_copy(src->data, zc__source_length(src), s->names + at,
                                                                ZC_SCENE_MAX_NAME);
        at += s->nodes[i].name_length + 1;
    }
    s->names_size = at;
    return ZC_OK;
}

static int zc__key_cmp(uint32_t ha, const char *a, uint64_t al, uint32_t hb, const char *b, uint64_t bl) {
    if (ha != hb) return ha < hb ? -1 : 1;
    return zc__name_cmp(a, al, b, bl);
}

/* A name index record with its name, so the sort needs no context. */
typedef struct zc__index_key {
    zc_scene_name record;
    const char *name;
    uint32_t length;
} zc__index_key;

static int zc__index_cmp(const void *pa, const void *pb) {
    const zc__index_key *a = pa, *b = pb;
    int c = zc__key_cmp(a->record.hash, a->name, a->length, b->record.hash, b->name, b->length);
    return c ? c : a->record.node < b->record.node ? -1 : a->record.node > b->record.node ? 1 : 0;
}

static zc_result zc__name_index(zc__scene_build *s, zc_diag *diag) {
    s->index = malloc((size_t)s->node_count * sizeof *s->index);
    zc__index_key *keys = malloc((size_t)s->node_count * sizeof *keys);
    if (!s->index || !keys) {
        free(keys);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for the name index");
    }
    for (uint32_t i = 0; i < s->node_count; ++i) {
        const zc__flat_node *n = &s->nodes[i];
        keys[i] = (zc__index_key){ { zc_name_hash(n->name, n->name_length), i }, n->name, n->name_length };
    }
    qsort(keys, s->node_count, sizeof *keys, zc__index_cmp);
    for (uint32_t i = 0; i < s->node_count; ++i) s->index[i] = keys[i].record;
    free(keys);
    return ZC_OK;
}

/* The first node named like `source` (after the same sanitising), -1 when none. */
static int32_t zc__find_node(const zc__scene_build *s, const struct aiString *source) {
    char name[ZC_SCENE_MAX_NAME + 1];
    size_t length = zc__model_utf8_copy(source->data, zc__source_length(source), name, ZC_SCENE_MAX_NAME);
    uint32_t hash = zc_name_hash(name, length);
    uint32_t lo = 0, hi = s->node_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const zc__flat_node *n = &s->nodes[s->index[mid].node];
        if (zc__key_cmp(s->index[mid].hash, n->name, n->name_length, hash, name, length) < 0) lo = mid + 1;
        else hi = mid;
    }
    if (lo == s->node_count) return -1;
    const zc__flat_node *n = &s->nodes[s->index[lo].node];
    return zc__key_cmp(s->index[lo].hash, n->name, n->name_length, hash, name, length) == 0 ? (int32_t)s->index[lo].node
                                                                                             : -1;
}

/* ---------------------------------------------------------------------------------
 * 2. Transforms and mesh instances
 * ------------------------------------------------------------------------------- */

int zc__model_decompose(const struct aiNode *node, float scale, float translation[3], float rotation[4],
                        float out_scale[3]) {
    struct aiVector3D s, t;
    struct aiQuaternion q;
    zc__assimp.DecomposeMatrix(&node->mTransformation, &s, &q, &t);
    double len = sqrt((double)q.x * q.x + (double)q.y * q.y + (double)q.z * q.z + (double)q.w * q.w);
    const float values[6] = { t.x * scale, t.y * scale, t.z * scale, s.x, s.y, s.z };
    int finite = zc_f32_finite((float)len) && len > 0.0;
    for (int k = 0; k < 6; ++k) finite = finite && zc_f32_finite(values[k]);
    if (!finite) return 0;
    memcpy(translation, values, 3 * sizeof *values);
    memcpy(out_scale, values + 3, 3 * sizeof *values);
    rotation[0] = (float)(q.x / len);
    rotation[1] = (float)(q.y / len);
    rotation[2] = (float)(q.z / len);
    rotation[3] = (float)(q.w / len);
    return 1;
}

static zc_result zc__transform(const struct aiNode *node, float scale, zc_scene_node *out, uint32_t index,
                               zc_diag *diag) {
    if (!zc__model_decompose(node, scale, out->translation, out->rotation, out->scale))
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "node %u has a transform that is not finite or cannot be decomposed",
                       index);
    return ZC_OK;
}

/* Mesh instances of every node, in node order; deps collects each mesh once. */
static zc_result zc__mesh_instances(zc__model_build *b, const struct aiScene *scene, zc__scene_build *s,
                                    uint32_t *first, uint32_t *count, zc_diag *diag) {
    uint64_t total = 0;
    for (uint32_t i = 0; i < s->node_count; ++i) total += s->nodes[i].node->mMeshes ? s->nodes[i].node->mNumMeshes : 0;
    if (total > ZC_SCENE_MAX_MESHES)
        return zc_fail(diag, ZC_ERR_LIMIT, "the nodes draw %llu meshes, more than the %u a scene holds",
                       (unsigned long long)total, ZC_SCENE_MAX_MESHES);
    s->meshes = malloc((total ? total : 1) * sizeof *s->meshes);
    s->deps = malloc((scene->mNumMeshes ? scene->mNumMeshes : 1) * sizeof *s->deps);
    uint8_t *used = calloc(scene->mNumMeshes ? scene->mNumMeshes : 1, 1);
    if (!s->meshes || !s->deps || !used) {
        free(used);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for the mesh instances");
    }
    for (uint32_t i = 0; i < s->node_count; ++i) {
        const struct aiNode *node = s->nodes[i].node;
        first[i] = s->mesh_count;
        for (unsigned k = 0; node->mMeshes && k < node->mNumMeshes; ++k) {
            unsigned m = node->mMeshes[k];
            if (m >= scene->mNumMeshes || !b->mesh_kept[m]) continue;
            uint64_t id = zc__model_part_id(b, "mesh", m);
            s->meshes[s->mesh_count++] = (zc_scene_mesh){ id, 0 };
            if (!used[m]) s->deps[s->dep_count++] = id;
            used[m] = 1;
        }
        count[i] = s->mesh_count - first[i];
    }
    free(used);
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * 3. Cameras and lights
 * ------------------------------------------------------------------------------- */

static void zc__convert_camera(const struct aiCamera *c, float scale, zc_camera *out) {
    memset(out, 0, sizeof *out);
    out->znear = c->mClipPlaneNear * scale;
    out->zfar = c->mClipPlaneFar * scale;
    if (c->mOrthographicWidth > 0.0f) {
        out->type = ZC_CAMERA_ORTHOGRAPHIC;
        out->xmag = c->mOrthographicWidth * scale;
        out->ymag = c->mAspect > 0.0f ? out->xmag / c->mAspect : out->xmag;
        return;
    }
    out->type = ZC_CAMERA_PERSPECTIVE;
    out->aspect = c->mAspect > 0.0f ? c->mAspect : 0.0f;
    double hfov = c->mHorizontalFOV;
    out->yfov = out->aspect > 0.0f ? (float)(2.0 * atan(tan(hfov * 0.5) / out->aspect)) : (float)hfov;
}

/* 0 for light types the format has no place for. */
static int zc__convert_light(const struct aiLight *l, zc_light *out) {
    memset(out, 0, sizeof *out);
    switch (l->mType) {
    case aiLightSource_DIRECTIONAL: out->type = ZC_LIGHT_DIRECTIONAL; break;
    case aiLightSource_POINT: out->type = ZC_LIGHT_POINT; break;
    case aiLightSource_SPOT: out->type = ZC_LIGHT_SPOT; break;
    default: return 0;
    }
    const float rgb[3] = { l->mColorDiffuse.r, l->mColorDiffuse.g, l->mColorDiffuse.b };
    for (int k = 0; k < 3; ++k) out->color[k] = zc_f32_finite(rgb[k]) && rgb[k] > 0.0f ? rgb[k] : 0.0f;
    out->intensity = 1.0f;
    if (out->type == ZC_LIGHT_SPOT) {
        const float half_pi = 1.57079632f;
        float outer = zc_f32_finite(l->mAngleOuterCone) ? l->mAngleOuterCone : half_pi;
        float inner = zc_f32_finite(l->mAngleInnerCone) ? l->mAngleInnerCone : 0.0f;
        out->outer_cone = outer > half_pi ? half_pi : outer;
        out->inner_cone = inner < 0.0f ? 0.0f : inner >= out->outer_cone ? out->outer_cone * 0.999f : inner;
    }
    return 1;
}

/* Attach the cameras, then the lights, to their nodes. */
static zc_result zc__attach(zc__model_build *b, const struct aiScene *scene, zc__scene_build *s, zc_diag *diag) {
    unsigned cams = scene->mCameras ? scene->mNumCameras : 0, lights = scene->mLights ? scene->mNumLights : 0;
    s->cameras = malloc((cams ? cams : 1) * sizeof *s->cameras);
    s->lights = malloc((lights ? lights : 1) * sizeof *s->lights);
    if (!s->cameras || !s->lights) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for cameras and lights");
    char name[ZC__MODEL_NOTE_NAME + 1];
    zc_diag why;
    for (unsigned i = 0; i < cams && s->camera_count < ZC_SCENE_MAX_CAMERAS; ++i) {
        const struct aiCamera *c = scene->mCameras[i];
        if (!c) continue;
        zc__model_note_name(&c->mName, name);
        int32_t node = zc__find_node(s, &c->mName);
        zc_camera cam;
        zc__convert_camera(c, b->settings.scale, &cam);
        if (node < 0)
            zc__model_note(b, "camera %u \"%s\" names no node: left out", i, name);
        else if (s->nodes[node].camera >= 0)
            zc__model_note(b, "camera %u \"%s\": its node has a camera already: left out", i, name);
        else if (zc__camera_check(&cam, i, &why) != ZC_OK)
            zc__model_note(b, "camera %u \"%s\" left out: %s", i, name, why.message);
        else {
            s->nodes[node].camera = (int32_t)s->camera_count;
            s->cameras[s->camera_count++] = cam;
        }
    }
    for (unsigned i = 0; i < lights && s->light_count < ZC_SCENE_MAX_LIGHTS; ++i) {
        const struct aiLight *l = scene->mLights[i];
        if (!l) continue;
        zc__model_note_name(&l->mName, name);
        int32_t node = zc__find_node(s, &l->mName);
        zc_light light;
        if (!zc__convert_light(l, &light))
            zc__model_note(b, "light %u \"%s\" is an ambient or area light: left out", i, name);
        else if (node < 0)
            zc__model_note(b, "light %u \"%s\" names no node: left out", i, name);
        else if (s->nodes[node].light >= 0)
            zc__model_note(b, "light %u \"%s\": its node has a light already: left out", i, name);
        else if (zc__light_check(&light, i, &why) != ZC_OK)
            zc__model_note(b, "light %u \"%s\" left out: %s", i, name, why.message);
        else {
            s->nodes[node].light = (int32_t)s->light_count;
            s->lights[s->light_count++] = light;
        }
    }
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * 4. The payload
 * ------------------------------------------------------------------------------- */

static void zc__array(zc_array *field, uint8_t *payload, size_t at, uint64_t count) {
    field->count = count;
    zc_rel_set(&field->offset, field, count ? payload + at : NULL);
}

static zc_result zc__write(const zc__model_build *b, zc__scene_build *s, const uint32_t *first,
                           const uint32_t *count, uint8_t **out_payload, size_t *out_size, zc_diag *diag) {
    size_t at_nodes = sizeof(zc_scene);
    size_t at_index = at_nodes + (size_t)s->node_count * sizeof(zc_scene_node);
    size_t at_meshes = at_index + (size_t)s->node_count * sizeof(zc_scene_name);
    size_t at_cameras = at_meshes + (size_t)s->mesh_count * sizeof(zc_scene_mesh);
    size_t at_lights = at_cameras + (size_t)s->camera_count * sizeof(zc_camera);
    size_t at_names = at_lights + (size_t)s->light_count * sizeof(zc_light);
    size_t size = at_names + s->names_size;
    uint8_t *payload = zc__model_alloc_payload(size);
    if (!payload) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for the scene entry");
    zc_scene *h = (zc_scene *)payload;
    h->struct_size = sizeof(zc_scene);
    zc__array(&h->nodes, payload, at_nodes, s->node_count);
    zc__array(&h->name_index, payload, at_index, s->node_count);
    zc__array(&h->meshes, payload, at_meshes, s->mesh_count);
    zc__array(&h->cameras, payload, at_cameras, s->camera_count);
    zc__array(&h->lights, payload, at_lights, s->light_count);
    memcpy(payload + at_index, s->index, (size_t)s->node_count * sizeof(zc_scene_name));
    memcpy(payload + at_meshes, s->meshes, (size_t)s->mesh_count * sizeof(zc_scene_mesh));
    memcpy(payload + at_cameras, s->cameras, (size_t)s->camera_count * sizeof(zc_camera));
    memcpy(payload + at_lights, s->lights, (size_t)s->light_count * sizeof(zc_light));
    memcpy(payload + at_names, s->names, s->names_size);
    zc_scene_node *nodes = (zc_scene_node *)(payload + at_nodes);
    for (uint32_t i = 0; i < s->node_count; ++i) {
        zc_scene_node *n = &nodes[i];
        const zc__flat_node *f = &s->nodes[i];
        n->parent = f->parent;
        n->camera = f->camera;
        n->light = f->light;
        n->mesh_first = first[i];
        n->mesh_count = count[i];
        n->name.length = f->name_length;
        const uint8_t *name = payload + at_names + (size_t)(f->name - s->names);
        zc_rel_set(&n->name.offset, &n->name, f->name_length ? name : NULL);
        zc_result r = zc__transform(f->node, b->settings.scale, n, i, diag);
        if (r != ZC_OK) {
            free(payload);
            return r;
        }
    }
    *out_payload = payload;
    *out_size = size;
    return ZC_OK;
}

zc_result zc__model_scene(zc__model_build *b, const struct aiScene *scene, zc_diag *diag) {
    zc__scene_build s;
    memset(&s, 0, sizeof s);
    uint32_t *first = NULL, *count = NULL;
    uint8_t *payload = NULL;
    size_t size = 0;
    zc_result r = zc__flatten(scene, &s, diag);
    if (r == ZC_OK) r = zc__names(&s, diag);
    if (r == ZC_OK) r = zc__name_index(&s, diag);
    if (r == ZC_OK) {
        first = malloc((size_t)s.node_count * sizeof *first);
        count = malloc((size_t)s.node_count * sizeof *count);
        if (!first || !count) r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for the scene");
    }
    if (r == ZC_OK) r = zc__mesh_instances(b, scene, &s, first, count, diag);
    if (r == ZC_OK) r = zc__attach(b, scene, &s, diag);
    if (r == ZC_OK) r = zc__write(b, &s, first, count, &payload, &size, diag);
    if (r == ZC_OK) {
        zc_diag sub;
        if ((r = zc_scene_check(payload, size, &sub)) != ZC_OK) {
            free(payload);
            r = zc_fail(diag, r, "internal error: the scene fails its own check: %s", sub.message);
        } else {
            b->node_count = s.node_count;
            char *path = strdup(b->entry_path);
            r = zc__model_add_entry(b, path, ZC_TYPE_SCENE, ZC_SCENE_LAYOUT_HASH, 4, payload, size, s.deps,
                                    s.dep_count, diag);
        }
    }
    free(first);
    free(count);
    zc__scene_build_free(&s);
    return r;
}
