/* zc_test_alloc_wrap.h - make malloc fail on demand in the code the test program links
 * statically: the packer library (which calls malloc directly, stb included), the
 * runtime library's default allocator, and the suites themselves.
 *
 * The test program is linked with -Wl,--wrap=malloc (and calloc, realloc, free,
 * strdup, strndup; premake5.lua), so every such call made by an object file of the
 * program lands in zc_test_alloc_wrap.c, while shared libraries (libc's own
 * internals, zstd, libuv, cJSON, assimp, Criterion) keep calling the real functions.
 * Disarmed, the wrappers pass every call through. Armed, they count allocation calls,
 * fail the chosen ones (returning NULL with errno ENOMEM, as malloc does) and record
 * every pointer handed out, so a test sees what an operation left allocated.
 *
 * No header is put in front of blocks and pointers are never changed, so memory from
 * a wrapped malloc may be freed or reallocated by libc itself (getline) and the
 * reverse. Under AddressSanitizer __real_malloc is ASan's malloc: the wrappers work
 * there too and LeakSanitizer still sees every block.
 *
 * Threads and processes: the wrappers are thread-safe (the libuv pool's threads
 * allocate during a build). A child forked while armed (a model worker forked from
 * the packer, zc__model_server_off) counts its calls in the same sequence as its parent, so the Nth call fails
 * wherever it happens and the report's calls and failed include the child's; live
 * counts this process only. Arm and disarm from the test's thread while no other
 * thread or child of the operation runs.
 */
#ifndef ZC_TEST_ALLOC_WRAP_H
#define ZC_TEST_ALLOC_WRAP_H

#include <stddef.h>

typedef struct zct_wrap_report {
    long calls;                 /* allocation calls while armed, failed ones included
                                   (forked children's too) */
    long failed;                /* calls made to fail (forked children's too) */
    long live;                  /* blocks allocated while armed and not freed since */
    int overflow;               /* the pointer table filled up: live is a lower bound */
    size_t largest;             /* the most bytes one call asked for (forked children's too) */
} zct_wrap_report;

/* Start counting allocation calls from 0 and recording pointers. fail_at >= 0 makes
 * call number fail_at (0-based) fail, and with once == 0 every later call as well;
 * fail_at < 0 only counts. */
void zct_wrap_arm(long fail_at, int once);

/* Keep counting and recording, but fail no more calls (for the clean-up after an
 * operation whose leftovers are counted). */
void zct_wrap_stop_failing(void);

/* Stop, and report on the window since zct_wrap_arm. */
zct_wrap_report zct_wrap_disarm(void);

#endif /* ZC_TEST_ALLOC_WRAP_H */
