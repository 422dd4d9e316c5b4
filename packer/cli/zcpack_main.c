/* zcpack_main.c - the zcpack command-line tool (manual: packer/cli/zcpack.md).
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

#include <fcntl.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <stb/stb_image_write.h>

#include "zc_build.h"
#include "zc_import_texture.h"
#include "zc_pack.h"
#include "zc_texture_pixels.h"
#include "zc_watch.h"

enum {
    ZC_EXIT_OK = 0,
    ZC_EXIT_INTERNAL = 1,
    ZC_EXIT_USAGE = 2,
    ZC_EXIT_IO = 3,
    ZC_EXIT_CORRUPT = 4,
    ZC_EXIT_NO_ENTRY = 5,
    ZC_EXIT_IMPORT = 6,
    ZC_EXIT_DIFFERENT = 1,      /* diff: the packs differ */
    ZC_EXIT_DIFF_INTERNAL = 7,  /* diff: internal error (1 means "different" there) */
};

#define ZC__EXIT_TEXT                                                                \
    "Exit codes:\n"                                                                  \
    "  0  success\n"                                                                 \
    "  1  internal error (out of memory, a pack the writer could not verify)\n"      \
    "  2  usage error\n"                                                             \
    "  3  I/O error: missing or unreadable directory or pack, unwritable output\n"   \
    "  4  invalid or corrupt pack (any format error)\n"                              \
    "  5  entry, texture level or layer not found (cat, dump, extract)\n"          \
    "  6  an asset failed to import (also with --keep-going), or a bad zcpack.json\n"  \
    "  diff only: 0 identical, 1 the packs differ, 7 internal error (out of memory)\n"

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
    "  build <dir> [-o <pack>] [options]  pack every regular file under <dir>\n"
    "  watch <dir> -o <pack> [options]    build, then rebuild on every change\n"
    "  ls <pack> [--json]                 list the entries, sorted by path\n"
    "  info <pack> [--json]               show the pack's header facts\n"
    "  verify <pack> [--json]             check structure and every checksum\n"
    "  cat <pack> <path>                  write one entry's bytes to stdout\n"
    "  dump <pack> <path>                 print one entry's description as JSON\n"
    "  extract <pack> <path> -o <file>    write an entry to a file (textures as PNG)\n"
    "  diff <a> <b> [--json]              list entries added, removed or changed\n"
    "\n"
    "Options:\n"
    "  -h, --help     show this help, or a command's help after the command\n"
    "  -V, --version  show the version of zcpack and of the pack format\n"
    "\n" ZC__EXIT_TEXT;

static const char zc__help_build[] =
    "Usage: zcpack build <dir> [-o <pack>] [options]\n"
    "\n"
    "Pack every regular file under <dir> (recursively) into one pack. Entry paths are\n"
    "the paths relative to <dir> with '/' separators, in bytewise order; the same tree\n"
    "gives a byte-identical pack, whatever the number of threads. Images (png, jpg,\n"
    "jpeg, tga, bmp, psd, gif, hdr) become textures with mip chains, block-compressed\n"
    "by default. 3D models (gltf, glb, obj, fbx, dae, ply, stl, 3ds, md2, md3, md5mesh\n"
    "and more) become a scene entry <file> plus <file>#mesh/<i>, <file>#material/<m>\n"
    "and <file>#texture/<t>; each model is imported in a separate process, so a crash\n"
    "or hang of the importer fails that file only. Other files are stored as they are.\n"
    "<dir>/zcpack.json, when present, sets texture and mesh options per glob and is\n"
    "not packed. Symbolic links and special files are skipped with a warning. The\n"
    "pack is written to a temporary file, verified, and renamed over <pack>: on any\n"
    "error <pack> is left as it was.\n"
    "\n"
    "Options:\n"
    "  -o, --output <pack>   pack to write (default: <name of dir>.zcpack in the\n"
    "                        current directory)\n"
    "  -j, --jobs <n>        import threads, 1 to 1024 (default: UV_THREADPOOL_SIZE\n"
    "                        when set, else the number of processors)\n"
    "  --keep-going          when files fail to import, still write the pack without\n"
    "                        them (the exit code is 6 all the same)\n"
    "  --no-compress         RGBA8 textures instead of BC1/BC3/BC4/BC5\n"
    "  --level <n>           zstd level of compressed entries, 1 to 22 (default: 9)\n"
    "  --min-saving <pct>    store an entry compressed only when that saves at least\n"
    "                        <pct> percent of its bytes, 1 to 99 (default: 5)\n"
    "  --no-compress-entries store every entry uncompressed\n"
    "  --dict                train a zstd dictionary per type over its small entries\n"
    "                        (16 or more under 16 KiB) and keep it when it pays off\n"
    "  --max-texture-dimension <n>\n"
    "                        refuse images wider or taller than <n> texels before\n"
    "                        decoding them, 1 to 65536 (default: 16384)\n"
    "  --base <pack>         write a patch pack for <pack> instead of a full pack:\n"
    "                        only the entries that are new or changed, and a\n"
    "                        whiteout for each path <dir> no longer has (see below)\n"
    "  --model-timeout <s>   stop a model import after <s> seconds and fail that\n"
    "                        file, 1 to 86400 (default: 60)\n"
    "  --cache <dir>         keep each texture's and model's import in a build cache\n"
    "                        in <dir> and reuse it while the file, its settings and\n"
    "                        the packer stay the same (default: no cache)\n"
    "  --cache-max <MiB>     size bound of the cache, 1 to 1048576 (default: 2048)\n"
    "  -q, --quiet           no progress bar, warnings or summary; errors only\n"
    "  -h, --help            show this help\n"
    "\n"
    "Every file that fails to import is reported as \"zcpack: <file>: <reason>\". By\n"
    "default the build then stops once the work in progress has finished and leaves\n"
    "<pack> untouched.\n"
    "\n"
    "With --base, the output is a patch: mounted above <pack> with a higher\n"
    "priority it shows exactly what a full build of <dir> shows. An entry counts as\n"
    "changed when its type, layout hash, content hash, raw size or dependency list\n"
    "differs (codec and placement do not count). <dir> is built whole into a\n"
    "temporary pack beside the output first. A base that is missing or not a valid\n"
    "pack fails the build (exit 3 or 4) and leaves the output untouched;\n"
    "--keep-going cannot be combined with --base.\n"
    "\n"
    "Entries are compressed with zstd, each on its own, when that saves enough;\n"
    "textures and meshes, which an engine uses in place, stay uncompressed unless a\n"
    "zcpack.json rule sets \"compress\": true for their file (\"compress\": false keeps\n"
    "any file's entries uncompressed).\n"
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
    "Write the bytes of entry <path> (as 'zcpack ls' prints it) to stdout, unchanged;\n"
    "a compressed entry is decoded first. The header and table of contents are\n"
    "checked; the entry's bytes are not, except that decoding checks a compressed\n"
    "entry's frame and content hash.\n"
    "\n"
    "Options:\n"
    "  -h, --help  show this help\n"
    "\n" ZC__EXIT_TEXT;

static const char zc__help_dump[] =
    "Usage: zcpack dump <pack> <path>\n"
    "\n"
    "Print a description of entry <path> as one JSON object: path, type, size and\n"
    "content hash for every entry; for a texture also its pixel format, extent, layers,\n"
    "mip count, flags, row pitch alignment and every level's extent, row pitch, size\n"
    "and offset inside the entry; for a mesh its counts, bounds, streams, attributes,\n"
    "submeshes and meshlet count; for a material its name, alpha mode, flags, factors\n"
    "and texture slots; for a scene its nodes (name, parent, transform, mesh instances,\n"
    "camera, light), cameras and lights. References to other entries are shown as\n"
    "their paths when the pack holds them, else as 16-digit hex asset ids. The entry's\n"
    "structure is checked first.\n"
    "\n"
    "Options:\n"
    "  -h, --help  show this help\n"
    "\n" ZC__EXIT_TEXT;

