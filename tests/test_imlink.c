/* test_imlink.c - `zcpack import` and `zcpack link`, the packer as two pure steps
 * (packer/build/zc_link.h), through the real CLI: importing every file of a tree and
 * linking the objects gives the bytes `zcpack build` gives, on the demo assets and on
 * a mixed tree of real third-party files (pygame's example data and part of
 * assimp's test models, with a manifest); objects do not depend on where the tree
 * lies; link does not depend on the order of its objects; `--deps`; and link refuses
 * truncated, damaged, hostile, missing and duplicate objects with a message naming
 * them, leaving its output as it was.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "zc_exit.h"
#include "zc_link.h"
#include "zc_test_util.h"

TestSuite(imlink, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 300);

#define PYGAME_DATA "/usr/share/doc/python-pygame-doc/examples/data"
#define ASSIMP_MODELS "/usr/share/assimp/models"

/* ---------------------------------------------------------------------------------
 * Trees
 * ------------------------------------------------------------------------------- */

typedef struct file_list {
    char **rel;
    size_t count, cap;
} file_list;

static void list_add(file_list *l, const char *rel) {
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->rel = realloc(l->rel, l->cap * sizeof *l->rel);
        cr_assert_not_null(l->rel);
    }
    l->rel[l->count++] = strdup(rel);
}

static void list_free(file_list *l) {
    for (size_t i = 0; i < l->count; ++i) free(l->rel[i]);
    free(l->rel);
    memset(l, 0, sizeof *l);
}

static int compare_strings(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file below root/rel (links and the rest skipped, as a build skips
 * them), as paths relative to root. */
static void walk(const char *root, const char *rel, file_list *out) {
    char *dir = rel[0] ? zct_join(root, rel) : strdup(root);
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "opendir %s: %s", dir, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char *sub = rel[0] ? zct_join(rel, e->d_name) : strdup(e->d_name);
        char *full = zct_join(root, sub);
        struct stat st;
        cr_assert_eq(lstat(full, &st), 0, "lstat %s", full);
        if (S_ISDIR(st.st_mode)) walk(root, sub, out);
        else if (S_ISREG(st.st_mode)) list_add(out, sub);
        free(full);
        free(sub);
    }
    closedir(d);
    free(dir);
}

/* The files of the tree `zcpack import` takes, in bytewise order: every regular file
 * but the manifest and the ignore list at the root (files the tree leaves out give
 * objects of no entries). */
static file_list packed_files(const char *root) {
    file_list l = { 0 };
    walk(root, "", &l);
    qsort(l.rel, l.count, sizeof *l.rel, compare_strings);
    for (size_t i = 0; i < l.count;) {
        if (strcmp(l.rel[i], "zcpack.json") != 0 && strcmp(l.rel[i], ".zcpackignore") != 0) {
            i++;
            continue;
        }
        free(l.rel[i]);
        memmove(l.rel + i, l.rel + i + 1, (l.count - i - 1) * sizeof *l.rel);
        l.count--;
    }
    return l;
}

/* Copy every regular file below `src` to dst (same relative paths). */
static const char triangle_obj[] = "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n";

static void copy_tree(const char *src, const char *dst) {
    file_list l = { 0 };
    walk(src, "", &l);
    for (size_t i = 0; i < l.count; ++i) {
        char *from = zct_join(src, l.rel[i]);
        zct_copy_file(from, dst, l.rel[i]);
        free(from);
    }
    list_free(&l);
}

/* ---------------------------------------------------------------------------------
 * The CLI steps
 * ------------------------------------------------------------------------------- */

/* Import root/rel into `object` with up to four extra options; returns the run. */
static zct_run import_file(const char *cwd, const char *root, const char *rel, const char *object,
                           const char *const extra[4]) {
    char *file = zct_join(root, rel);
    const char *argv[16] = { "import", file, "--root", root, "-o", object };
    int n = 6;
    for (int i = 0; extra && i < 4 && extra[i]; ++i) argv[n++] = extra[i];
    argv[n] = NULL;
    zct_run run = zct_cli(cwd, argv);
    free(file);
    return run;
}

/* Import every file of `files` into objdir/<index>.zco; the objects made, in the
 * files' order. A file that fails to import must fail with exit 6 and be one the
 * build reported (build_err, NULL: none may fail). */
