/* test_views.c - the runtime's mesh, material and scene views on real packs: payloads
 * built in memory, written with the pack writer, opened with zc_pack_open. The views
 * must give back exactly what was written (every vertex format, quantized positions
 * within their step, indices, submeshes, meshlets, every material field, node names,
 * lookup, world transforms of a hierarchy against hand-computed matrices), references
 * must resolve through zc_pack_resolve with the right errors, `zcpack dump` must print
 * the same facts, and damaged entries must be refused both by zc_pack_open at level
 * FULL and by the view calls on a pack opened at level TOC.
 */
#include <criterion/criterion.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_pack.h"
#include "zc_test_images.h"
#include "zc_test_payloads.h"
#include "zc_test_util.h"

#define MESH_A    "meshes/a"          /* float and 16-bit formats, u16 indices, 3 submeshes */
#define MESH_B    "meshes/b"          /* normalized and 8-bit formats, u32 indices, meshlets */
#define MAT_RED   "materials/red"
#define TEX_BRICK "textures/bricks"
#define NOTES     "notes.txt"         /* a blob: the wrong type for every reference */
#define MISSING   "materials/missing" /* no such entry */
#define SCENE     "scenes/main"

static uint64_t id_of(const char *path) { return zc_asset_id(path, strlen(path)); }

static char *pack_path; /* zct_tmp/views.zcpack */

static void setup(void) {
    zct_tmp_setup();
    pack_path = zct_tmp_path("views.zcpack");
}

static void teardown(void) {
    free(pack_path);
    zct_tmp_teardown();
}

TestSuite(views, .init = setup, .fini = teardown, .timeout = 60);

/* ---------------------------------------------------------------------------------
 * Mesh A: 5 vertices; stream 0 POSITION FLOAT32x3; stream 1 (56 bytes) NORMAL
 * FLOAT16x4 @0, TANGENT FLOAT32x4 @8, TEXCOORD0 FLOAT32x2 @24, TEXCOORD1 FLOAT16x2
 * @32, COLOR0 UNORM16x4 @36, JOINTS0 UINT16x4 @44, WEIGHTS0 UNORM8x4 @52.
 * ------------------------------------------------------------------------------- */

#define A_VERTICES 5
#define A_STRIDE1 56

/* binary16 bit patterns and their exact values: zeros, subnormals, normals at both
 * ends of the range, infinities and a NaN. */
static const struct { uint16_t bits; float value; } halves[A_VERTICES][4] = {
    { { 0x3C00, 1.0f }, { 0x0000, 0.0f }, { 0x8000, -0.0f }, { 0x3800, 0.5f } },
    { { 0xC000, -2.0f }, { 0x3555, 0.333251953125f }, { 0x0001, 5.9604644775390625e-08f },
      { 0x03FF, 6.0975551605224609375e-05f } },
    { { 0x7BFF, 65504.0f }, { 0xFBFF, -65504.0f }, { 0x0400, 6.103515625e-05f }, { 0x3BFF, 0.99951171875f } },
    { { 0x7C00, INFINITY }, { 0xFC00, -INFINITY }, { 0x7E00, NAN }, { 0x4248, 3.140625f } },
    { { 0x3C01, 1.0009765625f }, { 0xB400, -0.25f }, { 0x5640, 100.0f }, { 0x8001, -5.9604644775390625e-08f } },
};

/* UNORM16 raw values and their meaning raw / 65535. */
static const uint16_t unorm16_raw[4] = { 0, 13107, 32768, 65535 };
static const double unorm16_val[4] = { 0.0, 0.2, 32768.0 / 65535.0, 1.0 };
/* UNORM8 raw values and raw / 255. */
static const uint8_t unorm8_raw[4] = { 255, 0, 51, 128 };
static const double unorm8_val[4] = { 1.0, 0.0, 0.2, 128.0 / 255.0 };

static float a_position(uint32_t v, int k) { return (float)v * 1.5f - (float)k; }
static float a_tangent(uint32_t v, int k) {
    const float t[4] = { (float)v + 0.5f, -(float)v, 1e-30f, v & 1 ? -1.0f : 1.0f };
    return t[k];
}
static float a_texcoord(uint32_t v, int k) { return k == 0 ? (float)v * 0.25f : 1.0f - (float)v * 0.25f; }

typedef struct mesh_a_data {
    float positions[A_VERTICES][3];
    uint8_t stream1[A_VERTICES][A_STRIDE1];
} mesh_a_data;

static void put(uint8_t *vertex, size_t offset, const void *value, size_t size) {
    memcpy(vertex + offset, value, size);
}

static void make_mesh_a_data(mesh_a_data *d) {
    memset(d, 0, sizeof *d);
    for (uint32_t v = 0; v < A_VERTICES; ++v) {
        uint8_t *x = d->stream1[v];
        for (int k = 0; k < 3; ++k) d->positions[v][k] = a_position(v, k);
        for (int k = 0; k < 4; ++k) {
            float tangent = a_tangent(v, k);
            uint16_t joint = (uint16_t)(k == 0 ? v : k == 1 ? 65535 : k == 2 ? 1000 + v : 7);
            put(x, 0 + 2 * k, &halves[v][k].bits, 2);
            put(x, 8 + 4 * k, &tangent, 4);
            put(x, 36 + 2 * k, &unorm16_raw[(v + k) % 4], 2);
            put(x, 44 + 2 * k, &joint, 2);
            put(x, 52 + k, &unorm8_raw[(v + k) % 4], 1);
        }
        for (int k = 0; k < 2; ++k) {
            float uv = a_texcoord(v, k);
            put(x, 24 + 4 * k, &uv, 4);
            put(x, 32 + 2 * k, &halves[(v + 1) % A_VERTICES][k + 2].bits, 2);
        }
    }
}

static const zc_vertex_attribute a_attributes[] = {
    { ZC_SEMANTIC_POSITION, ZC_VERTEX_FORMAT_FLOAT32x3, 0, 0, 0, 0 },
    { ZC_SEMANTIC_NORMAL, ZC_VERTEX_FORMAT_FLOAT16x4, 1, 0, 0, 0 },
    { ZC_SEMANTIC_TANGENT, ZC_VERTEX_FORMAT_FLOAT32x4, 1, 0, 8, 0 },
    { ZC_SEMANTIC_TEXCOORD0, ZC_VERTEX_FORMAT_FLOAT32x2, 1, 0, 24, 0 },
    { ZC_SEMANTIC_TEXCOORD1, ZC_VERTEX_FORMAT_FLOAT16x2, 1, 0, 32, 0 },
    { ZC_SEMANTIC_COLOR0, ZC_VERTEX_FORMAT_UNORM16x4, 1, 0, 36, 0 },
    { ZC_SEMANTIC_JOINTS0, ZC_VERTEX_FORMAT_UINT16x4, 1, 0, 44, 0 },
    { ZC_SEMANTIC_WEIGHTS0, ZC_VERTEX_FORMAT_UNORM8x4, 1, 0, 52, 0 },
};

static const uint16_t a_indices[9] = { 0, 1, 2, 2, 1, 3, 3, 4, 0 };

static void build_mesh_a(zct_payload *p) {
    static mesh_a_data d;
    make_mesh_a_data(&d);
    const zc_submesh subs[3] = {
        { 0, 3, id_of(MAT_RED), 0, 0 },
        { 3, 3, id_of(MISSING), 0, 0 },
        { 6, 3, id_of(NOTES), 0, 0 },
    };
    zct_mesh_desc desc = {
        .vertex_count = A_VERTICES,
        .stream_count = 2,
        .strides = { 12, A_STRIDE1 },
        .stream_data = { d.positions, d.stream1 },
        .attribute_count = sizeof a_attributes / sizeof a_attributes[0],
        .attributes = a_attributes,
        .index_count = 9,
        .index_size = 2,
        .indices = a_indices,
        .submesh_count = 3,
        .submeshes = subs,
        .aabb_min = { 0.0f, -2.0f, -2.0f },
        .aabb_max = { 6.0f, 5.0f, 4.0f },
        .sphere_center = { 3.0f, 1.5f, 1.0f },
        .sphere_radius = 5.5f,
    };
    zct_payload_init(p, 4096);
    zct_build_mesh(p, &desc);
}

