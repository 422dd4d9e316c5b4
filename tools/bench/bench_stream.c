/* bench_stream.c - random seeks and reads through zc_stream on a 64 MiB compressed
 * entry, beside decoding the whole entry, measured in the same run.
 *
 *  1. 64 MiB of generated text (records with random fields, about 5:1 with zstd) are
 *     written twice under build/bench/ through the pack writer: as a seekable entry
 *     (codec 2, frames of 256 KiB) and, with single_frame, as one zstd frame (codec 1).
 *  2. Seekable: 2000 seeks to random positions, each followed by a 4 KiB read
 *     (zc_stream_seek + zc_stream_read), per repetition; the time per seek + read.
 *  3. Comparator: decoding the whole entry in one shot (ZSTD_decompressDCtx of the
 *     stored bytes into a 64 MiB buffer), what a reader without seek points pays to
 *     reach any byte, and what zc_pack_get does at first use.
 *  4. One frame (codec 1) through the same stream calls: 20 random seeks + 4 KiB reads
 *     per repetition (a backward seek restarts the frame from its start).
 *
 * Each figure is the median over REPS repetitions with p10 and p90 (min and max at
 * this count) beside it; warm page cache. Output: a report on stdout, and
 * build/bench/bench_stream.md and bench_stream.glance for `make bench`. A benchmark,
 * never a test: it exits non-zero only when it cannot measure.
 */
#include "zc_bench_util.h"

#include "zc_blob.h"
#include "zc_pack.h"
#include "zc_writer.h"

#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#define ENTRY_SIZE (64u << 20)
#define READ_SIZE 4096u
#define SEEKS 2000
#define FRAME_SEEKS 20
#define REPS 9
#define SEED UINT64_C(0x73747265616d3031)

static volatile uint64_t sink;

static int compress_all(const char *path, uint32_t type, void *user) {
    (void)path, (void)type, (void)user;
    return 1;
}

static void make_text(uint8_t *p, size_t size) {
    uint64_t state = SEED;
    char line[64];
    for (size_t at = 0; at < size;) {
        uint64_t v = zc_bench_rand(&state);
        int n = snprintf(line, sizeof line, "record %08llu value %5u flags %c%c\n", (unsigned long long)(at / 40),
                         (unsigned)(v % 100000), 'a' + (int)((v >> 40) % 4), 'k' + (int)((v >> 50) % 3));
        size_t take = size - at < (size_t)n ? size - at : (size_t)n;
        memcpy(p + at, line, take);
        at += take;
    }
}

static void write_pack(const char *path, const uint8_t *text, int single_frame) {
    zc_writer *w;
    zc_result r = zc_writer_open(&w, &(zc_writer_desc){ .path = path, .compress = compress_all,
                                                        .single_frame = single_frame,
                                                        .logger = { zc_bench_log_to_stderr, NULL } });
    if (r == ZC_OK) r = zc_writer_begin_entry(w, "music.txt", ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 0);
    if (r == ZC_OK) r = zc_writer_write(w, text, ENTRY_SIZE);
    if (r == ZC_OK) r = zc_writer_end_entry(w);
    if (r == ZC_OK) r = zc_writer_finish(w);
    if (r != ZC_OK) zc_bench_fatal("%s: cannot write the pack: %s", path, zc_result_str(r));
}

/* Nanoseconds per seek + READ_SIZE read, over `seeks` random positions. */
static double time_seeks(zc_stream *s, const uint8_t *text, int seeks, uint64_t *state) {
    uint8_t buf[READ_SIZE];
    uint64_t t0 = zc_bench_now_ns();
    for (int i = 0; i < seeks; ++i) {
        uint64_t at = zc_bench_rand_below(state, ENTRY_SIZE - READ_SIZE);
        size_t got = 0;
        if (zc_stream_seek(s, (int64_t)at, ZC_SEEK_SET) != ZC_OK || zc_stream_read(s, buf, sizeof buf, &got) != ZC_OK ||
            got != sizeof buf)
            zc_bench_fatal("stream read at %llu failed", (unsigned long long)at);
        sink += buf[at % READ_SIZE];
        if (i == 0 && memcmp(buf, text + at, got) != 0) zc_bench_fatal("stream bytes differ at %llu", (unsigned long long)at);
    }
    return (double)(zc_bench_now_ns() - t0) / seeks;
}

typedef struct spread {
    double median, p10, p90;
} spread;

static spread spread_of(double *v, size_t n) {
    spread s = { zc_bench_quantile(v, n, 0.5), zc_bench_quantile(v, n, 0.1), zc_bench_quantile(v, n, 0.9) };
    return s;
}

static zc_stream *open_stream(const char *path, zc_pack **pack) {
    zc_stream *s;
    if (zc_pack_open(pack, &(zc_pack_desc){ .path = path }) != ZC_OK ||
        zc_stream_open(&s, *pack, "music.txt") != ZC_OK)
        zc_bench_fatal("%s: cannot open the stream", path);
    return s;
}

