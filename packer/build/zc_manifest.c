/* zc_manifest.c - zcpack.json parsing and rule matching (zc_manifest.h). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "zc_manifest.h"
#include "zc_packer_sys.h"

/* The importer keys a rule can hold: at most every distinct key of the table. */
#define ZC__RULE_MAX_KEYS 64

/* One importer key a rule sets, read as its first row's zc_import_key says. */
typedef struct zc__rule_value {
    const char *key;                /* the row's key string (static) */
    zc_import_key_kind kind;
    union {
        int i;                      /* SWITCH (zc_switch), FLAG, ENUM */
        uint32_t u;                 /* UINT, POW2 */
        float f;                    /* POSITIVE */
        char *s;                    /* TEXT: malloc'd */
    } v;
} zc__rule_value;

typedef struct zc__manifest_rule {
    char *match;
    zc__rule_value values[ZC__RULE_MAX_KEYS]; /* value_count of them, keys distinct */
    size_t value_count;
    int has_compress;
    zc_switch compress;             /* when has_compress */
    int has_exclude;
    int exclude;                    /* when has_exclude: 1 leaves the file out */
    const zc_importer *importer;    /* NULL: the rule does not choose one */
} zc__manifest_rule;

struct zc_manifest {
    zc__manifest_rule *rules;
    size_t count;
};

void zc_manifest_free(zc_manifest *m) {
    if (!m) return;
    for (size_t i = 0; i < m->count; ++i) {
        free(m->rules[i].match);
        for (size_t k = 0; k < m->rules[i].value_count; ++k)
            if (m->rules[i].values[k].kind == ZC_IMPORT_KEY_TEXT) free(m->rules[i].values[k].v.s);
    }
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

/* The first importer row's entry for manifest key `key`, NULL when no row reads it. */
static const zc_import_key *zc__find_key(const char *key) {
    for (size_t r = 0; r < zc_importer_count(); ++r) {
        const zc_importer *imp = zc_importer_at(r);
        for (size_t k = 0; k < imp->key_count; ++k)
            if (strcmp(imp->keys[k].key, key) == 0) return &imp->keys[k];
    }
    return NULL;
}

static zc_result zc__rule_bool(const cJSON *value, size_t index, int *on, zc_diag *diag) {
    if (!cJSON_IsBool(value))
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "rule %zu: \"%s\" must be true or false", index, value->string);
    *on = cJSON_IsTrue(value) ? 1 : 0;
    return ZC_OK;
}

/* A finite number greater than 0 that stays finite and non-zero as a float. */
static zc_result zc__rule_positive(const cJSON *value, size_t index, float *out, zc_diag *diag) {
    double d = cJSON_IsNumber(value) ? value->valuedouble : 0.0;
    if (!cJSON_IsNumber(value) || !isfinite(d) || d <= 0.0 || d > 1e30 || (float)d <= 0.0f)
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT,
                       "rule %zu: \"%s\" must be a number greater than 0 (at most 1e30)", index, value->string);
    *out = (float)d;
    return ZC_OK;
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

/* A TEXT value: a non-empty string of fewer than `capacity` bytes, copied. */
static zc_result zc__rule_text(const cJSON *v, size_t index, uint32_t capacity, char **out, zc_diag *diag) {
    size_t n = cJSON_IsString(v) ? strlen(v->valuestring) : 0;
    if (!n || n >= capacity)
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "rule %zu: \"%s\" must be a non-empty string of fewer than %u bytes",
                       index, v->string, capacity);
    if (!(*out = (char *)malloc(n + 1))) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    memcpy(*out, v->valuestring, n + 1);
    return ZC_OK;
}

/* One importer key's value, read as `k` says. */
static zc_result zc__rule_value_parse(const cJSON *v, size_t index, const zc_import_key *k, zc__rule_value *out,
                                      zc_diag *diag) {
    out->key = k->key;
    out->kind = k->kind;
    switch (k->kind) {
    case ZC_IMPORT_KEY_SWITCH: {
        int on = 0;
        zc_result r = zc__rule_bool(v, index, &on, diag);
        out->v.i = (int)(on ? ZC_SWITCH_ON : ZC_SWITCH_OFF);
        return r;
    }
    case ZC_IMPORT_KEY_FLAG: return zc__rule_bool(v, index, &out->v.i, diag);
    case ZC_IMPORT_KEY_UINT: return zc__rule_int(v, index, k->lo, k->hi, 0, &out->v.u, diag);
    case ZC_IMPORT_KEY_POW2: return zc__rule_int(v, index, k->lo, k->hi, 1, &out->v.u, diag);
    case ZC_IMPORT_KEY_POSITIVE: return zc__rule_positive(v, index, &out->v.f, diag);
    case ZC_IMPORT_KEY_TEXT: return zc__rule_text(v, index, k->hi, &out->v.s, diag);
    case ZC_IMPORT_KEY_ENUM: {
        const char *name = cJSON_IsString(v) ? v->valuestring : NULL;
        if (name && k->parse(name, &out->v.i)) return ZC_OK;
        char expected[256] = "a valid name";
        if (k->expected) k->expected(expected, sizeof expected);
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "rule %zu: \"%s\" must be %s", index, v->string, expected);
    }
    }
    return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "rule %zu: \"%s\" has no reader", index, v->string);
}

