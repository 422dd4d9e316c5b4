/* test_lookup.c - the lookup index (SPEC.md 4.8) and the checks paid once per entry
 * (SPEC.md 9, "Lazy record and structure checks"): which packs the writer indexes,
 * that every entry is found through the index and nothing else is, that a damaged
 * index is refused at open and harmless at level NONE, that packs without an index
 * are searched as before, that zc_pack_find_many gives what zc_pack_find gives, that a
 * record's and a view's checks run once and are
 * remembered per pack, and that first touches from several threads agree.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "zc_pack_format.h"
#include "zc_test_payloads.h"
#include "zc_test_util.h"

TestSuite(lookup, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 120);

#define MAX_ENTRIES 5000u

static char entry_paths[MAX_ENTRIES][48];
static uint32_t entry_values[MAX_ENTRIES];

/* A pack of `count` 4-byte blobs "dir<k>/file<i>.bin" holding i; returns its path. */
static char *write_blobs(const char *name, uint32_t count) {
    static zct_blob blobs[MAX_ENTRIES];
    cr_assert_leq(count, MAX_ENTRIES);
    for (uint32_t i = 0; i < count; ++i) {
        snprintf(entry_paths[i], sizeof entry_paths[i], "dir%u/file%05u.bin", i % 7, i);
        entry_values[i] = i;
        blobs[i] = (zct_blob){ .path = entry_paths[i], .data = &entry_values[i], .size = sizeof entry_values[i] };
    }
    char *path = zct_tmp_path(name);
    cr_assert_eq(zct_write_pack(path, blobs, count), ZC_OK);
    return path;
}

static const zc_toc_header *toc_of(const uint8_t *image) {
    return (const zc_toc_header *)(image + zc_le64(image + offsetof(zc_header, toc_offset)));
}

static uint16_t minor_of(const uint8_t *image) { return zc_le16(image + offsetof(zc_header, format_minor)); }

static zc_pack *open_memory(const uint8_t *image, size_t size, zc_validate level, zct_log *log) {
    zc_pack *pack = NULL;
    zc_pack_desc desc = { .memory = image, .memory_size = size, .validate = level };
    if (log) desc.logger = zct_log_recorder(log);
    zc_result r = zc_pack_open(&pack, &desc);
    cr_assert_eq(r, ZC_OK, "open: %s", zc_result_name(r));
    return pack;
}

/* The result of opening the image at `level`; the pack, if any, is closed again. */
static zc_result open_result(const uint8_t *image, size_t size, zc_validate level) {
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .memory = image, .memory_size = size, .validate = level });
    zc_pack_close(pack);
    return r;
}

/* ---------------------------------------------------------------------------------
 * The index the writer writes
 * ------------------------------------------------------------------------------- */

