/* test_format.c - the format layer alone (the headers in formats/): bounds checks of relative
 * pointers, arrays and strings, UTF-8 and path rules, the header and TOC validators,
 * layout hashes, result codes and the pinned layout facts. No runtime, no files.
 *
 * Entries under test sit against an inaccessible guard page, so a validator that
 * reads even one byte outside the range it was given crashes the test.
 */
#define _DEFAULT_SOURCE
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zc_format.h"
#include "zc_types.h"

/* ---------------------------------------------------------------------------------
 * Guarded buffers: `size` bytes placed right after (at_start) or right before a
 * PROT_NONE page.
 * ------------------------------------------------------------------------------- */

typedef struct guarded {
    uint8_t *map;
    size_t map_size;
    uint8_t *bytes;
} guarded;

static guarded guarded_alloc(size_t size, int at_start) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t body = (size + page - 1) / page * page;
    if (body == 0) body = page;
    guarded g;
    g.map_size = body + 2 * page;
    g.map = mmap(NULL, g.map_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(g.map, MAP_FAILED);
    cr_assert_eq(mprotect(g.map + page, body, PROT_READ | PROT_WRITE), 0);
    g.bytes = at_start ? g.map + page : g.map + page + body - size;
    memset(g.map + page, 0xEE, body);
    return g;
}

static void guarded_free(guarded *g) {
    munmap(g->map, g->map_size);
}

/* ---------------------------------------------------------------------------------
 * zc_check_target
 * ------------------------------------------------------------------------------- */

#define ENTRY 64u
#define FIELD 16u

static zc_result target(int64_t offset, uint64_t count, uint64_t elem_size, uint64_t elem_align, uint64_t *pos) {
    uint64_t dummy = 12345;
    return zc_check_target(ENTRY, FIELD, 8, offset, count, elem_size, elem_align, pos ? pos : &dummy, NULL);
}

Test(format_target, null_pointer) {
    uint64_t pos = 99;
    cr_assert_eq(target(0, 0, 8, 8, &pos), ZC_OK);
    cr_assert_eq(pos, 0);
    cr_assert_eq(target(0, 1, 8, 8, NULL), ZC_ERR_BAD_POINTER, "a null pointer with elements is invalid");
    cr_assert_eq(target(0, UINT64_MAX, 0, 1, NULL), ZC_ERR_BAD_POINTER);
}

Test(format_target, in_range) {
    uint64_t pos = 0;
    cr_assert_eq(target(16, 4, 8, 8, &pos), ZC_OK, "4 x 8 bytes at 32 end exactly at the entry's end");
    cr_assert_eq(pos, 32);
    cr_assert_eq(target(8, 1, 1, 1, &pos), ZC_OK);
    cr_assert_eq(pos, 24);
    cr_assert_eq(target(-16, 2, 8, 8, &pos), ZC_OK, "backwards to the entry's first byte");
    cr_assert_eq(pos, 0);
    cr_assert_eq(target(48, 0, 8, 1, &pos), ZC_OK, "an empty array may sit at the end");
    cr_assert_eq(pos, 64);
}

Test(format_target, one_byte_past_the_end) {
    cr_assert_eq(target(16, 5, 8, 8, NULL), ZC_ERR_BAD_POINTER);
    cr_assert_eq(target(16, 33, 1, 1, NULL), ZC_ERR_BAD_POINTER);
    cr_assert_eq(target(48, 1, 1, 1, NULL), ZC_ERR_BAD_POINTER);
    cr_assert_eq(target(49, 0, 1, 1, NULL), ZC_ERR_BAD_POINTER, "target beyond the end even without elements");
}

Test(format_target, negative_before_entry) {
    cr_assert_eq(target(-17, 0, 1, 1, NULL), ZC_ERR_BAD_POINTER);
    cr_assert_eq(target(-17, 1, 1, 1, NULL), ZC_ERR_BAD_POINTER);
    cr_assert_eq(target(-1000, 1, 1, 1, NULL), ZC_ERR_BAD_POINTER);
    uint64_t pos = 0;
    cr_assert_eq(target(-1, 1, 1, 1, &pos), ZC_OK);
    cr_assert_eq(pos, 15);
}

Test(format_target, extreme_offsets) {
    cr_assert_eq(target(INT64_MIN, 0, 1, 1, NULL), ZC_ERR_BAD_POINTER);
    cr_assert_eq(target(INT64_MIN, 1, 1, 1, NULL), ZC_ERR_BAD_POINTER);
    cr_assert_eq(target(INT64_MIN + 1, 1, 1, 1, NULL), ZC_ERR_BAD_POINTER);
    cr_assert_eq(target(INT64_MAX, 0, 1, 1, NULL), ZC_ERR_BAD_POINTER);
    cr_assert_eq(target(INT64_MAX, 1, 1, 1, NULL), ZC_ERR_BAD_POINTER);
    uint64_t pos;
    cr_assert_eq(zc_check_target(UINT64_MAX, 8, 8, INT64_MAX, 1, 1, 1, &pos, NULL), ZC_OK,
                 "huge entries are fine as long as nothing wraps");
    cr_assert_eq(pos, (uint64_t)INT64_MAX + 8);
    cr_assert_eq(zc_check_target(UINT64_MAX, UINT64_MAX - 8, 8, INT64_MAX, 0, 1, 1, &pos, NULL),
                 ZC_ERR_BAD_POINTER);
    cr_assert_eq(zc_check_target(UINT64_MAX, UINT64_MAX - 8, 8, INT64_MIN, 0, 1, 1, &pos, NULL), ZC_OK);
    cr_assert_eq(pos, UINT64_MAX - 8 - ((uint64_t)1 << 63));
}

Test(format_target, count_times_size_overflows) {
    cr_assert_eq(target(16, (UINT64_MAX / 2) + 1, 2, 1, NULL), ZC_ERR_BAD_POINTER, "count * 2 wraps to 0");
    cr_assert_eq(target(16, (uint64_t)1 << 62, 4, 1, NULL), ZC_ERR_BAD_POINTER, "count * 4 wraps to 0");
    cr_assert_eq(target(16, UINT64_MAX, UINT64_MAX, 1, NULL), ZC_ERR_BAD_POINTER, "product wraps to 1");
    cr_assert_eq(target(16, ((uint64_t)1 << 61) + 1, 8, 1, NULL), ZC_ERR_BAD_POINTER, "product wraps to 8");
    cr_assert_eq(target(16, UINT64_MAX, 0, 1, NULL), ZC_OK, "zero-sized elements occupy nothing");
}

Test(format_target, misaligned) {
    cr_assert_eq(target(17, 1, 8, 8, NULL), ZC_ERR_BAD_ALIGNMENT);
    cr_assert_eq(target(-15, 1, 4, 4, NULL), ZC_ERR_BAD_ALIGNMENT);
    cr_assert_eq(target(18, 1, 2, 2, NULL), ZC_OK);
    cr_assert_eq(target(17, 1, 8, 1, NULL), ZC_OK, "alignment 1 accepts any target");
}

Test(format_target, field_outside_entry) {
    uint64_t pos;
    cr_assert_eq(zc_check_target(ENTRY, 60, 8, 0, 0, 1, 1, &pos, NULL), ZC_ERR_BAD_POINTER);
    cr_assert_eq(zc_check_target(ENTRY, UINT64_MAX, 8, 0, 0, 1, 1, &pos, NULL), ZC_ERR_BAD_POINTER);
    cr_assert_eq(zc_check_target(4, 0, 8, 0, 0, 1, 1, &pos, NULL), ZC_ERR_BAD_POINTER);
    cr_assert_eq(zc_check_target(ENTRY, 56, 8, 0, 0, 1, 1, &pos, NULL), ZC_OK);
}

