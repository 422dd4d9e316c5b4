/* test_compression.c - compressed entries end to end: the packer's policy, levels and
 * dictionaries, the runtime's one-shot decoding into aligned buffers, its limits on
 * hostile frames, the decoded-entry cache (one decode under concurrent first access,
 * LRU eviction that never frees a held entry, holds that outlive zc_pack_close), and
 * validation of compressed entries at FULL and CHECKSUMS.
 *
 * Sources are real files from Debian packages: licence texts (base-files), the glTF
 * models of assimp-testmodels. Hostile frames are built byte by byte after RFC 8878
 * and stored with zc_writer_copy_entry (which stores bytes as they are), at no_verify.
 */
#include <criterion/criterion.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>
#include <zstd.h>

#include "zc_build.h"
#include "zc_pack.h"
#include "zc_test_util.h"
#include "zc_writer.h"

#define LICENSES "/usr/share/common-licenses/"
#define MODELS "/usr/share/assimp/models/glTF2/"

TestSuite(compression, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 300);

/* ---------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------- */

/* Copy a package file into root/rel; returns its bytes (malloc'd) and size. */
static uint8_t *copy_in(const char *src, const char *root, const char *rel, size_t *out_size) {
    size_t size;
    uint8_t *bytes = zct_read_file(src, &size);
    cr_assert(bytes, "cannot read %s (a Debian package file)", src);
    zct_put(root, rel, bytes, size);
    if (out_size) *out_size = size;
    return bytes;
}

/* Compressible text that is not a repetition of one block: licence text with a line
 * number per line, `size` bytes. */
static uint8_t *numbered_text(size_t size) {
    size_t gpl_size;
    uint8_t *gpl = zct_read_file(LICENSES "GPL-3", &gpl_size);
    cr_assert(gpl);
    uint8_t *out = (uint8_t *)malloc(size);
    cr_assert(out);
    size_t at = 0, src = 0;
    for (unsigned line = 0; at < size; ++line) {
        char number[16];
        int n = snprintf(number, sizeof number, "%u: ", line);
        for (int i = 0; i < n && at < size; ++i) out[at++] = (uint8_t)number[i];
        while (at < size) {
            uint8_t c = gpl[src++ % gpl_size];
            out[at++] = c;
            if (c == '\n') break;
        }
    }
    free(gpl);
    return out;
}

static zc_build_stats build(const char *root, const char *out, zc_build_desc desc) {
    desc.input_dir = root;
    desc.output_path = out;
    desc.no_sync = 1;
    desc.threads = 2;
    zct_log log = { 0 };
    desc.logger = zct_log_recorder(&log);
    zc_build_stats stats;
    zc_result r = zc_build(&desc, &stats);
    cr_assert_eq(r, ZC_OK, "zc_build %s: %s (%s)", root, zc_result_str(r), log.count ? log.messages[0] : "");
    return stats;
}

static zc_pack *open_with(const char *path, zc_pack_desc desc) {
    desc.path = path;
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &desc);
    cr_assert_eq(r, ZC_OK, "zc_pack_open %s: %s", path, zc_result_str(r));
    return pack;
}

static zc_pack *open_pack(const char *path) {
    return open_with(path, (zc_pack_desc){ .validate = ZC_VALIDATE_TOC });
}

static zc_entry find(const zc_pack *pack, const char *path) {
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, path, &e), ZC_OK, "no entry %s", path);
    return e;
}

/* Hold `path` and compare its raw bytes with expect[size]; the hold's data is aligned
 * to the entry's alignment and hashes to its content hash. */
static void assert_raw(zc_pack *pack, const char *path, const void *expect, size_t size) {
    zc_entry e = find(pack, path);
    zc_hold h;
    zc_result r = zc_pack_acquire(pack, &e, &h);
    cr_assert_eq(r, ZC_OK, "acquire %s: %s", path, zc_result_str(r));
    cr_assert_eq(h.size, size, "%s: %llu raw bytes, expected %zu", path, (unsigned long long)h.size, size);
    cr_assert_eq(memcmp(h.data, expect, size), 0, "%s: raw bytes differ from the source", path);
    cr_assert_eq((uintptr_t)h.data % e.alignment, 0, "%s: data not %u-aligned", path, e.alignment);
    cr_assert_eq(XXH3_64bits(h.data, size), e.content_hash);
    zc_hold_release(&h);
    cr_assert_null(h.pack, "release zeroes the hold");
}

/* ---------------------------------------------------------------------------------
 * An allocator that records the largest single request and the peak of live bytes
 * (thread-safe), to prove that hostile frames never cause a large allocation.
 * ------------------------------------------------------------------------------- */

typedef struct peak_stats {
    atomic_size_t current, peak, largest;
    atomic_long live;
} peak_stats;

static void *peak_alloc(size_t size, void *user_data) {
    peak_stats *s = (peak_stats *)user_data;
    uint8_t *block = (uint8_t *)malloc(size + 16);
    if (!block) return NULL;
    memcpy(block, &size, sizeof size);
    size_t now = atomic_fetch_add(&s->current, size) + size;
    for (size_t p = atomic_load(&s->peak); now > p && !atomic_compare_exchange_weak(&s->peak, &p, now);) {}
    for (size_t l = atomic_load(&s->largest); size > l && !atomic_compare_exchange_weak(&s->largest, &l, size);) {}
    atomic_fetch_add(&s->live, 1);
    return block + 16;
}

static void peak_free(void *ptr, void *user_data) {
    if (!ptr) return;
    peak_stats *s = (peak_stats *)user_data;
    uint8_t *block = (uint8_t *)ptr - 16;
    size_t size;
    memcpy(&size, block, sizeof size);
    atomic_fetch_sub(&s->current, size);
    atomic_fetch_sub(&s->live, 1);
    free(block);
}

static zc_allocator peak_allocator(peak_stats *s) {
    memset(s, 0, sizeof *s);
    return (zc_allocator){ peak_alloc, peak_free, s };
}

/* ---------------------------------------------------------------------------------
 * Hand-made zstd frames (RFC 8878) and packs holding them
 * ------------------------------------------------------------------------------- */

typedef struct frame {
    uint8_t bytes[4096];
    size_t size;
} frame;

static void frame_put(frame *f, const void *data, size_t n) {
    cr_assert(f->size + n <= sizeof f->bytes);
    memcpy(f->bytes + f->size, data, n);
    f->size += n;
}

static void frame_le(frame *f, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) {
        uint8_t b = (uint8_t)(v >> (8 * i));
        frame_put(f, &b, 1);
    }
}

/* Frame header: 8-byte Frame_Content_Size `fcs`, not single-segment, with the
 * Window_Descriptor `wd` (window = 2^(10 + (wd >> 3)) + mantissa). */
static void frame_header(frame *f, uint64_t fcs, uint8_t wd) {
    frame_le(f, 0xFD2FB528u, 4);
    frame_le(f, 0xC0u, 1);
    frame_le(f, wd, 1);
    frame_le(f, fcs, 8);
}

/* A Raw_Block of `n` bytes; last marks the frame's final block. */
static void frame_raw_block(frame *f, const void *data, size_t n, int last) {
    frame_le(f, (uint32_t)(last ? 1 : 0) | (uint32_t)n << 3, 3);
    frame_put(f, data, n);
}

/* A real frame of `n` raw bytes from zstd, with or without the content size. */
static void frame_zstd(frame *f, const void *raw, size_t n, int content_size) {
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 3);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, content_size);
    size_t got = ZSTD_compress2(cctx, f->bytes + f->size, sizeof f->bytes - f->size, raw, n);
    ZSTD_freeCCtx(cctx);
    cr_assert(!ZSTD_isError(got), "%s", ZSTD_getErrorName(got));
    f->size += got;
}

/* A pack holding one blob entry "hostile" stored as `stored` with codec 1, the given
 * raw size and content hash, plus an uncompressed "plain" entry. Not verified. */
static char *hostile_pack(const char *name, const frame *stored, uint64_t raw_size, uint64_t content_hash) {
    char *path = zct_tmp_path(name);
    zc_writer *w = NULL;
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = path, .no_sync = 1, .no_verify = 1 }), ZC_OK);
    zc_entry e;
    memset(&e, 0, sizeof e);
    e.path = "hostile";
    e.type = ZC_TYPE_BLOB;
    e.layout_hash = ZC_BLOB_LAYOUT_HASH;
    e.codec = ZC_CODEC_ZSTD;
    e.alignment = 16;
    e.data = stored->bytes;
    e.stored_size = stored->size;
    e.raw_size = raw_size;
    e.content_hash = content_hash;
    cr_assert_eq(zc_writer_copy_entry(w, &e), ZC_OK);
    cr_assert_eq(zc_writer_begin_entry(w, "plain", ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 0), ZC_OK);
    cr_assert_eq(zc_writer_write(w, "plain bytes", 11), ZC_OK);
    cr_assert_eq(zc_writer_end_entry(w), ZC_OK);
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
    return path;
}

/* Open `path` (TOC level) with the peak allocator and acquire "hostile": the result,
 * with no allocation above `max_alloc` bytes, nothing cached, the plain entry still
 * readable, every allocation freed at close. */
static zc_result acquire_hostile(const char *path, size_t max_alloc, zct_log *log) {
    peak_stats ps;
    zc_pack *pack =
        open_with(path, (zc_pack_desc){ .allocator = peak_allocator(&ps), .logger = zct_log_recorder(log) });
    zc_entry e = find(pack, "hostile");
    zc_hold h;
    zc_result r = zc_pack_acquire(pack, &e, &h);
    cr_assert_neq(r, ZC_OK, "a hostile frame was accepted");
    cr_assert_null(h.data);
    cr_assert_null(h.pack, "a failed acquire leaves the hold zeroed");
    cr_assert_eq(zc_pack_acquire(pack, &e, &h), r, "a failed decode is not cached: the retry fails the same way");
    zc_cache_stats cs;
    cr_assert_eq(zc_pack_cache_stats(pack, &cs), ZC_OK);
    cr_assert_eq(cs.decodes, 0);
    cr_assert_eq(cs.resident_entries, 0);
    cr_assert_leq(atomic_load(&ps.largest), max_alloc, "largest allocation %zu bytes (limit %zu)",
                  atomic_load(&ps.largest), max_alloc);
    assert_raw(pack, "plain", "plain bytes", 11);
    cr_assert_eq(zc_pack_validate(pack, ZC_VALIDATE_FULL), r, "full validation reports the same problem");
    zc_pack_close(pack);
    cr_assert_eq(atomic_load(&ps.live), 0, "every allocation is freed at close");
    return r;
}

