/* make_demo_scene.c - writes the glTF 2.0 demo scene of samples/assets/scene/.
 *
 *     cc -O2 tools/make_demo_scene.c -lm -o /tmp/make_demo_scene
 *     /tmp/make_demo_scene samples/assets/scene
 *
 * Output: demo.gltf (the JSON document, about 7 KB) and demo.bin (its one buffer, about
 * 2 KB). The scene: a brick-paved ground, a colonnade of two brick pillars with stone
 * capitals crowned by alpha-tested foliage, a stack of three rotated and scaled blocks,
 * a bush, and a perspective camera. Node hierarchy (5 levels on the deepest path):
 *
 *   Ground                    mesh "ground": 12 x 12, the bricks repeated 4 times
 *   Temple                    rotated about Y
 *     Colonnade
 *       Pillar.L / Pillar.R   mesh "column" (a cube whose sides repeat the bricks 3
 *                             times upwards), scaled (0.6, 3, 0.6)
 *         Cap.L / Cap.R       mesh "cap" (stone cube), rotated 45 degrees, flattened
 *           Leaves.L / .R     mesh "foliage": crossed quads, double-sided, MASK alpha
 *     Crates                  mesh "block", rotated
 *       Crate.Top             mesh "block", rotated, scaled 0.7
 *         Crate.Top.Top       mesh "cap", rotated, scaled 0.6
 *     Bush                    mesh "foliage"
 *   Camera                    perspective, yfov 0.75, looking at the colonnade
 *
 * Materials: "bricks" (base colour textures/bricks.png, normal textures/bricks_n.png),
 * "stone" (base colour factor only) and "leaves" (base colour textures/leaves.png,
 * alphaMode MASK, cutoff 0.5, double-sided). Images are referenced by relative URI
 * (../textures/...), so the scene shares the textures `make demo` already packs.
 *
 * Every mesh has POSITION, NORMAL and TEXCOORD_0 and 16-bit indices, with
 * counter-clockwise front faces. Deterministic: the same program writes the same bytes.
 * Regenerate after changing this file and commit both outputs with it.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PI 3.14159265358979323846

enum { MAX_BIN = 8192, MAX_ACCESSORS = 32 };

/* The buffer and the accessors that describe it (one buffer view per accessor). */
static uint8_t bin[MAX_BIN];
static size_t bin_size;

typedef struct accessor {
    size_t offset, length;      /* bytes in bin */
    unsigned count;
    int indices;                /* 1: unsigned short SCALAR; 0: float VEC<components> */
    int components;
    float min[3], max[3];       /* written for POSITION accessors (components 3, has_bounds) */
    int has_bounds;
} accessor;

static accessor accessors[MAX_ACCESSORS];
static int accessor_count;

/* Append `bytes` to the buffer at a 4-byte boundary; returns the accessor index. */
static int add_accessor(const void *data, size_t bytes, unsigned count, int indices, int components) {
    bin_size = (bin_size + 3) & ~(size_t)3;
    if (bin_size + bytes > MAX_BIN || accessor_count == MAX_ACCESSORS) {
        fprintf(stderr, "make_demo_scene: the scene outgrew its fixed buffers\n");
        return -1;
    }
    memcpy(bin + bin_size, data, bytes);
    accessor *a = &accessors[accessor_count];
    memset(a, 0, sizeof *a);
    a->offset = bin_size;
    a->length = bytes;
    a->count = count;
    a->indices = indices;
    a->components = components;
    bin_size += bytes;
    return accessor_count++;
}

/* A mesh's vertex streams as accessors. */
typedef struct geometry {
    int position, normal, texcoord, indices;
} geometry;

enum { MAX_VERTS = 32, MAX_INDICES = 48 };

typedef struct builder {
    float position[MAX_VERTS][3], normal[MAX_VERTS][3], texcoord[MAX_VERTS][2];
    uint16_t index[MAX_INDICES];
    unsigned verts, indices;
} builder;

static void cross(const float a[3], const float b[3], float out[3]) {
    out[0] = a[1] * b[2] - a[2] * b[1];
    out[1] = a[2] * b[0] - a[0] * b[2];
    out[2] = a[0] * b[1] - a[1] * b[0];
}

/* One quad facing `n`, spanning u * [-half_u, half_u] and v * [v0, v1] around `center`,
 * counter-clockwise seen from the side `n` points to (u x v = n). Texture coordinates
 * run 0..repeat_u and 0..repeat_v, with glTF's v = 0 at the top of the image. */
