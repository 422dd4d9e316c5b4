/* viewer_scene.c - draws a scene view through a source: world transforms, mesh
 * instances and their bounds, the camera, then every submesh with its material and
 * base colour texture. The only thing it knows about where views come from is the
 * viewer_source it is given. */
#include "viewer.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIEWER_LIGHT_X 0.3f     /* direction towards the light (normalised at use) */
#define VIEWER_LIGHT_Y 0.85f
#define VIEWER_LIGHT_Z 0.45f
#define VIEWER_AMBIENT 0.3f
#define VIEWER_FRAMING_YFOV 0.8f /* radians, for the camera that frames the bounds */
#define VIEWER_MAX_INSTANCES (1u << 20) /* mesh instances drawn from one scene */

typedef struct viewer_instance {
    uint32_t node;
    uint64_t material;          /* the scene's override for every submesh; 0 = the submeshes' own */
    zc_mesh_view mesh;
    float (*skin)[16];          /* skinning matrices of a skinned mesh, else NULL */
    uint32_t joint_count;
    float (*morphed)[3];        /* positions blended from the mesh's morph targets, else NULL */
    float (*morphed_normal)[3]; /* normals blended likewise, NULL without normal offsets */
} viewer_instance;

typedef struct viewer_texture {
    uint64_t id;
    int ok;                     /* 0: could not be used (warned once) */
    vr_image image;
} viewer_texture;

typedef struct viewer_vertices {
    float (*position)[3];       /* object space */
    float (*clip)[4];
    float (*normal)[3];         /* world space, unnormalised */
    float (*uv)[2][2];          /* TEXCOORD0 and TEXCOORD1 */
    uint32_t capacity;
} viewer_vertices;

typedef struct viewer_context {
    const viewer_source *source;
    const zc_scene_view *scene;
    vr_target *target;
    viewer_stats *stats;
    float (*world)[16];
    viewer_instance *instances;
    uint32_t instance_count;
    viewer_texture *textures;
    uint32_t texture_count;
    viewer_vertices vertices;
    float view_proj[16];
    float light[3];
    float bounds_min[3], bounds_max[3];
    int have_bounds;
    float time;                 /* seconds into the clips; negative: rest pose */
} viewer_context;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void viewer__warn(viewer_context *ctx, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "viewer: %s: warning: ", ctx->source->name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    ctx->stats->warnings++;
}

static const char *viewer__node_name(const viewer_context *ctx, uint32_t node) {
    const char *name = zc_scene_view_node_name(ctx->scene, node, NULL);
    return name[0] ? name : "(unnamed)";
}

/* ---------------------------------------------------------------------------------
 * Pass 1: mesh instances and the world bounds they cover
 * ------------------------------------------------------------------------------- */

static void viewer__grow_bounds(viewer_context *ctx, const float world[16], const zc_mesh_view *mesh) {
    for (int corner = 0; corner < 8; ++corner) {
        float p[4] = { (corner & 1) ? mesh->aabb_max[0] : mesh->aabb_min[0],
                       (corner & 2) ? mesh->aabb_max[1] : mesh->aabb_min[1],
                       (corner & 4) ? mesh->aabb_max[2] : mesh->aabb_min[2], 1.0f };
        float w[4];
        vr_mat4_transform(world, p, w);
        for (int k = 0; k < 3; ++k) {
            if (!ctx->have_bounds || w[k] < ctx->bounds_min[k]) ctx->bounds_min[k] = w[k];
            if (!ctx->have_bounds || w[k] > ctx->bounds_max[k]) ctx->bounds_max[k] = w[k];
        }
        ctx->have_bounds = 1;
    }
}

/* Vertex i of an instance before skinning: its position (p[3] = 1) and, when nrm is
 * not NULL, its normal, blended from the morph targets when the instance has them. */
