/* zc_import_texture_internal.h - the texture importer's steps that its two files share:
 * zc_import_texture.c (one file: read, check, decode, plan, encode, lay out) and
 * zc_texture_layer_files.c (a texture of several files: cube faces, array layers from
 * a folder or a layer list). Not part of any public header.
 *
 * Source bytes are hostile in every function taking them; the plan and the decoded
 * images are the importer's own.
 */
#ifndef ZC_IMPORT_TEXTURE_INTERNAL_H
#define ZC_IMPORT_TEXTURE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "zc_import_texture.h"
#include "zc_texture_pixels.h"

/* What will be stored, decided from the settings and the decoded level 0. */
typedef struct zc__texture_plan {
    uint32_t format;            /* zc_pixel_format */
    uint32_t flags;             /* ZC_TEXTURE_* */
    zc_mip_filter filter;
    int to_float;               /* an 8-bit source stored in a float format */
    int srgb;                   /* 8-bit texels are sRGB-encoded colour */
    int cutout;                 /* keep the alpha-test coverage in the mips */
    double coverage;            /* of level 0, when cutout */
    uint32_t skip;              /* source levels dropped to honour max_size */
    uint32_t mip_count;         /* levels stored */
    uint32_t layers;            /* array layers (six per cube), >= 1 */
} zc__texture_plan;

/* Settings with every default resolved; checks the ranges. */
zc_result zc__texture_resolve_settings(const zc_texture_settings *in, zc_texture_settings *out, zc_diag *diag);

/* Decide format, filter, flags and levels from the settings and the decoded level 0. */
zc_result zc__texture_make_plan(const zc_texture_settings *s, const char *name, uint32_t channels, int hdr,
                                const zc_texels *level0, zc__texture_plan *plan, zc_diag *diag);

/* Read a whole file (through zc__packer_sys), or the rest of an open one; files of
 * INT_MAX bytes or more are refused (stb_image takes an int length). */
zc_result zc__texture_read_file(const char *path, uint8_t **out, size_t *out_size, zc_diag *diag);
zc_result zc__texture_read_fd(int fd, uint8_t **out, size_t *out_size, zc_diag *diag);

/* 1 when the source decodes to float texels: OpenEXR, Radiance HDR, or a DDS file of
 * a float format. Any bytes. */
int zc__texture_is_hdr(const uint8_t *bytes, size_t size);

/* Check an image's header: a known type within the dimension cap; its size and
 * channels. */
zc_result zc__texture_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels,
                            zc_diag *diag);

/* Refuse a source declaring more texels than its size allows, before decoding. */
zc_result zc__texture_check_texels(const zc_texture_settings *s, int w, int h, size_t size, int hdr, zc_diag *diag);

/* The decoder's peak bytes per texel for this source (the memory budget's estimate). */
uint32_t zc__texture_decode_bytes_per_texel(const uint8_t *bytes, size_t size, int hdr);

/* Decode to RGBA8, or RGBA float for HDR sources (malloc'd). */
zc_result zc__texture_decode(const uint8_t *bytes, size_t size, int hdr, int w, int h, zc_texels *out,
                             zc_diag *diag);

/* Replace an RGBA8 image by its float version (sRGB curve when `srgb`). */
zc_result zc__texture_to_float(zc_texels *img, int srgb, zc_diag *diag);

/* Free `count` decoded images' texels. */
void zc__texture_free_sources(zc_texels *sources, uint32_t count);

/* The HAS_ALPHA and CUTOUT flags (plan->flags is set to them) and plan->cutout and
 * coverage, for level 0 stored in row's format. */
struct zc_pixel_format_row;
void zc__texture_alpha_policy(const zc_texture_settings *s, int normal, const zc_texels *level0,
                              const struct zc_pixel_format_row *row, zc__texture_plan *plan);
/* The same with level 0's alpha statistics (zc__texels_alpha_stats) already known. */
void zc__texture_alpha_policy_of(const zc_texture_settings *s, int normal, const zc_texels *level0, int has_alpha,
                                 double binary_share, const struct zc_pixel_format_row *row,
                                 zc__texture_plan *plan);

/* Allocate the entry for plan->mip_count levels of plan->layers layers of plan->format
 * with a width x height level 0, into img->payload and img->size: header and level
 * records written, every texel byte zero. Level i of layer a goes at
 * offsets[i * layers + a] (*offsets malloc'd: free it), its block rows pitches[i]
 * bytes apart. */
zc_result zc__texture_alloc_entry(const zc__texture_plan *plan, uint32_t width, uint32_t height,
                                  uint32_t row_pitch_align, zc_texture_image *img, uint64_t **offsets,
                                  uint32_t pitches[ZC_TEXTURE_MAX_MIPS], zc_diag *diag);

/* Check a filled entry with zc_texture_check and make img's level views. */
zc_result zc__texture_finish_entry(const zc__texture_plan *plan, zc_texture_image *img, zc_diag *diag);

/* A DDS file stored as it is (zc_dds_keep.c): *kept 1 and the entry in *out when the
 * settings `s` (resolved) take the file's own pixel format, levels and layers; *kept 0
 * and nothing done when the file is to be decoded instead. Untrusted bytes. */
zc_result zc__dds_import_kept(const uint8_t *bytes, size_t size, const char *name, const zc_texture_settings *s,
                              zc_texture_image *out, int *kept, zc_diag *diag);

/* Lay out, encode and check the entry for plan->layers decoded sources of one size
 * (all consumed, also on failure). */
zc_result zc__texture_build_entry(const zc__texture_plan *plan, const zc_texture_settings *s, zc_texels *sources,
                                  zc_texture_image *img, zc_diag *diag);

/* The texture of the several files the source belongs to (a cube map's faces, an
 * array's folder, a layer list; zc_texture_layer_files.c): *handled 0 when the source
 * stands alone (nothing done), else 1 and the import's result, the image in *img and
 * the files read besides the source in *reads (when reads is not NULL). */
struct zc_import_source;
zc_result zc__texture_import_several(const struct zc_import_source *src, const zc_texture_settings *s,
                                     zc_texture_image *img, char **reads, int *handled, zc_diag *diag);

#endif /* ZC_IMPORT_TEXTURE_INTERNAL_H */
