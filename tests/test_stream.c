/* test_stream.c - streaming reads (zc_stream_*, zc_stream_io.h) and seekable zstd
 * entries (codec 2: the writer's frames and seek table, formats/zc_seekable.h).
 *
 * Every read is compared with the bytes it must equal: the source files of real
 * third-party trees (Debian's test data, tools/bootstrap.sh --test-data) for blobs,
 * zc_pack_get's bytes for imported entries. Random positions come from a seeded
 * generator, so a failure names a reproducible seek. Seek tables are damaged byte by
 * byte in a copy of a real pack (checksums resealed) to reach each check of SPEC.md
 * §6.2.1; memory is measured through the pack's allocator and zc_stream_memory.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "zc_build.h"
#include "zc_pack_format.h"
#include "zc_stream_io.h"
#include "zc_test_images.h"
#include "zc_test_util.h"

TestSuite(stream, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 300);

#define READ_MAX (600u << 10) /* longest random read: a few frames */

/* ---------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------- */

/* An allocator that counts live bytes, their peak and the calls. */
typedef struct byte_count {
    uint64_t live, peak, calls;
} byte_count;

static void *bc_alloc(size_t size, void *user) {
    byte_count *bc = user;
    uint8_t *p = malloc(size + 16);
    if (!p) return NULL;
    memcpy(p, &size, sizeof size);
    bc->live += size;
    bc->calls++;
    if (bc->live > bc->peak) bc->peak = bc->live;
    return p + 16;
}

static void bc_free(void *ptr, void *user) {
    if (!ptr) return;
    byte_count *bc = user;
    uint8_t *p = (uint8_t *)ptr - 16;
    size_t size;
    memcpy(&size, p, sizeof size);
    bc->live -= size;
    free(p);
}

static zc_pack *open_pack(const char *path, const zc_allocator *allocator, zct_log *log) {
    zc_pack_desc desc = { .path = path };
    if (allocator) desc.allocator = *allocator;
    if (log) desc.logger = zct_log_recorder(log);
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &desc);
    cr_assert_eq(r, ZC_OK, "open %s: %s", path, zc_result_str(r));
    return pack;
}

/* Read all of the stream from its position in chunks of `chunk` bytes and compare. */
static void check_sequential(zc_stream *s, const uint8_t *expected, uint64_t size, size_t chunk, uint8_t *buf) {
    uint64_t at = zc_stream_tell(s);
    for (;;) {
        size_t got = 99;
        zc_result r = zc_stream_read(s, buf, chunk, &got);
        cr_assert_eq(r, ZC_OK, "%s: read at %llu: %s", zc_stream_entry(s)->path, (unsigned long long)at,
                     zc_result_str(r));
        if (got == 0) break;
        cr_assert(got == chunk || at + got == size, "%s: short read of %zu at %llu", zc_stream_entry(s)->path, got,
                  (unsigned long long)at);
        cr_assert(memcmp(buf, expected + at, got) == 0, "%s: bytes differ at %llu (+%zu)", zc_stream_entry(s)->path,
                  (unsigned long long)at, got);
        at += got;
    }
    cr_assert_eq(at, size, "%s: read %llu of %llu bytes", zc_stream_entry(s)->path, (unsigned long long)at,
                 (unsigned long long)size);
}

/* Stream entry e of `pack` and compare with expected[size): the whole in odd chunks,
 * then `rounds` seeks from every origin to seeded random targets, each followed by a
 * read of a random length (1 byte to several frames). */
static void check_stream(zc_pack *pack, const zc_entry *e, const uint8_t *expected, uint64_t size, uint64_t seed,
                         int rounds) {
    zc_stream *s = NULL;
    zc_result r = zc_stream_open_entry(&s, pack, e);
    cr_assert_eq(r, ZC_OK, "%s: open: %s", e->path, zc_result_str(r));
    cr_assert_eq(zc_stream_size(s), size, "%s", e->path);
    cr_assert_eq(zc_stream_tell(s), 0);
    uint8_t *buf = malloc(READ_MAX);
    cr_assert(buf);
    check_sequential(s, expected, size, 7919, buf);
    uint64_t state = seed;
    for (int i = 0; i < rounds; ++i) {
        uint64_t target = zct_rand(&state) % (size + 1), pos = zc_stream_tell(s);
        zc_whence how = (zc_whence)(zct_rand(&state) % 3);
        int64_t offset = how == ZC_SEEK_SET ? (int64_t)target
                         : how == ZC_SEEK_CUR ? (int64_t)target - (int64_t)pos
                                              : (int64_t)target - (int64_t)size;
        cr_assert_eq(zc_stream_seek(s, offset, how), ZC_OK, "%s: seek %lld from %d", e->path, (long long)offset, how);
        cr_assert_eq(zc_stream_tell(s), target);
        uint64_t pick = zct_rand(&state);
        size_t len = pick % 4 == 0 ? 1 : pick % 4 == 1 ? 4096 : (size_t)((pick >> 8) % READ_MAX) + 1;
        size_t got = 0, want = (uint64_t)len < size - target ? len : (size_t)(size - target);
        r = zc_stream_read(s, buf, len, &got);
        cr_assert_eq(r, ZC_OK, "%s: read %zu at %llu: %s", e->path, len, (unsigned long long)target,
                     zc_result_str(r));
        cr_assert_eq(got, want, "%s: read %zu at %llu gave %zu", e->path, len, (unsigned long long)target, got);
        cr_assert(memcmp(buf, expected + target, got) == 0, "%s: round %d: bytes differ at %llu (+%zu)", e->path, i,
                  (unsigned long long)target, got);
        cr_assert_eq(zc_stream_tell(s), target + got);
    }
    free(buf);
    zc_stream_close(s);
}

/* `size` bytes of text that compress about 5:1, generated fast. */
static uint8_t *make_text(size_t size, uint64_t seed) {
    uint8_t *p = malloc(size + 64);
    cr_assert(p);
    uint64_t state = seed;
    size_t at = 0;
    while (at < size) {
        uint64_t v = zct_rand(&state);
        at += (size_t)snprintf((char *)p + at, 64, "record %08llu value %5u flags %c%c\n",
                               (unsigned long long)(at / 40), (unsigned)(v % 100000), 'a' + (int)(v >> 40) % 4,
                               'k' + (int)(v >> 50) % 3);
    }
    return p;
}

