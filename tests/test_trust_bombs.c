/* test_trust_bombs.c - decompression bombs within the dimension cap: small image files
 * that declare a huge image, and the memory a build may spend decoding images.
 *
 * The bombs are written here, byte by byte: a GIF of 35 bytes whose screen the
 * decoder fills, a PNG whose zlib stream repeats one byte millions of times (a
 * hand-made fixed-Huffman deflate stream of 258-byte matches), and a run-length
 * Radiance HDR. Each decodes to a real image; the packer must refuse them from their
 * headers, before decoding, and keep the memory of legitimate large images within
 * --max-memory. The same bytes embedded in a model (a glTF data: URI, a GLB's binary
 * chunk) fail that model.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "zc_build.h"
#include "zc_image_budget.h"
#include "zc_pack.h"
#include "zc_test_util.h"

TestSuite(trust_bombs, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 60);

/* ---------------------------------------------------------------------------------
 * Writers
 * ------------------------------------------------------------------------------- */

typedef struct bytes {
    uint8_t *data;
    size_t size, cap;
    uint32_t acc;               /* deflate bit accumulator, LSB first */
    int bits;
} bytes;

static void put(bytes *b, const void *data, size_t n) {
    if (b->size + n > b->cap) {
        b->cap = (b->size + n) * 2 + 1024;
        b->data = realloc(b->data, b->cap);
        cr_assert_not_null(b->data);
    }
    memcpy(b->data + b->size, data, n);
    b->size += n;
}

static void put_byte(bytes *b, uint8_t v) {
    put(b, &v, 1);
}