static void viewer__vertex(const viewer_instance *inst, uint32_t i, const zc_vertex_attribute *nrm, float p[4],
                           float n[4]) {
    const zc_mesh_view *mesh = &inst->mesh;
    memset(p, 0, 4 * sizeof *p);
    if (inst->morphed) memcpy(p, inst->morphed[i], 3 * sizeof *p);
    else zc_mesh_view_read(mesh, zc_mesh_view_attribute(mesh, ZC_SEMANTIC_POSITION), i, p);
    p[3] = 1.0f;
    if (!nrm) return;
    memset(n, 0, 4 * sizeof *n);
    if (inst->morphed_normal) memcpy(n, inst->morphed_normal[i], 3 * sizeof *n);
    else zc_mesh_view_read(mesh, nrm, i, n);
}

/* Vertex i of a skinned instance, posed: position (p[3] = 1) and, when nrm is not
 * NULL, normal, each moved by the weighted sum of its joints' skinning matrices. */
static void viewer__skinned(const viewer_instance *inst, uint32_t i, const zc_vertex_attribute *nrm, float p[4],
                            float n[3]) {
    const zc_mesh_view *mesh = &inst->mesh;
    float src[4], nsrc[4] = { 0, 0, 0, 0 }, joints[4], weights[4];
    viewer__vertex(inst, i, nrm, src, nsrc);
    zc_mesh_view_read(mesh, zc_mesh_view_attribute(mesh, ZC_SEMANTIC_JOINTS0), i, joints);
    zc_mesh_view_read(mesh, zc_mesh_view_attribute(mesh, ZC_SEMANTIC_WEIGHTS0), i, weights);
    memset(p, 0, 4 * sizeof *p);
    if (n) memset(n, 0, 3 * sizeof *n);
    for (int k = 0; k < 4; ++k) {
        if (weights[k] == 0.0f || joints[k] >= (float)inst->joint_count) continue;
        const float *m = inst->skin[(uint32_t)joints[k]];
        for (int r = 0; r < 3; ++r) {
            p[r] += weights[k] * (m[r] * src[0] + m[4 + r] * src[1] + m[8 + r] * src[2] + m[12 + r]);
            if (n) n[r] += weights[k] * (m[r] * nsrc[0] + m[4 + r] * nsrc[1] + m[8 + r] * nsrc[2]);
        }
    }
    p[3] = 1.0f;
}

/* Skinning matrices of a skinned mesh at ctx->time (its first clip; the rest pose
 * when the time is negative or there is no clip), and the posed vertices' bounds.
 * 0, or -1 when out of memory; a mesh without a skeleton stays unskinned. */
static int viewer__pose(viewer_context *ctx, viewer_instance *inst, uint64_t mesh_id) {
    zc_skeleton_view skel;
    zc_animation_view clip;
    inst->skin = NULL;
    if (!ctx->source->skin || !zc_mesh_view_attribute(&inst->mesh, ZC_SEMANTIC_JOINTS0) ||
        !zc_mesh_view_attribute(&inst->mesh, ZC_SEMANTIC_WEIGHTS0) ||
        ctx->source->skin(ctx->source->self, mesh_id, &skel, &clip) != ZC_OK)
        return 0;
    zc_joint_pose *locals = malloc(skel.joint_count * sizeof *locals);
    float(*world)[16] = malloc(skel.joint_count * sizeof *world);
    inst->skin = malloc(skel.joint_count * sizeof *inst->skin);
    if (!locals || !world || !inst->skin) {
        free(locals);
        free(world);
        free(inst->skin);
        inst->skin = NULL;
        return -1;
    }
    zc_skeleton_view_rest_pose(&skel, locals);
    if (ctx->time >= 0.0f) zc_animation_view_sample(&clip, ctx->time, locals, skel.joint_count);
    zc_skeleton_view_world(&skel, locals, world);
    zc_skeleton_view_skin(&skel, (const float(*)[16])world, inst->skin);
    inst->joint_count = skel.joint_count;
    free(locals);
    free(world);
    for (uint32_t i = 0; i < inst->mesh.vertex_count; ++i) {
        float p[4];
        viewer__skinned(inst, i, NULL, p, NULL);
        for (int k = 0; k < 3; ++k) {
            if (!ctx->have_bounds || p[k] < ctx->bounds_min[k]) ctx->bounds_min[k] = p[k];
            if (!ctx->have_bounds || p[k] > ctx->bounds_max[k]) ctx->bounds_max[k] = p[k];
        }
        ctx->have_bounds = 1;
    }
    ctx->stats->skinned++;
    return 0;
}