static int compress_all(const char *path, uint32_t type, void *user) {
    (void)path, (void)type, (void)user;
    return 1;
}

/* Write entries with compression, one frame each (codec 1) when single_frame. */
static char *write_entries(const char *name, const zct_blob *blobs, size_t count, int single_frame) {
    char *out = zct_tmp_path(name);
    zc_writer *w = NULL;
    zc_result r = zc_writer_open(&w, &(zc_writer_desc){ .path = out, .no_sync = 1, .single_frame = single_frame,
                                                        .compress = compress_all });
    cr_assert_eq(r, ZC_OK);
    for (size_t i = 0; i < count && r == ZC_OK; ++i) {
        r = zc_writer_begin_entry(w, blobs[i].path, ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 0);
        if (r == ZC_OK) r = zc_writer_write(w, blobs[i].data, blobs[i].size);
        if (r == ZC_OK) r = zc_writer_end_entry(w);
    }
    cr_assert_eq(r, ZC_OK, "%s", zc_result_str(r));
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
    return out;
}

/* A pack of one seekable text entry `path` of `size` bytes (returned in *text) in
 * zct_tmp/name, open. */
static zc_pack *text_pack(const char *name, const char *path, size_t size, uint64_t seed, uint8_t **text) {
    *text = make_text(size, seed);
    zct_blob blob = { .path = path, .data = *text, .size = size };
    char *out = write_entries(name, &blob, 1, 0);
    zc_pack *pack = open_pack(out, NULL, NULL);
    free(out);
    return pack;
}

static zc_entry find(zc_pack *pack, const char *path) {
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, path, &e), ZC_OK, "%s", path);
    return e;
}

/* ---------------------------------------------------------------------------------
 * Real trees
 * ------------------------------------------------------------------------------- */

/* Build `tree` and stream every entry of the pack: blobs against their source file,
 * every entry against zc_pack_get's bytes. Counts entries by codec into by_codec[3]. */
static void check_tree(const char *tree, int dictionaries, uint64_t seed, int *by_codec) {
    char *out = zct_tmp_path("tree.zcpack");
    zct_log log = { 0 };
    zc_build_stats stats;
    zc_result r = zc_build(&(zc_build_desc){ .input_dir = tree, .output_path = out, .no_sync = 1, .threads = 2,
                                             .keep_going = 1, .dictionaries = dictionaries,
                                             .logger = zct_log_recorder(&log) },
                           &stats);
    /* keep_going: a file an importer refuses (gdk-pixbuf ships broken images) is left out. */
    cr_assert(r == ZC_OK || stats.pack_written, "build %s: %s (%s)", tree, zc_result_str(r),
              log.count ? log.messages[0] : "");
    zc_pack *pack = open_pack(out, NULL, NULL);
    uint32_t n = zc_pack_entry_count(pack), blobs = 0;
    cr_assert_gt(n, 0);
    for (uint32_t i = 0; i < n; ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_entry_at(pack, i, &e), ZC_OK);
        if (e.type == ZC_TYPE_ZSTD_DICT) continue;
        zc_hold hold;
        cr_assert_eq(zc_pack_acquire(pack, &e, &hold), ZC_OK, "%s", e.path);
        if (e.type == ZC_TYPE_BLOB) {
            char *source = zct_join(tree, e.path);
            size_t size = 0;
            uint8_t *bytes = zct_read_file(source, &size);
            cr_assert(bytes, "%s: cannot read the source", source);
            cr_assert(size == hold.size && memcmp(bytes, hold.data, size) == 0, "%s: pack bytes differ from source",
                      e.path);
            check_stream(pack, &e, bytes, size, seed + i, 60);
            free(bytes);
            free(source);
            blobs++;
        } else {
            check_stream(pack, &e, hold.data, hold.size, seed + i, 20);
        }
        by_codec[e.codec < 3 ? e.codec : 0]++;
        zc_hold_release(&hold);
    }
    cr_assert_gt(blobs, 0, "%s: no blob entries", tree);
    zc_pack_close(pack);
    zct_rm_rf(out);
    free(out);
}

Test(stream, every_entry_of_real_trees) {
    static const char *const trees[] = {
        ZCTI_PYGAME,
        ZCTI_PIXBUF_IMAGES "/reftests",
        "/usr/share/gocode/src/github.com/gabriel-vasile/mimetype/testdata",
    };
    int by_codec[3] = { 0 }, built = 0;
    for (size_t t = 0; t < sizeof trees / sizeof trees[0]; ++t) {
        if (!zct_exists(trees[t])) continue;
        check_tree(trees[t], 0, 1000u * t, by_codec);
        built++;
    }
    if (!built) zct_skip_test("no test data tree (tools/bootstrap.sh --test-data installs them)");
    cr_log_info("%d trees: %d stored, %d one-frame, %d seekable entries streamed", built, by_codec[0], by_codec[1],
                by_codec[2]);
    cr_assert_gt(by_codec[ZC_CODEC_NONE], 0, "some entries are stored raw");
    cr_assert_gt(by_codec[ZC_CODEC_ZSTD], 0, "some entries are single zstd frames");
}

/* Large real files (assimp's test models, over 2 MiB each) packed as blobs become
 * seekable; their streams, zstd's own decoder over the whole stored bytes, and
 * zc_pack_get all give the source bytes. */
