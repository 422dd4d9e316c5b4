/* test_writer.c - the pack writer (zc_writer.h): call-order rules, path and alignment
 * checks, duplicate payloads, determinism, and crash safety under injected system
 * call failures (zc__packer_sys): on any error the output path keeps its old
 * contents and no temporary file is left beside it.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zc_pack.h"
#include "zc_packer_sys.h"
#include "zc_test_util.h"
#include "zc_writer.h"

static char *out;               /* zct_tmp/out.zcpack */
static const char old_text[] = "the previous pack, which must survive a failed build";

static void setup(void) {
    zct_tmp_setup();
    out = zct_tmp_path("out.zcpack");
}

static void teardown(void) {
    zc__packer_sys_reset();
    free(out);
    zct_tmp_teardown();
}

TestSuite(writer, .init = setup, .fini = teardown, .timeout = 60);

static zc_writer *open_writer(zct_log *log, int no_sync) {
    zc_writer *w = NULL;
    zc_result r = zc_writer_open(&w, &(zc_writer_desc){ .path = out, .logger = zct_log_recorder(log), .no_sync = no_sync });
    cr_assert_eq(r, ZC_OK, "zc_writer_open: %s", zc_result_name(r));
    cr_assert_not_null(w);
    return w;
}

static zc_result add_blob(zc_writer *w, const char *path, const void *data, size_t size, uint32_t align_log2) {
    zc_result r = zc_writer_begin_entry(w, path, ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, align_log2);
    if (r == ZC_OK && size) r = zc_writer_write(w, data, size);
    if (r == ZC_OK) r = zc_writer_end_entry(w);
    return r;
}

/* Only the output (or nothing) remains in dir: no temporary files. */
static void assert_no_temporaries(void) {
    cr_assert_eq(zct_count_prefixed(zct_tmp, ".zc-"), 0, "a temporary file was left behind");
}

static void assert_old_output(void) {
    size_t size;
    uint8_t *bytes = zct_read_file(out, &size);
    cr_assert_not_null(bytes, "the old output is gone");
    cr_assert(size == sizeof old_text - 1 && memcmp(bytes, old_text, size) == 0, "the old output was changed");
    free(bytes);
    assert_no_temporaries();
}

static zc_pack *open_out(void) {
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = out, .validate = ZC_VALIDATE_CHECKSUMS });
    cr_assert_eq(r, ZC_OK, "%s", zc_result_name(r));
    return pack;
}

/* ---------------------------------------------------------------------------------
 * Contract
 * ------------------------------------------------------------------------------- */

Test(writer, empty_pack) {
    zct_log log;
    zc_writer *w = open_writer(&log, 1);
    cr_assert_eq(zc_writer_bytes_written(w), sizeof(zc_header));
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
    zc_pack *pack = open_out();
    cr_assert_eq(zc_pack_entry_count(pack), 0);
    zc_entry e;
    cr_assert_eq(zc_pack_find(pack, "anything", &e), ZC_ERR_NO_ENTRY);
    cr_assert_eq(zc_pack_entry_at(pack, 0, &e), ZC_ERR_NO_ENTRY);
    zc_pack_close(pack);
    assert_no_temporaries();
    cr_assert_eq(log.errors, 0);
}

Test(writer, nothing_appears_before_finish) {
    zct_log log;
    zc_writer *w = open_writer(&log, 1);
    cr_assert_eq(add_blob(w, "a", "abc", 3, 0), ZC_OK);
    cr_assert_not(zct_exists(out), "the output appears only at finish");
    cr_assert_eq(zct_count_prefixed(zct_tmp, ".zc-"), 1, "the temporary file lies beside the output");
    cr_assert_gt(zc_writer_bytes_written(w), sizeof(zc_header));
    zc_writer_abort(w);
    cr_assert_not(zct_exists(out));
    assert_no_temporaries();
    zc_writer_abort(NULL);
}