/* ---------------------------------------------------------------------------------
 * Mesh B: 4 vertices; stream 0 POSITION UNORM16x4 (bounds-relative); stream 1 (24
 * bytes) NORMAL SNORM8x4 @0, TANGENT SNORM16x4 @4, TEXCOORD0 UNORM16x2 @12,
 * TEXCOORD1 SNORM16x2 @16, COLOR0 UNORM8x4 @20; stream 2 (12 bytes) JOINTS0 UINT8x4
 * @0, WEIGHTS0 UNORM16x4 @4. One meshlet.
 * ------------------------------------------------------------------------------- */

#define B_VERTICES 4

/* SNORM8 raw values and max(raw / 127, -1). */
static const int8_t snorm8_raw[4] = { -128, -127, 127, 64 };
static const double snorm8_val[4] = { -1.0, -1.0, 1.0, 64.0 / 127.0 };
/* SNORM16 raw values and max(raw / 32767, -1). */
static const int16_t snorm16_raw[4] = { -32768, 32767, 0, -16384 };
static const double snorm16_val[4] = { -1.0, 1.0, 0.0, -16384.0 / 32767.0 };

static const float b_min[3] = { -2.0f, 0.0f, 10.0f }, b_max[3] = { 2.0f, 4.0f, 10.0f };
static const uint16_t b_pos_raw[B_VERTICES][4] = {
    { 0, 0, 0, 0 }, { 65535, 65535, 65535, 0 }, { 32768, 13107, 1, 0 }, { 13107, 52428, 65535, 0 } };

static const zc_vertex_attribute b_attributes[] = {
    { ZC_SEMANTIC_POSITION, ZC_VERTEX_FORMAT_UNORM16x4, 0, 0, 0, 0 },
    { ZC_SEMANTIC_NORMAL, ZC_VERTEX_FORMAT_SNORM8x4, 1, 0, 0, 0 },
    { ZC_SEMANTIC_TANGENT, ZC_VERTEX_FORMAT_SNORM16x4, 1, 0, 4, 0 },
    { ZC_SEMANTIC_TEXCOORD0, ZC_VERTEX_FORMAT_UNORM16x2, 1, 0, 12, 0 },
    { ZC_SEMANTIC_TEXCOORD1, ZC_VERTEX_FORMAT_SNORM16x2, 1, 0, 16, 0 },
    { ZC_SEMANTIC_COLOR0, ZC_VERTEX_FORMAT_UNORM8x4, 1, 0, 20, 0 },
    { ZC_SEMANTIC_JOINTS0, ZC_VERTEX_FORMAT_UINT8x4, 2, 0, 0, 0 },
    { ZC_SEMANTIC_WEIGHTS0, ZC_VERTEX_FORMAT_UNORM16x4, 2, 0, 4, 0 },
};

static const uint32_t b_indices[6] = { 0, 1, 2, 2, 1, 3 };

static void build_mesh_b(zct_payload *p) {
    static uint8_t s1[B_VERTICES][24], s2[B_VERTICES][12];
    memset(s1, 0, sizeof s1);
    memset(s2, 0, sizeof s2);
    for (uint32_t v = 0; v < B_VERTICES; ++v) {
        for (int k = 0; k < 4; ++k) {
            uint8_t joint = (uint8_t)(v * 10 + (uint32_t)k * 60); /* up to 210 */
            put(s1[v], 0 + k, &snorm8_raw[(v + k) % 4], 1);
            put(s1[v], 4 + 2 * k, &snorm16_raw[(v + k) % 4], 2);
            put(s1[v], 20 + k, &unorm8_raw[(v + k) % 4], 1);
            put(s2[v], 0 + k, &joint, 1);
            put(s2[v], 4 + 2 * k, &unorm16_raw[(v + k) % 4], 2);
        }
        for (int k = 0; k < 2; ++k) {
            put(s1[v], 12 + 2 * k, &unorm16_raw[(v + 2 * k) % 4], 2);
            put(s1[v], 16 + 2 * k, &snorm16_raw[(v + 2 * k) % 4], 2);
        }
    }
    static const zc_meshlet meshlet = { 0, 0, 4, 2 };
    static const uint32_t meshlet_vertices[4] = { 0, 1, 2, 3 };
    static const uint8_t meshlet_triangles[6] = { 0, 1, 2, 2, 1, 3 };
    const zc_submesh sub = { 0, 6, 0, 0, 1 };
    zct_mesh_desc desc = {
        .vertex_count = B_VERTICES,
        .stream_count = 3,
        .strides = { 8, 24, 12 },
        .stream_data = { b_pos_raw, s1, s2 },
        .attribute_count = sizeof b_attributes / sizeof b_attributes[0],
        .attributes = b_attributes,
        .index_count = 6,
        .index_size = 4,
        .indices = b_indices,
        .submesh_count = 1,
        .submeshes = &sub,
        .aabb_min = { b_min[0], b_min[1], b_min[2] },
        .aabb_max = { b_max[0], b_max[1], b_max[2] },
        .sphere_center = { 0.0f, 2.0f, 10.0f },
        .sphere_radius = 2.8285f,
        .meshlet_count = 1,
        .meshlets = &meshlet,
        .meshlet_vertex_count = 4,
        .meshlet_vertices = meshlet_vertices,
        .meshlet_triangle_bytes = 6,
        .meshlet_triangles = meshlet_triangles,
    };
    zct_payload_init(p, 4096);
    zct_build_mesh(p, &desc);
}

/* ---------------------------------------------------------------------------------
 * Material, texture, scene
 * ------------------------------------------------------------------------------- */

static void build_material_red(zct_payload *p) {
    zc_material m;
    memset(&m, 0, sizeof m);
    m.alpha_mode = ZC_ALPHA_MASK;
    m.flags = ZC_MATERIAL_DOUBLE_SIDED | ZC_MATERIAL_UNLIT;
    m.alpha_cutoff = 0.25f;
    const float base[4] = { 1.0f, 0.5f, 0.25f, 0.75f }, emissive[3] = { 2.0f, 0.0f, 0.5f };
    memcpy(m.base_color_factor, base, sizeof base);
    memcpy(m.emissive_factor, emissive, sizeof emissive);
    m.metallic_factor = 0.125f;
    m.roughness_factor = 0.875f;
    m.normal_scale = -1.5f;
    m.occlusion_strength = 0.625f;
    m.textures[ZC_MATERIAL_SLOT_BASE_COLOR].texture = id_of(TEX_BRICK);
    m.textures[ZC_MATERIAL_SLOT_NORMAL].texture = id_of(TEX_BRICK);
    m.textures[ZC_MATERIAL_SLOT_NORMAL].texcoord = 1;
    m.textures[ZC_MATERIAL_SLOT_EMISSIVE].texture = id_of(NOTES);
    zct_payload_init(p, 1024);
    zct_build_material(p, &m, "red");
}

static void build_texture(zct_payload *p) {
    static const uint8_t texels[2 * 2 * 4] = { 200, 40, 30, 255, 180, 60, 40, 255, 90, 90, 90, 255, 10, 20, 30, 255 };
    zct_payload_init(p, 256);
    zct_build_texture_rgba8(p, 2, 2, texels);
}

/* The scene: 0 root -> 1 arm (2 mesh instances) -> 2 hand (light 0);
 *            3 "andrä" (camera 0) -> 4 arm (1 mesh instance) -> 5 unnamed. */
#define SCENE_NODES 6
static const char *const scene_names[SCENE_NODES] = { "root", "arm", "hand", "andr\xc3\xa4", "arm", "" };
#define S2 0.70710678118654752f /* sin 45 degrees = cos 45 degrees */

