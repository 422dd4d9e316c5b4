/* zc_test_payloads.c - see zc_test_payloads.h. */
#include "zc_test_payloads.h"
#include "zc_writer.h"

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

void zct_payload_init(zct_payload *p, size_t cap) {
    cap = (cap + 15) & ~(size_t)15;
    p->bytes = (uint8_t *)aligned_alloc(16, cap);
    cr_assert_not_null(p->bytes, "allocating a %zu-byte payload", cap);
    memset(p->bytes, 0, cap);
    p->size = 0;
    p->cap = cap;
}

void zct_payload_free(zct_payload *p) {
    free(p->bytes);
    memset(p, 0, sizeof *p);
}

size_t zct_payload_reserve(zct_payload *p, size_t size, size_t align) {
    size_t pos = (p->size + align - 1) / align * align;
    cr_assert(pos <= p->cap && size <= p->cap - pos, "payload of %zu bytes cannot take %zu more at %zu", p->cap,
              size, pos);
    p->size = pos + size;
    return pos;
}

size_t zct_payload_append(zct_payload *p, const void *data, size_t size, size_t align) {
    size_t pos = zct_payload_reserve(p, size, align);
    if (data && size) memcpy(p->bytes + pos, data, size);
    return pos;
}

void zct_payload_link(zct_payload *p, size_t field_pos, size_t target_pos, uint64_t count) {
    zc_array *field = ZCT_AT(p, zc_array, field_pos);
    field->offset = count ? (int64_t)target_pos - (int64_t)field_pos : 0;
    field->count = count;
}

void zct_payload_string(zct_payload *p, size_t field_pos, const char *text, size_t length) {
    if (length == 0) {
        zct_payload_link(p, field_pos, 0, 0);
        return;
    }
    size_t at = zct_payload_append(p, text, length, 1);
    zct_payload_append(p, "", 1, 1);
    zct_payload_link(p, field_pos, at, length);
}

/* ---------------------------------------------------------------------------------
 * Mesh
 * ------------------------------------------------------------------------------- */

#define ZCT__FIELD(type, field) offsetof(type, field)

void zct_build_mesh(zct_payload *p, const zct_mesh_desc *d) {
    size_t at_mesh = zct_payload_reserve(p, sizeof(zc_mesh), 16);
    cr_assert_eq(at_mesh, 0, "a mesh payload starts empty");
    zc_submesh whole = { 0, d->index_count, 0, 0, d->meshlet_count };
    const zc_submesh *subs = d->submesh_count ? d->submeshes : &whole;
    uint32_t sub_count = d->submesh_count ? d->submesh_count : 1;
    size_t at_streams = zct_payload_reserve(p, d->stream_count * sizeof(zc_vertex_stream), 8);
    size_t at_attrs = zct_payload_append(p, d->attributes, d->attribute_count * sizeof(zc_vertex_attribute), 8);
    size_t at_subs = zct_payload_append(p, subs, sub_count * sizeof(zc_submesh), 8);
    for (uint32_t s = 0; s < d->stream_count; ++s) {
        size_t bytes = (size_t)d->vertex_count * d->strides[s];
        size_t at = zct_payload_append(p, d->stream_data[s], bytes, ZC_MESH_DATA_ALIGN);
        size_t record = at_streams + s * sizeof(zc_vertex_stream);
        ZCT_AT(p, zc_vertex_stream, record)->stride = d->strides[s];
        zct_payload_link(p, record + ZCT__FIELD(zc_vertex_stream, data), at, bytes);
    }
    size_t index_bytes = (size_t)d->index_count * d->index_size;
    size_t at_indices = zct_payload_append(p, d->indices, index_bytes, ZC_MESH_DATA_ALIGN);
    zc_mesh *m = ZCT_AT(p, zc_mesh, at_mesh);
    m->struct_size = sizeof(zc_mesh);
    m->vertex_count = d->vertex_count;
    m->index_count = d->index_count;
    m->index_size = d->index_size;
    memcpy(m->aabb_min, d->aabb_min, sizeof m->aabb_min);
    memcpy(m->aabb_max, d->aabb_max, sizeof m->aabb_max);
    memcpy(m->sphere_center, d->sphere_center, sizeof m->sphere_center);
    m->sphere_radius = d->sphere_radius;
    zct_payload_link(p, ZCT__FIELD(zc_mesh, streams), at_streams, d->stream_count);
    zct_payload_link(p, ZCT__FIELD(zc_mesh, attributes), at_attrs, d->attribute_count);
    zct_payload_link(p, ZCT__FIELD(zc_mesh, submeshes), at_subs, sub_count);
    zct_payload_link(p, ZCT__FIELD(zc_mesh, indices), at_indices, index_bytes);
    if (d->meshlet_count == 0) return;
    size_t at_ml = zct_payload_append(p, d->meshlets, d->meshlet_count * sizeof(zc_meshlet), ZC_MESH_DATA_ALIGN);
    size_t at_mv = zct_payload_append(p, d->meshlet_vertices, d->meshlet_vertex_count * 4u, ZC_MESH_DATA_ALIGN);
    size_t at_mt = zct_payload_append(p, d->meshlet_triangles, d->meshlet_triangle_bytes, ZC_MESH_DATA_ALIGN);
    zct_payload_link(p, ZCT__FIELD(zc_mesh, meshlets), at_ml, d->meshlet_count);
    zct_payload_link(p, ZCT__FIELD(zc_mesh, meshlet_vertices), at_mv, d->meshlet_vertex_count);
    zct_payload_link(p, ZCT__FIELD(zc_mesh, meshlet_triangles), at_mt, d->meshlet_triangle_bytes);
}

