/* zc_schema_gen_dump.c - the header generator's JSON dumper part: one slot dump per
 * type, one dump per struct (through the accessors, so absent fields print their
 * defaults) and <Root>_dump_json. The output is the JSON form of SPEC.md 16.10 with
 * refs as "0x<16 hex digits>" asset ids. The schema is trusted.
 */
#include <string.h>

#include "zc_schema_internal.h"

static const char zc__dump_helpers[] =
    "#ifndef ZCS__DUMP_HELPERS_1\n"
    "#define ZCS__DUMP_HELPERS_1\n"
    "static inline void zcs_dump_string(FILE *out, const char *s, uint64_t length) {\n"
    "    fputc('\"', out);\n"
    "    for (uint64_t i = 0; i < length; ++i) {\n"
    "        unsigned char ch = (unsigned char)s[i];\n"
    "        if (ch == '\"' || ch == '\\\\') fprintf(out, \"\\\\%c\", ch);\n"
    "        else if (ch < 0x20) fprintf(out, \"\\\\u%04x\", ch);\n"
    "        else fputc(ch, out);\n"
    "    }\n"
    "    fputc('\"', out);\n"
    "}\n"
    "/* Floats that are not finite have no JSON form: null. */\n"
    "static inline void zcs_dump_f64(FILE *out, double v) {\n"
    "    if (v - v == 0) fprintf(out, \"%.17g\", v);\n"
    "    else fputs(\"null\", out);\n"
    "}\n"
    "static inline void zcs_dump_f32(FILE *out, float v) {\n"
    "    if (v - v == 0) fprintf(out, \"%.9g\", (double)v);\n"
    "    else fputs(\"null\", out);\n"
    "}\n"
    "#endif /* ZCS__DUMP_HELPERS_1 */\n\n";

static void zc__dump_scalar(const zc__gen *g, const zc_schema_type *t) {
    FILE *o = g->out;
    const char *ct = t->kind == ZC_SCHEMA_ENUM ? g->s->decls[t->decl].name : NULL;
    if (t->kind == ZC_SCHEMA_BOOL) {
        fprintf(o, "    fputs(*slot ? \"true\" : \"false\", out);\n");
        return;
    }
    if (!ct) {
        switch (t->kind) {
#define ZC__DUMP_CTYPE(name, text, ctype, size) case ZC_SCHEMA_##name: ct = ctype; break;
        ZC_SCHEMA_SCALAR_LIST(ZC__DUMP_CTYPE)
#undef ZC__DUMP_CTYPE
        default: break;
        }
    }
    fprintf(o, "    %s v;\n    memcpy(&v, slot, sizeof v);\n", ct);
    if (t->kind == ZC_SCHEMA_ENUM)
        fprintf(o, "    const char *name = %s_name(v);\n    if (name) zcs_dump_string(out, name, strlen(name));\n"
                   "    else fprintf(out, \"%%llu\", (unsigned long long)v);\n", ct);
    else if (t->kind == ZC_SCHEMA_F32) fprintf(o, "    zcs_dump_f32(out, v);\n");
    else if (t->kind == ZC_SCHEMA_F64) fprintf(o, "    zcs_dump_f64(out, v);\n");
    else if (ZC_SCHEMA_IS_SIGNED(t->kind)) fprintf(o, "    fprintf(out, \"%%lld\", (long long)v);\n");
    else fprintf(o, "    fprintf(out, \"%%llu\", (unsigned long long)v);\n");
}

static void zc__dump_map(const zc__gen *g, uint32_t type, const zc_schema_type *t) {
    FILE *o = g->out;
    uint32_t es = zc__schema_map_entry_size(g->s, type), vo = zc__schema_map_value_offset(t->key);
    fprintf(o, "    const zcs_map *m = (const zcs_map *)(const void *)slot;\n"
               "    const uint8_t *e = (const uint8_t *)zc_array_data(&m->entries);\n    fputc('{', out);\n"
               "    for (uint64_t i = 0; i < m->entries.count; ++i, e += %u) {\n        if (i) fputs(\", \", out);\n", es);
    if (t->key == ZC_SCHEMA_STRING)
        fprintf(o, "        const zc_string *k = (const zc_string *)(const void *)e;\n"
                   "        zcs_dump_string(out, zc_string_data(k), k->length);\n");
    else
        fprintf(o, "        uint64_t k;\n        memcpy(&k, e, 8);\n        fprintf(out, \"\\\"%%llu\\\"\", (unsigned long long)k);\n");
    fprintf(o, "        fputs(\": \", out);\n        %s__dump_t%u(e + %u, out);\n    }\n    fputc('}', out);\n", g->p, t->elem, vo);
}

