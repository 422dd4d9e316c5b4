/* zc_schema_layout.c - the layout pass of the schema compiler (SPEC.md, "Schema struct
 * layout", "Schema layout hash"): slot sizes, every field's offset in declaration
 * order, every struct's size and compatible prefix, and the two canonical forms with
 * their hashes. Also the small shared helpers of the passes: key hashes, kind names,
 * the growable text.
 */
#include <stdlib.h>
#include <string.h>

#include "zc_schema_internal.h"

/* ---------------------------------------------------------------------------------
 * Text
 * ------------------------------------------------------------------------------- */

void zc__schema_vprintf(zc__schema_text *t, const char *fmt, va_list ap) {
    if (t->failed) return;
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(t->data ? t->data + t->length : NULL, t->data ? t->capacity - t->length : 0, fmt, copy);
    va_end(copy);
    if (n < 0) {
        t->failed = 1;
        return;
    }
    if (!t->data || (size_t)n >= t->capacity - t->length) {
        size_t cap = t->capacity ? t->capacity : 256;
        while (cap - t->length <= (size_t)n) cap *= 2;
        char *grown = (char *)realloc(t->data, cap);
        if (!grown) {
            t->failed = 1;
            return;
        }
        t->data = grown;
        t->capacity = cap;
        vsnprintf(t->data + t->length, cap - t->length, fmt, ap);
    }
    t->length += (size_t)n;
}

void zc__schema_printf(zc__schema_text *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    zc__schema_vprintf(t, fmt, ap);
    va_end(ap);
}

const char *zc_schema_kind_name(zc_schema_kind kind) {
    switch (kind) {
#define ZC__KIND_NAME(name, text, ctype, size) case ZC_SCHEMA_##name: return text;
    ZC_SCHEMA_SCALAR_LIST(ZC__KIND_NAME)
#undef ZC__KIND_NAME
    case ZC_SCHEMA_ENUM: return "enum";
    case ZC_SCHEMA_STRING: return "string";
    case ZC_SCHEMA_STRUCT: return "struct";
    case ZC_SCHEMA_UNION: return "union";
    case ZC_SCHEMA_VECTOR: return "vector";
    case ZC_SCHEMA_MAP: return "map";
    case ZC_SCHEMA_REF: return "ref";
    case ZC_SCHEMA_INLINE: return "inline";
    }
    return "?";
}

void zc__schema_type_text(const zc_schema *schema, uint32_t type, zc__schema_text *t) {
    const zc_schema_type *ty = &schema->types[type];
    switch (ty->kind) {
    case ZC_SCHEMA_ENUM: case ZC_SCHEMA_STRUCT: case ZC_SCHEMA_UNION: case ZC_SCHEMA_INLINE:
        zc__schema_printf(t, "%s", schema->decls[ty->decl].name);
        break;
    case ZC_SCHEMA_VECTOR:
        zc__schema_printf(t, "[");
        zc__schema_type_text(schema, ty->elem, t);
        zc__schema_printf(t, "]");
        break;
    case ZC_SCHEMA_MAP:
        zc__schema_printf(t, "map<%s,", zc_schema_kind_name(ty->key));
        zc__schema_type_text(schema, ty->elem, t);
        zc__schema_printf(t, ">");
        break;
    case ZC_SCHEMA_REF: zc__schema_printf(t, "ref %s", ty->ref_name); break;
    default: zc__schema_printf(t, "%s", zc_schema_kind_name(ty->kind)); break;
    }
}

/* ---------------------------------------------------------------------------------
 * Slots and key hashes
 * ------------------------------------------------------------------------------- */

uint32_t zc__schema_scalar_size(zc_schema_kind kind) {
    switch (kind) {
#define ZC__KIND_SIZE(name, text, ctype, size) case ZC_SCHEMA_##name: return size;
    ZC_SCHEMA_SCALAR_LIST(ZC__KIND_SIZE)
#undef ZC__KIND_SIZE
    default: return 0;
    }
}

uint64_t zc__schema_default_bits(const zc_schema *s, const zc_schema_field *f) {
    const zc_schema_type *t = &s->types[f->type];
    zc_schema_kind kind = t->kind == ZC_SCHEMA_ENUM ? s->decls[t->decl].underlying : t->kind;
    if (f->optional || !f->def.set || !(ZC_SCHEMA_IS_SCALAR(kind))) return 0;
    uint64_t bits = ZC_SCHEMA_IS_SIGNED(kind) ? (uint64_t)f->def.i : f->def.u;
    if (kind == ZC_SCHEMA_F32) {
        float v = (float)f->def.f;
        uint32_t b32;
        memcpy(&b32, &v, 4);
        bits = b32;
    } else if (kind == ZC_SCHEMA_F64) {
        memcpy(&bits, &f->def.f, 8);
    }
    uint32_t size = zc__schema_scalar_size(kind);
    return size == 8 ? bits : bits & ((UINT64_C(1) << (size * 8)) - 1);
}