/* ---------------------------------------------------------------------------------
 * Round trips through zcpack build
 * ------------------------------------------------------------------------------- */

Test(compression, blobs_round_trip_and_policy) {
    char *root = zct_tmp_path("tree");
    size_t gpl_size, apache_size;
    uint8_t *gpl = copy_in(LICENSES "GPL-3", root, "text/GPL-3", &gpl_size);
    uint8_t *apache = copy_in(LICENSES "Apache-2.0", root, "text/Apache-2.0", &apache_size);
    zct_put(root, "text/GPL-3.copy", gpl, gpl_size);
    uint8_t noise[65536];
    zct_fill(noise, sizeof noise, 7);
    zct_put(root, "noise.bin", noise, sizeof noise);
    size_t big_size = (size_t)ZC_WRITER_COMPRESS_MEMORY + 3u * 1024u * 1024u + 123u; /* streamed path */
    uint8_t *big = numbered_text(big_size);
    zct_put(root, "big.txt", big, big_size);
    zct_put(root, "big-copy.txt", big, big_size);
    size_t loud_size = (size_t)ZC_WRITER_COMPRESS_MEMORY + 4096u + 5u; /* streamed, incompressible */
    uint8_t *loud = (uint8_t *)malloc(loud_size);
    zct_fill(loud, loud_size, 11);
    zct_put(root, "loud.bin", loud, loud_size);
    zct_put(root, "tiny.txt", "ok", 2);

    char *out = zct_tmp_path("blobs.zcpack");
    build(root, out, (zc_build_desc){ 0 });
    zc_pack *pack = open_with(out, (zc_pack_desc){ .validate = ZC_VALIDATE_CHECKSUMS });
    cr_assert_eq(find(pack, "text/GPL-3").codec, ZC_CODEC_ZSTD, "licence text is compressed");
    cr_assert_eq(find(pack, "text/Apache-2.0").codec, ZC_CODEC_ZSTD);
    cr_assert_eq(find(pack, "big.txt").codec, ZC_CODEC_ZSTD_SEEKABLE,
                 "a blob beyond the memory buffer is compressed too, as seekable frames (above 1 MiB)");
    cr_assert_eq(find(pack, "noise.bin").codec, ZC_CODEC_NONE, "incompressible bytes stay raw");
    cr_assert_eq(find(pack, "loud.bin").codec, ZC_CODEC_NONE, "a streamed incompressible blob stays raw");
    cr_assert_eq(find(pack, "tiny.txt").codec, ZC_CODEC_NONE);
    zc_entry g = find(pack, "text/GPL-3"), gc = find(pack, "text/GPL-3.copy");
    cr_assert_eq(g.offset, gc.offset, "identical payloads are stored once");
    cr_assert_eq(g.stored_size, gc.stored_size);
    cr_assert_lt(g.stored_size * 100, g.raw_size * 95, "stored within the 5 %% policy");
    cr_assert_eq(g.content_hash, XXH3_64bits(gpl, gpl_size), "the content hash is of the raw bytes");
    zc_entry b = find(pack, "big.txt");
    cr_assert_eq(find(pack, "big-copy.txt").offset, b.offset, "streamed twins are stored once too");
    cr_assert_lt(b.stored_size * 4, b.raw_size, "numbered text compresses well (%llu of %llu)",
                 (unsigned long long)b.stored_size, (unsigned long long)b.raw_size);

    assert_raw(pack, "text/GPL-3", gpl, gpl_size);
    assert_raw(pack, "text/GPL-3.copy", gpl, gpl_size);
    assert_raw(pack, "text/Apache-2.0", apache, apache_size);
    assert_raw(pack, "noise.bin", noise, sizeof noise);
    assert_raw(pack, "big.txt", big, big_size);
    assert_raw(pack, "loud.bin", loud, loud_size);
    assert_raw(pack, "tiny.txt", "ok", 2);
    zc_pack_close(pack);

    /* --min-saving 99 keeps everything raw; no compression gives the same raw bytes. */
    char *strict = zct_tmp_path("strict.zcpack");
    build(root, strict, (zc_build_desc){ .min_saving_percent = 99 });
    pack = open_pack(strict);
    cr_assert_eq(find(pack, "text/GPL-3").codec, ZC_CODEC_NONE, "a 99 %% saving is out of reach");
    zc_pack_close(pack);
    char *plain = zct_tmp_path("plain.zcpack");
    build(root, plain, (zc_build_desc){ .no_entry_compression = 1 });
    pack = open_pack(plain);
    for (uint32_t i = 0; i < zc_pack_entry_count(pack); ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_entry_at(pack, i, &e), ZC_OK);
        cr_assert_eq(e.codec, ZC_CODEC_NONE, "%s is compressed despite no_entry_compression", e.path);
    }
    zc_pack_close(pack);

    free(gpl);
    free(apache);
    free(big);
    free(loud);
    free(strict);
    free(plain);
    free(out);
    free(root);
}

/* Every entry of `a` holds the same raw bytes as the entry of the same path in `b`;
 * returns how many entries of each type `a` stores compressed (index by type slot). */
static void compare_packs(zc_pack *a, zc_pack *b, uint32_t counts[6]) {
    static const uint32_t types[6] = { ZC_TYPE_BLOB, ZC_TYPE_TEXTURE, ZC_TYPE_MESH, ZC_TYPE_MATERIAL, ZC_TYPE_SCENE,
                                       ZC_TYPE_ZSTD_DICT };
    memset(counts, 0, 6 * sizeof *counts);
    cr_assert_eq(zc_pack_entry_count(a), zc_pack_entry_count(b));
    for (uint32_t i = 0; i < zc_pack_entry_count(a); ++i) {
        zc_entry ea, eb;
        cr_assert_eq(zc_pack_entry_at(a, i, &ea), ZC_OK);
        eb = find(b, ea.path);
        cr_assert_eq(ea.content_hash, eb.content_hash, "%s: content hashes differ", ea.path);
        zc_hold ha, hb;
        cr_assert_eq(zc_pack_acquire(a, &ea, &ha), ZC_OK, "%s", ea.path);
        cr_assert_eq(zc_pack_acquire(b, &eb, &hb), ZC_OK, "%s", eb.path);
        cr_assert_eq(ha.size, hb.size, "%s", ea.path);
        cr_assert(ha.size == 0 || memcmp(ha.data, hb.data, (size_t)ha.size) == 0, "%s: raw bytes differ", ea.path);
        for (int t = 0; t < 6; ++t)
            if (ea.type == types[t] && ea.codec == ZC_CODEC_ZSTD) counts[t]++;
        zc_hold_release(&ha);
        zc_hold_release(&hb);
    }
}

/* The model tree: a textured box (glTF + PNG) and an engine (GLB: meshes,
 * materials, scene), plus a licence text. */
static char *model_tree(void) {
    char *root = zct_tmp_path("models");
    free(copy_in(MODELS "BoxTextured-glTF/BoxTextured.gltf", root, "box/BoxTextured.gltf", NULL));
    free(copy_in(MODELS "BoxTextured-glTF/BoxTextured0.bin", root, "box/BoxTextured0.bin", NULL));
    free(copy_in(MODELS "BoxTextured-glTF/CesiumLogoFlat.png", root, "box/CesiumLogoFlat.png", NULL));
    free(copy_in(MODELS "2CylinderEngine-glTF-Binary/2CylinderEngine.glb", root, "engine.glb", NULL));
    free(copy_in(LICENSES "GPL-3", root, "GPL-3", NULL));
    return root;
}

