/* zc_entry_types.c - the table of entry types, expanded from ZC_TYPE_LIST, and the
 * JSON helpers shared by the describers of the row files (zc_type_<name>.c). */
#include "zc_entry_types.h"

#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

/* Each registry type's ops row, defined in packer/types/zc_type_<name>.c. */
#define ZC__OPS_DECLARE(name, tag, hash, check) extern const zc_entry_type_ops zc__entry_type_##name;
ZC_TYPE_LIST(ZC__OPS_DECLARE)
#undef ZC__OPS_DECLARE

static const zc_entry_type zc__entry_types[] = {
#define ZC__ROW(name, tag, hash, check) { #name, tag, hash, check, &zc__entry_type_##name },
    ZC_TYPE_LIST(ZC__ROW)
#undef ZC__ROW
};

#define ZC__ENTRY_TYPE_COUNT ((uint32_t)(sizeof zc__entry_types / sizeof zc__entry_types[0]))

uint32_t zc_entry_type_count(void) {
    return ZC__ENTRY_TYPE_COUNT;
}

const zc_entry_type *zc_entry_type_at(uint32_t i) {
    return i < ZC__ENTRY_TYPE_COUNT ? &zc__entry_types[i] : NULL;
}

const zc_entry_type *zc_entry_type_find(uint32_t tag) {
    for (uint32_t i = 0; i < ZC__ENTRY_TYPE_COUNT; ++i)
        if (zc__entry_types[i].tag == tag) return &zc__entry_types[i];
    return NULL;
}

zc_result zc_entry_type_view(const zc_entry_type *t, const zc_entry *e, void *out) {
    if (!t || !e || !out) return ZC_ERR_INVALID_ARGUMENT;
    if (!t->ops->view) return ZC_ERR_INVALID_ARGUMENT;
    const void *data;
    uint64_t size;
    zc_result r = zc_entry_bytes(e, t->tag, &data, &size);
    if (r != ZC_OK) return r;
    return t->ops->view(data, size, out);
}

int zc_entry_type_compressed_by_default(uint32_t tag) {
    const zc_entry_type *t = zc_entry_type_find(tag);
    return t ? t->ops->compress : 1;
}

cJSON *zc__json_float(float value) {
    char text[32];
    for (int digits = 6; digits <= 9; ++digits) {
        snprintf(text, sizeof text, "%.*g", digits, (double)value);
        if (strtof(text, NULL) == value) break;
    }
    return cJSON_CreateNumber(strtod(text, NULL));
}

cJSON *zc__json_floats(const float *values, int count) {
    cJSON *array = cJSON_CreateArray();
    for (int k = 0; array && k < count; ++k) cJSON_AddItemToArray(array, zc__json_float(values[k]));
    return array;
}

void zc__json_add_float(cJSON *o, const char *key, float value) {
    cJSON_AddItemToObject(o, key, zc__json_float(value));
}

cJSON *zc__json_reference(const zc_pack *pack, uint64_t id, uint32_t type) {
    if (id == 0) return cJSON_CreateNull();
    zc_entry target;
    if (zc_pack_resolve(pack, id, type, &target) == ZC_OK) return cJSON_CreateString(target.path);
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)id);
    return cJSON_CreateString(hex);
}