/* One member of a rule object. */
static zc_result zc__rule_member(const cJSON *v, size_t index, zc__manifest_rule *rule, zc_diag *diag) {
    const char *key = v->string;
    if (strcmp(key, "match") == 0) {
        if (!cJSON_IsString(v) || !v->valuestring[0])
            return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "rule %zu: \"match\" must be a non-empty string", index);
        size_t n = strlen(v->valuestring);
        if (!(rule->match = (char *)malloc(n + 1))) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
        memcpy(rule->match, v->valuestring, n + 1);
        return ZC_OK;
    }
    if (strcmp(key, "compress") == 0) {
        int on = 0;
        zc_result r = zc__rule_bool(v, index, &on, diag);
        rule->compress = on ? ZC_SWITCH_ON : ZC_SWITCH_OFF;
        rule->has_compress = 1;
        return r;
    }
    if (strcmp(key, "exclude") == 0) {
        rule->has_exclude = 1;
        return zc__rule_bool(v, index, &rule->exclude, diag);
    }
    if (strcmp(key, "importer") == 0) {
        rule->importer = cJSON_IsString(v) ? zc_importer_find(v->valuestring) : NULL;
        if (rule->importer) return ZC_OK;
        char names[256] = "";
        for (size_t i = 0, n = 0; i < zc_importer_count() && n < sizeof names; ++i)
            n += (size_t)snprintf(names + n, sizeof names - n, "%s\"%s\"", i ? (i + 1 == zc_importer_count() ? " or " : ", ") : "",
                                  zc_importer_at(i)->name);
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "rule %zu: \"importer\" must be %s", index, names);
    }
    const zc_import_key *k = zc__find_key(key);
    if (!k) return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "rule %zu: unknown key \"%s\"", index, key);
    if (rule->value_count == ZC__RULE_MAX_KEYS)
        return zc_fail(diag, ZC_ERR_LIMIT, "rule %zu has more than %d keys", index, ZC__RULE_MAX_KEYS);
    zc_result r = zc__rule_value_parse(v, index, k, &rule->values[rule->value_count], diag);
    if (r == ZC_OK) rule->value_count++;
    return r;
}

/* The importer row with ZC_IMPORTER_CHOSEN_BY_KEYS that reads `key`, NULL when none. */
static const zc_importer *zc__chosen_by(const char *key) {
    for (size_t r = 0; r < zc_importer_count(); ++r) {
        const zc_importer *imp = zc_importer_at(r);
        for (size_t k = 0; (imp->flags & ZC_IMPORTER_CHOSEN_BY_KEYS) && k < imp->key_count; ++k)
            if (strcmp(imp->keys[k].key, key) == 0) return imp;
    }
    return NULL;
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
    for (size_t i = 0; !rule->importer && i < rule->value_count; ++i) rule->importer = zc__chosen_by(rule->values[i].key);
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

/* Refuse a string (key or value) that holds a NUL, raw or escaped as \u0000: cJSON keeps
 * C strings, so it would be cut at the NUL and the rest silently dropped. Names the rule
 * the string is in (objects opened inside the "rules" array). */
static zc_result zc__check_nul(const char *text, size_t size, zc_diag *diag) {
    int in_string = 0, depth = 0;
    long rule = -1;
    for (size_t i = 0; i < size; ++i) {
        char c = text[i];
        int nul = 0;
        if (in_string) {
            if (c == 0) nul = 1;
            else if (c == '"') in_string = 0;
            else if (c == '\\' && i + 1 < size) {
                if (text[i + 1] == 'u' && i + 5 < size && text[i + 2] == '0' && text[i + 3] == '0' &&
                    text[i + 4] == '0' && text[i + 5] == '0')
                    nul = 1;
                i++;
            }
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[') {
            if (++depth == 3 && c == '{') rule++;
        } else if (c == '}' || c == ']') {
            depth--;
        }
        if (!nul) continue;
        size_t line, column;
        zc__position(text, i, &line, &column);
        if (depth >= 3 && rule >= 0)
            return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT,
                           "rule %ld: a key or string holds a NUL character (line %zu, column %zu)", rule, line, column);
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "a key or string holds a NUL character (line %zu, column %zu)",
                       line, column);
    }
    return ZC_OK;
}

zc_result zc_manifest_parse(const char *text, size_t size, zc_manifest **out, zc_diag *diag) {
    if (out) *out = NULL;
    if (!out || (!text && size)) return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "no manifest text");
    if (size > ZC_MANIFEST_MAX_SIZE)
        return zc_fail(diag, ZC_ERR_LIMIT, "manifest of %zu bytes exceeds the limit of %u", size, ZC_MANIFEST_MAX_SIZE);
    cJSON *root;
    zc_result r = zc__check_nul(text ? text : "", size, diag);
    if (r != ZC_OK) return r;
    r = zc__parse_json(text ? text : "", size, &root, diag);
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

