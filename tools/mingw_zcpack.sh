#!/usr/bin/env bash
# mingw_zcpack.sh - run the Windows zcpack.exe under wine64 and hold it to the Linux
# zcpack.
#
#   tools/mingw_zcpack.sh
#
# tools/mingw.sh builds build/mingw/zcpack.exe and runs this script when wine64 is
# installed; $ZCPACK (default bin/release/zcpack) is the Linux zcpack it is compared
# with. Every check fails the script:
#  1. A tree without models (samples/assets without scene/, plus JSON documents of a
#     schema type chosen by a zcpack.json rule, blobs, PNG, WebP and PCX textures): zcpack.exe
#     builds it and verifies the pack, and the pack is byte-identical to the Linux
#     zcpack's from the same tree, with the default options, with --no-compress
#     --no-compress-entries and with --level 19. Then a tree, a pack and files with
#     non-ASCII names: the same pack, listed with the same UTF-8 entry paths.
#  2. The demo pack, samples/assets with its glTF model: zcpack.exe builds it into
#     the Linux zcpack's bytes, verifies it, lists it as Linux lists it (ls, ls
#     --json, info, stats), and `cat`, `dump` and `extract` give the Linux bytes for
#     every entry.
#  3. Signing: a key from zcpack.exe keygen signs a copy of the demo pack on both
#     systems into the same bytes, which each verifies with the public key.
#  4. Models of every format the importer claims, from Debian's assimp-testmodels:
#     the same entries with the same bytes as on Linux, except where assimp computes
#     with sin and cos (BVH's Euler angles, MDC's packed normals), whose floats may
#     differ in the last bit between glibc's and mingw's math libraries, and must
#     differ by no more than that. A damaged model fails the build with exit code 6,
#     naming the file, as on Linux; a model that crashes assimp and one that makes it
#     loop fail in their worker processes (a crash, a time-out) and the rest is packed.
#  5. Objects imported on both systems (the model on Linux, the rest by zcpack.exe),
#     linked by zcpack.exe, give the Linux build's demo pack.
# Besides: an ASTC format and a Draco-compressed glTF file are refused with their reasons; watch rebuilds after a change into
# the Linux pack; diff, schema, report and a build through --cache match Linux; with
# nginx installed, --cache-url shares records between two zcpack.exe through nginx's
# WebDAV store, and over https:// (Schannel) the same store behind a self-signed
# certificate is reached through TLS (wine accepts the certificate; Windows refuses
# the certificate with one warning), the pack unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

out=build/mingw
exe=$out/zcpack.exe
linux=${ZCPACK:-bin/release/zcpack}
wine=/usr/lib/wine/wine64
dir=$out/zcpack-test
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
export WINEPREFIX=${WINEPREFIX:-$PWD/$out/wine}

fail() {
    echo "mingw_zcpack: $*" >&2
    exit 1
}
win() { "$wine" "$exe" "$@"; }
same() { # file file what
    cmp -s "$1" "$2" || fail "$3: zcpack.exe and the Linux zcpack differ ($1, $2)"
}

rm -rf "$dir"
mkdir -p "$dir"

