/* zc_result.h - the one list of result codes shared by formats/, runtime/ and packer/.
 *
 * Every fallible call in zcpack returns a zc_result. ZC_OK is 0; every error is a
 * positive value. Values are part of the stable ABI: once released, a value keeps its
 * number and its meaning forever; new codes are appended at the end of the list.
 *
 * The list is an X-macro so the enum and the strings (zc_result_str in the runtime)
 * can never drift apart. Pure header: no I/O, no allocation.
 */
#ifndef ZC_RESULT_H
#define ZC_RESULT_H

/* X(name, value, description) */
#define ZC_RESULT_LIST(X)                                                              \
    X(OK,                    0, "success")                                            \
    X(ERR_INVALID_ARGUMENT,  1, "invalid argument")                                   \
    X(ERR_OUT_OF_MEMORY,     2, "out of memory")                                      \
    X(ERR_IO,                3, "I/O error")                                          \
    X(ERR_FILE_NOT_FOUND,    4, "file not found")                                     \
    X(ERR_NOT_A_PACK,        5, "not a zcpack file (bad magic)")                      \
    X(ERR_MANGLED,           6, "file was mangled in transfer (line endings or EOF byte)") \
    X(ERR_VERSION,           7, "unsupported format version")                         \
    X(ERR_ENDIAN,            8, "byte order or number format mismatch")               \
    X(ERR_TRUNCATED,         9, "file is truncated")                                  \
    X(ERR_FILE_SIZE,        10, "file size does not match the header")                \
    X(ERR_HEADER_CHECKSUM,  11, "header checksum mismatch")                           \
    X(ERR_BAD_HEADER,       12, "header field out of range")                          \
    X(ERR_TOC_CHECKSUM,     13, "table of contents checksum mismatch")                \
    X(ERR_BAD_TOC,          14, "table of contents is malformed")                     \
    X(ERR_BAD_PATH,         15, "entry path is malformed")                            \
    X(ERR_BAD_ENTRY,        16, "entry is malformed")                                 \
    X(ERR_ENTRY_CHECKSUM,   17, "entry content hash mismatch")                        \
    X(ERR_NO_ENTRY,         18, "no such entry")                                      \
    X(ERR_TYPE_MISMATCH,    19, "entry has another type")                             \
    X(ERR_LAYOUT_MISMATCH,  20, "entry layout differs from this reader's")            \
    X(ERR_UNKNOWN_TYPE,     21, "unknown entry type")                                 \
    X(ERR_UNSUPPORTED_CODEC,22, "unsupported codec")                                  \
    X(ERR_LIMIT,            23, "a documented limit is exceeded")                     \
    X(ERR_BAD_POINTER,      24, "relative pointer or array out of bounds")            \
    X(ERR_BAD_STRING,       25, "string is not NUL-terminated UTF-8")                 \
    X(ERR_BAD_ALIGNMENT,    26, "misaligned data")                                    \
    X(ERR_BAD_SOURCE,       27, "source asset cannot be imported")                   \
    X(ERR_CANCELED,         28, "operation canceled")                                \
    X(ERR_STALE_HANDLE,     29, "handle is stale (released or never issued)") \
    X(ERR_BAD_PADDING,      30, "padding between payloads is not zero")                \
    X(ERR_SIGNATURE,        31, "pack is unsigned, wrongly signed or signed by an untrusted key")

typedef enum zc_result {
#define ZC__RESULT_ENUM(name, value, text) ZC_##name = value,
    ZC_RESULT_LIST(ZC__RESULT_ENUM)
#undef ZC__RESULT_ENUM
    ZC__RESULT_COUNT
} zc_result;

/* Human-readable fixed description of a result code; "unknown result" for values
 * outside the list. Never NULL. Pure; safe from any thread. */
static inline const char *zc_result_str(zc_result result) {
    switch (result) {
#define ZC__RESULT_STR(name, value, text) case ZC_##name: return text;
    ZC_RESULT_LIST(ZC__RESULT_STR)
#undef ZC__RESULT_STR
    default: return "unknown result";
    }
}

/* Stable identifier of a result code ("ZC_ERR_BAD_TOC"); NULL for unknown values.
 * Pure; safe from any thread. */
static inline const char *zc_result_name(zc_result result) {
    switch (result) {
#define ZC__RESULT_NAME(name, value, text) case ZC_##name: return "ZC_" #name;
    ZC_RESULT_LIST(ZC__RESULT_NAME)
#undef ZC__RESULT_NAME
    default: return 0;
    }
}

#include <stdint.h>

struct zc_diag;
/* One entry type an application registers with a reader (zc_pack_desc.types, SPEC.md
 * 16.10): a schema type's tag, layout hash and validator, as the header `zcpack schema`
 * generates names them (<ROOT>_TYPE_ROW). `check` has the contract of the built-in
 * checks (zc_types.h): safe on untrusted bytes, payload aligned to the entry's
 * alignment, no allocation. Plain data; the reader copies the rows it is given. (struct zc_diag is
 * zc_format.h's zc_diag: this header stays free of the format's helpers.) */
typedef zc_result (*zc_type_check_fn)(const void *payload, uint64_t size, struct zc_diag *diag);
typedef struct zc_type_row {
    uint32_t tag;               /* FourCC type tag; not one of the built-in tags */
    uint32_t layout_hash;       /* the layout this reader reads */
    zc_type_check_fn check;     /* structural check; never NULL */
    const char *name;           /* for messages ("Weapon"); NULL: the tag in hex */
} zc_type_row;

#endif /* ZC_RESULT_H */
