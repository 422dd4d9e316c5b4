/* zc_model_worker.c - what a model import worker does, and the messages between it
 * and the packer (zc_model_isolate.h, the protocol), on every platform: the worker's
 * loop (one request in, one reply out, many times), the reply's writer, the request's
 * reader and writer, and the faults a test injects.
 *
 * How a worker process starts, what world it runs in, and how the packer waits for it
 * and ends it are the platform's: zc_model_isolate.c (fork, and exec under
 * AddressSanitizer) on Linux, packer/win32/zc_model_isolate_win32.c (CreateProcess
 * of the running program, in a job object) on Windows. Both then call
 * zc__model_worker_serve with the worker's ends of the request, reply and budget
 * channels.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "zc_model_isolate.h"
#include "zc_packer_os.h" /* after the system headers: send and MSG_NOSIGNAL on Windows */
#include "zc_types.h"

int zc__model_child_fault = ZC__MODEL_FAULT_NONE;

#define ZC__MAX_MESSAGE 255u                    /* a zc_diag sentence */

/* The worker's ends of the request and budget channels (zc__model_worker_serve). */
static int zc__request_fd = -1, zc__budget_fd = -1;

/* ---------------------------------------------------------------------------------
 * The reply's writer
 * ------------------------------------------------------------------------------- */

typedef struct zc__writer {
    int fd;
    int failed;
    uint64_t budget;            /* bytes still allowed out (fault injection cuts replies short) */
    size_t len;
    uint8_t buf[1 << 16];
} zc__writer;

static void zc__write_raw(zc__writer *w, const void *data, size_t size) {
    const uint8_t *p = (const uint8_t *)data;
    if (size > w->budget) size = (size_t)w->budget;
    w->budget -= size;
    while (size && !w->failed) {
        ssize_t n = write(w->fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            w->failed = 1;
            break;
        }
        p += n;
        size -= (size_t)n;
    }
}

static void zc__flush(zc__writer *w) {
    zc__write_raw(w, w->buf, w->len);
    w->len = 0;
}

static void zc__put(zc__writer *w, const void *data, size_t size) {
    if (size == 0) return; /* data may be NULL then (a model without notes) */
    if (size > sizeof w->buf - w->len) {
        zc__flush(w);
        if (size >= sizeof w->buf) {
            zc__write_raw(w, data, size);
            return;
        }
    }
    memcpy(w->buf + w->len, data, size);
    w->len += size;
}

static void zc__put_u32(zc__writer *w, uint32_t v) {
    zc__put(w, &v, sizeof v);
}

static void zc__put_u64(zc__writer *w, uint64_t v) {
    zc__put(w, &v, sizeof v);
}

static void zc__put_header(zc__writer *w, uint32_t status) {
    zc__put_u32(w, ZC__REPLY_MAGIC);
    zc__put_u32(w, ZC__PROTOCOL_VERSION);
    zc__put_u32(w, status);
}

static void zc__put_error(zc__writer *w, uint32_t code, const char *message) {
    size_t n = strnlen(message, ZC__MAX_MESSAGE);
    zc__put_header(w, code);
    zc__put_u32(w, (uint32_t)n);
    zc__put(w, message, n);
    zc__put_u32(w, ZC__REPLY_END);
}

static void zc__put_entry(zc__writer *w, const zc_model_entry *e) {
    size_t n = strlen(e->path);
    zc__put_u32(w, (uint32_t)n);
    zc__put(w, e->path, n);
    zc__put_u32(w, e->type);
    zc__put_u32(w, e->layout_hash);
    zc__put_u32(w, e->align_log2);
    zc__put_u32(w, e->dep_count);
    zc__put_u64(w, (uint64_t)e->size);
    for (uint32_t i = 0; i < e->dep_count; ++i) zc__put_u64(w, e->deps[i]);
    zc__put(w, e->payload, e->size);
}

/* Bytes of the success reply for m. */
static uint64_t zc__model_reply_size(const zc_model *m) {
    uint64_t n = 12 + 4 * 5 + 8 * 2 + 4 + (m->notes ? strlen(m->notes) : 0) + 4 + (m->reads ? strlen(m->reads) : 0) + 4;
    for (size_t i = 0; i < m->entry_count; ++i)
        n += 4 + strlen(m->entries[i].path) + 4 * 4 + 8 + 8 * (uint64_t)m->entries[i].dep_count + m->entries[i].size;
    return n;
}