Test(writer, call_order_rules) {
    zct_log log;
    zc_writer *w = open_writer(&log, 1);
    cr_assert_eq(zc_writer_write(w, "x", 1), ZC_ERR_INVALID_ARGUMENT, "write with no entry open");
    cr_assert_eq(zc_writer_add_dep(w, 1), ZC_ERR_INVALID_ARGUMENT, "add_dep with no entry open");
    cr_assert_eq(zc_writer_end_entry(w), ZC_ERR_INVALID_ARGUMENT, "end with no entry open");
    cr_assert_eq(zc_writer_begin_entry(w, "a", ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 0), ZC_OK);
    cr_assert_eq(zc_writer_begin_entry(w, "b", ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 0), ZC_ERR_INVALID_ARGUMENT,
                 "two entries open at once");
    cr_assert_eq(zc_writer_write(w, NULL, 1), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_writer_write(w, NULL, 0), ZC_OK, "nothing to write");
    cr_assert_eq(zc_writer_write(w, "abc", 3), ZC_OK);
    cr_assert_eq(zc_writer_end_entry(w), ZC_OK);
    cr_assert_geq(log.errors, 4, "each misuse is logged");
    /* the writer still works after refused calls */
    cr_assert_eq(add_blob(w, "b", "def", 3, 0), ZC_OK);
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
    zc_pack *pack = open_out();
    cr_assert_eq(zc_pack_entry_count(pack), 2);
    zc_pack_close(pack);
    cr_assert_eq(zc_writer_finish(NULL), ZC_ERR_INVALID_ARGUMENT);
}

Test(writer, finish_with_an_open_entry_fails_cleanly) {
    zct_write_file(out, old_text, sizeof old_text - 1);
    zct_log log;
    zc_writer *w = open_writer(&log, 1);
    cr_assert_eq(zc_writer_begin_entry(w, "a", ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 0), ZC_OK);
    cr_assert_eq(zc_writer_finish(w), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_geq(log.errors, 1);
    assert_old_output();
}

Test(writer, bad_paths_and_duplicates) {
    zct_log log;
    zc_writer *w = open_writer(&log, 1);
    static const char *const bad[] = { "", "/abs", "a//b", "../up", "a/./b", "back\\slash", "tab\there", "bad\xff" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i)
        cr_assert_eq(zc_writer_begin_entry(w, bad[i], ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 0), ZC_ERR_BAD_PATH,
                     "'%s'", bad[i]);
    cr_assert_eq(add_blob(w, "dir/a.bin", "1", 1, 0), ZC_OK);
    int errors = log.errors;
    cr_assert_eq(zc_writer_begin_entry(w, "dir/a.bin", ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 0),
                 ZC_ERR_INVALID_ARGUMENT, "duplicate path");
    cr_assert_eq(log.errors, errors + 1);
    cr_assert(zct_log_contains(&log, "dir/a.bin"), "the duplicate is named");
    cr_assert_eq(zc_writer_begin_entry(w, "x", ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, ZC_MIN_ALIGN_LOG2 - 1),
                 ZC_ERR_INVALID_ARGUMENT, "alignment below the minimum");
    cr_assert_eq(zc_writer_begin_entry(w, "x", ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, ZC_MAX_ALIGN_LOG2 + 1),
                 ZC_ERR_INVALID_ARGUMENT, "alignment above the maximum");
    cr_assert_eq(add_blob(w, "dir/b.bin", "2", 1, ZC_MAX_ALIGN_LOG2), ZC_OK);
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
    zc_pack *pack = open_out();
    cr_assert_eq(zc_pack_entry_count(pack), 2, "refused entries leave no trace");
    zc_pack_close(pack);
}

Test(writer, missing_directory) {
    char *path = zct_join(zct_tmp, "no/such/dir/out.zcpack");
    zct_log log;
    zc_writer *w = (zc_writer *)&log;
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = path, .logger = zct_log_recorder(&log) }), ZC_ERR_IO);
    cr_assert_null(w);
    cr_assert_eq(log.errors, 1);
    cr_assert(zct_log_contains(&log, "no/such/dir"), "the path is named: %s", log.messages[0]);
    cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ 0 }), ZC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(zc_writer_open(NULL, &(zc_writer_desc){ .path = path }), ZC_ERR_INVALID_ARGUMENT);
    free(path);
}

