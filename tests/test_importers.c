/* test_importers.c - the contract of the importer table (packer/import/zc_importer.h):
 * what every row must hold for the build, the cache, progress and the manifest to
 * reach importers through rows alone, and the codec each row gives its entry types;
 * then the pixel-format table (zc_pixel_formats.h): complete rows, manifest choices
 * made of them, and every row's encoder and decoder agreeing.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_entry_types.h"
#include "zc_importer.h"
#include "zc_pixel_formats.h"

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
        for (const zc_import_shared_name *n = imp->shared; n && n->extension; ++n) {
            cr_assert(n->is_format && n->format, "%s: shared name .%s says nothing of its format", imp->name,
                      n->extension);
            char path[64];
            snprintf(path, sizeof path, "a/b.%s", n->extension);
            cr_assert_eq(zc_importer_for_path(path), imp, "%s: shared name .%s is not among its extensions",
                         imp->name, n->extension);
            uint8_t nothing[ZC_IMPORT_HEAD] = { 0 };
            cr_assert(!n->is_format(nothing, sizeof nothing, 1000), "%s: zero bytes pass as %s", imp->name, n->format);
        }
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

/* ---------------------------------------------------------------------------------
 * The pixel-format table (packer/import/texture/zc_pixel_formats.h)
 * ------------------------------------------------------------------------------- */

Test(importers, pixel_rows_are_complete) {
    size_t count = zc_pixel_format_row_count();
    cr_assert_gt(count, 0);
    cr_assert_null(zc_pixel_format_row_at(count));
    for (size_t i = 0; i < count; ++i) {
        const zc_pixel_format_row *row = zc_pixel_format_row_at(i);
        uint32_t block, bytes;
        cr_assert(zc_pixel_format_block(row->format, &block, &bytes), "row %zu: format %u is not in the list", i,
                  row->format);
        cr_assert_eq(zc_pixel_format_row_of(row->format), row, "%s has two rows", zc_pixel_format_name(row->format));
        cr_assert(row->name && row->name[0] && row->encode && row->decode, "%s: incomplete row",
                  zc_pixel_format_name(row->format));
        cr_assert_eq(!(row->flags & ZC_PIXEL_ROW_SRGB), !zc_pixel_format_is_srgb(row->format),
                     "%s: the row's sRGB flag disagrees with the format", zc_pixel_format_name(row->format));
    }
}

/* A manifest name stands for the first row that has it; its other row is the sRGB or
 * UNORM variant the srgb setting picks. */
Test(importers, choices_come_from_the_rows) {
    char list[256];
    zc_pixel_format_choice_list(list, sizeof list);
    cr_assert_str_eq(list, "one of auto, rgba8, r8, rg8, rgba16f, rgba32f, bc1, bc3, bc4, bc5, astc4x4, astc6x6, astc8x8, bc7, astc4x4hdr, astc6x6hdr, astc8x8hdr, bc6h");
    cr_assert_eq(zc_texture_choice_from_name("auto"), ZC_TEXTURE_CHOICE_AUTO);
    cr_assert_eq(zc_texture_choice_from_name("etc2"), ZC_TEXTURE_CHOICE_AUTO, "not a name of this table");
    cr_assert_eq(zc_texture_choice_from_name("bc6h"), ZC_TEXTURE_CHOICE_BC6H);
    cr_assert_eq(zc_texture_choice_from_name("bc7"), ZC_TEXTURE_CHOICE_BC7);
    cr_assert_null(zc_pixel_format_row_for_choice(ZC_TEXTURE_CHOICE_AUTO, 0));
    cr_assert_null(zc_pixel_format_row_for_choice((zc_texture_choice)ZC_PIXEL_BC1_SRGB, 1),
                   "a variant row is not a choice of its own");
    for (size_t i = 0; i < zc_pixel_format_row_count(); ++i) {
        const zc_pixel_format_row *row = zc_pixel_format_row_at(i);
        zc_texture_choice choice = zc_texture_choice_from_name(row->name);
        cr_assert_neq(choice, ZC_TEXTURE_CHOICE_AUTO);
        cr_assert_str_eq(zc_texture_choice_name(choice), row->name);
        const zc_pixel_format_row *picked = zc_pixel_format_row_for_choice(choice, (row->flags & ZC_PIXEL_ROW_SRGB) != 0);
        cr_assert_eq(picked, row, "%s: srgb %d picks %s", row->name, (row->flags & ZC_PIXEL_ROW_SRGB) != 0,
                     zc_pixel_format_name(picked->format));
    }
    cr_assert_eq(zc_pixel_format_row_for_choice(ZC_TEXTURE_CHOICE_BC4, 1)->format, ZC_PIXEL_BC4_UNORM,
                 "a choice without an sRGB variant answers both settings");
}

