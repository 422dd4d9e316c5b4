/* viewer_decode.c - level 0 of a texture view as RGBA8, through the decoder of its
 * format's row in the packer's pixel-format table (zc_pixel_formats.h; the viewer
 * links the packer library already for --import). Every format the packer writes is
 * shown: sRGB formats and float formats (decoded to sRGB-encoded bytes) as colour,
 * the others as stored. */
#include "viewer_raster.h"

#include <stdlib.h>
#include <string.h>

#include "zc_pixel_formats.h"

zc_result vr_image_decode(const zc_texture_view *view, vr_image *out) {
    memset(out, 0, sizeof *out);
    if (!view) return ZC_ERR_INVALID_ARGUMENT;
    const zc_pixel_format_row *row = zc_pixel_format_row_of(view->format);
    if (!row) return ZC_ERR_UNSUPPORTED_CODEC;
    zc_texture_level_view level;
    zc_result r = zc_texture_view_level(view, 0, 0, &level);
    if (r != ZC_OK) return r;
    if (level.width == 0 || level.height == 0 || !level.data) return ZC_ERR_BAD_ENTRY;
    uint64_t depth = level.depth ? level.depth : 1;
    if ((uint64_t)level.width * level.height * depth > VR_MAX_IMAGE_TEXELS) return ZC_ERR_LIMIT;
    out->rgba = malloc((size_t)level.width * level.height * depth * 4); /* every slice; slice 0 is shown */
    if (!out->rgba) return ZC_ERR_OUT_OF_MEMORY;
    if (zc_texture_level_decode_rgba8(view->format, &level, out->rgba) != ZC_OK) {
        vr_image_free(out);
        return ZC_ERR_BAD_ENTRY; /* a pitch or size too small for the extent */
    }
    out->width = level.width;
    out->height = level.height;
    out->srgb = zc_pixel_format_is_srgb(view->format) || (row->flags & ZC_PIXEL_ROW_FLOAT);
    return ZC_OK;
}

void vr_image_free(vr_image *image) {
    if (!image) return;
    free(image->rgba);
    memset(image, 0, sizeof *image);
}
