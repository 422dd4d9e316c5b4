/* zc_live.c - hot reload of a pack in editor builds (the zc_live_* calls of zc_live.h).
 *
 * State: a table of at most max_generations generation slots (each an open zc_pack
 * plus a private copy of its TOC facts, so comparing two generations never reads a
 * mapping that might have been damaged by a misbehaving writer), one of them
 * current, and a pool of ref slots (index + version) that pin generations. `lock`
 * guards both tables and the counters and is held only for table updates; `check_lock`
 * serialises checks (the watcher thread's and zc_live_poll's), which open, validate
 * and compare files without holding `lock`, and take it only for the swap.
 *
 * Only a check adds a generation, so a check that found a free slot before opening the
 * new file still has it at the swap. Sweeps (after each check and each release) close
 * every generation that is not current, is pinned by no ref and whose pack has no
 * other reference than the live pack's.
 *
 * Portable: the OS layer gives file identities and generation files; the libuv
 * watcher lives in zc_live_watch.c.
 */
#ifdef ZC_EDITOR

#include "zc_pack.h"
#include "zc_live.h"
#include "zc_pack_internal.h"
#include "zc_live_internal.h"
#include "zc_os.h"
#include "zc_hash.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZC__LIVE_MAX_GENERATIONS 64u
#define ZC__LIVE_DEFAULT_GENERATIONS 4u
#define ZC__LIVE_DEFAULT_POLL_MS 250u
#define ZC__LIVE_MAX_REFS (1u << 20)
#define ZC__LIVE_FIRST_REFS 16u
#define ZC__LIVE_NO_REF UINT32_MAX

/* The TOC facts of one entry that the change report hands out (record i is the entry at
 * TOC position i: ids ascending). */
typedef struct zc__live_record {
    uint64_t id;
    uint64_t content_hash;
    uint64_t raw_size;
    uint64_t deps_hash;         /* XXH3-64 of the dependency ids, in order */
    uint32_t deps_count;
    uint32_t type;
    uint32_t layout_hash;
    uint32_t path_offset;       /* into the generation's `paths` */
    uint32_t path_length;
} zc__live_record;

typedef struct zc__live_gen {
    zc_pack *pack;              /* NULL: the slot is free */
    uint32_t number;
    uint32_t pins;              /* refs pinning it, plus the check reporting it */
    zc__live_record *records;   /* entry_count records, ids ascending */
    uint32_t record_count;
    char *paths;                /* every path, NUL-terminated */
} zc__live_gen;

typedef struct zc__live_ref_slot {
    uint32_t version;           /* of the ref handed out last; bumped at release */
    uint32_t gen;               /* index into gens while used */
    uint32_t next_free;         /* free list link while unused */
    uint32_t used;
} zc__live_ref_slot;

struct zc_live_pack {
    char *path;
    char *directory;            /* for the watcher */
    char *name;                 /* last component of path */
    zc_live_files files;
    zc_validate validate;
    uint32_t max_generations;
    zc_load load;                   /* desc.load and desc.no_mmap, passed on as they are */
    int no_mmap;
    zc_live_cb on_change;
    void *user_data;
    zc_allocator allocator;
    zc_logger logger;
    zc_public_key *keys;        /* trusted keys (copied at open); NULL: no signature check */
    uint32_t key_count;
    zc_type_row *types;         /* registered entry types (copied at open); NULL: built-ins only */
    uint32_t type_count;

    zc__os_mutex lock;          /* gens, refs, counters, current */
    zc__os_mutex check_lock;    /* one check at a time */
    zc__live_gen gens[ZC__LIVE_MAX_GENERATIONS];
    uint32_t current;
    atomic_uint generation;     /* gens[current].number, for lock-free readers */
    uint32_t last_number;
    uint32_t retained_peak;

    zc__live_ref_slot *refs;
    uint32_t ref_capacity;
    uint32_t ref_free;          /* head of the free list; ZC__LIVE_NO_REF when empty */
    uint32_t ref_count;

    /* The last file a check examined (check_lock). */
    int seen_valid;
    int seen_failed;            /* it was refused; a notification examines it again */
    uint64_t seen_generation_file;
    zc__os_file_id seen;
    int pending;                /* a reload was deferred (read under lock by release) */
    int deferral_logged;

    uint64_t checks, reloads, unchanged, failures, deferrals;
    zc__live_watch *watch;
};

/* ---------------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------------- */

static void *zc__live_default_alloc(size_t size, void *user_data) {
    (void)user_data;
    return malloc(size);
}

static void zc__live_default_free(void *ptr, void *user_data) {
    (void)user_data;
    free(ptr);
}

static void *zc__live_alloc(zc_live_pack *live, size_t size) {
    return live->allocator.alloc(size ? size : 1, live->allocator.user_data);
}

static void zc__live_free(zc_live_pack *live, void *ptr) {
    if (ptr) live->allocator.free(ptr, live->allocator.user_data);
}

