/* zc_bench_util.c - timing, statistics, machine facts, tables and Markdown fragments
 * shared by the benchmark programs. POSIX (Linux for /proc/cpuinfo). */
#define _GNU_SOURCE /* program_invocation_short_name */
#include "zc_bench_util.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------------
 * Time and statistics
 * ------------------------------------------------------------------------------- */

uint64_t zc_bench_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int zc__bench_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double zc_bench_quantile(double *values, size_t n, double q) {
    if (n == 0) return 0.0;
    qsort(values, n, sizeof *values, zc__bench_cmp_double);
    if (q <= 0.0) return values[0];
    if (q >= 1.0) return values[n - 1];
    /* nearest rank: the smallest value with at least q*n values at or below it */
    size_t rank = (size_t)(q * (double)n + 0.999999);
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    return values[rank - 1];
}

zc_bench_spread zc_bench_spread_of(double *values, size_t n) {
    zc_bench_spread s;
    s.p10 = zc_bench_quantile(values, n, 0.1);
    s.median = zc_bench_quantile(values, n, 0.5);
    s.p90 = zc_bench_quantile(values, n, 0.9);
    return s;
}

/* ---------------------------------------------------------------------------------
 * Random numbers
 * ------------------------------------------------------------------------------- */

uint64_t zc_bench_rand(uint64_t *state) {
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

uint64_t zc_bench_rand_below(uint64_t *state, uint64_t bound) {
    /* rejection keeps the distribution exactly uniform */
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t r;
    do r = zc_bench_rand(state);
    while (r >= limit);
    return r % bound;
}

/* ---------------------------------------------------------------------------------
 * Files and formatting
 * ------------------------------------------------------------------------------- */

int zc_bench_mkdirs(const char *dir) {
    char path[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; ++i) {
        if (path[i] != '/' && path[i] != 0) continue;
        char saved = path[i];
        path[i] = 0;
        if (mkdir(path, 0777) != 0 && errno != EEXIST) return -1;
        path[i] = saved;
    }
    struct stat st;
    if (stat(dir, &st) != 0) return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

void zc_bench_format_ns(double ns, char *buf, size_t size) {
    static const char *const units[] = {"ns", "us", "ms", "s"};
    int u = 0;
    while (u < 3 && ns >= 1000.0) {
        ns /= 1000.0;
        ++u;
    }
    if (ns >= 100.0 || u == 0) snprintf(buf, size, "%.0f %s", ns, units[u]);
    else if (ns >= 10.0) snprintf(buf, size, "%.1f %s", ns, units[u]);
    else snprintf(buf, size, "%.2f %s", ns, units[u]);
}

void zc_bench_format_spread(const zc_bench_spread *spread, char *buf, size_t size) {
    char median[32], p10[32], p90[32];
    zc_bench_format_ns(spread->median, median, sizeof median);
    zc_bench_format_ns(spread->p10, p10, sizeof p10);
    zc_bench_format_ns(spread->p90, p90, sizeof p90);
    snprintf(buf, size, "%s [%s..%s]", median, p10, p90);
}

void zc_bench_format_ratio(double ratio, char *buf, size_t size) {
    snprintf(buf, size, "%.*fx", ratio < 10.0 ? 2 : ratio < 100.0 ? 1 : 0, ratio);
}

void zc_bench_format_bytes(uint64_t bytes, char *buf, size_t size) {
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    int u = 0;
    while (u < 4 && v >= 1024.0) {
        v /= 1024.0;
        ++u;
    }
    if (u == 0) snprintf(buf, size, "%llu B", (unsigned long long)bytes);
    else if (v >= 100.0) snprintf(buf, size, "%.0f %s", v, units[u]);
    else if (v >= 10.0) snprintf(buf, size, "%.1f %s", v, units[u]);
    else snprintf(buf, size, "%.2f %s", v, units[u]);
}

/* ---------------------------------------------------------------------------------
 * Machine facts
 * ------------------------------------------------------------------------------- */

static void zc__bench_cpu_model(char *out, size_t size) {
    snprintf(out, size, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) != 0) continue;
        const char *colon = strchr(line, ':');
        if (!colon) continue;
        const char *v = colon + 1;
        while (*v == ' ' || *v == '\t') ++v;
        size_t n = strcspn(v, "\r\n");
        while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t')) --n;
        if (n > 0) snprintf(out, size, "%.*s", (int)n, v);
        break;
    }
    fclose(f);
}

