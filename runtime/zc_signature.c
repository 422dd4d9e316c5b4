/* zc_signature.c - signed packs at run time (zc_pack.h, "Signatures"; SPEC.md sections
 * 14 and 15): the digest of a pack, verification against trusted keys, and public key
 * files.
 *
 * libsodium provides BLAKE2b (crypto_generichash), Ed25519 (crypto_sign) and base64.
 * A build without it (ZC_NO_SODIUM, for a platform without libsodium) keeps the
 * functions and refuses every use of keys with ZC_ERR_SIGNATURE, so an
 * engine that asks for signatures never silently gets unsigned packs.
 */
#include "zc_pack.h"
#include "zc_pack_internal.h"

#include <string.h>

ZC_STATIC_ASSERT(sizeof(ZC_SIGNATURE_CONTEXT) - 1 == ZC_SIGNATURE_CONTEXT_SIZE, "context size");

/* Largest key file text zc_public_key_parse accepts. */
#define ZC__KEY_TEXT_MAX 4096u

/* Bytes of the binary key line of a public key file: "ZP", algorithm (u16 LE), key id,
 * key. */
#define ZC__PUBLIC_KEY_LINE_SIZE (2 + 2 + ZC_KEY_ID_SIZE + ZC_PUBLIC_KEY_SIZE)

static void zc__key_log(const zc_logger *logger, const char *message) {
    if (logger && logger->func) logger->func(ZC_LOG_ERROR, message, logger->user_data);
}

#ifndef ZC_NO_SODIUM
#include <sodium.h>

/* sodium_init is idempotent and thread-safe; -1 only when no random source exists,
 * which hashing and verifying do not need, so its result is not an error here. */
static void zc__sodium_ready(void) {
    if (sodium_init() < 0) return;
}

/* BLAKE2b-512 of the image with [16, 24) (header checksum) and the signature field
 * read as zero. The image holds a signed header (header_size >= 256). */
static void zc__pack_digest(const zc_pack *pack, uint8_t out[ZC_SIGNATURE_DIGEST_SIZE]) {
    static const uint8_t zeros[ZC_SIGNATURE_SIZE];
    crypto_generichash_state state;
    const uint8_t *p = pack->base;
    const uint64_t sig = ZC_SIGNATURE_FIELD_OFFSET;
    crypto_generichash_init(&state, NULL, 0, ZC_SIGNATURE_DIGEST_SIZE);
    crypto_generichash_update(&state, p, ZC_HEADER_CHECKSUM_OFFSET);
    crypto_generichash_update(&state, zeros, 8);
    crypto_generichash_update(&state, p + ZC_HEADER_CHECKSUM_OFFSET + 8, sig - ZC_HEADER_CHECKSUM_OFFSET - 8);
    crypto_generichash_update(&state, zeros, ZC_SIGNATURE_SIZE);
    /* The rest in pieces that fit a size_t and an unsigned long long alike. */
    uint64_t at = sig + ZC_SIGNATURE_SIZE;
    while (at < pack->size) {
        uint64_t n = pack->size - at > ((uint64_t)1 << 30) ? (uint64_t)1 << 30 : pack->size - at;
        crypto_generichash_update(&state, p + at, (unsigned long long)n);
        at += n;
    }
    crypto_generichash_final(&state, out, ZC_SIGNATURE_DIGEST_SIZE);
}

zc_result zc_pack_signed_message(const zc_pack *pack, uint8_t out[ZC_SIGNED_MESSAGE_SIZE]) {
    if (!pack || !out) return ZC_ERR_INVALID_ARGUMENT;
    if (!pack->is_signed) return ZC_ERR_SIGNATURE;
    zc__sodium_ready();
    memcpy(out, ZC_SIGNATURE_CONTEXT, ZC_SIGNATURE_CONTEXT_SIZE);
    zc__pack_digest(pack, out + ZC_SIGNATURE_CONTEXT_SIZE);
    return ZC_OK;
}

/* The key id of an Ed25519 public key: the first 8 bytes of its BLAKE2b-256. */
static void zc__key_id(const uint8_t key[ZC_PUBLIC_KEY_SIZE], uint8_t out[ZC_KEY_ID_SIZE]) {
    uint8_t hash[32];
    crypto_generichash(hash, sizeof hash, key, ZC_PUBLIC_KEY_SIZE, NULL, 0);
    memcpy(out, hash, ZC_KEY_ID_SIZE);
}

static void zc__key_id_text(const uint8_t id[ZC_KEY_ID_SIZE], char out[2 * ZC_KEY_ID_SIZE + 1]) {
    static const char digits[] = "0123456789ABCDEF";
    for (int i = 0; i < ZC_KEY_ID_SIZE; ++i) {
        out[2 * i] = digits[id[i] >> 4];
        out[2 * i + 1] = digits[id[i] & 15];
    }
    out[2 * ZC_KEY_ID_SIZE] = 0;
}