static file_list import_all(const char *root, const file_list *files, const char *objdir, const char *const extra[4],
                            const char *build_err) {
    zct_mkdirs(objdir);
    file_list objects = { 0 };
    for (size_t i = 0; i < files->count; ++i) {
        char name[32];
        snprintf(name, sizeof name, "%zu.zco", i);
        char *object = zct_join(objdir, name);
        zct_run run = import_file(NULL, root, files->rel[i], object, extra);
        if (run.code == ZC_EXIT_OK) {
            list_add(&objects, object);
        } else {
            cr_assert(build_err, "import %s: exit %d\n%s", files->rel[i], run.code, run.err);
            ZCT_EXPECT_CODE(run, ZC_EXIT_IMPORT);
            cr_assert(strstr(build_err, files->rel[i]), "import of %s failed but build took it:\n%s", files->rel[i],
                      run.err);
            cr_assert(!zct_exists(object));
        }
        zct_run_free(&run);
        free(object);
    }
    return objects;
}

/* Link the objects (in the given order) through a list file; returns the run. */
static zct_run link_list(const file_list *objects, const char *pack) {
    char *listfile = zct_tmp_path("objects.list");
    FILE *f = fopen(listfile, "w");
    cr_assert_not_null(f);
    for (size_t i = 0; i < objects->count; ++i) fprintf(f, "%s\n", objects->rel[i]);
    fclose(f);
    char at[4096];
    snprintf(at, sizeof at, "@%s", listfile);
    zct_run run = ZCT_CLI("link", at, "-o", pack);
    free(listfile);
    return run;
}

/* Build `root` and import+link it with the same options; assert the same bytes. */
static void expect_identical(const char *root, const char *const extra[4], int keep_going) {
    char *built = zct_tmp_path("built.zcpack"), *linked = zct_tmp_path("linked.zcpack");
    char *objdir = zct_tmp_path("objects");
    const char *argv[12] = { "build", root, "-o", built };
    int n = 4;
    if (keep_going) argv[n++] = "--keep-going";
    for (int i = 0; extra && i < 4 && extra[i]; ++i) argv[n++] = extra[i];
    argv[n] = NULL;
    zct_run build = zct_cli(NULL, argv);
    cr_assert(build.code == ZC_EXIT_OK || (keep_going && build.code == ZC_EXIT_IMPORT), "build: exit %d\n%s",
              build.code, build.err);
    file_list files = packed_files(root);
    file_list objects = import_all(root, &files, objdir, extra, keep_going ? build.err : NULL);
    cr_assert_gt(objects.count, 0);
    zct_run link = link_list(&objects, linked);
    ZCT_EXPECT_CODE(link, ZC_EXIT_OK);
    cr_assert(zct_files_equal(built, linked), "import + link of %s (%zu objects) differs from build", root,
              objects.count);
    zct_run_free(&link);
    zct_run_free(&build);
    list_free(&objects);
    list_free(&files);
    free(objdir);
    free(built);
    free(linked);
}

/* ---------------------------------------------------------------------------------
 * Same bytes as build
 * ------------------------------------------------------------------------------- */

Test(imlink, demo_assets_identical_to_build) {
    expect_identical(zct_source_path("samples/assets"), NULL, 0);
}

/* Files left out by .zcpackignore (by name, and a whole folder) and by an "exclude"
 * rule import as objects of no entries; a file packed as a blob with a chosen
 * alignment keeps it through the object. */
Test(imlink, left_out_files_identical_to_build) {
    char *root = zct_tmp_path("tree");
    copy_tree(zct_source_path("samples/assets"), root);
    zct_put_text(root, ".zcpackignore", "*.csv\n/levels/\n");
    zct_put_text(root, "zcpack.json",
                 "{ \"rules\": [ { \"match\": \"shaders/*\", \"exclude\": true },"
                 " { \"match\": \"textures/bricks.png\", \"importer\": \"blob\", \"alignment\": 1024 } ] }");
    expect_identical(root, NULL, 0);
    char *csv = zct_tmp_path("strings.zco");
    zct_run run = import_file(NULL, root, "text/strings_en.csv", csv, NULL);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    char *alone = zct_tmp_path("alone.zcpack");
    zct_run link = ZCT_CLI("link", csv, "-o", alone);
    ZCT_EXPECT_CODE(link, ZC_EXIT_OK);
    zc_pack *linked = NULL;
    cr_assert_eq(zc_pack_open(&linked, &(zc_pack_desc){ .path = alone }), ZC_OK);
    cr_expect_eq(zc_pack_entry_count(linked), 0u, "a left-out file's object holds no entries");
    zc_pack_close(linked);
    zct_run_free(&link);
    free(alone);
    free(csv);
    char *pack = zct_tmp_path("built.zcpack");
    zct_run ls = ZCT_CLI("ls", pack);
    ZCT_EXPECT_CODE(ls, ZC_EXIT_OK);
    cr_expect(!strstr(ls.out, ".csv") && !strstr(ls.out, "levels/") && !strstr(ls.out, "shaders/"), "%s", ls.out);
    cr_expect(strstr(ls.out, "textures/bricks.png\tblob"), "%s", ls.out);
    zct_run_free(&ls);
    free(pack);
    free(root);
}

