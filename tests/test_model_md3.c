/* test_model_md3.c - MD3 models of tags only (attachment frames, no surfaces).
 *
 *  - A tag-only MD3, written here, packs as a scene whose nodes are its tags (frame 0)
 *    below the "<MD3Root>" node, with no meshes; its tag nodes equal those the same
 *    file with one surface added yields through assimp, so both describe an
 *    attachment point identically.
 *  - Damaged tag-only files (tags outside the file, too many tags, no tags, a number
 *    that is not finite, a wrong version) fail that file only, with a message naming
 *    the file and the problem.
 *  - A full MD3 two levels below the root packs although assimp probes for optional
 *    files above the root; a shader script it would read from outside the root fails it.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zc_exit.h"
#include "zc_pack.h"
#include "zc_test_util.h"

TestSuite(model_md3, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 60);

typedef struct md3_tag {
    const char *name;
    float origin[3];
    float axis[3][3];
} md3_tag;

typedef struct md3_bytes {
    unsigned char data[4096];
    size_t size;
} md3_bytes;

static void put_u32(md3_bytes *b, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) b->data[at + (size_t)i] = (unsigned char)(v >> (8 * i));
}

static void put_f32(md3_bytes *b, size_t at, float f) {
    uint32_t v;
    memcpy(&v, &f, sizeof v);
    put_u32(b, at, v);
}

static void put_i16(md3_bytes *b, size_t at, int16_t v) {
    b->data[at] = (unsigned char)((uint16_t)v & 0xff);
    b->data[at + 1] = (unsigned char)((uint16_t)v >> 8);
}

/* An MD3 with `frames` frames of the given tags (frame f moves each origin by f) and,
 * when with_surface, one surface of one triangle. */
static md3_bytes make_md3(const md3_tag *tags, uint32_t tag_count, uint32_t frames, int with_surface) {
    md3_bytes b;
    memset(&b, 0, sizeof b);
    const size_t header = 108, frame_size = 56, tag_size = 112;
    size_t ofs_frames = header, ofs_tags = ofs_frames + frames * frame_size;
    size_t ofs_surfaces = ofs_tags + (size_t)frames * tag_count * tag_size;
    size_t end = ofs_surfaces;
    memcpy(b.data, "IDP3", 4);
    put_u32(&b, 4, 15);
    memcpy(b.data + 8, "attachments", 11);
    put_u32(&b, 76, frames);
    put_u32(&b, 80, tag_count);
    put_u32(&b, 84, with_surface ? 1 : 0);
    for (uint32_t f = 0; f < frames; ++f) {
        size_t at = ofs_frames + f * frame_size;
        for (int k = 0; k < 3; ++k) {
            put_f32(&b, at + 4 * (size_t)k, -1.0f);
            put_f32(&b, at + 12 + 4 * (size_t)k, 1.0f);
        }
        put_f32(&b, at + 36, 1.0f);
        memcpy(b.data + at + 40, "frame", 5);
        for (uint32_t t = 0; t < tag_count; ++t) {
            size_t tt = ofs_tags + ((size_t)f * tag_count + t) * tag_size;
            memcpy(b.data + tt, tags[t].name, strlen(tags[t].name));
            for (int k = 0; k < 3; ++k) put_f32(&b, tt + 64 + 4 * (size_t)k, tags[t].origin[k] + (float)f);
            for (int r = 0; r < 3; ++r)
                for (int c = 0; c < 3; ++c) put_f32(&b, tt + 76 + 12 * (size_t)r + 4 * (size_t)c, tags[t].axis[r][c]);
        }
    }
    if (with_surface) {
        /* surface header (108 bytes), one triangle, three st pairs, three vertices per frame */
        size_t s = ofs_surfaces, sh = 108, tri = sh, st = tri + 12, xyz = st + 3 * 8, send = xyz + (size_t)frames * 3 * 8;
        memcpy(b.data + s, "IDP3", 4);
        memcpy(b.data + s + 4, "surface", 7);
        put_u32(&b, s + 72, frames);
        put_u32(&b, s + 76, 0);
        put_u32(&b, s + 80, 3);
        put_u32(&b, s + 84, 1);
        put_u32(&b, s + 88, (uint32_t)tri);
        put_u32(&b, s + 92, (uint32_t)st);
        put_u32(&b, s + 96, (uint32_t)st);
        put_u32(&b, s + 100, (uint32_t)xyz);
        put_u32(&b, s + 104, (uint32_t)send);
        put_u32(&b, s + tri, 0);
        put_u32(&b, s + tri + 4, 1);
        put_u32(&b, s + tri + 8, 2);
        for (uint32_t f = 0; f < frames; ++f) {
            size_t v = s + xyz + (size_t)f * 24;
            put_i16(&b, v + 8, 64);
            put_i16(&b, v + 18, 64);
        }
        end = s + send;
    }
    put_u32(&b, 92, (uint32_t)ofs_frames);
    put_u32(&b, 96, (uint32_t)ofs_tags);
    put_u32(&b, 100, (uint32_t)ofs_surfaces);
    put_u32(&b, 104, (uint32_t)end);
    b.size = end;
    return b;
}

