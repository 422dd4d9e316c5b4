/* zc_image_budget.h - the memory budget of a build's decoded images.
 *
 *     zc_image_budget *budget;
 *     zc_image_budget_create(0, &budget);            // a quarter of physical memory
 *     zc_texture_settings s = { .budget = budget };   // every import of the build
 *     ...                                             // workers import with &s
 *     zc_image_budget_destroy(budget);
 *
 * Before it decodes an image, the texture importer estimates from the image's header
 * the most bytes the import will hold at once (zc_texture_memory_estimate) and
 * acquires that many bytes here; it releases them when the import returns, so the
 * images being imported at any moment together never hold more than the limit. An
 * import whose estimate is larger than the whole limit fails at once (it could never
 * be satisfied); others wait, in no particular order, until enough is free. An import
 * acquires once and never waits while it holds bytes, so waiting cannot deadlock.
 *
 * A model import runs in a child process (zc_model.h, "Isolation") that decodes the
 * textures its materials reference: the child's budget is a remote one
 * (zc_image_budget_remote) that asks the parent's budget through a stream socket
 * (zc_image_budget_serve), and the parent returns what a child still held when it
 * ended, however it ended. Waiting for the budget counts toward the model's time
 * limit.
 *
 * Threads: acquire and release of one local budget may be called from any threads at
 * once; a remote budget belongs to the one thread of its child process.
 */
#ifndef ZC_IMAGE_BUDGET_H
#define ZC_IMAGE_BUDGET_H

#include <stdint.h>

#include "zc_pack_format.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zc_image_budget zc_image_budget;

/* Share of physical memory a budget of limit 0 gets: one quarter (zcpack.md, "Memory"). */
#define ZC_IMAGE_BUDGET_DEFAULT_DIVISOR 4u

/* The default limit: physical memory (sysconf pages * page size) divided by
 * ZC_IMAGE_BUDGET_DEFAULT_DIVISOR; 1 GiB when the system does not say. */
uint64_t zc_image_budget_default_limit(void);

/* A new local budget of `limit` bytes (0: zc_image_budget_default_limit()). ZC_OK and
 * *out, or ZC_ERR_OUT_OF_MEMORY. */
zc_result zc_image_budget_create(uint64_t limit, zc_image_budget **out);

/* A budget that forwards to the budget served on the other end of the connected
 * stream socket `fd` (which stays owned by the caller). For the model importer's
 * child. ZC_OK and *out, or ZC_ERR_OUT_OF_MEMORY. */
zc_result zc_image_budget_remote(int fd, zc_image_budget **out);

/* Free a budget (NULL is fine). Nothing may hold bytes of a local budget any more. */
void zc_image_budget_destroy(zc_image_budget *budget);

/* The limit in bytes (a remote budget answers 0: it does not know). */
uint64_t zc_image_budget_limit(const zc_image_budget *budget);

/* The most bytes held at once since the budget was created (local budgets). */
uint64_t zc_image_budget_peak(const zc_image_budget *budget);

/* Take `bytes` from the budget, waiting until that many are free. ZC_OK; ZC_ERR_LIMIT
 * at once when bytes exceeds the whole limit; ZC_ERR_IO when a remote budget's socket
 * fails. budget NULL: ZC_OK without waiting. */
zc_result zc_image_budget_acquire(zc_image_budget *budget, uint64_t bytes);

/* Give back `bytes` taken by a successful acquire. budget NULL: nothing. */
void zc_image_budget_release(zc_image_budget *budget, uint64_t bytes);

/* Parent side of a remote budget: read one request from the socket `fd` (readable
 * now; non-blocking is fine), carry it out on `budget` and answer. *held tracks what the child holds
 * (start it at 0); once the child has ended, give it back with
 * zc_image_budget_release(budget, *held). Returns 1 when a request was served, 0 when
 * the socket failed (or the child is gone) or the request was malformed (stop serving that child). Acquiring
 * may wait, like zc_image_budget_acquire. */
int zc_image_budget_serve(zc_image_budget *budget, int fd, uint64_t *held);

#ifdef __cplusplus
}
#endif

#endif /* ZC_IMAGE_BUDGET_H */