/* JSON files of two schema types referencing each other, a model's mesh and a
 * texture: the objects list the schema and the manifest as files they read, and
 * import + link gives the build's bytes. */
Test(imlink, schema_entries_identical_to_build) {
    char *root = zct_tmp_path("tree");
    zct_put_text(root, "game.zcs",
                 "type_tag \"WEAP\";\nroot Weapon;\nstruct Armor { name: string; }\n"
                 "struct Weapon { name: string; model: ref Mesh; icon: ref Texture; guard: ?ref Armor; }\n");
    zct_put_text(root, "armor.zcs",
                 "type_tag \"ARMR\";\nroot Armor;\nstruct Weapon { name: string; }\n"
                 "struct Armor { name: string; best: ref Weapon; }\n");
    zct_put_text(root, "zcpack.json",
                 "{ \"rules\": [ { \"match\": \"weapons/*.json\", \"type\": \"Weapon\", \"schema\": \"game.zcs\" },"
                 " { \"match\": \"armor/*.json\", \"type\": \"Armor\", \"schema\": \"armor.zcs\" } ] }");
    zct_put_text(root, "weapons/rifle.json",
                 "{ \"name\": \"Rifle\", \"model\": \"m.obj#mesh/0\", \"icon\": \"t.png\", \"guard\": \"armor/plate.json\" }");
    zct_put_text(root, "armor/plate.json", "{ \"name\": \"Plate\", \"best\": \"weapons/rifle.json\" }");
    zct_put_text(root, "m.obj", triangle_obj);
    zct_copy_file(zct_source_path("samples/assets/textures/leaves.png"), root, "t.png");
    expect_identical(root, NULL, 0);
    char *file = zct_join(root, "weapons/rifle.json");
    zct_run deps = ZCT_CLI("import", "--deps", file, "--root", root);
    free(file);
    ZCT_EXPECT_CODE(deps, ZC_EXIT_OK);
    cr_expect(strstr(deps.out, "game.zcs") && strstr(deps.out, "zcpack.json"), "%s", deps.out);
    zct_run_free(&deps);
    /* a manifest from outside the tree is the caller's input, not a read */
    char *outside = zct_tmp_path("outside.json"), *object = zct_tmp_path("outside.zco");
    char *manifest = zct_join(root, "zcpack.json");
    zct_copy_file(manifest, zct_tmp, "outside.json");
    free(manifest);
    const char *extra[4] = { "--manifest", outside, NULL, NULL };
    zct_run run = import_file(NULL, root, "weapons/rifle.json", object, extra);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    free(object);
    free(outside);
    free(root);
}

/* A cube map from six face files ("cubemap_faces") and an array from a folder
 * ("array_folder"): the first file's object holds the texture and lists the others
 * as what it read; theirs hold no entries. */
