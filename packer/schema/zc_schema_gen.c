/* zc_schema_gen.c - the header generator of the schema compiler, first part (SPEC.md
 * 16.9): the prologue with the hashes and the shared helpers, enums, unions, the
 * record structs with their _Static_asserts and default records, and the accessors.
 * The validator and the JSON dumper come from zc_schema_gen_check.c and
 * zc_schema_gen_dump.c. The schema is trusted (a zc_schema_parse result).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "zc_schema_internal.h"

/* Helpers every generated header shares, defined once when several are included. */
static const char zc__helpers[] =
    "#ifndef ZCS__HELPERS_1\n"
    "#define ZCS__HELPERS_1\n"
    "#define ZCS_MAX_DEPTH 64u            /* records, vectors, maps, unions on a path */\n"
    "#define ZCS_MAX_COUNT (1u << 24)     /* vector elements, map entries */\n"
    "#define ZCS_MAX_CAPACITY (1u << 25)  /* map hash slots */\n"
    "#define ZCS_MAX_STRING (1u << 24)    /* string bytes, NUL excluded */\n"
    "#define ZCS_MAX_STRUCT 65536u        /* struct_size */\n"
    "\n"
    "/* A map field (SPEC.md 16.4): entry records, then u32 hash slots (0 = empty, k + 1 =\n"
    " * entry k) probed linearly from the key's hash. */\n"
    "typedef struct zcs_map {\n"
    "    zc_array entries;\n"
    "    zc_array slots;\n"
    "} zcs_map;\n"
    "ZC_STATIC_ASSERT(sizeof(zcs_map) == 32, \"zcs_map size\");\n"
    "\n"
    "/* Key hashes of maps. Pure. */\n"
    "static inline uint32_t zcs_hash_string(const void *bytes, uint64_t length) {\n"
    "    uint32_t h = 2166136261u;\n"
    "    for (uint64_t i = 0; i < length; ++i) {\n"
    "        h ^= ((const uint8_t *)bytes)[i];\n"
    "        h *= 16777619u;\n"
    "    }\n"
    "    return h;\n"
    "}\n"
    "static inline uint32_t zcs_hash_int(uint64_t x) {\n"
    "    x ^= x >> 33;\n"
    "    x *= UINT64_C(0xff51afd7ed558ccd);\n"
    "    x ^= x >> 33;\n"
    "    x *= UINT64_C(0xc4ceb9fe1a85ec53);\n"
    "    x ^= x >> 33;\n"
    "    return (uint32_t)x;\n"
    "}\n"
    "\n"
    "/* The entry of a map whose key equals the given one, or NULL. Validated data only. */\n"
    "static inline const uint8_t *zcs_map_find_string(const zcs_map *m, uint64_t entry_size, const char *key,\n"
    "                                                 uint64_t length) {\n"
    "    uint64_t mask = m->slots.count - 1;\n"
    "    if (m->slots.count == 0) return NULL;\n"
    "    const uint32_t *slots = (const uint32_t *)zc_array_data(&m->slots);\n"
    "    const uint8_t *entries = (const uint8_t *)zc_array_data(&m->entries);\n"
    "    for (uint64_t i = zcs_hash_string(key, length) & mask;; i = (i + 1) & mask) {\n"
    "        if (slots[i] == 0) return NULL;\n"
    "        const uint8_t *e = entries + (uint64_t)(slots[i] - 1) * entry_size;\n"
    "        const zc_string *k = (const zc_string *)(const void *)e;\n"
    "        if (k->length == length && (length == 0 || memcmp(zc_string_data(k), key, length) == 0)) return e;\n"
    "    }\n"
    "}\n"
    "static inline const uint8_t *zcs_map_find_int(const zcs_map *m, uint64_t entry_size, uint64_t key) {\n"
    "    uint64_t mask = m->slots.count - 1;\n"
    "    if (m->slots.count == 0) return NULL;\n"
    "    const uint32_t *slots = (const uint32_t *)zc_array_data(&m->slots);\n"
    "    const uint8_t *entries = (const uint8_t *)zc_array_data(&m->entries);\n"
    "    for (uint64_t i = zcs_hash_int(key) & mask;; i = (i + 1) & mask) {\n"
    "        if (slots[i] == 0) return NULL;\n"
    "        const uint8_t *e = entries + (uint64_t)(slots[i] - 1) * entry_size;\n"
    "        if (*(const uint64_t *)(const void *)e == key) return e;\n"
    "    }\n"
    "}\n"
    "/* The empty map an absent map field reads as. */\n"
    "static inline const zcs_map *zcs_map_empty(void) {\n"
    "    static const zcs_map empty = { { 0, 0 }, { 0, 0 } };\n"
    "    return &empty;\n"
    "}\n"
    "#endif /* ZCS__HELPERS_1 */\n"
    "/* The alignment of a type, for the _Static_asserts of inline structs. */\n"
    "#ifndef ZCS_ALIGNOF\n"
    "#ifdef __cplusplus\n"
    "#define ZCS_ALIGNOF(type) alignof(type)\n"
    "#else\n"
    "#define ZCS_ALIGNOF(type) _Alignof(type)\n"
    "#endif\n"
    "#endif\n\n";

