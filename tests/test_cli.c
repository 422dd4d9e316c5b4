/* test_cli.c - integration through the real zcpack program: a generated tree of a few
 * thousand files (mixed sizes, empty files, a few MiB-sized ones, deep paths, UTF-8
 * names, duplicate contents) is built, verified, listed, read back entry by entry and
 * rebuilt for determinism; then the error paths and their exit codes.
 *
 * The program is `zcpack` beside this test program, or $ZCPACK_BIN.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zc_pack.h"
#include "zc_exit.h" /* the exit codes of zcpack */
#include "zc_test_util.h"


TestSuite(cli, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 300);

/* ---------------------------------------------------------------------------------
 * A generated tree
 * ------------------------------------------------------------------------------- */

typedef struct tree_file {
    char rel[400];              /* entry path */
    size_t size;
    uint64_t seed;              /* content seed; equal seeds and sizes give equal bytes */
    long twin_of;               /* index of an earlier file with identical bytes, or -1 */
} tree_file;

typedef struct tree {
    char *root;
    tree_file *files;
    size_t count;
    uint64_t total_bytes;
} tree;

static const char *const tree_dirs[] = {
    "",
    "textures",
    "textures/stone",
    "meshes/characters",
    "audio/sfx",
    "caf\xc3\xa9",                                   /* café */
    "stra\xc3\x9f\x65/gro\xc3\x9f",                    /* straße/groß */
    "\xe6\x97\xa5\xe6\x9c\xac/\xe6\x9d\xb1\xe4\xba\xac", /* 日本/東京 */
    "emoji_\xf0\x9f\x8e\xae",                        /* 🎮 */
    "with space/and-dash",
    "deep/d01/d02/d03/d04/d05/d06/d07/d08/d09/d10/d11/d12/d13/d14/d15/d16/d17/d18/d19/d20/d21/d22",
};

static const char *const tree_exts[] = {
    ".bin", ".txt", ".dat", "-\xc3\xa9t\xc3\xa9.bin", "_\xf0\x9f\x98\x80.raw", "",
};

static int compare_rel(const void *a, const void *b) {
    return strcmp(((const tree_file *)a)->rel, ((const tree_file *)b)->rel);
}

/* Describe (but do not write) `count` files plus `big` files of 1-4 MiB. The same
 * arguments always give the same tree. Files are sorted by entry path. */
static tree plan_tree(size_t count, size_t big) {
    tree t = { 0 };
    t.count = count + big + 1;
    t.files = calloc(t.count, sizeof *t.files);
    cr_assert_not_null(t.files);
    uint64_t rng = 20240601;
    size_t ndirs = sizeof tree_dirs / sizeof tree_dirs[0], nexts = sizeof tree_exts / sizeof tree_exts[0];
    for (size_t i = 0; i < t.count; ++i) {
        tree_file *f = &t.files[i];
        uint64_t r = zct_rand(&rng);
        const char *d = tree_dirs[r % ndirs];
        const char *ext = tree_exts[(r >> 8) % nexts];
        if (i == count + big) {
            /* the deepest file: 25 components */
            snprintf(f->rel, sizeof f->rel, "%s/d23/d24/leaf.bin", tree_dirs[ndirs - 1]);
        } else {
            snprintf(f->rel, sizeof f->rel, "%s%sf%05zu%s", d, *d ? "/" : "", i, ext);
        }
        f->seed = zct_rand(&rng);
        f->twin_of = -1;
        unsigned pick = (unsigned)(zct_rand(&rng) % 1000);
        if (i >= count && i < count + big)
            f->size = (1u << 20) + (size_t)(zct_rand(&rng) % (3u << 20));
        else if (pick < 50)
            f->size = 0;
        else if (pick < 800)
            f->size = 1 + (size_t)(zct_rand(&rng) % 4096);
        else if (pick < 990)
            f->size = 4096 + (size_t)(zct_rand(&rng) % (60u << 10));
        else
            f->size = (64u << 10) + (size_t)(zct_rand(&rng) % (192u << 10));
        if (i > 10 && i < count && zct_rand(&rng) % 10 == 0) {
            /* identical bytes to an earlier small file */
            long j = (long)(zct_rand(&rng) % i);
            if (t.files[j].size > 0 && t.files[j].size < (1u << 20)) {
                f->size = t.files[j].size;
                f->seed = t.files[j].seed;
                f->twin_of = j;
            }
        }
        t.total_bytes += f->size;
    }
    /* twin_of indexes refer to plan order; resolve them to paths before sorting */
    char (*twin_rel)[400] = calloc(t.count, sizeof *twin_rel);
    for (size_t i = 0; i < t.count; ++i)
        if (t.files[i].twin_of >= 0) memcpy(twin_rel[i], t.files[t.files[i].twin_of].rel, 400);
    for (size_t i = 0; i < t.count; ++i) t.files[i].twin_of = -1;
    tree_file *plan = malloc(t.count * sizeof *plan);
    memcpy(plan, t.files, t.count * sizeof *plan);
    qsort(t.files, t.count, sizeof *t.files, compare_rel);
    for (size_t i = 0; i < t.count; ++i) {
        if (!twin_rel[i][0]) continue;
        tree_file key;
        memcpy(key.rel, plan[i].rel, 400);
        tree_file *self = bsearch(&key, t.files, t.count, sizeof *t.files, compare_rel);
        memcpy(key.rel, twin_rel[i], 400);
        tree_file *twin = bsearch(&key, t.files, t.count, sizeof *t.files, compare_rel);
        cr_assert(self && twin);
        self->twin_of = twin - t.files;
    }
    for (size_t i = 1; i < t.count; ++i)
        cr_assert_neq(strcmp(t.files[i - 1].rel, t.files[i].rel), 0, "duplicate path %s", t.files[i].rel);
    free(plan);
    free(twin_rel);
    return t;
}

/* Write the planned files under `root`, in forward or reverse order (so two copies of
 * one tree differ in creation order, and so in directory order). */
static void write_tree(tree *t, const char *root, int reverse) {
    t->root = strdup(root);
    zct_mkdirs(root);
    size_t cap = 4u << 20;
    uint8_t *buf = malloc(cap);
    cr_assert_not_null(buf);
    for (size_t k = 0; k < t->count; ++k) {
        const tree_file *f = &t->files[reverse ? t->count - 1 - k : k];
        cr_assert_leq(f->size, cap);
        zct_fill(buf, f->size, f->seed);
        char *path = zct_join(root, f->rel);
        zct_write_file(path, buf, f->size);
        free(path);
    }
    free(buf);
}