/* The joint of the node that draws a morphed mesh, which the clip's weight channels
 * name: the joint named like the node, else the only joint of a one-joint skeleton
 * (MD2 and MD3 models, whose single node may have no name); ZC_JOINT_NONE. */
static uint32_t viewer__morph_joint(const viewer_context *ctx, const zc_skeleton_view *skel, uint32_t node) {
    uint32_t joint = zc_skeleton_view_find_joint(skel, zc_scene_view_node_name(ctx->scene, node, NULL));
    if (joint == ZC_JOINT_NONE && skel->joint_count == 1) joint = 0;
    return joint;
}

/* Blend a mesh's morph targets (zc_morph_view_apply) at the weights its clip gives its
 * node at ctx->time, else at the morph entry's default weights. 0, or -1 when out of
 * memory; a mesh without morph targets is left as it is. */
static int viewer__morph(viewer_context *ctx, viewer_instance *inst, uint64_t mesh_id) {
    zc_morph_view morph;
    zc_skeleton_view skel;
    zc_animation_view clip;
    inst->morphed = inst->morphed_normal = NULL;
    if (!ctx->source->morph || ctx->source->morph(ctx->source->self, mesh_id, &morph, &skel, &clip) != ZC_OK ||
        morph.target_count > ZC_MORPH_MAX_TARGETS)
        return 0;
    float weights[ZC_MORPH_MAX_TARGETS];
    memcpy(weights, morph.weights, morph.target_count * sizeof *weights);
    if (ctx->time >= 0.0f && skel.joint_count) {
        uint32_t joint = viewer__morph_joint(ctx, &skel, inst->node);
        if (joint != ZC_JOINT_NONE) zc_animation_view_sample_weights(&clip, ctx->time, joint, weights, morph.target_count);
    }
    const zc_mesh_view *mesh = &inst->mesh;
    const zc_vertex_attribute *nrm = zc_mesh_view_attribute(mesh, ZC_SEMANTIC_NORMAL);
    uint32_t n = mesh->vertex_count;
    inst->morphed = malloc((n ? n : 1) * sizeof *inst->morphed);
    if (nrm && morph.normals) inst->morphed_normal = malloc((n ? n : 1) * sizeof *inst->morphed_normal);
    if (!inst->morphed || (nrm && morph.normals && !inst->morphed_normal)) return -1;
    for (uint32_t i = 0; i < n; ++i) {
        float p[4] = { 0, 0, 0, 0 };
        zc_mesh_view_read(mesh, zc_mesh_view_attribute(mesh, ZC_SEMANTIC_POSITION), i, p);
        memcpy(inst->morphed[i], p, sizeof inst->morphed[i]);
        if (!inst->morphed_normal) continue;
        zc_mesh_view_read(mesh, nrm, i, p);
        memcpy(inst->morphed_normal[i], p, sizeof inst->morphed_normal[i]);
    }
    zc_morph_view_apply(&morph, weights, 0, &inst->morphed[0][0], &inst->morphed[0][0], n, 3);
    if (inst->morphed_normal)
        zc_morph_view_apply(&morph, weights, 1, &inst->morphed_normal[0][0], &inst->morphed_normal[0][0], n, 3);
    ctx->stats->morphed++;
    return 0;
}

/* Room for one more instance. Node slices of the instance array may overlap (the
 * format checks only their bounds), so the count is not bounded by mesh_count. */
static int viewer__grow_instances(viewer_context *ctx, uint32_t *capacity) {
    if (ctx->instance_count < *capacity) return 0;
    uint32_t grown = *capacity ? *capacity * 2 : 64;
    viewer_instance *p = realloc(ctx->instances, grown * sizeof *p);
    if (!p) return -1;
    ctx->instances = p;
    *capacity = grown;
    return 0;
}

