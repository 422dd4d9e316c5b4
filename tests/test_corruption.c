/* test_corruption.c - damage a small real pack in every way a disk or a transfer can
 * and check that the runtime refuses it with an error code, never a crash: every
 * truncation, every single-bit flip of the header, the TOC and the entries' bytes,
 * and random TOC edits behind recomputed checksums.
 *
 * Packs are opened from exactly-sized heap copies, so under AddressSanitizer any read
 * past the end of the image is reported.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "zc_pack.h"
#include "zc_test_util.h"

static uint8_t *image;          /* the intact pack */
static size_t image_size;

static void setup(void) {
    zct_sample_setup();
    image = zct_read_file(zct_sample_path, &image_size);
    cr_assert_not_null(image);
}

static void teardown(void) {
    free(image);
    zct_sample_teardown();
}

TestSuite(corruption, .init = setup, .fini = teardown, .timeout = 120);

/* Exact-size, 16-byte aligned copy of the first `size` bytes of `bytes`. */
static uint8_t *exact_copy(const uint8_t *bytes, size_t size) {
    void *p = NULL;
    cr_assert_eq(posix_memalign(&p, 16, size ? size : 1), 0);
    if (size) memcpy(p, bytes, size);
    return p;
}

static zc_result open_memory(const uint8_t *bytes, size_t size, zc_validate level) {
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .memory = bytes, .memory_size = size, .validate = level });
    if (r == ZC_OK) {
        cr_assert_not_null(pack);
        zc_pack_close(pack);
    } else {
        cr_assert_null(pack);
    }
    return r;
}

typedef struct code_set {
    unsigned seen[ZC__RESULT_COUNT + 1];
} code_set;

static void note(code_set *set, zc_result r) {
    set->seen[(unsigned)r < ZC__RESULT_COUNT ? (unsigned)r : ZC__RESULT_COUNT]++;
}

static void image_layout(uint64_t *header_size, uint64_t *toc_offset, uint64_t *toc_size) {
    *header_size = zc_le32(image + offsetof(zc_header, header_size));
    *toc_offset = zc_le64(image + offsetof(zc_header, toc_offset));
    *toc_size = zc_le64(image + offsetof(zc_header, toc_size));
    cr_assert(*toc_offset + *toc_size <= image_size);
}

Test(corruption, intact_pack_opens) {
    uint8_t *copy = exact_copy(image, image_size);
    cr_assert_eq(open_memory(copy, image_size, ZC_VALIDATE_CHECKSUMS), ZC_OK);
    free(copy);
}

Test(corruption, every_truncation_from_a_file) {
    char *path = zct_join(zct_tmp, "cut.zcpack");
    code_set set = { { 0 } };
    for (size_t len = 0; len < image_size; ++len) {
        zct_write_file(path, image, len);
        zc_pack *pack = NULL;
        zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = path });
        cr_assert_neq(r, ZC_OK, "a pack cut to %zu of %zu bytes was accepted", len, image_size);
        cr_assert_null(pack);
        cr_assert_eq(r, ZC_ERR_TRUNCATED, "cut to %zu bytes: %s", len, zc_result_name(r));
        note(&set, r);
    }
    cr_assert_gt(set.seen[ZC_ERR_TRUNCATED], 0);
    free(path);
}

Test(corruption, every_truncation_in_memory) {
    code_set set = { { 0 } };
    for (size_t len = 0; len < image_size; ++len) {
        uint8_t *copy = exact_copy(image, len);
        for (int level = ZC_VALIDATE_NONE; level <= ZC_VALIDATE_CHECKSUMS; ++level) {
            zc_result r = open_memory(copy, len, (zc_validate)level);
            cr_assert_neq(r, ZC_OK, "a pack cut to %zu of %zu bytes was accepted at level %d", len, image_size, level);
            if (len > 0) cr_assert_eq(r, ZC_ERR_TRUNCATED, "cut to %zu bytes: %s", len, zc_result_name(r));
            note(&set, r);
        }
        free(copy);
    }
    cr_assert_gt(set.seen[ZC_ERR_TRUNCATED], 0);
}

