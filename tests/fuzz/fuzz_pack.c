/* fuzz_pack.c - libFuzzer target: a pack in memory, opened at full validation and walked entry by entry.
 * The work is zcf_pack in zc_fuzz_walk.h, shared with the replay suite
 * (tests/test_fuzz_replay.c). Built and run by tools/fuzz.sh (make fuzz). */
#include "zc_fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    zcf_pack(data, size);
    return 0;
}