static const char zc__help_extract[] =
    "Usage: zcpack extract <pack> <path> -o <file> [--level <n>] [--layer <n>]\n"
    "\n"
    "Write entry <path> to <file>, replacing it atomically. A texture level becomes an\n"
    "RGBA PNG: block-compressed levels are decoded, sRGB and UNORM bytes are written as\n"
    "they are, R8 and BC4 as grey, RG8 and BC5 as red and green with blue 0, float\n"
    "levels clamped to [0, 1] and encoded linear to sRGB; the depth slices of a 3D\n"
    "level are stacked vertically. Any other entry is written as its raw bytes (decoded\n"
    "when it is stored compressed).\n"
    "\n"
    "Options:\n"
    "  -o, --output <file>  file to write (required)\n"
    "  --level <n>          mip level of a texture (default: 0)\n"
    "  --layer <n>          array layer of a texture (default: 0)\n"
    "  -h, --help           show this help\n"
    "\n" ZC__EXIT_TEXT;

static const char zc__help_diff[] =
    "Usage: zcpack diff <a> <b> [--json]\n"
    "\n"
    "Compare two packs entry by entry, by path, and print one line per difference in\n"
    "path order, tab-separated:\n"
    "  added    <path>            only <b> has the path\n"
    "  removed  <path>            only <a> has the path\n"
    "  changed  <path>  <fields>  both have it with different content; <fields> lists\n"
    "                             type, layout_hash, content_hash, raw_size, deps\n"
    "How an entry is stored (codec, stored size, offset, alignment) does not count.\n"
    "Whiteout entries of patch packs are compared like any other entry. Only the\n"
    "header and tables of contents are checked and read, never the entries' bytes.\n"
    "Nothing is printed when the packs hold the same entries.\n"
    "\n"
    "Options:\n"
    "  --json      print one JSON object instead: {\"identical\": bool, \"added\": [path],\n"
    "              \"removed\": [path], \"changed\": [{\"path\", \"fields\": [name]}]}\n"
    "  -h, --help  show this help\n"
    "\n"
    "Exit codes (as diff(1)): 0 the packs hold the same entries, 1 they differ;\n"
    "otherwise 2 usage error, 3 unreadable pack, 4 invalid or corrupt pack,\n"
    "7 internal error (out of memory).\n";

/* ---------------------------------------------------------------------------------
 * Argument parsing: options may come before or after the operands; "--" ends them.
 * ------------------------------------------------------------------------------- */

typedef struct zc__args {
    const char *operands[4];
    int operand_count;
    int help, json, quiet;
    const char *output;
    int keep_going, no_compress;
    const char *base;           /* build --base */
    uint32_t jobs;              /* 0: not given */
    uint32_t max_dimension;     /* 0: not given */
    uint32_t model_timeout;     /* seconds; 0: not given */
    uint32_t compress_level;    /* build --level; 0: not given */
    uint32_t min_saving;        /* build --min-saving; 0: not given */
    int no_entry_compression, dict;
    uint32_t level, layer;
    int has_level, has_layer;
} zc__args;

/* A decimal number in [lo, hi], digits only. */
static int zc__parse_number(const char *text, uint32_t lo, uint32_t hi, uint32_t *out) {
    uint64_t v = 0;
    const char *p = text;
    if (!*p) return 0;
    for (; *p >= '0' && *p <= '9'; ++p)
        if ((v = v * 10 + (uint64_t)(*p - '0')) > hi) return 0;
    if (*p || v < lo) return 0;
    *out = (uint32_t)v;
    return 1;
}

/* The value of a numeric option: `--name=v`, `--name v`, or for a short option `-jv`
 * and `-j v`. Returns -1 when parsed (advancing *i past a separate value), else an
 * exit code. */
static int zc__option_number(const char *command, int argc, char **argv, int *i, const char *value,
                             uint32_t lo, uint32_t hi, uint32_t *out) {
    const char *arg = argv[*i];
    if (!value) {
        if (*i + 1 >= argc) return zc__usage_error(command, "option '%s' needs a number", arg);
        value = argv[++*i];
    }
    if (!zc__parse_number(value, lo, hi, out))
        return zc__usage_error(command, "option '%s': '%s' is not a number in [%u, %u]", arg, value, lo, hi);
    return -1;
}

/* Numeric options: which `allowed` word enables them, their spellings, their range. */
typedef struct zc__number_option {
    const char *allowed, *long_name, *short_name;
    uint32_t lo, hi;
} zc__number_option;

static const zc__number_option zc__number_options[] = {
    { "jobs", "--jobs", "-j", 1, 1024 },
    { "maxdim", "--max-texture-dimension", NULL, 1, ZC_TEXTURE_MAX_EXTENT },
    { "level", "--level", NULL, 0, ZC_TEXTURE_MAX_MIPS - 1 },
    { "layer", "--layer", NULL, 0, ZC_TEXTURE_MAX_LAYERS - 1 },
    { "modeltimeout", "--model-timeout", NULL, 1, 86400 },
    { "zstd", "--level", NULL, 1, ZC_WRITER_MAX_LEVEL },    /* build; "zstd" holds no other word */
    { "zstd", "--min-saving", NULL, 1, 99 },
};

static uint32_t *zc__number_target(zc__args *a, size_t which) {
    switch (which) {
    case 0: return &a->jobs;
    case 1: return &a->max_dimension;
    case 2: a->has_level = 1; return &a->level;
    case 3: a->has_layer = 1; return &a->layer;
    case 4: return &a->model_timeout;
    case 5: return &a->compress_level;
    default: return &a->min_saving;
    }
}

/* Try argv[*i] as a numeric option. Returns -1 when parsed, -2 when it is not one of
 * them, else an exit code. */
