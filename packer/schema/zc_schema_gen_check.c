/* zc_schema_gen_check.c - the header generator's validator part (SPEC.md 16.8): the
 * shared check helpers, one slot check per type, one record check per struct, and
 * <Root>_validate, which is safe on untrusted bytes: bounds and alignment through
 * formats/zc_format.h's zc_check_* functions, UTF-8 strings, depth and count limits,
 * a work budget of the entry's size, no allocation. The schema is trusted.
 */
#include <string.h>

#include "zc_schema_internal.h"

static const char zc__check_helpers[] =
    "#ifndef ZCS__CHECK_HELPERS_2\n"
    "#define ZCS__CHECK_HELPERS_2\n"
    "/* The full checks that explain a failure stay out of the fast paths (and may go\n"
    " * unused in a program that validates nothing); the fast paths are small and\n"
    " * inlined into every caller. */\n"
    "#if defined(__GNUC__)\n"
    "#define ZCS__COLD __attribute__((cold, noinline, unused))\n"
    "#define ZCS__INLINE static inline __attribute__((always_inline))\n"
    "#elif defined(_MSC_VER)\n"
    "#define ZCS__COLD __declspec(noinline)\n"
    "#define ZCS__INLINE static __forceinline\n"
    "#else\n"
    "#define ZCS__COLD\n"
    "#define ZCS__INLINE static inline\n"
    "#endif\n"
    "/* State of one validation: the entry, and the bytes of targets it may still visit. */\n"
    "typedef struct zcs_check_ctx {\n"
    "    const uint8_t *base;\n"
    "    uint64_t size;\n"
    "    uint64_t budget;\n"
    "    zc_diag *diag;\n"
    "} zcs_check_ctx;\n"
    "\n"
    "static inline zc_result zcs_bad(zcs_check_ctx *c, uint64_t pos, const char *what) {\n"
    "    return zc_fail(c->diag, ZC_ERR_BAD_ENTRY, \"%s at %llu\", what, (unsigned long long)pos);\n"
    "}\n"
    "static inline zc_result zcs_spend(zcs_check_ctx *c, uint64_t bytes, uint64_t pos) {\n"
    "    if (bytes > c->budget)\n"
    "        return zc_fail(c->diag, ZC_ERR_LIMIT, \"targets reached from %llu exceed the entry's size in total\",\n"
    "                       (unsigned long long)pos);\n"
    "    c->budget -= bytes;\n"
    "    return ZC_OK;\n"
    "}\n"
    "static inline zc_result zcs_check_depth(zcs_check_ctx *c, uint32_t depth, uint64_t pos) {\n"
    "    if (depth > ZCS_MAX_DEPTH)\n"
    "        return zc_fail(c->diag, ZC_ERR_LIMIT, \"data nested deeper than %u at %llu\", ZCS_MAX_DEPTH,\n"
    "                       (unsigned long long)pos);\n"
    "    return ZC_OK;\n"
    "}\n"
    "/* The struct_size of the record at pos, whose first 4 bytes are inside the entry. */\n"
    "static inline zc_result zcs_check_head(zcs_check_ctx *c, uint64_t pos, uint32_t base_size) {\n"
    "    uint32_t size;\n"
    "    memcpy(&size, c->base + pos, 4);\n"
    "    if (size % 8 != 0 || size < base_size || size > ZCS_MAX_STRUCT || size > c->size - pos)\n"
    "        return zc_fail(c->diag, ZC_ERR_BAD_ENTRY, \"record at %llu has struct_size %u (a multiple of 8 from %u, inside the entry)\",\n"
    "                       (unsigned long long)pos, size, base_size);\n"
    "    return zcs_spend(c, size, pos);\n"
    "}\n"
    "/* Where the pointer at field_pos with `offset` (not 0) lands when that is inside the\n"
    " * entry: field_pos + offset without wrapping, below the entry's size; else\n"
    " * UINT64_MAX. The fast paths below use it; zc_check_target explains a failure. */\n"
    "ZCS__INLINE uint64_t zcs_target(const zcs_check_ctx *c, uint64_t field_pos, int64_t offset) {\n"
    "    uint64_t pos = field_pos + (uint64_t)offset;\n"
    "    if (offset < 0 ? pos > field_pos : pos < field_pos) return UINT64_MAX;\n"
    "    return pos < c->size ? pos : UINT64_MAX;\n"
    "}\n"
    "/* Every check of a non-null record pointer at field_pos holding offset, in the order\n"
    " * of SPEC.md 16.8, each failure with its message; *out the record's position. */\n"
    "ZCS__COLD static zc_result zcs_check_record_ptr_full(zcs_check_ctx *c, uint64_t field_pos, int64_t offset,\n"
    "                                                    uint32_t base_size, uint32_t depth, uint64_t *out) {\n"
    "    uint64_t pos = 0;\n"
    "    zc_result r = zcs_check_depth(c, depth, field_pos);\n"
    "    if (r == ZC_OK) r = zc_check_target(c->size, field_pos, 8, offset, 1, 4, 8, &pos, c->diag);\n"
    "    if (r == ZC_OK) r = zcs_check_head(c, pos, base_size);\n"
    "    if (r == ZC_OK) *out = pos;\n"
    "    return r;\n"
    "}\n"
    "/* The record a zc_rel_ptr at field_pos points at: *out its position, UINT64_MAX when\n"
    " * null (allowed only when optional). The first test accepts exactly what the full\n"
    " * checks after it accept, and spends the same budget; those run, and build the\n"
    " * message, only when it fails. */\n"
    "ZCS__INLINE zc_result zcs_check_record_ptr(zcs_check_ctx *c, uint64_t field_pos, uint32_t base_size, uint32_t depth,\n"
    "                                          int optional, uint64_t *out) {\n"
    "    int64_t offset;\n"
    "    memcpy(&offset, c->base + field_pos, 8);\n"
    "    *out = UINT64_MAX;\n"
    "    if (offset == 0) return optional ? ZC_OK : zcs_bad(c, field_pos, \"required record pointer is null\");\n"
    "    uint64_t pos = zcs_target(c, field_pos, offset);\n"
    "    if (depth <= ZCS_MAX_DEPTH && pos % 8 == 0 && pos != UINT64_MAX && c->size - pos >= 8) {\n"
    "        uint32_t size;\n"
    "        memcpy(&size, c->base + pos, 4);\n"
    "        if (size % 8 == 0 && size >= base_size && size <= ZCS_MAX_STRUCT && size <= c->size - pos && size <= c->budget) {\n"
    "            c->budget -= size;\n"
    "            *out = pos;\n"
    "            return ZC_OK;\n"
    "        }\n"
    "    }\n"
    "    return zcs_check_record_ptr_full(c, field_pos, offset, base_size, depth, out);\n"
    "}\n"
    "/* The zc_array at field_pos: elements inside the entry, aligned to 8, at most max. */\n"
    "static inline zc_result zcs_check_vector(zcs_check_ctx *c, uint64_t field_pos, uint64_t elem_size, uint64_t max,\n"
    "                                        uint32_t depth, uint64_t *at, uint64_t *count) {\n"
    "    const zc_array *a = (const zc_array *)(const void *)(c->base + field_pos);\n"
    "    zc_result r = zcs_check_depth(c, depth, field_pos);\n"
    "    if (r == ZC_OK) r = zc_check_array(c->base, c->size, a, elem_size, 8, max, c->diag);\n"
    "    if (r != ZC_OK) return r;\n"
    "    *count = a->count;\n"
    "    *at = a->offset ? (uint64_t)((const uint8_t *)zc_array_data(a) - c->base) : 0;\n"
    "    return zcs_spend(c, a->count * elem_size, field_pos);\n"
    "}\n"
    "/* Every check of the zc_string at field_pos, each failure with its message. */\n"
    "ZCS__COLD static zc_result zcs_check_string_full(zcs_check_ctx *c, uint64_t field_pos) {\n"
    "    const zc_string *s = (const zc_string *)(const void *)(c->base + field_pos);\n"
    "    zc_result r = zc_check_string(c->base, c->size, s, ZCS_MAX_STRING, c->diag);\n"
    "    if (r != ZC_OK || s->offset == 0) return r;\n"
    "    return zcs_spend(c, s->length + 1, field_pos);\n"
    "}\n"
    "/* The zc_string at field_pos (SPEC.md 7.5), its length + 1 bytes spent. Fast path\n"
    " * and full check as for record pointers. */\n"
    "ZCS__INLINE zc_result zcs_check_string(zcs_check_ctx *c, uint64_t field_pos) {\n"
    "    const zc_string *s = (const zc_string *)(const void *)(c->base + field_pos);\n"
    "    uint64_t length = s->length;\n"
    "    if (s->offset == 0 && length == 0) return ZC_OK;\n"
    "    uint64_t pos = s->offset != 0 && length <= ZCS_MAX_STRING ? zcs_target(c, field_pos, s->offset) : UINT64_MAX;\n"
    "    if (pos != UINT64_MAX && length < c->size - pos && length < c->budget && c->base[pos + length] == 0 &&\n"
    "        zc_utf8_valid_in(c->base + pos, length, c->size - pos)) {\n"
    "        c->budget -= length + 1;\n"
    "        return ZC_OK;\n"
    "    }\n"
    "    return zcs_check_string_full(c, field_pos);\n"
    "}\n"
    "/* A union slot's tag, zero word and pointer agree; *tag its tag. */\n"
    "static inline zc_result zcs_check_union(zcs_check_ctx *c, uint64_t pos, uint32_t members, uint32_t *tag) {\n"
    "    uint32_t zero;\n"
    "    int64_t offset;\n"
    "    memcpy(tag, c->base + pos, 4);\n"
    "    memcpy(&zero, c->base + pos + 4, 4);\n"
    "    memcpy(&offset, c->base + pos + 8, 8);\n"
    "    if (*tag > members || zero != 0 || (offset == 0) != (*tag == 0)) return zcs_bad(c, pos, \"malformed union\");\n"
    "    return ZC_OK;\n"
    "}\n"
    "static inline uint32_t zcs_key_hash(const uint8_t *entry, int string_keys) {\n"
    "    if (string_keys) {\n"
    "        const zc_string *k = (const zc_string *)(const void *)entry;\n"
    "        return zcs_hash_string(zc_string_data(k), k->length);\n"
    "    }\n"
    "    uint64_t key;\n"
    "    memcpy(&key, entry, 8);\n"
    "    return zcs_hash_int(key);\n"
    "}\n"
    "/* Every entry is found from its key's home slot without crossing an empty slot:\n"
    " * one pass over the slots, starting after an empty one, tracking the run length. */\n"
    "static inline zc_result zcs_check_map_probes(zcs_check_ctx *c, uint64_t pos, const uint32_t *slots, uint64_t capacity,\n"
    "                                            const uint8_t *entries, uint64_t entry_size, int string_keys) {\n"
    "    uint64_t mask = capacity - 1, start = 0, run = 0;\n"
    "    while (slots[start] != 0) start++;\n"
    "    for (uint64_t k = 1; k <= capacity; ++k) {\n"
    "        uint64_t s = (start + k) & mask;\n"
    "        if (slots[s] == 0) {\n"
    "            run = 0;\n"
    "            continue;\n"
    "        }\n"
    "        run++;\n"
    "        uint32_t home = zcs_key_hash(entries + (uint64_t)(slots[s] - 1) * entry_size, string_keys);\n"
    "        if (((s - home) & mask) >= run) return zcs_bad(c, pos, \"map entry not reachable from its key's slot\");\n"
    "    }\n"
    "    return ZC_OK;\n"
    "}\n"
    "/* A map's arrays, capacity, keys and hash slots (SPEC.md 16.4); *at and *count\n"
    " * locate its entries for the value checks. */\n"
    "static inline zc_result zcs_check_map(zcs_check_ctx *c, uint64_t pos, uint64_t entry_size, int string_keys,\n"
    "                                     uint32_t depth, uint64_t *at, uint64_t *count) {\n"
    "    uint64_t slots_at, capacity, seen = 0;\n"
    "    zc_result r = zcs_check_vector(c, pos, entry_size, ZCS_MAX_COUNT, depth, at, count);\n"
    "    if (r == ZC_OK) r = zcs_check_vector(c, pos + 16, 4, ZCS_MAX_CAPACITY, depth, &slots_at, &capacity);\n"
    "    if (r != ZC_OK) return r;\n"
    "    if ((*count == 0) != (capacity == 0) || (capacity & (capacity - 1)) != 0 || (capacity != 0 && capacity <= *count))\n"
    "        return zcs_bad(c, pos, \"map capacity is not a power of two above its count\");\n"
    "    for (uint64_t i = 0; string_keys && i < *count; ++i)\n"
    "        if ((r = zcs_check_string(c, *at + i * entry_size)) != ZC_OK) return r;\n"
    "    const uint32_t *slots = (const uint32_t *)(const void *)(c->base + slots_at);\n"
    "    for (uint64_t s = 0; s < capacity; ++s)\n"
    "        if (slots[s] != 0 && slots[s] != ++seen) return zcs_bad(c, pos, \"map slots are not in entry order\");\n"
    "    if (seen != *count) return zcs_bad(c, pos, \"map slots do not hold every entry\");\n"
    "    return capacity ? zcs_check_map_probes(c, pos, slots, capacity, c->base + *at, entry_size, string_keys) : ZC_OK;\n"
    "}\n"
    "#endif /* ZCS__CHECK_HELPERS_2 */\n\n";

