/* test_md3_frames.c - the vertex animation of MD3 models as morph targets and clips.
 *
 * No MD3 model with surfaces ships in the test-data packages, so the file is written
 * here: two surfaces of different shapes whose every vertex moves differently in each
 * of five frames, with normals that change per frame, and frames named "walk01"..
 * "walk03", "idle1", "idle2". Decoded here independently of the importer's reader:
 *  - each mesh entry has one morph target per frame, and each of its vertices stands
 *    for one vertex of one surface in every frame (base plus offset equals that
 *    frame's position);
 *  - the clips are "walk" and "idle" at 15 frames per second; at each frame's time
 *    the blended positions are that frame's and the blended normals its decoded
 *    normals; half way between two frames, the positions' average;
 *  - what assimp's MD3 reader takes on trust (names that end, counts, arrays inside
 *    the file) is checked before it runs, and damage there fails the file with a
 *    sentence; a file whose second surface declares another frame count imports as a
 *    still model (frame 0) with a note; the three files of a Quake III player (lower,
 *    upper, head) each pack as a model of their own; the reader refuses every truncated prefix and
 *    survives random bit flips (a sentence, or consistent frames);
 *  - a player's lower and upper parts take their clips from the animation.cfg beside
 *    them (Quake III's rules: "both" and legs animations for the legs, whose frames
 *    the file counts after the torso's, "both" and torso animations for the torso),
 *    each at its own rate; a damaged, short or out-of-range file falls back to the
 *    names, or leaves out the animation, with a note.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zc_model.h"
#include "zc_model_internal.h"
#include "zc_pack.h"
#include "zc_test_util.h"

TestSuite(md3_frames, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 60);

#define FRAMES 5
#define FPS 15.0
static const char *const frame_names[FRAMES] = { "walk01", "walk02", "walk03", "idle1", "idle2" };

typedef struct surface {
    const char *name;
    uint32_t vertices, triangles;
    const uint32_t *corners;
} surface;

static const uint32_t tetra_corners[] = { 0, 1, 2, 0, 3, 1, 1, 3, 2, 2, 3, 0 };
static const uint32_t quad_corners[] = { 0, 1, 2, 0, 2, 3 };
static const surface surfaces[2] = { { "body", 4, 4, tetra_corners }, { "head", 4, 2, quad_corners } };

/* The file's values, in its own units: position component k of vertex v of surface s
 * at frame f (i16, 1/64 each), and the packed normal. */
static int16_t md3_coord(uint32_t s, uint32_t f, uint32_t v, int k) {
    static const int16_t base[2][4][3] = { { { 0, 0, 0 }, { 640, 0, 0 }, { 0, 640, 0 }, { 0, 0, 640 } },
                                           { { -320, -320, 960 }, { 320, -320, 960 }, { 320, 320, 960 },
                                             { -320, 320, 960 } } };
    return (int16_t)(base[s][v][k] + (int16_t)(f * (v + 1) * (k + 2) * (s ? -7 : 5)));
}

static uint16_t md3_packed_normal(uint32_t s, uint32_t f, uint32_t v) {
    return (uint16_t)(((v * 37 + f * 11 + s * 3) & 255) << 8 | ((v * 53 + f * 29 + 5 + s) & 255));
}

static void md3_normal(uint16_t packed, double *n) {
    double turn = 2.0 * 3.14159265358979323846 / 255.0, lat = (packed >> 8) * turn, lng = (packed & 255) * turn;
    n[0] = cos(lat) * sin(lng), n[1] = sin(lat) * sin(lng), n[2] = cos(lng);
}

typedef struct bytes {
    uint8_t *data;
    size_t size;
} bytes;

static void put32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = (uint8_t)(v >> (8 * i));
}

static void put16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

/* The model as an MD3 file of `frames` frames (named frame_names[f] for the first
 * FRAMES, "pose<f>" after them); surface 1 declares `head_frames` frames (`frames`
 * unless damaged); `tag` names one tag (identity axes, at the origin moved up by f in
 * frame f), or NULL for none. */
