/* zc_astc.c - ASTC textures (4x4, 6x6 and 8x8 blocks; LDR UNORM and sRGB, and HDR)
 * through Arm's reference codec, libastcenc (Debian's libastcenc-dev): the encoder of
 * the pixel-format rows and their one-block decoder.
 *
 * Encoding: one single-threaded context per level at the "medium" preset
 * (ASTCENC_PRE_MEDIUM), profile LDR, LDR_SRGB or HDR by the row, the image's RGBA8
 * texels (LDR) or RGBA float texels (HDR: colour and alpha both HDR) as they are. A level the codec cannot encode (it runs out of memory) is left as the
 * caller's zeroed bytes, which decode to transparent black; the row table has no way
 * to report it. Decoding: contexts made decompress-only, kept in a small pool for the
 * process (a context serves one call at a time), one 1-block image per call. Both are
 * safe on any bytes and from any thread.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "zc_texture_pixels.h"

#define ZC__ASTC_POOL 8u /* idle decoding contexts kept per block size and profile */

/* libastcenc's entry points. Its header (astcenc.h) is C++ only, while the library
 * exports them with C linkage; these declarations follow its 4.x API, the enums as the
 * int values it defines. The configuration is opaque here: config_init fills it and
 * context_alloc reads it, so a buffer larger than the library's struct (108 bytes in
 * 4.2) is all it needs. */
typedef struct astcenc_context astcenc_context;
typedef struct astcenc_config {
    _Alignas(16) unsigned char opaque[1024];
} astcenc_config;
typedef struct astcenc_image {
    unsigned int dim_x, dim_y, dim_z;
    int data_type;              /* ASTCENC_TYPE_* */
    void **data;
} astcenc_image;
typedef struct astcenc_swizzle {
    int r, g, b, a;             /* ASTCENC_SWZ_* */
} astcenc_swizzle;
enum {
    ASTCENC_SUCCESS = 0,
    ASTCENC_PRF_LDR_SRGB = 0, ASTCENC_PRF_LDR = 1, ASTCENC_PRF_HDR = 3,
    ASTCENC_TYPE_U8 = 0, ASTCENC_TYPE_F32 = 2,
    ASTCENC_SWZ_R = 0, ASTCENC_SWZ_G = 1, ASTCENC_SWZ_B = 2, ASTCENC_SWZ_A = 3,
};
#define ASTCENC_PRE_FASTEST 0.0f
#define ASTCENC_PRE_MEDIUM 60.0f
#define ASTCENC_FLG_DECOMPRESS_ONLY (1u << 4)
int astcenc_config_init(int profile, unsigned int block_x, unsigned int block_y, unsigned int block_z, float quality,
                        unsigned int flags, astcenc_config *config);
int astcenc_context_alloc(const astcenc_config *config, unsigned int thread_count, astcenc_context **context);
int astcenc_compress_image(astcenc_context *context, astcenc_image *image, const astcenc_swizzle *swizzle,
                           uint8_t *data_out, size_t data_len, unsigned int thread_index);
int astcenc_decompress_image(astcenc_context *context, const uint8_t *data, size_t data_len, astcenc_image *image_out,
                             const astcenc_swizzle *swizzle, unsigned int thread_index);
int astcenc_decompress_reset(astcenc_context *context);
void astcenc_context_free(astcenc_context *context);

static const astcenc_swizzle zc__identity = { ASTCENC_SWZ_R, ASTCENC_SWZ_G, ASTCENC_SWZ_B, ASTCENC_SWZ_A };

/* The codec's profile of a row: LDR, LDR sRGB, or HDR (float images). */
typedef enum zc__astc_kind { ZC__ASTC_LDR = 0, ZC__ASTC_SRGB = 1, ZC__ASTC_HDR = 2 } zc__astc_kind;

static int zc__astc_profile(zc__astc_kind kind) {
    return kind == ZC__ASTC_HDR ? ASTCENC_PRF_HDR : kind == ZC__ASTC_SRGB ? ASTCENC_PRF_LDR_SRGB : ASTCENC_PRF_LDR;
}

/* One level of `block` x `block` blocks at dst, block rows row_pitch bytes apart:
 * RGBA8 texels for the LDR profiles, RGBA float ones for HDR. */
static void zc__astc_encode(const zc_texels *img, uint8_t *dst, uint32_t row_pitch, unsigned block, zc__astc_kind kind) {
    astcenc_config config;
    astcenc_context *ctx = NULL;
    if (!img->is_float != (kind != ZC__ASTC_HDR) ||
        astcenc_config_init(zc__astc_profile(kind), block, block, 1, ASTCENC_PRE_MEDIUM, 0, &config) != ASTCENC_SUCCESS ||
        astcenc_context_alloc(&config, 1, &ctx) != ASTCENC_SUCCESS)
        return;
    uint32_t blocks_x = (img->width + block - 1) / block, blocks_y = (img->height + block - 1) / block;
    size_t tight = (size_t)blocks_x * 16u, bytes = tight * blocks_y;
    uint8_t *out = malloc(bytes);
    void *slices[1] = { img->data };
    astcenc_image image = { img->width, img->height, 1, kind == ZC__ASTC_HDR ? ASTCENC_TYPE_F32 : ASTCENC_TYPE_U8, slices };
    if (out && astcenc_compress_image(ctx, &image, &zc__identity, out, bytes, 0) == ASTCENC_SUCCESS)
        for (uint32_t by = 0; by < blocks_y; ++by) memcpy(dst + (size_t)by * row_pitch, out + by * tight, tight);
    free(out);
    astcenc_context_free(ctx);
}

