/* test_signing.c - signed packs (SPEC.md sections 14 and 15): keygen's files, signing
 * through the CLI and the writer, verification at open and at mount, tampering with
 * any byte, untrusted and missing signatures, determinism of signatures, and hostile
 * key files.
 */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "zc_exit.h"
#include "zc_pack_format.h"
#include "zc_sign.h"
#include "zc_test_util.h"

TestSuite(signing, .init = zct_tmp_setup, .fini = zct_tmp_teardown, .timeout = 120);

/* ---------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------- */

/* A small pack of a few blobs (one empty, two equal, one 4 KiB-aligned would make it
 * large: 64-byte alignment instead), signed with `key` when not NULL. */
static char *write_small_pack(const char *name, const zc_secret_key *key) {
    char *path = zct_join(zct_tmp, name);
    static const char *const texts[] = { "alpha", "", "the same bytes", "the same bytes", "omega omega" };
    static const char *const paths[] = { "a.txt", "empty", "twin/1", "twin/2", "z/last.bin" };
    zc_writer *w;
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = path, .no_sync = 1, .sign_key = key }), ZC_OK);
    for (int i = 0; i < 5; ++i) {
        cr_assert_eq(zc_writer_begin_entry(w, paths[i], ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, i == 4 ? 6 : 0), ZC_OK);
        cr_assert_eq(zc_writer_write(w, texts[i], strlen(texts[i])), ZC_OK);
        if (i == 4) cr_assert_eq(zc_writer_add_dep(w, zc_asset_id("a.txt", 5)), ZC_OK);
        cr_assert_eq(zc_writer_end_entry(w), ZC_OK);
    }
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
    return path;
}

static zc_result open_with(const char *path, const zc_public_key *keys, uint32_t count, zc_validate level,
                           zct_log *log, zc_pack **out) {
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .validate = level, .trusted_keys = keys,
                                                        .trusted_key_count = count,
                                                        .logger = log ? zct_log_recorder(log) : (zc_logger){ 0 } });
    if (out) *out = pack;
    else zc_pack_close(pack);
    return r;
}

static char *key_file(const char *name, const char *ext) {
    char file[256];
    snprintf(file, sizeof file, "%s.%s", name, ext);
    return zct_join(zct_tmp, file);
}

/* ---------------------------------------------------------------------------------
 * keygen
 * ------------------------------------------------------------------------------- */