# 1. A tree without models: the same pack from both.
tree=$dir/tree
cp -r samples/assets "$tree"
rm -r "$tree/scene"
mkdir -p "$tree/weapons" "$tree/data"
cat >"$tree/game.zcs" <<'EOF'
type_tag "WEAP";
root Weapon;
struct Stats { range: f32 = 10; damage: u16; }
struct Weapon { name: string; stats: Stats; icon: ref Texture; }
EOF
printf '{ "rules": [ { "match": "weapons/*.json", "type": "Weapon", "schema": "game.zcs" } ] }\n' >"$tree/zcpack.json"
printf '{ "name": "Rifle", "stats": { "damage": 40 }, "icon": "textures/leaves.png" }\n' >"$tree/weapons/rifle.json"
printf '{ "name": "Bow", "stats": { "range": 30, "damage": 12 }, "icon": "textures/bricks.png" }\n' >"$tree/weapons/bow.json"
head -c 70000 "$exe" >"$tree/data/random.bin"
# a lossy WebP image (pygame's, from tools/bootstrap.sh --test-data), decoded by the
# libwebp that tools/mingw.sh builds from Debian's source package
webp=/usr/share/doc/python-pygame-doc/examples/data/scarlet.webp
[ -f "$webp" ] || fail "$webp is missing: run tools/bootstrap.sh --test-data"
cp "$webp" "$tree/textures/scarlet.webp"
cp "$(dirname "$webp")/green.pcx" "$tree/textures/green.pcx" # read by zcpack's own PCX reader
variant=0
for options in "" "--no-compress --no-compress-entries" "--level 19"; do
    variant=$((variant + 1))
    # shellcheck disable=SC2086 # the options are words
    win build "$tree" -o "$dir/win-$variant.zcpack" $options >"$dir/build-$variant.out"
    # shellcheck disable=SC2086
    "$linux" build "$tree" -o "$dir/linux-$variant.zcpack" $options >/dev/null
    win verify "$dir/win-$variant.zcpack" >/dev/null
    same "$dir/win-$variant.zcpack" "$dir/linux-$variant.zcpack" "build ${options:-with the default options}"
done
grep -q "weapons/rifle.json" <("$linux" ls "$dir/win-1.zcpack") || fail "the schema entries are missing"
"$linux" ls "$dir/win-1.zcpack" | grep -q "^textures/scarlet.webp"$'\t'"texture" ||
    fail "textures/scarlet.webp is not a texture"
"$linux" ls "$dir/win-1.zcpack" | grep -q "^textures/green.pcx"$'\t'"texture" || fail "textures/green.pcx is not a texture"
echo "mingw_zcpack: zcpack.exe built and verified a tree without models, byte-identical to Linux (3 option sets)"

# Non-ASCII names, of files, folders, the tree and the pack: UTF-8 in argv, in the
# directory listing and in the entry paths, through zcpack.exe's manifest.
named=$dir/données
mkdir -p "$named/textures/été" "$named/日本"
cp samples/assets/textures/leaves.png "$named/textures/été/feuilles.png"
printf 'Grüße\n' >"$named/日本/地図.txt"
printf 'plain\n' >"$named/plain.txt"
win build "$named" -o "$dir/名前.zcpack" >/dev/null
"$linux" build "$named" -o "$dir/linux-named.zcpack" >/dev/null
win verify "$dir/名前.zcpack" >/dev/null
same "$dir/名前.zcpack" "$dir/linux-named.zcpack" "build of a tree with non-ASCII names"
win ls "$dir/名前.zcpack" >"$dir/win.out"
"$linux" ls "$dir/linux-named.zcpack" >"$dir/linux.out"
same "$dir/win.out" "$dir/linux.out" "ls of non-ASCII entry paths"
grep -q "^textures/été/feuilles.png" "$dir/win.out" || fail "textures/été/feuilles.png is not listed as UTF-8"
win cat "$dir/名前.zcpack" "日本/地図.txt" >"$dir/win.entry"
same "$dir/win.entry" "$named/日本/地図.txt" "cat of 日本/地図.txt"
echo "mingw_zcpack: non-ASCII file, folder and pack names are UTF-8 entry paths, as on Linux"

# 2. The demo pack, with its model's entries, built on Linux.
demo=$dir/demo.zcpack
"$linux" build samples/assets -o "$demo" >/dev/null
win build samples/assets -o "$dir/demo-win.zcpack" >/dev/null
same "$dir/demo-win.zcpack" "$demo" "build of the demo pack"
win verify "$demo" >/dev/null
for command in "ls" "ls --json" "info" "info --json" "stats" "stats --json"; do
    # shellcheck disable=SC2086
    win $command "$demo" >"$dir/win.out"
    # shellcheck disable=SC2086
    "$linux" $command "$demo" >"$dir/linux.out"
    same "$dir/win.out" "$dir/linux.out" "$command"