const char *zc__gen_slot_ctype(const zc_schema *s, uint32_t type) {
    const zc_schema_type *t = &s->types[type];
    switch (t->kind) {
#define ZC__CTYPE(name, text, ctype, size) case ZC_SCHEMA_##name: return ctype;
    ZC_SCHEMA_SCALAR_LIST(ZC__CTYPE)
#undef ZC__CTYPE
    case ZC_SCHEMA_ENUM: case ZC_SCHEMA_UNION: case ZC_SCHEMA_INLINE: return s->decls[t->decl].name;
    case ZC_SCHEMA_STRING: return "zc_string";
    case ZC_SCHEMA_STRUCT: return "zc_rel_ptr";
    case ZC_SCHEMA_VECTOR: return "zc_array";
    case ZC_SCHEMA_MAP: return "zcs_map";
    case ZC_SCHEMA_REF: return "uint64_t";
    }
    return "?";
}

int zc__gen_needs_check(const zc_schema *s, uint32_t type) {
    zc_schema_kind k = s->types[type].kind;
    if (k == ZC_SCHEMA_INLINE) return s->decls[s->types[type].decl].checked;
    return !(ZC_SCHEMA_IS_INTEGER(k) || ZC_SCHEMA_IS_FLOAT(k));
}

/* ---------------------------------------------------------------------------------
 * Literals
 * ------------------------------------------------------------------------------- */

void zc__gen_c_string(FILE *out, const char *s, size_t n) {
    fputc('"', out);
    for (size_t i = 0; i < n; ++i) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f || c == '?') fprintf(out, "\\%03o", c);
        else fputc(c, out);
    }
    fputc('"', out);
}

/* The C expression of a scalar or enum field's default (0 when it has none). */
static void zc__c_default(const zc__gen *g, const zc_schema_field *f, FILE *out) {
    zc_schema_kind k = g->s->types[f->type].kind;
    const char *ctype = zc__gen_slot_ctype(g->s, f->type);
    int has = f->def.set && !f->optional;
    if (ZC_SCHEMA_IS_FLOAT(k)) fprintf(out, "(%s)%.17g", ctype, has ? f->def.f : 0.0);
    else if (k == ZC_SCHEMA_I64 && has && f->def.i == INT64_MIN) fprintf(out, "(-INT64_C(9223372036854775807) - 1)");
    else if (ZC_SCHEMA_IS_SIGNED(k)) fprintf(out, "(%s)INT64_C(%" PRId64 ")", ctype, has ? f->def.i : 0);
    else fprintf(out, "(%s)UINT64_C(%" PRIu64 ")", ctype, has ? f->def.u : 0);
}

/* ---------------------------------------------------------------------------------
 * Declarations
 * ------------------------------------------------------------------------------- */

