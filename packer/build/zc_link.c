/* zc_link.c - the link step (zc_link.h): objects into one pack.
 *
 * Two passes, one object in memory at a time. The first reads and checks every
 * object (structure, checksum, and its entries through a scratch pack the runtime
 * verifies) and keeps only its source's entry path, its entry paths and its checksum;
 * the objects are then sorted as a build sorts files and checked for duplicate paths.
 * The second reads each object again in that order, requires the checksum the first
 * pass saw (the file is the one checked), and copies its entries into the pack as
 * they are stored: into one pack, or through zc__link_split (zc_link_set.c) into a
 * pack set.
 */
#define _GNU_SOURCE /* O_CLOEXEC */
#include "zc_build_internal.h"
#include "zc_link_internal.h"

/* One entry path and the object it comes from, for the duplicate check. */
typedef struct zc__path_ref {
    const char *path;
    const zc__linked *from;
} zc__path_ref;

zc_result zc__lfail(const zc_link_desc *desc, zc_result r, const char *fmt, ...) {
    if (!desc->logger.func) return r;
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    desc->logger.func(ZC_LOG_ERROR, line, desc->logger.user_data);
    return r;
}

static void zc__linked_free(zc__linked *l, uint32_t n) {
    for (uint32_t i = 0; l && i < n; ++i) {
        free(l[i].entry_path);
        for (uint32_t j = 0; l[i].paths && j < l[i].count; ++j) free(l[i].paths[j]);
        free(l[i].paths);
    }
    free(l);
}

/* First pass on one object: read, check everything, keep its paths. */
static zc_result zc__check_object(const zc_link_desc *desc, const char *file, zc__linked *out) {
    zc__object obj;
    zc_diag diag;
    zc_result r = zc__object_read(file, &obj, &diag);
    if (r == ZC_OK) r = zc__object_check_entries(&obj, desc->output_path, &diag);
    if (r != ZC_OK) {
        zc__object_free(&obj);
        return zc__lfail(desc, r, "%s: %s", file, diag.message);
    }
    out->file = file;
    out->checksum = obj.checksum;
    out->entry_path = obj.entry_path;
    obj.entry_path = NULL;
    out->paths = (char **)calloc(obj.outs.count, sizeof *out->paths);
    for (size_t i = 0; out->paths && i < obj.outs.count; ++i) {
        const char *p = obj.outs.items[i].path ? obj.outs.items[i].path : out->entry_path;
        if (!(out->paths[i] = strdup(p))) r = ZC_ERR_OUT_OF_MEMORY;
        out->count = (uint32_t)i + 1;
    }
    if (!out->paths) r = ZC_ERR_OUT_OF_MEMORY;
    zc__object_free(&obj);
    return r;
}

static int zc__by_entry_path(const void *x, const void *y) {
    return strcmp(((const zc__linked *)x)->entry_path, ((const zc__linked *)y)->entry_path);
}

static int zc__by_path(const void *x, const void *y) {
    return strcmp(((const zc__path_ref *)x)->path, ((const zc__path_ref *)y)->path);
}

/* Sort the objects as a build sorts its files, then refuse two objects of one source
 * and one entry path in two objects. */
static zc_result zc__order(const zc_link_desc *desc, zc__linked *l, uint32_t n) {
    if (n > 1) qsort(l, n, sizeof *l, zc__by_entry_path);
    for (uint32_t i = 1; i < n; ++i)
        if (strcmp(l[i - 1].entry_path, l[i].entry_path) == 0)
            return zc__lfail(desc, ZC_ERR_INVALID_ARGUMENT, "%s and %s are both objects of %s: link one of them",
                             l[i - 1].file, l[i].file, l[i].entry_path);
    size_t total = 0;
    for (uint32_t i = 0; i < n; ++i) total += l[i].count;
    zc__path_ref *refs = (zc__path_ref *)malloc((total ? total : 1) * sizeof *refs);
    if (!refs) return ZC_ERR_OUT_OF_MEMORY;
    size_t k = 0;
    for (uint32_t i = 0; i < n; ++i)
        for (uint32_t j = 0; j < l[i].count; ++j) refs[k++] = (zc__path_ref){ l[i].paths[j], &l[i] };
    qsort(refs, total, sizeof *refs, zc__by_path);
    zc_result r = ZC_OK;
    for (size_t i = 1; i < total && r == ZC_OK; ++i)
        if (strcmp(refs[i - 1].path, refs[i].path) == 0)
            r = zc__lfail(desc, ZC_ERR_INVALID_ARGUMENT, "duplicate entry path %s: in %s and in %s", refs[i].path,
                          refs[i - 1].from->file, refs[i].from->file);
    free(refs);
    return r;
}

