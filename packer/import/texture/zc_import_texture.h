/* zc_import_texture.h - the texture importer: an image file becomes one texture entry
 * (formats/zc_texture.h) with its whole mip chain, ready to be written to a pack.
 *
 *     zc_texture_image img;
 *     zc_diag diag;
 *     zc_texture_settings s = { .format = ZC_TEXTURE_CHOICE_RGBA8 };
 *     if (zc_texture_import_file("art/rock.png", "art/rock.png", &s, &img, &diag) != ZC_OK)
 *         fprintf(stderr, "art/rock.png: %s\n", diag.message);
 *     zc_texture_view view;
 *     zc_texture_import_view(&img, &view);   // same view an archived entry gives
 *     ...
 *     zc_texture_image_free(&img);
 *
 * Sources: PNG, JPEG, TGA, BMP, GIF (first frame) and Radiance HDR, decoded by
 * stb_image; OpenEXR, WebP, DDS, PCX, SGI, TIFF, PSD (composited image), run-length
 * encoded BMP and the GIF files stb_image refuses by their readers
 * (zc_texture_decode.c picks the reader by the file's first bytes). A DDS file
 * already in a pixel format the settings store is kept as it is, with its own levels,
 * layers and cube faces (zc_dds_keep.c; packer/cli/zcpack.md "Textures"), instead of
 * going through the steps below. Every source is untrusted: the file is read into memory,
 * its header is checked against the dimension cap and the texel limit for its size
 * (max_texels) before any texel is decoded, the import's estimated peak memory is
 * taken from the settings' budget (when there is one) for the time of the import, and a
 * failure becomes a ZC_ERR_* code with a sentence in the diag (without the file name,
 * which the caller prefixes), never a crash.
 *
 * The pipeline, what each setting changes and the format policy are described in
 * packer/cli/zcpack.md ("Textures"); in short:
 *  1. decode to RGBA8, or to linear RGBA float for HDR sources;
 *  2. build the mip chain down to 1x1 with stb_image_resize: sRGB-correct filtering
 *     (alpha linear and used as a weight) for colour, linear for data textures,
 *     linear and renormalised for normal maps, linear float for HDR; alpha-cutout
 *     textures keep the alpha-test coverage of level 0 in every mip;
 *  3. convert every level to the chosen pixel format (BCn through stb_dxt, edge
 *     blocks padded by clamping);
 *  4. lay the entry out: zc_texture, the level records, then each level at a multiple
 *     of ZC_TEXTURE_WRITER_DATA_ALIGN bytes from the entry's start, rows row_pitch
 *     bytes apart, every padding byte zero; then check it with zc_texture_check. The
 *     entry is written page-aligned (ZC_TEXTURE_ENTRY_ALIGN_LOG2).
 * The same bytes and settings always give the same entry, on any thread.
 *
 * Threads: every function here may run on several threads at once on different
 * images; none keeps state between calls.
 */
#ifndef ZC_IMPORT_TEXTURE_H
#define ZC_IMPORT_TEXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "zc_pack_format.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZC_TEXTURE_DEFAULT_MAX_DIMENSION 16384u /* texels per side refused before decoding */
#define ZC_TEXTURE_ENTRY_ALIGN_LOG2 12u         /* texture entries start on a 4096-byte page */
#define ZC_TEXTURE_CUTOUT_REFERENCE 128u        /* alpha >= 128 (0.5) passes the alpha test */
#define ZC_TEXTURE_TEXEL_FLOOR 16777216u        /* 4096 x 4096: texels any source may declare */
#define ZC_TEXTURE_TEXELS_PER_BYTE 64u          /* beyond the floor: texels per byte of source */
#define ZC_TEXTURE_HDR_TEXELS_PER_BYTE 4u       /* the same for Radiance HDR sources */

typedef struct zc_image_budget zc_image_budget; /* zc_image_budget.h */

