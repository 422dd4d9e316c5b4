/* test_texture_bad.c - hostile input on both sides of the texture pipeline:
 *  - source images that are truncated, damaged, hostile (a PNG header declaring
 *    100000x100000), empty or not images at all, and the broken files gdk-pixbuf's
 *    tests ship: each is a clear error naming the file and the reason, never a crash;
 *    a build stops with exit code 6 and leaves the old pack alone, or with
 *    --keep-going writes and verifies the pack without them;
 *  - damaged texture entries in a real pack (level offsets out of range, sizes that
 *    overflow, formats out of range, too many mips, wrong extents, short row pitches):
 *    refused with their error code by full validation and by zc_texture_view_from_entry.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stb/stb_image.h>

#include "zc_build.h"
#include "zc_import_texture.h"
#include "zc_pack.h"
#include "zc_test_images.h"
#include "zc_exit.h" /* the exit codes of zcpack */
#include "zc_test_util.h"


TestSuite(texture_bad, .init = zcti_tree_setup, .fini = zcti_tree_teardown, .timeout = 120);

/* ---------------------------------------------------------------------------------
 * Bad source images, made from real ones
 * ------------------------------------------------------------------------------- */

static uint8_t *read_source(const char *path, size_t *size) {
    zcti_require(path);
    uint8_t *bytes = zct_read_file(path, size);
    cr_assert_not_null(bytes, "cannot read %s", path);
    return bytes;
}

static size_t find_bytes(const uint8_t *hay, size_t size, const void *needle, size_t n) {
    for (size_t i = 0; i + n <= size; ++i)
        if (memcmp(hay + i, needle, n) == 0) return i;
    cr_assert_fail("marker not found");
    return 0;
}

/* Overwrite `n` bytes at `at` with bytes from a fixed seed. */
static void scramble(uint8_t *bytes, size_t at, size_t n) {
    zct_fill(bytes + at, n, 0x5c7a6d62u);
}

/* A PNG of w x h 8-bit RGBA texels with correct chunk CRCs. When the raw scanlines
 * (a filter byte and 4 * w zero bytes per row) fit in one stored deflate block they are
 * all there, and the image is valid; otherwise the IDAT holds only the first block's
 * worth: the header is valid up to the point where a decoder would allocate w * h
 * texels. Returns the file's size; `out` has room for 256 + raw bytes, at most 64 KiB. */
static size_t craft_png(uint8_t *out, uint32_t w, uint32_t h) {
    static const uint8_t signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    uint64_t raw = (1 + 4 * (uint64_t)w) * h;
    uint32_t stored = raw <= 0xFFFF ? (uint32_t)raw : 16;
    uint8_t ihdr[17] = { 'I', 'H', 'D', 'R', (uint8_t)(w >> 24), (uint8_t)(w >> 16), (uint8_t)(w >> 8),
                         (uint8_t)w, (uint8_t)(h >> 24), (uint8_t)(h >> 16), (uint8_t)(h >> 8), (uint8_t)h,
                         8, 6, 0, 0, 0 };
    /* zlib header, one final stored block of `stored` zero bytes, Adler-32 of them. */
    static uint8_t idat[4 + 2 + 5 + 0xFFFF + 4];
    size_t idat_size = 4 + 2 + 5 + stored + 4;
    memset(idat, 0, sizeof idat);
    memcpy(idat, "IDAT", 4);
    idat[4] = 0x78;
    idat[5] = 0x01;
    idat[6] = 1;
    idat[7] = (uint8_t)stored;
    idat[8] = (uint8_t)(stored >> 8);
    idat[9] = (uint8_t)~stored;
    idat[10] = (uint8_t)(~stored >> 8);
    uint32_t adler = (uint32_t)stored << 16 | 1u; /* a = 1, b = n for n zero bytes */
    uint8_t *tail = idat + 11 + stored;
    tail[0] = (uint8_t)(adler >> 24);
    tail[1] = (uint8_t)(adler >> 16);
    tail[2] = (uint8_t)(adler >> 8);
    tail[3] = (uint8_t)adler;
    static const uint8_t iend[4] = { 'I', 'E', 'N', 'D' };
    const struct { const uint8_t *body; size_t size; } chunks[3] = { { ihdr, 17 }, { idat, idat_size }, { iend, 4 } };
    size_t n = 0;
    memcpy(out, signature, 8);
    n += 8;
    for (int c = 0; c < 3; ++c) {
        uint32_t length = (uint32_t)chunks[c].size - 4, crc = zcti_crc32(chunks[c].body, chunks[c].size);
        const uint8_t len_be[4] = { (uint8_t)(length >> 24), (uint8_t)(length >> 16), (uint8_t)(length >> 8),
                                    (uint8_t)length };
        const uint8_t crc_be[4] = { (uint8_t)(crc >> 24), (uint8_t)(crc >> 16), (uint8_t)(crc >> 8), (uint8_t)crc };
        memcpy(out + n, len_be, 4);
        memcpy(out + n + 4, chunks[c].body, chunks[c].size);
        memcpy(out + n + 4 + chunks[c].size, crc_be, 4);
        n += 8 + chunks[c].size;
    }
    return n;
}

#define CRAFT_MAX (256 + 0xFFFF)

