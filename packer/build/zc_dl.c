/* zc_dl.c - zc__dl_fill (zc_dl.h). */
#ifndef _WIN32
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "zc_dl.h"

int zc__dl_fill(const char *soname, const zc__dl_symbol *symbols, size_t count, void *table, char *error,
               size_t error_size) {
    void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(error, error_size, "%s", why ? why : "the library cannot be loaded");
        return 0;
    }
    for (size_t i = 0; i < count; ++i)
        if (!dlsym(lib, symbols[i].name)) {
            snprintf(error, error_size, "%s lacks %s", soname, symbols[i].name);
            return 0;
        }
    for (size_t i = 0; i < count; ++i) {
        void *f = dlsym(lib, symbols[i].name);
        memcpy((char *)table + symbols[i].offset, &f, sizeof f); /* to a function pointer, as POSIX allows */
    }
    return 1;
}
#else
typedef int zc__dl_unused; /* zcpack.exe links the libraries themselves */
#endif
