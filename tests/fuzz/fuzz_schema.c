/* fuzz_schema.c - libFuzzer target: a schema entry through the generated validator and
 * the schema interpreter, which must agree, and the generated dumper on what passes.
 * The work is zcf_schema in zc_fuzz_walk.h (zc_fuzz_schema.c), shared with the replay
 * suite (tests/test_fuzz_replay.c). Built and run by tools/fuzz.sh (make fuzz). */
#include "zc_fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    zcf_schema(data, size);
    return 0;
}