void zc__live_log(zc_live_pack *live, zc_log_level level, const char *fmt, ...) {
    if (!live->logger.func) return;
    char message[320], line[400];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    snprintf(line, sizeof line, "%s: %s", live->path, message);
    live->logger.func(level, line, live->logger.user_data);
}

/* A failure about `file`: the path prefix of zc__live_log names the live pack's path,
 * so the file is named again only when it is another one (a generation file). */
static void zc__live_log_file(zc_live_pack *live, zc_log_level level, const char *file, const char *message) {
    if (strcmp(file, live->path) == 0) zc__live_log(live, level, "%s", message);
    else zc__live_log(live, level, "%s: %s", file, message);
}

static char *zc__live_strndup(zc_live_pack *live, const char *s, size_t n) {
    char *copy = (char *)zc__live_alloc(live, n + 1);
    if (copy) {
        memcpy(copy, s, n);
        copy[n] = 0;
    }
    return copy;
}

static int zc__live_same_file(const zc__os_file_id *a, const zc__os_file_id *b) {
    return a->device == b->device && a->inode == b->inode && a->size == b->size && a->mtime_ns == b->mtime_ns &&
           a->ctime_ns == b->ctime_ns;
}

/* ---------------------------------------------------------------------------------
 * Generations
 * ------------------------------------------------------------------------------- */

/* The facts of record j that say whether its entry changed (zc_entry_differences),
 * read in place from a record that may not be checked yet: the record lies inside the
 * TOC (T9), and the dependency ids are read only when their slice lies inside the
 * list (R11). Returns 0 when it does not; the record's checks will refuse it. */
static int zc__live_raw_facts(const zc_pack *pack, uint32_t j, zc__live_record *out) {
    const zc_toc_entry *e = zc_toc_entry_at(pack->toc, j);
    memset(out, 0, sizeof *out);
    out->id = e->id;
    out->content_hash = e->content_hash;
    out->raw_size = e->raw_size;
    out->type = e->type;
    out->layout_hash = e->layout_hash;
    out->deps_count = e->deps_count;
    if (e->deps_count > pack->dep_count || e->deps_first > pack->dep_count - e->deps_count) return 0;
    out->deps_hash = zc__xxh3(pack->deps + e->deps_first, (size_t)e->deps_count * sizeof *pack->deps);
    return 1;
}

/* Whether two records describe the same entry (zc_entry_differences == 0; dependency
 * lists compared by their hash). */
static int zc__live_same_entry(const zc__live_record *a, const zc__live_record *b) {
    return a->type == b->type && a->layout_hash == b->layout_hash && a->content_hash == b->content_hash &&
           a->raw_size == b->raw_size && a->deps_count == b->deps_count && a->deps_hash == b->deps_hash;
}

/* Copy the TOC facts of `pack` into gen (records and paths): of every record when
 * `old_gen` is NULL (a pack whose entries are all checked), else of a new generation
 * opened by zc__pack_open_lazy, checking now only the records whose entries are new
 * or differ from old_gen's (zc__pack_check_entries) and taking the paths of the
 * others from old_gen's copy; their checks run when they are first used. Errors:
 * ZC_ERR_OUT_OF_MEMORY, ZC_ERR_LIMIT, and the checks' failures (logged). */