static void put_be32(bytes *b, uint32_t v) {
    uint8_t p[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    put(b, p, 4);
}

/* `n` bits of v, least significant first (deflate's header fields). */
static void put_bits(bytes *b, uint32_t v, int n) {
    for (int i = 0; i < n; ++i) {
        b->acc |= ((v >> i) & 1u) << b->bits;
        if (++b->bits == 8) {
            put_byte(b, (uint8_t)b->acc);
            b->acc = 0;
            b->bits = 0;
        }
    }
}

/* A Huffman code of `n` bits, most significant first (deflate's codes). */
static void put_code(bytes *b, uint32_t code, int n) {
    for (int i = n - 1; i >= 0; --i) put_bits(b, (code >> i) & 1u, 1);
}

static uint32_t crc32_of(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

static void put_chunk(bytes *b, const char *type, const uint8_t *data, size_t n) {
    put_be32(b, (uint32_t)n);
    size_t at = b->size;
    put(b, type, 4);
    if (n) put(b, data, n);
    put_be32(b, crc32_of(b->data + at, n + 4));
}

/* An 8-bit PNG of w x h zero texels, grey (channels 1) or RGBA (4): the zlib stream
 * is one fixed-Huffman block of a literal 0 and 258-byte copies of it, about 13 bits
 * per 258 bytes. */
static void write_zero_png(const char *path, uint32_t w, uint32_t h, uint32_t channels) {
    uint64_t raw = (uint64_t)h * ((uint64_t)w * channels + 1); /* a filter byte and the row, all 0 */
    bytes z = { 0 };
    put_byte(&z, 0x78);
    put_byte(&z, 0x01);
    put_bits(&z, 1, 1); /* BFINAL */
    put_bits(&z, 1, 2); /* fixed Huffman */
    put_code(&z, 0x30, 8); /* literal 0 */
    uint64_t left = raw - 1;
    for (; left >= 258; left -= 258) {
        put_code(&z, 0xC5, 8); /* length 258 (symbol 285) */
        put_code(&z, 0, 5);    /* distance 1 */
    }
    for (; left; --left) put_code(&z, 0x30, 8);
    put_code(&z, 0, 7); /* end of block */
    if (z.bits) put_bits(&z, 0, 8 - z.bits);
    put_be32(&z, (uint32_t)(((raw % 65521u) << 16) | 1u)); /* Adler-32 of zeros */

    bytes png = { 0 };
    put(&png, "\x89PNG\r\n\x1a\n", 8);
    uint8_t ihdr[13] = { (uint8_t)(w >> 24), (uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w,
                         (uint8_t)(h >> 24), (uint8_t)(h >> 16), (uint8_t)(h >> 8), (uint8_t)h,
                         8, channels == 4 ? 6 : 0, 0, 0, 0 };
    put_chunk(&png, "IHDR", ihdr, sizeof ihdr);
    put_chunk(&png, "IDAT", z.data, z.size);
    put_chunk(&png, "IEND", NULL, 0);
    zct_write_file(path, png.data, png.size);
    free(z.data);
    free(png.data);
}

static void write_flat_png(const char *path, uint32_t w, uint32_t h) {
    write_zero_png(path, w, h, 1);
}

/* A GIF of 35 bytes: a w x h screen with a two-colour table and one image whose LZW
 * data is a clear code and an end code; stb_image fills the screen with it. */
#define GIF_BOMB_SIZE 35
static void gif_bomb(uint8_t gif[GIF_BOMB_SIZE], uint16_t w, uint16_t h) {
    const uint8_t bytes[GIF_BOMB_SIZE] = { 'G', 'I', 'F', '8', '9', 'a', (uint8_t)w, (uint8_t)(w >> 8), (uint8_t)h,
                                           (uint8_t)(h >> 8), 0x80, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, ',', 0, 0, 0, 0,
                                           (uint8_t)w, (uint8_t)(w >> 8), (uint8_t)h, (uint8_t)(h >> 8), 0, 2, 2, 0x44,
                                           0x01, 0, ';' };
    memcpy(gif, bytes, sizeof bytes);
}

static void write_gif_bomb(const char *path, uint16_t w, uint16_t h) {
    uint8_t gif[GIF_BOMB_SIZE];
    gif_bomb(gif, w, h);
    zct_write_file(path, gif, sizeof gif);
}

/* A run-length Radiance HDR of one colour: per row and channel, runs of 127. */
static void write_flat_hdr(const char *path, uint32_t w, uint32_t h) {
    bytes b = { 0 };
    char head[128];
    int n = snprintf(head, sizeof head, "#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y %u +X %u\n", h, w);
    put(&b, head, (size_t)n);
    const uint8_t rgbe[4] = { 0x80, 0x80, 0x80, 0x81 };
    for (uint32_t y = 0; y < h; ++y) {
        const uint8_t start[4] = { 2, 2, (uint8_t)(w >> 8), (uint8_t)w };
        put(&b, start, 4);
        for (int c = 0; c < 4; ++c)
            for (uint32_t left = w; left;) {
                uint32_t run = left < 127 ? left : 127;
                put_byte(&b, (uint8_t)(128 + run));
                put_byte(&b, rgbe[c]);
                left -= run;
            }
    }
    zct_write_file(path, b.data, b.size);
    free(b.data);
}

/* ---------------------------------------------------------------------------------
 * Bombs are refused from their headers
 * ------------------------------------------------------------------------------- */

/* A tree with the three bombs and one ordinary image. */
static char *bomb_tree(void) {
    char *root = zct_tmp_path("tree");
    zct_mkdirs(root);
    char *gif = zct_join(root, "bomb.gif"), *png = zct_join(root, "bomb.png"), *hdr = zct_join(root, "bomb.hdr");
    write_gif_bomb(gif, 16384, 16384);     /* 268 Mtexels from 35 bytes */
    write_flat_png(png, 16384, 4096);      /* 67 Mtexels from about 420 KB */
    write_flat_hdr(hdr, 8192, 4096);       /* 33.5 Mtexels of floats from about 2.1 MB */
    char *ok = zct_join(root, "ok.png");
    write_flat_png(ok, 64, 64);
    free(gif);
    free(png);
    free(hdr);
    free(ok);
    return root;
}

Test(trust_bombs, bombs_are_refused_naming_file_size_and_key) {
    char *root = bomb_tree(), *out = zct_tmp_path("out.zcpack");
    zct_run run = ZCT_CLI("build", root, "-o", out, "-q", "-j", "2");
    ZCT_EXPECT_CODE(run, 6);
    ZCT_EXPECT_ERR(run, "bomb.gif: image declares 16384x16384 (268435456 texels) in a source of 35 bytes");
    ZCT_EXPECT_ERR(run, "\"max_texels\": 268435456");
    cr_expect_eq(access(out, F_OK), -1, "the pack was written although imports failed");
    zct_run_free(&run);

    /* --keep-going packs the rest, and reports every bomb */
    run = ZCT_CLI("build", root, "-o", out, "-q", "--keep-going");
    ZCT_EXPECT_CODE(run, 6);
    ZCT_EXPECT_ERR(run, "bomb.png: image declares 16384x4096 (67108864 texels) in a source of ");
    ZCT_EXPECT_ERR(run, "bomb.hdr: image declares 8192x4096 (33554432 texels)");
    ZCT_EXPECT_ERR(run, "4 per byte of an HDR source");
    ZCT_EXPECT_ERR(run, "bomb.gif: image declares 16384x16384");
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = out }), ZC_OK);
    zc_entry e;
    cr_expect_eq(zc_pack_find(pack, "ok.png", &e), ZC_OK);
    cr_expect_neq(zc_pack_find(pack, "bomb.gif", &e), ZC_OK);
    cr_expect_neq(zc_pack_find(pack, "bomb.png", &e), ZC_OK);
    cr_expect_neq(zc_pack_find(pack, "bomb.hdr", &e), ZC_OK);
    zc_pack_close(pack);
    zct_run_free(&run);
    free(root);
    free(out);
}

