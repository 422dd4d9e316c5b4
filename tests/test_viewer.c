/* test_viewer.c - the viewer sample (samples/viewer/) run as a program: it draws the
 * demo scene of a pack built from samples/assets into a PNG of the requested size
 * that shows the textured scene; drawing the same glTF file imported in memory
 * (--import) gives the same image, which proves both modes share the drawing code;
 * a real third-party model without a camera is framed; its BC1/BC3 decoder agrees
 * with the packer's; bad input gives a clear error and a non-zero exit status.
 *
 * The program is `viewer` beside this test program, or $VIEWER_BIN. The source tree
 * (for samples/assets) is two directories above this program's (bin/<config>/), or
 * $ZC_SOURCE_DIR.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Declarations only: the implementation is compiled once, into the packer library. */
#include <stb/stb_image.h>

#include "zc_pack.h"
#include "zc_test_images.h"
#include "zc_test_util.h"
#include "zc_texture_pixels.h"

/* The sample's texture decoder, compiled into this test to compare it with the
 * packer's (its only dependencies are the public runtime header and libc). */
#include "../samples/viewer/viewer_decode.c"

/* Background of the viewer's images (samples/viewer/viewer.h, VIEWER_BACKGROUND_SRGB8). */
static const uint8_t background[3] = { 0x26, 0x2c, 0x38 };

/* The demo scene (tools/make_demo_scene.c): 11 mesh instances, 98 triangles, two
 * sampled base colour textures (bricks.png and leaves.png; bricks_n.png is a normal map). */
#define DEMO_SCENE "scene/demo.gltf"
#define DEMO_MESHES 11u
#define DEMO_TRIANGLES 98u
#define DEMO_TEXTURES 2u

TestSuite(viewer, .init = zcti_tree_setup, .fini = zcti_tree_teardown, .timeout = 300);

/* ---------------------------------------------------------------------------------
 * Paths and running the program
 * ------------------------------------------------------------------------------- */

static const char *viewer_bin(void) {
    static char path[PATH_MAX];
    const char *env = getenv("VIEWER_BIN");
    if (env && *env) return env;
    snprintf(path, sizeof path, "%s/viewer", zct_self_dir());
    return path;
}

typedef struct viewer_run {
    int code;
    char *out, *err;            /* NUL-terminated */
} viewer_run;

static viewer_run run_viewer(const char *const argv[]) {
    char *out_path = zct_join(zct_tmp, "viewer.stdout"), *err_path = zct_join(zct_tmp, "viewer.stderr");
    size_t argc = 0;
    while (argv[argc]) argc++;
    char **args = calloc(argc + 2, sizeof *args);
    cr_assert_not_null(args);
    args[0] = (char *)viewer_bin();
    for (size_t i = 0; i < argc; ++i) args[i + 1] = (char *)argv[i];
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(126);
        execv(args[0], args);
        _exit(127);
    }
    free(args);
    int status;
    while (waitpid(pid, &status, 0) < 0) cr_assert_eq(errno, EINTR, "waitpid: %s", strerror(errno));
    cr_assert(WIFEXITED(status), "viewer was killed by signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    viewer_run run = { .code = WEXITSTATUS(status) };
    cr_assert_neq(run.code, 127, "cannot run %s (build it: make release)", viewer_bin());
    size_t n;
    run.out = (char *)zct_read_file(out_path, &n);
    run.err = (char *)zct_read_file(err_path, &n);
    cr_assert(run.out && run.err);
    free(out_path);
    free(err_path);
    return run;
}

#define VIEWER(...) run_viewer((const char *const[]){ __VA_ARGS__, NULL })

static void run_free(viewer_run *run) {
    free(run->out);
    free(run->err);
}

/* Pack samples/assets into `pack`. */
static void build_demo_pack(void) {
    zct_run run = ZCT_CLI("build", zct_source_path("samples/assets"), "-o", zcti_pack_path);
    cr_assert_eq(run.code, 0, "zcpack build samples/assets: exit %d\n%s", run.code, run.err);
    zct_run_free(&run);
}

/* The numbers of the summary line. */
typedef struct summary {
    unsigned nodes, meshes, textures;
    unsigned long long triangles;
    double ms;
} summary;

