/* test_trust_inputs.c - hostile source trees: what the packer reads, and what it
 * reports, when the tree was made to mislead it.
 *
 * Each test fails on a packer that trusts the tree: a manifest string cut at a NUL and
 * applied, an unreadable subdirectory that aborts a --keep-going build, a path over
 * the system limit whose message loses its reason, a source swapped between the scan
 * and its import for a symbolic link, a FIFO or another file.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zc_build.h"
#include "zc_cli.h"
#include "zc_exit.h"
#include "zc_importer.h"
#include "zc_manifest.h"
#include "zc_pack.h"
#include "zc_packer_sys.h"
#include "zc_test_util.h"

static void trust_fini(void) {
    zc__packer_sys_reset();
    zct_tmp_teardown();
}

TestSuite(trust_inputs, .init = zct_tmp_setup, .fini = trust_fini, .timeout = 60);

/* ---------------------------------------------------------------------------------
 * Manifest strings with a NUL
 * ------------------------------------------------------------------------------- */

static void expect_nul_refused(const char *json, const char *rule) {
    zc_manifest *m = NULL;
    zc_diag diag;
    diag.message[0] = 0;
    zc_result r = zc_manifest_parse(json, strlen(json), &m, &diag);
    cr_expect_eq(r, ZC_ERR_INVALID_ARGUMENT, "%s: accepted (%s)", json, zc_result_str(r));
    cr_expect(m == NULL);
    cr_expect(strstr(diag.message, "NUL") != NULL, "message: %s", diag.message);
    cr_expect(strstr(diag.message, rule) != NULL, "message without \"%s\": %s", rule, diag.message);
    zc_manifest_free(m);
}

Test(trust_inputs, manifest_nul_in_glob_or_key_is_refused) {
    expect_nul_refused("{\"rules\":[{\"match\":\"*.png\\u0000.bin\",\"compress\":false}]}", "rule 0");
    expect_nul_refused("{\"rules\":[{\"match\":\"*\"},{\"match\":\"*\",\"compress\\u0000x\":true}]}", "rule 1");
    /* an escaped backslash before u0000 is no NUL */
    zc_manifest *m = NULL;
    zc_diag diag;
    const char *ok = "{\"rules\":[{\"match\":\"a\\\\u0000\",\"compress\":false}]}";
    cr_expect_eq(zc_manifest_parse(ok, strlen(ok), &m, &diag), ZC_OK, "%s", diag.message);
    zc_manifest_free(m);
}

Test(trust_inputs, manifest_nul_fails_the_build_naming_the_manifest) {
    char *root = zct_tmp_path("tree"), *out = zct_tmp_path("out.zcpack");
    zct_put_text(root, "a.bin", "hello");
    zct_put_text(root, "zcpack.json", "{\"rules\":[{\"match\":\"*.bin\\u0000zz\",\"compress\":true}]}");
    zct_log log = { 0 };
    zc_result r = zc_build(&(zc_build_desc){ .input_dir = root, .output_path = out, .no_sync = 1, .threads = 1,
                                             .logger = zct_log_recorder(&log) }, NULL);
    cr_expect_eq(r, ZC_ERR_INVALID_ARGUMENT, "%s", zc_result_str(r));
    cr_expect(zct_log_contains(&log, "zcpack.json"));
    cr_expect(zct_log_contains(&log, "rule 0"));
    cr_expect(!zct_exists(out));
    free(root);
    free(out);
}

/* ---------------------------------------------------------------------------------
 * An unreadable subdirectory with keep_going
 * ------------------------------------------------------------------------------- */

static DIR *deny_locked(const char *path) {
    size_t n = strlen(path);
    if (n >= 7 && strcmp(path + n - 7, "/locked") == 0) {
        errno = EACCES;
        return NULL;
    }
    return opendir(path);
}

