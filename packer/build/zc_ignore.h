/* zc_ignore.h - .zcpackignore: files and folders a directory build leaves out.
 *
 * The file `.zcpackignore` at the root of a build's input directory lists patterns in
 * gitignore(5) syntax, one per line, relative to that root:
 *
 *     # DCC sources kept beside the assets for the artists
 *     *.blend
 *     *.psd
 *     /tools/            a folder at the root only
 *     cache/             every folder named cache, at any depth
 *     !keep.psd          a later "!" pattern takes a file back
 *
 * The rules, as git's: blank lines and lines starting with '#' are skipped ("\#" and
 * "\!" start a pattern with those characters); trailing spaces are dropped unless
 * escaped with '\'; a leading '!' negates; a trailing '/' matches folders only; a
 * pattern with a '/' at its start or middle is anchored at the root, one without is
 * matched against the last name of the path at any depth; '*' and '?' do not match '/',
 * "[a-z]" is a class; a segment that is exactly "**" matches any number of folders
 * (none included) when it leads or sits between two slashes, and everything inside
 * when it ends the pattern. The last pattern that matches decides. A file
 * inside an ignored folder stays ignored whatever later patterns say (the build never
 * lists that folder). The build does not pack the file itself, as it does not pack
 * zcpack.json. Matching is case-sensitive, on entry paths ("textures/a.png").
 *
 * Threads: a parsed list is immutable; the match functions are safe from any thread.
 */
#ifndef ZC_IGNORE_H
#define ZC_IGNORE_H

#include <stddef.h>
#include <stdint.h>

#include "zc_importer.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZC_IGNORE_NAME ".zcpackignore"
#define ZC_IGNORE_MAX_SIZE (1u << 20) /* bytes; larger files are refused */

typedef struct zc_ignore zc_ignore;

/* Parse `size` bytes of .zcpackignore text. On error *out is NULL and diag names the
 * problem and its line ("line 4: holds a NUL character"). Errors:
 * ZC_ERR_INVALID_ARGUMENT, ZC_ERR_LIMIT (over ZC_IGNORE_MAX_SIZE), ZC_ERR_OUT_OF_MEMORY.
 * Untrusted. */
zc_result zc_ignore_parse(const char *text, size_t size, zc_ignore **out, zc_diag *diag);

/* Read and parse a .zcpackignore file. Adds ZC_ERR_FILE_NOT_FOUND and ZC_ERR_IO. */
zc_result zc_ignore_load(const char *file_path, zc_ignore **out, zc_diag *diag);

/* The line (from 1) of the pattern that ignores `rel` (a folder when is_dir), or 0
 * when the last matching pattern is a "!" one or none matches. Looks at `rel` alone,
 * not at its folders (the build's walk never enters an ignored folder). NULL list: 0. */
uint32_t zc_ignore_match(const zc_ignore *ignore, const char *rel, int is_dir);

/* As zc_ignore_match for the file `rel`, and first for each folder on its way from the
 * root: the line that ignores the file or one of its folders, else 0. */
uint32_t zc_ignore_path(const zc_ignore *ignore, const char *rel);

/* Hidden and system files, which a build leaves out unless asked to keep them
 * (zc_build_desc.include_hidden): 1 when the file or folder name `name` is hidden (it
 * starts with '.': .git, .svn, .DS_Store, and the "._name" AppleDouble companions
 * macOS writes beside files on other file systems and into zip archives), is the
 * __MACOSX folder of a zip archive made on macOS, or is one of the thumbnail caches
 * and folder settings Windows writes (Thumbs.db, ehthumbs.db, desktop.ini, in any
 * letter case). The names "." and ".." are not names a walk meets. Untrusted. */
int zc_ignore_system_name(const char *name);

/* 1 when a folder of the entry path `rel` or its last name is a system name
 * (zc_ignore_system_name): what `zcpack import` asks for one file. */
int zc_ignore_system_path(const char *rel);

/* The folders a walk that follows links is inside, innermost first, each a node on
 * the walker's stack: a link back to one of them is left out, or the walk would not
 * end. */
typedef struct zc_walk_folder {
    uint64_t dev, ino;          /* the folder's identity (stat) */
    const struct zc_walk_folder *outer; /* NULL for the walk's root */
} zc_walk_folder;

/* 1 when the folder (dev, ino) is `walk` or one it lies in. */
int zc_walk_folder_inside(const zc_walk_folder *walk, uint64_t dev, uint64_t ino);

/* Number of patterns; 0 for NULL. */
size_t zc_ignore_count(const zc_ignore *ignore);

/* Free a list. NULL is a no-op. */
void zc_ignore_free(zc_ignore *ignore);

/* Internal: whether the whole of `string` matches the glob `pattern` ('*', '?', "[a-z]"
 * classes, '\' escapes; '/' is an ordinary character), as fnmatch(3) with no flags.
 * The Windows packer's fnmatch (packer/win32/zc_packer_os_win32.c). */
int zc__ignore_glob(const char *pattern, const char *string);

#ifdef __cplusplus
}
#endif

#endif /* ZC_IGNORE_H */
