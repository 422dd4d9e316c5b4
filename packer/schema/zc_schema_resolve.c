/* zc_schema_resolve.c - the resolve pass of the schema compiler: every name used as
 * a type, a union member or the root to its declaration; the rules of each
 * declaration (unique names and values, enum values within their type, optional and
 * default values allowed by the field's type); every default converted to its value.
 * Runs on a parsed schema (zc_schema_parse.c); errors name file:line:column.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zc_schema_internal.h"

typedef struct zc__resolver {
    zc_schema *s;
    zc_diag *diag;
} zc__resolver;

/* Entry types a `ref` may name besides the schema's structs (SPEC.md 8.1). */
static const char *const zc__builtin_refs[] = { "Blob", "Texture", "Mesh", "Material", "Scene", "Skeleton", "Animation" };

static int zc__find_decl(const zc_schema *s, const char *name) {
    for (uint32_t i = 0; i < s->decl_count; ++i)
        if (strcmp(s->decls[i].name, name) == 0) return (int)i;
    return -1;
}

static zc_result zc__at(zc__resolver *rv, uint32_t line, uint32_t column, const char *fmt, const char *a, const char *b) {
    return zc__schema_error(rv->diag, rv->s->file, line, column, fmt, a, b);
}

static zc_result zc__resolve_named(zc__resolver *rv, zc_schema_type *t) {
    int d = zc__find_decl(rv->s, t->ref_name);
    if (d < 0) return zc__at(rv, t->line, t->column, "unknown type '%s'%s", t->ref_name, "");
    static const zc_schema_kind kinds[] = { ZC_SCHEMA_ENUM, ZC_SCHEMA_STRUCT, ZC_SCHEMA_UNION, ZC_SCHEMA_INLINE };
    t->kind = kinds[rv->s->decls[d].kind];
    t->decl = (uint32_t)d;
    free(t->ref_name);
    t->ref_name = NULL;
    return ZC_OK;
}

static zc_result zc__resolve_ref(zc__resolver *rv, const zc_schema_type *t) {
    for (size_t i = 0; i < sizeof zc__builtin_refs / sizeof *zc__builtin_refs; ++i)
        if (strcmp(zc__builtin_refs[i], t->ref_name) == 0) return ZC_OK;
    int d = zc__find_decl(rv->s, t->ref_name);
    if (d < 0 || rv->s->decls[d].kind != ZC_SCHEMA_DECL_STRUCT) /* inline structs are never entries */
        return zc__at(rv, t->line, t->column,
                      "ref names '%s', which is neither a struct of this schema nor an entry type%s",
                      t->ref_name, " (Blob, Texture, Mesh, Material, Scene, Skeleton, Animation)");
    return ZC_OK;
}

static zc_result zc__resolve_types(zc__resolver *rv) {
    for (uint32_t i = 0; i < rv->s->type_count; ++i) {
        zc_schema_type *t = &rv->s->types[i];
        zc_result r = t->kind == ZC__SCHEMA_NAMED ? zc__resolve_named(rv, t)
                      : t->kind == ZC_SCHEMA_REF  ? zc__resolve_ref(rv, t) : ZC_OK;
        if (r != ZC_OK) return r;
    }
    return ZC_OK;
}

static zc_result zc__check_names(zc__resolver *rv) {
    for (uint32_t i = 0; i < rv->s->decl_count; ++i) {
        const zc_schema_decl *d = &rv->s->decls[i];
        if (zc__find_decl(rv->s, d->name) != (int)i)
            return zc__at(rv, d->line, d->column, "'%s' is declared twice%s", d->name, "");
    }
    return ZC_OK;
}

static zc_result zc__check_enum(zc__resolver *rv, zc_schema_decl *d) {
    uint64_t max = d->underlying == ZC_SCHEMA_U8 ? 0xff : d->underlying == ZC_SCHEMA_U16 ? 0xffff : 0xffffffffu;
    if (d->count == 0) return zc__at(rv, d->line, d->column, "enum '%s' has no values%s", d->name, "");
    for (uint32_t i = 0; i < d->count; ++i) {
        if (d->values[i] > max)
            return zc__at(rv, d->line, d->column, "enum '%s': value '%s' does not fit its type", d->name, d->names[i]);
        for (uint32_t k = 0; k < i; ++k) {
            if (strcmp(d->names[k], d->names[i]) == 0)
                return zc__at(rv, d->line, d->column, "enum '%s': '%s' is declared twice", d->name, d->names[i]);
            if (d->values[k] == d->values[i])
                return zc__at(rv, d->line, d->column, "enum '%s': '%s' repeats an earlier value", d->name, d->names[i]);
        }
    }
    return ZC_OK;
}