/* The crafted PNG is well-formed: the CRC routine gives the standard check value and
 * the CRCs stored in a real PNG, and the same recipe at a small size is an image
 * stb_image decodes. So the 100000x100000 file is refused for its size alone. */
Test(texture_bad, crafted_png_is_well_formed) {
    cr_assert_eq(zcti_crc32("123456789", 9), 0xCBF43926u);
    size_t size;
    uint8_t *real = read_source(ZCTI_PYGAME "/alien1.png", &size);
    for (size_t pos = 8; pos + 12 <= size;) {
        uint32_t length = (uint32_t)real[pos] << 24 | (uint32_t)real[pos + 1] << 16 | (uint32_t)real[pos + 2] << 8 |
                          real[pos + 3];
        cr_assert_leq(length, size - pos - 12);
        const uint8_t *crc = real + pos + 8 + length;
        uint32_t stored = (uint32_t)crc[0] << 24 | (uint32_t)crc[1] << 16 | (uint32_t)crc[2] << 8 | crc[3];
        cr_assert_eq(zcti_crc32(real + pos + 4, length + 4), stored, "chunk %.4s at %zu", real + pos + 4, pos);
        pos += 12 + length;
    }
    free(real);
    uint8_t *png = malloc(CRAFT_MAX);
    cr_assert_not_null(png);
    size_t n = craft_png(png, 5, 3);
    int w = 0, h = 0, comp = 0;
    uint8_t *texels = stbi_load_from_memory(png, (int)n, &w, &h, &comp, 4);
    cr_assert_not_null(texels, "%s", stbi_failure_reason());
    cr_assert(w == 5 && h == 3 && comp == 4);
    for (int i = 0; i < 5 * 3 * 4; ++i) cr_assert_eq(texels[i], 0);
    stbi_image_free(texels);
    free(png);
}

typedef struct bad_file {
    const char *name;           /* file name in the tree */
    const char *reason;         /* what the message must say (besides the file name) */
    zc_result code;             /* zc_texture_import_file's result */
} bad_file;

static const bad_file bad_files[] = {
    { "truncated.png", "Corrupt PNG", ZC_ERR_BAD_SOURCE },       /* first half of fist.png */
    { "truncated.jpg", "Corrupt JPEG", ZC_ERR_BAD_SOURCE },       /* first half of IMAGE1.jpg */
    { "corrupt.png", "Corrupt PNG", ZC_ERR_BAD_SOURCE },          /* IDAT data scrambled */
    { "corrupt.jpg", "Corrupt JPEG", ZC_ERR_BAD_SOURCE },         /* scan header scrambled */
    { "huge.png", "100000x100000", ZC_ERR_LIMIT },                /* IHDR 100000x100000 */
    { "empty.png", "the file is empty", ZC_ERR_BAD_SOURCE },      /* zero bytes */
    { "text.png", "not an image", ZC_ERR_BAD_SOURCE },            /* a text file */
};
#define BAD_FILES (sizeof bad_files / sizeof bad_files[0])

/* Write the bad file `name` into `dir`. */
static void write_bad(const char *dir, const char *name) {
    char *path = zct_join(dir, name);
    size_t size;
    if (strcmp(name, "truncated.png") == 0) {
        uint8_t *b = read_source(ZCTI_PYGAME "/fist.png", &size);
        zct_write_file(path, b, size / 2);
        free(b);
    } else if (strcmp(name, "truncated.jpg") == 0) {
        uint8_t *b = read_source(ZCTI_ASSIMP "/3DS/IMAGE1.jpg", &size);
        zct_write_file(path, b, size / 2);
        free(b);
    } else if (strcmp(name, "corrupt.png") == 0) {
        uint8_t *b = read_source(ZCTI_PYGAME "/fist.png", &size);
        scramble(b, find_bytes(b, size, "IDAT", 4) + 104, 64);
        zct_write_file(path, b, size);
        free(b);
    } else if (strcmp(name, "corrupt.jpg") == 0) {
        uint8_t *b = read_source(ZCTI_ASSIMP "/3DS/IMAGE1.jpg", &size);
        scramble(b, find_bytes(b, size, "\xff\xda", 2) + 2, 8);
        zct_write_file(path, b, size);
        free(b);
    } else if (strcmp(name, "huge.png") == 0) {
        uint8_t *png = malloc(CRAFT_MAX);
        cr_assert_not_null(png);
        zct_write_file(path, png, craft_png(png, 100000, 100000));
        free(png);
    } else if (strcmp(name, "empty.png") == 0) {
        zct_write_file(path, "", 0);
    } else if (strcmp(name, "text.png") == 0) {
        static const char text[] = "This is a text file that happens to be named like a PNG image.\n";
        zct_write_file(path, text, sizeof text - 1);
    } else {
        cr_assert_fail("no recipe for %s", name);
    }
    free(path);
}

