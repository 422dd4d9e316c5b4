/* zc_schema_check.c - the schema's structural check run from the compiled schema in
 * memory (SPEC.md 16.8): the rules the generated <Root>_validate applies, walked over
 * the zc_schema instead of generated code, so a tool (`zcpack verify --schema`) checks
 * entries of a schema type without compiling C. Same limits (depth, counts, string
 * lengths, a work budget of the entry's size), same verdicts; no allocation.
 */
#include <string.h>

#include "zc_schema_internal.h"

#define ZC__CHECK_MAX_CAPACITY (1u << 25) /* map hash slots, as ZCS_MAX_CAPACITY */

typedef struct zc__chk {
    const zc_schema *s;
    const uint8_t *base;
    uint64_t size;
    uint64_t budget;            /* bytes of targets still allowed (the entry's size) */
    zc_diag *diag;
} zc__chk;

static zc_result zc__chk_struct(zc__chk *c, uint32_t decl, uint64_t pos, uint32_t depth);
static zc_result zc__chk_slot(zc__chk *c, uint32_t type, uint64_t pos, uint32_t depth, int optional);

static zc_result zc__bad(zc__chk *c, uint64_t pos, const char *what) {
    return zc_fail(c->diag, ZC_ERR_BAD_ENTRY, "%s at %llu", what, (unsigned long long)pos);
}

static zc_result zc__spend(zc__chk *c, uint64_t bytes, uint64_t pos) {
    if (bytes > c->budget)
        return zc_fail(c->diag, ZC_ERR_LIMIT, "targets reached from %llu exceed the entry's size in total",
                       (unsigned long long)pos);
    c->budget -= bytes;
    return ZC_OK;
}

static zc_result zc__depth(zc__chk *c, uint32_t depth, uint64_t pos) {
    if (depth > ZC_SCHEMA_MAX_DEPTH)
        return zc_fail(c->diag, ZC_ERR_LIMIT, "data nested deeper than %u at %llu", ZC_SCHEMA_MAX_DEPTH,
                       (unsigned long long)pos);
    return ZC_OK;
}

/* The struct_size of the record at pos (its first 4 bytes inside the entry). */
static zc_result zc__head(zc__chk *c, uint64_t pos, uint32_t base_size) {
    uint32_t size;
    memcpy(&size, c->base + pos, 4);
    if (size % 8 != 0 || size < base_size || size > ZC_SCHEMA_MAX_STRUCT || size > c->size - pos)
        return zc_fail(c->diag, ZC_ERR_BAD_ENTRY,
                       "record at %llu has struct_size %u (a multiple of 8 from %u, inside the entry)",
                       (unsigned long long)pos, size, base_size);
    return zc__spend(c, size, pos);
}

/* The record of struct `decl` a zc_rel_ptr at field_pos points at, then its fields. */
static zc_result zc__record_ptr(zc__chk *c, uint32_t decl, uint64_t field_pos, uint32_t depth, int optional) {
    int64_t offset;
    memcpy(&offset, c->base + field_pos, 8);
    if (offset == 0) return optional ? ZC_OK : zc__bad(c, field_pos, "required record pointer is null");
    uint64_t pos = 0;
    zc_result r = zc__depth(c, depth, field_pos);
    if (r == ZC_OK) r = zc_check_target(c->size, field_pos, 8, offset, 1, 4, 8, &pos, c->diag);
    if (r == ZC_OK) r = zc__head(c, pos, c->s->decls[decl].base_size);
    return r != ZC_OK ? r : zc__chk_struct(c, decl, pos, depth);
}

/* The zc_array at field_pos: elements inside the entry, aligned to 8, at most max. */
static zc_result zc__vector(zc__chk *c, uint64_t field_pos, uint64_t elem_size, uint64_t max, uint32_t depth,
                            uint64_t *at, uint64_t *count) {
    const zc_array *a = (const zc_array *)(const void *)(c->base + field_pos);
    zc_result r = zc__depth(c, depth, field_pos);
    if (r == ZC_OK) r = zc_check_array(c->base, c->size, a, elem_size, 8, max, c->diag);
    if (r != ZC_OK) return r;
    *count = a->count;
    *at = a->offset ? (uint64_t)((const uint8_t *)zc_array_data(a) - c->base) : 0;
    return zc__spend(c, a->count * elem_size, field_pos);
}

static zc_result zc__string(zc__chk *c, uint64_t field_pos) {
    const zc_string *s = (const zc_string *)(const void *)(c->base + field_pos);
    zc_result r = zc_check_string(c->base, c->size, s, ZC_SCHEMA_MAX_STRING, c->diag);
    if (r != ZC_OK || s->offset == 0) return r;
    return zc__spend(c, s->length + 1, field_pos);
}

