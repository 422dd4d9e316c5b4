/* zc_cmd_report.c - `zcpack report <pack> -o <page.html>`: one self-contained HTML page
 * about a pack: where its bytes go (a treemap by folder and by type), every entry in a
 * sortable table, a thumbnail of every texture (decoded here, embedded as PNG), what
 * each entry depends on and what depends on it, what compression and deduplication
 * saved, and optionally a preview picture and the build's warnings (from its log or
 * from the build cache's records). The
 * page (zc_report_page.c) loads nothing from anywhere. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "zc_build_cache.h"
#include "zc_cli.h"
#include "zc_format.h"
#include "zc_report_page.h"

static const char zc__report_help[] =
    "Usage: zcpack report <pack> -o <page.html> [--preview <png>] [--log <file>]\n"
    "                     [--cache <dir>] [--thumb-size <n>] [--max-thumbs <n>]\n"
    "\n"
    "Write one self-contained HTML page about <pack> (no network, no other file):\n"
    "  - totals: entries, file, raw, stored and payload bytes, and the bytes\n"
    "    compression and deduplication saved;\n"
    "  - a treemap of stored bytes by folder (a model's entries inside its file) or by\n"
    "    type; a click on a folder zooms into it, the path above leads back;\n"
    "  - the selected entry (a click in the treemap, the table or the thumbnails): its\n"
    "    facts and a graph of the entries that use it and those it uses, two steps\n"
    "    deep; <page.html>#entry=<path> opens with that entry selected;\n"
    "  - a thumbnail of every texture (level 0 of layer 0, or the first level that\n"
    "    fits, decoded by zcpack and shrunk to --thumb-size);\n"
    "  - every entry in a table sorted by a click on any column;\n"
    "  - the build's warnings, each with the entry of its file: from --log, else\n"
    "    from the build cache (--cache, else <pack>.cache when it exists), else the\n"
    "    page says none are recorded.\n"
    "The pack is opened with every checksum checked. Open the page in any browser.\n"
    "\n"
    "Options:\n"
    "  -o, --output <file>   page to write (required), replaced atomically\n"
    "  --preview <png>       a PNG to show on the page, e.g. the scene drawn by\n"
    "                        samples/viewer (at most 16 MiB)\n"
    "  --log <file>          the output of the build that made the pack (zcpack build\n"
    "                        ... 2> build.log): its \"zcpack: <file>: ...\" lines are\n"
    "                        listed, each with the entry of its file (at most 16 MiB)\n"
    "  --cache <dir>         the build cache the build used (zcpack build --cache\n"
    "                        <dir>): the warnings its records keep for the imports\n"
    "                        whose entries are in the pack, with their files; blobs,\n"
    "                        cube maps, arrays and layer lists have no record\n"
    "                        (default: <pack>.cache when it is a directory and --log\n"
    "                        is not given)\n"
    "  --thumb-size <n>      longest side of a thumbnail, 16 to 1024 (default: 128)\n"
    "  --max-thumbs <n>      thumbnails of at most this many textures, in path order,\n"
    "                        0 to 1000000 (default: 5000)\n"
    "  -h, --help            show this help\n";

typedef struct zc__report_values {
    const char *output;
    const char *preview;
    const char *log;
    const char *cache;
    zc_cli_number thumb_size, max_thumbs;
} zc__report_values;

static const zc_cli_option zc__report_options[] = {
    ZC_OPT_STRING("--output", 'o', zc__report_values, output, "a file name", "output file name"),
    ZC_OPT_STRING("--preview", 0, zc__report_values, preview, "a PNG file", "preview file name"),
    ZC_OPT_STRING("--log", 0, zc__report_values, log, "a file name", "log file name"),
    ZC_OPT_STRING("--cache", 0, zc__report_values, cache, "a directory name", "cache directory name"),
    ZC_OPT_NUMBER("--thumb-size", 0, zc__report_values, thumb_size, 16, 1024),
    ZC_OPT_NUMBER("--max-thumbs", 0, zc__report_values, max_thumbs, 0, 1000000),
    ZC_OPT_END,
};

#define ZC__REPORT_MAX_SIDE_FILE (16u << 20) /* --preview and --log */

