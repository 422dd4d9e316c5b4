/* zc_pack.h - the zcpack runtime: open a pack, look entries up, use them in place.
 *
 * This header is the manual. A game links libzcpack with zstd, libuv and pthreads
 * (libxxhash's header-only code is compiled in), opens a pack once, and from then on
 * every lookup is one probe of the pack's hash index (a binary search in packs
 * written without one) over the mapped table of contents, and every
 * uncompressed entry is a pointer into the mapping: no parse, no copy, no allocation.
 * A compressed entry is decoded once, on first use, into the pack's cache. zc_pack_get
 * hands out an entry's raw bytes either way ("Holding entries" below); it is the way
 * to read an entry whose codec the caller does not know (the packer compresses small
 * blobs by default).
 *
 * Example:
 *     zc_pack *pack;
 *     zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = "game.zcpack" });
 *     if (r != ZC_OK) { fprintf(stderr, "%s\n", zc_result_str(r)); return 1; }
 *     zc_hold sky;                          // the raw bytes, stored or compressed alike
 *     if (zc_pack_get(pack, "shaders/sky.glsl", &sky) == ZC_OK) {
 *         compile_shader(sky.data, sky.size);
 *         zc_hold_release(&sky);
 *     }
 *     zc_pack_close(pack);
 *
 * Examples (an "Example:" line, then a block indented four spaces more) are compiled
 * and run against the demo pack by `make test` (tools/check_examples.sh, whose header
 * gives the wrapping rule): names they leave undefined, such as compile_shader, are
 * the engine's and are supplied there.
 *
 * Lifetime rules
 *  1. Every pointer the runtime hands out (zc_entry.data, zc_entry.path, dependency
 *     lists) stays valid until zc_pack_close() of the pack that produced it.
 *  2. The bytes behind those pointers are read-only; writing through them is
 *     undefined (the mapping is PROT_READ).
 *  3. A memory-backed pack (zc_pack_desc.memory) borrows the caller's buffer, which
 *     must stay unchanged and alive until zc_pack_close() and the release of the
 *     pack's last hold.
 *  4. A hold (zc_pack_get, zc_pack_acquire) keeps its pack alive: zc_hold.data, and
 *     the pointers of zc_hold.entry, stay valid until zc_hold_release(), even after
 *     zc_pack_close().
 *     The raw bytes of a compressed entry exist only behind a hold.
 *  5. A pack opened from a file in ZC_LOAD_MAP mode (the default) reads that file
 *     through its mapping until its last reference goes: the file must keep its size
 *     and bytes that long. zc_pack_open states what happens otherwise and how to
 *     survive it (ZC_LOAD_READ).
 *
 * Thread rules
 *  - zc_pack_open / zc_pack_close: one thread per pack object; close only after every
 *    other thread has stopped using the pack.
 *  - Every other call taking a const zc_pack * is safe from any number of threads at
 *    once after zc_pack_open() returned (the pack is immutable after open), and so
 *    are zc_pack_get, zc_pack_acquire and zc_hold_release (the decoded-entry cache
 *    synchronises itself: a cache hit, and a release while the cache's resident bytes
 *    are within its budget, take no lock and write no memory that holds on another
 *    thread write, except the entry's own slot when both hold that entry; decodes and
 *    evictions take the cache's lock).
 *
 * Trust
 *  Validation happens at open (zc_pack_desc.validate) or on demand (zc_pack_validate),
 *  and every check is paid once. At the default level, ZC_VALIDATE_TOC, open checks
 *  the header and the first 4 KiB of the TOC against their checksums; the rest of the
 *  TOC is checked 4 KiB at a time, the first time a lookup reads it (SPEC.md 4.9, "TOC
 *  pieces"; packs written before format 1.3 and packs of fewer than 64 entries have
 *  their whole TOC hashed at open instead). Each entry's record is checked the first
 *  time any call hands that entry out, and each typed entry's structure the first time
 *  a view is made of it (zc_*_view_from_entry). The results are remembered in the pack
 *  (one byte per entry and per TOC piece, allocated at open; lock-free, any thread),
 *  so a second lookup or view costs no check, and no call hands out a pointer into an
 *  entry before it passed. Damage is then reported where it is found: a lookup or
 *  entry whose TOC bytes are damaged fails with ZC_ERR_TOC_CHECKSUM, the others work. At
 *  ZC_VALIDATE_FULL and CHECKSUMS everything is checked at open. After a successful
 *  validation at a level, every accessor is safe on that pack for everything that
 *  level covers (SPEC.md, "Validation levels").
 *  Nothing in the runtime aborts or crashes on bad data: it returns an error code and
 *  logs a sentence naming the problem through the pack's logger. Checksums find
 *  accidents, not attackers: to accept only packs you made, sign them (zcpack sign)
 *  and give zc_pack_desc.trusted_keys, which checks a signature over every byte first
 *  (zc_pack_open, "Signatures"; SPEC.md sections 14 and 15). Mount tables
 *  (zc_mounts_desc) and hot reload (zc_live_desc, every generation) take the same keys.
 *
 * Companion headers
 *  zc_live.h         hot reload (zc_live_*): declared only when ZC_EDITOR is defined.
 *  zc_stream_io.h    callback adapters that hand a zc_stream to libraries wanting a
 *                    file (PhysicsFS-style io, stdio/ogg-style callbacks).
 *  zc_pack_format.h  for tools: every validator, the pack header and TOC records,
 *                    diagnostics and the type registry, on top of this header.
 */
#ifndef ZC_PACK_H
#define ZC_PACK_H

#include <stddef.h>
#include <stdint.h>

/* The archived layouts the views hand out (structs, enums, limits, tiny accessors):
 * the first half of each type's header. Validators, the pack header and TOC records
 * are in zc_pack_format.h, for tools. */
#include "zc_result.h"
#include "zc_layout.h"
#ifndef ZC__LAYOUT_ONLY
#define ZC__LAYOUT_ONLY
#define ZC__PACK_H_SET_LAYOUT_ONLY
#endif
#include "zc_texture.h"
#include "zc_mesh.h"
#include "zc_material.h"
#include "zc_scene.h"
#include "zc_skeleton.h"
#include "zc_animation.h"
#include "zc_morph.h"
#ifdef ZC__PACK_H_SET_LAYOUT_ONLY
#undef ZC__LAYOUT_ONLY
#undef ZC__PACK_H_SET_LAYOUT_ONLY
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------
 * Versions
 * ------------------------------------------------------------------------------- */

#define ZC_VERSION_MAJOR 0
#define ZC_VERSION_MINOR 1
#define ZC_VERSION_PATCH 0
#define ZC_VERSION_NUMBER ((ZC_VERSION_MAJOR << 16) | (ZC_VERSION_MINOR << 8) | ZC_VERSION_PATCH)

/* "0.1.0": the library version, independent of the on-disk format version
 * (ZC_FORMAT_MAJOR/MINOR in zc_layout.h). Static string; any thread. */
const char *zc_version_string(void);

/* ZC_VERSION_NUMBER of the linked library (compare with the header's macro). */
uint32_t zc_version_number(void);

/* ---------------------------------------------------------------------------------
 * Hooks
 * ------------------------------------------------------------------------------- */

/* Allocator: alloc returns memory aligned to at least 16 bytes or NULL; free accepts
 * NULL. Called from the thread that opens or closes the pack, and from every thread
 * that decodes a compressed entry (zc_pack_acquire, zc_hold_release, a prefetcher's
 * workers, zc_pack_validate): it must be thread-safe when several threads use the
 * pack's compressed entries, and may be called while the pack's cache lock is held
 * (it must not call back into the runtime). zstd's own decoding contexts and
 * dictionaries (about 100 KiB per decoding thread) come from malloc. */
typedef struct zc_allocator {
    void *(*alloc)(size_t size, void *user_data);   /* default: malloc */
    void (*free)(void *ptr, void *user_data);       /* default: free */
    void *user_data;                                /* default: NULL */
} zc_allocator;

typedef enum zc_log_level {
    ZC_LOG_ERROR = 0,
    ZC_LOG_WARNING = 1,
    ZC_LOG_INFO = 2,
} zc_log_level;

/* Logger: receives one complete sentence per call, without a trailing newline, e.g.
 * "game.zcpack: entry 12 (maps/a.bin): bytes at 4096 (+9000) lie outside the payload
 * area [128, 8192)". Called on the thread that made the failing call. */
typedef struct zc_logger {
    void (*func)(zc_log_level level, const char *message, void *user_data); /* default: silent */
    void *user_data;                                                          /* default: NULL */
} zc_logger;

/* ---------------------------------------------------------------------------------
 * Opening
 * ------------------------------------------------------------------------------- */

typedef enum zc_validate {
    ZC_VALIDATE_DEFAULT = 0,    /* = ZC_VALIDATE_TOC */
    ZC_VALIDATE_NONE,           /* header fields only, no checksums: for packs whose
                                   signature by a trusted key was verified at open
                                   (zc_pack_desc.trusted_keys), or that are otherwise
                                   trusted */
    ZC_VALIDATE_TOC,            /* header + TOC: checksums, the lookup index, the
                                   records' dependency counts adding up to at most the
                                   TOC's dependency list (ZC_ERR_LIMIT; SPEC R14, so
                                   walking every entry's dependencies is linear in the
                                   TOC size); each record's bounds, path and id when its
                                   entry is first handed out, each typed entry's
                                   structure when a view is first made of it (both once
                                   per pack, "Trust" above). A TOC with pieces is
                                   checked piece by piece where it is read, and the
                                   index's and R14's whole-TOC checks run before a
                                   prefetch first follows dependencies; else all at
                                   open. zc_pack_validate at this level checks all of it
                                   at once: call it before walking every entry's
                                   dependencies yourself */
    ZC_VALIDATE_FULL,           /* TOC + every entry's structure through the type registry
                                   and the registered types (entries of unknown types
                                   are opaque: not checked, not an error) */
    ZC_VALIDATE_CHECKSUMS,      /* FULL + XXH3 of every entry's bytes */
} zc_validate;

/* Work bound of validation at ZC_VALIDATE_FULL and ZC_VALIDATE_CHECKSUMS (zc_pack_open,
 * zc_pack_validate, and hot reload, which opens each generation the same way). Records
 * that share one payload (same offset, stored size, codec, raw size, type, layout hash
 * and content hash) are decoded and checked once. The raw bytes decoded in all by one
 * validation are at most the larger of ZC_VALIDATE_DECODE_RATIO times the file size
 * and max_decoded_size; a pack that needs more is refused with ZC_ERR_LIMIT before the
 * entry that would cross the bound is decoded. Why 1024: without a bound a 38 KB pack
 * whose records share one frame that decodes to 1 GiB costs minutes; zstd's own limit
 * is about 32768:1 (RLE blocks), while real asset packs compress 2:1 to 20:1 overall,
 * so 1024:1 over the whole file is far above any real pack, and the max_decoded_size
 * floor keeps a small pack that holds one large, very compressible entry (allowed per
 * entry anyway) valid. Validation time is then linear in the file size. */
