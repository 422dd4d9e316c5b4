/* zc_format.h - the on-disk contract of a zcpack file: header, table of contents,
 * relative pointers, arrays and strings, with the checks a reader must apply.
 *
 * formats/SPEC.md is the normative text; this header mirrors it in C. Every struct
 * here is the exact byte layout on disk (little-endian, no implicit padding), pinned
 * by _Static_assert on its size and on every field offset.
 *
 * Pure: libc only, no I/O, no allocation. Every function whose comment says
 * "untrusted" may be given arbitrary bytes: it bounds-checks in the subtraction form
 * that cannot overflow and never reads outside the range it was given.
 */
#ifndef ZC_FORMAT_H
#define ZC_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>

#include "zc_result.h"
#include "zc_layout.h"

/* SSE2 (every x86-64 compiler) checks short strings' UTF-8 in one path. */
#if defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#include <emmintrin.h>
#define ZC__UTF8_SSE2 1
#else
#define ZC__UTF8_SSE2 0
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------
 * Limits (the format versions are in zc_layout.h)
 * ------------------------------------------------------------------------------- */

#define ZC_MAX_HEADER_SIZE   4096u    /* largest header_size a reader accepts */
#define ZC_MAX_TOC_HEADER_SIZE 4096u  /* largest TOC header_size and entry_size */
#define ZC_MAX_ENTRIES       (1u << 24)
#define ZC_MAX_PATH          1024u    /* bytes, without the NUL */
#define ZC_MAX_PATH_DEPTH    64u      /* components in one path */
#define ZC_MAX_DEPS          (1u << 26) /* dependency records in one TOC */
#define ZC_MIN_ALIGN_LOG2    4u       /* every payload is at least 16-byte aligned */
#define ZC_MAX_ALIGN_LOG2    12u      /* and at most 4 KiB (one page) aligned */
#define ZC_MAX_RAW_SIZE      (UINT64_C(1) << 40) /* bytes of one entry, stored or raw */

/* ---------------------------------------------------------------------------------
 * Little-endian helpers. Header fields are read through these so the byte-order
 * check itself cannot be fooled by the host's byte order. Safe on any bytes.
 * ------------------------------------------------------------------------------- */

static inline uint16_t zc_le16(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    return (uint16_t)(b[0] | (b[1] << 8));
}
static inline uint32_t zc_le32(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}
static inline uint64_t zc_le64(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    return (uint64_t)zc_le32(b) | ((uint64_t)zc_le32(b + 4) << 32);
}

/* 1 when the host stores integers little-endian, the only byte order zcpack maps. */
static inline int zc_host_is_little_endian(void) {
    const uint32_t one = 1;
    uint8_t first;
    memcpy(&first, &one, 1);
    return first == 1;
}

/* 1 when a binary32 value is neither infinite nor NaN. Pure; reads the bits, so it
 * holds under any floating-point compiler flags (-ffast-math included). Used by every
 * archived type that stores floats. */
ZC_STATIC_ASSERT(sizeof(float) == 4, "float is binary32");
static inline int zc_f32_finite(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    return ((bits >> 23) & 0xFFu) != 0xFFu;
}

/* ---------------------------------------------------------------------------------
 * Diagnostics: validators fill an optional zc_diag with a sentence naming the field
 * and the values that failed. Pass NULL when only the code matters.
 * ------------------------------------------------------------------------------- */

typedef struct zc_diag {
    char message[256];
} zc_diag;

/* The archetype of printf-style format checks: on mingw, its own (gnu_printf when
 * built with __USE_MINGW_ANSI_STDIO=1, as the runtime is, whose printf knows %zu). */
#if defined(__MINGW32__) && defined(__MINGW_PRINTF_FORMAT)
#define ZC_PRINTF_ARCHETYPE __MINGW_PRINTF_FORMAT
#else
#define ZC_PRINTF_ARCHETYPE printf
#endif

#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 3, 4)))
#endif
static inline zc_result zc_fail(zc_diag *diag, zc_result code, const char *fmt, ...);

