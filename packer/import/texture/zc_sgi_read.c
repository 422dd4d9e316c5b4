/* zc_sgi_read.c - SGI image sources for the texture importer (zc_texture_pixels.h):
 * the .rgb, .rgba, .sgi, .bw and .int files of Silicon Graphics' image library, in
 * which the textures of many driving and flight games and their AC3D models are kept,
 * and which stb_image does not read.
 *
 * Read: a 512-byte big-endian header (magic 474, storage 0 = verbatim or 1 = run-
 * length encoded, 1 or 2 bytes per channel value, dimension 1 to 3, the three sizes,
 * colour map 0 = normal), then channel planes of rows stored bottom row first. One
 * channel is grey, two grey and alpha, three RGB, four or more RGBA (further channels
 * are ignored). Two-byte values keep their high byte. Run-length encoded files give
 * each row's offset and length in two tables after the header; a row is a list of
 * packets whose first value counts (its low 7 bits) and says whether the values that
 * follow are copied (bit 7 set) or one value repeated.
 *
 * Untrusted input: the header is checked before use, the extent against the
 * importer's limit before anything is allocated, the tables and rows against the
 * file's size; a row that ends early is an error, never texels from outside the file,
 * and a run longer than its row is cut at the row's end.
 */
#include <stdlib.h>
#include <string.h>

#include "zc_texture_pixels.h"

#define ZC__SGI_HEADER 512u
#define ZC__SGI_MAGIC 474u

typedef struct zc__sgi {
    uint32_t rle, bpc;              /* storage 1; bytes per value */
    uint32_t width, height, planes; /* planes: channels stored (zsize) */
    uint32_t used;                  /* channels read: at most 4 */
} zc__sgi;

int zc_sgi_is(const uint8_t *bytes, size_t size) {
    return size >= 8 && zc__be16(bytes) == ZC__SGI_MAGIC && bytes[2] <= 1 && (bytes[3] == 1 || bytes[3] == 2) &&
           zc__be16(bytes + 4) >= 1 && zc__be16(bytes + 4) <= 3;
}

static zc_result zc__sgi_parse(const uint8_t *b, size_t size, uint32_t cap, zc__sgi *s, zc_diag *diag) {
    memset(s, 0, sizeof *s);
    if (!zc_sgi_is(b, size) || size < ZC__SGI_HEADER)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable SGI image: its header is damaged or cut short");
    uint32_t dimension = zc__be16(b + 4);
    s->rle = b[2];
    s->bpc = b[3];
    s->width = zc__be16(b + 6);
    s->height = dimension >= 2 ? zc__be16(b + 8) : 1;
    s->planes = dimension == 3 ? zc__be16(b + 10) : 1;
    s->used = s->planes < 4 ? s->planes : 4;
    uint32_t colormap = zc__be32(b + 104);
    if (colormap != 0)
        return zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC, "an SGI image with colour map kind %u, which is not imported "
                       "(only 0, plain values, is)", colormap);
    if (s->width == 0 || s->height == 0 || s->planes == 0)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "SGI header gives the empty size %ux%u with %u channels", s->width,
                       s->height, s->planes);
    if (s->width > cap || s->height > cap) return zc__texture_too_large(s->width, s->height, cap, diag);
    uint64_t rows = (uint64_t)s->height * s->planes;
    uint64_t need = s->rle ? ZC__SGI_HEADER + 8 * rows
                           : ZC__SGI_HEADER + (uint64_t)s->height * s->used * s->width * s->bpc;
    if (need > size)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable SGI image: it needs %llu bytes for its %s, the file "
                       "has %zu", (unsigned long long)need, s->rle ? "row tables" : "values", size);
    return ZC_OK;
}

zc_result zc_sgi_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels, zc_diag *diag) {
    zc__sgi s;
    zc_result r = zc__sgi_parse(bytes, size, cap, &s, diag);
    if (r != ZC_OK) return r;
    *w = (int)s.width;
    *h = (int)s.height;
    *channels = (int)s.used;
    return ZC_OK;
}

/* Value i of a row of `bpc`-byte values: its high byte. */
static uint8_t zc__sgi_value(const uint8_t *p, uint32_t bpc, size_t i) { return p[i * bpc]; }

/* One run-length encoded row at [at, end) of the file into out (width values, high
 * bytes). 1 when the row is whole, 0 when the data ends first. */
static int zc__sgi_unpack(const uint8_t *b, size_t at, size_t end, uint32_t bpc, uint8_t *out, uint32_t width) {
    uint32_t done = 0;
    while (done < width) {
        if (end - at < bpc) return 0;
        uint32_t control = bpc == 1 ? b[at] : zc__be16(b + at);
        at += bpc;
        uint32_t count = control & 0x7Fu;
        if (count == 0) return 0; /* the row's end marker before its last value */
        if (count > width - done) count = width - done;
        if (control & 0x80u) {
            if ((end - at) / bpc < count) return 0;
            for (uint32_t i = 0; i < count; ++i) out[done + i] = zc__sgi_value(b + at, bpc, i);
            at += (size_t)(control & 0x7Fu) * bpc;
            if (at > end) at = end;
        } else {
            if (end - at < bpc) return 0;
            memset(out + done, b[at], count);
            at += bpc;
        }
        done += count;
    }
    return 1;
}

zc_result zc_sgi_decode(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag) {
    zc__sgi s;
    zc_result r = zc__sgi_parse(bytes, size, UINT32_MAX, &s, diag);
    if (r != ZC_OK) return r;
    if ((int)s.width != w || (int)s.height != h)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "image decoded as %ux%u but its header said %dx%d", s.width, s.height, w, h);
    uint8_t *row = (uint8_t *)malloc(s.width), *rgba = (uint8_t *)malloc((size_t)s.width * s.height * 4);
    if (!row || !rgba) {
        free(row);
        free(rgba);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory decoding the image");
    }
    memset(rgba, 255, (size_t)s.width * s.height * 4);
    for (uint32_t z = 0; z < s.used; ++z)
        for (uint32_t y = 0; y < s.height; ++y) {
            size_t line = (size_t)z * s.height + y;
            if (s.rle) {
                size_t at = zc__be32(bytes + ZC__SGI_HEADER + 4 * line);
                size_t length = zc__be32(bytes + ZC__SGI_HEADER + 4 * ((size_t)s.height * s.planes + line));
                size_t end = at <= size && length <= size - at ? at + length : size;
                if (at < ZC__SGI_HEADER || at >= size || !zc__sgi_unpack(bytes, at, end, s.bpc, row, s.width)) {
                    free(row);
                    free(rgba);
                    return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable SGI image: row %u of channel %u lies "
                                   "outside the file or ends before its last value", y, z);
                }
            } else {
                const uint8_t *values = bytes + ZC__SGI_HEADER + line * s.width * s.bpc;
                for (uint32_t x = 0; x < s.width; ++x) row[x] = zc__sgi_value(values, s.bpc, x);
            }
            /* rows are stored bottom first; grey goes to R, G and B, its alpha to A */
            uint8_t *t = rgba + ((size_t)(s.height - 1 - y) * s.width) * 4;
            int grey = s.used <= 2 && z == 0;
            uint32_t c = s.used == 2 && z == 1 ? 3 : z;
            for (uint32_t x = 0; x < s.width; ++x, t += 4)
                if (grey) t[0] = t[1] = t[2] = row[x];
                else t[c] = row[x];
        }
    free(row);
    out->width = s.width;
    out->height = s.height;
    out->is_float = 0;
    out->data = rgba;
    return ZC_OK;
}
