/* zc_cmd_cat.c - `zcpack cat <pack> <path>`: one entry's bytes on stdout. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "zc_cli.h"

static const char zc__cat_help[] =
    "Usage: zcpack cat <pack> <path>\n"
    "\n"
    "Write the bytes of entry <path> (as 'zcpack ls' prints it) to stdout, unchanged;\n"
    "a compressed entry is decoded first. The header and table of contents are\n"
    "checked; the entry's bytes are not, except that decoding checks a compressed\n"
    "entry's frame and content hash.\n"
    "\n"
    "Options:\n"
    "  -h, --help  show this help\n";

typedef struct zc__cat_values {
    int unused;
} zc__cat_values;

static const zc_cli_option zc__cat_options[] = {
    ZC_OPT_END,
};

/* Write all bytes to stdout. An exit code: ZC_EXIT_IO when stdout fails (EPIPE, the
 * reader left, without a message), ZC_EXIT_CORRUPT when the pack shrank under the
 * bytes (EFAULT, zc__guard_bad_address). */
static int zc__write_stdout(const uint8_t *p, uint64_t size) {
    while (size > 0) {
        size_t chunk = size > (1u << 20) ? (1u << 20) : (size_t)size;
        ssize_t n = write(STDOUT_FILENO, p, chunk);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EFAULT) return zc__guard_bad_address("cat");
            if (errno != EPIPE) zc__error("stdout: cannot write: %s", strerror(errno));
            return ZC_EXIT_IO;
        }
        p += n;
        size -= (uint64_t)n;
    }
    return ZC_EXIT_OK;
}

static int zc__cat_run(const zc_cli_call *call) {
    const char *pack_path = call->operands[0], *path = call->operands[1];
    zc_pack *pack;
    int rc = zc__open(pack_path, ZC_VALIDATE_TOC, &pack, NULL);
    if (rc != ZC_EXIT_OK) return rc;
    zc_entry e, raw;
    zc_hold hold;
    const void *data = NULL;
    uint64_t size = 0;
    zc_result r = zc_pack_find(pack, path, &e);
    if (r == ZC_ERR_NO_ENTRY) {
        zc__error("%s: %s: no such entry", pack_path, path);
        zc_pack_close(pack);
        return ZC_EXIT_NO_ENTRY;
    }
    if (r == ZC_OK) r = zc__raw_entry(pack, &e, &raw, &hold);
    if (r == ZC_OK) r = zc_entry_bytes(&raw, 0, &data, &size);
    if (r != ZC_OK) {
        if (!zc__cli.errors_logged) zc__error("%s: %s: %s", pack_path, path, zc_result_str(r));
        zc_hold_release(&hold);
        zc_pack_close(pack);
        return zc__exit_for_pack(r);
    }
    rc = zc__write_stdout((const uint8_t *)data, size);
    zc_hold_release(&hold);
    zc_pack_close(pack);
    return rc;
}

const zc_command zc__cmd_cat = {
    "cat", "cat <pack> <path>", "write one entry's bytes to stdout", zc__cat_help, ZC_EXITS(OK) | ZC_EXITS(INTERNAL) | ZC_EXITS(USAGE) | ZC_EXITS(IO) | ZC_EXITS(CORRUPT) | ZC_EXITS(NO_ENTRY),
    zc__cat_options, sizeof(zc__cat_values), 2, "pack file and entry path", zc__cat_run,
};