static void free_tree(tree *t) {
    free(t->root);
    free(t->files);
}

static uint8_t *source_bytes(const tree *t, const tree_file *f, size_t *size) {
    char *path = zct_join(t->root, f->rel);
    uint8_t *bytes = zct_read_file(path, size);
    cr_assert_not_null(bytes, "cannot read %s", path);
    free(path);
    return bytes;
}

static int compare_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ---------------------------------------------------------------------------------
 * The big round trip
 * ------------------------------------------------------------------------------- */

Test(cli, build_verify_list_and_read_back_every_entry) {
    tree t = plan_tree(3000, 4);
    char *root = zct_join(zct_tmp, "assets");
    write_tree(&t, root, 0);
    char *outdir = zct_join(zct_tmp, "out");
    zct_mkdirs(outdir);
    char *pack = zct_join(outdir, "assets.zcpack");

    zct_run r = ZCT_CLI("build", root, "-o", pack);
    ZCT_EXPECT_CODE(r, 0);
    char expect_count[32];
    snprintf(expect_count, sizeof expect_count, "%zu entries", t.count);
    cr_assert_neq(strstr(r.out, expect_count), NULL, "summary: %s", r.out);
    zct_run_free(&r);
    cr_assert_eq(zct_count_prefixed(outdir, "assets.zcpack"), 1, "no temporary file is left beside the pack");

    r = ZCT_CLI("verify", pack);
    ZCT_EXPECT_CODE(r, 0);
    cr_assert_neq(strstr(r.out, "ok"), NULL, "verify prints ok: %s", r.out);
    zct_run_free(&r);

    /* ls --json lists exactly the files, with their sizes */
    r = ZCT_CLI("ls", pack, "--json");
    ZCT_EXPECT_CODE(r, 0);
    cJSON *json = cJSON_Parse(r.out);
    cr_assert_not_null(json, "ls --json is not JSON");
    cr_assert(cJSON_IsArray(json));
    cr_assert_eq((size_t)cJSON_GetArraySize(json), t.count);
    const char **listed = calloc(t.count, sizeof *listed);
    size_t n = 0;
    for (cJSON *item = json->child; item; item = item->next) {
        cJSON *path = cJSON_GetObjectItemCaseSensitive(item, "path");
        cJSON *raw = cJSON_GetObjectItemCaseSensitive(item, "raw_size");
        cJSON *type = cJSON_GetObjectItemCaseSensitive(item, "type");
        cr_assert(cJSON_IsString(path) && cJSON_IsNumber(raw) && cJSON_IsString(type));
        cr_assert_str_eq(type->valuestring, "blob");
        tree_file key;
        snprintf(key.rel, sizeof key.rel, "%s", path->valuestring);
        tree_file *f = bsearch(&key, t.files, t.count, sizeof *t.files, compare_rel);
        cr_assert_not_null(f, "ls lists %s, which is not in the tree", path->valuestring);
        cr_assert_eq((uint64_t)raw->valuedouble, f->size, "%s", f->rel);
        listed[n++] = path->valuestring;
    }
    qsort(listed, n, sizeof *listed, compare_str);
    for (size_t i = 0; i < n; ++i) cr_assert_str_eq(listed[i], t.files[i].rel, "listing differs at %zu", i);
    free(listed);
    cJSON_Delete(json);
    zct_run_free(&r);

    /* plain ls: one line per entry, sorted by path */
    r = ZCT_CLI("ls", pack);
    ZCT_EXPECT_CODE(r, 0);
    size_t lines = 0;
    for (char *line = r.out, *next; *line; line = next + 1, ++lines) {
        next = strchr(line, '\n');
        cr_assert_not_null(next);
        *next = 0;
        char *tab = strchr(line, '\t');
        if (tab) *tab = 0;
        cr_assert_lt(lines, t.count);
        cr_assert_str_eq(line, t.files[lines].rel);
    }
    cr_assert_eq(lines, t.count);
    zct_run_free(&r);

    r = ZCT_CLI("info", pack);
    ZCT_EXPECT_CODE(r, 0);
    char count_text[16];
    snprintf(count_text, sizeof count_text, "%zu", t.count);
    cr_assert_neq(strstr(r.out, count_text), NULL, "info shows the entry count: %s", r.out);
    zct_run_free(&r);

    /* every entry, through the runtime, against its source file */
    zc_pack *p = NULL;
    zc_result res = zc_pack_open(&p, &(zc_pack_desc){ .path = pack, .validate = ZC_VALIDATE_CHECKSUMS });
    cr_assert_eq(res, ZC_OK, "%s", zc_result_name(res));
    cr_assert_eq(zc_pack_entry_count(p), t.count);
    size_t twins = 0;
    for (size_t i = 0; i < t.count; ++i) {
        const tree_file *f = &t.files[i];
        size_t size;
        uint8_t *src = source_bytes(&t, f, &size);
        zc_entry e;
        cr_assert_eq(zc_pack_find(p, f->rel, &e), ZC_OK, "%s is missing", f->rel);
        cr_assert_eq(e.type, ZC_TYPE_BLOB);
        zc_hold hold; /* compressible files are stored compressed: their raw bytes are held */
        cr_assert_eq(zc_pack_acquire(p, &e, &hold), ZC_OK, "%s", f->rel);
        const void *data = hold.data;
        uint64_t len = hold.size;
        cr_assert_eq(len, size, "%s: size", f->rel);
        cr_assert(size == 0 || memcmp(data, src, size) == 0, "%s: bytes differ", f->rel);
        cr_assert_eq((uintptr_t)data % e.alignment, 0);
        zc_hold_release(&hold);
        if (f->twin_of >= 0) {
            zc_entry twin;
            cr_assert_eq(zc_pack_find(p, t.files[f->twin_of].rel, &twin), ZC_OK);
            cr_assert_eq(twin.offset, e.offset, "%s and %s have the same bytes but are stored twice", f->rel,
                         twin.path);
            twins++;
        }
        free(src);
    }
    cr_assert_gt(twins, 100, "the tree has duplicate contents");
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(p, &info), ZC_OK);
    cr_assert_lt(info.file_size, t.total_bytes, "duplicates are stored once");
    zc_pack_close(p);

    /* cat: every 10th entry (every 40th under sanitizers, where each start of the
     * program is slow), a few empty ones and all large ones */
    size_t stride = getenv("ZC_SANITIZE_RUN") ? 40 : 10, empties = 0;
    char *cat_out = zct_join(zct_tmp, "cat.bin");
    size_t catted = 0;
    for (size_t i = 0; i < t.count; ++i) {
        const tree_file *f = &t.files[i];
        int empty = f->size == 0 && empties < 5;
        if (i % stride != 0 && !empty && f->size < (1u << 20)) continue;
        if (f->size == 0) empties++;
        int code = zct_run_cli(NULL, cat_out, NULL, (const char *const[]){ "cat", pack, f->rel, NULL });
        cr_assert_eq(code, 0, "cat %s", f->rel);
        size_t size, got;
        uint8_t *src = source_bytes(&t, f, &size);
        uint8_t *out = zct_read_file(cat_out, &got);
        cr_assert_not_null(out);
        cr_assert_eq(got, size, "cat %s: %zu bytes, expected %zu", f->rel, got, size);
        cr_assert(size == 0 || memcmp(out, src, size) == 0, "cat %s: bytes differ", f->rel);
        free(src);
        free(out);
        catted++;
    }
    cr_assert_gt(catted, t.count / stride);
    free(cat_out);
    free(pack);
    free(outdir);
    free(root);
    free_tree(&t);
}

