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
    const zc_schema_decl **by_name; /* every declaration, by name then by position */
} zc__resolver;

/* Entry types a `ref` may name besides the schema's structs (SPEC.md 8.1). */
static const char *const zc__builtin_refs[] = { "Blob", "Texture", "Mesh", "Material", "Scene", "Skeleton", "Animation" };

static int zc__by_name(const void *a, const void *b) {
    const zc_schema_decl *x = *(const zc_schema_decl *const *)a, *y = *(const zc_schema_decl *const *)b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x > y) - (x < y);
}

/* The first declaration named `name`, or -1: a binary search, so that a schema of
 * many declarations resolves in O(n log n). */
static int zc__find_decl(const zc__resolver *rv, const char *name) {
    uint32_t lo = 0, hi = rv->s->decl_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (strcmp(rv->by_name[mid]->name, name) < 0) lo = mid + 1;
        else hi = mid;
    }
    if (lo == rv->s->decl_count || strcmp(rv->by_name[lo]->name, name) != 0) return -1;
    return (int)(rv->by_name[lo] - rv->s->decls);
}

static zc_result zc__at(zc__resolver *rv, uint32_t line, uint32_t column, const char *fmt, const char *a, const char *b) {
    return zc__schema_error(rv->diag, rv->s->file, line, column, fmt, a, b);
}