static void zc__check_type(const zc__gen *g, uint32_t type);

/* 1 when the slot check of a type reaches no other record: forced inline into its
 * callers, so a record's strings and scalars are checked in one function. */
static int zc__leaf_check(const zc__gen *g, uint32_t type) {
    zc_schema_kind kind = g->s->types[type].kind;
    return kind != ZC_SCHEMA_STRUCT && kind != ZC_SCHEMA_VECTOR && kind != ZC_SCHEMA_MAP && kind != ZC_SCHEMA_UNION;
}

static void zc__signature(const zc__gen *g, uint32_t type, const char *end) {
    fprintf(g->out, "%s zc_result %s__check_t%u(zcs_check_ctx *c, uint64_t pos, uint32_t depth, int optional)%s",
            zc__leaf_check(g, type) ? "ZCS__INLINE" : "static inline", g->p, type, end);
}

static void zc__check_vector(const zc__gen *g, const zc_schema_type *t) {
    FILE *o = g->out;
    uint32_t es = zc__schema_slot_size(g->s, t->elem);
    fprintf(o, "    uint64_t at = 0, n = 0;\n    zc_result r = zcs_check_vector(c, pos, %u, ZCS_MAX_COUNT, depth + 1, &at, &n);\n", es);
    if (zc__gen_needs_check(g->s, t->elem))
        fprintf(o, "    for (uint64_t i = 0; r == ZC_OK && i < n; ++i) r = %s__check_t%u(c, at + i * %u, depth + 1, 0);\n",
                g->p, t->elem, es);
    fprintf(o, "    return r;\n");
}

