/* zc_whiteout.h - the whiteout entry type: a removal record in a patch pack.
 *
 * A whiteout at path P says "P no longer exists": mounted above other packs
 * (zc_mounts_add), it hides P in every pack of lower priority (SPEC.md, "Whiteout").
 * Patch builds (`zcpack build --base`) write one for every path the base has and the
 * new tree lacks. Its payload is empty. Pure: no I/O, no allocation.
 */
#ifndef ZC_WHITEOUT_H
#define ZC_WHITEOUT_H

#include "zc_format.h" /* ZC_TYPE_WHITEOUT and its layout hash are in zc_layout.h */


/* Full structural check of a whiteout payload: it must be empty. Untrusted. */
static inline zc_result zc_whiteout_check(const void *payload, uint64_t size, zc_diag *diag) {
    (void)payload;
    if (size != 0)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "whiteout entry holds %llu bytes; it must be empty",
                       (unsigned long long)size);
    return ZC_OK;
}

#endif /* ZC_WHITEOUT_H */
