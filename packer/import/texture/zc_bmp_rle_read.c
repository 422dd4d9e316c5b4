/* zc_bmp_rle_read.c - run-length encoded BMP sources for the texture importer
 * (zc_texture_pixels.h): the BI_RLE8 and BI_RLE4 bitmaps of older Windows games and
 * tools, which stb_image refuses (it reads the uncompressed kinds).
 *
 * Read: a BITMAPINFOHEADER or a later, longer info header; 8 bits per texel with
 * BI_RLE8 (compression 1) or 4 with BI_RLE4 (2); the palette after the header (the
 * header's colour count, or 2^bits colours); rows stored bottom row first (top row
 * first for a negative height). The stream is pairs: a count and an index (RLE4: two
 * alternating indices) repeated count times; or 0 and an escape: 0 ends a row, 1 ends
 * the bitmap, 2 moves right and up by the next two bytes, 3 or more that many indices
 * stored as they are (padded to an even byte count). Texels the stream skips keep
 * index 0, runs past a row's end are cut there, and an index past the palette is
 * black, as common readers do.
 *
 * Untrusted input: the header, the palette and the data offset are checked against
 * the file, the extent against the importer's limit before anything is allocated, and
 * the decoder never reads past the file; data that ends before the end-of-bitmap
 * escape leaves the rest at index 0.
 */
#include <stdlib.h>
#include <string.h>

#include "zc_texture_pixels.h"

typedef struct zc__bmp_rle {
    uint32_t width, height;
    int top_down;
    uint32_t bits;              /* 8: BI_RLE8, 4: BI_RLE4 */
    size_t data, palette;       /* file offsets */
    uint32_t colours;           /* palette entries in the file */
} zc__bmp_rle;

int zc_bmp_rle_is(const uint8_t *bytes, size_t size) {
    if (size < 54 || bytes[0] != 'B' || bytes[1] != 'M' || zc_le32(bytes + 14) < 40) return 0;
    uint32_t bits = zc_le16(bytes + 28), compression = zc_le32(bytes + 30);
    return (compression == 1 && bits == 8) || (compression == 2 && bits == 4);
}

static zc_result zc__bmp_rle_parse(const uint8_t *b, size_t size, uint32_t cap, zc__bmp_rle *p, zc_diag *diag) {
    memset(p, 0, sizeof *p);
    if (!zc_bmp_rle_is(b, size)) return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable BMP image: its header is damaged");
    uint32_t header = zc_le32(b + 14);
    int32_t w = (int32_t)zc_le32(b + 18), h = (int32_t)zc_le32(b + 22);
    if (w <= 0 || h == 0 || h == INT32_MIN)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "BMP header gives the empty size %dx%d", w, h);
    p->width = (uint32_t)w;
    p->top_down = h < 0;
    p->height = (uint32_t)(h < 0 ? -h : h);
    if (p->width > cap || p->height > cap) return zc__texture_too_large(p->width, p->height, cap, diag);
    p->bits = zc_le16(b + 28);
    uint32_t used = zc_le32(b + 46);
    p->colours = used ? used : 1u << p->bits;
    if (p->colours > 1u << p->bits)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "BMP header gives %u palette colours for %u-bit indices", p->colours,
                       p->bits);
    p->palette = 14 + (size_t)header;
    p->data = zc_le32(b + 10);
    if (p->palette > size || (size - p->palette) / 4 < p->colours)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable BMP image: its palette lies outside the file");
    if (p->data > size) return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable BMP image: its data lies outside the file");
    return ZC_OK;
}

zc_result zc_bmp_rle_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels,
                           zc_diag *diag) {
    zc__bmp_rle p;
    zc_result r = zc__bmp_rle_parse(bytes, size, cap, &p, diag);
    if (r != ZC_OK) return r;
    *w = (int)p.width;
    *h = (int)p.height;
    *channels = 3;
    return ZC_OK;
}

/* Set `count` texels of the row from x on (cut at the row's end), the k-th to
 * index[k % 2]; the next x. */
static uint32_t zc__bmp_rle_put(uint8_t *row, uint32_t width, uint32_t x, uint32_t count, const uint8_t index[2]) {
    for (uint32_t k = 0; k < count && x < width; ++k) row[x++] = index[k & 1];
    return x;
}

/* The stream at b[p->data..size) into indices (width x height, stored rows). */
static void zc__bmp_rle_unpack(const uint8_t *b, size_t size, const zc__bmp_rle *p, uint8_t *indices) {
    size_t at = p->data;
    uint32_t x = 0, y = 0; /* y counts stored rows */
    while (y < p->height && size - at >= 2) {
        uint32_t count = b[at], code = b[at + 1];
        at += 2;
        uint8_t *row = indices + (size_t)y * p->width;
        if (count) { /* a run */
            uint8_t index[2] = { (uint8_t)code, (uint8_t)code };
            if (p->bits == 4) index[0] = (uint8_t)(code >> 4), index[1] = (uint8_t)(code & 15);
            x = zc__bmp_rle_put(row, p->width, x, count, index);
        } else if (code == 0) { /* end of row */
            x = 0;
            y++;
        } else if (code == 1) { /* end of bitmap */
            return;
        } else if (code == 2) { /* delta */
            if (size - at < 2) return;
            x += b[at];
            y += b[at + 1];
            at += 2;
        } else { /* `code` indices as they are */
            size_t bytes = p->bits == 8 ? code : (code + 1) / 2;
            if (size - at < bytes) return;
            for (uint32_t k = 0; k < code && x < p->width; ++k)
                row[x++] = p->bits == 8 ? b[at + k] : (uint8_t)(k & 1 ? b[at + k / 2] & 15 : b[at + k / 2] >> 4);
            at += bytes + (bytes & 1);
            if (at > size) return;
        }
    }
}

zc_result zc_bmp_rle_decode(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag) {
    zc__bmp_rle p;
    zc_result r = zc__bmp_rle_parse(bytes, size, UINT32_MAX, &p, diag);
    if (r != ZC_OK) return r;
    if ((int)p.width != w || (int)p.height != h)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "image decoded as %ux%u but its header said %dx%d", p.width, p.height, w, h);
    size_t texels = (size_t)p.width * p.height;
    uint8_t *indices = (uint8_t *)calloc(texels ? texels : 1, 1), *rgba = (uint8_t *)malloc(texels * 4);
    if (!indices || !rgba) {
        free(indices);
        free(rgba);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory decoding the image");
    }
    zc__bmp_rle_unpack(bytes, size, &p, indices);
    uint8_t palette[256][4];
    memset(palette, 0, sizeof palette);
    for (uint32_t i = 0; i < p.colours; ++i) { /* stored blue, green, red, reserved */
        const uint8_t *c = bytes + p.palette + 4 * (size_t)i;
        palette[i][0] = c[2], palette[i][1] = c[1], palette[i][2] = c[0];
    }
    for (uint32_t y = 0; y < p.height; ++y) {
        const uint8_t *row = indices + (size_t)y * p.width;
        uint8_t *t = rgba + (size_t)(p.top_down ? y : p.height - 1 - y) * p.width * 4;
        for (uint32_t x = 0; x < p.width; ++x, t += 4) {
            memcpy(t, palette[row[x]], 3);
            t[3] = 255;
        }
    }
    free(indices);
    out->width = p.width;
    out->height = p.height;
    out->is_float = 0;
    out->data = rgba;
    return ZC_OK;
}