/* What the page is made from. */
typedef struct zc__report {
    const char *pack_path;
    zc_pack *pack;
    zc_entry *entries;          /* sorted by path */
    uint32_t count;
    uint32_t *by_index;         /* TOC index -> position in entries */
    cJSON *root, *list, *thumbs, *warnings;
    uint32_t textures;
} zc__report;

/* ---------------------------------------------------------------------------------
 * Pieces of data
 * ------------------------------------------------------------------------------- */

/* "data:<mime>;base64,..." of `size` bytes, malloc'd. */
static char *zc__data_url(const char *mime, const uint8_t *data, size_t size) {
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t head = strlen("data:;base64,") + strlen(mime);
    char *out = (char *)malloc(head + (size + 2) / 3 * 4 + 1);
    if (!out) return NULL;
    char *o = out + sprintf(out, "data:%s;base64,", mime);
    for (size_t i = 0; i < size; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16 | (i + 1 < size ? (uint32_t)data[i + 1] << 8 : 0) |
                     (i + 2 < size ? data[i + 2] : 0);
        *o++ = digits[v >> 18 & 63];
        *o++ = digits[v >> 12 & 63];
        *o++ = i + 1 < size ? digits[v >> 6 & 63] : '=';
        *o++ = i + 2 < size ? digits[v & 63] : '=';
    }
    *o = 0;
    return out;
}

/* The whole of a small file (at most ZC__REPORT_MAX_SIDE_FILE bytes); NULL reported. */
static uint8_t *zc__read_side_file(const char *path, const char *what, size_t *size) {
    FILE *f = fopen(path, "rb");
    uint8_t *data = f ? (uint8_t *)malloc(ZC__REPORT_MAX_SIDE_FILE + 1) : NULL;
    size_t n = data ? fread(data, 1, ZC__REPORT_MAX_SIDE_FILE + 1, f) : 0;
    int failed = !f || !data || ferror(f);
    if (f) fclose(f);
    if (failed || n > ZC__REPORT_MAX_SIDE_FILE) {
        if (failed) zc__error("%s: cannot read the %s", path, what);
        else zc__error("%s: the %s is larger than %u bytes", path, what, ZC__REPORT_MAX_SIDE_FILE);
        free(data);
        return NULL;
    }
    *size = n;
    return data;
}

/* The thumbnail of a texture entry, appended to r->thumbs; its index, or -1 when the
 * texture cannot be viewed or decoded (a note on stderr, the page shows no picture). */
static int zc__thumbnail(zc__report *r, const zc_entry *e, uint32_t max_edge, cJSON *item) {
    zc_entry raw;
    zc_hold hold;
    zc_texture_view view;
    zc_result res = zc__raw_entry(r->pack, e, &raw, &hold);
    if (res == ZC_OK) res = zc_texture_view_from_entry(&raw, &view);
    uint8_t *png = NULL;
    size_t png_size = 0;
    if (res == ZC_OK) {
        cJSON_AddNumberToObject(item, "w", view.width);
        cJSON_AddNumberToObject(item, "h", view.height);
        cJSON_AddStringToObject(item, "f", zc_pixel_format_name((uint32_t)view.format));
        cJSON_AddNumberToObject(item, "m", view.mip_count);
        cJSON_AddNumberToObject(item, "l", view.layers);
        uint32_t level = 0; /* the first level whose longest side fits, else the last */
        while (level + 1 < view.mip_count &&
               ((view.width >> level) > max_edge || ((view.height * view.depth) >> level) > max_edge))
            level++;
        res = zc__texture_level_png(&view, level, 0, max_edge, &png, &png_size);
    }
    zc_hold_release(&hold);
    char *url = res == ZC_OK ? zc__data_url("image/png", png, png_size) : NULL;
    free(png);
    if (!url) {
        fprintf(stderr, "zcpack: %s: %s: no thumbnail: %s\n", r->pack_path, e->path,
                zc_result_str(res == ZC_OK ? ZC_ERR_OUT_OF_MEMORY : res));
        return -1;
    }
    cJSON_AddItemToArray(r->thumbs, cJSON_CreateString(url));
    free(url);
    return cJSON_GetArraySize(r->thumbs) - 1;
}

