/* zc_test_server.h - servers the suites start for real: nginx as a WebDAV store (the
 * shared cache of Bazel and of zcpack's build cache), and the helpers around them
 * (programs on PATH, free ports, log tails). Each helper succeeds or fails the
 * calling test with a Criterion assertion, except where its comment says otherwise.
 */
#ifndef ZC_TEST_SERVER_H
#define ZC_TEST_SERVER_H

#include <sys/types.h>

/* The program `name` on PATH, else `also` when it is executable; malloc'd, or NULL. */
char *zct_find_program(const char *name, const char *also);

/* A TCP port of 127.0.0.1 nothing listens on now (bound, read back and released). */
int zct_free_port(void);

/* 1 when something accepts connections on 127.0.0.1:port. */
int zct_port_open(int port);

/* The tail of a log file (at most 6000 bytes) for a failure message; malloc'd. */
char *zct_log_tail(const char *log);

/* nginx serving and storing <dir>/cache/ under http://127.0.0.1:<port>/cache/ with
 * WebDAV PUT (Debian's nginx-light has the module), its config, pid file, logs and
 * temporary files under <dir>. */
typedef struct zct_nginx {
    pid_t pid;                  /* nginx's master process; 0: not running */
    int port;
    char *dir;                  /* zct_tmp_path("nginx") */
    char url[64];               /* http://127.0.0.1:<port>/cache/ (https:// over TLS) */
} zct_nginx;

/* Start nginx (the program at `nginx`) in the foreground on a free port; returns once
 * it accepts connections (fails the test after 10 s, with its logs). */
void zct_nginx_start(zct_nginx *server, const char *nginx);

/* The same over TLS, under zct_tmp/nginx-tls/, with a self-signed certificate for
 * 127.0.0.1 that openssl makes there (cert.pem): a server no client trusts. Skips the
 * test when openssl is not installed. */
void zct_nginx_start_tls(zct_nginx *server, const char *nginx);

/* Stop it (SIGQUIT: finish the requests in progress; SIGKILL after 10 s) and free
 * its strings. A server never started or already stopped is a no-op. */
void zct_nginx_stop(zct_nginx *server);

#endif /* ZC_TEST_SERVER_H */