/* Twins share one range only where the range suits the later entry's alignment. */
Test(writer, duplicates_respect_alignment) {
    uint8_t bytes[300];
    zct_fill(bytes, sizeof bytes, 77);
    zct_log log;
    zc_writer *w = open_writer(&log, 1);
    cr_assert_eq(add_blob(w, "pad", "p", 1, 0), ZC_OK);
    cr_assert_eq(add_blob(w, "first", bytes, sizeof bytes, 0), ZC_OK);   /* at 144: 16-aligned only */
    cr_assert_eq(add_blob(w, "second", bytes, sizeof bytes, 0), ZC_OK);  /* shares "first" */
    cr_assert_eq(add_blob(w, "paged", bytes, sizeof bytes, 12), ZC_OK);  /* needs a 4 KiB-aligned copy */
    cr_assert_eq(add_blob(w, "paged2", bytes, sizeof bytes, 12), ZC_OK); /* shares "paged" */
    cr_assert_eq(add_blob(w, "small", bytes, 299, 0), ZC_OK);            /* a prefix is not a twin */
    bytes[0] ^= 1;
    cr_assert_eq(add_blob(w, "other", bytes, sizeof bytes, 0), ZC_OK);
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
    zc_pack *pack = open_out();
    zc_entry first, second, paged, paged2, small, other;
    cr_assert_eq(zc_pack_find(pack, "first", &first), ZC_OK);
    cr_assert_eq(zc_pack_find(pack, "second", &second), ZC_OK);
    cr_assert_eq(zc_pack_find(pack, "paged", &paged), ZC_OK);
    cr_assert_eq(zc_pack_find(pack, "paged2", &paged2), ZC_OK);
    cr_assert_eq(zc_pack_find(pack, "small", &small), ZC_OK);
    cr_assert_eq(zc_pack_find(pack, "other", &other), ZC_OK);
    cr_assert_eq(second.offset, first.offset);
    cr_assert_eq(paged.offset % 4096, 0);
    cr_assert_neq(paged.offset, first.offset);
    cr_assert_eq(paged2.offset, paged.offset);
    cr_assert_neq(small.offset, first.offset);
    cr_assert_neq(other.offset, first.offset);
    cr_assert_eq(memcmp(other.data, bytes, sizeof bytes), 0);
    bytes[0] ^= 1;
    cr_assert_eq(memcmp(first.data, bytes, sizeof bytes), 0);
    cr_assert_eq(memcmp(small.data, bytes, 299), 0);
    zc_pack_close(pack);
}

/* Large twins are compared in chunks; a difference in the last byte must count. */
Test(writer, large_twins_compared_to_the_last_byte) {
    size_t size = (1u << 20) + 123;
    uint8_t *bytes = malloc(size);
    zct_fill(bytes, size, 5);
    zct_log log;
    zc_writer *w = open_writer(&log, 1);
    cr_assert_eq(add_blob(w, "a", bytes, size, 0), ZC_OK);
    cr_assert_eq(add_blob(w, "b", bytes, size, 0), ZC_OK);
    bytes[size - 1] ^= 0x80;
    cr_assert_eq(add_blob(w, "c", bytes, size, 0), ZC_OK);
    uint64_t written = zc_writer_bytes_written(w);
    cr_assert_lt(written, 3 * size, "the twin was dropped from the file");
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
    zc_pack *pack = open_out();
    zc_entry a, b, c;
    cr_assert_eq(zc_pack_find(pack, "a", &a), ZC_OK);
    cr_assert_eq(zc_pack_find(pack, "b", &b), ZC_OK);
    cr_assert_eq(zc_pack_find(pack, "c", &c), ZC_OK);
    cr_assert_eq(a.offset, b.offset);
    cr_assert_neq(c.offset, a.offset);
    cr_assert_eq(memcmp(c.data, bytes, size), 0);
    zc_pack_close(pack);
    free(bytes);
}

/* The same calls give the same bytes; the pack depends on nothing else. */
Test(writer, deterministic) {
    char *second = zct_join(zct_tmp, "second.zcpack");
    zct_write_sample_pack(out);
    sleep(1); /* a timestamp, if one slipped in, would now differ */
    zct_write_sample_pack(second);
    cr_assert(zct_files_equal(out, second), "two packs from the same calls differ");
    size_t size;
    uint8_t *bytes = zct_read_file(out, &size);
    zc_header h;
    memcpy(&h, bytes, sizeof h);
    cr_assert_eq(h.toc_offset % 16, 0);
    cr_assert_eq(h.writer_version, ZC_VERSION_NUMBER);
    cr_assert_eq(h.toc_offset + h.toc_size, size);
    for (size_t i = offsetof(zc_header, reserved); i < sizeof h; ++i) cr_assert_eq(bytes[i], 0);
    free(bytes);
    free(second);
}

