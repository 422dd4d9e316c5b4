/* zc_object_internal.h - build objects on disk (zc_link.h; formats/SPEC.md, Appendix
 * D): writing one atomically and reading one back as untrusted input (zc_object.c).
 * Shared by the import step (zc_object_import.c) and the link step (zc_link.c).
 * The including file defines _GNU_SOURCE first. */
#ifndef ZC_OBJECT_INTERNAL_H
#define ZC_OBJECT_INTERNAL_H

#include "zc_build_cache_internal.h"
#include "zc_link.h"

#define ZC__OBJECT_HEADER 56u               /* the fixed header, see zc_object.c */
#define ZC__OBJECT_INPUT 32u                /* the fixed fields of one input */
#define ZC__OBJECT_MAX_INPUTS (1u << 20)    /* files one import may read */

/* One file an import read: its path relative to the root, size and XXH3-128. */
typedef struct zc__object_input {
    char *path;
    uint64_t size;
    uint8_t hash[16];
} zc__object_input;

/* An object in memory. Outputs hold stored bytes (payload, size = stored size) and
 * their stored form in stored[i]; a path NULL is the entry path. */
typedef struct zc__object {
    uint8_t key[16];
    uint32_t writer_version;        /* ZC_VERSION_NUMBER of the zcpack that wrote it */
    char *entry_path;
    zc_import_outputs outs;         /* items, count and notes; reads unused */
    zc__record_stored *stored;      /* outs.count of them */
    zc__object_input *inputs;       /* input_count; inputs[0] is the source */
    uint32_t input_count;
    uint64_t checksum;              /* the trailer: XXH3-64 of header and body */
} zc__object;

/* Write `obj` to `path` through a temporary file beside it renamed over it (the
 * checksum field is ignored; it is computed). 0 or an errno value. Outputs' payloads
 * are only read, so they may point into a mapped pack. */
int zc__object_write(const char *path, const zc__object *obj);

/* Read the object at `path` into *obj (zeroed first; free it with zc__object_free
 * whatever the result), checking everything but the entries' bytes: sizes and counts
 * against the file before anything is allocated, paths, codecs, the importer-output
 * rules (zc_import_outputs_check) and the checksum. On error diag holds a sentence
 * that does not name the file. Errors: ZC_ERR_FILE_NOT_FOUND, ZC_ERR_IO,
 * ZC_ERR_OUT_OF_MEMORY and those of zc_link for a damaged object. */
zc_result zc__object_read(const char *path, zc__object *obj, zc_diag *diag);

/* Check the entries' bytes as a pack reader checks them (ZC_VALIDATE_CHECKSUMS:
 * frames, sizes, content hashes, each typed entry's structure): the entries are
 * copied into a scratch pack beside `beside`, which the writer verifies through the
 * runtime and which is then removed. ZC_OK, or the reader's error with its sentence. */
zc_result zc__object_check_entries(const zc__object *obj, const char *beside, zc_diag *diag);

/* Output i of `obj` as the entry zc_writer_copy_entry takes (pointing into obj). */
void zc__object_entry(const zc__object *obj, size_t i, zc_entry *out);

/* A new empty file beside `beside` with a writer's temporary name (zc_tmpfile.h), to
 * write a scratch pack to and remove afterwards: malloc'd path, or NULL with errno. */
char *zc__object_scratch_path(const char *beside);

/* Free an object's contents and zero it. NULL is a no-op. */
void zc__object_free(zc__object *obj);

#endif /* ZC_OBJECT_INTERNAL_H */