Test(signing, keygen_writes_a_private_secret_file_and_never_overwrites) {
    char *base = zct_join(zct_tmp, "team");
    char *secret = key_file("team", "key"), *pub = key_file("team", "pub");
    zct_run run = ZCT_CLI("keygen", base);
    ZCT_EXPECT_CODE(run, ZC_EXIT_OK);
    cr_assert(strstr(run.out, "secret key"), "%s", run.out);
    struct stat st;
    cr_assert_eq(stat(secret, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600, "secret key mode %o", st.st_mode & 0777);
    cr_assert_eq(stat(pub, &st), 0);
    size_t secret_size, pub_size;
    uint8_t *secret_before = zct_read_file(secret, &secret_size), *pub_before = zct_read_file(pub, &pub_size);
    cr_assert(strncmp((const char *)pub_before, "zcpack public key ", 18) == 0, "%s", (const char *)pub_before);
    cr_assert(strstr((const char *)secret_before, "unencrypted"), "the secret file says it is unencrypted");

    zct_run again = ZCT_CLI("keygen", base);
    ZCT_EXPECT_CODE(again, ZC_EXIT_IO);
    ZCT_EXPECT_ERR(again, "never overwrites");
    size_t n;
    uint8_t *secret_after = zct_read_file(secret, &n);
    cr_assert(n == secret_size && memcmp(secret_after, secret_before, n) == 0, "the secret key was overwritten");
    uint8_t *pub_after = zct_read_file(pub, &n);
    cr_assert(n == pub_size && memcmp(pub_after, pub_before, n) == 0, "the public key was overwritten");

    /* Only the public file in the way: no secret file is left behind either. */
    char *other = zct_join(zct_tmp, "other");
    char *other_pub = key_file("other", "pub"), *other_secret = key_file("other", "key");
    zct_write_file(other_pub, "x\n", 2);
    zct_run blocked = ZCT_CLI("keygen", other);
    ZCT_EXPECT_CODE(blocked, ZC_EXIT_IO);
    cr_assert(!zct_exists(other_secret), "keygen left a secret key beside an existing public key");

    /* Two key pairs differ. */
    zc_public_key k1, k2;
    zct_make_keys("k1", NULL, &k1);
    zct_make_keys("k2", NULL, &k2);
    cr_assert(memcmp(k1.key, k2.key, sizeof k1.key) != 0 && memcmp(k1.key_id, k2.key_id, sizeof k1.key_id) != 0);
    zct_run_free(&run);
    zct_run_free(&again);
    zct_run_free(&blocked);
    free(base), free(secret), free(pub), free(other), free(other_pub), free(other_secret);
    free(secret_before), free(pub_before), free(secret_after), free(pub_after);
}

/* ---------------------------------------------------------------------------------
 * CLI round trip, determinism
 * ------------------------------------------------------------------------------- */

Test(signing, cli_build_sign_verify_round_trip_and_refusals) {
    zc_public_key pub;
    zct_make_keys("release", NULL, &pub);
    zct_make_keys("stranger", NULL, NULL);
    char *key = key_file("release", "key"), *pub_path = key_file("release", "pub");
    char *stranger = key_file("stranger", "pub");
    char *signed_pack = zct_tmp_path("signed.zcpack"), *plain = zct_tmp_path("plain.zcpack");
    const char *assets = zct_source_path("samples/assets");
    zct_run b1 = ZCT_CLI("build", "-q", assets, "-o", signed_pack, "--sign", key);
    ZCT_EXPECT_CODE(b1, ZC_EXIT_OK);
    zct_run b2 = ZCT_CLI("build", "-q", assets, "-o", plain);
    ZCT_EXPECT_CODE(b2, ZC_EXIT_OK);

    char id[17];
    zc_key_id_text(pub.key_id, id);
    zct_run ok = ZCT_CLI("verify", signed_pack, "--key", stranger, "--key", pub_path);
    ZCT_EXPECT_CODE(ok, ZC_EXIT_OK);
    cr_assert(strstr(ok.out, id), "verify does not name the key %s:\n%s", id, ok.out);

    zct_run untrusted = ZCT_CLI("verify", signed_pack, "--key", stranger);
    ZCT_EXPECT_CODE(untrusted, ZC_EXIT_SIGNATURE);
    ZCT_EXPECT_ERR(untrusted, "not among the 1 trusted key");
    zct_run unsigned_run = ZCT_CLI("verify", plain, "--key", pub_path);
    ZCT_EXPECT_CODE(unsigned_run, ZC_EXIT_SIGNATURE);
    ZCT_EXPECT_ERR(unsigned_run, "not signed");
    zct_run no_key = ZCT_CLI("verify", signed_pack, "--json");
    ZCT_EXPECT_CODE(no_key, ZC_EXIT_OK);
    cr_assert(strstr(no_key.out, "\"signed\":\ttrue") && strstr(no_key.out, "\"signature_verified\":\tfalse"),
              "%s", no_key.out);

    /* A payload byte changed, every XXH3 checksum recomputed: only the signature can
     * tell, and it does. */
    size_t size;
    uint8_t *bytes = zct_read_file(signed_pack, &size);
    zc_pack *pack;
    cr_assert_eq(open_with(signed_pack, NULL, 0, ZC_VALIDATE_TOC, NULL, &pack), ZC_OK);
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, "text/strings_en.csv", &e), ZC_OK);
    bytes[e.offset] ^= 0x20;
    zc_pack_close(pack);
    zct_reseal(bytes, size);
    char *forged = zct_tmp_path("forged.zcpack");
    zct_write_file(forged, bytes, size);
    zct_run forged_run = ZCT_CLI("verify", forged, "--key", pub_path);
    ZCT_EXPECT_CODE(forged_run, ZC_EXIT_SIGNATURE);
    ZCT_EXPECT_ERR(forged_run, "does not verify");
    free(bytes);

    zct_run_free(&b1), zct_run_free(&b2), zct_run_free(&ok), zct_run_free(&untrusted);
    zct_run_free(&unsigned_run), zct_run_free(&no_key), zct_run_free(&forged_run);
    free(key), free(pub_path), free(stranger), free(signed_pack), free(plain), free(forged);
}

