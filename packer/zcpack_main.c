/* zcpack_main.c - the zcpack command-line tool (manual: packer/zcpack.md).
 *
 * Uses only the packer library (zc_build.h) and the runtime's public API. Results go
 * to stdout; diagnostics, help and the progress bar go to stderr as
 * "zcpack: <file>: <problem>". Exit codes are listed in ZC__EXIT_TEXT below.
 */
#define _DEFAULT_SOURCE /* realpath */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "zc_build.h"
#include "zc_pack.h"

enum {
    ZC_EXIT_OK = 0,
    ZC_EXIT_INTERNAL = 1,
    ZC_EXIT_USAGE = 2,
    ZC_EXIT_IO = 3,
    ZC_EXIT_CORRUPT = 4,
    ZC_EXIT_NO_ENTRY = 5,
    ZC_EXIT_IMPORT = 6,
};

#define ZC__EXIT_TEXT                                                                \
    "Exit codes:\n"                                                                  \
    "  0  success\n"                                                                 \
    "  1  internal error (out of memory, a pack the writer could not verify)\n"      \
    "  2  usage error\n"                                                             \
    "  3  I/O error: missing or unreadable input, output that cannot be written\n"   \
    "  4  invalid or corrupt pack (any format error)\n"                              \
    "  5  entry not found (cat)\n"                                                   \
    "  6  an asset failed to import\n"

/* ---------------------------------------------------------------------------------
 * Diagnostics
 * ------------------------------------------------------------------------------- */

static struct {
    int quiet;                  /* build --quiet: no warnings, progress or summary */
    int progress_shown;         /* the progress line is on the terminal */
    int progress_width;         /* its length, to erase it */
    int errors_logged;          /* the library reported at least one error */
    char first_error[1024];     /* the first of them, for --json */
} zc__cli;

static void zc__erase_progress(void) {
    if (!zc__cli.progress_shown) return;
    fprintf(stderr, "\r%*s\r", zc__cli.progress_width, "");
    zc__cli.progress_shown = 0;
}