/* One entry's object: path, type, codec, sizes, id, dependencies (as positions in the
 * list; those the pack lacks counted), and a texture's facts and thumbnail. */
static cJSON *zc__entry_item(zc__report *r, const zc_entry *e, const zc__report_values *v) {
    cJSON *item = cJSON_CreateObject(), *deps = cJSON_CreateArray();
    if (!item || !deps) {
        cJSON_Delete(item);
        cJSON_Delete(deps);
        return NULL;
    }
    char type[16], id[17];
    zc__hex64(e->id, id);
    cJSON_AddStringToObject(item, "p", e->path);
    cJSON_AddStringToObject(item, "t", zc__type_text(e->type, type));
    cJSON_AddStringToObject(item, "c", zc__codec_text(e->codec));
    cJSON_AddNumberToObject(item, "r", (double)e->raw_size);
    cJSON_AddNumberToObject(item, "s", (double)e->stored_size);
    cJSON_AddStringToObject(item, "id", id);
    uint32_t missing = 0;
    for (uint32_t d = 0; d < e->deps_count; ++d) {
        zc_entry dep;
        if (zc_pack_find_id(r->pack, e->deps[d], &dep) == ZC_OK)
            cJSON_AddItemToArray(deps, cJSON_CreateNumber(r->by_index[dep.index]));
        else
            missing++;
    }
    cJSON_AddItemToObject(item, "d", deps);
    cJSON_AddNumberToObject(item, "x", missing);
    int thumb = -1;
    if (e->type == ZC_TYPE_TEXTURE) {
        uint32_t max_thumbs = v->max_thumbs.given ? v->max_thumbs.value : 5000;
        if (r->textures++ < max_thumbs)
            thumb = zc__thumbnail(r, e, v->thumb_size.given ? v->thumb_size.value : 128, item);
    }
    cJSON_AddNumberToObject(item, "th", thumb);
    return item;
}

static int zc__compare_pairs(const void *x, const void *y) {
    const uint64_t *a = (const uint64_t *)x, *b = (const uint64_t *)y;
    return a[0] != b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] != b[1] ? (a[1] < b[1] ? -1 : 1) : 0;
}

/* Totals as `zcpack stats` counts them: entries sharing a payload have the same
 * offset and stored size. */
static void zc__totals(zc__report *r) {
    uint64_t raw = 0, stored = 0, payload = 0, sharing = 0;
    uint64_t *pairs = (uint64_t *)malloc(((size_t)r->count + 1) * 2 * sizeof *pairs);
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->count; ++i) {
        raw += r->entries[i].raw_size;
        stored += r->entries[i].stored_size;
        if (!pairs || !r->entries[i].stored_size) continue;
        pairs[2 * n] = r->entries[i].offset;
        pairs[2 * n + 1] = r->entries[i].stored_size;
        n++;
    }
    if (pairs) qsort(pairs, n, 2 * sizeof *pairs, zc__compare_pairs);
    for (uint32_t i = 0; pairs && i < n; ++i) {
        int same_as_prev = i > 0 && zc__compare_pairs(pairs + 2 * i, pairs + 2 * (i - 1)) == 0;
        int same_as_next = i + 1 < n && zc__compare_pairs(pairs + 2 * i, pairs + 2 * (i + 1)) == 0;
        if (!same_as_prev) payload += pairs[2 * i + 1];
        if (same_as_prev || same_as_next) sharing++;
    }
    free(pairs);
    zc_pack_info info;
    memset(&info, 0, sizeof info);
    zc_pack_get_info(r->pack, &info);
    cJSON_AddNumberToObject(r->root, "file_bytes", (double)info.file_size);
    cJSON_AddNumberToObject(r->root, "raw_bytes", (double)raw);
    cJSON_AddNumberToObject(r->root, "stored_bytes", (double)stored);
    cJSON_AddNumberToObject(r->root, "payload_bytes", (double)payload);
    cJSON_AddNumberToObject(r->root, "compression_saved", raw > stored ? (double)(raw - stored) : 0.0);
    cJSON_AddNumberToObject(r->root, "dedup_saved", (double)(stored - payload));
    cJSON_AddNumberToObject(r->root, "dedup_entries", (double)sharing);
}

