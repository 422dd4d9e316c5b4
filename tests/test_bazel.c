/* test_bazel.c - the Bazel rules of tools/bazel/ (zc_pack, zc_gen_build.sh) driving the
 * real zcpack through Debian's bazel-bootstrap, on a copy of the demo assets plus an
 * OBJ model with its .mtl and JPEG textures from assimp's test models:
 *  - a clean `bazel build` writes the bytes `zcpack build` writes, every action in
 *    Bazel's sandbox; a second build runs no action; editing a file imports that file
 *    again and links, and editing a texture a model reads imports the two;
 *  - with --remote_cache against a real nginx WebDAV server started here, a second
 *    checkout of the tree in another folder, with its own output base, takes every
 *    import from the cache and gets the same pack;
 *  - with that server down, the build warns and runs its actions locally;
 *  - `zcpack import --stage`, as the rule runs it, stages a sandbox's symbolic links as
 *    regular files and gets the object of the real tree (zcpack import itself refuses
 *    the links);
 *  - the rules' list of model extensions is the model importer's.
 * Which actions ran is read from Bazel's --execution_log_json_file. Each Bazel run gets
 * an output user root under the test's temporary directory and is shut down at the end.
 * A Bazel server starts in about 5-8 s here (a JVM); the suite takes about a minute.
 * Skipped, saying why, where bazel or nginx is not installed (tools/bootstrap.sh
 * --test-data installs both), and in the sanitizer run (the zcpack code under test is
 * covered there by the imlink suite).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zc_exit.h"
#include "zc_model.h"
#include "zc_test_server.h"
#include "zc_test_util.h"

#define SPIDER_DIR "/usr/share/assimp/models/OBJ"
#define BAZEL_TIMEOUT_S 300

/* ---------------------------------------------------------------------------------
 * Processes
 * ------------------------------------------------------------------------------- */

/* Run argv in `cwd` with stdout and stderr appended to `log`, for at most `timeout_s`
 * seconds (then its process group is killed). The exit status, 128 + signal, or -2 on
 * a time-out. */
