/* zc_type_pack_set.c - the pack set row of the entry type table (the one entry of an
 * index pack, naming the member packs of a split link): no view, no keys of its own
 * (`zcpack info` describes a set), and never compressed by default, so a reader finds
 * the member records in place. */
#include "zc_entry_types.h"

const zc_entry_type_ops zc__entry_type_pack_set = { NULL, 0, NULL, 0 };
