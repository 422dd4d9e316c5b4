/* zc_cli_options.h - the one option parser of zcpack: each command declares its
 * options in a table (zc_cli_option rows ended by ZC_OPT_END); zc_cli_parse reads
 * argv against it into the command's own struct of option values.
 *
 * Syntax: options may come before or after the operands; "--" ends the options; "-"
 * alone is an operand. A long option takes its value as "--name=v" or "--name v", a
 * short one as "-xv" or "-x v". -h and --help are known to every command.
 */
#ifndef ZC_CLI_OPTIONS_H
#define ZC_CLI_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

typedef enum zc_cli_option_kind {
    ZC_OPT_KIND_END = 0,
    ZC_OPT_KIND_FLAG,           /* int set to 1 */
    ZC_OPT_KIND_STRING,         /* const char * pointing into argv */
    ZC_OPT_KIND_NUMBER,         /* zc_cli_number: decimal digits in [lo, hi] */
    ZC_OPT_KIND_CONSTANT,       /* zc_cli_number set to lo, taking no value */
    ZC_OPT_KIND_SIZE,           /* zc_cli_size: bytes, digits with an optional K, M, G or T
                                   (powers of 1024), at least lo MiB */
    ZC_OPT_KIND_LIST,           /* zc_cli_list: a string option that may repeat */
} zc_cli_option_kind;

#define ZC_CLI_MAX_LIST 16

/* A repeatable option's values (pointing into argv), in command-line order. */
typedef struct zc_cli_list {
    const char *items[ZC_CLI_MAX_LIST];
    int count;
} zc_cli_list;

/* A numeric option's value, and whether it was given. */
typedef struct zc_cli_number {
    uint32_t value;
    int given;
} zc_cli_number;

/* A size option's value in bytes, and whether it was given. */
typedef struct zc_cli_size {
    uint64_t value;
    int given;
} zc_cli_size;

typedef struct zc_cli_option {
    const char *long_name;      /* "--output" */
    char short_name;            /* 'o', or 0 */
    zc_cli_option_kind kind;
    uint32_t lo, hi;            /* NUMBER: the range; CONSTANT: the value (lo) */
    size_t offset;              /* of the target field in the command's struct */
    /* STRING, LIST: what a missing value is ("a file name"); when `empty` is set, an empty
     * value is refused with the usage error "empty <empty>" ("output file name"). */
    const char *value_name, *empty;
} zc_cli_option;

#define ZC_OPT_FLAG(long_name, short_name, type, field) \
    { long_name, short_name, ZC_OPT_KIND_FLAG, 0, 0, offsetof(type, field), NULL, NULL }
#define ZC_OPT_STRING(long_name, short_name, type, field, value_name, empty) \
    { long_name, short_name, ZC_OPT_KIND_STRING, 0, 0, offsetof(type, field), value_name, empty }
#define ZC_OPT_NUMBER(long_name, short_name, type, field, lo, hi) \
    { long_name, short_name, ZC_OPT_KIND_NUMBER, lo, hi, offsetof(type, field), NULL, NULL }
#define ZC_OPT_CONSTANT(long_name, short_name, type, field, value) \
    { long_name, short_name, ZC_OPT_KIND_CONSTANT, value, value, offsetof(type, field), NULL, NULL }
#define ZC_OPT_SIZE(long_name, short_name, type, field, lo_mib) \
    { long_name, short_name, ZC_OPT_KIND_SIZE, lo_mib, 0, offsetof(type, field), NULL, NULL }
#define ZC_OPT_LIST(long_name, short_name, type, field, value_name, empty) \
    { long_name, short_name, ZC_OPT_KIND_LIST, 0, 0, offsetof(type, field), value_name, empty }
#define ZC_OPT_END { NULL, 0, ZC_OPT_KIND_END, 0, 0, 0, NULL, NULL }

/* What the parser found besides the option values. */
typedef struct zc_cli_parsed {
    const char **operands;      /* the caller's array of operand_cap slots, filled in order */
    int operand_cap;
    int operand_count;
    int help;                   /* -h or --help */
} zc_cli_parsed;

/* Parse argv[first..argc) for `command` against `options`, storing values into
 * `values` (the command's struct, zeroed by the caller) and the operands into
 * out->operands (set with operand_cap by the caller; argc slots hold any command
 * line). Returns -1 on success, else ZC_EXIT_USAGE after printing the usage error. */
int zc_cli_parse(const char *command, const zc_cli_option *options, int argc, char **argv, int first,
                 void *values, zc_cli_parsed *out);

/* A byte count: decimal digits and an optional suffix K, M, G or T (either case;
 * powers of 1024), at most 2^62 bytes: 1 when parsed into *out. */
int zc_cli_parse_size(const char *text, uint64_t *out);

/* A decimal number in [lo, hi], digits only: 1 when parsed into *out. */
int zc_cli_parse_number(const char *text, uint32_t lo, uint32_t hi, uint32_t *out);

#endif /* ZC_CLI_OPTIONS_H */
