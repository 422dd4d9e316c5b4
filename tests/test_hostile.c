/* test_hostile.c - packs built to cost their readers, not to be damaged: every one
 * passes the checksums, and the runtime must bound the work it does for them.
 *
 * Amplification: records that share one compressed payload are decoded once per
 * validation, and the bytes one validation decodes are bounded by
 * ZC_VALIDATE_DECODE_RATIO times the file size (or max_decoded_size, the larger);
 * decodes are counted through the allocator, so nothing depends on machine speed.
 * Dependency lists: records cannot name more dependencies in all than the TOC's list
 * holds (SPEC R14), so walking them stays linear in the TOC size.
 */
#include <criterion/criterion.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "zc_format.h"
#include "zc_pack.h"
#include "zc_test_util.h"

TestSuite(hostile, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 120);

#define SHARED_RECORDS 64
#define SHARED_RAW ((size_t)1 << 20)

/* SHARED_RECORDS records whose payloads are one zstd frame of SHARED_RAW zero bytes
 * (the writer shares identical payloads), the shape of the pack in the issue. */
static char *shared_frame_pack(void) {
    uint8_t *zeros = calloc(1, SHARED_RAW);
    cr_assert_not_null(zeros);
    zct_blob blobs[SHARED_RECORDS];
    char names[SHARED_RECORDS][32];
    for (int i = 0; i < SHARED_RECORDS; ++i) {
        snprintf(names[i], sizeof names[i], "bomb/%02d.bin", i);
        blobs[i] = (zct_blob){ names[i], zeros, SHARED_RAW, 0, NULL };
    }
    char *path = zct_tmp_path("shared.zcpack");
    cr_assert_eq(zct_write_compressed_pack(path, blobs, SHARED_RECORDS), ZC_OK);
    free(zeros);
    return path;
}

Test(hostile, records_sharing_one_frame_are_decoded_once) {
    char *path = shared_frame_pack();
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = path }), ZC_OK);
    zc_entry first;
    cr_assert_eq(zc_pack_entry_at(pack, 0, &first), ZC_OK);
    cr_assert_neq(first.codec, ZC_CODEC_NONE, "the blobs must be stored compressed");
    for (uint32_t i = 1; i < SHARED_RECORDS; ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_entry_at(pack, i, &e), ZC_OK);
        cr_assert_eq(e.data, first.data, "record %u must share the first record's frame", i);
    }
    zc_pack_close(pack);
    static const zc_validate levels[] = { ZC_VALIDATE_FULL, ZC_VALIDATE_CHECKSUMS };
    for (size_t k = 0; k < 2; ++k) {
        zct_big_allocs big = { .at_least = SHARED_RAW };
        pack = NULL;
        cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .validate = levels[k],
                                                           .allocator = zct_big_alloc_counter(&big) }),
                     ZC_OK);
        cr_expect_eq(big.count, 1, "open at level %d decoded %ld frames, want 1", (int)levels[k], big.count);
        big.count = 0;
        cr_assert_eq(zc_pack_validate(pack, levels[k]), ZC_OK);
        cr_expect_eq(big.count, 1, "zc_pack_validate at level %d decoded %ld frames, want 1", (int)levels[k],
                     big.count);
        zc_pack_close(pack);
    }
    free(path);
}

#define BUDGET_RECORDS 128
#define BUDGET_RAW ((size_t)256 << 10)

