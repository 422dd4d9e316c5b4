/* zc_schema_internal.h - what the passes of the schema compiler share: parsed
 * literals, the "not yet resolved" type kind, error reporting with a position, and a
 * growable text buffer. Not installed; packer/schema/ only.
 */
#ifndef ZC_SCHEMA_INTERNAL_H
#define ZC_SCHEMA_INTERNAL_H

#include <stdarg.h>

#include "zc_schema.h"

/* Kind of a type expression that names a declaration, before zc__schema_resolve. */
#define ZC__SCHEMA_NAMED ((zc_schema_kind)100)

/* Kinds of default literals as parsed (zc_schema_default.literal). */
enum {
    ZC__SCHEMA_LIT_NONE = 0,
    ZC__SCHEMA_LIT_INT,         /* text: decimal or 0x hexadecimal, maybe with '-' */
    ZC__SCHEMA_LIT_FLOAT,
    ZC__SCHEMA_LIT_STRING,      /* text: the decoded UTF-8 */
    ZC__SCHEMA_LIT_NAME,        /* true, false or an enum value name */
    ZC__SCHEMA_LIT_NULL,        /* null */
    ZC__SCHEMA_LIT_EMPTY_VECTOR,/* [] */
    ZC__SCHEMA_LIT_EMPTY_MAP,   /* {} */
};

/* "file:line:column: message" into diag; returns ZC_ERR_BAD_SOURCE. */
#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 5, 6)))
#endif
zc_result zc__schema_error(zc_diag *diag, const char *file, uint32_t line, uint32_t column, const char *fmt, ...);

/* Append one zeroed element of `size` bytes to *array of *count elements, an array
 * that only this function grows (it keeps room for the next power of two);
 * returns it, or NULL when out of memory. */
void *zc__schema_push(void *array_ptr, uint32_t *count, size_t size);

/* The resolve pass: names of types, union members and root to declarations, the
 * defaults checked against their fields' types, the declarations' own rules. Runs
 * on a freshly parsed schema. ZC_OK or ZC_ERR_BAD_SOURCE with a positioned diag. */
zc_result zc__schema_resolve(zc_schema *schema, zc_diag *diag);

/* The layout pass (SPEC.md, "Schema struct layout"): every field's offset and size,
 * every struct's size and compatible prefix, the canonical forms and the hashes.
 * ZC_OK, ZC_ERR_BAD_SOURCE (a struct over ZC_SCHEMA_MAX_STRUCT) or
 * ZC_ERR_OUT_OF_MEMORY. */
zc_result zc__schema_layout(zc_schema *schema, zc_diag *diag);

/* Size and alignment of a slot of type `type` (not optional) inside a struct, a
 * vector or a map entry. */
uint32_t zc__schema_slot_size(const zc_schema *schema, uint32_t type);
uint32_t zc__schema_slot_align(const zc_schema *schema, uint32_t type);
/* Size of a map entry of type `type` (a MAP): the key slot, the value slot, rounded
 * up to 8; the value starts at zc__schema_map_value_offset. */
uint32_t zc__schema_map_entry_size(const zc_schema *schema, uint32_t type);
uint32_t zc__schema_map_value_offset(zc_schema_kind key);
/* Bytes of a scalar kind (bool and enums included: enums by their underlying kind). */
uint32_t zc__schema_scalar_size(zc_schema_kind kind);

/* The bits of the stored scalar (enums: their underlying integer) that the JSON
 * encoder writes for field `f` when a document leaves it out; 0 when `f` has no
 * scalar default (optional and non-scalar fields). */
uint64_t zc__schema_default_bits(const zc_schema *schema, const zc_schema_field *f);

/* Hash of a map key (SPEC.md, "Schema maps"): FNV-1a 32 of a string key's bytes;
 * the 64-bit finalizer below of an integer key, folded to 32 bits. */
uint32_t zc__schema_hash_string(const void *bytes, uint64_t length);
uint32_t zc__schema_hash_int(uint64_t key);

/* A growable NUL-terminated text. Out of memory sets `failed` and keeps what it had. */
typedef struct zc__schema_text {
    char *data;
    size_t length, capacity;
    int failed;
} zc__schema_text;
#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 2, 3)))
#endif
void zc__schema_printf(zc__schema_text *t, const char *fmt, ...);
void zc__schema_vprintf(zc__schema_text *t, const char *fmt, va_list ap);

/* The canonical text of a type expression (`[map<string,Stats>]`, `?u32`). */
void zc__schema_type_text(const zc_schema *schema, uint32_t type, zc__schema_text *t);



/* ---------------------------------------------------------------------------------
 * The header generator's parts (zc_schema_gen*.c)
 * ------------------------------------------------------------------------------- */
typedef struct zc__gen {
    const zc_schema *s;
    FILE *out;
    const char *p;              /* prefix of internal names: the root struct's name */
    const uint32_t *inlines;    /* the inline structs' decls, each after those it holds */
    uint32_t inline_count;
} zc__gen;

/* C type of a slot of `type` ("uint32_t", "zc_string", "Kind", "Effect"). */
const char *zc__gen_slot_ctype(const zc_schema *s, uint32_t type);
/* 1 when a slot of `type` needs a check beyond its bounds (not a plain number). */
int zc__gen_needs_check(const zc_schema *s, uint32_t type);
/* The inline structs' decl indices, each after the inline structs it holds: malloc'd
 * (free it), *count of them; NULL when out of memory. */
uint32_t *zc__gen_inline_order(const zc_schema *s, uint32_t *count);
/* The validator: per-type slot checks, per-struct record checks, <Root>_validate. */
void zc__gen_check(const zc__gen *g);
/* The JSON dumper: per-type slot dumps, per-struct dumps, <Root>_dump_json. */
void zc__gen_dump(const zc__gen *g);
/* The typed builder: <Root>_start, per-field setters and starters (ZC_SCHEMA_BUILDER_H). */
void zc__gen_build(const zc__gen *g);
/* A C string literal of any bytes (octal escapes outside printable ASCII). */
void zc__gen_c_string(FILE *out, const char *s, size_t n);
#endif /* ZC_SCHEMA_INTERNAL_H */