static zc_result zc__resolve_named(zc__resolver *rv, zc_schema_type *t) {
    int d = zc__find_decl(rv, t->ref_name);
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
    int d = zc__find_decl(rv, t->ref_name);
    if (d >= 0 && rv->s->decls[d].kind == ZC_SCHEMA_DECL_INLINE) /* inline structs are never entries */
        return zc__at(rv, t->line, t->column, "'%s' is an inline struct; a ref names a struct or an entry type%s",
                      t->ref_name, "");
    if (d < 0 || rv->s->decls[d].kind != ZC_SCHEMA_DECL_STRUCT)
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

/* Sorts the declarations by name into rv->by_name and refuses a name declared twice,
 * at the earliest second declaration in the file. */
static zc_result zc__check_names(zc__resolver *rv) {
    uint32_t n = rv->s->decl_count;
    rv->by_name = (const zc_schema_decl **)malloc((n + 1) * sizeof *rv->by_name);
    if (!rv->by_name) return ZC_ERR_OUT_OF_MEMORY;
    for (uint32_t i = 0; i < n; ++i) rv->by_name[i] = &rv->s->decls[i];
    qsort(rv->by_name, n, sizeof *rv->by_name, zc__by_name);
    const zc_schema_decl *twice = NULL;
    for (uint32_t i = 1; i < n; ++i) {
        const char *name = rv->by_name[i]->name;
        int second = strcmp(rv->by_name[i - 1]->name, name) == 0 && (i == 1 || strcmp(rv->by_name[i - 2]->name, name) != 0);
        if (second && (!twice || rv->by_name[i] < twice)) twice = rv->by_name[i];
    }
    return twice ? zc__at(rv, twice->line, twice->column, "'%s' is declared twice%s", twice->name, "") : ZC_OK;
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
    if (f->optional && !ZC_SCHEMA_IS_SCALAR(t->kind) && t->kind != ZC_SCHEMA_ENUM && t->kind != ZC_SCHEMA_STRING &&
        t->kind != ZC_SCHEMA_STRUCT && t->kind != ZC_SCHEMA_REF && t->kind != ZC_SCHEMA_INLINE)
        return zc__at(rv, t->line, t->column,
                      "'%s': only scalars, enums, strings, structs, inline structs and refs can be optional%s", f->name, "");
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

/* ---------------------------------------------------------------------------------
 * Nesting depth of the declarations
 * ------------------------------------------------------------------------------- */

/* Edge `i` of declaration `decl` in the graph of declarations that hold one another:
 * field i of a struct or inline struct, member i of a union. The declaration it leads
 * to (UINT32_MAX: none), and in *levels the nesting it adds as a validator counts it
 * (SPEC.md 16.7): one per vector, map, struct or union slot; a union's member record
 * is at the union's level, an inline struct at its holder's. */
static uint32_t zc__edge(const zc_schema *s, uint32_t decl, uint32_t i, uint32_t *levels) {
    const zc_schema_decl *d = &s->decls[decl];
    *levels = 0;
    if (d->kind == ZC_SCHEMA_DECL_UNION) return d->members[i];
    if (d->kind == ZC_SCHEMA_DECL_ENUM) return UINT32_MAX;
    const zc_schema_type *t = &s->types[d->fields[i].type];
    for (; t->kind == ZC_SCHEMA_VECTOR || t->kind == ZC_SCHEMA_MAP; t = &s->types[t->elem]) ++*levels;
    if (t->kind == ZC_SCHEMA_STRUCT || t->kind == ZC_SCHEMA_UNION) ++*levels;
    return t->kind == ZC_SCHEMA_STRUCT || t->kind == ZC_SCHEMA_UNION || t->kind == ZC_SCHEMA_INLINE ? t->decl : UINT32_MAX;
}

static uint32_t zc__edge_count(const zc_schema_decl *d) { return d->kind == ZC_SCHEMA_DECL_ENUM ? 0 : d->count; }

/* The working arrays of zc__check_nesting, n entries each. */
typedef struct zc__nesting {
    uint32_t *index;    /* 0 not visited, else the visit's number from 1 */
    uint32_t *low;      /* lowest visit number reachable, while on the stack */
    uint32_t *next;     /* the next edge to follow */
    uint32_t *group;    /* the cycle group (strongly connected component), UINT32_MAX before */
    uint32_t *height;   /* nesting below the declaration, once its group is done */
    uint32_t *stack;    /* declarations of groups not yet done */
    uint32_t *calls;    /* the walk's path */
} zc__nesting;

/* A group of declarations that hold one another is done: its height is the deepest
 * nesting it leads to outside itself (within it, nesting is recursion of the data,
 * which validators bound). Refused above ZC_SCHEMA_MAX_DEPTH, at the field. */
static zc_result zc__group_done(zc__resolver *rv, zc__nesting *w, uint32_t first, uint32_t top, uint32_t id) {
    const zc_schema *s = rv->s;
    uint32_t height = 0, levels;
    for (uint32_t k = first; k < top; ++k) w->group[w->stack[k]] = id;
    for (uint32_t k = first; k < top; ++k) {
        uint32_t decl = w->stack[k];
        for (uint32_t i = 0; i < zc__edge_count(&s->decls[decl]); ++i) {
            uint32_t to = zc__edge(s, decl, i, &levels);
            if (to == UINT32_MAX || w->group[to] == id) continue;
            if (levels + w->height[to] > ZC_SCHEMA_MAX_DEPTH) {
                const zc_schema_decl *d = &s->decls[decl];
                const zc_schema_type *t = &s->types[d->fields[i].type]; /* a union's members add no level */
                return zc__schema_error(rv->diag, s->file, t->line, t->column,
                                        "types nested more than %u deep (field '%s.%s')", ZC_SCHEMA_MAX_DEPTH, d->name,
                                        d->fields[i].name);
            }
            if (levels + w->height[to] > height) height = levels + w->height[to];
        }
    }
    for (uint32_t k = first; k < top; ++k) w->height[w->stack[k]] = height;
    return ZC_OK;
}

/* Types nest at most ZC_SCHEMA_MAX_DEPTH deep (SPEC.md 16.1), through structs,
 * vectors, maps and unions alike; a declaration that holds itself, through any
 * chain, is recursive data and allowed. Tarjan's strongly connected components,
 * walked with explicit stacks: a chain of any length costs no native stack, and the
 * passes after this one walk at most ZC_SCHEMA_MAX_DEPTH groups deep. */
static zc_result zc__check_nesting(zc__resolver *rv) {
    uint32_t n = rv->s->decl_count, visits = 0, groups = 0, top = 0, calls = 0;
    uint32_t *block = (uint32_t *)malloc(((size_t)n + 1) * 7 * sizeof *block);
    if (!block) return ZC_ERR_OUT_OF_MEMORY;
    zc__nesting w = { block, block + n, block + 2 * (size_t)n, block + 3 * (size_t)n, block + 4 * (size_t)n,
                      block + 5 * (size_t)n, block + 6 * (size_t)n };
    memset(w.index, 0, n * sizeof *block);
    memset(w.group, 0xff, n * sizeof *block);
    zc_result r = ZC_OK;
    for (uint32_t root = 0; r == ZC_OK && root < n; ++root) {
        if (w.index[root]) continue;
        uint32_t v = root;
        for (;;) { /* visit v, then follow edges from the top of the path */
            w.index[v] = w.low[v] = ++visits;
            w.next[v] = 0;
            w.stack[top++] = v;
            w.calls[calls++] = v;
            v = UINT32_MAX;
            while (calls && v == UINT32_MAX) {
                uint32_t u = w.calls[calls - 1], levels;
                if (w.next[u] < zc__edge_count(&rv->s->decls[u])) {
                    uint32_t to = zc__edge(rv->s, u, w.next[u]++, &levels);
                    if (to == UINT32_MAX) continue;
                    if (!w.index[to]) v = to;
                    else if (w.group[to] == UINT32_MAX && w.index[to] < w.low[u]) w.low[u] = w.index[to];
                    continue;
                }
                --calls;
                if (w.low[u] == w.index[u]) {
                    uint32_t first = top;
                    while (w.stack[--first] != u) {}
                    if ((r = zc__group_done(rv, &w, first, top, groups++)) != ZC_OK) break;
                    top = first;
                }
                if (calls && w.low[u] < w.low[w.calls[calls - 1]]) w.low[w.calls[calls - 1]] = w.low[u];
            }
            if (r != ZC_OK || v == UINT32_MAX) break;
        }
    }
    free(block);
    return r;
}

zc_result zc__schema_resolve(zc_schema *schema, zc_diag *diag) {
    zc__resolver rv = { schema, diag, NULL };
    zc_result r = zc__check_names(&rv);
    if (r == ZC_OK) r = zc__resolve_types(&rv);
    for (uint32_t i = 0; r == ZC_OK && i < schema->decl_count; ++i) {
        zc_schema_decl *d = &schema->decls[i];
        r = d->kind == ZC_SCHEMA_DECL_ENUM ? zc__check_enum(&rv, d)
            : d->kind == ZC_SCHEMA_DECL_UNION ? zc__check_union(&rv, d)
            : d->kind == ZC_SCHEMA_DECL_INLINE ? zc__check_inline(&rv, d) : zc__check_struct(&rv, d);
    }
    if (r == ZC_OK) r = zc__check_inline_cycles(&rv);
    if (r == ZC_OK) r = zc__check_nesting(&rv);
    free(rv.by_name);
    if (r != ZC_OK) return r;
    const zc_schema_type *root = &schema->types[schema->root];
    if (root->kind != ZC_SCHEMA_STRUCT)
        return zc__at(&rv, root->line, root->column, "the root must be a struct%s%s",
                      root->kind == ZC_SCHEMA_INLINE ? ", not an inline struct" : "", "");
    schema->root = root->decl;
    return ZC_OK;
}
