/* test_texture_psd.c - Photoshop files (packer/import/texture/zc_psd_read.c):
 * grayscale, indexed and CMYK files of 8 and 16 bits, raw and PackBits, written here
 * from the pixels of real images, import to the texels Pillow's PSD reader gives; RGB
 * files, with and without alpha, to stb_image's; a grayscale file's extra channel is
 * its alpha;
 * other kinds (Lab, bitmap, 32 bits, ZIP, large documents) are refused with a sentence
 * as ZC_ERR_UNSUPPORTED_CODEC and packed by the build as blobs with a warning; damaged
 * and cut files fail with a sentence and no fault.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb/stb_image.h>

#include "zc_import_texture.h"
#include "zc_pack.h"
#include "zc_test_images.h"
#include "zc_test_util.h"

TestSuite(texture_psd, .init = zcti_tree_setup, .fini = zcti_tree_teardown, .timeout = 120);

/* Writes argv[2] as a PSD file of argv[1]'s pixels: argv[3] is "<Pillow mode> <bits>
 * <raw|rle>" with mode L, LA, P, RGB, RGBA or CMYK (CMYK: the RGB values as inverted ink,
 * black none; RGBA: the colours against a white matte, as Photoshop stores them).
 * 16-bit values repeat the 8-bit value in both bytes. */
static const char psd_writer[] =
    "import struct, sys\n"
    "from PIL import Image\n"
    "mode, bits, comp = sys.argv[3].split()\n"
    "bits = int(bits)\n"
    "src = Image.open(sys.argv[1])\n"
    "palette = b''\n"
    "if mode == 'P':\n"
    "    im = src.convert('RGB').convert('P', palette=Image.ADAPTIVE, colors=200)\n"
    "    pal = (im.getpalette() + [0] * 768)[:768]\n"
    "    palette = bytes(pal[0::3] + pal[1::3] + pal[2::3])\n"
    "    planes = [im.tobytes()]\n"
    "    psd_mode = 2\n"
    "elif mode == 'RGB':\n"
    "    im = src.convert('RGB')\n"
    "    planes = [x.tobytes() for x in im.split()]\n"
    "    psd_mode = 3\n"
    "elif mode == 'RGBA':\n"
    "    im = src.convert('RGBA')\n"
    "    r, g, b, a = [list(x.tobytes()) for x in im.split()]\n"
    "    matte = lambda c: bytes((v * t + 255 * (255 - t) + 127) // 255 for v, t in zip(c, a))\n"
    "    planes = [matte(r), matte(g), matte(b), bytes(a)]\n"
    "    psd_mode = 3\n"
    "elif mode == 'CMYK':\n"
    "    im = src.convert('RGB')\n"
    "    planes = [b.tobytes() for b in im.split()] + [bytes([255]) * (im.width * im.height)]\n"
    "    psd_mode = 4\n"
    "else:\n"
    "    im = src.convert(mode)\n"
    "    planes = [b.tobytes() for b in im.split()]\n"
    "    psd_mode = 1\n"
    "w, h = im.size\n"
    "if bits == 16:\n"
    "    planes = [bytes(v for x in p for v in (x, x)) for p in planes]\n"
    "row = w * bits // 8\n"
    "def packbits(r):\n"
    "    out, i = bytearray(), 0\n"
    "    while i < len(r):\n"
    "        j = i\n"
    "        while j + 1 < len(r) and r[j + 1] == r[i] and j - i < 127: j += 1\n"
    "        if j > i:\n"
    "            out += bytes([257 - (j - i + 1), r[i]]); i = j + 1; continue\n"
    "        j = i\n"
    "        while j < len(r) and j - i < 128 and not (j + 1 < len(r) and r[j + 1] == r[j]): j += 1\n"
    "        j = max(j, i + 1)\n"
    "        out += bytes([j - i - 1]) + r[i:j]; i = j\n"
    "    return bytes(out)\n"
    "out = b'8BPS' + struct.pack('>H6xHIIHH', 1, len(planes), h, w, bits, psd_mode)\n"
    "out += struct.pack('>I', len(palette)) + palette + struct.pack('>II', 0, 0)\n"
    "if comp == 'raw':\n"
    "    out += struct.pack('>H', 0) + b''.join(planes)\n"
    "else:\n"
    "    rows = [packbits(p[y * row:(y + 1) * row]) for p in planes for y in range(h)]\n"
    "    out += struct.pack('>H', 1) + b''.join(struct.pack('>H', len(r)) for r in rows) + b''.join(rows)\n"
    "open(sys.argv[2], 'wb').write(out)\n";

