#!/bin/sh
# check_examples.sh - compile every code example of README.md and of the installed
# public headers against the installed SDK, and run it on the demo pack.
#
#   tools/check_examples.sh <sdk prefix> [<editor library dir>]
#       e.g. tools/check_examples.sh build/sdk bin/editor          (`make test-sdk`)
#
# Where the examples are:
#  - README.md: every ```c block;
#  - each installed header (<prefix>/include/zc/*.h): every block that follows a
#    comment line whose text is "Example:", indented four spaces more than that text,
#    up to the first line that is not (one blank comment line inside is kept when
#    the block goes on after it).
# Wrapping rule (an example is a fragment; this makes it a program):
#  - lines starting with `#include`, and every definition starting at the start of a
#    line with `static ` (up to the next line that is exactly "}", unless it ends on
#    its own line), go at file scope, in order;
#  - every other line becomes, in order, the body of `int zc_example(void)`, which
#    then returns 0 (so an example may `return 1` on failure);
#  - the file starts with #include "zc_example.h" (tools/examples/), which declares
#    what the examples leave to the engine (compile_shader, upload_level, the frame
#    loop's engine_running, ...) and the packs they take as open (pack, base, patch1,
#    mod); tools/examples/zc_example_main.c defines them as stand-ins that check what
#    they are handed, and fails the run when the example calls one that never ran;
#  - #line directives point compiler messages at the document's own lines.
# Build: $CC (default cc) -std=c11 -D_POSIX_C_SOURCE=200809L (uv.h needs it) -Wall
# -Wextra -Werror -Wno-unused-parameter (callbacks in examples ignore arguments), with
# `pkg-config --cflags --libs zcpack libuv` of the SDK (zcpack-packer for the
# examples of zc/zc_packer.h, the packer library). An example that names zc_live
# (hot reload) is compiled with -DZC_EDITOR and linked with <editor library
# dir>/libzcpack.a; without that argument it is compiled only.
# Run: each example in a directory of its own holding game.zcpack (samples/assets
# packed by the SDK's zcpack), game.next.zcpack (the same with one file changed,
# which a hot reload example's first frame publishes), game.zcindex and its member
# packs (samples/assets imported file by file and linked as a pack set, textures in
# a chunk of their own) and assets/ (samples/assets).
# Exit status: 0 when every example compiles and runs with exit status 0.
set -u

sdk=${1:?usage: tools/check_examples.sh <sdk prefix> [<editor library dir>]}
editor=${2:-}
cc=${CC:-cc}
top=$(cd "$(dirname "$0")/.." && pwd)
sdk=$(cd "$sdk" && pwd) || exit 1
if [ -n "$editor" ]; then editor=$(cd "$editor" && pwd) || exit 1; fi
work=$(mktemp -d "${TMPDIR:-/tmp}/zc-examples.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
PKG_CONFIG_PATH=$sdk/lib/pkgconfig
export PKG_CONFIG_PATH
flags="-std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Wno-unused-parameter"

# The demo pack and its next generation.
if ! { cp -R "$top/samples/assets" "$work/next-assets" &&
    echo "greeting_next,Hello again" >> "$work/next-assets/text/strings_en.csv" &&
    "$sdk/bin/zcpack" build "$top/samples/assets" -o "$work/game.zcpack" > "$work/build.log" 2>&1 &&
    "$sdk/bin/zcpack" build "$work/next-assets" -o "$work/game.next.zcpack" >> "$work/build.log" 2>&1; }; then
    echo "check_examples: cannot build the demo packs:" >&2
    cat "$work/build.log" >&2
    exit 1
fi

# The demo assets as a pack set: game.zcindex and its members (textures apart).
mkdir -p "$work/set" "$work/objects"
(cd "$top/samples/assets" && find . -type f | sed 's|^\./||' | sort) > "$work/files"
while read -r file; do
    object="$work/objects/$(echo "$file" | tr '/' '_').zco"
    "$sdk/bin/zcpack" import "$top/samples/assets/$file" --root "$top/samples/assets" -o "$object" \
        >> "$work/build.log" 2>&1 || { echo "check_examples: cannot import $file:" >&2; cat "$work/build.log" >&2; exit 1; }
    echo "$object" >> "$work/objects.list"
done < "$work/files"
if ! "$sdk/bin/zcpack" link "@$work/objects.list" -o "$work/set/game.zcindex" --chunk 'textures/*=textures' \
    >> "$work/build.log" 2>&1; then
    echo "check_examples: cannot link the demo pack set:" >&2
    cat "$work/build.log" >&2
    exit 1
fi

# extract <mode: readme|header> <document> <name shown in messages>: writes
# $work/ex/<n>.c (the wrapped example) and <n>.txt (its text) for each example.
extract() {
    awk -v mode="$1" -v shown="$3" -v out="$work/ex" '
    function flush(   i, scope, body, line, in_fn, file) {
        if (count == 0) return
        examples++
        file = shown "-" start[1]
        gsub("[/.]", "_", file)
        file = out "/" file
        scope = ""; body = ""; in_fn = 0
        for (i = 1; i <= count; i++) {
            line = "#line " start[i] " \"" shown "\"\n" text[i] "\n"
            if (in_fn) {
                scope = scope line
                if (text[i] == "}") in_fn = 0
            } else if (text[i] ~ /^#include/) {
                scope = scope line
            } else if (text[i] ~ /^static /) {
                scope = scope line
                in_fn = text[i] !~ /[;}][ \t]*(\/\*.*\*\/)?[ \t]*$/
            } else {
                body = body line
            }
            printf "%s\n", text[i] > (file ".txt")
        }
        printf "%s:%d\n", shown, start[1] > (file ".name")
        close(file ".name")
        printf "#include \"zc_example.h\"\n%sint zc_example(void) {\n%s#line %d \"%s\"\nreturn 0;\n}\n", \
            scope, body, start[count], shown > (file ".c")
        close(file ".c"); close(file ".txt")
        count = 0
    }
    mode == "readme" {
        if (!inside && $0 == "```c") { inside = 1; count = 0; next }
        if (inside && $0 == "```") { inside = 0; flush(); next }
        if (inside) { count++; text[count] = $0; start[count] = NR }
        next
    }
    mode == "header" {
        line = $0
        if (!sub(/^ \*/, "", line)) { if (inside) { inside = 0; flush() } ; next }
        if (inside) {
            if (substr(line, 1, indent) == pad && substr(line, indent + 1) ~ /[^ ]/) {
                if (blank) { count++; text[count] = ""; start[count] = NR - 1; blank = 0 }
                count++; text[count] = substr(line, indent + 1); start[count] = NR; next
            }
            if (line ~ /^ *$/ && !blank) { blank = 1; next }
            inside = 0; blank = 0; flush()
        }
        if (match(line, /^ *Example:$/)) {
            inside = 1; count = 0; blank = 0
            indent = index(line, "E") - 1 + 4
            pad = sprintf("%" indent "s", "")
        }
        next
    }
    END { if (inside) flush(); if (mode == "readme" && examples == 0) exit 1 }
    ' "$2"
}

