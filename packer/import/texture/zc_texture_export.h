/* zc_texture_export.h - a texture entry out as a file the tools people already use:
 * KTX2 (Khronos) or DDS (DirectDraw Surface with the DX10 extension where needed),
 * every level and layer, the pixel format unchanged (block-compressed data stays
 * compressed, rows repacked without the pack's row padding).
 *
 * KTX2: vkFormat per format (R8 9, RG8 16, RGBA8 37 / sRGB 43, RGBA16F 97, RGBA32F 109,
 * BC1 RGBA 133 / 134, BC3 137 / 138, BC4 139, BC5 141), a basic data format descriptor
 * (KDF 1.3, one sample per channel), a KTXwriter key, no supercompression, levels
 * stored smallest first, each at a multiple of lcm(block bytes, 4); layerCount 0 and
 * pixelDepth 0 when the texture is not an array or 3D.
 * DDS: FourCC DXT1 / DXT5 / ATI1 / ATI2 for BC1, BC3, BC4, BC5 and RGBA masks for
 * RGBA8 when that says everything; otherwise (sRGB, R8, RG8, float formats, arrays)
 * the DX10 header with its DXGI format. Data: each layer's levels, largest first.
 *
 * Safe on any texture view that zc_texture_view_from_* accepted. Pure: no I/O; the
 * output is malloc'd. Any thread.
 */
#ifndef ZC_TEXTURE_EXPORT_H
#define ZC_TEXTURE_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "zc_pack.h"
#include "zc_pack_format.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum zc_texture_container {
    ZC_TEXTURE_KTX2 = 1,
    ZC_TEXTURE_DDS = 2,
} zc_texture_container;

/* The whole file for `view` in *out (malloc'd, *out_size bytes). Every pixel format
 * of formats/zc_texture.h has a name in both containers; ZC_ERR_INVALID_ARGUMENT for
 * any other value or kind (with a sentence in diag), ZC_ERR_LIMIT for a texture whose
 * file would not fit in memory, ZC_ERR_OUT_OF_MEMORY. */
zc_result zc_texture_export(const zc_texture_view *view, zc_texture_container kind, uint8_t **out, size_t *out_size,
                            zc_diag *diag);

#ifdef __cplusplus
}
#endif

#endif /* ZC_TEXTURE_EXPORT_H */
