/* zc_cmd_verify.c - `zcpack verify <pack>`: header, table of contents, every
 * entry's structure and every checksum (the runtime's full validation), then every
 * entry of a type with a view viewed through its row of the entry type table, as an
 * engine will read it. */
#include <stdio.h>
#include <string.h>

#include <uv.h>

#include "zc_cli.h"
#include "zc_entry_types.h"
#include "zc_schema.h"
#include "zc_sign.h"

static const char zc__verify_help[] =
    "Usage: zcpack verify <pack> [--key <public-key>]... [--schema <file.zcs>]... [--json]\n"
    "\n"
    "Check <pack> completely: header, table of contents, the structure of every entry\n"
    "and every checksum. Prints \"ok: N entries verified\" and exits 0 when the pack is\n"
    "valid; otherwise prints the first problem found and exits 4 (3 when the file\n"
    "cannot be read).\n"
    "\n"
    "With --key, the pack must also carry a signature by one of the given public keys\n"
    "(files from zcpack keygen) that verifies over every byte of the file; the line\n"
    "then names the key id that signed it. An unsigned pack, a pack signed by another\n"
    "key, or a pack changed since it was signed exits 8, as does a key file that is\n"
    "not a valid public key. Without --key a signature is reported, not checked.\n"
    "\n"
    "For the index of a pack set (zcpack link --max-pack-size or --chunk) every member\n"
    "pack is then verified the same way and checked against the index (size, header\n"
    "and table of contents checksums, entry count); the line counts the members'\n"
    "entries: \"ok: N entries verified in M packs of the set\".\n"
    "\n"
    "Entries of a type this program does not know (a game's schema types) are opaque\n"
    "bytes here: their checksums are checked, their structure is not, and they do not\n"
    "fail the pack. With --schema, every entry of that schema's type tag is also\n"
    "checked against the schema (layout hash, then the structure the generated\n"
    "validator checks), in every member of a pack set too; a layout hash other than\n"
    "the schema's is ZC_ERR_LAYOUT_MISMATCH.\n"
    "\n"
    "Options:\n"
    "  --key <public-key>  trust this public key file; repeat it to trust several\n"
    "                      (at most 16; a pack signed by any of them passes)\n"
    "  --schema <file.zcs> check the entries of this schema's type with it; repeat\n"
    "                      it for several schemas (at most 16)\n"
    "  --json      print one JSON object instead: {\"ok\", \"entries\", \"signed\",\n"
    "              \"key_id\", \"signature_verified\"} or {\"ok\", \"error\", \"message\"}\n"
    "              (plus \"key\", the file, when a key file is unusable)\n"
    "  -h, --help  show this help\n";

typedef struct zc__verify_values {
    int json;
    zc_cli_list keys;
    zc_cli_list schemas;
} zc__verify_values;

