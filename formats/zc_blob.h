/* zc_blob.h - the blob entry type: raw bytes, stored as they are.
 *
 * A blob has no archived structure: its payload is the raw bytes of the source,
 * aligned to at least 16 bytes (SPEC.md, "Blob"). Every byte sequence, including the
 * empty one, is a valid blob. Pure: no I/O, no allocation.
 */
#ifndef ZC_BLOB_H
#define ZC_BLOB_H

#include "zc_format.h"

#define ZC_TYPE_BLOB ZC_FOURCC('B', 'L', 'O', 'B')

/* A blob has no fields; its layout description names only the type and version. */
#define ZC_BLOB_LAYOUT_DESC "blob/1:bytes"
#define ZC_BLOB_LAYOUT_HASH 0x5902727bu /* zc_layout_hash(ZC_BLOB_LAYOUT_DESC) */

/* Full structural check of a blob payload. Untrusted; always succeeds, since every
 * byte sequence is a blob. Present so every type is validated through one registry. */
static inline zc_result zc_blob_check(const void *payload, uint64_t size, zc_diag *diag) {
    (void)payload; (void)size; (void)diag;
    return ZC_OK;
}

#endif /* ZC_BLOB_H */