Test(format_target, diagnostic_names_the_position) {
    zc_diag diag = { { 0 } };
    uint64_t pos;
    cr_assert_eq(zc_check_target(ENTRY, FIELD, 8, 49, 1, 1, 1, &pos, &diag), ZC_ERR_BAD_POINTER);
    cr_assert_neq(strstr(diag.message, "16"), NULL, "message: %s", diag.message);
}

/* ---------------------------------------------------------------------------------
 * zc_check_array and zc_check_string on hand-built entries
 * ------------------------------------------------------------------------------- */

typedef struct demo_entry {
    zc_array items;     /* uint64_t elements */
    zc_string name;
    uint64_t pad[2];
    uint64_t data[4];   /* at 48 */
    char text[16];      /* at 80 */
} demo_entry;

static demo_entry *place_demo(guarded *g, int at_start) {
    *g = guarded_alloc(sizeof(demo_entry), at_start);
    demo_entry *e = (demo_entry *)g->bytes;
    memset(e, 0, sizeof *e);
    for (int i = 0; i < 4; ++i) e->data[i] = (uint64_t)i * 11;
    memcpy(e->text, "h\xc3\xa9llo", 7);
    zc_rel_set(&e->items.offset, &e->items, e->data);
    e->items.count = 4;
    zc_rel_set(&e->name.offset, &e->name, e->text);
    e->name.length = 6;
    return e;
}

Test(format_array, valid_and_resolved) {
    for (int at_start = 0; at_start < 2; ++at_start) {
        guarded g;
        demo_entry *e = place_demo(&g, at_start);
        cr_assert_eq(zc_check_array(e, sizeof *e, &e->items, 8, 8, 100, NULL), ZC_OK);
        const uint64_t *items = zc_array_data(&e->items);
        cr_assert_eq(items, e->data);
        cr_assert_eq(items[3], 33);
        e->items.offset = 0;
        e->items.count = 0;
        cr_assert_eq(zc_check_array(e, sizeof *e, &e->items, 8, 8, 100, NULL), ZC_OK);
        cr_assert_null(zc_array_data(&e->items));
        guarded_free(&g);
    }
}

Test(format_array, out_of_bounds_and_limits) {
    guarded g;
    demo_entry *e = place_demo(&g, 0);
    e->items.count = 6;
    cr_assert_eq(zc_check_array(e, sizeof *e, &e->items, 8, 8, 100, NULL), ZC_OK, "48 + 6 * 8 = 96 = size");
    e->items.count = 7;
    cr_assert_eq(zc_check_array(e, sizeof *e, &e->items, 8, 8, 100, NULL), ZC_ERR_BAD_POINTER);
    e->items.count = 4;
    cr_assert_eq(zc_check_array(e, sizeof *e, &e->items, 8, 8, 3, NULL), ZC_ERR_LIMIT);
    e->items.count = UINT64_MAX / 4 + 1;
    cr_assert_eq(zc_check_array(e, sizeof *e, &e->items, 8, 8, UINT64_MAX, NULL), ZC_ERR_BAD_POINTER);
    e->items.count = 1;
    e->items.offset = INT64_MIN;
    cr_assert_eq(zc_check_array(e, sizeof *e, &e->items, 8, 8, 100, NULL), ZC_ERR_BAD_POINTER);
    e->items.offset = INT64_MAX;
    cr_assert_eq(zc_check_array(e, sizeof *e, &e->items, 8, 8, 100, NULL), ZC_ERR_BAD_POINTER);
    e->items.offset = -1;
    cr_assert_eq(zc_check_array(e, sizeof *e, &e->items, 8, 8, 100, NULL), ZC_ERR_BAD_POINTER);
    e->items.offset = 52;
    cr_assert_eq(zc_check_array(e, sizeof *e, &e->items, 8, 8, 100, NULL), ZC_ERR_BAD_ALIGNMENT);
    guarded_free(&g);
}

Test(format_array, field_itself_outside_entry) {
    guarded g;
    demo_entry *e = place_demo(&g, 0);
    /* the entry is declared to end before the field's 16 bytes */
    cr_assert_eq(zc_check_array(e, 8, &e->items, 8, 8, 100, NULL), ZC_ERR_BAD_POINTER);
    cr_assert_eq(zc_check_string(e, 20, &e->name, 100, NULL), ZC_ERR_BAD_POINTER);
    guarded_free(&g);
}

Test(format_string, valid) {
    for (int at_start = 0; at_start < 2; ++at_start) {
        guarded g;
        demo_entry *e = place_demo(&g, at_start);
        cr_assert_eq(zc_check_string(e, sizeof *e, &e->name, 100, NULL), ZC_OK);
        cr_assert_str_eq(zc_string_data(&e->name), "h\xc3\xa9llo");
        e->name.offset = 0;
        e->name.length = 0;
        cr_assert_eq(zc_check_string(e, sizeof *e, &e->name, 100, NULL), ZC_OK);
        cr_assert_str_eq(zc_string_data(&e->name), "");
        guarded_free(&g);
    }
}

Test(format_string, nul_at_the_very_last_byte) {
    guarded g;
    demo_entry *e = place_demo(&g, 0);
    memset(e->text, 'x', 15);
    e->text[15] = 0;
    e->name.length = 15;
    cr_assert_eq(zc_check_string(e, sizeof *e, &e->name, 100, NULL), ZC_OK);
    e->text[15] = 'x';
    cr_assert_eq(zc_check_string(e, sizeof *e, &e->name, 100, NULL), ZC_ERR_BAD_STRING);
    e->name.length = 16;
    cr_assert_eq(zc_check_string(e, sizeof *e, &e->name, 100, NULL), ZC_ERR_BAD_POINTER,
                 "the NUL would lie past the entry");
    guarded_free(&g);
}

Test(format_string, malformed) {
    guarded g;
    demo_entry *e = place_demo(&g, 0);
    e->name.length = 5; /* text[5] is 'o', not NUL */
    cr_assert_eq(zc_check_string(e, sizeof *e, &e->name, 100, NULL), ZC_ERR_BAD_STRING);
    e->name.length = 6;
    cr_assert_eq(zc_check_string(e, sizeof *e, &e->name, 5, NULL), ZC_ERR_LIMIT);
    e->text[1] = (char)0xC3;
    e->text[2] = 'x'; /* broken continuation byte */
    cr_assert_eq(zc_check_string(e, sizeof *e, &e->name, 100, NULL), ZC_ERR_BAD_STRING);
    memcpy(e->text, "ab\0de", 6); /* interior NUL */
    e->name.length = 5;
    cr_assert_eq(zc_check_string(e, sizeof *e, &e->name, 100, NULL), ZC_ERR_BAD_STRING);
    e->name.offset = 0;
    e->name.length = 3;
    cr_assert_eq(zc_check_string(e, sizeof *e, &e->name, 100, NULL), ZC_ERR_BAD_STRING, "null string with a length");
    e->name.offset = INT64_MAX;
    cr_assert_eq(zc_check_string(e, sizeof *e, &e->name, 100, NULL), ZC_ERR_BAD_POINTER);
    e->name.offset = -17;
    cr_assert_eq(zc_check_string(e, sizeof *e, &e->name, 100, NULL), ZC_ERR_BAD_POINTER);
    guarded_free(&g);
}

/* A caller without a length limit passes UINT64_MAX; a length of UINT64_MAX must then
 * be refused without reading outside the entry (length + 1 must not wrap to 0). */
