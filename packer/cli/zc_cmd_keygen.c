/* zc_cmd_keygen.c - `zcpack keygen <name>`: a new signing key pair, <name>.key and
 * <name>.pub (zc_sign.h; SPEC.md section 15). */
#include <stdio.h>

#include "zc_cli.h"
#include "zc_sign.h"

static const char zc__keygen_help[] =
    "Usage: zcpack keygen <name>\n"
    "\n"
    "Make a new Ed25519 key pair for signing packs and write it as two text files:\n"
    "<name>.key, the secret key (mode 0600), and <name>.pub, the public key that\n"
    "readers trust (zcpack verify --key, zc_pack_desc.trusted_keys). Prints the key id.\n"
    "Never overwrites: when either file exists, nothing is written (exit 3).\n"
    "\n"
    "The secret key file is NOT encrypted: whoever can read it can sign packs as you.\n"
    "Keep it off shared machines and out of version control; give only the .pub file\n"
    "away.\n"
    "\n"
    "Options:\n"
    "  -h, --help  show this help\n";

typedef struct zc__keygen_values {
    int unused;
} zc__keygen_values;

static const zc_cli_option zc__keygen_options[] = {
    ZC_OPT_END,
};

static int zc__keygen_run(const zc_cli_call *call) {
    const char *base = call->operands[0];
    if (!base[0]) return zc__usage_error("keygen", "empty key file name");
    zc_public_key key;
    zc_logger logger = { zc__cli_log, NULL };
    zc_result r = zc_keygen(base, logger, &key);
    if (r != ZC_OK) {
        zc__fail_on(base, r);
        return r == ZC_ERR_INVALID_ARGUMENT ? ZC_EXIT_USAGE : ZC_EXIT_IO;
    }
    char id[2 * ZC_KEY_ID_SIZE + 1];
    zc_key_id_text(key.key_id, id);
    printf("%s.key: secret key %s (keep it private)\n%s.pub: public key %s\n", base, id, base, id);
    return ZC_EXIT_OK;
}

const zc_command zc__cmd_keygen = {
    "keygen", "keygen <name>", "make a signing key pair <name>.key, <name>.pub", zc__keygen_help,
    ZC_EXITS(OK) | ZC_EXITS(USAGE) | ZC_EXITS(IO),
    zc__keygen_options, sizeof(zc__keygen_values), 1, "key file name", zc__keygen_run,
};
