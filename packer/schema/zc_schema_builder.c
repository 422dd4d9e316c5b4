/* zc_schema_builder.c - the writer of schema entries (zc_schema_builder.h): an arena
 * that grows geometrically, appends zeroed and aligned, and keeps the first error.
 * The JSON encoder (zc_schema_encode.c) and the typed functions of generated headers
 * both write through it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_pack.h"
#include "zc_schema_builder.h"
#include "zc_schema_internal.h"

#define ZC__BUILDER_DEFAULT_CAPACITY 4096u
#define ZC__BUILDER_MAX_SIZE (UINT64_C(1) << 32)

zc_result zc_builder_fail(zc_builder *b, zc_result error, const char *fmt, ...) {
    if (b->error != ZC_OK) return b->error;
    b->error = error;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->message, sizeof b->message, fmt, ap);
    va_end(ap);
    return error;
}

static zc_result zc__builder_grow(zc_builder *b, uint64_t need) {
    uint64_t cap = b->capacity ? b->capacity : ZC__BUILDER_DEFAULT_CAPACITY;
    while (cap < need) cap *= 2;
    if (cap > b->max_size) cap = b->max_size;
    if ((size_t)cap != cap) return zc_builder_fail(b, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    uint8_t *grown = (uint8_t *)realloc(b->data, (size_t)cap);
    if (!grown) return zc_builder_fail(b, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    b->data = grown;
    b->capacity = cap;
    return ZC_OK;
}

zc_result zc_builder_create(zc_builder **out, const zc_builder_desc *desc) {
    *out = NULL;
    zc_builder_desc d;
    memset(&d, 0, sizeof d);
    if (desc) d = *desc;
    if (d.max_size == 0 || d.max_size > ZC__BUILDER_MAX_SIZE) d.max_size = ZC__BUILDER_MAX_SIZE;
    if (d.initial_capacity == 0) d.initial_capacity = d.max_size < ZC__BUILDER_DEFAULT_CAPACITY ? d.max_size : ZC__BUILDER_DEFAULT_CAPACITY;
    if (d.initial_capacity > d.max_size) return ZC_ERR_INVALID_ARGUMENT;
    zc_builder *b = (zc_builder *)calloc(1, sizeof *b);
    if (!b) return ZC_ERR_OUT_OF_MEMORY;
    b->max_size = d.max_size;
    b->data = (uint8_t *)malloc((size_t)d.initial_capacity);
    if (!b->data) {
        free(b);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    b->capacity = d.initial_capacity;
    *out = b;
    return ZC_OK;
}

void zc_builder_destroy(zc_builder *b) {
    if (!b) return;
    free(b->data);
    free(b->scratch);
    free(b);
}

void zc_builder_reset(zc_builder *b) {
    b->size = 0;
    b->error = ZC_OK;
    b->message[0] = 0;
}

zc_result zc_builder_error(const zc_builder *b, zc_diag *diag) {
    if (diag) snprintf(diag->message, sizeof diag->message, "%s", b->error == ZC_OK ? "" : b->message);
    return b->error;
}

zc_result zc__builder_reserve(zc_builder *b, uint64_t at, uint64_t bytes) {
    if (bytes > b->max_size || at > b->max_size - bytes)
        return zc_builder_fail(b, ZC_ERR_LIMIT, "the entry would exceed %llu bytes", (unsigned long long)b->max_size);
    return at + bytes > b->capacity ? zc__builder_grow(b, at + bytes) : ZC_OK;
}

zc_builder_pos zc_builder_root(zc_builder *b, uint32_t struct_size) {
    if (b->error == ZC_OK && b->size != 0) {
        zc_builder_fail(b, ZC_ERR_INVALID_ARGUMENT, "the root record must be the entry's first record");
        return 0;
    }
    return zc_builder_record(b, struct_size);
}

zc_builder_pos zc_builder_union(zc_builder *b, zc_builder_pos slot, uint32_t tag, uint32_t struct_size) {
    if (b->error != ZC_OK) return 0;
    zc_builder_put_u32(b, slot, tag);
    return zc_builder_struct(b, slot + 8, struct_size);
}

/* zc_utf8_valid, eight ASCII bytes at a time while they last (the common case of
 * generated data): a word with no high bit and no zero byte is valid UTF-8 by itself
 * and ends on a character boundary. */