static int viewer__collect(viewer_context *ctx) {
    const zc_scene_view *scene = ctx->scene;
    uint32_t capacity = 0;
    for (uint32_t n = 0; n < scene->node_count; ++n) {
        const zc_scene_node *node = &scene->nodes[n];
        for (uint32_t k = 0; k < node->mesh_count; ++k) {
            if (ctx->instance_count == VIEWER_MAX_INSTANCES) {
                viewer__warn(ctx, "the scene draws more than %u mesh instances; the rest are left out",
                             VIEWER_MAX_INSTANCES);
                return 0;
            }
            if (viewer__grow_instances(ctx, &capacity) != 0) return -1;
            const zc_scene_mesh *sm = &scene->meshes[node->mesh_first + k];
            viewer_instance *inst = &ctx->instances[ctx->instance_count];
            zc_result r = ctx->source->mesh(ctx->source->self, sm->mesh, &inst->mesh);
            if (r != ZC_OK) {
                viewer__warn(ctx, "node %u (%s): mesh %016llx: %s; not drawn", n, viewer__node_name(ctx, n),
                             (unsigned long long)sm->mesh, zc_result_str(r));
                continue;
            }
            inst->node = n;
            inst->material = sm->material;
            inst->skin = NULL;
            inst->morphed = inst->morphed_normal = NULL;
            ctx->instance_count++; /* from here on freed with the others */
            if (viewer__morph(ctx, inst, sm->mesh) != 0 || viewer__pose(ctx, inst, sm->mesh) != 0) return -1;
            if (!inst->skin) viewer__grow_bounds(ctx, ctx->world[n], &inst->mesh);
        }
    }
    return 0;
}

/* ---------------------------------------------------------------------------------
 * Camera: the scene's first camera, else one framing the bounds
 * ------------------------------------------------------------------------------- */

static int viewer__scene_camera(viewer_context *ctx, float aspect) {
    const zc_scene_view *scene = ctx->scene;
    for (uint32_t n = 0; n < scene->node_count; ++n) {
        int32_t index = scene->nodes[n].camera;
        if (index < 0 || (uint32_t)index >= scene->camera_count) continue;
        const zc_camera *cam = &scene->cameras[index];
        float view[16], proj[16];
        if (!vr_mat4_invert_affine(ctx->world[n], view)) {
            viewer__warn(ctx, "camera node %u (%s) has a singular transform; framing the scene instead", n,
                         viewer__node_name(ctx, n));
            return 0;
        }
        if (cam->type == ZC_CAMERA_PERSPECTIVE)
            vr_mat4_perspective(cam->yfov, aspect, cam->znear, cam->zfar, proj);
        else if (cam->type == ZC_CAMERA_ORTHOGRAPHIC)
            vr_mat4_orthographic(cam->ymag * aspect, cam->ymag, cam->znear, cam->zfar, proj);
        else
            return 0;
        vr_mat4_mul(proj, view, ctx->view_proj);
        return 1;
    }
    return 0;
}

static void viewer__framing_camera(viewer_context *ctx, float aspect) {
    float center[3] = { 0, 0, 0 }, radius = 1.0f;
    if (ctx->have_bounds) {
        float d2 = 0.0f;
        for (int k = 0; k < 3; ++k) {
            center[k] = 0.5f * (ctx->bounds_min[k] + ctx->bounds_max[k]);
            float e = ctx->bounds_max[k] - ctx->bounds_min[k];
            d2 += e * e;
        }
        radius = 0.5f * sqrtf(d2);
        if (!(radius > 0.0f) || !isfinite(radius)) radius = 1.0f;
    }
    float half_y = 0.5f * VIEWER_FRAMING_YFOV, half_x = atanf(tanf(half_y) * aspect);
    float distance = radius / sinf(half_x < half_y ? half_x : half_y);
    float dir[3] = { 1.0f, 0.75f, 1.3f }, len = sqrtf(1.0f + 0.75f * 0.75f + 1.3f * 1.3f);
    float eye[3];
    for (int k = 0; k < 3; ++k) eye[k] = center[k] + dir[k] / len * distance;
    float view[16], proj[16];
    vr_mat4_look_at(eye, center, view);
    float znear = fmaxf(distance - radius * 1.01f, distance * 0.01f);
    vr_mat4_perspective(VIEWER_FRAMING_YFOV, aspect, znear, distance + 2.0f * radius, proj);
    vr_mat4_mul(proj, view, ctx->view_proj);
}

