/* test_texture_bmp_rle.c - run-length encoded BMP sources
 * (packer/import/texture/zc_bmp_rle_read.c), which stb_image refuses: the texels and
 * palettes of real paletted images (assimp-testmodels' 8-bit MD2 skin, pygame's 4-bit
 * and 8-bit images, as Pillow reads them) written here as BI_RLE8 and BI_RLE4 bitmaps
 * with runs, literal stretches and row ends import to exactly the texels Pillow's own
 * run-length decoder gives, and deltas leave the texels they skip at index 0; damaged
 * headers fail with
 * a sentence and no fault; `zcpack build` makes such a file a texture. Skipped, saying
 * why, where Pillow is missing (tools/bootstrap.sh --test-data installs it).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zc_import_texture.h"
#include "zc_pack.h"
#include "zc_test_images.h"
#include "zc_test_util.h"

TestSuite(texture_bmp_rle, .init = zcti_tree_setup, .fini = zcti_tree_teardown, .timeout = 120);

typedef struct paletted {
    uint32_t width, height, colours;
    uint8_t *indices;           /* top row first */
    uint8_t *rgb;               /* colours * 3 */
} paletted;

/* The indices and palette Pillow reads from `source`, quantised to `colours` colours. */
static paletted read_paletted(const char *source, uint32_t colours) {
    char *raw = zct_tmp_path("indices.raw"), *pal = zct_tmp_path("indices.raw.pal");
    char code[400];
    snprintf(code, sizeof code,
             "import sys\nfrom PIL import Image\nim = Image.open(sys.argv[1]).convert('RGB').quantize(%u)\n"
             "open(sys.argv[2], 'wb').write(im.tobytes())\n"
             "open(sys.argv[2] + '.pal', 'wb').write(bytes(im.getpalette()[:%u * 3]) + "
             "b'%%d %%d' %% im.size)\n",
             colours, colours);
    zcti_python(code, source, raw);
    paletted p;
    size_t n, m;
    p.indices = zct_read_file(raw, &n);
    uint8_t *tail = zct_read_file(pal, &m);
    cr_assert_geq(m, (size_t)colours * 3);
    p.colours = colours;
    p.rgb = tail;
    cr_assert_eq(sscanf((const char *)tail + colours * 3, "%u %u", &p.width, &p.height), 2);
    cr_assert_eq(n, (size_t)p.width * p.height);
    free(raw);
    free(pal);
    return p;
}

/* Append one stored row, 8 or 4 bits a texel: runs of 2 or more equal indices, literal
 * stretches of 3 or more (of 4 bits: an even count, as Pillow 9.4 reads only those),
 * single texels as runs of one; `skip` texels first by a delta escape (they keep
 * index 0). */
static size_t encode_row(uint8_t *out, const uint8_t *row, uint32_t width, int bits, uint32_t skip) {
    size_t n = 0;
    uint32_t i = 0;
    if (skip) out[n++] = 0, out[n++] = 2, out[n++] = (uint8_t)skip, out[n++] = 0, i = skip;
    while (i < width) {
        uint32_t run = 1;
        while (i + run < width && run < 255 && row[i + run] == row[i]) run++;
        if (run >= 2) {
            out[n++] = (uint8_t)run;
            out[n++] = bits == 8 ? row[i] : (uint8_t)(row[i] << 4 | row[i]);
            i += run;
            continue;
        }
        uint32_t j = i; /* a literal stretch up to the next pair of equal indices */
        while (j < width && j - i < 255 && !(j + 1 < width && row[j] == row[j + 1])) j++;
        uint32_t count = j - i;
        if (bits == 4 && count >= 3 && count % 2) j--, count--;
        if (count < 3) {
            for (uint32_t k = 0; k < count; ++k)
                out[n++] = 1, out[n++] = bits == 8 ? row[i + k] : (uint8_t)(row[i + k] << 4);
        } else {
            out[n++] = 0;
            out[n++] = (uint8_t)count;
            size_t bytes = bits == 8 ? count : (count + 1) / 2;
            memset(out + n, 0, bytes + (bytes & 1));
            for (uint32_t k = 0; k < count; ++k)
                if (bits == 8) out[n + k] = row[i + k];
                else out[n + k / 2] |= (uint8_t)(row[i + k] << (k & 1 ? 0 : 4));
            n += bytes + (bytes & 1);
        }
        i = j;
    }
    out[n++] = 0, out[n++] = 0; /* end of row */
    return n;
}

