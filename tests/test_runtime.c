/* test_runtime.c - the runtime through its public API (zc_pack.h), on packs written
 * with the writer API into a private temporary directory: opening from a path, from
 * memory and without mmap; lookups; zero-copy and alignment promises; every error of
 * zc_pack_open with its logged sentence; allocator and logger hooks; threads. Also the
 * runtime's XXH3 (zc_hash.h), whose copy is picked by size and CPU.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "zc_hash.h"
#include "zc_pack.h"
#include "zc_test_util.h"

TestSuite(runtime, .init = zct_sample_setup, .fini = zct_sample_teardown, .timeout = 60);

static zc_pack *open_ok(const zc_pack_desc *desc) {
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, desc);
    cr_assert_eq(r, ZC_OK, "zc_pack_open: %s", zc_result_name(r));
    cr_assert_not_null(pack);
    return pack;
}

/* Open with a recording logger; the result must be `expected`, *out_pack NULL, and the
 * logger must have received exactly one error sentence mentioning `name`. */
static void open_fails(zc_pack_desc desc, zc_result expected, const char *name) {
    zct_log log;
    desc.logger = zct_log_recorder(&log);
    zc_pack *pack = (zc_pack *)&desc; /* any non-NULL value: open must reset it */
    zc_result r = zc_pack_open(&pack, &desc);
    cr_assert_eq(r, expected, "expected %s, got %s (%s)", zc_result_name(expected), zc_result_name(r),
                 log.count ? log.messages[0] : "nothing logged");
    cr_assert_null(pack, "*out_pack must be NULL on error");
    cr_assert_eq(log.errors, 1, "one error sentence, got %d", log.errors);
    if (name) cr_assert(zct_log_contains(&log, name), "log names %s: %s", name, log.messages[0]);
    for (int i = 0; i < log.count && i < ZCT_LOG_MAX; ++i) {
        size_t n = strlen(log.messages[i]);
        cr_assert(n > 0 && log.messages[i][n - 1] != '\n', "one sentence without a newline: '%s'", log.messages[i]);
    }
}

static void check_sample_contents(const zc_pack *pack) {
    cr_assert_eq(zc_pack_entry_count(pack), zct_sample_blob_count);
    for (size_t i = 0; i < zct_sample_blob_count; ++i) {
        const zct_blob *b = &zct_sample_blobs[i];
        zc_entry e;
        cr_assert_eq(zc_pack_find(pack, b->path, &e), ZC_OK, "find %s", b->path);
        cr_assert_str_eq(e.path, b->path);
        cr_assert_eq(e.path_length, strlen(b->path));
        cr_assert_eq(e.raw_size, b->size, "%s", b->path);
        cr_assert_eq(e.stored_size, b->size);
        cr_assert_eq(e.type, ZC_TYPE_BLOB);
        cr_assert_eq(e.layout_hash, ZC_BLOB_LAYOUT_HASH);
        cr_assert_eq(e.codec, ZC_CODEC_NONE);
        cr_assert_eq(e.id, zc_asset_id(b->path, strlen(b->path)));
        cr_assert_eq(e.content_hash, XXH3_64bits(b->data, b->size));
        if (b->size) cr_assert_eq(memcmp(e.data, b->data, b->size), 0, "bytes of %s", b->path);
        const void *data;
        uint64_t size;
        cr_assert_eq(zc_entry_bytes(&e, ZC_TYPE_BLOB, &data, &size), ZC_OK);
        cr_assert_eq(data, e.data, "entry_bytes hands out the same in-place pointer");
        cr_assert_eq(size, b->size);
    }
}

/* ---------------------------------------------------------------------------------
 * Opening
 * ------------------------------------------------------------------------------- */

Test(runtime, open_from_path_maps_the_file) {
    zc_pack *pack = open_ok(&(zc_pack_desc){ .path = zct_sample_path });
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
    struct stat st;
    cr_assert_eq(stat(zct_sample_path, &st), 0);
    cr_assert_eq(info.file_size, (uint64_t)st.st_size);
    cr_assert_eq(info.mapped, 1);
    cr_assert_eq(info.format_major, ZC_FORMAT_MAJOR);
    cr_assert_eq(info.writer_version, ZC_VERSION_NUMBER);
    cr_assert_eq(info.entry_count, zct_sample_blob_count);
    cr_assert_eq(info.dep_count, 2);
    cr_assert_eq(info.validated, ZC_VALIDATE_TOC, "the default level is TOC");
    cr_assert(info.toc_offset >= sizeof(zc_header) && info.toc_offset + info.toc_size <= info.file_size);
    uint64_t payload = 0;
    for (size_t i = 0; i < zct_sample_blob_count; ++i) payload += zct_sample_blobs[i].size;
    cr_assert_eq(info.payload_bytes, payload, "shared payloads count once per entry");
    check_sample_contents(pack);
    zc_pack_close(pack);
}

Test(runtime, open_from_memory) {
    size_t size;
    uint8_t *buf = zct_read_file_aligned(zct_sample_path, 1u << ZC_MAX_ALIGN_LOG2, &size);
    zc_pack *pack = open_ok(&(zc_pack_desc){ .memory = buf, .memory_size = size });
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
    cr_assert_eq(info.mapped, 0);
    cr_assert_eq(info.file_size, size);
    check_sample_contents(pack);
    zc_entry e;
    for (uint32_t i = 0; i < zc_pack_entry_count(pack); ++i) {
        cr_assert_eq(zc_pack_entry_at(pack, i, &e), ZC_OK);
        cr_assert_eq((const uint8_t *)e.data, buf + e.offset, "memory packs are used in place");
        cr_assert(e.path >= (const char *)buf && e.path < (const char *)buf + size, "paths point into the buffer");
    }
    zc_pack_close(pack);
    free(buf);
}

Test(runtime, open_without_mmap) {
    zct_alloc_stats stats;
    zct_alloc_stats_init(&stats, -1);
    zc_pack *pack = open_ok(&(zc_pack_desc){ .path = zct_sample_path, .no_mmap = 1,
                                             .allocator = zct_counting_allocator(&stats) });
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
    cr_assert_eq(info.mapped, 0);
    cr_assert_geq(stats.live, 2, "the pack object and the read buffer come from the allocator");
    check_sample_contents(pack);
    zc_pack_close(pack);
    cr_assert_eq(stats.live, 0);
    cr_assert_eq(stats.bad_free, 0);
}

Test(runtime, validation_levels_on_a_good_pack) {
    static const zc_validate levels[] = { ZC_VALIDATE_NONE, ZC_VALIDATE_TOC, ZC_VALIDATE_FULL, ZC_VALIDATE_CHECKSUMS };
    for (size_t i = 0; i < 4; ++i) {
        zc_pack *pack = open_ok(&(zc_pack_desc){ .path = zct_sample_path, .validate = levels[i] });
        zc_pack_info info;
        cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
        cr_assert_eq(info.validated, levels[i]);
        check_sample_contents(pack);
        for (size_t k = 0; k < 4; ++k) cr_assert_eq(zc_pack_validate(pack, levels[k]), ZC_OK);
        cr_assert_eq(zc_pack_validate(pack, ZC_VALIDATE_DEFAULT), ZC_OK);
        zc_pack_close(pack);
    }
}

