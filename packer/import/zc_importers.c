/* zc_importers.c - the one table of importers (see zc_importer.h). */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "zc_entry_types.h"
#include "zc_importer.h"
#include "zc_packer_sys.h"
#include "zc_pixel_formats.h"
#include "zc_texture_pixels.h"

static const char *const zc__texture_extensions[] = {
    "png", "jpg", "jpeg", "tga", "bmp", "psd", "gif", "hdr", "exr", "webp", "dds", "pcx", "sgi", "tif", "tiff",
    "rgb", "rgba", "bw", "int", "inta", ZC_TEXTURE_LIST_EXTENSION, NULL,
};

static int zc__is_sgi(const uint8_t *head, size_t n, uint64_t size) {
    (void)size;
    return zc_sgi_is(head, n);
}

/* SGI images under the names raw pixel dumps also use. */
static const zc_import_shared_name zc__texture_shared[] = {
    { "rgb", zc__is_sgi, "an SGI image" },
    { "rgba", zc__is_sgi, "an SGI image" },
    { "bw", zc__is_sgi, "an SGI image" },
    { "int", zc__is_sgi, "an SGI image" },
    { "inta", zc__is_sgi, "an SGI image" },
    { NULL, NULL, NULL },
};

/* "AC3D" first, after a UTF-8 byte order mark if any. */
static int zc__is_ac3d(const uint8_t *head, size_t n, uint64_t size) {
    (void)size;
    if (n >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0) head += 3, n -= 3;
    return n >= 4 && memcmp(head, "AC3D", 4) == 0;
}

/* ASCII STL starts with "solid" (after blanks); binary STL is an 80-byte header, a
 * 32-bit triangle count and 50 bytes per triangle. */
static int zc__is_stl(const uint8_t *head, size_t n, uint64_t size) {
    size_t i = 0;
    while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) ++i;
    if (n - i >= 5 && memcmp(head + i, "solid", 5) == 0) return 1;
    if (n < 84) return 0;
    uint64_t count = (uint64_t)head[80] | (uint64_t)head[81] << 8 | (uint64_t)head[82] << 16 | (uint64_t)head[83] << 24;
    return count ? size >= 84 + 50 * count : size == 84;
}

/* DirectX files start with "xof ". */
static int zc__is_xfile(const uint8_t *head, size_t n, uint64_t size) {
    (void)size;
    return n >= 4 && memcmp(head, "xof ", 4) == 0;
}

/* ASCII Scene Export files start with '*' ("*3DSMAX_ASCIIEXPORT"), after blanks and
 * a UTF-8 or UTF-16 byte order mark if any (assimp reads both encodings); an Aseprite
 * sprite, the other file named .ase a game tree holds, has its 16-bit magic 0xA5E0
 * after its 32-bit size (whose first byte may be '*'). */