static void zc__check_map(const zc__gen *g, uint32_t type, const zc_schema_type *t) {
    FILE *o = g->out;
    uint32_t es = zc__schema_map_entry_size(g->s, type), vo = zc__schema_map_value_offset(t->key);
    fprintf(o, "    uint64_t at = 0, n = 0;\n    zc_result r = zcs_check_map(c, pos, %u, %d, depth + 1, &at, &n);\n", es,
            t->key == ZC_SCHEMA_STRING);
    if (t->key == ZC_SCHEMA_U32)
        fprintf(o, "    for (uint64_t i = 0; r == ZC_OK && i < n; ++i) {\n        uint64_t key;\n"
                   "        memcpy(&key, c->base + at + i * %u, 8);\n"
                   "        if (key > 0xffffffffu) r = zcs_bad(c, at + i * %u, \"u32 map key above 2^32 - 1\");\n    }\n",
                es, es);
    if (zc__gen_needs_check(g->s, t->elem))
        fprintf(o, "    for (uint64_t i = 0; r == ZC_OK && i < n; ++i) r = %s__check_t%u(c, at + i * %u + %u, depth + 1, 0);\n",
                g->p, t->elem, es, vo);
    fprintf(o, "    return r;\n");
}

static void zc__check_union(const zc__gen *g, const zc_schema_decl *u) {
    FILE *o = g->out;
    fprintf(o, "    uint32_t tag;\n    uint64_t at;\n    zc_result r = zcs_check_union(c, pos, %u, &tag);\n"
               "    if (r != ZC_OK || tag == 0) return r;\n    switch (tag) {\n", u->count);
    for (uint32_t i = 0; i < u->count; ++i) {
        const zc_schema_decl *m = &g->s->decls[u->members[i]];
        fprintf(o, "    case %uu:\n        r = zcs_check_record_ptr(c, pos + 8, %s_BASE_SIZE, depth + 1, 0, &at);\n"
                   "        return r != ZC_OK ? r : %s__check_%s(c, at, depth + 1);\n", i + 1, m->name, g->p, m->name);
    }
    fprintf(o, "    default: return ZC_OK;\n    }\n");
}

