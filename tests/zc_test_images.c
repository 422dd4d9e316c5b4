/* zc_test_images.c - helpers of the texture suites (see zc_test_images.h). */
#define _GNU_SOURCE
#include "zc_test_images.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

/* Declarations only: the implementations are compiled once, into the packer library. */
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include "zc_import_texture.h"
#include "zc_texture_pixels.h"
#include "zc_test_util.h"

int zcti_sanitize_run(void) {
    return getenv("ZC_SANITIZE_RUN") != NULL;
}

/* The Debian package that installs files under `path`. */
static const char *zcti__package_of(const char *path) {
    static const struct { const char *prefix, *package; } owners[] = {
        { ZCTI_PYGAME, "python-pygame-doc" },
        { ZCTI_PIXBUF, "gdk-pixbuf-tests" },
        { ZCTI_ASSIMP, "assimp-testmodels" },
        { ZCTI_PSD, "golang-github-gabriel-vasile-mimetype-dev" },
        { ZCTI_EXR_DIR, "blender-data" },
    };
    for (size_t i = 0; i < sizeof owners / sizeof owners[0]; ++i)
        if (strncmp(path, owners[i].prefix, strlen(owners[i].prefix)) == 0) return owners[i].package;
    return "a test-data package";
}

void zcti_require(const char *path) {
    cr_assert(access(path, R_OK) == 0,
              "test image %s is missing (%s): install the test data with `tools/bootstrap.sh --test-data` "
              "(package %s)",
              path, strerror(errno), zcti__package_of(path));
}

uint8_t *zcti_read(const char *path, size_t *size) {
    zcti_require(path);
    uint8_t *bytes = zct_read_file(path, size);
    cr_assert_not_null(bytes, "cannot read %s", path);
    return bytes;
}

char *zcti_copy(const char *src, const char *dir, const char *name) {
    if (!name) {
        const char *slash = strrchr(src, '/');
        name = slash ? slash + 1 : src;
    }
    char *dst = zct_join(dir, name);
    size_t size = 0;
    uint8_t *bytes = zcti_read(src, &size);
    zct_write_file(dst, bytes, size);
    free(bytes);
    return dst;
}

char *zcti_make_hdr(const char *exr_name, const char *dir, const char *name) {
    char *exr = zct_join(ZCTI_EXR_DIR, exr_name);
    zcti_require(exr);
    cr_assert(access("/usr/bin/pfsoutrgbe", X_OK) == 0,
              "pfstools is missing: install the test data with `tools/bootstrap.sh --test-data`");
    char *dst = zct_join(dir, name);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        /* pfsinexr warns on stderr about a missing Exif channel: harmless, silenced. */
        int null_fd = open("/dev/null", O_RDWR);
        if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(null_fd, 1) < 0 || dup2(null_fd, 2) < 0) _exit(126);
        execl("/bin/sh", "sh", "-c", "pfsinexr \"$1\" | pfsoutrgbe \"$2\"", "sh", exr, dst, (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) cr_assert_eq(errno, EINTR, "waitpid: %s", strerror(errno));
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "pfsinexr %s | pfsoutrgbe %s failed (status 0x%x)", exr,
              dst, status);
    cr_assert(stbi_is_hdr(dst), "%s made by pfstools is not an HDR image for stb_image", dst);
    free(exr);
    return dst;
}

uint8_t *zcti_stb_rgba8(const char *path, uint32_t *w, uint32_t *h, int *comp) {
    int x = 0, y = 0, n = 0;
    uint8_t *texels = stbi_load(path, &x, &y, &n, 4);
    cr_assert_not_null(texels, "stb_image cannot decode %s: %s", path, stbi_failure_reason());
    *w = (uint32_t)x;
    *h = (uint32_t)y;
    if (comp) *comp = n;
    return texels;
}

float *zcti_stb_rgbaf(const char *path, uint32_t *w, uint32_t *h, int *comp) {
    int x = 0, y = 0, n = 0;
    float *texels = stbi_loadf(path, &x, &y, &n, 4);
    cr_assert_not_null(texels, "stb_image cannot decode %s: %s", path, stbi_failure_reason());
    *w = (uint32_t)x;
    *h = (uint32_t)y;
    if (comp) *comp = n;
    return texels;
}