static zc_result zc__live_copy_toc(zc_live_pack *live, zc_pack *pack, const zc__live_gen *old_gen,
                                   zc__live_gen *gen) {
    const uint32_t count = zc_pack_entry_count(pack);
    const size_t which_bytes = ((size_t)count + 7) / 8;
    gen->records = (zc__live_record *)zc__live_alloc(live, (size_t)count * sizeof *gen->records + 1);
    uint8_t *which = old_gen ? (uint8_t *)zc__live_alloc(live, which_bytes + 1) : NULL;
    zc_result r = gen->records && (which || !old_gen) ? ZC_OK : ZC_ERR_OUT_OF_MEMORY;
    if (which) memset(which, 0, which_bytes);
    /* Pass 1: facts, and which records must be checked now. path_offset holds the
     * position of the same entry in old_gen until pass 2, UINT32_MAX for none. */
    uint32_t i = 0;
    for (uint32_t j = 0; r == ZC_OK && j < count; ++j) {
        zc__live_record *rec = &gen->records[j];
        zc_entry e;
        if (!old_gen && (r = zc_pack_entry_at(pack, j, &e)) != ZC_OK) break;
        int in_range = zc__live_raw_facts(pack, j, rec);
        rec->path_offset = UINT32_MAX;
        if (!old_gen) continue;
        while (i < old_gen->record_count && old_gen->records[i].id < rec->id) ++i;
        if (in_range && i < old_gen->record_count && zc__live_same_entry(&old_gen->records[i], rec))
            rec->path_offset = i;
        else
            which[j / 8] |= (uint8_t)(1u << (j % 8));
    }
    if (r == ZC_OK && old_gen) r = zc__pack_check_entries(pack, which);
    /* Pass 2: the paths. */
    uint64_t path_bytes = 0;
    for (uint32_t j = 0; r == ZC_OK && j < count; ++j) {
        zc__live_record *rec = &gen->records[j];
        zc_entry e;
        if (rec->path_offset != UINT32_MAX) rec->path_length = old_gen->records[rec->path_offset].path_length;
        else if ((r = zc_pack_entry_at(pack, j, &e)) == ZC_OK) rec->path_length = e.path_length;
        path_bytes += (uint64_t)rec->path_length + 1;
    }
    if (r == ZC_OK && path_bytes > UINT32_MAX) {
        zc__live_log(live, ZC_LOG_ERROR, "the paths of %u entries take more than 4 GiB", count);
        r = ZC_ERR_LIMIT;
    }
    if (r == ZC_OK && !(gen->paths = (char *)zc__live_alloc(live, (size_t)path_bytes + 1))) r = ZC_ERR_OUT_OF_MEMORY;
    uint32_t at = 0;
    for (uint32_t j = 0; r == ZC_OK && j < count; ++j) {
        zc__live_record *rec = &gen->records[j];
        const char *path;
        zc_entry e;
        if (rec->path_offset != UINT32_MAX) path = old_gen->paths + old_gen->records[rec->path_offset].path_offset;
        else if ((r = zc_pack_entry_at(pack, j, &e)) == ZC_OK) path = e.path;
        else break;
        memcpy(gen->paths + at, path, rec->path_length);
        gen->paths[at + rec->path_length] = 0;
        rec->path_offset = at;
        at += rec->path_length + 1;
    }
    zc__live_free(live, which);
    if (r != ZC_OK) {
        if (r == ZC_ERR_OUT_OF_MEMORY)
            zc__live_log(live, ZC_LOG_ERROR, "out of memory copying the table of contents of %u entries", count);
        zc__live_free(live, gen->records);
        zc__live_free(live, gen->paths);
        gen->records = NULL;
        gen->paths = NULL;
        return r;
    }
    gen->record_count = count;
    gen->pack = pack;
    return ZC_OK;
}

/* Close the generation's pack and free its copy of the TOC. */
static void zc__live_drop_gen(zc_live_pack *live, zc__live_gen *gen) {
    zc_pack_close(gen->pack);
    zc__live_free(live, gen->records);
    zc__live_free(live, gen->paths);
    memset(gen, 0, sizeof *gen);
}

static uint32_t zc__live_retained_locked(const zc_live_pack *live) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < live->max_generations; ++i) n += live->gens[i].pack != NULL;
    return n;
}

/* Close every generation nobody needs any more (see the file comment). Unmapping
 * happens outside the lock. Any thread. */
static void zc__live_sweep(zc_live_pack *live) {
    zc__live_gen dead[ZC__LIVE_MAX_GENERATIONS];
    uint32_t dead_count = 0;
    zc__os_mutex_lock(&live->lock);
    for (uint32_t i = 0; i < live->max_generations; ++i) {
        zc__live_gen *gen = &live->gens[i];
        if (!gen->pack || i == live->current || gen->pins != 0) continue;
        /* The live pack's own reference is the last one: no zc_hold, no mount table. A
         * retired generation is never handed out again, so the count cannot rise. */
        if (!zc__pack_only_ref(gen->pack)) continue;
        dead[dead_count++] = *gen;
        memset(gen, 0, sizeof *gen);
    }
    zc__os_mutex_unlock(&live->lock);
    for (uint32_t i = 0; i < dead_count; ++i) zc__live_drop_gen(live, &dead[i]);
}

/* ---------------------------------------------------------------------------------
 * Change report
 * ------------------------------------------------------------------------------- */

/* Walk both record lists (ids ascending) in step; with `out` fill the changes, else
 * only count them. Returns the number of changes. */
static uint32_t zc__live_diff(const zc__live_gen *old_gen, const zc__live_gen *new_gen, zc_live_change *out) {
    uint32_t i = 0, j = 0, n = 0;
    while (i < old_gen->record_count || j < new_gen->record_count) {
        const zc__live_record *a = i < old_gen->record_count ? &old_gen->records[i] : NULL;
        const zc__live_record *b = j < new_gen->record_count ? &new_gen->records[j] : NULL;
        zc_live_change c;
        memset(&c, 0, sizeof c);
        if (a && (!b || a->id < b->id)) {
            c.kind = ZC_LIVE_REMOVED;
            c.id = a->id;
            c.path = old_gen->paths + a->path_offset;
            c.path_length = a->path_length;
            c.type = a->type;
            c.old_hash = a->content_hash;
            c.raw_size = a->raw_size;
            ++i;
        } else if (b && (!a || b->id < a->id)) {
            c.kind = ZC_LIVE_ADDED;
            ++j;
        } else {
            ++i;
            ++j;
            if (zc__live_same_entry(a, b)) continue;
            c.kind = ZC_LIVE_CHANGED;
            c.old_hash = a->content_hash;
        }
        if (c.kind != ZC_LIVE_REMOVED) {
            c.id = b->id;
            c.path = new_gen->paths + b->path_offset;
            c.path_length = b->path_length;
            c.type = b->type;
            c.new_hash = b->content_hash;
            c.raw_size = b->raw_size;
        }
        if (out) out[n] = c;
        ++n;
    }
    return n;
}

