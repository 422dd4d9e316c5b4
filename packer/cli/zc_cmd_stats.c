/* zc_cmd_stats.c - `zcpack stats <pack>`: where a pack's bytes go, by type, codec and
 * top-level folder; what deduplication and compression saved; the largest entries.
 * Reads the header and table of contents only, never an entry's bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_cli.h"

static const char zc__stats_help[] =
    "Usage: zcpack stats <pack> [--top <n>] [--json]\n"
    "\n"
    "Show where the bytes of <pack> go, from its table of contents (the header and\n"
    "table of contents are checked; the entries' bytes are not read):\n"
    "  totals     entries; raw bytes (every entry's size as a program reads it);\n"
    "             stored bytes (every entry's size in the file, compressed or not);\n"
    "             payload bytes (the distinct payloads the file holds, each once);\n"
    "             the compression ratio, raw bytes / stored bytes\n"
    "  dedup      entries whose payload is shared with other entries (same offset and\n"
    "             stored size), the payloads they share, and the bytes that saved:\n"
    "             stored bytes - payload bytes, and in raw bytes the raw sizes of the\n"
    "             sharing entries minus one copy per shared payload\n"
    "  by type, by codec, by folder\n"
    "             entries, raw bytes and stored bytes per entry type, per codec and\n"
    "             per top-level folder (the entry path up to its first '/', or\n"
    "             \"(root)\" for entries outside any folder), sorted by name\n"
    "  largest    the <n> largest entries by raw size (ties in path order): path,\n"
    "             type, codec, raw size, stored size\n"
    "\n"
    "Options:\n"
    "  --top <n>   how many of the largest entries to list, 0 to 1000000 (default: 10)\n"
    "  --json      print one JSON object instead: {\"path\", \"entries\", \"raw_bytes\",\n"
    "              \"stored_bytes\", \"payload_bytes\", \"compression_ratio\", \"dedup\":\n"
    "              {\"sharing_entries\", \"shared_payloads\", \"saved_bytes\",\n"
    "              \"saved_raw_bytes\"}, \"by_type\", \"by_codec\", \"by_folder\": [{\"name\",\n"
    "              \"entries\", \"raw_bytes\", \"stored_bytes\"}], \"largest\": [{\"path\",\n"
    "              \"type\", \"codec\", \"raw_size\", \"stored_size\"}]}\n"
    "  -h, --help  show this help\n";

typedef struct zc__stats_values {
    int json;
    zc_cli_number top;
} zc__stats_values;

static const zc_cli_option zc__stats_options[] = {
    ZC_OPT_FLAG("--json", 0, zc__stats_values, json),
    ZC_OPT_NUMBER("--top", 0, zc__stats_values, top, 0, 1000000),
    ZC_OPT_END,
};

/* One row of a breakdown. */
typedef struct zc__stats_group {
    char name[64];
    uint32_t entries;
    uint64_t raw, stored;
} zc__stats_group;

/* A growing list of groups, found by name. */
typedef struct zc__stats_groups {
    zc__stats_group *items;
    size_t count, cap;
} zc__stats_groups;

/* Add entry e to the group `name` (truncated to fit); 0 when out of memory. */
static int zc__stats_add(zc__stats_groups *g, const char *name, size_t name_length, const zc_entry *e) {
    if (name_length >= sizeof g->items[0].name) name_length = sizeof g->items[0].name - 1;
    size_t i = g->count;
    while (i > 0 && !(strncmp(g->items[i - 1].name, name, name_length) == 0 && !g->items[i - 1].name[name_length]))
        i--;
    if (i == 0) {
        if (g->count == g->cap) {
            size_t cap = g->cap ? g->cap * 2 : 16;
            zc__stats_group *grown = (zc__stats_group *)realloc(g->items, cap * sizeof *grown);
            if (!grown) return 0;
            g->items = grown;
            g->cap = cap;
        }
        zc__stats_group *n = &g->items[g->count++];
        memset(n, 0, sizeof *n);
        memcpy(n->name, name, name_length);
        i = g->count;
    }
    zc__stats_group *s = &g->items[i - 1];
    s->entries++;
    s->raw += e->raw_size;
    s->stored += e->stored_size;
    return 1;
}