Test(stream, real_large_files_are_seekable) {
    static const char *const names[] = { "BVH/01_01.bvh", "COB/dwarf_ascii.cob", "WRL/MotionCaptureROM.WRL",
                                         "IFC/AC14-FZK-Haus.ifc" };
    enum { N = sizeof names / sizeof names[0] };
    zct_blob blobs[N];
    uint8_t *data[N];
    for (size_t i = 0; i < N; ++i) {
        char *source = zct_join(ZCTI_ASSIMP, names[i]);
        if (!zct_exists(source)) zct_skip_test("%s is missing (tools/bootstrap.sh --test-data)", source);
        data[i] = zct_read_file(source, &blobs[i].size);
        cr_assert(data[i]);
        blobs[i] = (zct_blob){ .path = names[i], .data = data[i], .size = blobs[i].size };
        free(source);
    }
    char *out = zct_tmp_path("models.zcpack");
    cr_assert_eq(zct_write_compressed_pack(out, blobs, N), ZC_OK);
    zc_pack *pack = open_pack(out, NULL, NULL);
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
    cr_assert_eq(info.format_minor, ZC_FORMAT_MINOR_SEEKABLE);
    cr_assert_eq(zc_pack_validate(pack, ZC_VALIDATE_CHECKSUMS), ZC_OK);
    for (size_t i = 0; i < N; ++i) {
        zc_entry e = find(pack, names[i]);
        cr_assert_eq(e.codec, ZC_CODEC_ZSTD_SEEKABLE, "%s: codec %d", names[i], e.codec);
        zc_seek_table t;
        cr_assert_eq(zc_seek_table_check(e.data, e.stored_size, e.raw_size, &t, NULL), ZC_OK);
        cr_assert_eq(t.frame_count, (blobs[i].size - 1) / ZC_WRITER_SEEK_FRAME + 1);
        cr_assert_eq(t.frame_raw_size, ZC_WRITER_SEEK_FRAME);
        /* zstd's own one-shot decoder: the frames, then the skippable table. */
        uint8_t *plain = malloc(blobs[i].size);
        size_t got = ZSTD_decompress(plain, blobs[i].size, e.data, (size_t)e.stored_size);
        cr_assert(!ZSTD_isError(got) && got == blobs[i].size && memcmp(plain, data[i], got) == 0, "%s", names[i]);
        free(plain);
        zc_hold hold;
        cr_assert_eq(zc_pack_get(pack, names[i], &hold), ZC_OK);
        cr_assert(memcmp(hold.data, data[i], blobs[i].size) == 0);
        zc_hold_release(&hold);
        check_stream(pack, &e, data[i], blobs[i].size, 77 + i, 300);
    }
    zc_pack_close(pack);
    /* The CLI's cat (zc_pack_get) gives the source bytes too. */
    zct_run run = ZCT_CLI("cat", out, names[0]);
    ZCT_EXPECT_CODE(run, 0);
    cr_assert(run.out_size == blobs[0].size && memcmp(run.out, data[0], run.out_size) == 0);
    zct_run_free(&run);
    for (size_t i = 0; i < N; ++i) free(data[i]);
    free(out);
}

/* Small similar files with a trained dictionary: their codec-1 frames name it, and
 * streams decode them with it. */
Test(stream, dictionary_frames) {
    char *root = zct_tmp_path("dict");
    for (int i = 0; i < 300; ++i) { /* enough samples for zstd to train a dictionary */
        char rel[64], text[2048];
        int n = 0;
        for (int k = 0; k < 20; ++k)
            n += snprintf(text + n, sizeof text - (size_t)n, "{\"name\": \"item%d_%d\", \"weight\": %d, \"tags\": "
                          "[\"common\", \"loot\"]}\n", i, k, (i * 37 + k * 11) % 500);
        snprintf(rel, sizeof rel, "items/item%03d.json", i);
        zct_put(root, rel, text, (size_t)n);
    }
    int by_codec[3] = { 0 };
    check_tree(root, 1, 5, by_codec);
    cr_assert_eq(by_codec[ZC_CODEC_ZSTD], 300);
    /* The frames did name a dictionary. */
    char *out = zct_tmp_path("dict.zcpack");
    zc_build_stats stats;
    cr_assert_eq(zc_build(&(zc_build_desc){ .input_dir = root, .output_path = out, .no_sync = 1, .threads = 2,
                                            .dictionaries = 1 },
                          &stats),
                 ZC_OK);
    zc_pack *pack = open_pack(out, NULL, NULL);
    zc_entry e = find(pack, "items/item007.json");
    cr_assert_neq(ZSTD_getDictID_fromFrame(e.data, (size_t)e.stored_size), 0u);
    zc_pack_close(pack);
    free(out);
    free(root);
}

/* ---------------------------------------------------------------------------------
 * Seekable entries made by the writer
 * ------------------------------------------------------------------------------- */

/* A 12 MiB entry (spilled by the writer, compressed frame by frame from its file) and
 * a 3 MiB one (compressed in memory) become seekable; a stream over either holds one
 * frame, however far it seeks. */
