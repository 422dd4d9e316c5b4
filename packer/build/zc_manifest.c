/* zc_manifest.c - zcpack.json parsing and rule matching (zc_manifest.h). */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "zc_manifest.h"
#include "zc_packer_sys.h"

/* Which fields of a rule are set. */
enum {
    ZC__SET_FORMAT = 1u << 0,
    ZC__SET_SRGB = 1u << 1,
    ZC__SET_NORMAL_MAP = 1u << 2,
    ZC__SET_MIPS = 1u << 3,
    ZC__SET_CUTOUT = 1u << 4,
    ZC__SET_MAX_SIZE = 1u << 5,
    ZC__SET_ROW_PITCH_ALIGN = 1u << 6,
    ZC__SET_QUANTIZE = 1u << 7,
    ZC__SET_MESHLETS = 1u << 8,
    ZC__SET_GENERATE_NORMALS = 1u << 9,
    ZC__SET_GENERATE_TANGENTS = 1u << 10,
    ZC__SET_FLIP_UVS = 1u << 11,
    ZC__SET_SCALE = 1u << 12,
    ZC__SET_COMPRESS = 1u << 13,
};

typedef struct zc__manifest_rule {
    char *match;
    uint32_t set;                   /* ZC__SET_* */
    zc_texture_settings texture;    /* the fields named in `set` */
    zc_model_settings model;        /* the mesh fields named in `set` */
    zc_switch compress;             /* when ZC__SET_COMPRESS is set */
} zc__manifest_rule;

struct zc_manifest {
    zc__manifest_rule *rules;
    size_t count;
};

void zc_manifest_free(zc_manifest *m) {
    if (!m) return;
    for (size_t i = 0; i < m->count; ++i) free(m->rules[i].match);
    free(m->rules);
    free(m);
}

size_t zc_manifest_rule_count(const zc_manifest *m) {
    return m ? m->count : 0;
}

/* ---------------------------------------------------------------------------------
 * Parsing
 * ------------------------------------------------------------------------------- */

/* Fail unless `key` appears once among the members of `object`. */
static zc_result zc__check_unique(const cJSON *object, const cJSON *member, size_t index, zc_diag *diag) {
    for (const cJSON *other = object->child; other != member; other = other->next)
        if (strcmp(other->string, member->string) == 0)
            return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "rule %zu: key \"%s\" appears twice", index, member->string);
    return ZC_OK;
}

static zc_result zc__rule_bool(const cJSON *value, size_t index, zc_switch *out, zc_diag *diag) {
    if (!cJSON_IsBool(value))
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "rule %zu: \"%s\" must be true or false", index, value->string);
    *out = cJSON_IsTrue(value) ? ZC_SWITCH_ON : ZC_SWITCH_OFF;
    return ZC_OK;
}

/* A mesh option's boolean (zc_model_settings keeps them as 0 or 1). */
static zc_result zc__rule_flag(const cJSON *value, size_t index, int *out, zc_diag *diag) {
    if (!cJSON_IsBool(value))
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "rule %zu: \"%s\" must be true or false", index, value->string);
    *out = cJSON_IsTrue(value) ? 1 : 0;
    return ZC_OK;
}

/* A finite number greater than 0 that stays finite and non-zero as a float. */
static zc_result zc__rule_scale(const cJSON *value, size_t index, float *out, zc_diag *diag) {
    double d = cJSON_IsNumber(value) ? value->valuedouble : 0.0;
    if (!cJSON_IsNumber(value) || !isfinite(d) || d <= 0.0 || d > 1e30 || (float)d <= 0.0f)
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT,
                       "rule %zu: \"scale\" must be a number greater than 0 (at most 1e30)", index);
    *out = (float)d;
    return ZC_OK;
}