Test(trust_inputs, unreadable_subdirectory_is_skipped_with_keep_going) {
    char *root = zct_tmp_path("tree"), *out = zct_tmp_path("out.zcpack");
    zct_put_text(root, "a.bin", "hello");
    zct_put_text(root, "locked/secret.bin", "secret");
    zct_put_text(root, "z.bin", "last");
    zc__packer_sys.opendir = deny_locked;
    zct_log log = { 0 };
    zc_build_stats stats;
    zc_result r = zc_build(&(zc_build_desc){ .input_dir = root, .output_path = out, .no_sync = 1, .threads = 1,
                                             .keep_going = 1, .logger = zct_log_recorder(&log) }, &stats);
    /* the pack is written, but a pack missing part of the tree is no clean success */
    cr_expect_eq(r, ZC_ERR_IO, "%s", zc_result_str(r));
    cr_expect_eq(stats.pack_written, 1);
    cr_expect_eq(stats.failed_stage, ZC_BUILD_STAGE_SCAN);
    cr_expect_eq(stats.unlisted_dirs, 1);
    cr_expect_eq(stats.failed_files, 0);
    cr_expect(zct_log_contains(&log, "locked: cannot open directory: Permission denied"));
    cr_expect(zct_log_contains(&log, "skipping the directory"));
    cr_expect(zct_log_contains(&log, "written without the 1 directory that could not be listed"));
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = out }), ZC_OK);
    zc_entry e;
    cr_expect_eq(zc_pack_find(pack, "a.bin", &e), ZC_OK);
    cr_expect_eq(zc_pack_find(pack, "z.bin", &e), ZC_OK);
    cr_expect_neq(zc_pack_find(pack, "locked/secret.bin", &e), ZC_OK);
    zc_pack_close(pack);

    /* the CLI: the pack is there, the exit status says the tree was not all packed */
    cr_assert_eq(unlink(out), 0);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0) _exit(126);
        char *argv[] = { "zcpack", "build", root, "-o", out, "-j", "1", "--keep-going", NULL };
        _exit(zc__cli_main(8, argv));
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == ZC_EXIT_IO, "status %#x", status);
    cr_expect(zct_exists(out));

    /* without keep_going the build still stops there */
    zct_log strict = { 0 };
    r = zc_build(&(zc_build_desc){ .input_dir = root, .output_path = out, .no_sync = 1, .threads = 1,
                                   .logger = zct_log_recorder(&strict) }, NULL);
    cr_expect_eq(r, ZC_ERR_IO, "%s", zc_result_str(r));
    free(root);
    free(out);
}

/* ---------------------------------------------------------------------------------
 * A path over the system's limit
 * ------------------------------------------------------------------------------- */

static int long_reason_seen;
static int long_line_too_long;
static void long_logger(zc_log_level level, const char *message, void *user_data) {
    (void)level;
    (void)user_data;
    if (strlen(message) >= 4096) long_line_too_long = 1;
    if (strstr(message, "File name too long")) long_reason_seen = 1;
}

/* Remove the tree under dfd/name without building paths (they exceed PATH_MAX). */
static void rm_at(int dfd, const char *name) {
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd < 0) {
        unlinkat(dfd, name, 0);
        return;
    }
    DIR *d = fdopendir(fd);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) rm_at(dirfd(d), e->d_name);
    if (d) closedir(d);
    unlinkat(dfd, name, AT_REMOVEDIR);
}

Test(trust_inputs, path_over_the_limit_keeps_its_reason) {
    char *root = zct_tmp_path("tree"), *out = zct_tmp_path("out.zcpack");
    zct_put_text(root, "a.bin", "hello");
    char name[201];
    memset(name, 'd', 200);
    name[200] = 0;
    int fd = open(root, O_RDONLY | O_DIRECTORY);
    cr_assert(fd >= 0);
    for (int i = 0; i < 24; ++i) { /* 24 * 201 bytes: past PATH_MAX */
        cr_assert(mkdirat(fd, name, 0755) == 0, "%s", strerror(errno));
        int next = openat(fd, name, O_RDONLY | O_DIRECTORY);
        cr_assert(next >= 0);
        close(fd);
        fd = next;
    }
    int f = openat(fd, "x.bin", O_WRONLY | O_CREAT, 0644);
    cr_assert(f >= 0);
    close(f);
    close(fd);
    zc_result r = zc_build(&(zc_build_desc){ .input_dir = root, .output_path = out, .no_sync = 1, .threads = 1,
                                             .logger = { long_logger, NULL } }, NULL);
    cr_expect_neq(r, ZC_OK);
    cr_expect(long_reason_seen, "no message kept the reason");
    cr_expect(!long_line_too_long, "a message exceeds the line limit");
    int rfd = open(root, O_RDONLY | O_DIRECTORY);
    rm_at(rfd, name);
    close(rfd);
    free(root);
    free(out);
}

