/* zc_writer.h - the pack writer: streams entries into a temporary file, then writes
 * the table of contents and the header, re-opens the result through the runtime's
 * public API, and renames it over the output path.
 *
 * Write-forward: each entry's bytes go to the file as they are produced, so memory
 * stays bounded by the TOC records (72 bytes + path per entry), never by the pack
 * (compression candidates add at most ZC_WRITER_COMPRESS_MEMORY, and dictionaries
 * ZC_WRITER_DICT_MEMORY). Deterministic: output depends only on the sequence of calls
 * and the settings (no timestamps; padding is zero). Identical payloads are stored
 * once: end_entry compares a finished entry's stored bytes with every earlier payload
 * of the same content hash, codec and sizes, byte for byte, and rolls the file back
 * when it finds a twin.
 *
 * Compression: an entry the desc's `compress` callback picks is a candidate. Its raw
 * bytes are kept in memory up to ZC_WRITER_COMPRESS_MEMORY and compressed in one shot
 * at end_entry; a larger one is written raw as it arrives, then read back from the
 * temporary file and compressed with zstd's streaming API into the space after it,
 * and the frame is moved into place: such a large candidate is compressed at
 * ZC_WRITER_LARGE_LEVEL unless desc.compress_level is set (it then uses that level like
 * every other candidate), since large files are mostly media and tables that higher levels
 * barely shrinks further (zc_writer_encode compresses candidates up to
 * ZC_WRITER_ENCODE_MEMORY ahead of the writer, at the same levels). Either way the
 * entry is stored as one zstd frame
 * (codec 1, the content size in its header, no zstd checksum) when that saves at
 * least min_saving_percent of its raw bytes, else raw (codec 0). A candidate of more
 * than ZC_WRITER_SEEKABLE_MIN raw bytes is split instead (unless desc.single_frame)
 * into independent frames of ZC_WRITER_SEEK_FRAME raw bytes each (the last one
 * shorter), each with its content size and zstd's checksum, followed by a seek table
 * in a skippable frame (codec 2, formats/zc_seekable.h): a streaming reader
 * (zc_stream_open) then decodes one frame per seek; the same saving policy applies
 * to the frames and table together. Its first frame is tried first at the fast
 * ZC_WRITER_PROBE_LEVEL: when even that frame does not save min_saving_percent, the
 * candidate is stored raw at once, so large files that are already compressed
 * (audio, video, fonts, archives) cost about one frame's trial instead of a whole
 * compression at the entry's level. A pack holding a seekable entry records format
 * minor ZC_FORMAT_MINOR_SEEKABLE. raw_size and
 * content_hash always describe the raw bytes, and identical payloads are shared when
 * their stored bytes are identical (the same raw bytes under the same settings give
 * the same frame). Entries above ZC_DEFAULT_MAX_DECODED_SIZE stay raw, so a reader
 * with the default limit can decode every entry the writer compresses.
 *
 * Dictionaries (desc.dictionaries): candidates of at most ZC_WRITER_DICT_ENTRY_MAX raw
 * bytes are held in memory (ZC_WRITER_DICT_MEMORY bytes in all; the rest are
 * compressed at once) and written at finish, after every other entry. For each type
 * with at least ZC_WRITER_DICT_MIN_ENTRIES of them, finish trains a zstd dictionary
 * of up to ZC_WRITER_DICT_SIZE bytes (ZDICT_trainFromBuffer over at most
 * ZC_WRITER_DICT_TRAIN_MAX bytes of samples, in the order the entries ended),
 * compresses each with and without it and keeps the dictionary only when it pays for
 * itself: it is then stored once, uncompressed, as the entry "zstd-dict/<id>" (type
 * ZC_TYPE_ZSTD_DICT, zc_zstd_dict.h) before the entries that use it, and each entry
 * takes the smaller of its two frames (or stays raw, by the same policy). A path
 * "zstd-dict/<id>" already in the pack disables that dictionary.
 *
 * Crash safety: nothing is written to `path` until zc_writer_finish succeeds; then
 * the complete, verified pack replaces it in one rename. A crash at any moment leaves
 * either the old pack or the new one at `path` (plus, at worst, a stale temporary
 * file `.zc-<pid>-<random>.tmp` beside it). zc_writer_open removes, from the output's
 * directory, every such file whose pid names no running process (kill(pid, 0) fails
 * with ESRCH): a killed build's leftover goes with the next build there, while the
 * temporary file of a build still running (in this process or another) is kept. Only
 * the first 4096 names the directory lists are looked at, so writing into a folder
 * of many files costs no more than into a small one. The temporary file is created with
 * O_CREAT | O_EXCL | O_NOFOLLOW under a random name (zc_tmpfile.h): a link or file
 * planted beside the output is never followed or reused, and any output name that
 * fits NAME_MAX gets one.
 *
 * Threads: a writer is used from one thread at a time.
 */