static bytes make_md3_frames(uint32_t frames, uint32_t head_frames, const char *tag) {
    size_t tags = tag ? 1 : 0, tags_at = 108 + frames * 56, surfaces_at = tags_at + tags * frames * 112;
    size_t size = surfaces_at;
    for (int s = 0; s < 2; ++s) size += 108 + surfaces[s].triangles * 12 + surfaces[s].vertices * (8 + frames * 8);
    uint8_t *d = calloc(1, size);
    memcpy(d, "IDP3", 4);
    put32(d + 4, 15);
    memcpy(d + 8, "walker", 6);
    put32(d + 76, frames);
    put32(d + 80, (uint32_t)tags);
    put32(d + 84, 2);
    put32(d + 92, 108);
    put32(d + 96, (uint32_t)tags_at);
    put32(d + 100, (uint32_t)surfaces_at);
    for (uint32_t f = 0; f < frames; ++f) {
        uint8_t *fr = d + 108 + f * 56;
        for (int k = 0; k < 3; ++k) {
            float lo = -40.0f, hi = 40.0f;
            memcpy(fr + 4 * k, &lo, 4);
            memcpy(fr + 12 + 4 * k, &hi, 4);
        }
        if (f < FRAMES) memcpy(fr + 40, frame_names[f], strlen(frame_names[f]));
        else snprintf((char *)fr + 40, 16, "pose%u", f);
        if (!tag) continue;
        uint8_t *t = d + tags_at + f * 112;
        float cells[12] = { 0.0f, 0.0f, (float)f, 1.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 1.0f };
        memcpy(t, tag, strlen(tag));
        memcpy(t + 64, cells, sizeof cells);
    }
    size_t at = surfaces_at;
    for (uint32_t s = 0; s < 2; ++s) {
        const surface *sf = &surfaces[s];
        uint8_t *h = d + at;
        size_t tri = 108, st = tri + sf->triangles * 12, xyz = st + sf->vertices * 8;
        size_t end = xyz + (size_t)frames * sf->vertices * 8;
        memcpy(h, "IDP3", 4);
        memcpy(h + 4, sf->name, strlen(sf->name));
        put32(h + 72, s == 1 ? head_frames : frames);
        put32(h + 80, sf->vertices);
        put32(h + 84, sf->triangles);
        put32(h + 88, (uint32_t)tri);
        put32(h + 92, (uint32_t)st);
        put32(h + 96, (uint32_t)st);
        put32(h + 100, (uint32_t)xyz);
        put32(h + 104, (uint32_t)end);
        for (uint32_t i = 0; i < sf->triangles * 3; ++i) put32(h + tri + 4 * i, sf->corners[i]);
        for (uint32_t v = 0; v < sf->vertices; ++v) {
            float uv[2] = { (float)(v & 1), (float)(v >> 1) };
            memcpy(h + st + 8 * v, uv, 8);
        }
        for (uint32_t f = 0; f < frames; ++f)
            for (uint32_t v = 0; v < sf->vertices; ++v) {
                uint8_t *p = h + xyz + ((size_t)f * sf->vertices + v) * 8;
                for (int k = 0; k < 3; ++k) put16(p + 2 * k, (uint16_t)md3_coord(s, f, v, k));
                put16(p + 6, md3_packed_normal(s, f, v));
            }
        put32(d + 104, (uint32_t)(at + end));
        at += end;
    }
    cr_assert_eq(at, size);
    return (bytes){ d, size };
}

static bytes make_md3_tagged(uint32_t head_frames, const char *tag) {
    return make_md3_frames(FRAMES, head_frames, tag);
}

static bytes make_md3(uint32_t head_frames) {
    return make_md3_tagged(head_frames, NULL);
}

static char *write_model(const bytes *b) {
    char *path = zct_tmp_path("walker.md3");
    zct_write_file(path, b->data, b->size);
    return path;
}

static void view_entry(const zc_model *model, const char *path, uint32_t type, void *out) {
    const zc_model_entry *e = zc_model_find(model, path);
    cr_assert_not_null(e, "no entry %s", path);
    cr_assert_eq(e->type, type, "%s has another type", path);
    zc_result r = type == ZC_TYPE_MESH    ? zc_mesh_view_from_bytes(e->payload, e->size, out)
                  : type == ZC_TYPE_MORPH ? zc_morph_view_from_bytes(e->payload, e->size, out)
                                          : zc_animation_view_from_bytes(e->payload, e->size, out);
    cr_assert_eq(r, ZC_OK, "%s: %s", path, zc_result_str(r));
}

