/* zc_cmd_schema.c - `zcpack schema <file.zcs> -o <header.h>`: compile a schema into
 * one C header; with --encode <doc.json>, encode a JSON document into the archived
 * bytes of the schema's root type instead (packer/schema/, SPEC.md section 16). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_cli.h"
#include "zc_schema.h"
#include "zc_packer_os.h"

static const char zc__schema_help[] =
    "Usage: zcpack schema <file.zcs> -o <header.h>\n"
    "       zcpack schema <file.zcs> --encode <doc.json> -o <entry.bin>\n"
    "\n"
    "Compile the schema <file.zcs> (formats/SPEC.md, section 16) into one C header:\n"
    "archived structs with their layout asserts, accessors, a validator for untrusted\n"
    "bytes, a JSON dumper, the type tag and the layout hash. With --encode, check the\n"
    "JSON document against the schema and write the archived bytes of its root type.\n"
    "Errors name the schema's line and column, or the document's JSON path.\n"
    "\n"
    "Options:\n"
    "  -o, --output <file>    the header, or with --encode the entry bytes (required)\n"
    "      --encode <json>    encode this JSON document instead of writing the header\n"
    "  -h, --help             show this help\n";

typedef struct zc__schema_values {
    const char *output;
    const char *encode;
} zc__schema_values;

static const zc_cli_option zc__schema_options[] = {
    ZC_OPT_STRING("--output", 'o', zc__schema_values, output, "a file name", "output file name"),
    ZC_OPT_STRING("--encode", 0, zc__schema_values, encode, "a JSON file name", "JSON file name"),
    ZC_OPT_END,
};

/* The include guard of a header: its file name in capitals, other characters '_'. */
static void zc__guard_of(const char *path, char *guard, size_t size) {
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t n = 0;
    for (; name[n] && n + 1 < size; ++n) {
        char c = name[n];
        guard[n] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) ? c : '_';
    }
    guard[n] = 0;
}

static int zc__schema_header(const zc_schema *schema, const char *output) {
    char guard[128];
    zc__guard_of(output, guard, sizeof guard);
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    if (!mem) {
        zc__error("schema: out of memory");
        return ZC_EXIT_INTERNAL;
    }
    zc_result r = zc_schema_gen_header(schema, guard, mem);
    if (fclose(mem) != 0 || r != ZC_OK) {
        free(text);
        zc__error("schema: out of memory");
        return ZC_EXIT_INTERNAL;
    }
    int rc = zc__write_atomic("schema", output, text, size);
    free(text);
    return rc;
}

static int zc__schema_encode(const zc_schema *schema, const char *json_path, const char *output) {
    FILE *f = fopen(json_path, "rb");
    char *text = NULL;
    size_t size = 0;
    if (f) {
        FILE *mem = open_memstream(&text, &size);
        char chunk[65536];
        size_t n;
        while (mem && (n = fread(chunk, 1, sizeof chunk, f)) > 0) fwrite(chunk, 1, n, mem);
        int bad = ferror(f) || !mem;
        fclose(f);
        if (mem) fclose(mem);
        if (bad) f = NULL;
    }
    if (!f) {
        free(text);
        zc__error("%s: cannot read", json_path);
        return ZC_EXIT_IO;
    }
    uint8_t *bytes;
    size_t bytes_size;
    zc_diag diag = { { 0 } };
    zc_result r = zc_schema_encode(schema, json_path, text, size, &bytes, &bytes_size, &diag);
    free(text);
    if (r != ZC_OK) {
        zc__error("%s", r == ZC_ERR_OUT_OF_MEMORY ? "out of memory" : diag.message);
        return r == ZC_ERR_OUT_OF_MEMORY ? ZC_EXIT_INTERNAL : ZC_EXIT_IMPORT;
    }
    int rc = zc__write_atomic("schema", output, bytes, bytes_size);
    free(bytes);
    return rc;
}

static int zc__schema_run(const zc_cli_call *call) {
    const zc__schema_values *v = (const zc__schema_values *)call->values;
    if (!v->output) return zc__usage_error("schema", "missing -o <file>");
    zc_schema *schema;
    zc_diag diag = { { 0 } };
    zc_result r = zc_schema_load(call->operands[0], &schema, &diag);
    if (r != ZC_OK) {
        zc__error("%s", r == ZC_ERR_OUT_OF_MEMORY ? "out of memory" : diag.message);
        return r == ZC_ERR_IO ? ZC_EXIT_IO : r == ZC_ERR_OUT_OF_MEMORY ? ZC_EXIT_INTERNAL : ZC_EXIT_IMPORT;
    }
    int rc = v->encode ? zc__schema_encode(schema, v->encode, v->output) : zc__schema_header(schema, v->output);
    zc_schema_free(schema);
    return rc;
}

const zc_command zc__cmd_schema = {
    "schema", "schema <file.zcs> -o <header.h>", "compile a schema into a C header, or --encode a JSON document",
    zc__schema_help, ZC_EXITS(OK) | ZC_EXITS(INTERNAL) | ZC_EXITS(USAGE) | ZC_EXITS(IO) | ZC_EXITS(IMPORT),
    zc__schema_options, sizeof(zc__schema_values), 1, "schema file", zc__schema_run,
};