static const md3_tag two_tags[] = {
    { "tag_weapon", { 1.0f, 2.0f, 3.0f }, { { 0.0f, 1.0f, 0.0f }, { -1.0f, 0.0f, 0.0f }, { 0.0f, 0.0f, 1.0f } } },
    { "tag_head", { 0.0f, 0.0f, 5.5f }, { { 1.0f, 0.0f, 0.0f }, { 0.0f, 1.0f, 0.0f }, { 0.0f, 0.0f, 1.0f } } },
};

/* The scene entry `path` of `pack`, viewed; the pack stays open in *out_pack. */
static zc_scene_view open_scene(const char *pack_path, const char *path, zc_pack **out_pack) {
    cr_assert_eq(zc_pack_open(out_pack, &(zc_pack_desc){ .path = pack_path, .validate = ZC_VALIDATE_FULL }), ZC_OK);
    zc_entry e;
    cr_assert_eq(zc_pack_find(*out_pack, path, &e), ZC_OK, "%s missing", path);
    cr_assert_eq(e.type, ZC_TYPE_SCENE);
    zc_scene_view v;
    cr_assert_eq(zc_scene_view_from_entry(&e, &v), ZC_OK);
    return v;
}

Test(model_md3, tag_only_model_packs_as_a_scene_of_its_tags) {
    char *root = zct_tmp_path("tree"), *out = zct_tmp_path("out.zcpack");
    md3_bytes tags_only = make_md3(two_tags, 2, 3, 0);
    md3_bytes with_mesh = make_md3(two_tags, 2, 3, 1);
    zct_put(root, "attach.md3", tags_only.data, tags_only.size);
    zct_put(root, "full.md3", with_mesh.data, with_mesh.size);
    zct_run run = ZCT_CLI("build", root, "-o", out, "-j", "1");
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);

    zc_pack *pack = NULL, *pack2 = NULL;
    zc_scene_view tags = open_scene(out, "attach.md3", &pack);
    zc_scene_view full = open_scene(out, "full.md3", &pack2);
    cr_expect_eq(tags.mesh_count, 0);
    cr_expect_gt(full.mesh_count, 0);
    cr_assert_eq(tags.node_count, 3, "nodes: %u", tags.node_count);
    cr_expect_str_eq(zc_scene_view_node_name(&tags, 0, NULL), "<MD3Root>");
    cr_expect_eq(tags.nodes[0].parent, -1);
    zc_entry mesh;
    cr_expect_neq(zc_pack_find(pack, "attach.md3#mesh/0", &mesh), ZC_OK, "a tag-only model has no mesh entries");

    float world[3][16];
    zc_scene_view_world_transforms(&tags, world);
    for (uint32_t t = 0; t < 2; ++t) {
        int32_t i = zc_scene_view_find_node(&tags, two_tags[t].name);
        int32_t j = zc_scene_view_find_node(&full, two_tags[t].name);
        cr_assert(i > 0 && j >= 0, "%s: node missing (%d, %d)", two_tags[t].name, i, j);
        cr_expect_eq(tags.nodes[i].parent, 0);
        /* frame 0's placement, the same as assimp gives the model with a surface */
        for (int k = 0; k < 3; ++k) {
            cr_expect_float_eq(tags.nodes[i].translation[k], two_tags[t].origin[k], 1e-6f, "%s t[%d]", two_tags[t].name, k);
            cr_expect_float_eq(tags.nodes[i].translation[k], full.nodes[j].translation[k], 1e-6f);
        }
        for (int k = 0; k < 4; ++k)
            cr_expect_float_eq(tags.nodes[i].rotation[k], full.nodes[j].rotation[k], 1e-6f, "%s q[%d]", two_tags[t].name, k);
        /* in the world (Y up) the tag's Z-up origin (x, y, z) lies at (x, z, -y) */
        cr_expect_float_eq(world[i][12], two_tags[t].origin[0], 1e-5f);
        cr_expect_float_eq(world[i][13], two_tags[t].origin[2], 1e-5f);
        cr_expect_float_eq(world[i][14], -two_tags[t].origin[1], 1e-5f);
    }
    /* tag_weapon's axes turn X into Y: its world X axis (column 0) is the root's image of +Y */
    int32_t w = zc_scene_view_find_node(&tags, "tag_weapon");
    cr_expect_float_eq(world[w][0], 0.0f, 1e-5f);
    cr_expect_float_eq(world[w][1], 0.0f, 1e-5f);
    cr_expect_float_eq(world[w][2], -1.0f, 1e-5f);
    zc_pack_close(pack);
    zc_pack_close(pack2);
    free(root);
    free(out);
}

