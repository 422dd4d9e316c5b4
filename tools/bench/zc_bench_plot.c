/* zc_bench_plot.c - the charts of zc_bench_plot.h: an RGB canvas, a 5x9 bitmap font,
 * axes with "nice" ticks, horizontal bar charts and line charts, written as PNG with
 * stb_image_write.
 *
 * Layout is computed from the text it has to hold: the bar chart's label column is as
 * wide as its longest row label (at most 40 % of the canvas) and its height grows
 * with the rows; the line chart has a fixed size. Text is drawn at integer scales of
 * the 5x9 glyph cells (6 pixels of advance per scale unit), so it stays crisp.
 */
#include "zc_bench_plot.h"
#include "zc_bench_util.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb/stb_image_write.h>

/* ---------------------------------------------------------------------------------
 * Canvas and drawing
 * ------------------------------------------------------------------------------- */

typedef struct zc__rgb {
    uint8_t r, g, b;
} zc__rgb;

typedef struct zc__canvas {
    int w, h;
    uint8_t *px;                /* w * h * 3 bytes, top row first */
} zc__canvas;

static const zc__rgb zc__ink = { 33, 33, 33 };
static const zc__rgb zc__muted = { 96, 96, 96 };
static const zc__rgb zc__grid = { 224, 224, 224 };
static const zc__rgb zc__axis_ink = { 120, 120, 120 };

/* Series colours: the Okabe-Ito palette, told apart also by readers with colour
 * vision deficiencies. */
static const zc__rgb zc__palette[ZC_PLOT_MAX_SERIES] = {
    { 0, 114, 178 }, { 230, 159, 0 }, { 0, 158, 115 }, { 213, 94, 0 }, { 86, 180, 233 }, { 204, 121, 167 },
};

static int zc__canvas_init(zc__canvas *c, int w, int h) {
    c->w = w;
    c->h = h;
    c->px = (uint8_t *)malloc((size_t)w * (size_t)h * 3u);
    if (!c->px) return -1;
    memset(c->px, 255, (size_t)w * (size_t)h * 3u);
    return 0;
}

static void zc__put(zc__canvas *c, int x, int y, zc__rgb color) {
    if (x < 0 || y < 0 || x >= c->w || y >= c->h) return;
    uint8_t *p = c->px + ((size_t)y * (size_t)c->w + (size_t)x) * 3u;
    p[0] = color.r;
    p[1] = color.g;
    p[2] = color.b;
}

static void zc__fill(zc__canvas *c, int x0, int y0, int x1, int y1, zc__rgb color) {
    for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x) zc__put(c, x, y, color);
}

/* A line `width` pixels thick (a square brush moved along Bresenham's path). */
static void zc__line(zc__canvas *c, int x0, int y0, int x1, int y1, int width, zc__rgb color) {
    int dx = abs(x1 - x0), dy = -abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    int err = dx + dy, lo = -(width - 1) / 2, hi = width / 2;
    for (;;) {
        zc__fill(c, x0 + lo, y0 + lo, x0 + hi + 1, y0 + hi + 1, color);
        if (x0 == x1 && y0 == y1) break;
        int e2 = 2 * err;
        if (e2 >= dy) {
            err += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            err += dx;
            y0 += sy;
        }
    }
}

/* ---------------------------------------------------------------------------------
 * Text: glyphs for ASCII 32..126 in a 5x9 cell (7 rows above the baseline, 2 for
 * descenders), one byte per row, bit 4 the leftmost column.
 * ------------------------------------------------------------------------------- */

