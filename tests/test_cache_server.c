/* test_cache_server.c - the build cache's shared server (zc_build_cache.h, "Shared
 * server"; zcpack build --cache-url), on a tree of the demo assets plus assimp's OBJ
 * spider with its material library and images:
 *  - with a real nginx WebDAV server started here, a first checkout sends every
 *    import; a second checkout of the same tree in another folder, with an empty cache
 *    directory of its own (a second machine), fetches every import and writes the
 *    bytes of a build without any cache; the CLI says so in its summary;
 *  - with the server down, the build warns once, imports everything locally and
 *    writes the same bytes;
 *  - a hostile server (garbage, another key's record, a truncated record, a record
 *    with one payload byte changed, an endless body, an error status, a stalled
 *    answer, a refused upload) costs imports, never the build or its bytes: damaged
 *    records are counted as rejected and nothing of them stays in the cache.
 * The hostile server is a thread of the test answering one request per connection.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zc_build.h"
#include "zc_build_cache.h"
#include "zc_exit.h"
#include "zc_test_images.h"
#include "zc_test_server.h"
#include "zc_test_util.h"

#define OBJ ZCTI_ASSIMP "/OBJ/"

static zct_nginx nginx_server;

static void setup(void) {
    zct_tmp_setup();
}

static void teardown(void) {
    zct_nginx_stop(&nginx_server);
    zct_tmp_teardown();
}

TestSuite(cache_server, .init = setup, .fini = teardown, .timeout = 300);

/* ---------------------------------------------------------------------------------
 * Trees and builds
 * ------------------------------------------------------------------------------- */

static const char *copy_root;   /* nftw's callback: where the copy goes */
static size_t copy_skip;        /* bytes of the source root's path */

static int copy_one(const char *path, const struct stat *st, int kind, struct FTW *ftw) {
    (void)st;
    (void)ftw;
    if (kind == FTW_F) zct_copy_file(path, copy_root, path + copy_skip + 1);
    return 0;
}

/* <checkout>/assets: samples/assets, and spider/ with the OBJ spider. Returns the
 * malloc'd assets path. */
static char *checkout(const char *name) {
    char *dir = zct_tmp_path(name);
    char *assets = zct_join(dir, "assets");
    zct_mkdirs(assets);
    const char *demo = zct_source_path("samples/assets");
    copy_root = assets;
    copy_skip = strlen(demo);
    cr_assert_eq(nftw(demo, copy_one, 16, FTW_PHYS), 0);
    zcti_require(OBJ "spider.obj");
    static const char *const spider[] = { "spider.obj", "spider.mtl", "SpiderTex.jpg", "drkwood2.jpg",
                                          "engineflare1.jpg", "wal67ar_small.jpg", "wal69ar_small.jpg" };
    for (size_t i = 0; i < sizeof spider / sizeof *spider; ++i) {
        char src[256], rel[64];
        snprintf(src, sizeof src, OBJ "%s", spider[i]);
        snprintf(rel, sizeof rel, "spider/%s", spider[i]);
        zct_copy_file(src, assets, rel);
    }
    free(dir);
    return assets;
}

/* Files a build imports through the cache: the demo's 3 textures and its glTF, the
 * spider and its 5 images (textures of the tree too). */
#define TREE_CACHED 10u

typedef struct build_opts {
    const char *cache_dir;      /* NULL: no cache unless `cache` */
    const char *url;
    zc_build_cache *cache;
} build_opts;

static zc_build_stats build(const char *assets, const char *out, const build_opts *o, zct_log *log) {
    zc_build_desc d;
    memset(&d, 0, sizeof d);
    d.input_dir = assets;
    d.output_path = out;
    d.no_sync = 1;
    d.threads = 2;
    d.cache_dir = o ? o->cache_dir : NULL;
    d.cache_url = o ? o->url : NULL;
    d.cache = o ? o->cache : NULL;
    zct_log local;
    memset(&local, 0, sizeof local);
    d.logger = zct_log_recorder(log ? log : &local);
    zc_build_stats st;
    zc_result r = zc_build(&d, &st);
    const zct_log *l = log ? log : &local;
    cr_assert_eq(r, ZC_OK, "build of %s: %s (%s)", out, zc_result_str(r), l->errors ? l->messages[0] : "");
    cr_assert(st.pack_written);
    return st;
}

/* Records (files named by 32 hex digits) below dir. */
static size_t records_in(const char *dir);

