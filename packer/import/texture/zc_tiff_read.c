/* zc_tiff_read.c - TIFF sources for the texture importer (zc_texture_pixels.h): the
 * image format artists' tools save source textures in, which stb_image does not read.
 *
 * Read: the first image of the file (its first IFD), little- or big-endian, stored in
 * strips, samples interleaved (planar configuration 1), unsigned integers, bits in
 * either fill order, without
 * compression, with LZW, Deflate or PackBits, and with or without horizontal
 * differencing (predictor 2). Grey (white or black as zero) of 1, 2, 4, 8 or 16 bits,
 * palette of 1, 2, 4 or 8 bits, RGB of 8 or 16 bits per sample, each with an alpha
 * sample when ExtraSamples names one (premultiplied alpha is divided out, as readers
 * do for display); further samples are ignored. 16-bit samples keep their high byte.
 * Anything else (JPEG or fax compression, tiles, separate planes, CMYK, YCbCr, float
 * samples) is ZC_ERR_UNSUPPORTED_CODEC with a sentence naming it.
 *
 * Untrusted input: every tag value and array is read within the file, the extent is
 * checked against the importer's limit before anything is allocated, each strip must
 * decode to exactly the rows it holds (an LZW code past the table, a Deflate stream
 * that would overflow them, or data that ends early is an error), and a strip's bytes
 * are never read past the end of the file.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <stb/stb_image.h>

#include "zc_texture_pixels.h"

enum {
    ZC__TIFF_NONE = 1,
    ZC__TIFF_LZW = 5,
    ZC__TIFF_DEFLATE = 8,
    ZC__TIFF_DEFLATE_OLD = 32946,
    ZC__TIFF_PACKBITS = 32773,
};

/* Where an array of `count` values of one tag lies: in the entry itself when it fits
 * in its four bytes, else at `at`. */
typedef struct zc__tiff_array {
    uint32_t type, count;       /* type 1 BYTE, 3 SHORT, 4 LONG; count 0: tag absent */
    size_t at;                  /* file offset of the first value */
} zc__tiff_array;

typedef struct zc__tiff {
    const uint8_t *b;
    size_t size;
    int big;                    /* "MM": big-endian */
    uint32_t width, height, bits, samples, compression, photometric, planar, predictor, rows_per_strip;
    uint32_t format;            /* SampleFormat: 1 unsigned */
    uint32_t fill_order;        /* 2: the bits of every stored byte come lowest first */
    uint32_t alpha;             /* 0 none, 1 premultiplied, 2 straight: the first extra sample */
    zc__tiff_array offsets, counts, colormap, tiles;
} zc__tiff;

static uint32_t zc__tiff_u16(const zc__tiff *t, size_t at) {
    const uint8_t *p = t->b + at;
    return t->big ? (uint32_t)p[0] << 8 | p[1] : (uint32_t)p[1] << 8 | p[0];
}

static uint32_t zc__tiff_u32(const zc__tiff *t, size_t at) {
    const uint8_t *p = t->b + at;
    return t->big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                  : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Value i of an array (the caller checked i < a->count and that the array is inside
 * the file). */
static uint32_t zc__tiff_at(const zc__tiff *t, const zc__tiff_array *a, uint32_t i) {
    if (a->type == 1) return t->b[a->at + i];
    if (a->type == 3) return zc__tiff_u16(t, a->at + 2 * (size_t)i);
    return zc__tiff_u32(t, a->at + 4 * (size_t)i);
}

int zc_tiff_is(const uint8_t *bytes, size_t size) {
    return size >= 8 && ((bytes[0] == 'I' && bytes[1] == 'I' && bytes[2] == 42 && bytes[3] == 0) ||
                         (bytes[0] == 'M' && bytes[1] == 'M' && bytes[2] == 0 && bytes[3] == 42));
}

/* The array of the 12-byte IFD entry at `entry`; 0 when its type is not an integer
 * type or its values lie outside the file. */
static int zc__tiff_array_of(const zc__tiff *t, size_t entry, zc__tiff_array *a) {
    a->type = zc__tiff_u16(t, entry + 2);
    a->count = zc__tiff_u32(t, entry + 4);
    uint64_t width = a->type == 1 ? 1 : a->type == 3 ? 2 : a->type == 4 ? 4 : 0;
    if (!width) return 0;
    uint64_t bytes = width * a->count;
    a->at = bytes <= 4 ? entry + 8 : zc__tiff_u32(t, entry + 8);
    return a->at <= t->size && bytes <= t->size - a->at;
}

/* The first value of a one-value tag, or `otherwise` when the array is empty. */
static uint32_t zc__tiff_first(const zc__tiff *t, const zc__tiff_array *a, uint32_t otherwise) {
    return a->count ? zc__tiff_at(t, a, 0) : otherwise;
}

static zc_result zc__tiff_bad(zc_diag *diag, const char *what) {
    return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable TIFF image: %s", what);
}

static zc_result zc__tiff_unsupported(zc_diag *diag, const char *what, uint32_t value) {
    return zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC, "a TIFF image with %s %u, which is not imported", what, value);
}

