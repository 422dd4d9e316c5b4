/* zc_type_whiteout.c - the whiteout row of the entry type table (a patch pack's
 * mark of a removed path): no view, no keys of its own; a compression candidate like
 * any type without a view. */
#include "zc_entry_types.h"

const zc_entry_type_ops zc__entry_type_whiteout = { NULL, 0, NULL, 1 };
