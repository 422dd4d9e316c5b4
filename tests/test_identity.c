/* test_identity.c - packs stay byte-identical across changes to the packer's code.
 *
 * tests/identity.golden records, for each tree below, a fingerprint of the tree (every
 * regular file's path and bytes), of the libraries whose output ends up in a pack
 * (zstd, assimp, meshoptimizer), and the XXH3-128 of the pack that `zcpack build`
 * wrote from it when the record was made. Each test builds the tree again through the
 * real CLI and asserts the same pack bytes. A tree or library that is not what the
 * record saw (a Debian update of the test data) is reported and skipped: the record
 * then says nothing about this machine.
 *
 * ZCT_IDENTITY_RECORD=<file> writes the lines of the trees this run built to <file>
 * instead of checking them (run it with the packer whose output is the reference).
 * Large trees are left to the release run: under the sanitizers only the demo tree
 * is built.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <assimp/version.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <meshoptimizer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

#include "zc_test_util.h"

TestSuite(identity, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 600);

/* One tree and the build options it is packed with. `base` names another case whose
 * pack is built first and given as --base (a patch build). */
typedef struct identity_case {
    const char *name;
    const char *tree;           /* absolute, or relative to the source tree */
    const char *options[6];     /* NULL-terminated extra arguments of build */
    const char *base;
    int large;                  /* left out under the sanitizers */
} identity_case;

static const identity_case cases[] = {
    { "demo", "samples/assets", { NULL }, NULL, 0 },
    { "demo_raw", "samples/assets", { "--no-compress", "--no-compress-entries", NULL }, NULL, 0 },
    { "demo_dict", "samples/assets", { "--dict", "--level", "3", NULL }, NULL, 0 },
    { "pygame", "/usr/share/doc/python-pygame-doc/examples/data", { NULL }, NULL, 1 },
    { "pygame_patch", "samples/assets", { NULL }, "pygame", 1 },
    { "pixbuf", "/usr/libexec/installed-tests/gdk-pixbuf/test-images/reftests", { "--keep-going", NULL }, NULL, 1 },
    { "mimetype", "/usr/share/gocode/src/github.com/gabriel-vasile/mimetype/testdata", { "--keep-going", NULL },
      NULL, 1 },
    { "assimp", "/usr/share/assimp/models", { "--keep-going", NULL }, NULL, 1 },
};

static const identity_case *find_case(const char *name) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i)
        if (strcmp(cases[i].name, name) == 0) return &cases[i];
    return NULL;
}

static void tree_path(const identity_case *c, char *out, size_t cap) {
    if (c->tree[0] == '/')
        snprintf(out, cap, "%s", c->tree);
    else
        snprintf(out, cap, "%s/%s", zct_source_dir(), c->tree);
}

/* ---------------------------------------------------------------------------------
 * Fingerprints
 * ------------------------------------------------------------------------------- */

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Feed every regular file under dir/rel, in bytewise path order, as
 * "<relative path>\0<size, 8 bytes LE><bytes>" into the state. Symbolic links and
 * special files are skipped, as the build skips them. */
static void hash_tree(XXH3_state_t *state, const char *dir, const char *rel) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s%s%s", dir, *rel ? "/" : "", rel);
    DIR *d = opendir(path);
    cr_assert_not_null(d, "opendir %s: %s", path, strerror(errno));
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof *names);
            cr_assert_not_null(names);
        }
        names[count] = strdup(e->d_name);
        cr_assert_not_null(names[count++]);
    }
    closedir(d);
    if (count) qsort(names, count, sizeof *names, compare_names);
    for (size_t i = 0; i < count; ++i) {
        char child_rel[PATH_MAX], child[2 * PATH_MAX];
        snprintf(child_rel, sizeof child_rel, "%s%s%s", rel, *rel ? "/" : "", names[i]);
        snprintf(child, sizeof child, "%s/%s", dir, child_rel);
        struct stat st;
        cr_assert_eq(lstat(child, &st), 0, "lstat %s: %s", child, strerror(errno));
        if (S_ISDIR(st.st_mode)) {
            hash_tree(state, dir, child_rel);
        } else if (S_ISREG(st.st_mode)) {
            size_t size;
            uint8_t *bytes = zct_read_file(child, &size);
            cr_assert_not_null(bytes, "cannot read %s", child);
            uint8_t le[8];
            for (int b = 0; b < 8; ++b) le[b] = (uint8_t)((uint64_t)size >> (8 * b));
            XXH3_128bits_update(state, child_rel, strlen(child_rel) + 1);
            XXH3_128bits_update(state, le, sizeof le);
            XXH3_128bits_update(state, bytes, size);
            free(bytes);
        }
        free(names[i]);
    }
    free(names);
}

static void hex128(XXH128_hash_t h, char out[33]) {
    snprintf(out, 33, "%016" PRIx64 "%016" PRIx64, (uint64_t)h.high64, (uint64_t)h.low64);
}

static void tree_fingerprint(const char *dir, char out[33]) {
    XXH3_state_t *state = XXH3_createState();
    cr_assert_not_null(state);
    XXH3_128bits_reset(state);
    hash_tree(state, dir, "");
    hex128(XXH3_128bits_digest(state), out);
    XXH3_freeState(state);
}