static void zc__check_enum(const zc__gen *g, const zc_schema_decl *e) {
    FILE *o = g->out;
    const char *ct = e->underlying == ZC_SCHEMA_U8 ? "uint8_t" : e->underlying == ZC_SCHEMA_U16 ? "uint16_t" : "uint32_t";
    fprintf(o, "    %s v;\n    memcpy(&v, c->base + pos, sizeof v);\n"
               "    return %s_name(v) ? ZC_OK : zcs_bad(c, pos, \"value not declared by enum %s\");\n", ct, e->name, e->name);
}

/* An inline struct holding a bool or an enum: the checks of those fields, in place;
 * its other bytes are always valid. */
static void zc__check_inline(const zc__gen *g, const zc_schema_decl *d) {
    FILE *o = g->out;
    fprintf(o, "    zc_result r = ZC_OK;\n");
    for (uint32_t i = 0; i < d->count; ++i)
        if (zc__gen_needs_check(g->s, d->fields[i].type))
            fprintf(o, "    if ((r = %s__check_t%u(c, pos + %u, depth, 0)) != ZC_OK) return r;\n", g->p, d->fields[i].type,
                    d->fields[i].offset);
    fprintf(o, "    return r;\n");
}

/* The slot check of one type: static inline zc_result <P>__check_t<N>(c, pos, depth, optional). */
static void zc__check_type(const zc__gen *g, uint32_t type) {
    FILE *o = g->out;
    const zc_schema_type *t = &g->s->types[type];
    zc__signature(g, type, " {\n    (void)depth;\n    (void)optional;\n");
    switch (t->kind) {
    case ZC_SCHEMA_BOOL:
        fprintf(o, "    return c->base[pos] <= 1 ? ZC_OK : zcs_bad(c, pos, \"bool not 0 or 1\");\n");
        break;
    case ZC_SCHEMA_ENUM: zc__check_enum(g, &g->s->decls[t->decl]); break;
    case ZC_SCHEMA_STRING: fprintf(o, "    return zcs_check_string(c, pos);\n"); break;
    case ZC_SCHEMA_REF:
        fprintf(o, "    uint64_t id;\n    memcpy(&id, c->base + pos, 8);\n"
                   "    return id != 0 || optional ? ZC_OK : zcs_bad(c, pos, \"required ref is 0\");\n");
        break;
    case ZC_SCHEMA_STRUCT: {
        const char *st = g->s->decls[t->decl].name;
        fprintf(o, "    uint64_t at;\n    zc_result r = zcs_check_record_ptr(c, pos, %s_BASE_SIZE, depth + 1, optional, &at);\n"
                   "    if (r != ZC_OK || at == UINT64_MAX) return r;\n    return %s__check_%s(c, at, depth + 1);\n",
                st, g->p, st);
        break;
    }
    case ZC_SCHEMA_VECTOR: zc__check_vector(g, t); break;
    case ZC_SCHEMA_MAP: zc__check_map(g, type, t); break;
    case ZC_SCHEMA_UNION: zc__check_union(g, &g->s->decls[t->decl]); break;
    case ZC_SCHEMA_INLINE: zc__check_inline(g, &g->s->decls[t->decl]); break;
    default: fprintf(o, "    (void)c;\n    (void)pos;\n    return ZC_OK;\n"); break;
    }
    fprintf(o, "}\n");
}

