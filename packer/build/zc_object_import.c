/* zc_object_import.c - the import step (zc_link.h): one source file into one object.
 *
 * The file is imported as a build imports it: the same importer row, settings
 * (build options, then the manifest's matching rules), file identity checks, and the
 * same writer with the build's compression policy, here writing a scratch pack
 * beside the object. The scratch pack's entries, as they are stored, become the
 * object's outputs; the pack is then removed.
 */
#define _GNU_SOURCE /* realpath, O_CLOEXEC */
#include "zc_build_internal.h"
#include "zc_object_internal.h"

#include <limits.h>
#include "zc_packer_os.h"

typedef struct zc__import {
    const zc_object_import_desc *desc;
    char *root;                 /* desc->root without trailing slashes ("/" stays) */
    char *rel;                  /* entry path */
    char *file_path;            /* root/rel, as a build names it */
    struct stat st;             /* of file_path before the import */
    const zc_importer *imp;
    zc_manifest *manifest;
    char *manifest_path;        /* the file manifest was read from; NULL: none */
    zc_ignore *ignore;          /* root/.zcpackignore; NULL: none */
    char excluded_by[1100];     /* "line 3 of .zcpackignore", "the cube map sky_px.png":
                                   left out, the object holds no entries; "" otherwise */
    char *group_first;          /* left out as a later file of a texture group: the group's
                                   first file, which the decision read; else NULL */
    zc_image_budget *budget;
    zc_import_settings settings;
    zc_import_source src;
    int prepared;               /* imported through the row's prepare step (zc_importer_prepares) */
    zc_import_outputs outs;     /* prepared: what prepare returned */
    char *scratch;              /* the scratch pack; NULL: none */
    zc_pack *pack;              /* the scratch pack, opened */
    zc__object obj;             /* inputs owned; outputs borrow from `pack` */
    char *reads;                /* root-relative, sorted, '\n'-ended */
} zc__import;

#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 3, 4)))
#endif
static zc_result zc__ifail(const zc__import *im, zc_result r, const char *fmt, ...) {
    if (!im->desc->logger.func) return r;
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    im->desc->logger.func(ZC_LOG_ERROR, line, im->desc->logger.user_data);
    return r;
}

/* ---------------------------------------------------------------------------------
 * Paths relative to the root
 * ------------------------------------------------------------------------------- */

/* `path` as an entry path below `root`: textually ("root/a/b"), else through the real
 * paths of its directory and of root (links and ".." resolved; the file itself is not
 * followed). malloc'd, or NULL when it does not lie below root. */
static char *zc__rel_under(const char *root, const char *path) {
    size_t n = strlen(root);
    const char *rest = NULL;
    if (strcmp(root, ".") == 0 && path[0] != '/')
        rest = path;
    else if (strncmp(path, root, n) == 0 && (path[n] == '/' || (n && root[n - 1] == '/')))
        rest = path + n;
    while (rest && rest[0] == '.' && rest[1] == '/') rest += 2;
    while (rest && rest[0] == '/') rest++;
    zc_diag d;
    if (rest && zc_check_path(rest, strlen(rest), &d) == ZC_OK) return strdup(rest);

    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    const char *base = slash ? slash + 1 : path;
    char *real_dir = dir ? realpath(dir, NULL) : NULL, *real_root = realpath(root, NULL), *rel = NULL;
    if (real_dir && real_root) {
        size_t r = strlen(real_root);
        if (r > 1 && strncmp(real_dir, real_root, r) == 0 && real_dir[r] == '/')
            rest = real_dir + r + 1;
        else if (strcmp(real_dir, real_root) == 0)
            rest = "";
        else if (r == 1) /* the root is "/" */
            rest = real_dir + 1;
        else
            rest = NULL;
        if (rest && (rel = (char *)malloc(strlen(rest) + strlen(base) + 2)))
            sprintf(rel, "%s%s%s", rest, rest[0] ? "/" : "", base);
    }
    free(dir);
    free(real_dir);
    free(real_root);
    if (rel && zc_check_path(rel, strlen(rel), &d) != ZC_OK) {
        free(rel);
        rel = NULL;
    }
    return rel;
}