static uint32_t zc__key_hash(const uint8_t *entry, int string_keys) {
    if (string_keys) {
        const zc_string *k = (const zc_string *)(const void *)entry;
        return zc__schema_hash_string(zc_string_data(k), k->length);
    }
    uint64_t key;
    memcpy(&key, entry, 8);
    return zc__schema_hash_int(key);
}

/* Every map entry is found from its key's home slot without crossing an empty slot. */
static zc_result zc__map_probes(zc__chk *c, uint64_t pos, const uint32_t *slots, uint64_t capacity,
                                const uint8_t *entries, uint64_t entry_size, int string_keys) {
    uint64_t mask = capacity - 1, start = 0, run = 0;
    while (slots[start] != 0) start++;
    for (uint64_t k = 1; k <= capacity; ++k) {
        uint64_t s = (start + k) & mask;
        if (slots[s] == 0) {
            run = 0;
            continue;
        }
        run++;
        uint32_t home = zc__key_hash(entries + (uint64_t)(slots[s] - 1) * entry_size, string_keys);
        if (((s - home) & mask) >= run) return zc__bad(c, pos, "map entry not reachable from its key's slot");
    }
    return ZC_OK;
}

/* A map slot of `type`: its arrays, capacity, keys, hash slots, then every value. */
static zc_result zc__map(zc__chk *c, uint32_t type, uint64_t pos, uint32_t depth) {
    const zc_schema_type *t = &c->s->types[type];
    uint64_t es = zc__schema_map_entry_size(c->s, type), vo = zc__schema_map_value_offset(t->key);
    int string_keys = t->key == ZC_SCHEMA_STRING;
    uint64_t at, count, slots_at, capacity, seen = 0;
    zc_result r = zc__vector(c, pos, es, ZC_SCHEMA_MAX_COUNT, depth, &at, &count);
    if (r == ZC_OK) r = zc__vector(c, pos + 16, 4, ZC__CHECK_MAX_CAPACITY, depth, &slots_at, &capacity);
    if (r != ZC_OK) return r;
    if ((count == 0) != (capacity == 0) || (capacity & (capacity - 1)) != 0 || (capacity != 0 && capacity <= count))
        return zc__bad(c, pos, "map capacity is not a power of two above its count");
    for (uint64_t i = 0; string_keys && i < count; ++i)
        if ((r = zc__string(c, at + i * es)) != ZC_OK) return r;
    for (uint64_t i = 0; t->key == ZC_SCHEMA_U32 && i < count; ++i) {
        uint64_t key;
        memcpy(&key, c->base + at + i * es, 8);
        if (key > 0xffffffffu) return zc__bad(c, at + i * es, "u32 map key above 2^32 - 1");
    }
    const uint32_t *slots = (const uint32_t *)(const void *)(c->base + slots_at);
    for (uint64_t s = 0; s < capacity; ++s)
        if (slots[s] != 0 && slots[s] != ++seen) return zc__bad(c, pos, "map slots are not in entry order");
    if (seen != count) return zc__bad(c, pos, "map slots do not hold every entry");
    if (capacity && (r = zc__map_probes(c, pos, slots, capacity, c->base + at, es, string_keys)) != ZC_OK) return r;
    for (uint64_t i = 0; r == ZC_OK && i < count; ++i) r = zc__chk_slot(c, t->elem, at + i * es + vo, depth, 0);
    return r;
}

static zc_result zc__union(zc__chk *c, const zc_schema_decl *u, uint64_t pos, uint32_t depth) {
    uint32_t tag, zero;
    int64_t offset;
    memcpy(&tag, c->base + pos, 4);
    memcpy(&zero, c->base + pos + 4, 4);
    memcpy(&offset, c->base + pos + 8, 8);
    if (tag > u->count || zero != 0 || (offset == 0) != (tag == 0)) return zc__bad(c, pos, "malformed union");
    return tag == 0 ? ZC_OK : zc__record_ptr(c, u->members[tag - 1], pos + 8, depth, 0);
}

static zc_result zc__enum(zc__chk *c, const zc_schema_decl *e, uint64_t pos) {
    uint64_t v = 0;
    memcpy(&v, c->base + pos, zc__schema_scalar_size(e->underlying)); /* little-endian host */
    for (uint32_t i = 0; i < e->count; ++i)
        if (e->values[i] == v) return ZC_OK;
    return zc__bad(c, pos, "value not declared by its enum");
}

