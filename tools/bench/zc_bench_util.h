/* zc_bench_util.h - shared helpers of the benchmark programs under tools/bench/.
 *
 * Timing (monotonic clock, quantiles), a fixed-seed random generator, the machine
 * facts every report states, tables rendered both as aligned text for the terminal
 * and as Markdown, and the Markdown fragment each benchmark leaves in build/bench/
 * for `make bench` to collect into BENCHMARKS.md.
 *
 * Benchmarks measure and report; they never pass or fail on a timing. A helper that
 * cannot do its job (out of memory, unwritable file) reports it and returns an error;
 * the program decides what to do.
 */
#ifndef ZC_BENCH_UTIL_H
#define ZC_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "zc_pack.h"

/* ---------------------------------------------------------------------------------
 * Failing and logging: messages start with the program's name.
 * ------------------------------------------------------------------------------- */

/* Print "<program>: <message>" on stderr and exit with status 1. */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2), noreturn))
#endif
void zc_bench_fatal(const char *fmt, ...);

/* A zc_logger function printing errors and warnings on stderr. */
void zc_bench_log_to_stderr(zc_log_level level, const char *message, void *user_data);

/* ---------------------------------------------------------------------------------
 * Time and statistics
 * ------------------------------------------------------------------------------- */

/* Nanoseconds from CLOCK_MONOTONIC; only differences are meaningful. */
uint64_t zc_bench_now_ns(void);

/* Nearest-rank quantile q in [0, 1] of n > 0 values (0.5 = median, 0.9 = p90).
 * Sorts `values` in place. */
double zc_bench_quantile(double *values, size_t n, double q);

/* The spread of repeated measurements: p10, median and p90 (nearest rank). */
typedef struct zc_bench_spread {
    double p10, median, p90;
} zc_bench_spread;

/* The spread of n > 0 values (zc_bench_quantile). Sorts `values` in place. */
zc_bench_spread zc_bench_spread_of(double *values, size_t n);

/* ---------------------------------------------------------------------------------
 * Deterministic pseudo-random numbers (splitmix64): the same seed gives the same
 * sequence on every machine, so generated inputs are reproducible.
 * ------------------------------------------------------------------------------- */

uint64_t zc_bench_rand(uint64_t *state);

/* Uniform value in [0, bound), bound > 0. */
uint64_t zc_bench_rand_below(uint64_t *state, uint64_t bound);

/* ---------------------------------------------------------------------------------
 * Files and formatting
 * ------------------------------------------------------------------------------- */

/* Create `dir` and its missing parents (like mkdir -p). 0 on success, -1 with errno
 * set otherwise. */
int zc_bench_mkdirs(const char *dir);

/* The whole file in a malloc'd buffer (*size bytes), NULL with errno set on failure. */
uint8_t *zc_bench_read_file(const char *path, size_t *size);

/* Write `size` bytes to `path`, creating missing parent directories. 0 or -1. */
int zc_bench_write_file(const char *path, const void *data, size_t size);

/* Remove `path` and everything below it (never following symbolic links). */
void zc_bench_rm_rf(const char *path);

/* Call fn(path, rel) for every regular file below `dir` (links followed as stat does),
 * in bytewise name order at each level so every run sees the same tree; rel is
 * rel_dir/<path below dir>. Exits through zc_bench_fatal when a directory cannot be
 * read. */
typedef void (*zc_bench_file_fn)(const char *path, const char *rel, void *user_data);
void zc_bench_walk(const char *dir, const char *rel_dir, zc_bench_file_fn fn, void *user_data);

/* ---------------------------------------------------------------------------------
 * Test data: the real third-party images the Debian test-data packages install
 * (tools/bootstrap.sh --test-data), never copied into the repository.
 * ------------------------------------------------------------------------------- */

typedef struct zc_bench_image_dir {
    const char *path;           /* installed directory, walked recursively */
    const char *label;          /* the directory's name in a benchmark's tree */
    const char *package;        /* the Debian package that installs it */
} zc_bench_image_dir;

extern const zc_bench_image_dir zc_bench_image_dirs[];
extern const size_t zc_bench_image_dir_count;

/* Return when every image directory and every path of `extra` (NULL-terminated; may
 * be NULL) exists; else run tools/bootstrap.sh --test-data once (from the repository
 * root) and exit through zc_bench_fatal if something is still missing. */
void zc_bench_require_test_data(const char *const *extra);

/* "850 ns", "12.4 us", "3.10 ms", "1.25 s": three significant digits. */
void zc_bench_format_ns(double ns, char *buf, size_t size);

/* "577 us [450 us..8.76 ms]": the median, then p10..p90, each as zc_bench_format_ns. */
void zc_bench_format_spread(const zc_bench_spread *spread, char *buf, size_t size);

/* "64.0 KiB", "1.00 GiB", "512 B". */
void zc_bench_format_bytes(uint64_t bytes, char *buf, size_t size);