/* Find the file and its entry path; it must be a regular file, as a build's walk
 * takes it. */
static zc_result zc__locate(zc__import *im) {
    const zc_object_import_desc *desc = im->desc;
    size_t n = strlen(desc->root);
    while (n > 1 && desc->root[n - 1] == '/') n--;
    if (!(im->root = strndup(desc->root, n))) return ZC_ERR_OUT_OF_MEMORY;
    struct stat st;
    if (stat(im->root, &st) != 0 || !S_ISDIR(st.st_mode))
        return zc__ifail(im, errno == ENOENT ? ZC_ERR_FILE_NOT_FOUND : ZC_ERR_IO, "%s: not a directory: %s",
                         im->root, errno ? strerror(errno) : "not a directory");
    if (!(im->rel = zc__rel_under(im->root, desc->file)))
        return zc__ifail(im, ZC_ERR_INVALID_ARGUMENT, "%s: not a file below the root %s (or not a valid entry path)",
                         desc->file, im->root);
    if (strcmp(im->rel, ZC_MANIFEST_NAME) == 0 || strcmp(im->rel, ZC_IGNORE_NAME) == 0)
        return zc__ifail(im, ZC_ERR_INVALID_ARGUMENT, "%s: the %s of the tree, which a build does not pack",
                         desc->file, strcmp(im->rel, ZC_IGNORE_NAME) == 0 ? "ignore list" : "manifest");
    if (!(im->file_path = zc__build_join(im->root, strlen(im->root), im->rel))) return ZC_ERR_OUT_OF_MEMORY;
    if (lstat(im->file_path, &im->st) != 0)
        return zc__ifail(im, errno == ENOENT ? ZC_ERR_FILE_NOT_FOUND : ZC_ERR_IO, "%s: cannot open: %s",
                         im->file_path, strerror(errno));
    if (!S_ISREG(im->st.st_mode))
        return zc__ifail(im, ZC_ERR_IO, "%s: %s, which a build skips", im->file_path,
                         S_ISLNK(im->st.st_mode) ? "a symbolic link" : "not a regular file");
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * Settings and the import itself
 * ------------------------------------------------------------------------------- */

/* The build options of desc, as zc_build_desc holds them. */
static void zc__build_options(const zc_object_import_desc *desc, zc_build_desc *bd) {
    memset(bd, 0, sizeof *bd);
    bd->logger = desc->logger;
    bd->no_compress = desc->no_compress;
    bd->max_texture_dimension = desc->max_texture_dimension;
    bd->model_timeout_ms = desc->model_timeout_ms;
    bd->no_entry_compression = desc->no_entry_compression;
    bd->compress_level = desc->compress_level;
    bd->min_saving_percent = desc->min_saving_percent;
    bd->max_memory = desc->max_memory;
}


/* A later file of a texture group (a cube map's -X to -Z face, an array layer after
 * the first) whose first file is in the tree (there, not left out): the first one's
 * import reads it, so, as in a build, it gives no entries itself. The decision read
 * the first file (and, for an array, its folder), so that file is one of the import's
 * inputs (im->group_first): a sandbox that holds the member without it would import
 * the member on its own. */
static zc_result zc__group_member_left_out(zc__import *im) {
    char *first = NULL;
    zc_result r = zc__texture_group_first(im->manifest, im->root, im->rel, &first);
    if (r != ZC_OK || !first) return r;
    char *first_path = zc__build_join(im->root, strlen(im->root), first);
    struct stat st;
    if (!first_path) r = ZC_ERR_OUT_OF_MEMORY;
    else if (lstat(first_path, &st) == 0 && S_ISREG(st.st_mode) && !zc_ignore_path(im->ignore, first) &&
             (im->desc->include_hidden || !zc_ignore_system_path(first)) && !zc_manifest_excludes(im->manifest, first)) {
        snprintf(im->excluded_by, sizeof im->excluded_by, "the import of %s (one texture)", first);
        im->group_first = first;
        first = NULL;
    }
    free(first_path);
    free(first);
    return r;
}

static zc_result zc__settings(zc__import *im) {
    const zc_object_import_desc *desc = im->desc;
    zc_diag diag;
    char *manifest = desc->manifest ? strdup(desc->manifest) : zc__build_join(im->root, strlen(im->root), ZC_MANIFEST_NAME);
    if (!manifest) return ZC_ERR_OUT_OF_MEMORY;
    struct stat st;
    zc_result r = ZC_OK;
    if (desc->manifest || lstat(manifest, &st) == 0) {
        r = zc_manifest_load(manifest, &im->manifest, &diag);
        if (r != ZC_OK) zc__ifail(im, r, "%s: %s", manifest, diag.message);
    }
    if (im->manifest) im->manifest_path = manifest;
    else free(manifest);
    if (r != ZC_OK) return r;
    char *ignore = zc__build_join(im->root, strlen(im->root), ZC_IGNORE_NAME);
    if (!ignore) return ZC_ERR_OUT_OF_MEMORY;
    if (lstat(ignore, &st) == 0) {
        r = zc_ignore_load(ignore, &im->ignore, &diag);
        if (r != ZC_OK) zc__ifail(im, r, "%s: %s", ignore, diag.message);
    }
    free(ignore);
    if (r != ZC_OK) return r;
    uint32_t line = zc_ignore_path(im->ignore, im->rel), rule = zc_manifest_excludes(im->manifest, im->rel);
    if (line)
        snprintf(im->excluded_by, sizeof im->excluded_by, "line %u of %s", line, ZC_IGNORE_NAME);
    else if (!desc->include_hidden && zc_ignore_system_path(im->rel))
        snprintf(im->excluded_by, sizeof im->excluded_by, "the rule for hidden and system files (--include-hidden)");
    else if (rule)
        snprintf(im->excluded_by, sizeof im->excluded_by, "rule %u of %s", rule - 1, ZC_MANIFEST_NAME);
    else if ((r = zc__group_member_left_out(im)) != ZC_OK)
        return r;
    zc_build_desc bd;
    zc__build_options(desc, &bd);
    zc_import_defaults defaults;
    zc__build_import_defaults(&bd, NULL, &defaults);
    if ((r = zc_import_defaults_check(&defaults, &diag)) != ZC_OK) return zc__ifail(im, r, "%s", diag.message);
    if (desc->compress_level < 0 || desc->compress_level > ZC_WRITER_MAX_LEVEL || desc->min_saving_percent > 99)
        return zc__ifail(im, ZC_ERR_INVALID_ARGUMENT, "compression level %d or minimum saving %u%% out of range",
                         desc->compress_level, desc->min_saving_percent);
    if (zc_image_budget_create(desc->max_memory, &im->budget) != ZC_OK) return ZC_ERR_OUT_OF_MEMORY;
    zc__build_import_defaults(&bd, im->budget, &defaults);
    zc_import_settings_init(&im->settings, &defaults);
    zc_manifest_apply(im->manifest, im->rel, &im->settings);
    im->imp = zc_manifest_importer(im->manifest, im->rel);
    memset(&im->src, 0, sizeof im->src);
    im->src.file_path = im->file_path;
    im->src.entry_path = im->rel;
    im->src.size = (uint64_t)im->st.st_size;
    im->src.has_identity = 1;
    im->src.dev = (uint64_t)im->st.st_dev;
    im->src.ino = (uint64_t)im->st.st_ino;
    im->src.settings = &im->settings;
    im->src.manifest = im->manifest;
    im->src.manifest_path = im->manifest_path;
    return ZC_OK;
}

/* Write the file's entries into a scratch pack beside the object and open it. */
static zc_result zc__write_scratch(zc__import *im) {
    zc_diag diag;
    diag.message[0] = 0;
    if (!(im->scratch = zc__object_scratch_path(im->desc->output)))
        return zc__ifail(im, ZC_ERR_IO, "%s: cannot create a file beside it: %s", im->desc->output, strerror(errno));
    zc_build_desc bd;
    zc__build_options(im->desc, &bd);
    bd.output_path = im->scratch;
    bd.no_sync = bd.no_verify = 1; /* opened and read back below; then removed */
    zc_writer *w = NULL;
    zc_result r = zc__build_open_writer(&bd, im->manifest, &w);
    if (r != ZC_OK) return r;
    if (im->excluded_by[0]) {
        /* left out: an object of no entries, as a build writes none for the file */
    } else if (im->prepared) {
        r = zc_import_outputs_write(&im->outs, im->rel, w, &diag);
    } else {
        im->src.logger = im->desc->logger;
        r = im->imp->import(&im->src, w, &diag);
    }
    if (r != ZC_OK) {
        zc_writer_abort(w);
        return zc__ifail(im, r, "%s: %s", im->file_path, diag.message[0] ? diag.message : zc_result_str(r));
    }
    if ((r = zc_writer_finish(w)) != ZC_OK) return r;
    return zc_pack_open(&im->pack, &(zc_pack_desc){ .path = im->scratch, .logger = im->desc->logger });
}

static zc_result zc__run(zc__import *im) {
    zc_diag diag;
    diag.message[0] = 0;
    zc_result r = ZC_OK;
    im->prepared = !im->excluded_by[0] && zc_importer_prepares(im->imp, im->src.size);
    if (im->excluded_by[0] && im->desc->logger.func) {
        char line[2048];
        snprintf(line, sizeof line, "%s: left out by %s: the object holds no entries", im->file_path, im->excluded_by);
        im->desc->logger.func(ZC_LOG_INFO, line, im->desc->logger.user_data);
    }
    if (im->prepared) {
        r = im->imp->prepare(&im->src, &im->outs, &diag);
        if (r == ZC_OK) r = zc_import_outputs_check(&im->outs, im->rel, &diag);
        if (r != ZC_OK) return zc__ifail(im, r, "%s: %s", im->file_path, diag.message[0] ? diag.message : zc_result_str(r));
        zc_import_notes_log(im->outs.notes, im->file_path, im->desc->logger);
    }
    if (im->desc->output && (r = zc__write_scratch(im)) != ZC_OK) return r;
    struct stat after;
    if (lstat(im->file_path, &after) != 0 || after.st_ino != im->st.st_ino || after.st_size != im->st.st_size ||
        after.st_mtim.tv_sec != im->st.st_mtim.tv_sec || after.st_mtim.tv_nsec != im->st.st_mtim.tv_nsec)
        return zc__ifail(im, ZC_ERR_IO, "%s: changed during its import; import it again", im->file_path);
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * Inputs, key and object
 * ------------------------------------------------------------------------------- */

static int zc__compare_inputs(const void *x, const void *y) {
    return strcmp(((const zc__object_input *)x)->path, ((const zc__object_input *)y)->path);
}

/* inputs[0] = the source, then what the import read besides it (sorted, once each;
 * a left-out group member's first file), each hashed; and im->reads for the caller. */
static zc_result zc__inputs(zc__import *im) {
    size_t lines = 2;
    for (const char *p = im->outs.reads; p && *p; ++p) lines += *p == '\n';
    zc__object *obj = &im->obj;
    if (!(obj->inputs = (zc__object_input *)calloc(lines + 1, sizeof *obj->inputs))) return ZC_ERR_OUT_OF_MEMORY;
    if (!(obj->inputs[0].path = strdup(im->rel))) return ZC_ERR_OUT_OF_MEMORY;
    obj->input_count = 1;
    if (im->group_first && !(obj->inputs[obj->input_count++].path = strdup(im->group_first)))
        return ZC_ERR_OUT_OF_MEMORY;
    for (const char *p = im->outs.reads; p && *p;) {
        size_t n = strcspn(p, "\n");
        char *line = strndup(p, n);
        p += n + (p[n] == '\n');
        if (!line) return ZC_ERR_OUT_OF_MEMORY;
        char *rel = n ? zc__rel_under(im->root, line) : NULL;
        if (n && !rel) {
            zc__ifail(im, ZC_ERR_IO, "%s: the import read %s, which does not lie below the root %s", im->file_path,
                      line, im->root);
            free(line);
            return ZC_ERR_IO;
        }
        free(line);
        if (rel && strcmp(rel, im->rel) != 0) obj->inputs[obj->input_count++].path = rel;
        else free(rel);
    }
    qsort(obj->inputs + 1, obj->input_count - 1, sizeof *obj->inputs, zc__compare_inputs);
    uint32_t kept = 1;
    size_t reads_len = 0;
    for (uint32_t i = 1; i < obj->input_count; ++i) {
        if (strcmp(obj->inputs[i].path, obj->inputs[kept - 1].path) == 0) {
            free(obj->inputs[i].path);
            continue;
        }
        obj->inputs[kept++] = obj->inputs[i];
        reads_len += strlen(obj->inputs[i].path) + 1;
    }
    obj->input_count = kept;
    if (kept > 1 && !(im->reads = (char *)calloc(reads_len + 1, 1))) return ZC_ERR_OUT_OF_MEMORY;
    for (uint32_t i = 0; i < kept; ++i) {
        zc__object_input *in = &obj->inputs[i];
        if (i) strcat(strcat(im->reads, in->path), "\n");
        char *path = zc__build_join(im->root, strlen(im->root), in->path);
        zc_result r = path ? zc__build_cache_source_hash(NULL, path, in->hash, &in->size) : ZC_ERR_OUT_OF_MEMORY;
        if (r != ZC_OK && r != ZC_ERR_OUT_OF_MEMORY) zc__ifail(im, r, "%s: cannot read it again after its import", path);
        free(path);
        if (r != ZC_OK) return r;
    }
    return ZC_OK;
}

/* The object's key: everything its entries depend on (zc_link.h). */
static void zc__key(const zc__import *im, uint8_t key[16]) {
    XXH3_state_t state;
    XXH3_INITSTATE(&state);
    XXH3_128bits_reset(&state);
    XXH3_128bits_update(&state, "zcpack object key", 18);
    zc__hash_u32(&state, ZC_OBJECT_VERSION);
    zc__hash_u32(&state, ZC_FORMAT_MAJOR);
    zc__hash_u32(&state, ZC_FORMAT_MINOR);
    zc__hash_str(&state, zc_version_string());
    zc__hash_import(&state, im->imp, &im->src);
    zc__hash_str(&state, im->excluded_by);
    const zc_object_import_desc *desc = im->desc;
    zc__hash_u32(&state, (uint32_t)zc_manifest_compression(im->manifest, im->rel));
    zc__hash_u32(&state, desc->no_entry_compression ? 1u : 0u);
    zc__hash_u32(&state, desc->compress_level ? (uint32_t)desc->compress_level : ZC_WRITER_DEFAULT_LEVEL);
    zc__hash_u32(&state, desc->min_saving_percent ? desc->min_saving_percent : ZC_WRITER_DEFAULT_MIN_SAVING);
    zc__hash_u64(&state, im->obj.input_count);
    for (uint32_t i = 0; i < im->obj.input_count; ++i) {
        zc__hash_str(&state, im->obj.inputs[i].path);
        zc__hash_u64(&state, im->obj.inputs[i].size);
        XXH3_128bits_update(&state, im->obj.inputs[i].hash, 16);
    }
    XXH128_canonical_t canon;
    XXH128_canonicalFromHash(&canon, XXH3_128bits_digest(&state));
    memcpy(key, canon.digest, 16);
}

static uint32_t zc__log2(uint32_t alignment) {
    uint32_t l = 0;
    while (l < 31 && ((uint32_t)1 << l) < alignment) l++;
    return l;
}

/* The scratch pack's entries in path order (the order the build writes a file's
 * entries in: a prepared list is sorted by path, an import function writes one) as
 * the object's outputs, borrowing their bytes from the mapping; then write it. */
static zc_result zc__write_object(zc__import *im) {
    zc__object *obj = &im->obj;
    uint32_t n = zc_pack_entry_count(im->pack);
    obj->outs.items = (zc_import_output *)calloc(n ? n : 1, sizeof *obj->outs.items);
    obj->stored = (zc__record_stored *)calloc(n ? n : 1, sizeof *obj->stored);
    if (!obj->outs.items || !obj->stored) return ZC_ERR_OUT_OF_MEMORY;
    zc_entry *entries = (zc_entry *)calloc(n ? n : 1, sizeof *entries);
    if (!entries) return ZC_ERR_OUT_OF_MEMORY;
    zc_result r = ZC_OK;
    for (uint32_t i = 0; i < n && r == ZC_OK; ++i) r = zc_pack_entry_at(im->pack, i, &entries[i]);
    for (uint32_t i = 1; i < n && r == ZC_OK; ++i) /* insertion sort: a file gives few entries */
        for (uint32_t j = i; j > 0 && strcmp(entries[j - 1].path, entries[j].path) > 0; --j) {
            zc_entry t = entries[j];
            entries[j] = entries[j - 1];
            entries[j - 1] = t;
        }
    for (uint32_t i = 0; i < n && r == ZC_OK; ++i) {
        const zc_entry *e = &entries[i];
        zc_import_output *o = &obj->outs.items[i];
        o->type = e->type;
        o->layout_hash = e->layout_hash;
        o->align_log2 = zc__log2(e->alignment);
        o->payload = (void *)e->data; /* borrowed: only read by zc__object_write */
        o->size = (size_t)e->stored_size;
        o->path = strcmp(e->path, im->rel) == 0 ? NULL : (char *)e->path;
        o->deps = (uint64_t *)e->deps;
        o->dep_count = e->deps_count;
        obj->stored[i].codec = (uint32_t)e->codec;
        obj->stored[i].raw_size = e->raw_size;
        obj->stored[i].content_hash = e->content_hash;
    }
    free(entries);
    obj->outs.count = n;
    obj->outs.notes = im->outs.notes;
    obj->entry_path = im->rel;
    obj->writer_version = ZC_VERSION_NUMBER;
    zc__key(im, obj->key);
    int err = r == ZC_OK ? zc__object_write(im->desc->output, obj) : 0;
    obj->outs.notes = NULL; /* borrowed */
    obj->entry_path = NULL;
    free(obj->outs.items);
    obj->outs.items = NULL;
    obj->outs.count = 0;
    if (err) return zc__ifail(im, ZC_ERR_IO, "%s: cannot write the object: %s", im->desc->output, strerror(err));
    return r;
}

static void zc__import_free(zc__import *im) {
    zc_pack_close(im->pack);
    if (im->scratch) unlink(im->scratch);
    free(im->scratch);
    zc__object_free(&im->obj);
    zc_import_outputs_free(&im->outs);
    zc_image_budget_destroy(im->budget);
    zc_manifest_free(im->manifest);
    free(im->manifest_path);
    zc_ignore_free(im->ignore);
    free(im->group_first);
    free(im->reads);
    free(im->file_path);
    free(im->rel);
    free(im->root);
}

zc_result zc_object_import(const zc_object_import_desc *desc, zc_object_import_info *info) {
    if (info) memset(info, 0, sizeof *info);
    if (!desc || !desc->file || !desc->file[0] || !desc->root || !desc->root[0] || (desc->output && !desc->output[0]))
        return ZC_ERR_INVALID_ARGUMENT;
    zc__import im;
    memset(&im, 0, sizeof im);
    im.desc = desc;
    zc_result r = zc__locate(&im);
    if (r == ZC_OK) r = zc__settings(&im);
    if (r == ZC_OK) r = zc__run(&im);
    if (r == ZC_OK) r = zc__inputs(&im);
    if (r == ZC_OK && desc->output) r = zc__write_object(&im);
    if (r == ZC_OK && info) {
        info->entry_path = im.rel;
        info->reads = im.reads;
        info->entries = im.pack ? zc_pack_entry_count(im.pack) : (uint32_t)im.outs.count;
        if (desc->output) memcpy(info->key, im.obj.key, 16);
        im.rel = im.reads = NULL;
    }
    zc__import_free(&im);
    return r;
}

void zc_object_import_info_free(zc_object_import_info *info) {
    if (!info) return;
    free(info->entry_path);
    free(info->reads);
    memset(info, 0, sizeof *info);
}