Test(corruption, every_bit_of_the_header) {
    uint64_t header_size, toc_offset, toc_size;
    image_layout(&header_size, &toc_offset, &toc_size);
    uint8_t *copy = exact_copy(image, image_size);
    code_set set = { { 0 } };
    for (uint64_t bit = 0; bit < header_size * 8; ++bit) {
        copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        zc_result r = open_memory(copy, image_size, ZC_VALIDATE_DEFAULT);
        cr_assert_neq(r, ZC_OK, "flipping header bit %llu (byte %llu) went unnoticed", (unsigned long long)bit,
                      (unsigned long long)bit / 8);
        note(&set, r);
        copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    cr_assert_eq(memcmp(copy, image, image_size), 0);
    cr_assert_gt(set.seen[ZC_ERR_HEADER_CHECKSUM], 0);
    cr_assert_gt(set.seen[ZC_ERR_NOT_A_PACK], 0);
    cr_assert_gt(set.seen[ZC_ERR_MANGLED], 0, "the magic's high bit and the line-ending bytes");
    cr_assert_gt(set.seen[ZC_ERR_VERSION], 0);
    cr_assert_gt(set.seen[ZC_ERR_ENDIAN], 0);
    cr_assert_gt(set.seen[ZC_ERR_TRUNCATED] + set.seen[ZC_ERR_FILE_SIZE], 0, "the file_size field");
    free(copy);
}

Test(corruption, every_bit_of_the_toc) {
    uint64_t header_size, toc_offset, toc_size;
    image_layout(&header_size, &toc_offset, &toc_size);
    uint8_t *copy = exact_copy(image, image_size);
    code_set set = { { 0 } };
    for (uint64_t bit = toc_offset * 8; bit < (toc_offset + toc_size) * 8; ++bit) {
        copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        zc_result r = open_memory(copy, image_size, ZC_VALIDATE_DEFAULT);
        cr_assert_neq(r, ZC_OK, "flipping TOC bit %llu (byte %llu of the TOC) went unnoticed",
                      (unsigned long long)(bit % 8), (unsigned long long)(bit / 8 - toc_offset));
        note(&set, r);
        copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    cr_assert_gt(set.seen[ZC_ERR_TOC_CHECKSUM], 0);
    free(copy);
}

Test(corruption, every_bit_of_the_entries) {
    uint8_t *copy = exact_copy(image, image_size);
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .memory = copy, .memory_size = image_size }), ZC_OK);
    /* the byte ranges the entries occupy (twins share theirs) */
    uint8_t *covered = calloc(1, image_size);
    size_t covered_bytes = 0;
    for (uint32_t i = 0; i < zc_pack_entry_count(pack); ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_entry_at(pack, i, &e), ZC_OK);
        for (uint64_t k = e.offset; k < e.offset + e.stored_size; ++k)
            if (!covered[k]) {
                covered[k] = 1;
                covered_bytes++;
            }
    }
    zc_pack_close(pack);
    cr_assert_gt(covered_bytes, 0);
    code_set set = { { 0 } };
    for (size_t byte = 0; byte < image_size; ++byte) {
        if (!covered[byte]) continue;
        for (unsigned b = 0; b < 8; ++b) {
            copy[byte] ^= (uint8_t)(1u << b);
            zc_result r = open_memory(copy, image_size, ZC_VALIDATE_CHECKSUMS);
            cr_assert_neq(r, ZC_OK, "flipping bit %u of payload byte %zu went unnoticed", b, byte);
            note(&set, r);
            cr_assert_eq(open_memory(copy, image_size, ZC_VALIDATE_TOC), ZC_OK,
                         "payload bytes are not checked at TOC level");
            copy[byte] ^= (uint8_t)(1u << b);
        }
    }
    cr_assert_eq(set.seen[ZC_ERR_ENTRY_CHECKSUM], covered_bytes * 8, "every payload flip is an entry checksum error");
    free(covered);
    free(copy);
}