#define ZC_VALIDATE_DECODE_RATIO 1024u

/* A trusted public key (SPEC.md section 15): what zc_public_key_parse makes of a
 * `zcpack keygen` .pub file. Plain data; copy it freely. */
typedef struct zc_public_key {
    uint32_t algorithm;                 /* ZC_SIGNATURE_ED25519_BLAKE2B (1) */
    uint8_t key_id[ZC_KEY_ID_SIZE];     /* the first 8 bytes of BLAKE2b-256 of `key` */
    uint8_t key[ZC_PUBLIC_KEY_SIZE];    /* Ed25519 public key */
} zc_public_key;

/* How zc_pack_open brings a file into memory (zc_pack_desc.load). */
typedef enum zc_load {
    ZC_LOAD_DEFAULT = 0,        /* = ZC_LOAD_MAP */
    ZC_LOAD_MAP,                /* map the file read-only; open costs no reading beyond
                                   what validation touches, and pages come in on use.
                                   The file must not shrink or change while the pack is
                                   open (see zc_pack_open). Falls back to ZC_LOAD_READ
                                   when the system cannot map the file (logged as a
                                   warning) */
    ZC_LOAD_READ,               /* read the whole file into one buffer from the pack's
                                   allocator at open, then close it: the pack never looks
                                   at the file again, so truncating, rewriting or deleting
                                   it afterwards cannot affect the pack (the mode that
                                   survives truncation; a file that shrinks during that
                                   read is ZC_ERR_TRUNCATED). Costs reading the whole
                                   file at open and holding it in memory until close */
} zc_load;

typedef struct zc_pack_desc {
    const char *path;           /* UTF-8 file path; default: NULL = open `memory` instead */
    const void *memory;         /* pack bytes when path is NULL; borrowed. Must be 16-byte
                                   aligned; entries keep their declared alignment (up to
                                   4096) only if the buffer is aligned that much */
    size_t memory_size;         /* bytes at `memory`; default: 0 */
    zc_validate validate;       /* default: ZC_VALIDATE_TOC */
    zc_load load;               /* default: ZC_LOAD_MAP; ignored for `memory` packs */
    int no_mmap;                /* default: 0; older spelling of load = ZC_LOAD_READ: non-zero
                                   means ZC_LOAD_READ when load is ZC_LOAD_DEFAULT (with
                                   ZC_LOAD_MAP it is a contradiction: ZC_ERR_INVALID_ARGUMENT) */
    zc_allocator allocator;     /* default: malloc/free */
    zc_logger logger;           /* default: silent */
    const char *name;           /* name used in log messages; default: path or "memory" */
    uint64_t cache_budget;      /* default: 0 = ZC_DEFAULT_CACHE_BUDGET; bytes of decoded
                                   compressed entries kept while nobody holds them */
    uint64_t max_decoded_size;  /* default: 0 = ZC_DEFAULT_MAX_DECODED_SIZE; a compressed entry
                                   whose raw_size is larger is refused (ZC_ERR_LIMIT) */
    const zc_public_key *trusted_keys; /* default: NULL = no signature check: signed and
                                   unsigned packs open alike. Else the pack must carry a
                                   signature by one of these keys that verifies, or open
                                   fails with ZC_ERR_SIGNATURE (see zc_pack_open); read
                                   during zc_pack_open only */
    uint32_t trusted_key_count; /* default: 0; keys at trusted_keys (several allow key
                                   rotation: a pack signed by any of them opens) */
    const zc_type_row *types;   /* default: NULL = only the built-in types. Entry types the
                                   application registers (schema types: the generated
                                   header's <ROOT>_TYPE_ROW), checked like built-in ones at
                                   FULL/CHECKSUMS and on first typed access
                                   (zc_entry_typed). Copied at open: the array may go away
                                   after zc_pack_open returns, the check functions must stay
                                   callable, from any thread, until the pack is closed. A
                                   built-in tag, a tag listed twice or a NULL check is
                                   ZC_ERR_INVALID_ARGUMENT */
    uint32_t type_count;        /* default: 0; rows at types (at most ZC_MAX_REGISTERED_TYPES) */
} zc_pack_desc;

#define ZC_MAX_REGISTERED_TYPES 256u

#define ZC_DEFAULT_CACHE_BUDGET ((uint64_t)256 << 20)      /* 256 MiB */
#define ZC_DEFAULT_MAX_DECODED_SIZE ((uint64_t)1 << 30)    /* 1 GiB */
#define ZC_MAX_WINDOW_LOG 27                               /* zstd frames with a larger window
                                                              (128 MiB) are refused */

typedef struct zc_pack zc_pack;

/* Open a pack and validate it at desc->validate.
 * On success *out_pack holds a new pack (ZC_OK). On error *out_pack is NULL, nothing
 * is leaked, and the logger has received one sentence naming the problem. Errors:
 * ZC_ERR_INVALID_ARGUMENT (NULL out_pack or desc, neither path nor memory, a
 * validate or load value outside its enum, no_mmap with ZC_LOAD_MAP),
 * ZC_ERR_FILE_NOT_FOUND, ZC_ERR_IO, ZC_ERR_OUT_OF_MEMORY, and every format error
 * (ZC_ERR_NOT_A_PACK, ZC_ERR_MANGLED, ZC_ERR_VERSION, ZC_ERR_ENDIAN, ZC_ERR_TRUNCATED,
 * ZC_ERR_FILE_SIZE, ZC_ERR_HEADER_CHECKSUM, ZC_ERR_BAD_HEADER, ZC_ERR_TOC_CHECKSUM,
 * ZC_ERR_BAD_TOC, ZC_ERR_BAD_PATH, ZC_ERR_BAD_ALIGNMENT, ZC_ERR_LIMIT and, at
 * FULL/CHECKSUMS, the entry errors of zc_pack_validate), and ZC_ERR_SIGNATURE.
 * Maps the file read-only (ZC_LOAD_MAP, the default) and reads its header (the first
 * 256 bytes, one pread) rather than faulting in the mapping's first page; reads it into
 * one buffer from desc->allocator with ZC_LOAD_READ or when mapping fails. At the
 * default level a TOC with pieces (SPEC.md 4.9) costs open its first 4 KiB and the
 * piece table's first value, whatever the entry count; lookups and entries then touch
 * and check only the pieces they use. A mapped pack's TOC without pieces is read once
 * with pread, 64 KiB at a time through one buffer from desc->allocator (freed before
 * open returns), for its checksum, the lookup index and R14, so open faults in no page
 * of the mapping. FULL and CHECKSUMS read the TOC in the mapping. Untrusted input:
 * safe on any file whose contents do not change while it is open.
 *
 * Signatures. With desc->trusted_keys, after the header's own checks and before any
 * validation level, the header checksum is checked (the one field the signature
 * cannot cover) and then the signature: an unsigned pack, a pack whose key id names
 * none of the trusted keys, a signature block of an unknown version or algorithm, and
 * a signature that does not verify (any byte of the file changed since signing) are
 * refused with ZC_ERR_SIGNATURE and a log sentence saying which. This costs one
 * BLAKE2b-512 pass over the whole file, about 500 MB/s on one core here (SPEC.md
 * section 14.4): less than FULL or CHECKSUMS on packs with compressed entries, which
 * those levels decode, and about four times the XXH3 pass of CHECKSUMS on
 * uncompressed bytes. After a good signature desc->validate applies as usual, and
 * since the signature covers every byte, a pack signed by a key you trust may be opened at
 * ZC_VALIDATE_NONE or TOC safely: only the holder of the secret key can have made
 * it (whether that holder writes well-formed packs is the trust you place in the
 * key). Without trusted keys nothing of this runs: a signed pack opens like any other,
 * its signature block being header bytes a reader may ignore (zc_pack_get_info still
 * reports the key id it names, unverified). A build without libsodium
 * (ZC_NO_SODIUM, for a platform that has none) refuses every open that gives keys
 * with ZC_ERR_SIGNATURE.
 *
 * The file while the pack is open. A mapped pack reads the file itself, through the
 * mapping, from open until close (lifetime rule 5), so it relies on nobody changing
 * that file in place:
 *  - Truncated (made shorter) on POSIX systems: the first read of a page past the new
 *    end raises SIGBUS in whichever thread touches it, inside the runtime or in the
 *    engine's own use of zc_entry.data; unhandled, SIGBUS ends the process. System
 *    calls given such a pointer (write(2) of an entry's bytes) fail with EFAULT
 *    instead. On Windows a mapped file cannot be truncated: the other program's
 *    attempt fails.
 *  - Rewritten in place: the pack sees the new bytes, which were never validated, and
 *    a reader may see a mixture of old and new (torn data).
 *  - Replaced by renaming another file over the path, or deleted: harmless. The pack
 *    keeps reading the file it opened until close.
 * zcpack's own writers never change a pack in place: `zcpack build`, `zcpack watch`
 * and patch builds (the zc_writer API) write a new file under a temporary name beside
 * the destination and rename it over the path, so a running reader keeps the old
 * file. Other tools (a downloader, a copy over the old file, `cp`, a launcher that
 * patches packs) may not. An engine that cannot rule that out can:
 *  - open with .load = ZC_LOAD_READ: the pack is a private copy read at open; later
 *    changes to the file cannot reach it (cost: reading the whole file at open and
 *    holding it in memory; entries are still used in place in that buffer);
 *  - or keep mapping and install its own SIGBUS handler (sigaction with SA_SIGINFO,
 *    siglongjmp to a recovery point of the thread that faulted) and report the pack
 *    as damaged: what `zcpack` does for every command (packer/cli/zc_cli_guard.c).
 *    Stop using a pack that faulted: its mapping faults again, and a runtime call
 *    left by the jump may hold the pack's cache lock, so abandon the pack (leak it)
 *    or end the process rather than close it.
 * Hot reload (zc_live.h) follows the same rules for every generation it opens. */
zc_result zc_pack_open(zc_pack **out_pack, const zc_pack_desc *desc);

/* Give up the opener's reference: unmap and free everything unless holds
 * (zc_pack_acquire) or mount tables (zc_mounts_add) still keep the pack alive, in
 * which case that happens when the last of them lets go. NULL is a no-op. After close
 * the caller must not use the pack again; pointers obtained without a hold become
 * invalid (lifetime rule 1), held bytes stay valid until released. */
void zc_pack_close(zc_pack *pack);

/* Run validation at `level` on an open pack (e.g. open at TOC level for speed, then
 * verify fully in a tool). An entry of a type neither built in nor registered
 * (zc_pack_desc.types) is opaque: its record and, at CHECKSUMS, its content hash are
 * checked, its structure is not, and it fails nothing (SPEC.md 8.3, 16.12). Entry
 * errors: ZC_ERR_LAYOUT_MISMATCH,
 * ZC_ERR_UNSUPPORTED_CODEC, the structural errors of the type's validator, and
 * ZC_ERR_ENTRY_CHECKSUM; for compressed entries also zc_pack_acquire's decoding
 * errors; at CHECKSUMS, after every entry, ZC_ERR_BAD_PADDING when a byte between
 * payloads is not zero (so every byte of the file is checked). Logs the first problem
 * found; returns its code. At FULL and CHECKSUMS each compressed entry is decoded into
 * a temporary buffer from the pack's allocator (one at a time, freed before the next;
 * the cache is not filled) and its content hash is checked already at FULL; the
 * padding check at CHECKSUMS sorts the payloads, on the stack for packs of up to 256
 * entries, else in one temporary array of 16 bytes per entry from the same allocator;
 * otherwise allocation-free. Any thread; reads the whole pack at CHECKSUMS level. */
