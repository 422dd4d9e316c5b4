/* zcpack_main.c - the zcpack command-line tool (manual: packer/cli/zcpack.md): the
 * table of commands and main.
 *
 * Each command lives in packer/cli/zc_cmd_<name>.c with its help text, its option
 * table and its run function (zc_cli.h); adding one is that file plus one row of
 * ZC_COMMAND_LIST. The main help's command list comes from the table, its exit codes
 * from packer/cli/zc_exit.h.
 */
#include <errno.h>
#include <locale.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_cli.h"

/* X(name): the command `name`, defined as zc__cmd_<name> in zc_cmd_<name>.c, in the
 * order of the main help. */
#define ZC_COMMAND_LIST(X) \
    X(build)               \
    X(import)              \
    X(link)                \
    X(watch)               \
    X(ls)                  \
    X(info)                \
    X(verify)              \
    X(keygen)              \
    X(sign)                \
    X(cat)                 \
    X(dump)                \
    X(extract)             \
    X(diff)                \
    X(stats)               \
    X(report)              \
    X(schema)

#define ZC__COMMAND_DECLARE(name) extern const zc_command zc__cmd_##name;
ZC_COMMAND_LIST(ZC__COMMAND_DECLARE)
#undef ZC__COMMAND_DECLARE

static const zc_command *const zc__commands[] = {
#define ZC__COMMAND_ROW(name) &zc__cmd_##name,
    ZC_COMMAND_LIST(ZC__COMMAND_ROW)
#undef ZC__COMMAND_ROW
};

#define ZC__COMMAND_COUNT (sizeof zc__commands / sizeof zc__commands[0])

static void zc__print_main_help(void) {
    fputs("Usage: zcpack <command> [options] [arguments]\n"
          "\n"
          "Build and inspect zcpack asset packs.\n"
          "\n"
          "Commands:\n",
          stderr);
    /* A synopsis too long for the column puts its summary on the next line. */
    for (size_t i = 0; i < ZC__COMMAND_COUNT; ++i) {
        const char *synopsis = zc__commands[i]->synopsis;
        if (strlen(synopsis) < 35)
            fprintf(stderr, "  %-35s%s\n", synopsis, zc__commands[i]->summary);
        else
            fprintf(stderr, "  %s\n  %-35s%s\n", synopsis, "", zc__commands[i]->summary);
    }
    fputs("\n"
          "Options:\n"
          "  -h, --help     show this help, or a command's help after the command\n"
          "  -V, --version  show the version of zcpack and of the pack format\n"
          "\n",
          stderr);
    zc__print_exit_codes(~0u);
    fputs("  diff only: 0 identical, 1 the packs differ, 7 internal error (out of memory)\n", stderr);
}

typedef struct zc__guarded_command {
    const zc_command *cmd;
    const zc_cli_call *call;
} zc__guarded_command;

static int zc__run_guarded(void *arg) {
    const zc__guarded_command *g = (const zc__guarded_command *)arg;
    return g->cmd->run(g->call);
}

/* Parse the command's options and operands, then run it, surviving a pack that is
 * truncated while mapped (zc__guard_call). */
static int zc__run(const zc_command *cmd, int argc, char **argv) {
    union {
        unsigned char bytes[ZC_CLI_MAX_VALUES];
        long double align_ld;
        void *align_ptr;
    } values;
    memset(&values, 0, sizeof values);
    if (cmd->values_size > sizeof values) {
        zc__error("%s: option values exceed ZC_CLI_MAX_VALUES", cmd->name);
        return ZC_EXIT_INTERNAL;
    }
    zc_cli_parsed parsed;
    memset(&parsed, 0, sizeof parsed);
    parsed.operand_cap = argc;
    parsed.operands = (const char **)calloc((size_t)argc, sizeof *parsed.operands);
    if (!parsed.operands) {
        zc__error("%s: out of memory", cmd->name);
        return ZC_EXIT_INTERNAL;
    }
    int rc = zc_cli_parse(cmd->name, cmd->options, argc, argv, 2, &values, &parsed);
    int wanted = cmd->operands == ZC_CLI_VARIADIC ? 1 : cmd->operands;
    if (rc >= 0) {
    } else if (parsed.help) {
        rc = zc__print_command_help(cmd);
    } else if (parsed.operand_count < wanted) {
        rc = zc__usage_error(cmd->name, "missing %s", cmd->operand_names);
    } else if (cmd->operands != ZC_CLI_VARIADIC && parsed.operand_count > cmd->operands) {
        rc = zc__usage_error(cmd->name, "unexpected argument '%s'", parsed.operands[cmd->operands]);
    } else {
        zc_cli_call call = { cmd->name, parsed.operands, parsed.operand_count, &values };
        zc__guarded_command guarded = { cmd, &call };
        rc = zc__guard_call(cmd->name, zc__run_guarded, &guarded);
    }
    free(parsed.operands);
    return rc;
}

int zc__cli_main(int argc, char **argv) {
    setlocale(LC_ALL, "C");
    if (argc < 2) {
        zc__print_main_help();
        return ZC_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
        zc__print_main_help();
        return ZC_EXIT_OK;
    }
    int rc = -1;
    if (strcmp(name, "-V") == 0 || strcmp(name, "--version") == 0) {
        printf("zcpack %s (pack format %u.%u)\n", zc_version_string(), ZC_FORMAT_MAJOR, ZC_FORMAT_MINOR);
        rc = ZC_EXIT_OK;
    }
    for (size_t i = 0; rc < 0 && i < ZC__COMMAND_COUNT; ++i)
        if (strcmp(name, zc__commands[i]->name) == 0) rc = zc__run(zc__commands[i], argc, argv);
    if (rc < 0) return zc__usage_error(NULL, name[0] == '-' ? "unknown option '%s'" : "unknown command '%s'", name);
    if (fflush(stdout) != 0 && errno != EPIPE && rc == ZC_EXIT_OK) {
        zc__error("stdout: cannot write: %s", strerror(errno));
        rc = ZC_EXIT_IO;
    }
    return rc;
}

#ifndef ZC_CLI_NO_MAIN
/* The allocator policy of the zcpack program (glibc): blocks below 32 MiB come from
 * the heap, and up to 512 MiB of freed heap stays with the process. A build allocates
 * and frees image and payload buffers of megabytes on every thread; glibc's defaults
 * give many of them new pages (mmap) and return them (munmap), and every reuse then
 * pays a page fault and the zeroing of each page: half the page faults of a texture
 * build and a third of its system time, and the address-space lock both threads
 * take. Blocks of 32 MiB and more (a decoded image of 3072x3072 texels) are still
 * mapped and returned: every import thread has a heap of its own, and kept in one,
 * the largest image's pages would stay beside the next image another thread decodes,
 * past --max-memory (which counts the images being decoded). Malloc settings in
 * GLIBC_TUNABLES are the user's and win; a library caller keeps its own policy. */
static void zc__allocator_policy(void) {
#ifdef __GLIBC__
    const char *tunables = getenv("GLIBC_TUNABLES");
    if (tunables && strstr(tunables, "glibc.malloc.")) return;
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}

int main(int argc, char **argv) {
    zc__allocator_policy();
    return zc__cli_main(argc, argv);
}
#endif
