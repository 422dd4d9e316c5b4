/* zc_prefetch.c - asynchronous prefetch of entries on libuv (zc_prefetcher).
 *
 * Model. A request names entries; it becomes a list of pending items (asset ids, or
 * paths when a mount table resolves them). Requests with pending items sit in a binary
 * heap ordered by priority (higher first), then by request id (older first). The pump
 * takes the next item of the top request and hands it to libuv's thread pool
 * (uv_queue_work) as long as fewer than max_in_flight jobs are out. A job pages in a
 * range of the mapping (zc__pf_touch: madvise(MADV_POPULATE_READ), then a read of
 * every page) or acquires a compressed entry (the decode lands in the pack's cache)
 * and releases it at once. A request completes when it has no pending item and no
 * running job; its callback runs exactly once, on the loop thread, from a "done" list.
 *
 * Reads (pack mode). When a request is queued its entries are planned at once
 * (zc__pf_plan): the uncompressed ones are sorted by offset and neighbours (at most
 * ZC__PF_MERGE_GAP bytes apart) are coalesced into spans of up to ZC__PF_SPAN_MAX
 * bytes (a single entry is never cut); a span is one item, read by one job without a
 * hold (an uncompressed hold is only a pointer into the image, and the prefetcher
 * holds the pack). Items keep the order in which the request first named one of
 * their entries, so a consumer reading in that order finds its entries first. Then,
 * still inside zc_prefetch, the kernel is told about the whole plan at once: madvise
 * WILLNEED over every item's range in that order, in chunks the kernel reads in full,
 * up to ZC__PF_HINT_AHEAD bytes ahead; each job started later carries the next ranges
 * to hint so the window slides with the work. The kernel thus queues every read at
 * the device's depth right away, a consumer that touches an entry before its job ran
 * waits for a read already under way (instead of faulting it in with a synchronous
 * read-around), and the jobs only wait for pages and map them.
 *
 * Dependencies. For a pack, the dependency closure is expanded when the request is
 * queued: every id is looked up in the TOC then, so unknown names fail the call and
 * every entry of the closure is worked on once per request. For a mount table the
 * lookup itself happens in the job (zc_mounts_acquire decodes, so it must not run on
 * the caller's thread); a job reports the dependency list of the entry it held and
 * the loop thread queues the ids this request has not seen yet.
 *
 * Threads. One mutex guards all shared state: the request table, the heap, the done
 * list and the counters. Only the loop thread calls uv_queue_work, uv_cancel, the
 * callbacks and the handle functions. With an engine loop every public call is made
 * on that thread, so the pump runs directly in zc_prefetch; with the prefetcher's own
 * loop, calls from other threads change the shared state under the mutex and wake the
 * loop through a uv_async_t, whose callback pumps and delivers. A job's work function
 * touches only its own job and the pack; it takes the mutex once, at its end, to count
 * itself out (destroy waits on that count).
 *
 * Memory. Requests, their item lists and id sets come from malloc (zc_prefetch_desc has
 * no allocator hook); the max_in_flight job slots are allocated once, at create, so
 * starting work never allocates. Names are bounds-checked like every lookup; a job
 * re-checks an entry's range against the pack image before reading its pages.
 *
 * Ending. zc_prefetcher_destroy cancels every request, cancels queued jobs in libuv's
 * pool (uv_cancel), waits for running ones and delivers every callback. With an own
 * loop the loop thread does that and exits; destroy joins it and frees everything.
 * With an engine loop the memory that libuv still refers to (the async handle and the
 * finished jobs whose after-work callbacks are queued on the loop) is freed by the
 * loop's next run: by the handle's close callback or the last after-work callback.
 */
#include "zc_pack.h"
#include "zc_pack_internal.h"
#include "zc_os.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define ZC__PF_DEFAULT_IN_FLIGHT 4u
#define ZC__PF_MAX_IN_FLIGHT 1024u
#define ZC__PF_MERGE_GAP (32u << 10)    /* neighbours at most this far apart share a read */
#define ZC__PF_SPAN_MAX (2u << 20)      /* a span of several entries stays within this size */
#define ZC__PF_HINT_AHEAD (64u << 20)   /* bytes hinted (WILLNEED) ahead of the jobs */
/* One WILLNEED call: Linux reads at most max(read-ahead, largest request) per call
 * (128 KiB read-ahead by default), so longer ranges are hinted in these chunks. */
#define ZC__PF_HINT_CHUNK (128u << 10)
#define ZC__PF_JOB_HINTS 16u            /* ranges a job hints before its own read */
/* Ranges from this size on are not hinted: the fault read-around of MADV_POPULATE_READ
 * reads them in large folios and pipelines its own read-ahead, which bench_prefetch
 * measured several times faster than WILLNEED (page by page) on long runs. Below it,
 * the read-around would read far more than the range (8 MiB around a fault on a
 * device with that read-ahead). */
#define ZC__PF_HINT_SPAN_MAX (1u << 20)

/* ---------------------------------------------------------------------------------
 * Types
 * ------------------------------------------------------------------------------- */

typedef struct zc__pf_item {
    uint64_t id;                /* asset id (a span: its first-named entry's); unused when path is set */
    char *path;                 /* mounts mode, a name given as a path: owned */
    int is_dep;                 /* 1: reached through a dependency list (absence is no error) */
    /* Pack mode, set by zc__pf_plan; zero in mounts mode. */
    int span;                   /* 1: uncompressed entries read in place over [offset, offset + size) */
    int hinted;                 /* madvise WILLNEED already issued over the range */
    uint32_t entries;           /* a span: entries it covers */
    uint64_t offset, size;      /* stored range in the pack image (size 0: nothing to hint) */
    uint64_t raw_bytes;         /* a span: the raw sizes of its entries, summed */
} zc__pf_item;

/* A range of the pack image to hint. */
typedef struct zc__pf_range {
    uint64_t offset, size;
} zc__pf_range;

/* Set of 64-bit ids, open addressing; 0 is kept in a flag since it marks free slots. */
typedef struct zc__pf_idset {
    uint64_t *slots;
    uint32_t capacity;          /* power of two, or 0 */
    uint32_t count;
    int has_zero;
} zc__pf_idset;

typedef struct zc__pf_request {
    uint64_t id;
    int32_t priority;
    int no_deps;
    zc_prefetch_cb cb;
    void *user_data;
    zc_result status;           /* first entry error, or ZC_ERR_CANCELED */
    int canceled;
    int finished;               /* on the done list: nothing pending or running */
    zc__pf_item *items;         /* pending items [head, count) */
    uint32_t head, count, capacity;
    uint32_t running;           /* jobs of this request in the thread pool */
    zc__pf_idset seen;          /* ids this request has queued */
    uint32_t hint_next;         /* pack mode: first item not hinted yet */
    uint64_t hint_pending;      /* bytes hinted whose job has not started */
    int32_t heap_index;         /* position in the heap, -1 when not in it */
    struct zc__pf_request *next; /* request table chain (until the callback runs) */
    struct zc__pf_request *done_next; /* done list */
} zc__pf_request;

