/* zc_type_zstd_dict.c - the zstd dictionary row of the entry type table: no view,
 * no keys of its own. A compression candidate like any type without a view; the
 * writer itself never compresses dictionaries (zc_writer.c), since the decoder needs
 * them in place. */
#include "zc_entry_types.h"

const zc_entry_type_ops zc__entry_type_zstd_dict = { NULL, 0, NULL, 1 };