Test(cli, same_tree_gives_identical_packs) {
    tree a = plan_tree(3000, 2), b = plan_tree(3000, 2);
    char *ra = zct_join(zct_tmp, "one/assets"), *rb = zct_join(zct_tmp, "two/assets");
    write_tree(&a, ra, 0);
    write_tree(&b, rb, 1);
    char *pa = zct_join(zct_tmp, "a.zcpack"), *pb = zct_join(zct_tmp, "b.zcpack"), *pc = zct_join(zct_tmp, "c.zcpack");
    zct_run r = ZCT_CLI("build", ra, "-o", pa);
    ZCT_EXPECT_CODE(r, 0);
    zct_run_free(&r);
    r = ZCT_CLI("build", rb, "-o", pb, "--quiet");
    ZCT_EXPECT_CODE(r, 0);
    cr_assert_eq(r.out_size, 0, "--quiet prints nothing: %s", r.out);
    zct_run_free(&r);
    r = ZCT_CLI("build", ra, "-o", pc);
    ZCT_EXPECT_CODE(r, 0);
    zct_run_free(&r);
    cr_assert(zct_files_equal(pa, pc), "two builds of one tree differ");
    cr_assert(zct_files_equal(pa, pb), "two copies of one tree, created in opposite orders, give different packs");
    free(pa);
    free(pb);
    free(pc);
    free(ra);
    free(rb);
    free_tree(&a);
    free_tree(&b);
}

/* ---------------------------------------------------------------------------------
 * Smaller scenarios
 * ------------------------------------------------------------------------------- */

/* A small tree `name` under tmp; returns its path. */
static char *small_tree(const char *name) {
    char *root = zct_join(zct_tmp, name);
    static const struct { const char *rel, *text; } files[] = {
        { "readme.txt", "hello\n" },
        { "data/one.bin", "1111111111111111" },
        { "data/empty.bin", "" },
        { "data/\xc3\xa9t\xc3\xa9.txt", "summer\n" },
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; ++i) {
        char *p = zct_join(root, files[i].rel);
        zct_write_file(p, files[i].text, strlen(files[i].text));
        free(p);
    }
    return root;
}

static char *small_pack(const char *tree_name, const char *pack_name) {
    char *root = small_tree(tree_name);
    char *pack = zct_join(zct_tmp, pack_name);
    zct_run r = ZCT_CLI("build", root, "-o", pack);
    ZCT_EXPECT_CODE(r, 0);
    zct_run_free(&r);
    free(root);
    return pack;
}

Test(cli, default_output_is_named_after_the_directory) {
    char *root = small_tree("mygame");
    char *work = zct_join(zct_tmp, "work");
    zct_mkdirs(work);
    char *with_slash = malloc(strlen(root) + 2);
    sprintf(with_slash, "%s/", root);
    zct_run r = ZCT_CLI_IN(work, "build", with_slash);
    ZCT_EXPECT_CODE(r, 0);
    zct_run_free(&r);
    char *expected = zct_join(work, "mygame.zcpack");
    cr_assert(zct_exists(expected), "build %s in %s should write mygame.zcpack there", with_slash, work);
    r = ZCT_CLI("verify", expected);
    ZCT_EXPECT_CODE(r, 0);
    zct_run_free(&r);

    /* "build ." inside the tree: the pack lands in the tree and is not packed itself */
    r = ZCT_CLI_IN(root, "build", ".");
    ZCT_EXPECT_CODE(r, 0);
    zct_run_free(&r);
    char *inside = zct_join(root, "mygame.zcpack");
    cr_assert(zct_exists(inside));
    r = ZCT_CLI_IN(root, "build", ".");
    ZCT_EXPECT_CODE(r, 0);
    zct_run_free(&r);
    r = ZCT_CLI("ls", inside, "--json");
    ZCT_EXPECT_CODE(r, 0);
    cJSON *json = cJSON_Parse(r.out);
    cr_assert_not_null(json);
    cr_assert_eq(cJSON_GetArraySize(json), 4, "the pack does not contain itself");
    cJSON_Delete(json);
    zct_run_free(&r);
    cr_assert(zct_files_equal(inside, expected), "same tree, same pack");
    free(inside);
    free(expected);
    free(with_slash);
    free(work);
    free(root);
}