Test(format_string, unlimited_max_length_does_not_wrap) {
    guarded g = guarded_alloc(64, 1);
    memset(g.bytes, 'a', 64);
    zc_string *field = (zc_string *)(g.bytes + 16);
    field->offset = -16; /* the string starts at the entry's first byte */
    field->length = UINT64_MAX;
    zc_result r = zc_check_string(g.bytes, 64, field, UINT64_MAX, NULL);
    cr_assert_neq(r, ZC_OK);
    field->length = 64;
    cr_assert_eq(zc_check_string(g.bytes, 64, field, UINT64_MAX, NULL), ZC_ERR_BAD_POINTER);
    guarded_free(&g);
}

/* ---------------------------------------------------------------------------------
 * zc_utf8_valid
 * ------------------------------------------------------------------------------- */

static int utf8(const char *s, size_t n) {
    /* copy against a guard page so no byte past n can be read */
    guarded g = guarded_alloc(n, 0);
    memcpy(g.bytes, s, n);
    int ok = zc_utf8_valid(g.bytes, n);
    guarded_free(&g);
    return ok;
}
#define UTF8(lit) utf8(lit, sizeof(lit) - 1)

Test(format_utf8, valid) {
    cr_assert(UTF8(""));
    cr_assert(UTF8("plain ascii ~"));
    cr_assert(UTF8("\xc3\xa9"));                 /* é */
    cr_assert(UTF8("stra\xc3\x9f" "e"));         /* ß */
    cr_assert(UTF8("\xe6\x97\xa5\xe6\x9c\xac")); /* 日本 */
    cr_assert(UTF8("\xf0\x9f\x8e\xae"));         /* U+1F3AE */
    cr_assert(UTF8("\xc2\x80"));                 /* U+0080, smallest 2-byte */
    cr_assert(UTF8("\xe0\xa0\x80"));             /* U+0800 */
    cr_assert(UTF8("\xef\xbf\xbf"));             /* U+FFFF */
    cr_assert(UTF8("\xf0\x90\x80\x80"));         /* U+10000 */
    cr_assert(UTF8("\xf4\x8f\xbf\xbf"));         /* U+10FFFF */
    cr_assert(UTF8("\xed\x9f\xbf"));             /* U+D7FF, just below the surrogates */
    cr_assert(UTF8("\xee\x80\x80"));             /* U+E000, just above */
}

Test(format_utf8, overlong) {
    cr_assert_not(UTF8("\xc0\xaf"));
    cr_assert_not(UTF8("\xc1\xbf"));
    cr_assert_not(UTF8("\xe0\x80\xaf"));
    cr_assert_not(UTF8("\xe0\x9f\xbf"));
    cr_assert_not(UTF8("\xf0\x80\x80\xaf"));
    cr_assert_not(UTF8("\xf0\x8f\xbf\xbf"));
    cr_assert_not(UTF8("\xc0\x80"), "overlong NUL");
}

Test(format_utf8, surrogates_and_range) {
    cr_assert_not(UTF8("\xed\xa0\x80"));     /* U+D800 */
    cr_assert_not(UTF8("\xed\xbf\xbf"));     /* U+DFFF */
    cr_assert_not(UTF8("\xf4\x90\x80\x80")); /* U+110000 */
    cr_assert_not(UTF8("\xf7\xbf\xbf\xbf"));
    cr_assert_not(UTF8("\xf8\x88\x80\x80\x80"));
    cr_assert_not(UTF8("\xff"));
    cr_assert_not(UTF8("\xfe"));
}

Test(format_utf8, stray_and_truncated) {
    cr_assert_not(UTF8("\x80"));
    cr_assert_not(UTF8("a\xbf"));
    cr_assert_not(UTF8("\xc3"));
    cr_assert_not(UTF8("\xe6\x97"));
    cr_assert_not(UTF8("\xf0\x9f\x8e"));
    cr_assert_not(UTF8("ok\xf0\x9f"));
    cr_assert_not(UTF8("\xc3" "a"));
    cr_assert_not(UTF8("\xe6\x97" "a"));
}

/* zc_utf8_valid reads runs of ASCII 16, 8 or 4 bytes at a time, and zc_utf8_valid_in
 * 8, 16 or 32 bytes that may overlap or pass the string's end: one sequence, valid or
 * not, at every position of ASCII strings of 0 to 72 bytes, whose first byte has
 * every alignment modulo 8, each ending right before a guard page (k = 0) or up to
 * 72 bytes before it; zc_utf8_valid_in may read those k bytes, which hold a NUL and
 * bytes that are not UTF-8 and must not count. */
Test(format_utf8, one_sequence_at_every_position_and_alignment) {
    static const struct {
        const char *bytes;
        int valid;
    } seqs[] = {
        { "\x7f", 1 },
        { "\xc3\xa9", 1 },
        { "\xe2\x82\xac", 1 },
        { "\xf0\x9f\x8e\xae", 1 },
        { "\xf4\x8f\xbf\xbf", 1 },         /* U+10FFFF */
        { "\x80", 0 },                        /* stray continuation */
        { "\xff", 0 },
        { "\x01\x00", 0 },                   /* NUL (the table's strings end at the first NUL) */
        { "\xc0\xaf", 0 },                   /* overlong */
        { "\xe0\x80\xaf", 0 },              /* overlong */
        { "\xf0\x80\x80\xaf", 0 },          /* overlong */
        { "\xed\xa0\x80", 0 },              /* surrogate U+D800 */
        { "\xf4\x90\x80\x80", 0 },          /* U+110000 */
        { "\xe2\x82", 0 },                   /* truncated: ASCII or the end follows */
        { "\xf0\x9f\x8e", 0 },
    };
    /* and up to 72 more readable bytes: zc_utf8_valid_in reads 64 bytes at once
     * for any shorter string when it may */
    static const size_t more[] = { 0, 1, 2, 3, 4, 5, 6, 7, 15, 24, 31, 32, 40, 56, 63, 64, 72 };
    uint8_t text[80];
    for (size_t length = 0; length <= 72; ++length) {
        for (size_t m = 0; m < sizeof more / sizeof more[0]; ++m) {
            size_t k = more[m];
            guarded g = guarded_alloc(length + k, 0);
            for (size_t q = 0; q < sizeof seqs / sizeof seqs[0]; ++q) {
                size_t n = strlen(seqs[q].bytes);
                int nul = q == 7; /* its NUL byte follows the 0x01 */
                for (size_t at = 0; at + n + (size_t)nul <= length; ++at) {
                    for (size_t i = 0; i < length; ++i) text[i] = (uint8_t)('a' + (i * 7 + k) % 26);
                    memcpy(text + at, seqs[q].bytes, n + (size_t)nul);
                    memcpy(g.bytes, text, length);
                    for (size_t i = length; i < length + k; ++i) g.bytes[i] = i % 2 ? 0xff : 0;
                    cr_assert_eq(zc_utf8_valid(g.bytes, length), seqs[q].valid,
                                 "sequence %zu at %zu of %zu bytes, first byte at %zu mod 8", q, at, length,
                                 (size_t)((uintptr_t)g.bytes % 8));
                    cr_assert_eq(zc_utf8_valid_in(g.bytes, length, length + k), seqs[q].valid,
                                 "zc_utf8_valid_in: sequence %zu at %zu of %zu bytes, %zu more readable", q, at,
                                 length, k);
                }
            }
            /* all ASCII, and that string after a guard page */
            for (size_t i = 0; i < length; ++i) g.bytes[i] = (uint8_t)('A' + i % 26);
            cr_assert(zc_utf8_valid(g.bytes, length), "%zu ASCII bytes", length);
            cr_assert(zc_utf8_valid_in(g.bytes, length, length + k), "%zu ASCII bytes, %zu more readable", length, k);
            guarded h = guarded_alloc(length, 1);
            memcpy(h.bytes, g.bytes, length);
            cr_assert(zc_utf8_valid(h.bytes, length), "%zu ASCII bytes after a guard page", length);
            guarded_free(&h);
            guarded_free(&g);
        }
    }
}