/* `source`'s pixels as a PSD file of `kind` (see psd_writer) at a fresh path (malloc'd).
 * Skips the test where Pillow is missing. */
static char *psd_of(const char *source, const char *kind) {
    zcti_need_pillow("PsdImagePlugin");
    static int n;
    char name[64];
    snprintf(name, sizeof name, "written%d.psd", n++);
    char *path = zct_tmp_path(name), *program = zct_tmp_path("psd_writer.py");
    zct_write_file(program, psd_writer, strlen(psd_writer));
    char command[2048];
    snprintf(command, sizeof command, "/usr/bin/python3 '%s' '%s' '%s' '%s'", program, source, path, kind);
    zcti_shell(command);
    free(program);
    return path;
}

/* 8-bit files against Pillow; 16-bit ones (which Pillow does not read) against the
 * 8-bit file of the same values, since a 16-bit value keeps its high byte. */
Test(texture_psd, files_import_to_the_texels_pillow_decodes) {
    const char *sources[] = { ZCTI_PYGAME "/alien1.png", ZCTI_PYGAME "/fist.png" };
    const char *kinds[] = { "L 8 raw", "L 8 rle", "P 8 raw", "P 8 rle", "CMYK 8 raw", "CMYK 8 rle" };
    const char *wide[][2] = { { "L 16 raw", "L 8 raw" }, { "L 16 rle", "L 8 raw" }, { "CMYK 16 rle", "CMYK 8 raw" } };
    for (size_t i = 0; i < 2; ++i) {
        zcti_require(sources[i]);
        for (size_t k = 0; k < sizeof kinds / sizeof *kinds; ++k) {
            char *psd = psd_of(sources[i], kinds[k]);
            char what[128];
            snprintf(what, sizeof what, "%s as PSD %s", strrchr(sources[i], '/') + 1, kinds[k]);
            zcti_expect_pillow_texels(psd, what);
            free(psd);
        }
        for (size_t k = 0; k < sizeof wide / sizeof *wide; ++k) {
            char *a = psd_of(sources[i], wide[k][0]), *b = psd_of(sources[i], wide[k][1]);
            uint32_t aw, ah, bw, bh;
            uint8_t *ta = zcti_import_rgba8(a, &aw, &ah), *tb = zcti_import_rgba8(b, &bw, &bh);
            cr_assert(aw == bw && ah == bh && memcmp(ta, tb, (size_t)aw * ah * 4) == 0, "%s as PSD %s differs from %s",
                      strrchr(sources[i], '/') + 1, wide[k][0], wide[k][1]);
            free(ta);
            free(tb);
            free(a);
            free(b);
        }
    }
}

/* A grayscale file with a second channel: the grey in R, G and B, the channel as alpha
 * (Pillow reads such a file as grey alone, so the source's own values are compared). */
Test(texture_psd, a_grey_file_with_a_second_channel_has_alpha) {
    zcti_require(ZCTI_PYGAME "/alien1.png");
    char *psd = psd_of(ZCTI_PYGAME "/alien1.png", "LA 8 rle");
    char *raw = zct_tmp_path("la.raw");
    zcti_python("import sys\nfrom PIL import Image\nopen(sys.argv[2], 'wb').write(Image.open(sys.argv[1]).convert('LA').tobytes())\n",
                ZCTI_PYGAME "/alien1.png", raw);
    size_t n;
    uint8_t *la = zct_read_file(raw, &n);
    uint32_t w, h;
    uint8_t *ours = zcti_import_rgba8(psd, &w, &h);
    cr_assert_eq(n, (size_t)w * h * 2);
    size_t transparent = 0;
    for (size_t i = 0; i < (size_t)w * h; ++i) {
        cr_assert(ours[4 * i] == la[2 * i] && ours[4 * i + 1] == la[2 * i] && ours[4 * i + 2] == la[2 * i] &&
                  ours[4 * i + 3] == la[2 * i + 1], "texel %zu: %u %u %u %u, source grey %u alpha %u", i, ours[4 * i],
                  ours[4 * i + 1], ours[4 * i + 2], ours[4 * i + 3], la[2 * i], la[2 * i + 1]);
        transparent += la[2 * i + 1] == 0;
    }
    cr_assert_gt(transparent, 0, "the source has no transparent texel to check");
    free(ours);
    free(la);
    free(raw);
    free(psd);
}

