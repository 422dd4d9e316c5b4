/* test_sweep.c - exhaustive corruption sweeps over a small real pack.
 *
 * The pack is built by the zcpack CLI from samples/assets (three textures, the demo
 * glTF scene with its meshes, materials and textures, a few text blobs) with a
 * zcpack.json that scales every texture down to 64 texels (the sweep's cost grows
 * with the square of the pack's size) and stores one texture zstd-compressed besides
 * the blobs the default policy compresses. Then:
 *
 *  - every single-bit flip of the whole file is opened from memory at
 *    ZC_VALIDATE_CHECKSUMS, which must refuse each one with a code from the set
 *    expected for the region the bit lies in (header, TOC, an entry's bytes, padding);
 *  - the same flip is opened at ZC_VALIDATE_FULL (structure only), and every file
 *    accepted there is walked completely: every entry held and every byte read, every
 *    typed entry through its view with every level, vertex, index, meshlet, node and
 *    name touched, every asset id it holds resolved. Pointers the views hand out are
 *    asserted to lie inside their entry, and the image is an exactly-sized heap block,
 *    so under the sanitizers a read outside it is reported;
 *  - every truncation length is opened at both levels (from an exactly-sized copy) and
 *    must be refused as ZC_ERR_TRUNCATED.
 *
 * Every flip is refused at CHECKSUMS except one kind, which the test proves harmless:
 * a compressed entry's content hash covers its raw bytes, not its zstd frame, and a
 * frame has bits that do not change what it decodes to (the frame header's
 * Unused_bit, the reserved bits of Symbol_Compression_Modes, the unused high bits of
 * the last byte of an FSE or Huffman table description, and entropy-coded values such
 * as a match offset that points at an identical earlier run). For each such flip the
 * test decodes the entry and requires exactly the intact raw bytes; they are about 1 %
 * of a frame's bits (formats/SPEC.md, section 9, notes). Padding between payloads is
 * covered by step E5 (ZC_ERR_BAD_PADDING), which this sweep made necessary: before it,
 * every padding flip was accepted.
 *
 * Distributions of result codes per region are printed on stderr. The release run
 * flips every bit (about 290 000 flips of a 36 KiB pack). Under the sanitizers
 * (ZC_SANITIZE_RUN set) every 7th bit is flipped: since 7 and 8 are coprime that
 * still flips at least one bit of every byte of the file (about 41 000 flips), and
 * every 7th truncation length is tried; ZC_SWEEP_STRIDE=<n> chooses another stride.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zc_pack.h"
#include "zc_test_util.h"

static uint8_t *image;          /* the intact pack, 4096-aligned, exactly image_size bytes */
static size_t image_size;

/* ---------------------------------------------------------------------------------
 * The pack
 * ------------------------------------------------------------------------------- */

static const char *const tree_files[] = {
    "config/game.json", "levels/level01.txt", "scene/demo.bin", "scene/demo.gltf", "shaders/sky.glsl",
    "text/strings_en.csv", "textures/bricks.png", "textures/bricks_n.png", "textures/leaves.png",
};

/* One texture compressed on top of the default policy (blobs, materials and the scene
 * are compressed by default; textures and meshes stay raw). */
static const char manifest[] = "{ \"rules\": [ { \"match\": \"*\", \"max_size\": 64 },\n"
                               "  { \"match\": \"textures/bricks.png\", \"compress\": true } ] }\n";

static void setup(void) {
    zct_tmp_setup();
    char *root = zct_join(zct_tmp, "assets");
    for (size_t i = 0; i < sizeof tree_files / sizeof tree_files[0]; ++i) {
        char rel[256];
        snprintf(rel, sizeof rel, "samples/assets/%s", tree_files[i]);
        size_t size;
        uint8_t *bytes = zct_read_source(rel, &size);
        char *dst = zct_join(root, tree_files[i]);
        zct_write_file(dst, bytes, size);
        free(dst);
        free(bytes);
    }
    char *manifest_path = zct_join(root, "zcpack.json");
    zct_write_file(manifest_path, manifest, sizeof manifest - 1);
    char *pack_path = zct_join(zct_tmp, "sweep.zcpack");
    char *err_path = zct_join(zct_tmp, "build.stderr");
    const char *argv[] = { "build", root, "-o", pack_path, "-q", "-j", "2", NULL };
    int code = zct_run_cli(zct_tmp, NULL, err_path, argv);
    if (code != 0) {
        uint8_t *err = zct_read_file(err_path, NULL);
        cr_assert_fail("zcpack build exited with %d: %s", code, err ? (const char *)err : "");
    }
    size_t size;
    uint8_t *plain = zct_read_file(pack_path, &size);
    cr_assert_not_null(plain);
    void *p = NULL;
    cr_assert_eq(posix_memalign(&p, 4096, size), 0);
    memcpy(p, plain, size);
    image = p;
    image_size = size;
    free(plain);
    free(err_path);
    free(pack_path);
    free(manifest_path);
    free(root);
}

static void teardown(void) {
    free(image);
    zct_tmp_teardown();
}

TestSuite(sweep, .init = setup, .fini = teardown, .timeout = 600);

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static zc_result open_memory(const uint8_t *bytes, size_t size, zc_validate level, zc_pack **out) {
    *out = NULL;
    zc_result r = zc_pack_open(out, &(zc_pack_desc){ .memory = bytes, .memory_size = size, .validate = level });
    if (r != ZC_OK) cr_assert_null(*out);
    return r;
}

