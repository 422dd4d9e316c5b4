/* zc_import_blob.c - the fallback importer: a file's bytes as one blob entry.
 *
 * Settings (zc_blob_settings): the manifest's "alignment". Options:
 *   align   payload alignment in bytes, a power of two in [16, 65536], when the
 *           settings do not choose one; default 16.
 *
 * A file whose first bytes say it is an image or a texture (WebP, DDS, KTX, TIFF,
 * AVIF, HEIF, JPEG XL, or a PNG, JPEG, GIF, PSD, Radiance HDR or OpenEXR under a name
 * the texture importer does not claim) is still packed as its bytes, with a warning that
 * says so: a texture that silently became a blob is found at build time, not when the
 * engine fails to load it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zc_importer.h"
#include "zc_packer_sys.h"

#define ZC__BLOB_CHUNK (256u * 1024u)

/* log2 of the manifest's "alignment", else of the "align" option, or 0 with diag
 * filled when it is malformed. */
static uint32_t zc__blob_align_log2(const zc_import_source *src, zc_diag *diag) {
    uint32_t chosen = src->settings ? src->settings->blob.alignment : 0;
    for (uint32_t log2 = ZC_MIN_ALIGN_LOG2; chosen && log2 <= ZC_MAX_ALIGN_LOG2; ++log2)
        if (chosen == (uint32_t)1 << log2) return log2;
    if (chosen)
        return zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "alignment %u is not a power of two in [%u, %u]", chosen,
                       1u << ZC_MIN_ALIGN_LOG2, 1u << ZC_MAX_ALIGN_LOG2), 0;
    const char *value = zc_import_option_get(src, "align");
    if (!value) return ZC_MIN_ALIGN_LOG2;
    uint64_t bytes = 0;
    const char *p = value;
    while (*p >= '0' && *p <= '9' && bytes <= ((uint64_t)1 << ZC_MAX_ALIGN_LOG2)) bytes = bytes * 10 + (uint64_t)(*p++ - '0');
    for (uint32_t log2 = ZC_MIN_ALIGN_LOG2; log2 <= ZC_MAX_ALIGN_LOG2; ++log2)
        if (p != value && *p == 0 && bytes == (uint64_t)1 << log2) return log2;
    zc_fail(diag, ZC_ERR_INVALID_ARGUMENT, "option align=%s is not a power of two in [%u, %u]", value,
            1u << ZC_MIN_ALIGN_LOG2, 1u << ZC_MAX_ALIGN_LOG2);
    return 0;
}

/* What the first bytes of a file say it is, when that is an image. */
typedef struct zc__lookalike {
    uint32_t offset;
    uint32_t length;
    const char *magic;
    const char *what;
    const char *extension;      /* the texture importer reads it under this name; NULL: none does */
} zc__lookalike;

static const zc__lookalike zc__lookalikes[] = {
    { 0, 4, "\x76\x2f\x31\x01", "an OpenEXR image", "exr" },
    { 8, 4, "WEBP", "a WebP image", "webp" },
    { 0, 4, "DDS ", "a DDS texture", "dds" },
    { 0, 8, "\xabKTX 20\xbb", "a KTX2 texture", NULL },
    { 0, 8, "\xabKTX 11\xbb", "a KTX texture", NULL },
    { 0, 4, "II*\0", "a TIFF image", "tif" },
    { 0, 4, "MM\0*", "a TIFF image", "tif" },
    { 4, 8, "ftypavif", "an AVIF image", NULL },
    { 4, 8, "ftypheic", "a HEIF image", NULL },
    { 0, 2, "\xff\x0a", "a JPEG XL image", NULL },
    { 4, 8, "JXL \x0d\x0a\x87\x0a", "a JPEG XL image", NULL },
    { 0, 8, "\x89PNG\r\n\x1a\n", "a PNG image", "png" },
    { 0, 3, "\xff\xd8\xff", "a JPEG image", "jpg" },
    { 0, 4, "GIF8", "a GIF image", "gif" },
    { 0, 4, "8BPS", "a Photoshop image", "psd" },
    { 0, 10, "#?RADIANCE", "a Radiance HDR image", "hdr" },
    { 0, 6, "#?RGBE", "a Radiance HDR image", "hdr" },
};

/* The warning for a file whose first n bytes look like an image, written to
 * out[size]; 0 when they do not. Safe on any bytes. */
static int zc__lookalike_note(const uint8_t *head, size_t n, char *out, size_t size) {
    for (size_t i = 0; i < sizeof zc__lookalikes / sizeof *zc__lookalikes; ++i) {
        const zc__lookalike *l = &zc__lookalikes[i];
        if (n < (size_t)l->offset + l->length || memcmp(head + l->offset, l->magic, l->length) != 0) continue;
        if (l->extension)
            snprintf(out, size, "looks like %s but its name does not end in .%s: packed as raw bytes (rename it to "
                                "import it as a texture)", l->what, l->extension);
        else
            snprintf(out, size, "looks like %s, which no importer of zcpack reads: packed as raw bytes", l->what);
        return 1;
    }
    return 0;
}

