/* zc_animation.h - the animation entry type: one clip of key-framed joint channels
 * over a skeleton (zc_skeleton.h).
 *
 * Payload layout (SPEC.md, "Animation"):
 *
 *   zc_animation                      at offset 0 of the entry
 *   zc_animation_channel x count      the target of `channels`, 8-byte aligned
 *   float x time_count                the target of `times`: every channel's key times
 *   float x value_count               the target of `values`: every channel's key values
 *   name bytes, NUL                   the target of `name`
 *
 * A channel animates one property (`path`) of one joint of the skeleton the clip
 * names by asset id: its key times are `key_count` floats from times[first_time],
 * in seconds, non-decreasing; its values `key_count * width` floats from
 * values[first_value] (three times that for cubic spline keys: in-tangent, value,
 * out-tangent per key, as glTF). Translation and scale have width 3, rotation width 4
 * (a quaternion x, y, z, w; readers normalise after interpolating), morph weights one
 * per morph target. Before the first key a channel holds its first value, after the
 * last its last one. Properties no channel animates keep the skeleton's rest pose.
 *
 * The check at the end is safe on untrusted bytes. Pure: no I/O, no allocation.
 */
#ifndef ZC_ANIMATION_LAYOUT_H
#define ZC_ANIMATION_LAYOUT_H

#include "zc_layout.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZC_TYPE_ANIMATION ZC_FOURCC('A', 'N', 'I', 'M')

#define ZC_ANIMATION_LAYOUT_DESC                                                                    \
    "animation/1:name@0:string,skeleton@16:u64,duration@24:f32,joint_count@28:u32,"                 \
    "channels@32:array_channel,times@48:array_f32,values@64:array_f32,reserved@80:u64;"             \
    "channel:joint@0:u32,path@4:u8,interpolation@5:u8,width@6:u16,key_count@8:u32,"                 \
    "first_time@12:u32,first_value@16:u32,reserved@20:u32"
#define ZC_ANIMATION_LAYOUT_HASH 0xc8e7f2ddu /* zc_layout_hash(ZC_ANIMATION_LAYOUT_DESC) */

#define ZC_ANIMATION_MAX_CHANNELS (1u << 20)
#define ZC_ANIMATION_MAX_FLOATS (1u << 30)     /* times, and values, of one clip */
#define ZC_ANIMATION_MAX_NAME 1024u
#define ZC_ANIMATION_MAX_WIDTH 255u            /* floats per key value (morph targets) */
#define ZC_ANIMATION_MAX_JOINTS 65535u         /* joint_count: a skeleton's limit (zc_skeleton.h) */

/* What a channel animates. Values are stable. */
typedef enum zc_animation_path {
    ZC_ANIMATION_TRANSLATION = 0,   /* width 3 */
    ZC_ANIMATION_ROTATION = 1,      /* width 4 */
    ZC_ANIMATION_SCALE = 2,         /* width 3 */
    ZC_ANIMATION_WEIGHTS = 3,       /* width = morph targets, 1 to ZC_ANIMATION_MAX_WIDTH */
} zc_animation_path;

/* How values between two keys are found. Values are stable. */
typedef enum zc_interpolation {
    ZC_INTERPOLATION_STEP = 0,      /* the earlier key's value */
    ZC_INTERPOLATION_LINEAR = 1,    /* lerp; rotations slerp along the shorter arc */
    ZC_INTERPOLATION_CUBIC = 2,     /* Hermite spline through the keys with their tangents */
} zc_interpolation;

typedef struct zc_animation_channel {
    uint32_t joint;             /* index into the skeleton, < joint_count */
    uint8_t path;               /* zc_animation_path */
    uint8_t interpolation;      /* zc_interpolation */
    uint16_t width;             /* floats per value */
    uint32_t key_count;         /* >= 1 */
    uint32_t first_time;        /* index of its first key time in `times` */
    uint32_t first_value;       /* index of its first float in `values` */
    uint32_t reserved;          /* 0 */
} zc_animation_channel;

typedef struct zc_animation {
    zc_string name;             /* UTF-8, at most ZC_ANIMATION_MAX_NAME bytes; may be empty */
    uint64_t skeleton;          /* asset id of the skeleton entry the joints index */
    float duration;             /* seconds: the last key time of any channel; finite, >= 0 */
    uint32_t joint_count;       /* joints of that skeleton, at most ZC_ANIMATION_MAX_JOINTS;
                                   every channel's joint is below */
    zc_array channels;          /* zc_animation_channel[0, ZC_ANIMATION_MAX_CHANNELS] */
    zc_array times;             /* float[0, ZC_ANIMATION_MAX_FLOATS] */
    zc_array values;            /* float[0, ZC_ANIMATION_MAX_FLOATS] */
    uint64_t reserved;          /* 0 */
} zc_animation;

ZC_STATIC_ASSERT(sizeof(zc_animation_channel) == 24, "zc_animation_channel size");
ZC_CHECK_LAYOUT(zc_animation_channel, joint, 0);
ZC_CHECK_LAYOUT(zc_animation_channel, path, 4);
ZC_CHECK_LAYOUT(zc_animation_channel, interpolation, 5);
ZC_CHECK_LAYOUT(zc_animation_channel, width, 6);
ZC_CHECK_LAYOUT(zc_animation_channel, key_count, 8);
ZC_CHECK_LAYOUT(zc_animation_channel, first_time, 12);
ZC_CHECK_LAYOUT(zc_animation_channel, first_value, 16);
ZC_CHECK_LAYOUT(zc_animation_channel, reserved, 20);
ZC_STATIC_ASSERT(sizeof(zc_animation) == 88, "zc_animation size");
ZC_CHECK_LAYOUT(zc_animation, name, 0);
ZC_CHECK_LAYOUT(zc_animation, skeleton, 16);
ZC_CHECK_LAYOUT(zc_animation, duration, 24);
ZC_CHECK_LAYOUT(zc_animation, joint_count, 28);
ZC_CHECK_LAYOUT(zc_animation, channels, 32);
ZC_CHECK_LAYOUT(zc_animation, times, 48);
ZC_CHECK_LAYOUT(zc_animation, values, 64);
ZC_CHECK_LAYOUT(zc_animation, reserved, 80);

