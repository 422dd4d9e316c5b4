/* zc_cli_stage.h - the private tree of `zcpack import --stage <list>`: the inputs a
 * build engine declared for one import action, placed under their entry paths in a
 * new directory, so that the import reads those files and nothing else.
 *
 * The list has one line per input, "<entry path>\t<file>": an entry path as the pack
 * would name it (formats/SPEC.md: relative, '/'-separated, no "." or ".."
 * component, no control character), a tab, then the file (a regular file, or a
 * symbolic link to one, as a build engine's sandbox lays inputs out). A missing
 * final newline is allowed; an empty line is skipped. "zcpack.json" is the tree's
 * manifest and ".zcpackignore" its ignore list, as in a tree on disk.
 *
 * The tree is "<beside>.stage-<pid>-<8 hex digits>" in the directory of `beside`
 * (the object being written). Each file is a hard link to the input's resolved
 * path, or a copy of its bytes when it cannot be linked (another file system, a
 * file system without links): the importers, which open no symbolic link and check
 * that a model reads nothing outside its root, see regular files below the root.
 * The files are only read.
 *
 * POSIX only: on Windows zc__stage_create fails with a message. Internal to the CLI.
 */
#ifndef ZC_CLI_STAGE_H
#define ZC_CLI_STAGE_H

#include <stddef.h>

/* One file or folder zc__stage_create made below the root. */
typedef struct zc_cli_staged {
    char *path;
    int folder;
} zc_cli_staged;

typedef struct zc_cli_stage {
    char *root;                 /* the staged tree; NULL when none was made */
    zc_cli_staged *made;        /* what was made below root, in creation order */
    size_t made_count, made_cap;
} zc_cli_stage;

/* Read `list_path` and stage its inputs beside `beside`. 0, or -1 with a sentence
 * naming the list's line or the file and the problem in err (the tree, when made,
 * is removed again). Allocates; not thread-safe (errno). */
int zc__stage_create(const char *list_path, const char *beside, zc_cli_stage *stage, char *err, size_t err_size);

/* Remove everything zc__stage_create made, files, folders and the root, and free
 * the stage. Leaves nothing it did not make. Safe on a zeroed stage. */
void zc__stage_remove(zc_cli_stage *stage);

#endif /* ZC_CLI_STAGE_H */