/* zc_pack_validate_threads(CHECKSUMS) on a pack opened at TOC level agrees with
 * zc_pack_validate on the pack img (copied): the intact pack passes on any number of
 * threads, and a flip of every `step`-th byte after the header outside the TOC (a
 * payload, or padding between payloads) gives the same result (a few bits of a zstd
 * frame change nothing it decodes to). Returns how many flips failed. */
static uint32_t threads_agree(const uint8_t *img, size_t size, size_t step) {
    uint8_t *copy = exact_copy(img, size);
    uint64_t header_size = zc_le32(img + offsetof(zc_header, header_size));
    uint64_t toc_offset = zc_le64(img + offsetof(zc_header, toc_offset));
    uint64_t toc_size = zc_le64(img + offsetof(zc_header, toc_size));
    static const uint32_t threads[] = { 0, 2, 3, 8, 1000 };
    uint32_t failures = 0;
    for (size_t byte = header_size; byte < size; byte += step) {
        int intact = byte == header_size;
        if (!intact && byte >= toc_offset && byte < toc_offset + toc_size) continue;
        if (!intact) copy[byte] ^= 1;
        zc_pack *pack = NULL;
        cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .memory = copy, .memory_size = size,
                                                          .validate = ZC_VALIDATE_TOC }),
                     ZC_OK);
        zc_result one = zc_pack_validate(pack, ZC_VALIDATE_CHECKSUMS);
        if (intact) cr_assert_eq(one, ZC_OK, "the intact pack: %s", zc_result_str(one));
        for (size_t t = 0; t < sizeof threads / sizeof threads[0]; ++t) {
            zc_result r = zc_pack_validate_threads(pack, ZC_VALIDATE_CHECKSUMS, threads[t]);
            cr_assert_eq(r, one, "byte %zu, %u threads: %s, zc_pack_validate %s", byte, threads[t], zc_result_str(r),
                         zc_result_str(one));
        }
        failures += one != ZC_OK;
        zc_pack_close(pack);
        if (!intact) copy[byte] ^= 1;
    }
    free(copy);
    return failures;
}

/* ... on the sample pack (stored entries, padding), and on a pack of zstd entries and
 * twins that share a payload, which one thread decodes. */
Test(corruption, validation_on_threads_agrees) {
    uint64_t toc_size = zc_le64(image + offsetof(zc_header, toc_size));
    size_t outside_toc = image_size - (size_t)toc_size - zc_le32(image + offsetof(zc_header, header_size));
    cr_assert_eq(threads_agree(image, image_size, 3), (outside_toc + 2) / 3 - 1, "a flip of a stored byte passed");
    static char text[6][3000];
    zct_blob blobs[9];
    for (int i = 0; i < 6; ++i) {
        for (size_t k = 0; k < sizeof text[i]; ++k) text[i][k] = (char)('a' + (k * (7 + i) / 5) % 26);
        static char names[6][8];
        snprintf(names[i], sizeof names[i], "t%d.txt", i);
        blobs[i] = (zct_blob){ .path = names[i], .data = text[i], .size = sizeof text[i] };
    }
    blobs[6] = (zct_blob){ .path = "twin/a.txt", .data = text[2], .size = sizeof text[2] };
    blobs[7] = (zct_blob){ .path = "twin/b.txt", .data = text[2], .size = sizeof text[2] };
    blobs[8] = (zct_blob){ .path = "twin/c.txt", .data = text[4], .size = sizeof text[4] };
    char *path = zct_tmp_path("zstd.zcpack");
    cr_assert_eq(zct_write_compressed_pack(path, blobs, 9), ZC_OK);
    size_t size;
    uint8_t *bytes = zct_read_file(path, &size);
    cr_assert_not_null(bytes);
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .memory = bytes, .memory_size = size }), ZC_OK);
    uint32_t compressed = 0;
    for (uint32_t i = 0; i < zc_pack_entry_count(pack); ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_entry_at(pack, i, &e), ZC_OK);
        compressed += e.codec != ZC_CODEC_NONE;
    }
    zc_pack_close(pack);
    cr_assert_eq(compressed, 9, "the pack's entries are compressed");
    cr_assert_gt(threads_agree(bytes, size, 1), 50);
    free(bytes);
    free(path);
}

