/* zc_manifest.h - zcpack.json: per-glob import settings for a directory build.
 *
 *     {
 *       "rules": [
 *         { "match": "textures*", "max_size": 2048 },
 *         { "match": "ui*.png", "format": "rgba8", "mips": false },
 *         { "match": "*_mask.png", "srgb": false },
 *         { "match": "models*.gltf", "quantize": true, "meshlets": true, "scale": 0.01 }
 *       ]
 *     }
 *
 * A build reads the manifest from the file `zcpack.json` at the root of its input
 * directory (which is then not packed). Each rule has a `match` glob, compared with
 * fnmatch(3) against the entry path (`textures/ui/button.png`) without FNM_PATHNAME,
 * so `*` and `?` also match '/' ("textures*" covers every file below textures/), and
 * case-sensitively; packer/cli/zcpack.md has more examples. Every rule that matches a file
 * applies, in order, field by field: a later rule overrides only the fields it sets.
 *
 * Rule fields (all but `match` optional). `match`, `exclude`, `importer` and `compress`
 * are the manifest's own;
 * every other key comes from the importer rows (zc_importer.keys, zc_importers.c), which
 * say how each is read and where it is stored; the keys today:
 *   match            string, the glob (required, non-empty)
 *   exclude          boolean: true leaves the file out of the pack (it is not read)
 *   importer         "texture", "model", "schema" or "blob": the importer of the file,
 *                    whatever its name ("blob" packs a .png or a .x as its bytes)
 *   schema           string: a .zcs file relative to the tree's root; the file is a
 *                    JSON document of its root type (SPEC.md 16.11). Setting it or
 *                    "type" chooses the schema importer (ZC_IMPORTER_CHOSEN_BY_KEYS)
 *   type             string: the schema's root struct the documents hold
 *   alignment        integer, a power of two in [16, 65536]: a blob's payload
 *                    alignment in bytes (default 16)
 *   profile          "desktop" or "mobile": what "auto" picks (BCn, or ASTC)
 *   format           "auto", "rgba8", "r8", "rg8", "rgba16f", "rgba32f", "bc1", "bc3",
 *                    "bc4", "bc5", "bc7", "astc4x4", "astc6x6", "astc8x8",
 *                    "astc4x4hdr", "astc6x6hdr", "astc8x8hdr", "bc6h"
 *   srgb             boolean
 *   normal_map       boolean
 *   mips             boolean
 *   cutout           boolean
 *   max_size         integer in [0, 65536]; 0 keeps the source size
 *   cubemap          boolean: an equirectangular panorama made into a cube map
 *   cubemap_faces    boolean: files named <stem>_px.<ext> ... <stem>_nz.<ext> (or _posx
 *                    ... _negz) are the six faces of one cube map, the entry of the +X
 *                    file; the other five give no entries of their own
 *   array_folder     boolean: the file and the other files of its folder with its
 *                    extension are the layers of one texture array, in name order, the
 *                    entry of the first; the others give no entries of their own
 *   layers           integer in [1, 2048]: a vertical strip made into array layers
 *   row_pitch_align  integer, a power of two in [1, 4096]
 *   quantize         boolean (models)
 *   meshlets         boolean (models)
 *   generate_normals boolean (models)
 *   generate_tangents boolean (models)
 *   flip_uvs         boolean (models)
 *   scale            number > 0 (at most 1e30) (models)
 *   compress         boolean: true stores every entry of the file zstd-compressed when
 *                    that saves enough (textures and meshes included, which a build
 *                    otherwise keeps raw for use in place); false keeps them all raw
 * The texture fields mean what zc_texture_settings' do (zc_import_texture.h); on a
 * model file they set the base of the textures the model references (whose slot still
 * decides srgb and normal_map). The model fields mean what zc_model_settings' do
 * (zc_model.h); on other files they have no effect. `compress` applies to every entry
 * a file gives (a model's meshes, materials and textures too: zc_manifest_compression
 * is asked with the file's own path). The top level is an object whose
 * only key is "rules" (an array, may be empty or absent). Unknown keys, repeated keys
 * and values of the wrong type or range are errors. A key that several rows list (the
 * texture keys: the texture and the model row) is stored into each of them.
 *
 * Threads: a parsed manifest is immutable; zc_manifest_apply is safe from any thread.
 */
