/* zc_cmd_build.h - what `zcpack watch` shares with `zcpack build`: the option
 * values of a build, their option rows, and the build's defaults and exit codes. */
#ifndef ZC_CMD_BUILD_H
#define ZC_CMD_BUILD_H

#include "zc_build.h"
#include "zc_build_cache.h"
#include "zc_cli.h"

/* Option values of a build (build and watch). */
typedef struct zc_cli_build_values {
    const char *output;         /* -o; NULL: <name of dir>.zcpack */
    int quiet, keep_going, no_compress, no_entry_compression, dict, include_hidden, follow_links;
    const char *base;           /* build --base */
    const char *sign;           /* --sign: secret key file */
    const char *cache;          /* --cache */
    const char *cache_url;      /* --cache-url */
    zc_cli_number jobs, max_dimension, model_timeout, level, min_saving, cache_max;
    zc_cli_size max_memory;     /* --max-memory */
} zc_cli_build_values;

/* The option rows both commands take, for a values struct `type` whose
 * zc_cli_build_values is reached as `prefix` (empty, or `build.`). */
#define ZC_CLI_BUILD_OPTIONS(type, prefix)                                                              \
    ZC_OPT_STRING("--output", 'o', type, prefix output, "a file name", "output file name"),             \
    ZC_OPT_FLAG("--quiet", 'q', type, prefix quiet),                                                    \
    ZC_OPT_FLAG("--keep-going", 0, type, prefix keep_going),                                            \
    ZC_OPT_FLAG("--no-compress", 0, type, prefix no_compress),                                          \
    ZC_OPT_FLAG("--no-compress-entries", 0, type, prefix no_entry_compression),                         \
    ZC_OPT_FLAG("--dict", 0, type, prefix dict),                                                        \
    ZC_OPT_FLAG("--include-hidden", 0, type, prefix include_hidden),                                    \
    ZC_OPT_FLAG("--follow-links", 0, type, prefix follow_links),                                        \
    ZC_OPT_NUMBER("--jobs", 'j', type, prefix jobs, 1, 1024),                                           \
    ZC_OPT_NUMBER("--max-texture-dimension", 0, type, prefix max_dimension, 1, ZC_TEXTURE_MAX_EXTENT),  \
    ZC_OPT_NUMBER("--model-timeout", 0, type, prefix model_timeout, 1, 86400),                          \
    ZC_OPT_NUMBER("--level", 0, type, prefix level, 1, ZC_WRITER_MAX_LEVEL),                            \
    ZC_OPT_NUMBER("--min-saving", 0, type, prefix min_saving, 1, 99),                                   \
    ZC_OPT_STRING("--cache", 0, type, prefix cache, "a value", "cache directory name"),                 \
    ZC_OPT_STRING("--cache-url", 0, type, prefix cache_url, "an address", "cache server address"),      \
    ZC_OPT_STRING("--sign", 0, type, prefix sign, "a secret key file name", "secret key file name"),    \
    ZC_OPT_NUMBER("--cache-max", 0, type, prefix cache_max, 1, 1048576),                                \
    ZC_OPT_SIZE("--max-memory", 0, type, prefix max_memory, 1)

/* --sign: read the secret key file into *key when v->sign names one. -1 when there is
 * nothing to read or the key is read (wipe it with zc_secret_key_wipe after the
 * builds), else the exit code of the failure (ZC_EXIT_IO unreadable, ZC_EXIT_SIGNATURE
 * not a secret key), which is already reported. */
int zc__build_read_key(const zc_cli_build_values *v, zc_secret_key *key);

/* The build description of `v` for `dir` and `output` (logger, threads, options). */
void zc__build_desc_from(zc_build_desc *desc, const zc_cli_build_values *v, const char *dir, const char *output);

/* Default output: the last component of `dir` plus ".zcpack", in the current
 * directory (malloc'd). NULL when no name can be derived (dir is "/"). */
char *zc__default_output(const char *dir);

/* Exit code for a failed build. */
int zc__exit_for_build(zc_result r, zc_build_stage stage);

#endif /* ZC_CMD_BUILD_H */