/* ---------------------------------------------------------------------------------
 * Lookups
 * ------------------------------------------------------------------------------- */

Test(runtime, find_by_path_id_and_index_agree) {
    zc_pack *pack = open_ok(&(zc_pack_desc){ .path = zct_sample_path });
    uint64_t previous = 0;
    for (uint32_t i = 0; i < zc_pack_entry_count(pack); ++i) {
        zc_entry at, by_id, by_path;
        cr_assert_eq(zc_pack_entry_at(pack, i, &at), ZC_OK);
        cr_assert_eq(at.index, i);
        if (i > 0) cr_assert_gt(at.id, previous, "entries are in ascending id order");
        previous = at.id;
        cr_assert_eq(zc_pack_find_id(pack, at.id, &by_id), ZC_OK);
        cr_assert_eq(zc_pack_find(pack, at.path, &by_path), ZC_OK);
        cr_assert_eq(by_id.index, i);
        cr_assert_eq(by_path.index, i);
        cr_assert_eq(by_path.data, at.data);
        cr_assert_eq(by_id.offset, at.offset);
        cr_assert_eq(at.path[at.path_length], 0, "paths are NUL-terminated");
    }
    zc_pack_close(pack);
}

Test(runtime, missing_entries) {
    zc_pack *pack = open_ok(&(zc_pack_desc){ .path = zct_sample_path });
    zc_entry e;
    static const char *const missing[] = { "nope", "a.bi", "a.bin/", "/a.bin", "A.BIN", "dir", "dir/", "" };
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; ++i)
        cr_assert_eq(zc_pack_find(pack, missing[i], &e), ZC_ERR_NO_ENTRY, "'%s'", missing[i]);
    cr_assert_eq(zc_pack_find_id(pack, 0, &e), ZC_ERR_NO_ENTRY);
    cr_assert_eq(zc_pack_find_id(pack, UINT64_MAX, &e), ZC_ERR_NO_ENTRY);
    cr_assert_eq(zc_pack_find_id(pack, zc_asset_id("nope", 4), &e), ZC_ERR_NO_ENTRY);
    cr_assert_eq(zc_pack_entry_at(pack, zc_pack_entry_count(pack), &e), ZC_ERR_NO_ENTRY);
    cr_assert_eq(zc_pack_entry_at(pack, UINT32_MAX, &e), ZC_ERR_NO_ENTRY);
    zc_pack_close(pack);
}

Test(runtime, null_arguments) {
    zc_pack *pack = open_ok(&(zc_pack_desc){ .path = zct_sample_path });
    zc_entry e;
    zc_pack_info info;
    const void *data;
    uint64_t size;
    cr_assert_eq(zc_pack_find(NULL, "a.bin", &e), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_pack_find(pack, NULL, &e), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_pack_find(pack, "a.bin", NULL), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_pack_find_id(NULL, 1, &e), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_pack_find_id(pack, 1, NULL), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_pack_entry_at(NULL, 0, &e), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_pack_entry_at(pack, 0, NULL), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_pack_get_info(NULL, &info), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_pack_get_info(pack, NULL), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_pack_entry_count(NULL), 0);
    cr_assert_eq(zc_pack_entry_at(pack, 0, &e), ZC_OK);
    cr_assert_eq(zc_entry_bytes(NULL, 0, &data, &size), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_entry_bytes(&e, 0, NULL, &size), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_entry_bytes(&e, 0, &data, NULL), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_neq(zc_pack_validate(NULL, ZC_VALIDATE_TOC), ZC_OK);
    zc_pack_close(pack);
    zc_pack_close(NULL);
}

/* ---------------------------------------------------------------------------------
 * Zero copy, alignment, dedup, dependencies, types
 * ------------------------------------------------------------------------------- */

static void check_zero_copy(const zc_pack *pack, uint64_t file_size) {
    zc_entry first;
    cr_assert_eq(zc_pack_entry_at(pack, 0, &first), ZC_OK);
    const uint8_t *base = (const uint8_t *)first.data - first.offset;
    cr_assert_eq((uintptr_t)base % 16, 0);
    for (uint32_t i = 0; i < zc_pack_entry_count(pack); ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_entry_at(pack, i, &e), ZC_OK);
        cr_assert_eq((const uint8_t *)e.data, base + e.offset, "%s is not in place", e.path);
        cr_assert(e.offset >= sizeof(zc_header) && e.offset + e.stored_size <= file_size);
        cr_assert((const uint8_t *)e.path > base && (const uint8_t *)e.path < base + file_size,
                  "path points into the image");
        cr_assert_geq(e.alignment, 16);
        cr_assert_eq(e.alignment & (e.alignment - 1), 0, "alignment is a power of two");
        cr_assert_eq((uintptr_t)e.data % e.alignment, 0, "%s at %p is not %u-aligned", e.path, e.data, e.alignment);
        cr_assert_eq(e.offset % e.alignment, 0);
    }
    zc_entry page;
    cr_assert_eq(zc_pack_find(pack, "aligned/page.bin", &page), ZC_OK);
    cr_assert_eq(page.alignment, 4096);
}

Test(runtime, zero_copy_and_alignment) {
    struct stat st;
    cr_assert_eq(stat(zct_sample_path, &st), 0);
    zc_pack *mapped = open_ok(&(zc_pack_desc){ .path = zct_sample_path });
    check_zero_copy(mapped, (uint64_t)st.st_size);
    zc_pack_close(mapped);
    zc_pack *read = open_ok(&(zc_pack_desc){ .path = zct_sample_path, .no_mmap = 1 });
    check_zero_copy(read, (uint64_t)st.st_size);
    zc_pack_close(read);
    size_t size;
    uint8_t *buf = zct_read_file_aligned(zct_sample_path, 1u << ZC_MAX_ALIGN_LOG2, &size);
    zc_pack *memory = open_ok(&(zc_pack_desc){ .memory = buf, .memory_size = size });
    check_zero_copy(memory, size);
    zc_pack_close(memory);
    free(buf);
}

/* The largest alignment the format allows must hold in memory too, whether the file
 * is mapped (where the system only promises page alignment) or read. */
