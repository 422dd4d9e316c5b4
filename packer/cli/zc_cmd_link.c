/* zc_cmd_link.c - `zcpack link <objects... | @listfile> -o <pack>`: the link step of
 * a distributed build (zc_link.h, zc_link). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_cmd_build.h"
#include "zc_link.h"
#include "zc_packer_os.h"

static const char zc__link_help[] =
    "Usage: zcpack link <object>... -o <pack> [options]\n"
    "       zcpack link @<listfile> -o <pack> [options]\n"
    "\n"
    "Write a pack from objects made by `zcpack import`. The objects may come in any\n"
    "order: they are sorted by their files' entry paths, as build sorts files, and\n"
    "their entries are copied as they are stored (nothing is compressed again), so\n"
    "importing every file of a tree and linking the objects gives the very bytes\n"
    "`zcpack build` writes for it. An operand @<listfile> names a file holding object\n"
    "paths, one per line. Every object is checked as untrusted input first (sizes,\n"
    "paths, checksum, and its entries as a pack reader checks them); a damaged\n"
    "object, two objects of one file or one entry path in two objects fail the link\n"
    "with a message naming the objects, and <pack> is left as it was. The pack is\n"
    "written to a temporary file, verified, and renamed over <pack>.\n"
    "\n"
    "With --max-pack-size or --chunk the output is a pack set: member packs\n"
    "<stem>-<chunk>-<n>.zcpack beside <pack>, and <pack> an index naming them with\n"
    "their sizes and checksums (zcpack info shows them; the runtime opens the set\n"
    "with zc_pack_set_open). Entries go in path order to the chunk of the first\n"
    "--chunk rule whose glob matches their path (else to the chunk \"main\"); a new\n"
    "member starts when the next entry would take one past the size limit, and an\n"
    "entry larger than the limit gets a member of its own.\n"
    "\n"
    "Options:\n"
    "  -o, --output <pack>   pack to write (required); the index of a pack set\n"
    "  --max-pack-size <size>  bytes a member pack may take: digits with an optional\n"
    "                        K, M, G or T (powers of 1024), at least 4K\n"
    "  --chunk <glob>=<name> entries matching <glob> (as zcpack.json globs: '*' also\n"
    "                        matches '/') go to the chunk <name> (letters, digits, '_',\n"
    "                        '-'); repeatable, up to 16, the first match wins\n"
    "  --sign <secret-key>   sign the pack with this key file from zcpack keygen\n"
    "  -q, --quiet           no warnings or summary; errors only\n"
    "  -h, --help            show this help\n";

typedef struct zc__link_values {
    zc_cli_build_values build;  /* output, quiet, sign */
    zc_cli_size max_pack_size;
    zc_cli_list chunks;         /* "<glob>=<name>" */
} zc__link_values;

static const zc_cli_option zc__link_options[] = {
    ZC_OPT_STRING("--output", 'o', zc__link_values, build.output, "a file name", "output file name"),
    ZC_OPT_FLAG("--quiet", 'q', zc__link_values, build.quiet),
    ZC_OPT_STRING("--sign", 0, zc__link_values, build.sign, "a secret key file name", "secret key file name"),
    ZC_OPT_SIZE("--max-pack-size", 0, zc__link_values, max_pack_size, 0),
    ZC_OPT_LIST("--chunk", 0, zc__link_values, chunks, "a chunk rule <glob>=<name>", "chunk rule"),
    ZC_OPT_END,
};

/* The object paths of the operands, @listfiles read (their lines owned by *owned). */
typedef struct zc__object_list {
    const char **paths;
    size_t count, cap;
    char **owned;
    size_t owned_count;
} zc__object_list;

static int zc__list_add(zc__object_list *l, const char *path) {
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        const char **grown = (const char **)realloc(l->paths, cap * sizeof *grown);
        if (!grown) return 0;
        l->paths = grown;
        l->cap = cap;
    }
    l->paths[l->count++] = path;
    return 1;
}

