/* zc_sign.c - key pairs, key files and pack signatures on the packer's side
 * (zc_sign.h; SPEC.md sections 14 and 15). */
#include "zc_sign.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include <sodium.h>
#include "zc_packer_os.h"

#define ZC__KEY_FILE_MAX 4096u
#define ZC__SECRET_LINE_SIZE (2 + 2 + ZC_KEY_ID_SIZE + ZC_SECRET_KEY_SIZE)
#define ZC__PUBLIC_LINE_SIZE (2 + 2 + ZC_KEY_ID_SIZE + ZC_PUBLIC_KEY_SIZE)

#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 3, 4)))
#endif
static void zc__sign_log(zc_logger logger, zc_log_level level, const char *fmt, ...) {
    if (!logger.func) return;
    char line[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    logger.func(level, line, logger.user_data);
}

static void zc__sodium_ready(void) {
    if (sodium_init() < 0) return; /* only "no random source": keygen's randombytes then aborts */
}

void zc_key_id_text(const uint8_t id[ZC_KEY_ID_SIZE], char out[2 * ZC_KEY_ID_SIZE + 1]) {
    static const char digits[] = "0123456789ABCDEF";
    for (int i = 0; i < ZC_KEY_ID_SIZE; ++i) {
        out[2 * i] = digits[id[i] >> 4];
        out[2 * i + 1] = digits[id[i] & 15];
    }
    out[2 * ZC_KEY_ID_SIZE] = 0;
}

/* The key id of a public key (SPEC.md 15.2): the first 8 bytes of its BLAKE2b-256. */
static void zc__derive_key_id(const uint8_t key[ZC_PUBLIC_KEY_SIZE], uint8_t out[ZC_KEY_ID_SIZE]) {
    uint8_t hash[32];
    crypto_generichash(hash, sizeof hash, key, ZC_PUBLIC_KEY_SIZE, NULL, 0);
    memcpy(out, hash, ZC_KEY_ID_SIZE);
}

/* Read a whole key file of at most ZC__KEY_FILE_MAX bytes into buf; its size or -1
 * (logged). */
static long zc__read_key_file(const char *path, char *buf, zc_logger logger) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        zc__sign_log(logger, ZC_LOG_ERROR, "%s: cannot open the key file: %s", path, strerror(errno));
        return -1;
    }
    size_t used = 0;
    for (;;) {
        ssize_t n = read(fd, buf + used, ZC__KEY_FILE_MAX + 1 - used);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            zc__sign_log(logger, ZC_LOG_ERROR, "%s: cannot read the key file: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        if (n == 0 || (used += (size_t)n) > ZC__KEY_FILE_MAX) break;
    }
    close(fd);
    return (long)used;
}

