/* zc_test_images.h - helpers of the texture suites: the real third-party images that
 * Debian packages install (tools/bootstrap.sh --test-data), stb_image's own decode of
 * a file as the reference, texture views of packs and of imports, image comparison
 * (exact, PSNR) and the zcpack CLI with its output captured.
 *
 * The images are never part of the tree: a test copies the ones it needs into its own
 * temporary directory and builds packs there. A missing image fails the test with a
 * message naming the package that ships it.
 *
 * As in zc_test_util.h, every helper succeeds or fails the calling test with a
 * Criterion assertion unless its comment says it returns a status.
 */
#ifndef ZC_TEST_IMAGES_H
#define ZC_TEST_IMAGES_H

#include <stddef.h>
#include <stdint.h>

#include "zc_pack.h"

/* Where the test-data packages put their images. */
#define ZCTI_PYGAME "/usr/share/doc/python-pygame-doc/examples/data"      /* python-pygame-doc */
#define ZCTI_PIXBUF "/usr/libexec/installed-tests/gdk-pixbuf"             /* gdk-pixbuf-tests */
#define ZCTI_PIXBUF_IMAGES ZCTI_PIXBUF "/test-images"
#define ZCTI_ASSIMP "/usr/share/assimp/models"                            /* assimp-testmodels */
#define ZCTI_PSD "/usr/share/gocode/src/github.com/gabriel-vasile/mimetype/testdata/psd.psd"
#define ZCTI_EXR_DIR "/usr/share/blender/datafiles/studiolights/world"    /* blender-data */

/* 1 when the tests run under sanitizers (ZC_SANITIZE_RUN set): suites then use fewer
 * and smaller images. */
int zcti_sanitize_run(void);

/* The scratch-tree fixture, usable as
 *     TestSuite(name, .init = zcti_tree_setup, .fini = zcti_tree_teardown);
 * or from a suite's own pair: setup runs zct_tmp_setup and sets zcti_in_dir =
 * zct_tmp/in (created) and zcti_pack_path = zct_tmp/out.zcpack; teardown frees both
 * and runs zct_tmp_teardown (which removes the tree and checks for leaks). */
extern char *zcti_in_dir;
extern char *zcti_pack_path;
void zcti_tree_setup(void);
void zcti_tree_teardown(void);

/* Fail the test unless `path` is a readable file; the message names the package that
 * ships it and the command that installs it. */
void zcti_require(const char *path);

/* The bytes of test data file `path` (malloc'd, *size bytes), after zcti_require. */
uint8_t *zcti_read(const char *path, size_t *size);

/* Copy the file `src` to dir/name (name NULL: the base name of src), creating parent
 * directories. Returns the malloc'd destination path. */
char *zcti_copy(const char *src, const char *dir, const char *name);

/* Write dir/name as a Radiance RGBE (.hdr) image made from the OpenEXR file
 * ZCTI_EXR_DIR/<exr_name> by pfstools (pfsinexr | pfsoutrgbe), and check that
 * stb_image reads it as an HDR image. Returns the malloc'd path. */
char *zcti_make_hdr(const char *exr_name, const char *dir, const char *name);

/* stb_image's decode of a file, as the importer sees it: RGBA8 (req_comp 4) or RGBA
 * float (stbi_loadf, req_comp 4). *comp receives the channels in the file. Free the
 * texels with free(). */
uint8_t *zcti_stb_rgba8(const char *path, uint32_t *w, uint32_t *h, int *comp);
float *zcti_stb_rgbaf(const char *path, uint32_t *w, uint32_t *h, int *comp);

/* Write tight rows of `comp` 8-bit channels (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA) as a
 * PNG with stb_image_write. */
void zcti_write_png(const char *path, uint32_t w, uint32_t h, int comp, const uint8_t *texels);

/* CRC-32 (ISO-HDLC, as PNG chunks use) of `size` bytes. Pure. */
uint32_t zcti_crc32(const void *data, size_t size);

/* ---------------------------------------------------------------------------------
 * Texture views
 * ------------------------------------------------------------------------------- */

/* Open a pack and validate it with every checksum (ZC_VALIDATE_CHECKSUMS). */
zc_pack *zcti_open_pack(const char *path);

/* The entry `entry_path` of `pack` and its texture view (zc_texture_view_from_entry). */
void zcti_pack_texture(const zc_pack *pack, const char *entry_path, zc_entry *entry, zc_texture_view *view);

/* Level `level` of layer 0, asserted to exist. */
zc_texture_level_view zcti_level(const zc_texture_view *view, uint32_t level);

/* Level `level` decoded to tight RGBA8 rows by zc_texture_level_decode_rgba8; free
 * with free(). */
uint8_t *zcti_decode_level(const zc_texture_view *view, uint32_t level);

