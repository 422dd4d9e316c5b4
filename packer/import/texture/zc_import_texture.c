/* zc_import_texture.c - the texture importer (zc_import_texture.h): read, check,
 * choose the format, build and encode the mip chain, lay the entry out. Which reader
 * decodes a source is zc_texture_decode.c's.
 * Textures of several files (cube faces, array layers) are zc_texture_layer_files.c's,
 * through the steps zc_import_texture_internal.h shares.
 *
 * Every function taking source bytes treats them as hostile; everything after the
 * decode works on sizes this file computed itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zc_image_budget.h"
#include "zc_import_texture_internal.h"
#include "zc_importer.h"
#include "zc_memo.h"
#include "zc_packer_sys.h"
#include "zc_pixel_formats.h"
#include "zc_texture_pixels.h"

#define ZC__TEXTURE_HEADER_SIZE ((uint64_t)sizeof(zc_texture))
#define ZC__TEXTURE_RECORD_SIZE ((uint64_t)sizeof(zc_texture_level))
#define ZC__CUTOUT_AUTO_SHARE 0.9 /* share of 0/255 alpha texels that makes a cutout */

/* ---------------------------------------------------------------------------------
 * Names
 * ------------------------------------------------------------------------------- */

/* zc_texture_choice_name and zc_texture_choice_from_name read the pixel-format rows
 * (zc_pixel_formats.c). */

static int zc__lower(int c) {
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* 1 when the `n` bytes before `end` are `suffix` (ASCII case ignored). */
static int zc__ends_with(const char *start, const char *end, const char *suffix) {
    size_t n = strlen(suffix);
    if ((size_t)(end - start) < n) return 0;
    for (size_t i = 0; i < n; ++i)
        if (zc__lower((unsigned char)end[-(ptrdiff_t)n + (ptrdiff_t)i]) != suffix[i]) return 0;
    return 1;
}

int zc_texture_name_is_normal_map(const char *name) {
    if (!name) return 0;
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    const char *end = strrchr(base, '.');
    if (!end || end == base) end = base + strlen(base);
    return zc__ends_with(base, end, "_n") || zc__ends_with(base, end, "_normal") || zc__ends_with(base, end, "_nrm");
}

/* ---------------------------------------------------------------------------------
 * Settings and plan
 * ------------------------------------------------------------------------------- */

/* Settings with every default resolved; checks the ranges. */
zc_result zc__texture_resolve_settings(const zc_texture_settings *in, zc_texture_settings *out, zc_diag *diag) {
    if (in)
        *out = *in;
    else
        memset(out, 0, sizeof *out);
    if ((out->format != ZC_TEXTURE_CHOICE_AUTO && !zc_pixel_format_row_for_choice(out->format, 0)) ||
        (unsigned)out->srgb > ZC_SWITCH_ON ||
        (unsigned)out->normal_map > ZC_SWITCH_ON || (unsigned)out->mips > ZC_SWITCH_ON ||
        (unsigned)out->cutout > ZC_SWITCH_ON || (unsigned)out->profile > ZC_TEXTURE_PROFILE_MOBILE ||
        (unsigned)out->cubemap > ZC_SWITCH_ON || out->layers > ZC_TEXTURE_MAX_LAYERS)
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "texture settings hold a value out of range");
    if (out->row_pitch_align == 0) out->row_pitch_align = 1;
    if (out->row_pitch_align > 4096 || (out->row_pitch_align & (out->row_pitch_align - 1)))
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "row_pitch_align %u is not a power of two in [1, 4096]",
                       out->row_pitch_align);
    if (out->max_dimension == 0) out->max_dimension = ZC_TEXTURE_DEFAULT_MAX_DIMENSION;
    if (out->max_dimension > ZC_TEXTURE_MAX_EXTENT)
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "maximum texture dimension %u exceeds the format's %u",
                       out->max_dimension, ZC_TEXTURE_MAX_EXTENT);
    return ZC_OK;
}


const char *zc_texture_profile_name(zc_texture_profile profile) {
    return profile == ZC_TEXTURE_PROFILE_DESKTOP ? "desktop" : profile == ZC_TEXTURE_PROFILE_MOBILE ? "mobile" : NULL;
}

void zc_texture_profile_list(char *buf, size_t size) {
    snprintf(buf, size, "one of desktop, mobile");
}