/* One mesh option of a rule; ZC_ERR_NO_ENTRY when `key` is not one. */
static zc_result zc__rule_mesh_member(const cJSON *v, size_t index, zc__manifest_rule *rule, zc_diag *diag) {
    const char *key = v->string;
    zc_model_settings *m = &rule->model;
    static const struct {
        const char *key;
        uint32_t bit;
        size_t offset;
    } flags[] = {
        { "quantize", ZC__SET_QUANTIZE, offsetof(zc_model_settings, quantize) },
        { "meshlets", ZC__SET_MESHLETS, offsetof(zc_model_settings, meshlets) },
        { "generate_normals", ZC__SET_GENERATE_NORMALS, offsetof(zc_model_settings, generate_normals) },
        { "generate_tangents", ZC__SET_GENERATE_TANGENTS, offsetof(zc_model_settings, generate_tangents) },
        { "flip_uvs", ZC__SET_FLIP_UVS, offsetof(zc_model_settings, flip_uvs) },
    };
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; ++i) {
        if (strcmp(key, flags[i].key) != 0) continue;
        rule->set |= flags[i].bit;
        return zc__rule_flag(v, index, (int *)((char *)m + flags[i].offset), diag);
    }
    if (strcmp(key, "scale") == 0) {
        rule->set |= ZC__SET_SCALE;
        return zc__rule_scale(v, index, &m->scale, diag);
    }
    return ZC_ERR_NO_ENTRY;
}

/* An integer in [lo, hi]; power_of_two also requires a power of two. */
static zc_result zc__rule_int(const cJSON *value, size_t index, uint32_t lo, uint32_t hi, int power_of_two,
                              uint32_t *out, zc_diag *diag) {
    double d = cJSON_IsNumber(value) ? value->valuedouble : -1.0;
    int ok = cJSON_IsNumber(value) && isfinite(d) && d == floor(d) && d >= lo && d <= hi;
    uint32_t v = ok ? (uint32_t)d : 0;
    if (ok && power_of_two && (v == 0 || (v & (v - 1)))) ok = 0;
    if (!ok)
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "rule %zu: \"%s\" must be %s in [%u, %u]", index, value->string,
                       power_of_two ? "a power of two" : "an integer", lo, hi);
    *out = v;
    return ZC_OK;
}

static zc_result zc__rule_format(const cJSON *value, size_t index, zc_texture_choice *out, zc_diag *diag) {
    const char *name = cJSON_IsString(value) ? value->valuestring : NULL;
    zc_texture_choice choice = zc_texture_choice_from_name(name);
    if (!name || (choice == ZC_TEXTURE_CHOICE_AUTO && strcmp(name, "auto") != 0))
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT,
                       "rule %zu: \"format\" must be one of auto, rgba8, r8, rg8, rgba16f, rgba32f, bc1, bc3, bc4, bc5",
                       index);
    *out = choice;
    return ZC_OK;
}

/* One member of a rule object. */
static zc_result zc__rule_member(const cJSON *v, size_t index, zc__manifest_rule *rule, zc_diag *diag) {
    const char *key = v->string;
    zc_texture_settings *t = &rule->texture;
    zc_result r;
    if (strcmp(key, "match") == 0) {
        if (!cJSON_IsString(v) || !v->valuestring[0])
            return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "rule %zu: \"match\" must be a non-empty string", index);
        size_t n = strlen(v->valuestring);
        if (!(rule->match = (char *)malloc(n + 1))) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
        memcpy(rule->match, v->valuestring, n + 1);
        return ZC_OK;
    }
    if (strcmp(key, "format") == 0) {
        r = zc__rule_format(v, index, &t->format, diag);
        rule->set |= ZC__SET_FORMAT;
    } else if (strcmp(key, "srgb") == 0) {
        r = zc__rule_bool(v, index, &t->srgb, diag);
        rule->set |= ZC__SET_SRGB;
    } else if (strcmp(key, "normal_map") == 0) {
        r = zc__rule_bool(v, index, &t->normal_map, diag);
        rule->set |= ZC__SET_NORMAL_MAP;
    } else if (strcmp(key, "mips") == 0) {
        r = zc__rule_bool(v, index, &t->mips, diag);
        rule->set |= ZC__SET_MIPS;
    } else if (strcmp(key, "cutout") == 0) {
        r = zc__rule_bool(v, index, &t->cutout, diag);
        rule->set |= ZC__SET_CUTOUT;
    } else if (strcmp(key, "max_size") == 0) {
        r = zc__rule_int(v, index, 0, ZC_TEXTURE_MAX_EXTENT, 0, &t->max_size, diag);
        rule->set |= ZC__SET_MAX_SIZE;
    } else if (strcmp(key, "row_pitch_align") == 0) {
        r = zc__rule_int(v, index, 1, 4096, 1, &t->row_pitch_align, diag);
        rule->set |= ZC__SET_ROW_PITCH_ALIGN;
    } else if (strcmp(key, "compress") == 0) {
        r = zc__rule_bool(v, index, &rule->compress, diag);
        rule->set |= ZC__SET_COMPRESS;
    } else if ((r = zc__rule_mesh_member(v, index, rule, diag)) == ZC_ERR_NO_ENTRY) {
        r = zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "rule %zu: unknown key \"%s\"", index, key);
    }
    return r;
}

