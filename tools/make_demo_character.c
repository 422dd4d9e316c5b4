/* make_demo_character.c - writes the skinned, animated glTF 2.0 character of
 * samples/characters/: a segmented stalk ("waver") on a round foot that sways.
 *
 *     cc -O2 tools/make_demo_character.c -lm -o /tmp/make_demo_character
 *     /tmp/make_demo_character samples/characters
 *
 * Output: waver.gltf (the JSON document) and waver.bin (its one buffer). The model:
 *  - one mesh: a tube of radius 0.35 and height 3 (RINGS rings of SIDES vertices,
 *    closed by a cap at each end) with POSITION, NORMAL, JOINTS_0 and WEIGHTS_0;
 *  - a skin of JOINTS joints in a chain ("Root", "Spine1", ...), one every 3 / (JOINTS
 *    - 1) units up the stalk, each vertex weighted between the two joints it lies
 *    between (linearly by height), with their inverse bind matrices;
 *  - one animation "sway" of 2 s: every joint above the root bends about Z by a sine
 *    of growing amplitude, a quarter period behind the joint below it (KEYS keys,
 *    linear), and the root turns about Y.
 * Material: "skin", an orange base colour factor. Node hierarchy: Waver (the mesh and
 * its skin) and the joint chain under the scene root, as glTF asks.
 * Deterministic: the same program writes the same bytes. Regenerate after changing
 * this file and commit both outputs with it.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PI 3.14159265358979323846
enum { SIDES = 10, RINGS = 13, JOINTS = 4, KEYS = 17 };
#define HEIGHT 3.0f
#define RADIUS 0.35f
#define DURATION 2.0f

enum { VERTS = SIDES * RINGS + 2, TRIS = SIDES * (RINGS - 1) * 2 + SIDES * 2 };

static float position[VERTS][3], normal[VERTS][3], weight[VERTS][4];
static uint16_t joint[VERTS][4], index_[TRIS * 3];
static float inverse_bind[JOINTS][16], times[KEYS], rotation[JOINTS][KEYS][4];

static float joint_height(int j) {
    return HEIGHT * (float)j / (float)(JOINTS - 1);
}

/* The vertex at height y: weighted between the joints below and above it. */
static void skin_vertex(int v, float y) {
    float at = y / HEIGHT * (float)(JOINTS - 1);
    int below = (int)floorf(at);
    if (below >= JOINTS - 1) below = JOINTS - 2;
    float up = at - (float)below;
    joint[v][0] = (uint16_t)below;
    joint[v][1] = (uint16_t)(below + 1);
    weight[v][0] = 1.0f - up;
    weight[v][1] = up;
}

static void build_mesh(void) {
    unsigned t = 0;
    for (int r = 0; r < RINGS; ++r) {
        float y = HEIGHT * (float)r / (float)(RINGS - 1);
        for (int s = 0; s < SIDES; ++s) {
            int v = r * SIDES + s;
            double a = 2.0 * PI * s / SIDES;
            float c = (float)cos(a), sn = (float)sin(a);
            position[v][0] = RADIUS * c, position[v][1] = y, position[v][2] = RADIUS * sn;
            normal[v][0] = c, normal[v][1] = 0.0f, normal[v][2] = sn;
            skin_vertex(v, y);
        }
    }
    for (int r = 0; r + 1 < RINGS; ++r)
        for (int s = 0; s < SIDES; ++s) { /* counter-clockwise seen from outside */
            uint16_t a = (uint16_t)(r * SIDES + s), b = (uint16_t)(r * SIDES + (s + 1) % SIDES);
            uint16_t c = (uint16_t)(a + SIDES), d = (uint16_t)(b + SIDES);
            const uint16_t tri[6] = { a, c, b, b, c, d };
            memcpy(&index_[t], tri, sizeof tri);
            t += 6;
        }
    for (int end = 0; end < 2; ++end) { /* caps: a centre vertex and a fan */
        int centre = SIDES * RINGS + end, ring = end ? RINGS - 1 : 0;
        float y = end ? HEIGHT : 0.0f;
        position[centre][1] = y;
        normal[centre][1] = end ? 1.0f : -1.0f;
        skin_vertex(centre, y);
        for (int s = 0; s < SIDES; ++s) {
            uint16_t a = (uint16_t)(ring * SIDES + s), b = (uint16_t)(ring * SIDES + (s + 1) % SIDES);
            const uint16_t up[3] = { (uint16_t)centre, b, a }, down[3] = { (uint16_t)centre, a, b };
            memcpy(&index_[t], end ? up : down, sizeof up);
            t += 3;
        }
    }
}

