/* test_fuzz_replay.c - the fuzz targets' inputs replayed as ordinary tests: every file
 * under tests/fuzz/seeds/<target>/ and tests/fuzz/regressions/<target>/ goes through
 * the same code as the libFuzzer target of that name (tests/fuzz/zc_fuzz_walk.h), in
 * this ordinary build, where the runtime checks every hash (the walk reseals fuzzed
 * packs first, so they still reach the structure behind the hashes).
 *
 * Each input must give ZC_OK or an error code: no crash, no abort from a broken
 * promise of the walk, and, in the sanitizer run, no sanitizer report. The files under
 * regressions/ are the inputs that once crashed a fuzz target (tools/fuzz.sh keeps
 * them there); tests/fuzz/README.md lists what each one found.
 *
 * The source tree is found as two directories above this program (bin/<config>/), or
 * at $ZC_SOURCE_DIR.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz/zc_fuzz_walk.h"
#include "zc_test_util.h"

/* tests/fuzz under the source tree. */
static const char *fuzz_dir(void) {
    return zct_source_path("tests/fuzz");
}

static const zcf_target *find_target(const char *name) {
    for (size_t i = 0; i < zcf_target_count; ++i)
        if (strcmp(zcf_targets[i].name, name) == 0) return &zcf_targets[i];
    return NULL;
}

static int is_input(const char *dir, const char *name) {
    if (name[0] == '.') return 0;
    char *path = zct_join(dir, name);
    struct stat st;
    int regular = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    free(path);
    return regular;
}

/* Replay every file of tests/fuzz/<kind>/<target>/ (a missing folder holds none);
 * returns how many there were. */
static size_t replay_folder(const zcf_target *target, const char *kind) {
    char *kind_dir = zct_join(fuzz_dir(), kind);
    char *dir = zct_join(kind_dir, target->name);
    free(kind_dir);
    size_t count = 0;
    DIR *d = opendir(dir);
    if (!d) {
        cr_assert_eq(errno, ENOENT, "%s: %s", dir, strerror(errno));
        free(dir);
        return 0;
    }
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        if (!is_input(dir, de->d_name)) continue;
        char *path = zct_join(dir, de->d_name);
        size_t size = 0;
        uint8_t *data = zct_read_file(path, &size);
        cr_assert_not_null(data, "cannot read %s", path);
        zc_result r = target->run(data, size);
        cr_assert(r >= ZC_OK && r < ZC__RESULT_COUNT, "%s: %s returned %d, not a zc_result", path, target->name,
                  (int)r);
        cr_log_info("%s/%s/%s: %s", kind, target->name, de->d_name, zc_result_name(r));
        free(data);
        free(path);
        count++;
    }
    closedir(d);
    free(dir);
    return count;
}

/* Seeds and regressions of one target; every target has at least one committed seed. */
static void replay(const char *name) {
    const zcf_target *target = find_target(name);
    cr_assert_not_null(target, "no fuzz target %s in zcf_targets", name);
    size_t seeds = replay_folder(target, "seeds");
    size_t regressions = replay_folder(target, "regressions");
    cr_assert_gt(seeds, 0, "tests/fuzz/seeds/%s holds no input", name);
    cr_log_info("%s: %zu seeds, %zu regressions replayed", name, seeds, regressions);
}

Test(fuzz_replay, pack) { replay("fuzz_pack"); }
Test(fuzz_replay, toc) { replay("fuzz_toc"); }
Test(fuzz_replay, types) { replay("fuzz_types"); }
Test(fuzz_replay, zstd) { replay("fuzz_zstd"); }
Test(fuzz_replay, image) { replay("fuzz_image"); }
Test(fuzz_replay, model) { replay("fuzz_model"); }
Test(fuzz_replay, model_reply) { replay("fuzz_model_reply"); }
Test(fuzz_replay, schema) { replay("fuzz_schema"); }

/* fuzz_schema's validator and dumper come from tests/fuzz/zcf_schema_game.h, which must
 * be what `zcpack schema` generates from zcf_schema_text today. With
 * ZCF_SCHEMA_HEADER_OUT=<path> the generated header is also copied there (to refresh
 * the committed one: ZCF_SCHEMA_HEADER_OUT=tests/fuzz/zcf_schema_game.h). Its seeds pass
 * both validators, and a byte changed in a string's length is refused by both. */