Test(imlink, texture_groups_identical_to_build) {
    char *root = zct_tmp_path("tree");
    copy_tree(zct_source_path("samples/assets"), root);
    static const char *const faces[6][2] = {
        { "textures/bricks.png", "sky/day_px.png" },   { "textures/bricks_n.png", "sky/day_nx.png" },
        { "textures/leaves.png", "sky/day_py.png" },   { "textures/bricks.png", "sky/day_ny.png" },
        { "textures/bricks_n.png", "sky/day_pz.png" }, { "textures/leaves.png", "sky/day_nz.png" },
    };
    for (int f = 0; f < 6; ++f) {
        char source[128];
        snprintf(source, sizeof source, "samples/assets/%s", faces[f][0]);
        zct_copy_file(zct_source_path(source), root, faces[f][1]);
    }
    zct_copy_file(zct_source_path("samples/assets/textures/bricks.png"), root, "layers/b.png");
    zct_copy_file(zct_source_path("samples/assets/textures/leaves.png"), root, "layers/a.png");
    zct_put_text(root, "zcpack.json",
                 "{ \"rules\": [ { \"match\": \"sky/*\", \"cubemap_faces\": true },"
                 " { \"match\": \"layers/*\", \"array_folder\": true } ] }");
    expect_identical(root, NULL, 0);
    char *px = zct_join(root, "sky/day_px.png");
    zct_run run = ZCT_CLI("import", "--deps", px, "--root", root);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    cr_expect_str_eq(run.out, "sky/day_nx.png\nsky/day_ny.png\nsky/day_nz.png\nsky/day_py.png\nsky/day_pz.png\n");
    zct_run_free(&run);
    free(px);
    free(root);
}

Test(imlink, demo_options_identical_to_build) {
    const char *const extra[4] = { "--no-compress", "--level", "3", NULL };
    expect_identical(zct_source_path("samples/assets"), extra, 0);
}

/* pygame's example data (images, sounds, fonts of many kinds) and assimp's OBJ test
 * models and a textured glTF (models with material libraries and textures; a few the
 * importer refuses), with a manifest whose rules change textures, meshes and codecs. */
Test(imlink, mixed_real_tree_identical_to_build) {
    if (!zct_exists(PYGAME_DATA) || !zct_exists(ASSIMP_MODELS "/OBJ"))
        zct_skip_test("the test data packages are not installed (tools/bootstrap.sh --test-data)");
    char *root = zct_tmp_path("mixed");
    char *part = zct_join(root, "pygame");
    copy_tree(PYGAME_DATA, part);
    free(part);
    part = zct_join(root, "models/OBJ");
    copy_tree(ASSIMP_MODELS "/OBJ", part);
    free(part);
    part = zct_join(root, "models/box");
    copy_tree(ASSIMP_MODELS "/glTF2/BoxTextured-glTF", part);
    free(part);
    zct_put_text(root, "zcpack.json",
                 "{ \"rules\": [\n"
                 "  { \"match\": \"pygame/*.png\", \"max_size\": 32 },\n"
                 "  { \"match\": \"pygame/*.wav\", \"compress\": false },\n"
                 "  { \"match\": \"models/OBJ/spider*\", \"quantize\": true, \"compress\": true },\n"
                 "  { \"match\": \"models/box/*\", \"meshlets\": true, \"format\": \"rgba8\" }\n"
                 "] }\n");
    expect_identical(root, NULL, 1);
    free(root);
}

/* ---------------------------------------------------------------------------------
 * Determinism
 * ------------------------------------------------------------------------------- */

/* The demo tree copied to two places of different depth: every file imported in each
 * (one by an absolute root, one by a relative root from another directory) gives the
 * same object, and no object holds the absolute path of its tree. */
Test(imlink, objects_do_not_depend_on_the_trees_place) {
    char *one = zct_tmp_path("one/assets"), *two = zct_tmp_path("two/deeper/still/assets");
    copy_tree(zct_source_path("samples/assets"), one);
    copy_tree(zct_source_path("samples/assets"), two);
    char *cwd = zct_tmp_path("two/deeper");
    file_list files = packed_files(one);
    cr_assert_gt(files.count, 5);
    for (size_t i = 0; i < files.count; ++i) {
        char *a = zct_tmp_path("a.zco"), *b = zct_tmp_path("b.zco"), *b2 = zct_tmp_path("b2.zco");
        zct_run ra = import_file(NULL, one, files.rel[i], a, NULL);
        zct_run rb = import_file(cwd, "still/assets", files.rel[i], b, NULL);
        zct_run rb2 = import_file(cwd, "still/assets", files.rel[i], b2, NULL);
        ZCT_EXPECT_CODE(ra, ZC_EXIT_OK);
        ZCT_EXPECT_CODE(rb, ZC_EXIT_OK);
        ZCT_EXPECT_CODE(rb2, ZC_EXIT_OK);
        cr_assert(zct_files_equal(a, b), "%s: objects differ between the two places", files.rel[i]);
        cr_assert(zct_files_equal(b, b2), "%s: two imports differ", files.rel[i]);
        size_t size;
        uint8_t *bytes = zct_read_file(a, &size);
        cr_assert(!memmem(bytes, size, zct_tmp, strlen(zct_tmp)), "%s: the object holds an absolute path",
                  files.rel[i]);
        cr_assert_eq(memcmp(bytes, "ZCBO", 4), 0);
        free(bytes);
        zct_run_free(&ra);
        zct_run_free(&rb);
        zct_run_free(&rb2);
        free(a);
        free(b);
        free(b2);
    }
    list_free(&files);
    free(cwd);
    free(one);
    free(two);
}

