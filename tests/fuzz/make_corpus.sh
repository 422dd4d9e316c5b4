#!/bin/sh
# make_corpus.sh - seed corpora for the fuzz targets, made from real files.
#
#   tests/fuzz/make_corpus.sh <corpus dir> <zcpack> <zc_fuzz_seeds>
#
# Writes <corpus dir>/<target>/ for every target (tools/fuzz.sh runs it once, and again
# when this script changes):
#   fuzz_pack, fuzz_toc   packs zcpack builds from samples/assets and from assimp's test
#                         models: plain, compressed, quantized with meshlets, entries
#                         stored raw, a zstd dictionary, a patch with whiteouts; and the
#                         hostile packs no writer makes (zc_fuzz_seeds hostile): records
#                         over one small frame that decodes large, dependency lists
#                         naming every id, partially overlapping payloads
#   fuzz_types, fuzz_zstd every entry of those packs, and every compressed one, in the
#                         targets' input layouts (zc_fuzz_seeds pack)
#   fuzz_image            the sample textures and the small images of the Debian test
#                         data packages (tools/bootstrap.sh --test-data), and SGI and
#                         TIFF files netpbm writes from two of them, each behind a
#                         settings byte
#   fuzz_model            small OBJ, PLY, STL, glTF (embedded buffers) and OFF models of
#                         assimp-testmodels behind the extension byte
#   fuzz_model_reply      the replies an import child sends for some of those models
# Inputs over 64 KiB (the fuzzers' -max_len) are left out. Test data packages that are
# not installed are skipped. Runs from the source tree's top directory.
set -eu

corpus=$1
zcpack=$2
seeds=$3
max=65536
models=/usr/share/assimp/models