/* Three-way switch of a setting: zero leaves the decision to the importer. */
typedef enum zc_switch {
    ZC_SWITCH_AUTO = 0,
    ZC_SWITCH_OFF = 1,
    ZC_SWITCH_ON = 2,
} zc_switch;

/* Output format requested by a manifest ("format"): AUTO for the policy, else the
 * pixel format of the choice's first row in the pixel-format table
 * (zc_pixel_formats.h), so a new format is a choice without a line here. The sRGB or
 * UNORM variant of RGBA8, BC1, BC3, ASTC and BC7 follows the srgb setting; the others
 * have no sRGB variant. */
typedef enum zc_texture_choice {
    ZC_TEXTURE_CHOICE_AUTO = 0,     /* the policy */
    ZC_TEXTURE_CHOICE_RGBA8 = ZC_PIXEL_RGBA8_UNORM,
    ZC_TEXTURE_CHOICE_R8 = ZC_PIXEL_R8_UNORM,
    ZC_TEXTURE_CHOICE_RG8 = ZC_PIXEL_RG8_UNORM,
    ZC_TEXTURE_CHOICE_RGBA16F = ZC_PIXEL_RGBA16_FLOAT,
    ZC_TEXTURE_CHOICE_RGBA32F = ZC_PIXEL_RGBA32_FLOAT,
    ZC_TEXTURE_CHOICE_BC1 = ZC_PIXEL_BC1_UNORM,
    ZC_TEXTURE_CHOICE_BC3 = ZC_PIXEL_BC3_UNORM,
    ZC_TEXTURE_CHOICE_BC4 = ZC_PIXEL_BC4_UNORM,
    ZC_TEXTURE_CHOICE_BC5 = ZC_PIXEL_BC5_UNORM,
    ZC_TEXTURE_CHOICE_ASTC4x4 = ZC_PIXEL_ASTC_4x4_UNORM,
    ZC_TEXTURE_CHOICE_ASTC6x6 = ZC_PIXEL_ASTC_6x6_UNORM,
    ZC_TEXTURE_CHOICE_ASTC8x8 = ZC_PIXEL_ASTC_8x8_UNORM,
    ZC_TEXTURE_CHOICE_BC7 = ZC_PIXEL_BC7_UNORM,
    ZC_TEXTURE_CHOICE_ASTC4x4_HDR = ZC_PIXEL_ASTC_4x4_FLOAT,
    ZC_TEXTURE_CHOICE_ASTC6x6_HDR = ZC_PIXEL_ASTC_6x6_FLOAT,
    ZC_TEXTURE_CHOICE_ASTC8x8_HDR = ZC_PIXEL_ASTC_8x8_FLOAT,
    ZC_TEXTURE_CHOICE_BC6H = ZC_PIXEL_BC6H_UFLOAT,
} zc_texture_choice;

/* Manifest name of a choice ("rgba8", "bc5", ...); NULL for AUTO and unknown values. */
const char *zc_texture_choice_name(zc_texture_choice choice);

/* The choice a manifest name stands for; ZC_TEXTURE_CHOICE_AUTO when `name` is NULL
 * or not one of the names above (exact, lowercase). */
zc_texture_choice zc_texture_choice_from_name(const char *name);

/* Which GPUs the AUTO policy picks block formats for. */
typedef enum zc_texture_profile {
    ZC_TEXTURE_PROFILE_DESKTOP = 0, /* BC1, BC3, BC4, BC5: every desktop and console GPU */
    ZC_TEXTURE_PROFILE_MOBILE = 1,  /* ASTC: colour and alpha 6x6, normal maps and single
                                       channels 4x4 (mobile GPUs lack BC) */
} zc_texture_profile;

/* Manifest name of a profile ("desktop", "mobile"); and the names for messages. */
const char *zc_texture_profile_name(zc_texture_profile profile);
void zc_texture_profile_list(char *buf, size_t size);