Test(compression, every_type_round_trips) {
    char *root = model_tree();
    char *plain = zct_tmp_path("plain.zcpack"), *policy = zct_tmp_path("policy.zcpack");
    char *all = zct_tmp_path("all.zcpack");
    build(root, plain, (zc_build_desc){ .no_entry_compression = 1 });
    build(root, policy, (zc_build_desc){ 0 });
    const char *manifest = "{ \"rules\": [ { \"match\": \"*\", \"compress\": true, \"format\": \"rgba8\" } ] }";
    zct_put(root, "zcpack.json", manifest, strlen(manifest));
    char *plain_rgba = zct_tmp_path("plain_rgba.zcpack");
    build(root, all, (zc_build_desc){ .compress_level = 19 });
    build(root, plain_rgba, (zc_build_desc){ .no_entry_compression = 1 });

    /* The default policy: blobs compressed; textures, meshes, materials and scenes
     * (viewed in place) raw. */
    zc_pack *p = open_with(plain, (zc_pack_desc){ .validate = ZC_VALIDATE_CHECKSUMS });
    zc_pack *q = open_with(policy, (zc_pack_desc){ .validate = ZC_VALIDATE_CHECKSUMS });
    uint32_t counts[6];
    compare_packs(q, p, counts);
    cr_assert_gt(counts[0], 0, "blobs are compressed by default");
    cr_assert_eq(counts[1], 0, "textures stay raw by default");
    cr_assert_eq(counts[2], 0, "meshes stay raw by default");
    cr_assert_eq(counts[3], 0, "materials stay raw by default");
    cr_assert_eq(counts[4], 0, "scenes stay raw by default");
    zc_pack_close(p);
    zc_pack_close(q);

    /* "compress": true: textures and meshes too, and every raw byte survives. */
    p = open_with(plain_rgba, (zc_pack_desc){ .validate = ZC_VALIDATE_CHECKSUMS });
    q = open_with(all, (zc_pack_desc){ .validate = ZC_VALIDATE_CHECKSUMS });
    compare_packs(q, p, counts);
    for (int t = 0; t < 5; ++t) cr_assert_gt(counts[t], 0, "type slot %d: no compressed entry", t);

    /* Views refuse compressed entries in place and accept their held raw bytes. */
    zc_entry tex = find(q, "box/CesiumLogoFlat.png");
    cr_assert_eq(tex.codec, ZC_CODEC_ZSTD);
    zc_texture_view tv;
    cr_assert_eq(zc_texture_view_from_entry(&tex, &tv), ZC_ERR_UNSUPPORTED_CODEC);
    zc_hold h;
    cr_assert_eq(zc_pack_acquire(q, &tex, &h), ZC_OK);
    cr_assert_eq((uintptr_t)h.data % 4096u, 0, "a texture's decoded buffer keeps its page alignment");
    cr_assert_eq(zc_texture_view_from_bytes(h.data, h.size, &tv), ZC_OK);
    zc_hold_release(&h);

    zc_entry scene = find(q, "engine.glb");
    cr_assert_eq(scene.codec, ZC_CODEC_ZSTD);
    zc_scene_view sv;
    cr_assert_eq(zc_scene_view_from_entry(&scene, &sv), ZC_ERR_UNSUPPORTED_CODEC);
    cr_assert_eq(zc_pack_acquire(q, &scene, &h), ZC_OK);
    cr_assert_eq(zc_scene_view_from_bytes(h.data, h.size, &sv), ZC_OK);
    cr_assert_gt(sv.node_count, 10, "the engine has many nodes");
    zc_scene_view pv;
    zc_entry plain_scene = find(p, "engine.glb");
    cr_assert_eq(zc_scene_view_from_entry(&plain_scene, &pv), ZC_OK);
    cr_assert_eq(sv.node_count, pv.node_count);
    zc_hold_release(&h);

    for (uint32_t i = 0; i < zc_pack_entry_count(q); ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_entry_at(q, i, &e), ZC_OK);
        if (e.codec != ZC_CODEC_ZSTD) continue;
        cr_assert_eq(zc_pack_acquire(q, &e, &h), ZC_OK);
        if (e.type == ZC_TYPE_MESH) {
            zc_mesh_view mv;
            cr_assert_eq(zc_mesh_view_from_entry(&e, &mv), ZC_ERR_UNSUPPORTED_CODEC);
            cr_assert_eq(zc_mesh_view_from_bytes(h.data, h.size, &mv), ZC_OK, "%s", e.path);
        } else if (e.type == ZC_TYPE_MATERIAL) {
            zc_material_view mv;
            cr_assert_eq(zc_material_view_from_entry(&e, &mv), ZC_ERR_UNSUPPORTED_CODEC);
            cr_assert_eq(zc_material_view_from_bytes(h.data, h.size, &mv), ZC_OK, "%s", e.path);
        }
        zc_hold_release(&h);
    }
    zc_pack_close(p);
    zc_pack_close(q);
    free(plain_rgba);
    free(plain);
    free(policy);
    free(all);
    free(root);
}

Test(compression, manifest_switches_and_determinism) {
    char *root = model_tree();
    const char *manifest = "{ \"rules\": [ { \"match\": \"box/*.png\", \"compress\": true, \"format\": \"rgba8\" },"
                           " { \"match\": \"GPL-3\", \"compress\": false } ] }";
    zct_put(root, "zcpack.json", manifest, strlen(manifest));
    char *a = zct_tmp_path("a.zcpack"), *b = zct_tmp_path("b.zcpack");
    build(root, a, (zc_build_desc){ 0 });
    build(root, b, (zc_build_desc){ .threads = 1 });
    cr_assert(zct_files_equal(a, b), "the same tree and options give the same bytes");
    zc_pack *pack = open_pack(a);
    cr_assert_eq(find(pack, "box/CesiumLogoFlat.png").codec, ZC_CODEC_ZSTD, "compress: true reaches a texture");
    cr_assert_eq(find(pack, "GPL-3").codec, ZC_CODEC_NONE, "compress: false keeps a text raw");
    cr_assert_eq(find(pack, "engine.glb#mesh/0").codec, ZC_CODEC_NONE, "meshes stay raw without a rule");
    cr_assert_eq(find(pack, "engine.glb").codec, ZC_CODEC_NONE, "scenes stay raw without a rule");
    zc_pack_close(pack);
    free(a);
    free(b);
    free(root);
}

/* n small JSON documents of one shape with different values: what dictionaries are for. */
static void json_tree(const char *root, int n) {
    for (int i = 0; i < n; ++i) {
        char doc[2048], rel[64];
        int len = snprintf(doc, sizeof doc,
                           "{\n  \"name\": \"enemy_%03d\",\n  \"health\": %d,\n  \"speed\": %d.%d,\n"
                           "  \"faction\": \"%s\",\n  \"loot\": [\"gold\", \"potion_%d\", \"scroll\"],\n"
                           "  \"behaviour\": { \"aggressive\": %s, \"patrol_radius\": %d, \"sight\": %d },\n"
                           "  \"animations\": { \"idle\": \"anim/idle_%d.anim\", \"walk\": \"anim/walk.anim\","
                           " \"attack\": \"anim/attack_%d.anim\" },\n"
                           "  \"sounds\": [\"sfx/hit_%d.ogg\", \"sfx/die.ogg\"]\n}\n",
                           i, 100 + i * 7, 3 + i % 5, i % 10, i % 3 ? "orcs" : "goblins", i % 4,
                           i % 2 ? "true" : "false", 10 + i, 25 + i % 9, i % 6, i % 3, i % 5);
        snprintf(rel, sizeof rel, "data/enemy_%03d.json", i);
        zct_put(root, rel, doc, (size_t)len);
    }
}

Test(compression, dictionaries) {
    char *root = zct_tmp_path("json");
    json_tree(root, 200);
    char *with = zct_tmp_path("dict.zcpack"), *again = zct_tmp_path("dict2.zcpack");
    char *without = zct_tmp_path("nodict.zcpack");
    build(root, with, (zc_build_desc){ .dictionaries = 1 });
    build(root, again, (zc_build_desc){ .dictionaries = 1, .threads = 1 });
    build(root, without, (zc_build_desc){ 0 });
    cr_assert(zct_files_equal(with, again), "dictionary training is deterministic");

    zc_pack *d = open_with(with, (zc_pack_desc){ .validate = ZC_VALIDATE_CHECKSUMS });
    zc_pack *n = open_pack(without);
    zc_pack_info di, ni;
    cr_assert_eq(zc_pack_get_info(d, &di), ZC_OK);
    cr_assert_eq(zc_pack_get_info(n, &ni), ZC_OK);
    cr_assert_lt(di.file_size, ni.file_size, "the dictionary pays off: %llu vs %llu bytes",
                 (unsigned long long)di.file_size, (unsigned long long)ni.file_size);
    cr_assert_eq(di.entry_count, ni.entry_count + 1, "one dictionary entry");

    uint32_t dict_id = 0, with_dict = 0;
    for (uint32_t i = 0; i < di.entry_count; ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_entry_at(d, i, &e), ZC_OK);
        if (e.type == ZC_TYPE_ZSTD_DICT) dict_id = zc_zstd_dict_id(e.data, e.raw_size);
    }
    cr_assert_neq(dict_id, 0, "the pack holds a dictionary");
    for (uint32_t i = 0; i < di.entry_count; ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_entry_at(d, i, &e), ZC_OK);
        if (e.type == ZC_TYPE_ZSTD_DICT) {
            cr_assert_eq(e.codec, ZC_CODEC_NONE, "the dictionary is stored raw");
            cr_assert_eq(zc_zstd_dict_check(e.data, e.raw_size, NULL), ZC_OK);
            char expect[32];
            snprintf(expect, sizeof expect, "zstd-dict/%u", dict_id);
            cr_assert_str_eq(e.path, expect);
            cr_assert_leq(e.raw_size, ZC_WRITER_DICT_SIZE);
            continue;
        }
        cr_assert_eq(e.codec, ZC_CODEC_ZSTD, "%s", e.path);
        unsigned frame_dict = ZSTD_getDictID_fromFrame(e.data, (size_t)e.stored_size);
        if (frame_dict) {
            with_dict++;
            cr_assert_eq(frame_dict, dict_id, "%s names another dictionary", e.path);
        }
        zc_entry plain = find(n, e.path);
        zc_hold a, b;
        cr_assert_eq(zc_pack_acquire(d, &e, &a), ZC_OK, "%s", e.path);
        cr_assert_eq(zc_pack_acquire(n, &plain, &b), ZC_OK, "%s", e.path);
        cr_assert_eq(a.size, b.size);
        cr_assert_eq(memcmp(a.data, b.data, (size_t)a.size), 0, "%s: raw bytes differ", e.path);
        zc_hold_release(&a);
        zc_hold_release(&b);
    }
    cr_assert_gt(with_dict, 150, "most documents use the dictionary (%u of 200)", with_dict);
    zc_cache_stats cs;
    cr_assert_eq(zc_pack_cache_stats(d, &cs), ZC_OK);
    cr_assert_eq(cs.decodes, 200);
    zc_pack_close(d);
    zc_pack_close(n);

    /* Too few small entries: no dictionary. */
    char *few = zct_tmp_path("few"), *few_pack = zct_tmp_path("few.zcpack");
    json_tree(few, ZC_WRITER_DICT_MIN_ENTRIES - 1);
    build(few, few_pack, (zc_build_desc){ .dictionaries = 1 });
    zc_pack *f = open_pack(few_pack);
    cr_assert_eq(zc_pack_entry_count(f), ZC_WRITER_DICT_MIN_ENTRIES - 1, "no dictionary below the threshold");
    zc_pack_close(f);
    free(few);
    free(few_pack);
    free(with);
    free(again);
    free(without);
    free(root);
}

/* A dictionary-compressed entry copied without its dictionary, or with a dictionary
 * entry that names another id, is refused. */