/* Position of the entry whose path is the n bytes at `key`, or -1 (entries sorted). */
static int zc__find_sorted(const zc__report *r, const char *key, size_t n) {
    uint32_t lo = 0, hi = r->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const char *p = r->entries[mid].path;
        int c = strncmp(p, key, n);
        if (c == 0 && p[n] == 0) return (int)mid;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

/* The entry whose source file a log line names: "zcpack: <dir>/<path>: ...", with
 * <path> an entry path; -1 when none. */
static int zc__log_entry(const zc__report *r, const char *line, size_t length) {
    const char *start = line + 8; /* after "zcpack: " */
    for (const char *end = start; end + 1 < line + length; ++end) {
        if (end[0] != ':' || end[1] != ' ') continue;
        for (const char *from = start; from < end; ++from) { /* the whole, then each suffix after a '/' */
            if (from != start && from[-1] != '/') continue;
            int found = zc__find_sorted(r, from, (size_t)(end - from));
            if (found >= 0) return found;
        }
    }
    return -1;
}

/* The warning and error lines of a build's log, each with its entry. */
static int zc__read_log(zc__report *r, const char *path) {
    size_t size = 0;
    char *text = (char *)zc__read_side_file(path, "log", &size);
    if (!text) return ZC_EXIT_IO;
    for (size_t at = 0; at < size;) {
        const char *nl = (const char *)memchr(text + at, '\n', size - at);
        size_t end = nl ? (size_t)(nl - text) : size, n = end - at;
        if (n > 8 && strncmp(text + at, "zcpack: ", 8) == 0 && zc_utf8_valid((const uint8_t *)text + at, n)) {
            cJSON *w = cJSON_CreateObject();
            char *line = (char *)malloc(n + 1);
            if (w && line) {
                memcpy(line, text + at, n);
                line[n] = 0;
                cJSON_AddStringToObject(w, "m", line);
                cJSON_AddNumberToObject(w, "e", zc__log_entry(r, line, n));
                cJSON_AddItemToArray(r->warnings, w);
                w = NULL;
            }
            cJSON_Delete(w);
            free(line);
        }
        at = end + 1;
    }
    free(text);
    return ZC_EXIT_OK;
}

/* ---------------------------------------------------------------------------------
 * Warnings from the build cache
 * ------------------------------------------------------------------------------- */

#define ZC__REPORT_MAX_SHARED 64 /* entries of one content a record's source may be */

/* One warning found in the cache: the entry of its file and the note. */
typedef struct zc__noted {
    uint32_t entry;
    char *note;
} zc__noted;

typedef struct zc__cache_scan {
    const zc__report *r;
    uint64_t *by_hash;          /* (content hash, position) pairs, sorted */
    zc__noted *found;
    size_t count, cap;
    int oom;
} zc__cache_scan;

/* Positions of the entries of type `type` whose raw bytes are `size` bytes hashing to
 * `hash`, at most `max`; their number. */
static uint32_t zc__entries_of_content(const zc__cache_scan *s, uint64_t hash, uint64_t size, uint32_t type,
                                       uint32_t *out, uint32_t max) {
    uint32_t lo = 0, hi = s->r->count, n = 0;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->by_hash[2 * mid] < hash) lo = mid + 1;
        else hi = mid;
    }
    for (uint32_t i = lo; i < s->r->count && s->by_hash[2 * i] == hash && n < max; ++i) {
        const zc_entry *e = &s->r->entries[s->by_hash[2 * i + 1]];
        if (e->raw_size == size && e->type == type) out[n++] = (uint32_t)s->by_hash[2 * i + 1];
    }
    return n;
}

