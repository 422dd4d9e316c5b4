/* zc_entry_cache.c - holding entries (zc_pack_get, zc_pack_acquire, zc_hold_release)
 * and the pack's cache of decoded compressed entries.
 *
 * An uncompressed entry is held by taking a reference on its pack: the bytes are the
 * mapping's. A compressed entry (codec 1, one zstd frame; codec 2, seekable frames
 * checked by zc__seekable_check of zc_stream.c, decoded whole) is decoded once into a
 * buffer from the pack's allocator and kept in a slot of the pack's cache:
 *
 *   - one slot (one 64-byte cache line) per TOC index, allocated (entry_count slots) at
 *     the first acquire of a compressed entry. A slot's state word holds a LIVE bit
 *     (decoded bytes present) and its number of holds;
 *   - a hit takes no lock: one compare-and-swap adds a hold to a LIVE slot. Eviction
 *     clears LIVE with a compare-and-swap that expects no holds, so a hit and an
 *     eviction of the same slot exclude each other without a lock, and a held slot is
 *     never freed;
 *   - the release of the last hold is lock-free too: it stamps the slot with the
 *     time (zc__os_ticks: the CPU's time-stamp counter where there is one, so the LRU
 *     order of releases on different cores is as close as those counters agree) and,
 *     unless it is already there, pushes it on a pending stack. It takes the lock only
 *     when the cache's resident bytes exceed the budget: it then moves the pending
 *     slots into the LRU list (ordered by release stamp, least recently released at
 *     the head) and evicts from the head while the unheld resident bytes exceed the
 *     budget;
 *   - counters that a hit or a release changes (held bytes, hits) are striped over
 *     ZC__STRIPES cache lines by thread (zc__thread_stripe), the pending stacks by slot
 *     index, and the pack's count of holds by thread (zc__pack_hold): a hit on one
 *     thread writes no line another thread's hits write, except the slot's own state
 *     when both hold the same entry;
 *   - a miss takes the lock: one thread decodes (outside the lock; the others wait on
 *     the condition variable). A decode that fails leaves the slot empty: the threads
 *     that waited for that decode return its error without decoding again, and any
 *     later acquire tries again (SPEC.md §6.2 checks are repeated then, and logged
 *     again).
 *
 * The cache also keeps zstd's decoding contexts (a spare one taken and returned
 * without the lock, then a pool: one per thread decoding at the same time, reused) and
 * one ZSTD_DDict per dictionary the pack's frames name, created at first use from (a
 * copy of) the entry "zstd-dict/<id>" and kept until the pack is freed. zstd allocates
 * those objects with malloc (its custom allocator interface is experimental API, which
 * a shared libzstd does not guarantee); decoded entries and every structure of the
 * cache come from the pack's allocator.
 *
 * Locking: one mutex per cache guards decoding states, the LRU list, the resident
 * counters, the dictionary table and the context pool; decoding itself runs unlocked,
 * hits and releases within the budget take no lock. The cache is created at first
 * need and published with an atomic compare-and-swap (GCC/Clang __atomic builtins on
 * zc_pack.cache), so two first acquires on different threads agree on one cache.
 *
 * Building with ZC_NO_ZSTD (the reduced Windows cross-build, made without zstd)
 * leaves codec 1 undecoded: acquiring or validating such an entry reports
 * ZC_ERR_UNSUPPORTED_CODEC, everything else works.
 */
#include "zc_pack.h"
#include "zc_pack_internal.h"
#include "zc_hash.h"

#include <stdio.h>
#include <string.h>

#ifndef ZC_NO_ZSTD
#include <zstd.h>
#include <zstd_errors.h>
#endif

#define ZC__NIL UINT32_MAX
#define ZC__ZSTD_MAGIC 0xFD2FB528u
#define ZC__SKIPPABLE_MASK 0xFFFFFFF0u
#define ZC__SKIPPABLE_MAGIC 0x184D2A50u

#define ZC__LIVE ((uint64_t)1 << 63) /* slot state: decoded bytes present; the rest counts holds */
#define ZC__STRIPES 16
#define ZC__LINE 64

typedef struct zc__slot {
    _Alignas(ZC__LINE) uint64_t state; /* atomic: ZC__LIVE | holds. Not LIVE: 0 */
    uint64_t stamp;             /* atomic: zc__os_ticks() at the release of the last hold */
    uint64_t key;               /* the stamp the slot is ordered by in the LRU list */
    const uint8_t *data;        /* block aligned to the entry's alignment; written before LIVE is set */
    void *block;                /* allocation holding the decoded bytes; NULL when none */
    uint32_t prev, next;        /* LRU neighbours (slot indices) while in_lru; next also links batches */
    uint32_t pending_next;      /* next slot on the pending stack while pending */
    uint32_t waves;             /* decodes finished on this slot, failed ones included */
    int32_t last_error;         /* zc_result of the last finished decode */
    uint8_t pending;            /* atomic: on (or being pushed on) a stripe's pending stack */
    uint8_t decoding;           /* one thread is decoding this entry */
    uint8_t in_lru;
    uint8_t content_checked;    /* a decode of this entry passed Z8 (under the lock) */
} zc__slot;

ZC_STATIC_ASSERT(sizeof(zc__slot) == ZC__LINE, "zc_pack.h promises 64 bytes per slot");

