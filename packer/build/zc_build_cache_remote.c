/* zc_build_cache_remote.c - the build cache's shared server (zc_build_cache.h,
 * "Shared server"): records fetched with HTTP GET into the cache directory before
 * the local lookup is repeated, and records stored locally sent with HTTP PUT.
 *
 * Transfers use libcurl, one easy handle per transfer taken from a small pool kept
 * under the cache's lock, so connections to the server are reused across files and
 * threads. Nothing fetched is trusted here: a fetched file lands in the directory
 * under its key like a local record and is then read with every check of
 * zc__build_cache_load_record.
 *
 * On Linux libcurl is loaded (dlopen of libcurl.so.4) when the first cache with a
 * server opens, not linked: it and the two dozen libraries it pulls in (TLS,
 * Kerberos, LDAP, SSH, ...) cost every process that maps them about 4 ms at start
 * here, more than a whole `zcpack import` of a small file, and only a build with
 * --cache-url uses them. zcpack.exe links its own static libcurl.
 */
#define _GNU_SOURCE /* O_CLOEXEC */
#include <curl/curl.h>
#include <stddef.h>

#include "zc_dl.h"
#include "zc_tmpfile.h"
#include "zc_build_cache_internal.h"
#include "zc_packer_os.h"

#define ZC__REMOTE_CONNECT_MS 3000L     /* connecting to the server */
#define ZC__REMOTE_LOW_SPEED 1024L      /* bytes per second below which a transfer stalls */
#define ZC__REMOTE_POOL 16u             /* idle handles kept */
#define ZC__LIBCURL "libcurl.so.4"      /* the soname of libcurl's ABI 4 */

/* Every libcurl call of this file: its field is the function's name without "curl_". */
#define ZC__CURL_CALLS(X)                                                                                          \
    X(global_init) X(easy_init) X(easy_reset) X(easy_cleanup) X(easy_setopt) X(easy_perform) X(easy_getinfo)       \
    X(easy_strerror) X(slist_append) X(slist_free_all)

/* The table, filled once by zc__curl_load; each field has the type of libcurl's own
 * declaration (checked without referring to the function). */
