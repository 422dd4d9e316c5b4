/* zc_fuzz_hostile.c - packs built to cost their readers rather than to be damaged
 * (zc_fuzz_walk.h, "Hostile packs"): the seeds that start fuzz_pack and fuzz_toc from
 * the shapes of SPEC E6 (amplification), R14 (dependency lists) and E7 (overlapping
 * payloads), each with its legal counterpart. Every one has correct checksums and
 * content hashes, so the ordinary build reaches the rule it is about. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_format.h"
#include "zc_fuzz_walk.h"

#define ZCF__RLE_BLOCK ((uint32_t)128 << 10) /* zstd's largest block */

/* A zstd frame of `size` bytes equal to `value`: single segment with a 4-byte content
 * size (header 0xA0), then RLE blocks of 128 KiB, 4 bytes each. Writes at most
 * 9 + 4 * ceil(size / 128 KiB) bytes to out; returns the frame's size. */
static size_t zcf__rle_frame(uint8_t value, uint32_t size, uint8_t *out) {
    static const uint8_t head[5] = { 0x28, 0xb5, 0x2f, 0xfd, 0xa0 };
    memcpy(out, head, 5);
    for (int i = 0; i < 4; ++i) out[5 + i] = (uint8_t)(size >> (8 * i));
    size_t n = 9;
    for (uint32_t left = size; left > 0;) {
        uint32_t block = left < ZCF__RLE_BLOCK ? left : ZCF__RLE_BLOCK;
        left -= block;
        uint32_t bh = block << 3 | 1u << 1 | (left == 0 ? 1u : 0u); /* size, type RLE, last */
        out[n++] = (uint8_t)bh;
        out[n++] = (uint8_t)(bh >> 8);
        out[n++] = (uint8_t)(bh >> 16);
        out[n++] = value;
    }
    return n;
}

static zcf_record zcf__blob(const char *fmt, int i, const uint8_t *bytes, uint64_t size) {
    zcf_record r;
    memset(&r, 0, sizeof r);
    snprintf(r.path, sizeof r.path, fmt, i);
    r.type = ZC_TYPE_BLOB;
    r.align_log2 = 4;
    r.bytes = bytes;
    r.stored = r.raw = size;
    return r;
}

/* ---------------------------------------------------------------------------------
 * E6: records over one small frame that decodes large
 * ------------------------------------------------------------------------------- */

#define ZCF__BOMB_RECORDS 64
#define ZCF__BOMB_RAW ((uint32_t)1 << 20)

/* 64 records sharing one 41-byte frame of 1 MiB: checked once (ZC_OK). With their
 * content hashes told apart (the fuzzer's mutation; fuzz builds do not check hashes)
 * each is decoded and the bound of E6 ends the validation. */
static uint8_t *zcf__amplify_shared(size_t *out_size) {
    uint8_t frame[64];
    size_t n = zcf__rle_frame(0, ZCF__BOMB_RAW, frame);
    zcf_record records[ZCF__BOMB_RECORDS];
    for (int i = 0; i < ZCF__BOMB_RECORDS; ++i) {
        records[i] = zcf__blob("bomb/%02d.bin", i, i == 0 ? frame : NULL, n);
        records[i].codec = ZC_CODEC_ZSTD;
        records[i].raw = ZCF__BOMB_RAW;
    }
    return zcf_build_pack(records, ZCF__BOMB_RECORDS, NULL, 0, out_size);
}

/* 16 distinct frames of 1 MiB each in a file of about 2 KB: 16 MiB of decoding is more
 * than max(1024 * file size, ZCF_MAX_DECODED), so E6 refuses it (ZC_ERR_LIMIT). */
static uint8_t *zcf__amplify_distinct(size_t *out_size) {
    enum { count = 16 };
    static uint8_t frames[count][64];
    zcf_record records[count];
    for (int i = 0; i < count; ++i) {
        size_t n = zcf__rle_frame((uint8_t)(i + 1), ZCF__BOMB_RAW, frames[i]);
        records[i] = zcf__blob("bomb/%02d.bin", i, frames[i], n);
        records[i].codec = ZC_CODEC_ZSTD;
        records[i].raw = ZCF__BOMB_RAW;
    }
    return zcf_build_pack(records, count, NULL, 0, out_size);
}

/* ---------------------------------------------------------------------------------
 * R14: dependency lists
 * ------------------------------------------------------------------------------- */

#define ZCF__DEP_RECORDS 64

static const uint8_t zcf__dep_bytes[16] = "dependency blob";

/* 64 records and a list of their 64 ids. every_record: each record's slice is the
 * whole list (64 * 64 named, more than the list holds: R14, ZC_ERR_LIMIT); otherwise
 * only record 0 names them all (legal: a scene naming every other entry). */
