/* zc_layout.h - the basics every archived layout is made of: format version, FourCC
 * tags, layout hashes, the entry codec, and relative pointers, arrays and strings with
 * their accessors.
 *
 * formats/ comes in two halves. The layout half (this header and the first half of
 * each zc_<type>.h) holds what a reader of validated entries needs: structs, enums,
 * limits and tiny accessors; the runtime's public header zc_pack.h includes only it.
 * The validator half (zc_format.h: pack header, table of contents, diagnostics and
 * checks; the second half of each zc_<type>.h, left out while ZC__LAYOUT_ONLY is
 * defined; zc_types.h: the type registry) is for tools and the runtime's own
 * validation.
 *
 * Pure: libc only, no I/O, no allocation. Every struct is the exact byte layout on
 * disk (little-endian, no implicit padding), pinned by _Static_assert.
 */
#ifndef ZC_LAYOUT_H
#define ZC_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
#define ZC_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define ZC_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

#define ZC_CHECK_LAYOUT(type, field, offset)                                            \
    ZC_STATIC_ASSERT(offsetof(type, field) == (offset), #type "." #field " offset")

#define ZC_FORMAT_MAJOR 1             /* a reader refuses any other major version */
#define ZC_FORMAT_MINOR 3             /* newest minor this reader knows (1.1: the signature
                                         block; 1.2: the lookup index and seekable zstd
                                         entries, codec 2; 1.3: TOC pieces); a reader
                                         accepts any minor of its major */
#define ZC_FORMAT_MINOR_UNSIGNED 0    /* minor a writer gives an unsigned pack of 1.0 features */
#define ZC_FORMAT_MINOR_SIGNED 1      /* minor a writer gives a signed pack of 1.1 features */
#define ZC_FORMAT_MINOR_INDEXED 2     /* minor a writer gives a pack with a lookup index */
#define ZC_FORMAT_MINOR_SEEKABLE 2    /* minor a writer gives a pack with a codec-2 entry */
#define ZC_FORMAT_MINOR_PIECES 3      /* minor a writer gives a pack with TOC pieces */

/* Sizes shared by the signature block (zc_format.h) and the key files (SPEC.md,
 * "Keys and trust"): an Ed25519 public key and the key id derived from it. */
#define ZC_PUBLIC_KEY_SIZE 32
#define ZC_KEY_ID_SIZE 8
#define ZC_SIGNATURE_ED25519_BLAKE2B 1u /* the one signature algorithm id of version 1 */
#define ZC_SIGNATURE_DIGEST_SIZE 64     /* BLAKE2b-512 of the pack */
#define ZC_SIGNATURE_CONTEXT_SIZE 21    /* strlen(ZC_SIGNATURE_CONTEXT), zc_format.h */
#define ZC_SIGNED_MESSAGE_SIZE (ZC_SIGNATURE_CONTEXT_SIZE + ZC_SIGNATURE_DIGEST_SIZE)

#define ZC_FOURCC(a, b, c, d) \
    ((uint32_t)(uint8_t)(a) | ((uint32_t)(uint8_t)(b) << 8) | ((uint32_t)(uint8_t)(c) << 16) | ((uint32_t)(uint8_t)(d) << 24))

/* FNV-1a over a layout description string. Each archived type publishes the
 * description of its fields and the resulting hash; a test recomputes it, so a field
 * change without a layout-hash change cannot go unnoticed. Pure. */
static inline uint32_t zc_layout_hash(const char *description) {
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)description; *p; ++p) {
        h ^= *p;
        h *= 16777619u;
    }
    return h;
}

/* Tags and layout hashes of the types without an archived structure; their checks are
 * in zc_blob.h, zc_whiteout.h and zc_zstd_dict.h (SPEC.md, "Blob", "Whiteout",
 * "Zstandard dictionary"). */