uint32_t zc__schema_slot_size(const zc_schema *schema, uint32_t type) {
    const zc_schema_type *t = &schema->types[type];
    switch (t->kind) {
    case ZC_SCHEMA_ENUM: return zc__schema_scalar_size(schema->decls[t->decl].underlying);
    case ZC_SCHEMA_STRING: case ZC_SCHEMA_UNION: case ZC_SCHEMA_VECTOR: return 16;
    case ZC_SCHEMA_STRUCT: case ZC_SCHEMA_REF: return 8;
    case ZC_SCHEMA_MAP: return 32;
    case ZC_SCHEMA_INLINE: return schema->decls[t->decl].size;
    default: return zc__schema_scalar_size(t->kind);
    }
}

uint32_t zc__schema_slot_align(const zc_schema *schema, uint32_t type) {
    const zc_schema_type *t = &schema->types[type];
    if (t->kind == ZC_SCHEMA_INLINE) return schema->decls[t->decl].align;
    uint32_t size = zc__schema_slot_size(schema, type);
    return size > 8 ? 8 : size;
}

uint32_t zc__schema_map_value_offset(zc_schema_kind key) { return key == ZC_SCHEMA_STRING ? 16 : 8; }

uint32_t zc__schema_map_entry_size(const zc_schema *schema, uint32_t type) {
    const zc_schema_type *t = &schema->types[type];
    uint32_t size = zc__schema_map_value_offset(t->key) + zc__schema_slot_size(schema, t->elem);
    return (size + 7u) & ~7u;
}

uint32_t zc__schema_hash_string(const void *bytes, uint64_t length) {
    uint32_t h = 2166136261u;
    for (uint64_t i = 0; i < length; ++i) {
        h ^= ((const uint8_t *)bytes)[i];
        h *= 16777619u;
    }
    return h;
}

uint32_t zc__schema_hash_int(uint64_t key) {
    key ^= key >> 33;
    key *= UINT64_C(0xff51afd7ed558ccd);
    key ^= key >> 33;
    key *= UINT64_C(0xc4ceb9fe1a85ec53);
    key ^= key >> 33;
    return (uint32_t)key;
}

/* ---------------------------------------------------------------------------------
 * Struct layout
 * ------------------------------------------------------------------------------- */

static uint32_t zc__align_up(uint32_t v, uint32_t a) { return (v + a - 1) / a * a; }

/* Fields in declaration order after the u32 struct_size, each at the next offset
 * aligned to its slot's alignment (to 8 for the fields of the extension); an optional
 * scalar, enum or inline struct is a presence byte at an offset aligned to the value's
 * alignment, then the value one alignment unit later. */
static zc_result zc__layout_struct(zc_schema *schema, zc_schema_decl *d, zc_diag *diag) {
    uint32_t end = 4, base_end = 4;
    d->base_count = 0;
    for (uint32_t i = 0; i < d->count; ++i)
        if (!d->fields[i].def.set) d->base_count = i + 1;
    for (uint32_t i = 0; i < d->count; ++i) {
        zc_schema_field *f = &d->fields[i];
        const zc_schema_type *t = &schema->types[f->type];
        f->align = zc__schema_slot_align(schema, f->type);
        int in_place = ZC_SCHEMA_IS_SCALAR(t->kind) || t->kind == ZC_SCHEMA_ENUM || t->kind == ZC_SCHEMA_INLINE;
        /* A field of the extension starts at a multiple of 8: past the struct_size of
         * every older version of the struct, which never held it. */
        if (i >= d->base_count) end = zc__align_up(end, 8);
        if (f->optional && in_place) {
            f->presence = zc__align_up(end, f->align);
            f->offset = f->presence + f->align;
            f->size = f->align + zc__schema_slot_size(schema, f->type);
        } else {
            f->offset = f->presence = zc__align_up(end, f->align);
            f->size = zc__schema_slot_size(schema, f->type);
        }
        end = f->presence + f->size;
        if (i < d->base_count) base_end = end;
        if (end > ZC_SCHEMA_MAX_STRUCT)
            return zc__schema_error(diag, schema->file, f->line, f->column, "struct '%s' exceeds %u bytes", d->name,
                                    ZC_SCHEMA_MAX_STRUCT);
    }
    d->size = zc__align_up(end, 8);
    d->base_size = zc__align_up(base_end, 8);
    return ZC_OK;
}

/* An inline struct (and first the inline structs it holds, which the resolve pass
 * found free of cycles): its fields back to back in declaration order from offset 0,
 * each at its natural alignment; the size rounded up to the largest alignment. */
