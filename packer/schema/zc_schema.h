/* zc_schema.h - the schema compiler of game-defined entry types (SPEC.md, "Schema
 * types"): a .zcs file parsed into a zc_schema, laid out, turned into one C header
 * (zc_schema_gen_header) and used to encode JSON documents into archived entries
 * (zc_schema_encode).
 *
 * The passes, one per file: zc_schema_parse.c (text -> declarations, names resolved),
 * zc_schema_layout.c (offsets, sizes, the canonical form and the layout hashes),
 * zc_schema_gen*.c (the header: layout and accessors, validator, JSON dumper, typed
 * builder) and zc_schema_encode.c (JSON -> archived bytes, written through the
 * builder of zc_schema_builder.h). A zc_schema is immutable after
 * zc_schema_parse returns it; it may be read from several threads at once.
 */
#ifndef ZC_SCHEMA_H
#define ZC_SCHEMA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "zc_format.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Kinds of types. The scalars come first, in the order of ZC_SCHEMA_SCALAR_LIST. */
#define ZC_SCHEMA_SCALAR_LIST(X)                                                          \
    X(BOOL, "bool", "uint8_t", 1)                                                        \
    X(I8, "i8", "int8_t", 1)                                                             \
    X(I16, "i16", "int16_t", 2)                                                          \
    X(I32, "i32", "int32_t", 4)                                                          \
    X(I64, "i64", "int64_t", 8)                                                          \
    X(U8, "u8", "uint8_t", 1)                                                            \
    X(U16, "u16", "uint16_t", 2)                                                         \
    X(U32, "u32", "uint32_t", 4)                                                         \
    X(U64, "u64", "uint64_t", 8)                                                         \
    X(F32, "f32", "float", 4)                                                            \
    X(F64, "f64", "double", 8)

typedef enum zc_schema_kind {
#define ZC__SCHEMA_KIND(name, text, ctype, size) ZC_SCHEMA_##name,
    ZC_SCHEMA_SCALAR_LIST(ZC__SCHEMA_KIND)
#undef ZC__SCHEMA_KIND
    ZC_SCHEMA_ENUM,             /* an enum declaration, stored as its underlying integer */
    ZC_SCHEMA_STRING,           /* zc_string */
    ZC_SCHEMA_STRUCT,           /* zc_rel_ptr to the struct */
    ZC_SCHEMA_UNION,            /* u32 tag, u32 zero, zc_rel_ptr to the member struct */
    ZC_SCHEMA_VECTOR,           /* zc_array of element slots */
    ZC_SCHEMA_MAP,              /* zc_array of entries, zc_array of u32 hash slots */
    ZC_SCHEMA_REF,              /* u64 asset id of another entry */
    ZC_SCHEMA_INLINE,           /* an inline struct: its fields back to back, no pointer */
} zc_schema_kind;

#define ZC_SCHEMA_IS_SCALAR(kind) ((kind) <= ZC_SCHEMA_F64)
#define ZC_SCHEMA_IS_INTEGER(kind) ((kind) >= ZC_SCHEMA_I8 && (kind) <= ZC_SCHEMA_U64)
#define ZC_SCHEMA_IS_SIGNED(kind) ((kind) >= ZC_SCHEMA_I8 && (kind) <= ZC_SCHEMA_I64)
#define ZC_SCHEMA_IS_FLOAT(kind) ((kind) == ZC_SCHEMA_F32 || (kind) == ZC_SCHEMA_F64)

/* A type expression, stored once in zc_schema.types and named by its index. */
typedef struct zc_schema_type {
    zc_schema_kind kind;
    uint32_t decl;              /* ENUM, STRUCT, UNION, INLINE: index into zc_schema.decls */
    uint32_t elem;              /* VECTOR element, MAP value: index into zc_schema.types */
    zc_schema_kind key;         /* MAP: STRING, U32 or U64 */
    char *ref_name;             /* REF: the expected entry type (Mesh, Texture, ... or a struct);
                                   before name resolution also the name a named type uses */
    uint32_t line, column;      /* where the type expression starts, for messages */
} zc_schema_type;