work=$(mktemp -d "${TMPDIR:-/tmp}/zc-corpus-XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

for t in fuzz_pack fuzz_toc fuzz_types fuzz_zstd fuzz_image fuzz_model fuzz_model_reply; do
    mkdir -p "$corpus/$t"
done

size_of() { wc -c <"$1" | tr -d ' '; }

# Copy $1 to $2 with the byte $3 (octal escape for printf) in front, when it fits.
with_byte() {
    if [ "$(size_of "$1")" -lt "$max" ]; then
        { printf "$3"; cat "$1"; } >"$2"
    fi
}

# ---------------------------------------------------------------------------------
# Packs
# ---------------------------------------------------------------------------------

build() { # build <tree> <pack> [zcpack options]
    tree=$1
    pack=$2
    shift 2
    if ! "$zcpack" build "$tree" -o "$pack" -q "$@"; then
        echo "make_corpus: zcpack build $tree failed" >&2
        exit 1
    fi
}

mkdir -p "$work/text" "$work/scene" "$work/scene_q" "$work/dict" "$work/models"
for d in config levels shaders text; do cp -R "samples/assets/$d" "$work/text/"; done
cp -R samples/assets/scene samples/assets/textures "$work/scene/"
cp -R samples/assets/scene samples/assets/textures "$work/scene_q/"
cat >"$work/scene/zcpack.json" <<'EOF'
{ "rules": [ { "match": "*", "max_size": 8 },
             { "match": "textures/leaves.png", "format": "rgba8" },
             { "match": "textures/bricks_n.png", "mips": false, "row_pitch_align": 64 } ] }
EOF
cat >"$work/scene_q/zcpack.json" <<'EOF'
{ "rules": [ { "match": "*", "max_size": 4, "compress": true },
             { "match": "scene/*.gltf", "quantize": true, "meshlets": true, "generate_tangents": true } ] }
EOF
# 48 similar JSON files of about 1.4 KiB: material for zstd dictionaries.
i=0
while [ $i -lt 48 ]; do
    {
        echo '{ "items": ['
        j=0
        while [ $j -lt 12 ]; do
            printf '  { "id": %d, "name": "item %d of set %d", "weight": %d.%d, "tags": ["loot", "set%d"] },\n' \
                $((i * 100 + j)) $j $i $((i * j % 17)) $((j % 10)) $i
            j=$((j + 1))
        done
        echo '  {} ] }'
    } >"$work/dict/set_$i.json"
    i=$((i + 1))
done
for f in OBJ/box.obj OBJ/cube_usemtl.obj OBJ/cube_usemtl.mtl PLY/cube.ply PLY/cube_binary.ply STL/triangle.stl \
         OFF/Cube.off glTF2/BoxTextured-glTF-Embedded/BoxTextured.gltf \
         glTF2/glTF-Sample-Models/AnimatedMorphCube-glTF/AnimatedMorphCube.gltf \
         glTF2/glTF-Sample-Models/AnimatedMorphCube-glTF/AnimatedMorphCube.bin; do
    if [ -f "$models/$f" ]; then cp "$models/$f" "$work/models/"; fi
done
[ -f "$work/models/BoxTextured.gltf" ] && echo '{ "rules": [ { "match": "*", "max_size": 8 } ] }' \
    >"$work/models/zcpack.json"

build "$work/text" "$work/text.zcpack"
build "$work/text" "$work/raw.zcpack" --no-compress-entries
build "$work/scene" "$work/scene.zcpack"
build "$work/scene_q" "$work/scene_q.zcpack" --level 3
build "$work/dict" "$work/dict.zcpack" --dict
# Some of assimp's test models may fail to import: the others still make a pack.
"$zcpack" build "$work/models" -o "$work/models.zcpack" -q --keep-going || true
# A patch over text.zcpack: one file changed, one removed (a whiteout), one added.
cp -R "$work/text" "$work/text2"
echo "changed" >>"$work/text2/levels/level01.txt"
rm "$work/text2/text/strings_en.csv"
echo "new file" >"$work/text2/text/new.txt"
build "$work/text2" "$work/patch.zcpack" --base "$work/text.zcpack"

for pack in "$work"/*.zcpack; do
    [ -f "$pack" ] || continue
    name=$(basename "$pack")
    if [ "$(size_of "$pack")" -le "$max" ]; then
        cp "$pack" "$corpus/fuzz_pack/$name"
        cp "$pack" "$corpus/fuzz_toc/$name"
    fi
    "$seeds" pack "$pack" "$corpus/fuzz_types" "$corpus/fuzz_zstd"
done

# Packs built to cost their readers (SPEC E6, R14, E7), each beside its legal twin.
"$seeds" hostile "$corpus/fuzz_pack" "$corpus/fuzz_toc"

# Frames that need a dictionary, with it (fuzz_zstd's flag bit 0), made with zstd's
# own CLI when it is installed: the packer keeps a dictionary only when it pays off.
le() { # le <value> <bytes>: the value as little-endian bytes
    v=$1
    n=$2
    while [ "$n" -gt 0 ]; do
        printf "\\$(printf '%03o' $((v % 256)))"
        v=$((v / 256))
        n=$((n - 1))
    done
}
if command -v zstd >/dev/null 2>&1 && zstd -q --train "$work"/dict/*.json --maxdict=2048 -o "$work/zstd.dict"; then
    for k in 0 7 31; do
        zstd -q -f -D "$work/zstd.dict" "$work/dict/set_$k.json" -o "$work/frame.zst"
        {
            printf '\001'
            le "$(size_of "$work/dict/set_$k.json")" 4
            le "$(size_of "$work/zstd.dict")" 2
            cat "$work/zstd.dict" "$work/frame.zst"
        } >"$corpus/fuzz_zstd/dict-set_$k"
    done
fi

# ---------------------------------------------------------------------------------
# Images: settings byte 0 (the policy), 001 (RGBA8), 0201 (RGBA8, 64 texels, 256-byte rows)
# ---------------------------------------------------------------------------------

for image in samples/assets/textures/*.png; do
    name=$(basename "$image")
    with_byte "$image" "$corpus/fuzz_image/$name" '\000'
    with_byte "$image" "$corpus/fuzz_image/rgba8-$name" '\001'
    with_byte "$image" "$corpus/fuzz_image/small-$name" '\201'
done
for dir in /usr/share/doc/python-pygame-doc/examples/data /usr/libexec/installed-tests/gdk-pixbuf \
           /usr/libexec/installed-tests/gdk-pixbuf/test-images/fail; do
    [ -d "$dir" ] || continue
    find "$dir" -maxdepth 1 -type f \( -name '*.png' -o -name '*.jpg' -o -name '*.jpeg' -o -name '*.gif' \
        -o -name '*.bmp' -o -name '*.tga' -o -name '*.psd' -o -name '*.hdr' -o -name '*.tif' \) -size -60k | sort | head -n 40 |
    while read -r image; do
        with_byte "$image" "$corpus/fuzz_image/$(basename "$(dirname "$image")")-$(basename "$image")" '\000'
    done
done

# SGI images (run-length encoded and verbatim, 1 and 2 bytes per value) and TIFF
# images (LZW with differencing, 8 and 16 bits; Deflate; PackBits with the bits of each
# byte reversed) that netpbm writes from the pygame images, when netpbm is installed.
if command -v pnmtosgi > /dev/null 2>&1 && command -v pngtopnm > /dev/null 2>&1; then
    for image in /usr/share/doc/python-pygame-doc/examples/data/alien1.png \
                 /usr/share/doc/python-pygame-doc/examples/data/laplacian.png; do
        [ -f "$image" ] || continue
        name=$(basename "$image" .png)
        for way in rle verbatim; do
            flag=; [ "$way" = verbatim ] && flag=-verbatim
            pngtopnm "$image" 2>/dev/null | pnmtosgi $flag > "$work/$name.rgb" 2>/dev/null &&
                with_byte "$work/$name.rgb" "$corpus/fuzz_image/sgi-$way-$name.rgb" '\000'
            pngtopnm "$image" 2>/dev/null | pnmdepth 65535 | pnmtosgi $flag > "$work/$name.rgb" 2>/dev/null &&
                with_byte "$work/$name.rgb" "$corpus/fuzz_image/sgi16-$way-$name.rgb" '\000'
        done
        for way in "-lzw -predictor=2" "-flate" "-packbits -lsb2msb"; do
            tag=$(echo "$way" | tr -d ' =-')
            pngtopnm "$image" 2>/dev/null | pamtotiff $way > "$work/$name.tif" 2>/dev/null &&
                with_byte "$work/$name.tif" "$corpus/fuzz_image/tiff-$tag-$name.tif" '\000'
            pngtopnm "$image" 2>/dev/null | pnmdepth 65535 | pamtotiff $way > "$work/$name.tif" 2>/dev/null &&
                with_byte "$work/$name.tif" "$corpus/fuzz_image/tiff16-$tag-$name.tif" '\000'
        done
    done
fi

# Photoshop files in the modes zcpack reads itself (grayscale 8 and 16 bits, indexed,
# CMYK with alpha), raw and PackBits, 16 x 8 gradients written here.
if [ -x /usr/bin/python3 ]; then
    /usr/bin/python3 - "$work" <<'PY'
import struct, sys
w, h = 16, 8
def psd(path, mode, bits, planes, rle, palette=b''):
    n = w * bits // 8
    if bits == 16:
        planes = [bytes(v for x in p for v in (x, 0)) for p in planes]
    out = b'8BPS' + struct.pack('>H6xHIIHH', 1, len(planes), h, w, bits, mode)
    out += struct.pack('>I', len(palette)) + palette + struct.pack('>II', 0, 0)
    if rle:  # each row as one literal packet, or a run when the row is flat
        rows = [bytes([257 - n, r[0]]) if len(set(r)) == 1 else bytes([n - 1]) + r
                for p in planes for r in (p[y * n:(y + 1) * n] for y in range(h))]
        out += struct.pack('>H', 1) + b''.join(struct.pack('>H', len(r)) for r in rows) + b''.join(rows)
    else:
        out += struct.pack('>H', 0) + b''.join(planes)
    open(path, 'wb').write(out)
grey = bytes((x * 16 + y) % 256 for y in range(h) for x in range(w))
flat = bytes([200]) * (w * h)
d = sys.argv[1]
psd(d + '/grey.psd', 1, 8, [grey], 0)
psd(d + '/grey16.psd', 1, 16, [grey, flat], 1)
psd(d + '/cmyk.psd', 4, 8, [grey, flat, grey, flat, grey], 1)
psd(d + '/indexed.psd', 2, 8, [grey], 0, bytes(range(256)) * 3)
PY
    for name in grey grey16 cmyk indexed; do
        [ -f "$work/$name.psd" ] && with_byte "$work/$name.psd" "$corpus/fuzz_image/psd-$name.psd" '\000'
    done
fi

# ---------------------------------------------------------------------------------
# Models: extension byte obj 0, ply 1, stl 2, gltf 3, off 4, md2 5, bvh 6, iqm 7, md3 0200 (+010 quantize, +020 meshlets)
# ---------------------------------------------------------------------------------

model_seed() { # model_seed <file> <octal byte>
    if [ -f "$models/$1" ]; then
        with_byte "$models/$1" "$corpus/fuzz_model/$(echo "$1" | tr '/' '_')-$2" "\\$2"
    fi
}
for f in OBJ/box.obj OBJ/cube_usemtl.obj OBJ/testmixed.obj OBJ/number_formats.obj OBJ/cube_with_vertexcolors.obj; do
    model_seed "$f" 000
    model_seed "$f" 030
done
for f in PLY/cube.ply PLY/cube_binary.ply PLY/cube_uv.ply PLY/float-color.ply; do model_seed "$f" 001; done
for f in STL/triangle.stl STL/triangle_with_two_solids.stl; do model_seed "$f" 002; done
for f in glTF2/BoxTextured-glTF-Embedded/BoxTextured.gltf glTF2/simple_skin/simple_skin.gltf; do
    model_seed "$f" 003
    model_seed "$f" 073
done
model_seed OFF/Cube.off 004

# ---------------------------------------------------------------------------------
# Model replies
# ---------------------------------------------------------------------------------

for f in OBJ/box.obj OBJ/cube_usemtl.obj PLY/cube.ply STL/triangle.stl OFF/Cube.off \
         glTF2/BoxTextured-glTF-Embedded/BoxTextured.gltf; do
    # A model the fuzz import settings refuse (an embedded image over their small texel
    # limit) has no reply to seed with: said, and skipped.
    if [ -f "$models/$f" ] &&
       ! "$seeds" reply "$models/$f" "$corpus/fuzz_model_reply/$(echo "$f" | tr '/' '_')"; then
        echo "make_corpus: no reply seed from $f (the fuzz import settings refuse it)" >&2
    fi
done

for t in fuzz_pack fuzz_toc fuzz_types fuzz_zstd fuzz_image fuzz_model fuzz_model_reply; do
    echo "make_corpus: $t: $(ls "$corpus/$t" | wc -l) inputs"
done

# A signed pack (the fuzz targets' fixed key, zcf_fixed_key in zc_fuzz_walk.h):
# fuzz_pack opens every input a second time trusting only that key, and this seed
# passes that signature check.
if "$seeds" sign "$work/text.zcpack" "$work/signed.zcpack"; then
    cp "$work/signed.zcpack" "$corpus/fuzz_pack/signed-text.zcpack"
    cp "$work/signed.zcpack" "$corpus/fuzz_toc/signed-text.zcpack"
    echo "make_corpus: fuzz_pack, fuzz_toc: a signed pack"
else
    echo "make_corpus: zc_fuzz_seeds sign failed" >&2
    exit 1
fi