static void zc__noted_add(zc__cache_scan *s, uint32_t entry, const char *note, size_t n) {
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        zc__noted *more = (zc__noted *)realloc(s->found, cap * sizeof *more);
        if (!more) {
            s->oom = 1;
            return;
        }
        s->found = more;
        s->cap = cap;
    }
    char *copy = (char *)malloc(n + 1);
    if (!copy) {
        s->oom = 1;
        return;
    }
    memcpy(copy, note, n);
    copy[n] = 0;
    s->found[s->count].entry = entry;
    s->found[s->count++].note = copy;
}

/* A record with notes (zc_build_cache_each_notes): when every one of its outputs is an
 * entry of the pack, byte for byte, its notes are warnings of the file whose entry is
 * the record's own output (the first named output's when it has none). */
static void zc__cache_record(const char *notes, const zc_import_outputs *outs, void *user_data) {
    zc__cache_scan *s = (zc__cache_scan *)user_data;
    uint32_t files[ZC__REPORT_MAX_SHARED], file_count = 0;
    int named = -1;
    for (size_t i = 0; i < outs->count; ++i) {
        const zc_import_output *o = &outs->items[i];
        uint64_t hash = XXH3_64bits(o->payload, o->size);
        uint32_t at[ZC__REPORT_MAX_SHARED], n;
        if (o->path) {
            int pos = zc__find_sorted(s->r, o->path, strlen(o->path));
            const zc_entry *e = pos >= 0 ? &s->r->entries[pos] : NULL;
            if (!e || e->content_hash != hash || e->raw_size != o->size || e->type != o->type) return;
            if (named < 0) named = pos;
        } else if ((n = zc__entries_of_content(s, hash, o->size, o->type, at, ZC__REPORT_MAX_SHARED)) == 0) {
            return;
        } else {
            memcpy(files, at, n * sizeof *at);
            file_count = n;
        }
    }
    if (!file_count && named >= 0) files[file_count++] = (uint32_t)named;
    for (uint32_t f = 0; f < file_count; ++f)
        for (const char *line = notes; *line;) {
            size_t n = strcspn(line, "\n");
            if (n) zc__noted_add(s, files[f], line, n);
            line += n + (line[n] == '\n');
        }
}

static int zc__compare_noted(const void *x, const void *y) {
    const zc__noted *a = (const zc__noted *)x, *b = (const zc__noted *)y;
    if (a->entry != b->entry) return a->entry < b->entry ? -1 : 1;
    return strcmp(a->note, b->note);
}

/* The warnings the build cache `dir` keeps for the pack's entries, in entry order,
 * each once, as "<entry path>: <note>". `given`: --cache named it (else it is the
 * default, which may be absent). */
static int zc__read_cache(zc__report *r, const char *dir, int given, const char **source) {
    struct stat st;
    int missing = stat(dir, &st) != 0;
    if (missing || !S_ISDIR(st.st_mode)) {
        if (!given) return ZC_EXIT_OK;
        zc__error("%s: cannot read the build cache: %s", dir, missing ? strerror(errno) : "not a directory");
        return ZC_EXIT_IO;
    }
    zc_build_cache *cache = NULL;
    zc_result res = zc_build_cache_open(&cache, &(zc_build_cache_desc){ .dir = dir, .logger = { zc__cli_log, NULL } });
    zc__cache_scan s;
    memset(&s, 0, sizeof s);
    s.r = r;
    s.by_hash = res == ZC_OK ? (uint64_t *)malloc(((size_t)r->count + 1) * 2 * sizeof *s.by_hash) : NULL;
    if (s.by_hash) {
        for (uint32_t i = 0; i < r->count; ++i) {
            s.by_hash[2 * i] = r->entries[i].content_hash;
            s.by_hash[2 * i + 1] = i;
        }
        qsort(s.by_hash, r->count, 2 * sizeof *s.by_hash, zc__compare_pairs);
        res = zc_build_cache_each_notes(cache, zc__cache_record, &s);
    } else if (res == ZC_OK) {
        res = ZC_ERR_OUT_OF_MEMORY;
    }
    zc_build_cache_close(cache);
    if (res == ZC_OK && s.oom) res = ZC_ERR_OUT_OF_MEMORY;
    if (res == ZC_OK) {
        if (s.count) qsort(s.found, s.count, sizeof *s.found, zc__compare_noted);
        for (size_t i = 0; i < s.count; ++i) {
            if (i && zc__compare_noted(&s.found[i], &s.found[i - 1]) == 0) continue;
            const char *path = r->entries[s.found[i].entry].path;
            char *line = (char *)malloc(strlen(path) + strlen(s.found[i].note) + 3);
            cJSON *w = line ? cJSON_CreateObject() : NULL;
            if (!w) {
                free(line);
                res = ZC_ERR_OUT_OF_MEMORY;
                break;
            }
            sprintf(line, "%s: %s", path, s.found[i].note);
            cJSON_AddStringToObject(w, "m", line);
            cJSON_AddNumberToObject(w, "e", s.found[i].entry);
            cJSON_AddItemToArray(r->warnings, w);
            free(line);
        }
        *source = dir;
    } else if (res == ZC_ERR_IO) {
        zc__error("%s: cannot read the build cache", dir);
    }
    for (size_t i = 0; i < s.count; ++i) free(s.found[i].note);
    free(s.found);
    free(s.by_hash);
    return res == ZC_OK ? ZC_EXIT_OK : res == ZC_ERR_IO ? ZC_EXIT_IO : ZC_EXIT_INTERNAL;
}

