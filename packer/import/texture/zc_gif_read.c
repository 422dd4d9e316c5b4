/* zc_gif_read.c - the first frame of a GIF file, for the GIF files stb_image refuses
 * (zc_texture_pixels.h): files whose image data does not start with a clear code,
 * and first frames that do not cover the logical screen or lie partly or wholly
 * outside it. The texture importer asks this reader only after stb_image failed, so
 * every GIF stb_image reads keeps its texels.
 *
 * Read: the header ("GIF87a" or "GIF89a"), the logical screen (its width and height
 * give the texture's extent) and its global colour table, extensions (a graphic
 * control extension's transparent index applies to the next image; every other
 * extension is skipped), then the first image: its place on the screen, its local
 * colour table, interlacing, and its LZW data. The screen starts transparent; the
 * image's pixels are drawn where they fall inside the screen, except those of the
 * transparent index, and pixels the data does not reach stay transparent. LZW: codes
 * of the minimum size + 1 to 12 bits, least significant bit first; a clear code
 * resets the table, the end code (or the end of the data) ends the image, a full
 * table keeps its entries until the next clear code, and the first code may be a
 * literal without a clear code before it.
 *
 * Untrusted input: every block length is checked against the file's end, the extent
 * against the importer's limit before anything is allocated, and a code that is not
 * yet in the table, a colour index beyond the colour table, or a file without an
 * image is an error with a sentence.
 */
#include <stdlib.h>
#include <string.h>

#include "zc_texture_pixels.h"

#define ZC__GIF_CODES 4096u

typedef struct zc__gif {
    uint32_t width, height;             /* the logical screen */
    const uint8_t *palette;             /* the image's colour table (local, else global) */
    uint32_t colours;                   /* entries in it; 0: none */
    int transparent;                    /* index, or -1 */
    uint32_t left, top, w, h;           /* the image on the screen */
    int interlaced;
    uint32_t min_code;                  /* LZW minimum code size */
    size_t data;                        /* offset of the image's first data sub-block */
} zc__gif;

/* Skip data sub-blocks from *at (each a size byte and that many bytes, ending with a
 * size of 0); 0 when they run past the end of the file. */
static int zc__gif_skip_blocks(const uint8_t *b, size_t size, size_t *at) {
    while (*at < size) {
        size_t n = b[(*at)++];
        if (n == 0) return 1;
        if (n > size - *at) return 0;
        *at += n;
    }
    return 0;
}

static zc_result zc__gif_parse(const uint8_t *b, size_t size, uint32_t cap, zc__gif *g, zc_diag *diag) {
    memset(g, 0, sizeof *g);
    g->transparent = -1;
    if (size < 13 || (memcmp(b, "GIF87a", 6) != 0 && memcmp(b, "GIF89a", 6) != 0))
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable GIF image: its header is damaged or cut short");
    g->width = zc_le16(b + 6);
    g->height = zc_le16(b + 8);
    if (g->width == 0 || g->height == 0)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "GIF header gives the empty size %ux%u", g->width, g->height);
    if (g->width > cap || g->height > cap) return zc__texture_too_large(g->width, g->height, cap, diag);
    size_t at = 13;
    const uint8_t *global = NULL;
    uint32_t global_colours = 0;
    if (b[10] & 0x80) {
        global_colours = 2u << (b[10] & 7);
        if (3 * (size_t)global_colours > size - at)
            return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable GIF image: its colour table is cut short");
        global = b + at;
        at += 3 * (size_t)global_colours;
    }
    while (at < size) {
        uint8_t kind = b[at++];
        if (kind == 0x3B) break; /* the trailer */
        if (kind == 0x21) {
            if (at >= size) break;
            uint8_t label = b[at++];
            if (label == 0xF9 && at + 5 <= size && b[at] >= 4)
                g->transparent = (b[at + 1] & 1) ? (int)b[at + 4] : -1;
            if (!zc__gif_skip_blocks(b, size, &at)) break;
            continue;
        }
        if (kind != 0x2C) return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable GIF image: unknown block 0x%02x", kind);
        if (size - at < 10) break;
        g->left = zc_le16(b + at);
        g->top = zc_le16(b + at + 2);
        g->w = zc_le16(b + at + 4);
        g->h = zc_le16(b + at + 6);
        uint8_t packed = b[at + 8];
        at += 9;
        g->interlaced = (packed & 0x40) != 0;
        g->palette = global;
        g->colours = global_colours;
        if (packed & 0x80) {
            g->colours = 2u << (packed & 7);
            if (3 * (size_t)g->colours > size - at)
                return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable GIF image: its colour table is cut short");
            g->palette = b + at;
            at += 3 * (size_t)g->colours;
        }
        if (at >= size) break;
        g->min_code = b[at++];
        if (g->min_code < 1 || g->min_code > 11)
            return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable GIF image: LZW code size %u", g->min_code);
        g->data = at;
        return ZC_OK;
    }
    return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable GIF image: it holds no image");
}

zc_result zc_gif_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels, zc_diag *diag) {
    zc__gif g;
    zc_result r = zc__gif_parse(bytes, size, cap, &g, diag);
    if (r != ZC_OK) return r;
    *w = (int)g.width;
    *h = (int)g.height;
    *channels = 4;
    return ZC_OK;
}

