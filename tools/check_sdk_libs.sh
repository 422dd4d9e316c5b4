#!/bin/sh
# check_sdk_libs.sh - the installed shared runtime as the dynamic loader sees it, and
# a program linked against it through CMake's zcpack::runtime.
#
#   tools/check_sdk_libs.sh <sdk prefix> <program>
#       e.g. tools/check_sdk_libs.sh build/sdk build/sdk_hello/cmake/cmake_hello
#
# Checks, with readelf, nm and ldd:
#  - lib/libzcpack.so.<version> names itself libzcpack.so.<major> (its soname), and
#    lib/libzcpack.so.<major> and lib/libzcpack.so are the links to it that ldconfig
#    and the linker look for;
#  - it exports the public API (zc_pack_open, zc_version_string) and nothing that is
#    not a zc_ name, no zc__ internal;
#  - it records the libraries it uses (zstd, libuv, libsodium), so a program links it
#    alone;
#  - <program> needs libzcpack.so.<major>, carries <prefix>/lib in its RUNPATH or RPATH,
#    and without LD_LIBRARY_PATH the loader finds the library in <prefix>/lib, not in
#    some other installed copy.
# The version comes from <prefix>/include/zc/zc_pack.h. Exit status 0 when all hold;
# each failure is named.
set -u

sdk=${1:?usage: tools/check_sdk_libs.sh <sdk prefix> <program>}
program=${2:?usage: tools/check_sdk_libs.sh <sdk prefix> <program>}
sdk=$(cd "$sdk" && pwd) || exit 1
lib=$sdk/lib
failed=0
no() { echo "check_sdk_libs: FAILED: $*" >&2; failed=$((failed + 1)); }

version=$(sed -n 's/^#define ZC_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*/\2/p' "$sdk/include/zc/zc_pack.h" | paste -sd.)
major=${version%%.*}
real=$lib/libzcpack.so.$version
[ -f "$real" ] || { echo "check_sdk_libs: no $real" >&2; exit 1; }

soname=$(readelf -d "$real" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libzcpack.so.$major" ] || no "libzcpack.so.$version has soname '$soname', not libzcpack.so.$major"
[ "$(readlink "$lib/libzcpack.so.$major")" = "libzcpack.so.$version" ] ||
    no "lib/libzcpack.so.$major is not a link to libzcpack.so.$version"
[ "$(readlink "$lib/libzcpack.so")" = "libzcpack.so.$major" ] || no "lib/libzcpack.so is not a link to libzcpack.so.$major"

exports=$(nm -D --defined-only "$real" | awk 'NF == 3 { print $3 }')
for name in zc_pack_open zc_version_string; do
    echo "$exports" | grep -qx "$name" || no "libzcpack.so does not export $name"
done
stray=$(echo "$exports" | grep -v '^zc_[^_]' | head -5 | tr '\n' ' ')
[ -z "$stray" ] || no "libzcpack.so exports names outside the API: $stray"

needed=$(readelf -d "$real" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
for dep in libzstd libuv libsodium; do
    echo "$needed" | grep -q "^$dep\.so" || no "libzcpack.so does not record $dep as NEEDED"
done

prog_needed=$(readelf -d "$program" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "$prog_needed" | grep -qx "libzcpack.so.$major" || no "$program does not need libzcpack.so.$major"
runpath=$(readelf -d "$program" | sed -n 's/.*(\(RUNPATH\|RPATH\)).*\[\(.*\)\]/\2/p')
case ":$runpath:" in
    *":$lib:"*) ;;
    *) no "$program has no $lib in its RUNPATH or RPATH ('$runpath')" ;;
esac
found=$(env -u LD_LIBRARY_PATH ldd "$program" | sed -n "s/^[[:space:]]*libzcpack\.so\.$major => \([^ ]*\).*/\1/p")
[ "$found" = "$lib/libzcpack.so.$major" ] ||
    no "without LD_LIBRARY_PATH the loader finds libzcpack.so.$major at '$found', not in $lib"

if [ "$failed" -ne 0 ]; then exit 1; fi
echo "check_sdk_libs: libzcpack.so.$version (soname $soname) exports $(echo "$exports" | wc -l) zc_ names and" \
    "no internals; $(basename "$program") loads it from $lib through its RUNPATH"