/* Read the first IFD's tags into *t and check what this reader supports. */
static zc_result zc__tiff_parse(const uint8_t *b, size_t size, uint32_t cap, zc__tiff *t, zc_diag *diag) {
    memset(t, 0, sizeof *t);
    t->b = b;
    t->size = size;
    if (!zc_tiff_is(b, size)) return zc__tiff_bad(diag, "its header is damaged");
    t->big = b[0] == 'M';
    size_t ifd = zc__tiff_u32(t, 4);
    if (ifd < 8 || ifd > size || size - ifd < 2) return zc__tiff_bad(diag, "its first directory lies outside the file");
    uint32_t entries = zc__tiff_u16(t, ifd);
    if ((size - ifd - 2) / 12 < entries) return zc__tiff_bad(diag, "its first directory is cut short");
    zc__tiff_array bits = { 0 }, extra = { 0 }, format = { 0 };
    uint32_t width = 0, height = 0;
    t->samples = 1;
    t->compression = ZC__TIFF_NONE;
    t->photometric = UINT32_MAX;
    t->planar = t->predictor = t->format = t->fill_order = 1;
    t->rows_per_strip = UINT32_MAX;
    for (uint32_t i = 0; i < entries; ++i) {
        size_t entry = ifd + 2 + 12 * (size_t)i;
        uint32_t tag = zc__tiff_u16(t, entry);
        zc__tiff_array a;
        int known = tag == 256 || tag == 257 || tag == 258 || tag == 259 || tag == 262 || tag == 273 || tag == 277 ||
                    tag == 266 || tag == 278 || tag == 279 || tag == 284 || tag == 317 || tag == 320 || tag == 322 ||
                    tag == 338 || tag == 339;
        if (!known) continue;
        if (!zc__tiff_array_of(t, entry, &a)) return zc__tiff_bad(diag, "a tag's values lie outside the file");
        switch (tag) {
        case 256: width = zc__tiff_first(t, &a, 0); break;
        case 257: height = zc__tiff_first(t, &a, 0); break;
        case 258: bits = a; break;
        case 259: t->compression = zc__tiff_first(t, &a, ZC__TIFF_NONE); break;
        case 262: t->photometric = zc__tiff_first(t, &a, UINT32_MAX); break;
        case 266: t->fill_order = zc__tiff_first(t, &a, 1); break;
        case 273: t->offsets = a; break;
        case 277: t->samples = zc__tiff_first(t, &a, 1); break;
        case 278: t->rows_per_strip = zc__tiff_first(t, &a, UINT32_MAX); break;
        case 279: t->counts = a; break;
        case 284: t->planar = zc__tiff_first(t, &a, 1); break;
        case 317: t->predictor = zc__tiff_first(t, &a, 1); break;
        case 320: t->colormap = a; break;
        case 322: t->tiles = a; break;
        case 338: extra = a; break;
        case 339: format = a; break;
        }
    }
    if (t->tiles.count) return zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC, "a tiled TIFF image, which is not imported "
                                       "(images in strips are)");
    if (t->photometric == UINT32_MAX) t->photometric = t->samples >= 3 ? 2 : 1; /* absent: guessed as readers do */
    if (t->compression != ZC__TIFF_NONE && t->compression != ZC__TIFF_LZW && t->compression != ZC__TIFF_DEFLATE &&
        t->compression != ZC__TIFF_DEFLATE_OLD && t->compression != ZC__TIFF_PACKBITS)
        return zc__tiff_unsupported(diag, "compression scheme", t->compression);
    if (t->photometric > 3) return zc__tiff_unsupported(diag, "photometric interpretation", t->photometric);
    uint32_t base = t->photometric == 2 ? 3 : 1;
    if (t->samples < base || t->samples > 16) return zc__tiff_unsupported(diag, "samples per pixel", t->samples);
    if (t->samples > 1 && t->planar != 1) return zc__tiff_unsupported(diag, "planar configuration", t->planar);
    t->bits = zc__tiff_first(t, &bits, 1);
    for (uint32_t i = 1; i < bits.count && i < t->samples; ++i)
        if (zc__tiff_at(t, &bits, i) != t->bits)
            return zc_fail(diag, ZC_ERR_UNSUPPORTED_CODEC, "a TIFF image whose samples differ in size, which is not "
                           "imported");
    int bits_ok = t->photometric == 2 ? t->bits == 8 || t->bits == 16
                  : t->photometric == 3 ? t->bits == 1 || t->bits == 2 || t->bits == 4 || t->bits == 8
                                        : t->bits == 1 || t->bits == 2 || t->bits == 4 || t->bits == 8 || t->bits == 16;
    if (!bits_ok || (t->samples > 1 && t->bits < 8))
        return zc__tiff_unsupported(diag, "bits per sample", t->bits);
    for (uint32_t i = 0; i < format.count && i < t->samples; ++i)
        if (zc__tiff_at(t, &format, i) != 1) return zc__tiff_unsupported(diag, "sample format", zc__tiff_at(t, &format, i));
    if (t->predictor != 1 && (t->predictor != 2 || t->bits < 8)) return zc__tiff_unsupported(diag, "predictor", t->predictor);
    uint32_t first_extra = zc__tiff_first(t, &extra, 0);
    t->alpha = t->samples > base && (first_extra == 1 || first_extra == 2) ? first_extra : 0;
    if (width == 0 || height == 0)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "TIFF header gives the empty size %ux%u", width, height);
    if (width > cap || height > cap) return zc__texture_too_large(width, height, cap, diag);
    t->width = width;
    t->height = height;
    if (t->rows_per_strip == 0 || t->rows_per_strip > height) t->rows_per_strip = height;
    uint32_t strips = (height - 1) / t->rows_per_strip + 1;
    if (t->offsets.count < strips || t->counts.count < strips)
        return zc__tiff_bad(diag, "it lists fewer strips than its rows need");
    if (t->photometric == 3 && t->colormap.count < 3u << t->bits)
        return zc__tiff_bad(diag, "its palette has fewer colours than its bits select");
    return ZC_OK;
}