/* ---------------------------------------------------------------------------------
 * A source swapped between the scan and its import
 * ------------------------------------------------------------------------------- */

typedef enum { SWAP_SYMLINK, SWAP_FIFO, SWAP_OTHER } swap_kind;

/* Write tree/name, record its identity as the scan does, then swap it. */
static void swapped_source(const char *name, const void *data, size_t size, swap_kind kind, zc_import_source *src,
                           char **path) {
    char *root = zct_tmp_path("tree");
    zct_put(root, name, data, size);
    zct_put_text(zct_tmp, "outside.bin", "bytes from outside the tree");
    *path = zct_join(root, name);
    struct stat st;
    cr_assert(lstat(*path, &st) == 0);
    memset(src, 0, sizeof *src);
    src->file_path = *path;
    src->entry_path = name;
    src->size = (uint64_t)st.st_size;
    src->has_identity = 1;
    src->dev = (uint64_t)st.st_dev;
    src->ino = (uint64_t)st.st_ino;
    char *outside = zct_tmp_path("outside.bin");
    if (kind == SWAP_OTHER) {
        cr_assert(rename(outside, *path) == 0, "%s", strerror(errno));
    } else {
        cr_assert(unlink(*path) == 0);
        if (kind == SWAP_SYMLINK) cr_assert(symlink(outside, *path) == 0, "%s", strerror(errno));
        else cr_assert(mkfifo(*path, 0644) == 0, "%s", strerror(errno));
    }
    free(outside);
    free(root);
}

static void expect_blob_refused(swap_kind kind, const char *needle) {
    zc_import_source src;
    char *path;
    swapped_source("a.bin", "inside", 6, kind, &src, &path);
    char *out = zct_tmp_path("out.zcpack");
    zc_writer *w = NULL;
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = out, .no_sync = 1 }), ZC_OK);
    zc_diag diag;
    diag.message[0] = 0;
    zc_result r = zc__import_blob(&src, w, &diag);
    cr_expect_neq(r, ZC_OK, "the swapped file was imported");
    cr_expect(strstr(diag.message, needle) != NULL, "message: %s", diag.message);
    zc_writer_abort(w);
    free(out);
    free(path);
}

Test(trust_inputs, blob_swapped_for_a_symlink_is_refused) {
    expect_blob_refused(SWAP_SYMLINK, "symbolic link");
}

Test(trust_inputs, blob_swapped_for_a_fifo_fails_without_hanging, .timeout = 10) {
    expect_blob_refused(SWAP_FIFO, "no longer a regular file");
}

Test(trust_inputs, blob_swapped_for_another_file_is_refused) {
    expect_blob_refused(SWAP_OTHER, "replaced by another file");
}

Test(trust_inputs, texture_swapped_for_a_fifo_fails_without_hanging, .timeout = 10) {
    zc_import_source src;
    char *path;
    swapped_source("t.png", "not read", 8, SWAP_FIFO, &src, &path);
    zc_import_output out;
    zc_diag diag;
    diag.message[0] = 0;
    cr_expect_neq(zc__prepare_texture(&src, &out, &diag), ZC_OK);
    cr_expect(strstr(diag.message, "no longer a regular file") != NULL, "message: %s", diag.message);
    free(path);
}

Test(trust_inputs, texture_swapped_for_a_symlink_is_refused) {
    zc_import_source src;
    char *path;
    swapped_source("t.png", "not read", 8, SWAP_SYMLINK, &src, &path);
    zc_import_output out;
    zc_diag diag;
    diag.message[0] = 0;
    cr_expect_neq(zc__prepare_texture(&src, &out, &diag), ZC_OK);
    cr_expect(strstr(diag.message, "symbolic link") != NULL, "message: %s", diag.message);
    free(path);
}

Test(trust_inputs, model_swapped_for_another_file_is_refused, .timeout = 20) {
    const char *obj = "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n";
    zc_import_source src;
    char *path;
    swapped_source("m.obj", obj, strlen(obj), SWAP_OTHER, &src, &path);
    zc_import_outputs out;
    zc_diag diag;
    diag.message[0] = 0;
    cr_expect_neq(zc__prepare_model(&src, &out, &diag), ZC_OK);
    cr_expect(strstr(diag.message, "replaced by another file") != NULL, "message: %s", diag.message);
    free(path);
}

