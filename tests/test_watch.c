/* test_watch.c - `zcpack watch` as a child process on a temporary tree:
 *  - saves by writing in place, by renaming a new file over the old one, by deleting
 *    and creating again, and in a burst all converge on the last version (the
 *    published pack's entry has the content hash of the source's bytes), and a burst
 *    gives far fewer builds than saves;
 *  - a broken save (a half-written PNG) is reported, the last good pack stays
 *    published, and the next good save publishes;
 *  - a new directory with files is picked up, with file system events alone (no
 *    polling: the new directory must get a watch of its own) and with polling alone;
 *  - SIGTERM ends the watch with status 0 and no temporary file left;
 *  - with --sign every pack a build writes, the first and each rebuild, verifies
 *    against the public key; an unusable key file stops the watch before any build.
 * Every wait polls the published pack against a deadline; nothing depends on timing
 * beyond that.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "zc_build.h"
#include "zc_importer.h"
#include "zc_model_isolate.h"
#include "zc_watch.h"
#include "zc_exit.h"
#include "zc_pack.h"
#include "zc_test_images.h"
#include "zc_test_util.h"

#define PYGAME ZCTI_PYGAME "/"

static char *out_path, *err_path;   /* the watch's stdout and stderr */
static pid_t child = -1;

static void setup(void) {
    zcti_tree_setup();
    out_path = zct_tmp_path("watch.out");
    err_path = zct_tmp_path("watch.err");
}

static void teardown(void) {
    if (child > 0) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        child = -1;
    }
    free(out_path);
    free(err_path);
    zcti_tree_teardown();
}

TestSuite(watch, .init = setup, .fini = teardown, .timeout = 300);

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double deadline_s(void) {
    return now_s() + (zcti_sanitize_run() ? 90.0 : 30.0);
}

static void nap(void) {
    struct timespec ts = { 0, 20 * 1000 * 1000 };
    nanosleep(&ts, NULL);
}

static char *in_path(const char *rel) {
    return zct_join(zcti_in_dir, rel);
}

static void put(const char *rel, const char *text) {
    char *p = in_path(rel);
    zct_write_file(p, text, strlen(text));
    free(p);
}

/* The watch's stderr, for failure messages (malloc'd, never NULL). */
static char *watch_err(void) {
    size_t n;
    char *text = (char *)zct_read_file(err_path, &n);
    return text ? text : strdup("(no output)");
}

/* Start `zcpack watch in -o out.zcpack --debounce 50` plus `extra` (NULL-terminated). */
static void watch_start(const char *const *extra) {
    const char *args[24] = { zct_zcpack_bin(), "watch", zcti_in_dir, "-o", zcti_pack_path, "--debounce", "50" };
    int n = 7;
    for (int i = 0; extra && extra[i]; ++i) args[n++] = extra[i];
    args[n] = NULL;
    fflush(NULL);
    child = fork();
    cr_assert_geq(child, 0, "fork: %s", strerror(errno));
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* a test that fails before watch_stop ends it too */
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int in = open("/dev/null", O_RDONLY);
        if (out < 0 || err < 0 || in < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0 || dup2(in, 0) < 0) _exit(126);
        execv(args[0], (char *const *)args);
        _exit(127);
    }
}

