/* zc_pcx_read.c - PCX sources for the texture importer (zc_texture_pixels.h), the
 * image format of many older games' skins and textures (Quake II's MD2 models among
 * them), which stb_image does not read.
 *
 * Read: run-length encoded images of 8 bits per plane with 1 plane (a 256-colour
 * palette after the image, marked by byte 12; grey when the file has none), 3 planes
 * (RGB) or 4 (RGBA), and of 1 bit with 1 plane (two colours) or 4 planes, or 4 bits
 * with 1 plane (16 colours from the header's palette). Rows are decoded as one run-
 * length stream (some writers let a run cross a row's end), each plane's row
 * bytes_per_line bytes long.
 *
 * Untrusted input: the header is checked before use (extent from the window fields,
 * bytes per line enough for the width), the extent against the importer's limit
 * before anything is allocated, and the decoder never reads past the file; data that
 * ends early is an error, never texels from outside the file.
 */
#include <stdlib.h>
#include <string.h>

#include "zc_texture_pixels.h"

#define ZC__PCX_HEADER 128u

typedef struct zc__pcx {
    uint32_t width, height;
    uint32_t bits, planes, bytes_per_line;
} zc__pcx;

int zc_pcx_is(const uint8_t *bytes, size_t size) {
    return size >= ZC__PCX_HEADER && bytes[0] == 0x0A && bytes[1] <= 5 && bytes[1] != 1 && bytes[2] == 1 &&
           (bytes[3] == 1 || bytes[3] == 2 || bytes[3] == 4 || bytes[3] == 8);
}

static zc_result zc__pcx_parse(const uint8_t *b, size_t size, uint32_t cap, zc__pcx *p, zc_diag *diag) {
    memset(p, 0, sizeof *p);
    if (!zc_pcx_is(b, size)) return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable PCX image: its header is damaged");
    uint32_t xmin = zc_le16(b + 4), ymin = zc_le16(b + 6), xmax = zc_le16(b + 8), ymax = zc_le16(b + 10);
    if (xmax < xmin || ymax < ymin)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "PCX header gives an empty window (%u..%u, %u..%u)", xmin, xmax, ymin, ymax);
    p->width = xmax - xmin + 1;
    p->height = ymax - ymin + 1;
    p->bits = b[3];
    p->planes = b[65];
    p->bytes_per_line = zc_le16(b + 66);
    int known = (p->bits == 8 && (p->planes == 1 || p->planes == 3 || p->planes == 4)) ||
                (p->bits == 1 && (p->planes == 1 || p->planes == 4)) || (p->bits == 4 && p->planes == 1);
    if (!known)
        return zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC, "a PCX image of %u bits in %u planes, which is not imported "
                       "(8 bits in 1, 3 or 4 planes, 1 bit in 1 or 4, and 4 bits in 1 are)", p->bits, p->planes);
    if (p->width > cap || p->height > cap)
        return zc__texture_too_large(p->width, p->height, cap, diag);
    if ((uint64_t)p->bytes_per_line * 8 < (uint64_t)p->width * p->bits)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "PCX header gives %u bytes per line, too few for %u texels of %u bits",
                       p->bytes_per_line, p->width, p->bits);
    return ZC_OK;
}

zc_result zc_pcx_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels, zc_diag *diag) {
    zc__pcx p;
    zc_result r = zc__pcx_parse(bytes, size, cap, &p, diag);
    if (r != ZC_OK) return r;
    *w = (int)p.width;
    *h = (int)p.height;
    *channels = p.planes == 4 && p.bits == 8 ? 4 : 3;
    return ZC_OK;
}

/* The run-length stream from `at` into `out` (n bytes); the position after it, or 0
 * when the file ends first. */
static size_t zc__pcx_unpack(const uint8_t *b, size_t size, size_t at, uint8_t *out, size_t n) {
    size_t done = 0;
    while (done < n) {
        if (at >= size) return 0;
        uint8_t c = b[at++];
        size_t count = 1;
        if ((c & 0xC0) == 0xC0) {
            if (at >= size) return 0;
            count = c & 0x3Fu;
            c = b[at++];
        }
        if (count > n - done) count = n - done; /* a run past the image's last row */
        memset(out + done, c, count);
        done += count;
    }
    return at;
}

/* The palette index of texel x in a row of `bits`-bit texels, planes packed. */
static uint32_t zc__pcx_index(const zc__pcx *p, const uint8_t *row, uint32_t x) {
    if (p->bits == 8) return row[x];
    if (p->bits == 4) return (row[x / 2] >> (x % 2 ? 0 : 4)) & 15u;
    uint32_t index = 0; /* 1 bit in each plane, plane 0 the lowest bit */
    for (uint32_t k = 0; k < p->planes; ++k)
        index |= (uint32_t)((row[k * p->bytes_per_line + x / 8] >> (7 - x % 8)) & 1u) << k;
    return index;
}

zc_result zc_pcx_decode(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag) {
    zc__pcx p;
    zc_result r = zc__pcx_parse(bytes, size, UINT32_MAX, &p, diag);
    if (r != ZC_OK) return r;
    if ((int)p.width != w || (int)p.height != h)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "image decoded as %ux%u but its header said %dx%d", p.width, p.height, w, h);
    size_t line = (size_t)p.bytes_per_line * p.planes;
    uint8_t *rows = (uint8_t *)malloc(line * p.height), *rgba = (uint8_t *)malloc((size_t)p.width * p.height * 4);
    if (!rows || !rgba) {
        free(rows);
        free(rgba);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory decoding the image");
    }
    size_t end = zc__pcx_unpack(bytes, size, ZC__PCX_HEADER, rows, line * p.height);
    if (!end) {
        free(rows);
        free(rgba);
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable PCX image: its data ends before its last row");
    }
    /* The palette: 256 colours after the image data for 8-bit paletted images (grey
     * when the file has none), else the header's 16; two-colour images black and white
     * unless the header gives them other colours. */
    uint8_t palette[256 * 3];
    for (uint32_t i = 0; i < 256; ++i) palette[3 * i] = palette[3 * i + 1] = palette[3 * i + 2] = (uint8_t)i;
    if (p.bits == 8 && p.planes == 1) {
        if (size >= 769 && size - 769 >= end && bytes[size - 769] == 12) memcpy(palette, bytes + size - 768, 768);
    } else if (p.planes * p.bits <= 4) {
        memcpy(palette, bytes + 16, 48);
        if (p.bits == 1 && p.planes == 1 && memcmp(palette, "\0\0\0\0\0\0", 6) == 0) memset(palette + 3, 255, 3);
    }
    for (uint32_t y = 0; y < p.height; ++y) {
        const uint8_t *row = rows + y * line;
        uint8_t *t = rgba + (size_t)y * p.width * 4;
        for (uint32_t x = 0; x < p.width; ++x, t += 4) {
            if (p.bits == 8 && p.planes >= 3) {
                for (uint32_t c = 0; c < 3; ++c) t[c] = row[c * p.bytes_per_line + x];
                t[3] = p.planes == 4 ? row[3 * p.bytes_per_line + x] : 255;
            } else {
                memcpy(t, palette + 3 * zc__pcx_index(&p, row, x), 3);
                t[3] = 255;
            }
        }
    }
    free(rows);
    out->width = p.width;
    out->height = p.height;
    out->is_float = 0;
    out->data = rgba;
    return ZC_OK;
}
