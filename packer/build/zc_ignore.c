/* zc_ignore.c - .zcpackignore parsing and matching (zc_ignore.h). */
#include <stdlib.h>
#include <string.h>

#include "zc_ignore.h"
#include "zc_manifest.h"

typedef struct zc__ignore_pattern {
    const char *text;               /* into the list's copy of the file; no trailing '/' */
    size_t len;
    uint32_t line;                  /* from 1 */
    uint8_t negate;                 /* "!pattern" */
    uint8_t dir_only;               /* "pattern/" */
    uint8_t anchored;               /* held a '/' before its end: matched from the root */
} zc__ignore_pattern;

struct zc_ignore {
    char *text;
    zc__ignore_pattern *patterns;
    size_t count;
};

void zc_ignore_free(zc_ignore *ig) {
    if (!ig) return;
    free(ig->text);
    free(ig->patterns);
    free(ig);
}

size_t zc_ignore_count(const zc_ignore *ig) {
    return ig ? ig->count : 0;
}

/* ---------------------------------------------------------------------------------
 * Matching one name: '*', '?', "[...]" classes and '\' escapes, no '/' on either side.
 * Iterative, with one backtrack point for the last '*': time O(pattern * name).
 * ------------------------------------------------------------------------------- */

/* Does the class at p[0] == '[' hold c? *end receives the index just past its ']',
 * or 0 when the class is not closed (then '[' is an ordinary character). */
static int zc__class_holds(const char *p, size_t pn, char c, size_t *end) {
    size_t i = 1;
    int negate = i < pn && (p[i] == '!' || p[i] == '^');
    if (negate) i++;
    int found = 0;
    for (size_t first = i; i < pn && (p[i] != ']' || i == first); ++i) {
        char lo = p[i] == '\\' && i + 1 < pn ? p[++i] : p[i], hi = lo;
        if (i + 2 < pn && p[i + 1] == '-' && p[i + 2] != ']') {
            i += 2;
            hi = p[i] == '\\' && i + 1 < pn ? p[++i] : p[i];
        }
        if ((unsigned char)c >= (unsigned char)lo && (unsigned char)c <= (unsigned char)hi) found = 1;
    }
    *end = i < pn ? i + 1 : 0;
    return found != negate;
}

static int zc__glob(const char *p, size_t pn, const char *s, size_t sn) {
    size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;
    while (si < sn) {
        if (pi < pn && p[pi] == '*') {
            star_p = ++pi;
            star_s = si;
            continue;
        }
        if (pi < pn) {
            size_t next = pi + 1;
            int ok;
            if (p[pi] == '?') {
                ok = 1;
            } else if (p[pi] == '[') {
                size_t end;
                int holds = zc__class_holds(p + pi, pn - pi, s[si], &end);
                ok = end ? holds : s[si] == '[';
                next = end ? pi + end : pi + 1;
            } else {
                size_t at = p[pi] == '\\' && pi + 1 < pn ? pi + 1 : pi;
                ok = p[at] == s[si];
                next = at + 1;
            }
            if (ok) {
                pi = next;
                si++;
                continue;
            }
        }
        if (star_p == (size_t)-1) return 0;
        pi = star_p;
        si = ++star_s;
    }
    while (pi < pn && p[pi] == '*') pi++;
    return pi == pn;
}

int zc__ignore_glob(const char *pattern, const char *string) {
    return zc__glob(pattern, strlen(pattern), string, strlen(string));
}

/* ---------------------------------------------------------------------------------
 * Matching a path, segment by segment, with "**" segments.
 * ------------------------------------------------------------------------------- */

static size_t zc__segment_end(const char *s, size_t n) {
    const char *slash = (const char *)memchr(s, '/', n);
    return slash ? (size_t)(slash - s) : n;
}

static int zc__match_segments(const char *p, size_t pn, const char *s, size_t sn) {
    size_t pe = zc__segment_end(p, pn);
    int last = pe == pn;
    if (pe == 2 && p[0] == '*' && p[1] == '*') {
        if (last) return sn > 0; /* a trailing "**": everything inside */
        const char *rest = p + 3;
        size_t rest_n = pn - 3;
        for (size_t i = 0;; ++i) { /* zero or more whole segments of s */
            if (zc__match_segments(rest, rest_n, s + i, sn - i)) return 1;
            size_t e = zc__segment_end(s + i, sn - i);
            if (i + e >= sn) return 0;
            i += e;
        }
    }
    size_t se = zc__segment_end(s, sn);
    if (!zc__glob(p, pe, s, se)) return 0;
    if (last || se == sn) return last && se == sn;
    return zc__match_segments(p + pe + 1, pn - pe - 1, s + se + 1, sn - se - 1);
}

static uint32_t zc__match(const zc_ignore *ig, const char *rel, size_t len, int is_dir) {
    uint32_t line = 0;
    const char *slash = NULL;
    for (size_t i = 0; i < len; ++i)
        if (rel[i] == '/') slash = rel + i;
    const char *base = slash ? slash + 1 : rel;
    size_t base_len = len - (size_t)(base - rel);
    for (size_t i = 0; ig && i < ig->count; ++i) {
        const zc__ignore_pattern *pt = &ig->patterns[i];
        if (pt->dir_only && !is_dir) continue;
        int hit = pt->anchored ? zc__match_segments(pt->text, pt->len, rel, len)
                               : zc__glob(pt->text, pt->len, base, base_len);
        if (hit) line = pt->negate ? 0 : pt->line;
    }
    return line;
}