Test(runtime, largest_alignment_holds_in_memory) {
    static uint8_t big[100];
    zct_fill(big, sizeof big, 64);
    const zct_blob blobs[] = {
        { "first.bin", "x", 1, 0, NULL },
        { "huge_align.bin", big, sizeof big, ZC_MAX_ALIGN_LOG2, NULL },
    };
    char *path = zct_join(zct_tmp, "align64k.zcpack");
    cr_assert_eq(zct_write_pack(path, blobs, 2), ZC_OK);
    for (int round = 0; round < 8; ++round) {
        for (int no_mmap = 0; no_mmap < 2; ++no_mmap) {
            zc_pack *pack = open_ok(&(zc_pack_desc){ .path = path, .no_mmap = no_mmap });
            zc_entry e;
            cr_assert_eq(zc_pack_find(pack, "huge_align.bin", &e), ZC_OK);
            cr_assert_eq(e.alignment, 1u << ZC_MAX_ALIGN_LOG2);
            cr_assert_eq(e.offset % e.alignment, 0);
            cr_assert_eq((uintptr_t)e.data % e.alignment, 0, "%s image: data at %p is not 64 KiB-aligned",
                         no_mmap ? "read" : "mapped", e.data);
            cr_assert_eq(memcmp(e.data, big, sizeof big), 0);
            zc_pack_close(pack);
        }
    }
    free(path);
}

Test(runtime, identical_payloads_are_stored_once) {
    zc_pack *pack = open_ok(&(zc_pack_desc){ .path = zct_sample_path, .validate = ZC_VALIDATE_CHECKSUMS });
    zc_entry b, copy, a;
    cr_assert_eq(zc_pack_find(pack, "dir/b.bin", &b), ZC_OK);
    cr_assert_eq(zc_pack_find(pack, "dir/copy_of_b.bin", &copy), ZC_OK);
    cr_assert_eq(zc_pack_find(pack, "a.bin", &a), ZC_OK);
    cr_assert_neq(b.id, copy.id);
    cr_assert_eq(b.offset, copy.offset, "twins share their bytes");
    cr_assert_eq(b.data, copy.data);
    cr_assert_eq(b.content_hash, copy.content_hash);
    cr_assert_neq(a.offset, b.offset);
    zc_pack_close(pack);
}

Test(runtime, dependencies_round_trip) {
    zc_pack *pack = open_ok(&(zc_pack_desc){ .path = zct_sample_path });
    zc_entry root, a;
    cr_assert_eq(zc_pack_find(pack, "scene/root.bin", &root), ZC_OK);
    cr_assert_eq(root.deps_count, 2);
    cr_assert_not_null(root.deps);
    cr_assert_eq(root.deps[0], zc_asset_id("a.bin", 5), "dependencies keep their call order");
    cr_assert_eq(root.deps[1], zc_asset_id("dir/b.bin", 9));
    zc_entry dep;
    for (uint32_t k = 0; k < root.deps_count; ++k)
        cr_assert_eq(zc_pack_find_id(pack, root.deps[k], &dep), ZC_OK, "dependency %u resolves", k);
    cr_assert_eq(zc_pack_find(pack, "a.bin", &a), ZC_OK);
    cr_assert_eq(a.deps_count, 0);
    zc_pack_close(pack);
}

Test(runtime, entry_bytes_checks_the_type) {
    zc_pack *pack = open_ok(&(zc_pack_desc){ .path = zct_sample_path });
    zc_entry e, empty;
    const void *data = (const void *)1;
    uint64_t size = 99;
    cr_assert_eq(zc_pack_find(pack, "a.bin", &e), ZC_OK);
    cr_assert_eq(zc_entry_bytes(&e, ZC_FOURCC('T', 'E', 'X', 'T'), &data, &size), ZC_ERR_TYPE_MISMATCH);
    cr_assert_eq(zc_entry_bytes(&e, 0, &data, &size), ZC_OK, "type 0 accepts any type");
    cr_assert_eq(size, 48);
    cr_assert_eq(data, e.data);
    cr_assert_eq(zc_pack_find(pack, "empty.bin", &empty), ZC_OK);
    cr_assert_eq(zc_entry_bytes(&empty, ZC_TYPE_BLOB, &data, &size), ZC_OK);
    cr_assert_eq(size, 0);
    zc_entry forged = e;
    forged.layout_hash ^= 1;
    cr_assert_eq(zc_entry_bytes(&forged, ZC_TYPE_BLOB, &data, &size), ZC_ERR_LAYOUT_MISMATCH);
    forged = e;
    forged.codec = ZC_CODEC_ZSTD;
    cr_assert_eq(zc_entry_bytes(&forged, ZC_TYPE_BLOB, &data, &size), ZC_ERR_UNSUPPORTED_CODEC);
    zc_pack_close(pack);
}

Test(runtime, asset_ids_and_versions) {
    cr_assert_eq(zc_asset_id("a.bin", 5), XXH3_64bits("a.bin", 5));
    cr_assert_eq(zc_asset_id("", 0), XXH3_64bits("", 0));
    cr_assert_neq(zc_asset_id("a.bin", 5), zc_asset_id("a.bin", 4));
    cr_assert_str_eq(zc_version_string(), "0.1.0");
    cr_assert_eq(zc_version_number(), ZC_VERSION_NUMBER);
}

/* ---------------------------------------------------------------------------------
 * Errors of zc_pack_open
 * ------------------------------------------------------------------------------- */

Test(runtime, invalid_arguments) {
    zc_pack *pack = (zc_pack *)&pack;
    cr_assert_eq(zc_pack_open(NULL, &(zc_pack_desc){ .path = zct_sample_path }), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_pack_open(&pack, NULL), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_null(pack);
    pack = (zc_pack *)&pack;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ 0 }), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_null(pack);
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = zct_sample_path, .validate = (zc_validate)99 }),
                 ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = zct_sample_path, .validate = (zc_validate)-1 }),
                 ZC_ERR_INVALID_ARGUMENT);
    cr_assert_null(pack);
    pack = open_ok(&(zc_pack_desc){ .path = zct_sample_path });
    cr_assert_eq(zc_pack_validate(pack, (zc_validate)99), ZC_ERR_INVALID_ARGUMENT);
    zc_pack_close(pack);
}

Test(runtime, invalid_arguments_are_logged) {
    open_fails((zc_pack_desc){ 0 }, ZC_ERR_INVALID_ARGUMENT, NULL);
}

Test(runtime, misaligned_memory_is_refused) {
    size_t size;
    uint8_t *buf = zct_read_file_aligned(zct_sample_path, 64, &size);
    void *raw = NULL;
    cr_assert_eq(posix_memalign(&raw, 64, size + 64), 0);
    uint8_t *shifted = raw;
    memcpy(shifted + 8, buf, size);
    zc_pack *pack = NULL;
    cr_assert_neq(zc_pack_open(&pack, &(zc_pack_desc){ .memory = shifted + 8, .memory_size = size }), ZC_OK);
    cr_assert_null(pack);
    free(shifted);
    free(buf);
}