static struct {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    void (*easy_reset)(CURL *h);
    void (*easy_cleanup)(CURL *h);
    CURLcode (*easy_setopt)(CURL *h, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *h);
    CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *text);
    void (*slist_free_all)(struct curl_slist *list);
} zc__curl;
#if defined(__GNUC__)
#define ZC__SAME_TYPE(name)                                                                                        \
    _Static_assert(__builtin_types_compatible_p(__typeof__(&(curl_##name)), __typeof__(zc__curl.name)),             \
                   "zc__curl." #name " differs from libcurl's curl_" #name);
ZC__CURL_CALLS(ZC__SAME_TYPE)
#endif

static pthread_once_t zc__curl_once = PTHREAD_ONCE_INIT;
static char zc__curl_error[256]; /* empty when libcurl is loaded and started */

#ifdef _WIN32
static int zc__curl_bind(void) {
#define ZC__BIND(name) zc__curl.name = curl_##name;
    ZC__CURL_CALLS(ZC__BIND)
#undef ZC__BIND
    return 1;
}
#else
static int zc__curl_bind(void) {
#define ZC__ROW(name) { "curl_" #name, offsetof(__typeof__(zc__curl), name) },
    static const zc__dl_symbol symbols[] = { ZC__CURL_CALLS(ZC__ROW) };
#undef ZC__ROW
    return zc__dl_fill(ZC__LIBCURL, symbols, sizeof symbols / sizeof *symbols, &zc__curl, zc__curl_error,
                      sizeof zc__curl_error);
}
#endif

/* Load and start libcurl once per process; it stays loaded. */
static void zc__curl_load(void) {
    if (zc__curl_bind() && zc__curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        snprintf(zc__curl_error, sizeof zc__curl_error, "libcurl could not start");
}

zc_result zc_build_cache_check_url(const char *url) {
    size_t len = url ? strlen(url) : 0;
    int ok = (strncmp(url ? url : "", "http://", 7) == 0 && len > 7) || (strncmp(url ? url : "", "https://", 8) == 0 && len > 8);
    return ok ? ZC_OK : ZC_ERR_INVALID_ARGUMENT;
}

int zc__remote_open(zc_build_cache *c, const char *url, uint32_t stall_ms) {
    size_t len = strlen(url);
    if (zc_build_cache_check_url(url) != ZC_OK) {
        zc__build_cache_log(c, ZC_LOG_ERROR, "%s: not an http:// or https:// address for the build cache server", url);
        errno = EINVAL;
        return -1;
    }
    pthread_once(&zc__curl_once, zc__curl_load);
    if (zc__curl_error[0]) {
        zc__build_cache_log(c, ZC_LOG_WARNING, "%s: build cache server not used: %s: building without it", url,
                            zc__curl_error);
        return 0;
    }
    if (!(c->url = zc__build_cache_strdup(url))) return -1;
    while (len > 1 && c->url[len - 1] == '/') c->url[--len] = 0;
    c->stall_s = (long)((stall_ms ? stall_ms : ZC_BUILD_CACHE_DEFAULT_STALL_MS) + 999) / 1000;
    return 0;
}

void zc__remote_close(zc_build_cache *c) {
    for (size_t i = 0; i < c->idle_count; ++i) zc__curl.easy_cleanup((CURL *)c->idle[i]);
    c->idle_count = 0;
    free(c->url);
    c->url = NULL;
}

/* A handle from the pool (or a new one), reset, set up for `url` with the limits
 * every transfer has. NULL when none can be made. */
static CURL *zc__handle_take(zc_build_cache *c, const char *url) {
    CURL *h = NULL;
    pthread_mutex_lock(&c->lock);
    if (c->idle_count) h = (CURL *)c->idle[--c->idle_count];
    pthread_mutex_unlock(&c->lock);
    if (h)
        zc__curl.easy_reset(h);
    else if (!(h = zc__curl.easy_init()))
        return NULL;
    zc__curl.easy_setopt(h, CURLOPT_URL, url);
    zc__curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS timeouts */
    zc__curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    zc__curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ZC__REMOTE_CONNECT_MS);
    zc__curl.easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, ZC__REMOTE_LOW_SPEED);
    zc__curl.easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->stall_s);
    zc__curl.easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL); /* credentials from ~/.netrc */
    zc__curl.easy_setopt(h, CURLOPT_USERAGENT, "zcpack");
    return h;
}

static void zc__handle_give(zc_build_cache *c, CURL *h) {
    pthread_mutex_lock(&c->lock);
    if (c->idle_count < ZC__REMOTE_POOL) {
        c->idle[c->idle_count++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    if (h) zc__curl.easy_cleanup(h);
}

/* A transfer that could not reach the server at all, or could not set up TLS with it
 * (a certificate that is not trusted, a handshake that fails), turns the server off
 * for the rest of the cache's life, with one warning: every later file would wait for
 * the same time-out or meet the same certificate. */
static int zc__unreachable(CURLcode code) {
    return code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
           code == CURLE_COULDNT_RESOLVE_PROXY || code == CURLE_OPERATION_TIMEDOUT ||
           code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CONNECT_ERROR ||
           code == CURLE_SSL_CACERT_BADFILE || code == CURLE_SSL_CERTPROBLEM || code == CURLE_SSL_ISSUER_ERROR;
}

static void zc__server_down(zc_build_cache *c, const char *what) {
    if (atomic_exchange(&c->remote_down, 1) == 0)
        zc__build_cache_log(c, ZC_LOG_WARNING, "%s: build cache server not reachable (%s): building without it", c->url, what);
}

/* ---------------------------------------------------------------------------------
 * GET
 * ------------------------------------------------------------------------------- */

typedef struct zc__fetch {
    int fd;
    uint64_t bytes;
    uint64_t limit;             /* bytes a record may have (as a stored one) */
    int write_errno;            /* 0, or the errno of a failed write */
} zc__fetch;

static size_t zc__fetch_write(char *data, size_t one, size_t count, void *user) {
    zc__fetch *f = (zc__fetch *)user;
    size_t n = one * count;
    if (f->bytes + n > f->limit) return 0; /* ends the transfer (CURLE_WRITE_ERROR) */
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(f->fd, data + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            f->write_errno = w < 0 ? errno : EIO;
            return 0;
        }
        done += (size_t)w;
    }
    f->bytes += n;
    return n;
}

zc__load zc__remote_fetch(zc_build_cache *c, const uint8_t key[16], zc_diag *why) {
    why->message[0] = 0;
    if (!c->url || atomic_load(&c->remote_down)) return ZC__LOAD_ABSENT;
    char *address = zc__build_cache_key_path(c->url, key);
    char *final = zc__build_cache_record_path(c, key);
    char *tmp = NULL;
    zc__fetch f = { -1, 0, c->max_bytes / 2, 0 };
    zc__load result = ZC__LOAD_FAILED;
    CURL *h = NULL;
    if (!address || !final || zc__build_cache_record_dir(final) != 0 ||
        (f.fd = zc__tmpfile_create(final, &tmp)) < 0) {
        zc_fail(why, ZC_ERR_IO, "cannot store what the server sends: %s", strerror(errno));
        goto done;
    }
    if (!(h = zc__handle_take(c, address))) {
        zc_fail(why, ZC_ERR_OUT_OF_MEMORY, "out of memory");
        goto done;
    }
    zc__curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, zc__fetch_write);
    zc__curl.easy_setopt(h, CURLOPT_WRITEDATA, &f);
    zc__curl.easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f.limit);
    CURLcode code = zc__curl.easy_perform(h);
    long status = 0;
    zc__curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (code == CURLE_OK && status == 200) {
        result = close(f.fd) == 0 && rename(tmp, final) == 0 ? ZC__LOAD_HIT : ZC__LOAD_FAILED;
        f.fd = -1;
        if (result != ZC__LOAD_HIT) zc_fail(why, ZC_ERR_IO, "%s: cannot store: %s", final, strerror(errno));
    } else if (code == CURLE_OK && status == 404) {
        result = ZC__LOAD_ABSENT;
    } else if (code == CURLE_OK) {
        zc_fail(why, ZC_ERR_IO, "%s: the server answered HTTP %ld", address, status);
    } else if (zc__unreachable(code) && status == 0) {
        zc__server_down(c, zc__curl.easy_strerror(code));
        result = ZC__LOAD_ABSENT;
    } else if (code == CURLE_WRITE_ERROR || code == CURLE_FILESIZE_EXCEEDED) {
        zc_fail(why, ZC_ERR_LIMIT, "%s: %s", address,
                f.write_errno ? strerror(f.write_errno) : "larger than a record may be (half the cache's bound)");
    } else {
        zc_fail(why, ZC_ERR_IO, "%s: %s", address, zc__curl.easy_strerror(code));
    }
done:
    if (h) zc__handle_give(c, h);
    if (f.fd >= 0) close(f.fd);
    if (tmp && result != ZC__LOAD_HIT) unlink(tmp);
    free(tmp);
    free(final);
    free(address);
    return result;
}

