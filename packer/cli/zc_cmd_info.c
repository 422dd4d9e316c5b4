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

static int zc__info_run(const zc_cli_call *call) {
    const zc__info_values *v = (const zc__info_values *)call->values;
    const char *pack_path = call->operands[0];
    zc_pack *pack;
    int rc = zc__open(pack_path, ZC_VALIDATE_TOC, &pack, NULL);
    if (rc != ZC_EXIT_OK) return rc;
    zc_pack_info info;
    zc_result r = zc_pack_get_info(pack, &info);
    zc_pack_close(pack);
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
            cJSON_AddBoolToObject(o, "mapped", info.mapped != 0);
            cJSON_AddBoolToObject(o, "signed", info.is_signed != 0);
            if (info.is_signed) cJSON_AddStringToObject(o, "key_id", key_id);
        }
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
    printf("mapped          %s\n", info.mapped ? "yes" : "no");
    if (info.is_signed) printf("signed by key   %s (unverified)\n", key_id);
    else printf("signed          no\n");
    return ZC_EXIT_OK;
}

const zc_command zc__cmd_info = {
    "info", "info <pack> [--json]", "show the pack's header facts", zc__info_help, ZC_EXITS(OK) | ZC_EXITS(INTERNAL) | ZC_EXITS(USAGE) | ZC_EXITS(IO) | ZC_EXITS(CORRUPT),
    zc__info_options, sizeof(zc__info_values), 1, "pack file", zc__info_run,
};