Test(format_utf8, embedded_nul) {
    cr_assert_not(UTF8("a\0b"));
    cr_assert_not(UTF8("\0"));
    cr_assert(utf8("ab\0", 2), "a NUL beyond the length does not count");
}

/* ---------------------------------------------------------------------------------
 * zc_check_path
 * ------------------------------------------------------------------------------- */

static zc_result path(const char *p) {
    size_t n = strlen(p);
    guarded g = guarded_alloc(n, 0);
    memcpy(g.bytes, p, n);
    zc_result r = zc_check_path((const char *)g.bytes, n, NULL);
    guarded_free(&g);
    return r;
}

Test(format_path, good) {
    cr_assert_eq(path("a"), ZC_OK);
    cr_assert_eq(path("a.bin"), ZC_OK);
    cr_assert_eq(path("textures/stone/albedo.png"), ZC_OK);
    cr_assert_eq(path("...") , ZC_OK, "three dots are an ordinary name");
    cr_assert_eq(path(".hidden/x"), ZC_OK);
    cr_assert_eq(path("a..b/c"), ZC_OK);
    cr_assert_eq(path("with space/\xc3\xa9t\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac/\xf0\x9f\x8e\xae.bin"), ZC_OK);
}

Test(format_path, malformed) {
    cr_assert_eq(zc_check_path("", 0, NULL), ZC_ERR_BAD_PATH);
    cr_assert_eq(path("/abs"), ZC_ERR_BAD_PATH);
    cr_assert_eq(path("a//b"), ZC_ERR_BAD_PATH);
    cr_assert_eq(path("a/"), ZC_ERR_BAD_PATH);
    cr_assert_eq(path("."), ZC_ERR_BAD_PATH);
    cr_assert_eq(path("./a"), ZC_ERR_BAD_PATH);
    cr_assert_eq(path("a/./b"), ZC_ERR_BAD_PATH);
    cr_assert_eq(path(".."), ZC_ERR_BAD_PATH);
    cr_assert_eq(path("../a"), ZC_ERR_BAD_PATH);
    cr_assert_eq(path("a/.."), ZC_ERR_BAD_PATH);
    cr_assert_eq(path("a\\b"), ZC_ERR_BAD_PATH);
    cr_assert_eq(path("a\tb"), ZC_ERR_BAD_PATH);
    cr_assert_eq(path("a\nb"), ZC_ERR_BAD_PATH);
    cr_assert_eq(path("a\x7f"), ZC_ERR_BAD_PATH);
    cr_assert_eq(path("a\x1f"), ZC_ERR_BAD_PATH);
    cr_assert_eq(zc_check_path("a\0b", 3, NULL), ZC_ERR_BAD_PATH);
    cr_assert_eq(path("bad\xc3(utf8"), ZC_ERR_BAD_PATH);
    cr_assert_eq(path("\xed\xa0\x80"), ZC_ERR_BAD_PATH);
}

Test(format_path, length_limit) {
    char buf[ZC_MAX_PATH + 2];
    memset(buf, 'p', sizeof buf);
    buf[ZC_MAX_PATH] = 0;
    cr_assert_eq(path(buf), ZC_OK, "exactly ZC_MAX_PATH bytes");
    buf[ZC_MAX_PATH] = 'p';
    buf[ZC_MAX_PATH + 1] = 0;
    cr_assert_eq(path(buf), ZC_ERR_BAD_PATH, "one byte more");
    zc_diag diag = { { 0 } };
    cr_assert_eq(zc_check_path(buf, UINT64_MAX, &diag), ZC_ERR_BAD_PATH);
    cr_assert_neq(diag.message[0], 0);
}

Test(format_path, depth_limit) {
    char buf[2 * ZC_MAX_PATH_DEPTH + 4];
    size_t n = 0;
    for (unsigned i = 0; i < ZC_MAX_PATH_DEPTH; ++i) {
        buf[n++] = 'd';
        buf[n++] = '/';
    }
    buf[n - 1] = 0;
    cr_assert_eq(path(buf), ZC_OK, "exactly ZC_MAX_PATH_DEPTH components");
    buf[n - 1] = '/';
    buf[n++] = 'd';
    buf[n] = 0;
    cr_assert_eq(path(buf), ZC_ERR_BAD_PATH, "one component more");
}

/* ---------------------------------------------------------------------------------
 * zc_check_header
 * ------------------------------------------------------------------------------- */

#define FILE_SIZE 4096u
#define TOC_SIZE 512u
#define TOC_OFFSET (FILE_SIZE - TOC_SIZE) /* the TOC ends the file */

static void make_header(uint8_t out[sizeof(zc_header)]) {
    zc_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, ZC_MAGIC, 4);
    memcpy(h.mangle_check, ZC_MANGLE_CHECK, 4);
    h.format_major = ZC_FORMAT_MAJOR;
    h.format_minor = ZC_FORMAT_MINOR;
    h.header_size = sizeof(zc_header);
    h.endian_check = ZC_ENDIAN_CHECK;
    h.float_check = ZC_FLOAT_CHECK;
    h.writer_version = 0x000100;
    h.file_size = FILE_SIZE;
    h.toc_offset = TOC_OFFSET;
    h.toc_size = TOC_SIZE;
    memcpy(out, &h, sizeof h);
}

static zc_result header(const uint8_t *bytes, uint64_t available, uint64_t file_size) {
    guarded g = guarded_alloc(available, 0);
    memcpy(g.bytes, bytes, available);
    zc_diag diag = { { 0 } };
    zc_result r = zc_check_header(g.bytes, available, file_size, &diag);
    if (r != ZC_OK) cr_assert_neq(diag.message[0], 0, "every failure explains itself");
    guarded_free(&g);
    return r;
}

static void put64(uint8_t *h, size_t off, uint64_t v) { memcpy(h + off, &v, 8); }
static void put32(uint8_t *h, size_t off, uint32_t v) { memcpy(h + off, &v, 4); }
static void put16(uint8_t *h, size_t off, uint16_t v) { memcpy(h + off, &v, 2); }

Test(format_header, correct) {
    uint8_t h[128];
    make_header(h);
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_OK);
    put16(h, offsetof(zc_header, format_minor), 7);
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_OK, "a newer minor version is readable");
    make_header(h);
    put32(h, offsetof(zc_header, writer_version), 0xFFFFFFFFu);
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_OK, "the writer version is informative only");
    make_header(h);
    put64(h, offsetof(zc_header, toc_offset), 128);
    put64(h, offsetof(zc_header, toc_size), FILE_SIZE - 128);
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_OK, "an empty payload area");
}

Test(format_header, magic) {
    uint8_t h[128];
    make_header(h);
    h[1] = 'X';
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_NOT_A_PACK);
    cr_assert_eq(header((const uint8_t *)"hello, world\n", 13, 13), ZC_ERR_NOT_A_PACK);
    cr_assert_eq(header((const uint8_t *)"PK\3\4", 4, 4), ZC_ERR_NOT_A_PACK);
    make_header(h);
    h[0] = 0x09; /* 0x89 with the high bit stripped */
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_MANGLED);
    for (uint64_t n = 4; n < 8; ++n) {
        cr_assert_eq(header(h, n, n), ZC_ERR_MANGLED, "%llu bytes with a stripped high bit", (unsigned long long)n);
        cr_assert_eq(header((const uint8_t *)"GIF89a", n, n), ZC_ERR_NOT_A_PACK);
    }
}