typedef struct zc__pf_job {
    uv_work_t work;             /* first member: the job is found from its uv_work_t */
    zc_prefetcher *pf;
    zc__pf_request *request;    /* NULL once destroy has detached it */
    zc__pf_item item;           /* owned by the job while it runs */
    int busy;                   /* queued with uv_queue_work, after-work callback not yet run */
    int follow_deps;            /* mounts mode: report the held entry's dependency list */
    /* results, written by the work function, read by the after-work callback */
    zc_result result;
    uint64_t resolved_id;       /* id of the entry held (mounts mode) */
    uint64_t *deps;             /* mounts mode: copy of its dependency list (malloc) */
    uint32_t deps_count;
    uint64_t bytes;             /* bytes paged in or decoded */
    uint32_t entries;           /* entries paged in or decoded */
    int held;                   /* the entry was found and held (a span: its range was valid) */
    zc__pf_range hints[ZC__PF_JOB_HINTS]; /* ranges to hint before the job's own read */
    uint32_t hint_count;
} zc__pf_job;

struct zc_prefetcher {
    zc_pack *pack;              /* pack mode (one reference held) */
    zc_mounts *mounts;          /* or mounts mode */
    zc_logger logger;
    uint32_t max_in_flight;
    size_t page_size;
    atomic_int populate_ok;     /* 0 once madvise(MADV_POPULATE_READ) answered EINVAL */

    uv_loop_t *loop;
    int own;                    /* 1: own_loop on `thread`; 0: the engine's loop */
    uv_loop_t own_loop;
    uv_thread_t thread;         /* own mode: the loop thread; engine mode: the creator */
    uv_async_t async;           /* wakes the loop: submit, cancel, stop, deferred delivery */
    int async_refed;            /* engine mode: async keeps the loop alive while requests live */
    int closing;                /* uv_close(async) called */
    int closed;                 /* its close callback ran */

    uv_mutex_t lock;            /* guards everything below */
    uv_cond_t work_idle;        /* signalled when work_active drops */
    uint64_t next_id;
    zc__pf_request **buckets;   /* request table: requests whose callback has not run, by id */
    uint32_t bucket_count, request_count;
    zc__pf_request **heap;      /* requests with pending items */
    uint32_t heap_count, heap_capacity;
    zc__pf_request *done_head, *done_tail; /* completed, callback not yet run */
    uint32_t live;              /* requests whose callback has not run */
    zc__pf_job *jobs;           /* max_in_flight slots */
    uint32_t jobs_busy;         /* slots whose after-work callback has not run */
    uint32_t work_active;       /* work functions queued or running */
    int stopping;               /* destroy has begun */
    int stop_handled;           /* the loop thread has canceled everything */
    uint64_t entries_done;      /* entries completed (internal counters, for tests) */
    uint64_t bytes_done;
    uint64_t reads_done;        /* jobs completed: one per span or entry */
};

/* ---------------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------------- */

static void zc__pf_log(const zc_prefetcher *pf, zc_log_level level, const char *message) {
    if (pf->logger.func) pf->logger.func(level, message, pf->logger.user_data);
}

static void zc__pf_check_thread(const zc_prefetcher *pf) {
#ifndef NDEBUG
    if (!pf->own) {
        uv_thread_t self = uv_thread_self();
        assert(uv_thread_equal(&self, &pf->thread) && "engine-loop prefetcher used off its loop thread");
    }
#else
    (void)pf;
#endif
}

static uint64_t zc__pf_hash(uint64_t x) {
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    return x;
}

/* 1 when id was added, 0 when it was there, -1 when out of memory. */
static int zc__idset_add(zc__pf_idset *set, uint64_t id) {
    if (id == 0) {
        if (set->has_zero) return 0;
        set->has_zero = 1;
        return 1;
    }
    if ((uint64_t)(set->count + 1) * 2 > set->capacity) {
        uint32_t capacity = set->capacity ? set->capacity * 2 : 16;
        if (capacity < set->capacity) return -1;
        uint64_t *slots = (uint64_t *)calloc(capacity, sizeof *slots);
        if (!slots) return -1;
        for (uint32_t i = 0; i < set->capacity; ++i) {
            uint64_t v = set->slots[i];
            if (!v) continue;
            uint32_t j = (uint32_t)zc__pf_hash(v) & (capacity - 1);
            while (slots[j]) j = (j + 1) & (capacity - 1);
            slots[j] = v;
        }
        free(set->slots);
        set->slots = slots;
        set->capacity = capacity;
    }
    uint32_t j = (uint32_t)zc__pf_hash(id) & (set->capacity - 1);
    while (set->slots[j]) {
        if (set->slots[j] == id) return 0;
        j = (j + 1) & (set->capacity - 1);
    }
    set->slots[j] = id;
    set->count++;
    return 1;
}

static void zc__idset_free(zc__pf_idset *set) {
    free(set->slots);
    memset(set, 0, sizeof *set);
}

static char *zc__pf_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *copy = (char *)malloc(n);
    if (copy) memcpy(copy, s, n);
    return copy;
}

/* Append a pending item (takes ownership of item.path). 0 or -1 when out of memory. */
static int zc__pf_push_item(zc__pf_request *rq, zc__pf_item item) {
    if (rq->count == rq->capacity) {
        if (rq->head > 0) { /* reuse the consumed front before growing */
            memmove(rq->items, rq->items + rq->head, (size_t)(rq->count - rq->head) * sizeof *rq->items);
            rq->count -= rq->head;
            rq->head = 0;
        }
    }
    if (rq->count == rq->capacity) {
        uint32_t capacity = rq->capacity ? rq->capacity * 2 : 8;
        if (capacity < rq->capacity) return -1;
        zc__pf_item *items = (zc__pf_item *)realloc(rq->items, (size_t)capacity * sizeof *items);
        if (!items) return -1;
        rq->items = items;
        rq->capacity = capacity;
    }
    rq->items[rq->count++] = item;
    return 0;
}

/* Free the pending items and the request's sets (not the request). */
static void zc__pf_drop_pending(zc__pf_request *rq) {
    for (uint32_t i = rq->head; i < rq->count; ++i) free(rq->items[i].path);
    free(rq->items);
    rq->items = NULL;
    rq->head = rq->count = rq->capacity = 0;
    zc__idset_free(&rq->seen);
}

static void zc__pf_request_free(zc__pf_request *rq) {
    if (!rq) return;
    zc__pf_drop_pending(rq);
    free(rq);
}

/* ---------------------------------------------------------------------------------
 * Request table (by id) and priority heap. Under the lock.
 * ------------------------------------------------------------------------------- */

static int zc__pf_table_insert(zc_prefetcher *pf, zc__pf_request *rq) {
    if (pf->request_count + 1 > pf->bucket_count) {
        uint32_t count = pf->bucket_count ? pf->bucket_count * 2 : 64;
        zc__pf_request **buckets = (zc__pf_request **)calloc(count, sizeof *buckets);
        if (!buckets) return -1;
        for (uint32_t b = 0; b < pf->bucket_count; ++b) {
            zc__pf_request *r = pf->buckets[b];
            while (r) {
                zc__pf_request *next = r->next;
                uint32_t slot = (uint32_t)zc__pf_hash(r->id) & (count - 1);
                r->next = buckets[slot];
                buckets[slot] = r;
                r = next;
            }
        }
        free(pf->buckets);
        pf->buckets = buckets;
        pf->bucket_count = count;
    }
    uint32_t slot = (uint32_t)zc__pf_hash(rq->id) & (pf->bucket_count - 1);
    rq->next = pf->buckets[slot];
    pf->buckets[slot] = rq;
    pf->request_count++;
    return 0;
}

