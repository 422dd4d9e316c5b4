/* zc_model_texture.c - the textures a model's materials reference, found and imported
 * once each as P#texture/<t> (zc__model_texture in zc_model_internal.h).
 *
 * Finding the image a slot names (assimp gives the path as the file wrote it):
 *  1. embedded: "*N" is embedded texture N; any other path whose file name equals
 *     the file name of an embedded texture (assimp's own rule, e.g. FBX) is that one;
 *  2. external, with backslashes read as '/' and "%XX" escapes decoded as a second
 *     try: the path relative to the model's directory; then its file name alone in
 *     the model's directory (absolute paths from the author's machine land here);
 *     then a file name equal but for ASCII case, in the path's own directory and
 *     then in the model's (the first such name in byte order, so the choice does not
 *     depend on directory order); then, for a relative path without "..", the path
 *     from the asset root (Quake-family models name their skins from the game's
 *     root: "models/players/x/skin.tga"); the same again with blanks cut from both
 *     ends of the name; and last the same name with another image extension, or with
 *     one when it has none (id Tech engines load "skin.jpg" for a "skin.tga" that is
 *     not there, and MD3 and MDC shader names often carry no extension).
 * Relative paths may climb out of the model's directory ("../textures/a.png").
 *
 * Importing: external files through zc_texture_import_file; embedded compressed
 * images (aiTexture.mHeight == 0: mWidth bytes of PNG, JPEG, ...) through
 * zc_texture_import_memory; embedded raw texels (mHeight > 0: BGRA aiTexel) are
 * rewritten as an RGBA PNG in memory first, so every texture goes through the same
 * checked decoder. The settings are the model's texture settings with the slot's
 * colour space and normal-map switch. One entry per (image, colour space, normal
 * map): the image's identity is its real path or its embedded index.
 *
 * A missing image, or one the texture importer refuses, leaves the slot empty and
 * adds a note, except for the names assimp's importers make up for a material whose
 * file names no image ("$texture_dummy.bmp" for MD2 and the other Quake formats,
 * "dummy_texture.bmp" for MD3), which leave it empty silently when no such file exists; running out of memory fails the model. So does an embedded image (part
 * of the model file itself: a glTF data: URI, a GLB or FBX chunk) that a limit
 * refuses (ZC_ERR_LIMIT: more texels than its bytes allow, past the dimension cap,
 * more than the whole image memory budget), as the same bytes in a file of their own
 * would fail that file: a model cannot carry a decompression bomb past the limits by
 * embedding it.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <ctype.h>
#include <errno.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <assimp/scene.h>
#include <assimp/texture.h>
#include <stb/stb_image_write.h>

#include "zc_import_texture.h"
#include "zc_model_internal.h"
#include "zc_packer_os.h"

/* ---------------------------------------------------------------------------------
 * Embedded textures
 * ------------------------------------------------------------------------------- */

static const char *zc__short_name(const char *path) {
    const char *slash = strrchr(path, '/'), *back = strrchr(path, '\\');
    const char *last = slash > back ? slash : back;
    return last ? last + 1 : path;
}

/* Index of the embedded texture `path` names, -1 when none; *bad is set for a "*N"
 * that names no texture. */
static long zc__embedded_index(const struct aiScene *scene, const char *path, int *bad) {
    *bad = 0;
    if (path[0] == '*') {
        char *end;
        unsigned long n = strtoul(path + 1, &end, 10);
        if (end == path + 1 || *end != 0 || n >= scene->mNumTextures || !scene->mTextures[n]) {
            *bad = 1;
            return -1;
        }
        return (long)n;
    }
    const char *name = zc__short_name(path);
    for (unsigned i = 0; *name && i < scene->mNumTextures; ++i)
        if (scene->mTextures[i] && strcmp(zc__short_name(scene->mTextures[i]->mFilename.data), name) == 0)
            return (long)i;
    return -1;
}

typedef struct zc__bytes {
    unsigned char *data;
    size_t size, cap;
    int failed;
} zc__bytes;

