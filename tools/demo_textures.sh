#!/bin/sh
# demo_textures.sh <zcpack> <pack> - one line per texture of <pack>: its path, pixel
# format, extent, layers, mip levels and flags, from `zcpack ls` and `zcpack dump`.
set -eu
zcpack=$1
pack=$2
tab=$(printf '\t')
"$zcpack" ls "$pack" | while IFS="$tab" read -r path type rest; do
    [ "$type" = texture ] || continue
    "$zcpack" dump "$pack" "$path" | awk -F"$tab" -v path="$path" '
        $1 == "" && $2 != "" { key = $2; value = $3; gsub(/[":]/, "", key); gsub(/[",\[\]]/, "", value); top[key] = value }
        END {
            printf "  %-22s %-13s %4sx%-4s %2s layer%s %2s level%s  %s\n", path, top["format"], top["width"], top["height"],
                   top["layers"], top["layers"] == 1 ? " " : "s", top["mip_count"], top["mip_count"] == 1 ? " " : "s",
                   top["flags"]
        }'
done
