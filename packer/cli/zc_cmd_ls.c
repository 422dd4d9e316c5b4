/* zc_cmd_ls.c - `zcpack ls <pack>`: the entries sorted by path, as text or JSON. */
#include <stdio.h>
#include <stdlib.h>

#include "zc_cli.h"

static const char zc__ls_help[] =
    "Usage: zcpack ls <pack> [--json]\n"
    "\n"
    "List the entries of <pack> sorted by path, one per line, tab-separated:\n"
    "path, type, raw size in bytes, alignment in bytes, content hash (16 hex digits).\n"
    "In paths, control characters (C0, DEL, C1) are printed as \\xHH or \\u{HH}, the\n"
    "bidirectional controls U+200E, U+200F, U+202A-U+202E and U+2066-U+2069 as \\u{HHHH},\n"
    "and a backslash as \\\\; --json prints paths exactly.\n"
    "\n"
    "For the index of a pack set (zcpack link --max-pack-size or --chunk) the entries\n"
    "of all its member packs are listed together, the members checked against the\n"
    "index first.\n"
    "\n"
    "Options:\n"
    "  --json      print a JSON array of objects instead (path, id, type, layout_hash,\n"
    "              codec, offset, stored_size, raw_size, alignment, content_hash, deps)\n"
    "  -h, --help  show this help\n";

typedef struct zc__ls_values {
    int json;
} zc__ls_values;

static const zc_cli_option zc__ls_options[] = {
    ZC_OPT_FLAG("--json", 0, zc__ls_values, json),
    ZC_OPT_END,
};

/* Print path bytes [s, s + n) (valid UTF-8, checked at open) so that no byte of a
 * hostile path can drive the terminal: C0 controls and DEL as \xHH, C1 controls and
 * bidirectional controls as \u{...}, a backslash doubled, everything else as is. */
static void zc__ls_put_path(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n; ++i) {
        unsigned c = p[i];
        if (c < 0x20 || c == 0x7f) {
            printf("\\x%02x", c);
        } else if (c == '\\') {
            fputs("\\\\", stdout);
        } else if (c == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) {
            printf("\\u{%02X}", p[i + 1]);
            i += 1;
        } else if (c == 0xe2 && i + 2 < n &&
                   ((p[i + 1] == 0x80 && (p[i + 2] == 0x8e || p[i + 2] == 0x8f ||
                                          (p[i + 2] >= 0xaa && p[i + 2] <= 0xae))) ||
                    (p[i + 1] == 0x81 && p[i + 2] >= 0xa6 && p[i + 2] <= 0xa9))) {
            unsigned cp = ((c & 0x0fu) << 12) | ((p[i + 1] & 0x3fu) << 6) | (p[i + 2] & 0x3fu);
            printf("\\u{%04X}", cp);
            i += 2;
        } else {
            putchar((int)c);
        }
    }
}

static cJSON *zc__entry_json(const zc_entry *e) {
    char hex[17], type[16];
    cJSON *o = cJSON_CreateObject();
    cJSON *deps = cJSON_CreateArray();
    if (!o || !deps) {
        cJSON_Delete(o);
        cJSON_Delete(deps);
        return NULL;
    }
    cJSON_AddStringToObject(o, "path", e->path);
    zc__hex64(e->id, hex);
    cJSON_AddStringToObject(o, "id", hex);
    cJSON_AddStringToObject(o, "type", zc__type_text(e->type, type));
    cJSON_AddNumberToObject(o, "layout_hash", (double)e->layout_hash);
    cJSON_AddStringToObject(o, "codec", zc__codec_text(e->codec));
    cJSON_AddNumberToObject(o, "offset", (double)e->offset);
    cJSON_AddNumberToObject(o, "stored_size", (double)e->stored_size);
    cJSON_AddNumberToObject(o, "raw_size", (double)e->raw_size);
    cJSON_AddNumberToObject(o, "alignment", (double)e->alignment);
    zc__hex64(e->content_hash, hex);
    cJSON_AddStringToObject(o, "content_hash", hex);
    for (uint32_t i = 0; i < e->deps_count; ++i) {
        zc__hex64(e->deps[i], hex);
        cJSON_AddItemToArray(deps, cJSON_CreateString(hex));
    }
    cJSON_AddItemToObject(o, "deps", deps);
    return o;
}

static int zc__ls_run(const zc_cli_call *call) {
    const zc__ls_values *v = (const zc__ls_values *)call->values;
    const char *pack_path = call->operands[0];
    zc_pack *pack;
    int rc = zc__open_walk(pack_path, &pack);
    if (rc != ZC_EXIT_OK) return rc;
    uint32_t count = 0;
    zc_result r;
    zc_pack_set *set = NULL;
    if (zc__is_set_index(pack) && (rc = zc__open_set(pack_path, ZC_VALIDATE_TOC, NULL, 0, &set, NULL)) != ZC_EXIT_OK) {
        zc_pack_close(pack);
        return rc;
    }
    zc_entry *entries = set ? zc__set_entries_sorted(pack_path, set, &count, &r)
                            : zc__entries_sorted(pack_path, pack, &count, &r);
    if (!entries) {
        zc_pack_set_close(set);
        zc_pack_close(pack);
        return zc__exit_for_pack(r);
    }
    rc = ZC_EXIT_OK;
    if (v->json) {
        cJSON *array = cJSON_CreateArray();
        for (uint32_t i = 0; array && i < count; ++i) {
            cJSON *o = zc__entry_json(&entries[i]);
            if (!o) {
                cJSON_Delete(array);
                array = NULL;
                break;
            }
            cJSON_AddItemToArray(array, o);
        }
        rc = zc__print_json(array);
    } else {
        for (uint32_t i = 0; i < count; ++i) {
            char hex[17], type[16];
            zc__hex64(entries[i].content_hash, hex);
            zc__ls_put_path(entries[i].path, entries[i].path_length);
            printf("\t%s\t%llu\t%u\t%s\n", zc__type_text(entries[i].type, type),
                   (unsigned long long)entries[i].raw_size, entries[i].alignment, hex);
        }
    }
    free(entries);
    zc_pack_set_close(set);
    zc_pack_close(pack);
    return rc;
}

const zc_command zc__cmd_ls = {
    "ls", "ls <pack> [--json]", "list the entries, sorted by path", zc__ls_help, ZC_EXITS(OK) | ZC_EXITS(INTERNAL) | ZC_EXITS(USAGE) | ZC_EXITS(IO) | ZC_EXITS(CORRUPT),
    zc__ls_options, sizeof(zc__ls_values), 1, "pack file", zc__ls_run,
};
