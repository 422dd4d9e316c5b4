/* fuzz_zstd.c - libFuzzer target: the zstd entry path: a compressed entry built around the input, decoded and walked.
 * The work is zcf_zstd in zc_fuzz_walk.h, shared with the replay suite
 * (tests/test_fuzz_replay.c). Built and run by tools/fuzz.sh (make fuzz). */
#include "zc_fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    zcf_zstd(data, size);
    return 0;
}