/* Padding between payloads is zero (determinism and SPEC). */
Test(writer, padding_is_zero) {
    zct_write_sample_pack(out);
    size_t size;
    uint8_t *bytes = zct_read_file(out, &size);
    uint8_t *used = calloc(1, size);
    zc_pack *pack = open_out();
    zc_pack_info info;
    cr_assert_eq(zc_pack_get_info(pack, &info), ZC_OK);
    for (uint32_t i = 0; i < zc_pack_entry_count(pack); ++i) {
        zc_entry e;
        cr_assert_eq(zc_pack_entry_at(pack, i, &e), ZC_OK);
        memset(used + e.offset, 1, e.stored_size);
    }
    for (uint64_t k = sizeof(zc_header); k < info.toc_offset; ++k)
        if (!used[k]) cr_assert_eq(bytes[k], 0, "padding byte %llu is not zero", (unsigned long long)k);
    zc_pack_close(pack);
    free(used);
    free(bytes);
}

/* ---------------------------------------------------------------------------------
 * Injected failures
 * ------------------------------------------------------------------------------- */

static long calls_left;         /* successful calls before the failure */
static int fail_errno;

static ssize_t failing_write(int fd, const void *buf, size_t size) {
    if (calls_left-- <= 0) {
        errno = fail_errno;
        return -1;
    }
    return write(fd, buf, size);
}
static ssize_t short_write(int fd, const void *buf, size_t size) {
    return write(fd, buf, size > 7 ? 7 : size);
}
static ssize_t eintr_write(int fd, const void *buf, size_t size) {
    if (calls_left-- % 3 == 0) {
        errno = EINTR;
        return -1;
    }
    return write(fd, buf, size);
}
static ssize_t failing_pwrite(int fd, const void *buf, size_t size, off_t offset) {
    (void)fd; (void)buf; (void)size; (void)offset;
    errno = EIO;
    return -1;
}
static ssize_t failing_pread(int fd, void *buf, size_t size, off_t offset) {
    (void)fd; (void)buf; (void)size; (void)offset;
    errno = EIO;
    return -1;
}
static int failing_fsync(int fd) {
    (void)fd;
    errno = EIO;
    return -1;
}
static int failing_rename(const char *from, const char *to) {
    (void)from; (void)to;
    errno = EXDEV;
    return -1;
}
static int failing_ftruncate(int fd, off_t length) {
    (void)fd; (void)length;
    errno = EIO;
    return -1;
}
static int open_calls, close_calls;
static int counting_open(const char *path, int flags, mode_t mode) {
    int fd = open(path, flags, mode);
    if (fd >= 0) open_calls++;
    return fd;
}
static int counting_close(int fd) {
    close_calls++;
    return close(fd);
}

/* Write the sample entries plus a 300 KiB one (so writes bypass the buffer) and a twin;
 * returns the first failing call's result, finish included. */
static zc_result write_pack(zct_log *log, int no_sync) {
    static uint8_t big[300 * 1024];
    zct_fill(big, sizeof big, 3);
    zc_writer *w = NULL;
    zc_result r = zc_writer_open(&w, &(zc_writer_desc){ .path = out, .logger = zct_log_recorder(log), .no_sync = no_sync });
    if (r != ZC_OK) return r;
    for (size_t i = 0; i < zct_sample_blob_count && r == ZC_OK; ++i) {
        const zct_blob *b = &zct_sample_blobs[i];
        r = add_blob(w, b->path, b->data ? b->data : "", b->size, b->align_log2);
    }
    if (r == ZC_OK) r = add_blob(w, "big.bin", big, sizeof big, 0);
    if (r == ZC_OK) r = add_blob(w, "big-twin.bin", big, sizeof big, 0);
    if (r != ZC_OK) {
        zc_writer_abort(w);
        return r;
    }
    return zc_writer_finish(w);
}

