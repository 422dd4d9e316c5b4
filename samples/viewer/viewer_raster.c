/* viewer_raster.c - clipping, rasterisation and shading of the viewer (see
 * viewer_raster.h for the conventions). One pass per function: clip a triangle to a
 * polygon, cull it, split it into a fan, scan each triangle's bounding box with edge
 * functions, shade each covered pixel. */
#include "viewer_raster.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------
 * Colour spaces
 * ------------------------------------------------------------------------------- */

static float vr__srgb_table[256];

static void vr__init_srgb_table(void) {
    for (int i = 0; i < 256; ++i) {
        float c = (float)i / 255.0f;
        vr__srgb_table[i] = c <= 0.04045f ? c / 12.92f : powf((c + 0.055f) / 1.055f, 2.4f);
    }
}

static uint8_t vr__linear_to_srgb8(float c) {
    if (!(c > 0.0f)) return 0;          /* also NaN */
    if (c >= 1.0f) return 255;
    float s = c <= 0.0031308f ? c * 12.92f : 1.055f * powf(c, 1.0f / 2.4f) - 0.055f;
    return (uint8_t)(s * 255.0f + 0.5f);
}

/* ---------------------------------------------------------------------------------
 * Target
 * ------------------------------------------------------------------------------- */

int vr_target_init(vr_target *target, int width, int height, const float background[3]) {
    memset(target, 0, sizeof *target);
    if (width <= 0 || height <= 0) return -1;
    size_t pixels = (size_t)width * (size_t)height;
    target->color = malloc(pixels * 3 * sizeof(float));
    target->depth = malloc(pixels * sizeof(float));
    if (!target->color || !target->depth) {
        vr_target_free(target);
        return -1;
    }
    target->width = width;
    target->height = height;
    for (size_t i = 0; i < pixels; ++i) {
        memcpy(&target->color[i * 3], background, 3 * sizeof(float));
        target->depth[i] = FLT_MAX;
    }
    vr__init_srgb_table();
    return 0;
}

void vr_target_free(vr_target *target) {
    if (!target) return;
    free(target->color);
    free(target->depth);
    memset(target, 0, sizeof *target);
}

uint8_t *vr_target_to_srgb8(const vr_target *target) {
    size_t count = (size_t)target->width * (size_t)target->height * 3;
    uint8_t *out = malloc(count ? count : 1);
    if (!out) return NULL;
    for (size_t i = 0; i < count; ++i) out[i] = vr__linear_to_srgb8(target->color[i]);
    return out;
}

/* ---------------------------------------------------------------------------------
 * Texture sampling: bilinear, repeat wrap, in linear light
 * ------------------------------------------------------------------------------- */

static void vr__texel(const vr_image *image, uint32_t x, uint32_t y, float out[4]) {
    const uint8_t *p = &image->rgba[((size_t)y * image->width + x) * 4];
    for (int c = 0; c < 3; ++c) out[c] = image->srgb ? vr__srgb_table[p[c]] : (float)p[c] / 255.0f;
    out[3] = (float)p[3] / 255.0f;
}

static void vr__sample(const vr_image *image, float u, float v, float out[4]) {
    if (!isfinite(u)) u = 0.0f;
    if (!isfinite(v)) v = 0.0f;
    u -= floorf(u);
    v -= floorf(v);
    float x = u * (float)image->width - 0.5f, y = v * (float)image->height - 0.5f;
    float fx0 = floorf(x), fy0 = floorf(y), fx = x - fx0, fy = y - fy0;
    uint32_t w = image->width, h = image->height;
    uint32_t x0 = (uint32_t)((int64_t)fx0 + w) % w, y0 = (uint32_t)((int64_t)fy0 + h) % h;
    uint32_t x1 = (x0 + 1) % w, y1 = (y0 + 1) % h;
    float a[4], b[4], c[4], d[4];
    vr__texel(image, x0, y0, a);
    vr__texel(image, x1, y0, b);
    vr__texel(image, x0, y1, c);
    vr__texel(image, x1, y1, d);
    for (int k = 0; k < 4; ++k) {
        float top = a[k] + (b[k] - a[k]) * fx, bottom = c[k] + (d[k] - c[k]) * fx;
        out[k] = top + (bottom - top) * fy;
    }
}