static void scene_nodes(zc_scene_node n[SCENE_NODES]) {
    static const int32_t parents[SCENE_NODES] = { -1, 0, 1, -1, 3, 4 };
    for (int i = 0; i < SCENE_NODES; ++i) n[i] = zct_scene_node(parents[i]);
    /* root: T(1, 2, 3) R(90 degrees about Z) S(2, 2, 2) */
    memcpy(n[0].translation, (float[3]){ 1, 2, 3 }, 12);
    memcpy(n[0].rotation, (float[4]){ 0, 0, S2, S2 }, 16);
    memcpy(n[0].scale, (float[3]){ 2, 2, 2 }, 12);
    /* arm: T(1, 0, 0) S(1, 3, 1) */
    memcpy(n[1].translation, (float[3]){ 1, 0, 0 }, 12);
    memcpy(n[1].scale, (float[3]){ 1, 3, 1 }, 12);
    n[1].mesh_first = 0;
    n[1].mesh_count = 2;
    /* hand: T(0, 1, 0) R(90 degrees about X) S(1, 1, 0.5) */
    memcpy(n[2].translation, (float[3]){ 0, 1, 0 }, 12);
    memcpy(n[2].rotation, (float[4]){ S2, 0, 0, S2 }, 16);
    memcpy(n[2].scale, (float[3]){ 1, 1, 0.5f }, 12);
    n[2].light = 0;
    /* andrä: T(0, 0, -5) */
    n[3].translation[2] = -5.0f;
    n[3].camera = 0;
    /* second arm: T(0, 0, 1) R(180 degrees about Y) */
    n[4].translation[2] = 1.0f;
    memcpy(n[4].rotation, (float[4]){ 0, 1, 0, 0 }, 16);
    n[4].mesh_first = 2;
    n[4].mesh_count = 1;
    /* unnamed: T(1, 0, 0) S(-1, 1, 1), a mirror */
    n[5].translation[0] = 1.0f;
    n[5].scale[0] = -1.0f;
}

static const zc_camera scene_camera = { ZC_CAMERA_PERSPECTIVE, 1.75f, 0.875f, 0, 0, 0.125f, 500.0f, 0 };
static const zc_light scene_light = { ZC_LIGHT_SPOT, { 1.0f, 0.5f, 0.25f }, 40.0f, 12.0f, 0.25f, 0.75f };

static void build_scene(zct_payload *p) {
    zc_scene_node nodes[SCENE_NODES];
    scene_nodes(nodes);
    const zc_scene_mesh meshes[3] = {
        { id_of(MESH_A), 0 },
        { id_of(MESH_B), id_of(MAT_RED) },
        { id_of(MESH_B), 0 },
    };
    zct_scene_desc desc = {
        .node_count = SCENE_NODES,
        .nodes = nodes,
        .names = scene_names,
        .mesh_count = 3,
        .meshes = meshes,
        .camera_count = 1,
        .cameras = &scene_camera,
        .light_count = 1,
        .lights = &scene_light,
    };
    zct_payload_init(p, 4096);
    zct_build_scene(p, &desc);
}

/* ---------------------------------------------------------------------------------
 * The pack
 * ------------------------------------------------------------------------------- */

static const char notes_text[] = "not a material, not a texture";

/* Every payload of the pack, in the order they are written. */
typedef struct payloads {
    zct_payload mesh_a, mesh_b, material, texture, scene;
} payloads;

static void build_all(payloads *pl) {
    build_mesh_a(&pl->mesh_a);
    build_mesh_b(&pl->mesh_b);
    build_material_red(&pl->material);
    build_texture(&pl->texture);
    build_scene(&pl->scene);
}

static void free_all(payloads *pl) {
    zct_payload_free(&pl->mesh_a);
    zct_payload_free(&pl->mesh_b);
    zct_payload_free(&pl->material);
    zct_payload_free(&pl->texture);
    zct_payload_free(&pl->scene);
}

/* Write the pack (verified by the writer at level CHECKSUMS) and open it at `level`. */
static zc_pack *write_and_open(zc_validate level) {
    payloads pl;
    build_all(&pl);
    const zct_typed_entry entries[] = {
        { MESH_A, ZC_TYPE_MESH, pl.mesh_a.bytes, pl.mesh_a.size, 0 },
        { MESH_B, ZC_TYPE_MESH, pl.mesh_b.bytes, pl.mesh_b.size, 12 },
        { MAT_RED, ZC_TYPE_MATERIAL, pl.material.bytes, pl.material.size, 0 },
        { TEX_BRICK, ZC_TYPE_TEXTURE, pl.texture.bytes, pl.texture.size, 0 },
        { NOTES, ZC_TYPE_BLOB, notes_text, sizeof notes_text - 1, 0 },
        { SCENE, ZC_TYPE_SCENE, pl.scene.bytes, pl.scene.size, 0 },
    };
    zc_result r = zct_write_typed_pack(pack_path, entries, sizeof entries / sizeof entries[0], 1);
    free_all(&pl);
    cr_assert_eq(r, ZC_OK, "writing the pack: %s", zc_result_str(r));
    zc_pack *pack = NULL;
    r = zc_pack_open(&pack, &(zc_pack_desc){ .path = pack_path, .validate = level });
    cr_assert_eq(r, ZC_OK, "opening the pack: %s", zc_result_str(r));
    return pack;
}

static zc_entry find(const zc_pack *pack, const char *path) {
    zc_entry e;
    zc_result r = zc_pack_find(pack, path, &e);
    cr_assert_eq(r, ZC_OK, "%s: %s", path, zc_result_str(r));
    return e;
}

static zc_mesh_view mesh_view(const zc_pack *pack, const char *path) {
    zc_entry e = find(pack, path);
    zc_mesh_view view;
    zc_result r = zc_mesh_view_from_entry(&e, &view);
    cr_assert_eq(r, ZC_OK, "%s: %s", path, zc_result_str(r));
    return view;
}

/* Read `semantic` of vertex v; assert the component count. */
static void read_attr(const zc_mesh_view *view, uint32_t semantic, uint32_t v, uint32_t comps, float out[4]) {
    const zc_vertex_attribute *a = zc_mesh_view_attribute(view, semantic);
    cr_assert_not_null(a, "no %s attribute", zc_vertex_semantic_name(semantic));
    uint32_t n = zc_mesh_view_read(view, a, v, out);
    cr_assert_eq(n, comps, "%s of vertex %u: %u components, expected %u", zc_vertex_semantic_name(semantic), v, n,
                 comps);
}

static void expect_near(float got, double want, double tolerance, const char *what, uint32_t v, int k) {
    cr_expect(fabs((double)got - want) <= tolerance, "%s of vertex %u, component %d: %.9g, expected %.9g", what, v, k,
              (double)got, want);
}

/* ---------------------------------------------------------------------------------
 * Meshes
 * ------------------------------------------------------------------------------- */

Test(views, mesh_float_and_16_bit_formats) {
    zc_pack *pack = write_and_open(ZC_VALIDATE_FULL);
    zc_mesh_view view = mesh_view(pack, MESH_A);
    cr_assert_eq(view.vertex_count, A_VERTICES);
    cr_assert_eq(view.stream_count, 2);
    cr_assert_eq(view.streams[1].stride, A_STRIDE1);
    cr_assert_eq(view.attribute_count, 8);
    cr_assert_eq((uintptr_t)view.streams[0].data % 16, 0);
    cr_assert_eq((uintptr_t)view.streams[1].data % 16, 0);
    float o[4];
    for (uint32_t v = 0; v < A_VERTICES; ++v) {
        read_attr(&view, ZC_SEMANTIC_POSITION, v, 3, o);
        for (int k = 0; k < 3; ++k) cr_expect_eq(o[k], a_position(v, k), "position %u.%d", v, k);
        cr_expect_eq(o[3], 1.0f, "position w");
        read_attr(&view, ZC_SEMANTIC_NORMAL, v, 4, o);
        for (int k = 0; k < 4; ++k) {
            float want = halves[v][k].value;
            if (isnan(want))
                cr_expect(isnan(o[k]), "half 0x%04x gave %g, expected NaN", halves[v][k].bits, (double)o[k]);
            else
                cr_expect(o[k] == want && signbit(o[k]) == signbit(want), "half 0x%04x gave %.9g, expected %.9g",
                          halves[v][k].bits, (double)o[k], (double)want);
        }
        read_attr(&view, ZC_SEMANTIC_TANGENT, v, 4, o);
        for (int k = 0; k < 4; ++k) cr_expect_eq(o[k], a_tangent(v, k), "tangent %u.%d", v, k);
        read_attr(&view, ZC_SEMANTIC_TEXCOORD0, v, 2, o);
        cr_expect(o[0] == a_texcoord(v, 0) && o[1] == a_texcoord(v, 1) && o[2] == 0 && o[3] == 0, "texcoord0 %u", v);
        read_attr(&view, ZC_SEMANTIC_TEXCOORD1, v, 2, o);
        for (int k = 0; k < 2; ++k) {
            float want = halves[(v + 1) % A_VERTICES][k + 2].value;
            cr_expect(isnan(want) ? isnan(o[k]) : o[k] == want, "texcoord1 %u.%d: %g", v, k, (double)o[k]);
        }
        read_attr(&view, ZC_SEMANTIC_COLOR0, v, 4, o);
        for (int k = 0; k < 4; ++k) expect_near(o[k], unorm16_val[(v + k) % 4], 1e-7, "UNORM16 colour", v, k);
        read_attr(&view, ZC_SEMANTIC_JOINTS0, v, 4, o);
        const float joints[4] = { (float)v, 65535.0f, 1000.0f + (float)v, 7.0f };
        for (int k = 0; k < 4; ++k) cr_expect_eq(o[k], joints[k], "joint %u.%d", v, k);
        read_attr(&view, ZC_SEMANTIC_WEIGHTS0, v, 4, o);
        for (int k = 0; k < 4; ++k) expect_near(o[k], unorm8_val[(v + k) % 4], 1e-7, "UNORM8 weight", v, k);
    }
    const zc_vertex_attribute *pos = zc_mesh_view_attribute(&view, ZC_SEMANTIC_POSITION);
    o[0] = 42.0f;
    cr_expect_eq(zc_mesh_view_read(&view, pos, A_VERTICES, o), 0, "a vertex past the end reads nothing");
    cr_expect_eq(o[0], 0.0f, "and zeroes the output");
    cr_expect_eq(zc_mesh_view_read(&view, NULL, 0, o), 0);
    cr_expect_null(zc_mesh_view_attribute(&view, ZC_SEMANTIC_UNDEFINED));
    cr_expect_null(zc_mesh_view_attribute(&view, 99));
    zc_pack_close(pack);
}

