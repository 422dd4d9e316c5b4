/* zc_cmd_verify.c - `zcpack verify <pack>`: header, table of contents, every
 * entry's structure and every checksum (the runtime's full validation), then every
 * entry of a type with a view viewed through its row of the entry type table, as an
 * engine will read it. */
#include <stdio.h>

#include "zc_cli.h"
#include "zc_entry_types.h"

static const char zc__verify_help[] =
    "Usage: zcpack verify <pack> [--json]\n"
    "\n"
    "Check <pack> completely: header, table of contents, the structure of every entry\n"
    "and every checksum. Prints \"ok: N entries verified\" and exits 0 when the pack is\n"
    "valid; otherwise prints the first problem found and exits 4 (3 when the file\n"
    "cannot be read).\n"
    "\n"
    "Options:\n"
    "  --json      print one JSON object instead: {\"ok\", \"entries\"} or\n"
    "              {\"ok\", \"error\", \"message\"}\n"
    "  -h, --help  show this help\n";

typedef struct zc__verify_values {
    int json;
} zc__verify_values;

static const zc_cli_option zc__verify_options[] = {
    ZC_OPT_FLAG("--json", 0, zc__verify_values, json),
    ZC_OPT_END,
};

/* View every entry whose type has a view (compressed ones decoded first). The
 * structural check the runtime ran promises success; a failure is reported like a
 * validation error. ZC_OK or the first failure. */
static zc_result zc__verify_views(zc_pack *pack, const char *pack_path) {
    uint32_t count = zc_pack_entry_count(pack);
    for (uint32_t i = 0; i < count; ++i) {
        zc_entry e, raw;
        zc_hold hold;
        zc_entry_view_buffer view;
        zc_result r = zc_pack_entry_at(pack, i, &e);
        const zc_entry_type *t = r == ZC_OK ? zc_entry_type_find(e.type) : NULL;
        if (r == ZC_OK && (!t || !t->ops->view)) continue;
        if (r == ZC_OK && (r = zc__raw_entry(pack, &e, &raw, &hold)) == ZC_OK) {
            r = zc_entry_type_view(t, &raw, &view);
            zc_hold_release(&hold);
        }
        if (r == ZC_OK) continue;
        if (!zc__cli.errors_logged++) {
            snprintf(zc__cli.first_error, sizeof zc__cli.first_error, "%s: %s: %s", pack_path,
                     t ? e.path : "table of contents", zc_result_str(r));
            zc__error("%s", zc__cli.first_error);
        }
        return r;
    }
    return ZC_OK;
}

typedef struct zc__verify_state {
    const char *pack_path;
    zc_result r;
    uint32_t count;
    int done;                   /* 0 after a fault abandoned zc__verify_body */
} zc__verify_state;

static int zc__verify_body(void *arg) {
    zc__verify_state *s = (zc__verify_state *)arg;
    zc_pack *pack = NULL;
    zc_result r;
    int rc = zc__open(s->pack_path, ZC_VALIDATE_CHECKSUMS, &pack, &r);
    if (rc == ZC_EXIT_OK && (r = zc__verify_views(pack, s->pack_path)) != ZC_OK) rc = zc__exit_for_pack(r);
    s->count = zc_pack_entry_count(pack);
    zc_pack_close(pack);
    s->r = r;
    s->done = 1;
    return rc;
}

static int zc__verify_run(const zc_cli_call *call) {
    const zc__verify_values *v = (const zc__verify_values *)call->values;
    const char *pack_path = call->operands[0];
    /* A pack truncated under the check is a failed check: reported, then the verdict. */
    zc__verify_state s = { pack_path, ZC_OK, 0, 0 };
    int rc = zc__guard_call("verify", zc__verify_body, &s);
    zc_result r = s.done ? s.r : ZC_ERR_TRUNCATED;
    uint32_t count = s.done ? s.count : 0;
    if (v->json) {
        cJSON *o = cJSON_CreateObject();
        if (o) {
            cJSON_AddStringToObject(o, "path", pack_path);
            cJSON_AddBoolToObject(o, "ok", r == ZC_OK);
            if (r == ZC_OK) {
                cJSON_AddNumberToObject(o, "entries", (double)count);
            } else {
                cJSON_AddStringToObject(o, "error", zc_result_name(r) ? zc_result_name(r) : "unknown");
                cJSON_AddStringToObject(o, "message", zc__cli.first_error);
            }
        }
        int json_rc = zc__print_json(o);
        return rc != ZC_EXIT_OK ? rc : json_rc;
    }
    if (rc == ZC_EXIT_OK) printf("ok: %u entries verified\n", count);
    return rc;
}

const zc_command zc__cmd_verify = {
    "verify", "verify <pack> [--json]", "check structure and every checksum", zc__verify_help, ZC_EXITS(OK) | ZC_EXITS(INTERNAL) | ZC_EXITS(USAGE) | ZC_EXITS(IO) | ZC_EXITS(CORRUPT),
    zc__verify_options, sizeof(zc__verify_values), 1, "pack file", zc__verify_run,
};
