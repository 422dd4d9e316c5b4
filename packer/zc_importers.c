/* zc_importers.c - the one table of importers (see zc_importer.h). */
#include <stdlib.h>
#include <string.h>

#include "zc_importer.h"

static const char *const zc__texture_extensions[] = {
    "png", "jpg", "jpeg", "tga", "bmp", "psd", "gif", "hdr", NULL,
};

/* Rows are tried in order; the fallback (extensions NULL) comes last. */
static const zc_importer zc__importers[] = {
    { "texture", 1, zc__texture_extensions, zc__import_texture, zc__prepare_texture },
    { "blob", 1, NULL, zc__import_blob, NULL },
};

#define ZC__IMPORTER_COUNT (sizeof zc__importers / sizeof zc__importers[0])

size_t zc_importer_count(void) {
    return ZC__IMPORTER_COUNT;
}

const zc_importer *zc_importer_at(size_t index) {
    return index < ZC__IMPORTER_COUNT ? &zc__importers[index] : NULL;
}

const zc_importer *zc_importer_find(const char *name) {
    for (size_t i = 0; name && i < ZC__IMPORTER_COUNT; ++i)
        if (strcmp(zc__importers[i].name, name) == 0) return &zc__importers[i];
    return NULL;
}

static int zc__ascii_lower(int c) {
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int zc__ext_equal(const char *ext, const char *lower) {
    while (*ext && *lower && zc__ascii_lower((unsigned char)*ext) == *lower) ext++, lower++;
    return *ext == 0 && *lower == 0;
}

const zc_importer *zc_importer_for_path(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    const char *ext = dot && dot != base ? dot + 1 : NULL; /* ".profile" has no extension */
    const zc_importer *fallback = NULL;
    for (size_t i = 0; i < ZC__IMPORTER_COUNT; ++i) {
        const zc_importer *imp = &zc__importers[i];
        if (!imp->extensions) {
            if (!fallback) fallback = imp;
            continue;
        }
        for (const char *const *e = imp->extensions; ext && *e; ++e)
            if (zc__ext_equal(ext, *e)) return imp;
    }
    return fallback;
}

const char *zc_import_option_get(const zc_import_source *src, const char *key) {
    const char *value = NULL;
    for (size_t i = 0; src && key && i < src->option_count; ++i)
        if (src->options[i].key && strcmp(src->options[i].key, key) == 0) value = src->options[i].value;
    return value;
}

zc_result zc_import_output_write(const zc_import_output *out, const char *entry_path, zc_writer *w, zc_diag *diag) {
    if (!out || !entry_path || !w || (!out->payload && out->size))
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "nothing to write");
    zc_result r = zc_writer_begin_entry(w, entry_path, out->type, out->layout_hash, out->align_log2);
    if (r != ZC_OK) return zc_fail(diag, r, "cannot begin the entry: %s", zc_result_str(r));
    if ((r = zc_writer_write(w, out->payload, out->size)) != ZC_OK)
        return zc_fail(diag, r, "cannot write the entry: %s", zc_result_str(r));
    if ((r = zc_writer_end_entry(w)) != ZC_OK) return zc_fail(diag, r, "cannot finish the entry: %s", zc_result_str(r));
    return ZC_OK;
}

void zc_import_output_free(zc_import_output *out) {
    if (!out) return;
    free(out->payload);
    memset(out, 0, sizeof *out);
}