/* Counters written by hits and releases, one cache line per stripe. held_bytes and hits
 * belong to the threads of the stripe (a hold may be released on another thread, so
 * one stripe's held_bytes may wrap below zero; their sum modulo 2^64 is exact), pending
 * to the slots whose index is the stripe modulo ZC__STRIPES. */
typedef struct zc__stripe {
    _Alignas(ZC__LINE) uint64_t held_bytes; /* atomic: raw bytes held through this stripe's threads */
    uint64_t hits;              /* atomic: acquires served without decoding */
    uint32_t pending;           /* atomic: top of the stack of slots released since the last drain */
} zc__stripe;

typedef struct zc__dict {
    uint32_t id;
#ifndef ZC_NO_ZSTD
    ZSTD_DDict *ddict;
#endif
} zc__dict;

struct zc__cache {
    zc__stripe stripes[ZC__STRIPES];
    /* Read by every hit and release, written once. */
    _Alignas(ZC__LINE) zc__slot *slots; /* atomic: entry_count slots; NULL until the first compressed acquire */
    uint64_t budget;            /* the pack's cache_budget */
    void *self_block;           /* allocations the cache and its slots lie in (aligned inside) */
    void *slots_block;
    /* Written by misses and evictions. */
    _Alignas(ZC__LINE) uint64_t resident_bytes; /* atomic: read without the lock by releases */
    void *spare_context;        /* atomic: an idle ZSTD_DCtx taken without the lock */
    zc__os_mutex lock;
    zc__os_cond decoded;        /* broadcast whenever a decode finishes */
    uint32_t lru_head, lru_tail;
    uint32_t resident_entries;
    uint64_t decodes, evictions;
    zc__dict *dicts;
    uint32_t dict_count, dict_cap;
    void **contexts;            /* idle ZSTD_DCtx objects */
    uint32_t context_count, context_cap;
};

/* ---------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------- */

static void zc__free(const zc_pack *pack, void *p) {
    if (p) pack->allocator.free(p, pack->allocator.user_data);
}

/* Log "entry I (path): <diag>" at error level. Returns code. */
zc_result zc__entry_error(const zc_pack *pack, const zc_entry *e, zc_result code, const zc_diag *diag) {
    char line[400];
    snprintf(line, sizeof line, "entry %u (%s): %s", e->index, e->path,
             diag && diag->message[0] ? diag->message : zc_result_str(code));
    zc__pack_log(pack, ZC_LOG_ERROR, line);
    return code;
}

#ifndef ZC_NO_ZSTD
static void *zc__calloc(const zc_pack *pack, size_t size) {
    void *p = pack->allocator.alloc(size, pack->allocator.user_data);
    if (p) memset(p, 0, size);
    return p;
}

/* size zeroed bytes on a cache line boundary (the allocator aligns to 16 only); *block
 * receives the allocation to free. NULL when out of memory. */
static void *zc__calloc_lines(const zc_pack *pack, size_t size, void **block) {
    *block = zc__calloc(pack, size + ZC__LINE - 16);
    if (!*block) return NULL;
    return (void *)(((uintptr_t)*block + ZC__LINE - 1) & ~(uintptr_t)(ZC__LINE - 1));
}

/* The cache of a pack, created at first need. NULL when out of memory. The cache is
 * internally synchronised, so a const pack may create it. */
