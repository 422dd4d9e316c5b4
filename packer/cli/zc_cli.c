/* zc_cli.c - what the commands of zcpack share (zc_cli.h). */
#include "zc_cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zc_types.h"
#include "zc_packer_os.h"

zc_cli_state zc__cli;

/* ---------------------------------------------------------------------------------
 * Diagnostics
 * ------------------------------------------------------------------------------- */

void zc__erase_progress(void) {
    if (!zc__cli.progress_shown) return;
    fprintf(stderr, "\r%*s\r", zc__cli.progress_width, "");
    zc__cli.progress_shown = 0;
}

void zc__cli_log(zc_log_level level, const char *message, void *user_data) {
    (void)user_data;
    if (level == ZC_LOG_INFO || (level == ZC_LOG_WARNING && zc__cli.quiet)) return;
    zc__erase_progress();
    fprintf(stderr, "zcpack: %s%s\n", level == ZC_LOG_WARNING ? "warning: " : "", message);
    if (level == ZC_LOG_ERROR && !zc__cli.errors_logged++)
        snprintf(zc__cli.first_error, sizeof zc__cli.first_error, "%s", message);
}

void zc__error(const char *fmt, ...) {
    va_list ap;
    zc__erase_progress();
    fputs("zcpack: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void zc__fail_on(const char *file, zc_result r) {
    if (!zc__cli.errors_logged) {
        zc__error("%s: %s", file, zc_result_str(r));
        snprintf(zc__cli.first_error, sizeof zc__cli.first_error, "%s: %s", file, zc_result_str(r));
    }
}

int zc__usage_error(const char *command, const char *fmt, ...) {
    va_list ap;
    fputs("zcpack: ", stderr);
    if (command) fprintf(stderr, "%s: ", command);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'zcpack %s%s--help'.\n", command ? command : "", command ? " " : "");
    return ZC_EXIT_USAGE;
}

int zc__exit_for_pack(zc_result r) {
    switch (r) {
    case ZC_OK: return ZC_EXIT_OK;
    case ZC_ERR_IO:
    case ZC_ERR_FILE_NOT_FOUND: return ZC_EXIT_IO;
    case ZC_ERR_OUT_OF_MEMORY:
    case ZC_ERR_INVALID_ARGUMENT: return ZC_EXIT_INTERNAL;
    case ZC_ERR_NO_ENTRY: return ZC_EXIT_NO_ENTRY;
    case ZC_ERR_SIGNATURE: return ZC_EXIT_SIGNATURE;
    default: return ZC_EXIT_CORRUPT;
    }
}

/* ---------------------------------------------------------------------------------
 * Help
 * ------------------------------------------------------------------------------- */

void zc__print_exit_codes(uint32_t exits) {
    fputs("Exit codes:\n", stderr);
#define ZC__EXIT_LINE(name, value, meaning) \
    if (exits & ZC_EXITS(name)) fprintf(stderr, "  %d  %s\n", value, meaning);
    ZC_EXIT_LIST(ZC__EXIT_LINE)
#undef ZC__EXIT_LINE
}

int zc__print_command_help(const zc_command *cmd) {
    fputs(cmd->help, stderr);
    if (cmd->exits) {
        fputc('\n', stderr);
        zc__print_exit_codes(cmd->exits);
    }
    return ZC_EXIT_OK;
}

/* ---------------------------------------------------------------------------------
 * Formatting
 * ------------------------------------------------------------------------------- */

double zc__now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double zc__mib(uint64_t bytes) {
    return (double)bytes / (1024.0 * 1024.0);
}

void zc__hex64(uint64_t v, char out[17]) {
    snprintf(out, 17, "%016llx", (unsigned long long)v);
}

const char *zc__type_text(uint32_t tag, char out[16]) {
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

const char *zc__codec_text(zc_codec codec) {
    switch (codec) {
    case ZC_CODEC_NONE: return "none";
    case ZC_CODEC_ZSTD: return "zstd";
    case ZC_CODEC_ZSTD_SEEKABLE: return "zstd-seekable";
    default: return "unknown";
    }
}

int zc__print_json(cJSON *json) {
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

/* ---------------------------------------------------------------------------------
 * Packs and entries
 * ------------------------------------------------------------------------------- */

int zc__open(const char *path, zc_validate level, zc_pack **out, zc_result *out_result) {
    return zc__open_trusted(path, level, NULL, 0, out, out_result);
}

int zc__open_trusted(const char *path, zc_validate level, const zc_public_key *keys, uint32_t key_count,
                     zc_pack **out, zc_result *out_result) {
    zc_pack_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.path = path;
    desc.validate = level;
    desc.trusted_keys = keys;
    desc.trusted_key_count = key_count;
    desc.logger.func = zc__cli_log;
    zc__guard_track(path, NULL);
    zc_result r = zc_pack_open(out, &desc);
    if (r == ZC_OK) zc__guard_track(path, *out);
    if (out_result) *out_result = r;
    if (r == ZC_OK) return ZC_EXIT_OK;
    zc__fail_on(path, r);
    return zc__exit_for_pack(r);
}

int zc__open_walk(const char *path, zc_pack **out) {
    int rc = zc__open(path, ZC_VALIDATE_TOC, out, NULL);
    if (rc != ZC_EXIT_OK) return rc;
    zc_result r = zc_pack_validate(*out, ZC_VALIDATE_TOC);
    if (r == ZC_OK) return ZC_EXIT_OK;
    zc_pack_close(*out);
    *out = NULL;
    zc__fail_on(path, r);
    return zc__exit_for_pack(r);
}

int zc__open_entry(const char *pack_path, const char *path, zc_pack **pack, zc_entry *e) {
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

zc_result zc__raw_entry(zc_pack *pack, const zc_entry *e, zc_entry *raw, zc_hold *hold) {
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

int zc__entry_failed(const char *pack_path, const char *path, zc_result r) {
    if (!zc__cli.errors_logged) zc__error("%s: %s: %s", pack_path, path, zc_result_str(r));
    return zc__exit_for_pack(r);
}

int zc__view_failed(const char *pack_path, const zc_entry *e, zc_result r) {
    const void *data;
    uint64_t size;
    zc_diag diag;
    diag.message[0] = 0;
    if (zc_entry_bytes(e, e->type, &data, &size) == ZC_OK) zc_check_payload(e->type, e->layout_hash, data, size, &diag);
    zc__error("%s: %s: %s%s%s", pack_path, e->path, zc_result_str(r), diag.message[0] ? ": " : "", diag.message);
    return zc__exit_for_pack(r);
}

int zc__compare_entry_paths(const void *x, const void *y) {
    return strcmp(((const zc_entry *)x)->path, ((const zc_entry *)y)->path);
}

zc_entry *zc__entries_sorted(const char *pack_path, const zc_pack *pack, uint32_t *out_count,
                             zc_result *out_result) {
    uint32_t n = zc_pack_entry_count(pack);
    zc_entry *entries = (zc_entry *)malloc(((size_t)n + 1) * sizeof *entries);
    *out_result = ZC_OK;
    if (!entries) {
        zc__error("%s: out of memory listing %u entries", pack_path, n);
        *out_result = ZC_ERR_OUT_OF_MEMORY;
        return NULL;
    }
    for (uint32_t i = 0; i < n; ++i) {
        zc_result r = zc_pack_entry_at(pack, i, &entries[i]);
        if (r != ZC_OK) {
            zc__fail_on(pack_path, r);
            free(entries);
            *out_result = r;
            return NULL;
        }
    }
    if (n > 1) qsort(entries, n, sizeof *entries, zc__compare_entry_paths);
    *out_count = n;
    return entries;
}