#ifndef ZC_WRITER_H
#define ZC_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "zc_pack_format.h"
#include "zc_sign.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zc_writer zc_writer;

#define ZC_WRITER_DEFAULT_LEVEL 6              /* zstd level: within 0.2 to 3 % of level 9's
                                                  size at 1.5 times its speed (zcpack.md,
                                                  "Compression") */
#define ZC_WRITER_LARGE_LEVEL 3                /* zstd level of candidates above
                                                  ZC_WRITER_COMPRESS_MEMORY when the desc sets no
                                                  level: 3 to 8 times level 9's speed on them, at
                                                  0.4 % more bytes on a 9 MiB LUT and none on an
                                                  11 MiB WOFF2 font */
#define ZC_WRITER_PROBE_LEVEL 1                /* zstd level of the trial of a seekable
                                                  candidate's first frame (see "Compression") */
#define ZC_WRITER_MAX_LEVEL 22
#define ZC_WRITER_DEFAULT_MIN_SAVING 5         /* percent of the raw bytes */
#define ZC_WRITER_COMPRESS_MEMORY (8u << 20)   /* raw bytes compressed in memory */
#define ZC_WRITER_ENCODE_MEMORY (64u << 20)    /* raw bytes zc_writer_encode takes, at most */
#define ZC_WRITER_DICT_ENTRY_MAX (16u << 10)   /* raw bytes of an entry a dictionary serves */
#define ZC_WRITER_DICT_MIN_ENTRIES 16          /* entries of one type a dictionary needs */
#define ZC_WRITER_DICT_SIZE (16u << 10)        /* bytes of a trained dictionary, at most */
#define ZC_WRITER_DICT_TRAIN_MAX (8u << 20)    /* sample bytes per dictionary, at most */
#define ZC_WRITER_DICT_MEMORY (64u << 20)      /* small entries held for training, in all */
#define ZC_WRITER_SEEKABLE_MIN (1u << 20)      /* raw bytes above which a candidate is split
                                                  into seekable frames (codec 2) */
#define ZC_WRITER_SEEK_FRAME (256u << 10)      /* raw bytes per seekable frame: 3.3 % larger than
                                                  one frame per entry on real assets (64 KiB:
                                                  5.3 %, 1 MiB: 1.5 %), about 0.2 ms to decode
                                                  per seek (formats/SPEC.md §6.2.1) */

/* Compression policy: called at every zc_writer_begin_entry with the entry's path and
 * type; nonzero makes the entry a candidate for compression. On the writer's thread. */
typedef int (*zc_writer_compress_fn)(const char *path, uint32_t type, void *user_data);