/* ---------------------------------------------------------------------------------
 * Materials and textures
 * ------------------------------------------------------------------------------- */

/* The decoded base colour texture `id`, NULL when it cannot be used (warned once). */
static const vr_image *viewer__texture(viewer_context *ctx, uint64_t id, const char *material) {
    for (uint32_t i = 0; i < ctx->texture_count; ++i)
        if (ctx->textures[i].id == id) return ctx->textures[i].ok ? &ctx->textures[i].image : NULL;
    viewer_texture *grown = realloc(ctx->textures, (ctx->texture_count + 1) * sizeof *grown);
    if (!grown) return NULL;
    ctx->textures = grown;
    viewer_texture *t = &ctx->textures[ctx->texture_count++];
    memset(t, 0, sizeof *t);
    t->id = id;
    zc_texture_view view;
    zc_result r = ctx->source->texture(ctx->source->self, id, &view);
    if (r != ZC_OK) {
        viewer__warn(ctx, "material %s: base colour texture %016llx: %s; drawn with the base colour factor",
                     material, (unsigned long long)id, zc_result_str(r));
        return NULL;
    }
    r = vr_image_decode(&view, &t->image);
    if (r == ZC_ERR_UNSUPPORTED_CODEC) {
        viewer__warn(ctx, "material %s: base colour texture %016llx is %s, which this viewer does not decode; "
                          "drawn with the base colour factor", material, (unsigned long long)id,
                     zc_pixel_format_name(view.format) ? zc_pixel_format_name(view.format) : "of an unknown format");
        return NULL;
    }
    if (r != ZC_OK) {
        viewer__warn(ctx, "material %s: base colour texture %016llx cannot be decoded: %s; drawn with the base "
                          "colour factor", material, (unsigned long long)id, zc_result_str(r));
        return NULL;
    }
    t->ok = 1;
    ctx->stats->textures++;
    return &t->image;
}

/* Shading of a submesh with material `id` (0 = none: opaque white). Sets *texcoord to
 * the TEXCOORD set of the base colour texture. */
static void viewer__shading(viewer_context *ctx, uint64_t id, int mirrored, vr_shading *s, uint32_t *texcoord) {
    memset(s, 0, sizeof *s);
    for (int k = 0; k < 4; ++k) s->base_color[k] = 1.0f;
    s->alpha_mode = ZC_ALPHA_OPAQUE;
    s->mirrored = mirrored;
    memcpy(s->light_dir, ctx->light, sizeof ctx->light);
    s->ambient = VIEWER_AMBIENT;
    *texcoord = 0;
    if (id == 0) return;
    zc_material_view m;
    zc_result r = ctx->source->material(ctx->source->self, id, &m);
    if (r != ZC_OK) {
        viewer__warn(ctx, "material %016llx: %s; drawn in white", (unsigned long long)id, zc_result_str(r));
        return;
    }
    memcpy(s->base_color, m.base_color_factor, sizeof s->base_color);
    s->alpha_mode = m.alpha_mode;
    s->alpha_cutoff = m.alpha_cutoff;
    s->double_sided = (m.flags & ZC_MATERIAL_DOUBLE_SIDED) != 0;
    s->unlit = (m.flags & ZC_MATERIAL_UNLIT) != 0;
    const zc_material_texture_view *base = &m.textures[ZC_MATERIAL_SLOT_BASE_COLOR];
    if (base->texture != 0) {
        s->base_texture = viewer__texture(ctx, base->texture, m.name[0] ? m.name : "(unnamed)");
        *texcoord = base->texcoord < 2 ? base->texcoord : 0;
    }
}