/* The model importer checks the file, closes it, and its child opens the file again
 * by name: a swap in between (here: when the check closes its descriptor) is caught
 * by the child, which is told the scanned identity. */
static const char *swap_at_close_path;
static const char *swap_at_close_with;
static int swap_at_close(int fd) {
    if (swap_at_close_path) {
        if (rename(swap_at_close_with, swap_at_close_path) != 0) abort();
        swap_at_close_path = NULL;
    }
    return close(fd);
}

Test(trust_inputs, model_swapped_after_its_check_is_refused_by_the_child, .timeout = 20) {
    const char *obj = "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n";
    const char *other = "v 0 0 0\nv 2 0 0\nv 0 2 0\nv 2 2 0\nf 1 2 3\nf 2 4 3\n";
    char *root = zct_tmp_path("tree");
    zct_put_text(root, "m.obj", obj);
    zct_put_text(zct_tmp, "other.obj", other);
    char *path = zct_join(root, "m.obj"), *with = zct_tmp_path("other.obj");
    struct stat st;
    cr_assert(lstat(path, &st) == 0);
    zc_import_source src;
    memset(&src, 0, sizeof src);
    src.file_path = path;
    src.entry_path = "m.obj";
    src.size = (uint64_t)st.st_size;
    src.has_identity = 1;
    src.dev = (uint64_t)st.st_dev;
    src.ino = (uint64_t)st.st_ino;
    swap_at_close_path = path;
    swap_at_close_with = with;
    zc__packer_sys.close = swap_at_close;
    zc_import_outputs out;
    zc_diag diag;
    diag.message[0] = 0;
    zc_result r = zc__prepare_model(&src, &out, &diag);
    cr_expect(swap_at_close_path == NULL, "the check did not close its descriptor through zc__packer_sys");
    cr_expect_neq(r, ZC_OK, "the swapped file was imported");
    if (r == ZC_OK) zc_import_outputs_free(&out);
    cr_expect(strstr(diag.message, "replaced by another file") != NULL, "message: %s", diag.message);
    free(with);
    free(path);
    free(root);
}

/* ---------------------------------------------------------------------------------
 * Reading outside the tree
 * ------------------------------------------------------------------------------- */

static const float tri[9] = { 0, 0, 0, 1, 0, 0, 0, 1, 0 };

/* A one-triangle glTF whose buffer is at `uri`. */
static void put_gltf(const char *root, const char *rel, const char *uri) {
    char json[1024];
    snprintf(json, sizeof json,
             "{\"asset\":{\"version\":\"2.0\"},\"scenes\":[{\"nodes\":[0]}],\"scene\":0,\"nodes\":[{\"mesh\":0}],"
             "\"meshes\":[{\"primitives\":[{\"attributes\":{\"POSITION\":0}}]}],"
             "\"accessors\":[{\"bufferView\":0,\"componentType\":5126,\"count\":3,\"type\":\"VEC3\","
             "\"min\":[0,0,0],\"max\":[1,1,0]}],\"bufferViews\":[{\"buffer\":0,\"byteLength\":36}],"
             "\"buffers\":[{\"uri\":\"%s\",\"byteLength\":36}]}",
             uri);
    zct_put_text(root, rel, json);
}

/* Build root into out.zcpack: the result, with the log in *log. */
static zc_result build_tree(const char *root, zct_log *log) {
    char *out = zct_tmp_path("out.zcpack");
    memset(log, 0, sizeof *log);
    zc_result r = zc_build(&(zc_build_desc){ .input_dir = root, .output_path = out, .no_sync = 1, .threads = 1,
                                             .logger = zct_log_recorder(log) }, NULL);
    free(out);
    return r;
}