Test(compression, missing_or_wrong_dictionary) {
    char *root = zct_tmp_path("json");
    json_tree(root, 64);
    char *with = zct_tmp_path("dict.zcpack");
    build(root, with, (zc_build_desc){ .dictionaries = 1 });
    zc_pack *src = open_pack(with);
    zc_entry doc = find(src, "data/enemy_007.json");
    uint32_t id = ZSTD_getDictID_fromFrame(doc.data, (size_t)doc.stored_size);
    cr_assert_neq(id, 0);

    char *lone = zct_tmp_path("lone.zcpack");
    zc_writer *w = NULL;
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = lone, .no_sync = 1, .no_verify = 1 }), ZC_OK);
    cr_assert_eq(zc_writer_copy_entry(w, &doc), ZC_OK);
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
    zct_log log = { 0 };
    zc_pack *pack = open_with(lone, (zc_pack_desc){ .logger = zct_log_recorder(&log) });
    zc_hold h;
    zc_entry foreign;
    cr_assert_eq(zc_pack_entry_at(src, 1, &foreign), ZC_OK);
    cr_assert_eq(zc_pack_acquire(pack, &foreign, &h), ZC_ERR_INVALID_ARGUMENT, "an entry of another pack is refused");
    zc_entry e = find(pack, "data/enemy_007.json");
    cr_assert_eq(zc_pack_acquire(pack, &e, &h), ZC_ERR_BAD_ENTRY);
    cr_assert(zct_log_contains(&log, "dictionary"), "the log names the dictionary: %s", log.messages[log.count - 1]);
    zc_pack_close(pack);
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = lone, .validate = ZC_VALIDATE_FULL }), ZC_ERR_BAD_ENTRY);

    /* A dictionary entry at the right path holding another id. */
    char dict_path[32];
    snprintf(dict_path, sizeof dict_path, "zstd-dict/%u", id);
    zc_entry dict = find(src, dict_path);
    uint8_t *forged = (uint8_t *)malloc((size_t)dict.raw_size);
    memcpy(forged, dict.data, (size_t)dict.raw_size);
    forged[4] ^= 1;
    char *wrong = zct_tmp_path("wrong.zcpack");
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = wrong, .no_sync = 1, .no_verify = 1 }), ZC_OK);
    cr_assert_eq(zc_writer_copy_entry(w, &doc), ZC_OK);
    cr_assert_eq(zc_writer_begin_entry(w, dict_path, ZC_TYPE_ZSTD_DICT, ZC_ZSTD_DICT_LAYOUT_HASH, 0), ZC_OK);
    cr_assert_eq(zc_writer_write(w, forged, (size_t)dict.raw_size), ZC_OK);
    cr_assert_eq(zc_writer_end_entry(w), ZC_OK);
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
    pack = open_pack(wrong);
    e = find(pack, "data/enemy_007.json");
    cr_assert_eq(zc_pack_acquire(pack, &e, &h), ZC_ERR_BAD_ENTRY);
    zc_pack_close(pack);

    free(forged);
    zc_pack_close(src);
    free(wrong);
    free(lone);
    free(with);
    free(root);
}

/* ---------------------------------------------------------------------------------
 * Hostile frames
 * ------------------------------------------------------------------------------- */

static const char hello[] = "hello, compressed world; hello, compressed world; hello, compressed world!";

Test(compression, wrong_declared_size) {
    frame f = { .size = 0 };
    frame_zstd(&f, hello, sizeof hello, 1);
    char *path = hostile_pack("wrong.zcpack", &f, sizeof hello + 1, XXH3_64bits(hello, sizeof hello));
    zct_log log = { 0 };
    cr_assert_eq(acquire_hostile(path, 4096, &log), ZC_ERR_BAD_ENTRY);
    cr_assert(zct_log_contains(&log, "declares"), "%s", log.messages[0]);
    free(path);
}

Test(compression, huge_declared_size_allocates_nothing_large) {
    /* TOC and frame agree on 2^40 bytes: refused by the decoding limit before any
     * allocation. */
    uint8_t ten[10] = "0123456789";
    frame f = { .size = 0 };
    frame_header(&f, (uint64_t)1 << 40, 0x00);
    frame_raw_block(&f, ten, sizeof ten, 1);
    char *path = hostile_pack("huge.zcpack", &f, (uint64_t)1 << 40, 0);
    zct_log log = { 0 };
    cr_assert_eq(acquire_hostile(path, 64u * 1024u, &log), ZC_ERR_LIMIT);
    cr_assert(zct_log_contains(&log, "decoding limit"), "%s", log.messages[0]);

    /* The frame claims 2^40 bytes, the TOC 10: refused as a mismatch, nothing large
     * allocated either. */
    char *mismatch = hostile_pack("huge2.zcpack", &f, sizeof ten, XXH3_64bits(ten, sizeof ten));
    cr_assert_eq(acquire_hostile(mismatch, 64u * 1024u, &log), ZC_ERR_BAD_ENTRY);

    /* A frame that declares 20 bytes and holds 10. */
    frame short_frame = { .size = 0 };
    frame_header(&short_frame, 20, 0x00);
    frame_raw_block(&short_frame, ten, sizeof ten, 1);
    char *short_path = hostile_pack("short.zcpack", &short_frame, 20, 0);
    cr_assert_eq(acquire_hostile(short_path, 64u * 1024u, &log), ZC_ERR_BAD_ENTRY);
    free(short_path);
    free(mismatch);
    free(path);
}

Test(compression, window_beyond_the_limit) {
    uint8_t ten[10] = "0123456789";
    frame f = { .size = 0 };
    /* exponent 21: a 2^31-byte window for a 10-byte frame zstd itself would decode */
    frame_header(&f, sizeof ten, (uint8_t)(21u << 3));
    frame_raw_block(&f, ten, sizeof ten, 1);
    char *path = hostile_pack("window.zcpack", &f, sizeof ten, XXH3_64bits(ten, sizeof ten));
    zct_log log = { 0 };
    cr_assert_eq(acquire_hostile(path, 64u * 1024u, &log), ZC_ERR_LIMIT);
    cr_assert(zct_log_contains(&log, "window"), "%s", log.messages[0]);

    /* The same frame with a window of exactly 2^ZC_MAX_WINDOW_LOG is accepted. */
    frame ok = { .size = 0 };
    frame_header(&ok, sizeof ten, (uint8_t)((ZC_MAX_WINDOW_LOG - 10) << 3));
    frame_raw_block(&ok, ten, sizeof ten, 1);
    char *ok_path = hostile_pack("window_ok.zcpack", &ok, sizeof ten, XXH3_64bits(ten, sizeof ten));
    zc_pack *pack = open_pack(ok_path);
    assert_raw(pack, "hostile", ten, sizeof ten);
    zc_pack_close(pack);
    free(ok_path);
    free(path);
}

Test(compression, bad_content_hash) {
    frame f = { .size = 0 };
    frame_zstd(&f, hello, sizeof hello, 1);
    char *path = hostile_pack("hash.zcpack", &f, sizeof hello, XXH3_64bits(hello, sizeof hello) ^ 1);
    zct_log log = { 0 };
    cr_assert_eq(acquire_hostile(path, 4096, &log), ZC_ERR_ENTRY_CHECKSUM);
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_CHECKSUMS }),
                 ZC_ERR_ENTRY_CHECKSUM);
    cr_assert_null(pack);
    free(path);
}

Test(compression, frame_shapes) {
    struct {
        const char *what;
        frame f;
        uint64_t raw_size;
    } cases[8];
    memset(cases, 0, sizeof cases);
    int n = 0;

    cases[n].what = "two frames";
    frame_zstd(&cases[n].f, hello, sizeof hello, 1);
    frame_zstd(&cases[n].f, hello, sizeof hello, 1);
    cases[n++].raw_size = sizeof hello;

    cases[n].what = "trailing bytes";
    frame_zstd(&cases[n].f, hello, sizeof hello, 1);
    frame_put(&cases[n].f, "junk!", 5);
    cases[n++].raw_size = sizeof hello;

    cases[n].what = "no content size";
    frame_zstd(&cases[n].f, hello, sizeof hello, 0);
    cases[n++].raw_size = sizeof hello;

    cases[n].what = "truncated";
    frame_zstd(&cases[n].f, hello, sizeof hello, 1);
    cases[n].f.size -= 4;
    cases[n++].raw_size = sizeof hello;

    cases[n].what = "skippable frame";
    frame_le(&cases[n].f, 0x184D2A50u, 4);
    frame_le(&cases[n].f, sizeof hello, 4);
    frame_put(&cases[n].f, hello, sizeof hello);
    cases[n++].raw_size = 0;

    cases[n].what = "garbage";
    zct_fill(cases[n].f.bytes, 300, 99);
    cases[n].f.size = 300;
    cases[n++].raw_size = sizeof hello;

    cases[n].what = "damaged block";
    frame_zstd(&cases[n].f, hello, sizeof hello, 1);
    cases[n].f.bytes[cases[n].f.size - 3] ^= 0x5A;
    cases[n++].raw_size = sizeof hello;

    cases[n].what = "too short";
    frame_le(&cases[n].f, 0xFD2FB528u, 4);
    cases[n++].raw_size = sizeof hello;

    for (int i = 0; i < n; ++i) {
        char name[64];
        snprintf(name, sizeof name, "shape%d.zcpack", i);
        uint64_t hash = cases[i].raw_size == sizeof hello ? XXH3_64bits(hello, sizeof hello) : XXH3_64bits(NULL, 0);
        char *path = hostile_pack(name, &cases[i].f, cases[i].raw_size, hash);
        zct_log log = { 0 };
        zc_result r = acquire_hostile(path, 4096, &log);
        cr_assert(r == ZC_ERR_BAD_ENTRY || r == ZC_ERR_ENTRY_CHECKSUM, "%s: %s", cases[i].what, zc_result_str(r));
        cr_assert_gt(log.errors, 0, "%s: nothing logged", cases[i].what);
        free(path);
    }
}

/* A compressed entry of a built pack damaged on disk (checksums resealed so the TOC
 * still opens): refused on acquire and by validation, the rest of the pack usable. */