/* ---------------------------------------------------------------------------------
 * Pass 2: drawing
 * ------------------------------------------------------------------------------- */

static int viewer__reserve(viewer_vertices *v, uint32_t count) {
    if (count <= v->capacity) return 0;
    void *p = realloc(v->position, count * sizeof *v->position);
    if (p) v->position = p;
    void *c = p ? realloc(v->clip, count * sizeof *v->clip) : NULL;
    if (c) v->clip = c;
    void *n = c ? realloc(v->normal, count * sizeof *v->normal) : NULL;
    if (n) v->normal = n;
    void *t = n ? realloc(v->uv, count * sizeof *v->uv) : NULL;
    if (t) v->uv = t;
    if (!t) return -1;
    v->capacity = count;
    return 0;
}

/* Vertex stage of one instance: object positions, clip positions, world normals
 * (when the mesh has them) and both texture coordinate sets. */
static int viewer__transform(viewer_context *ctx, const viewer_instance *inst, const float mvp[16],
                             const float normal_matrix[9], int *has_normals) {
    const zc_mesh_view *mesh = &inst->mesh;
    if (viewer__reserve(&ctx->vertices, mesh->vertex_count) != 0) return -1;
    viewer_vertices *v = &ctx->vertices;
    const zc_vertex_attribute *nrm = zc_mesh_view_attribute(mesh, ZC_SEMANTIC_NORMAL);
    const zc_vertex_attribute *uv[2] = { zc_mesh_view_attribute(mesh, ZC_SEMANTIC_TEXCOORD0),
                                         zc_mesh_view_attribute(mesh, ZC_SEMANTIC_TEXCOORD1) };
    *has_normals = nrm != NULL;
    for (uint32_t i = 0; i < mesh->vertex_count; ++i) {
        float p[4] = { 0, 0, 0, 0 }, n[4] = { 0, 0, 0, 0 };
        if (inst->skin) /* posed in model space; the normal matrix is the identity */
            viewer__skinned(inst, i, nrm, p, v->normal[i]);
        else
            viewer__vertex(inst, i, nrm, p, n);
        memcpy(v->position[i], p, 3 * sizeof(float));
        vr_mat4_transform(mvp, p, v->clip[i]);
        if (nrm && !inst->skin) {
            for (int r = 0; r < 3; ++r)
                v->normal[i][r] = normal_matrix[r] * n[0] + normal_matrix[3 + r] * n[1] + normal_matrix[6 + r] * n[2];
        }
        for (int set = 0; set < 2; ++set) {
            float t[4] = { 0, 0, 0, 0 };
            if (uv[set]) zc_mesh_view_read(mesh, uv[set], i, t);
            v->uv[i][set][0] = t[0];
            v->uv[i][set][1] = t[1];
        }
    }
    return 0;
}

static void viewer__face_normal(const viewer_vertices *v, const uint32_t idx[3], const float normal_matrix[9],
                                float out[3]) {
    const float *a = v->position[idx[0]], *b = v->position[idx[1]], *c = v->position[idx[2]];
    float e1[3] = { b[0] - a[0], b[1] - a[1], b[2] - a[2] }, e2[3] = { c[0] - a[0], c[1] - a[1], c[2] - a[2] };
    float n[3] = { e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0] };
    for (int r = 0; r < 3; ++r)
        out[r] = normal_matrix[r] * n[0] + normal_matrix[3 + r] * n[1] + normal_matrix[6 + r] * n[2];
}

