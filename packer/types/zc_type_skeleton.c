/* zc_type_skeleton.c - the skeleton row of the entry type table: its view and its
 * `zcpack dump` keys (every joint: name, parent, rest pose, inverse bind matrix);
 * stored uncompressed by default (an engine views it in place). */
#include "zc_entry_types.h"

#include <cjson/cJSON.h>

ZC_ENTRY_VIEW_FITS(zc_skeleton_view);

static zc_result zc__skeleton_view(const void *payload, uint64_t size, void *out) {
    return zc_skeleton_view_from_bytes(payload, size, (zc_skeleton_view *)out);
}

static zc_result zc__skeleton_dump(const zc_pack *pack, const zc_entry *e, const void *view_, cJSON *o) {
    (void)pack;
    (void)e;
    const zc_skeleton_view *view = (const zc_skeleton_view *)view_;
    cJSON *joints = cJSON_AddArrayToObject(o, "joints");
    for (uint32_t i = 0; joints && i < view->joint_count; ++i) {
        const zc_joint *j = &view->joints[i];
        cJSON *jo = cJSON_CreateObject();
        if (!jo) break;
        cJSON_AddStringToObject(jo, "name", zc_skeleton_view_joint_name(view, i, NULL));
        cJSON_AddNumberToObject(jo, "parent", j->parent == ZC_JOINT_NONE ? -1.0 : (double)j->parent);
        cJSON_AddItemToObject(jo, "translation", zc__json_floats(j->translation, 3));
        cJSON_AddItemToObject(jo, "rotation", zc__json_floats(j->rotation, 4));
        cJSON_AddItemToObject(jo, "scale", zc__json_floats(j->scale, 3));
        cJSON_AddItemToObject(jo, "inverse_bind", zc__json_floats(j->inverse_bind, 16));
        cJSON_AddItemToArray(joints, jo);
    }
    return ZC_OK;
}

const zc_entry_type_ops zc__entry_type_skeleton = {
    zc__skeleton_view, sizeof(zc_skeleton_view), zc__skeleton_dump, 0,
};
