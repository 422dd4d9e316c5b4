/* zc_object.c - build objects on disk (zc_object_internal.h; formats/SPEC.md,
 * Appendix D). The layout is the build cache record's (zc_build_cache.h) with the
 * source's entry path, the inputs and each output's stored form added; both share the
 * record's I/O (zc_build_cache_record.c).
 *
 *   header  = u32 magic "ZCBO", u32 version 1, 16 bytes key, u32 output count,
 *             u32 notes length, u64 body bytes, u32 writer version, u32 input count,
 *             u32 entry path length, u32 zero                             (56 bytes)
 *   body    = entry path bytes, notes bytes,
 *             per input:  u32 path length, u32 zero, u64 size, 16 bytes XXH3-128,
 *                         path bytes
 *             per output: u32 type, u32 layout hash, u32 align_log2, u32 dependency
 *                         count, u32 path length (0: the entry path), u32 codec,
 *                         u64 stored size, u64 raw size, u64 content hash, path bytes,
 *                         dependency ids (u64 each), stored bytes
 *   trailer = u64 XXH3-64 of header and body
 */
#define _GNU_SOURCE /* O_CLOEXEC */
#include "zc_object_internal.h"
#include "zc_packer_os.h"

/* ---------------------------------------------------------------------------------
 * Writing
 * ------------------------------------------------------------------------------- */

static uint64_t zc__object_body_size(const zc__object *obj) {
    uint64_t body = strlen(obj->entry_path) + (obj->outs.notes ? strlen(obj->outs.notes) : 0);
    for (uint32_t i = 0; i < obj->input_count; ++i) body += ZC__OBJECT_INPUT + strlen(obj->inputs[i].path);
    for (size_t i = 0; i < obj->outs.count; ++i) {
        const zc_import_output *o = &obj->outs.items[i];
        body += ZC__OUTPUT_HEADER + ZC__STORED_FIELDS + (o->path ? strlen(o->path) : 0) +
                8u * (uint64_t)o->dep_count + o->size;
    }
    return body;
}

static void zc__object_put(zc__record_out *o, const void *what) {
    const zc__object *obj = (const zc__object *)what;
    uint8_t h[ZC__OBJECT_HEADER];
    uint32_t notes_len = obj->outs.notes ? (uint32_t)strlen(obj->outs.notes) : 0;
    uint32_t path_len = (uint32_t)strlen(obj->entry_path);
    memset(h, 0, sizeof h);
    zc__build_cache_put32(h, ZC_OBJECT_MAGIC);
    zc__build_cache_put32(h + 4, ZC_OBJECT_VERSION);
    memcpy(h + 8, obj->key, 16);
    zc__build_cache_put32(h + 24, (uint32_t)obj->outs.count);
    zc__build_cache_put32(h + 28, notes_len);
    zc__build_cache_put64(h + 32, zc__object_body_size(obj));
    zc__build_cache_put32(h + 40, obj->writer_version);
    zc__build_cache_put32(h + 44, obj->input_count);
    zc__build_cache_put32(h + 48, path_len);
    zc__record_out_put(o, h, sizeof h);
    zc__record_out_put(o, obj->entry_path, path_len);
    if (notes_len) zc__record_out_put(o, obj->outs.notes, notes_len);
    for (uint32_t i = 0; i < obj->input_count; ++i) {
        const zc__object_input *in = &obj->inputs[i];
        uint8_t f[ZC__OBJECT_INPUT];
        uint32_t n = (uint32_t)strlen(in->path);
        zc__build_cache_put32(f, n);
        zc__build_cache_put32(f + 4, 0);
        zc__build_cache_put64(f + 8, in->size);
        memcpy(f + 16, in->hash, 16);
        zc__record_out_put(o, f, sizeof f);
        zc__record_out_put(o, in->path, n);
    }
    for (size_t i = 0; i < obj->outs.count; ++i) zc__record_write_output(o, &obj->outs.items[i], &obj->stored[i]);
    zc__record_out_end(o);
}

int zc__object_write(const char *path, const zc__object *obj) {
    if (obj->outs.count > ZC__MAX_OUTPUTS || obj->input_count > ZC__OBJECT_MAX_INPUTS ||
        (obj->outs.notes && strlen(obj->outs.notes) > ZC__MAX_NOTES))
        return EFBIG;
    return zc__record_write_file(path, zc__object_put, obj);
}

/* ---------------------------------------------------------------------------------
 * Reading. Every field is checked before it sizes anything.
 * ------------------------------------------------------------------------------- */

void zc__object_free(zc__object *obj) {
    if (!obj) return;
    free(obj->entry_path);
    zc_import_outputs_free(&obj->outs);
    free(obj->stored);
    for (uint32_t i = 0; obj->inputs && i < obj->input_count; ++i) free(obj->inputs[i].path);
    free(obj->inputs);
    memset(obj, 0, sizeof *obj);
}