Test(compression, damaged_on_disk) {
    char *root = zct_tmp_path("tree");
    size_t gpl_size, apache_size;
    uint8_t *gpl = copy_in(LICENSES "GPL-3", root, "GPL-3", &gpl_size);
    uint8_t *apache = copy_in(LICENSES "Apache-2.0", root, "Apache-2.0", &apache_size);
    char *out = zct_tmp_path("t.zcpack");
    build(root, out, (zc_build_desc){ 0 });
    zc_pack *pack = open_pack(out);
    zc_entry e = find(pack, "GPL-3");
    cr_assert_eq(e.codec, ZC_CODEC_ZSTD);
    uint64_t at = e.offset + e.stored_size / 2;
    zc_pack_close(pack);

    size_t size;
    uint8_t *image = zct_read_file_aligned(out, 4096, &size);
    image[at] ^= 0xFF;
    zct_reseal(image, size);
    pack = open_with(NULL, (zc_pack_desc){ .memory = image, .memory_size = size });
    e = find(pack, "GPL-3");
    zc_hold h;
    zc_result r = zc_pack_acquire(pack, &e, &h);
    cr_assert(r == ZC_ERR_BAD_ENTRY || r == ZC_ERR_ENTRY_CHECKSUM, "%s", zc_result_str(r));
    r = zc_pack_validate(pack, ZC_VALIDATE_CHECKSUMS);
    cr_assert(r == ZC_ERR_BAD_ENTRY || r == ZC_ERR_ENTRY_CHECKSUM, "%s", zc_result_str(r));
    assert_raw(pack, "Apache-2.0", apache, apache_size);
    zc_pack_close(pack);
    free(image);
    free(gpl);
    free(apache);
    free(out);
    free(root);
}

/* ---------------------------------------------------------------------------------
 * The cache
 * ------------------------------------------------------------------------------- */

/* A writer policy that makes every entry a candidate. */
static int compress_all(const char *path, uint32_t type, void *user_data) {
    (void)path;
    (void)type;
    (void)user_data;
    return 1;
}

/* A pack (tmp/name) of blobs paths[i] = data[i] (sizes[i] bytes, page-aligned), each
 * a compression candidate, written in 64 KiB pieces. */
static char *compressed_pack(const char *name, const char *const *paths, uint8_t *const *data, const size_t *sizes,
                             int count) {
    char *out = zct_tmp_path(name);
    zc_writer *w = NULL;
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = out, .no_sync = 1, .compress = compress_all }), ZC_OK);
    for (int i = 0; i < count; ++i) {
        cr_assert_eq(zc_writer_begin_entry(w, paths[i], ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 12), ZC_OK);
        for (size_t at = 0; at < sizes[i]; at += 65536)
            cr_assert_eq(zc_writer_write(w, data[i] + at, sizes[i] - at < 65536 ? sizes[i] - at : 65536), ZC_OK);
        cr_assert_eq(zc_writer_end_entry(w), ZC_OK);
    }
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
    return out;
}

typedef struct racer {
    pthread_t thread;
    pthread_barrier_t *start;
    zc_pack *pack;
    zc_entry entry;
    zc_hold hold;
    zc_result result;
} racer;

static void *race(void *arg) {
    racer *r = (racer *)arg;
    pthread_barrier_wait(r->start);
    r->result = zc_pack_acquire(r->pack, &r->entry, &r->hold);
    return NULL;
}

/* 8 threads acquire one entry at the same moment: `expect` for all of them. */
static void run_race(zc_pack *pack, const zc_entry *e, racer *racers, zc_result expect) {
    enum { N = 8 };
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, N);
    for (int i = 0; i < N; ++i) {
        racers[i] = (racer){ .start = &start, .pack = pack, .entry = *e };
        cr_assert_eq(pthread_create(&racers[i].thread, NULL, race, &racers[i]), 0);
    }
    for (int i = 0; i < N; ++i) pthread_join(racers[i].thread, NULL);
    pthread_barrier_destroy(&start);
    for (int i = 0; i < N; ++i)
        cr_assert_eq(racers[i].result, expect, "thread %d: %s", i, zc_result_str(racers[i].result));
}

Test(compression, concurrent_first_access_decodes_once) {
    size_t size = 6u << 20;
    uint8_t *text = numbered_text(size);
    const char *paths[] = { "level.txt" };
    uint8_t *data[] = { text };
    char *out = compressed_pack("race.zcpack", paths, data, &size, 1);
    for (int round = 0; round < 4; ++round) {
        zc_pack *pack = open_pack(out);
        zc_entry e = find(pack, "level.txt");
        cr_assert_eq(e.codec, ZC_CODEC_ZSTD_SEEKABLE, "6 MiB: seekable frames, still decoded whole by acquire");
        racer racers[8];
        run_race(pack, &e, racers, ZC_OK);
        for (int i = 0; i < 8; ++i) {
            cr_assert_eq(racers[i].hold.data, racers[0].hold.data, "every thread holds the same buffer");
            cr_assert_eq(racers[i].hold.size, size);
        }
        cr_assert_eq(memcmp(racers[0].hold.data, text, size), 0);
        zc_cache_stats cs;
        cr_assert_eq(zc_pack_cache_stats(pack, &cs), ZC_OK);
        cr_assert_eq(cs.decodes, 1, "one decode for 8 threads (round %d)", round);
        cr_assert_eq(cs.hits, 7);
        cr_assert_eq(cs.held_bytes, size);
        cr_assert_eq(cs.resident_entries, 1);
        for (int i = 0; i < 8; ++i) zc_hold_release(&racers[i].hold);
        cr_assert_eq(zc_pack_cache_stats(pack, &cs), ZC_OK);
        cr_assert_eq(cs.held_bytes, 0);
        cr_assert_eq(cs.resident_bytes, size, "an unheld entry within the budget stays cached");
        zc_pack_close(pack);
    }
    free(out);
    free(text);
}

Test(compression, concurrent_failed_decode) {
    size_t size = 3u << 20;
    uint8_t *text = numbered_text(size);
    const char *paths[] = { "level.txt" };
    uint8_t *data[] = { text };
    char *out = compressed_pack("fail.zcpack", paths, data, &size, 1);
    size_t image_size;
    uint8_t *image = zct_read_file_aligned(out, 4096, &image_size);
    zc_pack *probe = open_pack(out);
    zc_entry e = find(probe, "level.txt");
    zc_pack_close(probe);
    /* late in the last frame, before the seek table: decoding runs a while */
    image[e.offset + e.stored_size - zc_seek_table_size((uint32_t)((size - 1) / ZC_WRITER_SEEK_FRAME + 1)) - 100] ^= 0x01;
    zct_reseal(image, image_size);
    zc_pack *pack = open_with(NULL, (zc_pack_desc){ .memory = image, .memory_size = image_size });
    e = find(pack, "level.txt");
    zc_hold h;
    zc_result expect = zc_pack_acquire(pack, &e, &h);
    cr_assert(expect == ZC_ERR_BAD_ENTRY || expect == ZC_ERR_ENTRY_CHECKSUM, "%s", zc_result_str(expect));
    racer racers[8];
    run_race(pack, &e, racers, expect);
    zc_cache_stats cs;
    cr_assert_eq(zc_pack_cache_stats(pack, &cs), ZC_OK);
    cr_assert_eq(cs.decodes, 0);
    cr_assert_eq(cs.resident_entries, 0);
    zc_pack_close(pack);
    free(image);
    free(out);
    free(text);
}

Test(compression, eviction_never_frees_a_held_entry) {
    enum { N = 5 };
    size_t sizes[N];
    uint8_t *data[N];
    const char *paths[N] = { "a", "b", "c", "d", "e" };
    for (int i = 0; i < N; ++i) {
        sizes[i] = (size_t)(200000 + 1000 * i);
        data[i] = numbered_text(sizes[i] + 997u * (size_t)i);
        memmove(data[i], data[i] + 997u * (size_t)i, sizes[i]); /* different bytes per entry */
    }
    char *out = compressed_pack("evict.zcpack", paths, data, sizes, N);
    zc_pack *pack = open_with(out, (zc_pack_desc){ .cache_budget = 1000 }); /* smaller than any entry */
    zc_entry a = find(pack, "a");
    zc_hold ha;
    cr_assert_eq(zc_pack_acquire(pack, &a, &ha), ZC_OK);
    for (int round = 0; round < 3; ++round) {
        for (int i = 1; i < N; ++i) {
            zc_entry e = find(pack, paths[i]);
            zc_hold h;
            cr_assert_eq(zc_pack_acquire(pack, &e, &h), ZC_OK);
            cr_assert_eq(memcmp(h.data, data[i], sizes[i]), 0);
            zc_hold_release(&h); /* over budget: evicted at once */
            cr_assert_eq(memcmp(ha.data, data[0], sizes[0]), 0, "the held entry is intact");
        }
    }
    zc_cache_stats cs;
    cr_assert_eq(zc_pack_cache_stats(pack, &cs), ZC_OK);
    cr_assert_eq(cs.budget, 1000);
    cr_assert_eq(cs.evictions, 3 * (N - 1), "every unheld entry was evicted");
    cr_assert_eq(cs.decodes, 1 + 3 * (N - 1));
    cr_assert_eq(cs.resident_entries, 1, "only the held entry stays");
    cr_assert_eq(cs.resident_bytes, sizes[0]);
    cr_assert_eq(cs.held_bytes, sizes[0]);
    zc_hold again;
    cr_assert_eq(zc_pack_acquire(pack, &a, &again), ZC_OK, "a second hold of a held entry is a hit");
    cr_assert_eq(again.data, ha.data);
    zc_hold_release(&again);
    zc_hold_release(&ha);
    cr_assert_eq(zc_pack_cache_stats(pack, &cs), ZC_OK);
    cr_assert_eq(cs.resident_entries, 0, "released last, evicted too");
    zc_pack_close(pack);

    /* A budget of two entries: least recently released goes first. */
    size_t two = sizes[N - 1] * 2 + 10;
    pack = open_with(out, (zc_pack_desc){ .cache_budget = two });
    for (int i = 0; i < 3; ++i) { /* a, b, c: a is evicted when c is released */
        zc_entry e = find(pack, paths[i]);
        zc_hold h;
        cr_assert_eq(zc_pack_acquire(pack, &e, &h), ZC_OK);
        zc_hold_release(&h);
    }
    cr_assert_eq(zc_pack_cache_stats(pack, &cs), ZC_OK);
    cr_assert_eq(cs.evictions, 1);
    cr_assert_eq(cs.resident_entries, 2);
    zc_entry b = find(pack, "b");
    cr_assert_eq(zc_pack_acquire(pack, &b, &ha), ZC_OK);
    zc_hold_release(&ha);
    cr_assert_eq(zc_pack_cache_stats(pack, &cs), ZC_OK);
    cr_assert_eq(cs.decodes, 3, "b was still cached");
    cr_assert_eq(zc_pack_acquire(pack, &a, &ha), ZC_OK);
    zc_hold_release(&ha);
    cr_assert_eq(zc_pack_cache_stats(pack, &cs), ZC_OK);
    cr_assert_eq(cs.decodes, 4, "a had been evicted");
    zc_pack_close(pack);

    for (int i = 0; i < N; ++i) free(data[i]);
    free(out);
}

