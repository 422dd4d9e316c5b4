/* test_scene_format.c - the scene entry layout (formats/zc_scene.h) alone: hand-built
 * scenes pass zc_scene_check, each rule broken on its own gives its error code (parent
 * cycles, pre-order, depth, names, transforms, references, the name index), every
 * truncation and single-byte damage is handled without a stray read, lookup by name
 * finds every node and misses absent names, and the layout hash matches.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_scene.h"
#include "zc_types.h"

/* A scene built in a malloc'd buffer:
 *   zc_scene | nodes | name index | mesh instances | cameras | lights | names
 * Arrays at multiples of 8, names packed at the end with their NULs, nothing after the
 * last NUL. */
typedef struct scene_buf {
    uint8_t *bytes;
    size_t size;
    zc_scene *s;
    zc_scene_node *nodes;
    zc_scene_name *index;
    zc_scene_mesh *meshes;
    zc_camera *cameras;
    zc_light *lights;
} scene_buf;

static void link(uint8_t *base, zc_array *field, size_t target, uint64_t count) {
    field->offset = count ? (int64_t)target - (int64_t)((uint8_t *)field - base) : 0;
    field->count = count;
}

static const zc_scene_node *sort_nodes; /* qsort context */

static int name_key_cmp(const void *a, const void *b) {
    const zc_scene_name *x = (const zc_scene_name *)a, *y = (const zc_scene_name *)b;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    const zc_string *xs = &sort_nodes[x->node].name, *ys = &sort_nodes[y->node].name;
    int c = zc__name_cmp(zc_string_data(xs), xs->length, zc_string_data(ys), ys->length);
    if (c != 0) return c;
    return x->node < y->node ? -1 : x->node > y->node;
}

/* n nodes with the given parents and names, identity transforms, and (extras) 2 mesh
 * instances, 1 camera and 1 light, none attached to nodes. */
static void build_scene(scene_buf *b, uint32_t n, const int32_t *parents, const char *const *names, int extras) {
    uint32_t n_mesh = extras ? 2 : 0, n_cam = extras ? 1 : 0, n_light = extras ? 1 : 0;
    size_t at_nodes = sizeof(zc_scene);
    size_t at_index = at_nodes + n * sizeof(zc_scene_node);
    size_t at_meshes = at_index + n * sizeof(zc_scene_name);
    size_t at_cameras = at_meshes + n_mesh * sizeof(zc_scene_mesh);
    size_t at_lights = at_cameras + n_cam * sizeof(zc_camera);
    size_t at_names = at_lights + n_light * sizeof(zc_light);
    size_t names_size = 0;
    for (uint32_t i = 0; i < n; ++i) names_size += names[i][0] ? strlen(names[i]) + 1 : 0;
    b->size = at_names + names_size;
    b->bytes = calloc(1, b->size + 16);
    cr_assert_not_null(b->bytes);
    b->s = (zc_scene *)b->bytes;
    b->nodes = (zc_scene_node *)(b->bytes + at_nodes);
    b->index = (zc_scene_name *)(b->bytes + at_index);
    b->meshes = (zc_scene_mesh *)(b->bytes + at_meshes);
    b->cameras = (zc_camera *)(b->bytes + at_cameras);
    b->lights = (zc_light *)(b->bytes + at_lights);
    b->s->struct_size = sizeof(zc_scene);
    link(b->bytes, &b->s->nodes, at_nodes, n);
    link(b->bytes, &b->s->name_index, at_index, n);
    link(b->bytes, &b->s->meshes, at_meshes, n_mesh);
    link(b->bytes, &b->s->cameras, at_cameras, n_cam);
    link(b->bytes, &b->s->lights, at_lights, n_light);
    size_t at = at_names;
    for (uint32_t i = 0; i < n; ++i) {
        zc_scene_node *node = &b->nodes[i];
        node->parent = parents[i];
        node->rotation[3] = 1.0f;
        node->scale[0] = node->scale[1] = node->scale[2] = 1.0f;
        node->camera = node->light = -1;
        size_t len = strlen(names[i]);
        if (len) {
            memcpy(b->bytes + at, names[i], len + 1);
            node->name.offset = (int64_t)at - (int64_t)((uint8_t *)&node->name - b->bytes);
            node->name.length = len;
            at += len + 1;
        }
        b->index[i].node = i;
        b->index[i].hash = zc_name_hash(names[i], len);
    }
    sort_nodes = b->nodes;
    qsort(b->index, n, sizeof *b->index, name_key_cmp);
    if (extras) {
        b->meshes[0] = (zc_scene_mesh){ UINT64_C(0xAAAA), 0 };
        b->meshes[1] = (zc_scene_mesh){ UINT64_C(0xBBBB), UINT64_C(0xCCCC) };
        b->cameras[0] = (zc_camera){ ZC_CAMERA_PERSPECTIVE, 1.5f, 0.8f, 0, 0, 0.1f, 100.0f, 0 };
        b->lights[0] = (zc_light){ ZC_LIGHT_SPOT, { 1.0f, 0.9f, 0.8f }, 50.0f, 20.0f, 0.3f, 0.6f };
    }
}

