/* zc_model_internal.h - what the passes of the in-process model import share
 * (zc_model.c drives them; zc_model_mesh*.c, zc_model_material.c, zc_model_texture.c
 * and zc_model_scene.c each do one pass). Internal to the packer: zc__ prefix, no
 * stability promise.
 *
 * One zc__model_build lives for one import on one thread. Each pass reads the
 * assimp scene (trusted after assimp's own validation step, but every index this
 * code follows is still range-checked) and appends finished entries to the build.
 * Entries own their path, payload and dependency list from the moment they are
 * added; on any error the driver frees the whole build.
 */
#ifndef ZC_MODEL_INTERNAL_H
#define ZC_MODEL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h> /* memcpy */
#include <sys/types.h> /* ssize_t */

#include "zc_model.h"

#ifdef __cplusplus
extern "C" {
#endif

struct aiScene;
struct aiMesh;
struct aiNode;
struct aiString;

#define ZC__MODEL_MAX_NOTES 64u         /* note lines kept; later ones are counted only */
#define ZC__MODEL_MESHLET_VERTICES 64u  /* per meshlet, as zc_model.h documents */
#define ZC__MODEL_MESHLET_TRIANGLES 124u
#define ZC__MODEL_OVERDRAW_THRESHOLD 1.05f

/* One texture source a material slot asked for, and what became of it. */
typedef struct zc__model_texture_ref {
    char *key;                  /* identity: "file:<realpath>" or "embedded:<index>" */
    int srgb, normal_map;       /* the import variant */
    uint64_t id;                /* asset id of its P#texture/<t> entry; 0 when it failed */
} zc__model_texture_ref;

typedef struct zc__model_build zc__model_build;

/* malloc'd "dir/name" from dir's first dir_len bytes ("name" when dir_len is 0); NULL
 * when out of memory (zc_model_texture.c). */
char *zc__model_join(const char *dir, size_t dir_len, const char *name);

/* 1 when `path` resolves (symlinks and "..") to a file strictly below b->root_real
 * or b->link_folder, or, folded by name, lies below b->root_lexical;
 * the resolved path goes to resolved[PATH_MAX] when not NULL. */
int zc__model_inside_root(const zc__model_build *b, const char *path, char *resolved);

typedef struct zc__model_build {
    const char *file_path;      /* the model file, as given */
    const char *entry_path;     /* P */
    char *model_dir;            /* directory of file_path ("." when it has none), malloc'd */
    char *root_real;            /* the asset root, symlinks and ".." resolved, malloc'd: every
                                   file the import reads lies below it (zc__model_inside_root).
                                   The root is file_path without its trailing "/entry_path"
                                   (the build joins them so), else the model's directory, unless
                                   the caller gives it (zc_model_import_file_under) */
    char *source_real;          /* file_path, symlinks and ".." resolved, malloc'd; NULL when it
                                   cannot be resolved */
    char *link_folder;          /* settings.follow_links and the model file is a symbolic
                                   link: its target's folder, resolved, malloc'd; files
                                   below it count as inside the root too; else NULL */
    char *root_lexical;         /* settings.follow_links: the root made absolute, "." and ".."
                                   folded by name, links unresolved, malloc'd: a file whose
                                   path, folded so, lies below it is inside the root too (it
                                   is reached through links of the tree); NULL otherwise */
    char **reads;               /* resolved paths of the other files the import opened, in the
                                   order first opened, each once (zc__model_read) */
    size_t read_count, read_cap;
    char *outside_ref;          /* the first reference assimp tried to open outside the root
                                   (or through something not a regular file), malloc'd; NULL: none */
    int io_oom;                 /* an open of assimp's failed for want of memory */
    int source_swapped;         /* opening the model file failed: not the one expected
                                   (settings.source_*), a link, gone; why in source_problem */
    char source_problem[96];
    int is_obj, is_gltf;        /* from the file extension: decides the HEIGHT and UNKNOWN slots */
    int is_glb;                 /* from the file extension: binary glTF */
    int is_3mf;                 /* from the file extension: a 3MF package (a zip archive) */
    int is_md3;                 /* from the file extension: tag-only files and frames read here */
    int is_bvh;                 /* from the file extension: motion only, its meshes left out */
    int is_md2;                 /* from the file extension: frames read here (zc__model_vertex_frames) */
    int is_iqm;                 /* from the file extension: joints read here (zc__model_iqm_skin) */
    int frame_targets;          /* the scene's morph targets are whole frames (zc__model_vertex_frames) */
    int tags_only;              /* the scene has nodes and no meshes (a tag-only MD3) */
    zc_model_settings settings; /* defaults resolved: scale != 0 */

    zc_model_entry *entries;    /* in the order added; sorted by the driver at the end */
    size_t entry_count, entry_cap;

    uint8_t *mesh_kept;         /* per aiMesh: 1 when P#mesh/<i> exists */
    uint8_t *material_used;     /* per aiMaterial: 1 when a kept mesh uses it */
    uint32_t mesh_count, material_count, texture_count, node_count;
    uint64_t triangle_count, vertex_count;

    zc__model_texture_ref *textures; /* every distinct source+variant asked for */
    size_t texture_ref_count, texture_ref_cap;

    const struct aiNode **joint_nodes; /* the skeleton's joints, parents first (zc__model_skeleton) */
    uint32_t *joint_parents;    /* per joint: parent joint or ZC_JOINT_NONE */
    uint32_t joint_count;       /* 0: the model has no skeleton */
    uint64_t skeleton_id;       /* asset id of P#skeleton/0; 0 without a skeleton */

    char *notes;                /* lines, each ending in '\n' */
    size_t notes_len, notes_cap;
    uint32_t note_count;        /* notes reported, kept or not */
    int notes_failed;           /* an allocation for a note failed: notes are incomplete */
} zc__model_build;

/* Record that the import opened the file at `real` (a resolved path below the root):
 * it goes to the model's reads unless it is the model file itself or already there.
 * 1, or 0 when out of memory (the import must then fail: its reads would be short). */
int zc__model_read(zc__model_build *b, const char *real);

/* "P#<kind>/<index>" for this build, malloc'd; NULL when out of memory. */
char *zc__model_part_path(const zc__model_build *b, const char *kind, uint32_t index);

/* Asset id of "P#<kind>/<index>" (no allocation). */
uint64_t zc__model_part_id(const zc__model_build *b, const char *kind, uint32_t index);

/* Append an entry. Takes ownership of `path` and `payload` whatever the outcome (both
 * freed on failure); copies `deps`. ZC_OK or ZC_ERR_OUT_OF_MEMORY (with diag). */
zc_result zc__model_add_entry(zc__model_build *b, char *path, uint32_t type, uint32_t layout_hash,
                              uint32_t align_log2, void *payload, size_t size, const uint64_t *deps,
                              uint32_t dep_count, zc_diag *diag);

/* Add one note line (printf format, no trailing newline). Never fails: past
 * ZC__MODEL_MAX_NOTES lines, or when memory runs out, the note is only counted. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void zc__model_note(zc__model_build *b, const char *fmt, ...);

/* A zeroed buffer of `size` bytes (rounded up to 16 for the allocation), 16-byte
 * aligned, released with free(); NULL when out of memory or size is 0. */
void *zc__model_alloc_payload(size_t size);

/* Copy `length` bytes of `src` into `dst` as valid UTF-8 of at most `max` bytes: each
 * byte that does not start a well-formed sequence (or is NUL) becomes U+FFFD, and the
 * copy stops before a character that would pass `max`, so it never splits one. Writes
 * a NUL after the copy (dst holds max + 1 bytes) and returns the copy's length. Safe
 * on any bytes. */
size_t zc__model_utf8_copy(const char *src, size_t length, char *dst, size_t max);

/* A source name for a note: valid UTF-8 of at most ZC__MODEL_NOTE_NAME bytes (longer
 * names are cut), in name[ZC__MODEL_NOTE_NAME + 1]. Returns name. */
#define ZC__MODEL_NOTE_NAME 64u
const char *zc__model_note_name(const struct aiString *source, char *name);

/* The passes, in the order the driver runs them. Each returns ZC_OK or an error with
 * a sentence in diag. */

/* The skeleton P#skeleton/0 of the bones and animated nodes (zc_model_skeleton.c);
 * fills joint_nodes, joint_parents, joint_count and skeleton_id. Runs before the
 * meshes, whose JOINTS0 attributes index its joints. Nothing for a model with
 * neither bones nor animations. */
zc_result zc__model_skeleton(zc__model_build *b, const struct aiScene *scene, zc_diag *diag);

/* The joint of the node named `name`, -1 when the skeleton has none. */
int32_t zc__model_joint_of(const zc__model_build *b, const struct aiString *name);

/* Every aiAnimation becomes P#animation/<i> over the skeleton (zc_model_skeleton.c). */
zc_result zc__model_animations(zc__model_build *b, const struct aiScene *scene, zc_diag *diag);

/* Every aiMesh with triangles becomes P#mesh/<i> (zc_model_mesh.c); fills mesh_kept,
 * material_used and the mesh/triangle/vertex counts. */
zc_result zc__model_meshes(zc__model_build *b, const struct aiScene *scene, zc_diag *diag);

/* Every used aiMaterial becomes P#material/<m>, importing its textures
 * (zc_model_material.c). */
zc_result zc__model_materials(zc__model_build *b, const struct aiScene *scene, zc_diag *diag);

/* The texture a slot references: resolves `path` (as assimp gives it) to an external
 * file or an embedded texture, imports it once per source and variant as
 * P#texture/<t>, and returns its asset id; 0 (with a note naming `what`) when the
 * source is missing or fails to import. Errors: out of memory, and ZC_ERR_LIMIT for
 * an embedded image a limit refuses (zc_model_texture.c). */
zc_result zc__model_texture(zc__model_build *b, const struct aiScene *scene, const char *path, int srgb,
                            int normal_map, const char *what, uint64_t *out_id, zc_diag *diag);

/* A node's transform as translation (times `scale`), unit rotation quaternion (x, y,
 * z, w) and scale; 0 when it is not finite or cannot be decomposed (zc_model_scene.c). */
int zc__model_decompose(const struct aiNode *node, float scale, float translation[3], float rotation[4],
                        float out_scale[3]);

/* The node tree becomes the scene entry P (zc_model_scene.c). */
zc_result zc__model_scene(zc__model_build *b, const struct aiScene *scene, zc_diag *diag);

/* Open the model file (b->file_path) for reading: not through a symbolic link, a
 * regular file, and, when settings.source_dev/ino are set, that very file. The
 * descriptor (O_NONBLOCK set), or -1 with b->source_swapped set and diag naming why. */
int zc__model_open_source(zc__model_build *b, zc_diag *diag);

/* Read up to `size` bytes at `offset` of fd into buf (retrying short reads and EINTR):
 * the count read (less than size at the end of the file), -1 on error (errno set). */
ssize_t zc__model_pread(int fd, void *buf, size_t size, uint64_t offset);

/* The whole model file, opened as zc__model_open_source opens it, into *out (malloc'd,
 * *out_size bytes). ZC_ERR_LIMIT when it holds more than `max` bytes, ZC_ERR_IO (the
 * file cannot be opened or read, or shrank), ZC_ERR_OUT_OF_MEMORY; diag says why. */
zc_result zc__model_read_source(zc__model_build *b, uint64_t max, uint8_t **out, size_t *out_size, zc_diag *diag);

/* zc_model_md3_tags.c: an MD3 file with tags and no surfaces, which assimp refuses,
 * as a scene of a root node and one node per tag (frame 0) and no meshes, into *out
 * (released with zc__model_md3_tags_free). ZC_OK with *out NULL when the file is not
 * such an MD3 (assimp then reads it); ZC_ERR_BAD_SOURCE naming the problem when it is
 * one but its tags are damaged; ZC_ERR_IO when it cannot be read. Safe on untrusted
 * input. */
zc_result zc__model_md3_tags(zc__model_build *b, struct aiScene **out, zc_diag *diag);
void zc__model_md3_tags_free(struct aiScene *scene);

/* Little-endian fields of the formats read here byte by byte (MD2, MD3, IQM). */
static inline uint16_t zc__le_u16(const uint8_t *p) {
    return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t zc__le_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline float zc__le_f32(const uint8_t *p) {
    uint32_t u = zc__le_u32(p);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Read the model file (at most `max` bytes, through zc__model_read_source) and hand
 * its bytes to parse(data, size, out, diag), which must leave nothing to free when it
 * fails. ZC_OK with *parsed 1 when parse succeeds; ZC_OK with *parsed 0 when the file
 * is larger than max or parse refuses it (ZC_ERR_BAD_SOURCE, or ZC_ERR_LIMIT): a note
 * "<what> left out: <why>" is added. Other errors (ZC_ERR_IO, ZC_ERR_OUT_OF_MEMORY)
 * are returned with diag. */
typedef zc_result (*zc__model_parse_fn)(const uint8_t *data, size_t size, void *out, zc_diag *diag);
zc_result zc__model_parse_source(zc__model_build *b, uint64_t max, const char *what, zc__model_parse_fn parse,
                                 void *out, int *parsed, zc_diag *diag);

/* zc_model_vertex_frames.c: vertex animation stored as whole frames, as a format's
 * reader (MD2, MD3) finds it in the file. */
#define ZC__FRAMES_MAX_MESHES 32  /* meshes of one file (MD3's own limit of surfaces) */
typedef struct zc__frame_mesh {
    uint32_t vertex_count;      /* the file's vertices per frame */
    uint32_t triangle_count;
    uint32_t *corners;          /* triangle_count * 3 vertex indices, in file order, each < vertex_count */
    float *positions;           /* frame_count * vertex_count * 3, finite */
    float *normals;             /* frame_count * vertex_count * 3, unit; NULL when the format
                                   stores none that this reader decodes (computed from the
                                   frame's triangles then) */
} zc__frame_mesh;

/* A clip the model's files define apart from the frame names (animation.cfg). */
typedef struct zc__frame_clip {
    const char *name;           /* static */
    uint32_t first, count;      /* frames [first, first + count), inside frame_count */
    double frames_per_second;
} zc__frame_clip;

typedef struct zc__vertex_frames {
    const char *format;         /* "MD2", "MD3": names the frames in notes */
    double frames_per_second;   /* the rate clips are keyed at */
    zc__frame_clip *clips;      /* clip_count clips given apart from the names (NULL: none);
                                   when clip_count > 0 they replace the clips by name */
    uint32_t clip_count;
    uint32_t frames_in_file;    /* frames the file declares */
    uint32_t frame_count;       /* frames read: the first min(frames_in_file, ZC_MORPH_MAX_TARGETS) */
    char (*names)[17];          /* frame_count names, NUL-terminated (at most 16 bytes, any bytes) */
    zc__frame_mesh *meshes;     /* mesh_count, in file order */
    uint32_t mesh_count;        /* at most ZC__FRAMES_MAX_MESHES */
} zc__vertex_frames;

/* Set up *f for a reader: format, rate, frame_count from frames_in_file, zeroed names
 * and mesh_count zeroed meshes (mesh_count itself left 0 for the reader to count).
 * ZC_ERR_OUT_OF_MEMORY (f zeroed). */
zc_result zc__vertex_frames_init(zc__vertex_frames *f, const char *format, double frames_per_second,
                                 uint32_t frames_in_file, uint32_t mesh_count, zc_diag *diag);
void zc__vertex_frames_free(zc__vertex_frames *f);

/* Read the frames of the MD2 file in data[0, size) into *out (released with
 * zc__vertex_frames_free; zeroed on error): one mesh, no normals, 10 frames per
 * second. ZC_ERR_BAD_SOURCE naming the problem (not "IDP2" version 8, counts beyond
 * the format's limits, triangles or frames outside the bytes, a vertex index past the
 * vertices, a number that is not finite), ZC_ERR_OUT_OF_MEMORY. Safe on untrusted
 * input: every count and offset is checked against `size` before use. */
zc_result zc__md2_frames_read(const uint8_t *data, size_t size, zc__vertex_frames *out, zc_diag *diag);

/* Read the frames of the MD3 file in data[0, size) into *out (released with
 * zc__vertex_frames_free; zeroed on error): one mesh per surface that has vertices
 * and triangles, normals decoded, 15 frames per second. ZC_ERR_BAD_SOURCE naming the
 * problem (not "IDP3" version 15, counts beyond the format's limits, surfaces,
 * triangles or vertices outside the bytes, a surface whose frame count is not the
 * file's, a vertex index past the surface's vertices), ZC_ERR_OUT_OF_MEMORY. Safe on
 * untrusted input. */
zc_result zc__md3_frames_read(const uint8_t *data, size_t size, zc__vertex_frames *out, zc_diag *diag);

/* The structure of the MD3 file in data[0, size) that assimp's reader takes on trust:
 * counts within the format's limits, frames, tags, surfaces and each surface's
 * arrays inside the file, every name ended within its field, every triangle's
 * vertices inside its surface. Run before assimp reads the file, so a damaged file
 * fails with this sentence instead of crashing or exhausting the importer.
 * ZC_ERR_BAD_SOURCE naming the problem. Safe on untrusted input. */
zc_result zc__md3_check(const uint8_t *data, size_t size, zc_diag *diag);

/* The clips of a Quake III player part (lower.md3, upper.md3, any case, with or
 * without a level-of-detail suffix) from the animation.cfg beside it into f->clips
 * (zc_model_md3_animation.c), the file recorded among the import's reads. A part
 * without such a file, any other MD3 file, and a file that cannot be used (noted)
 * leave f as it is. ZC_ERR_OUT_OF_MEMORY, else ZC_OK. Safe on untrusted input. */
zc_result zc__md3_animation_cfg(zc__model_build *b, zc__vertex_frames *f);

/* assimp's scene of a file of frames (the first frame) with every frame added as a
 * morph target of each mesh and the frames grouped into clips of morph weight keys,
 * into *out (released with zc__model_vertex_frames_free, which leaves the parts
 * shared with `scene` alone). `read` (zc__md2_frames_read, zc__md3_frames_read, as a
 * zc__model_parse_fn writing a zc__vertex_frames) reads the file, at most max_file
 * bytes. ZC_OK with *out NULL when the file has one frame, or when its frames cannot
 * be read or do not line up with assimp's meshes (a note naming `format` says why;
 * the model then imports as assimp read it). Errors: ZC_ERR_IO when the file cannot
 * be read, ZC_ERR_OUT_OF_MEMORY. Safe on untrusted input. */
zc_result zc__model_vertex_frames(zc__model_build *b, const struct aiScene *scene, const char *format,
                                  uint64_t max_file, zc__model_parse_fn read, struct aiScene **out, zc_diag *diag);
void zc__model_vertex_frames_free(struct aiScene *scene, const struct aiScene *original);

/* The readers above as zc__model_parse_fn, with the largest file each reads. */
#define ZC__MD2_MAX_FILE (64u << 20)   /* larger than any file within the format's limits */
#define ZC__MD3_MAX_FILE (256u << 20)
zc_result zc__md2_frames_parse(const uint8_t *data, size_t size, void *out, zc_diag *diag);
zc_result zc__md3_frames_parse(const uint8_t *data, size_t size, void *out, zc_diag *diag);

/* zc_model_iqm.c: what an IQM file holds beyond assimp's meshes. */
typedef struct zc__iqm_joint {
    const char *name;           /* into zc__iqm.text, NUL-terminated */
    int32_t parent;             /* -1, or a joint before this one */
    float pose[10];             /* base pose: translation 3, rotation x y z w, scale 3 */
} zc__iqm_joint;

/* The joints that move one vertex: joint[k] < joint_count wherever weight[k] is not 0
 * (UINT32_MAX where the file's index names no joint); weights in [0, 1]. */
typedef struct zc__iqm_influence {
    uint32_t joint[4];
    float weight[4];
} zc__iqm_influence;

typedef struct zc__iqm {
    char *text;                 /* the file's text block, NUL added at text_size */
    uint32_t text_size;
    zc__iqm_joint *joints;
    uint32_t joint_count;       /* below ZC_SKELETON_MAX_JOINTS */
    struct { uint32_t first_vertex, vertex_count; } *meshes; /* inside vertex_count */
    uint32_t mesh_count;
    float *positions;           /* vertex_count * 3 */
    zc__iqm_influence *blend;   /* vertex_count; NULL when the file has no blend arrays */
    uint32_t vertex_count;
    struct { const char *name; uint32_t first, count; float rate; } *anims; /* frames inside
                                   frame_count; rate > 0 (25 when the file's is not) */
    uint32_t anim_count;
    float *poses;               /* frame_count * joint_count * 10, as joint poses; NULL when
                                   the file has no animations */
    uint32_t frame_count;
} zc__iqm;

/* Read the joints, meshes, positions, blend arrays, animations and decoded frame poses
 * of the IQM file in d[0, size) into *q (released with zc__iqm_free; zeroed on error).
 * ZC_ERR_BAD_SOURCE naming the problem ("IQM: ..."), ZC_ERR_OUT_OF_MEMORY. Safe on
 * untrusted input: every count, offset, index and name is checked against the bytes. */
zc_result zc__iqm_read(const uint8_t *d, size_t size, zc__iqm *q, zc_diag *diag);
void zc__iqm_free(zc__iqm *q);

/* zc_model_iqm.c: assimp's scene of an IQM file with the file's joints as nodes, its
 * blend weights as bones of the meshes and its animations as clips, into *out
 * (released with zc__model_iqm_skin_free; the parts it shares with `scene` are left
 * alone). ZC_OK with *out NULL when the file has no joints, or when they cannot be
 * read or assimp's meshes are not the file's (a note says why). Errors: ZC_ERR_IO,
 * ZC_ERR_OUT_OF_MEMORY. Safe on untrusted input. */
zc_result zc__model_iqm_skin(zc__model_build *b, const struct aiScene *scene, struct aiScene **out, zc_diag *diag);
void zc__model_iqm_skin_free(struct aiScene *scene);

/* zc_model_gltf_uris.c: refuse a glTF (.gltf, or .glb when b->is_glb) whose buffer or
 * image URIs are absolute paths or URIs of a scheme other than data: (ZC_ERR_BAD_SOURCE
 * naming the reference), or whose JSON cannot be parsed (ZC_ERR_BAD_SOURCE), before
 * assimp reads it. ZC_OK when a .glb does not start with a GLB header and JSON chunk
 * (assimp then refuses it). Safe on untrusted input. */
zc_result zc__model_gltf_uris(zc__model_build *b, zc_diag *diag);

/* ---------------------------------------------------------------------------------
 * Mesh data between the conversion (zc_model_mesh.c) and the encoder
 * (zc_model_mesh_encode.c)
 * ------------------------------------------------------------------------------- */

enum {
    ZC__MESH_HAS_NORMAL  = 1u << 0,
    ZC__MESH_HAS_TANGENT = 1u << 1,
    ZC__MESH_HAS_UV0     = 1u << 2,
    ZC__MESH_HAS_UV1     = 1u << 3,
    ZC__MESH_HAS_COLOR   = 1u << 4,
    ZC__MESH_HAS_SKIN    = 1u << 5, /* 4 joint indices (as floats), then 4 weights summing to 1 */
};

/* An optimised indexed triangle list with float attributes. */
typedef struct zc__mesh_data {
    uint32_t vertex_count, index_count;
    uint32_t has;               /* ZC__MESH_HAS_* */
    uint32_t attr_floats;       /* floats per vertex in `attrs` */
    uint32_t morph_targets;     /* morph targets, whose offsets are in `morph` */
    int morph_normals;
    int morph_frames;           /* the targets are whole frames: weights sum to at most 1 */
    float *morph_weights;       /* morph_targets default weights; NULL without targets */
    float *positions;           /* vertex_count * 3 */
    float *attrs;               /* vertex_count * attr_floats: normal 3, tangent 4, uv0 2, uv1 2, color 4,
                                   skin 8 (those present, in this order); NULL when
                                   attr_floats is 0 */
    float *morph;               /* target-major offsets, blocks of vertex_count * 3 floats:
                                   each target's positions, then, with morph_normals, each
                                   target's normals (the layout of a morph entry's arrays);
                                   NULL without targets */
    uint32_t *indices;          /* index_count */
    float aabb_min[3], aabb_max[3];
    float sphere_center[3], sphere_radius;
} zc__mesh_data;

/* zc_model_mesh.c: step 2's numbering of a mesh with morph targets, what
 * meshopt_generateVertexRemapMulti gives over the positions, the attribute rows and
 * every morph block: vertices numbered in the order m->indices first names them, a
 * vertex equal byte for byte to one numbered before takes its number, ~0u for
 * vertices no index names. Returns the count of distinct vertices, or SIZE_MAX when
 * out of memory. A hash of all of a vertex's bytes proposes the equal pairs and each
 * morph block confirms them in one ordered pass; should a pair differ (a hash
 * collision), or with `exact`, the candidates are compared byte for byte as they are
 * found. Trusted data (the importer's own). */
size_t zc__index_morph(unsigned *remap, const zc__mesh_data *m, int exact);

/* Float offset of an attribute in a vertex of `attrs`, for a `has` set. */
uint32_t zc__mesh_attr_offset(uint32_t has, uint32_t attribute);

/* Encode the mesh into a zc_mesh payload (one submesh naming `material_id`), in the
 * float or quantised formats of zc_model.h, with meshlets when asked, and check it
 * with zc_mesh_check. *out_payload is from zc__model_alloc_payload. */
zc_result zc__mesh_encode(const zc__mesh_data *m, int quantize, int meshlets, uint64_t material_id,
                          void **out_payload, size_t *out_size, zc_diag *diag);

#ifdef __cplusplus
}
#endif

#endif /* ZC_MODEL_INTERNAL_H */