/* Pick the format by the policy of zc_texture_settings.format and .profile. */
static zc_result zc__choose_format(const zc_texture_settings *s, int hdr, int normal, int single, int has_alpha,
                                   int srgb, const zc_pixel_format_row **format, zc_diag *diag) {
    zc_texture_choice choice = s->format;
    if (hdr) {
        const zc_pixel_format_row *row = choice == ZC_TEXTURE_CHOICE_AUTO
                                             ? zc_pixel_format_row_of(ZC_PIXEL_RGBA16_FLOAT)
                                             : zc_pixel_format_row_for_choice(choice, 0);
        if (!row || !(row->flags & ZC_PIXEL_ROW_FLOAT))
            return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT,
                           "format %s needs an 8-bit source; an HDR image takes rgba16f, rgba32f, bc6h or astc*hdr",
                           zc_texture_choice_name(choice));
        *format = row;
        return ZC_OK;
    }
    if (choice == ZC_TEXTURE_CHOICE_AUTO && s->profile == ZC_TEXTURE_PROFILE_MOBILE)
        choice = normal || single ? ZC_TEXTURE_CHOICE_ASTC4x4 : ZC_TEXTURE_CHOICE_ASTC6x6;
    if (choice == ZC_TEXTURE_CHOICE_AUTO)
        choice = normal ? ZC_TEXTURE_CHOICE_BC5
                 : single ? ZC_TEXTURE_CHOICE_BC4
                 : has_alpha ? ZC_TEXTURE_CHOICE_BC3
                             : ZC_TEXTURE_CHOICE_BC1;
    const zc_pixel_format_row *row = zc_pixel_format_row_for_choice(choice, srgb);
    uint32_t block = 1, bytes = 0;
    if (row) zc_pixel_format_block(row->format, &block, &bytes);
    if (!row || (s->no_compress && block > 1)) row = zc_pixel_format_row_for_choice(ZC_TEXTURE_CHOICE_RGBA8, srgb);
    *format = row;
    return ZC_OK;
}

/* Levels to drop for max_size and levels to store, for a w x h source. */
static void zc__plan_levels(const zc_texture_settings *s, uint32_t w, uint32_t h, zc__texture_plan *plan) {
    uint32_t largest = w > h ? w : h, full = 1;
    while ((largest >> full) != 0) full++;
    plan->skip = 0;
    while (s->max_size && plan->skip + 1 < full && ((w >> plan->skip) > s->max_size || (h >> plan->skip) > s->max_size))
        plan->skip++;
    plan->mip_count = s->mips == ZC_SWITCH_OFF ? 1 : full - plan->skip;
}

/* Decide format, filter, flags and levels from the settings and the decoded level 0. */
zc_result zc__texture_make_plan(const zc_texture_settings *s, const char *name, uint32_t channels, int hdr,
                               const zc_texels *level0, zc__texture_plan *plan, zc_diag *diag) {
    memset(plan, 0, sizeof *plan);
    int normal = s->normal_map == ZC_SWITCH_ON || (s->normal_map == ZC_SWITCH_AUTO && zc_texture_name_is_normal_map(name));
    int single = channels == 1;
    int srgb = s->srgb == ZC_SWITCH_ON || (s->srgb == ZC_SWITCH_AUTO && !normal && !single && !hdr);
    int has_alpha;
    double binary_share;
    zc__texels_alpha_stats(level0, &has_alpha, &binary_share);
    const zc_pixel_format_row *row = NULL;
    zc_result r = zc__choose_format(s, hdr, normal, single, has_alpha, srgb, &row, diag);
    if (r != ZC_OK) return r;
    plan->format = row->format;
    int is_float = (row->flags & ZC_PIXEL_ROW_FLOAT) != 0;
    plan->to_float = is_float && !hdr;
    plan->srgb = srgb;
    plan->filter = is_float ? ZC_MIP_FILTER_LINEAR
                   : normal ? ZC_MIP_FILTER_NORMAL
                   : srgb   ? ZC_MIP_FILTER_SRGB
                            : ZC_MIP_FILTER_LINEAR;
    zc__texture_alpha_policy_of(s, normal, level0, has_alpha, binary_share, row, plan);
    plan->flags |= (normal ? ZC_TEXTURE_NORMAL_MAP : 0u) | (hdr ? ZC_TEXTURE_HDR : 0u);
    zc__plan_levels(s, level0->width, level0->height, plan);
    plan->layers = 1;
    return ZC_OK;
}

void zc__texture_alpha_policy(const zc_texture_settings *s, int normal, const zc_texels *level0,
                              const zc_pixel_format_row *row, zc__texture_plan *plan) {
    int has_alpha;
    double binary_share;
    zc__texels_alpha_stats(level0, &has_alpha, &binary_share);
    zc__texture_alpha_policy_of(s, normal, level0, has_alpha, binary_share, row, plan);
}

