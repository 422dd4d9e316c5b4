/* test_stage.c - `zcpack import <entry path> --stage <list> -o <object>`
 * (packer/cli/zc_cli_stage.h): the import action of a build engine, whose declared
 * inputs arrive as symbolic links (Bazel's sandbox) and are staged as a private tree
 * of regular files by zcpack itself.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zc_exit.h"
#include "zc_test_util.h"

TestSuite(import_stage, .init = zct_tmp_setup, .fini = zct_tmp_teardown);

static const char *const sample_rels[] = { "scene/demo.gltf", "scene/demo.bin", "textures/bricks.png",
                                           "textures/bricks_n.png", "textures/leaves.png" };
#define SAMPLES (sizeof sample_rels / sizeof *sample_rels)

/* zct_tmp/tree: the sample model with its buffer and textures, and a manifest;
 * zct_tmp/links: a symbolic link to each of those files, as a sandbox lays them out. */
static void sample_tree_and_links(void) {
    char *tree = zct_tmp_path("tree"), *links = zct_tmp_path("links");
    for (size_t i = 0; i <= SAMPLES; ++i) {
        const char *rel = i < SAMPLES ? sample_rels[i] : "zcpack.json";
        if (i < SAMPLES) {
            char *from = zct_join(zct_source_path("samples/assets"), rel);
            zct_copy_file(from, tree, rel);
            free(from);
        } else {
            zct_put_text(tree, rel, "{\"rules\":[{\"match\":\"textures/*\",\"max_size\":64}]}");
        }
        char *target = zct_join(tree, rel), *link = zct_join(links, rel);
        zct_put_text(links, rel, "");
        cr_assert_eq(unlink(link), 0);
        cr_assert_eq(symlink(target, link), 0, "symlink: %s", strerror(errno));
        free(link);
        free(target);
    }
    free(links);
    free(tree);
}

/* zct_tmp/<name>: the list of every sample input, "<rel>\t<dir>/<rel>", paths
 * relative to zct_tmp as a build engine's execution root gives them. */
static void write_list(const char *name, const char *dir) {
    char text[4096] = "";
    for (size_t i = 0; i <= SAMPLES; ++i) {
        const char *rel = i < SAMPLES ? sample_rels[i] : "zcpack.json";
        size_t n = strlen(text);
        snprintf(text + n, sizeof text - n, "%s\t%s/%s\n", rel, dir, rel);
    }
    zct_put_text(zct_tmp, name, text);
}

/* The sandbox's links give the object of the real tree, the staged folder is gone
 * afterwards, and the sources keep their bytes and their single name (the staged
 * hard links are removed). */
Test(import_stage, links_give_the_object_of_the_real_tree) {
    sample_tree_and_links();
    char *tree = zct_tmp_path("tree"), *model = zct_join(tree, "scene/demo.gltf");
    char *whole = zct_tmp_path("whole.zco"), *staged = zct_tmp_path("staged.zco");
    zct_run run = ZCT_CLI("import", model, "--root", tree, "-o", whole);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);

    write_list("stage.list", "links");
    run = ZCT_CLI_IN(zct_tmp, "import", "scene/demo.gltf", "--stage", "stage.list", "-o", "staged.zco", "--quiet");
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    cr_expect(zct_files_equal(whole, staged), "the object from the staged links differs from the real tree's");
    cr_expect_eq(zct_count_prefixed(zct_tmp, "staged.zco.stage-"), 0, "the staged folder was left behind");
    for (size_t i = 0; i < SAMPLES; ++i) {
        char *path = zct_join(tree, sample_rels[i]), *from = zct_join(zct_source_path("samples/assets"), sample_rels[i]);
        struct stat st;
        cr_assert_eq(stat(path, &st), 0);
        cr_expect_eq(st.st_nlink, 1, "%s has %ld names after the import", sample_rels[i], (long)st.st_nlink);
        cr_expect(zct_files_equal(path, from), "%s changed", sample_rels[i]);
        free(from);
        free(path);
    }

    /* the option's own mistakes are usage errors */
    run = ZCT_CLI_IN(zct_tmp, "import", "scene/demo.gltf", "--stage", "stage.list", "--root", "tree", "-o", "x.zco");
    ZCT_EXPECT_CODE(run, ZC_EXIT_USAGE);
    ZCT_EXPECT_ERR(run, "--stage and --root cannot be combined");
    zct_run_free(&run);
    run = ZCT_CLI_IN(zct_tmp, "import", "scene/demo.gltf", "--stage", "stage.list", "--deps");
    ZCT_EXPECT_CODE(run, ZC_EXIT_USAGE);
    ZCT_EXPECT_ERR(run, "--stage needs -o <object>");
    zct_run_free(&run);
    free(staged);
    free(whole);
    free(model);
    free(tree);
}