static int viewer__draw_instance(viewer_context *ctx, const viewer_instance *inst) {
    const zc_mesh_view *mesh = &inst->mesh;
    /* a skinned mesh is posed by its joints, whose world matrices already hold the
     * node hierarchy: its own node's transform does not apply (as in glTF) */
    static const float identity[16] = { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1 };
    const float *world = inst->skin ? identity : ctx->world[inst->node];
    float mvp[16], normal_matrix[9];
    vr_mat4_mul(ctx->view_proj, world, mvp);
    int mirrored = vr_normal_matrix(world, normal_matrix) < 0;
    int has_normals;
    if (viewer__transform(ctx, inst, mvp, normal_matrix, &has_normals) != 0) return -1;
    const viewer_vertices *v = &ctx->vertices;
    for (uint32_t s = 0; s < mesh->submesh_count; ++s) {
        const zc_submesh *sub = &mesh->submeshes[s];
        vr_shading shading;
        uint32_t set;
        viewer__shading(ctx, inst->material ? inst->material : sub->material, mirrored, &shading, &set);
        for (uint32_t i = sub->index_offset; i < sub->index_offset + sub->index_count; i += 3) {
            uint32_t idx[3] = { zc_mesh_view_index(mesh, i), zc_mesh_view_index(mesh, i + 1),
                                zc_mesh_view_index(mesh, i + 2) };
            vr_vertex tri[3];
            float face[3];
            if (!has_normals) viewer__face_normal(v, idx, normal_matrix, face);
            for (int k = 0; k < 3; ++k) {
                memcpy(tri[k].clip, v->clip[idx[k]], sizeof tri[k].clip);
                memcpy(tri[k].normal, has_normals ? v->normal[idx[k]] : face, sizeof tri[k].normal);
                memcpy(tri[k].uv, v->uv[idx[k]][set], sizeof tri[k].uv);
            }
            ctx->stats->pixels += vr_draw_triangle(ctx->target, &shading, tri);
            ctx->stats->triangles++;
        }
    }
    ctx->stats->meshes_drawn++;
    return 0;
}

static void viewer__free(viewer_context *ctx) {
    for (uint32_t i = 0; i < ctx->texture_count; ++i) vr_image_free(&ctx->textures[i].image);
    free(ctx->textures);
    for (uint32_t i = 0; i < ctx->instance_count; ++i) {
        free(ctx->instances[i].skin);
        free(ctx->instances[i].morphed);
        free(ctx->instances[i].morphed_normal);
    }
    free(ctx->instances);
    free(ctx->world);
    free(ctx->vertices.position);
    free(ctx->vertices.clip);
    free(ctx->vertices.normal);
    free(ctx->vertices.uv);
}

int viewer_render(const viewer_source *source, const zc_scene_view *scene, vr_target *target, viewer_stats *stats) {
    return viewer_render_at(source, scene, -1.0f, target, stats);
}

int viewer_render_at(const viewer_source *source, const zc_scene_view *scene, float time, vr_target *target,
                     viewer_stats *stats) {
    memset(stats, 0, sizeof *stats);
    viewer_context ctx = { .source = source, .scene = scene, .target = target, .stats = stats, .time = time };
    float len = sqrtf(VIEWER_LIGHT_X * VIEWER_LIGHT_X + VIEWER_LIGHT_Y * VIEWER_LIGHT_Y +
                      VIEWER_LIGHT_Z * VIEWER_LIGHT_Z);
    ctx.light[0] = VIEWER_LIGHT_X / len, ctx.light[1] = VIEWER_LIGHT_Y / len, ctx.light[2] = VIEWER_LIGHT_Z / len;
    stats->nodes = scene->node_count;
    int result = -1;
    ctx.world = malloc((scene->node_count ? scene->node_count : 1) * sizeof *ctx.world);
    if (!ctx.world) goto done;
    zc_scene_view_world_transforms(scene, ctx.world);
    if (viewer__collect(&ctx) != 0) goto done;
    float aspect = (float)target->width / (float)target->height;
    stats->scene_camera = viewer__scene_camera(&ctx, aspect);
    if (!stats->scene_camera) viewer__framing_camera(&ctx, aspect);
    for (uint32_t i = 0; i < ctx.instance_count; ++i)
        if (viewer__draw_instance(&ctx, &ctx.instances[i]) != 0) goto done;
    result = 0;
done:
    viewer__free(&ctx);
    return result;
}