/* How one texture is imported. Zero everywhere means the defaults. */
typedef struct zc_texture_settings {
    zc_texture_choice format;   /* default AUTO: normal map -> BC5, single-channel source
                                   -> BC4, some alpha < 255 -> BC3, else BC1; HDR sources
                                   -> RGBA16F (the desktop profile; see `profile`) */
    zc_texture_profile profile; /* default DESKTOP: what AUTO picks; MOBILE: normal maps and
                                   single-channel sources -> ASTC 4x4, other 8-bit sources
                                   -> ASTC 6x6; HDR sources -> RGBA16F either way */
    zc_switch srgb;             /* default AUTO: on for colour sources (RGB, RGBA, grey +
                                   alpha); off for normal maps, single-channel and HDR
                                   sources. Selects sRGB formats and sRGB mip filtering */
    zc_switch normal_map;       /* default AUTO: the file name ends in _n, _normal or _nrm
                                   before its extension (any case) */
    zc_switch mips;             /* default AUTO = ON: full chain down to 1x1; OFF: level 0 only */
    zc_switch cutout;           /* default AUTO: on when some alpha < 255 and at least 90%
                                   of the texels have alpha exactly 0 or 255 */
    uint32_t max_size;          /* default 0: keep the source size. Else level 0 becomes the
                                   first level of the source's chain whose width and height
                                   are both <= max_size (halving, aspect kept) */
    uint32_t row_pitch_align;   /* default 0 = 1 (tight rows); a power of two <= 4096 */
    int no_compress;            /* default 0; 1: RGBA8 wherever BC1/BC3/BC4/BC5 would be
                                   chosen (by the policy or the format setting) */
    uint32_t max_dimension;     /* default 0 = ZC_TEXTURE_DEFAULT_MAX_DIMENSION: sources
                                   with a wider or taller image are refused before
                                   decoding; at most ZC_TEXTURE_MAX_EXTENT */
    uint32_t max_texels;        /* default 0 = max(ZC_TEXTURE_TEXEL_FLOOR,
                                   ZC_TEXTURE_TEXELS_PER_BYTE * source bytes; HDR:
                                   ZC_TEXTURE_HDR_TEXELS_PER_BYTE): sources whose
                                   header declares more texels (width * height) are refused
                                   before decoding (decompression bombs); else this many */
    zc_switch cubemap;          /* default AUTO = OFF; ON: the source is an equirectangular
                                   panorama (twice as wide as tall) made into a cube map of
                                   six faces, each a quarter of its width on a side
                                   (ZC_TEXTURE_CUBE) */
    uint32_t layers;            /* default 0 = 1; N > 1: the source is a vertical strip of N
                                   equal images, made into an array of N layers, the top
                                   one first; the height must be a multiple of N */
    int cube_faces;             /* default 0; 1: a source named <stem>_px.<ext> is the +X face
                                   of a cube map whose other faces are the files beside it
                                   named <stem>_nx, _py, _ny, _pz and _nz with the same
                                   extension (or _posx ... _negz: zc_texture_cube_face); the
                                   six, square and of one size, become one cube map entry
                                   named after the +X file (ZC_TEXTURE_CUBE). The format is
                                   chosen from the +X face */
    int array_folder;           /* default 0; 1: the source and every other file of its folder
                                   with the same extension (ASCII case ignored; not hidden
                                   ones) are the layers of one texture array, in bytewise
                                   name order, of one size; the entry is named after the
                                   first (zc_texture_array_files). The format is chosen from
                                   the first layer */
    zc_image_budget *budget;    /* default NULL = none; the memory budget the import takes
                                   its estimated peak from before decoding and gives back
                                   when it returns (zc_image_budget.h) */
} zc_texture_settings;

/* An imported texture. */
typedef struct zc_texture_image {
    void *payload;                      /* the entry's bytes (zc_texture at offset 0);
                                           malloc'd, at least 16-byte aligned */
    size_t size;                        /* bytes at payload */
    zc_texture_level_view *level_views; /* one view per mip level into payload (the
                                           importer writes one layer); read them with
                                           zc_texture_image_level */
    uint32_t source_width, source_height; /* of the decoded image */
    uint32_t source_channels;           /* 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA */
} zc_texture_image;

