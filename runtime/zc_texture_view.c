/* zc_texture_view.c - texture entries seen through zc_texture_view. */
#include "zc_pack.h"
#include "zc_pack_internal.h"
#include "zc_texture.h"

#include <string.h>

/* Fill a view from a payload that zc_texture_check accepted. */
static void zc__texture_fill(const zc_texture *t, zc_texture_view *out) {
    out->format = (zc_pixel_format)t->format;
    out->width = t->width;
    out->height = t->height;
    out->depth = t->depth;
    out->layers = t->layers;
    out->mip_count = t->mip_count;
    out->flags = t->flags;
    out->row_pitch_align = t->row_pitch_align;
    out->levels = (const zc_texture_level *)zc_array_data(&t->levels);
}

zc_result zc_texture_view_from_entry(const zc_entry *entry, zc_texture_view *out) {
    if (!entry || !out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    const void *data;
    uint64_t size;
    zc_result r = zc__entry_structure(entry, ZC_TYPE_TEXTURE, &data, &size);
    if (r != ZC_OK) return r;
    zc__texture_fill((const zc_texture *)data, out);
    return ZC_OK;
}

zc_result zc_texture_view_from_bytes(const void *data, uint64_t size, zc_texture_view *out) {
    if (!out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (!data || ((uintptr_t)data & 15u) != 0) return ZC_ERR_INVALID_ARGUMENT;
    zc_result r = zc_texture_check(data, size, NULL);
    if (r != ZC_OK) return r;
    zc__texture_fill((const zc_texture *)data, out);
    return ZC_OK;
}

zc_result zc_texture_view_level(const zc_texture_view *view, uint32_t level, uint32_t layer,
                                zc_texture_level_view *out) {
    if (!view || !out) return ZC_ERR_INVALID_ARGUMENT;
    if (level >= view->mip_count || layer >= view->layers) return ZC_ERR_NO_ENTRY;
    size_t index = (size_t)level * view->layers + layer;
    if (!view->levels) return ZC_ERR_INVALID_ARGUMENT;
    const zc_texture_level *l = &view->levels[index];
    out->data = zc_array_data(&l->texels);
    out->size = l->texels.count;
    out->width = l->width;
    out->height = l->height;
    out->depth = l->depth;
    out->row_pitch = l->row_pitch;
    return ZC_OK;
}