/* Check the whole chain of a 2D texture of w x h: the full chain of mip levels down to
 * 1x1 (or one level when `full_chain` is 0), each level max(1, w >> i) x
 * max(1, h >> i), its size row_pitch * block rows, its row pitch at least the level's
 * row bytes and a multiple of row_pitch_align, its bytes at a multiple of 16. */
void zcti_assert_chain(const zc_texture_view *view, uint32_t w, uint32_t h, int full_chain);

/* Check that two views describe the same texture: same metadata, same extent, pitch
 * and size of every level, same level bytes. `what` names the pair in messages. */
void zcti_assert_views_equal(const zc_texture_view *a, const zc_texture_view *b, const char *what);

/* Level 0 of an RGBA8 view equals tight RGBA8 rows `rgba` of its extent byte for byte,
 * row by row over the row pitch. `what` names the image in messages. */
void zcti_assert_level0_equals(const zc_texture_view *view, const uint8_t *rgba, const char *what);

/* PSNR in dB between two tight RGBA8 images of `texels` texels over the channels whose
 * bit is set in `channel_mask` (bit 0 red ... bit 3 alpha); INFINITY when equal. */
double zcti_psnr(const uint8_t *a, const uint8_t *b, size_t texels, unsigned channel_mask);

/* Level `lv` of an HDR format (RGBA16_FLOAT, RGBA32_FLOAT, ASTC_*_FLOAT, BC6H_UFLOAT)
 * decoded to tight RGBA float texels: RGBA16F read as halves, RGBA32F as stored, ASTC
 * HDR through libastcenc, BC6H through zc_bc6h_decode_block. Free with free(). */
float *zcti_decode_float_level(uint32_t format, const zc_texture_level_view *lv);

/* RMSE of log2(1 + max(x, 0)) over R, G and B between two tight RGBA float images of
 * `texels` texels: an error in stops that weighs a sky of 30000 and a shadow of 0.01
 * by their ratios, as the eye does. */
double zcti_log2_rmse(const float *a, const float *b, size_t texels);

/* Run a Python snippet with Pillow (/usr/bin/python3 -c code a b), asserting success. */
void zcti_python(const char *code, const char *a, const char *b);

/* Level 0 of the image file at `path` imported as RGBA8, no mips, linear: tight texels
 * (malloc'd), its extent in *w and *h. */
uint8_t *zcti_import_rgba8(const char *path, uint32_t *w, uint32_t *h);

/* Skip the test, saying why, unless /usr/bin/python3 imports PIL.<plugin>
 * ("PcxImagePlugin"). */
void zcti_need_pillow(const char *plugin);

/* Run a shell command, asserting that it exits 0. */
void zcti_shell(const char *command);

/* Level 0 of the image file `path` imported as RGBA8 (zcti_import_rgba8) equals, byte
 * for byte, Pillow's decode of it converted to RGBA; for a 16-bit grey image, whose
 * conversion Pillow clips, the high byte of each value it decodes. `what` names the
 * image in messages. */
void zcti_expect_pillow_texels(const char *path, const char *what);

/* `size` bytes imported as an image named `name` (default settings, images up to
 * 4096 on a side) fail with `want` and a diag holding `sentence`. */
void zcti_expect_import_refused(const uint8_t *bytes, size_t size, const char *name, zc_result want,
                                const char *sentence);

/* What a hand-made DDS file holds: the legacy header with `fourcc`, or the DX10
 * header when dxgi is not 0; zero means default, as noted. */
typedef struct zcti_dds_desc {
    uint32_t width, height;
    uint32_t mips;              /* 0: 1 */
    const char *fourcc;         /* the legacy header's FourCC (when dxgi is 0) */
    uint32_t caps2;             /* cube map and volume bits */
    uint32_t depth;             /* a volume's depth; 0: none */
    uint32_t dxgi;              /* 0: the legacy header */
    uint32_t dimension;         /* the DX10 resource dimension; 0: 3 (2D) */
    uint32_t misc;              /* DX10 misc flags (cube map) */
    uint32_t array;             /* DX10 array size */
    const void *data;           /* after the headers; NULL: n zero bytes */
    size_t n;
} zcti_dds_desc;

/* The DDS file d describes (malloc'd), its size in *size. */
uint8_t *zcti_dds(const zcti_dds_desc *d, size_t *size);

/* Every cut of the image file `whole` (the first n bytes, for every n below `dense`
 * and every `step`-th above, in exact-size copies: a read past the end is a sanitizer
 * error) fails to import as `name` with a sentence. */
void zcti_expect_every_cut_refused(const uint8_t *whole, size_t size, const char *name, size_t dense, size_t step);

#endif /* ZC_TEST_IMAGES_H */