Test(stream, large_entry_memory_is_one_frame) {
    size_t big_size = 12u << 20, mid_size = (3u << 20) + 12345;
    uint8_t *big = make_text(big_size, 1), *mid = make_text(mid_size, 2);
    zct_blob blobs[] = { { .path = "big.txt", .data = big, .size = big_size },
                         { .path = "mid.txt", .data = mid, .size = mid_size } };
    char *out = write_entries("big.zcpack", blobs, 2, 0);
    byte_count bc = { 0 };
    zc_allocator counting = { .alloc = bc_alloc, .free = bc_free, .user_data = &bc };
    zc_pack *pack = open_pack(out, &counting, NULL);
    for (int i = 0; i < 2; ++i) {
        zc_entry e = find(pack, blobs[i].path);
        cr_assert_eq(e.codec, ZC_CODEC_ZSTD_SEEKABLE);
        cr_assert_lt(e.stored_size, blobs[i].size / 3, "%s compresses: %llu", e.path, (unsigned long long)e.stored_size);
        zc_seek_table t;
        zc_diag diag;
        cr_assert_eq(zc_seek_table_check(e.data, e.stored_size, e.raw_size, &t, &diag), ZC_OK, "%s", diag.message);
        cr_assert_eq(t.frame_count, (blobs[i].size - 1) / ZC_WRITER_SEEK_FRAME + 1);
        uint64_t before = bc.live, calls = bc.calls;
        zc_stream *s;
        cr_assert_eq(zc_stream_open_entry(&s, pack, &e), ZC_OK);
        uint64_t opened = bc.live - before;
        cr_assert_geq(opened, ZC_WRITER_SEEK_FRAME);
        cr_assert_lt(opened, ZC_WRITER_SEEK_FRAME + 4096, "the stream's block is one frame: %llu",
                     (unsigned long long)opened);
        uint64_t opened_calls = bc.calls;
        cr_assert_eq(opened_calls - calls, 1, "one allocation at open");
        uint8_t *buf = malloc(READ_MAX);
        uint64_t state = 9, peak_memory = 0;
        for (int k = 0; k < 400; ++k) {
            uint64_t at = zct_rand(&state) % blobs[i].size;
            size_t got;
            cr_assert_eq(zc_stream_seek(s, (int64_t)at, ZC_SEEK_SET), ZC_OK);
            cr_assert_eq(zc_stream_read(s, buf, 4096, &got), ZC_OK);
            cr_assert(memcmp(buf, blobs[i].data + at, got) == 0);
            uint64_t m = zc_stream_memory(s);
            if (m > peak_memory) peak_memory = m;
        }
        cr_assert_eq(bc.calls, opened_calls, "reads and seeks allocate nothing from the pack's allocator");
        cr_assert_lt(peak_memory, 1u << 20, "%s: a stream holds %llu bytes", e.path, (unsigned long long)peak_memory);
        cr_log_info("%s: %u frames, stream memory %llu bytes for %zu raw bytes", e.path, t.frame_count,
                    (unsigned long long)peak_memory, blobs[i].size);
        free(buf);
        zc_stream_close(s);
        cr_assert_eq(bc.live, before);
        check_stream(pack, &e, blobs[i].data, blobs[i].size, 30 + i, 150);
    }
    zc_hold hold;
    cr_assert_eq(zc_pack_get(pack, "big.txt", &hold), ZC_OK);
    cr_assert(memcmp(hold.data, big, big_size) == 0);
    zc_hold_release(&hold);
    cr_assert_eq(zc_pack_validate(pack, ZC_VALIDATE_CHECKSUMS), ZC_OK);
    zc_pack_close(pack);
    cr_assert_eq(bc.live, 0);
    free(big);
    free(mid);
    free(out);
}

/* Without seekable frames (single_frame, as packs of format 1.1 and older hold them):
 * a 12 MiB frame streams through zstd's streaming decoder, a 100 KiB one is decoded
 * whole; both give their bytes at random positions. */
Test(stream, single_frame_entries_stream) {
    size_t big_size = (12u << 20) + 7, small_size = 100000;
    uint8_t *big = make_text(big_size, 3), *small = make_text(small_size, 4);
    zct_blob blobs[] = { { .path = "big.txt", .data = big, .size = big_size },
                         { .path = "small.txt", .data = small, .size = small_size } };
    char *out = write_entries("single.zcpack", blobs, 2, 1);
    zc_pack *pack = open_pack(out, NULL, NULL);
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
    cr_assert_eq(info.format_minor, ZC_FORMAT_MINOR_UNSIGNED);
    for (int i = 0; i < 2; ++i) {
        zc_entry e = find(pack, blobs[i].path);
        cr_assert_eq(e.codec, ZC_CODEC_ZSTD);
        check_stream(pack, &e, blobs[i].data, blobs[i].size, 50 + i, i == 0 ? 40 : 200);
    }
    /* The large frame's stream holds zstd's window, not the entry. */
    zc_stream *s;
    cr_assert_eq(zc_stream_open(&s, pack, "big.txt"), ZC_OK);
    uint8_t buf[4096];
    size_t got;
    cr_assert_eq(zc_stream_seek(s, -4096, ZC_SEEK_END), ZC_OK);
    cr_assert_eq(zc_stream_read(s, buf, sizeof buf, &got), ZC_OK);
    cr_assert(got == 4096 && memcmp(buf, big + big_size - 4096, 4096) == 0);
    cr_assert_lt(zc_stream_memory(s), big_size / 2, "%llu bytes", (unsigned long long)zc_stream_memory(s));
    cr_log_info("single 12 MiB frame: stream memory %llu bytes", (unsigned long long)zc_stream_memory(s));
    zc_stream_close(s);
    zc_pack_close(pack);
    free(big);
    free(small);
    free(out);
}

/* The writer's choice: 1 MiB and less stays one frame, more is split; the output is
 * the same bytes every time. */
Test(stream, threshold_and_determinism) {
    size_t at_limit = ZC_WRITER_SEEKABLE_MIN, above = ZC_WRITER_SEEKABLE_MIN + 1;
    uint8_t *a = make_text(at_limit, 5), *b = make_text(above, 5);
    zct_blob blobs[] = { { .path = "a", .data = a, .size = at_limit }, { .path = "b", .data = b, .size = above } };
    char *one = write_entries("one.zcpack", blobs, 2, 0), *two = write_entries("two.zcpack", blobs, 2, 0);
    cr_assert(zct_files_equal(one, two), "two builds of the same entries differ");
    zc_pack *pack = open_pack(one, NULL, NULL);
    cr_assert_eq(find(pack, "a").codec, ZC_CODEC_ZSTD);
    zc_entry e = find(pack, "b");
    cr_assert_eq(e.codec, ZC_CODEC_ZSTD_SEEKABLE);
    zc_seek_table t;
    cr_assert_eq(zc_seek_table_check(e.data, e.stored_size, e.raw_size, &t, NULL), ZC_OK);
    cr_assert_eq(t.frame_count, 5);
    cr_assert_eq(zc_seek_frame_raw(&t, 4), 1);
    zc_pack_close(pack);
    free(a);
    free(b);
    free(one);
    free(two);
}

/* Incompressible bytes above the threshold stay raw (codec 0), and stream in place. */
Test(stream, incompressible_stays_raw) {
    size_t size = 2u << 20;
    uint8_t *noise = malloc(size);
    zct_fill(noise, size, 11);
    zct_blob blob = { .path = "noise.bin", .data = noise, .size = size };
    char *out = write_entries("noise.zcpack", &blob, 1, 0);
    zc_pack *pack = open_pack(out, NULL, NULL);
    zc_entry e = find(pack, "noise.bin");
    cr_assert_eq(e.codec, ZC_CODEC_NONE);
    zc_stream *s;
    cr_assert_eq(zc_stream_open_entry(&s, pack, &e), ZC_OK);
    cr_assert_lt(zc_stream_memory(s), 1024, "a stored entry's stream has no buffer");
    zc_stream_close(s);
    check_stream(pack, &e, noise, size, 12, 100);
    zc_pack_close(pack);
    free(noise);
    free(out);
}

