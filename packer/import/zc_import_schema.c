/* zc_import_schema.c - the schema importer: a JSON file chosen by a manifest rule
 * { "match": "weapons/<glob>.json", "type": "Weapon", "schema": "game.zcs" } becomes one
 * entry of that schema type (SPEC.md 16.11): type tag and layout hash from the
 * schema, the bytes from zc_schema_encode_refs, every reference checked against the
 * tree (the target's file exists, is not left out, and gives an entry of the type the
 * schema names) and recorded as a dependency of the entry.
 *
 * Reads: the source, the schema file and the manifest (for the types of other files),
 * both listed in zc_import_outputs.reads when they lie in the tree (a manifest given
 * from elsewhere is the caller's input). Deterministic: the output depends on those
 * files and on which files the tree holds, nothing else. Any thread; no state
 * outside the call.
 */
#define _GNU_SOURCE 1 /* realpath, strndup */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "zc_importer.h"
#include "zc_manifest.h"
#include "zc_schema.h"
#include "zc_packer_os.h"

#define ZC__SCHEMA_JSON_MAX (64u << 20) /* bytes of one JSON source */

/* What the reference check needs, and the dependencies it gathers. */
typedef struct zc__schema_refs {
    const zc_import_source *src;
    char *root;                 /* the tree's root (file_path without "/" entry_path) */
    uint64_t *deps;             /* asset ids of the references, in document order */
    uint32_t dep_count, dep_cap;
    int out_of_memory;
} zc__schema_refs;

/* root + "/" + rel, malloc'd; NULL when out of memory. */
static char *zc__schema_join(const char *root, const char *rel, size_t rel_length) {
    size_t n = strlen(root);
    char *path = (char *)malloc(n + 1 + rel_length + 1);
    if (!path) return NULL;
    memcpy(path, root, n);
    path[n] = '/';
    memcpy(path + n + 1, rel, rel_length);
    path[n + 1 + rel_length] = 0;
    return path;
}

/* The tree's root: file_path is root + "/" + entry_path when the build calls. */
static zc_result zc__schema_root(const zc_import_source *src, char **root, zc_diag *diag) {
    size_t f = strlen(src->file_path), e = strlen(src->entry_path);
    if (f > e + 1 && strcmp(src->file_path + f - e, src->entry_path) == 0 && src->file_path[f - e - 1] == '/')
        *root = strndup(src->file_path, f - e - 1);
    else if (f == e)
        *root = strdup(".");
    else
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "cannot tell the tree's root from %s", src->file_path);
    return *root ? ZC_OK : zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
}

/* The type name an entry path of the tree has ("Mesh", "Weapon"), given the importer
 * its file gets; NULL with *why when the path names no entry it gives. */
static const char *zc__schema_entry_type(const zc_import_source *src, const char *file, const char *suffix,
                                         zc_import_settings *settings, const char **why) {
    const zc_importer *imp = zc_manifest_importer(src->manifest, file);
    static const char *const model_parts[][2] = { { "mesh/", "Mesh" }, { "material/", "Material" },
                                                  { "texture/", "Texture" }, { "skeleton/", "Skeleton" },
                                                  { "animation/", "Animation" } };
    *why = "its file gives no entry of that name";
    if (strcmp(imp->name, "model") == 0) {
        if (!suffix) return "Scene";
        for (size_t i = 0; i < sizeof model_parts / sizeof model_parts[0]; ++i)
            if (strncmp(suffix, model_parts[i][0], strlen(model_parts[i][0])) == 0) return model_parts[i][1];
        return NULL;
    }
    if (suffix) return NULL;
    if (strcmp(imp->name, "texture") == 0) return "Texture";
    if (strcmp(imp->name, "blob") == 0) return "Blob";
    memset(settings, 0, sizeof *settings);
    zc_manifest_apply(src->manifest, file, settings);
    return settings->schema.type[0] ? settings->schema.type : NULL;
}

/* zc_schema_ref_check.check: the target's file is a regular file of the tree, not
 * left out by the manifest, and gives an entry of `type_name`. */
static int zc__schema_ref(void *user, const char *target, const char *type_name, char *problem, size_t size) {
    zc__schema_refs *refs = (zc__schema_refs *)user;
    const char *hash = strchr(target, '#');
    size_t file_length = hash ? (size_t)(hash - target) : strlen(target);
    char *file = strndup(target, file_length);
    char *path = file ? zc__schema_join(refs->root, target, file_length) : NULL;
    struct stat st;
    zc_import_settings settings;
    const char *why = NULL, *actual = NULL;
    if (!path)
        why = "out of memory";
    else if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
        why = "no file of the tree has that path";
    else if (zc_manifest_excludes(refs->src->manifest, file))
        why = "the manifest leaves its file out of the pack";
    else if ((actual = zc__schema_entry_type(refs->src, file, hash ? hash + 1 : NULL, &settings, &why)) &&
             strcmp(actual, type_name) != 0)
        snprintf(problem, size, "it is an entry of type %s, the schema wants type %s", actual, type_name);
    if (why && !actual) snprintf(problem, size, "%s", why);
    int ok = problem[0] == 0;
    free(file);
    free(path);
    if (ok && refs->dep_count == refs->dep_cap) {
        uint32_t cap = refs->dep_cap ? refs->dep_cap * 2 : 8;
        uint64_t *grown = (uint64_t *)realloc(refs->deps, cap * sizeof *grown);
        if (!grown) {
            snprintf(problem, size, "out of memory");
            return 0;
        }
        refs->deps = grown;
        refs->dep_cap = cap;
    }
    if (ok) refs->deps[refs->dep_count++] = zc_asset_id(target, strlen(target));
    return ok;
}

