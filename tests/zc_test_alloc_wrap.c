/* zc_test_alloc_wrap.c - the malloc wrappers of zc_test_alloc_wrap.h.
 *
 * The linker sends the program's own calls to malloc & co. here (-Wl,--wrap=...);
 * __real_<name> is the C library's function (ASan's under the sanitizers).
 *
 * The call counter and the failure plan live in a shared anonymous mapping, so a
 * child forked while armed (a model worker forked from the packer) counts its calls in the
 * same sequence as its parent and fails the same ones; the parent's report includes
 * them. While armed, every pointer handed out in this process is kept in an
 * open-addressing table (linear probing, tombstones for removed pointers, rebuilt
 * when tombstones crowd it) so that frees made inside the window cancel their
 * allocations and what is left is a leak of the window.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "zc_test_alloc_wrap.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *ptr, size_t size);
void __real_free(void *ptr);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__real_aligned_alloc(size_t alignment, size_t size);
int __real_posix_memalign(void **out, size_t alignment, size_t size);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *ptr, size_t size);
void __wrap_free(void *ptr);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
void *__wrap_aligned_alloc(size_t alignment, size_t size);
int __wrap_posix_memalign(void **out, size_t alignment, size_t size);

#define ZCT__WRAP_SLOTS ((size_t)1 << 17)
#define ZCT__TOMBSTONE ((void *)(uintptr_t)1)

/* Shared with forked children (lock-free atomics, so no lock crosses processes). */
typedef struct zct__plan {
    atomic_long calls;          /* allocation calls since arming */
    atomic_long failed;         /* calls made to fail */
    atomic_size_t largest;      /* the most bytes one call asked for */
    long fail_at;               /* -1: none */
    int once;
    atomic_int failing;         /* 0 after zct_wrap_stop_failing */
} zct__plan;

static atomic_int zct__armed;           /* read without the lock on every call */
static zct__plan *zct__shared;          /* mapped at the first arming */
static pthread_mutex_t zct__lock = PTHREAD_MUTEX_INITIALIZER; /* the table, in this process */
static pthread_once_t zct__once = PTHREAD_ONCE_INIT;
static int zct__overflow;
static size_t zct__live, zct__tombstones;
static void *zct__table[ZCT__WRAP_SLOTS];
static void *zct__scratch[ZCT__WRAP_SLOTS];

/* ---------------------------------------------------------------------------------
 * Pointer table (lock held)
 * ------------------------------------------------------------------------------- */

static size_t zct__hash(const void *p) {
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (size_t)x & (ZCT__WRAP_SLOTS - 1);
}

static void zct__place(void **table, void *p) {
    size_t i = zct__hash(p);
    while (table[i] && table[i] != ZCT__TOMBSTONE) i = (i + 1) & (ZCT__WRAP_SLOTS - 1);
    table[i] = p;
}

/* Rebuild the table without its tombstones. */
static void zct__rehash(void) {
    memset(zct__scratch, 0, sizeof zct__scratch);
    for (size_t i = 0; i < ZCT__WRAP_SLOTS; ++i)
        if (zct__table[i] && zct__table[i] != ZCT__TOMBSTONE) zct__place(zct__scratch, zct__table[i]);
    memcpy(zct__table, zct__scratch, sizeof zct__table);
    zct__tombstones = 0;
}

static void zct__insert(void *p) {
    if (zct__live + zct__tombstones >= ZCT__WRAP_SLOTS / 4 * 3) zct__rehash();
    if (zct__live >= ZCT__WRAP_SLOTS / 4 * 3) {
        zct__overflow = 1;
        return;
    }
    size_t i = zct__hash(p);
    while (zct__table[i] && zct__table[i] != ZCT__TOMBSTONE) i = (i + 1) & (ZCT__WRAP_SLOTS - 1);
    if (zct__table[i] == ZCT__TOMBSTONE) zct__tombstones--;
    zct__table[i] = p;
    zct__live++;
}

