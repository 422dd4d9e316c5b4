/* zc_fuzz_reply.c - fuzz_model_reply: the parent side of the isolated model import
 * (packer/import/model/zc_model_reply.c) reading an arbitrary reply.
 *
 * The reply reader (zc_model_reply.c) is the code that stands between a crashed or
 * hostile import worker and the packer, so it must hold on any bytes. It is given the
 * input through a memory file, exactly as it reads the pipe: in chunks, until end of
 * file.
 *
 * Untrusted input; one call at a time per thread (each call has its own reader).
 */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "zc_model_isolate.h"

#include "zc_fuzz_walk.h"

/* The scene path the reader is told to expect (every entry lies in its namespace). */
#define ZCF__REPLY_SCENE "model.gltf"

/* A memory file holding the bytes, positioned at its start; -1 on failure. */
static int zcf__memory_file(const uint8_t *data, size_t size) {
    int fd = memfd_create("zc-fuzz-reply", MFD_CLOEXEC);
    if (fd < 0) return -1;
    while (size) {
        ssize_t n = write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        data += n;
        size -= (size_t)n;
    }
    if (size || lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

zc_result zcf_model_reply(const uint8_t *data, size_t size) {
    int fd = zcf__memory_file(data, size);
    if (fd < 0) return ZC_ERR_IO;
    zc__reader *r = (zc__reader *)malloc(sizeof *r);
    if (!r) {
        close(fd);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    memset(r, 0, offsetof(zc__reader, buf));
    r->fd = fd;
    r->pidfd = -1;
    r->deadline = zc__model_now_ns() + (uint64_t)10 * 1000000000u;
    zc_model model;
    memset(&model, 0, sizeof model);
    zc_diag diag;
    diag.message[0] = 0;
    zc_result child = ZC_OK, result;
    zc__reply state = zc__model_read_reply(r, ZCF__REPLY_SCENE, &model, &child, &diag);
    switch (state) {
    case ZC__REPLY_DONE:
        result = child;
        if (child == ZC_OK) {
            /* The reader promises every entry passed its check, in the scene's namespace. */
            ZCF_REQUIRE(zc_model_find(&model, ZCF__REPLY_SCENE) != NULL, "accepted reply without its scene");
            for (size_t i = 0; i < model.entry_count; ++i) {
                const zc_model_entry *e = &model.entries[i];
                ZCF_REQUIRE(zc_check_payload(e->type, e->layout_hash, e->payload, e->size, NULL) == ZC_OK,
                                  "accepted entry %s fails its check", e->path);
                ZCF_REQUIRE(zcf_walk_payload(NULL, e->type, e->payload, e->size) == ZC_OK,
                                  "accepted entry %s cannot be walked", e->path);
            }
        } else {
            ZCF_REQUIRE(child > ZC_OK && child < ZC__RESULT_COUNT, "accepted error code %d", (int)child);
        }
        break;
    case ZC__REPLY_MALFORMED:
        ZCF_REQUIRE(diag.message[0] != 0, "malformed reply without a sentence");
        result = ZC_ERR_BAD_SOURCE;
        break;
    case ZC__REPLY_NO_MEMORY: result = ZC_ERR_OUT_OF_MEMORY; break;
    default: result = ZC_ERR_BAD_SOURCE; break; /* the reply ended early */
    }
    zc_model_free(&model);
    free(r);
    close(fd);
    return result;
}

int zcf_write_model_reply(int fd, const struct zc_model *model) {
    return zc__model_write_reply(fd, model);
}