/* SIGTERM, then the exit status (128 + signal when killed). */
static int watch_stop(void) {
    cr_assert_gt(child, 0);
    cr_assert_eq(kill(child, SIGTERM), 0);
    double end = deadline_s();
    int status = 0;
    pid_t done;
    while ((done = waitpid(child, &status, WNOHANG)) == 0 && now_s() < end) nap();
    cr_assert_eq(done, child, "the watch did not stop within the deadline after SIGTERM");
    child = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The content hash and raw size of `rel` in the published pack; 0 when the pack or
 * the entry is absent. */
static int published(const char *rel, uint64_t *hash, uint64_t *size) {
    zc_pack *pack = NULL;
    zc_pack_desc d;
    memset(&d, 0, sizeof d);
    d.path = zcti_pack_path;
    d.validate = ZC_VALIDATE_TOC;
    if (zc_pack_open(&pack, &d) != ZC_OK) return 0;
    zc_entry e;
    int found = zc_pack_find(pack, rel, &e) == ZC_OK;
    if (found) {
        *hash = e.content_hash;
        *size = e.raw_size;
    }
    zc_pack_close(pack);
    return found;
}

/* Wait until the published `rel` has content hash `want` (the raw bytes' XXH3-64). */
static void await_hash(const char *rel, uint64_t want, const char *what) {
    double end = deadline_s();
    uint64_t hash = 0, size = 0;
    while (now_s() < end) {
        if (published(rel, &hash, &size) && hash == want) return;
        if (child > 0 && waitpid(child, NULL, WNOHANG) == child) {
            child = -1;
            char *err = watch_err();
            cr_assert_fail("%s: the watch exited early; its stderr: %s", what, err);
        }
        nap();
    }
    char *err = watch_err();
    cr_assert_fail("%s: %s never reached the expected content (last hash %016llx); stderr: %s", what, rel,
             (unsigned long long)hash, err);
}

/* A blob entry holds the file's bytes: wait for `text`. */
static void await_text(const char *rel, const char *text, const char *what) {
    await_hash(rel, XXH3_64bits(text, strlen(text)), what);
}

static void await_absent(const char *rel, const char *what) {
    double end = deadline_s();
    uint64_t hash, size;
    while (now_s() < end) {
        if (!published(rel, &hash, &size)) return;
        nap();
    }
    cr_assert_fail("%s: %s is still published", what, rel);
}

/* Occurrences of `needle` in the watch's stdout. */
static int out_count(const char *needle) {
    size_t n;
    char *text = (char *)zct_read_file(out_path, &n);
    int count = 0;
    for (const char *p = text ? text : ""; (p = strstr(p, needle)) != NULL; p += strlen(needle)) count++;
    free(text);
    return count;
}

static void await_out(const char *needle, int count, const char *what) {
    double end = deadline_s();
    while (now_s() < end) {
        if (out_count(needle) >= count) return;
        nap();
    }
    char *err = watch_err();
    cr_assert_fail("%s: \"%s\" never appeared %d times on the watch's stdout; stderr: %s", what, needle, count, err);
}

/* The content hash a build gives the texture made from `src` at entry path `rel`:
 * a one-file tree built in process with the watch's defaults. */
static uint64_t texture_hash(const char *src, const char *rel) {
    char *ref = zct_join(zct_tmp, "ref");
    char *ref_pack = zct_join(zct_tmp, "ref.zcpack");
    zct_rm_rf(ref);
    free(zcti_copy(src, ref, rel));
    zc_build_desc d;
    memset(&d, 0, sizeof d);
    d.input_dir = ref;
    d.output_path = ref_pack;
    d.no_sync = 1;
    zc_build_stats st;
    cr_assert_eq(zc_build(&d, &st), ZC_OK);
    zc_pack *pack = zcti_open_pack(ref_pack);
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, rel, &e), ZC_OK);
    uint64_t hash = e.content_hash;
    zc_pack_close(pack);
    zct_rm_rf(ref);
    unlink(ref_pack);
    free(ref);
    free(ref_pack);
    return hash;
}

/* No writer temporary file (.zc-<pid>-<random>.tmp, or the older *.tmp-<pid>-<n>)
 * left beside the pack. */
static void assert_no_temporaries(void) {
    DIR *d = opendir(zct_tmp);
    cr_assert_not_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        cr_assert(!strstr(e->d_name, ".tmp-") && strncmp(e->d_name, ".zc-", 4) != 0, "temporary file %s left behind",
                  e->d_name);
    closedir(d);
}

/* ---------------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------------- */