Test(views, mesh_normalized_and_8_bit_formats) {
    zc_pack *pack = write_and_open(ZC_VALIDATE_FULL);
    zc_mesh_view view = mesh_view(pack, MESH_B);
    cr_assert_eq(view.stream_count, 3);
    float o[4];
    for (uint32_t v = 0; v < B_VERTICES; ++v) {
        read_attr(&view, ZC_SEMANTIC_POSITION, v, 3, o);
        for (int k = 0; k < 3; ++k) {
            double t = b_pos_raw[v][k] / 65535.0;
            expect_near(o[k], b_min[k] + t * (b_max[k] - b_min[k]), 2e-6, "UNORM16 position", v, k);
        }
        cr_expect_eq(o[3], 1.0f, "position w is 1 whatever the stored fourth component");
        read_attr(&view, ZC_SEMANTIC_NORMAL, v, 4, o);
        for (int k = 0; k < 4; ++k) expect_near(o[k], snorm8_val[(v + k) % 4], 1e-7, "SNORM8 normal", v, k);
        read_attr(&view, ZC_SEMANTIC_TANGENT, v, 4, o);
        for (int k = 0; k < 4; ++k) expect_near(o[k], snorm16_val[(v + k) % 4], 1e-7, "SNORM16 tangent", v, k);
        read_attr(&view, ZC_SEMANTIC_TEXCOORD0, v, 2, o);
        for (int k = 0; k < 2; ++k) expect_near(o[k], unorm16_val[(v + 2 * k) % 4], 1e-7, "UNORM16 uv", v, k);
        read_attr(&view, ZC_SEMANTIC_TEXCOORD1, v, 2, o);
        for (int k = 0; k < 2; ++k) expect_near(o[k], snorm16_val[(v + 2 * k) % 4], 1e-7, "SNORM16 uv", v, k);
        read_attr(&view, ZC_SEMANTIC_COLOR0, v, 4, o);
        for (int k = 0; k < 4; ++k) expect_near(o[k], unorm8_val[(v + k) % 4], 1e-7, "UNORM8 colour", v, k);
        read_attr(&view, ZC_SEMANTIC_JOINTS0, v, 4, o);
        for (int k = 0; k < 4; ++k) cr_expect_eq(o[k], (float)(v * 10 + (uint32_t)k * 60), "UINT8 joint %u.%d", v, k);
        read_attr(&view, ZC_SEMANTIC_WEIGHTS0, v, 4, o);
        for (int k = 0; k < 4; ++k) expect_near(o[k], unorm16_val[(v + k) % 4], 1e-7, "UNORM16 weight", v, k);
    }
    /* The corners of the bounds come back exactly. */
    read_attr(&view, ZC_SEMANTIC_POSITION, 0, 3, o);
    cr_expect(o[0] == b_min[0] && o[1] == b_min[1] && o[2] == b_min[2], "raw 0 is exactly aabb_min");
    read_attr(&view, ZC_SEMANTIC_POSITION, 1, 3, o);
    cr_expect(o[0] == b_max[0] && o[1] == b_max[1] && o[2] == b_max[2], "raw 65535 is exactly aabb_max");
    zc_pack_close(pack);
}

/* Quantize p (inside the bounds) to the normalized format, as a writer would. */
static void quantize_position(uint32_t format, const float lo[3], const float hi[3], const float p[3], uint8_t *out) {
    for (int k = 0; k < 3; ++k) {
        double extent = (double)hi[k] - lo[k];
        double t = extent > 0 ? ((double)p[k] - lo[k]) / extent : 0.0;
        uint16_t u16 = (uint16_t)lround(t * 65535.0);
        int16_t s16 = (int16_t)lround((2 * t - 1) * 32767.0);
        uint8_t u8 = (uint8_t)lround(t * 255.0);
        int8_t s8 = (int8_t)lround((2 * t - 1) * 127.0);
        switch (format) {
        case ZC_VERTEX_FORMAT_UNORM16x4: memcpy(out + 2 * k, &u16, 2); break;
        case ZC_VERTEX_FORMAT_SNORM16x4: memcpy(out + 2 * k, &s16, 2); break;
        case ZC_VERTEX_FORMAT_UNORM8x4: out[k] = u8; break;
        case ZC_VERTEX_FORMAT_SNORM8x4: memcpy(out + k, &s8, 1); break;
        default: cr_assert_fail("format %u is not a normalized 4-component format", format);
        }
    }
}

Test(views, quantized_positions_within_one_step) {
    static const struct { uint32_t format; double step; } formats[] = {
        { ZC_VERTEX_FORMAT_UNORM16x4, 1.0 / 65535.0 },
        { ZC_VERTEX_FORMAT_SNORM16x4, 0.5 / 32767.0 },
        { ZC_VERTEX_FORMAT_UNORM8x4, 1.0 / 255.0 },
        { ZC_VERTEX_FORMAT_SNORM8x4, 0.5 / 127.0 },
    };
    enum { N = 64 };
    const float lo[3] = { -3.0f, 1.0f, -7.25f }, hi[3] = { 5.0f, 1.0f, 100.5f }; /* y has no extent */
    float positions[N][3];
    uint64_t seed = 77;
    for (uint32_t v = 0; v < N; ++v)
        for (int k = 0; k < 3; ++k) {
            double t = v == 0 ? 0.0 : v == 1 ? 1.0 : (double)(zct_rand(&seed) >> 11) / 9007199254740992.0;
            positions[v][k] = (float)(lo[k] + t * ((double)hi[k] - lo[k]));
        }
    for (size_t f = 0; f < sizeof formats / sizeof formats[0]; ++f) {
        uint32_t bytes = 0, comps = 0;
        int integer = 0;
        cr_assert(zc_vertex_format_info(formats[f].format, &bytes, &comps, &integer));
        uint8_t stream[N * 8];
        memset(stream, 0, sizeof stream);
        for (uint32_t v = 0; v < N; ++v) quantize_position(formats[f].format, lo, hi, positions[v], stream + v * bytes);
        const zc_vertex_attribute attr = { ZC_SEMANTIC_POSITION, (uint8_t)formats[f].format, 0, 0, 0, 0 };
        static const uint16_t ix[3] = { 0, 1, 2 };
        zct_mesh_desc desc = {
            .vertex_count = N, .stream_count = 1, .strides = { bytes }, .stream_data = { stream },
            .attribute_count = 1, .attributes = &attr, .index_count = 3, .index_size = 2, .indices = ix,
            .aabb_min = { lo[0], lo[1], lo[2] }, .aabb_max = { hi[0], hi[1], hi[2] }, .sphere_radius = 60.0f,
        };
        zct_payload p;
        zct_payload_init(&p, 2048);
        zct_build_mesh(&p, &desc);
        zct_typed_entry entry = { "q.mesh", ZC_TYPE_MESH, p.bytes, p.size, 0 };
        cr_assert_eq(zct_write_typed_pack(pack_path, &entry, 1, 1), ZC_OK);
        zct_payload_free(&p);
        zc_pack *pack = NULL;
        cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = pack_path, .validate = ZC_VALIDATE_FULL }), ZC_OK);
        zc_mesh_view view = mesh_view(pack, "q.mesh");
        const char *name = zc_vertex_format_name(formats[f].format);
        for (uint32_t v = 0; v < N; ++v) {
            float o[4];
            read_attr(&view, ZC_SEMANTIC_POSITION, v, 3, o);
            for (int k = 0; k < 3; ++k) {
                double extent = (double)hi[k] - lo[k];
                double tolerance = extent * formats[f].step / 2 + 4e-6 * fabs((double)hi[k]) + 1e-6;
                expect_near(o[k], positions[v][k], tolerance, name, v, k);
            }
        }
        float o[4];
        read_attr(&view, ZC_SEMANTIC_POSITION, 0, 3, o);
        cr_expect(o[0] == lo[0] && o[1] == lo[1] && o[2] == lo[2], "%s: the low corner is exact", name);
        read_attr(&view, ZC_SEMANTIC_POSITION, 1, 3, o);
        cr_expect(o[0] == hi[0] && o[1] == hi[1] && o[2] == hi[2], "%s: the high corner is exact", name);
        zc_pack_close(pack);
    }
}