static void zc__bytes_append(void *context, void *data, int size) {
    zc__bytes *out = context;
    if (out->failed || size <= 0) return;
    if (out->size + (size_t)size > out->cap) {
        size_t cap = out->cap ? out->cap : 65536;
        while (cap < out->size + (size_t)size) cap *= 2;
        unsigned char *grown = realloc(out->data, cap);
        if (!grown) {
            out->failed = 1;
            return;
        }
        out->data = grown;
        out->cap = cap;
    }
    memcpy(out->data + out->size, data, (size_t)size);
    out->size += (size_t)size;
}

/* Raw BGRA texels -> an RGBA PNG in memory. ZC_ERR_LIMIT beyond the dimension cap. */
static zc_result zc__raw_to_png(const struct aiTexture *tex, uint32_t max_dimension, zc__bytes *png, zc_diag *diag) {
    memset(png, 0, sizeof *png);
    if (tex->mWidth > max_dimension || tex->mHeight > max_dimension || !tex->pcData)
        return zc_fail(diag, ZC_ERR_LIMIT, "embedded image of %ux%u texels is beyond the %u limit", tex->mWidth,
                       tex->mHeight, max_dimension);
    size_t count = (size_t)tex->mWidth * tex->mHeight;
    unsigned char *rgba = malloc(count * 4);
    if (!rgba) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory converting an embedded image");
    for (size_t i = 0; i < count; ++i) {
        const struct aiTexel *t = &tex->pcData[i];
        rgba[i * 4 + 0] = t->r;
        rgba[i * 4 + 1] = t->g;
        rgba[i * 4 + 2] = t->b;
        rgba[i * 4 + 3] = t->a;
    }
    int ok = stbi_write_png_to_func(zc__bytes_append, png, (int)tex->mWidth, (int)tex->mHeight, 4, rgba,
                                    (int)tex->mWidth * 4);
    free(rgba);
    if (!ok || png->failed) {
        free(png->data);
        memset(png, 0, sizeof *png);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory encoding an embedded image");
    }
    return ZC_OK;
}

static zc_result zc__import_embedded(const struct aiTexture *tex, const zc_texture_settings *s, zc_texture_image *img,
                                     zc_diag *diag) {
    if (tex->mHeight == 0) {
        if (!tex->pcData) return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the embedded image holds no bytes");
        return zc_texture_import_memory(tex->pcData, tex->mWidth, NULL, s, img, diag);
    }
    zc__bytes png;
    uint32_t cap = s->max_dimension ? s->max_dimension : ZC_TEXTURE_DEFAULT_MAX_DIMENSION;
    zc_result r = zc__raw_to_png(tex, cap, &png, diag);
    if (r != ZC_OK) return r;
    r = zc_texture_import_memory(png.data, png.size, NULL, s, img, diag);
    free(png.data);
    return r;
}

/* ---------------------------------------------------------------------------------
 * External files
 * ------------------------------------------------------------------------------- */

static int zc__is_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *zc__model_join(const char *dir, size_t dir_len, const char *name) {
    size_t n = strlen(name);
    char *out = malloc(dir_len + n + 2);
    if (!out) return NULL;
    if (dir_len) {
        memcpy(out, dir, dir_len);
        out[dir_len] = '/';
        memcpy(out + dir_len + 1, name, n + 1);
    } else {
        memcpy(out, name, n + 1);
    }
    return out;
}

/* The file in `dir` whose name equals `name` but for ASCII case, first in byte
 * order; malloc'd full path or NULL. An allocation that fails sets *oom. */
static char *zc__case_match(const char *dir, size_t dir_len, const char *name, int *oom) {
    char *dir_z = dir_len ? strndup(dir, dir_len) : strdup(".");
    if (!dir_z) {
        *oom = 1;
        return NULL;
    }
    DIR *d = opendir(dir_z);
    char *best = NULL;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (strcasecmp(e->d_name, name) == 0 && (!best || strcmp(e->d_name, best) < 0)) {
                free(best);
                if (!(best = strdup(e->d_name))) *oom = 1;
            }
        closedir(d);
    }
    char *found = NULL;
    if (best) {
        found = zc__model_join(dir_z, strlen(dir_z), best);
        if (!found) *oom = 1;
        if (found && !zc__is_file(found)) {
            free(found);
            found = NULL;
        }
    }
    free(best);
    free(dir_z);
    if (*oom) {
        free(found);
        found = NULL;
    }
    return found;
}