void zc__texture_alpha_policy_of(const zc_texture_settings *s, int normal, const zc_texels *level0, int has_alpha,
                                 double binary_share, const zc_pixel_format_row *row, zc__texture_plan *plan) {
    int is_float = (row->flags & ZC_PIXEL_ROW_FLOAT) != 0;
    int alpha_kept = has_alpha && (row->flags & ZC_PIXEL_ROW_ALPHA);
    plan->cutout = !is_float && alpha_kept &&
                   (s->cutout == ZC_SWITCH_ON ||
                    (s->cutout == ZC_SWITCH_AUTO && !normal && binary_share >= ZC__CUTOUT_AUTO_SHARE));
    if (plan->cutout) plan->coverage = zc__texels_coverage(level0, ZC_TEXTURE_CUTOUT_REFERENCE);
    plan->flags = (alpha_kept ? ZC_TEXTURE_HAS_ALPHA : 0u) | (plan->cutout ? ZC_TEXTURE_CUTOUT : 0u);
}

/* The layers the settings make of one decoded source (consumed): itself, the six
 * faces of a cube map, or the images of a vertical strip; *sources (malloc'd, free it
 * and each layer's data) and plan->layers, flags and levels follow. */
static zc_result zc__make_layers(const zc_texture_settings *s, zc_texels *source, zc__texture_plan *plan,
                                 zc_texels **sources, zc_diag *diag) {
    uint32_t count = s->cubemap == ZC_SWITCH_ON ? 6 : s->layers > 1 ? s->layers : 1;
    zc_result r = ZC_OK;
    if (s->cubemap == ZC_SWITCH_ON && (source->width != 2 * source->height || source->width < 4))
        r = zc_fail(diag, ZC_ERR_BAD_SOURCE,
                    "a cube map is made from an equirectangular panorama twice as wide as tall; this image is %ux%u",
                    source->width, source->height);
    else if (s->cubemap != ZC_SWITCH_ON && count > 1 && (source->height % count != 0))
        r = zc_fail(diag, ZC_ERR_BAD_SOURCE, "%u layers need a height that is a multiple of %u; this image is %ux%u",
                    count, count, source->width, source->height);
    zc_texels *made = r == ZC_OK ? (zc_texels *)calloc(count, sizeof *made) : NULL;
    if (r == ZC_OK && !made) r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for %u layers", count);
    if (r == ZC_OK && count == 1) {
        made[0] = *source;
        source->data = NULL;
    } else if (r == ZC_OK && s->cubemap == ZC_SWITCH_ON) {
        r = zc__texels_equirect_to_cube(source, source->width / 4, made, diag);
        plan->flags |= ZC_TEXTURE_CUBE;
    } else if (r == ZC_OK) {
        r = zc__texels_split_rows(source, count, made, diag);
    }
    free(source->data);
    source->data = NULL;
    if (r != ZC_OK) {
        free(made);
        return r;
    }
    plan->layers = count;
    zc__plan_levels(s, made[0].width, made[0].height, plan);
    *sources = made;
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * Reading (the decoders: zc_texture_decode.c)
 * ------------------------------------------------------------------------------- */

/* Read a whole file through zc__packer_sys. Refuses files of INT_MAX bytes or more
 * (stb_image takes an int length). */
zc_result zc__texture_read_file(const char *path, uint8_t **out, size_t *out_size, zc_diag *diag) {
    *out = NULL;
    *out_size = 0;
    int fd;
    do fd = zc__packer_sys.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int err = errno;
        return zc_fail(diag, err == ENOENT ? ZC_ERR_FILE_NOT_FOUND : ZC_ERR_IO, "cannot open: %s",
                       err == ELOOP ? "it is a symbolic link" : strerror(err));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        zc__packer_sys.close(fd);
        return zc_fail(diag, ZC_ERR_IO, "cannot open: not a regular file");
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    zc_result r = zc__texture_read_fd(fd, out, out_size, diag);
    zc__packer_sys.close(fd);
    return r;
}

/* Read the rest of an open file whole (the descriptor stays open). */
zc_result zc__texture_read_fd(int fd, uint8_t **out, size_t *out_size, zc_diag *diag) {
    *out = NULL;
    *out_size = 0;
    struct stat st;
    int sized = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (sized && st.st_size >= INT_MAX) {
        return zc_fail(diag, ZC_ERR_LIMIT, "file of %lld bytes is larger than the %d bytes an image may have",
                       (long long)st.st_size, INT_MAX - 1);
    }
    size_t cap = sized && st.st_size > 0 ? (size_t)st.st_size + 1 : 65536; /* +1: EOF seen without growing */
    uint8_t *data = (uint8_t *)malloc(cap);
    size_t size = 0;
    zc_result r = data ? ZC_OK : zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory reading the file");
    while (r == ZC_OK) {
        if (size == cap) {
            size_t grown_cap = cap * 2 > (size_t)INT_MAX ? (size_t)INT_MAX : cap * 2;
            if (grown_cap <= cap) {
                r = zc_fail(diag, ZC_ERR_LIMIT, "file is larger than the %d bytes an image may have", INT_MAX - 1);
                break;
            }
            uint8_t *grown = (uint8_t *)realloc(data, grown_cap);
            if (!grown) {
                r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory reading the file");
                break;
            }
            data = grown;
            cap = grown_cap;
        }
        ssize_t n = zc__packer_sys.read(fd, data + size, cap - size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) r = zc_fail(diag, ZC_ERR_IO, "cannot read: %s", strerror(errno));
        if (n <= 0) break;
        size += (size_t)n;
    }
    if (r != ZC_OK) {
        free(data);
        return r;
    }
    *out = data;
    *out_size = size;
    return ZC_OK;
}

/* Replace an RGBA8 image by its float version: RGB through the sRGB curve when
 * `srgb`, else divided by 255; alpha divided by 255. */
zc_result zc__texture_to_float(zc_texels *img, int srgb, zc_diag *diag) {
    size_t count = (size_t)img->width * img->height;
    float *f = (float *)malloc(count * 16);
    if (!f) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory converting to float");
    const uint8_t *p = (const uint8_t *)img->data;
    for (size_t i = 0; i < count * 4; ++i) {
        float v = p[i] / 255.0f;
        f[i] = srgb && i % 4 != 3 ? zc_srgb_to_linear(v) : v;
    }
    free(img->data);
    img->data = f;
    img->is_float = 1;
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * Layout and encoding
 * ------------------------------------------------------------------------------- */

static uint64_t zc__align_up(uint64_t v, uint64_t a) {
    return (v + a - 1) & ~(a - 1);
}

/* Fill the header and the level records of a payload whose record i (level-major)
 * lies at offsets[i], level m with row pitch pitches[m]. */
static void zc__write_records(uint8_t *payload, const zc__texture_plan *plan, uint32_t width, uint32_t height,
                              uint32_t row_pitch_align, const uint64_t *offsets, const uint32_t *pitches) {
    zc_texture *t = (zc_texture *)payload;
    zc_texture_level *levels = (zc_texture_level *)(payload + ZC__TEXTURE_HEADER_SIZE);
    t->struct_size = (uint32_t)sizeof(zc_texture);
    t->format = plan->format;
    t->width = width;
    t->height = height;
    t->depth = 1;
    t->layers = plan->layers;
    t->mip_count = plan->mip_count;
    t->flags = plan->flags;
    t->row_pitch_align = row_pitch_align;
    zc_rel_set(&t->levels.offset, &t->levels, levels);
    t->levels.count = (uint64_t)plan->mip_count * plan->layers;
    for (uint64_t i = 0; i < t->levels.count; ++i) { /* level-major: level * layers + layer */
        zc_texture_level *l = &levels[i];
        uint32_t m = (uint32_t)(i / plan->layers), w = width >> m, h = height >> m;
        l->width = w ? w : 1;
        l->height = h ? h : 1;
        l->depth = 1;
        l->row_pitch = pitches[m];
        zc_rel_set(&l->texels.offset, &l->texels, payload + offsets[i]);
        l->texels.count = (uint64_t)pitches[m] * zc_texture_block_rows(plan->format, l->height);
    }
}

/* Compute where each stored level of each layer goes (offsets: level-major, NULL to
 * only measure; pitches: per level); returns the payload size. */
static uint64_t zc__layout(const zc__texture_plan *plan, uint32_t width, uint32_t height, uint32_t row_pitch_align,
                           uint64_t *offsets, uint32_t *pitches) {
    uint32_t layers = plan->layers ? plan->layers : 1;
    uint64_t pos = ZC__TEXTURE_HEADER_SIZE + ZC__TEXTURE_RECORD_SIZE * plan->mip_count * layers;
    for (uint32_t i = 0; i < plan->mip_count; ++i) {
        uint32_t w = width >> i, h = height >> i;
        if (!w) w = 1;
        if (!h) h = 1;
        pitches[i] = (uint32_t)zc__align_up(zc_texture_row_bytes(plan->format, w), row_pitch_align);
        for (uint32_t a = 0; a < layers; ++a) {
            uint64_t at = zc__align_up(pos, ZC_TEXTURE_WRITER_DATA_ALIGN);
            if (offsets) offsets[(size_t)i * layers + a] = at;
            pos = at + (uint64_t)pitches[i] * zc_texture_block_rows(plan->format, h);
        }
    }
    return pos;
}

/* Run the chain of one layer: level 0 is `source` (consumed), every next level the
 * previous one halved; levels from plan->skip on are encoded at the layer's offsets. */
static zc_result zc__encode_chain(const zc__texture_plan *plan, zc_texels *source, uint32_t layer, uint8_t *payload,
                                  const uint64_t *offsets, const uint32_t *pitches, zc_diag *diag) {
    zc_texels level = *source;
    memset(source, 0, sizeof *source);
    uint32_t total = plan->skip + plan->mip_count;
    zc_result r = ZC_OK;
    for (uint32_t i = 0; i < total; ++i) {
        if (i > 0) {
            zc_texels next;
            r = zc__texels_halve(&level, plan->filter, &next);
            free(level.data);
            level = next;
            if (r != ZC_OK) {
                zc_fail(diag, r, "cannot build mip level %u: %s", i, zc_result_str(r));
                break;
            }
            if (plan->cutout) zc__texels_keep_coverage(&level, ZC_TEXTURE_CUTOUT_REFERENCE, plan->coverage);
        }
        if (i >= plan->skip)
            zc__texture_encode_level(plan->format, &level, payload + offsets[(size_t)(i - plan->skip) * plan->layers + layer],
                                     pitches[i - plan->skip]);
    }
    free(level.data);
    return r;
}

static zc_result zc__fill_views(zc_texture_image *img, const zc__texture_plan *plan, zc_diag *diag) {
    img->level_views = (zc_texture_level_view *)calloc(plan->mip_count, sizeof *img->level_views);
    if (!img->level_views) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for the level views");
    const zc_texture *t = (const zc_texture *)img->payload;
    const zc_texture_level *levels = (const zc_texture_level *)zc_array_data(&t->levels);
    for (uint32_t i = 0; i < plan->mip_count; ++i) {
        const zc_texture_level *l = &levels[(size_t)i * plan->layers]; /* layer 0 */
        zc_texture_level_view *v = &img->level_views[i];
        v->data = zc_array_data(&l->texels);
        v->size = l->texels.count;
        v->width = l->width;
        v->height = l->height;
        v->depth = l->depth;
        v->row_pitch = l->row_pitch;
    }
    return ZC_OK;
}

void zc__texture_free_sources(zc_texels *sources, uint32_t count) {
    for (uint32_t i = 0; i < count; ++i) {
        free(sources[i].data);
        sources[i].data = NULL;
    }
}

zc_result zc__texture_alloc_entry(const zc__texture_plan *plan, uint32_t width, uint32_t height,
                                  uint32_t row_pitch_align, zc_texture_image *img, uint64_t **offsets,
                                  uint32_t pitches[ZC_TEXTURE_MAX_MIPS], zc_diag *diag) {
    uint64_t size = zc__layout(plan, width, height, row_pitch_align, NULL, pitches);
    *offsets = size <= ZC_MAX_RAW_SIZE && size <= (uint64_t)SIZE_MAX
                   ? (uint64_t *)malloc((size_t)plan->mip_count * plan->layers * sizeof **offsets)
                   : NULL;
    uint8_t *payload = *offsets ? (uint8_t *)calloc(1, (size_t)size) : NULL;
    if (!payload) {
        free(*offsets);
        *offsets = NULL;
        if (size > ZC_MAX_RAW_SIZE || size > (uint64_t)SIZE_MAX)
            return zc_fail(diag, ZC_ERR_LIMIT, "texture entry of %llu bytes is too large", (unsigned long long)size);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for a texture entry of %llu bytes",
                       (unsigned long long)size);
    }
    zc__layout(plan, width, height, row_pitch_align, *offsets, pitches);
    img->payload = payload;
    img->size = (size_t)size;
    zc__write_records(payload, plan, width, height, row_pitch_align, *offsets, pitches);
    return ZC_OK;
}

zc_result zc__texture_finish_entry(const zc__texture_plan *plan, zc_texture_image *img, zc_diag *diag) {
    zc_diag check;
    zc_result r = zc_texture_check(img->payload, img->size, &check);
    if (r != ZC_OK)
        return zc_fail(diag, r, "internal error: the texture entry failed its own check: %s", check.message);
    return zc__fill_views(img, plan, diag);
}

/* Lay out, encode and check the entry for plan->layers decoded sources of one size
 * (all consumed). */
zc_result zc__texture_build_entry(const zc__texture_plan *plan, const zc_texture_settings *s, zc_texels *sources,
                                 zc_texture_image *img, zc_diag *diag) {
    uint32_t pitches[ZC_TEXTURE_MAX_MIPS];
    uint32_t width = sources[0].width >> plan->skip, height = sources[0].height >> plan->skip;
    uint64_t *offsets;
    zc_result r = zc__texture_alloc_entry(plan, width ? width : 1, height ? height : 1, s->row_pitch_align, img,
                                          &offsets, pitches, diag);
    if (r != ZC_OK) {
        zc__texture_free_sources(sources, plan->layers);
        return r;
    }
    for (uint32_t a = 0; a < plan->layers; ++a) {
        if (r == ZC_OK) r = zc__encode_chain(plan, &sources[a], a, (uint8_t *)img->payload, offsets, pitches, diag);
        free(sources[a].data); /* consumed by the chain, or left by a failure */
        sources[a].data = NULL;
    }
    free(offsets);
    return r == ZC_OK ? zc__texture_finish_entry(plan, img, diag) : r;
}

/* ---------------------------------------------------------------------------------
 * Limits before decoding: texels for the source's size, and the memory budget
 * ------------------------------------------------------------------------------- */

uint64_t zc_texture_memory_estimate(uint32_t w, uint32_t h, size_t size, uint32_t decode_bytes_per_texel, int hdr,
                                    const zc_texture_settings *settings) {
    zc_texture_settings s;
    if (zc__texture_resolve_settings(settings, &s, NULL) != ZC_OK) memset(&s, 0, sizeof s);
    if (s.row_pitch_align == 0) s.row_pitch_align = 1;
    if (w == 0 || h == 0) return size;
    /* the widest format the policy or the setting may choose, before level 0 is seen */
    zc_texture_choice choice = s.format != ZC_TEXTURE_CHOICE_AUTO ? s.format
                               : hdr                              ? ZC_TEXTURE_CHOICE_RGBA16F
                               : s.no_compress                    ? ZC_TEXTURE_CHOICE_RGBA8
                                                                  : ZC_TEXTURE_CHOICE_BC3;
    const zc_pixel_format_row *row = zc_pixel_format_row_for_choice(choice, 0);
    if (!row) row = zc_pixel_format_row_of(ZC_PIXEL_RGBA32_FLOAT);
    int is_float = (row->flags & ZC_PIXEL_ROW_FLOAT) != 0;
    zc__texture_plan plan;
    memset(&plan, 0, sizeof plan);
    plan.format = row->format;
    zc__plan_levels(&s, w, h, &plan);
    uint64_t offsets[ZC_TEXTURE_MAX_MIPS];
    uint32_t pitches[ZC_TEXTURE_MAX_MIPS];
    uint32_t lw = w >> plan.skip, lh = h >> plan.skip;
    uint64_t entry = zc__layout(&plan, lw ? lw : 1, lh ? lh : 1, s.row_pitch_align, offsets, pitches);
    uint64_t texels = (uint64_t)w * h;
    uint64_t padded = ((uint64_t)w + 16) * ((uint64_t)h + 16); /* JPEG decodes whole 16x16 blocks */
    uint64_t decode = padded * decode_bytes_per_texel;
    uint64_t level = texels * (hdr || is_float ? 16u : 4u);
    uint64_t widen = is_float && !hdr ? texels * 4u : 0; /* the RGBA8 level while its float copy is made */
    uint64_t pipeline = level + level / 4 + widen + entry; /* level i, level i+1, the entry */
    uint64_t rows = (uint64_t)w * 64u + 65536u;            /* resampler and decoder rows, headers */
    return (uint64_t)size + (decode > pipeline ? decode : pipeline) + rows;
}

/* Refuse a source declaring more texels than its size allows (before decoding). */
zc_result zc__texture_check_texels(const zc_texture_settings *s, int w, int h, size_t size, int hdr, zc_diag *diag) {
    uint64_t texels = (uint64_t)(uint32_t)w * (uint32_t)h;
    uint64_t per_byte = hdr ? ZC_TEXTURE_HDR_TEXELS_PER_BYTE : ZC_TEXTURE_TEXELS_PER_BYTE;
    uint64_t by_size = (uint64_t)size * per_byte;
    uint64_t limit = s->max_texels ? s->max_texels : by_size > ZC_TEXTURE_TEXEL_FLOOR ? by_size : ZC_TEXTURE_TEXEL_FLOOR;
    if (texels <= limit) return ZC_OK;
    return zc_fail(diag, ZC_ERR_LIMIT,
                   "image declares %dx%d (%llu texels) in a source of %zu bytes, more than the %llu texels allowed "
                   "(%s); a zcpack.json rule \"max_texels\": %llu for this file allows it",
                   w, h, (unsigned long long)texels, size, (unsigned long long)limit,
                   s->max_texels ? "its max_texels"
                   : hdr         ? "max(4096x4096, 4 per byte of an HDR source)"
                                 : "max(4096x4096, 64 per source byte)",
                   (unsigned long long)texels);
}

/* Take the import's estimated peak from the budget; *taken is what to give back. */
static zc_result zc__take_memory(const zc_texture_settings *s, const uint8_t *bytes, size_t size, int w, int h,
                                 int hdr, uint64_t *taken, zc_diag *diag) {
    *taken = 0;
    if (!s->budget) return ZC_OK;
    uint64_t need = zc_texture_memory_estimate((uint32_t)w, (uint32_t)h, size,
                                               zc__texture_decode_bytes_per_texel(bytes, size, hdr), hdr, s);
    zc_result r = zc_image_budget_acquire(s->budget, need);
    if (r == ZC_ERR_LIMIT)
        return zc_fail(diag, r,
                       "image is %dx%d: importing it needs about %llu MiB, more than the whole image memory "
                       "budget of %llu MiB (--max-memory)",
                       w, h, (unsigned long long)((need + (1u << 20) - 1) >> 20),
                       (unsigned long long)(zc_image_budget_limit(s->budget) >> 20));
    if (r != ZC_OK) return zc_fail(diag, r, "cannot reach the image memory budget");
    *taken = need;
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * Public functions
 * ------------------------------------------------------------------------------- */

static zc_result zc__import_decoded(const zc_texture_settings *settings, const uint8_t *bytes, size_t size,
                                    const char *name, int w, int h, int channels, int hdr, zc_texture_image *out,
                                    zc_diag *diag);

zc_result zc_texture_import_memory(const void *bytes, size_t size, const char *name,
                                   const zc_texture_settings *settings, zc_texture_image *out, zc_diag *diag) {
    if (out) memset(out, 0, sizeof *out);
    if (!out || (!bytes && size)) return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "no image or no output");
    zc_texture_settings s;
    zc_result r = zc__texture_resolve_settings(settings, &s, diag);
    if (r != ZC_OK) return r;
    int kept = 0;
    if (zc_dds_is((const uint8_t *)bytes, size) &&
        ((r = zc__dds_import_kept((const uint8_t *)bytes, size, name, &s, out, &kept, diag)) != ZC_OK || kept))
        return r;
    int w = 0, h = 0, channels = 0;
    if ((r = zc__texture_probe((const uint8_t *)bytes, size, s.max_dimension, &w, &h, &channels, diag)) != ZC_OK) return r;
    int hdr = zc__texture_is_hdr((const uint8_t *)bytes, size);
    if ((r = zc__texture_check_texels(&s, w, h, size, hdr, diag)) != ZC_OK) return r;
    uint64_t taken;
    if ((r = zc__take_memory(&s, (const uint8_t *)bytes, size, w, h, hdr, &taken, diag)) != ZC_OK) return r;
    r = zc__import_decoded(&s, (const uint8_t *)bytes, size, name, w, h, channels, hdr, out, diag);
    zc_image_budget_release(s.budget, taken);
    return r;
}

/* Decode a probed source and build its entry into *out (zeroed on error). */
static zc_result zc__import_decoded(const zc_texture_settings *settings, const uint8_t *bytes, size_t size,
                                    const char *name, int w, int h, int channels, int hdr, zc_texture_image *out,
                                    zc_diag *diag) {
    zc_result r;
    zc_texels source;
    if ((r = zc__texture_decode(bytes, size, hdr, w, h, &source, diag)) != ZC_OK) return r;
    zc__texture_plan plan;
    r = zc__texture_make_plan(settings, name, (uint32_t)channels, hdr, &source, &plan, diag);
    if (r == ZC_OK && plan.to_float) r = zc__texture_to_float(&source, plan.srgb, diag);
    if (r != ZC_OK) {
        free(source.data);
        return r;
    }
    out->source_width = (uint32_t)w;
    out->source_height = (uint32_t)h;
    out->source_channels = (uint32_t)channels;
    zc_texels *sources = NULL;
    if ((r = zc__make_layers(settings, &source, &plan, &sources, diag)) != ZC_OK) return r;
    r = zc__texture_build_entry(&plan, settings, sources, out, diag);
    free(sources);
    if (r != ZC_OK) zc_texture_image_free(out);
    return r;
}

zc_result zc_texture_import_file(const char *file_path, const char *name, const zc_texture_settings *settings,
                                 zc_texture_image *out, zc_diag *diag) {
    if (out) memset(out, 0, sizeof *out);
    if (!file_path || !out) return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "no file or no output");
    uint8_t *bytes;
    size_t size;
    zc_result r = zc__texture_read_file(file_path, &bytes, &size, diag);
    if (r != ZC_OK) return r;
    r = zc_texture_import_memory(bytes, size, name ? name : file_path, settings, out, diag);
    free(bytes);
    return r;
}

