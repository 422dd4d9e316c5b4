/* zc_sign.h - the packer's side of signed packs: key pairs and their files, and the
 * signature of a written pack (SPEC.md sections 14 and 15; the runtime verifies).
 *
 * Key files are two lines of text: a comment line for people, then base64 of the key
 * line: "ZP" or "ZS", the algorithm (u16 LE, ZC_SIGNATURE_ED25519_BLAKE2B), the key id
 * (8 bytes), then the public key (32 bytes) or the Ed25519 secret key (64 bytes: seed
 * and public key). The secret key file is not encrypted: it is protected only by its
 * mode (0600) and by where the user keeps it.
 *
 * Threads: every function is safe from any thread (libsodium is initialised on
 * first use); none keeps state.
 */
#ifndef ZC_SIGN_H
#define ZC_SIGN_H

#include <stdint.h>

#include "zc_pack_format.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZC_SECRET_KEY_SIZE 64       /* libsodium's Ed25519 secret key: seed, then public key */

typedef struct zc_secret_key {
    zc_public_key public_key;       /* algorithm, key id and public half */
    uint8_t secret[ZC_SECRET_KEY_SIZE];
} zc_secret_key;

/* Make a new key pair and write `<base>.key` (secret, created O_EXCL | O_NOFOLLOW with
 * mode 0600) and `<base>.pub` (public, O_EXCL, mode 0644). Never overwrites: an
 * existing file of either name fails with ZC_ERR_IO before anything is written, and a
 * failure after the secret file was made removes it again. *out_public (may be NULL)
 * receives the public key. Errors (logged with the file name): ZC_ERR_IO,
 * ZC_ERR_INVALID_ARGUMENT (empty or overlong base). */
zc_result zc_keygen(const char *base, zc_logger logger, zc_public_key *out_public);

/* Read and check a secret key file (at most 4096 bytes): its size, prefix "ZS",
 * algorithm, that the public half is the one its seed derives, and the key id.
 * ZC_ERR_IO (unreadable), ZC_ERR_SIGNATURE (anything else wrong with it), each logged
 * as "<path>: <problem>". Untrusted input: safe on any file. */
zc_result zc_secret_key_read(const char *path, zc_secret_key *out, zc_logger logger);

/* Read a public key file through zc_public_key_parse. ZC_ERR_IO or ZC_ERR_SIGNATURE,
 * logged as "<path>: <problem>". Untrusted input: safe on any file. */
zc_result zc_public_key_read(const char *path, zc_public_key *out, zc_logger logger);

/* Ed25519 signature of a pack's signed message (zc_pack_signed_message). */
void zc_secret_key_sign(const zc_secret_key *key, const uint8_t message[ZC_SIGNED_MESSAGE_SIZE],
                        uint8_t out[ZC_SIGNATURE_SIZE]);

/* Sign the pack at `path` with `key` and publish the result at `path` atomically (the
 * writer's temporary file, verification and rename): the pack is first opened and
 * validated at CHECKSUMS, then its entries are copied as they are stored (no decode,
 * no recompression), in the order of their offsets, through a writer with `key`. An
 * unsigned pack is thereby laid out again behind the 256-byte header (record offsets
 * are absolute); a pack this writer made comes out as `zcpack build --sign` would have
 * written it, and a signed one keeps every byte but its signature block (which, since
 * Ed25519 is deterministic, is the same again for the same key). On error the file is
 * unchanged. Errors: the pack's open errors, the writer's (ZC_ERR_IO, ...), logged. */
zc_result zc_sign_pack_file(const char *path, const zc_secret_key *key, zc_logger logger);

/* Overwrite a secret key in memory (sodium_memzero). NULL is a no-op. */
void zc_secret_key_wipe(zc_secret_key *key);

/* A key id as 16 upper-case hex digits, as key files and `zcpack verify` print it. */
void zc_key_id_text(const uint8_t id[ZC_KEY_ID_SIZE], char out[2 * ZC_KEY_ID_SIZE + 1]);

#ifdef __cplusplus
}
#endif

#endif /* ZC_SIGN_H */
