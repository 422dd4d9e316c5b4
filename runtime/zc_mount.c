/* zc_mount.c - the mount table (zc_mounts_*, declared in zc_pack.h, "Mounting packs").
 *
 * The table is an array of mounts kept in lookup order: priority descending, and
 * among equal priorities the most recently mounted first. A lookup walks it in that
 * order and stops at the first pack that has the path: a whiteout there means "no
 * entry", anything else is the answer. The walk runs under the table's mutex and
 * takes a reference on the winning pack before the mutex is released, so a
 * concurrent zc_mounts_remove cannot free the pack between the lookup and the hold;
 * the hold itself (zc_pack_acquire, which may decode a compressed entry) is taken
 * outside the mutex so one decode never stalls every other lookup.
 *
 * Each mount owns one reference on its pack (zc__pack_ref at add, zc__pack_unref at
 * remove or destroy). Holds own their own references, which is what keeps held bytes
 * valid after an unmount.
 */
#include "zc_pack.h"
#include "zc_pack_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct zc__mount {
    zc_pack *pack;              /* one reference owned by the table */
    int32_t priority;
    uint64_t order;             /* mount sequence number: higher = mounted later */
    char *mount_point;          /* "prefix/" from the table's allocator; NULL = the root */
    size_t mount_point_length;  /* bytes, 0 for the root */
} zc__mount;

struct zc_mounts {
    zc_allocator allocator;
    zc_logger logger;
    zc__os_mutex lock;          /* guards mounts, count, cap and next_order */
    zc__mount *mounts;          /* lookup order */
    uint32_t count, cap;
    uint64_t next_order;
    atomic_uint published_count; /* count, readable without the lock (zc_mounts_count) */
    zc_public_key *keys;        /* trusted keys (copied at create); NULL: any pack mounts */
    uint32_t key_count;
};

/* ---------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------- */

static void *zc__mounts_default_alloc(size_t size, void *user_data) {
    (void)user_data;
    return malloc(size);
}

static void zc__mounts_default_free(void *ptr, void *user_data) {
    (void)user_data;
    free(ptr);
}

