/* zc_dds_keep.c - a DDS file stored as it is (zc_import_texture_internal.h,
 * zc__dds_import_kept): its blocks or texels copied unchanged into the entry, with
 * its own mip levels and its layers or cube faces, instead of decoded and encoded
 * again. An artist's hand-made mips survive, and block-compressed data loses nothing
 * more.
 *
 * The file is kept when its bytes are already one of the pack's pixel formats
 * (zc_dds_layout.pixel) and the rules would store that format:
 *  - the rule's "format" names it (any of them, "rgba8" and "rgba32f" included), or
 *  - the rule leaves the format to the policy, and the file is block-compressed (BC1,
 *    BC3, BC4, BC5, BC6H, BC7) for the desktop profile without --no-compress, or it
 *    is RGBA16F (what the policy stores HDR sources in).
 * and no rule reshapes it (a panorama cube map or a strip of layers). "max_size" drops
 * the file's largest levels (the file must hold the level that fits), "mips": false
 * keeps level 0 alone; otherwise every level the file holds is stored: a file without
 * mips gives a texture without mips. sRGB: the DX10 format's own UNORM or sRGB,
 * unless the rule's "srgb" says; files that do not say (the legacy header, typeless
 * formats) follow the rule, and without one are sRGB unless a normal map. The
 * alpha and cutout flags come from the policy on the decoded level 0 of the first
 * layer. Anything else is decoded (zc_dds_read.c), which a cube map or an array
 * cannot be.
 *
 * Untrusted input: zc_dds_read_layout checked that every level of every layer lies
 * inside the file before anything here reads it.
 */
#include <stdlib.h>
#include <string.h>

#include "zc_image_budget.h"
#include "zc_import_texture_internal.h"
#include "zc_pixel_formats.h"

/* The row the file's bytes are stored as under `s`, or NULL when the file is to be
 * decoded instead. */
static const zc_pixel_format_row *zc__kept_row(const zc_dds_layout *l, const char *name, const zc_texture_settings *s,
                                               int *normal) {
    *normal = s->normal_map == ZC_SWITCH_ON || (s->normal_map == ZC_SWITCH_AUTO && zc_texture_name_is_normal_map(name));
    if (!l->pixel || s->cubemap == ZC_SWITCH_ON || s->layers > 1) return NULL;
    const zc_pixel_format_row *unorm = zc_pixel_format_row_of(l->pixel);
    if (!unorm) return NULL;
    int srgb = s->srgb == ZC_SWITCH_ON    ? 1
               : s->srgb == ZC_SWITCH_OFF ? 0
               : l->srgb >= 0             ? l->srgb
                                          : !*normal;
    /* the file's format is the choice whose UNORM row it is; its sRGB twin when asked */
    const zc_pixel_format_row *row = zc_pixel_format_row_for_choice((zc_texture_choice)unorm->format, srgb);
    if (!row) return NULL;
    if (s->format != ZC_TEXTURE_CHOICE_AUTO) return (uint32_t)s->format == unorm->format ? row : NULL;
    uint32_t block = 1, block_bytes = 1;
    zc_pixel_format_block(row->format, &block, &block_bytes);
    if (block > 1) /* BC: the pack's ASTC rows are never a DDS file's */
        return s->profile == ZC_TEXTURE_PROFILE_DESKTOP && !s->no_compress ? row : NULL;
    return row->format == ZC_PIXEL_RGBA16_FLOAT ? row : NULL;
}

/* Levels of the file dropped for max_size; UINT32_MAX when the file holds no level
 * small enough. */
static uint32_t zc__kept_skip(const zc_dds_layout *l, uint32_t max_size) {
    uint32_t skip = 0;
    while (max_size && ((l->width >> skip) > max_size || (l->height >> skip) > max_size)) ++skip;
    return skip < l->mips ? skip : UINT32_MAX;
}

/* At least the bytes of the entry: the file's levels, and for each stored level and
 * layer its record, its alignment and its rows' padding (the block rows of all levels
 * together are fewer than twice level 0's). */
static uint64_t zc__entry_bound(const zc__texture_plan *plan, size_t file_size, uint32_t height, uint32_t align) {
    uint64_t rows = 2 * (uint64_t)zc_texture_block_rows(plan->format, height);
    return file_size + (uint64_t)plan->layers * (plan->mip_count * (ZC_TEXTURE_WRITER_DATA_ALIGN + 64u) + rows * align);
}

