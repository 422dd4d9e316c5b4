/* zc_pack_holds.c - counting a pack's holds per stripe of threads, and freeing the pack
 * after its last reference and its last hold (zc_pack_internal.h).
 */
#include "zc_pack_internal.h"

/* ---------------------------------------------------------------------------------
 * Holds
 *
 * A hold adds one to its thread's stripe of pack->holds and a release subtracts one
 * from the releasing thread's stripe: no line is shared by two threads' holds. Freeing
 * needs the sum, which no thread can read at once, so the last reference closes the
 * stripes one by one: it sets ZC__HOLD_CLOSED in each with one atomic OR, which also
 * reads that stripe's count, and adds the counts to closing_holds. A release that
 * finds CLOSED already set in its stripe was not in that count and subtracts its hold
 * from closing_holds instead; one that finds it unset was, and must not touch the pack
 * again (the closer may free it at once). closing_holds starts at ZC__HOLD_BIAS, which
 * the closer subtracts after the last stripe, so a release on a closed stripe whose
 * hold was taken on a stripe not yet closed cannot take it to zero early. Every hold
 * is taken before the last reference goes, so it reaches zero exactly once: when the
 * closer has added every stripe and every hold is released. Whoever takes it to zero
 * frees the pack.
 * ------------------------------------------------------------------------------- */

static _Atomic uint32_t zc__stripes_dealt;
static _Thread_local uint32_t zc__my_stripe; /* stripe + 1; 0 until the first call */

uint32_t zc__thread_stripe(void) {
    if (!zc__my_stripe)
        zc__my_stripe = 1 + atomic_fetch_add_explicit(&zc__stripes_dealt, 1, memory_order_relaxed) % ZC__HOLD_STRIPES;
    return zc__my_stripe - 1;
}

void zc__pack_hold(zc_pack *pack) {
    atomic_fetch_add_explicit(&pack->holds[zc__thread_stripe()].word, 1, memory_order_relaxed);
}

void zc__pack_unhold(zc_pack *pack) {
    /* RELEASE: this hold's reads of the pack happen before a closer frees it. */
    int64_t old = atomic_fetch_sub_explicit(&pack->holds[zc__thread_stripe()].word, 1, memory_order_acq_rel);
    if (!(old & ZC__HOLD_CLOSED)) return;
    if (atomic_fetch_sub_explicit(&pack->closing_holds, 1, memory_order_acq_rel) == 1) zc__pack_free(pack);
}

int zc__pack_only_ref(const zc_pack *pack) {
    zc_pack *p = (zc_pack *)pack;
    if (atomic_load_explicit(&p->refs, memory_order_acquire) != 1u) return 0;
    int64_t held = 0;
    for (int i = 0; i < ZC__HOLD_STRIPES; ++i)
        held += atomic_load_explicit(&p->holds[i].word, memory_order_acquire) - ZC__HOLD_BIAS;
    return held == 0;
}

int zc__pack_holds_close(zc_pack *pack) {
    atomic_store_explicit(&pack->closing_holds, ZC__HOLD_BIAS, memory_order_relaxed);
    for (int i = 0; i < ZC__HOLD_STRIPES; ++i) {
        int64_t old = atomic_fetch_or_explicit(&pack->holds[i].word, ZC__HOLD_CLOSED, memory_order_acq_rel);
        atomic_fetch_add_explicit(&pack->closing_holds, old - ZC__HOLD_BIAS, memory_order_acq_rel);
    }
    return atomic_fetch_sub_explicit(&pack->closing_holds, ZC__HOLD_BIAS, memory_order_acq_rel) == ZC__HOLD_BIAS;
}