typedef struct zc__astc_pool {
    pthread_mutex_t lock;
    astcenc_context *idle[ZC__ASTC_POOL];
    unsigned count;
} zc__astc_pool;

#define ZC__POOL_INIT { PTHREAD_MUTEX_INITIALIZER, { 0 }, 0 }
/* [block size 4, 6, 8][zc__astc_kind] */
static zc__astc_pool zc__pools[3][3] = {
    { ZC__POOL_INIT, ZC__POOL_INIT, ZC__POOL_INIT },
    { ZC__POOL_INIT, ZC__POOL_INIT, ZC__POOL_INIT },
    { ZC__POOL_INIT, ZC__POOL_INIT, ZC__POOL_INIT },
};

/* One block (16 bytes) to block * block texels at out: RGBA8 for the LDR profiles,
 * RGBA float for HDR; zeros when the codec cannot run. */
static void zc__astc_decode(const uint8_t *data, void *out, unsigned block, zc__astc_kind kind) {
    zc__astc_pool *pool = &zc__pools[block / 2 - 2][kind];
    astcenc_context *ctx = NULL;
    pthread_mutex_lock(&pool->lock);
    if (pool->count) ctx = pool->idle[--pool->count];
    pthread_mutex_unlock(&pool->lock);
    astcenc_config config;
    if (!ctx && (astcenc_config_init(zc__astc_profile(kind), block, block, 1, ASTCENC_PRE_FASTEST,
                                     ASTCENC_FLG_DECOMPRESS_ONLY, &config) != ASTCENC_SUCCESS ||
                 astcenc_context_alloc(&config, 1, &ctx) != ASTCENC_SUCCESS))
        ctx = NULL;
    void *slices[1] = { out };
    astcenc_image image = { block, block, 1, kind == ZC__ASTC_HDR ? ASTCENC_TYPE_F32 : ASTCENC_TYPE_U8, slices };
    if (!ctx || astcenc_decompress_image(ctx, data, 16, &image, &zc__identity, 0) != ASTCENC_SUCCESS)
        memset(out, 0, (size_t)block * block * (kind == ZC__ASTC_HDR ? 16u : 4u));
    if (ctx) astcenc_decompress_reset(ctx);
    pthread_mutex_lock(&pool->lock);
    if (ctx && pool->count < ZC__ASTC_POOL) {
        pool->idle[pool->count++] = ctx;
        ctx = NULL;
    }
    pthread_mutex_unlock(&pool->lock);
    if (ctx) astcenc_context_free(ctx);
}

void zc_astc_decode_hdr(const uint8_t block[16], unsigned block_size, float *rgba) {
    if (block_size != 4 && block_size != 6 && block_size != 8) return;
    zc__astc_decode(block, rgba, block_size, ZC__ASTC_HDR);
}

/* An HDR block as RGBA8 to look at, as RGBA16F levels are shown. */
static void zc__astc_decode_hdr_rgba8(const uint8_t *data, uint8_t *rgba, unsigned block) {
    float texels[8 * 8 * 4];
    zc__astc_decode(data, texels, block, ZC__ASTC_HDR);
    for (unsigned i = 0; i < block * block; ++i) zc_float_texel_to_rgba8(texels + 4 * i, rgba + 4 * i);
}

/* The row functions: zc__encode_astc<N>[_srgb|_hdr], zc__decode_astc<N>[_srgb|_hdr]. */
#define ZC__ASTC_ROW(n)                                                                                   \
    void zc__encode_astc##n(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);                        \
    void zc__encode_astc##n(const zc_texels *img, uint8_t *dst, uint32_t row_pitch) {                       \
        zc__astc_encode(img, dst, row_pitch, n, ZC__ASTC_LDR);                                              \
    }                                                                                                       \
    void zc__encode_astc##n##_srgb(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);                 \
    void zc__encode_astc##n##_srgb(const zc_texels *img, uint8_t *dst, uint32_t row_pitch) {                \
        zc__astc_encode(img, dst, row_pitch, n, ZC__ASTC_SRGB);                                             \
    }                                                                                                       \
    void zc__encode_astc##n##_hdr(const zc_texels *img, uint8_t *dst, uint32_t row_pitch);                  \
    void zc__encode_astc##n##_hdr(const zc_texels *img, uint8_t *dst, uint32_t row_pitch) {                 \
        zc__astc_encode(img, dst, row_pitch, n, ZC__ASTC_HDR);                                              \
    }                                                                                                       \
    void zc__decode_astc##n(const uint8_t *block, uint8_t *rgba);                                           \
    void zc__decode_astc##n(const uint8_t *block, uint8_t *rgba) { zc__astc_decode(block, rgba, n, ZC__ASTC_LDR); } \
    void zc__decode_astc##n##_srgb(const uint8_t *block, uint8_t *rgba);                                    \
    void zc__decode_astc##n##_srgb(const uint8_t *block, uint8_t *rgba) {                                   \
        zc__astc_decode(block, rgba, n, ZC__ASTC_SRGB);                                                     \
    }                                                                                                       \
    void zc__decode_astc##n##_hdr(const uint8_t *block, uint8_t *rgba);                                     \
    void zc__decode_astc##n##_hdr(const uint8_t *block, uint8_t *rgba) { zc__astc_decode_hdr_rgba8(block, rgba, n); }

ZC__ASTC_ROW(4)
ZC__ASTC_ROW(6)
ZC__ASTC_ROW(8)