Test(texture_bad, import_reports_each) {
    for (size_t i = 0; i < BAD_FILES; ++i) write_bad(zcti_in_dir, bad_files[i].name);
    for (size_t i = 0; i < BAD_FILES; ++i) {
        char *path = zct_join(zcti_in_dir, bad_files[i].name);
        zc_texture_image img;
        zc_diag diag = { 0 };
        zc_result r = zc_texture_import_file(path, bad_files[i].name, NULL, &img, &diag);
        cr_assert_eq(r, bad_files[i].code, "%s: %s (%s)", bad_files[i].name, zc_result_str(r), diag.message);
        cr_assert(strstr(diag.message, bad_files[i].reason), "%s: \"%s\" does not say \"%s\"", bad_files[i].name,
                  diag.message, bad_files[i].reason);
        cr_assert_null(img.payload);
        zc_texture_image_free(&img);
        free(path);
    }
}

/* A JPEG whose Huffman table (DHT) declares 16 * 255 codes, where 256 is the most a
 * table can hold. stb_image of the Debian snapshot (libstb-dev 0.0~git20220908) fills
 * its 257-entry code-length table from these counts without a bound: it writes past
 * the table, over the rest of its decoder state, before it notices the table is
 * corrupt. The importer must refuse such a file before stb_image decodes it; under
 * UndefinedBehaviorSanitizer the write aborts the test. */
Test(texture_bad, jpeg_oversized_huffman_table) {
    size_t size;
    uint8_t *b = read_source(ZCTI_ASSIMP "/3DS/IMAGE1.jpg", &size);
    size_t dht = find_bytes(b, size, "\xff\xc4", 2);
    memset(b + dht + 5, 255, 16); /* after marker, length and class/id: the 16 counts */
    zc_texture_image img;
    zc_diag diag = { 0 };
    zc_result r = zc_texture_import_memory(b, size, "huffman.jpg", NULL, &img, &diag);
    cr_assert_eq(r, ZC_ERR_BAD_SOURCE, "%s (%s)", zc_result_str(r), diag.message);
    cr_assert(strstr(diag.message, "JPEG"), "%s", diag.message);
    free(b);
}

static void write_good(void) {
    free(zcti_copy(ZCTI_PYGAME "/alien1.png", zcti_in_dir, NULL));
    free(zcti_copy(ZCTI_PYGAME "/chimp.png", zcti_in_dir, NULL));
    free(zcti_copy(ZCTI_PIXBUF_IMAGES "/reftests/cat.jpg", zcti_in_dir, "sub/cat.jpg"));
    free(zcti_copy(ZCTI_PYGAME "/liquid.bmp", zcti_in_dir, "sub/liquid.bmp"));
}
static const char *const good_names[] = { "alien1.png", "chimp.png", "sub/cat.jpg", "sub/liquid.bmp" };
#define GOOD_NAMES (sizeof good_names / sizeof good_names[0])

/* The line "zcpack: <in_dir>/<name>: ...<reason>..." is in `err`. */
static void assert_reported(const char *err, const char *name, const char *reason) {
    char prefix[1024];
    snprintf(prefix, sizeof prefix, "zcpack: %s/%s: ", zcti_in_dir, name);
    const char *line = strstr(err, prefix);
    cr_assert_not_null(line, "no message for %s in:\n%s", name, err);
    const char *end = strchr(line, '\n');
    cr_assert_not_null(end);
    const char *found = strstr(line + strlen(prefix), reason);
    cr_assert(found && found < end, "the message for %s does not say \"%s\":\n%.*s", name, reason,
              (int)(end - line), line);
}

/* One bad file among good ones: exit 6, a message naming it and its reason, the old
 * pack untouched and no temporary file left. */
Test(texture_bad, build_stops_and_keeps_old_pack) {
    write_good();
    zct_run run = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path, "-q");
    cr_assert_eq(run.code, 0, "%s", run.err);
    zct_run_free(&run);
    size_t old_size;
    uint8_t *old = zct_read_file(zcti_pack_path, &old_size);
    cr_assert_not_null(old);
    for (size_t i = 0; i < BAD_FILES; ++i) {
        write_bad(zcti_in_dir, bad_files[i].name);
        run = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path, "-j", "2");
        cr_assert_eq(run.code, ZC_EXIT_IMPORT, "%s: exit %d\n%s", bad_files[i].name, run.code, run.err);
        assert_reported(run.err, bad_files[i].name, bad_files[i].reason);
        zct_run_free(&run);
        size_t size;
        uint8_t *now = zct_read_file(zcti_pack_path, &size);
        cr_assert(now && size == old_size && memcmp(now, old, size) == 0, "%s: the old pack changed",
                  bad_files[i].name);
        free(now);
        cr_assert_eq(zct_count_prefixed(zct_tmp, ".zc-"), 0, "%s: a temporary file was left",
                     bad_files[i].name);
        char *path = zct_join(zcti_in_dir, bad_files[i].name);
        cr_assert_eq(unlink(path), 0);
        free(path);
    }
    free(old);
}

/* All bad files at once with --keep-going: every one reported, the pack written without
 * them, verified, and every good texture in it as an import of its file gives it. */
