/* zc_cli_output.c - files the commands write (zc_cli.h): whole files replaced
 * atomically, texture levels as PNG bytes. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stb/stb_image_write.h>

#include "zc_cli.h"
#include "zc_texture_pixels.h"
#include "zc_tmpfile.h"
#include "zc_writer.h"
#include "zc_packer_os.h"

/* Growing memory buffer for stb_image_write. */
typedef struct zc__membuf {
    uint8_t *data;
    size_t size, cap;
    int failed;
} zc__membuf;

static void zc__membuf_append(void *context, void *data, int size) {
    zc__membuf *m = (zc__membuf *)context;
    if (m->failed || size <= 0) return;
    if (m->size + (size_t)size > m->cap) {
        size_t cap = m->cap ? m->cap : 65536;
        while (cap < m->size + (size_t)size) cap *= 2;
        uint8_t *grown = (uint8_t *)realloc(m->data, cap);
        if (!grown) {
            m->failed = 1;
            return;
        }
        m->data = grown;
        m->cap = cap;
    }
    memcpy(m->data + m->size, data, (size_t)size);
    m->size += (size_t)size;
}

static void zc__output_log(zc_log_level level, const char *message, void *user_data) {
    (void)level;
    (void)user_data;
    zc__error("%s", message);
}

int zc__write_atomic(const char *command, const char *path, const void *data, size_t size) {
    zc_logger logger = { zc__output_log, NULL };
    if (zc_writer_check_output(path, logger) != ZC_OK) return ZC_EXIT_IO; /* no device, FIFO, link */
    char *tmp = NULL;
    int fd = zc__tmpfile_create(path, &tmp); /* exclusive, no link followed, random name */
    int err = fd < 0 ? errno : 0;
    const uint8_t *p = (const uint8_t *)data;
    for (size_t left = size; fd >= 0 && !err && left > 0;) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            err = w < 0 ? errno : EIO;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fd >= 0 && !err && fsync(fd) != 0) err = errno;
    if (fd >= 0 && close(fd) != 0 && !err) err = errno;
    if (!err && rename(tmp, path) != 0) err = errno;
    if (err == EFAULT) { /* `data` lies in a mapped pack that shrank */
        unlink(tmp);
        free(tmp);
        return zc__guard_bad_address(command);
    }
    if (err) {
        zc__error("%s: cannot write: %s", path, strerror(err));
        if (fd >= 0) unlink(tmp);
    }
    free(tmp);
    return err ? ZC_EXIT_IO : ZC_EXIT_OK;
}

/* Shrink w x h RGBA8 texels in place by `factor` in each direction, each new texel the
 * mean of the (up to) factor x factor texels it covers; *w and *h become the new size. */
static void zc__shrink_rgba8(uint8_t *rgba, uint32_t *w, uint32_t *h, uint32_t factor) {
    uint32_t nw = (*w + factor - 1) / factor, nh = (*h + factor - 1) / factor;
    for (uint32_t y = 0; y < nh; ++y)
        for (uint32_t x = 0; x < nw; ++x) {
            uint32_t sum[4] = { 0, 0, 0, 0 }, n = 0;
            for (uint32_t sy = y * factor; sy < (y + 1) * factor && sy < *h; ++sy)
                for (uint32_t sx = x * factor; sx < (x + 1) * factor && sx < *w; ++sx, ++n)
                    for (int c = 0; c < 4; ++c) sum[c] += rgba[((size_t)sy * *w + sx) * 4 + (size_t)c];
            for (int c = 0; c < 4; ++c) rgba[((size_t)y * nw + x) * 4 + (size_t)c] = (uint8_t)((sum[c] + n / 2) / n);
        }
    *w = nw;
    *h = nh;
}

zc_result zc__texture_level_png(const zc_texture_view *view, uint32_t level, uint32_t layer, uint32_t max_edge,
                                uint8_t **png_out, size_t *png_size) {
    *png_out = NULL;
    *png_size = 0;
    zc_texture_level_view lv;
    zc_result r = zc_texture_view_level(view, level, layer, &lv);
    if (r != ZC_OK) return r;
    uint64_t rows = (uint64_t)lv.height * lv.depth;
    if ((uint64_t)lv.width * 4 * rows > INT_MAX) return ZC_ERR_LIMIT; /* stb_image_write counts bytes in an int */
    uint8_t *rgba = (uint8_t *)malloc((size_t)lv.width * (size_t)rows * 4);
    zc__membuf png = { NULL, 0, 0, 0 };
    r = rgba ? zc_texture_level_decode_rgba8(view->format, &lv, rgba) : ZC_ERR_OUT_OF_MEMORY;
    uint32_t w = lv.width, h = (uint32_t)rows, longest = w > h ? w : h;
    if (r == ZC_OK && max_edge && longest > max_edge) zc__shrink_rgba8(rgba, &w, &h, (longest + max_edge - 1) / max_edge);
    if (r == ZC_OK &&
        (!stbi_write_png_to_func(zc__membuf_append, &png, (int)w, (int)h, 4, rgba, (int)w * 4) || png.failed))
        r = ZC_ERR_OUT_OF_MEMORY;
    free(rgba);
    if (r != ZC_OK) {
        free(png.data);
        return r;
    }
    *png_out = png.data;
    *png_size = png.size;
    return ZC_OK;
}