/* build --sign and sign of the same tree give the same bytes; signing twice does not
 * change them; the unsigned pack keeps its 128-byte header. Over the sample assets and
 * a tree of empty files, twins, compressible text and odd sizes. */
Test(signing, sign_equals_build_sign_and_is_deterministic) {
    zct_make_keys("k", NULL, NULL);
    char *key = key_file("k", "key");
    char *tree = zct_tmp_path("tree");
    char big[20000];
    for (size_t i = 0; i < sizeof big; ++i) big[i] = (char)('a' + (i * 7 % 13));
    zct_put(tree, "big.txt", big, sizeof big);
    zct_put(tree, "copy/big.txt", big, sizeof big);
    zct_put(tree, "empty1", "", 0);
    zct_put(tree, "sub/empty2", "", 0);
    zct_put(tree, "odd.bin", "123", 3);
    const char *trees[] = { zct_source_path("samples/assets"), tree };
    for (int t = 0; t < 2; ++t) {
        char *built = zct_tmp_path("built.zcpack"), *later = zct_tmp_path("later.zcpack");
        zct_run b = ZCT_CLI("build", "-q", trees[t], "-o", built, "--sign", key);
        ZCT_EXPECT_CODE(b, ZC_EXIT_OK);
        zct_run p = ZCT_CLI("build", "-q", trees[t], "-o", later);
        ZCT_EXPECT_CODE(p, ZC_EXIT_OK);
        size_t n;
        uint8_t *plain = zct_read_file(later, &n);
        cr_assert_eq(zc_le32(plain + offsetof(zc_header, header_size)), 128u, "an unsigned pack has a 128-byte header");
        cr_assert_eq(zc_le16(plain + offsetof(zc_header, format_minor)), 0u, "an unsigned pack stays format 1.0");
        free(plain);
        zct_run s1 = ZCT_CLI("sign", later, key);
        ZCT_EXPECT_CODE(s1, ZC_EXIT_OK);
        cr_assert(zct_files_equal(built, later), "tree %d: sign differs from build --sign", t);
        zct_run s2 = ZCT_CLI("sign", later, key);
        ZCT_EXPECT_CODE(s2, ZC_EXIT_OK);
        cr_assert(zct_files_equal(built, later), "tree %d: signing again with the same key changed the pack", t);
        zct_run_free(&b), zct_run_free(&p), zct_run_free(&s1), zct_run_free(&s2);
        free(built), free(later);
    }
    free(key), free(tree);
}

/* Re-signing with another key changes the header checksum and the signature block
 * only; the pack then verifies against the new key and no longer against the old. */
Test(signing, resigning_rewrites_only_the_block) {
    zc_secret_key k1, k2;
    zc_public_key p1, p2;
    zct_make_keys("one", &k1, &p1);
    zct_make_keys("two", &k2, &p2);
    char *path = write_small_pack("s.zcpack", &k1);
    size_t n1, n2;
    uint8_t *before = zct_read_file(path, &n1);
    cr_assert_eq(zc_sign_pack_file(path, &k2, (zc_logger){ 0 }), ZC_OK);
    uint8_t *after = zct_read_file(path, &n2);
    cr_assert_eq(n1, n2);
    for (size_t i = 0; i < n1; ++i) {
        int allowed = (i >= ZC_HEADER_CHECKSUM_OFFSET && i < ZC_HEADER_CHECKSUM_OFFSET + 8) ||
                      (i >= ZC_SIGNATURE_BLOCK_OFFSET && i < ZC_SIGNED_HEADER_SIZE);
        if (!allowed) cr_assert_eq(before[i], after[i], "byte %zu changed", i);
    }
    cr_assert_eq(open_with(path, &p2, 1, ZC_VALIDATE_NONE, NULL, NULL), ZC_OK);
    cr_assert_eq(open_with(path, &p1, 1, ZC_VALIDATE_NONE, NULL, NULL), ZC_ERR_SIGNATURE);
    free(before), free(after), free(path);
}

/* ---------------------------------------------------------------------------------
 * The runtime
 * ------------------------------------------------------------------------------- */

