/* zc_morph_view.c - views of morph entries and the CPU reference of blending their
 * targets (zc_pack.h, "Morph targets"; formats/zc_morph.h). */
#include "zc_pack.h"
#include "zc_pack_internal.h"

#include <math.h>
#include <string.h>

static void zc__morph_fill(const zc_morph *m, zc_morph_view *out) {
    out->mesh = m->mesh;
    out->vertex_count = m->vertex_count;
    out->target_count = m->target_count;
    out->weights = (const float *)zc_array_data(&m->weights);
    out->positions = (const float *)zc_array_data(&m->positions);
    out->normals = (m->flags & ZC_MORPH_NORMALS) ? (const float *)zc_array_data(&m->normals) : NULL;
    out->flags = m->flags;
}

zc_result zc_morph_view_from_bytes(const void *payload, uint64_t size, zc_morph_view *out) {
    if (!out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (!payload || ((uintptr_t)payload & 7u) != 0) return ZC_ERR_INVALID_ARGUMENT;
    zc_result r = zc_morph_check(payload, size, NULL);
    if (r == ZC_OK) zc__morph_fill((const zc_morph *)payload, out);
    return r;
}

zc_result zc_morph_view_from_entry(const zc_entry *entry, zc_morph_view *out) {
    if (!entry || !out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    const void *data;
    uint64_t size;
    zc_result r = zc__entry_structure(entry, ZC_TYPE_MORPH, &data, &size);
    if (r == ZC_OK) zc__morph_fill((const zc_morph *)data, out);
    return r;
}

void zc_morph_view_apply(const zc_morph_view *view, const float *weights, int normals, const float *base, float *out,
                         uint32_t vertex_count, uint32_t stride) {
    if (!view || !view->positions || !base || !out || stride < 3) return;
    const float *w = weights ? weights : view->weights;
    const float *offsets = normals ? view->normals : view->positions;
    uint32_t n = vertex_count < view->vertex_count ? vertex_count : view->vertex_count;
    for (uint32_t v = 0; v < n; ++v) {
        const float *b = base + (size_t)v * stride;
        float sum[3] = { b[0], b[1], b[2] };
        for (uint32_t t = 0; offsets && t < view->target_count; ++t) {
            if (w[t] == 0.0f) continue;
            const float *d = offsets + ((size_t)t * view->vertex_count + v) * 3;
            for (int k = 0; k < 3; ++k) sum[k] += w[t] * d[k];
        }
        if (normals && offsets) {
            double len = sqrt((double)sum[0] * sum[0] + (double)sum[1] * sum[1] + (double)sum[2] * sum[2]);
            if (len > 0.0)
                for (int k = 0; k < 3; ++k) sum[k] = (float)(sum[k] / len);
        }
        float *o = out + (size_t)v * stride;
        memcpy(o, sum, sizeof sum);
    }
}