/* ---------------------------------------------------------------------------------
 * The walk: everything an engine could read from a pack validated at FULL
 * ------------------------------------------------------------------------------- */

typedef struct walker {
    zc_pack *pack;
    const uint8_t *image;
    size_t size;
    long flip;                  /* bit being flipped, for messages; -1 for the intact pack */
    uint64_t sink;              /* every byte read ends up here */
    uint64_t entries, bytes, refs, views;
} walker;

/* 1 when [p, p + n) lies inside [base, base + size); an empty range anywhere does. */
static int inside(const void *p, uint64_t n, const void *base, uint64_t size) {
    if (n == 0) return 1;
    const uint8_t *b = (const uint8_t *)base, *q = (const uint8_t *)p;
    return q >= b && n <= size && (uint64_t)(q - b) <= size - n;
}

static void touch(walker *w, const void *p, uint64_t n) {
    const uint8_t *b = (const uint8_t *)p;
    uint64_t sum = 0;
    for (uint64_t i = 0; i < n; ++i) sum += b[i];
    w->sink += sum;
    w->bytes += n;
}

static void touch_float(walker *w, float f) {
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    w->sink += bits;
}

/* Name the flip on stderr before a walk assertion fails (Criterion's message names
 * only the entry). */
static void walk_context(const walker *w) {
    if (w->flip < 0) fprintf(stderr, "sweep: walking the intact pack\n");
    else fprintf(stderr, "sweep: walking the pack with bit %ld (byte %ld) flipped\n", w->flip, w->flip / 8);
}

#define WALK_ASSERT(w, cond, ...)                                                                  \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            walk_context(w);                                                                       \
            cr_assert_fail(__VA_ARGS__);                                                           \
        }                                                                                          \
    } while (0)

static void view_referenced(walker *w, uint64_t id, uint32_t type);

static void walk_texture(walker *w, const zc_entry *e, const uint8_t *base, uint64_t size) {
    zc_texture_view v;
    zc_result r = zc_texture_view_from_bytes(base, size, &v);
    WALK_ASSERT(w, r == ZC_OK, "%s: texture view: %s", e->path, zc_result_name(r));
    if (e->codec == ZC_CODEC_NONE) {
        zc_texture_view in_place;
        WALK_ASSERT(w, zc_texture_view_from_entry(e, &in_place) == ZC_OK && in_place.levels == v.levels, "%s",
                    e->path);
    }
    uint32_t block = 0, block_bytes = 0;
    WALK_ASSERT(w, zc_pixel_format_block(v.format, &block, &block_bytes), "%s: format %u", e->path, v.format);
    for (uint32_t level = 0; level < v.mip_count; ++level) {
        for (uint32_t layer = 0; layer < v.layers; ++layer) {
            zc_texture_level_view l;
            WALK_ASSERT(w, zc_texture_view_level(&v, level, layer, &l) == ZC_OK, "%s: level %u", e->path, level);
            WALK_ASSERT(w, inside(l.data, l.size, base, size), "%s: level %u lies outside the entry", e->path, level);
            uint32_t expect_w = v.width >> level ? v.width >> level : 1;
            uint32_t expect_h = v.height >> level ? v.height >> level : 1;
            WALK_ASSERT(w, l.width == expect_w && l.height == expect_h, "%s: level %u extent", e->path, level);
            uint64_t row_bytes = zc_texture_row_bytes(v.format, l.width);
            uint64_t rows = (uint64_t)zc_texture_block_rows(v.format, l.height) * l.depth;
            WALK_ASSERT(w, l.row_pitch >= row_bytes && (uint64_t)l.row_pitch * rows <= l.size, "%s: level %u pitch",
                        e->path, level);
            for (uint64_t row = 0; row < rows; ++row) touch(w, (const uint8_t *)l.data + row * l.row_pitch, row_bytes);
        }
    }
    zc_texture_level_view none;
    WALK_ASSERT(w, zc_texture_view_level(&v, v.mip_count, 0, &none) == ZC_ERR_NO_ENTRY, "%s", e->path);
    w->views++;
}

static void walk_meshlets(walker *w, const zc_entry *e, const zc_mesh_view *v, const zc_mesh *m, const uint8_t *base,
                          uint64_t size) {
    uint64_t mv_count = m->meshlet_vertices.count, mt_count = m->meshlet_triangles.count;
    if (v->meshlet_count == 0) return;
    WALK_ASSERT(w, inside(v->meshlets, (uint64_t)v->meshlet_count * sizeof(zc_meshlet), base, size) &&
                       inside(v->meshlet_vertices, mv_count * 4, base, size) &&
                       inside(v->meshlet_triangles, mt_count, base, size),
                "%s: meshlet arrays lie outside the entry", e->path);
    for (uint32_t k = 0; k < v->meshlet_count; ++k) {
        const zc_meshlet *ml = &v->meshlets[k];
        WALK_ASSERT(w, (uint64_t)ml->vertex_offset + ml->vertex_count <= mv_count &&
                           (uint64_t)ml->triangle_offset + 3ull * ml->triangle_count <= mt_count,
                    "%s: meshlet %u out of range", e->path, k);
        for (uint32_t t = 0; t < 3 * ml->triangle_count; ++t) {
            uint8_t local = v->meshlet_triangles[ml->triangle_offset + t];
            WALK_ASSERT(w, local < ml->vertex_count, "%s: meshlet %u triangle index", e->path, k);
            uint32_t vertex = v->meshlet_vertices[ml->vertex_offset + local];
            WALK_ASSERT(w, vertex < v->vertex_count, "%s: meshlet %u vertex %u", e->path, k, vertex);
            w->sink += vertex;
        }
    }
}