static void zc__cli_log(zc_log_level level, const char *message, void *user_data) {
    (void)user_data;
    if (level == ZC_LOG_INFO || (level == ZC_LOG_WARNING && zc__cli.quiet)) return;
    zc__erase_progress();
    fprintf(stderr, "zcpack: %s%s\n", level == ZC_LOG_WARNING ? "warning: " : "", message);
    if (level == ZC_LOG_ERROR && !zc__cli.errors_logged++)
        snprintf(zc__cli.first_error, sizeof zc__cli.first_error, "%s", message);
}

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static void zc__error(const char *fmt, ...) {
    va_list ap;
    zc__erase_progress();
    fputs("zcpack: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Report a failed library call on `file` unless the library already logged why. */
static void zc__fail_on(const char *file, zc_result r) {
    if (!zc__cli.errors_logged) {
        zc__error("%s: %s", file, zc_result_str(r));
        snprintf(zc__cli.first_error, sizeof zc__cli.first_error, "%s: %s", file, zc_result_str(r));
    }
}

static int zc__usage_error(const char *command, const char *fmt, ...) {
    va_list ap;
    fputs("zcpack: ", stderr);
    if (command) fprintf(stderr, "%s: ", command);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'zcpack %s%s--help'.\n", command ? command : "", command ? " " : "");
    return ZC_EXIT_USAGE;
}

/* Exit code for an error reading a pack. */
static int zc__exit_for_pack(zc_result r) {
    switch (r) {
    case ZC_OK: return ZC_EXIT_OK;
    case ZC_ERR_IO:
    case ZC_ERR_FILE_NOT_FOUND: return ZC_EXIT_IO;
    case ZC_ERR_OUT_OF_MEMORY:
    case ZC_ERR_INVALID_ARGUMENT: return ZC_EXIT_INTERNAL;
    case ZC_ERR_NO_ENTRY: return ZC_EXIT_NO_ENTRY;
    default: return ZC_EXIT_CORRUPT;
    }
}

/* Exit code for a failed build. */
static int zc__exit_for_build(zc_result r, zc_build_stage stage) {
    switch (r) {
    case ZC_ERR_IO:
    case ZC_ERR_FILE_NOT_FOUND: return ZC_EXIT_IO;
    case ZC_ERR_OUT_OF_MEMORY: return ZC_EXIT_INTERNAL;
    case ZC_ERR_BAD_PATH:
    case ZC_ERR_LIMIT:
    case ZC_ERR_INVALID_ARGUMENT: return ZC_EXIT_IMPORT;
    default: return stage == ZC_BUILD_STAGE_IMPORT ? ZC_EXIT_IMPORT : ZC_EXIT_INTERNAL;
    }
}

/* ---------------------------------------------------------------------------------
 * Help
 * ------------------------------------------------------------------------------- */

static const char zc__help_main[] =
    "Usage: zcpack <command> [options] [arguments]\n"
    "\n"
    "Build and inspect zcpack asset packs.\n"
    "\n"
    "Commands:\n"
    "  build <dir> [-o <pack>] [--quiet]  pack every regular file under <dir>\n"
    "  ls <pack> [--json]                 list the entries, sorted by path\n"
    "  info <pack> [--json]               show the pack's header facts\n"
    "  verify <pack> [--json]             check structure and every checksum\n"
    "  cat <pack> <path>                  write one entry's bytes to stdout\n"
    "\n"
    "Options:\n"
    "  -h, --help     show this help, or a command's help after the command\n"
    "  -V, --version  show the version of zcpack and of the pack format\n"
    "\n" ZC__EXIT_TEXT;

static const char zc__help_build[] =
    "Usage: zcpack build <dir> [-o <pack>] [--quiet]\n"
    "\n"
    "Pack every regular file under <dir> (recursively) into one pack. Entry paths are\n"
    "the paths relative to <dir> with '/' separators, in bytewise order; the same tree\n"
    "gives a byte-identical pack. Symbolic links and special files are skipped with a\n"
    "warning. The pack is written to a temporary file, verified, and renamed over\n"
    "<pack>: on any error <pack> is left as it was.\n"
    "\n"
    "Options:\n"
    "  -o, --output <pack>  pack to write (default: <name of dir>.zcpack in the\n"
    "                       current directory)\n"
    "  -q, --quiet          no progress bar, warnings or summary; errors only\n"
    "  -h, --help           show this help\n"
    "\n"
    "A progress bar is drawn on stderr when stderr is a terminal; a summary line is\n"
    "printed on stdout at the end.\n"
    "\n" ZC__EXIT_TEXT;

static const char zc__help_ls[] =
    "Usage: zcpack ls <pack> [--json]\n"
    "\n"
    "List the entries of <pack> sorted by path, one per line, tab-separated:\n"
    "path, type, raw size in bytes, alignment in bytes, content hash (16 hex digits).\n"
    "\n"
    "Options:\n"
    "  --json      print a JSON array of objects instead (path, id, type, layout_hash,\n"
    "              codec, offset, stored_size, raw_size, alignment, content_hash, deps)\n"
    "  -h, --help  show this help\n"
    "\n" ZC__EXIT_TEXT;

static const char zc__help_info[] =
    "Usage: zcpack info <pack> [--json]\n"
    "\n"
    "Show the facts of <pack>'s header: format and writer versions, file size, entry\n"
    "and dependency counts, table of contents offset and size, payload bytes, and\n"
    "whether the file is memory-mapped. The header and table of contents are checked.\n"
    "\n"
    "Options:\n"
    "  --json      print one JSON object instead\n"
    "  -h, --help  show this help\n"
    "\n" ZC__EXIT_TEXT;

static const char zc__help_verify[] =
    "Usage: zcpack verify <pack> [--json]\n"
    "\n"
    "Check <pack> completely: header, table of contents, the structure of every entry\n"
    "and every checksum. Prints \"ok: N entries verified\" and exits 0 when the pack is\n"
    "valid; otherwise prints the first problem found and exits 4 (3 when the file\n"
    "cannot be read).\n"
    "\n"
    "Options:\n"
    "  --json      print one JSON object instead: {\"ok\", \"entries\"} or\n"
    "              {\"ok\", \"error\", \"message\"}\n"
    "  -h, --help  show this help\n"
    "\n" ZC__EXIT_TEXT;

static const char zc__help_cat[] =
    "Usage: zcpack cat <pack> <path>\n"
    "\n"
    "Write the bytes of entry <path> (as 'zcpack ls' prints it) to stdout, unchanged.\n"
    "The header and table of contents are checked; the entry's bytes are not.\n"
    "\n"
    "Options:\n"
    "  -h, --help  show this help\n"
    "\n" ZC__EXIT_TEXT;

/* ---------------------------------------------------------------------------------
 * Argument parsing: options may come before or after the operands; "--" ends them.
 * ------------------------------------------------------------------------------- */

typedef struct zc__args {
    const char *operands[4];
    int operand_count;
    int help, json, quiet;
    const char *output;
} zc__args;

/* Parse argv[first..argc) for `command`; `allowed` lists the options it takes
 * ("json", "quiet", "output"). Returns -1 when parsing succeeded, else an exit code. */
static int zc__parse(const char *command, int argc, char **argv, int first, const char *allowed, zc__args *a) {
    memset(a, 0, sizeof *a);
    int options = 1;
    for (int i = first; i < argc; ++i) {
        const char *arg = argv[i];
        if (!options || arg[0] != '-' || arg[1] == 0) {
            if (a->operand_count == (int)(sizeof a->operands / sizeof a->operands[0]))
                return zc__usage_error(command, "too many arguments");
            a->operands[a->operand_count++] = arg;
        } else if (strcmp(arg, "--") == 0) {
            options = 0;
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            a->help = 1;
        } else if (strstr(allowed, "json") && strcmp(arg, "--json") == 0) {
            a->json = 1;
        } else if (strstr(allowed, "quiet") && (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0)) {
            a->quiet = 1;
        } else if (strstr(allowed, "output") && (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0)) {
            if (i + 1 >= argc) return zc__usage_error(command, "option '%s' needs a file name", arg);
            a->output = argv[++i];
        } else if (strstr(allowed, "output") && strncmp(arg, "--output=", 9) == 0) {
            a->output = arg + 9;
        } else if (strstr(allowed, "output") && strncmp(arg, "-o", 2) == 0) {
            a->output = arg + 2;
        } else {
            return zc__usage_error(command, "unknown option '%s'", arg);
        }
    }
    if (a->output && !a->output[0]) return zc__usage_error(command, "empty output file name");
    return -1;
}

static int zc__check_operands(const char *command, const zc__args *a, int want, const char *names) {
    if (a->operand_count < want) return zc__usage_error(command, "missing %s", names);
    if (a->operand_count > want) return zc__usage_error(command, "unexpected argument '%s'", a->operands[want]);
    return -1;
}

static int zc__print_help(const char *text) {
    fputs(text, stderr);
    return ZC_EXIT_OK;
}

/* ---------------------------------------------------------------------------------
 * Formatting helpers
 * ------------------------------------------------------------------------------- */

static double zc__now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double zc__mib(uint64_t bytes) {
    return (double)bytes / (1024.0 * 1024.0);
}

static void zc__hex64(uint64_t v, char out[17]) {
    snprintf(out, 17, "%016llx", (unsigned long long)v);
}

/* Type name from the registry, the FourCC when printable, else "0x%08x". */
static const char *zc__type_text(uint32_t tag, char out[16]) {
    const char *name = zc_type_name(tag);
    if (name) return name;
    char c[4];
    int printable = 1;
    for (int i = 0; i < 4; ++i) {
        c[i] = (char)((tag >> (8 * i)) & 0xFF);
        if (c[i] < 0x21 || c[i] > 0x7E) printable = 0;
    }
    if (printable)
        snprintf(out, 16, "%c%c%c%c", c[0], c[1], c[2], c[3]);
    else
        snprintf(out, 16, "0x%08x", (unsigned)tag);
    return out;
}

static const char *zc__codec_text(zc_codec codec) {
    switch (codec) {
    case ZC_CODEC_NONE: return "none";
    case ZC_CODEC_ZSTD: return "zstd";
    default: return "unknown";
    }
}

/* Print a cJSON tree on stdout followed by a newline; frees it. */
static int zc__print_json(cJSON *json) {
    char *text = json ? cJSON_Print(json) : NULL;
    cJSON_Delete(json);
    if (!text) {
        zc__error("out of memory formatting JSON");
        return ZC_EXIT_INTERNAL;
    }
    fputs(text, stdout);
    fputc('\n', stdout);
    cJSON_free(text);
    return ZC_EXIT_OK;
}

/* Open a pack for a read-only command; on error returns the exit code (> 0). */
static int zc__open(const char *path, zc_validate level, zc_pack **out, zc_result *out_result) {
    zc_pack_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.path = path;
    desc.validate = level;
    desc.logger.func = zc__cli_log;
    zc_result r = zc_pack_open(out, &desc);
    if (out_result) *out_result = r;
    if (r == ZC_OK) return ZC_EXIT_OK;
    zc__fail_on(path, r);
    return zc__exit_for_pack(r);
}

/* ---------------------------------------------------------------------------------
 * build
 * ------------------------------------------------------------------------------- */

typedef struct zc__progress_state {
    int enabled;
    double last;
} zc__progress_state;

static void zc__progress(const zc_build_progress *p, void *user_data) {
    zc__progress_state *s = (zc__progress_state *)user_data;
    double now = zc__now();
    int last = p->files_done == p->files_total;
    if (!s->enabled || (!last && now - s->last < 0.1)) return;
    s->last = now;
    enum { WIDTH = 30 };
    double fraction = p->bytes_total ? (double)p->bytes_done / (double)p->bytes_total
                      : p->files_total ? (double)p->files_done / (double)p->files_total
                                       : 1.0;
    int filled = (int)(fraction * WIDTH + 0.5);
    char bar[WIDTH + 1];
    for (int i = 0; i < WIDTH; ++i) bar[i] = i < filled ? '#' : '.';
    bar[WIDTH] = 0;
    int n = fprintf(stderr, "\r[%s] %u/%u files %.1f/%.1f MiB", bar, p->files_done, p->files_total,
                    zc__mib(p->bytes_done), zc__mib(p->bytes_total));
    if (n > zc__cli.progress_width) zc__cli.progress_width = n;
    zc__cli.progress_shown = 1;
    fflush(stderr);
}

/* Default output: the last component of `dir` plus ".zcpack", in the current
 * directory. NULL when no name can be derived (dir is "/"). */
static char *zc__default_output(const char *dir) {
    char *resolved = NULL;
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/') len--;
    const char *end = dir + len, *start = end;
    while (start > dir && start[-1] != '/') start--;
    size_t n = (size_t)(end - start);
    if (n == 0 || (n == 1 && start[0] == '.') || (n == 2 && start[0] == '.' && start[1] == '.')) {
        /* "." and "..": name the pack after the directory they stand for */
        resolved = realpath(dir, NULL);
        if (!resolved) return NULL;
        end = resolved + strlen(resolved);
        start = end;
        while (start > resolved && start[-1] != '/') start--;
        n = (size_t)(end - start);
    }
    char *out = n ? (char *)malloc(n + 8) : NULL;
    if (out) {
        memcpy(out, start, n);
        memcpy(out + n, ".zcpack", 8);
    }
    free(resolved);
    return out;
}

static int zc__cmd_build(int argc, char **argv) {
    zc__args a;
    int rc = zc__parse("build", argc, argv, 2, "output quiet", &a);
    if (rc >= 0) return rc;
    if (a.help) return zc__print_help(zc__help_build);
    if ((rc = zc__check_operands("build", &a, 1, "input directory")) >= 0) return rc;
    const char *dir = a.operands[0];
    if (!dir[0]) return zc__usage_error("build", "empty input directory name");
    char *default_output = NULL;
    const char *output = a.output;
    if (!output) {
        default_output = zc__default_output(dir);
        if (!default_output) {
            if (errno == ENOENT || errno == EACCES || errno == ENOTDIR) {
                zc__error("%s: cannot open directory: %s", dir, strerror(errno));
                return ZC_EXIT_IO;
            }
            return zc__usage_error("build", "cannot name the output after '%s': use -o <pack>", dir);
        }
        output = default_output;
    }
    zc__cli.quiet = a.quiet;

    zc__progress_state progress = { !a.quiet && isatty(STDERR_FILENO), 0.0 };
    zc_build_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.input_dir = dir;
    desc.output_path = output;
    desc.logger.func = zc__cli_log;
    desc.progress = zc__progress;
    desc.progress_user_data = &progress;
    zc_build_stats stats;
    double start = zc__now();
    zc_result r = zc_build(&desc, &stats);
    double seconds = zc__now() - start;
    zc__erase_progress();
    if (r != ZC_OK) {
        zc__fail_on(dir, r);
        free(default_output);
        return zc__exit_for_build(r, stats.failed_stage);
    }
    if (!a.quiet)
        printf("%s: %u entries, %u unique payloads, %llu bytes (%.1f MiB) from %llu input bytes in %.2f s\n",
               output, stats.entries, stats.unique_payloads, (unsigned long long)stats.pack_bytes,
               zc__mib(stats.pack_bytes), (unsigned long long)stats.input_bytes, seconds);
    free(default_output);
    return ZC_EXIT_OK;
}

/* ---------------------------------------------------------------------------------
 * ls, info, verify, cat
 * ------------------------------------------------------------------------------- */

static int zc__compare_entry_paths(const void *x, const void *y) {
    return strcmp(((const zc_entry *)x)->path, ((const zc_entry *)y)->path);
}

static cJSON *zc__entry_json(const zc_entry *e) {
    char hex[17], type[16];
    cJSON *o = cJSON_CreateObject();
    cJSON *deps = cJSON_CreateArray();
    if (!o || !deps) {
        cJSON_Delete(o);
        cJSON_Delete(deps);
        return NULL;
    }
    cJSON_AddStringToObject(o, "path", e->path);
    zc__hex64(e->id, hex);
    cJSON_AddStringToObject(o, "id", hex);
    cJSON_AddStringToObject(o, "type", zc__type_text(e->type, type));
    cJSON_AddNumberToObject(o, "layout_hash", (double)e->layout_hash);
    cJSON_AddStringToObject(o, "codec", zc__codec_text(e->codec));
    cJSON_AddNumberToObject(o, "offset", (double)e->offset);
    cJSON_AddNumberToObject(o, "stored_size", (double)e->stored_size);
    cJSON_AddNumberToObject(o, "raw_size", (double)e->raw_size);
    cJSON_AddNumberToObject(o, "alignment", (double)e->alignment);
    zc__hex64(e->content_hash, hex);
    cJSON_AddStringToObject(o, "content_hash", hex);
    for (uint32_t i = 0; i < e->deps_count; ++i) {
        zc__hex64(e->deps[i], hex);
        cJSON_AddItemToArray(deps, cJSON_CreateString(hex));
    }
    cJSON_AddItemToObject(o, "deps", deps);
    return o;
}

static int zc__cmd_ls(int argc, char **argv) {
    zc__args a;
    int rc = zc__parse("ls", argc, argv, 2, "json", &a);
    if (rc >= 0) return rc;
    if (a.help) return zc__print_help(zc__help_ls);
    if ((rc = zc__check_operands("ls", &a, 1, "pack file")) >= 0) return rc;
    zc_pack *pack;
    if ((rc = zc__open(a.operands[0], ZC_VALIDATE_TOC, &pack, NULL)) != ZC_EXIT_OK) return rc;

    uint32_t count = zc_pack_entry_count(pack);
    zc_entry *entries = (zc_entry *)malloc(((size_t)count + 1) * sizeof *entries);
    if (!entries) {
        zc_pack_close(pack);
        zc__error("%s: out of memory listing %u entries", a.operands[0], count);
        return ZC_EXIT_INTERNAL;
    }
    for (uint32_t i = 0; i < count; ++i) {
        zc_result r = zc_pack_entry_at(pack, i, &entries[i]);
        if (r != ZC_OK) {
            zc__fail_on(a.operands[0], r);
            free(entries);
            zc_pack_close(pack);
            return zc__exit_for_pack(r);
        }
    }
    qsort(entries, count, sizeof *entries, zc__compare_entry_paths);

    rc = ZC_EXIT_OK;
    if (a.json) {
        cJSON *array = cJSON_CreateArray();
        for (uint32_t i = 0; array && i < count; ++i) {
            cJSON *o = zc__entry_json(&entries[i]);
            if (!o) {
                cJSON_Delete(array);
                array = NULL;
                break;
            }
            cJSON_AddItemToArray(array, o);
        }
        rc = zc__print_json(array);
    } else {
        for (uint32_t i = 0; i < count; ++i) {
            char hex[17], type[16];
            zc__hex64(entries[i].content_hash, hex);
            printf("%s\t%s\t%llu\t%u\t%s\n", entries[i].path, zc__type_text(entries[i].type, type),
                   (unsigned long long)entries[i].raw_size, entries[i].alignment, hex);
        }
    }
    free(entries);
    zc_pack_close(pack);
    return rc;
}

static void zc__version_text(uint32_t v, char out[32]) {
    snprintf(out, 32, "%u.%u.%u", (unsigned)(v >> 16), (unsigned)((v >> 8) & 0xFF), (unsigned)(v & 0xFF));
}

static int zc__cmd_info(int argc, char **argv) {
    zc__args a;
    int rc = zc__parse("info", argc, argv, 2, "json", &a);
    if (rc >= 0) return rc;
    if (a.help) return zc__print_help(zc__help_info);
    if ((rc = zc__check_operands("info", &a, 1, "pack file")) >= 0) return rc;
    zc_pack *pack;
    if ((rc = zc__open(a.operands[0], ZC_VALIDATE_TOC, &pack, NULL)) != ZC_EXIT_OK) return rc;
    zc_pack_info info;
    zc_result r = zc_pack_get_info(pack, &info);
    zc_pack_close(pack);
    if (r != ZC_OK) {
        zc__fail_on(a.operands[0], r);
        return zc__exit_for_pack(r);
    }
    char format[32], writer[32];
    snprintf(format, sizeof format, "%u.%u", info.format_major, info.format_minor);
    zc__version_text(info.writer_version, writer);
    if (a.json) {
        cJSON *o = cJSON_CreateObject();
        if (o) {
            cJSON_AddStringToObject(o, "path", a.operands[0]);
            cJSON_AddStringToObject(o, "format_version", format);
            cJSON_AddStringToObject(o, "writer_version", writer);
            cJSON_AddNumberToObject(o, "file_size", (double)info.file_size);
            cJSON_AddNumberToObject(o, "entry_count", (double)info.entry_count);
            cJSON_AddNumberToObject(o, "dep_count", (double)info.dep_count);
            cJSON_AddNumberToObject(o, "toc_offset", (double)info.toc_offset);
            cJSON_AddNumberToObject(o, "toc_size", (double)info.toc_size);
            cJSON_AddNumberToObject(o, "payload_bytes", (double)info.payload_bytes);
            cJSON_AddBoolToObject(o, "mapped", info.mapped != 0);
        }
        return zc__print_json(o);
    }
    printf("format version  %s\n", format);
    printf("writer version  %s\n", writer);
    printf("file size       %llu\n", (unsigned long long)info.file_size);
    printf("entries         %u\n", info.entry_count);
    printf("dependencies    %u\n", info.dep_count);
    printf("toc offset      %llu\n", (unsigned long long)info.toc_offset);
    printf("toc size        %llu\n", (unsigned long long)info.toc_size);
    printf("payload bytes   %llu\n", (unsigned long long)info.payload_bytes);
    printf("mapped          %s\n", info.mapped ? "yes" : "no");
    return ZC_EXIT_OK;
}

static int zc__cmd_verify(int argc, char **argv) {
    zc__args a;
    int rc = zc__parse("verify", argc, argv, 2, "json", &a);
    if (rc >= 0) return rc;
    if (a.help) return zc__print_help(zc__help_verify);
    if ((rc = zc__check_operands("verify", &a, 1, "pack file")) >= 0) return rc;
    zc_pack *pack = NULL;
    zc_result r;
    rc = zc__open(a.operands[0], ZC_VALIDATE_CHECKSUMS, &pack, &r);
    uint32_t count = zc_pack_entry_count(pack);
    zc_pack_close(pack);
    if (a.json) {
        cJSON *o = cJSON_CreateObject();
        if (o) {
            cJSON_AddStringToObject(o, "path", a.operands[0]);
            cJSON_AddBoolToObject(o, "ok", r == ZC_OK);
            if (r == ZC_OK) {
                cJSON_AddNumberToObject(o, "entries", (double)count);
            } else {
                cJSON_AddStringToObject(o, "error", zc_result_name(r) ? zc_result_name(r) : "unknown");
                cJSON_AddStringToObject(o, "message", zc__cli.first_error);
            }
        }
        int json_rc = zc__print_json(o);
        return rc != ZC_EXIT_OK ? rc : json_rc;
    }
    if (rc == ZC_EXIT_OK) printf("ok: %u entries verified\n", count);
    return rc;
}

/* Write all bytes to stdout. 0 on success; EPIPE (the reader left) is returned
 * without a message, other errors are reported. */
static int zc__write_stdout(const uint8_t *p, uint64_t size) {
    while (size > 0) {
        size_t chunk = size > (1u << 20) ? (1u << 20) : (size_t)size;
        ssize_t n = write(STDOUT_FILENO, p, chunk);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EPIPE) zc__error("stdout: cannot write: %s", strerror(errno));
            return errno;
        }
        p += n;
        size -= (uint64_t)n;
    }
    return 0;
}