/* ---------------------------------------------------------------------------------
 * Hostile seek tables
 * ------------------------------------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v) {
    memcpy(p, &v, 4);
}

typedef void (*damage_fn)(uint8_t *entry, zc_toc_entry *rec);

/* The seek table's parts in an entry's stored bytes. */
static uint8_t *footer_of(uint8_t *entry, zc_toc_entry *rec) {
    return entry + rec->stored_size - ZC_SEEKABLE_FOOTER_SIZE;
}
static uint8_t *records_of(uint8_t *entry, zc_toc_entry *rec) {
    uint32_t count = zc_le32(footer_of(entry, rec));
    return entry + rec->stored_size - zc_seek_table_size(count) + ZC_SEEKABLE_HEADER_SIZE;
}

static void cut_footer(uint8_t *entry, zc_toc_entry *rec) { (void)entry; rec->stored_size -= 6; }
static void cut_table(uint8_t *entry, zc_toc_entry *rec) {
    /* The footer moved 8 bytes down over the last record: a table one record short. */
    memmove(footer_of(entry, rec) - 8, footer_of(entry, rec), ZC_SEEKABLE_FOOTER_SIZE);
    rec->stored_size -= 8;
}
static void sum_off(uint8_t *entry, zc_toc_entry *rec) {
    uint8_t *r = records_of(entry, rec);
    put32(r, zc_le32(r) - 1);
}
static void stored_overrun(uint8_t *entry, zc_toc_entry *rec) {
    put32(records_of(entry, rec) + 8, 0x7FFFFFFFu);
}
static void huge_count(uint8_t *entry, zc_toc_entry *rec) { put32(footer_of(entry, rec), 0xFFFFFFFFu); }
static void big_count(uint8_t *entry, zc_toc_entry *rec) { put32(footer_of(entry, rec), ZC_SEEKABLE_MAX_FRAMES); }
static void zero_count(uint8_t *entry, zc_toc_entry *rec) { put32(footer_of(entry, rec), 0); }
static void huge_frame(uint8_t *entry, zc_toc_entry *rec) { put32(footer_of(entry, rec) + 4, 1u << 30); }
static void raw_mismatch(uint8_t *entry, zc_toc_entry *rec) { put32(records_of(entry, rec) + 4, 1000); }
static void raw_size_off(uint8_t *entry, zc_toc_entry *rec) { (void)entry; rec->raw_size += ZC_WRITER_SEEK_FRAME; }
static void new_version(uint8_t *entry, zc_toc_entry *rec) { footer_of(entry, rec)[8] = 2; }
static void skippable_magic(uint8_t *entry, zc_toc_entry *rec) {
    put32(records_of(entry, rec) - ZC_SEEKABLE_HEADER_SIZE, 0x184D2A50u);
}

/* Write a 3 MiB seekable entry "s.txt", damage a copy of the pack, reseal it, and
 * return it open from memory (validated at TOC level, which never reads entries). */
static zc_pack *damaged_pack(damage_fn damage, zct_log *log, uint8_t **image, uint8_t **text) {
    size_t size = 3u << 20;
    *text = make_text(size, 21);
    zct_blob blob = { .path = "s.txt", .data = *text, .size = size };
    char *out = write_entries("hostile.zcpack", &blob, 1, 0);
    size_t n = 0;
    *image = zct_read_file_aligned(out, 4096, &n);
    zc_toc_entry *rec = zct_record_of(*image, "s.txt");
    cr_assert_eq(rec->codec, ZC_CODEC_ZSTD_SEEKABLE);
    damage(*image + rec->offset, rec);
    zct_reseal(*image, n);
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .memory = *image, .memory_size = n,
                                                       .logger = zct_log_recorder(log) });
    cr_assert_eq(r, ZC_OK, "%s", log->count ? log->messages[0] : zc_result_str(r));
    free(out);
    return pack;
}

static void expect_refused(damage_fn damage, zc_result code, const char *phrase) {
    zct_log log;
    uint8_t *image, *text;
    zc_pack *pack = damaged_pack(damage, &log, &image, &text);
    zc_stream *s = (zc_stream *)&log; /* must come back NULL */
    zc_result r = zc_stream_open(&s, pack, "s.txt");
    cr_assert_eq(r, code, "stream: %s, expected %s (%s)", zc_result_name(r), zc_result_name(code),
                 log.count ? log.messages[0] : "");
    cr_assert_null(s);
    cr_assert(zct_log_contains(&log, phrase), "no \"%s\" in: %s", phrase, log.count ? log.messages[0] : "(nothing)");
    cr_assert(zct_log_contains(&log, "s.txt"), "the message names the entry");
    zc_hold hold;
    cr_assert_eq(zc_pack_get(pack, "s.txt", &hold), code, "zc_pack_get refuses it too");
    cr_assert_eq(zc_pack_validate(pack, ZC_VALIDATE_FULL), code);
    zc_pack_close(pack);
    free(image);
    free(text);
}

Test(stream, hostile_truncated_footer) { expect_refused(cut_footer, ZC_ERR_BAD_ENTRY, "seek table footer"); }
Test(stream, hostile_truncated_table) { expect_refused(cut_table, ZC_ERR_BAD_ENTRY, "skippable frame header"); }
Test(stream, hostile_sums_do_not_match) { expect_refused(sum_off, ZC_ERR_BAD_ENTRY, "add up to"); }
Test(stream, hostile_frame_overruns) { expect_refused(stored_overrun, ZC_ERR_BAD_ENTRY, "lies outside"); }
Test(stream, hostile_huge_frame_count) { expect_refused(huge_count, ZC_ERR_LIMIT, "frames is outside"); }
Test(stream, hostile_count_beyond_bytes) { expect_refused(big_count, ZC_ERR_BAD_ENTRY, "does not fit"); }
Test(stream, hostile_zero_frames) { expect_refused(zero_count, ZC_ERR_BAD_ENTRY, "frames is outside"); }
Test(stream, hostile_huge_frame_size) { expect_refused(huge_frame, ZC_ERR_LIMIT, "frame size"); }
Test(stream, hostile_frame_raw_mismatch) { expect_refused(raw_mismatch, ZC_ERR_BAD_ENTRY, "holds 1000 raw bytes"); }
Test(stream, hostile_raw_size_mismatch) { expect_refused(raw_size_off, ZC_ERR_BAD_ENTRY, "cannot hold"); }
Test(stream, hostile_unknown_version) { expect_refused(new_version, ZC_ERR_BAD_ENTRY, "version 2"); }
Test(stream, hostile_skippable_magic) { expect_refused(skippable_magic, ZC_ERR_BAD_ENTRY, "skippable frame header"); }