static void put_le(uint8_t *p, uint32_t v, int bytes) {
    for (int k = 0; k < bytes; ++k) p[k] = (uint8_t)(v >> (8 * k));
}

/* `p` as a run-length encoded BMP file of `bits` bits a texel (bottom row first); with
 * `deltas`, the stored rows y with y % 7 == 3 start with a delta over 2 texels. */
static char *write_rle(const paletted *p, int bits, const char *name, int deltas) {
    size_t palette = 4 * (size_t)p->colours, cap = 54 + palette + (size_t)p->height * (p->width * 4 + 16) + 2;
    uint8_t *f = calloc(1, cap);
    size_t at = 54 + palette;
    for (uint32_t y = 0; y < p->height; ++y) {
        uint32_t stored = p->height - 1 - y; /* the file's row y is the image's row stored */
        at += encode_row(f + at, p->indices + (size_t)stored * p->width, p->width, bits, deltas && y % 7 == 3 ? 2 : 0);
    }
    f[at++] = 0, f[at++] = 1; /* end of bitmap */
    f[0] = 'B', f[1] = 'M';
    put_le(f + 2, (uint32_t)at, 4);
    put_le(f + 10, (uint32_t)(54 + palette), 4);
    put_le(f + 14, 40, 4);
    put_le(f + 18, p->width, 4);
    put_le(f + 22, p->height, 4);
    put_le(f + 26, 1, 2);
    put_le(f + 28, (uint32_t)bits, 2);
    put_le(f + 30, bits == 8 ? 1 : 2, 4);
    put_le(f + 34, (uint32_t)(at - 54 - palette), 4);
    put_le(f + 46, p->colours, 4);
    for (uint32_t c = 0; c < p->colours; ++c) {
        f[54 + 4 * c] = p->rgb[3 * c + 2];
        f[54 + 4 * c + 1] = p->rgb[3 * c + 1];
        f[54 + 4 * c + 2] = p->rgb[3 * c];
    }
    char *path = zct_tmp_path(name);
    zct_write_file(path, f, at);
    free(f);
    return path;
}

Test(texture_bmp_rle, real_images_import_to_the_texels_pillow_decodes) {
    zcti_need_pillow("BmpImagePlugin");
    static const struct {
        const char *source;
        uint32_t colours;
    } images[] = {
        { ZCTI_ASSIMP "/MD2/sydney.bmp", 256 },
        { ZCTI_PYGAME "/liquid.bmp", 16 },
        { ZCTI_PYGAME "/asprite.bmp", 16 },
        { ZCTI_PYGAME "/arraydemo.bmp", 256 },
    };
    for (size_t i = 0; i < sizeof images / sizeof images[0]; ++i) {
        zcti_require(images[i].source);
        paletted p = read_paletted(images[i].source, images[i].colours);
        for (int bits = 8; bits >= 4; bits -= 4) {
            if (bits == 4 && p.colours > 16) continue;
            char *file = write_rle(&p, bits, bits == 8 ? "rle8.bmp" : "rle4.bmp", 0);
            char what[200];
            snprintf(what, sizeof what, "%s as BI_RLE%d", strrchr(images[i].source, '/') + 1, bits);
            zcti_expect_pillow_texels(file, what);
            free(file);
        }
        free(p.indices);
        free(p.rgb);
    }
}

/* A delta escape moves on without writing: the texels it skips keep index 0 (Pillow
 * 9.4 misreads deltas, so the file without them, which it reads, is the reference). */
