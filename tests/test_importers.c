/* test_importers.c - the contract of the importer table (packer/import/zc_importer.h):
 * what every row must hold for the build, the cache, progress and the manifest to
 * reach importers through rows alone, and the codec each row gives its entry types.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "zc_entry_types.h"
#include "zc_importer.h"

TestSuite(importers);

Test(importers, every_row_is_complete) {
    size_t count = zc_importer_count();
    cr_assert_gt(count, 0);
    cr_assert_leq(count, ZC_IMPORTER_MAX);
    cr_assert_null(zc_importer_at(count));
    size_t fallbacks = 0;
    for (size_t i = 0; i < count; ++i) {
        const zc_importer *imp = zc_importer_at(i);
        cr_assert_not_null(imp->name, "row %zu has no name", i);
        cr_assert_not_null(imp->import, "%s has no import function", imp->name);
        cr_assert_gt(imp->version, 0, "%s has no version", imp->name);
        cr_assert_eq(zc_importer_index(imp), i);
        cr_assert_eq(zc_importer_find(imp->name), imp, "two rows are named %s", imp->name);
        if (imp->flags & ZC_IMPORTER_CACHED)
            cr_assert_not_null(imp->prepare, "%s is cached but has no prepare step", imp->name);
        if (!imp->extensions) fallbacks++;
        for (size_t k = 0; k < imp->key_count; ++k)
            cr_assert_lt(imp->keys[k].offset, imp->settings_size, "%s: key %s lies outside its settings", imp->name,
                         imp->keys[k].key);
        if (imp->settings_size)
            cr_assert_leq(imp->settings_offset + imp->settings_size, sizeof(zc_import_settings),
                          "%s: settings outside zc_import_settings", imp->name);
    }
    cr_assert_eq(fallbacks, 1, "exactly one row takes the files no other row claims");
    cr_assert_null(zc_importer_at(count - 1)->extensions, "the fallback row comes last");
}

Test(importers, codecs_name_registered_types) {
    for (size_t i = 0; i < zc_importer_count(); ++i) {
        const zc_importer *imp = zc_importer_at(i);
        cr_assert_not_null(imp->codecs, "%s says nothing of the entries it produces", imp->name);
        for (const zc_import_codec *c = imp->codecs; c->type; ++c) {
            cr_assert_not_null(zc_entry_type_find(c->type), "%s lists type 0x%08x, which the registry lacks",
                               imp->name, c->type);
            cr_assert_eq(zc_importer_compresses(imp, c->type), c->compress);
        }
    }
}

/* The defaults the packs of today are built with (tests/identity.golden holds them
 * byte for byte): what an engine views in place stays raw, raw data is compressed. */
Test(importers, default_codecs) {
    const zc_importer *texture = zc_importer_for_path("ui/logo.png");
    const zc_importer *model = zc_importer_for_path("props/duck.gltf");
    const zc_importer *blob = zc_importer_for_path("shaders/sky.glsl");
    cr_assert_str_eq(texture->name, "texture");
    cr_assert_str_eq(model->name, "model");
    cr_assert_str_eq(blob->name, "blob");
    cr_assert_eq(zc_importer_for_path("UI/LOGO.PNG"), texture, "extensions match without regard to case");
    cr_assert_eq(zc_importer_for_path(".png"), blob, "a dot file has no extension");

    cr_assert_not(zc_importer_compresses(texture, ZC_TYPE_TEXTURE));
    cr_assert_not(zc_importer_compresses(model, ZC_TYPE_SCENE));
    cr_assert_not(zc_importer_compresses(model, ZC_TYPE_MESH));
    cr_assert_not(zc_importer_compresses(model, ZC_TYPE_MATERIAL));
    cr_assert_not(zc_importer_compresses(model, ZC_TYPE_TEXTURE));
    cr_assert(zc_importer_compresses(blob, ZC_TYPE_BLOB));
    /* a type the row does not list: the entry type's own default */
    cr_assert(zc_importer_compresses(texture, ZC_TYPE_BLOB));
    cr_assert_not(zc_importer_compresses(NULL, ZC_TYPE_MESH));
    cr_assert(zc_importer_compresses(NULL, ZC_FOURCC('u', 'n', 'k', '?')), "unknown types compress like blobs");
}