/* RGB documents, with and without alpha, give stb_image's texels wherever the file is
 * one Photoshop could write (colours against a white matte) and stb_image reads it
 * right: every kind against stb_image's decode of the 8-bit raw file (stb_image reads
 * 16-bit PackBits data as 8-bit values, and converts to bytes with undefined
 * behaviour where a colour lies below the matte). */
static void expect_stb_texels(const char *const *kinds, size_t count) {
    zcti_require(ZCTI_PYGAME "/midikeys.png"); /* 9,594 partly transparent texels */
    char *reference = psd_of(ZCTI_PYGAME "/midikeys.png", kinds[0]);
    size_t size;
    uint8_t *bytes = zct_read_file(reference, &size);
    int sw, sh, sn;
    uint8_t *theirs = stbi_load_from_memory(bytes, (int)size, &sw, &sh, &sn, 4);
    cr_assert_not_null(theirs, "stb_image refuses the 8-bit file: %s", stbi_failure_reason());
    size_t partial = 0;
    for (size_t i = 3; i < (size_t)sw * sh * 4; i += 4) partial += theirs[i] != 0 && theirs[i] != 255;
    cr_assert(partial > 0 || strncmp(kinds[0], "RGBA", 4) != 0, "no partly transparent texel to check the matte on");
    for (size_t k = 0; k < count; ++k) {
        char *psd = psd_of(ZCTI_PYGAME "/midikeys.png", kinds[k]);
        uint32_t w, h;
        uint8_t *ours = zcti_import_rgba8(psd, &w, &h);
        cr_assert(w == (uint32_t)sw && h == (uint32_t)sh, "%s: %ux%u against %dx%d", kinds[k], w, h, sw, sh);
        for (size_t i = 0; i < (size_t)w * h * 4; ++i)
            cr_assert_eq(ours[i], theirs[i], "%s: texel %zu channel %zu: zcpack %u, stb_image %u", kinds[k], i / 4,
                         i % 4, ours[i], theirs[i]);
        free(ours);
        free(psd);
    }
    stbi_image_free(theirs);
    free(bytes);
    free(reference);
}

Test(texture_psd, rgb_files_give_stb_images_texels) {
    static const char *const plain[] = { "RGB 8 raw", "RGB 8 rle", "RGB 16 raw", "RGB 16 rle" };
    static const char *const alpha[] = { "RGBA 8 raw", "RGBA 8 rle", "RGBA 16 raw", "RGBA 16 rle" };
    expect_stb_texels(plain, 4);
    expect_stb_texels(alpha, 4);
}

/* A 26-byte header, empty sections and a raw 2x2 image of `channels` planes. */
static uint8_t *tiny(uint16_t mode, uint16_t bits, uint16_t channels, uint16_t compression, size_t *size) {
    size_t plane = 4 * (bits >= 8 ? bits / 8 : 1);
    *size = 26 + 12 + 2 + channels * plane;
    uint8_t *b = calloc(1, *size);
    cr_assert_not_null(b);
    memcpy(b, "8BPS", 4);
    b[5] = 1;
    b[13] = (uint8_t)channels;
    b[17] = 2, b[21] = 2; /* height, width */
    b[22] = (uint8_t)(bits >> 8), b[23] = (uint8_t)bits;
    b[25] = (uint8_t)mode;
    b[38] = (uint8_t)(compression >> 8), b[39] = (uint8_t)compression;
    return b;
}