Test(fuzz_replay, schema_header_is_current, .init = zct_tmp_setup, .fini = zct_tmp_teardown) {
    zct_put_text(zct_tmp, "zcf_schema.zcs", zcf_schema_text);
    zct_run run = ZCT_CLI_IN(zct_tmp, "schema", "zcf_schema.zcs", "-o", "zcf_schema_game.h");
    ZCT_EXPECT_CODE(run, 0);
    zct_run_free(&run);
    char *generated_path = zct_tmp_path("zcf_schema_game.h"), *committed_path = zct_join(fuzz_dir(), "zcf_schema_game.h");
    size_t generated_size = 0, committed_size = 0;
    uint8_t *generated = zct_read_file(generated_path, &generated_size);
    uint8_t *committed = zct_read_file(committed_path, &committed_size);
    cr_assert_not_null(generated);
    const char *out = getenv("ZCF_SCHEMA_HEADER_OUT");
    if (out) {
        FILE *f = fopen(out, "wb");
        cr_assert(f && fwrite(generated, 1, generated_size, f) == generated_size && fclose(f) == 0, "cannot write %s", out);
    }
    cr_assert(committed && committed_size == generated_size && memcmp(committed, generated, generated_size) == 0,
              "%s is not what zcpack schema generates from zcf_schema_text (zc_fuzz_schema.c); refresh it with "
              "ZCF_SCHEMA_HEADER_OUT=tests/fuzz/zcf_schema_game.h bin/release/zcpack_tests "
              "--filter fuzz_replay/schema_header_is_current", committed_path);
    char *seed_path = zct_join(fuzz_dir(), "seeds/fuzz_schema/full.bin");
    size_t size = 0;
    uint8_t *seed = zct_read_file(seed_path, &size);
    cr_assert_not_null(seed, "cannot read %s", seed_path);
    cr_assert_eq(zcf_schema(seed, size), ZC_OK, "%s", seed_path);
    int64_t offset;
    memcpy(&offset, seed + 8, 8); /* the root's name: a zc_string at 8 */
    cr_assert_gt(offset, 0);
    seed[16] ^= 1;                /* its length: the NUL is no longer after the bytes */
    cr_assert_eq(zcf_schema(seed, size), ZC_ERR_BAD_STRING);
    free(seed);
    free(seed_path);
    free(generated);
    free(committed);
    free(generated_path);
    free(committed_path);
}

/* The hostile packs that seed fuzz_pack and fuzz_toc (zc_fuzz_seeds hostile): each
 * fits a fuzz input, walks without a broken promise, and meets the rule it is about:
 * the frame shared by 64 records is decoded once (E6), distinct frames over the bound
 * are refused with ZC_ERR_LIMIT (E6), every record naming every id is refused with
 * ZC_ERR_LIMIT (R14), partial overlaps with ZC_ERR_BAD_TOC (E7); the legal twins pass. */
Test(fuzz_replay, hostile) {
    cr_assert_geq(zcf_hostile_count, 8);
    for (size_t i = 0; i < zcf_hostile_count; ++i) {
        const zcf_hostile *h = &zcf_hostiles[i];
        size_t size = 0;
        uint8_t *image = h->make(&size);
        cr_assert_not_null(image, "%s", h->name);
        cr_assert_leq(size, 65536, "%s: %zu bytes, more than the fuzzers' -max_len", h->name, size);
        zc_result r = zcf_pack(image, size);
        cr_expect_eq(r, h->pack_result, "%s (%s): fuzz_pack gives %s, expected %s", h->name, h->what,
                     zc_result_name(r), zc_result_name(h->pack_result));
        r = zcf_toc(image, size);
        cr_expect_eq(r, h->toc_result, "%s: fuzz_toc gives %s, expected %s", h->name, zc_result_name(r),
                     zc_result_name(h->toc_result));
        cr_log_info("hostile/%s: %zu bytes: %s", h->name, size, zc_result_name(h->pack_result));
        free(image);
    }
    /* The shared frame is a real bomb: 64 records of 1 MiB each over 41 stored bytes,
     * one payload, decoded once when validated. */
    size_t size = 0;
    uint8_t *image = zcf_hostiles[0].make(&size);
    zct_big_allocs big = { .at_least = (size_t)1 << 20 };
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .memory = image, .memory_size = size,
                                                       .validate = ZC_VALIDATE_CHECKSUMS,
                                                       .allocator = zct_big_alloc_counter(&big) }),
                 ZC_OK);
    cr_expect_eq(zc_pack_entry_count(pack), 64);
    zc_entry e;
    cr_assert_eq(zc_pack_entry_at(pack, 63, &e), ZC_OK);
    cr_expect(e.codec == ZC_CODEC_ZSTD && e.stored_size < 64 && e.raw_size == (uint64_t)1 << 20, "%s: %llu -> %llu",
              e.path, (unsigned long long)e.stored_size, (unsigned long long)e.raw_size);
    cr_expect_eq(big.count, 1, "validation decoded the shared frame %ld times", big.count);
    zc_pack_close(pack);
    free(image);
}