/* Random edits of TOC bytes with both checksums recomputed, so only the structural
 * checks stand between the edit and the accessors. Whatever open decides, it must not
 * crash, and an accepted pack must hand out only pointers inside the image. */
Test(corruption, resealed_toc_edits) {
    uint64_t header_size, toc_offset, toc_size;
    image_layout(&header_size, &toc_offset, &toc_size);
    uint8_t *copy = exact_copy(image, image_size);
    uint64_t rng = 0x5EED;
    code_set set = { { 0 } };
    for (int round = 0; round < 3000; ++round) {
        memcpy(copy, image, image_size);
        int edits = 1 + (int)(zct_rand(&rng) % 3);
        for (int k = 0; k < edits; ++k) {
            uint64_t at = toc_offset + zct_rand(&rng) % toc_size;
            uint64_t v = zct_rand(&rng);
            switch (v % 4) {
            case 0: copy[at] ^= (uint8_t)(1u << (v >> 8) % 8); break;
            case 1: copy[at] = (uint8_t)(v >> 8); break;
            case 2: copy[at] = 0xFF; break;
            default: copy[at] = 0; break;
            }
        }
        zct_reseal(copy, image_size);
        zc_pack *pack = NULL;
        zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .memory = copy, .memory_size = image_size,
                                                            .validate = ZC_VALIDATE_TOC });
        note(&set, r);
        if (r != ZC_OK) {
            cr_assert_null(pack);
            continue;
        }
        int damaged = 0;
        for (uint32_t i = 0; i < zc_pack_entry_count(pack); ++i) {
            zc_entry e;
            zc_result er = zc_pack_entry_at(pack, i, &e);
            if (er != ZC_OK) {
                /* a damaged record is refused when its entry is first handed out */
                note(&set, er);
                cr_assert(er == ZC_ERR_BAD_TOC || er == ZC_ERR_BAD_PATH || er == ZC_ERR_BAD_ALIGNMENT ||
                          er == ZC_ERR_LIMIT, "entry %u: %s", i, zc_result_name(er));
                damaged = 1;
                continue;
            }
            const uint8_t *d = e.data;
            cr_assert(d >= copy + header_size && e.stored_size <= image_size &&
                      d + e.stored_size <= copy + toc_offset, "entry %u escapes the payload area", i);
            cr_assert(e.deps_count == 0 || (const uint8_t *)e.deps >= copy + toc_offset);
            cr_assert_eq(e.path[e.path_length], 0);
            zc_entry again;
            zc_result fr = zc_pack_find(pack, e.path, &again);
            if (fr != ZC_OK) damaged = 1; /* the search went through another, damaged record */
            else cr_assert_eq(again.index, i);
            const void *bytes;
            uint64_t size;
            if (zc_entry_bytes(&e, 0, &bytes, &size) == ZC_OK) cr_assert_eq(bytes, e.data);
        }
        if (damaged) cr_assert_neq(zc_pack_validate(pack, ZC_VALIDATE_TOC), ZC_OK, "a failing entry is a failing TOC");
        zc_pack_close(pack);
    }
    cr_assert_gt(set.seen[ZC_ERR_BAD_TOC], 0);
    cr_assert_gt(set.seen[ZC_OK], 0, "some edits (e.g. of content hashes) are structurally harmless");
    free(copy);
}