/* Build `root` into `out`, which must succeed, and expect the texture `name` of
 * w x h texels in the pack. */
static void expect_packed_texture(const char *root, const char *out, const char *name, uint32_t w, uint32_t h) {
    zct_run run = ZCT_CLI("build", root, "-o", out, "-q");
    ZCT_EXPECT_CODE(run, 0);
    zct_run_free(&run);
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = out }), ZC_OK);
    zc_texture_view view;
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, name, &e), ZC_OK);
    cr_assert_eq(zc_texture_view_from_entry(&e, &view), ZC_OK);
    cr_expect_eq(view.width, w);
    cr_expect_eq(view.height, h);
    zc_pack_close(pack);
}

/* A smooth photo-like JPEG above the floor at about 40 texels per byte (real
 * paintings reach 49): within 64 per byte, so packed by default; 32 per byte would
 * refuse it. Pillow encodes it (stb_image_write's JPEG encoder shifts bits into the
 * sign of an int, which the sanitizer build stops at). */
Test(trust_bombs, smooth_large_jpeg_is_packed_by_default) {
    if (access("/usr/bin/python3", X_OK) != 0 || system("/usr/bin/python3 -c 'import PIL' > /dev/null 2>&1") != 0)
        zct_skip_test("Pillow for /usr/bin/python3 is not installed (tools/bootstrap.sh --test-data: python3-pil)");
    char *root = zct_tmp_path("tree"), *out = zct_tmp_path("out.zcpack"), *ppm = zct_tmp_path("wall.ppm");
    zct_mkdirs(root);
    char *jpg = zct_join(root, "wall.jpg");
    const uint32_t w = 4800, h = 3600; /* 17.3 Mtexels, above the 4096x4096 floor */
    FILE *f = fopen(ppm, "wb");
    cr_assert_not_null(f);
    fprintf(f, "P6\n%u %u\n255\n", w, h);
    uint8_t *row = malloc((size_t)w * 3);
    cr_assert_not_null(row);
    for (uint32_t y = 0; y < h; ++y) {
        for (uint32_t x = 0; x < w; ++x) {
            row[3 * x] = (uint8_t)(x * 255 / w);
            row[3 * x + 1] = (uint8_t)(y * 255 / h);
            row[3 * x + 2] = (uint8_t)((x + y) * 255 / (w + h));
        }
        cr_assert_eq(fwrite(row, 3, w, f), w);
    }
    free(row);
    cr_assert_eq(fclose(f), 0);
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import sys; from PIL import Image; "
             "Image.open(sys.argv[1]).save(sys.argv[2], quality=90, subsampling=2)' '%s' '%s'",
             ppm, jpg);
    cr_assert_eq(system(cmd), 0, "Pillow could not write the JPEG: %s", cmd);
    unlink(ppm);
    struct stat st;
    cr_assert_eq(stat(jpg, &st), 0);
    double density = (double)w * h / (double)st.st_size;
    cr_assert(density > 32.0 && density < 64.0, "the JPEG has %.1f texels per byte", density);
    zct_put_text(root, "zcpack.json", "{\"rules\":[{\"match\":\"*.jpg\",\"format\":\"rgba8\",\"mips\":false}]}");
    expect_packed_texture(root, out, "wall.jpg", w, h);
    free(jpg);
    free(ppm);
    free(root);
    free(out);
}