Test(views, mesh_indices_submeshes_and_meshlets) {
    zc_pack *pack = write_and_open(ZC_VALIDATE_FULL);
    zc_mesh_view a = mesh_view(pack, MESH_A);
    cr_assert_eq(a.index_count, 9);
    cr_assert_eq(a.index_size, 2);
    for (uint32_t i = 0; i < 9; ++i) cr_expect_eq(zc_mesh_view_index(&a, i), a_indices[i], "index %u", i);
    cr_expect_eq(zc_mesh_view_index(&a, 9), 0, "an index past the end reads 0");
    cr_expect(a.aabb_min[1] == -2.0f && a.aabb_max[2] == 4.0f && a.sphere_center[0] == 3.0f && a.sphere_radius == 5.5f);
    cr_assert_eq(a.submesh_count, 3);
    cr_expect_eq(a.submeshes[1].index_offset, 3);
    cr_expect_eq(a.submeshes[2].index_count, 3);
    cr_expect_eq(a.meshlet_count, 0);
    cr_expect_null(a.meshlets);

    zc_entry material;
    cr_assert_eq(zc_pack_resolve(pack, a.submeshes[0].material, ZC_TYPE_MATERIAL, &material), ZC_OK);
    cr_expect_str_eq(material.path, MAT_RED);
    zc_material_view mv;
    cr_assert_eq(zc_material_view_from_entry(&material, &mv), ZC_OK);
    cr_expect_str_eq(mv.name, "red");
    zc_entry other;
    cr_expect_eq(zc_pack_resolve(pack, a.submeshes[1].material, ZC_TYPE_MATERIAL, &other), ZC_ERR_NO_ENTRY);
    cr_expect_eq(zc_pack_resolve(pack, a.submeshes[2].material, ZC_TYPE_MATERIAL, &other), ZC_ERR_TYPE_MISMATCH);
    cr_expect_str_eq(other.path, NOTES, "a type mismatch still names the entry found");

    zc_mesh_view b = mesh_view(pack, MESH_B);
    cr_assert_eq(b.index_size, 4);
    for (uint32_t i = 0; i < 6; ++i) cr_expect_eq(zc_mesh_view_index(&b, i), b_indices[i], "index %u", i);
    cr_assert_eq(b.meshlet_count, 1);
    cr_expect(b.meshlets[0].vertex_count == 4 && b.meshlets[0].triangle_count == 2);
    cr_expect_eq(b.meshlet_vertices[3], 3);
    cr_expect_eq(b.meshlet_triangles[5], 3);
    cr_expect_eq(b.submeshes[0].meshlet_count, 1);
    cr_expect_eq(b.submeshes[0].material, 0);
    cr_expect_eq((uintptr_t)b.streams[0].data % 16, 0);
    zc_pack_close(pack);
}

Test(views, resolve) {
    zc_pack *pack = write_and_open(ZC_VALIDATE_TOC);
    zc_entry e;
    cr_expect_eq(zc_pack_resolve(pack, id_of(TEX_BRICK), ZC_TYPE_TEXTURE, &e), ZC_OK);
    cr_expect_str_eq(e.path, TEX_BRICK);
    cr_expect_eq(zc_pack_resolve(pack, id_of(NOTES), 0, &e), ZC_OK, "type 0 accepts any type");
    cr_expect_eq(e.type, ZC_TYPE_BLOB);
    cr_expect_eq(zc_pack_resolve(pack, id_of(NOTES), ZC_TYPE_MESH, &e), ZC_ERR_TYPE_MISMATCH);
    cr_expect_eq(zc_pack_resolve(pack, id_of(MISSING), 0, &e), ZC_ERR_NO_ENTRY);
    cr_expect_eq(zc_pack_resolve(pack, 0, 0, &e), ZC_ERR_NO_ENTRY, "id 0 means none");
    cr_expect_eq(zc_pack_resolve(NULL, id_of(NOTES), 0, &e), ZC_ERR_INVALID_ARGUMENT);
    cr_expect_eq(zc_pack_resolve(pack, id_of(NOTES), 0, NULL), ZC_ERR_INVALID_ARGUMENT);
    zc_pack_close(pack);
}

/* ---------------------------------------------------------------------------------
 * Materials
 * ------------------------------------------------------------------------------- */

Test(views, material_fields_and_textures) {
    zc_pack *pack = write_and_open(ZC_VALIDATE_FULL);
    zc_entry e = find(pack, MAT_RED);
    zc_material_view m;
    cr_assert_eq(zc_material_view_from_entry(&e, &m), ZC_OK);
    cr_expect_str_eq(m.name, "red");
    cr_expect_eq(m.name_length, 3);
    cr_expect_eq(m.alpha_mode, ZC_ALPHA_MASK);
    cr_expect_eq(m.flags, ZC_MATERIAL_DOUBLE_SIDED | ZC_MATERIAL_UNLIT);
    cr_expect_eq(m.alpha_cutoff, 0.25f);
    cr_expect(m.base_color_factor[0] == 1.0f && m.base_color_factor[1] == 0.5f && m.base_color_factor[2] == 0.25f &&
              m.base_color_factor[3] == 0.75f);
    cr_expect(m.emissive_factor[0] == 2.0f && m.emissive_factor[1] == 0.0f && m.emissive_factor[2] == 0.5f);
    cr_expect(m.metallic_factor == 0.125f && m.roughness_factor == 0.875f);
    cr_expect(m.normal_scale == -1.5f && m.occlusion_strength == 0.625f);
    cr_expect_eq(m.textures[ZC_MATERIAL_SLOT_METALLIC_ROUGHNESS].texture, 0);
    cr_expect_eq(m.textures[ZC_MATERIAL_SLOT_OCCLUSION].texture, 0);
    cr_expect_eq(m.textures[ZC_MATERIAL_SLOT_NORMAL].texcoord, 1);
    cr_expect_eq(m.textures[ZC_MATERIAL_SLOT_BASE_COLOR].texcoord, 0);

    zc_entry tex;
    cr_assert_eq(zc_pack_resolve(pack, m.textures[ZC_MATERIAL_SLOT_BASE_COLOR].texture, ZC_TYPE_TEXTURE, &tex), ZC_OK);
    zc_texture_view tv;
    cr_assert_eq(zc_texture_view_from_entry(&tex, &tv), ZC_OK);
    cr_expect(tv.width == 2 && tv.height == 2 && tv.format == ZC_PIXEL_RGBA8_UNORM);
    cr_expect_eq(zc_pack_resolve(pack, m.textures[ZC_MATERIAL_SLOT_EMISSIVE].texture, ZC_TYPE_TEXTURE, &tex),
                 ZC_ERR_TYPE_MISMATCH);
    zc_pack_close(pack);
}

/* A texture payload in memory gives the same view as the entry it was written to,
 * with level pointers into the caller's bytes; a misaligned or damaged payload is
 * refused. */