void zcti_write_png(const char *path, uint32_t w, uint32_t h, int comp, const uint8_t *texels) {
    cr_assert(stbi_write_png(path, (int)w, (int)h, comp, texels, (int)w * comp), "cannot write %s", path);
}

uint32_t zcti_crc32(const void *data, size_t size) {
    const uint8_t *p = data;
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < size; ++i) {
        crc ^= p[i];
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

/* ---------------------------------------------------------------------------------
 * Texture views
 * ------------------------------------------------------------------------------- */

zc_pack *zcti_open_pack(const char *path) {
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .validate = ZC_VALIDATE_CHECKSUMS });
    cr_assert_eq(r, ZC_OK, "cannot open %s: %s", path, zc_result_str(r));
    return pack;
}

void zcti_pack_texture(const zc_pack *pack, const char *entry_path, zc_entry *entry, zc_texture_view *view) {
    zc_result r = zc_pack_find(pack, entry_path, entry);
    cr_assert_eq(r, ZC_OK, "the pack has no entry %s: %s", entry_path, zc_result_str(r));
    cr_assert_eq(entry->type, ZC_TYPE_TEXTURE, "%s is not a texture", entry_path);
    r = zc_texture_view_from_entry(entry, view);
    cr_assert_eq(r, ZC_OK, "%s: zc_texture_view_from_entry: %s", entry_path, zc_result_str(r));
}

zc_texture_level_view zcti_level(const zc_texture_view *view, uint32_t level) {
    zc_texture_level_view lv;
    zc_result r = zc_texture_view_level(view, level, 0, &lv);
    cr_assert_eq(r, ZC_OK, "level %u of %u: %s", level, view->mip_count, zc_result_str(r));
    return lv;
}

uint8_t *zcti_decode_level(const zc_texture_view *view, uint32_t level) {
    zc_texture_level_view lv = zcti_level(view, level);
    uint8_t *out = malloc((size_t)lv.width * lv.height * lv.depth * 4);
    cr_assert_not_null(out);
    zc_result r = zc_texture_level_decode_rgba8(view->format, &lv, out);
    cr_assert_eq(r, ZC_OK, "decoding level %u (%s): %s", level, zc_pixel_format_name(view->format),
                 zc_result_str(r));
    return out;
}

void zcti_assert_chain(const zc_texture_view *view, uint32_t w, uint32_t h, int full_chain) {
    cr_assert_eq(view->width, w);
    cr_assert_eq(view->height, h);
    cr_assert_eq(view->depth, 1);
    cr_assert_eq(view->layers, 1);
    uint32_t largest = w > h ? w : h, levels = 1;
    while (largest >> levels) levels++;
    cr_assert_eq(view->mip_count, full_chain ? levels : 1u, "%ux%u has %u levels, expected %u", w, h,
                 view->mip_count, full_chain ? levels : 1u);
    for (uint32_t i = 0; i < view->mip_count; ++i) {
        zc_texture_level_view lv = zcti_level(view, i);
        uint32_t lw = w >> i ? w >> i : 1, lh = h >> i ? h >> i : 1;
        cr_assert(lv.width == lw && lv.height == lh && lv.depth == 1, "level %u is %ux%ux%u, expected %ux%ux1", i,
                  lv.width, lv.height, lv.depth, lw, lh);
        uint64_t row_bytes = zc_texture_row_bytes(view->format, lw);
        cr_assert_geq(lv.row_pitch, row_bytes, "level %u row pitch %u < %llu", i, lv.row_pitch,
                      (unsigned long long)row_bytes);
        cr_assert_eq(lv.row_pitch % view->row_pitch_align, 0);
        cr_assert_eq(lv.size, (uint64_t)lv.row_pitch * zc_texture_block_rows(view->format, lh), "level %u size", i);
        cr_assert_eq((uintptr_t)lv.data % ZC_TEXTURE_DATA_ALIGN, 0, "level %u is not 16-byte aligned", i);
    }
    /* One level past the chain does not exist. */
    zc_texture_level_view past;
    cr_assert_eq(zc_texture_view_level(view, view->mip_count, 0, &past), ZC_ERR_NO_ENTRY);
}