/* The binary key line of a secret key file's text, checked; NULL when fine, else why. */
static const char *zc__parse_secret(const char *text, size_t length, zc_secret_key *out) {
    if (length > ZC__KEY_FILE_MAX) return "the file is larger than 4096 bytes: not a zcpack key file";
    if (memchr(text, 0, length)) return "the file holds a NUL byte: not a zcpack key file";
    const char *end = text + length, *line = memchr(text, '\n', length);
    if (!line) return "no key line after the comment line: not a zcpack key file";
    line++;
    const char *line_end = memchr(line, '\n', (size_t)(end - line));
    if (line_end && line_end + 1 != end) return "text after the key line: not a zcpack key file";
    if (!line_end) line_end = end;
    if (line_end > line && line_end[-1] == '\r') line_end--;
    uint8_t bin[ZC__SECRET_LINE_SIZE + 64];
    size_t bin_len = 0;
    const char *b64_end = NULL;
    int bad = sodium_base642bin(bin, sizeof bin, line, (size_t)(line_end - line), NULL, &bin_len, &b64_end,
                                sodium_base64_VARIANT_ORIGINAL) != 0 || b64_end != line_end;
    const char *why = NULL;
    if (bad) why = "the key line is not base64: the file is damaged or not a zcpack key file";
    else if (bin_len >= 2 && memcmp(bin, "ZP", 2) == 0) why = "this is a public key file; signing needs the .key file";
    else if (bin_len != ZC__SECRET_LINE_SIZE || memcmp(bin, "ZS", 2) != 0)
        why = "the key line does not hold a zcpack secret key (wrong size or prefix)";
    else if ((unsigned)(bin[2] | bin[3] << 8) != ZC_SIGNATURE_ED25519_BLAKE2B)
        why = "unknown signature algorithm (a key from a later zcpack?)";
    if (!why) {
        uint8_t pk[ZC_PUBLIC_KEY_SIZE], sk[ZC_SECRET_KEY_SIZE], id[ZC_KEY_ID_SIZE];
        const uint8_t *stored = bin + 4 + ZC_KEY_ID_SIZE;
        crypto_sign_seed_keypair(pk, sk, stored); /* the seed is the first 32 bytes */
        zc__derive_key_id(pk, id);
        if (memcmp(sk, stored, ZC_SECRET_KEY_SIZE) != 0)
            why = "the public half does not match the seed: the file is damaged";
        else if (memcmp(id, bin + 4, ZC_KEY_ID_SIZE) != 0)
            why = "the key id does not match the key: the file is damaged";
        out->public_key.algorithm = ZC_SIGNATURE_ED25519_BLAKE2B;
        memcpy(out->public_key.key_id, id, ZC_KEY_ID_SIZE);
        memcpy(out->public_key.key, pk, ZC_PUBLIC_KEY_SIZE);
        memcpy(out->secret, sk, ZC_SECRET_KEY_SIZE);
        sodium_memzero(sk, sizeof sk);
    }
    sodium_memzero(bin, sizeof bin);
    return why;
}

zc_result zc_secret_key_read(const char *path, zc_secret_key *out, zc_logger logger) {
    if (!path || !out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    zc__sodium_ready();
    char text[ZC__KEY_FILE_MAX + 1];
    long length = zc__read_key_file(path, text, logger);
    if (length < 0) return ZC_ERR_IO;
    const char *why = zc__parse_secret(text, (size_t)length, out);
    sodium_memzero(text, sizeof text);
    if (!why) return ZC_OK;
    zc_secret_key_wipe(out);
    zc__sign_log(logger, ZC_LOG_ERROR, "%s: secret key: %s", path, why);
    return ZC_ERR_SIGNATURE;
}

/* The runtime's parser logs "public key: ..."; the packer's messages name the file. */
static void zc__public_log(zc_log_level level, const char *message, void *user_data) {
    const zc_logger *to = (const zc_logger *)((const void *const *)user_data)[0];
    const char *path = (const char *)((const void *const *)user_data)[1];
    zc__sign_log(*to, level, "%s: %s", path, message);
}

zc_result zc_public_key_read(const char *path, zc_public_key *out, zc_logger logger) {
    if (!path || !out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    char text[ZC__KEY_FILE_MAX + 1];
    long length = zc__read_key_file(path, text, logger);
    if (length < 0) return ZC_ERR_IO;
    const void *context[2] = { &logger, path };
    zc_logger named = { zc__public_log, (void *)context };
    return zc_public_key_parse(text, (size_t)length, out, &named);
}

void zc_secret_key_sign(const zc_secret_key *key, const uint8_t message[ZC_SIGNED_MESSAGE_SIZE],
                        uint8_t out[ZC_SIGNATURE_SIZE]) {
    zc__sodium_ready();
    crypto_sign_detached(out, NULL, message, ZC_SIGNED_MESSAGE_SIZE, key->secret);
}

void zc_secret_key_wipe(zc_secret_key *key) {
    if (key) sodium_memzero(key, sizeof *key);
}

/* ---------------------------------------------------------------------------------
 * keygen
 * ------------------------------------------------------------------------------- */

/* Write a key file's two lines to a new file (O_EXCL | O_NOFOLLOW, `mode`): the
 * comment, then base64 of the `size` bytes of `line`. ZC_OK, or ZC_ERR_IO (logged;
 * a half-written file is removed). */
static zc_result zc__write_key_file(const char *path, int mode, const char *comment, const uint8_t *line, size_t size,
                                    zc_logger logger) {
    char text[512];
    int n = snprintf(text, sizeof text, "%s\n", comment);
    if (n < 0 || (size_t)n >= sizeof text || sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL) + 1 >
                                                 sizeof text - (size_t)n)
        return ZC_ERR_INVALID_ARGUMENT;
    sodium_bin2base64(text + n, sizeof text - (size_t)n, line, size, sodium_base64_VARIANT_ORIGINAL);
    size_t length = strlen(text);
    text[length++] = '\n';
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (mode_t)mode);
    if (fd < 0) {
        int err = errno;
        zc__sign_log(logger, ZC_LOG_ERROR, "%s: cannot create the key file: %s%s", path, strerror(err),
                     err == EEXIST ? " (keygen never overwrites a key)" : "");
        sodium_memzero(text, sizeof text);
        return ZC_ERR_IO;
    }
    size_t done = 0;
    int err = 0;
    while (done < length && !err) {
        ssize_t w = write(fd, text + done, length - done);
        if (w < 0 && errno != EINTR) err = errno;
        if (w > 0) done += (size_t)w;
    }
    if (!err && fsync(fd) != 0 && errno != EINVAL) err = errno;
    if (close(fd) != 0 && !err && errno != EINTR) err = errno;
    sodium_memzero(text, sizeof text);
    if (!err) return ZC_OK;
    zc__sign_log(logger, ZC_LOG_ERROR, "%s: cannot write the key file: %s", path, strerror(err));
    unlink(path);
    return ZC_ERR_IO;
}