static int zc__read_preview(zc__report *r, const char *path) {
    size_t size = 0;
    uint8_t *png = zc__read_side_file(path, "preview", &size);
    if (!png) return ZC_EXIT_IO;
    if (size < 8 || memcmp(png, "\x89PNG\r\n\x1a\n", 8) != 0) {
        zc__error("%s: the preview is not a PNG file", path);
        free(png);
        return ZC_EXIT_USAGE;
    }
    char *url = zc__data_url("image/png", png, size);
    free(png);
    if (!url) return ZC_EXIT_INTERNAL;
    cJSON_AddStringToObject(r->root, "preview", url);
    free(url);
    return ZC_EXIT_OK;
}

/* ---------------------------------------------------------------------------------
 * The page
 * ------------------------------------------------------------------------------- */

/* head, the data block (the JSON with every '<' escaped, so no string in it can end
 * the block), tail; then written atomically. */
static int zc__write_page(const char *output, const cJSON *root) {
    char *json = cJSON_PrintUnformatted(root);
    if (!json) return ZC_EXIT_INTERNAL;
    size_t lt = 0, json_len = strlen(json);
    for (size_t i = 0; i < json_len; ++i) lt += json[i] == '<';
    static const char open_data[] = "<script type=\"application/json\" id=\"zc-data\">", close_data[] = "</script>\n";
    size_t size = strlen(zc__report_page_head) + strlen(open_data) + json_len + 5 * lt + strlen(close_data) +
                  strlen(zc__report_page_tail);
    char *page = (char *)malloc(size + 1), *o = page;
    if (!page) {
        free(json);
        return ZC_EXIT_INTERNAL;
    }
    o += sprintf(o, "%s%s", zc__report_page_head, open_data);
    for (size_t i = 0; i < json_len; ++i) {
        if (json[i] == '<') o += sprintf(o, "\\u003c");
        else *o++ = json[i];
    }
    o += sprintf(o, "%s%s", close_data, zc__report_page_tail);
    free(json);
    int rc = zc__write_atomic("report", output, page, (size_t)(o - page));
    free(page);
    return rc;
}

