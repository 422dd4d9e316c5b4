/* zc_schema_encode.c - the JSON encoder of the schema compiler (SPEC.md 16.10): a
 * JSON document to the archived bytes of the schema's root type, written through the
 * builder (zc_schema_builder.h) in the reference writer's order of SPEC.md 16.3 (the
 * root record at 0, then every target after the slot that points at it, depth-first
 * in field order). Every value is checked against the schema; the first wrong one
 * fails with "file: .json.path: problem". Safe on untrusted JSON.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "zc_pack.h"
#include "zc_schema_builder.h"
#include "zc_schema_internal.h"

typedef struct zc__enc {
    const zc_schema *s;
    const char *file;
    zc_builder *b;
    char path[768];             /* the JSON path of the value being encoded */
    size_t path_length;
    uint32_t depth;
    zc_diag *diag;
    const zc_schema_ref_check *refs; /* NULL: references are not checked */
} zc__enc;

#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 2, 3)))
#endif
static zc_result zc__err(zc__enc *e, const char *fmt, ...) {
    if (e->diag) {
        int n = snprintf(e->diag->message, sizeof e->diag->message, "%s: %s: ", e->file,
                         e->path_length ? e->path : ".");
        if (n >= 0 && (size_t)n < sizeof e->diag->message) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(e->diag->message + n, sizeof e->diag->message - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return ZC_ERR_BAD_SOURCE;
}

/* Append ".name", "[i]" or "[\"key\"]" (a `fmt` with one %s of `text`, or "[i]"
 * when text is NULL) to the path; returns the old length. */
static size_t zc__push(zc__enc *e, const char *fmt, const char *text, uint64_t index) {
    size_t old = e->path_length;
    char piece[300];
    if (text) snprintf(piece, sizeof piece, fmt, text);
    else snprintf(piece, sizeof piece, "[%llu]", (unsigned long long)index);
    size_t n = strlen(piece);
    if (n > sizeof e->path - 1 - old) n = sizeof e->path - 1 - old;
    memcpy(e->path + old, piece, n);
    e->path_length = old + n;
    e->path[e->path_length] = 0;
    return old;
}

static void zc__pop(zc__enc *e, size_t old) {
    e->path_length = old;
    e->path[old] = 0;
}

static const char *zc__json_kind(const cJSON *j) {
    if (cJSON_IsString(j)) return "string";
    if (cJSON_IsNumber(j)) return "number";
    if (cJSON_IsBool(j)) return "bool";
    if (cJSON_IsNull(j)) return "null";
    if (cJSON_IsArray(j)) return "array";
    return "object";
}

/* The builder's error, if any, as the encoder reports it: out of memory as such, the
 * rest (strings, counts, keys, the 4 GiB limit) as a problem of the value at the
 * current path, in the builder's words. */
static zc_result zc__built(zc__enc *e) {
    zc_diag why;
    zc_result r = zc_builder_error(e->b, &why);
    if (r == ZC_OK) return ZC_OK;
    zc__err(e, "%s", why.message);
    return r == ZC_ERR_OUT_OF_MEMORY ? r : ZC_ERR_BAD_SOURCE;
}

/* ---------------------------------------------------------------------------------
 * Scalars
 * ------------------------------------------------------------------------------- */

/* An integer from a JSON number (integral, within 2^53) or, for 64-bit types, a
 * decimal string. */
static zc_result zc__integer(zc__enc *e, const cJSON *j, zc_schema_kind kind, uint64_t *bits) {
    uint32_t width = zc__schema_scalar_size(kind) * 8;
    int is_signed = ZC_SCHEMA_IS_SIGNED(kind);
    long double lo = is_signed ? -ldexpl(1, (int)width - 1) : 0, hi = ldexpl(1, (int)width - (is_signed ? 1 : 0)) - 1;
    if (cJSON_IsString(j) && width == 64) {
        const char *t = j->valuestring;
        char *end;
        int neg = t[0] == '-';
        if (!((t[neg] >= '0' && t[neg] <= '9'))) return zc__err(e, "expected %s, got string \"%.40s\"", zc_schema_kind_name(kind), t);
        errno = 0;
        if (is_signed) *bits = (uint64_t)strtoll(t, &end, 10);
        else *bits = neg ? 1 : strtoull(t, &end, 10);
        if (errno || *end || (!is_signed && neg)) return zc__err(e, "%s out of range: \"%.40s\"", zc_schema_kind_name(kind), t);
        return ZC_OK;
    }
    if (!cJSON_IsNumber(j)) return zc__err(e, "expected %s, got %s", zc_schema_kind_name(kind), zc__json_kind(j));
    double d = j->valuedouble;
    if (d != floor(d)) return zc__err(e, "expected %s, got %.17g", zc_schema_kind_name(kind), d);
    if (fabs(d) > 9007199254740992.0) return zc__err(e, "integer beyond 2^53 loses digits in JSON: write it as a string");
    if ((long double)d < lo || (long double)d > hi) return zc__err(e, "%.17g is out of the range of %s", d, zc_schema_kind_name(kind));
    *bits = is_signed ? (uint64_t)(int64_t)d : (uint64_t)d;
    return ZC_OK;
}

/* A bool, integer, float or enum value into the slot at `slot`. */
static zc_result zc__scalar(zc__enc *e, const zc_schema_type *t, const cJSON *j, size_t slot) {
    uint64_t bits = 0;
    zc_schema_kind kind = t->kind;
    if (kind == ZC_SCHEMA_BOOL) {
        if (!cJSON_IsBool(j)) return zc__err(e, "expected bool, got %s", zc__json_kind(j));
        bits = cJSON_IsTrue(j);
    } else if (kind == ZC_SCHEMA_ENUM) {
        const zc_schema_decl *d = &e->s->decls[t->decl];
        if (!cJSON_IsString(j)) return zc__err(e, "expected a value of enum %s, got %s", d->name, zc__json_kind(j));
        uint32_t i = 0;
        while (i < d->count && strcmp(d->names[i], j->valuestring) != 0) i++;
        if (i == d->count) return zc__err(e, "\"%.40s\" is not a value of enum %s", j->valuestring, d->name);
        bits = d->values[i];
        kind = d->underlying;
    } else if (ZC_SCHEMA_IS_FLOAT(kind)) {
        if (!cJSON_IsNumber(j)) return zc__err(e, "expected %s, got %s", zc_schema_kind_name(kind), zc__json_kind(j));
        double d = j->valuedouble;
        if (kind == ZC_SCHEMA_F32) {
            float f = (float)d;
            if (!isfinite(f)) return zc__err(e, "%.17g is out of the range of f32", d);
            memcpy(&bits, &f, 4);
        } else {
            memcpy(&bits, &d, 8);
        }
    } else {
        zc_result r = zc__integer(e, j, kind, &bits);
        if (r != ZC_OK) return r;
    }
    zc_builder_put(e->b, slot, &bits, zc__schema_scalar_size(kind)); /* little-endian host (zc_host_is_little_endian) */
    return ZC_OK;
}

static zc_result zc__string_bytes(zc__enc *e, const char *text, size_t length, size_t slot) {
    zc_builder_string(e->b, slot, text, length);
    return zc__built(e);
}

/* ---------------------------------------------------------------------------------
 * Containers
 * ------------------------------------------------------------------------------- */

static zc_result zc__slot(zc__enc *e, uint32_t type, const cJSON *j, size_t slot, int optional);
static zc_result zc__record(zc__enc *e, uint32_t decl, const cJSON *j, size_t from, size_t *out);

static zc_result zc__enter(zc__enc *e) {
    if (++e->depth > ZC_SCHEMA_MAX_DEPTH) return zc__err(e, "nested deeper than %u", ZC_SCHEMA_MAX_DEPTH);
    return ZC_OK;
}

static zc_result zc__vector(zc__enc *e, const zc_schema_type *t, const cJSON *j, size_t slot) {
    if (!cJSON_IsArray(j)) return zc__err(e, "expected an array, got %s", zc__json_kind(j));
    uint64_t n = (uint64_t)cJSON_GetArraySize(j), es = zc__schema_slot_size(e->s, t->elem);
    zc_builder_pos at = zc_builder_vector(e->b, slot, n, (uint32_t)es);
    zc_result r = zc__built(e);
    if (r != ZC_OK || n == 0) return r;
    uint64_t i = 0;
    for (const cJSON *item = j->child; item; item = item->next, ++i) {
        size_t old = zc__push(e, "[%llu]", NULL, i);
        zc_result r = zc__slot(e, t->elem, item, at + i * es, 0);
        if (r != ZC_OK) return r;
        zc__pop(e, old);
    }
    return ZC_OK;
}

/* A map key: the text of a string key, or a u32/u64 key written in decimal without
 * leading zeros. */
static zc_result zc__map_key(zc__enc *e, zc_schema_kind kind, const char *text, uint64_t *out) {
    if (kind == ZC_SCHEMA_STRING) return ZC_OK;
    const char *p = text;
    uint64_t v = 0, max = kind == ZC_SCHEMA_U32 ? UINT32_MAX : UINT64_MAX;
    int ok = *p >= '0' && *p <= '9' && !(p[0] == '0' && p[1]);
    for (; ok && *p; ++p) {
        unsigned digit = (unsigned)(*p - '0');
        ok = *p >= '0' && *p <= '9' && v <= (max - digit) / 10;
        v = v * 10 + digit;
    }
    if (!ok) return zc__err(e, "key \"%.40s\" is not a %s in decimal", text, zc_schema_kind_name(kind));
    *out = v;
    return ZC_OK;
}

/* The entries in the order the builder's hash table gives them (SPEC.md 16.4): each
 * one's string key, then its value. */
static zc_result zc__map_write(zc__enc *e, uint32_t type, const cJSON **items, const zc_builder_key *keys, uint64_t n,
                               uint32_t *order, size_t slot) {
    const zc_schema_type *t = &e->s->types[type];
    uint32_t es = zc__schema_map_entry_size(e->s, type);
    zc_builder_key_kind kind = t->key == ZC_SCHEMA_STRING ? ZC_BUILDER_KEY_STRING
                               : t->key == ZC_SCHEMA_U32  ? ZC_BUILDER_KEY_U32 : ZC_BUILDER_KEY_U64;
    zc_builder_pos entries = zc_builder_map(e->b, slot, kind, es, keys, n, order);
    zc_result r = zc__built(e);
    for (uint64_t k = 0; r == ZC_OK && k < n; ++k) {
        const cJSON *item = items[order[k]];
        size_t old = zc__push(e, "[\"%s\"]", item->string, 0);
        zc_builder_pos value = zc_builder_map_key(e->b, entries, es, k, &keys[order[k]]);
        if ((r = zc__built(e)) == ZC_OK) r = zc__slot(e, t->elem, item, value, 0);
        if (r == ZC_OK) zc__pop(e, old);
    }
    return r;
}

static zc_result zc__map(zc__enc *e, uint32_t type, const cJSON *j, size_t slot) {
    const zc_schema_type *t = &e->s->types[type];
    if (!cJSON_IsObject(j)) return zc__err(e, "expected an object (a map), got %s", zc__json_kind(j));
    uint64_t n = (uint64_t)cJSON_GetArraySize(j);
    if (n == 0) return ZC_OK;
    if (n > ZC_SCHEMA_MAX_COUNT) return zc__err(e, "more than %u entries", ZC_SCHEMA_MAX_COUNT);
    const cJSON **items = (const cJSON **)calloc(n, sizeof *items);
    zc_builder_key *keys = (zc_builder_key *)calloc(n, sizeof *keys);
    uint32_t *order = (uint32_t *)calloc(n, sizeof *order);
    zc_result r = items && keys && order ? ZC_OK : ZC_ERR_OUT_OF_MEMORY;
    if (r != ZC_OK) zc__err(e, "out of memory");
    uint64_t i = 0;
    for (const cJSON *item = j->child; r == ZC_OK && item; item = item->next, ++i) {
        items[i] = item;
        if (t->key == ZC_SCHEMA_STRING) {
            keys[i].text = item->string;
            keys[i].length = strlen(item->string);
        }
        r = zc__map_key(e, t->key, item->string, &keys[i].value);
    }
    if (r == ZC_OK) r = zc__map_write(e, type, items, keys, n, order, slot);
    free(items);
    free(keys);
    free(order);
    return r;
}

/* {"type": "Member", "value": {...}} or null. */
static zc_result zc__union(zc__enc *e, const zc_schema_decl *u, const cJSON *j, size_t slot) {
    if (cJSON_IsNull(j)) return ZC_OK;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type"), *value = cJSON_GetObjectItemCaseSensitive(j, "value");
    if (!cJSON_IsObject(j) || cJSON_GetArraySize(j) != 2 || !cJSON_IsString(type) || !value)
        return zc__err(e, "expected {\"type\": member of %s, \"value\": {...}} or null", u->name);
    uint32_t i = 0;
    while (i < u->count && strcmp(e->s->decls[u->members[i]].name, type->valuestring) != 0) i++;
    if (i == u->count) return zc__err(e, "\"%.40s\" is not a member of union %s", type->valuestring, u->name);
    zc_builder_put_u32(e->b, slot, i + 1);
    size_t at, old = zc__push(e, "%s", ".value", 0);
    zc_result r = zc__record(e, u->members[i], value, slot + 8, &at);
    if (r != ZC_OK) return r;
    zc__pop(e, old);
    return ZC_OK;
}

/* `j` is an object of `d`'s fields: every name it gives names one. */
static zc_result zc__object_of(zc__enc *e, const zc_schema_decl *d, const cJSON *j) {
    if (!cJSON_IsObject(j)) return zc__err(e, "expected %s (an object), got %s", d->name, zc__json_kind(j));
    for (const cJSON *item = j->child; item; item = item->next) {
        uint32_t i = 0;
        while (i < d->count && strcmp(d->fields[i].name, item->string) != 0) i++;
        if (i == d->count) {
            zc__push(e, ".%s", item->string, 0);
            return zc__err(e, "no such field in %s", d->name);
        }
    }
    return ZC_OK;
}

/* An object with exactly the inline struct's fields, written in place. */
static zc_result zc__inline(zc__enc *e, const zc_schema_decl *d, const cJSON *j, size_t slot) {
    zc_result r = zc__object_of(e, d, j);
    for (uint32_t i = 0; r == ZC_OK && i < d->count; ++i) {
        const zc_schema_field *f = &d->fields[i];
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(j, f->name);
        size_t old = zc__push(e, ".%s", f->name, 0);
        if (!item) return zc__err(e, "missing required field");
        if ((r = zc__slot(e, f->type, item, slot + f->offset, 0)) == ZC_OK) zc__pop(e, old);
    }
    return r;
}

static zc_result zc__ref(zc__enc *e, const zc_schema_type *t, const cJSON *j, size_t slot) {
    if (!cJSON_IsString(j)) return zc__err(e, "expected the path of a %s entry, got %s", t->ref_name, zc__json_kind(j));
    zc_diag why;
    if (zc_check_path(j->valuestring, strlen(j->valuestring), &why) != ZC_OK)
        return zc__err(e, "\"%.60s\" is not an entry path: %s", j->valuestring, why.message);
    char problem[160] = "";
    if (e->refs && !e->refs->check(e->refs->user, j->valuestring, t->ref_name, problem, sizeof problem))
        return zc__err(e, "reference to \"%.200s\": %s", j->valuestring, problem);
    zc_builder_put_u64(e->b, slot, zc_asset_id(j->valuestring, strlen(j->valuestring)));
    return ZC_OK;
}

/* The value `j` into the slot of `type` at `slot` (zeroed, inside e->buf). */
static zc_result zc__slot(zc__enc *e, uint32_t type, const cJSON *j, size_t slot, int optional) {
    const zc_schema_type *t = &e->s->types[type];
    if (optional && cJSON_IsNull(j)) return ZC_OK;
    zc_result r = ZC_OK;
    switch (t->kind) {
    case ZC_SCHEMA_STRING:
        if (!cJSON_IsString(j)) return zc__err(e, "expected string, got %s", zc__json_kind(j));
        if (optional) {
            zc_builder_present_string(e->b, slot, j->valuestring, strlen(j->valuestring));
            return zc__built(e);
        }
        return zc__string_bytes(e, j->valuestring, strlen(j->valuestring), slot);
    case ZC_SCHEMA_REF: return zc__ref(e, t, j, slot);
    case ZC_SCHEMA_STRUCT: {
        size_t at;
        return zc__record(e, t->decl, j, slot, &at);
    }
    case ZC_SCHEMA_INLINE: return zc__inline(e, &e->s->decls[t->decl], j, slot);
    case ZC_SCHEMA_VECTOR:
    case ZC_SCHEMA_MAP:
    case ZC_SCHEMA_UNION:
        if ((r = zc__enter(e)) != ZC_OK) return r;
        r = t->kind == ZC_SCHEMA_VECTOR ? zc__vector(e, t, j, slot)
            : t->kind == ZC_SCHEMA_MAP  ? zc__map(e, type, j, slot) : zc__union(e, &e->s->decls[t->decl], j, slot);
        e->depth--;
        return r;
    default: return zc__scalar(e, t, j, slot);
    }
}

/* ---------------------------------------------------------------------------------
 * Records
 * ------------------------------------------------------------------------------- */

/* A field the document leaves out: its default, or an error when it has none. */
static zc_result zc__absent_field(zc__enc *e, const zc_schema_field *f, size_t at) {
    const zc_schema_type *t = &e->s->types[f->type];
    if (f->optional) return ZC_OK;
    if (!f->def.set) return zc__err(e, "missing required field");
    if (t->kind == ZC_SCHEMA_STRING) return zc__string_bytes(e, f->def.s, f->def.s_length, at);
    if (!ZC_SCHEMA_IS_SCALAR(t->kind) && t->kind != ZC_SCHEMA_ENUM) return ZC_OK; /* [], {}, null: zero slot */
    uint64_t bits = zc__schema_default_bits(e->s, f);
    zc_schema_kind kind = t->kind == ZC_SCHEMA_ENUM ? e->s->decls[t->decl].underlying : t->kind;
    zc_builder_put(e->b, at, &bits, zc__schema_scalar_size(kind));
    return ZC_OK;
}

static zc_result zc__field(zc__enc *e, const zc_schema_field *f, const cJSON *item, size_t record) {
    const zc_schema_type *t = &e->s->types[f->type];
    int optional_scalar = f->offset != f->presence;
    if (!item) return zc__absent_field(e, f, record + f->offset);
    if (cJSON_IsNull(item) && !f->optional && t->kind != ZC_SCHEMA_UNION)
        return zc__err(e, "expected %s, got null",
                       t->kind == ZC_SCHEMA_ENUM || t->kind == ZC_SCHEMA_STRUCT || t->kind == ZC_SCHEMA_INLINE
                           ? e->s->decls[t->decl].name : zc_schema_kind_name(t->kind));
    if (optional_scalar && !cJSON_IsNull(item)) zc_builder_put_u8(e->b, record + f->presence, 1);
    return zc__slot(e, f->type, item, record + f->offset, f->optional);
}

/* The record of `decl` for the object `j`, linked from the zc_rel_ptr at `from`
 * (SIZE_MAX: the root record); its position in *out. */
static zc_result zc__record(zc__enc *e, uint32_t decl, const cJSON *j, size_t from, size_t *out) {
    const zc_schema_decl *d = &e->s->decls[decl];
    if (!cJSON_IsObject(j)) return zc__err(e, "expected %s (an object), got %s", d->name, zc__json_kind(j));
    zc_result r = zc__enter(e);
    if (r == ZC_OK) r = zc__object_of(e, d, j);
    if (r != ZC_OK) return r;
    size_t at = from == SIZE_MAX ? zc_builder_root(e->b, d->size) : zc_builder_struct(e->b, from, d->size);
    if ((r = zc__built(e)) != ZC_OK) return r;
    for (uint32_t i = 0; i < d->count; ++i) {
        const zc_schema_field *f = &d->fields[i];
        size_t old = zc__push(e, ".%s", f->name, 0);
        if ((r = zc__field(e, f, cJSON_GetObjectItemCaseSensitive(j, f->name), at)) != ZC_OK) return r;
        zc__pop(e, old);
    }
    e->depth--;
    *out = at;
    return ZC_OK;
}

zc_result zc_schema_encode(const zc_schema *schema, const char *json_file, const char *json, size_t length,
                           uint8_t **out, size_t *out_size, zc_diag *diag) {
    return zc_schema_encode_refs(schema, json_file, json, length, NULL, out, out_size, diag);
}

zc_result zc_schema_encode_refs(const zc_schema *schema, const char *json_file, const char *json, size_t length,
                                const zc_schema_ref_check *refs, uint8_t **out, size_t *out_size, zc_diag *diag) {
    *out = NULL;
    *out_size = 0;
    zc__enc e;
    memset(&e, 0, sizeof e);
    e.s = schema;
    e.file = json_file;
    e.diag = diag;
    e.refs = refs;
    cJSON *doc = cJSON_ParseWithLength(json, length);
    if (!doc) {
        const char *at = cJSON_GetErrorPtr();
        size_t offset = at && at >= json && at <= json + length ? (size_t)(at - json) : 0;
        return zc__err(&e, "not valid JSON (near byte %zu)", offset);
    }
    zc_result r = zc_builder_create(&e.b, NULL);
    if (r != ZC_OK) {
        cJSON_Delete(doc);
        zc__err(&e, "out of memory");
        return r;
    }
    size_t root;
    r = zc__record(&e, schema->root, doc, SIZE_MAX, &root);
    cJSON_Delete(doc);
    uint64_t size = 0;
    if (r == ZC_OK) {
        r = zc_builder_release(e.b, out, &size, NULL);
        if (r != ZC_OK) r = zc__built(&e);
    }
    zc_builder_destroy(e.b);
    *out_size = (size_t)size;
    return r;
}
