/* zc_cmd_sign.c - `zcpack sign <pack> <secret-key>`: sign an existing pack in place
 * (zc_sign_pack_file). */
#include <stdio.h>

#include "zc_cli.h"
#include "zc_sign.h"

static const char zc__sign_help[] =
    "Usage: zcpack sign <pack> <secret-key>\n"
    "\n"
    "Sign <pack> with the secret key file <secret-key> (from zcpack keygen). The pack\n"
    "is verified completely first; its entries are then copied as they are stored\n"
    "into a new pack with a 256-byte header holding the signature, which is verified\n"
    "(signature included) and renamed over <pack>: on any error <pack> is left as it\n"
    "was. The result is byte for byte what `zcpack build --sign` writes for the same\n"
    "tree. Signing a signed pack again replaces its signature; with the same key the\n"
    "file does not change (Ed25519 signatures are deterministic).\n"
    "\n"
    "Options:\n"
    "  -h, --help  show this help\n";

typedef struct zc__sign_values {
    int unused;
} zc__sign_values;

static const zc_cli_option zc__sign_options[] = {
    ZC_OPT_END,
};

static int zc__sign_run(const zc_cli_call *call) {
    const char *pack_path = call->operands[0], *key_path = call->operands[1];
    zc_logger logger = { zc__cli_log, NULL };
    zc_secret_key key;
    zc_result r = zc_secret_key_read(key_path, &key, logger);
    if (r != ZC_OK) return r == ZC_ERR_IO ? ZC_EXIT_IO : ZC_EXIT_SIGNATURE;
    r = zc_sign_pack_file(pack_path, &key, logger);
    char id[2 * ZC_KEY_ID_SIZE + 1];
    zc_key_id_text(key.public_key.key_id, id);
    zc_secret_key_wipe(&key);
    if (r != ZC_OK) {
        zc__fail_on(pack_path, r);
        return zc__exit_for_pack(r);
    }
    printf("%s: signed by key %s\n", pack_path, id);
    return ZC_EXIT_OK;
}

const zc_command zc__cmd_sign = {
    "sign", "sign <pack> <secret-key>", "sign a pack with a key from keygen", zc__sign_help,
    ZC_EXITS(OK) | ZC_EXITS(INTERNAL) | ZC_EXITS(USAGE) | ZC_EXITS(IO) | ZC_EXITS(CORRUPT) | ZC_EXITS(SIGNATURE),
    zc__sign_options, sizeof(zc__sign_values), 2, "pack file and secret key file", zc__sign_run,
};
