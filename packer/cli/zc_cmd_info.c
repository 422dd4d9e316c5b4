/* zc_cmd_info.c - `zcpack info <pack>`: the facts of the pack's header. */
#include <stdio.h>

#include "zc_cli.h"
#include "zc_sign.h"

static const char zc__info_help[] =
    "Usage: zcpack info <pack> [--json]\n"
    "\n"
    "Show the facts of <pack>'s header: format and writer versions, file size, entry\n"
    "and dependency counts, table of contents offset and size, payload bytes, and\n"
    "whether the file is memory-mapped, and the key id a signed pack names (not\n"
    "checked here: zcpack verify --key checks it). The header and table of contents\n"
    "are checked.\n"
    "\n"
    "For the index of a pack set (zcpack link --max-pack-size or --chunk) it also\n"
    "says so and lists the member packs with their sizes and entry counts, after\n"
    "checking each against the index (a missing, stale or swapped member fails).\n"
    "\n"
    "Options:\n"
    "  --json      print one JSON object instead\n"
    "  -h, --help  show this help\n";

typedef struct zc__info_values {
    int json;
} zc__info_values;

static const zc_cli_option zc__info_options[] = {
    ZC_OPT_FLAG("--json", 0, zc__info_values, json),
    ZC_OPT_END,
};

static void zc__version_text(uint32_t v, char out[32]) {
    snprintf(out, 32, "%u.%u.%u", (unsigned)(v >> 16), (unsigned)((v >> 8) & 0xFF), (unsigned)(v & 0xFF));
}

/* The members of a set: JSON under "pack_set" of `o`, or text lines. */
static void zc__info_set(const zc_pack_set *set, cJSON *o) {
    uint32_t n = zc_pack_set_member_count(set);
    cJSON *members = o ? cJSON_CreateArray() : NULL;
    if (o) {
        cJSON *ps = cJSON_AddObjectToObject(o, "pack_set");
        if (ps) cJSON_AddNumberToObject(ps, "entry_count", (double)zc_pack_set_entry_count(set));
        if (ps && members) cJSON_AddItemToObject(ps, "members", members);
    } else {
        printf("pack set        %u members, %llu entries\n", n, (unsigned long long)zc_pack_set_entry_count(set));
    }
    for (uint32_t i = 0; i < n; ++i) {
        zc_pack_set_member_info m;
        zc_pack_set_member(set, i, &m);
        cJSON *mo = members ? cJSON_CreateObject() : NULL;
        if (mo) {
            cJSON_AddStringToObject(mo, "name", m.name);
            cJSON_AddNumberToObject(mo, "file_size", (double)m.file_size);
            cJSON_AddNumberToObject(mo, "entry_count", (double)m.entry_count);
            cJSON_AddItemToArray(members, mo);
        } else if (!o) {
            printf("member          %s\t%llu bytes\t%u entries\n", m.name, (unsigned long long)m.file_size,
                   m.entry_count);
        }
    }
}

static int zc__info_run(const zc_cli_call *call) {
    const zc__info_values *v = (const zc__info_values *)call->values;
    const char *pack_path = call->operands[0];
    zc_pack *pack;
    int rc = zc__open_walk(pack_path, &pack);
    if (rc != ZC_EXIT_OK) return rc;
    zc_pack_info info;
    zc_result r = zc_pack_get_info(pack, &info);
    zc_pack_set *set = NULL;
    if (r == ZC_OK && zc__is_set_index(pack)) rc = zc__open_set(pack_path, ZC_VALIDATE_TOC, NULL, 0, &set, NULL);
    zc_pack_close(pack);
    if (rc != ZC_EXIT_OK) return rc;
    if (r != ZC_OK) {
        zc__fail_on(pack_path, r);
        return zc__exit_for_pack(r);
    }
    char format[32], writer[32];
    snprintf(format, sizeof format, "%u.%u", info.format_major, info.format_minor);
    zc__version_text(info.writer_version, writer);
    char key_id[2 * ZC_KEY_ID_SIZE + 1];
    zc_key_id_text(info.signer_key_id, key_id);
    if (v->json) {
        cJSON *o = cJSON_CreateObject();
        if (o) {
            cJSON_AddStringToObject(o, "path", pack_path);
            cJSON_AddStringToObject(o, "format_version", format);
            cJSON_AddStringToObject(o, "writer_version", writer);
            cJSON_AddNumberToObject(o, "file_size", (double)info.file_size);
            cJSON_AddNumberToObject(o, "entry_count", (double)info.entry_count);
            cJSON_AddNumberToObject(o, "dep_count", (double)info.dep_count);
            cJSON_AddNumberToObject(o, "toc_offset", (double)info.toc_offset);
            cJSON_AddNumberToObject(o, "toc_size", (double)info.toc_size);
            cJSON_AddNumberToObject(o, "payload_bytes", (double)info.payload_bytes);
            cJSON_AddNumberToObject(o, "index_buckets", (double)info.index_buckets);
            cJSON_AddNumberToObject(o, "toc_pieces", (double)info.toc_pieces);
            cJSON_AddNumberToObject(o, "toc_piece_size", (double)info.toc_piece_size);
            cJSON_AddBoolToObject(o, "mapped", info.mapped != 0);
            cJSON_AddBoolToObject(o, "signed", info.is_signed != 0);
            if (info.is_signed) cJSON_AddStringToObject(o, "key_id", key_id);
            if (set) zc__info_set(set, o);
        }
        zc_pack_set_close(set);
        return zc__print_json(o);
    }
    printf("format version  %s\n", format);
    printf("writer version  %s\n", writer);
    printf("file size       %llu\n", (unsigned long long)info.file_size);
    printf("entries         %u\n", info.entry_count);
    printf("dependencies    %u\n", info.dep_count);
    printf("toc offset      %llu\n", (unsigned long long)info.toc_offset);
    printf("toc size        %llu\n", (unsigned long long)info.toc_size);
    printf("payload bytes   %llu\n", (unsigned long long)info.payload_bytes);
    if (info.index_buckets) printf("lookup index    %u buckets\n", info.index_buckets);
    else printf("lookup index    none (binary search)\n");
    if (info.toc_pieces)
        printf("toc pieces      %llu of %u bytes (checked where read)\n", (unsigned long long)info.toc_pieces,
               info.toc_piece_size);
    else printf("toc pieces      none (the TOC is checked whole at open)\n");
    printf("mapped          %s\n", info.mapped ? "yes" : "no");
    if (info.is_signed) printf("signed by key   %s (unverified)\n", key_id);
    else printf("signed          no\n");
    if (set) zc__info_set(set, NULL);
    zc_pack_set_close(set);
    return ZC_EXIT_OK;
}

const zc_command zc__cmd_info = {
    "info", "info <pack> [--json]", "show the pack's header facts", zc__info_help, ZC_EXITS(OK) | ZC_EXITS(INTERNAL) | ZC_EXITS(USAGE) | ZC_EXITS(IO) | ZC_EXITS(CORRUPT),
    zc__info_options, sizeof(zc__info_values), 1, "pack file", zc__info_run,
};
