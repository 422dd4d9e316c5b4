/* zc_cmd_watch.c - `zcpack watch <dir> -o <pack>`: build, then build again after
 * every change of the tree (packer/build/zc_watch.h), one line per build. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_cmd_build.h"
#include "zc_watch.h"

static const char zc__watch_help[] =
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
    "  --cache-url <url>     share the cache through an HTTP server (as zcpack build)\n"
    "  --max-memory <size>   bytes the images being decoded may hold at once, with\n"
    "                        an optional K, M, G or T, at least 1M (default: a\n"
    "                        quarter of physical memory); an image needing more\n"
    "                        than all of it fails, the others wait their turn\n"
    "  --debounce <ms>       quiet time before a build, 1 to 60000 (default: 100)\n"
    "  --poll <ms>           interval of the polling scan, 10 to 3600000, or 0 for\n"
    "                        none (default: 1000)\n"
    "  --no-events           no file system events: polling only\n"
    "  --max-rebuilds <n>    stop after <n> builds, the first included (default: run\n"
    "                        until interrupted); the exit code is then the last\n"
    "                        build's\n"
    "  --once                the same as --max-rebuilds 1\n"
    "  --sign <secret-key>   sign every pack written with this key file from zcpack\n"
    "                        keygen, so a game that trusts only its public key (hot\n"
    "                        reload with trusted keys) takes each new generation\n"
    "  -j, --jobs, --keep-going, --no-compress, --max-texture-dimension,\n"
    "  --model-timeout, --no-compress-entries, --level, --min-saving, --dict,\n"
    "  --include-hidden, --follow-links\n"
    "                        as for 'zcpack build'\n"
    "  -q, --quiet           no warnings; errors and the build lines only\n"
    "  -h, --help            show this help\n";

typedef struct zc__watch_values {
    zc_cli_build_values build;  /* the options of `zcpack build` */
    zc_cli_number debounce, poll, max_rebuilds;
    int no_events;
} zc__watch_values;

static const zc_cli_option zc__watch_options[] = {
    ZC_CLI_BUILD_OPTIONS(zc__watch_values, build.),
    ZC_OPT_NUMBER("--debounce", 0, zc__watch_values, debounce, 1, 60000),
    ZC_OPT_NUMBER("--poll", 0, zc__watch_values, poll, 0, 3600000),
    ZC_OPT_FLAG("--no-events", 0, zc__watch_values, no_events),
    ZC_OPT_NUMBER("--max-rebuilds", 0, zc__watch_values, max_rebuilds, 1, UINT32_MAX),
    ZC_OPT_CONSTANT("--once", 0, zc__watch_values, max_rebuilds, 1),
    ZC_OPT_END,
};

static void zc__watch_line(const zc_watch_rebuild *rb, void *user_data) {
    const char *output = (const char *)user_data;
    const zc_build_stats *s = rb->stats;
    if (s->pack_written) {
        uint32_t copied = s->files - s->cache_hits - s->cache_misses;
        printf("zcpack watch: build %u: %u imported, %u from the cache, %u copied; %u entries, %.1f MiB, "
               "%.3f s -> %s%s\n",
               rb->number, s->cache_misses, s->cache_hits, copied, s->entries, zc__mib(s->pack_bytes), rb->seconds,
               output, rb->result == ZC_OK ? "" : s->failed_files ? " (without the files that failed)"
                                                    : " (without the directories that could not be listed)");
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

static int zc__watch_run(const zc_cli_call *call) {
    const zc__watch_values *v = (const zc__watch_values *)call->values;
    const char *dir = call->operands[0];
    if (!dir[0]) return zc__usage_error("watch", "empty input directory name");
    if (v->build.cache_url && zc_build_cache_check_url(v->build.cache_url) != ZC_OK)
        return zc__usage_error("watch", "--cache-url %s: expected an http:// or https:// address", v->build.cache_url);
    char *default_output = v->build.output ? NULL : zc__default_output(dir);
    const char *output = v->build.output ? v->build.output : default_output;
    if (!output) return zc__usage_error("watch", "cannot name the output after '%s': use -o <pack>", dir);
    zc__cli.quiet = v->build.quiet;

    zc_watch_desc wd;
    memset(&wd, 0, sizeof wd);
    zc__build_desc_from(&wd.build, &v->build, dir, output);
    wd.debounce_ms = v->debounce.value;
    wd.poll_ms = v->poll.value;
    wd.no_poll = v->poll.given && v->poll.value == 0;
    wd.no_events = v->no_events;
    wd.max_rebuilds = v->max_rebuilds.value;
    wd.handle_signals = 1;
    wd.on_rebuild = zc__watch_line;
    wd.user_data = (void *)output;
    if (wd.no_poll && wd.no_events) {
        free(default_output);
        return zc__usage_error("watch", "--poll 0 and --no-events leave no way to notice a change");
    }
    if (v->poll.given && v->poll.value && v->poll.value < 10) {
        free(default_output);
        return zc__usage_error("watch", "option '--poll': %u ms is below the minimum of 10", v->poll.value);
    }
    zc_secret_key key;
    int rc = zc__build_read_key(&v->build, &key);
    if (rc >= 0) {
        free(default_output);
        return rc;
    }
    wd.build.sign_key = v->build.sign ? &key : NULL;
    zc_result r = zc_watch_run(&wd);
    if (v->build.sign) zc_secret_key_wipe(&key);
    if (r != ZC_OK) zc__fail_on(dir, r);
    free(default_output);
    return r == ZC_OK ? ZC_EXIT_OK : zc__exit_for_build(r, ZC_BUILD_STAGE_IMPORT);
}

const zc_command zc__cmd_watch = {
    "watch", "watch <dir> -o <pack> [options]", "build, then rebuild on every change", zc__watch_help,
    ZC_EXITS(OK) | ZC_EXITS(INTERNAL) | ZC_EXITS(USAGE) | ZC_EXITS(IO) | ZC_EXITS(IMPORT) | ZC_EXITS(SIGNATURE),
    zc__watch_options, sizeof(zc__watch_values), 1, "input directory", zc__watch_run,
};