static int zc__utf8_valid(const uint8_t *s, uint64_t length) {
    const uint64_t high = UINT64_C(0x8080808080808080), ones = UINT64_C(0x0101010101010101);
    uint64_t i = 0;
    for (; i + 8 <= length; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if ((w & high) || ((w - ones) & ~w & high)) break;
    }
    return zc_utf8_valid(s + i, length - i);
}

zc_result zc__builder_string(zc_builder *b, zc_builder_pos slot, const char *text, uint64_t length) {
    if (b->error != ZC_OK) return b->error;
    if (length > ZC_BUILDER_MAX_STRING) return zc_builder_fail(b, ZC_ERR_LIMIT, "string longer than %u bytes", ZC_BUILDER_MAX_STRING);
    if (!zc__utf8_valid((const uint8_t *)text, length))
        return zc_builder_fail(b, ZC_ERR_BAD_STRING, "string is not valid UTF-8 or holds a NUL");
    zc_builder_put_u64(b, slot + 8, length);
    if (length == 0) return ZC_OK;
    /* the bytes and their NUL, packed (no alignment), written once */
    uint64_t at = b->size;
    if (zc__builder_reserve(b, at, length + 1) != ZC_OK) return b->error;
    memcpy(b->data + at, text, (size_t)length);
    b->data[at + length] = 0;
    b->size = at + length + 1;
    zc_builder_link(b, slot, at);
    return ZC_OK;
}

zc_result zc_builder_present_string(zc_builder *b, zc_builder_pos slot, const char *text, uint64_t length) {
    if (length != 0 || b->error != ZC_OK) return zc_builder_string(b, slot, text, length);
    uint64_t at = b->size;
    if (zc__builder_reserve(b, at, 1) != ZC_OK) return b->error;
    b->data[at] = 0;
    b->size = at + 1;
    zc_builder_put_u64(b, slot + 8, 0);
    zc_builder_link(b, slot, at);
    return b->error;
}

/* zc_builder_vector, its elements cleared or not. */
static zc_builder_pos zc__builder_vector(zc_builder *b, zc_builder_pos slot, uint64_t count, uint32_t elem_size,
                                         int clear) {
    if (b->error != ZC_OK) return 0;
    if (count > ZC_BUILDER_MAX_COUNT) {
        zc_builder_fail(b, ZC_ERR_LIMIT, "more than %u elements", ZC_BUILDER_MAX_COUNT);
        return 0;
    }
    zc_builder_put_u64(b, slot + 8, count);
    if (count == 0) return 0;
    zc_builder_pos at;
    if (clear) {
        at = zc_builder_alloc(b, count * elem_size, 8);
    } else {
        uint64_t bytes = count * elem_size;
        at = (b->size + 7) & ~(uint64_t)7;
        if (zc__builder_reserve(b, at, bytes) != ZC_OK) return 0;
        memset(b->data + b->size, 0, (size_t)(at - b->size)); /* the alignment gap only */
        b->size = at + bytes;
    }
    if (b->error == ZC_OK) zc_builder_link(b, slot, at);
    return at;
}

zc_builder_pos zc_builder_vector(zc_builder *b, zc_builder_pos slot, uint64_t count, uint32_t elem_size) {
    return zc__builder_vector(b, slot, count, elem_size, 1);
}

void *zc_builder_vector_fill(zc_builder *b, zc_builder_pos slot, uint64_t count, uint32_t elem_size) {
    zc_builder_pos at = zc__builder_vector(b, slot, count, elem_size, 0);
    return b->error == ZC_OK && count ? b->data + at : NULL;
}

static int zc__same_key(int strings, const zc_builder_key *a, const zc_builder_key *b) {
    if (!strings) return a->value == b->value;
    return a->length == b->length && (a->length == 0 || memcmp(a->text, b->text, (size_t)a->length) == 0);
}

