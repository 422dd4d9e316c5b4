/* zc_texture_layer_files.c - textures of several files (zc_import_texture.h): the six
 * faces of a cube map, the layers of an array from a folder or from a layer list
 * (".texarray"). Which files belong together is zc_texture_groups.c's; each file is
 * read, probed, decoded and planned through the importer's own steps
 * (zc_import_texture_internal.h).
 *
 * Every file's bytes are hostile; the checks of a single file's import apply to each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb/stb_image.h>

#include "zc_image_budget.h"
#include "zc_import_texture_internal.h"
#include "zc_importer.h"
#include "zc_packer_sys.h"

/* ---------------------------------------------------------------------------------
 * Several files, each one layer (zc_import_texture.h)
 * ------------------------------------------------------------------------------- */

/* One layer file (a cube face or an array layer) read whole and probed. */
typedef struct zc__layer_file {
    uint8_t *bytes;
    size_t size;
    int w, h, channels, hdr;
} zc__layer_file;

/* What a layer of a cube map or of an array is called in messages. */
static const char *zc__layer_word(int cube) {
    return cube ? "cube face" : "array layer";
}

/* Read and probe layer file `path` against the settings and layer 0 (when given). */
static zc_result zc__read_layer(const zc_texture_settings *s, int cube, const char *path, const zc__layer_file *first,
                                zc__layer_file *f, zc_diag *diag) {
    memset(f, 0, sizeof *f);
    zc_diag why;
    why.message[0] = 0;
    zc_result r = zc__texture_read_file(path, &f->bytes, &f->size, &why);
    if (r == ZC_OK) r = zc__texture_probe(f->bytes, f->size, s->max_dimension, &f->w, &f->h, &f->channels, &why);
    if (r == ZC_OK) {
        f->hdr = zc__texture_is_hdr(f->bytes, f->size);
        r = zc__texture_check_texels(s, f->w, f->h, f->size, f->hdr, &why);
    }
    if (r == ZC_OK && cube && f->w != f->h)
        r = zc_fail(&why, ZC_ERR_BAD_SOURCE, "a cube face must be square; this image is %dx%d", f->w, f->h);
    if (r == ZC_OK && first && (f->w != first->w || f->h != first->h || f->hdr != first->hdr))
        r = zc_fail(&why, ZC_ERR_BAD_SOURCE, "%s is %dx%d%s, the %s %dx%d%s: they must match", cube ? "face" : "layer",
                    f->w, f->h, f->hdr ? " HDR" : "", cube ? "+X face" : "first layer", first->w, first->h,
                    first->hdr ? " HDR" : "");
    if (r != ZC_OK) return zc_fail(diag, r, "%s %s: %s", zc__layer_word(cube), path, why.message);
    return ZC_OK;
}

/* Take the estimated peak of decoding every file from the budget at once, so two
 * imports of many files cannot each hold part of it. */
static zc_result zc__take_layers_memory(const zc_texture_settings *s, const zc__layer_file *files, uint32_t count,
                                        uint64_t *taken, zc_diag *diag) {
    *taken = 0;
    if (!s->budget) return ZC_OK;
    uint64_t need = 0;
    for (uint32_t i = 0; i < count; ++i)
        need += zc_texture_memory_estimate((uint32_t)files[i].w, (uint32_t)files[i].h, files[i].size,
                                           zc__texture_decode_bytes_per_texel(files[i].bytes, files[i].size, files[i].hdr),
                                           files[i].hdr, s);
    zc_result r = zc_image_budget_acquire(s->budget, need);
    if (r != ZC_OK)
        return zc_fail(diag, r, "the %u images need about %llu MiB, more than the image memory budget allows", count,
                       (unsigned long long)((need + (1u << 20) - 1) >> 20));
    *taken = need;
    return ZC_OK;
}