/* A legitimate large flat image: refused by the default rule, packed once a manifest
 * rule allows its texels (the PNG is real: its texels come out of the pack). */
Test(trust_bombs, manifest_max_texels_lets_a_flat_image_through) {
    char *root = zct_tmp_path("tree"), *out = zct_tmp_path("out.zcpack");
    zct_mkdirs(root);
    char *png = zct_join(root, "sky.png");
    write_flat_png(png, 4608, 4096); /* 18.9 Mtexels, above the 4096x4096 floor, about 120 KB */
    zct_run run = ZCT_CLI("build", root, "-o", out, "-q");
    ZCT_EXPECT_CODE(run, 6);
    ZCT_EXPECT_ERR(run, "sky.png: image declares 4608x4096 (18874368 texels)");
    ZCT_EXPECT_ERR(run, "a zcpack.json rule \"max_texels\": 18874368 for this file allows it");
    zct_run_free(&run);

    zct_put_text(root, "zcpack.json",
                 "{\"rules\":[{\"match\":\"sky.png\",\"max_texels\":18874368,\"format\":\"r8\",\"mips\":false}]}");
    expect_packed_texture(root, out, "sky.png", 4608, 4096);

    /* one texel short of the image is still refused */
    zct_put_text(root, "zcpack.json", "{\"rules\":[{\"match\":\"sky.png\",\"max_texels\":18874367}]}");
    run = ZCT_CLI("build", root, "-o", out, "-q");
    ZCT_EXPECT_CODE(run, 6);
    ZCT_EXPECT_ERR(run, "more than the 18874367 texels allowed (its max_texels)");
    zct_run_free(&run);
    free(png);
    free(root);
    free(out);
}

/* ---------------------------------------------------------------------------------
 * The memory budget
 * ------------------------------------------------------------------------------- */

/* Four legitimate 3072 x 3072 RGBA images (under the floor), mips built from the full
 * level but stored from 256 on: decoding dominates what each import holds. */
static char *big_tree(void) {
    char *root = zct_tmp_path("big");
    zct_mkdirs(root);
    for (int i = 0; i < 4; ++i) {
        char name[32];
        snprintf(name, sizeof name, "img%d.png", i);
        char *path = zct_join(root, name);
        write_zero_png(path, 3072, 3072, 4);
        free(path);
    }
    zct_put_text(root, "zcpack.json", "{\"rules\":[{\"match\":\"*\",\"max_size\":256}]}");
    return root;
}

/* The estimate of one of those images, as the build reports it against a 1M budget. */
static uint64_t estimate_mib(const char *root, const char *out) {
    zct_run run = ZCT_CLI("build", root, "-o", out, "-q", "-j", "1", "--max-memory", "1M");
    ZCT_EXPECT_CODE(run, 6);
    const char *at = strstr(run.err, "needs about ");
    cr_assert_not_null(at, "no estimate in: %s", run.err);
    uint64_t mib = strtoull(at + strlen("needs about "), NULL, 10);
    zct_run_free(&run);
    return mib;
}