/* The vertex of surface s that pack vertex v stands for in every frame; -1 when none. */
static int source_of(uint32_t s, const zc_morph_view *mv, const float *base, uint32_t v) {
    for (uint32_t u = 0; u < surfaces[s].vertices; ++u) {
        int same = 1;
        for (uint32_t f = 0; same && f < FRAMES; ++f)
            for (int k = 0; k < 3 && same; ++k)
                same = fabs(base[v * 3 + k] + mv->positions[((size_t)f * mv->vertex_count + v) * 3 + k] -
                            md3_coord(s, f, u, k) / 64.0) <= 1e-5;
        if (same) return (int)u;
    }
    return -1;
}

/* One attribute of every vertex of the mesh, 3 floats each. */
static float *read_all(const zc_mesh_view *mesh, uint32_t semantic) {
    const zc_vertex_attribute *a = zc_mesh_view_attribute(mesh, semantic);
    cr_assert_not_null(a);
    float *out = malloc((size_t)mesh->vertex_count * 3 * sizeof *out);
    for (uint32_t v = 0; v < mesh->vertex_count; ++v) {
        float q[4];
        zc_mesh_view_read(mesh, a, v, q);
        memcpy(out + v * 3, q, 3 * sizeof *q);
    }
    return out;
}

Test(md3_frames, every_frame_of_every_surface_as_targets_and_clips) {
    bytes b = make_md3(FRAMES);
    char *file = write_model(&b);
    zc_model model;
    zc_diag diag = { "" };
    cr_assert_eq(zc_model_import_file(file, "m", NULL, &model, &diag), ZC_OK, "%s", diag.message);
    cr_assert(!model.notes || !strstr(model.notes, "MD3 frames"), "%s", model.notes);
    cr_assert(!model.notes || !strstr(model.notes, "dummy_texture"), "assimp's placeholder reported: %s", model.notes);

    const struct { const char *name; uint32_t first, count; } clips[] = { { "walk", 0, 3 }, { "idle", 3, 2 } };
    zc_animation_view anims[2];
    for (uint32_t c = 0; c < 2; ++c) {
        char path[32];
        snprintf(path, sizeof path, "m#animation/%u", c);
        view_entry(&model, path, ZC_TYPE_ANIMATION, &anims[c]);
        cr_assert_str_eq(anims[c].name, clips[c].name);
        cr_assert_float_eq(anims[c].duration, (float)((clips[c].count - 1) / FPS), 1e-6f);
    }
    cr_assert_null(zc_model_find(&model, "m#animation/2"));

    int used[2] = { 0, 0 };
    double worst_normal = 0.0;
    for (uint32_t m = 0; m < 2; ++m) {
        char path[32];
        zc_mesh_view mesh;
        zc_morph_view mv;
        snprintf(path, sizeof path, "m#mesh/%u", m);
        view_entry(&model, path, ZC_TYPE_MESH, &mesh);
        snprintf(path, sizeof path, "m#morph/%u", m);
        view_entry(&model, path, ZC_TYPE_MORPH, &mv);
        cr_assert_eq(mv.target_count, FRAMES, "mesh %u: one target per frame", m);
        cr_assert(mv.flags & ZC_MORPH_FRAMES);
        cr_assert_not_null(mv.normals);
        uint32_t n = mesh.vertex_count;
        float *base = read_all(&mesh, ZC_SEMANTIC_POSITION), *normals = read_all(&mesh, ZC_SEMANTIC_NORMAL);
        float *out = malloc((size_t)n * 3 * sizeof *out);
        int *source = malloc(n * sizeof *source);
        /* the surface this mesh is: the one every vertex stands for */
        int s = -1;
        for (uint32_t cand = 0; cand < 2 && s < 0; ++cand) {
            int all = !used[cand];
            for (uint32_t v = 0; v < n && all; ++v) all = (source[v] = source_of(cand, &mv, base, v)) >= 0;
            if (all) s = (int)cand;
        }
        cr_assert_geq(s, 0, "mesh %u is no surface of the file in every frame", m);
        used[s] = 1;
        for (uint32_t c = 0; c < 2; ++c)
            for (uint32_t j = 0; j < clips[c].count; ++j)
                for (int half = 0; half < 2 && (!half || j + 1 < clips[c].count); ++half) {
                    float t = (float)((j + 0.5 * half) / FPS), w[ZC_MORPH_MAX_TARGETS];
                    uint32_t f = clips[c].first + j;
                    cr_assert_eq(zc_animation_view_sample_weights(&anims[c], t, 0, w, ZC_MORPH_MAX_TARGETS), FRAMES);
                    zc_morph_view_apply(&mv, w, 0, base, out, n, 3);
                    for (uint32_t v = 0; v < n; ++v)
                        for (int k = 0; k < 3; ++k) {
                            double want = md3_coord((uint32_t)s, f, (uint32_t)source[v], k) / 64.0;
                            if (half) want = (want + md3_coord((uint32_t)s, f + 1, (uint32_t)source[v], k) / 64.0) / 2;
                            cr_assert_leq(fabs(out[v * 3 + k] - want), 1e-5, "%s at %g s: vertex %u is %g, not %g",
                                          clips[c].name, (double)t, v, out[v * 3 + k], want);
                        }
                    if (half) continue;
                    zc_morph_view_apply(&mv, w, 1, normals, out, n, 3);
                    for (uint32_t v = 0; v < n; ++v) {
                        double want[3];
                        md3_normal(md3_packed_normal((uint32_t)s, f, (uint32_t)source[v]), want);
                        for (int k = 0; k < 3; ++k) {
                            double d = fabs(out[v * 3 + k] - want[k]);
                            worst_normal = fmax(worst_normal, d);
                            cr_assert_leq(d, 1e-3, "frame %u vertex %u: normal %g, not %g", f, v, out[v * 3 + k],
                                          want[k]);
                        }
                    }
                }
        free(base), free(normals), free(out), free(source);
    }
    cr_assert_null(zc_model_find(&model, "m#mesh/2"));
    cr_log_info("MD3 frames: 2 surfaces, %d frames in 2 clips; normals within %.3g", FRAMES, worst_normal);
    zc_model_free(&model);
    free(file);
    free(b.data);
}

