/* zc_schema_gen_build.c - the header generator's typed builder (SPEC.md 16.9): per
 * struct, functions that write its records through zc_schema_builder.h with every
 * size and offset a constant, so building costs a bounds check and a store per
 * scalar. Emitted under #ifdef ZC_SCHEMA_BUILDER_H: a program that reads only never
 * sees them, and the header stays self-contained. The schema is trusted.
 */
#include <inttypes.h>
#include <string.h>

#include "zc_schema_internal.h"

/* The scalar kind a slot of `type` stores (enums: their underlying kind). */
static zc_schema_kind zc__stored_kind(const zc_schema *s, uint32_t type) {
    const zc_schema_type *t = &s->types[type];
    return t->kind == ZC_SCHEMA_ENUM ? s->decls[t->decl].underlying : t->kind;
}

/* S__defaults (the scalar defaults into a fresh record) and S_start_in. */
static void zc__gen_build_record(const zc__gen *g, const zc_schema_decl *d) {
    FILE *o = g->out;
    fprintf(o, "static inline zc_builder_pos %s__defaults(zc_builder *b, zc_builder_pos s) {\n    (void)b;\n", d->name);
    for (uint32_t i = 0; i < d->count; ++i) {
        const zc_schema_field *f = &d->fields[i];
        uint64_t bits = zc__schema_default_bits(g->s, f);
        if (!bits) continue;
        uint32_t size = zc__schema_scalar_size(zc__stored_kind(g->s, f->type));
        fprintf(o, "    zc_builder_put_u%u(b, s + %uu, (uint%u_t)UINT64_C(0x%" PRIx64 "));\n", size * 8, f->offset, size * 8, bits);
    }
    fprintf(o, "    return s;\n}\n");
    fprintf(o, "/* A %s record linked from the slot at `slot` (a field, vector element or map\n"
               " * value), its scalar defaults written; its position. */\n", d->name);
    fprintf(o, "static inline zc_builder_pos %s_start_in(zc_builder *b, zc_builder_pos slot) {\n"
               "    return %s__defaults(b, zc_builder_struct(b, slot, (uint32_t)sizeof(%s)));\n}\n",
            d->name, d->name, d->name);
}

/* V_put: a value of inline struct V into the slot at `at`. A V without padding is
 * one store; else field by field, so the padding stays the zeros the builder
 * appended whatever the program's copy holds there. */
static void zc__gen_build_inline(const zc__gen *g, const zc_schema_decl *d) {
    FILE *o = g->out;
    fprintf(o, "static inline void %s_put(zc_builder *b, zc_builder_pos at, const %s *v) {\n", d->name, d->name);
    if (!d->padded) {
        fprintf(o, "    zc_builder_put(b, at, v, sizeof *v);\n}\n");
        return;
    }
    for (uint32_t i = 0; i < d->count; ++i) {
        const zc_schema_field *f = &d->fields[i];
        const zc_schema_type *t = &g->s->types[f->type];
        if (t->kind == ZC_SCHEMA_INLINE)
            fprintf(o, "    %s_put(b, at + %uu, &v->%s);\n", g->s->decls[t->decl].name, f->offset, f->name);
        else
            fprintf(o, "    zc_builder_put(b, at + %uu, &v->%s, sizeof v->%s);\n", f->offset, f->name, f->name);
    }
    fprintf(o, "}\n");
}

/* U_start_M: the union slot at `slot` set to member M, with M's new record. */
static void zc__gen_build_union(const zc__gen *g, const zc_schema_decl *u) {
    for (uint32_t i = 0; i < u->count; ++i) {
        const char *m = g->s->decls[u->members[i]].name;
        fprintf(g->out, "static inline zc_builder_pos %s_start_%s(zc_builder *b, zc_builder_pos slot) {\n"
                        "    return %s__defaults(b, zc_builder_union(b, slot, %s_%s, (uint32_t)sizeof(%s)));\n}\n",
                u->name, m, m, u->name, m, m);
    }
}

static void zc__gen_build_scalar(const zc__gen *g, const char *s, const zc_schema_field *f) {
    FILE *o = g->out;
    zc_schema_kind k = g->s->types[f->type].kind;
    const char *ct = zc__gen_slot_ctype(g->s, f->type);
    if (k == ZC_SCHEMA_BOOL)
        fprintf(o, "static inline void %s_set_%s(zc_builder *b, zc_builder_pos s, int value) {\n"
                   "    uint8_t v = value != 0;\n", s, f->name);
    else
        fprintf(o, "static inline void %s_set_%s(zc_builder *b, zc_builder_pos s, %s v) {\n", s, f->name, ct);
    if (f->optional) fprintf(o, "    zc_builder_put_u8(b, s + %uu, 1);\n", f->presence);
    fprintf(o, "    zc_builder_put(b, s + %uu, &v, sizeof v);\n}\n", f->offset);
}

