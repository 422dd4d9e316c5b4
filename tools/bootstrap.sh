#!/bin/sh
# bootstrap.sh - install the Debian packages zcpack builds and tests with.
#
#   tools/bootstrap.sh               the build and test toolchain
#   tools/bootstrap.sh --test-data   the same, plus the packages that ship the real
#                                    third-party images and models the tests and
#                                    benchmarks read, wine64 for the Windows
#                                    smoke test, Bazel and nginx for the build
#                                    engine tests, Chromium for the report's
#                                    page (about 350 MB to download)
#   tools/bootstrap.sh --bench       the toolchain, plus FlatBuffers (flatc 2.0.8 and its
#                                    headers) and Cap'n Proto (capnp 0.9.2, its C++
#                                    code generator and libraries), which bench_schema
#                                    compares zcpack's schema types with
#                                    (tools/bench/schema/build.sh)
#
# The options combine.
#
# Test data packages and what the suites take from them (never copied into the tree):
#   python-pygame-doc          PNG, JPEG (baseline and progressive), TGA, BMP (4, 8 and
#                              24 bits), GIF under /usr/share/doc/python-pygame-doc/examples/data/
#   gdk-pixbuf-tests           reference TGA variants, a grey JPEG, an animated GIF, and
#                              broken and hostile images, under
#                              /usr/libexec/installed-tests/gdk-pixbuf/
#   golang-github-gabriel-vasile-mimetype-dev   a Photoshop PSD
#   blender-data               CC0 OpenEXR HDRIs (studiolights/world/*.exr)
#   pfstools                   pfsinexr | pfsoutrgbe: turns those into Radiance .hdr at
#                              test time (no Debian package ships a .hdr)
#   netpbm                     pnmtosgi and pamtotiff: SGI and TIFF files written by
#                              another program from the pygame images, at test time
#   libtiff-tools              tiffcp: TIFF files in libtiff's own layouts (differencing,
#                              big-endian, tiles, JPEG compression)
#   assimp-testmodels          3D models of every format assimp reads, with their textures,
#                              under /usr/share/assimp/models/
#   wine64                     runs the Windows build (tools/mingw.sh) as a smoke test
#   bazel-bootstrap            Bazel 4.2.3 (with a JDK), which the bazel suite drives
#                              through the rules of tools/bazel/, offline
#   nginx-light                nginx with its WebDAV module: the bazel suite's shared
#                              HTTP cache server (--remote_cache)
#   openssl                    makes the self-signed certificate of the HTTPS server
#                              the cache_server suite and tools/mingw_zcpack.sh start
#   python3-pil                Pillow: reads the DDS files `zcpack extract` writes and
#                              decodes their blocks (texture_export suite)
#   chromium                   loads the page `zcpack report` writes, headless (report suite)
#   curl xz-utils patch        fetch, unpack and patch Debian's zstd and libuv sources for
#                              the Windows build (tools/debian_source.sh, tools/mingw.sh)
# and from the npm registry, into build/test-npm/ (when npm is on the machine):
#   ktx-parse                  reads the KTX2 files `zcpack extract` writes
#
# Installs only what is missing (apt-get update runs only then), prints what it
# installs, uses sudo when not root, never asks questions. With everything present
# it returns at once. Exit status: 0 when all packages are installed afterwards,
# 2 for an unknown option.
set -eu

packages="build-essential premake4 pkg-config libuv1-dev libzstd-dev libstb-dev
libcriterion-dev libxxhash-dev libcjson-dev libassimp-dev libmeshoptimizer-dev libsodium-dev libcurl4-openssl-dev libastcenc-dev libopenexr-dev libwebp-dev
gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 libutfcpp-dev clang libclang-rt-14-dev cmake"

test_data_packages="python-pygame-doc gdk-pixbuf-tests golang-github-gabriel-vasile-mimetype-dev
blender-data pfstools netpbm libtiff-tools assimp-testmodels wine64 bazel-bootstrap nginx-light openssl python3-pil chromium curl xz-utils patch"
bench_packages="flatbuffers-compiler libflatbuffers-dev capnproto libcapnp-dev"
npm_packages=""

for arg in "$@"; do
    case "$arg" in
        --test-data) packages="$packages $test_data_packages"; npm_packages="ktx-parse@2.0.0" ;;
        --bench) packages="$packages $bench_packages" ;;
        -h|--help)
            echo "usage: tools/bootstrap.sh [--test-data] [--bench]" >&2
            exit 0 ;;
        *)
            echo "bootstrap: unknown option: $arg (usage: tools/bootstrap.sh [--test-data] [--bench])" >&2
            exit 2 ;;
    esac
done

# npm packages go to build/test-npm/ of this checkout; nothing is installed globally.
if [ -n "$npm_packages" ] && command -v npm > /dev/null 2>&1; then
    npm_dir="$(cd "$(dirname "$0")/.." && pwd)/build/test-npm"
    if [ ! -f "$npm_dir/node_modules/ktx-parse/package.json" ]; then
        echo "bootstrap: installing from npm into $npm_dir: $npm_packages"
        mkdir -p "$npm_dir"
        # shellcheck disable=SC2086 # a word list on purpose
        npm install --prefix "$npm_dir" --no-audit --no-fund --silent $npm_packages ||
            echo "bootstrap: npm install failed; the KTX2 checks will be skipped" >&2
    fi
fi

missing=""
for package in $packages; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    if [ "$status" != "install ok installed" ]; then
        missing="$missing $package"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi

echo "bootstrap: installing:$missing"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086 # $missing is a word list on purpose
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