Test(texture_psd, other_kinds_damaged_and_cut_files_fail_with_a_sentence) {
    static const struct {
        uint16_t mode, bits, channels, compression;
        size_t at;              /* a byte to set (0: none) */
        uint8_t value;
        zc_result want;
        const char *sentence;
    } cases[] = {
        { 9, 8, 3, 0, 0, 0, ZC_ERR_UNSUPPORTED_CODEC, "a PSD image in Lab colour mode, which is not imported" },
        { 0, 1, 1, 0, 0, 0, ZC_ERR_UNSUPPORTED_CODEC, "a PSD image in bitmap colour mode" },
        { 1, 32, 1, 0, 0, 0, ZC_ERR_UNSUPPORTED_CODEC, "a PSD image of 32 bits per channel, which is not imported" },
        { 3, 32, 3, 0, 0, 0, ZC_ERR_UNSUPPORTED_CODEC, "a PSD image of 32 bits per channel" },
        { 1, 8, 1, 2, 0, 0, ZC_ERR_UNSUPPORTED_CODEC, "a PSD image with compression 2, which is not imported" },
        { 1, 8, 1, 0, 5, 2, ZC_ERR_UNSUPPORTED_CODEC, "a Photoshop file of version 2" },
        { 5, 8, 1, 0, 0, 0, ZC_ERR_BAD_SOURCE, "not a readable PSD image: unknown colour mode 5" },
        { 4, 8, 3, 0, 0, 0, ZC_ERR_BAD_SOURCE, "not a readable PSD image: 3 channels in CMYK colour mode" },
        { 2, 8, 1, 0, 0, 0, ZC_ERR_BAD_SOURCE, "an indexed image without its palette" },
        { 1, 8, 1, 0, 29, 200, ZC_ERR_BAD_SOURCE, "a section runs past the end of the file" }, /* resources of 200 bytes */
        { 1, 8, 1, 0, 17, 0x80, ZC_ERR_BAD_SOURCE, "its planes need 256 bytes, the file holds 4" }, /* height 128 */
    };
    size_t size;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; ++i) {
        uint8_t *b = tiny(cases[i].mode, cases[i].bits, cases[i].channels, cases[i].compression, &size);
        if (cases[i].at) b[cases[i].at] = cases[i].value;
        zcti_expect_import_refused(b, size, "bad.psd", cases[i].want, cases[i].sentence);
        free(b);
    }

    /* a PackBits row whose byte count reaches past the file, and every cut of a real file */
    zcti_require(ZCTI_PYGAME "/fist.png");
    char *psd = psd_of(ZCTI_PYGAME "/fist.png", "L 8 rle");
    uint8_t *whole = zct_read_file(psd, &size);
    uint8_t *m = malloc(size);
    memcpy(m, whole, size);
    m[40] = 0xFF, m[41] = 0xFF; /* row 0's byte count */
    zcti_expect_import_refused(m, size, "counts.psd", ZC_ERR_BAD_SOURCE, "row 0 of channel 0 lies outside the file");
    zcti_expect_every_cut_refused(whole, size, "cut.psd", 64, 97);
    free(m);
    free(whole);
    free(psd);
}

/* `zcpack build` makes a grayscale file a texture and packs a Lab one as its bytes,
 * with the reason as a warning. */
Test(texture_psd, build_packs_grey_as_a_texture_and_lab_as_a_blob) {
    zcti_require(ZCTI_PYGAME "/fist.png");
    char *psd = psd_of(ZCTI_PYGAME "/fist.png", "L 16 rle");
    free(zcti_copy(psd, zcti_in_dir, "masks/fist.psd"));
    size_t size;
    uint8_t *lab = tiny(9, 8, 3, 0, &size);
    zct_put(zcti_in_dir, "art/lab.psd", lab, size);
    zct_run r = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path);
    cr_assert_eq(r.code, 0, "%s", r.err);
    ZCT_EXPECT_ERR(r, "art/lab.psd: a PSD image in Lab colour mode, which is not imported (RGB, grayscale, duotone, "
                      "indexed and CMYK are): packed as raw bytes");
    zct_run_free(&r);
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, "masks/fist.psd", &e), ZC_OK);
    zc_texture_view v;
    cr_assert_eq(zc_texture_view_from_entry(&e, &v), ZC_OK);
    cr_assert(v.width == 300 && v.height == 424, "%ux%u", v.width, v.height);
    cr_assert_eq(zc_pack_find(pack, "art/lab.psd", &e), ZC_OK);
    cr_expect_eq(e.type, ZC_TYPE_BLOB);
    zc_pack_close(pack);
    free(lab);
    free(psd);
}