Test(cli, usage_errors_exit_2) {
    char *pack = small_pack("t", "t.zcpack");
    char *root = zct_join(zct_tmp, "t");
    const char *const *cases[] = {
        (const char *const[]){ NULL },
        (const char *const[]){ "frobnicate", NULL },
        (const char *const[]){ "build", NULL },
        (const char *const[]){ "build", root, "-o", NULL },
        (const char *const[]){ "build", root, "--bogus", NULL },
        (const char *const[]){ "build", root, root, NULL },
        (const char *const[]){ "build", "", NULL },
        (const char *const[]){ "ls", NULL },
        (const char *const[]){ "ls", pack, "--frob", NULL },
        (const char *const[]){ "info", NULL },
        (const char *const[]){ "verify", NULL },
        (const char *const[]){ "verify", pack, "extra", NULL },
        (const char *const[]){ "cat", pack, NULL },
        (const char *const[]){ "cat", pack, "readme.txt", "more", NULL },
        (const char *const[]){ "--no-such-option", NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        zct_run r = zct_cli(NULL, cases[i]);
        cr_assert_eq(r.code, ZC_EXIT_USAGE, "case %zu (%s %s): exit %d; stderr: %s", i, cases[i][0] ? cases[i][0] : "",
                     cases[i][0] && cases[i][1] ? cases[i][1] : "", r.code, r.err);
        cr_assert_neq(r.err[0], 0, "case %zu: a usage error explains itself on stderr", i);
        cr_assert_eq(r.out_size, 0, "case %zu: nothing on stdout", i);
        zct_run_free(&r);
    }
    zct_run r = ZCT_CLI("--help");
    ZCT_EXPECT_CODE(r, 0);
    cr_assert_neq(strstr(r.err, "build"), NULL, "help goes to stderr and lists the commands");
    /* Every command's summary starts in the same column, after its synopsis on the
     * same line with two spaces at least, or alone on the next line when the synopsis
     * is too long. */
    const char *list = strstr(r.err, "Commands:\n"), *end = list ? strstr(list, "\n\n") : NULL;
    cr_assert(list && end, "the help has a command list: %s", r.err);
    const char *first = strstr(list, "  build ");
    const char *summary = first ? strstr(first, "  pack every") : NULL;
    cr_assert(summary, "%s", r.err);
    size_t column = (size_t)(summary + 2 - first);
    uint32_t summaries = 0;
    int pending = 0; /* a synopsis whose summary is on the next line */
    for (const char *line = strchr(list, '\n') + 1; line < end; line = strchr(line, '\n') + 1) {
        size_t length = (size_t)(strchr(line, '\n') - line);
        int continuation = length > column && strspn(line, " ") == column;
        int inline_summary = !continuation && length > column && line[column - 2] == ' ' &&
                             line[column - 1] == ' ' && line[column] != ' ';
        cr_assert(continuation == pending, "%s help line: %.*s",
                  pending ? "a synopsis without a summary before" : "a summary without a synopsis", (int)length, line);
        pending = !continuation && !inline_summary;
        summaries += (uint32_t)(continuation || inline_summary);
    }
    cr_assert(!pending, "the last synopsis has no summary: %s", r.err);
    cr_assert_geq(summaries, 16u, "%u summaries in: %s", summaries, r.err);
    zct_run_free(&r);
    free(root);
    free(pack);
}

Test(cli, missing_input_exits_3) {
    char *missing = zct_join(zct_tmp, "no-such-dir");
    char *out = zct_join(zct_tmp, "x.zcpack");
    zct_run r = ZCT_CLI("build", missing, "-o", out);
    ZCT_EXPECT_CODE(r, ZC_EXIT_IO);
    cr_assert_neq(strstr(r.err, "no-such-dir"), NULL, "stderr names the directory: %s", r.err);
    cr_assert_not(zct_exists(out));
    zct_run_free(&r);
    r = ZCT_CLI("build", missing);
    ZCT_EXPECT_CODE(r, ZC_EXIT_IO);
    zct_run_free(&r);
    /* a regular file is not a directory */
    char *file = zct_join(zct_tmp, "plain.txt");
    zct_write_file(file, "x", 1);
    r = ZCT_CLI("build", file, "-o", out);
    ZCT_EXPECT_CODE(r, ZC_EXIT_IO);
    zct_run_free(&r);
    /* reading commands on a missing pack */
    r = ZCT_CLI("verify", out);
    ZCT_EXPECT_CODE(r, ZC_EXIT_IO);
    cr_assert_neq(strstr(r.err, "x.zcpack"), NULL);
    zct_run_free(&r);
    r = ZCT_CLI("ls", out);
    ZCT_EXPECT_CODE(r, ZC_EXIT_IO);
    zct_run_free(&r);
    free(file);
    free(out);
    free(missing);
}

Test(cli, output_in_a_missing_directory_exits_3) {
    char *root = small_tree("t");
    char *out = zct_join(zct_tmp, "nowhere/deeper/t.zcpack");
    zct_run r = ZCT_CLI("build", root, "-o", out);
    ZCT_EXPECT_CODE(r, ZC_EXIT_IO);
    cr_assert_neq(r.err[0], 0);
    zct_run_free(&r);
    cr_assert_not(zct_exists(out));
    free(out);
    free(root);
}

Test(cli, cat_of_a_missing_entry_exits_5) {
    char *pack = small_pack("t", "t.zcpack");
    zct_run r = ZCT_CLI("cat", pack, "data/nope.bin");
    ZCT_EXPECT_CODE(r, ZC_EXIT_NO_ENTRY);
    cr_assert_eq(r.out_size, 0);
    cr_assert_neq(strstr(r.err, "data/nope.bin"), NULL, "stderr names the entry: %s", r.err);
    zct_run_free(&r);
    r = ZCT_CLI("cat", pack, "data");
    ZCT_EXPECT_CODE(r, ZC_EXIT_NO_ENTRY);
    zct_run_free(&r);
    r = ZCT_CLI("cat", pack, "data/one.bin");
    ZCT_EXPECT_CODE(r, 0);
    cr_assert_eq(r.out_size, 16);
    cr_assert_eq(memcmp(r.out, "1111111111111111", 16), 0);
    zct_run_free(&r);
    r = ZCT_CLI("cat", pack, "data/empty.bin");
    ZCT_EXPECT_CODE(r, 0);
    cr_assert_eq(r.out_size, 0);
    zct_run_free(&r);
    r = ZCT_CLI("cat", pack, "data/\xc3\xa9t\xc3\xa9.txt");
    ZCT_EXPECT_CODE(r, 0);
    cr_assert_str_eq(r.out, "summer\n");
    zct_run_free(&r);
    free(pack);
}

static void corrupt_copy(const char *from, const char *to, long at, uint8_t mask, long truncate_by) {
    size_t size;
    uint8_t *bytes = zct_read_file(from, &size);
    cr_assert_not_null(bytes);
    if (at < 0) at += (long)size;
    bytes[at] ^= mask;
    zct_write_file(to, bytes, size - (size_t)truncate_by);
    free(bytes);
}

Test(cli, verify_rejects_damaged_packs_with_exit_4) {
    char *pack = small_pack("t", "t.zcpack");
    size_t size;
    uint8_t *bytes = zct_read_file(pack, &size);
    /* the first payload lies right after the 128-byte header */
    static const struct { const char *name; long at; uint8_t mask; long cut; } cases[] = {
        { "payload-flip.zcpack", 128, 0x01, 0 },
        { "header-flip.zcpack", 40, 0x80, 0 },
        { "toc-flip.zcpack", -3, 0x04, 0 },
        { "truncated.zcpack", 0, 0, 1 },
        { "magic.zcpack", 0, 0x80, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        char *bad = zct_join(zct_tmp, cases[i].name);
        corrupt_copy(pack, bad, cases[i].at, cases[i].mask, cases[i].cut);
        zct_run r = ZCT_CLI("verify", bad);
        ZCT_EXPECT_CODE(r, ZC_EXIT_CORRUPT);
        cr_assert_neq(strstr(r.err, cases[i].name), NULL, "stderr names the pack: %s", r.err);
        zct_run_free(&r);
        r = ZCT_CLI("verify", bad, "--json");
        ZCT_EXPECT_CODE(r, ZC_EXIT_CORRUPT);
        cJSON *json = cJSON_Parse(r.out);
        cr_assert_not_null(json, "verify --json prints JSON: %s", r.out);
        cr_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(json, "ok")));
        cJSON_Delete(json);
        zct_run_free(&r);
        free(bad);
    }
    /* a text file */
    char *text = zct_join(zct_tmp, "notes.zcpack");
    zct_write_file(text, "these are my notes, not a pack\n", 31);
    zct_run r = ZCT_CLI("verify", text);
    ZCT_EXPECT_CODE(r, ZC_EXIT_CORRUPT);
    cr_assert_neq(strstr(r.err, "notes.zcpack"), NULL);
    zct_run_free(&r);
    r = ZCT_CLI("ls", text);
    ZCT_EXPECT_CODE(r, ZC_EXIT_CORRUPT);
    zct_run_free(&r);
    /* the intact pack still verifies */
    r = ZCT_CLI("verify", pack, "--json");
    ZCT_EXPECT_CODE(r, 0);
    cJSON *json = cJSON_Parse(r.out);
    cr_assert_not_null(json);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(json, "ok")));
    cJSON_Delete(json);
    zct_run_free(&r);
    free(text);
    free(bytes);
    free(pack);
}