Test(lookup, packs_of_64_entries_or_more_carry_an_index) {
    struct { uint32_t count; uint32_t header_size; uint16_t minor; uint32_t bits; } cases[] = {
        { ZC_TOC_INDEX_MIN_ENTRIES - 1, 32, ZC_FORMAT_MINOR_UNSIGNED, 0 },
        { ZC_TOC_INDEX_MIN_ENTRIES, ZC_TOC_PIECES_HEADER_SIZE, ZC_FORMAT_MINOR_PIECES, 6 },
        { 65, ZC_TOC_PIECES_HEADER_SIZE, ZC_FORMAT_MINOR_PIECES, 7 },
        { 1000, ZC_TOC_PIECES_HEADER_SIZE, ZC_FORMAT_MINOR_PIECES, 10 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        char name[32];
        snprintf(name, sizeof name, "n%u.zcpack", cases[c].count);
        char *path = write_blobs(name, cases[c].count);
        size_t size;
        uint8_t *image = zct_read_file_aligned(path, 4096, &size);
        const zc_toc_header *th = toc_of(image);
        cr_assert_eq(th->header_size, cases[c].header_size, "%u entries", cases[c].count);
        cr_assert_eq(minor_of(image), cases[c].minor, "%u entries", cases[c].count);
        const uint32_t *table;
        uint32_t bits;
        cr_assert_eq(zc_check_toc_index(th, &table, &bits, NULL), ZC_OK);
        zc_pack *pack = open_memory(image, size, ZC_VALIDATE_TOC, NULL);
        zc_pack_info info;
        cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
        cr_assert_eq(info.index_buckets, cases[c].header_size == 32 ? 0u : 1u << cases[c].bits);
        uint64_t pieces = zc_toc_piece_count(info.toc_size - 8 * info.toc_pieces, ZC_TOC_PIECE_LOG2);
        cr_assert_eq(info.toc_pieces, cases[c].header_size == 32 ? 0u : pieces);
        cr_assert_eq(info.toc_piece_size, cases[c].header_size == 32 ? 0u : 4096u);
        zc_pack_close(pack);
        char expected[64], expected_pieces[80];
        snprintf(expected, sizeof expected, cases[c].header_size == 32 ? "lookup index    none" : "lookup index    %u buckets",
                 1u << cases[c].bits);
        snprintf(expected_pieces, sizeof expected_pieces,
                 cases[c].header_size == 32 ? "toc pieces      none" : "toc pieces      %llu of 4096 bytes",
                 (unsigned long long)info.toc_pieces);
        zct_run run = zct_cli(NULL, (const char *const[]){ "info", path, NULL });
        ZCT_EXPECT_CODE(run, 0);
        cr_assert(strstr(run.out, expected), "zcpack info says \"%s\":\n%s", expected, run.out);
        cr_assert(strstr(run.out, expected_pieces), "zcpack info says \"%s\":\n%s", expected_pieces, run.out);
        zct_run_free(&run);
        if (cases[c].header_size == 32) {
            cr_assert_null(table);
        } else {
            /* every record lies in the bucket its id names, and the table ends the TOC */
            cr_assert_eq(bits, cases[c].bits, "%u entries: 2^%u buckets", cases[c].count, bits);
            for (uint32_t b = 0; b < (1u << bits); ++b)
                for (uint32_t i = table[b]; i < table[b + 1]; ++i)
                    cr_assert_eq(zc_toc_index_bucket(zc_toc_entry_at(th, i)->id, bits), b);
            cr_assert_eq(table[(size_t)1 << bits], cases[c].count);
            /* then the piece table, 8-byte aligned, ends the string table and the TOC:
             * one XXH3-64 per 4 KiB of the TOC before it */
            uint64_t pieces;
            uint32_t log2;
            cr_assert_eq(zc_check_toc_pieces(th, zc_le64(image + offsetof(zc_header, toc_size)), &pieces, &log2, NULL),
                         ZC_OK);
            uint64_t index_end = (uint64_t)((const char *)(table + ((size_t)1 << bits) + 1) - (const char *)th);
            cr_assert_eq(pieces, (index_end + 7) / 8 * 8, "%u entries: the piece table follows the bucket table",
                         cases[c].count);
            cr_assert_eq(log2, ZC_TOC_PIECE_LOG2);
            uint64_t count = zc_toc_piece_count(pieces, log2);
            cr_assert_eq((const char *)th + pieces + count * 8, zc_toc_strings(th) + th->strings_size);
            for (uint64_t k = 0; k < count; ++k) {
                uint64_t from = k << log2, to = from + ((uint64_t)1 << log2) < pieces ? from + ((uint64_t)1 << log2) : pieces;
                cr_assert_eq(zc_le64((const char *)th + pieces + k * 8), XXH3_64bits((const char *)th + from, to - from),
                             "%u entries: piece %llu", cases[c].count, (unsigned long long)k);
            }
        }
        free(image);
        free(path);
    }
}

Test(lookup, every_entry_is_found_through_the_index_and_nothing_else) {
    const uint32_t count = MAX_ENTRIES;
    char *path = write_blobs("big.zcpack", count);
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = path }), ZC_OK);
    for (uint32_t i = 0; i < count; ++i) {
        zc_entry e, by_id;
        cr_assert_eq(zc_pack_find(pack, entry_paths[i], &e), ZC_OK, "%s", entry_paths[i]);
        cr_assert_str_eq(e.path, entry_paths[i]);
        cr_assert_eq(*(const uint32_t *)e.data, i);
        cr_assert_eq(e.pack, pack);
        cr_assert_eq(zc_pack_find_id(pack, e.id, &by_id), ZC_OK);
        cr_assert_eq(by_id.index, e.index);
    }
    /* absent paths, including ones that differ from a present path by one byte */
    uint64_t rng = 42;
    for (int k = 0; k < 20000; ++k) {
        char absent[64];
        uint32_t i = (uint32_t)(zct_rand(&rng) % count);
        snprintf(absent, sizeof absent, "%s%c", entry_paths[i], k % 2 ? 'x' : '\0');
        if (k % 2 == 0) absent[strlen(absent) - 1] ^= 0x20;
        zc_entry e;
        cr_assert_eq(zc_pack_find(pack, absent, &e), ZC_ERR_NO_ENTRY, "%s", absent);
        cr_assert_eq(zc_pack_find_id(pack, zct_rand(&rng), &e), ZC_ERR_NO_ENTRY);
    }
    zc_pack_close(pack);
    free(path);
}

/* zc_pack_find_many gives, path by path, what zc_pack_find gives: on a list of every
 * path shuffled among absent ones, near misses and a NULL, of a length that is not a
 * multiple of its groups; and it writes no entry it does not find. */