/* A field's explicit default (`= value`), already checked against the field's type. */
typedef struct zc_schema_default {
    int set;                    /* 1 when the field has `= value` */
    int64_t i;                  /* signed integers; bool (0/1) */
    uint64_t u;                 /* unsigned integers; enums: the value */
    double f;                   /* floats */
    char *s;                    /* strings: the UTF-8 text, NUL-terminated */
    size_t s_length;
    /* as parsed, before the resolve pass checks it against the type */
    int literal;                /* ZC__SCHEMA_LIT_* of zc_schema_internal.h */
    char *text;                 /* the literal's token text (strings: decoded) */
    uint32_t line, column;
} zc_schema_default;

typedef struct zc_schema_field {
    char *name;
    uint32_t line, column;
    uint32_t type;              /* index into zc_schema.types */
    int optional;               /* `?T`: scalars carry a presence byte; structs, refs may be null */
    zc_schema_default def;      /* `= value`, `= null`, `= []` or `= {}` (set, no value) */
    /* layout (zc_schema_layout) */
    uint32_t offset;            /* of the value inside the struct */
    uint32_t presence;          /* optional scalars: offset of the presence byte */
    uint32_t size;              /* bytes from `presence` (optional scalar) or `offset` */
    uint32_t align;
} zc_schema_field;

typedef enum zc_schema_decl_kind {
    ZC_SCHEMA_DECL_ENUM,
    ZC_SCHEMA_DECL_STRUCT,
    ZC_SCHEMA_DECL_UNION,
    ZC_SCHEMA_DECL_INLINE,      /* fixed layout: scalars, enums, inline structs; no struct_size */
} zc_schema_decl_kind;

typedef struct zc_schema_decl {
    zc_schema_decl_kind kind;
    char *name;
    uint32_t line, column;
    /* ENUM */
    zc_schema_kind underlying;  /* U8, U16 or U32 */
    char **names;               /* ENUM value names; UNION: unused */
    uint64_t *values;
    uint32_t count;             /* ENUM values, STRUCT and INLINE fields, UNION members */
    /* STRUCT and INLINE */
    zc_schema_field *fields;
    uint32_t base_count;        /* fields of the compatible prefix (layout pass; INLINE: all) */
    uint32_t base_size;         /* smallest struct_size a reader accepts (layout pass; INLINE: size) */
    uint32_t size;              /* struct_size of this schema; INLINE: its slot's size (layout pass) */
    uint32_t align;             /* INLINE: its slot's alignment, the largest of its fields' (layout pass) */
    int checked;                /* INLINE: holds a bool or enum, whose values a validator checks */
    int padded;                 /* INLINE: has padding bytes between or after its fields */
    /* UNION */
    uint32_t *members;          /* struct decl indices */
} zc_schema_decl;

typedef struct zc_schema {
    char *file;                 /* as given to zc_schema_parse, for messages */
    zc_schema_decl *decls;
    uint32_t decl_count;
    zc_schema_type *types;
    uint32_t type_count;
    uint32_t root;              /* struct decl named by `root` */
    uint32_t type_tag;          /* `type_tag "WEAP";` as ZC_FOURCC */
    char *layout_desc;          /* canonical form of the compatible prefix (zc_schema_layout) */
    char *schema_desc;          /* canonical form of the whole schema */
    uint32_t layout_hash;       /* zc_layout_hash(layout_desc) */
    uint32_t schema_hash;       /* zc_layout_hash(schema_desc) */
} zc_schema;

/* Limits of the language and of the archived data (SPEC.md, "Schema limits"). */
#define ZC_SCHEMA_MAX_DEPTH 64u           /* nested structs, vectors, maps, unions */
#define ZC_SCHEMA_MAX_COUNT (1u << 24)    /* elements of a vector or entries of a map */
#define ZC_SCHEMA_MAX_STRING (1u << 24)   /* bytes of a string, NUL excluded */
#define ZC_SCHEMA_MAX_STRUCT 65536u       /* struct_size */