/* The 4-node fixture:  0 root -> 1 body (2 meshes), 2 camera (camera 0) -> 3 lamp (light 0) */
static const int32_t four_parents[4] = { -1, 0, 0, 2 };
static const char *const four_names[4] = { "root", "body", "camera", "lamp" };

static void make_four(scene_buf *b) {
    build_scene(b, 4, four_parents, four_names, 1);
    b->nodes[1].mesh_first = 0;
    b->nodes[1].mesh_count = 2;
    b->nodes[1].translation[1] = 2.5f;
    b->nodes[2].camera = 0;
    const float r[4] = { 0.0f, 0.70710678f, 0.0f, 0.70710678f };
    memcpy(b->nodes[2].rotation, r, sizeof r);
    b->nodes[3].light = 0;
    b->nodes[3].scale[0] = -1.0f; /* mirrored */
}

static void expect(scene_buf *b, zc_result code, const char *what) {
    zc_diag diag = { { 0 } };
    zc_result r = zc_scene_check(b->bytes, b->size, &diag);
    cr_expect_eq(r, code, "%s: got %s (%s), expected %s", what, zc_result_name(r), diag.message,
                 zc_result_name(code));
    if (code != ZC_OK) cr_expect_neq(diag.message[0], 0, "%s: no diagnostic", what);
}