static int zc__try_number(const char *command, int argc, char **argv, int *i, const char *allowed, zc__args *a) {
    const char *arg = argv[*i];
    for (size_t k = 0; k < sizeof zc__number_options / sizeof zc__number_options[0]; ++k) {
        const zc__number_option *o = &zc__number_options[k];
        if (!strstr(allowed, o->allowed)) continue;
        size_t n = strlen(o->long_name);
        const char *value = NULL;
        if (strcmp(arg, o->long_name) == 0 || (o->short_name && strcmp(arg, o->short_name) == 0))
            value = NULL;
        else if (strncmp(arg, o->long_name, n) == 0 && arg[n] == '=')
            value = arg + n + 1;
        else if (o->short_name && strncmp(arg, o->short_name, 2) == 0 && arg[2])
            value = arg + 2;
        else
            continue;
        return zc__option_number(command, argc, argv, i, value, o->lo, o->hi, zc__number_target(a, k));
    }
    return -2;
}

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
        } else if (strstr(allowed, "keepgoing") && strcmp(arg, "--keep-going") == 0) {
            a->keep_going = 1;
        } else if (strstr(allowed, "nocompress") && strcmp(arg, "--no-compress") == 0) {
            a->no_compress = 1;
        } else if (strstr(allowed, "zstd") && strcmp(arg, "--no-compress-entries") == 0) {
            a->no_entry_compression = 1;
        } else if (strstr(allowed, "zstd") && strcmp(arg, "--dict") == 0) {
            a->dict = 1;
        } else if (strstr(allowed, "base") && strcmp(arg, "--base") == 0) {
            if (i + 1 >= argc) return zc__usage_error(command, "option '%s' needs a pack file name", arg);
            if (!(a->base = argv[++i])[0]) return zc__usage_error(command, "empty base pack file name");
        } else if (strstr(allowed, "base") && strncmp(arg, "--base=", 7) == 0) {
            if (!(a->base = arg + 7)[0]) return zc__usage_error(command, "empty base pack file name");
        } else {
            int rc = zc__try_number(command, argc, argv, &i, allowed, a);
            if (rc == -2) return zc__usage_error(command, "unknown option '%s'", arg);
            if (rc >= 0) return rc;
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
    char kinds[160] = ""; /* " (3/7 textures, 1/4 models)": the labelled importer rows with files */
    size_t used = 0;
    for (size_t i = 0; i < zc_importer_count() && i < ZC_IMPORTER_MAX; ++i) {
        const zc_importer *imp = zc_importer_at(i);
        if (!imp->label || !p->total[i] || used >= sizeof kinds) continue;
        int n = snprintf(kinds + used, sizeof kinds - used, "%s%u/%u %s", used ? ", " : " (", p->done[i], p->total[i],
                         imp->label);
        if (n > 0) used += (size_t)n;
    }
    if (used && used < sizeof kinds - 1) memcpy(kinds + used, ")", 2);
    int n = fprintf(stderr, "\r[%s] %u/%u files%s %.1f/%.1f MiB", bar, p->files_done, p->files_total, kinds,
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

/* Import threads: -j, else UV_THREADPOOL_SIZE when it holds a valid number, else the
 * processors online. libuv sizes its pool from UV_THREADPOOL_SIZE when the pool first
 * starts, so the variable is set to the result before the build begins. */
static uint32_t zc__build_threads(uint32_t jobs) {
    uint32_t threads = jobs;
    const char *env = getenv("UV_THREADPOOL_SIZE");
    if (!threads && env && zc__parse_number(env, 1, 1024, &threads)) return threads;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n < 1 ? 1 : n > 1024 ? 1024 : (uint32_t)n;
    }
    char text[16];
    snprintf(text, sizeof text, "%u", threads);
    setenv("UV_THREADPOOL_SIZE", text, 1);
    return threads;
}

/* Exit code of a failed build: every failed import is exit 6, whatever its cause. */
static int zc__build_exit(zc_result r, const zc_build_stats *stats) {
    if (stats->failed_files && stats->failed_stage == ZC_BUILD_STAGE_IMPORT) return ZC_EXIT_IMPORT;
    return zc__exit_for_build(r, stats->failed_stage);
}

/* build --base: the base must open as a pack before anything is built, so a missing
 * or corrupt base gets the exit code of a pack error (3 or 4). -1 when usable. */
static int zc__check_base(const zc__args *a, const char *output) {
    if (!a->base) return -1;
    if (a->keep_going) return zc__usage_error("build", "--keep-going cannot be combined with --base");
    struct stat base_st, out_st;
    if (stat(a->base, &base_st) == 0 && stat(output, &out_st) == 0 && base_st.st_dev == out_st.st_dev &&
        base_st.st_ino == out_st.st_ino)
        return zc__usage_error("build", "the output %s is the base pack; choose another output with -o", output);
    zc_pack *base = NULL;
    int rc = zc__open(a->base, ZC_VALIDATE_TOC, &base, NULL);
    zc_pack_close(base);
    return rc == ZC_EXIT_OK ? -1 : rc;
}

/* ---------------------------------------------------------------------------------
 * Build cache options (build, watch) and the watch command. These options are taken
 * out of argv before zc__parse sees the rest, so both commands share them.
 * ------------------------------------------------------------------------------- */

static const char zc__help_watch[] =
    "Usage: zcpack watch <dir> -o <pack> [options]\n"
    "\n"
    "Build <pack> from <dir> as 'zcpack build' does, then watch <dir> and build again\n"
    "after every change, until interrupted (Ctrl-C, SIGTERM: the build in progress\n"
    "finishes first). Changes are noticed through file system events on every\n"
    "directory of the tree (new directories included) and by a polling scan that\n"
    "compares names, sizes, times and inodes, which catches editors that save by\n"
    "renaming a temporary file over the old one. A burst of changes gives one build,\n"
    "once the tree has been quiet for the debounce time. Each build goes through the\n"
    "build cache, so only the files that changed are imported again, and the result\n"
    "is byte-identical to a clean build. The new pack is written beside <pack>,\n"
    "verified and renamed over it: a running game sees the old pack or the new one,\n"
    "never a mixture. When a file fails to import (a half-written image), the build\n"
    "writes nothing, the failure is reported as \"zcpack: <file>: <reason>\" and <pack>\n"
    "stays as it was until a later save imports again.\n"
    "\n"
    "One line per build on stdout: its number, the files imported, taken from the\n"
    "cache and copied (blobs), the entries, the pack size and the time.\n"
    "\n"
    "Options:\n"
    "  -o, --output <pack>   pack to write (default: <name of dir>.zcpack)\n"
    "  --cache <dir>         build cache directory (default: <pack>.cache)\n"
    "  --cache-max <MiB>     size bound of the cache, 1 to 1048576 (default: 2048)\n"
    "  --debounce <ms>       quiet time before a build, 1 to 60000 (default: 100)\n"
    "  --poll <ms>           interval of the polling scan, 10 to 3600000, or 0 for\n"
    "                        none (default: 1000)\n"
    "  --no-events           no file system events: polling only\n"
    "  --max-rebuilds <n>    stop after <n> builds, the first included (default: run\n"
    "                        until interrupted); the exit code is then the last\n"
    "                        build's\n"
    "  --once                the same as --max-rebuilds 1\n"
    "  -j, --jobs, --keep-going, --no-compress, --max-texture-dimension,\n"
    "  --model-timeout, --no-compress-entries, --level, --min-saving, --dict\n"
    "                        as for 'zcpack build'\n"
    "  -q, --quiet           no warnings; errors and the build lines only\n"
    "  -h, --help            show this help\n"
    "\n" ZC__EXIT_TEXT;

typedef struct zc__cache_args {
    const char *cache;          /* --cache; NULL: not given */
    uint32_t cache_max_mib;     /* --cache-max; 0: not given */
    uint32_t debounce;          /* watch --debounce; 0: not given */
    uint32_t poll;              /* watch --poll */
    int has_poll, no_events;
    uint32_t max_rebuilds;      /* watch --max-rebuilds, --once; 0: not given */
} zc__cache_args;

/* The value of option argv[*i] when it is `name`: "--name=v" or "--name v" (then *i
 * moves past v). NULL when argv[*i] is another option; *missing when v is absent. */
static const char *zc__option_value(int argc, char **argv, int *i, const char *name, int *missing) {
    size_t n = strlen(name);
    const char *arg = argv[*i];
    *missing = 0;
    if (strncmp(arg, name, n) != 0) return NULL;
    if (arg[n] == '=') return arg + n + 1;
    if (arg[n] != 0) return NULL;
    if (*i + 1 >= argc) {
        *missing = 1;
        return NULL;
    }
    return argv[++*i];
}

/* Take the cache options (and with `watch` the watch options) out of argv[first..*argc),
 * keeping the order of the rest; "--" ends the options. -1, or an exit code. */
static int zc__take_cache_args(const char *command, int *argc, char **argv, int first, int watch,
                               zc__cache_args *c) {
    static const struct {
        const char *name;
        int watch_only;
        uint32_t lo, hi;
    } numbers[] = { { "--cache-max", 0, 1, 1048576 }, { "--debounce", 1, 1, 60000 },
                    { "--poll", 1, 0, 3600000 }, { "--max-rebuilds", 1, 1, UINT32_MAX } };
    memset(c, 0, sizeof *c);
    int kept = first;
    for (int i = first; i < *argc; ++i) {
        int start = i, missing = 0, taken = 1;
        const char *arg = argv[i], *value;
        if (strcmp(arg, "--") == 0) {
            while (i < *argc) argv[kept++] = argv[i++];
            break;
        }
        if ((value = zc__option_value(*argc, argv, &i, "--cache", &missing)) != NULL) {
            if (!value[0]) return zc__usage_error(command, "empty cache directory name");
            c->cache = value;
        } else if (watch && strcmp(arg, "--no-events") == 0) {
            c->no_events = 1;
        } else if (watch && strcmp(arg, "--once") == 0) {
            c->max_rebuilds = 1;
        } else if (!missing) {
            taken = 0;
            for (size_t k = 0; k < sizeof numbers / sizeof numbers[0] && !taken && !missing; ++k) {
                if ((numbers[k].watch_only && !watch) ||
                    !(value = zc__option_value(*argc, argv, &i, numbers[k].name, &missing)))
                    continue;
                uint32_t v;
                if (!zc__parse_number(value, numbers[k].lo, numbers[k].hi, &v))
                    return zc__usage_error(command, "option '%s': '%s' is not a number in [%u, %u]",
                                           numbers[k].name, value, numbers[k].lo, numbers[k].hi);
                uint32_t *targets[] = { &c->cache_max_mib, &c->debounce, &c->poll, &c->max_rebuilds };
                *targets[k] = v;
                c->has_poll |= k == 2;
                taken = 1;
            }
        }
        if (missing) return zc__usage_error(command, "option '%s' needs a value", arg);
        if (!taken) argv[kept++] = argv[start];
    }
    *argc = kept;
    return -1;
}

static void zc__watch_line(const zc_watch_rebuild *rb, void *user_data) {
    const char *output = (const char *)user_data;
    const zc_build_stats *s = rb->stats;
    if (s->pack_written) {
        uint32_t copied = s->files - s->cache_hits - s->cache_misses;
        printf("zcpack watch: build %u: %u imported, %u from the cache, %u copied; %u entries, %.1f MiB, "
               "%.3f s -> %s%s\n",
               rb->number, s->cache_misses, s->cache_hits, copied, s->entries, zc__mib(s->pack_bytes), rb->seconds,
               output, rb->result != ZC_OK ? " (without the files that failed)" : "");
    } else if (s->failed_files) {
        printf("zcpack watch: build %u failed (%u file%s did not import); %s not changed\n", rb->number,
               s->failed_files, s->failed_files == 1 ? "" : "s", output);
    } else {
        printf("zcpack watch: build %u failed (%s); %s not changed\n", rb->number, zc_result_str(rb->result),
               output);
    }
    fflush(stdout);
    zc__cli.errors_logged = 0; /* each build reports its own errors */
}

static int zc__cmd_watch(int argc, char **argv) {
    zc__cache_args c;
    zc__args a;
    int rc = zc__take_cache_args("watch", &argc, argv, 2, 1, &c);
    if (rc >= 0) return rc;
    rc = zc__parse("watch", argc, argv, 2, "output quiet keepgoing nocompress jobs maxdim modeltimeout zstd", &a);
    if (rc >= 0) return rc;
    if (a.help) return zc__print_help(zc__help_watch);
    if ((rc = zc__check_operands("watch", &a, 1, "input directory")) >= 0) return rc;
    const char *dir = a.operands[0];
    if (!dir[0]) return zc__usage_error("watch", "empty input directory name");
    char *default_output = a.output ? NULL : zc__default_output(dir);
    const char *output = a.output ? a.output : default_output;
    if (!output) return zc__usage_error("watch", "cannot name the output after '%s': use -o <pack>", dir);
    zc__cli.quiet = a.quiet;

    zc_watch_desc wd;
    memset(&wd, 0, sizeof wd);
    wd.build.input_dir = dir;
    wd.build.output_path = output;
    wd.build.logger.func = zc__cli_log;
    wd.build.threads = zc__build_threads(a.jobs);
    wd.build.keep_going = a.keep_going;
    wd.build.no_compress = a.no_compress;
    wd.build.max_texture_dimension = a.max_dimension;
    wd.build.model_timeout_ms = a.model_timeout * 1000u;
    wd.build.no_entry_compression = a.no_entry_compression;
    wd.build.compress_level = (int)a.compress_level;
    wd.build.min_saving_percent = a.min_saving;
    wd.build.dictionaries = a.dict;
    wd.build.cache_dir = c.cache;
    wd.build.cache_max_bytes = (uint64_t)c.cache_max_mib << 20;
    wd.debounce_ms = c.debounce;
    wd.poll_ms = c.poll;
    wd.no_poll = c.has_poll && c.poll == 0;
    wd.no_events = c.no_events;
    wd.max_rebuilds = c.max_rebuilds;
    wd.handle_signals = 1;
    wd.on_rebuild = zc__watch_line;
    wd.user_data = (void *)output;
    if (wd.no_poll && wd.no_events) {
        free(default_output);
        return zc__usage_error("watch", "--poll 0 and --no-events leave no way to notice a change");
    }
    if (c.has_poll && c.poll && c.poll < 10) {
        free(default_output);
        return zc__usage_error("watch", "option '--poll': %u ms is below the minimum of 10", c.poll);
    }
    zc_result r = zc_watch_run(&wd);
    if (r != ZC_OK) zc__fail_on(dir, r);
    free(default_output);
    return r == ZC_OK ? ZC_EXIT_OK : zc__exit_for_build(r, ZC_BUILD_STAGE_IMPORT);
}

/* "7 textures, 4 models": the files written by each labelled importer row. */
static const char *zc__imported_summary(const zc_build_stats *stats, char *buf, size_t size) {
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < zc_importer_count() && i < ZC_IMPORTER_MAX && used < size; ++i) {
        const zc_importer *imp = zc_importer_at(i);
        if (!imp->label) continue;
        int n = snprintf(buf + used, size - used, "%s%u %s", used ? ", " : "", stats->imported[i], imp->label);
        if (n > 0) used += (size_t)n;
    }
    return buf;
}