/* The sink of a single-pack link: the entry into the one writer. */
static zc_result zc__copy_to_writer(void *writer, const zc_entry *e) {
    return zc_writer_copy_entry((zc_writer *)writer, e);
}

/* Second pass on one object: its entries to the sink, as they are stored. */
zc_result zc__copy_object(const zc_link_desc *desc, const zc__linked *l, zc__link_sink sink, void *ctx,
                          uint32_t *entries) {
    zc__object obj;
    zc_diag diag;
    zc_result r = zc__object_read(l->file, &obj, &diag);
    if (r != ZC_OK)
        zc__lfail(desc, r, "%s: %s", l->file, diag.message);
    else if (obj.checksum != l->checksum)
        r = zc__lfail(desc, ZC_ERR_IO, "%s: changed while it was being linked", l->file);
    if (r == ZC_OK) zc_import_notes_log(obj.outs.notes, obj.entry_path, desc->logger);
    for (size_t i = 0; r == ZC_OK && i < obj.outs.count; ++i) {
        zc_entry e;
        zc__object_entry(&obj, i, &e);
        if ((r = sink(ctx, &e)) != ZC_OK)
            zc__lfail(desc, r, "%s: cannot write its entry %s: %s", l->file, e.path, zc_result_str(r));
        else
            (*entries)++;
    }
    zc__object_free(&obj);
    return r;
}

zc_result zc_link(const zc_link_desc *desc, zc_link_stats *out) {
    if (out) memset(out, 0, sizeof *out);
    if (!desc || !desc->output_path || !desc->output_path[0] || (desc->object_count && !desc->objects))
        return ZC_ERR_INVALID_ARGUMENT;
    zc_result r = zc_writer_check_output(desc->output_path, desc->logger);
    if (r == ZC_OK && zc__link_splits(desc)) r = zc__link_check_split(desc);
    if (r != ZC_OK) return r;
    uint32_t n = desc->object_count;
    zc__linked *l = (zc__linked *)calloc(n ? n : 1, sizeof *l);
    if (!l) return zc__lfail(desc, ZC_ERR_OUT_OF_MEMORY, "%s: out of memory", desc->output_path);
    for (uint32_t i = 0; i < n && r == ZC_OK; ++i) r = zc__check_object(desc, desc->objects[i], &l[i]);
    if (r == ZC_OK) r = zc__order(desc, l, n);
    if (r == ZC_OK && zc__link_splits(desc)) {
        r = zc__link_split(desc, l, n, out);
        zc__linked_free(l, n);
        return r;
    }

    zc_writer *w = NULL;
    if (r == ZC_OK) {
        zc_build_desc bd; /* the build's writer; copied entries are never compressed again */
        memset(&bd, 0, sizeof bd);
        bd.output_path = desc->output_path;
        bd.logger = desc->logger;
        bd.no_verify = desc->no_verify;
        bd.no_sync = desc->no_sync;
        bd.sign_key = desc->sign_key;
        bd.no_entry_compression = 1;
        r = zc__build_open_writer(&bd, NULL, &w);
    }
    uint32_t entries = 0;
    for (uint32_t i = 0; i < n && r == ZC_OK; ++i) r = zc__copy_object(desc, &l[i], zc__copy_to_writer, w, &entries);
    if (w) r = r == ZC_OK ? zc_writer_finish(w) : (zc_writer_abort(w), r);
    zc__linked_free(l, n);
    if (r == ZC_OK && out) {
        struct stat st;
        out->objects = n;
        out->entries = entries;
        out->packs = 1;
        out->pack_bytes = stat(desc->output_path, &st) == 0 ? (uint64_t)st.st_size : 0;
    }
    return r;
}