Test(watch, every_kind_of_save_converges_on_the_last_version) {
    put("a.txt", "version 1");
    put("keep/b.txt", "unchanged");
    watch_start(NULL);
    await_text("a.txt", "version 1", "first build");
    await_text("keep/b.txt", "unchanged", "first build");

    put("a.txt", "version 2, written in place"); /* fopen "wb": same inode, truncated */
    await_text("a.txt", "version 2, written in place", "in-place write");

    put("a.txt.new", "version 3, renamed over"); /* an editor's save by rename */
    char *from = in_path("a.txt.new"), *to = in_path("a.txt");
    cr_assert_eq(rename(from, to), 0);
    await_text("a.txt", "version 3, renamed over", "rename over");
    await_absent("a.txt.new", "rename over");

    cr_assert_eq(unlink(to), 0); /* delete, then create anew */
    put("a.txt", "version 4, created anew");
    await_text("a.txt", "version 4, created anew", "delete and create");

    int before = out_count("zcpack watch: build ");
    char text[64];
    for (int i = 5; i < 35; ++i) {
        snprintf(text, sizeof text, "version %d, in a burst", i);
        put("a.txt", text);
    }
    await_text("a.txt", text, "burst");
    int builds = out_count("zcpack watch: build ") - before;
    cr_assert_lt(builds, 30, "a burst of 30 saves gave %d builds", builds);
    await_text("keep/b.txt", "unchanged", "after the burst");

    cr_assert_eq(watch_stop(), 0, "SIGTERM ends the watch cleanly");
    assert_no_temporaries();
    free(from);
    free(to);
}

Test(watch, broken_save_keeps_the_last_good_pack) {
    zcti_require(PYGAME "alien1.png");
    free(zcti_copy(PYGAME "alien1.png", zcti_in_dir, "tex/a.png"));
    put("notes.txt", "a blob beside the texture");
    uint64_t good = texture_hash(PYGAME "alien1.png", "tex/a.png");
    uint64_t next = texture_hash(PYGAME "brick.png", "tex/a.png");
    watch_start(NULL);
    await_hash("tex/a.png", good, "first build");

    /* a half-written PNG: the first 100 bytes of another image */
    size_t size;
    uint8_t *brick = zct_read_file(PYGAME "city.png", &size);
    cr_assert_not_null(brick);
    cr_assert_gt(size, 100);
    char *a = in_path("tex/a.png");
    zct_write_file(a, brick, 100);
    free(brick);
    await_out("failed", 1, "broken save");
    uint64_t hash, raw;
    cr_assert(published("tex/a.png", &hash, &raw));
    cr_assert_eq(hash, good, "the last good texture stays published");
    char *err = watch_err();
    cr_assert_not_null(strstr(err, "tex/a.png: "), "the failure names the file: %s", err);
    free(err);

    /* a later good save publishes again */
    free(zcti_copy(PYGAME "brick.png", zcti_in_dir, "tex/a.png"));
    await_hash("tex/a.png", next, "good save after the broken one");
    cr_assert_eq(watch_stop(), 0);
    free(a);
}

Test(watch, new_directories_with_events_alone) {
    put("root.txt", "root");
    watch_start((const char *const[]){ "--poll", "0", NULL });
    await_text("root.txt", "root", "first build");

    char *deep = in_path("sub/deep");
    zct_mkdirs(deep);
    put("sub/deep/n.txt", "first file of a new directory");
    await_text("sub/deep/n.txt", "first file of a new directory", "new directory");

    /* only a watch on the new directory itself can see this one */
    put("sub/deep/m.txt", "second file, after the directory was built");
    await_text("sub/deep/m.txt", "second file, after the directory was built", "file in the new directory");
    put("sub/deep/n.txt", "first file, edited");
    await_text("sub/deep/n.txt", "first file, edited", "edit in the new directory");

    char *x = in_path("x/y/z");
    zct_mkdirs(x);
    put("x/y/z/w.txt", "three levels at once");
    await_text("x/y/z/w.txt", "three levels at once", "nested new directories");
    put("x/y/z/w.txt", "three levels, edited");
    await_text("x/y/z/w.txt", "three levels, edited", "edit three levels down");

    cr_assert_eq(watch_stop(), 0);
    free(deep);
    free(x);
}