static void walk_mesh(walker *w, const zc_entry *e, const uint8_t *base, uint64_t size) {
    zc_mesh_view v;
    zc_result r = zc_mesh_view_from_bytes(base, size, &v);
    WALK_ASSERT(w, r == ZC_OK, "%s: mesh view: %s", e->path, zc_result_name(r));
    if (e->codec == ZC_CODEC_NONE) {
        zc_mesh_view in_place;
        WALK_ASSERT(w, zc_mesh_view_from_entry(e, &in_place) == ZC_OK && in_place.indices == v.indices, "%s", e->path);
    }
    const zc_mesh *m = (const zc_mesh *)base;
    for (uint32_t s = 0; s < v.stream_count; ++s) {
        uint64_t bytes = (uint64_t)v.vertex_count * v.streams[s].stride;
        WALK_ASSERT(w, inside(v.streams[s].data, bytes, base, size), "%s: stream %u outside the entry", e->path, s);
        touch(w, v.streams[s].data, bytes);
    }
    WALK_ASSERT(w, inside(v.attributes, (uint64_t)v.attribute_count * sizeof(zc_vertex_attribute), base, size), "%s",
                e->path);
    for (uint32_t a = 0; a < v.attribute_count; ++a) {
        const zc_vertex_attribute *attr = &v.attributes[a];
        WALK_ASSERT(w, attr->stream < v.stream_count, "%s: attribute %u stream", e->path, a);
        WALK_ASSERT(w, zc_mesh_view_attribute(&v, attr->semantic) == attr, "%s: semantic twice", e->path);
        for (uint32_t vertex = 0; vertex < v.vertex_count; ++vertex) {
            float out[4];
            WALK_ASSERT(w, zc_mesh_view_read(&v, attr, vertex, out) > 0, "%s: attribute %u vertex %u", e->path, a,
                        vertex);
            for (int k = 0; k < 4; ++k) touch_float(w, out[k]);
        }
    }
    WALK_ASSERT(w, inside(v.indices, (uint64_t)v.index_count * v.index_size, base, size), "%s: indices", e->path);
    for (uint32_t i = 0; i < v.index_count; ++i) {
        uint32_t index = zc_mesh_view_index(&v, i);
        WALK_ASSERT(w, index < v.vertex_count, "%s: index %u is %u of %u vertices", e->path, i, index, v.vertex_count);
        for (uint32_t s = 0; s < v.stream_count; ++s) /* as a GPU would fetch it */
            touch(w, (const uint8_t *)v.streams[s].data + (size_t)index * v.streams[s].stride, v.streams[s].stride);
    }
    WALK_ASSERT(w, inside(v.submeshes, (uint64_t)v.submesh_count * sizeof(zc_submesh), base, size), "%s", e->path);
    for (uint32_t k = 0; k < v.submesh_count; ++k) {
        const zc_submesh *sm = &v.submeshes[k];
        WALK_ASSERT(w, (uint64_t)sm->index_offset + sm->index_count <= v.index_count &&
                           (uint64_t)sm->meshlet_offset + sm->meshlet_count <= v.meshlet_count,
                    "%s: submesh %u out of range", e->path, k);
        if (sm->material) view_referenced(w, sm->material, ZC_TYPE_MATERIAL);
    }
    walk_meshlets(w, e, &v, m, base, size);
    w->views++;
}

static void walk_material(walker *w, const zc_entry *e, const uint8_t *base, uint64_t size) {
    zc_material_view v;
    zc_result r = zc_material_view_from_bytes(base, size, &v);
    WALK_ASSERT(w, r == ZC_OK, "%s: material view: %s", e->path, zc_result_name(r));
    if (e->codec == ZC_CODEC_NONE) {
        zc_material_view in_place;
        WALK_ASSERT(w, zc_material_view_from_entry(e, &in_place) == ZC_OK && in_place.name == v.name, "%s", e->path);
    }
    WALK_ASSERT(w, v.name_length == 0 || inside(v.name, (uint64_t)v.name_length + 1, base, size), "%s: name",
                e->path);
    WALK_ASSERT(w, v.name[v.name_length] == 0, "%s: name is not terminated", e->path);
    touch(w, v.name, v.name_length);
    for (int k = 0; k < 4; ++k) touch_float(w, v.base_color_factor[k]);
    touch_float(w, v.metallic_factor);
    touch_float(w, v.alpha_cutoff);
    for (uint32_t s = 0; s < ZC_MATERIAL_SLOT_COUNT; ++s)
        if (v.textures[s].texture) view_referenced(w, v.textures[s].texture, ZC_TYPE_TEXTURE);
    w->views++;
}