Test(hostile, decoded_bytes_are_bounded_by_the_file_size) {
    /* Distinct frames (so sharing does not help), each as large as max_decoded_size
     * allows, adding up to more than ZC_VALIDATE_DECODE_RATIO times the file. */
    uint8_t *data = calloc(BUDGET_RECORDS, BUDGET_RAW);
    cr_assert_not_null(data);
    zct_blob blobs[BUDGET_RECORDS];
    char names[BUDGET_RECORDS][32];
    for (int i = 0; i < BUDGET_RECORDS; ++i) {
        snprintf(names[i], sizeof names[i], "bomb/%03d.bin", i);
        memcpy(data + (size_t)i * BUDGET_RAW, names[i], strlen(names[i]));
        blobs[i] = (zct_blob){ names[i], data + (size_t)i * BUDGET_RAW, BUDGET_RAW, 0, NULL };
    }
    char *path = zct_tmp_path("budget.zcpack");
    cr_assert_eq(zct_write_compressed_pack(path, blobs, BUDGET_RECORDS), ZC_OK);
    free(data);
    size_t file_size = 0;
    free(zct_read_file(path, &file_size));
    cr_assert_gt((uint64_t)BUDGET_RECORDS * BUDGET_RAW, (uint64_t)file_size * ZC_VALIDATE_DECODE_RATIO,
                 "the pack (%zu bytes) must decode to more than the bound", file_size);

    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .max_decoded_size = BUDGET_RAW }), ZC_OK);
    cr_expect_eq(zc_pack_validate(pack, ZC_VALIDATE_FULL), ZC_ERR_LIMIT);
    cr_expect_eq(zc_pack_validate(pack, ZC_VALIDATE_CHECKSUMS), ZC_ERR_LIMIT);
    zc_pack_close(pack);

    zct_big_allocs big = { .at_least = BUDGET_RAW };
    zct_log log = { 0 };
    pack = NULL;
    cr_expect_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_FULL,
                                                       .max_decoded_size = BUDGET_RAW,
                                                       .allocator = zct_big_alloc_counter(&big),
                                                       .logger = zct_log_recorder(&log) }),
                 ZC_ERR_LIMIT);
    cr_expect_null(pack);
    uint64_t allowed = (uint64_t)file_size * ZC_VALIDATE_DECODE_RATIO / BUDGET_RAW;
    cr_expect_leq((uint64_t)big.count, allowed, "decoded %ld frames, the bound allows %llu", big.count,
                  (unsigned long long)allowed);
    cr_expect(zct_log_contains(&log, "times the file size"), "the error names the bound");

    /* The same pack within the default max_decoded_size floor is valid. */
    pack = NULL;
    cr_expect_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_CHECKSUMS }), ZC_OK);
    zc_pack_close(pack);
    free(path);
}

/* ---------------------------------------------------------------------------------
 * Dependency lists: the records' slices add up to at most the TOC's list (R14)
 * ------------------------------------------------------------------------------- */

#define DEP_RECORDS 64

static void ignore_prefetch(uint64_t request, zc_result status, void *user_data) {
    (void)request, (void)status, (void)user_data;
}