Test(format_header, line_ending_conversion) {
    uint8_t h[128], m[129];
    make_header(h);
    /* LF -> CR LF: "\r\n\x1a\n" becomes "\r\r\n\x1a\r\n" */
    memcpy(m, h, 4);
    memcpy(m + 4, "\r\r\n\x1a\r\n", 6);
    memcpy(m + 10, h + 8, 119);
    cr_assert_eq(header(m, 129, FILE_SIZE + 2), ZC_ERR_MANGLED);
    /* CR LF -> LF: "\r\n\x1a\n" becomes "\n\x1a\n" */
    memcpy(m, h, 4);
    memcpy(m + 4, "\n\x1a\n", 3);
    memcpy(m + 7, h + 8, 120);
    cr_assert_eq(header(m, 127, FILE_SIZE - 1), ZC_ERR_MANGLED);
    /* the DOS EOF byte dropped */
    make_header(h);
    h[6] = '\n';
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_MANGLED);
}

Test(format_header, version) {
    uint8_t h[128];
    make_header(h);
    put16(h, offsetof(zc_header, format_major), ZC_FORMAT_MAJOR + 1);
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_VERSION);
    put16(h, offsetof(zc_header, format_major), 0);
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_VERSION);
    put16(h, offsetof(zc_header, format_major), (uint16_t)(ZC_FORMAT_MAJOR << 8)); /* byte-swapped */
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_VERSION);
}

Test(format_header, endian_sentinels) {
    uint8_t h[128];
    make_header(h);
    put64(h, offsetof(zc_header, endian_check), __builtin_bswap64(ZC_ENDIAN_CHECK));
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_ENDIAN);
    make_header(h);
    double f = ZC_FLOAT_CHECK;
    uint64_t bits;
    memcpy(&bits, &f, 8);
    put64(h, offsetof(zc_header, float_check), __builtin_bswap64(bits));
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_ENDIAN);
    make_header(h);
    float single = (float)ZC_FLOAT_CHECK; /* a writer with a 4-byte "double" */
    put64(h, offsetof(zc_header, float_check), 0);
    memcpy(h + offsetof(zc_header, float_check), &single, 4);
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_ENDIAN);
    make_header(h);
    f = -ZC_FLOAT_CHECK;
    memcpy(h + offsetof(zc_header, float_check), &f, 8);
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_ENDIAN);
}

Test(format_header, file_size) {
    uint8_t h[128];
    make_header(h);
    put64(h, offsetof(zc_header, file_size), FILE_SIZE + 1);
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_TRUNCATED, "header declares more than the file has");
    put64(h, offsetof(zc_header, file_size), UINT64_MAX);
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_TRUNCATED);
    put64(h, offsetof(zc_header, file_size), FILE_SIZE - 1);
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_FILE_SIZE, "file is longer than declared");
    put64(h, offsetof(zc_header, file_size), 0);
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_FILE_SIZE);
}

Test(format_header, short_inputs) {
    uint8_t h[128];
    make_header(h);
    cr_assert_eq(header(h, 0, 0), ZC_ERR_TRUNCATED);
    for (uint64_t n = 1; n < 128; ++n) {
        zc_result r = header(h, n, n);
        cr_assert_eq(r, ZC_ERR_TRUNCATED, "%llu bytes of a header: %s", (unsigned long long)n, zc_result_name(r));
    }
    for (uint64_t n = 0; n < 128; ++n) {
        zc_result r = header(h, n, FILE_SIZE);
        cr_assert_eq(r, ZC_ERR_TRUNCATED, "only %llu bytes available: %s", (unsigned long long)n, zc_result_name(r));
    }
}

Test(format_header, header_size) {
    uint8_t h[128];
    make_header(h);
    put32(h, offsetof(zc_header, header_size), 127);
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_BAD_HEADER);
    put32(h, offsetof(zc_header, header_size), 136);
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_BAD_HEADER, "not a multiple of 16");
    put32(h, offsetof(zc_header, header_size), ZC_MAX_HEADER_SIZE + 16);
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_BAD_HEADER);
    put32(h, offsetof(zc_header, header_size), UINT32_MAX);
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_BAD_HEADER);
    put32(h, offsetof(zc_header, header_size), 144);
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_TRUNCATED, "144-byte header but 128 bytes available");
    uint8_t big[144] = { 0 };
    memcpy(big, h, 128);
    cr_assert_eq(header(big, 144, FILE_SIZE), ZC_OK, "a longer header from a newer minor version");
}

Test(format_header, flags_and_reserved) {
    uint8_t h[128];
    make_header(h);
    put32(h, offsetof(zc_header, flags), 1);
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_BAD_HEADER);
    put32(h, offsetof(zc_header, flags), 0x80000000u);
    cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_BAD_HEADER);
    for (size_t i = offsetof(zc_header, reserved); i < 128; ++i) {
        make_header(h);
        h[i] = 1;
        cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_BAD_HEADER, "reserved byte %zu", i);
    }
}

Test(format_header, toc_placement) {
    static const struct { uint64_t off, size; } bad[] = {
        { FILE_SIZE - TOC_SIZE + 16, TOC_SIZE },  /* runs past the end */
        { FILE_SIZE, 32 },                        /* starts at the end */
        { TOC_OFFSET - 8, TOC_SIZE + 8 },         /* misaligned */
        { TOC_OFFSET - 16, TOC_SIZE },            /* does not end the file */
        { TOC_OFFSET, TOC_SIZE - 16 },
        { 64, TOC_SIZE },                         /* inside the header */
        { 0, TOC_SIZE },
        { TOC_OFFSET, 16 },                       /* smaller than a TOC header */
        { TOC_OFFSET, FILE_SIZE + 1 },
        { TOC_OFFSET, UINT64_MAX },
        { UINT64_MAX - 15, 32 },                  /* offset + size wraps */
        { 0xFFFFFFFFFFFFF000ull, 0x2000 },
    };
    uint8_t h[128];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        make_header(h);
        put64(h, offsetof(zc_header, toc_offset), bad[i].off);
        put64(h, offsetof(zc_header, toc_size), bad[i].size);
        cr_assert_eq(header(h, 128, FILE_SIZE), ZC_ERR_BAD_HEADER, "case %zu", i);
    }
}

/* ---------------------------------------------------------------------------------
 * zc_check_toc on a hand-built TOC: 3 entries, 2 dependency ids, 3 paths.
 * ------------------------------------------------------------------------------- */

#define PAYLOAD_START 128u
#define PAYLOAD_END 1024u
static const char toc_strings[] = "a.bin\0dir/b.bin\0c"; /* plus the literal's own NUL */

typedef struct toc_image {
    guarded g;
    uint8_t *bytes;
    uint64_t size;
} toc_image;

static zc_toc_entry *toc_rec(toc_image *t, uint32_t i) {
    return (zc_toc_entry *)(t->bytes + sizeof(zc_toc_header) + i * sizeof(zc_toc_entry));
}

static zc_toc_header *toc_head(toc_image *t) {
    return (zc_toc_header *)t->bytes;
}

