/* zc_psd_read.c - Photoshop files for the texture importer (zc_texture_pixels.h), in
 * place of stb_image, which reads RGB documents only, misreads 16-bit PackBits data
 * as 8-bit values, and removes the white matte of a document with alpha by a
 * float-to-integer conversion that is undefined for values a file can make negative.
 * Read here: RGB, grayscale and duotone (masks, height and roughness maps are often
 * painted in grayscale documents), indexed colour and CMYK. For every RGB file
 * Photoshop could write the texels are stb_image's where stb_image reads it right.
 *
 * Read: the 26-byte big-endian header (signature "8BPS", version 1, channels, height,
 * width, bits per channel, colour mode), the colour mode data (the palette of an
 * indexed file: 256 reds, 256 greens, 256 blues), the image resources and the layer
 * section, both skipped, then the merged image: a compression word, 0 (raw planes) or
 * 1 (PackBits: one 16-bit byte count per row of every channel, then the rows), and
 * the channels one plane after the other, rows top first. 8 or 16 bits per channel;
 * 16-bit values keep their high byte. Grey (and duotone, read as its grey) goes to R,
 * G and B; CMYK values are stored inverted (255: no ink) and become RGB by multiplying
 * each colour by black's complement. A channel after the colour channels is alpha,
 * as stb_image reads RGB files; for RGB the white matte is removed as stb_image
 * removes it (colour / alpha + 255 - 255 / alpha, on the 8-bit values), each result
 * clamped to [0, 255]. (stb_image reads 16-bit PackBits data as 8-bit values; this
 * reader does not.) Bitmap, Lab and multichannel files, 32-bit channels,
 * large-document (PSB) files and ZIP-compressed data are ZC_ERR_UNSUPPORTED_CODEC
 * with a sentence naming them.
 *
 * Untrusted input: every section length is checked against the file before it is
 * skipped, the extent against the importer's limit before anything is allocated, the
 * byte counts and rows against the file's end; a row that decodes to more or fewer
 * bytes than its width is an error, never texels from outside the file.
 */
#include <stdlib.h>
#include <string.h>

#include "zc_texture_pixels.h"

#define ZC__PSD_HEADER 26u

enum { ZC__PSD_BITMAP = 0, ZC__PSD_GREY = 1, ZC__PSD_INDEXED = 2, ZC__PSD_RGB = 3, ZC__PSD_CMYK = 4, ZC__PSD_DUOTONE = 8 };

typedef struct zc__psd {
    uint32_t width, height, channels, bytes;   /* bytes per value: 1 or 2 */
    uint32_t mode;
    uint32_t colours;                          /* colour channels: 1 or 4 */
    uint32_t used;                             /* channels read: colours, + 1 for alpha when present */
    const uint8_t *palette;                    /* indexed: 768 bytes */
    size_t data;                               /* offset of the merged image's first plane or byte counts */
    int rle;
} zc__psd;

int zc_psd_is(const uint8_t *bytes, size_t size) {
    return size >= ZC__PSD_HEADER && memcmp(bytes, "8BPS", 4) == 0;
}

/* Skip the section whose 32-bit length is at *at; 0 when it runs past the file. */
static int zc__psd_skip(const uint8_t *b, size_t size, size_t *at) {
    if (size - *at < 4) return 0;
    uint32_t length = zc__be32(b + *at);
    if (length > size - *at - 4) return 0;
    *at += 4 + (size_t)length;
    return 1;
}