/* The texture of `count` files, each one layer (cube: the six faces in order). */
static zc_result zc__import_layer_files(const char *const *paths, uint32_t count, int cube, const char *name,
                                        const zc_texture_settings *settings, zc_texture_image *out, zc_diag *diag) {
    if (out) memset(out, 0, sizeof *out);
    if (!paths || !name || !out || count == 0) return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "no files, name or output");
    if (count > ZC_TEXTURE_MAX_LAYERS)
        return zc_fail(diag, ZC_ERR_LIMIT, "%u images are more than the %u layers a texture holds", count,
                       ZC_TEXTURE_MAX_LAYERS);
    for (uint32_t i = 0; i < count; ++i)
        if (!paths[i]) return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "%s %u has no file", zc__layer_word(cube), i);
    zc_texture_settings s;
    zc_result r = zc__texture_resolve_settings(settings, &s, diag);
    if (r != ZC_OK) return r;
    if (s.cubemap == ZC_SWITCH_ON || s.layers > 1)
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "a texture of several files: cubemap and layers must be unset");
    zc__layer_file *files = (zc__layer_file *)calloc(count, sizeof *files);
    zc_texels *layers = (zc_texels *)calloc(count, sizeof *layers);
    if (!files || !layers) r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for %u images", count);
    for (uint32_t i = 0; i < count && r == ZC_OK; ++i)
        r = zc__read_layer(&s, cube, paths[i], i ? &files[0] : NULL, &files[i], diag);
    uint64_t taken = 0;
    if (r == ZC_OK) r = zc__take_layers_memory(&s, files, count, &taken, diag);
    for (uint32_t i = 0; i < count && r == ZC_OK; ++i) {
        zc_diag why;
        why.message[0] = 0;
        r = zc__texture_decode(files[i].bytes, files[i].size, files[i].hdr, files[i].w, files[i].h, &layers[i], &why);
        if (r != ZC_OK) r = zc_fail(diag, r, "%s %s: %s", zc__layer_word(cube), paths[i], why.message);
        free(files[i].bytes);
        files[i].bytes = NULL;
    }
    zc__texture_plan plan;
    if (r == ZC_OK) r = zc__texture_make_plan(&s, name, (uint32_t)files[0].channels, files[0].hdr, &layers[0], &plan, diag);
    for (uint32_t i = 0; i < count && r == ZC_OK && plan.to_float; ++i) r = zc__texture_to_float(&layers[i], plan.srgb, diag);
    if (r == ZC_OK) {
        plan.layers = count;
        if (cube) plan.flags |= ZC_TEXTURE_CUBE;
        out->source_width = (uint32_t)files[0].w;
        out->source_height = (uint32_t)files[0].h;
        out->source_channels = (uint32_t)files[0].channels;
        r = zc__texture_build_entry(&plan, &s, layers, out, diag); /* consumes the layers */
        if (r != ZC_OK) zc_texture_image_free(out);
    } else if (layers) {
        zc__texture_free_sources(layers, count);
    }
    for (uint32_t i = 0; files && i < count; ++i) free(files[i].bytes);
    free(files);
    free(layers);
    zc_image_budget_release(s.budget, taken);
    return r;
}

zc_result zc_texture_import_cube_files(const char *const file_paths[6], const char *name,
                                       const zc_texture_settings *settings, zc_texture_image *out, zc_diag *diag) {
    return zc__import_layer_files(file_paths, 6, 1, name, settings, out, diag);
}

zc_result zc_texture_import_array_files(const char *const *file_paths, uint32_t count, const char *name,
                                        const zc_texture_settings *settings, zc_texture_image *out, zc_diag *diag) {
    return zc__import_layer_files(file_paths, count, 0, name, settings, out, diag);
}

/* ---------------------------------------------------------------------------------
 * The importer's row: which files the source brings along
 * ------------------------------------------------------------------------------- */

/* The files that make one texture with the source (settings cube_faces or
 * array_folder): *paths (free with zc_texture_array_files_free), *count and the
 * source's place *index; *count 0 when the source stands alone. */
static zc_result zc__texture_group(const zc_import_source *src, const zc_texture_settings *s, char ***paths,
                                   uint32_t *count, uint32_t *index, zc_diag *diag) {
    *paths = NULL;
    *count = *index = 0;
    int face = s && s->cube_faces ? zc_texture_cube_face(src->file_path) : -1;
    if (face >= 0) {
        if (!(*paths = (char **)calloc(6, sizeof **paths)))
            return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory naming the cube faces");
        *count = 6;
        *index = (uint32_t)face;
        for (int f = 0; f < 6; ++f)
            if (!((*paths)[f] = zc_texture_cube_face_name(src->file_path, f)))
                return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory naming the cube faces");
        return ZC_OK;
    }
    if (s && s->array_folder) return zc_texture_array_files(src->file_path, paths, count, index, diag);
    return ZC_OK;
}

/* The `count` paths as one newline-separated string in *reads (NULL when count is 0);
 * on failure frees the image. */
