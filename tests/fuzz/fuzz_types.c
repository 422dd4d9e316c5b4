/* fuzz_types.c - libFuzzer target: each type's validator (first byte: the type) and the view walk of what passes.
 * The work is zcf_types in zc_fuzz_walk.h, shared with the replay suite
 * (tests/test_fuzz_replay.c). Built and run by tools/fuzz.sh (make fuzz). */
#include "zc_fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    zcf_types(data, size);
    return 0;
}