static void zc__dump_union(const zc__gen *g, const zc_schema_decl *u) {
    FILE *o = g->out;
    fprintf(o, "    const %s *u = (const %s *)(const void *)slot;\n    switch (u->tag) {\n", u->name, u->name);
    for (uint32_t i = 0; i < u->count; ++i) {
        const char *m = g->s->decls[u->members[i]].name;
        fprintf(o, "    case %uu:\n        fputs(\"{\\\"type\\\": \\\"%s\\\", \\\"value\\\": \", out);\n"
                   "        %s__dump_%s((const %s *)zc_rel_resolve(&u->value), out);\n        fputc('}', out);\n        break;\n",
                i + 1, m, g->p, m, m);
    }
    fprintf(o, "    default: fputs(\"null\", out); break;\n    }\n");
}

/* An inline struct as a JSON object of its fields, read from their places. */
static void zc__dump_inline(const zc__gen *g, const zc_schema_decl *d) {
    FILE *o = g->out;
    fprintf(o, "    fputc('{', out);\n");
    for (uint32_t i = 0; i < d->count; ++i)
        fprintf(o, "    fputs(\"%s\\\"%s\\\": \", out);\n    %s__dump_t%u(slot + %u, out);\n", i ? ", " : "",
                d->fields[i].name, g->p, d->fields[i].type, d->fields[i].offset);
    fprintf(o, "    fputc('}', out);\n");
}

/* static inline void <P>__dump_t<N>(const uint8_t *slot, FILE *out): one slot as JSON. */
static void zc__dump_type(const zc__gen *g, uint32_t type) {
    FILE *o = g->out;
    const zc_schema_type *t = &g->s->types[type];
    fprintf(o, "static inline void %s__dump_t%u(const uint8_t *slot, FILE *out) {\n", g->p, type);
    switch (t->kind) {
    case ZC_SCHEMA_STRING:
        fprintf(o, "    const zc_string *s = (const zc_string *)(const void *)slot;\n"
                   "    zcs_dump_string(out, zc_string_data(s), s->length);\n");
        break;
    case ZC_SCHEMA_STRUCT: {
        const char *st = g->s->decls[t->decl].name;
        fprintf(o, "    const zc_rel_ptr *p = (const zc_rel_ptr *)(const void *)slot;\n"
                   "    if (p->offset) %s__dump_%s((const %s *)zc_rel_resolve(p), out);\n    else fputs(\"null\", out);\n",
                g->p, st, st);
        break;
    }
    case ZC_SCHEMA_REF:
        fprintf(o, "    uint64_t id;\n    memcpy(&id, slot, 8);\n"
                   "    if (id) fprintf(out, \"\\\"0x%%016llx\\\"\", (unsigned long long)id);\n    else fputs(\"null\", out);\n");
        break;
    case ZC_SCHEMA_VECTOR:
        fprintf(o, "    const zc_array *a = (const zc_array *)(const void *)slot;\n"
                   "    const uint8_t *d = (const uint8_t *)zc_array_data(a);\n    fputc('[', out);\n"
                   "    for (uint64_t i = 0; i < a->count; ++i) {\n        if (i) fputs(\", \", out);\n"
                   "        %s__dump_t%u(d + i * %u, out);\n    }\n    fputc(']', out);\n",
                g->p, t->elem, zc__schema_slot_size(g->s, t->elem));
        break;
    case ZC_SCHEMA_MAP: zc__dump_map(g, type, t); break;
    case ZC_SCHEMA_UNION: zc__dump_union(g, &g->s->decls[t->decl]); break;
    case ZC_SCHEMA_INLINE: zc__dump_inline(g, &g->s->decls[t->decl]); break;
    default: zc__dump_scalar(g, t); break;
    }
    fprintf(o, "}\n");
}

