/* zc_encode_memo.c - stored forms by raw bytes (zc_encode_memo.h). */
#include "zc_encode_memo.h"

#include <stdlib.h>
#include <string.h>

#include <uv.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

/* A slot of the open-addressing table; stored == NULL with codec NONE: stays raw. */
typedef struct zc__memo_slot {
    zc__encode_key key;
    int used;
    zc_codec codec;
    void *stored;
    size_t stored_size;
} zc__memo_slot;

struct zc__encode_memo {
    uv_mutex_t lock;
    zc__memo_slot *slots;
    size_t cap, used;           /* cap a power of two, at most half used */
    uint64_t bytes, budget;
    uint32_t reused;
};

zc__encode_memo *zc__encode_memo_create(uint64_t budget) {
    zc__encode_memo *m = (zc__encode_memo *)calloc(1, sizeof *m);
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

void zc__encode_memo_destroy(zc__encode_memo *m) {
    if (!m) return;
    for (size_t i = 0; i < m->cap; ++i) free(m->slots[i].stored);
    free(m->slots);
    uv_mutex_destroy(&m->lock);
    free(m);
}

zc__encode_key zc__encode_key_of(const void *raw, size_t size) {
    XXH128_hash_t h = XXH3_128bits(raw, size);
    zc__encode_key k = { h.low64, h.high64, size };
    return k;
}

static int zc__same_key(const zc__encode_key *a, const zc__encode_key *b) {
    return a->low == b->low && a->high == b->high && a->size == b->size;
}

/* The slot of `key`, or the free slot where it would go. Under the lock. */
static zc__memo_slot *zc__memo_slot_of(zc__memo_slot *slots, size_t cap, const zc__encode_key *key) {
    size_t at = (size_t)key->low & (cap - 1);
    while (slots[at].used && !zc__same_key(&slots[at].key, key)) at = (at + 1) & (cap - 1);
    return &slots[at];
}

int zc__encode_memo_find(zc__encode_memo *m, const zc__encode_key *key, zc_codec *codec, const void **stored,
                         size_t *stored_size) {
    if (!m) return 0;
    uv_mutex_lock(&m->lock);
    const zc__memo_slot *s = zc__memo_slot_of(m->slots, m->cap, key);
    int found = s->used;
    if (found) {
        *codec = s->codec;
        *stored = s->stored;
        *stored_size = s->stored_size;
        m->reused++;
    }
    uv_mutex_unlock(&m->lock);
    return found;
}

/* Double the table. Under the lock; 0 when out of memory (the table stays). */
static int zc__memo_grow(zc__encode_memo *m) {
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

void zc__encode_memo_put(zc__encode_memo *m, const zc__encode_key *key, zc_codec codec, const void *stored,
                         size_t stored_size) {
    if (!m) return;
    size_t keep = codec == ZC_CODEC_NONE ? 0 : stored_size;
    void *copy = NULL;
    if (keep) {
        uv_mutex_lock(&m->lock);
        int room = m->bytes + keep <= m->budget;
        uv_mutex_unlock(&m->lock);
        if (!room || !(copy = malloc(keep))) return;
        memcpy(copy, stored, keep); /* outside the lock */
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
    s->codec = codec;
    s->stored = copy;
    s->stored_size = keep ? keep : 0;
    m->used++;
    m->bytes += keep;
    uv_mutex_unlock(&m->lock);
}

uint32_t zc__encode_memo_reused(zc__encode_memo *m) {
    if (!m) return 0;
    uv_mutex_lock(&m->lock);
    uint32_t n = m->reused;
    uv_mutex_unlock(&m->lock);
    return n;
}
