/* zc_cmd_import.c - `zcpack import <file> --root <dir> -o <object>`: the import step
 * of a distributed build (zc_link.h, zc_object_import); `--deps` prints the files the
 * import reads besides the source. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_cli_stage.h"
#include "zc_cmd_build.h"
#include "zc_link.h"

static const char zc__import_help[] =
    "Usage: zcpack import <file> --root <dir> [--manifest <zcpack.json>] -o <object> [options]\n"
    "       zcpack import --deps <file> --root <dir> [--manifest <zcpack.json>] [options]\n"
    "       zcpack import <entry path> --stage <list> -o <object> [options]\n"
    "\n"
    "Import one file of the asset tree <dir> into an object: its entries exactly as\n"
    "`zcpack build <dir>` stores them (the same importer, settings and compression),\n"
    "ready for `zcpack link`. The entry path is the file's path relative to <dir>.\n"
    "The object depends only on the file, the files its import reads, the manifest\n"
    "rules that match it and the version of zcpack: the same inputs give the same\n"
    "bytes, wherever the tree lies. It is written to a temporary file beside <object>\n"
    "and renamed over it. The importer's warnings go to stderr.\n"
    "\n"
    "With --deps, print the files the import reads besides <file>, one path relative\n"
    "to <dir> per line: for a model, the files its importer opened and the images its\n"
    "materials name; for a texture layer list, its layers; for the first file of a\n"
    "texture group (a cube map's +X face, an array folder's first file), the group's\n"
    "other files; for a later file of a group, the first one (its import looks for it\n"
    "and then gives no entries); nothing for other images and files. With -o as well,\n"
    "the object is written too.\n"
    "\n"
    "With --stage, the tree is made of the files <list> names and nothing else, as a\n"
    "build engine declares an action's inputs: one line per file, \"<entry path>\",\n"
    "a tab, then the file (a regular file or a link to one); \"zcpack.json\" is the\n"
    "manifest. They are linked (or copied) into a new folder beside <object>, the\n"
    "file at <entry path> is imported from there, and the folder is removed. The\n"
    "object is the one the same files give in a tree on disk.\n"
    "\n"
    "Options:\n"
    "  -o, --output <object> object to write\n"
    "  --root <dir>          the asset tree <file> belongs to (required without\n"
    "                        --stage)\n"
    "  --stage <list>        import from a tree of the files <list> names (above)\n"
    "  --manifest <file>     manifest to apply (default: <dir>/zcpack.json when it\n"
    "                        exists)\n"
    "  --deps                print the files the import reads (see above)\n"
    "  --no-compress, --level <n>, --min-saving <pct>, --no-compress-entries,\n"
    "  --max-texture-dimension <n>, --model-timeout <s>, --max-memory <size>,\n"
    "  --include-hidden\n"
    "                        as for zcpack build; give link's objects the options the\n"
    "                        build would have had\n"
    "  -q, --quiet           no warnings; errors only\n"
    "  -h, --help            show this help\n";

typedef struct zc__import_values {
    zc_cli_build_values build;  /* the build options import shares */
    const char *root, *manifest, *stage;
    int deps;
} zc__import_values;

static const zc_cli_option zc__import_options[] = {
    ZC_OPT_STRING("--output", 'o', zc__import_values, build.output, "a file name", "output file name"),
    ZC_OPT_FLAG("--quiet", 'q', zc__import_values, build.quiet),
    ZC_OPT_FLAG("--no-compress", 0, zc__import_values, build.no_compress),
    ZC_OPT_FLAG("--no-compress-entries", 0, zc__import_values, build.no_entry_compression),
    ZC_OPT_FLAG("--include-hidden", 0, zc__import_values, build.include_hidden),
    ZC_OPT_NUMBER("--max-texture-dimension", 0, zc__import_values, build.max_dimension, 1, ZC_TEXTURE_MAX_EXTENT),
    ZC_OPT_NUMBER("--model-timeout", 0, zc__import_values, build.model_timeout, 1, 86400),
    ZC_OPT_NUMBER("--level", 0, zc__import_values, build.level, 1, ZC_WRITER_MAX_LEVEL),
    ZC_OPT_NUMBER("--min-saving", 0, zc__import_values, build.min_saving, 1, 99),
    ZC_OPT_SIZE("--max-memory", 0, zc__import_values, build.max_memory, 1),
    ZC_OPT_STRING("--root", 0, zc__import_values, root, "a directory name", "root directory name"),
    ZC_OPT_STRING("--manifest", 0, zc__import_values, manifest, "a file name", "manifest file name"),
    ZC_OPT_FLAG("--deps", 0, zc__import_values, deps),
    ZC_OPT_STRING("--stage", 0, zc__import_values, stage, "a file name", "stage list file name"),
    ZC_OPT_END,
};