Test(texture_bad, keep_going_packs_the_rest) {
    write_good();
    for (size_t i = 0; i < BAD_FILES; ++i) write_bad(zcti_in_dir, bad_files[i].name);
    zct_run run = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path, "--keep-going", "-j", "2");
    cr_assert_eq(run.code, ZC_EXIT_IMPORT, "exit %d\n%s", run.code, run.err);
    for (size_t i = 0; i < BAD_FILES; ++i) assert_reported(run.err, bad_files[i].name, bad_files[i].reason);
    zct_run_free(&run);

    run = ZCT_CLI("verify", zcti_pack_path);
    cr_assert_eq(run.code, 0, "verify: %s", run.err);
    zct_run_free(&run);
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    cr_assert_eq(zc_pack_entry_count(pack), GOOD_NAMES);
    for (size_t i = 0; i < GOOD_NAMES; ++i) {
        zc_entry entry;
        zc_texture_view view, imported;
        zcti_pack_texture(pack, good_names[i], &entry, &view);
        char *file = zct_join(zcti_in_dir, good_names[i]);
        zc_texture_image img;
        zc_diag diag;
        cr_assert_eq(zc_texture_import_file(file, good_names[i], NULL, &img, &diag), ZC_OK, "%s", diag.message);
        cr_assert_eq(zc_texture_import_view(&img, &imported), ZC_OK);
        zcti_assert_views_equal(&view, &imported, good_names[i]);
        zc_texture_image_free(&img);
        free(file);
    }
    for (size_t i = 0; i < BAD_FILES; ++i) {
        zc_entry entry;
        cr_assert_eq(zc_pack_find(pack, bad_files[i].name, &entry), ZC_ERR_NO_ENTRY);
    }
    zc_pack_close(pack);
}

Test(texture_bad, keep_going_library) {
    write_good();
    for (size_t i = 0; i < BAD_FILES; ++i) write_bad(zcti_in_dir, bad_files[i].name);
    zct_log log = { 0 };
    zc_build_stats stats;
    zc_result r = zc_build(&(zc_build_desc){ .input_dir = zcti_in_dir, .output_path = zcti_pack_path, .keep_going = 1,
                                             .no_sync = 1, .threads = 2, .logger = zct_log_recorder(&log) },
                           &stats);
    cr_assert_neq(r, ZC_OK);
    cr_assert_eq(stats.failed_stage, ZC_BUILD_STAGE_IMPORT);
    cr_assert_eq(stats.pack_written, 1);
    cr_assert_eq(stats.failed_files, BAD_FILES);
    cr_assert_eq(stats.entries, GOOD_NAMES);
    cr_assert_eq(stats.imported[zc_importer_index(zc_importer_find("texture"))], GOOD_NAMES);
    cr_assert_geq(log.errors, (int)BAD_FILES);
    for (size_t i = 0; i < BAD_FILES; ++i)
        cr_assert(zct_log_contains(&log, bad_files[i].name), "no message names %s", bad_files[i].name);
    zc_pack_close(zcti_open_pack(zcti_pack_path));
}

Test(texture_bad, max_texture_dimension) {
    free(zcti_copy(ZCTI_PYGAME "/fist.png", zcti_in_dir, NULL)); /* 300x424 */
    zct_run run = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path, "--max-texture-dimension", "400");
    cr_assert_eq(run.code, ZC_EXIT_IMPORT, "exit %d\n%s", run.code, run.err);
    assert_reported(run.err, "fist.png", "300x424, larger than the 400 limit (--max-texture-dimension)");
    zct_run_free(&run);
    cr_assert(!zct_exists(zcti_pack_path));
    run = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path, "-q", "--max-texture-dimension", "424");
    cr_assert_eq(run.code, 0, "%s", run.err);
    zct_run_free(&run);
    zc_build_stats stats;
    cr_assert_eq(zc_build(&(zc_build_desc){ .input_dir = zcti_in_dir, .output_path = zcti_pack_path,
                                            .max_texture_dimension = 65537 },
                          &stats),
                 ZC_ERR_INVALID_ARGUMENT);
}

/* Broken files that gdk-pixbuf's tests ship (fuzzer finds, CVE reproducers, images
 * with impossible sizes) that stb_image refuses: each is an error with a reason,
 * through the library and the CLI. */
static const char *const pixbuf_broken[] = {
    "test-images/fail/CVE-2017-2862.jpg",
    "test-images/fail/DoS.tga",
    "test-images/fail/bug776694.bmp",
    "test-images/fail/bug777315.bmp",
    "test-images/fail/bug778584.gif",
    "test-images/fail/bug785973.gif",
    "test-images/fail/bug793470-crasher.png",
    "test-images/fail/colormap-image-without-colormap.tga",
    "test-images/fail/empty-file.tga",
    "test-images/fail/hang_114.gif",
    "test-images/fail/invalid.1.bmp",
    "test-images/fail/invalid.1.gif",
    "test-images/fail/invalid.1.png",
    "test-images/fail/invalid.2.gif",
    "test-images/fail/invalid.2.png",
    "test-images/fail/invalid.3.gif",
    "test-images/fail/invalid.3.png",
    "test-images/fail/invalid.4.gif",
    "test-images/fail/invalid.4.png",
    "test-images/fail/overflow-codes-max.gif",
    "test-images/fail/overflow-codes.gif",
    "test-images/fail/overflow.tga",
    "test-images/gif-test-suite/invalid-code.gif",
    "test-images/gif-test-suite/overflow-codes-max.gif",
    "test-images/gif-test-suite/overflow-codes.gif",
    "test-images/gif-test-suite/zero-height.gif",
    "test-images/gif-test-suite/zero-size.gif",
    "test-images/gif-test-suite/zero-width.gif",
    "test-images/randomly-modified/bmp-line-overflow.bmp",
    "test-images/randomly-modified/bug775242.bmp",
    "test-images/randomly-modified/bug775697.jpg", /* stb_image reads past its data here */
    "bug775218.jpg",
    "issue205.jpg",                                /* 64250x64250 */
    "large.jpg",                                   /* 22500x33300 */
    "large.png",
    "premature-end.jpg",
};
#define PIXBUF_BROKEN (sizeof pixbuf_broken / sizeof pixbuf_broken[0])