static void walk_scene(walker *w, const zc_entry *e, const uint8_t *base, uint64_t size) {
    zc_scene_view v;
    zc_result r = zc_scene_view_from_bytes(base, size, &v);
    WALK_ASSERT(w, r == ZC_OK, "%s: scene view: %s", e->path, zc_result_name(r));
    if (e->codec == ZC_CODEC_NONE) {
        zc_scene_view in_place;
        WALK_ASSERT(w, zc_scene_view_from_entry(e, &in_place) == ZC_OK && in_place.nodes == v.nodes, "%s", e->path);
    }
    WALK_ASSERT(w, inside(v.nodes, (uint64_t)v.node_count * sizeof(zc_scene_node), base, size) &&
                       inside(v.meshes, (uint64_t)v.mesh_count * sizeof(zc_scene_mesh), base, size) &&
                       inside(v.cameras, (uint64_t)v.camera_count * sizeof(zc_camera), base, size) &&
                       inside(v.lights, (uint64_t)v.light_count * sizeof(zc_light), base, size),
                "%s: scene arrays lie outside the entry", e->path);
    for (uint32_t i = 0; i < v.node_count; ++i) {
        const zc_scene_node *n = &v.nodes[i];
        WALK_ASSERT(w, n->parent == -1 || (n->parent >= 0 && (uint32_t)n->parent < i), "%s: node %u parent", e->path,
                    i);
        WALK_ASSERT(w, n->camera == -1 || (n->camera >= 0 && (uint32_t)n->camera < v.camera_count), "%s", e->path);
        WALK_ASSERT(w, n->light == -1 || (n->light >= 0 && (uint32_t)n->light < v.light_count), "%s", e->path);
        WALK_ASSERT(w, (uint64_t)n->mesh_first + n->mesh_count <= v.mesh_count, "%s: node %u meshes", e->path, i);
        uint32_t length = 0;
        const char *name = zc_scene_view_node_name(&v, i, &length);
        WALK_ASSERT(w, length == 0 || inside(name, (uint64_t)length + 1, base, size), "%s: node %u name", e->path, i);
        WALK_ASSERT(w, name[length] == 0, "%s: node %u name is not terminated", e->path, i);
        touch(w, name, length);
        int32_t found = zc_scene_find_node(v.scene, name, length);
        WALK_ASSERT(w, found >= 0 && (uint32_t)found <= i, "%s: node %u is not found by its name", e->path, i);
        uint32_t found_length = 0;
        const char *found_name = zc_scene_view_node_name(&v, (uint32_t)found, &found_length);
        WALK_ASSERT(w, found_length == length && memcmp(found_name, name, length) == 0, "%s", e->path);
        for (int k = 0; k < 3; ++k) touch_float(w, n->translation[k]);
    }
    for (uint32_t k = 0; k < v.mesh_count; ++k) {
        view_referenced(w, v.meshes[k].mesh, ZC_TYPE_MESH);
        if (v.meshes[k].material) view_referenced(w, v.meshes[k].material, ZC_TYPE_MATERIAL);
    }
    touch(w, v.cameras, (uint64_t)v.camera_count * sizeof(zc_camera));
    touch(w, v.lights, (uint64_t)v.light_count * sizeof(zc_light));
    if (v.node_count) {
        float(*world)[16] = malloc((size_t)v.node_count * sizeof *world);
        cr_assert_not_null(world);
        zc_scene_view_world_transforms(&v, world);
        for (uint32_t i = 0; i < v.node_count; ++i)
            for (int k = 0; k < 16; ++k) touch_float(w, world[i][k]);
        free(world);
    }
    w->views++;
}

/* Follow an asset id found inside an entry: resolve it and view what it names. A flip
 * may have changed the id (FULL does not check references between entries), so
 * NO_ENTRY and TYPE_MISMATCH are answers, not failures. */
static void view_referenced(walker *w, uint64_t id, uint32_t type) {
    zc_entry e;
    zc_result r = zc_pack_resolve(w->pack, id, type, &e);
    WALK_ASSERT(w, r == ZC_OK || r == ZC_ERR_NO_ENTRY || r == ZC_ERR_TYPE_MISMATCH, "resolve %016llx: %s",
                (unsigned long long)id, zc_result_name(r));
    if (r != ZC_OK) return;
    w->refs++;
    zc_hold h;
    r = zc_pack_acquire(w->pack, &e, &h);
    WALK_ASSERT(w, r == ZC_OK, "%s: acquire of a referenced entry: %s", e.path, zc_result_name(r));
    zc_result v = ZC_OK;
    if (type == ZC_TYPE_TEXTURE) {
        zc_texture_view tv;
        v = zc_texture_view_from_bytes(h.data, h.size, &tv);
    } else if (type == ZC_TYPE_MESH) {
        zc_mesh_view mv;
        v = zc_mesh_view_from_bytes(h.data, h.size, &mv);
    } else if (type == ZC_TYPE_MATERIAL) {
        zc_material_view mv;
        v = zc_material_view_from_bytes(h.data, h.size, &mv);
    }
    WALK_ASSERT(w, v == ZC_OK, "%s: view of a referenced entry: %s", e.path, zc_result_name(v));
    zc_hold_release(&h);
}

