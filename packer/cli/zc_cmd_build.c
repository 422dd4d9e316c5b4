/* zc_cmd_build.c - `zcpack build <dir>`: pack a directory, with the progress bar and
 * the summary line. Also the build description, default output and exit codes that
 * `zcpack watch` shares (zc_cmd_build.h). */
#define _DEFAULT_SOURCE /* realpath */
#include "zc_cmd_build.h"
#include "zc_ignore.h"
#include "zc_importer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>
#include "zc_packer_os.h"

static const char zc__build_help[] =
    "Usage: zcpack build <dir> [-o <pack>] [options]\n"
    "\n"
    "Pack every regular file under <dir> (recursively) into one pack. Entry paths are\n"
    "the paths relative to <dir> with '/' separators, in bytewise order; the same tree\n"
    "gives a byte-identical pack, whatever the number of threads. Images (png, jpg,\n"
    "jpeg, tga, bmp, psd, gif, hdr, exr, webp, dds, pcx, sgi, tif; rgb when SGI)\n"
    "become textures with mip chains, block-compressed by default. 3D models (gltf,\n"
    "glb, obj, fbx, dae, ply, stl, 3ds, md2, md3, md5mesh, ac and more) become a\n"
    "scene entry <file> plus <file>#mesh/<i>, <file>#material/<m> and\n"
    "<file>#texture/<t>; each model is imported in a separate process, so a crash\n"
    "or hang of the importer fails that file only. Other files are stored as they\n"
    "are.\n"
    "<dir>/zcpack.json, when present, sets import options per glob, and can leave\n"
    "files out (\"exclude\": true) or pack them as their bytes (\"importer\": \"blob\");\n"
    "<dir>/.zcpackignore lists files and folders to leave out, in gitignore syntax.\n"
    "Neither file is packed. Hidden and system files and folders (names starting\n"
    "with '.', such as .git, .DS_Store and macOS's ._ files; __MACOSX; Thumbs.db,\n"
    "desktop.ini) are left out unless --include-hidden is given. Symbolic links\n"
    "(unless --follow-links) and special files are skipped with a warning. The pack\n"
    "is written to a temporary file, verified, and renamed over <pack>: on any\n"
    "error <pack> is left as it was.\n"
    "\n"
    "Options:\n"
    "  -o, --output <pack>   pack to write (default: <name of dir>.zcpack in the\n"
    "                        current directory)\n"
    "  -j, --jobs <n>        import threads, the writing one included, 1 to 1024\n"
    "                        (default: UV_THREADPOOL_SIZE when set, else the\n"
    "                        number of processors)\n"
    "  --keep-going          when files fail to import or directories cannot be\n"
    "                        listed, still write the pack without them (the exit\n"
    "                        code is 6, or 3 for directories, all the same)\n"
    "  --no-compress         RGBA8 textures instead of BC1/BC3/BC4/BC5\n"
    "  --level <n>           zstd level of compressed entries, 1 to 22 (default: 6,\n"
    "                        and 3 for entries above 8 MiB)\n"
    "  --min-saving <pct>    store an entry compressed only when that saves at least\n"
    "                        <pct> percent of its bytes, 1 to 99 (default: 5)\n"
    "  --no-compress-entries store every entry uncompressed\n"
    "  --dict                train a zstd dictionary per type over its small entries\n"
    "                        (16 or more under 16 KiB) and keep it when it pays off\n"
    "  --include-hidden      pack hidden and system files and folders too\n"
    "  --follow-links        pack a symbolic link to a file under its own path with\n"
    "                        the file's bytes, and walk a link to a folder as that\n"
    "                        folder; links that lead nowhere, or to a folder that\n"
    "                        contains them, are skipped with a warning\n"
    "  --max-texture-dimension <n>\n"
    "                        refuse images wider or taller than <n> texels before\n"
    "                        decoding them, 1 to 65536 (default: 16384)\n"
    "  --base <pack>         write a patch pack for <pack> instead of a full pack:\n"
    "                        only the entries that are new or changed, and a\n"
    "                        whiteout for each path <dir> no longer has (see below)\n"
    "  --sign <secret-key>   sign the pack with this key file from zcpack keygen\n"
    "                        (a 256-byte header holds the signature; see zcpack sign)\n"
    "  --model-timeout <s>   stop a model import after <s> seconds and fail that\n"
    "                        file, 1 to 86400 (default: 60)\n"
    "  --cache <dir>         keep each texture's and model's import in a build cache\n"
    "                        in <dir> and reuse it while the file, its settings and\n"
    "                        the packer stay the same (default: no cache)\n"
    "  --cache-max <MiB>     size bound of the cache, 1 to 1048576 (default: 2048)\n"
    "  --cache-url <url>     share the build cache through an HTTP server that\n"
    "                        stores what is PUT (e.g. nginx with WebDAV): imports\n"
    "                        missing locally are fetched from it, new ones sent to\n"
    "                        it; a server that is down or broken costs imports,\n"
    "                        never the build (default: none; the cache directory\n"
    "                        is then <pack>.cache unless --cache says)\n"
    "  --max-memory <size>   bytes the images being decoded may hold at once, with\n"
    "                        an optional K, M, G or T, at least 1M (default: a\n"
    "                        quarter of physical memory); an image needing more\n"
    "                        than all of it fails, the others wait their turn\n"
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
    "printed on stdout at the end.\n";