Test(trust_inputs, gltf_buffer_outside_the_root_fails_naming_it, .timeout = 30) {
    char *root = zct_tmp_path("tree");
    put_gltf(root, "sub/m.gltf", "../../../../../../../../../../../../etc/passwd");
    zct_log log;
    cr_expect_neq(build_tree(root, &log), ZC_OK);
    cr_expect(zct_log_contains(&log, "etc/passwd"), "%s", log.messages[0]);
    cr_expect(zct_log_contains(&log, "outside the asset root"), "%s", log.messages[0]);

    /* an absolute path to a file outside the tree, with the right size */
    char *outside = zct_tmp_path("outside.bin");
    zct_write_file(outside, tri, sizeof tri);
    put_gltf(root, "sub/m.gltf", outside);
    cr_expect_neq(build_tree(root, &log), ZC_OK);
    cr_expect(zct_log_contains(&log, "outside.bin"), "%s", log.messages[0]);

    /* a symbolic link in the tree to that file: resolved, still outside */
    char *link = zct_join(root, "sub/tri.bin");
    cr_assert(symlink(outside, link) == 0);
    put_gltf(root, "sub/m.gltf", "tri.bin");
    cr_expect_neq(build_tree(root, &log), ZC_OK);
    cr_expect(zct_log_contains(&log, "outside the asset root"), "%s", log.messages[0]);
    unlink(link);

    /* file: URIs, with or without a host, and escaped dots are refused too */
    static const char *const uris[] = { "file:///etc/passwd", "file://localhost/etc/passwd", "file://evil/etc/passwd",
                                        "/etc/passwd", "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd" };
    for (size_t i = 0; i < sizeof uris / sizeof uris[0]; ++i) {
        put_gltf(root, "sub/m.gltf", uris[i]);
        cr_expect_neq(build_tree(root, &log), ZC_OK, "%s was read", uris[i]);
    }

    /* "..", staying inside the tree, is fine */
    zct_put(root, "data/tri.bin", tri, sizeof tri);
    put_gltf(root, "sub/m.gltf", "../data/tri.bin");
    zc_result r = build_tree(root, &log);
    cr_expect_eq(r, ZC_OK, "%s: %s", zc_result_str(r), log.messages[0]);
    free(link);
    free(outside);
    free(root);
}

/* A GLB whose JSON chunk is put_gltf's JSON with `uri`, and no binary chunk. */
static void put_glb(const char *root, const char *rel, const char *uri) {
    char json[1024];
    int n = snprintf(json, sizeof json,
                     "{\"asset\":{\"version\":\"2.0\"},\"buffers\":[{\"uri\":\"%s\",\"byteLength\":36}]}", uri);
    while (n % 4) json[n++] = ' ';
    unsigned char glb[1100];
    uint32_t words[5] = { 0x46546c67u /* glTF */, 2, (uint32_t)(20 + n), (uint32_t)n, 0x4e4f534au /* JSON */ };
    memcpy(glb, words, sizeof words);
    memcpy(glb + 20, json, (size_t)n);
    zct_put(root, rel, glb, 20 + (size_t)n);
}

Test(trust_inputs, gltf_absolute_and_scheme_uris_fail_with_our_message, .timeout = 30) {
    char *root = zct_tmp_path("tree");
    static const struct { const char *uri, *why; } cases[] = {
        { "/etc/passwd", "is an absolute path" },
        { "\\\\\\\\server\\\\share\\\\x.bin", "is an absolute path" }, /* JSON-escaped \\server\share\x.bin */
        { "C:/windows/x.bin", "is an absolute path" },
        { "file:///etc/passwd", "is a file: URI" },
        { "file://evil/etc/passwd", "is a file: URI" },
        { "file:tri.bin", "is a file: URI" },
        { "http://example.com/tri.bin", "is a URI of another scheme" },
    };
    zct_log log;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        for (int glb = 0; glb < 2; ++glb) {
            zct_rm_rf(root);
            if (glb) put_glb(root, "m.glb", cases[i].uri);
            else put_gltf(root, "m.gltf", cases[i].uri);
            cr_expect_eq(build_tree(root, &log), ZC_ERR_BAD_SOURCE, "%s (%s) was not refused", cases[i].uri,
                         glb ? "glb" : "gltf");
            cr_expect(zct_log_contains(&log, glb ? "m.glb: buffer 0 uri" : "m.gltf: buffer 0 uri"), "%s: %s",
                      cases[i].uri, log.messages[0]);
            cr_expect(zct_log_contains(&log, cases[i].why), "%s: %s", cases[i].uri, log.messages[0]);
        }
    }
    /* a data: URI is part of the file and is read */
    zct_rm_rf(root);
    put_gltf(root, "m.gltf", "data:application/octet-stream;base64,"
                             "AAAAAAAAAAAAAAAAAACAPwAAAAAAAAAAAAAAAAAAgD8AAAAA");
    zc_result r = build_tree(root, &log);
    cr_expect_eq(r, ZC_OK, "%s: %s", zc_result_str(r), log.messages[0]);
    free(root);
}