static void add_quad(builder *b, const float center[3], const float n[3], const float v[3], float half_u, float v0,
                     float v1, float repeat_u, float repeat_v) {
    float u[3];
    cross(v, n, u);
    static const float su[4] = { -1, 1, 1, -1 }, sv[4] = { 0, 0, 1, 1 };
    unsigned base = b->verts;
    for (int k = 0; k < 4; ++k) {
        float along = v0 + (v1 - v0) * sv[k];
        for (int c = 0; c < 3; ++c) {
            b->position[base + k][c] = center[c] + u[c] * su[k] * half_u + v[c] * along;
            b->normal[base + k][c] = n[c];
        }
        b->texcoord[base + k][0] = (su[k] + 1.0f) * 0.5f * repeat_u;
        b->texcoord[base + k][1] = (1.0f - sv[k]) * repeat_v;
    }
    static const uint16_t corners[6] = { 0, 1, 2, 0, 2, 3 };
    for (int k = 0; k < 6; ++k) b->index[b->indices + k] = (uint16_t)(base + corners[k]);
    b->verts += 4;
    b->indices += 6;
}

static int emit(const builder *b, geometry *g) {
    g->position = add_accessor(b->position, b->verts * sizeof b->position[0], b->verts, 0, 3);
    g->normal = add_accessor(b->normal, b->verts * sizeof b->normal[0], b->verts, 0, 3);
    g->texcoord = add_accessor(b->texcoord, b->verts * sizeof b->texcoord[0], b->verts, 0, 2);
    g->indices = add_accessor(b->index, b->indices * sizeof b->index[0], b->indices, 1, 1);
    if (g->position < 0 || g->normal < 0 || g->texcoord < 0 || g->indices < 0) return 0;
    accessor *p = &accessors[g->position];
    p->has_bounds = 1;
    for (int c = 0; c < 3; ++c) p->min[c] = p->max[c] = b->position[0][c];
    for (unsigned i = 1; i < b->verts; ++i)
        for (int c = 0; c < 3; ++c) {
            if (b->position[i][c] < p->min[c]) p->min[c] = b->position[i][c];
            if (b->position[i][c] > p->max[c]) p->max[c] = b->position[i][c];
        }
    return 1;
}

/* Unit cube [-0.5, 0.5]^3, one quad per face. The side faces repeat the texture
 * side_repeat times vertically (for a cube stretched into a column), the others once. */
static int make_cube(geometry *g, float side_repeat) {
    builder b = { 0 };
    static const float faces[6][2][3] = {
        { { 1, 0, 0 }, { 0, 1, 0 } },  { { -1, 0, 0 }, { 0, 1, 0 } }, { { 0, 0, 1 }, { 0, 1, 0 } },
        { { 0, 0, -1 }, { 0, 1, 0 } }, { { 0, 1, 0 }, { 0, 0, -1 } }, { { 0, -1, 0 }, { 0, 0, 1 } },
    };
    for (int f = 0; f < 6; ++f) {
        const float *n = faces[f][0], *v = faces[f][1];
        float center[3] = { 0.5f * n[0] - 0.5f * v[0], 0.5f * n[1] - 0.5f * v[1], 0.5f * n[2] - 0.5f * v[2] };
        add_quad(&b, center, n, v, 0.5f, 0.0f, 1.0f, 1.0f, n[1] != 0 ? 1.0f : side_repeat);
    }
    return emit(&b, g);
}

/* Ground: 12 x 12 at y = 0, facing up, the texture repeated 4 times each way. */
static int make_ground(geometry *g) {
    builder b = { 0 };
    static const float center[3] = { 0, 0, 6 }, up[3] = { 0, 1, 0 }, back[3] = { 0, 0, -1 };
    add_quad(&b, center, up, back, 6.0f, 0.0f, 12.0f, 4.0f, 4.0f);
    return emit(&b, g);
}

/* Foliage: two crossed vertical quads 1 wide and 1 high standing on y = 0. */
static int make_foliage(geometry *g) {
    builder b = { 0 };
    static const float center[3] = { 0, 0, 0 }, up[3] = { 0, 1, 0 };
    static const float nz[3] = { 0, 0, 1 }, nx[3] = { 1, 0, 0 };
    add_quad(&b, center, nz, up, 0.5f, 0.0f, 1.0f, 1.0f, 1.0f);
    add_quad(&b, center, nx, up, 0.5f, 0.0f, 1.0f, 1.0f, 1.0f);
    return emit(&b, g);
}