static void walk_entry(walker *w, const zc_pack_info *info, uint32_t index) {
    zc_pack *pack = w->pack;
    zc_entry e;
    WALK_ASSERT(w, zc_pack_entry_at(pack, index, &e) == ZC_OK, "entry %u", index);
    WALK_ASSERT(w, inside(e.data, e.stored_size, w->image + sizeof(zc_header), info->toc_offset - sizeof(zc_header)),
                "%s: stored bytes outside the payload area", e.path);
    WALK_ASSERT(w, e.path[e.path_length] == 0 && strlen(e.path) == e.path_length, "entry %u path", index);
    zc_entry again;
    WALK_ASSERT(w, zc_pack_find(pack, e.path, &again) == ZC_OK && again.index == index, "%s: find", e.path);
    WALK_ASSERT(w, zc_pack_find_id(pack, e.id, &again) == ZC_OK && again.index == index, "%s: find_id", e.path);
    for (uint32_t d = 0; d < e.deps_count; ++d) {
        zc_entry dep;
        zc_result r = zc_pack_find_id(pack, e.deps[d], &dep);
        WALK_ASSERT(w, r == ZC_OK || r == ZC_ERR_NO_ENTRY, "%s: dependency %u: %s", e.path, d, zc_result_name(r));
        if (r == ZC_OK) w->refs++;
    }
    zc_hold h;
    zc_result r = zc_pack_acquire(pack, &e, &h);
    WALK_ASSERT(w, r == ZC_OK, "%s: acquire at FULL: %s", e.path, zc_result_name(r));
    WALK_ASSERT(w, h.size == e.raw_size && (h.size == 0 || (uintptr_t)h.data % e.alignment == 0), "%s: hold",
                e.path);
    const uint8_t *base = (const uint8_t *)h.data;
    touch(w, base, h.size);
    const void *in_place;
    uint64_t in_place_size;
    r = zc_entry_bytes(&e, 0, &in_place, &in_place_size);
    if (e.codec == ZC_CODEC_NONE)
        WALK_ASSERT(w, r == ZC_OK && in_place == h.data && in_place_size == h.size, "%s: bytes in place", e.path);
    else
        WALK_ASSERT(w, r == ZC_ERR_UNSUPPORTED_CODEC, "%s: compressed bytes in place: %s", e.path, zc_result_name(r));
    switch (e.type) {
    case ZC_TYPE_TEXTURE: walk_texture(w, &e, base, h.size); break;
    case ZC_TYPE_MESH: walk_mesh(w, &e, base, h.size); break;
    case ZC_TYPE_MATERIAL: walk_material(w, &e, base, h.size); break;
    case ZC_TYPE_SCENE: walk_scene(w, &e, base, h.size); break;
    default: break;
    }
    zc_hold_release(&h);
    w->entries++;
}

static void walk_pack(walker *w) {
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(w->pack, &info), ZC_OK);
    for (uint32_t i = 0; i < info.entry_count; ++i) walk_entry(w, &info, i);
    zc_entry none;
    WALK_ASSERT(w, zc_pack_entry_at(w->pack, info.entry_count, &none) == ZC_ERR_NO_ENTRY, "entry past the end");
}

/* ---------------------------------------------------------------------------------
 * Regions of the file and code distributions
 * ------------------------------------------------------------------------------- */

#define MAX_REGIONS 16

typedef struct region {
    char name[32];
    uint64_t bytes;
    uint64_t flips;
    uint64_t codes[ZC__RESULT_COUNT];   /* at CHECKSUMS */
    uint64_t accepted;                  /* flips accepted at CHECKSUMS (zstd frames only) */
    uint64_t full_accepted;             /* flips accepted at FULL (and walked) */
} region;

typedef struct layout {
    uint8_t *of_byte;           /* region index of each byte */
    region regions[MAX_REGIONS];
    int count;
    uint64_t header_size, toc_offset;
} layout;

static int region_named(layout *l, const char *name) {
    for (int i = 0; i < l->count; ++i)
        if (strcmp(l->regions[i].name, name) == 0) return i;
    cr_assert_lt(l->count, MAX_REGIONS);
    snprintf(l->regions[l->count].name, sizeof l->regions[l->count].name, "%s", name);
    return l->count++;
}

enum { REGION_HEADER, REGION_TOC, REGION_PADDING };

/* Classify every byte of an intact pack: header, TOC, padding, or the stored bytes of
 * an entry, named by type and codec ("texture/raw", "material/zstd"). */
static void map_layout_of(layout *l, const uint8_t *bytes, size_t size) {
    memset(l, 0, sizeof *l);
    region_named(l, "header");
    region_named(l, "toc");
    region_named(l, "padding");
    l->of_byte = malloc(size);
    cr_assert_not_null(l->of_byte);
    zc_pack *pack;
    cr_assert_eq(open_memory(bytes, size, ZC_VALIDATE_CHECKSUMS, &pack), ZC_OK, "the intact pack is refused");
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
    l->header_size = zc_le32(bytes + offsetof(zc_header, header_size));
    l->toc_offset = info.toc_offset;
    for (uint64_t b = 0; b < size; ++b)
        l->of_byte[b] = b < l->header_size ? REGION_HEADER : b >= info.toc_offset ? REGION_TOC : REGION_PADDING;
    for (uint32_t i = 0; i < info.entry_count; ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_entry_at(pack, i, &e), ZC_OK);
        char name[32];
        snprintf(name, sizeof name, "%s/%s", zc_type_name(e.type) ? zc_type_name(e.type) : "?",
                 e.codec == ZC_CODEC_NONE ? "raw" : "zstd");
        int r = region_named(l, name);
        memset(l->of_byte + e.offset, r, e.stored_size);
    }
    zc_pack_close(pack);
    for (uint64_t b = 0; b < size; ++b) l->regions[l->of_byte[b]].bytes++;
}

/* The layout of the pack built by the fixture. */
static void map_layout(layout *l) {
    map_layout_of(l, image, image_size);
}

static void print_codes(const uint64_t *codes, const char *prefix) {
    int first = 1;
    for (int c = 1; c < ZC__RESULT_COUNT; ++c) {
        if (!codes[c]) continue;
        fprintf(stderr, "%s%s %llu", first ? prefix : ", ", zc_result_name((zc_result)c) + 7,
                (unsigned long long)codes[c]);
        first = 0;
    }
}