static int zc__report_build(zc__report *r, const zc__report_values *v) {
    r->root = cJSON_CreateObject();
    r->list = cJSON_CreateArray();
    r->thumbs = cJSON_CreateArray();
    r->warnings = cJSON_CreateArray();
    r->by_index = (uint32_t *)calloc((size_t)r->count + 1, sizeof *r->by_index);
    if (!r->root || !r->list || !r->thumbs || !r->warnings || !r->by_index) return ZC_EXIT_INTERNAL;
    const char *base = strrchr(r->pack_path, '/');
    cJSON_AddStringToObject(r->root, "pack", base ? base + 1 : r->pack_path);
    for (uint32_t i = 0; i < r->count; ++i) r->by_index[r->entries[i].index] = i;
    for (uint32_t i = 0; i < r->count; ++i) {
        cJSON *item = zc__entry_item(r, &r->entries[i], v);
        if (!item) return ZC_EXIT_INTERNAL;
        cJSON_AddItemToArray(r->list, item);
    }
    zc__totals(r);
    cJSON_AddNumberToObject(r->root, "textures", r->textures);
    int rc = v->preview ? zc__read_preview(r, v->preview) : ZC_EXIT_OK;
    if (!v->preview) cJSON_AddNullToObject(r->root, "preview");
    /* where the warnings come from: the log, the cache, both, or nothing */
    char *default_cache = NULL;
    const char *from_log = NULL, *from_cache = NULL;
    if (rc == ZC_EXIT_OK && v->log && (rc = zc__read_log(r, v->log)) == ZC_EXIT_OK) from_log = v->log;
    if (rc == ZC_EXIT_OK && v->cache) {
        rc = zc__read_cache(r, v->cache, 1, &from_cache);
    } else if (rc == ZC_EXIT_OK && !v->log) {
        if (!(default_cache = (char *)malloc(strlen(r->pack_path) + sizeof ".cache"))) return ZC_EXIT_INTERNAL;
        sprintf(default_cache, "%s.cache", r->pack_path);
        rc = zc__read_cache(r, default_cache, 0, &from_cache);
    }
    cJSON *sources = cJSON_CreateArray();
    if (from_log) cJSON_AddItemToArray(sources, cJSON_CreateString(from_log));
    if (from_cache) {
        char *text = (char *)malloc(strlen(from_cache) + sizeof "the build cache ");
        if (text) sprintf(text, "the build cache %s", from_cache);
        cJSON_AddItemToArray(sources, cJSON_CreateString(text ? text : from_cache));
        free(text);
    }
    cJSON_AddItemToObject(r->root, "warnings_from", sources);
    free(default_cache);
    cJSON_AddItemToObject(r->root, "thumbs", r->thumbs);
    cJSON_AddItemToObject(r->root, "warnings", r->warnings);
    cJSON_AddItemToObject(r->root, "entries", r->list);
    r->thumbs = r->warnings = r->list = NULL;
    return rc;
}

static int zc__report_run(const zc_cli_call *call) {
    const zc__report_values *v = (const zc__report_values *)call->values;
    if (!v->output) return zc__usage_error("report", "missing -o <page.html>");
    zc__report r;
    memset(&r, 0, sizeof r);
    r.pack_path = call->operands[0];
    int rc = zc__open(r.pack_path, ZC_VALIDATE_CHECKSUMS, &r.pack, NULL);
    if (rc != ZC_EXIT_OK) return rc;
    zc_result res;
    r.entries = zc__entries_sorted(r.pack_path, r.pack, &r.count, &res);
    rc = r.entries ? zc__report_build(&r, v) : zc__exit_for_pack(res);
    if (rc == ZC_EXIT_OK) rc = zc__write_page(v->output, r.root);
    if (rc == ZC_EXIT_OK) {
        int thumbs = cJSON_GetArraySize(cJSON_GetObjectItem(r.root, "thumbs"));
        int warnings = cJSON_GetArraySize(cJSON_GetObjectItem(r.root, "warnings"));
        printf("%s: %u entries, %d thumbnail%s, %d warning%s -> %s\n", r.pack_path, r.count, thumbs,
               thumbs == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s", v->output);
    }
    cJSON_Delete(r.root);
    cJSON_Delete(r.list);
    cJSON_Delete(r.thumbs);
    cJSON_Delete(r.warnings);
    free(r.by_index);
    free(r.entries);
    zc_pack_close(r.pack);
    return rc;
}

const zc_command zc__cmd_report = {
    "report", "report <pack> -o <page.html>", "an HTML page: treemap, entries, textures, dependencies",
    zc__report_help, ZC_EXITS(OK) | ZC_EXITS(INTERNAL) | ZC_EXITS(USAGE) | ZC_EXITS(IO) | ZC_EXITS(CORRUPT),
    zc__report_options, sizeof(zc__report_values), 1, "pack file", zc__report_run,
};