/* ---------------------------------------------------------------------------------
 * Material
 * ------------------------------------------------------------------------------- */

void zct_build_material(zct_payload *p, const zc_material *fields, const char *name) {
    size_t at = zct_payload_append(p, fields, sizeof *fields, 16);
    cr_assert_eq(at, 0, "a material payload starts empty");
    zc_material *m = ZCT_AT(p, zc_material, 0);
    m->struct_size = sizeof(zc_material);
    zct_payload_string(p, ZCT__FIELD(zc_material, name), name, strlen(name));
}

/* ---------------------------------------------------------------------------------
 * Scene
 * ------------------------------------------------------------------------------- */

zc_scene_node zct_scene_node(int32_t parent) {
    zc_scene_node n;
    memset(&n, 0, sizeof n);
    n.parent = parent;
    n.rotation[3] = 1.0f;
    n.scale[0] = n.scale[1] = n.scale[2] = 1.0f;
    n.camera = n.light = -1;
    return n;
}

/* Order of name index records by (hash, name bytes, node). */
static int zct__name_key_cmp(const zc_scene_name *x, const zc_scene_name *y, const char *const *names) {
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    int c = zc__name_cmp(names[x->node], strlen(names[x->node]), names[y->node], strlen(names[y->node]));
    if (c != 0) return c;
    return x->node < y->node ? -1 : x->node > y->node;
}

/* The name index of d's nodes, sorted by insertion (scenes in tests are small). */
static void zct__fill_name_index(zc_scene_name *index, const zct_scene_desc *d) {
    for (uint32_t i = 0; i < d->node_count; ++i) {
        zc_scene_name record = { zc_name_hash(d->names[i], strlen(d->names[i])), i };
        uint32_t k = i;
        while (k > 0 && zct__name_key_cmp(&index[k - 1], &record, d->names) > 0) {
            index[k] = index[k - 1];
            --k;
        }
        index[k] = record;
    }
}