Test(views, texture_from_bytes) {
    zct_payload p;
    build_texture(&p);
    zc_texture_view from_bytes, from_entry;
    cr_assert_eq(zc_texture_view_from_bytes(p.bytes, p.size, &from_bytes), ZC_OK);
    zc_pack *pack = write_and_open(ZC_VALIDATE_TOC);
    zc_entry e = find(pack, TEX_BRICK);
    cr_assert_eq(zc_texture_view_from_entry(&e, &from_entry), ZC_OK);
    cr_expect(from_bytes.width == from_entry.width && from_bytes.height == from_entry.height &&
              from_bytes.format == from_entry.format && from_bytes.mip_count == from_entry.mip_count);
    zc_texture_level_view a, b;
    cr_assert_eq(zc_texture_view_level(&from_bytes, 0, 0, &a), ZC_OK);
    cr_assert_eq(zc_texture_view_level(&from_entry, 0, 0, &b), ZC_OK);
    cr_expect((const uint8_t *)a.data >= p.bytes && (const uint8_t *)a.data + a.size <= p.bytes + p.size);
    cr_expect(a.size == b.size && memcmp(a.data, b.data, a.size) == 0);
    cr_expect_eq(zc_texture_view_from_bytes(p.bytes + 1, p.size - 1, &from_bytes), ZC_ERR_INVALID_ARGUMENT);
    cr_expect_eq(zc_texture_view_from_bytes(p.bytes, 16, &from_bytes), ZC_ERR_BAD_ENTRY);
    zc_pack_close(pack);
    zct_payload_free(&p);
}

/* ---------------------------------------------------------------------------------
 * Scenes
 * ------------------------------------------------------------------------------- */

static zc_scene_view scene_view(const zc_pack *pack) {
    zc_entry e = find(pack, SCENE);
    zc_scene_view view;
    cr_assert_eq(zc_scene_view_from_entry(&e, &view), ZC_OK);
    return view;
}

Test(views, scene_names_lookup_and_references) {
    zc_pack *pack = write_and_open(ZC_VALIDATE_FULL);
    zc_scene_view s = scene_view(pack);
    cr_assert_eq(s.node_count, SCENE_NODES);
    for (uint32_t i = 0; i < SCENE_NODES; ++i) {
        uint32_t length = 99;
        const char *name = zc_scene_view_node_name(&s, i, &length);
        cr_expect_str_eq(name, scene_names[i], "node %u", i);
        cr_expect_eq(length, strlen(scene_names[i]), "node %u name length", i);
    }
    uint32_t length = 99;
    cr_expect_str_eq(zc_scene_view_node_name(&s, SCENE_NODES, &length), "");
    cr_expect_eq(length, 0);
    cr_expect_eq(zc_scene_view_find_node(&s, "root"), 0);
    cr_expect_eq(zc_scene_view_find_node(&s, "hand"), 2);
    cr_expect_eq(zc_scene_view_find_node(&s, "andr\xc3\xa4"), 3);
    cr_expect_eq(zc_scene_view_find_node(&s, "arm"), 1, "a repeated name finds its lowest node");
    cr_expect_eq(zc_scene_view_find_node(&s, ""), 5, "the empty name finds the unnamed node");
    cr_expect_eq(zc_scene_view_find_node(&s, "ar"), -1, "a prefix is not a match");
    cr_expect_eq(zc_scene_view_find_node(&s, "arms"), -1);
    cr_expect_eq(zc_scene_view_find_node(&s, "andra"), -1);
    cr_expect_eq(zc_scene_view_find_node(&s, NULL), -1);
    cr_expect_eq(zc_scene_view_find_node(NULL, "root"), -1);

    cr_expect_eq(s.nodes[3].camera, 0);
    cr_expect_eq(s.nodes[2].light, 0);
    cr_assert_eq(s.camera_count, 1);
    cr_expect(memcmp(&s.cameras[0], &scene_camera, sizeof scene_camera) == 0, "the camera is stored as written");
    cr_assert_eq(s.light_count, 1);
    cr_expect(memcmp(&s.lights[0], &scene_light, sizeof scene_light) == 0, "the light is stored as written");

    cr_assert_eq(s.mesh_count, 3);
    const zc_scene_node *arm = &s.nodes[1];
    cr_assert_eq(arm->mesh_count, 2);
    zc_entry e;
    cr_assert_eq(zc_pack_resolve(pack, s.meshes[arm->mesh_first].mesh, ZC_TYPE_MESH, &e), ZC_OK);
    cr_expect_str_eq(e.path, MESH_A);
    cr_assert_eq(zc_pack_resolve(pack, s.meshes[arm->mesh_first + 1].mesh, ZC_TYPE_MESH, &e), ZC_OK);
    cr_expect_str_eq(e.path, MESH_B);
    cr_assert_eq(zc_pack_resolve(pack, s.meshes[arm->mesh_first + 1].material, ZC_TYPE_MATERIAL, &e), ZC_OK);
    cr_expect_str_eq(e.path, MAT_RED);
    cr_expect_eq(zc_pack_resolve(pack, s.meshes[arm->mesh_first].mesh, ZC_TYPE_MATERIAL, &e), ZC_ERR_TYPE_MISMATCH);
    zc_pack_close(pack);
}

Test(views, world_transforms) {
    /* Hand-computed, column-major (four columns of four). */
    static const float expected[SCENE_NODES][16] = {
        /* root = T(1,2,3) Rz(90) S(2): x -> 2y, y -> -2x, z -> 2z */
        { 0, 2, 0, 0, -2, 0, 0, 0, 0, 0, 2, 0, 1, 2, 3, 1 },
        /* arm = root * T(1,0,0) S(1,3,1) */
        { 0, 2, 0, 0, -6, 0, 0, 0, 0, 0, 2, 0, 1, 4, 3, 1 },
        /* hand = arm * T(0,1,0) Rx(90) S(1,1,0.5) */
        { 0, 2, 0, 0, 0, 0, 2, 0, 3, 0, 0, 0, -5, 4, 3, 1 },
        /* andrä = T(0,0,-5) */
        { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, -5, 1 },
        /* second arm = andrä * T(0,0,1) Ry(180) */
        { -1, 0, 0, 0, 0, 1, 0, 0, 0, 0, -1, 0, 0, 0, -4, 1 },
        /* unnamed = second arm * T(1,0,0) S(-1,1,1) */
        { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, -1, 0, -1, 0, -4, 1 },
    };
    zc_pack *pack = write_and_open(ZC_VALIDATE_TOC);
    zc_scene_view s = scene_view(pack);
    float world[SCENE_NODES][16];
    memset(world, 0xFF, sizeof world);
    zc_scene_view_world_transforms(&s, world);
    for (int i = 0; i < SCENE_NODES; ++i)
        for (int k = 0; k < 16; ++k)
            cr_expect(fabsf(world[i][k] - expected[i][k]) <= 1e-5f, "node %d (%s) element [%d][%d]: %g, expected %g",
                      i, scene_names[i], k / 4, k % 4, (double)world[i][k], (double)expected[i][k]);
    zc_scene_view_world_transforms(NULL, world);
    zc_scene_view_world_transforms(&s, NULL);
    zc_pack_close(pack);
}

/* ---------------------------------------------------------------------------------
 * Contract: types, layouts, codecs, payloads in memory
 * ------------------------------------------------------------------------------- */

