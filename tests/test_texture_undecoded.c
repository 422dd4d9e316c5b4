/* test_texture_undecoded.c - valid images of kinds the texture readers do not decode
 * (DDS volumes, 1D textures, cube maps short of faces, pixel formats without a
 * decoder; PCX layouts; colour-mapped SGI files; tiled TIFF files are in
 * test_texture_tiff.c) are packed by `zcpack build` and `zcpack import` as blobs
 * holding the file's bytes, with the reader's reason as a warning naming the file,
 * and counted among the blobs; a damaged file of the same formats still fails the
 * build, and a decodable one is still a texture.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_pack.h"
#include "zc_test_images.h"
#include "zc_test_util.h"

TestSuite(texture_undecoded, .init = zcti_tree_setup, .fini = zcti_tree_teardown, .timeout = 120);

/* A 4x4 DDS file: the legacy header with `fourcc` and `caps2` (and `depth`), or the
 * DX10 header with `dxgi` and `dimension`; then `n` zero data bytes. malloc'd. */
static uint8_t *dds(const char *fourcc, uint32_t caps2, uint32_t depth, uint32_t dxgi, uint32_t dimension, size_t n,
                    size_t *size) {
    zcti_dds_desc d = { .width = 4, .height = 4, .fourcc = fourcc, .caps2 = caps2, .depth = depth, .dxgi = dxgi,
                        .dimension = dimension, .array = 1, .n = n };
    return zcti_dds(&d, size);
}

/* A 4x4 grey SGI image with colour map kind `colormap`, stored verbatim. malloc'd. */
static uint8_t *sgi(uint8_t colormap, size_t *size) {
    *size = 512 + 16;
    uint8_t *b = calloc(1, *size);
    cr_assert_not_null(b);
    b[0] = 0x01, b[1] = 0xDA; /* magic 474 */
    b[3] = 1;                 /* 1 byte per value */
    b[5] = 2;                 /* dimension 2 */
    b[7] = 4, b[9] = 4, b[11] = 1;
    b[15] = 255; /* pixmax */
    b[107] = colormap;
    for (int i = 0; i < 16; ++i) b[512 + i] = (uint8_t)(i * 16);
    return b;
}

typedef struct blob_case {
    const char *path;
    uint8_t *bytes;
    size_t size;
    const char *reason;
} blob_case;

/* The entry at c->path is a blob holding exactly c's bytes. */
static void expect_blob_of(zc_pack *pack, const blob_case *c) {
    zc_hold h;
    cr_assert_eq(zc_pack_get(pack, c->path, &h), ZC_OK, "%s is not in the pack", c->path);
    cr_expect_eq(h.entry.type, ZC_TYPE_BLOB, "%s: type %u", c->path, h.entry.type);
    cr_assert(h.size == c->size && memcmp(h.data, c->bytes, c->size) == 0, "%s: the blob is not the file's bytes",
              c->path);
    zc_hold_release(&h);
}