/* Every folder under seeds/ and regressions/ is a target's (a misspelt one would never
 * be replayed), and every target has a source file and a replay test above. */
Test(fuzz_replay, folders_name_targets) {
    static const char *const kinds[] = { "seeds", "regressions" };
    for (size_t k = 0; k < 2; ++k) {
        char *dir = zct_join(fuzz_dir(), kinds[k]);
        DIR *d = opendir(dir);
        cr_assert(d || k == 1, "%s: %s", dir, strerror(errno));
        for (struct dirent *de; d && (de = readdir(d)) != NULL;) {
            if (de->d_name[0] == '.') continue;
            cr_assert_not_null(find_target(de->d_name), "%s/%s is not a fuzz target's folder", dir, de->d_name);
        }
        if (d) closedir(d);
        free(dir);
    }
    cr_assert_eq(zcf_target_count, 8, "a new target needs its Test(fuzz_replay, ...) above");
    for (size_t i = 0; i < zcf_target_count; ++i) {
        char file[64];
        snprintf(file, sizeof file, "%s.c", zcf_targets[i].name);
        char *path = zct_join(fuzz_dir(), file);
        cr_assert(zct_exists(path), "%s is missing", path);
        free(path);
    }
}

/* The walk refuses what it must refuse: an empty input, a pack with a damaged header
 * checksum (after the reseal a damaged byte outside the hashed fields stays damage),
 * and it accepts a committed seed pack. */
Test(fuzz_replay, walk_reports_errors) {
    cr_assert_eq(zcf_pack(NULL, 0), ZC_ERR_TRUNCATED);
    cr_assert_eq(zcf_toc((const uint8_t *)"", 0), ZC_ERR_BAD_TOC);
    cr_assert_eq(zcf_types((const uint8_t *)"", 0), ZC_ERR_INVALID_ARGUMENT);
    static const uint8_t not_a_pack[16] = "not a pack file";
    cr_assert_eq(zcf_pack(not_a_pack, sizeof not_a_pack), ZC_ERR_NOT_A_PACK);
    char *dir = zct_join(fuzz_dir(), "seeds/fuzz_pack/text.zcpack");
    size_t size = 0;
    uint8_t *pack = zct_read_file(dir, &size);
    cr_assert_not_null(pack, "cannot read %s", dir);
    cr_assert_eq(zcf_pack(pack, size), ZC_OK, "the seed pack %s does not walk", dir);
    pack[8] = 2; /* format major 2 */
    cr_assert_eq(zcf_pack(pack, size), ZC_ERR_VERSION);
    free(pack);
    free(dir);
}

/* The signed seed carries a signature by the fuzz targets' fixed key that verifies, so
 * fuzz_pack's open with that key (zcf_pack) gets past the signature check from it;
 * with one payload byte changed it is refused for its signature, before any other
 * check, and the walk (which reseals the checksums) still keeps its promises. */
Test(fuzz_replay, signed_seed_verifies_with_the_fixed_key) {
    char *path = zct_join(fuzz_dir(), "seeds/fuzz_pack/signed-text.zcpack");
    size_t size = 0;
    uint8_t *bytes = zct_read_file_aligned(path, 16, &size);
    zc_public_key key;
    zcf_fixed_key(&key, NULL);
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .memory = bytes, .memory_size = size,
                                                      .validate = ZC_VALIDATE_CHECKSUMS, .trusted_keys = &key,
                                                      .trusted_key_count = 1 }),
                 ZC_OK, "%s does not verify with zcf_fixed_key", path);
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
    cr_assert(info.signature_verified);
    zc_pack_close(pack);
    cr_assert_eq(zcf_pack(bytes, size), ZC_OK);

    /* A byte of the first payload (after the 256-byte signed header) changed. */
    bytes[256] ^= 0x01;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .memory = bytes, .memory_size = size, .trusted_keys = &key,
                                                      .trusted_key_count = 1 }),
                 ZC_ERR_SIGNATURE);
    zc_result r = zcf_pack(bytes, size);
    cr_assert(r == ZC_OK || zc_result_name(r) != NULL, "zcf_pack: %d", (int)r);
    free(bytes);
    free(path);
}
