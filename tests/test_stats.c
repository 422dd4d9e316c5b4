/* test_stats.c - `zcpack stats` through the real program: a generated tree with
 * three copies of one file (in two folders and the root), a compressible text, an
 * empty file and a unique random file is built; every number of `stats --json` is
 * checked against what `zcpack ls --json` reports for the same pack and against
 * what the test wrote; then --top, the text output and the usage errors.
 *
 * The program is `zcpack` beside this test program, or $ZCPACK_BIN.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zc_test_util.h"
#include "zc_exit.h" /* the exit codes of zcpack */

TestSuite(stats, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 120);

enum { DUP_SIZE = 5000, DUP_COPIES = 3, UNIQUE_SIZE = 3001, TEXT_LINES = 2000 };

/* The tree; returns the sum of the file sizes. */
static uint64_t write_tree(const char *root) {
    static const char *const copies[DUP_COPIES] = { "a/dup1.bin", "b/dup2.bin", "dup3.bin" };
    uint8_t dup[DUP_SIZE], unique[UNIQUE_SIZE];
    zct_fill(dup, sizeof dup, 7);
    zct_fill(unique, sizeof unique, 8);
    char *dirs[] = { zct_join(root, "a"), zct_join(root, "b"), zct_join(root, "c") };
    for (int i = 0; i < 3; ++i) {
        zct_mkdirs(dirs[i]);
        free(dirs[i]);
    }
    uint64_t total = 0;
    for (int i = 0; i < DUP_COPIES; ++i) {
        char *p = zct_join(root, copies[i]);
        zct_write_file(p, dup, sizeof dup);
        free(p);
        total += sizeof dup;
    }
    char *p = zct_join(root, "a/unique.bin");
    zct_write_file(p, unique, sizeof unique);
    free(p);
    total += sizeof unique;
    size_t text_size = 0;
    char *text = malloc(TEXT_LINES * 64);
    cr_assert_not_null(text);
    for (int i = 0; i < TEXT_LINES; ++i)
        text_size += (size_t)sprintf(text + text_size, "line %d of a very compressible text file\n", i % 10);
    p = zct_join(root, "b/text.txt");
    zct_write_file(p, text, text_size);
    free(p);
    free(text);
    total += text_size;
    p = zct_join(root, "c/empty.dat");
    zct_write_file(p, "", 0);
    free(p);
    return total;
}

static double number(const cJSON *o, const char *key) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert(cJSON_IsNumber(item), "%s is not a number", key);
    return item->valuedouble;
}

static const char *string(const cJSON *o, const char *key) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert(cJSON_IsString(item), "%s is not a string", key);
    return item->valuestring;
}

/* The group of a breakdown named `name`, or NULL. */
static const cJSON *group(const cJSON *groups, const char *name) {
    const cJSON *g;
    cJSON_ArrayForEach(g, groups) if (strcmp(string(g, "name"), name) == 0) return g;
    return NULL;
}

/* Check one breakdown of stats against the sums of the ls entries by key_of. */
static void check_groups(const cJSON *groups, const cJSON *ls, void (*key_of)(const cJSON *e, char *out)) {
    cr_assert(cJSON_IsArray(groups));
    int listed = 0;
    const cJSON *g;
    const char *previous = "";
    cJSON_ArrayForEach(g, groups) {
        const char *name = string(g, "name");
        cr_assert_lt(strcmp(previous, name), 0, "groups are not sorted by name: %s, %s", previous, name);
        previous = name;
        double entries = 0, raw = 0, stored = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, ls) {
            char key[256];
            key_of(e, key);
            if (strcmp(key, name) != 0) continue;
            entries += 1;
            raw += number(e, "raw_size");
            stored += number(e, "stored_size");
        }
        cr_assert_gt(entries, 0, "group %s names no entry", name);
        cr_assert_eq(number(g, "entries"), entries, "%s entries", name);
        cr_assert_eq(number(g, "raw_bytes"), raw, "%s raw bytes", name);
        cr_assert_eq(number(g, "stored_bytes"), stored, "%s stored bytes", name);
        listed += (int)entries;
    }
    cr_assert_eq(listed, cJSON_GetArraySize(ls), "every entry is in one group");
}

static void type_key(const cJSON *e, char *out) {
    snprintf(out, 256, "%s", string(e, "type"));
}

static void codec_key(const cJSON *e, char *out) {
    snprintf(out, 256, "%s", string(e, "codec"));
}

static void folder_key(const cJSON *e, char *out) {
    const char *path = string(e, "path"), *slash = strchr(path, '/');
    if (slash)
        snprintf(out, 256, "%.*s", (int)(slash - path), path);
    else
        snprintf(out, 256, "(root)");
}