Test(watch, polling_alone_converges) {
    put("a.txt", "polled 1");
    watch_start((const char *const[]){ "--no-events", "--poll", "100", NULL });
    await_text("a.txt", "polled 1", "first build");

    put("a.txt", "polled 2, longer than the first");
    await_text("a.txt", "polled 2, longer than the first", "in-place write");

    put("a.new", "polled 3");
    char *from = in_path("a.new"), *to = in_path("a.txt");
    cr_assert_eq(rename(from, to), 0);
    await_text("a.txt", "polled 3", "rename over");

    char *dir = in_path("later/on");
    zct_mkdirs(dir);
    put("later/on/f.txt", "found by polling");
    await_text("later/on/f.txt", "found by polling", "new directory");
    cr_assert_eq(unlink(to), 0);
    await_absent("a.txt", "deletion");

    cr_assert_eq(watch_stop(), 0);
    free(from);
    free(to);
    free(dir);
}

/* The pack and its cache inside the watched tree: publishing must not look like a
 * change, or the watch would rebuild forever. */
Test(watch, own_output_inside_the_tree_triggers_nothing) {
    put("a.txt", "inside 1");
    free(zcti_pack_path);
    zcti_pack_path = zct_join(zcti_in_dir, "game.zcpack"); /* removed with the tree by teardown */
    watch_start((const char *const[]){ "--poll", "100", NULL });
    await_text("a.txt", "inside 1", "first build");
    await_out("zcpack watch: build 1:", 1, "first build line");
    /* ten polls and many debounce periods: a self-triggered loop would show here */
    struct timespec ts = { 1, 0 };
    nanosleep(&ts, NULL);
    cr_assert_eq(out_count("zcpack watch: build "), 1, "the watch rebuilt after its own publish");
    uint64_t hash, size;
    cr_assert(!published("game.zcpack", &hash, &size), "the pack does not pack itself");
    cr_assert(!published("game.zcpack.cache/CACHEDIR.TAG", &hash, &size), "the cache is not packed");

    put("a.txt", "inside 2");
    await_text("a.txt", "inside 2", "a real change still builds");
    cr_assert_eq(watch_stop(), 0);
}

/* Saves the build leaves out whatever they hold (a version control folder, Finder's
 * .DS_Store) trigger no build; a real change still does. */
Test(watch, hidden_and_system_files_trigger_nothing) {
    put("a.txt", "visible 1");
    put(".git/HEAD", "ref: refs/heads/main\n");
    watch_start((const char *const[]){ "--poll", "100", NULL });
    await_text("a.txt", "visible 1", "first build");
    await_out("zcpack watch: build 1:", 1, "first build line");
    put(".git/HEAD", "ref: refs/heads/other\n");
    put(".git/index", "index");
    put(".DS_Store", "Bud1");
    put("Thumbs.db", "thumbnails");
    struct timespec ts = { 1, 0 };
    nanosleep(&ts, NULL);
    cr_assert_eq(out_count("zcpack watch: build "), 1, "the watch rebuilt for a hidden or system file");
    uint64_t hash, size;
    cr_assert(!published(".git/HEAD", &hash, &size) && !published(".DS_Store", &hash, &size),
              "a hidden file is packed");

    put("a.txt", "visible 2");
    await_text("a.txt", "visible 2", "a real change still builds");
    cr_assert_eq(watch_stop(), 0);
}

/* With --follow-links the watch sees what the build packs: a save inside a linked
 * folder outside the tree rebuilds, through events or polling. */