zc_result zc_read_config_file(const char *file_path, size_t max_size, char **text_out, size_t *size_out,
                              zc_diag *diag) {
    *text_out = NULL;
    *size_out = 0;
    if (!file_path) return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "no file path");
    int fd;
    do fd = zc__packer_sys.open(file_path, O_RDONLY | O_CLOEXEC, 0);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int err = errno;
        return zc_fail(diag, err == ENOENT ? ZC_ERR_FILE_NOT_FOUND : ZC_ERR_IO, "cannot open: %s", strerror(err));
    }
    size_t cap = max_size + 1, size = 0; /* one byte more detects an oversized file */
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
    if (r == ZC_OK && size > max_size) r = zc_fail(diag, ZC_ERR_LIMIT, "larger than the limit of %zu bytes", max_size);
    if (r != ZC_OK) {
        free(text);
        return r;
    }
    *text_out = text;
    *size_out = size;
    return ZC_OK;
}

zc_result zc_manifest_load(const char *file_path, zc_manifest **out, zc_diag *diag) {
    if (out) *out = NULL;
    if (!file_path || !out) return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "no manifest path");
    char *text;
    size_t size;
    zc_result r = zc_read_config_file(file_path, ZC_MANIFEST_MAX_SIZE, &text, &size, diag);
    if (r == ZC_OK) r = zc_manifest_parse(text, size, out, diag);
    free(text);
    return r;
}

/* ---------------------------------------------------------------------------------
 * Matching
 * ------------------------------------------------------------------------------- */

/* Store one value into every importer row that reads its key. */
static void zc__apply_value(const zc__rule_value *value, zc_import_settings *settings) {
    for (size_t r = 0; r < zc_importer_count(); ++r) {
        const zc_importer *imp = zc_importer_at(r);
        for (size_t k = 0; k < imp->key_count; ++k) {
            if (strcmp(imp->keys[k].key, value->key) != 0) continue;
            char *field = (char *)settings + imp->settings_offset + imp->keys[k].offset;
            if (value->kind == ZC_IMPORT_KEY_UINT || value->kind == ZC_IMPORT_KEY_POW2)
                memcpy(field, &value->v.u, sizeof value->v.u);
            else if (value->kind == ZC_IMPORT_KEY_POSITIVE)
                memcpy(field, &value->v.f, sizeof value->v.f);
            else if (value->kind == ZC_IMPORT_KEY_TEXT) {
                memset(field, 0, imp->keys[k].hi);
                memcpy(field, value->v.s, strlen(value->v.s)); /* shorter than hi (parse) */
            }
            else
                memcpy(field, &value->v.i, sizeof value->v.i);
        }
    }
}

zc_switch zc_manifest_compression(const zc_manifest *m, const char *source_path) {
    zc_switch result = ZC_SWITCH_AUTO;
    if (!m || !source_path) return result;
    for (size_t i = 0; i < m->count; ++i)
        if (m->rules[i].has_compress && fnmatch(m->rules[i].match, source_path, 0) == 0)
            result = m->rules[i].compress;
    return result;
}

uint32_t zc_manifest_excludes(const zc_manifest *m, const char *source_path) {
    uint32_t rule = 0;
    for (size_t i = 0; m && source_path && i < m->count; ++i)
        if (m->rules[i].has_exclude && fnmatch(m->rules[i].match, source_path, 0) == 0)
            rule = m->rules[i].exclude ? (uint32_t)i + 1 : 0;
    return rule;
}

const zc_importer *zc_manifest_importer(const zc_manifest *m, const char *source_path) {
    const zc_importer *chosen = NULL;
    for (size_t i = 0; m && source_path && i < m->count; ++i)
        if (m->rules[i].importer && fnmatch(m->rules[i].match, source_path, 0) == 0) chosen = m->rules[i].importer;
    return chosen ? chosen : source_path ? zc_importer_for_path(source_path) : NULL;
}

zc_texture_group zc_manifest_texture_group(const zc_manifest *m, const char *source_path) {
    if (!m || !source_path) return ZC_TEXTURE_GROUP_NONE;
    const zc_importer *imp = zc_manifest_importer(m, source_path);
    if (!imp || strcmp(imp->name, "texture") != 0) return ZC_TEXTURE_GROUP_NONE;
    zc_import_settings settings;
    memset(&settings, 0, sizeof settings);
    zc_manifest_apply(m, source_path, &settings);
    if (settings.texture.cube_faces && zc_texture_cube_face(source_path) >= 0) return ZC_TEXTURE_GROUP_CUBE;
    return settings.texture.array_folder ? ZC_TEXTURE_GROUP_ARRAY : ZC_TEXTURE_GROUP_NONE;
}

void zc_manifest_apply(const zc_manifest *m, const char *entry_path, zc_import_settings *settings) {
    if (!m || !entry_path || !settings) return;
    for (size_t i = 0; i < m->count; ++i) {
        if (fnmatch(m->rules[i].match, entry_path, 0) != 0) continue;
        for (size_t v = 0; v < m->rules[i].value_count; ++v) zc__apply_value(&m->rules[i].values[v], settings);
    }
}