/* The success reply; with `declared_entries` other than the real count the reply
 * lies (fault injection), and stop_after_header ends it after the counts. */
static void zc__put_model(zc__writer *w, const zc_model *m, uint32_t declared_entries, int stop_after_header) {
    size_t notes = m->notes ? strlen(m->notes) : 0, reads = m->reads ? strlen(m->reads) : 0;
    zc__put_header(w, ZC_OK);
    zc__put_u32(w, declared_entries);
    zc__put_u32(w, m->mesh_count);
    zc__put_u32(w, m->material_count);
    zc__put_u32(w, m->texture_count);
    zc__put_u32(w, m->node_count);
    zc__put_u64(w, m->triangle_count);
    zc__put_u64(w, m->vertex_count);
    zc__put_u32(w, (uint32_t)notes);
    zc__put(w, m->notes, notes);
    zc__put_u32(w, (uint32_t)reads);
    zc__put(w, m->reads, reads);
    if (stop_after_header) return;
    for (size_t i = 0; i < m->entry_count; ++i) zc__put_entry(w, &m->entries[i]);
    zc__put_u32(w, ZC__REPLY_END);
}

/* Faults that change a real reply before it is written. */
static void zc__mutate(zc_model *m, int fault) {
    if (m->entry_count == 0) return;
    if (fault == ZC__MODEL_FAULT_BAD_PAYLOAD) {
        uint8_t *p = (uint8_t *)m->entries[0].payload;
        for (size_t i = 0; i < m->entries[0].size; ++i) p[i] = (uint8_t)(p[i] ^ 0xA5u ^ (uint8_t)i);
    } else if (fault == ZC__MODEL_FAULT_FOREIGN_PATH) {
        char *foreign = strdup("zzz-elsewhere.bin"); /* sorts last, so only the namespace is wrong */
        if (!foreign) _exit(ZC__CHILD_EXIT_WRITE);
        free(m->entries[m->entry_count - 1].path);
        m->entries[m->entry_count - 1].path = foreign;
    } else if (fault == ZC__MODEL_FAULT_UNSORTED && m->entry_count > 1) {
        zc_model_entry t = m->entries[0];
        m->entries[0] = m->entries[1];
        m->entries[1] = t;
    }
}

/* ---------------------------------------------------------------------------------
 * The worker's loop
 * ------------------------------------------------------------------------------- */

/* Exactly `size` bytes of the request; 0 at the end of the socket (the packer closed
 * it or is gone), _exit on a read error. */
static int zc__take(void *dst, size_t size) {
    uint8_t *d = (uint8_t *)dst;
    while (size) {
        ssize_t n = read(zc__request_fd, d, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) _exit(ZC__CHILD_EXIT_WRITE);
        if (n == 0) return 0;
        d += n;
        size -= (size_t)n;
    }
    return 1;
}

/* One string of the request, malloc'd (NULL for the NULL marker); _exit when it is
 * cut or too long. Out of memory: its bytes are read and dropped, *oom is set and
 * NULL returned, so the worker can still answer. */
static char *zc__take_string(int *oom) {
    uint32_t n;
    if (!zc__take(&n, sizeof n)) _exit(ZC__CHILD_EXIT_WRITE);
    if (n == UINT32_MAX) return NULL;
    if (n > ZC__REQUEST_MAX_STRING) _exit(ZC__CHILD_EXIT_WRITE);
    char *s = (char *)malloc((size_t)n + 1);
    if (!s) {
        char sink[256];
        for (uint32_t left = n; left > 0;) {
            uint32_t k = left < sizeof sink ? left : (uint32_t)sizeof sink;
            if (!zc__take(sink, k)) _exit(ZC__CHILD_EXIT_WRITE);
            left -= k;
        }
        *oom = 1;
        return NULL;
    }
    if (!zc__take(s, n)) _exit(ZC__CHILD_EXIT_WRITE);
    s[n] = 0;
    return s;
}

typedef struct zc__request {
    int fault;
    uint32_t flags;
    zc_model_settings settings; /* pointers cleared */
    char *root, *file_path, *entry_path;
    int oom;                    /* a string of it could not be allocated */
} zc__request;