/* An optional scalar, enum or inline struct: presence 0 or 1, value bytes zero when
 * absent; `in` indents. */
static void zc__check_optional(const zc__gen *g, const zc_schema_field *f, const char *in) {
    FILE *o = g->out;
    fprintf(o, "%sif (c->base[pos + %u] > 1) return zcs_bad(c, pos + %u, \"presence byte not 0 or 1\");\n", in,
            f->presence, f->presence);
    fprintf(o, "%sfor (uint32_t k = 0; c->base[pos + %u] == 0 && k < %u; ++k)\n"
               "%s    if (c->base[pos + %u + k] != 0) return zcs_bad(c, pos + %u, \"absent optional value not zero\");\n",
            in, f->presence, f->size - (f->offset - f->presence), in, f->offset, f->offset);
    if (zc__gen_needs_check(g->s, f->type))
        fprintf(o, "%sif (c->base[pos + %u] == 1 && (r = %s__check_t%u(c, pos + %u, depth, 0)) != ZC_OK) return r;\n", in,
                f->presence, g->p, f->type, f->offset);
}

/* 1 when a field needs a check: a type beyond plain numbers, or a presence byte. */
static int zc__field_checked(const zc__gen *g, const zc_schema_field *f) {
    return zc__gen_needs_check(g->s, f->type) || (f->optional && f->offset != f->presence);
}