/* Append the real path of `path` and a '\n' to *reads (malloc'd text) when it lies
 * below `root`: a file outside the tree (`zcpack import --manifest` elsewhere) is an
 * input the caller names, not a read of the tree. 0 when out of memory. */
static int zc__schema_add_read(char **reads, const char *root, const char *path) {
    char real[PATH_MAX], real_root[PATH_MAX];
    if (!realpath(path, real) || !realpath(root, real_root)) return 1; /* nothing to record */
    size_t r = strlen(real_root);
    int top = r == 1 && real_root[0] == '/';
    if (!top && (strncmp(real, real_root, r) != 0 || real[r] != '/')) return 1;
    size_t old = *reads ? strlen(*reads) : 0, n = strlen(real);
    char *grown = (char *)realloc(*reads, old + n + 2);
    if (!grown) return 0;
    memcpy(grown + old, real, n);
    grown[old + n] = '\n';
    grown[old + n + 1] = 0;
    *reads = grown;
    return 1;
}

/* The schema the rule names, checked to have `type` as its root. */
static zc_result zc__schema_of(const zc_schema_settings *set, const char *schema_path, zc_schema **out,
                               zc_diag *diag) {
    if (!set->schema[0] || !set->type[0])
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT,
                       "the manifest rules that choose the schema importer must set both \"schema\" and \"type\"");
    zc_diag why = { { 0 } };
    zc_result r = zc_schema_load(schema_path, out, &why);
    if (r != ZC_OK)
        return zc_fail(diag, r == ZC_ERR_OUT_OF_MEMORY ? r : ZC_ERR_BAD_SOURCE, "schema %s: %s", set->schema,
                       why.message);
    const char *root = (*out)->decls[(*out)->root].name;
    if (strcmp(root, set->type) == 0) return ZC_OK;
    zc_schema_free(*out);
    *out = NULL;
    return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the manifest's type \"%s\" is not the root type of %s (%s)", set->type,
                   set->schema, root);
}

/* Encode the source's JSON with the references checked; the message loses the
 * encoder's leading "<entry path>: " (the build names the file). */
static zc_result zc__schema_encode(const zc_import_source *src, const zc_schema *schema, zc__schema_refs *refs,
                                   zc_import_output *o, zc_diag *diag) {
    char *json = NULL;
    size_t length = 0;
    zc_result r = zc_read_config_file(src->file_path, ZC__SCHEMA_JSON_MAX, &json, &length, diag);
    if (r != ZC_OK) return r;
    zc_schema_ref_check check = { zc__schema_ref, refs };
    uint8_t *bytes = NULL;
    size_t size = 0;
    r = zc_schema_encode_refs(schema, src->entry_path, json, length, &check, &bytes, &size, diag);
    free(json);
    size_t n = strlen(src->entry_path);
    if (r != ZC_OK && diag && strncmp(diag->message, src->entry_path, n) == 0 && diag->message[n] == ':')
        memmove(diag->message, diag->message + n + 2, strlen(diag->message + n + 2) + 1);
    if (r != ZC_OK) return r;
    o->type = schema->type_tag;
    o->layout_hash = schema->layout_hash;
    o->align_log2 = ZC_MIN_ALIGN_LOG2;
    o->payload = bytes;
    o->size = size;
    o->deps = refs->deps;
    o->dep_count = refs->dep_count;
    refs->deps = NULL;
    return ZC_OK;
}

zc_result zc__prepare_schema(const zc_import_source *src, zc_import_outputs *out, zc_diag *diag) {
    memset(out, 0, sizeof *out);
    zc_import_settings defaults;
    memset(&defaults, 0, sizeof defaults);
    const zc_schema_settings *set = src->settings ? &src->settings->schema : &defaults.schema;
    zc__schema_refs refs;
    memset(&refs, 0, sizeof refs);
    refs.src = src;
    zc_schema *schema = NULL;
    char *schema_path = NULL;
    zc_result r = zc__schema_root(src, &refs.root, diag);
    if (r == ZC_OK && !(schema_path = zc__schema_join(refs.root, set->schema, strlen(set->schema))))
        r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    if (r == ZC_OK) r = zc__schema_of(set, schema_path, &schema, diag);
    if (r == ZC_OK && !(out->items = (zc_import_output *)calloc(1, sizeof *out->items)))
        r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    if (r == ZC_OK) out->count = 1;
    if (r == ZC_OK) r = zc__schema_encode(src, schema, &refs, &out->items[0], diag);
    int listed = r != ZC_OK || zc__schema_add_read(&out->reads, refs.root, schema_path);
    if (listed && r == ZC_OK && src->manifest_path)
        listed = zc__schema_add_read(&out->reads, refs.root, src->manifest_path);
    if (!listed) r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    zc_schema_free(schema);
    free(schema_path);
    free(refs.root);
    free(refs.deps);
    if (r != ZC_OK) zc_import_outputs_free(out);
    return r;
}

zc_result zc__import_schema(const zc_import_source *src, zc_writer *w, zc_diag *diag) {
    return zc_import_prepared(zc__prepare_schema, src, w, diag);
}
