#!/bin/sh
# bootstrap.sh - install the Debian packages zcpack builds and tests with.
#
# Installs only what is missing (apt-get update runs only then), prints what it
# installs, uses sudo when not root, never asks questions. With everything present
# it returns at once. Exit status: 0 when all packages are installed afterwards.
set -eu

packages="build-essential premake4 pkg-config libuv1-dev libzstd-dev libstb-dev
libcriterion-dev libxxhash-dev libcjson-dev libassimp-dev libmeshoptimizer-dev
gcc-mingw-w64-x86-64 clang libclang-rt-14-dev"

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