static struct zc__cache *zc__cache_get(const zc_pack *pack) {
    zc_pack *p = (zc_pack *)pack;
    struct zc__cache *c = __atomic_load_n(&p->cache, __ATOMIC_ACQUIRE);
    if (c) return c;
    void *block;
    c = (struct zc__cache *)zc__calloc_lines(pack, sizeof *c, &block);
    if (!c) return NULL;
    c->self_block = block;
    c->budget = pack->cache_budget;
    zc__os_mutex_init(&c->lock);
    zc__os_cond_init(&c->decoded);
    c->lru_head = c->lru_tail = ZC__NIL;
    for (int i = 0; i < ZC__STRIPES; ++i) c->stripes[i].pending = ZC__NIL;
    struct zc__cache *expected = NULL;
    if (__atomic_compare_exchange_n(&p->cache, &expected, c, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) return c;
    zc__os_cond_destroy(&c->decoded); /* another thread published its cache first */
    zc__os_mutex_destroy(&c->lock);
    zc__free(pack, block);
    return expected;
}

/* The raw size of entry `index` (what a LIVE slot of that index holds). */
static uint64_t zc__raw_size(const zc_pack *pack, uint32_t index) {
    zc_entry e;
    return zc_pack_entry_at(pack, index, &e) == ZC_OK ? e.raw_size : 0;
}

/* ---------------------------------------------------------------------------------
 * Holds without the lock
 * ------------------------------------------------------------------------------- */

static zc__stripe *zc__stripe_of(struct zc__cache *c, uint32_t index) {
    return &c->stripes[index % ZC__STRIPES];
}

/* Add one hold to slot s if it is LIVE. Returns 1 with *before set to the holds it
 * had, or 0 when it holds no decoded bytes. Any thread, no lock. */
static int zc__slot_try_hold(zc__slot *s, uint64_t *before) {
    uint64_t w = __atomic_load_n(&s->state, __ATOMIC_RELAXED);
    while (w & ZC__LIVE)
        if (__atomic_compare_exchange_n(&s->state, &w, w + 1, 1, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            *before = w & ~ZC__LIVE;
            return 1;
        }
    return 0;
}

/* Account a new hold of `size` bytes on a slot that had `before` holds, in the calling
 * thread's stripe. */
static void zc__count_hold(struct zc__cache *c, uint64_t before, uint64_t size, int hit) {
    zc__stripe *st = &c->stripes[zc__thread_stripe() % ZC__STRIPES];
    if (hit) __atomic_fetch_add(&st->hits, 1, __ATOMIC_RELAXED);
    if (before == 0) __atomic_fetch_add(&st->held_bytes, size, __ATOMIC_RELAXED);
}

static uint64_t zc__held_bytes(struct zc__cache *c) {
    uint64_t held = 0;
    for (int i = 0; i < ZC__STRIPES; ++i) held += __atomic_load_n(&c->stripes[i].held_bytes, __ATOMIC_RELAXED);
    return held;
}

/* Push slot `index` (whose pending flag this thread set) on its stripe's stack. */
static void zc__pending_push(struct zc__cache *c, zc__slot *slots, uint32_t index) {
    zc__stripe *st = zc__stripe_of(c, index);
    uint32_t top = __atomic_load_n(&st->pending, __ATOMIC_RELAXED);
    do slots[index].pending_next = top;
    while (!__atomic_compare_exchange_n(&st->pending, &top, index, 1, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
}

/* ---------------------------------------------------------------------------------
 * LRU list of released slots, ordered by key (cache lock held)
 * ------------------------------------------------------------------------------- */

static void zc__lru_remove(struct zc__cache *c, uint32_t i) {
    zc__slot *s = &c->slots[i];
    if (!s->in_lru) return;
    if (s->prev != ZC__NIL) c->slots[s->prev].next = s->next;
    else c->lru_head = s->next;
    if (s->next != ZC__NIL) c->slots[s->next].prev = s->prev;
    else c->lru_tail = s->prev;
    s->prev = s->next = ZC__NIL;
    s->in_lru = 0;
}

/* Insert slot i after slot `at` (ZC__NIL: at the head). */
static void zc__lru_insert_after(struct zc__cache *c, uint32_t at, uint32_t i) {
    zc__slot *s = &c->slots[i];
    uint32_t after = at == ZC__NIL ? c->lru_head : c->slots[at].next;
    s->prev = at;
    s->next = after;
    if (at != ZC__NIL) c->slots[at].next = i;
    else c->lru_head = i;
    if (after != ZC__NIL) c->slots[after].prev = i;
    else c->lru_tail = i;
    s->in_lru = 1;
}

/* Sort a list linked through `next` by key, largest first (merge sort; depth log n). */
static uint32_t zc__sort_by_key(zc__slot *slots, uint32_t list) {
    if (list == ZC__NIL || slots[list].next == ZC__NIL) return list;
    uint32_t slow = list, fast = slots[list].next;
    while (fast != ZC__NIL && slots[fast].next != ZC__NIL) {
        slow = slots[slow].next;
        fast = slots[slots[fast].next].next;
    }
    uint32_t a = zc__sort_by_key(slots, slots[slow].next);
    slots[slow].next = ZC__NIL;
    uint32_t b = zc__sort_by_key(slots, list);
    uint32_t head = ZC__NIL, *tail = &head;
    while (a != ZC__NIL && b != ZC__NIL) {
        uint32_t *take = slots[a].key > slots[b].key ? &a : &b;
        *tail = *take;
        tail = &slots[*take].next;
        *take = slots[*take].next;
    }
    *tail = a != ZC__NIL ? a : b;
    return head;
}

/* Move the slots released since the last drain into the LRU list by their release
 * stamps. A slot held again meanwhile leaves the list (its next release queues it
 * again); an evicted one is dropped. */
static void zc__drain(struct zc__cache *c) {
    zc__slot *slots = c->slots;
    uint32_t batch = ZC__NIL;
    for (int k = 0; k < ZC__STRIPES; ++k) {
        uint32_t i = __atomic_exchange_n(&c->stripes[k].pending, ZC__NIL, __ATOMIC_SEQ_CST);
        while (i != ZC__NIL) {
            zc__slot *s = &slots[i];
            uint32_t next = s->pending_next; /* read before the flag frees the link */
            /* SEQ_CST with the release's hold drop and flag load: a release that saw
             * the flag still set has its drop seen here. */
            __atomic_exchange_n(&s->pending, 0, __ATOMIC_SEQ_CST);
            zc__lru_remove(c, i);
            if (__atomic_load_n(&s->state, __ATOMIC_SEQ_CST) == ZC__LIVE) {
                s->key = __atomic_load_n(&s->stamp, __ATOMIC_RELAXED);
                s->next = batch;
                batch = i;
            }
            i = next;
        }
    }
    /* Largest stamp first, each inserted by walking back from where the previous one
     * went: released slots are the most recent, so the walks are short. */
    batch = zc__sort_by_key(slots, batch);
    uint32_t at = c->lru_tail;
    while (batch != ZC__NIL) {
        uint32_t i = batch;
        batch = slots[i].next;
        while (at != ZC__NIL && slots[at].key > slots[i].key) at = slots[at].prev;
        zc__lru_insert_after(c, at, i);
    }
}

#define ZC__EVICT_BATCH 16

/* Evict least recently released slots while the unheld resident bytes exceed the
 * budget, at most ZC__EVICT_BATCH of them; their blocks go to victims[] for the caller
 * to free once the lock is released (freeing a large block can take a while). Returns
 * how many; ZC__EVICT_BATCH means there may be more. */
static uint32_t zc__evict(const zc_pack *pack, struct zc__cache *c, void **victims) {
    uint32_t n = 0;
    zc__drain(c);
    while (n < ZC__EVICT_BATCH && c->lru_head != ZC__NIL) {
        uint64_t resident = __atomic_load_n(&c->resident_bytes, __ATOMIC_RELAXED), held = zc__held_bytes(c);
        if (resident <= held || resident - held <= c->budget) break;
        uint32_t i = c->lru_head;
        zc__slot *s = &c->slots[i];
        zc__lru_remove(c, i);
        uint64_t live = ZC__LIVE;
        if (!__atomic_compare_exchange_n(&s->state, &live, 0, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            continue; /* held again: its release queues it again */
        victims[n++] = s->block;
        __atomic_store_n(&c->resident_bytes, resident - zc__raw_size(pack, i), __ATOMIC_SEQ_CST);
        c->resident_entries--;
        c->evictions++;
        s->block = NULL;
        s->data = NULL;
    }
    return n;
}

/* Evict while needed (zc__evict), freeing the victims outside the lock. Takes the lock. */
static void zc__trim(const zc_pack *pack, struct zc__cache *c) {
    void *victims[ZC__EVICT_BATCH];
    uint32_t evicted;
    do {
        zc__os_mutex_lock(&c->lock);
        evicted = zc__evict(pack, c, victims);
        zc__os_mutex_unlock(&c->lock);
        for (uint32_t i = 0; i < evicted; ++i) zc__free(pack, victims[i]);
    } while (evicted == ZC__EVICT_BATCH);
}
#endif /* ZC_NO_ZSTD */

/* ---------------------------------------------------------------------------------
 * Decoding (SPEC.md §6.2)
 * ------------------------------------------------------------------------------- */

#ifndef ZC_NO_ZSTD

/* Window size a frame header asks for (RFC 8878, 3.1.1.1): the content size for a
 * single-segment frame, else the Window_Descriptor's. header points at stored_size
 * >= 6 bytes starting with the zstd magic. */
static uint64_t zc__frame_window(const uint8_t *header, uint64_t fcs) {
    uint8_t descriptor = header[4];
    if (descriptor & 0x20u) return fcs; /* Single_Segment_flag */
    uint8_t wd = header[5];
    uint64_t base = (uint64_t)1 << (10u + (wd >> 3));
    return base + (base / 8u) * (wd & 7u);
}

/* Every check of §6.2 that needs no decoding: one zstd frame, nothing after it, its
 * declared content size equal to raw_size, its window within 2^ZC_MAX_WINDOW_LOG.
 * Sets *dict_id to the dictionary the frame names (0: none). Untrusted. */
zc_result zc__frame_check(const zc_entry *e, uint32_t *dict_id, zc_diag *diag) {
    const uint8_t *src = (const uint8_t *)e->data;
    size_t n = (size_t)e->stored_size;
    *dict_id = 0;
    if (e->stored_size < 6)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "%llu stored bytes are too few for a zstd frame",
                       (unsigned long long)e->stored_size);
    uint32_t magic = zc_le32(src);
    if ((magic & ZC__SKIPPABLE_MASK) == ZC__SKIPPABLE_MAGIC)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "stored bytes begin with a skippable zstd frame, not a data frame");
    if (magic != ZC__ZSTD_MAGIC)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "stored bytes are not a zstd frame (magic 0x%08x)", magic);
    unsigned long long fcs = ZSTD_getFrameContentSize(src, n);
    if (fcs == ZSTD_CONTENTSIZE_ERROR)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "zstd frame header is malformed");
    if (fcs == ZSTD_CONTENTSIZE_UNKNOWN)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "zstd frame does not declare its content size");
    if (fcs != e->raw_size)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "zstd frame declares %llu bytes but the TOC says %llu", fcs,
                       (unsigned long long)e->raw_size);
    uint64_t window = zc__frame_window(src, fcs);
    if (window > ((uint64_t)1 << ZC_MAX_WINDOW_LOG))
        return zc_fail(diag, ZC_ERR_LIMIT, "zstd frame window of %llu bytes exceeds the limit of 2^%d",
                       (unsigned long long)window, ZC_MAX_WINDOW_LOG);
    size_t frame = ZSTD_findFrameCompressedSize(src, n);
    if (ZSTD_isError(frame))
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "zstd frame is truncated or damaged (%s)", ZSTD_getErrorName(frame));
    if (frame != n)
        return zc_fail(diag, ZC_ERR_BAD_ENTRY, "%llu stored bytes follow the zstd frame of %llu (a second frame or "
                       "trailing data)", (unsigned long long)(n - frame), (unsigned long long)frame);
    *dict_id = ZSTD_getDictID_fromFrame(src, n);
    return ZC_OK;
}