/* The next request; 0 when the packer has closed the socket. */
static int zc__take_request(zc__request *q) {
    uint32_t head[5];
    if (!zc__take(head, sizeof head)) return 0;
    if (head[0] != ZC__REQUEST_MAGIC || head[1] != ZC__PROTOCOL_VERSION || head[4] != sizeof q->settings)
        _exit(ZC__CHILD_EXIT_WRITE);
    q->fault = (int)head[2];
    q->flags = head[3];
    if (!zc__take(&q->settings, sizeof q->settings)) _exit(ZC__CHILD_EXIT_WRITE);
    q->settings.texture.budget = NULL;
    q->settings.pool = NULL;
    q->settings.in_process = 1;
    q->root = zc__take_string(&q->oom);
    q->file_path = zc__take_string(&q->oom);
    q->entry_path = zc__take_string(&q->oom);
    if (!q->oom && (!q->file_path || !q->entry_path)) _exit(ZC__CHILD_EXIT_WRITE);
    return 1;
}

/* The faults that replace the import (fault injection); returns when there is none. */
static void zc__early_fault(zc__writer *w, int fault) {
    if (fault == ZC__MODEL_FAULT_CRASH) raise(SIGSEGV);
    if (fault == ZC__MODEL_FAULT_HANG)
        for (;;) sleep(60);
    if (fault == ZC__MODEL_FAULT_EXIT) _exit(3);
    if (fault == ZC__MODEL_FAULT_GARBAGE) {
        static const char garbage[] = "this is not a model importer reply";
        zc__put(w, garbage, sizeof garbage);
        zc__flush(w);
        _exit(0);
    }
    if (fault == ZC__MODEL_FAULT_BAD_ERROR) {
        zc__put_error(w, 0x7FFFFFFFu, "no such code");
        zc__flush(w);
        _exit(0);
    }
}

/* Import and write the reply for one request. Returns 1 when the worker may take
 * another request (a whole success reply went out); the faults that cut a reply
 * short end the worker here, as a worker that dies mid-reply would. */
static int zc__serve(zc__writer *w, zc__request *q) {
    w->budget = UINT64_MAX;
    w->failed = 0;
    zc__early_fault(w, q->fault);
    zc_image_budget *remote = NULL;
    zc_model model;
    zc_diag diag;
    diag.message[0] = 0;
    memset(&model, 0, sizeof model);
    zc_result r = q->flags & ZC__REQUEST_BUDGET ? zc_image_budget_remote(zc__budget_fd, &remote) : ZC_OK;
    q->settings.texture.budget = remote;
    if (r != ZC_OK) zc_fail(&diag, r, "out of memory joining the build's image memory budget");
    else r = zc_model_import_in_process_under(q->root, q->file_path, q->entry_path, &q->settings, &model, &diag);
    zc_image_budget_destroy(remote); /* the import gave back all it took */
    int cut = 0;
    if (r != ZC_OK) {
        zc__put_error(w, (uint32_t)r, diag.message[0] ? diag.message : zc_result_str(r));
    } else if (q->fault == ZC__MODEL_FAULT_HUGE_COUNT) {
        zc__put_model(w, &model, UINT32_MAX, 1);
        cut = 1;
    } else if (q->fault == ZC__MODEL_FAULT_HUGE_SIZE) {
        /* below the cap, so the parent starts receiving it, then nothing comes */
        zc__put_model(w, &model, (uint32_t)model.entry_count, 1);
        zc__put_u32(w, (uint32_t)strlen(q->entry_path));
        zc__put(w, q->entry_path, strlen(q->entry_path));
        uint32_t fields[4] = { ZC_TYPE_SCENE, ZC_SCENE_LAYOUT_HASH, 4, 0 };
        zc__put(w, fields, sizeof fields);
        zc__put_u64(w, UINT64_C(8) << 30);
        cut = 1;
    } else {
        zc__mutate(&model, q->fault);
        if (q->fault == ZC__MODEL_FAULT_TRUNCATED) {
            w->budget = zc__model_reply_size(&model) / 2;
            cut = 1;
        }
        zc__put_model(w, &model, (uint32_t)model.entry_count, 0);
    }
    zc__flush(w);
    zc_model_free(&model);
    if (w->failed) _exit(ZC__CHILD_EXIT_WRITE);
    if (cut) _exit(0);
    if (q->fault == ZC__MODEL_FAULT_LINGER)
        for (;;) sleep(60);
    return r == ZC_OK;
}