/* ---------------------------------------------------------------------------------
 * Nodes
 * ------------------------------------------------------------------------------- */

enum { MESH_NONE = -1, MESH_GROUND = 0, MESH_BLOCK, MESH_CAP, MESH_FOLIAGE, MESH_COLUMN };
enum { MAX_NODES = 24, MAX_CHILDREN = 4 };

typedef struct node {
    const char *name;
    float t[3], r[4], s[3];
    int mesh;                   /* MESH_*, or MESH_NONE */
    int camera;                 /* 1: camera 0 */
    int children[MAX_CHILDREN], child_count;
} node;

static node nodes[MAX_NODES];
static int node_count;

static int add_node(int parent, const char *name, float tx, float ty, float tz, float yaw_degrees, float sx,
                    float sy, float sz, int mesh) {
    node *n = &nodes[node_count];
    memset(n, 0, sizeof *n);
    n->name = name;
    n->t[0] = tx, n->t[1] = ty, n->t[2] = tz;
    double half = yaw_degrees * PI / 360.0;
    n->r[0] = 0, n->r[1] = (float)sin(half), n->r[2] = 0, n->r[3] = (float)cos(half);
    n->s[0] = sx, n->s[1] = sy, n->s[2] = sz;
    n->mesh = mesh;
    if (parent >= 0) nodes[parent].children[nodes[parent].child_count++] = node_count;
    return node_count++;
}