static summary parse_summary(const char *out) {
    summary s;
    /* "viewer: <scene path>: <numbers>" */
    const char *colon = strstr(out, ": ");
    if (colon) colon = strstr(colon + 2, ": ");
    cr_assert_not_null(colon, "no summary line in: %s", out);
    int n = sscanf(colon + 2, "%u nodes, %u meshes drawn, %llu triangles, %u textures, %lf ms", &s.nodes,
                   &s.meshes, &s.triangles, &s.textures, &s.ms);
    cr_assert_eq(n, 5, "summary line not understood: %s", out);
    return s;
}

typedef struct image {
    int w, h;
    uint8_t *rgb;
} image;

static image load_png(const char *path) {
    image img;
    int comp = 0;
    img.rgb = stbi_load(path, &img.w, &img.h, &comp, 3);
    cr_assert_not_null(img.rgb, "%s does not decode as an image: %s", path, stbi_failure_reason());
    cr_assert_eq(comp, 3, "%s has %d channels, expected RGB", path, comp);
    return img;
}

static int is_background(const uint8_t *p) {
    return p[0] == background[0] && p[1] == background[1] && p[2] == background[2];
}

/* Share of the pixels of a rectangle that differ from the background. */
static double coverage(const image *img, int x0, int y0, int x1, int y1) {
    size_t covered = 0, total = 0;
    for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x, ++total) covered += !is_background(&img->rgb[((size_t)y * img->w + x) * 3]);
    return total ? (double)covered / (double)total : 0.0;
}

/* Mean and standard deviation of one channel over a rectangle. */
static void channel_stats(const image *img, int channel, int x0, int y0, int x1, int y1, double *mean, double *sd) {
    double sum = 0, sum2 = 0, n = 0;
    for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x) {
            double v = img->rgb[((size_t)y * img->w + x) * 3 + channel];
            sum += v, sum2 += v * v, n += 1;
        }
    *mean = sum / n;
    *sd = sqrt(fmax(0.0, sum2 / n - *mean * *mean));
}

/* ---------------------------------------------------------------------------------
 * The demo scene
 * ------------------------------------------------------------------------------- */

Test(viewer, demo_pack_renders_the_textured_scene) {
    build_demo_pack();
    char *png = zct_join(zct_tmp, "preview.png");
    viewer_run run = VIEWER(zcti_pack_path, "-o", png, "--size", "320x180");
    cr_assert_eq(run.code, 0, "viewer exit %d\n%s", run.code, run.err);
    cr_assert_str_empty(run.err, "the demo scene should draw without warnings:\n%s", run.err);
    summary s = parse_summary(run.out);
    cr_assert(strstr(run.out, "viewer: " DEMO_SCENE ": ") == run.out, "summary names another scene: %s", run.out);
    cr_assert(strstr(run.out, "(scene camera)"), "the demo's own camera was not used: %s", run.out);
    cr_assert_geq(s.nodes, 14u, "the demo has 14 nodes: %s", run.out);
    cr_assert_eq(s.meshes, DEMO_MESHES, "%s", run.out);
    cr_assert_eq(s.triangles, DEMO_TRIANGLES, "%s", run.out);
    cr_assert_eq(s.textures, DEMO_TEXTURES, "%s", run.out);

    image img = load_png(png);
    cr_assert_eq(img.w, 320);
    cr_assert_eq(img.h, 180);
    /* The ground fills most of the lower half of the frame (its far right corner ends
     * inside it), the pillars and their foliage rise into the top quarter. */
    double all = coverage(&img, 0, 0, img.w, img.h), lower = coverage(&img, 0, img.h / 2, img.w, img.h);
    cr_assert_gt(all, 0.35, "only %.0f%% of the image was drawn", all * 100);
    cr_assert_gt(lower, 0.75, "only %.0f%% of the lower half shows the ground", lower * 100);
    cr_assert_gt(coverage(&img, 0, 0, img.w, img.h / 4), 0.01, "nothing reaches the top quarter");
    cr_assert_lt(coverage(&img, 0, 0, img.w, img.h / 4), 0.9, "the top quarter should show the background");
    /* Bottom strip: nearby bricks. Red dominates, and bricks against mortar give a
     * strong variance in every channel (a flat colour or a blurred average would not). */
    double mean_r, sd_r, mean_g, sd_g, mean_b, sd_b;
    int y0 = img.h * 5 / 6;
    channel_stats(&img, 0, img.w / 4, y0, img.w * 3 / 4, img.h, &mean_r, &sd_r);
    channel_stats(&img, 1, img.w / 4, y0, img.w * 3 / 4, img.h, &mean_g, &sd_g);
    channel_stats(&img, 2, img.w / 4, y0, img.w * 3 / 4, img.h, &mean_b, &sd_b);
    cr_assert_gt(mean_r, mean_b + 30, "the ground is not brick-coloured: mean RGB %.0f %.0f %.0f", mean_r, mean_g,
                 mean_b);
    cr_assert_gt(mean_r, mean_g + 15, "the ground is not brick-coloured: mean RGB %.0f %.0f %.0f", mean_r, mean_g,
                 mean_b);
    cr_assert_gt(sd_g, 12, "the ground has no brick pattern: standard deviation of green %.1f", sd_g);
    cr_assert_gt(sd_b, 12, "the ground has no brick pattern: standard deviation of blue %.1f", sd_b);
    free(img.rgb);
    free(png);
    run_free(&run);
}