/* The part of a diag after its last ": ", or all of it. */
static const char *reason_of(const char *message) {
    const char *last = message, *p = message;
    while ((p = strstr(p, ": ")) != NULL) last = p += 2;
    return last;
}

Test(texture_bad, pixbuf_broken_files) {
    for (size_t i = 0; i < PIXBUF_BROKEN; ++i) {
        char *src = zct_join(ZCTI_PIXBUF, pixbuf_broken[i]);
        char name[256];
        snprintf(name, sizeof name, "%02zu_%s", i, strrchr(pixbuf_broken[i], '/') ? strrchr(pixbuf_broken[i], '/') + 1
                                                                                   : pixbuf_broken[i]);
        char *file = zcti_copy(src, zcti_in_dir, name);
        zc_texture_image img;
        zc_diag diag = { 0 };
        zc_result r = zc_texture_import_file(file, name, NULL, &img, &diag);
        cr_assert(r == ZC_ERR_BAD_SOURCE || r == ZC_ERR_LIMIT, "%s: %s (%s)", pixbuf_broken[i],
                  zc_result_str(r), diag.message);
        cr_expect(strlen(reason_of(diag.message)) > 0, "%s: the message gives no reason: \"%s\"", pixbuf_broken[i],
                  diag.message);
        zc_texture_image_free(&img);
        free(file);
        free(src);
    }
    free(zcti_copy(ZCTI_PYGAME "/chimp.png", zcti_in_dir, NULL));
    zct_run run = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path, "--keep-going");
    cr_assert_eq(run.code, ZC_EXIT_IMPORT, "exit %d\n%s", run.code, run.err);
    zct_run_free(&run);
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    cr_assert_eq(zc_pack_entry_count(pack), 1);
    zc_pack_close(pack);
}

/* Prefixes of real files of each type (every length up to 64 bytes, then evenly
 * spaced), and seeded bit flips, through the importer: no crash, and an error always
 * comes with a message. Under sanitizers
 * every read outside the input is caught (the input is an exact-size copy). */
Test(texture_bad, truncation_and_damage_sweep) {
    static const char *const sources[] = {
        ZCTI_PYGAME "/alien1.png", ZCTI_PYGAME "/red.jpg",     ZCTI_PYGAME "/alien1.gif",
        ZCTI_PYGAME "/liquid.bmp", ZCTI_PYGAME "/yellow.tga", ZCTI_PSD,
    };
    /* Decoding is what is under test: level 0 only, uncompressed. */
    const zc_texture_settings quick = { .mips = ZC_SWITCH_OFF, .no_compress = 1 };
    size_t cuts = zcti_sanitize_run() ? 60 : 300;
    int damaged_runs = zcti_sanitize_run() ? 40 : 200;
    for (size_t s = 0; s < sizeof sources / sizeof sources[0]; ++s) {
        size_t size;
        uint8_t *bytes = read_source(sources[s], &size);
        size_t step = size / cuts ? size / cuts : 1;
        for (size_t n = 0; n < size; n += n < 64 ? 1 : step) {
            uint8_t *copy = malloc(n ? n : 1);
            cr_assert_not_null(copy);
            memcpy(copy, bytes, n);
            zc_texture_image img;
            zc_diag diag = { 0 };
            zc_result r = zc_texture_import_memory(copy, n, sources[s], &quick, &img, &diag);
            if (r != ZC_OK) cr_assert(diag.message[0], "%s cut at %zu: %s without a message", sources[s], n,
                                      zc_result_str(r));
            zc_texture_image_free(&img);
            free(copy);
        }
        uint64_t seed = 0xdead0000u + s;
        for (int k = 0; k < damaged_runs; ++k) {
            uint8_t *copy = malloc(size);
            cr_assert_not_null(copy);
            memcpy(copy, bytes, size);
            int flips = 1 + (int)(zct_rand(&seed) % 8);
            for (int f = 0; f < flips; ++f) copy[zct_rand(&seed) % size] ^= (uint8_t)(1u << (zct_rand(&seed) % 8));
            zc_texture_image img;
            zc_diag diag = { 0 };
            zc_result r = zc_texture_import_memory(copy, size, sources[s], &quick, &img, &diag);
            if (r != ZC_OK) cr_assert(diag.message[0], "%s damaged (run %d): %s without a message", sources[s], k,
                                      zc_result_str(r));
            zc_texture_image_free(&img);
            free(copy);
        }
        free(bytes);
    }
}

/* ---------------------------------------------------------------------------------
 * Damaged texture entries
 * ------------------------------------------------------------------------------- */