zc_result zc_texture_import_fd(int fd, const char *name, const zc_texture_settings *settings,
                               zc_texture_image *out, zc_diag *diag) {
    if (out) memset(out, 0, sizeof *out);
    if (fd < 0 || !name || !out) return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "no file or no output");
    uint8_t *bytes;
    size_t size;
    zc_result r = zc__texture_read_fd(fd, &bytes, &size, diag);
    if (r != ZC_OK) return r;
    r = zc_texture_import_memory(bytes, size, name, settings, out, diag);
    free(bytes);
    return r;
}

zc_result zc_texture_import_view(const zc_texture_image *image, zc_texture_view *out) {
    if (out) memset(out, 0, sizeof *out);
    if (!image || !out || !image->payload) return ZC_ERR_INVALID_ARGUMENT;
    return zc_texture_view_from_bytes(image->payload, image->size, out); /* the runtime's own view */
}

zc_result zc_texture_image_level(const zc_texture_image *image, uint32_t level, zc_texture_level_view *out) {
    if (!image || !out || !image->payload || !image->level_views) return ZC_ERR_INVALID_ARGUMENT;
    const zc_texture *t = (const zc_texture *)image->payload;
    if (level >= t->mip_count) return ZC_ERR_NO_ENTRY;
    *out = image->level_views[level];
    return ZC_OK;
}