#define BROKEN(code, ...)                                                                   \
    do {                                                                                    \
        scene_buf b_;                                                                       \
        scene_buf *b = &b_;                                                                 \
        make_four(b);                                                                       \
        zc_scene *s = b->s;                                                                 \
        zc_scene_node *nd = b->nodes;                                                       \
        (void)s;                                                                            \
        (void)nd;                                                                           \
        __VA_ARGS__;                                                                        \
        expect(b, code, #__VA_ARGS__);                                                      \
        free(b->bytes);                                                                     \
    } while (0)

TestSuite(scene_format);

Test(scene_format, layout_hash_and_registry) {
    cr_assert_eq(zc_layout_hash(ZC_SCENE_LAYOUT_DESC), ZC_SCENE_LAYOUT_HASH);
    cr_assert_eq(ZC_TYPE_SCENE, ZC_FOURCC('S', 'C', 'E', 'N'));
    cr_assert_str_eq(zc_type_name(ZC_TYPE_SCENE), "scene");
    scene_buf b;
    make_four(&b);
    cr_assert_eq(zc_check_payload(ZC_TYPE_SCENE, ZC_SCENE_LAYOUT_HASH, b.bytes, b.size, NULL), ZC_OK);
    cr_assert_eq(zc_check_payload(ZC_TYPE_SCENE, ZC_SCENE_LAYOUT_HASH + 1, b.bytes, b.size, NULL),
                 ZC_ERR_LAYOUT_MISMATCH);
    free(b.bytes);
}

Test(scene_format, enums_and_hash) {
    cr_assert_eq(ZC_CAMERA_PERSPECTIVE, 1);
    cr_assert_eq(ZC_CAMERA_ORTHOGRAPHIC, 2);
    cr_assert_eq(ZC_LIGHT_DIRECTIONAL, 1);
    cr_assert_eq(ZC_LIGHT_SPOT, 3);
    cr_assert_str_eq(zc_camera_type_name(ZC_CAMERA_ORTHOGRAPHIC), "ORTHOGRAPHIC");
    cr_assert_null(zc_camera_type_name(0));
    cr_assert_str_eq(zc_light_type_name(ZC_LIGHT_POINT), "POINT");
    cr_assert_null(zc_light_type_name(ZC__LIGHT_COUNT));
    /* FNV-1a 32 reference values, and agreement with the layout hash on strings */
    cr_assert_eq(zc_name_hash(NULL, 0), 0x811c9dc5u);
    cr_assert_eq(zc_name_hash("a", 1), 0xe40c292cu);
    cr_assert_eq(zc_name_hash("foobar", 6), 0xbf9cf968u);
    cr_assert_eq(zc_name_hash("root", 4), zc_layout_hash("root"));
}

Test(scene_format, valid) {
    scene_buf b;
    make_four(&b);
    expect(&b, ZC_OK, "four nodes");
    free(b.bytes);
    BROKEN(ZC_OK, s->struct_size = 104);                                     /* larger writer header */
    BROKEN(ZC_OK, nd[3].parent = 0);                                         /* sibling of 1 and 2 */
    BROKEN(ZC_OK, nd[3].parent = -1);                                        /* a second root */
    BROKEN(ZC_OK, nd[1].mesh_first = 1; nd[1].mesh_count = 1; nd[3].mesh_first = 0; nd[3].mesh_count = 2);
    BROKEN(ZC_OK, nd[0].camera = 0; nd[1].light = 0);                         /* shared references */
    BROKEN(ZC_OK, nd[1].rotation[3] = 1.0004f);                               /* within tolerance */
    BROKEN(ZC_OK, nd[1].scale[1] = 0.0f);
    BROKEN(ZC_OK, b->cameras[0] = (zc_camera){ ZC_CAMERA_PERSPECTIVE, 0, 1.0f, 0, 0, 0.01f, 0, 0 }); /* infinite far */
    BROKEN(ZC_OK, b->cameras[0] = (zc_camera){ ZC_CAMERA_ORTHOGRAPHIC, 0, 0, 2.0f, 1.0f, 0.0f, 10.0f, 0 });
    BROKEN(ZC_OK, b->lights[0] = (zc_light){ ZC_LIGHT_DIRECTIONAL, { 1, 1, 1 }, 3.0f, 0, 0, 0 });
    BROKEN(ZC_OK, b->lights[0] = (zc_light){ ZC_LIGHT_POINT, { 2, 0, 0 }, 0.0f, 0, 0, 0 });
}

Test(scene_format, empty_scene) {
    scene_buf b;
    build_scene(&b, 0, NULL, NULL, 0);
    expect(&b, ZC_OK, "no nodes");
    cr_assert_eq(zc_scene_find_node(b.s, "root", 4), -1);
    cr_assert_eq(zc_scene_find_node(b.s, NULL, 0), -1);
    free(b.bytes);
}

Test(scene_format, header_and_arrays) {
    BROKEN(ZC_ERR_BAD_ENTRY, b->size = 95);
    BROKEN(ZC_ERR_BAD_ENTRY, s->struct_size = 88);
    BROKEN(ZC_ERR_BAD_ENTRY, s->struct_size = 100);
    BROKEN(ZC_ERR_BAD_ENTRY, s->struct_size = 4096);
    BROKEN(ZC_ERR_BAD_ENTRY, s->flags = 1);
    BROKEN(ZC_ERR_BAD_ENTRY, s->reserved = 1);
    BROKEN(ZC_ERR_BAD_ALIGNMENT, s->nodes.offset += 4);
    BROKEN(ZC_ERR_BAD_POINTER, s->nodes.offset += 600);
    BROKEN(ZC_ERR_BAD_POINTER, s->nodes.count = 7);
    BROKEN(ZC_ERR_BAD_POINTER, s->nodes.offset = -16);           /* before the entry */
    BROKEN(ZC_ERR_LIMIT, s->nodes.count = ZC_SCENE_MAX_NODES + 1);
    BROKEN(ZC_ERR_BAD_ENTRY, s->name_index.count = 3);
    BROKEN(ZC_ERR_BAD_ALIGNMENT, s->name_index.offset += 4);
    BROKEN(ZC_ERR_BAD_POINTER, s->name_index.offset = 10000);
    BROKEN(ZC_ERR_BAD_POINTER, s->meshes.count = 20);
    BROKEN(ZC_ERR_LIMIT, s->meshes.count = ZC_SCENE_MAX_MESHES + 1);
    BROKEN(ZC_ERR_BAD_ALIGNMENT, s->cameras.offset -= 4);
    BROKEN(ZC_ERR_LIMIT, s->cameras.count = ZC_SCENE_MAX_CAMERAS + 1);
    BROKEN(ZC_ERR_BAD_POINTER, s->lights.count = 3);
    BROKEN(ZC_ERR_LIMIT, s->lights.count = UINT64_MAX);
    BROKEN(ZC_ERR_BAD_POINTER, s->lights.offset = 0);
}

Test(scene_format, hierarchy) {
    BROKEN(ZC_ERR_BAD_ENTRY, nd[0].parent = 0);                   /* itself */
    BROKEN(ZC_ERR_BAD_ENTRY, nd[0].parent = 3);                   /* cycle 0 -> 3 -> 2 -> 0 */
    BROKEN(ZC_ERR_BAD_ENTRY, nd[1].parent = 2);                   /* later */
    BROKEN(ZC_ERR_BAD_ENTRY, nd[2].parent = -2);
    BROKEN(ZC_ERR_BAD_ENTRY, nd[2].parent = INT32_MIN);
    BROKEN(ZC_ERR_BAD_ENTRY, nd[2].parent = INT32_MAX);
    BROKEN(ZC_ERR_BAD_ENTRY, nd[3].parent = 1);                   /* earlier but off the path: not pre-order */
    BROKEN(ZC_ERR_BAD_ENTRY, nd[1].parent = -1; nd[2].parent = 0); /* 0's subtree split by root 1 */
    BROKEN(ZC_ERR_BAD_ENTRY, nd[1].flags = 1);
    BROKEN(ZC_ERR_BAD_ENTRY, nd[3].reserved = 1);
}

/* A chain of ZC_SCENE_MAX_DEPTH nodes passes, one more is refused; chains of unnamed
 * nodes also exercise equal names in the index. */
Test(scene_format, depth_limit) {
    uint32_t n = ZC_SCENE_MAX_DEPTH + 1;
    int32_t *parents = malloc(n * sizeof *parents);
    const char **names = malloc(n * sizeof *names);
    for (uint32_t i = 0; i < n; ++i) {
        parents[i] = (int32_t)i - 1;
        names[i] = "";
    }
    scene_buf b;
    build_scene(&b, n - 1, parents, names, 0);
    expect(&b, ZC_OK, "chain at the depth limit");
    cr_assert_eq(zc_scene_find_node(b.s, "", 0), 0, "first of the equal names");
    free(b.bytes);
    build_scene(&b, n, parents, names, 0);
    expect(&b, ZC_ERR_LIMIT, "chain one past the depth limit");
    free(b.bytes);
    /* a deep chain then a new root: the path resets */
    parents[n - 1] = -1;
    build_scene(&b, n, parents, names, 0);
    expect(&b, ZC_OK, "chain then a root");
    free(b.bytes);
    free(parents);
    free(names);
}

Test(scene_format, names) {
    BROKEN(ZC_ERR_BAD_STRING, ((uint8_t *)zc_string_data(&nd[1].name))[4] = 'x');   /* NUL replaced */
    BROKEN(ZC_ERR_BAD_STRING, ((uint8_t *)zc_string_data(&nd[2].name))[0] = 0xFF);
    BROKEN(ZC_ERR_BAD_STRING, ((uint8_t *)zc_string_data(&nd[2].name))[1] = 0xED);   /* bad sequence */
    BROKEN(ZC_ERR_BAD_STRING, nd[0].name.offset = 0);
    BROKEN(ZC_ERR_BAD_POINTER, nd[3].name.offset += 2);                              /* NUL past the end */
    BROKEN(ZC_ERR_BAD_POINTER, nd[3].name.offset = -2000);
    BROKEN(ZC_ERR_BAD_POINTER, nd[3].name.length = 900);
    BROKEN(ZC_ERR_LIMIT, nd[3].name.length = ZC_SCENE_MAX_NAME + 1);
}

Test(scene_format, transforms) {
    BROKEN(ZC_ERR_BAD_ENTRY, nd[1].translation[0] = NAN);
    BROKEN(ZC_ERR_BAD_ENTRY, nd[1].translation[2] = INFINITY);
    BROKEN(ZC_ERR_BAD_ENTRY, nd[2].rotation[1] = NAN);
    BROKEN(ZC_ERR_BAD_ENTRY, nd[3].scale[2] = -INFINITY);
    BROKEN(ZC_ERR_BAD_ENTRY, nd[0].rotation[3] = 2.0f);
    BROKEN(ZC_ERR_BAD_ENTRY, nd[0].rotation[3] = 0.0f);
    BROKEN(ZC_ERR_BAD_ENTRY, nd[0].rotation[3] = 0.99f);
    BROKEN(ZC_ERR_BAD_ENTRY, nd[0].rotation[0] = 1e30f);       /* squares overflow float, not double */
}

Test(scene_format, references) {
    BROKEN(ZC_ERR_BAD_ENTRY, nd[2].camera = 1);
    BROKEN(ZC_ERR_BAD_ENTRY, nd[2].camera = -2);
    BROKEN(ZC_ERR_BAD_ENTRY, nd[3].light = 1);
    BROKEN(ZC_ERR_BAD_ENTRY, nd[3].light = INT32_MIN);
    BROKEN(ZC_ERR_BAD_ENTRY, nd[0].camera = 0; s->cameras = (zc_array){ 0, 0 });
    BROKEN(ZC_ERR_BAD_ENTRY, nd[1].mesh_count = 3);
    BROKEN(ZC_ERR_BAD_ENTRY, nd[1].mesh_first = 1);
    BROKEN(ZC_ERR_BAD_ENTRY, nd[1].mesh_first = UINT32_MAX; nd[1].mesh_count = 2);
    BROKEN(ZC_ERR_BAD_ENTRY, nd[0].mesh_first = 2; nd[0].mesh_count = UINT32_MAX);
    BROKEN(ZC_ERR_BAD_ENTRY, b->meshes[1].mesh = 0);
}

Test(scene_format, cameras_and_lights) {
    BROKEN(ZC_ERR_BAD_ENTRY, b->cameras[0].type = 0);
    BROKEN(ZC_ERR_BAD_ENTRY, b->cameras[0].type = 3);
    BROKEN(ZC_ERR_BAD_ENTRY, b->cameras[0].reserved = 1);
    BROKEN(ZC_ERR_BAD_ENTRY, b->cameras[0].yfov = 0.0f);
    BROKEN(ZC_ERR_BAD_ENTRY, b->cameras[0].yfov = 3.2f);
    BROKEN(ZC_ERR_BAD_ENTRY, b->cameras[0].aspect = -1.0f);
    BROKEN(ZC_ERR_BAD_ENTRY, b->cameras[0].aspect = INFINITY);
    BROKEN(ZC_ERR_BAD_ENTRY, b->cameras[0].xmag = 1.0f);          /* orthographic field on a perspective */
    BROKEN(ZC_ERR_BAD_ENTRY, b->cameras[0].znear = 0.0f);
    BROKEN(ZC_ERR_BAD_ENTRY, b->cameras[0].zfar = 0.05f);
    BROKEN(ZC_ERR_BAD_ENTRY, b->cameras[0].zfar = NAN);
    BROKEN(ZC_ERR_BAD_ENTRY, b->cameras[0] = (zc_camera){ ZC_CAMERA_ORTHOGRAPHIC, 0, 0, 0.0f, 1.0f, 0, 10, 0 });
    BROKEN(ZC_ERR_BAD_ENTRY, b->cameras[0] = (zc_camera){ ZC_CAMERA_ORTHOGRAPHIC, 0, 0, 1.0f, 1.0f, 0, 0, 0 });
    BROKEN(ZC_ERR_BAD_ENTRY, b->cameras[0] = (zc_camera){ ZC_CAMERA_ORTHOGRAPHIC, 0, 0.5f, 1.0f, 1.0f, 0, 10, 0 });
    BROKEN(ZC_ERR_BAD_ENTRY, b->cameras[0] = (zc_camera){ ZC_CAMERA_ORTHOGRAPHIC, 0, 0, 1.0f, 1.0f, -1, 10, 0 });
    BROKEN(ZC_ERR_BAD_ENTRY, b->lights[0].type = 0);
    BROKEN(ZC_ERR_BAD_ENTRY, b->lights[0].type = ZC__LIGHT_COUNT);
    BROKEN(ZC_ERR_BAD_ENTRY, b->lights[0].color[1] = -0.5f);
    BROKEN(ZC_ERR_BAD_ENTRY, b->lights[0].color[2] = NAN);
    BROKEN(ZC_ERR_BAD_ENTRY, b->lights[0].intensity = -1.0f);
    BROKEN(ZC_ERR_BAD_ENTRY, b->lights[0].intensity = INFINITY);
    BROKEN(ZC_ERR_BAD_ENTRY, b->lights[0].range = -1.0f);
    BROKEN(ZC_ERR_BAD_ENTRY, b->lights[0].inner_cone = 0.6f);     /* inner == outer */
    BROKEN(ZC_ERR_BAD_ENTRY, b->lights[0].outer_cone = 1.6f);     /* beyond pi / 2 */
    BROKEN(ZC_ERR_BAD_ENTRY, b->lights[0].inner_cone = -0.1f);
    BROKEN(ZC_ERR_BAD_ENTRY, b->lights[0].type = ZC_LIGHT_POINT); /* cone on a point light */
    BROKEN(ZC_ERR_BAD_ENTRY, b->lights[0] = (zc_light){ ZC_LIGHT_DIRECTIONAL, { 1, 1, 1 }, 1, 5.0f, 0, 0 });
}

Test(scene_format, name_index) {
    BROKEN(ZC_ERR_BAD_ENTRY, b->index[2].node = 4);
    BROKEN(ZC_ERR_BAD_ENTRY, b->index[0].node = UINT32_MAX);
    BROKEN(ZC_ERR_BAD_ENTRY, b->index[1].hash ^= 1);
    BROKEN(ZC_ERR_BAD_ENTRY, zc_scene_name t = b->index[1]; b->index[1] = b->index[2]; b->index[2] = t);
    BROKEN(ZC_ERR_BAD_ENTRY, b->index[3] = b->index[2]);          /* a node twice, one missing */
    BROKEN(ZC_ERR_BAD_ENTRY, b->index[0] = b->index[3]);
    /* a renamed node no longer matches the hash stored for it */
    BROKEN(ZC_ERR_BAD_ENTRY, memcpy((char *)zc_string_data(&nd[0].name), "body", 4));
}

/* Equal names: the index orders them by node, lookup returns the first; a hostile index
 * that lists the later one first is refused. */
Test(scene_format, duplicate_names) {
    static const int32_t parents[5] = { -1, 0, 0, 2, -1 };
    static const char *const names[5] = { "a", "b", "a", "", "b" };
    scene_buf b;
    build_scene(&b, 5, parents, names, 0);
    expect(&b, ZC_OK, "duplicate names");
    cr_assert_eq(zc_scene_find_node(b.s, "a", 1), 0);
    cr_assert_eq(zc_scene_find_node(b.s, "b", 1), 1);
    cr_assert_eq(zc_scene_find_node(b.s, "", 0), 3);
    cr_assert_eq(zc_scene_find_node(b.s, NULL, 0), 3);
    cr_assert_eq(zc_scene_find_node(b.s, "c", 1), -1);
    for (uint32_t k = 0; k + 1 < 5; ++k)
        if (b.index[k].node == 0 && b.index[k + 1].node == 2) {
            b.index[k].node = 2;
            b.index[k + 1].node = 0;
            expect(&b, ZC_ERR_BAD_ENTRY, "equal names out of node order");
        }
    free(b.bytes);
}

Test(scene_format, find_node) {
    scene_buf b;
    make_four(&b);
    expect(&b, ZC_OK, "four nodes");
    for (int32_t i = 0; i < 4; ++i)
        cr_assert_eq(zc_scene_find_node(b.s, four_names[i], strlen(four_names[i])), i, "%s", four_names[i]);
    static const char *const absent[] = { "", "roo", "roots", "Root", "lam", "lampp", "camer", "zzz", "body\xC3\xA9" };
    for (size_t k = 0; k < sizeof absent / sizeof absent[0]; ++k)
        cr_assert_eq(zc_scene_find_node(b.s, absent[k], strlen(absent[k])), -1, "%s", absent[k]);
    cr_assert_eq(zc_scene_find_node(b.s, "body and more", 4), 1, "length, not NUL, ends the name");
    free(b.bytes);
}

/* Many nodes with generated names, including shared prefixes: every one is found. */
Test(scene_format, find_node_many) {
    enum { N = 2000 };
    int32_t *parents = malloc(N * sizeof *parents);
    char (*storage)[16] = malloc(N * sizeof *storage);
    const char **names = malloc(N * sizeof *names);
    for (uint32_t i = 0; i < N; ++i) {
        parents[i] = i == 0 ? -1 : (int32_t)(i % 7 == 0 ? 0 : i - 1); /* chains of 7 under the root */
        snprintf(storage[i], sizeof storage[i], "n%u", i * 7919u % 100003u);
        names[i] = storage[i];
    }
    scene_buf b;
    build_scene(&b, N, parents, names, 0);
    expect(&b, ZC_OK, "2000 nodes");
    for (uint32_t i = 0; i < N; ++i)
        cr_assert_eq(zc_scene_find_node(b.s, names[i], strlen(names[i])), (int32_t)i, "%s", names[i]);
    cr_assert_eq(zc_scene_find_node(b.s, "n", 1), -1);
    cr_assert_eq(zc_scene_find_node(b.s, "n100003", 7), -1);
    free(b.bytes);
    free(names);
    free(storage);
    free(parents);
}

Test(scene_format, truncated) {
    scene_buf b;
    make_four(&b);
    for (size_t n = 0; n < b.size; ++n) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, b.bytes, n);
        cr_assert_neq(zc_scene_check(copy, n, NULL), ZC_OK, "cut to %zu bytes accepted", n);
        free(copy);
    }
    free(b.bytes);
}

Test(scene_format, byte_damage) {
    static const uint8_t values[] = { 0x00, 0x01, 0x7F, 0x80, 0xFF };
    scene_buf b;
    make_four(&b);
    uint8_t *copy = malloc(b.size);
    int refused = 0;
    for (size_t at = 0; at < b.size; ++at)
        for (size_t v = 0; v < sizeof values; ++v) {
            memcpy(copy, b.bytes, b.size);
            if (copy[at] == values[v]) continue;
            copy[at] = values[v];
            zc_result r = zc_scene_check(copy, b.size, NULL);
            refused += r != ZC_OK;
            if (r == ZC_OK) /* whatever passed is safe to look up in */
                (void)zc_scene_find_node((const zc_scene *)copy, "lamp", 4);
        }
    free(copy);
    cr_assert_gt(refused, 0);
    free(b.bytes);
}
