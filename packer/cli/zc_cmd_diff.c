/* zc_cmd_diff.c - `zcpack diff <a> <b>`: entries added, removed or changed between
 * two packs, by path; exit codes as diff(1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_cli.h"

static const char zc__diff_help[] =
    "Usage: zcpack diff <a> <b> [--json]\n"
    "\n"
    "Compare two packs entry by entry, by path, and print one line per difference in\n"
    "path order, tab-separated:\n"
    "  added    <path>            only <b> has the path\n"
    "  removed  <path>            only <a> has the path\n"
    "  changed  <path>  <fields>  both have it with different content; <fields> lists\n"
    "                             type, layout_hash, content_hash, raw_size, deps\n"
    "How an entry is stored (codec, stored size, offset, alignment) does not count.\n"
    "Whiteout entries of patch packs are compared like any other entry. Only the\n"
    "header and tables of contents are checked and read, never the entries' bytes.\n"
    "Nothing is printed when the packs hold the same entries.\n"
    "\n"
    "Options:\n"
    "  --json      print one JSON object instead: {\"identical\": bool, \"added\": [path],\n"
    "              \"removed\": [path], \"changed\": [{\"path\", \"fields\": [name]}]}\n"
    "  -h, --help  show this help\n"
    "\n"
    "Exit codes (as diff(1)): 0 the packs hold the same entries, 1 they differ;\n"
    "otherwise 2 usage error, 3 unreadable pack, 4 invalid or corrupt pack,\n"
    "7 internal error (out of memory).\n";

typedef struct zc__diff_values {
    int json;
} zc__diff_values;

static const zc_cli_option zc__diff_options[] = {
    ZC_OPT_FLAG("--json", 0, zc__diff_values, json),
    ZC_OPT_END,
};

static const struct {
    uint32_t bit;
    const char *name;
} zc__diff_fields[] = {
    { ZC_DIFF_TYPE, "type" },         { ZC_DIFF_LAYOUT, "layout_hash" }, { ZC_DIFF_CONTENT, "content_hash" },
    { ZC_DIFF_RAW_SIZE, "raw_size" }, { ZC_DIFF_DEPS, "deps" },
};

/* "type,content_hash" for the bits of `diff`. */
static void zc__diff_text(uint32_t diff, char *out, size_t cap) {
    size_t o = 0;
    out[0] = 0;
    for (size_t k = 0; k < sizeof zc__diff_fields / sizeof zc__diff_fields[0]; ++k)
        if (diff & zc__diff_fields[k].bit)
            o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, "%s%s", o ? "," : "", zc__diff_fields[k].name);
}

typedef struct zc__diff_out {
    int json;
    cJSON *root, *added, *removed, *changed;  /* --json */
    uint32_t differences;
    int failed;                                /* out of memory building the JSON */
} zc__diff_out;

/* Report one difference: `diff` is 0 for added/removed paths. */
static void zc__diff_report(zc__diff_out *d, const char *what, const char *path, uint32_t diff) {
    d->differences++;
    if (!d->json) {
        char fields[96];
        zc__diff_text(diff, fields, sizeof fields);
        printf("%s\t%s%s%s\n", what, path, diff ? "\t" : "", fields);
        return;
    }
    cJSON *item = NULL;
    if (!diff) {
        item = cJSON_CreateString(path);
        if (item) cJSON_AddItemToArray(what[0] == 'a' ? d->added : d->removed, item);
    } else if ((item = cJSON_CreateObject()) != NULL) {
        cJSON *fields = cJSON_CreateArray();
        cJSON_AddStringToObject(item, "path", path);
        for (size_t k = 0; fields && k < sizeof zc__diff_fields / sizeof zc__diff_fields[0]; ++k)
            if (diff & zc__diff_fields[k].bit)
                cJSON_AddItemToArray(fields, cJSON_CreateString(zc__diff_fields[k].name));
        if (fields) cJSON_AddItemToObject(item, "fields", fields);
        else d->failed = 1;
        cJSON_AddItemToArray(d->changed, item);
    }
    if (!item) d->failed = 1;
}

