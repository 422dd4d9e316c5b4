/* zc_cli.h - what the commands of zcpack share: the command row, diagnostics on
 * stderr, exit codes for library results, pack opening, small formatting helpers.
 *
 * A command lives in its own file packer/cli/zc_cmd_<name>.c, which defines its help
 * text, its option table, its run function and `const zc_command zc__cmd_<name>`; one
 * row of ZC_COMMAND_LIST in zcpack_main.c puts it in the program and the main help.
 * Results go to stdout; diagnostics, help and the progress bar go to stderr as
 * "zcpack: <file>: <problem>".
 */
#ifndef ZC_CLI_H
#define ZC_CLI_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "zc_format.h" /* ZC_PRINTF_ARCHETYPE */
#include "zc_cli_options.h"
#include "zc_exit.h"
#include "zc_pack.h"

/* What a command's run function receives: the operands (their number already
 * checked) and its struct of option values. */
typedef struct zc_cli_call {
    const char *command;
    const char *const *operands;
    int operand_count;
    void *values;
} zc_cli_call;

typedef struct zc_command {
    const char *name;           /* "ls" */
    const char *synopsis;       /* "ls <pack> [--json]", for the main help */
    const char *summary;        /* "list the entries, sorted by path" */
    const char *help;           /* the command's --help, without its exit codes */
    uint32_t exits;             /* ZC_EXITS(...) it can return, listed after `help`;
                                   0: `help` lists them itself */
    const zc_cli_option *options;
    size_t values_size;         /* sizeof the struct the options fill */
    int operands;               /* exactly this many operands; ZC_CLI_VARIADIC: one or more */
    const char *operand_names;  /* "pack file": "missing <operand_names>" */
    int (*run)(const zc_cli_call *call);
} zc_command;

#define ZC_CLI_VARIADIC (-1)

/* Largest values_size of any command (checked by main). */
#define ZC_CLI_MAX_VALUES 512

/* Diagnostics state, one per process. */
typedef struct zc_cli_state {
    int quiet;                  /* build --quiet: no warnings, progress or summary */
    int progress_shown;         /* the progress line is on the terminal */
    int progress_width;         /* its length, to erase it */
    int errors_logged;          /* the library reported at least one error */
    char first_error[1024];     /* the first of them, for --json */
} zc_cli_state;
extern zc_cli_state zc__cli;

/* Logger of every library call: warnings and errors on stderr as "zcpack: ...". */
void zc__cli_log(zc_log_level level, const char *message, void *user_data);
void zc__erase_progress(void);
#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 1, 2)))
#endif
void zc__error(const char *fmt, ...);
/* Report a failed library call on `file` unless the library already logged why. */
void zc__fail_on(const char *file, zc_result r);
/* Print a usage error and the hint to --help; returns ZC_EXIT_USAGE. */
#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 2, 3)))
#endif
int zc__usage_error(const char *command, const char *fmt, ...);

/* Exit code for an error reading a pack. */
int zc__exit_for_pack(zc_result r);

/* The help of a command (its text, then its exit codes) on stderr; ZC_EXIT_OK. */
int zc__print_command_help(const zc_command *cmd);
/* The "Exit codes:" text of the codes in `exits` on stderr. */
void zc__print_exit_codes(uint32_t exits);

double zc__now(void);
double zc__mib(uint64_t bytes);
void zc__hex64(uint64_t v, char out[17]);
/* Type name from the registry, the FourCC when printable, else "0x%08x". */
const char *zc__type_text(uint32_t tag, char out[16]);
const char *zc__codec_text(zc_codec codec);
/* Print a cJSON tree on stdout followed by a newline; frees it. An exit code. */
int zc__print_json(cJSON *json);

/* The program: main's body (zcpack_main.c). The tests run it in-process too,
 * compiling packer/cli/ with ZC_CLI_NO_MAIN (tests/test_mapped.c). */
int zc__cli_main(int argc, char **argv);

/* Mapped packs that change size (zc_cli_guard.c). Another program may truncate a
 * pack while zcpack has it mapped; reading past its new end raises SIGBUS.
 * zc__guard_call runs body(arg) with that fault caught on the calling thread: the
 * body is abandoned where it faulted (whatever it held is leaked, never used again),
 * every pack zc__guard_track knows whose size changed is reported as "<pack>: the pack
 * changed size while being read (...)" (also in zc__cli.first_error), and the call
 * returns ZC_EXIT_CORRUPT; otherwise it returns body's result. main runs every command
 * inside one; a command may nest another to keep control after a fault (verify does,
 * to print its --json verdict). Faults are caught only during such calls. */