/* Changing a manifest rule that does not match a file leaves its object as it was;
 * one that matches changes it. */
Test(imlink, objects_depend_only_on_the_rules_that_apply) {
    char *root = zct_tmp_path("tree");
    copy_tree(zct_source_path("samples/assets"), root);
    char *before = zct_tmp_path("before.zco"), *after = zct_tmp_path("after.zco");
    zct_run r1 = import_file(NULL, root, "textures/bricks.png", before, NULL);
    ZCT_EXPECT_CODE(r1, ZC_EXIT_OK);
    zct_put_text(root, "zcpack.json", "{ \"rules\": [ { \"match\": \"textures/leaves*\", \"max_size\": 8 } ] }");
    zct_run r2 = import_file(NULL, root, "textures/bricks.png", after, NULL);
    ZCT_EXPECT_CODE(r2, ZC_EXIT_OK);
    cr_assert(zct_files_equal(before, after), "a rule for another file changed the object");
    zct_put_text(root, "zcpack.json", "{ \"rules\": [ { \"match\": \"textures/bricks*\", \"max_size\": 8 } ] }");
    zct_run r3 = import_file(NULL, root, "textures/bricks.png", after, NULL);
    ZCT_EXPECT_CODE(r3, ZC_EXIT_OK);
    cr_assert(!zct_files_equal(before, after), "a rule for the file did not change the object");
    zct_run_free(&r1);
    zct_run_free(&r2);
    zct_run_free(&r3);
    free(before);
    free(after);
    free(root);
}

/* ---------------------------------------------------------------------------------
 * --deps
 * ------------------------------------------------------------------------------- */

