/* zc_cmd_extract.c - `zcpack extract <pack> <path> -o <file>`: an entry to a file,
 * a texture level as a PNG. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zc_cli.h"
#include "zc_import_texture.h"
#include "zc_texture_export.h"
#include "zc_texture_pixels.h"

static const char zc__extract_help[] =
    "Usage: zcpack extract <pack> <path> -o <file> [--format png|ktx2|dds]\n"
    "                      [--level <n>] [--layer <n>]\n"
    "\n"
    "Write entry <path> to <file>, replacing it atomically. A texture becomes a KTX2 or\n"
    "DDS file with --format ktx2 or dds (or an output name ending in .ktx2 or .dds):\n"
    "every level and layer, the pixel format unchanged (block-compressed data stays\n"
    "compressed). Otherwise one texture level becomes an\n"
    "RGBA PNG: block-compressed levels are decoded, sRGB and UNORM bytes are written as\n"
    "they are, R8 and BC4 as grey, RG8 and BC5 as red and green with blue 0, float\n"
    "levels clamped to [0, 1] and encoded linear to sRGB; the depth slices of a 3D\n"
    "level are stacked vertically. Any other entry is written as its raw bytes (decoded\n"
    "when it is stored compressed).\n"
    "\n"
    "Options:\n"
    "  -o, --output <file>  file to write (required)\n"
    "  --format <f>         png, ktx2 or dds, for textures (default: from the output\n"
    "                       name's extension, else png)\n"
    "  --level <n>          mip level of a texture (default: 0)\n"
    "  --layer <n>          array layer of a texture (default: 0)\n"
    "  -h, --help           show this help\n";

typedef struct zc__extract_values {
    const char *output;
    const char *format;
    zc_cli_number level, layer;
} zc__extract_values;

static const zc_cli_option zc__extract_options[] = {
    ZC_OPT_STRING("--output", 'o', zc__extract_values, output, "a file name", "output file name"),
    ZC_OPT_STRING("--format", 0, zc__extract_values, format, "png, ktx2 or dds", "file format"),
    ZC_OPT_NUMBER("--level", 0, zc__extract_values, level, 0, ZC_TEXTURE_MAX_MIPS - 1),
    ZC_OPT_NUMBER("--layer", 0, zc__extract_values, layer, 0, ZC_TEXTURE_MAX_LAYERS - 1),
    ZC_OPT_END,
};

/* One texture level as a PNG at `output`. */
static int zc__extract_texture(const char *pack_path, const zc_entry *e, const zc__extract_values *a, const char *output) {
    zc_texture_view view;
    zc_result viewed = zc_texture_view_from_entry(e, &view);
    if (viewed != ZC_OK) return zc__view_failed(pack_path, e, viewed);
    zc_texture_level_view lv;
    if (zc_texture_view_level(&view, a->level.value, a->layer.value, &lv) != ZC_OK) {
        zc__error("%s: %s: no level %u of layer %u (levels: %u, layers: %u)", pack_path, e->path, a->level.value, a->layer.value,
                  view.mip_count, view.layers);
        return ZC_EXIT_NO_ENTRY;
    }
    uint8_t *png = NULL;
    size_t png_size = 0;
    zc_result r = zc__texture_level_png(&view, a->level.value, a->layer.value, 0, &png, &png_size);
    if (r == ZC_ERR_LIMIT) {
        zc__error("%s: %s: level of %ux%ux%u is too large for a PNG", pack_path, e->path, lv.width, lv.height, lv.depth);
        return ZC_EXIT_INTERNAL;
    }
    int rc = ZC_EXIT_OK;
    if (r != ZC_OK)
        zc__error("%s: %s: cannot make a PNG of level %u: %s", pack_path, e->path, a->level.value, zc_result_str(r));
    else
        rc = zc__write_atomic("extract", output, png, png_size);
    free(png);
    return r != ZC_OK ? ZC_EXIT_INTERNAL : rc;
}

/* The container --format or the output's extension asks for: 0 for PNG, -1 when
 * --format names none (reported). */
