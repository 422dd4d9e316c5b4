/* zc_pack_format.h - the whole on-disk contract, for tools: zc_pack.h plus every
 * archived layout's validator, the pack header and table-of-contents records, the
 * diagnostics (zc_diag, zc_fail) and the type registry (zc_type_name,
 * zc_check_payload).
 *
 * A game needs none of this: zc_pack.h carries the archived layouts its views hand out,
 * and the runtime validates packs itself (zc_pack_desc.validate, zc_pack_validate).
 * Include this header to check payloads outside a pack (a packer, a converter, a
 * fuzzer) or to read the pack header and TOC records directly. Everything in it is
 * header-only and pure (formats/SPEC.md is the normative text): libc only, no I/O, no
 * allocation; every function documented as untrusted is safe on arbitrary bytes.
 */
#ifndef ZC_PACK_FORMAT_H
#define ZC_PACK_FORMAT_H

#include "zc_pack.h"
#include "zc_format.h"
#include "zc_types.h"
#include "zc_seekable.h"

#endif /* ZC_PACK_FORMAT_H */