/* Every non-empty line of `listfile` into the list. An exit code, -1 when read. */
static int zc__list_read(zc__object_list *l, const char *listfile) {
    FILE *f = fopen(listfile, "r");
    if (!f) {
        zc__error("%s: cannot open the list of objects: %s", listfile, strerror(errno));
        return ZC_EXIT_IO;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = -1;
    while (rc < 0 && (n = getline(&line, &cap, f)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        if (n == 0) continue;
        char **owned = (char **)realloc(l->owned, (l->owned_count + 1) * sizeof *owned);
        char *copy = strdup(line);
        if (owned) l->owned = owned;
        if (!owned || !copy || !zc__list_add(l, copy)) {
            free(copy);
            zc__error("%s: out of memory", listfile);
            rc = ZC_EXIT_INTERNAL;
            break;
        }
        l->owned[l->owned_count++] = copy;
    }
    if (rc < 0 && ferror(f)) {
        zc__error("%s: cannot read the list of objects: %s", listfile, strerror(errno));
        rc = ZC_EXIT_IO;
    }
    free(line);
    fclose(f);
    return rc;
}

static void zc__list_free(zc__object_list *l) {
    for (size_t i = 0; i < l->owned_count; ++i) free(l->owned[i]);
    free(l->owned);
    free(l->paths);
}

/* 1 when the link writes a pack set. */
static int zc__link_set_asked(const zc_link_desc *desc) {
    return desc->max_pack_size != 0 || desc->chunk_count != 0;
}

/* The --chunk options as rules, split at their last '=': each glob a copy in
 * globs[i] (free them with zc__chunks_free), each name pointing into argv. An exit
 * code, -1 when parsed. */
static int zc__chunks_parse(const zc_cli_list *list, zc_link_chunk *rules, char **globs) {
    for (int i = 0; i < list->count; ++i) {
        const char *eq = strrchr(list->items[i], '=');
        if (!eq || eq == list->items[i] || !eq[1])
            return zc__usage_error("link", "--chunk %s: expected <glob>=<name>", list->items[i]);
        if (!(globs[i] = strndup(list->items[i], (size_t)(eq - list->items[i])))) return ZC_EXIT_INTERNAL;
        rules[i].match = globs[i];
        rules[i].name = eq + 1;
    }
    return -1;
}

static void zc__chunks_free(char **globs) {
    for (int i = 0; i < ZC_CLI_MAX_LIST; ++i) free(globs[i]);
}

static int zc__link_run(const zc_cli_call *call) {
    const zc__link_values *v = (const zc__link_values *)call->values;
    if (!v->build.output) return zc__usage_error("link", "missing -o <pack>");
    if (v->max_pack_size.given && v->max_pack_size.value < ZC_LINK_MIN_PACK_SIZE)
        return zc__usage_error("link", "--max-pack-size must be at least 4K");
    zc_link_chunk rules[ZC_CLI_MAX_LIST];
    char *globs[ZC_CLI_MAX_LIST] = { 0 };
    int prc = zc__chunks_parse(&v->chunks, rules, globs);
    if (prc >= 0) {
        zc__chunks_free(globs);
        return prc;
    }
    zc__object_list list;
    memset(&list, 0, sizeof list);
    int rc = -1;
    for (int i = 0; i < call->operand_count && rc < 0; ++i) {
        const char *op = call->operands[i];
        if (!op[0] || (op[0] == '@' && !op[1]))
            rc = zc__usage_error("link", "empty %s name", op[0] ? "list file" : "object file");
        else if (op[0] == '@')
            rc = zc__list_read(&list, op + 1);
        else if (!zc__list_add(&list, op))
            rc = ZC_EXIT_INTERNAL;
    }
    zc_secret_key key;
    if (rc < 0) rc = zc__build_read_key(&v->build, &key);
    if (rc >= 0) {
        zc__list_free(&list);
        zc__chunks_free(globs);
        return rc;
    }
    zc__cli.quiet = v->build.quiet;
    zc_link_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.objects = list.paths;
    desc.object_count = (uint32_t)list.count;
    desc.output_path = v->build.output;
    desc.logger.func = zc__cli_log;
    desc.sign_key = v->build.sign ? &key : NULL;
    desc.max_pack_size = v->max_pack_size.value;
    desc.chunks = rules;
    desc.chunk_count = (uint32_t)v->chunks.count;
    zc_link_stats stats;
    double start = zc__now();
    zc_result r = zc_link(&desc, &stats);
    if (v->build.sign) zc_secret_key_wipe(&key);
    zc__list_free(&list);
    zc__chunks_free(globs);
    if (r != ZC_OK) {
        zc__fail_on(v->build.output, r);
        switch (r) {
        case ZC_ERR_IO:
        case ZC_ERR_FILE_NOT_FOUND: return ZC_EXIT_IO;
        case ZC_ERR_OUT_OF_MEMORY: return ZC_EXIT_INTERNAL;
        case ZC_ERR_INVALID_ARGUMENT: return ZC_EXIT_USAGE;
        default: return ZC_EXIT_CORRUPT;
        }
    }
    if (!v->build.quiet && zc__link_set_asked(&desc))
        printf("%s: %u entries from %u objects in %u packs and this index, %llu bytes (%.1f MiB) in %.2f s\n",
               v->build.output, stats.entries, stats.objects, stats.packs, (unsigned long long)stats.pack_bytes,
               zc__mib(stats.pack_bytes), zc__now() - start);
    else if (!v->build.quiet)
        printf("%s: %u entries from %u objects, %llu bytes (%.1f MiB) in %.2f s\n", v->build.output, stats.entries,
               stats.objects, (unsigned long long)stats.pack_bytes, zc__mib(stats.pack_bytes), zc__now() - start);
    return ZC_EXIT_OK;
}

const zc_command zc__cmd_link = {
    "link", "link <object>... | @<list> -o <pack>", "write a pack from objects of import", zc__link_help,
    ZC_EXITS(OK) | ZC_EXITS(INTERNAL) | ZC_EXITS(USAGE) | ZC_EXITS(IO) | ZC_EXITS(CORRUPT) | ZC_EXITS(SIGNATURE),
    zc__link_options, sizeof(zc__link_values), ZC_CLI_VARIADIC, "object files", zc__link_run,
};
