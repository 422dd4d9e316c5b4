/* zc_schema_builder.h - write the archived bytes of a schema entry (formats/SPEC.md
 * section 16) from a program: the writer the JSON encoder (zc_schema_encode) itself
 * uses, for tools that generate data. Part of the packer library (libzcpacker.a).
 *
 * A builder is an arena: one buffer that grows geometrically, holds one entry at a
 * time, and is reused after zc_builder_reset without allocating again. Records,
 * strings, arrays and maps are appended to it; a *position* (zc_builder_pos, a byte
 * offset from the entry's start) names each thing appended, since the buffer may
 * move when it grows. Nothing is looked up by name: the header `zcpack schema`
 * generates (SPEC.md 16.9) holds typed functions with every size and offset baked in
 * (Weapon_start, Weapon_set_damage, Weapon_start_parts, ...), compiled when this
 * header is included before the generated one, or when ZCS_WITH_BUILDER is defined.
 *
 * The bytes. Whatever the order of the calls, the result is a valid entry of the
 * schema's root type when every record was created with its struct's size, every
 * required struct field was given a record and every union a member. The bytes equal
 * zc_schema_encode's for the same data when the program writes as the reference
 * writer places things (SPEC.md 16.3): the root record first (zc_builder_root), then
 * each field's targets in field order, depth-first (a field's string, record,
 * elements or map before the next field's), map entries in the order the map call
 * returns; and, as the encoder does for a field the document leaves out, the default
 * of a string field with a default (the generated S_set_f_default). Scalars may be
 * set in any order: they live inside records already placed.
 *
 * Errors are sticky: the first failing call records its result and a message, later
 * calls append nothing (those returning a new position return 0, those returning a
 * result return the same error), and zc_builder_finish returns that error. So a
 * program may check only at the end. Every store through a position is bounds-checked
 * against the entry so far (a store outside it is dropped), so a failed builder never
 * writes outside its buffer. Errors:
 *   ZC_ERR_OUT_OF_MEMORY    the buffer or the map scratch cannot grow
 *   ZC_ERR_LIMIT            past desc.max_size, a string, vector or map past the
 *                           limits of SPEC.md 16.7 (ZC_BUILDER_MAX_STRING, _COUNT),
 *                           a u32 map key over 2^32 - 1
 *   ZC_ERR_BAD_STRING       a string (or string key) that is not UTF-8 or holds a NUL
 *   ZC_ERR_BAD_PATH         zc_builder_ref_path given a path zc_check_path refuses
 *   ZC_ERR_INVALID_ARGUMENT a map key given twice; the root record not first, or
 *                           missing at finish
 *
 * Trust: the builder trusts its caller's positions, sizes and struct sizes (they come
 * from the generated header); it checks the data: strings, counts, keys, sizes. It
 * does not count nesting: records nested deeper than SPEC.md 16.7's 64 levels are
 * written, and refused by the validator (zc_schema_check, <Root>_validate).
 * Threads: a builder is used by one thread at a time; different builders are
 * independent. No global state.
 *
 * Example:
 *     #include <zc/zc_packer.h>
 *     #include <zc/zc_schema_builder.h>
 *
 *     // root Item; struct Item { name: string; weight: u32; } has records of 32 bytes:
 *     // struct_size at 0, name (a zc_string) at 8, weight at 24.
 *     static const char zcs[] = "type_tag \"ITEM\"; root Item; struct Item { name: string; weight: u32; }";
 *     zc_schema *schema = NULL;
 *     if (zc_schema_parse("item.zcs", zcs, sizeof zcs - 1, &schema, NULL) != ZC_OK) return 1;
 *     zc_builder *b = NULL;
 *     if (zc_builder_create(&b, &(zc_builder_desc){ 0 }) != ZC_OK) return 1;
 *     zc_builder_pos item = zc_builder_root(b, 32);
 *     zc_builder_string(b, item + 8, "lamp", 4);
 *     zc_builder_put_u32(b, item + 24, 3);
 *     const void *bytes;
 *     uint64_t size;
 *     zc_diag diag;
 *     zc_result r = zc_builder_finish(b, &bytes, &size, &diag);
 *     if (r == ZC_OK) r = zc_schema_check(schema, bytes, size, &diag);
 *     zc_builder_destroy(b);
 *     zc_schema_free(schema);
 *     if (r != ZC_OK || size != 40) return 1;
 */
#ifndef ZC_SCHEMA_BUILDER_H
#define ZC_SCHEMA_BUILDER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "zc_format.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZC_BUILDER_MAX_COUNT (1u << 24)   /* vector elements, map entries (SPEC.md 16.7) */
#define ZC_BUILDER_MAX_STRING (1u << 24)  /* string bytes, NUL excluded */