/* A damaged byte inside frame 5: the table is fine, so the stream opens; reading
 * frame 5 fails naming it (zstd's frame checksum or its block structure), and the
 * frames around it still read. */
static void flip_in_frame5(uint8_t *entry, zc_toc_entry *rec) {
    uint8_t *r = records_of(entry, rec);
    uint64_t offset = 0;
    for (int i = 0; i < 5; ++i) offset += zc_le32(r + 8 * i);
    entry[offset + zc_le32(r + 40) / 2] ^= 0x5A;
}

Test(stream, damaged_frame_fails_alone) {
    zct_log log;
    uint8_t *image, *text;
    zc_pack *pack = damaged_pack(flip_in_frame5, &log, &image, &text);
    zc_stream *s;
    cr_assert_eq(zc_stream_open(&s, pack, "s.txt"), ZC_OK);
    uint8_t buf[4096];
    size_t got;
    cr_assert_eq(zc_stream_read(s, buf, sizeof buf, &got), ZC_OK);
    cr_assert(got == sizeof buf && memcmp(buf, text, got) == 0);
    uint64_t frame = ZC_WRITER_SEEK_FRAME;
    cr_assert_eq(zc_stream_seek(s, (int64_t)(5 * frame - 100), ZC_SEEK_SET), ZC_OK);
    zc_result r = zc_stream_read(s, buf, 200, &got);
    cr_assert_eq(r, ZC_ERR_BAD_ENTRY, "%s", zc_result_name(r));
    cr_assert_eq(got, 100, "the bytes before frame 5 were read");
    cr_assert(memcmp(buf, text + 5 * frame - 100, 100) == 0);
    cr_assert_eq(zc_stream_tell(s), 5 * frame);
    cr_assert(zct_log_contains(&log, "frame 5"), "%s", log.count ? log.messages[0] : "(nothing)");
    cr_assert_eq(zc_stream_seek(s, (int64_t)frame, ZC_SEEK_CUR), ZC_OK);
    cr_assert_eq(zc_stream_read(s, buf, sizeof buf, &got), ZC_OK);
    cr_assert(memcmp(buf, text + 6 * frame, got) == 0);
    zc_stream_close(s);
    zc_hold hold;
    cr_assert_eq(zc_pack_get(pack, "s.txt", &hold), ZC_ERR_BAD_ENTRY);
    zc_pack_close(pack);
    free(image);
    free(text);
}

/* ---------------------------------------------------------------------------------
 * Lifetime, bounds and arguments
 * ------------------------------------------------------------------------------- */

/* Streams keep their pack: closing the pack handle first is safe, and the pack's
 * memory goes with the last stream. */
Test(stream, reads_after_pack_close) {
    size_t size = (2u << 20) + 99;
    uint8_t *text = make_text(size, 31);
    zct_blob blobs[] = { { .path = "seek.txt", .data = text, .size = size },
                         { .path = "small.txt", .data = text, .size = 5000 } };
    char *out = write_entries("close.zcpack", blobs, 2, 0);
    byte_count bc = { 0 };
    zc_allocator counting = { .alloc = bc_alloc, .free = bc_free, .user_data = &bc };
    zc_pack *pack = open_pack(out, &counting, NULL);
    zc_stream *a, *b;
    cr_assert_eq(zc_stream_open(&a, pack, "seek.txt"), ZC_OK);
    cr_assert_eq(zc_stream_open_id(&b, pack, zc_asset_id("small.txt", 9)), ZC_OK);
    zc_pack_close(pack);
    cr_assert_gt(bc.live, 0, "the streams keep the pack");
    uint8_t *buf = malloc(READ_MAX);
    check_sequential(a, text, size, 65536, buf);
    cr_assert_eq(zc_stream_seek(a, 1234567, ZC_SEEK_SET), ZC_OK);
    size_t got;
    cr_assert_eq(zc_stream_read(a, buf, 1000, &got), ZC_OK);
    cr_assert(got == 1000 && memcmp(buf, text + 1234567, 1000) == 0);
    zc_stream_close(a);
    check_sequential(b, text, 5000, 333, buf);
    zc_stream_close(b);
    cr_assert_eq(bc.live, 0, "the last stream freed the pack");
    free(buf);
    free(text);
    free(out);
}