Test(md3_frames, a_surface_of_another_frame_count_imports_as_a_still_model) {
    bytes b = make_md3(FRAMES - 1);
    char *file = write_model(&b);
    zc_model model;
    zc_diag diag = { "" };
    cr_assert_eq(zc_model_import_file(file, "m", NULL, &model, &diag), ZC_OK, "%s", diag.message);
    cr_assert(model.notes && strstr(model.notes, "MD3 frames left out: MD3 surface 1: its frame count is not the "
                                                 "file's"),
              "%s", model.notes);
    cr_assert_not_null(zc_model_find(&model, "m#mesh/0"));
    cr_assert_not_null(zc_model_find(&model, "m#mesh/1"));
    cr_assert_null(zc_model_find(&model, "m#morph/0"));
    cr_assert_null(zc_model_find(&model, "m#animation/0"));
    zc_model_free(&model);
    free(file);
    free(b.data);
}

/* A Quake III player is three files (lower, upper, head) attached at their tags by the
 * engine: each packs as its own model, not as the three joined (assimp's multipart
 * reading, which would put every part in each file's scene). */
Test(md3_frames, player_parts_stay_one_model_each) {
    const char *parts[] = { "player/lower.md3", "player/upper.md3", "player/head.md3" };
    const char *tags[] = { "tag_torso", "tag_head", NULL }; /* where the next part attaches */
    char *paths[3];
    for (int i = 0; i < 3; ++i) {
        bytes b = make_md3_tagged(FRAMES, tags[i]);
        paths[i] = zct_tmp_path(parts[i]);
        zct_write_file(paths[i], b.data, b.size);
        free(b.data);
    }
    zc_model model;
    zc_diag diag = { "" };
    cr_assert_eq(zc_model_import_file(paths[0], "lower.md3", NULL, &model, &diag), ZC_OK, "%s", diag.message);
    cr_assert_eq(model.mesh_count, 2, "lower.md3 holds its own 2 surfaces, not %u meshes", model.mesh_count);
    cr_assert_not_null(zc_model_find(&model, "lower.md3#morph/1"));
    cr_assert(!model.notes || !strstr(model.notes, "MD3 frames"), "%s", model.notes);
    zc_model_free(&model);
    for (int i = 0; i < 3; ++i) free(paths[i]);
}