static void assert_find_many_agrees(zc_pack *pack, uint32_t count, uint64_t seed) {
    uint32_t n = count + count / 3 + 7;
    const char **paths = calloc(n, sizeof *paths);
    char (*absent)[64] = calloc(n, sizeof *absent);
    zc_entry *out = calloc(n, sizeof *out);
    zc_result *results = calloc(n, sizeof *results);
    cr_assert(paths && absent && out && results);
    uint64_t rng = seed;
    for (uint32_t i = 0; i < n; ++i) {
        uint32_t k = (uint32_t)(zct_rand(&rng) % count);
        if (i % 4 == 3) { /* a near miss: one byte more, or one letter's case */
            snprintf(absent[i], sizeof absent[i], "%s%s", entry_paths[k], i % 8 == 3 ? "x" : "");
            if (i % 8 != 3) absent[i][0] ^= 0x20;
            paths[i] = absent[i];
        } else {
            paths[i] = entry_paths[k];
        }
    }
    paths[n / 2] = NULL;
    memset(out, 0xAB, (size_t)n * sizeof *out);
    zc_result first = zc_pack_find_many(pack, paths, n, out, results);
    cr_assert_eq(first, ZC_ERR_NO_ENTRY, "the first failing path is a near miss (index 3)");
    zc_entry untouched;
    memset(&untouched, 0xAB, sizeof untouched);
    uint32_t found = 0;
    for (uint32_t i = 0; i < n; ++i) {
        if (!paths[i]) {
            cr_assert_eq(results[i], ZC_ERR_INVALID_ARGUMENT);
            continue;
        }
        zc_entry one;
        cr_assert_eq(results[i], zc_pack_find(pack, paths[i], &one), "%s", paths[i]);
        if (results[i] != ZC_OK) {
            cr_assert_eq(memcmp(&out[i], &untouched, sizeof untouched), 0, "%s: a failed lookup wrote its entry",
                         paths[i]);
            continue;
        }
        found++;
        cr_assert_eq(out[i].index, one.index);
        cr_assert_eq(out[i].data, one.data);
        cr_assert_str_eq(out[i].path, paths[i]);
    }
    cr_assert_gt(found, n / 2);
    cr_assert_eq(zc_pack_find_many(pack, paths, 0, NULL, NULL), ZC_OK);
    cr_assert_eq(zc_pack_find_many(NULL, paths, n, out, results), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_pack_find_many(pack, paths, n, out, NULL), ZC_ERR_INVALID_ARGUMENT);
    uint32_t all = count < 100 ? count : 100;
    const char *present[100];
    for (uint32_t i = 0; i < all; ++i) present[i] = entry_paths[count - 1 - i];
    cr_assert_eq(zc_pack_find_many(pack, present, all, out, results), ZC_OK, "every path found");
    for (uint32_t i = 0; i < all; ++i) cr_assert_eq(*(const uint32_t *)out[i].data, count - 1 - i);
    free(paths);
    free(absent);
    free(out);
    free(results);
}

Test(lookup, find_many_gives_what_find_gives) {
    static const struct {
        const char *name;
        uint32_t count;
        int indexed; /* packs below 64 entries are searched without an index */
    } packs[] = { { "many.zcpack", MAX_ENTRIES, 1 }, { "few.zcpack", 40, 0 } };
    for (size_t p = 0; p < sizeof packs / sizeof packs[0]; ++p) {
        char *path = write_blobs(packs[p].name, packs[p].count);
        zc_pack *pack = NULL;
        cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = path }), ZC_OK);
        zc_pack_info info;
        cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
        cr_assert_eq(info.index_buckets > 0, packs[p].indexed, "%s", packs[p].name);
        assert_find_many_agrees(pack, packs[p].count, 7 + p);
        zc_pack_close(pack);
        free(path);
    }
}

/* A damaged record is that path's error alone, checked before its path is read. */
Test(lookup, find_many_reports_a_damaged_record_for_its_path_only) {
    char *path = write_blobs("damaged_record.zcpack", 300);
    size_t size;
    uint8_t *image = zct_read_file_aligned(path, 4096, &size);
    zc_toc_header *th = (zc_toc_header *)toc_of(image);
    zc_pack *pack = open_memory(image, size, ZC_VALIDATE_NONE, NULL);
    zc_entry victim;
    cr_assert_eq(zc_pack_find(pack, entry_paths[123], &victim), ZC_OK);
    zc_pack_close(pack);
    ((zc_toc_entry *)zc_toc_entry_at(th, victim.index))->path_offset = UINT32_MAX - 8; /* far outside */
    zct_reseal(image, size);
    zct_log log;
    pack = open_memory(image, size, ZC_VALIDATE_TOC, &log);
    const char *paths[40];
    for (uint32_t i = 0; i < 40; ++i) paths[i] = entry_paths[100 + i];
    zc_entry out[40];
    zc_result results[40];
    zc_result first = zc_pack_find_many(pack, paths, 40, out, results);
    cr_assert_neq(first, ZC_OK);
    cr_assert_neq(first, ZC_ERR_NO_ENTRY, "the record's own error, not a miss");
    for (uint32_t i = 0; i < 40; ++i) {
        if (100 + i == 123) {
            cr_assert_eq(results[i], first);
            continue;
        }
        cr_assert_eq(results[i], ZC_OK, "%s", paths[i]);
        cr_assert_eq(*(const uint32_t *)out[i].data, 100 + i);
    }
    zc_pack_close(pack);
    free(image);
    free(path);
}

