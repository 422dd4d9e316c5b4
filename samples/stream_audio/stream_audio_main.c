/* stream_audio_main.c - the streaming sample: hand one entry of a pack to "decoder"
 * code that only knows stdio/ogg-style callbacks (zc_stream_io.h), as an audio
 * library would take it, and report what it read.
 *
 *     stream_audio <pack> <entry>
 *
 * The decoder part (wav_scan) is written the way a third-party library reads a file
 * through callbacks: it never sees the pack, only read/seek/tell/close and an opaque
 * datasource. For a RIFF WAVE entry it walks the chunks (seeking over those it does
 * not need), reads the PCM data in 4 KiB blocks and prints the format, the duration
 * and an FNV-1a checksum of the samples; it then seeks back into the middle of the
 * data and reads one block again, as a player seeking would. For any other entry
 * it checksums every byte. Last, the sample compares a checksum of the whole entry
 * read through the callbacks with zc_pack_get's bytes, and prints the memory the
 * stream held (bounded by one zstd frame however large the entry).
 *
 * Exit status: 0 done (the checksums match); 1 an error; 2 usage.
 * Uses the runtime's public API only (zc_pack.h, zc_stream_io.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_pack.h"
#include "zc_stream_io.h"

#define FNV_START 14695981039346656037u

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211u;
    return h;
}

static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* ---------------------------------------------------------------------------------
 * The "library": a WAVE reader that knows nothing but the callbacks
 * ------------------------------------------------------------------------------- */

typedef struct wav_info {
    int is_wave;
    uint32_t channels, rate, bits;
    uint64_t data_bytes;
    uint64_t data_hash;         /* FNV-1a of the PCM bytes, read front to back */
    uint64_t middle_hash;       /* FNV-1a of the block at the middle of the data, re-read */
} wav_info;

/* Read exactly n bytes; 0 on a short read. */
static int read_exact(const zc_stream_callbacks *io, void *src, void *dst, size_t n) {
    return io->read_func(dst, 1, n, src) == n;
}

/* Walk a RIFF WAVE file from the callbacks' current position (0). Returns 0 when it
 * is one, with *out filled; 1 when the bytes are not a WAVE file; -1 on a read error
 * or a malformed chunk. */
static int wav_scan(const zc_stream_callbacks *io, void *src, wav_info *out) {
    uint8_t head[12], chunk[8], fmt[16], block[4096];
    memset(out, 0, sizeof *out);
    if (!read_exact(io, src, head, sizeof head) || memcmp(head, "RIFF", 4) != 0 || memcmp(head + 8, "WAVE", 4) != 0)
        return 1;
    out->is_wave = 1;
    long data_at = -1;
    while (read_exact(io, src, chunk, sizeof chunk)) {
        uint32_t size = le32(chunk + 4);
        long body = io->tell_func(src);
        if (memcmp(chunk, "fmt ", 4) == 0 && size >= 16) {
            if (!read_exact(io, src, fmt, sizeof fmt)) return -1;
            out->channels = fmt[2] | (uint32_t)fmt[3] << 8;
            out->rate = le32(fmt + 4);
            out->bits = fmt[14] | (uint32_t)fmt[15] << 8;
        } else if (memcmp(chunk, "data", 4) == 0) {
            data_at = body;
            out->data_bytes = size;
            out->data_hash = FNV_START;
            for (uint64_t left = size; left > 0;) {
                size_t n = left < sizeof block ? (size_t)left : sizeof block;
                if (!read_exact(io, src, block, n)) return -1; /* a truncated data chunk */
                out->data_hash = fnv1a(out->data_hash, block, n);
                left -= n;
            }
        }
        /* Next chunk: bodies are padded to an even size. */
        if (io->seek_func(src, body + (long)size + (long)(size & 1u), SEEK_SET) != 0) break;
    }
    if (data_at < 0) return -1;
    /* A player seeking to the middle of the sound. */
    long middle = data_at + (long)(out->data_bytes / 2);
    size_t n = out->data_bytes - out->data_bytes / 2 < sizeof block ? (size_t)(out->data_bytes - out->data_bytes / 2)
                                                                  : sizeof block;
    if (io->seek_func(src, middle, SEEK_SET) != 0 || !read_exact(io, src, block, n)) return -1;
    out->middle_hash = fnv1a(FNV_START, block, n);
    return 0;
}

/* ---------------------------------------------------------------------------------
 * The sample
 * ------------------------------------------------------------------------------- */

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: stream_audio <pack> <entry>\n"
                        "  streams <entry> through stdio/ogg-style callbacks: the WAVE format and a\n"
                        "  checksum of its samples, or a checksum of its bytes\n");
        return 2;
    }
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = argv[1] });
    if (r != ZC_OK) {
        fprintf(stderr, "stream_audio: %s: %s\n", argv[1], zc_result_str(r));
        return 1;
    }
    zc_stream *stream = NULL;
    if ((r = zc_stream_open(&stream, pack, argv[2])) != ZC_OK) {
        fprintf(stderr, "stream_audio: %s: %s: %s\n", argv[1], argv[2], zc_result_str(r));
        zc_pack_close(pack);
        return 1;
    }
    zc_stream_callbacks io = zc_stream_callbacks_make();
    const zc_entry *e = zc_stream_entry(stream);
    printf("%s: %" PRIu64 " bytes, stored as %" PRIu64 " (codec %u)\n", argv[2], e->raw_size, e->stored_size,
           (unsigned)e->codec);

    wav_info wav;
    int scanned = wav_scan(&io, stream, &wav);
    if (scanned < 0) {
        fprintf(stderr, "stream_audio: %s: not a readable WAVE file\n", argv[2]);
    } else if (scanned == 0) {
        uint32_t frame_bytes = wav.channels * (wav.bits / 8u);
        uint64_t frames = frame_bytes ? wav.data_bytes / frame_bytes : 0;
        printf("WAVE: %u channel(s), %u Hz, %u bits, %" PRIu64 " frames (%.3f s)\n", wav.channels, wav.rate, wav.bits,
               frames, wav.rate ? (double)frames / wav.rate : 0.0);
        printf("samples checksum %016" PRIx64 ", block at the middle %016" PRIx64 "\n", wav.data_hash,
               wav.middle_hash);
    } else {
        printf("not a RIFF WAVE file\n");
    }

    /* The whole entry through the callbacks, against zc_pack_get. */
    uint8_t block[65536];
    uint64_t streamed = FNV_START, whole = FNV_START;
    io.seek_func(stream, 0, SEEK_SET);
    for (size_t got; (got = io.read_func(block, 1, sizeof block, stream)) > 0;) streamed = fnv1a(streamed, block, got);
    zc_hold hold;
    if ((r = zc_pack_get(pack, argv[2], &hold)) == ZC_OK) {
        whole = fnv1a(whole, (const uint8_t *)hold.data, (size_t)hold.size);
        zc_hold_release(&hold);
    }
    printf("bytes checksum %016" PRIx64 " (%s zc_pack_get), stream memory %" PRIu64 " bytes\n", streamed,
           r == ZC_OK && streamed == whole ? "matches" : "DIFFERS FROM", zc_stream_memory(stream));
    io.close_func(stream);
    zc_pack_close(pack);
    return scanned >= 0 && r == ZC_OK && streamed == whole ? 0 : 1;
}
