/* zc_model_assimp.h - the assimp functions the model importer calls, through one
 * table (zc_model_assimp.c).
 *
 * On Linux, libassimp is loaded (dlopen of libassimp.so.5) the first time a model is
 * imported, not linked: it and the libraries it needs (libstdc++'s share of the work,
 * Draco, minizip) cost every process that maps them about 2 ms at start here, while
 * most zcpack runs (`ls`, `cat`, a build's main process, an `import` of an image or a
 * sound) import no model. zcpack.exe links its own static assimp.
 */
#ifndef ZC_MODEL_ASSIMP_H
#define ZC_MODEL_ASSIMP_H

#include <assimp/cfileio.h>
#include <assimp/cimport.h>
#include <assimp/material.h>
#include <assimp/scene.h>

#include "zc_types.h"

typedef struct zc__assimp_calls {
    const struct aiScene *(*ImportFileExWithProperties)(const char *file, unsigned int flags, struct aiFileIO *io,
                                                        const struct aiPropertyStore *props);
    const struct aiScene *(*ApplyPostProcessing)(const struct aiScene *scene, unsigned int flags);
    void (*ReleaseImport)(const struct aiScene *scene);
    const char *(*GetErrorString)(void);
    struct aiPropertyStore *(*CreatePropertyStore)(void);
    void (*ReleasePropertyStore)(struct aiPropertyStore *props);
    void (*SetImportPropertyInteger)(struct aiPropertyStore *props, const char *name, int value);
    void (*DecomposeMatrix)(const struct aiMatrix4x4 *m, struct aiVector3D *scaling, struct aiQuaternion *rotation,
                            struct aiVector3D *position);
    enum aiReturn (*GetMaterialFloatArray)(const struct aiMaterial *mat, const char *key, unsigned int type,
                                           unsigned int index, ai_real *out, unsigned int *max);
    enum aiReturn (*GetMaterialIntegerArray)(const struct aiMaterial *mat, const char *key, unsigned int type,
                                             unsigned int index, int *out, unsigned int *max);
    enum aiReturn (*GetMaterialColor)(const struct aiMaterial *mat, const char *key, unsigned int type,
                                      unsigned int index, struct aiColor4D *out);
    enum aiReturn (*GetMaterialString)(const struct aiMaterial *mat, const char *key, unsigned int type,
                                       unsigned int index, struct aiString *out);
    unsigned int (*GetMaterialTextureCount)(const struct aiMaterial *mat, enum aiTextureType type);
    enum aiReturn (*GetMaterialTexture)(const struct aiMaterial *mat, enum aiTextureType type, unsigned int index,
                                        struct aiString *path, enum aiTextureMapping *mapping, unsigned int *uvindex,
                                        ai_real *blend, enum aiTextureOp *op, enum aiTextureMapMode *mapmode,
                                        unsigned int *flags);
} zc__assimp_calls;

/* The table; its entries are valid once zc__assimp_load returned ZC_OK. */
extern zc__assimp_calls zc__assimp;

/* Load assimp once per process (later calls return the first call's result):
 * ZC_OK, or ZC_ERR_IO with the loader's reason when libassimp.so.5
 * cannot be loaded or lacks a function. Any thread. */
zc_result zc__assimp_load(zc_diag *diag);

#endif /* ZC_MODEL_ASSIMP_H */