/* Build the tree into a pack; returns the pack's path (malloc'd). */
static char *build_pack(uint64_t *total) {
    char *root = zct_join(zct_tmp, "tree"), *pack = zct_join(zct_tmp, "tree.zcpack");
    zct_mkdirs(root);
    *total = write_tree(root);
    zct_run r = ZCT_CLI("build", root, "-o", pack, "-q");
    ZCT_EXPECT_CODE(r, ZC_EXIT_OK);
    zct_run_free(&r);
    free(root);
    return pack;
}

Test(stats, numbers_match_ls_and_the_tree) {
    uint64_t total;
    char *pack = build_pack(&total);
    zct_run lr = ZCT_CLI("ls", "--json", pack);
    ZCT_EXPECT_CODE(lr, ZC_EXIT_OK);
    zct_run sr = ZCT_CLI("stats", pack, "--json");
    ZCT_EXPECT_CODE(sr, ZC_EXIT_OK);
    cJSON *ls = cJSON_Parse(lr.out), *st = cJSON_Parse(sr.out);
    cr_assert(cJSON_IsArray(ls) && cJSON_IsObject(st), "stats --json: %s", sr.out);

    /* Totals: entries and bytes as ls lists them, raw bytes as the tree holds them. */
    int count = cJSON_GetArraySize(ls);
    cr_assert_eq(count, DUP_COPIES + 3);
    cr_assert_str_eq(string(st, "path"), pack);
    cr_assert_eq(number(st, "entries"), count);
    double raw = 0, stored = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, ls) {
        raw += number(e, "raw_size");
        stored += number(e, "stored_size");
    }
    cr_assert_eq(number(st, "raw_bytes"), raw);
    cr_assert_eq(number(st, "raw_bytes"), (double)total);
    cr_assert_eq(number(st, "stored_bytes"), stored);
    cr_assert_float_eq(number(st, "compression_ratio"), raw / stored, 1e-9);
    cr_assert_gt(number(st, "compression_ratio"), 1.0, "the text compresses");

    /* Dedup: payloads shared by offset and stored size, as the TOC records them. */
    double payload = 0, saved_raw = 0, sharing = 0, shared = 0;
    for (int i = 0; i < count; ++i) {
        const cJSON *a = cJSON_GetArrayItem(ls, i);
        int first = 1, group_size = 1;
        for (int j = 0; j < count; ++j) {
            const cJSON *b = cJSON_GetArrayItem(ls, j);
            if (j == i || number(a, "offset") != number(b, "offset") ||
                number(a, "stored_size") != number(b, "stored_size"))
                continue;
            group_size++;
            if (j < i) first = 0;
        }
        if (first) payload += number(a, "stored_size");
        if (group_size > 1 && number(a, "stored_size") > 0) {
            sharing += 1;
            if (first) shared += 1;
            else saved_raw += number(a, "raw_size");
        }
    }
    const cJSON *dedup = cJSON_GetObjectItemCaseSensitive(st, "dedup");
    cr_assert(cJSON_IsObject(dedup));
    cr_assert_eq(number(st, "payload_bytes"), payload);
    cr_assert_eq(number(dedup, "sharing_entries"), sharing);
    cr_assert_eq(number(dedup, "shared_payloads"), shared);
    cr_assert_eq(number(dedup, "saved_raw_bytes"), saved_raw);
    cr_assert_eq(number(dedup, "saved_bytes"), stored - payload);
    /* ... and as the test wrote them: three copies of one file, one payload. */
    cr_assert_eq(number(dedup, "sharing_entries"), DUP_COPIES);
    cr_assert_eq(number(dedup, "shared_payloads"), 1);
    cr_assert_eq(number(dedup, "saved_raw_bytes"), (DUP_COPIES - 1) * DUP_SIZE);

    /* Breakdowns. */
    check_groups(cJSON_GetObjectItemCaseSensitive(st, "by_type"), ls, type_key);
    check_groups(cJSON_GetObjectItemCaseSensitive(st, "by_codec"), ls, codec_key);
    const cJSON *folders = cJSON_GetObjectItemCaseSensitive(st, "by_folder");
    check_groups(folders, ls, folder_key);
    cr_assert_eq(cJSON_GetArraySize(folders), 4);
    cr_assert_eq(number(group(folders, "(root)"), "entries"), 1);
    cr_assert_eq(number(group(folders, "a"), "raw_bytes"), DUP_SIZE + UNIQUE_SIZE);
    cr_assert_eq(number(group(folders, "c"), "raw_bytes"), 0);
    cr_assert_not_null(group(cJSON_GetObjectItemCaseSensitive(st, "by_codec"), "zstd"), "the text is compressed");

    /* Largest: every entry (fewer than 10), by raw size, ties in path order. */
    const cJSON *largest = cJSON_GetObjectItemCaseSensitive(st, "largest");
    cr_assert_eq(cJSON_GetArraySize(largest), count);
    cr_assert_str_eq(string(cJSON_GetArrayItem(largest, 0), "path"), "b/text.txt");
    for (int i = 1; i < count; ++i) {
        const cJSON *a = cJSON_GetArrayItem(largest, i - 1), *b = cJSON_GetArrayItem(largest, i);
        cr_assert(number(a, "raw_size") > number(b, "raw_size") ||
                      (number(a, "raw_size") == number(b, "raw_size") && strcmp(string(a, "path"), string(b, "path")) < 0),
                  "largest[%d] out of order", i);
    }
    cJSON_ArrayForEach(e, largest) {
        const cJSON *l;
        int found = 0;
        cJSON_ArrayForEach(l, ls) if (strcmp(string(l, "path"), string(e, "path")) == 0) {
            found = 1;
            cr_assert_eq(number(e, "raw_size"), number(l, "raw_size"));
            cr_assert_eq(number(e, "stored_size"), number(l, "stored_size"));
            cr_assert_str_eq(string(e, "type"), string(l, "type"));
            cr_assert_str_eq(string(e, "codec"), string(l, "codec"));
        }
        cr_assert(found, "%s is not in ls", string(e, "path"));
    }
    cJSON_Delete(ls);
    cJSON_Delete(st);
    zct_run_free(&lr);
    zct_run_free(&sr);
    free(pack);
}