static void zc__gen_enum(const zc__gen *g, const zc_schema_decl *d) {
    FILE *o = g->out;
    const char *ct = d->underlying == ZC_SCHEMA_U8 ? "uint8_t" : d->underlying == ZC_SCHEMA_U16 ? "uint16_t" : "uint32_t";
    fprintf(o, "typedef %s %s;\n", ct, d->name);
    for (uint32_t i = 0; i < d->count; ++i)
        fprintf(o, "#define %s_%s ((%s)%" PRIu64 "u)\n", d->name, d->names[i], d->name, d->values[i]);
    fprintf(o, "/* Name of a value of %s; NULL for a value the enum does not declare. Pure. */\n", d->name);
    fprintf(o, "static inline const char *%s_name(uint64_t value) {\n    switch (value) {\n", d->name);
    for (uint32_t i = 0; i < d->count; ++i)
        fprintf(o, "    case %" PRIu64 "u: return \"%s\";\n", d->values[i], d->names[i]);
    fprintf(o, "    default: return NULL;\n    }\n}\n\n");
}

static void zc__gen_union(const zc__gen *g, const zc_schema_decl *d) {
    FILE *o = g->out;
    fprintf(o, "/* Union %s: tag 0 = none, else the member (SPEC.md 16.2). */\n", d->name);
    fprintf(o, "typedef struct %s {\n    uint32_t tag;\n    uint32_t reserved;          /* zero */\n"
               "    zc_rel_ptr value;           /* the member's record; null when tag is 0 */\n} %s;\n",
            d->name, d->name);
    fprintf(o, "ZC_STATIC_ASSERT(sizeof(%s) == 16, \"%s size\");\n", d->name, d->name);
    fprintf(o, "#define %s_NONE 0u\n", d->name);
    for (uint32_t i = 0; i < d->count; ++i) fprintf(o, "#define %s_%s %uu\n", d->name, g->s->decls[d->members[i]].name, i + 1);
    fputc('\n', o);
}

static void zc__pad(FILE *o, uint32_t at, uint32_t to) {
    if (to > at) fprintf(o, "    uint8_t zcs_pad%u[%u];\n", at, to - at);
}

/* The initializer of an all-zero value of inline struct `d`: every member named, so
 * C++'s -Wmissing-field-initializers has nothing to say. */
static void zc__inline_zero(const zc__gen *g, const zc_schema_decl *d) {
    FILE *o = g->out;
    uint32_t at = 0;
    fputc('{', o);
    for (uint32_t i = 0; i < d->count; ++i) {
        const zc_schema_field *f = &d->fields[i];
        const zc_schema_type *t = &g->s->types[f->type];
        fprintf(o, "%s%s", i ? ", " : " ", f->offset > at ? "{ 0 }, " : "");
        if (t->kind == ZC_SCHEMA_INLINE) zc__inline_zero(g, &g->s->decls[t->decl]);
        else fputc('0', o);
        at = f->offset + f->size;
    }
    fprintf(o, "%s }", d->size > at ? ", { 0 }" : "");
}

/* An inline struct: a plain C struct whose layout is the slot's (SPEC.md 16.2), its
 * padding named so an initializer zeroes it, then V_zero(), the value an absent field
 * reads as. Written after the inline structs it holds (zc__gen_inline_order). */
static void zc__gen_inline(const zc__gen *g, const zc_schema_decl *d) {
    FILE *o = g->out;
    fprintf(o, "/* Inline struct %s: %u bytes aligned to %u, stored in place (SPEC.md 16.2). */\n", d->name, d->size,
            d->align);
    fprintf(o, "typedef struct %s {\n", d->name);
    uint32_t at = 0;
    for (uint32_t i = 0; i < d->count; ++i) {
        const zc_schema_field *f = &d->fields[i];
        zc__pad(o, at, f->offset);
        fprintf(o, "    %s %s;\n", zc__gen_slot_ctype(g->s, f->type), f->name);
        at = f->offset + f->size;
    }
    zc__pad(o, at, d->size);
    fprintf(o, "} %s;\n", d->name);
    fprintf(o, "ZC_STATIC_ASSERT(sizeof(%s) == %u, \"%s size\");\n", d->name, d->size, d->name);
    fprintf(o, "ZC_STATIC_ASSERT(ZCS_ALIGNOF(%s) == %u, \"%s alignment\");\n", d->name, d->align, d->name);
    for (uint32_t i = 0; i < d->count; ++i)
        fprintf(o, "ZC_CHECK_LAYOUT(%s, %s, %u);\n", d->name, d->fields[i].name, d->fields[i].offset);
    fprintf(o, "static inline const %s *%s_zero(void) {\n    static const %s zero = ", d->name, d->name, d->name);
    zc__inline_zero(g, d);
    fprintf(o, ";\n    return &zero;\n}\n\n");
}