Test(imlink, deps_lists_what_the_import_reads) {
    const char *root = zct_source_path("samples/assets");
    char *rootc = strdup(root);
    static const char *const files[] = { "textures/bricks.png", "shaders/sky.glsl", "scene/demo.gltf" };
    for (size_t i = 0; i < 3; ++i) {
        char *file = zct_join(rootc, files[i]);
        zct_run run = ZCT_CLI("import", "--deps", file, "--root", rootc);
        ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
        if (i < 2) cr_assert_eq(run.out_size, 0, "%s: --deps printed \"%s\"", files[i], run.out);
        else /* the glTF's buffer and the images its materials name */
            cr_assert_str_eq(run.out, "scene/demo.bin\ntextures/bricks.png\ntextures/bricks_n.png\ntextures/leaves.png\n");
        /* a model lists what its importer reports: each a file of the tree, not itself */
        for (char *line = strtok(run.out, "\n"); line; line = strtok(NULL, "\n")) {
            char *path = zct_join(rootc, line);
            cr_assert(zct_exists(path), "%s: --deps printed %s, which is not below the root", files[i], line);
            cr_assert_str_neq(line, files[i]);
            free(path);
        }
        zct_run_free(&run);
        free(file);
    }
    /* a file outside the root */
    zct_put_text(zct_tmp, "outside.txt", "x");
    char *outside = zct_tmp_path("outside.txt");
    zct_run run = ZCT_CLI("import", "--deps", outside, "--root", rootc);
    ZCT_EXPECT_CODE(run, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(run, "not a file below the root");
    zct_run_free(&run);
    /* the tree's manifest is not packed, so not imported either */
    char *tree = zct_tmp_path("tree");
    zct_put_text(tree, "zcpack.json", "{ \"rules\": [] }");
    char *manifest = zct_join(tree, "zcpack.json"), *object = zct_tmp_path("m.zco");
    run = ZCT_CLI("import", manifest, "--root", tree, "-o", object);
    ZCT_EXPECT_CODE(run, ZC_EXIT_IMPORT);
    ZCT_EXPECT_ERR(run, "the manifest of the tree");
    cr_assert(!zct_exists(object));
    zct_run_free(&run);
    free(manifest);
    free(object);
    free(tree);
    free(outside);
    free(rootc);
}

/* What --deps lists is all an import needs: a model imported from a tree holding only
 * the model and its listed files gives the object of the whole tree, byte for byte
 * (a build engine that declares those files as the import's inputs gets the same
 * object in a sandbox or on another machine). An OBJ with its .mtl and JPEG textures
 * from assimp's models, and the demo glTF. */
Test(imlink, deps_are_all_an_import_needs) {
    static const char *const models[][2] = {
        { ASSIMP_MODELS "/OBJ", "spider.obj" },
        { NULL, "scene/demo.gltf" },
    };
    for (size_t m = 0; m < 2; ++m) {
        char *root = strdup(models[m][0] ? models[m][0] : zct_source_path("samples/assets"));
        if (!zct_exists(root)) {
            cr_log_warn("deps_are_all_an_import_needs: %s is missing (tools/bootstrap.sh --test-data)", root);
            free(root);
            continue;
        }
        char *file = zct_join(root, models[m][1]), *whole = zct_tmp_path("whole.zco");
        zct_run run = ZCT_CLI("import", "--deps", file, "--root", root, "-o", whole);
        ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
        cr_assert(run.out_size > 0, "%s: --deps listed nothing", models[m][1]);
        char *part = zct_tmp_path("part");
        zct_copy_file(file, part, models[m][1]);
        for (char *line = strtok(run.out, "\n"); line; line = strtok(NULL, "\n")) {
            char *dep = zct_join(root, line);
            zct_copy_file(dep, part, line);
            free(dep);
        }
        char *part_file = zct_join(part, models[m][1]), *alone = zct_tmp_path("alone.zco");
        zct_run again = ZCT_CLI("import", part_file, "--root", part, "-o", alone);
        ZCT_EXPECT_CODE(again, ZC_EXIT_OK);
        cr_assert(zct_files_equal(whole, alone), "%s: the object from the model and its --deps differs from the "
                  "whole tree's", models[m][1]);
        zct_run_free(&again);
        zct_run_free(&run);
        zct_rm_rf(part);
        free(alone);
        free(part_file);
        free(part);
        free(whole);
        free(file);
        free(root);
    }
}

/* ---------------------------------------------------------------------------------
 * Link: order, bad objects, duplicates
 * ------------------------------------------------------------------------------- */

/* The demo tree's objects, imported once per test. */
static file_list demo_objects(void) {
    char *root = strdup(zct_source_path("samples/assets"));
    file_list files = packed_files(root);
    char *objdir = zct_tmp_path("objects");
    file_list objects = import_all(root, &files, objdir, NULL, NULL);
    list_free(&files);
    free(objdir);
    free(root);
    return objects;
}

Test(imlink, link_order_does_not_matter) {
    file_list objects = demo_objects();
    char *sorted = zct_tmp_path("sorted.zcpack"), *other = zct_tmp_path("other.zcpack");
    zct_run run = link_list(&objects, sorted);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    uint64_t seed = 7;
    for (int round = 0; round < 4; ++round) {
        if (round == 0) { /* reversed */
            for (size_t i = 0; i < objects.count / 2; ++i) {
                char *t = objects.rel[i];
                objects.rel[i] = objects.rel[objects.count - 1 - i];
                objects.rel[objects.count - 1 - i] = t;
            }
        } else { /* shuffled */
            for (size_t i = objects.count - 1; i > 0; --i) {
                size_t j = (size_t)(zct_rand(&seed) % (i + 1));
                char *t = objects.rel[i];
                objects.rel[i] = objects.rel[j];
                objects.rel[j] = t;
            }
        }
        run = link_list(&objects, other);
        ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
        cr_assert(zct_files_equal(sorted, other), "round %d: another order gave another pack", round);
        zct_run_free(&run);
    }
    /* objects as operands rather than a list file */
    cr_assert_geq(objects.count, 3);
    run = ZCT_CLI("link", objects.rel[2], objects.rel[0], objects.rel[1], "-o", other);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    run = ZCT_CLI("link", objects.rel[1], objects.rel[2], objects.rel[0], "-o", sorted);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    cr_assert(zct_files_equal(sorted, other));
    zct_run_free(&run);
    list_free(&objects);
    free(sorted);
    free(other);
}

/* Link `bad` with the first good object over an existing pack: exit `code`, stderr
 * names the object and says `why`, the pack is untouched. */
static void expect_refused(const file_list *good, const char *bad, int code, const char *why) {
    char *pack = zct_tmp_path("out.zcpack");
    zct_put_text(zct_tmp, "out.zcpack", "the old pack");
    zct_run run = ZCT_CLI("link", good->rel[0], bad, "-o", pack);
    ZCT_EXPECT_CODE(run, code);
    ZCT_EXPECT_ERR(run, bad);
    ZCT_EXPECT_ERR(run, why);
    cr_assert(!strstr(run.err, ".tmp"), "the message names a scratch file:\n%s", run.err);
    size_t size;
    uint8_t *left = zct_read_file(pack, &size);
    cr_assert(left && size == 12 && memcmp(left, "the old pack", 12) == 0, "the output was touched");
    cr_assert_eq(zct_count_prefixed(zct_tmp, ".zc-"), 0, "a temporary file was left");
    free(left);
    zct_run_free(&run);
    free(pack);
}

static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Offset of the first output's fixed fields in an object image (formats/SPEC.md,
 * Appendix D): after the header, the entry path, the notes and the inputs. */