static int zc__is_ascii_scene(const uint8_t *head, size_t n, uint64_t size) {
    (void)size;
    if (n >= 6 && head[4] == 0xE0 && head[5] == 0xA5) return 0;
    size_t i = n >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0 ? 3 : n >= 2 && (head[0] == 0xFF || head[0] == 0xFE) ? 2 : 0;
    while (i < n && (head[i] == 0 || head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) ++i;
    return i < n && head[i] == '*';
}

/* AC3D models (".ac" is also autoconf's input), ASCII Scene Export models (".ase" also
 * Aseprite's and Adobe's swatches), STL models (".stl" also SuperTux's
 * levels), DirectX models (".x" also rpcgen's and lex's input). */
static const zc_import_shared_name zc__model_shared[] = {
    { "ac", zc__is_ac3d, "an AC3D model" },
    { "acc", zc__is_ac3d, "an AC3D model" },
    { "ase", zc__is_ascii_scene, "an ASCII Scene Export model" },
    { "stl", zc__is_stl, "an STL model" },
    { "x", zc__is_xfile, "a DirectX model" },
    { NULL, NULL, NULL },
};

/* The shared name of `path` in `names`, NULL when its extension is not one of them. */
static const zc_import_shared_name *zc__shared_name_of(const zc_import_shared_name *names, const char *path);

/* The first bytes of src (at most ZC_IMPORT_HEAD) and its size: the count read, or -1
 * when it cannot be opened or read (the importer's own step then reports why). */
static ssize_t zc__read_head(const zc_import_source *src, uint8_t head[ZC_IMPORT_HEAD], uint64_t *size) {
    int fd;
    if (zc_import_open(src, &fd, NULL) != ZC_OK) return -1;
    struct stat st;
    *size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : src->size;
    ssize_t n;
    do n = zc__packer_sys.pread(fd, head, ZC_IMPORT_HEAD, 0);
    while (n < 0 && errno == EINTR);
    zc__packer_sys.close(fd);
    return n;
}

/* *out is the blob row's output for src, with `note` as its warning. */
static zc_result zc__prepare_blob_noted(const zc_import_source *src, zc_import_outputs *out, const char *note,
                                        zc_diag *diag) {
    zc_result r = zc__prepare_blob(src, out, diag);
    if (r != ZC_OK) return r;
    size_t length = strlen(note);
    char *notes = (char *)malloc(length + 1);
    if (!notes) {
        zc_import_outputs_free(out);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    }
    memcpy(notes, note, length + 1);
    free(out->notes); /* a look-alike warning says less than this one */
    out->notes = notes;
    return ZC_OK;
}

/* *out (freed first) is the blob row's output for src, with the failure diag holds
 * as its warning: "<reason>: packed as raw bytes". */
static zc_result zc__prepare_blob_for_failure(const zc_import_source *src, zc_import_outputs *out, zc_diag *diag) {
    char note[sizeof diag->message + 32];
    snprintf(note, sizeof note, "%s: packed as raw bytes", diag->message);
    zc_import_outputs_free(out);
    return zc__prepare_blob_noted(src, out, note, diag);
}

/* When src has one of the row's shared names but is not empty and its first bytes are
 * not the row's format, *foreign = 1 and *out is the blob row's output with a warning
 * saying so. Otherwise *foreign = 0 and *out untouched (also when the file cannot be
 * opened: the row's own step reports that). */
static zc_result zc__prepare_if_foreign(const zc_import_shared_name *names, const zc_import_source *src,
                                        zc_import_outputs *out, int *foreign, zc_diag *diag) {
    *foreign = 0;
    const zc_import_shared_name *name = zc__shared_name_of(names, src->entry_path);
    uint8_t head[ZC_IMPORT_HEAD];
    uint64_t size = 0;
    ssize_t n = name ? zc__read_head(src, head, &size) : -1;
    if (n <= 0 || name->is_format(head, (size_t)n, size)) return ZC_OK;
    *foreign = 1;
    char note[200];
    snprintf(note, sizeof note, "not %s although named .%s: packed as raw bytes", name->format, name->extension);
    return zc__prepare_blob_noted(src, out, note, diag);
}

/* The image formats whose readers refuse some valid kinds of file with
 * ZC_ERR_UNSUPPORTED_CODEC: DDS volumes and unlisted pixel formats, tiled or
 * JPEG-compressed TIFF files, PCX layouts, colour-mapped SGI images, Photoshop files
 * in Lab or bitmap mode. Not OpenEXR, whose refusal in zcpack.exe is about the build,
 * not the file. */
static int (*const zc__formats_with_undecoded_kinds[])(const uint8_t *, size_t) = {
    zc_dds_is, zc_tiff_is, zc_pcx_is, zc_sgi_is, zc_psd_is,
};

/* An image of one of those formats that its reader does not decode: its bytes, with
 * the reader's reason as a warning, so that the build goes on and an engine that reads
 * such files itself still finds them. Any other failure stays one. */
static zc_result zc__prepare_undecoded_image(const zc_import_source *src, zc_result failed, zc_import_outputs *out,
                                             zc_diag *diag) {
    uint8_t head[ZC_IMPORT_HEAD];
    uint64_t size;
    ssize_t n = failed == ZC_ERR_UNSUPPORTED_CODEC ? zc__read_head(src, head, &size) : -1;
    int known = 0;
    for (size_t i = 0; n > 0 && i < sizeof zc__formats_with_undecoded_kinds / sizeof *zc__formats_with_undecoded_kinds; ++i)
        known |= zc__formats_with_undecoded_kinds[i](head, (size_t)n);
    if (!known) return failed;
    return zc__prepare_blob_for_failure(src, out, diag);
}

/* The texture importer builds one entry; as a prepare row it returns a list of one,
 * with the files it read besides the source (a cube map's other faces). */
static zc_result zc__prepare_texture_outputs(const zc_import_source *src, zc_import_outputs *out, zc_diag *diag) {
    int foreign;
    zc_result checked = zc__prepare_if_foreign(zc__texture_shared, src, out, &foreign, diag);
    if (checked != ZC_OK || foreign) return checked;
    memset(out, 0, sizeof *out);
    if (!(out->items = (zc_import_output *)calloc(1, sizeof *out->items)))
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    zc_result r = zc__prepare_texture_reads(src, &out->items[0], &out->reads, diag);
    if (r != ZC_OK) {
        free(out->items);
        out->items = NULL;
        return zc__prepare_undecoded_image(src, r, out, diag);
    }
    out->count = 1;
    return ZC_OK;
}

static zc_result zc__import_texture_outputs(const zc_import_source *src, zc_writer *w, zc_diag *diag) {
    return zc_import_prepared(zc__prepare_texture_outputs, src, w, diag);
}

/* A model that holds nothing a scene holds (lines or points only: a path, a wire, a
 * point cloud) is packed as its bytes with the reason as a warning; any other failure
 * stays one. */
static zc_result zc__prepare_model_outputs(const zc_import_source *src, zc_import_outputs *out, zc_diag *diag) {
    int foreign;
    zc_result r = zc__prepare_if_foreign(zc__model_shared, src, out, &foreign, diag);
    if (r != ZC_OK || foreign) return r;
    if ((r = zc__prepare_model(src, out, diag)) != ZC_ERR_UNSUPPORTED_CODEC) return r;
    return zc__prepare_blob_for_failure(src, out, diag);
}

static zc_result zc__import_model_outputs(const zc_import_source *src, zc_writer *w, zc_diag *diag) {
    return zc_import_prepared(zc__prepare_model_outputs, src, w, diag);
}

/* The manifest's "format": a name of zc_texture_choice_from_name, or "auto". */
static int zc__parse_texture_choice(const char *name, int *value) {
    zc_texture_choice choice = zc_texture_choice_from_name(name);
    if (!name || (choice == ZC_TEXTURE_CHOICE_AUTO && strcmp(name, "auto") != 0)) return 0;
    *value = (int)choice;
    return 1;
}

/* The manifest's "profile": "desktop" or "mobile". */
static int zc__parse_texture_profile(const char *name, int *value) {
    for (int p = ZC_TEXTURE_PROFILE_DESKTOP; name && p <= ZC_TEXTURE_PROFILE_MOBILE; ++p)
        if (strcmp(name, zc_texture_profile_name((zc_texture_profile)p)) == 0) {
            *value = p;
            return 1;
        }
    return 0;
}

_Static_assert(sizeof(zc_texture_profile) == sizeof(int), "the manifest stores ENUM keys as int");
_Static_assert(sizeof(zc_switch) == sizeof(int) && sizeof(zc_texture_choice) == sizeof(int),
               "the manifest stores SWITCH and ENUM keys as int");

/* The texture keys, at `base` (the offset of a zc_texture_settings in the row's settings). */
#define ZC__TEXTURE_KEYS(base)                                                                                   \
    { "format", ZC_IMPORT_KEY_ENUM, 0, 0, (base) + offsetof(zc_texture_settings, format), zc__parse_texture_choice, \
      zc_pixel_format_choice_list },                                                                             \
    { "profile", ZC_IMPORT_KEY_ENUM, 0, 0, (base) + offsetof(zc_texture_settings, profile),                       \
      zc__parse_texture_profile, zc_texture_profile_list },                                                      \
    { "srgb", ZC_IMPORT_KEY_SWITCH, 0, 0, (base) + offsetof(zc_texture_settings, srgb), NULL, NULL },             \
    { "normal_map", ZC_IMPORT_KEY_SWITCH, 0, 0, (base) + offsetof(zc_texture_settings, normal_map), NULL, NULL }, \
    { "mips", ZC_IMPORT_KEY_SWITCH, 0, 0, (base) + offsetof(zc_texture_settings, mips), NULL, NULL },             \
    { "cutout", ZC_IMPORT_KEY_SWITCH, 0, 0, (base) + offsetof(zc_texture_settings, cutout), NULL, NULL },         \
    { "max_size", ZC_IMPORT_KEY_UINT, 0, ZC_TEXTURE_MAX_EXTENT, (base) + offsetof(zc_texture_settings, max_size),  \
      NULL, NULL },                                                                                              \
    { "row_pitch_align", ZC_IMPORT_KEY_POW2, 1, 4096, (base) + offsetof(zc_texture_settings, row_pitch_align),    \
      NULL, NULL },                                                                                              \
    { "max_texels", ZC_IMPORT_KEY_UINT, 1, UINT32_MAX, (base) + offsetof(zc_texture_settings, max_texels), NULL,   \
      NULL },                                                                                                    \
    { "cubemap", ZC_IMPORT_KEY_SWITCH, 0, 0, (base) + offsetof(zc_texture_settings, cubemap), NULL, NULL },       \
    { "cubemap_faces", ZC_IMPORT_KEY_FLAG, 0, 0, (base) + offsetof(zc_texture_settings, cube_faces), NULL, NULL }, \
    { "array_folder", ZC_IMPORT_KEY_FLAG, 0, 0, (base) + offsetof(zc_texture_settings, array_folder), NULL, NULL }, \
    { "layers", ZC_IMPORT_KEY_UINT, 1, ZC_TEXTURE_MAX_LAYERS, (base) + offsetof(zc_texture_settings, layers), NULL, \
      NULL }

static const zc_import_key zc__texture_keys[] = { ZC__TEXTURE_KEYS(0) };

/* A model's texture keys set the base of the textures it references. */
static const zc_import_key zc__model_keys[] = {
    ZC__TEXTURE_KEYS(offsetof(zc_model_settings, texture)),
    { "quantize", ZC_IMPORT_KEY_FLAG, 0, 0, offsetof(zc_model_settings, quantize), NULL, NULL },
    { "meshlets", ZC_IMPORT_KEY_FLAG, 0, 0, offsetof(zc_model_settings, meshlets), NULL, NULL },
    { "generate_normals", ZC_IMPORT_KEY_FLAG, 0, 0, offsetof(zc_model_settings, generate_normals), NULL, NULL },
    { "generate_tangents", ZC_IMPORT_KEY_FLAG, 0, 0, offsetof(zc_model_settings, generate_tangents), NULL, NULL },
    { "flip_uvs", ZC_IMPORT_KEY_FLAG, 0, 0, offsetof(zc_model_settings, flip_uvs), NULL, NULL },
    { "scale", ZC_IMPORT_KEY_POSITIVE, 0, 0, offsetof(zc_model_settings, scale), NULL, NULL },
};

static const zc_import_key zc__blob_keys[] = {
    { "alignment", ZC_IMPORT_KEY_POW2, 1u << ZC_MIN_ALIGN_LOG2, 1u << ZC_MAX_ALIGN_LOG2,
      offsetof(zc_blob_settings, alignment), NULL, NULL },
};

/* The schema importer claims no file by its name: only manifest rules choose it. */
static const char *const zc__no_extensions[] = { NULL };

static const zc_import_key zc__schema_keys[] = {
    { "schema", ZC_IMPORT_KEY_TEXT, 1, ZC_SCHEMA_SETTING_PATH, offsetof(zc_schema_settings, schema), NULL, NULL },
    { "type", ZC_IMPORT_KEY_TEXT, 1, ZC_SCHEMA_SETTING_TYPE, offsetof(zc_schema_settings, type), NULL, NULL },
};

static void zc__texture_defaults(zc_texture_settings *t, const zc_import_defaults *d) {
    t->no_compress = d->no_compress;
    t->max_dimension = d->max_texture_dimension;
    t->budget = d->image_budget;
}

/* The texel limit changes only whether an import fails, and the budget only when it
 * runs (the pointer differs from build to build). */
static void zc__key_texture_fields(zc_texture_settings *t) {
    t->max_texels = 0;
    t->budget = NULL;
}

static void zc__key_texture_settings(void *settings) {
    zc__key_texture_fields((zc_texture_settings *)settings);
}

static void zc__init_texture_settings(void *settings, const zc_import_defaults *d) {
    zc__texture_defaults((zc_texture_settings *)settings, d);
}

static void zc__init_model_settings(void *settings, const zc_import_defaults *d) {
    zc_model_settings *m = (zc_model_settings *)settings;
    zc__texture_defaults(&m->texture, d);
    m->timeout_ms = d->model_timeout_ms;
    m->pool = d->model_pool;
    m->follow_links = d->follow_links;
}

static zc_result zc__check_texture_defaults(const zc_import_defaults *d, zc_diag *diag) {
    if (d->max_texture_dimension > ZC_TEXTURE_MAX_EXTENT)
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "maximum texture dimension %u exceeds the format's limit of %u",
                       d->max_texture_dimension, ZC_TEXTURE_MAX_EXTENT);
    return ZC_OK;
}

