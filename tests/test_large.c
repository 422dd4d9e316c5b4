/* test_large.c - a pack larger than 4 GiB: 64-bit offsets and sizes end to end.
 *
 * The tree holds one sparse 4.3 GiB file and a small file whose path sorts after it,
 * so its payload lies beyond 4 GiB. Skipped under sanitizer runs (ZC_SANITIZE_RUN set)
 * and when the temporary file system has less than 10 GiB free. Everything it creates
 * is removed by the fixture, whatever the outcome.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "zc_pack.h"
#include "zc_test_util.h"

/* 4.3 GiB, rounded to a whole MiB */
#define BIG_SIZE ((uint64_t)4403 << 20)
#define NEED_FREE ((uint64_t)10 << 30)

/* Criterion does not run a fixture's teardown after cr_skip_test, so the directory
 * (zct_tmp) is created only once the test knows it will run. */

Test(large, pack_over_4_gib, .fini = zct_tmp_teardown, .timeout = 900) {
    if (getenv("ZC_SANITIZE_RUN")) zct_skip_test("ZC_SANITIZE_RUN is set: the 4 GiB pack is too slow under sanitizers");
    struct statvfs vfs;
    cr_assert_eq(statvfs("/tmp", &vfs), 0);
    uint64_t free_bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize;
    if (free_bytes < NEED_FREE)
        zct_skip_test("only %llu MiB free under /tmp; the 4 GiB pack needs %llu MiB",
                     (unsigned long long)(free_bytes >> 20), (unsigned long long)(NEED_FREE >> 20));
    zct_tmp_setup();

    char *root = zct_join(zct_tmp, "big");
    zct_mkdirs(root);
    char *big = zct_join(root, "a_big.bin");
    int fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert_geq(fd, 0);
    cr_assert_eq(ftruncate(fd, (off_t)BIG_SIZE), 0);
    /* a few non-zero bytes at known places, so the big entry is not all zeros */
    static const char mark[] = "zcpack-large-marker";
    cr_assert_eq(pwrite(fd, mark, sizeof mark, 0), (ssize_t)sizeof mark);
    cr_assert_eq(pwrite(fd, mark, sizeof mark, (off_t)(BIG_SIZE - sizeof mark)), (ssize_t)sizeof mark);
    cr_assert_eq(close(fd), 0);

    uint8_t last_bytes[5000];
    zct_fill(last_bytes, sizeof last_bytes, 4242);
    char *last = zct_join(root, "z_last.bin");
    zct_write_file(last, last_bytes, sizeof last_bytes);

    char *pack = zct_join(zct_tmp, "big.zcpack");
    int code = zct_run_cli(NULL, NULL, NULL, (const char *const[]){ "build", root, "-o", pack, "--quiet", NULL });
    cr_assert_eq(code, 0, "zcpack build exited %d", code);
    /* the source is no longer needed: free its space before verifying */
    unlink(big);
    code = zct_run_cli(NULL, NULL, NULL, (const char *const[]){ "verify", pack, NULL });
    cr_assert_eq(code, 0, "zcpack verify exited %d", code);

    zc_pack *p = NULL;
    zc_result r = zc_pack_open(&p, &(zc_pack_desc){ .path = pack });
    cr_assert_eq(r, ZC_OK, "%s", zc_result_name(r));
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(p, &info), ZC_OK);
    cr_assert_gt(info.file_size, BIG_SIZE);
    cr_assert_gt(info.toc_offset, (uint64_t)1 << 32);

    zc_entry e;
    cr_assert_eq(zc_pack_find(p, "z_last.bin", &e), ZC_OK);
    cr_assert_gt(e.offset, (uint64_t)1 << 32, "the last entry lies beyond 4 GiB (offset %llu)",
                 (unsigned long long)e.offset);
    cr_assert_eq(e.raw_size, sizeof last_bytes);
    cr_assert_eq(memcmp(e.data, last_bytes, sizeof last_bytes), 0);

    zc_entry b;
    cr_assert_eq(zc_pack_find(p, "a_big.bin", &b), ZC_OK);
    cr_assert_eq(b.raw_size, BIG_SIZE);
    cr_assert_eq(b.stored_size, BIG_SIZE);
    const uint8_t *bd = b.data;
    cr_assert_eq(memcmp(bd, mark, sizeof mark), 0);
    cr_assert_eq(memcmp(bd + BIG_SIZE - sizeof mark, mark, sizeof mark), 0, "the far end of the big entry");
    cr_assert_eq(bd[(uint64_t)1 << 32], 0, "a byte of the sparse middle");
    cr_assert_lt(b.offset, e.offset);
    zc_pack_close(p);

    free(pack);
    free(last);
    free(big);
    free(root);
}
