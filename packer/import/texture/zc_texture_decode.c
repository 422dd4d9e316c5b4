/* zc_texture_decode.c - a texture source's bytes to texels (zc_import_texture_internal.h):
 * which reader takes the file (by its first bytes, never its name), its probe (extent
 * and channels, before anything is allocated) and its decode, the checks and mended
 * copies stb_image needs before it sees hostile bytes, and the peak memory a decode
 * takes, for the image budget. The readers of the formats stb_image does not read, or
 * reads wrongly, are zc_*_read.c (zc_texture_pixels.h).
 *
 * Every function here treats the bytes as hostile.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <stb/stb_image.h>

#include "zc_import_texture_internal.h"
#include "zc_texture_pixels.h"

/* stb_image's reason for the calling thread's last failure, never NULL or empty
 * (stb_image fails with an empty reason when a GIF holds no image at all). */
static const char *zc__stbi_reason(void) {
    const char *reason = stbi_failure_reason();
    if (!reason) return "unknown reason";
    return reason[0] ? reason : "the file holds no image";
}

/* What the first bytes of a file say about it, read without stb_image. */
typedef struct zc__sniffed {
    const char *kind;           /* "PNG", "JPEG", "GIF", "BMP", "PSD", "HDR"; NULL: unknown (TGA has no magic) */
    int has_extent;             /* width and height were read from the header */
    uint32_t width, height;
} zc__sniffed;

/* Where a JPEG's first segment starts, after its SOI marker, or 0 when the bytes do not
 * start as stb_image finds a JPEG: one or more 0xFF fill bytes, then 0xD8. Any bytes. */
static size_t zc__jpeg_start(const uint8_t *b, size_t size) {
    size_t at = 0;
    while (at < size && b[at] == 0xFF) ++at;
    return at > 0 && at < size && b[at] == 0xD8 ? at + 1 : 0;
}

/* Recognise the type by its magic bytes and, for PNG, GIF, BMP and PSD, read the
 * extent at its fixed place. Untrusted: reads only inside [bytes, bytes + size). */
static void zc__sniff(const uint8_t *b, size_t size, zc__sniffed *out) {
    memset(out, 0, sizeof *out);
    if (size >= 24 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0 && memcmp(b + 12, "IHDR", 4) == 0) {
        *out = (zc__sniffed){ "PNG", 1, zc__be32(b + 16), zc__be32(b + 20) };
    } else if (size >= 10 && (memcmp(b, "GIF87a", 6) == 0 || memcmp(b, "GIF89a", 6) == 0)) {
        *out = (zc__sniffed){ "GIF", 1, zc_le16(b + 6), zc_le16(b + 8) };
    } else if (size >= 26 && b[0] == 'B' && b[1] == 'M' && zc_le32(b + 14) == 12) { /* OS/2 header: 16-bit sides */
        *out = (zc__sniffed){ "BMP", 1, zc_le16(b + 18), zc_le16(b + 20) };
    } else if (size >= 26 && b[0] == 'B' && b[1] == 'M') {
        int32_t w = (int32_t)zc_le32(b + 18), h = (int32_t)zc_le32(b + 22);
        uint32_t aw = w < 0 ? 0u - (uint32_t)w : (uint32_t)w, ah = h < 0 ? 0u - (uint32_t)h : (uint32_t)h;
        *out = (zc__sniffed){ "BMP", 1, aw, ah };
    } else if (size >= 22 && memcmp(b, "8BPS", 4) == 0) {
        *out = (zc__sniffed){ "PSD", 1, zc__be32(b + 18), zc__be32(b + 14) };
    } else if (zc__jpeg_start(b, size)) {
        out->kind = "JPEG";
    } else if (size >= 2 && b[0] == '#' && b[1] == '?') {
        out->kind = "HDR";
    }
}

/* Why stb_image refuses a file whose header it could not read. stb_image's header
 * probe tries every type and keeps only the last type's reason, so for a type whose
 * extent is known and within the cap, the decoder is asked (it fails, or reads an
 * image no larger than the cap). */
