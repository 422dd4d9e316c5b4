#!/usr/bin/env bash
# mingw.sh - cross-compile the runtime and samples/sdk_hello for 64-bit Windows.
#
#   tools/mingw.sh [pack]
#
# Builds build/mingw/libzcpack.a (runtime/*.c except os_posix.c and zc_prefetch.c,
# which needs libuv) and build/mingw/sdk_hello.exe with x86_64-w64-mingw32-gcc,
# warnings as errors. Debian ships neither zstd nor libuv for mingw, so the runtime is
# compiled with -DZC_NO_ZSTD: compressed entries report ZC_ERR_UNSUPPORTED_CODEC, and
# the pack sdk_hello reads is built with --no-compress-entries. Nor does it ship
# libsodium, so the runtime is compiled with -DZC_NO_SODIUM: signed packs open as
# plain packs, and any trusted key given is refused with ZC_ERR_SIGNATURE. When
# wine64 is installed, runs sdk_hello.exe on `pack` (default: samples/assets packed
# by $ZCPACK, default bin/release/zcpack) and fails if it fails.
#
# Editor variant: build/mingw/libzcpack_editor.a is the runtime again with ZC_EDITOR
# (hot reload, with the Win32 layer's generation files) and ZC_LIVE_NO_WATCHER
# (Debian has no libuv for mingw, so zc_live_watch.c is left out and the engine
# polls), and build/mingw/hotreload.exe is samples/hotreload on it. Under wine64 the
# sample reads generation files (<pack>.gen-<n>) and must report the one published
# while it runs.
set -euo pipefail
cd "$(dirname "$0")/.."

cc=x86_64-w64-mingw32-gcc
ar=x86_64-w64-mingw32-ar
out=build/mingw
cflags=(-std=c11 -Wall -Wextra -Werror -O2)
runtime_flags=(-DZC_NO_ZSTD -DZC_NO_SODIUM)

rm -rf "$out/obj" "$out/sdk"
mkdir -p "$out/obj" "$out/include" "$out/sdk/include/zc"

# mingw does not search /usr/include; expose xxhash.h alone.
ln -sfn /usr/include/xxhash.h "$out/include/xxhash.h"
# The headers laid out as `make install` lays them out, for <zc/zc_pack.h>.
cp runtime/include/*.h formats/*.h "$out/sdk/include/zc/"

objects=()
for source in runtime/*.c; do
    case "$source" in runtime/os_posix.c | runtime/zc_prefetch.c) continue ;; esac
    object="$out/obj/$(basename "${source%.c}").o"
    echo "mingw: $source"
    "$cc" "${cflags[@]}" "${runtime_flags[@]}" -Iformats -Iruntime/include -Iruntime -isystem "$out/include" -c "$source" -o "$object"
    objects+=("$object")
done
rm -f "$out/libzcpack.a"
"$ar" rcs "$out/libzcpack.a" "${objects[@]}"

echo "mingw: samples/sdk_hello/sdk_hello.c"
"$cc" "${cflags[@]}" -I"$out/sdk/include" samples/sdk_hello/sdk_hello.c \
    -L"$out" -lzcpack -static -o "$out/sdk_hello.exe"
echo "mingw: built $out/libzcpack.a and $out/sdk_hello.exe"

# Only os_win32.c and zc_live.c hold editor code; every other object is shared with
# the library above (ZC_EDITOR adds nothing but declarations to them).
rm -rf "$out/obj-editor"
mkdir -p "$out/obj-editor"
editor_objects=()
for object in "${objects[@]}"; do
    name=$(basename "${object%.o}")
    case "$name" in
        os_win32 | zc_live)
            echo "mingw (editor): runtime/$name.c"
            object="$out/obj-editor/$name.o"
            "$cc" "${cflags[@]}" "${runtime_flags[@]}" -DZC_EDITOR -DZC_LIVE_NO_WATCHER -Iformats -Iruntime/include -Iruntime \
                -isystem "$out/include" -c "runtime/$name.c" -o "$object"
            ;;
        zc_live_watch) continue ;;
    esac
    editor_objects+=("$object")
done
rm -f "$out/libzcpack_editor.a"
"$ar" rcs "$out/libzcpack_editor.a" "${editor_objects[@]}"
echo "mingw (editor): samples/hotreload/hotreload_main.c"
"$cc" "${cflags[@]}" -DZC_EDITOR -Iformats -Iruntime/include samples/hotreload/hotreload_main.c \
    -L"$out" -lzcpack_editor -static -o "$out/hotreload.exe"
echo "mingw: built $out/libzcpack_editor.a and $out/hotreload.exe"

wine=/usr/lib/wine/wine64
if [ ! -x "$wine" ]; then
    echo "mingw: $wine not installed: run of sdk_hello.exe skipped"
    exit 0
fi

pack=${1:-}
if [ -z "$pack" ]; then
    pack="$out/assets.zcpack"
    "${ZCPACK:-bin/release/zcpack}" build samples/assets -o "$pack" --no-compress-entries
fi
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="   # no Mono/Gecko install on first start
export WINEPREFIX=${WINEPREFIX:-$PWD/$out/wine}
if [ ! -d "$WINEPREFIX" ]; then
    echo "mingw: creating the wine prefix $WINEPREFIX"
    "$wine" wineboot --init >/dev/null 2>&1 || true
fi
echo "mingw: running sdk_hello.exe under wine64 on $pack"
"$wine" "$out/sdk_hello.exe" "$pack" shaders/sky.glsl
echo "mingw: sdk_hello.exe passed under wine64"

# Hot reload under wine: generation 1 is samples/assets packed as <game>.gen-1; once
# the sample runs, the same tree with one text file changed is renamed to
# <game>.gen-2, and the sample must report that entry and exit 0.
reload_dir="$out/reload"
rm -rf "$reload_dir"
mkdir -p "$reload_dir"
cp -r samples/assets "$reload_dir/assets"
printf 'hello,changed by tools/mingw.sh\n' >> "$reload_dir/assets/text/strings_en.csv"
"${ZCPACK:-bin/release/zcpack}" build samples/assets -o "$reload_dir/game.zcpack.gen-1" \
    --no-compress-entries >/dev/null
"${ZCPACK:-bin/release/zcpack}" build "$reload_dir/assets" -o "$reload_dir/next.zcpack" \
    --no-compress-entries >/dev/null
echo "mingw: running hotreload.exe under wine64 on generation files in $reload_dir"
"$wine" "$out/hotreload.exe" "$reload_dir/game.zcpack" --generations --changes 1 --timeout 90 --interval 20 \
    >"$reload_dir/hotreload.out" 2>&1 &
sample=$!
for _ in $(seq 1 600); do
    grep -q "generation 1" "$reload_dir/hotreload.out" 2>/dev/null && break
    kill -0 "$sample" 2>/dev/null || break
    sleep 0.1
done
mv "$reload_dir/next.zcpack" "$reload_dir/game.zcpack.gen-2"
status=0
wait "$sample" || status=$?
cat "$reload_dir/hotreload.out"
if [ "$status" -ne 0 ] || ! grep -q "changed  *text/strings_en.csv" "$reload_dir/hotreload.out"; then
    echo "mingw: hotreload.exe did not report the new generation (status $status)" >&2
    exit 1
fi
echo "mingw: hotreload.exe reported the new generation under wine64"