static void expect_clean_failure(zc_result r, zc_result expected, const zct_log *log) {
    cr_assert_eq(r, expected, "expected %s, got %s", zc_result_name(expected), zc_result_name(r));
    cr_assert_geq(log->errors, 1, "the failure is logged");
    zc__packer_sys_reset();
    assert_old_output();
}

Test(writer, disk_full_at_every_write) {
    for (long n = 0;; ++n) {
        cr_assert_lt(n, 10000);
        zct_write_file(out, old_text, sizeof old_text - 1);
        zc__packer_sys.write = failing_write;
        calls_left = n;
        fail_errno = ENOSPC;
        zct_log log;
        zc_result r = write_pack(&log, 1);
        zc__packer_sys_reset();
        if (calls_left >= 0) {
            /* n exceeds the writes the pack needs: it was written */
            cr_assert_eq(r, ZC_OK, "%s", zc_result_name(r));
            cr_assert_gt(n, 2);
            break;
        }
        expect_clean_failure(r, ZC_ERR_IO, &log);
        cr_assert(zct_log_contains(&log, strerror(ENOSPC)), "the reason is logged: %s", log.messages[0]);
    }
    zc_pack *pack = open_out();
    zc_pack_close(pack);
}

Test(writer, short_and_interrupted_writes) {
    zct_log log;
    cr_assert_eq(write_pack(&log, 1), ZC_OK);
    size_t size;
    uint8_t *reference = zct_read_file(out, &size);
    unlink(out);
    zc__packer_sys.write = short_write;
    cr_assert_eq(write_pack(&log, 1), ZC_OK, "short writes are continued");
    zc__packer_sys_reset();
    size_t n;
    uint8_t *again = zct_read_file(out, &n);
    cr_assert(n == size && memcmp(again, reference, size) == 0, "short writes changed the pack");
    free(again);
    unlink(out);
    zc__packer_sys.write = eintr_write;
    calls_left = 0;
    cr_assert_eq(write_pack(&log, 1), ZC_OK, "EINTR is retried");
    zc__packer_sys_reset();
    again = zct_read_file(out, &n);
    cr_assert(n == size && memcmp(again, reference, size) == 0, "interrupted writes changed the pack");
    free(again);
    free(reference);
}

/* Writeback started by the writer: [offset, offset + length) of each call. */
static struct { int calls; off_t offset[16], length[16]; } writebacks;
static int recording_writeback(int fd, off_t offset, off_t length) {
    (void)fd;
    if (writebacks.calls < 16) {
        writebacks.offset[writebacks.calls] = offset;
        writebacks.length[writebacks.calls] = length;
    }
    writebacks.calls++;
    return -1; /* a failure the writer must ignore */
}

/* Every 8 MiB written the writer starts the writeback of what it wrote, in order and
 * once per byte, so the final fsync waits for the last part only; it ignores a
 * failure, and a writer told not to sync starts none. */
Test(writer, writeback_starts_as_the_pack_grows_and_only_when_syncing) {
    const size_t blob = (size_t)5 << 20;
    uint8_t *bytes = malloc(blob);
    cr_assert_not_null(bytes);
    for (size_t i = 0; i < blob; ++i) bytes[i] = (uint8_t)(i * 2654435761u >> 13);
    zc__packer_sys.writeback = recording_writeback;
    for (int no_sync = 0; no_sync < 2; ++no_sync) {
        memset(&writebacks, 0, sizeof writebacks);
        zct_log log;
        zc_writer *w = NULL;
        cr_assert_eq(zc_writer_open(&w, &(zc_writer_desc){ .path = out, .logger = zct_log_recorder(&log),
                                                           .no_sync = no_sync }), ZC_OK);
        for (int k = 0; k < 5; ++k) {
            char name[16];
            snprintf(name, sizeof name, "b%d.bin", k);
            bytes[0] = (uint8_t)k; /* five different payloads */
            cr_assert_eq(zc_writer_begin_entry(w, name, ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, 0), ZC_OK);
            cr_assert_eq(zc_writer_write(w, bytes, blob), ZC_OK);
            cr_assert_eq(zc_writer_end_entry(w), ZC_OK);
        }
        cr_assert_eq(zc_writer_finish(w), ZC_OK, "%s", log.count ? log.messages[0] : "");
        if (no_sync) {
            cr_assert_eq(writebacks.calls, 0);
            continue;
        }
        cr_assert_geq(writebacks.calls, 2, "25 MiB written");
        cr_assert_leq(writebacks.calls, 3);
        off_t next = 0;
        for (int c = 0; c < writebacks.calls; ++c) {
            cr_assert_eq(writebacks.offset[c], next, "call %d continues where the last ended", c);
            cr_assert_geq(writebacks.length[c], (off_t)8 << 20);
            next += writebacks.length[c];
        }
        cr_assert_leq(next, (off_t)(5 * blob + 4096), "only written bytes");
    }
    free(bytes);
    zc_pack *pack = NULL;
    cr_assert_eq(zc_pack_open(&pack, &(zc_pack_desc){ .path = out, .validate = ZC_VALIDATE_CHECKSUMS }), ZC_OK);
    cr_assert_eq(zc_pack_entry_count(pack), 5u);
    zc_pack_close(pack);
}