/* Merge the two path-sorted lists, reporting every difference in path order. */
static void zc__diff_walk(const zc_entry *a, uint32_t na, const zc_entry *b, uint32_t nb, zc__diff_out *d) {
    uint32_t i = 0, j = 0;
    while (i < na || j < nb) {
        int c = i == na ? 1 : j == nb ? -1 : strcmp(a[i].path, b[j].path);
        if (c < 0) {
            zc__diff_report(d, "removed", a[i++].path, 0);
        } else if (c > 0) {
            zc__diff_report(d, "added", b[j++].path, 0);
        } else {
            uint32_t diff = zc_entry_differences(&a[i], &b[j]);
            if (diff) zc__diff_report(d, "changed", a[i].path, diff);
            i++;
            j++;
        }
    }
}

static int zc__diff_packs(const char *path_a, const zc_pack *pa, const char *path_b, const zc_pack *pb, int json) {
    uint32_t na = 0, nb = 0;
    zc_result ra = ZC_OK, rb = ZC_OK;
    zc_entry *a = zc__entries_sorted(path_a, pa, &na, &ra);
    zc_entry *b = a ? zc__entries_sorted(path_b, pb, &nb, &rb) : NULL;
    zc__diff_out d;
    memset(&d, 0, sizeof d);
    d.json = json;
    if (json) {
        d.root = cJSON_CreateObject();
        d.added = cJSON_CreateArray();
        d.removed = cJSON_CreateArray();
        d.changed = cJSON_CreateArray();
        d.failed = !d.root || !d.added || !d.removed || !d.changed;
    }
    int rc = a && b && !d.failed ? ZC_EXIT_OK : ZC_EXIT_DIFF_INTERNAL;
    if (rc == ZC_EXIT_OK) zc__diff_walk(a, na, b, nb, &d);
    if (rc == ZC_EXIT_OK && json) {
        /* "identical" first, then the lists (the object owns them from here on) */
        d.failed = d.failed || !cJSON_AddBoolToObject(d.root, "identical", d.differences == 0);
        if (!d.failed) {
            cJSON_AddItemToObject(d.root, "added", d.added);
            cJSON_AddItemToObject(d.root, "removed", d.removed);
            cJSON_AddItemToObject(d.root, "changed", d.changed);
            d.added = d.removed = d.changed = NULL;
        }
        if (d.failed) {
            zc__error("out of memory formatting the differences");
            rc = ZC_EXIT_DIFF_INTERNAL;
        } else {
            cJSON *root = d.root;
            d.root = NULL; /* zc__print_json frees it, and reports its own failure */
            if (zc__print_json(root) != ZC_EXIT_OK) rc = ZC_EXIT_DIFF_INTERNAL;
        }
    }
    cJSON_Delete(d.root);
    cJSON_Delete(d.added);
    cJSON_Delete(d.removed);
    cJSON_Delete(d.changed);
    free(a);
    free(b);
    return rc != ZC_EXIT_OK ? rc : d.differences ? ZC_EXIT_DIFFERENT : ZC_EXIT_OK;
}

static int zc__diff_run(const zc_cli_call *call) {
    const zc__diff_values *v = (const zc__diff_values *)call->values;
    zc_pack *pa = NULL, *pb = NULL;
    int rc;
    if ((rc = zc__open_walk(call->operands[0], &pa)) != ZC_EXIT_OK ||
        (rc = zc__open_walk(call->operands[1], &pb)) != ZC_EXIT_OK) {
        zc_pack_close(pa);
        return rc == ZC_EXIT_INTERNAL ? ZC_EXIT_DIFF_INTERNAL : rc;
    }
    rc = zc__diff_packs(call->operands[0], pa, call->operands[1], pb, v->json);
    zc_pack_close(pa);
    zc_pack_close(pb);
    return rc;
}

/* diff's help lists its own exit codes (as diff(1)). */
const zc_command zc__cmd_diff = {
    "diff", "diff <a> <b> [--json]", "list entries added, removed or changed", zc__diff_help, 0,
    zc__diff_options, sizeof(zc__diff_values), 2, "two pack files", zc__diff_run,
};