/* ---------------------------------------------------------------------------------
 * A damaged index, and packs without one
 * ------------------------------------------------------------------------------- */

static uint32_t *table_of(uint8_t *image, uint32_t *bits) {
    zc_toc_header *th = (zc_toc_header *)toc_of(image);
    zc_toc_index *ix = (zc_toc_index *)(th + 1);
    *bits = ix->bits;
    return (uint32_t *)((uint8_t *)th + ix->offset);
}

Test(lookup, a_damaged_index_is_refused_where_used_and_harmless_at_none) {
    char *path = write_blobs("damaged.zcpack", 300);
    size_t size;
    uint8_t *image = zct_read_file_aligned(path, 4096, &size);
    uint32_t bits;
    uint32_t *table = table_of(image, &bits);

    /* buckets out of order: at TOC a lookup through a broken bucket is refused (the
     * rest are found), and so is the pack by zc_pack_validate and at FULL; at NONE
     * found-or-absent, never a crash */
    uint32_t b = zc_toc_index_bucket(zc_asset_id(entry_paths[150], strlen(entry_paths[150])), bits);
    table[b] = table[b + 1] + 1;
    zct_reseal(image, size);
    zct_log log;
    zc_pack *pack = open_memory(image, size, ZC_VALIDATE_TOC, &log);
    uint32_t refused = 0;
    for (uint32_t i = 0; i < 300; ++i) {
        zc_entry e;
        zc_result r = zc_pack_find(pack, entry_paths[i], &e);
        cr_assert(r == ZC_OK || r == ZC_ERR_BAD_TOC, "%s: %s", entry_paths[i], zc_result_name(r));
        if (r == ZC_OK) cr_assert_eq(*(const uint32_t *)e.data, i);
        refused += r == ZC_ERR_BAD_TOC;
    }
    cr_assert_gt(refused, 0);
    cr_assert_lt(refused, 20, "only the entries of the damaged buckets");
    char says[40];
    snprintf(says, sizeof says, "lookup index bucket %u ", b);
    cr_assert(zct_log_contains(&log, says), "%s", log.messages[0]);
    cr_assert_eq(zc_pack_validate(pack, ZC_VALIDATE_TOC), ZC_ERR_BAD_TOC);
    zc_pack_close(pack);
    cr_assert_eq(open_result(image, size, ZC_VALIDATE_FULL), ZC_ERR_BAD_TOC);
    pack = open_memory(image, size, ZC_VALIDATE_NONE, NULL);
    uint32_t found = 0;
    for (uint32_t i = 0; i < 300; ++i) {
        zc_entry e;
        zc_result r = zc_pack_find(pack, entry_paths[i], &e);
        cr_assert(r == ZC_OK || r == ZC_ERR_NO_ENTRY);
        if (r != ZC_OK) continue;
        cr_assert_eq(*(const uint32_t *)e.data, i);
        found++;
    }
    cr_assert_gt(found, 250, "only the entries of the damaged buckets may be hidden");
    zc_pack_close(pack);

    /* a table outside the string table is refused at every level */
    const zc_toc_header *th = toc_of(image);
    zc_toc_index *ix = (zc_toc_index *)(th + 1);
    uint64_t good_offset = ix->offset;
    uint64_t strings_end = (uint64_t)(zc_toc_strings(th) + th->strings_size - (const char *)th);
    ix->offset = strings_end - ((1u << bits) + 1) * 4u + 4; /* its last slot past the end */
    zct_reseal(image, size);
    cr_assert_eq(open_result(image, size, ZC_VALIDATE_NONE), ZC_ERR_BAD_TOC);
    ix->offset = good_offset;
    ix->bits = 25;
    zct_reseal(image, size);
    cr_assert_eq(open_result(image, size, ZC_VALIDATE_NONE), ZC_ERR_BAD_TOC);
    free(image);
    free(path);
}

/* A bucket table that stays in order but files a record in a neighbouring bucket
 * (R15): the record is refused when handed out, and a FULL open refuses the pack, so
 * every record that is handed out is found by its id. */
