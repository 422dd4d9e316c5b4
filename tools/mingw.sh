#!/usr/bin/env bash
# mingw.sh - cross-compile the runtime, samples/sdk_hello and zcpack.exe for 64-bit Windows.
#
#   tools/mingw.sh [pack]
#
# Debian ships zstd, libuv, libsodium and cJSON for Linux only, so this script first
# builds them for mingw from Debian's own source packages (tools/debian_source.sh
# fetches the upstream sources and applies Debian's patches; the libraries are
# compiled once into build/mingw/deps/). Then it builds build/mingw/libzcpack.a
# (runtime/*.c except os_posix.c) and build/mingw/sdk_hello.exe with
# x86_64-w64-mingw32-gcc, warnings as errors: the Windows runtime reads compressed
# entries, prefetches on libuv and verifies signed packs like the Linux one.
#
# The sources are fetched once per build folder; without a route to the Debian mirror
# the script stops with the fetch's error.
#
# When wine64 is installed, runs sdk_hello.exe on `pack` (default: samples/assets
# packed by $ZCPACK, default bin/release/zcpack, with compressed entries) and fails if
# it fails; then signs a copy of that pack with a new key and checks that
# sdk_hello.exe opens it with the key, and refuses it unsigned or with one flipped byte.
#
# zcpack.exe is the packer and the CLI from the same sources, without what needs a
# library this script does not build for mingw (EXR: OpenEXR; ASTC: libastcenc).
# cJSON, libwebp's decoder, libcurl (HTTP and HTTPS, for the shared build cache) and, for
# the model importer, assimp and meshoptimizer (tools/mingw_models.sh) are built from
# Debian's source packages like the three above. Under wine64, tools/mingw_zcpack.sh
# then holds it to the Linux zcpack (the same packs from the same trees, models of
# every claimed format included; the same bytes from cat and extract).
#
# Editor variant: build/mingw/libzcpack_editor.a is the runtime again with ZC_EDITOR
# (hot reload, with the Win32 layer's generation files and the libuv watcher), and
# build/mingw/hotreload.exe is samples/hotreload on it. Under wine64 the sample reads
# generation files (<pack>.gen-<n>) and must report the one published while it runs.
set -euo pipefail
cd "$(dirname "$0")/.."

cc=x86_64-w64-mingw32-gcc
ar=x86_64-w64-mingw32-ar
out=build/mingw
deps=$out/deps
cflags=(-std=c11 -Wall -Wextra -Werror -O2)
runtime_flags=(-DSODIUM_STATIC -D__USE_MINGW_ANSI_STDIO=1)

# Compile the files named after `--` into the static library $1 with the flags before
# `--`, one compiler per processor; skipped when the library is newer than this script
# (or than $build_stamp). The compiler is $build_cc (default: the C compiler).
build_library() {
    local library=$1
    shift
    local flags=()
    while [ "$1" != "--" ]; do flags+=("$1"); shift; done
    shift
    if [ -f "$library" ] && [ "$library" -nt "${build_stamp:-tools/mingw.sh}" ]; then return 0; fi
    local objdir="${library%.a}.obj"
    rm -rf "$objdir"
    mkdir -p "$objdir"
    local objects=() pids=() source object pid jobs
    jobs=$(nproc)
    for source in "$@"; do
        object="$objdir/$(basename "$(dirname "$source")")_$(basename "${source%.*}").o"
        "${build_cc:-$cc}" "${flags[@]}" -c "$source" -o "$object" &
        pids+=("$!")
        objects+=("$object")
        if [ "${#pids[@]}" -ge "$jobs" ]; then
            wait "${pids[0]}" # a failed compile ends the script here (set -e)
            pids=("${pids[@]:1}")
        fi
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
    rm -f "$library"
    "$ar" rcs "$library" "${objects[@]}"
}

