#!/usr/bin/env bash
# debian_source.sh - fetch and unpack the upstream sources of a Debian source package.
#
#   tools/debian_source.sh <source-package> <directory>
#
# Reads the Sources index of this machine's Debian release (VERSION_CODENAME of
# /etc/os-release, component main) from $DEBIAN_MIRROR (default
# http://deb.debian.org/debian), finds the package's upstream tarball (*.orig.tar.*,
# or the only tarball of a native package), downloads it into <directory>, checks its
# SHA-256 against the index and unpacks it there. Prints the unpacked source folder
# on standard output; everything else goes to standard error.
#
# Nothing is fetched twice: a tarball already in <directory> whose SHA-256 matches the
# index is used as it is, and an index younger than a day is reused. The version is
# whatever the release carries today (a stable release changes it only for fixes), so
# no version is pinned here.
#
# Debian's own patches (debian/patches/series of the package's debian.tar.*) are
# applied on top, as dpkg-source would, so the sources are those of Debian's binary
# packages, security fixes included.
#
# Exit status: 0 done; 1 usage; 2 the index or the tarball could not be fetched, the
# package is not in the index, or the checksum does not match.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: tools/debian_source.sh <source-package> <directory>" >&2
    exit 1
fi
package=$1
dir=$2
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# shellcheck disable=SC1091
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
mkdir -p "$dir"

fail() {
    echo "debian_source: $*" >&2
    exit 2
}

fetch() { # url file
    curl -fsS --retry 3 --connect-timeout 20 --max-time 600 -o "$2.part" "$1" && mv "$2.part" "$2"
}

index="$dir/Sources-$suite.xz"
if [ ! -f "$index" ] || [ -n "$(find "$index" -mmin +1440)" ]; then
    echo "debian_source: fetching the $suite source index from $mirror" >&2
    fetch "$mirror/dists/$suite/main/source/Sources.xz" "$index" ||
        fail "cannot fetch $mirror/dists/$suite/main/source/Sources.xz"
fi

# The package's stanza: its Directory, Version and the SHA-256 lines of its files.
stanza=$(xz -dc "$index" | awk -v want="Package: $package" '
    $0 == want { inside = 1 }
    inside && /^$/ { inside = 0; done = 1 }
    inside && !done { print }')
[ -n "$stanza" ] || fail "no source package $package in $suite"
directory=$(printf '%s\n' "$stanza" | sed -n 's/^Directory: //p')
version=$(printf '%s\n' "$stanza" | sed -n 's/^Version: //p')
files=$(printf '%s\n' "$stanza" | awk '/^Checksums-Sha256:/ { on = 1; next } on && /^ / { print $1, $3; next } { on = 0 }')
line=$(printf '%s\n' "$files" | grep -E ' [^ ]+\.orig\.tar\.(gz|xz|bz2)$' | head -n 1 || true)
[ -n "$line" ] || line=$(printf '%s\n' "$files" | grep -E ' [^ ]+\.tar\.(gz|xz|bz2)$' | grep -v debian.tar | head -n 1 || true)
[ -n "$line" ] || fail "no upstream tarball listed for $package $version"
sha=${line%% *}
tarball=${line#* }

fetch_checked() { # sha file
    if [ ! -f "$dir/$2" ] || [ "$(sha256sum "$dir/$2" | cut -d' ' -f1)" != "$1" ]; then
        echo "debian_source: fetching $package $version ($2)" >&2
        fetch "$mirror/$directory/$2" "$dir/$2" || fail "cannot fetch $mirror/$directory/$2"
        got=$(sha256sum "$dir/$2" | cut -d' ' -f1)
        if [ "$got" != "$1" ]; then
            rm -f "$dir/$2"
            fail "$2: SHA-256 $got, the index says $1"
        fi
    fi
}
fetch_checked "$sha" "$tarball"
debian_line=$(printf '%s\n' "$files" | grep -E ' [^ ]+\.debian\.tar\.(gz|xz|bz2)$' | head -n 1 || true)
if [ -n "$debian_line" ]; then
    fetch_checked "${debian_line%% *}" "${debian_line#* }"
fi

# Unpack into <directory>/<package>-<upstream version>, whatever the tarball's top folder.
upstream=${version#*:}
upstream=${upstream%-*}
target="$dir/$package-$upstream"
if [ ! -f "$target/.unpacked" ] || [ "$dir/$tarball" -nt "$target/.unpacked" ]; then
    rm -rf "$target"
    mkdir -p "$target"
    tar -xf "$dir/$tarball" -C "$target" --strip-components=1 || fail "cannot unpack $tarball"
    if [ -n "$debian_line" ]; then
        tar -xf "$dir/${debian_line#* }" -C "$target" || fail "cannot unpack ${debian_line#* }"
        if [ -f "$target/debian/patches/series" ]; then
            grep -v -e '^#' -e '^[[:space:]]*$' "$target/debian/patches/series" | while read -r patch _; do
                patch -s -p1 -d "$target" <"$target/debian/patches/$patch" >&2 ||
                    fail "$package: Debian's patch $patch does not apply"
            done
        fi
    fi
    touch "$target/.unpacked"
fi
echo "$target"