/* The reader of the image's data sub-blocks as one stream of bits. */
typedef struct zc__gif_bits {
    const uint8_t *b;
    size_t size, at;    /* the next byte of the current sub-block */
    size_t left;        /* bytes left in it */
    uint32_t bits, count;
    int ended;          /* the terminating sub-block, or the end of the file, was reached */
} zc__gif_bits;

/* The next `n`-bit code, or -1 at the end of the data. */
static int zc__gif_code(zc__gif_bits *s, uint32_t n) {
    while (s->count < n) {
        if (s->left == 0) {
            if (s->ended || s->at >= s->size || s->b[s->at] == 0) {
                s->ended = 1;
                return -1;
            }
            s->left = s->b[s->at++];
            if (s->left > s->size - s->at) s->left = s->size - s->at;
            if (s->left == 0) {
                s->ended = 1;
                return -1;
            }
        }
        s->bits |= (uint32_t)s->b[s->at++] << s->count;
        s->count += 8;
        s->left--;
    }
    int code = (int)(s->bits & ((1u << n) - 1));
    s->bits >>= n;
    s->count -= n;
    return code;
}

/* The row of the screen the i-th decoded row of an h-row image goes to. */
static uint32_t zc__gif_row(uint32_t i, uint32_t h, int interlaced) {
    if (!interlaced) return i;
    static const uint32_t start[4] = { 0, 4, 2, 1 }, step[4] = { 8, 8, 4, 2 };
    for (int pass = 0; pass < 4; ++pass) {
        uint32_t rows = h > start[pass] ? (h - start[pass] + step[pass] - 1) / step[pass] : 0;
        if (i < rows) return start[pass] + i * step[pass];
        i -= rows;
    }
    return h; /* past the image: not drawn */
}

zc_result zc_gif_decode(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag) {
    zc__gif g;
    zc_result r = zc__gif_parse(bytes, size, UINT32_MAX, &g, diag);
    if (r != ZC_OK) return r;
    if ((int)g.width != w || (int)g.height != h)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "image decoded as %ux%u but its header said %dx%d", g.width, g.height, w, h);
    uint16_t *prefix = (uint16_t *)malloc(ZC__GIF_CODES * sizeof *prefix);
    uint8_t *suffix = (uint8_t *)malloc(ZC__GIF_CODES), *stack = (uint8_t *)malloc(ZC__GIF_CODES);
    uint8_t *rgba = (uint8_t *)calloc((size_t)g.width * g.height, 4); /* transparent */
    if (!prefix || !suffix || !stack || !rgba) {
        free(prefix), free(suffix), free(stack), free(rgba);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory decoding the image");
    }
    zc__gif_bits s = { bytes, size, g.data, 0, 0, 0, 0 };
    uint32_t clear = 1u << g.min_code, end = clear + 1, next = clear + 2, width = g.min_code + 1;
    for (uint32_t i = 0; i < clear; ++i) prefix[i] = 0xFFFF, suffix[i] = (uint8_t)i;
    int previous = -1;
    uint64_t pixel = 0, pixels = (uint64_t)g.w * g.h;
    const char *damage = NULL;
    while (pixel < pixels) {
        int code = zc__gif_code(&s, width);
        if (code < 0 || (uint32_t)code == end) break; /* pixels not reached stay transparent */
        if ((uint32_t)code == clear) {
            next = clear + 2, width = g.min_code + 1, previous = -1;
            continue;
        }
        uint32_t depth = 0, c = (uint32_t)code;
        if (previous < 0) {
            if (c >= clear) {
                damage = "its first code is not a colour";
                break;
            }
        } else if (c > next || (c == next && next >= ZC__GIF_CODES)) {
            damage = "a code that is not in the table yet";
            break;
        } else if (c == next) { /* the string of the previous code and its own first byte */
            stack[depth++] = 0; /* filled once that first byte is known */
            c = (uint32_t)previous;
        }
        while (c >= clear) {
            stack[depth++] = suffix[c];
            c = prefix[c];
        }
        uint8_t first = (uint8_t)c;
        stack[depth++] = first;
        if ((uint32_t)code == next && previous >= 0) stack[0] = first;
        if (previous >= 0 && next < ZC__GIF_CODES) {
            prefix[next] = (uint16_t)previous;
            suffix[next] = first;
            if (++next == (1u << width) && width < 12) ++width;
        }
        previous = code;
        while (depth > 0 && pixel < pixels) { /* the string, first byte last on the stack */
            uint8_t index = stack[--depth];
            if (index >= g.colours) {
                damage = "a colour index beyond its colour table";
                break;
            }
            uint32_t x = g.left + (uint32_t)(pixel % g.w), y = g.top + zc__gif_row((uint32_t)(pixel / g.w), g.h, g.interlaced);
            ++pixel;
            if (x >= g.width || y >= g.height || (int)index == g.transparent) continue;
            uint8_t *t = rgba + ((size_t)y * g.width + x) * 4;
            memcpy(t, g.palette + 3 * (size_t)index, 3);
            t[3] = 255;
        }
        if (damage) break;
    }
    free(prefix), free(suffix), free(stack);
    if (damage) {
        free(rgba);
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable GIF image: %s", damage);
    }
    out->width = g.width;
    out->height = g.height;
    out->is_float = 0;
    out->data = rgba;
    return ZC_OK;
}