/* Rotation taking the camera's local -Z onto (target - eye), local +Y towards world up. */
static void look_at(const float eye[3], const float target[3], float q[4]) {
    float f[3] = { target[0] - eye[0], target[1] - eye[1], target[2] - eye[2] }, up[3] = { 0, 1, 0 }, r[3], u[3];
    float len = sqrtf(f[0] * f[0] + f[1] * f[1] + f[2] * f[2]);
    for (int c = 0; c < 3; ++c) f[c] /= len;
    cross(f, up, r);
    len = sqrtf(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
    for (int c = 0; c < 3; ++c) r[c] /= len;
    cross(r, f, u);
    /* columns of the rotation matrix: r, u, -f */
    float m00 = r[0], m11 = u[1], m22 = -f[2];
    float trace = m00 + m11 + m22;
    if (trace > 0) {
        float s = sqrtf(trace + 1.0f) * 2.0f;
        q[3] = 0.25f * s;
        q[0] = (u[2] - (-f[1])) / s;
        q[1] = (-f[0] - r[2]) / s;
        q[2] = (r[1] - u[0]) / s;
    } else if (m00 > m11 && m00 > m22) {
        float s = sqrtf(1.0f + m00 - m11 - m22) * 2.0f;
        q[3] = (u[2] - (-f[1])) / s;
        q[0] = 0.25f * s;
        q[1] = (u[0] + r[1]) / s;
        q[2] = (-f[0] + r[2]) / s;
    } else if (m11 > m22) {
        float s = sqrtf(1.0f + m11 - m00 - m22) * 2.0f;
        q[3] = (-f[0] - r[2]) / s;
        q[0] = (u[0] + r[1]) / s;
        q[1] = 0.25f * s;
        q[2] = (-f[1] + u[2]) / s;
    } else {
        float s = sqrtf(1.0f + m22 - m00 - m11) * 2.0f;
        q[3] = (r[1] - u[0]) / s;
        q[0] = (-f[0] + r[2]) / s;
        q[1] = (-f[1] + u[2]) / s;
        q[2] = 0.25f * s;
    }
}

static void build_nodes(void) {
    add_node(-1, "Ground", 0, 0, 0, 0, 1, 1, 1, MESH_GROUND);
    int temple = add_node(-1, "Temple", 0, 0, 0, 20, 1, 1, 1, MESH_NONE);
    int colonnade = add_node(temple, "Colonnade", 0, 0, -1.5f, 0, 1, 1, 1, MESH_NONE);
    static const char *const sides[2][3] = { { "Pillar.L", "Cap.L", "Leaves.L" }, { "Pillar.R", "Cap.R", "Leaves.R" } };
    for (int side = 0; side < 2; ++side) {
        int pillar = add_node(colonnade, sides[side][0], side ? 2.2f : -2.2f, 1.5f, 0, 0, 0.6f, 3, 0.6f, MESH_COLUMN);
        int cap = add_node(pillar, sides[side][1], 0, 0.55f, 0, 45, 1.6f, 0.1f, 1.6f, MESH_CAP);
        add_node(cap, sides[side][2], 0, 0.5f, 0, side ? 30.0f : -15.0f, 1.8f, 5.0f, 1.8f, MESH_FOLIAGE);
    }
    int crates = add_node(temple, "Crates", 0.3f, 0.5f, 1.6f, 30, 1, 1, 1, MESH_BLOCK);
    int top = add_node(crates, "Crate.Top", 0.1f, 0.85f, 0, 25, 0.7f, 0.7f, 0.7f, MESH_BLOCK);
    add_node(top, "Crate.Top.Top", 0, 0.8f, 0, -20, 0.6f, 0.6f, 0.6f, MESH_CAP);
    add_node(temple, "Bush", -1.9f, 0, 2.2f, 10, 1.8f, 1.3f, 1.8f, MESH_FOLIAGE);
    int camera = add_node(-1, "Camera", 0, 0, 0, 0, 1, 1, 1, MESH_NONE);
    static const float eye[3] = { 5.0f, 3.6f, 7.6f }, target[3] = { 0, 1.6f, 0 };
    memcpy(nodes[camera].t, eye, sizeof eye);
    look_at(eye, target, nodes[camera].r);
    nodes[camera].camera = 1;
}

/* ---------------------------------------------------------------------------------
 * JSON
 * ------------------------------------------------------------------------------- */

static void write_floats(FILE *f, const float *v, int n) {
    fputc('[', f);
    for (int i = 0; i < n; ++i) fprintf(f, "%s%.7g", i ? ", " : "", (double)v[i]);
    fputc(']', f);
}

static void write_accessors(FILE *f) {
    fprintf(f, "  \"bufferViews\": [\n");
    for (int i = 0; i < accessor_count; ++i)
        fprintf(f, "    { \"buffer\": 0, \"byteOffset\": %zu, \"byteLength\": %zu, \"target\": %d }%s\n",
                accessors[i].offset, accessors[i].length, accessors[i].indices ? 34963 : 34962,
                i + 1 < accessor_count ? "," : "");
    fprintf(f, "  ],\n  \"accessors\": [\n");
    for (int i = 0; i < accessor_count; ++i) {
        const accessor *a = &accessors[i];
        static const char *const types[] = { "", "SCALAR", "VEC2", "VEC3" };
        fprintf(f, "    { \"bufferView\": %d, \"componentType\": %d, \"count\": %u, \"type\": \"%s\"", i,
                a->indices ? 5123 : 5126, a->count, a->indices ? "SCALAR" : types[a->components]);
        if (a->has_bounds) {
            fprintf(f, ", \"min\": ");
            write_floats(f, a->min, 3);
            fprintf(f, ", \"max\": ");
            write_floats(f, a->max, 3);
        }
        fprintf(f, " }%s\n", i + 1 < accessor_count ? "," : "");
    }
    fprintf(f, "  ],\n");
}

static void write_primitive(FILE *f, const geometry *g, int material) {
    fprintf(f, "{ \"attributes\": { \"POSITION\": %d, \"NORMAL\": %d, \"TEXCOORD_0\": %d }, \"indices\": %d, "
               "\"material\": %d, \"mode\": 4 }",
            g->position, g->normal, g->texcoord, g->indices, material);
}

static void write_node(FILE *f, const node *n, int last) {
    fprintf(f, "    { \"name\": \"%s\", \"translation\": ", n->name);
    write_floats(f, n->t, 3);
    fprintf(f, ", \"rotation\": ");
    write_floats(f, n->r, 4);
    fprintf(f, ", \"scale\": ");
    write_floats(f, n->s, 3);
    if (n->mesh != MESH_NONE) fprintf(f, ", \"mesh\": %d", n->mesh);
    if (n->camera) fprintf(f, ", \"camera\": 0");
    if (n->child_count) {
        fprintf(f, ", \"children\": [");
        for (int c = 0; c < n->child_count; ++c) fprintf(f, "%s%d", c ? ", " : "", n->children[c]);
        fputc(']', f);
    }
    fprintf(f, " }%s\n", last ? "" : ",");
}

enum { MATERIAL_BRICKS = 0, MATERIAL_STONE = 1, MATERIAL_LEAVES = 2 };

static int write_gltf(FILE *f, const geometry *ground, const geometry *cube, const geometry *foliage,
                      const geometry *column) {
    fprintf(f, "{\n  \"asset\": { \"version\": \"2.0\", \"generator\": \"zcpack tools/make_demo_scene.c\" },\n");
    fprintf(f, "  \"scene\": 0,\n  \"scenes\": [ { \"name\": \"demo\", \"nodes\": [");
    int first = 1;
    for (int i = 0; i < node_count; ++i) {
        int is_child = 0;
        for (int p = 0; p < node_count; ++p)
            for (int c = 0; c < nodes[p].child_count; ++c) is_child |= nodes[p].children[c] == i;
        if (!is_child) fprintf(f, "%s%d", first ? "" : ", ", i), first = 0;
    }
    fprintf(f, "] } ],\n  \"nodes\": [\n");
    for (int i = 0; i < node_count; ++i) write_node(f, &nodes[i], i + 1 == node_count);
    fprintf(f, "  ],\n  \"cameras\": [\n    { \"name\": \"view\", \"type\": \"perspective\", "
               "\"perspective\": { \"yfov\": 0.75, \"znear\": 0.1, \"zfar\": 100 } }\n  ],\n");
    fprintf(f, "  \"meshes\": [\n    { \"name\": \"ground\", \"primitives\": [ ");
    write_primitive(f, ground, MATERIAL_BRICKS);
    fprintf(f, " ] },\n    { \"name\": \"block\", \"primitives\": [ ");
    write_primitive(f, cube, MATERIAL_BRICKS);
    fprintf(f, " ] },\n    { \"name\": \"cap\", \"primitives\": [ ");
    write_primitive(f, cube, MATERIAL_STONE);
    fprintf(f, " ] },\n    { \"name\": \"foliage\", \"primitives\": [ ");
    write_primitive(f, foliage, MATERIAL_LEAVES);
    fprintf(f, " ] },\n    { \"name\": \"column\", \"primitives\": [ ");
    write_primitive(f, column, MATERIAL_BRICKS);
    fprintf(f, " ] }\n  ],\n");
    fprintf(f, "  \"materials\": [\n"
               "    { \"name\": \"bricks\", \"pbrMetallicRoughness\": { \"baseColorTexture\": { \"index\": 0 }, "
               "\"metallicFactor\": 0, \"roughnessFactor\": 0.9 }, \"normalTexture\": { \"index\": 1 } },\n"
               "    { \"name\": \"stone\", \"pbrMetallicRoughness\": { \"baseColorFactor\": [0.42, 0.45, 0.5, 1], "
               "\"metallicFactor\": 0, \"roughnessFactor\": 0.7 } },\n"
               "    { \"name\": \"leaves\", \"pbrMetallicRoughness\": { \"baseColorTexture\": { \"index\": 2 }, "
               "\"metallicFactor\": 0, \"roughnessFactor\": 1 }, \"alphaMode\": \"MASK\", \"alphaCutoff\": 0.5, "
               "\"doubleSided\": true }\n  ],\n");
    fprintf(f, "  \"textures\": [ { \"source\": 0, \"sampler\": 0 }, { \"source\": 1, \"sampler\": 0 }, "
               "{ \"source\": 2, \"sampler\": 0 } ],\n");
    fprintf(f, "  \"images\": [ { \"uri\": \"../textures/bricks.png\" }, { \"uri\": \"../textures/bricks_n.png\" }, "
               "{ \"uri\": \"../textures/leaves.png\" } ],\n");
    fprintf(f, "  \"samplers\": [ { \"magFilter\": 9729, \"minFilter\": 9987, \"wrapS\": 10497, "
               "\"wrapT\": 10497 } ],\n");
    write_accessors(f);
    fprintf(f, "  \"buffers\": [ { \"uri\": \"demo.bin\", \"byteLength\": %zu } ]\n}\n", bin_size);
    return ferror(f) == 0;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <output-dir>\n", argv[0]);
        return 2;
    }
    geometry ground, cube, foliage, column;
    if (!make_ground(&ground) || !make_cube(&cube, 1.0f) || !make_foliage(&foliage) || !make_cube(&column, 3.0f))
        return 1;
    build_nodes();
    char path[1024];
    snprintf(path, sizeof path, "%s/demo.bin", argv[1]);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(bin, 1, bin_size, f) == bin_size;
    if (f) ok &= fclose(f) == 0;
    if (!ok) {
        fprintf(stderr, "make_demo_scene: cannot write %s\n", path);
        return 1;
    }
    snprintf(path, sizeof path, "%s/demo.gltf", argv[1]);
    f = fopen(path, "w");
    ok = f && write_gltf(f, &ground, &cube, &foliage, &column);
    if (f) ok &= fclose(f) == 0;
    if (!ok) {
        fprintf(stderr, "make_demo_scene: cannot write %s\n", path);
        return 1;
    }
    return 0;
}
