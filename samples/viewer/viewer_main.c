/* viewer_main.c - the viewer sample: draws a scene of a pack (or a model imported in
 * memory) with a small software rasteriser and writes the image as a PNG.
 *
 *     viewer <pack> [--scene <entry path>] [-o preview.png] [--size WxH] [--time <s>]
 *     viewer --import <model file> [--scene <entry path>] [-o preview.png] [--size WxH] [--time <s>]
 *
 * The pack mode uses the runtime's public API only: zc_pack_open, the scene view and
 * its world transforms, zc_pack_resolve for every mesh, material and texture
 * reference, and the views over the mapped entries. The import mode runs the packer's
 * model import (zc_model_import_file) and draws its in-memory entries with the same
 * code; only the source of the views differs (viewer_source.c).
 *
 * Output: the PNG, and one summary line on stdout:
 *     viewer: scene/demo.gltf: 15 nodes, 11 meshes drawn, 98 triangles, 2 textures, 9.8 ms (scene camera)
 *         -> preview.png
 * Exit status: 0 written; 1 the pack, model, scene or output could not be used;
 * 2 usage.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "viewer.h"

/* The PNG writer of stb, private to this program (static functions), so it cannot
 * clash with the copy the packer library links. */
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif
#include <stb/stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

enum { EXIT_FAILED = 1, EXIT_USAGE = 2 };
enum { DEFAULT_WIDTH = 800, DEFAULT_HEIGHT = 450, MAX_EXTENT = 8192 };

typedef struct viewer_args {
    const char *pack;
    const char *import;
    const char *scene;
    const char *output;
    int width, height;
    float times[4];             /* --time: seconds into the clips of skinned and morphed meshes, one
                                   image each */
    int time_count;             /* 0: the rest pose */
} viewer_args;

static void usage(FILE *out) {
    fprintf(out,
            "usage: viewer <pack> [--scene <entry path>] [-o <file.png>] [--size WxH] [--time <s>]\n"
            "       viewer --import <model file> [--scene <entry path>] [-o <file.png>] [--size WxH] [--time <s>]\n"
            "\n"
            "Draws a scene with a software rasteriser and writes it as a PNG.\n"
            "  <pack>            a pack built by zcpack; the scene is read in place through the runtime\n"
            "  --import <file>   a model file (glTF, OBJ, FBX, ...) imported in memory by the packer library\n"
            "  --scene <path>    the scene entry to draw (default: the first scene entry by path)\n"
            "  -o <file.png>     output image (default: preview.png)\n"
            "  --size WxH        image size in pixels, each 1 to %d (default: %dx%d)\n"
            "  --time <s>[,<s>]  pose skinned meshes, and blend morph targets (MD2/MD3 frames, glTF\n"
            "                    morph targets), at <s> seconds of their skeleton's first clip; up to\n"
            "                    4 times give the poses side by side (default: the rest pose and the\n"
            "                    morph targets' default weights)\n"
            "Camera: the scene's first camera, else one framing the scene's bounds.\n"
            "Exit status: 0 written, 1 failed, 2 usage.\n",
            MAX_EXTENT, DEFAULT_WIDTH, DEFAULT_HEIGHT);
}

static int parse_size(const char *text, int *width, int *height) {
    char *end;
    long w = strtol(text, &end, 10);
    if (end == text || (*end != 'x' && *end != 'X')) return -1;
    const char *rest = end + 1;
    long h = strtol(rest, &end, 10);
    if (end == rest || *end != 0 || w < 1 || h < 1 || w > MAX_EXTENT || h > MAX_EXTENT) return -1;
    *width = (int)w;
    *height = (int)h;
    return 0;
}

/* 0: parsed; 1: help printed; -1: usage error printed. */
static int parse_args(int argc, char **argv, viewer_args *args) {
    *args = (viewer_args){ .output = "preview.png", .width = DEFAULT_WIDTH, .height = DEFAULT_HEIGHT };
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stderr);
            return 1;
        } else if (!strcmp(a, "--scene") || !strcmp(a, "-o") || !strcmp(a, "--size") || !strcmp(a, "--import") ||
                   !strcmp(a, "--time")) {
            if (!has_value) {
                fprintf(stderr, "viewer: %s needs a value\n", a);
                return -1;
            }
            const char *value = argv[++i];
            if (!strcmp(a, "--scene")) args->scene = value;
            else if (!strcmp(a, "-o")) args->output = value;
            else if (!strcmp(a, "--import")) args->import = value;
            else if (!strcmp(a, "--time")) {
                const char *at = value;
                args->time_count = 0;
                for (;;) {
                    char *end;
                    double t = strtod(at, &end);
                    if (end == at || (*end != 0 && *end != ',') || !(t >= 0.0 && t <= 1e6) || args->time_count == 4) {
                        fprintf(stderr, "viewer: --time %s: expected up to 4 times in seconds, 0 to 1000000, "
                                "separated by commas\n", value);
                        return -1;
                    }
                    args->times[args->time_count++] = (float)t;
                    if (*end == 0) break;
                    at = end + 1;
                }
            } else if (parse_size(value, &args->width, &args->height) != 0) {
                fprintf(stderr, "viewer: --size %s: expected WxH with each between 1 and %d\n", value, MAX_EXTENT);
                return -1;
            }
        } else if (a[0] == '-' && a[1] != 0) {
            fprintf(stderr, "viewer: unknown option %s (see viewer --help)\n", a);
            return -1;
        } else if (!args->pack) {
            args->pack = a;
        } else {
            fprintf(stderr, "viewer: unexpected argument %s (one pack at a time)\n", a);
            return -1;
        }
    }
    if (!args->pack == !args->import) {
        fprintf(stderr, "viewer: give either a pack or --import <model file> (see viewer --help)\n");
        return -1;
    }
    return 0;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int write_png(const vr_target *target, const char *path) {
    uint8_t *pixels = vr_target_to_srgb8(target);
    if (!pixels) return -1;
    int ok = stbi_write_png(path, target->width, target->height, 3, pixels, target->width * 3);
    free(pixels);
    return ok ? 0 : -1;
}