static zc__pf_request *zc__pf_table_find(const zc_prefetcher *pf, uint64_t id) {
    if (!pf->bucket_count) return NULL;
    zc__pf_request *r = pf->buckets[(uint32_t)zc__pf_hash(id) & (pf->bucket_count - 1)];
    while (r && r->id != id) r = r->next;
    return r;
}

static void zc__pf_table_remove(zc_prefetcher *pf, zc__pf_request *rq) {
    zc__pf_request **link = &pf->buckets[(uint32_t)zc__pf_hash(rq->id) & (pf->bucket_count - 1)];
    while (*link && *link != rq) link = &(*link)->next;
    if (*link) {
        *link = rq->next;
        pf->request_count--;
    }
    rq->next = NULL;
}

/* 1 when a should run before b. */
static int zc__pf_before(const zc__pf_request *a, const zc__pf_request *b) {
    return a->priority != b->priority ? a->priority > b->priority : a->id < b->id;
}

static void zc__pf_heap_set(zc_prefetcher *pf, uint32_t i, zc__pf_request *rq) {
    pf->heap[i] = rq;
    rq->heap_index = (int32_t)i;
}

static void zc__pf_sift_up(zc_prefetcher *pf, uint32_t i) {
    zc__pf_request *rq = pf->heap[i];
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!zc__pf_before(rq, pf->heap[parent])) break;
        zc__pf_heap_set(pf, i, pf->heap[parent]);
        i = parent;
    }
    zc__pf_heap_set(pf, i, rq);
}

static void zc__pf_sift_down(zc_prefetcher *pf, uint32_t i) {
    zc__pf_request *rq = pf->heap[i];
    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= pf->heap_count) break;
        if (child + 1 < pf->heap_count && zc__pf_before(pf->heap[child + 1], pf->heap[child])) child++;
        if (!zc__pf_before(pf->heap[child], rq)) break;
        zc__pf_heap_set(pf, i, pf->heap[child]);
        i = child;
    }
    zc__pf_heap_set(pf, i, rq);
}

static int zc__pf_heap_push(zc_prefetcher *pf, zc__pf_request *rq) {
    if (rq->heap_index >= 0) return 0;
    if (pf->heap_count == pf->heap_capacity) {
        uint32_t capacity = pf->heap_capacity ? pf->heap_capacity * 2 : 64;
        zc__pf_request **heap = (zc__pf_request **)realloc(pf->heap, (size_t)capacity * sizeof *heap);
        if (!heap) return -1;
        pf->heap = heap;
        pf->heap_capacity = capacity;
    }
    zc__pf_heap_set(pf, pf->heap_count++, rq);
    zc__pf_sift_up(pf, pf->heap_count - 1);
    return 0;
}

static void zc__pf_heap_remove(zc_prefetcher *pf, zc__pf_request *rq) {
    if (rq->heap_index < 0) return;
    uint32_t i = (uint32_t)rq->heap_index;
    rq->heap_index = -1;
    if (--pf->heap_count == i) return;
    zc__pf_heap_set(pf, i, pf->heap[pf->heap_count]);
    zc__pf_sift_up(pf, i);
    zc__pf_sift_down(pf, (uint32_t)pf->heap[i]->heap_index);
}

/* ---------------------------------------------------------------------------------
 * Completion. Under the lock.
 * ------------------------------------------------------------------------------- */

static void zc__pf_push_done(zc_prefetcher *pf, zc__pf_request *rq) {
    rq->finished = 1;
    rq->done_next = NULL;
    if (pf->done_tail) pf->done_tail->done_next = rq;
    else pf->done_head = rq;
    pf->done_tail = rq;
}

/* Move the request to the done list when nothing of it is pending or running (it stays
 * in the table until its callback runs). 1 when it moved. */
static int zc__pf_maybe_finish(zc_prefetcher *pf, zc__pf_request *rq) {
    if (rq->finished || rq->running > 0 || (!rq->canceled && rq->head < rq->count)) return 0;
    zc__pf_heap_remove(pf, rq);
    zc__pf_drop_pending(rq);
    zc__pf_push_done(pf, rq);
    return 1;
}

static void zc__pf_cancel_locked(zc_prefetcher *pf, zc__pf_request *rq) {
    rq->canceled = 1;
    rq->status = ZC_ERR_CANCELED;
    zc__pf_heap_remove(pf, rq);
    for (uint32_t i = rq->head; i < rq->count; ++i) free(rq->items[i].path);
    rq->head = rq->count = 0;
    zc__pf_maybe_finish(pf, rq);
}

/* Destroy's first step: every live request is canceled and moved to the done list at
 * once, running jobs are detached from their requests. */
static void zc__pf_cancel_all_locked(zc_prefetcher *pf) {
    for (uint32_t i = 0; i < pf->max_in_flight; ++i) pf->jobs[i].request = NULL;
    for (uint32_t b = 0; b < pf->bucket_count; ++b) {
        for (zc__pf_request *rq = pf->buckets[b]; rq; rq = rq->next) {
            if (rq->finished) continue;
            rq->running = 0;
            zc__pf_cancel_locked(pf, rq);
        }
    }
}

/* Run the callbacks of completed requests, one at a time, without the lock (a callback
 * may call zc_prefetch, zc_prefetch_cancel or, with an engine loop, destroy). Loop
 * thread only. */
static void zc__pf_deliver(zc_prefetcher *pf) {
    for (;;) {
        uv_mutex_lock(&pf->lock);
        zc__pf_request *rq = pf->done_head;
        if (rq) {
            pf->done_head = rq->done_next;
            if (!pf->done_head) pf->done_tail = NULL;
            zc__pf_table_remove(pf, rq);
        }
        uv_mutex_unlock(&pf->lock);
        if (!rq) break;
        rq->cb(rq->id, rq->status, rq->user_data);
        zc__pf_request_free(rq);
        uv_mutex_lock(&pf->lock);
        pf->live--;
        uv_mutex_unlock(&pf->lock);
    }
    /* An engine loop is kept alive only while some callback is owed. */
    if (!pf->own && !pf->closing && pf->live == 0 && pf->async_refed) {
        uv_unref((uv_handle_t *)&pf->async);
        pf->async_refed = 0;
    }
}

/* ---------------------------------------------------------------------------------
 * Jobs on the thread pool
 * ------------------------------------------------------------------------------- */

/* The page-aligned range around [data, data + size). */
static void zc__pf_page_range(const zc_prefetcher *pf, const void *data, uint64_t size, void **out_first,
                              size_t *out_length) {
    uintptr_t mask = ~(uintptr_t)(pf->page_size - 1);
    uintptr_t start = (uintptr_t)data & mask;
    *out_first = (void *)start;
    *out_length = (size_t)((uintptr_t)data + (uintptr_t)size - start);
}