static void zc__inline_visit(const zc_schema *s, uint32_t decl, uint8_t *seen, uint32_t *order, uint32_t *n) {
    const zc_schema_decl *d = &s->decls[decl];
    if (seen[decl]) return;
    seen[decl] = 1;
    for (uint32_t i = 0; i < d->count; ++i) {
        const zc_schema_type *t = &s->types[d->fields[i].type];
        if (t->kind == ZC_SCHEMA_INLINE) zc__inline_visit(s, t->decl, seen, order, n);
    }
    order[(*n)++] = decl;
}

uint32_t *zc__gen_inline_order(const zc_schema *s, uint32_t *count) {
    uint32_t *order = (uint32_t *)malloc((s->decl_count + 1) * sizeof *order);
    uint8_t *seen = (uint8_t *)calloc(s->decl_count + 1, 1);
    *count = 0;
    if (!order || !seen) {
        free(order);
        free(seen);
        return NULL;
    }
    for (uint32_t i = 0; i < s->decl_count; ++i)
        if (s->decls[i].kind == ZC_SCHEMA_DECL_INLINE) zc__inline_visit(s, i, seen, order, count);
    free(seen);
    return order;
}

static void zc__gen_struct(const zc__gen *g, const zc_schema_decl *d) {
    FILE *o = g->out;
    fprintf(o, "/* %s: %u bytes; readers accept struct_size from %u (SPEC.md 16.3). */\n", d->name, d->size, d->base_size);
    fprintf(o, "typedef struct %s {\n    uint32_t struct_size;\n", d->name);
    uint32_t at = 4;
    for (uint32_t i = 0; i < d->count; ++i) {
        const zc_schema_field *f = &d->fields[i];
        zc__pad(o, at, f->presence);
        if (f->offset != f->presence) {
            fprintf(o, "    uint8_t %s_present;\n", f->name);
            zc__pad(o, f->presence + 1, f->offset);
        }
        fprintf(o, "    %s %s;%s\n", zc__gen_slot_ctype(g->s, f->type), f->name, i >= d->base_count ? " /* appended */" : "");
        at = f->presence + f->size;
    }
    zc__pad(o, at, d->size);
    fprintf(o, "} %s;\n", d->name);
    fprintf(o, "ZC_STATIC_ASSERT(sizeof(%s) == %u, \"%s size\");\n", d->name, d->size, d->name);
    for (uint32_t i = 0; i < d->count; ++i) {
        const zc_schema_field *f = &d->fields[i];
        if (f->offset != f->presence) fprintf(o, "ZC_CHECK_LAYOUT(%s, %s_present, %u);\n", d->name, f->name, f->presence);
        fprintf(o, "ZC_CHECK_LAYOUT(%s, %s, %u);\n", d->name, f->name, f->offset);
    }
    fprintf(o, "#define %s_BASE_SIZE %uu\n", d->name, d->base_size);
    /* The record an absent required struct reads as: struct_size 8, so every field is
     * absent and reads as its default. */
    fprintf(o, "static inline const %s *%s_default(void) {\n    static const %s record = { 8", d->name, d->name, d->name);
    at = 4;
    for (uint32_t i = 0; i < d->count; ++i) {
        const zc_schema_field *f = &d->fields[i];
        zc_schema_kind k = g->s->types[f->type].kind;
        if (f->presence > at) fprintf(o, ", { 0 }");
        if (f->offset != f->presence) fprintf(o, f->offset > f->presence + 1 ? ", 0, { 0 }" : ", 0");
        if (k == ZC_SCHEMA_INLINE) {
            fprintf(o, ", ");
            zc__inline_zero(g, &g->s->decls[g->s->types[f->type].decl]);
        }
        else fprintf(o, "%s", k == ZC_SCHEMA_MAP ? ", { { 0, 0 }, { 0, 0 } }" : k == ZC_SCHEMA_UNION ? ", { 0, 0, { 0 } }"
                         : k == ZC_SCHEMA_STRING || k == ZC_SCHEMA_VECTOR ? ", { 0, 0 }"
                         : k == ZC_SCHEMA_STRUCT ? ", { 0 }" : ", 0");
        at = f->presence + f->size;
    }
    if (d->size > at) fprintf(o, ", { 0 }");
    fprintf(o, " };\n    return &record;\n}\n\n");
}

