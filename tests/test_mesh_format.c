/* test_mesh_format.c - the mesh entry layout (formats/zc_mesh.h) alone: a hand-built
 * quad passes zc_mesh_check, each rule broken on its own gives its error code, every
 * truncation and single-byte damage is refused or accepted without a stray read
 * (run under ASan in the sanitize build), and the layout hash matches its description.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zc_mesh.h"
#include "zc_types.h"

/* The quad: 4 vertices in 2 streams (positions; normal, texcoord, colour), 6 16-bit
 * indices, 1 submesh, 1 meshlet.
 *
 *   0   zc_mesh             192
 *   192 streams[2]           48
 *   240 attributes[4]        32
 *   272 submeshes[1]         24
 *   304 stream 0 data        48  (4 x 12)
 *   352 stream 1 data        64  (4 x 16)
 *   416 indices              12
 *   432 meshlets[1]          16
 *   448 meshlet_vertices[4]  16
 *   464 meshlet_triangles     6  -> 470 bytes
 */
#define QUAD_SIZE 470u

typedef struct quad {
    _Alignas(16) uint8_t bytes[1024];
    size_t size;
    zc_mesh *m;
    zc_vertex_stream *streams;
    zc_vertex_attribute *attrs;
    zc_submesh *subs;
    uint16_t *ix;
    zc_meshlet *ml;
    uint32_t *mv;
    uint8_t *mt;
} quad;

/* Point `field` (inside q->bytes) at entry position `target` with `count` elements. */
static void link(quad *q, zc_array *field, size_t target, uint64_t count) {
    field->offset = (int64_t)target - (int64_t)((uint8_t *)field - q->bytes);
    field->count = count;
}

static void make_quad(quad *q) {
    memset(q, 0, sizeof *q);
    q->size = QUAD_SIZE;
    zc_mesh *m = q->m = (zc_mesh *)q->bytes;
    m->struct_size = sizeof(zc_mesh);
    m->vertex_count = 4;
    m->index_count = 6;
    m->index_size = 2;
    const float lo[3] = { -1, -1, 0 }, hi[3] = { 1, 1, 0 };
    memcpy(m->aabb_min, lo, sizeof lo);
    memcpy(m->aabb_max, hi, sizeof hi);
    m->sphere_radius = 1.41422f;
    q->streams = (zc_vertex_stream *)(q->bytes + 192);
    q->attrs = (zc_vertex_attribute *)(q->bytes + 240);
    q->subs = (zc_submesh *)(q->bytes + 272);
    q->ix = (uint16_t *)(q->bytes + 416);
    q->ml = (zc_meshlet *)(q->bytes + 432);
    q->mv = (uint32_t *)(q->bytes + 448);
    q->mt = q->bytes + 464;
    link(q, &m->streams, 192, 2);
    link(q, &m->attributes, 240, 4);
    link(q, &m->submeshes, 272, 1);
    link(q, &m->indices, 416, 12);
    link(q, &m->meshlets, 432, 1);
    link(q, &m->meshlet_vertices, 448, 4);
    link(q, &m->meshlet_triangles, 464, 6);

    q->streams[0].stride = 12;
    link(q, &q->streams[0].data, 304, 48);
    q->streams[1].stride = 16;
    link(q, &q->streams[1].data, 352, 64);
    const float pos[4][3] = { { -1, -1, 0 }, { 1, -1, 0 }, { -1, 1, 0 }, { 1, 1, 0 } };
    memcpy(q->bytes + 304, pos, sizeof pos);
    for (int v = 0; v < 4; ++v) {
        uint8_t *vert = q->bytes + 352 + 16 * v;
        const int16_t normal[4] = { 0, 0, 32767, 0 };
        memcpy(vert, normal, sizeof normal);
        const uint16_t uv[2] = { (uint16_t)(v & 1 ? 0x3C00 : 0), (uint16_t)(v & 2 ? 0x3C00 : 0) }; /* 1.0h or 0 */
        memcpy(vert + 8, uv, sizeof uv);
        memset(vert + 12, 0xFF, 4);
    }
    const zc_vertex_attribute attrs[4] = {
        { ZC_SEMANTIC_POSITION, ZC_VERTEX_FORMAT_FLOAT32x3, 0, 0, 0, 0 },
        { ZC_SEMANTIC_NORMAL, ZC_VERTEX_FORMAT_SNORM16x4, 1, 0, 0, 0 },
        { ZC_SEMANTIC_TEXCOORD0, ZC_VERTEX_FORMAT_FLOAT16x2, 1, 0, 8, 0 },
        { ZC_SEMANTIC_COLOR0, ZC_VERTEX_FORMAT_UNORM8x4, 1, 0, 12, 0 },
    };
    memcpy(q->attrs, attrs, sizeof attrs);
    const uint16_t ix[6] = { 0, 1, 2, 2, 1, 3 };
    memcpy(q->ix, ix, sizeof ix);
    q->subs[0].index_count = 6;
    q->subs[0].material = UINT64_C(0x1234567890ABCDEF);
    q->subs[0].meshlet_count = 1;
    q->ml[0].vertex_count = 4;
    q->ml[0].triangle_count = 2;
    for (uint32_t i = 0; i < 4; ++i) q->mv[i] = i;
    memcpy(q->mt, (const uint8_t[6]){ 0, 1, 2, 2, 1, 3 }, 6);
}