/* An inline struct in place: the bools and enums of its fields, nested ones too. */
static zc_result zc__inline(zc__chk *c, const zc_schema_decl *d, uint64_t pos, uint32_t depth) {
    zc_result r = ZC_OK;
    for (uint32_t i = 0; d->checked && r == ZC_OK && i < d->count; ++i)
        r = zc__chk_slot(c, d->fields[i].type, pos + d->fields[i].offset, depth, 0);
    return r;
}

/* One slot of `type` at pos (inside a record, vector or map entry already checked). */
static zc_result zc__chk_slot(zc__chk *c, uint32_t type, uint64_t pos, uint32_t depth, int optional) {
    const zc_schema_type *t = &c->s->types[type];
    uint64_t at, n, id;
    zc_result r;
    switch (t->kind) {
    case ZC_SCHEMA_BOOL: return c->base[pos] <= 1 ? ZC_OK : zc__bad(c, pos, "bool not 0 or 1");
    case ZC_SCHEMA_ENUM: return zc__enum(c, &c->s->decls[t->decl], pos);
    case ZC_SCHEMA_STRING: return zc__string(c, pos);
    case ZC_SCHEMA_REF:
        memcpy(&id, c->base + pos, 8);
        return id != 0 || optional ? ZC_OK : zc__bad(c, pos, "required ref is 0");
    case ZC_SCHEMA_STRUCT: return zc__record_ptr(c, t->decl, pos, depth + 1, optional);
    case ZC_SCHEMA_UNION: return zc__union(c, &c->s->decls[t->decl], pos, depth + 1);
    case ZC_SCHEMA_MAP: return zc__map(c, type, pos, depth + 1);
    case ZC_SCHEMA_INLINE: return zc__inline(c, &c->s->decls[t->decl], pos, depth);
    case ZC_SCHEMA_VECTOR: {
        uint64_t es = zc__schema_slot_size(c->s, t->elem);
        const zc_schema_type *et = &c->s->types[t->elem];
        int plain = ZC_SCHEMA_IS_INTEGER(et->kind) || ZC_SCHEMA_IS_FLOAT(et->kind) ||
                    (et->kind == ZC_SCHEMA_INLINE && !c->s->decls[et->decl].checked);
        r = zc__vector(c, pos, es, ZC_SCHEMA_MAX_COUNT, depth + 1, &at, &n);
        for (uint64_t i = 0; !plain && r == ZC_OK && i < n; ++i) r = zc__chk_slot(c, t->elem, at + i * es, depth + 1, 0);
        return r;
    }
    default: return ZC_OK; /* plain numbers */
    }
}

/* An optional scalar, enum or inline struct: presence 0 or 1, value bytes zero when
 * absent. */
static zc_result zc__optional(zc__chk *c, const zc_schema_field *f, uint64_t pos, uint32_t depth) {
    uint8_t present = c->base[pos + f->presence];
    if (present > 1) return zc__bad(c, pos + f->presence, "presence byte not 0 or 1");
    for (uint32_t k = 0; !present && k < f->size - (f->offset - f->presence); ++k)
        if (c->base[pos + f->offset + k] != 0) return zc__bad(c, pos + f->offset, "absent optional value not zero");
    return present ? zc__chk_slot(c, f->type, pos + f->offset, depth, 0) : ZC_OK;
}

/* The fields of a struct record whose head was checked: those its struct_size holds. */
static zc_result zc__chk_struct(zc__chk *c, uint32_t decl, uint64_t pos, uint32_t depth) {
    const zc_schema_decl *d = &c->s->decls[decl];
    uint32_t size;
    memcpy(&size, c->base + pos, 4);
    zc_result r = ZC_OK;
    for (uint32_t i = 0; i < d->count && r == ZC_OK; ++i) {
        const zc_schema_field *f = &d->fields[i];
        if (size < f->presence + f->size) continue;
        r = f->offset != f->presence ? zc__optional(c, f, pos, depth)
                                     : zc__chk_slot(c, f->type, pos + f->offset, depth, f->optional);
    }
    return r;
}

zc_result zc_schema_check(const zc_schema *schema, const void *bytes, uint64_t size, zc_diag *diag) {
    if (!schema || !bytes || ((uintptr_t)bytes & 7u) != 0)
        return zc_fail(diag, ZC_ERR_BAD_ALIGNMENT, "entry bytes are not aligned to 8");
    if (size < 8) return zc_fail(diag, ZC_ERR_BAD_ENTRY, "entry of %llu bytes is too small", (unsigned long long)size);
    zc__chk c = { schema, (const uint8_t *)bytes, size, size, diag };
    zc_result r = zc__head(&c, 0, schema->decls[schema->root].base_size);
    return r != ZC_OK ? r : zc__chk_struct(&c, schema->root, 0, 0);
}