Test(watch, follow_links_sees_changes_behind_a_link) {
    char *shared = zct_join(zct_tmp, "shared");
    char *target = zct_join(shared, "sound.txt");
    zct_write_file(target, "take 1", 6);
    put("a.txt", "visible");
    char *link = in_path("audio");
    cr_assert_eq(symlink(shared, link), 0, "symlink: %s", strerror(errno));
    watch_start((const char *const[]){ "--poll", "100", "--follow-links", NULL });
    await_text("audio/sound.txt", "take 1", "the linked folder is packed");
    zct_write_file(target, "take 2", 6);
    await_text("audio/sound.txt", "take 2", "a save behind the link rebuilds");
    cr_assert_eq(watch_stop(), 0);
    free(link);
    free(target);
    free(shared);
}

/* The published pack opens only when signed by `key`: 1 when it opens with that key
 * as the one trusted key and its signature was verified. */
static int published_signed_by(const zc_public_key *key) {
    zc_pack *pack = NULL;
    if (zc_pack_open(&pack, &(zc_pack_desc){ .path = zcti_pack_path, .validate = ZC_VALIDATE_CHECKSUMS,
                                             .trusted_keys = key, .trusted_key_count = 1 }) != ZC_OK)
        return 0;
    zc_pack_info info;
    int verified = zc_pack_get_info(pack, &info) == ZC_OK && info.signature_verified &&
                   memcmp(info.signer_key_id, key->key_id, ZC_KEY_ID_SIZE) == 0;
    zc_pack_close(pack);
    return verified;
}

Test(watch, sign_signs_every_rebuilt_pack) {
    zc_public_key trusted;
    zct_make_keys("studio", NULL, &trusted);
    char *secret = zct_join(zct_tmp, "studio.key"), *pub = zct_join(zct_tmp, "studio.pub");

    /* An unusable key file: the watch stops before building anything. */
    char *not_a_key = zct_join(zct_tmp, "not_a.key");
    zct_write_file(not_a_key, "hello\n", 6);
    put("a.txt", "signed 1");
    zct_run bad = ZCT_CLI("watch", zcti_in_dir, "-o", zcti_pack_path, "--once", "--sign", not_a_key);
    ZCT_EXPECT_CODE(bad, ZC_EXIT_SIGNATURE);
    ZCT_EXPECT_ERR(bad, "not_a.key");
    cr_assert(!zct_exists(zcti_pack_path), "a pack was built although the key file is unusable");
    char *missing = zct_join(zct_tmp, "missing.key");
    zct_run absent = ZCT_CLI("watch", zcti_in_dir, "-o", zcti_pack_path, "--once", "--sign", missing);
    ZCT_EXPECT_CODE(absent, ZC_EXIT_IO);

    watch_start((const char *const[]){ "--poll", "100", "--sign", secret, NULL });
    await_text("a.txt", "signed 1", "first build");
    cr_assert(published_signed_by(&trusted), "the first build's pack does not verify with the key");

    put("a.txt", "signed 2, a rebuild");
    put("b.txt", "a new file");
    await_text("a.txt", "signed 2, a rebuild", "rebuild");
    await_text("b.txt", "a new file", "rebuild");
    cr_assert(published_signed_by(&trusted), "the rebuilt pack does not verify with the key");
    zct_run verify = ZCT_CLI("verify", zcti_pack_path, "--key", pub);
    ZCT_EXPECT_CODE(verify, ZC_EXIT_OK);
    cr_assert_eq(watch_stop(), 0);
    assert_no_temporaries();
    zct_run_free(&bad);
    zct_run_free(&absent);
    zct_run_free(&verify);
    free(secret), free(pub), free(not_a_key), free(missing);
}

/* ---------------------------------------------------------------------------------
 * Models follow the files they read (in-process watch, one edit after each build)
 * ------------------------------------------------------------------------------- */

#define GLTF_DIR "/usr/share/assimp/models/glTF2/BoxTextured-glTF/"

typedef struct reads_run {
    uint32_t misses[4];         /* cache misses of each build */
    uint32_t models[4];         /* models in each pack */
    zc_result results[4];
    pid_t servers[4];           /* the model worker server after each build; 0: none */
} reads_run;