/* ---------------------------------------------------------------------------------
 * Accessors
 * ------------------------------------------------------------------------------- */

/* The element getter of a vector field: by value for numbers and refs, resolved for
 * structs, the slot for vectors, maps and unions. */
static void zc__gen_vector_at(const zc__gen *g, const char *s, const zc_schema_field *f, uint32_t elem) {
    FILE *o = g->out;
    const zc_schema_type *t = &g->s->types[elem];
    const char *ct = zc__gen_slot_ctype(g->s, elem);
    const char *name = f->name;
    if (t->kind == ZC_SCHEMA_STRING) {
        fprintf(o, "static inline const char *%s_%s_at(const %s *s, uint64_t i, uint64_t *length) {\n"
                   "    const zc_string *e = %s_%s_data(s) + i;\n    if (length) *length = e->length;\n"
                   "    return zc_string_data(e);\n}\n", s, name, s, s, name);
    } else if (t->kind == ZC_SCHEMA_STRUCT) {
        const char *st = g->s->decls[t->decl].name;
        fprintf(o, "static inline const %s *%s_%s_at(const %s *s, uint64_t i) {\n"
                   "    return (const %s *)zc_rel_resolve(%s_%s_data(s) + i);\n}\n", st, s, name, s, st, s, name);
    } else if (t->kind == ZC_SCHEMA_VECTOR || t->kind == ZC_SCHEMA_MAP || t->kind == ZC_SCHEMA_UNION ||
               t->kind == ZC_SCHEMA_INLINE) {
        fprintf(o, "static inline const %s *%s_%s_at(const %s *s, uint64_t i) { return %s_%s_data(s) + i; }\n", ct, s,
                name, s, s, name);
    } else if (t->kind == ZC_SCHEMA_BOOL) {
        fprintf(o, "static inline int %s_%s_at(const %s *s, uint64_t i) { return %s_%s_data(s)[i] != 0; }\n", s, name, s,
                s, name);
    } else {
        fprintf(o, "static inline %s %s_%s_at(const %s *s, uint64_t i) { return %s_%s_data(s)[i]; }\n", ct, s, name, s,
                s, name);
    }
}

static void zc__gen_vector(const zc__gen *g, const char *s, const zc_schema_field *f, uint32_t end) {
    FILE *o = g->out;
    uint32_t elem = g->s->types[f->type].elem;
    const char *ct = zc__gen_slot_ctype(g->s, elem);
    fprintf(o, "static inline uint64_t %s_%s_count(const %s *s) { return s->struct_size >= %u ? s->%s.count : 0; }\n", s,
            f->name, s, end, f->name);
    fprintf(o, "static inline const %s *%s_%s_data(const %s *s) {\n"
               "    return s->struct_size >= %u ? (const %s *)zc_array_data(&s->%s) : NULL;\n}\n",
            ct, s, f->name, s, end, ct, f->name);
    zc__gen_vector_at(g, s, f, elem);
}