#define ZC_TYPE_BLOB ZC_FOURCC('B', 'L', 'O', 'B')
/* A blob has no fields; its layout description names only the type and version. */
#define ZC_BLOB_LAYOUT_DESC "blob/1:bytes"
#define ZC_BLOB_LAYOUT_HASH 0x5902727bu /* zc_layout_hash(ZC_BLOB_LAYOUT_DESC) */

#define ZC_TYPE_WHITEOUT ZC_FOURCC('W', 'H', 'I', 'T')
#define ZC_WHITEOUT_LAYOUT_DESC "whiteout/1:empty"
#define ZC_WHITEOUT_LAYOUT_HASH 0x9ee52a81u /* zc_layout_hash(ZC_WHITEOUT_LAYOUT_DESC) */

#define ZC_TYPE_ZSTD_DICT ZC_FOURCC('Z', 'D', 'I', 'C')
#define ZC_ZSTD_DICT_LAYOUT_DESC "zstd_dict/1:bytes"
#define ZC_ZSTD_DICT_LAYOUT_HASH 0x81fb027eu /* zc_layout_hash(ZC_ZSTD_DICT_LAYOUT_DESC) */

/* Codec of an entry's stored bytes (zc_toc_entry.codec, zc_entry.codec). */
typedef enum zc_codec {
    ZC_CODEC_NONE = 0,          /* stored bytes are the raw bytes */
    ZC_CODEC_ZSTD = 1,          /* stored bytes are one zstd frame of raw_size bytes */
    ZC_CODEC_ZSTD_SEEKABLE = 2, /* independent zstd frames of a fixed raw size, then a seek
                                   table in a skippable frame (zc_seekable.h; format 1.2) */
    ZC__CODEC_COUNT
} zc_codec;

/* ---------------------------------------------------------------------------------
 * Relative pointers, arrays and strings inside an entry.
 *
 * A relative pointer holds a signed byte offset from the address of the pointer
 * field itself. Offset 0 is the null pointer (a field cannot point at itself). The
 * target must lie inside the same entry. An array is (offset, count), a string is
 * (offset, length) whose bytes are followed by a NUL and are valid UTF-8.
 * ------------------------------------------------------------------------------- */

typedef struct zc_rel_ptr {
    int64_t offset;             /* from &this field; 0 = null */
} zc_rel_ptr;

typedef struct zc_array {
    int64_t  offset;            /* from &this field to element 0; 0 = empty */
    uint64_t count;             /* elements */
} zc_array;

typedef struct zc_string {
    int64_t  offset;            /* from &this field to the first byte; 0 = empty */
    uint64_t length;            /* bytes, without the NUL that follows */
} zc_string;

ZC_STATIC_ASSERT(sizeof(zc_rel_ptr) == 8, "zc_rel_ptr size");
ZC_STATIC_ASSERT(sizeof(zc_array) == 16, "zc_array size");
ZC_STATIC_ASSERT(sizeof(zc_string) == 16, "zc_string size");
ZC_CHECK_LAYOUT(zc_array, offset, 0);
ZC_CHECK_LAYOUT(zc_array, count, 8);
ZC_CHECK_LAYOUT(zc_string, offset, 0);
ZC_CHECK_LAYOUT(zc_string, length, 8);

/* Resolve a relative pointer. NULL for the null pointer. Trusted input only: call the
 * matching zc_check_* first on unverified data. */
static inline const void *zc_rel_resolve(const zc_rel_ptr *field) {
    return field->offset ? (const void *)((const char *)field + field->offset) : NULL;
}
static inline const void *zc_array_data(const zc_array *field) {
    return field->offset ? (const void *)((const char *)field + field->offset) : NULL;
}
static inline const char *zc_string_data(const zc_string *field) {
    return field->offset ? (const char *)field + field->offset : "";
}

/* Store a relative pointer: writer side, for buffers being built. */
static inline void zc_rel_set(int64_t *field_offset, const void *field, const void *target) {
    *field_offset = target ? (int64_t)((const char *)target - (const char *)field) : 0;
}

#ifdef __cplusplus
}
#endif

#endif /* ZC_LAYOUT_H */
