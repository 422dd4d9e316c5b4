/* test_texture_gif.c - GIF files stb_image refuses (packer/import/texture/
 * zc_gif_read.c), against the GIF test suite that gdk-pixbuf's tests install (its
 * TESTS list, and for each test a .conf giving the expected first frame as RGBA, or
 * no frame for a file a decoder must refuse):
 *  - the reader alone gives every expected first frame, and refuses every file the
 *    suite expects no frame of (but one, below);
 *  - the importer keeps stb_image's texels for the files stb_image reads, and gives
 *    the suite's frame for those it refuses (no initial clear code, a first frame
 *    partly or wholly outside the screen), and Pillow's texels for gdk-pixbuf's
 *    circular-table.gif, a 640x360 picture stb_image refuses;
 *  - every cut of a real GIF is read or refused without a fault.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_test_images.h"
#include "zc_test_util.h"
#include "zc_texture_pixels.h"

#define SUITE ZCTI_PIXBUF_IMAGES "/gif-test-suite"

TestSuite(texture_gif, .init = zcti_tree_setup, .fini = zcti_tree_teardown, .timeout = 120);

/* The file name of test `name`'s expected first frame (malloc'd), NULL when the suite
 * expects no frame. */
static char *expected_frame(const char *name) {
    char path[512];
    snprintf(path, sizeof path, SUITE "/%s.conf", name);
    size_t n;
    char *conf = (char *)zct_read_file(path, &n);
    char *frame = strstr(conf, "[frame0]"), *pixels = frame ? strstr(frame, "pixels = ") : NULL;
    char *out = NULL;
    if (pixels) {
        pixels += strlen("pixels = ");
        out = strndup(pixels, strcspn(pixels, "\r\n"));
    }
    free(conf);
    return out;
}

/* The reader's first frame of `path`, or NULL with *r its error. */
static uint8_t *read_gif(const char *path, uint32_t *w, uint32_t *h, zc_result *r) {
    size_t size;
    uint8_t *bytes = zct_read_file(path, &size);
    zc_diag diag = { 0 };
    int iw = 0, ih = 0, channels = 0;
    zc_texels t = { 0 };
    *r = zc_gif_probe(bytes, size, 4096, &iw, &ih, &channels, &diag);
    if (*r == ZC_OK) *r = zc_gif_decode(bytes, size, iw, ih, &t, &diag);
    free(bytes);
    if (*r != ZC_OK) return NULL;
    *w = t.width;
    *h = t.height;
    return (uint8_t *)t.data;
}

Test(texture_gif, the_reader_gives_the_suites_first_frames) {
    zcti_require(SUITE "/TESTS");
    size_t n;
    char *list = (char *)zct_read_file(SUITE "/TESTS", &n);
    int checked = 0, refused = 0;
    for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
        /* max-*: 65535 a side. plain-text: the suite draws no frame for a file whose image
         * follows a plain text extension; stb_image, and this reader, draw the image. */
        if (line[0] == '#' || line[0] == 0 || strncmp(line, "max-", 4) == 0 || strcmp(line, "plain-text") == 0)
            continue;
        char gif[512];
        snprintf(gif, sizeof gif, SUITE "/%s.gif", line);
        char *frame = expected_frame(line);
        uint32_t w = 0, h = 0;
        zc_result r;
        uint8_t *ours = read_gif(gif, &w, &h, &r);
        if (!frame) {
            cr_expect_null(ours, "%s: the suite expects no frame, the reader gave %ux%u", line, w, h);
            refused += ours == NULL;
        } else {
            char path[512];
            snprintf(path, sizeof path, SUITE "/%s", frame);
            size_t want_size;
            uint8_t *want = zct_read_file(path, &want_size);
            cr_assert_not_null(ours, "%s: refused (%s)", line, zc_result_name(r));
            cr_expect(want_size == (size_t)w * h * 4 && memcmp(ours, want, want_size) == 0,
                      "%s: %ux%u texels differ from %s", line, w, h, frame);
            ++checked;
            free(want);
        }
        free(ours);
        free(frame);
    }
    cr_assert_geq(checked, 40, "only %d tests with a frame", checked);
    cr_assert_geq(refused, 3, "only %d tests without a frame", refused);
    free(list);
}

/* Through the importer: stb_image's texels where it reads the file (the same as the
 * suite's for these), the reader's where it does not. */
Test(texture_gif, the_importer_reads_what_stb_image_refuses) {
    static const char *const names[] = { "no-clear", "no-clear-and-eoi", "image-overlap-bg", "image-outside-bg",
                                         "interlace", "transparent", "four-colors" };
    for (size_t i = 0; i < sizeof names / sizeof *names; ++i) {
        char gif[512], path[512];
        snprintf(gif, sizeof gif, SUITE "/%s.gif", names[i]);
        zcti_require(gif);
        char *frame = expected_frame(names[i]);
        cr_assert_not_null(frame, "%s: the suite gives no frame", names[i]);
        snprintf(path, sizeof path, SUITE "/%s", frame);
        size_t want_size;
        uint8_t *want = zct_read_file(path, &want_size);
        uint32_t w, h;
        uint8_t *got = zcti_import_rgba8(gif, &w, &h);
        cr_assert(want_size == (size_t)w * h * 4 && memcmp(got, want, want_size) == 0, "%s: texels differ from %s",
                  names[i], frame);
        free(got);
        free(want);
        free(frame);
    }
}

/* gdk-pixbuf's circular-table.gif (made against a decoder whose LZW table could loop)
 * is a whole picture that Pillow reads and stb_image refuses. */
Test(texture_gif, a_real_file_stb_image_refuses_gives_pillows_texels) {
    zcti_need_pillow("GifImagePlugin");
    zcti_require(ZCTI_PIXBUF "/circular-table.gif");
    zcti_expect_pillow_texels(ZCTI_PIXBUF "/circular-table.gif", "circular-table.gif");
}

/* Every cut of a real GIF: read (the pixels the data reaches) or refused, never a
 * fault (exact-size copies: a read past the end is a sanitizer error). */
Test(texture_gif, every_cut_is_read_or_refused) {
    zcti_require(SUITE "/interlace.gif");
    const char *files[] = { SUITE "/interlace.gif", SUITE "/many-clears.gif", SUITE "/local-color-table.gif" };
    for (size_t f = 0; f < sizeof files / sizeof *files; ++f) {
        size_t size;
        uint8_t *whole = zct_read_file(files[f], &size);
        for (size_t n = 0; n <= size; ++n) {
            uint8_t *cut = malloc(n ? n : 1);
            memcpy(cut, whole, n);
            zc_diag diag = { 0 };
            int w, h, c;
            zc_texels t = { 0 };
            zc_result r = zc_gif_probe(cut, n, 4096, &w, &h, &c, &diag);
            if (r == ZC_OK) r = zc_gif_decode(cut, n, w, h, &t, &diag);
            if (r == ZC_OK) free(t.data);
            else cr_assert(diag.message[0], "%s cut to %zu bytes: no sentence", files[f], n);
            free(cut);
        }
        free(whole);
    }
}
