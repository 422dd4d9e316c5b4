/* test_get.c - zc_pack_get and zc_pack_get_id: an entry's raw bytes whatever its codec.
 *
 * Every test packs the demo tree (samples/assets, the pack the README's examples
 * read) with the packer library, as `zcpack build` does: its small blobs come out
 * compressed, its textures, meshes, materials and scene stored raw. Some tests add a
 * file of random bytes (incompressible, so stored raw) or a manifest that compresses
 * every entry. Raw bytes are compared with the source files; "no allocation" is
 * counted by the malloc wrappers (zc_test_alloc_wrap.h), which see the runtime's
 * default allocator.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "zc_build.h"
#include "zc_pack.h"
#include "zc_test_alloc_wrap.h"
#include "zc_test_util.h"


/* The files of samples/assets, and which of them are blobs. */
static const struct {
    const char *path;
    int blob;
} demo_files[] = {
    { "config/game.json", 1 },     { "levels/level01.txt", 1 },     { "scene/demo.bin", 1 },
    { "scene/demo.gltf", 0 },      { "shaders/sky.glsl", 1 },       { "text/strings_en.csv", 1 },
    { "textures/bricks.png", 0 },  { "textures/bricks_n.png", 0 },  { "textures/leaves.png", 0 },
};
#define DEMO_FILE_COUNT (sizeof demo_files / sizeof demo_files[0])
#define NOISE_PATH "data/noise.bin"
#define NOISE_SIZE 5000

/* Copy the demo tree to zct_tmp/assets, plus NOISE_SIZE random bytes at NOISE_PATH
 * when `noise`, and `manifest` as its zcpack.json unless NULL; build it into
 * zct_tmp/name and return the pack's path (malloc'd). */
static char *demo_pack(const char *name, int noise, const char *manifest) {
    char *root = zct_tmp_path("assets");
    for (size_t i = 0; i < DEMO_FILE_COUNT; ++i) {
        char source[512];
        snprintf(source, sizeof source, "samples/assets/%s", demo_files[i].path);
        zct_copy_file(zct_source_path(source), root, demo_files[i].path);
    }
    if (noise) {
        uint8_t bytes[NOISE_SIZE];
        zct_fill(bytes, sizeof bytes, 42);
        zct_put(root, NOISE_PATH, bytes, sizeof bytes);
    }
    if (manifest) zct_put_text(root, "zcpack.json", manifest);
    char *out = zct_tmp_path(name);
    zct_log log = { 0 };
    zc_build_stats stats;
    zc_result r = zc_build(&(zc_build_desc){ .input_dir = root, .output_path = out, .no_sync = 1, .threads = 2,
                                             .logger = zct_log_recorder(&log) },
                           &stats);
    cr_assert_eq(r, ZC_OK, "zc_build: %s (%s)", zc_result_str(r), log.count ? log.messages[0] : "");
    free(root);
    return out;
}

static zc_pack *open_pack(const char *path, zct_log *log) {
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .logger = zct_log_recorder(log) });
    cr_assert_eq(r, ZC_OK, "zc_pack_open %s: %s", path, zc_result_str(r));
    return pack;
}

/* The fixture: the demo tree with NOISE_PATH, packed into demo_path and opened as
 * demo (its logger records into demo_log). A test that closes demo sets it to NULL. */
static char *demo_path;
static zc_pack *demo;
static zct_log demo_log;

static void get_setup(void) {
    zct_tmp_setup();
    demo_path = demo_pack("demo.zcpack", 1, NULL);
    demo = open_pack(demo_path, &demo_log);
}

static void get_teardown(void) {
    zc_pack_close(demo);
    demo = NULL;
    free(demo_path);
    demo_path = NULL;
    zct_tmp_teardown();
}

TestSuite(get, .init = get_setup, .fini = get_teardown, .timeout = 120);

/* The bytes of samples/assets/<path> (malloc'd). */
static uint8_t *source_bytes(const char *path, size_t *size) {
    char relative[512];
    snprintf(relative, sizeof relative, "samples/assets/%s", path);
    uint8_t *bytes = zct_read_source(relative, size);
    cr_assert(bytes, "cannot read %s", relative);
    return bytes;
}

/* The first byte of the pack's mapping, from any entry's data and offset. */
static const uint8_t *mapping_start(const zc_pack *pack) {
    zc_entry e;
    cr_assert_eq(zc_pack_entry_at(pack, 0, &e), ZC_OK);
    return (const uint8_t *)e.data - e.offset;
}