static void zc__gen_map(const zc__gen *g, const char *s, const zc_schema_field *f, uint32_t end) {
    FILE *o = g->out;
    const zc_schema_type *t = &g->s->types[f->type];
    const zc_schema_type *v = &g->s->types[t->elem];
    uint32_t es = zc__schema_map_entry_size(g->s, f->type), vo = zc__schema_map_value_offset(t->key);
    fprintf(o, "static inline const zcs_map *%s_%s(const %s *s) { return s->struct_size >= %u ? &s->%s : zcs_map_empty(); }\n",
            s, f->name, s, end, f->name);
    fprintf(o, "static inline uint64_t %s_%s_count(const %s *s) { return %s_%s(s)->entries.count; }\n", s, f->name, s, s,
            f->name);
    int is_struct = v->kind == ZC_SCHEMA_STRUCT;
    const char *rt = is_struct ? g->s->decls[v->decl].name : zc__gen_slot_ctype(g->s, t->elem);
    fprintf(o, "/* The value of key `key` in %s.%s, or NULL. O(1) expected; validated data only. */\n", s, f->name);
    if (t->key == ZC_SCHEMA_STRING)
        fprintf(o, "static inline const %s *%s_%s_find(const %s *s, const char *key, uint64_t length) {\n"
                   "    const uint8_t *e = zcs_map_find_string(%s_%s(s), %u, key, length);\n", rt, s, f->name, s, s,
                f->name, es);
    else
        fprintf(o, "static inline const %s *%s_%s_find(const %s *s, uint64_t key) {\n"
                   "    const uint8_t *e = zcs_map_find_int(%s_%s(s), %u, key);\n", rt, s, f->name, s, s, f->name, es);
    if (is_struct)
        fprintf(o, "    return e ? (const %s *)zc_rel_resolve((const zc_rel_ptr *)(const void *)(e + %u)) : NULL;\n}\n", rt, vo);
    else
        fprintf(o, "    return e ? (const %s *)(const void *)(e + %u) : NULL;\n}\n", rt, vo);
}

static void zc__gen_union_field(const zc__gen *g, const char *s, const zc_schema_field *f, uint32_t end) {
    FILE *o = g->out;
    const zc_schema_decl *u = &g->s->decls[g->s->types[f->type].decl];
    fprintf(o, "static inline uint32_t %s_%s_type(const %s *s) { return s->struct_size >= %u ? s->%s.tag : 0; }\n", s,
            f->name, s, end, f->name);
    for (uint32_t i = 0; i < u->count; ++i) {
        const char *m = g->s->decls[u->members[i]].name;
        fprintf(o, "static inline const %s *%s_%s_as_%s(const %s *s) {\n"
                   "    return %s_%s_type(s) == %uu ? (const %s *)zc_rel_resolve(&s->%s.value) : NULL;\n}\n",
                m, s, f->name, m, s, s, f->name, i + 1, m, f->name);
    }
}

static void zc__gen_scalar_field(const zc__gen *g, const char *s, const zc_schema_field *f, uint32_t end) {
    FILE *o = g->out;
    zc_schema_kind k = g->s->types[f->type].kind;
    const char *ct = zc__gen_slot_ctype(g->s, f->type);
    if (f->optional) {
        fprintf(o, "/* 1 and *value when %s.%s is present; 0 when absent. */\n", s, f->name);
        fprintf(o, "static inline int %s_%s(const %s *s, %s *value) {\n"
                   "    if (s->struct_size < %u || !s->%s_present) return 0;\n"
                   "    if (value) *value = s->%s;\n    return 1;\n}\n", s, f->name, s, ct, end, f->name, f->name);
        return;
    }
    fprintf(o, "static inline %s %s_%s(const %s *s) { return s->struct_size >= %u ? ", k == ZC_SCHEMA_BOOL ? "int" : ct,
            s, f->name, s, end);
    fprintf(o, k == ZC_SCHEMA_BOOL ? "s->%s != 0 : " : "s->%s : ", f->name);
    zc__c_default(g, f, o);
    fprintf(o, "; }\n");
}