/* The same glTF file imported in memory by the packer library, drawn by the same
 * code, gives the image the pack gives. */
Test(viewer, import_draws_the_same_image_as_the_pack) {
    build_demo_pack();
    char *from_pack = zct_join(zct_tmp, "pack.png"), *from_import = zct_join(zct_tmp, "import.png");
    viewer_run a = VIEWER(zcti_pack_path, "--scene", DEMO_SCENE, "-o", from_pack, "--size", "256x144");
    cr_assert_eq(a.code, 0, "viewer exit %d\n%s", a.code, a.err);
    viewer_run b = VIEWER("--import", zct_source_path("samples/assets/" DEMO_SCENE), "-o", from_import, "--size",
                          "256x144");
    cr_assert_eq(b.code, 0, "viewer --import exit %d\n%s", b.code, b.err);
    summary sa = parse_summary(a.out), sb = parse_summary(b.out);
    cr_assert(strstr(b.out, "viewer: demo.gltf: ") == b.out, "import summary: %s", b.out);
    cr_assert_eq(sa.nodes, sb.nodes);
    cr_assert_eq(sa.meshes, sb.meshes);
    cr_assert_eq(sa.triangles, sb.triangles);
    cr_assert_eq(sa.textures, sb.textures);

    image pa = load_png(from_pack), pb = load_png(from_import);
    cr_assert(pa.w == pb.w && pa.h == pb.h);
    size_t differ = 0, pixels = (size_t)pa.w * pa.h;
    int worst = 0;
    for (size_t i = 0; i < pixels; ++i) {
        int d = 0;
        for (int c = 0; c < 3; ++c) {
            int e = abs(pa.rgb[i * 3 + c] - pb.rgb[i * 3 + c]);
            if (e > d) d = e;
        }
        differ += d > 0;
        if (d > worst) worst = d;
    }
    cr_assert_eq(differ, 0, "%zu of %zu pixels differ (up to %d levels) between the pack and the import", differ,
                 pixels, worst);
    cr_assert_gt(coverage(&pa, 0, 0, pa.w, pa.h), 0.35);
    free(pa.rgb);
    free(pb.rgb);
    free(from_pack);
    free(from_import);
    run_free(&a);
    run_free(&b);
}

/* A real glTF model without a camera (assimp's test models: a box with the Cesium
 * logo texture): the viewer frames its bounds, so the box fills the middle of the
 * image and leaves the border to the background. */
Test(viewer, model_without_camera_is_framed) {
    const char *model = ZCTI_ASSIMP "/glTF2/BoxTextured-glTF/BoxTextured.gltf";
    zcti_require(model);
    char *png = zct_join(zct_tmp, "box.png");
    viewer_run run = VIEWER("--import", model, "-o", png, "--size", "200x200");
    cr_assert_eq(run.code, 0, "viewer exit %d\n%s", run.code, run.err);
    cr_assert(strstr(run.out, "(framing camera)"), "%s", run.out);
    summary s = parse_summary(run.out);
    cr_assert_eq(s.meshes, 1u, "%s", run.out);
    cr_assert_eq(s.triangles, 12u, "%s", run.out);
    cr_assert_eq(s.textures, 1u, "%s", run.out);
    image img = load_png(png);
    double middle = coverage(&img, 80, 80, 120, 120), border = coverage(&img, 0, 0, 200, 8);
    cr_assert_eq(middle, 1.0, "the box does not cover the middle of the frame");
    cr_assert_eq(border, 0.0, "the framed box reaches the top edge");
    double all = coverage(&img, 0, 0, img.w, img.h);
    cr_assert(all > 0.15 && all < 0.9, "the box covers %.0f%% of the frame", all * 100);
    free(img.rgb);
    free(png);
    run_free(&run);
}