static zc_result zc__list_reads(char *const *paths, uint32_t count, zc_texture_image *img, char **reads,
                                zc_diag *diag) {
    if (count == 0) return ZC_OK;
    size_t total = 0;
    for (uint32_t i = 0; i < count; ++i) total += strlen(paths[i]) + 1;
    if (!(*reads = (char *)malloc(total))) {
        zc_texture_image_free(img);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory listing the files read");
    }
    char *at = *reads;
    for (uint32_t i = 0; i < count; ++i) {
        size_t n = strlen(paths[i]);
        memcpy(at, paths[i], n);
        at[n] = i + 1 < count ? '\n' : 0;
        at += n + 1;
    }
    return ZC_OK;
}

/* The group's texture, from its first file's import; the other files in *reads. A
 * later member of the group fails: the first file names the texture and reads it. */
static zc_result zc__import_group(const zc_import_source *src, const zc_texture_settings *s, char **paths,
                                  uint32_t count, uint32_t index, zc_texture_image *img, char **reads, zc_diag *diag) {
    int cube = s->cube_faces && zc_texture_cube_face(src->file_path) >= 0;
    if (index > 0) {
        /* the first file as an entry path: the source's folder and the first's name */
        const char *name = strrchr(paths[0], '/');
        name = name ? name + 1 : paths[0];
        const char *folder_end = strrchr(src->entry_path, '/');
        int folder = folder_end ? (int)(folder_end - src->entry_path + 1) : 0;
        char first[1024];
        snprintf(first, sizeof first, "%.*s%s", folder, src->entry_path, name);
        return zc_fail(diag, ZC_ERR_BAD_SOURCE,
                       cube ? "a face of a cube map (\"cubemap_faces\") whose +X face %s is not in the tree; the +X "
                              "face file names the cube and reads the other five"
                            : "a layer of a texture array (\"array_folder\") whose first file %s is not in the tree; "
                              "the first file names the array and reads the others",
                       first);
    }
    zc_result r = cube ? zc_texture_import_cube_files((const char *const *)paths, src->entry_path, s, img, diag)
                       : zc_texture_import_array_files((const char *const *)paths, count, src->entry_path, s, img, diag);
    if (r == ZC_OK && reads) r = zc__list_reads(paths + 1, count - 1, img, reads, diag);
    return r;
}

/* The texture array a layer list names (ZC_TEXTURE_LIST_EXTENSION); every layer file
 * in *reads. */
static zc_result zc__import_layer_list(const zc_import_source *src, const zc_texture_settings *s,
                                       zc_texture_image *img, char **reads, zc_diag *diag) {
    int fd;
    uint8_t *text = NULL;
    size_t size = 0;
    if (src->size > ZC_TEXTURE_LIST_MAX_BYTES) /* refused before it is read; the parser checks again */
        return zc_fail(diag, ZC_ERR_LIMIT, "a layer list of %llu bytes is larger than the %u bytes one may have",
                       (unsigned long long)src->size, ZC_TEXTURE_LIST_MAX_BYTES);
    zc_result r = zc_import_open(src, &fd, diag);
    if (r != ZC_OK) return r;
    r = zc__texture_read_fd(fd, &text, &size, diag);
    zc__packer_sys.close(fd);
    char **paths = NULL;
    uint32_t count = 0;
    if (r == ZC_OK) r = zc_texture_list_files(src->file_path, (const char *)text, size, &paths, &count, diag);
    free(text);
    if (r == ZC_OK)
        r = zc_texture_import_array_files((const char *const *)paths, count, src->entry_path, s, img, diag);
    if (r == ZC_OK && reads) r = zc__list_reads(paths, count, img, reads, diag);
    zc_texture_array_files_free(paths, count);
    return r;
}


zc_result zc__texture_import_several(const zc_import_source *src, const zc_texture_settings *s,
                                     zc_texture_image *img, char **reads, int *handled, zc_diag *diag) {
    *handled = 1;
    if (zc_texture_is_layer_list(src->entry_path)) return zc__import_layer_list(src, s, img, reads, diag);
    char **paths;
    uint32_t count, index;
    zc_result r = zc__texture_group(src, s, &paths, &count, &index, diag);
    if (r == ZC_OK && count) r = zc__import_group(src, s, paths, count, index, img, reads, diag);
    else if (r == ZC_OK) *handled = 0;
    zc_texture_array_files_free(paths, count);
    return r;
}