/* The time limit, the isolation (and the pool of workers), the file's identity and
 * the texture limits change only whether a model import fails. */
static void zc__key_model_settings(void *settings) {
    zc_model_settings *m = (zc_model_settings *)settings;
    m->timeout_ms = 0;
    m->in_process = 0;
    m->pool = NULL;
    m->source_dev = m->source_ino = 0;
    zc__key_texture_fields(&m->texture);
}

#define ZC__COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Rows are tried in order; the fallback (extensions NULL) comes last. Images come
 * before models, so an extension both could claim stays a texture. */
/* What each importer produces, and how it is stored by default: the types an engine
 * views in place stay raw. */
static const zc_import_codec zc__texture_codecs[] = {
    { ZC_TYPE_TEXTURE, 0 },
    { 0, 0 },
};
static const zc_import_codec zc__model_codecs[] = {
    { ZC_TYPE_SCENE, 0 },
    { ZC_TYPE_MESH, 0 },
    { ZC_TYPE_MATERIAL, 0 },
    { ZC_TYPE_TEXTURE, 0 },
    { 0, 0 },
};
static const zc_import_codec zc__schema_codecs[] = {
    { 0, 0 }, /* its types come from the schemas: ZC_IMPORTER_RAW stores them raw */
};
static const zc_import_codec zc__blob_codecs[] = {
    { ZC_TYPE_BLOB, 1 },
    { 0, 0 },
};