/* A byte offset from the start of the entry being built. */
typedef uint64_t zc_builder_pos;

typedef struct zc_builder_desc {
    uint64_t initial_capacity;  /* default: 0 = 4096 bytes, allocated at create */
    uint64_t max_size;          /* default: 0 = 4 GiB, the largest entry the encoding allows;
                                   growing past it fails with ZC_ERR_LIMIT */
} zc_builder_desc;

/* The builder. Its fields are visible so the inline writers below and the generated
 * setters compile to a bounds check and a store; read them, never write them. */
typedef struct zc_builder {
    uint8_t *data;              /* the entry so far; moves when it grows */
    uint64_t size;              /* bytes written */
    uint64_t capacity;          /* bytes allocated */
    uint64_t max_size;
    zc_result error;            /* the first error, sticky until reset */
    char message[200];          /* its sentence */
    uint32_t *scratch;          /* map hash tables, reused */
    uint64_t scratch_capacity;  /* in u32 */
} zc_builder;

/* The keys of a map (SPEC.md 16.4). */
typedef enum zc_builder_key_kind {
    ZC_BUILDER_KEY_STRING,
    ZC_BUILDER_KEY_U32,
    ZC_BUILDER_KEY_U64,
} zc_builder_key_kind;

/* A map key as the program gives it: `text` and `length` for a string key (text
 * not NULL, "" for the empty key), else `value` for a u32 or u64 key (text NULL; a
 * u32 map's keys at most 2^32 - 1). */
typedef struct zc_builder_key {
    const char *text;
    uint64_t length;
    uint64_t value;
} zc_builder_key;

/* Create a builder (*out; destroy it with zc_builder_destroy). ZC_OK;
 * ZC_ERR_OUT_OF_MEMORY (*out NULL); ZC_ERR_INVALID_ARGUMENT for an initial capacity
 * over max_size. `desc` may be NULL (all defaults). */
zc_result zc_builder_create(zc_builder **out, const zc_builder_desc *desc);

/* Free a builder and its buffer; NULL is allowed. Bytes zc_builder_finish returned
 * are gone with it. */
void zc_builder_destroy(zc_builder *b);

/* Forget the entry and the error; keep the buffer for the next entry. */
void zc_builder_reset(zc_builder *b);

/* The error so far (ZC_OK when none), its sentence in diag (may be NULL). */
zc_result zc_builder_error(const zc_builder *b, zc_diag *diag);

/* zc_builder_alloc, zc_builder_record, zc_builder_struct and zc_builder_link are
 * inline (after the scalar stores below): an append is a bounds check, a clear and a
 * store unless the buffer must grow. */

/* The root record: `struct_size` zeroed bytes (a multiple of 8, at least 8) at
 * position 0, struct_size written. It must be the builder's first append
 * (ZC_ERR_INVALID_ARGUMENT otherwise). Returns 0. */
zc_builder_pos zc_builder_root(zc_builder *b, uint32_t struct_size);

/* The union slot at `slot` (16 bytes) set to member `tag` (1-based, the generated
 * U_M constant) with a new record of `struct_size`; the record's position. */
zc_builder_pos zc_builder_union(zc_builder *b, zc_builder_pos slot, uint32_t tag, uint32_t struct_size);


/* `length` bytes of UTF-8 `text` (no NUL inside; need not be NUL-terminated) and a
 * NUL appended, and the zc_string at `slot` pointing at them (an empty string
 * appends nothing). ZC_OK, ZC_ERR_BAD_STRING, ZC_ERR_LIMIT, ZC_ERR_OUT_OF_MEMORY or
 * the earlier error. Safe on untrusted text. Inline for short ASCII strings that fit
 * the buffer (below); zc__builder_string does the rest. */
static inline zc_result zc_builder_string(zc_builder *b, zc_builder_pos slot, const char *text, uint64_t length);
zc_result zc__builder_string(zc_builder *b, zc_builder_pos slot, const char *text, uint64_t length);

/* The string of an optional string field (`?string`, SPEC.md 16.2): as
 * zc_builder_string, except that an empty string appends its NUL and points at it,
 * so the field reads as present; a field never written reads as absent. Safe on
 * untrusted text. */
zc_result zc_builder_present_string(zc_builder *b, zc_builder_pos slot, const char *text, uint64_t length);

/* The elements of a vector: `count` zeroed slots of `elem_size` bytes, aligned to 8,
 * and the zc_array at `slot` pointing at them; their position (element i at
 * position + i * elem_size). A count of 0 appends nothing and returns 0. ZC_ERR_LIMIT
 * past ZC_BUILDER_MAX_COUNT. */
