/* zc_test_live.h - small fixtures of the hot reload suites (editor builds only:
 * ZC_EDITOR), shared by test_reload.c and test_reload_stress.c.
 */
#ifndef ZC_TEST_LIVE_H
#define ZC_TEST_LIVE_H

#ifdef ZC_EDITOR
#include <criterion/criterion.h>

#include "zc_live.h"

/* libuv opens two descriptors once per process, with its first loop (the pipe of its
 * signal handling), and keeps them: open and close one watching live pack on `path`
 * before taking a descriptor baseline. */
static inline void zctl_warm_up_libuv(const char *path) {
    zc_live_pack *live;
    cr_assert_eq(zc_live_open(&live, &(zc_live_desc){ .path = path, .watch = 1 }), ZC_OK);
    zc_live_close(live);
}

/* The live pack's counters (asserted to succeed). */
static inline zc_live_stats zctl_stats(zc_live_pack *live) {
    zc_live_stats s;
    cr_assert_eq(zc_live_get_stats(live, &s), ZC_OK);
    return s;
}
#endif

#endif /* ZC_TEST_LIVE_H */