static zc_result zc__parse_rule(const cJSON *object, size_t index, zc__manifest_rule *rule, zc_diag *diag) {
    if (!cJSON_IsObject(object))
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "rule %zu is not an object", index);
    for (const cJSON *v = object->child; v; v = v->next) {
        zc_result r = zc__check_unique(object, v, index, diag);
        if (r == ZC_OK) r = zc__rule_member(v, index, rule, diag);
        if (r != ZC_OK) return r;
    }
    if (!rule->match) return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "rule %zu has no \"match\"", index);
    return ZC_OK;
}

/* "line L, column C" of a byte offset. */
static void zc__position(const char *text, size_t offset, size_t *line, size_t *column) {
    *line = 1;
    *column = 1;
    for (size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++*line;
            *column = 1;
        } else {
            ++*column;
        }
    }
}

static zc_result zc__parse_json(const char *text, size_t size, cJSON **out, zc_diag *diag) {
    const char *end = NULL;
    *out = cJSON_ParseWithLengthOpts(text, size, &end, 0);
    size_t at = end && end >= text && end <= text + size ? (size_t)(end - text) : size;
    if (*out) {
        while (at < size && (text[at] == ' ' || text[at] == '\t' || text[at] == '\n' || text[at] == '\r')) at++;
        if (at == size) return ZC_OK;
        cJSON_Delete(*out);
        *out = NULL;
    }
    size_t line, column;
    zc__position(text, at, &line, &column);
    return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "not valid JSON (line %zu, column %zu)", line, column);
}

/* The "rules" array of the top-level object; NULL (and ZC_OK) when absent. */
static zc_result zc__rules_array(const cJSON *root, const cJSON **out, zc_diag *diag) {
    *out = NULL;
    if (!cJSON_IsObject(root)) return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "the top level is not an object");
    for (const cJSON *v = root->child; v; v = v->next) {
        if (strcmp(v->string, "rules") != 0)
            return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "unknown top-level key \"%s\"", v->string);
        if (*out) return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "key \"rules\" appears twice");
        if (!cJSON_IsArray(v)) return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "\"rules\" is not an array");
        *out = v;
    }
    return ZC_OK;
}

zc_result zc_manifest_parse(const char *text, size_t size, zc_manifest **out, zc_diag *diag) {
    if (out) *out = NULL;
    if (!out || (!text && size)) return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "no manifest text");
    if (size > ZC_MANIFEST_MAX_SIZE)
        return zc_fail(diag, ZC_ERR_LIMIT, "manifest of %zu bytes exceeds the limit of %u", size, ZC_MANIFEST_MAX_SIZE);
    cJSON *root;
    zc_result r = zc__parse_json(text ? text : "", size, &root, diag);
    if (r != ZC_OK) return r;
    const cJSON *rules;
    r = zc__rules_array(root, &rules, diag);
    zc_manifest *m = r == ZC_OK ? (zc_manifest *)calloc(1, sizeof *m) : NULL;
    size_t count = rules ? (size_t)cJSON_GetArraySize(rules) : 0;
    if (r == ZC_OK && (!m || (count && !(m->rules = (zc__manifest_rule *)calloc(count, sizeof *m->rules)))))
        r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for %zu rules", count);
    const cJSON *item = rules ? rules->child : NULL;
    for (size_t i = 0; r == ZC_OK && item; ++i, item = item->next) {
        m->count = i + 1;
        r = zc__parse_rule(item, i, &m->rules[i], diag);
    }
    cJSON_Delete(root);
    if (r != ZC_OK) {
        zc_manifest_free(m);
        return r;
    }
    *out = m;
    return ZC_OK;
}

