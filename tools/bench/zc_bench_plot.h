/* zc_bench_plot.h - small PNG charts for the benchmark report (BENCHMARKS.md).
 *
 * Two kinds, enough for the figures people would rather look at than read:
 *  - a bar chart with horizontal bars: one group per row label, one bar per series
 *    in each group, a legend when there are several series, the value (or a note
 *    such as "21.8x faster") after each bar, a linear or logarithmic value axis;
 *  - a line chart of (x, y) series with markers: linear or logarithmic axes, ticks
 *    chosen automatically or given with their labels (pack sizes, thread counts).
 * Both have a title, an optional subtitle line, axis labels, tick labels and a light
 * grid, drawn into an RGB canvas with a built-in 5x9 bitmap font (ASCII 32..126;
 * other bytes are drawn as '?') and written with stb_image_write (compiled into
 * libzcpacker, zc_stb.c). No other library, no fonts from the system: the same
 * inputs give the same PNG bytes on every machine.
 *
 * Values that cannot be drawn (NaN, infinities, or <= 0 on a logarithmic axis) are
 * skipped: no bar, no point. Text is cut to fit where it must be.
 *
 * Threads: the functions keep no global state and may run on any thread.
 */
#ifndef ZC_BENCH_PLOT_H
#define ZC_BENCH_PLOT_H

#define ZC_PLOT_MAX_SERIES 6
#define ZC_PLOT_MAX_GROUPS 12
#define ZC_PLOT_MAX_POINTS 32
#define ZC_PLOT_NOTE_SIZE 48

typedef struct zc_plot_bars {
    const char *title;              /* required */
    const char *subtitle;           /* NULL: none; e.g. "median of 11 rounds; higher is better" */
    const char *value_label;        /* under the value axis, e.g. "MiB/s decoded"; NULL: none */
    int log_scale;                  /* 0: linear from 0; 1: logarithmic value axis */
    int group_count;                /* rows, at most ZC_PLOT_MAX_GROUPS */
    const char *groups[ZC_PLOT_MAX_GROUPS];
    int series_count;               /* bars per row, at most ZC_PLOT_MAX_SERIES */
    const char *series[ZC_PLOT_MAX_SERIES]; /* legend entries (shown when series_count > 1) */
    double values[ZC_PLOT_MAX_GROUPS][ZC_PLOT_MAX_SERIES];
    char notes[ZC_PLOT_MAX_GROUPS][ZC_PLOT_MAX_SERIES][ZC_PLOT_NOTE_SIZE]; /* "" = the value */
} zc_plot_bars;

typedef struct zc_plot_series {
    const char *name;               /* legend entry */
    int count;                      /* points, at most ZC_PLOT_MAX_POINTS */
    double x[ZC_PLOT_MAX_POINTS];
    double y[ZC_PLOT_MAX_POINTS];
} zc_plot_series;

typedef struct zc_plot_lines {
    const char *title;              /* required */
    const char *subtitle;           /* NULL: none */
    const char *x_label, *y_label;  /* NULL: none */
    int log_x, log_y;               /* logarithmic axes */
    int y_from_zero;                /* linear y axis: start at 0 rather than near the data */
    int series_count;               /* at most ZC_PLOT_MAX_SERIES */
    zc_plot_series series[ZC_PLOT_MAX_SERIES];
    int x_tick_count;               /* 0: automatic ticks; else these, with their labels */
    double x_ticks[ZC_PLOT_MAX_POINTS];
    const char *x_tick_labels[ZC_PLOT_MAX_POINTS];
} zc_plot_lines;

/* Draw the chart and write it as a PNG at `path` (parent directories are created).
 * 0 on success; -1 with a sentence on stderr when the chart is malformed (no title,
 * counts out of range) or the file cannot be written. */
int zc_plot_bars_png(const zc_plot_bars *chart, const char *path);
int zc_plot_lines_png(const zc_plot_lines *chart, const char *path);

/* Where `make bench` keeps the charts, relative to the repository root (the working
 * directory of every benchmark), and where BENCHMARKS.md links them from. */
#define ZC_PLOT_DIR "docs/bench"

struct zc_bench_md;

/* Write the chart as ZC_PLOT_DIR/<name>.png and append its Markdown image line
 * ("![title](docs/bench/<name>.png)") to md. 0 on success; -1 (message on stderr,
 * nothing appended) when it could not be written: a benchmark goes on without it. */
int zc_plot_bars_md(const zc_plot_bars *chart, const char *name, struct zc_bench_md *md);
int zc_plot_lines_md(const zc_plot_lines *chart, const char *name, struct zc_bench_md *md);

#endif /* ZC_BENCH_PLOT_H */