done
count=0
while IFS=$'\t' read -r path _; do
    win cat "$demo" "$path" >"$dir/win.entry"
    "$linux" cat "$demo" "$path" >"$dir/linux.entry"
    same "$dir/win.entry" "$dir/linux.entry" "cat $path"
    win dump "$demo" "$path" >"$dir/win.entry"
    "$linux" dump "$demo" "$path" >"$dir/linux.entry"
    same "$dir/win.entry" "$dir/linux.entry" "dump $path"
    win extract "$demo" "$path" -o "$dir/win.extracted" >/dev/null
    "$linux" extract "$demo" "$path" -o "$dir/linux.extracted" >/dev/null
    same "$dir/win.extracted" "$dir/linux.extracted" "extract $path"
    rm -f "$dir/win.extracted" "$dir/linux.extracted"
    count=$((count + 1))
done < <("$linux" ls "$demo")
[ "$count" -gt 0 ] || fail "the demo pack lists no entries"
echo "mingw_zcpack: zcpack.exe built the demo pack (the Linux bytes) and verified it; ls, info, stats, and cat, dump and extract of its $count entries match Linux"
status=0
win diff "$dir/win-1.zcpack" "$demo" >"$dir/win.out" || status=$?
[ "$status" -eq 1 ] || fail "diff of two different packs: exit code $status, expected 1"
"$linux" diff "$dir/win-1.zcpack" "$demo" >"$dir/linux.out" || true
same "$dir/win.out" "$dir/linux.out" "diff"
mkdir -p "$dir/win" "$dir/linux" # the header's guard is made of its file name
win schema "$tree/game.zcs" -o "$dir/win/game.h" >/dev/null
"$linux" schema "$tree/game.zcs" -o "$dir/linux/game.h" >/dev/null
same "$dir/win/game.h" "$dir/linux/game.h" "schema"
win report "$demo" -o "$dir/win/report.html" >/dev/null
"$linux" report "$demo" -o "$dir/linux/report.html" >/dev/null
same "$dir/win/report.html" "$dir/linux/report.html" "report"
echo "mingw_zcpack: diff of two packs, the schema compiler's header and the HTML report match Linux"

# The build cache: a second build takes every texture from it, into the same pack.
win build "$tree" -o "$dir/cached.zcpack" --cache "$dir/cache" >/dev/null
win build "$tree" -o "$dir/cached.zcpack" --cache "$dir/cache" >/dev/null
same "$dir/cached.zcpack" "$dir/linux-1.zcpack" "build --cache"
echo "mingw_zcpack: zcpack.exe builds through its build cache into the same pack"

# watch: the first build, then a rebuild after a file changes, into the Linux pack of
# the changed tree; the watcher is stopped by its process id.
watched=$dir/watched
cp -r "$tree" "$watched"
cp -r samples/assets/scene "$watched/" # its model reads textures/bricks.png
# (wine itself in the background, not the function `win`, so that $! is wine's process)
"$wine" "$exe" watch "$watched" -o "$dir/watched.zcpack" >"$dir/watch.out" 2>&1 &
watcher=$!
stop_watcher() { # SIGTERM, then up to 10 s for the watcher to end
    kill "$watcher" 2>/dev/null || return 0
    for _ in $(seq 1 100); do
        kill -0 "$watcher" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$watcher" 2>/dev/null; then
        kill -9 "$watcher" 2>/dev/null || true
        fail "watch: still running 10 s after SIGTERM"
    fi
    wait "$watcher" 2>/dev/null || true
}
wait_for() { # text: up to 60 s for it in the watcher's output
    for _ in $(seq 1 600); do
        grep -q "$1" "$dir/watch.out" && return 0
        kill -0 "$watcher" 2>/dev/null || break
        sleep 0.1
    done
    stop_watcher
    cat "$dir/watch.out" >&2
    fail "watch: no '$1'"
}
wait_for "build 1:"
# bytes after a PNG's end are no pixels, but a change: the texture and the model that
# reads it are imported again, nothing else
printf 'changed while watched' >>"$watched/textures/bricks.png"
wait_for "build 2:"
stop_watcher
grep -q "build 2: 2 imported" "$dir/watch.out" || { cat "$dir/watch.out"; fail "watch: not exactly the texture and its model rebuilt"; }
"$linux" build "$watched" -o "$dir/watched-linux.zcpack" >/dev/null
same "$dir/watched.zcpack" "$dir/watched-linux.zcpack" "watch"
echo "mingw_zcpack: zcpack.exe watch rebuilt a changed texture and the model that reads it, into the Linux pack"