Test(lookup, a_record_outside_its_buckets_range_is_refused) {
    char *path = write_blobs("misfiled.zcpack", 300);
    size_t size;
    uint8_t *image = zct_read_file_aligned(path, 4096, &size);
    uint32_t bits;
    uint32_t *table = table_of(image, &bits);
    const zc_toc_header *th = toc_of(image);
    /* the first bucket holding a record, and that record: move the bucket's end
     * before it, so the record now lies in the next bucket's range */
    uint32_t b = 0;
    while (table[b] == table[b + 1]) ++b;
    uint32_t victim = table[b];
    table[b + 1] = victim;
    zct_reseal(image, size);
    zct_log log;
    zc_pack *pack = open_memory(image, size, ZC_VALIDATE_TOC, &log);
    zc_entry e;
    cr_assert_eq(zc_pack_entry_at(pack, victim, &e), ZC_ERR_BAD_TOC);
    cr_assert(zct_log_contains(&log, "outside its id's bucket"), "%s", log.messages[0]);
    cr_assert_eq(zc_pack_find_id(pack, zc_toc_entry_at(th, victim)->id, &e), ZC_ERR_NO_ENTRY,
                 "its id's bucket no longer holds it");
    zc_pack_close(pack);
    cr_assert_eq(open_result(image, size, ZC_VALIDATE_FULL), ZC_ERR_BAD_TOC);
    free(image);
    free(path);
}

/* A pack without TOC pieces (written before format 1.3): its piece fields zeroed, the
 * table left behind as string-table bytes no path covers. */
static void strip_pieces(uint8_t *image, size_t size) {
    zc_toc_pieces *pieces = (zc_toc_pieces *)((uint8_t *)toc_of(image) + ZC_TOC_INDEXED_HEADER_SIZE);
    cr_assert_neq(pieces->table_offset, 0);
    memset(pieces, 0, sizeof *pieces);
    zct_reseal(image, size);
}

/* A mapped pack without TOC pieces at level TOC has its TOC read with pread in 64 KiB
 * chunks (hash, R14 and the index walk in one pass): over a TOC of several chunks it
 * finds what the checks in the image find. */
Test(lookup, the_pread_pass_over_a_mapped_toc_finds_what_the_image_checks_find) {
    char *path = write_blobs("pass.zcpack", 2000);
    size_t size;
    uint8_t *good = zct_read_file_aligned(path, 4096, &size);
    strip_pieces(good, size);
    cr_assert_gt(zc_le64(good + offsetof(zc_header, toc_size)), 2 * 65536, "a TOC of several pieces");
    uint8_t *image = malloc(size);
    cr_assert_not_null(image);
    char *damaged = zct_tmp_path("damaged.zcpack");
    struct { const char *what; zc_result code; const char *says; } cases[] = {
        { "intact", ZC_OK, NULL },
        { "bucket order", ZC_ERR_BAD_TOC, "lookup index" },
        { "dependency count", ZC_ERR_LIMIT, "dependencies in all" },
        { "unsealed byte", ZC_ERR_TOC_CHECKSUM, "checksum" },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        memcpy(image, good, size);
        uint32_t bits;
        uint32_t *table = table_of(image, &bits);
        zc_toc_header *th = (zc_toc_header *)toc_of(image);
        if (c == 1) table[(1u << bits) - 3] = 1999, table[(1u << bits) - 2] = 5;
        if (c == 2) ((zc_toc_entry *)zc_toc_entry_at(th, 1777))->deps_count = 1;
        if (c != 3) zct_reseal(image, size);
        else image[size - 100] ^= 1;
        zct_write_file(damaged, image, size);
        zct_log log;
        zc_pack *pack = NULL;
        zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = damaged, .logger = zct_log_recorder(&log) });
        cr_assert_eq(r, cases[c].code, "%s: %s", cases[c].what, zc_result_name(r));
        if (cases[c].says) cr_assert(zct_log_contains(&log, cases[c].says), "%s: %s", cases[c].what, log.messages[0]);
        if (r != ZC_OK) continue;
        zc_pack_info info;
        cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
        cr_assert(info.mapped);
        for (uint32_t i = 0; i < 2000; ++i) {
            zc_entry e;
            cr_assert_eq(zc_pack_find(pack, entry_paths[i], &e), ZC_OK, "%s", entry_paths[i]);
            cr_assert_eq(*(const uint32_t *)e.data, i);
        }
        zc_pack_close(pack);
    }
    free(damaged);
    free(image);
    free(good);
    free(path);
}