static size_t first_output(const uint8_t *b, size_t size) {
    size_t at = 56 + le32(b + 48) + le32(b + 28);
    for (uint32_t i = 0; i < le32(b + 44); ++i) at += 32 + le32(b + at);
    cr_assert_lt(at + 48, size);
    cr_assert_eq(le32(b + at), ZC_TYPE_TEXTURE, "the first output is not the texture");
    return at;
}

/* Rewrite the trailer of an object image: a hostile object with a valid checksum. */
static void reseal(uint8_t *bytes, size_t size) {
    uint64_t sum = XXH3_64bits(bytes, size - 8);
    memcpy(bytes + size - 8, &sum, 8);
}

Test(imlink, damaged_and_hostile_objects_are_refused) {
    file_list objects = demo_objects();
    const char *texture = NULL;
    for (size_t i = 0; i < objects.count && !texture; ++i) {
        size_t size;
        uint8_t *b = zct_read_file(objects.rel[i], &size);
        if (memmem(b, size, "textures/bricks.png", 19) && !memmem(b, size, "bricks_n", 8)) texture = objects.rel[i];
        free(b);
    }
    cr_assert_not_null(texture);
    size_t size;
    uint8_t *bytes = zct_read_file(texture, &size);
    char *bad = zct_tmp_path("bad.zco");

    /* truncated at several places: header, inputs, entry fields, payload, trailer */
    static const size_t cuts[] = { 0, 10, 60, 100, 150, 1000 };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; ++i) {
        zct_write_file(bad, bytes, cuts[i]);
        expect_refused(&objects, bad, ZC_EXIT_CORRUPT, cuts[i] < 56 ? "shorter than an object header" : "follow it");
    }
    zct_write_file(bad, bytes, size - 1);
    expect_refused(&objects, bad, ZC_EXIT_CORRUPT, "follow it");

    /* one byte of the payload changed: the checksum */
    uint8_t *copy = malloc(size);
    memcpy(copy, bytes, size);
    copy[size - 100] ^= 0x55;
    zct_write_file(bad, copy, size);
    expect_refused(&objects, bad, ZC_EXIT_CORRUPT, "checksum mismatch");

    /* ... and resealed: the content hash, checked as a pack reader checks it */
    reseal(copy, size);
    zct_write_file(bad, copy, size);
    expect_refused(&objects, bad, ZC_EXIT_CORRUPT, "entry 0 (textures/bricks.png): content hash mismatch");

    /* an unknown codec, resealed */
    memcpy(copy, bytes, size);
    size_t fields = first_output(copy, size);
    uint32_t codec = 9;
    memcpy(copy + fields + 20, &codec, 4);
    reseal(copy, size);
    zct_write_file(bad, copy, size);
    expect_refused(&objects, bad, ZC_EXIT_CORRUPT, "unknown codec 9");

    /* a texture whose width is 0, with its content hash made to match and resealed:
     * the texture's structural check */
    memcpy(copy, bytes, size);
    size_t payload = fields + 48 + le32(copy + fields + 16) + 8u * le32(copy + fields + 12);
    uint64_t stored;
    memcpy(&stored, copy + fields + 24, 8);
    cr_assert_eq(le32(copy + fields + 20), 0, "the texture is stored raw");
    memset(copy + payload + 8, 0, 4);
    uint64_t content = XXH3_64bits(copy + payload, (size_t)stored);
    memcpy(copy + fields + 40, &content, 8);
    reseal(copy, size);
    zct_write_file(bad, copy, size);
    expect_refused(&objects, bad, ZC_EXIT_CORRUPT, "textures/bricks.png");

    /* a huge declared size, resealed: refused before anything is allocated */
    memcpy(copy, bytes, size);
    uint64_t huge = (uint64_t)1 << 39;
    memcpy(copy + fields + 24, &huge, 8);
    reseal(copy, size);
    zct_write_file(bad, copy, size);
    expect_refused(&objects, bad, ZC_EXIT_CORRUPT, "more bytes than the file holds");

    /* not an object at all: a pack */
    char *pack = zct_tmp_path("some.zcpack");
    zct_write_sample_pack(pack);
    expect_refused(&objects, pack, ZC_EXIT_CORRUPT, "not a zcpack object");

    free(pack);
    free(copy);
    free(bytes);
    free(bad);
    list_free(&objects);
}

