/* zc_type_animation.c - the animation row of the entry type table: its view and its
 * `zcpack dump` keys (name, skeleton, duration and each channel's joint, property,
 * interpolation and keys); compressed by default when that pays, since a clip is
 * sampled from its key arrays and readers hold the decoded bytes (zc_pack_acquire). */
#include "zc_entry_types.h"

#include <cjson/cJSON.h>

ZC_ENTRY_VIEW_FITS(zc_animation_view);

static zc_result zc__animation_view(const void *payload, uint64_t size, void *out) {
    return zc_animation_view_from_bytes(payload, size, (zc_animation_view *)out);
}

static const char *const zc__paths[] = { "translation", "rotation", "scale", "weights" };
static const char *const zc__interpolations[] = { "step", "linear", "cubic" };

static cJSON *zc__channel_json(const zc_animation_view *view, const zc_animation_channel *c) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddNumberToObject(o, "joint", c->joint);
    cJSON_AddStringToObject(o, "path", zc__paths[c->path]);
    cJSON_AddStringToObject(o, "interpolation", zc__interpolations[c->interpolation]);
    cJSON_AddItemToObject(o, "times", zc__json_floats(view->times + c->first_time, (int)c->key_count));
    uint64_t floats = (uint64_t)c->key_count * zc_animation_key_floats(c);
    cJSON_AddItemToObject(o, "values", zc__json_floats(view->values + c->first_value, (int)floats));
    return o;
}

static zc_result zc__animation_dump(const zc_pack *pack, const zc_entry *e, const void *view_, cJSON *o) {
    (void)e;
    const zc_animation_view *view = (const zc_animation_view *)view_;
    cJSON_AddStringToObject(o, "name", view->name);
    cJSON_AddItemToObject(o, "skeleton", zc__json_reference(pack, view->skeleton, ZC_TYPE_SKELETON));
    zc__json_add_float(o, "duration", view->duration);
    cJSON *channels = cJSON_AddArrayToObject(o, "channels");
    for (uint32_t i = 0; channels && i < view->channel_count; ++i)
        cJSON_AddItemToArray(channels, zc__channel_json(view, &view->channels[i]));
    return ZC_OK;
}

const zc_entry_type_ops zc__entry_type_animation = {
    zc__animation_view, sizeof(zc_animation_view), zc__animation_dump, 1,
};