# 3. Signing with a key of zcpack.exe, on both systems.
win keygen "$dir/release" >/dev/null
cp "$demo" "$dir/win-signed.zcpack"
cp "$demo" "$dir/linux-signed.zcpack"
win sign "$dir/win-signed.zcpack" "$dir/release.key" >/dev/null
"$linux" sign "$dir/linux-signed.zcpack" "$dir/release.key" >/dev/null
same "$dir/win-signed.zcpack" "$dir/linux-signed.zcpack" "sign"
win verify "$dir/linux-signed.zcpack" --key "$dir/release.pub" >/dev/null
"$linux" verify "$dir/win-signed.zcpack" --key "$dir/release.pub" >/dev/null
echo "mingw_zcpack: a key of zcpack.exe signs the same bytes on both systems; each verifies the other's pack"

# 4. Models of every claimed format, third-party files: the Linux entries.
models=$dir/models
mkdir -p "$models"
testmodels=/usr/share/assimp/models
[ -d "$testmodels" ] || fail "$testmodels is missing: run tools/bootstrap.sh --test-data"
for file in glTF2/BoxTextured-glTF-Binary/BoxTextured.glb OBJ/spider.obj OBJ/spider.mtl FBX/spider.fbx \
    Collada/duck.dae 3DS/fels.3ds ASE/ThreeCubesGreen.ASE MD2/faerie.md2 MD2/faerie2.bmp MD5/SimpleCube.md5mesh \
    MDC/spider.mdc MS3D/jeep1.ms3d LWO/LWO2/hierarchy.lwo PLY/cube.ply STL/Spider_ascii.stl OFF/Cube.off X/test.x \
    B3D/WusonBlitz.b3d SMD/triangle.smd IQM/mrfixit.iqm 3MF/box.3mf X3D/HelloX3dTrademark.x3d BVH/01_01.bvh; do
    cp "$testmodels/$file" "$models/"
done
win build "$models" -o "$dir/models.zcpack" >/dev/null 2>"$dir/models.out" || { cat "$dir/models.out"; fail "build of the models"; }
"$linux" build "$models" -o "$dir/models-linux.zcpack" >/dev/null 2>&1
win verify "$dir/models.zcpack" >/dev/null
"$linux" ls "$dir/models.zcpack" | cut -f1-4 >"$dir/win.out" # path, type, size, alignment
"$linux" ls "$dir/models-linux.zcpack" | cut -f1-4 >"$dir/linux.out"
same "$dir/win.out" "$dir/linux.out" "the entries of the models"
scenes=$(cut -f2 "$dir/win.out" | grep -cx scene)
[ "$scenes" -eq 21 ] || fail "the models: $scenes scenes, expected 21"
status=0
"$linux" diff "$dir/models-linux.zcpack" "$dir/models.zcpack" >"$dir/diff.out" || status=$?
[ "$status" -le 1 ] || fail "diff of the model packs: exit code $status"
rounded=0
while IFS=$'\t' read -r change path _; do
    case "$change:$path" in
        changed:01_01.bvh#animation/* | changed:spider.mdc#mesh/*) ;;
        *) fail "the models: $change $path (only BVH animations and MDC meshes may differ, in float rounding)" ;;
    esac
    "$linux" cat "$dir/models-linux.zcpack" "$path" >"$dir/linux.entry"
    "$linux" cat "$dir/models.zcpack" "$path" >"$dir/win.entry"
    python3 - "$dir/linux.entry" "$dir/win.entry" "$path" <<'PYEOF2' || fail "the models: $path differs by more than float rounding"