static const uint8_t zc__font[95][9] = {
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* space */
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04, 0x00, 0x00}, /* ! */
    {0x0a, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* " */
    {0x0a, 0x1f, 0x0a, 0x0a, 0x0a, 0x1f, 0x0a, 0x00, 0x00}, /* # */
    {0x04, 0x0f, 0x14, 0x0e, 0x05, 0x1e, 0x04, 0x00, 0x00}, /* $ */
    {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03, 0x00, 0x00}, /* % */
    {0x0c, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0d, 0x00, 0x00}, /* & */
    {0x04, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* quote */
    {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02, 0x00, 0x00}, /* ( */
    {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08, 0x00, 0x00}, /* ) */
    {0x00, 0x04, 0x15, 0x0e, 0x15, 0x04, 0x00, 0x00, 0x00}, /* * */
    {0x00, 0x04, 0x04, 0x1f, 0x04, 0x04, 0x00, 0x00, 0x00}, /* + */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x04, 0x08, 0x00}, /* , */
    {0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00, 0x00, 0x00}, /* - */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c, 0x00, 0x00}, /* . */
    {0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00, 0x00, 0x00}, /* / */
    {0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e, 0x00, 0x00}, /* 0 */
    {0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e, 0x00, 0x00}, /* 1 */
    {0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f, 0x00, 0x00}, /* 2 */
    {0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e, 0x00, 0x00}, /* 3 */
    {0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02, 0x00, 0x00}, /* 4 */
    {0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e, 0x00, 0x00}, /* 5 */
    {0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e, 0x00, 0x00}, /* 6 */
    {0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08, 0x00, 0x00}, /* 7 */
    {0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e, 0x00, 0x00}, /* 8 */
    {0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c, 0x00, 0x00}, /* 9 */
    {0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00, 0x00, 0x00}, /* : */
    {0x00, 0x0c, 0x0c, 0x00, 0x00, 0x0c, 0x04, 0x08, 0x00}, /* ; */
    {0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02, 0x00, 0x00}, /* < */
    {0x00, 0x00, 0x1f, 0x00, 0x1f, 0x00, 0x00, 0x00, 0x00}, /* = */
    {0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08, 0x00, 0x00}, /* > */
    {0x0e, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04, 0x00, 0x00}, /* ? */
    {0x0e, 0x11, 0x01, 0x0d, 0x15, 0x15, 0x0e, 0x00, 0x00}, /* @ */
    {0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11, 0x00, 0x00}, /* A */
    {0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e, 0x00, 0x00}, /* B */
    {0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e, 0x00, 0x00}, /* C */
    {0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c, 0x00, 0x00}, /* D */
    {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f, 0x00, 0x00}, /* E */
    {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10, 0x00, 0x00}, /* F */
    {0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f, 0x00, 0x00}, /* G */
    {0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11, 0x00, 0x00}, /* H */
    {0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e, 0x00, 0x00}, /* I */
    {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c, 0x00, 0x00}, /* J */
    {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11, 0x00, 0x00}, /* K */
    {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f, 0x00, 0x00}, /* L */
    {0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11, 0x00, 0x00}, /* M */
    {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x00, 0x00}, /* N */
    {0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e, 0x00, 0x00}, /* O */
    {0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10, 0x00, 0x00}, /* P */
    {0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d, 0x00, 0x00}, /* Q */
    {0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11, 0x00, 0x00}, /* R */
    {0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e, 0x00, 0x00}, /* S */
    {0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x00}, /* T */
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e, 0x00, 0x00}, /* U */
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04, 0x00, 0x00}, /* V */
    {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a, 0x00, 0x00}, /* W */
    {0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11, 0x00, 0x00}, /* X */
    {0x11, 0x11, 0x0a, 0x04, 0x04, 0x04, 0x04, 0x00, 0x00}, /* Y */
    {0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f, 0x00, 0x00}, /* Z */
    {0x0e, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0e, 0x00, 0x00}, /* [ */
    {0x00, 0x10, 0x08, 0x04, 0x02, 0x01, 0x00, 0x00, 0x00}, /* backslash */
    {0x0e, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0e, 0x00, 0x00}, /* ] */
    {0x04, 0x0a, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* ^ */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f, 0x00, 0x00}, /* _ */
    {0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* ` */
    {0x00, 0x00, 0x0e, 0x01, 0x0f, 0x11, 0x0f, 0x00, 0x00}, /* a */
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1e, 0x00, 0x00}, /* b */
    {0x00, 0x00, 0x0e, 0x10, 0x10, 0x11, 0x0e, 0x00, 0x00}, /* c */
    {0x01, 0x01, 0x0d, 0x13, 0x11, 0x11, 0x0f, 0x00, 0x00}, /* d */
    {0x00, 0x00, 0x0e, 0x11, 0x1f, 0x10, 0x0e, 0x00, 0x00}, /* e */
    {0x06, 0x09, 0x08, 0x1c, 0x08, 0x08, 0x08, 0x00, 0x00}, /* f */
    {0x00, 0x00, 0x0f, 0x11, 0x11, 0x11, 0x0f, 0x01, 0x0e}, /* g */
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11, 0x00, 0x00}, /* h */
    {0x04, 0x00, 0x0c, 0x04, 0x04, 0x04, 0x0e, 0x00, 0x00}, /* i */
    {0x02, 0x00, 0x06, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c}, /* j */
    {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12, 0x00, 0x00}, /* k */
    {0x0c, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e, 0x00, 0x00}, /* l */
    {0x00, 0x00, 0x1a, 0x15, 0x15, 0x11, 0x11, 0x00, 0x00}, /* m */
    {0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11, 0x00, 0x00}, /* n */
    {0x00, 0x00, 0x0e, 0x11, 0x11, 0x11, 0x0e, 0x00, 0x00}, /* o */
    {0x00, 0x00, 0x1e, 0x11, 0x11, 0x11, 0x1e, 0x10, 0x10}, /* p */
    {0x00, 0x00, 0x0f, 0x11, 0x11, 0x11, 0x0f, 0x01, 0x01}, /* q */
    {0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10, 0x00, 0x00}, /* r */
    {0x00, 0x00, 0x0e, 0x10, 0x0e, 0x01, 0x1e, 0x00, 0x00}, /* s */
    {0x08, 0x08, 0x1c, 0x08, 0x08, 0x09, 0x06, 0x00, 0x00}, /* t */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0d, 0x00, 0x00}, /* u */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x0a, 0x04, 0x00, 0x00}, /* v */
    {0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0a, 0x00, 0x00}, /* w */
    {0x00, 0x00, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x00, 0x00}, /* x */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x11, 0x0f, 0x01, 0x0e}, /* y */
    {0x00, 0x00, 0x1f, 0x02, 0x04, 0x08, 0x1f, 0x00, 0x00}, /* z */
    {0x02, 0x04, 0x04, 0x08, 0x04, 0x04, 0x02, 0x00, 0x00}, /* { */
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x00}, /* | */
    {0x08, 0x04, 0x04, 0x02, 0x04, 0x04, 0x08, 0x00, 0x00}, /* } */
    {0x00, 0x00, 0x08, 0x15, 0x02, 0x00, 0x00, 0x00, 0x00}, /* ~ */
};

#define ZC__ADVANCE 6   /* pixels per character at scale 1: 5 of glyph, 1 of space */
#define ZC__LINE 9      /* glyph cell height at scale 1, descenders included */

static int zc__text_width(const char *s, int scale) {
    int n = (int)strlen(s);
    return n ? (n * ZC__ADVANCE - 1) * scale : 0;
}

/* Draw `s` with its top-left corner at (x, y); vertical text runs bottom to top with
 * its first character at the bottom-left corner (x, y). */
static void zc__text(zc__canvas *c, int x, int y, const char *s, int scale, zc__rgb color, int vertical) {
    for (int i = 0; s[i]; ++i) {
        unsigned char ch = (unsigned char)s[i];
        const uint8_t *glyph = zc__font[(ch >= 32 && ch <= 126 ? ch : '?') - 32];
        for (int row = 0; row < ZC__LINE; ++row) {
            for (int col = 0; col < 5; ++col) {
                if (!(glyph[row] & (0x10 >> col))) continue;
                int gx = i * ZC__ADVANCE + col, gy = row;
                int px = vertical ? x + gy * scale : x + gx * scale;
                int py = vertical ? y - (gx + 1) * scale : y + gy * scale;
                zc__fill(c, px, py, px + scale, py + scale, color);
            }
        }
    }
}

/* Copy `s` into buf, cut with ".." so it is at most max_width pixels wide. */
static const char *zc__fit(const char *s, int scale, int max_width, char *buf, size_t size) {
    snprintf(buf, size, "%s", s ? s : "");
    size_t n = strlen(buf);
    if (zc__text_width(buf, scale) <= max_width) return buf;
    while (n > 2 && zc__text_width(buf, scale) > max_width) {
        buf[--n] = 0;
        buf[n - 1] = '.';
        buf[n - 2] = '.';
    }
    return buf;
}

/* ---------------------------------------------------------------------------------
 * Axes
 * ------------------------------------------------------------------------------- */

typedef struct zc__axis {
    double lo, hi;              /* data range shown (positive for a log axis) */
    int log;
    int tick_count;
    double ticks[64];
    char labels[64][24];
} zc__axis;

static int zc__drawable(double v, int log) { return isfinite(v) && (!log || v > 0); }

/* Short form of a value, three significant digits at most: "0", "0.05", "250",
 * "1.05k", "20M". */
static void zc__format_tick(double v, char *buf, size_t size) {
    static const char *const suffix[] = { "", "k", "M", "G", "T", "P" };
    int s = 0;
    double a = fabs(v);
    while (a >= 999.5 && s < 5) {
        a /= 1000;
        v /= 1000;
        s++;
    }
    int decimals = a == 0 || a >= 99.95 ? 0 : a >= 9.995 ? 1 : a >= 0.9995 ? 2 : a >= 0.09995 ? 3 : 4;
    snprintf(buf, size, "%.*f", decimals, v);
    if (strchr(buf, '.')) { /* drop trailing zeros: "1.50" -> "1.5", "2.00" -> "2" */
        size_t n = strlen(buf);
        while (n > 0 && buf[n - 1] == '0') buf[--n] = 0;
        if (n > 0 && buf[n - 1] == '.') buf[--n] = 0;
    }
    snprintf(buf + strlen(buf), size - strlen(buf), "%s", suffix[s]);
}

/* A step of 1, 2 or 5 times a power of ten giving about `want` intervals over span. */
static double zc__nice_step(double span, int want) {
    double raw = span / want, p = pow(10, floor(log10(raw))), f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

/* Fit the axis to [min, max] of the data and choose its ticks. Linear axes start at
 * 0 when from_zero (or when the data does not go below it and sits close to it). */
static void zc__axis_fit(zc__axis *a, double min, double max, int log, int from_zero, int want) {
    a->log = log;
    a->tick_count = 0;
    if (!(min <= max)) min = max = log ? 1 : 0;
    if (log) {
        double lo = pow(10, floor(log10(min))), hi = pow(10, ceil(log10(max)));
        if (hi <= lo) hi = lo * 10;
        a->lo = lo;
        a->hi = hi;
        int decades = (int)lround(log10(hi / lo));
        int every = decades > 6 ? (decades + 5) / 6 : 1; /* at most about 7 labelled decades */
        for (double d = lo; d <= hi * 1.0001 && a->tick_count < 60; d *= pow(10, every)) {
            static const double steps[] = { 1, 2, 5 };
            for (int k = 0; k < (decades <= 2 ? 3 : 1); ++k) {
                double t = d * steps[k];
                if (t > hi * 1.0001) break;
                a->ticks[a->tick_count] = t;
                zc__format_tick(t, a->labels[a->tick_count], sizeof a->labels[0]);
                a->tick_count++;
            }
        }
        return;
    }
    if (from_zero || (min >= 0 && min < max * 0.5)) min = min < 0 ? min : 0;
    if (max == min) max = min + 1;
    double step = zc__nice_step(max - min, want);
    a->lo = floor(min / step) * step;
    a->hi = ceil(max * 1.04 / step) * step;
    for (double t = a->lo; t <= a->hi + step * 0.001 && a->tick_count < 60; t += step) {
        double v = fabs(t) < step * 1e-9 ? 0 : t;
        a->ticks[a->tick_count] = v;
        zc__format_tick(v, a->labels[a->tick_count], sizeof a->labels[0]);
        a->tick_count++;
    }
}

/* Position of v on an axis drawn from pixel p0 (lo) to p1 (hi). */
static int zc__map(const zc__axis *a, double v, int p0, int p1) {
    double f = a->log ? (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo)) : (v - a->lo) / (a->hi - a->lo);
    if (f < 0) f = 0;
    if (f > 1) f = 1;
    return p0 + (int)lround(f * (p1 - p0));
}

/* ---------------------------------------------------------------------------------
 * Shared pieces
 * ------------------------------------------------------------------------------- */

#define ZC__S 2         /* scale of body text */
#define ZC__T 3         /* scale of the title */

/* Title and subtitle at the top; returns the y below them. */
static int zc__heading(zc__canvas *c, const char *title, const char *subtitle) {
    char buf[256];
    int y = 16;
    zc__text(c, 20, y, zc__fit(title, ZC__T, c->w - 40, buf, sizeof buf), ZC__T, zc__ink, 0);
    y += ZC__LINE * ZC__T + 10;
    if (subtitle && subtitle[0]) {
        zc__text(c, 20, y, zc__fit(subtitle, ZC__S, c->w - 40, buf, sizeof buf), ZC__S, zc__muted, 0);
        y += ZC__LINE * ZC__S + 10;
    }
    return y + 6;
}

/* Legend entries (a colour swatch and the name) in rows wrapped at the right edge of
 * a canvas `width` wide, drawn when c is not NULL; returns the y below them. */
static int zc__legend(zc__canvas *c, int width, int y, const char *const *names, int count) {
    int x = 20, line = ZC__LINE * ZC__S;
    for (int i = 0; i < count; ++i) {
        char buf[128];
        const char *name = zc__fit(names[i], ZC__S, width - 80, buf, sizeof buf);
        int w = line + 8 + zc__text_width(name, ZC__S) + 24;
        if (x + w > width - 20 && x > 20) {
            x = 20;
            y += line + 10;
        }
        if (c) {
            zc__fill(c, x, y, x + line, y + line, zc__palette[i]);
            zc__text(c, x + line + 8, y, name, ZC__S, zc__ink, 0);
        }
        x += w;
    }
    return y + line + 16;
}

static int zc__write(const zc__canvas *c, const char *path) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = 0;
        if (zc_bench_mkdirs(dir) != 0) {
            fprintf(stderr, "%s: cannot create the directory of the chart\n", path);
            return -1;
        }
    }
    if (!stbi_write_png(path, c->w, c->h, 3, c->px, c->w * 3)) {
        fprintf(stderr, "%s: cannot write the chart\n", path);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------------------
 * Bar chart
 * ------------------------------------------------------------------------------- */

#define ZC__BAR 24      /* bar thickness */
#define ZC__BAR_GAP 4   /* between the bars of one row */
#define ZC__ROW_GAP 18  /* between rows */

static void zc__bar_note(const zc_plot_bars *b, int g, int s, char *buf, size_t size) {
    if (b->notes[g][s][0]) snprintf(buf, size, "%s", b->notes[g][s]);
    else zc__format_tick(b->values[g][s], buf, size);
}

int zc_plot_bars_png(const zc_plot_bars *b, const char *path) {
    if (!b || !b->title || b->group_count < 1 || b->group_count > ZC_PLOT_MAX_GROUPS || b->series_count < 1 ||
        b->series_count > ZC_PLOT_MAX_SERIES) {
        fprintf(stderr, "%s: malformed bar chart (title, groups or series)\n", path);
        return -1;
    }
    const int width = 1000;
    int label_w = 0, note_w = 0, drawable = 0;
    double min = INFINITY, max = -INFINITY;
    for (int g = 0; g < b->group_count; ++g) {
        int w = zc__text_width(b->groups[g] ? b->groups[g] : "", ZC__S);
        if (w > label_w) label_w = w;
        for (int s = 0; s < b->series_count; ++s) {
            double v = b->values[g][s];
            if (!zc__drawable(v, b->log_scale)) continue;
            char note[ZC_PLOT_NOTE_SIZE];
            zc__bar_note(b, g, s, note, sizeof note);
            if (zc__text_width(note, ZC__S) > note_w) note_w = zc__text_width(note, ZC__S);
            min = v < min ? v : min;
            max = v > max ? v : max;
            drawable++;
        }
    }
    if (label_w > width * 2 / 5) label_w = width * 2 / 5;

    /* Height: heading (as zc__heading lays it out), legend, rows, axis and its label. */
    int rows_h = b->group_count * (b->series_count * (ZC__BAR + ZC__BAR_GAP) - ZC__BAR_GAP + ZC__ROW_GAP);
    int heading_h = 16 + ZC__LINE * ZC__T + 16 + (b->subtitle && b->subtitle[0] ? ZC__LINE * ZC__S + 10 : 0);
    int legend_h = b->series_count > 1 ? zc__legend(NULL, width, 0, b->series, b->series_count) : 0;
    int height = heading_h + legend_h + 4 + rows_h + 10 + 2 * ZC__LINE * ZC__S + 12 + 24;
    zc__canvas c;
    if (zc__canvas_init(&c, width, height) != 0) {
        fprintf(stderr, "%s: out of memory for the chart\n", path);
        return -1;
    }
    int y = zc__heading(&c, b->title, b->subtitle);
    if (b->series_count > 1) y = zc__legend(&c, width, y, b->series, b->series_count);

    int x0 = 20 + label_w + 12, x1 = width - 30 - note_w - 10;
    int top = y + 4, bottom = top + rows_h;
    zc__axis a;
    if (drawable) zc__axis_fit(&a, min, max, b->log_scale, 1, 5);
    else zc__axis_fit(&a, 1, 10, b->log_scale, 1, 5);

    /* grid and tick labels */
    for (int t = 0; t < a.tick_count; ++t) {
        int x = zc__map(&a, a.ticks[t], x0, x1);
        zc__line(&c, x, top - 4, x, bottom, 1, zc__grid);
        zc__line(&c, x, bottom, x, bottom + 6, 1, zc__axis_ink);
        int tw = zc__text_width(a.labels[t], ZC__S);
        zc__text(&c, x - tw / 2, bottom + 10, a.labels[t], ZC__S, zc__ink, 0);
    }
    zc__line(&c, x0, top - 4, x0, bottom, 2, zc__axis_ink);
    zc__line(&c, x0, bottom, x1, bottom, 2, zc__axis_ink);
    if (b->value_label) {
        char buf[160];
        const char *label = zc__fit(b->value_label, ZC__S, x1 - x0, buf, sizeof buf);
        zc__text(&c, (x0 + x1) / 2 - zc__text_width(label, ZC__S) / 2, bottom + 10 + ZC__LINE * ZC__S + 12, label,
                 ZC__S, zc__muted, 0);
    }

    /* rows */
    int row_y = top;
    for (int g = 0; g < b->group_count; ++g) {
        int block = b->series_count * (ZC__BAR + ZC__BAR_GAP) - ZC__BAR_GAP;
        char buf[160];
        const char *label = zc__fit(b->groups[g] ? b->groups[g] : "", ZC__S, label_w, buf, sizeof buf);
        zc__text(&c, x0 - 12 - zc__text_width(label, ZC__S), row_y + block / 2 - ZC__LINE * ZC__S / 2, label, ZC__S,
                 zc__ink, 0);
        for (int s = 0; s < b->series_count; ++s) {
            int by = row_y + s * (ZC__BAR + ZC__BAR_GAP);
            double v = b->values[g][s];
            if (!zc__drawable(v, b->log_scale)) continue;
            int bx = zc__map(&a, v, x0, x1);
            zc__fill(&c, x0 + 1, by, bx > x0 + 1 ? bx : x0 + 2, by + ZC__BAR, zc__palette[s]);
            char note[ZC_PLOT_NOTE_SIZE];
            zc__bar_note(b, g, s, note, sizeof note);
            zc__text(&c, (bx > x0 + 1 ? bx : x0 + 2) + 8, by + (ZC__BAR - ZC__LINE * ZC__S) / 2, note, ZC__S, zc__ink,
                     0);
        }
        row_y += block + ZC__ROW_GAP;
    }
    int r = zc__write(&c, path);
    free(c.px);
    return r;
}

/* ---------------------------------------------------------------------------------
 * Line chart
 * ------------------------------------------------------------------------------- */

int zc_plot_lines_png(const zc_plot_lines *l, const char *path) {
    if (!l || !l->title || l->series_count < 1 || l->series_count > ZC_PLOT_MAX_SERIES ||
        l->x_tick_count < 0 || l->x_tick_count > ZC_PLOT_MAX_POINTS) {
        fprintf(stderr, "%s: malformed line chart (title, series or ticks)\n", path);
        return -1;
    }
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (int s = 0; s < l->series_count; ++s) {
        const zc_plot_series *ser = &l->series[s];
        if (ser->count < 0 || ser->count > ZC_PLOT_MAX_POINTS) {
            fprintf(stderr, "%s: series %d has %d points\n", path, s, ser->count);
            return -1;
        }
        for (int i = 0; i < ser->count; ++i) {
            if (!zc__drawable(ser->x[i], l->log_x) || !zc__drawable(ser->y[i], l->log_y)) continue;
            xmin = ser->x[i] < xmin ? ser->x[i] : xmin;
            xmax = ser->x[i] > xmax ? ser->x[i] : xmax;
            ymin = ser->y[i] < ymin ? ser->y[i] : ymin;
            ymax = ser->y[i] > ymax ? ser->y[i] : ymax;
        }
    }
    for (int t = 0; t < l->x_tick_count; ++t) {
        if (!zc__drawable(l->x_ticks[t], l->log_x)) continue;
        xmin = l->x_ticks[t] < xmin ? l->x_ticks[t] : xmin;
        xmax = l->x_ticks[t] > xmax ? l->x_ticks[t] : xmax;
    }
    zc__canvas c;
    if (zc__canvas_init(&c, 1000, 620) != 0) {
        fprintf(stderr, "%s: out of memory for the chart\n", path);
        return -1;
    }
    int y = zc__heading(&c, l->title, l->subtitle);
    const char *names[ZC_PLOT_MAX_SERIES];
    for (int s = 0; s < l->series_count; ++s) names[s] = l->series[s].name ? l->series[s].name : "";
    y = zc__legend(&c, c.w, y, names, l->series_count);

    zc__axis ax, ay;
    zc__axis_fit(&ay, ymin, ymax, l->log_y, l->y_from_zero, 6);
    if (l->x_tick_count) {
        ax.log = l->log_x;
        ax.lo = xmin;
        ax.hi = xmax > xmin ? xmax : xmin + 1;
        if (!l->log_x) {
            double pad = (ax.hi - ax.lo) * 0.04;
            ax.lo -= pad;
            ax.hi += pad;
        } else {
            ax.lo /= 1.3;
            ax.hi *= 1.3;
        }
        ax.tick_count = 0;
        for (int t = 0; t < l->x_tick_count; ++t) {
            ax.ticks[ax.tick_count] = l->x_ticks[t];
            snprintf(ax.labels[ax.tick_count], sizeof ax.labels[0], "%s",
                     l->x_tick_labels[t] ? l->x_tick_labels[t] : "");
            ax.tick_count++;
        }
    } else {
        zc__axis_fit(&ax, xmin, xmax, l->log_x, 0, 6);
    }

    int label_w = 0;
    for (int t = 0; t < ay.tick_count; ++t)
        if (zc__text_width(ay.labels[t], ZC__S) > label_w) label_w = zc__text_width(ay.labels[t], ZC__S);
    int x0 = 20 + (l->y_label ? ZC__LINE * ZC__S + 12 : 0) + label_w + 12, x1 = c.w - 40;
    int top = y + 8, bottom = c.h - 40 - ZC__LINE * ZC__S - (l->x_label ? ZC__LINE * ZC__S + 12 : 0);

    for (int t = 0; t < ay.tick_count; ++t) {
        int py = zc__map(&ay, ay.ticks[t], bottom, top);
        zc__line(&c, x0, py, x1, py, 1, zc__grid);
        zc__line(&c, x0 - 6, py, x0, py, 1, zc__axis_ink);
        zc__text(&c, x0 - 10 - zc__text_width(ay.labels[t], ZC__S), py - ZC__LINE * ZC__S / 2, ay.labels[t], ZC__S,
                 zc__ink, 0);
    }
    for (int t = 0; t < ax.tick_count; ++t) {
        if (!zc__drawable(ax.ticks[t], ax.log)) continue;
        int px = zc__map(&ax, ax.ticks[t], x0, x1);
        zc__line(&c, px, top, px, bottom, 1, zc__grid);
        zc__line(&c, px, bottom, px, bottom + 6, 1, zc__axis_ink);
        int tw = zc__text_width(ax.labels[t], ZC__S);
        int tx = px - tw / 2;
        if (tx + tw > c.w - 4) tx = c.w - 4 - tw;
        zc__text(&c, tx, bottom + 10, ax.labels[t], ZC__S, zc__ink, 0);
    }
    zc__line(&c, x0, top, x0, bottom, 2, zc__axis_ink);
    zc__line(&c, x0, bottom, x1, bottom, 2, zc__axis_ink);
    char buf[160];
    if (l->x_label) {
        const char *label = zc__fit(l->x_label, ZC__S, x1 - x0, buf, sizeof buf);
        zc__text(&c, (x0 + x1) / 2 - zc__text_width(label, ZC__S) / 2, bottom + 16 + ZC__LINE * ZC__S, label, ZC__S,
                 zc__muted, 0);
    }
    if (l->y_label) {
        const char *label = zc__fit(l->y_label, ZC__S, bottom - top, buf, sizeof buf);
        zc__text(&c, 20, (top + bottom) / 2 + zc__text_width(label, ZC__S) / 2, label, ZC__S, zc__muted, 1);
    }

    for (int s = 0; s < l->series_count; ++s) {
        const zc_plot_series *ser = &l->series[s];
        int have = 0, px0 = 0, py0 = 0;
        for (int i = 0; i < ser->count; ++i) {
            if (!zc__drawable(ser->x[i], ax.log) || !zc__drawable(ser->y[i], ay.log)) {
                have = 0;
                continue;
            }
            int px = zc__map(&ax, ser->x[i], x0, x1), py = zc__map(&ay, ser->y[i], bottom, top);
            if (have) zc__line(&c, px0, py0, px, py, 3, zc__palette[s]);
            zc__fill(&c, px - 5, py - 5, px + 6, py + 6, zc__palette[s]);
            have = 1;
            px0 = px;
            py0 = py;
        }
    }
    int r = zc__write(&c, path);
    free(c.px);
    return r;
}

/* ---------------------------------------------------------------------------------
 * Into the report
 * ------------------------------------------------------------------------------- */

static void zc__md_image(zc_bench_md *md, const char *title, const char *name) {
    zc_bench_md_printf(md, "![%s](" ZC_PLOT_DIR "/%s.png)\n\n", title, name);
}

int zc_plot_bars_md(const zc_plot_bars *chart, const char *name, zc_bench_md *md) {
    char path[512];
    snprintf(path, sizeof path, ZC_PLOT_DIR "/%s.png", name);
    if (zc_plot_bars_png(chart, path) != 0) return -1;
    zc__md_image(md, chart->title, name);
    return 0;
}

int zc_plot_lines_md(const zc_plot_lines *chart, const char *name, zc_bench_md *md) {
    char path[512];
    snprintf(path, sizeof path, ZC_PLOT_DIR "/%s.png", name);
    if (zc_plot_lines_png(chart, path) != 0) return -1;
    zc__md_image(md, chart->title, name);
    return 0;
}
