#!/bin/sh
# check_cli_api.sh - the zcpack command-line tool is a shell over the packer library's
# public API: every header packer/cli/ includes is one of its own or one the SDK
# installs, apart from the few listed below with the reason each stays private.
#
#   tools/check_cli_api.sh <include dir>      e.g. build/sdk/include (`make test-sdk`)
#
# Prints each include that is neither (file:line) and exits 1; 0 when there is none.
# The list of exceptions is checked too: an entry the CLI no longer includes, or one
# that became public, fails, so the list cannot go stale.
set -u

dir=${1:?usage: tools/check_cli_api.sh <include dir>}
top=$(cd "$(dirname "$0")/.." && pwd)
[ -d "$dir/zc" ] || { echo "check_cli_api: no $dir/zc/" >&2; exit 1; }

# Private headers the CLI may include, and why they are not part of the library API:
#   zc_entry_types.h    the packer's table of entry types with cJSON describers
#                       (dump, verify): its rows are generated per type and change
#                       with every new type; programs read entries through zc_pack.h
#   zc_texture_pixels.h the texture pipeline's internals (encoders, mip filters, a
#                       thread-local of stb_image); the CLI decodes a level to RGBA8
#                       for PNG output with it (extract, report)
#   zc_tmpfile.h        zc__ functions: the packer's own temporary-file rule, which the
#                       CLI's atomic output writer shares so a crash leaves nothing behind
#   zc_packer_os.h      the POSIX calls the packer and the CLI make (files, directories,
#                       times), which the Windows build of zcpack.exe maps onto Win32; on
#                       Linux it includes the system headers and nothing else
#   zc_dl.h             zc__ function: the packer's dlopen of a table of functions, which
#                       the program also uses to load its own OpenEXR module
#                       (zc_cli_exr.c, zc_texture_pixels.h's EXR entry points)
private="zc_entry_types.h zc_texture_pixels.h zc_tmpfile.h zc_packer_os.h zc_dl.h"

failed=0
includes=$(grep -n '^#include "' "$top"/packer/cli/*.c "$top"/packer/cli/*.h)
for header in $private; do
    if [ -e "$dir/zc/$header" ]; then
        echo "check_cli_api: $header is installed: remove it from the private list" >&2
        failed=$((failed + 1))
    fi
    if ! echo "$includes" | grep -q "\"$header\""; then
        echo "check_cli_api: packer/cli/ no longer includes $header: remove it from the private list" >&2
        failed=$((failed + 1))
    fi
done

bad=$(echo "$includes" | while IFS= read -r line; do
    header=$(echo "$line" | sed 's/.*#include "\([^"]*\)".*/\1/')
    where=$(echo "$line" | cut -d: -f1,2 | sed "s|^$top/||")
    if [ -e "$top/packer/cli/$header" ] || [ -e "$dir/zc/$header" ]; then continue; fi
    case " $private " in *" $header "*) continue ;; esac
    echo "$where: $header"
done)
if [ -n "$bad" ]; then
    echo "check_cli_api: packer/cli/ includes headers that are neither its own nor installed in $dir/zc:" >&2
    echo "$bad" >&2
    failed=$((failed + 1))
fi
count=$(echo "$includes" | wc -l)
if [ "$failed" -ne 0 ]; then exit 1; fi
echo "check_cli_api: $count includes of packer/cli/: its own headers, the installed API, and $(echo $private | wc -w) private ones listed"