# The same size, and every 4-byte word either equal or, read as floats, within 2.5e-7.
import struct, sys
a, b = (open(name, "rb").read() for name in sys.argv[1:3])
if len(a) != len(b):
    sys.exit("%s: %d bytes against %d" % (sys.argv[3], len(a), len(b)))
n = len(a) // 4
if a[4 * n:] != b[4 * n:]:
    sys.exit("%s: the last bytes differ" % sys.argv[3])
fa, fb = struct.unpack("<%df" % n, a[:4 * n]), struct.unpack("<%df" % n, b[:4 * n])
worst = max([abs(x - y) for x, y in zip(fa, fb) if x != y] or [0.0])
if worst > 2.5e-7:
    sys.exit("%s: floats differ by %g" % (sys.argv[3], worst))
PYEOF2
    rounded=$((rounded + 1))
done <"$dir/diff.out"
# a damaged model: the file named, exit code 6, no pack
damaged=$dir/damaged
mkdir -p "$damaged"
head -c 3000 "$testmodels/glTF2/BoxTextured-glTF-Binary/BoxTextured.glb" >"$damaged/cut.glb"
cp samples/assets/text/strings_en.csv "$damaged/"
status=0
win build "$damaged" -o "$dir/damaged.zcpack" >"$dir/damaged.out" 2>&1 || status=$?
[ "$status" -eq 6 ] && grep -q "cut.glb: assimp cannot read the model" "$dir/damaged.out" &&
    [ ! -e "$dir/damaged.zcpack" ] || fail "a damaged model: exit code $status, expected 6 naming cut.glb"
# Isolation: a model that crashes assimp 5.2.5 (the first 1075 bytes of
# SimpleCube.md5mesh) and one that makes it loop (the first 108 bytes of cube.ply)
# fail by themselves in their worker processes; zcpack.exe packs the rest.
isolated=$dir/isolated
mkdir -p "$isolated"
head -c 1075 "$testmodels/MD5/SimpleCube.md5mesh" >"$isolated/crash.md5mesh"
head -c 108 "$testmodels/PLY/cube.ply" >"$isolated/hang.ply"
cp "$testmodels/OBJ/spider.obj" "$testmodels/OBJ/spider.mtl" samples/assets/text/strings_en.csv "$isolated/"
status=0
win build "$isolated" -o "$dir/isolated.zcpack" --keep-going --model-timeout 3 >"$dir/isolated.out" 2>&1 || status=$?
[ "$status" -eq 6 ] || { cat "$dir/isolated.out"; fail "models that crash and hang assimp: exit code $status, expected 6"; }
grep -q "crash.md5mesh: the model importer crashed (exception 0xC0000005, access violation)" "$dir/isolated.out" ||
    { cat "$dir/isolated.out"; fail "a model that crashes assimp: no crash reported"; }
grep -q "hang.ply: the model importer took longer than 3 s and was stopped" "$dir/isolated.out" ||
    { cat "$dir/isolated.out"; fail "a model that makes assimp loop: no time-out reported"; }
rm "$isolated/crash.md5mesh" "$isolated/hang.ply"
"$linux" build "$isolated" -o "$dir/isolated-linux.zcpack" >/dev/null 2>&1
same "$dir/isolated.zcpack" "$dir/isolated-linux.zcpack" "build --keep-going of a tree with a crash and a hang"
echo "mingw_zcpack: zcpack.exe imported 21 models of 21 formats into the Linux entries ($rounded differ in float" \
    "rounding only), refused a damaged one (exit 6), and survived a model that crashes assimp and one that hangs it"