/* Tell the kernel the pages of [data, data + size) of the mapping will be needed:
 * posix_madvise WILLNEED queues their reads and returns without waiting for them. In
 * ZC__PF_HINT_CHUNK pieces, since one call reads at most the device's read-ahead or
 * request size. A hint that fails changes nothing but speed. */
static void zc__pf_hint(const zc_prefetcher *pf, const void *data, uint64_t size) {
    if (!data || size == 0) return;
    void *first;
    size_t length;
    zc__pf_page_range(pf, data, size, &first, &length);
    for (size_t done = 0; done < length; done += ZC__PF_HINT_CHUNK) {
        size_t piece = length - done < ZC__PF_HINT_CHUNK ? length - done : ZC__PF_HINT_CHUNK;
        zc__os_advise_willneed((uint8_t *)first + done, piece);
    }
}

/* Bring the pages of [data, data + size) into memory. In a file mapping: unless
 * `hinted`, a WILLNEED hint first (readahead of exactly this range, so reading a small
 * entry does not pull in the megabytes the kernel reads around a page fault), then
 * madvise(MADV_POPULATE_READ), which waits for the pages and maps them into the page
 * tables in one call (several times faster than faulting them one by one, and a
 * failure to read is an error instead of SIGBUS). Then, always, a read of one byte of
 * every page: without MADV_POPULATE_READ (kernels before 5.14, memory packs) that read
 * does the work, and after it the read pays here, on the thread pool, the cost some
 * machines (virtual machines measured by bench_prefetch) charge for the first access
 * to a freshly mapped page even without a fault, instead of the engine's thread. */
static zc_result zc__pf_touch(zc_prefetcher *pf, const void *data, uint64_t size, int mapped, int hinted) {
    if (!data || size == 0) return ZC_OK;
    size_t page = pf->page_size;
    uintptr_t start = (uintptr_t)data;
    uintptr_t end = start + (uintptr_t)size;
    uintptr_t mask = ~(uintptr_t)(page - 1);
    if (mapped) {
        if (!hinted && size < ZC__PF_HINT_SPAN_MAX) zc__pf_hint(pf, data, size);
        if (atomic_load_explicit(&pf->populate_ok, memory_order_relaxed)) {
            void *first;
            size_t length;
            zc__pf_page_range(pf, data, size, &first, &length);
            int populated = zc__os_populate_read(first, length);
            if (populated == ZC__OS_POPULATE_FAILED) return ZC_ERR_IO; /* unreadable pages */
            if (populated == ZC__OS_POPULATE_UNSUPPORTED)
                atomic_store_explicit(&pf->populate_ok, 0, memory_order_relaxed);
        }
    }
    unsigned sum = 0;
    for (uintptr_t p = start; p < end; p = (p & mask) + page) sum += *(const volatile uint8_t *)p;
    (void)sum;
    return ZC_OK;
}

/* Page in or decode one held entry. */
static zc_result zc__pf_work_hold(zc__pf_job *job, const zc_hold *hold) {
    const zc_pack *pack = hold->pack;
    const zc_entry *e = &hold->entry;
    job->entries = 1;
    if (e->codec != ZC_CODEC_NONE) {
        job->bytes = e->raw_size; /* decoded into the cache by the acquire */
        return ZC_OK;
    }
    /* Bounds again, so a pack opened at ZC_VALIDATE_NONE cannot send us outside the image. */
    if (e->stored_size > pack->size || e->offset > pack->size - e->stored_size) return ZC_ERR_BAD_ENTRY;
    zc_result r = zc__pf_touch(job->pf, hold->data, hold->size, pack->map.data != NULL, job->item.hinted);
    if (r == ZC_OK) job->bytes = hold->size;
    return r;
}

/* Pack mode: page in a span of uncompressed entries, in place (zc__pf_plan checked
 * each entry's bounds; checked again for the span as a whole). */
static zc_result zc__pf_work_span(zc__pf_job *job) {
    const zc_pack *pack = job->pf->pack;
    const zc__pf_item *item = &job->item;
    if (item->size > pack->size || item->offset > pack->size - item->size) return ZC_ERR_BAD_ENTRY;
    job->held = 1;
    zc_result r = zc__pf_touch(job->pf, pack->base + item->offset, item->size, pack->map.data != NULL, item->hinted);
    if (r == ZC_OK) {
        job->entries = item->entries;
        job->bytes = item->raw_bytes;
    }
    return r;
}

/* Mounts mode: keep a copy of the held entry's dependency list for the loop thread. */
static zc_result zc__pf_copy_deps(zc__pf_job *job, const zc_entry *e) {
    if (!job->follow_deps || e->deps_count == 0 || !e->deps) return ZC_OK;
    zc_result r = zc__pack_check_toc_whole(e->pack); /* R14 before the walk (SPEC.md 4.9) */
    if (r != ZC_OK) return r;
    job->deps = (uint64_t *)malloc((size_t)e->deps_count * sizeof *job->deps);
    if (!job->deps) return ZC_ERR_OUT_OF_MEMORY;
    memcpy(job->deps, e->deps, (size_t)e->deps_count * sizeof *job->deps);
    job->deps_count = e->deps_count;
    return ZC_OK;
}

/* A work function counts itself out: destroy waits for work_active to drop to 0. */
static void zc__pf_work_end(zc_prefetcher *pf) {
    uv_mutex_lock(&pf->lock);
    pf->work_active--;
    uv_cond_broadcast(&pf->work_idle);
    uv_mutex_unlock(&pf->lock);
}

static void zc__pf_work(uv_work_t *work) {
    zc__pf_job *job = (zc__pf_job *)work;
    zc_prefetcher *pf = job->pf;
    zc_hold hold;
    zc_result r;
    for (uint32_t i = 0; i < job->hint_count; ++i)
        zc__pf_hint(pf, pf->pack->base + job->hints[i].offset, job->hints[i].size);
    if (job->item.span) {
        job->result = zc__pf_work_span(job);
        zc__pf_work_end(pf);
        return;
    }
    if (pf->pack) {
        zc_entry e;
        r = zc_pack_find_id(pf->pack, job->item.id, &e);
        if (r == ZC_OK) r = zc_pack_acquire(pf->pack, &e, &hold);
    } else if (job->item.path) {
        r = zc_mounts_acquire(pf->mounts, job->item.path, &hold);
    } else {
        r = zc_mounts_acquire_id(pf->mounts, job->item.id, &hold);
    }
    if (r == ZC_OK) {
        job->held = 1;
        job->resolved_id = hold.entry.id;
        r = zc__pf_work_hold(job, &hold);
        if (r == ZC_OK) r = zc__pf_copy_deps(job, &hold.entry);
        zc_hold_release(&hold);
    } else if (r == ZC_ERR_NO_ENTRY && job->item.is_dep) {
        r = ZC_OK; /* a dependency no pack provides is skipped, not an error */
    }
    job->result = r;
    zc__pf_work_end(pf);
}

static void zc__pf_after_work(uv_work_t *work, int status);