static size_t record_count;
static int count_record(const char *path, const struct stat *st, int kind, struct FTW *ftw) {
    (void)st;
    const char *name = path + ftw->base;
    if (kind == FTW_F && strlen(name) == 32 && strspn(name, "0123456789abcdef") == 32) record_count++;
    return 0;
}

static size_t records_in(const char *dir) {
    record_count = 0;
    if (zct_exists(dir)) cr_assert_eq(nftw(dir, count_record, 16, FTW_PHYS), 0);
    return record_count;
}

/* ---------------------------------------------------------------------------------
 * nginx
 * ------------------------------------------------------------------------------- */

static char *nginx_or_skip(void) {
    char *nginx = zct_find_program("nginx", "/usr/sbin/nginx");
    if (!nginx) zct_skip_test("nginx is not installed (tools/bootstrap.sh --test-data installs nginx-light)");
    return nginx;
}

Test(cache_server, second_checkout_fetches_every_import) {
    char *nginx = nginx_or_skip();
    zct_nginx_start(&nginx_server, nginx);
    char *a = checkout("a"), *b = checkout("b");
    char *clean = zct_tmp_path("clean.zcpack"), *pack_a = zct_tmp_path("a.zcpack"),
         *pack_b = zct_tmp_path("b.zcpack"), *cache_a = zct_tmp_path("a/cache"), *cache_b = zct_tmp_path("b/cache");
    build(a, clean, NULL, NULL);

    zc_build_stats first = build(a, pack_a, &(build_opts){ .cache_dir = cache_a, .url = nginx_server.url }, NULL);
    cr_assert_eq(first.cache_misses, TREE_CACHED);
    cr_assert_eq(first.cache_sent, TREE_CACHED, "%u of %u records sent", first.cache_sent, TREE_CACHED);
    char *stored = zct_join(nginx_server.dir, "cache");
    cr_assert_eq(records_in(stored), TREE_CACHED, "the server holds %zu records", records_in(stored));

    zc_build_stats second = build(b, pack_b, &(build_opts){ .cache_dir = cache_b, .url = nginx_server.url }, NULL);
    cr_assert_eq(second.cache_misses, 0, "%u files imported on the second machine", second.cache_misses);
    cr_assert_eq(second.cache_hits, TREE_CACHED);
    cr_assert_eq(second.cache_fetched, TREE_CACHED);
    cr_assert_eq(second.cache_rejected, 0);
    cr_assert_eq(records_in(cache_b), TREE_CACHED, "fetched records are kept in the local cache");
    cr_assert(zct_files_equal(pack_a, clean), "the first checkout's pack differs from a build without cache");
    cr_assert(zct_files_equal(pack_b, clean), "the second checkout's pack differs from a build without cache");

    /* The CLI (a program of its own, so keys of its own): a build on one machine
     * sends, a build on another takes every file from the server, as its summary
     * says. */
    char *cli_first = zct_tmp_path("c1.zcpack"), *cli_pack = zct_tmp_path("c2.zcpack"); /* caches beside */
    zct_run first_cli = ZCT_CLI("build", a, "-o", cli_first, "--cache-url", nginx_server.url);
    ZCT_EXPECT_CODE(first_cli, ZC_EXIT_OK);
    zct_run_free(&first_cli);
    zct_run run = ZCT_CLI("build", b, "-o", cli_pack, "--cache-url", nginx_server.url);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    char want[256];
    snprintf(want, sizeof want, "%u files from the cache (%u from %s), 0 imported", TREE_CACHED, TREE_CACHED,
             nginx_server.url);
    cr_assert(strstr(run.out, want), "summary lacks \"%s\":\n%s", want, run.out);
    cr_assert(zct_files_equal(cli_pack, clean));
    zct_run_free(&run);

    free(cli_pack);
    free(cli_first);
    free(stored);
    free(cache_b);
    free(cache_a);
    free(pack_b);
    free(pack_a);
    free(clean);
    free(b);
    free(a);
    free(nginx);
}