Test(get, stored_entry_points_into_the_mapping_without_allocating) {
    zc_pack *pack = demo;
    zct_log *log = &demo_log;
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
    cr_assert(info.mapped, "the pack is mapped");
    const uint8_t *start = mapping_start(pack);

    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, NOISE_PATH, &e), ZC_OK);
    cr_assert_eq(e.codec, ZC_CODEC_NONE, "random bytes are stored raw");

    zct_wrap_arm(-1, 0);
    zc_hold hold;
    zc_result r = zc_pack_get(pack, NOISE_PATH, &hold);
    zct_wrap_report during = zct_wrap_disarm();
    cr_assert_eq(r, ZC_OK, "%s", zc_result_str(r));
    cr_assert_eq(during.calls, 0, "zc_pack_get of a stored entry made %ld allocation calls", during.calls);
    cr_assert_eq(hold.data, e.data, "the hold points at the entry's bytes in the mapping");
    cr_assert((const uint8_t *)hold.data >= start && (const uint8_t *)hold.data + hold.size <= start + info.file_size);
    cr_assert_eq(hold.size, NOISE_SIZE);
    cr_assert_eq(hold.slot, NULL, "no cache slot for a stored entry");
    cr_assert_eq(hold.entry.id, e.id);
    cr_assert_eq(hold.pack, pack);
    uint8_t expect[NOISE_SIZE];
    zct_fill(expect, sizeof expect, 42);
    cr_assert_eq(memcmp(hold.data, expect, NOISE_SIZE), 0);

    zct_wrap_arm(-1, 0);
    zc_hold_release(&hold);
    during = zct_wrap_disarm();
    cr_assert_eq(during.calls, 0, "releasing the hold allocated");
    cr_assert_eq(hold.pack, NULL, "release zeroes the hold");
    zc_cache_stats stats;
    cr_assert_eq(zc_pack_cache_stats(pack, &stats), ZC_OK);
    cr_assert_eq(stats.decodes + stats.resident_entries, 0, "the cache was not used");
    cr_assert_eq(log->count, 0, "nothing was logged: %s", log->count ? log->messages[0] : "");

    /* The control: the wrappers do see the runtime allocate, for a compressed entry. */
    zct_wrap_arm(-1, 0);
    r = zc_pack_get(pack, "shaders/sky.glsl", &hold);
    zc_hold_release(&hold);
    during = zct_wrap_disarm();
    cr_assert_eq(r, ZC_OK);
    cr_assert_gt(during.calls, 0, "decoding a compressed entry allocates its buffer");
}

Test(get, compressed_entries_give_the_source_bytes) {
    zc_pack *pack = demo;
    uint32_t compressed = 0;
    for (size_t i = 0; i < DEMO_FILE_COUNT; ++i) {
        if (!demo_files[i].blob) continue;
        zc_entry e;
        cr_assert_eq(zc_pack_find(pack, demo_files[i].path, &e), ZC_OK, "%s", demo_files[i].path);
        if (e.codec == ZC_CODEC_ZSTD) {
            ++compressed;
            const void *in_place;
            uint64_t size;
            cr_assert_eq(zc_entry_bytes(&e, ZC_TYPE_BLOB, &in_place, &size), ZC_ERR_UNSUPPORTED_CODEC,
                         "%s: the stored bytes are a zstd frame", e.path);
        }
        size_t source_size;
        uint8_t *source = source_bytes(demo_files[i].path, &source_size);
        zc_hold hold;
        zc_result r = zc_pack_get(pack, demo_files[i].path, &hold);
        cr_assert_eq(r, ZC_OK, "%s: %s", demo_files[i].path, zc_result_str(r));
        cr_assert_eq(hold.size, source_size, "%s", demo_files[i].path);
        cr_assert_eq(memcmp(hold.data, source, source_size), 0, "%s: the bytes differ from the source",
                     demo_files[i].path);
        cr_assert_eq(hold.entry.type, ZC_TYPE_BLOB);
        cr_assert_eq((uintptr_t)hold.data % hold.entry.alignment, 0, "%s", demo_files[i].path);
        zc_hold_release(&hold);
        free(source);
    }
    cr_assert_geq(compressed, 3, "the demo pack compresses its small blobs (%u are)", compressed);

    /* Through the decoded-entry cache: one decode, then hits on the same buffer. */
    zc_hold first, second;
    cr_assert_eq(zc_pack_get(pack, "shaders/sky.glsl", &first), ZC_OK);
    cr_assert_eq(first.entry.codec, ZC_CODEC_ZSTD);
    cr_assert_neq(first.slot, NULL, "a compressed entry is held in a cache slot");
    cr_assert_eq(zc_pack_get(pack, "shaders/sky.glsl", &second), ZC_OK);
    cr_assert_eq(second.data, first.data, "the second get hands out the cached buffer");
    zc_cache_stats stats;
    cr_assert_eq(zc_pack_cache_stats(pack, &stats), ZC_OK);
    cr_assert_eq(stats.decodes, compressed, "each compressed entry decoded once");
    cr_assert_eq(stats.held_bytes, first.size);
    zc_hold_release(&second);
    zc_hold_release(&first);
}