# zstd (the decoder for the runtime, the encoder and dictionary builder for zcpack.exe)
# and libuv for mingw, from Debian's source packages.
zstd_src=$(tools/debian_source.sh libzstd "$out/src")
uv_src=$(tools/debian_source.sh libuv1 "$out/src")
mkdir -p "$deps/include"
echo "mingw: zstd from $zstd_src"
build_library "$deps/libzstd.a" -O2 -DZSTD_DISABLE_ASM -DXXH_NAMESPACE=ZSTD_ -I"$zstd_src/lib" -I"$zstd_src/lib/common" -- \
    "$zstd_src"/lib/common/*.c "$zstd_src"/lib/decompress/*.c "$zstd_src"/lib/compress/*.c "$zstd_src"/lib/dictBuilder/*.c
cp "$zstd_src"/lib/zstd.h "$zstd_src"/lib/zstd_errors.h "$zstd_src"/lib/zdict.h "$deps/include/"
echo "mingw: libuv from $uv_src"
build_library "$deps/libuv.a" -O2 -std=gnu11 -DWIN32_LEAN_AND_MEAN -D_WIN32_WINNT=0x0602 -D_CRT_SECURE_NO_DEPRECATE \
    -I"$uv_src/include" -I"$uv_src/src" -- "$uv_src"/src/*.c "$uv_src"/src/win/*.c
cp -r "$uv_src"/include/* "$deps/include/"
# libsodium's reference C code (no assembly, no CPU-specific intrinsics: the runtime
# uses it for BLAKE2b and Ed25519 verification only); version.h is the one upstream
# ships for builds without configure (CONFIGURED=1 says the defines configure would
# find are given here: little endian, thread-local storage).
sodium_src=$(tools/debian_source.sh libsodium "$out/src")
echo "mingw: libsodium from $sodium_src"
cp -r "$sodium_src"/src/libsodium/include/sodium.h "$sodium_src"/src/libsodium/include/sodium "$deps/include/"
cp "$sodium_src"/builds/msvc/version.h "$deps/include/sodium/version.h"
mapfile -t sodium_sources < <(find "$sodium_src/src/libsodium" -name '*.c' | LC_ALL=C sort)
build_library "$deps/libsodium.a" -O2 -std=gnu11 -DCONFIGURED=1 -DSODIUM_STATIC -DNATIVE_LITTLE_ENDIAN -DTLS=_Thread_local -I"$deps/include" \
    -I"$deps/include/sodium" -I"$sodium_src/src/libsodium/include/sodium" -- "${sodium_sources[@]}"
# cJSON, for zcpack.exe (manifests, --json output, schema entries).
cjson_src=$(tools/debian_source.sh cjson "$out/src")
echo "mingw: cJSON from $cjson_src"
mkdir -p "$deps/include/cjson"
cp "$cjson_src"/cJSON.h "$deps/include/cjson/"
build_library "$deps/libcjson.a" -O2 -std=c89 -- "$cjson_src"/cJSON.c
# libwebp's decoder, for zcpack.exe's WebP sources: its dec, dsp and utils folders
# (the SSE2 paths compiled in, chosen at run time by libwebp's CPU check).
webp_src=$(tools/debian_source.sh libwebp "$out/src")
echo "mingw: libwebp from $webp_src"
mkdir -p "$deps/include/webp"
cp "$webp_src"/src/webp/decode.h "$webp_src"/src/webp/types.h "$deps/include/webp/"
build_library "$deps/libwebpdecoder.a" -O2 -std=gnu11 -I"$webp_src" -I"$webp_src/src" -- \
    "$webp_src"/src/dec/*.c "$webp_src"/src/dsp/*.c "$webp_src"/src/utils/*.c
# libcurl, for zcpack.exe's shared build cache (--cache-url): HTTP and HTTPS only,
# Windows' own configuration (lib/config-win32.h), TLS through Schannel, Windows' own
# TLS and its certificate store (so no TLS library is built here).
curl_src=$(tools/debian_source.sh curl "$out/src")
echo "mingw: libcurl from $curl_src"
mkdir -p "$deps/include/curl"
cp "$curl_src"/include/curl/*.h "$deps/include/curl/"
build_library "$deps/libcurl.a" -O2 -DBUILDING_LIBCURL -DCURL_STATICLIB -DHTTP_ONLY -DCURL_DISABLE_LDAP \
    -DUSE_SCHANNEL -DUSE_WINDOWS_SSPI \
    -I"$curl_src/include" -I"$curl_src/lib" -- "$curl_src"/lib/*.c "$curl_src"/lib/vauth/*.c \
    "$curl_src"/lib/vtls/*.c "$curl_src"/lib/vquic/vquic.c
# assimp and meshoptimizer (with zlib and minizip), for zcpack.exe's model importer.
# shellcheck source=tools/mingw_models.sh
. tools/mingw_models.sh
# What a Windows program links beside libzcpack.a: the three libraries and the system
# libraries libuv needs.
dep_libs=(-L"$deps" -luv -lzstd -lsodium -lws2_32 -liphlpapi -luserenv -ldbghelp -lole32 -luuid -lpsapi -luser32 -ladvapi32 -lshell32)

rm -rf "$out/obj" "$out/sdk"
mkdir -p "$out/obj" "$out/include" "$out/sdk/include/zc"

# mingw does not search /usr/include; expose xxhash.h alone.
ln -sfn /usr/include/xxhash.h "$out/include/xxhash.h"
# The headers laid out as `make install` lays them out, for <zc/zc_pack.h>.
cp runtime/include/*.h formats/*.h "$out/sdk/include/zc/"

objects=()
for source in runtime/*.c; do
    [ "$source" = runtime/os_posix.c ] && continue
    object="$out/obj/$(basename "${source%.c}").o"
    echo "mingw: $source"
    "$cc" "${cflags[@]}" "${runtime_flags[@]}" -Iformats -Iruntime/include -Iruntime -isystem "$out/include" -isystem "$deps/include" -c "$source" -o "$object"
    objects+=("$object")
done
rm -f "$out/libzcpack.a"
"$ar" rcs "$out/libzcpack.a" "${objects[@]}"

echo "mingw: samples/sdk_hello/sdk_hello.c"
"$cc" "${cflags[@]}" -I"$out/sdk/include" samples/sdk_hello/sdk_hello.c \
    -L"$out" -lzcpack "${dep_libs[@]}" -static -o "$out/sdk_hello.exe"
echo "mingw: built $out/libzcpack.a and $out/sdk_hello.exe"

# Only os_win32.c, zc_live.c and zc_live_watch.c hold editor code; every other object
# is shared with the library above (ZC_EDITOR adds nothing but declarations to them).
rm -rf "$out/obj-editor"
mkdir -p "$out/obj-editor"
editor_objects=()
for object in "${objects[@]}"; do
    name=$(basename "${object%.o}")
    case "$name" in
        os_win32 | zc_live | zc_live_watch)
            echo "mingw (editor): runtime/$name.c"
            object="$out/obj-editor/$name.o"
            "$cc" "${cflags[@]}" "${runtime_flags[@]}" -DZC_EDITOR -Iformats -Iruntime/include -Iruntime \
                -isystem "$out/include" -isystem "$deps/include" -c "runtime/$name.c" -o "$object"
            ;;
    esac
    editor_objects+=("$object")
done
rm -f "$out/libzcpack_editor.a"
"$ar" rcs "$out/libzcpack_editor.a" "${editor_objects[@]}"
echo "mingw (editor): samples/hotreload/hotreload_main.c"
"$cc" "${cflags[@]}" -DZC_EDITOR -Iformats -Iruntime/include samples/hotreload/hotreload_main.c \
    -L"$out" -lzcpack_editor "${dep_libs[@]}" -static -o "$out/hotreload.exe"
echo "mingw: built $out/libzcpack_editor.a and $out/hotreload.exe"

# zcpack.exe: the packer and the CLI from the same sources, with the packer's OS layer
# for Win32 (packer/win32/: zc_packer_os_win32.c behind packer/build/zc_packer_os.h,
# the guard of mapped packs), the model workers' processes (zc_model_isolate_win32.c:
# CreateProcess where Linux forks) and, in place of what needs a
# library not built here (OpenEXR, libastcenc), the rows of
# packer/win32/zc_packer_absent_win32.c, which fail the file or the option with a
# message that says so. stb's headers are copied beside xxhash.h; binmode.o makes
# every descriptor and stream binary, as on Linux.
zcpack_flags=(-D_POSIX_C_SOURCE=200809L -D_FILE_OFFSET_BITS=64 -DWINVER=0x0602 -D_WIN32_WINNT=0x0602 -DCURL_STATICLIB)
mkdir -p "$out/include/stb"
cp /usr/include/stb/stb_image.h /usr/include/stb/stb_image_resize.h /usr/include/stb/stb_image_write.h \
    /usr/include/stb/stb_dxt.h "$out/include/stb/"
zcpack_includes=(-Iformats -Iruntime/include -Ipacker/types -Ipacker/build -Ipacker/import -Ipacker/import/texture
                 -Ipacker/import/model -Ipacker/schema -Ipacker/cli -Ipacker/win32)
rm -rf "$out/obj-zcpack"
mkdir -p "$out/obj-zcpack"
zcpack_objects=()
for source in packer/types/*.c packer/build/*.c packer/import/*.c packer/import/texture/*.c packer/import/model/*.c \
    packer/schema/*.c packer/cli/*.c packer/win32/*.c; do
    case "$source" in
        # OpenEXR, libastcenc, SIGBUS, the forked model workers: see packer/win32/.
        packer/import/texture/zc_exr_read.c | packer/import/texture/zc_astc.c | packer/cli/zc_cli_guard.c | \
            packer/cli/zc_cli_exr.c) continue ;;
        packer/import/model/zc_model_isolate.c) continue ;;
    esac
    object="$out/obj-zcpack/$(basename "${source%.c}").o"
    echo "mingw (zcpack.exe): $source"
    "$cc" "${cflags[@]}" "${runtime_flags[@]}" "${zcpack_flags[@]}" "${zcpack_includes[@]}" -isystem "$out/include" \
        -isystem "$deps/include" -c "$source" -o "$object"
    zcpack_objects+=("$object")
done
# xxhash's functions, compiled once from its header (Linux links libxxhash).
printf '#define XXH_STATIC_LINKING_ONLY\n#define XXH_IMPLEMENTATION\n#include <xxhash.h>\n' >"$out/obj-zcpack/xxhash.c"
"$cc" "${cflags[@]}" -isystem "$out/include" -c "$out/obj-zcpack/xxhash.c" -o "$out/obj-zcpack/xxhash.o"
zcpack_objects+=("$out/obj-zcpack/xxhash.o")
# The application manifest: file names as UTF-8 (packer/win32/zcpack.exe.manifest).
"${cc%gcc}windres" packer/win32/zcpack.rc -O coff -o "$out/obj-zcpack/zcpack_rc.o"
zcpack_objects+=("$out/obj-zcpack/zcpack_rc.o")
# Linked by g++ for assimp's and meshoptimizer's C++ runtime, statically like the rest.
"${cc%gcc}g++" -o "$out/zcpack.exe" "${zcpack_objects[@]}" /usr/x86_64-w64-mingw32/lib/binmode.o -L"$out" -lzcpack \
    -L"$deps" -lcjson -lwebpdecoder -lcurl -lassimp -lmeshoptimizer -lminizip -lz "${dep_libs[@]}" -lsecur32 -lcrypt32 \
    -lbcrypt -lpthread -static
echo "mingw: built $out/zcpack.exe"

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

# Signed packs: a copy of the pack signed with a new key opens with that key; the
# unsigned pack and a signed copy with one flipped byte are refused.
sign_dir="$out/signed"
rm -rf "$sign_dir"
mkdir -p "$sign_dir"
"${ZCPACK:-bin/release/zcpack}" keygen "$sign_dir/release" >/dev/null
cp "$pack" "$sign_dir/signed.zcpack"
"${ZCPACK:-bin/release/zcpack}" sign "$sign_dir/signed.zcpack" "$sign_dir/release.key" >/dev/null
echo "mingw: running sdk_hello.exe under wine64 on a signed pack with its public key"
"$wine" "$out/sdk_hello.exe" "$sign_dir/signed.zcpack" shaders/sky.glsl "$sign_dir/release.pub" >"$sign_dir/good.out"
grep -q "signature by the key of .* verified" "$sign_dir/good.out"
refused() {
    if "$wine" "$out/sdk_hello.exe" "$1" shaders/sky.glsl "$sign_dir/release.pub" >"$sign_dir/bad.out" 2>&1 \
        || ! grep -q "cannot open .*signed" "$sign_dir/bad.out"; then
        cat "$sign_dir/bad.out" >&2
        echo "mingw: sdk_hello.exe did not refuse $2" >&2
        exit 1
    fi
}
refused "$pack" "an unsigned pack"
cp "$sign_dir/signed.zcpack" "$sign_dir/flipped.zcpack"
size=$(stat -c %s "$sign_dir/flipped.zcpack")
printf '\x5a' | dd of="$sign_dir/flipped.zcpack" bs=1 seek=$((size - 1)) conv=notrunc status=none
refused "$sign_dir/flipped.zcpack" "a signed pack with its last byte changed"
echo "mingw: sdk_hello.exe verified the signed pack and refused the unsigned and the changed one"

# Hot reload under wine: generation 1 is samples/assets packed as <game>.gen-1; once
# the sample runs, the same tree with one text file changed is renamed to
# <game>.gen-2, and the sample must report that entry and exit 0 within 40 s. Its stat
# poll runs every 60 s, so only a file notification can have brought the change.
reload_dir="$out/reload"
rm -rf "$reload_dir"
mkdir -p "$reload_dir"
cp -r samples/assets "$reload_dir/assets"
printf 'hello,changed by tools/mingw.sh\n' >> "$reload_dir/assets/text/strings_en.csv"
"${ZCPACK:-bin/release/zcpack}" build samples/assets -o "$reload_dir/game.zcpack.gen-1" \
    >/dev/null
"${ZCPACK:-bin/release/zcpack}" build "$reload_dir/assets" -o "$reload_dir/next.zcpack" \
    >/dev/null
echo "mingw: running hotreload.exe under wine64 on generation files in $reload_dir"
"$wine" "$out/hotreload.exe" "$reload_dir/game.zcpack" --generations --changes 1 --timeout 40 --interval 20 \
    --stat-poll 60000 \
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
echo "mingw: hotreload.exe reported the new generation under wine64 (brought by a file notification)"

# zcpack.exe under wine64, against the Linux zcpack (see the script).
tools/mingw_zcpack.sh
