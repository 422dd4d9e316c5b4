/* zc_type_texture.c - the texture row of the entry type table: its view, its
 * `zcpack dump` keys; stored uncompressed by default (an engine uploads the texels as
 * they lie). */
#include "zc_entry_types.h"

#include <cjson/cJSON.h>

ZC_ENTRY_VIEW_FITS(zc_texture_view);

static zc_result zc__texture_view(const void *payload, uint64_t size, void *out) {
    return zc_texture_view_from_bytes(payload, size, (zc_texture_view *)out);
}

static cJSON *zc__texture_flags_json(uint32_t flags) {
    static const struct { uint32_t bit; const char *name; } names[] = {
        { ZC_TEXTURE_NORMAL_MAP, "NORMAL_MAP" },
        { ZC_TEXTURE_HAS_ALPHA, "HAS_ALPHA" },
        { ZC_TEXTURE_CUTOUT, "CUTOUT" },
        { ZC_TEXTURE_HDR, "HDR" },
        { ZC_TEXTURE_CUBE, "CUBE" },
    };
    cJSON *array = cJSON_CreateArray();
    for (size_t i = 0; array && i < sizeof names / sizeof names[0]; ++i)
        if (flags & names[i].bit) cJSON_AddItemToArray(array, cJSON_CreateString(names[i].name));
    return array;
}

/* Format, extent, layers, mips, flags, row pitch alignment and every level of every
 * layer with its extent, row pitch, size and offset inside the entry. */
static zc_result zc__texture_dump(const zc_pack *pack, const zc_entry *e, const void *view_, cJSON *o) {
    (void)pack;
    const zc_texture_view *view = (const zc_texture_view *)view_;
    cJSON_AddStringToObject(o, "format", zc_pixel_format_name(view->format));
    cJSON_AddNumberToObject(o, "width", view->width);
    cJSON_AddNumberToObject(o, "height", view->height);
    cJSON_AddNumberToObject(o, "depth", view->depth);
    cJSON_AddNumberToObject(o, "layers", view->layers);
    cJSON_AddNumberToObject(o, "mip_count", view->mip_count);
    cJSON_AddItemToObject(o, "flags", zc__texture_flags_json(view->flags));
    cJSON_AddNumberToObject(o, "row_pitch_align", view->row_pitch_align);
    cJSON *levels = cJSON_AddArrayToObject(o, "levels");
    for (uint32_t level = 0; levels && level < view->mip_count; ++level) {
        for (uint32_t layer = 0; layer < view->layers; ++layer) {
            zc_texture_level_view lv;
            cJSON *l = cJSON_CreateObject();
            zc_result r = l ? zc_texture_view_level(view, level, layer, &lv) : ZC_ERR_OUT_OF_MEMORY;
            if (r != ZC_OK) {
                cJSON_Delete(l);
                return r;
            }
            cJSON_AddNumberToObject(l, "level", level);
            cJSON_AddNumberToObject(l, "layer", layer);
            cJSON_AddNumberToObject(l, "width", lv.width);
            cJSON_AddNumberToObject(l, "height", lv.height);
            cJSON_AddNumberToObject(l, "depth", lv.depth);
            cJSON_AddNumberToObject(l, "row_pitch", lv.row_pitch);
            cJSON_AddNumberToObject(l, "size", (double)lv.size);
            cJSON_AddNumberToObject(l, "offset", (double)((const uint8_t *)lv.data - (const uint8_t *)e->data));
            cJSON_AddItemToArray(levels, l);
        }
    }
    return ZC_OK;
}

const zc_entry_type_ops zc__entry_type_texture = {
    zc__texture_view, sizeof(zc_texture_view), zc__texture_dump, 0,
};