Test(trust_bombs, peak_memory_stays_within_max_memory_with_two_jobs) {
    char *root = big_tree(), *out = zct_tmp_path("out.zcpack");
    uint64_t each = estimate_mib(root, out);
    cr_assert(each >= 72 && each < 200, "estimate of a 3072x3072 RGBA PNG: %llu MiB", (unsigned long long)each);
    /* room for one import and a half: two at once would need 2 * each */
    uint64_t limit_mib = each * 3 / 2;
    char limit[32];
    snprintf(limit, sizeof limit, "%lluM", (unsigned long long)limit_mib);
    zct_run run = ZCT_CLI("build", root, "-o", out, "-q", "-j", "2", "--max-memory", limit);
    ZCT_EXPECT_CODE(run, 0);
    zct_run_free(&run);
    struct rusage ru;
    cr_assert_eq(getrusage(RUSAGE_CHILDREN, &ru), 0);
    uint64_t peak_mib = (uint64_t)ru.ru_maxrss >> 10;
    /* the process itself (code, libraries, the written pack mapped for its check) takes
     * some 13 MiB beside the images; two decodes at once (without the budget) reach
     * about twice the limit's two thirds, some 150 MiB */
    /* a sanitizer's shadow memory and quarantine inflate RSS: there only the library's
     * own count below is checked */
    if (!getenv("ZC_SANITIZE_RUN"))
        cr_expect(peak_mib < limit_mib + 16,
              "peak RSS %llu MiB with --max-memory %s (each image needs about %llu MiB)",
              (unsigned long long)peak_mib, limit, (unsigned long long)each);

    /* the library reports what its budget held at most */
    zc_build_stats stats;
    zc_result r = zc_build(&(zc_build_desc){ .input_dir = root, .output_path = out, .no_sync = 1, .threads = 2,
                                             .max_memory = limit_mib << 20 }, &stats);
    cr_assert_eq(r, ZC_OK, "%s", zc_result_str(r));
    cr_expect(stats.image_memory_peak >= (each - 1) << 20 && stats.image_memory_peak <= limit_mib << 20,
              "budget peak %llu bytes, limit %llu MiB", (unsigned long long)stats.image_memory_peak,
              (unsigned long long)limit_mib);
    free(root);
    free(out);
}

Test(trust_bombs, image_larger_than_the_whole_budget_fails_without_hanging, .timeout = 20) {
    char *root = zct_tmp_path("tree"), *out = zct_tmp_path("out.zcpack");
    zct_mkdirs(root);
    char *png = zct_join(root, "big.png");
    write_flat_png(png, 2048, 2048);
    zct_put_text(root, "small.bin", "small");
    zct_run run = ZCT_CLI("build", root, "-o", out, "-q", "-j", "2", "--keep-going", "--max-memory", "4M");
    ZCT_EXPECT_CODE(run, 6);
    ZCT_EXPECT_ERR(run, "big.png: image is 2048x2048: importing it needs about ");
    ZCT_EXPECT_ERR(run, "more than the whole image memory budget of 4 MiB (--max-memory)");
    zct_run_free(&run);
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = out }), ZC_OK);
    zc_entry e;
    cr_expect_eq(zc_pack_find(pack, "small.bin", &e), ZC_OK);
    zc_pack_close(pack);

    run = ZCT_CLI("build", root, "-o", out, "--max-memory", "12Q");
    ZCT_EXPECT_CODE(run, 2);
    ZCT_EXPECT_ERR(run, "'12Q' is not a size");
    zct_run_free(&run);
    free(png);
    free(root);
    free(out);
}

/* A model's textures are decoded in its child process: the child asks the build's
 * budget, and a texture beyond it leaves its slot empty with a note. */
Test(trust_bombs, model_textures_take_from_the_same_budget, .timeout = 30) {
    char *root = zct_tmp_path("tree"), *out = zct_tmp_path("out.zcpack");
    zct_mkdirs(root);
    char *png = zct_join(root, "tex/wall.png"), *dir = zct_join(root, "tex");
    zct_mkdirs(dir);
    free(dir);
    write_flat_png(png, 2048, 2048);
    zct_put_text(root, "wall.mtl", "newmtl m\nmap_Kd tex/wall.png\n");
    zct_put_text(root, "wall.obj", "mtllib wall.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 0 1\n"
                                   "usemtl m\nf 1/1 2/2 3/3\n");
    zct_put_text(root, "zcpack.json", "{\"rules\":[{\"match\":\"tex/*\",\"compress\":false}]}");
    zct_run run = ZCT_CLI("build", root, "-o", out, "-j", "1", "--keep-going", "--max-memory", "4M");
    ZCT_EXPECT_CODE(run, 6);
    ZCT_EXPECT_ERR(run, "wall.obj: material 1 \"m\" BASE_COLOR slot: texture \"tex/wall.png\" cannot be imported "
                        "(image is 2048x2048: importing it needs about ");
    ZCT_EXPECT_ERR(run, "budget of 4 MiB (--max-memory)): slot left empty");
    zct_run_free(&run);
    run = ZCT_CLI("build", root, "-o", out, "-q", "-j", "1", "--max-memory", "64M");
    ZCT_EXPECT_CODE(run, 0);
    zct_run_free(&run);
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = out }), ZC_OK);
    zc_entry e;
    cr_expect_eq(zc_pack_find(pack, "wall.obj#texture/0", &e), ZC_OK);
    zc_pack_close(pack);
    free(png);
    free(root);
    free(out);
}

