/* fuzz_toc.c - libFuzzer target: the header and TOC checks on raw bytes.
 * The work is zcf_toc in zc_fuzz_walk.h, shared with the replay suite
 * (tests/test_fuzz_replay.c). Built and run by tools/fuzz.sh (make fuzz). */
#include "zc_fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    zcf_toc(data, size);
    return 0;
}