/* Busy CPU seconds of the whole machine since boot (/proc/stat's first line: every
 * field but idle and iowait), or -1. */
static double zc__bench_machine_busy_s(void) {
    FILE *f = fopen("/proc/stat", "r");
    unsigned long long v[10] = { 0 };
    int got = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                         &v[4], &v[5], &v[6], &v[7], &v[8], &v[9])
                : 0;
    if (f) fclose(f);
    if (got < 8) return -1;
    unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]; /* user nice system irq softirq steal */
    return (double)busy / (double)sysconf(_SC_CLK_TCK);
}

static double zc__bench_own_s(void) {
    struct rusage self, children;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    double s = 0;
    const struct rusage *r[2] = { &self, &children };
    for (int i = 0; i < 2; ++i)
        s += (double)r[i]->ru_utime.tv_sec + (double)r[i]->ru_stime.tv_sec +
             ((double)r[i]->ru_utime.tv_usec + (double)r[i]->ru_stime.tv_usec) * 1e-6;
    return s;
}

void zc_bench_other_work_begin(zc_bench_other_work *w) {
    w->machine_busy_s = zc__bench_machine_busy_s();
    w->own_s = zc__bench_own_s();
    w->wall_s = (double)zc_bench_now_ns() * 1e-9;
}

double zc_bench_other_work_end(const zc_bench_other_work *w, long cores) {
    double busy = zc__bench_machine_busy_s(), wall = (double)zc_bench_now_ns() * 1e-9 - w->wall_s;
    if (busy < 0 || w->machine_busy_s < 0 || wall <= 0 || cores <= 0) return -1;
    double other = (busy - w->machine_busy_s) - (zc__bench_own_s() - w->own_s);
    double share = other / (wall * (double)cores);
    return share < 0 ? 0 : share > 1 ? 1 : share;
}

void zc_bench_machine_get(zc_bench_machine *m) {
    memset(m, 0, sizeof *m);
    zc__bench_cpu_model(m->cpu, sizeof m->cpu);
    m->cores = sysconf(_SC_NPROCESSORS_ONLN);
    struct utsname u;
    if (uname(&u) == 0) snprintf(m->kernel, sizeof m->kernel, "%s %s %s", u.sysname, u.release, u.machine);
    else snprintf(m->kernel, sizeof m->kernel, "unknown");
#if defined(__clang__)
    const char *family = "clang ";
#elif defined(__GNUC__)
    const char *family = "gcc ";
#else
    const char *family = "";
#endif
#if defined(__OPTIMIZE__)
    const char *opt = "optimised";
#else
    const char *opt = "NOT optimised: numbers are not representative";
#endif
#if defined(__VERSION__)
    snprintf(m->compiler, sizeof m->compiler, "%s%s, %s", family, __VERSION__, opt);
#else
    snprintf(m->compiler, sizeof m->compiler, "%sunknown version, %s", family, opt);
#endif
}

/* ---------------------------------------------------------------------------------
 * Tables
 * ------------------------------------------------------------------------------- */

void zc_bench_table_init(zc_bench_table *t, int cols, const char *const *headings) {
    memset(t, 0, sizeof *t);
    t->cols = cols < 0 ? 0 : cols > ZC_BENCH_TABLE_COLS ? ZC_BENCH_TABLE_COLS : cols;
    t->left = 1u;
    for (int c = 0; c < t->cols; ++c) snprintf(t->head[c], sizeof t->head[c], "%s", headings[c]);
}

void zc_bench_table_left(zc_bench_table *t, int col) {
    if (col >= 0 && col < ZC_BENCH_TABLE_COLS) t->left |= 1u << col;
}

int zc_bench_table_add_row(zc_bench_table *t) {
    if (t->rows >= ZC_BENCH_TABLE_ROWS) return -1;
    return t->rows++;
}

void zc_bench_table_set(zc_bench_table *t, int row, int col, const char *fmt, ...) {
    if (row < 0 || row >= t->rows || col < 0 || col >= t->cols) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->cell[row][col], sizeof t->cell[row][col], fmt, ap);
    va_end(ap);
}

