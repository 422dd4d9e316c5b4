/* zc_cmd_dump.c - `zcpack dump <pack> <path>`: one entry described as JSON, the
 * keys common to every entry here, its type's keys from its row in the table of
 * entry types (packer/types). */
#include <stdio.h>

#include "zc_cli.h"
#include "zc_entry_types.h"

static const char zc__dump_help[] =
    "Usage: zcpack dump <pack> <path>\n"
    "\n"
    "Print a description of entry <path> as one JSON object: path, type, size and\n"
    "content hash for every entry; for a texture also its pixel format, extent, layers,\n"
    "mip count, flags, row pitch alignment and every level's extent, row pitch, size\n"
    "and offset inside the entry; for a mesh its counts, bounds, streams, attributes,\n"
    "submeshes and meshlet count; for a material its name, alpha mode, flags, factors\n"
    "and texture slots; for a scene its nodes (name, parent, transform, mesh instances,\n"
    "camera, light), cameras and lights. References to other entries are shown as\n"
    "their paths when the pack holds them, else as 16-digit hex asset ids. The entry's\n"
    "structure is checked first.\n"
    "\n"
    "Options:\n"
    "  -h, --help  show this help\n";

typedef struct zc__dump_values {
    int unused;
} zc__dump_values;

static const zc_cli_option zc__dump_options[] = {
    ZC_OPT_END,
};

static int zc__dump_run(const zc_cli_call *call) {
    const char *pack_path = call->operands[0];
    zc_pack *pack;
    zc_entry e, raw;
    zc_hold hold;
    int rc = zc__open_entry(pack_path, call->operands[1], &pack, &e);
    if (rc != ZC_EXIT_OK) return rc;
    zc_result r = zc__raw_entry(pack, &e, &raw, &hold);
    if (r != ZC_OK) {
        rc = zc__entry_failed(pack_path, e.path, r);
        zc_pack_close(pack);
        return rc;
    }
    char hex[17], type[16];
    cJSON *o = cJSON_CreateObject();
    if (!o) {
        zc_hold_release(&hold);
        zc_pack_close(pack);
        return zc__print_json(NULL);
    }
    cJSON_AddStringToObject(o, "path", e.path);
    cJSON_AddStringToObject(o, "type", zc__type_text(e.type, type));
    cJSON_AddNumberToObject(o, "size", (double)e.raw_size);
    zc__hex64(e.content_hash, hex);
    cJSON_AddStringToObject(o, "content_hash", hex);
    cJSON_AddNumberToObject(o, "alignment", e.alignment);
    cJSON_AddStringToObject(o, "codec", zc__codec_text(e.codec));
    const zc_entry_type *t = zc_entry_type_find(e.type);
    if (t && (t->ops->view || t->ops->dump)) {
        zc_entry_view_buffer view;
        r = t->ops->view ? zc_entry_type_view(t, &raw, &view) : ZC_OK;
        if (r != ZC_OK)
            rc = zc__view_failed(pack_path, &raw, r);
        else if (t->ops->dump && t->ops->dump(pack, &raw, t->ops->view ? &view : NULL, o) != ZC_OK)
            rc = ZC_EXIT_INTERNAL;
    }
    if (rc == ZC_EXIT_OK)
        rc = zc__print_json(o);
    else
        cJSON_Delete(o);
    zc_hold_release(&hold);
    zc_pack_close(pack);
    return rc;
}

const zc_command zc__cmd_dump = {
    "dump", "dump <pack> <path>", "print one entry's description as JSON", zc__dump_help, ZC_EXITS(OK) | ZC_EXITS(INTERNAL) | ZC_EXITS(USAGE) | ZC_EXITS(IO) | ZC_EXITS(CORRUPT) | ZC_EXITS(NO_ENTRY),
    zc__dump_options, sizeof(zc__dump_values), 2, "pack file and entry path", zc__dump_run,
};
