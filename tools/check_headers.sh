#!/bin/sh
# check_headers.sh - compile every installed public header alone, as a game would.
#
#   tools/check_headers.sh <include dir>      e.g. build/sdk/include (`make test-sdk`)
#
# Each <include dir>/zc/*.h is included, twice (the include guard), into an otherwise
# empty translation unit and compiled as C11 and as C++17 (each zc/*.hpp as C++17), with
# -Wall -Wextra -Werror -pedantic-errors, once without and once with ZC_EDITOR (the
# hot reload header, zc_live.h, declares its API only with it). A header that needs
# another include first, leaks a warning or is not valid C++ fails here, named.
# Compilers: $CC (default cc) and $CXX (default c++).
set -u

dir=${1:?usage: tools/check_headers.sh <include dir>}
cc=${CC:-cc}
cxx=${CXX:-c++}
flags="-Wall -Wextra -Werror -pedantic-errors"
work=$(mktemp -d "${TMPDIR:-/tmp}/zc-headers.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

headers=$(cd "$dir" && ls zc/*.h zc/*.hpp 2>/dev/null)
if [ -z "$headers" ]; then
    echo "check_headers: no headers in $dir/zc/" >&2
    exit 1
fi

failed=0
count=0
for header in $headers; do
    printf '#include <%s>\n#include <%s>\nint zc_header_check_unit;\n' "$header" "$header" > "$work/unit.c"
    cp "$work/unit.c" "$work/unit.cpp"
    for editor in "" "-DZC_EDITOR"; do
        # shellcheck disable=SC2086 # flags are word lists
        if [ "${header%.hpp}" != "$header" ]; then
            : # C++ only
        elif ! "$cc" -std=c11 $flags $editor -I"$dir" -c "$work/unit.c" -o "$work/unit.o" 2> "$work/log"; then
            echo "check_headers: FAILED: $header as C11 ${editor:-(no ZC_EDITOR)}" >&2
            cat "$work/log" >&2
            failed=$((failed + 1))
        fi
        # shellcheck disable=SC2086
        if ! "$cxx" -std=c++17 $flags $editor -I"$dir" -c "$work/unit.cpp" -o "$work/unit.o" 2> "$work/log"; then
            echo "check_headers: FAILED: $header as C++17 ${editor:-(no ZC_EDITOR)}" >&2
            cat "$work/log" >&2
            failed=$((failed + 1))
        fi
        if [ "${header%.hpp}" != "$header" ]; then count=$((count + 1)); else count=$((count + 2)); fi
    done
done

if [ "$failed" -ne 0 ]; then
    echo "check_headers: $failed of $count compilations failed" >&2
    exit 1
fi
echo "check_headers: $(echo "$headers" | wc -w) headers in $dir/zc compile alone ($count compilations: C11 and C++17, with and without ZC_EDITOR)"