/* The record check of a struct whose head was checked: each field it holds. The head
 * check put struct_size at or above the base size, so the fields that end there are
 * present and checked without a test; an appended field only when struct_size covers
 * it (SPEC.md 16.3). */
static void zc__check_struct(const zc__gen *g, const zc_schema_decl *d) {
    FILE *o = g->out;
    int appended = 0;
    for (uint32_t i = 0; i < d->count; ++i)
        if (zc__field_checked(g, &d->fields[i]) && d->fields[i].presence + d->fields[i].size > d->base_size) appended = 1;
    fprintf(o, "static inline zc_result %s__check_%s(zcs_check_ctx *c, uint64_t pos, uint32_t depth) {\n"
               "    zc_result r = ZC_OK;\n    (void)c;\n    (void)pos;\n    (void)depth;\n",
            g->p, d->name);
    if (appended) fprintf(o, "    uint32_t size;\n    memcpy(&size, c->base + pos, 4);\n");
    for (uint32_t i = 0; i < d->count; ++i) {
        const zc_schema_field *f = &d->fields[i];
        if (!zc__field_checked(g, f)) continue;
        int in_base = f->presence + f->size <= d->base_size;
        const char *in = in_base ? "    " : "        ";
        if (!in_base) fprintf(o, "    if (size >= %u) {\n", f->presence + f->size);
        if (f->offset != f->presence) zc__check_optional(g, f, in);
        else fprintf(o, "%sif ((r = %s__check_t%u(c, pos + %u, depth, %d)) != ZC_OK) return r;\n", in, g->p, f->type,
                     f->offset, f->optional);
        if (!in_base) fprintf(o, "    }\n");
    }
    fprintf(o, "    return r;\n}\n");
}

void zc__gen_check(const zc__gen *g) {
    FILE *o = g->out;
    fputs(zc__check_helpers, o);
    fprintf(o, "/* Checks of %s's types (SPEC.md 16.8), mutually recursive. */\n", g->p);
    for (uint32_t i = 0; i < g->s->type_count; ++i)
        if (zc__gen_needs_check(g->s, i)) zc__signature(g, i, ";\n");
    for (uint32_t i = 0; i < g->s->decl_count; ++i)
        if (g->s->decls[i].kind == ZC_SCHEMA_DECL_STRUCT)
            fprintf(o, "static inline zc_result %s__check_%s(zcs_check_ctx *c, uint64_t pos, uint32_t depth);\n", g->p,
                    g->s->decls[i].name);
    for (uint32_t i = 0; i < g->s->type_count; ++i)
        if (zc__gen_needs_check(g->s, i)) zc__check_type(g, i);
    for (uint32_t i = 0; i < g->s->decl_count; ++i)
        if (g->s->decls[i].kind == ZC_SCHEMA_DECL_STRUCT) zc__check_struct(g, &g->s->decls[i]);
    const char *p = g->p;
    fprintf(o, "\n/* Check `size` bytes as a %s entry (SPEC.md 16.8): ZC_OK, or the first problem\n"
               " * (ZC_ERR_BAD_ALIGNMENT, ZC_ERR_BAD_ENTRY, ZC_ERR_BAD_POINTER, ZC_ERR_BAD_STRING,\n"
               " * ZC_ERR_LIMIT) with diag (may be NULL). Safe on untrusted bytes; bytes aligned\n"
               " * to 8; no allocation, bounded recursion, O(size) work. */\n", p);
    fprintf(o, "static inline zc_result %s_validate(const void *bytes, uint64_t size, zc_diag *diag) {\n"
               "    if (!bytes || ((uintptr_t)bytes & 7u) != 0)\n"
               "        return zc_fail(diag, ZC_ERR_BAD_ALIGNMENT, \"entry bytes are not aligned to 8\");\n"
               "    if (size < 8) return zc_fail(diag, ZC_ERR_BAD_ENTRY, \"entry of %%llu bytes is too small\", (unsigned long long)size);\n"
               "    zcs_check_ctx c = { (const uint8_t *)bytes, size, size, diag };\n"
               "    zc_result r = zcs_check_head(&c, 0, %s_BASE_SIZE);\n"
               "    return r != ZC_OK ? r : %s__check_%s(&c, 0, 0);\n}\n\n", p, p, p, p);
}