zc_result zc_keygen(const char *base, zc_logger logger, zc_public_key *out_public) {
    if (!base || !base[0]) return ZC_ERR_INVALID_ARGUMENT;
    char secret_path[4096], public_path[4096];
    if (snprintf(secret_path, sizeof secret_path, "%s.key", base) >= (int)sizeof secret_path ||
        snprintf(public_path, sizeof public_path, "%s.pub", base) >= (int)sizeof public_path) {
        zc__sign_log(logger, ZC_LOG_ERROR, "%s: key file name too long", base);
        return ZC_ERR_INVALID_ARGUMENT;
    }
    /* Refuse before making anything when the public file is in the way; the secret
     * file's O_EXCL refuses its own. */
    struct stat st;
    if (lstat(public_path, &st) == 0) {
        zc__sign_log(logger, ZC_LOG_ERROR, "%s: the public key file exists already (keygen never overwrites a key)",
                     public_path);
        return ZC_ERR_IO;
    }
    zc__sodium_ready();
    zc_secret_key key;
    memset(&key, 0, sizeof key);
    crypto_sign_keypair(key.public_key.key, key.secret);
    key.public_key.algorithm = ZC_SIGNATURE_ED25519_BLAKE2B;
    zc__derive_key_id(key.public_key.key, key.public_key.key_id);
    char id[2 * ZC_KEY_ID_SIZE + 1], comment[160];
    zc_key_id_text(key.public_key.key_id, id);

    uint8_t line[ZC__SECRET_LINE_SIZE];
    memcpy(line, "ZS", 2);
    line[2] = ZC_SIGNATURE_ED25519_BLAKE2B & 0xFF;
    line[3] = ZC_SIGNATURE_ED25519_BLAKE2B >> 8;
    memcpy(line + 4, key.public_key.key_id, ZC_KEY_ID_SIZE);
    memcpy(line + 4 + ZC_KEY_ID_SIZE, key.secret, ZC_SECRET_KEY_SIZE);
    snprintf(comment, sizeof comment, "zcpack secret key %s (unencrypted: whoever reads this file can sign as this key)",
             id);
    zc_result r = zc__write_key_file(secret_path, 0600, comment, line, ZC__SECRET_LINE_SIZE, logger);
    memcpy(line, "ZP", 2);
    memcpy(line + 4 + ZC_KEY_ID_SIZE, key.public_key.key, ZC_PUBLIC_KEY_SIZE);
    snprintf(comment, sizeof comment, "zcpack public key %s", id);
    if (r == ZC_OK && (r = zc__write_key_file(public_path, 0644, comment, line, ZC__PUBLIC_LINE_SIZE, logger)) != ZC_OK)
        unlink(secret_path);
    sodium_memzero(line, sizeof line);
    if (r == ZC_OK && out_public) *out_public = key.public_key;
    zc_secret_key_wipe(&key);
    return r;
}
