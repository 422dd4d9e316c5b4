/* zc_example_main.c - runs one wrapped example (tools/check_examples.sh) against the
 * demo pack: the stand-ins of zc_example.h, the packs, and the verdict.
 *
 *     example <example text>      in a directory holding game.zcpack and assets/
 *
 * <example text> is the example as it appears in its document; every stand-in whose
 * name it calls (the name followed by '(') must have been called when it returns.
 * Exit status 0 when the example returned 0 and every stand-in was called and handed
 * what it expects, 1 otherwise, with one line per problem on stderr.
 */
#define _POSIX_C_SOURCE 200809L

#include "zc_example.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SHADER_SOURCE "assets/shaders/sky.glsl"
#define NEXT_GENERATION "game.next.zcpack"
#define RUN_SECONDS 10

zc_pack *pack, *base, *patch1, *mod;
static int engine_object, forest_object;
void *engine = &engine_object, *forest = &forest_object;

enum { COMPILE_SHADER, UPLOAD_LEVEL, SHOW_LEVEL, ENGINE_RUNNING, DRAW_FRAME, DRAW, QUEUE_UPLOAD, STAND_IN_COUNT };
static const char *const stand_in_names[STAND_IN_COUNT] = {
    "compile_shader", "upload_level", "show_level", "engine_running", "draw_frame", "draw", "queue_upload",
};
static atomic_uint calls[STAND_IN_COUNT];
static int named[STAND_IN_COUNT];   /* 1 when the example calls it */
static atomic_uint problems;
static struct timespec started;

static void problem(const char *stand_in, const char *what) {
    fprintf(stderr, "example: %s: %s\n", stand_in, what);
    atomic_fetch_add(&problems, 1);
}

static double seconds_since_start(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - started.tv_sec) + (double)(now.tv_nsec - started.tv_nsec) * 1e-9;
}

/* Read a whole file into a malloc'ed buffer; NULL on error. */
static char *read_file(const char *path, size_t *out_size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, size = 0, n;
    char *buffer = malloc(cap + 1);
    while (buffer && (n = fread(buffer + size, 1, cap - size, f)) > 0) {
        size += n;
        if (size == cap) {
            char *grown = realloc(buffer, cap * 2 + 1);
            if (!grown) free(buffer);
            buffer = grown;
            cap *= 2;
        }
    }
    fclose(f);
    if (buffer) buffer[size] = 0;
    *out_size = size;
    return buffer;
}

void compile_shader(const void *source, uint64_t size) {
    atomic_fetch_add(&calls[COMPILE_SHADER], 1);
    size_t expected_size = 0;
    char *expected = read_file(SHADER_SOURCE, &expected_size);
    if (!expected) {
        problem("compile_shader", "cannot read " SHADER_SOURCE);
        return;
    }
    if (!source || size != expected_size || memcmp(source, expected, expected_size) != 0) {
        const unsigned char *b = (const unsigned char *)source;
        int zstd = b && size >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd;
        char what[200];
        snprintf(what, sizeof what, "handed %llu bytes that are not the %llu of " SHADER_SOURCE "%s",
                 (unsigned long long)size, (unsigned long long)expected_size,
                 zstd ? " (a zstd frame: the stored bytes of a compressed entry)" : "");
        problem("compile_shader", what);
    }
    free(expected);
}

void upload_level(zc_pixel_format format, uint32_t level, uint32_t width, uint32_t height, uint32_t row_pitch,
                  const void *data, uint64_t size) {
    atomic_fetch_add(&calls[UPLOAD_LEVEL], 1);
    if (format == ZC_PIXEL_UNDEFINED || level >= 32 || width == 0 || height == 0 || row_pitch == 0 || !data ||
        size < row_pitch) {
        problem("upload_level", "handed a level without format, extent, pitch or bytes");
        return;
    }
    volatile unsigned char sink = 0;
    for (uint64_t i = 0; i < size; ++i) sink ^= ((const unsigned char *)data)[i];
    (void)sink;
}

