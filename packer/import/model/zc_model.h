/* zc_model.h - 3D models (glTF 2.0/GLB, OBJ, FBX, COLLADA, MD3, PLY, STL and the other
 * formats assimp reads) turned into pack entries: one scene, its meshes, its materials
 * and the textures those materials reference.
 *
 *     zc_model model;
 *     zc_diag diag = { 0 };
 *     if (zc_model_import_file("assets/duck.gltf", "duck.gltf", NULL, &model, &diag) != ZC_OK)
 *         fprintf(stderr, "duck.gltf: %s\n", diag.message);
 *     for (size_t i = 0; i < model.entry_count; ++i)
 *         ... model.entries[i].path, .payload, .size ...
 *     zc_model_free(&model);
 *
 * Entries of a model imported as entry path P (every id is zc_asset_id of a path):
 *   P                  scene: the node hierarchy; its mesh instances name P#mesh/<i>
 *   P#mesh/<i>         mesh i of the source (assimp's order); submeshes name
 *                      P#material/<m>
 *   P#material/<m>     material m; its texture slots name P#texture/<t>
 *   P#texture/<t>      texture t: an image the materials reference, external (found
 *                      from the model's directory or the asset root, by the rules at
 *                      the top of zc_model_texture.c) or embedded (GLB, FBX),
 *                      imported through the texture pipeline with the slot's colour
 *                      space (sRGB for base colour and emissive, linear otherwise,
 *                      normal-map settings for the normal slot)
 *   P#skeleton/0       the skeleton (models with bones or animations): the nodes that
 *                      skin a mesh or that a clip moves, with their ancestors, parents
 *                      first; a skinned mesh's JOINTS0 indexes it and its dependencies
 *                      end with it; each vertex keeps its four strongest weights,
 *                      normalised to sum 1
 *   P#animation/<a>    clip a of the source over that skeleton (its one dependency);
 *                      a clip's morph weight keys become a weights channel of the
 *                      joint of the node holding the morphed mesh
 *   P#morph/<i>        the morph targets of mesh i, when it has any (formats/zc_morph.h):
 *                      position and normal offsets in the mesh entry's vertex order;
 *                      an MD2 or MD3 file's frames are read as targets of its meshes,
 *                      with one clip per frame-name prefix (zc_model_vertex_frames.c)
 * A BVH file (motion only) gives P, P#skeleton/0 and P#animation/0: the mesh assimp
 * draws of its bones is left out. An IQM file's joints, blend weights and animations
 * are read here (zc_model_iqm.c), since assimp reads its meshes only.
 * Entries come sorted by path; each lists the ids it references as dependencies.
 * A '#' never appears in a path the directory scan produces from a file that is not
 * a model, so these paths cannot collide with other files of the tree... except a
 * file literally named "duck.gltf#mesh/0", which the build reports as a duplicate.
 *
 * Pipeline, one pass per function (zc_model_*.c): assimp import with the post-process
 * steps of zc_model_assimp_flags; conversion of each aiMesh to float streams;
 * meshoptimizer in its recommended order (indexing/deduplication, vertex cache,
 * overdraw, vertex fetch); optional quantisation and meshlets; encoding to the
 * archived layouts of formats/zc_mesh.h, zc_material.h, zc_scene.h.
 *
 * Vertex formats written (SPEC.md, "Mesh"): stream 0 holds POSITION, stream 1 the rest.
 *   default:   POSITION FLOAT32x3, NORMAL FLOAT32x3, TANGENT FLOAT32x4,
 *              TEXCOORD0/1 FLOAT32x2, COLOR0 UNORM8x4
 *   quantize:  POSITION UNORM16x4 (relative to the bounds, w = 0), NORMAL SNORM8x4
 *              (w = 0), TANGENT SNORM8x4 (w = handedness), TEXCOORD0/1 FLOAT16x2,
 *              COLOR0 UNORM8x4
 *
 * Isolation: assimp 5.2.5 crashes on some real models and may loop forever on others.
 * Unless settings->in_process is set, the whole import runs in a worker process
 * (on Linux a pool's workers are started by its worker server, the running program
 * executed again, so that they share no memory with the caller, and a worker for one
 * import is forked, except under AddressSanitizer, see zc_model_isolate.c; on Windows the running program started
 * again in a job object, see zc_model_isolate_win32.c), one of a pool
 * (zc_model_pool, settings->pool) or one started for the import alone, with a
 * time limit and, outside sanitizer builds, a 4 GiB memory cap; the parent receives
 * the finished entries through a pipe, checks every payload with its type's
 * structural validator, and turns a crash, a hang or a malformed reply into an error
 * naming the problem ("the model importer crashed (signal 11, Segmentation fault)",
 * "... (exception 0xC0000005, access violation)", "... took longer than 60 s").
 *
 * Threads: any number of imports may run at once on different threads.
 */