static void file_hash(const char *path, char out[33]) {
    size_t size;
    uint8_t *bytes = zct_read_file(path, &size);
    cr_assert_not_null(bytes, "cannot read %s", path);
    hex128(XXH3_128bits(bytes, size), out);
    free(bytes);
}

/* The versions of the libraries whose output is part of a pack. */
static void library_versions(char *out, size_t cap) {
    snprintf(out, cap, "zstd-%u,assimp-%u.%u.%u,meshopt-%d", ZSTD_versionNumber(), aiGetVersionMajor(),
             aiGetVersionMinor(), aiGetVersionPatch(), MESHOPTIMIZER_VERSION);
}

/* ---------------------------------------------------------------------------------
 * The record
 * ------------------------------------------------------------------------------- */

typedef struct golden_line {
    char tree[33];
    char libraries[128];
    char pack[33];
} golden_line;

/* The record's line for `name`; 0 when it has none. Lines: name tree libraries pack. */
static int golden_find(const char *name, golden_line *out) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/tests/identity.golden", zct_source_dir());
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    char line[512];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        char n[64];
        if (line[0] == '#' || sscanf(line, "%63s %32s %127s %32s", n, out->tree, out->libraries, out->pack) != 4)
            continue;
        found = strcmp(n, name) == 0;
    }
    fclose(f);
    return found;
}

/* Build the case's pack into tmp/<name>.zcpack (its base first) and return its path. */
static char *build_case(const identity_case *c) {
    char *pack = NULL;
    cr_assert(asprintf(&pack, "%s/%s.zcpack", zct_tmp, c->name) > 0);
    char *base = c->base ? build_case(find_case(c->base)) : NULL;
    char tree[PATH_MAX];
    tree_path(c, tree, sizeof tree);
    const char *argv[16] = { "build", tree, "-o", pack, "-q" };
    size_t argc = 5;
    if (base) {
        argv[argc++] = "--base";
        argv[argc++] = base;
    }
    for (size_t i = 0; c->options[i]; ++i) argv[argc++] = c->options[i];
    argv[argc] = NULL;
    char *err = zct_join(zct_tmp, "stderr.txt");
    int code = zct_run_cli(NULL, NULL, err, argv);
    size_t n;
    char *text = (char *)zct_read_file(err, &n);
    int keep_going = 0;
    for (size_t i = 0; c->options[i]; ++i) keep_going |= strcmp(c->options[i], "--keep-going") == 0;
    cr_assert(code == 0 || (keep_going && code == 6), "zcpack build %s exited %d: %s", tree, code, text ? text : "");
    free(text);
    free(err);
    free(base);
    return pack;
}

static void check_case(const char *name) {
    const identity_case *c = find_case(name);
    cr_assert_not_null(c);
    if (c->large && getenv("ZC_SANITIZE_RUN")) zct_skip_test("%s: large tree, built by the release run", name);
    char tree[PATH_MAX];
    tree_path(c, tree, sizeof tree);
    if (!zct_exists(tree)) zct_skip_test("%s is missing (tools/bootstrap.sh --test-data installs it)", tree);
    if (c->base) {
        char base_tree[PATH_MAX];
        tree_path(find_case(c->base), base_tree, sizeof base_tree);
        if (!zct_exists(base_tree)) zct_skip_test("%s is missing (tools/bootstrap.sh --test-data)", base_tree);
    }

    golden_line now;
    tree_fingerprint(tree, now.tree);
    library_versions(now.libraries, sizeof now.libraries);
    char *pack = build_case(c);
    file_hash(pack, now.pack);
    free(pack);

    const char *record = getenv("ZCT_IDENTITY_RECORD");
    if (record && *record) {
        FILE *f = fopen(record, "a");
        cr_assert_not_null(f, "%s: %s", record, strerror(errno));
        fprintf(f, "%s %s %s %s\n", name, now.tree, now.libraries, now.pack);
        fclose(f);
        return;
    }
    golden_line then;
    cr_assert(golden_find(name, &then), "tests/identity.golden has no line for %s", name);
    if (strcmp(then.tree, now.tree) != 0)
        zct_skip_test("%s: the tree %s is not the one recorded (fingerprint %s, recorded %s)", name, tree, now.tree,
                     then.tree);
    if (strcmp(then.libraries, now.libraries) != 0)
        zct_skip_test("%s: libraries %s, recorded with %s", name, now.libraries, then.libraries);
    cr_assert_str_eq(now.pack, then.pack, "%s: the pack of %s differs from the recorded one", name, tree);
}

Test(identity, demo) { check_case("demo"); }
Test(identity, demo_raw) { check_case("demo_raw"); }
Test(identity, demo_dict) { check_case("demo_dict"); }
Test(identity, pygame) { check_case("pygame"); }
Test(identity, pygame_patch) { check_case("pygame_patch"); }
Test(identity, pixbuf) { check_case("pixbuf"); }
Test(identity, mimetype) { check_case("mimetype"); }
Test(identity, assimp) { check_case("assimp"); }