int main(void) {
    const char *dir = "build/bench";
    if (zc_bench_mkdirs(dir) != 0) zc_bench_fatal("cannot create %s", dir);
    uint8_t *text = malloc(ENTRY_SIZE), *whole = malloc(ENTRY_SIZE);
    if (!text || !whole) zc_bench_fatal("out of memory");
    make_text(text, ENTRY_SIZE);
    const char *seekable_path = "build/bench/bench_stream_seekable.zcpack", *frame_path = "build/bench/bench_stream_frame.zcpack";
    printf("bench_stream: writing 64 MiB twice (seekable frames, one frame)\n");
    fflush(stdout);
    write_pack(seekable_path, text, 0);
    write_pack(frame_path, text, 1);

    zc_pack *pack, *frame_pack;
    zc_stream *s = open_stream(seekable_path, &pack), *f = open_stream(frame_path, &frame_pack);
    const zc_entry *e = zc_stream_entry(s), *fe = zc_stream_entry(f);
    if (e->codec != ZC_CODEC_ZSTD_SEEKABLE || fe->codec != ZC_CODEC_ZSTD) zc_bench_fatal("unexpected codecs");
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    double seek_ns[REPS], whole_ns[REPS], frame_ns[REPS];
    uint64_t state = SEED, frame_state = SEED ^ 1;
    time_seeks(s, text, 200, &state); /* warm-up: the mapping's pages */
    for (int rep = 0; rep < REPS; ++rep) {
        seek_ns[rep] = time_seeks(s, text, SEEKS, &state);
        uint64_t t0 = zc_bench_now_ns();
        size_t got = ZSTD_decompressDCtx(dctx, whole, ENTRY_SIZE, e->data, (size_t)e->stored_size);
        whole_ns[rep] = (double)(zc_bench_now_ns() - t0);
        if (got != ENTRY_SIZE || memcmp(whole, text, ENTRY_SIZE) != 0) zc_bench_fatal("whole decode differs");
        frame_ns[rep] = time_seeks(f, text, FRAME_SEEKS, &frame_state);
    }
    spread seek = spread_of(seek_ns, REPS), all = spread_of(whole_ns, REPS), one = spread_of(frame_ns, REPS);
    uint64_t memory = zc_stream_memory(s), frame_memory = zc_stream_memory(f);

    zc_bench_machine machine;
    zc_bench_machine_get(&machine);
    const char *heads[] = { "reading 4 KiB at a random position", "median", "p10", "p90", "stream memory" };
    zc_bench_table t;
    zc_bench_table_init(&t, 5, heads);
    struct { const char *label; spread v; uint64_t mem; } rows[] = {
        { "seekable entry (codec 2): seek + read", seek, memory },
        { "decode the whole entry (ZSTD_decompressDCtx)", all, ENTRY_SIZE },
        { "one frame (codec 1): seek + read", one, frame_memory },
    };
    for (size_t i = 0; i < 3; ++i) {
        int row = zc_bench_table_add_row(&t);
        char a[32], b[32], c[32], m[32];
        zc_bench_format_ns(rows[i].v.median, a, sizeof a);
        zc_bench_format_ns(rows[i].v.p10, b, sizeof b);
        zc_bench_format_ns(rows[i].v.p90, c, sizeof c);
        zc_bench_format_bytes(rows[i].mem, m, sizeof m);
        zc_bench_table_set(&t, row, 0, "%s", rows[i].label);
        zc_bench_table_set(&t, row, 1, "%s", a);
        zc_bench_table_set(&t, row, 2, "%s", b);
        zc_bench_table_set(&t, row, 3, "%s", c);
        zc_bench_table_set(&t, row, 4, "%s", m);
    }
    char stored[32], frame_stored[32], ratio[32], ratio_lo[32], ratio_hi[32];
    zc_bench_format_bytes(e->stored_size, stored, sizeof stored);
    zc_bench_format_bytes(fe->stored_size, frame_stored, sizeof frame_stored);
    zc_bench_format_ratio(all.median / seek.median, ratio, sizeof ratio);
    zc_bench_format_ratio(all.p10 / seek.p90, ratio_lo, sizeof ratio_lo);
    zc_bench_format_ratio(all.p90 / seek.p10, ratio_hi, sizeof ratio_hi);
    printf("\n64 MiB of text: seekable %s, one frame %s\n", stored, frame_stored);
    zc_bench_table_print(&t, stdout, "  ");
    printf("\na random 4 KiB read of the seekable entry: %s faster than decoding the entry (%s to %s)\n", ratio, ratio_lo,
           ratio_hi);

    zc_bench_md md;
    zc_bench_md_init(&md);
    zc_bench_md_printf(&md, "## bench_stream: random reads of a 64 MiB compressed entry\n\n");
    zc_bench_md_printf(&md, "64 MiB of generated text records, zstd level %d (the writer's level for entries above "
                            "%u MiB): seekable frames of 256 KiB store %s, one frame %s. %d repetitions of %d random "
                            "4 KiB reads (seekable) or %d (one frame); median with p10 and p90 over the repetitions; "
                            "warm page cache.\n\n",
                       ZC_WRITER_LARGE_LEVEL, (unsigned)(ZC_WRITER_COMPRESS_MEMORY >> 20), stored, frame_stored, REPS,
                       SEEKS, FRAME_SEEKS);
    zc_bench_md_table(&md, &t);
    zc_bench_md_printf(&md, "A random 4 KiB read of the seekable entry costs one frame's decode: %s faster than "
                            "decoding the whole entry (%s to %s), with a stream of %s instead of a 64 MiB buffer.\n\n",
                       ratio, ratio_lo, ratio_hi, rows[0].mem ? "one frame" : "no buffer");
    zc_bench_md_machine(&md, &machine);
    zc_bench_md glance;
    zc_bench_md_init(&glance);
    zc_bench_glance_row(&glance, "bench_stream", "random 4 KiB read of a 64 MiB seekable entry (zc_stream)",
                        "decoding the whole entry (ZSTD_decompressDCtx)", "%s faster", ratio);
    int failed = zc_bench_glance_save(&glance, dir, "bench_stream") != 0;
    failed |= zc_bench_md_save(&md, "build/bench/bench_stream.md") != 0;
    zc_bench_md_free(&md);

    ZSTD_freeDCtx(dctx);
    zc_stream_close(s);
    zc_stream_close(f);
    zc_pack_close(pack);
    zc_pack_close(frame_pack);
    free(text);
    free(whole);
    return failed;
}