/* A ratio with the precision its size deserves: "0.92x", "22.0x", "2032x". */
void zc_bench_format_ratio(double ratio, char *buf, size_t size);

/* ---------------------------------------------------------------------------------
 * Machine facts
 * ------------------------------------------------------------------------------- */

typedef struct zc_bench_machine {
    char cpu[128];              /* "model name" of /proc/cpuinfo, or "unknown" */
    long cores;                 /* online logical processors */
    char kernel[256];           /* "Linux 6.1.0-18-amd64 x86_64" */
    char compiler[128];         /* compiler of this program and whether it optimised */
} zc_bench_machine;

void zc_bench_machine_get(zc_bench_machine *m);

/* Other work on the machine during a stretch of a run: the CPU time every process
 * spent (/proc/stat, all cores) minus this process's own and its waited-for
 * children's (getrusage), as a share of the machine's capacity over the stretch. A
 * load average cannot tell this: it counts the bench's own threads and decays over a
 * minute. Begin, run, then end; the share is 0..1, negative when unknown. */
typedef struct zc_bench_other_work {
    double machine_busy_s, own_s, wall_s;
} zc_bench_other_work;

void zc_bench_other_work_begin(zc_bench_other_work *w);
double zc_bench_other_work_end(const zc_bench_other_work *w, long cores);

/* ---------------------------------------------------------------------------------
 * Tables: cells are formatted once and rendered twice (terminal and Markdown). The
 * first column is left-aligned, the others right-aligned (they hold numbers) unless
 * zc_bench_table_left says otherwise.
 * ------------------------------------------------------------------------------- */

#define ZC_BENCH_TABLE_COLS 16
#define ZC_BENCH_TABLE_ROWS 16
#define ZC_BENCH_CELL_SIZE 48

typedef struct zc_bench_table {
    int cols;
    int rows;
    unsigned left;              /* bit c set: column c is left-aligned */
    char head[ZC_BENCH_TABLE_COLS][ZC_BENCH_CELL_SIZE];
    char cell[ZC_BENCH_TABLE_ROWS][ZC_BENCH_TABLE_COLS][ZC_BENCH_CELL_SIZE];
} zc_bench_table;

/* Start a table with `cols` <= ZC_BENCH_TABLE_COLS headings. */
void zc_bench_table_init(zc_bench_table *t, int cols, const char *const *headings);

/* Left-align column `col` (text rather than numbers). */
void zc_bench_table_left(zc_bench_table *t, int col);

/* Append an empty row and return its index, or -1 when the table is full. */
int zc_bench_table_add_row(zc_bench_table *t);

/* printf into one cell; text longer than a cell is cut. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
void zc_bench_table_set(zc_bench_table *t, int row, int col, const char *fmt, ...);

/* Aligned text, each line prefixed by `indent`. */
void zc_bench_table_print(const zc_bench_table *t, FILE *out, const char *indent);

/* ---------------------------------------------------------------------------------
 * Markdown fragment: text accumulated in memory, written in one piece at the end so
 * a run that fails halfway leaves the previous fragment untouched.
 * ------------------------------------------------------------------------------- */

typedef struct zc_bench_md {
    char *text;
    size_t length;
    size_t capacity;
    int failed;                 /* 1 after an allocation failure: save refuses */
} zc_bench_md;

void zc_bench_md_init(zc_bench_md *md);
void zc_bench_md_free(zc_bench_md *md);

/* Append formatted text. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void zc_bench_md_printf(zc_bench_md *md, const char *fmt, ...);

/* Append the table as a Markdown table followed by a blank line. */
void zc_bench_md_table(zc_bench_md *md, const zc_bench_table *t);

/* Append the machine facts as a short bullet list followed by a blank line. */
void zc_bench_md_machine(zc_bench_md *md, const zc_bench_machine *m);

/* Write the fragment to `path` (replacing it through a temporary file and a rename).
 * 0 on success; -1 with a message on stderr otherwise. */
int zc_bench_md_save(const zc_bench_md *md, const char *path);

/* ---------------------------------------------------------------------------------
 * "At a glance": the first table of BENCHMARKS.md, one row per headline figure, each
 * a ratio to the comparator measured in the same run. A program collects its rows in
 * a zc_bench_md of their own and saves it as <dir>/<program>.glance beside its
 * fragment; `make bench` gathers those files, in report order, under the table head.
 * ------------------------------------------------------------------------------- */

/* Append one table row: the program, the figure, its comparator and the ratio as
 * text ("21.8x faster", "0.77x the time"). Cells must not contain '|'. */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
void zc_bench_glance_row(zc_bench_md *glance, const char *program, const char *figure, const char *comparator,
                         const char *ratio_fmt, ...);

/* Save the rows as <dir>/<program>.glance (zc_bench_md_save) and free them. 0 or -1. */
int zc_bench_glance_save(zc_bench_md *glance, const char *dir, const char *program);

#endif /* ZC_BENCH_UTIL_H */