Test(stats, top_and_text) {
    uint64_t total;
    char *pack = build_pack(&total);
    zct_run r = ZCT_CLI("stats", "--top=2", "--json", pack);
    ZCT_EXPECT_CODE(r, ZC_EXIT_OK);
    cJSON *st = cJSON_Parse(r.out);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(st, "largest")), 2);
    cJSON_Delete(st);
    zct_run_free(&r);
    r = ZCT_CLI("stats", pack, "--top", "0", "--json");
    ZCT_EXPECT_CODE(r, ZC_EXIT_OK);
    st = cJSON_Parse(r.out);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(st, "largest")), 0);
    cJSON_Delete(st);
    zct_run_free(&r);

    r = ZCT_CLI("stats", pack);
    ZCT_EXPECT_CODE(r, ZC_EXIT_OK);
    char line[128];
    snprintf(line, sizeof line, "raw bytes       %llu ", (unsigned long long)total);
    cr_assert(strstr(r.out, line), "no '%s' in:\n%s", line, r.out);
    cr_assert(strstr(r.out, "\nby type "), "%s", r.out);
    cr_assert(strstr(r.out, "\nby codec "), "%s", r.out);
    cr_assert(strstr(r.out, "\nby folder "), "%s", r.out);
    cr_assert(strstr(r.out, "\n  (root) "), "%s", r.out);
    cr_assert(strstr(r.out, "\nlargest "), "%s", r.out);
    cr_assert(strstr(r.out, "  b/text.txt\n"), "%s", r.out);
    cr_assert(strstr(r.out, "3 entries share 1 payloads"), "%s", r.out);
    zct_run_free(&r);
    free(pack);
}

Test(stats, errors) {
    zct_run r = ZCT_CLI("stats");
    ZCT_EXPECT_CODE(r, ZC_EXIT_USAGE);
    zct_run_free(&r);
    r = ZCT_CLI("stats", "a.zcpack", "--top", "x");
    ZCT_EXPECT_CODE(r, ZC_EXIT_USAGE);
    cr_assert(strstr(r.err, "--top"), "%s", r.err);
    zct_run_free(&r);
    r = ZCT_CLI("stats", "a.zcpack", "--bogus");
    ZCT_EXPECT_CODE(r, ZC_EXIT_USAGE);
    zct_run_free(&r);
    char *missing = zct_join(zct_tmp, "missing.zcpack");
    r = ZCT_CLI("stats", missing);
    ZCT_EXPECT_CODE(r, ZC_EXIT_IO);
    cr_assert(strstr(r.err, missing), "%s", r.err);
    zct_run_free(&r);
    char *not_pack = zct_join(zct_tmp, "not.zcpack");
    zct_write_file(not_pack, "not a pack at all, just some bytes that are long enough", 56);
    r = ZCT_CLI("stats", not_pack);
    ZCT_EXPECT_CODE(r, ZC_EXIT_CORRUPT);
    zct_run_free(&r);
    r = ZCT_CLI("stats", "--help");
    ZCT_EXPECT_CODE(r, ZC_EXIT_OK);
    cr_assert(strstr(r.err, "Usage: zcpack stats <pack>"), "%s", r.err);
    cr_assert(strstr(r.err, "  4  invalid or corrupt pack") && !strstr(r.err, "  6  "), "%s", r.err);
    zct_run_free(&r);
    free(missing);
    free(not_pack);
}