void zcti_assert_views_equal(const zc_texture_view *a, const zc_texture_view *b, const char *what) {
    cr_assert(a->format == b->format && a->width == b->width && a->height == b->height && a->depth == b->depth &&
                  a->layers == b->layers && a->mip_count == b->mip_count && a->flags == b->flags &&
                  a->row_pitch_align == b->row_pitch_align,
              "%s: views differ: %s %ux%u, %u levels, flags 0x%x vs %s %ux%u, %u levels, flags 0x%x", what,
              zc_pixel_format_name(a->format), a->width, a->height, a->mip_count, a->flags,
              zc_pixel_format_name(b->format), b->width, b->height, b->mip_count, b->flags);
    for (uint32_t i = 0; i < a->mip_count; ++i) {
        zc_texture_level_view la = zcti_level(a, i), lb = zcti_level(b, i);
        cr_assert(la.width == lb.width && la.height == lb.height && la.depth == lb.depth &&
                      la.row_pitch == lb.row_pitch && la.size == lb.size,
                  "%s: level %u differs in extent, pitch or size", what, i);
        cr_assert(memcmp(la.data, lb.data, (size_t)la.size) == 0, "%s: level %u bytes differ", what, i);
    }
}

void zcti_assert_level0_equals(const zc_texture_view *view, const uint8_t *rgba, const char *what) {
    cr_assert(view->format == ZC_PIXEL_RGBA8_SRGB || view->format == ZC_PIXEL_RGBA8_UNORM, "%s is %s, not RGBA8", what,
              zc_pixel_format_name(view->format));
    zc_texture_level_view lv = zcti_level(view, 0);
    const uint8_t *base = lv.data;
    for (uint32_t y = 0; y < lv.height; ++y) {
        const uint8_t *got = base + (size_t)y * lv.row_pitch, *want = rgba + (size_t)y * lv.width * 4;
        if (memcmp(got, want, (size_t)lv.width * 4) == 0) continue;
        uint32_t x = 0;
        while (memcmp(got + x * 4, want + x * 4, 4) == 0) x++;
        cr_assert_fail("%s: level 0 texel (%u, %u) is %u,%u,%u,%u, stb_image decodes %u,%u,%u,%u", what, x, y,
                       got[x * 4], got[x * 4 + 1], got[x * 4 + 2], got[x * 4 + 3], want[x * 4], want[x * 4 + 1],
                       want[x * 4 + 2], want[x * 4 + 3]);
    }
}

double zcti_psnr(const uint8_t *a, const uint8_t *b, size_t texels, unsigned channel_mask) {
    double sum = 0;
    size_t samples = 0;
    for (size_t i = 0; i < texels; ++i)
        for (unsigned c = 0; c < 4; ++c) {
            if (!(channel_mask & (1u << c))) continue;
            double d = (double)a[i * 4 + c] - (double)b[i * 4 + c];
            sum += d * d;
            samples++;
        }
    if (samples == 0 || sum == 0) return INFINITY;
    return 10.0 * log10(255.0 * 255.0 / (sum / (double)samples));
}