static void print_layout(const layout *l, const char *title) {
    fprintf(stderr, "sweep: %s\n", title);
    fprintf(stderr, "  %-16s %7s %8s  %s\n", "region", "bytes", "flips",
            "codes at CHECKSUMS (the same at FULL) | accepted at FULL and walked");
    for (int i = 0; i < l->count; ++i) {
        const region *g = &l->regions[i];
        fprintf(stderr, "  %-16s %7llu %8llu  ", g->name, (unsigned long long)g->bytes, (unsigned long long)g->flips);
        print_codes(g->codes, "");
        if (g->accepted) fprintf(stderr, "%sdecoding to the same bytes %llu", g->accepted < g->flips ? ", " : "",
                                 (unsigned long long)g->accepted);
        fprintf(stderr, " | %llu\n", (unsigned long long)g->full_accepted);
    }
}

/* The codes a flip in each region may produce at CHECKSUMS. Header fields are checked
 * one by one before the header checksum; the TOC checksum comes before any TOC field
 * is read; a raw entry's structure is checked before its content hash; a zstd frame
 * fails its frame checks, its decoding, or the content hash of what it decodes to;
 * padding must be zero. */
static int expected_code(const char *region_name, zc_result r) {
    if (strcmp(region_name, "header") == 0)
        return r == ZC_ERR_NOT_A_PACK || r == ZC_ERR_MANGLED || r == ZC_ERR_VERSION || r == ZC_ERR_ENDIAN ||
               r == ZC_ERR_TRUNCATED || r == ZC_ERR_FILE_SIZE || r == ZC_ERR_HEADER_CHECKSUM || r == ZC_ERR_BAD_HEADER;
    if (strcmp(region_name, "toc") == 0) return r == ZC_ERR_TOC_CHECKSUM;
    if (strcmp(region_name, "padding") == 0) return r == ZC_ERR_BAD_PADDING;
    if (strstr(region_name, "/zstd"))
        return r == ZC_ERR_BAD_ENTRY || r == ZC_ERR_LIMIT || r == ZC_ERR_ENTRY_CHECKSUM;
    return r == ZC_ERR_ENTRY_CHECKSUM || r == ZC_ERR_BAD_ENTRY || r == ZC_ERR_BAD_POINTER ||
           r == ZC_ERR_BAD_STRING || r == ZC_ERR_LIMIT || r == ZC_ERR_BAD_ALIGNMENT;
}

/* ---------------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------------- */

static long sweep_stride(void) {
    const char *env = getenv("ZC_SWEEP_STRIDE");
    if (env && *env) {
        long s = strtol(env, NULL, 10);
        cr_assert_gt(s, 0, "ZC_SWEEP_STRIDE must be a positive integer");
        return s;
    }
    return getenv("ZC_SANITIZE_RUN") ? 7 : 1;
}

Test(sweep, intact_pack_walks) {
    layout l;
    map_layout(&l);
    cr_assert_gt(l.count, 8, "the pack holds entries of many kinds (%d regions)", l.count);
    static const char *const kinds[] = { "texture/raw", "texture/zstd", "mesh/", "material/", "scene/",
                                         "blob/zstd" };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; ++k) {
        int found = 0;
        for (int i = 0; i < l.count; ++i) found |= strncmp(l.regions[i].name, kinds[k], strlen(kinds[k])) == 0;
        cr_assert(found, "the pack has no %s entry", kinds[k]);
    }
    cr_assert_gt(l.regions[REGION_PADDING].bytes, 0, "alignment leaves padding between payloads");
    walker w = { .image = image, .size = image_size, .flip = -1 };
    cr_assert_eq(open_memory(image, image_size, ZC_VALIDATE_CHECKSUMS, &w.pack), ZC_OK);
    walk_pack(&w);
    zc_pack_close(w.pack);
    cr_assert_eq(w.entries, 20);
    cr_assert_gt(w.views, 12);
    cr_assert_gt(w.refs, 20, "materials, meshes and the scene reference each other");
    free(l.of_byte);
}

/* Raw bytes of every compressed entry of the intact pack, by TOC index, to show that a
 * flip accepted inside a zstd frame decodes to exactly the same bytes. */
typedef struct decoded_set {
    zc_pack *pack;
    zc_hold holds[64];
    uint32_t count;
} decoded_set;

static void decode_intact(decoded_set *d) {
    memset(d, 0, sizeof *d);
    cr_assert_eq(open_memory(image, image_size, ZC_VALIDATE_CHECKSUMS, &d->pack), ZC_OK);
    d->count = zc_pack_entry_count(d->pack);
    cr_assert_leq(d->count, 64);
    for (uint32_t i = 0; i < d->count; ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_entry_at(d->pack, i, &e), ZC_OK);
        cr_assert_eq(zc_pack_acquire(d->pack, &e, &d->holds[i]), ZC_OK);
    }
}

static void release_intact(decoded_set *d) {
    for (uint32_t i = 0; i < d->count; ++i) zc_hold_release(&d->holds[i]);
    zc_pack_close(d->pack);
}

/* A flip at `byte` that CHECKSUMS accepted inside a zstd frame: every compressed entry
 * whose stored bytes hold that byte decodes to exactly the intact entry's raw bytes
 * (the frame differs only in bits that do not change what it decodes to). */