/* Try the candidates of one spelling of the path (already '/'-separated). An
 * allocation that fails sets *oom (the search stops: "not found" would be a guess). */
static char *zc__resolve_spelling(const char *model_dir, const char *rel, int *oom) {
    size_t dir_len = strlen(model_dir);
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    if (!*base) return NULL;
    int absolute = rel[0] == '/' || (isalpha((unsigned char)rel[0]) && rel[1] == ':');
    char *p;
    if (!absolute) {
        if (!(p = zc__model_join(model_dir, dir_len, rel))) goto out_of_memory;
        if (zc__is_file(p)) return p;
        free(p);
    }
    if (!(p = zc__model_join(model_dir, dir_len, base))) goto out_of_memory;
    if (zc__is_file(p)) return p;
    free(p);
    if (!absolute && base != rel) {
        char *sub = zc__model_join(model_dir, dir_len, rel); /* model_dir/<rel's directory>/base */
        if (!sub) goto out_of_memory;
        size_t sub_dir = strlen(sub) - strlen(base) - 1;
        p = zc__case_match(sub, sub_dir, base, oom);
        free(sub);
        if (p || *oom) return p;
    }
    return zc__case_match(model_dir, dir_len, base, oom);
out_of_memory:
    *oom = 1;
    return NULL;
}

/* One spelling of a path ('/'-separated): beside the model (zc__resolve_spelling),
 * then, when it is relative and has no ".." component, from the asset root, the
 * file name in another ASCII case last. */
static char *zc__resolve_in_tree(const zc__model_build *b, const char *rel, int *oom) {
    char *found = zc__resolve_spelling(b->model_dir, rel, oom);
    if (found || *oom || rel[0] == '/' || (isalpha((unsigned char)rel[0]) && rel[1] == ':') ||
        strcmp(b->root_real, "/") == 0)
        return found;
    for (const char *c = rel;;) {
        if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || c[2] == 0)) return NULL;
        const char *slash = strchr(c, '/');
        if (!slash) break;
        c = slash + 1;
    }
    char *p = zc__model_join(b->root_real, strlen(b->root_real), rel);
    if (!p) {
        *oom = 1;
        return NULL;
    }
    if (zc__is_file(p)) return p;
    const char *base = strrchr(p, '/') + 1;
    found = *base ? zc__case_match(p, (size_t)(base - p - 1), base, oom) : NULL;
    free(p);
    return found;
}

/* Image extensions tried for a name whose file is not there, in this order. */
static const char *const zc__image_extensions[] = { "tga", "jpg", "jpeg", "png", "dds", "bmp", "pcx", "webp", NULL };

/* rel with another image extension: its own (when it is one of the list) replaced,
 * or one appended (when it has another or none), trying each of the list in order. */
static char *zc__resolve_other_extension(const zc__model_build *b, const char *rel, int *oom) {
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    if (!*base) return NULL;
    const char *dot = strrchr(base, '.');
    size_t stem = strlen(rel);
    int own = -1;
    for (int i = 0; dot && dot != base && zc__image_extensions[i]; ++i)
        if (strcasecmp(dot + 1, zc__image_extensions[i]) == 0) {
            stem = (size_t)(dot - rel);
            own = i;
        }
    char *name = malloc(stem + 8);
    if (!name) {
        *oom = 1;
        return NULL;
    }
    memcpy(name, rel, stem);
    char *found = NULL;
    for (int i = 0; !found && !*oom && zc__image_extensions[i]; ++i) {
        if (i == own) continue;
        name[stem] = '.';
        strcpy(name + stem + 1, zc__image_extensions[i]);
        found = zc__resolve_in_tree(b, name, oom);
    }
    free(name);
    return found;
}