#include <stdarg.h>
static inline zc_result zc_fail(zc_diag *diag, zc_result code, const char *fmt, ...) {
    if (diag) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(diag->message, sizeof diag->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* ---------------------------------------------------------------------------------
 * File header: the first header_size bytes of every pack (128 in format 1.0).
 * ------------------------------------------------------------------------------- */

#define ZC_MAGIC          "\x89ZCP"          /* high bit catches 7-bit channels */
#define ZC_MANGLE_CHECK   "\r\n\x1a\n"       /* CR/LF conversion and DOS EOF byte */
#define ZC_ENDIAN_CHECK   UINT64_C(0x0102030405060708)
#define ZC_FLOAT_CHECK    370.5              /* exact in binary64 */

typedef struct zc_header {
    uint8_t  magic[4];          /* ZC_MAGIC */
    uint8_t  mangle_check[4];   /* ZC_MANGLE_CHECK */
    uint16_t format_major;      /* ZC_FORMAT_MAJOR */
    uint16_t format_minor;      /* ZC_FORMAT_MINOR_UNSIGNED or _SIGNED */
    uint32_t header_size;       /* sizeof(zc_header) unsigned; ZC_SIGNED_HEADER_SIZE signed */
    uint64_t header_checksum;   /* XXH3-64 of header_size bytes with this field zero */
    uint64_t endian_check;      /* ZC_ENDIAN_CHECK */
    double   float_check;       /* ZC_FLOAT_CHECK */
    uint32_t writer_version;    /* library version of the writer: major<<16|minor<<8|patch */
    uint32_t flags;             /* no flags are defined in 1.0: must be zero */
    uint64_t file_size;         /* exact size of the whole pack in bytes */
    uint64_t toc_offset;        /* file offset of the TOC, 16-byte aligned */
    uint64_t toc_size;          /* bytes of the TOC region */
    uint64_t toc_checksum;      /* XXH3-64 of the toc_size bytes at toc_offset */
    uint8_t  reserved[48];      /* zero */
} zc_header;

ZC_STATIC_ASSERT(sizeof(zc_header) == 128, "zc_header size");
ZC_CHECK_LAYOUT(zc_header, magic, 0);
ZC_CHECK_LAYOUT(zc_header, mangle_check, 4);
ZC_CHECK_LAYOUT(zc_header, format_major, 8);
ZC_CHECK_LAYOUT(zc_header, format_minor, 10);
ZC_CHECK_LAYOUT(zc_header, header_size, 12);
ZC_CHECK_LAYOUT(zc_header, header_checksum, 16);
ZC_CHECK_LAYOUT(zc_header, endian_check, 24);
ZC_CHECK_LAYOUT(zc_header, float_check, 32);
ZC_CHECK_LAYOUT(zc_header, writer_version, 40);
ZC_CHECK_LAYOUT(zc_header, flags, 44);
ZC_CHECK_LAYOUT(zc_header, file_size, 48);
ZC_CHECK_LAYOUT(zc_header, toc_offset, 56);
ZC_CHECK_LAYOUT(zc_header, toc_size, 64);
ZC_CHECK_LAYOUT(zc_header, toc_checksum, 72);
ZC_CHECK_LAYOUT(zc_header, reserved, 80);

#define ZC_HEADER_CHECKSUM_OFFSET 16u

/* ---------------------------------------------------------------------------------
 * Signature block (format 1.1, SPEC.md section 14): header bytes [128, 256) of a
 * signed pack, whose header_size is ZC_SIGNED_HEADER_SIZE. The signature is Ed25519
 * over ZC_SIGNATURE_CONTEXT followed by the BLAKE2b-512 digest of the whole file read
 * with two ranges as zero: the header checksum field and the signature field. So one
 * signature covers every other byte of the file, the block's own fields included, and
 * the header checksum (computed after signing) covers the signature.
 * ------------------------------------------------------------------------------- */

#define ZC_SIGNED_HEADER_SIZE      256u
#define ZC_SIGNATURE_BLOCK_OFFSET  128u   /* file offset of the block */
#define ZC_SIGNATURE_TAG           ZC_FOURCC('Z', 'S', 'I', 'G')
#define ZC_SIGNATURE_VERSION       1u
#define ZC_SIGNATURE_SIZE          64
#define ZC_SIGNATURE_CONTEXT       "zcpack signed pack v1" /* 21 bytes, no NUL, before the digest */

typedef struct zc_signature_block {
    uint32_t tag;               /* ZC_SIGNATURE_TAG */
    uint16_t version;           /* ZC_SIGNATURE_VERSION */
    uint16_t algorithm;         /* ZC_SIGNATURE_ED25519_BLAKE2B */
    uint8_t  key_id[ZC_KEY_ID_SIZE]; /* id of the signing key (SPEC.md 15.2) */
    uint8_t  signature[ZC_SIGNATURE_SIZE]; /* Ed25519 signature of the signed message */
    uint8_t  reserved[48];      /* zero */
} zc_signature_block;

ZC_STATIC_ASSERT(sizeof(zc_signature_block) == 128, "zc_signature_block size");
ZC_CHECK_LAYOUT(zc_signature_block, tag, 0);
ZC_CHECK_LAYOUT(zc_signature_block, version, 4);
ZC_CHECK_LAYOUT(zc_signature_block, algorithm, 6);
ZC_CHECK_LAYOUT(zc_signature_block, key_id, 8);
ZC_CHECK_LAYOUT(zc_signature_block, signature, 16);
ZC_CHECK_LAYOUT(zc_signature_block, reserved, 80);

/* File offset of the signature field: the second range the digest reads as zero. */
#define ZC_SIGNATURE_FIELD_OFFSET (ZC_SIGNATURE_BLOCK_OFFSET + 16u)

/* 1 when a header that zc_check_header accepted carries a signature block: header_size
 * is at least ZC_SIGNED_HEADER_SIZE and the block's tag is ZC_SIGNATURE_TAG. `header`
 * holds at least header_size bytes. Pure; untrusted bytes (after zc_check_header). */
static inline int zc_header_is_signed(const void *header) {
    const uint8_t *b = (const uint8_t *)header;
    return zc_le32(b + offsetof(zc_header, header_size)) >= ZC_SIGNED_HEADER_SIZE &&
           zc_le32(b + ZC_SIGNATURE_BLOCK_OFFSET) == ZC_SIGNATURE_TAG;
}

/* Check the fields of a signature block a verifier relies on: version, algorithm and
 * reserved bytes (the signature itself needs the key and the digest). Call only when
 * zc_header_is_signed. ZC_ERR_SIGNATURE with a sentence otherwise. Pure; untrusted. */
static inline zc_result zc_check_signature_block(const void *header, zc_diag *diag) {
    const uint8_t *b = (const uint8_t *)header + ZC_SIGNATURE_BLOCK_OFFSET;
    uint16_t version = zc_le16(b + offsetof(zc_signature_block, version));
    uint16_t algorithm = zc_le16(b + offsetof(zc_signature_block, algorithm));
    if (version != ZC_SIGNATURE_VERSION)
        return zc_fail(diag, ZC_ERR_SIGNATURE, "signature block version %u; this reader knows %u", version,
                       ZC_SIGNATURE_VERSION);
    if (algorithm != ZC_SIGNATURE_ED25519_BLAKE2B)
        return zc_fail(diag, ZC_ERR_SIGNATURE, "unknown signature algorithm %u", algorithm);
    for (size_t i = offsetof(zc_signature_block, reserved); i < sizeof(zc_signature_block); ++i)
        if (b[i] != 0)
            return zc_fail(diag, ZC_ERR_SIGNATURE, "reserved signature block byte %u is not zero",
                           (unsigned)(ZC_SIGNATURE_BLOCK_OFFSET + i));
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * Table of contents: zc_toc_header, then entry_count records of entry_size bytes
 * sorted by id (strictly increasing), then dep_count 64-bit asset ids, then the
 * string table of strings_size bytes. All offsets inside the TOC are relative to
 * the start of the TOC.
 * ------------------------------------------------------------------------------- */

#define ZC_TOC_TAG      ZC_FOURCC('Z', 'T', 'O', 'C')
#define ZC_TOC_VERSION  1u

typedef struct zc_toc_header {
    uint32_t tag;               /* ZC_TOC_TAG */
    uint32_t version;           /* ZC_TOC_VERSION */
    uint32_t header_size;       /* sizeof(zc_toc_header) for version 1 */
    uint32_t entry_size;        /* >= sizeof(zc_toc_entry); readers stride by this */
    uint32_t entry_count;       /* <= ZC_MAX_ENTRIES */
    uint32_t dep_count;         /* <= ZC_MAX_DEPS */
    uint64_t strings_size;      /* bytes of the string table, <= UINT32_MAX */
} zc_toc_header;

ZC_STATIC_ASSERT(sizeof(zc_toc_header) == 32, "zc_toc_header size");
ZC_CHECK_LAYOUT(zc_toc_header, tag, 0);
ZC_CHECK_LAYOUT(zc_toc_header, version, 4);
ZC_CHECK_LAYOUT(zc_toc_header, header_size, 8);
ZC_CHECK_LAYOUT(zc_toc_header, entry_size, 12);
ZC_CHECK_LAYOUT(zc_toc_header, entry_count, 16);
ZC_CHECK_LAYOUT(zc_toc_header, dep_count, 20);
ZC_CHECK_LAYOUT(zc_toc_header, strings_size, 24);

typedef struct zc_toc_entry {
    uint64_t id;                /* asset id: XXH3_64bits (seed 0) of the path bytes, no NUL */
    uint64_t content_hash;      /* XXH3_64bits (seed 0) of the raw (decoded) bytes */
    uint64_t offset;            /* file offset of the stored bytes */
    uint64_t stored_size;       /* bytes in the file */
    uint64_t raw_size;          /* bytes after decoding; == stored_size for CODEC_NONE */
    uint32_t path_offset;       /* into the string table */
    uint32_t path_length;       /* bytes, without the NUL that follows */
    uint32_t type;              /* FourCC type tag, see zc_types.h */
    uint32_t layout_hash;       /* layout hash of the type the writer used */
    uint32_t deps_first;        /* index of the first dependency id */
    uint32_t deps_count;        /* number of dependency ids */
    uint8_t  codec;             /* zc_codec; unknown codecs are refused per entry, not per pack */
    uint8_t  align_log2;        /* payload alignment: offset % (1 << align_log2) == 0 */
    uint16_t flags;             /* none defined in 1.0: must be zero */
    uint32_t reserved;          /* zero */
} zc_toc_entry;

ZC_STATIC_ASSERT(sizeof(zc_toc_entry) == 72, "zc_toc_entry size");
ZC_CHECK_LAYOUT(zc_toc_entry, id, 0);
ZC_CHECK_LAYOUT(zc_toc_entry, content_hash, 8);
ZC_CHECK_LAYOUT(zc_toc_entry, offset, 16);
ZC_CHECK_LAYOUT(zc_toc_entry, stored_size, 24);
ZC_CHECK_LAYOUT(zc_toc_entry, raw_size, 32);
ZC_CHECK_LAYOUT(zc_toc_entry, path_offset, 40);
ZC_CHECK_LAYOUT(zc_toc_entry, path_length, 44);
ZC_CHECK_LAYOUT(zc_toc_entry, type, 48);
ZC_CHECK_LAYOUT(zc_toc_entry, layout_hash, 52);
ZC_CHECK_LAYOUT(zc_toc_entry, deps_first, 56);
ZC_CHECK_LAYOUT(zc_toc_entry, deps_count, 60);
ZC_CHECK_LAYOUT(zc_toc_entry, codec, 64);
ZC_CHECK_LAYOUT(zc_toc_entry, align_log2, 65);
ZC_CHECK_LAYOUT(zc_toc_entry, flags, 66);
ZC_CHECK_LAYOUT(zc_toc_entry, reserved, 68);

/* Lookup index (format 1.2, SPEC.md section 4.8): TOC header bytes [32, 48) when the
 * TOC header_size is at least ZC_TOC_INDEXED_HEADER_SIZE. The index is a table of
 * 2^bits + 1 u32 record positions at TOC offset `offset`, inside the tail of the string
 * table that no path covers: start[b] is the first record whose bucket is b or more,
 * where the bucket of an id is its top `bits` bits. Records are sorted by id, so bucket
 * b holds records [start[b], start[b + 1]). A 1.0 reader ignores both parts. */
#define ZC_TOC_INDEXED_HEADER_SIZE 48u
#define ZC_TOC_INDEX_MIN_ENTRIES   64u   /* writers index packs of at least this many entries */
#define ZC_TOC_INDEX_MAX_BITS      24u   /* 2^24 buckets: as many as ZC_MAX_ENTRIES */

typedef struct zc_toc_index {
    uint64_t offset;            /* TOC offset of the bucket table; 0: no index */
    uint32_t bits;              /* log2 of the bucket count, <= ZC_TOC_INDEX_MAX_BITS */
    uint32_t reserved;          /* zero */
} zc_toc_index;

ZC_STATIC_ASSERT(sizeof(zc_toc_index) == 16, "zc_toc_index size");
ZC_CHECK_LAYOUT(zc_toc_index, offset, 0);
ZC_CHECK_LAYOUT(zc_toc_index, bits, 8);
ZC_CHECK_LAYOUT(zc_toc_index, reserved, 12);

/* TOC pieces (format 1.3, SPEC.md section 4.9): TOC header bytes [48, 64) when the TOC
 * header_size is at least ZC_TOC_PIECES_HEADER_SIZE. The TOC bytes before the piece
 * table, [0, table_offset), are cut into pieces of 2^piece_log2 bytes (the last may be
 * shorter); the piece table holds the XXH3-64 of each, in order, and ends the TOC (the
 * last bytes of the string table). A reader can then check the TOC where it reads it,
 * piece by piece, instead of hashing all of it at open. A 1.2 reader ignores both. */
#define ZC_TOC_PIECES_HEADER_SIZE 64u
#define ZC_TOC_PIECE_MIN_LOG2     12u   /* 4 KiB: a piece holds a whole TOC header */
#define ZC_TOC_PIECE_MAX_LOG2     24u
#define ZC_TOC_PIECE_LOG2         12u   /* what the reference writer uses */

typedef struct zc_toc_pieces {
    uint64_t table_offset;      /* TOC offset of the piece table; 0: no pieces */
    uint32_t piece_log2;        /* log2 of the piece size, in [12, 24] */
    uint32_t reserved;          /* zero */
} zc_toc_pieces;

ZC_STATIC_ASSERT(sizeof(zc_toc_pieces) == 16, "zc_toc_pieces size");
ZC_CHECK_LAYOUT(zc_toc_pieces, table_offset, 0);
ZC_CHECK_LAYOUT(zc_toc_pieces, piece_log2, 8);
ZC_CHECK_LAYOUT(zc_toc_pieces, reserved, 12);

/* Pieces before a piece table at TOC offset table_offset: ceil(table_offset / 2^log2).
 * Pure. */
static inline uint64_t zc_toc_piece_count(uint64_t table_offset, uint32_t log2) {
    return (table_offset + ((uint64_t)1 << log2) - 1) >> log2;
}

/* Bucket of an id in an index of 2^bits buckets: its top bits. Pure. */
static inline uint32_t zc_toc_index_bucket(uint64_t id, uint32_t bits) {
    return bits ? (uint32_t)(id >> (64u - bits)) : 0u;
}

/* The smallest bits whose 2^bits buckets are at least `count`: what the reference
 * writer uses (a load of at most one record per bucket). Pure. */
static inline uint32_t zc_toc_index_bits_for(uint32_t count) {
    uint32_t bits = 0;
    while (bits < ZC_TOC_INDEX_MAX_BITS && ((uint64_t)1 << bits) < count) bits++;
    return bits;
}

/* Compute where an (offset, count * elem_size) target of a field lands inside the
 * entry [0, entry_size). field_pos is the field's position inside the entry and
 * field_size its own size. On success *out_pos is the target's position. Untrusted:
 * every sum is checked before it is formed. */
static inline zc_result zc_check_target(uint64_t entry_size, uint64_t field_pos, uint64_t field_size,
                                        int64_t offset, uint64_t count, uint64_t elem_size,
                                        uint64_t elem_align, uint64_t *out_pos, zc_diag *diag) {
    if (field_size > entry_size || field_pos > entry_size - field_size)
        return zc_fail(diag, ZC_ERR_BAD_POINTER, "field at %llu (+%llu) lies outside the entry of %llu bytes",
                       (unsigned long long)field_pos, (unsigned long long)field_size, (unsigned long long)entry_size);
    if (offset == 0) {
        if (count != 0)
            return zc_fail(diag, ZC_ERR_BAD_POINTER, "null pointer at %llu with count %llu",
                           (unsigned long long)field_pos, (unsigned long long)count);
        *out_pos = 0;
        return ZC_OK;
    }
    uint64_t target;
    if (offset < 0) {
        uint64_t back = (uint64_t)(-(offset + 1)) + 1; /* no overflow for INT64_MIN */
        if (back > field_pos)
            return zc_fail(diag, ZC_ERR_BAD_POINTER, "pointer at %llu points %lld bytes before the entry",
                           (unsigned long long)field_pos, (long long)offset);
        target = field_pos - back;
    } else {
        if ((uint64_t)offset > entry_size - field_pos)
            return zc_fail(diag, ZC_ERR_BAD_POINTER, "pointer at %llu points %lld bytes past the entry",
                           (unsigned long long)field_pos, (long long)offset);
        target = field_pos + (uint64_t)offset;
    }
    if (elem_align > 1 && target % elem_align != 0)
        return zc_fail(diag, ZC_ERR_BAD_ALIGNMENT, "target %llu of pointer at %llu is not %llu-byte aligned",
                       (unsigned long long)target, (unsigned long long)field_pos, (unsigned long long)elem_align);
    uint64_t room = entry_size - target;
    if (elem_size != 0 && count > room / elem_size)
        return zc_fail(diag, ZC_ERR_BAD_POINTER, "%llu elements of %llu bytes at %llu overrun the entry of %llu bytes",
                       (unsigned long long)count, (unsigned long long)elem_size, (unsigned long long)target,
                       (unsigned long long)entry_size);
    *out_pos = target;
    return ZC_OK;
}

/* Check an array field that lies inside the entry starting at `entry`. Untrusted:
 * `field` must point inside [entry, entry + entry_size) only as far as this check
 * itself verifies; max_count caps the element count (a documented limit). */
static inline zc_result zc_check_array(const void *entry, uint64_t entry_size, const zc_array *field,
                                       uint64_t elem_size, uint64_t elem_align, uint64_t max_count,
                                       zc_diag *diag) {
    uint64_t field_pos = (uint64_t)((const char *)field - (const char *)entry), pos;
    zc_result r = zc_check_target(entry_size, field_pos, sizeof *field, 0, 0, 0, 1, &pos, diag);
    if (r != ZC_OK) return r;
    if (field->count > max_count)
        return zc_fail(diag, ZC_ERR_LIMIT, "array at %llu has %llu elements, limit %llu",
                       (unsigned long long)field_pos, (unsigned long long)field->count, (unsigned long long)max_count);
    return zc_check_target(entry_size, field_pos, sizeof *field, field->offset, field->count, elem_size,
                           elem_align, &pos, diag);
}

/* Nonzero when one of the 8 bytes of w is 0 or at least 0x80, in either byte order:
 * a byte at least 0x80 has its high bit set in w, and only a zero byte borrows in
 * w - 0x01..01 when no byte has it, leaving 0xff (or 0xfe) there. */
static inline uint64_t zc_utf8_word_special(uint64_t w) {
    return (w | (w - UINT64_C(0x0101010101010101))) & UINT64_C(0x8080808080808080);
}
/* The same for the 4 bytes at p. */
static inline uint32_t zc_utf8_quad_special(const uint8_t *p) {
    uint32_t w;
    memcpy(&w, p, 4);
    return (w | (w - 0x01010101u)) & 0x80808080u;
}

/* 1 when bytes[0, length) is well-formed UTF-8 (no overlongs, no surrogates, no
 * code points above U+10FFFF) and contains no NUL. Untrusted. Reads only those
 * bytes: runs of ASCII 16 or 8 at a time, a short string in two 4-byte reads, the
 * rest one sequence at a time. */
static inline int zc_utf8_valid(const uint8_t *s, uint64_t length) {
    uint64_t i = 0;
    /* from 4 to 7 bytes, two reads that overlap cover the string */
    if (length >= 4 && length < 8 && (zc_utf8_quad_special(s) | zc_utf8_quad_special(s + length - 4)) == 0) return 1;
    while (i < length) {
        uint64_t w[2];
        if (length - i >= 16) {
            memcpy(w, s + i, 16);
            if ((zc_utf8_word_special(w[0]) | zc_utf8_word_special(w[1])) == 0) {
                i += 16;
                continue;
            }
        }
        if (length - i >= 8) {
            memcpy(w, s + i, 8);
            if (zc_utf8_word_special(w[0]) == 0) {
                i += 8;
                continue;
            }
        } else if (length >= 8) {
            /* the last 8 bytes: i is at a sequence boundary, so when they are ASCII
             * the bytes from i on are too */
            memcpy(w, s + length - 8, 8);
            if (zc_utf8_word_special(w[0]) == 0) return 1;
        }
        uint8_t c = s[i];
        if (c == 0) return 0;
        if (c < 0x80) { i++; continue; }
        uint32_t need, cp, min;
        if ((c & 0xE0) == 0xC0)      { need = 1; cp = c & 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { need = 2; cp = c & 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { need = 3; cp = c & 0x07; min = 0x10000; }
        else return 0;
        if (need > length - i - 1) return 0;
        for (uint32_t k = 1; k <= need; ++k) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        i += need + 1;
    }
    return 1;
}

/* zc_utf8_valid for `length` bytes at s when `readable` >= length bytes from s may be
 * read (the bytes past `length` are read, never judged). Untrusted. ASCII without NUL,
 * the common case, is decided with few branches on the length, so strings of varied
 * lengths cost few mispredicted branches: where SSE2 is there and 64 bytes may be
 * read, by two 16-byte reads for every string up to 32 bytes and four up to 64;
 * otherwise by overlapping 8-byte reads whose number depends only on the length's
 * class (up to 8, 16, 32, or longer: 32 at a time). Anything else goes to
 * zc_utf8_valid. Inlined into every caller (a validator checks strings by the
 * thousand). */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline int zc_utf8_valid_in(const uint8_t *s, uint64_t length, uint64_t readable) {
    uint64_t w[4], special;
#if ZC__UTF8_SSE2
    if (length <= 64 && readable >= 64) {
        /* two 16-byte reads for every length up to 32, four up to 64: a bit per byte
         * that is 0 or at least 0x80, the bits from `length` on dropped */
        const __m128i zero = _mm_setzero_si128();
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)s);
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + 16));
        uint64_t bits = (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_or_si128(a, _mm_cmpeq_epi8(a, zero))) |
                        (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_or_si128(b, _mm_cmpeq_epi8(b, zero))) << 16;
        if (length > 32) {
            a = _mm_loadu_si128((const __m128i *)(const void *)(s + 32));
            b = _mm_loadu_si128((const __m128i *)(const void *)(s + 48));
            bits |= ((uint64_t)(uint32_t)_mm_movemask_epi8(_mm_or_si128(a, _mm_cmpeq_epi8(a, zero))) |
                     (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_or_si128(b, _mm_cmpeq_epi8(b, zero))) << 16)
                    << 32;
        }
        uint64_t judged = length ? ~UINT64_C(0) >> (64 - length) : 0;
        return (bits & judged) == 0 || zc_utf8_valid(s, length);
    }
#endif
    if (length < 8) {
        if (length == 0) return 1;
        if (readable < 8 || !zc_host_is_little_endian()) return zc_utf8_valid(s, length);
        /* the bytes past `length` become 'A' */
        uint64_t keep = (UINT64_C(1) << (8 * length)) - 1;
        memcpy(w, s, 8);
        special = zc_utf8_word_special((w[0] & keep) | (UINT64_C(0x4141414141414141) & ~keep));
    } else if (length <= 16) {
        memcpy(w, s, 8);
        memcpy(w + 1, s + length - 8, 8);
        special = zc_utf8_word_special(w[0]) | zc_utf8_word_special(w[1]);
    } else if (length <= 32) {
        memcpy(w, s, 16);
        memcpy(w + 2, s + length - 16, 16);
        special = zc_utf8_word_special(w[0]) | zc_utf8_word_special(w[1]) | zc_utf8_word_special(w[2]) |
                  zc_utf8_word_special(w[3]);
    } else {
        special = 0;
        /* 32 bytes at a time, then the last 32 */
        for (uint64_t i = 0; i + 32 < length && special == 0; i += 32) {
            memcpy(w, s + i, 32);
            special = zc_utf8_word_special(w[0]) | zc_utf8_word_special(w[1]) | zc_utf8_word_special(w[2]) |
                      zc_utf8_word_special(w[3]);
        }
        memcpy(w, s + length - 32, 32);
        special |= zc_utf8_word_special(w[0]) | zc_utf8_word_special(w[1]) | zc_utf8_word_special(w[2]) |
                   zc_utf8_word_special(w[3]);
    }
    return special == 0 || zc_utf8_valid(s, length);
}

/* Check a string field inside the entry: target bytes in range, NUL after them,
 * valid UTF-8 without interior NUL, length <= max_length. Untrusted. */
static inline zc_result zc_check_string(const void *entry, uint64_t entry_size, const zc_string *field,
                                        uint64_t max_length, zc_diag *diag) {
    uint64_t field_pos = (uint64_t)((const char *)field - (const char *)entry), pos;
    zc_result r = zc_check_target(entry_size, field_pos, sizeof *field, 0, 0, 0, 1, &pos, diag);
    if (r != ZC_OK) return r;
    if (field->length > max_length)
        return zc_fail(diag, ZC_ERR_LIMIT, "string at %llu is %llu bytes, limit %llu",
                       (unsigned long long)field_pos, (unsigned long long)field->length, (unsigned long long)max_length);
    if (field->length >= entry_size)
        return zc_fail(diag, ZC_ERR_BAD_POINTER, "string at %llu of %llu bytes cannot fit in the entry",
                       (unsigned long long)field_pos, (unsigned long long)field->length);
    if (field->offset == 0)
        return field->length == 0 ? ZC_OK
                                  : zc_fail(diag, ZC_ERR_BAD_STRING, "null string at %llu with length %llu",
                                            (unsigned long long)field_pos, (unsigned long long)field->length);
    /* length + 1 bytes including the NUL */
    r = zc_check_target(entry_size, field_pos, sizeof *field, field->offset, field->length + 1, 1, 1, &pos, diag);
    if (r != ZC_OK) return r;
    const uint8_t *bytes = (const uint8_t *)entry + pos;
    if (bytes[field->length] != 0)
        return zc_fail(diag, ZC_ERR_BAD_STRING, "string at %llu is not NUL-terminated", (unsigned long long)pos);
    if (!zc_utf8_valid_in(bytes, field->length, entry_size - pos))
        return zc_fail(diag, ZC_ERR_BAD_STRING, "string at %llu is not valid UTF-8", (unsigned long long)pos);
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * Entry paths: relative, '/'-separated, valid UTF-8, no empty, "." or ".."
 * components, no backslash, no control characters, at most ZC_MAX_PATH bytes and
 * ZC_MAX_PATH_DEPTH components. Untrusted.
 * ------------------------------------------------------------------------------- */
static inline zc_result zc_check_path(const char *path, uint64_t length, zc_diag *diag) {
    if (length == 0) return zc_fail(diag, ZC_ERR_BAD_PATH, "empty path");
    if (length > ZC_MAX_PATH)
        return zc_fail(diag, ZC_ERR_BAD_PATH, "path of %llu bytes exceeds the limit of %u",
                       (unsigned long long)length, ZC_MAX_PATH);
    if (!zc_utf8_valid((const uint8_t *)path, length))
        return zc_fail(diag, ZC_ERR_BAD_PATH, "path is not valid UTF-8");
    uint64_t start = 0, depth = 0;
    for (uint64_t i = 0; i <= length; ++i) {
        unsigned char c = i < length ? (unsigned char)path[i] : '/';
        if (c < 0x20 || c == 0x7F || c == '\\')
            return zc_fail(diag, ZC_ERR_BAD_PATH, "path has a control character or backslash at byte %llu",
                           (unsigned long long)i);
        if (c != '/') continue;
        uint64_t n = i - start;
        if (n == 0 || (n == 1 && path[start] == '.') || (n == 2 && path[start] == '.' && path[start + 1] == '.'))
            return zc_fail(diag, ZC_ERR_BAD_PATH, "path has an empty, '.' or '..' component at byte %llu",
                           (unsigned long long)start);
        if (++depth > ZC_MAX_PATH_DEPTH)
            return zc_fail(diag, ZC_ERR_BAD_PATH, "path has more than %u components", ZC_MAX_PATH_DEPTH);
        start = i + 1;
    }
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * Header check. `bytes` holds the first `available` bytes of the file and
 * `file_size` is the size of the whole file. Checks everything that does not need a
 * hash: magic, mangling, versions, sentinels, sizes, flags and the TOC's placement.
 * The header checksum is checked by the caller (it needs XXH3). Untrusted.
 * ------------------------------------------------------------------------------- */
static inline zc_result zc_check_header(const void *bytes, uint64_t available, uint64_t file_size,
                                        zc_diag *diag) {
    const uint8_t *b = (const uint8_t *)bytes;
    if (available < 8 || file_size < 8) {
        if (available >= 4 && memcmp(b, ZC_MAGIC, 4) != 0)
        {
            if (b[0] == 0x09 && memcmp(b + 1, "ZCP", 3) == 0)
                return zc_fail(diag, ZC_ERR_MANGLED, "first byte 0x09 should be 0x89: the high bit was stripped");
            return zc_fail(diag, ZC_ERR_NOT_A_PACK, "bad magic: not a zcpack file");
        }
        return zc_fail(diag, ZC_ERR_TRUNCATED, "file of %llu bytes is shorter than a pack header",
                       (unsigned long long)file_size);
    }
    if (memcmp(b, ZC_MAGIC, 4) != 0) {
        if (b[0] == 0x09 && memcmp(b + 1, "ZCP", 3) == 0)
            return zc_fail(diag, ZC_ERR_MANGLED, "first byte 0x%02x should be 0x89: the high bit was stripped", b[0]);
        return zc_fail(diag, ZC_ERR_NOT_A_PACK, "bad magic: not a zcpack file");
    }
    if (memcmp(b + 4, ZC_MANGLE_CHECK, 4) != 0)
        return zc_fail(diag, ZC_ERR_MANGLED, "line-ending check bytes changed: the file went through a text-mode transfer");
    if (available < 16 || file_size < sizeof(zc_header))
        return zc_fail(diag, ZC_ERR_TRUNCATED, "file of %llu bytes is shorter than the %u-byte header",
                       (unsigned long long)file_size, (unsigned)sizeof(zc_header));
    uint16_t major = zc_le16(b + offsetof(zc_header, format_major));
    uint16_t minor = zc_le16(b + offsetof(zc_header, format_minor));
    if (major != ZC_FORMAT_MAJOR)
        return zc_fail(diag, ZC_ERR_VERSION, "format version %u.%u; this reader reads %u.x",
                       major, minor, ZC_FORMAT_MAJOR);
    uint32_t header_size = zc_le32(b + offsetof(zc_header, header_size));
    if (header_size < sizeof(zc_header) || header_size > ZC_MAX_HEADER_SIZE || header_size % 16 != 0)
        return zc_fail(diag, ZC_ERR_BAD_HEADER, "header_size %u is not a multiple of 16 in [%u, %u]",
                       header_size, (unsigned)sizeof(zc_header), ZC_MAX_HEADER_SIZE);
    if (header_size > file_size || header_size > available)
        return zc_fail(diag, ZC_ERR_TRUNCATED, "file of %llu bytes is shorter than its %u-byte header",
                       (unsigned long long)file_size, header_size);
    if (zc_le64(b + offsetof(zc_header, endian_check)) != ZC_ENDIAN_CHECK)
        return zc_fail(diag, ZC_ERR_ENDIAN, "integer sentinel mismatch (byte order or corruption)");
    double fcheck;
    memcpy(&fcheck, b + offsetof(zc_header, float_check), sizeof fcheck);
    if (!zc_host_is_little_endian() || fcheck != ZC_FLOAT_CHECK)
        return zc_fail(diag, ZC_ERR_ENDIAN, "float sentinel mismatch (number format or byte order)");
    uint64_t declared = zc_le64(b + offsetof(zc_header, file_size));
    if (declared > file_size)
        return zc_fail(diag, ZC_ERR_TRUNCATED, "file is %llu bytes but the header declares %llu",
                       (unsigned long long)file_size, (unsigned long long)declared);
    if (declared != file_size)
        return zc_fail(diag, ZC_ERR_FILE_SIZE, "file is %llu bytes but the header declares %llu",
                       (unsigned long long)file_size, (unsigned long long)declared);
    if (zc_le32(b + offsetof(zc_header, flags)) != 0)
        return zc_fail(diag, ZC_ERR_BAD_HEADER, "unknown header flags 0x%08x",
                       zc_le32(b + offsetof(zc_header, flags)));
    for (size_t i = offsetof(zc_header, reserved); i < sizeof(zc_header); ++i)
        if (b[i] != 0)
            return zc_fail(diag, ZC_ERR_BAD_HEADER, "reserved header byte %u is not zero", (unsigned)i);
    uint64_t toc_offset = zc_le64(b + offsetof(zc_header, toc_offset));
    uint64_t toc_size = zc_le64(b + offsetof(zc_header, toc_size));
    if (toc_offset % 16 != 0 || toc_offset < header_size || toc_size < sizeof(zc_toc_header) ||
        toc_size > file_size || toc_offset != file_size - toc_size)
        return zc_fail(diag, ZC_ERR_BAD_HEADER, "TOC at %llu (+%llu) does not end the file of %llu bytes",
                       (unsigned long long)toc_offset, (unsigned long long)toc_size, (unsigned long long)file_size);
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * TOC check. `toc` points at the toc_size bytes of the TOC region, 8-byte aligned;
 * `payload_end` is the first byte no payload may reach (the TOC offset) and
 * `payload_start` the first byte a payload may use (the header size). Checks the TOC
 * header, every record (sort order, path, type tag, size limits, codec-0 sizes,
 * alignment, bounds, dependency slice, flags) but no hashes. Untrusted bytes, but call it only after zc_check_header has
 * accepted the file (the TOC is read in host byte order, which that check pins).
 * ------------------------------------------------------------------------------- */

/* Position of entry i's record in a checked TOC. */
static inline const zc_toc_entry *zc_toc_entry_at(const void *toc, uint32_t i) {
    const zc_toc_header *th = (const zc_toc_header *)toc;
    return (const zc_toc_entry *)((const char *)toc + th->header_size + (uint64_t)i * th->entry_size);
}
static inline const uint64_t *zc_toc_deps(const void *toc) {
    const zc_toc_header *th = (const zc_toc_header *)toc;
    return (const uint64_t *)((const char *)toc + th->header_size + (uint64_t)th->entry_count * th->entry_size);
}
static inline const char *zc_toc_strings(const void *toc) {
    return (const char *)(zc_toc_deps(toc) + ((const zc_toc_header *)toc)->dep_count);
}

/* The index fields of a TOC that zc_check_toc_header accepted, or NULL when its TOC
 * header is too short to hold them (packs of format 1.0 and 1.1). */
static inline const zc_toc_index *zc_toc_index_fields(const void *toc) {
    const zc_toc_header *th = (const zc_toc_header *)toc;
    return th->header_size >= ZC_TOC_INDEXED_HEADER_SIZE
               ? (const zc_toc_index *)((const char *)toc + sizeof(zc_toc_header)) : NULL;
}

/* T10, O(1): the index fields are absent, all zero, or describe a bucket table that lies
 * inside the string table, 4-byte aligned. On ZC_OK *out_table is the table (NULL when
 * the pack has no index) and *out_bits its bits. Untrusted; call after
 * zc_check_toc_header. */
static inline zc_result zc_check_toc_index(const void *toc, const uint32_t **out_table, uint32_t *out_bits,
                                           zc_diag *diag) {
    *out_table = NULL;
    *out_bits = 0;
    const zc_toc_index *ix = zc_toc_index_fields(toc);
    if (!ix || (ix->offset == 0 && ix->bits == 0 && ix->reserved == 0)) return ZC_OK;
    const zc_toc_header *th = (const zc_toc_header *)toc;
    uint64_t strings = (uint64_t)((const char *)zc_toc_strings(toc) - (const char *)toc);
    if (ix->bits > ZC_TOC_INDEX_MAX_BITS || ix->reserved != 0)
        return zc_fail(diag, ZC_ERR_BAD_TOC, "lookup index of 2^%u buckets, or its reserved field, is invalid", ix->bits);
    uint64_t bytes = (((uint64_t)1 << ix->bits) + 1) * 4u;
    if (ix->offset % 4 != 0 || ix->offset < strings || bytes > th->strings_size ||
        ix->offset - strings > th->strings_size - bytes)
        return zc_fail(diag, ZC_ERR_BAD_TOC,
                       "lookup index at TOC offset %llu (+%llu) is unaligned or outside the string table",
                       (unsigned long long)ix->offset, (unsigned long long)bytes);
    *out_table = (const uint32_t *)((const char *)toc + ix->offset);
    *out_bits = ix->bits;
    return ZC_OK;
}

/* T12, O(1), on the first bytes of a TOC of toc_size bytes before any other TOC check
 * (a reader checks the piece holding the TOC header before it trusts that header): the
 * piece fields are absent, all zero, or place a piece table of 8 bytes per piece at an
 * 8-byte aligned TOC offset past the TOC header, ending the TOC. On ZC_OK *out_table
 * is the table's TOC offset (0 when the TOC has no pieces) and *out_log2 the piece
 * size's log2. zc_check_toc_pieces_placement adds, after zc_check_toc_header, that the
 * table lies in the string table. Untrusted. */
static inline zc_result zc_check_toc_pieces(const void *toc, uint64_t toc_size, uint64_t *out_table,
                                            uint32_t *out_log2, zc_diag *diag) {
    *out_table = 0;
    *out_log2 = 0;
    const uint8_t *b = (const uint8_t *)toc;
    uint32_t header_size = toc_size >= sizeof(zc_toc_header) ? zc_le32(b + offsetof(zc_toc_header, header_size)) : 0;
    if (header_size < ZC_TOC_PIECES_HEADER_SIZE || toc_size < ZC_TOC_PIECES_HEADER_SIZE) return ZC_OK;
    const uint8_t *f = b + ZC_TOC_INDEXED_HEADER_SIZE;
    uint64_t table = zc_le64(f + offsetof(zc_toc_pieces, table_offset));
    uint32_t log2 = zc_le32(f + offsetof(zc_toc_pieces, piece_log2));
    uint32_t reserved = zc_le32(f + offsetof(zc_toc_pieces, reserved));
    if (table == 0 && log2 == 0 && reserved == 0) return ZC_OK;
    if (log2 < ZC_TOC_PIECE_MIN_LOG2 || log2 > ZC_TOC_PIECE_MAX_LOG2 || reserved != 0 || table % 8 != 0 ||
        table < header_size || table >= toc_size || (toc_size - table) / 8 != zc_toc_piece_count(table, log2) ||
        (toc_size - table) % 8 != 0)
        return zc_fail(diag, ZC_ERR_BAD_TOC,
                       "TOC piece table at %llu (pieces of 2^%u bytes) does not end the TOC of %llu bytes",
                       (unsigned long long)table, log2, (unsigned long long)toc_size);
    *out_table = table;
    *out_log2 = log2;
    return ZC_OK;
}
static inline zc_result zc_check_toc_pieces_placement(const void *toc, uint64_t table, zc_diag *diag) {
    uint64_t strings = (uint64_t)((const char *)zc_toc_strings(toc) - (const char *)toc);
    if (table && table < strings)
        return zc_fail(diag, ZC_ERR_BAD_TOC, "TOC piece table at %llu starts before the string table at %llu",
                       (unsigned long long)table, (unsigned long long)strings);
    return ZC_OK;
}

static inline zc_result zc_check_toc_entry(const void *toc, uint32_t index, uint64_t payload_start,
                                           uint64_t payload_end, zc_diag *diag) {
    const zc_toc_header *th = (const zc_toc_header *)toc;
    const zc_toc_entry *e = zc_toc_entry_at(toc, index);
    if ((uint64_t)e->path_length + 1 > th->strings_size ||
        e->path_offset > th->strings_size - e->path_length - 1)
        return zc_fail(diag, ZC_ERR_BAD_TOC, "entry %u: path at %u (+%u) lies outside the string table of %llu bytes",
                       index, e->path_offset, e->path_length, (unsigned long long)th->strings_size);
    const char *path = zc_toc_strings(toc) + e->path_offset;
    if (path[e->path_length] != 0)
        return zc_fail(diag, ZC_ERR_BAD_TOC, "entry %u: path is not NUL-terminated", index);
    zc_diag sub;
    if (zc_check_path(path, e->path_length, diag ? &sub : NULL) != ZC_OK)
        return zc_fail(diag, ZC_ERR_BAD_PATH, "entry %u: %s", index, diag ? sub.message : "");
    if (index > 0 && zc_toc_entry_at(toc, index - 1)->id >= e->id)
        return zc_fail(diag, ZC_ERR_BAD_TOC, "entry %u (%s): ids are not strictly increasing", index, path);
    if (e->type == 0)
        return zc_fail(diag, ZC_ERR_BAD_TOC, "entry %u (%s): type tag is zero", index, path);
    if (e->stored_size > ZC_MAX_RAW_SIZE || e->raw_size > ZC_MAX_RAW_SIZE)
        return zc_fail(diag, ZC_ERR_LIMIT, "entry %u (%s): size %llu/%llu exceeds the limit of %llu bytes", index, path,
                       (unsigned long long)e->stored_size, (unsigned long long)e->raw_size,
                       (unsigned long long)ZC_MAX_RAW_SIZE);
    if (e->codec == ZC_CODEC_NONE && e->raw_size != e->stored_size)
        return zc_fail(diag, ZC_ERR_BAD_TOC, "entry %u (%s): uncompressed but raw size %llu != stored size %llu",
                       index, path, (unsigned long long)e->raw_size, (unsigned long long)e->stored_size);
    if (e->align_log2 < ZC_MIN_ALIGN_LOG2 || e->align_log2 > ZC_MAX_ALIGN_LOG2)
        return zc_fail(diag, ZC_ERR_BAD_TOC, "entry %u (%s): alignment 2^%u outside [2^%u, 2^%u]", index, path,
                       e->align_log2, ZC_MIN_ALIGN_LOG2, ZC_MAX_ALIGN_LOG2);
    if (e->offset % ((uint64_t)1 << e->align_log2) != 0)
        return zc_fail(diag, ZC_ERR_BAD_ALIGNMENT, "entry %u (%s): offset %llu is not %llu-byte aligned", index, path,
                       (unsigned long long)e->offset, (unsigned long long)1 << e->align_log2);
    if (e->offset < payload_start || payload_end < payload_start || e->stored_size > payload_end - payload_start ||
        e->offset > payload_end - e->stored_size)
        return zc_fail(diag, ZC_ERR_BAD_TOC, "entry %u (%s): bytes at %llu (+%llu) lie outside the payload area [%llu, %llu)",
                       index, path, (unsigned long long)e->offset, (unsigned long long)e->stored_size,
                       (unsigned long long)payload_start, (unsigned long long)payload_end);
    if (e->deps_count > th->dep_count || e->deps_first > th->dep_count - e->deps_count)
        return zc_fail(diag, ZC_ERR_BAD_TOC, "entry %u (%s): dependencies %u (+%u) outside the %u recorded", index, path,
                       e->deps_first, e->deps_count, th->dep_count);
    if (e->flags != 0 || e->reserved != 0)
        return zc_fail(diag, ZC_ERR_BAD_TOC, "entry %u (%s): unknown flags 0x%04x or reserved bits set", index, path,
                       e->flags);
    /* R15: with a lookup index, the record lies in its id's bucket, so a record that
     * passes its checks is found by its id. */
    const uint32_t *table;
    uint32_t bits;
    if (zc_check_toc_index(toc, &table, &bits, NULL) == ZC_OK && table) {
        uint32_t b = zc_toc_index_bucket(e->id, bits);
        if (index < table[b] || index >= table[b + 1])
            return zc_fail(diag, ZC_ERR_BAD_TOC, "entry %u (%s): the lookup index files it outside its id's bucket",
                           index, path);
    }
    return ZC_OK;
}

/* O(1) part of the TOC check: the TOC header's tag, version, sizes and limits, and
 * that its parts add up to exactly toc_size. After it succeeds the accessors
 * zc_toc_entry_at, zc_toc_deps and zc_toc_strings stay inside the TOC. Untrusted. */
static inline zc_result zc_check_toc_header(const void *toc, uint64_t toc_size, zc_diag *diag) {
    if (toc_size < sizeof(zc_toc_header))
        return zc_fail(diag, ZC_ERR_BAD_TOC, "TOC of %llu bytes is smaller than its header", (unsigned long long)toc_size);
    const zc_toc_header *th = (const zc_toc_header *)toc;
    if (th->tag != ZC_TOC_TAG) return zc_fail(diag, ZC_ERR_BAD_TOC, "TOC tag is not 'ZTOC'");
    if (th->version != ZC_TOC_VERSION)
        return zc_fail(diag, ZC_ERR_VERSION, "TOC version %u; this reader reads %u", th->version, ZC_TOC_VERSION);
    if (th->header_size < sizeof(zc_toc_header) || th->header_size % 8 != 0 || th->header_size > ZC_MAX_TOC_HEADER_SIZE ||
        th->header_size > toc_size)
        return zc_fail(diag, ZC_ERR_BAD_TOC, "TOC header_size %u is invalid", th->header_size);
    if (th->entry_size < sizeof(zc_toc_entry) || th->entry_size % 8 != 0 || th->entry_size > ZC_MAX_TOC_HEADER_SIZE)
        return zc_fail(diag, ZC_ERR_BAD_TOC, "TOC entry_size %u is invalid", th->entry_size);
    if (th->entry_count > ZC_MAX_ENTRIES)
        return zc_fail(diag, ZC_ERR_LIMIT, "TOC has %u entries, limit %u", th->entry_count, ZC_MAX_ENTRIES);
    if (th->dep_count > ZC_MAX_DEPS)
        return zc_fail(diag, ZC_ERR_LIMIT, "TOC has %u dependencies, limit %u", th->dep_count, ZC_MAX_DEPS);
    if (th->strings_size > UINT32_MAX)
        return zc_fail(diag, ZC_ERR_LIMIT, "string table of %llu bytes exceeds 4 GiB", (unsigned long long)th->strings_size);
    /* counts are capped above, so these products cannot overflow 64 bits */
    uint64_t need = (uint64_t)th->header_size + (uint64_t)th->entry_count * th->entry_size +
                    (uint64_t)th->dep_count * 8u + th->strings_size;
    if (need != toc_size)
        return zc_fail(diag, ZC_ERR_BAD_TOC, "TOC parts add up to %llu bytes but the TOC is %llu",
                       (unsigned long long)need, (unsigned long long)toc_size);
    return ZC_OK;
}

/* T11, O(2^bits) at memory speed: the bucket table starts at 0, ends at entry_count
 * and never decreases, so every bucket is a range of records. Untrusted; call with
 * what zc_check_toc_index returned. zc_check_toc_index_summary judges a table walked
 * some other way from its first and last values and whether any value decreased. */
static inline zc_result zc_check_toc_index_summary(uint32_t first, uint32_t last, uint32_t descents,
                                                   uint32_t entry_count, zc_diag *diag) {
    if (first != 0 || last != entry_count || descents)
        return zc_fail(diag, ZC_ERR_BAD_TOC,
                       "lookup index does not run from record 0 to record %u in order: the TOC is damaged",
                       entry_count);
    return ZC_OK;
}
static inline zc_result zc_check_toc_index_table(const uint32_t *table, uint32_t bits, uint32_t entry_count,
                                                 zc_diag *diag) {
    uint32_t buckets = (uint32_t)1 << bits;
    uint32_t descents = 0;
    for (uint32_t b = 0; b < buckets; ++b) descents |= (uint32_t)(table[b] > table[b + 1]);
    return zc_check_toc_index_summary(table[0], table[buckets], descents, entry_count, diag);
}

/* R14 given the sum of every record's deps_count (however it was read). */
static inline zc_result zc_check_toc_deps_sum(uint64_t deps_total, uint32_t dep_count, zc_diag *diag) {
    if (deps_total > dep_count)
        return zc_fail(diag, ZC_ERR_LIMIT, "records name %llu dependencies in all, more than the %u the TOC holds",
                       (unsigned long long)deps_total, dep_count);
    return ZC_OK;
}

/* R14, O(entry_count): the records' dependency slices add up to at most the list they
 * lie in, so everything that walks every record's dependencies is linear in the TOC
 * size. Reads only each record's deps_count. Untrusted; call after
 * zc_check_toc_header. */
static inline zc_result zc_check_toc_deps_total(const void *toc, zc_diag *diag) {
    const zc_toc_header *th = (const zc_toc_header *)toc;
    uint64_t deps_total = 0;    /* at most 2^24 records of at most 2^32 each: no overflow */
    for (uint32_t i = 0; i < th->entry_count; ++i) deps_total += zc_toc_entry_at(toc, i)->deps_count;
    return zc_check_toc_deps_sum(deps_total, th->dep_count, diag);
}

/* The whole structural TOC check: zc_check_toc_header, the lookup index (T10, T11),
 * the piece table's placement (T12), then every record (R1 to R12) and R14. The caller still checks the TOC checksum and
 * that each id is the hash of its path (both need XXH3). Untrusted; O(entry_count). */
static inline zc_result zc_check_toc(const void *toc, uint64_t toc_size, uint64_t payload_start,
                                     uint64_t payload_end, zc_diag *diag) {
    zc_result r = zc_check_toc_header(toc, toc_size, diag);
    if (r != ZC_OK) return r;
    const zc_toc_header *th = (const zc_toc_header *)toc;
    const uint32_t *table;
    uint32_t bits;
    if ((r = zc_check_toc_index(toc, &table, &bits, diag)) != ZC_OK) return r;
    uint64_t pieces;
    uint32_t piece_log2;
    if ((r = zc_check_toc_pieces(toc, toc_size, &pieces, &piece_log2, diag)) != ZC_OK ||
        (r = zc_check_toc_pieces_placement(toc, pieces, diag)) != ZC_OK)
        return r;
    if (table && (r = zc_check_toc_index_table(table, bits, th->entry_count, diag)) != ZC_OK) return r;
    for (uint32_t i = 0; i < th->entry_count; ++i) {
        r = zc_check_toc_entry(toc, i, payload_start, payload_end, diag);
        if (r != ZC_OK) return r;
    }
    return zc_check_toc_deps_total(toc, diag);
}

#ifdef __cplusplus
}
#endif

#endif /* ZC_FORMAT_H */