Test(get, missing_paths_and_bad_arguments) {
    zc_pack *pack = demo;
    zct_log *log = &demo_log;
    zc_hold hold, zero;
    memset(&zero, 0, sizeof zero);

    memset(&hold, 0xAB, sizeof hold);
    cr_assert_eq(zc_pack_get(pack, "shaders/none.glsl", &hold), ZC_ERR_NO_ENTRY);
    cr_assert_eq(memcmp(&hold, &zero, sizeof hold), 0, "a failed get zeroes the hold");
    cr_assert_eq(zc_pack_get(pack, "", &hold), ZC_ERR_NO_ENTRY);
    cr_assert_eq(zc_pack_get(pack, "shaders", &hold), ZC_ERR_NO_ENTRY, "a folder is not an entry");
    cr_assert_eq(zc_pack_get(pack, "shaders/sky.glsl/", &hold), ZC_ERR_NO_ENTRY);
    cr_assert_eq(zc_pack_get_id(pack, 0, &hold), ZC_ERR_NO_ENTRY, "id 0 means none");
    cr_assert_eq(zc_pack_get_id(pack, zc_asset_id("nothing", 7), &hold), ZC_ERR_NO_ENTRY);
    cr_assert_eq(log->count, 0, "a missing entry is not logged: %s", log->count ? log->messages[0] : "");

    memset(&hold, 0xAB, sizeof hold);
    cr_assert_eq(zc_pack_get(NULL, "shaders/sky.glsl", &hold), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(memcmp(&hold, &zero, sizeof hold), 0);
    cr_assert_eq(zc_pack_get(pack, NULL, &hold), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_pack_get(pack, "shaders/sky.glsl", NULL), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_pack_get_id(NULL, 1, &hold), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_pack_get_id(pack, 1, NULL), ZC_ERR_INVALID_ARGUMENT);
    zc_hold_release(&hold);     /* zeroed: a no-op */

    /* By id, the same entry and bytes as by path. */
    const char *sky = "shaders/sky.glsl";
    zc_hold by_path, by_id;
    cr_assert_eq(zc_pack_get(pack, sky, &by_path), ZC_OK);
    cr_assert_eq(zc_pack_get_id(pack, zc_asset_id(sky, strlen(sky)), &by_id), ZC_OK);
    cr_assert_eq(by_id.data, by_path.data);
    cr_assert_eq(by_id.entry.index, by_path.entry.index);
    cr_assert_str_eq(by_id.entry.path, sky);
    zc_hold_release(&by_id);
    zc_hold_release(&by_path);
}

/* Check that the typed entries of `pack` give views through zc_pack_get, and return
 * how many of them are compressed. Stored ones are held in place. */
static uint32_t view_typed_entries(zc_pack *pack) {
    uint32_t compressed = 0, seen[4] = { 0 };
    for (uint32_t i = 0; i < zc_pack_entry_count(pack); ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_entry_at(pack, i, &e), ZC_OK);
        if (e.type == ZC_TYPE_BLOB) continue;
        zc_hold hold;
        zc_result r = zc_pack_get(pack, e.path, &hold);
        cr_assert_eq(r, ZC_OK, "%s: %s", e.path, zc_result_str(r));
        cr_assert_eq(hold.entry.type, e.type);
        if (e.codec == ZC_CODEC_NONE)
            cr_assert_eq(hold.data, e.data, "%s: a stored entry is held in place", e.path);
        else
            ++compressed;
        if (e.type == ZC_TYPE_TEXTURE) {
            zc_texture_view view;
            cr_assert_eq(zc_texture_view_from_bytes(hold.data, hold.size, &view), ZC_OK, "%s", e.path);
            cr_assert_gt(view.mip_count, 1, "%s: the demo textures have mip chains", e.path);
            seen[0]++;
        } else if (e.type == ZC_TYPE_MESH) {
            zc_mesh_view view;
            cr_assert_eq(zc_mesh_view_from_bytes(hold.data, hold.size, &view), ZC_OK, "%s", e.path);
            cr_assert_gt(view.index_count, 0);
            seen[1]++;
        } else if (e.type == ZC_TYPE_MATERIAL) {
            zc_material_view view;
            cr_assert_eq(zc_material_view_from_bytes(hold.data, hold.size, &view), ZC_OK, "%s", e.path);
            seen[2]++;
        } else if (e.type == ZC_TYPE_SCENE) {
            zc_scene_view view;
            cr_assert_eq(zc_scene_view_from_bytes(hold.data, hold.size, &view), ZC_OK, "%s", e.path);
            cr_assert_eq(view.node_count, 15, "the demo scene has 15 nodes");
            seen[3]++;
        }
        zc_hold_release(&hold);
    }
    for (int t = 0; t < 4; ++t) cr_assert_gt(seen[t], 0, "type slot %d: no entry viewed", t);
    return compressed;
}