/* The DDict for dictionary `id`, created at first use from the pack's entry
 * "zstd-dict/<id>". Takes the cache lock. */
static zc_result zc__dict_get(const zc_pack *pack, struct zc__cache *c, uint32_t id, const ZSTD_DDict **out,
                              zc_diag *diag) {
    *out = NULL;
    zc_result r = ZC_OK;
    zc__os_mutex_lock(&c->lock);
    for (uint32_t i = 0; i < c->dict_count; ++i)
        if (c->dicts[i].id == id) *out = c->dicts[i].ddict;
    if (*out) {
        zc__os_mutex_unlock(&c->lock);
        return ZC_OK;
    }
    char path[32];
    snprintf(path, sizeof path, ZC_ZSTD_DICT_PATH_PREFIX "%u", id);
    zc_entry d;
    zc_diag sub;
    sub.message[0] = 0;
    if (zc_pack_find(pack, path, &d) != ZC_OK)
        r = zc_fail(diag, ZC_ERR_BAD_ENTRY, "zstd frame needs dictionary %u but the pack has no entry %s", id, path);
    else if (d.type != ZC_TYPE_ZSTD_DICT || d.layout_hash != ZC_ZSTD_DICT_LAYOUT_HASH || d.codec != ZC_CODEC_NONE)
        r = zc_fail(diag, ZC_ERR_BAD_ENTRY, "%s is not an uncompressed zstd dictionary entry", path);
    else if ((r = zc_zstd_dict_check(d.data, d.raw_size, &sub)) != ZC_OK)
        zc_fail(diag, r, "%s: %s", path, sub.message);
    else if (zc_zstd_dict_id(d.data, d.raw_size) != id)
        r = zc_fail(diag, ZC_ERR_BAD_ENTRY, "%s holds dictionary %u", path, zc_zstd_dict_id(d.data, d.raw_size));
    if (r == ZC_OK && c->dict_count == c->dict_cap) {
        uint32_t cap = c->dict_cap ? c->dict_cap * 2 : 4;
        zc__dict *grown = (zc__dict *)zc__calloc(pack, (size_t)cap * sizeof *grown);
        if (!grown) {
            r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for the dictionary table");
        } else {
            if (c->dict_count) memcpy(grown, c->dicts, (size_t)c->dict_count * sizeof *grown);
            zc__free(pack, c->dicts);
            c->dicts = grown;
            c->dict_cap = cap;
        }
    }
    if (r == ZC_OK) {
        ZSTD_DDict *ddict = ZSTD_createDDict(d.data, (size_t)d.raw_size);
        if (!ddict) {
            r = zc_fail(diag, ZC_ERR_BAD_ENTRY, "zstd cannot load dictionary %s (damaged tables or out of memory)",
                        path);
        } else {
            c->dicts[c->dict_count].id = id;
            c->dicts[c->dict_count].ddict = ddict;
            c->dict_count++;
            *out = ddict;
        }
    }
    zc__os_mutex_unlock(&c->lock);
    return r;
}

