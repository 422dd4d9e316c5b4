/* zc_object_pack.c - objects and packs (zc_object_internal.h): an object's outputs
 * as entries, scratch packs, and the check of an object's entries through the pack
 * writer and reader, so an object is trusted exactly as far as a pack would be.
 */
#define _GNU_SOURCE /* O_CLOEXEC */
#include "zc_object_internal.h"
#include "zc_tmpfile.h"

void zc__object_entry(const zc__object *obj, size_t i, zc_entry *out) {
    const zc_import_output *o = &obj->outs.items[i];
    const zc__record_stored *s = &obj->stored[i];
    memset(out, 0, sizeof *out);
    out->path = o->path ? o->path : obj->entry_path;
    out->path_length = (uint32_t)strlen(out->path);
    out->id = zc_asset_id(out->path, out->path_length);
    out->type = o->type;
    out->layout_hash = o->layout_hash;
    out->codec = (zc_codec)s->codec;
    out->alignment = (uint32_t)1 << o->align_log2;
    out->stored_size = o->size;
    out->raw_size = s->raw_size;
    out->content_hash = s->content_hash;
    out->deps = o->deps;
    out->deps_count = o->dep_count;
    out->data = o->payload;
}

char *zc__object_scratch_path(const char *beside) {
    char *path = NULL;
    int fd = zc__tmpfile_create(beside, &path);
    if (fd < 0) return NULL;
    close(fd);
    return path;
}

/* The first error the writer logs while checking, without the names of the scratch
 * pack and of the writer's temporary file before it (both end in ".tmp"): the
 * reader's sentence about the entry. */
typedef struct zc__first_error {
    char message[sizeof(((zc_diag *)0)->message)];
} zc__first_error;

static void zc__keep_first_error(zc_log_level level, const char *message, void *user_data) {
    zc__first_error *first = (zc__first_error *)user_data;
    if (level != ZC_LOG_ERROR || first->message[0]) return;
    for (const char *p = strstr(message, ".tmp: "); p; p = strstr(p + 1, ".tmp: ")) message = p + 6;
    snprintf(first->message, sizeof first->message, "%s", message);
}

zc_result zc__object_check_entries(const zc__object *obj, const char *beside, zc_diag *diag) {
    char *scratch = zc__object_scratch_path(beside);
    if (!scratch) return zc_fail(diag, ZC_ERR_IO, "cannot create a scratch pack beside %s: %s", beside, strerror(errno));
    zc__first_error first;
    first.message[0] = 0;
    zc_writer_desc wd;
    memset(&wd, 0, sizeof wd);
    wd.path = scratch;
    wd.no_sync = 1; /* verified at ZC_VALIDATE_CHECKSUMS, then removed */
    wd.logger.func = zc__keep_first_error;
    wd.logger.user_data = &first;
    zc_writer *w = NULL;
    zc_result r = zc_writer_open(&w, &wd);
    for (size_t i = 0; r == ZC_OK && i < obj->outs.count; ++i) {
        zc_entry e;
        zc__object_entry(obj, i, &e);
        r = zc_writer_copy_entry(w, &e);
    }
    if (r == ZC_OK)
        r = zc_writer_finish(w);
    else
        zc_writer_abort(w);
    unlink(scratch);
    free(scratch);
    if (r != ZC_OK) zc_fail(diag, r, "%s", first.message[0] ? first.message : zc_result_str(r));
    return r;
}
