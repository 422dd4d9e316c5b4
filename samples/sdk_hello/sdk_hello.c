/* sdk_hello.c - the smallest engine-side program, built only against the installed
 * zcpack SDK: open a pack, look one entry up by path, print the start of its raw bytes
 * (zc_pack_acquire decodes a compressed entry), check that its stored bytes are
 * read in place from one contiguous image of the file (zero-copy), then verify the
 * whole pack (every checksum), prefetch every entry (on the prefetcher's own loop
 * thread) and read every byte of every entry once.
 *
 *     cc sdk_hello.c $(pkg-config --cflags --libs zcpack) -o sdk_hello
 *     ./sdk_hello game.zcpack shaders/sky.glsl [release.pub]
 *
 * With a public key file (`zcpack keygen`), the pack must carry a signature by that
 * key that verifies, or it is not opened (ZC_ERR_SIGNATURE).
 *
 * Exit status: 0 when every step succeeds, 1 otherwise.
 */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#endif
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <time.h>
#endif

#include <zc/zc_pack.h>

#define PREVIEW_BYTES 16

static void log_line(zc_log_level level, const char *message, void *user_data)
{
    (void)user_data;
    fprintf(stderr, "sdk_hello: %s: %s\n", level == ZC_LOG_ERROR ? "error" : "note", message);
}

/* Print up to PREVIEW_BYTES bytes as hex, then as text with non-printables as '.'. */
static void print_preview(const unsigned char *bytes, uint64_t size)
{
    unsigned n = size < PREVIEW_BYTES ? (unsigned)size : PREVIEW_BYTES;
    printf("  first %u bytes:", n);
    for (unsigned i = 0; i < n; i++)
        printf(" %02x", bytes[i]);
    printf("  |");
    for (unsigned i = 0; i < n; i++)
        putchar(bytes[i] >= 0x20 && bytes[i] < 0x7f ? bytes[i] : '.');
    printf("|\n");
}

static void sleep_ms(unsigned ms)
{
#ifdef _WIN32
    Sleep(ms);
#else
    struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
#endif
}

/* Filled by the prefetch callback on the prefetcher's loop thread: status first, then
 * done, which the main thread polls. */
typedef struct prefetch_wait {
    zc_result status;
    atomic_int done;
} prefetch_wait;

static void on_prefetched(uint64_t request, zc_result status, void *user_data)
{
    (void)request;
    prefetch_wait *wait = user_data;
    wait->status = status;
    atomic_store(&wait->done, 1);
}

/* Ask for every entry of the pack at once and wait (up to a minute) for the callback
 * that says they are all in memory. An engine would go on with its frame instead. */
static zc_result prefetch_all(zc_pack *pack, uint32_t count)
{
    uint64_t *ids = malloc((count ? count : 1) * sizeof *ids);
    if (!ids)
        return ZC_ERR_OUT_OF_MEMORY;
    for (uint32_t i = 0; i < count; i++) {
        zc_entry e;
        zc_result r = zc_pack_entry_at(pack, i, &e);
        if (r != ZC_OK) {
            free(ids);
            return r;
        }
        ids[i] = e.id;
    }
    zc_prefetcher *prefetcher = NULL;
    zc_result r = zc_prefetcher_create(&prefetcher, &(zc_prefetch_desc){ .pack = pack });
    if (r == ZC_OK) {
        prefetch_wait wait = { .status = ZC_OK };
        atomic_init(&wait.done, 0);
        uint64_t request;
        r = zc_prefetch(prefetcher, &(zc_prefetch_args){ .ids = ids, .id_count = count,
                                                        .cb = on_prefetched, .user_data = &wait }, &request);
        for (unsigned waited = 0; r == ZC_OK && !atomic_load(&wait.done) && waited < 60000; waited++)
            sleep_ms(1);
        if (r == ZC_OK && !atomic_load(&wait.done)) {
            fprintf(stderr, "sdk_hello: the prefetch did not finish within a minute\n");
            r = ZC_ERR_CANCELED;
        } else if (r == ZC_OK) {
            r = wait.status;
        }
        zc_prefetcher_destroy(prefetcher); /* a request still running ends canceled */
    }
    free(ids);
    return r;
}

