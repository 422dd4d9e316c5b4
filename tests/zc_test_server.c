/* zc_test_server.c - servers the suites start for real (zc_test_server.h). */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zc_test_server.h"
#include "zc_test_util.h"

/* The program `name` on PATH, else `also` when it is executable; malloc'd, or NULL. */
char *zct_find_program(const char *name, const char *also) {
    const char *path = getenv("PATH");
    char *copy = strdup(path ? path : "/usr/bin:/bin"), *found = NULL;
    for (char *dir = strtok(copy, ":"); dir && !found; dir = strtok(NULL, ":")) {
        found = zct_join(dir, name);
        if (access(found, X_OK) != 0) {
            free(found);
            found = NULL;
        }
    }
    free(copy);
    if (!found && also && access(also, X_OK) == 0) found = strdup(also);
    return found;
}

/* The tail of a log file (at most 6000 bytes) for a failure message; malloc'd. */
char *zct_log_tail(const char *log) {
    size_t size = 0;
    uint8_t *bytes = zct_read_file(log, &size);
    if (!bytes) return strdup("(no output)");
    size_t keep = size > 6000 ? 6000 : size;
    char *tail = malloc(keep + 1);
    memcpy(tail, bytes + size - keep, keep);
    tail[keep] = 0;
    free(bytes);
    return tail;
}

/* A port nothing listens on now (bound, read back and released). */
int zct_free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0, "bind: %s", strerror(errno));
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

int zct_port_open(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0) close(fd);
    return ok;
}

/* A self-signed certificate for 127.0.0.1 (cert.pem, key.pem in dir), made by the
 * openssl program; the test is skipped without it. */
static void zct__self_signed(const char *dir) {
    char *openssl = zct_find_program("openssl", "/usr/bin/openssl");
    if (!openssl) zct_skip_test("openssl is not installed (tools/bootstrap.sh --test-data installs it)");
    char command[4096];
    snprintf(command, sizeof command,
             "'%s' req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
             "-addext subjectAltName=IP:127.0.0.1 -keyout '%s/key.pem' -out '%s/cert.pem' >'%s/openssl.log' 2>&1",
             openssl, dir, dir, dir);
    cr_assert_eq(system(command), 0, "openssl could not make a certificate (%s/openssl.log)", dir);
    free(openssl);
}

/* Start nginx (Debian's nginx-light has the WebDAV module) in the foreground on a free
 * port of 127.0.0.1, serving and storing zct_tmp/<name>/cache/ under /cache/, with its
 * pid file, logs and temporary files under zct_tmp/<name>/; over TLS with a
 * self-signed certificate when `tls` is set. */
static void zct__nginx_start(zct_nginx *server, const char *nginx, const char *name, int tls) {
    server->dir = zct_tmp_path(name);
    zct_mkdirs(server->dir);
    char *cache = zct_join(server->dir, "cache");
    zct_mkdirs(cache);
    server->port = zct_free_port();
    snprintf(server->url, sizeof server->url, "%s://127.0.0.1:%d/cache/", tls ? "https" : "http", server->port);
    const char *d = server->dir;
    char tls_lines[2048] = "";
    if (tls) {
        zct__self_signed(d);
        snprintf(tls_lines, sizeof tls_lines, "        ssl_certificate %s/cert.pem;\n        ssl_certificate_key %s/key.pem;\n",
                 d, d);
    }
    char conf[8192];
    snprintf(conf, sizeof conf,
             "daemon off;\n"
             "master_process on;\n"
             "worker_processes 1;\n"
             "%s" /* workers run as the user who owns the folder */
             "pid %s/nginx.pid;\n"
             "error_log %s/error.log warn;\n"
             "events { worker_connections 256; }\n"
             "http {\n"
             "    access_log %s/access.log;\n"
             "    client_body_temp_path %s/body;\n"
             "    proxy_temp_path %s/proxy;\n"
             "    fastcgi_temp_path %s/fastcgi;\n"
             "    uwsgi_temp_path %s/uwsgi;\n"
             "    scgi_temp_path %s/scgi;\n"
             "    server {\n"
             "        listen 127.0.0.1:%d%s;\n"
             "%s"
             "        location /cache/ {\n"
             "            root %s;\n"
             "            dav_methods PUT;\n"
             "            create_full_put_path on;\n"
             "            client_max_body_size 1g;\n"
             "        }\n"
             "    }\n"
             "}\n",
             geteuid() == 0 ? "user root;\n" : "", d, d, d, d, d, d, d, d, server->port, tls ? " ssl" : "", tls_lines,
             d);
    zct_put_text(d, "nginx.conf", conf);
    char *conf_path = zct_join(d, "nginx.conf"), *err_path = zct_join(d, "error.log"),
         *out = zct_join(d, "stdout.log");
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execl(nginx, nginx, "-p", d, "-c", conf_path, "-e", err_path, (char *)NULL);
        _exit(127);
    }
    server->pid = pid;
    uint64_t deadline = zct_now_ns() + 10000000000u;
    while (!zct_port_open(server->port)) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            server->pid = 0;
            char *tail = zct_log_tail(out), *errors = zct_log_tail(err_path);
            cr_assert_fail("nginx ended at start (status %d):\n%s\n%s", status, tail, errors);
        }
        cr_assert_lt(zct_now_ns(), deadline, "nginx does not listen on port %d after 10 s", server->port);
        zct_sleep_ms(50);
    }
    free(out);
    free(err_path);
    free(conf_path);
    free(cache);
}

void zct_nginx_start(zct_nginx *server, const char *nginx) {
    zct__nginx_start(server, nginx, "nginx", 0);
}

void zct_nginx_start_tls(zct_nginx *server, const char *nginx) {
    zct__nginx_start(server, nginx, "nginx-tls", 1);
}

/* Stop nginx (SIGQUIT: finish the requests in progress; SIGKILL after 10 s). */
void zct_nginx_stop(zct_nginx *server) {
    if (server->pid > 0) {
        kill(server->pid, SIGQUIT);
        uint64_t deadline = zct_now_ns() + 10000000000u;
        int status;
        while (waitpid(server->pid, &status, WNOHANG) == 0) {
            if (zct_now_ns() > deadline) {
                kill(server->pid, SIGKILL);
                waitpid(server->pid, &status, 0);
                break;
            }
            zct_sleep_ms(50);
        }
        server->pid = 0;
    }
    free(server->dir);
    server->dir = NULL;
}