Test(signing, open_with_keys_accepts_trusted_and_refuses_the_rest) {
    zc_secret_key secret;
    zc_public_key pub, other;
    zct_make_keys("good", &secret, &pub);
    zct_make_keys("other", NULL, &other);
    char *signed_path = write_small_pack("signed.zcpack", &secret);
    char *plain_path = write_small_pack("plain.zcpack", NULL);

    zc_pack *pack;
    cr_assert_eq(open_with(signed_path, &pub, 1, ZC_VALIDATE_NONE, NULL, &pack), ZC_OK);
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
    cr_assert(info.is_signed && info.signature_verified);
    cr_assert_eq(memcmp(info.signer_key_id, pub.key_id, ZC_KEY_ID_SIZE), 0);
    cr_assert_eq(info.format_minor, ZC_FORMAT_MINOR_SIGNED);
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, "z/last.bin", &e), ZC_OK);
    cr_assert(e.raw_size == 11 && memcmp(e.data, "omega omega", 11) == 0);
    zc_pack_close(pack);

    /* Key rotation: any of several trusted keys. */
    zc_public_key both[2] = { other, pub };
    cr_assert_eq(open_with(signed_path, both, 2, ZC_VALIDATE_CHECKSUMS, NULL, NULL), ZC_OK);

    zct_log log;
    cr_assert_eq(open_with(signed_path, &other, 1, ZC_VALIDATE_CHECKSUMS, &log, NULL), ZC_ERR_SIGNATURE);
    cr_assert(zct_log_contains(&log, "not among the 1 trusted key"), "%s", log.messages[0]);
    cr_assert_eq(open_with(plain_path, &pub, 1, ZC_VALIDATE_CHECKSUMS, &log, NULL), ZC_ERR_SIGNATURE);
    cr_assert(zct_log_contains(&log, "not signed"), "%s", log.messages[0]);

    /* Without keys both open, the signed one as a pack like any other. */
    cr_assert_eq(open_with(plain_path, NULL, 0, ZC_VALIDATE_CHECKSUMS, NULL, NULL), ZC_OK);
    cr_assert_eq(open_with(signed_path, NULL, 0, ZC_VALIDATE_CHECKSUMS, NULL, &pack), ZC_OK);
    cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
    cr_assert(info.is_signed && !info.signature_verified);
    zc_pack_close(pack);

    /* Misuse: a count without keys. */
    cr_assert_eq(open_with(signed_path, NULL, 1, ZC_VALIDATE_TOC, NULL, NULL), ZC_ERR_INVALID_ARGUMENT);
    free(signed_path), free(plain_path);
}

/* Every byte of a signed pack flipped in turn: opening with the trusted key at the
 * lowest level never succeeds (signature, checksum or header errors all count). */
Test(signing, tampering_with_any_byte_is_detected) {
    zc_secret_key secret;
    zc_public_key pub;
    zct_make_keys("k", &secret, &pub);
    char *path = write_small_pack("s.zcpack", &secret);
    size_t size;
    uint8_t *bytes = zct_read_file_aligned(path, 4096, &size);
    cr_assert_lt(size, 16384u, "the sweep wants a small pack");
    zc_pack *pack;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .memory = bytes, .memory_size = size,
                                                      .validate = ZC_VALIDATE_NONE, .trusted_keys = &pub,
                                                      .trusted_key_count = 1 }),
                 ZC_OK);
    zc_pack_close(pack);
    unsigned signature_errors = 0;
    for (size_t i = 0; i < size; ++i) {
        for (int k = 0; k < 2; ++k) {
            uint8_t flip = k ? 0xFF : 0x01;
            bytes[i] ^= flip;
            zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .memory = bytes, .memory_size = size,
                                                               .validate = ZC_VALIDATE_NONE, .trusted_keys = &pub,
                                                               .trusted_key_count = 1 });
            bytes[i] ^= flip;
            cr_assert_neq(r, ZC_OK, "byte %zu ^ 0x%02x went unnoticed", i, flip);
            zc_pack_close(pack);
            if (r == ZC_ERR_SIGNATURE) signature_errors++;
        }
    }
    /* Past the header nothing but the signature guards the bytes at level NONE. */
    cr_assert_geq(signature_errors, 2 * (size - ZC_SIGNED_HEADER_SIZE));
    free(bytes), free(path);
}