/* Read the public key file at `path` into *key. 0 on success. */
static int read_public_key(const char *path, zc_public_key *key)
{
    char text[4096];
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "sdk_hello: cannot open the key file %s\n", path);
        return 1;
    }
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    zc_logger logger = { .func = log_line };
    zc_result r = zc_public_key_parse(text, n, key, &logger);
    if (r != ZC_OK) fprintf(stderr, "sdk_hello: %s: not a public key: %s\n", path, zc_result_str(r));
    return r != ZC_OK;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: %s <pack> <entry-path> [<public-key-file>]\n", argc > 0 ? argv[0] : "sdk_hello");
        return 1;
    }
    const char *pack_path = argv[1];
    const char *entry_path = argv[2];
    zc_public_key key;
    if (argc == 4 && read_public_key(argv[3], &key) != 0) return 1;

    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){
        .path = pack_path,
        .logger = { .func = log_line },
        .trusted_keys = argc == 4 ? &key : NULL,
        .trusted_key_count = argc == 4 ? 1 : 0,
    });
    if (r != ZC_OK) {
        fprintf(stderr, "sdk_hello: cannot open %s: %s\n", pack_path, zc_result_str(r));
        return 1;
    }
    if (argc == 4) printf("%s: signature by the key of %s verified\n", pack_path, argv[3]);

    int status = 1;
    uint32_t count = zc_pack_entry_count(pack);
    printf("zcpack %s: %s holds %" PRIu32 " entries\n", zc_version_string(), pack_path, count);

    zc_entry first, entry;
    r = zc_pack_entry_at(pack, 0, &first);
    if (r != ZC_OK) {
        fprintf(stderr, "sdk_hello: %s: no first entry: %s\n", pack_path, zc_result_str(r));
        goto done;
    }
    r = zc_pack_find(pack, entry_path, &entry);
    if (r != ZC_OK) {
        fprintf(stderr, "sdk_hello: %s: %s: %s\n", pack_path, entry_path, zc_result_str(r));
        goto done;
    }

    printf("%s: %" PRIu64 " bytes (%" PRIu64 " stored, codec %d, offset %" PRIu64 ")\n",
           entry.path, entry.raw_size, entry.stored_size, (int)entry.codec, entry.offset);
    /* The raw bytes: the mapping's for an uncompressed entry, decoded once into the
     * pack's cache for a compressed one; held until released. */
    zc_hold hold;
    r = zc_pack_acquire(pack, &entry, &hold);
    if (r != ZC_OK) {
        fprintf(stderr, "sdk_hello: %s: %s: %s\n", pack_path, entry_path, zc_result_str(r));
        goto done;
    }
    print_preview(hold.data, hold.size);
    if (entry.codec != ZC_CODEC_NONE)
        printf("  decoded from a %" PRIu64 "-byte zstd frame into the pack's cache\n", entry.stored_size);
    zc_hold_release(&hold);

    /* Both entries point into one image of the file, so the distance between their
     * data pointers is the distance between their file offsets. */
    const char *expected = (const char *)first.data - first.offset + entry.offset;
    if ((const char *)entry.data != expected) {
        fprintf(stderr, "sdk_hello: %s: data of %s is not in place (%p, expected %p)\n",
                pack_path, entry_path, entry.data, (const void *)expected);
        goto done;
    }
    printf("  data lies in the pack image at offset %" PRIu64 ": zero-copy\n", entry.offset);

    r = zc_pack_validate(pack, ZC_VALIDATE_CHECKSUMS);
    if (r != ZC_OK) {
        fprintf(stderr, "sdk_hello: %s: verification failed: %s\n", pack_path, zc_result_str(r));
        goto done;
    }
    r = prefetch_all(pack, count);
    if (r != ZC_OK) {
        fprintf(stderr, "sdk_hello: %s: prefetch failed: %s\n", pack_path, zc_result_str(r));
        goto done;
    }
    uint64_t bytes = 0, sum = 0;
    for (uint32_t i = 0; i < count; i++) {
        zc_entry e;
        zc_hold h;
        if ((r = zc_pack_entry_at(pack, i, &e)) != ZC_OK || (r = zc_pack_acquire(pack, &e, &h)) != ZC_OK) {
            fprintf(stderr, "sdk_hello: %s: entry %" PRIu32 ": %s\n", pack_path, i, zc_result_str(r));
            goto done;
        }
        const unsigned char *p = h.data;
        for (uint64_t k = 0; k < h.size; k++)
            sum += p[k];
        bytes += h.size;
        zc_hold_release(&h);
    }
    printf("verified every checksum; prefetched and read all %" PRIu32 " entries, %" PRIu64 " bytes (byte sum %" PRIu64 ")\n",
           count, bytes, sum);
    status = 0;

done:
    zc_pack_close(pack);
    return status;
}
