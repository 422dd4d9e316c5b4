#!/bin/sh
# zc_import.sh - the import action of zc_pack (zcpack.bzl): stage the declared inputs as
# regular files in a private tree, then run `zcpack import` on it.
#
#   zc_import.sh <zcpack> <object> <entry path> <n> <rel> <file> ... (n pairs) -- [import options]
#
# Each <file> (an input as Bazel lays it out: in a sandbox, a symbolic link to the
# source tree or to bazel-out) is copied, links followed, to <object>.stage/<rel>.
# zcpack import never follows links (a tree it packs may hold a link to /etc/shadow),
# and a model's importer checks that every file it reads resolves below the root: the
# staged tree is made only of the action's declared inputs, as regular files, so both
# hold and nothing undeclared can be read. <rel> "zcpack.json" is the manifest,
# ".zcpackignore" the ignore list. The
# object is the one `zcpack import` gives in the real tree: it holds no absolute path.
# Exit status: zcpack's, or 3 when staging fails.
set -eu

zcpack=$1 object=$2 entry=$3 count=$4
shift 4
stage="$object.stage"
rm -rf "$stage"
trap 'rm -rf "$stage"' EXIT
while [ "$count" -gt 0 ]; do
    rel=$1 file=$2
    shift 2
    count=$((count - 1))
    case "$rel" in
        */*) mkdir -p "$stage/${rel%/*}" ;;
        *) mkdir -p "$stage" ;;
    esac
    cp -L "$file" "$stage/$rel" || { echo "zc_import.sh: $file: cannot stage it as $rel" >&2; exit 3; }
done
[ "${1-}" = "--" ] && shift
"$zcpack" import "$stage/$entry" --root "$stage" -o "$object" "$@"