#if defined(__GNUC__)
__attribute__((format(ZC_PRINTF_ARCHETYPE, 3, 4)))
#endif
static void zc__mounts_log(const zc_mounts *m, zc_log_level level, const char *fmt, ...) {
    if (!m->logger.func) return;
    char line[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    m->logger.func(level, line, m->logger.user_data);
}

static const char *zc__pack_label(const zc_pack *pack) {
    return pack->name ? pack->name : "pack";
}

/* A mount point is NULL or "" (the root), or a valid entry path followed by one '/'
 * ("mods/foo/"). Logs why not and returns ZC_ERR_INVALID_ARGUMENT. */
static zc_result zc__check_mount_point(const zc_mounts *m, const char *mount_point) {
    if (!mount_point || !mount_point[0]) return ZC_OK;
    size_t length = strlen(mount_point);
    zc_diag diag;
    diag.message[0] = 0;
    if (mount_point[length - 1] != '/') {
        zc__mounts_log(m, ZC_LOG_ERROR, "mount point \"%.1024s\" does not end in '/'", mount_point);
        return ZC_ERR_INVALID_ARGUMENT;
    }
    if (zc_check_path(mount_point, length - 1, &diag) != ZC_OK) {
        zc__mounts_log(m, ZC_LOG_ERROR, "mount point \"%.1024s\" is not a valid path prefix: %s", mount_point,
                       diag.message);
        return ZC_ERR_INVALID_ARGUMENT;
    }
    return ZC_OK;
}

/* With trusted keys, the pack must be signed by one of them: a pack verified at open
 * against a key the table trusts too is accepted as it is, any other is verified now.
 * Logs why not and returns ZC_ERR_SIGNATURE. Called without the lock (it may hash the
 * whole pack). */
static zc_result zc__check_mount_signature(const zc_mounts *m, const zc_pack *pack) {
    if (!m->key_count) return ZC_OK;
    for (uint32_t i = 0; pack->signature_verified && i < m->key_count; ++i)
        if (memcmp(&m->keys[i], &pack->verified_key, sizeof pack->verified_key) == 0) return ZC_OK;
    zc_diag diag;
    diag.message[0] = 0;
    zc_result r = zc__signature_verify(pack, m->keys, m->key_count, NULL, &diag);
    if (r != ZC_OK)
        zc__mounts_log(m, ZC_LOG_ERROR, "%s: not mounted: %s", zc__pack_label(pack), diag.message);
    return r;
}

/* Position at which a new mount of `priority` goes: before every mount of lower or
 * equal priority (it is the latest mounted), after every higher one. */
static uint32_t zc__insert_position(const zc_mounts *m, int32_t priority) {
    uint32_t i = 0;
    while (i < m->count && m->mounts[i].priority > priority) i++;
    return i;
}

/* Room for `more` more mounts; 0 when out of memory. Called with the lock held. */
static int zc__reserve(zc_mounts *m, uint32_t more) {
    if (more <= m->cap - m->count) return 1;
    if (more > UINT32_MAX - m->count) return 0;
    uint32_t cap = m->cap ? m->cap : 8;
    while (cap < m->count + more) {
        if (cap > UINT32_MAX / 2) return 0;
        cap *= 2;
    }
    zc__mount *grown = (zc__mount *)m->allocator.alloc((size_t)cap * sizeof *grown, m->allocator.user_data);
    if (!grown) return 0;
    if (m->count) memcpy(grown, m->mounts, (size_t)m->count * sizeof *grown);
    m->allocator.free(m->mounts, m->allocator.user_data);
    m->mounts = grown;
    m->cap = cap;
    return 1;
}

/* The path inside a mount's pack that `path` names, or NULL when `path` does not lie
 * under the mount point. */
static const char *zc__strip(const zc__mount *mount, const char *path) {
    if (!mount->mount_point_length) return path;
    if (strncmp(path, mount->mount_point, mount->mount_point_length) != 0) return NULL;
    return path + mount->mount_point_length;
}

/* ---------------------------------------------------------------------------------
 * Create and destroy
 * ------------------------------------------------------------------------------- */

zc_result zc_mounts_create(zc_mounts **out, const zc_mounts_desc *desc) {
    if (!out) return ZC_ERR_INVALID_ARGUMENT;
    *out = NULL;
    zc_allocator allocator = { zc__mounts_default_alloc, zc__mounts_default_free, NULL };
    zc_logger logger = { NULL, NULL };
    if (desc) {
        if ((desc->allocator.alloc == NULL) != (desc->allocator.free == NULL)) return ZC_ERR_INVALID_ARGUMENT;
        if (desc->allocator.alloc) allocator = desc->allocator;
        logger = desc->logger;
    }
    uint32_t key_count = desc ? desc->trusted_key_count : 0;
    if (key_count && !desc->trusted_keys) return ZC_ERR_INVALID_ARGUMENT;
    zc_mounts *m = (zc_mounts *)allocator.alloc(sizeof *m, allocator.user_data);
    zc_public_key *keys =
        key_count ? (zc_public_key *)allocator.alloc((size_t)key_count * sizeof *keys, allocator.user_data) : NULL;
    if (!m || (key_count && !keys)) {
        if (m) allocator.free(m, allocator.user_data);
        if (keys) allocator.free(keys, allocator.user_data);
        if (logger.func) logger.func(ZC_LOG_ERROR, "out of memory for a mount table", logger.user_data);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    memset(m, 0, sizeof *m);
    if (key_count) memcpy(keys, desc->trusted_keys, (size_t)key_count * sizeof *keys);
    m->keys = keys;
    m->key_count = key_count;
    m->allocator = allocator;
    m->logger = logger;
    atomic_init(&m->published_count, 0u);
    zc__os_mutex_init(&m->lock);
    *out = m;
    return ZC_OK;
}

void zc_mounts_destroy(zc_mounts *mounts) {
    if (!mounts) return;
    for (uint32_t i = 0; i < mounts->count; ++i) {
        mounts->allocator.free(mounts->mounts[i].mount_point, mounts->allocator.user_data);
        zc__pack_unref(mounts->mounts[i].pack);
    }
    mounts->allocator.free(mounts->mounts, mounts->allocator.user_data);
    mounts->allocator.free(mounts->keys, mounts->allocator.user_data);
    zc__os_mutex_destroy(&mounts->lock);
    zc_allocator a = mounts->allocator;
    a.free(mounts, a.user_data);
}

/* ---------------------------------------------------------------------------------
 * Add and remove
 * ------------------------------------------------------------------------------- */

/* A copy of a mount point from the table's allocator; NULL for the root (*ok = 1) or
 * when out of memory (*ok = 0, logged). */
static char *zc__copy_mount_point(zc_mounts *m, const char *mount_point, const zc_pack *pack, int *ok) {
    size_t length = mount_point ? strlen(mount_point) : 0;
    *ok = 1;
    if (!length) return NULL;
    char *copy = (char *)m->allocator.alloc(length + 1, m->allocator.user_data);
    if (!copy) {
        zc__mounts_log(m, ZC_LOG_ERROR, "out of memory mounting %s", zc__pack_label(pack));
        *ok = 0;
        return NULL;
    }
    memcpy(copy, mount_point, length + 1);
    return copy;
}

/* Mount `n` packs at one priority in one step: under the lock, refuse them all when
 * one is mounted already or the list cannot grow, else insert each (taking its
 * reference and its mount point copy, points[i]). On error nothing changed and the
 * caller still owns the copies. */
static zc_result zc__mounts_insert(zc_mounts *m, zc_pack *const *packs, char **points, uint32_t n, int32_t priority) {
    zc__os_mutex_lock(&m->lock);
    for (uint32_t i = 0; i < m->count; ++i)
        for (uint32_t k = 0; k < n; ++k) {
            if (m->mounts[i].pack != packs[k]) continue;
            zc__os_mutex_unlock(&m->lock);
            zc__mounts_log(m, ZC_LOG_ERROR, "%s is already mounted in this table", zc__pack_label(packs[k]));
            return ZC_ERR_INVALID_ARGUMENT;
        }
    if (!zc__reserve(m, n)) {
        zc__os_mutex_unlock(&m->lock);
        zc__mounts_log(m, ZC_LOG_ERROR, "out of memory mounting %s", zc__pack_label(packs[0]));
        return ZC_ERR_OUT_OF_MEMORY;
    }
    for (uint32_t k = 0; k < n; ++k) {
        uint32_t at = zc__insert_position(m, priority);
        memmove(&m->mounts[at + 1], &m->mounts[at], (size_t)(m->count - at) * sizeof *m->mounts);
        zc__mount *mount = &m->mounts[at];
        zc__pack_ref(packs[k]);
        mount->pack = packs[k];
        mount->priority = priority;
        mount->order = m->next_order++;
        mount->mount_point = points[k];
        mount->mount_point_length = points[k] ? strlen(points[k]) : 0;
        m->count++;
    }
    atomic_store_explicit(&m->published_count, m->count, memory_order_relaxed);
    zc__os_mutex_unlock(&m->lock);
    return ZC_OK;
}

zc_result zc_mounts_add(zc_mounts *mounts, const zc_mount_desc *desc) {
    if (!mounts || !desc || !desc->pack) return ZC_ERR_INVALID_ARGUMENT;
    zc_result r = zc__check_mount_point(mounts, desc->mount_point);
    if (r == ZC_OK) r = zc__check_mount_signature(mounts, desc->pack);
    if (r != ZC_OK) return r;
    /* Copy the mount point before taking the lock: allocation stays outside it. */
    int ok;
    char *mount_point = zc__copy_mount_point(mounts, desc->mount_point, desc->pack, &ok);
    if (!ok) return ZC_ERR_OUT_OF_MEMORY;
    r = zc__mounts_insert(mounts, &desc->pack, &mount_point, 1, desc->priority);
    if (r != ZC_OK) mounts->allocator.free(mount_point, mounts->allocator.user_data);
    return r;
}

/* The member packs of a set and a copy of the mount point for each, from the table's
 * allocator (packs first, then the copies, in one block). NULL when out of memory. */
static void *zc__set_mount_block(zc_mounts *m, const zc_pack_set *set, const char *mount_point, uint32_t n,
                                 zc_pack ***out_packs, char ***out_points) {
    size_t bytes = (size_t)(n ? n : 1) * (sizeof(zc_pack *) + sizeof(char *));
    void *block = m->allocator.alloc(bytes, m->allocator.user_data);
    if (!block) return NULL;
    memset(block, 0, bytes);
    zc_pack **packs = (zc_pack **)block;
    char **points = (char **)(packs + (n ? n : 1));
    int ok = 1;
    for (uint32_t i = 0; i < n && ok; ++i) {
        zc_pack_set_member_info info;
        zc_pack_set_member(set, i, &info);
        packs[i] = info.pack;
        points[i] = zc__copy_mount_point(m, mount_point, info.pack, &ok);
    }
    if (!ok) {
        for (uint32_t i = 0; i < n; ++i) m->allocator.free(points[i], m->allocator.user_data);
        m->allocator.free(block, m->allocator.user_data);
        return NULL;
    }
    *out_packs = packs;
    *out_points = points;
    return block;
}

zc_result zc_mounts_add_set(zc_mounts *mounts, const zc_mount_set_desc *desc) {
    if (!mounts || !desc || !desc->set) return ZC_ERR_INVALID_ARGUMENT;
    zc_result r = zc__check_mount_point(mounts, desc->mount_point);
    uint32_t n = zc_pack_set_member_count(desc->set);
    for (uint32_t i = 0; i < n && r == ZC_OK; ++i) {
        zc_pack_set_member_info info;
        zc_pack_set_member(desc->set, i, &info);
        r = zc__check_mount_signature(mounts, info.pack);
    }
    if (r != ZC_OK) return r;
    zc_pack **packs;
    char **points;
    void *block = zc__set_mount_block(mounts, desc->set, desc->mount_point, n, &packs, &points);
    if (!block) {
        zc__mounts_log(mounts, ZC_LOG_ERROR, "out of memory mounting a set of %u packs", n);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    r = zc__mounts_insert(mounts, packs, points, n, desc->priority);
    for (uint32_t i = 0; r != ZC_OK && i < n; ++i) mounts->allocator.free(points[i], mounts->allocator.user_data);
    mounts->allocator.free(block, mounts->allocator.user_data);
    return r;
}

zc_result zc_mounts_remove(zc_mounts *mounts, const zc_pack *pack) {
    if (!mounts || !pack) return ZC_ERR_INVALID_ARGUMENT;
    zc__mount removed;
    int found = 0;
    zc__os_mutex_lock(&mounts->lock);
    for (uint32_t i = 0; i < mounts->count; ++i) {
        if (mounts->mounts[i].pack != pack) continue;
        removed = mounts->mounts[i];
        memmove(&mounts->mounts[i], &mounts->mounts[i + 1], (size_t)(mounts->count - i - 1) * sizeof *mounts->mounts);
        mounts->count--;
        atomic_store_explicit(&mounts->published_count, mounts->count, memory_order_relaxed);
        found = 1;
        break;
    }
    zc__os_mutex_unlock(&mounts->lock);
    if (!found) return ZC_ERR_NO_ENTRY;
    /* Outside the lock: the last reference unmaps the pack. */
    mounts->allocator.free(removed.mount_point, mounts->allocator.user_data);
    zc__pack_unref(removed.pack);
    return ZC_OK;
}

zc_result zc_mounts_remove_set(zc_mounts *mounts, const zc_pack_set *set) {
    if (!mounts || !set) return ZC_ERR_INVALID_ARGUMENT;
    uint32_t n = zc_pack_set_member_count(set), removed_count = 0;
    zc__mount *removed =
        (zc__mount *)mounts->allocator.alloc((size_t)(n ? n : 1) * sizeof *removed, mounts->allocator.user_data);
    if (!removed) return ZC_ERR_OUT_OF_MEMORY;
    zc__os_mutex_lock(&mounts->lock);
    for (uint32_t i = 0; i < mounts->count;) {
        int member = 0;
        for (uint32_t k = 0; k < n && !member; ++k) {
            zc_pack_set_member_info info;
            zc_pack_set_member(set, k, &info);
            member = mounts->mounts[i].pack == info.pack;
        }
        if (!member || removed_count == n) {
            i++;
            continue;
        }
        removed[removed_count++] = mounts->mounts[i];
        memmove(&mounts->mounts[i], &mounts->mounts[i + 1], (size_t)(mounts->count - i - 1) * sizeof *mounts->mounts);
        mounts->count--;
    }
    atomic_store_explicit(&mounts->published_count, mounts->count, memory_order_relaxed);
    zc__os_mutex_unlock(&mounts->lock);
    /* Outside the lock: the last reference unmaps a pack. */
    for (uint32_t i = 0; i < removed_count; ++i) {
        mounts->allocator.free(removed[i].mount_point, mounts->allocator.user_data);
        zc__pack_unref(removed[i].pack);
    }
    mounts->allocator.free(removed, mounts->allocator.user_data);
    return removed_count ? ZC_OK : ZC_ERR_NO_ENTRY;
}

uint32_t zc_mounts_count(const zc_mounts *mounts) {
    return mounts ? atomic_load_explicit(&mounts->published_count, memory_order_relaxed) : 0;
}

/* ---------------------------------------------------------------------------------
 * Lookups
 * ------------------------------------------------------------------------------- */

/* Walk the mounts in lookup order for `path` (by_id = 0) or `id` (by_id = 1). On
 * ZC_OK *out_pack holds a new reference on the pack that answers and *out its entry;
 * ZC_ERR_NO_ENTRY when no pack has it or the first pack that has it holds a whiteout;
 * the record's error when the first pack that has it holds a damaged record (checked
 * on first use, zc_pack_find): a lower pack's entry never stands in for it. */
static zc_result zc__mounts_find(zc_mounts *mounts, const char *path, int by_id, uint64_t id, zc_pack **out_pack,
                                 zc_entry *out) {
    zc_result r = ZC_ERR_NO_ENTRY;
    *out_pack = NULL;
    zc__os_mutex_lock(&mounts->lock);
    for (uint32_t i = 0; i < mounts->count; ++i) {
        const zc__mount *mount = &mounts->mounts[i];
        zc_result found;
        if (by_id) {
            found = zc_pack_find_id(mount->pack, id, out);
        } else {
            const char *inner = zc__strip(mount, path);
            found = inner ? zc_pack_find(mount->pack, inner, out) : ZC_ERR_NO_ENTRY;
        }
        if (found == ZC_ERR_NO_ENTRY) continue;
        if (found != ZC_OK) {
            r = found;
            break;
        }
        if (out->type != ZC_TYPE_WHITEOUT) {
            zc__pack_ref(mount->pack);
            *out_pack = mount->pack;
            r = ZC_OK;
        }
        break; /* found, or hidden by a whiteout */
    }
    zc__os_mutex_unlock(&mounts->lock);
    return r;
}

/* Hold the entry a lookup found, then drop the lookup's own reference. */
static zc_result zc__mounts_hold(zc_mounts *mounts, const char *path, int by_id, uint64_t id, zc_hold *out) {
    zc_pack *pack;
    zc_entry entry;
    zc_result r = zc__mounts_find(mounts, path, by_id, id, &pack, &entry);
    if (r != ZC_OK) return r;
    r = zc_pack_acquire(pack, &entry, out);
    zc__pack_unref(pack);
    return r;
}

zc_result zc_mounts_acquire(zc_mounts *mounts, const char *path, zc_hold *out) {
    if (out) memset(out, 0, sizeof *out);
    if (!mounts || !path || !out) return ZC_ERR_INVALID_ARGUMENT;
    return zc__mounts_hold(mounts, path, 0, 0, out);
}

zc_result zc_mounts_acquire_id(zc_mounts *mounts, uint64_t id, zc_hold *out) {
    if (out) memset(out, 0, sizeof *out);
    if (!mounts || !out) return ZC_ERR_INVALID_ARGUMENT;
    if (id == 0) return ZC_ERR_NO_ENTRY; /* 0 means "no reference", never an entry */
    return zc__mounts_hold(mounts, NULL, 1, id, out);
}