void zc_texture_image_free(zc_texture_image *image) {
    if (!image) return;
    free(image->payload);
    free(image->level_views);
    memset(image, 0, sizeof *image);
}

/* ---------------------------------------------------------------------------------
 * Importer table rows (zc_importer.h)
 * ------------------------------------------------------------------------------- */

/* What a texture made from one file depends on besides its bytes: the settings (the
 * memory budget aside, which changes only when an import runs) and the normal-map
 * name rule's answer, the one thing the importer reads of the name. Zeroed first, so
 * the padding is too. */
typedef struct zc__texture_twin_context {
    char what[8];               /* "texture" and its NUL: keys of other importers differ */
    zc_texture_settings settings;
    uint32_t named_normal;
} zc__texture_twin_context;

/* Import the file at fd, or copy the entry of an earlier file of the build with the
 * same bytes and context from src->twins (and leave this one's there). */
static zc_result zc__texture_import_twin(const zc_import_source *src, int fd, const zc_texture_settings *s,
                                         zc_texture_image *img, zc_diag *diag) {
    uint8_t *bytes;
    size_t size;
    zc_result r = zc__texture_read_fd(fd, &bytes, &size, diag);
    if (r != ZC_OK) return r;
    zc__texture_twin_context context;
    memset(&context, 0, sizeof context);
    memcpy(context.what, "texture", 8);
    if (s) context.settings = *s;
    context.settings.budget = NULL;
    context.named_normal = (uint32_t)zc_texture_name_is_normal_map(src->entry_path);
    const zc__memo_key key = zc__memo_key_with(&context, sizeof context, bytes, size);
    uint32_t tag;
    const void *kept;
    size_t kept_size;
    memset(img, 0, sizeof *img);
    if (zc__memo_find(src->twins, &key, &tag, &kept, &kept_size) && kept) {
        if (!(img->payload = malloc(kept_size))) r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
        else memcpy(img->payload, kept, kept_size), img->size = kept_size;
    } else {
        r = zc_texture_import_memory(bytes, size, src->entry_path, s, img, diag);
        if (r == ZC_OK) zc__memo_put(src->twins, &key, ZC_TYPE_TEXTURE, img->payload, img->size);
    }
    free(bytes);
    return r;
}

