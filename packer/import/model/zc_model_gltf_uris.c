/* zc_model_gltf_uris.c - the references of a glTF file, checked before assimp reads it.
 *
 * A glTF names its buffers and images by URI. zcpack reads only two kinds: a relative
 * path, which the model's file system (zc_model.c) then confines to the asset root,
 * and a data: URI, which is part of the file itself (so bounded by its size; images
 * in it are decoded under the build's image memory budget). Anything else is refused
 * here with a message naming the reference, before assimp opens anything: an
 * absolute path ("/etc/passwd", "C:\x", "\\server\share"), and a URI with any other
 * scheme (file: with or without a host, http:, ...). assimp would otherwise fail
 * with a message of its own, or, for some forms, look the name up relative to the
 * model's directory.
 *
 * A glTF whose asset.version is neither 1.x nor 2.x is refused here too, naming the
 * version: assimp has no reader for it and would say only that none was found.
 *
 * Reads the JSON of a .gltf file, or the JSON chunk of a .glb (12-byte header, then
 * a chunk of length, type "JSON" and bytes). Safe on untrusted input: every length is
 * checked against the bytes read; the JSON is parsed by cJSON with its own depth limit
 * (CJSON_NESTING_LIMIT). JSON that cJSON refuses fails the model here: assimp's own
 * parser accepts deeper nesting, and its references would go unchecked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zc_packer_os.h"

#include <cjson/cJSON.h>

#include "zc_model_internal.h"

/* The most JSON bytes read from a glTF file. A larger JSON is refused: handing it to
 * assimp unchecked would let its references through. */
#define ZC__GLTF_MAX_JSON (256u << 20)

static uint32_t zc__gltf_u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* 1 when `uri` starts with a URI scheme (RFC 3986: a letter, then letters, digits, '+',
 * '-' or '.', then ':') of two characters or more (one letter is a drive: "C:"). */
static int zc__gltf_has_scheme(const char *uri) {
    const char *p = uri;
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) return 0;
    for (++p; *p && *p != ':'; ++p)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '+' ||
              *p == '-' || *p == '.'))
            return 0;
    return *p == ':' && p - uri >= 2;
}

/* Why `uri` is refused, or NULL when it may be read. */
static const char *zc__gltf_uri_problem(const char *uri) {
    if (strncmp(uri, "data:", 5) == 0) return NULL;
    if (uri[0] == '/' || uri[0] == '\\') return "an absolute path";
    if (((uri[0] >= 'a' && uri[0] <= 'z') || (uri[0] >= 'A' && uri[0] <= 'Z')) && uri[1] == ':')
        return "an absolute path";
    if (strncmp(uri, "file:", 5) == 0 || strncmp(uri, "FILE:", 5) == 0) return "a file: URI";
    if (zc__gltf_has_scheme(uri)) return "a URI of another scheme";
    return NULL;
}

/* Check every buffers[i].uri and images[i].uri of the parsed JSON: arrays in glTF 2.0,
 * objects keyed by id in glTF 1.0. */
static zc_result zc__gltf_check_array(const cJSON *root, const char *array, const char *what, zc_diag *diag) {
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(root, array);
    if (!cJSON_IsArray(items) && !cJSON_IsObject(items)) return ZC_OK;
    int i = 0;
    for (const cJSON *item = items->child; item; item = item->next, ++i) {
        const cJSON *uri = cJSON_GetObjectItemCaseSensitive(item, "uri");
        if (!cJSON_IsString(uri) || !uri->valuestring) continue;
        const char *problem = zc__gltf_uri_problem(uri->valuestring);
        if (!problem) continue;
        char shown[300], name[40];
        zc__model_utf8_copy(uri->valuestring, strlen(uri->valuestring), shown, sizeof shown - 1);
        if (item->string)
            zc__model_utf8_copy(item->string, strlen(item->string), name, sizeof name - 1);
        else
            snprintf(name, sizeof name, "%d", i);
        return zc_fail(diag, ZC_ERR_BAD_SOURCE,
                       "%s %s uri \"%s\" is %s: only paths inside the asset root and data: URIs are read", what,
                       name, shown, problem);
    }
    return ZC_OK;
}

/* Refuse a glTF whose asset.version names a major version assimp has no reader for
 * (it reads 1.x and 2.x), which it would report only as "No suitable reader found".
 * A file without the field is left to assimp. */