#ifndef ZC_MODEL_H
#define ZC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "zc_import_texture.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZC_MODEL_DEFAULT_TIMEOUT_MS 60000u

typedef struct zc_model_settings {
    int quantize;               /* default: 0 = float streams; 1 = the quantised formats above */
    int meshlets;               /* default: 0; 1 = meshlets (64 vertices, 124 triangles) per submesh */
    int generate_normals;       /* default: 0 = keep the source's, generating smooth normals
                                   only for meshes that have none; 1 = always regenerate */
    int generate_tangents;      /* default: 0 = none; 1 = tangents for meshes with normals and UVs */
    int flip_uvs;               /* default: 0 = texcoords with v = 0 at the texture's first
                                   stored (top) row, as glTF and every GPU API read them;
                                   1 = flip v once more, for sources authored upside down */
    float scale;                /* default: 0 = 1; uniform scale applied to the whole model */
    uint32_t timeout_ms;        /* default: 0 = ZC_MODEL_DEFAULT_TIMEOUT_MS for the isolated import */
    int in_process;             /* default: 0 = isolated child process; 1 = in this process
                                   (a crash inside assimp then takes the process down) */
    zc_texture_settings texture;/* default: zeros; base for the referenced textures (the slot
                                   decides colour space and normal-map handling) */
    uint64_t source_dev;        /* default: 0 with source_ino 0 = any file; else the device and */
    uint64_t source_ino;        /* inode the model file must still have each time the import
                                   (in its worker) opens it: a file swapped since the caller
                                   looked fails with "replaced by another file" */
    struct zc_model_pool *pool; /* default: NULL = a worker process started for this import
                                   alone; else the pool whose workers import it (see below) */
    int follow_links;           /* default: 0 = every file the import reads lies below the
                                   asset root once links are resolved; 1 (a build that
                                   follows links) = or below the root by its path with "."
                                   and ".." folded by name (reached through links of the
                                   tree), or, when the model (root/<entry path>) is itself
                                   a link, below its target's folder */
} zc_model_settings;

/* A pool of model import workers: long-lived isolated processes that each import
 * many models one after the other (see "Isolation" above), so an import does not pay
 * for starting a process and assimp. Workers start when an import finds none idle, at
 * most max_workers of them; a crash, a time-out or a failed import ends that worker
 * only (the next import gets a new one); they exit when the pool is destroyed, and
 * with the process that made them when it dies (the parent death signal, and the end
 * of their request socket). On Linux the first worker also starts the pool's worker
 * server (one more process, named zc-model-server; the workers are zc-model-worker)
 * when this code is part of the main program; otherwise workers are forked from the
 * caller. A build makes one per build, sized by its thread count, unless it is given
 * one (zc_build_desc.model_pool: zcpack watch keeps one for all its builds).
 * Threads: imports on any number of threads may share a pool. */
typedef struct zc_model_pool zc_model_pool;

/* A pool of at most max_workers workers (0: 1), none started yet. ZC_OK and *out, or
 * ZC_ERR_OUT_OF_MEMORY, ZC_ERR_INVALID_ARGUMENT (out NULL). */
zc_result zc_model_pool_create(zc_model_pool **out, uint32_t max_workers);

/* End and reap every worker and free the pool. No import may be using it. NULL is a
 * no-op. */
void zc_model_pool_destroy(zc_model_pool *pool);

/* Workers the pool has started so far (a replaced worker counts again); 0 for NULL. */
uint32_t zc_model_pool_started(zc_model_pool *pool);