Test(cache_server, server_down_builds_locally) {
    char *a = checkout("a");
    char *clean = zct_tmp_path("clean.zcpack"), *pack = zct_tmp_path("a.zcpack"), *cache = zct_tmp_path("cache");
    build(a, clean, NULL, NULL);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/cache", zct_free_port());
    zct_log log;
    memset(&log, 0, sizeof log);
    uint64_t start = zct_now_ns();
    zc_build_stats st = build(a, pack, &(build_opts){ .cache_dir = cache, .url = url }, &log);
    double seconds = (double)(zct_now_ns() - start) / 1e9;
    cr_assert_eq(st.cache_misses, TREE_CACHED);
    cr_assert_eq(st.cache_fetched + st.cache_sent, 0);
    int warnings = 0;
    for (int i = 0; i < log.count && i < ZCT_LOG_MAX; ++i)
        warnings += log.levels[i] == ZC_LOG_WARNING && strstr(log.messages[i], "not reachable") != NULL;
    cr_assert_eq(warnings, 1, "%d warnings about the server (one expected)", warnings);
    cr_assert(zct_log_contains(&log, url), "the warning names the server");
    cr_assert(zct_files_equal(pack, clean));
    cr_assert_eq(records_in(cache), TREE_CACHED, "the local cache still works");
    cr_assert_lt(seconds, 30.0, "a server that is down must not cost a time-out per file");

    /* A server named wrongly is a usage error of the CLI. */
    zct_run run = ZCT_CLI("build", a, "-o", pack, "--cache-url", "ftp://127.0.0.1/cache");
    ZCT_EXPECT_CODE(run, ZC_EXIT_USAGE);
    cr_assert(strstr(run.err, "--cache-url ftp://127.0.0.1/cache: expected an http:// or https:// address"), "%s",
              run.err);
    zct_run_free(&run);
    free(cache);
    free(pack);
    free(clean);
    free(a);
}

/* An https:// server whose certificate nobody trusts (self-signed): TLS cannot be set
 * up, so the build warns once, naming the reason, sends nothing, and writes the pack
 * a build without a server writes. */
Test(cache_server, untrusted_certificate_is_one_warning) {
    char *nginx = nginx_or_skip();
    zct_nginx_start_tls(&nginx_server, nginx);
    char *a = checkout("a");
    char *clean = zct_tmp_path("clean.zcpack"), *pack = zct_tmp_path("tls.zcpack");
    build(a, clean, NULL, NULL);
    zct_run run = ZCT_CLI("build", a, "-o", pack, "--cache-url", nginx_server.url);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    char want[256];
    snprintf(want, sizeof want, "https://127.0.0.1:%d/cache: build cache server not reachable (SSL peer certificate",
             nginx_server.port);
    cr_assert(strstr(run.err, want), "no warning \"%s\":\n%s", want, run.err);
    cr_assert_null(strstr(strstr(run.err, "not reachable") + 1, "not reachable"), "more than one warning:\n%s",
                   run.err);
    char *stored = zct_join(nginx_server.dir, "cache");
    cr_assert_eq(records_in(stored), 0, "records reached a server whose certificate is not trusted");
    cr_assert(zct_files_equal(pack, clean), "the pack differs from a build without a server");
    zct_run_free(&run);
    free(stored);
    free(pack);
    free(clean);
    free(a);
    free(nginx);
}

/* ---------------------------------------------------------------------------------
 * A hostile server
 * ------------------------------------------------------------------------------- */

typedef enum hostile_mode {
    GARBAGE,        /* 200 with random bytes */
    OTHER_KEY,      /* 200 with a valid record of another file */
    TRUNCATED,      /* 200 with a valid record cut in half */
    FLIPPED,        /* 200 with the right record, one payload byte changed */
    ENDLESS,        /* 200 without a length, bytes until the client gives up */
    HUGE_LENGTH,    /* 200 announcing 1 TB */
    ERROR_500,      /* 500 */
    STALLED,        /* headers, then nothing */
    MODE_COUNT
} hostile_mode;

static const char *const mode_names[] = { "garbage", "another key's record", "a truncated record",
                                          "a record with one byte changed", "an endless body", "a 1 TB length",
                                          "HTTP 500", "a stalled answer" };

typedef struct hostile {
    int listen_fd;
    int port;
    hostile_mode mode;
    const char *records;        /* a real cache directory: its records are served */
    int puts;                   /* PUT requests answered (403); atomic */
    int gets;                   /* atomic */
    int open_connections;       /* atomic */
    pthread_t thread;
    volatile int stop;
} hostile;

static void send_all(int fd, const void *data, size_t size) {
    const char *p = (const char *)data;
    while (size) {
        ssize_t n = send(fd, p, size, MSG_NOSIGNAL);
        if (n <= 0) return;
        p += n;
        size -= (size_t)n;
    }
}

/* The request's head (up to the blank line) into buf; its body, if any, read and
 * dropped. 0 when the connection ends first. */