/* Pack mode, mapped: the next item to hint, marked hinted, in *out; 0 when every item
 * is hinted or the window (ZC__PF_HINT_AHEAD bytes hinted whose job has not started;
 * at least one item) is full. Items before rq->head have started: never hinted here
 * (an item whose job starts unhinted hints itself in zc__pf_touch). Under the lock, or
 * before the request is published. */
static int zc__pf_next_hint(const zc_prefetcher *pf, zc__pf_request *rq, zc__pf_range *out) {
    if (!pf->pack || !pf->pack->map.data) return 0;
    if (rq->hint_next < rq->head) rq->hint_next = rq->head;
    for (; rq->hint_next < rq->count; rq->hint_next++) {
        zc__pf_item *item = &rq->items[rq->hint_next];
        if (item->size == 0 || item->size >= ZC__PF_HINT_SPAN_MAX || item->hinted) continue;
        if (rq->hint_pending > 0 && rq->hint_pending + item->size > ZC__PF_HINT_AHEAD) return 0;
        item->hinted = 1;
        rq->hint_pending += item->size;
        rq->hint_next++;
        *out = (zc__pf_range){ item->offset, item->size };
        return 1;
    }
    return 0;
}

/* Start jobs while slots are free and requests wait. Loop thread, under the lock. */
static void zc__pf_pump(zc_prefetcher *pf) {
    if (pf->stopping) return;
    uint32_t slot = 0;
    while (pf->heap_count > 0 && pf->jobs_busy < pf->max_in_flight) {
        while (pf->jobs[slot].busy) slot++;
        zc__pf_request *rq = pf->heap[0];
        zc__pf_job *job = &pf->jobs[slot];
        job->request = rq;
        zc__pf_item *item = &rq->items[rq->head++];
        if (item->hinted) rq->hint_pending -= item->size; /* leaves the window */
        job->item = *item;
        job->hint_count = 0;
        zc__pf_range range;
        while (job->hint_count < ZC__PF_JOB_HINTS && zc__pf_next_hint(pf, rq, &range))
            job->hints[job->hint_count++] = range;
        job->follow_deps = pf->mounts && !rq->no_deps;
        job->result = ZC_OK;
        job->resolved_id = 0;
        job->deps = NULL;
        job->deps_count = 0;
        job->bytes = 0;
        job->entries = 0;
        job->held = 0;
        job->busy = 1;
        if (rq->head == rq->count) zc__pf_heap_remove(pf, rq);
        rq->running++;
        pf->jobs_busy++;
        pf->work_active++;
        /* uv_queue_work fails only without a work callback. */
        (void)uv_queue_work(pf->loop, &job->work, zc__pf_work, zc__pf_after_work);
    }
}

/* Fold a finished job into its request. Under the lock. */
static void zc__pf_job_done(zc_prefetcher *pf, zc__pf_job *job, int status) {
    zc__pf_request *rq = job->request;
    if (status == 0 && job->held && job->result == ZC_OK) {
        pf->entries_done += job->entries;
        pf->bytes_done += job->bytes;
        pf->reads_done++;
    }
    if (!rq) return;
    rq->running--;
    zc_result r = status == UV_ECANCELED ? ZC_ERR_CANCELED : job->result;
    if (r != ZC_OK && rq->status == ZC_OK) {
        rq->status = r;
        char line[400];
        zc_entry e;
        const char *name = job->item.path;
        if (!name && pf->pack && zc_pack_find_id(pf->pack, job->item.id, &e) == ZC_OK) name = e.path;
        if (name && job->item.span && job->item.entries > 1)
            snprintf(line, sizeof line, "prefetch request %llu: %s and the %u entries read with it: %s",
                     (unsigned long long)rq->id, name, job->item.entries - 1, zc_result_str(r));
        else if (name)
            snprintf(line, sizeof line, "prefetch request %llu: %s: %s", (unsigned long long)rq->id, name,
                     zc_result_str(r));
        else
            snprintf(line, sizeof line, "prefetch request %llu: entry %016llx: %s", (unsigned long long)rq->id,
                     (unsigned long long)job->item.id, zc_result_str(r));
        zc__pf_log(pf, ZC_LOG_WARNING, line);
    }
    if (!rq->canceled) {
        if (job->resolved_id && zc__idset_add(&rq->seen, job->resolved_id) < 0 && rq->status == ZC_OK)
            rq->status = ZC_ERR_OUT_OF_MEMORY;
        for (uint32_t i = 0; i < job->deps_count; ++i) {
            int added = zc__idset_add(&rq->seen, job->deps[i]);
            zc__pf_item item = { .id = job->deps[i], .is_dep = 1 };
            if (added > 0 && zc__pf_push_item(rq, item) == 0) continue;
            if (added != 0 && rq->status == ZC_OK) rq->status = ZC_ERR_OUT_OF_MEMORY;
        }
        if (rq->head < rq->count && zc__pf_heap_push(pf, rq) != 0) {
            if (rq->status == ZC_OK) rq->status = ZC_ERR_OUT_OF_MEMORY;
            for (uint32_t i = rq->head; i < rq->count; ++i) free(rq->items[i].path);
            rq->head = rq->count = 0;
        }
    }
    zc__pf_maybe_finish(pf, rq);
}

static void zc__pf_free(zc_prefetcher *pf);

static void zc__pf_after_work(uv_work_t *work, int status) {
    zc__pf_job *job = (zc__pf_job *)work;
    zc_prefetcher *pf = job->pf;
    uv_mutex_lock(&pf->lock);
    zc__pf_job_done(pf, job, status);
    free(job->item.path);
    free(job->deps);
    job->item.path = NULL;
    job->deps = NULL;
    job->request = NULL;
    job->busy = 0;
    pf->jobs_busy--;
    /* stop_handled, not stopping: with an own loop, destroy sets stopping from another
     * thread and the requests are canceled only when the async callback sees it. */
    int last = pf->stop_handled && pf->jobs_busy == 0;
    zc__pf_pump(pf);
    uv_mutex_unlock(&pf->lock);
    if (last && !pf->own && pf->closed) {
        zc__pf_free(pf); /* engine mode after destroy: this was the last reference from libuv */
        return;
    }
    zc__pf_deliver(pf);
    if (last && pf->own && !pf->closing) {
        pf->closing = 1;
        uv_close((uv_handle_t *)&pf->async, NULL);
    }
}

/* ---------------------------------------------------------------------------------
 * The async handle: submit, cancel and stop from other threads; deferred delivery
 * ------------------------------------------------------------------------------- */

/* uv_cancel every job still waiting in libuv's queue (they will see UV_ECANCELED);
 * running ones finish. Loop thread, without the lock. */
static void zc__pf_cancel_queued_jobs(zc_prefetcher *pf) {
    for (uint32_t i = 0; i < pf->max_in_flight; ++i) {
        uv_mutex_lock(&pf->lock);
        int busy = pf->jobs[i].busy;
        uv_mutex_unlock(&pf->lock);
        if (!busy || uv_cancel((uv_req_t *)&pf->jobs[i].work) != 0) continue;
        uv_mutex_lock(&pf->lock);
        pf->work_active--;
        uv_mutex_unlock(&pf->lock);
    }
}