/* A pack image in memory (4096-aligned, as entries need) and where its texture
 * entries lie. */
typedef struct pack_image {
    uint8_t *bytes;
    size_t size;
    size_t bc_offset, bc_size;       /* duckCM.tga: BC1_SRGB 512x512, 10 levels */
    size_t rgba_offset, rgba_size;   /* chimp.png with rgba8: RGBA8_SRGB 61x89, 7 levels */
} pack_image;

static void entry_place(const pack_image *img, const char *path, size_t *offset, size_t *size) {
    zc_pack *pack;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .memory = img->bytes, .memory_size = img->size,
                                                      .validate = ZC_VALIDATE_CHECKSUMS }),
                 ZC_OK);
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, path, &e), ZC_OK);
    *offset = (size_t)((const uint8_t *)e.data - img->bytes);
    *size = (size_t)e.raw_size;
    zc_pack_close(pack);
}

static void make_pack_image(pack_image *img) {
    free(zcti_copy(ZCTI_ASSIMP "/Collada/duckCM.tga", zcti_in_dir, "duck.tga"));
    free(zcti_copy(ZCTI_PYGAME "/chimp.png", zcti_in_dir, "chimp.png"));
    char *manifest = zct_join(zcti_in_dir, "zcpack.json");
    static const char rules[] = "{ \"rules\": [ { \"match\": \"chimp.png\", \"format\": \"rgba8\" } ] }";
    zct_write_file(manifest, rules, strlen(rules));
    free(manifest);
    zct_run run = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path, "-q");
    cr_assert_eq(run.code, 0, "%s", run.err);
    zct_run_free(&run);
    img->bytes = zct_read_file_aligned(zcti_pack_path, 4096, &img->size);
    entry_place(img, "duck.tga", &img->bc_offset, &img->bc_size);
    entry_place(img, "chimp.png", &img->rgba_offset, &img->rgba_size);
}

static zc_texture *texture_at(uint8_t *pack, size_t offset) {
    return (zc_texture *)(void *)(pack + offset);
}

static zc_texture_level *levels_of(zc_texture *t) {
    return (zc_texture_level *)(void *)((uint8_t *)&t->levels + t->levels.offset);
}

typedef struct damage {
    const char *what;
    int rgba;                   /* 1: damage the RGBA8 entry, 0: the BC1 one */
    zc_result code;             /* expected from FULL validation and from the view */
    const char *needle;         /* in the validator's message */
} damage;

/* Apply damage number `k` to the texture `t` of an entry of `size` bytes. */
static void apply_damage(int k, zc_texture *t, size_t size) {
    zc_texture_level *l = levels_of(t);
    uint32_t last = t->mip_count - 1;
    switch (k) {
    case 0: l[0].texels.offset += (int64_t)1 << 40; break;                         /* far past the entry */
    case 1: l[2].texels.offset = -((int64_t)1 << 20); break;                        /* before the entry */
    case 2: l[last].texels.offset += (int64_t)size; break;                          /* just past the end */
    case 3: l[1].texels.offset += 8; break;                                          /* misaligned */
    case 4: l[0].row_pitch = 0xFFFFFFF8u;                                            /* ~2^45 bytes */
            l[0].texels.count = (uint64_t)l[0].row_pitch * ((t->height + 3) / 4); break;
    case 5: l[0].texels.count = UINT64_MAX; break;
    case 6: t->levels.count = UINT64_MAX; break;
    case 7: t->levels.count = (uint64_t)1 << 59; t->mip_count = UINT32_MAX; break;
    case 8: t->format = ZC__PIXEL_COUNT; break;
    case 9: t->format = 0; break;
    case 10: t->format = 0xFFFFFFFFu; break;
    case 11: t->mip_count += 1; break;                                               /* 11 levels for 512x512 */
    case 12: t->mip_count = 0; break;
    case 13: l[3].width += 1; break;
    case 14: l[1].height = 0; break;
    case 15: l[0].row_pitch -= 4;                                                    /* RGBA8: 240 < 244 */
             l[0].texels.count = (uint64_t)l[0].row_pitch * t->height; break;
    case 16: l[0].row_pitch = 4; l[0].texels.count = 4u * ((t->height + 3) / 4); break; /* half a BC1 block */
    case 17: t->width = ZC_TEXTURE_MAX_EXTENT + 1; break;
    case 18: t->layers = 0; break;
    case 19: t->depth = 2; t->layers = 2; break;
    case 20: t->struct_size = 8; break;
    case 21: t->reserved0 = 1; break;
    case 22: t->flags |= 0x100u; break;
    case 23: t->row_pitch_align = 3; break;
    case 24: t->levels.offset = (int64_t)size; break;
    default: cr_assert_fail("no damage %d", k);
    }
}