static int read_request(int fd, char *buf, size_t cap) {
    size_t len = 0;
    while (len + 1 < cap) {
        ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
        if (n <= 0) return 0;
        len += (size_t)n;
        buf[len] = 0;
        char *end = strstr(buf, "\r\n\r\n");
        if (!end) continue;
        const char *cl = strcasestr(buf, "\r\ncontent-length:");
        long long body = cl ? atoll(cl + 17) : 0, have = (long long)(len - (size_t)(end + 4 - buf));
        char sink[65536];
        while (have < body) {
            n = recv(fd, sink, sizeof sink, 0);
            if (n <= 0) return 0;
            have += n;
        }
        return 1;
    }
    return 0;
}

/* The bytes of the server's answer to GET <path> for the current mode; malloc'd. */
static uint8_t *record_for(const hostile *h, const char *path, size_t *size) {
    const char *name = strrchr(path, '/');
    char *file = NULL;
    if (h->mode == OTHER_KEY) {
        /* any record of the directory but the one asked for */
        DIR *top = opendir(h->records);
        struct dirent *e;
        while (!file && top && (e = readdir(top)) != NULL) {
            if (strlen(e->d_name) != 2) continue;
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", h->records, e->d_name);
            DIR *d = opendir(sub);
            struct dirent *r;
            while (!file && d && (r = readdir(d)) != NULL) {
                if (strlen(r->d_name) != 32 || strcmp(r->d_name, name + 1) == 0) continue;
                file = zct_join(sub, r->d_name);
            }
            if (d) closedir(d);
        }
        if (top) closedir(top);
    } else {
        char rel[64];
        snprintf(rel, sizeof rel, "%.2s/%.32s", name + 1, name + 1);
        file = zct_join(h->records, rel);
    }
    uint8_t *bytes = file ? zct_read_file(file, size) : NULL;
    free(file);
    return bytes;
}

static void answer(hostile *h, int fd, const char *request) {
    char head[256];
    if (strncmp(request, "PUT ", 4) == 0) {
        __atomic_fetch_add(&h->puts, 1, __ATOMIC_SEQ_CST);
        const char *refused = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        send_all(fd, refused, strlen(refused));
        return;
    }
    uint64_t seed = (uint64_t)(__atomic_add_fetch(&h->gets, 1, __ATOMIC_SEQ_CST)) * 0x9E3779B97F4A7C15u;
    char path[256] = "";
    sscanf(request, "GET %255s", path);
    size_t size = 0;
    uint8_t *body = NULL;
    switch (h->mode) {
    case GARBAGE:
        size = 4096;
        body = malloc(size);
        for (size_t i = 0; i < size; ++i) body[i] = (uint8_t)((seed = seed * 6364136223846793005u + 1) >> 56);
        break;
    case OTHER_KEY:
    case TRUNCATED:
    case FLIPPED:
        body = record_for(h, path, &size);
        cr_assert_not_null(body, "no record to serve for %s", path);
        if (h->mode == TRUNCATED) size /= 2;
        if (h->mode == FLIPPED) body[size - 9] ^= 0x20; /* the last payload byte, before the trailer */
        break;
    case ENDLESS: {
        const char *start = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";
        send_all(fd, start, strlen(start));
        char chunk[65536];
        memset(chunk, 'z', sizeof chunk);
        for (int i = 0; i < 4096 && !h->stop; ++i) send_all(fd, chunk, sizeof chunk); /* up to 256 MiB */
        return;
    }
    case HUGE_LENGTH: {
        const char *start = "HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\nConnection: close\r\n\r\nZCBR";
        send_all(fd, start, strlen(start));
        return;
    }
    case ERROR_500: {
        const char *err = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\nConnection: close\r\n\r\noops\n";
        send_all(fd, err, strlen(err));
        return;
    }
    case STALLED: {
        const char *start = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nConnection: close\r\n\r\nZCBR";
        send_all(fd, start, strlen(start));
        struct pollfd gone = { fd, POLLIN, 0 }; /* until the client gives up (or 10 s) */
        poll(&gone, 1, 10000);
        return;
    }
    default: return;
    }
    snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", size);
    send_all(fd, head, strlen(head));
    send_all(fd, body, size);
    free(body);
}

typedef struct connection {
    hostile *server;
    int fd;
} connection;

static void *connection_main(void *arg) {
    connection *c = (connection *)arg;
    struct timeval tv = { 5, 0 }; /* not the listening socket's 200 ms */
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char request[8192];
    if (read_request(c->fd, request, sizeof request)) answer(c->server, c->fd, request);
    shutdown(c->fd, SHUT_RDWR);
    close(c->fd);
    __atomic_fetch_sub(&c->server->open_connections, 1, __ATOMIC_SEQ_CST);
    free(c);
    return NULL;
}