void zc_bench_table_print(const zc_bench_table *t, FILE *out, const char *indent) {
    size_t width[ZC_BENCH_TABLE_COLS];
    for (int c = 0; c < t->cols; ++c) {
        width[c] = strlen(t->head[c]);
        for (int r = 0; r < t->rows; ++r)
            if (strlen(t->cell[r][c]) > width[c]) width[c] = strlen(t->cell[r][c]);
    }
    for (int r = -1; r < t->rows; ++r) {
        fputs(indent, out);
        for (int c = 0; c < t->cols; ++c) {
            const char *s = r < 0 ? t->head[c] : t->cell[r][c];
            const char *gap = c == 0 ? "" : "  ";
            if (t->left & (1u << c)) fprintf(out, "%s%-*s", gap, (int)width[c], s);
            else fprintf(out, "%s%*s", gap, (int)width[c], s);
        }
        fputc('\n', out);
        if (r < 0) {
            fputs(indent, out);
            size_t total = 0;
            for (int c = 0; c < t->cols; ++c) total += width[c] + (c ? 2 : 0);
            for (size_t i = 0; i < total; ++i) fputc('-', out);
            fputc('\n', out);
        }
    }
}

/* ---------------------------------------------------------------------------------
 * Markdown fragment
 * ------------------------------------------------------------------------------- */

void zc_bench_md_init(zc_bench_md *md) { memset(md, 0, sizeof *md); }

void zc_bench_md_free(zc_bench_md *md) {
    free(md->text);
    memset(md, 0, sizeof *md);
}

void zc_bench_md_printf(zc_bench_md *md, const char *fmt, ...) {
    if (md->failed) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        md->failed = 1;
        return;
    }
    size_t need = md->length + (size_t)n + 1;
    if (need > md->capacity) {
        size_t cap = md->capacity ? md->capacity : 1024;
        while (cap < need) cap *= 2;
        char *grown = (char *)realloc(md->text, cap);
        if (!grown) {
            md->failed = 1;
            return;
        }
        md->text = grown;
        md->capacity = cap;
    }
    va_start(ap, fmt);
    vsnprintf(md->text + md->length, md->capacity - md->length, fmt, ap);
    va_end(ap);
    md->length += (size_t)n;
}

void zc_bench_md_table(zc_bench_md *md, const zc_bench_table *t) {
    zc_bench_md_printf(md, "|");
    for (int c = 0; c < t->cols; ++c) zc_bench_md_printf(md, " %s |", t->head[c]);
    zc_bench_md_printf(md, "\n|");
    for (int c = 0; c < t->cols; ++c) zc_bench_md_printf(md, (t->left & (1u << c)) ? "---|" : "---:|");
    zc_bench_md_printf(md, "\n");
    for (int r = 0; r < t->rows; ++r) {
        zc_bench_md_printf(md, "|");
        for (int c = 0; c < t->cols; ++c) zc_bench_md_printf(md, " %s |", t->cell[r][c]);
        zc_bench_md_printf(md, "\n");
    }
    zc_bench_md_printf(md, "\n");
}

void zc_bench_md_machine(zc_bench_md *md, const zc_bench_machine *m) {
    zc_bench_md_printf(md, "- CPU: %s, %ld logical cores\n", m->cpu, m->cores);
    zc_bench_md_printf(md, "- Kernel: %s\n", m->kernel);
    zc_bench_md_printf(md, "- Compiler: %s\n\n", m->compiler);
}

int zc_bench_md_save(const zc_bench_md *md, const char *path) {
    if (md->failed) {
        fprintf(stderr, "%s: not written: out of memory while building it\n", path);
        return -1;
    }
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
        fprintf(stderr, "%s: path too long\n", path);
        return -1;
    }
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fprintf(stderr, "%s: cannot create: %s\n", tmp, strerror(errno));
        return -1;
    }
    size_t written = md->length ? fwrite(md->text, 1, md->length, f) : 0;
    int bad = written != md->length;
    if (fclose(f) != 0) bad = 1;
    if (bad || rename(tmp, path) != 0) {
        fprintf(stderr, "%s: cannot write: %s\n", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

void zc_bench_fatal(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", program_invocation_short_name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

void zc_bench_log_to_stderr(zc_log_level level, const char *message, void *user_data) {
    (void)user_data;
    if (level <= ZC_LOG_WARNING)
        fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, level == ZC_LOG_ERROR ? "error" : "warning",
                message);
}

uint8_t *zc_bench_read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc(n ? (size_t)n : 1)) != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) *size = (size_t)n;
    return buf;
}