uint32_t zc_ignore_match(const zc_ignore *ig, const char *rel, int is_dir) {
    return rel ? zc__match(ig, rel, strlen(rel), is_dir) : 0;
}

uint32_t zc_ignore_path(const zc_ignore *ig, const char *rel) {
    if (!ig || !rel) return 0;
    size_t len = strlen(rel);
    for (size_t i = 0; i < len; ++i) {
        uint32_t line = rel[i] == '/' ? zc__match(ig, rel, i, 1) : 0;
        if (line) return line;
    }
    return zc__match(ig, rel, len, 0);
}

/* ASCII case-insensitive equality of the n bytes at s with the string t. */
static int zc__same_name(const char *s, size_t n, const char *t) {
    if (strlen(t) != n) return 0;
    for (size_t i = 0; i < n; ++i) {
        char a = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
        if (a != t[i]) return 0;
    }
    return 1;
}

static int zc__system_name(const char *name, size_t n) {
    return (n > 0 && name[0] == '.') || (n == 8 && memcmp(name, "__MACOSX", 8) == 0) ||
           zc__same_name(name, n, "thumbs.db") || zc__same_name(name, n, "ehthumbs.db") ||
           zc__same_name(name, n, "desktop.ini");
}

int zc_ignore_system_name(const char *name) {
    return name && zc__system_name(name, strlen(name));
}

int zc_ignore_system_path(const char *rel) {
    if (!rel) return 0;
    for (const char *start = rel;;) {
        const char *slash = strchr(start, '/');
        size_t n = slash ? (size_t)(slash - start) : strlen(start);
        if (zc__system_name(start, n)) return 1;
        if (!slash) return 0;
        start = slash + 1;
    }
}

int zc_walk_folder_inside(const zc_walk_folder *walk, uint64_t dev, uint64_t ino) {
    for (; walk; walk = walk->outer)
        if (walk->dev == dev && walk->ino == ino) return 1;
    return 0;
}

/* ---------------------------------------------------------------------------------
 * Parsing
 * ------------------------------------------------------------------------------- */

/* One line (without its '\n') into *pt; 0 when it holds no pattern. */
static int zc__parse_line(char *s, size_t n, uint32_t line, zc__ignore_pattern *pt) {
    if (n && s[n - 1] == '\r') n--;
    while (n && s[n - 1] == ' ' && !(n >= 2 && s[n - 2] == '\\')) n--;
    if (n == 0 || s[0] == '#') return 0;
    memset(pt, 0, sizeof *pt);
    pt->line = line;
    if (s[0] == '!') {
        pt->negate = 1;
        s++, n--;
    }
    while (n && s[n - 1] == '/') {
        pt->dir_only = 1;
        n--;
    }
    pt->anchored = memchr(s, '/', n) != NULL;
    if (n && s[0] == '/') s++, n--;
    pt->text = s;
    pt->len = n;
    return n > 0;
}

zc_result zc_ignore_parse(const char *text, size_t size, zc_ignore **out, zc_diag *diag) {
    if (out) *out = NULL;
    if (!out || (!text && size)) return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "no ignore text");
    if (size > ZC_IGNORE_MAX_SIZE)
        return zc_fail(diag, ZC_ERR_LIMIT, "%zu bytes exceed the limit of %u", size, ZC_IGNORE_MAX_SIZE);
    const char *nul = size ? (const char *)memchr(text, 0, size) : NULL;
    if (nul) {
        uint32_t line = 1;
        for (const char *c = text; c < nul; ++c) line += *c == '\n';
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "line %u: holds a NUL character", line);
    }
    size_t lines = 1;
    for (size_t i = 0; i < size; ++i) lines += text[i] == '\n';
    zc_ignore *ig = (zc_ignore *)calloc(1, sizeof *ig);
    if (ig) ig->text = (char *)malloc(size + 1);
    if (ig && ig->text) ig->patterns = (zc__ignore_pattern *)calloc(lines, sizeof *ig->patterns);
    if (!ig || !ig->text || !ig->patterns) {
        zc_ignore_free(ig);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for %zu lines", lines);
    }
    if (size) memcpy(ig->text, text, size);
    ig->text[size] = 0;
    uint32_t line = 1;
    for (size_t at = 0; at <= size; ++line) {
        const char *nl = (const char *)memchr(ig->text + at, '\n', size - at);
        size_t end = nl ? (size_t)(nl - ig->text) : size;
        if (zc__parse_line(ig->text + at, end - at, line, &ig->patterns[ig->count])) ig->count++;
        at = end + 1;
    }
    *out = ig;
    return ZC_OK;
}

zc_result zc_ignore_load(const char *file_path, zc_ignore **out, zc_diag *diag) {
    if (out) *out = NULL;
    char *text = NULL;
    size_t size = 0;
    zc_result r = zc_read_config_file(file_path, ZC_IGNORE_MAX_SIZE, &text, &size, diag);
    if (r == ZC_OK) r = zc_ignore_parse(text, size, out, diag);
    free(text);
    return r;
}
