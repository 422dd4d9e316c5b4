/* zc_cmd_ls.c - `zcpack ls <pack>`: the entries sorted by path, as text or JSON. */
#include <stdio.h>
#include <stdlib.h>

#include "zc_cli.h"

static const char zc__ls_help[] =
    "Usage: zcpack ls <pack> [--json]\n"
    "\n"
    "List the entries of <pack> sorted by path, one per line, tab-separated:\n"
    "path, type, raw size in bytes, alignment in bytes, content hash (16 hex digits).\n"
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
    int rc = zc__open(pack_path, ZC_VALIDATE_TOC, &pack, NULL);
    if (rc != ZC_EXIT_OK) return rc;
    uint32_t count = 0;
    zc_result r;
    zc_entry *entries = zc__entries_sorted(pack_path, pack, &count, &r);
    if (!entries) {
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
            printf("%s\t%s\t%llu\t%u\t%s\n", entries[i].path, zc__type_text(entries[i].type, type),
                   (unsigned long long)entries[i].raw_size, entries[i].alignment, hex);
        }
    }
    free(entries);
    zc_pack_close(pack);
    return rc;
}

const zc_command zc__cmd_ls = {
    "ls", "ls <pack> [--json]", "list the entries, sorted by path", zc__ls_help, ZC_EXITS(OK) | ZC_EXITS(INTERNAL) | ZC_EXITS(USAGE) | ZC_EXITS(IO) | ZC_EXITS(CORRUPT),
    zc__ls_options, sizeof(zc__ls_values), 1, "pack file", zc__ls_run,
};