#ifndef ZC_MANIFEST_H
#define ZC_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "zc_importer.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZC_MANIFEST_NAME "zcpack.json"
#define ZC_MANIFEST_MAX_SIZE (16u << 20) /* bytes; larger manifests are refused */

typedef struct zc_manifest zc_manifest;

/* Parse manifest text (`size` bytes, no NUL needed). On success *out holds a new
 * manifest; on error *out is NULL and diag (may be NULL) names the problem and, for a
 * rule, its index from 0: "rule 2: \"max_size\" must be an integer in [0, 65536]",
 * "not valid JSON (line 3, column 14)". The sentence does not name the file; callers
 * prefix it. Errors: ZC_ERR_INVALID_ARGUMENT (NULL arguments, malformed manifest),
 * ZC_ERR_LIMIT (larger than ZC_MANIFEST_MAX_SIZE), ZC_ERR_OUT_OF_MEMORY. Untrusted. */
zc_result zc_manifest_parse(const char *text, size_t size, zc_manifest **out, zc_diag *diag);

/* Read and parse a manifest file. Adds ZC_ERR_FILE_NOT_FOUND and ZC_ERR_IO. Untrusted. */
zc_result zc_manifest_load(const char *file_path, zc_manifest **out, zc_diag *diag);

/* Apply every rule whose glob matches entry_path, in order, onto *settings (fields a
 * rule does not set are left as they are). NULL manifest: no change. */
void zc_manifest_apply(const zc_manifest *manifest, const char *entry_path, zc_import_settings *settings);

/* The "compress" setting of the rules that match the file `source_path`, the last one
 * that sets it winning: ZC_SWITCH_ON, ZC_SWITCH_OFF, or ZC_SWITCH_AUTO when no matching
 * rule sets it (and for a NULL manifest). */
zc_switch zc_manifest_compression(const zc_manifest *manifest, const char *source_path);

/* The rule (from 1) that leaves the file `source_path` out: the last matching rule
 * that sets "exclude", when it sets it to true; else 0 (also for a NULL manifest). */
uint32_t zc_manifest_excludes(const zc_manifest *manifest, const char *source_path);

/* The group of files the file `source_path` makes one texture with, when its importer
 * is the texture importer: CUBE when the rules that match it set "cubemap_faces" and
 * its name has a face suffix (zc_texture_cube_face), else ARRAY when they set
 * "array_folder", else NONE (also for a NULL manifest). The first file of a group (the
 * +X face, the first layer by name) reads the others, which give no entries of their
 * own when it is in the tree. */
typedef enum zc_texture_group {
    ZC_TEXTURE_GROUP_NONE = 0,
    ZC_TEXTURE_GROUP_CUBE,
    ZC_TEXTURE_GROUP_ARRAY,
} zc_texture_group;
zc_texture_group zc_manifest_texture_group(const zc_manifest *manifest, const char *source_path);

/* The importer of the file `source_path`: the one named by the last matching rule that
 * sets "importer", else the one its name selects (zc_importer_for_path). NULL manifest:
 * zc_importer_for_path. Every step of a build that picks an importer asks here. */
const zc_importer *zc_manifest_importer(const zc_manifest *manifest, const char *source_path);

/* Read a whole configuration file (the manifest, .zcpackignore) of at most max_size
 * bytes into *text (malloc'd, not NUL-terminated; free it) and *size. Errors:
 * ZC_ERR_FILE_NOT_FOUND, ZC_ERR_IO, ZC_ERR_LIMIT (larger), ZC_ERR_OUT_OF_MEMORY; the
 * diag does not name the file. Reads through zc__packer_sys. */
zc_result zc_read_config_file(const char *file_path, size_t max_size, char **text, size_t *size, zc_diag *diag);

/* Number of rules; 0 for NULL. */
size_t zc_manifest_rule_count(const zc_manifest *manifest);

/* Free a manifest. NULL is a no-op. */
void zc_manifest_free(zc_manifest *manifest);

#ifdef __cplusplus
}
#endif

#endif /* ZC_MANIFEST_H */