/* What assimp's MD3 reader takes on trust is checked before it runs: a damaged file
 * fails with a sentence naming the problem (assimp would read past a name that does
 * not end, or allocate what a count says), and nothing else of the file is imported. */
Test(md3_frames, damage_assimp_trusts_fails_the_file_with_a_sentence) {
    bytes good = make_md3(FRAMES);
    size_t surface = 108 + FRAMES * 56;
    struct {
        size_t at;
        int fill;       /* 1: 64 bytes of 'x' at `at`; 0: the u32 value */
        uint32_t value;
        const char *message;
    } cases[] = {
        { surface + 4, 1, 0, "MD3 surface 0: its name does not end within its 64 bytes" },
        { 8, 1, 0, "the MD3 model's name does not end within its 64 bytes" },
        { surface + 80, 0, 4097, "MD3 surface 0: more frames, shaders, vertices or triangles" },
        { surface + 100, 0, 0x7ffffff0u, "MD3 surface 0: its triangles, shaders, texture coordinates or vertices lie" },
        { surface + 108, 0, 9, "MD3 surface 0: a triangle names a vertex past its vertices" },
        { 76, 0, 5000, "MD3 counts out of the format's range" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        bytes b = { malloc(good.size), good.size };
        memcpy(b.data, good.data, good.size);
        if (cases[i].fill) memset(b.data + cases[i].at, 'x', 64);
        else put32(b.data + cases[i].at, cases[i].value);
        char *file = write_model(&b);
        zc_model model;
        zc_diag diag = { "" };
        cr_assert_eq(zc_model_import_in_process(file, "m", NULL, &model, &diag), ZC_ERR_BAD_SOURCE, "case %zu", i);
        cr_assert(strstr(diag.message, cases[i].message), "case %zu: %s", i, diag.message);
        cr_assert_eq(model.entry_count, 0);
        free(file);
        free(b.data);
    }
    free(good.data);
}

/* Every prefix shorter than the file is refused with a sentence (each is a copy of
 * exactly its size, so the sanitize build catches a read past it); random bit flips
 * give a sentence or frames whose indices and numbers are in range. */
/* ---------------------------------------------------------------------------------
 * animation.cfg
 * ------------------------------------------------------------------------------- */

#define PART_FRAMES 40
/* first, count, looping, fps of the game's 25 animations: both (6), torso (7), legs
 * (12, whose first frames count the torso's 16 frames too: 25 - 9) */
static const int cfg_lines[25][4] = {
    { 0, 3, 0, 20 },  { 2, 1, 0, 20 },  { 3, 3, 0, 20 },  { 5, 1, 0, 20 },  { 6, 3, 0, 20 },  { 8, 1, 0, 20 },
    { 9, 4, 0, 15 },  { 13, 2, 0, 15 }, { 15, 2, 0, 15 }, { 17, 2, 0, 15 }, { 19, 2, 0, 15 }, { 21, 2, 0, 15 },
    { 23, 2, 0, 15 }, { 25, 3, 3, 10 }, { 28, 3, 3, 12 }, { 31, 3, 3, 14 }, { 34, 2, 2, 16 }, { 36, 2, 2, 18 },
    { 38, 1, 0, 20 }, { 39, 1, 0, 20 }, { 40, 1, 0, 20 }, { 41, 1, 0, 20 }, { 42, 3, 3, 15 }, { 45, 2, 2, 15 },
    { 47, 2, 2, 15 },
};
static const char *const cfg_names[25] = {
    "BOTH_DEATH1", "BOTH_DEAD1", "BOTH_DEATH2", "BOTH_DEAD2", "BOTH_DEATH3", "BOTH_DEAD3",
    "TORSO_GESTURE", "TORSO_ATTACK", "TORSO_ATTACK2", "TORSO_DROP", "TORSO_RAISE", "TORSO_STAND", "TORSO_STAND2",
    "LEGS_WALKCR", "LEGS_WALK", "LEGS_RUN", "LEGS_BACK", "LEGS_SWIM", "LEGS_JUMP", "LEGS_LAND", "LEGS_JUMPB",
    "LEGS_LANDB", "LEGS_IDLE", "LEGS_IDLECR", "LEGS_TURN",
};

/* animation.cfg as the game's files are written: keywords, comments, tabs, CRLF. */
static void write_cfg(const char *dir, int lines, const char *extra) {
    char text[4096];
    int n = snprintf(text, sizeof text, "// animation config file\r\nsex m\r\n\r\nfootsteps normal\r\nheadoffset 0 0 0\r\n");
    for (int i = 0; i < lines; ++i)
        n += snprintf(text + n, sizeof text - (size_t)n, "%d\t%d\t%d\t%d\t\t// %s\r\n", cfg_lines[i][0],
                      cfg_lines[i][1], cfg_lines[i][2], cfg_lines[i][3], cfg_names[i]);
    if (extra) snprintf(text + n, sizeof text - (size_t)n, "%s", extra);
    zct_put_text(dir, "animation.cfg", text);
}

/* Import dir/name and check that its clips are animations `which` of the file, in
 * order, each at its first frame (legs moved back by `skip`), count and rate. */
static void expect_cfg_clips(const char *dir, const char *name, const int *which, int count, int skip) {
    char *file = zct_join(dir, name);
    zc_model model;
    zc_diag diag = { "" };
    cr_assert_eq(zc_model_import_file(file, name, NULL, &model, &diag), ZC_OK, "%s: %s", name, diag.message);
    cr_assert(model.reads && strstr(model.reads, "animation.cfg"), "%s: animation.cfg is among the files read: %s",
              name, model.reads ? model.reads : "(none)");
    zc_morph_view mv;
    char path[64];
    snprintf(path, sizeof path, "%s#morph/0", name);
    view_entry(&model, path, ZC_TYPE_MORPH, &mv);
    cr_assert_eq(mv.target_count, PART_FRAMES);
    for (int c = 0; c < count; ++c) {
        const int *line = cfg_lines[which[c]];
        int first = line[0] - (which[c] >= 13 ? skip : 0);
        zc_animation_view anim;
        snprintf(path, sizeof path, "%s#animation/%d", name, c);
        view_entry(&model, path, ZC_TYPE_ANIMATION, &anim);
        cr_assert_str_eq(anim.name, cfg_names[which[c]], "%s clip %d", name, c);
        cr_assert_float_eq(anim.duration, (float)(line[1] - 1) / (float)line[3], 1e-6f, "%s %s", name, anim.name);
        for (int j = 0; j < line[1]; ++j) {
            float w[ZC_MORPH_MAX_TARGETS];
            cr_assert_eq(zc_animation_view_sample_weights(&anim, (float)j / (float)line[3], 0, w, ZC_MORPH_MAX_TARGETS),
                         PART_FRAMES);
            for (int t = 0; t < PART_FRAMES; ++t)
                cr_assert_float_eq(w[t], t == first + j ? 1.0f : 0.0f, 1e-6f, "%s %s key %d: weight %d is %g", name,
                                   anim.name, j, t, (double)w[t]);
        }
    }
    snprintf(path, sizeof path, "%s#animation/%d", name, count);
    cr_assert_null(zc_model_find(&model, path), "%s has more than %d clips", name, count);
    zc_model_free(&model);
    free(file);
}

static char *write_part(const char *dir, const char *name) {
    bytes b = make_md3_frames(PART_FRAMES, PART_FRAMES, NULL);
    char *path = zct_join(dir, name);
    zct_write_file(path, b.data, b.size);
    free(b.data);
    return path;
}

Test(md3_frames, animation_cfg_gives_a_player_part_its_clips) {
    char *dir = zct_tmp_path("models/players/walker");
    zct_mkdirs(dir);
    free(write_part(dir, "lower.md3"));
    free(write_part(dir, "UPPER_1.md3"));
    free(write_part(dir, "head.md3"));
    write_cfg(dir, 25, NULL);
    static const int legs[] = { 0, 1, 2, 3, 4, 5, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24 };
    static const int torso[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
    expect_cfg_clips(dir, "lower.md3", legs, 18, 25 - 9);
    expect_cfg_clips(dir, "UPPER_1.md3", torso, 13, 0);

    /* head.md3 has no animations of its own: its frames keep their names' clips */
    char *head = zct_join(dir, "head.md3");
    zc_model model;
    zc_diag diag = { "" };
    cr_assert_eq(zc_model_import_file(head, "head.md3", NULL, &model, &diag), ZC_OK, "%s", diag.message);
    zc_animation_view anim;
    view_entry(&model, "head.md3#animation/0", ZC_TYPE_ANIMATION, &anim);
    cr_assert_str_eq(anim.name, "walk");
    zc_model_free(&model);
    free(head);
    free(dir);
}

/* What the game would refuse, or a line this reader cannot take, leaves the frames
 * grouped by their names with a note naming the problem; an animation outside the
 * frames is left out with a note, the others kept. */
Test(md3_frames, a_bad_animation_cfg_is_noted_and_falls_back) {
    char *dir = zct_tmp_path("players/odd");
    zct_mkdirs(dir);
    char *lower = write_part(dir, "lower.md3");
    static const struct {
        int lines;
        const char *extra;
        const char *note;       /* NULL: the clips of the file, with LEGS_TURN left out */
    } cases[] = {
        { 24, NULL, "animation.cfg lists 24 animations, Quake III's players have 25" },
        { 25, "12 x 0 15\n", "animation.cfg line 31 is not four integers" },
        { 25, "5 5 5 5 5\n", "animation.cfg line 31 is not four integers" },
        { 25, "99999999999999999999 1 0 15\n", "animation.cfg line 31 is not four integers" },
        { 25, "100 4 0 15 // TORSO_GETFLAG: outside, and not the legs' anyway\n", NULL },
    };
    /* an animation of no frames is left out, named */
    write_cfg(dir, 24, "47 0 0 15 // LEGS_TURN\n");
    zc_model empty;
    zc_diag why = { "" };
    cr_assert_eq(zc_model_import_file(lower, "lower.md3", NULL, &empty, &why), ZC_OK, "%s", why.message);
    cr_assert(empty.notes && strstr(empty.notes, "animation.cfg: LEGS_TURN has 0 frames: left out"), "%s", empty.notes);
    zc_model_free(&empty);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        write_cfg(dir, cases[k].lines, cases[k].extra);
        zc_model model;
        zc_diag diag = { "" };
        cr_assert_eq(zc_model_import_file(lower, "lower.md3", NULL, &model, &diag), ZC_OK, "case %zu: %s", k,
                     diag.message);
        zc_animation_view anim;
        view_entry(&model, "lower.md3#animation/0", ZC_TYPE_ANIMATION, &anim);
        if (cases[k].note) {
            cr_assert(model.notes && strstr(model.notes, cases[k].note), "case %zu: %s", k, model.notes);
            cr_assert_str_eq(anim.name, "walk", "case %zu: the clips by name", k);
        } else {
            cr_assert(!model.notes || !strstr(model.notes, "animation.cfg"), "case %zu: %s", k, model.notes);
            cr_assert_str_eq(anim.name, "BOTH_DEATH1", "case %zu", k);
        }
        zc_model_free(&model);
    }
    /* the legs' last animation past the frames: left out, the others kept */
    write_cfg(dir, 24, "90 2 2 15 // LEGS_TURN\n");
    zc_model model;
    zc_diag diag = { "" };
    cr_assert_eq(zc_model_import_file(lower, "lower.md3", NULL, &model, &diag), ZC_OK, "%s", diag.message);
    cr_assert(model.notes && strstr(model.notes, "animation.cfg: LEGS_TURN (frames 74 to 75) lies outside the "
                                                 "model's 40 frames: left out"),
              "%s", model.notes);
    zc_animation_view anim;
    view_entry(&model, "lower.md3#animation/16", ZC_TYPE_ANIMATION, &anim);
    cr_assert_str_eq(anim.name, "LEGS_IDLECR");
    cr_assert_null(zc_model_find(&model, "lower.md3#animation/17"));
    zc_model_free(&model);

    /* random damage to a good file never fails the model: every import succeeds with
     * clips that play frames of the file */
    write_cfg(dir, 25, NULL);
    char *cfg = zct_join(dir, "animation.cfg");
    size_t size;
    uint8_t *good = zct_read_file(cfg, &size);
    uint64_t seed = 0xcf9;
    zc_model_settings in_process = { .in_process = 1 };
    for (int round = 0; round < 300; ++round) {
        uint8_t *bad = malloc(size);
        memcpy(bad, good, size);
        size_t cut = round % 3 == 0 ? (size_t)(zct_rand(&seed) % size) : size;
        for (int flips = 1 + (int)(zct_rand(&seed) % 6); flips > 0; --flips)
            bad[zct_rand(&seed) % size] = (uint8_t)zct_rand(&seed);
        zct_write_file(cfg, bad, cut);
        free(bad);
        cr_assert_eq(zc_model_import_file(lower, "lower.md3", &in_process, &model, &diag), ZC_OK, "round %d: %s",
                     round, diag.message);
        for (uint32_t a = 0;; ++a) {
            char path[48];
            snprintf(path, sizeof path, "lower.md3#animation/%u", a);
            if (!zc_model_find(&model, path)) break;
            view_entry(&model, path, ZC_TYPE_ANIMATION, &anim);
            float w[ZC_MORPH_MAX_TARGETS];
            cr_assert_eq(zc_animation_view_sample_weights(&anim, anim.duration, 0, w, ZC_MORPH_MAX_TARGETS),
                         PART_FRAMES, "round %d: %s", round, anim.name);
        }
        zc_model_free(&model);
    }
    free(good);
    free(cfg);
    free(lower);
    free(dir);
}

Test(md3_frames, reader_refuses_damaged_files) {
    bytes b = make_md3(FRAMES);
    zc__vertex_frames f;
    zc_diag d;
    cr_assert_eq(zc__md3_frames_read(b.data, b.size, &f, &d), ZC_OK, "%s", d.message);
    cr_assert_eq(f.mesh_count, 2);
    cr_assert_eq(f.frame_count, FRAMES);
    cr_assert_str_eq(f.names[3], "idle1");
    zc__vertex_frames_free(&f);
    for (size_t cut = 0; cut < b.size; ++cut) {
        uint8_t *prefix = malloc(cut ? cut : 1);
        memcpy(prefix, b.data, cut);
        d.message[0] = 0;
        cr_assert_eq(zc__md3_frames_read(prefix, cut, &f, &d), ZC_ERR_BAD_SOURCE, "prefix of %zu bytes", cut);
        cr_assert_neq(d.message[0], 0);
        free(prefix);
    }
    uint8_t *copy = malloc(b.size);
    uint64_t seed = 15;
    int accepted = 0;
    for (int round = 0; round < 2000; ++round) {
        memcpy(copy, b.data, b.size);
        zct_flip_bits(copy, b.size, 400, 4, &seed); /* half the flips in the header, frames and first surface header */
        zc_result r = zc__md3_frames_read(copy, b.size, &f, &d);
        if (r != ZC_OK) {
            cr_assert_eq(r, ZC_ERR_BAD_SOURCE);
            continue;
        }
        accepted++;
        cr_assert_leq(f.mesh_count, 32);
        for (uint32_t m = 0; m < f.mesh_count; ++m) {
            const zc__frame_mesh *fm = &f.meshes[m];
            for (size_t i = 0; i < (size_t)fm->triangle_count * 3; ++i) cr_assert_lt(fm->corners[i], fm->vertex_count);
            for (size_t i = 0; i < (size_t)f.frame_count * fm->vertex_count * 3; ++i) {
                cr_assert(fabsf(fm->positions[i]) <= 512.0f);
                cr_assert(fabsf(fm->normals[i]) <= 1.0f);
            }
        }
        zc__vertex_frames_free(&f);
    }
    cr_log_info("MD3 reader: %d of 2000 damaged files accepted", accepted);
    free(copy);
    free(b.data);
}