Test(compression, hold_outlives_close) {
    size_t size = 300000;
    uint8_t *text = numbered_text(size);
    const char *paths[] = { "x" };
    uint8_t *data[] = { text };
    char *out = compressed_pack("close.zcpack", paths, data, &size, 1);
    zct_alloc_stats as;
    zct_alloc_stats_init(&as, -1);
    zc_pack *pack = open_with(out, (zc_pack_desc){ .allocator = zct_counting_allocator(&as) });
    zc_entry e = find(pack, "x");
    zc_hold h, plain;
    cr_assert_eq(zc_pack_acquire(pack, &e, &h), ZC_OK);
    cr_assert_eq(zc_pack_acquire(pack, &e, &plain), ZC_OK);
    zc_hold_release(&plain);
    zc_pack_close(pack);
    cr_assert_gt(as.live, 0, "the hold keeps the pack");
    cr_assert_eq(memcmp(h.data, text, size), 0, "held bytes stay valid after close");
    cr_assert_str_eq(h.entry.path, "x", "so do the entry's pointers");
    zc_hold_release(&h);
    cr_assert_eq(as.live, 0, "the last release frees the pack and its cache");
    cr_assert_eq(as.bad_free, 0);
    zc_hold_release(&h); /* a zeroed hold is a no-op */
    zc_hold_release(NULL);
    free(out);
    free(text);
}

/* Validation at FULL and CHECKSUMS decodes compressed entries into temporary buffers:
 * the cache is left empty, and every allocation is freed. */
Test(compression, validation_decodes_outside_the_cache) {
    char *root = model_tree();
    char *out = zct_tmp_path("v.zcpack");
    build(root, out, (zc_build_desc){ 0 });
    for (zc_validate level = ZC_VALIDATE_FULL; level <= ZC_VALIDATE_CHECKSUMS; ++level) {
        peak_stats ps;
        zc_pack *pack = open_with(out, (zc_pack_desc){ .validate = level, .allocator = peak_allocator(&ps) });
        zc_cache_stats cs;
        cr_assert_eq(zc_pack_cache_stats(pack, &cs), ZC_OK);
        cr_assert_eq(cs.decodes, 0);
        cr_assert_eq(cs.resident_bytes, 0);
        cr_assert_eq(zc_pack_validate(pack, level), ZC_OK);
        zc_pack_close(pack);
        cr_assert_eq(atomic_load(&ps.live), 0);
    }
    free(out);
    free(root);
}

/* The CLI's build options. */
Test(compression, cli_options) {
    char *root = zct_tmp_path("tree");
    free(copy_in(LICENSES "GPL-3", root, "GPL-3", NULL));
    json_tree(root, 120);
    char *a = zct_tmp_path("a.zcpack"), *b = zct_tmp_path("b.zcpack"), *c = zct_tmp_path("c.zcpack");
    cr_assert_eq(zct_run_cli(NULL, NULL, NULL,
                             (const char *const[]){ "build", root, "-o", a, "--no-compress-entries", "-q", NULL }), 0);
    cr_assert_eq(zct_run_cli(NULL, NULL, NULL,
                             (const char *const[]){ "build", root, "-o", b, "--level", "3", "--dict", "-q", NULL }), 0);
    cr_assert_eq(zct_run_cli(NULL, NULL, NULL,
                             (const char *const[]){ "build", root, "-o", c, "--level=19", "--min-saving", "20", "-q",
                                                    NULL }), 0);
    const char *const too_high[] = { "build", root, "-o", c, "--level", "23", NULL };
    const char *const too_low[] = { "build", root, "-o", c, "--min-saving", "0", NULL };
    cr_assert_eq(zct_run_cli(NULL, NULL, NULL, too_high), 2, "level 23 is refused");
    cr_assert_eq(zct_run_cli(NULL, NULL, NULL, too_low), 2, "a saving of 0 %% is refused");
    zc_pack *pa = open_pack(a), *pb = open_pack(b), *pc = open_pack(c);
    cr_assert_eq(find(pa, "GPL-3").codec, ZC_CODEC_NONE);
    cr_assert_eq(find(pb, "GPL-3").codec, ZC_CODEC_ZSTD);
    cr_assert_eq(zc_pack_entry_count(pb), zc_pack_entry_count(pa) + 1, "--dict adds a dictionary");
    cr_assert_lt(find(pc, "GPL-3").stored_size, find(pb, "GPL-3").stored_size, "level 19 beats level 3");
    zc_pack_close(pa);
    zc_pack_close(pb);
    zc_pack_close(pc);
    cr_assert_eq(zct_run_cli(NULL, NULL, NULL, (const char *const[]){ "verify", b, NULL }), 0);
    free(a);
    free(b);
    free(c);
    free(root);
}

/* ---------------------------------------------------------------------------------
 * Cache stress: lock-free hits and releases racing with decodes and evictions
 * ------------------------------------------------------------------------------- */

TestSuite(cache_stress, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 300);

enum { STRESS_ENTRIES = 12, STRESS_THREADS = 3, STRESS_KEEP = 2 };

typedef struct stress_worker {
    pthread_t thread;
    pthread_barrier_t *start;
    zc_pack *pack;
    const zc_entry *entries;
    uint8_t *const *expect;
    const size_t *sizes;
    uint32_t seed, iterations;
    uint32_t acquires;          /* successful acquires */
    uint32_t bad;               /* acquires that failed or handed out wrong bytes */
    char first_bad[160];
} stress_worker;

static void stress_note(stress_worker *w, const char *what, uint32_t entry) {
    if (w->bad++ == 0) snprintf(w->first_bad, sizeof w->first_bad, "entry %u: %s", entry, what);
}

/* Acquire entry k (a hit or a decode), compare every byte with the source. */
static int stress_take(stress_worker *w, uint32_t k, zc_hold *h) {
    zc_result r = zc_pack_acquire(w->pack, &w->entries[k], h);
    if (r != ZC_OK) {
        stress_note(w, zc_result_str(r), k);
        return 0;
    }
    w->acquires++;
    if (h->size != w->sizes[k] || memcmp(h->data, w->expect[k], w->sizes[k]) != 0) stress_note(w, "wrong bytes", k);
    return 1;
}

/* Random entries: most holds are released at once, some are kept across iterations
 * (so evictions meet held slots), some entries are held twice (nested holds). Every
 * held byte is compared with the source again before its release. */
static void *stress_run(void *arg) {
    stress_worker *w = (stress_worker *)arg;
    zc_hold kept[STRESS_KEEP];
    uint32_t kept_entry[STRESS_KEEP];
    memset(kept, 0, sizeof kept);
    uint32_t x = w->seed;
    pthread_barrier_wait(w->start);
    for (uint32_t i = 0; i < w->iterations; ++i) {
        x = x * 1664525u + 1013904223u;
        uint32_t k = (x >> 8) % STRESS_ENTRIES, action = (x >> 20) % 8;
        zc_hold h, again;
        if (!stress_take(w, k, &h)) continue;
        if (action == 0 && stress_take(w, k, &again)) {
            if (again.data != h.data) stress_note(w, "two holds, two buffers", k);
            zc_hold_release(&again);
        }
        if (action == 1) { /* keep it, releasing the oldest kept hold */
            uint32_t slot = (x >> 24) % STRESS_KEEP;
            if (kept[slot].pack) {
                uint32_t old = kept_entry[slot];
                if (memcmp(kept[slot].data, w->expect[old], w->sizes[old]) != 0)
                    stress_note(w, "a kept hold changed", old);
                zc_hold_release(&kept[slot]);
            }
            kept[slot] = h;
            kept_entry[slot] = k;
            continue;
        }
        if (memcmp(h.data, w->expect[k], w->sizes[k]) != 0) stress_note(w, "bytes changed while held", k);
        zc_hold_release(&h);
    }
    for (int s = 0; s < STRESS_KEEP; ++s) zc_hold_release(&kept[s]);
    return NULL;
}

/* Run STRESS_THREADS workers on a pack opened with `budget`; then check the cache's
 * counters add up and every hold was released. */