static const zc_importer zc__importers[] = {
    {
        .name = "texture",
        .version = 1,
        .extensions = zc__texture_extensions,
        .shared = zc__texture_shared,
        .import = zc__import_texture_outputs,
        .prepare = zc__prepare_texture_outputs,
        .flags = ZC_IMPORTER_CACHED,
        .label = "textures",
        .settings_offset = offsetof(zc_import_settings, texture),
        .settings_size = sizeof(zc_texture_settings),
        .init_settings = zc__init_texture_settings,
        .check_defaults = zc__check_texture_defaults,
        .key_settings = zc__key_texture_settings,
        .keys = zc__texture_keys,
        .key_count = ZC__COUNT(zc__texture_keys),
        .codecs = zc__texture_codecs,
    },
    {
        .name = "model",
        .version = 1,
        .extensions = zc_model_extensions,
        .shared = zc__model_shared,
        .import = zc__import_model_outputs,
        .prepare = zc__prepare_model_outputs,
        .flags = ZC_IMPORTER_CACHED | ZC_IMPORTER_READS_TREE,
        .label = "models",
        .settings_offset = offsetof(zc_import_settings, model),
        .settings_size = sizeof(zc_model_settings),
        .init_settings = zc__init_model_settings,
        .key_settings = zc__key_model_settings,
        .keys = zc__model_keys,
        .key_count = ZC__COUNT(zc__model_keys),
        .codecs = zc__model_codecs,
    },
    {
        .name = "schema",
        .version = 1,
        .extensions = zc__no_extensions,
        .import = zc__import_schema,
        .prepare = zc__prepare_schema,
        .flags = ZC_IMPORTER_CACHED | ZC_IMPORTER_READS_TREE | ZC_IMPORTER_CHOSEN_BY_KEYS | ZC_IMPORTER_RAW,
        .label = "schema files",
        .settings_offset = offsetof(zc_import_settings, schema),
        .settings_size = sizeof(zc_schema_settings),
        .keys = zc__schema_keys,
        .key_count = ZC__COUNT(zc__schema_keys),
        .codecs = zc__schema_codecs,
    },
    {
        .name = "blob",
        .version = 1,
        .import = zc__import_blob,
        .prepare = zc__prepare_blob,
        .flags = ZC_IMPORTER_PREPARE_SMALL,
        .settings_offset = offsetof(zc_import_settings, blob),
        .settings_size = sizeof(zc_blob_settings),
        .keys = zc__blob_keys,
        .key_count = ZC__COUNT(zc__blob_keys),
        .codecs = zc__blob_codecs,
    },
};