static int zc__stats_compare_groups(const void *x, const void *y) {
    return strcmp(((const zc__stats_group *)x)->name, ((const zc__stats_group *)y)->name);
}

/* Entries by payload (offset, stored size), then path order. */
static int zc__stats_compare_payloads(const void *x, const void *y) {
    const zc_entry *a = *(const zc_entry *const *)x, *b = *(const zc_entry *const *)y;
    if (a->offset != b->offset) return a->offset < b->offset ? -1 : 1;
    if (a->stored_size != b->stored_size) return a->stored_size < b->stored_size ? -1 : 1;
    return strcmp(a->path, b->path);
}

/* Largest raw size first, ties in path order. */
static int zc__stats_compare_sizes(const void *x, const void *y) {
    const zc_entry *a = *(const zc_entry *const *)x, *b = *(const zc_entry *const *)y;
    if (a->raw_size != b->raw_size) return a->raw_size > b->raw_size ? -1 : 1;
    return strcmp(a->path, b->path);
}

typedef struct zc__stats {
    uint32_t entries;
    uint64_t raw, stored, payload;
    uint32_t sharing_entries, shared_payloads;
    uint64_t saved_raw;
    zc__stats_groups types, codecs, folders;
    const zc_entry **by_payload;        /* every entry, then sorted by size for "largest" */
} zc__stats;

static void zc__stats_free(zc__stats *s) {
    free(s->types.items);
    free(s->codecs.items);
    free(s->folders.items);
    free(s->by_payload);
}

/* Count everything of the path-sorted entries; 0 when out of memory. */
static int zc__stats_count(zc__stats *s, const zc_entry *entries, uint32_t count) {
    memset(s, 0, sizeof *s);
    s->entries = count;
    s->by_payload = (const zc_entry **)malloc(((size_t)count + 1) * sizeof *s->by_payload);
    if (!s->by_payload) return 0;
    for (uint32_t i = 0; i < count; ++i) {
        const zc_entry *e = &entries[i];
        char type[16];
        const char *type_name = zc__type_text(e->type, type);
        const char *codec = zc__codec_text(e->codec);
        const char *slash = strchr(e->path, '/');
        int ok = zc__stats_add(&s->types, type_name, strlen(type_name), e) &&
                 zc__stats_add(&s->codecs, codec, strlen(codec), e) &&
                 (slash ? zc__stats_add(&s->folders, e->path, (size_t)(slash - e->path), e)
                        : zc__stats_add(&s->folders, "(root)", 6, e));
        if (!ok) return 0;
        s->raw += e->raw_size;
        s->stored += e->stored_size;
        s->by_payload[i] = e;
    }
    if (count > 1) qsort(s->by_payload, count, sizeof *s->by_payload, zc__stats_compare_payloads);
    for (uint32_t i = 0; i < count;) {
        uint32_t j = i + 1;
        const zc_entry *first = s->by_payload[i];
        while (j < count && s->by_payload[j]->offset == first->offset &&
               s->by_payload[j]->stored_size == first->stored_size)
            j++;
        s->payload += first->stored_size;
        if (j - i > 1 && first->stored_size > 0) {
            s->shared_payloads++;
            s->sharing_entries += j - i;
            for (uint32_t k = i + 1; k < j; ++k) s->saved_raw += s->by_payload[k]->raw_size;
        }
        i = j;
    }
    qsort(s->types.items, s->types.count, sizeof *s->types.items, zc__stats_compare_groups);
    qsort(s->codecs.items, s->codecs.count, sizeof *s->codecs.items, zc__stats_compare_groups);
    qsort(s->folders.items, s->folders.count, sizeof *s->folders.items, zc__stats_compare_groups);
    if (count > 1) qsort(s->by_payload, count, sizeof *s->by_payload, zc__stats_compare_sizes);
    return 1;
}

