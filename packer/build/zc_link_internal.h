/* zc_link_internal.h - what the link step (zc_link.c) shares with its split into a
 * pack set (zc_link_set.c). The including file defines _GNU_SOURCE first. */
#ifndef ZC_LINK_INTERNAL_H
#define ZC_LINK_INTERNAL_H

#include "zc_object_internal.h"

/* What the first pass keeps of one object. */
typedef struct zc__linked {
    const char *file;           /* the object file, as given */
    char *entry_path;           /* of its source */
    char **paths;               /* its entries' paths, count of them */
    uint32_t count;
    uint64_t checksum;
} zc__linked;

/* Where the second pass sends each entry (as stored, pointing into the object). */
typedef zc_result (*zc__link_sink)(void *ctx, const zc_entry *e);

/* Log an error sentence to desc->logger; returns r. */
#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 3, 4)))
#endif
zc_result zc__lfail(const zc_link_desc *desc, zc_result r, const char *fmt, ...);

/* Read object l again (it must still have the checksum the first pass saw), log its
 * notes, and send its entries to `sink` in order, counting them in *entries. */
zc_result zc__copy_object(const zc_link_desc *desc, const zc__linked *l, zc__link_sink sink, void *ctx,
                          uint32_t *entries);

/* zc_link_set.c: 1 when the desc asks for a pack set (a size limit or chunk rules). */
int zc__link_splits(const zc_link_desc *desc);

/* zc_link_set.c: check the split options (chunk names and globs, the size limit),
 * logging the first problem; ZC_ERR_INVALID_ARGUMENT. */
zc_result zc__link_check_split(const zc_link_desc *desc);

/* zc_link_set.c: write the checked, ordered objects as member packs and the index
 * desc->output_path; fills *out (may be NULL) on success. */
zc_result zc__link_split(const zc_link_desc *desc, const zc__linked *l, uint32_t n, zc_link_stats *out);

#endif /* ZC_LINK_INTERNAL_H */
