/* zc_cli_exr.c - the zcpack program's OpenEXR reader: zc_exr_probe and zc_exr_decode
 * (zc_texture_pixels.h) of zcpack_exr.so, a module built from zc_exr_read.c and
 * zc_exr_decode.cpp with the OpenEXR libraries, loaded the first time a file is an
 * EXR. Defining the two here keeps the linker from taking libzcpacker.a's copies and,
 * with them, OpenEXR, Imath and OpenEXRCore at every start of the program (1.8 ms of
 * a 3.7 ms start and exit, measured with `perf stat` on programs linked with and
 * without them).
 *
 * The module is looked for beside the program (bin/<config>/ in the build tree), then
 * in ../lib/zcpack/ from it (make install). A program that cannot load it refuses
 * each EXR file with the loader's reason; every other file imports as before.
 * POSIX only: zcpack.exe has no OpenEXR (packer/win32/zc_packer_absent_win32.c).
 */
#ifndef _WIN32
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "zc_dl.h"
#include "zc_texture_pixels.h"

#define ZC__EXR_MODULE "zcpack_exr.so"

typedef struct zc__exr_module {
    zc_result (*probe)(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels, zc_diag *diag);
    zc_result (*decode)(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag);
} zc__exr_module;

static const zc__dl_symbol zc__exr_symbols[] = {
    { "zc_exr_probe", offsetof(zc__exr_module, probe) },
    { "zc_exr_decode", offsetof(zc__exr_module, decode) },
};

static zc__exr_module zc__exr;
static int zc__exr_loaded;
static char zc__exr_error[600];
static pthread_once_t zc__exr_once = PTHREAD_ONCE_INIT;

static void zc__exr_load(void) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        snprintf(zc__exr_error, sizeof zc__exr_error, "cannot find the zcpack program's folder for %s",
                 ZC__EXR_MODULE);
        return;
    }
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash) *slash = 0;
    static const char *const places[] = { "%s/" ZC__EXR_MODULE, "%s/../lib/zcpack/" ZC__EXR_MODULE };
    for (size_t i = 0; i < sizeof places / sizeof *places && !zc__exr_loaded; ++i) {
        char path[PATH_MAX + 64], error[256];
        snprintf(path, sizeof path, places[i], exe);
        zc__exr_loaded = zc__dl_fill(path, zc__exr_symbols, sizeof zc__exr_symbols / sizeof *zc__exr_symbols, &zc__exr,
                                     error, sizeof error);
        if (!zc__exr_loaded && i == 0) snprintf(zc__exr_error, sizeof zc__exr_error, "%s", error);
    }
}

/* ZC_OK when the module is loaded; else the refusal of the file. */
static zc_result zc__exr_ready(zc_diag *diag) {
    pthread_once(&zc__exr_once, zc__exr_load);
    if (zc__exr_loaded) return ZC_OK;
    return zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC, "OpenEXR images cannot be read: %s (zcpack installs %s beside "
                   "the program or in ../lib/zcpack/)", zc__exr_error, ZC__EXR_MODULE);
}

zc_result zc_exr_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels, zc_diag *diag) {
    zc_result r = zc__exr_ready(diag);
    return r != ZC_OK ? r : zc__exr.probe(bytes, size, cap, w, h, channels, diag);
}

zc_result zc_exr_decode(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag) {
    zc_result r = zc__exr_ready(diag);
    return r != ZC_OK ? r : zc__exr.decode(bytes, size, w, h, out, diag);
}

#endif
