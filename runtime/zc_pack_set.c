/* zc_pack_set.c - pack sets (zc_pack_set_*, declared in zc_pack.h, "Pack sets"): an
 * index pack whose one entry (formats/zc_pack_set.h) names member packs, opened as
 * one.
 *
 * Open is all or nothing: the index is opened and its set entry held and checked
 * (zc_pack_set_check), then every member is opened beside the index and compared
 * with its record (file size, header checksum, TOC checksum, entry count); the first
 * failure closes everything opened so far. The set then holds one reference on each
 * member and the hold on the set entry (member names point into it) until close.
 */
#include "zc_pack.h"
#include "zc_pack_internal.h"
#include "zc_pack_set.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct zc_pack_set {
    zc_allocator allocator;
    zc_pack *index;                     /* the index pack (the opener's reference) */
    zc_hold hold;                       /* the set entry's raw bytes */
    const zc_pack_set_header *header;   /* = hold.data, checked */
    uint32_t count;
    zc_pack **members;                  /* count packs, one reference each, index order */
};

static void *zc__set_default_alloc(size_t size, void *user_data) {
    (void)user_data;
    return malloc(size);
}

static void zc__set_default_free(void *ptr, void *user_data) {
    (void)user_data;
    free(ptr);
}

#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 3, 4)))
#endif
static zc_result zc__set_fail(const zc_pack_set_desc *desc, zc_result r, const char *fmt, ...) {
    if (!desc->logger.func) return r;
    char line[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    desc->logger.func(ZC_LOG_ERROR, line, desc->logger.user_data);
    return r;
}

/* The path of member `name` (length bytes): the index's directory, then the name.
 * From the set's allocator; NULL when out of memory. */
static char *zc__member_path(const zc_pack_set *set, const char *index_path, const char *name, uint64_t length) {
    size_t dir = strlen(index_path);
    while (dir > 0 && index_path[dir - 1] != '/' && index_path[dir - 1] != '\\') dir--;
    char *path = (char *)set->allocator.alloc(dir + (size_t)length + 1, set->allocator.user_data);
    if (!path) return NULL;
    memcpy(path, index_path, dir);
    memcpy(path + dir, name, (size_t)length);
    path[dir + length] = 0;
    return path;
}

/* Open one pack of the set (the index or a member) with the set's settings. */
static zc_result zc__set_open_pack(const zc_pack_set_desc *desc, const char *path, zc_pack **out) {
    zc_pack_desc pd;
    memset(&pd, 0, sizeof pd);
    pd.path = path;
    pd.validate = desc->validate;
    pd.load = desc->load;
    pd.allocator = desc->allocator;
    pd.logger = desc->logger;
    pd.trusted_keys = desc->trusted_keys;
    pd.trusted_key_count = desc->trusted_key_count;
    return zc_pack_open(out, &pd);
}

/* Hold and check the index's set entry. */
static zc_result zc__set_read_index(zc_pack_set *set, const zc_pack_set_desc *desc) {
    zc_result r = zc_pack_get(set->index, ZC_PACK_SET_PATH, &set->hold);
    if (r == ZC_ERR_NO_ENTRY)
        return zc__set_fail(desc, r, "%s: not a pack set index: it has no entry " ZC_PACK_SET_PATH, desc->path);
    if (r != ZC_OK)
        return zc__set_fail(desc, r, "%s: entry " ZC_PACK_SET_PATH ": %s", desc->path, zc_result_str(r));
    if (set->hold.entry.type != ZC_TYPE_PACK_SET)
        return zc__set_fail(desc, ZC_ERR_TYPE_MISMATCH, "%s: not a pack set index: its entry " ZC_PACK_SET_PATH
                            " is not of type pack_set", desc->path);
    zc_diag diag;
    diag.message[0] = 0;
    r = zc_check_payload(set->hold.entry.type, set->hold.entry.layout_hash, set->hold.data, set->hold.size, &diag);
    if (r != ZC_OK) return zc__set_fail(desc, r, "%s: entry " ZC_PACK_SET_PATH ": %s", desc->path, diag.message);
    set->header = (const zc_pack_set_header *)set->hold.data;
    return ZC_OK;
}

/* Open member i and compare it with its record. */
static zc_result zc__set_open_member(zc_pack_set *set, const zc_pack_set_desc *desc, uint32_t i) {
    const zc_pack_set_record *m = zc_pack_set_record_at(set->header, i);
    const char *name = zc_string_data(&m->name);
    char *path = zc__member_path(set, desc->path, name, m->name.length);
    if (!path) return zc__set_fail(desc, ZC_ERR_OUT_OF_MEMORY, "%s: out of memory opening member %s", desc->path, name);
    zc_result r = zc__set_open_pack(desc, path, &set->members[i]);
    set->allocator.free(path, set->allocator.user_data);
    if (r != ZC_OK)
        return zc__set_fail(desc, r, "%s: member %s of the set cannot be opened: %s", desc->path, name,
                            zc_result_str(r));
    const zc_pack *p = set->members[i];
    const char *what = p->size != m->file_size                            ? "file size"
                       : p->header.header_checksum != m->header_checksum ? "header checksum"
                       : p->header.toc_checksum != m->toc_checksum       ? "table of contents checksum"
                       : p->entry_count != m->entry_count                ? "entry count"
                                                                          : NULL;
    if (what)
        return zc__set_fail(desc, ZC_ERR_TOC_CHECKSUM,
                            "%s: member %s is not the pack the index records (its %s differs): a stale or "
                            "swapped member",
                            desc->path, name, what);
    return ZC_OK;
}

zc_result zc_pack_set_open(zc_pack_set **out, const zc_pack_set_desc *desc) {
    if (out) *out = NULL;
    if (!out || !desc || !desc->path || !desc->path[0]) return ZC_ERR_INVALID_ARGUMENT;
    if ((desc->allocator.alloc == NULL) != (desc->allocator.free == NULL)) return ZC_ERR_INVALID_ARGUMENT;
    zc_allocator allocator = { zc__set_default_alloc, zc__set_default_free, NULL };
    if (desc->allocator.alloc) allocator = desc->allocator;
    zc_pack_set *set = (zc_pack_set *)allocator.alloc(sizeof *set, allocator.user_data);
    if (!set) return zc__set_fail(desc, ZC_ERR_OUT_OF_MEMORY, "%s: out of memory for a pack set", desc->path);
    memset(set, 0, sizeof *set);
    set->allocator = allocator;

    zc_result r = zc__set_open_pack(desc, desc->path, &set->index);
    if (r == ZC_OK) r = zc__set_read_index(set, desc);
    if (r == ZC_OK) {
        set->count = (uint32_t)set->header->members.count; /* at most ZC_PACK_SET_MAX_MEMBERS */
        size_t bytes = (size_t)(set->count ? set->count : 1) * sizeof *set->members;
        set->members = (zc_pack **)allocator.alloc(bytes, allocator.user_data);
        if (!set->members)
            r = zc__set_fail(desc, ZC_ERR_OUT_OF_MEMORY, "%s: out of memory for %u members", desc->path, set->count);
        else
            memset(set->members, 0, bytes);
    }
    for (uint32_t i = 0; r == ZC_OK && i < set->count; ++i) r = zc__set_open_member(set, desc, i);
    if (r != ZC_OK) {
        zc_pack_set_close(set);
        return r;
    }
    *out = set;
    return ZC_OK;
}

void zc_pack_set_close(zc_pack_set *set) {
    if (!set) return;
    for (uint32_t i = 0; set->members && i < set->count; ++i) zc_pack_close(set->members[i]);
    if (set->members) set->allocator.free(set->members, set->allocator.user_data);
    zc_hold_release(&set->hold);
    zc_pack_close(set->index);
    zc_allocator a = set->allocator;
    a.free(set, a.user_data);
}

uint32_t zc_pack_set_member_count(const zc_pack_set *set) {
    return set ? set->count : 0;
}

zc_result zc_pack_set_member(const zc_pack_set *set, uint32_t i, zc_pack_set_member_info *out) {
    if (out) memset(out, 0, sizeof *out);
    if (!set || !out) return ZC_ERR_INVALID_ARGUMENT;
    if (i >= set->count) return ZC_ERR_NO_ENTRY;
    const zc_pack_set_record *m = zc_pack_set_record_at(set->header, i);
    out->name = zc_string_data(&m->name);
    out->name_length = (uint32_t)m->name.length;
    out->pack = set->members[i];
    out->file_size = m->file_size;
    out->entry_count = m->entry_count;
    return ZC_OK;
}

uint64_t zc_pack_set_entry_count(const zc_pack_set *set) {
    return set ? set->header->entry_count : 0;
}

/* The first member, in index order, that has the entry. */
static zc_result zc__set_find(const zc_pack_set *set, const char *path, uint64_t id, zc_entry *out) {
    for (uint32_t i = 0; i < set->count; ++i) {
        zc_result r = path ? zc_pack_find(set->members[i], path, out) : zc_pack_find_id(set->members[i], id, out);
        if (r != ZC_ERR_NO_ENTRY) return r;
    }
    memset(out, 0, sizeof *out);
    return ZC_ERR_NO_ENTRY;
}

zc_result zc_pack_set_find(const zc_pack_set *set, const char *path, zc_entry *out) {
    if (!set || !path || !out) return ZC_ERR_INVALID_ARGUMENT;
    return zc__set_find(set, path, 0, out);
}

zc_result zc_pack_set_find_id(const zc_pack_set *set, uint64_t id, zc_entry *out) {
    if (!set || !out) return ZC_ERR_INVALID_ARGUMENT;
    return zc__set_find(set, NULL, id, out);
}

/* The member, in index order, that has the entry, held as zc_pack_get holds it. */
static zc_result zc__set_get(const zc_pack_set *set, const char *path, uint64_t id, zc_hold *out) {
    for (uint32_t i = 0; i < set->count; ++i) {
        zc_result r = path ? zc_pack_get(set->members[i], path, out) : zc_pack_get_id(set->members[i], id, out);
        if (r != ZC_ERR_NO_ENTRY) return r;
    }
    return ZC_ERR_NO_ENTRY;
}

zc_result zc_pack_set_get(const zc_pack_set *set, const char *path, zc_hold *out) {
    if (out) memset(out, 0, sizeof *out);
    if (!set || !path || !out) return ZC_ERR_INVALID_ARGUMENT;
    return zc__set_get(set, path, 0, out);
}

zc_result zc_pack_set_get_id(const zc_pack_set *set, uint64_t id, zc_hold *out) {
    if (out) memset(out, 0, sizeof *out);
    if (!set || !out) return ZC_ERR_INVALID_ARGUMENT;
    return zc__set_get(set, NULL, id, out);
}
