/* zc_image_budget.c - the memory budget of decoded images (zc_image_budget.h).
 *
 * The remote protocol (over a stream socket, child to parent and back, host byte order: both ends are one
 * program image): a request is 9 bytes, the letter 'A' (acquire) or 'R' (release)
 * and a u64 byte count; an acquire is answered with 9 bytes, 0 (granted) or 1 (more
 * than the whole limit) and the parent's limit as a u64; a release gets no answer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "zc_image_budget.h"
#include "zc_packer_os.h"

struct zc_image_budget {
    int remote;                 /* 1: forwards through the socket below */
    int fd;                     /* remote */
    uint64_t limit;             /* local; remote: as last answered (0 before) */
    uint64_t used, peak;        /* local, under lock */
    uv_mutex_t lock;            /* local */
    uv_cond_t freed;            /* local: signalled on every release */
};

uint64_t zc_image_budget_default_limit(void) {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return UINT64_C(1) << 30;
    return (uint64_t)pages * (uint64_t)page / ZC_IMAGE_BUDGET_DEFAULT_DIVISOR;
}

zc_result zc_image_budget_create(uint64_t limit, zc_image_budget **out) {
    *out = NULL;
    zc_image_budget *b = (zc_image_budget *)calloc(1, sizeof *b);
    if (!b) return ZC_ERR_OUT_OF_MEMORY;
    b->limit = limit ? limit : zc_image_budget_default_limit();
    if (uv_mutex_init(&b->lock) != 0) {
        free(b);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    if (uv_cond_init(&b->freed) != 0) {
        uv_mutex_destroy(&b->lock);
        free(b);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    *out = b;
    return ZC_OK;
}

zc_result zc_image_budget_remote(int fd, zc_image_budget **out) {
    *out = NULL;
    zc_image_budget *b = (zc_image_budget *)calloc(1, sizeof *b);
    if (!b) return ZC_ERR_OUT_OF_MEMORY;
    b->remote = 1;
    b->fd = fd;
    *out = b;
    return ZC_OK;
}

void zc_image_budget_destroy(zc_image_budget *budget) {
    if (!budget) return;
    if (!budget->remote) {
        uv_cond_destroy(&budget->freed);
        uv_mutex_destroy(&budget->lock);
    }
    free(budget);
}

uint64_t zc_image_budget_limit(const zc_image_budget *budget) {
    return budget ? budget->limit : 0;
}

uint64_t zc_image_budget_peak(const zc_image_budget *budget) {
    if (!budget || budget->remote) return 0;
    uv_mutex_lock((uv_mutex_t *)&budget->lock);
    uint64_t peak = budget->peak;
    uv_mutex_unlock((uv_mutex_t *)&budget->lock);
    return peak;
}

/* Exactly n bytes through the socket (never raising SIGPIPE); 1 on success. A message
 * is 9 bytes, sent in one piece, so a readable socket holds a whole one. */
static int zc__socket_io(int fd, void *data, size_t n, int writing) {
    uint8_t *p = (uint8_t *)data;
    while (n) {
        ssize_t k = writing ? send(fd, p, n, MSG_NOSIGNAL) : recv(fd, p, n, 0);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return 0;
        p += k;
        n -= (size_t)k;
    }
    return 1;
}

static int zc__send(int fd, uint8_t tag, uint64_t value) {
    uint8_t msg[9];
    msg[0] = tag;
    memcpy(msg + 1, &value, sizeof value);
    return zc__socket_io(fd, msg, sizeof msg, 1);
}

static int zc__receive(int fd, uint8_t *tag, uint64_t *value) {
    uint8_t msg[9];
    if (!zc__socket_io(fd, msg, sizeof msg, 0)) return 0;
    *tag = msg[0];
    memcpy(value, msg + 1, sizeof *value);
    return 1;
}

zc_result zc_image_budget_acquire(zc_image_budget *budget, uint64_t bytes) {
    if (!budget) return ZC_OK;
    if (budget->remote) {
        uint8_t status;
        if (!zc__send(budget->fd, 'A', bytes) || !zc__receive(budget->fd, &status, &budget->limit))
            return ZC_ERR_IO;
        return status == 0 ? ZC_OK : ZC_ERR_LIMIT;
    }
    if (bytes > budget->limit) return ZC_ERR_LIMIT;
    uv_mutex_lock(&budget->lock);
    while (budget->limit - budget->used < bytes) uv_cond_wait(&budget->freed, &budget->lock);
    budget->used += bytes;
    if (budget->used > budget->peak) budget->peak = budget->used;
    uv_mutex_unlock(&budget->lock);
    return ZC_OK;
}

void zc_image_budget_release(zc_image_budget *budget, uint64_t bytes) {
    if (!budget || !bytes) return;
    if (budget->remote) {
        (void)zc__send(budget->fd, 'R', bytes); /* a dead parent ends the child anyway */
        return;
    }
    uv_mutex_lock(&budget->lock);
    budget->used -= bytes < budget->used ? bytes : budget->used;
    uv_cond_broadcast(&budget->freed);
    uv_mutex_unlock(&budget->lock);
}

int zc_image_budget_serve(zc_image_budget *budget, int fd, uint64_t *held) {
    uint8_t tag;
    uint64_t bytes;
    if (!zc__receive(fd, &tag, &bytes)) return 0;
    if (tag == 'R') {
        if (bytes > *held) return 0; /* gives back more than it took: a broken child */
        *held -= bytes;
        zc_image_budget_release(budget, bytes);
        return 1;
    }
    if (tag != 'A') return 0;
    zc_result r = zc_image_budget_acquire(budget, bytes);
    if (r == ZC_OK) *held += bytes;
    if (!zc__send(fd, r == ZC_OK ? 0 : 1, zc_image_budget_limit(budget))) return 0;
    return 1;
}