/* glTF 1.0 keys its buffers and images by id in objects, not arrays: their URIs are
 * checked the same, and the message names the id. A real glTF 1.0 file (its buffer
 * a relative path) and one whose version is the number 1 still import; a version
 * assimp has no reader for is refused naming it. */
Test(trust_inputs, gltf_1_references_and_unreadable_versions, .timeout = 30) {
    char *root = zct_tmp_path("tree");
    zct_log log;
    zct_put_text(root, "m.gltf",
                 "{\"asset\":{\"version\":\"1.0\"},\"buffers\":{\"tri\":{\"uri\":\"/etc/passwd\","
                 "\"byteLength\":36}},\"images\":{}}");
    cr_expect_eq(build_tree(root, &log), ZC_ERR_BAD_SOURCE);
    cr_expect(zct_log_contains(&log, "m.gltf: buffer tri uri \"/etc/passwd\" is an absolute path"), "%s",
              log.messages[0]);
    zct_put_text(root, "m.gltf",
                 "{\"asset\":{\"version\":\"1.0\"},\"images\":{\"logo\":{\"uri\":\"http://example.com/x.png\"}}}");
    cr_expect_eq(build_tree(root, &log), ZC_ERR_BAD_SOURCE);
    cr_expect(zct_log_contains(&log, "m.gltf: image logo uri \"http://example.com/x.png\" is a URI of another scheme"),
              "%s", log.messages[0]);

    static const struct { const char *version, *shown; } versions[] = {
        { "0.8", "0.8" }, { "\"3.0\"", "3.0" }, { "\"0.8\"", "0.8" }, { "3", "3" } };
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; ++i) {
        char json[256], want[96];
        snprintf(json, sizeof json, "{\"asset\":{\"version\":%s},\"buffers\":[]}", versions[i].version);
        zct_put_text(root, "m.gltf", json);
        cr_expect_eq(build_tree(root, &log), ZC_ERR_BAD_SOURCE, "version %s", versions[i].version);
        snprintf(want, sizeof want, "m.gltf: glTF version %s cannot be read: assimp reads glTF 1.0 and 2.0",
                 versions[i].shown);
        cr_expect(zct_log_contains(&log, want), "version %s: %s", versions[i].version, log.messages[0]);
    }

    zct_rm_rf(root);
    static const char *const real[] = { "BoxTextured-glTF/BoxTextured.gltf", "BoxTextured-glTF/BoxTextured.bin",
                                        "BoxTextured-glTF/CesiumLogoFlat.png", "CesiumMilkTruck/CesiumMilkTruck.gltf",
                                        "CesiumMilkTruck/CesiumMilkTruck.bin", "CesiumMilkTruck/CesiumMilkTruck.png" };
    for (size_t i = 0; i < sizeof real / sizeof real[0]; ++i) {
        char *src = zct_join("/usr/share/assimp/models/glTF", real[i]);
        zct_copy_file(src, root, real[i]); /* assimp-testmodels */
        free(src);
    }
    zc_result r = build_tree(root, &log);
    cr_expect_eq(r, ZC_OK, "%s: %s", zc_result_str(r), log.messages[0]);
    free(root);
}

/* A .3mf file that is not a zip archive (here the bare XML of a 3MF model, as a
 * regression fixture of another program keeps it) fails saying so, where assimp's
 * reader says only that it failed to open the file; a real 3MF package imports. */
Test(trust_inputs, a_3mf_that_is_not_a_zip_archive_says_so, .timeout = 30) {
    char *root = zct_tmp_path("tree");
    zct_log log;
    zct_put_text(root, "m.3mf",
                 "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<model unit=\"millimeter\" "
                 "xmlns=\"http://schemas.microsoft.com/3dmanufacturing/core/2015/02\"><resources/><build/></model>\n");
    cr_expect_eq(build_tree(root, &log), ZC_ERR_BAD_SOURCE);
    cr_expect(zct_log_contains(&log, "m.3mf: not a 3MF package: a 3MF file is a zip archive, and this one begins "
                                     "with \"<?xml versio\""),
              "%s", log.messages[0]);
    zct_rm_rf(root);
    zct_copy_file("/usr/share/assimp/models/3MF/box.3mf", root, "box.3mf"); /* assimp-testmodels */
    zc_result r = build_tree(root, &log);
    cr_expect_eq(r, ZC_OK, "%s: %s", zc_result_str(r), log.messages[0]);
    free(root);
}