/* Render the scene of an open source and write the PNG; prints the summary line. */
static int view(const viewer_source *source, const viewer_args *args) {
    char why[512] = "";
    zc_scene_view scene;
    const char *scene_path = NULL;
    if (source->scene(source->self, args->scene, &scene, &scene_path, why, sizeof why) != ZC_OK) {
        fprintf(stderr, "viewer: %s: %s\n", source->name, why);
        return EXIT_FAILED;
    }
    static const uint8_t background8[3] = { VIEWER_BACKGROUND_SRGB8 };
    float background[3];
    for (int k = 0; k < 3; ++k) {
        float c = background8[k] / 255.0f;
        /* to linear; the PNG encoder gives back exactly these bytes */
        background[k] = c <= 0.04045f ? c / 12.92f : powf((c + 0.055f) / 1.055f, 2.4f);
    }
    /* one image per pose, side by side in one strip */
    int poses = args->time_count ? args->time_count : 1;
    vr_target target, strip;
    if (vr_target_init(&strip, args->width * poses, args->height, background) != 0) {
        fprintf(stderr, "viewer: out of memory for a %dx%d image\n", args->width * poses, args->height);
        return EXIT_FAILED;
    }
    viewer_stats stats;
    double start = now_ms();
    int rendered = 0;
    for (int k = 0; k < poses && rendered == 0; ++k) {
        rendered = vr_target_init(&target, args->width, args->height, background);
        if (rendered == 0)
            rendered = viewer_render_at(source, &scene, args->time_count ? args->times[k] : -1.0f, &target, &stats);
        for (int y = 0; rendered == 0 && y < args->height; ++y)
            memcpy(strip.color + ((size_t)y * strip.width + (size_t)k * args->width) * 3,
                   target.color + (size_t)y * args->width * 3, (size_t)args->width * 3 * sizeof *target.color);
        vr_target_free(&target);
    }
    double ms = now_ms() - start;
    if (rendered != 0) {
        fprintf(stderr, "viewer: %s: out of memory while drawing %s\n", source->name, scene_path);
        vr_target_free(&strip);
        return EXIT_FAILED;
    }
    int written = write_png(&strip, args->output);
    vr_target_free(&strip);
    if (written != 0) {
        fprintf(stderr, "viewer: cannot write %s\n", args->output);
        return EXIT_FAILED;
    }
    char posed[200] = "", animated[64] = "";
    if (stats.skinned && stats.morphed)
        snprintf(animated, sizeof animated, "%u skinned and %u morphed", stats.skinned, stats.morphed);
    else if (stats.skinned || stats.morphed)
        snprintf(animated, sizeof animated, "%u %s", stats.skinned ? stats.skinned : stats.morphed,
                 stats.skinned ? "skinned" : "morphed");
    if (animated[0] && args->time_count) {
        int n = snprintf(posed, sizeof posed, "; %s, posed at %g", animated, args->times[0]);
        for (int k = 1; k < args->time_count; ++k) n += snprintf(posed + n, sizeof posed - (size_t)n, ", %g", args->times[k]);
        snprintf(posed + n, sizeof posed - (size_t)n, " s%s", args->time_count > 1 ? ", side by side" : "");
    }
    else if (animated[0])
        snprintf(posed, sizeof posed, "; %s, at rest", animated);
    printf("viewer: %s: %u nodes, %u meshes drawn, %llu triangles, %u textures, %.1f ms (%s) -> %s%s\n", scene_path,
           stats.nodes, stats.meshes_drawn, (unsigned long long)stats.triangles, stats.textures, ms,
           stats.scene_camera ? "scene camera" : "framing camera", args->output, posed);
    return 0;
}

int main(int argc, char **argv) {
    viewer_args args;
    int parsed = parse_args(argc, argv, &args);
    if (parsed != 0) return parsed > 0 ? 0 : EXIT_USAGE;
    viewer_source source;
    char why[512] = "";
    const char *input = args.pack ? args.pack : args.import;
    int opened = args.pack ? viewer_source_open_pack(&source, args.pack, why, sizeof why)
                           : viewer_source_import(&source, args.import, why, sizeof why);
    if (opened != 0) {
        fprintf(stderr, "viewer: %s: %s\n", input, why);
        return EXIT_FAILED;
    }
    int status = view(&source, &args);
    viewer_source_close(&source);
    return status;
}