Test(runtime, missing_file) {
    char *missing = zct_join(zct_tmp, "missing.zcpack");
    open_fails((zc_pack_desc){ .path = missing }, ZC_ERR_FILE_NOT_FOUND, missing);
    char *deeper = zct_join(zct_tmp, "no/such/dir/x.zcpack");
    open_fails((zc_pack_desc){ .path = deeper }, ZC_ERR_FILE_NOT_FOUND, deeper);
    open_fails((zc_pack_desc){ .path = missing, .no_mmap = 1 }, ZC_ERR_FILE_NOT_FOUND, missing);
    free(missing);
    free(deeper);
}

Test(runtime, directory_is_an_io_error) {
    open_fails((zc_pack_desc){ .path = zct_tmp }, ZC_ERR_IO, zct_tmp);
    open_fails((zc_pack_desc){ .path = zct_tmp, .no_mmap = 1 }, ZC_ERR_IO, zct_tmp);
}

Test(runtime, empty_file_is_truncated) {
    char *empty = zct_join(zct_tmp, "empty.zcpack");
    zct_write_file(empty, "", 0);
    open_fails((zc_pack_desc){ .path = empty }, ZC_ERR_TRUNCATED, empty);
    open_fails((zc_pack_desc){ .path = empty, .no_mmap = 1 }, ZC_ERR_TRUNCATED, empty);
    static _Alignas(16) const uint8_t nothing[16];
    open_fails((zc_pack_desc){ .memory = nothing, .memory_size = 0 }, ZC_ERR_TRUNCATED, "memory");
    free(empty);
}

Test(runtime, text_file_is_not_a_pack) {
    static const char text[] = "# not a pack\nThis is a README that was given the wrong name.\n"
                               "It is long enough to cover a whole header, and then some more text "
                               "so that every header field is filled with printable garbage.\n";
    char *path = zct_join(zct_tmp, "readme.zcpack");
    zct_write_file(path, text, sizeof text - 1);
    open_fails((zc_pack_desc){ .path = path }, ZC_ERR_NOT_A_PACK, path);
    zct_write_file(path, "hello\n", 6);
    open_fails((zc_pack_desc){ .path = path }, ZC_ERR_NOT_A_PACK, path);
    free(path);
}

Test(runtime, line_ending_conversion_is_mangling) {
    size_t size;
    uint8_t *orig = zct_read_file(zct_sample_path, &size);
    cr_assert_not_null(orig);
    uint8_t *conv = malloc(2 * size);
    size_t n = 0;
    for (size_t i = 0; i < size; ++i) {
        if (orig[i] == '\n') conv[n++] = '\r';
        conv[n++] = orig[i];
    }
    char *path = zct_join(zct_tmp, "crlf.zcpack");
    zct_write_file(path, conv, n);
    open_fails((zc_pack_desc){ .path = path }, ZC_ERR_MANGLED, path);
    /* and the reverse conversion, CR LF -> LF */
    n = 0;
    for (size_t i = 0; i < size; ++i)
        if (!(orig[i] == '\r' && i + 1 < size && orig[i + 1] == '\n')) conv[n++] = orig[i];
    zct_write_file(path, conv, n);
    open_fails((zc_pack_desc){ .path = path }, ZC_ERR_MANGLED, path);
    /* a 7-bit channel */
    memcpy(conv, orig, size);
    for (size_t i = 0; i < size; ++i) conv[i] &= 0x7f;
    zct_write_file(path, conv, size);
    open_fails((zc_pack_desc){ .path = path }, ZC_ERR_MANGLED, path);
    free(path);
    free(conv);
    free(orig);
}

/* Write a modified copy of the sample pack and return its path. */
static char *mutated(const char *name, void (*mutate)(uint8_t *pack, size_t size)) {
    size_t size;
    uint8_t *bytes = zct_read_file(zct_sample_path, &size);
    cr_assert_not_null(bytes);
    mutate(bytes, size);
    char *path = zct_join(zct_tmp, name);
    zct_write_file(path, bytes, size);
    free(bytes);
    return path;
}

static void flip_writer_version(uint8_t *p, size_t n) { (void)n; p[offsetof(zc_header, writer_version)] ^= 0x01; }
static void flip_header_checksum(uint8_t *p, size_t n) { (void)n; p[ZC_HEADER_CHECKSUM_OFFSET + 3] ^= 0x40; }

Test(runtime, header_checksum) {
    char *a = mutated("h1.zcpack", flip_writer_version);
    open_fails((zc_pack_desc){ .path = a }, ZC_ERR_HEADER_CHECKSUM, a);
    char *b = mutated("h2.zcpack", flip_header_checksum);
    open_fails((zc_pack_desc){ .path = b, .name = "renamed.zcpack" }, ZC_ERR_HEADER_CHECKSUM, "renamed.zcpack");
    /* NONE trusts the pack: no checksum is computed */
    zc_pack *pack = open_ok(&(zc_pack_desc){ .path = b, .validate = ZC_VALIDATE_NONE });
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
    cr_assert_eq(info.validated, ZC_VALIDATE_NONE);
    cr_assert_eq(zc_pack_validate(pack, ZC_VALIDATE_TOC), ZC_ERR_HEADER_CHECKSUM, "on-demand validation catches it");
    zc_pack_close(pack);
    free(a);
    free(b);
}

static uint64_t toc_offset_of(const uint8_t *p) { return zc_le64(p + offsetof(zc_header, toc_offset)); }

static void flip_toc_content_hash(uint8_t *p, size_t n) {
    (void)n;
    p[toc_offset_of(p) + sizeof(zc_toc_header) + offsetof(zc_toc_entry, content_hash)] ^= 0x10;
}
static void flip_toc_path_byte(uint8_t *p, size_t n) {
    (void)n;
    p[toc_offset_of(p) + zc_le64(p + offsetof(zc_header, toc_size)) - 2] ^= 0x01;
}

Test(runtime, toc_checksum) {
    char *a = mutated("t1.zcpack", flip_toc_content_hash);
    open_fails((zc_pack_desc){ .path = a }, ZC_ERR_TOC_CHECKSUM, a);
    open_fails((zc_pack_desc){ .path = a, .validate = ZC_VALIDATE_CHECKSUMS }, ZC_ERR_TOC_CHECKSUM, a);
    char *b = mutated("t2.zcpack", flip_toc_path_byte);
    open_fails((zc_pack_desc){ .path = b, .no_mmap = 1 }, ZC_ERR_TOC_CHECKSUM, b);
    free(a);
    free(b);
}

static void flip_payload_of_a(uint8_t *p, size_t n) {
    /* a.bin's bytes are the only occurrence of this text in the pack */
    static const char text[] = "forty-eight bytes";
    for (size_t i = 0; i + sizeof text <= n; ++i)
        if (memcmp(p + i, text, sizeof text - 1) == 0) {
            p[i + 3] ^= 0x20;
            return;
        }
    cr_assert_fail("a.bin's bytes not found in the pack");
}