static const damage damages[] = {
    { "level 0 offset 2^40 past the entry", 0, ZC_ERR_BAD_POINTER, "past the entry" },
    { "level 2 offset before the entry", 0, ZC_ERR_BAD_POINTER, "before the entry" },
    { "last level offset past the end", 0, ZC_ERR_BAD_POINTER, "past the entry" },
    { "level 1 offset misaligned", 0, ZC_ERR_BAD_ALIGNMENT, "aligned" },
    { "level 0 pitch and size of 2^45 bytes", 0, ZC_ERR_BAD_POINTER, "overrun" },
    { "level 0 size 2^64 - 1", 0, ZC_ERR_BAD_ENTRY, "level 0 holds" },
    { "level count 2^64 - 1", 0, ZC_ERR_BAD_ENTRY, "levels" },
    { "mip count 2^32 - 1", 0, ZC_ERR_BAD_ENTRY, "mip levels" },
    { "format one past the last", 0, ZC_ERR_BAD_ENTRY, "format" },
    { "format 0 (undefined)", 0, ZC_ERR_BAD_ENTRY, "format" },
    { "format 2^32 - 1", 1, ZC_ERR_BAD_ENTRY, "format" },
    { "one mip level too many", 0, ZC_ERR_BAD_ENTRY, "mip levels" },
    { "no mip level", 0, ZC_ERR_BAD_ENTRY, "mip levels" },
    { "level 3 one texel too wide", 0, ZC_ERR_BAD_ENTRY, "level 3" },
    { "level 1 zero texels high", 1, ZC_ERR_BAD_ENTRY, "level 1" },
    { "RGBA8 row pitch shorter than a row", 1, ZC_ERR_BAD_ENTRY, "row pitch" },
    { "BC1 row pitch of half a block", 0, ZC_ERR_BAD_ENTRY, "row pitch" },
    { "width beyond the format limit", 1, ZC_ERR_LIMIT, "limits" },
    { "zero layers", 0, ZC_ERR_LIMIT, "limits" },
    { "both 3D and an array", 0, ZC_ERR_BAD_ENTRY, "3D" },
    { "struct_size 8", 0, ZC_ERR_BAD_ENTRY, "struct_size" },
    { "reserved field set", 1, ZC_ERR_BAD_ENTRY, "reserved" },
    { "unknown flag", 0, ZC_ERR_BAD_ENTRY, "flags" },
    { "row_pitch_align 3", 1, ZC_ERR_BAD_ENTRY, "row_pitch_align" },
    { "level array past the entry", 0, ZC_ERR_BAD_POINTER, "past the entry" },
};
#define DAMAGES (sizeof damages / sizeof damages[0])

/* Each damage, behind intact TOC checksums (the TOC does not cover entry bytes), is
 * refused with its code by FULL validation at open and by zc_pack_validate, and, on a
 * pack opened at TOC level, by zc_texture_view_from_entry; CHECKSUMS validation
 * refuses it too (the content hash or the structure, whichever comes first). */
Test(texture_bad, damaged_entries_refused) {
    pack_image img;
    make_pack_image(&img);
    uint8_t *copy = zct_aligned_copy(img.bytes, img.size, 4096);
    for (size_t k = 0; k < DAMAGES; ++k) {
        memcpy(copy, img.bytes, img.size);
        size_t offset = damages[k].rgba ? img.rgba_offset : img.bc_offset;
        size_t size = damages[k].rgba ? img.rgba_size : img.bc_size;
        zc_texture *t = texture_at(copy, offset);
        apply_damage((int)k, t, size);

        zc_diag diag = { 0 };
        zc_result r = zc_texture_check(t, size, &diag);
        cr_assert_eq(r, damages[k].code, "%s: zc_texture_check gives %s (%s), expected %s", damages[k].what,
                     zc_result_str(r), diag.message, zc_result_str(damages[k].code));
        cr_assert(strstr(diag.message, damages[k].needle), "%s: message \"%s\" does not mention \"%s\"",
                  damages[k].what, diag.message, damages[k].needle);

        zct_log log = { 0 };
        zc_pack *pack = NULL;
        r = zc_pack_open(&pack, &(zc_pack_desc){ .memory = copy, .memory_size = img.size,
                                                 .validate = ZC_VALIDATE_FULL, .logger = zct_log_recorder(&log) });
        cr_assert_eq(r, damages[k].code, "%s: FULL open gives %s", damages[k].what, zc_result_str(r));
        cr_assert_null(pack);
        cr_assert(zct_log_contains(&log, damages[k].rgba ? "chimp.png" : "duck.tga"),
                  "%s: the log does not name the entry (%s)", damages[k].what, log.count ? log.messages[0] : "");

        r = zc_pack_open(&pack, &(zc_pack_desc){ .memory = copy, .memory_size = img.size,
                                                 .validate = ZC_VALIDATE_CHECKSUMS });
        cr_assert_neq(r, ZC_OK, "%s: CHECKSUMS open accepted it", damages[k].what);

        r = zc_pack_open(&pack, &(zc_pack_desc){ .memory = copy, .memory_size = img.size });
        cr_assert_eq(r, ZC_OK, "%s: TOC open: %s", damages[k].what, zc_result_str(r));
        cr_assert_eq(zc_pack_validate(pack, ZC_VALIDATE_FULL), damages[k].code, "%s: zc_pack_validate",
                     damages[k].what);
        zc_entry e;
        cr_assert_eq(zc_pack_find(pack, damages[k].rgba ? "chimp.png" : "duck.tga", &e), ZC_OK);
        zc_texture_view view;
        r = zc_texture_view_from_entry(&e, &view);
        cr_assert_eq(r, damages[k].code, "%s: zc_texture_view_from_entry gives %s", damages[k].what,
                     zc_result_str(r));
        /* The other texture is intact and still usable. */
        cr_assert_eq(zc_pack_find(pack, damages[k].rgba ? "duck.tga" : "chimp.png", &e), ZC_OK);
        cr_assert_eq(zc_texture_view_from_entry(&e, &view), ZC_OK);
        zc_pack_close(pack);
    }
    free(copy);
    free(img.bytes);
}