zc_result zc_manifest_load(const char *file_path, zc_manifest **out, zc_diag *diag) {
    if (out) *out = NULL;
    if (!file_path || !out) return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "no manifest path");
    int fd;
    do fd = zc__packer_sys.open(file_path, O_RDONLY | O_CLOEXEC, 0);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int err = errno;
        return zc_fail(diag, err == ENOENT ? ZC_ERR_FILE_NOT_FOUND : ZC_ERR_IO, "cannot open: %s", strerror(err));
    }
    size_t cap = ZC_MANIFEST_MAX_SIZE + 1, size = 0; /* one byte more detects an oversized file */
    char *text = (char *)malloc(cap);
    zc_result r = text ? ZC_OK : zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory reading the manifest");
    while (r == ZC_OK && size < cap) {
        ssize_t n = zc__packer_sys.read(fd, text + size, cap - size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) r = zc_fail(diag, ZC_ERR_IO, "cannot read: %s", strerror(errno));
        if (n <= 0) break;
        size += (size_t)n;
    }
    zc__packer_sys.close(fd);
    if (r == ZC_OK) r = zc_manifest_parse(text, size, out, diag);
    free(text);
    return r;
}

/* ---------------------------------------------------------------------------------
 * Matching
 * ------------------------------------------------------------------------------- */

static void zc__apply_rule(const zc__manifest_rule *rule, zc_texture_settings *t) {
    if (rule->set & ZC__SET_FORMAT) t->format = rule->texture.format;
    if (rule->set & ZC__SET_SRGB) t->srgb = rule->texture.srgb;
    if (rule->set & ZC__SET_NORMAL_MAP) t->normal_map = rule->texture.normal_map;
    if (rule->set & ZC__SET_MIPS) t->mips = rule->texture.mips;
    if (rule->set & ZC__SET_CUTOUT) t->cutout = rule->texture.cutout;
    if (rule->set & ZC__SET_MAX_SIZE) t->max_size = rule->texture.max_size;
    if (rule->set & ZC__SET_ROW_PITCH_ALIGN) t->row_pitch_align = rule->texture.row_pitch_align;
}

static void zc__apply_mesh_rule(const zc__manifest_rule *rule, zc_model_settings *m) {
    if (rule->set & ZC__SET_QUANTIZE) m->quantize = rule->model.quantize;
    if (rule->set & ZC__SET_MESHLETS) m->meshlets = rule->model.meshlets;
    if (rule->set & ZC__SET_GENERATE_NORMALS) m->generate_normals = rule->model.generate_normals;
    if (rule->set & ZC__SET_GENERATE_TANGENTS) m->generate_tangents = rule->model.generate_tangents;
    if (rule->set & ZC__SET_FLIP_UVS) m->flip_uvs = rule->model.flip_uvs;
    if (rule->set & ZC__SET_SCALE) m->scale = rule->model.scale;
}

zc_switch zc_manifest_compression(const zc_manifest *m, const char *source_path) {
    zc_switch result = ZC_SWITCH_AUTO;
    if (!m || !source_path) return result;
    for (size_t i = 0; i < m->count; ++i)
        if ((m->rules[i].set & ZC__SET_COMPRESS) && fnmatch(m->rules[i].match, source_path, 0) == 0)
            result = m->rules[i].compress;
    return result;
}

void zc_manifest_apply(const zc_manifest *m, const char *entry_path, zc_import_settings *settings) {
    if (!m || !entry_path || !settings) return;
    for (size_t i = 0; i < m->count; ++i) {
        if (fnmatch(m->rules[i].match, entry_path, 0) != 0) continue;
        zc__apply_rule(&m->rules[i], &settings->texture);
        zc__apply_rule(&m->rules[i], &settings->model.texture);
        zc__apply_mesh_rule(&m->rules[i], &settings->model);
    }
}