Test(views, wrong_type_layout_codec_and_arguments) {
    zc_pack *pack = write_and_open(ZC_VALIDATE_TOC);
    zc_entry mat = find(pack, MAT_RED), mesh = find(pack, MESH_A), scene = find(pack, SCENE);
    zc_mesh_view mv;
    zc_material_view tv;
    zc_scene_view sv;
    cr_expect_eq(zc_mesh_view_from_entry(&mat, &mv), ZC_ERR_TYPE_MISMATCH);
    cr_expect_eq(mv.vertex_count, 0, "a failed call leaves a zeroed view");
    cr_expect_eq(zc_material_view_from_entry(&scene, &tv), ZC_ERR_TYPE_MISMATCH);
    cr_expect_str_eq(tv.name, "", "a failed material view still has a name to print");
    cr_expect_eq(zc_scene_view_from_entry(&mesh, &sv), ZC_ERR_TYPE_MISMATCH);
    cr_expect_null(sv.nodes);

    zc_entry other = mesh;
    other.layout_hash ^= 1;
    cr_expect_eq(zc_mesh_view_from_entry(&other, &mv), ZC_ERR_LAYOUT_MISMATCH);
    other = mesh;
    other.codec = ZC_CODEC_ZSTD;
    cr_expect_eq(zc_mesh_view_from_entry(&other, &mv), ZC_ERR_UNSUPPORTED_CODEC);

    cr_expect_eq(zc_mesh_view_from_entry(NULL, &mv), ZC_ERR_INVALID_ARGUMENT);
    cr_expect_eq(zc_mesh_view_from_entry(&mesh, NULL), ZC_ERR_INVALID_ARGUMENT);
    cr_expect_eq(zc_material_view_from_bytes(NULL, 0, &tv), ZC_ERR_INVALID_ARGUMENT);
    cr_expect_eq(zc_scene_view_from_bytes(scene.data, scene.raw_size, NULL), ZC_ERR_INVALID_ARGUMENT);

    /* From bytes: the same view as from the entry; a misaligned copy is refused. */
    zc_mesh_view from_entry = mesh_view(pack, MESH_A), from_bytes;
    uint8_t *copy = zct_aligned_copy(mesh.data, (size_t)mesh.raw_size + 1, 16);
    cr_assert_eq(zc_mesh_view_from_bytes(copy, mesh.raw_size, &from_bytes), ZC_OK);
    cr_expect_eq(from_bytes.vertex_count, from_entry.vertex_count);
    cr_expect_eq(memcmp(from_bytes.streams[1].data, from_entry.streams[1].data, A_VERTICES * A_STRIDE1), 0);
    cr_expect_eq((const uint8_t *)from_bytes.indices - copy,
                 (const uint8_t *)from_entry.indices - (const uint8_t *)mesh.data);
    memmove(copy + 1, copy, (size_t)mesh.raw_size);
    cr_expect_eq(zc_mesh_view_from_bytes(copy + 1, mesh.raw_size, &from_bytes), ZC_ERR_INVALID_ARGUMENT);
    free(copy);
    cr_expect_eq(zc_mesh_view_from_bytes(mesh.data, mesh.raw_size - 1, &from_bytes), ZC_ERR_BAD_POINTER,
                 "one byte short, the index buffer runs past the end");
    zc_pack_close(pack);
}

/* ---------------------------------------------------------------------------------
 * Damaged entries: refused at open (FULL) and by the view calls (TOC)
 * ------------------------------------------------------------------------------- */

/* The elements of an array of a payload being damaged. */
static void *mutable_array(const zc_array *field) { return (void *)(uintptr_t)zc_array_data(field); }

static void damage_index_range(zct_payload *p) {
    zc_mesh *m = ZCT_AT(p, zc_mesh, 0);
    ((uint16_t *)mutable_array(&m->indices))[4] = A_VERTICES; /* == vertex_count */
}

static void damage_stream_past_end(zct_payload *p) {
    zc_mesh *m = ZCT_AT(p, zc_mesh, 0);
    zc_vertex_stream *s = (zc_vertex_stream *)mutable_array(&m->streams);
    size_t field = (size_t)((uint8_t *)&s[1].data - p->bytes);
    size_t target = (p->size - 1) / 16 * 16; /* starts inside, 16-aligned, runs past the end */
    s[1].data.offset = (int64_t)target - (int64_t)field;
}

static void damage_vertex_format(zct_payload *p) {
    zc_mesh *m = ZCT_AT(p, zc_mesh, 0);
    ((zc_vertex_attribute *)mutable_array(&m->attributes))[3].format = ZC__VERTEX_FORMAT_COUNT;
}

static void damage_alpha_mode(zct_payload *p) { ZCT_AT(p, zc_material, 0)->alpha_mode = ZC__ALPHA_COUNT; }

static void damage_material_name(zct_payload *p) {
    zc_material *m = ZCT_AT(p, zc_material, 0);
    memcpy((char *)(uintptr_t)zc_string_data(&m->name), "\xc0\xaf!", 3); /* an overlong '/' */
}

static zc_scene_node *nodes_of(zct_payload *p) {
    return (zc_scene_node *)mutable_array(&ZCT_AT(p, zc_scene, 0)->nodes);
}

static void damage_parent_cycle(zct_payload *p) {
    nodes_of(p)[1].parent = 2; /* 1 -> 2 -> 1 */
}

static void damage_parent_self(zct_payload *p) { nodes_of(p)[0].parent = 0; }

static void damage_parent_not_on_path(zct_payload *p) {
    nodes_of(p)[4].parent = 1; /* earlier, but under another root: not pre-order */
}

static void damage_light_type(zct_payload *p) {
    zc_light *l = (zc_light *)mutable_array(&ZCT_AT(p, zc_scene, 0)->lights);
    l[0].type = ZC__LIGHT_COUNT;
}

static void damage_node_name(zct_payload *p) {
    memcpy((char *)(uintptr_t)zc_string_data(&nodes_of(p)[2].name), "h\xed\xa0\x80", 4); /* a surrogate */
}

typedef struct damage {
    const char *what;
    uint32_t type;
    void (*build)(zct_payload *p);
    void (*apply)(zct_payload *p);
    zc_result expected;
} damage;

static const damage damages[] = {
    { "index >= vertex_count", ZC_TYPE_MESH, build_mesh_a, damage_index_range, ZC_ERR_BAD_ENTRY },
    { "stream data past the entry end", ZC_TYPE_MESH, build_mesh_a, damage_stream_past_end, ZC_ERR_BAD_POINTER },
    { "vertex format out of range", ZC_TYPE_MESH, build_mesh_a, damage_vertex_format, ZC_ERR_BAD_ENTRY },
    { "alpha mode out of range", ZC_TYPE_MATERIAL, build_material_red, damage_alpha_mode, ZC_ERR_BAD_ENTRY },
    { "material name not UTF-8", ZC_TYPE_MATERIAL, build_material_red, damage_material_name, ZC_ERR_BAD_STRING },
    { "parent cycle", ZC_TYPE_SCENE, build_scene, damage_parent_cycle, ZC_ERR_BAD_ENTRY },
    { "node its own parent", ZC_TYPE_SCENE, build_scene, damage_parent_self, ZC_ERR_BAD_ENTRY },
    { "parent not on the path", ZC_TYPE_SCENE, build_scene, damage_parent_not_on_path, ZC_ERR_BAD_ENTRY },
    { "light type out of range", ZC_TYPE_SCENE, build_scene, damage_light_type, ZC_ERR_BAD_ENTRY },
    { "node name not UTF-8", ZC_TYPE_SCENE, build_scene, damage_node_name, ZC_ERR_BAD_STRING },
};

/* The view call of the entry's type. */
static zc_result view_of(const zc_entry *e) {
    zc_mesh_view mesh;
    zc_material_view material;
    zc_scene_view scene;
    switch (e->type) {
    case ZC_TYPE_MESH: return zc_mesh_view_from_entry(e, &mesh);
    case ZC_TYPE_MATERIAL: return zc_material_view_from_entry(e, &material);
    case ZC_TYPE_SCENE: return zc_scene_view_from_entry(e, &scene);
    default: cr_assert_fail("no view for type 0x%08x", e->type);
    }
    return ZC_ERR_INVALID_ARGUMENT;
}

Test(views, damaged_entries_refused) {
    for (size_t i = 0; i < sizeof damages / sizeof damages[0]; ++i) {
        const damage *d = &damages[i];
        zct_payload good_bytes, bad_bytes;
        d->build(&good_bytes);
        d->build(&bad_bytes);
        d->apply(&bad_bytes);
        const zct_typed_entry entries[2] = {
            { "intact", d->type, good_bytes.bytes, good_bytes.size, 0 },
            { "damaged", d->type, bad_bytes.bytes, bad_bytes.size, 0 },
        };
        zc_result r = zct_write_typed_pack(pack_path, entries, 1, 1);
        cr_assert_eq(r, ZC_OK, "%s: the intact entry alone passes the writer's verification: %s", d->what,
                     zc_result_str(r));
        cr_assert_eq(zct_write_typed_pack(pack_path, entries, 2, 0), ZC_OK, "%s: writing", d->what);
        zct_payload_free(&good_bytes);
        zct_payload_free(&bad_bytes);

        zct_log log;
        memset(&log, 0, sizeof log);
        zc_pack *pack = NULL;
        zc_pack_desc full = { .path = pack_path, .validate = ZC_VALIDATE_FULL, .logger = zct_log_recorder(&log) };
        r = zc_pack_open(&pack, &full);
        cr_expect_eq(r, d->expected, "%s: open at FULL gave %s, expected %s", d->what, zc_result_name(r),
                     zc_result_name(d->expected));
        cr_expect_null(pack);
        cr_expect(zct_log_contains(&log, "(damaged)"), "%s: the log names the entry: %s", d->what,
                  log.count ? log.messages[0] : "(nothing)");

        r = zc_pack_open(&pack, &(zc_pack_desc){ .path = pack_path, .validate = ZC_VALIDATE_TOC });
        cr_assert_eq(r, ZC_OK, "%s: open at TOC: %s", d->what, zc_result_str(r));
        zc_entry good = find(pack, "intact"), bad = find(pack, "damaged");
        cr_expect_eq(view_of(&good), ZC_OK, "%s: the intact entry", d->what);
        r = view_of(&bad);
        cr_expect_eq(r, d->expected, "%s: the view gave %s, expected %s", d->what, zc_result_name(r),
                     zc_result_name(d->expected));
        cr_expect_eq(zc_pack_validate(pack, ZC_VALIDATE_FULL), d->expected, "%s: validate", d->what);
        zc_pack_close(pack);
    }
}