#define ZC__IMPORTER_COUNT ZC__COUNT(zc__importers)
_Static_assert(ZC__IMPORTER_COUNT <= ZC_IMPORTER_MAX, "raise ZC_IMPORTER_MAX");

size_t zc_importer_index(const zc_importer *imp) {
    return (size_t)(imp - zc__importers);
}

void zc_import_settings_init(zc_import_settings *settings, const zc_import_defaults *defaults) {
    memset(settings, 0, sizeof *settings);
    for (size_t i = 0; defaults && i < ZC__IMPORTER_COUNT; ++i)
        if (zc__importers[i].init_settings && zc__importers[i].settings_size)
            zc__importers[i].init_settings((char *)settings + zc__importers[i].settings_offset, defaults);
}

zc_result zc_import_defaults_check(const zc_import_defaults *defaults, zc_diag *diag) {
    for (size_t i = 0; defaults && i < ZC__IMPORTER_COUNT; ++i) {
        zc_result r = zc__importers[i].check_defaults ? zc__importers[i].check_defaults(defaults, diag) : ZC_OK;
        if (r != ZC_OK) return r;
    }
    return ZC_OK;
}

void zc_import_settings_for_key(zc_import_settings *settings) {
    for (size_t i = 0; i < ZC__IMPORTER_COUNT; ++i)
        if (zc__importers[i].key_settings && zc__importers[i].settings_size)
            zc__importers[i].key_settings((char *)settings + zc__importers[i].settings_offset);
}