static zc_result zc__unreadable(const uint8_t *bytes, size_t size, const zc__sniffed *sniffed, uint32_t cap,
                                zc_diag *diag) {
    if (!sniffed->kind)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE,
                       "not an image of a supported type (png, jpg, tga, bmp, psd, gif, hdr, exr, webp, dds, pcx, sgi, tiff)");
    const char *reason = "its header is damaged or of an unsupported kind";
    if (sniffed->has_extent && sniffed->width <= cap && sniffed->height <= cap) {
        int x, y, n;
        zc__stbi_out_of_memory = 0;
        stbi_uc *data = stbi_load_from_memory(bytes, (int)size, &x, &y, &n, 4);
        if (data) stbi_image_free(data);
        else if (zc__stbi_out_of_memory) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory decoding the image");
        else reason = zc__stbi_reason();
    }
    return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable %s image: %s", sniffed->kind, reason);
}

/* The Huffman tables of one DHT segment whose `length` bytes (after the length field)
 * start at b + at, read as stb_image reads them: bytes past the end of the file count
 * as zeros. NULL when every table is sound, else the reason. */
static const char *zc__jpeg_dht_check(const uint8_t *b, size_t size, size_t at, size_t length) {
    size_t end = at + length;
    while (at < end) {
        if (end - at < 17) return "a Huffman table is cut short";
        size_t symbols = 0;
        for (size_t i = 1; i <= 16; ++i) symbols += at + i < size ? b[at + i] : 0;
        if (symbols > 256) return "a Huffman table declares more than 256 codes";
        if (end - at < 17 + symbols) return "a Huffman table holds fewer symbols than it declares";
        at += 17 + symbols;
    }
    return NULL;
}

/* Walk the marker segments of a JPEG as stb_image does and check every Huffman table
 * (DHT) before stb_image sees it: a table declaring more than 256 codes, or more
 * symbols than its segment holds, overflows stb_image's fixed tables. Like stb_image,
 * the walk steps over bytes that are not a marker (it resynchronises on the next 0xFF)
 * and reads a segment cut short by the end of the file up to there. After the first
 * start-of-scan, stb_image finds the next marker by skipping what its entropy decoder
 * leaves (data, stuffed zeros, fill bytes, junk) up to a byte pair that looks like
 * one, a path no segment walk follows exactly: from there up to the end of the image
 * (FF D9) every FF C4 is checked as the table segment it may become, so tables between
 * progressive scans are checked too. Untrusted: reads only inside [b, b + size). Returns NULL when the tables are
 * sound, else the reason. */
static const char *zc__jpeg_tables_check(const uint8_t *b, size_t size) {
    size_t at = zc__jpeg_start(b, size); /* after SOI and the fill bytes before it */
    while (at + 4 <= size) {
        if (b[at] != 0xFF) { ++at; continue; } /* stb_image skips such padding */
        uint8_t marker = b[at + 1];
        if (marker == 0xFF) { ++at; continue; } /* fill byte */
        if (marker == 0xD9) return NULL;          /* EOI */
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) { at += 2; continue; }
        size_t length = ((size_t)b[at + 2] << 8) | b[at + 3];
        if (length < 2) return NULL; /* the decoder refuses the segment */
        if (marker == 0xC4) {
            const char *damage = zc__jpeg_dht_check(b, size, at + 4, length - 2);
            if (damage) return damage;
        }
        if (at + 2 + length > size) return NULL; /* the decoder reaches the end of the file */
        at += 2 + length;
        if (marker == 0xDA) break;
    }
    for (; at + 1 < size; ++at) { /* after the first scan: every FF C4 up to the end of the image */
        if (b[at] == 0xFF && b[at + 1] == 0xD9) return NULL;
        if (b[at] != 0xFF || b[at + 1] != 0xC4) continue;
        size_t length = ((size_t)(at + 2 < size ? b[at + 2] : 0) << 8) | (at + 3 < size ? b[at + 3] : 0);
        const char *damage = length >= 2 ? zc__jpeg_dht_check(b, size, at + 4, length - 2) : NULL;
        if (damage) return damage;
    }
    return NULL;
}

/* PCX has a weak signature (its first byte is 10): a file is read as PCX only when it
 * looks like one and stb_image reads it as nothing else. */
static int zc__is_pcx(const uint8_t *bytes, size_t size) {
    int x, y, n;
    return zc_pcx_is(bytes, size) && !stbi_info_from_memory(bytes, (int)size, &x, &y, &n);
}

int zc__texture_is_hdr(const uint8_t *bytes, size_t size) {
    return zc_exr_is(bytes, size) || zc_dds_is_float(bytes, size) || stbi_is_hdr_from_memory(bytes, (int)size) != 0;
}