static zc_result zc__gltf_check_version(const cJSON *root, zc_diag *diag) {
    const cJSON *asset = cJSON_GetObjectItemCaseSensitive(root, "asset");
    const cJSON *version = cJSON_IsObject(asset) ? cJSON_GetObjectItemCaseSensitive(asset, "version") : NULL;
    char shown[24];
    if (cJSON_IsString(version) && version->valuestring) {
        const char *v = version->valuestring;
        if ((v[0] == '1' || v[0] == '2') && (v[1] == 0 || v[1] == '.')) return ZC_OK;
        zc__model_utf8_copy(v, strlen(v), shown, sizeof shown - 1);
    } else if (cJSON_IsNumber(version)) {
        double v = version->valuedouble;
        if ((v >= 1.0 && v < 2.0) || (v >= 2.0 && v < 3.0)) return ZC_OK;
        snprintf(shown, sizeof shown, "%g", v);
    } else {
        return ZC_OK;
    }
    return zc_fail(diag, ZC_ERR_BAD_SOURCE,
                   "glTF version %s cannot be read: assimp reads glTF 1.0 and 2.0", shown);
}

/* The JSON bytes of the file at fd (whole .gltf, or a .glb's JSON chunk) into a
 * malloc'd NUL-terminated buffer; NULL with *r set when it cannot be had. */
static char *zc__gltf_json(int fd, uint64_t size, int is_glb, zc_result *r, zc_diag *diag) {
    uint64_t offset = 0, length = size;
    if (is_glb) {
        unsigned char h[20];
        if (size < sizeof h || pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h) {
            *r = ZC_OK; /* too short for a GLB: assimp says what is wrong */
            return NULL;
        }
        if (memcmp(h, "glTF", 4) != 0 || memcmp(h + 16, "JSON", 4) != 0) {
            *r = ZC_OK;
            return NULL;
        }
        offset = 20;
        length = zc__gltf_u32(h + 12);
        if (length > size - offset) {
            *r = zc_fail(diag, ZC_ERR_BAD_SOURCE, "the GLB's JSON chunk of %llu bytes runs past the end of the file",
                         (unsigned long long)length);
            return NULL;
        }
    }
    if (length > ZC__GLTF_MAX_JSON) {
        *r = zc_fail(diag, ZC_ERR_LIMIT, "the glTF JSON of %llu bytes is larger than the %u MiB zcpack reads",
                     (unsigned long long)length, ZC__GLTF_MAX_JSON >> 20);
        return NULL;
    }
    char *json = malloc((size_t)length + 1);
    if (!json) {
        *r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory reading the glTF JSON");
        return NULL;
    }
    ssize_t got = zc__model_pread(fd, json, (size_t)length, offset);
    if (got != (ssize_t)length) {
        free(json);
        *r = zc_fail(diag, ZC_ERR_IO, "cannot read the model file: %s", got < 0 ? strerror(errno) : "it shrank");
        return NULL;
    }
    json[length] = 0;
    *r = ZC_OK;
    return json;
}

zc_result zc__model_gltf_uris(zc__model_build *b, zc_diag *diag) {
    int fd = zc__model_open_source(b, diag);
    if (fd < 0) return ZC_ERR_IO;
    struct stat st;
    zc_result r = ZC_OK;
    char *json = NULL;
    if (fstat(fd, &st) != 0)
        r = zc_fail(diag, ZC_ERR_IO, "cannot read the model file: %s", strerror(errno));
    else
        json = zc__gltf_json(fd, (uint64_t)st.st_size, b->is_glb, &r, diag);
    close(fd);
    if (!json) return r;
    /* Fail closed: JSON this parser cannot read (not JSON, or nested past its limit,
     * which assimp's parser has not) would reach assimp with its references unchecked. */
    const char *stop = NULL;
    cJSON *root = cJSON_ParseWithOpts(json, &stop, 0);
    size_t at = stop && stop >= json ? (size_t)(stop - json) : 0;
    free(json);
    if (!root)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE,
                       "the glTF JSON cannot be read (at byte %zu: not JSON, or nested deeper than %d levels), "
                       "so its buffer and image references cannot be checked",
                       at, CJSON_NESTING_LIMIT);
    r = zc__gltf_check_version(root, diag);
    if (r == ZC_OK) r = zc__gltf_check_array(root, "buffers", "buffer", diag);
    if (r == ZC_OK) r = zc__gltf_check_array(root, "images", "image", diag);
    cJSON_Delete(root);
    return r;
}