Test(stream, seek_bounds) {
    size_t size = (1u << 20) + 4097;
    uint8_t *text;
    zc_pack *pack = text_pack("bounds.zcpack", "t.txt", size, 41, &text);
    zc_stream *s;
    cr_assert_eq(zc_stream_open(&s, pack, "t.txt"), ZC_OK);
    cr_assert_eq(zc_stream_seek(s, 100, ZC_SEEK_SET), ZC_OK);
    cr_assert_eq(zc_stream_seek(s, (int64_t)size + 1, ZC_SEEK_SET), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_stream_seek(s, -1, ZC_SEEK_SET), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_stream_seek(s, -101, ZC_SEEK_CUR), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_stream_seek(s, 1, ZC_SEEK_END), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_stream_seek(s, INT64_MIN, ZC_SEEK_END), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_stream_seek(s, INT64_MAX, ZC_SEEK_CUR), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_stream_seek(s, 0, (zc_whence)3), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_stream_tell(s), 100, "refused seeks leave the position");
    cr_assert_eq(zc_stream_seek(s, -(int64_t)size, ZC_SEEK_END), ZC_OK);
    cr_assert_eq(zc_stream_tell(s), 0);
    cr_assert_eq(zc_stream_seek(s, 0, ZC_SEEK_END), ZC_OK);
    uint8_t buf[64];
    size_t got = 7;
    cr_assert_eq(zc_stream_read(s, buf, sizeof buf, &got), ZC_OK);
    cr_assert_eq(got, 0, "end of file");
    cr_assert_eq(zc_stream_seek(s, -10, ZC_SEEK_CUR), ZC_OK);
    cr_assert_eq(zc_stream_read(s, buf, sizeof buf, &got), ZC_OK);
    cr_assert(got == 10 && memcmp(buf, text + size - 10, 10) == 0);
    cr_assert_eq(zc_stream_read(s, NULL, 0, &got), ZC_OK);
    cr_assert_eq(zc_stream_read(s, NULL, 1, &got), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_stream_read(s, buf, 1, NULL), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_stream_read(NULL, buf, 1, &got), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_stream_seek(NULL, 0, ZC_SEEK_SET), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_stream_tell(NULL), 0);
    cr_assert_eq(zc_stream_size(NULL), 0);
    cr_assert_eq(zc_stream_memory(NULL), 0);
    cr_assert_null(zc_stream_entry(NULL));
    zc_stream_close(NULL);
    zc_stream_close(s);
    zc_stream *none = (zc_stream *)buf;
    cr_assert_eq(zc_stream_open(&none, pack, "missing"), ZC_ERR_NO_ENTRY);
    cr_assert_null(none);
    cr_assert_eq(zc_stream_open_id(&none, pack, 0), ZC_ERR_NO_ENTRY);
    cr_assert_eq(zc_stream_open(&none, NULL, "t.txt"), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_stream_open(NULL, pack, "t.txt"), ZC_ERR_INVALID_ARGUMENT);
    zc_entry forged = find(pack, "t.txt");
    forged.id ^= 1;
    cr_assert_eq(zc_stream_open_entry(&none, pack, &forged), ZC_ERR_INVALID_ARGUMENT);
    zc_pack_close(pack);
    free(text);
}

/* An empty entry streams as end of file at once. */
Test(stream, empty_entry) {
    zct_blob blob = { .path = "empty", .data = NULL, .size = 0 };
    char *out = zct_tmp_path("empty.zcpack");
    cr_assert_eq(zct_write_pack(out, &blob, 1), ZC_OK);
    zc_pack *pack = open_pack(out, NULL, NULL);
    zc_stream *s;
    cr_assert_eq(zc_stream_open(&s, pack, "empty"), ZC_OK);
    uint8_t b;
    size_t got = 1;
    cr_assert_eq(zc_stream_read(s, &b, 1, &got), ZC_OK);
    cr_assert_eq(got, 0);
    cr_assert_eq(zc_stream_seek(s, 0, ZC_SEEK_END), ZC_OK);
    cr_assert_eq(zc_stream_seek(s, 1, ZC_SEEK_SET), ZC_ERR_INVALID_ARGUMENT);
    zc_stream_close(s);
    zc_pack_close(pack);
    free(out);
}

/* ---------------------------------------------------------------------------------
 * Callback adapters (zc_stream_io.h)
 * ------------------------------------------------------------------------------- */

/* A "library" written against the stdio/ogg-style callbacks only: reads 16-byte
 * records from the end backwards, as a decoder seeking for a trailer would. */
static uint64_t records_backwards(const zc_stream_callbacks *cb, void *datasource, size_t *count) {
    uint64_t h = 1469598103934665603u;
    cr_assert_eq(cb->seek_func(datasource, 0, SEEK_END), 0);
    long end = cb->tell_func(datasource);
    *count = 0;
    for (long at = end - 16; at >= 0; at -= 16 * 97) {
        uint8_t rec[16];
        cr_assert_eq(cb->seek_func(datasource, at, SEEK_SET), 0);
        cr_assert_eq(cb->read_func(rec, 16, 1, datasource), 1);
        cr_assert_eq(cb->tell_func(datasource), at + 16);
        for (int i = 0; i < 16; ++i) h = (h ^ rec[i]) * 1099511628211u;
        ++*count;
    }
    return h;
}

Test(stream, stdio_callbacks) {
    size_t size = (3u << 20) + 16 * 5;
    uint8_t *text;
    zc_pack *pack = text_pack("cb.zcpack", "cb.txt", size, 51, &text);
    zc_stream *s;
    cr_assert_eq(zc_stream_open(&s, pack, "cb.txt"), ZC_OK);
    zc_stream_callbacks cb = zc_stream_callbacks_make();
    size_t count = 0, expected_count = 0;
    uint64_t h = records_backwards(&cb, s, &count), want = 1469598103934665603u;
    for (long at = (long)size - 16; at >= 0; at -= 16 * 97, ++expected_count)
        for (int i = 0; i < 16; ++i) want = (want ^ text[at + i]) * 1099511628211u;
    cr_assert_eq(count, expected_count);
    cr_assert_eq(h, want, "the callbacks read the entry's bytes");
    /* fread semantics: whole items; a partial item at the end is consumed. */
    cr_assert_eq(cb.seek_func(s, -10, SEEK_END), 0);
    uint8_t buf[64];
    cr_assert_eq(cb.read_func(buf, 4, 4, s), 2);
    cr_assert_eq(cb.tell_func(s), (long)size);
    cr_assert_eq(cb.read_func(buf, 0, 4, s), 0);
    cr_assert_eq(cb.read_func(buf, (size_t)-1, 4, s), 0, "size * nmemb overflow");
    cr_assert_eq(cb.seek_func(s, 1, SEEK_END), -1);
    cr_assert_eq(cb.seek_func(s, 0, 12345), -1);
    cr_assert_eq(cb.seek_func(s, 5, SEEK_SET), 0);
    cr_assert_eq(cb.seek_func(s, 5, SEEK_CUR), 0);
    cr_assert_eq(cb.read_func(buf, 1, 8, s), 8);
    cr_assert(memcmp(buf, text + 10, 8) == 0);
    cr_assert_eq(cb.close_func(s), 0);
    zc_pack_close(pack);
    free(text);
}