/* The CLI sees a damaged entry too: `zcpack verify` exits 4 naming the entry. */
Test(texture_bad, damaged_entry_verify_cli) {
    pack_image img;
    make_pack_image(&img);
    texture_at(img.bytes, img.bc_offset)->format = 99;
    char *bad = zct_join(zct_tmp, "damaged.zcpack");
    zct_write_file(bad, img.bytes, img.size);
    zct_run run = ZCT_CLI("verify", bad);
    cr_assert_eq(run.code, ZC_EXIT_CORRUPT, "verify exit %d: %s", run.code, run.err);
    cr_assert(strstr(run.err, "duck.tga"), "verify does not name the entry: %s", run.err);
    zct_run_free(&run);
    free(bad);
    free(img.bytes);
}

/* zc_texture_check on every truncation of a real entry (exact-size copies, so any read
 * past the given size is a sanitizer error): each is refused. */
Test(texture_bad, truncated_entries_refused) {
    pack_image img;
    make_pack_image(&img);
    const size_t offsets[2] = { img.bc_offset, img.rgba_offset }, sizes[2] = { img.bc_size, img.rgba_size };
    for (int which = 0; which < 2; ++which) {
        cr_assert_eq(zc_texture_check(img.bytes + offsets[which], sizes[which], NULL), ZC_OK);
        size_t step = zcti_sanitize_run() ? 97 : 7;
        for (size_t n = 0; n < sizes[which]; n += n < 1024 ? 1 : step) {
            uint8_t *copy = malloc(n ? n : 1);
            cr_assert_not_null(copy);
            memcpy(copy, img.bytes + offsets[which], n);
            zc_diag diag = { 0 };
            cr_assert_neq(zc_texture_check(copy, n, &diag), ZC_OK, "entry %d cut to %zu bytes accepted", which, n);
            cr_assert(diag.message[0]);
            free(copy);
        }
    }
    free(img.bytes);
}

/* Textures no importer reads (KTX2), and a WebP, an OpenEXR, a DDS, a PNG and a JPEG
 * under names the texture importer does not claim, are packed as their bytes with a
 * warning naming the file and what it looks like; a text file and a WAV get none. The
 * CLI shows the warnings, and the build succeeds. */
Test(texture_bad, image_lookalikes_are_reported) {
    zcti_require(ZCTI_EXR_DIR "/city.exr");
    zcti_require(ZCTI_PYGAME "/scarlet.webp");
    free(zcti_copy(ZCTI_EXR_DIR "/city.exr", zcti_in_dir, "sky/city.exr.orig"));
    free(zcti_copy(ZCTI_PYGAME "/scarlet.webp", zcti_in_dir, "ui/scarlet.webp.orig"));
    char ktx2[128] = "\xabKTX 20\xbb\r\n\x1a\n";
    zct_put(zcti_in_dir, "ui/icon.ktx2", ktx2, sizeof ktx2);
    char dds[128] = "DDS |";
    zct_put(zcti_in_dir, "ui/icon.dds.old", dds, sizeof dds);
    free(zcti_copy(ZCTI_PYGAME "/alien1.png", zcti_in_dir, "ui/alien1.png.bak"));
    free(zcti_copy(ZCTI_PYGAME "/red.jpg", zcti_in_dir, "ui/red.jpeg2"));
    free(zcti_copy(ZCTI_PYGAME "/boom.wav", zcti_in_dir, "sounds/boom.wav"));
    zct_put_text(zcti_in_dir, "notes.txt", "PNG is not a magic number here\n");
    zct_run run = ZCT_CLI("build", zcti_in_dir, "-o", zcti_pack_path);
    cr_assert_eq(run.code, 0, "exit %d\n%s", run.code, run.err);
    const char *want[] = {
        "city.exr.orig: looks like an OpenEXR image but its name does not end in .exr",
        "scarlet.webp.orig: looks like a WebP image but its name does not end in .webp",
        "icon.ktx2: looks like a KTX2 texture, which no importer of zcpack reads: packed as raw bytes",
        "icon.dds.old: looks like a DDS texture but its name does not end in .dds",
        "alien1.png.bak: looks like a PNG image but its name does not end in .png",
        "red.jpeg2: looks like a JPEG image but its name does not end in .jpg",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; ++i) cr_assert(strstr(run.err, want[i]), "no \"%s\" in:\n%s", want[i], run.err);
    cr_assert_null(strstr(run.err, "boom.wav"), "%s", run.err);
    cr_assert_null(strstr(run.err, "notes.txt"), "%s", run.err);
    zct_run_free(&run);
    zc_pack *pack = zcti_open_pack(zcti_pack_path);
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, "sky/city.exr.orig", &e), ZC_OK);
    cr_assert_eq(e.type, ZC_TYPE_BLOB);
    zc_pack_close(pack);
}
