/* fuzz_model.c - libFuzzer target: the model importer in process (first byte: the
 * extension and settings). Crashes inside assimp itself are expected and sorted out by
 * tools/fuzz.sh (tests/fuzz/README.md).
 * The work is zcf_model in zc_fuzz_walk.h, shared with the replay suite
 * (tests/test_fuzz_replay.c). Built and run by tools/fuzz.sh (make fuzz). */
#include "zc_fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    zcf_model(data, size);
    return 0;
}
