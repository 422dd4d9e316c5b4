/* zc_build_patch.c - patch builds (zc_build.h, desc->base_path; zc_build_internal.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>
#include <zstd.h>

#include "zc_tmpfile.h"
#include "zc_build_internal.h"

/* ---------------------------------------------------------------------------------
 * Patch builds (desc->base_path): the tree is built whole into a temporary pack
 * beside the output, compared with the base record by record, and the entries that
 * differ are copied as they are stored into the patch, followed by a whiteout for
 * every base path the tree no longer has.
 * ------------------------------------------------------------------------------- */

static int zc__compare_entry_paths(const void *x, const void *y) {
    return strcmp(((const zc_entry *)x)->path, ((const zc_entry *)y)->path);
}

/* Every entry of `pack` sorted by path, in a malloc'd array (count in *out_count);
 * NULL when out of memory. */
static zc_entry *zc__entries_by_path(const zc_pack *pack, uint32_t *out_count) {
    uint32_t n = zc_pack_entry_count(pack);
    zc_entry *entries = (zc_entry *)malloc(((size_t)n + 1) * sizeof *entries);
    if (!entries) return NULL;
    for (uint32_t i = 0; i < n; ++i) zc_pack_entry_at(pack, i, &entries[i]);
    if (n > 1) qsort(entries, n, sizeof *entries, zc__compare_entry_paths);
    *out_count = n;
    return entries;
}

#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 3, 4)))
#endif
void zc__plog(const zc_build_desc *desc, zc_log_level level, const char *fmt, ...) {
    if (!desc->logger.func) return;
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    desc->logger.func(level, line, desc->logger.user_data);
}

/* Open a pack read back by the build at level TOC, messages through desc's logger. */
static zc_result zc__open_pack(const zc_build_desc *desc, const char *path, zc_pack **out) {
    zc_pack_desc pd;
    memset(&pd, 0, sizeof pd);
    pd.path = path;
    pd.validate = ZC_VALIDATE_TOC;
    pd.logger = desc->logger;
    return zc_pack_open(out, &pd);
}

/* Open the base, refusing a base that is the output itself. */
static zc_result zc__open_base(const zc_build_desc *desc, zc_pack **out) {
    *out = NULL;
    struct stat base_st, out_st;
    if (stat(desc->base_path, &base_st) == 0 && stat(desc->output_path, &out_st) == 0 &&
        base_st.st_dev == out_st.st_dev && base_st.st_ino == out_st.st_ino) {
        zc__plog(desc, ZC_LOG_ERROR, "%s: the patch would replace its own base pack; choose another output",
                 desc->output_path);
        return ZC_ERR_INVALID_ARGUMENT;
    }
    zc_result r = zc__open_pack(desc, desc->base_path, out);
    if (r != ZC_OK)
        zc__plog(desc, ZC_LOG_ERROR, "%s: cannot use it as the base pack: %s", desc->base_path, zc_result_str(r));
    return r;
}

/* Create an empty temporary file beside the output (zc_tmpfile.h: a name the scan
 * skips) to hold the full build. ZC_OK and the malloc'd name in *out; else *out is
 * NULL and the failure (ZC_ERR_OUT_OF_MEMORY, ZC_ERR_IO) is logged. */
static zc_result zc__reserve_full_path(const zc_build_desc *desc, char **out) {
    int fd = zc__tmpfile_create(desc->output_path, out);
    if (fd < 0) {
        int err = errno;
        zc__plog(desc, ZC_LOG_ERROR, "%s: cannot create a temporary file beside it: %s", desc->output_path,
                 strerror(err));
        return err == ENOMEM ? ZC_ERR_OUT_OF_MEMORY : ZC_ERR_IO;
    }
    close(fd);
    return ZC_OK;
}

typedef struct zc__patch_counts {
    uint32_t added, changed, removed, unchanged;
} zc__patch_counts;

/* 1 when the entry goes into the patch because of its own content: `base` lacks its
 * path or holds it differently. Counts it as added, changed or unchanged. */
static int zc__patch_needs(const zc_pack *base, const zc_entry *e, zc__patch_counts *counts) {
    zc_entry old;
    if (zc_pack_find(base, e->path, &old) != ZC_OK) {
        if (counts) counts->added++;
        return 1;
    }
    if (zc_entry_differences(e, &old) != 0) {
        if (counts) counts->changed++;
        return 1;
    }
    if (counts) counts->unchanged++;
    return 0;
}

/* The zstd dictionaries (formats/zc_zstd_dict.h) that the frames of the entries going
 * into the patch name: a compressed entry is decoded with the dictionary of its own
 * pack, so the patch carries them even when the base holds the same ones. Returns a
 * malloc'd array of distinct ids (count in *out_count, possibly 0), NULL when out of
 * memory. */
static uint32_t *zc__patch_dict_ids(const zc_pack *base, const zc_entry *entries, uint32_t count,
                                    uint32_t *out_count) {
    uint32_t *ids = (uint32_t *)malloc(sizeof *ids * ((size_t)count + 1)), n = 0;
    if (!ids) return NULL;
    for (uint32_t i = 0; i < count; ++i) {
        const zc_entry *e = &entries[i];
        if ((e->codec != ZC_CODEC_ZSTD && e->codec != ZC_CODEC_ZSTD_SEEKABLE) || e->stored_size > SIZE_MAX || !zc__patch_needs(base, e, NULL)) continue;
        uint32_t id = ZSTD_getDictID_fromFrame(e->data, (size_t)e->stored_size);
        uint32_t k = 0;
        while (k < n && ids[k] != id) k++;
        if (id != 0 && k == n) ids[n++] = id;
    }
    *out_count = n;
    return ids;
}