/* ---------------------------------------------------------------------------------
 * Checks
 * ------------------------------------------------------------------------------- */

/* The file a check should look at now: path itself, or its newest generation file.
 * *out_path is allocated; *out_number is the generation file's n (0: path itself). */
static zc_result zc__live_locate(zc_live_pack *live, char **out_path, uint64_t *out_number) {
    *out_path = NULL;
    *out_number = 0;
    size_t length = strlen(live->path);
    if (live->files == ZC_LIVE_FILES_GENERATIONS) {
        zc_diag diag;
        diag.message[0] = 0;
        zc_result r = zc__os_newest_generation(live->path, out_number, &diag);
        if (r != ZC_OK) {
            zc__live_log(live, ZC_LOG_ERROR, "%s", diag.message);
            return r;
        }
    }
    char *candidate = (char *)zc__live_alloc(live, length + 32);
    if (!candidate) {
        zc__live_log(live, ZC_LOG_ERROR, "out of memory looking for a new generation");
        return ZC_ERR_OUT_OF_MEMORY;
    }
    if (*out_number) snprintf(candidate, length + 32, "%s.gen-%llu", live->path, (unsigned long long)*out_number);
    else memcpy(candidate, live->path, length + 1);
    *out_path = candidate;
    return ZC_OK;
}

/* Open and validate `candidate` into a free-standing generation: the first one
 * (old_gen NULL) validated whole at open, a later one checked where it differs from
 * old_gen and elsewhere on first use (zc__live_copy_toc). */
static zc_result zc__live_open_gen(zc_live_pack *live, const char *candidate, const zc__live_gen *old_gen,
                                   zc__live_gen *out) {
    memset(out, 0, sizeof *out);
    zc_pack *pack;
    zc_pack_desc desc = {
        .path = candidate,
        .validate = live->validate,
        .load = live->load,
        .no_mmap = live->no_mmap,
        .allocator = live->allocator,
        .logger = live->logger,
        .trusted_keys = live->keys,
        .trusted_key_count = live->key_count,
        .types = live->types,
        .type_count = live->type_count,
    };
    zc_result r = old_gen ? zc__pack_open_lazy(&pack, &desc) : zc_pack_open(&pack, &desc);
    if (r != ZC_OK) return r;
    r = zc__live_copy_toc(live, pack, old_gen, out);
    if (r != ZC_OK) zc_pack_close(pack);
    return r;
}

/* Make `fresh` current, report the changes, unpin. check_lock held. */
static void zc__live_swap(zc_live_pack *live, zc__live_gen *fresh, zc_live_change *changes, uint32_t change_count,
                          uint64_t validate_ns) {
    zc__os_mutex_lock(&live->lock);
    uint32_t slot = 0;
    while (live->gens[slot].pack) ++slot; /* a free slot exists: checked before opening */
    uint32_t old = live->current;
    fresh->number = ++live->last_number;
    fresh->pins = 1;                      /* pinned by this report */
    live->gens[slot] = *fresh;
    live->gens[old].pins += 1;
    live->current = slot;
    atomic_store_explicit(&live->generation, fresh->number, memory_order_release);
    live->reloads += 1;
    uint32_t retained = zc__live_retained_locked(live);
    if (retained > live->retained_peak) live->retained_peak = retained;
    zc__os_mutex_unlock(&live->lock);

    zc_live_event event;
    memset(&event, 0, sizeof event);
    event.old_generation = live->gens[old].number;
    event.new_generation = fresh->number;
    event.pack = live->gens[slot].pack;
    event.old_pack = live->gens[old].pack;
    event.changes = changes;
    event.change_count = change_count;
    for (uint32_t i = 0; i < change_count; ++i) {
        event.added += changes[i].kind == ZC_LIVE_ADDED;
        event.changed += changes[i].kind == ZC_LIVE_CHANGED;
        event.removed += changes[i].kind == ZC_LIVE_REMOVED;
    }
    event.validate_ns = validate_ns;
    zc__live_log(live, ZC_LOG_INFO, "generation %u replaces %u: %u added, %u changed, %u removed",
                 event.new_generation, event.old_generation, event.added, event.changed, event.removed);
    if (live->on_change) live->on_change(&event, live->user_data);

    zc__os_mutex_lock(&live->lock);
    live->gens[slot].pins -= 1;
    live->gens[old].pins -= 1;
    zc__os_mutex_unlock(&live->lock);
}