/* A skinned, animated glTF (assimp's simple_skin): posed at two times of its clip the
 * viewer draws two different shapes, and the pack and the in-memory import draw the
 * same pixels at the same time. */
Test(viewer, skinned_model_is_posed_at_the_time_asked) {
    const char *model = ZCTI_ASSIMP "/glTF2/simple_skin/simple_skin.gltf";
    zcti_require(model);
    free(zcti_copy(model, zcti_in_dir, "simple_skin.gltf"));
    zct_run build = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path);
    cr_assert_eq(build.code, 0, "%s", build.err);
    zct_run_free(&build);
    char *rest = zct_join(zct_tmp, "t0.png"), *bent = zct_join(zct_tmp, "t1.png"), *imported = zct_join(zct_tmp, "i1.png");
    viewer_run a = VIEWER(zcti_pack_path, "--time", "0", "-o", rest, "--size", "160x120");
    viewer_run b = VIEWER(zcti_pack_path, "--time", "1.5", "-o", bent, "--size", "160x120");
    viewer_run c = VIEWER("--import", model, "--time", "1.5", "-o", imported, "--size", "160x120");
    cr_assert(a.code == 0 && b.code == 0 && c.code == 0, "viewer exits %d %d %d\n%s%s%s", a.code, b.code, c.code, a.err,
              b.err, c.err);
    cr_assert(strstr(b.out, "; 1 skinned, posed at 1.5 s"), "%s", b.out);
    cr_assert(strstr(c.out, "; 1 skinned, posed at 1.5 s"), "%s", c.out);
    image ia = load_png(rest), ib = load_png(bent), ic = load_png(imported);
    size_t pixels = (size_t)ia.w * ia.h, moved = 0, differ = 0;
    for (size_t i = 0; i < pixels; ++i) {
        moved += is_background(&ia.rgb[i * 3]) != is_background(&ib.rgb[i * 3]);
        differ += memcmp(&ib.rgb[i * 3], &ic.rgb[i * 3], 3) != 0;
    }
    cr_assert_gt(moved, pixels / 20, "the pose at 1.5 s covers nearly the pixels of the pose at 0 s (%zu differ)",
                 moved);
    cr_assert_eq(differ, 0, "%zu pixels differ between the pack and the import at 1.5 s", differ);
    cr_assert_gt(coverage(&ib, 0, 0, ib.w, ib.h), 0.05);
    viewer_run bad = VIEWER(zcti_pack_path, "--time", "soon");
    cr_assert_eq(bad.code, 2);
    cr_assert(strstr(bad.err, "--time soon: expected up to 4 times in seconds"), "%s", bad.err);
    free(ia.rgb);
    free(ib.rgb);
    free(ic.rgb);
    free(rest);
    free(bent);
    free(imported);
    run_free(&a);
    run_free(&b);
    run_free(&c);
    run_free(&bad);
}

/* Morph targets blended at the clip's weights: an MD2 model's vertex frames (Quake II's
 * faerie, whose first clip walks) and a glTF cube whose two targets a clip animates
 * (AnimatedMorphCube). At two times of the clip each draws two different shapes, the
 * pack and the in-memory import draw the same pixels at the same time, and without
 * --time the default weights are used. */