size_t zc_importer_count(void) {
    return ZC__IMPORTER_COUNT;
}

const zc_importer *zc_importer_at(size_t index) {
    return index < ZC__IMPORTER_COUNT ? &zc__importers[index] : NULL;
}

const zc_importer *zc_importer_find(const char *name) {
    for (size_t i = 0; name && i < ZC__IMPORTER_COUNT; ++i)
        if (strcmp(zc__importers[i].name, name) == 0) return &zc__importers[i];
    return NULL;
}

static int zc__ascii_lower(int c) {
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int zc__ext_equal(const char *ext, const char *lower) {
    while (*ext && *lower && zc__ascii_lower((unsigned char)*ext) == *lower) ext++, lower++;
    return *ext == 0 && *lower == 0;
}

/* The extension of the file name `path`, NULL when it has none (".profile" has none). */
static const char *zc__extension_of(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot + 1 : NULL;
}

static const zc_import_shared_name *zc__shared_name_of(const zc_import_shared_name *names, const char *path) {
    const char *ext = path ? zc__extension_of(path) : NULL;
    for (; ext && names && names->extension; ++names)
        if (zc__ext_equal(ext, names->extension)) return names;
    return NULL;
}

const zc_importer *zc_importer_for_path(const char *path) {
    const char *ext = zc__extension_of(path);
    const zc_importer *fallback = NULL;
    for (size_t i = 0; i < ZC__IMPORTER_COUNT; ++i) {
        const zc_importer *imp = &zc__importers[i];
        if (!imp->extensions) {
            if (!fallback) fallback = imp;
            continue;
        }
        for (const char *const *e = imp->extensions; ext && *e; ++e)
            if (zc__ext_equal(ext, *e)) return imp;
    }
    return fallback;
}

const char *zc_import_option_get(const zc_import_source *src, const char *key) {
    const char *value = NULL;
    for (size_t i = 0; src && key && i < src->option_count; ++i)
        if (src->options[i].key && strcmp(src->options[i].key, key) == 0) value = src->options[i].value;
    return value;
}

zc_result zc_import_output_write(const zc_import_output *out, const char *entry_path, zc_writer *w, zc_diag *diag) {
    const char *path = out && out->path ? out->path : entry_path;
    if (!out || !path || !w || (!out->payload && out->size) || (!out->deps && out->dep_count))
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "nothing to write");
    if (out->encoded) {
        zc_entry e;
        memset(&e, 0, sizeof e);
        e.path = path;
        e.type = out->type;
        e.layout_hash = out->layout_hash;
        e.alignment = (uint32_t)1 << out->align_log2;
        e.codec = out->codec;
        e.data = out->payload;
        e.stored_size = out->size;
        e.raw_size = out->raw_size;
        e.content_hash = out->content_hash;
        e.deps = out->deps;
        e.deps_count = out->dep_count;
        zc_result copied = zc_writer_copy_entry(w, &e);
        if (copied != ZC_OK) return zc_fail(diag, copied, "cannot write the entry %s: %s", path, zc_result_str(copied));
        return ZC_OK;
    }
    zc_result r = zc_writer_begin_entry(w, path, out->type, out->layout_hash, out->align_log2);
    if (r != ZC_OK) return zc_fail(diag, r, "cannot begin the entry %s: %s", path, zc_result_str(r));
    for (uint32_t i = 0; i < out->dep_count && r == ZC_OK; ++i) r = zc_writer_add_dep(w, out->deps[i]);
    if (r != ZC_OK) return zc_fail(diag, r, "cannot record the dependencies of %s: %s", path, zc_result_str(r));
    if ((r = zc_writer_write(w, out->payload, out->size)) != ZC_OK)
        return zc_fail(diag, r, "cannot write the entry %s: %s", path, zc_result_str(r));
    if ((r = zc_writer_end_entry(w)) != ZC_OK)
        return zc_fail(diag, r, "cannot finish the entry %s: %s", path, zc_result_str(r));
    return ZC_OK;
}