Test(runtime, payload_corruption_needs_checksums) {
    char *path = mutated("p.zcpack", flip_payload_of_a);
    zc_pack *pack = open_ok(&(zc_pack_desc){ .path = path });
    zct_log log;
    zc_pack_close(pack);
    pack = open_ok(&(zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_FULL });
    zc_pack_close(pack);
    open_fails((zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_CHECKSUMS }, ZC_ERR_ENTRY_CHECKSUM, "a.bin");
    open_fails((zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_CHECKSUMS, .no_mmap = 1 },
               ZC_ERR_ENTRY_CHECKSUM, path);
    /* on demand, after a fast open */
    pack = open_ok(&(zc_pack_desc){ .path = path, .logger = zct_log_recorder(&log) });
    cr_assert_eq(log.count, 0);
    cr_assert_eq(zc_pack_validate(pack, ZC_VALIDATE_TOC), ZC_OK);
    cr_assert_eq(zc_pack_validate(pack, ZC_VALIDATE_CHECKSUMS), ZC_ERR_ENTRY_CHECKSUM);
    cr_assert_eq(log.errors, 1);
    cr_assert(zct_log_contains(&log, "a.bin"), "log: %s", log.messages[0]);
    cr_assert(zct_log_contains(&log, path), "log: %s", log.messages[0]);
    zc_pack_close(pack);
    free(path);
}

/* Changes behind the checksums: reseal after editing, so the structural checks speak. */
static void break_layout(uint8_t *p, size_t n) { zct_record_of(p, "a.bin")->layout_hash ^= 1; zct_reseal(p, n); }
static void break_type(uint8_t *p, size_t n) { zct_record_of(p, "a.bin")->type = ZC_FOURCC('?', '?', '?', '?'); zct_reseal(p, n); }
static void break_codec(uint8_t *p, size_t n) { zct_record_of(p, "a.bin")->codec = ZC_CODEC_ZSTD; zct_reseal(p, n); }
static void break_codec_unknown(uint8_t *p, size_t n) { zct_record_of(p, "a.bin")->codec = 200; zct_reseal(p, n); }
static void break_id(uint8_t *p, size_t n) { zct_record_of(p, "a.bin")->id += 1; zct_reseal(p, n); }
static void break_offset(uint8_t *p, size_t n) { zct_record_of(p, "a.bin")->offset += 8; zct_reseal(p, n); }
static void break_bounds(uint8_t *p, size_t n) {
    zc_toc_entry *e = zct_record_of(p, "a.bin");
    e->stored_size = e->raw_size = n;
    zct_reseal(p, n);
}
static void break_path(uint8_t *p, size_t n) {
    zc_toc_entry *e = zct_record_of(p, "dir/b.bin");
    uint8_t *toc = p + toc_offset_of(p);
    char *path = (char *)zc_toc_strings(toc) + e->path_offset;
    path[3] = '\\';
    zct_reseal(p, n);
}
static void break_major(uint8_t *p, size_t n) { p[offsetof(zc_header, format_major)] = 2; zct_reseal(p, n); }
static void break_minor(uint8_t *p, size_t n) { p[offsetof(zc_header, format_minor)] = 9; zct_reseal(p, n); }
static void break_flags(uint8_t *p, size_t n) { p[offsetof(zc_header, flags)] = 1; zct_reseal(p, n); }