/* Vector fields: S_start_f (the elements), S_f_slot (element i's slot), and for
 * elements stored as plain bytes S_set_f (all of them at once). */
static void zc__gen_build_vector(const zc__gen *g, const char *s, const zc_schema_field *f) {
    FILE *o = g->out;
    uint32_t elem = g->s->types[f->type].elem, es = zc__schema_slot_size(g->s, elem);
    zc_schema_kind k = g->s->types[elem].kind;
    fprintf(o, "static inline zc_builder_pos %s_start_%s(zc_builder *b, zc_builder_pos s, uint64_t count) {\n"
               "    return zc_builder_vector(b, s + %uu, count, %uu);\n}\n", s, f->name, f->offset, es);
    fprintf(o, "static inline zc_builder_pos %s_%s_slot(zc_builder_pos elems, uint64_t i) { return elems + i * %uu; }\n",
            s, f->name, es);
    const zc_schema_decl *inl = k == ZC_SCHEMA_INLINE ? &g->s->decls[g->s->types[elem].decl] : NULL;
    if (inl && inl->padded)
        fprintf(o, "/* The whole vector from `count` values (bools 0 or 1). */\n"
                   "static inline void %s_set_%s(zc_builder *b, zc_builder_pos s, const %s *values, uint64_t count) {\n"
                   "    zc_builder_pos at = %s_start_%s(b, s, count);\n"
                   "    for (uint64_t i = 0; i < count && b->error == ZC_OK; ++i) %s_put(b, at + i * %uu, &values[i]);\n}\n",
                s, f->name, inl->name, s, f->name, inl->name, es);
    else if (ZC_SCHEMA_IS_SCALAR(k) || k == ZC_SCHEMA_ENUM || k == ZC_SCHEMA_REF || inl) {
        const char *ct = zc__gen_slot_ctype(g->s, elem);
        fprintf(o, "/* The whole vector from `count` values as stored (bools 0 or 1). */\n"
                   "static inline void %s_set_%s(zc_builder *b, zc_builder_pos s, const %s *values, uint64_t count) {\n"
                   "    zc_builder_pos at = %s_start_%s(b, s, count);\n"
                   "    if (count && b->error == ZC_OK) zc_builder_put(b, at, values, (size_t)count * %uu);\n}\n",
                s, f->name, ct, s, f->name, es);
        fprintf(o, "/* The vector's `count` elements left unwritten, for the caller to write each one\n"
                   " * whole in place before the builder's next call (zc_builder_vector_fill); NULL\n"
                   " * when count is 0 or the builder failed. */\n"
                   "static inline %s *%s_fill_%s(zc_builder *b, zc_builder_pos s, uint64_t count) {\n"
                   "    return (%s *)zc_builder_vector_fill(b, s + %uu, count, %uu);\n}\n",
                ct, s, f->name, ct, f->offset, es);
    }
}