static const zc_cli_option zc__verify_options[] = {
    ZC_OPT_FLAG("--json", 0, zc__verify_values, json),
    ZC_OPT_LIST("--key", 0, zc__verify_values, keys, "a public key file name", "public key file name"),
    ZC_OPT_LIST("--schema", 0, zc__verify_values, schemas, "a schema file name", "schema file name"),
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

/* Report the first failure of verify on `pack_path` (once) and pass r on. */
static zc_result zc__verify_failed(const char *pack_path, const char *what, zc_result r, const char *why) {
    if (!zc__cli.errors_logged++) {
        snprintf(zc__cli.first_error, sizeof zc__cli.first_error, "%s: %s: %s", pack_path, what, why);
        zc__error("%s", zc__cli.first_error);
    }
    return r;
}

/* One entry of the schema's type tag: its layout hash, then its structure checked
 * from the schema in memory (zc_schema_check), compressed entries decoded first. */
static zc_result zc__verify_schema_entry(zc_pack *pack, const char *pack_path, const zc_schema *schema,
                                         const zc_entry *e) {
    zc_diag diag = { { 0 } };
    if (e->layout_hash != schema->layout_hash) {
        snprintf(diag.message, sizeof diag.message, "%s layout 0x%08x, schema %s has 0x%08x",
                 schema->decls[schema->root].name, e->layout_hash, schema->file, schema->layout_hash);
        return zc__verify_failed(pack_path, e->path, ZC_ERR_LAYOUT_MISMATCH, diag.message);
    }
    zc_entry raw;
    zc_hold hold;
    zc_result r = zc__raw_entry(pack, e, &raw, &hold);
    if (r != ZC_OK) return zc__verify_failed(pack_path, e->path, r, zc_result_str(r));
    r = zc_schema_check(schema, raw.data, raw.raw_size, &diag);
    zc_hold_release(&hold);
    return r == ZC_OK ? ZC_OK : zc__verify_failed(pack_path, e->path, r, diag.message);
}

/* Every entry of a schema's type tag, for each schema. ZC_OK or the first failure;
 * *checked counts the entries checked. */
static zc_result zc__verify_schemas(zc_pack *pack, const char *pack_path, zc_schema *const *schemas, int count,
                                    uint32_t *checked) {
    uint32_t n = zc_pack_entry_count(pack);
    for (int k = 0; k < count; ++k)
        for (uint32_t i = 0; i < n; ++i) {
            zc_entry e;
            zc_result r = zc_pack_entry_at(pack, i, &e);
            if (r == ZC_OK && e.type != schemas[k]->type_tag) continue;
            if (r == ZC_OK) r = zc__verify_schema_entry(pack, pack_path, schemas[k], &e);
            if (r != ZC_OK) return r;
            ++*checked;
        }
    return ZC_OK;
}

typedef struct zc__verify_state {
    const char *pack_path;
    const zc_public_key *keys;
    uint32_t key_count;
    zc_schema *const *schemas;  /* --schema, loaded */
    int schema_count;
    uint32_t schema_entries;    /* entries checked against a schema */
    zc_result r;
    uint32_t count;
    zc_pack_info info;          /* zeroed when the pack did not open */
    uint32_t members;           /* member packs verified, when the pack is a set's index */
    int done;                   /* 0 after a fault abandoned zc__verify_body */
} zc__verify_state;

/* Verify every member of the set `s->pack_path` indexes, at CHECKSUMS against the
 * index's records, view their entries and check those of a --schema type with their
 * schema; counts their entries. An exit code. */
static int zc__verify_set(zc__verify_state *s, zc_result *r) {
    zc_pack_set *set = NULL;
    int rc = zc__open_set(s->pack_path, ZC_VALIDATE_CHECKSUMS, s->keys, s->key_count, &set, r);
    s->members = zc_pack_set_member_count(set);
    s->count = 0;
    for (uint32_t i = 0; rc == ZC_EXIT_OK && i < s->members; ++i) {
        zc_pack_set_member_info m;
        zc_pack_set_member(set, i, &m);
        if ((*r = zc__verify_views(m.pack, m.name)) != ZC_OK ||
            (*r = zc__verify_schemas(m.pack, m.name, s->schemas, s->schema_count, &s->schema_entries)) != ZC_OK)
            rc = zc__exit_for_pack(*r);
        s->count += m.entry_count;
    }
    zc_pack_set_close(set);
    return rc;
}

static int zc__verify_body(void *arg) {
    zc__verify_state *s = (zc__verify_state *)arg;
    zc_pack *pack = NULL;
    zc_result r;
    /* Open at TOC level, then every entry's checks on every processor. */
    int rc = zc__open_trusted(s->pack_path, ZC_VALIDATE_TOC, s->keys, s->key_count, &pack, &r);
    if (rc == ZC_EXIT_OK &&
        (r = zc_pack_validate_threads(pack, ZC_VALIDATE_CHECKSUMS, uv_available_parallelism())) != ZC_OK) {
        zc__fail_on(s->pack_path, r);
        rc = zc__exit_for_pack(r);
    }
    if (rc == ZC_EXIT_OK && (r = zc__verify_views(pack, s->pack_path)) != ZC_OK) rc = zc__exit_for_pack(r);
    if (rc == ZC_EXIT_OK &&
        (r = zc__verify_schemas(pack, s->pack_path, s->schemas, s->schema_count, &s->schema_entries)) != ZC_OK)
        rc = zc__exit_for_pack(r);
    s->count = zc_pack_entry_count(pack);
    if (rc == ZC_EXIT_OK && zc__is_set_index(pack)) rc = zc__verify_set(s, &r);
    if (pack) zc_pack_get_info(pack, &s->info);
    zc_pack_close(pack);
    s->r = r;
    s->done = 1;
    return rc;
}

static int zc__verify_run(const zc_cli_call *call) {
    const zc__verify_values *v = (const zc__verify_values *)call->values;
    const char *pack_path = call->operands[0];
    zc_public_key keys[ZC_CLI_MAX_LIST];
    zc_logger logger = { zc__cli_log, NULL };
    zc_result r = ZC_OK;
    int rc = ZC_EXIT_OK;
    const char *bad_key = NULL; /* the key file that could not be used; the pack is not opened */
    for (int i = 0; i < v->keys.count && !bad_key; ++i) {
        r = zc_public_key_read(v->keys.items[i], &keys[i], logger);
        if (r != ZC_OK) {
            bad_key = v->keys.items[i];
            rc = r == ZC_ERR_IO ? ZC_EXIT_IO : ZC_EXIT_SIGNATURE;
        }
    }
    zc_schema *schemas[ZC_CLI_MAX_LIST] = { 0 };
    for (int i = 0; i < v->schemas.count && !bad_key && rc == ZC_EXIT_OK; ++i) {
        zc_diag diag = { { 0 } };
        r = zc_schema_load(v->schemas.items[i], &schemas[i], &diag);
        if (r != ZC_OK) {
            zc__error("%s", r == ZC_ERR_OUT_OF_MEMORY ? "out of memory" : diag.message);
            snprintf(zc__cli.first_error, sizeof zc__cli.first_error, "%s", diag.message);
            rc = r == ZC_ERR_IO ? ZC_EXIT_IO : r == ZC_ERR_OUT_OF_MEMORY ? ZC_EXIT_INTERNAL : ZC_EXIT_USAGE;
        }
    }
    /* A pack truncated under the check is a failed check: reported, then the verdict. */
    zc__verify_state s;
    memset(&s, 0, sizeof s);
    s.pack_path = pack_path;
    s.keys = keys;
    s.key_count = (uint32_t)v->keys.count;
    s.schemas = schemas;
    s.schema_count = v->schemas.count;
    if (!bad_key && rc == ZC_EXIT_OK) {
        rc = zc__guard_call("verify", zc__verify_body, &s);
        r = s.done ? s.r : ZC_ERR_TRUNCATED;
    }
    for (int i = 0; i < v->schemas.count; ++i) zc_schema_free(schemas[i]);
    uint32_t count = s.done ? s.count : 0;
    const zc_pack_info info = s.info;
    char id[2 * ZC_KEY_ID_SIZE + 1];
    zc_key_id_text(info.signer_key_id, id);
    if (v->json) {
        cJSON *o = cJSON_CreateObject();
        if (o) {
            cJSON_AddStringToObject(o, "path", pack_path);
            cJSON_AddBoolToObject(o, "ok", r == ZC_OK);
            if (r == ZC_OK) {
                cJSON_AddNumberToObject(o, "entries", (double)count);
                if (v->schemas.count) cJSON_AddNumberToObject(o, "schema_entries", (double)s.schema_entries);
                if (s.members) cJSON_AddNumberToObject(o, "set_members", (double)s.members);
                cJSON_AddBoolToObject(o, "signed", info.is_signed != 0);
                if (info.is_signed) cJSON_AddStringToObject(o, "key_id", id);
                cJSON_AddBoolToObject(o, "signature_verified", info.signature_verified != 0);
            } else {
                cJSON_AddStringToObject(o, "error", zc_result_name(r) ? zc_result_name(r) : "unknown");
                cJSON_AddStringToObject(o, "message", zc__cli.first_error);
                if (bad_key) cJSON_AddStringToObject(o, "key", bad_key);
            }
        }
        int json_rc = zc__print_json(o);
        return rc != ZC_EXIT_OK ? rc : json_rc;
    }
    if (rc != ZC_EXIT_OK) return rc;
    char in_set[64] = "";
    if (s.done && s.members) snprintf(in_set, sizeof in_set, " in %u packs of the set", s.members);
    if (v->schemas.count)
        snprintf(in_set + strlen(in_set), sizeof in_set - strlen(in_set), " (%u checked against a schema)",
                 s.schema_entries);
    if (info.signature_verified)
        printf("ok: %u entries verified%s, signed by trusted key %s\n", count, in_set, id);
    else if (info.is_signed)
        printf("ok: %u entries verified%s; signed by key %s, not checked (no --key given)\n", count, in_set, id);
    else
        printf("ok: %u entries verified%s\n", count, in_set);
    return rc;
}

const zc_command zc__cmd_verify = {
    "verify", "verify <pack> [--key <pub>]... [--schema <zcs>]...", "check structure, every checksum and the signature",
    zc__verify_help, ZC_EXITS(OK) | ZC_EXITS(INTERNAL) | ZC_EXITS(USAGE) | ZC_EXITS(IO) | ZC_EXITS(CORRUPT) |
    ZC_EXITS(SIGNATURE),
    zc__verify_options, sizeof(zc__verify_values), 1, "pack file", zc__verify_run,
};