int zc_bench_write_file(const char *path, const void *data, size_t size) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = 0;
        if (zc_bench_mkdirs(dir) != 0) return -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static int zc__bench_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

void zc_bench_rm_rf(const char *path) {
    nftw(path, zc__bench_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

void zc_bench_glance_row(zc_bench_md *glance, const char *program, const char *figure, const char *comparator,
                         const char *ratio_fmt, ...) {
    char ratio[128];
    va_list ap;
    va_start(ap, ratio_fmt);
    vsnprintf(ratio, sizeof ratio, ratio_fmt, ap);
    va_end(ap);
    zc_bench_md_printf(glance, "| %s | %s | %s | %s |\n", program, figure, comparator, ratio);
}

int zc_bench_glance_save(zc_bench_md *glance, const char *dir, const char *program) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.glance", dir, program);
    int r = zc_bench_md_save(glance, path);
    zc_bench_md_free(glance);
    return r;
}

static int zc__bench_compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void zc_bench_walk(const char *dir, const char *rel_dir, zc_bench_file_fn fn, void *user_data) {
    DIR *d = opendir(dir);
    if (!d) zc_bench_fatal("%s: cannot open: %s", dir, strerror(errno));
    char **names = NULL;
    size_t count = 0;
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        names = realloc(names, (count + 1) * sizeof *names);
        if (!names || !(names[count++] = strdup(de->d_name))) zc_bench_fatal("out of memory");
    }
    closedir(d);
    if (count > 1) qsort(names, count, sizeof *names, zc__bench_compare_names);
    for (size_t i = 0; i < count; ++i) {
        char src[4096], rel[4096];
        if (snprintf(src, sizeof src, "%s/%s", dir, names[i]) >= (int)sizeof src ||
            snprintf(rel, sizeof rel, "%s/%s", rel_dir, names[i]) >= (int)sizeof rel)
            zc_bench_fatal("%s/%s: path too long", dir, names[i]);
        struct stat st;
        if (stat(src, &st) == 0 && S_ISDIR(st.st_mode))
            zc_bench_walk(src, rel, fn, user_data);
        else if (stat(src, &st) == 0 && S_ISREG(st.st_mode))
            fn(src, rel, user_data);
        free(names[i]);
    }
    free(names);
}

const zc_bench_image_dir zc_bench_image_dirs[] = {
    {"/usr/share/doc/python-pygame-doc/examples/data", "pygame", "python-pygame-doc"},
    {"/usr/libexec/installed-tests/gdk-pixbuf/test-images/reftests", "pixbuf", "gdk-pixbuf-tests"},
    {"/usr/share/assimp/models", "assimp", "assimp-testmodels"},
    {"/usr/share/gocode/src/github.com/gabriel-vasile/mimetype/testdata", "mimetype",
     "golang-github-gabriel-vasile-mimetype-dev"},
};
const size_t zc_bench_image_dir_count = sizeof zc_bench_image_dirs / sizeof zc_bench_image_dirs[0];

static int zc__bench_have_test_data(const char *const *extra) {
    for (size_t i = 0; i < zc_bench_image_dir_count; ++i)
        if (access(zc_bench_image_dirs[i].path, R_OK) != 0) return 0;
    for (size_t i = 0; extra && extra[i]; ++i)
        if (access(extra[i], R_OK) != 0) return 0;
    return 1;
}

void zc_bench_require_test_data(const char *const *extra) {
    if (zc__bench_have_test_data(extra)) return;
    printf("%s: the test data is not installed; installing it with tools/bootstrap.sh --test-data ...\n",
           program_invocation_short_name);
    fflush(stdout);
    if (access("tools/bootstrap.sh", X_OK) != 0)
        zc_bench_fatal("tools/bootstrap.sh not found: run the benchmark from the repository root");
    int status = system("tools/bootstrap.sh --test-data");
    if (status != 0 || !zc__bench_have_test_data(extra))
        zc_bench_fatal("the test data is still missing after tools/bootstrap.sh --test-data (status %d)", status);
}