/* Copy the entries of `full` that `base` lacks or holds differently, and the
 * dictionaries those need, in path order. */
static zc_result zc__patch_copy(const zc_build_desc *desc, zc_writer *w, const zc_pack *base,
                                const zc_entry *entries, uint32_t count, zc__patch_counts *counts) {
    uint32_t dict_count = 0;
    uint32_t *dicts = zc__patch_dict_ids(base, entries, count, &dict_count);
    if (!dicts) {
        zc__plog(desc, ZC_LOG_ERROR, "%s: out of memory comparing with the base", desc->output_path);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    zc_result r = ZC_OK;
    for (uint32_t i = 0; i < count && r == ZC_OK; ++i) {
        const zc_entry *e = &entries[i];
        int copy = zc__patch_needs(base, e, counts);
        if (!copy && e->type == ZC_TYPE_ZSTD_DICT && e->codec == ZC_CODEC_NONE) {
            uint32_t id = zc_zstd_dict_id(e->data, e->stored_size);
            for (uint32_t k = 0; k < dict_count && !copy; ++k) copy = id != 0 && dicts[k] == id;
        }
        if (copy) r = zc_writer_copy_entry(w, e);
    }
    free(dicts);
    return r;
}

/* A whiteout for every path of `base` that `full` lacks, in path order. The base's own
 * whiteouts need none: those paths are absent from its view already. */
static zc_result zc__patch_whiteouts(zc_writer *w, const zc_pack *full, const zc_entry *entries, uint32_t count,
                                     zc__patch_counts *counts) {
    for (uint32_t i = 0; i < count; ++i) {
        zc_entry e;
        if (entries[i].type == ZC_TYPE_WHITEOUT || zc_pack_find(full, entries[i].path, &e) == ZC_OK) continue;
        zc_result r = zc_writer_begin_entry(w, entries[i].path, ZC_TYPE_WHITEOUT, ZC_WHITEOUT_LAYOUT_HASH, 0);
        if (r == ZC_OK) r = zc_writer_end_entry(w);
        if (r != ZC_OK) return r;
        counts->removed++;
    }
    return ZC_OK;
}

/* Write the patch of `full` against `base` to desc->output_path. */
static zc_result zc__write_patch(const zc_build_desc *desc, const zc_pack *base, const zc_pack *full,
                                 zc__patch_counts *counts) {
    uint32_t full_count = 0, base_count = 0;
    zc_entry *full_entries = zc__entries_by_path(full, &full_count);
    zc_entry *base_entries = zc__entries_by_path(base, &base_count);
    zc_writer *w = NULL;
    zc_result r = full_entries && base_entries ? ZC_OK : ZC_ERR_OUT_OF_MEMORY;
    if (r != ZC_OK) zc__plog(desc, ZC_LOG_ERROR, "%s: out of memory comparing with the base", desc->output_path);
    if (r == ZC_OK) {
        zc_writer_desc wd;
        memset(&wd, 0, sizeof wd);
        wd.path = desc->output_path;
        wd.logger = desc->logger;
        wd.no_verify = desc->no_verify;
        wd.no_sync = desc->no_sync;
        wd.sign_key = desc->sign_key;
        r = zc_writer_open(&w, &wd);
    }
    if (r == ZC_OK) r = zc__patch_copy(desc, w, base, full_entries, full_count, counts);
    if (r == ZC_OK) r = zc__patch_whiteouts(w, full, base_entries, base_count, counts);
    if (r == ZC_OK) {
        r = zc_writer_finish(w); /* frees the writer whatever the result */
        w = NULL;
    }
    zc_writer_abort(w);
    free(full_entries);
    free(base_entries);
    return r;
}

zc_result zc__build_patch(const zc_build_desc *desc, zc_build_stats *out) {
    if (out) memset(out, 0, sizeof *out);
    if (!desc->input_dir || !desc->input_dir[0] || !desc->output_path || !desc->output_path[0] ||
        !desc->base_path[0])
        return ZC_ERR_INVALID_ARGUMENT;
    if (out) out->failed_stage = ZC_BUILD_STAGE_SCAN;
    if (desc->keep_going) {
        zc__plog(desc, ZC_LOG_ERROR, "%s: a patch cannot be built with keep_going: a file that failed to import "
                 "would read as removed", desc->output_path);
        return ZC_ERR_INVALID_ARGUMENT;
    }
    zc_pack *base = NULL, *full = NULL;
    zc_result r = zc__open_base(desc, &base);
    char *full_path = NULL;
    if (r == ZC_OK) r = zc__reserve_full_path(desc, &full_path);
    if (r != ZC_OK) {
        zc_pack_close(base);
        return r;
    }

    zc_build_stats full_stats;
    r = zc__build_tree(desc, full_path, &full_stats);
    zc__patch_counts counts = { 0, 0, 0, 0 };
    if (r == ZC_OK) {
        r = zc__open_pack(desc, full_path, &full);
        if (r == ZC_OK) r = zc__write_patch(desc, base, full, &counts);
        if (out) out->failed_stage = ZC_BUILD_STAGE_WRITE;
    } else if (out) {
        out->failed_stage = full_stats.failed_stage;
        out->failed_files = full_stats.failed_files;
    }
    zc_pack_close(full);
    zc_pack_close(base);
    unlink(full_path);
    free(full_path);
    if (r != ZC_OK || !out) return r;

    *out = full_stats;
    out->entries = out->unique_payloads = 0;
    out->payload_bytes = out->pack_bytes = 0;
    out->patch_added = counts.added;
    out->patch_changed = counts.changed;
    out->patch_removed = counts.removed;
    out->patch_unchanged = counts.unchanged;
    zc__pack_stats(desc->output_path, out);
    return ZC_OK;
}