zc_result zc_pack_validate(const zc_pack *pack, zc_validate level);

/* zc_pack_validate with the entries' checks at FULL and CHECKSUMS shared among
 * `threads` threads: this one and up to threads - 1 it starts and joins before
 * returning (at most 64, and no more than there are entries; a thread that cannot
 * start leaves its share to this one). The same checks, errors and decode budget as
 * zc_pack_validate; records that share a payload are checked by one thread, which
 * decodes it once. When several entries are damaged, which one is reported may
 * differ from zc_pack_validate's choice. threads 0 or 1, and levels below FULL, are
 * zc_pack_validate. Allocates one block of about 48 bytes per entry from the pack's
 * allocator, which the threads call too (for decode buffers); the logger is called
 * on the calling thread only. Any thread; reads the whole pack at CHECKSUMS level. */
zc_result zc_pack_validate_threads(const zc_pack *pack, zc_validate level, uint32_t threads);

/* ---------------------------------------------------------------------------------
 * Pack facts
 * ------------------------------------------------------------------------------- */

typedef struct zc_pack_info {
    uint16_t format_major, format_minor;
    uint32_t writer_version;    /* ZC_VERSION_NUMBER of the writer */
    uint64_t file_size;
    uint64_t toc_offset, toc_size;
    uint32_t entry_count;
    uint32_t dep_count;
    uint64_t payload_bytes;     /* sum of every record's stored size (a payload shared by
                                   several records is counted once per record) */
    int mapped;                 /* 1 when the pack is memory-mapped */
    zc_validate validated;      /* highest level the pack has passed at open */
    int is_signed;              /* 1 when the header carries a signature block */
    int signature_verified;     /* 1 when the signature was verified at open against one of
                                   zc_pack_desc.trusted_keys */
    uint8_t signer_key_id[ZC_KEY_ID_SIZE]; /* key id the block names (zeros when unsigned);
                                   unverified unless signature_verified */
    uint32_t index_buckets;     /* buckets of the lookup index (SPEC.md 4.8); 0: the pack has
                                   none and lookups search the records in O(log n) */
    uint64_t header_checksum;   /* the header's checksum field (SPEC.md 3.3), as stored */
    uint64_t toc_checksum;      /* the header's TOC checksum field: with file_size, what a
                                   pack set's index records of a member (zc_pack_set_open) */
    uint64_t toc_pieces;        /* pieces the TOC is checked in where it is read (SPEC.md
                                   4.9); 0: none, the TOC is checked whole at open */
    uint32_t toc_piece_size;    /* bytes of a piece (the last may be shorter); 0: none */
} zc_pack_info;

/* Fill *out with the pack's header facts. ZC_ERR_INVALID_ARGUMENT on NULL;
 * ZC_ERR_TOC_CHECKSUM (logged) when the records, which payload_bytes sums, are damaged
 * in a TOC checked piece by piece. O(entries); allocation-free; any thread. */
zc_result zc_pack_get_info(const zc_pack *pack, zc_pack_info *out);

/* ---------------------------------------------------------------------------------
 * Signatures (SPEC.md sections 14 and 15)
 * ------------------------------------------------------------------------------- */

/* Parse the text of a public key file written by `zcpack keygen` (<name>.pub): one
 * comment line, then the base64 key line, then at most one newline. Checks the key
 * line's size, its "ZP" prefix, the algorithm and that the key id is the one derived
 * from the key (a damaged or edited file is refused, not trusted under a wrong id).
 * ZC_OK fills *out; ZC_ERR_SIGNATURE for anything else, with one sentence to `logger`
 * (may be NULL) naming the problem; ZC_ERR_INVALID_ARGUMENT for NULL text or out.
 * `text` need not be NUL-terminated. Untrusted input: safe on any bytes (at most 4096
 * are accepted). Allocation-free; any thread. In a build without libsodium
 * (ZC_NO_SODIUM) always ZC_ERR_SIGNATURE. */
zc_result zc_public_key_parse(const char *text, size_t length, zc_public_key *out, const zc_logger *logger);

/* The message a signature of this pack signs (SPEC.md 14.3): ZC_SIGNATURE_CONTEXT,
 * then the BLAKE2b-512 digest of the whole image with the header checksum field and
 * the signature field read as zero; ZC_SIGNED_MESSAGE_SIZE bytes into `out`. Meant for
 * tools that sign (the pack needs a signature block already, holding the key id;
 * `zcpack sign`). ZC_ERR_SIGNATURE when the header has no signature block, or in a
 * build without libsodium; ZC_ERR_INVALID_ARGUMENT on NULL. Reads the whole pack;
 * allocation-free; any thread. */
zc_result zc_pack_signed_message(const zc_pack *pack, uint8_t out[ZC_SIGNED_MESSAGE_SIZE]);

/* ---------------------------------------------------------------------------------
 * Entries
 * ------------------------------------------------------------------------------- */

typedef struct zc_entry {
    uint64_t id;                /* asset id (zc_asset_id of the path) */
    const char *path;           /* NUL-terminated UTF-8, inside the pack */
    uint32_t path_length;       /* bytes without the NUL */
    uint32_t index;             /* position in the TOC, [0, entry_count) */
    uint32_t type;              /* FourCC tag (ZC_TYPE_BLOB, ...) */
    uint32_t layout_hash;       /* layout of the type the writer used */
    zc_codec codec;             /* ZC_CODEC_NONE: data is usable in place */
    uint32_t alignment;         /* bytes (16..4096); data is aligned to it (mapped and read
                                   packs always; memory packs as far as their buffer is) */
    uint64_t offset;            /* file offset of the stored bytes */
    uint64_t stored_size;       /* bytes in the file */
    uint64_t raw_size;          /* bytes of the entry's content */
    uint64_t content_hash;      /* XXH3-64 of the content */
    const uint64_t *deps;       /* deps_count asset ids this entry references */
    uint32_t deps_count;
    const void *data;           /* stored bytes in the mapping (never a copy) */
    const struct zc_pack *pack; /* the pack that filled this entry (views remember their
                                   checks there); NULL for an entry filled by hand */
} zc_entry;

/* 64-bit asset id of a path: XXH3-64 of its `length` bytes. Pure; any thread. */
uint64_t zc_asset_id(const char *path, size_t length);

/* Look an entry up by path (NUL-terminated, '/'-separated, as `zcpack ls` prints it).
 * ZC_OK fills *out; ZC_ERR_NO_ENTRY when absent; ZC_ERR_INVALID_ARGUMENT on NULL; at
 * level TOC, the record's own error (ZC_ERR_BAD_TOC, ZC_ERR_BAD_PATH,
 * ZC_ERR_BAD_ALIGNMENT, ZC_ERR_LIMIT, logged) when the entry it finds is damaged:
 * every entry's record is checked the first time any call hands it out ("Trust"
 * above); ZC_ERR_TOC_CHECKSUM (logged) when TOC bytes the lookup read are damaged,
 * in a pack whose TOC is checked piece by piece, a miss included. O(1) expected in packs with a lookup index (every pack of 64 entries or more
 * that zcpack 0.1 writes, SPEC.md 4.8), O(log n) otherwise; allocation-free and
 * lock-free, any thread. Compares the path itself, so two paths with colliding ids are
 * never confused. */
zc_result zc_pack_find(const zc_pack *pack, const char *path, zc_entry *out);

/* Look up `count` paths at once, as a level load resolves its list of assets:
 * results[i] and out[i] are what zc_pack_find(pack, paths[i], &out[i]) gives (out[i]
 * is written only when results[i] is ZC_OK; a NULL paths[i] gives
 * ZC_ERR_INVALID_ARGUMENT). Returns ZC_OK when every path was found, else the first
 * failing path's result. The lookups run interleaved in groups of 16, each pass
 * starting the memory reads of the next (the index buckets, the records, their paths),
 * so in a pack whose TOC is larger than the CPU's caches their cache misses overlap
 * instead of following one another. ZC_ERR_INVALID_ARGUMENT when pack is NULL, or
 * paths, out or results is NULL with count > 0. Same checks as zc_pack_find;
 * allocation-free and lock-free, any thread. */
zc_result zc_pack_find_many(const zc_pack *pack, const char *const *paths, size_t count, zc_entry *out,
                            zc_result *results);

/* Look an entry up by asset id. Same contract as zc_pack_find. */
zc_result zc_pack_find_id(const zc_pack *pack, uint64_t id, zc_entry *out);

/* The entry at TOC position index (ids ascending). ZC_ERR_NO_ENTRY when
 * index >= entry_count; a damaged record's error as for zc_pack_find. O(1),
 * allocation-free, any thread. */
zc_result zc_pack_entry_at(const zc_pack *pack, uint32_t index, zc_entry *out);

/* Number of entries; 0 for NULL. Any thread. */
uint32_t zc_pack_entry_count(const zc_pack *pack);

/* The entry's bytes, in place, checked against the expected type: ZC_OK sets *out_data
 * and *out_size; ZC_ERR_TYPE_MISMATCH when `type` is non-zero and differs;
 * ZC_ERR_LAYOUT_MISMATCH when the type is known and its layout differs from this
 * reader's; ZC_ERR_UNSUPPORTED_CODEC for compressed entries, whose raw bytes exist
 * only decoded: zc_pack_get (or zc_pack_acquire) holds them, whatever the codec.
 * Allocation-free, any thread. */
zc_result zc_entry_bytes(const zc_entry *entry, uint32_t type, const void **out_data, uint64_t *out_size);

/* The entry's bytes as an entry of `type` (non-zero), structurally checked: the type's
 * registered check (zc_pack_desc.types) or built-in one, run on the first typed access
 * of an entry of an opened pack and remembered (each time for an entry not filled by a
 * pack, which knows only the built-in types). ZC_OK sets *out_data and *out_size;
 * ZC_ERR_TYPE_MISMATCH when the entry is of another type; ZC_ERR_UNKNOWN_TYPE when
 * neither the pack's registered types nor the built-in ones hold `type` (the entry's
 * bytes stay reachable as opaque bytes through zc_entry_bytes); ZC_ERR_LAYOUT_MISMATCH
 * when the entry was written with another layout (the pack's logger names both
 * hashes); ZC_ERR_UNSUPPORTED_CODEC for a compressed entry (use zc_pack_get's bytes
 * with the generated validator); the check's structural error. Safe on untrusted
 * packs; allocation-free, any thread. */
zc_result zc_entry_typed(const zc_entry *entry, uint32_t type, const void **out_data, uint64_t *out_size);

