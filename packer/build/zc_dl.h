/* zc_dl.h - libraries the packer loads when it first needs them instead of linking
 * them (assimp: zc_model_assimp.c; libcurl: zc_build_cache_remote.c), so that a
 * process that never uses one does not pay for mapping it and what it needs at start.
 * POSIX only: zcpack.exe links its own static copies.
 */
#ifndef ZC_DL_H
#define ZC_DL_H

#include <stddef.h>

/* One function of a table: its name in the library, and where its pointer goes. */
typedef struct zc__dl_symbol {
    const char *name;
    size_t offset;              /* of the function pointer in the table */
} zc__dl_symbol;

/* Load `soname` (dlopen, RTLD_NOW | RTLD_LOCAL; it stays loaded) and store the address
 * of every symbol at its offset in `table`. 1 when all were found; else 0, `table`
 * untouched, and a sentence in error (the loader's reason, or the missing name).
 * Any thread, but not two fills of one table at once (use pthread_once). */
int zc__dl_fill(const char *soname, const zc__dl_symbol *symbols, size_t count, void *table, char *error,
               size_t error_size);

#endif /* ZC_DL_H */