/* ---------------------------------------------------------------------------------
 * Bombs embedded in a model file
 * ------------------------------------------------------------------------------- */

/* Standard base64 of n bytes, malloc'd. */
static char *base64_of(const uint8_t *p, size_t n) {
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc(4 * ((n + 2) / 3) + 1), *o = out;
    cr_assert_not_null(out);
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
        *o++ = digits[v >> 18];
        *o++ = digits[(v >> 12) & 63];
        *o++ = i + 1 < n ? digits[(v >> 6) & 63] : '=';
        *o++ = i + 2 < n ? digits[v & 63] : '=';
    }
    *o = 0;
    return out;
}

/* One textured triangle: positions (36 bytes), then texcoords (24 bytes). */
static const float textured_tri[15] = { 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1 };

/* tree/rel: a glTF of one textured triangle whose base colour image is `image`, as a
 * data: URI (glb 0: a .gltf whose buffer is a data: URI too) or in the binary chunk
 * (glb 1: a .glb, the image in a buffer view after the triangle). */
static void put_model_with_image(const char *root, const char *rel, const uint8_t *image, size_t image_size,
                                 int glb) {
    char *tri64 = base64_of((const uint8_t *)textured_tri, sizeof textured_tri), *img64 = base64_of(image, image_size);
    char image_json[512], view_json[128], buffer_json[256];
    size_t bin_size = (sizeof textured_tri + image_size + 3) & ~(size_t)3;
    if (glb) {
        snprintf(image_json, sizeof image_json, "{\"bufferView\":2,\"mimeType\":\"image/gif\"}");
        snprintf(view_json, sizeof view_json, ",{\"buffer\":0,\"byteOffset\":%zu,\"byteLength\":%zu}",
                 sizeof textured_tri, image_size);
        snprintf(buffer_json, sizeof buffer_json, "{\"byteLength\":%zu}", bin_size);
    } else {
        snprintf(image_json, sizeof image_json, "{\"uri\":\"data:image/gif;base64,%s\"}", img64);
        view_json[0] = 0;
        snprintf(buffer_json, sizeof buffer_json,
                 "{\"uri\":\"data:application/octet-stream;base64,%s\",\"byteLength\":%zu}", tri64,
                 sizeof textured_tri);
    }
    char json[2048];
    int n = snprintf(json, sizeof json,
                     "{\"asset\":{\"version\":\"2.0\"},\"scene\":0,\"scenes\":[{\"nodes\":[0]}],\"nodes\":[{\"mesh\":0}],"
                     "\"meshes\":[{\"primitives\":[{\"attributes\":{\"POSITION\":0,\"TEXCOORD_0\":1},\"material\":0}]}],"
                     "\"materials\":[{\"pbrMetallicRoughness\":{\"baseColorTexture\":{\"index\":0}}}],"
                     "\"textures\":[{\"source\":0}],\"images\":[%s],"
                     "\"accessors\":[{\"bufferView\":0,\"componentType\":5126,\"count\":3,\"type\":\"VEC3\","
                     "\"min\":[0,0,0],\"max\":[1,1,0]},{\"bufferView\":1,\"componentType\":5126,\"count\":3,"
                     "\"type\":\"VEC2\"}],\"bufferViews\":[{\"buffer\":0,\"byteLength\":36},"
                     "{\"buffer\":0,\"byteOffset\":36,\"byteLength\":24}%s],\"buffers\":[%s]}",
                     image_json, view_json, buffer_json);
    cr_assert(n > 0 && (size_t)n < sizeof json - 4);
    if (!glb) {
        zct_put(root, rel, json, (size_t)n);
    } else {
        while (n % 4) json[n++] = ' ';
        bytes b = { 0 };
        const uint32_t head[5] = { 0x46546C67u /* glTF */, 2, (uint32_t)(12 + 8 + n + 8 + bin_size), (uint32_t)n,
                                   0x4E4F534Au /* JSON */ };
        put(&b, head, sizeof head);
        put(&b, json, (size_t)n);
        const uint32_t bin_head[2] = { (uint32_t)bin_size, 0x004E4942u /* BIN */ };
        put(&b, bin_head, sizeof bin_head);
        put(&b, textured_tri, sizeof textured_tri);
        put(&b, image, image_size);
        while (b.size % 4) put_byte(&b, 0);
        zct_put(root, rel, b.data, b.size);
        free(b.data);
    }
    free(tri64);
    free(img64);
}