/* The most bytes an import of a w x h source of `size` bytes holds at once under
 * settings `s` (NULL: defaults): the source bytes, plus the larger of stb_image's
 * decode (`bytes_per_texel` of the decoder for that file type, zcpack.md "Memory")
 * and the pipeline after it (level 0, the next mip level, the float copy of an 8-bit
 * source stored as float, the entry with its whole chain in the widest format the
 * settings may pick), plus working rows. An upper bound, measured against the real
 * peak (zcpack.md). Pure. */
uint64_t zc_texture_memory_estimate(uint32_t w, uint32_t h, size_t size, uint32_t decode_bytes_per_texel, int hdr,
                                    const zc_texture_settings *s);

/* Import an image from memory. `name` is the file or entry name: it is used for the
 * normal-map suffix only (NULL: no suffix rule). `settings` may be NULL (defaults).
 * On success *out holds a new image (release it with zc_texture_image_free); on
 * error *out is zeroed and diag (may be NULL) holds a sentence such as "image is
 * 100000x100000, larger than the 16384 limit (--max-texture-dimension)". Errors:
 * ZC_ERR_BAD_SOURCE (an empty, unknown or undecodable image), ZC_ERR_INVALID_ARGUMENT
 * (NULL bytes or out, a setting out of range, a format the source cannot take),
 * ZC_ERR_LIMIT (dimension cap, texel
 * limit for the source's size (max_texels), an estimate beyond the whole memory
 * budget, 2 GiB source, entry size), ZC_ERR_IO (a remote budget failed),
 * ZC_ERR_OUT_OF_MEMORY. Untrusted input: safe on any bytes. */
zc_result zc_texture_import_memory(const void *bytes, size_t size, const char *name,
                                   const zc_texture_settings *settings, zc_texture_image *out, zc_diag *diag);

/* Read an open file from its current position to its end and import it as
 * zc_texture_import_memory does, under `name`; the descriptor stays open. ZC_ERR_IO
 * when it cannot be read. Untrusted input. */
zc_result zc_texture_import_fd(int fd, const char *name, const zc_texture_settings *settings,
                               zc_texture_image *out, zc_diag *diag);

/* Read `file_path` whole (never through a symbolic link, never a FIFO or device) and import it as zc_texture_import_memory does; `name` as
 * there (NULL: file_path). Adds ZC_ERR_FILE_NOT_FOUND and ZC_ERR_IO for files that
 * cannot be read. Untrusted input. */
zc_result zc_texture_import_file(const char *file_path, const char *name, const zc_texture_settings *settings,
                                 zc_texture_image *out, zc_diag *diag);

/* Cube maps from six files (zc_texture_settings.cube_faces). The face a file name
 * names: 0 to 5 (+X, -X, +Y, -Y, +Z, -Z) when the name's stem (the part before its
 * last '.') ends with _px, _nx, _py, _ny, _pz or _nz, or with _posx, _negx, _posy,
 * _negy, _posz or _negz (ASCII case ignored); else -1. Pure; safe on any string. */
int zc_texture_cube_face(const char *name);

/* The name of face `face` (0 to 5) of the cube map one of whose faces is `name`: name
 * with its face suffix replaced by the face's, in the same spelling (_px or _posx) and
 * case; malloc'd, NULL when name names no face or memory runs out. */
char *zc_texture_cube_face_name(const char *name, int face);

/* Import the six faces of a cube map, files_paths[0..5] = +X, -X, +Y, -Y, +Z, -Z, each
 * read whole and decoded as zc_texture_import_file reads one source; name is the
 * entry's (for the normal-map name rule and messages). Every face must be square and
 * of one size, and all HDR or all not; the format follows the +X face (settings as for
 * one source; cubemap and layers must be unset). Errors name the face file. Untrusted
 * input: files of any content fail with a sentence, never crash. */