static void check_morphed(const char *dir, const char *file, const char *t1, size_t min_moved) {
    char *model = zct_join(dir, file);
    zcti_require(model);
    zct_run build = ZCT_CLI("build", dir, "-o", zcti_pack_path);
    cr_assert_eq(build.code, 0, "%s", build.err);
    zct_run_free(&build);
    char *first = zct_join(zct_tmp, "m0.png"), *later = zct_join(zct_tmp, "m1.png"),
         *imported = zct_join(zct_tmp, "i1.png"), *rest = zct_join(zct_tmp, "r.png");
    char posed[64];
    snprintf(posed, sizeof posed, "; 1 morphed, posed at %s s", t1);
    viewer_run a = VIEWER(zcti_pack_path, "--time", "0", "-o", first, "--size", "160x160");
    viewer_run b = VIEWER(zcti_pack_path, "--time", t1, "-o", later, "--size", "160x160");
    viewer_run c = VIEWER("--import", model, "--time", t1, "-o", imported, "--size", "160x160");
    viewer_run d = VIEWER(zcti_pack_path, "-o", rest, "--size", "160x160");
    cr_assert(a.code == 0 && b.code == 0 && c.code == 0 && d.code == 0, "%s: viewer exits %d %d %d %d\n%s%s%s%s", file,
              a.code, b.code, c.code, d.code, a.err, b.err, c.err, d.err);
    cr_assert(strstr(b.out, posed), "%s", b.out);
    cr_assert(strstr(c.out, posed), "%s", c.out);
    cr_assert(strstr(d.out, "; 1 morphed, at rest"), "%s", d.out);
    image ia = load_png(first), ib = load_png(later), ic = load_png(imported);
    size_t pixels = (size_t)ia.w * ia.h, moved = 0, differ = 0;
    for (size_t i = 0; i < pixels; ++i) {
        moved += memcmp(&ia.rgb[i * 3], &ib.rgb[i * 3], 3) != 0;
        differ += memcmp(&ib.rgb[i * 3], &ic.rgb[i * 3], 3) != 0;
    }
    cr_assert_geq(moved, min_moved, "%s: the shape at %s s draws nearly the pixels of the shape at 0 s (%zu differ)",
                  file, t1, moved);
    cr_assert_eq(differ, 0, "%s: %zu pixels differ between the pack and the import at %s s", file, differ, t1);
    free(ia.rgb);
    free(ib.rgb);
    free(ic.rgb);
    free(first);
    free(later);
    free(imported);
    free(rest);
    free(model);
    run_free(&a);
    run_free(&b);
    run_free(&c);
    run_free(&d);
}

Test(viewer, morph_targets_follow_the_clip) {
    const char *cube = ZCTI_ASSIMP "/glTF2/glTF-Sample-Models/AnimatedMorphCube-glTF";
    zcti_require(ZCTI_ASSIMP "/MD2/faerie.md2");
    zcti_require(cube);
    free(zcti_copy(ZCTI_ASSIMP "/MD2/faerie.md2", zcti_in_dir, "faerie.md2"));
    check_morphed(zcti_in_dir, "faerie.md2", "0.5", 60);
    char *cube_dir = zct_join(zct_tmp, "cube");
    zct_mkdirs(cube_dir);
    free(zcti_copy(ZCTI_ASSIMP "/glTF2/glTF-Sample-Models/AnimatedMorphCube-glTF/AnimatedMorphCube.gltf", cube_dir,
                   "AnimatedMorphCube.gltf"));
    free(zcti_copy(ZCTI_ASSIMP "/glTF2/glTF-Sample-Models/AnimatedMorphCube-glTF/AnimatedMorphCube.bin", cube_dir,
                   "AnimatedMorphCube.bin"));
    check_morphed(cube_dir, "AnimatedMorphCube.gltf", "1.5", 160 * 160 / 20);
    free(cube_dir);
}

/* ---------------------------------------------------------------------------------
 * The sample's BC decoder against the packer's
 * ------------------------------------------------------------------------------- */

static void compare_decoders(const zc_pack *p, const char *path, zc_pixel_format want) {
    zc_entry entry;
    zc_texture_view view;
    zcti_pack_texture(p, path, &entry, &view);
    cr_assert_eq(view.format, want, "%s is %s", path, zc_pixel_format_name(view.format));
    vr_image mine;
    cr_assert_eq(vr_image_decode(&view, &mine), ZC_OK, "%s", path);
    uint8_t *theirs = zcti_decode_level(&view, 0);
    size_t bytes = (size_t)mine.width * mine.height * 4;
    int worst = 0;
    for (size_t i = 0; i < bytes; ++i) {
        int d = abs(mine.rgba[i] - theirs[i]);
        if (d > worst) worst = d;
    }
    cr_assert_leq(worst, 1, "%s: the viewer's decode differs from the packer's by up to %d levels", path, worst);
    cr_assert_eq(mine.srgb, 1, "%s is an sRGB texture", path);
    free(theirs);
    vr_image_free(&mine);
}