zc_result zc__import_blob(const zc_import_source *src, zc_writer *w, zc_diag *diag) {
    uint32_t align_log2 = zc__blob_align_log2(src, diag);
    if (align_log2 == 0) return ZC_ERR_INVALID_ARGUMENT;

    int fd;
    zc_result opened = zc_import_open(src, &fd, diag);
    if (opened != ZC_OK) return opened;
    uint8_t *chunk = (uint8_t *)malloc(ZC__BLOB_CHUNK);
    if (!chunk) {
        zc__packer_sys.close(fd);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for the read buffer");
    }

    int first = 1;
    zc_result r = zc_writer_begin_entry(w, src->entry_path, ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, align_log2);
    if (r != ZC_OK) zc_fail(diag, r, "cannot begin the entry: %s", zc_result_str(r));
    while (r == ZC_OK) {
        ssize_t n = zc__packer_sys.read(fd, chunk, ZC__BLOB_CHUNK);
        if (n < 0) {
            if (errno == EINTR) continue;
            r = zc_fail(diag, ZC_ERR_IO, "cannot read: %s", strerror(errno));
            break;
        }
        if (n == 0) break;
        char note[256];
        if (first && zc__lookalike_note(chunk, (size_t)n, note, sizeof note))
            zc_import_notes_log(note, src->file_path, src->logger);
        first = 0;
        r = zc_writer_write(w, chunk, (size_t)n);
        if (r != ZC_OK) zc_fail(diag, r, "cannot write the entry: %s", zc_result_str(r));
    }
    if (r == ZC_OK) {
        r = zc_writer_end_entry(w);
        if (r != ZC_OK) zc_fail(diag, r, "cannot finish the entry: %s", zc_result_str(r));
    }
    free(chunk);
    zc__packer_sys.close(fd);
    return r;
}

/* The whole file as one output, for files the build reads on a worker (at most
 * ZC_WRITER_ENCODE_MEMORY bytes when the scan saw them; a file that grew since is
 * read whole all the same, up to twice that, else refused as changed). */
zc_result zc__prepare_blob(const zc_import_source *src, zc_import_outputs *out, zc_diag *diag) {
    memset(out, 0, sizeof *out);
    uint32_t align_log2 = zc__blob_align_log2(src, diag);
    if (align_log2 == 0) return ZC_ERR_INVALID_ARGUMENT;
    int fd;
    zc_result r = zc_import_open(src, &fd, diag);
    if (r != ZC_OK) return r;
    size_t cap = (size_t)src->size + 1, len = 0, limit = 2u * ZC_WRITER_ENCODE_MEMORY;
    uint8_t *data = (uint8_t *)malloc(cap);
    if (!data) r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for the file's %zu bytes", cap - 1);
    while (r == ZC_OK) {
        if (len == cap) {
            size_t grown_cap = cap * 2 < limit ? cap * 2 : limit;
            uint8_t *grown = grown_cap > cap ? (uint8_t *)realloc(data, grown_cap) : NULL;
            if (!grown) {
                r = zc_fail(diag, ZC_ERR_IO, "the file grew past %zu bytes while it was read", len);
                break;
            }
            data = grown;
            cap = grown_cap;
        }
        ssize_t n = zc__packer_sys.read(fd, data + len, cap - len);
        if (n < 0) {
            if (errno == EINTR) continue;
            r = zc_fail(diag, ZC_ERR_IO, "cannot read: %s", strerror(errno));
        } else if (n == 0) {
            break;
        } else {
            len += (size_t)n;
        }
    }
    zc__packer_sys.close(fd);
    if (r == ZC_OK && !(out->items = (zc_import_output *)calloc(1, sizeof *out->items)))
        r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    if (r != ZC_OK) {
        free(data);
        return r;
    }
    char note[256];
    size_t note_len = zc__lookalike_note(data, len, note, sizeof note) ? strlen(note) + 1 : 0;
    if (note_len && (out->notes = (char *)malloc(note_len)) != NULL) memcpy(out->notes, note, note_len);
    if (note_len && !out->notes) {
        free(out->items);
        out->items = NULL;
        free(data);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    }
    out->count = 1;
    out->items[0].type = ZC_TYPE_BLOB;
    out->items[0].layout_hash = ZC_BLOB_LAYOUT_HASH;
    out->items[0].align_log2 = align_log2;
    out->items[0].payload = data;
    out->items[0].size = len;
    return ZC_OK;
}
