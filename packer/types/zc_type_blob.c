/* zc_type_blob.c - the blob row of the entry type table: raw bytes, no view; the
 * keys common to every entry describe it; compressed by default. */
#include "zc_entry_types.h"

const zc_entry_type_ops zc__entry_type_blob = { NULL, 0, NULL, 1 };