static zc_result zc__layout_inline(zc_schema *schema, uint32_t decl, zc_diag *diag) {
    zc_schema_decl *d = &schema->decls[decl];
    if (d->align) return ZC_OK; /* laid out already */
    uint32_t end = 0, align = 1, packed = 0;
    int checked = 0, padded = 0;
    for (uint32_t i = 0; i < d->count; ++i) {
        zc_schema_field *f = &schema->decls[decl].fields[i];
        const zc_schema_type *t = &schema->types[f->type];
        if (t->kind == ZC_SCHEMA_INLINE) {
            zc_result r = zc__layout_inline(schema, t->decl, diag);
            if (r != ZC_OK) return r;
            checked |= schema->decls[t->decl].checked;
            padded |= schema->decls[t->decl].padded;
        }
        checked |= t->kind == ZC_SCHEMA_BOOL || t->kind == ZC_SCHEMA_ENUM;
        f->align = zc__schema_slot_align(schema, f->type);
        f->size = zc__schema_slot_size(schema, f->type);
        f->offset = f->presence = zc__align_up(end, f->align);
        end = f->offset + f->size;
        packed += f->size;
        if (f->align > align) align = f->align;
        if (end > ZC_SCHEMA_MAX_STRUCT)
            return zc__schema_error(diag, schema->file, f->line, f->column, "inline struct '%s' exceeds %u bytes",
                                    d->name, ZC_SCHEMA_MAX_STRUCT);
    }
    d = &schema->decls[decl];
    d->size = d->base_size = zc__align_up(end, align);
    d->align = align;
    d->base_count = d->count;
    d->checked = checked;
    d->padded = padded || packed != d->size;
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * Canonical forms
 * ------------------------------------------------------------------------------- */

static void zc__quoted(zc__schema_text *t, const char *s, size_t n) {
    zc__schema_printf(t, "\"");
    for (size_t i = 0; i < n; ++i) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') zc__schema_printf(t, "\\%c", c);
        else if (c < 0x20) zc__schema_printf(t, "\\x%02x", c);
        else zc__schema_printf(t, "%c", c);
    }
    zc__schema_printf(t, "\"");
}

static void zc__default_text(const zc_schema *schema, const zc_schema_field *f, zc__schema_text *t) {
    const zc_schema_type *ty = &schema->types[f->type];
    if (!f->def.set) return;
    zc__schema_printf(t, "=");
    if (f->def.literal == ZC__SCHEMA_LIT_NULL) zc__schema_printf(t, "null");
    else if (f->def.literal == ZC__SCHEMA_LIT_EMPTY_VECTOR) zc__schema_printf(t, "[]");
    else if (f->def.literal == ZC__SCHEMA_LIT_EMPTY_MAP) zc__schema_printf(t, "{}");
    else if (ty->kind == ZC_SCHEMA_STRING) zc__quoted(t, f->def.s, f->def.s_length);
    else if (ty->kind == ZC_SCHEMA_BOOL) zc__schema_printf(t, "%s", f->def.i ? "true" : "false");
    else if (ZC_SCHEMA_IS_FLOAT(ty->kind)) zc__schema_printf(t, "%.17g", f->def.f);
    else if (ZC_SCHEMA_IS_SIGNED(ty->kind)) zc__schema_printf(t, "%lld", (long long)f->def.i);
    else zc__schema_printf(t, "%llu", (unsigned long long)f->def.u);
}

static void zc__decl_text(const zc_schema *schema, const zc_schema_decl *d, int base_only, zc__schema_text *t) {
    if (d->kind == ZC_SCHEMA_DECL_ENUM) {
        zc__schema_printf(t, "enum %s:%s{", d->name, zc_schema_kind_name(d->underlying));
        for (uint32_t i = 0; i < d->count; ++i)
            zc__schema_printf(t, "%s%s=%llu", i ? "," : "", d->names[i], (unsigned long long)d->values[i]);
    } else if (d->kind == ZC_SCHEMA_DECL_UNION) {
        zc__schema_printf(t, "union %s{", d->name);
        for (uint32_t i = 0; i < d->count; ++i) zc__schema_printf(t, "%s%s", i ? "," : "", schema->decls[d->members[i]].name);
    } else if (d->kind == ZC_SCHEMA_DECL_INLINE) {
        zc__schema_printf(t, "inline %s{", d->name);
        for (uint32_t i = 0; i < d->count; ++i) {
            zc__schema_printf(t, "%s%s@%u:", i ? "," : "", d->fields[i].name, d->fields[i].offset);
            zc__schema_type_text(schema, d->fields[i].type, t);
        }
    } else {
        zc__schema_printf(t, "struct %s{struct_size@0:u32", d->name);
        uint32_t count = base_only ? d->base_count : d->count;
        for (uint32_t i = 0; i < count; ++i) {
            const zc_schema_field *f = &d->fields[i];
            zc__schema_printf(t, ",%s@%u:%s", f->name, f->presence, f->optional ? "?" : "");
            zc__schema_type_text(schema, f->type, t);
            zc__default_text(schema, f, t);
        }
    }
    zc__schema_printf(t, "};");
}