static void assert_same_decoding(zc_pack *pack, const decoded_set *intact, uint64_t byte, long bit) {
    int found = 0;
    for (uint32_t i = 0; i < zc_pack_entry_count(pack); ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_entry_at(pack, i, &e), ZC_OK);
        if (e.codec == ZC_CODEC_NONE || byte < e.offset || byte - e.offset >= e.stored_size) continue;
        zc_hold h;
        cr_assert_eq(zc_pack_acquire(pack, &e, &h), ZC_OK);
        const zc_hold *o = &intact->holds[i];
        cr_assert(h.size == o->size && memcmp(h.data, o->data, h.size) == 0,
                  "bit %ld: %s was accepted at CHECKSUMS but decodes to other bytes", bit, e.path);
        zc_hold_release(&h);
        found = 1;
    }
    cr_assert(found, "bit %ld: no compressed entry holds byte %llu", bit, (unsigned long long)byte);
}

/* Each bit: open at FULL. A refused flip is opened again at CHECKSUMS, which must give
 * the same code: both levels run the same checks in the same order, CHECKSUMS adding
 * content hashes and padding, and a flip refused at FULL fails a check that comes
 * before any hash that could differ. An accepted flip is walked, then validated at
 * CHECKSUMS on the same pack (zc_pack_validate: the checks an open at CHECKSUMS runs
 * after the header; every 61st such flip also through a fresh open at CHECKSUMS, which
 * must agree). */
Test(sweep, every_bit_flip) {
    layout l;
    map_layout(&l);
    decoded_set intact;
    decode_intact(&intact);
    long stride = sweep_stride();
    uint8_t *work = NULL;
    cr_assert_eq(posix_memalign((void **)&work, 4096, image_size), 0);
    memcpy(work, image, image_size);
    walker w = { .image = work, .size = image_size };
    uint64_t flips = 0, walks = 0, reopened = 0;
    double t0 = now_s();
    clock_t c0 = clock();
    for (long bit = 0; bit < (long)image_size * 8; bit += stride) {
        size_t byte = (size_t)bit / 8;
        uint8_t mask = (uint8_t)(1u << (bit % 8));
        region *g = &l.regions[l.of_byte[byte]];
        work[byte] ^= mask;
        zc_pack *pack;
        zc_result checked;
        zc_result full = open_memory(work, image_size, ZC_VALIDATE_FULL, &pack);
        if (full == ZC_OK) {
            w.pack = pack;
            w.flip = bit;
            walk_pack(&w);
            g->full_accepted++;
            walks++;
            checked = zc_pack_validate(pack, ZC_VALIDATE_CHECKSUMS);
            if (checked == ZC_OK && strstr(g->name, "/zstd")) assert_same_decoding(pack, &intact, byte, bit);
            zc_pack_close(pack);
            if (walks % 61 == 0) {
                zc_result again = open_memory(work, image_size, ZC_VALIDATE_CHECKSUMS, &pack);
                if (again == ZC_OK) zc_pack_close(pack);
                cr_assert_eq(again, checked, "bit %ld: open at CHECKSUMS gave %s, zc_pack_validate %s", bit,
                             zc_result_name(again), zc_result_name(checked));
                reopened++;
            }
        } else {
            checked = open_memory(work, image_size, ZC_VALIDATE_CHECKSUMS, &pack);
            if (checked == ZC_OK) zc_pack_close(pack);
            if (checked != full) {
                print_layout(&l, "distribution so far");
                cr_assert_fail("bit %ld (region %s): %s at FULL but %s at CHECKSUMS", bit, g->name,
                               zc_result_name(full), zc_result_name(checked));
            }
        }
        work[byte] ^= mask;
        g->flips++;
        flips++;
        g->codes[checked]++;
        if (checked == ZC_OK) {
            if (!strstr(g->name, "/zstd")) {
                print_layout(&l, "distribution so far");
                cr_assert_fail("flipping bit %ld (byte %zu, bit %ld, region %s) was accepted at CHECKSUMS", bit, byte,
                               bit % 8, g->name);
            }
            g->accepted++;
        } else if (!expected_code(g->name, checked)) {
            print_layout(&l, "distribution so far");
            cr_assert_fail("flipping bit %ld (byte %zu, bit %ld, region %s) gave %s at CHECKSUMS", bit, byte, bit % 8,
                           g->name, zc_result_name(checked));
        }
    }
    double seconds = now_s() - t0, cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    char title[256];
    snprintf(title, sizeof title,
             "%zu-byte pack, stride %ld: %llu flips in %.1f s (%.1f s CPU, %.0f us each); %llu packs accepted at FULL "
             "walked, %llu of them also opened at CHECKSUMS",
             image_size, stride, (unsigned long long)flips, seconds, cpu, cpu * 1e6 / (double)flips,
             (unsigned long long)walks, (unsigned long long)reopened);
    print_layout(&l, title);
    cr_assert_eq(memcmp(work, image, image_size), 0);
    cr_assert_gt(walks, 0, "flips of texel and vertex data pass the structural checks");
    cr_assert_gt(w.sink, 0);
    cr_assert_gt(l.regions[REGION_HEADER].codes[ZC_ERR_HEADER_CHECKSUM], 0);
    cr_assert_gt(l.regions[REGION_TOC].codes[ZC_ERR_TOC_CHECKSUM], 0);
    cr_assert_gt(l.regions[REGION_PADDING].codes[ZC_ERR_BAD_PADDING], 0);
    /* Flips that decode to the same bytes are rare: about 1 % of a small frame's bits. */
    for (int i = 0; i < l.count; ++i)
        cr_assert_leq(l.regions[i].accepted * 50, l.regions[i].flips, "%s: %llu of %llu flips accepted",
                      l.regions[i].name, (unsigned long long)l.regions[i].accepted,
                      (unsigned long long)l.regions[i].flips);
    release_intact(&intact);
    free(work);
    free(l.of_byte);
}