static int zc__cmd_build(int argc, char **argv) {
    char summary[160];
    zc__args a;
    zc__cache_args cache_args;
    int rc = zc__take_cache_args("build", &argc, argv, 2, 0, &cache_args);
    if (rc >= 0) return rc;
    rc = zc__parse("build", argc, argv, 2, "output quiet keepgoing nocompress jobs maxdim modeltimeout base zstd", &a);
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
    if ((rc = zc__check_base(&a, output)) >= 0) {
        free(default_output);
        return rc;
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
    desc.threads = zc__build_threads(a.jobs);
    desc.keep_going = a.keep_going;
    desc.no_compress = a.no_compress;
    desc.base_path = a.base;
    desc.max_texture_dimension = a.max_dimension;
    desc.model_timeout_ms = a.model_timeout * 1000u;
    desc.cache_dir = cache_args.cache;
    desc.cache_max_bytes = (uint64_t)cache_args.cache_max_mib << 20;
    desc.no_entry_compression = a.no_entry_compression;
    desc.compress_level = (int)a.compress_level;
    desc.min_saving_percent = a.min_saving;
    desc.dictionaries = a.dict;
    zc_build_stats stats;
    double start = zc__now();
    zc_result r = zc_build(&desc, &stats);
    double seconds = zc__now() - start;
    zc__erase_progress();
    if (r != ZC_OK) zc__fail_on(dir, r);
    if (stats.pack_written && !a.quiet && a.base)
        printf("%s: patch for %s: %u added, %u changed, %u removed, %u unchanged; %u entries, %llu bytes "
               "(%.1f MiB) in %.2f s\n",
               output, a.base, stats.patch_added, stats.patch_changed, stats.patch_removed, stats.patch_unchanged,
               stats.entries, (unsigned long long)stats.pack_bytes, zc__mib(stats.pack_bytes), seconds);
    else if (stats.pack_written && !a.quiet)
        printf("%s: %u entries (%s), %u unique payloads, %llu bytes (%.1f MiB) from %llu "
               "input bytes in %.2f s\n",
               output, stats.entries, zc__imported_summary(&stats, summary, sizeof summary), stats.unique_payloads,
               (unsigned long long)stats.pack_bytes, zc__mib(stats.pack_bytes), (unsigned long long)stats.input_bytes,
               seconds);
    if (stats.pack_written && !a.quiet && cache_args.cache)
        printf("%s: build cache %s: %u files from the cache, %u imported\n", output, cache_args.cache,
               stats.cache_hits, stats.cache_misses);
    free(default_output);
    return r == ZC_OK ? ZC_EXIT_OK : zc__build_exit(r, &stats);
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

/* The entry as raw bytes the in-place readers (zc_entry_bytes, zc_*_view_from_entry)
 * accept: an uncompressed entry as it is; a compressed one decoded and held in *hold,
 * *raw then describing the decoded buffer (codec none, stored size = raw size).
 * Release *hold (zeroed for an uncompressed entry) before closing the pack. */
static zc_result zc__raw_entry(zc_pack *pack, const zc_entry *e, zc_entry *raw, zc_hold *hold) {
    *raw = *e;
    memset(hold, 0, sizeof *hold);
    if (e->codec == ZC_CODEC_NONE) return ZC_OK;
    zc_result r = zc_pack_acquire(pack, e, hold);
    if (r != ZC_OK) return r;
    raw->data = hold->data;
    raw->codec = ZC_CODEC_NONE;
    raw->stored_size = raw->raw_size;
    return ZC_OK;
}

static int zc__cmd_cat(int argc, char **argv) {
    zc__args a;
    int rc = zc__parse("cat", argc, argv, 2, "", &a);
    if (rc >= 0) return rc;
    if (a.help) return zc__print_help(zc__help_cat);
    if ((rc = zc__check_operands("cat", &a, 2, "pack file and entry path")) >= 0) return rc;
    zc_pack *pack;
    if ((rc = zc__open(a.operands[0], ZC_VALIDATE_TOC, &pack, NULL)) != ZC_EXIT_OK) return rc;
    zc_entry e, raw;
    zc_hold hold;
    const void *data = NULL;
    uint64_t size = 0;
    zc_result r = zc_pack_find(pack, a.operands[1], &e);
    if (r == ZC_ERR_NO_ENTRY) {
        zc__error("%s: %s: no such entry", a.operands[0], a.operands[1]);
        zc_pack_close(pack);
        return ZC_EXIT_NO_ENTRY;
    }
    if (r == ZC_OK) r = zc__raw_entry(pack, &e, &raw, &hold);
    if (r == ZC_OK) r = zc_entry_bytes(&raw, 0, &data, &size);
    if (r != ZC_OK) {
        if (!zc__cli.errors_logged) zc__error("%s: %s: %s", a.operands[0], a.operands[1], zc_result_str(r));
        zc_hold_release(&hold);
        zc_pack_close(pack);
        return zc__exit_for_pack(r);
    }
    rc = zc__write_stdout((const uint8_t *)data, size) ? ZC_EXIT_IO : ZC_EXIT_OK;
    zc_hold_release(&hold);
    zc_pack_close(pack);
    return rc;
}

/* ---------------------------------------------------------------------------------
 * dump, extract
 * ------------------------------------------------------------------------------- */

/* Report a failed access to an entry unless the library already logged why. */
static int zc__entry_failed(const char *pack_path, const char *path, zc_result r) {
    if (!zc__cli.errors_logged) zc__error("%s: %s: %s", pack_path, path, zc_result_str(r));
    return zc__exit_for_pack(r);
}

/* Open a pack at TOC level and find one entry; on error returns the exit code. */
static int zc__open_entry(const char *pack_path, const char *path, zc_pack **pack, zc_entry *e) {
    int rc = zc__open(pack_path, ZC_VALIDATE_TOC, pack, NULL);
    if (rc != ZC_EXIT_OK) return rc;
    zc_result r = zc_pack_find(*pack, path, e);
    if (r == ZC_OK) return ZC_EXIT_OK;
    if (r == ZC_ERR_NO_ENTRY)
        zc__error("%s: %s: no such entry", pack_path, path);
    else
        zc__error("%s: %s: %s", pack_path, path, zc_result_str(r));
    zc_pack_close(*pack);
    *pack = NULL;
    return zc__exit_for_pack(r);
}

/* Report a view that could not be made of entry e: the structural check's sentence
 * when the entry's bytes are reachable, else the code's description. Returns the exit
 * code. */
static int zc__view_failed(const char *pack_path, const zc_entry *e, zc_result r) {
    const void *data;
    uint64_t size;
    zc_diag diag;
    diag.message[0] = 0;
    if (zc_entry_bytes(e, e->type, &data, &size) == ZC_OK) zc_check_payload(e->type, e->layout_hash, data, size, &diag);
    zc__error("%s: %s: %s%s%s", pack_path, e->path, zc_result_str(r), diag.message[0] ? ": " : "", diag.message);
    return zc__exit_for_pack(r);
}

/* A texture view of the entry, with a sentence saying what is wrong when it fails. */
static int zc__texture_of(const char *pack_path, const zc_entry *e, zc_texture_view *view) {
    zc_result r = zc_texture_view_from_entry(e, view);
    return r == ZC_OK ? ZC_EXIT_OK : zc__view_failed(pack_path, e, r);
}

/* A describer adds the keys of its type to o. pack resolves references to other
 * entries. Returns an exit code, having reported any failure. */
typedef int (*zc__dump_fn)(const char *pack_path, const zc_pack *pack, const zc_entry *e, cJSON *o);

static int zc__dump_blob(const char *pack_path, const zc_pack *pack, const zc_entry *e, cJSON *o) {
    (void)pack_path;
    (void)pack;
    (void)e;
    (void)o; /* size and content hash are common to every entry */
    return ZC_EXIT_OK;
}

static cJSON *zc__texture_flags_json(uint32_t flags) {
    static const struct { uint32_t bit; const char *name; } names[] = {
        { ZC_TEXTURE_NORMAL_MAP, "NORMAL_MAP" },
        { ZC_TEXTURE_HAS_ALPHA, "HAS_ALPHA" },
        { ZC_TEXTURE_CUTOUT, "CUTOUT" },
        { ZC_TEXTURE_HDR, "HDR" },
    };
    cJSON *array = cJSON_CreateArray();
    for (size_t i = 0; array && i < sizeof names / sizeof names[0]; ++i)
        if (flags & names[i].bit) cJSON_AddItemToArray(array, cJSON_CreateString(names[i].name));
    return array;
}

static int zc__dump_texture(const char *pack_path, const zc_pack *pack, const zc_entry *e, cJSON *o) {
    (void)pack;
    zc_texture_view view;
    int rc = zc__texture_of(pack_path, e, &view);
    if (rc != ZC_EXIT_OK) return rc;
    cJSON_AddStringToObject(o, "format", zc_pixel_format_name(view.format));
    cJSON_AddNumberToObject(o, "width", view.width);
    cJSON_AddNumberToObject(o, "height", view.height);
    cJSON_AddNumberToObject(o, "depth", view.depth);
    cJSON_AddNumberToObject(o, "layers", view.layers);
    cJSON_AddNumberToObject(o, "mip_count", view.mip_count);
    cJSON_AddItemToObject(o, "flags", zc__texture_flags_json(view.flags));
    cJSON_AddNumberToObject(o, "row_pitch_align", view.row_pitch_align);
    cJSON *levels = cJSON_AddArrayToObject(o, "levels");
    for (uint32_t level = 0; levels && level < view.mip_count; ++level) {
        for (uint32_t layer = 0; layer < view.layers; ++layer) {
            zc_texture_level_view lv;
            cJSON *l = cJSON_CreateObject();
            if (!l || zc_texture_view_level(&view, level, layer, &lv) != ZC_OK) {
                cJSON_Delete(l);
                return ZC_EXIT_INTERNAL;
            }
            cJSON_AddNumberToObject(l, "level", level);
            cJSON_AddNumberToObject(l, "layer", layer);
            cJSON_AddNumberToObject(l, "width", lv.width);
            cJSON_AddNumberToObject(l, "height", lv.height);
            cJSON_AddNumberToObject(l, "depth", lv.depth);
            cJSON_AddNumberToObject(l, "row_pitch", lv.row_pitch);
            cJSON_AddNumberToObject(l, "size", (double)lv.size);
            cJSON_AddNumberToObject(l, "offset", (double)((const uint8_t *)lv.data - (const uint8_t *)e->data));
            cJSON_AddItemToArray(levels, l);
        }
    }
    return ZC_EXIT_OK;
}

/* A float as the JSON number with the fewest significant digits that reads back as
 * the same float ("0.8", not "0.800000011920929"). Needs the C locale (main sets it). */
static cJSON *zc__float_json(float value) {
    char text[32];
    for (int digits = 6; digits <= 9; ++digits) {
        snprintf(text, sizeof text, "%.*g", digits, (double)value);
        if (strtof(text, NULL) == value) break;
    }
    return cJSON_CreateNumber(strtod(text, NULL));
}

static cJSON *zc__floats_json(const float *values, int count) {
    cJSON *array = cJSON_CreateArray();
    for (int k = 0; array && k < count; ++k) cJSON_AddItemToArray(array, zc__float_json(values[k]));
    return array;
}

static void zc__add_float(cJSON *o, const char *key, float value) {
    cJSON_AddItemToObject(o, key, zc__float_json(value));
}

/* A reference to another entry: JSON null for id 0, the entry's path when the id
 * names an entry of `type` in the pack, else the id as 16 hex digits. */
static cJSON *zc__reference_json(const zc_pack *pack, uint64_t id, uint32_t type) {
    if (id == 0) return cJSON_CreateNull();
    zc_entry target;
    if (zc_pack_resolve(pack, id, type, &target) == ZC_OK) return cJSON_CreateString(target.path);
    char hex[17];
    zc__hex64(id, hex);
    return cJSON_CreateString(hex);
}

static cJSON *zc__mesh_streams_json(const zc_mesh_view *view, const zc_entry *e) {
    cJSON *streams = cJSON_CreateArray();
    for (uint32_t s = 0; streams && s < view->stream_count; ++s) {
        cJSON *o = cJSON_CreateObject();
        if (!o) break;
        const zc_vertex_stream_view *sv = &view->streams[s];
        cJSON_AddNumberToObject(o, "stride", sv->stride);
        cJSON_AddNumberToObject(o, "size", (double)sv->stride * view->vertex_count);
        cJSON_AddNumberToObject(o, "offset", (double)((const uint8_t *)sv->data - (const uint8_t *)e->data));
        cJSON_AddItemToArray(streams, o);
    }
    return streams;
}

static cJSON *zc__mesh_attributes_json(const zc_mesh_view *view) {
    cJSON *attributes = cJSON_CreateArray();
    for (uint32_t i = 0; attributes && i < view->attribute_count; ++i) {
        cJSON *o = cJSON_CreateObject();
        if (!o) break;
        const zc_vertex_attribute *a = &view->attributes[i];
        cJSON_AddStringToObject(o, "semantic", zc_vertex_semantic_name(a->semantic));
        cJSON_AddStringToObject(o, "format", zc_vertex_format_name(a->format));
        cJSON_AddNumberToObject(o, "stream", a->stream);
        cJSON_AddNumberToObject(o, "offset", a->offset);
        cJSON_AddItemToArray(attributes, o);
    }
    return attributes;
}

static cJSON *zc__mesh_submeshes_json(const zc_mesh_view *view, const zc_pack *pack) {
    cJSON *submeshes = cJSON_CreateArray();
    for (uint32_t i = 0; submeshes && i < view->submesh_count; ++i) {
        cJSON *o = cJSON_CreateObject();
        if (!o) break;
        const zc_submesh *sm = &view->submeshes[i];
        cJSON_AddNumberToObject(o, "index_offset", sm->index_offset);
        cJSON_AddNumberToObject(o, "index_count", sm->index_count);
        cJSON_AddItemToObject(o, "material", zc__reference_json(pack, sm->material, ZC_TYPE_MATERIAL));
        cJSON_AddNumberToObject(o, "meshlet_offset", sm->meshlet_offset);
        cJSON_AddNumberToObject(o, "meshlet_count", sm->meshlet_count);
        cJSON_AddItemToArray(submeshes, o);
    }
    return submeshes;
}

static int zc__dump_mesh(const char *pack_path, const zc_pack *pack, const zc_entry *e, cJSON *o) {
    zc_mesh_view view;
    zc_result r = zc_mesh_view_from_entry(e, &view);
    if (r != ZC_OK) return zc__view_failed(pack_path, e, r);
    cJSON_AddNumberToObject(o, "vertex_count", view.vertex_count);
    cJSON_AddNumberToObject(o, "index_count", view.index_count);
    cJSON_AddNumberToObject(o, "index_size", view.index_size);
    cJSON_AddItemToObject(o, "aabb_min", zc__floats_json(view.aabb_min, 3));
    cJSON_AddItemToObject(o, "aabb_max", zc__floats_json(view.aabb_max, 3));
    cJSON_AddItemToObject(o, "sphere_center", zc__floats_json(view.sphere_center, 3));
    zc__add_float(o, "sphere_radius", view.sphere_radius);
    cJSON_AddItemToObject(o, "streams", zc__mesh_streams_json(&view, e));
    cJSON_AddItemToObject(o, "attributes", zc__mesh_attributes_json(&view));
    cJSON_AddItemToObject(o, "submeshes", zc__mesh_submeshes_json(&view, pack));
    cJSON_AddNumberToObject(o, "meshlet_count", view.meshlet_count);
    return ZC_EXIT_OK;
}

static cJSON *zc__material_flags_json(uint32_t flags) {
    cJSON *array = cJSON_CreateArray();
    if (array && (flags & ZC_MATERIAL_DOUBLE_SIDED)) cJSON_AddItemToArray(array, cJSON_CreateString("DOUBLE_SIDED"));
    if (array && (flags & ZC_MATERIAL_UNLIT)) cJSON_AddItemToArray(array, cJSON_CreateString("UNLIT"));
    return array;
}

/* The filled texture slots, keyed by slot name: {"texture": path or hex id, "texcoord"}. */
static cJSON *zc__material_textures_json(const zc_material_view *view, const zc_pack *pack) {
    cJSON *textures = cJSON_CreateObject();
    for (uint32_t s = 0; textures && s < ZC_MATERIAL_SLOT_COUNT; ++s) {
        if (view->textures[s].texture == 0) continue;
        cJSON *t = cJSON_CreateObject();
        if (!t) break;
        cJSON_AddItemToObject(t, "texture", zc__reference_json(pack, view->textures[s].texture, ZC_TYPE_TEXTURE));
        cJSON_AddNumberToObject(t, "texcoord", view->textures[s].texcoord);
        cJSON_AddItemToObject(textures, zc_material_slot_name(s), t);
    }
    return textures;
}

static int zc__dump_material(const char *pack_path, const zc_pack *pack, const zc_entry *e, cJSON *o) {
    zc_material_view view;
    zc_result r = zc_material_view_from_entry(e, &view);
    if (r != ZC_OK) return zc__view_failed(pack_path, e, r);
    cJSON_AddStringToObject(o, "name", view.name);
    cJSON_AddStringToObject(o, "alpha_mode", zc_alpha_mode_name(view.alpha_mode));
    zc__add_float(o, "alpha_cutoff", view.alpha_cutoff);
    cJSON_AddItemToObject(o, "flags", zc__material_flags_json(view.flags));
    cJSON_AddItemToObject(o, "base_color_factor", zc__floats_json(view.base_color_factor, 4));
    cJSON_AddItemToObject(o, "emissive_factor", zc__floats_json(view.emissive_factor, 3));
    zc__add_float(o, "metallic_factor", view.metallic_factor);
    zc__add_float(o, "roughness_factor", view.roughness_factor);
    zc__add_float(o, "normal_scale", view.normal_scale);
    zc__add_float(o, "occlusion_strength", view.occlusion_strength);
    cJSON_AddItemToObject(o, "textures", zc__material_textures_json(&view, pack));
    return ZC_EXIT_OK;
}

/* Mesh instances of one node: [{"mesh": path or hex id, "material": path, hex id or null}]. */
static cJSON *zc__node_meshes_json(const zc_scene_view *view, const zc_scene_node *n, const zc_pack *pack) {
    cJSON *meshes = cJSON_CreateArray();
    for (uint32_t k = 0; meshes && k < n->mesh_count; ++k) {
        const zc_scene_mesh *m = &view->meshes[n->mesh_first + k];
        cJSON *o = cJSON_CreateObject();
        if (!o) break;
        cJSON_AddItemToObject(o, "mesh", zc__reference_json(pack, m->mesh, ZC_TYPE_MESH));
        cJSON_AddItemToObject(o, "material", zc__reference_json(pack, m->material, ZC_TYPE_MATERIAL));
        cJSON_AddItemToArray(meshes, o);
    }
    return meshes;
}

static cJSON *zc__scene_nodes_json(const zc_scene_view *view, const zc_pack *pack) {
    cJSON *nodes = cJSON_CreateArray();
    for (uint32_t i = 0; nodes && i < view->node_count; ++i) {
        const zc_scene_node *n = &view->nodes[i];
        cJSON *o = cJSON_CreateObject();
        if (!o) break;
        cJSON_AddStringToObject(o, "name", zc_scene_view_node_name(view, i, NULL));
        cJSON_AddNumberToObject(o, "parent", n->parent);
        cJSON_AddItemToObject(o, "translation", zc__floats_json(n->translation, 3));
        cJSON_AddItemToObject(o, "rotation", zc__floats_json(n->rotation, 4));
        cJSON_AddItemToObject(o, "scale", zc__floats_json(n->scale, 3));
        cJSON_AddItemToObject(o, "meshes", zc__node_meshes_json(view, n, pack));
        cJSON_AddNumberToObject(o, "camera", n->camera);
        cJSON_AddNumberToObject(o, "light", n->light);
        cJSON_AddItemToArray(nodes, o);
    }
    return nodes;
}

static cJSON *zc__scene_cameras_json(const zc_scene_view *view) {
    cJSON *cameras = cJSON_CreateArray();
    for (uint32_t i = 0; cameras && i < view->camera_count; ++i) {
        const zc_camera *c = &view->cameras[i];
        cJSON *o = cJSON_CreateObject();
        if (!o) break;
        cJSON_AddStringToObject(o, "type", zc_camera_type_name(c->type));
        zc__add_float(o, "aspect", c->aspect);
        zc__add_float(o, "yfov", c->yfov);
        zc__add_float(o, "xmag", c->xmag);
        zc__add_float(o, "ymag", c->ymag);
        zc__add_float(o, "znear", c->znear);
        zc__add_float(o, "zfar", c->zfar);
        cJSON_AddItemToArray(cameras, o);
    }
    return cameras;
}

static cJSON *zc__scene_lights_json(const zc_scene_view *view) {
    cJSON *lights = cJSON_CreateArray();
    for (uint32_t i = 0; lights && i < view->light_count; ++i) {
        const zc_light *l = &view->lights[i];
        cJSON *o = cJSON_CreateObject();
        if (!o) break;
        cJSON_AddStringToObject(o, "type", zc_light_type_name(l->type));
        cJSON_AddItemToObject(o, "color", zc__floats_json(l->color, 3));
        zc__add_float(o, "intensity", l->intensity);
        zc__add_float(o, "range", l->range);
        zc__add_float(o, "inner_cone", l->inner_cone);
        zc__add_float(o, "outer_cone", l->outer_cone);
        cJSON_AddItemToArray(lights, o);
    }
    return lights;
}

static int zc__dump_scene(const char *pack_path, const zc_pack *pack, const zc_entry *e, cJSON *o) {
    zc_scene_view view;
    zc_result r = zc_scene_view_from_entry(e, &view);
    if (r != ZC_OK) return zc__view_failed(pack_path, e, r);
    cJSON_AddItemToObject(o, "nodes", zc__scene_nodes_json(&view, pack));
    cJSON_AddItemToObject(o, "cameras", zc__scene_cameras_json(&view));
    cJSON_AddItemToObject(o, "lights", zc__scene_lights_json(&view));
    return ZC_EXIT_OK;
}

/* Describers per type tag; a type without one is described by the common fields. */
static const struct {
    uint32_t type;
    zc__dump_fn dump;
} zc__dumpers[] = {
    { ZC_TYPE_BLOB, zc__dump_blob },
    { ZC_TYPE_TEXTURE, zc__dump_texture },
    { ZC_TYPE_MESH, zc__dump_mesh },
    { ZC_TYPE_MATERIAL, zc__dump_material },
    { ZC_TYPE_SCENE, zc__dump_scene },
};

static int zc__cmd_dump(int argc, char **argv) {
    zc__args a;
    int rc = zc__parse("dump", argc, argv, 2, "", &a);
    if (rc >= 0) return rc;
    if (a.help) return zc__print_help(zc__help_dump);
    if ((rc = zc__check_operands("dump", &a, 2, "pack file and entry path")) >= 0) return rc;
    zc_pack *pack;
    zc_entry e, raw;
    zc_hold hold;
    if ((rc = zc__open_entry(a.operands[0], a.operands[1], &pack, &e)) != ZC_EXIT_OK) return rc;
    zc_result r = zc__raw_entry(pack, &e, &raw, &hold);
    if (r != ZC_OK) {
        rc = zc__entry_failed(a.operands[0], e.path, r);
        zc_pack_close(pack);
        return rc;
    }
    char hex[17], type[16];
    cJSON *o = cJSON_CreateObject();
    if (!o) {
        zc_hold_release(&hold);
        zc_pack_close(pack);
        return zc__print_json(NULL);
    }
    cJSON_AddStringToObject(o, "path", e.path);
    cJSON_AddStringToObject(o, "type", zc__type_text(e.type, type));
    cJSON_AddNumberToObject(o, "size", (double)e.raw_size);
    zc__hex64(e.content_hash, hex);
    cJSON_AddStringToObject(o, "content_hash", hex);
    cJSON_AddNumberToObject(o, "alignment", e.alignment);
    cJSON_AddStringToObject(o, "codec", zc__codec_text(e.codec));
    for (size_t i = 0; i < sizeof zc__dumpers / sizeof zc__dumpers[0]; ++i)
        if (zc__dumpers[i].type == e.type && zc_type_name(e.type))
            rc = zc__dumpers[i].dump(a.operands[0], pack, &raw, o);
    if (rc == ZC_EXIT_OK)
        rc = zc__print_json(o);
    else
        cJSON_Delete(o);
    zc_hold_release(&hold);
    zc_pack_close(pack);
    return rc;
}

/* Growing memory buffer for stb_image_write. */
typedef struct zc__membuf {
    uint8_t *data;
    size_t size, cap;
    int failed;
} zc__membuf;

static void zc__membuf_append(void *context, void *data, int size) {
    zc__membuf *m = (zc__membuf *)context;
    if (m->failed || size <= 0) return;
    if (m->size + (size_t)size > m->cap) {
        size_t cap = m->cap ? m->cap : 65536;
        while (cap < m->size + (size_t)size) cap *= 2;
        uint8_t *grown = (uint8_t *)realloc(m->data, cap);
        if (!grown) {
            m->failed = 1;
            return;
        }
        m->data = grown;
        m->cap = cap;
    }
    memcpy(m->data + m->size, data, (size_t)size);
    m->size += (size_t)size;
}

/* Write `size` bytes to path through a temporary file beside it and a rename, so the
 * path holds either its old content or all of the new. 0 or an exit code (reported). */
static int zc__write_atomic(const char *path, const void *data, size_t size) {
    size_t n = strlen(path);
    char *tmp = (char *)malloc(n + 32);
    if (!tmp) {
        zc__error("%s: out of memory", path);
        return ZC_EXIT_INTERNAL;
    }
    snprintf(tmp, n + 32, "%s.tmp-%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int err = fd < 0 ? errno : 0;
    const uint8_t *p = (const uint8_t *)data;
    for (size_t left = size; fd >= 0 && !err && left > 0;) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            err = w < 0 ? errno : EIO;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fd >= 0 && !err && fsync(fd) != 0) err = errno;
    if (fd >= 0 && close(fd) != 0 && !err) err = errno;
    if (!err && rename(tmp, path) != 0) err = errno;
    if (err) {
        zc__error("%s: cannot write: %s", path, strerror(err));
        if (fd >= 0) unlink(tmp);
    }
    free(tmp);
    return err ? ZC_EXIT_IO : ZC_EXIT_OK;
}

/* One texture level as a PNG at `output`. */
static int zc__extract_texture(const char *pack_path, const zc_entry *e, const zc__args *a, const char *output) {
    zc_texture_view view;
    int rc = zc__texture_of(pack_path, e, &view);
    if (rc != ZC_EXIT_OK) return rc;
    zc_texture_level_view lv;
    if (zc_texture_view_level(&view, a->level, a->layer, &lv) != ZC_OK) {
        zc__error("%s: %s: no level %u of layer %u (levels: %u, layers: %u)", pack_path, e->path, a->level, a->layer,
                  view.mip_count, view.layers);
        return ZC_EXIT_NO_ENTRY;
    }
    uint64_t rows = (uint64_t)lv.height * lv.depth;
    if ((uint64_t)lv.width * 4 * rows > INT_MAX) { /* stb_image_write counts bytes in an int */
        zc__error("%s: %s: level of %ux%ux%u is too large for a PNG", pack_path, e->path, lv.width, lv.height, lv.depth);
        return ZC_EXIT_INTERNAL;
    }
    uint8_t *rgba = (uint8_t *)malloc((size_t)lv.width * (size_t)rows * 4);
    zc__membuf png = { NULL, 0, 0, 0 };
    zc_result r = rgba ? zc_texture_level_decode_rgba8(view.format, &lv, rgba) : ZC_ERR_OUT_OF_MEMORY;
    if (r == ZC_OK &&
        (!stbi_write_png_to_func(zc__membuf_append, &png, (int)lv.width, (int)rows, 4, rgba, (int)lv.width * 4) ||
         png.failed))
        r = ZC_ERR_OUT_OF_MEMORY;
    free(rgba);
    if (r != ZC_OK)
        zc__error("%s: %s: cannot make a PNG of level %u: %s", pack_path, e->path, a->level, zc_result_str(r));
    else
        rc = zc__write_atomic(output, png.data, png.size);
    free(png.data);
    return r != ZC_OK ? ZC_EXIT_INTERNAL : rc;
}

static int zc__cmd_extract(int argc, char **argv) {
    zc__args a;
    int rc = zc__parse("extract", argc, argv, 2, "output level layer", &a);
    if (rc >= 0) return rc;
    if (a.help) return zc__print_help(zc__help_extract);
    if ((rc = zc__check_operands("extract", &a, 2, "pack file and entry path")) >= 0) return rc;
    if (!a.output) return zc__usage_error("extract", "missing -o <file>");
    zc_pack *pack;
    zc_entry found, e;
    zc_hold hold;
    if ((rc = zc__open_entry(a.operands[0], a.operands[1], &pack, &found)) != ZC_EXIT_OK) return rc;
    zc_result held = zc__raw_entry(pack, &found, &e, &hold);
    if (held != ZC_OK) {
        rc = zc__entry_failed(a.operands[0], found.path, held);
    } else if (e.type == ZC_TYPE_TEXTURE) {
        rc = zc__extract_texture(a.operands[0], &e, &a, a.output);
    } else if (a.has_level || a.has_layer) {
        rc = zc__usage_error("extract", "--level and --layer apply to textures; %s is not one", e.path);
    } else {
        const void *data = NULL;
        uint64_t size = 0;
        zc_result r = zc_entry_bytes(&e, 0, &data, &size);
        if (r != ZC_OK)
            rc = zc__entry_failed(a.operands[0], e.path, r);
        else if (size > SIZE_MAX)
            rc = zc__entry_failed(a.operands[0], e.path, ZC_ERR_LIMIT);
        else
            rc = zc__write_atomic(a.output, data, (size_t)size);
    }
    zc_hold_release(&hold);
    zc_pack_close(pack);
    return rc;
}

/* ---------------------------------------------------------------------------------
 * diff
 * ------------------------------------------------------------------------------- */

/* Every entry of `pack` sorted by path into a malloc'd array; NULL when out of memory
 * (reported). */
static zc_entry *zc__entries_sorted(const char *pack_path, const zc_pack *pack, uint32_t *out_count) {
    uint32_t n = zc_pack_entry_count(pack);
    zc_entry *entries = (zc_entry *)malloc(((size_t)n + 1) * sizeof *entries);
    if (!entries) {
        zc__error("%s: out of memory listing %u entries", pack_path, n);
        return NULL;
    }
    for (uint32_t i = 0; i < n; ++i) zc_pack_entry_at(pack, i, &entries[i]);
    if (n > 1) qsort(entries, n, sizeof *entries, zc__compare_entry_paths);
    *out_count = n;
    return entries;
}

static const struct {
    uint32_t bit;
    const char *name;
} zc__diff_fields[] = {
    { ZC_DIFF_TYPE, "type" },         { ZC_DIFF_LAYOUT, "layout_hash" }, { ZC_DIFF_CONTENT, "content_hash" },
    { ZC_DIFF_RAW_SIZE, "raw_size" }, { ZC_DIFF_DEPS, "deps" },
};

/* "type,content_hash" for the bits of `diff`. */
static void zc__diff_text(uint32_t diff, char *out, size_t cap) {
    size_t o = 0;
    out[0] = 0;
    for (size_t k = 0; k < sizeof zc__diff_fields / sizeof zc__diff_fields[0]; ++k)
        if (diff & zc__diff_fields[k].bit)
            o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, "%s%s", o ? "," : "", zc__diff_fields[k].name);
}

typedef struct zc__diff_out {
    int json;
    cJSON *root, *added, *removed, *changed;  /* --json */
    uint32_t differences;
    int failed;                                /* out of memory building the JSON */
} zc__diff_out;

/* Report one difference: `diff` is 0 for added/removed paths. */
static void zc__diff_report(zc__diff_out *d, const char *what, const char *path, uint32_t diff) {
    d->differences++;
    if (!d->json) {
        char fields[96];
        zc__diff_text(diff, fields, sizeof fields);
        printf("%s\t%s%s%s\n", what, path, diff ? "\t" : "", fields);
        return;
    }
    cJSON *item = NULL;
    if (!diff) {
        item = cJSON_CreateString(path);
        if (item) cJSON_AddItemToArray(what[0] == 'a' ? d->added : d->removed, item);
    } else if ((item = cJSON_CreateObject()) != NULL) {
        cJSON *fields = cJSON_CreateArray();
        cJSON_AddStringToObject(item, "path", path);
        for (size_t k = 0; fields && k < sizeof zc__diff_fields / sizeof zc__diff_fields[0]; ++k)
            if (diff & zc__diff_fields[k].bit)
                cJSON_AddItemToArray(fields, cJSON_CreateString(zc__diff_fields[k].name));
        if (fields) cJSON_AddItemToObject(item, "fields", fields);
        else d->failed = 1;
        cJSON_AddItemToArray(d->changed, item);
    }
    if (!item) d->failed = 1;
}

/* Merge the two path-sorted lists, reporting every difference in path order. */
static void zc__diff_walk(const zc_entry *a, uint32_t na, const zc_entry *b, uint32_t nb, zc__diff_out *d) {
    uint32_t i = 0, j = 0;
    while (i < na || j < nb) {
        int c = i == na ? 1 : j == nb ? -1 : strcmp(a[i].path, b[j].path);
        if (c < 0) {
            zc__diff_report(d, "removed", a[i++].path, 0);
        } else if (c > 0) {
            zc__diff_report(d, "added", b[j++].path, 0);
        } else {
            uint32_t diff = zc_entry_differences(&a[i], &b[j]);
            if (diff) zc__diff_report(d, "changed", a[i].path, diff);
            i++;
            j++;
        }
    }
}

static int zc__diff_packs(const char *path_a, const zc_pack *pa, const char *path_b, const zc_pack *pb, int json) {
    uint32_t na = 0, nb = 0;
    zc_entry *a = zc__entries_sorted(path_a, pa, &na);
    zc_entry *b = a ? zc__entries_sorted(path_b, pb, &nb) : NULL;
    zc__diff_out d;
    memset(&d, 0, sizeof d);
    d.json = json;
    if (json) {
        d.root = cJSON_CreateObject();
        d.added = cJSON_CreateArray();
        d.removed = cJSON_CreateArray();
        d.changed = cJSON_CreateArray();
        d.failed = !d.root || !d.added || !d.removed || !d.changed;
    }
    int rc = a && b && !d.failed ? ZC_EXIT_OK : ZC_EXIT_DIFF_INTERNAL;
    if (rc == ZC_EXIT_OK) zc__diff_walk(a, na, b, nb, &d);
    if (rc == ZC_EXIT_OK && json) {
        /* "identical" first, then the lists (the object owns them from here on) */
        d.failed = d.failed || !cJSON_AddBoolToObject(d.root, "identical", d.differences == 0);
        if (!d.failed) {
            cJSON_AddItemToObject(d.root, "added", d.added);
            cJSON_AddItemToObject(d.root, "removed", d.removed);
            cJSON_AddItemToObject(d.root, "changed", d.changed);
            d.added = d.removed = d.changed = NULL;
        }
        if (d.failed) {
            zc__error("out of memory formatting the differences");
            rc = ZC_EXIT_DIFF_INTERNAL;
        } else {
            cJSON *root = d.root;
            d.root = NULL; /* zc__print_json frees it, and reports its own failure */
            if (zc__print_json(root) != ZC_EXIT_OK) rc = ZC_EXIT_DIFF_INTERNAL;
        }
    }
    cJSON_Delete(d.root);
    cJSON_Delete(d.added);
    cJSON_Delete(d.removed);
    cJSON_Delete(d.changed);
    free(a);
    free(b);
    return rc != ZC_EXIT_OK ? rc : d.differences ? ZC_EXIT_DIFFERENT : ZC_EXIT_OK;
}

static int zc__cmd_diff(int argc, char **argv) {
    zc__args a;
    int rc = zc__parse("diff", argc, argv, 2, "json", &a);
    if (rc >= 0) return rc;
    if (a.help) return zc__print_help(zc__help_diff);
    if ((rc = zc__check_operands("diff", &a, 2, "two pack files")) >= 0) return rc;
    zc_pack *pa = NULL, *pb = NULL;
    if ((rc = zc__open(a.operands[0], ZC_VALIDATE_TOC, &pa, NULL)) != ZC_EXIT_OK ||
        (rc = zc__open(a.operands[1], ZC_VALIDATE_TOC, &pb, NULL)) != ZC_EXIT_OK) {
        zc_pack_close(pa);
        return rc == ZC_EXIT_INTERNAL ? ZC_EXIT_DIFF_INTERNAL : rc;
    }
    rc = zc__diff_packs(a.operands[0], pa, a.operands[1], pb, a.json);
    zc_pack_close(pa);
    zc_pack_close(pb);
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
    } else if (strcmp(command, "dump") == 0) {
        rc = zc__cmd_dump(argc, argv);
    } else if (strcmp(command, "extract") == 0) {
        rc = zc__cmd_extract(argc, argv);
    } else if (strcmp(command, "watch") == 0) {
        rc = zc__cmd_watch(argc, argv);
    } else if (strcmp(command, "diff") == 0) {
        rc = zc__cmd_diff(argc, argv);
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