Test(stream, physfs_style_io) {
    size_t size = (2u << 20) + 3;
    uint8_t *text;
    zc_pack *pack = text_pack("io.zcpack", "io.txt", size, 61, &text);
    zc_stream *s;
    cr_assert_eq(zc_stream_open(&s, pack, "io.txt"), ZC_OK);
    zc_pack_close(pack);
    zc_stream_io io = zc_stream_io_make(s);
    cr_assert_eq(io.length(&io), (int64_t)size);
    uint8_t *buf = malloc(size);
    int64_t total = 0, got;
    while ((got = io.read(&io, buf + total, 100000)) > 0) total += got;
    cr_assert_eq(got, 0);
    cr_assert_eq(total, (int64_t)size);
    cr_assert(memcmp(buf, text, size) == 0);
    cr_assert_eq(io.seek(&io, 1000000), 1);
    cr_assert_eq(io.tell(&io), 1000000);
    cr_assert_eq(io.read(&io, buf, 50), 50);
    cr_assert(memcmp(buf, text + 1000000, 50) == 0);
    cr_assert_eq(io.seek(&io, size + 1), 0);
    cr_assert_eq(io.seek(&io, UINT64_MAX), 0);
    cr_assert_eq(io.tell(&io), 1000050);
    io.destroy(&io);
    cr_assert_null(io.opaque);
    free(buf);
    free(text);
}

/* ---------------------------------------------------------------------------------
 * The sample program (samples/stream_audio)
 * ------------------------------------------------------------------------------- */

static uint64_t fnv1a(const uint8_t *p, size_t n) {
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211u;
    return h;
}

/* A mono 16-bit WAVE file of `samples` samples of a 441 Hz tone, with a LIST chunk
 * of odd size (padded) before its data, as tools write them. *data_at is where the
 * samples start. */
static uint8_t *tone_wav(uint32_t samples, size_t *size, size_t *data_at) {
    static const char list[] = "LIST\x05\0\0\0INFO!\0"; /* 5 bytes of body + 1 pad byte */
    size_t data = (size_t)samples * 2, n = 12 + 24 + sizeof list - 1 + 8 + data;
    uint8_t *p = calloc(1, n);
    uint32_t riff = (uint32_t)(n - 8), fmt_size = 16, rate = 44100, byte_rate = 88200, data_size = (uint32_t)data;
    uint16_t pcm = 1, channels = 1, align = 2, bits = 16;
    memcpy(p, "RIFF", 4), memcpy(p + 4, &riff, 4), memcpy(p + 8, "WAVEfmt ", 8), memcpy(p + 16, &fmt_size, 4);
    memcpy(p + 20, &pcm, 2), memcpy(p + 22, &channels, 2), memcpy(p + 24, &rate, 4), memcpy(p + 28, &byte_rate, 4);
    memcpy(p + 32, &align, 2), memcpy(p + 34, &bits, 2), memcpy(p + 36, list, sizeof list - 1);
    size_t at = 36 + sizeof list - 1;
    memcpy(p + at, "data", 4), memcpy(p + at + 4, &data_size, 4);
    *data_at = at + 8;
    for (uint32_t i = 0; i < samples; ++i) {
        int16_t v = (int16_t)((i % 100) < 50 ? (i % 50) * 600 - 15000 : 15000 - (i % 50) * 600); /* a triangle */
        memcpy(p + *data_at + 2u * i, &v, 2);
    }
    *size = n;
    return p;
}

Test(stream, sample_program) {
    char *root = zct_tmp_path("audio");
    size_t tone_size, tone_data;
    uint8_t *tone = tone_wav(3u << 19, &tone_size, &tone_data); /* 3 MiB of samples: seekable */
    zct_put(root, "tone.wav", tone, tone_size);
    const char *house = ZCTI_PYGAME "/house_lo.wav";
    int real = zct_exists(house);
    if (real) zct_copy_file(house, root, "house_lo.wav");
    char *out = zct_tmp_path("audio.zcpack");
    zc_build_stats stats;
    cr_assert_eq(zc_build(&(zc_build_desc){ .input_dir = root, .output_path = out, .no_sync = 1 }, &stats), ZC_OK);
    char bin[4096];
    snprintf(bin, sizeof bin, "%s/stream_audio", zct_self_dir());
    cr_assert(zct_exists(bin), "%s is missing (make release builds it)", bin);
    setenv("ZCPACK_BIN", bin, 1); /* zct_cli runs $ZCPACK_BIN: here the sample */

    char expected[64];
    snprintf(expected, sizeof expected, "samples checksum %016llx",
             (unsigned long long)fnv1a(tone + tone_data, tone_size - tone_data));
    zct_run run = ZCT_CLI(out, "tone.wav");
    ZCT_EXPECT_CODE(run, 0);
    cr_assert(strstr(run.out, expected), "no \"%s\" in:\n%s", expected, run.out);
    cr_assert(strstr(run.out, "(codec 2)") && strstr(run.out, "1 channel(s), 44100 Hz, 16 bits, 1572864 frames"),
              "%s", run.out);
    cr_assert(strstr(run.out, "matches zc_pack_get"), "%s", run.out);
    zct_run_free(&run);
    if (real) {
        size_t n;
        uint8_t *wav = zct_read_file(house, &n);
        size_t at = 12; /* the data chunk, found here by walking the chunks of the source file */
        while (at + 8 <= n && memcmp(wav + at, "data", 4) != 0) at += 8 + zc_le32(wav + at + 4) + (zc_le32(wav + at + 4) & 1);
        cr_assert(at + 8 + zc_le32(wav + at + 4) <= n, "house_lo.wav has a data chunk");
        snprintf(expected, sizeof expected, "samples checksum %016llx",
                 (unsigned long long)fnv1a(wav + at + 8, zc_le32(wav + at + 4)));
        run = ZCT_CLI(out, "house_lo.wav");
        ZCT_EXPECT_CODE(run, 0);
        cr_assert(strstr(run.out, expected), "no \"%s\" in:\n%s", expected, run.out);
        zct_run_free(&run);
        free(wav);
    }
    run = ZCT_CLI(out, "missing.wav");
    ZCT_EXPECT_CODE(run, 1);
    zct_run_free(&run);
    free(tone);
    free(out);
    free(root);
}