static void stress(const char *out, uint8_t *const *data, const size_t *sizes, uint64_t budget, uint32_t iterations) {
    zc_pack *pack = open_with(out, (zc_pack_desc){ .cache_budget = budget });
    zc_entry entries[STRESS_ENTRIES];
    for (uint32_t k = 0; k < STRESS_ENTRIES; ++k) {
        char path[16];
        snprintf(path, sizeof path, "e%02u", k);
        entries[k] = find(pack, path);
        cr_assert_eq(entries[k].codec, ZC_CODEC_ZSTD);
    }
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, STRESS_THREADS);
    stress_worker workers[STRESS_THREADS];
    for (int t = 0; t < STRESS_THREADS; ++t) {
        workers[t] = (stress_worker){ .start = &start, .pack = pack, .entries = entries, .expect = data,
                                      .sizes = sizes, .seed = 7919u * (uint32_t)(t + 1), .iterations = iterations };
        cr_assert_eq(pthread_create(&workers[t].thread, NULL, stress_run, &workers[t]), 0);
    }
    uint64_t acquires = 0;
    for (int t = 0; t < STRESS_THREADS; ++t) {
        pthread_join(workers[t].thread, NULL);
        cr_assert_eq(workers[t].bad, 0, "thread %d: %u bad acquires, first: %s", t, workers[t].bad,
                     workers[t].first_bad);
        acquires += workers[t].acquires;
    }
    pthread_barrier_destroy(&start);
    zc_cache_stats cs;
    cr_assert_eq(zc_pack_cache_stats(pack, &cs), ZC_OK);
    cr_assert_eq(cs.held_bytes, 0, "every hold was released");
    cr_assert_eq(cs.hits + cs.decodes, acquires, "each acquire was a hit or a decode");
    cr_assert_eq(cs.evictions + cs.resident_entries, cs.decodes, "each decode is resident or was evicted");
    cr_assert_leq(cs.resident_bytes, budget, "the last releases trimmed the cache to its budget");
    cr_assert_gt(cs.hits, 0);
    uint64_t total = 0;
    for (uint32_t k = 0; k < STRESS_ENTRIES; ++k) total += sizes[k];
    if (budget < total) cr_assert_gt(cs.evictions, 0);
    else cr_assert_eq(cs.evictions, 0, "everything fits: nothing is evicted");
    zc_pack_close(pack);
}

/* 12 entries of 1 KiB to 96 KiB; budgets of 1 byte (every last release evicts), about
 * three entries (evictions race with hits) and all of them (no eviction). */
Test(cache_stress, hits_releases_and_evictions) {
    const char *paths[STRESS_ENTRIES];
    char names[STRESS_ENTRIES][8];
    uint8_t *data[STRESS_ENTRIES];
    size_t sizes[STRESS_ENTRIES], total = 0;
    for (uint32_t k = 0; k < STRESS_ENTRIES; ++k) {
        snprintf(names[k], sizeof names[k], "e%02u", k);
        paths[k] = names[k];
        sizes[k] = (size_t)1024 << (k % 7 < 6 ? k % 7 : 6);
        sizes[k] += 131u * k;
        data[k] = numbered_text(sizes[k] + 4099u * k);
        memmove(data[k], data[k] + 4099u * k, sizes[k]); /* different bytes per entry */
        total += sizes[k];
    }
    char *out = compressed_pack("stress.zcpack", paths, data, sizes, STRESS_ENTRIES);
    uint32_t iterations = zct_sanitizing() ? 1500 : 6000;
    uint64_t budgets[] = { 1, total / 4, total + 1 };
    for (size_t b = 0; b < sizeof budgets / sizeof budgets[0]; ++b) stress(out, data, sizes, budgets[b], iterations);
    for (uint32_t k = 0; k < STRESS_ENTRIES; ++k) free(data[k]);
    free(out);
}

/* ---------------------------------------------------------------------------------
 * Holds from many threads outlive the pack's handle
 * ------------------------------------------------------------------------------- */

#define HANDOFF_THREADS 4
#define HANDOFF_HOLDS 64

static _Atomic long handoff_live; /* allocations of the pack not yet freed */

static void *handoff_alloc(size_t size, void *user) {
    (void)user;
    void *p = malloc(size);
    if (p) atomic_fetch_add(&handoff_live, 1);
    return p;
}

static void handoff_free(void *p, void *user) {
    (void)user;
    if (p) atomic_fetch_sub(&handoff_live, 1);
    free(p);
}

typedef struct handoff_worker {
    pthread_t thread;
    pthread_barrier_t *taken, *closed;
    zc_pack *pack;
    const zc_entry *entries;
    uint8_t *const *expect;
    const size_t *sizes;
    uint32_t seed;
    zc_hold holds[HANDOFF_HOLDS]; /* taken by this thread */
    uint32_t held_entry[HANDOFF_HOLDS];
    struct handoff_worker *next;  /* whose holds this thread releases */
    uint32_t bad;
} handoff_worker;

static void *handoff_run(void *arg) {
    handoff_worker *w = (handoff_worker *)arg;
    uint32_t x = w->seed;
    for (int i = 0; i < HANDOFF_HOLDS; ++i) {
        x = x * 1664525u + 1013904223u;
        uint32_t k = (x >> 8) % STRESS_ENTRIES;
        w->held_entry[i] = k;
        if (zc_pack_acquire(w->pack, &w->entries[k], &w->holds[i]) != ZC_OK) w->bad++;
    }
    pthread_barrier_wait(w->taken);
    pthread_barrier_wait(w->closed); /* the handle is closed now: only holds keep the pack */
    handoff_worker *other = w->next;
    for (int i = 0; i < HANDOFF_HOLDS; ++i) {
        uint32_t k = other->held_entry[i];
        if (other->holds[i].size != w->sizes[k] || memcmp(other->holds[i].data, w->expect[k], w->sizes[k]) != 0)
            w->bad++;
        zc_hold_release(&other->holds[i]);
    }
    return NULL;
}

/* Holds taken on four threads are released on other threads after zc_pack_close: the
 * bytes stay readable until each release, and the pack's last allocation goes with
 * the last hold, whichever thread drops it (holds are counted per thread, so a release
 * on another thread than the acquire must still balance). */
Test(cache_stress, holds_outlive_close_across_threads) {
    const char *paths[STRESS_ENTRIES];
    char names[STRESS_ENTRIES][8];
    uint8_t *data[STRESS_ENTRIES];
    size_t sizes[STRESS_ENTRIES];
    for (uint32_t k = 0; k < STRESS_ENTRIES; ++k) {
        snprintf(names[k], sizeof names[k], "e%02u", k);
        paths[k] = names[k];
        sizes[k] = 2048u + 977u * k;
        data[k] = numbered_text(sizes[k] + 13u * k);
        memmove(data[k], data[k] + 13u * k, sizes[k]);
    }
    char *out = compressed_pack("handoff.zcpack", paths, data, sizes, STRESS_ENTRIES);
    for (int round = 0; round < 20; ++round) {
        atomic_store(&handoff_live, 0);
        zc_pack *pack = open_with(out, (zc_pack_desc){ .allocator = { handoff_alloc, handoff_free, NULL } });
        zc_entry entries[STRESS_ENTRIES];
        for (uint32_t k = 0; k < STRESS_ENTRIES; ++k) entries[k] = find(pack, paths[k]);
        pthread_barrier_t taken, closed;
        pthread_barrier_init(&taken, NULL, HANDOFF_THREADS + 1);
        pthread_barrier_init(&closed, NULL, HANDOFF_THREADS + 1);
        handoff_worker workers[HANDOFF_THREADS];
        for (int t = 0; t < HANDOFF_THREADS; ++t)
            workers[t] = (handoff_worker){ .taken = &taken, .closed = &closed, .pack = pack, .entries = entries,
                                           .expect = data, .sizes = sizes, .seed = 104729u * (uint32_t)(t + 1 + round),
                                           .next = &workers[(t + 1) % HANDOFF_THREADS] };
        for (int t = 0; t < HANDOFF_THREADS; ++t)
            cr_assert_eq(pthread_create(&workers[t].thread, NULL, handoff_run, &workers[t]), 0);
        pthread_barrier_wait(&taken);
        zc_pack_close(pack);
        cr_assert_gt(atomic_load(&handoff_live), 0, "closed with holds left: the pack must stay");
        pthread_barrier_wait(&closed);
        for (int t = 0; t < HANDOFF_THREADS; ++t) {
            pthread_join(workers[t].thread, NULL);
            cr_assert_eq(workers[t].bad, 0, "round %d, thread %d: %u holds failed or read wrong bytes", round, t,
                         workers[t].bad);
        }
        pthread_barrier_destroy(&taken);
        pthread_barrier_destroy(&closed);
        cr_assert_eq(atomic_load(&handoff_live), 0, "round %d: the last release frees every allocation", round);
    }
    for (uint32_t k = 0; k < STRESS_ENTRIES; ++k) free(data[k]);
    free(out);
}

/* ---------------------------------------------------------------------------------
 * Encoding ahead of the writer (zc_writer_encode) stores what end_entry stores
 * ------------------------------------------------------------------------------- */

/* One pack written through begin/write/end, one through zc_writer_encode and
 * zc_writer_copy_entry, with the same settings: byte for byte the same file. Payloads:
 * text, random bytes (stays raw), a tiny one, an empty one, two seekable ones (above
 * ZC_WRITER_SEEKABLE_MIN), a twin of the text, and three larger than the writer keeps
 * in memory (end_entry spills them and compresses them from the file at the large
 * level; zc_writer_encode takes them unless the writer writes single frames): text
 * just above ZC_WRITER_COMPRESS_MEMORY, random bytes, and text of 20 MiB. */
