/* zc_import_model.c - the model importer's rows (zc_importer.h): a model file becomes
 * its scene, meshes, materials and textures (zc_model.h), imported in a worker process
 * (the build's pool, settings->model.pool) with a time limit unless the settings ask
 * for the calling process. The outputs' reads name every other file the import opened.
 *
 * Settings: src->settings->model (zero: defaults). The build fills model.texture and
 * model.timeout_ms from its own options and the manifest.
 *
 * Threads: both functions run on any thread, several at once (zc_model_import_file
 * keeps all its state per call). Untrusted input: safe while the import is isolated.
 */
#include <stdlib.h>
#include <string.h>

#include "zc_importer.h"
#include "zc_packer_sys.h"

/* Move a model's entries and notes into an output list (the model is left empty). */
static zc_result zc__model_outputs(zc_model *model, zc_import_outputs *out, zc_diag *diag) {
    out->items = (zc_import_output *)calloc(model->entry_count ? model->entry_count : 1, sizeof *out->items);
    if (!out->items) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    for (size_t i = 0; i < model->entry_count; ++i) {
        zc_model_entry *e = &model->entries[i];
        zc_import_output *o = &out->items[i];
        o->type = e->type;
        o->layout_hash = e->layout_hash;
        o->align_log2 = e->align_log2;
        o->payload = e->payload;
        o->size = e->size;
        o->path = e->path;
        o->deps = e->deps;
        o->dep_count = e->dep_count;
        memset(e, 0, sizeof *e);
    }
    out->count = model->entry_count;
    out->notes = model->notes;
    out->reads = model->reads;
    model->notes = NULL;
    model->reads = NULL;
    return ZC_OK;
}

zc_result zc__prepare_model(const zc_import_source *src, zc_import_outputs *out, zc_diag *diag) {
    memset(out, 0, sizeof *out);
    zc_model model;
    int fd;
    zc_result r = zc_import_open(src, &fd, diag); /* the scanned regular file, no link, no FIFO */
    if (r != ZC_OK) return r;
    zc__packer_sys.close(fd);
    /* the worker reopens the file by name: it must find the file the scan saw */
    zc_model_settings settings;
    if (src->settings) settings = src->settings->model;
    else memset(&settings, 0, sizeof settings);
    if (src->has_identity) {
        settings.source_dev = src->dev;
        settings.source_ino = src->ino;
    }
    r = src->root ? zc_model_import_file_under(src->root, src->file_path, src->entry_path, &settings, &model, diag)
                  : zc_model_import_file(src->file_path, src->entry_path, &settings, &model, diag);
    if (r != ZC_OK) return r;
    r = zc__model_outputs(&model, out, diag);
    zc_model_free(&model);
    if (r != ZC_OK) zc_import_outputs_free(out);
    return r;
}

zc_result zc__import_model(const zc_import_source *src, zc_writer *w, zc_diag *diag) {
    return zc_import_prepared(zc__prepare_model, src, w, diag);
}
