/* zc_model_assimp.c - the assimp function table (zc_model_assimp.h): filled from
 * libassimp.so.5 with dlopen on first use on Linux, from the static library in
 * zcpack.exe.
 */
#include <pthread.h>
#include <stddef.h>

#include "zc_dl.h"
#include "zc_model_assimp.h"

#define ZC__LIBASSIMP "libassimp.so.5" /* the soname of assimp 5's ABI */

/* Every call of the table: its field is the function's name without "ai". */
#define ZC__ASSIMP_CALLS(X)                                                                                        \
    X(ImportFileExWithProperties) X(ApplyPostProcessing) X(ReleaseImport) X(GetErrorString)                       \
    X(CreatePropertyStore) X(ReleasePropertyStore) X(SetImportPropertyInteger) X(DecomposeMatrix)                 \
    X(GetMaterialFloatArray) X(GetMaterialIntegerArray) X(GetMaterialColor) X(GetMaterialString)                  \
    X(GetMaterialTextureCount) X(GetMaterialTexture)

/* Each field has the type of assimp's own declaration (checked without referring to
 * the function, so the program does not link libassimp). */
#if defined(__GNUC__)
#define ZC__SAME_TYPE(name)                                                                                        \
    _Static_assert(__builtin_types_compatible_p(__typeof__(&ai##name), __typeof__(((zc__assimp_calls *)0)->name)), \
                   "zc__assimp_calls." #name " differs from assimp's ai" #name);
ZC__ASSIMP_CALLS(ZC__SAME_TYPE)
#endif

zc__assimp_calls zc__assimp;

static pthread_once_t zc__assimp_once = PTHREAD_ONCE_INIT;
static char zc__assimp_error[256]; /* empty when the table is filled */

#ifdef _WIN32
static void zc__assimp_fill(void) {
#define ZC__BIND(name) zc__assimp.name = ai##name;
    ZC__ASSIMP_CALLS(ZC__BIND)
#undef ZC__BIND
}
#else
static void zc__assimp_fill(void) {
#define ZC__ROW(name) { "ai" #name, offsetof(zc__assimp_calls, name) },
    static const zc__dl_symbol symbols[] = { ZC__ASSIMP_CALLS(ZC__ROW) };
#undef ZC__ROW
    zc__dl_fill(ZC__LIBASSIMP, symbols, sizeof symbols / sizeof *symbols, &zc__assimp, zc__assimp_error,
               sizeof zc__assimp_error);
}
#endif

zc_result zc__assimp_load(zc_diag *diag) {
    pthread_once(&zc__assimp_once, zc__assimp_fill);
    if (!zc__assimp_error[0]) return ZC_OK;
    return zc_fail(diag, ZC_ERR_IO, "models cannot be imported: %s (install Debian's libassimp5)",
                   zc__assimp_error);
}