/* Floats per key of a channel: width, three times that for cubic keys. */
static inline uint64_t zc_animation_key_floats(const zc_animation_channel *c) {
    return (uint64_t)c->width * (c->interpolation == ZC_INTERPOLATION_CUBIC ? 3u : 1u);
}

#ifdef __cplusplus
}
#endif

#endif /* ZC_ANIMATION_LAYOUT_H */

/* ---------------------------------------------------------------------------------
 * The check (formats/zc_format.h's diagnostics). Left out while ZC__LAYOUT_ONLY is
 * defined, as zc_pack.h includes this header; included again without it (zc_types.h,
 * zc_pack_format.h), it adds the check.
 * ------------------------------------------------------------------------------- */

#if !defined(ZC__LAYOUT_ONLY) && !defined(ZC_ANIMATION_H)
#define ZC_ANIMATION_H

#include "zc_format.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One channel of a clip whose arrays passed their range checks: AN4 to AN7 of SPEC.md.
 * Untrusted. */
static inline zc_result zc__channel_check(const zc_animation *a, const zc_animation_channel *c, uint64_t i,
                                          zc_diag *diag) {
    unsigned long long n = (unsigned long long)i;
    if (c->reserved != 0) return zc_fail(diag, ZC_ERR_BAD_ENTRY, "channel %llu: reserved field is not zero", n);
    if (c->joint >= a->joint_count)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "channel %llu: joint %u of %u", n, c->joint, a->joint_count);
    uint32_t want = c->path == ZC_ANIMATION_ROTATION ? 4u : 3u;
    if (c->path > ZC_ANIMATION_WEIGHTS || (c->path != ZC_ANIMATION_WEIGHTS && c->width != want) ||
        (c->path == ZC_ANIMATION_WEIGHTS && (c->width == 0 || c->width > ZC_ANIMATION_MAX_WIDTH)))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "channel %llu: path %u with width %u", n, c->path, c->width);
    if (c->interpolation > ZC_INTERPOLATION_CUBIC)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "channel %llu: interpolation %u", n, c->interpolation);
    if (c->key_count == 0) return zc_fail(diag, ZC_ERR_BAD_ENTRY, "channel %llu has no keys", n);
    if ((uint64_t)c->first_time + c->key_count > a->times.count ||
        (uint64_t)c->first_value + (uint64_t)c->key_count * zc_animation_key_floats(c) > a->values.count)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "channel %llu: its keys lie outside the clip's arrays", n);
    const float *t = (const float *)zc_array_data(&a->times) + c->first_time;
    for (uint32_t k = 0; k < c->key_count; ++k)
        if (!zc_f32_finite(t[k]) || t[k] < 0.0f || t[k] > a->duration || (k && t[k] < t[k - 1]))
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "channel %llu: key time %u is not in order within the clip", n, k);
    return ZC_OK;
}

/* Full structural check of an animation payload, AN1 to AN8 of SPEC.md (section
 * "Animation"). Untrusted. O(channels + times + values); allocation-free. */
static inline zc_result zc_animation_check(const void *payload, uint64_t size, zc_diag *diag) {
    if (size < sizeof(zc_animation))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "animation entry of %llu bytes is smaller than its header",
                       (unsigned long long)size);
    const zc_animation *a = (const zc_animation *)payload;
    if (a->reserved != 0) return zc_fail(diag, ZC_ERR_BAD_ENTRY, "animation reserved field is not zero");
    if (!zc_f32_finite(a->duration) || a->duration < 0.0f)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "animation duration is not a finite number of seconds");
    if (a->skeleton == 0) return zc_fail(diag, ZC_ERR_BAD_ENTRY, "animation names no skeleton");
    if (a->joint_count > ZC_ANIMATION_MAX_JOINTS)
        return zc_fail(diag, ZC_ERR_LIMIT, "animation over %u joints, more than a skeleton holds", a->joint_count);
    zc_result r = zc_check_string(payload, size, &a->name, ZC_ANIMATION_MAX_NAME, diag);
    if (r == ZC_OK)
        r = zc_check_array(payload, size, &a->channels, sizeof(zc_animation_channel), 8, ZC_ANIMATION_MAX_CHANNELS,
                           diag);
    if (r == ZC_OK) r = zc_check_array(payload, size, &a->times, sizeof(float), 4, ZC_ANIMATION_MAX_FLOATS, diag);
    if (r == ZC_OK) r = zc_check_array(payload, size, &a->values, sizeof(float), 4, ZC_ANIMATION_MAX_FLOATS, diag);
    if (r != ZC_OK) return r;
    const float *values = (const float *)zc_array_data(&a->values);
    for (uint64_t i = 0; i < a->values.count; ++i)
        if (!zc_f32_finite(values[i]))
            return zc_fail(diag, ZC_ERR_BAD_ENTRY, "animation value %llu is not finite", (unsigned long long)i);
    const zc_animation_channel *channels = (const zc_animation_channel *)zc_array_data(&a->channels);
    for (uint64_t i = 0; i < a->channels.count; ++i)
        if ((r = zc__channel_check(a, &channels[i], i, diag)) != ZC_OK) return r;
    return ZC_OK;
}

#ifdef __cplusplus
}
#endif

#endif /* ZC_ANIMATION_H */
