/* fuzz_model_reply.c - libFuzzer target: the isolated model import's reply reader on arbitrary replies.
 * The work is zcf_model_reply in zc_fuzz_walk.h, shared with the replay suite
 * (tests/test_fuzz_replay.c). Built and run by tools/fuzz.sh (make fuzz). */
#include "zc_fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    zcf_model_reply(data, size);
    return 0;
}