zc_result zc__prepare_texture_reads(const zc_import_source *src, zc_import_output *out, char **reads, zc_diag *diag) {
    memset(out, 0, sizeof *out);
    if (reads) *reads = NULL;
    const zc_texture_settings *s = src->settings ? &src->settings->texture : NULL;
    zc_texture_image img;
    int handled;
    zc_result r = zc__texture_import_several(src, s, &img, reads, &handled, diag);
    if (r == ZC_OK && !handled) {
        int fd;
        if ((r = zc_import_open(src, &fd, diag)) == ZC_OK) {
            r = src->twins ? zc__texture_import_twin(src, fd, s, &img, diag)
                           : zc_texture_import_fd(fd, src->entry_path, s, &img, diag);
            zc__packer_sys.close(fd);
        }
    }
    if (r != ZC_OK) return r;
    free(img.level_views);
    out->type = ZC_TYPE_TEXTURE;
    out->layout_hash = ZC_TEXTURE_LAYOUT_HASH;
    out->align_log2 = ZC_TEXTURE_ENTRY_ALIGN_LOG2;
    out->payload = img.payload;
    out->size = img.size;
    return ZC_OK;
}

zc_result zc__prepare_texture(const zc_import_source *src, zc_import_output *out, zc_diag *diag) {
    return zc__prepare_texture_reads(src, out, NULL, diag);
}

zc_result zc__import_texture(const zc_import_source *src, zc_writer *w, zc_diag *diag) {
    zc_import_output out;
    zc_result r = zc__prepare_texture(src, &out, diag);
    if (r == ZC_OK) r = zc_import_output_write(&out, src->entry_path, w, diag);
    zc_import_output_free(&out);
    return r;
}
