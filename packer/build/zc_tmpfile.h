/* zc_tmpfile.h - the packer's temporary files: created exclusively, never through a
 * link, under a name no one can guess, short enough for any output name.
 *
 * Every file the packer writes before renaming it over its final name (the writer's
 * pack, extract's output, build cache records, a patch build's full pack) is created
 * by zc__tmpfile_create as "<dir>/.zc-<pid>-<16 hex digits>.tmp" in the directory of
 * its final path: O_CREAT | O_EXCL | O_NOFOLLOW, mode 0644 (before the umask), the 16
 * hex digits from getrandom (/dev/urandom as a fallback), a new name on EEXIST. The
 * base name is at most 35 bytes whatever the final name, so a final name of NAME_MAX
 * bytes still gets a temporary file. The pid in the name lets a later build tell a
 * dead process's leftover from a live one's (zc__tmpfile_remove_stale).
 *
 * Internal to the packer (zc__ prefix); POSIX only. Thread-safe.
 */
#ifndef ZC_TMPFILE_H
#define ZC_TMPFILE_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Create a new temporary file beside `final_path` (O_RDWR plus the flags above,
 * through zc__packer_sys.open). Returns the descriptor and the malloc'd path in
 * *out_path; -1 with errno set (ENOMEM, or open's error) and *out_path NULL. */
int zc__tmpfile_create(const char *final_path, char **out_path);

/* The pid recorded in `name` (a final path component) when it has the form of a
 * temporary file above, else 0. Pure. */
pid_t zc__tmpfile_pid(const char *name);

/* Remove, from the directory of `final_path`, every temporary file of the form
 * above whose process no longer exists (kill(pid, 0) fails with ESRCH); never one of
 * this process or of a live one, never anything else. Only regular files are
 * removed. Looks at the first ZC_TMPFILE_SCAN_NAMES names the directory lists, so a
 * writer into a folder of many files (a build engine's objects, one import each)
 * pays a bounded price instead of one growing with the folder; a leftover past them
 * waits until the folder holds fewer. Returns how many were removed; errors are
 * ignored (best effort). */
#define ZC_TMPFILE_SCAN_NAMES 4096u
unsigned zc__tmpfile_remove_stale(const char *final_path);

#ifdef __cplusplus
}
#endif

#endif /* ZC_TMPFILE_H */