static const zc_cli_option zc__build_options[] = {
    ZC_CLI_BUILD_OPTIONS(zc_cli_build_values, ),
    ZC_OPT_STRING("--base", 0, zc_cli_build_values, base, "a pack file name", "base pack file name"),
    ZC_OPT_END,
};

int zc__exit_for_build(zc_result r, zc_build_stage stage) {
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

/* Exit code of a failed build: every failed import is exit 6, whatever its cause. */
static int zc__build_exit(zc_result r, const zc_build_stats *stats) {
    if (stats->failed_files && stats->failed_stage == ZC_BUILD_STAGE_IMPORT) return ZC_EXIT_IMPORT;
    return zc__exit_for_build(r, stats->failed_stage);
}

char *zc__default_output(const char *dir) {
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
    if (!threads && env && zc_cli_parse_number(env, 1, 1024, &threads)) return threads;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n < 1 ? 1 : n > 1024 ? 1024 : (uint32_t)n;
    }
    char text[16];
    snprintf(text, sizeof text, "%u", threads);
    setenv("UV_THREADPOOL_SIZE", text, 1);
    return threads;
}

int zc__build_read_key(const zc_cli_build_values *v, zc_secret_key *key) {
    if (!v->sign) return -1;
    zc_result r = zc_secret_key_read(v->sign, key, (zc_logger){ zc__cli_log, NULL });
    if (r == ZC_OK) return -1;
    return r == ZC_ERR_IO ? ZC_EXIT_IO : ZC_EXIT_SIGNATURE;
}

void zc__build_desc_from(zc_build_desc *desc, const zc_cli_build_values *v, const char *dir, const char *output) {
    memset(desc, 0, sizeof *desc);
    desc->input_dir = dir;
    desc->output_path = output;
    desc->logger.func = zc__cli_log;
    desc->threads = zc__build_threads(v->jobs.value);
    desc->keep_going = v->keep_going;
    desc->no_compress = v->no_compress;
    desc->max_texture_dimension = v->max_dimension.value;
    desc->model_timeout_ms = v->model_timeout.value * 1000u;
    desc->cache_dir = v->cache;
    desc->cache_url = v->cache_url;
    desc->cache_max_bytes = (uint64_t)v->cache_max.value << 20;
    desc->no_entry_compression = v->no_entry_compression;
    desc->compress_level = (int)v->level.value;
    desc->min_saving_percent = v->min_saving.value;
    desc->dictionaries = v->dict;
    desc->max_memory = v->max_memory.value;
    desc->include_hidden = v->include_hidden;
    desc->follow_links = v->follow_links;
}

/* ---------------------------------------------------------------------------------
 * Progress bar and summary
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

/* "7 textures, 4 models": the files written by each labelled importer row; rows past
 * the first two labelled ones (textures and models) only when they wrote files. */
static const char *zc__imported_summary(const zc_build_stats *stats, char *buf, size_t size) {
    size_t used = 0, labelled = 0;
    buf[0] = 0;
    for (size_t i = 0; i < zc_importer_count() && i < ZC_IMPORTER_MAX && used < size; ++i) {
        const zc_importer *imp = zc_importer_at(i);
        if (!imp->label) continue;
        if (labelled++ >= 2 && stats->imported[i] == 0) continue;
        size_t len = strlen(imp->label); /* a plural noun: "1 model", "2 models" */
        if (stats->imported[i] == 1 && len > 1 && imp->label[len - 1] == 's') len--;
        int n = snprintf(buf + used, size - used, "%s%u %.*s", used ? ", " : "", stats->imported[i], (int)len,
                         imp->label);
        if (n > 0) used += (size_t)n;
    }
    return buf;
}