static void expect(quad *q, zc_result code, const char *what) {
    zc_diag diag = { { 0 } };
    zc_result r = zc_mesh_check(q->bytes, q->size, &diag);
    cr_expect_eq(r, code, "%s: got %s (%s), expected %s", what, zc_result_name(r), diag.message,
                 zc_result_name(code));
    if (code != ZC_OK) cr_expect_neq(diag.message[0], 0, "%s: no diagnostic", what);
}

/* Build a fresh quad, apply the statements (which see q, m and the quad's parts), check. */
#define BROKEN(code, ...)                                                                   \
    do {                                                                                    \
        quad q_;                                                                            \
        quad *q = &q_;                                                                      \
        make_quad(q);                                                                       \
        zc_mesh *m = q->m;                                                                  \
        (void)m;                                                                            \
        __VA_ARGS__;                                                                        \
        expect(q, code, #__VA_ARGS__);                                                      \
    } while (0)

TestSuite(mesh_format);

Test(mesh_format, layout_hash_and_registry) {
    cr_assert_eq(zc_layout_hash(ZC_MESH_LAYOUT_DESC), ZC_MESH_LAYOUT_HASH);
    cr_assert_eq(ZC_TYPE_MESH, ZC_FOURCC('M', 'E', 'S', 'H'));
    cr_assert_str_eq(zc_type_name(ZC_TYPE_MESH), "mesh");
    quad q;
    make_quad(&q);
    cr_assert_eq(zc_check_payload(ZC_TYPE_MESH, ZC_MESH_LAYOUT_HASH, q.bytes, q.size, NULL), ZC_OK);
    cr_assert_eq(zc_check_payload(ZC_TYPE_MESH, ZC_MESH_LAYOUT_HASH ^ 1, q.bytes, q.size, NULL),
                 ZC_ERR_LAYOUT_MISMATCH);
}

Test(mesh_format, enum_tables) {
    uint32_t bytes = 0, comps = 0, min = 0;
    int integer = -1;
    cr_assert(zc_vertex_format_info(ZC_VERTEX_FORMAT_FLOAT32x3, &bytes, &comps, &integer));
    cr_assert_eq(bytes, 12);
    cr_assert_eq(comps, 3);
    cr_assert_eq(integer, 0);
    cr_assert(zc_vertex_format_info(ZC_VERTEX_FORMAT_UINT16x4, &bytes, &comps, &integer));
    cr_assert_eq(bytes, 8);
    cr_assert_eq(integer, 1);
    cr_assert_not(zc_vertex_format_info(0, &bytes, &comps, &integer));
    cr_assert_not(zc_vertex_format_info(ZC__VERTEX_FORMAT_COUNT, &bytes, &comps, &integer));
    cr_assert_str_eq(zc_vertex_format_name(ZC_VERTEX_FORMAT_SNORM8x4), "SNORM8x4");
    cr_assert_null(zc_vertex_format_name(99));
    cr_assert(zc_vertex_semantic_info(ZC_SEMANTIC_JOINTS0, &min, &integer));
    cr_assert_eq(integer, 1);
    cr_assert_eq(min, 4);
    cr_assert_not(zc_vertex_semantic_info(0, &min, &integer));
    cr_assert_not(zc_vertex_semantic_info(ZC__SEMANTIC_COUNT, &min, &integer));
    cr_assert_str_eq(zc_vertex_semantic_name(ZC_SEMANTIC_TEXCOORD1), "TEXCOORD1");
    cr_assert_eq(ZC_SEMANTIC_POSITION, 1);
    cr_assert_eq(ZC_SEMANTIC_WEIGHTS0, 8);
    cr_assert_eq(ZC_VERTEX_FORMAT_FLOAT32x2, 1);
    cr_assert_eq(ZC_VERTEX_FORMAT_UINT16x4, 13);
    cr_assert_lt(ZC__SEMANTIC_COUNT, 32, "the duplicate check keeps one bit per semantic");
}

Test(mesh_format, valid_quad) {
    quad q;
    make_quad(&q);
    expect(&q, ZC_OK, "quad");
    const zc_vertex_attribute *uv = zc_mesh_find_attribute(q.m, ZC_SEMANTIC_TEXCOORD0);
    cr_assert_not_null(uv);
    cr_assert_eq(uv->offset, 8);
    cr_assert_null(zc_mesh_find_attribute(q.m, ZC_SEMANTIC_TANGENT));
    const zc_vertex_stream *s = (const zc_vertex_stream *)zc_array_data(&q.m->streams);
    cr_assert_eq((const uint8_t *)zc_array_data(&s[1].data), q.bytes + 352);
}

Test(mesh_format, valid_variants) {
    BROKEN(ZC_OK, m->meshlets = m->meshlet_vertices = m->meshlet_triangles = (zc_array){ 0, 0 };
           q->subs[0].meshlet_count = 0);
    /* 32-bit indices: the 6 indices widened in place into 24 bytes at 416 */
    BROKEN(ZC_OK, {
        uint8_t *base = q->bytes + 416;
        uint32_t wide[6] = { 0, 1, 2, 2, 1, 3 };
        memmove(q->bytes + 448, q->bytes + 432, 38);
        link(q, &m->meshlets, 448, 1);
        link(q, &m->meshlet_vertices, 464, 4);
        link(q, &m->meshlet_triangles, 480, 6);
        memcpy(base, wide, sizeof wide);
        m->index_size = 4;
        link(q, &m->indices, 416, 24);
        q->size = 486;
    });
    BROKEN(ZC_OK, q->streams[0].reserved = 0; m->struct_size = 200; q->size = 470); /* larger writer header */
    BROKEN(ZC_OK, q->ix[3] = 3);                                                    /* any index < 4 */
    BROKEN(ZC_OK, m->aabb_min[2] = m->aabb_max[2] = 5; m->sphere_radius = 0);        /* flat, point sphere */
    BROKEN(ZC_OK, q->attrs[3].semantic = ZC_SEMANTIC_JOINTS0; q->attrs[3].format = ZC_VERTEX_FORMAT_UINT8x4);
    BROKEN(ZC_OK, q->subs[0].meshlet_count = 0; q->subs[0].material = 0);
}

Test(mesh_format, header_fields) {
    BROKEN(ZC_ERR_BAD_ENTRY, m->struct_size = 184);
    BROKEN(ZC_ERR_BAD_ENTRY, m->struct_size = 196);
    BROKEN(ZC_ERR_BAD_ENTRY, m->struct_size = 472);
    BROKEN(ZC_ERR_BAD_ENTRY, m->flags = 1);
    BROKEN(ZC_ERR_BAD_ENTRY, m->reserved0 = 1);
    BROKEN(ZC_ERR_BAD_ENTRY, m->reserved1[1] = 1);
    BROKEN(ZC_ERR_BAD_ENTRY, m->index_size = 1);
    BROKEN(ZC_ERR_BAD_ENTRY, m->index_size = 3);
    BROKEN(ZC_ERR_LIMIT, m->vertex_count = 0);
    BROKEN(ZC_ERR_LIMIT, m->vertex_count = ZC_MESH_MAX_VERTICES + 1);
    BROKEN(ZC_ERR_LIMIT, m->index_count = 0);
    BROKEN(ZC_ERR_LIMIT, m->index_count = ZC_MESH_MAX_INDICES + 3);
    BROKEN(ZC_ERR_BAD_ENTRY, m->index_count = 7);
    BROKEN(ZC_ERR_BAD_ENTRY, m->vertex_count = 5);  /* streams no longer hold vertex_count vertices */
}

Test(mesh_format, bounds) {
    const float inf = INFINITY, nan = NAN;
    BROKEN(ZC_ERR_BAD_ENTRY, m->aabb_min[0] = 2);
    BROKEN(ZC_ERR_BAD_ENTRY, m->aabb_min[1] = nan);
    BROKEN(ZC_ERR_BAD_ENTRY, m->aabb_max[2] = inf);
    BROKEN(ZC_ERR_BAD_ENTRY, m->aabb_min[0] = -inf);
    BROKEN(ZC_ERR_BAD_ENTRY, m->sphere_center[1] = nan);
    BROKEN(ZC_ERR_BAD_ENTRY, m->sphere_radius = -0.5f);
    BROKEN(ZC_ERR_BAD_ENTRY, m->sphere_radius = inf);
    BROKEN(ZC_ERR_BAD_ENTRY, m->sphere_radius = nan);
}

Test(mesh_format, streams) {
    BROKEN(ZC_ERR_BAD_ENTRY, m->streams.count = 0; m->streams.offset = 0);
    BROKEN(ZC_ERR_LIMIT, m->streams.count = ZC_MESH_MAX_STREAMS + 1);
    BROKEN(ZC_ERR_BAD_POINTER, m->streams.offset += 272);        /* 2 records at 464 overrun 470 */
    BROKEN(ZC_ERR_BAD_POINTER, m->streams.offset = 100000);
    BROKEN(ZC_ERR_BAD_POINTER, m->streams.offset = -1000);
    BROKEN(ZC_ERR_BAD_POINTER, m->streams.offset = INT64_MIN);
    BROKEN(ZC_ERR_BAD_POINTER, m->streams.offset = 0);           /* null with a count */
    BROKEN(ZC_ERR_BAD_ALIGNMENT, m->streams.offset += 4);
    BROKEN(ZC_ERR_LIMIT, q->streams[1].stride = 0);
    BROKEN(ZC_ERR_LIMIT, q->streams[1].stride = 260);
    BROKEN(ZC_ERR_BAD_ALIGNMENT, q->streams[0].stride = 14);
    BROKEN(ZC_ERR_BAD_ENTRY, q->streams[0].reserved = 1);
    BROKEN(ZC_ERR_BAD_ENTRY, q->streams[0].data.count = 47);
    BROKEN(ZC_ERR_BAD_ENTRY, q->streams[0].stride = 16);          /* 48 bytes no longer 4 x 16 */
    BROKEN(ZC_ERR_BAD_ALIGNMENT, q->streams[1].data.offset += 8);
    BROKEN(ZC_ERR_BAD_POINTER, q->streams[1].data.offset += 64);  /* 416 + 64 > 470 */
    BROKEN(ZC_ERR_BAD_POINTER, q->streams[1].data.offset = -1024);
    BROKEN(ZC_ERR_BAD_POINTER, q->streams[1].data.offset = 0);
    /* a huge stride times a huge count must not wrap */
    BROKEN(ZC_ERR_LIMIT, q->streams[0].stride = UINT32_MAX);
    BROKEN(ZC_ERR_BAD_ENTRY, q->streams[0].data.count = UINT64_MAX);
}

Test(mesh_format, attributes) {
    BROKEN(ZC_ERR_BAD_ENTRY, q->attrs[1].semantic = 0);
    BROKEN(ZC_ERR_BAD_ENTRY, q->attrs[1].semantic = ZC__SEMANTIC_COUNT);
    BROKEN(ZC_ERR_BAD_ENTRY, q->attrs[1].semantic = 255);
    BROKEN(ZC_ERR_BAD_ENTRY, q->attrs[2].format = 0);
    BROKEN(ZC_ERR_BAD_ENTRY, q->attrs[2].format = ZC__VERTEX_FORMAT_COUNT);
    BROKEN(ZC_ERR_BAD_ENTRY, q->attrs[1].format = ZC_VERTEX_FORMAT_FLOAT16x2);     /* a 2-component normal */
    BROKEN(ZC_ERR_BAD_ENTRY, q->attrs[0].format = ZC_VERTEX_FORMAT_FLOAT32x2);     /* a 2D position */
    BROKEN(ZC_ERR_BAD_ENTRY, q->attrs[3].format = ZC_VERTEX_FORMAT_UINT8x4);       /* integer colour */
    BROKEN(ZC_ERR_BAD_ENTRY, q->attrs[3].semantic = ZC_SEMANTIC_JOINTS0);          /* normalized joints */
    BROKEN(ZC_ERR_BAD_ENTRY, q->attrs[3].semantic = ZC_SEMANTIC_TEXCOORD0);        /* duplicate */
    BROKEN(ZC_ERR_BAD_ENTRY, q->attrs[0].semantic = ZC_SEMANTIC_TEXCOORD1);        /* no position */
    BROKEN(ZC_ERR_BAD_ENTRY, m->attributes.count = 3; q->attrs[0] = q->attrs[3]);  /* no position */
    BROKEN(ZC_ERR_BAD_ENTRY, m->attributes.count = 0; m->attributes.offset = 0);   /* no position */
    BROKEN(ZC_ERR_BAD_ENTRY, q->attrs[2].stream = 2);
    BROKEN(ZC_ERR_BAD_ENTRY, q->attrs[2].stream = 255);
    BROKEN(ZC_ERR_BAD_ENTRY, q->attrs[2].reserved0 = 1);
    BROKEN(ZC_ERR_BAD_ENTRY, q->attrs[2].reserved1 = 1);
    BROKEN(ZC_ERR_BAD_ALIGNMENT, q->attrs[2].offset = 10);
    BROKEN(ZC_ERR_BAD_ENTRY, q->attrs[3].offset = 16);            /* 16 + 4 > stride 16 */
    BROKEN(ZC_ERR_BAD_ENTRY, q->attrs[1].offset = 12);            /* 12 + 8 > stride 16 */
    BROKEN(ZC_ERR_BAD_ENTRY, q->attrs[0].offset = 65532);         /* no u16 wrap */
    BROKEN(ZC_ERR_LIMIT, m->attributes.count = ZC_MESH_MAX_ATTRIBUTES + 1);
    BROKEN(ZC_ERR_BAD_ALIGNMENT, m->attributes.offset += 4);
    BROKEN(ZC_ERR_BAD_POINTER, m->attributes.offset = 1000);
}

Test(mesh_format, indices) {
    BROKEN(ZC_ERR_BAD_ENTRY, q->ix[5] = 4);
    BROKEN(ZC_ERR_BAD_ENTRY, q->ix[0] = 0xFFFF);
    BROKEN(ZC_ERR_BAD_ENTRY, m->vertex_count = 3; q->streams[0].data.count = 36; q->streams[1].data.count = 48);
    BROKEN(ZC_ERR_BAD_ENTRY, m->indices.count = 10);
    BROKEN(ZC_ERR_BAD_ENTRY, m->index_size = 4);                  /* 12 bytes are not 6 x 4 */
    BROKEN(ZC_ERR_BAD_ALIGNMENT, m->indices.offset += 2);
    BROKEN(ZC_ERR_BAD_POINTER, m->indices.offset += 464);
    BROKEN(ZC_ERR_BAD_POINTER, m->indices.offset = 0);
    BROKEN(ZC_ERR_BAD_ENTRY, m->index_count = 3; m->indices.count = 6); /* submesh now overruns */
}

Test(mesh_format, submeshes) {
    BROKEN(ZC_ERR_BAD_ENTRY, m->submeshes = (zc_array){ 0, 0 });
    BROKEN(ZC_ERR_LIMIT, m->submeshes.count = ZC_MESH_MAX_SUBMESHES + 1);
    BROKEN(ZC_ERR_BAD_POINTER, m->submeshes.count = 9);
    BROKEN(ZC_ERR_BAD_ALIGNMENT, m->submeshes.offset -= 4);
    BROKEN(ZC_ERR_BAD_ENTRY, q->subs[0].index_count = 0);
    BROKEN(ZC_ERR_BAD_ENTRY, q->subs[0].index_count = 4);
    BROKEN(ZC_ERR_BAD_ENTRY, q->subs[0].index_offset = 1; q->subs[0].index_count = 3);
    BROKEN(ZC_ERR_BAD_ENTRY, q->subs[0].index_offset = 3);        /* 3 + 6 > 6 */
    BROKEN(ZC_ERR_BAD_ENTRY, q->subs[0].index_offset = UINT32_MAX - 2; q->subs[0].index_count = 3);
    BROKEN(ZC_ERR_BAD_ENTRY, q->subs[0].meshlet_count = 2);
    BROKEN(ZC_ERR_BAD_ENTRY, q->subs[0].meshlet_offset = 1);
    BROKEN(ZC_ERR_BAD_ENTRY, q->subs[0].meshlet_offset = UINT32_MAX);
    BROKEN(ZC_ERR_BAD_ENTRY, m->meshlets = m->meshlet_vertices = m->meshlet_triangles = (zc_array){ 0, 0 });
}

Test(mesh_format, meshlets) {
    BROKEN(ZC_ERR_BAD_ENTRY, q->mv[2] = 4);
    BROKEN(ZC_ERR_BAD_ENTRY, q->mv[3] = UINT32_MAX);
    BROKEN(ZC_ERR_BAD_ENTRY, q->mt[5] = 4);
    BROKEN(ZC_ERR_BAD_ENTRY, q->ml[0].vertex_count = 3);          /* byte 3 now out of range */
    BROKEN(ZC_ERR_LIMIT, q->ml[0].vertex_count = 0);
    BROKEN(ZC_ERR_LIMIT, q->ml[0].vertex_count = ZC_MESH_MAX_MESHLET_VERTICES + 1);
    BROKEN(ZC_ERR_LIMIT, q->ml[0].triangle_count = 0);
    BROKEN(ZC_ERR_LIMIT, q->ml[0].triangle_count = ZC_MESH_MAX_MESHLET_TRIANGLES + 1);
    BROKEN(ZC_ERR_BAD_ENTRY, q->ml[0].vertex_offset = 1);         /* 1 + 4 > 4 */
    BROKEN(ZC_ERR_BAD_ENTRY, q->ml[0].vertex_offset = UINT32_MAX);
    BROKEN(ZC_ERR_BAD_ENTRY, q->ml[0].triangle_offset = 1);
    BROKEN(ZC_ERR_BAD_ENTRY, q->ml[0].triangle_count = 3);        /* 9 bytes of 6 */
    BROKEN(ZC_ERR_BAD_ENTRY, m->meshlets = (zc_array){ 0, 0 }; q->subs[0].meshlet_count = 0);
    BROKEN(ZC_ERR_BAD_ENTRY, m->meshlet_vertices.count = 3);      /* meshlet range overruns */
    BROKEN(ZC_ERR_BAD_ENTRY, m->meshlet_triangles.count = 0; m->meshlet_triangles.offset = 0);
    /* a second meshlet read from the meshlet_vertices bytes: {0, 1, 2, 3} overlaps the first */
    BROKEN(ZC_ERR_BAD_ENTRY, m->meshlets.count = 2);
    BROKEN(ZC_ERR_BAD_ALIGNMENT, m->meshlets.offset -= 8);
    BROKEN(ZC_ERR_BAD_ALIGNMENT, m->meshlet_vertices.offset += 4; m->meshlet_vertices.count = 3);
    BROKEN(ZC_ERR_BAD_ALIGNMENT, m->meshlet_triangles.offset += 1; m->meshlet_triangles.count = 5);
    BROKEN(ZC_ERR_BAD_POINTER, m->meshlet_triangles.count = 7);
    BROKEN(ZC_ERR_LIMIT, m->meshlets.count = ZC_MESH_MAX_MESHLETS + 1);
}

/* Two meshlets in order with a gap between them pass; out of order they are refused. */
Test(mesh_format, meshlet_order) {
    quad q;
    make_quad(&q);
    /* reuse the single meshlet's arrays: two meshlets of one triangle each */
    memmove(q.bytes + 480, q.bytes + 448, 22);             /* vertices to 480, triangles to 496 */
    link(&q, &q.m->meshlet_vertices, 480, 4);
    link(&q, &q.m->meshlet_triangles, 496, 6);
    zc_meshlet *ml = (zc_meshlet *)(q.bytes + 448);
    ml[0] = (zc_meshlet){ 0, 0, 3, 1 };
    ml[1] = (zc_meshlet){ 0, 3, 4, 1 };                    /* shares vertex range: overlaps */
    link(&q, &q.m->meshlets, 448, 2);
    q.subs[0].meshlet_count = 2;
    q.size = 502;
    expect(&q, ZC_ERR_BAD_ENTRY, "overlapping vertex ranges");
    uint32_t *mv = (uint32_t *)(q.bytes + 480);
    mv[0] = 0, mv[1] = 1, mv[2] = 2, mv[3] = 3;
    q.m->meshlet_vertices.count = 4;
    ml[0] = (zc_meshlet){ 0, 0, 3, 1 };                    /* vertices 0..2, bytes 0..2 */
    ml[1] = (zc_meshlet){ 3, 3, 1, 1 };                    /* vertex 3, bytes 3..5 must be < 1 */
    memcpy(q.bytes + 496, (const uint8_t[6]){ 0, 1, 2, 0, 0, 0 }, 6);
    expect(&q, ZC_OK, "two meshlets in order");
    ml[1].triangle_offset = 2;
    expect(&q, ZC_ERR_BAD_ENTRY, "overlapping triangle ranges");
    ml[1].triangle_offset = 3;
    zc_meshlet tmp = ml[0];
    ml[0] = ml[1];
    ml[1] = tmp;
    expect(&q, ZC_ERR_BAD_ENTRY, "out of order");
}

/* Every proper prefix of the quad is refused; a copy of exactly n bytes means ASan
 * reports any read past the end. */
Test(mesh_format, truncated) {
    quad q;
    make_quad(&q);
    for (size_t n = 0; n < q.size; ++n) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, q.bytes, n);
        zc_diag diag;
        cr_assert_neq(zc_mesh_check(copy, n, &diag), ZC_OK, "cut to %zu bytes accepted", n);
        free(copy);
    }
}

/* Every byte set to a few hostile values: the check never crashes or reads outside. */
Test(mesh_format, byte_damage) {
    static const uint8_t values[] = { 0x00, 0x01, 0x7F, 0x80, 0xFF };
    quad q;
    make_quad(&q);
    uint8_t *copy = malloc(q.size);
    int refused = 0;
    for (size_t at = 0; at < q.size; ++at)
        for (size_t v = 0; v < sizeof values; ++v) {
            memcpy(copy, q.bytes, q.size);
            if (copy[at] == values[v]) continue;
            copy[at] = values[v];
            refused += zc_mesh_check(copy, q.size, NULL) != ZC_OK;
        }
    free(copy);
    cr_assert_gt(refused, 0);
}