zc_builder_pos zc_builder_vector(zc_builder *b, zc_builder_pos slot, uint64_t count, uint32_t elem_size);

/* zc_builder_vector without clearing the elements: where they lie in the builder's
 * buffer, for the caller to write every byte of every element in place (a large array
 * of plain values written once, not twice); valid until the builder's next call. NULL
 * when count is 0 or the builder failed (nothing to write then). The generated
 * S_fill_f offers it for vectors whose elements have no padding bytes, so that a
 * whole write of each element decides every byte; bools must be 0 or 1 and enums
 * values of theirs, as everywhere. */
void *zc_builder_vector_fill(zc_builder *b, zc_builder_pos slot, uint64_t count, uint32_t elem_size);

/* A map (SPEC.md 16.4) of `count` entries of `entry_size` bytes with the given keys
 * of kind `kind`, into the zcs_map at `slot`: the entries, then the hash slots. Integer keys are written here; order[k]
 * (count elements, filled here) is the index in `keys` of entry k, the entries being
 * in slot order. The program then writes each entry k in turn: its string key with
 * zc_builder_map_key, then its value at position + k * entry_size + value offset
 * (16 for string keys, 8 for integer keys). Returns the entries' position (0 for an
 * empty map, which appends nothing). ZC_ERR_INVALID_ARGUMENT for a key given twice,
 * ZC_ERR_LIMIT for a u32 key over 2^32 - 1 or past ZC_BUILDER_MAX_COUNT entries (order untouched), ZC_ERR_OUT_OF_MEMORY.
 * On any other error, and on a builder failed before, order[k] is k, so a loop over
 * keys[order[k]] stays inside `keys`. The key texts are read during the call only;
 * they are checked as UTF-8 by zc_builder_map_key. To get zc_schema_encode's bytes,
 * give the keys in the order of the JSON object's members: where keys collide, the
 * slots they take depend on that order. */
zc_builder_pos zc_builder_map(zc_builder *b, zc_builder_pos slot, zc_builder_key_kind kind, uint32_t entry_size,
                              const zc_builder_key *keys, uint64_t count, uint32_t *order);

/* Write the string key of map entry k (`entries` from zc_builder_map); the position of
 * the entry's value slot. Integer keys are already written: this returns the value
 * slot only. */
zc_builder_pos zc_builder_map_key(zc_builder *b, zc_builder_pos entries, uint32_t entry_size, uint64_t k,
                                  const zc_builder_key *key);

/* The u64 asset id of the entry at `path` (zc_asset_id) into the ref slot at `slot`,
 * after zc_check_path (ZC_ERR_BAD_PATH). Safe on untrusted paths. */
zc_result zc_builder_ref_path(zc_builder *b, zc_builder_pos slot, const char *path, uint64_t length);

/* Pad the entry to a multiple of 8 and hand out its bytes: *data (8-aligned, valid
 * until the builder's next append, reset or destroy; the generated accessors read it
 * as they read an entry of a pack) and *size. Returns the sticky error (with *data
 * NULL and *size 0), ZC_ERR_INVALID_ARGUMENT when no root record was written, or
 * ZC_OK. diag may be NULL. The builder keeps the entry: a program may still append,
 * then finish again. */
zc_result zc_builder_finish(zc_builder *b, const void **data, uint64_t *size, zc_diag *diag);

/* zc_builder_finish, handing the buffer over: *out is the program's to free() (with
 * capacity at least *size), and the builder starts empty with no buffer (its next
 * append allocates). On error *out is NULL and the builder unchanged. */
zc_result zc_builder_release(zc_builder *b, uint8_t **out, uint64_t *size, zc_diag *diag);

/* Record an error (the first one sticks) with a printf-style sentence; returns the
 * builder's error. For callers that check data of their own (the JSON encoder). */
#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 3, 4)))
#endif
zc_result zc_builder_fail(zc_builder *b, zc_result error, const char *fmt, ...);

/* ---------------------------------------------------------------------------------
 * Scalars: a store of `size` bytes at `at`, inside the entry (a failed builder's
 * stores land nowhere). Little-endian host only (SPEC.md: readers refuse others).
 * ------------------------------------------------------------------------------- */

static inline void zc_builder_put(zc_builder *b, zc_builder_pos at, const void *value, size_t size) {
    if (at <= b->size && size <= b->size - at) memcpy(b->data + at, value, size);
}
static inline void zc_builder_put_u8(zc_builder *b, zc_builder_pos at, uint8_t v) { zc_builder_put(b, at, &v, 1); }
static inline void zc_builder_put_u16(zc_builder *b, zc_builder_pos at, uint16_t v) { zc_builder_put(b, at, &v, 2); }
static inline void zc_builder_put_u32(zc_builder *b, zc_builder_pos at, uint32_t v) { zc_builder_put(b, at, &v, 4); }
static inline void zc_builder_put_u64(zc_builder *b, zc_builder_pos at, uint64_t v) { zc_builder_put(b, at, &v, 8); }
static inline void zc_builder_put_f32(zc_builder *b, zc_builder_pos at, float v) { zc_builder_put(b, at, &v, 4); }
static inline void zc_builder_put_f64(zc_builder *b, zc_builder_pos at, double v) { zc_builder_put(b, at, &v, 8); }