Test(runtime, structural_errors_behind_the_checksums) {
    char *path = mutated("layout.zcpack", break_layout);
    zc_pack *pack = open_ok(&(zc_pack_desc){ .path = path });
    zc_entry e;
    const void *data;
    uint64_t size;
    cr_assert_eq(zc_pack_find(pack, "a.bin", &e), ZC_OK);
    cr_assert_eq(zc_entry_bytes(&e, ZC_TYPE_BLOB, &data, &size), ZC_ERR_LAYOUT_MISMATCH);
    cr_assert_eq(zc_pack_validate(pack, ZC_VALIDATE_FULL), ZC_ERR_LAYOUT_MISMATCH);
    zc_pack_close(pack);
    open_fails((zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_FULL }, ZC_ERR_LAYOUT_MISMATCH, "a.bin");
    free(path);

    path = mutated("type.zcpack", break_type);
    pack = open_ok(&(zc_pack_desc){ .path = path });
    cr_assert_eq(zc_pack_find(pack, "a.bin", &e), ZC_OK);
    cr_assert_eq(zc_entry_bytes(&e, ZC_TYPE_BLOB, &data, &size), ZC_ERR_TYPE_MISMATCH);
    zc_pack_close(pack);
    /* an unknown type is opaque to this reader (SPEC 8.3): it opens at every level,
     * and only typed access fails */
    pack = open_ok(&(zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_CHECKSUMS });
    cr_assert_eq(zc_pack_find(pack, "a.bin", &e), ZC_OK);
    cr_assert_eq(zc_entry_typed(&e, e.type, &data, &size), ZC_ERR_UNKNOWN_TYPE);
    zc_pack_close(pack);
    free(path);

    path = mutated("codec.zcpack", break_codec);
    pack = open_ok(&(zc_pack_desc){ .path = path });
    cr_assert_eq(zc_pack_find(pack, "a.bin", &e), ZC_OK);
    cr_assert_eq(e.codec, ZC_CODEC_ZSTD);
    cr_assert_eq(zc_entry_bytes(&e, ZC_TYPE_BLOB, &data, &size), ZC_ERR_UNSUPPORTED_CODEC);
    zc_pack_close(pack);
    /* this runtime decodes codec 1: a.bin's bytes are not a zstd frame (SPEC.md §6.2, Z2) */
    open_fails((zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_FULL }, ZC_ERR_BAD_ENTRY, "a.bin");
    free(path);

    /* a codec this format version does not define is refused per entry, not per pack */
    path = mutated("codec200.zcpack", break_codec_unknown);
    pack = open_ok(&(zc_pack_desc){ .path = path });
    cr_assert_eq(zc_pack_find(pack, "a.bin", &e), ZC_OK);
    cr_assert_eq(zc_entry_bytes(&e, ZC_TYPE_BLOB, &data, &size), ZC_ERR_UNSUPPORTED_CODEC);
    cr_assert_eq(zc_pack_find(pack, "dir/b.bin", &e), ZC_OK);
    cr_assert_eq(zc_entry_bytes(&e, ZC_TYPE_BLOB, &data, &size), ZC_OK, "other entries stay usable");
    zc_pack_close(pack);
    open_fails((zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_FULL }, ZC_ERR_UNSUPPORTED_CODEC, "a.bin");
    free(path);

    /* Header damage fails the open; record damage fails the entry when it is first
     * handed out, every time after that, zc_pack_validate at TOC, and an open at FULL. */
    struct { const char *name; void (*fn)(uint8_t *, size_t); zc_result code; int record; } cases[] = {
        { "id.zcpack", break_id, ZC_ERR_BAD_TOC, 1 },
        { "offset.zcpack", break_offset, ZC_ERR_BAD_ALIGNMENT, 1 },
        { "bounds.zcpack", break_bounds, ZC_ERR_BAD_TOC, 1 },
        { "path.zcpack", break_path, ZC_ERR_BAD_PATH, 1 },
        { "major.zcpack", break_major, ZC_ERR_VERSION, 0 },
        { "flags.zcpack", break_flags, ZC_ERR_BAD_HEADER, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        path = mutated(cases[i].name, cases[i].fn);
        if (!cases[i].record) {
            open_fails((zc_pack_desc){ .path = path }, cases[i].code, cases[i].name);
            free(path);
            continue;
        }
        zct_log log;
        pack = open_ok(&(zc_pack_desc){ .path = path, .logger = zct_log_recorder(&log) });
        cr_assert_eq(log.count, 0, "%s: nothing is wrong with the header and the TOC as a whole", cases[i].name);
        uint32_t failed = 0;
        for (int pass = 0; pass < 2; ++pass)
            for (uint32_t k = 0; k < zc_pack_entry_count(pack); ++k) {
                zc_result r = zc_pack_entry_at(pack, k, &e);
                if (r == ZC_OK) continue;
                cr_assert_eq(r, cases[i].code, "%s: entry %u: %s", cases[i].name, k, zc_result_name(r));
                failed++;
            }
        cr_assert_eq(failed, 2, "%s: the damaged record fails, and fails again", cases[i].name);
        cr_assert_eq(log.errors, 2);
        cr_assert(zct_log_contains(&log, cases[i].name), "log names the pack: %s", log.messages[0]);
        cr_assert_eq(zc_pack_validate(pack, ZC_VALIDATE_TOC), cases[i].code, "%s", cases[i].name);
        zc_pack_close(pack);
        open_fails((zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_FULL }, cases[i].code, cases[i].name);
        free(path);
    }
    path = mutated("minor.zcpack", break_minor);
    pack = open_ok(&(zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_CHECKSUMS });
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
    cr_assert_eq(info.format_minor, 9, "a newer minor version is readable");
    zc_pack_close(pack);
    free(path);
}

/* Level NONE skips checksums and records but still bounds the TOC's parts (T1..T9). */
static void break_toc_count(uint8_t *p, size_t n) {
    (void)n;
    zc_toc_header *th = (zc_toc_header *)(p + toc_offset_of(p));
    th->entry_count += 1000;
}
static void break_toc_huge_count(uint8_t *p, size_t n) {
    (void)n;
    ((zc_toc_header *)(p + toc_offset_of(p)))->entry_count = UINT32_MAX;
}
static void break_toc_tag(uint8_t *p, size_t n) {
    (void)n;
    ((zc_toc_header *)(p + toc_offset_of(p)))->tag ^= 0x20;
}

Test(runtime, level_none_still_bounds_the_toc) {
    char *a = mutated("count.zcpack", break_toc_count);
    open_fails((zc_pack_desc){ .path = a, .validate = ZC_VALIDATE_NONE }, ZC_ERR_BAD_TOC, a);
    char *b = mutated("huge.zcpack", break_toc_huge_count);
    open_fails((zc_pack_desc){ .path = b, .validate = ZC_VALIDATE_NONE }, ZC_ERR_LIMIT, b);
    char *c = mutated("tag.zcpack", break_toc_tag);
    open_fails((zc_pack_desc){ .path = c, .validate = ZC_VALIDATE_NONE }, ZC_ERR_BAD_TOC, c);
    open_fails((zc_pack_desc){ .path = c }, ZC_ERR_TOC_CHECKSUM, c);
    free(a);
    free(b);
    free(c);
}

Test(runtime, truncated_and_extended_files) {
    size_t size;
    uint8_t *bytes = zct_read_file(zct_sample_path, &size);
    char *path = zct_join(zct_tmp, "cut.zcpack");
    zct_write_file(path, bytes, size - 1);
    open_fails((zc_pack_desc){ .path = path }, ZC_ERR_TRUNCATED, path);
    zct_write_file(path, bytes, 100);
    open_fails((zc_pack_desc){ .path = path }, ZC_ERR_TRUNCATED, path);
    uint8_t *longer = calloc(1, size + 16);
    memcpy(longer, bytes, size);
    zct_write_file(path, longer, size + 16);
    open_fails((zc_pack_desc){ .path = path }, ZC_ERR_FILE_SIZE, path);
    free(longer);
    free(path);
    free(bytes);
}

Test(runtime, default_log_name) {
    size_t size;
    uint8_t *bytes = zct_read_file(zct_sample_path, &size);
    uint8_t *buf = zct_aligned_copy(bytes, size, 16);
    buf[ZC_HEADER_CHECKSUM_OFFSET] ^= 1;
    open_fails((zc_pack_desc){ .memory = buf, .memory_size = size }, ZC_ERR_HEADER_CHECKSUM, "memory");
    open_fails((zc_pack_desc){ .memory = buf, .memory_size = size, .name = "dlc-1" }, ZC_ERR_HEADER_CHECKSUM,
               "dlc-1");
    free(buf);
    free(bytes);
}

/* ---------------------------------------------------------------------------------
 * Allocator hooks
 * ------------------------------------------------------------------------------- */

Test(runtime, allocator_sees_every_free) {
    zct_alloc_stats stats;
    zct_alloc_stats_init(&stats, -1);
    for (int no_mmap = 0; no_mmap < 2; ++no_mmap) {
        zc_pack *pack = open_ok(&(zc_pack_desc){ .path = zct_sample_path, .no_mmap = no_mmap,
                                                 .allocator = zct_counting_allocator(&stats) });
        cr_assert_geq(stats.allocs, 1, "the pack object comes from the allocator");
        zc_pack_close(pack);
        cr_assert_eq(stats.live, 0, "leak after close (no_mmap %d)", no_mmap);
    }
    /* failed opens free everything too */
    char *missing = zct_join(zct_tmp, "missing.zcpack");
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = missing, .allocator = zct_counting_allocator(&stats) }),
                 ZC_ERR_FILE_NOT_FOUND);
    cr_assert_eq(stats.live, 0);
    cr_assert_eq(stats.bad_free, 0);
    free(missing);
}