float *zcti_decode_float_level(uint32_t format, const zc_texture_level_view *lv) {
    float *out = malloc((size_t)lv->width * lv->height * 16);
    cr_assert_not_null(out);
    uint32_t block = 1, bytes = 0;
    cr_assert(zc_pixel_format_block(format, &block, &bytes));
    for (uint32_t by = 0; by < (lv->height + block - 1) / block; ++by)
        for (uint32_t bx = 0; bx < (lv->width + block - 1) / block; ++bx) {
            const uint8_t *src = (const uint8_t *)lv->data + (size_t)by * lv->row_pitch + (size_t)bx * bytes;
            float texels[8 * 8 * 4];
            if (format == ZC_PIXEL_RGBA16_FLOAT)
                for (int c = 0; c < 4; ++c) texels[c] = zc_float_from_half((uint16_t)(src[2 * c] | src[2 * c + 1] << 8));
            else if (format == ZC_PIXEL_RGBA32_FLOAT)
                memcpy(texels, src, 16);
            else if (format == ZC_PIXEL_BC6H_UFLOAT)
                zc_bc6h_decode_block(src, texels);
            else
                zc_astc_decode_hdr(src, block, texels);
            for (uint32_t y = 0; y < block && by * block + y < lv->height; ++y)
                for (uint32_t x = 0; x < block && bx * block + x < lv->width; ++x)
                    memcpy(out + ((size_t)(by * block + y) * lv->width + bx * block + x) * 4, texels + (y * block + x) * 4, 16);
        }
    return out;
}

double zcti_log2_rmse(const float *a, const float *b, size_t texels) {
    double sum = 0;
    for (size_t i = 0; i < texels; ++i)
        for (int c = 0; c < 3; ++c) {
            double d = log2(1.0 + fmax(a[4 * i + c], 0.0)) - log2(1.0 + fmax(b[4 * i + c], 0.0));
            sum += d * d;
        }
    return sqrt(sum / (3.0 * (double)texels));
}

/* ---------------------------------------------------------------------------------
 * The scratch tree
 * ------------------------------------------------------------------------------- */

char *zcti_in_dir;
char *zcti_pack_path;

void zcti_tree_setup(void) {
    zct_tmp_setup();
    zcti_in_dir = zct_tmp_path("in");
    zct_mkdirs(zcti_in_dir);
    zcti_pack_path = zct_tmp_path("out.zcpack");
}

void zcti_tree_teardown(void) {
    free(zcti_pack_path);
    free(zcti_in_dir);
    zcti_pack_path = zcti_in_dir = NULL;
    zct_tmp_teardown();
}

void zcti_python(const char *code, const char *a, const char *b) {
    const char *argv[] = { "/usr/bin/python3", "-c", code, a, b, NULL };
    char *err = zct_tmp_path("python.err");
    int rc = zct_run_program(NULL, NULL, err, argv);
    size_t n = 0;
    char *text = (char *)zct_read_file(err, &n);
    cr_assert_eq(rc, 0, "python: %s", text);
    free(text);
    free(err);
}

void zcti_need_pillow(const char *plugin) {
    char command[200];
    snprintf(command, sizeof command, "/usr/bin/python3 -c 'import PIL.%s' > /dev/null 2>&1", plugin);
    if (access("/usr/bin/python3", X_OK) != 0 || system(command) != 0)
        zct_skip_test("Pillow for /usr/bin/python3 is not installed (tools/bootstrap.sh --test-data: python3-pil)");
}

void zcti_shell(const char *command) {
    int status = system(command);
    cr_assert_eq(status, 0, "`%s` failed (%d)", command, status);
}

void zcti_expect_pillow_texels(const char *path, const char *what) {
    char *raw = zct_tmp_path("pillow.rgba");
    zcti_python("import sys\nfrom PIL import Image\nim = Image.open(sys.argv[1])\n"
                "if im.mode.startswith('I;16'):\n"
                "    v = im.tobytes('raw', 'I;16')\n"
                "    out = b''.join(bytes((v[i + 1],) * 3 + (255,)) for i in range(0, len(v), 2))\n"
                "else:\n"
                "    out = im.convert('RGBA').tobytes()\n"
                "open(sys.argv[2], 'wb').write(out)\n",
                path, raw);
    uint32_t w, h;
    uint8_t *ours = zcti_import_rgba8(path, &w, &h);
    size_t n;
    uint8_t *theirs = zct_read_file(raw, &n);
    cr_assert_eq(n, (size_t)w * h * 4, "%s: Pillow gives %zu bytes for %ux%u", what, n, w, h);
    for (size_t i = 0; i < n; ++i)
        cr_assert_eq(ours[i], theirs[i], "%s: texel %zu channel %zu: zcpack %u, Pillow %u", what, i / 4, i % 4, ours[i],
                     theirs[i]);
    free(theirs);
    free(ours);
    free(raw);
}