static int zc__cmd_cat(int argc, char **argv) {
    zc__args a;
    int rc = zc__parse("cat", argc, argv, 2, "", &a);
    if (rc >= 0) return rc;
    if (a.help) return zc__print_help(zc__help_cat);
    if ((rc = zc__check_operands("cat", &a, 2, "pack file and entry path")) >= 0) return rc;
    zc_pack *pack;
    if ((rc = zc__open(a.operands[0], ZC_VALIDATE_TOC, &pack, NULL)) != ZC_EXIT_OK) return rc;
    zc_entry e;
    const void *data = NULL;
    uint64_t size = 0;
    zc_result r = zc_pack_find(pack, a.operands[1], &e);
    if (r == ZC_ERR_NO_ENTRY) {
        zc__error("%s: %s: no such entry", a.operands[0], a.operands[1]);
        zc_pack_close(pack);
        return ZC_EXIT_NO_ENTRY;
    }
    if (r == ZC_OK) r = zc_entry_bytes(&e, 0, &data, &size);
    if (r != ZC_OK) {
        if (!zc__cli.errors_logged) zc__error("%s: %s: %s", a.operands[0], a.operands[1], zc_result_str(r));
        zc_pack_close(pack);
        return zc__exit_for_pack(r);
    }
    rc = zc__write_stdout((const uint8_t *)data, size) ? ZC_EXIT_IO : ZC_EXIT_OK;
    zc_pack_close(pack);
    return rc;
}