static void fail_each_allocation(zc_pack_desc desc) {
    long fail_at = 0;
    for (;; ++fail_at) {
        cr_assert_lt(fail_at, 1000, "open never succeeded");
        zct_alloc_stats stats;
        zct_alloc_stats_init(&stats, fail_at);
        zct_log log;
        desc.allocator = zct_counting_allocator(&stats);
        desc.logger = zct_log_recorder(&log);
        zc_pack *pack = (zc_pack *)&stats;
        zc_result r = zc_pack_open(&pack, &desc);
        if (r == ZC_OK) {
            cr_assert_eq(stats.calls, fail_at, "succeeded although allocation %ld failed", fail_at);
            check_sample_contents(pack);
            zc_pack_close(pack);
            cr_assert_eq(stats.live, 0);
            break;
        }
        cr_assert_eq(r, ZC_ERR_OUT_OF_MEMORY, "allocation %ld failed: got %s", fail_at, zc_result_name(r));
        cr_assert_null(pack);
        cr_assert_eq(stats.live, 0, "leak after failing allocation %ld", fail_at);
        cr_assert_eq(stats.bad_free, 0);
        cr_assert_geq(log.errors, 1, "out of memory is logged");
    }
    cr_assert_geq(fail_at, 1, "at least one allocation was made and failed");
}

Test(runtime, failing_allocator) {
    fail_each_allocation((zc_pack_desc){ .path = zct_sample_path });
    fail_each_allocation((zc_pack_desc){ .path = zct_sample_path, .no_mmap = 1 });
    size_t size;
    uint8_t *buf = zct_read_file_aligned(zct_sample_path, 1u << ZC_MAX_ALIGN_LOG2, &size);
    fail_each_allocation((zc_pack_desc){ .memory = buf, .memory_size = size, .validate = ZC_VALIDATE_CHECKSUMS });
    free(buf);
}

Test(runtime, no_allocation_after_open) {
    zct_alloc_stats stats;
    zct_alloc_stats_init(&stats, -1);
    zct_log log;
    zc_pack *pack = open_ok(&(zc_pack_desc){ .path = zct_sample_path, .no_mmap = 1,
                                             .allocator = zct_counting_allocator(&stats),
                                             .logger = zct_log_recorder(&log) });
    long calls = stats.calls;
    zc_entry e;
    const void *data;
    uint64_t size;
    zc_pack_info info;
    for (int round = 0; round < 100; ++round) {
        for (size_t i = 0; i < zct_sample_blob_count; ++i) {
            const char *p = zct_sample_blobs[i].path;
            cr_assert_eq(zc_pack_find(pack, p, &e), ZC_OK);
            cr_assert_eq(zc_entry_bytes(&e, ZC_TYPE_BLOB, &data, &size), ZC_OK);
            cr_assert_eq(zc_pack_find_id(pack, e.id, &e), ZC_OK);
            cr_assert_eq(zc_pack_entry_at(pack, (uint32_t)i, &e), ZC_OK);
        }
        cr_assert_eq(zc_pack_find(pack, "missing", &e), ZC_ERR_NO_ENTRY);
        cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
    }
    cr_assert_eq(zc_pack_validate(pack, ZC_VALIDATE_CHECKSUMS), ZC_OK);
    cr_assert_eq(stats.calls, calls, "lookups allocated %ld times", stats.calls - calls);
    cr_assert_eq(log.count, 0, "nothing to report on a good pack");
    zc_pack_close(pack);
    cr_assert_eq(stats.live, 0);
}

/* ---------------------------------------------------------------------------------
 * Threads
 * ------------------------------------------------------------------------------- */

typedef struct lookup_job {
    const zc_pack *pack;
    int seed;
    long failures;
} lookup_job;

static void *lookup_worker(void *arg) {
    lookup_job *job = arg;
    for (int round = 0; round < 2000; ++round) {
        size_t i = (size_t)(round + job->seed) % zct_sample_blob_count;
        const zct_blob *b = &zct_sample_blobs[i];
        zc_entry e, f;
        if (zc_pack_find(job->pack, b->path, &e) != ZC_OK || e.raw_size != b->size ||
            (b->size && memcmp(e.data, b->data, b->size) != 0))
            job->failures++;
        else if (zc_pack_find_id(job->pack, e.id, &f) != ZC_OK || f.data != e.data)
            job->failures++;
        else if (zc_pack_entry_at(job->pack, e.index, &f) != ZC_OK || f.id != e.id)
            job->failures++;
        if (zc_pack_find(job->pack, "not/there", &f) != ZC_ERR_NO_ENTRY) job->failures++;
    }
    return NULL;
}

Test(runtime, lookups_from_eight_threads) {
    for (int no_mmap = 0; no_mmap < 2; ++no_mmap) {
        zc_pack *pack = open_ok(&(zc_pack_desc){ .path = zct_sample_path, .no_mmap = no_mmap });
        pthread_t threads[8];
        lookup_job jobs[8];
        for (int t = 0; t < 8; ++t) {
            jobs[t] = (lookup_job){ pack, t * 3, 0 };
            cr_assert_eq(pthread_create(&threads[t], NULL, lookup_worker, &jobs[t]), 0);
        }
        for (int t = 0; t < 8; ++t) cr_assert_eq(pthread_join(threads[t], NULL), 0);
        for (int t = 0; t < 8; ++t) cr_assert_eq(jobs[t].failures, 0, "thread %d saw %ld failures", t, jobs[t].failures);
        zc_pack_close(pack);
    }
}

Test(runtime, close_null_is_a_no_op) {
    zc_pack_close(NULL);
    cr_assert_eq(zc_pack_entry_count(NULL), 0);
}

/* ---------------------------------------------------------------------------------
 * A pack written by hand as a later minor version would: a 144-byte header, a 40-byte
 * TOC header and 80-byte records, each with fields this reader does not know. SPEC
 * promises such a pack reads correctly (readers locate everything by the sizes).
 * ------------------------------------------------------------------------------- */

typedef struct future_rec {
    zc_toc_entry e;
    uint64_t unknown;           /* a field from the future */
} future_rec;

