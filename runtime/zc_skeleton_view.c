/* zc_skeleton_view.c - skeleton and animation entries seen through their views, and
 * the allocation-free posing passes: a clip sampled at a time into local poses,
 * local poses into world matrices, world matrices into skinning matrices. */
#include "zc_pack.h"
#include "zc_pack_internal.h"
#include "zc_skeleton.h"
#include "zc_animation.h"

#include <math.h>
#include <string.h>

/* ---------------------------------------------------------------------------------
 * Skeletons
 * ------------------------------------------------------------------------------- */

static void zc__skeleton_fill(const zc_skeleton *s, zc_skeleton_view *out) {
    out->joint_count = (uint32_t)s->joints.count;
    out->joints = (const zc_joint *)zc_array_data(&s->joints);
    out->name_order = (const uint32_t *)zc_array_data(&s->name_order);
}

zc_result zc_skeleton_view_from_bytes(const void *payload, uint64_t size, zc_skeleton_view *out) {
    if (!out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (!payload || ((uintptr_t)payload & 7u) != 0) return ZC_ERR_INVALID_ARGUMENT;
    zc_result r = zc_skeleton_check(payload, size, NULL);
    if (r == ZC_OK) zc__skeleton_fill((const zc_skeleton *)payload, out);
    return r;
}

zc_result zc_skeleton_view_from_entry(const zc_entry *entry, zc_skeleton_view *out) {
    if (!entry || !out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    const void *data;
    uint64_t size;
    zc_result r = zc__entry_structure(entry, ZC_TYPE_SKELETON, &data, &size);
    if (r == ZC_OK) zc__skeleton_fill((const zc_skeleton *)data, out);
    return r;
}

const char *zc_skeleton_view_joint_name(const zc_skeleton_view *view, uint32_t joint, uint32_t *out_length) {
    if (out_length) *out_length = 0;
    if (!view || !view->joints || joint >= view->joint_count) return "";
    if (out_length) *out_length = (uint32_t)view->joints[joint].name.length;
    return zc_string_data(&view->joints[joint].name);
}

uint32_t zc_skeleton_view_find_joint(const zc_skeleton_view *view, const char *name) {
    if (!view || !view->joints || !view->name_order || !name) return ZC_JOINT_NONE;
    size_t length = strlen(name);
    uint32_t lo = 0, hi = view->joint_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const zc_string *s = &view->joints[view->name_order[mid]].name;
        if (zc_skeleton_name_cmp(zc_string_data(s), s->length, name, length) < 0) lo = mid + 1;
        else hi = mid;
    }
    if (lo == view->joint_count) return ZC_JOINT_NONE;
    const zc_string *s = &view->joints[view->name_order[lo]].name;
    return zc_skeleton_name_cmp(zc_string_data(s), s->length, name, length) == 0 ? view->name_order[lo]
                                                                                  : ZC_JOINT_NONE;
}

void zc_skeleton_view_rest_pose(const zc_skeleton_view *view, zc_joint_pose *out) {
    if (!view || !view->joints || !out) return;
    for (uint32_t i = 0; i < view->joint_count; ++i) {
        memcpy(out[i].translation, view->joints[i].translation, sizeof out[i].translation);
        memcpy(out[i].rotation, view->joints[i].rotation, sizeof out[i].rotation);
        memcpy(out[i].scale, view->joints[i].scale, sizeof out[i].scale);
    }
}

void zc_skeleton_view_world(const zc_skeleton_view *view, const zc_joint_pose *locals, float (*out_world)[16]) {
    if (!view || !view->joints || !locals || !out_world) return;
    for (uint32_t i = 0; i < view->joint_count; ++i) {
        const zc_joint_pose *p = &locals[i];
        uint32_t parent = view->joints[i].parent;
        if (parent < i) { /* a checked view has parents first; anything else is a root */
            float local[16];
            zc__trs_matrix(p->translation, p->rotation, p->scale, local);
            zc__mat4_mul(out_world[parent], local, out_world[i]);
        } else {
            zc__trs_matrix(p->translation, p->rotation, p->scale, out_world[i]);
        }
    }
}

void zc_skeleton_view_skin(const zc_skeleton_view *view, const float (*world)[16], float (*out_skin)[16]) {
    if (!view || !view->joints || !world || !out_skin) return;
    for (uint32_t i = 0; i < view->joint_count; ++i) zc__mat4_mul(world[i], view->joints[i].inverse_bind, out_skin[i]);
}

/* ---------------------------------------------------------------------------------
 * Animations
 * ------------------------------------------------------------------------------- */

static void zc__animation_fill(const zc_animation *a, zc_animation_view *out) {
    out->name = zc_string_data(&a->name);
    out->name_length = (uint32_t)a->name.length;
    out->skeleton = a->skeleton;
    out->duration = a->duration;
    out->joint_count = a->joint_count;
    out->channel_count = (uint32_t)a->channels.count;
    out->channels = (const zc_animation_channel *)zc_array_data(&a->channels);
    out->times = (const float *)zc_array_data(&a->times);
    out->values = (const float *)zc_array_data(&a->values);
}

zc_result zc_animation_view_from_bytes(const void *payload, uint64_t size, zc_animation_view *out) {
    if (!out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    out->name = "";
    if (!payload || ((uintptr_t)payload & 7u) != 0) return ZC_ERR_INVALID_ARGUMENT;
    zc_result r = zc_animation_check(payload, size, NULL);
    if (r == ZC_OK) zc__animation_fill((const zc_animation *)payload, out);
    return r;
}

zc_result zc_animation_view_from_entry(const zc_entry *entry, zc_animation_view *out) {
    if (!entry || !out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    out->name = "";
    const void *data;
    uint64_t size;
    zc_result r = zc__entry_structure(entry, ZC_TYPE_ANIMATION, &data, &size);
    if (r == ZC_OK) zc__animation_fill((const zc_animation *)data, out);
    return r;
}

/* The key interval of `time` in times[0, n): *k0 and *k1 (equal outside the keys or
 * with one key) and the fraction between them. Binary search. */
static float zc__key_interval(const float *times, uint32_t n, float time, uint32_t *k0, uint32_t *k1) {
    if (n == 1 || time <= times[0]) {
        *k0 = *k1 = 0;
        return 0.0f;
    }
    if (time >= times[n - 1]) {
        *k0 = *k1 = n - 1;
        return 0.0f;
    }
    uint32_t lo = 0, hi = n - 1; /* times[lo] <= time < times[hi] */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (times[mid] <= time) lo = mid;
        else hi = mid;
    }
    *k0 = lo;
    *k1 = hi;
    float span = times[hi] - times[lo];
    return span > 0.0f ? (time - times[lo]) / span : 0.0f;
}

/* Normalised quaternion a..b at u along the shorter arc (slerp; nlerp where the two
 * are nearly equal, where slerp's division loses precision). */
static void zc__slerp(const float *a, const float *b, float u, float *out) {
    double dot = (double)a[0] * b[0] + (double)a[1] * b[1] + (double)a[2] * b[2] + (double)a[3] * b[3];
    double sign = dot < 0.0 ? -1.0 : 1.0;
    dot *= sign;
    double wa = 1.0 - u, wb = u;
    if (dot < 0.9995) {
        double theta = acos(dot), s = sin(theta);
        wa = sin((1.0 - u) * theta) / s;
        wb = sin(u * theta) / s;
    }
    double q[4], n2 = 0.0;
    for (int k = 0; k < 4; ++k) {
        q[k] = wa * a[k] + wb * sign * b[k];
        n2 += q[k] * q[k];
    }
    double inv = n2 > 0.0 ? 1.0 / sqrt(n2) : 0.0;
    for (int k = 0; k < 4; ++k) out[k] = (float)(q[k] * inv);
}

/* Value of channel c at `time` into out[c->width]. */
static void zc__channel_value(const zc_animation_view *view, const zc_animation_channel *c, float time, float *out) {
    const float *times = view->times + c->first_time, *values = view->values + c->first_value;
    uint32_t k0, k1, w = c->width;
    float u = zc__key_interval(times, c->key_count, time, &k0, &k1);
    if (c->interpolation == ZC_INTERPOLATION_CUBIC) {
        /* keys hold in-tangent, value, out-tangent; Hermite with tangents scaled by the span */
        const float *p0 = values + (size_t)k0 * 3 * w + w, *p1 = values + (size_t)k1 * 3 * w + w;
        if (k0 == k1) {
            memcpy(out, p0, w * sizeof *out);
        } else {
            float span = times[k1] - times[k0], u2 = u * u, u3 = u2 * u;
            const float *m0 = values + (size_t)k0 * 3 * w + 2 * w, *m1 = values + (size_t)k1 * 3 * w;
            for (uint32_t i = 0; i < w; ++i)
                out[i] = (2 * u3 - 3 * u2 + 1) * p0[i] + (u3 - 2 * u2 + u) * span * m0[i] + (-2 * u3 + 3 * u2) * p1[i] +
                         (u3 - u2) * span * m1[i];
        }
    } else {
        const float *v0 = values + (size_t)k0 * w, *v1 = values + (size_t)k1 * w;
        if (c->interpolation == ZC_INTERPOLATION_STEP || k0 == k1) {
            memcpy(out, v0, w * sizeof *out);
        } else if (c->path == ZC_ANIMATION_ROTATION) {
            zc__slerp(v0, v1, u, out);
            return;
        } else {
            for (uint32_t i = 0; i < w; ++i) out[i] = v0[i] + (v1[i] - v0[i]) * u;
        }
    }
    if (c->path == ZC_ANIMATION_ROTATION) { /* step and cubic values are normalised too */
        double n2 = (double)out[0] * out[0] + (double)out[1] * out[1] + (double)out[2] * out[2] + (double)out[3] * out[3];
        double inv = n2 > 0.0 ? 1.0 / sqrt(n2) : 0.0;
        for (int k = 0; k < 4; ++k) out[k] = (float)(out[k] * inv);
    }
}

void zc_animation_view_sample(const zc_animation_view *view, float time, zc_joint_pose *poses, uint32_t pose_count) {
    if (!view || !view->channels || !poses) return;
    for (uint32_t i = 0; i < view->channel_count; ++i) {
        const zc_animation_channel *c = &view->channels[i];
        if (c->joint >= pose_count || c->path == ZC_ANIMATION_WEIGHTS) continue;
        zc_joint_pose *p = &poses[c->joint];
        float *dst = c->path == ZC_ANIMATION_TRANSLATION ? p->translation
                     : c->path == ZC_ANIMATION_ROTATION  ? p->rotation
                                                         : p->scale;
        zc__channel_value(view, c, time, dst);
    }
}

uint32_t zc_animation_view_sample_weights(const zc_animation_view *view, float time, uint32_t joint, float *weights,
                                          uint32_t weight_count) {
    if (!view || !view->channels || !weights) return 0;
    for (uint32_t i = 0; i < view->channel_count; ++i) {
        const zc_animation_channel *c = &view->channels[i];
        if (c->joint != joint || c->path != ZC_ANIMATION_WEIGHTS) continue;
        float value[ZC_ANIMATION_MAX_WIDTH];
        zc__channel_value(view, c, time, value);
        uint32_t n = c->width < weight_count ? c->width : weight_count;
        memcpy(weights, value, n * sizeof *weights);
        return n;
    }
    return 0;
}