/* A glTF whose JSON nests `depth` arrays in "extras" after a buffer at `uri`. */
static void put_nested_gltf(const char *root, const char *rel, const char *uri, int depth) {
    char head[1024];
    snprintf(head, sizeof head,
             "{\"asset\":{\"version\":\"2.0\"},\"scenes\":[{\"nodes\":[0]}],\"scene\":0,\"nodes\":[{\"mesh\":0}],"
             "\"meshes\":[{\"primitives\":[{\"attributes\":{\"POSITION\":0}}]}],"
             "\"accessors\":[{\"bufferView\":0,\"componentType\":5126,\"count\":3,\"type\":\"VEC3\","
             "\"min\":[0,0,0],\"max\":[1,1,0]}],\"bufferViews\":[{\"buffer\":0,\"byteLength\":36}],"
             "\"buffers\":[{\"uri\":\"%s\",\"byteLength\":36}],\"extras\":",
             uri);
    size_t n = strlen(head);
    char *json = malloc(n + 2 * (size_t)depth + 2);
    cr_assert_not_null(json);
    memcpy(json, head, n);
    memset(json + n, '[', (size_t)depth);
    memset(json + n + depth, ']', (size_t)depth);
    memcpy(json + n + 2 * (size_t)depth, "}", 2);
    zct_put_text(root, rel, json);
    free(json);
}

/* JSON the reference check cannot parse (here: nested deeper than cJSON goes, which
 * assimp's parser reads) fails with zcpack's message instead of reaching assimp with
 * its references unchecked; ordinary nesting passes. */
Test(trust_inputs, gltf_json_that_cannot_be_checked_is_refused, .timeout = 30) {
    char *root = zct_tmp_path("tree");
    zct_log log;
    put_nested_gltf(root, "m.gltf", "file://evil/etc/passwd", 1200);
    cr_expect_eq(build_tree(root, &log), ZC_ERR_BAD_SOURCE);
    cr_expect(zct_log_contains(&log, "m.gltf: the glTF JSON cannot be read (at byte "), "%s", log.messages[0]);
    cr_expect(zct_log_contains(&log, "nested deeper than 1000 levels), so its buffer and image references cannot "
                                     "be checked"),
              "%s", log.messages[0]);
    cr_expect(!zct_log_contains(&log, "assimp"), "%s", log.messages[0]);
    zct_rm_rf(root);
    zct_put(root, "tri.bin", tri, sizeof tri);
    put_nested_gltf(root, "m.gltf", "tri.bin", 40);
    zc_result r = build_tree(root, &log);
    cr_expect_eq(r, ZC_OK, "%s: %s", zc_result_str(r), log.messages[0]);
    free(root);
}

Test(trust_inputs, obj_material_and_texture_outside_the_root_fail, .timeout = 30) {
    char *root = zct_tmp_path("tree");
    const char *obj = "mtllib m.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 0 1\nusemtl red\nf 1/1 2/2 3/3\n";
    zct_put_text(root, "m.obj", obj);
    zct_put_text(root, "m.mtl", "newmtl red\nKd 1 0 0\nmap_Kd ../outside.png\n");
    /* a real PNG outside the tree (a copy of one the texture tests use) */
    static const uint8_t png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    zct_put(zct_tmp, "outside.png", png, sizeof png);
    zct_log log;
    cr_expect_neq(build_tree(root, &log), ZC_OK);
    cr_expect(zct_log_contains(&log, "../outside.png"), "%s", log.messages[0]);
    cr_expect(zct_log_contains(&log, "outside the asset root"), "%s", log.messages[0]);

    /* the material library itself outside the tree */
    zct_put_text(zct_tmp, "outside.mtl", "newmtl red\nKd 1 0 0\n");
    zct_put_text(root, "m.obj", "mtllib ../outside.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nusemtl red\nf 1 2 3\n");
    cr_expect_neq(build_tree(root, &log), ZC_OK);
    cr_expect(zct_log_contains(&log, "outside.mtl"), "%s", log.messages[0]);
    free(root);
}
