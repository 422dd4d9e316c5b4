/* zc_example.h - what the examples of README.md and the public headers leave to the
 * engine, for tools/check_examples.sh.
 *
 * An example calls the runtime and, for the rest, names an engine: a shader compiler,
 * a texture upload, a frame loop. Each wrapped example (tools/check_examples.sh gives
 * the rule) includes this header and is linked with zc_example_main.c, which defines
 * those names as stand-ins that check what they are handed (compile_shader compares
 * its bytes with the source file of shaders/sky.glsl, upload_level reads every byte
 * of the level) and count their calls, and the packs the examples take as given
 * (pack, base, patch1, mod: the demo pack, opened from game.zcpack in the working
 * directory). The program fails when a stand-in saw wrong bytes, or when a stand-in
 * the example names was never called: an example whose lookup silently fails (a
 * path the demo pack lacks, a compressed entry read as stored bytes) fails here.
 */
#ifndef ZC_EXAMPLE_H
#define ZC_EXAMPLE_H

#include <stdint.h>
#include <stdio.h>

#include <uv.h>
#include <zc/zc_pack.h>
#ifdef ZC_EDITOR
#include <zc/zc_live.h>
#endif

/* The packs an example takes as open: four handles on the demo pack (a mount table
 * refuses one handle twice, so each is opened on its own). */
extern zc_pack *pack, *base, *patch1, *mod;

/* Opaque engine objects handed back through user_data. */
extern void *engine, *forest;

/* Compile a shader: the bytes must be those of samples/assets/shaders/sky.glsl. */
void compile_shader(const void *source, uint64_t size);

/* Upload one mip level: every byte of it is read; the extent and pitch must be sane. */
void upload_level(zc_pixel_format format, uint32_t level, uint32_t width, uint32_t height, uint32_t row_pitch,
                  const void *data, uint64_t size);

/* A prefetched level is ready: `level` must be forest. */
void show_level(void *level);

/* The frame loop's condition: 1 until every stand-in the example names has been
 * called (or 10 seconds have gone by; the check then fails), sleeping 5 ms per frame. */
int engine_running(void *engine);

/* Draw a frame from a pack: it must hold shaders/sky.glsl. The first frame of a hot
 * reload example also publishes the next generation of game.zcpack (the file
 * game.next.zcpack, when present, is renamed over it), so a change arrives. */
void draw_frame(void *engine, zc_pack *pack);
void draw(zc_pack *pack);

#ifdef ZC_EDITOR
/* Queue an entry for upload after a hot reload: kind must be a zc_live_change_kind. */
void queue_upload(void *engine, uint64_t id, zc_live_change_kind kind);
#endif

/* The wrapped example's statements; 0 on success (an example may return 1). */
int zc_example(void);

#endif