static zc_result zc__psd_parse(const uint8_t *b, size_t size, uint32_t cap, zc__psd *p, zc_diag *diag) {
    memset(p, 0, sizeof *p);
    if (!zc_psd_is(b, size))
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable PSD image: its header is damaged or cut short");
    uint32_t version = zc__be16(b + 4), depth = zc__be16(b + 22);
    p->channels = zc__be16(b + 12);
    p->height = zc__be32(b + 14);
    p->width = zc__be32(b + 18);
    p->mode = zc__be16(b + 24);
    if (version != 1)
        return zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC, "a Photoshop file of version %u (a large document), which is "
                       "not imported", version);
    static const char *const modes[] = { "bitmap", NULL, NULL, NULL, NULL, NULL, NULL, "multichannel", NULL, "Lab" };
    if (p->mode != ZC__PSD_GREY && p->mode != ZC__PSD_INDEXED && p->mode != ZC__PSD_CMYK && p->mode != ZC__PSD_DUOTONE &&
        p->mode != ZC__PSD_RGB) {
        const char *name = p->mode < sizeof modes / sizeof *modes ? modes[p->mode] : NULL;
        return name ? zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC, "a PSD image in %s colour mode, which is not imported "
                              "(RGB, grayscale, duotone, indexed and CMYK are)", name)
                    : zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable PSD image: unknown colour mode %u", p->mode);
    }
    if (depth != 8 && depth != 16)
        return zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC, "a PSD image of %u bits per channel, which is not imported "
                       "(8 and 16 are)", depth);
    p->bytes = depth / 8;
    p->colours = p->mode == ZC__PSD_CMYK ? 4 : p->mode == ZC__PSD_RGB ? 3 : 1;
    if (p->width == 0 || p->height == 0)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "PSD header gives the empty size %ux%u", p->width, p->height);
    if (p->width > cap || p->height > cap) return zc__texture_too_large(p->width, p->height, cap, diag);
    if (p->width > 30000 || p->height > 30000) /* also keeps the sizes below 64 bits */
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "PSD header gives %ux%u, larger than the 30000 a side a Photoshop "
                       "document may have", p->width, p->height);
    if (p->channels < p->colours || p->channels > 56)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable PSD image: %u channels in %s colour mode", p->channels,
                       p->mode == ZC__PSD_CMYK ? "CMYK" : p->mode == ZC__PSD_RGB ? "RGB" : "a one-channel");
    p->used = p->channels > p->colours && p->mode != ZC__PSD_INDEXED ? p->colours + 1 : p->colours;
    size_t at = ZC__PSD_HEADER;
    if (p->mode == ZC__PSD_INDEXED) {
        if (size - at < 4 || zc__be32(b + at) < 768 || zc__be32(b + at) > size - at - 4)
            return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable PSD image: an indexed image without its palette");
        p->palette = b + at + 4;
    }
    if (!zc__psd_skip(b, size, &at) || !zc__psd_skip(b, size, &at) || !zc__psd_skip(b, size, &at) || size - at < 2)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable PSD image: a section runs past the end of the file");
    uint32_t compression = zc__be16(b + at);
    if (compression > 1)
        return zc_fail(diag, compression <= 3 ? ZC_ERR_UNSUPPORTED_CODEC : ZC_ERR_BAD_SOURCE,
                       "a PSD image with compression %u, which is not imported (raw and PackBits are)", compression);
    p->rle = compression == 1;
    p->data = at + 2;
    uint64_t rows = (uint64_t)p->channels * p->height;
    uint64_t need = p->rle ? 2 * rows : rows * p->width * p->bytes;
    if (need > size - p->data)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable PSD image: its %s need %llu bytes, the file holds %zu "
                       "after the header", p->rle ? "byte counts" : "planes", (unsigned long long)need,
                       size - p->data);
    return ZC_OK;
}

zc_result zc_psd_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels, zc_diag *diag) {
    zc__psd p;
    zc_result r = zc__psd_parse(bytes, size, cap, &p, diag);
    if (r != ZC_OK) return r;
    *w = (int)p.width;
    *h = (int)p.height;
    *channels = p.used > p.colours ? 4 : 3;
    return ZC_OK;
}

/* Row y of channel c into row (width * bytes values). *at walks the compressed rows
 * in file order. 1, or 0 when the row lies outside the file or does not decode to
 * exactly its bytes. */