void zc_import_output_free(zc_import_output *out) {
    if (!out) return;
    free(out->payload);
    free(out->path);
    free(out->deps);
    memset(out, 0, sizeof *out);
}

/* 1 when `path` is entry_path or entry_path#<suffix without '#'>. */
static int zc__in_namespace(const char *path, const char *entry_path) {
    size_t n = strlen(entry_path);
    if (strncmp(path, entry_path, n) != 0) return 0;
    return path[n] == 0 || (path[n] == '#' && path[n + 1] && !strchr(path + n + 1, '#'));
}

zc_result zc_import_outputs_check(const zc_import_outputs *outs, const char *entry_path, zc_diag *diag) {
    if (!outs || !entry_path || !outs->count || !outs->items)
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "the importer produced no entry");
    const char *prev = NULL;
    for (size_t i = 0; i < outs->count; ++i) {
        const zc_import_output *o = &outs->items[i];
        const char *path = o->path ? o->path : entry_path;
        zc_diag why;
        if (zc_check_path(path, strlen(path), &why) != ZC_OK)
            return zc_fail(diag, ZC_ERR_BAD_PATH, "the importer produced a bad entry path: %s", why.message);
        if (!zc__in_namespace(path, entry_path))
            return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "the importer produced the entry %s outside %s#...", path,
                           entry_path);
        if (prev && strcmp(prev, path) >= 0)
            return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "the importer produced the entry %s twice or out of order",
                           path);
        if ((!o->payload && o->size) || (!o->deps && o->dep_count))
            return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "the importer left out the bytes of entry %s", path);
        prev = path;
    }
    return ZC_OK;
}