/* Check the header: a known image type within the dimension cap. */
zc_result zc__texture_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels,
                           zc_diag *diag) {
    if (size == 0) return zc_fail(diag, ZC_ERR_BAD_SOURCE, "the file is empty");
    if (size >= (size_t)INT_MAX)
        return zc_fail(diag, ZC_ERR_LIMIT, "file of %zu bytes is larger than the %d bytes an image may have", size,
                       INT_MAX - 1);
    if (zc_exr_is(bytes, size)) return zc_exr_probe(bytes, size, cap, w, h, channels, diag);
    if (zc_webp_is(bytes, size)) return zc_webp_probe(bytes, size, cap, w, h, channels, diag);
    if (zc_dds_is(bytes, size)) return zc_dds_probe(bytes, size, cap, w, h, channels, diag);
    if (zc_sgi_is(bytes, size)) return zc_sgi_probe(bytes, size, cap, w, h, channels, diag);
    if (zc_tiff_is(bytes, size)) return zc_tiff_probe(bytes, size, cap, w, h, channels, diag);
    if (zc_bmp_rle_is(bytes, size)) return zc_bmp_rle_probe(bytes, size, cap, w, h, channels, diag);
    if (zc_psd_is(bytes, size)) return zc_psd_probe(bytes, size, cap, w, h, channels, diag);
    zc__sniffed sniffed;
    zc__sniff(bytes, size, &sniffed);
    if (sniffed.has_extent && (sniffed.width > cap || sniffed.height > cap))
        return zc__texture_too_large(sniffed.width, sniffed.height, cap, diag);
    if (sniffed.kind && strcmp(sniffed.kind, "JPEG") == 0) {
        const char *damage = zc__jpeg_tables_check(bytes, size);
        if (damage) return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable JPEG image: %s", damage);
    }
    if (!stbi_info_from_memory(bytes, (int)size, w, h, channels))
        return zc__is_pcx(bytes, size) ? zc_pcx_probe(bytes, size, cap, w, h, channels, diag)
                                       : zc__unreadable(bytes, size, &sniffed, cap, diag);
    if (*w <= 0 || *h <= 0)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "image header gives the empty size %dx%d", *w, *h);
    if ((uint32_t)*w > cap || (uint32_t)*h > cap || (uint64_t)(uint32_t)*w * (uint32_t)*h > (uint64_t)cap * cap)
        return zc__texture_too_large((uint32_t)*w, (uint32_t)*h, cap, diag);
    if (*channels < 1 || *channels > 4)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "image has %d channels", *channels);
    return ZC_OK;
}

/* Two PNG chunk shapes stb_image mishandles, mended in a copy before it decodes:
 *  - an empty first image data chunk makes it add 0 to a null pointer (undefined
 *    behaviour); empty IDAT chunks carry nothing, so the copy leaves them out;
 *  - an IDAT chunk cut by the end of the file makes it grow its buffer to the length
 *    the chunk declares, up to 2 GiB, before it finds the bytes missing; the copy
 *    declares one byte more than the file still holds, so stb_image allocates no
 *    more than the file's size and fails as before ("Corrupt PNG").
 * *copy (malloc'd) holds the mended file, or NULL when nothing needs mending (or the
 * file is no PNG). 0 when out of memory. Untrusted bytes: reads only inside
 * [b, b + size). */
static int zc__png_for_stb(const uint8_t *b, size_t size, uint8_t **copy, size_t *copy_size) {
    *copy = NULL;
    if (size < 8 || memcmp(b, "\x89PNG\r\n\x1a\n", 8) != 0) return 1;
    int empty = 0, cut = 0;
    size_t at = 8;
    for (; size - at >= 12; at += 12 + (size_t)zc__be32(b + at)) {
        uint32_t length = zc__be32(b + at);
        if (length > size - at - 12) break;
        empty |= length == 0 && memcmp(b + at + 4, "IDAT", 4) == 0;
    }
    cut = size - at >= 8 && memcmp(b + at + 4, "IDAT", 4) == 0 && zc__be32(b + at) > size - at - 8;
    if (!empty && !cut) return 1;
    if (!(*copy = (uint8_t *)malloc(size))) return 0;
    memcpy(*copy, b, 8);
    size_t from = 8, kept = 8;
    while (size - from >= 12) {
        uint32_t length = zc__be32(b + from);
        if (length > size - from - 12) break;
        if (length != 0 || memcmp(b + from + 4, "IDAT", 4) != 0) {
            memcpy(*copy + kept, b + from, 12 + (size_t)length);
            kept += 12 + (size_t)length;
        }
        from += 12 + (size_t)length;
    }
    memcpy(*copy + kept, b + from, size - from); /* a cut last chunk */
    if (cut) {
        uint32_t declared = (uint32_t)(size - from - 8 + 1);
        uint8_t *p = *copy + kept;
        p[0] = (uint8_t)(declared >> 24), p[1] = (uint8_t)(declared >> 16), p[2] = (uint8_t)(declared >> 8),
        p[3] = (uint8_t)declared;
    }
    *copy_size = kept + (size - from);
    return 1;
}