/* One entry of an imported model. */
typedef struct zc_model_entry {
    char *path;                 /* full entry path, malloc'd */
    uint32_t type;              /* FourCC type tag (ZC_TYPE_MESH, ...) */
    uint32_t layout_hash;
    uint32_t align_log2;        /* as zc_writer_begin_entry takes it */
    void *payload;              /* entry bytes, malloc'd, 16-byte aligned */
    size_t size;
    uint64_t *deps;             /* asset ids the entry references, malloc'd; NULL when none */
    uint32_t dep_count;
} zc_model_entry;

typedef struct zc_model {
    zc_model_entry *entries;    /* sorted by path */
    size_t entry_count;
    uint32_t mesh_count, material_count, texture_count, node_count;
    uint64_t triangle_count, vertex_count; /* summed over the meshes */
    char *notes;                /* NULL, or warnings one per line ("texture wood.png
                                   (material 2) not found: slot left empty"), malloc'd */
    char *reads;                /* NULL, or the files the import opened besides the model
                                   file (through assimp's file system, or as a texture), as
                                   resolved absolute paths, sorted bytewise, each once,
                                   '\n'-separated (no trailing newline), malloc'd */
} zc_model;

/* Import a model file. entry_path names the scene entry (see above; must pass
 * zc_check_path). The asset root is file_path without its trailing "/entry_path" (the
 * build passes root/rel), else the model's directory: every file the import opens
 * (through assimp's file system or as a texture) must resolve, symlinks and ".."
 * included, to a regular file below it, or the import fails naming the reference. On ZC_OK *out holds every entry; on error *out is empty and diag says
 * why without repeating the file path. Errors: ZC_ERR_FILE_NOT_FOUND, ZC_ERR_IO,
 * ZC_ERR_BAD_SOURCE (assimp refused the file, or the importer crashed or timed out, or
 * the model references a file outside the asset root), ZC_ERR_UNSUPPORTED_CODEC (it
 * holds no triangles, cameras or lights: lines or points only; the build packs such a
 * file as a blob),
 * ZC_ERR_LIMIT (a count beyond a format limit),
 * ZC_ERR_OUT_OF_MEMORY, ZC_ERR_INVALID_ARGUMENT. Untrusted input: safe when isolated. */
zc_result zc_model_import_file(const char *file_path, const char *entry_path, const zc_model_settings *settings,
                               zc_model *out, zc_diag *diag);

/* zc_model_import_file with the asset root given: every file the import opens must
 * lie below `root` ("/": anywhere, for a lone file outside any tree); NULL: derived as
 * zc_model_import_file says. */
zc_result zc_model_import_file_under(const char *root, const char *file_path, const char *entry_path,
                                     const zc_model_settings *settings, zc_model *out, zc_diag *diag);

/* Internal: 1 in a model worker process (zc__model_worker_serve sets it), where an
 * importer crash costs that worker only; steps of assimp whose failure path can crash
 * the process run there alone (zc_model.c, the second read of a model). */
extern int zc__model_in_worker;

/* The same import, always in the calling process (the isolated import's child runs
 * this). Not safe on untrusted input: assimp may crash or hang. */
zc_result zc_model_import_in_process(const char *file_path, const char *entry_path,
                                     const zc_model_settings *settings, zc_model *out, zc_diag *diag);
zc_result zc_model_import_in_process_under(const char *root, const char *file_path, const char *entry_path,
                                           const zc_model_settings *settings, zc_model *out, zc_diag *diag);

/* The entry with this path, NULL when the model has none. O(log n). */
const zc_model_entry *zc_model_find(const zc_model *model, const char *path);

/* The entry with this asset id, NULL when none. O(n). */
const zc_model_entry *zc_model_find_id(const zc_model *model, uint64_t id);

/* Free every entry and note and zero the model. NULL and a zeroed model are no-ops. */
void zc_model_free(zc_model *model);

/* The aiPostProcessSteps flags the import passes to assimp for these settings, so a
 * test can load the same file through assimp alone and compare. */
unsigned zc_model_assimp_flags(const zc_model_settings *settings);

/* File extensions (lowercase, without the dot, NULL-terminated) the model importer
 * claims: those of assimp's importers that the packer enables. */
extern const char *const zc_model_extensions[];

#ifdef __cplusplus
}
#endif

#endif /* ZC_MODEL_H */
