/* viewer.h - the parts of the viewer sample: sources (where views come from) and the
 * scene renderer that draws through a source.
 *
 * A source turns an asset id into a view. The drawing code (viewer_scene.c) sees
 * nothing else, so a scene read from a pack and the same model imported in memory by
 * the packer library go through the same code:
 *   pack source    zc_pack_resolve + zc_*_view_from_entry: pointers into the mapping
 *   import source  the entries of zc_model_import_file: zc_model_find_id + views over
 *                  the in-memory payloads
 *
 * Views a source returns stay valid until the source is closed. One thread.
 */
#ifndef VIEWER_H
#define VIEWER_H

#include <stdint.h>

#include "viewer_raster.h"
#include "zc_pack.h"

typedef struct viewer_source {
    const char *name;           /* pack or model file, for messages */
    void *self;
    /* The scene entry `path` (NULL: the first scene entry by path). On ZC_OK fills
     * *out and *out_path (the entry's path, valid as long as the source). On error
     * writes a sentence to `why`. */
    zc_result (*scene)(void *self, const char *path, zc_scene_view *out, const char **out_path, char *why,
                       size_t why_size);
    zc_result (*mesh)(void *self, uint64_t id, zc_mesh_view *out);
    zc_result (*material)(void *self, uint64_t id, zc_material_view *out);
    zc_result (*texture)(void *self, uint64_t id, zc_texture_view *out);
    /* The skeleton a skinned mesh names (its dependency of type skeleton) and the
     * first clip over that skeleton by path (*clip zeroed when none). ZC_ERR_NO_ENTRY
     * when the mesh names no skeleton. */
    zc_result (*skin)(void *self, uint64_t mesh, zc_skeleton_view *skeleton, zc_animation_view *clip);
    /* The morph targets of a mesh (the morph entry whose mesh it is), the skeleton whose
     * clips animate their weights (the mesh's own when it is skinned, else the first
     * skeleton of its model) and that skeleton's first clip by path (*skeleton and
     * *clip zeroed when there are none). ZC_ERR_NO_ENTRY when the mesh has no morph
     * targets. */
    zc_result (*morph)(void *self, uint64_t mesh, zc_morph_view *morph, zc_skeleton_view *skeleton,
                       zc_animation_view *clip);
    void (*close)(void *self);
} viewer_source;

/* Open a pack as a source. 0 on success; -1 with a sentence in `why`. */
int viewer_source_open_pack(viewer_source *source, const char *pack_path, char *why, size_t why_size);

/* Import a model file through the packer library (isolated in a child process) as a
 * source. 0 on success; -1 with a sentence in `why`. */
int viewer_source_import(viewer_source *source, const char *model_path, char *why, size_t why_size);

/* Close a source (NULL-safe, once). */
void viewer_source_close(viewer_source *source);

/* What a render did, for the summary line. */
typedef struct viewer_stats {
    uint32_t nodes;             /* nodes in the scene */
    uint32_t meshes_drawn;      /* mesh instances drawn */
    uint32_t skinned;           /* of them skinned by a skeleton */
    uint32_t morphed;           /* of them blended from morph targets (at the clip's weights
                                   at the time asked, else the default weights) */
    uint64_t triangles;         /* triangles submitted */
    uint64_t pixels;            /* pixels written */
    uint32_t textures;          /* distinct base colour textures decoded and sampled */
    uint32_t warnings;          /* references that could not be resolved, printed on stderr */
    int scene_camera;           /* 1: the scene's own camera; 0: a camera framing the bounds */
} viewer_stats;

/* The background colour the target is cleared to, as written to the PNG (sRGB). */
#define VIEWER_BACKGROUND_SRGB8 0x26, 0x2c, 0x38

/* Draw `scene` into `target` (already initialised), resolving everything through
 * `source`. Problems with single references (a missing mesh, a texture format this
 * viewer does not decode) are printed on stderr as warnings and skipped. Returns 0, or
 * -1 when out of memory. */
int viewer_render(const viewer_source *source, const zc_scene_view *scene, vr_target *target, viewer_stats *stats);

/* The same with skinned meshes posed, and the weights of morph targets taken, at
 * `time` seconds of their first clip (a negative time: the skeleton's rest pose and
 * the default weights). viewer_render draws them so. */
int viewer_render_at(const viewer_source *source, const zc_scene_view *scene, float time, vr_target *target,
                     viewer_stats *stats);

#endif /* VIEWER_H */