/* Copy every stored level of every layer from the file into the entry. */
static void zc__copy_levels(const uint8_t *bytes, const zc_dds_layout *l, const zc__texture_plan *plan,
                            uint8_t *payload, const uint64_t *offsets, const uint32_t *pitches) {
    const uint8_t *src = bytes + l->offset;
    for (uint32_t a = 0; a < l->layers; ++a)
        for (uint32_t i = 0; i < l->mips; ++i) {
            uint32_t w = l->width >> i ? l->width >> i : 1, h = l->height >> i ? l->height >> i : 1;
            uint64_t row = zc_texture_row_bytes(plan->format, w), rows = zc_texture_block_rows(plan->format, h);
            if (i >= plan->skip && i - plan->skip < plan->mip_count) {
                uint8_t *dst = payload + offsets[(size_t)(i - plan->skip) * plan->layers + a];
                for (uint64_t y = 0; y < rows; ++y)
                    memcpy(dst + y * pitches[i - plan->skip], src + y * row, (size_t)row);
            }
            src += row * rows;
        }
}

zc_result zc__dds_import_kept(const uint8_t *bytes, size_t size, const char *name, const zc_texture_settings *s,
                              zc_texture_image *out, int *kept, zc_diag *diag) {
    *kept = 0;
    zc_dds_layout l;
    if (zc_dds_read_layout(bytes, size, s->max_dimension, &l, NULL) != ZC_OK) return ZC_OK; /* the decoder says why */
    int normal;
    const zc_pixel_format_row *row = zc__kept_row(&l, name, s, &normal);
    uint32_t skip = row ? zc__kept_skip(&l, s->max_size) : UINT32_MAX;
    if (skip == UINT32_MAX) return ZC_OK;
    *kept = 1;

    zc__texture_plan plan;
    memset(&plan, 0, sizeof plan);
    plan.format = row->format;
    plan.skip = skip;
    plan.mip_count = s->mips == ZC_SWITCH_OFF ? 1 : l.mips - skip;
    plan.layers = l.layers;
    uint32_t width = l.width >> skip ? l.width >> skip : 1, height = l.height >> skip ? l.height >> skip : 1;
    int is_float = (row->flags & ZC_PIXEL_ROW_FLOAT) != 0;
    zc_result r = zc__texture_check_texels(s, (int)l.width, (int)l.height, size, is_float, diag);
    if (r != ZC_OK) return r;
    /* held at once: the source, level 0 decoded for the alpha policy, the entry */
    uint64_t need = size + (uint64_t)l.width * l.height * (is_float ? 16u : 4u) +
                    zc__entry_bound(&plan, size, height, s->row_pitch_align);
    r = zc_image_budget_acquire(s->budget, need);
    if (r == ZC_ERR_LIMIT)
        return zc_fail(diag, r, "DDS texture of %ux%u in %u layer%s: storing it needs about %llu MiB, more than the "
                       "whole image memory budget of %llu MiB (--max-memory)", l.width, l.height, l.layers,
                       l.layers == 1 ? "" : "s", (unsigned long long)((need + (1u << 20) - 1) >> 20),
                       (unsigned long long)(zc_image_budget_limit(s->budget) >> 20));
    if (r != ZC_OK) return zc_fail(diag, r, "cannot reach the image memory budget");

    zc_texels level0;
    memset(&level0, 0, sizeof level0);
    r = zc_dds_decode_level0(bytes, size, &l, &level0, diag);
    if (r == ZC_OK) {
        zc__texture_alpha_policy(s, normal, &level0, row, &plan);
        plan.flags |= (normal ? ZC_TEXTURE_NORMAL_MAP : 0u) | (is_float ? ZC_TEXTURE_HDR : 0u) |
                      (l.cube ? ZC_TEXTURE_CUBE : 0u);
        free(level0.data);
        uint64_t *offsets = NULL;
        uint32_t pitches[ZC_TEXTURE_MAX_MIPS];
        r = zc__texture_alloc_entry(&plan, width, height, s->row_pitch_align, out, &offsets, pitches, diag);
        if (r == ZC_OK) {
            zc__copy_levels(bytes, &l, &plan, (uint8_t *)out->payload, offsets, pitches);
            free(offsets);
            r = zc__texture_finish_entry(&plan, out, diag);
        }
    }
    zc_image_budget_release(s->budget, need);
    if (r != ZC_OK) {
        zc_texture_image_free(out);
        return r;
    }
    out->source_width = l.width;
    out->source_height = l.height;
    out->source_channels = (row->flags & ZC_PIXEL_ROW_ALPHA) ? 4 : 3;
    return ZC_OK;
}