/* Deferral (rule 4 of zc_live.h): ZC_ERR_LIMIT when max_generations are mapped. */
static zc_result zc__live_room(zc_live_pack *live) {
    zc__os_mutex_lock(&live->lock);
    uint32_t retained = zc__live_retained_locked(live);
    int full = retained >= live->max_generations;
    live->pending = full;
    if (full) live->deferrals += 1;
    int log = full && !live->deferral_logged;
    live->deferral_logged = full;
    zc__os_mutex_unlock(&live->lock);
    if (log)
        zc__live_log(live, ZC_LOG_WARNING,
                     "a new generation waits: %u generations are still pinned by readers (max_generations)", retained);
    return full ? ZC_ERR_LIMIT : ZC_OK;
}

/* Examine `candidate` (identity `id`) and swap it in when its contents differ. */
static zc_result zc__live_examine(zc_live_pack *live, const char *candidate, const zc__os_file_id *id,
                                  uint64_t number) {
    uint64_t start = zc__os_now_ns();
    /* The current generation cannot change under us: only checks swap. */
    const zc__live_gen *current = &live->gens[live->current];
    zc__live_gen fresh;
    zc_result r = zc__live_open_gen(live, candidate, current, &fresh);
    uint64_t validate_ns = zc__os_now_ns() - start;
    live->seen = *id;
    live->seen_generation_file = number;
    live->seen_valid = 1;
    live->seen_failed = r != ZC_OK;
    if (r != ZC_OK) {
        zc__os_mutex_lock(&live->lock);
        live->failures += 1;
        zc__os_mutex_unlock(&live->lock);
        if (r == ZC_ERR_OUT_OF_MEMORY) {
            /* Not the file's fault: the next check examines it again. */
            live->seen_valid = 0;
            zc__live_log(live, ZC_LOG_WARNING, "out of memory examining the new file %s; generation %u stays "
                         "current until a later check", candidate, zc_live_generation(live));
            return r;
        }
        zc__live_log(live, ZC_LOG_WARNING, "the new file %s was refused (%s); generation %u stays current", candidate,
                     zc_result_str(r), zc_live_generation(live));
        return r;
    }
    uint32_t count = zc__live_diff(current, &fresh, NULL);
    if (count == 0) {
        zc__live_drop_gen(live, &fresh);
        zc__os_mutex_lock(&live->lock);
        live->unchanged += 1;
        zc__os_mutex_unlock(&live->lock);
        return ZC_OK;
    }
    zc_live_change *changes = (zc_live_change *)zc__live_alloc(live, (size_t)count * sizeof *changes);
    if (!changes) {
        zc__live_drop_gen(live, &fresh);
        live->seen_valid = 0; /* examined again by the next check */
        zc__live_log(live, ZC_LOG_ERROR, "out of memory reporting %u changes", count);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    zc__live_diff(current, &fresh, changes);
    zc__live_swap(live, &fresh, changes, count, validate_ns);
    zc__live_free(live, changes);
    return ZC_OK;
}

zc_result zc__live_check(zc_live_pack *live, int notified) {
    zc__os_mutex_lock(&live->check_lock);
    zc__os_mutex_lock(&live->lock);
    live->checks += 1;
    zc__os_mutex_unlock(&live->lock);
    zc__live_sweep(live);

    char *candidate;
    uint64_t number;
    zc_result r = zc__live_locate(live, &candidate, &number);
    zc__os_file_id id;
    if (r == ZC_OK) {
        zc_diag diag;
        diag.message[0] = 0;
        r = zc__os_file_identity(candidate, &id, &diag);
        if (r == ZC_ERR_FILE_NOT_FOUND) {
            r = ZC_OK; /* between a delete and a create: keep the current generation */
            goto done;
        }
        if (r != ZC_OK) {
            zc__live_log_file(live, ZC_LOG_WARNING, candidate, diag.message);
            goto done;
        }
        int same = live->seen_valid && live->seen_generation_file == number && zc__live_same_file(&live->seen, &id);
        if (same && !(notified && live->seen_failed)) goto done;
        r = zc__live_room(live);
        if (r == ZC_OK) r = zc__live_examine(live, candidate, &id, number);
    }
done:
    zc__live_free(live, candidate);
    zc__live_sweep(live);
    zc__os_mutex_unlock(&live->check_lock);
    return r;
}

/* ---------------------------------------------------------------------------------
 * Open and close
 * ------------------------------------------------------------------------------- */

/* Range checks and defaults; NULL when the desc is acceptable, else the sentence. */
static const char *zc__live_misuse(const zc_live_desc *desc) {
    if (!desc->path) return "zc_live_open: desc.path is required";
    if (desc->validate != ZC_VALIDATE_DEFAULT && desc->validate != ZC_VALIDATE_FULL &&
        desc->validate != ZC_VALIDATE_CHECKSUMS)
        return "zc_live_open: desc.validate must be ZC_VALIDATE_FULL or ZC_VALIDATE_CHECKSUMS (every new generation "
               "is validated fully)";
    if (desc->max_generations == 1 || desc->max_generations > ZC__LIVE_MAX_GENERATIONS)
        return "zc_live_open: desc.max_generations must lie in [2, 64]";
    if (desc->poll_interval_ms > 60000) return "zc_live_open: desc.poll_interval_ms must lie in [1, 60000]";
    if (desc->debounce_ms > 10000) return "zc_live_open: desc.debounce_ms must be at most 10000";
    if (desc->files != ZC_LIVE_FILES_DEFAULT && desc->files != ZC_LIVE_FILES_SINGLE &&
        desc->files != ZC_LIVE_FILES_GENERATIONS)
        return "zc_live_open: desc.files is not a zc_live_files value";
    if (desc->trusted_key_count && !desc->trusted_keys)
        return "zc_live_open: desc.trusted_key_count is set but desc.trusted_keys is NULL";
    if (desc->type_count && !desc->types) return "zc_live_open: desc.type_count is set but desc.types is NULL";
#ifdef ZC_LIVE_NO_WATCHER
    if (desc->watch) return "zc_live_open: this build has no file watcher (built without libuv): call zc_live_poll";
#endif
    return NULL;
}

/* Split path into directory and name copies. */
static zc_result zc__live_split(zc_live_pack *live) {
    const char *p = live->path, *last = NULL;
    for (; *p; ++p)
#ifdef _WIN32
        if (*p == '/' || *p == '\\') last = p;
#else
        if (*p == '/') last = p;
#endif
    if (!last) live->directory = zc__live_strndup(live, ".", 1);
    else live->directory = zc__live_strndup(live, live->path, last == live->path ? 1 : (size_t)(last - live->path));
    const char *name = last ? last + 1 : live->path;
    live->name = zc__live_strndup(live, name, strlen(name));
    return live->directory && live->name ? ZC_OK : ZC_ERR_OUT_OF_MEMORY;
}

static zc_live_pack *zc__live_new(const zc_live_desc *desc) {
    zc_allocator a = desc->allocator;
    if (!a.alloc || !a.free) {
        a.alloc = zc__live_default_alloc;
        a.free = zc__live_default_free;
    }
    zc_live_pack *live = (zc_live_pack *)a.alloc(sizeof *live, a.user_data);
    if (!live) return NULL;
    memset(live, 0, sizeof *live);
    live->allocator = a;
    live->logger = desc->logger;
    live->validate = desc->validate == ZC_VALIDATE_DEFAULT ? ZC_VALIDATE_CHECKSUMS : desc->validate;
    live->max_generations = desc->max_generations ? desc->max_generations : ZC__LIVE_DEFAULT_GENERATIONS;
#ifdef _WIN32
    live->files = desc->files == ZC_LIVE_FILES_DEFAULT ? ZC_LIVE_FILES_GENERATIONS : desc->files;
#else
    live->files = desc->files == ZC_LIVE_FILES_DEFAULT ? ZC_LIVE_FILES_SINGLE : desc->files;
#endif
    live->load = desc->load;
    live->no_mmap = desc->no_mmap;
    live->on_change = desc->on_change;
    live->user_data = desc->user_data;
    live->ref_free = ZC__LIVE_NO_REF;
    zc__os_mutex_init(&live->lock);
    zc__os_mutex_init(&live->check_lock);
    return live;
}

/* Generation 1: whatever the path holds now, like a check without a current one. */
static zc_result zc__live_first(zc_live_pack *live) {
    char *candidate;
    uint64_t number;
    zc_result r = zc__live_locate(live, &candidate, &number);
    if (r != ZC_OK) return r;
    zc_diag diag;
    diag.message[0] = 0;
    r = zc__os_file_identity(candidate, &live->seen, &diag);
    if (r == ZC_OK) r = zc__live_open_gen(live, candidate, NULL, &live->gens[0]);
    else zc__live_log_file(live, ZC_LOG_ERROR, candidate, diag.message);
    zc__live_free(live, candidate);
    if (r != ZC_OK) return r;
    live->seen_valid = 1;
    live->seen_generation_file = number;
    live->gens[0].number = live->last_number = 1;
    live->current = 0;
    live->retained_peak = 1;
    atomic_store_explicit(&live->generation, 1u, memory_order_release);
    return ZC_OK;
}

/* A copy of `count` items of `size` bytes in the live pack's allocator; NULL (logged)
 * when out of memory. */
static void *zc__live_copy(zc_live_pack *live, const void *items, uint32_t count, size_t size, const char *what) {
    size_t bytes = (size_t)count * size;
    void *copy = zc__live_alloc(live, bytes);
    if (copy) memcpy(copy, items, bytes);
    else zc__live_log(live, ZC_LOG_ERROR, "out of memory copying %u %s", count, what);
    return copy;
}

zc_result zc_live_open(zc_live_pack **out, const zc_live_desc *desc) {
    if (!out) return ZC_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (!desc) return ZC_ERR_INVALID_ARGUMENT;
    const char *misuse = zc__live_misuse(desc);
    if (misuse) {
        if (desc->logger.func) desc->logger.func(ZC_LOG_ERROR, misuse, desc->logger.user_data);
        return ZC_ERR_INVALID_ARGUMENT;
    }
    zc_live_pack *live = zc__live_new(desc);
    if (!live) return ZC_ERR_OUT_OF_MEMORY;
    zc_result r = ZC_OK;
    live->path = zc__live_strndup(live, desc->path, strlen(desc->path));
    if (!live->path || zc__live_split(live) != ZC_OK) r = ZC_ERR_OUT_OF_MEMORY;
    if (r == ZC_OK && desc->trusted_key_count) {
        live->keys = (zc_public_key *)zc__live_copy(live, desc->trusted_keys, desc->trusted_key_count,
                                                    sizeof *live->keys, "trusted keys");
        live->key_count = live->keys ? desc->trusted_key_count : 0;
        if (!live->keys) r = ZC_ERR_OUT_OF_MEMORY;
    }
    if (r == ZC_OK && desc->type_count) {
        live->types = (zc_type_row *)zc__live_copy(live, desc->types, desc->type_count, sizeof *live->types,
                                                   "registered types");
        live->type_count = live->types ? desc->type_count : 0;
        if (!live->types) r = ZC_ERR_OUT_OF_MEMORY;
    }
    if (r == ZC_OK) r = zc__live_first(live);
#ifndef ZC_LIVE_NO_WATCHER
    if (r == ZC_OK && desc->watch) {
        zc__live_watch_config config = {
            .live = live,
            .allocator = live->allocator,
            .directory = live->directory,
            .name = live->name,
            .generation_files = live->files == ZC_LIVE_FILES_GENERATIONS,
            .poll_interval_ms = desc->poll_interval_ms ? desc->poll_interval_ms : ZC__LIVE_DEFAULT_POLL_MS,
            .debounce_ms = desc->debounce_ms,
        };
        r = zc__live_watch_start(&live->watch, &config);
    }
#endif
    if (r != ZC_OK) {
        zc_live_close(live);
        return r;
    }
    *out = live;
    return ZC_OK;
}

void zc_live_close(zc_live_pack *live) {
    if (!live) return;
#ifndef ZC_LIVE_NO_WATCHER
    zc__live_watch_stop(live->watch);
#endif
    if (live->ref_count)
        zc__live_log(live, ZC_LOG_WARNING, "closed with %u refs still held; they are released", live->ref_count);
    for (uint32_t i = 0; i < ZC__LIVE_MAX_GENERATIONS; ++i)
        if (live->gens[i].pack) zc__live_drop_gen(live, &live->gens[i]);
    zc__live_free(live, live->refs);
    zc__live_free(live, live->keys);
    zc__live_free(live, live->types);
    zc__live_free(live, live->path);
    zc__live_free(live, live->directory);
    zc__live_free(live, live->name);
    zc__os_mutex_destroy(&live->lock);
    zc__os_mutex_destroy(&live->check_lock);
    zc_allocator a = live->allocator;
    a.free(live, a.user_data);
}

zc_result zc_live_poll(zc_live_pack *live, uint32_t *out_generation) {
    if (!live) return ZC_ERR_INVALID_ARGUMENT;
    zc_result r = zc__live_check(live, 0);
    if (out_generation) *out_generation = zc_live_generation(live);
    return r;
}

/* ---------------------------------------------------------------------------------
 * Refs
 * ------------------------------------------------------------------------------- */

/* Double the ref table when its free list is empty (lock held). ZC_ERR_LIMIT,
 * ZC_ERR_OUT_OF_MEMORY. */
static zc_result zc__live_grow_refs(zc_live_pack *live) {
    if (live->ref_capacity >= ZC__LIVE_MAX_REFS) return ZC_ERR_LIMIT;
    uint32_t capacity = live->ref_capacity ? live->ref_capacity * 2 : ZC__LIVE_FIRST_REFS;
    zc__live_ref_slot *refs = (zc__live_ref_slot *)zc__live_alloc(live, (size_t)capacity * sizeof *refs);
    if (!refs) return ZC_ERR_OUT_OF_MEMORY;
    if (live->ref_capacity) memcpy(refs, live->refs, (size_t)live->ref_capacity * sizeof *refs);
    for (uint32_t i = live->ref_capacity; i < capacity; ++i) {
        refs[i].version = 1;
        refs[i].gen = 0;
        refs[i].used = 0;
        refs[i].next_free = i + 1 < capacity ? i + 1 : ZC__LIVE_NO_REF;
    }
    live->ref_free = live->ref_capacity;
    zc__live_free(live, live->refs);
    live->refs = refs;
    live->ref_capacity = capacity;
    return ZC_OK;
}

/* The slot a ref names, or NULL when the ref is stale (lock held). */
static zc__live_ref_slot *zc__live_ref_slot_of(zc_live_pack *live, zc_live_ref ref) {
    if (ref.index >= live->ref_capacity) return NULL;
    zc__live_ref_slot *slot = &live->refs[ref.index];
    return slot->used && slot->version == ref.version ? slot : NULL;
}

zc_result zc_live_acquire(zc_live_pack *live, zc_live_view *out) {
    if (!out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (!live) return ZC_ERR_INVALID_ARGUMENT;
    zc__os_mutex_lock(&live->lock);
    zc_result r = live->ref_free == ZC__LIVE_NO_REF ? zc__live_grow_refs(live) : ZC_OK;
    uint32_t held = live->ref_count;
    if (r == ZC_OK) {
        uint32_t index = live->ref_free;
        zc__live_ref_slot *slot = &live->refs[index];
        live->ref_free = slot->next_free;
        slot->used = 1;
        slot->gen = live->current;
        live->gens[live->current].pins += 1;
        live->ref_count += 1;
        out->ref.index = index;
        out->ref.version = slot->version;
        out->pack = live->gens[live->current].pack;
        out->generation = live->gens[live->current].number;
    }
    zc__os_mutex_unlock(&live->lock);
    if (r != ZC_OK)
        zc__live_log(live, ZC_LOG_ERROR, "zc_live_acquire: %s (%u refs held)", zc_result_str(r), held);
    return r;
}

zc_result zc_live_release(zc_live_pack *live, zc_live_ref ref) {
    if (!live) return ZC_ERR_INVALID_ARGUMENT;
    zc__os_mutex_lock(&live->lock);
    zc__live_ref_slot *slot = zc__live_ref_slot_of(live, ref);
    if (!slot) {
        zc__os_mutex_unlock(&live->lock);
        return ZC_ERR_STALE_HANDLE;
    }
    live->gens[slot->gen].pins -= 1;
    slot->used = 0;
    slot->version = slot->version == UINT32_MAX ? 1 : slot->version + 1;
    slot->next_free = live->ref_free;
    live->ref_free = ref.index;
    live->ref_count -= 1;
    int wake = live->pending;
    zc__os_mutex_unlock(&live->lock);
    zc__live_sweep(live);
#ifndef ZC_LIVE_NO_WATCHER
    if (wake && live->watch) zc__live_watch_wake(live->watch);
#else
    (void)wake;
#endif
    return ZC_OK;
}

zc_result zc_live_resolve(zc_live_pack *live, zc_live_ref ref, zc_live_view *out) {
    if (!out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (!live) return ZC_ERR_INVALID_ARGUMENT;
    zc__os_mutex_lock(&live->lock);
    zc__live_ref_slot *slot = zc__live_ref_slot_of(live, ref);
    if (slot) {
        out->ref = ref;
        out->pack = live->gens[slot->gen].pack;
        out->generation = live->gens[slot->gen].number;
    }
    zc__os_mutex_unlock(&live->lock);
    return slot ? ZC_OK : ZC_ERR_STALE_HANDLE;
}

zc_result zc_live_find(zc_live_pack *live, zc_live_ref ref, const char *path, zc_entry *out) {
    if (!live || !path || !out) return ZC_ERR_INVALID_ARGUMENT;
    zc_live_view view;
    zc_result r = zc_live_resolve(live, ref, &view);
    if (r != ZC_OK) {
        memset(out, 0, sizeof *out);
        return r;
    }
    return zc_pack_find(view.pack, path, out);
}

uint32_t zc_live_generation(const zc_live_pack *live) {
    return live ? atomic_load_explicit(&((zc_live_pack *)live)->generation, memory_order_acquire) : 0;
}

zc_result zc_live_get_stats(zc_live_pack *live, zc_live_stats *out) {
    if (!live || !out) return ZC_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    zc__os_mutex_lock(&live->lock);
    out->generation = live->gens[live->current].number;
    out->retained = zc__live_retained_locked(live);
    out->retained_peak = live->retained_peak;
    out->max_generations = live->max_generations;
    out->refs = live->ref_count;
    out->checks = live->checks;
    out->reloads = live->reloads;
    out->unchanged = live->unchanged;
    out->failures = live->failures;
    out->deferrals = live->deferrals;
    zc__os_mutex_unlock(&live->lock);
#ifndef ZC_LIVE_NO_WATCHER
    out->watching = live->watch != NULL;
    out->notifications = live->watch ? zc__live_watch_notifies(live->watch) : 0;
#endif
    return ZC_OK;
}

#else
/* Shipping builds carry no hot reload: this unit is empty. */
typedef int zc__live_not_built;
#endif /* ZC_EDITOR */