zc_result zc_import_outputs_write(const zc_import_outputs *outs, const char *entry_path, zc_writer *w,
                                  zc_diag *diag) {
    if (!outs) return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "nothing to write");
    for (size_t i = 0; i < outs->count; ++i) {
        zc_result r = zc_import_output_write(&outs->items[i], entry_path, w, diag);
        if (r != ZC_OK) return r;
    }
    return ZC_OK;
}

zc_result zc_import_prepared(zc_prepare_fn prepare, const zc_import_source *src, zc_writer *w, zc_diag *diag) {
    zc_import_outputs out;
    zc_result r = prepare(src, &out, diag);
    if (r == ZC_OK) r = zc_import_outputs_check(&out, src->entry_path, diag);
    if (r == ZC_OK) {
        zc_import_notes_log(out.notes, src->file_path, src->logger);
        r = zc_import_outputs_write(&out, src->entry_path, w, diag);
    }
    zc_import_outputs_free(&out);
    return r;
}

void zc_import_outputs_free(zc_import_outputs *outs) {
    if (!outs) return;
    for (size_t i = 0; i < outs->count; ++i) zc_import_output_free(&outs->items[i]);
    free(outs->items);
    free(outs->notes);
    free(outs->reads);
    memset(outs, 0, sizeof *outs);
}

void zc_import_notes_log(const char *notes, const char *file, zc_logger logger) {
    if (!notes || !logger.func) return;
    while (*notes) {
        const char *end = strchr(notes, '\n');
        size_t n = end ? (size_t)(end - notes) : strlen(notes);
        if (n) {
            char line[2048];
            snprintf(line, sizeof line, "%s: %.*s", file ? file : "", (int)(n < 900 ? n : 900), notes);
            logger.func(ZC_LOG_WARNING, line, logger.user_data);
        }
        notes += n + (end ? 1 : 0);
    }
}

int zc_importer_prepares(const zc_importer *imp, uint64_t size) {
    return imp && imp->prepare && (!(imp->flags & ZC_IMPORTER_PREPARE_SMALL) || size <= ZC_WRITER_ENCODE_MEMORY);
}

int zc_importer_compresses(const zc_importer *imp, uint32_t type) {
    if (imp && (imp->flags & ZC_IMPORTER_RAW)) return 0;
    for (const zc_import_codec *c = imp ? imp->codecs : NULL; c && c->type; ++c)
        if (c->type == type) return c->compress;
    return zc_entry_type_compressed_by_default(type);
}

zc_result zc_import_open(const zc_import_source *src, int *out_fd, zc_diag *diag) {
    *out_fd = -1;
    int fd;
    do fd = zc__packer_sys.open(src->file_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int err = errno;
        if (err == ELOOP)
            return zc_fail(diag, ZC_ERR_IO, "cannot open: it was replaced by a symbolic link since the scan");
        return zc_fail(diag, err == ENOENT ? ZC_ERR_FILE_NOT_FOUND : ZC_ERR_IO, "cannot open: %s", strerror(err));
    }
    struct stat st;
    const char *why = NULL;
    if (fstat(fd, &st) != 0)
        why = strerror(errno);
    else if (!S_ISREG(st.st_mode))
        why = "it is no longer a regular file (replaced since the scan)";
    else if (src->has_identity && ((uint64_t)st.st_dev != src->dev || (uint64_t)st.st_ino != src->ino))
        why = "it was replaced by another file since the scan";
    if (why) {
        zc__packer_sys.close(fd);
        return zc_fail(diag, ZC_ERR_IO, "cannot open: %s", why);
    }
    /* a regular file never blocks; clear O_NONBLOCK for plain reads */
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    *out_fd = fd;
    return ZC_OK;
}