Test(runtime, later_minor_version_with_larger_structures) {
    static const char *const paths[2] = { "x.bin", "dir/y.bin" };
    static const char payload_x[20] = "twenty bytes of x..";
    static const char payload_y[33] = "thirty-three bytes of y, padded.";
    uint8_t image[1024];
    memset(image, 0, sizeof image);
    const uint32_t header_size = 144, toc_header_size = 40, entry_size = sizeof(future_rec);
    uint64_t off_x = 144, off_y = 176; /* x is 20 bytes, y 16-aligned after it */
    memcpy(image + off_x, payload_x, sizeof payload_x);
    memcpy(image + off_y, payload_y, sizeof payload_y);
    uint64_t toc_offset = (off_y + sizeof payload_y + 15) / 16 * 16;

    future_rec recs[2];
    memset(recs, 0, sizeof recs);
    const char *data[2] = { payload_x, payload_y };
    uint64_t offs[2] = { off_x, off_y }, sizes[2] = { sizeof payload_x, sizeof payload_y };
    for (int i = 0; i < 2; ++i) {
        recs[i].e.id = zc_asset_id(paths[i], strlen(paths[i]));
        recs[i].e.content_hash = XXH3_64bits(data[i], sizes[i]);
        recs[i].e.offset = offs[i];
        recs[i].e.stored_size = recs[i].e.raw_size = sizes[i];
        recs[i].e.path_length = (uint32_t)strlen(paths[i]);
        recs[i].e.type = ZC_TYPE_BLOB;
        recs[i].e.layout_hash = ZC_BLOB_LAYOUT_HASH;
        recs[i].e.align_log2 = 4;
        recs[i].unknown = 0xFEEDFACECAFEBEEFull;
    }
    recs[1].e.deps_count = 1; /* y depends on x */
    if (recs[0].e.id > recs[1].e.id) {
        future_rec t = recs[0];
        recs[0] = recs[1];
        recs[1] = t;
    }
    uint8_t *toc = image + toc_offset;
    uint64_t pos = toc_header_size + 2 * entry_size;
    uint64_t dep = zc_asset_id(paths[0], strlen(paths[0]));
    memcpy(toc + pos, &dep, 8);
    pos += 8;
    uint64_t strings_start = pos;
    for (int i = 0; i < 2; ++i) {
        const char *p = recs[i].e.offset == off_x ? paths[0] : paths[1];
        recs[i].e.path_offset = (uint32_t)(pos - strings_start);
        memcpy(toc + pos, p, strlen(p) + 1);
        pos += strlen(p) + 1;
    }
    zc_toc_header th = { ZC_TOC_TAG, ZC_TOC_VERSION, toc_header_size, entry_size, 2, 1, pos - strings_start };
    memcpy(toc, &th, sizeof th);
    memset(toc + sizeof th, 0xAB, toc_header_size - sizeof th); /* unknown TOC header fields */
    memcpy(toc + toc_header_size, recs, sizeof recs);
    uint64_t toc_size = pos, file_size = toc_offset + toc_size;
    cr_assert_lt(file_size, sizeof image);

    zc_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, ZC_MAGIC, 4);
    memcpy(h.mangle_check, ZC_MANGLE_CHECK, 4);
    h.format_major = ZC_FORMAT_MAJOR;
    h.format_minor = ZC_FORMAT_MINOR + 3;
    h.header_size = header_size;
    h.endian_check = ZC_ENDIAN_CHECK;
    h.float_check = ZC_FLOAT_CHECK;
    h.writer_version = 0x00090000;
    h.file_size = file_size;
    h.toc_offset = toc_offset;
    h.toc_size = toc_size;
    memcpy(image, &h, sizeof h);
    memset(image + sizeof h, 0x5A, header_size - sizeof h); /* unknown header fields */
    zct_reseal(image, file_size);

    char *path = zct_join(zct_tmp, "future.zcpack");
    zct_write_file(path, image, file_size);
    zc_pack *pack = open_ok(&(zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_CHECKSUMS });
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
    cr_assert_eq(info.format_minor, ZC_FORMAT_MINOR + 3);
    cr_assert_eq(info.entry_count, 2);
    zc_entry x, y;
    cr_assert_eq(zc_pack_find(pack, "x.bin", &x), ZC_OK);
    cr_assert_eq(zc_pack_find(pack, "dir/y.bin", &y), ZC_OK);
    cr_assert_eq(x.raw_size, sizeof payload_x);
    cr_assert_eq(memcmp(x.data, payload_x, sizeof payload_x), 0);
    cr_assert_eq(memcmp(y.data, payload_y, sizeof payload_y), 0);
    cr_assert_eq(y.deps_count, 1);
    cr_assert_eq(y.deps[0], x.id);
    cr_assert_eq(x.deps_count, 0);
    cr_assert_str_eq(y.path, "dir/y.bin");
    zc_pack_close(pack);

    /* a flipped bit in the unknown header bytes is still caught by the checksum */
    image[130] ^= 1;
    zct_write_file(path, image, file_size);
    open_fails((zc_pack_desc){ .path = path }, ZC_ERR_HEADER_CHECKSUM, path);
    free(path);
}

/* SPEC.md's worked example, as printed there, opens at every level. */
Test(runtime, opens_the_worked_example) {
    uint8_t *buf = zct_aligned_copy(zct_hello_pack, zct_hello_pack_size, 4096);
    zc_pack *pack = open_ok(&(zc_pack_desc){ .memory = buf, .memory_size = zct_hello_pack_size,
                                             .validate = ZC_VALIDATE_CHECKSUMS });
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
    cr_assert_eq(info.file_size, 258);
    cr_assert_eq(info.toc_offset, 144);
    cr_assert_eq(info.toc_size, 114);
    cr_assert_eq(info.writer_version, 0x100);
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, "hello.txt", &e), ZC_OK);
    cr_assert_eq(e.id, UINT64_C(0x285B8DB6C3EEF5E0));
    cr_assert_eq(e.content_hash, UINT64_C(0xA75E564E3BDBAABE));
    cr_assert_eq(e.offset, 128);
    cr_assert_eq(e.raw_size, 15);
    cr_assert_eq(memcmp(e.data, ZCT_HELLO_TEXT, 15), 0);
    cr_assert_eq(zc_asset_id("hello.txt", 9), UINT64_C(0x285B8DB6C3EEF5E0));
    zc_pack_close(pack);
    free(buf);
}

/* The runtime's XXH3 is libxxhash's XXH3_64bits whichever copy (baseline, AVX2,
 * AVX-512) a size selects, in one call and fed in pieces that cross the copies'
 * thresholds. */
Test(runtime, hash_is_xxh3_on_every_vector_unit) {
    enum { MAX = 70000 };
    uint8_t *bytes = (uint8_t *)malloc(MAX);
    cr_assert(bytes);
    uint32_t x = 12345u;
    for (size_t i = 0; i < MAX; ++i) {
        x = x * 1664525u + 1013904223u;
        bytes[i] = (uint8_t)(x >> 24);
    }
    static const size_t sizes[] = { 0, 1, 17, 129, 240, 241, 255, 256, 257, 1023, 1024, 4095, 4096, 4097,
                                    16384, 65537, MAX };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; ++i) {
        size_t n = sizes[i];
        uint64_t want = XXH3_64bits(bytes + 3, n > MAX - 3 ? MAX - 3 : n);
        cr_assert_eq(zc__xxh3(bytes + 3, n > MAX - 3 ? MAX - 3 : n), want, "%zu bytes", n);
        zc__xxh3_state st;
        zc__xxh3_reset(&st);
        size_t at = 0, piece = 1;
        while (at < n && at < MAX - 3) {
            size_t take = piece < n - at ? piece : n - at;
            if (take > MAX - 3 - at) take = MAX - 3 - at;
            zc__xxh3_update(&st, bytes + 3 + at, take);
            at += take;
            piece = piece * 4 + 3; /* 1, 7, 31, 127, 511, 2047, 8191, ... */
        }
        cr_assert_eq(zc__xxh3_digest(&st), want, "%zu bytes in pieces", n);
    }
    free(bytes);
}