/* Every row's encoder and decoder agree on a 4x4 checkerboard of two colours (which
 * every block format can hold in one block), within what the format keeps: 5:6:5
 * endpoints for BC colour; one or two channels for R8, RG8, BC4, BC5. */
Test(importers, every_row_round_trips) {
    static const uint8_t colours[2][4] = { { 200, 40, 120, 180 }, { 30, 220, 60, 90 } };
    static const float hdr[2][4] = { { 1.0f, 0.0f, 1.0f, 1.0f }, { 0.0f, 1.0f, 0.0f, 1.0f } };
    static const uint8_t hdr_seen[2][4] = { { 255, 0, 255, 255 }, { 0, 255, 0, 255 } };
    for (size_t i = 0; i < zc_pixel_format_row_count(); ++i) {
        const zc_pixel_format_row *row = zc_pixel_format_row_at(i);
        const char *name = zc_pixel_format_name(row->format);
        int is_float = (row->flags & ZC_PIXEL_ROW_FLOAT) != 0;
        uint8_t rgba8[16 * 4];
        float rgbaf[16 * 4];
        for (int t = 0; t < 16; ++t)
            for (int c = 0; c < 4; ++c) {
                rgba8[t * 4 + c] = colours[(t + t / 4) % 2][c];
                rgbaf[t * 4 + c] = hdr[(t + t / 4) % 2][c];
            }
        zc_texels img = { 4, 4, is_float, is_float ? (void *)rgbaf : (void *)rgba8 };
        uint32_t block, bytes;
        cr_assert(zc_pixel_format_block(row->format, &block, &bytes));
        uint32_t row_pitch = (uint32_t)zc_texture_row_bytes(row->format, 4);
        uint8_t level[4 * 4 * 16];
        cr_assert_leq((size_t)row_pitch * zc_texture_block_rows(row->format, 4), sizeof level);
        memset(level, 0xA5, sizeof level);
        row->encode(&img, level, row_pitch);
        int channels = strcmp(row->name, "r8") == 0 || strcmp(row->name, "bc4") == 0   ? 1
                       : strcmp(row->name, "rg8") == 0 || strcmp(row->name, "bc5") == 0 ? 2
                                                                                          : 3;
        int tolerance = block > 1 ? 8 : 1;
        uint8_t out[64 * 4]; /* the largest block: 8 x 8 (ASTC) */
        if (block > 1) row->decode(level, out);
        for (int t = 0; t < 16; ++t) {
            const uint8_t *seen = &out[((t / 4) * (int)block + t % 4) * 4]; /* the image's 4 x 4 corner of the block */
            if (block == 1) {
                row->decode(level + (size_t)(t / 4) * row_pitch + (size_t)(t % 4) * bytes, out);
                seen = out;
            }
            const uint8_t *want = is_float ? hdr_seen[(t + t / 4) % 2] : colours[(t + t / 4) % 2];
            for (int c = 0; c < 4; ++c) {
                if (c >= channels && !(c == 3 && (row->flags & ZC_PIXEL_ROW_ALPHA))) continue;
                cr_assert_leq(abs((int)seen[c] - (int)want[c]), tolerance, "%s: texel %d channel %d decodes to %u, was %u",
                              name, t, c, seen[c], want[c]);
            }
        }
    }
}