Test(lookup, a_pack_whose_index_fields_are_zero_is_searched_without_one) {
    char *path = write_blobs("noindex.zcpack", 500);
    size_t size;
    uint8_t *image = zct_read_file_aligned(path, 4096, &size);
    zc_toc_index *ix = (zc_toc_index *)((zc_toc_header *)toc_of(image) + 1);
    memset(ix, 0, sizeof *ix); /* the table stays behind as string-table bytes no path covers */
    zct_reseal(image, size);
    /* at TOC the binary search reads the TOC piece by piece, at CHECKSUMS all of it */
    static const zc_validate levels[] = { ZC_VALIDATE_TOC, ZC_VALIDATE_CHECKSUMS };
    for (size_t k = 0; k < 2; ++k) {
        zc_pack *pack = open_memory(image, size, levels[k], NULL);
        for (uint32_t i = 0; i < 500; ++i) {
            zc_entry e;
            cr_assert_eq(zc_pack_find(pack, entry_paths[i], &e), ZC_OK, "%s", entry_paths[i]);
            cr_assert_eq(*(const uint32_t *)e.data, i);
        }
        zc_entry e;
        cr_assert_eq(zc_pack_find(pack, "dir0/absent.bin", &e), ZC_ERR_NO_ENTRY);
        zc_pack_close(pack);
    }
    free(image);
    free(path);
}

/* ---------------------------------------------------------------------------------
 * TOC pieces (SPEC.md 4.9): checked where they are read
 * ------------------------------------------------------------------------------- */

/* Find every entry of a pack of MAX_ENTRIES at the default level: each is found with
 * its value or refused with ZC_ERR_TOC_CHECKSUM; returns how many were refused and
 * whether entry `victim` was. */
static uint32_t find_all_count_refused(zc_pack *pack, uint32_t victim, int *victim_refused) {
    uint32_t refused = 0;
    for (uint32_t i = 0; i < MAX_ENTRIES; ++i) {
        zc_entry e;
        zc_result r = zc_pack_find(pack, entry_paths[i], &e);
        cr_assert(r == ZC_OK || r == ZC_ERR_TOC_CHECKSUM, "%s: %s", entry_paths[i], zc_result_name(r));
        if (r == ZC_OK) cr_assert_eq(*(const uint32_t *)e.data, i);
        refused += r != ZC_OK;
        if (i == victim) *victim_refused = r != ZC_OK;
    }
    return refused;
}

/* One byte of an entry's path flipped, nothing resealed: the default open succeeds
 * without reading that part of the TOC, the entries whose checks read the damaged 4 KiB
 * are refused as damage and all others are found; zc_pack_validate, a FULL open and
 * the CLI refuse the pack. */
Test(lookup, a_damaged_toc_piece_fails_only_what_reads_it) {
    char *path = write_blobs("pieces.zcpack", MAX_ENTRIES);
    size_t size;
    uint8_t *image = zct_read_file_aligned(path, 4096, &size);
    const uint32_t victim = 2500;
    zc_toc_entry *rec = zct_record_of(image, entry_paths[victim]);
    uint8_t *victim_path = (uint8_t *)zc_toc_strings(toc_of(image)) + rec->path_offset;
    victim_path[3] ^= 0x01; /* "dir" -> "dis": still a valid path */
    zct_write_file(path, image, size);

    zct_log log;
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .logger = zct_log_recorder(&log) }), ZC_OK);
    int victim_refused = 0;
    uint32_t refused = find_all_count_refused(pack, victim, &victim_refused);
    cr_assert(victim_refused);
    cr_assert_lt(refused, 400, "only entries whose checks read the damaged piece: %u", refused);
    cr_assert(zct_log_contains(&log, "checksum mismatch in TOC bytes"), "%s", log.messages[0]);
    cr_assert_eq(zc_pack_validate(pack, ZC_VALIDATE_TOC), ZC_ERR_TOC_CHECKSUM);
    zc_pack_close(pack);
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_FULL }),
                 ZC_ERR_TOC_CHECKSUM);
    zct_run run = ZCT_CLI("ls", path);
    ZCT_EXPECT_CODE(run, 4);
    cr_assert(strstr(run.err, "checksum"), "%s", run.err);
    zct_run_free(&run);
    free(image);
    free(path);
}

/* Damage to a slot of the piece table reads as damage to its piece; damage to the
 * first piece, which holds the TOC header, or to its slot fails the open. */