/* The writer's unsigned output is unchanged by signature support: 1.0, 128 bytes. */
Test(signing, unsigned_writer_output_keeps_format_1_0) {
    char *path = write_small_pack("plain.zcpack", NULL);
    zc_pack *pack;
    cr_assert_eq(open_with(path, NULL, 0, ZC_VALIDATE_CHECKSUMS, NULL, &pack), ZC_OK);
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
    cr_assert(!info.is_signed && info.format_minor == ZC_FORMAT_MINOR_UNSIGNED);
    uint8_t message[ZC_SIGNED_MESSAGE_SIZE];
    cr_assert_eq(zc_pack_signed_message(pack, message), ZC_ERR_SIGNATURE);
    zc_pack_close(pack);
    free(path);
}

Test(signing, mounts_check_each_pack_signature) {
    zc_secret_key secret, other_secret;
    zc_public_key pub, other;
    zct_make_keys("base", &secret, &pub);
    zct_make_keys("mod", &other_secret, &other);
    char *base = write_small_pack("base.zcpack", &secret);
    char *patch = write_small_pack("patch.zcpack", &secret);
    char *mod = write_small_pack("mod.zcpack", &other_secret);
    char *plain = write_small_pack("plain.zcpack", NULL);
    zct_log log;
    zc_mounts *m;
    cr_assert_eq(zc_mounts_create(&m, &(zc_mounts_desc){ .trusted_keys = &pub, .trusted_key_count = 1,
                                                         .logger = zct_log_recorder(&log) }),
                 ZC_OK);
    zc_pack *p_base, *p_patch, *p_mod, *p_plain;
    cr_assert_eq(open_with(base, &pub, 1, ZC_VALIDATE_NONE, NULL, &p_base), ZC_OK); /* verified at open */
    cr_assert_eq(open_with(patch, NULL, 0, ZC_VALIDATE_TOC, NULL, &p_patch), ZC_OK); /* verified at mount */
    cr_assert_eq(open_with(mod, NULL, 0, ZC_VALIDATE_TOC, NULL, &p_mod), ZC_OK);
    cr_assert_eq(open_with(plain, NULL, 0, ZC_VALIDATE_TOC, NULL, &p_plain), ZC_OK);
    cr_assert_eq(zc_mounts_add(m, &(zc_mount_desc){ .pack = p_base }), ZC_OK);
    cr_assert_eq(zc_mounts_add(m, &(zc_mount_desc){ .pack = p_patch, .priority = 1 }), ZC_OK);
    cr_assert_eq(zc_mounts_add(m, &(zc_mount_desc){ .pack = p_mod, .priority = 2 }), ZC_ERR_SIGNATURE);
    cr_assert(zct_log_contains(&log, "not mounted") && zct_log_contains(&log, "not among"), "%s", log.messages[0]);
    cr_assert_eq(zc_mounts_add(m, &(zc_mount_desc){ .pack = p_plain, .priority = 3 }), ZC_ERR_SIGNATURE);
    cr_assert(zct_log_contains(&log, "not signed"));
    cr_assert_eq(zc_mounts_count(m), 2u);
    zc_hold hold;
    cr_assert_eq(zc_mounts_acquire(m, "a.txt", &hold), ZC_OK);
    cr_assert_eq(hold.pack, p_patch);
    zc_hold_release(&hold);
    zc_mounts_destroy(m);

    /* A table without keys mounts them all. */
    cr_assert_eq(zc_mounts_create(&m, NULL), ZC_OK);
    cr_assert_eq(zc_mounts_add(m, &(zc_mount_desc){ .pack = p_mod }), ZC_OK);
    cr_assert_eq(zc_mounts_add(m, &(zc_mount_desc){ .pack = p_plain }), ZC_OK);
    zc_mounts_destroy(m);
    zc_pack_close(p_base), zc_pack_close(p_patch), zc_pack_close(p_mod), zc_pack_close(p_plain);
    free(base), free(patch), free(mod), free(plain);
}

/* ---------------------------------------------------------------------------------
 * Hostile key files
 * ------------------------------------------------------------------------------- */