static void zc__gen_build_field(const zc__gen *g, const zc_schema_decl *d, const zc_schema_field *f) {
    FILE *o = g->out;
    const char *s = d->name;
    const zc_schema_type *t = &g->s->types[f->type];
    switch (t->kind) {
    case ZC_SCHEMA_STRING:
        if (f->optional) fprintf(o, "/* %s.%s present, \"\" included; left unset it is absent. */\n", s, f->name);
        fprintf(o, "static inline zc_result %s_set_%s(zc_builder *b, zc_builder_pos s, const char *text, uint64_t length) {\n"
                   "    return zc_builder_%sstring(b, s + %uu, text, length);\n}\n", s, f->name,
                f->optional ? "present_" : "", f->offset);
        if (f->def.set) {
            fprintf(o, "/* The default the JSON encoder writes when a document leaves %s out. */\n"
                       "static inline zc_result %s_set_%s_default(zc_builder *b, zc_builder_pos s) {\n"
                       "    static const char text[] = ", f->name, s, f->name);
            zc__gen_c_string(o, f->def.s, f->def.s_length);
            fprintf(o, ";\n    return zc_builder_string(b, s + %uu, text, sizeof text - 1);\n}\n", f->offset);
        }
        break;
    case ZC_SCHEMA_REF:
        fprintf(o, "static inline void %s_set_%s(zc_builder *b, zc_builder_pos s, uint64_t asset_id) {\n"
                   "    zc_builder_put_u64(b, s + %uu, asset_id);\n}\n", s, f->name, f->offset);
        fprintf(o, "static inline zc_result %s_set_%s_path(zc_builder *b, zc_builder_pos s, const char *path, uint64_t length) {\n"
                   "    return zc_builder_ref_path(b, s + %uu, path, length);\n}\n", s, f->name, f->offset);
        break;
    case ZC_SCHEMA_STRUCT:
        fprintf(o, "static inline zc_builder_pos %s_start_%s(zc_builder *b, zc_builder_pos s) { return %s_start_in(b, s + %uu); }\n",
                s, f->name, g->s->decls[t->decl].name, f->offset);
        break;
    case ZC_SCHEMA_INLINE: {
        const char *it = g->s->decls[t->decl].name;
        fprintf(o, "static inline void %s_set_%s(zc_builder *b, zc_builder_pos s, %s v) {\n", s, f->name, it);
        if (f->optional) fprintf(o, "    zc_builder_put_u8(b, s + %uu, 1);\n", f->presence);
        fprintf(o, "    %s_put(b, s + %uu, &v);\n}\n", it, f->offset);
        break;
    }
    case ZC_SCHEMA_UNION: {
        const zc_schema_decl *u = &g->s->decls[t->decl];
        for (uint32_t i = 0; i < u->count; ++i) {
            const char *m = g->s->decls[u->members[i]].name;
            fprintf(o, "static inline zc_builder_pos %s_start_%s_as_%s(zc_builder *b, zc_builder_pos s) {\n"
                       "    return %s_start_%s(b, s + %uu);\n}\n", s, f->name, m, u->name, m, f->offset);
        }
        break;
    }
    case ZC_SCHEMA_VECTOR: zc__gen_build_vector(g, s, f); break;
    case ZC_SCHEMA_MAP: {
        uint32_t es = zc__schema_map_entry_size(g->s, f->type);
        const char *kind = t->key == ZC_SCHEMA_STRING ? "STRING" : t->key == ZC_SCHEMA_U32 ? "U32" : "U64";
        fprintf(o, "/* The map's entries; order[k] is the index in `keys` of entry k. Write entry\n"
                   " * k = 0, 1, ... in turn: %s_%s_entry (its key), then its value into the slot\n"
                   " * that returns. */\n", s, f->name);
        fprintf(o, "static inline zc_builder_pos %s_start_%s(zc_builder *b, zc_builder_pos s, const zc_builder_key *keys,\n"
                   "                                          uint64_t count, uint32_t *order) {\n"
                   "    return zc_builder_map(b, s + %uu, ZC_BUILDER_KEY_%s, %uu, keys, count, order);\n}\n", s, f->name,
                f->offset, kind, es);
        fprintf(o, "static inline zc_builder_pos %s_%s_entry(zc_builder *b, zc_builder_pos entries, uint64_t k,\n"
                   "                                          const zc_builder_key *key) {\n"
                   "    return zc_builder_map_key(b, entries, %uu, k, key);\n}\n", s, f->name, es);
        break;
    }
    default: zc__gen_build_scalar(g, s, f); break;
    }
}

void zc__gen_build(const zc__gen *g) {
    FILE *o = g->out;
    const zc_schema *s = g->s;
    fprintf(o, "/* The typed builder (zc_schema_builder.h): present when that header is included\n"
               " * before this one, or ZCS_WITH_BUILDER is defined. %s_start(b) writes the root\n"
               " * record; S_set_f stores a field, S_start_f creates what a field points at and\n"
               " * returns its position; S_f_slot and S_f_entry name vector element and map value\n"
               " * slots, filled with T_start_in, U_start_M, V_put (an inline struct's value),\n"
               " * zc_builder_string or zc_builder_put_*; S_fill_f hands out a vector of plain\n"
               " * values without padding to be written in place.\n"
               " * Written in field order, depth-first, the bytes equal zc_schema_encode's. */\n", g->p);
    fprintf(o, "#ifdef ZC_SCHEMA_BUILDER_H\n");
    for (uint32_t i = 0; i < g->inline_count; ++i) zc__gen_build_inline(g, &s->decls[g->inlines[i]]);
    for (uint32_t i = 0; i < s->decl_count; ++i)
        if (s->decls[i].kind == ZC_SCHEMA_DECL_STRUCT) zc__gen_build_record(g, &s->decls[i]);
    for (uint32_t i = 0; i < s->decl_count; ++i)
        if (s->decls[i].kind == ZC_SCHEMA_DECL_UNION) zc__gen_build_union(g, &s->decls[i]);
    fprintf(o, "/* The root record: the entry's first append. */\n"
               "static inline zc_builder_pos %s_start(zc_builder *b) {\n"
               "    return %s__defaults(b, zc_builder_root(b, (uint32_t)sizeof(%s)));\n}\n", g->p, g->p, g->p);
    for (uint32_t i = 0; i < s->decl_count; ++i) {
        const zc_schema_decl *d = &s->decls[i];
        if (d->kind != ZC_SCHEMA_DECL_STRUCT) continue;
        for (uint32_t j = 0; j < d->count; ++j) zc__gen_build_field(g, d, &d->fields[j]);
    }
    fprintf(o, "#endif /* ZC_SCHEMA_BUILDER_H */\n\n");
}