/* Marks in used[] the declarations the root depends on for its layout, through the
 * compatible prefixes only when base_only (refs only name theirs). A worklist, not
 * recursion: the declarations may form cycles and chains of any length. `work` holds
 * decl_count entries. */
static void zc__mark_used(const zc_schema *schema, int base_only, uint8_t *used, uint32_t *work) {
    uint32_t n = 0;
    used[schema->root] = 1;
    work[n++] = schema->root;
    while (n) {
        const zc_schema_decl *d = &schema->decls[work[--n]];
        uint32_t count = d->kind == ZC_SCHEMA_DECL_ENUM    ? 0
                         : d->kind == ZC_SCHEMA_DECL_UNION ? d->count
                         : base_only                       ? d->base_count /* an inline struct's: all */
                                                           : d->count;
        for (uint32_t i = 0; i < count; ++i) {
            uint32_t to = d->kind == ZC_SCHEMA_DECL_UNION ? d->members[i] : UINT32_MAX;
            if (d->kind != ZC_SCHEMA_DECL_UNION) {
                const zc_schema_type *t = &schema->types[d->fields[i].type];
                while (t->kind == ZC_SCHEMA_VECTOR || t->kind == ZC_SCHEMA_MAP) t = &schema->types[t->elem];
                if (t->kind == ZC_SCHEMA_ENUM || t->kind == ZC_SCHEMA_STRUCT || t->kind == ZC_SCHEMA_UNION ||
                    t->kind == ZC_SCHEMA_INLINE)
                    to = t->decl;
            }
            if (to == UINT32_MAX || used[to]) continue;
            used[to] = 1;
            work[n++] = to;
        }
    }
}

static int zc__decl_by_name(const void *a, const void *b) {
    return strcmp((*(const zc_schema_decl *const *)a)->name, (*(const zc_schema_decl *const *)b)->name);
}

/* "zcs/1;tag=WEAP;root=Weapon;" then the declarations the root depends on (through
 * the compatible prefixes only, for the base form), sorted by name (names are unique). */
static char *zc__canonical(const zc_schema *schema, int base_only) {
    zc__schema_text t = { NULL, 0, 0, 0 };
    uint32_t tag = schema->type_tag;
    zc__schema_printf(&t, "zcs/1;tag=%c%c%c%c;root=%s;", (char)(tag & 0xff), (char)(tag >> 8 & 0xff),
                      (char)(tag >> 16 & 0xff), (char)(tag >> 24), schema->decls[schema->root].name);
    const zc_schema_decl **order = (const zc_schema_decl **)malloc((schema->decl_count + 1) * sizeof *order);
    uint32_t *work = (uint32_t *)malloc((schema->decl_count + 1) * sizeof *work);
    uint8_t *used = (uint8_t *)calloc(schema->decl_count + 1, 1);
    uint32_t n = 0;
    if (!order || !work || !used) t.failed = 1;
    else zc__mark_used(schema, base_only, used, work);
    for (uint32_t i = 0; !t.failed && i < schema->decl_count; ++i)
        if (used[i]) order[n++] = &schema->decls[i];
    if (n) qsort(order, n, sizeof *order, zc__decl_by_name);
    for (uint32_t i = 0; i < n; ++i) zc__decl_text(schema, order[i], base_only, &t);
    free(order);
    free(work);
    free(used);
    if (t.failed) {
        free(t.data);
        return NULL;
    }
    return t.data;
}

zc_result zc__schema_layout(zc_schema *schema, zc_diag *diag) {
    for (uint32_t i = 0; i < schema->decl_count; ++i) {
        if (schema->decls[i].kind != ZC_SCHEMA_DECL_INLINE) continue;
        zc_result r = zc__layout_inline(schema, i, diag);
        if (r != ZC_OK) return r;
    }
    for (uint32_t i = 0; i < schema->decl_count; ++i) {
        if (schema->decls[i].kind != ZC_SCHEMA_DECL_STRUCT) continue;
        zc_result r = zc__layout_struct(schema, &schema->decls[i], diag);
        if (r != ZC_OK) return r;
    }
    schema->layout_desc = zc__canonical(schema, 1);
    schema->schema_desc = zc__canonical(schema, 0);
    if (!schema->layout_desc || !schema->schema_desc) return ZC_ERR_OUT_OF_MEMORY;
    schema->layout_hash = zc_layout_hash(schema->layout_desc);
    schema->schema_hash = zc_layout_hash(schema->schema_desc);
    return ZC_OK;
}