zc_result zc__pack_ddict(const zc_pack *pack, uint32_t id, const ZSTD_DDict **out, zc_diag *diag) {
    struct zc__cache *c = zc__cache_get(pack);
    *out = NULL;
    if (!c) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for the entry cache");
    return zc__dict_get(pack, c, id, out, diag);
}

/* An idle decoding context, or a new one (NULL when out of memory). The spare is taken
 * without the lock: one thread decoding at a time never locks for its context. */
static ZSTD_DCtx *zc__context_take(struct zc__cache *c) {
    ZSTD_DCtx *dctx = (ZSTD_DCtx *)__atomic_exchange_n(&c->spare_context, NULL, __ATOMIC_ACQUIRE);
    if (dctx) return dctx;
    zc__os_mutex_lock(&c->lock);
    if (c->context_count) dctx = (ZSTD_DCtx *)c->contexts[--c->context_count];
    zc__os_mutex_unlock(&c->lock);
    if (dctx) return dctx;
    dctx = ZSTD_createDCtx();
    if (dctx) ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, ZC_MAX_WINDOW_LOG);
    return dctx;
}

/* Keep an idle context: as the spare when that place is free, else in the pool. */
static void zc__context_give(const zc_pack *pack, struct zc__cache *c, ZSTD_DCtx *dctx) {
    void *none = NULL;
    if (__atomic_compare_exchange_n(&c->spare_context, &none, dctx, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED)) return;
    zc__os_mutex_lock(&c->lock);
    if (c->context_count == c->context_cap) {
        uint32_t cap = c->context_cap ? c->context_cap * 2 : 4;
        void **grown = (void **)zc__calloc(pack, (size_t)cap * sizeof *grown);
        if (grown) {
            if (c->context_count) memcpy(grown, c->contexts, (size_t)c->context_count * sizeof *grown);
            zc__free(pack, c->contexts);
            c->contexts = grown;
            c->context_cap = cap;
        }
    }
    if (c->context_count < c->context_cap) {
        c->contexts[c->context_count++] = dctx;
        dctx = NULL;
    }
    zc__os_mutex_unlock(&c->lock);
    ZSTD_freeDCtx(dctx); /* no room to keep it: NULL is a no-op */
}

/* Decode entry e into a new buffer of exactly raw_size bytes aligned to its alignment:
 * frame checks first, then one allocation, one-shot decoding, and, when check_content
 * is set, the content hash (Z8). On success *out_block (to free) and *out_data are
 * set; both are NULL for an empty entry. Untrusted input: nothing larger than raw_size
 * (+ alignment) is allocated. */