/* The bytes at `at` for `size` bytes, or NULL when they are not inside the entry.
 * Valid until the next append. */
static inline void *zc_builder_ptr(zc_builder *b, zc_builder_pos at, uint64_t size) {
    return at <= b->size && size <= b->size - at ? (void *)(b->data + at) : NULL;
}


/* ---------------------------------------------------------------------------------
 * Appends, inline: the buffer grows out of line (zc__builder_reserve).
 * ------------------------------------------------------------------------------- */

/* Room for `bytes` bytes at `at`, growing the buffer; ZC_ERR_LIMIT past max_size or
 * ZC_ERR_OUT_OF_MEMORY, recorded as the builder's error. */
zc_result zc__builder_reserve(zc_builder *b, uint64_t at, uint64_t bytes);

/* Append `bytes` zeroed bytes at the next multiple of `align` (a power of two, at most
 * 4096); their position. Position 0 on error. */
static inline zc_builder_pos zc_builder_alloc(zc_builder *b, uint64_t bytes, uint32_t align) {
    if (b->error != ZC_OK) return 0;
    uint64_t at = (b->size + align - 1) & ~(uint64_t)(align - 1);
    if ((bytes > b->capacity || at > b->capacity - bytes) && zc__builder_reserve(b, at, bytes) != ZC_OK) return 0;
    if (align == 8 && bytes >= 8) {
        /* the gap before `at` (under 8 bytes) cleared with one word that ends inside
         * the cleared bytes, and those with a size the compiler knows for a record */
        static const uint64_t zero = 0;
        memcpy(b->data + b->size, &zero, 8);
        memset(b->data + at, 0, (size_t)bytes);
    } else {
        memset(b->data + b->size, 0, (size_t)(at + bytes - b->size));
    }
    b->size = at + bytes;
    return at;
}
/* A record of `struct_size` bytes, aligned to 8, struct_size written; its position.
 * Not linked from anything: see zc_builder_struct. */
static inline zc_builder_pos zc_builder_record(zc_builder *b, uint32_t struct_size) {
    zc_builder_pos at = zc_builder_alloc(b, struct_size, 8);
    if (b->error == ZC_OK) memcpy(b->data + at, &struct_size, 4);
    return at;
}
/* Make the zc_rel_ptr at `slot` point at `target`. */
static inline void zc_builder_link(zc_builder *b, zc_builder_pos slot, zc_builder_pos target) {
    int64_t offset = (int64_t)target - (int64_t)slot;
    zc_builder_put(b, slot, &offset, 8);
}

/* zc_builder_string's common case: up to ZC_BUILDER_INLINE_STRING bytes of UTF-8
 * without NUL (ASCII decided a word at a time, zc_utf8_valid_in), with room in the
 * buffer. Anything else goes to zc__builder_string, which reports the error or grows
 * the buffer. */
#define ZC_BUILDER_INLINE_STRING 64u
static inline zc_result zc_builder_string(zc_builder *b, zc_builder_pos slot, const char *text, uint64_t length) {
    if (b->error != ZC_OK || length == 0 || length > ZC_BUILDER_INLINE_STRING || slot > b->size ||
        b->size - slot < 16 || b->capacity - b->size <= length)
        return zc__builder_string(b, slot, text, length);
    if (!zc_utf8_valid_in((const uint8_t *)text, length, length)) return zc__builder_string(b, slot, text, length);
    uint64_t at = b->size;
    memcpy(b->data + at, text, (size_t)length);
    b->data[at + length] = 0;
    b->size = at + length + 1;
    memcpy(b->data + slot + 8, &length, 8);
    zc_builder_link(b, slot, at);
    return ZC_OK;
}

/* A new record linked from the zc_rel_ptr slot at `slot` (a struct field, a vector
 * element or a map value); its position. */
static inline zc_builder_pos zc_builder_struct(zc_builder *b, zc_builder_pos slot, uint32_t struct_size) {
    zc_builder_pos at = zc_builder_record(b, struct_size);
    if (b->error == ZC_OK) zc_builder_link(b, slot, at);
    return at;
}


#ifdef __cplusplus
}
#endif

#endif /* ZC_SCHEMA_BUILDER_H */