zc_result zc_tiff_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels, zc_diag *diag) {
    zc__tiff t;
    zc_result r = zc__tiff_parse(bytes, size, cap, &t, diag);
    if (r != ZC_OK) return r;
    *w = (int)t.width;
    *h = (int)t.height;
    *channels = t.photometric == 2 || t.photometric == 3 ? (t.alpha ? 4 : 3) : (t.alpha ? 2 : 1);
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * Strip decoders: each fills exactly `n` bytes of out from [in, in + size) and returns
 * 1, else 0 (-1: out of memory)
 * ------------------------------------------------------------------------------- */

int zc__packbits(const uint8_t *in, size_t size, uint8_t *out, size_t n) {
    size_t at = 0, done = 0;
    while (done < n) {
        if (at >= size) return 0;
        int c = (int8_t)in[at++];
        if (c >= 0) {
            size_t run = (size_t)c + 1;
            if (run > size - at || run > n - done) return 0;
            memcpy(out + done, in + at, run);
            at += run;
            done += run;
        } else if (c != -128) {
            size_t run = (size_t)(1 - c);
            if (at >= size || run > n - done) return 0;
            memset(out + done, in[at++], run);
            done += run;
        }
    }
    return 1;
}

/* TIFF's LZW: codes of 9 to 12 bits, most significant bit first, 256 clears the
 * table, 257 ends the data, and the code width grows one code early. */
static int zc__tiff_lzw(const uint8_t *in, size_t size, uint8_t *out, size_t n) {
    enum { CLEAR = 256, END = 257, LIMIT = 4096 };
    static const uint32_t none = UINT32_MAX;
    uint16_t prefix[LIMIT];
    uint8_t suffix[LIMIT], first[LIMIT];
    uint16_t length[LIMIT];
    for (uint32_t i = 0; i < 256; ++i) prefix[i] = 0, suffix[i] = first[i] = (uint8_t)i, length[i] = 1;
    uint32_t next = 258, width = 9, previous = none;
    uint64_t bit = 0, bits_total = (uint64_t)size * 8;
    size_t done = 0;
    while (done < n) {
        if (bit + width > bits_total) return 0;
        size_t byte = (size_t)(bit >> 3); /* the code lies in the three bytes from here */
        uint32_t window = (uint32_t)in[byte] << 16 | (byte + 1 < size ? (uint32_t)in[byte + 1] << 8 : 0) |
                          (byte + 2 < size ? in[byte + 2] : 0);
        uint32_t code = (window >> (24 - (bit & 7) - width)) & ((1u << width) - 1);
        bit += width;
        if (code == END) return 0; /* ended before the strip's last byte */
        if (code == CLEAR) {
            next = 258;
            width = 9;
            previous = none;
            continue;
        }
        uint32_t string;
        if (code < next && (code < 256 || code >= 258)) {
            string = code;
            if (previous != none && next < LIMIT) { /* previous + the first byte of code */
                prefix[next] = (uint16_t)previous;
                suffix[next] = first[code];
                first[next] = first[previous];
                length[next] = (uint16_t)(length[previous] + 1);
                next++;
            }
        } else if (code == next && previous != none && next < LIMIT) { /* previous + its own first byte */
            prefix[next] = (uint16_t)previous;
            suffix[next] = first[previous];
            first[next] = first[previous];
            length[next] = (uint16_t)(length[previous] + 1);
            string = next++;
        } else {
            return 0; /* a code past the table */
        }
        size_t len = length[string];
        if (len > n - done) len = n - done; /* the strip's last string may run past its rows */
        for (size_t k = length[string], c = string; k > 0; --k, c = prefix[c])
            if (k <= len) out[done + k - 1] = suffix[c];
        done += len;
        previous = string;
        if (next + 1 >= (1u << width) && width < 12) width++;
    }
    return 1;
}

static int zc__tiff_strip(const zc__tiff *t, const uint8_t *in, size_t size, uint8_t *out, size_t n) {
    if (t->fill_order == 2 && size) { /* decode a copy whose bits are in the usual order */
        uint8_t *copy = (uint8_t *)malloc(size);
        if (!copy) return -1;
        for (size_t i = 0; i < size; ++i) {
            uint32_t v = in[i];
            v = (v & 0xF0u) >> 4 | (v & 0x0Fu) << 4;
            v = (v & 0xCCu) >> 2 | (v & 0x33u) << 2;
            copy[i] = (uint8_t)((v & 0xAAu) >> 1 | (v & 0x55u) << 1);
        }
        zc__tiff usual = *t;
        usual.fill_order = 1;
        int done = zc__tiff_strip(&usual, copy, size, out, n);
        free(copy);
        return done;
    }
    switch (t->compression) {
    case ZC__TIFF_NONE:
        if (size < n) return 0;
        memcpy(out, in, n);
        return 1;
    case ZC__TIFF_PACKBITS: return zc__packbits(in, size, out, n);
    case ZC__TIFF_LZW: return zc__tiff_lzw(in, size, out, n);
    default: /* Deflate: a zlib stream */
        if (size > INT_MAX || n > INT_MAX) return 0;
        return stbi_zlib_decode_buffer((char *)out, (int)n, (const char *)in, (int)size) == (int)n;
    }
}

/* Undo horizontal differencing in one row of `count` samples of t->bits bits. */
static void zc__tiff_undo_predictor(const zc__tiff *t, uint8_t *row, size_t count) {
    uint32_t s = t->samples;
    if (t->bits == 8) {
        for (size_t i = s; i < count; ++i) row[i] = (uint8_t)(row[i] + row[i - s]);
        return;
    }
    for (size_t i = s; i < count; ++i) { /* 16 bits, in the file's byte order */
        uint8_t *p = row + 2 * i, *q = row + 2 * (i - s);
        uint32_t v = t->big ? ((uint32_t)p[0] << 8 | p[1]) + ((uint32_t)q[0] << 8 | q[1])
                            : ((uint32_t)p[1] << 8 | p[0]) + ((uint32_t)q[1] << 8 | q[0]);
        p[t->big ? 0 : 1] = (uint8_t)(v >> 8);
        p[t->big ? 1 : 0] = (uint8_t)v;
    }
}

/* Sample i of a row as a value of t->bits bits. */
static uint32_t zc__tiff_sample(const zc__tiff *t, const uint8_t *row, size_t i) {
    if (t->bits == 8) return row[i];
    if (t->bits == 16) return t->big ? (uint32_t)row[2 * i] << 8 | row[2 * i + 1] : (uint32_t)row[2 * i + 1] << 8 | row[2 * i];
    size_t bit = i * t->bits;
    return (uint32_t)(row[bit / 8] >> (8 - t->bits - bit % 8)) & ((1u << t->bits) - 1);
}

/* A sample as 8 bits: the high byte of 16, the low ones scaled to 0..255. */
static uint8_t zc__tiff_byte(const zc__tiff *t, uint32_t v) {
    if (t->bits == 16) return (uint8_t)(v >> 8);
    if (t->bits == 8) return (uint8_t)v;
    return (uint8_t)(v * 255u / ((1u << t->bits) - 1));
}

/* One decoded row into RGBA8 texels. */
static void zc__tiff_row_to_rgba(const zc__tiff *t, const uint8_t *row, uint8_t *px) {
    uint32_t s = t->samples, colour = t->photometric == 2 ? 3 : 1;
    for (uint32_t x = 0; x < t->width; ++x, px += 4) {
        size_t i = (size_t)x * s;
        if (t->photometric == 3) {
            uint32_t index = zc__tiff_sample(t, row, i), colours = 1u << t->bits;
            for (uint32_t c = 0; c < 3; ++c) px[c] = (uint8_t)(zc__tiff_at(t, &t->colormap, c * colours + index) >> 8);
        } else if (t->photometric == 2) {
            for (uint32_t c = 0; c < 3; ++c) px[c] = zc__tiff_byte(t, zc__tiff_sample(t, row, i + c));
        } else {
            uint8_t g = zc__tiff_byte(t, zc__tiff_sample(t, row, i));
            px[0] = px[1] = px[2] = t->photometric == 0 ? (uint8_t)(255 - g) : g;
        }
        px[3] = t->alpha ? zc__tiff_byte(t, zc__tiff_sample(t, row, i + colour)) : 255;
        if (t->alpha == 1 && px[3] != 255) /* premultiplied: divide it out (nothing left at 0) */
            for (uint32_t c = 0; c < 3; ++c) {
                uint32_t v = px[3] ? 255u * px[c] / px[3] : 0;
                px[c] = (uint8_t)(v > 255 ? 255 : v);
            }
    }
}

zc_result zc_tiff_decode(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag) {
    zc__tiff t;
    zc_result r = zc__tiff_parse(bytes, size, UINT32_MAX, &t, diag);
    if (r != ZC_OK) return r;
    if ((int)t.width != w || (int)t.height != h)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "image decoded as %ux%u but its header said %dx%d", t.width, t.height, w, h);
    size_t row_bytes = ((size_t)t.width * t.samples * t.bits + 7) / 8;
    size_t strip_rows = t.rows_per_strip;
    uint8_t *strip = (uint8_t *)malloc(row_bytes * strip_rows), *rgba = (uint8_t *)malloc((size_t)t.width * t.height * 4);
    if (!strip || !rgba) {
        free(strip);
        free(rgba);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory decoding the image");
    }
    for (uint32_t y = 0, s = 0; y < t.height; y += (uint32_t)strip_rows, ++s) {
        uint32_t rows = t.height - y < strip_rows ? t.height - y : (uint32_t)strip_rows;
        size_t at = zc__tiff_at(&t, &t.offsets, s), count = zc__tiff_at(&t, &t.counts, s);
        if (at > size) count = 0, at = size;
        if (count > size - at) count = size - at; /* some writers count past the end */
        int decoded = zc__tiff_strip(&t, bytes + at, count, strip, row_bytes * rows);
        if (decoded != 1) {
            free(strip);
            free(rgba);
            if (decoded < 0) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory decoding the image");
            return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable TIFF image: strip %u does not decode to its %u "
                           "rows", s, rows);
        }
        for (uint32_t k = 0; k < rows; ++k) {
            uint8_t *row = strip + k * row_bytes;
            if (t.predictor == 2) zc__tiff_undo_predictor(&t, row, (size_t)t.width * t.samples);
            zc__tiff_row_to_rgba(&t, row, rgba + ((size_t)(y + k) * t.width) * 4);
        }
    }
    free(strip);
    out->width = t.width;
    out->height = t.height;
    out->is_float = 0;
    out->data = rgba;
    return ZC_OK;
}