/* Parse the schema `text` (`length` bytes, need not be NUL-terminated) named `file`,
 * resolve its names and lay it out. ZC_OK and *out (free with zc_schema_free);
 * ZC_ERR_BAD_SOURCE with diag "file:line:column: problem"; ZC_ERR_OUT_OF_MEMORY.
 * Safe on untrusted text. */
zc_result zc_schema_parse(const char *file, const char *text, size_t length, zc_schema **out, zc_diag *diag);

/* Read and parse the file at `path` (zc_schema_parse; ZC_ERR_IO when unreadable). */
zc_result zc_schema_load(const char *path, zc_schema **out, zc_diag *diag);

/* Free a schema; NULL is allowed. */
void zc_schema_free(zc_schema *schema);

/* Write the C header of `schema` to `out`: archived structs, accessors, validator,
 * JSON dumper, hashes (SPEC.md, "Generated headers"). `guard` names the include guard
 * suffix (e.g. the header's file name). ZC_OK or ZC_ERR_IO when writing fails. The
 * schema is trusted (zc_schema_parse's result). */
zc_result zc_schema_gen_header(const zc_schema *schema, const char *guard, FILE *out);

/* Encode the JSON document `json` (`length` bytes) named `json_file` into the archived
 * bytes of the schema's root type: *out malloc'd (free it), *out_size bytes, a
 * multiple of 8. Every value is checked against the schema; a wrong one gives
 * ZC_ERR_BAD_SOURCE with diag "json_file: .path: problem" (an entry past 4 GiB too);
 * ZC_ERR_OUT_OF_MEMORY. References are entry paths, stored as zc_asset_id(path).
 * The bytes are those a zc_builder writes for the same data (zc_schema_builder.h).
 * Safe on untrusted JSON. */
zc_result zc_schema_encode(const zc_schema *schema, const char *json_file, const char *json, size_t length,
                           uint8_t **out, size_t *out_size, zc_diag *diag);

/* How zc_schema_encode_refs checks each reference: check(user, target entry path,
 * expected type name as the schema writes it ("Mesh", "Weapon"), problem, size)
 * returns 1 when the target is acceptable, else 0 with a sentence in `problem`
 * ("no file of the tree has that path"); the encoder then fails with
 * "json_file: .json.path: reference to \"target\": problem". */
typedef struct zc_schema_ref_check {
    int (*check)(void *user, const char *target, const char *type_name, char *problem, size_t size);
    void *user;
} zc_schema_ref_check;

/* zc_schema_encode, with every reference also given to `refs` (NULL: none checked).
 * Safe on untrusted JSON. */
zc_result zc_schema_encode_refs(const zc_schema *schema, const char *json_file, const char *json, size_t length,
                                const zc_schema_ref_check *refs, uint8_t **out, size_t *out_size, zc_diag *diag);

/* Check `size` bytes as an entry of the schema's root type, from the schema in memory
 * (SPEC.md 16.8): the verdicts of the generated <Root>_validate, without compiled code.
 * ZC_OK or the first problem (ZC_ERR_BAD_ALIGNMENT, ZC_ERR_BAD_ENTRY, ZC_ERR_BAD_POINTER,
 * ZC_ERR_BAD_STRING, ZC_ERR_LIMIT) with diag (may be NULL). Safe on untrusted bytes
 * (bytes aligned to 8); no allocation, recursion bounded by ZC_SCHEMA_MAX_DEPTH. */
zc_result zc_schema_check(const zc_schema *schema, const void *bytes, uint64_t size, zc_diag *diag);

/* Name of a scalar or container kind as the language writes it ("u32", "string"). */
const char *zc_schema_kind_name(zc_schema_kind kind);

#ifdef __cplusplus
}
#endif

#endif /* ZC_SCHEMA_H */