/* Build a tree holding `bad` (and a good blob) with --keep-going: exit 6, the message
 * names the file and contains `reason`, and the blob is packed. */
static void expect_refused(const md3_bytes *bad, const char *reason) {
    char *root = zct_tmp_path("bad"), *out = zct_tmp_path("bad.zcpack");
    zct_put(root, "broken.md3", bad->data, bad->size);
    zct_put_text(root, "ok.txt", "fine");
    zct_run run = ZCT_CLI("build", root, "-o", out, "-j", "1", "--keep-going");
    ZCT_EXPECT_CODE(run, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(run, "broken.md3");
    ZCT_EXPECT_ERR(run, reason);
    zct_run_free(&run);
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = out }), ZC_OK);
    zc_entry e;
    cr_expect_eq(zc_pack_find(pack, "ok.txt", &e), ZC_OK);
    cr_expect_neq(zc_pack_find(pack, "broken.md3", &e), ZC_OK);
    zc_pack_close(pack);
    zct_rm_rf(root);
    free(root);
    free(out);
}

Test(model_md3, damaged_tag_only_models_fail_that_file_only) {
    md3_bytes b = make_md3(two_tags, 2, 1, 0);
    b.size -= 40; /* the second tag runs past the end */
    expect_refused(&b, "do not lie inside the file");

    b = make_md3(two_tags, 2, 1, 0);
    put_u32(&b, 96, 0xfffffff0u); /* tags offset far outside */
    expect_refused(&b, "do not lie inside the file");

    b = make_md3(two_tags, 2, 1, 0);
    put_u32(&b, 80, 17);
    expect_refused(&b, "17 tags");

    b = make_md3(two_tags, 2, 1, 0);
    put_u32(&b, 80, 0);
    expect_refused(&b, "neither surfaces nor tags");

    b = make_md3(two_tags, 2, 1, 0);
    put_f32(&b, 108 + 56 + 64, NAN);
    expect_refused(&b, "not finite");

    b = make_md3(two_tags, 2, 1, 0);
    put_u32(&b, 4, 16);
    expect_refused(&b, "version 16");

    b = make_md3(two_tags, 2, 1, 0);
    put_u32(&b, 76, 0);
    expect_refused(&b, "no frames");
}

/* assimp's MD3 reader probes for optional files relative to the model: the shader
 * script "<dir>/../../../scripts/<dir name>.shader" and, among others, "../../../"
 * itself, a directory above the root when the model lies two levels down. A directory
 * is nothing read and no reason to fail the model (it failed before as a reference
 * outside the asset root); a shader script that exists outside the root is a file the
 * import would read, and still fails the model naming it. */
Test(model_md3, probes_for_optional_files_outside_the_root) {
    char *root = zct_tmp_path("tree"), *out = zct_tmp_path("out.zcpack");
    md3_bytes full = make_md3(two_tags, 2, 1, 1);
    zct_put(root, "players/x/full.md3", full.data, full.size);
    zct_run run = ZCT_CLI("build", root, "-o", out, "-j", "1");
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    zc_pack *pack = NULL;
    zc_scene_view v = open_scene(out, "players/x/full.md3", &pack);
    cr_expect_gt(v.mesh_count, 0);
    zc_pack_close(pack);

    zct_put_text(zct_tmp, "scripts/x.shader", "x { }\n");
    run = ZCT_CLI("build", root, "-o", out, "-j", "1");
    ZCT_EXPECT_CODE(run, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(run, "players/x/full.md3: the model references \"../../../scripts/x.shader\", which lies outside "
                        "the asset root");
    zct_run_free(&run);
    free(root);
    free(out);
}