/* Decode to RGBA8, or RGBA float for HDR sources. The result is malloc'd (stb_image
 * allocates with the libc allocator). */
zc_result zc__texture_decode(const uint8_t *bytes, size_t size, int hdr, int w, int h, zc_texels *out, zc_diag *diag) {
    if (zc_exr_is(bytes, size)) return zc_exr_decode(bytes, size, w, h, out, diag);
    if (zc_webp_is(bytes, size)) return zc_webp_decode(bytes, size, w, h, out, diag);
    if (zc_dds_is(bytes, size)) return zc_dds_decode(bytes, size, w, h, out, diag);
    if (zc_sgi_is(bytes, size)) return zc_sgi_decode(bytes, size, w, h, out, diag);
    if (zc_tiff_is(bytes, size)) return zc_tiff_decode(bytes, size, w, h, out, diag);
    if (zc_bmp_rle_is(bytes, size)) return zc_bmp_rle_decode(bytes, size, w, h, out, diag);
    if (zc_psd_is(bytes, size)) return zc_psd_decode(bytes, size, w, h, out, diag);
    if (zc__is_pcx(bytes, size)) return zc_pcx_decode(bytes, size, w, h, out, diag);
    uint8_t *png;
    size_t png_size;
    if (!zc__png_for_stb(bytes, size, &png, &png_size))
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory decoding the image");
    const uint8_t *decoded = png ? png : bytes;
    int x = 0, y = 0, channels = 0;
    zc__stbi_out_of_memory = 0;
    void *data = hdr ? (void *)stbi_loadf_from_memory(decoded, (int)(png ? png_size : size), &x, &y, &channels, 4)
                     : (void *)stbi_load_from_memory(decoded, (int)(png ? png_size : size), &x, &y, &channels, 4);
    free(png);
    if (!data) {
        const char *reason = zc__stbi_reason();
        if (zc__stbi_out_of_memory || strcmp(reason, "Out of memory") == 0)
            return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory decoding the image");
        if (!hdr && size >= 6 && (memcmp(bytes, "GIF87a", 6) == 0 || memcmp(bytes, "GIF89a", 6) == 0))
            return zc_gif_decode(bytes, size, w, h, out, diag); /* the first frames stb_image refuses */
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "cannot decode the image: %s", reason);
    }
    if (x != w || y != h) {
        stbi_image_free(data);
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "image decoded as %dx%d but its header says %dx%d", x, y, w, h);
    }
    out->width = (uint32_t)w;
    out->height = (uint32_t)h;
    out->is_float = hdr;
    out->data = data;
    return ZC_OK;
}

/* Bytes per texel stb_image holds at its peak while decoding this file to RGBA8 (or
 * RGBA float), output included: GIF keeps the frame, the background and a history
 * byte (9); a progressive JPEG keeps 16-bit coefficients and a plane per component
 * next to the output (up to 16 with four components); a 16-bit PNG or PSD expands
 * before it narrows (16); Radiance HDR decodes to 4 floats (16); TIFF holds a strip
 * beside the output (12), PSD up to four 16-bit planes (12); the rest decode into one
 * buffer and convert into another (8). */
uint32_t zc__texture_decode_bytes_per_texel(const uint8_t *bytes, size_t size, int hdr) {
    if (hdr || stbi_is_16_bit_from_memory(bytes, (int)size)) return 16;
    if (zc_tiff_is(bytes, size)) return 12; /* a strip of up to 8 bytes a texel (the whole image in one strip of
                                               16-bit RGBA), and the RGBA8 output */
    if (zc_psd_is(bytes, size)) return 12;  /* four 16-bit planes and the RGBA8 output */
    zc__sniffed sniffed;
    zc__sniff(bytes, size, &sniffed);
    if (sniffed.kind && strcmp(sniffed.kind, "JPEG") == 0) return 16;
    if (sniffed.kind && strcmp(sniffed.kind, "GIF") == 0) return 9;
    return 8;
}
