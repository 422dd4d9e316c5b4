/* zc_fuzz_walk.h - what each fuzz target does with one input, shared by the libFuzzer
 * targets (tests/fuzz/fuzz_*.c, built by tools/fuzz.sh) and the replay suite
 * (tests/test_fuzz_replay.c, built by premake with the ordinary test program).
 *
 * Every function takes arbitrary bytes and returns ZC_OK or the first error the code
 * under test reported; it never fails on bad input. It aborts (a crash the fuzzer
 * records) only when the code under test breaks a promise of its contract, e.g. a
 * structural check accepts what the matching view refuses, an importer returns a
 * payload its own type's check rejects, or a node name lookup finds another name.
 * Memory errors are left to the sanitizers: every byte the API hands out is read.
 *
 * In a fuzz build (FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION) the runtime skips its
 * hash comparisons, so fuzzed packs reach the structure behind them. The ordinary
 * build checks every hash; there zcf_pack first recomputes the header and TOC
 * checksums and the content hashes of the input (ids stay as they are: changing one
 * would reorder the TOC), so a crash input found by the fuzzer reaches the same
 * structural checks in the replay.
 *
 * Threads: one input at a time per process (zcf_model keeps one temporary directory
 * per process). Allocation: each call frees everything it allocated before returning.
 */
#ifndef ZC_FUZZ_WALK_H
#define ZC_FUZZ_WALK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "zc_pack.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A promise of the code under test is broken: say which on stderr and abort, so the
 * fuzzer keeps the input and the replay suite reports a crash. */
#define ZCF_REQUIRE(cond, ...)                                                              \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            fprintf(stderr, "zc_fuzz_walk: %s:%d: broken promise: ", __FILE__, __LINE__);   \
            fprintf(stderr, __VA_ARGS__);                                                   \
            fputc('\n', stderr);                                                            \
            abort();                                                                        \
        }                                                                                   \
    } while (0)

/* Largest raw size a fuzzed compressed entry may declare (zc_pack_desc
 * .max_decoded_size); larger ones are refused with ZC_ERR_LIMIT before allocating. */
#define ZCF_MAX_DECODED ((uint64_t)4 << 20)

/* fuzz_pack: zc_pack_open on the bytes in memory at ZC_VALIDATE_FULL, then every entry
 * through the public accessors: lookups by path and id, dependency resolution,
 * zc_pack_acquire (decoding compressed entries, twice to hit the cache) with every
 * byte read, the typed walk of zcf_walk_payload, zc_hold_release, a second full
 * validation, zc_pack_close. Before the walk the bytes are opened once more at
 * ZC_VALIDATE_TOC trusting only zcf_fixed_key's public key (the signature checks of
 * SPEC.md 14.4); promises: a pack that open accepts is signed by that key and passed
 * FULL without keys too; a pack FULL accepts is refused with keys only for its
 * signature (ZC_ERR_SIGNATURE). */
zc_result zcf_pack(const uint8_t *data, size_t size);

/* The fuzz targets' fixed key pair: Ed25519 from a constant 32-byte seed
 * (crypto_sign_seed_keypair). *pub receives the public key with its algorithm and key
 * id; `secret` (may be NULL) libsodium's 64-byte secret key (seed, then public key).
 * Not a secret: it lets a seed pack carry a signature that verifies (zc_fuzz_seeds
 * sign), so fuzz_pack reaches past the signature check. */
void zcf_fixed_key(zc_public_key *pub, uint8_t secret[64]);

/* Recompute, in place, the piece table of a TOC of toc_size bytes whose piece fields
 * pass T12 (SPEC.md 4.9); leave any other TOC alone. For tests that change TOC bytes
 * and reseal the pack. */
void zcf_reseal_pieces(uint8_t *toc, uint64_t toc_size);

/* fuzz_toc: zc_check_header on the bytes as a file, then zc_check_toc on the TOC it
 * locates. An input that does not start with the pack magic is checked as a bare TOC
 * instead (payload area [128, 2^20)), so records are reachable without a header. */
zc_result zcf_toc(const uint8_t *data, size_t size);

/* fuzz_types: data[0] picks a type of the registry (formats/zc_types.h, modulo their
 * number); the rest, copied to a 16-byte-aligned buffer of its exact size, is checked
 * with that type's validator and, when it passes, walked (zcf_walk_payload). */
zc_result zcf_types(const uint8_t *data, size_t size);

/* fuzz_zstd: a one-entry pack (two with a dictionary) built in memory around the
 * input, opened at ZC_VALIDATE_TOC, then the entry acquired (decoded), walked as its
 * type, and the pack validated at FULL. Input layout (little-endian):
 *   u8  flags: bit 0 a dictionary entry follows; bits 1-2 alignment 16, 64, 256 or
 *       4096; bits 3-5 the entry's type (registry index, modulo its size)
 *   u32 raw size the TOC declares
 *   when bit 0: u16 n, then n bytes of the entry "zstd-dict/<id>" (id from its bytes)
 *   the rest: the stored zstd frame (codec 1) */
zc_result zcf_zstd(const uint8_t *data, size_t size);

/* fuzz_image: zc_texture_import_memory with max_dimension ZCF_IMAGE_MAX_DIMENSION.
 * data[0] picks the settings (format choice, mips, cutout, normal-map name, max_size,
 * row_pitch_align); the rest is the image file. A successful import must pass
 * zc_texture_check and its view is walked level by level. */
#define ZCF_IMAGE_MAX_DIMENSION 512u
zc_result zcf_image(const uint8_t *data, size_t size);

