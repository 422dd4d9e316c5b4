#!/bin/sh
# build.sh - build bench_schema, the comparison of zcpack's schema types with
# FlatBuffers and Cap'n Proto (tools/bench/schema/bench_schema.cpp), into
# bin/release/bench_schema. `make bench` runs it after the release build.
#
#   tools/bench/schema/build.sh
#
# Generates each format's code from the schemas of this folder into
# build/bench_schema/gen/: `bin/release/zcpack schema` (<name>_zcs.h), flatc --cpp
# (<name>_generated.h) and capnp compile -oc++ (<name>.capnp.h, .capnp.c++); then
# compiles the bench (C++17, -O3 like the release build) with
# tools/bench/zc_bench_util.c (C11) and links the release build's packer library
# (bin/release/libzcpacker.a) for the schema builder (packer/schema/
# zc_schema_builder.h), the runtime library it calls (bin/release/libzcpack.a, for
# zc_asset_id), libsodium and libuv, which the runtime's signature check and its
# validation threads (zc_pack_validate_threads, in the same object) need: the two
# archives are static, so only the builder's objects and what they call are linked,
# and of the libraries tools/zcpack-packer.pc.in lists, only those two are called.
# Then libcapnp, libkj and libzstd. Needs Debian's flatbuffers-compiler,
# libflatbuffers-dev, capnproto and libcapnp-dev
# (tools/bootstrap.sh --bench, `make bootstrap-bench`). Rebuilds only when a file of
# this folder, the bench helpers, zcpack, the two libraries or the builder's header
# are newer than the program.
# Exit status: 0 when bin/release/bench_schema is up to date, 1 otherwise.
set -eu

cd "$(dirname "$0")/../../.."

here=tools/bench/schema
gen=build/bench_schema/gen
obj=build/bench_schema/obj
zcpack=bin/release/zcpack
packer_lib=bin/release/libzcpacker.a
runtime_lib=bin/release/libzcpack.a
program=bin/release/bench_schema

for tool in flatc capnp capnpc-c++ c++ cc; do
    if ! command -v "$tool" > /dev/null 2>&1; then
        echo "build.sh: $tool is missing: run make bootstrap-bench (tools/bootstrap.sh --bench)" >&2
        exit 1
    fi
done
for file in "$zcpack" "$packer_lib" "$runtime_lib"; do
    if [ ! -f "$file" ]; then
        echo "build.sh: $file is missing: run make release first" >&2
        exit 1
    fi
done

if [ -x "$program" ] && [ -z "$(find "$here" tools/bench/zc_bench_util.c tools/bench/zc_bench_util.h "$zcpack" \
        "$packer_lib" "$runtime_lib" packer/schema/zc_schema_builder.h -newer "$program" -print -quit)" ]; then
    exit 0
fi

echo "build.sh: building $program"
mkdir -p "$gen" "$obj"
for name in log mesh minecraft; do
    "$zcpack" schema "$here/$name.zcs" -o "$gen/${name}_zcs.h"
    flatc --cpp -o "$gen" "$here/$name.fbs"
    capnp compile -I/usr/include --src-prefix="$here" -oc++:"$gen" "$here/$name.capnp"
done

cxxflags="-std=c++17 -O3 -DNDEBUG -Wall -Wextra -I$here -I$gen -Iformats -Iruntime/include -Ipacker/schema -Itools/bench"
cc -std=c11 -O3 -DNDEBUG -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Iformats -Iruntime/include \
    -c tools/bench/zc_bench_util.c -o "$obj/zc_bench_util.o"
objects="$obj/zc_bench_util.o"
for source in "$here"/*.cpp "$gen"/*.capnp.c++; do
    object="$obj/$(basename "$source" | sed 's/\.[^.]*$//; s/\./_/g').o"
    # shellcheck disable=SC2086 # a word list on purpose
    c++ $cxxflags -c "$source" -o "$object"
    objects="$objects $object"
done
# shellcheck disable=SC2086 # a word list on purpose
c++ -o "$program" $objects "$packer_lib" "$runtime_lib" -lsodium -luv -lcapnp -lkj -lzstd