# What else is left out says so: an ASTC format (exit 6, the output left alone).
astc=$dir/astc
mkdir -p "$astc"
cp samples/assets/textures/leaves.png "$astc/"
printf '{ "rules": [ { "match": "*.png", "format": "astc4x4" } ] }\n' >"$astc/zcpack.json"
status=0
win build "$astc" -o "$dir/astc.zcpack" >"$dir/astc.out" 2>&1 || status=$?
[ "$status" -eq 6 ] && grep -q "ASTC texture formats are not built into this zcpack.exe" "$dir/astc.out" &&
    [ ! -e "$dir/astc.zcpack" ] || fail "an ASTC texture: exit code $status, expected 6 and the reason"
echo "mingw_zcpack: zcpack.exe refused an ASTC format (exit 6), saying why"
# and a glTF file with Draco mesh compression (Debian's Linux assimp links libdraco)
draco=$dir/draco
mkdir -p "$draco"
cp "$testmodels"/glTF2/draco/2CylinderEngine.gltf "$testmodels"/glTF2/draco/2CylinderEngine.bin "$draco/"
status=0
win build "$draco" -o "$dir/draco.zcpack" >"$dir/draco.out" 2>&1 || status=$?
[ "$status" -eq 6 ] && grep -q "2CylinderEngine.gltf: assimp cannot read the model: GLTF: Draco mesh compression not supported" \
    "$dir/draco.out" || fail "a Draco-compressed glTF file: exit code $status, expected 6 and assimp's reason"
echo "mingw_zcpack: zcpack.exe refused a Draco-compressed glTF file (exit 6), saying why"