/* fuzz_model: the model importer in this process (zc_model_import_in_process) on the
 * bytes written to a temporary file (under /dev/shm when it exists) whose extension
 * data[0] picks among obj, ply, stl, gltf, off, md2, bvh, iqm (low 3 bits); the high
 * bits switch
 * quantize, meshlets, generate_normals, generate_tangents. Every entry of a successful
 * import must pass its type's check, and is walked. assimp's own crashes and hangs are
 * expected here: tools/fuzz.sh sorts them out (see there and tests/fuzz/README.md). */
zc_result zcf_model(const uint8_t *data, size_t size);

struct zc_model_settings;

/* The model file of a fuzz_model input: data[1..] written to the per-process temporary
 * file "model.<ext>" of data[0], and the settings data[0] picks. Returns the file's
 * path (valid until the next call), NULL when size is 0 or the file cannot be written.
 * For zcf_model and for the seed tool's check of assimp alone. */
const char *zcf_model_file(const uint8_t *data, size_t size, struct zc_model_settings *settings);

/* fuzz_model_reply: the bytes as the reply of an isolated model import's child,
 * read by the parent's reply reader of packer/import/model/zc_model_isolate.c (scene path
 * "model.gltf"). A reply the reader accepts is walked like fuzz_model's output.
 * Defined in zc_fuzz_reply.c. */
zc_result zcf_model_reply(const uint8_t *data, size_t size);

struct zc_model;

/* Write the reply an isolated import child would send for `model` to fd; 0 on
 * success. For the seed generator (tests/fuzz/zc_fuzz_seeds.c). */
int zcf_write_model_reply(int fd, const struct zc_model *model);

/* The typed walk: view the payload as `type` (a registry tag) and read everything the
 * view reaches: every texture level, every attribute of every vertex and every index
 * of a mesh, a material's name and texture references, a scene's node names, name
 * lookups, world transforms, mesh and material references, cameras and lights.
 * References are resolved through `pack` when it is not NULL. Returns the view's
 * result. `payload` must be 16-byte aligned (as every entry is). */
zc_result zcf_walk_payload(const zc_pack *pack, uint32_t type, const void *payload, uint64_t size);

/* fuzz_schema: the bytes, copied to an 8-byte-aligned buffer of their exact size, as
 * an entry of zcf_schema_text's root type (zc_fuzz_schema.c): checked by the validator
 * `zcpack schema` generated from that text (zcf_schema_game.h, committed; the replay
 * suite checks it is what zcpack generates today) and by zc_schema_check, which must
 * give the same result; an accepted entry is dumped as JSON by the generated dumper,
 * which reads every field through the generated accessors. Returns the result. */
zc_result zcf_schema(const uint8_t *data, size_t size);

/* The schema of fuzz_schema (every feature of the language), as `zcpack schema` reads
 * it. */
extern const char zcf_schema_text[];

/* One record of a pack image built by zcf_build_pack. */
typedef struct zcf_record {
    char path[32];
    uint32_t type;              /* registry tag; the layout hash is the registry's */
    uint8_t codec, align_log2;
    const uint8_t *bytes;       /* stored bytes, placed after the previous record's; NULL:
                                   none of its own, it lies at record `place`'s offset plus
                                   `place_delta` (a shared or an overlapping payload) */
    uint64_t stored, raw;
    uint32_t place;             /* an earlier record; only when bytes is NULL */
    uint64_t place_delta;
    uint32_t deps_first, deps_count; /* slice of the dependency list */
} zcf_record;

/* A pack image of `count` records (in TOC order by ascending id, whatever their order
 * here) and the dependency list deps[0..dep_count), with correct ids, header and TOC
 * checksums and content hashes: for a compressed record the hash of what its frame
 * decodes to (with the bytes of the first ZC_TYPE_ZSTD_DICT record as dictionary,
 * when there is one), except in fuzz builds, which do not check it (0 there). Exact
 * size in a 16-byte-aligned malloc'd buffer (free with free()); NULL when out of
 * memory. Nothing is validated: records may break any rule. */
uint8_t *zcf_build_pack(const zcf_record *records, uint32_t count, const uint64_t *deps, uint32_t dep_count,
                        size_t *out_size);

/* Hostile packs (zc_fuzz_hostile.c): well-formed packs with correct checksums built to
 * cost their readers, the shapes of SPEC E6 (records over one small frame that decodes
 * large, or many such frames), R14 (dependency lists naming every id from every
 * record) and E7 (payloads overlapping without being equal), each beside its legal
 * counterpart. `zc_fuzz_seeds hostile` writes them into the corpora of fuzz_pack and
 * fuzz_toc (make_corpus.sh); the replay suite runs them through zcf_pack and zcf_toc
 * and checks the results below. Each is at most a few KiB. */
typedef struct zcf_hostile {
    const char *name;           /* file name in the corpora: "amplify-shared.zcpack" */
    const char *what;           /* its shape and the rule it is about */
    zc_result pack_result;      /* zcf_pack's result in the ordinary build */
    zc_result toc_result;       /* zcf_toc's */
    uint8_t *(*make)(size_t *out_size); /* a zcf_build_pack image, or NULL (no memory) */
} zcf_hostile;

extern const zcf_hostile zcf_hostiles[];
extern const size_t zcf_hostile_count;

typedef zc_result (*zcf_fn)(const uint8_t *data, size_t size);

typedef struct zcf_target {
    const char *name;           /* "fuzz_pack": the fuzz binary and the corpus folder */
    zcf_fn run;
} zcf_target;

/* Every target, for the replay suite: the folder tests/fuzz/<seeds|regressions>/<name>/
 * is replayed through `run`. */
extern const zcf_target zcf_targets[];
extern const size_t zcf_target_count;

#ifdef __cplusplus
}
#endif

#endif /* ZC_FUZZ_WALK_H */