static toc_image make_toc(void) {
    toc_image t;
    t.size = sizeof(zc_toc_header) + 3 * sizeof(zc_toc_entry) + 2 * 8 + sizeof toc_strings;
    t.g = guarded_alloc((t.size + 7) / 8 * 8, 0); /* keep 8-byte alignment; slack is zero */
    t.bytes = t.g.bytes;
    memset(t.bytes, 0, (t.size + 7) / 8 * 8);
    zc_toc_header *th = toc_head(&t);
    th->tag = ZC_TOC_TAG;
    th->version = ZC_TOC_VERSION;
    th->header_size = sizeof(zc_toc_header);
    th->entry_size = sizeof(zc_toc_entry);
    th->entry_count = 3;
    th->dep_count = 2;
    th->strings_size = sizeof toc_strings;
    static const struct { uint32_t po, pl; uint64_t off, size; } rec[3] = {
        { 0, 5, 128, 16 }, { 6, 9, 144, 100 }, { 16, 1, 512, 0 },
    };
    for (uint32_t i = 0; i < 3; ++i) {
        zc_toc_entry *e = toc_rec(&t, i);
        e->id = 100 * (i + 1);
        e->offset = rec[i].off;
        e->stored_size = e->raw_size = rec[i].size;
        e->path_offset = rec[i].po;
        e->path_length = rec[i].pl;
        e->type = ZC_TYPE_BLOB;
        e->layout_hash = ZC_BLOB_LAYOUT_HASH;
        e->align_log2 = 4;
    }
    toc_rec(&t, 1)->deps_first = 0;
    toc_rec(&t, 1)->deps_count = 2;
    uint64_t *deps = (uint64_t *)(t.bytes + sizeof(zc_toc_header) + 3 * sizeof(zc_toc_entry));
    deps[0] = 100;
    deps[1] = 300;
    memcpy(deps + 2, toc_strings, sizeof toc_strings);
    return t;
}

static zc_result check(toc_image *t) {
    zc_diag diag = { { 0 } };
    zc_result r = zc_check_toc(t->bytes, t->size, PAYLOAD_START, PAYLOAD_END, &diag);
    if (r != ZC_OK) cr_assert_neq(diag.message[0], 0);
    guarded_free(&t->g);
    return r;
}

Test(format_toc, good) {
    toc_image t = make_toc();
    cr_assert_eq(zc_check_toc(t.bytes, t.size, PAYLOAD_START, PAYLOAD_END, NULL), ZC_OK);
    cr_assert_eq(zc_toc_entry_at(t.bytes, 2), toc_rec(&t, 2));
    cr_assert_eq(zc_toc_deps(t.bytes)[1], 300);
    cr_assert_str_eq(zc_toc_strings(t.bytes) + toc_rec(&t, 1)->path_offset, "dir/b.bin");
    cr_assert_eq(check(&t), ZC_OK);
}

Test(format_toc, unsorted_ids) {
    toc_image t = make_toc();
    toc_rec(&t, 2)->id = 150;
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC);
    t = make_toc();
    toc_rec(&t, 1)->id = toc_rec(&t, 0)->id;
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC, "duplicate ids");
}

Test(format_toc, path_outside_string_table) {
    toc_image t = make_toc();
    toc_rec(&t, 2)->path_offset = sizeof toc_strings;
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC);
    t = make_toc();
    toc_rec(&t, 2)->path_offset = UINT32_MAX;
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC);
    t = make_toc();
    toc_rec(&t, 0)->path_length = UINT32_MAX;
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC);
    t = make_toc();
    toc_rec(&t, 2)->path_length = 2; /* "c" plus the final NUL would be needed */
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC);
}

Test(format_toc, missing_nul) {
    toc_image t = make_toc();
    toc_rec(&t, 0)->path_length = 4; /* "a.bi" is followed by 'n' */
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC);
    t = make_toc();
    toc_rec(&t, 0)->path_length = 7; /* spans "a.bin\0d": the interior NUL */
    cr_assert_neq(check(&t), ZC_OK);
}

Test(format_toc, bad_path) {
    toc_image t = make_toc();
    char *strings = (char *)zc_toc_strings(t.bytes);
    memcpy(strings + 6, "dir/../.b", 9);
    cr_assert_eq(check(&t), ZC_ERR_BAD_PATH);
    t = make_toc();
    strings = (char *)zc_toc_strings(t.bytes);
    strings[0] = '/';
    cr_assert_eq(check(&t), ZC_ERR_BAD_PATH);
    t = make_toc();
    toc_rec(&t, 2)->path_length = 0;
    toc_rec(&t, 2)->path_offset = 5; /* the empty string before "dir/b.bin" */
    cr_assert_eq(check(&t), ZC_ERR_BAD_PATH);
}

Test(format_toc, codec) {
    toc_image t = make_toc();
    toc_rec(&t, 1)->raw_size = 101;
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC, "uncompressed with raw != stored");
    t = make_toc();
    toc_rec(&t, 1)->codec = ZC_CODEC_ZSTD;
    toc_rec(&t, 1)->raw_size = 1000;
    cr_assert_eq(check(&t), ZC_OK, "compressed entries may grow when decoded");
    /* unknown codecs are refused per entry (when requested), not per pack */
    t = make_toc();
    toc_rec(&t, 0)->codec = ZC__CODEC_COUNT;
    toc_rec(&t, 0)->raw_size = 7;
    cr_assert_eq(check(&t), ZC_OK);
    t = make_toc();
    toc_rec(&t, 0)->codec = 255;
    cr_assert_eq(check(&t), ZC_OK);
}

Test(format_toc, type_and_size_limits) {
    toc_image t = make_toc();
    toc_rec(&t, 1)->type = 0;
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC, "type tag zero");
    t = make_toc();
    toc_rec(&t, 1)->type = ZC_FOURCC('N', 'E', 'W', '!');
    cr_assert_eq(check(&t), ZC_OK, "unknown types are a matter for the payload check");
    t = make_toc();
    toc_rec(&t, 0)->stored_size = toc_rec(&t, 0)->raw_size = ZC_MAX_RAW_SIZE + 1;
    cr_assert_eq(check(&t), ZC_ERR_LIMIT);
    t = make_toc();
    toc_rec(&t, 0)->stored_size = toc_rec(&t, 0)->raw_size = UINT64_MAX;
    cr_assert_eq(check(&t), ZC_ERR_LIMIT);
    t = make_toc();
    toc_rec(&t, 0)->codec = ZC_CODEC_ZSTD;
    toc_rec(&t, 0)->raw_size = ZC_MAX_RAW_SIZE + 1;
    cr_assert_eq(check(&t), ZC_ERR_LIMIT, "the decoded size is capped too");
    t = make_toc();
    toc_rec(&t, 0)->codec = ZC_CODEC_ZSTD;
    toc_rec(&t, 0)->raw_size = ZC_MAX_RAW_SIZE;
    cr_assert_eq(check(&t), ZC_OK);
}

Test(format_toc, alignment) {
    toc_image t = make_toc();
    toc_rec(&t, 1)->offset = 152;
    cr_assert_eq(check(&t), ZC_ERR_BAD_ALIGNMENT);
    t = make_toc();
    toc_rec(&t, 2)->align_log2 = 8; /* 512 is 256-aligned */
    cr_assert_eq(check(&t), ZC_OK);
    t = make_toc();
    toc_rec(&t, 2)->align_log2 = 10; /* but not 1024-aligned */
    cr_assert_eq(check(&t), ZC_ERR_BAD_ALIGNMENT);
    t = make_toc();
    toc_rec(&t, 0)->align_log2 = ZC_MIN_ALIGN_LOG2 - 1;
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC);
    t = make_toc();
    toc_rec(&t, 0)->align_log2 = ZC_MAX_ALIGN_LOG2 + 1;
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC);
    t = make_toc();
    toc_rec(&t, 0)->align_log2 = 255;
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC);
}