Test(signing, public_key_parse_refuses_damaged_and_hostile_text) {
    zct_make_keys("k", NULL, NULL);
    char *pub_path = key_file("k", "pub"), *key_path = key_file("k", "key");
    size_t n, sn;
    char *good = (char *)zct_read_file(pub_path, &n);
    char *secret = (char *)zct_read_file(key_path, &sn);
    zc_public_key key;
    cr_assert_eq(zc_public_key_parse(good, n, &key, NULL), ZC_OK);

    zct_log log;
    zc_logger logger = zct_log_recorder(&log);
    struct {
        const char *text;
        const char *why;
    } cases[] = {
        { "", "no key line" },
        { "zcpack public key\n", "wrong size or prefix" },
        { "comment only, no newline", "no key line" },
        { "c\n!!!!not-base64!!!!\n", "not base64" },
        { "c\nWlABAA==\n", "wrong size or prefix" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        memset(&log, 0, sizeof log);
        cr_assert_eq(zc_public_key_parse(cases[i].text, strlen(cases[i].text), &key, &logger), ZC_ERR_SIGNATURE,
                     "case %zu", i);
        cr_assert(zct_log_contains(&log, cases[i].why), "case %zu: %s", i, log.messages[0]);
    }
    /* The secret key file given as a public key: named as such. */
    memset(&log, 0, sizeof log);
    cr_assert_eq(zc_public_key_parse(secret, sn, &key, &logger), ZC_ERR_SIGNATURE);
    cr_assert(zct_log_contains(&log, "secret key file"), "%s", log.messages[0]);
    /* A changed key byte no longer matches its key id. */
    char *line = strchr(good, '\n') + 1;
    char *damaged = strdup(good);
    damaged[(line - good) + 30] = damaged[(line - good) + 30] == 'A' ? 'B' : 'A';
    memset(&log, 0, sizeof log);
    cr_assert_eq(zc_public_key_parse(damaged, n, &key, &logger), ZC_ERR_SIGNATURE);
    cr_assert(zct_log_contains(&log, "does not match") || zct_log_contains(&log, "not base64"), "%s",
              log.messages[0]);
    /* Text after the key line, a NUL inside, an oversized file. */
    char extra[600];
    snprintf(extra, sizeof extra, "%sjunk\n", good);
    cr_assert_eq(zc_public_key_parse(extra, strlen(extra), &key, NULL), ZC_ERR_SIGNATURE);
    char with_nul[600];
    memcpy(with_nul, good, n);
    with_nul[3] = 0;
    cr_assert_eq(zc_public_key_parse(with_nul, n, &key, NULL), ZC_ERR_SIGNATURE);
    char *huge = malloc(8192);
    memset(huge, 'A', 8192);
    huge[10] = '\n';
    cr_assert_eq(zc_public_key_parse(huge, 8192, &key, NULL), ZC_ERR_SIGNATURE);
    /* CRLF line ends (a file through a Windows editor) still parse. */
    char crlf[600];
    size_t c = 0;
    for (size_t i = 0; i < n; ++i) {
        if (good[i] == '\n') crlf[c++] = '\r';
        crlf[c++] = good[i];
    }
    cr_assert_eq(zc_public_key_parse(crlf, c, &key, NULL), ZC_OK);
    /* Every truncation of the good file is refused, never read out of bounds. */
    for (size_t cut = 0; cut + 1 < n; ++cut) cr_assert_eq(zc_public_key_parse(good, cut, &key, NULL), ZC_ERR_SIGNATURE);
    cr_assert_eq(zc_public_key_parse(NULL, 0, &key, NULL), ZC_ERR_INVALID_ARGUMENT);
    free(good), free(secret), free(damaged), free(huge), free(pub_path), free(key_path);
}

Test(signing, cli_reports_unusable_key_files) {
    zct_make_keys("k", NULL, NULL);
    char *pub_path = key_file("k", "pub"), *key_path = key_file("k", "key");
    char *pack = zct_tmp_path("p.zcpack");
    const char *assets = zct_source_path("samples/assets");
    zct_run b = ZCT_CLI("build", "-q", assets, "-o", pack);
    ZCT_EXPECT_CODE(b, ZC_EXIT_OK);
    size_t before_size;
    uint8_t *before = zct_read_file(pack, &before_size);

    zct_run wrong_half = ZCT_CLI("sign", pack, pub_path);
    ZCT_EXPECT_CODE(wrong_half, ZC_EXIT_SIGNATURE);
    ZCT_EXPECT_ERR(wrong_half, "this is a public key file");
    zct_run missing = ZCT_CLI("sign", pack, "/nonexistent/k.key");
    ZCT_EXPECT_CODE(missing, ZC_EXIT_IO);
    /* A secret key whose public half was edited. */
    size_t n;
    char *text = (char *)zct_read_file(key_path, &n);
    char *line = strchr(text, '\n') + 1;
    line[80] = line[80] == 'A' ? 'B' : 'A';
    char *bad_key = zct_tmp_path("bad.key");
    zct_write_file(bad_key, text, n);
    zct_run damaged = ZCT_CLI("sign", pack, bad_key);
    ZCT_EXPECT_CODE(damaged, ZC_EXIT_SIGNATURE);
    ZCT_EXPECT_ERR(damaged, "bad.key: secret key: ");
    zct_run garbage = ZCT_CLI("verify", pack, "--key", bad_key);
    ZCT_EXPECT_CODE(garbage, ZC_EXIT_SIGNATURE);
    ZCT_EXPECT_ERR(garbage, "bad.key: public key: ");
    zct_run build_bad = ZCT_CLI("build", "-q", assets, "-o", pack, "--sign", bad_key);
    ZCT_EXPECT_CODE(build_bad, ZC_EXIT_SIGNATURE);
    size_t after_size;
    uint8_t *after = zct_read_file(pack, &after_size);
    cr_assert(after_size == before_size && memcmp(before, after, after_size) == 0, "a failed sign changed the pack");
    zct_run_free(&b), zct_run_free(&wrong_half), zct_run_free(&missing), zct_run_free(&damaged);
    zct_run_free(&garbage), zct_run_free(&build_bad);
    free(text), free(bad_key), free(before), free(after), free(pub_path), free(key_path), free(pack);
}

/* verify --json prints one object for an unusable key file too: "ok": false, the
 * error's name, the message printed on stderr and the key file; the exit code is the
 * one without --json. */
static void expect_json_key_error(const char *pack, const char *key, int code, const char *error,
                                  const char *message_part) {
    zct_run run = ZCT_CLI("verify", pack, "--key", key, "--json");
    ZCT_EXPECT_CODE(run, code);
    cJSON *json = cJSON_Parse(run.out);
    cr_assert_not_null(json, "verify --json printed no JSON object: '%s' (stderr: %s)", run.out, run.err);
    cr_expect(cJSON_IsObject(json));
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(json, "ok")), "%s", run.out);
    cJSON *err = cJSON_GetObjectItemCaseSensitive(json, "error");
    cJSON *msg = cJSON_GetObjectItemCaseSensitive(json, "message");
    cJSON *file = cJSON_GetObjectItemCaseSensitive(json, "key");
    cJSON *path = cJSON_GetObjectItemCaseSensitive(json, "path");
    cr_expect(cJSON_IsString(err) && strcmp(err->valuestring, error) == 0, "%s", run.out);
    cr_expect(cJSON_IsString(msg) && strstr(msg->valuestring, message_part), "%s", run.out);
    cr_expect(cJSON_IsString(file) && strcmp(file->valuestring, key) == 0, "%s", run.out);
    cr_expect(cJSON_IsString(path) && strcmp(path->valuestring, pack) == 0, "%s", run.out);
    cr_expect(strstr(run.err, message_part), "stderr: %s", run.err);
    cJSON_Delete(json);
    zct_run_free(&run);
}

