/* viewer_raster.h - the viewer's software rasteriser: a colour and depth target,
 * triangles in clip space clipped against the view volume, perspective-correct
 * interpolation, textured Lambert shading under one directional light, back-face
 * culling and alpha modes. Plus decoding a texture view's level 0 to RGBA8
 * (viewer_decode.c).
 *
 * Conventions: matrices are column-major float[16] (m[column * 4 + row]), as
 * zc_scene_view_world_transforms writes them; clip space is OpenGL's (x, y, z in
 * [-w, w]); front faces are counter-clockwise, as the mesh format states; texture
 * coordinate (0, 0) is the top-left corner of the image (the first texel row of a
 * level, which is how a level is uploaded to a GPU).
 *
 * Threads: a target belongs to one thread at a time; images are read-only after
 * decoding and may be shared. Nothing here keeps global state except the sRGB table
 * that vr_target_init fills once (call it on the main thread before any drawing).
 */
#ifndef VIEWER_RASTER_H
#define VIEWER_RASTER_H

#include <stddef.h>
#include <stdint.h>

#include "zc_pack.h"

/* A texture's level 0 as 8-bit RGBA, top row first. */
typedef struct vr_image {
    uint32_t width, height;
    uint8_t *rgba;              /* width * height * 4 bytes, malloc'd */
    int srgb;                   /* 1: RGB are sRGB-encoded (decoded to linear when sampled) */
} vr_image;

/* Decode level 0, layer 0 of `view` into *out through the packer's pixel-format table
 * (every format it writes; srgb set for sRGB and float formats).
 * ZC_ERR_UNSUPPORTED_CODEC for a format the table lacks (the caller draws with the
 * material's factor alone), ZC_ERR_LIMIT for levels above
 * VR_MAX_IMAGE_TEXELS texels, ZC_ERR_BAD_ENTRY when the level's size or pitch does not
 * fit its extent, ZC_ERR_OUT_OF_MEMORY. On error *out is zeroed. Safe on any view a
 * zc_texture_view_* call produced. */
#define VR_MAX_IMAGE_TEXELS (64u * 1024u * 1024u)
zc_result vr_image_decode(const zc_texture_view *view, vr_image *out);

/* Free the texels and zero the image. NULL and zeroed images are fine. */
void vr_image_free(vr_image *image);

/* Colour (linear RGB floats) and depth (NDC z, smaller is nearer). */
typedef struct vr_target {
    int width, height;
    float *color;               /* width * height * 3 */
    float *depth;               /* width * height */
} vr_target;

/* Allocate a width x height target cleared to `background` (linear RGB) and the far
 * depth. 0 on success, -1 when out of memory. */
int vr_target_init(vr_target *target, int width, int height, const float background[3]);
void vr_target_free(vr_target *target);

/* The target as 8-bit sRGB RGB, top row first: width * height * 3 bytes, malloc'd
 * (NULL when out of memory). */
uint8_t *vr_target_to_srgb8(const vr_target *target);

/* One vertex after the vertex stage. */
typedef struct vr_vertex {
    float clip[4];              /* clip-space position */
    float normal[3];            /* world-space normal, any length */
    float uv[2];                /* base colour texture coordinate */
} vr_vertex;

/* How the triangles of one draw are shaded. */
typedef struct vr_shading {
    float base_color[4];        /* linear RGBA factor */
    const vr_image *base_texture; /* NULL: the factor alone */
    zc_alpha_mode alpha_mode;   /* OPAQUE (and UNDEFINED): alpha ignored; MASK: cutoff; BLEND: over */
    float alpha_cutoff;
    int double_sided;           /* 1: no culling, back faces flip the normal */
    int unlit;                  /* 1: base colour only */
    int mirrored;               /* 1: the model matrix flips handedness (swap the front face) */
    float light_dir[3];         /* unit vector towards the light, world space */
    float ambient;              /* share of light that reaches every face, [0, 1] */
} vr_shading;

/* Draw one triangle: clip, cull, rasterise with a depth test (less), shade. Returns
 * the number of pixels written (0 when culled or clipped away). */
uint64_t vr_draw_triangle(vr_target *target, const vr_shading *shading, const vr_vertex v[3]);

/* ---------------------------------------------------------------------------------
 * Small matrix helpers (column-major)
 * ------------------------------------------------------------------------------- */

void vr_mat4_mul(const float a[16], const float b[16], float out[16]);      /* out = a * b; no aliasing */
int vr_mat4_invert_affine(const float m[16], float out[16]);                /* 0 when singular */
void vr_mat4_transform(const float m[16], const float v[4], float out[4]);  /* out = m * v */
/* OpenGL-style perspective; zfar <= 0 gives the infinite far plane. */
void vr_mat4_perspective(float yfov, float aspect, float znear, float zfar, float out[16]);
void vr_mat4_orthographic(float xmag, float ymag, float znear, float zfar, float out[16]);
/* View matrix of an eye at `eye` looking at `target`, +Y up. */
void vr_mat4_look_at(const float eye[3], const float target[3], float out[16]);
/* Transpose of the inverse of the upper 3x3 (the normal matrix), up to a positive
 * scale; returns the sign of the determinant (-1, 0 or 1). out is column-major 3x3. */
int vr_normal_matrix(const float m[16], float out[9]);

#endif /* VIEWER_RASTER_H */