static void zc__pf_async_cb(uv_async_t *async) {
    zc_prefetcher *pf = (zc_prefetcher *)async->data;
    uv_mutex_lock(&pf->lock);
    int stop = pf->stopping && !pf->stop_handled;
    if (stop) {
        pf->stop_handled = 1;
        zc__pf_cancel_all_locked(pf);
    }
    zc__pf_pump(pf);
    uv_mutex_unlock(&pf->lock);
    if (stop) zc__pf_cancel_queued_jobs(pf);
    zc__pf_deliver(pf);
    if (pf->own && pf->stopping && !pf->closing) {
        uv_mutex_lock(&pf->lock);
        int idle = pf->jobs_busy == 0;
        uv_mutex_unlock(&pf->lock);
        if (idle) {
            pf->closing = 1;
            uv_close((uv_handle_t *)&pf->async, NULL);
        }
    }
}

static void zc__pf_close_cb(uv_handle_t *handle) {
    zc_prefetcher *pf = (zc_prefetcher *)handle->data;
    pf->closed = 1;
    uv_mutex_lock(&pf->lock);
    int idle = pf->jobs_busy == 0;
    uv_mutex_unlock(&pf->lock);
    if (idle) zc__pf_free(pf);
}

static void zc__pf_thread_main(void *arg) {
    zc_prefetcher *pf = (zc_prefetcher *)arg;
    uv_run(&pf->own_loop, UV_RUN_DEFAULT);
}

/* ---------------------------------------------------------------------------------
 * Create and destroy
 * ------------------------------------------------------------------------------- */

static void zc__pf_free(zc_prefetcher *pf) {
    /* Every request whose callback has not run is in the table, done list included. */
    for (uint32_t b = 0; b < pf->bucket_count; ++b) {
        while (pf->buckets[b]) {
            zc__pf_request *rq = pf->buckets[b];
            pf->buckets[b] = rq->next;
            zc__pf_request_free(rq);
        }
    }
    free(pf->buckets);
    free(pf->heap);
    free(pf->jobs);
    uv_cond_destroy(&pf->work_idle);
    uv_mutex_destroy(&pf->lock);
    free(pf);
}

