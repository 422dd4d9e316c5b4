/* zc_link_set.c - a link split into a pack set (zc_link.h, "Pack sets"): chunk rules
 * and a size limit route each entry to a member pack, then the index pack names the
 * members (formats/zc_pack_set.h).
 *
 * One pass over the objects in link order. Each chunk keeps at most one member open
 * (a writer) with a bound of the size it would have with one more entry; when the
 * bound passes the limit the member is finished, re-opened through the runtime to
 * read what the index records of it, and the chunk's next member begins. Open
 * writers are at most one per chunk, whatever the number of members.
 */
#define _GNU_SOURCE /* O_CLOEXEC */

#include "zc_build_internal.h"
#include "zc_link_internal.h"
#include "zc_packer_os.h"

/* What the index records of one finished member. */
typedef struct zc__member {
    char *name;                 /* file name, beside the index */
    zc_pack_info info;
} zc__member;

/* A chunk and its open member. */
typedef struct zc__chunk {
    const char *name;
    zc_writer *w;               /* the open member, NULL between members */
    uint32_t part;              /* number of the open member, or of the next one */
    uint64_t payload_end;       /* bound of the open member's payload area end */
    uint32_t count;             /* its entries */
    uint64_t deps, paths;       /* its dependency ids and path bytes (with NULs) */
} zc__chunk;

typedef struct zc__split {
    const zc_link_desc *desc;
    zc__chunk *chunks;          /* one per distinct chunk name; [0] is the default */
    uint32_t chunk_count;
    zc__member *members;
    uint32_t member_count, member_cap;
    char *dir;                  /* the index's directory with its '/', or "" */
    char *stem;                 /* the index's file name without its last extension */
    uint32_t header_size;       /* of every member: 128, or 256 when signed */
    uint32_t entries;
} zc__split;

int zc__link_splits(const zc_link_desc *desc) {
    return desc->max_pack_size != 0 || desc->chunk_count != 0;
}

static int zc__chunk_name_ok(const char *name) {
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 64) return 0;
    for (size_t i = 0; i < n; ++i)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
              (name[i] >= '0' && name[i] <= '9') || name[i] == '_' || name[i] == '-'))
            return 0;
    return 1;
}