void show_level(void *level) {
    atomic_fetch_add(&calls[SHOW_LEVEL], 1);
    if (level != forest) problem("show_level", "handed something other than forest");
}

int engine_running(void *running_engine) {
    atomic_fetch_add(&calls[ENGINE_RUNNING], 1);
    if (running_engine != engine) problem("engine_running", "handed something other than engine");
    int waiting = 0;
    for (int i = 0; i < STAND_IN_COUNT; ++i)
        if (named[i] && i != ENGINE_RUNNING && atomic_load(&calls[i]) == 0) waiting = 1;
    if (!waiting || seconds_since_start() > RUN_SECONDS) return 0;
    nanosleep(&(struct timespec){ .tv_nsec = 5 * 1000000 }, NULL);
    return 1;
}

static void draw_any(int which, zc_pack *drawn) {
    if (atomic_fetch_add(&calls[which], 1) == 0) {
        FILE *next = fopen(NEXT_GENERATION, "rb");
        if (next) {
            fclose(next);
            if (rename(NEXT_GENERATION, "game.zcpack") != 0)
                problem(stand_in_names[which], "cannot publish " NEXT_GENERATION);
        }
    }
    zc_entry e;
    if (!drawn || zc_pack_find(drawn, "shaders/sky.glsl", &e) != ZC_OK)
        problem(stand_in_names[which], "handed a pack without shaders/sky.glsl");
}

void draw_frame(void *drawing_engine, zc_pack *drawn) {
    if (drawing_engine != engine) problem("draw_frame", "handed something other than engine");
    draw_any(DRAW_FRAME, drawn);
}

void draw(zc_pack *drawn) { draw_any(DRAW, drawn); }

#ifdef ZC_EDITOR
void queue_upload(void *queue_engine, uint64_t id, zc_live_change_kind kind) {
    atomic_fetch_add(&calls[QUEUE_UPLOAD], 1);
    if (queue_engine != engine || id == 0 || kind < ZC_LIVE_ADDED || kind > ZC_LIVE_REMOVED)
        problem("queue_upload", "handed another engine, id 0 or an unknown kind");
}
#endif

/* Does `text` call `name`: the name as a whole word, then optional blanks and '('? */
static int calls_name(const char *text, const char *name) {
    size_t length = strlen(name);
    for (const char *at = strstr(text, name); at; at = strstr(at + 1, name)) {
        char before = at == text ? ' ' : at[-1];
        if (before == '_' || (before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z') ||
            (before >= '0' && before <= '9'))
            continue;
        const char *after = at + length;
        while (*after == ' ') ++after;
        if (*after == '(') return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: example <example text>\n");
        return 1;
    }
    size_t size;
    char *text = read_file(argv[1], &size);
    if (!text) {
        fprintf(stderr, "example: cannot read %s\n", argv[1]);
        return 1;
    }
    for (int i = 0; i < STAND_IN_COUNT; ++i) named[i] = calls_name(text, stand_in_names[i]);
    free(text);
    zc_pack **packs[] = { &pack, &base, &patch1, &mod };
    for (size_t i = 0; i < sizeof packs / sizeof packs[0]; ++i) {
        zc_result r = zc_pack_open(packs[i], &(zc_pack_desc){ .path = "game.zcpack" });
        if (r != ZC_OK) {
            fprintf(stderr, "example: cannot open game.zcpack: %s\n", zc_result_str(r));
            return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &started);
    int status = zc_example();
    /* A closed libuv handle is freed by the loop's next run. */
    uv_run(uv_default_loop(), UV_RUN_NOWAIT);
    uv_loop_close(uv_default_loop());
    if (status != 0) fprintf(stderr, "example: returned %d\n", status);
    for (int i = 0; i < STAND_IN_COUNT; ++i)
        if (named[i] && atomic_load(&calls[i]) == 0) {
            problem(stand_in_names[i], "named by the example but never called");
            status = 1;
        }
    if (atomic_load(&problems) != 0) status = 1;
    for (size_t i = 0; i < sizeof packs / sizeof packs[0]; ++i) zc_pack_close(*packs[i]);
    return status != 0;
}