zc_result zc_prefetcher_create(zc_prefetcher **out, const zc_prefetch_desc *desc) {
    if (!out) return ZC_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (!desc) return ZC_ERR_INVALID_ARGUMENT;
    const char *misuse = !desc->pack == !desc->mounts
                             ? "zc_prefetcher_create: desc needs exactly one of pack and mounts"
                         : desc->max_in_flight > ZC__PF_MAX_IN_FLIGHT
                             ? "zc_prefetcher_create: desc.max_in_flight is above 1024"
                             : NULL;
    if (misuse) {
        if (desc->logger.func) desc->logger.func(ZC_LOG_ERROR, misuse, desc->logger.user_data);
        return ZC_ERR_INVALID_ARGUMENT;
    }
    zc_prefetcher *pf = (zc_prefetcher *)calloc(1, sizeof *pf);
    uint32_t in_flight = desc->max_in_flight ? desc->max_in_flight : ZC__PF_DEFAULT_IN_FLIGHT;
    zc__pf_job *jobs = (zc__pf_job *)calloc(in_flight, sizeof *jobs);
    if (!pf || !jobs) {
        free(pf);
        free(jobs);
        if (desc->logger.func)
            desc->logger.func(ZC_LOG_ERROR, "out of memory creating a prefetcher", desc->logger.user_data);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    pf->pack = desc->pack;
    pf->mounts = desc->mounts;
    pf->logger = desc->logger;
    pf->max_in_flight = in_flight;
    pf->jobs = jobs;
    for (uint32_t i = 0; i < in_flight; ++i) jobs[i].pf = pf;
    pf->page_size = zc__os_page_size();
    atomic_init(&pf->populate_ok, 1);
    pf->next_id = 1;
    pf->own = desc->loop == NULL;
    pf->loop = pf->own ? &pf->own_loop : desc->loop;
    pf->thread = uv_thread_self();

    const char *failure = NULL;
    int lock_ok = 0, cond_ok = 0, loop_ok = 0;
    if (uv_mutex_init(&pf->lock) != 0) failure = "cannot create a mutex";
    else lock_ok = 1;
    if (!failure && uv_cond_init(&pf->work_idle) != 0) failure = "cannot create a condition variable";
    else cond_ok = !failure;
    if (!failure && pf->own) {
        if (uv_loop_init(&pf->own_loop) != 0) failure = "cannot create its loop";
        else loop_ok = 1;
    }
    if (!failure && uv_async_init(pf->loop, &pf->async, zc__pf_async_cb) != 0)
        failure = "cannot create an async handle";
    if (!failure) {
        pf->async.data = pf;
        if (pf->own) {
            if (uv_thread_create(&pf->thread, zc__pf_thread_main, pf) != 0) {
                failure = "cannot start its loop thread";
                uv_close((uv_handle_t *)&pf->async, NULL);
                uv_run(&pf->own_loop, UV_RUN_DEFAULT);
            }
        } else {
            uv_unref((uv_handle_t *)&pf->async); /* idle: do not keep the engine's loop alive */
        }
    }
    if (failure) {
        char line[160];
        snprintf(line, sizeof line, "zc_prefetcher_create: %s", failure);
        if (desc->logger.func) desc->logger.func(ZC_LOG_ERROR, line, desc->logger.user_data);
        if (loop_ok) uv_loop_close(&pf->own_loop);
        if (cond_ok) uv_cond_destroy(&pf->work_idle);
        if (lock_ok) uv_mutex_destroy(&pf->lock);
        free(jobs);
        free(pf);
        return ZC_ERR_IO;
    }
    if (pf->pack) zc__pack_ref(pf->pack);
    *out = pf;
    return ZC_OK;
}

static void zc__pf_destroy_own(zc_prefetcher *pf) {
#ifndef NDEBUG
    uv_thread_t self = uv_thread_self();
    assert(!uv_thread_equal(&self, &pf->thread) && "zc_prefetcher_destroy called from a prefetch callback");
#endif
    uv_mutex_lock(&pf->lock);
    pf->stopping = 1;
    uv_mutex_unlock(&pf->lock);
    uv_async_send(&pf->async);
    uv_thread_join(&pf->thread);
    uv_loop_close(&pf->own_loop);
    if (pf->pack) zc__pack_unref(pf->pack);
    zc__pf_free(pf);
}

static void zc__pf_destroy_engine(zc_prefetcher *pf) {
    zc__pf_check_thread(pf);
    uv_mutex_lock(&pf->lock);
    if (pf->stopping) { /* destroy again from inside one of its callbacks */
        uv_mutex_unlock(&pf->lock);
        return;
    }
    pf->stopping = 1;
    pf->stop_handled = 1;
    zc__pf_cancel_all_locked(pf);
    uv_mutex_unlock(&pf->lock);
    zc__pf_cancel_queued_jobs(pf);
    uv_mutex_lock(&pf->lock);
    while (pf->work_active > 0) uv_cond_wait(&pf->work_idle, &pf->lock);
    uv_mutex_unlock(&pf->lock);
    zc__pf_deliver(pf);
    if (pf->pack) zc__pack_unref(pf->pack);
    pf->pack = NULL;
    pf->closing = 1;
    uv_close((uv_handle_t *)&pf->async, zc__pf_close_cb);
}

void zc_prefetcher_destroy(zc_prefetcher *prefetcher) {
    if (!prefetcher) return;
    if (prefetcher->own) zc__pf_destroy_own(prefetcher);
    else zc__pf_destroy_engine(prefetcher);
}

/* ---------------------------------------------------------------------------------
 * Submit and cancel
 * ------------------------------------------------------------------------------- */

static void zc__pf_log_missing(const zc_prefetcher *pf, const char *path, uint64_t id) {
    char line[400];
    if (path) snprintf(line, sizeof line, "zc_prefetch: no entry %s", path);
    else snprintf(line, sizeof line, "zc_prefetch: no entry with id %016llx", (unsigned long long)id);
    zc__pf_log(pf, ZC_LOG_ERROR, line);
}

/* Add one named entry of a request; pack mode looks it up now. */
static zc_result zc__pf_add_name(const zc_prefetcher *pf, zc__pf_request *rq, const char *path, uint64_t id) {
    zc__pf_item item = { .id = id };
    if (pf->pack) {
        zc_entry e;
        zc_result r = path ? zc_pack_find(pf->pack, path, &e) : zc_pack_find_id(pf->pack, id, &e);
        if (r == ZC_ERR_NO_ENTRY) zc__pf_log_missing(pf, path, id);
        if (r != ZC_OK) return r;
        item.id = e.id;
    } else if (path) {
        item.path = zc__pf_strdup(path);
        if (!item.path) return ZC_ERR_OUT_OF_MEMORY;
        if (zc__pf_push_item(rq, item) != 0) {
            free(item.path);
            return ZC_ERR_OUT_OF_MEMORY;
        }
        return ZC_OK;
    }
    int added = zc__idset_add(&rq->seen, item.id);
    if (added < 0 || (added > 0 && zc__pf_push_item(rq, item) != 0)) return ZC_ERR_OUT_OF_MEMORY;
    return ZC_OK;
}

/* Pack mode: append the dependency closure of the named entries, each id once.
 * Dependencies the pack lacks are skipped (logged at INFO); a pack whose records name
 * more dependencies in all than its list holds (R14) fails the request. */
static zc_result zc__pf_expand(const zc_prefetcher *pf, zc__pf_request *rq) {
    zc_result r = zc__pack_check_toc_whole(pf->pack); /* R14 before the walk (SPEC.md 4.9) */
    if (r != ZC_OK) return r;
    for (uint32_t i = 0; i < rq->count; ++i) {
        zc_entry e;
        if (zc_pack_find_id(pf->pack, rq->items[i].id, &e) != ZC_OK) continue;
        for (uint32_t d = 0; d < e.deps_count; ++d) {
            int added = zc__idset_add(&rq->seen, e.deps[d]);
            if (added < 0) return ZC_ERR_OUT_OF_MEMORY;
            if (added == 0) continue;
            zc_entry dep;
            if (zc_pack_find_id(pf->pack, e.deps[d], &dep) != ZC_OK) {
                char line[400];
                snprintf(line, sizeof line, "zc_prefetch: %s depends on id %016llx, which the pack lacks; skipped",
                         e.path, (unsigned long long)e.deps[d]);
                zc__pf_log(pf, ZC_LOG_INFO, line);
                continue;
            }
            zc__pf_item item = { .id = dep.id, .is_dep = 1 };
            if (zc__pf_push_item(rq, item) != 0) return ZC_ERR_OUT_OF_MEMORY;
        }
    }
    return ZC_OK;
}

/* One item of a plan: `position` is the index of the first entry (in the order the
 * request reached them) it stands for. */
typedef struct zc__pf_planned {
    zc__pf_item item;
    uint32_t position;
} zc__pf_planned;

static int zc__pf_by_offset(const void *a, const void *b) {
    const zc__pf_planned *x = (const zc__pf_planned *)a, *y = (const zc__pf_planned *)b;
    if (x->item.offset != y->item.offset) return x->item.offset < y->item.offset ? -1 : 1;
    return (x->position > y->position) - (x->position < y->position);
}

/* Fold span `next` (at or after cur in offset order) into `cur` when they are
 * neighbours and the result stays within ZC__PF_SPAN_MAX. 1 when folded. */
static int zc__pf_coalesce(zc__pf_planned *cur, const zc__pf_planned *next) {
    uint64_t end = cur->item.offset + cur->item.size;
    uint64_t next_end = next->item.offset + next->item.size;
    if (next->item.offset > end + ZC__PF_MERGE_GAP) return 0;
    uint64_t new_end = next_end > end ? next_end : end;
    if (new_end - cur->item.offset > ZC__PF_SPAN_MAX) return 0;
    cur->item.size = new_end - cur->item.offset;
    cur->item.entries += next->item.entries;
    cur->item.raw_bytes += next->item.raw_bytes;
    if (next->position < cur->position) {
        cur->position = next->position;
        cur->item.id = next->item.id;
        cur->item.is_dep = next->item.is_dep;
    }
    return 1;
}

/* Pack mode: turn the request's entries (ids, dependency closure included) into its
 * reads. Uncompressed entries inside the image become spans, neighbours coalesced;
 * the others stay single entries for the acquire path (compressed: decoded; outside
 * the image: the job reports ZC_ERR_BAD_ENTRY). Items are ordered by the first
 * position of their entries. 0, or -1 when out of memory (the request is unchanged). */
static int zc__pf_plan(const zc_prefetcher *pf, zc__pf_request *rq) {
    uint32_t n = rq->count;
    if (n == 0) return 0;
    zc__pf_planned *plan = (zc__pf_planned *)calloc(n, sizeof *plan);
    if (!plan) return -1;
    const zc_pack *pack = pf->pack;
    uint32_t spans = 0, singles = n; /* spans fill plan[0, spans), single entries plan[singles, n) */
    for (uint32_t i = 0; i < n; ++i) {
        zc__pf_item item = rq->items[i];
        zc_entry e;
        int found = zc_pack_find_id(pack, item.id, &e) == ZC_OK;
        int inside = found && e.stored_size <= pack->size && e.offset <= pack->size - e.stored_size;
        if (inside) {
            item.offset = e.offset;
            item.size = e.stored_size;
        }
        item.entries = 1;
        if (inside && e.codec == ZC_CODEC_NONE) {
            item.span = 1;
            item.raw_bytes = e.stored_size;
            plan[spans++] = (zc__pf_planned){ item, i };
        } else {
            plan[--singles] = (zc__pf_planned){ item, i };
        }
    }
    qsort(plan, spans, sizeof *plan, zc__pf_by_offset);
    uint32_t kept = 0;
    for (uint32_t i = 0; i < spans; ++i)
        if (kept == 0 || !zc__pf_coalesce(&plan[kept - 1], &plan[i])) plan[kept++] = plan[i];
    memmove(plan + kept, plan + singles, (size_t)(n - singles) * sizeof *plan);
    uint32_t total = kept + (n - singles);
    qsort(plan, total, sizeof *plan, zc__pf_by_offset);
    for (uint32_t i = 0; i < total; ++i) rq->items[i] = plan[i].item;
    rq->head = 0;
    rq->count = total;
    free(plan);
    return 0;
}

static zc_result zc__pf_build_request(const zc_prefetcher *pf, const zc_prefetch_args *args, zc__pf_request *rq) {
    zc_result r = ZC_OK;
    for (uint32_t i = 0; r == ZC_OK && i < args->id_count; ++i) r = zc__pf_add_name(pf, rq, NULL, args->ids[i]);
    for (uint32_t i = 0; r == ZC_OK && i < args->path_count; ++i) r = zc__pf_add_name(pf, rq, args->paths[i], 0);
    if (r == ZC_OK && pf->pack && !args->no_deps) r = zc__pf_expand(pf, rq);
    if (r == ZC_OK && pf->pack) {
        zc__idset_free(&rq->seen); /* the closure is complete */
        if (zc__pf_plan(pf, rq) != 0) r = ZC_ERR_OUT_OF_MEMORY;
    }
    return r;
}

/* Pack mode: hint the first ZC__PF_HINT_AHEAD bytes of a request's reads, on the
 * caller's thread, before the request is published (the kernel starts reading before
 * zc_prefetch returns). */
static void zc__pf_hint_request(const zc_prefetcher *pf, zc__pf_request *rq) {
    zc__pf_range range;
    while (zc__pf_next_hint(pf, rq, &range)) zc__pf_hint(pf, pf->pack->base + range.offset, range.size);
}

static const char *zc__pf_misuse(const zc_prefetch_args *args) {
    if (!args) return "zc_prefetch: args is NULL";
    if (!args->cb) return "zc_prefetch: args.cb is NULL";
    if (args->id_count == 0 && args->path_count == 0) return "zc_prefetch: the request names no entry";
    if (args->id_count && !args->ids) return "zc_prefetch: args.ids is NULL with a nonzero id_count";
    if (args->path_count && !args->paths) return "zc_prefetch: args.paths is NULL with a nonzero path_count";
    for (uint32_t i = 0; i < args->path_count; ++i)
        if (!args->paths[i]) return "zc_prefetch: a path in args.paths is NULL";
    return NULL;
}

zc_result zc_prefetch(zc_prefetcher *prefetcher, const zc_prefetch_args *args, uint64_t *out_request) {
    if (out_request) *out_request = 0;
    if (!prefetcher) return ZC_ERR_INVALID_ARGUMENT;
    zc_prefetcher *pf = prefetcher;
    zc__pf_check_thread(pf);
    const char *misuse = zc__pf_misuse(args);
    if (misuse) {
        zc__pf_log(pf, ZC_LOG_ERROR, misuse);
        return ZC_ERR_INVALID_ARGUMENT;
    }
    zc__pf_request *rq = (zc__pf_request *)calloc(1, sizeof *rq);
    if (!rq) {
        zc__pf_log(pf, ZC_LOG_ERROR, "zc_prefetch: out of memory");
        return ZC_ERR_OUT_OF_MEMORY;
    }
    rq->priority = args->priority;
    rq->no_deps = args->no_deps != 0;
    rq->cb = args->cb;
    rq->user_data = args->user_data;
    rq->heap_index = -1;
    /* Lookups run outside the lock: they read only the immutable pack. */
    zc_result r = zc__pf_build_request(pf, args, rq);
    if (r != ZC_OK) {
        if (r == ZC_ERR_OUT_OF_MEMORY) zc__pf_log(pf, ZC_LOG_ERROR, "zc_prefetch: out of memory");
        zc__pf_request_free(rq);
        return r;
    }
    zc__pf_hint_request(pf, rq);
    uv_mutex_lock(&pf->lock);
    if (pf->stopping) {
        uv_mutex_unlock(&pf->lock);
        zc__pf_request_free(rq);
        zc__pf_log(pf, ZC_LOG_ERROR, "zc_prefetch: the prefetcher is being destroyed");
        return ZC_ERR_INVALID_ARGUMENT;
    }
    rq->id = pf->next_id++;
    if (zc__pf_table_insert(pf, rq) != 0) r = ZC_ERR_OUT_OF_MEMORY;
    else if (rq->count > rq->head && zc__pf_heap_push(pf, rq) != 0) {
        zc__pf_table_remove(pf, rq);
        r = ZC_ERR_OUT_OF_MEMORY;
    }
    if (r != ZC_OK) {
        uv_mutex_unlock(&pf->lock);
        zc__pf_request_free(rq);
        zc__pf_log(pf, ZC_LOG_ERROR, "zc_prefetch: out of memory");
        return r;
    }
    uint64_t id = rq->id;
    pf->live++;
    if (!pf->own) zc__pf_pump(pf);
    uv_mutex_unlock(&pf->lock);
    if (pf->own) {
        uv_async_send(&pf->async);
    } else if (!pf->async_refed) {
        uv_ref((uv_handle_t *)&pf->async);
        pf->async_refed = 1;
    }
    if (out_request) *out_request = id;
    return ZC_OK;
}

zc_result zc_prefetch_cancel(zc_prefetcher *prefetcher, uint64_t request) {
    if (!prefetcher) return ZC_ERR_INVALID_ARGUMENT;
    zc_prefetcher *pf = prefetcher;
    zc__pf_check_thread(pf);
    uv_mutex_lock(&pf->lock);
    zc__pf_request *rq = zc__pf_table_find(pf, request);
    if (!rq || (rq->finished && !rq->canceled)) { /* unknown, or completed with its own status */
        uv_mutex_unlock(&pf->lock);
        return ZC_ERR_NO_ENTRY;
    }
    int wake = 0;
    if (!rq->canceled) {
        zc__pf_cancel_locked(pf, rq);
        wake = pf->done_head != NULL;
    }
    uv_mutex_unlock(&pf->lock);
    /* The callback never runs inside this call: the loop delivers it on its next turn. */
    if (wake) uv_async_send(&pf->async);
    return ZC_OK;
}

/* Internal, for tests: reads completed without error since create, one per span of
 * neighbouring entries or per single entry. Any thread. */
uint64_t zc__prefetcher_reads(zc_prefetcher *prefetcher) {
    uv_mutex_lock(&prefetcher->lock);
    uint64_t reads = prefetcher->reads_done;
    uv_mutex_unlock(&prefetcher->lock);
    return reads;
}

/* Internal, for tests: entries paged in or decoded without error since create, and
 * their bytes (raw sizes). Dependencies that resolved to nothing are not counted. Any
 * thread. */
void zc__prefetcher_counters(zc_prefetcher *prefetcher, uint64_t *out_entries, uint64_t *out_bytes) {
    uv_mutex_lock(&prefetcher->lock);
    if (out_entries) *out_entries = prefetcher->entries_done;
    if (out_bytes) *out_bytes = prefetcher->bytes_done;
    uv_mutex_unlock(&prefetcher->lock);
}
