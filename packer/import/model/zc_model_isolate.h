/* zc_model_isolate.h - internal: the fault-injection hook of the isolated model
 * import (zc_model_isolate.c), in the manner of SQLite's test controls.
 *
 * Real inputs cover the crash and the hang (tests/test_model_build.c uses a truncated
 * MD5 mesh that makes assimp 5.2.5 dereference a bad pointer, and a truncated PLY
 * header that makes it loop forever). What no real input produces is a child that
 * answers with a malformed or lying reply; this hook lets a test make the child do
 * that, and also crash, hang or exit on demand whatever the assimp version. The
 * header also states the isolation facts a test depends on: whether the child execs
 * and the memory cap it runs under.
 *
 * Only tests set the hook; the packer and the CLI never do, and it is declared in no
 * public header. Its value is read once per zc_model_import_file, before the fork, so
 * setting it while imports run on other threads affects only the imports that start
 * afterwards. Packer-internal: zc__ prefix, no stability promise.
 */
#ifndef ZC_MODEL_ISOLATE_H
#define ZC_MODEL_ISOLATE_H

#include <stdint.h>

/* Whether the child execs this program again before importing (see the top of
 * zc_model_isolate.c). On by default under AddressSanitizer; -DZC_MODEL_CHILD_EXEC=1 forces it. */
#ifndef ZC_MODEL_CHILD_EXEC
#if defined(__SANITIZE_ADDRESS__)
#define ZC_MODEL_CHILD_EXEC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ZC_MODEL_CHILD_EXEC 1
#endif
#endif
#endif
#ifndef ZC_MODEL_CHILD_EXEC
#define ZC_MODEL_CHILD_EXEC 0
#endif

/* Bytes of address space an import child may map (RLIMIT_AS), set only when the child
 * does not exec (a sanitizer's shadow memory needs far more address space). */
#define ZC__MODEL_CHILD_ADDRESS_SPACE ((uint64_t)4 << 30)

#ifdef __cplusplus
extern "C" {
#endif

typedef enum zc__model_fault {
    ZC__MODEL_FAULT_NONE = 0,       /* the normal import */
    ZC__MODEL_FAULT_CRASH,          /* the child raises SIGSEGV before importing */
    ZC__MODEL_FAULT_HANG,           /* the child sleeps until it is killed */
    ZC__MODEL_FAULT_EXIT,           /* the child exits with status 3 and sends nothing */
    ZC__MODEL_FAULT_GARBAGE,        /* the reply starts with bytes that are not its magic */
    ZC__MODEL_FAULT_TRUNCATED,      /* half of a real reply, then exit status 0 */
    ZC__MODEL_FAULT_HUGE_COUNT,     /* a header declaring 2^32 - 1 entries, then nothing */
    ZC__MODEL_FAULT_HUGE_SIZE,      /* a first entry declaring 8 GiB (under the cap), then exit 0 */
    ZC__MODEL_FAULT_BAD_PAYLOAD,    /* the real reply with the first payload's bytes scrambled */
    ZC__MODEL_FAULT_FOREIGN_PATH,   /* the real reply with an entry outside the model's paths */
    ZC__MODEL_FAULT_UNSORTED,       /* the real reply with its first two entries swapped */
    ZC__MODEL_FAULT_BAD_ERROR,      /* an error reply whose code is not a zc_result */
    ZC__MODEL_FAULT_LINGER,         /* the real reply, then the child sleeps instead of exiting */
    ZC__MODEL_FAULT_COUNT
} zc__model_fault;

/* The fault the next isolated imports inject (a zc__model_fault); 0 normally. Ignored
 * by imports with settings->in_process. */
extern int zc__model_child_fault;

#ifdef __cplusplus
}
#endif

#endif /* ZC_MODEL_ISOLATE_H */