/* ---------------------------------------------------------------------------------
 * Shading of one pixel
 * ------------------------------------------------------------------------------- */

/* Colour of a pixel in *out (RGBA, linear). Returns 0 when the alpha test discards it. */
static int vr__shade(const vr_shading *s, const float uv[2], const float normal[3], int front, float out[4]) {
    float base[4];
    memcpy(base, s->base_color, sizeof base);
    if (s->base_texture) {
        float t[4];
        vr__sample(s->base_texture, uv[0], uv[1], t);
        for (int k = 0; k < 4; ++k) base[k] *= t[k];
    }
    if (s->alpha_mode == ZC_ALPHA_MASK && base[3] < s->alpha_cutoff) return 0;
    float light = 1.0f;
    if (!s->unlit) {
        float n[3] = { normal[0], normal[1], normal[2] };
        float len = sqrtf(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
        float sign = front ? 1.0f : -1.0f;
        float lambert = len > 0.0f ? sign * (n[0] * s->light_dir[0] + n[1] * s->light_dir[1] +
                                             n[2] * s->light_dir[2]) / len : 0.0f;
        if (!(lambert > 0.0f)) lambert = 0.0f;
        light = s->ambient + (1.0f - s->ambient) * lambert;
    }
    for (int k = 0; k < 3; ++k) out[k] = base[k] * light;
    out[3] = s->alpha_mode == ZC_ALPHA_BLEND ? base[3] : 1.0f;
    return 1;
}

/* ---------------------------------------------------------------------------------
 * Clipping against the view volume
 * ------------------------------------------------------------------------------- */

enum { VR_MAX_POLY = 12, VR_FLOATS = 9 };   /* 3 + 6 planes add at most 6 vertices */

/* Signed distance of a clip-space point to plane `p` (inside >= 0). */
static float vr__plane(const float c[4], int p) {
    switch (p) {
    case 0: return c[3] + c[0];
    case 1: return c[3] - c[0];
    case 2: return c[3] + c[1];
    case 3: return c[3] - c[1];
    case 4: return c[3] + c[2];
    default: return c[3] - c[2];
    }
}

static void vr__lerp(const vr_vertex *a, const vr_vertex *b, float t, vr_vertex *out) {
    float tmp[VR_FLOATS];
    const float *sa[3] = { a->clip, a->normal, a->uv }, *sb[3] = { b->clip, b->normal, b->uv };
    static const int sizes[3] = { 4, 3, 2 };
    int k = 0;
    for (int part = 0; part < 3; ++part)
        for (int i = 0; i < sizes[part]; ++i, ++k) tmp[k] = sa[part][i] + (sb[part][i] - sa[part][i]) * t;
    memcpy(out->clip, tmp, 4 * sizeof(float));
    memcpy(out->normal, tmp + 4, 3 * sizeof(float));
    memcpy(out->uv, tmp + 7, 2 * sizeof(float));
}

/* Sutherland-Hodgman against the six planes; returns the vertex count (0: outside). */
static int vr__clip(vr_vertex poly[VR_MAX_POLY], int count) {
    vr_vertex tmp[VR_MAX_POLY];
    for (int p = 0; p < 6 && count > 0; ++p) {
        int out = 0;
        for (int i = 0; i < count; ++i) {
            const vr_vertex *a = &poly[i], *b = &poly[(i + 1) % count];
            float da = vr__plane(a->clip, p), db = vr__plane(b->clip, p);
            if (da >= 0.0f) tmp[out++] = *a;
            if ((da >= 0.0f) != (db >= 0.0f) && out < VR_MAX_POLY) vr__lerp(a, b, da / (da - db), &tmp[out++]);
        }
        memcpy(poly, tmp, (size_t)out * sizeof *tmp);
        count = out;
    }
    return count >= 3 ? count : 0;
}

/* ---------------------------------------------------------------------------------
 * Rasterisation
 * ------------------------------------------------------------------------------- */

typedef struct vr_screen {
    float x, y, z;              /* pixels (y down), NDC depth */
    float iw;                   /* 1 / w */
    float normal[3], uv[2];     /* divided by w */
} vr_screen;

static float vr__edge(const vr_screen *a, const vr_screen *b, float px, float py) {
    return (b->x - a->x) * (py - a->y) - (b->y - a->y) * (px - a->x);
}

/* Top-left fill rule for an edge of a triangle with positive area (clockwise on screen). */
static int vr__top_left(const vr_screen *a, const vr_screen *b) {
    float dx = b->x - a->x, dy = b->y - a->y;
    return (dy == 0.0f && dx > 0.0f) || dy < 0.0f;
}

static uint64_t vr__fill(vr_target *t, const vr_shading *s, const vr_screen *v0, const vr_screen *v1,
                         const vr_screen *v2, int front) {
    float area = vr__edge(v0, v1, v2->x, v2->y);
    if (area == 0.0f || !isfinite(area)) return 0;
    if (area < 0.0f) {
        const vr_screen *swap = v1;
        v1 = v2;
        v2 = swap;
        area = -area;
    }
    float minx = fminf(v0->x, fminf(v1->x, v2->x)), maxx = fmaxf(v0->x, fmaxf(v1->x, v2->x));
    float miny = fminf(v0->y, fminf(v1->y, v2->y)), maxy = fmaxf(v0->y, fmaxf(v1->y, v2->y));
    int x0 = (int)fmaxf(0.0f, floorf(minx)), x1 = (int)fminf((float)t->width - 1, ceilf(maxx));
    int y0 = (int)fmaxf(0.0f, floorf(miny)), y1 = (int)fminf((float)t->height - 1, ceilf(maxy));
    int tl0 = vr__top_left(v1, v2), tl1 = vr__top_left(v2, v0), tl2 = vr__top_left(v0, v1);
    uint64_t written = 0;
    for (int y = y0; y <= y1; ++y) {
        float py = (float)y + 0.5f;
        for (int x = x0; x <= x1; ++x) {
            float px = (float)x + 0.5f;
            float w0 = vr__edge(v1, v2, px, py), w1 = vr__edge(v2, v0, px, py), w2 = vr__edge(v0, v1, px, py);
            if (w0 < 0.0f || w1 < 0.0f || w2 < 0.0f) continue;
            if ((w0 == 0.0f && !tl0) || (w1 == 0.0f && !tl1) || (w2 == 0.0f && !tl2)) continue;
            w0 /= area, w1 /= area, w2 /= area;
            size_t i = (size_t)y * (size_t)t->width + (size_t)x;
            float z = w0 * v0->z + w1 * v1->z + w2 * v2->z;
            if (!(z < t->depth[i])) continue;
            float iw = w0 * v0->iw + w1 * v1->iw + w2 * v2->iw;
            if (!(iw > 0.0f)) continue;
            float uv[2], n[3], color[4];
            for (int k = 0; k < 2; ++k) uv[k] = (w0 * v0->uv[k] + w1 * v1->uv[k] + w2 * v2->uv[k]) / iw;
            for (int k = 0; k < 3; ++k) n[k] = (w0 * v0->normal[k] + w1 * v1->normal[k] + w2 * v2->normal[k]) / iw;
            if (!vr__shade(s, uv, n, front, color)) continue;
            float *dst = &t->color[i * 3];
            if (s->alpha_mode == ZC_ALPHA_BLEND) {
                for (int k = 0; k < 3; ++k) dst[k] = color[k] * color[3] + dst[k] * (1.0f - color[3]);
            } else {
                memcpy(dst, color, 3 * sizeof(float));
                t->depth[i] = z;
            }
            written++;
        }
    }
    return written;
}

uint64_t vr_draw_triangle(vr_target *target, const vr_shading *shading, const vr_vertex v[3]) {
    vr_vertex poly[VR_MAX_POLY];
    memcpy(poly, v, 3 * sizeof *v);
    int count = vr__clip(poly, 3);
    if (count == 0) return 0;
    vr_screen screen[VR_MAX_POLY];
    float w = (float)target->width, h = (float)target->height, area = 0.0f;
    for (int i = 0; i < count; ++i) {
        const vr_vertex *p = &poly[i];
        if (!(p->clip[3] > 1e-12f)) return 0;
        float iw = 1.0f / p->clip[3];
        vr_screen *s = &screen[i];
        s->x = (p->clip[0] * iw * 0.5f + 0.5f) * w;
        s->y = (0.5f - p->clip[1] * iw * 0.5f) * h;
        s->z = p->clip[2] * iw;
        s->iw = iw;
        for (int k = 0; k < 3; ++k) s->normal[k] = p->normal[k] * iw;
        for (int k = 0; k < 2; ++k) s->uv[k] = p->uv[k] * iw;
    }
    /* Orientation in NDC terms (y up): counter-clockwise is positive. Screen y points
     * down, so the shoelace sum of screen coordinates has the opposite sign. */
    for (int i = 0; i < count; ++i) {
        const vr_screen *a = &screen[i], *b = &screen[(i + 1) % count];
        area -= a->x * b->y - b->x * a->y;
    }
    if (area == 0.0f || !isfinite(area)) return 0;
    int front = (area > 0.0f) != (shading->mirrored != 0);
    if (!front && !shading->double_sided) return 0;
    uint64_t written = 0;
    for (int i = 1; i + 1 < count; ++i)
        written += vr__fill(target, shading, &screen[0], &screen[i], &screen[i + 1], front);
    return written;
}

/* ---------------------------------------------------------------------------------
 * Matrices
 * ------------------------------------------------------------------------------- */

void vr_mat4_mul(const float a[16], const float b[16], float out[16]) {
    for (int c = 0; c < 4; ++c)
        for (int r = 0; r < 4; ++r) {
            float sum = 0.0f;
            for (int k = 0; k < 4; ++k) sum += a[k * 4 + r] * b[c * 4 + k];
            out[c * 4 + r] = sum;
        }
}

void vr_mat4_transform(const float m[16], const float v[4], float out[4]) {
    for (int r = 0; r < 4; ++r) out[r] = m[r] * v[0] + m[4 + r] * v[1] + m[8 + r] * v[2] + m[12 + r] * v[3];
}

/* Cofactors C(r, c) of the upper 3x3 stored row-major (cof[r * 3 + c]), which read
 * column-major is the adjugate; returns the determinant. */
static float vr__cofactors(const float m[16], float cof[9]) {
#define M(r, c) m[(c) * 4 + (r)]
    cof[0] = M(1, 1) * M(2, 2) - M(1, 2) * M(2, 1);
    cof[1] = M(1, 2) * M(2, 0) - M(1, 0) * M(2, 2);
    cof[2] = M(1, 0) * M(2, 1) - M(1, 1) * M(2, 0);
    cof[3] = M(0, 2) * M(2, 1) - M(0, 1) * M(2, 2);
    cof[4] = M(0, 0) * M(2, 2) - M(0, 2) * M(2, 0);
    cof[5] = M(0, 1) * M(2, 0) - M(0, 0) * M(2, 1);
    cof[6] = M(0, 1) * M(1, 2) - M(0, 2) * M(1, 1);
    cof[7] = M(0, 2) * M(1, 0) - M(0, 0) * M(1, 2);
    cof[8] = M(0, 0) * M(1, 1) - M(0, 1) * M(1, 0);
    return M(0, 0) * cof[0] + M(0, 1) * cof[1] + M(0, 2) * cof[2];
#undef M
}

int vr_normal_matrix(const float m[16], float out[9]) {
    float adj[9];
    float det = vr__cofactors(m, adj);
    int sign = det > 0.0f ? 1 : det < 0.0f ? -1 : 0;
    /* inverse^T = C / det: out(r, c) = C(r, c) = adj[r * 3 + c], scaled by |det|. */
    for (int c = 0; c < 3; ++c)
        for (int r = 0; r < 3; ++r) out[c * 3 + r] = adj[r * 3 + c] * (float)sign;
    return sign;
}

int vr_mat4_invert_affine(const float m[16], float out[16]) {
    float adj[9];
    float det = vr__cofactors(m, adj);
    if (det == 0.0f || !isfinite(det)) return 0;
    float inv = 1.0f / det;
    memset(out, 0, 16 * sizeof(float));
    for (int c = 0; c < 3; ++c)
        for (int r = 0; r < 3; ++r) out[c * 4 + r] = adj[c * 3 + r] * inv;
    for (int r = 0; r < 3; ++r)
        out[12 + r] = -(out[r] * m[12] + out[4 + r] * m[13] + out[8 + r] * m[14]);
    out[15] = 1.0f;
    return 1;
}

void vr_mat4_perspective(float yfov, float aspect, float znear, float zfar, float out[16]) {
    float f = 1.0f / tanf(yfov * 0.5f);
    memset(out, 0, 16 * sizeof(float));
    out[0] = f / aspect;
    out[5] = f;
    out[11] = -1.0f;
    if (zfar > znear) {
        out[10] = (zfar + znear) / (znear - zfar);
        out[14] = 2.0f * zfar * znear / (znear - zfar);
    } else {
        out[10] = -1.0f;
        out[14] = -2.0f * znear;
    }
}

void vr_mat4_orthographic(float xmag, float ymag, float znear, float zfar, float out[16]) {
    memset(out, 0, 16 * sizeof(float));
    out[0] = 1.0f / xmag;
    out[5] = 1.0f / ymag;
    out[10] = 2.0f / (znear - zfar);
    out[14] = (zfar + znear) / (znear - zfar);
    out[15] = 1.0f;
}

void vr_mat4_look_at(const float eye[3], const float target[3], float out[16]) {
    float f[3] = { target[0] - eye[0], target[1] - eye[1], target[2] - eye[2] };
    float len = sqrtf(f[0] * f[0] + f[1] * f[1] + f[2] * f[2]);
    for (int k = 0; k < 3; ++k) f[k] = len > 0.0f ? f[k] / len : (k == 2 ? -1.0f : 0.0f);
    float up[3] = { 0, 1, 0 };
    if (fabsf(f[1]) > 0.999f) up[1] = 0, up[2] = 1;
    float r[3] = { f[1] * up[2] - f[2] * up[1], f[2] * up[0] - f[0] * up[2], f[0] * up[1] - f[1] * up[0] };
    len = sqrtf(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
    for (int k = 0; k < 3; ++k) r[k] /= len;
    float u[3] = { r[1] * f[2] - r[2] * f[1], r[2] * f[0] - r[0] * f[2], r[0] * f[1] - r[1] * f[0] };
    memset(out, 0, 16 * sizeof(float));
    for (int c = 0; c < 3; ++c) {
        out[c * 4 + 0] = r[c];
        out[c * 4 + 1] = u[c];
        out[c * 4 + 2] = -f[c];
    }
    out[12] = -(r[0] * eye[0] + r[1] * eye[1] + r[2] * eye[2]);
    out[13] = -(u[0] * eye[0] + u[1] * eye[1] + u[2] * eye[2]);
    out[14] = f[0] * eye[0] + f[1] * eye[1] + f[2] * eye[2];
    out[15] = 1.0f;
}
