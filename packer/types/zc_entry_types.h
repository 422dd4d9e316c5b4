/* zc_entry_types.h - the packer's table of entry types.
 *
 * One row per type of formats/zc_types.h's ZC_TYPE_LIST, in its order. The row
 * carries what the registry says (name, tag, layout hash, structural check) and what
 * the packer adds per type (zc_entry_type_ops): the runtime view that reads the
 * payload in place, the JSON describer of `zcpack dump`, and whether the build
 * compresses the type's entries by default. The table is generated from ZC_TYPE_LIST
 * (zc_entry_types.c): each listed type must define its ops row,
 * `const zc_entry_type_ops zc__entry_type_<name>`, in its own file
 * packer/types/zc_type_<name>.c, or the packer does not link.
 *
 * Uses formats/ and the runtime's public header only. Every function here is safe
 * from any thread (the table is constant).
 */
#ifndef ZC_ENTRY_TYPES_H
#define ZC_ENTRY_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "zc_pack.h"
#include "zc_types.h"

struct cJSON;

/* The largest view a row may fill (sizeof of its zc_*_view); callers hold one in a
 * zc_entry_view_buffer. Each row file checks its view fits. */
#define ZC_ENTRY_VIEW_MAX 1024
typedef union zc_entry_view_buffer {
    unsigned char bytes[ZC_ENTRY_VIEW_MAX];
    long double align_ld;
    uint64_t align_u64;
    void *align_ptr;
} zc_entry_view_buffer;

/* What the packer adds to a registry type. */
typedef struct zc_entry_type_ops {
    /* Fill the type's view (a zc_*_view of view_size bytes at `out`) from a raw
     * payload, as zc_*_view_from_bytes: untrusted bytes, pointers into them. NULL
     * for types without a view (their bytes are used as they are). */
    zc_result (*view)(const void *payload, uint64_t size, void *out);
    size_t view_size;
    /* Add the type's keys to `o`, the JSON object of `zcpack dump` that already
     * holds the keys common to every entry. `e` is uncompressed; `view` was filled by
     * `view` from it (NULL when the type has none); `pack` resolves references to
     * other entries. ZC_OK, or an error when the view turns out unusable (nothing is
     * reported). NULL: the common keys describe the type. */
    zc_result (*dump)(const zc_pack *pack, const zc_entry *e, const void *view, struct cJSON *o);
    /* 1 when the build stores the type's entries compressed by default (when that
     * saves enough); a zcpack.json "compress" rule overrides it either way. */
    int compress;
} zc_entry_type_ops;

/* One row: the registry's columns, then the packer's. */
typedef struct zc_entry_type {
    const char *name;                   /* "texture" */
    uint32_t tag;                       /* ZC_TYPE_TEXTURE */
    uint32_t layout_hash;               /* ZC_TEXTURE_LAYOUT_HASH */
    zc_result (*check)(const void *payload, uint64_t size, zc_diag *diag);
    const zc_entry_type_ops *ops;
} zc_entry_type;

/* Number of rows, and row i (0 <= i < count) in ZC_TYPE_LIST order. */
uint32_t zc_entry_type_count(void);
const zc_entry_type *zc_entry_type_at(uint32_t i);

/* The row of a type tag; NULL for a tag the registry does not hold. */
const zc_entry_type *zc_entry_type_find(uint32_t tag);

/* Fill the view of entry `e` of type `t` (as zc_*_view_from_entry: the entry must be
 * of that type and layout, and uncompressed). ZC_ERR_INVALID_ARGUMENT when the type has
 * no view. `out` holds at least t->ops->view_size bytes. Untrusted. */
zc_result zc_entry_type_view(const zc_entry_type *t, const zc_entry *e, void *out);

/* Whether the build compresses entries of `tag` by default. Tags outside the registry
 * are candidates, like blobs. */
int zc_entry_type_compressed_by_default(uint32_t tag);

/* JSON helpers of the row files' describers (packer-internal). */
/* A float as the JSON number with the fewest significant digits that reads back as
 * the same float ("0.8"). Needs the C locale. */
struct cJSON *zc__json_float(float value);
struct cJSON *zc__json_floats(const float *values, int count);
void zc__json_add_float(struct cJSON *o, const char *key, float value);
/* A reference to another entry: null for id 0, the entry's path when the id names an
 * entry of `type` in the pack, else the id as 16 hex digits. */
struct cJSON *zc__json_reference(const zc_pack *pack, uint64_t id, uint32_t type);

/* In a row file: the view type fits a zc_entry_view_buffer. */
#define ZC_ENTRY_VIEW_FITS(view_type) \
    _Static_assert(sizeof(view_type) <= ZC_ENTRY_VIEW_MAX, #view_type " exceeds ZC_ENTRY_VIEW_MAX")

#endif /* ZC_ENTRY_TYPES_H */