/* Accepts until stopped; each connection is answered on a thread of its own, as a
 * real server answers requests side by side. */
static void *hostile_main(void *arg) {
    hostile *h = (hostile *)arg;
    while (!h->stop) {
        int fd = accept(h->listen_fd, NULL, NULL);
        if (fd < 0) continue;
        connection *c = malloc(sizeof *c);
        c->server = h;
        c->fd = fd;
        __atomic_fetch_add(&h->open_connections, 1, __ATOMIC_SEQ_CST);
        pthread_t t;
        if (pthread_create(&t, NULL, connection_main, c) == 0) {
            pthread_detach(t);
        } else {
            close(fd);
            __atomic_fetch_sub(&h->open_connections, 1, __ATOMIC_SEQ_CST);
            free(c);
        }
    }
    while (__atomic_load_n(&h->open_connections, __ATOMIC_SEQ_CST) > 0) zct_sleep_ms(10);
    return NULL;
}

static void hostile_start(hostile *h) {
    h->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(h->listen_fd, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    cr_assert_eq(bind(h->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(h->listen_fd, 64), 0);
    cr_assert_eq(getsockname(h->listen_fd, (struct sockaddr *)&a, &len), 0);
    h->port = ntohs(a.sin_port);
    struct timeval tv = { 0, 200000 }; /* accept wakes up to see stop */
    setsockopt(h->listen_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    cr_assert_eq(pthread_create(&h->thread, NULL, hostile_main, h), 0);
}

static void hostile_stop(hostile *h) {
    h->stop = 1;
    pthread_join(h->thread, NULL);
    close(h->listen_fd);
}

Test(cache_server, hostile_server_costs_imports_only) {
    char *a = checkout("a");
    char *clean = zct_tmp_path("clean.zcpack"), *pack = zct_tmp_path("a.zcpack"),
         *good = zct_tmp_path("good-cache"); /* the records the hostile server bends */
    build(a, clean, &(build_opts){ .cache_dir = good }, NULL);
    cr_assert_eq(records_in(good), TREE_CACHED);
    hostile h;
    memset(&h, 0, sizeof h);
    h.records = good;
    hostile_start(&h);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/zc", h.port);

    for (int m = 0; m < MODE_COUNT; ++m) {
        h.mode = (hostile_mode)m;
        h.gets = h.puts = 0;
        char name[32];
        snprintf(name, sizeof name, "cache-%d", m);
        char *dir = zct_tmp_path(name);
        zc_build_cache *cache = NULL;
        zct_log log;
        memset(&log, 0, sizeof log);
        /* 8 MiB bound: no record may be over 4 MiB; stalls fail after 1 s */
        cr_assert_eq(zc_build_cache_open(&cache, &(zc_build_cache_desc){ .dir = dir, .url = url,
                                                                          .max_bytes = 8u << 20, .stall_ms = 1000,
                                                                          .logger = zct_log_recorder(&log) }),
                     ZC_OK);
        zct_log build_log;
        memset(&build_log, 0, sizeof build_log);
        zc_build_stats st = build(a, pack, &(build_opts){ .cache = cache }, &build_log);
        zc_build_cache_close(cache);
        const char *what = mode_names[m];
        cr_assert(zct_files_equal(pack, clean), "%s: the pack differs from a build without cache", what);
        cr_assert_eq(st.cache_misses, TREE_CACHED, "%s: %u imported", what, st.cache_misses);
        cr_assert_eq(st.cache_fetched, 0, "%s: %u records taken from the server", what, st.cache_fetched);
        cr_assert_eq(st.cache_sent, 0, "%s", what);
        cr_assert_geq(h.gets, 1, "%s: the server was never asked", what);
        int damaged = m == GARBAGE || m == OTHER_KEY || m == TRUNCATED || m == FLIPPED;
        cr_assert_eq(st.cache_rejected, damaged ? TREE_CACHED : 0, "%s: %u rejected (%s)", what, st.cache_rejected,
                     build_log.messages[build_log.count > 3 ? 3 : 0]);
        /* the local cache holds this build's own records, nothing the server sent */
        cr_assert_eq(records_in(dir), TREE_CACHED, "%s", what);
        /* one upload is refused; the other build thread may have one on its way */
        cr_assert(h.puts >= 1 && h.puts <= 2, "%s: %d uploads after a refusal (one or two expected)", what, h.puts);
        cr_assert(zct_log_contains(&log, "refused a record (HTTP 403)"), "%s", what);
        free(dir);
    }
    hostile_stop(&h);
    free(good);
    free(pack);
    free(clean);
    free(a);
}