zc_builder_pos zc_builder_map(zc_builder *b, zc_builder_pos slot, zc_builder_key_kind kind, uint32_t entry_size,
                              const zc_builder_key *keys, uint64_t count, uint32_t *order) {
    if (count > ZC_BUILDER_MAX_COUNT) {
        zc_builder_fail(b, ZC_ERR_LIMIT, "more than %u entries", ZC_BUILDER_MAX_COUNT);
        return 0;
    }
    /* until the table says otherwise (and on error), entry k is key k: a caller's loop
     * over keys[order[k]] stays inside its keys */
    for (uint64_t k = 0; k < count; ++k) order[k] = (uint32_t)k;
    if (b->error != ZC_OK || count == 0) return 0;
    uint64_t capacity = 2;
    while (capacity < 2 * count) capacity *= 2;
    if (capacity > b->scratch_capacity) {
        uint32_t *grown = (uint32_t *)realloc(b->scratch, (size_t)capacity * sizeof *grown);
        if (!grown) {
            zc_builder_fail(b, ZC_ERR_OUT_OF_MEMORY, "out of memory");
            return 0;
        }
        b->scratch = grown;
        b->scratch_capacity = capacity;
    }
    uint32_t *table = b->scratch;
    memset(table, 0, (size_t)capacity * sizeof *table);
    uint64_t mask = capacity - 1;
    int strings = kind == ZC_BUILDER_KEY_STRING;
    for (uint64_t i = 0; i < count; ++i) {
        const zc_builder_key *k = &keys[i];
        if (kind == ZC_BUILDER_KEY_U32 && k->value > UINT32_MAX) {
            zc_builder_fail(b, ZC_ERR_LIMIT, "key %llu of a u32 map is over 2^32 - 1", (unsigned long long)k->value);
            return 0;
        }
        uint64_t s = (strings ? zc__schema_hash_string(k->text, k->length) : zc__schema_hash_int(k->value)) & mask;
        for (; table[s]; s = (s + 1) & mask)
            if (zc__same_key(strings, &keys[table[s] - 1], k)) {
                if (strings) zc_builder_fail(b, ZC_ERR_INVALID_ARGUMENT, "key \"%.*s\" appears twice", (int)(k->length > 40 ? 40 : k->length), k->text);
                else zc_builder_fail(b, ZC_ERR_INVALID_ARGUMENT, "key \"%llu\" appears twice", (unsigned long long)k->value);
                return 0;
            }
        table[s] = (uint32_t)(i + 1);
    }
    zc_builder_pos entries = zc_builder_alloc(b, count * entry_size, 8);
    zc_builder_pos slots = zc_builder_alloc(b, capacity * 4, 8);
    if (b->error != ZC_OK) return 0;
    zc_builder_link(b, slot, entries);
    zc_builder_put_u64(b, slot + 8, count);
    zc_builder_link(b, slot + 16, slots);
    zc_builder_put_u64(b, slot + 24, capacity);
    uint32_t k = 0;
    uint32_t *out_slots = (uint32_t *)(void *)(b->data + slots);
    for (uint64_t s = 0; s < capacity; ++s) {
        if (!table[s]) continue;
        order[k] = table[s] - 1;
        out_slots[s] = ++k;
        if (!strings) zc_builder_put_u64(b, entries + (uint64_t)(k - 1) * entry_size, keys[table[s] - 1].value);
    }
    return entries;
}

zc_builder_pos zc_builder_map_key(zc_builder *b, zc_builder_pos entries, uint32_t entry_size, uint64_t k,
                                  const zc_builder_key *key) {
    zc_builder_pos entry = entries + k * entry_size;
    if (!key->text) return entry + 8; /* an integer key */
    zc_builder_string(b, entry, key->text, key->length);
    return entry + 16;
}

zc_result zc_builder_ref_path(zc_builder *b, zc_builder_pos slot, const char *path, uint64_t length) {
    if (b->error != ZC_OK) return b->error;
    zc_diag why;
    if (zc_check_path(path, length, &why) != ZC_OK)
        return zc_builder_fail(b, ZC_ERR_BAD_PATH, "\"%.60s\" is not an entry path: %s", path, why.message);
    zc_builder_put_u64(b, slot, zc_asset_id(path, (size_t)length));
    return ZC_OK;
}

zc_result zc_builder_finish(zc_builder *b, const void **data, uint64_t *size, zc_diag *diag) {
    *data = NULL;
    *size = 0;
    if (b->error == ZC_OK && b->size == 0) zc_builder_fail(b, ZC_ERR_INVALID_ARGUMENT, "no root record was written");
    if (b->error == ZC_OK) zc_builder_alloc(b, 0, 8);
    zc_result r = zc_builder_error(b, diag);
    if (r != ZC_OK) return r;
    *data = b->data;
    *size = b->size;
    return ZC_OK;
}

zc_result zc_builder_release(zc_builder *b, uint8_t **out, uint64_t *size, zc_diag *diag) {
    const void *data;
    *out = NULL;
    zc_result r = zc_builder_finish(b, &data, size, diag);
    if (r != ZC_OK) return r;
    *out = b->data;
    b->data = NULL;
    b->capacity = 0;
    b->size = 0;
    return ZC_OK;
}