Test(lookup, the_piece_table_and_the_first_piece_guard_what_they_cover) {
    char *path = write_blobs("slots.zcpack", MAX_ENTRIES);
    size_t size;
    uint8_t *good = zct_read_file_aligned(path, 4096, &size);
    uint8_t *image = zct_read_file_aligned(path, 4096, &size);
    uint64_t toc_size = zc_le64(image + offsetof(zc_header, toc_size));
    uint64_t table;
    uint32_t log2;
    cr_assert_eq(zc_check_toc_pieces(toc_of(image), toc_size, &table, &log2, NULL), ZC_OK);
    uint64_t count = zc_toc_piece_count(table, log2);
    cr_assert_gt(count, 100);
    uint8_t *toc = (uint8_t *)toc_of(image);

    /* the slot of a piece of records in the middle */
    uint64_t k = count / 4;
    toc[table + k * 8 + 2] ^= 0x40;
    zct_write_file(path, image, size);
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = path }), ZC_OK);
    int unused;
    uint32_t refused = find_all_count_refused(pack, 0, &unused);
    cr_assert_gt(refused, 0);
    cr_assert_lt(refused, 400);
    zc_pack_info info;
    cr_assert_lt((k + 1) << log2, ((const zc_toc_header *)toc)->header_size + MAX_ENTRIES * 72ull, "a piece of records");
    cr_assert_eq(zc_pack_get_info(pack, &info), ZC_ERR_TOC_CHECKSUM, "payload_bytes sums the records");
    zc_pack_close(pack);

    /* the first piece (a byte of the first record) and the first slot */
    struct { uint64_t at; const char *what; } cases[] = { { ZC_TOC_PIECES_HEADER_SIZE + 20, "first piece" },
                                                          { 0, "first slot" } };
    cases[1].at = table + 5;
    for (size_t c = 0; c < 2; ++c) {
        memcpy(image, good, size);
        toc[cases[c].at] ^= 0x10;
        zct_write_file(path, image, size);
        zct_log log;
        pack = NULL;
        cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .logger = zct_log_recorder(&log) }),
                     ZC_ERR_TOC_CHECKSUM, "%s", cases[c].what);
        cr_assert(zct_log_contains(&log, "TOC bytes 0 to 4096"), "%s: %s", cases[c].what, log.messages[0]);
    }
    free(good);
    free(image);
    free(path);
}

/* Piece fields that do not place a table ending the TOC are refused at every level,
 * NONE included (T12), even with every checksum resealed. */
Test(lookup, misplaced_piece_fields_are_refused_at_every_level) {
    char *path = write_blobs("fields.zcpack", 300);
    size_t size;
    uint8_t *good = zct_read_file_aligned(path, 4096, &size);
    uint8_t *image = malloc(size);
    cr_assert_not_null(image);
    for (int c = 0; c < 4; ++c) {
        memcpy(image, good, size);
        zc_toc_pieces *f = (zc_toc_pieces *)((uint8_t *)toc_of(image) + ZC_TOC_INDEXED_HEADER_SIZE);
        if (c == 0) f->piece_log2 = ZC_TOC_PIECE_MIN_LOG2 - 1;
        if (c == 1) f->table_offset += 8;
        if (c == 2) f->table_offset -= 4;
        if (c == 3) f->reserved = 1;
        zct_reseal(image, size);
        cr_assert_eq(open_result(image, size, ZC_VALIDATE_NONE), ZC_ERR_BAD_TOC, "case %d", c);
        cr_assert_eq(open_result(image, size, ZC_VALIDATE_TOC), ZC_ERR_BAD_TOC, "case %d", c);
    }
    free(image);
    free(good);
    free(path);
}

/* ---------------------------------------------------------------------------------
 * Checks paid once
 * ------------------------------------------------------------------------------- */

/* A pack of 100 materials "m<i>.mat" in a writable 4 KiB-aligned buffer. */
static uint8_t *material_pack(size_t *size) {
    static zct_payload payloads[100];
    static char names[100][16];
    zct_typed_entry entries[100];
    for (uint32_t i = 0; i < 100; ++i) {
        zc_material fields;
        memset(&fields, 0, sizeof fields);
        fields.alpha_mode = ZC_ALPHA_OPAQUE;
        fields.metallic_factor = (float)i / 100.0f;
        zct_payload_init(&payloads[i], 256);
        zct_build_material(&payloads[i], &fields, "stone");
        snprintf(names[i], sizeof names[i], "m%03u.mat", i);
        entries[i] = (zct_typed_entry){ .path = names[i], .type = ZC_TYPE_MATERIAL, .data = payloads[i].bytes,
                                        .size = payloads[i].size };
    }
    char *path = zct_tmp_path("materials.zcpack");
    cr_assert_eq(zct_write_typed_pack(path, entries, 100, 1), ZC_OK);
    for (uint32_t i = 0; i < 100; ++i) zct_payload_free(&payloads[i]);
    uint8_t *image = zct_read_file_aligned(path, 4096, size);
    free(path);
    return image;
}