Test(hostile, dependency_slices_cannot_repeat_the_list) {
    /* Record "all.bin" names every entry; the others name nothing. Then every record
     * is pointed at that one slice: each now names all DEP_RECORDS ids, the list
     * stays DEP_RECORDS long, and the checksums are resealed. */
    char names[DEP_RECORDS][32];
    const char *deps[DEP_RECORDS + 1];
    zct_blob blobs[DEP_RECORDS];
    static const uint8_t bytes[16] = "dependency blob";
    for (int i = 0; i < DEP_RECORDS; ++i) {
        snprintf(names[i], sizeof names[i], i == 0 ? "all.bin" : "dep/%02d.bin", i);
        deps[i] = names[i];
        blobs[i] = (zct_blob){ names[i], bytes, sizeof bytes, 0, NULL };
    }
    deps[DEP_RECORDS] = NULL;
    blobs[0].deps = deps;
    char *path = zct_tmp_path("deps.zcpack");
    cr_assert_eq(zct_write_pack(path, blobs, DEP_RECORDS), ZC_OK);
    size_t size = 0;
    uint8_t *image = zct_read_file_aligned(path, 4096, &size);
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .memory = image, .memory_size = size,
                                                       .validate = ZC_VALIDATE_CHECKSUMS }),
                 ZC_OK, "the writer's pack is valid");
    zc_pack_close(pack);

    uint64_t toc_offset = zc_le64(image + offsetof(zc_header, toc_offset));
    zc_toc_header th;
    memcpy(&th, image + toc_offset, sizeof th);
    cr_assert_eq(th.dep_count, (uint32_t)DEP_RECORDS);
    uint32_t first = UINT32_MAX;
    for (uint32_t i = 0; i < th.entry_count; ++i) {
        zc_toc_entry e;
        memcpy(&e, image + toc_offset + th.header_size + (uint64_t)i * th.entry_size, sizeof e);
        if (e.deps_count) first = e.deps_first;
    }
    cr_assert_neq(first, UINT32_MAX);
    for (uint32_t i = 0; i < th.entry_count; ++i) {
        uint8_t *rec = image + toc_offset + th.header_size + (uint64_t)i * th.entry_size;
        zc_toc_entry e;
        memcpy(&e, rec, sizeof e);
        e.deps_first = first;
        e.deps_count = DEP_RECORDS;
        memcpy(rec, &e, sizeof e);
    }
    zct_reseal(image, size);
    /* The default open checks the TOC piece by piece and leaves R14 to whatever walks
     * every record: zc_pack_validate, a prefetch that follows dependencies, the CLI. */
    zct_log log = { 0 };
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .memory = image, .memory_size = size,
                                                       .logger = zct_log_recorder(&log) }), ZC_OK);
    uv_loop_t loop;
    cr_assert_eq(uv_loop_init(&loop), 0);
    zc_prefetcher *pf = NULL;
    cr_assert_eq(zc_prefetcher_create(&pf, &(zc_prefetch_desc){ .pack = pack, .loop = &loop }), ZC_OK);
    uint64_t request = 1;
    cr_expect_eq(zc_prefetch(pf, &(zc_prefetch_args){ .paths = (const char *[]){ "dep/05.bin" }, .path_count = 1,
                                                      .cb = ignore_prefetch }, &request),
                 ZC_ERR_LIMIT, "a prefetch that follows dependencies");
    cr_expect_eq(request, 0);
    zc_prefetcher_destroy(pf);
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(uv_loop_close(&loop), 0);
    cr_expect_eq(zc_pack_validate(pack, ZC_VALIDATE_TOC), ZC_ERR_LIMIT);
    cr_expect(zct_log_contains(&log, "dependencies in all"), "the error names the bound");
    zc_pack_close(pack);
    static const zc_validate levels[] = { ZC_VALIDATE_FULL, ZC_VALIDATE_CHECKSUMS };
    for (size_t k = 0; k < 2; ++k) {
        zct_log log = { 0 };
        pack = NULL;
        cr_expect_eq(zc_pack_open(&pack, &(zc_pack_desc){ .memory = image, .memory_size = size,
                                                           .validate = levels[k], .logger = zct_log_recorder(&log) }),
                     ZC_ERR_LIMIT, "level %d", (int)levels[k]);
        cr_expect_null(pack);
        cr_expect(zct_log_contains(&log, "dependencies in all"), "the error names the bound");
        zc_pack_close(pack);
    }
    /* verify refuses it as an invalid pack, ls --json before writing a line. */
    zct_write_file(path, image, size);
    zct_run run = ZCT_CLI("verify", path);
    ZCT_EXPECT_CODE(run, 4);
    zct_run_free(&run);
    run = ZCT_CLI("ls", path, "--json");
    ZCT_EXPECT_CODE(run, 4);
    cr_expect_eq(run.out_size, 0, "%s", run.out);
    zct_run_free(&run);
    free(image);
    free(path);
}

/* ---------------------------------------------------------------------------------
 * Terminal controls in entry paths: ls escapes them in text, --json keeps them
 * ------------------------------------------------------------------------------- */