/* Fields in which two entries differ (zc_entry_differences). */
enum {
    ZC_DIFF_TYPE = 1u << 0,         /* type tag */
    ZC_DIFF_LAYOUT = 1u << 1,       /* layout hash */
    ZC_DIFF_CONTENT = 1u << 2,      /* content hash (XXH3 of the raw bytes) */
    ZC_DIFF_RAW_SIZE = 1u << 3,     /* raw size */
    ZC_DIFF_DEPS = 1u << 4,         /* dependency list (ids, in order) */
    ZC_DIFF_ALL = 0x1Fu,
};

/* Which of the ZC_DIFF_* fields differ between two entries (usually of one path in two
 * packs or two generations of one pack); 0 when they are the same entry. This is the one
 * meaning of "changed" everywhere: hot reload's change report (zc_live.h), patch builds
 * and `zcpack diff`. An entry changed when its type, layout hash, content hash, raw size
 * or dependency list differs; codec, stored size, offset, alignment and position in the
 * TOC are how an entry is stored, not what it is, and never count. ZC_DIFF_ALL when
 * either is NULL. Reads only the TOC facts and the dependency lists of the entries (as
 * trustworthy as the packs' validation made them). Pure, allocation-free; any thread. */
uint32_t zc_entry_differences(const zc_entry *a, const zc_entry *b);

/* ---------------------------------------------------------------------------------
 * Textures
 *
 * A texture view describes a texture and reaches each of its levels; the runtime fills
 * it from an archived entry (zc_texture_view_from_entry), pointing into the mapping,
 * or from a payload in memory (zc_texture_view_from_bytes).
 * ------------------------------------------------------------------------------- */

typedef struct zc_texture_level_view {
    const void *data;           /* first byte of the level (top row of blocks) */
    uint64_t size;              /* bytes: row_pitch * block rows * depth */
    uint32_t width, height, depth;
    uint32_t row_pitch;         /* bytes between rows of blocks */
} zc_texture_level_view;

typedef struct zc_texture_view {
    zc_pixel_format format;
    uint32_t width, height, depth;  /* level 0, texels */
    uint32_t layers;
    uint32_t mip_count;
    uint32_t flags;                 /* ZC_TEXTURE_* */
    uint32_t row_pitch_align;
    const zc_texture_level *levels; /* archived level records (mip_count * layers) */
} zc_texture_view;

/* Fill a view from a texture entry, in place. Checks the type, the layout and the
 * codec like zc_entry_bytes, then the texture's whole structure (zc_texture_check:
 * every level against the extent and the format, every level inside the entry), so it
 * is safe on packs opened at any validation level. ZC_ERR_TYPE_MISMATCH,
 * ZC_ERR_LAYOUT_MISMATCH, ZC_ERR_UNSUPPORTED_CODEC, ZC_ERR_BAD_ENTRY, ZC_ERR_LIMIT,
 * ZC_ERR_BAD_POINTER, ZC_ERR_BAD_ALIGNMENT. O(levels); allocation-free; any thread.
 * A compressed texture (stored so only when the build's manifest asked for it) gives
 * ZC_ERR_UNSUPPORTED_CODEC: hold it with zc_pack_get and fill the view with
 * zc_texture_view_from_bytes(hold.data, hold.size, &view); the decoded buffer keeps
 * the entry's alignment, and the view lives as long as the hold. */
zc_result zc_texture_view_from_entry(const zc_entry *entry, zc_texture_view *out);

/* The same from a texture payload in memory (16-byte aligned; ZC_ERR_INVALID_ARGUMENT
 * otherwise), e.g. an entry the packer has just built or one decoded from a compressed
 * entry. Level pointers point into `data`. Same checks and errors, without the type,
 * layout and codec checks of an entry. */
zc_result zc_texture_view_from_bytes(const void *data, uint64_t size, zc_texture_view *out);

/* One level of one layer: pointer into the mapping, size, extent and row pitch.
 * ZC_ERR_NO_ENTRY when level >= mip_count or layer >= layers. O(1); allocation-free;
 * any thread. */
zc_result zc_texture_view_level(const zc_texture_view *view, uint32_t level, uint32_t layer,
                                zc_texture_level_view *out);

/* ---------------------------------------------------------------------------------
 * References between entries
 * ------------------------------------------------------------------------------- */

/* Resolve an asset id found inside an entry (a material's texture, a submesh's
 * material, a scene's mesh) to the entry it names, checking its type: ZC_OK fills
 * *out; ZC_ERR_NO_ENTRY when no entry has the id (id 0 included: it means "none" and
 * callers test it first); ZC_ERR_TYPE_MISMATCH when the entry is not of `type`
 * (0 accepts any type), with *out filled all the same so the caller can name the
 * entry it found; ZC_ERR_INVALID_ARGUMENT on NULL; a damaged record's error (logged)
 * as for zc_pack_find, otherwise logs nothing. O(1) with a lookup index, else
 * O(log n); allocation-free; any thread. */
zc_result zc_pack_resolve(const zc_pack *pack, uint64_t id, uint32_t type, zc_entry *out);

/* ---------------------------------------------------------------------------------
 * Meshes, materials and scenes
 *
 * As for textures, a view is a small struct of pointers and counts. The runtime fills
 * one from an entry (zc_*_view_from_entry: pointers into the mapping) and anyone can
 * fill one from a payload in memory (zc_*_view_from_bytes), which is how the packer
 * hands out freshly imported models: engine code that draws a view has one path for
 * both. A view is filled only after the type's full structural check passed (SPEC.md),
 * so it is safe to walk whatever the pack's validation level: every index is below
 * vertex_count, every stream lies inside the entry, every parent is earlier. For an
 * entry of a pack opened at ZC_VALIDATE_TOC the check runs on the first view of that
 * entry and is remembered (later views of it cost a few loads; at FULL and CHECKSUMS
 * open ran it); at ZC_VALIDATE_NONE, for entries filled by hand (zc_entry.pack NULL)
 * and in every _from_bytes call it runs each time.
 * Pointers in a view live as long as the bytes they point into (lifetime rule 1 for
 * entries; the caller's buffer for _from_bytes). Views need no cleanup.
 *
 * Compressed entries (codec ZC_CODEC_ZSTD) cannot be viewed in place. The packer
 * compresses by default only blobs and entries of types without a view; texture, mesh,
 * material and scene entries stay uncompressed unless the build's manifest says
 * "compress": true for them. For a compressed entry zc_*_view_from_entry
 * returns ZC_ERR_UNSUPPORTED_CODEC. Hold the entry with zc_pack_get and
 * call zc_*_view_from_bytes(hold.data, hold.size, &view): the view then lives as long
 * as the hold. Doing so for every entry works for uncompressed ones too (their hold
 * hands out the bytes in the mapping).
 * ------------------------------------------------------------------------------- */

typedef struct zc_vertex_stream_view {
    const void *data;               /* vertex_count * stride bytes, 16-byte aligned */
    uint32_t stride;                /* bytes per vertex */
} zc_vertex_stream_view;

typedef struct zc_mesh_view {
    uint32_t vertex_count;
    uint32_t index_count;           /* a multiple of 3: a triangle list, counter-clockwise front */
    uint32_t index_size;            /* 2 (uint16_t indices) or 4 (uint32_t) */
    float aabb_min[3], aabb_max[3]; /* object-space bounds */
    float sphere_center[3], sphere_radius;
    uint32_t stream_count;          /* [1, ZC_MESH_MAX_STREAMS] */
    zc_vertex_stream_view streams[ZC_MESH_MAX_STREAMS];
    uint32_t attribute_count;
    const zc_vertex_attribute *attributes;  /* semantic, format, stream, offset */
    const void *indices;            /* index_count * index_size bytes */
    uint32_t submesh_count;
    const zc_submesh *submeshes;    /* index ranges and material asset ids */
    uint32_t meshlet_count;         /* 0: no meshlets */
    const zc_meshlet *meshlets;
    const uint32_t *meshlet_vertices;
    const uint8_t *meshlet_triangles;
} zc_mesh_view;

/* Fill a mesh view from a mesh entry / from a mesh payload in memory. Checks type,
 * layout and codec like zc_entry_bytes (from_entry only), then zc_mesh_check. On any
 * error *out is zeroed. Errors: ZC_ERR_INVALID_ARGUMENT (NULL, or a payload that is
 * not 16-byte aligned), ZC_ERR_TYPE_MISMATCH, ZC_ERR_LAYOUT_MISMATCH,
 * ZC_ERR_UNSUPPORTED_CODEC and the check's structural errors (ZC_ERR_BAD_ENTRY,
 * ZC_ERR_BAD_POINTER, ZC_ERR_BAD_STRING, ZC_ERR_LIMIT, ZC_ERR_BAD_ALIGNMENT).
 * O(indices + meshlets); allocation-free; any thread. Untrusted input: safe. */
zc_result zc_mesh_view_from_entry(const zc_entry *entry, zc_mesh_view *out);
zc_result zc_mesh_view_from_bytes(const void *payload, uint64_t size, zc_mesh_view *out);

/* The attribute with `semantic` (zc_vertex_semantic), NULL when the mesh has none.
 * Any thread. */
const zc_vertex_attribute *zc_mesh_view_attribute(const zc_mesh_view *view, uint32_t semantic);

/* Read attribute `attr` (one of view->attributes) of vertex `vertex` as floats in
 * out[0..3]. FLOAT formats are read as they are (binary16 widened exactly), SNORM as
 * max(v / (2^(n-1) - 1), -1), UNORM as v / (2^n - 1), UINT as the integer value.
 * A POSITION is always x, y, z with out[3] = 1 (a fourth stored component is padding)
 * and a normalized POSITION is mapped back onto the bounds (zc_mesh.h). Components the
 * format lacks are 0. Returns the number of components (3 for POSITION, else the
 * format's), 0 with out zeroed when vertex >= vertex_count, attr is NULL or does not
 * fit its stream. For tools and tests; an engine uploads the streams as they lie.
 * Allocation-free; any thread. */
uint32_t zc_mesh_view_read(const zc_mesh_view *view, const zc_vertex_attribute *attr, uint32_t vertex,
                           float out[4]);

/* Index `i` of the index buffer, whatever its size; 0 when i >= index_count. Any
 * thread. */
uint32_t zc_mesh_view_index(const zc_mesh_view *view, uint32_t i);

typedef struct zc_material_texture_view {
    uint64_t texture;               /* asset id of a texture entry; 0 = none */
    uint32_t texcoord;              /* TEXCOORD set the texture is sampled with */
} zc_material_texture_view;

typedef struct zc_material_view {
    const char *name;               /* NUL-terminated UTF-8, never NULL (may be "") */
    uint32_t name_length;
    zc_alpha_mode alpha_mode;
    uint32_t flags;                 /* ZC_MATERIAL_* */
    float alpha_cutoff;
    float base_color_factor[4];     /* linear RGBA */
    float emissive_factor[3];
    float metallic_factor, roughness_factor;
    float normal_scale, occlusion_strength;
    zc_material_texture_view textures[ZC_MATERIAL_SLOT_COUNT]; /* indexed by zc_material_slot */
} zc_material_view;