Test(format_toc, payload_outside_area) {
    static const struct { uint64_t off, size; } bad[] = {
        { 112, 16 },                      /* before payload_start */
        { 0, 0 },
        { 1008, 32 },                     /* past payload_end */
        { 1024, 16 },
        { 1040, 0 },
        { 128, 1024 },
        { 128, ZC_MAX_RAW_SIZE },
        { UINT64_MAX - 15, 32 },          /* offset + size wraps */
        { 0xFFFFFFFFFFFFFFF0ull, 0x20 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        toc_image t = make_toc();
        toc_rec(&t, 0)->offset = bad[i].off;
        toc_rec(&t, 0)->stored_size = toc_rec(&t, 0)->raw_size = bad[i].size;
        cr_assert_eq(check(&t), ZC_ERR_BAD_TOC, "case %zu", i);
    }
    toc_image t = make_toc();
    toc_rec(&t, 0)->offset = 1024;
    toc_rec(&t, 0)->stored_size = toc_rec(&t, 0)->raw_size = 0;
    cr_assert_eq(check(&t), ZC_OK, "an empty entry may sit at payload_end");
    t = make_toc();
    toc_rec(&t, 0)->offset = 1008;
    toc_rec(&t, 0)->stored_size = toc_rec(&t, 0)->raw_size = 16;
    cr_assert_eq(check(&t), ZC_OK, "ending exactly at payload_end");
    t = make_toc();
    cr_assert_eq(zc_check_toc(t.bytes, t.size, 2048, 1024, NULL), ZC_ERR_BAD_TOC, "empty payload area");
    guarded_free(&t.g);
}

Test(format_toc, deps_slice) {
    toc_image t = make_toc();
    toc_rec(&t, 1)->deps_first = 1; /* 1 + 2 > 2 */
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC);
    t = make_toc();
    toc_rec(&t, 1)->deps_count = 3;
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC);
    t = make_toc();
    toc_rec(&t, 1)->deps_first = UINT32_MAX;
    toc_rec(&t, 1)->deps_count = 1;
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC, "deps_first + count wraps");
    t = make_toc();
    toc_rec(&t, 1)->deps_first = 2;
    toc_rec(&t, 1)->deps_count = UINT32_MAX;
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC);
    t = make_toc();
    toc_rec(&t, 0)->deps_first = 2;
    toc_rec(&t, 0)->deps_count = 0;
    cr_assert_eq(check(&t), ZC_OK, "an empty slice at the end is fine");
}

Test(format_toc, flags_and_reserved) {
    toc_image t = make_toc();
    toc_rec(&t, 0)->flags = 1;
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC);
    t = make_toc();
    toc_rec(&t, 0)->reserved = 1;
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC);
}

Test(format_toc, sizes_not_adding_up) {
    toc_image t = make_toc();
    cr_assert_eq(zc_check_toc(t.bytes, t.size + 8, PAYLOAD_START, PAYLOAD_END, NULL), ZC_ERR_BAD_TOC);
    cr_assert_eq(zc_check_toc(t.bytes, t.size - 1, PAYLOAD_START, PAYLOAD_END, NULL), ZC_ERR_BAD_TOC);
    cr_assert_eq(zc_check_toc(t.bytes, 16, PAYLOAD_START, PAYLOAD_END, NULL), ZC_ERR_BAD_TOC);
    toc_head(&t)->strings_size += 1;
    cr_assert_eq(zc_check_toc(t.bytes, t.size, PAYLOAD_START, PAYLOAD_END, NULL), ZC_ERR_BAD_TOC);
    toc_head(&t)->strings_size -= 1;
    toc_head(&t)->dep_count = 3;
    cr_assert_eq(zc_check_toc(t.bytes, t.size, PAYLOAD_START, PAYLOAD_END, NULL), ZC_ERR_BAD_TOC);
    toc_head(&t)->dep_count = 2;
    toc_head(&t)->entry_count = 4;
    cr_assert_eq(zc_check_toc(t.bytes, t.size, PAYLOAD_START, PAYLOAD_END, NULL), ZC_ERR_BAD_TOC);
    toc_head(&t)->entry_count = 3;
    cr_assert_eq(check(&t), ZC_OK);
}

Test(format_toc, header_fields) {
    toc_image t = make_toc();
    toc_head(&t)->tag = ZC_FOURCC('Z', 'T', 'O', 'X');
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC);
    t = make_toc();
    toc_head(&t)->version = 2;
    cr_assert_eq(check(&t), ZC_ERR_VERSION);
    t = make_toc();
    toc_head(&t)->header_size = 24;
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC);
    t = make_toc();
    toc_head(&t)->header_size = 36;
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC, "header_size not a multiple of 8");
    t = make_toc();
    toc_head(&t)->header_size = ZC_MAX_TOC_HEADER_SIZE + 8;
    cr_assert_eq(zc_check_toc_header(t.bytes, ZC_MAX_TOC_HEADER_SIZE + 8 + 1000, NULL), ZC_ERR_BAD_TOC,
                 "TOC header_size above the limit even when the TOC is large enough");
    guarded_free(&t.g);
    t = make_toc();
    toc_head(&t)->header_size = UINT32_MAX - 7;
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC);
    t = make_toc();
    toc_head(&t)->entry_size = 64;
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC);
    t = make_toc();
    toc_head(&t)->entry_size = 76;
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC);
    t = make_toc();
    toc_head(&t)->entry_size = 4104;
    cr_assert_eq(check(&t), ZC_ERR_BAD_TOC);
    t = make_toc();
    toc_head(&t)->entry_count = ZC_MAX_ENTRIES + 1;
    cr_assert_eq(check(&t), ZC_ERR_LIMIT);
    t = make_toc();
    toc_head(&t)->entry_count = UINT32_MAX;
    cr_assert_eq(check(&t), ZC_ERR_LIMIT);
    t = make_toc();
    toc_head(&t)->dep_count = ZC_MAX_DEPS + 1;
    cr_assert_eq(check(&t), ZC_ERR_LIMIT);
    t = make_toc();
    toc_head(&t)->strings_size = (uint64_t)UINT32_MAX + 1;
    cr_assert_eq(check(&t), ZC_ERR_LIMIT);
    t = make_toc();
    toc_head(&t)->strings_size = UINT64_MAX;
    cr_assert_eq(check(&t), ZC_ERR_LIMIT);
}

/* Readers stride by entry_size, so a newer writer's longer records still read. */
Test(format_toc, longer_records_and_header) {
    toc_image base = make_toc();
    const uint32_t hs = 40, es = 80;
    uint64_t size = hs + 3 * es + 16 + sizeof toc_strings;
    guarded g = guarded_alloc((size + 7) / 8 * 8, 0);
    memset(g.bytes, 0, (size + 7) / 8 * 8);
    memcpy(g.bytes, base.bytes, sizeof(zc_toc_header));
    ((zc_toc_header *)g.bytes)->header_size = hs;
    ((zc_toc_header *)g.bytes)->entry_size = es;
    for (uint32_t i = 0; i < 3; ++i)
        memcpy(g.bytes + hs + i * es, toc_rec(&base, i), sizeof(zc_toc_entry));
    memcpy(g.bytes + hs + 3 * es, zc_toc_deps(base.bytes), 16 + sizeof toc_strings);
    cr_assert_eq(zc_check_toc(g.bytes, size, PAYLOAD_START, PAYLOAD_END, NULL), ZC_OK);
    cr_assert_str_eq(zc_toc_strings(g.bytes) + zc_toc_entry_at(g.bytes, 1)->path_offset, "dir/b.bin");
    cr_assert_eq(zc_toc_deps(g.bytes)[1], 300);
    guarded_free(&g);
    guarded_free(&base.g);
}