Test(viewer, bc_decoder_matches_the_packer) {
    zct_mkdirs(zcti_in_dir);
    free(zcti_copy(zct_source_path("samples/assets/textures/bricks.png"), zcti_in_dir, NULL));
    free(zcti_copy(zct_source_path("samples/assets/textures/leaves.png"), zcti_in_dir, NULL));
    zct_run run = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path);
    cr_assert_eq(run.code, 0, "%s", run.err);
    zct_run_free(&run);
    zc_pack *p = zcti_open_pack(zcti_pack_path);
    compare_decoders(p, "bricks.png", ZC_PIXEL_BC1_SRGB);
    compare_decoders(p, "leaves.png", ZC_PIXEL_BC3_SRGB);
    zc_pack_close(p);
}

/* ---------------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------------- */

Test(viewer, missing_or_wrong_scene_is_an_error) {
    build_demo_pack();
    char *png = zct_join(zct_tmp, "x.png");
    viewer_run run = VIEWER(zcti_pack_path, "--scene", "scene/nothing.gltf", "-o", png);
    cr_assert_eq(run.code, 1, "exit %d", run.code);
    cr_assert(strstr(run.err, "has no entry \"scene/nothing.gltf\""), "%s", run.err);
    cr_assert(!zct_exists(png), "an image was written for a missing scene");
    run_free(&run);
    run = VIEWER(zcti_pack_path, "--scene", "textures/bricks.png", "-o", png);
    cr_assert_eq(run.code, 1, "exit %d", run.code);
    cr_assert(strstr(run.err, "\"textures/bricks.png\" is a texture, not a scene"), "%s", run.err);
    run_free(&run);
    free(png);
}

Test(viewer, pack_without_scene_is_an_error) {
    char *text = zct_join(zcti_in_dir, "readme.txt");
    zct_write_file(text, "no scene here\n", 14);
    free(text);
    zct_run build = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path);
    cr_assert_eq(build.code, 0, "%s", build.err);
    zct_run_free(&build);
    viewer_run run = VIEWER(zcti_pack_path, "-o", "/dev/null");
    cr_assert_eq(run.code, 1, "exit %d", run.code);
    cr_assert(strstr(run.err, "holds no scene entry"), "%s", run.err);
    run_free(&run);
}

Test(viewer, bad_pack_is_an_error) {
    char *junk = zct_join(zct_tmp, "junk.zcpack");
    char bytes[4096];
    zct_fill(bytes, sizeof bytes, 7);
    zct_write_file(junk, bytes, sizeof bytes);
    viewer_run run = VIEWER(junk);
    cr_assert_eq(run.code, 1, "exit %d", run.code);
    cr_assert(strstr(run.err, "cannot open the pack: not a zcpack file"), "%s", run.err);
    run_free(&run);
    char *missing = zct_join(zct_tmp, "missing.zcpack");
    run = VIEWER(missing);
    cr_assert_eq(run.code, 1, "exit %d", run.code);
    cr_assert(strstr(run.err, "cannot open the pack: file not found"), "%s", run.err);
    run_free(&run);
    run = VIEWER("--import", junk);
    cr_assert_eq(run.code, 1, "exit %d", run.code);
    cr_assert(strstr(run.err, "cannot import the model"), "%s", run.err);
    run_free(&run);
    free(junk);
    free(missing);
}

Test(viewer, usage_errors_exit_2) {
    viewer_run run = VIEWER("--size", "0x10", "x.zcpack");
    cr_assert_eq(run.code, 2, "exit %d", run.code);
    cr_assert(strstr(run.err, "--size 0x10"), "%s", run.err);
    run_free(&run);
    run = VIEWER("a.zcpack", "--import", "b.gltf");
    cr_assert_eq(run.code, 2, "exit %d", run.code);
    run_free(&run);
    run = VIEWER("--frobnicate");
    cr_assert_eq(run.code, 2, "exit %d", run.code);
    run_free(&run);
    run = VIEWER("--help");
    cr_assert_eq(run.code, 0);
    cr_assert(strstr(run.err, "usage: viewer"), "%s", run.err);
    run_free(&run);
}
