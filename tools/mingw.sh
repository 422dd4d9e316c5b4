#!/usr/bin/env bash
# mingw.sh - cross-compile the runtime and samples/sdk_hello for 64-bit Windows.
#
#   tools/mingw.sh [pack]
#
# Builds build/mingw/libzcpack.a (runtime/*.c except os_posix.c) and
# build/mingw/sdk_hello.exe with x86_64-w64-mingw32-gcc, warnings as errors. When
# wine64 is installed, runs sdk_hello.exe on `pack` (default: samples/assets packed
# by $ZCPACK, default bin/release/zcpack) and fails if it fails.
set -euo pipefail
cd "$(dirname "$0")/.."

cc=x86_64-w64-mingw32-gcc
ar=x86_64-w64-mingw32-ar
out=build/mingw
cflags=(-std=c11 -Wall -Wextra -Werror -O2)

rm -rf "$out/obj" "$out/sdk"
mkdir -p "$out/obj" "$out/include" "$out/sdk/include/zc"

# mingw does not search /usr/include; expose xxhash.h alone.
ln -sfn /usr/include/xxhash.h "$out/include/xxhash.h"
# The headers laid out as `make install` lays them out, for <zc/zc_pack.h>.
cp runtime/zc_pack.h formats/*.h "$out/sdk/include/zc/"

objects=()
for source in runtime/*.c; do
    [ "$source" = runtime/os_posix.c ] && continue
    object="$out/obj/$(basename "${source%.c}").o"
    echo "mingw: $source"
    "$cc" "${cflags[@]}" -Iformats -Iruntime -isystem "$out/include" -c "$source" -o "$object"
    objects+=("$object")
done
rm -f "$out/libzcpack.a"
"$ar" rcs "$out/libzcpack.a" "${objects[@]}"

echo "mingw: samples/sdk_hello/sdk_hello.c"
"$cc" "${cflags[@]}" -I"$out/sdk/include" samples/sdk_hello/sdk_hello.c \
    -L"$out" -lzcpack -static -o "$out/sdk_hello.exe"
echo "mingw: built $out/libzcpack.a and $out/sdk_hello.exe"

wine=/usr/lib/wine/wine64
if [ ! -x "$wine" ]; then
    echo "mingw: $wine not installed: run of sdk_hello.exe skipped"
    exit 0
fi

pack=${1:-}
if [ -z "$pack" ]; then
    pack="$out/assets.zcpack"
    "${ZCPACK:-bin/release/zcpack}" build samples/assets -o "$pack"
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