static void append(const char *rel, const char *text) {
    char *p = in_path(rel);
    size_t size;
    uint8_t *bytes = zct_read_file(p, &size);
    cr_assert_not_null(bytes);
    uint8_t *grown = malloc(size + strlen(text));
    memcpy(grown, bytes, size);
    memcpy(grown + size, text, strlen(text));
    zct_write_file(p, grown, size + strlen(text));
    free(grown);
    free(bytes);
    free(p);
}

/* After build n, the edit that build n + 1 must follow. */
static void on_reads_rebuild(const zc_watch_rebuild *rb, void *user_data) {
    reads_run *run = (reads_run *)user_data;
    uint32_t n = rb->number - 1;
    if (n >= 4) return;
    run->misses[n] = rb->stats->cache_misses;
    run->models[n] = rb->stats->imported[zc_importer_index(zc_importer_find("model"))];
    run->results[n] = rb->result;
    if (zct_children_named(getpid(), ZC__SERVER_NAME, &run->servers[n], 1) != 1) run->servers[n] = 0;
    if (n == 0) append("data/notes.txt", "an unrelated edit\n");
    if (n == 1) append("box/BoxTextured0.bin", "\n"); /* bytes past the buffer's length */
    if (n == 2) {
        char *dir = in_path("box");
        free(zcti_copy(PYGAME "alien1.png", dir, "CesiumLogoFlat.png"));
        free(dir);
    }
}

Test(watch, model_is_rebuilt_when_a_file_it_read_changes) {
    zcti_require(GLTF_DIR "BoxTextured.gltf");
    char *dir = in_path("box");
    free(zcti_copy(GLTF_DIR "BoxTextured.gltf", dir, "BoxTextured.gltf"));
    free(zcti_copy(GLTF_DIR "BoxTextured0.bin", dir, "BoxTextured0.bin"));
    free(zcti_copy(GLTF_DIR "CesiumLogoFlat.png", dir, "CesiumLogoFlat.png"));
    free(zcti_copy("/usr/share/assimp/models/OBJ/box.obj", dir, "other.obj"));
    free(dir);
    put("data/notes.txt", "notes\n");
    reads_run run;
    memset(&run, 0, sizeof run);
    zc_watch_desc wd;
    memset(&wd, 0, sizeof wd);
    wd.build.input_dir = zcti_in_dir;
    wd.build.output_path = zcti_pack_path;
    wd.build.no_sync = 1;
    wd.build.threads = 2;
    wd.debounce_ms = 20;
    wd.poll_ms = 30;
    wd.max_rebuilds = 4;
    wd.on_rebuild = on_reads_rebuild;
    wd.user_data = &run;
    cr_assert_eq(zc_watch_run(&wd), ZC_OK);
    for (int i = 0; i < 4; ++i) cr_assert_eq(run.results[i], ZC_OK, "build %d", i + 1);
    cr_assert_eq(run.misses[0], 3, "first build: two models and the texture: %u", run.misses[0]);
    cr_assert_eq(run.misses[1], 0, "an unrelated file: no model imported again (%u)", run.misses[1]);
    cr_assert_eq(run.misses[2], 1, "the glTF's buffer: that model alone (%u)", run.misses[2]);
    cr_assert_eq(run.misses[3], 2, "the glTF's texture: the texture and that model alone (%u)", run.misses[3]);
    for (int i = 0; i < 4; ++i) cr_assert_eq(run.models[i], 2);
    /* one pool serves the whole watch: the workers of build 1 import the models of 3 and 4 */
    cr_assert_neq(run.servers[0], 0, "no model worker server after the first build");
    for (int i = 1; i < 4; ++i)
        cr_assert_eq(run.servers[i], run.servers[0], "build %d: worker server %d, not the first build's %d", i + 1,
                     (int)run.servers[i], (int)run.servers[0]);
    cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "no model import worker is left");
}