Test(format_toc, empty_toc) {
    _Alignas(8) zc_toc_header th = { ZC_TOC_TAG, ZC_TOC_VERSION, sizeof th, sizeof(zc_toc_entry), 0, 0, 0 };
    cr_assert_eq(zc_check_toc(&th, sizeof th, 128, 128, NULL), ZC_OK);
}

/* ---------------------------------------------------------------------------------
 * Types, layout hashes, result codes, layout facts
 * ------------------------------------------------------------------------------- */

Test(format_types, layout_hash) {
    cr_assert_eq(zc_layout_hash(ZC_BLOB_LAYOUT_DESC), ZC_BLOB_LAYOUT_HASH);
    cr_assert_eq(zc_layout_hash(""), 0x811c9dc5u, "FNV-1a offset basis");
    cr_assert_eq(zc_layout_hash("a"), 0xe40c292cu, "FNV-1a of \"a\"");
    cr_assert_eq(zc_layout_hash("foobar"), 0xbf9cf968u, "FNV-1a of \"foobar\"");
}

Test(format_types, registry) {
    cr_assert_eq(ZC_TYPE_BLOB, ZC_FOURCC('B', 'L', 'O', 'B'));
    cr_assert_eq(ZC_TYPE_BLOB, 0x424F4C42u);
    cr_assert_str_eq(zc_type_name(ZC_TYPE_BLOB), "blob");
    cr_assert_null(zc_type_name(ZC_FOURCC('N', 'O', 'P', 'E')));
    cr_assert_null(zc_type_name(0));
    const char any[3] = "abc";
    cr_assert_eq(zc_check_payload(ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, any, 3, NULL), ZC_OK);
    cr_assert_eq(zc_check_payload(ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, NULL, 0, NULL), ZC_OK);
    zc_diag diag = { { 0 } };
    cr_assert_eq(zc_check_payload(ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH ^ 1, any, 3, &diag), ZC_ERR_LAYOUT_MISMATCH);
    cr_assert_neq(strstr(diag.message, "blob"), NULL, "message: %s", diag.message);
    cr_assert_eq(zc_check_payload(ZC_FOURCC('N', 'O', 'P', 'E'), 0, any, 3, NULL), ZC_ERR_UNKNOWN_TYPE);
}

static const struct { zc_result code; int value; } result_values[] = {
#define RESULT_VALUE(name, value, text) { ZC_##name, value },
    ZC_RESULT_LIST(RESULT_VALUE)
#undef RESULT_VALUE
};

Test(format_result, strings_and_names) {
    size_t n = sizeof result_values / sizeof result_values[0];
    cr_assert_eq(n, (size_t)ZC__RESULT_COUNT, "values are dense from 0");
    for (size_t i = 0; i < n; ++i) {
        zc_result c = result_values[i].code;
        cr_assert_eq((int)c, (int)i, "code %zu is out of order", i);
        const char *s = zc_result_str(c), *name = zc_result_name(c);
        cr_assert_not_null(s);
        cr_assert_not_null(name);
        cr_assert_neq(s[0], 0);
        cr_assert_eq(strncmp(name, "ZC_", 3), 0, "%s", name);
        cr_assert_str_neq(s, "unknown result");
        for (size_t j = 0; j < i; ++j) {
            cr_assert_str_neq(name, zc_result_name(result_values[j].code));
            cr_assert_str_neq(s, zc_result_str(result_values[j].code));
        }
    }
    cr_assert_str_eq(zc_result_name(ZC_OK), "ZC_OK");
    cr_assert_str_eq(zc_result_name(ZC_ERR_BAD_TOC), "ZC_ERR_BAD_TOC");
    cr_assert_str_eq(zc_result_str(ZC__RESULT_COUNT), "unknown result");
    cr_assert_str_eq(zc_result_str((zc_result)-1), "unknown result");
    cr_assert_null(zc_result_name(ZC__RESULT_COUNT));
    cr_assert_null(zc_result_name((zc_result)1000));
}

Test(format_result, pinned_values) {
    cr_assert_eq(ZC_OK, 0);
    cr_assert_eq(ZC_ERR_INVALID_ARGUMENT, 1);
    cr_assert_eq(ZC_ERR_NOT_A_PACK, 5);
    cr_assert_eq(ZC_ERR_TRUNCATED, 9);
    cr_assert_eq(ZC_ERR_TOC_CHECKSUM, 13);
    cr_assert_eq(ZC_ERR_NO_ENTRY, 18);
    cr_assert_eq(ZC_ERR_BAD_ALIGNMENT, 26);
}

Test(format_layout, sizes_and_offsets) {
    cr_assert_eq(sizeof(zc_header), 128);
    cr_assert_eq(sizeof(zc_toc_header), 32);
    cr_assert_eq(sizeof(zc_toc_entry), 72);
    cr_assert_eq(sizeof(zc_rel_ptr), 8);
    cr_assert_eq(sizeof(zc_array), 16);
    cr_assert_eq(sizeof(zc_string), 16);
    cr_assert_eq(sizeof(double), 8);
    cr_assert_eq(offsetof(zc_header, header_checksum), ZC_HEADER_CHECKSUM_OFFSET);
    cr_assert_eq(offsetof(zc_header, toc_checksum), 72);
    cr_assert_eq(offsetof(zc_toc_entry, codec), 64);
    cr_assert_eq(sizeof(zc_toc_entry) % 8, 0, "records keep 8-byte alignment when strided");
    cr_assert_eq(ZC_MAX_ALIGN_LOG2 >= ZC_MIN_ALIGN_LOG2, 1);
    cr_assert_eq(memcmp(ZC_MAGIC, "\x89ZCP", 4), 0);
    cr_assert_eq(memcmp(ZC_MANGLE_CHECK, "\r\n\x1a\n", 4), 0);
    cr_assert_eq(ZC_TOC_TAG, 0x434F545Au);
}

Test(format_layout, little_endian_helpers) {
    static const uint8_t b[8] = { 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01 };
    cr_assert_eq(zc_le16(b), 0x0708);
    cr_assert_eq(zc_le32(b), 0x05060708u);
    cr_assert_eq(zc_le64(b), ZC_ENDIAN_CHECK);
    static const uint8_t hi[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    cr_assert_eq(zc_le64(hi), UINT64_MAX);
    cr_assert_eq(zc_le16(hi), 0xffff);
    cr_assert_eq(zc_host_is_little_endian(), 1, "the test machines are little-endian");
}

/* SPEC.md's worked example (Appendix B; the bytes live in zc_test_util.c) passes the
 * pure checks. */
extern const uint8_t zct_hello_pack[258];

Test(format_header, worked_example) {
    _Alignas(16) uint8_t copy[258];
    memcpy(copy, zct_hello_pack, sizeof copy);
    cr_assert_eq(zc_check_header(copy, sizeof copy, sizeof copy, NULL), ZC_OK);
    cr_assert_eq(zc_check_toc(copy + 144, 114, 128, 144, NULL), ZC_OK);
    cr_assert_eq(zc_le64(copy + offsetof(zc_header, toc_offset)), 144);
    const zc_toc_entry *e = zc_toc_entry_at(copy + 144, 0);
    cr_assert_eq(e->id, UINT64_C(0x285B8DB6C3EEF5E0));
    cr_assert_eq(e->layout_hash, ZC_BLOB_LAYOUT_HASH);
    cr_assert_str_eq(zc_toc_strings(copy + 144) + e->path_offset, "hello.txt");
}