zc_result zc__link_check_split(const zc_link_desc *desc) {
    if (desc->max_pack_size && desc->max_pack_size < ZC_LINK_MIN_PACK_SIZE)
        return zc__lfail(desc, ZC_ERR_INVALID_ARGUMENT, "%s: a pack size limit of %llu bytes is below the %u minimum",
                         desc->output_path, (unsigned long long)desc->max_pack_size, ZC_LINK_MIN_PACK_SIZE);
    if (desc->chunk_count > ZC_LINK_MAX_CHUNKS || (desc->chunk_count && !desc->chunks))
        return zc__lfail(desc, ZC_ERR_INVALID_ARGUMENT, "%s: %u chunk rules, at most %u", desc->output_path,
                         desc->chunk_count, ZC_LINK_MAX_CHUNKS);
    for (uint32_t i = 0; i < desc->chunk_count; ++i) {
        const zc_link_chunk *c = &desc->chunks[i];
        if (!c->match || !c->match[0])
            return zc__lfail(desc, ZC_ERR_INVALID_ARGUMENT, "chunk rule %u has no glob", i);
        if (!zc__chunk_name_ok(c->name))
            return zc__lfail(desc, ZC_ERR_INVALID_ARGUMENT,
                             "chunk rule %u (%.256s): chunk name \"%.80s\" is not 1 to 64 letters, digits, '_' or '-'",
                             i, c->match, c->name ? c->name : "");
    }
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * Members
 * ------------------------------------------------------------------------------- */

/* Open a writer for `path` with the link's settings (copied entries are stored as
 * they come). */
static zc_result zc__open_writer(const zc_link_desc *desc, const char *path, zc_writer **w) {
    zc_build_desc bd;
    memset(&bd, 0, sizeof bd);
    bd.output_path = path;
    bd.logger = desc->logger;
    bd.no_verify = desc->no_verify;
    bd.no_sync = desc->no_sync;
    bd.sign_key = desc->sign_key;
    bd.no_entry_compression = 1;
    return zc__build_open_writer(&bd, NULL, w);
}

static char *zc__member_name(const zc__split *s, const zc__chunk *c) {
    char *name = NULL;
    if (asprintf(&name, "%s-%s-%u.zcpack", s->stem, c->name, c->part) < 0) return NULL;
    return name;
}

static char *zc__beside_index(const zc__split *s, const char *name) {
    char *path = NULL;
    if (asprintf(&path, "%s%s", s->dir, name) < 0) return NULL;
    return path;
}

/* Start the chunk's next member. */
static zc_result zc__member_begin(zc__split *s, zc__chunk *c) {
    char *name = zc__member_name(s, c), *path = name ? zc__beside_index(s, name) : NULL;
    zc_result r = path ? zc__open_writer(s->desc, path, &c->w) : ZC_ERR_OUT_OF_MEMORY;
    free(name);
    free(path);
    c->payload_end = s->header_size;
    c->count = 0;
    c->deps = c->paths = 0;
    return r;
}

/* Finish the chunk's open member and record what the index needs of it. */
static zc_result zc__member_end(zc__split *s, zc__chunk *c) {
    zc_writer *w = c->w;
    c->w = NULL;
    char *name = zc__member_name(s, c), *path = name ? zc__beside_index(s, name) : NULL;
    zc_result r = path ? zc_writer_finish(w) : (zc_writer_abort(w), ZC_ERR_OUT_OF_MEMORY);
    c->part++;
    if (r == ZC_OK && s->member_count == s->member_cap) {
        uint32_t cap = s->member_cap ? s->member_cap * 2 : 16;
        zc__member *grown = (zc__member *)realloc(s->members, cap * sizeof *grown);
        if (!grown) r = ZC_ERR_OUT_OF_MEMORY;
        else s->members = grown, s->member_cap = cap;
    }
    zc_pack *pack = NULL;
    if (r == ZC_OK) r = zc_pack_open(&pack, &(zc_pack_desc){ .path = path, .logger = s->desc->logger });
    if (r == ZC_OK) {
        zc__member *m = &s->members[s->member_count++];
        zc_pack_get_info(pack, &m->info);
        m->name = name;
        name = NULL;
    }
    zc_pack_close(pack);
    if (r != ZC_OK) zc__lfail(s->desc, r, "%s: cannot write the member %s: %s", s->desc->output_path,
                              path ? path : "", zc_result_str(r));
    free(name);
    free(path);
    return r;
}

/* ---------------------------------------------------------------------------------
 * Routing entries
 * ------------------------------------------------------------------------------- */

static uint64_t zc__align_up(uint64_t v, uint64_t a) {
    return (v + a - 1) & ~(a - 1);
}

/* Bound of the size of chunk c's open member with `e` added: payloads placed as the
 * writer places them (none shared), then a TOC with the indexed header, its records,
 * dependencies, paths, the largest bucket table with its padding and the piece table. */
static uint64_t zc__bound_with(const zc__chunk *c, const zc_entry *e) {
    uint64_t end = zc__align_up(c->payload_end, e->alignment) + e->stored_size;
    uint32_t count = c->count + 1;
    uint64_t toc = ZC_TOC_PIECES_HEADER_SIZE + (uint64_t)count * sizeof(zc_toc_entry) +
                   (c->deps + e->deps_count) * 8 + c->paths + e->path_length + 1 + 3 +
                   (((uint64_t)1 << zc_toc_index_bits_for(count)) + 1) * 4 + 4;
    return zc__align_up(end, 16) + toc + zc_toc_piece_count(toc, ZC_TOC_PIECE_LOG2) * 8;
}

static zc__chunk *zc__chunk_of(zc__split *s, const char *path) {
    for (uint32_t i = 0; i < s->desc->chunk_count; ++i) {
        if (fnmatch(s->desc->chunks[i].match, path, 0) != 0) continue;
        for (uint32_t k = 1; k < s->chunk_count; ++k)
            if (strcmp(s->chunks[k].name, s->desc->chunks[i].name) == 0) return &s->chunks[k];
    }
    return &s->chunks[0];
}

/* The sink of a split link: the entry into its chunk's member, starting a new member
 * when the limit says so. */
static zc_result zc__route(void *ctx, const zc_entry *e) {
    zc__split *s = (zc__split *)ctx;
    zc__chunk *c = zc__chunk_of(s, e->path);
    uint64_t limit = s->desc->max_pack_size;
    zc_result r = ZC_OK;
    if (c->w && limit && c->count && zc__bound_with(c, e) > limit) r = zc__member_end(s, c);
    if (r == ZC_OK && !c->w) r = zc__member_begin(s, c);
    if (r != ZC_OK) return r;
    int alone = limit && zc__bound_with(c, e) > limit;
    if ((r = zc_writer_copy_entry(c->w, e)) != ZC_OK) return r;
    c->payload_end = zc__align_up(c->payload_end, e->alignment) + e->stored_size;
    c->count++;
    c->deps += e->deps_count;
    c->paths += e->path_length + 1u;
    s->entries++;
    if (!alone) return ZC_OK;
    if (s->desc->logger.func) {
        char line[1400];
        snprintf(line, sizeof line, "%.1024s: %llu stored bytes, with a pack's header and table of contents more than "
                 "the pack size limit of %llu: it gets a pack of its own", e->path, (unsigned long long)e->stored_size,
                 (unsigned long long)limit);
        s->desc->logger.func(ZC_LOG_WARNING, line, s->desc->logger.user_data);
    }
    return zc__member_end(s, c);
}

/* ---------------------------------------------------------------------------------
 * The index
 * ------------------------------------------------------------------------------- */

static int zc__by_member_name(const void *x, const void *y) {
    return strcmp(((const zc__member *)x)->name, ((const zc__member *)y)->name);
}

/* The pack set payload of the members (sorted by name), malloc'd, *size bytes. */
static uint8_t *zc__index_payload(const zc__split *s, size_t *size) {
    size_t names = 0;
    for (uint32_t i = 0; i < s->member_count; ++i) names += strlen(s->members[i].name) + 1;
    size_t records = sizeof(zc_pack_set_header) + (size_t)s->member_count * sizeof(zc_pack_set_record);
    *size = records + names;
    uint8_t *p = (uint8_t *)calloc(1, *size);
    if (!p) return NULL;
    zc_pack_set_header *h = (zc_pack_set_header *)p;
    zc_pack_set_record *rec = (zc_pack_set_record *)(p + sizeof *h);
    if (s->member_count) zc_rel_set(&h->members.offset, &h->members, rec);
    h->members.count = s->member_count;
    size_t at = records;
    for (uint32_t i = 0; i < s->member_count; ++i) {
        const zc__member *m = &s->members[i];
        size_t length = strlen(m->name);
        memcpy(p + at, m->name, length);
        zc_rel_set(&rec[i].name.offset, &rec[i].name, p + at);
        rec[i].name.length = length;
        rec[i].file_size = m->info.file_size;
        rec[i].header_checksum = m->info.header_checksum;
        rec[i].toc_checksum = m->info.toc_checksum;
        rec[i].entry_count = m->info.entry_count;
        h->entry_count += m->info.entry_count;
        at += length + 1;
    }
    return p;
}

static zc_result zc__write_index(zc__split *s) {
    if (s->member_count > 1) qsort(s->members, s->member_count, sizeof *s->members, zc__by_member_name);
    size_t size;
    uint8_t *payload = zc__index_payload(s, &size);
    if (!payload) return zc__lfail(s->desc, ZC_ERR_OUT_OF_MEMORY, "%s: out of memory", s->desc->output_path);
    zc_writer *w = NULL;
    zc_result r = zc__open_writer(s->desc, s->desc->output_path, &w);
    if (r == ZC_OK) r = zc_writer_begin_entry(w, ZC_PACK_SET_PATH, ZC_TYPE_PACK_SET, ZC_PACK_SET_LAYOUT_HASH, 0);
    if (r == ZC_OK) r = zc_writer_write(w, payload, size);
    if (r == ZC_OK) r = zc_writer_end_entry(w);
    if (w) r = r == ZC_OK ? zc_writer_finish(w) : (zc_writer_abort(w), r);
    free(payload);
    return r;
}

/* ---------------------------------------------------------------------------------
 * The split link
 * ------------------------------------------------------------------------------- */

/* Directory, stem and chunks of the split. */
static zc_result zc__split_init(zc__split *s, const zc_link_desc *desc) {
    memset(s, 0, sizeof *s);
    s->desc = desc;
    s->header_size = desc->sign_key ? ZC_SIGNED_HEADER_SIZE : (uint32_t)sizeof(zc_header);
    const char *slash = strrchr(desc->output_path, '/');
    const char *base = slash ? slash + 1 : desc->output_path;
    const char *dot = strrchr(base, '.');
    size_t stem = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    s->dir = strndup(desc->output_path, (size_t)(base - desc->output_path));
    s->stem = strndup(base, stem);
    s->chunks = (zc__chunk *)calloc(desc->chunk_count + 1, sizeof *s->chunks);
    if (!s->dir || !s->stem || !s->chunks) return ZC_ERR_OUT_OF_MEMORY;
    s->chunks[s->chunk_count++].name = ZC_LINK_DEFAULT_CHUNK;
    for (uint32_t i = 0; i < desc->chunk_count; ++i) {
        const char *name = desc->chunks[i].name;
        uint32_t k = 0;
        while (k < s->chunk_count && strcmp(s->chunks[k].name, name) != 0) k++;
        if (k == s->chunk_count) s->chunks[s->chunk_count++].name = name;
    }
    return ZC_OK;
}

static void zc__split_free(zc__split *s) {
    for (uint32_t i = 0; s->chunks && i < s->chunk_count; ++i) zc_writer_abort(s->chunks[i].w);
    for (uint32_t i = 0; i < s->member_count; ++i) free(s->members[i].name);
    free(s->members);
    free(s->chunks);
    free(s->dir);
    free(s->stem);
}

zc_result zc__link_split(const zc_link_desc *desc, const zc__linked *l, uint32_t n, zc_link_stats *out) {
    zc__split s;
    zc_result r = zc__split_init(&s, desc);
    uint32_t copied = 0;
    for (uint32_t i = 0; i < n && r == ZC_OK; ++i) r = zc__copy_object(desc, &l[i], zc__route, &s, &copied);
    for (uint32_t i = 0; i < s.chunk_count && r == ZC_OK; ++i)
        if (s.chunks[i].w) r = zc__member_end(&s, &s.chunks[i]);
    if (r == ZC_OK) r = zc__write_index(&s);
    if (r == ZC_OK && out) {
        struct stat st;
        out->objects = n;
        out->entries = s.entries;
        out->packs = s.member_count;
        out->pack_bytes = stat(desc->output_path, &st) == 0 ? (uint64_t)st.st_size : 0;
        for (uint32_t i = 0; i < s.member_count; ++i) out->pack_bytes += s.members[i].info.file_size;
    }
    if (r == ZC_ERR_OUT_OF_MEMORY) zc__lfail(desc, r, "%s: out of memory", desc->output_path);
    zc__split_free(&s);
    return r;
}