/* A build that fails must leave an existing pack at the output path as it was, and no
 * temporary file beside it. An invalid UTF-8 file name cannot become an entry path. */
/* A build stopped by a failed import says how to write the pack without it, except
 * under -q, which prints errors only. */
Test(cli, failed_import_points_to_keep_going) {
    char *root = small_tree("t");
    char *pack = zct_join(zct_tmp, "t.zcpack");
    zct_put_text(root, "art/broken.png", "not a png");
    zct_run r = ZCT_CLI("build", root, "-o", pack);
    ZCT_EXPECT_CODE(r, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(r, "art/broken.png: ");
    ZCT_EXPECT_ERR(r, "zcpack: --keep-going writes the pack without the file that failed\n");
    zct_run_free(&r);
    r = ZCT_CLI("build", root, "-o", pack, "-q");
    ZCT_EXPECT_CODE(r, ZC_EXIT_IMPORT);
    cr_expect_null(strstr(r.err, "--keep-going"), "-q printed more than errors: %s", r.err);
    zct_run_free(&r);
    r = ZCT_CLI("build", root, "-o", pack, "--keep-going");
    ZCT_EXPECT_CODE(r, ZC_EXIT_IMPORT);
    cr_expect_null(strstr(r.err, "--keep-going writes"), "%s", r.err);
    cr_expect_eq(access(pack, F_OK), 0, "--keep-going wrote no pack");
    zct_run_free(&r);
    free(pack);
    free(root);
}

Test(cli, failed_build_keeps_the_old_pack) {
    char *root = small_tree("t");
    char *outdir = zct_join(zct_tmp, "out");
    zct_mkdirs(outdir);
    char *pack = zct_join(outdir, "t.zcpack");
    zct_run r = ZCT_CLI("build", root, "-o", pack);
    ZCT_EXPECT_CODE(r, 0);
    zct_run_free(&r);
    size_t old_size;
    uint8_t *old = zct_read_file(pack, &old_size);
    cr_assert_not_null(old);

    char *bad = zct_join(root, "data/bad\xff\xfe.bin");
    zct_write_file(bad, "x", 1);
    r = ZCT_CLI("build", root, "-o", pack);
    ZCT_EXPECT_CODE(r, ZC_EXIT_IMPORT);
    cr_assert_neq(strstr(r.err, "data/bad"), NULL, "stderr names the file: %s", r.err);
    zct_run_free(&r);
    size_t now_size;
    uint8_t *now = zct_read_file(pack, &now_size);
    cr_assert_not_null(now);
    cr_assert(now_size == old_size && memcmp(now, old, old_size) == 0, "the old pack was changed");
    cr_assert_eq(zct_count_prefixed(outdir, ""), 3, "only '.', '..' and the old pack remain");
    unlink(bad);

    /* a backslash in a file name is not a valid entry path either */
    char *backslash = zct_join(root, "data/win\\dows.txt");
    zct_write_file(backslash, "x", 1);
    r = ZCT_CLI("build", root, "-o", pack);
    ZCT_EXPECT_CODE(r, ZC_EXIT_IMPORT);
    zct_run_free(&r);
    free(now);
    now = zct_read_file(pack, &now_size);
    cr_assert(now_size == old_size && memcmp(now, old, old_size) == 0, "the old pack was changed");
    cr_assert_eq(zct_count_prefixed(outdir, ""), 3);
    free(backslash);
    free(now);
    free(old);
    free(bad);
    free(pack);
    free(outdir);
    free(root);
}

/* Every file whose name cannot be an entry path (Latin-1 bytes, a control character)
 * is named; the build stops before importing and points to --keep-going, which packs
 * the rest and counts them as failed. */
Test(cli, file_names_that_cannot_be_entry_paths) {
    char *root = small_tree("t");
    char *pack = zct_join(zct_tmp, "t.zcpack");
    zct_put_text(root, "text/caf\xe9.txt", "latin-1");
    zct_put_text(root, "text/tab\there.txt", "tab");
    zct_run r = ZCT_CLI("build", root, "-o", pack);
    ZCT_EXPECT_CODE(r, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(r, "text/caf\\xe9.txt: file name is not a valid entry path: path is not valid UTF-8");
    ZCT_EXPECT_ERR(r, "text/tab\\x09here.txt: file name is not a valid entry path");
    ZCT_EXPECT_ERR(r, "t.zcpack: not written: 2 files with names that cannot be entry paths");
    ZCT_EXPECT_ERR(r, "zcpack: --keep-going writes the pack without the files that failed\n");
    cr_expect_neq(access(pack, F_OK), 0, "a pack was written");
    zct_run_free(&r);
    r = ZCT_CLI("build", root, "-o", pack, "--keep-going");
    ZCT_EXPECT_CODE(r, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(r, "t.zcpack: written without the 2 files that failed to import");
    zct_run_free(&r);
    zc_pack *p = NULL;
    cr_assert_eq(zc_pack_open(&p, &(zc_pack_desc){ .path = pack, .validate = ZC_VALIDATE_CHECKSUMS }), ZC_OK);
    zc_entry e;
    cr_expect_eq(zc_pack_find(p, "readme.txt", &e), ZC_OK, "the other files are packed");
    for (uint32_t i = 0; i < zc_pack_entry_count(p); ++i) {
        cr_assert_eq(zc_pack_entry_at(p, i, &e), ZC_OK);
        cr_expect(strncmp(e.path, "text/", 5) != 0, "%s was packed", e.path);
    }
    zc_pack_close(p);
    free(pack);
    free(root);
}

/* Special files and symbolic links are skipped with a warning (and never opened, so a
 * FIFO cannot block the build); the warning says where a link leads. */
Test(cli, special_files_and_links_are_skipped, .timeout = 60) {
    char *root = small_tree("t");
    char *fifo = zct_join(root, "data/pipe");
    cr_assert_eq(mkfifo(fifo, 0644), 0, "mkfifo: %s", strerror(errno));
    char *dangling = zct_join(root, "dangling.lnk");
    cr_assert_eq(symlink("/nonexistent/target", dangling), 0);
    char *link = zct_join(root, "readme-link.txt");
    cr_assert_eq(symlink("readme.txt", link), 0);
    char *outside = zct_join(root, "data/system");
    cr_assert_eq(symlink("/usr/share", outside), 0);
    char *pack = zct_join(zct_tmp, "t.zcpack");
    zct_run r = ZCT_CLI("build", root, "-o", pack);
    ZCT_EXPECT_CODE(r, 0);
    cr_assert_neq(strstr(r.err, "warning"), NULL, "skips are reported: %s", r.err);
    cr_assert_neq(strstr(r.err, "pipe"), NULL, "the FIFO is named: %s", r.err);
    ZCT_EXPECT_ERR(r, "dangling.lnk: skipping symbolic link: its target does not exist");
    ZCT_EXPECT_ERR(r, "readme-link.txt: skipping symbolic link to readme.txt of the tree (links are not followed; "
                      "it is packed, or left out, under its own path)");
    ZCT_EXPECT_ERR(r, "data/system: skipping symbolic link to /usr/share, outside the tree");
    zct_run_free(&r);
    r = ZCT_CLI("ls", pack, "--json");
    ZCT_EXPECT_CODE(r, 0);
    cJSON *json = cJSON_Parse(r.out);
    cr_assert_not_null(json);
    cr_assert_eq(cJSON_GetArraySize(json), 4, "only the 4 regular files are packed");
    cJSON_Delete(json);
    zct_run_free(&r);
    free(outside);
    free(link);
    free(dangling);
    free(fifo);
    free(pack);
    free(root);
}

/* The raw bytes of entry `path` of `pack`, compared with `want`. */
static void expect_entry_bytes(zc_pack *pack, const char *path, const char *want) {
    zc_hold h;
    cr_assert_eq(zc_pack_get(pack, path, &h), ZC_OK, "%s is packed", path);
    cr_assert_eq(h.size, strlen(want), "%s: %llu bytes", path, (unsigned long long)h.size);
    cr_assert_eq(memcmp(h.data, want, h.size), 0, "%s: the target's bytes", path);
    zc_hold_release(&h);
}

/* --follow-links: a link to a file is packed under its own path with the target's
 * bytes (imported as its kind: an image becomes a texture), a link to a folder outside
 * the tree is walked under the link's name, and links that lead nowhere or to a folder
 * that contains them are skipped with a warning. */
Test(cli, follow_links_packs_what_the_links_lead_to, .timeout = 60) {
    char *root = small_tree("t");
    char *shared = zct_join(zct_tmp, "shared");
    char *font = zct_join(shared, "fonts/sans.ttf");
    zct_write_file(font, "font bytes", 10);
    zct_copy_file("/usr/share/assimp/models/glTF2/BoxTextured-glTF/CesiumLogoFlat.png", shared, "icon.png");
    char *image = zct_join(shared, "icon.png");
    static const struct { const char *rel, *target; } links[] = {
        { "fonts", "../shared/fonts" },     /* a folder outside the tree */
        { "readme-link.txt", "readme.txt" }, /* a file of the tree */
        { "art/logo.png", "../../shared/icon.png" },
        { "data/loop", ".." },              /* a folder that contains it */
        { "dangling.lnk", "/nonexistent/target" },
        { ".hidden.lnk", "/nonexistent/target" }, /* hidden: left out without a word */
    };
    char *art = zct_join(root, "art");
    zct_mkdirs(art);
    free(art);
    for (size_t i = 0; i < sizeof links / sizeof links[0]; ++i) {
        char *at = zct_join(root, links[i].rel);
        cr_assert_eq(symlink(links[i].target, at), 0, "symlink %s: %s", at, strerror(errno));
        free(at);
    }
    char *pack = zct_join(zct_tmp, "t.zcpack");
    zct_run r = ZCT_CLI("build", root, "-o", pack, "--follow-links");
    ZCT_EXPECT_CODE(r, 0);
    ZCT_EXPECT_ERR(r, "data/loop: skipping symbolic link: it leads to a folder that contains it");
    ZCT_EXPECT_ERR(r, "dangling.lnk: skipping symbolic link: its target does not exist");
    cr_assert_null(strstr(r.err, "fonts: skipping"), "%s", r.err);
    cr_assert_null(strstr(r.err, "hidden.lnk"), "%s", r.err);
    zct_run_free(&r);
    zc_pack *p = NULL;
    cr_assert_eq(zc_pack_open(&p, &(zc_pack_desc){ .path = pack }), ZC_OK);
    cr_assert_eq(zc_pack_entry_count(p), 7, "4 files, the font, the linked readme and the image");
    expect_entry_bytes(p, "fonts/sans.ttf", "font bytes");
    expect_entry_bytes(p, "readme-link.txt", "hello\n");
    expect_entry_bytes(p, "readme.txt", "hello\n");
    zc_entry e;
    cr_assert_eq(zc_pack_find(p, "art/logo.png", &e), ZC_OK);
    cr_assert_eq(e.type, ZC_TYPE_TEXTURE, "the linked image is imported as an image");
    zc_pack_close(p);

    /* without the option, as before: every link skipped */
    r = ZCT_CLI("build", root, "-o", pack);
    ZCT_EXPECT_CODE(r, 0);
    ZCT_EXPECT_ERR(r, "fonts: skipping symbolic link to");
    cr_assert_neq(strstr(r.out, "5 symbolic links skipped (--follow-links packs what they lead to)"), NULL, "%s",
                  r.out);
    zct_run_free(&r);
    cr_assert_eq(zc_pack_open(&p, &(zc_pack_desc){ .path = pack }), ZC_OK);
    cr_assert_eq(zc_pack_entry_count(p), 4);
    zc_pack_close(p);
    free(pack);
    free(image);
    free(font);
    free(shared);
    free(root);
}

/* --follow-links and models: a model in a linked folder reads its buffers and images
 * beside it, a model that is itself a link reads the files beside its target, and a
 * model of the tree reads a texture through a linked folder; the
 * confinement to the asset root still refuses what no link of the tree reaches. */
Test(cli, follow_links_models_read_through_the_links, .timeout = 60) {
    char *root = zct_join(zct_tmp, "t");
    char *shared = zct_join(zct_tmp, "shared");
    const char *box = "/usr/share/assimp/models/glTF2/BoxTextured-glTF/";
    static const char *const box_files[] = { "BoxTextured.gltf", "BoxTextured0.bin", "CesiumLogoFlat.png" };
    for (size_t i = 0; i < 3; ++i) {
        char src[256], rel[64];
        snprintf(src, sizeof src, "%s%s", box, box_files[i]);
        snprintf(rel, sizeof rel, "box/%s", box_files[i]);
        zct_copy_file(src, shared, rel);
    }
    zct_copy_file("/usr/share/assimp/models/glTF2/BoxTextured-glTF/CesiumLogoFlat.png", shared, "textures/logo.png");
    static const char obj[] = "mtllib quad.mtl\nv 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 1 1\n"
                              "vt 0 1\nusemtl logo\nf 1/1 2/2 3/3 4/4\n";
    static const char mtl[] = "newmtl logo\nKd 1 1 1\nmap_Kd ../textures/logo.png\n";
    static const char escape[] = "newmtl logo\nKd 1 1 1\nmap_Kd ../../shared/textures/logo.png\n";
    char *p = zct_join(root, "models/quad.obj");
    zct_write_file(p, obj, sizeof obj - 1);
    free(p);
    p = zct_join(root, "models/quad.mtl");
    zct_write_file(p, mtl, sizeof mtl - 1);
    free(p);
    static const char beside[] = "newmtl logo\nKd 1 1 1\nmap_Kd logo.png\n"; /* a model linked alone */
    p = zct_join(shared, "quad/quad.obj");
    zct_write_file(p, obj, sizeof obj - 1);
    free(p);
    p = zct_join(shared, "quad/quad.mtl");
    zct_write_file(p, beside, sizeof beside - 1);
    free(p);
    zct_copy_file("/usr/share/assimp/models/glTF2/BoxTextured-glTF/CesiumLogoFlat.png", shared, "quad/logo.png");
    char *link = zct_join(root, "models/box");
    cr_assert_eq(symlink("../../shared/box", link), 0);
    free(link);
    link = zct_join(root, "models/linked.obj");
    cr_assert_eq(symlink("../../shared/quad/quad.obj", link), 0);
    free(link);
    link = zct_join(root, "textures");
    cr_assert_eq(symlink("../shared/textures", link), 0);
    free(link);
    char *pack = zct_join(zct_tmp, "t.zcpack");
    zct_run r = ZCT_CLI("build", root, "-o", pack, "--follow-links");
    ZCT_EXPECT_CODE(r, 0);
    cr_assert_null(strstr(r.err, "outside the asset root"), "%s", r.err);
    cr_assert_null(strstr(r.err, "not found"), "%s", r.err);
    zct_run_free(&r);
    zc_pack *pk = NULL;
    cr_assert_eq(zc_pack_open(&pk, &(zc_pack_desc){ .path = pack }), ZC_OK);
    static const char *const expected[] = { "models/box/BoxTextured.gltf", "models/box/BoxTextured.gltf#texture/0",
                                            "models/quad.obj", "models/quad.obj#texture/0", "textures/logo.png",
                                            "models/linked.obj", "models/linked.obj#texture/0" };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_find(pk, expected[i], &e), ZC_OK, "%s is packed", expected[i]);
    }
    zc_pack_close(pk);

    /* a material that climbs out of the tree by name is still refused */
    p = zct_join(root, "models/quad.mtl");
    zct_write_file(p, escape, sizeof escape - 1);
    free(p);
    r = ZCT_CLI("build", root, "-o", pack, "--follow-links");
    ZCT_EXPECT_CODE(r, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(r, "outside the asset root");
    zct_run_free(&r);
    free(pack);
    free(shared);
    free(root);
}

Test(cli, empty_tree) {
    char *root = zct_join(zct_tmp, "empty");
    zct_mkdirs(root);
    char *pack = zct_join(zct_tmp, "empty.zcpack");
    zct_run r = ZCT_CLI("build", root, "-o", pack);
    ZCT_EXPECT_CODE(r, 0);
    zct_run_free(&r);
    r = ZCT_CLI("verify", pack);
    ZCT_EXPECT_CODE(r, 0);
    zct_run_free(&r);
    r = ZCT_CLI("ls", pack, "--json");
    ZCT_EXPECT_CODE(r, 0);
    cJSON *json = cJSON_Parse(r.out);
    cr_assert(cJSON_IsArray(json));
    cr_assert_eq(cJSON_GetArraySize(json), 0);
    cJSON_Delete(json);
    zct_run_free(&r);
    free(pack);
    free(root);
}

/* More names no entry path may have: too many components, a control character. */
Test(cli, invalid_names_fail_the_build) {
    char *root = small_tree("t");
    char *pack = zct_join(zct_tmp, "t.zcpack");
    zct_run r = ZCT_CLI("build", root, "-o", pack);
    ZCT_EXPECT_CODE(r, 0);
    zct_run_free(&r);
    size_t old_size;
    uint8_t *old = zct_read_file(pack, &old_size);

    char deep[2 * (ZC_MAX_PATH_DEPTH + 1) + 8] = "";
    for (unsigned i = 0; i < ZC_MAX_PATH_DEPTH; ++i) strcat(deep, "d/");
    strcat(deep, "f");
    char *too_deep = zct_join(root, deep);
    zct_write_file(too_deep, "x", 1);
    r = ZCT_CLI("build", root, "-o", pack);
    ZCT_EXPECT_CODE(r, ZC_EXIT_IMPORT);
    zct_run_free(&r);
    char *top = zct_join(root, "d");
    zct_rm_rf(top);

    char *newline = zct_join(root, "new\nline.txt");
    zct_write_file(newline, "x", 1);
    r = ZCT_CLI("build", root, "-o", pack);
    ZCT_EXPECT_CODE(r, ZC_EXIT_IMPORT);
    cr_assert_neq(strstr(r.err, "new\\x0aline.txt"), NULL, "the name is shown escaped: %s", r.err);
    zct_run_free(&r);
    unlink(newline);

    size_t now_size;
    uint8_t *now = zct_read_file(pack, &now_size);
    cr_assert(now && now_size == old_size && memcmp(now, old, old_size) == 0, "the old pack was changed");
    cr_assert_eq(zct_count_prefixed(zct_tmp, ".zc-"), 0);
    free(now);
    free(newline);
    free(top);
    free(too_deep);
    free(old);
    free(pack);
    free(root);
}

/* A pack written inside the tree it packs is never packed into its successor. */
Test(cli, output_inside_the_tree_is_skipped) {
    char *root = small_tree("t");
    char *pack = zct_join(root, "packs/t.zcpack");
    char *packs = zct_join(root, "packs");
    zct_mkdirs(packs);
    for (int round = 0; round < 3; ++round) {
        zct_run r = ZCT_CLI("build", root, "-o", pack);
        ZCT_EXPECT_CODE(r, 0);
        cr_assert_neq(strstr(r.out, "4 entries"), NULL, "round %d: %s", round, r.out);
        zct_run_free(&r);
    }
    zct_run r = ZCT_CLI("info", pack, "--json");
    ZCT_EXPECT_CODE(r, 0);
    cJSON *json = cJSON_Parse(r.out);
    cr_assert_not_null(json);
    cJSON *count = cJSON_GetObjectItemCaseSensitive(json, "entry_count");
    cJSON *size = cJSON_GetObjectItemCaseSensitive(json, "file_size");
    cr_assert(cJSON_IsNumber(count) && cJSON_IsNumber(size));
    cr_assert_eq(count->valuedouble, 4.0);
    struct stat st;
    cr_assert_eq(stat(pack, &st), 0);
    cr_assert_eq((uint64_t)size->valuedouble, (uint64_t)st.st_size);
    cJSON_Delete(json);
    zct_run_free(&r);
    free(packs);
    free(pack);
    free(root);
}

/* `zcpack build` of a directory holding only hello.txt writes SPEC.md's worked example. */
Test(cli, matches_the_worked_example) {
    char *root = zct_join(zct_tmp, "dir");
    char *hello = zct_join(root, "hello.txt");
    zct_write_file(hello, ZCT_HELLO_TEXT, 15);
    char *pack = zct_join(zct_tmp, "hello.zcpack");
    zct_run r = ZCT_CLI("build", root, "-o", pack);
    ZCT_EXPECT_CODE(r, 0);
    zct_run_free(&r);
    size_t size;
    uint8_t *bytes = zct_read_file(pack, &size);
    cr_assert_not_null(bytes);
    cr_assert(size == zct_hello_pack_size && memcmp(bytes, zct_hello_pack, size) == 0,
              "the pack differs from SPEC.md, Appendix B");
    r = ZCT_CLI("cat", pack, "hello.txt");
    ZCT_EXPECT_CODE(r, 0);
    cr_assert_str_eq(r.out, ZCT_HELLO_TEXT);
    zct_run_free(&r);
    free(bytes);
    free(pack);
    free(hello);
    free(root);
}

/* A 1024x1024 uncompressed 32-bit TGA of a pattern that depends on `seed`. */
static void write_tga(const char *path, uint32_t seed) {
    enum { SIDE = 1024 };
    size_t size = 18 + (size_t)SIDE * SIDE * 4;
    uint8_t *bytes = calloc(1, size);
    cr_assert_not_null(bytes);
    bytes[2] = 2; /* uncompressed true colour */
    bytes[12] = SIDE & 0xFF, bytes[13] = SIDE >> 8, bytes[14] = SIDE & 0xFF, bytes[15] = SIDE >> 8;
    bytes[16] = 32;
    bytes[17] = 8; /* alpha bits */
    for (size_t i = 0; i < (size_t)SIDE * SIDE; ++i) {
        uint32_t x = (uint32_t)(i % SIDE), y = (uint32_t)(i / SIDE);
        uint8_t *t = bytes + 18 + i * 4;
        t[0] = (uint8_t)(x ^ seed), t[1] = (uint8_t)(y + seed), t[2] = (uint8_t)((x * y) >> 4), t[3] = 255;
    }
    zct_write_file(path, bytes, size);
    free(bytes);
}

/* Minor page faults of one `zcpack build` of `root` with 2 threads (the program and
 * what it waited for). */
static long build_faults(const char *root, const char *out) {
    struct rusage before, after;
    getrusage(RUSAGE_CHILDREN, &before);
    zct_run r = ZCT_CLI("build", root, "-o", out, "-j", "2", "-q");
    getrusage(RUSAGE_CHILDREN, &after);
    ZCT_EXPECT_CODE(r, ZC_EXIT_OK);
    zct_run_free(&r);
    return after.ru_minflt - before.ru_minflt;
}

Test(cli, the_program_keeps_freed_buffers_unless_malloc_is_tuned) {
    if (zct_sanitizing()) zct_skip_test("the sanitizers' allocator has its own policy");
    char *root = zct_join(zct_tmp, "tree");
    for (uint32_t i = 0; i < 12; ++i) {
        char rel[64];
        snprintf(rel, sizeof rel, "textures/t%02u.tga", i);
        char *path = zct_join(root, rel);
        write_tga(path, i * 37u);
        free(path);
    }
    char *ours = zct_join(zct_tmp, "ours.zcpack"), *tuned = zct_join(zct_tmp, "tuned.zcpack");
    long with_policy = build_faults(root, ours);
    /* glibc's own threshold, fixed: what the program would do without its policy */
    cr_assert_eq(setenv("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=131072", 1), 0);
    long without = build_faults(root, tuned);
    unsetenv("GLIBC_TUNABLES");
    fprintf(stderr, "cli: build of 12 1024x1024 images, -j 2: %ld page faults, %ld with glibc's malloc threshold\n",
            with_policy, without);
    cr_assert_lt(with_policy * 4, without * 3, "%ld faults against %ld: freed buffers were not reused", with_policy,
                 without);
    cr_assert(zct_files_equal(ours, tuned), "the policy changed the pack");
    free(ours);
    free(tuned);
    free(root);
}