static double zc__stats_ratio(const zc__stats *s) {
    return s->stored ? (double)s->raw / (double)s->stored : 1.0;
}

/* ---------------------------------------------------------------------------------
 * Output
 * ------------------------------------------------------------------------------- */

static cJSON *zc__stats_groups_json(const zc__stats_groups *g) {
    cJSON *array = cJSON_CreateArray();
    for (size_t i = 0; array && i < g->count; ++i) {
        cJSON *o = cJSON_CreateObject();
        if (!o) {
            cJSON_Delete(array);
            return NULL;
        }
        cJSON_AddStringToObject(o, "name", g->items[i].name);
        cJSON_AddNumberToObject(o, "entries", g->items[i].entries);
        cJSON_AddNumberToObject(o, "raw_bytes", (double)g->items[i].raw);
        cJSON_AddNumberToObject(o, "stored_bytes", (double)g->items[i].stored);
        cJSON_AddItemToArray(array, o);
    }
    return array;
}

static int zc__stats_json(const char *pack_path, const zc__stats *s, uint32_t top) {
    cJSON *o = cJSON_CreateObject(), *dedup = cJSON_CreateObject(), *largest = cJSON_CreateArray();
    cJSON *types = zc__stats_groups_json(&s->types), *codecs = zc__stats_groups_json(&s->codecs);
    cJSON *folders = zc__stats_groups_json(&s->folders);
    if (!o || !dedup || !largest || !types || !codecs || !folders) {
        cJSON_Delete(dedup);
        cJSON_Delete(largest);
        cJSON_Delete(types);
        cJSON_Delete(codecs);
        cJSON_Delete(folders);
        cJSON_Delete(o);
        return zc__print_json(NULL);
    }
    cJSON_AddStringToObject(o, "path", pack_path);
    cJSON_AddNumberToObject(o, "entries", s->entries);
    cJSON_AddNumberToObject(o, "raw_bytes", (double)s->raw);
    cJSON_AddNumberToObject(o, "stored_bytes", (double)s->stored);
    cJSON_AddNumberToObject(o, "payload_bytes", (double)s->payload);
    cJSON_AddNumberToObject(o, "compression_ratio", zc__stats_ratio(s));
    cJSON_AddNumberToObject(dedup, "sharing_entries", s->sharing_entries);
    cJSON_AddNumberToObject(dedup, "shared_payloads", s->shared_payloads);
    cJSON_AddNumberToObject(dedup, "saved_bytes", (double)(s->stored - s->payload));
    cJSON_AddNumberToObject(dedup, "saved_raw_bytes", (double)s->saved_raw);
    cJSON_AddItemToObject(o, "dedup", dedup);
    cJSON_AddItemToObject(o, "by_type", types);
    cJSON_AddItemToObject(o, "by_codec", codecs);
    cJSON_AddItemToObject(o, "by_folder", folders);
    for (uint32_t i = 0; i < s->entries && i < top; ++i) {
        const zc_entry *e = s->by_payload[i];
        char type[16];
        cJSON *l = cJSON_CreateObject();
        if (!l) break;
        cJSON_AddStringToObject(l, "path", e->path);
        cJSON_AddStringToObject(l, "type", zc__type_text(e->type, type));
        cJSON_AddStringToObject(l, "codec", zc__codec_text(e->codec));
        cJSON_AddNumberToObject(l, "raw_size", (double)e->raw_size);
        cJSON_AddNumberToObject(l, "stored_size", (double)e->stored_size);
        cJSON_AddItemToArray(largest, l);
    }
    cJSON_AddItemToObject(o, "largest", largest);
    return zc__print_json(o);
}