Test(sweep, every_truncation) {
    uint64_t codes[ZC__RESULT_COUNT] = { 0 };
    size_t stride = (size_t)sweep_stride();
    double t0 = now_s();
    for (size_t len = 0; len < image_size; len += stride) {
        uint8_t *cut = malloc(len ? len : 1); /* 16-byte aligned, exactly len bytes */
        cr_assert_not_null(cut);
        memcpy(cut, image, len);
        for (zc_validate level = ZC_VALIDATE_FULL; level <= ZC_VALIDATE_CHECKSUMS; ++level) {
            zc_pack *pack;
            zc_result r = open_memory(cut, len, level, &pack);
            if (r == ZC_OK) zc_pack_close(pack);
            if (r != ZC_ERR_TRUNCATED)
                cr_assert_fail("a pack cut to %zu of %zu bytes gave %s at level %d", len, image_size,
                               zc_result_name(r), (int)level);
            codes[r]++;
        }
        free(cut);
    }
    fprintf(stderr, "sweep: %zu truncation lengths (stride %zu) at FULL and CHECKSUMS in %.1f s:",
            (image_size + stride - 1) / stride, stride, now_s() - t0);
    print_codes(codes, " ");
    fprintf(stderr, "\n");
}

/* The padding check of a pack of more than 256 entries sorts the payloads in an array
 * from the pack's allocator: a damaged padding byte anywhere is still found, twins
 * and empty entries are no padding, and a failed allocation is reported, not ignored. */
Test(sweep, padding_of_a_large_pack) {
    enum { COUNT = 300 };
    static uint8_t bytes[COUNT][40];
    static char paths[COUNT][32];
    zct_blob blobs[COUNT + 2];
    for (int i = 0; i < COUNT; ++i) {
        snprintf(paths[i], sizeof paths[i], "blob/%03d.bin", i);
        zct_fill(bytes[i], sizeof bytes[i], (uint64_t)i + 1);
        /* 40 bytes at 64-byte alignment: 24 bytes of padding after each */
        blobs[i] = (zct_blob){ paths[i], bytes[i], sizeof bytes[i], 6, NULL };
    }
    blobs[COUNT] = (zct_blob){ "twin.bin", bytes[7], sizeof bytes[7], 6, NULL };
    blobs[COUNT + 1] = (zct_blob){ "empty.bin", NULL, 0, 0, NULL };
    char *path = zct_join(zct_tmp, "many.zcpack");
    cr_assert_eq(zct_write_pack(path, blobs, COUNT + 2), ZC_OK);
    size_t size;
    uint8_t *pack_bytes = zct_read_file_aligned(path, 4096, &size);
    layout l;
    map_layout_of(&l, pack_bytes, size);
    cr_assert_gt(l.regions[REGION_PADDING].bytes, 24 * (COUNT - 1));
    uint64_t checked = 0;
    for (size_t b = 0; b < size; ++b) {
        if (l.of_byte[b] != REGION_PADDING || (b % 7 != 0 && b + 1 < size && l.of_byte[b + 1] == REGION_PADDING))
            continue; /* every 7th padding byte and the last of each gap */
        pack_bytes[b] ^= 0x20;
        zc_pack *pack;
        cr_assert_eq(open_memory(pack_bytes, size, ZC_VALIDATE_CHECKSUMS, &pack), ZC_ERR_BAD_PADDING, "byte %zu", b);
        cr_assert_eq(open_memory(pack_bytes, size, ZC_VALIDATE_FULL, &pack), ZC_OK, "byte %zu", b);
        zc_pack_close(pack);
        pack_bytes[b] ^= 0x20;
        checked++;
    }
    cr_assert_gt(checked, COUNT);
    zct_alloc_stats stats;
    zct_alloc_stats_init(&stats, -1);
    zct_log log;
    zc_pack *pack = NULL;
    /* opened at NONE, the open allocates what one at CHECKSUMS allocates before its
     * checks (level TOC would add its per-entry check marks) */
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .memory = pack_bytes, .memory_size = size,
                                                       .validate = ZC_VALIDATE_NONE,
                                                       .allocator = zct_counting_allocator(&stats) }), ZC_OK);
    long before = stats.calls;
    cr_assert_eq(zc_pack_validate(pack, ZC_VALIDATE_CHECKSUMS), ZC_OK);
    long arrays = stats.calls - before;
    /* a fixed number of arrays sorts the payloads (overlap, shared payloads, padding),
     * whatever the entry count */
    cr_assert(arrays >= 1 && arrays <= 3, "%ld allocations to validate %d entries", arrays, COUNT + 2);
    zc_pack_close(pack);
    for (long k = 0; k < arrays; ++k) { /* each array's allocation fails in turn */
        memset(&log, 0, sizeof log);
        zct_alloc_stats_init(&stats, before + k);
        stats.fail_once = 1;
        cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .memory = pack_bytes, .memory_size = size,
                                                           .validate = ZC_VALIDATE_CHECKSUMS,
                                                           .allocator = zct_counting_allocator(&stats),
                                                           .logger = zct_log_recorder(&log) }),
                     ZC_ERR_OUT_OF_MEMORY, "array %ld", k);
        cr_assert_gt(log.errors, 0, "array %ld: the failure is logged", k);
        cr_assert_eq(stats.live, 0, "array %ld", k);
    }
    free(l.of_byte);
    free(pack_bytes);
    free(path);
}