/* Fill a material view (the same contract as zc_mesh_view_from_entry, with
 * zc_material_check; on error *out is zeroed with name = ""). O(name length);
 * allocation-free; any thread. */
zc_result zc_material_view_from_entry(const zc_entry *entry, zc_material_view *out);
zc_result zc_material_view_from_bytes(const void *payload, uint64_t size, zc_material_view *out);

typedef struct zc_scene_view {
    uint32_t node_count;
    const zc_scene_node *nodes;     /* depth-first pre-order: parent < own index, -1 = root */
    uint32_t mesh_count;
    const zc_scene_mesh *meshes;    /* node i draws meshes[nodes[i].mesh_first, +mesh_count) */
    uint32_t camera_count;
    const zc_camera *cameras;
    uint32_t light_count;
    const zc_light *lights;
    const zc_scene *scene;          /* the archived header, for zc_scene_find_node */
} zc_scene_view;

/* Fill a scene view (the same contract as zc_mesh_view_from_entry, with
 * zc_scene_check). O(nodes + name bytes); allocation-free; any thread. */
zc_result zc_scene_view_from_entry(const zc_entry *entry, zc_scene_view *out);
zc_result zc_scene_view_from_bytes(const void *payload, uint64_t size, zc_scene_view *out);

/* Name of node `node` (NUL-terminated UTF-8, "" when unnamed or out of range) and its
 * length. Any thread. */
const char *zc_scene_view_node_name(const zc_scene_view *view, uint32_t node, uint32_t *out_length);

/* Index of the lowest-numbered node named `name` (NUL-terminated, compared bytewise),
 * -1 when none or when name or view is NULL. Binary search of the scene's name index:
 * O(log nodes), allocation-free, any thread. */
int32_t zc_scene_view_find_node(const zc_scene_view *view, const char *name);

/* World transform of every node, column-major 4x4 (element [column * 4 + row]):
 * world[i] = world[parent] * T * R * S, or T * R * S for a root, where R is the
 * rotation of the node's quaternion (normalized). Written to out_world[node_count][16]
 * in one forward pass (parents precede their children). The caller owns the buffer;
 * NULL arguments are a no-op; allocation-free; any thread. */
void zc_scene_view_world_transforms(const zc_scene_view *view, float (*out_world)[16]);

/* ---------------------------------------------------------------------------------
 * Skeletons and animation clips
 *
 * A skinned model imports as a skeleton entry "P#skeleton" (its joints, parents
 * first, with rest poses and inverse bind matrices: formats/zc_skeleton.h), meshes
 * whose JOINTS0 attribute indexes those joints (and which list the skeleton among
 * their dependencies), and one animation entry "P#animation/<i>" per clip
 * (formats/zc_animation.h). Posing a model at time t, without allocating:
 *
 * Example:
 *     zc_entry skeleton, clip;
 *     zc_skeleton_view skel;
 *     zc_animation_view anim;
 *     static zc_joint_pose locals[256];
 *     static float world[256][16], skin[256][16];
 *     float t = 0.5f;                                             // seconds into the clip
 *     if (zc_pack_find(pack, "characters/fox.glb#skeleton/0", &skeleton) == ZC_OK &&
 *         zc_pack_find(pack, "characters/fox.glb#animation/0", &clip) == ZC_OK &&
 *         zc_skeleton_view_from_entry(&skeleton, &skel) == ZC_OK &&
 *         zc_animation_view_from_entry(&clip, &anim) == ZC_OK &&  // uncompressed, or held
 *         anim.skeleton == skeleton.id && skel.joint_count <= 256) {
 *         zc_skeleton_view_rest_pose(&skel, locals);              // what no channel moves
 *         zc_animation_view_sample(&anim, t, locals, skel.joint_count);
 *         zc_skeleton_view_world(&skel, locals, world);           // one forward pass
 *         zc_skeleton_view_skin(&skel, (const float (*)[16])world, skin); // for the GPU
 *     }
 *
 * Matrices are column-major (element [column * 4 + row]) for column vectors. Every
 * function here is allocation-free and safe from any thread on views of checked
 * entries; NULL arguments make the posing functions no-ops.
 * ------------------------------------------------------------------------------- */

typedef struct zc_skeleton_view {
    uint32_t joint_count;
    const zc_joint *joints;         /* joint_count records, parents first */
    const uint32_t *name_order;     /* joint indices by name, ascending */
} zc_skeleton_view;

/* A joint's local transform: world = parent's world * T * R * S. */
typedef struct zc_joint_pose {
    float translation[3];
    float rotation[4];              /* quaternion x, y, z, w */
    float scale[3];
} zc_joint_pose;

/* Fill a skeleton view (the same contract as zc_mesh_view_from_entry, with
 * zc_skeleton_check; from_bytes wants 8-byte aligned bytes). O(joints + name bytes)
 * the first time; allocation-free; any thread. */
zc_result zc_skeleton_view_from_entry(const zc_entry *entry, zc_skeleton_view *out);
zc_result zc_skeleton_view_from_bytes(const void *payload, uint64_t size, zc_skeleton_view *out);

/* Name of joint `joint` ("" when unnamed or out of range) and its length. */
const char *zc_skeleton_view_joint_name(const zc_skeleton_view *view, uint32_t joint, uint32_t *out_length);

/* Index of the joint named `name` (NUL-terminated, compared bytewise; the first in
 * name order when several share it), ZC_JOINT_NONE when none. O(log joints). */
uint32_t zc_skeleton_view_find_joint(const zc_skeleton_view *view, const char *name);

/* The rest pose of every joint into out[joint_count]. */
void zc_skeleton_view_rest_pose(const zc_skeleton_view *view, zc_joint_pose *out);

/* World matrix of every joint from local poses: out_world[joint_count][16], one
 * forward pass (a root's world is its local transform). */
void zc_skeleton_view_world(const zc_skeleton_view *view, const zc_joint_pose *locals, float (*out_world)[16]);

/* Skinning matrices: out_skin[i] = world[i] * inverse_bind[i], for joint_count joints.
 * A vertex skinned by joints j with weights w moves to sum(w * out_skin[j] * v). */
void zc_skeleton_view_skin(const zc_skeleton_view *view, const float (*world)[16], float (*out_skin)[16]);

typedef struct zc_animation_view {
    const char *name;               /* NUL-terminated UTF-8; "" when unnamed */
    uint32_t name_length;
    uint64_t skeleton;              /* asset id of the skeleton the joints index */
    float duration;                 /* seconds */
    uint32_t joint_count;           /* of that skeleton */
    uint32_t channel_count;
    const zc_animation_channel *channels;
    const float *times;             /* every channel's key times */
    const float *values;            /* every channel's key values */
} zc_animation_view;

/* Fill an animation view (the same contract as zc_mesh_view_from_entry, with
 * zc_animation_check; from_bytes wants 8-byte aligned bytes). O(channels + keys) the
 * first time; allocation-free; any thread. */
zc_result zc_animation_view_from_entry(const zc_entry *entry, zc_animation_view *out);
zc_result zc_animation_view_from_bytes(const void *payload, uint64_t size, zc_animation_view *out);

/* Sample the clip at `time` seconds (clamped to its keys: before the first key the
 * first value, after the last the last) into poses[pose_count]: each channel writes
 * the property it animates of its joint, leaving the others as they are (start from
 * zc_skeleton_view_rest_pose). Linear rotations slerp along the shorter arc; every
 * rotation written is normalised; morph weight channels are left to
 * zc_animation_view_sample_weights.
 * Channels whose joint is not below pose_count are skipped. O(channels * log keys). */
void zc_animation_view_sample(const zc_animation_view *view, float time, zc_joint_pose *poses, uint32_t pose_count);

/* Sample the clip's morph weight channel of `joint` (the node that holds the morphed
 * mesh) at `time` into weights[0, n), n the smaller of the channel's width and
 * weight_count; returns n, or 0 (weights untouched) when the clip has no such channel.
 * Interpolated as zc_animation_view_sample does. O(channels + log keys);
 * allocation-free; any thread. */
uint32_t zc_animation_view_sample_weights(const zc_animation_view *view, float time, uint32_t joint, float *weights,
                                          uint32_t weight_count);

/* Morph targets (blend shapes): a mesh imported with morph targets has a morph entry
 * "P#morph/<i>" beside "P#mesh/<i>" (formats/zc_morph.h): position (and normal)
 * offsets per vertex and target, in the mesh's vertex order. The mesh's node is a
 * joint of the model's skeleton when a clip animates its weights; the clip's WEIGHTS
 * channel of that joint gives them (zc_animation_view_sample_weights). */
typedef struct zc_morph_view {
    uint64_t mesh;                  /* asset id of the mesh entry the targets move */
    uint32_t vertex_count;
    uint32_t target_count;
    const float *weights;           /* target_count default weights */
    const float *positions;         /* 3 * vertex_count * target_count, target-major */
    const float *normals;           /* the same, or NULL without normal offsets */
    uint32_t flags;                 /* the entry's ZC_MORPH_* flags: ZC_MORPH_FRAMES says the
                                       targets are frames whose weights sum to at most 1, and
                                       the mesh's bounds hold only such blends */
} zc_morph_view;

/* Fill a morph view (the same contract as zc_mesh_view_from_entry, with
 * zc_morph_check; from_bytes wants 8-byte aligned bytes). O(floats) the first time;
 * allocation-free; any thread. */
zc_result zc_morph_view_from_entry(const zc_entry *entry, zc_morph_view *out);
zc_result zc_morph_view_from_bytes(const void *payload, uint64_t size, zc_morph_view *out);

/* Blend the targets onto vertices: out[v] = base[v] + sum over t of weights[t] *
 * offset[t][v] for v below the smaller of vertex_count and the view's, with
 * `stride` floats from one vertex to the next in base and out (3 for packed xyz) and
 * weights[0, view->target_count) (NULL: the view's defaults). `normals` picks the
 * normal offsets (then each out vector is normalised again; a view without them
 * copies base). base and out may be the same array (each vertex is read before it is
 * written). The CPU reference of what a vertex shader does with the same data.
 * O(vertices * targets with a nonzero weight); allocation-free; any thread. */
void zc_morph_view_apply(const zc_morph_view *view, const float *weights, int normals, const float *base, float *out,
                         uint32_t vertex_count, uint32_t stride);