typedef struct zc_writer_desc {
    const char *path;              /* output pack path; required */
    zc_logger logger;              /* default: silent */
    int no_verify;                 /* default: 0 = re-open and verify (CHECKSUMS) before rename */
    int no_sync;                   /* default: 0 = fsync file and directory before/after rename */
    zc_writer_compress_fn compress; /* default: NULL = every entry is stored raw */
    void *compress_user_data;      /* default: NULL */
    int compress_level;            /* default: 0 = ZC_WRITER_DEFAULT_LEVEL, and
                                      ZC_WRITER_LARGE_LEVEL for candidates above
                                      ZC_WRITER_COMPRESS_MEMORY; 1..22: every candidate */
    uint32_t min_saving_percent;   /* default: 0 = ZC_WRITER_DEFAULT_MIN_SAVING; 1..99: a
                                      candidate is stored compressed only when its frame
                                      is at most (100 - this) % of its raw bytes */
    int dictionaries;              /* default: 0; 1 = train dictionaries (see above) */
    int single_frame;              /* default: 0 = candidates above ZC_WRITER_SEEKABLE_MIN raw
                                      bytes become seekable frames (codec 2); 1 = every
                                      compressed entry is one frame (codec 1), as writers
                                      of format 1.1 and earlier made them */
    uint32_t threads;              /* default: 0 = 1; threads that compress the frames of a
                                      seekable candidate the writer streams back from the
                                      file (above ZC_WRITER_COMPRESS_MEMORY), the writer's
                                      own and threads - 1 started for each batch of frames,
                                      and that verify the finished pack
                                      (zc_pack_validate_threads). The stored bytes never
                                      depend on it */
    const zc_secret_key *sign_key; /* default: NULL = an unsigned pack (format 1.0, 128-byte
                                      header); else a signed pack (format 1.1, 256-byte
                                      header with a signature block, SPEC.md section 14),
                                      signed at finish before verification, which then
                                      checks the signature too; the key is copied */
} zc_writer_desc;

/* Encoding ahead of the writer: a compression candidate's stored form computed on any
 * thread, to be appended later with zc_writer_copy_entry (a build compresses on its
 * worker threads this way, and the writer's thread only appends finished bytes). For
 * an entry zc_writer_encodes accepts, zc_writer_encode gives exactly the codec and
 * bytes end_entry would have stored, so the pack does not depend on which thread
 * compressed what. An encoder holds one zstd context and its output buffer: one
 * thread at a time uses it. */
typedef struct zc_writer_encoder zc_writer_encoder;

/* An encoder with w's compression settings. NULL when out of memory. Any thread,
 * while w is open (it only reads w's settings). */
zc_writer_encoder *zc_writer_encoder_create(const zc_writer *w);
void zc_writer_encoder_destroy(zc_writer_encoder *e);

/* 1 when an entry of `raw_size` bytes at `path` of `type` is a compression candidate
 * of w whose stored form zc_writer_encode computes: the policy picks it, it fits in
 * ZC_WRITER_ENCODE_MEMORY (larger ones are compressed from the file by end_entry), w
 * trains no dictionaries, and it is at most ZC_WRITER_COMPRESS_MEMORY when w writes
 * single frames. Any thread while w is open. */
int zc_writer_encodes(const zc_writer *w, const char *path, uint32_t type, uint64_t raw_size);

/* The stored form of n raw bytes: *codec and the bytes [*stored, *stored + *stored_size),
 * which are `raw` itself when the entry stays raw (codec 0), else the encoder's buffer,
 * valid until its next call. Above ZC_WRITER_COMPRESS_MEMORY raw bytes it compresses
 * at the level end_entry gives such a candidate (ZC_WRITER_LARGE_LEVEL unless the
 * desc sets one). ZC_ERR_OUT_OF_MEMORY, or ZC_ERR_IO when zstd fails. */
zc_result zc_writer_encode(zc_writer_encoder *e, const void *raw, size_t n, zc_codec *codec, const void **stored,
                           size_t *stored_size);

/* Create the temporary file beside desc->path and remove stale ones of ended
 * processes there (see "Crash safety"). ZC_ERR_IO (logged with the path and
 * strerror) when it cannot be created, or when desc->path exists and is not a regular
 * file (zc_writer_check_output); ZC_ERR_OUT_OF_MEMORY; ZC_ERR_INVALID_ARGUMENT
 * for a compression level or saving outside its range. */
zc_result zc_writer_open(zc_writer **out_writer, const zc_writer_desc *desc);