/* The texel limit holds for the bytes of an image embedded in a model file as for the
 * same bytes in a file of their own: the model fails naming the image (before, the
 * slot was left empty with a warning and the build succeeded), and a small image
 * embedded the same way is packed as the model's texture. */
Test(trust_bombs, image_bomb_embedded_in_a_model_fails_the_model) {
    uint8_t bomb[GIF_BOMB_SIZE], small[GIF_BOMB_SIZE];
    gif_bomb(bomb, 16384, 16384);
    gif_bomb(small, 64, 64);
    for (int glb = 0; glb < 2; ++glb) {
        const char *name = glb ? "m.glb" : "m.gltf";
        char *root = zct_tmp_path("tree"), *out = zct_tmp_path("out.zcpack");
        zct_rm_rf(root);
        put_model_with_image(root, name, bomb, sizeof bomb, glb);
        zct_put_text(root, "ok.txt", "fine");
        zct_run run = ZCT_CLI("build", root, "-o", out, "-q", "-j", "1", "--keep-going");
        ZCT_EXPECT_CODE(run, 6);
        char expected[128];
        snprintf(expected, sizeof expected, "%s: embedded image \"*0\": image declares 16384x16384", name);
        ZCT_EXPECT_ERR(run, expected);
        ZCT_EXPECT_ERR(run, "in a source of 35 bytes");
        zct_run_free(&run);
        zc_pack *pack = NULL;
        cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = out }), ZC_OK);
        zc_entry e;
        cr_expect_eq(zc_pack_find(pack, "ok.txt", &e), ZC_OK);
        cr_expect_neq(zc_pack_find(pack, name, &e), ZC_OK, "%s was packed", name);
        zc_pack_close(pack);

        put_model_with_image(root, name, small, sizeof small, glb);
        run = ZCT_CLI("build", root, "-o", out, "-q", "-j", "1");
        ZCT_EXPECT_CODE(run, 0);
        zct_run_free(&run);
        cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = out }), ZC_OK);
        char texture[64];
        snprintf(texture, sizeof texture, "%s#texture/0", name);
        cr_expect_eq(zc_pack_find(pack, texture, &e), ZC_OK, "%s missing", texture);
        zc_pack_close(pack);
        free(root);
        free(out);
    }
}

/* The budget itself: one acquire beyond the limit fails at once; a waiter proceeds
 * when another thread releases. */
static zc_image_budget *shared_budget;
static void release_later(void *arg) {
    (void)arg;
    struct timespec nap = { 0, 50 * 1000 * 1000 };
    nanosleep(&nap, NULL);
    zc_image_budget_release(shared_budget, 60);
}

Test(trust_bombs, budget_waits_for_release_and_refuses_the_impossible) {
    cr_assert_eq(zc_image_budget_create(100, &shared_budget), ZC_OK);
    cr_expect_eq(zc_image_budget_acquire(shared_budget, 101), ZC_ERR_LIMIT);
    cr_assert_eq(zc_image_budget_acquire(shared_budget, 60), ZC_OK);
    uv_thread_t t;
    cr_assert_eq(uv_thread_create(&t, release_later, NULL), 0);
    cr_expect_eq(zc_image_budget_acquire(shared_budget, 50), ZC_OK); /* waits for the release */
    uv_thread_join(&t);
    cr_expect_eq(zc_image_budget_peak(shared_budget), 60);
    zc_image_budget_release(shared_budget, 50);
    zc_image_budget_destroy(shared_budget);
    cr_expect_gt(zc_image_budget_default_limit(), 0);
}