/* ---------------------------------------------------------------------------------
 * Holding entries: compressed entries and the decoded-entry cache
 *
 * zc_entry.data is the stored bytes. An engine asks for an entry's raw bytes with
 * zc_pack_get (by path), zc_pack_get_id (by asset id) or, for an entry it already
 * found, zc_pack_acquire; through a mount table, zc_mounts_acquire and
 * zc_mounts_acquire_id do the same. For a compressed entry (codec ZC_CODEC_ZSTD) the
 * first request decodes the zstd frame, in one shot, into one buffer of exactly
 * raw_size bytes (aligned to the entry's alignment), checks it against the TOC's
 * content hash, and keeps it in the pack's cache; later requests get the same buffer. A held entry is never evicted;
 * entries nobody holds stay cached within desc.cache_budget bytes and are evicted
 * least recently used first. An uncompressed entry needs no decode: acquiring it
 * hands out the bytes in the mapping and only keeps the pack alive.
 *
 * Costs: the first acquire of a compressed entry allocates the cache's slot table
 * (64 bytes, one cache line, per entry of the pack); each decode allocates the entry's buffer
 * (raw_size plus up to alignment - 16 bytes) and, per thread decoding at the same
 * time, a zstd context that is kept for reuse. Frames naming a zstd dictionary are
 * decoded with the pack's entry "zstd-dict/<id>" (SPEC.md §8.11), loaded once.
 * Decoding checks SPEC.md §6.2 Z1 to Z7 every time and Z8 (the decoded bytes' XXH3)
 * at the entry's first successful decode in this pack: the frame lies in the
 * read-only mapping, so decoding it again after an eviction gives the same bytes.
 * Validation at FULL and CHECKSUMS checks Z8 whenever it decodes. A runtime built
 * with ZC_NO_ZSTD
 * decodes nothing and reports ZC_ERR_UNSUPPORTED_CODEC instead.
 *
 * Every hold also keeps its pack alive: held bytes stay valid after zc_pack_close and
 * after an unmount (zc_mounts_remove) until zc_hold_release.
 * ------------------------------------------------------------------------------- */

typedef struct zc_hold {
    const void *data;           /* raw bytes (aligned to entry.alignment); NULL when empty */
    uint64_t size;              /* entry.raw_size */
    zc_entry entry;             /* the entry held (its pointers stay valid while held) */
    zc_pack *pack;              /* the pack kept alive; owned by the hold */
    void *slot;                 /* internal: the cache slot, NULL for uncompressed entries */
} zc_hold;

/* Hold an entry's raw bytes, decoding a compressed entry on first use. One decode per
 * entry however many threads ask at once (the others wait for it). ZC_OK fills *out;
 * on error *out is zeroed and the pack's logger received a sentence. Errors:
 * ZC_ERR_INVALID_ARGUMENT, ZC_ERR_UNSUPPORTED_CODEC (a codec this build does not
 * decode), ZC_ERR_LIMIT (raw_size above desc.max_decoded_size, or a frame window above
 * 2^ZC_MAX_WINDOW_LOG), ZC_ERR_BAD_ENTRY (not one zstd frame, or a frame whose declared
 * or decoded size differs from raw_size; nothing larger than raw_size is ever
 * allocated), ZC_ERR_ENTRY_CHECKSUM (the decoded bytes' XXH3 differs from the TOC's
 * content hash), ZC_ERR_OUT_OF_MEMORY. A failed decode is not cached: the threads
 * that were waiting for it return its error without decoding again (only the decoding
 * thread logs), and any later call tries again. `entry` must come from this pack
 * (zc_pack_find, ...): the hold describes the pack's own TOC record at entry->index,
 * and an entry whose id differs there is refused with ZC_ERR_INVALID_ARGUMENT. Any
 * thread; allocates only to decode. Untrusted input: safe. */
zc_result zc_pack_acquire(zc_pack *pack, const zc_entry *entry, zc_hold *out);

/* Get an entry's raw bytes by path (NUL-terminated, as `zcpack ls` prints it),
 * whatever its codec: zc_pack_find, then zc_pack_acquire. ZC_OK fills *out: for an
 * uncompressed entry hold.data points into the mapping (no allocation, no copy), for a
 * compressed one at the buffer decoded once into the pack's cache; hold.size is the
 * entry's raw_size and hold.entry its TOC facts (type, id, dependencies). The caller
 * owns the hold and gives it back with zc_hold_release (lifetime rule 4: the bytes
 * stay valid until then, also after zc_pack_close).
 * Errors (*out is then zeroed): ZC_ERR_INVALID_ARGUMENT (NULL pack, path or out),
 * ZC_ERR_NO_ENTRY (no entry has the path; nothing is logged), and zc_pack_acquire's
 * decoding errors (logged). The type is not checked: compare hold.entry.type, or fill
 * a view with zc_*_view_from_bytes(hold.data, hold.size, &view), which checks the
 * structure. Threads: any thread, any number at once (as zc_pack_acquire); the pack
 * must not be closed while the call runs. Allocates only to decode. Untrusted input:
 * safe at any validation level. */
zc_result zc_pack_get(zc_pack *pack, const char *path, zc_hold *out);

/* The same by asset id (zc_pack_find_id). Id 0 means "none": ZC_ERR_NO_ENTRY. */
zc_result zc_pack_get_id(zc_pack *pack, uint64_t id, zc_hold *out);

/* Release a hold: the bytes may be evicted and, when this was the last reference to a
 * closed or unmounted pack, the pack is freed. Zeroes *hold. NULL or a zeroed hold is
 * a no-op. Any thread (not necessarily the acquiring one). */
void zc_hold_release(zc_hold *hold);

typedef struct zc_cache_stats {
    uint64_t budget;            /* bytes allowed for entries nobody holds */
    uint64_t resident_bytes;    /* decoded bytes in memory, held or not */
    uint64_t held_bytes;        /* of those, bytes of entries someone holds */
    uint32_t resident_entries;
    uint64_t decodes;           /* frames decoded since open */
    uint64_t hits;              /* acquires of compressed entries served without decoding */
    uint64_t evictions;
} zc_cache_stats;

/* Snapshot of the pack's cache counters. ZC_ERR_INVALID_ARGUMENT on NULL. Any thread. */
zc_result zc_pack_cache_stats(const zc_pack *pack, zc_cache_stats *out);

/* ---------------------------------------------------------------------------------
 * Streaming entries: read, seek and tell, for libraries that want a file
 *
 * A stream reads one entry's raw bytes sequentially or at random, like a read-only
 * file, with memory bounded whatever the entry's size: audio and video decoders,
 * font and scripting libraries take it through the callback adapters of
 * zc_stream_io.h (PhysicsFS-style and stdio/ogg-style). How it reads depends on the
 * entry's codec (SPEC.md §6.2):
 *   - codec 0 (stored): reads copy from the mapping into the caller's buffer; the
 *     stream has no buffer of its own.
 *   - codec 2 (seekable zstd, written by the packer for compressed entries above 1
 *     MiB): the frame holding the position is decoded into the stream's buffer of
 *     one frame (256 KiB as the packer writes them, at most 4 MiB); reading on
 *     within that frame is a copy, and a seek anywhere costs at most one frame's
 *     decode (about 0.2 ms for 256 KiB), so a 1 GiB entry streams in well under a
 *     megabyte.
 *   - codec 1 (one zstd frame: small entries, and packs of format 1.1 and older):
 *     an entry of at most 4 MiB raw bytes is decoded whole into the stream's buffer
 *     at the first read; a larger one is decoded as the reads go (zstd's streaming
 *     decoder, whose window is at most 2^ZC_MAX_WINDOW_LOG and usually a few MiB):
 *     reading forward and seeking forward cost the bytes decoded, and a seek
 *     backwards restarts the frame from its first byte (cost: the position).
 * zc_stream_memory reports the bytes a stream holds. The stream never uses the
 * pack's cache of decoded entries and does not count against its budget.
 *
 * Lifetime: a stream holds a reference on its pack, so the pack may be closed
 * (zc_pack_close) or unmounted while streams are open; its mapping goes when the
 * last stream or hold lets go. Memory: one block from the pack's allocator at open
 * (the stream and its buffer) and, for compressed entries, one zstd decoding context
 * from malloc (about 100 KiB, plus the window of a large codec-1 frame, allocated by
 * zstd at the first read); reads and seeks allocate nothing else.
 * Threads: one stream is used by one thread at a time; streams of the same pack, on
 * different threads, need no locking (they only read the pack).
 * Trust: the stream checks what it decodes (the seek table at open, each frame's
 * header, size and zstd checksum when it is decoded: SPEC.md §6.2.1), so a pack opened
 * at any validation level is safe; the entry's content hash (§6.4) is not checked by
 * a stream (it needs every byte: validate at ZC_VALIDATE_CHECKSUMS, or zc_pack_get).
 * ------------------------------------------------------------------------------- */

typedef struct zc_stream zc_stream;

/* Origin of zc_stream_seek (the values of SEEK_SET, SEEK_CUR, SEEK_END). */
typedef enum zc_whence {
    ZC_SEEK_SET = 0,            /* from the entry's first byte */
    ZC_SEEK_CUR = 1,            /* from the current position */
    ZC_SEEK_END = 2,            /* from the end (offset 0 = the size) */
} zc_whence;

/* Open a stream on an entry found by path (as zc_pack_get: NUL-terminated, as `zcpack
 * ls` prints it), positioned at 0. ZC_OK sets *out, which the caller closes with
 * zc_stream_close. Errors (*out is then NULL; the last three logged with the entry's
 * path): ZC_ERR_INVALID_ARGUMENT (NULL argument), ZC_ERR_NO_ENTRY (nothing logged),
 * ZC_ERR_UNSUPPORTED_CODEC (a codec this build does not decode), ZC_ERR_BAD_ENTRY (a
 * malformed frame header or seek table: missing, truncated, sizes that do not add
 * up to the entry's stored and raw sizes), ZC_ERR_LIMIT (a frame size or count, or
 * a frame window, above SPEC.md's limits), ZC_ERR_OUT_OF_MEMORY. Any thread; the pack
 * must not be closed during the call. Untrusted input: safe. */
zc_result zc_stream_open(zc_stream **out, zc_pack *pack, const char *path);

/* The same by asset id (zc_pack_find_id). Id 0 means "none": ZC_ERR_NO_ENTRY. */
zc_result zc_stream_open_id(zc_stream **out, zc_pack *pack, uint64_t id);

/* The same for an entry already found in this pack (zc_pack_find, zc_pack_entry_at,
 * ...): the stream reads the pack's own TOC record at entry->index, and an entry whose
 * id differs there is refused with ZC_ERR_INVALID_ARGUMENT. */
zc_result zc_stream_open_entry(zc_stream **out, zc_pack *pack, const zc_entry *entry);

/* Read up to `size` bytes at the position into dst and advance it. ZC_OK with
 * *out_read = the bytes read: `size`, or fewer only at the end of the entry (0 there:
 * end of file). Errors: ZC_ERR_INVALID_ARGUMENT (NULL stream or out_read, NULL dst
 * with size > 0); for compressed entries ZC_ERR_BAD_ENTRY (a frame whose header, size,
 * checksum or data is damaged, logged naming the frame and the entry),
 * ZC_ERR_LIMIT (a frame window above the limit) and ZC_ERR_OUT_OF_MEMORY (zstd's
 * window); then *out_read holds the bytes read before the error and the position is
 * after them, so a caller may seek past a damaged frame and read on. Allocation-free
 * except zstd's window at the first read of a large codec-1 frame. The stream's
 * thread only. */
zc_result zc_stream_read(zc_stream *stream, void *dst, size_t size, size_t *out_read);