void zc__model_worker_serve(int request_fd, int reply_fd, int budget_fd) {
    static zc__writer w; /* in the worker's own process: no other user */
    zc__model_in_worker = 1;
#ifdef __GLIBC__
    /* A worker serves many imports: blocks up to 32 MiB (assimp's 16 MiB OBJ read
     * buffer, for one) come from the heap and up to 64 MiB of freed heap is kept, so
     * the next import reuses those pages instead of mapping and faulting them in
     * again (about 4,000 page faults less per OBJ file). */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
    zc__request_fd = request_fd;
    zc__budget_fd = budget_fd;
    w.fd = reply_fd;
    for (;;) {
        zc__request q;
        memset(&q, 0, sizeof q);
        if (!zc__take_request(&q)) _exit(0);
        if (q.oom) { /* answer as an import that ran out of memory would, then end */
            w.budget = UINT64_MAX;
            w.failed = 0;
            zc__put_error(&w, (uint32_t)ZC_ERR_OUT_OF_MEMORY, "out of memory reading the import request");
            zc__flush(&w);
            _exit(w.failed ? ZC__CHILD_EXIT_WRITE : 0);
        }
        int again = zc__serve(&w, &q);
        free(q.root);
        free(q.file_path);
        free(q.entry_path);
        if (!again) _exit(0);
    }
}

/* ---------------------------------------------------------------------------------
 * The packer's side: send a request
 * ------------------------------------------------------------------------------- */

/* A growing request buffer; `failed` once an allocation fails. */
typedef struct zc__request_buf {
    uint8_t *data;
    size_t len, cap;
    int failed;
} zc__request_buf;

static void zc__add(zc__request_buf *b, const void *data, size_t size) {
    if (b->failed) return;
    if (b->len + size > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        while (cap < b->len + size) cap *= 2;
        uint8_t *grown = (uint8_t *)realloc(b->data, cap);
        if (!grown) {
            b->failed = 1;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, size);
    b->len += size;
}

static void zc__add_string(zc__request_buf *b, const char *s) {
    uint32_t n = s ? (uint32_t)strlen(s) : UINT32_MAX;
    zc__add(b, &n, sizeof n);
    if (s) zc__add(b, s, n);
}

int zc__model_worker_send(const zc__model_worker *w, int fault, const char *root, const char *file_path,
                          const char *entry_path, const zc_model_settings *settings) {
    if ((root && strlen(root) > ZC__REQUEST_MAX_STRING) || strlen(file_path) > ZC__REQUEST_MAX_STRING ||
        strlen(entry_path) > ZC__REQUEST_MAX_STRING)
        return ENAMETOOLONG;
    zc_model_settings copy;
    memset(&copy, 0, sizeof copy);
    if (settings) memcpy(&copy, settings, sizeof copy);
    uint32_t head[5] = { ZC__REQUEST_MAGIC, ZC__PROTOCOL_VERSION, (uint32_t)fault,
                         copy.texture.budget && w->budget_fd >= 0 ? ZC__REQUEST_BUDGET : 0u, (uint32_t)sizeof copy };
    copy.texture.budget = NULL; /* pointers mean nothing in the worker */
    copy.pool = NULL;
    zc__request_buf b = { NULL, 0, 0, 0 };
    zc__add(&b, head, sizeof head);
    zc__add(&b, &copy, sizeof copy);
    zc__add_string(&b, root);
    zc__add_string(&b, file_path);
    zc__add_string(&b, entry_path);
    int err = b.failed ? ENOMEM : 0;
    for (size_t done = 0; !err && done < b.len;) {
        ssize_t n = send(w->request_fd, b.data + done, b.len - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) err = n < 0 ? errno : EPIPE;
        else done += (size_t)n;
    }
    free(b.data);
    return err;
}

int zc__model_write_reply(int fd, const zc_model *model) {
    zc__writer *w = (zc__writer *)malloc(sizeof *w);
    if (!w) return -1;
    memset(w, 0, offsetof(zc__writer, buf));
    w->fd = fd;
    w->budget = UINT64_MAX;
    zc__put_model(w, model, (uint32_t)model->entry_count, 0);
    zc__flush(w);
    int failed = w->failed;
    free(w);
    return failed ? -1 : 0;
}
