/* zc_webp_read.c - WebP sources for the texture importer (zc_texture_pixels.h), through
 * libwebp's simple decoding API: lossy and lossless still images, with or without
 * alpha; the first frame of an animated file is refused by name (libwebp's simple API
 * does not decode animations). Untrusted input: libwebp checks the bitstream against
 * the buffer's size; the extent is checked against the importer's limits before any
 * pixel is decoded.
 */
#include <stdlib.h>
#include <string.h>

#include <webp/decode.h>

#include "zc_texture_pixels.h"

int zc_webp_is(const uint8_t *bytes, size_t size) {
    return size >= 12 && memcmp(bytes, "RIFF", 4) == 0 && memcmp(bytes + 8, "WEBP", 4) == 0;
}

zc_result zc_webp_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels, zc_diag *diag) {
    WebPBitstreamFeatures features;
    VP8StatusCode status = WebPGetFeatures(bytes, size, &features);
    if (status != VP8_STATUS_OK)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable WebP image: %s",
                       status == VP8_STATUS_NOT_ENOUGH_DATA ? "the file ends inside its header" : "its header is damaged");
    if (features.has_animation)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "an animated WebP image, which is not a texture");
    if (features.width <= 0 || features.height <= 0)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "WebP header gives the empty size %dx%d", features.width, features.height);
    if ((uint32_t)features.width > cap || (uint32_t)features.height > cap)
        return zc__texture_too_large((uint64_t)features.width, (uint64_t)features.height, cap, diag);
    *w = features.width;
    *h = features.height;
    *channels = features.has_alpha ? 4 : 3;
    return ZC_OK;
}

zc_result zc_webp_decode(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag) {
    uint8_t *rgba = (uint8_t *)malloc((size_t)w * (size_t)h * 4);
    if (!rgba) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory decoding the image");
    /* decode into our buffer, so it is freed with free() like every other source */
    if (!WebPDecodeRGBAInto(bytes, size, rgba, (size_t)w * (size_t)h * 4, w * 4)) {
        free(rgba);
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "cannot decode the WebP image: its data is damaged or cut short");
    }
    out->width = (uint32_t)w;
    out->height = (uint32_t)h;
    out->is_float = 0;
    out->data = rgba;
    return ZC_OK;
}