/* Move the position to `offset` from `whence`; the target must lie in [0, size]
 * (the size itself is the end of file). ZC_ERR_INVALID_ARGUMENT, position unchanged,
 * for a NULL stream, an unknown whence or a target before 0 or beyond the size (a
 * read-only stream has nothing past its end). A seek only moves the position: the
 * next read decodes what it needs (see the section's costs). Allocation-free; the
 * stream's thread only. */
zc_result zc_stream_seek(zc_stream *stream, int64_t offset, zc_whence whence);

/* The position, in [0, size]; 0 for NULL. */
uint64_t zc_stream_tell(const zc_stream *stream);

/* The entry's raw size (what a full read returns); 0 for NULL. */
uint64_t zc_stream_size(const zc_stream *stream);

/* The entry the stream reads (its pointers stay valid until zc_stream_close); NULL
 * for NULL. */
const zc_entry *zc_stream_entry(const zc_stream *stream);

/* Bytes the stream holds now: its block from the pack's allocator and zstd's
 * decoding context with its buffers (ZSTD_sizeof_DCtx). 0 for NULL. The stream's
 * thread only. */
uint64_t zc_stream_memory(const zc_stream *stream);

/* Close the stream and drop its reference on the pack (the last one frees a pack
 * already closed). NULL is a no-op. The stream's thread only; any thread after that
 * thread has stopped using the stream. */
void zc_stream_close(zc_stream *stream);

/* ---------------------------------------------------------------------------------
 * Mounting packs: a base game, its patches and mods seen as one tree
 *
 * A mount table holds packs with a priority and an optional mount point. A lookup
 * by path sees the entry of the highest-priority pack that has it (ties: the pack
 * mounted last wins); a whiteout entry (type ZC_TYPE_WHITEOUT, written by patch
 * builds for removed files) in a pack hides that path in every pack of lower
 * priority, never in one of higher priority. A pack mounted at "mods/foo/" answers
 * for "mods/foo/<its path>" and for nothing else. Lookups by asset id use the ids as
 * the packs store them (references inside entries), ignoring mount points, with the
 * same priority and whiteout rules. SPEC.md section 13 is the normative text.
 *
 * Lifetime: the table keeps one reference on every pack mounted in it, so a caller
 * may zc_pack_close its handle right after zc_mounts_add. A hold (zc_mounts_acquire)
 * keeps its pack alive on its own: after zc_mounts_remove or zc_mounts_destroy the
 * held bytes stay valid until zc_hold_release, and the pack is unmapped when the
 * last of the table, the holds and the opener has let go.
 *
 * Thread rules: every call except zc_mounts_destroy is safe from any thread at once.
 * Lookups, add and remove share one mutex, held for the walk over the mounts
 * (O(mounts * log entries)) but not while a compressed entry is decoded. Lookups
 * made while another thread adds or removes a mount see the table before or after
 * the change, never a mixture. Allocation happens in create and add only.
 * ------------------------------------------------------------------------------- */

typedef struct zc_mounts zc_mounts;

typedef struct zc_mounts_desc {
    zc_allocator allocator;     /* default: malloc/free; for the table, its mount list and
                                   mount points (both functions or neither); called from
                                   the threads that create, add, remove and destroy */
    zc_logger logger;           /* default: silent; receives a sentence for every refused
                                   add (bad mount point, pack already mounted, out of
                                   memory, signature) */
    const zc_public_key *trusted_keys; /* default: NULL = mount any pack. Else every pack
                                   mounted must be signed by one of these keys, checked
                                   at zc_mounts_add (a patch or mod pack carries its own
                                   signature); copied at create */
    uint32_t trusted_key_count; /* default: 0 */
} zc_mounts_desc;

typedef struct zc_mount_desc {
    zc_pack *pack;              /* required; the table takes its own reference, so the
                                   caller may zc_pack_close its handle right away */
    int32_t priority;           /* default: 0; higher wins; negative values sort below 0 */
    const char *mount_point;    /* default: NULL or "" = the root; else a valid entry path
                                   followed by one '/' ("mods/foo/"); copied */
} zc_mount_desc;

/* Create an empty mount table. ZC_ERR_INVALID_ARGUMENT (NULL out, an allocator with
 * only one of its two functions), ZC_ERR_OUT_OF_MEMORY; *out is NULL on error. desc
 * may be NULL (defaults). Any thread. */
zc_result zc_mounts_create(zc_mounts **out, const zc_mounts_desc *desc);

/* Drop every mount and free the table. Holds obtained through it stay valid. NULL is
 * a no-op. No other call on the table may run at the same time or after. */
void zc_mounts_destroy(zc_mounts *mounts);

/* Mount a pack, placing it before every mount of lower or equal priority. Errors (the
 * table is then unchanged): ZC_ERR_INVALID_ARGUMENT (NULL table, desc or pack, a mount
 * point that is not a valid entry path followed by '/', the pack already mounted in
 * this table), ZC_ERR_OUT_OF_MEMORY, ZC_ERR_SIGNATURE (the table has trusted keys and
 * the pack is unsigned, signed by another key, or its signature does not verify). A
 * pack whose signature was verified at open against a key the table also trusts is
 * not hashed again; any other pack is verified here (one BLAKE2b pass over it, as in
 * zc_pack_open) against the table's keys. Any thread. */
zc_result zc_mounts_add(zc_mounts *mounts, const zc_mount_desc *desc);

/* Unmount a pack: lookups that start after this returns no longer see it; its memory
 * is released once no hold (and no other table, and not the opener) keeps it.
 * `pack` is only compared with the mounted packs, so it may be a pointer whose handle
 * the caller already closed (the table's reference keeps a mounted pack alive).
 * ZC_ERR_NO_ENTRY when the pack is not mounted here; ZC_ERR_INVALID_ARGUMENT on NULL.
 * Any thread. */
zc_result zc_mounts_remove(zc_mounts *mounts, const zc_pack *pack);

/* Find `path` (NUL-terminated, as `zcpack ls` prints it, with the mount point in
 * front for packs mounted at one) through the mounts and hold it (zc_pack_acquire on
 * the pack that wins). ZC_ERR_NO_ENTRY when no pack has it or a whiteout hides it;
 * ZC_ERR_INVALID_ARGUMENT on NULL; the record's error (zc_pack_find) when the highest
 * pack that has the path holds a damaged record: a lower pack's entry never stands in
 * for it; else zc_pack_acquire's errors. On error *out is
 * zeroed. The hold is released with zc_hold_release. Any thread; allocation-free
 * except to decode a compressed entry. The mount table's zc_pack_get: raw bytes
 * whatever the codec. */
zc_result zc_mounts_acquire(zc_mounts *mounts, const char *path, zc_hold *out);

/* The same by asset id (as the packs store it; mount points do not change ids). Id 0
 * means "none": ZC_ERR_NO_ENTRY. */
zc_result zc_mounts_acquire_id(zc_mounts *mounts, uint64_t id, zc_hold *out);

/* Number of packs mounted; 0 for NULL. Any thread (a snapshot: another thread may add
 * or remove at the same time). */
uint32_t zc_mounts_count(const zc_mounts *mounts);

/* ---------------------------------------------------------------------------------
 * Pack sets: one build split into several packs
 *
 * `zcpack link --max-pack-size` and `--chunk` write a build as several member packs
 * (each under a size limit, or folders into chunks a game streams or ships apart)
 * and a small *index* pack beside them, whose one entry (path "pack-set", type
 * pack_set, formats/zc_pack_set.h, SPEC.md "Pack set") names every member by its path
 * relative to the index's directory, with its file size, header checksum, TOC
 * checksum and entry count. A path or id lives in exactly one member.
 *
 * Example:
 *     zc_pack_set *set;
 *     if (zc_pack_set_open(&set, &(zc_pack_set_desc){ .path = "game.zcindex" }) == ZC_OK) {
 *         zc_hold sky;                      // from whichever member holds it
 *         if (zc_pack_set_get(set, "shaders/sky.glsl", &sky) == ZC_OK) {
 *             compile_shader(sky.data, sky.size);
 *             zc_hold_release(&sky);
 *         }
 *         zc_pack_set_close(set);
 *     }
 *
 * Lifetime: the set owns one reference on each member and on the index; entries found
 * through it follow lifetime rule 1 for their member (valid until zc_pack_set_close,
 * or longer behind a hold). Mounted (zc_mounts_add_set) the members stay alive in the
 * table after the set is closed, as a pack does after zc_pack_close.
 *
 * Thread rules: zc_pack_set_open and zc_pack_set_close as zc_pack_open and
 * zc_pack_close (one thread per set; close after every other thread stopped using
 * it and its members). Every other call is safe from any number of threads at once
 * after open (the set is immutable).
 * ------------------------------------------------------------------------------- */

typedef struct zc_pack_set zc_pack_set;

typedef struct zc_pack_set_desc {
    const char *path;           /* the index pack; required. Members are opened from its
                                   directory */
    zc_validate validate;       /* default: ZC_VALIDATE_TOC; for the index and every member */
    zc_load load;               /* default: ZC_LOAD_MAP; for every member and the index */
    zc_allocator allocator;     /* default: malloc/free; for the set and every pack of it */
    zc_logger logger;           /* default: silent; for the set and every pack of it */
    const zc_public_key *trusted_keys; /* default: NULL; else the index and every member must
                                   be signed by one of these keys (zc_pack_desc.trusted_keys) */
    uint32_t trusted_key_count; /* default: 0 */
} zc_pack_set_desc;

/* One member of an open set (zc_pack_set_member). */
typedef struct zc_pack_set_member_info {
    const char *name;           /* NUL-terminated path relative to the index's directory */
    uint32_t name_length;       /* bytes without the NUL */
    zc_pack *pack;              /* the open member; borrowed, valid until zc_pack_set_close */
    uint64_t file_size;         /* bytes, as the index records and the file has */
    uint32_t entry_count;
} zc_pack_set_member_info;

/* Open the index pack desc->path and every member it names, all or nothing. Each
 * member is opened like zc_pack_open with the desc's settings, then compared with its
 * record: a file size, header checksum, TOC checksum or entry count that differs
 * means the file is not the pack the link wrote (a member rewritten by a later link,
 * swapped or restored from elsewhere). On error *out is NULL, every pack opened so
 * far is closed, and the logger has a sentence naming the index and the member at
 * fault. Errors: ZC_ERR_INVALID_ARGUMENT (NULL out or desc, no path, an allocator
 * with one function); the index's zc_pack_open errors; ZC_ERR_NO_ENTRY (the index
 * has no entry "pack-set": not an index) or ZC_ERR_TYPE_MISMATCH (that entry is of
 * another type); the set entry's structural errors (zc_pack_set_check: ZC_ERR_BAD_ENTRY,
 * ZC_ERR_BAD_POINTER, ZC_ERR_BAD_STRING, ZC_ERR_BAD_PATH, ZC_ERR_LIMIT, ...) or its
 * decoding errors; a member's zc_pack_open errors (ZC_ERR_FILE_NOT_FOUND for a missing
 * member, any format error for a damaged one); ZC_ERR_TOC_CHECKSUM for a member that
 * is not the recorded pack; ZC_ERR_OUT_OF_MEMORY. Untrusted input: member names are
 * entry paths (SPEC.md section 5), so no member lies outside the index's directory.
 * Costs one open per member. */