static zc_result zc__decode(const zc_pack *pack, struct zc__cache *c, const zc_entry *e, int check_content,
                            void **out_block, const uint8_t **out_data, zc_diag *diag) {
    *out_block = NULL;
    *out_data = NULL;
    uint32_t dict_id = 0;
    zc_result r = e->codec == ZC_CODEC_ZSTD_SEEKABLE ? zc__seekable_check(e, &dict_id, diag)
                                                     : zc__frame_check(e, &dict_id, diag);
    const ZSTD_DDict *ddict = NULL;
    if (r == ZC_OK && dict_id != 0) r = zc__dict_get(pack, c, dict_id, &ddict, diag);
    if (r != ZC_OK) return r;

    size_t raw = (size_t)e->raw_size;
    size_t extra = e->alignment > 16 ? (size_t)e->alignment - 16 : 0; /* the allocator aligns to 16 */
    void *block = NULL;
    uint8_t *dst = NULL;
    if (raw > 0) {
        block = pack->allocator.alloc(raw + extra, pack->allocator.user_data);
        if (!block)
            return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "cannot allocate %zu bytes to decode the entry", raw + extra);
        uintptr_t a = (uintptr_t)e->alignment;
        dst = (uint8_t *)(((uintptr_t)block + a - 1) & ~(a - 1));
    }
    ZSTD_DCtx *dctx = zc__context_take(c);
    if (!dctx) {
        zc__free(pack, block);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "cannot create a zstd decoding context");
    }
    size_t got = ddict ? ZSTD_decompress_usingDDict(dctx, dst, raw, e->data, (size_t)e->stored_size, ddict)
                       : ZSTD_decompressDCtx(dctx, dst, raw, e->data, (size_t)e->stored_size);
    zc__context_give(pack, c, dctx);
    if (ZSTD_isError(got))
        r = ZSTD_getErrorCode(got) == ZSTD_error_memory_allocation
                ? zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "zstd ran out of memory decoding the entry")
                : zc_fail(diag, ZC_ERR_BAD_ENTRY, "zstd cannot decode the frame: %s", ZSTD_getErrorName(got));
    else if (got != raw)
        r = zc_fail(diag, ZC_ERR_BAD_ENTRY, "zstd frame decoded to %zu bytes instead of %zu", got, raw);
    else if (ZC__CHECK_HASHES && check_content && zc__xxh3(dst, raw) != e->content_hash)
        r = zc_fail(diag, ZC_ERR_ENTRY_CHECKSUM, "content hash mismatch after decoding: the data is damaged");
    if (r != ZC_OK) {
        zc__free(pack, block);
        return r;
    }
    *out_block = block;
    *out_data = dst;
    return ZC_OK;
}

#endif /* ZC_NO_ZSTD */

/* The checks every decode starts with: a codec this build decodes, and a raw size
 * within the caller's limit (before anything is allocated). */
static zc_result zc__decodable(const zc_pack *pack, const zc_entry *e, zc_diag *diag) {
    zc_result r = zc__codec_decodable(e, diag);
    if (r != ZC_OK) return r;
    if (e->raw_size > pack->max_decoded_size)
        return zc_fail(diag, ZC_ERR_LIMIT, "raw size of %llu bytes exceeds the decoding limit of %llu bytes",
                       (unsigned long long)e->raw_size, (unsigned long long)pack->max_decoded_size);
    if (e->raw_size > (uint64_t)(SIZE_MAX - 4096))
        return zc_fail(diag, ZC_ERR_LIMIT, "raw size of %llu bytes exceeds this host's address space",
                       (unsigned long long)e->raw_size);
    return ZC_OK;
}

zc_result zc__entry_decode_copy(const zc_pack *pack, const zc_entry *entry, void **out_block, const void **out_data,
                                zc_diag *diag) {
    *out_block = NULL;
    *out_data = NULL;
    zc_result r = zc__decodable(pack, entry, diag);
    if (r != ZC_OK) return r;
#ifdef ZC_NO_ZSTD
    return ZC_ERR_UNSUPPORTED_CODEC;
#else
    struct zc__cache *c = zc__cache_get(pack);
    if (!c) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for the entry cache");
    const uint8_t *data = NULL;
    r = zc__decode(pack, c, entry, 1, out_block, &data, diag);
    *out_data = data;
    return r;
#endif
}

void zc__entry_free_copy(const zc_pack *pack, void *block) { zc__free(pack, block); }

/* ---------------------------------------------------------------------------------
 * Acquire and release
 * ------------------------------------------------------------------------------- */

static void zc__fill_hold(zc_pack *pack, const zc_entry *e, const void *data, void *slot, zc_hold *out) {
    zc__pack_hold(pack);
    out->data = e->raw_size ? data : NULL;
    out->size = e->raw_size;
    out->entry = *e;
    out->pack = pack;
    out->slot = slot;
}

#ifndef ZC_NO_ZSTD

/* The slot table, allocated at the first compressed acquire (cache lock held). NULL
 * when out of memory. */