Test(imlink, missing_object_fails_link) {
    file_list objects = demo_objects();
    char *missing = zct_tmp_path("no-such.zco");
    expect_refused(&objects, missing, ZC_EXIT_IO, "No such file or directory");
    char *pack = zct_tmp_path("new.zcpack"), *at = NULL;
    cr_assert(asprintf(&at, "@%s", missing) > 0);
    zct_run run = ZCT_CLI("link", at, "-o", pack);
    ZCT_EXPECT_CODE(run, ZC_EXIT_IO);
    ZCT_EXPECT_ERR(run, "cannot open the list of objects");
    cr_assert(!zct_exists(pack));
    zct_run_free(&run);
    free(at);
    free(pack);
    free(missing);
    list_free(&objects);
}

/* A small OBJ model: one triangle. */

Test(imlink, duplicate_entry_paths_are_refused) {
    file_list objects = demo_objects();
    /* the same object twice */
    expect_refused(&objects, objects.rel[0], ZC_EXIT_USAGE, "are both objects of");

    /* two objects of one source path, from two trees */
    char *t1 = zct_tmp_path("t1"), *t2 = zct_tmp_path("t2");
    zct_put_text(t1, "a.txt", "one");
    zct_put_text(t2, "a.txt", "two");
    char *o1 = zct_tmp_path("a1.zco"), *o2 = zct_tmp_path("a2.zco"), *pack = zct_tmp_path("dup.zcpack");
    zct_run r1 = import_file(NULL, t1, "a.txt", o1, NULL), r2 = import_file(NULL, t2, "a.txt", o2, NULL);
    ZCT_EXPECT_CODE(r1, ZC_EXIT_OK);
    ZCT_EXPECT_CODE(r2, ZC_EXIT_OK);
    zct_run run = ZCT_CLI("link", o1, o2, "-o", pack);
    ZCT_EXPECT_CODE(run, ZC_EXIT_USAGE);
    ZCT_EXPECT_ERR(run, "are both objects of a.txt");
    cr_assert(!zct_exists(pack));
    zct_run_free(&run);

    /* a model's generated entry and a file of the same path, from two objects */
    zct_put_text(t1, "m.obj", triangle_obj);
    zct_put_text(t1, "m.obj#mesh/0", "a file named like the model's mesh");
    char *om = zct_tmp_path("m.zco"), *of = zct_tmp_path("f.zco");
    zct_run r3 = import_file(NULL, t1, "m.obj", om, NULL), r4 = import_file(NULL, t1, "m.obj#mesh/0", of, NULL);
    ZCT_EXPECT_CODE(r3, ZC_EXIT_OK);
    ZCT_EXPECT_CODE(r4, ZC_EXIT_OK);
    run = ZCT_CLI("link", of, om, "-o", pack);
    ZCT_EXPECT_CODE(run, ZC_EXIT_USAGE);
    ZCT_EXPECT_ERR(run, "duplicate entry path m.obj#mesh/0");
    ZCT_EXPECT_ERR(run, om);
    ZCT_EXPECT_ERR(run, of);
    cr_assert(!zct_exists(pack));
    zct_run_free(&run);

    zct_run_free(&r1);
    zct_run_free(&r2);
    zct_run_free(&r3);
    zct_run_free(&r4);
    free(om);
    free(of);
    free(o1);
    free(o2);
    free(pack);
    free(t1);
    free(t2);
    list_free(&objects);
}