/* ---------------------------------------------------------------------------------
 * main
 * ------------------------------------------------------------------------------- */

int main(int argc, char **argv) {
    setlocale(LC_ALL, "C");
    if (argc < 2) {
        fputs(zc__help_main, stderr);
        return ZC_EXIT_USAGE;
    }
    const char *command = argv[1];
    int rc;
    if (strcmp(command, "-h") == 0 || strcmp(command, "--help") == 0 || strcmp(command, "help") == 0) {
        return zc__print_help(zc__help_main);
    } else if (strcmp(command, "-V") == 0 || strcmp(command, "--version") == 0) {
        printf("zcpack %s (pack format %u.%u)\n", zc_version_string(), ZC_FORMAT_MAJOR, ZC_FORMAT_MINOR);
        rc = ZC_EXIT_OK;
    } else if (strcmp(command, "build") == 0) {
        rc = zc__cmd_build(argc, argv);
    } else if (strcmp(command, "ls") == 0) {
        rc = zc__cmd_ls(argc, argv);
    } else if (strcmp(command, "info") == 0) {
        rc = zc__cmd_info(argc, argv);
    } else if (strcmp(command, "verify") == 0) {
        rc = zc__cmd_verify(argc, argv);
    } else if (strcmp(command, "cat") == 0) {
        rc = zc__cmd_cat(argc, argv);
    } else if (command[0] == '-') {
        return zc__usage_error(NULL, "unknown option '%s'", command);
    } else {
        return zc__usage_error(NULL, "unknown command '%s'", command);
    }
    if (fflush(stdout) != 0 && errno != EPIPE && rc == ZC_EXIT_OK) {
        zc__error("stdout: cannot write: %s", strerror(errno));
        rc = ZC_EXIT_IO;
    }
    return rc;
}
