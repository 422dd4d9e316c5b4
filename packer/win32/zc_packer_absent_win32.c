/* zc_packer_absent_win32.c - what zcpack.exe leaves out, and what it says instead.
 *
 * Debian builds OpenEXR and libastcenc for Linux only, and tools/mingw.sh does not
 * build them for mingw, so zcpack.exe is compiled without the files that call them
 * (zc_exr_read.c and zc_exr_decode.cpp, zc_astc.c). assimp, meshoptimizer, libwebp's
 * decoder and libcurl it builds from Debian's source packages.
 * This file stands in for their entry points, so the texture reader and the table of
 * pixel formats keep their rows: a file that needs one of them fails by itself,
 * naming the file (the build prefixes every importer error with the file's path),
 * saying what is missing and what to do; with --keep-going the rest of the tree is
 * packed. An ASTC format stops the build (see zc__no_astc).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zc_exit.h"
#include "zc_texture_pixels.h"

/* EXR sources are recognised by their magic as on Linux (zc_exr_is), then refused. */

static zc_result zc__no_codec(const char *what, const char *library, zc_diag *diag) {
    return zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC,
                   "%s images are not decoded by this zcpack.exe (%s is not built for Windows); convert the file to "
                   "PNG (or .hdr for HDR), or build the pack on Linux",
                   what, library);
}

/* The probe and the decoder of one format, both refusing it. */
#define ZC__NO_CODEC(name, what, library)                                                                          \
    zc_result zc_##name##_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels,     \
                                zc_diag *diag) {                                                                    \
        (void)bytes, (void)size, (void)cap, (void)w, (void)h, (void)channels;                                      \
        return zc__no_codec(what, library, diag);                                                                  \
    }                                                                                                              \
    zc_result zc_##name##_decode(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag) { \
        (void)bytes, (void)size, (void)w, (void)h, (void)out;                                                      \
        return zc__no_codec(what, library, diag);                                                                  \
    }

ZC__NO_CODEC(exr, "EXR", "OpenEXR")

/* ASTC: the pixel-format rows call their encoder and decoder with no way to report a
 * failure, so reaching one ends the process with the import error's exit code rather
 * than leave zeroed blocks in a pack. */
static void zc__no_astc(void) {
    static const char message[] = "zcpack: ASTC texture formats are not built into this zcpack.exe (libastcenc is not "
                                  "built for Windows); choose another format (a BC or uncompressed one), or build "
                                  "the pack on Linux\n";
    fwrite(message, 1, sizeof message - 1, stderr);
    fflush(stderr);
    _exit(ZC_EXIT_IMPORT);
}

#define ZC__NO_ASTC_ROW(n)                                                                                       \
    void zc__encode_astc##n(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);                            \
    void zc__encode_astc##n(const zc_texels *img, uint8_t *dst, uint32_t row_pitch) {                           \
        (void)img, (void)dst, (void)row_pitch;                                                                   \
        zc__no_astc();                                                                                           \
    }                                                                                                            \
    void zc__encode_astc##n##_srgb(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);                     \
    void zc__encode_astc##n##_srgb(const zc_texels *img, uint8_t *dst, uint32_t row_pitch) {                    \
        (void)img, (void)dst, (void)row_pitch;                                                                   \
        zc__no_astc();                                                                                           \
    }                                                                                                            \
    void zc__encode_astc##n##_hdr(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);                      \
    void zc__encode_astc##n##_hdr(const zc_texels *img, uint8_t *dst, uint32_t row_pitch) {                     \
        (void)img, (void)dst, (void)row_pitch;                                                                   \
        zc__no_astc();                                                                                           \
    }                                                                                                            \
    void zc__decode_astc##n(const uint8_t *block, uint8_t *rgba);                                               \
    void zc__decode_astc##n(const uint8_t *block, uint8_t *rgba) {                                              \
        (void)block, (void)rgba;                                                                                 \
        zc__no_astc();                                                                                           \
    }                                                                                                            \
    void zc__decode_astc##n##_srgb(const uint8_t *block, uint8_t *rgba);                                        \
    void zc__decode_astc##n##_srgb(const uint8_t *block, uint8_t *rgba) {                                       \
        (void)block, (void)rgba;                                                                                 \
        zc__no_astc();                                                                                           \
    }                                                                                                            \
    void zc__decode_astc##n##_hdr(const uint8_t *block, uint8_t *rgba);                                         \
    void zc__decode_astc##n##_hdr(const uint8_t *block, uint8_t *rgba) {                                        \
        (void)block, (void)rgba;                                                                                 \
        zc__no_astc();                                                                                           \
    }

ZC__NO_ASTC_ROW(4)
ZC__NO_ASTC_ROW(6)
ZC__NO_ASTC_ROW(8)

void zc_astc_decode_hdr(const uint8_t block[16], unsigned block_size, float *rgba) {
    (void)block, (void)block_size, (void)rgba;
    zc__no_astc();
}