static uint8_t *zcf__deps_all(int every_record, size_t *out_size) {
    zcf_record records[ZCF__DEP_RECORDS];
    uint64_t deps[ZCF__DEP_RECORDS];
    for (int i = 0; i < ZCF__DEP_RECORDS; ++i) {
        records[i] = zcf__blob("dep/%02d.bin", i, zcf__dep_bytes, sizeof zcf__dep_bytes);
        deps[i] = zc_asset_id(records[i].path, strlen(records[i].path));
        if (every_record || i == 0) records[i].deps_count = ZCF__DEP_RECORDS;
    }
    return zcf_build_pack(records, ZCF__DEP_RECORDS, deps, ZCF__DEP_RECORDS, out_size);
}

static uint8_t *zcf__deps_every_record(size_t *out_size) { return zcf__deps_all(1, out_size); }
static uint8_t *zcf__deps_one_record(size_t *out_size) { return zcf__deps_all(0, out_size); }

/* 32 records over a list of 1024 ids that belong to no entry, with repeats; slice i is
 * [16 i, 16 i + 32), overlapping its neighbours: 1024 named in all, within R14
 * (legal: SPEC 4.4 allows foreign ids, repeats and overlapping slices). */
static uint8_t *zcf__deps_foreign(size_t *out_size) {
    enum { count = 32, ids = 1024 };
    zcf_record records[count];
    static uint64_t deps[ids];
    for (int i = 0; i < ids; ++i) deps[i] = 0x9E3779B97F4A7C15ull * (uint64_t)(i % 700 + 1);
    for (int i = 0; i < count; ++i) {
        records[i] = zcf__blob("foreign/%02d.bin", i, zcf__dep_bytes, sizeof zcf__dep_bytes);
        records[i].deps_first = (uint32_t)(16 * i);
        records[i].deps_count = i == count - 1 ? 16 : 32;
    }
    return zcf_build_pack(records, count, deps, ids, out_size);
}

/* ---------------------------------------------------------------------------------
 * E7: payload ranges
 * ------------------------------------------------------------------------------- */

/* a.bin (48 bytes) and b.bin (160) with b.bin moved: 16 bytes into a.bin (partial
 * overlap), or onto a.bin's first byte and 32 bytes long (inside it), or a twin
 * sharing a.bin whole (legal). */
static uint8_t *zcf__overlap(int shape, size_t *out_size) {
    static uint8_t a[48], b[160];
    memset(a, 'a', sizeof a);
    memset(b, 'b', sizeof b);
    zcf_record records[3] = { zcf__blob("a.bin", 0, a, sizeof a), zcf__blob("b.bin", 0, b, sizeof b),
                              zcf__blob("c.bin", 0, b, sizeof b) };
    records[1].bytes = NULL;
    records[1].place = 0;
    if (shape == 0) records[1].place_delta = 16;
    if (shape == 1) records[1].stored = records[1].raw = 32;
    if (shape == 2) records[1].stored = records[1].raw = sizeof a;
    return zcf_build_pack(records, 3, NULL, 0, out_size);
}

static uint8_t *zcf__overlap_partial(size_t *out_size) { return zcf__overlap(0, out_size); }
static uint8_t *zcf__overlap_inside(size_t *out_size) { return zcf__overlap(1, out_size); }
static uint8_t *zcf__overlap_shared(size_t *out_size) { return zcf__overlap(2, out_size); }

const zcf_hostile zcf_hostiles[] = {
    { "amplify-shared.zcpack", "64 records over one 41-byte zstd frame of 1 MiB (E6: decoded once)", ZC_OK, ZC_OK,
      zcf__amplify_shared },
    { "amplify-distinct.zcpack", "16 frames of 1 MiB in 2 KB (E6: over the bound)", ZC_ERR_LIMIT, ZC_OK,
      zcf__amplify_distinct },
    { "deps-every-record.zcpack", "64 records each naming all 64 ids (R14)", ZC_ERR_LIMIT, ZC_ERR_LIMIT,
      zcf__deps_every_record },
    { "deps-one-record.zcpack", "one record naming all 64 ids", ZC_OK, ZC_OK, zcf__deps_one_record },
    { "deps-foreign.zcpack", "1024 foreign, repeated ids in overlapping slices", ZC_OK, ZC_OK, zcf__deps_foreign },
    { "overlap-partial.zcpack", "a payload starting inside another (E7)", ZC_ERR_BAD_TOC, ZC_OK,
      zcf__overlap_partial },
    { "overlap-inside.zcpack", "a payload that is a prefix of another (E7)", ZC_ERR_BAD_TOC, ZC_OK,
      zcf__overlap_inside },
    { "overlap-shared.zcpack", "two records sharing one payload whole", ZC_OK, ZC_OK, zcf__overlap_shared },
};

const size_t zcf_hostile_count = sizeof zcf_hostiles / sizeof zcf_hostiles[0];