Test(lookup, a_view_is_checked_once_per_pack_and_a_record_once) {
    size_t size;
    uint8_t *image = material_pack(&size);
    zc_pack *pack = open_memory(image, size, ZC_VALIDATE_TOC, NULL);
    zc_entry e;
    zc_material_view view;
    cr_assert_eq(zc_pack_find(pack, "m042.mat", &e), ZC_OK);
    cr_assert_eq(zc_material_view_from_entry(&e, &view), ZC_OK);
    cr_assert_float_eq(view.metallic_factor, 0.42f, 1e-6);

    /* Break the entry's structure behind the pack's back (lifetime rule 3 forbids it; the
     * test does it to see whether the check runs again). The pack that checked it
     * remembers; a new pack over the same bytes checks, and refuses. */
    zc_material *m = (zc_material *)(image + e.offset);
    m->alpha_mode = 77;
    cr_assert_eq(zc_material_view_from_entry(&e, &view), ZC_OK, "the second view is not checked again");
    zc_pack *fresh = open_memory(image, size, ZC_VALIDATE_TOC, NULL);
    zc_entry e2;
    cr_assert_eq(zc_pack_find(fresh, "m042.mat", &e2), ZC_OK);
    cr_assert_neq(zc_material_view_from_entry(&e2, &view), ZC_OK, "a pack that never checked it refuses it");
    cr_assert_neq(zc_material_view_from_entry(&e2, &view), ZC_OK, "a failure is not remembered as a pass");
    /* the entry as a caller could fill it by hand is checked every time */
    zc_entry by_hand = e;
    by_hand.pack = NULL;
    cr_assert_neq(zc_material_view_from_entry(&by_hand, &view), ZC_OK);
    /* a mark is trusted only for the entry as the pack filled it */
    zc_entry moved = e;
    moved.raw_size -= 16;
    cr_assert_neq(zc_material_view_from_entry(&moved, &view), ZC_OK);
    zc_pack_close(fresh);
    m->alpha_mode = ZC_ALPHA_OPAQUE;

    /* A record: misalign m007's offset and reseal. The pack that handed it out keeps
     * its check; a new pack refuses the entry, and only that entry. */
    cr_assert_eq(zc_pack_find(pack, "m007.mat", &e), ZC_OK);
    zc_toc_header *th = (zc_toc_header *)toc_of(image);
    zc_toc_entry *rec = (zc_toc_entry *)zc_toc_entry_at(th, e.index);
    rec->offset += 8;
    zct_reseal(image, size);
    zc_entry again;
    cr_assert_eq(zc_pack_entry_at(pack, e.index, &again), ZC_OK, "checked once, not again");
    zct_log log;
    fresh = open_memory(image, size, ZC_VALIDATE_TOC, &log);
    cr_assert_eq(zc_pack_find(fresh, "m007.mat", &again), ZC_ERR_BAD_ALIGNMENT);
    cr_assert(zct_log_contains(&log, "m007.mat"), "%s", log.messages[0]);
    cr_assert_eq(zc_pack_find(fresh, "m008.mat", &again), ZC_OK, "other entries stay usable");
    cr_assert_eq(zc_pack_validate(fresh, ZC_VALIDATE_TOC), ZC_ERR_BAD_ALIGNMENT, "validate still checks all");
    zc_pack_close(fresh);
    cr_assert_eq(open_result(image, size, ZC_VALIDATE_FULL), ZC_ERR_BAD_ALIGNMENT);
    zc_pack_close(pack);
    free(image);
}

typedef struct toucher {
    zc_pack *pack;
    uint32_t start;
    uint32_t ok;
    float sum;
} toucher;

static void *touch_all(void *arg) {
    toucher *t = (toucher *)arg;
    for (uint32_t k = 0; k < 100; ++k) {
        char name[16];
        snprintf(name, sizeof name, "m%03u.mat", (t->start + k * 37) % 100);
        zc_entry e;
        zc_material_view view;
        if (zc_pack_find(t->pack, name, &e) == ZC_OK && zc_material_view_from_entry(&e, &view) == ZC_OK) {
            t->ok++;
            t->sum += view.metallic_factor;
        }
    }
    return NULL;
}

Test(lookup, first_touches_from_four_threads_agree) {
    size_t size;
    uint8_t *image = material_pack(&size);
    for (int round = 0; round < 20; ++round) {
        zc_pack *pack = open_memory(image, size, ZC_VALIDATE_TOC, NULL);
        pthread_t threads[4];
        toucher t[4];
        for (uint32_t i = 0; i < 4; ++i) {
            t[i] = (toucher){ pack, i * 25, 0, 0.0f };
            cr_assert_eq(pthread_create(&threads[i], NULL, touch_all, &t[i]), 0);
        }
        for (int i = 0; i < 4; ++i) pthread_join(threads[i], NULL);
        for (int i = 0; i < 4; ++i) {
            cr_assert_eq(t[i].ok, 100, "thread %d round %d", i, round);
            cr_assert_float_eq(t[i].sum, 49.5f, 1e-3);
        }
        zc_pack_close(pack);
    }
    free(image);
}
