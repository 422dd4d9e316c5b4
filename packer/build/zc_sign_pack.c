/* zc_sign_pack.c - signing a pack that exists already (zc_sign_pack_file, zc_sign.h):
 * its stored entries copied, in file order, through a writer that signs. */
#include "zc_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct zc__placed {
    uint64_t offset, stored_size;
    uint32_t index;
} zc__placed;

/* File order: by offset; at one offset the empty records first (they take no room),
 * then by TOC position, so the order is total and the copy deterministic. */
static int zc__compare_placed(const void *pa, const void *pb) {
    const zc__placed *a = (const zc__placed *)pa, *b = (const zc__placed *)pb;
    if (a->offset != b->offset) return a->offset < b->offset ? -1 : 1;
    if ((a->stored_size == 0) != (b->stored_size == 0)) return a->stored_size == 0 ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

zc_result zc_sign_pack_file(const char *path, const zc_secret_key *key, zc_logger logger) {
    if (!path || !key) return ZC_ERR_INVALID_ARGUMENT;
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_CHECKSUMS,
                                                        .logger = logger });
    if (r != ZC_OK) return r;
    uint32_t count = zc_pack_entry_count(pack);
    zc__placed *order = (zc__placed *)malloc((size_t)(count ? count : 1) * sizeof *order);
    if (!order) {
        if (logger.func) logger.func(ZC_LOG_ERROR, "out of memory ordering the entries to sign", logger.user_data);
        zc_pack_close(pack);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    for (uint32_t i = 0; i < count && r == ZC_OK; ++i) {
        zc_entry e;
        r = zc_pack_entry_at(pack, i, &e);
        order[i] = (zc__placed){ e.offset, e.stored_size, i };
    }
    if (count > 1) qsort(order, count, sizeof *order, zc__compare_placed);
    zc_writer *w = NULL;
    if (r == ZC_OK) r = zc_writer_open(&w, &(zc_writer_desc){ .path = path, .logger = logger, .sign_key = key });
    for (uint32_t i = 0; i < count && r == ZC_OK; ++i) {
        zc_entry e;
        r = zc_pack_entry_at(pack, order[i].index, &e);
        if (r == ZC_OK) r = zc_writer_copy_entry(w, &e);
    }
    if (r == ZC_OK) {
        /* The writer holds the copied bytes, not pointers into the pack: close the pack
         * before finish renames over it (Windows refuses to replace a mapped file). */
        zc_pack_close(pack);
        pack = NULL;
        r = zc_writer_finish(w); /* frees the writer whatever the result */
        w = NULL;
    }
    zc_writer_abort(w);
    free(order);
    zc_pack_close(pack);
    return r;
}