/* Decode "%XX" escapes in place; 1 when something changed. */
static int zc__percent_decode(char *s) {
    char *out = s;
    int changed = 0;
    for (const char *in = s; *in; ++in) {
        if (in[0] == '%' && isxdigit((unsigned char)in[1]) && isxdigit((unsigned char)in[2])) {
            char hex[3] = { in[1], in[2], 0 };
            char c = (char)strtol(hex, NULL, 16);
            if (c) {
                *out++ = c;
                in += 2;
                changed = 1;
                continue;
            }
        }
        *out++ = *in;
    }
    *out = 0;
    return changed;
}

/* Cut spaces, tabs and line ends from both ends of s, in place; the start of what is
 * left, and *changed set when something was cut. (Material files written by hand
 * or by old exporters end names with tabs or a stray carriage return.) */
static char *zc__trim_blanks(char *s, int *changed) {
    char *start = s, *end = s + strlen(s);
    while (*start == ' ' || *start == '\t') ++start;
    while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n')) --end;
    *changed = start != s || *end != 0;
    *end = 0;
    return start;
}

/* The existing file `source` names, malloc'd; NULL when none is found, or with *oom
 * set when an allocation failed on the way. Spellings tried in order: as written,
 * with %XX escapes decoded, with blanks cut from both ends, with another image
 * extension (the top of this file). */
static char *zc__resolve_external(const zc__model_build *b, const char *source, int *oom) {
    *oom = 0;
    char *rel = strdup(source);
    if (!rel) {
        *oom = 1;
        return NULL;
    }
    for (char *c = rel; *c; ++c)
        if (*c == '\\') *c = '/';
    char *start = rel;
    while (start[0] == '.' && start[1] == '/') start += 2;
    char *found = zc__resolve_in_tree(b, start, oom);
    if (!found && !*oom && zc__percent_decode(start)) found = zc__resolve_in_tree(b, start, oom);
    int trimmed = 0;
    if (!found && !*oom && (start = zc__trim_blanks(start, &trimmed)) != NULL && trimmed && *start)
        found = zc__resolve_in_tree(b, start, oom);
    if (!found && !*oom && *start) found = zc__resolve_other_extension(b, start, oom);
    free(rel);
    return found;
}

/* ---------------------------------------------------------------------------------
 * Deduplication and entries
 * ------------------------------------------------------------------------------- */

static zc__model_texture_ref *zc__find_ref(zc__model_build *b, const char *key, int srgb, int normal_map) {
    for (size_t i = 0; i < b->texture_ref_count; ++i) {
        zc__model_texture_ref *t = &b->textures[i];
        if (t->srgb == srgb && t->normal_map == normal_map && strcmp(t->key, key) == 0) return t;
    }
    return NULL;
}

static zc_result zc__add_ref(zc__model_build *b, char *key, int srgb, int normal_map, uint64_t id, zc_diag *diag) {
    if (b->texture_ref_count == b->texture_ref_cap) {
        size_t cap = b->texture_ref_cap ? b->texture_ref_cap * 2 : 8;
        zc__model_texture_ref *grown = realloc(b->textures, cap * sizeof *grown);
        if (!grown) {
            free(key);
            return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
        }
        b->textures = grown;
        b->texture_ref_cap = cap;
    }
    b->textures[b->texture_ref_count++] = (zc__model_texture_ref){ key, srgb, normal_map, id };
    return ZC_OK;
}