static int zc__psd_row(const uint8_t *b, size_t size, const zc__psd *p, uint32_t c, uint32_t y, size_t *at,
                       uint8_t *row) {
    size_t n = (size_t)p->width * p->bytes;
    if (!p->rle) {
        memcpy(row, b + p->data + ((size_t)c * p->height + y) * n, n); /* inside: checked by the parse */
        return 1;
    }
    size_t count = zc__be16(b + p->data + 2 * ((size_t)c * p->height + y));
    if (count > size - *at) return 0;
    int whole = zc__packbits(b + *at, count, row, n);
    *at += count;
    return whole == 1;
}

/* Colour value v (of [0, max]) of a pixel of alpha a, with Photoshop's white matte
 * removed as stb_image removes it, clamped to [0, max]. */
static uint32_t zc__psd_unmatte(uint32_t v, uint32_t a, uint32_t max) {
    if (a == 0 || a == max) return v;
    float fa = (float)a / (float)max, ra = 1.0f / fa, inv = (float)max * (1 - ra);
    float x = (float)v * ra + inv;
    return x <= 0 ? 0 : x >= (float)max ? max : (uint32_t)x;
}

zc_result zc_psd_decode(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag) {
    zc__psd p;
    zc_result r = zc__psd_parse(bytes, size, UINT32_MAX, &p, diag);
    if (r != ZC_OK) return r;
    if ((int)p.width != w || (int)p.height != h)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "image decoded as %ux%u but its header said %dx%d", p.width, p.height, w, h);
    size_t pixels = (size_t)p.width * p.height;
    uint8_t *row = (uint8_t *)malloc((size_t)p.width * p.bytes), *rgba = (uint8_t *)malloc(pixels * 4);
    uint16_t *planes = (uint16_t *)malloc(pixels * p.used * sizeof *planes); /* channel after channel */
    if (!row || !rgba || !planes) {
        free(row);
        free(rgba);
        free(planes);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory decoding the image");
    }
    size_t at = p.data + (p.rle ? 2 * (size_t)p.channels * p.height : 0);
    for (uint32_t c = 0; c < p.used; ++c)
        for (uint32_t y = 0; y < p.height; ++y) {
            if (!zc__psd_row(bytes, size, &p, c, y, &at, row)) {
                free(row);
                free(rgba);
                free(planes);
                return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable PSD image: row %u of channel %u lies outside "
                               "the file or does not hold its %u values", y, c, p.width);
            }
            uint16_t *dst = planes + (size_t)c * pixels + (size_t)y * p.width;
            for (uint32_t x = 0; x < p.width; ++x)
                dst[x] = p.bytes == 2 ? (uint16_t)(row[2 * (size_t)x] << 8 | row[2 * (size_t)x + 1]) : row[x];
        }
    uint32_t shift = p.bytes == 2 ? 8u : 0u;
    const uint16_t *alpha = p.used > p.colours ? planes + (size_t)p.colours * pixels : NULL;
    for (size_t i = 0; i < pixels; ++i) {
        uint8_t *t = rgba + 4 * i;
        if (p.mode == ZC__PSD_CMYK) {
            uint32_t k = planes[3 * pixels + i] >> shift;
            for (int c = 0; c < 3; ++c) t[c] = (uint8_t)(((uint32_t)(planes[(size_t)c * pixels + i] >> shift) * k + 127) / 255);
        } else if (p.mode == ZC__PSD_INDEXED) {
            uint8_t v = (uint8_t)planes[i];
            t[0] = p.palette[v], t[1] = p.palette[256 + v], t[2] = p.palette[512 + v];
        } else if (p.mode == ZC__PSD_RGB) {
            for (int c = 0; c < 3; ++c) {
                uint32_t v = planes[(size_t)c * pixels + i] >> shift;
                t[c] = (uint8_t)(alpha ? zc__psd_unmatte(v, alpha[i] >> shift, 255) : v);
            }
        } else {
            t[0] = t[1] = t[2] = (uint8_t)(planes[i] >> shift);
        }
        t[3] = alpha ? (uint8_t)(alpha[i] >> shift) : 255;
    }
    free(row);
    free(planes);
    out->width = p.width;
    out->height = p.height;
    out->is_float = 0;
    out->data = rgba;
    return ZC_OK;
}
