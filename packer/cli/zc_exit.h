/* zc_exit.h - the exit codes of zcpack: one list, from which the enum, the help's
 * "Exit codes" text and the tests' expectations (tests include this header) come.
 * Values are stable: scripts test them.
 */
#ifndef ZC_EXIT_H
#define ZC_EXIT_H

/* X(name, value, meaning): the codes of every command but diff. */
#define ZC_EXIT_LIST(X)                                                                     \
    X(OK, 0, "success")                                                                     \
    X(INTERNAL, 1, "internal error (out of memory, a pack the writer could not verify)")    \
    X(USAGE, 2, "usage error")                                                              \
    X(IO, 3, "I/O error: missing or unreadable directory or pack, unwritable output")       \
    X(CORRUPT, 4, "invalid or corrupt pack (any format error)")                             \
    X(NO_ENTRY, 5, "entry, texture level or layer not found (cat, dump, extract)")          \
    X(IMPORT, 6, "an asset failed to import (also with --keep-going), a bad zcpack.json, or a bad " \
                    "schema or JSON document (schema)")                                   \
    X(SIGNATURE, 8, "signature: the pack is unsigned, wrongly signed or signed by an untrusted " \
                    "key, or a key file is unusable")

/* X(name, value, meaning): diff's own codes, as diff(1); its 2, 3 and 4 are the
 * list's above. */
#define ZC_EXIT_DIFF_LIST(X)                                                                \
    X(DIFFERENT, 1, "the packs differ")                                                     \
    X(DIFF_INTERNAL, 7, "internal error (out of memory)")

enum {
#define ZC__EXIT_ENUM(name, value, meaning) ZC_EXIT_##name = value,
    ZC_EXIT_LIST(ZC__EXIT_ENUM)
    ZC_EXIT_DIFF_LIST(ZC__EXIT_ENUM)
#undef ZC__EXIT_ENUM
};

/* A set of exit codes of ZC_EXIT_LIST, for a command's help: ZC_EXITS(OK) | ... */
#define ZC_EXITS(name) (1u << ZC_EXIT_##name)

#endif /* ZC_EXIT_H */