uint8_t *zcti_import_rgba8(const char *path, uint32_t *w, uint32_t *h) {
    zc_texture_settings s;
    memset(&s, 0, sizeof s);
    s.format = ZC_TEXTURE_CHOICE_RGBA8;
    s.mips = ZC_SWITCH_OFF;
    zc_texture_image img;
    zc_diag diag;
    cr_assert_eq(zc_texture_import_file(path, NULL, &s, &img, &diag), ZC_OK, "%s: %s", path, diag.message);
    zc_texture_level_view lv;
    cr_assert_eq(zc_texture_image_level(&img, 0, &lv), ZC_OK);
    uint8_t *out = malloc((size_t)lv.width * lv.height * 4);
    cr_assert_not_null(out);
    for (uint32_t y = 0; y < lv.height; ++y)
        memcpy(out + (size_t)y * lv.width * 4, (const uint8_t *)lv.data + (size_t)y * lv.row_pitch, (size_t)lv.width * 4);
    *w = lv.width;
    *h = lv.height;
    zc_texture_image_free(&img);
    return out;
}

void zcti_expect_import_refused(const uint8_t *bytes, size_t size, const char *name, zc_result want,
                                const char *sentence) {
    zc_texture_settings s;
    memset(&s, 0, sizeof s);
    s.max_dimension = 4096;
    zc_texture_image img;
    zc_diag diag = { 0 };
    zc_result r = zc_texture_import_memory(bytes, size, name, &s, &img, &diag);
    cr_assert_eq(r, want, "%s: got %s (%s)", sentence, zc_result_name(r), diag.message);
    cr_assert(strstr(diag.message, sentence), "expected \"%s\" in \"%s\"", sentence, diag.message);
}

void zcti_expect_every_cut_refused(const uint8_t *whole, size_t size, const char *name, size_t dense, size_t step) {
    for (size_t n = 0; n < size; n += n < dense ? 1 : step) {
        uint8_t *cut = malloc(n ? n : 1);
        cr_assert_not_null(cut);
        memcpy(cut, whole, n);
        zc_texture_settings s;
        memset(&s, 0, sizeof s);
        zc_texture_image img;
        zc_diag diag = { 0 };
        cr_assert_neq(zc_texture_import_memory(cut, n, name, &s, &img, &diag), ZC_OK, "%s cut to %zu bytes accepted",
                      name, n);
        cr_assert(diag.message[0], "%s cut to %zu bytes: no sentence", name, n);
        free(cut);
    }
}

static void zcti__put32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = (uint8_t)(v >> (8 * i));
}

uint8_t *zcti_dds(const zcti_dds_desc *d, size_t *size) {
    size_t head = d->dxgi ? 148 : 128;
    uint8_t *b = calloc(1, head + d->n);
    cr_assert_not_null(b);
    memcpy(b, "DDS ", 4);
    zcti__put32(b + 4, 124);
    zcti__put32(b + 8, 0x1 | 0x2 | 0x4 | 0x1000 | (d->depth ? 0x800000u : 0)); /* caps, height, width, pixel format, depth */
    zcti__put32(b + 12, d->height);
    zcti__put32(b + 16, d->width);
    zcti__put32(b + 24, d->depth);
    zcti__put32(b + 28, d->mips ? d->mips : 1);
    zcti__put32(b + 76, 32);
    zcti__put32(b + 80, 0x4); /* DDPF_FOURCC */
    memcpy(b + 84, d->dxgi ? "DX10" : d->fourcc, 4);
    zcti__put32(b + 108, 0x1000);
    zcti__put32(b + 112, d->caps2);
    if (d->dxgi) {
        zcti__put32(b + 128, d->dxgi);
        zcti__put32(b + 132, d->dimension ? d->dimension : 3);
        zcti__put32(b + 136, d->misc);
        zcti__put32(b + 140, d->array);
    }
    if (d->data && d->n) memcpy(b + head, d->data, d->n);
    *size = head + d->n;
    return b;
}