static void zc__gen_field(const zc__gen *g, const zc_schema_decl *d, const zc_schema_field *f) {
    FILE *o = g->out;
    const char *s = d->name;
    const zc_schema_type *t = &g->s->types[f->type];
    uint32_t end = f->presence + f->size;
    switch (t->kind) {
    case ZC_SCHEMA_STRING:
        if (f->optional) {
            fprintf(o, "/* %s.%s's bytes (NUL-terminated) and *length, or NULL and 0 when absent. */\n"
                       "static inline const char *%s_%s(const %s *s, uint64_t *length) {\n"
                       "    int present = s->struct_size >= %u && s->%s.offset != 0;\n"
                       "    if (length) *length = present ? s->%s.length : 0;\n"
                       "    return present ? zc_string_data(&s->%s) : NULL;\n}\n",
                    s, f->name, s, f->name, s, end, f->name, f->name, f->name);
            break;
        }
        fprintf(o, "static inline const char *%s_%s(const %s *s, uint64_t *length) {\n"
                   "    if (s->struct_size < %u) {\n        if (length) *length = %zu;\n        return ",
                s, f->name, s, end, f->def.set ? f->def.s_length : 0);
        zc__gen_c_string(o, f->def.set ? f->def.s : "", f->def.set ? f->def.s_length : 0);
        fprintf(o, ";\n    }\n    if (length) *length = s->%s.length;\n    return zc_string_data(&s->%s);\n}\n", f->name,
                f->name);
        break;
    case ZC_SCHEMA_STRUCT: {
        const char *st = g->s->decls[t->decl].name;
        fprintf(o, "static inline const %s *%s_%s(const %s *s) {\n"
                   "    if (s->struct_size < %u || !s->%s.offset) return %s%s;\n"
                   "    return (const %s *)zc_rel_resolve(&s->%s);\n}\n",
                st, s, f->name, s, end, f->name, f->optional ? "NULL" : st, f->optional ? "" : "_default()", st,
                f->name);
        break;
    }
    case ZC_SCHEMA_REF:
        fprintf(o, "static inline uint64_t %s_%s(const %s *s) { return s->struct_size >= %u ? s->%s : 0; }\n", s, f->name,
                s, end, f->name);
        break;
    case ZC_SCHEMA_INLINE: {
        const char *it = g->s->decls[t->decl].name;
        if (f->optional)
            fprintf(o, "/* %s.%s in place, or NULL when absent. */\n"
                       "static inline const %s *%s_%s(const %s *s) {\n"
                       "    return s->struct_size >= %u && s->%s_present ? &s->%s : NULL;\n}\n",
                    s, f->name, it, s, f->name, s, end, f->name, f->name);
        else
            fprintf(o, "static inline const %s *%s_%s(const %s *s) { return s->struct_size >= %u ? &s->%s : %s_zero(); }\n",
                    it, s, f->name, s, end, f->name, it);
        break;
    }
    case ZC_SCHEMA_VECTOR: zc__gen_vector(g, s, f, end); break;
    case ZC_SCHEMA_MAP: zc__gen_map(g, s, f, end); break;
    case ZC_SCHEMA_UNION: zc__gen_union_field(g, s, f, end); break;
    default: zc__gen_scalar_field(g, s, f, end); break;
    }
}

static void zc__gen_accessors(const zc__gen *g, const zc_schema_decl *d) {
    fprintf(g->out, "/* Accessors of %s: validated data only; an absent field reads as its default. */\n", d->name);
    for (uint32_t i = 0; i < d->count; ++i) zc__gen_field(g, d, &d->fields[i]);
    fputc('\n', g->out);
}

/* ---------------------------------------------------------------------------------
 * The header
 * ------------------------------------------------------------------------------- */

/* `name` in ASCII upper case into out (`size` bytes, always NUL-terminated). */
static void zc__upper(const char *name, char *out, size_t size) {
    size_t i = 0;
    for (; name[i] && i + 1 < size; ++i) out[i] = (char)toupper((unsigned char)name[i]);
    out[i] = 0;
}