/* ---------------------------------------------------------------------------------
 * PUT
 * ------------------------------------------------------------------------------- */

static size_t zc__store_read(char *data, size_t one, size_t count, void *user) {
    int fd = *(int *)user;
    for (;;) {
        ssize_t n = read(fd, data, one * count);
        if (n < 0 && errno == EINTR) continue;
        return n < 0 ? CURL_READFUNC_ABORT : (size_t)n;
    }
}

int zc__remote_store(zc_build_cache *c, const uint8_t key[16]) {
    if (!c->url || atomic_load(&c->remote_down) || atomic_load(&c->remote_put_refused)) return 0;
    char *address = zc__build_cache_key_path(c->url, key);
    char *path = zc__build_cache_record_path(c, key);
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    struct stat st;
    CURL *h = NULL;
    int sent = 0;
    if (address && fd >= 0 && fstat(fd, &st) == 0 && (h = zc__handle_take(c, address))) {
        zc__curl.easy_setopt(h, CURLOPT_UPLOAD, 1L);
        zc__curl.easy_setopt(h, CURLOPT_READFUNCTION, zc__store_read);
        zc__curl.easy_setopt(h, CURLOPT_READDATA, &fd);
        zc__curl.easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)st.st_size);
        /* no "Expect: 100-continue": a server that never answers it would stall
         * every upload for a second */
        struct curl_slist *no_expect = zc__curl.slist_append(NULL, "Expect:");
        zc__curl.easy_setopt(h, CURLOPT_HTTPHEADER, no_expect);
        CURLcode code = zc__curl.easy_perform(h);
        zc__curl.easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
        zc__curl.slist_free_all(no_expect);
        long status = 0;
        zc__curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        if (code == CURLE_OK && status >= 200 && status < 300) {
            sent = 1;
        } else if (code == CURLE_OK) {
            /* a read-only or misconfigured server: say so once, keep fetching */
            if (atomic_exchange(&c->remote_put_refused, 1) == 0)
                zc__build_cache_log(c, ZC_LOG_WARNING, "%s: the build cache server refused a record (HTTP %ld): not sending more",
                         c->url, status);
        } else if (zc__unreachable(code) && status == 0) {
            zc__server_down(c, zc__curl.easy_strerror(code));
        } else {
            zc__build_cache_log(c, ZC_LOG_INFO, "%s: record not sent: %s", address, zc__curl.easy_strerror(code));
        }
    }
    if (h) zc__handle_give(c, h);
    if (fd >= 0) close(fd);
    free(path);
    free(address);
    return sent;
}