/* Start an entry. `path` must pass zc_check_path (ZC_ERR_BAD_PATH otherwise) and be
 * new in this pack (ZC_ERR_INVALID_ARGUMENT for duplicates or id collisions, found
 * at finish at the latest). align_log2 in [ZC_MIN_ALIGN_LOG2, ZC_MAX_ALIGN_LOG2], 0
 * means 4 (16 bytes). Only one entry is open at a time. */
zc_result zc_writer_begin_entry(zc_writer *w, const char *path, uint32_t type, uint32_t layout_hash,
                                uint32_t align_log2);

/* Append bytes to the open entry. ZC_ERR_IO on a failed write (disk full, ...). */
zc_result zc_writer_write(zc_writer *w, const void *data, size_t size);

/* Record that the open entry references asset `id` (kept in call order). */
zc_result zc_writer_add_dep(zc_writer *w, uint64_t id);

/* Close the open entry: hash it, compress a candidate (or hold it for a dictionary),
 * and store it once if an identical payload exists. ZC_ERR_OUT_OF_MEMORY when zstd's
 * context or the output buffer cannot be allocated; ZC_ERR_IO. */
zc_result zc_writer_end_entry(zc_writer *w);

/* Drop the open entry as if it had never begun: its record, path, dependencies,
 * bytes and the padding before them. ZC_OK, also when no entry is open; the writer's
 * sticky error when an earlier write failed or the file cannot be cut back (ZC_ERR_IO;
 * the writer is then unusable). Lets a build skip a file whose import failed half-way. */
zc_result zc_writer_cancel_entry(zc_writer *w);

/* Copy an entry of another pack as it is stored: same path, type, layout hash,
 * alignment, codec, stored bytes, raw size, content hash and dependency list (a
 * compressed entry stays compressed and is not decoded). Used by patch builds. The
 * entry must come from a pack that stays open during the call; its bytes are trusted
 * as they are (the pack is verified at finish unless no_verify). No entry may be open.
 * Errors: those of zc_writer_begin_entry and zc_writer_add_dep (the writer is then
 * unchanged); ZC_ERR_INVALID_ARGUMENT for NULL pointers or an alignment, codec or
 * size the format forbids; ZC_ERR_IO (sticky) when the bytes cannot be written.
 * Identical stored bytes already in the pack are shared, as end_entry does. */
zc_result zc_writer_copy_entry(zc_writer *w, const zc_entry *entry);

/* Write the entries held for dictionaries (and their dictionaries), then TOC and
 * header, sign (desc.sign_key: the whole file is read back once to hash it), flush,
 * verify through zc_pack_open, rename over the output.
 * Frees the writer whatever the result; on error the output path is untouched and the
 * temporary file is removed. */
zc_result zc_writer_finish(zc_writer *w);

/* Drop everything: remove the temporary file, free the writer. NULL is a no-op. */
void zc_writer_abort(zc_writer *w);

/* 1 when the file name `name` (a final path component) has the form of a writer's
 * temporary file, .zc-<pid>-<16 hex>.tmp (or *.tmp-<digits>-<digits>, the form of
 * earlier versions), which builds and watchers skip. Pure. */
int zc_writer_is_temp_name(const char *name);

/* ZC_OK when `path` is a place a pack may be written: a new name or an existing
 * regular file. Anything else at `path` (a symbolic link, even to a regular file, a
 * character or block device such as /dev/null, a FIFO, a socket, a directory) is
 * refused with ZC_ERR_IO and logged as "<path>: not a regular file ...": renaming a
 * pack over it would replace it. lstat failures other than ENOENT are ZC_ERR_IO too.
 * zc_writer_open checks at open and zc_writer_finish again just before its rename;
 * any caller that renames its own file over an output calls it first. */
zc_result zc_writer_check_output(const char *path, zc_logger logger);

/* Bytes written to the temporary file so far (for progress and limits). */
uint64_t zc_writer_bytes_written(const zc_writer *w);

#ifdef __cplusplus
}
#endif

#endif /* ZC_WRITER_H */