Test(hostile, ls_escapes_terminal_controls_in_paths) {
    static const uint8_t bytes[16] = "escape me";
    /* C0 controls, DEL and backslash are refused in paths (SPEC, zc_check_path); C1
     * controls and bidirectional controls are valid UTF-8 and reach ls. */
    static const char *const paths[] = { "c1/\xc2\x9b" "31m.bin", "rtl/\xe2\x80\xaenib.exe",
                                         "iso/\xe2\x81\xa6x\xe2\x81\xa9.bin" };
    zct_blob blobs[3];
    for (int i = 0; i < 3; ++i) blobs[i] = (zct_blob){ paths[i], bytes, sizeof bytes, 0, NULL };
    char *path = zct_tmp_path("names.zcpack");
    cr_assert_eq(zct_write_pack(path, blobs, 3), ZC_OK);
    zct_run run = ZCT_CLI("ls", path);
    ZCT_EXPECT_CODE(run, 0);
    cr_expect(strstr(run.out, "c1/\\u{9B}31m.bin\t"), "%s", run.out);
    cr_expect(strstr(run.out, "rtl/\\u{202E}nib.exe\t"), "%s", run.out);
    cr_expect(strstr(run.out, "iso/\\u{2066}x\\u{2069}.bin\t"), "%s", run.out);
    cr_expect_null(strstr(run.out, "\xc2\x9b"), "no raw C1 control");
    cr_expect_null(strstr(run.out, "\xe2\x80\xae"), "no raw bidirectional override");
    zct_run_free(&run);
    run = ZCT_CLI("ls", path, "--json");
    ZCT_EXPECT_CODE(run, 0);
    cr_expect(strstr(run.out, "rtl/\xe2\x80\xaenib.exe"), "--json keeps the path exact: %s", run.out);
    zct_run_free(&run);
    free(path);
}

/* ---------------------------------------------------------------------------------
 * Payload ranges: shared whole or disjoint, never partially overlapping (SPEC E7)
 * ------------------------------------------------------------------------------- */

Test(hostile, partially_overlapping_payloads_are_refused_at_full) {
    static uint8_t a[48], b[160];
    memset(a, 'a', sizeof a);
    memset(b, 'b', sizeof b);
    const zct_blob blobs[] = { { "a.bin", a, sizeof a, 0, NULL }, { "b.bin", b, sizeof b, 0, NULL },
                               { "b_twin.bin", b, sizeof b, 0, NULL } };
    char *path = zct_tmp_path("overlap.zcpack");
    cr_assert_eq(zct_write_pack(path, blobs, 3), ZC_OK);
    size_t size = 0;
    uint8_t *image = zct_read_file_aligned(path, 4096, &size);
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .memory = image, .memory_size = size,
                                                       .validate = ZC_VALIDATE_FULL }),
                 ZC_OK, "a shared payload (b.bin and its twin) is legal");
    zc_pack_close(pack);

    /* Move b.bin's record 16 bytes into a.bin's payload: still aligned and inside the
     * payload area, but overlapping a.bin's range partially. */
    uint64_t toc_offset = zc_le64(image + offsetof(zc_header, toc_offset));
    zc_toc_header th;
    memcpy(&th, image + toc_offset, sizeof th);
    uint64_t a_offset = UINT64_MAX;
    uint8_t *b_rec = NULL;
    for (uint32_t i = 0; i < th.entry_count; ++i) {
        uint8_t *rec = image + toc_offset + th.header_size + (uint64_t)i * th.entry_size;
        zc_toc_entry e;
        memcpy(&e, rec, sizeof e);
        const char *name = (const char *)zc_toc_strings(image + toc_offset) + e.path_offset;
        if (e.path_length == 5 && memcmp(name, "a.bin", 5) == 0) a_offset = e.offset;
        if (e.path_length == 5 && memcmp(name, "b.bin", 5) == 0) b_rec = rec;
    }
    cr_assert(a_offset != UINT64_MAX && b_rec);
    zc_toc_entry e;
    memcpy(&e, b_rec, sizeof e);
    e.offset = a_offset + 16;
    memcpy(b_rec, &e, sizeof e);
    zct_reseal(image, size);
    pack = NULL;
    cr_expect_eq(zc_pack_open(&pack, &(zc_pack_desc){ .memory = image, .memory_size = size,
                                                       .validate = ZC_VALIDATE_TOC }),
                 ZC_OK, "the TOC alone is consistent");
    cr_expect_eq(zc_pack_validate(pack, ZC_VALIDATE_FULL), ZC_ERR_BAD_TOC);
    zc_pack_close(pack);
    free(image);
    free(path);
}
