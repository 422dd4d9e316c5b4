/* zc_cli_set.c - pack sets for the read-only commands (zc_cli.h): recognising an
 * index pack, opening its set, listing the entries of all its members. */
#include <stdlib.h>
#include <string.h>

#include "zc_cli.h"
#include "zc_pack_format.h"

int zc__is_set_index(const zc_pack *pack) {
    zc_entry e;
    return zc_pack_find(pack, ZC_PACK_SET_PATH, &e) == ZC_OK && e.type == ZC_TYPE_PACK_SET;
}

int zc__open_set(const char *path, zc_validate level, const zc_public_key *keys, uint32_t key_count,
                 zc_pack_set **out, zc_result *out_result) {
    zc_pack_set_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.path = path;
    desc.validate = level;
    desc.trusted_keys = keys;
    desc.trusted_key_count = key_count;
    desc.logger.func = zc__cli_log;
    zc_result r = zc_pack_set_open(out, &desc);
    if (out_result) *out_result = r;
    if (r == ZC_OK) return ZC_EXIT_OK;
    zc__fail_on(path, r);
    return zc__exit_for_pack(r);
}

zc_entry *zc__set_entries_sorted(const char *index_path, const zc_pack_set *set, uint32_t *out_count,
                                 zc_result *out_result) {
    uint64_t total = 0;
    uint32_t members = zc_pack_set_member_count(set);
    zc_pack_set_member_info m;
    for (uint32_t i = 0; i < members && zc_pack_set_member(set, i, &m) == ZC_OK; ++i) total += m.entry_count;
    zc_entry *entries = total < UINT32_MAX ? (zc_entry *)malloc(((size_t)total + 1) * sizeof *entries) : NULL;
    *out_result = ZC_OK;
    if (!entries) {
        zc__error("%s: out of memory listing %llu entries", index_path, (unsigned long long)total);
        *out_result = ZC_ERR_OUT_OF_MEMORY;
        return NULL;
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < members && *out_result == ZC_OK; ++i) {
        zc_pack_set_member(set, i, &m);
        for (uint32_t k = 0; k < m.entry_count && *out_result == ZC_OK; ++k)
            if ((*out_result = zc_pack_entry_at(m.pack, k, &entries[n])) == ZC_OK) n++;
            else zc__error("%s: member %s: %s", index_path, m.name, zc_result_str(*out_result));
    }
    if (*out_result != ZC_OK) {
        free(entries);
        return NULL;
    }
    if (n > 1) qsort(entries, n, sizeof *entries, zc__compare_entry_paths);
    *out_count = n;
    return entries;
}