Test(writer, header_write_fails) {
    zct_write_file(out, old_text, sizeof old_text - 1);
    zc__packer_sys.pwrite = failing_pwrite;
    zct_log log;
    expect_clean_failure(write_pack(&log, 1), ZC_ERR_IO, &log);
}

Test(writer, fsync_fails) {
    zct_write_file(out, old_text, sizeof old_text - 1);
    zc__packer_sys.fsync = failing_fsync;
    zct_log log;
    expect_clean_failure(write_pack(&log, 0), ZC_ERR_IO, &log);
}

Test(writer, rename_fails) {
    zct_write_file(out, old_text, sizeof old_text - 1);
    zc__packer_sys.rename = failing_rename;
    zct_log log;
    expect_clean_failure(write_pack(&log, 1), ZC_ERR_IO, &log);
    cr_assert(zct_log_contains(&log, "out.zcpack"));
}

Test(writer, twin_comparison_read_fails) {
    zct_write_file(out, old_text, sizeof old_text - 1);
    zc__packer_sys.pread = failing_pread;
    zct_log log;
    zc_result r = write_pack(&log, 1);
    cr_assert_neq(r, ZC_OK);
    cr_assert_geq(log.errors, 1);
    zc__packer_sys_reset();
    assert_old_output();
}

Test(writer, twin_rollback_fails) {
    zct_write_file(out, old_text, sizeof old_text - 1);
    zc__packer_sys.ftruncate = failing_ftruncate;
    zct_log log;
    expect_clean_failure(write_pack(&log, 1), ZC_ERR_IO, &log);
}

Test(writer, descriptors_are_balanced) {
    zc__packer_sys.open = counting_open;
    zc__packer_sys.close = counting_close;
    zct_log log;
    cr_assert_eq(write_pack(&log, 0), ZC_OK);
    cr_assert_gt(open_calls, 0);
    cr_assert_eq(open_calls, close_calls, "%d opened, %d closed", open_calls, close_calls);
    open_calls = close_calls = 0;
    zc__packer_sys.rename = failing_rename;
    cr_assert_eq(write_pack(&log, 1), ZC_ERR_IO);
    cr_assert_eq(open_calls, close_calls, "after a failure: %d opened, %d closed", open_calls, close_calls);
}

/* The worked example of SPEC.md, Appendix B, byte for byte. */
Test(writer, matches_the_worked_example) {
    zct_log log;
    zc_writer *w = open_writer(&log, 1);
    cr_assert_eq(add_blob(w, "hello.txt", ZCT_HELLO_TEXT, 15, 0), ZC_OK);
    cr_assert_eq(zc_writer_finish(w), ZC_OK);
    size_t size;
    uint8_t *bytes = zct_read_file(out, &size);
    cr_assert_not_null(bytes);
    cr_assert_eq(size, zct_hello_pack_size);
    for (size_t i = 0; i < size; ++i)
        cr_assert_eq(bytes[i], zct_hello_pack[i], "byte %zu (0x%zx) is 0x%02x, SPEC shows 0x%02x", i, i, bytes[i],
                     zct_hello_pack[i]);
    free(bytes);
}