/* ---------------------------------------------------------------------------------
 * zcpack dump
 * ------------------------------------------------------------------------------- */

static cJSON *dump(const char *path) {
    zct_run run = ZCT_CLI("dump", pack_path, path);
    cr_assert_eq(run.code, 0, "dump %s: exit %d: %s", path, run.code, run.err);
    cJSON *json = cJSON_Parse(run.out);
    cr_assert_not_null(json, "dump %s printed no JSON: %s", path, run.out);
    zct_run_free(&run);
    return json;
}

static const cJSON *at(const cJSON *o, const char *key) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert_not_null(item, "no key \"%s\"", key);
    return item;
}
static const char *str(const cJSON *o, const char *key) {
    const char *s = cJSON_GetStringValue(at(o, key));
    cr_assert_not_null(s, "\"%s\" is not a string", key);
    return s;
}
static double numv(const cJSON *x) {
    cr_assert(cJSON_IsNumber(x), "%s is not a number", x->string ? x->string : "an element");
    return cJSON_GetNumberValue(x);
}
static double num(const cJSON *o, const char *key) { return numv(at(o, key)); }
static const cJSON *item(const cJSON *array, int i) {
    const cJSON *x = cJSON_GetArrayItem(array, i);
    cr_assert_not_null(x, "no element %d", i);
    return x;
}

Test(views, dump_mesh) {
    zc_pack_close(write_and_open(ZC_VALIDATE_TOC));
    cJSON *j = dump(MESH_A);
    cr_expect_str_eq(str(j, "type"), "mesh");
    cr_expect_eq(num(j, "vertex_count"), A_VERTICES);
    cr_expect_eq(num(j, "index_count"), 9);
    cr_expect_eq(num(j, "index_size"), 2);
    cr_expect_eq(numv(item(at(j, "aabb_min"), 1)), -2.0);
    cr_expect_eq(num(j, "sphere_radius"), 5.5);
    const cJSON *streams = at(j, "streams");
    cr_assert_eq(cJSON_GetArraySize(streams), 2);
    cr_expect_eq(num(item(streams, 1), "stride"), A_STRIDE1);
    cr_expect_eq(num(item(streams, 1), "size"), A_VERTICES * A_STRIDE1);
    const cJSON *attrs = at(j, "attributes");
    cr_assert_eq(cJSON_GetArraySize(attrs), 8);
    cr_expect_str_eq(str(item(attrs, 4), "semantic"), "TEXCOORD1");
    cr_expect_str_eq(str(item(attrs, 4), "format"), "FLOAT16x2");
    cr_expect_eq(num(item(attrs, 4), "stream"), 1);
    cr_expect_eq(num(item(attrs, 4), "offset"), 32);
    const cJSON *subs = at(j, "submeshes");
    cr_assert_eq(cJSON_GetArraySize(subs), 3);
    cr_expect_str_eq(str(item(subs, 0), "material"), MAT_RED, "a material in the pack is shown by path");
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)id_of(MISSING));
    cr_expect_str_eq(str(item(subs, 1), "material"), hex, "a missing material is shown by id");
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)id_of(NOTES));
    cr_expect_str_eq(str(item(subs, 2), "material"), hex, "an entry of another type is shown by id");
    cr_expect_eq(num(item(subs, 2), "index_offset"), 6);
    cr_expect_eq(num(j, "meshlet_count"), 0);
    cJSON_Delete(j);
    j = dump(MESH_B);
    cr_expect_eq(num(j, "meshlet_count"), 1);
    cr_expect(cJSON_IsNull(at(item(at(j, "submeshes"), 0), "material")), "no material is null");
    cJSON_Delete(j);
}

Test(views, dump_material_and_scene) {
    zc_pack_close(write_and_open(ZC_VALIDATE_TOC));
    cJSON *j = dump(MAT_RED);
    cr_expect_str_eq(str(j, "name"), "red");
    cr_expect_str_eq(str(j, "alpha_mode"), "MASK");
    cr_expect_eq(num(j, "alpha_cutoff"), 0.25);
    cr_expect_eq(cJSON_GetArraySize(at(j, "flags")), 2);
    cr_expect_str_eq(cJSON_GetStringValue(item(at(j, "flags"), 1)), "UNLIT");
    cr_expect_eq(numv(item(at(j, "base_color_factor"), 2)), 0.25);
    cr_expect_eq(num(j, "normal_scale"), -1.5);
    const cJSON *textures = at(j, "textures");
    cr_expect_eq(cJSON_GetArraySize(textures), 3, "only the filled slots");
    cr_expect_str_eq(str(at(textures, "BASE_COLOR"), "texture"), TEX_BRICK);
    cr_expect_eq(num(at(textures, "NORMAL"), "texcoord"), 1);
    cr_expect_null(cJSON_GetObjectItemCaseSensitive(textures, "OCCLUSION"));
    cJSON_Delete(j);

    j = dump(SCENE);
    const cJSON *nodes = at(j, "nodes");
    cr_assert_eq(cJSON_GetArraySize(nodes), SCENE_NODES);
    const cJSON *arm = item(nodes, 1);
    cr_expect_str_eq(str(arm, "name"), "arm");
    cr_expect_eq(num(arm, "parent"), 0);
    cr_expect_eq(numv(item(at(arm, "scale"), 1)), 3.0);
    const cJSON *meshes = at(arm, "meshes");
    cr_assert_eq(cJSON_GetArraySize(meshes), 2);
    cr_expect_str_eq(str(item(meshes, 0), "mesh"), MESH_A);
    cr_expect(cJSON_IsNull(at(item(meshes, 0), "material")));
    cr_expect_str_eq(str(item(meshes, 1), "material"), MAT_RED);
    cr_expect_str_eq(str(item(nodes, 3), "name"), "andr\xc3\xa4");
    cr_expect_eq(num(item(nodes, 3), "camera"), 0);
    cr_expect_eq(num(item(nodes, 3), "light"), -1);
    cr_expect_eq((float)numv(item(at(item(nodes, 0), "rotation"), 2)), S2, "a float prints as the same float");
    const cJSON *camera = item(at(j, "cameras"), 0);
    cr_expect_str_eq(str(camera, "type"), "PERSPECTIVE");
    cr_expect_eq(num(camera, "yfov"), 0.875);
    const cJSON *light = item(at(j, "lights"), 0);
    cr_expect_str_eq(str(light, "type"), "SPOT");
    cr_expect_eq(num(light, "outer_cone"), 0.75);
    cJSON_Delete(j);
}

Test(views, dump_damaged_entry) {
    zct_payload p;
    build_scene(&p);
    damage_parent_cycle(&p);
    zct_typed_entry e = { SCENE, ZC_TYPE_SCENE, p.bytes, p.size, 0 };
    cr_assert_eq(zct_write_typed_pack(pack_path, &e, 1, 0), ZC_OK);
    zct_payload_free(&p);
    zct_run run = ZCT_CLI("dump", pack_path, SCENE);
    cr_expect_eq(run.code, 4, "a damaged entry exits 4, got %d", run.code);
    cr_expect(strstr(run.err, SCENE) && strstr(run.err, "parent"), "the message names the entry and the problem: %s",
              run.err);
    zct_run_free(&run);
}