/* Percentage of part in whole, for the text. */
static double zc__stats_percent(uint64_t part, uint64_t whole) {
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void zc__stats_print_groups(const char *title, const zc__stats_groups *g, const zc__stats *s) {
    int width = (int)strlen(title);
    for (size_t i = 0; i < g->count; ++i)
        if ((int)strlen(g->items[i].name) + 2 > width) width = (int)strlen(g->items[i].name) + 2;
    printf("\n%-*s %9s %15s %15s %9s\n", width, title, "entries", "raw bytes", "stored bytes", "% stored");
    for (size_t i = 0; i < g->count; ++i)
        printf("  %-*s %9u %15llu %15llu %8.1f%%\n", width - 2, g->items[i].name, g->items[i].entries,
               (unsigned long long)g->items[i].raw, (unsigned long long)g->items[i].stored,
               zc__stats_percent(g->items[i].stored, s->stored));
}

static void zc__stats_text(const char *pack_path, const zc__stats *s, uint32_t top) {
    printf("pack            %s\n", pack_path);
    printf("entries         %u\n", s->entries);
    printf("raw bytes       %llu (%.1f MiB)\n", (unsigned long long)s->raw, zc__mib(s->raw));
    printf("stored bytes    %llu (%.1f MiB)\n", (unsigned long long)s->stored, zc__mib(s->stored));
    printf("payload bytes   %llu (%.1f MiB)\n", (unsigned long long)s->payload, zc__mib(s->payload));
    printf("compression     %.2fx (raw / stored)\n", zc__stats_ratio(s));
    printf("dedup           %u entries share %u payloads: %llu stored bytes saved (%llu raw)\n",
           s->sharing_entries, s->shared_payloads, (unsigned long long)(s->stored - s->payload),
           (unsigned long long)s->saved_raw);
    zc__stats_print_groups("by type", &s->types, s);
    zc__stats_print_groups("by codec", &s->codecs, s);
    zc__stats_print_groups("by folder", &s->folders, s);
    uint32_t n = top < s->entries ? top : s->entries;
    if (n == 0) return;
    printf("\n%-7s %15s %15s  %-9s %-5s  %s\n", "largest", "raw bytes", "stored bytes", "type", "codec", "path");
    for (uint32_t i = 0; i < n; ++i) {
        const zc_entry *e = s->by_payload[i];
        char type[16];
        printf("  %-5u %15llu %15llu  %-9s %-5s  %s\n", i + 1, (unsigned long long)e->raw_size,
               (unsigned long long)e->stored_size, zc__type_text(e->type, type), zc__codec_text(e->codec), e->path);
    }
}

static int zc__stats_run(const zc_cli_call *call) {
    const zc__stats_values *v = (const zc__stats_values *)call->values;
    const char *pack_path = call->operands[0];
    uint32_t top = v->top.given ? v->top.value : 10;
    zc_pack *pack;
    int rc = zc__open_walk(pack_path, &pack);
    if (rc != ZC_EXIT_OK) return rc;
    uint32_t count = 0;
    zc_result r;
    zc_entry *entries = zc__entries_sorted(pack_path, pack, &count, &r);
    if (!entries) {
        zc_pack_close(pack);
        return zc__exit_for_pack(r);
    }
    zc__stats s;
    if (!zc__stats_count(&s, entries, count)) {
        zc__error("%s: out of memory counting %u entries", pack_path, count);
        rc = ZC_EXIT_INTERNAL;
    } else if (v->json) {
        rc = zc__stats_json(pack_path, &s, top);
    } else {
        zc__stats_text(pack_path, &s, top);
    }
    zc__stats_free(&s);
    free(entries);
    zc_pack_close(pack);
    return rc;
}

const zc_command zc__cmd_stats = {
    "stats", "stats <pack> [--top <n>] [--json]", "bytes by type, codec and folder; dedup, ratio",
    zc__stats_help, ZC_EXITS(OK) | ZC_EXITS(INTERNAL) | ZC_EXITS(USAGE) | ZC_EXITS(IO) | ZC_EXITS(CORRUPT),
    zc__stats_options, sizeof(zc__stats_values), 1, "pack file", zc__stats_run,
};
