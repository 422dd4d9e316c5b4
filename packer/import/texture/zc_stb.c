/* zc_stb.c - the one translation unit of the packer library that compiles the stb
 * libraries (Debian's libstb-dev headers): stb_image (decode), stb_image_resize v1
 * (mip filtering), stb_image_write (PNG output of `zcpack extract`) and stb_dxt
 * (BC1/BC3/BC4/BC5 encoding). Everything linking libzcpacker (the CLI, the tests,
 * the benchmarks) gets their functions from here and must not compile them again.
 *
 * Configuration, chosen for a packer that decodes untrusted files on a thread pool:
 *  - stb_image keeps its failure reason in thread-local storage (C11 _Thread_local),
 *    so stbi_failure_reason() answers for the calling thread's last decode. The
 *    build fails here if the header did not enable that. Its process-wide setters
 *    (stbi_set_flip_vertically_on_load, stbi_set_unpremultiply_on_load, ...) must
 *    never be called in the packer; only their _thread variants would be safe.
 *  - STBI_FAILURE_USERMSG: failure reasons are sentences ("Corrupt PNG").
 *  - stb_image allocates zeroed memory: a damaged JPEG can make it read Huffman
 *    and coefficient buffers it never wrote, and those reads then see zeros.
 *  - a failed stb_image allocation sets zc__stbi_out_of_memory for the thread: stb
 *    does not always say so (its zlib decoder returns NULL and leaves the previous
 *    failure reason in place), and the importer must not call that a damaged file.
 *  - PNM and PIC decoders are left out: no importer claims those files, and a file
 *    named *.png that holds one of them is refused instead of decoded. The PSD
 *    decoder stays compiled as the tests' reference only: the importer hands every
 *    Photoshop file to zc_psd_read.c before stb_image sees it.
 *  - stb_image_resize, stb_image_write and stb_dxt keep no mutable global state on
 *    the paths the packer uses (stb_dxt >= 1.11 has static tables only), so they are
 *    safe from several threads at once.
 *
 * The stb code is compiled with its own warnings silenced, so the tree builds
 * warning-free with -Wall -Wextra; nothing else is silenced.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zc_texture_pixels.h"

_Thread_local int zc__stbi_out_of_memory;

/* stb_image's allocations, zeroed (see above), noting a failure for the calling
 * thread (zc_texture_pixels.h). */
static void *zc__stbi_calloc(size_t size) {
    void *p = calloc(1, size);
    if (!p) zc__stbi_out_of_memory = 1;
    return p;
}

static void *zc__stbi_realloc(void *p, size_t size) {
    void *q = realloc(p, size);
    if (!q && size) zc__stbi_out_of_memory = 1;
    return q;
}

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wtype-limits"
#pragma GCC diagnostic ignored "-Wshift-negative-value"
#pragma GCC diagnostic ignored "-Wmisleading-indentation"
#if __GNUC__ >= 12
#pragma GCC diagnostic ignored "-Wuse-after-free" /* stb reads a block's old pointer after a failed realloc */
#endif
#endif

/* Defined inside the silenced region: a warning about stb's code is reported at the
 * line of the macro it expands. */
#define STBI_FAILURE_USERMSG
#define STBI_MALLOC(size) zc__stbi_calloc(size)
#define STBI_REALLOC(p, size) zc__stbi_realloc((p), (size))
#define STBI_FREE(p) free(p)
#define STBI_NO_PNM
#define STBI_NO_PIC
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_DXT_IMPLEMENTATION


#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>
#include <stb/stb_image_write.h>
#include <stb/stb_dxt.h>

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#ifndef STBI_THREAD_LOCAL
#error "stb_image must keep its failure reason per thread (STBI_THREAD_LOCAL)"
#endif