mkdir -p "$work/ex"
extract readme "$top/README.md" README.md || { echo "check_examples: README.md has no \`\`\`c block" >&2; exit 1; }
for header in "$sdk"/include/zc/*.h; do
    extract header "$header" "zc/$(basename "$header")" || exit 1
done

cflags=$(pkg-config --cflags zcpack libuv) || exit 1
libs=$(pkg-config --libs zcpack libuv) || exit 1
# the editor library is static: it needs the libraries zcpack.pc lists as private
editor_libs=$(pkg-config --libs $(pkg-config --print-requires-private zcpack | cut -d' ' -f1) libuv) || exit 1

# build <example .c> <program>: compile (and link, unless it is a hot reload example
# without an editor library) into <program>; messages in $work/log.
# shellcheck disable=SC2086 # flag lists
build() {
    if grep -q 'zc_packer.h' "$1"; then
        "$cc" $flags -I"$top/tools/examples" $cflags "$1" "$top/tools/examples/zc_example_main.c" \
            $(pkg-config --libs zcpack-packer libuv) -o "$2" 2> "$work/log"
    elif ! grep -q 'zc_live' "$1"; then
        "$cc" $flags -I"$top/tools/examples" $cflags "$1" "$top/tools/examples/zc_example_main.c" \
            $libs -o "$2" 2> "$work/log"
    elif [ -n "$editor" ]; then
        "$cc" $flags -DZC_EDITOR -I"$top/tools/examples" $cflags "$1" "$top/tools/examples/zc_example_main.c" \
            "$editor/libzcpack.a" $editor_libs -pthread -o "$2" 2> "$work/log"
    else
        "$cc" $flags -DZC_EDITOR -I"$top/tools/examples" $cflags -c "$1" -o "$2.o" 2> "$work/log"
    fi
}

failed=0
total=0
ran=0
for source in "$work"/ex/*.c; do
    program="$work/ex/$(basename "$source" .c)"
    name=$(cat "$program.name")
    total=$((total + 1))
    if ! build "$source" "$program"; then
        echo "check_examples: FAILED: $name does not compile:" >&2
        cat "$work/log" >&2
        failed=$((failed + 1))
        continue
    fi
    if [ ! -x "$program" ]; then
        echo "check_examples: $name: compiled only (no editor library given)"
        continue
    fi
    run="$program.run"
    mkdir -p "$run"
    cp "$work/game.zcpack" "$work/game.next.zcpack" "$work/set/"* "$run/" && ln -s "$top/samples/assets" "$run/assets" || exit 1
    if (cd "$run" && LD_LIBRARY_PATH="$sdk/lib" timeout 60 "$program" "$program.txt") > "$work/log" 2>&1; then
        ran=$((ran + 1))
    else
        echo "check_examples: FAILED: $name exits with an error:" >&2
        cat "$work/log" >&2
        failed=$((failed + 1))
    fi
done

if [ "$failed" -ne 0 ]; then
    echo "check_examples: $failed of $total examples failed" >&2
    exit 1
fi
echo "check_examples: $total examples of README.md and $sdk/include/zc compile; $ran ran on the demo pack"