Test(signing, verify_json_reports_unusable_key_files) {
    zct_make_keys("k", NULL, NULL);
    char *secret = key_file("k", "key"), *pub = key_file("k", "pub");
    char *pack = write_small_pack("p.zcpack", NULL);
    char *garbage = zct_tmp_path("garbage.pub"), *missing = zct_tmp_path("missing.pub");
    zct_write_file(garbage, "not a key\n", 10);
    expect_json_key_error(pack, missing, ZC_EXIT_IO, "ZC_ERR_IO", "missing.pub");
    expect_json_key_error(pack, garbage, ZC_EXIT_SIGNATURE, "ZC_ERR_SIGNATURE", "garbage.pub: public key: ");
    expect_json_key_error(pack, secret, ZC_EXIT_SIGNATURE, "ZC_ERR_SIGNATURE", "k.key: public key: ");
    /* A good key before a bad one: the bad one is still reported. */
    zct_run run = ZCT_CLI("verify", pack, "--key", pub, "--key", garbage, "--json");
    ZCT_EXPECT_CODE(run, ZC_EXIT_SIGNATURE);
    cr_expect(strstr(run.out, "garbage.pub") && strstr(run.out, "\"ok\":\tfalse"), "%s", run.out);
    zct_run_free(&run);
    free(secret), free(pub), free(pack), free(garbage), free(missing);
}