static void zc__dump_field(const zc__gen *g, const zc_schema_decl *d, const zc_schema_field *f) {
    FILE *o = g->out;
    const zc_schema_type *t = &g->s->types[f->type];
    const char *s = d->name, *n = f->name, *ct = zc__gen_slot_ctype(g->s, f->type);
    uint32_t end = f->presence + f->size;
    if (t->kind == ZC_SCHEMA_VECTOR || t->kind == ZC_SCHEMA_MAP || t->kind == ZC_SCHEMA_UNION) {
        const char *none = t->kind == ZC_SCHEMA_VECTOR ? "[]" : t->kind == ZC_SCHEMA_MAP ? "{}" : "null";
        fprintf(o, "    if (s->struct_size >= %u) %s__dump_t%u((const uint8_t *)&s->%s, out);\n"
                   "    else fputs(\"%s\", out);\n", end, g->p, f->type, n, none);
    } else if (t->kind == ZC_SCHEMA_INLINE) {
        fprintf(o, "    {\n        const uint8_t *v = (const uint8_t *)%s_%s(s);\n        if (v) %s__dump_t%u(v, out);\n"
                   "        else fputs(\"null\", out);\n    }\n", s, n, g->p, f->type);
    } else if (t->kind == ZC_SCHEMA_STRING) {
        fprintf(o, "    {\n        uint64_t n;\n        const char *v = %s_%s(s, &n);\n        %szcs_dump_string(out, v, n);\n"
                   "    }\n", s, n, f->optional ? "if (!v) fputs(\"null\", out);\n        else " : "");
    } else if (t->kind == ZC_SCHEMA_STRUCT) {
        const char *st = g->s->decls[t->decl].name;
        fprintf(o, "    {\n        const %s *v = %s_%s(s);\n        if (v) %s__dump_%s(v, out);\n"
                   "        else fputs(\"null\", out);\n    }\n", st, s, n, g->p, st);
    } else if (f->optional && t->kind != ZC_SCHEMA_REF) {
        fprintf(o, "    {\n        %s v;\n        if (%s_%s(s, &v)) %s__dump_t%u((const uint8_t *)&v, out);\n"
                   "        else fputs(\"null\", out);\n    }\n", ct, s, n, g->p, f->type);
    } else {
        fprintf(o, "    {\n        %s v = (%s)%s_%s(s);\n        %s__dump_t%u((const uint8_t *)&v, out);\n    }\n", ct, ct, s,
                n, g->p, f->type);
    }
}

static void zc__dump_struct(const zc__gen *g, const zc_schema_decl *d) {
    FILE *o = g->out;
    fprintf(o, "static inline void %s__dump_%s(const %s *s, FILE *out) {\n    fputc('{', out);\n", g->p, d->name, d->name);
    for (uint32_t i = 0; i < d->count; ++i) {
        fprintf(o, "    fputs(\"%s\\\"%s\\\": \", out);\n", i ? ", " : "", d->fields[i].name);
        zc__dump_field(g, d, &d->fields[i]);
    }
    fprintf(o, "    fputc('}', out);\n}\n");
}

void zc__gen_dump(const zc__gen *g) {
    FILE *o = g->out;
    fputs(zc__dump_helpers, o);
    fprintf(o, "/* JSON dumps of %s's types, mutually recursive. */\n", g->p);
    for (uint32_t i = 0; i < g->s->type_count; ++i)
        fprintf(o, "static inline void %s__dump_t%u(const uint8_t *slot, FILE *out);\n", g->p, i);
    for (uint32_t i = 0; i < g->s->decl_count; ++i)
        if (g->s->decls[i].kind == ZC_SCHEMA_DECL_STRUCT)
            fprintf(o, "static inline void %s__dump_%s(const %s *s, FILE *out);\n", g->p, g->s->decls[i].name,
                    g->s->decls[i].name);
    for (uint32_t i = 0; i < g->s->type_count; ++i) zc__dump_type(g, i);
    for (uint32_t i = 0; i < g->s->decl_count; ++i)
        if (g->s->decls[i].kind == ZC_SCHEMA_DECL_STRUCT) zc__dump_struct(g, &g->s->decls[i]);
    fprintf(o, "\n/* Write a validated %s entry as one line of JSON and a newline. 0, or -1 when\n"
               " * writing failed. Trusted data only: run %s_validate first. */\n", g->p, g->p);
    fprintf(o, "static inline int %s_dump_json(const %s *root, FILE *out) {\n    %s__dump_%s(root, out);\n"
               "    fputc('\\n', out);\n    return ferror(out) ? -1 : 0;\n}\n\n", g->p, g->p, g->p, g->p);
}
