/* zc_zstd_dict.h - the zstd dictionary entry type: a dictionary that compressed
 * entries of the same pack were encoded with.
 *
 * A codec-1 entry whose zstd frame header names a dictionary id D is decoded with the
 * entry at path "zstd-dict/D" (D in decimal, no leading zeros), whose payload is a
 * zstd dictionary in zstd's own format: the magic 0xEC30A437, the dictionary id D,
 * entropy tables, then content (SPEC.md, "Zstandard dictionary"). The reference
 * writer trains one per type over that type's small entries (`zcpack build --dict`)
 * and always stores it uncompressed. Pure: no I/O, no allocation.
 */
#ifndef ZC_ZSTD_DICT_H
#define ZC_ZSTD_DICT_H

#include "zc_format.h" /* ZC_TYPE_ZSTD_DICT and its layout hash are in zc_layout.h */


#define ZC_ZSTD_DICT_MAGIC 0xEC30A437u      /* first 4 bytes, little-endian */
#define ZC_ZSTD_DICT_PATH_PREFIX "zstd-dict/"
#define ZC_ZSTD_DICT_MIN_SIZE 8u            /* magic and id */
#define ZC_ZSTD_DICT_MAX_SIZE (16u << 20)   /* bytes; larger dictionaries are refused */

/* The dictionary id in a dictionary payload's header, 0 when the payload is too short
 * or lacks the magic. Untrusted. */
static inline uint32_t zc_zstd_dict_id(const void *payload, uint64_t size) {
    if (!payload || size < ZC_ZSTD_DICT_MIN_SIZE || zc_le32(payload) != ZC_ZSTD_DICT_MAGIC) return 0;
    return zc_le32((const uint8_t *)payload + 4);
}

/* Structural check of a dictionary payload: at least 8 bytes, at most
 * ZC_ZSTD_DICT_MAX_SIZE, the zstd dictionary magic and a non-zero id. The entropy
 * tables are checked by zstd when a decoder loads the dictionary. Untrusted. */
static inline zc_result zc_zstd_dict_check(const void *payload, uint64_t size, zc_diag *diag) {
    if (size < ZC_ZSTD_DICT_MIN_SIZE)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "zstd dictionary of %llu bytes is shorter than its header",
                       (unsigned long long)size);
    if (size > ZC_ZSTD_DICT_MAX_SIZE)
        return zc_fail(diag, ZC_ERR_LIMIT, "zstd dictionary of %llu bytes exceeds the limit of %u",
                       (unsigned long long)size, ZC_ZSTD_DICT_MAX_SIZE);
    if (zc_le32(payload) != ZC_ZSTD_DICT_MAGIC)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "zstd dictionary lacks the magic 0x%08x", ZC_ZSTD_DICT_MAGIC);
    if (zc_le32((const uint8_t *)payload + 4) == 0)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "zstd dictionary has id 0");
    return ZC_OK;
}

#endif /* ZC_ZSTD_DICT_H */