static void build_skin_and_clip(void) {
    for (int j = 0; j < JOINTS; ++j) { /* joints translate up the stalk: the inverse moves back down */
        memset(inverse_bind[j], 0, sizeof inverse_bind[j]);
        inverse_bind[j][0] = inverse_bind[j][5] = inverse_bind[j][10] = inverse_bind[j][15] = 1.0f;
        inverse_bind[j][13] = -joint_height(j);
    }
    for (int k = 0; k < KEYS; ++k) {
        times[k] = DURATION * (float)k / (float)(KEYS - 1);
        double phase = 2.0 * PI * k / (KEYS - 1);
        double turn = 0.5 * sin(phase); /* the root turns about Y */
        rotation[0][k][0] = 0.0f, rotation[0][k][1] = (float)sin(turn / 2), rotation[0][k][2] = 0.0f;
        rotation[0][k][3] = (float)cos(turn / 2);
        for (int j = 1; j < JOINTS; ++j) { /* the others bend about Z, each later and more */
            double bend = (0.25 + 0.15 * j) * sin(phase - 0.5 * PI * (j - 1));
            rotation[j][k][0] = 0.0f, rotation[j][k][1] = 0.0f, rotation[j][k][2] = (float)sin(bend / 2);
            rotation[j][k][3] = (float)cos(bend / 2);
        }
    }
}

/* ---------------------------------------------------------------------------------
 * Writing: one buffer, one buffer view per accessor
 * ------------------------------------------------------------------------------- */