zc_result zc_pack_set_open(zc_pack_set **out, const zc_pack_set_desc *desc);

/* Close every member (each stays alive while a hold or a mount table keeps it) and the
 * index, and free the set. NULL is a no-op. */
void zc_pack_set_close(zc_pack_set *set);

/* Members of the set; 0 for NULL. */
uint32_t zc_pack_set_member_count(const zc_pack_set *set);

/* Member i, in the index's order (names ascending). ZC_ERR_NO_ENTRY when i is out of
 * range; ZC_ERR_INVALID_ARGUMENT on NULL (*out is zeroed on error). O(1);
 * allocation-free. */
zc_result zc_pack_set_member(const zc_pack_set *set, uint32_t i, zc_pack_set_member_info *out);

/* Entries of all members together, as the index records; 0 for NULL. */
uint64_t zc_pack_set_entry_count(const zc_pack_set *set);

/* Look an entry up by path in every member, in index order: zc_pack_find's contract
 * on the member that has it (out->pack names that member; hold the entry with
 * zc_pack_acquire(out->pack, ...)). ZC_ERR_NO_ENTRY when no member has it. O(members)
 * lookups; allocation-free. */
zc_result zc_pack_set_find(const zc_pack_set *set, const char *path, zc_entry *out);

/* The same by asset id (zc_pack_find_id on each member). */
zc_result zc_pack_set_find_id(const zc_pack_set *set, uint64_t id, zc_entry *out);

/* Hold an entry's raw bytes by path from the member that has it: zc_pack_get's
 * contract on that member (errors, threads, allocation, untrusted input). O(members)
 * lookups. */
zc_result zc_pack_set_get(const zc_pack_set *set, const char *path, zc_hold *out);

/* The same by asset id (zc_pack_get_id on the member that has it). */
zc_result zc_pack_set_get_id(const zc_pack_set *set, uint64_t id, zc_hold *out);

typedef struct zc_mount_set_desc {
    const zc_pack_set *set;     /* required; an open set. The table takes its own reference
                                   on each member, so the caller may close the set after */
    int32_t priority;           /* default: 0; every member gets it (they hold disjoint paths) */
    const char *mount_point;    /* default: NULL = the root; as zc_mount_desc.mount_point */
} zc_mount_set_desc;

/* Mount every member of a set at one priority and mount point, in one step: lookups
 * made meanwhile see none of them or all of them, and on error none is mounted.
 * Errors: zc_mounts_add's (a bad mount point, a member already mounted in the table,
 * ZC_ERR_SIGNATURE when the table has trusted keys and a member is not signed by one),
 * ZC_ERR_OUT_OF_MEMORY. A set of no members mounts nothing (ZC_OK). Any thread. */
zc_result zc_mounts_add_set(zc_mounts *mounts, const zc_mount_set_desc *desc);

/* Unmount every member of `set` mounted in the table, in one step (as zc_mounts_remove
 * for each). The set must still be open: its members are what is compared.
 * ZC_ERR_NO_ENTRY when none of them is mounted here; ZC_ERR_INVALID_ARGUMENT on NULL;
 * ZC_ERR_OUT_OF_MEMORY. Any thread. */
zc_result zc_mounts_remove_set(zc_mounts *mounts, const zc_pack_set *set);

/* ---------------------------------------------------------------------------------
 * Asynchronous prefetch on libuv
 *
 * A prefetcher brings entries into memory ahead of use: mapped uncompressed entries
 * are paged in on libuv's thread pool (madvise MADV_POPULATE_READ on Linux 5.14 and
 * later, then a read of every page; a page that cannot be read fails the entry with
 * ZC_ERR_IO where the kernel reports it), compressed ones are decoded into the pack's
 * cache on the thread pool (zc_pack_acquire and an immediate release, so they stay
 * cached within the pack's cache budget). A request names entries by id or path;
 * unless told otherwise it follows each entry's dependency list transitively (a scene
 * pulls in its meshes, materials and textures), each id once per request, cycles
 * included. A dependency no pack provides is skipped, not an error. Requests run by
 * priority (higher first; equal priorities in submission order), at most
 * desc.max_in_flight reads at a time across all requests. Each request completes with
 * exactly one callback: ZC_OK, the first error of one of its entries (the other
 * entries are still fetched), or ZC_ERR_CANCELED.
 *
 * Reads of a request on desc.pack (the entries are known when it is queued):
 *  - Uncompressed entries that are neighbours in the file (at most 32 KiB apart) share
 *    one read, up to 2 MiB per read (one entry is never split). A read's error is
 *    the error of each of its entries; cancellation drops reads not yet started, so
 *    the entries of a running read all finish.
 *  - Within a request, reads run in file order (not in the order the entries were
 *    named); priorities order requests, not the reads inside one.
 *  - zc_prefetch itself, on the calling thread, asks the kernel for the request's
 *    ranges below 1 MiB at once (posix_madvise WILLNEED, which queues the reads and
 *    does not wait), up to 64 MiB ahead of the reads in flight; each read that starts
 *    moves that window on. Larger ranges are left to the kernel's own read-ahead when
 *    they are read. So code that reads the entries while the request runs waits for
 *    reads already under way instead of starting its own. For a pack read into
 *    memory nothing is hinted.
 * Through a mount table every entry is one read, resolved on the thread pool.
 *
 * Loops and threads:
 *  1. With desc.loop the prefetcher runs on the engine's libuv loop. Create it, and
 *     make every later call, on that loop's thread (debug builds assert this);
 *     callbacks run there, from inside uv_run. The prefetcher keeps the loop alive
 *     (uv_run with UV_RUN_DEFAULT does not return) only while some callback is owed.
 *  2. Without a loop the prefetcher starts a thread running a loop of its own; every
 *     call is then safe from any thread at once, and callbacks run on that thread.
 *  3. A callback may call zc_prefetch and zc_prefetch_cancel; with an engine loop it
 *     may also destroy the prefetcher, with an own loop it must not (the destroy
 *     would wait for the thread it runs on).
 *  4. As in libuv, a call that returns an error never invokes the callback, and no
 *     call ever invokes a callback before returning, except zc_prefetcher_destroy
 *     with an engine loop.
 *  5. Work on the thread pool reads the pack (or the mount table's packs) only; the
 *     prefetcher holds a reference on desc.pack until it is destroyed.
 * Trust: entries are bounds-checked against the pack image before their pages are
 * read, so a pack opened at any validation level is safe.
 * ------------------------------------------------------------------------------- */

struct uv_loop_s;
typedef struct zc_prefetcher zc_prefetcher;

typedef struct zc_prefetch_desc {
    zc_pack *pack;              /* the pack to read; exactly one of pack and mounts */
    zc_mounts *mounts;          /* or a mount table (ids and paths resolve through it) */
    struct uv_loop_s *loop;     /* default: NULL = a loop on a thread of the prefetcher's own */
    uint32_t max_in_flight;     /* default: 0 = 4 reads at once (a read is one entry, or
                                   neighbouring entries of a pack); at most 1024 */
    zc_logger logger;           /* default: silent; called on the thread of the call or the loop */
} zc_prefetch_desc;

/* request: the id zc_prefetch returned; status: ZC_OK when every entry is resident,
 * ZC_ERR_CANCELED, or an entry's error. Runs on the loop thread (rule 1 or 2). */
typedef void (*zc_prefetch_cb)(uint64_t request, zc_result status, void *user_data);

typedef struct zc_prefetch_args {
    const uint64_t *ids;        /* id_count asset ids; may be NULL when id_count is 0 */
    uint32_t id_count;
    const char *const *paths;   /* path_count paths; may be NULL when path_count is 0 */
    uint32_t path_count;
    int32_t priority;           /* default: 0; higher runs first */
    int no_deps;                /* default: 0 = follow dependency lists */
    zc_prefetch_cb cb;          /* required */
    void *user_data;            /* passed to cb */
} zc_prefetch_args;

/* Create a prefetcher. ZC_ERR_INVALID_ARGUMENT (NULL out or desc, not exactly one of
 * pack and mounts, max_in_flight above 1024), ZC_ERR_OUT_OF_MEMORY, ZC_ERR_IO (the
 * loop, its async handle or its thread cannot start). Keeps a reference to the pack;
 * a mount table must outlive the prefetcher. With desc.loop, call it on the loop's
 * thread. */
zc_result zc_prefetcher_create(zc_prefetcher **out, const zc_prefetch_desc *desc);

/* Cancel every request (their callbacks run with ZC_ERR_CANCELED), cancel entries
 * still queued in libuv's pool, wait for the ones running, and free everything. Every
 * owed callback has run when this returns. NULL is a no-op.
 * Own loop: call it from any thread except the prefetcher's (not from a callback);
 * it stops and joins the loop thread.
 * Engine loop: call it on the loop thread (also from a callback; the callbacks run
 * inside this call). The loop must run once more afterwards, as for any closed libuv
 * handle (uv_loop_close reports UV_EBUSY until then): the prefetcher's handle and
 * finished thread-pool requests are freed by that run. */
void zc_prefetcher_destroy(zc_prefetcher *prefetcher);

/* Queue a request. ZC_OK and *out_request (a nonzero id, unique for the prefetcher's
 * life; may be NULL if not wanted) on success; the callback runs later, once, never
 * inside this call. Errors (no callback, *out_request = 0, a sentence logged):
 * ZC_ERR_INVALID_ARGUMENT (NULL prefetcher or args, no cb, a request naming no entry,
 * a NULL array or path, a prefetcher being destroyed), ZC_ERR_OUT_OF_MEMORY, and
 * with desc.pack ZC_ERR_NO_ENTRY when a path or id names no entry (the pack is
 * searched now, dependencies included, and nothing is queued), and the pack's own
 * errors where following dependencies runs the TOC checks a lazily checked open left
 * to such walks (ZC_ERR_LIMIT when its records name more dependencies in all than its
 * list holds, SPEC R14; ZC_ERR_TOC_CHECKSUM, ZC_ERR_BAD_TOC). Through a mount table
 * the names are resolved on the thread pool (resolving may decode): a name that
 * resolves to nothing, or is hidden by a whiteout, completes the request with
 * ZC_ERR_NO_ENTRY. Paths are copied; the arrays need not outlive the call. */
zc_result zc_prefetch(zc_prefetcher *prefetcher, const zc_prefetch_args *args, uint64_t *out_request);

/* Cancel a queued or running request: entries not yet started are dropped, running
 * ones finish, then its callback runs with ZC_ERR_CANCELED (once, never after a
 * callback with another status, never inside this call). ZC_OK also when the request
 * was already canceled and its callback is still owed. ZC_ERR_NO_ENTRY when the
 * request already completed (its callback ran or is about to run with its own
 * status) or never existed; ZC_ERR_INVALID_ARGUMENT for a NULL prefetcher. */
zc_result zc_prefetch_cancel(zc_prefetcher *prefetcher, uint64_t request);


#ifdef __cplusplus
}
#endif

#endif /* ZC_PACK_H */
