/* zc_importers.c - the one table of importers (see zc_importer.h). */
#include <string.h>

#include "zc_importer.h"

/* Rows are tried in order; the fallback (extensions NULL) comes last. */
static const zc_importer zc__importers[] = {
    { "blob", 1, NULL, zc__import_blob },
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