typedef struct view {
    const void *data;
    size_t bytes;
    unsigned count;
    const char *component;      /* glTF componentType number as text */
    const char *type;
    int target;                 /* 34962 vertices, 34963 indices, 0 none */
} view;

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: make_demo_character <output directory>\n");
        return 2;
    }
    build_mesh();
    build_skin_and_clip();
    const view views[] = {
        { position, sizeof position, VERTS, "5126", "VEC3", 34962 },
        { normal, sizeof normal, VERTS, "5126", "VEC3", 34962 },
        { joint, sizeof joint, VERTS, "5123", "VEC4", 34962 },
        { weight, sizeof weight, VERTS, "5126", "VEC4", 34962 },
        { index_, sizeof index_, TRIS * 3, "5123", "SCALAR", 34963 },
        { inverse_bind, sizeof inverse_bind, JOINTS, "5126", "MAT4", 0 },
        { times, sizeof times, KEYS, "5126", "SCALAR", 0 },
    };
    enum { FIXED_VIEWS = sizeof views / sizeof views[0] };
    char path[4096];
    snprintf(path, sizeof path, "%s/waver.bin", argv[1]);
    FILE *bin = fopen(path, "wb");
    if (!bin) {
        perror(path);
        return 1;
    }
    size_t offsets[FIXED_VIEWS + JOINTS], at = 0;
    for (int i = 0; i < FIXED_VIEWS; ++i) {
        offsets[i] = at;
        fwrite(views[i].data, 1, views[i].bytes, bin);
        at += views[i].bytes;
        static const uint8_t pad[4] = { 0, 0, 0, 0 };
        size_t rest = (4 - at % 4) % 4;
        fwrite(pad, 1, rest, bin);
        at += rest;
    }
    for (int j = 0; j < JOINTS; ++j) {
        offsets[FIXED_VIEWS + j] = at;
        fwrite(rotation[j], 1, sizeof rotation[j], bin);
        at += sizeof rotation[j];
    }
    if (fclose(bin) != 0) {
        perror(path);
        return 1;
    }

    snprintf(path, sizeof path, "%s/waver.gltf", argv[1]);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    fprintf(f, "{\n  \"asset\": { \"version\": \"2.0\", \"generator\": \"zcpack tools/make_demo_character.c\" },\n");
    fprintf(f, "  \"scene\": 0,\n  \"scenes\": [ { \"nodes\": [ 0, 1 ] } ],\n  \"nodes\": [\n");
    fprintf(f, "    { \"name\": \"Waver\", \"mesh\": 0, \"skin\": 0 }");
    for (int j = 0; j < JOINTS; ++j) {
        fprintf(f, ",\n    { \"name\": \"%s%d\", \"translation\": [ 0, %g, 0 ]", j ? "Spine" : "Root", j,
                j ? (double)(HEIGHT / (JOINTS - 1)) : 0.0);
        if (j + 1 < JOINTS) fprintf(f, ", \"children\": [ %d ]", j + 2);
        fprintf(f, " }");
    }
    fprintf(f, "\n  ],\n  \"skins\": [ { \"inverseBindMatrices\": 5, \"skeleton\": 1, \"joints\": [");
    for (int j = 0; j < JOINTS; ++j) fprintf(f, "%s %d", j ? "," : "", j + 1);
    fprintf(f, " ] } ],\n");
    fprintf(f, "  \"meshes\": [ { \"name\": \"stalk\", \"primitives\": [ { \"attributes\": { \"POSITION\": 0, "
               "\"NORMAL\": 1, \"JOINTS_0\": 2, \"WEIGHTS_0\": 3 }, \"indices\": 4, \"material\": 0 } ] } ],\n");
    fprintf(f, "  \"materials\": [ { \"name\": \"skin\", \"pbrMetallicRoughness\": { \"baseColorFactor\": "
               "[ 0.9, 0.45, 0.12, 1 ], \"metallicFactor\": 0, \"roughnessFactor\": 0.7 } } ],\n");
    fprintf(f, "  \"animations\": [ { \"name\": \"sway\", \"samplers\": [");
    for (int j = 0; j < JOINTS; ++j)
        fprintf(f, "%s\n    { \"input\": 6, \"output\": %d, \"interpolation\": \"LINEAR\" }", j ? "," : "",
                FIXED_VIEWS + j);
    fprintf(f, " ],\n    \"channels\": [");
    for (int j = 0; j < JOINTS; ++j)
        fprintf(f, "%s\n    { \"sampler\": %d, \"target\": { \"node\": %d, \"path\": \"rotation\" } }", j ? "," : "", j,
                j + 1);
    fprintf(f, " ] } ],\n  \"buffers\": [ { \"uri\": \"waver.bin\", \"byteLength\": %zu } ],\n  \"bufferViews\": [", at);
    for (int i = 0; i < FIXED_VIEWS + JOINTS; ++i) {
        size_t bytes = i < FIXED_VIEWS ? views[i].bytes : sizeof rotation[0];
        int target = i < FIXED_VIEWS ? views[i].target : 0;
        fprintf(f, "%s\n    { \"buffer\": 0, \"byteOffset\": %zu, \"byteLength\": %zu", i ? "," : "", offsets[i], bytes);
        if (target) fprintf(f, ", \"target\": %d", target);
        fprintf(f, " }");
    }
    fprintf(f, " ],\n  \"accessors\": [");
    for (int i = 0; i < FIXED_VIEWS + JOINTS; ++i) {
        const view *v = i < FIXED_VIEWS ? &views[i] : NULL;
        fprintf(f, "%s\n    { \"bufferView\": %d, \"componentType\": %s, \"count\": %u, \"type\": \"%s\"", i ? "," : "", i,
                v ? v->component : "5126", v ? v->count : KEYS, v ? v->type : "VEC4");
        if (i == 0)
            fprintf(f, ", \"min\": [ %g, 0, %g ], \"max\": [ %g, %g, %g ]", -(double)RADIUS, -(double)RADIUS,
                    (double)RADIUS, (double)HEIGHT, (double)RADIUS);
        if (i == 6) fprintf(f, ", \"min\": [ 0 ], \"max\": [ %g ]", (double)DURATION);
        fprintf(f, " }");
    }
    fprintf(f, " ]\n}\n");
    if (fclose(f) != 0) {
        perror(path);
        return 1;
    }
    return 0;
}