static void zc__gen_prologue(const zc__gen *g, const char *guard) {
    FILE *o = g->out;
    const zc_schema *s = g->s;
    fprintf(o, "/* Generated by `zcpack schema %s`: do not edit. Archived types of the schema\n"
               " * (formats/SPEC.md section 16), their accessors, a validator for untrusted bytes\n"
               " * and a JSON dumper. Needs formats/ on the include path. */\n", s->file);
    fprintf(o, "#ifndef ZCS_%s\n#define ZCS_%s\n\n#include <stdint.h>\n#include <stdio.h>\n#include <string.h>\n\n"
               "#include \"zc_format.h\"\n#ifdef ZCS_WITH_BUILDER\n#include \"zc_schema_builder.h\"\n#endif\n\n"
               "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n", guard, guard);
    char upper[80];
    zc__upper(g->p, upper, sizeof upper);
    uint32_t tag = s->type_tag;
    fprintf(o, "#define %s_TYPE_TAG ZC_FOURCC('%c', '%c', '%c', '%c')\n", upper, (char)(tag & 0xff), (char)(tag >> 8 & 0xff),
            (char)(tag >> 16 & 0xff), (char)(tag >> 24));
    fprintf(o, "#define %s_LAYOUT_DESC ", upper);
    zc__gen_c_string(o, s->layout_desc, strlen(s->layout_desc));
    fprintf(o, "\n#define %s_LAYOUT_HASH 0x%08xu /* zc_layout_hash(%s_LAYOUT_DESC) */\n", upper, s->layout_hash, upper);
    fprintf(o, "#define %s_SCHEMA_HASH 0x%08xu /* of the full canonical form, appended fields included */\n\n", upper,
            s->schema_hash);
    fputs(zc__helpers, o);
}

/* The initializer of the zc_type_row that registers the root type with a reader
 * (zc_pack_desc.types): a macro, so a file that includes the header and does not
 * register the type carries no unused object. */
static void zc__gen_type_row(const zc__gen *g) {
    char upper[80];
    zc__upper(g->p, upper, sizeof upper);
    fprintf(g->out, "/* The row that registers %s entries with a reader: zc_type_row rows[] = { %s_TYPE_ROW };\n"
                    " * then zc_pack_desc.types = rows, .type_count = 1 (SPEC.md 16.10). */\n"
                    "#define %s_TYPE_ROW { %s_TYPE_TAG, %s_LAYOUT_HASH, %s_validate, \"%s\" }\n\n",
            g->p, upper, upper, upper, upper, g->p, g->p);
}

zc_result zc_schema_gen_header(const zc_schema *schema, const char *guard, FILE *out) {
    uint32_t inline_count;
    uint32_t *inlines = zc__gen_inline_order(schema, &inline_count);
    if (!inlines) return ZC_ERR_OUT_OF_MEMORY;
    zc__gen g = { schema, out, schema->decls[schema->root].name, inlines, inline_count };
    zc__gen_prologue(&g, guard);
    for (int pass = 0; pass < 2; ++pass)
        for (uint32_t i = 0; i < schema->decl_count; ++i) {
            const zc_schema_decl *d = &schema->decls[i];
            if (pass == 0 && d->kind == ZC_SCHEMA_DECL_ENUM) zc__gen_enum(&g, d);
            if (pass == 1 && d->kind == ZC_SCHEMA_DECL_UNION) zc__gen_union(&g, d);
        }
    for (uint32_t i = 0; i < inline_count; ++i) zc__gen_inline(&g, &schema->decls[inlines[i]]);
    for (uint32_t i = 0; i < schema->decl_count; ++i)
        if (schema->decls[i].kind == ZC_SCHEMA_DECL_STRUCT) zc__gen_struct(&g, &schema->decls[i]);
    for (uint32_t i = 0; i < schema->decl_count; ++i)
        if (schema->decls[i].kind == ZC_SCHEMA_DECL_STRUCT) zc__gen_accessors(&g, &schema->decls[i]);
    const char *root = g.p;
    fprintf(out, "/* The root record of a validated %s entry. */\n"
                 "static inline const %s *%s_root(const void *entry) { return (const %s *)entry; }\n\n",
            root, root, root, root);
    zc__gen_check(&g);
    zc__gen_type_row(&g);
    zc__gen_dump(&g);
    zc__gen_build(&g);
    free(inlines);
    fprintf(out, "#ifdef __cplusplus\n}\n#endif\n\n#endif /* ZCS_%s */\n", guard);
    return ferror(out) ? ZC_ERR_IO : ZC_OK;
}
