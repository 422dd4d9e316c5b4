/* test_hostile.c - packs built to cost their readers, not to be damaged: every one
 * passes the checksums, and the runtime must bound the work it does for them.
 *
 * Amplification: records that share one compressed payload are decoded once per
 * validation, and the bytes one validation decodes are bounded by
 * ZC_VALIDATE_DECODE_RATIO times the file size (or max_decoded_size, the larger);
 * decodes are counted through the allocator, so nothing depends on machine speed.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
