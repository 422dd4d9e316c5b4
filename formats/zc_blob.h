/* zc_blob.h - the blob entry type: raw bytes, stored as they are.
 *
 * A blob has no archived structure: its payload is the raw bytes of the source,
 * aligned to at least 16 bytes (SPEC.md, "Blob"). Every byte sequence, including the
 * empty one, is a valid blob. Pure: no I/O, no allocation.
 */
#ifndef ZC_BLOB_H
#define ZC_BLOB_H

#include "zc_format.h" /* ZC_TYPE_BLOB and its layout hash are in zc_layout.h */

/* Full structural check of a blob payload. Untrusted; always succeeds, since every
 * byte sequence is a blob. Present so every type is validated through one registry. */
static inline zc_result zc_blob_check(const void *payload, uint64_t size, zc_diag *diag) {
    (void)payload; (void)size; (void)diag;
    return ZC_OK;
}

#endif /* ZC_BLOB_H */