/* 1 when p was recorded (and is now forgotten). */
static int zct__remove(const void *p) {
    size_t i = zct__hash(p);
    for (size_t n = 0; n < ZCT__WRAP_SLOTS && zct__table[i]; ++n, i = (i + 1) & (ZCT__WRAP_SLOTS - 1)) {
        if (zct__table[i] != p) continue;
        zct__table[i] = ZCT__TOMBSTONE;
        zct__tombstones++;
        zct__live--;
        return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------------------------
 * Arming
 * ------------------------------------------------------------------------------- */

static void zct__lock_for_fork(void) { pthread_mutex_lock(&zct__lock); }
static void zct__unlock_after_fork(void) { pthread_mutex_unlock(&zct__lock); }

static void zct__setup(void) {
    pthread_atfork(zct__lock_for_fork, zct__unlock_after_fork, zct__unlock_after_fork);
    void *page = mmap(NULL, sizeof(zct__plan), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) abort(); /* a test helper without its plan cannot run at all */
    zct__shared = (zct__plan *)page;
}

void zct_wrap_arm(long fail_at, int once) {
    pthread_once(&zct__once, zct__setup);
    pthread_mutex_lock(&zct__lock);
    memset(zct__table, 0, sizeof zct__table);
    zct__live = zct__tombstones = 0;
    zct__overflow = 0;
    atomic_store(&zct__shared->calls, 0);
    atomic_store(&zct__shared->failed, 0);
    atomic_store(&zct__shared->largest, 0);
    zct__shared->fail_at = fail_at;
    zct__shared->once = once;
    atomic_store(&zct__shared->failing, fail_at >= 0);
    atomic_store(&zct__armed, 1);
    pthread_mutex_unlock(&zct__lock);
}

void zct_wrap_stop_failing(void) {
    if (zct__shared) atomic_store(&zct__shared->failing, 0);
}

zct_wrap_report zct_wrap_disarm(void) {
    zct_wrap_report report = { 0, 0, 0, 0, 0 };
    if (!zct__shared) return report;
    pthread_mutex_lock(&zct__lock);
    atomic_store(&zct__armed, 0);
    atomic_store(&zct__shared->failing, 0);
    report.calls = atomic_load(&zct__shared->calls);
    report.failed = atomic_load(&zct__shared->failed);
    report.live = (long)zct__live;
    report.overflow = zct__overflow;
    report.largest = atomic_load(&zct__shared->largest);
    pthread_mutex_unlock(&zct__lock);
    return report;
}

/* Count one allocation call of `size` bytes; 1 when it must fail. */
static int zct__should_fail(size_t size) {
    zct__plan *p = zct__shared;
    long call = atomic_fetch_add(&p->calls, 1);
    size_t seen = atomic_load(&p->largest);
    while (size > seen && !atomic_compare_exchange_weak(&p->largest, &seen, size)) {
    }
    int fail = atomic_load(&p->failing) && (p->once ? call == p->fail_at : call >= p->fail_at);
    if (fail) atomic_fetch_add(&p->failed, 1);
    return fail;
}

/* ---------------------------------------------------------------------------------
 * Wrappers
 * ------------------------------------------------------------------------------- */

/* Allocation calls all take this shape: count, maybe fail, else allocate and record. */
#define ZCT__ALLOCATE(size, expr)                                                                                        \
    do {                                                                                                              \
        if (!atomic_load_explicit(&zct__armed, memory_order_relaxed)) return (expr);                                 \
        pthread_mutex_lock(&zct__lock);                                                                               \
        if (zct__should_fail(size)) {                                                                                 \
            pthread_mutex_unlock(&zct__lock);                                                                         \
            errno = ENOMEM;                                                                                           \
            return NULL;                                                                                              \
        }                                                                                                             \
        void *zct__p = (void *)(expr);                                                                                \
        if (zct__p) zct__insert(zct__p);                                                                              \
        pthread_mutex_unlock(&zct__lock);                                                                             \
        return zct__p;                                                                                                \
    } while (0)

void *__wrap_malloc(size_t size) { ZCT__ALLOCATE(size, __real_malloc(size)); }

void *__wrap_calloc(size_t count, size_t size) {
    ZCT__ALLOCATE(size && count > SIZE_MAX / size ? SIZE_MAX : count * size, __real_calloc(count, size));
}

char *__wrap_strdup(const char *s) { ZCT__ALLOCATE(strlen(s) + 1, __real_strdup(s)); }

char *__wrap_strndup(const char *s, size_t n) { ZCT__ALLOCATE(strnlen(s, n) + 1, __real_strndup(s, n)); }

void *__wrap_aligned_alloc(size_t alignment, size_t size) { ZCT__ALLOCATE(size, __real_aligned_alloc(alignment, size)); }

int __wrap_posix_memalign(void **out, size_t alignment, size_t size) {
    if (!atomic_load_explicit(&zct__armed, memory_order_relaxed)) return __real_posix_memalign(out, alignment, size);
    pthread_mutex_lock(&zct__lock);
    int e = zct__should_fail(size) ? ENOMEM : __real_posix_memalign(out, alignment, size);
    if (e == 0) zct__insert(*out);
    pthread_mutex_unlock(&zct__lock);
    return e;
}

/* realloc(NULL, n) is an allocation; realloc(p, n) that fails leaves p as it was. A
 * block recorded before moves with its new address; one from before the window stays
 * unrecorded wherever it moves. */
void *__wrap_realloc(void *ptr, size_t size) {
    if (!atomic_load_explicit(&zct__armed, memory_order_relaxed)) return __real_realloc(ptr, size);
    pthread_mutex_lock(&zct__lock);
    if (zct__should_fail(size)) {
        pthread_mutex_unlock(&zct__lock);
        errno = ENOMEM;
        return NULL;
    }
    int recorded = ptr ? zct__remove(ptr) : 1;
    void *p = __real_realloc(ptr, size);
    if (p && recorded) zct__insert(p);
    else if (!p && ptr && size && recorded) zct__insert(ptr); /* the real realloc failed: ptr lives on */
    pthread_mutex_unlock(&zct__lock);
    return p;
}

void __wrap_free(void *ptr) {
    if (ptr && atomic_load_explicit(&zct__armed, memory_order_relaxed)) {
        pthread_mutex_lock(&zct__lock);
        zct__remove(ptr);
        pthread_mutex_unlock(&zct__lock);
    }
    __real_free(ptr);
}