zc_result zc_texture_import_cube_files(const char *const file_paths[6], const char *name,
                                       const zc_texture_settings *settings, zc_texture_image *out, zc_diag *diag);

/* Import `count` files (1 to ZC_TEXTURE_MAX_LAYERS) as the layers of one texture
 * array, in the order given, each read and decoded as for one source; they must be of
 * one size and all HDR or all not; the format follows the first. Errors name the
 * file. Untrusted input, as zc_texture_import_cube_files. */
zc_result zc_texture_import_array_files(const char *const *file_paths, uint32_t count, const char *name,
                                        const zc_texture_settings *settings, zc_texture_image *out, zc_diag *diag);

/* The files of the texture array one of whose layers is `file_path`
 * (zc_texture_settings.array_folder): every regular file of its folder with the same
 * extension, not hidden, in bytewise name order, as paths "<folder>/<name>"; *out
 * (free with zc_texture_array_files_free), *count, and in *index the place of
 * file_path's own name. ZC_ERR_IO when the folder cannot be listed, ZC_ERR_LIMIT past
 * ZC_TEXTURE_MAX_LAYERS files, ZC_ERR_FILE_NOT_FOUND when file_path is not among them.
 * Reads one folder listing; safe on any names. */
zc_result zc_texture_array_files(const char *file_path, char ***out, uint32_t *count, uint32_t *index,
                                 zc_diag *diag);
void zc_texture_array_files_free(char **files, uint32_t count);

/* A layer list: a text file with the extension ZC_TEXTURE_LIST_EXTENSION naming the
 * layers of one texture array, one path per line relative to the list's folder
 * ('/'-separated, no '.' or '..' folder), in layer order; blank lines and lines
 * starting with '#' are skipped, spaces around a path are not part of it. */
#define ZC_TEXTURE_LIST_EXTENSION "texarray"
#define ZC_TEXTURE_LIST_MAX_BYTES (1u << 20)

/* 1 when `name` has the layer list's extension (ASCII case ignored). Pure. */
int zc_texture_is_layer_list(const char *name);

/* The layers the list text[0..size) names, as paths "<folder of list_path>/<line>":
 * *out (free with zc_texture_array_files_free) and *count (at least 1). ZC_ERR_BAD_SOURCE
 * for a path the rules above refuse or a list that names none, ZC_ERR_LIMIT past
 * ZC_TEXTURE_MAX_LAYERS paths or ZC_TEXTURE_LIST_MAX_BYTES bytes, each naming the line;
 * ZC_ERR_OUT_OF_MEMORY. Reads no file; safe on any bytes. */
zc_result zc_texture_list_files(const char *list_path, const char *text, size_t size, char ***out, uint32_t *count,
                                zc_diag *diag);

/* Fill a view of an imported image through the runtime's zc_texture_view_from_bytes,
 * so the image's payload is checked as an archived texture is and
 * zc_texture_view_level answers for it alike. The view borrows the image: valid until
 * zc_texture_image_free. ZC_ERR_INVALID_ARGUMENT on NULL or an empty image; a format
 * error if the payload fails the check. */
zc_result zc_texture_import_view(const zc_texture_image *image, zc_texture_view *out);

/* One mip level of an imported image, from its own level views (the same bytes
 * zc_texture_view_level gives for the image's view). ZC_ERR_NO_ENTRY when level is
 * past the mip chain; ZC_ERR_INVALID_ARGUMENT on NULL or an empty image. Pure. */
zc_result zc_texture_image_level(const zc_texture_image *image, uint32_t level, zc_texture_level_view *out);

/* Free what an import allocated and zero the struct. NULL and zeroed images are fine. */
void zc_texture_image_free(zc_texture_image *image);

/* 1 when the base name of `name`, without its extension, ends in "_n", "_normal" or
 * "_nrm" (ASCII case ignored): "rock_N.png", "dir/wall_normal.tga". Pure. */
int zc_texture_name_is_normal_map(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* ZC_IMPORT_TEXTURE_H */
