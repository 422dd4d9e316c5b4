/* zc_pack_set.h - the pack set entry type: the one entry of an index pack, naming the
 * member packs a split link wrote (`zcpack link --max-pack-size`, `--chunk`).
 *
 * Payload layout (SPEC.md, "Pack set"):
 *
 *   zc_pack_set_header              at offset 0 of the entry
 *   zc_pack_set_record x count      the target of `members`, 8-byte aligned
 *   name bytes, NUL                 the targets of the members' names
 *
 * Each member record names a pack by its path relative to the directory of the index
 * pack (an entry path, SPEC.md section 5: no "..", no leading '/') and records what
 * identifies that pack's bytes: its file size, header checksum and TOC checksum (the
 * TOC covers every entry's content hash), and its entry count. A reader opening the
 * set compares them with each member it opens, so a stale or swapped member is found
 * before any of its entries is used. Names are unique and in ascending bytewise order.
 * The check at the end of this header is safe on untrusted bytes. Pure: no I/O, no
 * allocation.
 */
#ifndef ZC_PACK_SET_H
#define ZC_PACK_SET_H

#include "zc_format.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZC_TYPE_PACK_SET ZC_FOURCC('P', 'S', 'E', 'T')

#define ZC_PACK_SET_LAYOUT_DESC                                                                   \
    "pack_set/1:members@0:array_record,entry_count@16:u64,reserved@24:u64;"                       \
    "record:name@0:string,file_size@16:u64,header_checksum@24:u64,toc_checksum@32:u64,"           \
    "entry_count@40:u32,reserved@44:u32"
#define ZC_PACK_SET_LAYOUT_HASH 0x1f368e5au /* zc_layout_hash(ZC_PACK_SET_LAYOUT_DESC) */

#define ZC_PACK_SET_PATH "pack-set"          /* the entry's path in an index pack */
#define ZC_PACK_SET_MAX_MEMBERS 65536u       /* member records in one set */
#define ZC_PACK_SET_MIN_MEMBER_SIZE 160u     /* bytes of the smallest valid pack */

typedef struct zc_pack_set_record {
    zc_string name;             /* path of the member relative to the index's directory */
    uint64_t file_size;         /* bytes of the member pack */
    uint64_t header_checksum;   /* its header's header_checksum field */
    uint64_t toc_checksum;      /* its header's toc_checksum field */
    uint32_t entry_count;       /* entries in its TOC */
    uint32_t reserved;          /* 0 */
} zc_pack_set_record;

typedef struct zc_pack_set_header {
    zc_array members;           /* zc_pack_set_record records, names ascending */
    uint64_t entry_count;       /* sum of the members' entry counts */
    uint64_t reserved;          /* 0 */
} zc_pack_set_header;

ZC_STATIC_ASSERT(sizeof(zc_pack_set_record) == 48, "zc_pack_set_record size");
ZC_CHECK_LAYOUT(zc_pack_set_record, name, 0);
ZC_CHECK_LAYOUT(zc_pack_set_record, file_size, 16);
ZC_CHECK_LAYOUT(zc_pack_set_record, header_checksum, 24);
ZC_CHECK_LAYOUT(zc_pack_set_record, toc_checksum, 32);
ZC_CHECK_LAYOUT(zc_pack_set_record, entry_count, 40);
ZC_CHECK_LAYOUT(zc_pack_set_record, reserved, 44);
ZC_STATIC_ASSERT(sizeof(zc_pack_set_header) == 32, "zc_pack_set_header size");
ZC_CHECK_LAYOUT(zc_pack_set_header, members, 0);
ZC_CHECK_LAYOUT(zc_pack_set_header, entry_count, 16);
ZC_CHECK_LAYOUT(zc_pack_set_header, reserved, 24);

/* Member i of a checked set payload. Trusted input only (zc_pack_set_check passed). */
static inline const zc_pack_set_record *zc_pack_set_record_at(const zc_pack_set_header *set, uint64_t i) {
    return (const zc_pack_set_record *)zc_array_data(&set->members) + i;
}

/* Bytewise order of two names: <0, 0, >0 as memcmp, the shorter first on a tie. */
static inline int zc__pack_set_name_cmp(const char *a, uint64_t an, const char *b, uint64_t bn) {
    for (uint64_t i = 0; i < an && i < bn; ++i)
        if (a[i] != b[i]) return (unsigned char)a[i] < (unsigned char)b[i] ? -1 : 1;
    return an < bn ? -1 : an > bn;
}

/* Full structural check of a pack set payload, PS1 to PS8 of SPEC.md (section 8.12). Untrusted:
 * every member's name is checked as a string and as an entry path before it is
 * compared. O(members + name bytes); allocation-free. */
static inline zc_result zc_pack_set_check(const void *payload, uint64_t size, zc_diag *diag) {
    if (size < sizeof(zc_pack_set_header))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "pack set entry of %llu bytes is smaller than its header",
                       (unsigned long long)size);
    const zc_pack_set_header *set = (const zc_pack_set_header *)payload;
    if (set->reserved != 0) return zc_fail(diag, ZC_ERR_BAD_ENTRY, "pack set reserved field is not zero");
    zc_result r = zc_check_array(payload, size, &set->members, sizeof(zc_pack_set_record), 8,
                                 ZC_PACK_SET_MAX_MEMBERS, diag);
    if (r != ZC_OK) return r;
    uint64_t entries = 0;
    const char *prev = NULL;
    uint64_t prev_length = 0;
    for (uint64_t i = 0; i < set->members.count; ++i) {
        const zc_pack_set_record *m = zc_pack_set_record_at(set, i);
        if (m->reserved != 0)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "pack set member %llu: reserved field is not zero",
                           (unsigned long long)i);
        if (m->file_size < ZC_PACK_SET_MIN_MEMBER_SIZE)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "pack set member %llu: file size %llu is below the smallest pack",
                           (unsigned long long)i, (unsigned long long)m->file_size);
        if ((r = zc_check_string(payload, size, &m->name, ZC_MAX_PATH, diag)) != ZC_OK) return r;
        const char *name = zc_string_data(&m->name);
        if ((r = zc_check_path(name, m->name.length, diag)) != ZC_OK) return r;
        if (prev && zc__pack_set_name_cmp(prev, prev_length, name, m->name.length) >= 0)
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "pack set member %llu (%.256s) is not after the one before it",
                           (unsigned long long)i, name);
        prev = name;
        prev_length = m->name.length;
        entries += m->entry_count;
    }
    if (entries != set->entry_count)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "pack set says %llu entries, its members hold %llu",
                       (unsigned long long)set->entry_count, (unsigned long long)entries);
    return ZC_OK;
}

#ifdef __cplusplus
}
#endif

#endif /* ZC_PACK_SET_H */