void zct_build_scene(zct_payload *p, const zct_scene_desc *d) {
    size_t at_scene = zct_payload_reserve(p, sizeof(zc_scene), 16);
    cr_assert_eq(at_scene, 0, "a scene payload starts empty");
    size_t at_nodes = zct_payload_append(p, d->nodes, d->node_count * sizeof(zc_scene_node), 8);
    size_t at_index = zct_payload_reserve(p, d->node_count * sizeof(zc_scene_name), 8);
    size_t at_meshes = zct_payload_append(p, d->meshes, d->mesh_count * sizeof(zc_scene_mesh), 8);
    size_t at_cameras = zct_payload_append(p, d->cameras, d->camera_count * sizeof(zc_camera), 8);
    size_t at_lights = zct_payload_append(p, d->lights, d->light_count * sizeof(zc_light), 8);
    ZCT_AT(p, zc_scene, 0)->struct_size = sizeof(zc_scene);
    zct_payload_link(p, ZCT__FIELD(zc_scene, nodes), at_nodes, d->node_count);
    zct_payload_link(p, ZCT__FIELD(zc_scene, name_index), at_index, d->node_count);
    zct_payload_link(p, ZCT__FIELD(zc_scene, meshes), at_meshes, d->mesh_count);
    zct_payload_link(p, ZCT__FIELD(zc_scene, cameras), at_cameras, d->camera_count);
    zct_payload_link(p, ZCT__FIELD(zc_scene, lights), at_lights, d->light_count);
    zct__fill_name_index(ZCT_AT(p, zc_scene_name, at_index), d);
    for (uint32_t i = 0; i < d->node_count; ++i) {
        size_t field = at_nodes + i * sizeof(zc_scene_node) + ZCT__FIELD(zc_scene_node, name);
        zct_payload_string(p, field, d->names[i], strlen(d->names[i]));
    }
}

/* ---------------------------------------------------------------------------------
 * Texture
 * ------------------------------------------------------------------------------- */

void zct_build_texture_rgba8(zct_payload *p, uint32_t width, uint32_t height, const uint8_t *rgba) {
    size_t at = zct_payload_reserve(p, sizeof(zc_texture), 16);
    cr_assert_eq(at, 0, "a texture payload starts empty");
    size_t at_level = zct_payload_reserve(p, sizeof(zc_texture_level), 8);
    size_t bytes = (size_t)width * height * 4;
    size_t at_texels = zct_payload_append(p, rgba, bytes, ZC_TEXTURE_DATA_ALIGN);
    zc_texture *t = ZCT_AT(p, zc_texture, 0);
    t->struct_size = sizeof(zc_texture);
    t->format = ZC_PIXEL_RGBA8_UNORM;
    t->width = width;
    t->height = height;
    t->depth = t->layers = t->mip_count = t->row_pitch_align = 1;
    zct_payload_link(p, ZCT__FIELD(zc_texture, levels), at_level, 1);
    zc_texture_level *l = ZCT_AT(p, zc_texture_level, at_level);
    l->width = width;
    l->height = height;
    l->depth = 1;
    l->row_pitch = width * 4;
    zct_payload_link(p, at_level + ZCT__FIELD(zc_texture_level, texels), at_texels, bytes);
}

/* ---------------------------------------------------------------------------------
 * Packs
 * ------------------------------------------------------------------------------- */

static uint32_t zct__layout_of(uint32_t type) {
#define ZCT__LAYOUT(name, tag, hash, fn) if (type == (tag)) return (hash);
    ZC_TYPE_LIST(ZCT__LAYOUT)
#undef ZCT__LAYOUT
    cr_assert_fail("type 0x%08x is not registered", type);
    return 0;
}

zc_result zct_write_typed_pack(const char *out, const zct_typed_entry *entries, size_t count, int verify) {
    zc_writer *w = NULL;
    zc_result r = zc_writer_open(&w, &(zc_writer_desc){ .path = out, .no_sync = 1, .no_verify = !verify });
    if (r != ZC_OK) return r;
    for (size_t i = 0; i < count; ++i) {
        const zct_typed_entry *e = &entries[i];
        r = zc_writer_begin_entry(w, e->path, e->type, zct__layout_of(e->type), e->align_log2);
        if (r == ZC_OK && e->size) r = zc_writer_write(w, e->data, e->size);
        if (r == ZC_OK) r = zc_writer_end_entry(w);
        if (r != ZC_OK) {
            zc_writer_abort(w);
            return r;
        }
    }
    return zc_writer_finish(w);
}