int zc__guard_call(const char *command, int (*body)(void *arg), void *arg);
/* Remember `path` as a pack the command reads, with its size when opened (pack's
 * file size; the size on disk now when pack is NULL, before opening it). zc__open
 * calls it; a command that opens packs otherwise calls it itself. */
void zc__guard_track(const char *path, const zc_pack *pack);
/* A system call handed bytes of a mapped pack failed with EFAULT (write(2) from a
 * page past the end of a pack that shrank): report it as zc__guard_call reports a
 * fault. Returns ZC_EXIT_CORRUPT. */
int zc__guard_bad_address(const char *command);

/* Open a pack for a read-only command; on error returns the exit code (> 0). */
int zc__open(const char *path, zc_validate level, zc_pack **out, zc_result *out_result);
/* zc__open requiring a signature by one of `key_count` trusted keys (none: any pack). */
int zc__open_trusted(const char *path, zc_validate level, const zc_public_key *keys, uint32_t key_count,
                     zc_pack **out, zc_result *out_result);
/* zc__open at TOC level for a command that walks every record, with the checks over
 * the whole TOC a lazily checked open leaves to such walks (zc_pack_validate at TOC:
 * every piece, the lookup index, the dependency total, every record), so a damaged or
 * hostile TOC fails here and a walk over the records' dependency lists stays linear. */
int zc__open_walk(const char *path, zc_pack **out);
/* Open a pack at TOC level and find one entry; on error returns the exit code. */
int zc__open_entry(const char *pack_path, const char *path, zc_pack **pack, zc_entry *e);
/* The entry as raw bytes the in-place readers accept: an uncompressed entry as it
 * is; a compressed one decoded and held in *hold (release it before closing). */
zc_result zc__raw_entry(zc_pack *pack, const zc_entry *e, zc_entry *raw, zc_hold *hold);
/* Report a failed access to an entry unless the library already logged why. */
int zc__entry_failed(const char *pack_path, const char *path, zc_result r);
/* Report a view that could not be made of entry e, with the structural check's
 * sentence when the bytes are reachable. Returns the exit code. */
int zc__view_failed(const char *pack_path, const zc_entry *e, zc_result r);
/* Every entry of `pack` sorted by path into a malloc'd array; NULL when out of memory
 * or an entry cannot be read (reported; *out_result says which). */
zc_entry *zc__entries_sorted(const char *pack_path, const zc_pack *pack, uint32_t *out_count,
                             zc_result *out_result);
/* qsort order of zc_entry by path, bytewise. */
int zc__compare_entry_paths(const void *x, const void *y);

/* zc_cli_output.c: files the commands write. */
/* Write `size` bytes to path through a temporary file beside it and a rename, so the
 * path holds either its old content or all of the new. An exit code, errors reported
 * ("<path>: cannot write: ..."); ZC_EXIT_CORRUPT when `data` lies in a mapped pack that
 * shrank (EFAULT), reported for `command` as zc__guard_bad_address does. */
int zc__write_atomic(const char *command, const char *path, const void *data, size_t size);
/* Level `level` of layer `layer` of a texture as an RGBA PNG in memory (*png malloc'd,
 * free it), decoded as `zcpack extract` describes it; with max_edge > 0, shrunk by a
 * whole factor (box filter) until neither side exceeds max_edge. Errors:
 * zc_texture_view_level's, ZC_ERR_LIMIT (over 2 GiB of RGBA8, PNG's writer's limit),
 * ZC_ERR_OUT_OF_MEMORY, and the decoder's for a format it does not decode. */
zc_result zc__texture_level_png(const zc_texture_view *view, uint32_t level, uint32_t layer, uint32_t max_edge,
                                uint8_t **png, size_t *png_size);

/* zc_cli_set.c: pack sets (zc_pack.h, "Pack sets") for the read-only commands. */
/* 1 when `pack` is the index of a pack set: it holds the entry "pack-set" of type
 * pack_set. */
int zc__is_set_index(const zc_pack *pack);
/* Open the set whose index is `path` (zc_pack_set_open at `level`, with the trusted
 * keys); on error reports it and returns the exit code (> 0). */
int zc__open_set(const char *path, zc_validate level, const zc_public_key *keys, uint32_t key_count,
                 zc_pack_set **out, zc_result *out_result);
/* Every entry of every member sorted by path into a malloc'd array, as
 * zc__entries_sorted. */
zc_entry *zc__set_entries_sorted(const char *index_path, const zc_pack_set *set, uint32_t *out_count,
                                 zc_result *out_result);

#endif /* ZC_CLI_H */