# The shared build cache through nginx's WebDAV store (Debian's nginx-light), as a
# team would run it: zcpack.exe sends every import, a second zcpack.exe with an empty
# cache of its own fetches every one, and each writes the Linux build's pack (a key
# names the program that imported, so the Linux zcpack keeps records of its own). With
# the server down the build warns and writes the same pack.
nginx=/usr/sbin/nginx
if [ -x "$nginx" ]; then
    web=$PWD/$dir/nginx
    mkdir -p "$web/cache"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    tls_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    # the same store over TLS, with a self-signed certificate nobody trusts
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
        -keyout "$web/key.pem" -out "$web/cert.pem" >"$web/openssl.log" 2>&1 || fail "openssl: $(cat "$web/openssl.log")"
    {
        echo "daemon off;"
        echo "master_process on;"
        echo "worker_processes 1;"
        if [ "$(id -u)" -eq 0 ]; then echo "user root;"; fi
        echo "pid $web/nginx.pid;"
        echo "error_log $web/error.log warn;"
        echo "events { worker_connections 64; }"
        echo "http {"
        echo "    access_log $web/access.log;"
        for temp in client_body proxy fastcgi uwsgi scgi; do echo "    ${temp}_temp_path $web/$temp;"; done
        echo "    server {"
        echo "        listen 127.0.0.1:$port;"
        echo "        location /cache/ { root $web; dav_methods PUT; create_full_put_path on; client_max_body_size 1g; }"
        echo "    }"
        echo "    server {"
        echo "        listen 127.0.0.1:$tls_port ssl;"
        echo "        ssl_certificate $web/cert.pem;"
        echo "        ssl_certificate_key $web/key.pem;"
        echo "        location /cache/ { root $web; dav_methods PUT; create_full_put_path on; client_max_body_size 1g; }"
        echo "    }"
        echo "}"
    } >"$web/nginx.conf"
    "$nginx" -p "$web" -c "$web/nginx.conf" -e "$web/error.log" >"$web/stdout.log" 2>&1 &
    nginx_pid=$!
    trap 'kill "$nginx_pid" 2>/dev/null || true' EXIT
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
        sleep 0.1
    done
    url=http://127.0.0.1:$port/cache/
    win build "$tree" -o "$dir/url-1.zcpack" --cache "$dir/url-cache-1" --cache-url "$url" >"$dir/url-1.out" 2>&1
    sent=$(find "$web/cache" -type f | wc -l)
    [ "$sent" -gt 0 ] && grep -qF "($sent sent)" "$dir/url-1.out" ||
        fail "--cache-url: the server holds $sent records ($(cat "$dir/url-1.out"))"
    win build "$tree" -o "$dir/url-2.zcpack" --cache "$dir/url-cache-2" --cache-url "$url" >"$dir/url-2.out" 2>&1
    grep -qF "($sent from $url)" "$dir/url-2.out" ||
        fail "--cache-url: the second build did not fetch the $sent records ($(cat "$dir/url-2.out"))"
    for n in 1 2; do same "$dir/url-$n.zcpack" "$dir/linux-1.zcpack" "build --cache-url ($n)"; done
    # https:// through Schannel, on the same store behind a self-signed certificate.
    # Windows' Schannel refuses that certificate (one warning, as the Linux suite
    # cache_server checks); wine's has accepted it, and then every record comes over
    # TLS. Either shows TLS in libcurl: without it the address would be an unsupported
    # protocol, and every file would be imported.
    win build "$tree" -o "$dir/url-tls.zcpack" --cache "$dir/url-cache-4" --cache-url "https://127.0.0.1:$tls_port/cache/" \
        >"$dir/url-tls.out" 2>&1 || fail "--cache-url https://: the build failed ($(cat "$dir/url-tls.out"))"
    if grep -qF "($sent from https://127.0.0.1:$tls_port/cache/)" "$dir/url-tls.out"; then
        tls="fetched all $sent records over TLS (wine accepted the self-signed certificate)"
    elif grep -q "https://127.0.0.1:$tls_port/cache: build cache server not reachable (SSL" "$dir/url-tls.out"; then
        tls="refused the self-signed certificate"
    else
        fail "--cache-url https://: neither fetched over TLS nor refused by TLS ($(cat "$dir/url-tls.out"))"
    fi
    same "$dir/url-tls.zcpack" "$dir/linux-1.zcpack" "build --cache-url https://"
    kill "$nginx_pid"
    wait "$nginx_pid" 2>/dev/null || true
    trap - EXIT
    win build "$tree" -o "$dir/url-down.zcpack" --cache "$dir/url-cache-3" --cache-url "$url" >"$dir/url-down.out" 2>&1
    same "$dir/url-down.zcpack" "$dir/linux-1.zcpack" "build --cache-url with the server down"
    echo "mingw_zcpack: zcpack.exe shares its build cache through nginx: $sent records sent, all fetched by a" \
        "second zcpack.exe, both into the Linux pack; over https:// Schannel $tls; with the server down the same pack"
else
    echo "mingw_zcpack: $nginx not installed: the shared build cache check skipped"
fi

# 5. Objects from both systems: the model imported on Linux, every other file by
# zcpack.exe, the objects linked by zcpack.exe: the Linux build's pack.
objects=()
while IFS= read -r file; do
    object="$dir/objects/$(printf '%s' "$file" | tr / _).zco"
    mkdir -p "$dir/objects"
    case "$file" in
        *.gltf) "$linux" import "samples/assets/$file" --root samples/assets -o "$object" >/dev/null ;;
        *) win import "samples/assets/$file" --root samples/assets -o "$object" >/dev/null ;;
    esac
    objects+=("$object")
done < <(cd samples/assets && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
win link "${objects[@]}" -o "$dir/linked.zcpack" >/dev/null
same "$dir/linked.zcpack" "$demo" "link of objects imported on both systems"
echo "mingw_zcpack: zcpack.exe linked a model imported on Linux with its own imports into the Linux build's pack"
