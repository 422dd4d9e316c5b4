/* zc_memo.c - bytes worked out, by a key of what they came from (zc_memo.h). */
#include "zc_memo.h"

#include <stdlib.h>
#include <string.h>

#include <uv.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

/* A slot of the open-addressing table. */
typedef struct zc__memo_slot {
    zc__memo_key key;
    int used;
    uint32_t tag;
    void *bytes;                /* NULL when only the tag was kept */
    size_t size;
} zc__memo_slot;

struct zc__memo {
    uv_mutex_t lock;
    zc__memo_slot *slots;
    size_t cap, used;           /* cap a power of two, at most half used */
    uint64_t bytes, budget;
    uint32_t reused;
};

zc__memo *zc__memo_create(uint64_t budget) {
    zc__memo *m = (zc__memo *)calloc(1, sizeof *m);
    if (!m) return NULL;
    m->cap = 256;
    m->slots = (zc__memo_slot *)calloc(m->cap, sizeof *m->slots);
    if (!m->slots || uv_mutex_init(&m->lock) != 0) {
        free(m->slots);
        free(m);
        return NULL;
    }
    m->budget = budget;
    return m;
}

void zc__memo_destroy(zc__memo *m) {
    if (!m) return;
    for (size_t i = 0; i < m->cap; ++i) free(m->slots[i].bytes);
    free(m->slots);
    uv_mutex_destroy(&m->lock);
    free(m);
}

zc__memo_key zc__memo_key_of(const void *raw, size_t size) {
    XXH128_hash_t h = XXH3_128bits(raw, size);
    zc__memo_key k = { h.low64, h.high64, size };
    return k;
}

zc__memo_key zc__memo_key_with(const void *context, size_t context_size, const void *raw, size_t size) {
    XXH3_state_t state;
    XXH3_128bits_reset(&state);
    XXH3_128bits_update(&state, context, context_size);
    XXH3_128bits_update(&state, raw, size);
    XXH128_hash_t h = XXH3_128bits_digest(&state);
    zc__memo_key k = { h.low64, h.high64, size };
    return k;
}

static int zc__same_key(const zc__memo_key *a, const zc__memo_key *b) {
    return a->low == b->low && a->high == b->high && a->size == b->size;
}

/* The slot of `key`, or the free slot where it would go. Under the lock. */
static zc__memo_slot *zc__memo_slot_of(zc__memo_slot *slots, size_t cap, const zc__memo_key *key) {
    size_t at = (size_t)key->low & (cap - 1);
    while (slots[at].used && !zc__same_key(&slots[at].key, key)) at = (at + 1) & (cap - 1);
    return &slots[at];
}

int zc__memo_find(zc__memo *m, const zc__memo_key *key, uint32_t *tag, const void **bytes, size_t *size) {
    if (!m) return 0;
    uv_mutex_lock(&m->lock);
    const zc__memo_slot *s = zc__memo_slot_of(m->slots, m->cap, key);
    int found = s->used;
    if (found) {
        *tag = s->tag;
        *bytes = s->bytes;
        *size = s->size;
        m->reused++;
    }
    uv_mutex_unlock(&m->lock);
    return found;
}

/* Double the table. Under the lock; 0 when out of memory (the table stays). */
static int zc__memo_grow(zc__memo *m) {
    size_t cap = m->cap * 2;
    zc__memo_slot *slots = (zc__memo_slot *)calloc(cap, sizeof *slots);
    if (!slots) return 0;
    for (size_t i = 0; i < m->cap; ++i)
        if (m->slots[i].used) *zc__memo_slot_of(slots, cap, &m->slots[i].key) = m->slots[i];
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 1;
}

void zc__memo_put(zc__memo *m, const zc__memo_key *key, uint32_t tag, const void *bytes, size_t size) {
    if (!m) return;
    size_t keep = bytes ? size : 0;
    void *copy = NULL;
    if (keep) {
        uv_mutex_lock(&m->lock);
        int room = m->bytes + keep <= m->budget;
        uv_mutex_unlock(&m->lock);
        if (!room || !(copy = malloc(keep))) return;
        memcpy(copy, bytes, keep); /* outside the lock */
    }
    uv_mutex_lock(&m->lock);
    zc__memo_slot *s = zc__memo_slot_of(m->slots, m->cap, key);
    if (s->used || m->bytes + keep > m->budget || ((m->used + 1) * 2 > m->cap && !zc__memo_grow(m))) {
        uv_mutex_unlock(&m->lock); /* kept already (another worker), or no room */
        free(copy);
        return;
    }
    s = zc__memo_slot_of(m->slots, m->cap, key); /* the table may have grown */
    s->key = *key;
    s->used = 1;
    s->tag = tag;
    s->bytes = copy;
    s->size = keep;
    m->used++;
    m->bytes += keep;
    uv_mutex_unlock(&m->lock);
}

uint32_t zc__memo_reused(zc__memo *m) {
    if (!m) return 0;
    uv_mutex_lock(&m->lock);
    uint32_t n = m->reused;
    uv_mutex_unlock(&m->lock);
    return n;
}
