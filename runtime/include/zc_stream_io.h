/* zc_stream_io.h - hand an entry to a library that wants a file: callback adapters
 * over zc_stream (zc_pack.h, "Streaming entries"), without depending on any of
 * those libraries.
 *
 * Two shapes cover most C libraries that read through callbacks:
 *  - stdio/ogg-style: zc_stream_cb_read, zc_stream_cb_seek, zc_stream_cb_close and
 *    zc_stream_cb_tell have the signatures of libvorbisfile's ov_callbacks members
 *    (read_func, seek_func, close_func, tell_func: fread-, fseek-, fclose- and
 *    ftell-like, `datasource` being the zc_stream), in that order, so
 *        ov_callbacks cb = { zc_stream_cb_read, zc_stream_cb_seek, zc_stream_cb_close,
 *                            zc_stream_cb_tell };
 *        ov_open_callbacks(stream, &vf, NULL, 0, cb);
 *    compiles as it stands (ogg_int64_t is int64_t); zc_stream_callbacks holds the
 *    same four for code of one's own. Libraries with fread-like hooks (dr_libs,
 *    stb-style decoders with I/O callbacks, Lua's lua_load reader via a small
 *    wrapper) take these too.
 *  - PhysicsFS-style: zc_stream_io, an object of function pointers taking the object
 *    itself (read, seek to an absolute offset, tell, length, destroy), as PHYSFS_Io
 *    and SDL_RWops are: a PHYSFS_Io whose functions forward to these is a few lines.
 *
 * The adapters only translate: positions, errors and thread rules are those of
 * zc_stream_* (one thread at a time per stream). SEEK_SET, SEEK_CUR and SEEK_END are
 * <stdio.h>'s. A read error ends the read early (read_func returns fewer items,
 * zc_stream_io.read returns -1); the pack's logger has the sentence.
 *
 * Example:
 *     #include <zc/zc_stream_io.h>
 *
 *     zc_stream *stream;
 *     if (zc_stream_open(&stream, pack, "shaders/sky.glsl") != ZC_OK) return 1;
 *     zc_stream_callbacks cb = zc_stream_callbacks_make();
 *     char text[16];
 *     size_t got = cb.read_func(text, 1, sizeof text, stream);   // fread-like
 *     if (got == 0 || cb.seek_func(stream, 0, SEEK_END) != 0) return 1;
 *     long size = cb.tell_func(stream);                          // the entry's size
 *     cb.close_func(stream);                                      // zc_stream_close
 *     if (size <= 0) return 1;
 */
#ifndef ZC_STREAM_IO_H
#define ZC_STREAM_IO_H

#include <limits.h>
#include <stdio.h>

#include "zc_pack.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------
 * stdio/ogg-style callbacks; `datasource` is a zc_stream *
 * ------------------------------------------------------------------------------- */

/* fread-like: read up to size * nmemb bytes; returns the whole items read (fewer at
 * the end of the entry or after an error; a partial item's bytes are consumed, as
 * fread does). 0 when size or nmemb is 0 or their product overflows. */
static inline size_t zc_stream_cb_read(void *ptr, size_t size, size_t nmemb, void *datasource) {
    if (size == 0 || nmemb == 0 || nmemb > (size_t)-1 / size) return 0;
    size_t got = 0;
    zc_stream_read((zc_stream *)datasource, ptr, size * nmemb, &got);
    return got / size;
}

/* fseek-like: 0 on success, -1 (position unchanged) for a target outside [0, size]
 * or an unknown whence. */
static inline int zc_stream_cb_seek(void *datasource, int64_t offset, int whence) {
    zc_whence from = whence == SEEK_SET ? ZC_SEEK_SET : whence == SEEK_CUR ? ZC_SEEK_CUR : ZC_SEEK_END;
    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END) return -1;
    return zc_stream_seek((zc_stream *)datasource, offset, from) == ZC_OK ? 0 : -1;
}

/* fclose-like: closes the stream (zc_stream_close); returns 0. */
static inline int zc_stream_cb_close(void *datasource) {
    zc_stream_close((zc_stream *)datasource);
    return 0;
}

/* ftell-like: the position, -1 when it does not fit a long. */
static inline long zc_stream_cb_tell(void *datasource) {
    uint64_t pos = zc_stream_tell((const zc_stream *)datasource);
    return pos > (uint64_t)LONG_MAX ? -1L : (long)pos;
}

/* The four, in ov_callbacks' order, for code that passes them as one struct. */
typedef struct zc_stream_callbacks {
    size_t (*read_func)(void *ptr, size_t size, size_t nmemb, void *datasource);
    int (*seek_func)(void *datasource, int64_t offset, int whence);
    int (*close_func)(void *datasource);
    long (*tell_func)(void *datasource);
} zc_stream_callbacks;

static inline zc_stream_callbacks zc_stream_callbacks_make(void) {
    zc_stream_callbacks cb = { zc_stream_cb_read, zc_stream_cb_seek, zc_stream_cb_close, zc_stream_cb_tell };
    return cb;
}

/* ---------------------------------------------------------------------------------
 * PhysicsFS-style io object; io->opaque is the zc_stream *
 * ------------------------------------------------------------------------------- */

typedef struct zc_stream_io zc_stream_io;
struct zc_stream_io {
    /* Read up to len bytes into buf: the bytes read (0 at the end), -1 on an error. */
    int64_t (*read)(zc_stream_io *io, void *buf, uint64_t len);
    /* Move to an absolute offset in [0, length]: 1 on success, 0 otherwise. */
    int (*seek)(zc_stream_io *io, uint64_t offset);
    /* The position. */
    int64_t (*tell)(zc_stream_io *io);
    /* The entry's raw size. */
    int64_t (*length)(zc_stream_io *io);
    /* Close the stream; the io object itself is the caller's (it may live anywhere). */
    void (*destroy)(zc_stream_io *io);
    void *opaque;               /* the zc_stream */
};

static inline int64_t zc_stream_io_read(zc_stream_io *io, void *buf, uint64_t len) {
    size_t got = 0;
    size_t want = len > (uint64_t)(SIZE_MAX >> 1) ? (size_t)(SIZE_MAX >> 1) : (size_t)len;
    zc_result r = zc_stream_read((zc_stream *)io->opaque, buf, want, &got);
    return r == ZC_OK || got > 0 ? (int64_t)got : -1;
}

static inline int zc_stream_io_seek(zc_stream_io *io, uint64_t offset) {
    return offset <= (uint64_t)INT64_MAX && zc_stream_seek((zc_stream *)io->opaque, (int64_t)offset, ZC_SEEK_SET) == ZC_OK;
}

static inline int64_t zc_stream_io_tell(zc_stream_io *io) {
    return (int64_t)zc_stream_tell((const zc_stream *)io->opaque);
}

static inline int64_t zc_stream_io_length(zc_stream_io *io) {
    return (int64_t)zc_stream_size((const zc_stream *)io->opaque);
}

static inline void zc_stream_io_destroy(zc_stream_io *io) {
    zc_stream_close((zc_stream *)io->opaque);
    io->opaque = NULL;
}

/* An io object over `stream`, which it owns from now on (destroy closes it). */
static inline zc_stream_io zc_stream_io_make(zc_stream *stream) {
    zc_stream_io io = { zc_stream_io_read, zc_stream_io_seek, zc_stream_io_tell, zc_stream_io_length,
                        zc_stream_io_destroy, stream };
    return io;
}

#ifdef __cplusplus
}
#endif

#endif /* ZC_STREAM_IO_H */