static int run_cmd(const char *cwd, const char *log, int timeout_s, const char *const argv[]) {
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        setpgid(0, 0);
        int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644), in = open("/dev/null", O_RDONLY);
        if (out < 0 || in < 0 || (cwd && chdir(cwd) != 0)) _exit(126);
        dup2(in, 0);
        dup2(out, 1);
        dup2(out, 2);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    uint64_t deadline = zct_now_ns() + (uint64_t)timeout_s * 1000000000u;
    int status;
    for (;;) {
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        if (zct_now_ns() > deadline) {
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -2;
        }
        zct_sleep_ms(50);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---------------------------------------------------------------------------------
 * Bazel
 * ------------------------------------------------------------------------------- */

#define MAX_ROOTS 4
static char *bazel_roots[MAX_ROOTS]; /* output user roots this test started servers in */
static char *bazel_cwds[MAX_ROOTS];
static char *bazel_bin;           /* found by the fixture; NULL: not installed */

/* One workspace with its own output user root. */
typedef struct workspace {
    char *dir;                  /* the workspace: WORKSPACE, BUILD.bazel, assets/ */
    char *root;                 /* its --output_user_root */
    char *log;                  /* Bazel's output, appended run after run */
} workspace;

/* The startup option that keeps the server's temporary files (the binary execution
 * log behind --execution_log_json_file) in a folder beside its output root, inside
 * the test's tree instead of /tmp. Every command to that server passes it, as Bazel
 * restarts a server whose startup options change. */
static void server_tmp_option(const char *root, char *out, size_t cap) {
    char *dir = zct_join(root, "../server-tmp");
    zct_mkdirs(dir);
    snprintf(out, cap, "--host_jvm_args=-Djava.io.tmpdir=%s", dir);
    free(dir);
}

/* Run `bazel <command> [args...]` in the workspace; the exit status (-2: timed out). */
static int bazel(workspace *ws, const char *const args[]) {
    const char *argv[32];
    size_t n = 0;
    char root_opt[PATH_MAX + 32], tmp_opt[PATH_MAX + 48];
    snprintf(root_opt, sizeof root_opt, "--output_user_root=%s", ws->root);
    server_tmp_option(ws->root, tmp_opt, sizeof tmp_opt);
    argv[n++] = bazel_bin;
    argv[n++] = root_opt;
    argv[n++] = tmp_opt;
    argv[n++] = "--max_idle_secs=600"; /* a server a failed test leaves behind still ends */
    for (size_t i = 0; args[i]; ++i) {
        cr_assert_lt(n, 30);
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    for (size_t i = 0; i < MAX_ROOTS; ++i)
        if (!bazel_roots[i] || strcmp(bazel_roots[i], ws->root) == 0) {
            if (!bazel_roots[i]) {
                bazel_roots[i] = strdup(ws->root);
                bazel_cwds[i] = strdup(ws->dir);
            }
            break;
        }
    return run_cmd(ws->dir, ws->log, BAZEL_TIMEOUT_S, argv);
}

/* `bazel build //:assets` with the execution log written to `exec_log`, and `extra`
 * options (NULL-terminated, may be NULL). Asserts success, showing Bazel's output. */
static void bazel_build(workspace *ws, const char *exec_log, const char *const extra[]) {
    char log_opt[PATH_MAX + 40];
    snprintf(log_opt, sizeof log_opt, "--execution_log_json_file=%s", exec_log);
    const char *args[24] = { "build", "//:assets", log_opt, "--nosandbox_debug", "--color=no", "--curses=no",
                             "--noshow_progress" };
    size_t n = 7;
    for (size_t i = 0; extra && extra[i]; ++i) args[n++] = extra[i];
    args[n] = NULL;
    int code = bazel(ws, args);
    if (code != 0) {
        char *tail = zct_log_tail(ws->log);
        cr_assert_fail("bazel build in %s %s (%d); its output ends:\n%s", ws->dir,
                       code == -2 ? "timed out" : "failed", code, tail);
    }
}

/* Shut down every server this test started and make their trees removable. */
static void bazel_shutdown_all(void) {
    for (size_t i = 0; i < MAX_ROOTS && bazel_roots[i]; ++i) {
        char opt[PATH_MAX + 32], tmp_opt[PATH_MAX + 48];
        snprintf(opt, sizeof opt, "--output_user_root=%s", bazel_roots[i]);
        server_tmp_option(bazel_roots[i], tmp_opt, sizeof tmp_opt);
        char *log = zct_join(bazel_roots[i], "../shutdown.log");
        run_cmd(bazel_cwds[i], log, 60, (const char *const[]){ bazel_bin, opt, tmp_opt, "shutdown", NULL });
        run_cmd(NULL, log, 60, (const char *const[]){ "chmod", "-R", "u+w", bazel_roots[i], NULL });
        free(log);
        free(bazel_roots[i]);
        free(bazel_cwds[i]);
        bazel_roots[i] = bazel_cwds[i] = NULL;
    }
}

/* What an execution log says ran. */
typedef struct spawns {
    int imports, links, other;  /* actions by mnemonic */
    int imports_cached;         /* imports taken from the remote or disk cache */
    int links_cached;
    int sandboxed;              /* actions run by linux-sandbox or processwrapper-sandbox */
    char imported[4096];        /* entry paths imported (not from a cache), sorted, '\n'-ended */
} spawns;

static int compare_strings(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static spawns read_spawns(const char *exec_log) {
    spawns s;
    memset(&s, 0, sizeof s);
    size_t size = 0;
    char *text = (char *)zct_read_file(exec_log, &size);
    cr_assert_not_null(text, "no execution log %s", exec_log);
    char *names[256];
    size_t count = 0;
    const char *at = text, *end = text + size;
    while (at < end) {
        while (at < end && (*at == ' ' || *at == '\n' || *at == '\r' || *at == '\t')) at++;
        if (at >= end) break;
        const char *next = NULL;
        cJSON *spawn = cJSON_ParseWithLengthOpts(at, (size_t)(end - at), &next, 0);
        cr_assert_not_null(spawn, "%s: not a stream of JSON objects near byte %zu", exec_log, (size_t)(at - text));
        const char *mnemonic = cJSON_GetStringValue(cJSON_GetObjectItem(spawn, "mnemonic"));
        const char *runner = cJSON_GetStringValue(cJSON_GetObjectItem(spawn, "runner"));
        const char *message = cJSON_GetStringValue(cJSON_GetObjectItem(spawn, "progressMessage"));
        int hit = cJSON_IsTrue(cJSON_GetObjectItem(spawn, "remoteCacheHit"));
        if (runner && strstr(runner, "sandbox")) s.sandboxed++;
        if (mnemonic && strcmp(mnemonic, "ZcImport") == 0) {
            s.imports++;
            s.imports_cached += hit;
            if (!hit && message && strncmp(message, "Importing ", 10) == 0 && count < 256)
                names[count++] = strdup(message + 10);
        } else if (mnemonic && strcmp(mnemonic, "ZcLink") == 0) {
            s.links++;
            s.links_cached += hit;
        } else {
            s.other++;
        }
        cJSON_Delete(spawn);
        at = next;
    }
    qsort(names, count, sizeof *names, compare_strings);
    for (size_t i = 0; i < count; ++i) {
        cr_assert_lt(strlen(s.imported) + strlen(names[i]) + 2, sizeof s.imported);
        strcat(strcat(s.imported, names[i]), "\n");
        free(names[i]);
    }
    free(text);
    return s;
}

/* ---------------------------------------------------------------------------------
 * The workspace: the demo assets and an OBJ model, the rules, its BUILD file
 * ------------------------------------------------------------------------------- */

static const char *const spider_files[] = { "spider.obj",     "spider.mtl",       "SpiderTex.jpg",
                                            "drkwood2.jpg",   "engineflare1.jpg", "wal67ar_small.jpg" };

static char *real(const char *path) {
    char *r = realpath(path, NULL);
    cr_assert_not_null(r, "%s: %s", path, strerror(errno));
    return r;
}

/* A fresh checkout of the test tree in zct_tmp/<name>, with its BUILD file from
 * zc_gen_build.sh, and an output user root zct_tmp/<name>-root. */
static workspace make_workspace(const char *name) {
    workspace ws;
    ws.dir = zct_tmp_path(name);
    char root_name[64], log_name[64];
    snprintf(root_name, sizeof root_name, "%s-root", name);
    snprintf(log_name, sizeof log_name, "%s.log", name);
    ws.root = zct_tmp_path(root_name);
    ws.log = zct_tmp_path(log_name);
    zct_mkdirs(ws.dir);
    char *assets = zct_join(ws.dir, "assets");
    int code = run_cmd(NULL, ws.log, 60,
                       (const char *const[]){ "cp", "-R", zct_source_path("samples/assets"), assets, NULL });
    cr_assert_eq(code, 0, "cannot copy samples/assets to %s", assets);
    if (zct_exists(SPIDER_DIR "/spider.obj"))
        for (size_t i = 0; i < sizeof spider_files / sizeof *spider_files; ++i) {
            char *from = zct_join(SPIDER_DIR, spider_files[i]), *rel = zct_join("models", spider_files[i]);
            zct_copy_file(from, assets, rel);
            free(rel);
            free(from);
        }
    else
        cr_log_warn("bazel: %s is missing (tools/bootstrap.sh --test-data): the tree has no OBJ model", SPIDER_DIR);
    char *rules = real(zct_source_path("tools/bazel")), *zcpack = real(zct_zcpack_bin());
    char text[3 * PATH_MAX];
    snprintf(text, sizeof text,
             "local_repository(name = \"zcpack_rules\", path = \"%s\")\n"
             "load(\"@zcpack_rules//:repositories.bzl\", \"zcpack_binary\")\n"
             "zcpack_binary(name = \"zcpack\", path = \"%s\")\n",
             rules, zcpack);
    zct_put_text(ws.dir, "WORKSPACE", text);
    char *gen = zct_join(rules, "zc_gen_build.sh");
    code = run_cmd(ws.dir, ws.log, 120,
                   (const char *const[]){ gen, "--zcpack", zcpack, "-o", "BUILD.bazel", ".", "assets", NULL });
    char *tail = code ? zct_log_tail(ws.log) : NULL;
    cr_assert_eq(code, 0, "zc_gen_build.sh failed (%d):\n%s", code, tail);
    free(gen);
    free(zcpack);
    free(rules);
    free(assets);
    return ws;
}

static void workspace_free(workspace *ws) {
    free(ws->dir);
    free(ws->root);
    free(ws->log);
}

/* Regular files below `dir` (find -type f), listed through a scratch file beside it. */
static int count_files(const char *dir) {
    char *list = zct_tmp_path("find.txt");
    cr_assert_eq(run_cmd(NULL, list, 30, (const char *const[]){ "find", dir, "-type", "f", NULL }), 0);
    size_t size = 0;
    char *text = (char *)zct_read_file(list, &size);
    int n = 0;
    for (size_t i = 0; i < size; ++i) n += text[i] == '\n';
    free(text);
    unlink(list);
    free(list);
    return n;
}

/* Files the tree packs, counted as the BUILD file's imports: every file (the demo
 * tree has no manifest). */
static int tree_files(const workspace *ws) {
    char *assets = zct_join(ws->dir, "assets");
    int n = count_files(assets);
    free(assets);
    return n;
}

/* Assert that Bazel's pack equals what `zcpack build` makes of the tree. */
static void expect_build_bytes(const workspace *ws, const char *what) {
    char *assets = zct_join(ws->dir, "assets"), *ref = zct_tmp_path("reference.zcpack");
    char *pack = zct_join(ws->dir, "bazel-bin/assets.zcpack");
    zct_run run = ZCT_CLI("build", assets, "-o", ref, "--quiet");
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    cr_assert(zct_exists(pack), "%s: bazel wrote no %s", what, pack);
    cr_assert(zct_files_equal(pack, ref), "%s: %s differs from what zcpack build writes", what, pack);
    zct_run_free(&run);
    free(pack);
    free(ref);
    free(assets);
}

/* ---------------------------------------------------------------------------------
 * nginx as a WebDAV cache server
 * ------------------------------------------------------------------------------- */

static zct_nginx server;        /* stopped by the fixture whatever the test did */

/* Files the server stores under cache/ (Bazel's ac/ and cas/ entries). */
static int cache_server_files(void) {
    char *cache = zct_join(server.dir, "cache");
    int n = count_files(cache);
    free(cache);
    return n;
}

/* ---------------------------------------------------------------------------------
 * Fixture
 * ------------------------------------------------------------------------------- */

static void bazel_setup(void) {
    zct_tmp_setup();
    memset(&server, 0, sizeof server);
    bazel_bin = zct_find_program("bazel", "/usr/bin/bazel");
}

static void bazel_teardown(void) {
    zct_nginx_stop(&server);
    bazel_shutdown_all();
    free(bazel_bin);
    bazel_bin = NULL;
    zct_tmp_teardown();
}

/* Skip (true) where Bazel cannot run here, saying why. */
static int no_bazel(void) {
    if (zct_sanitizing()) {
        zct_skip_test("the bazel suite runs in the release build only (imlink covers import and link under "
                     "the sanitizers)");
        return 1;
    }
    if (!bazel_bin) {
        zct_skip_test("bazel is not installed (tools/bootstrap.sh --test-data installs bazel-bootstrap)");
        return 1;
    }
    return 0;
}

TestSuite(bazel, .init = bazel_setup, .fini = bazel_teardown, .timeout = 900);

/* ---------------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------------- */

/* (1) A clean build gives zcpack build's bytes, each action sandboxed: one import per
 * file and one link. (2) A second build runs nothing. (3) An edited blob is imported
 * again alone, then linked; an edited texture that a model reads is imported again
 * with that model (its import_deps), and no other file. */
Test(bazel, clean_noop_and_edits) {
    if (no_bazel()) return;
    workspace ws = make_workspace("ws");
    int files = tree_files(&ws);
    char *log1 = zct_tmp_path("exec1.json"), *log2 = zct_tmp_path("exec2.json"), *log3 = zct_tmp_path("exec3.json"),
         *log4 = zct_tmp_path("exec4.json");

    bazel_build(&ws, log1, NULL);
    spawns s = read_spawns(log1);
    cr_assert_eq(s.imports, files, "clean build: %d imports for %d files", s.imports, files);
    cr_assert_eq(s.links, 1);
    cr_assert_eq(s.sandboxed, s.imports + s.links, "clean build: %d of %d actions ran in Bazel's sandbox",
                 s.sandboxed, s.imports + s.links);
    expect_build_bytes(&ws, "clean build");

    bazel_build(&ws, log2, NULL);
    s = read_spawns(log2);
    cr_assert_eq(s.imports + s.links + s.other, 0, "no-op build ran %d imports, %d links, %d other actions",
                 s.imports, s.links, s.other);

    char *assets = zct_join(ws.dir, "assets");
    zct_put_text(assets, "shaders/sky.glsl", "// edited\nvoid main() {}\n");
    bazel_build(&ws, log3, NULL);
    s = read_spawns(log3);
    cr_assert_str_eq(s.imported, "shaders/sky.glsl\n", "after editing one file, imported:\n%s", s.imported);
    cr_assert_eq(s.links, 1);
    expect_build_bytes(&ws, "after editing shaders/sky.glsl");

    char *bricks = zct_join(assets, "textures/bricks.png");
    zct_copy_file(bricks, assets, "textures/leaves.png"); /* scene/demo.gltf reads it */
    bazel_build(&ws, log4, NULL);
    s = read_spawns(log4);
    cr_assert_str_eq(s.imported, "scene/demo.gltf\ntextures/leaves.png\n",
                     "after editing a texture the glTF reads, imported:\n%s", s.imported);
    cr_assert_eq(s.links, 1);
    expect_build_bytes(&ws, "after editing textures/leaves.png");

    free(bricks);
    free(assets);
    free(log4);
    free(log3);
    free(log2);
    free(log1);
    workspace_free(&ws);
}

/* (4) Two checkouts in two folders, each with its own output base, share one nginx
 * WebDAV server as --remote_cache: the second takes every import and the link from the
 * cache (none runs locally) and gets the first one's pack, zcpack build's bytes. */
Test(bazel, remote_cache_across_checkouts) {
    if (no_bazel()) return;
    char *nginx = zct_find_program("nginx", "/usr/sbin/nginx");
    if (!nginx) {
        zct_skip_test("nginx is not installed (tools/bootstrap.sh --test-data installs nginx-light)");
        return;
    }
    zct_nginx_start(&server, nginx);
    free(nginx);
    char remote[128];
    snprintf(remote, sizeof remote, "--remote_cache=%s", server.url);
    const char *const extra[] = { remote, NULL };

    workspace a = make_workspace("checkout-a"), b = make_workspace("checkout-b");
    int files = tree_files(&a);
    char *log_a = zct_tmp_path("exec-a.json"), *log_b = zct_tmp_path("exec-b.json");
    bazel_build(&a, log_a, extra);
    spawns s = read_spawns(log_a);
    cr_assert_eq(s.imports, files);
    cr_assert_eq(s.imports_cached, 0, "checkout a: %d imports came from an empty cache", s.imports_cached);
    int stored = cache_server_files();
    cr_assert_geq(stored, 2 * (files + 1), "the server holds %d files after the first build of %d actions", stored,
                  files + 1);

    bazel_build(&b, log_b, extra);
    s = read_spawns(log_b);
    cr_assert_eq(s.imports, files, "checkout b: %d imports for %d files", s.imports, files);
    cr_assert_eq(s.imports_cached, files, "checkout b: only %d of %d imports came from the cache; ran:\n%s",
                 s.imports_cached, files, s.imported);
    cr_assert_eq(s.links_cached, 1, "checkout b: the link ran locally");
    char *pack_a = zct_join(a.dir, "bazel-bin/assets.zcpack"), *pack_b = zct_join(b.dir, "bazel-bin/assets.zcpack");
    cr_assert(zct_files_equal(pack_a, pack_b), "the two checkouts' packs differ");
    expect_build_bytes(&b, "checkout b");

    free(pack_b);
    free(pack_a);
    free(log_b);
    free(log_a);
    workspace_free(&b);
    workspace_free(&a);
}

/* (5) With the cache server down, the build warns that the remote cache cannot be
 * reached and runs every action locally: a pack all the same. */
Test(bazel, cache_server_down) {
    if (no_bazel()) return;
    char remote[128];
    snprintf(remote, sizeof remote, "--remote_cache=http://127.0.0.1:%d/cache/", zct_free_port());
    const char *const extra[] = { remote, NULL };
    workspace ws = make_workspace("ws");
    int files = tree_files(&ws);
    char *log = zct_tmp_path("exec.json");
    bazel_build(&ws, log, extra);
    spawns s = read_spawns(log);
    cr_assert_eq(s.imports, files);
    cr_assert_eq(s.imports_cached + s.links_cached, 0);
    cr_assert_eq(s.sandboxed, files + 1, "%d of %d actions ran locally in the sandbox", s.sandboxed, files + 1);
    char *output = zct_log_tail(ws.log);
    cr_assert(strstr(output, "WARNING") && strstr(output, "Connection refused"),
              "no warning about the unreachable cache in Bazel's output:\n%s", output);
    expect_build_bytes(&ws, "with the cache server down");
    free(output);
    free(log);
    workspace_free(&ws);
}

/* The sandbox hands an action its inputs as symbolic links; zcpack import refuses a
 * link (as build skips one), so the rule's action stages the declared inputs with
 * `import --stage` (test_stage.c has the option's own tests): the object it writes
 * from a tree of links, run as the rule runs it, is the real tree's. */
Test(bazel, import_stages_sandbox_links) {
    char *tree = zct_tmp_path("tree"), *links = zct_tmp_path("links");
    static const char *const rels[] = { "scene/demo.gltf", "scene/demo.bin", "textures/bricks.png",
                                        "textures/bricks_n.png", "textures/leaves.png" };
    char list[2048] = "";
    for (size_t i = 0; i < 5; ++i) {
        char *from = zct_join(zct_source_path("samples/assets"), rels[i]);
        zct_copy_file(from, tree, rels[i]);
        char *target = zct_join(tree, rels[i]), *link = zct_join(links, rels[i]);
        zct_put_text(links, rels[i], "");
        unlink(link);
        cr_assert_eq(symlink(target, link), 0, "symlink: %s", strerror(errno));
        size_t n = strlen(list);
        snprintf(list + n, sizeof list - n, "%s\tlinks/%s\n", rels[i], rels[i]);
        free(link);
        free(target);
        free(from);
    }
    char *model = zct_join(tree, "scene/demo.gltf"), *whole = zct_tmp_path("whole.zco");
    zct_run run = ZCT_CLI("import", model, "--root", tree, "-o", whole);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);

    char *linked = zct_join(links, "scene/demo.gltf"), *refused = zct_tmp_path("refused.zco");
    run = ZCT_CLI("import", linked, "--root", links, "-o", refused);
    ZCT_EXPECT_CODE(run, ZC_EXIT_IO);
    ZCT_EXPECT_ERR(run, "a symbolic link");
    zct_run_free(&run);

    /* as the rule calls it: relative paths from the "execution root" zct_tmp, the list
     * as Bazel's parameter file */
    zct_put_text(zct_tmp, "staged.zco-0.params", list);
    char *zcpack = real(zct_zcpack_bin()), *log = zct_tmp_path("import.log");
    const char *const argv[] = { zcpack, "import", "scene/demo.gltf", "-o", "staged.zco", "--quiet",
                                 "--stage=staged.zco-0.params", NULL };
    int code = run_cmd(zct_tmp, log, 120, argv);
    char *tail = code ? zct_log_tail(log) : NULL;
    cr_assert_eq(code, 0, "the staged import failed (%d):\n%s", code, tail);
    char *staged = zct_tmp_path("staged.zco");
    cr_assert(zct_files_equal(whole, staged), "the object from the staged links differs from the real tree's");
    cr_assert_eq(zct_count_prefixed(zct_tmp, "staged.zco.stage-"), 0, "the staged tree was left behind");

    free(tail);
    free(staged);
    free(log);
    free(zcpack);
    free(refused);
    free(linked);
    free(whole);
    free(model);
    free(links);
    free(tree);
}

/* zcpack.bzl (and zc_gen_build.sh, which reads its line) know which files are models
 * by the model importer's extensions: the two lists agree, in order. */
Test(bazel, model_extensions_match_the_importer) {
    size_t size = 0;
    char *bzl = (char *)zct_read_source("tools/bazel/zcpack.bzl", &size);
    char *line = strstr(bzl, "\nZC_MODEL_EXTENSIONS = [");
    cr_assert_not_null(line, "zcpack.bzl has no ZC_MODEL_EXTENSIONS line");
    line += strlen("\nZC_MODEL_EXTENSIONS = [");
    char *end = strchr(line, ']');
    cr_assert_not_null(end);
    *end = 0;
    char expected[1024] = "";
    for (size_t i = 0; zc_model_extensions[i]; ++i) {
        char quoted[32];
        snprintf(quoted, sizeof quoted, "%s\"%s\"", i ? ", " : "", zc_model_extensions[i]);
        strcat(expected, quoted);
    }
    cr_assert_str_eq(line, expected, "ZC_MODEL_EXTENSIONS in tools/bazel/zcpack.bzl is not zc_model_extensions");
    free(bzl);
}

/* The import_deps entry of `rel` in a generated BUILD file, as "a\nb\n" (malloc'd), or
 * NULL when the file has none. */
static char *build_import_deps(const char *build, const char *rel) {
    char key[256];
    snprintf(key, sizeof key, "\n        \"%s\": [\n", rel);
    const char *at = strstr(build, key);
    if (!at) return NULL;
    at += strlen(key);
    const char *end = strstr(at, "\n        ],");
    cr_assert_not_null(end, "the import_deps entry of %s is not closed", rel);
    char *deps = (char *)calloc((size_t)(end - at) + 2, 1);
    cr_assert_not_null(deps);
    for (const char *line = at; line < end;) {
        const char *q = strchr(line, '"'), *close = q ? strchr(q + 1, '"') : NULL;
        cr_assert(q && close && close < end, "a malformed import_deps line of %s", rel);
        strncat(deps, q + 1, (size_t)(close - q - 1));
        strcat(deps, "\n");
        line = strchr(close, '\n');
        line = line ? line + 1 : end;
    }
    return deps;
}

/* Run `zcpack import --stage` from zct_tmp as the rule calls it: the object `object` of
 * the entry `rel` of zct_tmp/<tree>, with rel, its import_deps `deps` ("a\nb\n") and
 * the manifest as the only inputs. */
static void import_declared(const char *tree, const char *rel, const char *deps, const char *object) {
    char *zcpack = real(zct_zcpack_bin());
    char *log = zct_tmp_path("declared.log"), *copy = strdup(deps ? deps : "");
    char list[4096] = "", params[256];
    const char *rels[32];
    size_t inputs = 0;
    rels[inputs++] = rel;
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) rels[inputs++] = line;
    rels[inputs++] = "zcpack.json";
    for (size_t i = 0; i < inputs; ++i) {
        size_t n = strlen(list);
        snprintf(list + n, sizeof list - n, "%s\t%s/%s\n", rels[i], tree, rels[i]);
    }
    snprintf(params, sizeof params, "%s-0.params", object);
    zct_put_text(zct_tmp, params, list);
    char stage[300];
    snprintf(stage, sizeof stage, "--stage=%s", params);
    const char *const argv[] = { zcpack, "import", rel, "-o", object, "--quiet", stage, NULL };
    unlink(log);
    int code = run_cmd(zct_tmp, log, 120, argv);
    char *tail = code ? zct_log_tail(log) : NULL;
    cr_assert_eq(code, 0, "%s: its import from the declared inputs alone failed (%d):\n%s", rel, code, tail);
    free(tail);
    free(copy);
    free(log);
    free(zcpack);
}

/* A cube map of six face files and an array folder of three layers: zc_gen_build.sh
 * declares every other face or layer as an input of the group's first file and the
 * first file as an input of each later one (its import looks for it); every import run
 * with `--stage` and its declared inputs alone gives the object of the whole
 * tree; and an edited face changes the cube's object. No Bazel needed: this checks
 * what the rule would hand the actions. */
Test(bazel, texture_groups_declare_every_input) {
    static const char *const faces[6] = { "sky/day_px.png", "sky/day_nx.png", "sky/day_py.png",
                                          "sky/day_ny.png", "sky/day_pz.png", "sky/day_nz.png" };
    static const char *const layers[3] = { "layers/a.png", "layers/b.png", "layers/c.png" };
    static const char *const images[3] = { "samples/assets/textures/bricks.png", "samples/assets/textures/bricks_n.png",
                                           "samples/assets/textures/leaves.png" };
    char *dir = zct_tmp_path("groups"), *tree = zct_tmp_path("groups/assets");
    for (int f = 0; f < 6; ++f) zct_copy_file(zct_source_path(images[f % 3]), tree, faces[f]);
    for (int l = 0; l < 3; ++l) zct_copy_file(zct_source_path(images[(l + 1) % 3]), tree, layers[l]);
    zct_copy_file(zct_source_path("samples/assets/textures/leaves.png"), tree, "plain.png");
    zct_put_text(tree, "zcpack.json",
                 "{ \"rules\": [ { \"match\": \"sky/*\", \"cubemap_faces\": true, \"format\": \"rgba8\" },"
                 " { \"match\": \"layers/*\", \"array_folder\": true, \"format\": \"rgba8\" } ] }");
    char *gen = real(zct_source_path("tools/bazel/zc_gen_build.sh")), *zcpack = real(zct_zcpack_bin());
    char *log = zct_tmp_path("groups.log");
    int code = run_cmd(dir, log, 120,
                       (const char *const[]){ gen, "--zcpack", zcpack, "-o", "BUILD.bazel", ".", "assets", NULL });
    char *tail = code ? zct_log_tail(log) : NULL;
    cr_assert_eq(code, 0, "zc_gen_build.sh failed (%d):\n%s", code, tail);
    char *build_path = zct_join(dir, "BUILD.bazel");
    size_t size = 0;
    char *build = (char *)zct_read_file(build_path, &size);

    const struct { const char *rel, *deps; } expected[] = {
        { "sky/day_px.png", "sky/day_nx.png\nsky/day_ny.png\nsky/day_nz.png\nsky/day_py.png\nsky/day_pz.png\n" },
        { "sky/day_nx.png", "sky/day_px.png\n" }, { "sky/day_py.png", "sky/day_px.png\n" },
        { "sky/day_ny.png", "sky/day_px.png\n" }, { "sky/day_pz.png", "sky/day_px.png\n" },
        { "sky/day_nz.png", "sky/day_px.png\n" },
        { "layers/a.png", "layers/b.png\nlayers/c.png\n" },
        { "layers/b.png", "layers/a.png\n" }, { "layers/c.png", "layers/a.png\n" },
        { "plain.png", NULL },
    };
    for (size_t i = 0; i < sizeof expected / sizeof *expected; ++i) {
        char *deps = build_import_deps(build, expected[i].rel);
        if (!expected[i].deps) {
            cr_assert_null(deps, "%s reads nothing else, yet has import_deps:\n%s", expected[i].rel, build);
            continue;
        }
        cr_assert_not_null(deps, "%s has no import_deps:\n%s", expected[i].rel, build);
        cr_assert_str_eq(deps, expected[i].deps, "the import_deps of %s", expected[i].rel);

        /* the object from the declared inputs alone is the whole tree's */
        char *file = zct_join(tree, expected[i].rel), *whole = zct_tmp_path("whole.zco");
        char *declared = zct_tmp_path("declared.zco");
        zct_run run = ZCT_CLI("import", file, "--root", tree, "-o", whole, "--quiet");
        ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
        import_declared("groups/assets", expected[i].rel, deps, "declared.zco");
        cr_assert(zct_files_equal(whole, declared), "%s: the object from its declared inputs differs from the "
                  "whole tree's", expected[i].rel);
        zct_run_free(&run);
        free(declared);
        free(whole);
        free(file);
        free(deps);
    }

    /* an edited -Z face changes the cube's object, in the sandbox as in the tree */
    char *px = zct_join(tree, "sky/day_px.png"), *before = zct_tmp_path("before.zco"), *after = zct_tmp_path("after.zco");
    char *staged = zct_tmp_path("staged.zco");
    zct_run run = ZCT_CLI("import", px, "--root", tree, "-o", before, "--quiet");
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    zct_copy_file(zct_source_path("samples/assets/textures/bricks.png"), tree, "sky/day_nz.png");
    run = ZCT_CLI("import", px, "--root", tree, "-o", after, "--quiet");
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    zct_run_free(&run);
    cr_assert(!zct_files_equal(before, after), "editing sky/day_nz.png left the cube's object as it was");
    char *deps = build_import_deps(build, "sky/day_px.png");
    import_declared("groups/assets", "sky/day_px.png", deps, "staged.zco");
    cr_assert(zct_files_equal(after, staged), "the cube's object from its declared inputs misses the edited face");

    free(deps);
    free(staged);
    free(after);
    free(before);
    free(px);
    free(build);
    free(build_path);
    free(tail);
    free(log);
    free(zcpack);
    free(gen);
    free(tree);
    free(dir);
}