zc_result zc__signature_verify(const zc_pack *pack, const zc_public_key *keys, uint32_t count, uint32_t *out_index,
                               zc_diag *diag) {
    if (!pack->is_signed)
        return zc_fail(diag, ZC_ERR_SIGNATURE, "the pack is not signed, and only packs signed by a trusted key "
                       "are accepted");
    zc_result r = zc_check_signature_block(pack->base, diag);
    if (r != ZC_OK) return r;
    const zc_signature_block *block = (const zc_signature_block *)(pack->base + ZC_SIGNATURE_BLOCK_OFFSET);
    char id_text[2 * ZC_KEY_ID_SIZE + 1];
    zc__key_id_text(block->key_id, id_text);
    uint32_t i = 0;
    while (i < count && (keys[i].algorithm != ZC_SIGNATURE_ED25519_BLAKE2B ||
                         memcmp(keys[i].key_id, block->key_id, ZC_KEY_ID_SIZE) != 0))
        i++;
    if (i == count)
        return zc_fail(diag, ZC_ERR_SIGNATURE, "signed by key %s, which is not among the %u trusted key%s", id_text,
                       count, count == 1 ? "" : "s");
    zc__sodium_ready();
    uint8_t message[ZC_SIGNED_MESSAGE_SIZE];
    memcpy(message, ZC_SIGNATURE_CONTEXT, ZC_SIGNATURE_CONTEXT_SIZE);
    zc__pack_digest(pack, message + ZC_SIGNATURE_CONTEXT_SIZE);
    if (crypto_sign_verify_detached(block->signature, message, sizeof message, keys[i].key) != 0)
        return zc_fail(diag, ZC_ERR_SIGNATURE, "the signature by key %s does not verify: the pack was changed after "
                       "it was signed", id_text);
    if (out_index) *out_index = i;
    return ZC_OK;
}

zc_result zc_public_key_parse(const char *text, size_t length, zc_public_key *out, const zc_logger *logger) {
    if (!text || !out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    const char *why = NULL;
    const char *comment_end = length <= ZC__KEY_TEXT_MAX ? memchr(text, '\n', length) : NULL;
    const char *line = comment_end ? comment_end + 1 : NULL;
    const char *end = text + length;
    if (length > ZC__KEY_TEXT_MAX) why = "public key: the file is larger than 4096 bytes: not a key file";
    else if (!comment_end) why = "public key: no key line after the comment line: not a zcpack key file";
    else if (memchr(text, 0, length)) why = "public key: the file holds a NUL byte: not a zcpack key file";
    if (!why) {
        const char *line_end = memchr(line, '\n', (size_t)(end - line));
        if (line_end && line_end + 1 != end) why = "public key: text after the key line: not a zcpack key file";
        if (!line_end) line_end = end;
        if (line_end > line && line_end[-1] == '\r') line_end--;
        uint8_t bin[ZC__PUBLIC_KEY_LINE_SIZE + 64];
        size_t bin_len = 0;
        const char *b64_end = NULL;
        zc__sodium_ready();
        if (!why && (sodium_base642bin(bin, sizeof bin, line, (size_t)(line_end - line), NULL, &bin_len, &b64_end,
                                       sodium_base64_VARIANT_ORIGINAL) != 0 ||
                     b64_end != line_end))
            why = "public key: the key line is not base64: the file is damaged or not a zcpack key file";
        else if (!why && bin_len >= 2 && memcmp(bin, "ZS", 2) == 0)
            why = "public key: this is a secret key file; give the .pub file (never share the .key file)";
        else if (!why && (bin_len != ZC__PUBLIC_KEY_LINE_SIZE || memcmp(bin, "ZP", 2) != 0))
            why = "public key: the key line does not hold a zcpack public key (wrong size or prefix)";
        else if (!why && zc_le16(bin + 2) != ZC_SIGNATURE_ED25519_BLAKE2B)
            why = "public key: unknown signature algorithm (a key from a later zcpack?)";
        if (!why) {
            out->algorithm = zc_le16(bin + 2);
            memcpy(out->key_id, bin + 4, ZC_KEY_ID_SIZE);
            memcpy(out->key, bin + 4 + ZC_KEY_ID_SIZE, ZC_PUBLIC_KEY_SIZE);
            uint8_t id[ZC_KEY_ID_SIZE];
            zc__key_id(out->key, id);
            if (memcmp(id, out->key_id, ZC_KEY_ID_SIZE) != 0)
                why = "public key: the key id does not match the key: the file is damaged";
        }
    }
    if (!why) return ZC_OK;
    memset(out, 0, sizeof *out);
    zc__key_log(logger, why);
    return ZC_ERR_SIGNATURE;
}

#else /* ZC_NO_SODIUM */

zc_result zc_pack_signed_message(const zc_pack *pack, uint8_t out[ZC_SIGNED_MESSAGE_SIZE]) {
    if (!pack || !out) return ZC_ERR_INVALID_ARGUMENT;
    return ZC_ERR_SIGNATURE;
}

zc_result zc__signature_verify(const zc_pack *pack, const zc_public_key *keys, uint32_t count, uint32_t *out_index,
                               zc_diag *diag) {
    (void)pack;
    (void)keys;
    (void)count;
    (void)out_index;
    return zc_fail(diag, ZC_ERR_SIGNATURE, "this build of the runtime has no signature support (built without "
                   "libsodium), so it cannot check the signature the trusted keys require");
}

zc_result zc_public_key_parse(const char *text, size_t length, zc_public_key *out, const zc_logger *logger) {
    (void)length;
    if (!text || !out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    zc__key_log(logger, "public key: this build of the runtime has no signature support (built without libsodium)");
    return ZC_ERR_SIGNATURE;
}

#endif /* ZC_NO_SODIUM */
