/* zc_exr_read.c - the header of an OpenEXR source for the texture importer
 * (zc_texture_pixels.h), read from memory through OpenEXRCore's C API: part 0 of a
 * scanline or tiled file, its data window's extent checked against the importer's
 * limits, and which of R, G, B, A or a luminance Y (also as the last name of a layer:
 * "diffuse.R") it has. Deep images, subsampled colour channels and files without a
 * colour channel are refused by name. The pixels are decoded by zc_exr_decode.cpp
 * (the C library of Debian 12 lacks the DWA codecs, which Blender writes). Untrusted
 * input: the library checks the header against the file's size; nothing is decoded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <OpenEXR/openexr.h>

#include "zc_texture_pixels.h"

/* The file in memory, and the first message the library gave. */
typedef struct zc__exr_stream {
    const uint8_t *bytes;
    size_t size;
    char message[200];
} zc__exr_stream;

static int64_t zc__exr_read(exr_const_context_t ctxt, void *user, void *buffer, uint64_t sz, uint64_t offset,
                            exr_stream_error_func_ptr_t error_cb) {
    (void)ctxt;
    (void)error_cb;
    const zc__exr_stream *s = (const zc__exr_stream *)user;
    if (offset >= s->size) return 0;
    uint64_t n = s->size - offset < sz ? s->size - offset : sz;
    memcpy(buffer, s->bytes + offset, (size_t)n);
    return (int64_t)n;
}

static int64_t zc__exr_size(exr_const_context_t ctxt, void *user) {
    (void)ctxt;
    return (int64_t)((const zc__exr_stream *)user)->size;
}

static void zc__exr_error(exr_const_context_t ctxt, exr_result_t code, const char *msg) {
    void *user = NULL;
    if (exr_get_user_data(ctxt, &user) != EXR_ERR_SUCCESS || !user) return;
    zc__exr_stream *s = (zc__exr_stream *)user;
    if (!s->message[0]) snprintf(s->message, sizeof s->message, "%s", msg ? msg : exr_get_error_code_as_string(code));
}

/* A read context on the stream, or the error in diag. */
static zc_result zc__exr_open(zc__exr_stream *s, uint32_t cap, exr_context_t *ctxt, zc_diag *diag) {
    exr_context_initializer_t init = EXR_DEFAULT_CONTEXT_INITIALIZER;
    init.user_data = s;
    init.read_fn = zc__exr_read;
    init.size_fn = zc__exr_size;
    init.error_handler_fn = zc__exr_error;
    init.max_tile_width = init.max_tile_height = (int)cap; /* the image's extent is checked by the caller */
    exr_result_t e = exr_start_read(ctxt, "memory", &init);
    if (e == EXR_ERR_SUCCESS) return ZC_OK;
    exr_finish(ctxt);
    if (e == EXR_ERR_OUT_OF_MEMORY) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory reading the OpenEXR header");
    return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable OpenEXR image: %s",
                  s->message[0] ? s->message : exr_get_error_code_as_string(e));
}

/* Index in the channel list of `want` ("R"), or of a layer's "<layer>.R" when no plain
 * one exists; -1 when none. */
static int zc__exr_channel(const exr_attr_chlist_t *list, const char *want) {
    int layered = -1;
    for (int i = 0; i < list->num_channels; ++i) {
        const char *name = list->entries[i].name.str;
        if (!name) continue;
        if (strcmp(name, want) == 0) return i;
        const char *dot = strrchr(name, '.');
        if (layered < 0 && dot && strcmp(dot + 1, want) == 0) layered = i;
    }
    return layered;
}

/* The extent and the channels of part 0; which list entries feed R, G, B, A (or Y). */
typedef struct zc__exr_layout {
    int width, height;
    exr_attr_box2i_t window;
    exr_storage_t storage;
    int source[4];              /* list index feeding R, G, B, A; -1: none */
    int grey;                   /* 1: a Y channel feeds R, G and B */
    int channels;               /* 1 (Y), 2 (Y and A), 3 (RGB) or 4 (RGBA) */
} zc__exr_layout;

static zc_result zc__exr_layout_of(exr_context_t ctxt, uint32_t cap, zc__exr_layout *l, zc_diag *diag) {
    const exr_attr_chlist_t *list = NULL;
    if (exr_get_storage(ctxt, 0, &l->storage) != EXR_ERR_SUCCESS || exr_get_data_window(ctxt, 0, &l->window) != EXR_ERR_SUCCESS ||
        exr_get_channels(ctxt, 0, &list) != EXR_ERR_SUCCESS || !list)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "not a readable OpenEXR image: its header lacks a required attribute");
    if (l->storage != EXR_STORAGE_SCANLINE && l->storage != EXR_STORAGE_TILED)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "a deep OpenEXR image (samples per pixel vary), which is no texture");
    int64_t w = (int64_t)l->window.max.x - l->window.min.x + 1, h = (int64_t)l->window.max.y - l->window.min.y + 1;
    if (w <= 0 || h <= 0) return zc_fail(diag, ZC_ERR_BAD_SOURCE, "OpenEXR data window is empty");
    if (w > cap || h > cap) return zc__texture_too_large((uint64_t)w, (uint64_t)h, cap, diag);
    l->width = (int)w;
    l->height = (int)h;
    const char *names[4] = { "R", "G", "B", "A" };
    for (int c = 0; c < 4; ++c) l->source[c] = zc__exr_channel(list, names[c]);
    l->grey = l->source[0] < 0 && l->source[1] < 0 && l->source[2] < 0;
    if (l->grey) l->source[0] = l->source[1] = l->source[2] = zc__exr_channel(list, "Y");
    if (l->source[0] < 0 && l->source[1] < 0 && l->source[2] < 0)
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "OpenEXR image has no R, G, B or Y channel (%d channels of other names)",
                       list->num_channels);
    for (int c = 0; c < 4; ++c) {
        if (l->source[c] < 0) continue;
        const exr_attr_chlist_entry_t *e = &list->entries[l->source[c]];
        if (e->x_sampling != 1 || e->y_sampling != 1)
            return zc_fail(diag, ZC_ERR_BAD_SOURCE, "OpenEXR channel %s is subsampled (%dx%d), which is not supported",
                           e->name.str, e->x_sampling, e->y_sampling);
    }
    l->channels = l->grey ? (l->source[3] >= 0 ? 2 : 1) : (l->source[3] >= 0 ? 4 : 3);
    return ZC_OK;
}

zc_result zc_exr_probe(const uint8_t *bytes, size_t size, uint32_t cap, int *w, int *h, int *channels, zc_diag *diag) {
    zc__exr_stream s = { bytes, size, "" };
    exr_context_t ctxt = NULL;
    zc_result r = zc__exr_open(&s, cap, &ctxt, diag);
    if (r != ZC_OK) return r;
    zc__exr_layout l;
    r = zc__exr_layout_of(ctxt, cap, &l, diag);
    exr_finish(&ctxt);
    if (r != ZC_OK) return r;
    *w = l.width;
    *h = l.height;
    *channels = l.channels;
    return ZC_OK;
}
