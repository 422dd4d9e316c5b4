/* fuzz_image.c - libFuzzer target: the texture importer on an image in memory (first byte: the settings).
 * The work is zcf_image in zc_fuzz_walk.h, shared with the replay suite
 * (tests/test_fuzz_replay.c). Built and run by tools/fuzz.sh (make fuzz). */
#include "zc_fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    zcf_image(data, size);
    return 0;
}
