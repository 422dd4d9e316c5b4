/* zc_cli_options.c - the declarative option parser (zc_cli_options.h). */
#include "zc_cli_options.h"

#include <string.h>

#include "zc_cli.h"

int zc_cli_parse_number(const char *text, uint32_t lo, uint32_t hi, uint32_t *out) {
    uint64_t v = 0;
    const char *p = text;
    if (!*p) return 0;
    for (; *p >= '0' && *p <= '9'; ++p)
        if ((v = v * 10 + (uint64_t)(*p - '0')) > hi) return 0;
    if (*p || v < lo) return 0;
    *out = (uint32_t)v;
    return 1;
}

int zc_cli_parse_size(const char *text, uint64_t *out) {
    const uint64_t max = UINT64_C(1) << 62;
    uint64_t v = 0;
    const char *p = text;
    if (*p < '0' || *p > '9') return 0;
    for (; *p >= '0' && *p <= '9'; ++p)
        if ((v = v * 10 + (uint64_t)(*p - '0')) > max) return 0;
    static const char units[] = "kmgt";
    unsigned shift = 0;
    if (*p) {
        char c = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        const char *u = c ? strchr(units, c) : NULL;
        if (!u || p[1]) return 0;
        shift = 10u * (unsigned)(u - units + 1);
    }
    if (v > max >> shift) return 0;
    *out = v << shift;
    return 1;
}

static int zc__takes_value(const zc_cli_option *o) {
    return o->kind == ZC_OPT_KIND_STRING || o->kind == ZC_OPT_KIND_NUMBER || o->kind == ZC_OPT_KIND_SIZE ||
           o->kind == ZC_OPT_KIND_LIST;
}

/* The row argv[i] names, with *value set to an attached value ("--name=v", "-xv")
 * or NULL. NULL when no row matches. */
static const zc_cli_option *zc__match(const zc_cli_option *options, const char *arg, const char **value) {
    *value = NULL;
    for (const zc_cli_option *o = options; o->kind != ZC_OPT_KIND_END; ++o) {
        if (arg[1] == '-') {
            size_t n = strlen(o->long_name);
            if (strncmp(arg, o->long_name, n) != 0) continue;
            if (arg[n] == 0) return o;
            if (arg[n] == '=' && zc__takes_value(o)) {
                *value = arg + n + 1;
                return o;
            }
        } else if (o->short_name && arg[1] == o->short_name) {
            if (arg[2] == 0) return o;
            if (zc__takes_value(o)) {
                *value = arg + 2;
                return o;
            }
        }
    }
    return NULL;
}

/* Store one option's value; -1, or an exit code. */
static int zc__store(const char *command, const zc_cli_option *o, const char *arg, const char *value,
                     void *values) {
    char *field = (char *)values + o->offset;
    switch (o->kind) {
    case ZC_OPT_KIND_FLAG:
        *(int *)field = 1;
        return -1;
    case ZC_OPT_KIND_CONSTANT:
        ((zc_cli_number *)field)->value = o->lo;
        ((zc_cli_number *)field)->given = 1;
        return -1;
    case ZC_OPT_KIND_STRING:
        if (o->empty && !value[0]) return zc__usage_error(command, "empty %s", o->empty);
        *(const char **)field = value;
        return -1;
    case ZC_OPT_KIND_LIST: {
        zc_cli_list *list = (zc_cli_list *)field;
        if (o->empty && !value[0]) return zc__usage_error(command, "empty %s", o->empty);
        if (list->count == ZC_CLI_MAX_LIST)
            return zc__usage_error(command, "option '%s' given more than %d times", arg, ZC_CLI_MAX_LIST);
        list->items[list->count++] = value;
        return -1;
    }
    case ZC_OPT_KIND_NUMBER: {
        zc_cli_number *n = (zc_cli_number *)field;
        if (!zc_cli_parse_number(value, o->lo, o->hi, &n->value))
            return zc__usage_error(command, "option '%s': '%s' is not a number in [%u, %u]", arg, value, o->lo,
                                   o->hi);
        n->given = 1;
        return -1;
    }
    case ZC_OPT_KIND_SIZE: {
        zc_cli_size *n = (zc_cli_size *)field;
        if (!zc_cli_parse_size(value, &n->value) || n->value < ((uint64_t)o->lo << 20))
            return zc__usage_error(command, "option '%s': '%s' is not a size of at least %uM (digits with an "
                                   "optional K, M, G or T)", arg, value, o->lo);
        n->given = 1;
        return -1;
    }
    default:
        return zc__usage_error(command, "unknown option '%s'", arg);
    }
}

int zc_cli_parse(const char *command, const zc_cli_option *options, int argc, char **argv, int first,
                 void *values, zc_cli_parsed *out) {
    out->operand_count = 0;
    out->help = 0;
    int in_options = 1;
    for (int i = first; i < argc; ++i) {
        const char *arg = argv[i];
        if (!in_options || arg[0] != '-' || arg[1] == 0) {
            if (out->operand_count == out->operand_cap) return zc__usage_error(command, "too many arguments");
            out->operands[out->operand_count++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            in_options = 0;
            continue;
        }
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            out->help = 1;
            continue;
        }
        const char *value;
        const zc_cli_option *o = zc__match(options, arg, &value);
        if (!o) return zc__usage_error(command, "unknown option '%s'", arg);
        if (zc__takes_value(o) && !value) {
            if (i + 1 >= argc)
                return zc__usage_error(command, "option '%s' needs %s", arg,
                                       o->kind == ZC_OPT_KIND_NUMBER ? "a number"
                                       : o->kind == ZC_OPT_KIND_SIZE ? "a size"
                                                                     : o->value_name);
            value = argv[++i];
        }
        int rc = zc__store(command, o, arg, value, values);
        if (rc >= 0) return rc;
    }
    return -1;
}