Test(get, typed_entries_view_whatever_their_codec) {
    cr_assert_eq(view_typed_entries(demo), 0, "typed entries are stored raw by default");

    /* Every entry compressed: views in place refuse them, zc_pack_get's bytes view. */
    char *all = demo_pack("all.zcpack", 0, "{ \"rules\": [ { \"match\": \"*\", \"compress\": true } ] }");
    zct_log log = { 0 };
    zc_pack *pack = open_pack(all, &log);
    zc_entry bricks;
    cr_assert_eq(zc_pack_find(pack, "textures/bricks.png", &bricks), ZC_OK);
    cr_assert_eq(bricks.codec, ZC_CODEC_ZSTD);
    zc_texture_view view;
    cr_assert_eq(zc_texture_view_from_entry(&bricks, &view), ZC_ERR_UNSUPPORTED_CODEC);
    cr_assert_geq(view_typed_entries(pack), 10, "typed entries are compressed under the manifest");
    zc_pack_close(pack);
    free(all);
}

Test(get, holds_outlive_the_pack) {
    zc_pack *pack = demo;
    zc_hold stored, compressed, texture;
    cr_assert_eq(zc_pack_get(pack, NOISE_PATH, &stored), ZC_OK);
    cr_assert_eq(zc_pack_get(pack, "text/strings_en.csv", &compressed), ZC_OK);
    cr_assert_eq(compressed.entry.codec, ZC_CODEC_ZSTD);
    cr_assert_eq(zc_pack_get(pack, "textures/leaves.png", &texture), ZC_OK);
    zc_pack_close(pack);
    demo = NULL;

    /* The file is gone too: only the holds keep the bytes. */
    cr_assert_eq(remove(demo_path), 0);
    uint8_t expect[NOISE_SIZE];
    zct_fill(expect, sizeof expect, 42);
    cr_assert_eq(memcmp(stored.data, expect, NOISE_SIZE), 0, "stored bytes survive zc_pack_close");
    size_t csv_size;
    uint8_t *csv = source_bytes("text/strings_en.csv", &csv_size);
    cr_assert_eq(compressed.size, csv_size);
    cr_assert_eq(memcmp(compressed.data, csv, csv_size), 0, "decoded bytes survive zc_pack_close");
    cr_assert_str_eq(compressed.entry.path, "text/strings_en.csv", "the entry's path survives too");
    zc_texture_view view;
    cr_assert_eq(zc_texture_view_from_bytes(texture.data, texture.size, &view), ZC_OK);
    zc_texture_level_view level;
    cr_assert_eq(zc_texture_view_level(&view, view.mip_count - 1, 0, &level), ZC_OK);
    cr_assert_eq(level.width, 1, "the last level of a full chain");
    zc_hold_release(&compressed);
    zc_hold_release(&texture);
    cr_assert_eq(memcmp(stored.data, expect, NOISE_SIZE), 0, "the last hold keeps the mapping");
    zc_hold_release(&stored);
    free(csv);
}