static zc__slot *zc__slots_get(const zc_pack *pack, struct zc__cache *c) {
    if (c->slots) return c->slots;
    zc__slot *slots = (zc__slot *)zc__calloc_lines(pack, (size_t)pack->entry_count * sizeof *slots, &c->slots_block);
    if (!slots) return NULL;
    for (uint32_t i = 0; i < pack->entry_count; ++i) slots[i].prev = slots[i].next = slots[i].pending_next = ZC__NIL;
    __atomic_store_n(&c->slots, slots, __ATOMIC_RELEASE);
    return slots;
}

/* Find or decode the slot of compressed entry e and take one hold on it: the miss path,
 * under the cache lock except while decoding. On success returns the slot, else NULL
 * with *result set (and logged by the decoding thread). */
static zc__slot *zc__hold_slot(zc_pack *pack, struct zc__cache *c, const zc_entry *e, zc_result *result) {
    zc_diag diag;
    diag.message[0] = 0;
    zc__os_mutex_lock(&c->lock);
    zc__slot *slots = zc__slots_get(pack, c);
    if (!slots) {
        zc__os_mutex_unlock(&c->lock);
        *result = zc_fail(&diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for the cache's %u slots", pack->entry_count);
        zc__entry_error(pack, e, *result, &diag);
        return NULL;
    }
    zc__slot *s = &slots[e->index];
    uint32_t seen = s->waves;
    int waited = 0;
    for (;;) {
        uint64_t before;
        if (zc__slot_try_hold(s, &before)) {
            zc__os_mutex_unlock(&c->lock);
            zc__count_hold(c, before, e->raw_size, 1);
            break;
        }
        if (s->decoding) {
            waited = 1;
            zc__os_cond_wait(&c->decoded, &c->lock);
            continue;
        }
        if (waited && s->waves != seen && s->last_error != ZC_OK) {
            /* The decode this thread waited for failed: share its outcome. */
            *result = (zc_result)s->last_error;
            zc__os_mutex_unlock(&c->lock);
            return NULL;
        }
        s->decoding = 1;
        /* Z8 once per entry: the frame lies in the mapping, and decoding the same
         * bytes again gives the same bytes (the mapping is never written to). */
        int check_content = !s->content_checked;
        zc__os_mutex_unlock(&c->lock);
        void *block;
        const uint8_t *data;
        zc_result r = zc__decode(pack, c, e, check_content, &block, &data, &diag);
        zc__os_mutex_lock(&c->lock);
        s->decoding = 0;
        if (r == ZC_OK) s->content_checked = 1;
        s->waves++;
        s->last_error = (int32_t)r;
        zc__os_cond_broadcast(&c->decoded);
        if (r != ZC_OK) {
            zc__os_mutex_unlock(&c->lock);
            *result = zc__entry_error(pack, e, r, &diag);
            return NULL;
        }
        s->block = block;
        s->data = data;
        __atomic_store_n(&s->state, ZC__LIVE | 1u, __ATOMIC_RELEASE); /* published with this thread's hold */
        __atomic_store_n(&c->resident_bytes, c->resident_bytes + e->raw_size, __ATOMIC_SEQ_CST);
        c->resident_entries++;
        c->decodes++;
        zc__os_mutex_unlock(&c->lock);
        zc__count_hold(c, 0, e->raw_size, 0);
        break;
    }
    *result = ZC_OK;
    return s;
}

/* Drop one hold on slot s (`size` raw bytes). Without the lock unless the resident
 * bytes exceed the budget. */
static void zc__release_slot(const zc_pack *pack, struct zc__cache *c, zc__slot *s, uint64_t size) {
    zc__slot *slots = c->slots;
    uint32_t index = (uint32_t)(s - slots);
    /* RELEASE: this hold's reads of the bytes happen before an eviction that sees no
     * holds. SEQ_CST: see the flag below. */
    if ((__atomic_sub_fetch(&s->state, 1, __ATOMIC_SEQ_CST) & ~ZC__LIVE) != 0) return;
    __atomic_fetch_sub(&c->stripes[zc__thread_stripe() % ZC__STRIPES].held_bytes, size, __ATOMIC_RELAXED);
    __atomic_store_n(&s->stamp, zc__os_ticks(), __ATOMIC_RELAXED);
    /* A released slot stays pending until the next trim, so within the budget this
     * writes nothing. A flag seen set is cleared by a drain that then sees this drop
     * (both SEQ_CST) and queues the slot in the LRU list. */
    if (!__atomic_load_n(&s->pending, __ATOMIC_SEQ_CST) && !__atomic_exchange_n(&s->pending, 1, __ATOMIC_ACQ_REL))
        zc__pending_push(c, slots, index);
    /* Within the budget nothing can be over it. SEQ_CST with the push and with the
     * decoders' update: a decode this load misses sees the push when its own release
     * trims. */
    if (__atomic_load_n(&c->resident_bytes, __ATOMIC_SEQ_CST) > c->budget) zc__trim(pack, c);
}

#endif /* ZC_NO_ZSTD */

zc_result zc_pack_acquire(zc_pack *pack, const zc_entry *entry, zc_hold *out) {
    if (out) memset(out, 0, sizeof *out);
    if (!pack || !entry || !out) return ZC_ERR_INVALID_ARGUMENT;
    /* Work from the pack's own record, so a hold can never describe bytes the pack
     * does not have. */
    zc_entry e;
    if (zc_pack_entry_at(pack, entry->index, &e) != ZC_OK || e.id != entry->id) {
        zc__pack_log(pack, ZC_LOG_ERROR, "zc_pack_acquire: the entry does not belong to this pack");
        return ZC_ERR_INVALID_ARGUMENT;
    }
    if (e.codec == ZC_CODEC_NONE) {
        zc__fill_hold(pack, &e, e.data, NULL, out);
        return ZC_OK;
    }
#ifndef ZC_NO_ZSTD
    /* A hit: one compare-and-swap on the slot, no lock. */
    struct zc__cache *c = __atomic_load_n(&pack->cache, __ATOMIC_ACQUIRE);
    zc__slot *slots = c ? __atomic_load_n(&c->slots, __ATOMIC_ACQUIRE) : NULL;
    uint64_t before;
    if (slots && zc__slot_try_hold(&slots[e.index], &before)) {
        zc__count_hold(c, before, e.raw_size, 1);
        zc__fill_hold(pack, &e, slots[e.index].data, &slots[e.index], out);
        return ZC_OK;
    }
#endif
    zc_diag diag;
    diag.message[0] = 0;
    zc_result r = zc__decodable(pack, &e, &diag);
    if (r != ZC_OK) return zc__entry_error(pack, &e, r, &diag);
#ifdef ZC_NO_ZSTD
    return ZC_ERR_UNSUPPORTED_CODEC;
#else
    c = zc__cache_get(pack);
    if (!c) {
        zc_fail(&diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for the entry cache");
        return zc__entry_error(pack, &e, ZC_ERR_OUT_OF_MEMORY, &diag);
    }
    zc__slot *s = zc__hold_slot(pack, c, &e, &r);
    if (!s) return r;
    zc__fill_hold(pack, &e, s->data, s, out);
    return ZC_OK;
#endif
}

/* zc_pack_get / zc_pack_get_id: the lookup, then zc_pack_acquire, which hands out the
 * mapping's bytes for a stored entry and the cached decode for a compressed one. */
zc_result zc_pack_get(zc_pack *pack, const char *path, zc_hold *out) {
    if (out) memset(out, 0, sizeof *out);
    if (!pack || !path || !out) return ZC_ERR_INVALID_ARGUMENT;
    zc_entry e;
    zc_result r = zc_pack_find(pack, path, &e);
    return r == ZC_OK ? zc_pack_acquire(pack, &e, out) : r;
}

zc_result zc_pack_get_id(zc_pack *pack, uint64_t id, zc_hold *out) {
    if (out) memset(out, 0, sizeof *out);
    if (!pack || !out) return ZC_ERR_INVALID_ARGUMENT;
    if (id == 0) return ZC_ERR_NO_ENTRY; /* 0 means "no reference", never an entry */
    zc_entry e;
    zc_result r = zc_pack_find_id(pack, id, &e);
    return r == ZC_OK ? zc_pack_acquire(pack, &e, out) : r;
}

void zc_hold_release(zc_hold *hold) {
    if (!hold || !hold->pack) return;
    zc_pack *pack = hold->pack;
#ifndef ZC_NO_ZSTD
    if (hold->slot)
        zc__release_slot(pack, __atomic_load_n(&pack->cache, __ATOMIC_ACQUIRE), (zc__slot *)hold->slot, hold->size);
#endif
    memset(hold, 0, sizeof *hold);
    zc__pack_unhold(pack);
}

zc_result zc_pack_cache_stats(const zc_pack *pack, zc_cache_stats *out) {
    if (!pack || !out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    out->budget = pack->cache_budget;
    struct zc__cache *c = __atomic_load_n(&((zc_pack *)pack)->cache, __ATOMIC_ACQUIRE);
    if (!c) return ZC_OK;
    zc__os_mutex_lock(&c->lock);
    out->resident_bytes = c->resident_bytes;
    out->resident_entries = c->resident_entries;
    out->decodes = c->decodes;
    out->evictions = c->evictions;
    zc__os_mutex_unlock(&c->lock);
    for (int i = 0; i < ZC__STRIPES; ++i) {
        out->held_bytes += __atomic_load_n(&c->stripes[i].held_bytes, __ATOMIC_RELAXED);
        out->hits += __atomic_load_n(&c->stripes[i].hits, __ATOMIC_RELAXED);
    }
    return ZC_OK;
}

void zc__cache_destroy(zc_pack *pack) {
    struct zc__cache *c = pack ? pack->cache : NULL;
    if (!c) return;
    if (c->slots)
        for (uint32_t i = 0; i < pack->entry_count; ++i) zc__free(pack, c->slots[i].block);
    zc__free(pack, c->slots_block);
#ifndef ZC_NO_ZSTD
    for (uint32_t i = 0; i < c->dict_count; ++i) ZSTD_freeDDict(c->dicts[i].ddict);
    for (uint32_t i = 0; i < c->context_count; ++i) ZSTD_freeDCtx((ZSTD_DCtx *)c->contexts[i]);
    ZSTD_freeDCtx((ZSTD_DCtx *)c->spare_context);
#endif
    zc__free(pack, c->dicts);
    zc__free(pack, c->contexts);
    zc__os_cond_destroy(&c->decoded);
    zc__os_mutex_destroy(&c->lock);
    pack->cache = NULL;
    zc__free(pack, c->self_block);
}