static int zc__container_of(const zc__extract_values *v) {
    const char *f = v->format;
    if (!f) {
        const char *dot = strrchr(v->output, '.');
        f = dot && !strchr(dot, '/') ? dot + 1 : "png";
        if (strcasecmp(f, "ktx2") && strcasecmp(f, "dds")) f = "png";
    }
    if (!strcasecmp(f, "png")) return 0;
    if (!strcasecmp(f, "ktx2")) return ZC_TEXTURE_KTX2;
    if (!strcasecmp(f, "dds")) return ZC_TEXTURE_DDS;
    zc__usage_error("extract", "--format %s: expected png, ktx2 or dds", f);
    return -1;
}

/* The whole texture as a KTX2 or DDS file at `output`. */
static int zc__extract_container(const char *pack_path, const zc_entry *e, zc_texture_container kind,
                                 const char *output) {
    zc_texture_view view;
    zc_result r = zc_texture_view_from_entry(e, &view);
    if (r != ZC_OK) return zc__view_failed(pack_path, e, r);
    uint8_t *file = NULL;
    size_t size = 0;
    zc_diag diag = { "" };
    if ((r = zc_texture_export(&view, kind, &file, &size, &diag)) != ZC_OK) {
        zc__error("%s: %s: cannot write it as %s: %s", pack_path, e->path, kind == ZC_TEXTURE_KTX2 ? "KTX2" : "DDS",
                  diag.message);
        return ZC_EXIT_INTERNAL;
    }
    int rc = zc__write_atomic("extract", output, file, size);
    free(file);
    return rc;
}

static int zc__extract_run(const zc_cli_call *call) {
    const zc__extract_values *v = (const zc__extract_values *)call->values;
    const char *pack_path = call->operands[0];
    if (!v->output) return zc__usage_error("extract", "missing -o <file>");
    int container = zc__container_of(v);
    if (container < 0) return ZC_EXIT_USAGE;
    zc_pack *pack;
    zc_entry found, e;
    zc_hold hold;
    int rc = zc__open_entry(pack_path, call->operands[1], &pack, &found);
    if (rc != ZC_EXIT_OK) return rc;
    zc_result held = zc__raw_entry(pack, &found, &e, &hold);
    if (held != ZC_OK) {
        rc = zc__entry_failed(pack_path, found.path, held);
    } else if (e.type == ZC_TYPE_TEXTURE && container) {
        rc = v->level.given || v->layer.given
                 ? zc__usage_error("extract", "--level and --layer apply to PNG output; a %s file holds them all",
                                   container == ZC_TEXTURE_KTX2 ? "KTX2" : "DDS")
                 : zc__extract_container(pack_path, &e, (zc_texture_container)container, v->output);
    } else if (e.type == ZC_TYPE_TEXTURE) {
        rc = zc__extract_texture(pack_path, &e, v, v->output);
    } else if (v->format) {
        rc = zc__usage_error("extract", "--format applies to textures; %s is not one", e.path);
    } else if (v->level.given || v->layer.given) {
        rc = zc__usage_error("extract", "--level and --layer apply to textures; %s is not one", e.path);
    } else {
        const void *data = NULL;
        uint64_t size = 0;
        zc_result r = zc_entry_bytes(&e, 0, &data, &size);
        if (r != ZC_OK)
            rc = zc__entry_failed(pack_path, e.path, r);
        else if (size > SIZE_MAX)
            rc = zc__entry_failed(pack_path, e.path, ZC_ERR_LIMIT);
        else
            rc = zc__write_atomic("extract", v->output, data, (size_t)size);
    }
    zc_hold_release(&hold);
    zc_pack_close(pack);
    return rc;
}

const zc_command zc__cmd_extract = {
    "extract", "extract <pack> <path> -o <file>", "write an entry to a file (textures as PNG)", zc__extract_help,
    ZC_EXITS(OK) | ZC_EXITS(INTERNAL) | ZC_EXITS(USAGE) | ZC_EXITS(IO) | ZC_EXITS(CORRUPT) | ZC_EXITS(NO_ENTRY), zc__extract_options, sizeof(zc__extract_values), 2, "pack file and entry path", zc__extract_run,
};