static zc_result zc__check_union(zc__resolver *rv, zc_schema_decl *d) {
    if (d->count == 0) return zc__at(rv, d->line, d->column, "union '%s' has no members%s", d->name, "");
    for (uint32_t i = 0; i < d->count; ++i) {
        const zc_schema_type *t = &rv->s->types[d->members[i]];
        if (t->kind != ZC_SCHEMA_STRUCT)
            return zc__at(rv, t->line, t->column, "union '%s': members are structs%s", d->name,
                          t->kind == ZC_SCHEMA_INLINE ? ", not inline structs" : "");
        d->members[i] = t->decl;
        for (uint32_t k = 0; k < i; ++k)
            if (d->members[k] == d->members[i])
                return zc__at(rv, t->line, t->column, "union '%s': '%s' is a member twice", d->name,
                              rv->s->decls[t->decl].name);
    }
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * Defaults
 * ------------------------------------------------------------------------------- */

static zc_result zc__bad_default(zc__resolver *rv, const zc_schema_field *f, const char *why) {
    return zc__at(rv, f->def.line, f->def.column, "default of '%s': %s", f->name, why);
}

static zc_result zc__integer_default(zc__resolver *rv, zc_schema_field *f, zc_schema_kind kind) {
    if (f->def.literal != ZC__SCHEMA_LIT_INT) return zc__bad_default(rv, f, "expected an integer");
    uint32_t bits = zc__schema_scalar_size(kind) * 8;
    char *end;
    errno = 0;
    if (ZC_SCHEMA_IS_SIGNED(kind)) {
        long long v = strtoll(f->def.text, &end, 0);
        long long lo = bits == 64 ? INT64_MIN : -(1ll << (bits - 1)), hi = bits == 64 ? INT64_MAX : (1ll << (bits - 1)) - 1;
        if (errno || *end || v < lo || v > hi) return zc__bad_default(rv, f, "out of the type's range");
        f->def.i = v;
        f->def.u = (uint64_t)v;
        return ZC_OK;
    }
    unsigned long long v = strtoull(f->def.text, &end, 0);
    if (errno || *end || f->def.text[0] == '-' || (bits < 64 && v >> bits))
        return zc__bad_default(rv, f, "out of the type's range");
    f->def.u = v;
    f->def.i = (int64_t)v;
    return ZC_OK;
}

static zc_result zc__float_default(zc__resolver *rv, zc_schema_field *f, zc_schema_kind kind) {
    if (f->def.literal != ZC__SCHEMA_LIT_INT && f->def.literal != ZC__SCHEMA_LIT_FLOAT)
        return zc__bad_default(rv, f, "expected a number");
    char *end;
    double v = strtod(f->def.text, &end);
    if (*end || !isfinite(v) || (kind == ZC_SCHEMA_F32 && !isfinite((float)v)))
        return zc__bad_default(rv, f, "not a finite number of the field's type");
    f->def.f = kind == ZC_SCHEMA_F32 ? (double)(float)v : v;
    return ZC_OK;
}

static zc_result zc__enum_default(zc__resolver *rv, zc_schema_field *f, const zc_schema_decl *e) {
    if (f->def.literal == ZC__SCHEMA_LIT_NAME)
        for (uint32_t i = 0; i < e->count; ++i)
            if (strcmp(e->names[i], f->def.text) == 0) {
                f->def.u = e->values[i];
                return ZC_OK;
            }
    return zc__bad_default(rv, f, "expected a value name of the enum");
}

static zc_result zc__value_default(zc__resolver *rv, zc_schema_field *f, const zc_schema_type *t) {
    int lit = f->def.literal;
    if (t->kind == ZC_SCHEMA_BOOL) {
        if (lit != ZC__SCHEMA_LIT_NAME || (strcmp(f->def.text, "true") && strcmp(f->def.text, "false")))
            return zc__bad_default(rv, f, "expected true or false");
        f->def.i = f->def.text[0] == 't';
        f->def.u = (uint64_t)f->def.i;
        return ZC_OK;
    }
    if (ZC_SCHEMA_IS_INTEGER(t->kind)) return zc__integer_default(rv, f, t->kind);
    if (ZC_SCHEMA_IS_FLOAT(t->kind)) return zc__float_default(rv, f, t->kind);
    if (t->kind == ZC_SCHEMA_ENUM) return zc__enum_default(rv, f, &rv->s->decls[t->decl]);
    if (t->kind == ZC_SCHEMA_STRING) {
        if (lit != ZC__SCHEMA_LIT_STRING) return zc__bad_default(rv, f, "expected a string");
        f->def.s = f->def.text;
        f->def.s_length = strlen(f->def.text);
        f->def.text = NULL;
        return ZC_OK;
    }
    if (t->kind == ZC_SCHEMA_VECTOR && lit == ZC__SCHEMA_LIT_EMPTY_VECTOR) return ZC_OK;
    if (t->kind == ZC_SCHEMA_MAP && lit == ZC__SCHEMA_LIT_EMPTY_MAP) return ZC_OK;
    if (t->kind == ZC_SCHEMA_UNION && lit == ZC__SCHEMA_LIT_NULL) return ZC_OK;
    if (t->kind == ZC_SCHEMA_INLINE)
        return zc__bad_default(rv, f, "an inline struct has no default; a field of one is always required");
    return zc__bad_default(rv, f, t->kind == ZC_SCHEMA_VECTOR ? "a vector's default is []"
                                  : t->kind == ZC_SCHEMA_MAP  ? "a map's default is {}"
                                  : t->kind == ZC_SCHEMA_UNION ? "a union's default is null"
                                  : "a struct or ref field has no default; declare it ?T = null");
}

static zc_result zc__check_field(zc__resolver *rv, zc_schema_field *f) {
    const zc_schema_type *t = &rv->s->types[f->type];
    if (f->optional && !ZC_SCHEMA_IS_SCALAR(t->kind) && t->kind != ZC_SCHEMA_ENUM && t->kind != ZC_SCHEMA_STRUCT &&
        t->kind != ZC_SCHEMA_REF && t->kind != ZC_SCHEMA_INLINE)
        return zc__at(rv, t->line, t->column, "'%s': only scalars, enums, structs, inline structs and refs can be optional%s",
                      f->name, "");
    if (!f->def.set) return ZC_OK;
    if (f->optional)
        return f->def.literal == ZC__SCHEMA_LIT_NULL ? ZC_OK : zc__bad_default(rv, f, "an optional field's default is null");
    return zc__value_default(rv, f, t);
}

static zc_result zc__check_struct(zc__resolver *rv, zc_schema_decl *d) {
    for (uint32_t i = 0; i < d->count; ++i) {
        zc_schema_field *f = &d->fields[i];
        for (uint32_t k = 0; k < i; ++k)
            if (strcmp(d->fields[k].name, f->name) == 0)
                return zc__at(rv, f->line, f->column, "struct '%s': field '%s' is declared twice", d->name, f->name);
        zc_result r = zc__check_field(rv, f);
        if (r != ZC_OK) return r;
    }
    return ZC_OK;
}

/* An inline struct's own rules: at least one field, each a scalar, an enum or an
 * inline struct, required (no `?`, no default). */
static zc_result zc__check_inline(zc__resolver *rv, zc_schema_decl *d) {
    if (d->count == 0) return zc__at(rv, d->line, d->column, "inline struct '%s' has no fields%s", d->name, "");
    for (uint32_t i = 0; i < d->count; ++i) {
        zc_schema_field *f = &d->fields[i];
        const zc_schema_type *t = &rv->s->types[f->type];
        for (uint32_t k = 0; k < i; ++k)
            if (strcmp(d->fields[k].name, f->name) == 0)
                return zc__at(rv, f->line, f->column, "inline struct '%s': field '%s' is declared twice", d->name, f->name);
        if (!ZC_SCHEMA_IS_SCALAR(t->kind) && t->kind != ZC_SCHEMA_ENUM && t->kind != ZC_SCHEMA_INLINE)
            return zc__at(rv, t->line, t->column,
                          "inline struct '%s': field '%s' must be a scalar, an enum or an inline struct", d->name, f->name);
        if (f->optional)
            return zc__at(rv, f->line, f->column, "inline struct '%s': field '%s' cannot be optional", d->name, f->name);
        if (f->def.set)
            return zc__at(rv, f->def.line, f->def.column, "inline struct '%s': field '%s' cannot have a default", d->name,
                          f->name);
    }
    return ZC_OK;
}

/* Inline structs that contain themselves, through any chain of inline fields, or
 * hold inline structs nested more than ZC_SCHEMA_MAX_DEPTH deep (which bounds the
 * recursion of this walk and of the passes after it): the first found is reported at
 * the field that closes the cycle or goes too deep. height[decl]: 0 not visited,
 * UINT32_MAX on the current path, else the levels of inline structs from decl down
 * (1 when it holds none). `depth` counts decl itself. */
static zc_result zc__inline_cycle(zc__resolver *rv, uint32_t decl, uint32_t *height, uint32_t depth) {
    const zc_schema_decl *d = &rv->s->decls[decl];
    height[decl] = UINT32_MAX;
    uint32_t below = 0;
    for (uint32_t i = 0; i < d->count; ++i) {
        const zc_schema_type *t = &rv->s->types[d->fields[i].type];
        if (t->kind != ZC_SCHEMA_INLINE) continue;
        if (height[t->decl] == UINT32_MAX)
            return zc__schema_error(rv->diag, rv->s->file, t->line, t->column,
                                    "inline struct '%s' contains itself (through field '%s.%s')",
                                    rv->s->decls[t->decl].name, d->name, d->fields[i].name);
        if (height[t->decl] == 0 && depth < ZC_SCHEMA_MAX_DEPTH) {
            zc_result r = zc__inline_cycle(rv, t->decl, height, depth + 1);
            if (r != ZC_OK) return r;
        }
        if (height[t->decl] == 0 || depth + height[t->decl] > ZC_SCHEMA_MAX_DEPTH)
            return zc__schema_error(rv->diag, rv->s->file, t->line, t->column,
                                    "inline structs nested more than %u deep (field '%s.%s')", ZC_SCHEMA_MAX_DEPTH,
                                    d->name, d->fields[i].name);
        if (height[t->decl] > below) below = height[t->decl];
    }
    height[decl] = below + 1;
    return ZC_OK;
}

static zc_result zc__check_inline_cycles(zc__resolver *rv) {
    uint32_t *height = (uint32_t *)calloc(rv->s->decl_count + 1, sizeof *height);
    if (!height) return ZC_ERR_OUT_OF_MEMORY;
    zc_result r = ZC_OK;
    for (uint32_t i = 0; r == ZC_OK && i < rv->s->decl_count; ++i)
        if (rv->s->decls[i].kind == ZC_SCHEMA_DECL_INLINE && height[i] == 0) r = zc__inline_cycle(rv, i, height, 1);
    free(height);
    return r;
}

zc_result zc__schema_resolve(zc_schema *schema, zc_diag *diag) {
    zc__resolver rv = { schema, diag };
    zc_result r = zc__check_names(&rv);
    if (r == ZC_OK) r = zc__resolve_types(&rv);
    for (uint32_t i = 0; r == ZC_OK && i < schema->decl_count; ++i) {
        zc_schema_decl *d = &schema->decls[i];
        r = d->kind == ZC_SCHEMA_DECL_ENUM ? zc__check_enum(&rv, d)
            : d->kind == ZC_SCHEMA_DECL_UNION ? zc__check_union(&rv, d)
            : d->kind == ZC_SCHEMA_DECL_INLINE ? zc__check_inline(&rv, d) : zc__check_struct(&rv, d);
    }
    if (r == ZC_OK) r = zc__check_inline_cycles(&rv);
    if (r != ZC_OK) return r;
    const zc_schema_type *root = &schema->types[schema->root];
    if (root->kind != ZC_SCHEMA_STRUCT)
        return zc__at(&rv, root->line, root->column, "the root must be a struct%s%s",
                      root->kind == ZC_SCHEMA_INLINE ? ", not an inline struct" : "", "");
    schema->root = root->decl;
    return ZC_OK;
}