/* An input on another file system cannot be hard-linked: its bytes are copied, and
 * the object is the same. */
Test(import_stage, an_input_on_another_file_system_is_copied) {
    struct stat shm, tmp;
    if (stat("/dev/shm", &shm) != 0 || stat(zct_tmp, &tmp) != 0 || shm.st_dev == tmp.st_dev || access("/dev/shm", W_OK))
        cr_skip_test("no writable /dev/shm on another file system than %s", zct_tmp);
    sample_tree_and_links();
    char far[64];
    snprintf(far, sizeof far, "/dev/shm/zc-stage-%ld", (long)getpid());
    char *leaves = zct_join(zct_source_path("samples/assets"), "textures/leaves.png");
    zct_copy_file(leaves, far, "leaves.png");
    free(leaves);
    char text[512];
    snprintf(text, sizeof text, "textures/leaves.png\t%s/leaves.png\nzcpack.json\tlinks/zcpack.json", far);
    zct_put_text(zct_tmp, "stage.list", text);
    zct_run run = ZCT_CLI_IN(zct_tmp, "import", "textures/leaves.png", "--stage", "stage.list", "-o", "far.zco");
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    run = ZCT_CLI_IN(zct_tmp, "import", "tree/textures/leaves.png", "--root", "tree", "-o", "near.zco");
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    char *near = zct_tmp_path("near.zco"), *copied = zct_tmp_path("far.zco"), *source = zct_join(far, "leaves.png");
    cr_expect(zct_files_equal(near, copied), "the object from the copied input differs");
    struct stat st;
    cr_assert_eq(stat(source, &st), 0);
    cr_expect_eq(st.st_nlink, 1);
    cr_expect_eq(zct_count_prefixed(zct_tmp, "far.zco.stage-"), 0, "the staged folder was left behind");
    unlink(source);
    rmdir(far);
    free(source);
    free(copied);
    free(near);
}

/* A list the import cannot stage fails it with exit 3, a message naming the line or
 * the file, no object and nothing staged left behind. */
Test(import_stage, a_bad_list_fails_naming_the_line) {
    sample_tree_and_links();
    char *folder = zct_tmp_path("a_folder");
    zct_mkdirs(folder);
    free(folder);
    static const struct {
        const char *list, *message;
    } cases[] = {
        { "textures/leaves.png links/textures/leaves.png\n", "stage.list:1: expected \"<entry path><tab><file>\"" },
        { "zcpack.json\tlinks/zcpack.json\n../leaves.png\tlinks/textures/leaves.png\n", "stage.list:2: ../leaves.png:" },
        { "/leaves.png\tlinks/textures/leaves.png\n", "stage.list:1: /leaves.png:" },
        { "textures/leaves.png\tlinks/none.png\n", "stage.list:1: links/none.png: No such file or directory" },
        { "textures/leaves.png\ta_folder\n", "stage.list:1: a_folder: not a regular file" },
        { "textures/leaves.png\t\n", "stage.list:1: textures/leaves.png: no file after the tab" },
        { "textures/leaves.png\tlinks/textures/leaves.png\n\ntextures/leaves.png\tlinks/textures/bricks.png\n",
          "stage.list:3: textures/leaves.png: another input has this path" },
        { "textures\tlinks/zcpack.json\ntextures/leaves.png\tlinks/textures/leaves.png\n",
          "cannot stage textures/leaves.png: textures: another input has this path" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; ++i) {
        zct_put_text(zct_tmp, "stage.list", cases[i].list);
        zct_run run = ZCT_CLI_IN(zct_tmp, "import", "textures/leaves.png", "--stage", "stage.list", "-o", "bad.zco");
        cr_expect_eq(run.code, ZC_EXIT_IO, "case %zu: exit %d; stderr:\n%s", i, run.code, run.err);
        cr_expect(strstr(run.err, cases[i].message), "case %zu: stderr lacks \"%s\":\n%s", i, cases[i].message,
                  run.err);
        zct_run_free(&run);
        cr_expect_eq(zct_count_prefixed(zct_tmp, "bad.zco"), 0, "case %zu left an object or a staged folder", i);
    }
    /* a list that cannot be read */
    zct_run run = ZCT_CLI_IN(zct_tmp, "import", "a.png", "--stage", "none.list", "-o", "bad.zco");
    ZCT_EXPECT_CODE(run, ZC_EXIT_IO);
    ZCT_EXPECT_ERR(run, "none.list: cannot read it: No such file or directory");
    zct_run_free(&run);
}