Test(texture_undecoded, build_and_import_pack_them_as_blobs_with_the_reason) {
    zcti_require(ZCTI_PYGAME "/green.pcx");
    blob_case cases[5] = {
        { "maps/volume.dds", NULL, 0, "a DDS volume texture, which is not imported" },
        { "maps/ramp.dds", NULL, 0, "a DDS texture of another dimension than 2D, which is not imported" },
        { "sky/two_faces.dds", NULL, 0, "a DDS cube map without all six faces, which is not imported" },
        { "hdr/r11g11b10.dds", NULL, 0, "a DDS file of DXGI format 26, which is not imported" },
        { "skins/planes.pcx", NULL, 0, "a PCX image of 2 bits in 3 planes, which is not imported" },
    };
    cases[0].bytes = dds("DXT1", 0x200000 /* DDSCAPS2_VOLUME */, 4, 0, 0, 4 * 8, &cases[0].size);
    cases[1].bytes = dds(NULL, 0, 0, 28 /* RGBA8 */, 2 /* TEXTURE1D */, 64, &cases[1].size);
    cases[2].bytes = dds("DXT1", 0x200 | 0x400 | 0x800, 0, 0, 0, 2 * 8, &cases[2].size);
    cases[3].bytes = dds(NULL, 0, 0, 26 /* R11G11B10_FLOAT */, 3, 64, &cases[3].size);
    cases[4].bytes = zct_read_file(ZCTI_PYGAME "/green.pcx", &cases[4].size);
    cases[4].bytes[3] = 2; /* 2 bits in 3 planes */
    for (size_t i = 0; i < 5; ++i) zct_put(zcti_in_dir, cases[i].path, cases[i].bytes, cases[i].size);
    size_t sgi_size, good_size;
    uint8_t *mapped = sgi(3, &sgi_size), *good = sgi(0, &good_size);
    zct_put(zcti_in_dir, "cars/paint.sgi", mapped, sgi_size);
    zct_put(zcti_in_dir, "cars/grey.sgi", good, good_size);

    zct_run r = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path);
    cr_assert_eq(r.code, 0, "%s", r.err);
    for (size_t i = 0; i < 5; ++i) {
        char want[256];
        snprintf(want, sizeof want, "%s: %s", cases[i].path, cases[i].reason);
        ZCT_EXPECT_ERR(r, want);
    }
    ZCT_EXPECT_ERR(r, "cars/paint.sgi: an SGI image with colour map kind 3, which is not imported");
    ZCT_EXPECT_ERR(r, "which is not imported: packed as raw bytes");
    cr_assert(strstr(r.out, "7 entries (1 texture, 0 models)"), "the summary counts six blobs:\n%s", r.out);
    zct_run_free(&r);

    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    for (size_t i = 0; i < 5; ++i) expect_blob_of(pack, &cases[i]);
    blob_case paint = { "cars/paint.sgi", mapped, sgi_size, NULL };
    expect_blob_of(pack, &paint);
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, "cars/grey.sgi", &e), ZC_OK);
    zc_texture_view v;
    cr_assert_eq(zc_texture_view_from_entry(&e, &v), ZC_OK, "the decodable SGI file is a texture");
    cr_assert(v.width == 4 && v.height == 4, "%ux%u", v.width, v.height);
    zc_pack_close(pack);

    /* `zcpack import` of one of them agrees: an object holding the blob, the same warning */
    char *object = zct_tmp_path("volume.zco");
    char *volume = zct_join(zcti_in_dir, cases[0].path);
    r = ZCT_CLI("import", volume, "--root", zcti_in_dir, "-o", object);
    cr_assert_eq(r.code, 0, "%s", r.err);
    ZCT_EXPECT_ERR(r, "a DDS volume texture, which is not imported: packed as raw bytes");
    zct_run_free(&r);
    char *linked = zct_tmp_path("linked.zcpack");
    r = ZCT_CLI("link", object, "-o", linked);
    cr_assert_eq(r.code, 0, "%s", r.err);
    zct_run_free(&r);
    pack = zcti_open_pack(linked);
    expect_blob_of(pack, &cases[0]);
    zc_pack_close(pack);

    for (size_t i = 0; i < 5; ++i) free(cases[i].bytes);
    free(mapped);
    free(good);
    free(object);
    free(volume);
    free(linked);
}

/* A damaged file of the same formats is no kind of image: it fails the build, naming
 * the file and the damage, and is not packed as raw bytes. */
Test(texture_undecoded, damaged_files_still_fail_the_build) {
    size_t size;
    uint8_t *cut = dds("DXT1", 0, 0, 0, 0, 0, &size); /* its one block missing */
    zct_put(zcti_in_dir, "maps/cut.dds", cut, size);
    zct_run r = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path);
    cr_assert_eq(r.code, 6, "exit %d: %s", r.code, r.err);
    ZCT_EXPECT_ERR(r, "maps/cut.dds: not a readable DDS file: its 1 level of 1 layer need 8 bytes");
    cr_assert_null(strstr(r.err, "packed as raw bytes"), "%s", r.err);
    zct_run_free(&r);
    free(cut);
}