/* `len` bytes into a new string checked as a path (zc_check_path); `what` names it. */
static zc_result zc__read_path(zc__record_in *in, uint32_t len, char **out, const char *what, zc_diag *why) {
    if (len == 0 || len > ZC_MAX_PATH || len > in->left)
        return zc_fail(why, ZC_ERR_BAD_PATH, "%s has a length of %u bytes", what, len);
    if (!(*out = (char *)malloc((size_t)len + 1))) return zc_fail(why, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    if (!zc__record_in_read(in, *out, len)) return zc_fail(why, ZC_ERR_TRUNCATED, "the file ends inside %s", what);
    (*out)[len] = 0;
    zc_diag d;
    if (zc_check_path(*out, len, &d) != ZC_OK) return zc_fail(why, ZC_ERR_BAD_PATH, "%s: %s", what, d.message);
    return ZC_OK;
}

static zc_result zc__read_inputs(zc__record_in *in, zc__object *obj, uint32_t count, zc_diag *why) {
    if (!(obj->inputs = (zc__object_input *)calloc(count, sizeof *obj->inputs)))
        return zc_fail(why, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    for (uint32_t i = 0; i < count; ++i) {
        uint8_t f[ZC__OBJECT_INPUT];
        obj->input_count = i + 1;
        if (!zc__record_in_read(in, f, sizeof f)) return zc_fail(why, ZC_ERR_TRUNCATED, "the file ends inside an input");
        if (zc__build_cache_get32(f + 4) != 0) return zc_fail(why, ZC_ERR_BAD_ENTRY, "a reserved field is not zero");
        obj->inputs[i].size = zc__build_cache_get64(f + 8);
        memcpy(obj->inputs[i].hash, f + 16, 16);
        zc_result r = zc__read_path(in, zc__build_cache_get32(f), &obj->inputs[i].path, "an input's path", why);
        if (r != ZC_OK) return r;
        if (i > 1 && strcmp(obj->inputs[i - 1].path, obj->inputs[i].path) >= 0)
            return zc_fail(why, ZC_ERR_BAD_ENTRY, "the inputs are not in bytewise order");
        if (i > 0 && strcmp(obj->inputs[i].path, obj->entry_path) == 0)
            return zc_fail(why, ZC_ERR_BAD_ENTRY, "the source is listed as an input twice");
    }
    if (strcmp(obj->inputs[0].path, obj->entry_path) != 0)
        return zc_fail(why, ZC_ERR_BAD_ENTRY, "the first input is %s, not the source %s", obj->inputs[0].path,
                       obj->entry_path);
    return ZC_OK;
}

/* One output with its stored form; the sizes must agree with the codec. */
static zc_result zc__read_stored_output(zc__record_in *in, zc__object *obj, size_t i, zc_diag *why) {
    zc_import_output *e = &obj->outs.items[i];
    zc__record_stored *s = &obj->stored[i];
    zc_result r = zc__record_read_output(in, e, s, why);
    if (r != ZC_OK) return r;
    const char *path = e->path ? e->path : obj->entry_path;
    if (s->codec != ZC_CODEC_NONE && s->codec != ZC_CODEC_ZSTD && s->codec != ZC_CODEC_ZSTD_SEEKABLE)
        return zc_fail(why, ZC_ERR_BAD_ENTRY, "entry %s has the unknown codec %u", path, s->codec);
    if (s->raw_size > ZC_MAX_RAW_SIZE || e->size > ZC_MAX_RAW_SIZE)
        return zc_fail(why, ZC_ERR_LIMIT, "entry %s declares more than %llu bytes", path,
                       (unsigned long long)ZC_MAX_RAW_SIZE);
    if (s->codec == ZC_CODEC_NONE && s->raw_size != e->size)
        return zc_fail(why, ZC_ERR_BAD_ENTRY, "uncompressed entry %s has %llu raw and %llu stored bytes", path,
                       (unsigned long long)s->raw_size, (unsigned long long)e->size);
    if (e->align_log2 == 0) return zc_fail(why, ZC_ERR_BAD_ENTRY, "entry %s has no alignment", path);
    return ZC_OK;
}

/* Header and body; the trailer is checked by the caller. */
static zc_result zc__read_object(zc__record_in *in, zc__object *obj, zc_diag *why) {
    uint8_t h[ZC__OBJECT_HEADER];
    if (!zc__record_in_read(in, h, sizeof h)) return zc_fail(why, ZC_ERR_TRUNCATED, "shorter than an object header");
    if (zc__build_cache_get32(h) != ZC_OBJECT_MAGIC) return zc_fail(why, ZC_ERR_NOT_A_PACK, "not a zcpack object");
    if (zc__build_cache_get32(h + 4) != ZC_OBJECT_VERSION)
        return zc_fail(why, ZC_ERR_VERSION, "object version %u; this zcpack reads version %u",
                       zc__build_cache_get32(h + 4), ZC_OBJECT_VERSION);
    memcpy(obj->key, h + 8, 16);
    uint32_t count = zc__build_cache_get32(h + 24), notes_len = zc__build_cache_get32(h + 28);
    uint64_t body = zc__build_cache_get64(h + 32);
    obj->writer_version = zc__build_cache_get32(h + 40);
    uint32_t inputs = zc__build_cache_get32(h + 44), path_len = zc__build_cache_get32(h + 48);
    if (obj->writer_version != ZC_VERSION_NUMBER)
        return zc_fail(why, ZC_ERR_VERSION, "made by zcpack %u.%u.%u; this is %s: import the file again",
                       obj->writer_version / 10000u, obj->writer_version / 100u % 100u, obj->writer_version % 100u,
                       zc_version_string());
    if (zc__build_cache_get32(h + 52) != 0) return zc_fail(why, ZC_ERR_BAD_ENTRY, "a reserved field is not zero");
    if (body > in->left || body + 8 != in->left)
        return zc_fail(why, ZC_ERR_TRUNCATED, "the header declares %llu body bytes but %llu follow it",
                       (unsigned long long)body, (unsigned long long)(in->left >= 8 ? in->left - 8 : 0));
    if (count > ZC__MAX_OUTPUTS || notes_len > ZC__MAX_NOTES || inputs == 0 ||
        inputs > ZC__OBJECT_MAX_INPUTS ||
        (uint64_t)count * (ZC__OUTPUT_HEADER + ZC__STORED_FIELDS) + (uint64_t)inputs * ZC__OBJECT_INPUT + notes_len +
                path_len > body)
        return zc_fail(why, ZC_ERR_BAD_ENTRY, "the object's counts do not match its size");
    zc_result r = zc__read_path(in, path_len, &obj->entry_path, "the entry path", why);
    if (r != ZC_OK) return r;
    if (notes_len) {
        if (!(obj->outs.notes = (char *)malloc((size_t)notes_len + 1)))
            return zc_fail(why, ZC_ERR_OUT_OF_MEMORY, "out of memory");
        if (!zc__record_in_read(in, obj->outs.notes, notes_len))
            return zc_fail(why, ZC_ERR_TRUNCATED, "the file ends inside the notes");
        obj->outs.notes[notes_len] = 0;
        if (memchr(obj->outs.notes, 0, notes_len) || !zc_utf8_valid((const uint8_t *)obj->outs.notes, notes_len))
            return zc_fail(why, ZC_ERR_BAD_STRING, "the notes are not UTF-8 text");
    }
    if ((r = zc__read_inputs(in, obj, inputs, why)) != ZC_OK) return r;
    if (count == 0) return ZC_OK; /* a file the tree leaves out (.zcpackignore, "exclude") */
    obj->outs.items = (zc_import_output *)calloc(count, sizeof *obj->outs.items);
    obj->stored = (zc__record_stored *)calloc(count, sizeof *obj->stored);
    if (!obj->outs.items || !obj->stored) return zc_fail(why, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    for (uint32_t i = 0; i < count; ++i) {
        obj->outs.count = i + 1;
        if ((r = zc__read_stored_output(in, obj, i, why)) != ZC_OK) return r;
    }
    r = zc_import_outputs_check(&obj->outs, obj->entry_path, why);
    return r == ZC_ERR_INVALID_ARGUMENT ? ZC_ERR_BAD_ENTRY : r; /* the object's fault, not the caller's */
}

zc_result zc__object_read(const char *path, zc__object *obj, zc_diag *diag) {
    memset(obj, 0, sizeof *obj);
    diag->message[0] = 0;
    int fd;
    do fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int err = errno;
        return zc_fail(diag, err == ENOENT ? ZC_ERR_FILE_NOT_FOUND : ZC_ERR_IO, "cannot open: %s", strerror(err));
    }
    struct stat st;
    zc_result r = ZC_OK;
    if (fstat(fd, &st) != 0)
        r = zc_fail(diag, ZC_ERR_IO, "cannot read: %s", strerror(errno));
    else if (!S_ISREG(st.st_mode))
        r = zc_fail(diag, ZC_ERR_IO, "not a regular file");
    zc__record_in *in = NULL; /* holds an XXH3 state: 64-byte alignment */
    if (r == ZC_OK && posix_memalign((void **)&in, 64, sizeof *in) != 0) {
        in = NULL;
        r = zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory");
    }
    if (r == ZC_OK) {
        int flags = fcntl(fd, F_GETFL);
        if (flags >= 0) (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
        memset(in, 0, sizeof *in);
        in->fd = fd;
        in->left = (uint64_t)st.st_size;
        in->hashing = 1;
        XXH3_INITSTATE(&in->hash);
        XXH3_64bits_reset(&in->hash);
        r = zc__read_object(in, obj, diag);
    }
    if (r == ZC_OK) {
        uint8_t trailer[8];
        uint64_t want = XXH3_64bits_digest(&in->hash);
        in->hashing = 0;
        if (!zc__record_in_read(in, trailer, 8) || in->left != 0)
            r = zc_fail(diag, ZC_ERR_TRUNCATED, "the body does not end at the checksum");
        else if ((obj->checksum = zc__build_cache_get64(trailer)) != want)
            r = zc_fail(diag, ZC_ERR_ENTRY_CHECKSUM, "checksum mismatch: the object is damaged");
    }
    free(in);
    close(fd);
    return r;
}