static void encode_matches_end_entry(int level, uint32_t min_saving, int single_frame) {
    enum { N = 10 };
    size_t sizes[N] = { 300000, 200000, 10, 0, (3u << 20) + 12345, ZC_WRITER_COMPRESS_MEMORY, 300000,
                        ZC_WRITER_COMPRESS_MEMORY + 1, (12u << 20) + 5, (20u << 20) + 7 };
    uint8_t *data[N];
    for (int i = 0; i < N; ++i) {
        data[i] = numbered_text(sizes[i] + 1);
        if (i == 1 || i == 8) for (size_t k = 0; k < sizes[i]; ++k) data[i][k] = (uint8_t)(k * 2654435761u >> 13);
    }
    memcpy(data[6], data[0], sizes[0]);
    char *paths[2] = { zct_tmp_path("written.zcpack"), zct_tmp_path("encoded.zcpack") };
    for (int way = 0; way < 2; ++way) {
        zc_writer *w = NULL;
        cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = paths[way], .no_sync = 1, .compress = compress_all,
                                                          .compress_level = level, .min_saving_percent = min_saving,
                                                          .single_frame = single_frame }),
                     ZC_OK);
        zc_writer_encoder *e = way ? zc_writer_encoder_create(w) : NULL;
        for (int i = 0; i < N; ++i) {
            char path[16];
            snprintf(path, sizeof path, "e%d", i);
            int encodes = sizes[i] <= ZC_WRITER_COMPRESS_MEMORY || !single_frame;
            if (way) cr_assert_eq(zc_writer_encodes(w, path, ZC_TYPE_BLOB, sizes[i]), encodes, "%zu bytes", sizes[i]);
            if (!way || !encodes) {
                cr_assert_eq(zc_writer_begin_entry(w, path, ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 4), ZC_OK);
                cr_assert_eq(zc_writer_write(w, data[i], sizes[i]), ZC_OK);
                cr_assert_eq(zc_writer_end_entry(w), ZC_OK);
                continue;
            }
            zc_entry entry;
            memset(&entry, 0, sizeof entry);
            const void *stored;
            size_t stored_size;
            cr_assert_eq(zc_writer_encode(e, data[i], sizes[i], &entry.codec, &stored, &stored_size), ZC_OK);
            entry.path = path;
            entry.type = ZC_TYPE_BLOB;
            entry.layout_hash = ZC_BLOB_LAYOUT_HASH;
            entry.alignment = 16;
            entry.data = stored;
            entry.stored_size = stored_size;
            entry.raw_size = sizes[i];
            entry.content_hash = XXH3_64bits(data[i], sizes[i]);
            cr_assert_eq(zc_writer_copy_entry(w, &entry), ZC_OK);
        }
        cr_assert_not(zc_writer_encodes(w, "big", ZC_TYPE_BLOB, ZC_WRITER_ENCODE_MEMORY + 1),
                      "a candidate larger than ZC_WRITER_ENCODE_MEMORY is compressed by end_entry");
        zc_writer_encoder_destroy(e);
        cr_assert_eq(zc_writer_finish(w), ZC_OK);
    }
    cr_assert(zct_files_equal(paths[0], paths[1]), "level %d, saving %u, single frame %d: the packs differ", level,
              min_saving, single_frame);
    for (int i = 0; i < N; ++i) free(data[i]);
    free(paths[0]);
    free(paths[1]);
}

Test(compression, encoding_ahead_stores_what_end_entry_stores) {
    encode_matches_end_entry(0, 0, 0);
    encode_matches_end_entry(3, 40, 0);
    encode_matches_end_entry(1, 0, 1);
}

/* A build's workers compress blobs ahead of the writer: the pack is the same with 1
 * and 4 threads, and the same as the writer compressing them itself (the import of
 * one file by zcpack import goes through end_entry). */
Test(compression, blob_packs_do_not_depend_on_threads) {
    char *tree = zct_tmp_path("tree");
    for (int i = 0; i < 40; ++i) {
        char rel[32];
        snprintf(rel, sizeof rel, "d%d/f%02d.txt", i % 3, i);
        size_t n = 1000u + 37000u * (size_t)i;
        uint8_t *text = numbered_text(n + 1);
        zct_put(tree, rel, text, n);
        free(text);
    }
    char *one = zct_tmp_path("one.zcpack"), *four = zct_tmp_path("four.zcpack");
    cr_assert_eq(zc_build(&(zc_build_desc){ .input_dir = tree, .output_path = one, .threads = 1, .no_sync = 1 }, NULL), ZC_OK);
    cr_assert_eq(zc_build(&(zc_build_desc){ .input_dir = tree, .output_path = four, .threads = 4, .no_sync = 1 }, NULL), ZC_OK);
    cr_assert(zct_files_equal(one, four), "the pack depends on the number of threads");
    zc_pack *pack = open_with(one, (zc_pack_desc){ .validate = ZC_VALIDATE_CHECKSUMS });
    uint32_t compressed = 0;
    for (uint32_t i = 0; i < zc_pack_entry_count(pack); ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_entry_at(pack, i, &e), ZC_OK);
        compressed += e.codec != ZC_CODEC_NONE;
    }
    cr_assert_eq(compressed, 40, "every text blob is stored compressed");
    zc_pack_close(pack);
    free(one);
    free(four);
    free(tree);
}

/* A seekable candidate whose first frame does not save min_saving percent even at
 * ZC_WRITER_PROBE_LEVEL is stored raw without trying the rest, in memory (3 MiB) and
 * spilled to the file (9 MiB, past ZC_WRITER_COMPRESS_MEMORY) alike; one whose first
 * frame compresses is compressed whole, although its rest is random. */
Test(compression, an_incompressible_first_frame_keeps_the_entry_raw) {
    enum { N = 4 };
    size_t sizes[N] = { 3u << 20, 9u << 20, 3u << 20, 9u << 20 };
    int random_head[N] = { 1, 1, 0, 0 };
    uint8_t *data[N];
    for (int i = 0; i < N; ++i) {
        data[i] = numbered_text(sizes[i] + 1);
        size_t from = random_head[i] ? 0 : ZC_WRITER_SEEK_FRAME, to = random_head[i] ? ZC_WRITER_SEEK_FRAME : sizes[i] / 3;
        uint64_t seed = 0x5eed + (uint64_t)i;
        for (size_t k = from; k < to; ++k) data[i][k] = (uint8_t)(zct_rand(&seed) >> 24);
    }
    char *path = zct_tmp_path("probe.zcpack");
    zc_writer *w = NULL;
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = path, .no_sync = 1, .compress = compress_all }), ZC_OK);
    for (int i = 0; i < N; ++i) {
        char name[16];
        snprintf(name, sizeof name, "e%d", i);
        cr_assert_eq(zc_writer_begin_entry(w, name, ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 4), ZC_OK);
        cr_assert_eq(zc_writer_write(w, data[i], sizes[i]), ZC_OK);
        cr_assert_eq(zc_writer_end_entry(w), ZC_OK);
    }
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
    zc_pack *pack = open_with(path, (zc_pack_desc){ .validate = ZC_VALIDATE_CHECKSUMS });
    for (int i = 0; i < N; ++i) {
        zc_entry e;
        char name[16];
        snprintf(name, sizeof name, "e%d", i);
        cr_assert_eq(zc_pack_find(pack, name, &e), ZC_OK);
        if (random_head[i])
            cr_expect_eq(e.codec, ZC_CODEC_NONE, "%s (%zu bytes, random first frame) is stored raw", name, sizes[i]);
        else
            cr_expect(e.codec == ZC_CODEC_ZSTD_SEEKABLE && e.stored_size < sizes[i] * 3 / 4,
                      "%s (%zu bytes, text first frame) is compressed: codec %d, %llu bytes", name, sizes[i], e.codec,
                      (unsigned long long)e.stored_size);
        zc_hold hold;
        cr_assert_eq(zc_pack_acquire(pack, &e, &hold), ZC_OK);
        cr_expect(hold.size == sizes[i] && memcmp(hold.data, data[i], sizes[i]) == 0, "%s reads back", name);
        zc_hold_release(&hold);
    }
    zc_pack_close(pack);
    for (int i = 0; i < N; ++i) free(data[i]);
    free(path);
}

/* A candidate spilled to the file (past ZC_WRITER_COMPRESS_MEMORY) has its seekable
 * frames compressed desc.threads at a time; the pack is the same bytes whatever the
 * count: text, text with a random middle, and one whose frames stop paying off after
 * the first (written raw after all). */
Test(compression, spilled_frames_do_not_depend_on_threads) {
    enum { N = 3 };
    const size_t size = (9u << 20) + 12345;
    uint8_t *data[N];
    for (int i = 0; i < N; ++i) {
        data[i] = numbered_text(size + 1);
        size_t from = i == 0 ? size : i == 1 ? size / 3 : ZC_WRITER_SEEK_FRAME, to = i == 1 ? size / 2 : size;
        uint64_t seed = 0xf4a3e + (uint64_t)i;
        for (size_t k = from; k < to; ++k) data[i][k] = (uint8_t)(zct_rand(&seed) >> 24);
    }
    static const uint32_t threads[] = { 1, 2, 5, 200 }; /* 200: more than the writer keeps slots for */
    enum { T = sizeof threads / sizeof threads[0] };
    char *paths[T];
    for (int t = 0; t < T; ++t) {
        char name[32];
        snprintf(name, sizeof name, "threads%u.zcpack", threads[t]);
        paths[t] = zct_tmp_path(name);
        zc_writer *w = NULL;
        cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = paths[t], .no_sync = 1, .compress = compress_all,
                                                            .threads = threads[t] }),
                     ZC_OK);
        for (int i = 0; i < N; ++i) {
            snprintf(name, sizeof name, "e%d", i);
            cr_assert_eq(zc_writer_begin_entry(w, name, ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 4), ZC_OK);
            cr_assert_eq(zc_writer_write(w, data[i], size), ZC_OK);
            cr_assert_eq(zc_writer_end_entry(w), ZC_OK);
        }
        cr_assert_eq(zc_writer_finish(w), ZC_OK);
    }
    for (int t = 1; t < T; ++t)
        cr_expect(zct_files_equal(paths[0], paths[t]), "%u threads wrote other bytes than 1", threads[t]);
    zc_pack *pack = open_with(paths[2], (zc_pack_desc){ .validate = ZC_VALIDATE_CHECKSUMS });
    static const zc_codec codecs[N] = { ZC_CODEC_ZSTD_SEEKABLE, ZC_CODEC_ZSTD_SEEKABLE, ZC_CODEC_NONE };
    for (int i = 0; i < N; ++i) {
        zc_entry e;
        char name[16];
        snprintf(name, sizeof name, "e%d", i);
        cr_assert_eq(zc_pack_find(pack, name, &e), ZC_OK);
        cr_expect_eq(e.codec, codecs[i], "%s: codec %d", name, e.codec);
        zc_hold hold;
        cr_assert_eq(zc_pack_acquire(pack, &e, &hold), ZC_OK);
        cr_expect(hold.size == size && memcmp(hold.data, data[i], size) == 0, "%s reads back", name);
        zc_hold_release(&hold);
    }
    zc_pack_close(pack);
    for (int i = 0; i < N; ++i) free(data[i]);
    for (int t = 0; t < T; ++t) free(paths[t]);
}