/* The summary lines on stdout after a build that wrote its pack. */
static void zc__build_summary(const zc_cli_build_values *v, const char *output, const zc_build_stats *stats,
                              double seconds) {
    if (!stats->pack_written || v->quiet) return;
    char imported[160];
    if (v->base)
        printf("%s: patch for %s: %u added, %u changed, %u removed, %u unchanged; %u entries, %llu bytes "
               "(%.1f MiB) in %.2f s\n",
               output, v->base, stats->patch_added, stats->patch_changed, stats->patch_removed,
               stats->patch_unchanged, stats->entries, (unsigned long long)stats->pack_bytes,
               zc__mib(stats->pack_bytes), seconds);
    else
        printf("%s: %u entries (%s), %u unique payloads, %llu bytes (%.1f MiB) from %llu "
               "input bytes in %.2f s\n",
               output, stats->entries, zc__imported_summary(stats, imported, sizeof imported), stats->unique_payloads,
               (unsigned long long)stats->pack_bytes, zc__mib(stats->pack_bytes),
               (unsigned long long)stats->input_bytes, seconds);
    if (stats->twins_reused)
        printf("%s: %u texture%s copied from files with the same bytes instead of decoded again\n", output, stats->twins_reused,
               stats->twins_reused == 1 ? "" : "s");
    if (stats->excluded)
        printf("%s: %u files and folders left out by %s and \"exclude\" rules\n", output, stats->excluded,
               ZC_IGNORE_NAME);
    if (stats->hidden)
        printf("%s: %u hidden and system files and folders left out (.git, .DS_Store, __MACOSX, ...; "
               "--include-hidden packs them)\n",
               output, stats->hidden);
    if (stats->links_skipped)
        printf("%s: %u symbolic link%s skipped (--follow-links packs what they lead to)\n", output,
               stats->links_skipped, stats->links_skipped == 1 ? "" : "s");
    if (v->cache_url)
        printf("%s: build cache %s%s: %u files from the cache (%u from %s), %u imported (%u sent)\n", output,
               v->cache ? v->cache : output, v->cache ? "" : ".cache", stats->cache_hits, stats->cache_fetched, v->cache_url,
               stats->cache_misses, stats->cache_sent);
    else if (v->cache)
        printf("%s: build cache %s: %u files from the cache, %u imported\n", output, v->cache, stats->cache_hits,
               stats->cache_misses);
}

/* ---------------------------------------------------------------------------------
 * build
 * ------------------------------------------------------------------------------- */

/* build --base: the base must open as a pack before anything is built, so a missing
 * or corrupt base gets the exit code of a pack error (3 or 4). -1 when usable. */
static int zc__check_base(const zc_cli_build_values *v, const char *output) {
    if (!v->base) return -1;
    if (v->keep_going) return zc__usage_error("build", "--keep-going cannot be combined with --base");
    struct stat base_st, out_st;
    if (stat(v->base, &base_st) == 0 && stat(output, &out_st) == 0 && base_st.st_dev == out_st.st_dev &&
        base_st.st_ino == out_st.st_ino)
        return zc__usage_error("build", "the output %s is the base pack; choose another output with -o", output);
    zc_pack *base = NULL;
    int rc = zc__open(v->base, ZC_VALIDATE_TOC, &base, NULL);
    zc_pack_close(base);
    return rc == ZC_EXIT_OK ? -1 : rc;
}

static int zc__build_run(const zc_cli_call *call) {
    const zc_cli_build_values *v = (const zc_cli_build_values *)call->values;
    const char *dir = call->operands[0];
    if (!dir[0]) return zc__usage_error("build", "empty input directory name");
    if (v->cache_url && zc_build_cache_check_url(v->cache_url) != ZC_OK)
        return zc__usage_error("build", "--cache-url %s: expected an http:// or https:// address", v->cache_url);
    char *default_output = NULL;
    const char *output = v->output;
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
    zc_result r;
    int rc = zc__check_base(v, output);
    if (rc >= 0) {
        free(default_output);
        return rc;
    }
    zc_secret_key key;
    if ((rc = zc__build_read_key(v, &key)) >= 0) {
        free(default_output);
        return rc;
    }
    zc__cli.quiet = v->quiet;

    zc__progress_state progress = { !v->quiet && isatty(STDERR_FILENO), 0.0 };
    zc_build_desc desc;
    zc__build_desc_from(&desc, v, dir, output);
    desc.progress = zc__progress;
    desc.progress_user_data = &progress;
    desc.base_path = v->base;
    desc.sign_key = v->sign ? &key : NULL;
    zc_build_stats stats;
    double start = zc__now();
    r = zc_build(&desc, &stats);
    if (v->sign) zc_secret_key_wipe(&key);
    double seconds = zc__now() - start;
    zc__erase_progress();
    if (r != ZC_OK) zc__fail_on(dir, r);
    if (r != ZC_OK && !v->quiet && !v->keep_going && !v->base && stats.failed_files &&
        stats.failed_stage == ZC_BUILD_STAGE_IMPORT)
        fprintf(stderr, "zcpack: --keep-going writes the pack without the file%s that failed\n",
                stats.failed_files == 1 ? "" : "s");
    zc__build_summary(v, output, &stats, seconds);
    free(default_output);
    return r == ZC_OK ? ZC_EXIT_OK : zc__build_exit(r, &stats);
}

const zc_command zc__cmd_build = {
    "build", "build <dir> [-o <pack>] [options]", "pack every regular file under <dir>", zc__build_help,
    ZC_EXITS(OK) | ZC_EXITS(INTERNAL) | ZC_EXITS(USAGE) | ZC_EXITS(IO) | ZC_EXITS(CORRUPT) | ZC_EXITS(IMPORT) |
    ZC_EXITS(SIGNATURE),
    zc__build_options, sizeof(zc_cli_build_values), 1, "input directory", zc__build_run,
};