/* Import one source as the next P#texture/<t>; *out_id 0 when the importer refuses it. */
static zc_result zc__import_new(zc__model_build *b, const struct aiScene *scene, long embedded, const char *file,
                                int srgb, int normal_map, const char *what, const char *shown, uint64_t *out_id,
                                zc_diag *diag) {
    zc_texture_settings s = b->settings.texture;
    s.srgb = srgb ? ZC_SWITCH_ON : ZC_SWITCH_OFF;
    s.normal_map = normal_map ? ZC_SWITCH_ON : ZC_SWITCH_OFF;
    zc_texture_image img;
    zc_diag sub;
    zc_result r = embedded >= 0 ? zc__import_embedded(scene->mTextures[embedded], &s, &img, &sub)
                                : zc_texture_import_file(file, file, &s, &img, &sub);
    *out_id = 0;
    if (r == ZC_ERR_OUT_OF_MEMORY) return zc_fail(diag, r, "texture \"%s\": %s", shown, sub.message);
    if (r == ZC_ERR_LIMIT && embedded >= 0) /* short prefix: the limit's sentence is long */
        return zc_fail(diag, r, "embedded image \"%s\": %s", shown, sub.message);
    if (r != ZC_OK) {
        zc__model_note(b, "%s: texture \"%s\" cannot be imported (%s): slot left empty", what, shown, sub.message);
        return ZC_OK;
    }
    free(img.level_views);
    uint32_t t = b->texture_count;
    r = zc__model_add_entry(b, zc__model_part_path(b, "texture", t), ZC_TYPE_TEXTURE, ZC_TEXTURE_LAYOUT_HASH,
                            ZC_TEXTURE_ENTRY_ALIGN_LOG2, img.payload, img.size, NULL, 0, diag);
    if (r != ZC_OK) return r;
    b->texture_count++;
    *out_id = zc__model_part_id(b, "texture", t);
    return ZC_OK;
}

/* 1 when `path` is a name assimp makes up for a material without an image. */
static int zc__assimp_placeholder(const char *path) {
    return strcmp(path, "$texture_dummy.bmp") == 0 || strcmp(path, "dummy_texture.bmp") == 0;
}

zc_result zc__model_texture(zc__model_build *b, const struct aiScene *scene, const char *path, int srgb,
                            int normal_map, const char *what, uint64_t *out_id, zc_diag *diag) {
    *out_id = 0;
    char shown[ZC__MODEL_NOTE_NAME * 2 + 1];
    zc__model_utf8_copy(path, strlen(path), shown, sizeof shown - 1);
    int bad = 0;
    long embedded = zc__embedded_index(scene, path, &bad);
    if (bad) {
        zc__model_note(b, "%s: embedded texture \"%s\" is not in the file: slot left empty", what, shown);
        return ZC_OK;
    }
    char *file = NULL, key[64];
    if (embedded < 0) {
        int oom;
        file = zc__resolve_external(b, path, &oom);
        if (!file && oom) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory looking for texture \"%s\"", shown);
        if (!file && !zc__assimp_placeholder(path))
            zc__model_note(b, "%s: texture \"%s\" not found: slot left empty", what, shown);
        if (!file) return ZC_OK;
    }
    char resolved[PATH_MAX];
    errno = 0;
    if (file && !zc__model_inside_root(b, file, NULL)) {
        free(file);
        if (errno == ENOMEM) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory looking for texture \"%s\"", shown);
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "%s: texture \"%s\" lies outside the asset root", what, shown);
    }
    char *identity = embedded >= 0 ? (snprintf(key, sizeof key, "embedded:%ld", embedded), key)
                                   : realpath(file, resolved) ? resolved : file;
    if (identity == resolved && !zc__model_read(b, resolved)) {
        free(file);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    }
    const zc__model_texture_ref *seen = zc__find_ref(b, identity, srgb, normal_map);
    if (seen) {
        free(file);
        *out_id = seen->id;
        if (!seen->id)
            zc__model_note(b, "%s: texture \"%s\" could not be imported (see above): slot left empty", what, shown);
        return ZC_OK;
    }
    char *stored = strdup(identity);
    if (!stored) {
        free(file);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    }
    zc_result r = zc__import_new(b, scene, embedded, file, srgb, normal_map, what, shown, out_id, diag);
    free(file);
    if (r != ZC_OK) {
        free(stored);
        return r;
    }
    return zc__add_ref(b, stored, srgb, normal_map, *out_id, diag);
}