/* The import of `file` below `root`, as the options say. */
static int zc__import_from(const zc__import_values *v, const char *file, const char *root) {
    zc_build_desc bd; /* the build options, resolved as build resolves them */
    zc__build_desc_from(&bd, &v->build, root, v->build.output);
    zc_object_import_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.file = file;
    desc.root = root;
    desc.manifest = v->manifest;
    desc.output = v->build.output;
    desc.logger = bd.logger;
    desc.no_compress = bd.no_compress;
    desc.max_texture_dimension = bd.max_texture_dimension;
    desc.model_timeout_ms = bd.model_timeout_ms;
    desc.no_entry_compression = bd.no_entry_compression;
    desc.compress_level = bd.compress_level;
    desc.min_saving_percent = bd.min_saving_percent;
    desc.max_memory = bd.max_memory;
    desc.include_hidden = bd.include_hidden;
    zc_object_import_info info;
    zc_result r = zc_object_import(&desc, &info);
    if (r != ZC_OK) {
        zc__fail_on(file, r);
        return zc__exit_for_build(r, ZC_BUILD_STAGE_IMPORT);
    }
    if (v->deps && info.reads) fputs(info.reads, stdout);
    zc_object_import_info_free(&info);
    return ZC_EXIT_OK;
}

static int zc__import_run(const zc_cli_call *call) {
    const zc__import_values *v = (const zc__import_values *)call->values;
    const char *file = call->operands[0];
    if (!file[0]) return zc__usage_error("import", "empty file name");
    if (v->stage && v->root) return zc__usage_error("import", "--stage and --root cannot be combined (the staged files are the tree)");
    if (!v->root && !v->stage) return zc__usage_error("import", "missing --root <dir> (or --stage <list>)");
    if (v->stage && !v->build.output) return zc__usage_error("import", "--stage needs -o <object> (its folder is made beside it)");
    if (!v->build.output && !v->deps) return zc__usage_error("import", "missing -o <object> (or --deps)");
    zc__cli.quiet = v->build.quiet;
    if (!v->stage) return zc__import_from(v, file, v->root);
    zc_cli_stage stage;
    char err[1024];
    if (zc__stage_create(v->stage, v->build.output, &stage, err, sizeof err) != 0) {
        zc__error("%s", err);
        return ZC_EXIT_IO;
    }
    size_t n = strlen(stage.root);
    char *path = (char *)malloc(n + 1 + strlen(file) + 1);
    int code = ZC_EXIT_INTERNAL;
    if (path) {
        sprintf(path, "%s/%s", stage.root, file);
        code = zc__import_from(v, path, stage.root);
        free(path);
    } else {
        zc__error("out of memory");
    }
    zc__stage_remove(&stage);
    return code;
}

const zc_command zc__cmd_import = {
    "import", "import <file> --root <dir> -o <object>", "import one file into an object for link",
    zc__import_help, ZC_EXITS(OK) | ZC_EXITS(INTERNAL) | ZC_EXITS(USAGE) | ZC_EXITS(IO) | ZC_EXITS(IMPORT),
    zc__import_options, sizeof(zc__import_values), 1, "file to import", zc__import_run,
};