Test(texture_bmp_rle, deltas_leave_index_0) {
    zcti_need_pillow("BmpImagePlugin");
    zcti_require(ZCTI_ASSIMP "/MD2/sydney.bmp");
    paletted p = read_paletted(ZCTI_ASSIMP "/MD2/sydney.bmp", 256);
    for (int bits = 8; bits >= 4; bits -= 4) {
        if (bits == 4) {
            free(p.indices);
            free(p.rgb);
            p = read_paletted(ZCTI_PYGAME "/liquid.bmp", 16);
        }
        char *plain = write_rle(&p, bits, "plain.bmp", 0), *skipping = write_rle(&p, bits, "deltas.bmp", 1);
        zcti_expect_pillow_texels(plain, "the file without deltas");
        uint32_t w, h, w2, h2;
        uint8_t *a = zcti_import_rgba8(plain, &w, &h), *b = zcti_import_rgba8(skipping, &w2, &h2);
        cr_assert(w == w2 && h == h2);
        uint32_t skipped = 0;
        for (uint32_t y = 0; y < h; ++y)
            for (uint32_t x = 0; x < w; ++x) {
                uint32_t stored = h - 1 - y; /* the file's row of image row y */
                const uint8_t *want = stored % 7 == 3 && x < 2 ? p.rgb : a + ((size_t)y * w + x) * 4;
                const uint8_t *got = b + ((size_t)y * w + x) * 4;
                skipped += stored % 7 == 3 && x < 2;
                cr_assert(memcmp(got, want, 3) == 0 && got[3] == 255, "RLE%d texel %u,%u: %u %u %u", bits, x, y,
                          got[0], got[1], got[2]);
            }
        cr_assert_gt(skipped, 0u);
        free(a);
        free(b);
        free(plain);
        free(skipping);
    }
    free(p.indices);
    free(p.rgb);
}

/* Damaged headers: a sentence each, no fault. */
Test(texture_bmp_rle, damaged_files_fail_with_a_sentence) {
    zcti_need_pillow("BmpImagePlugin");
    zcti_require(ZCTI_PYGAME "/liquid.bmp");
    paletted p = read_paletted(ZCTI_PYGAME "/liquid.bmp", 16);
    char *file = write_rle(&p, 8, "good.bmp", 0);
    size_t size;
    uint8_t *good = zct_read_file(file, &size), *m = malloc(size);
    memcpy(m, good, size);
    put_le(m + 10, 0x7FFFFFF0u, 4); /* data far past the end */
    zcti_expect_import_refused(m, size, "bad.bmp", ZC_ERR_BAD_SOURCE, "its data lies outside the file");
    memcpy(m, good, size);
    put_le(m + 14, 0x7FFFFF00u, 4); /* a header so long the palette lies past the end */
    zcti_expect_import_refused(m, size, "bad.bmp", ZC_ERR_BAD_SOURCE, "its palette lies outside the file");
    memcpy(m, good, size);
    put_le(m + 18, 20000, 4);
    zcti_expect_import_refused(m, size, "bad.bmp", ZC_ERR_LIMIT, "larger than the 4096 limit");
    memcpy(m, good, size);
    put_le(m + 18, 0, 4);
    zcti_expect_import_refused(m, size, "bad.bmp", ZC_ERR_BAD_SOURCE, "BMP header gives the empty size 0x");
    memcpy(m, good, size);
    put_le(m + 46, 300, 4); /* 300 colours for 8-bit indices */
    zcti_expect_import_refused(m, size, "bad.bmp", ZC_ERR_BAD_SOURCE, "300 palette colours for 8-bit indices");
    /* the header and palette cut short; data cut short decodes, the rest at index 0 */
    zcti_expect_import_refused(good, 60, "cut.bmp", ZC_ERR_BAD_SOURCE, "palette lies outside the file");
    uint32_t w, h;
    char *cut = zct_tmp_path("cut.bmp");
    zct_write_file(cut, good, size - 40);
    free(zcti_import_rgba8(cut, &w, &h));
    cr_assert(w == p.width && h == p.height);
    free(cut);
    free(m);
    free(good);
    free(file);
    free(p.indices);
    free(p.rgb);
}

/* `zcpack build` makes a run-length encoded BMP a texture. */
Test(texture_bmp_rle, build_packs_it_as_a_texture) {
    zcti_need_pillow("BmpImagePlugin");
    zcti_require(ZCTI_ASSIMP "/MD2/sydney.bmp");
    paletted p = read_paletted(ZCTI_ASSIMP "/MD2/sydney.bmp", 256);
    char *file = write_rle(&p, 8, "skin.bmp", 1);
    free(zcti_copy(file, zcti_in_dir, "skins/sydney_rle.bmp"));
    zct_run r = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path);
    cr_assert_eq(r.code, 0, "%s", r.err);
    zct_run_free(&r);
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, "skins/sydney_rle.bmp", &e), ZC_OK);
    zc_texture_view v;
    cr_assert_eq(zc_texture_view_from_entry(&e, &v), ZC_OK);
    cr_assert(v.width == p.width && v.height == p.height, "%ux%u", v.width, v.height);
    zc_pack_close(pack);
    free(file);
    free(p.indices);
    free(p.rgb);
}
