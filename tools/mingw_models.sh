# mingw_models.sh - the libraries of zcpack.exe's model importer, built for mingw.
#
# Sourced by tools/mingw.sh (its $deps, $out, $cc and build_library). Debian builds
# assimp and meshoptimizer for Linux only; this compiles them for 64-bit Windows from
# Debian's own source packages (tools/debian_source.sh), with zlib and minizip (from
# Debian's zlib source package) under assimp, into $deps: libassimp.a,
# libmeshoptimizer.a, libminizip.a, libz.a and their headers. Each library is built
# once and again only when this file is newer.
#
# assimp is configured with its own CMake project, Debian's patches applied:
#  - the importers are those whose extensions the Linux zcpack claims
#    (zc_model_extensions in packer/import/model/zc_model.c), no exporter;
#  - ASSIMP_BUILD_SINGLETHREADED: a model import runs one assimp call at a time
#    (zc_model.c's lock), and mingw's default (win32) thread model has no std::mutex;
#  - utf8cpp's headers are Debian's libutfcpp-dev (architecture independent), stb's
#    are libstb-dev's.
# On two cores the first build takes about two and a half minutes.

models_cxx=${cc%gcc}g++
build_stamp=tools/mingw_models.sh

# zlib and minizip (assimp reads .zae, .3mf and zipped glTF through minizip's unzip).
zlib_src=$(tools/debian_source.sh zlib "$out/src")
echo "mingw: zlib and minizip from $zlib_src"
build_library "$deps/libz.a" -O2 -w -- \
    "$zlib_src"/{adler32,compress,crc32,deflate,gzclose,gzlib,gzread,gzwrite,infback,inffast,inflate,inftrees,trees,uncompr,zutil}.c
build_library "$deps/libminizip.a" -O2 -w -I"$zlib_src" -- "$zlib_src"/contrib/minizip/{ioapi,unzip,zip,iowin32}.c
cp "$zlib_src"/zlib.h "$zlib_src"/zconf.h "$deps/include/"
mkdir -p "$deps/include/minizip"
cp "$zlib_src"/contrib/minizip/{ioapi,unzip,zip,iowin32,crypt}.h "$deps/include/minizip/"

# meshoptimizer: its C++ files, C linkage at the API.
mesh_src=$(tools/debian_source.sh meshoptimizer "$out/src")
echo "mingw: meshoptimizer from $mesh_src"
build_cc=$models_cxx build_library "$deps/libmeshoptimizer.a" -O2 -w -- "$mesh_src"/src/*.cpp
cp "$mesh_src"/src/meshoptimizer.h "$deps/include/"

# assimp.
assimp_src=$(tools/debian_source.sh assimp "$out/src")
if [ ! -f "$deps/libassimp.a" ] || [ ! "$deps/libassimp.a" -nt tools/mingw_models.sh ]; then
    echo "mingw: assimp from $assimp_src (its importers only; minutes on the first build)"
    assimp_build=$PWD/$deps/assimp-build
    rm -rf "$assimp_build"
    mkdir -p "$assimp_build/pkgconfig" "$assimp_build/include/stb" "$assimp_build/draco"
    # minizip, found through pkg-config as assimp's CMake project looks for it
    cat >"$assimp_build/pkgconfig/minizip.pc" <<EOF
Name: minizip
Description: minizip for mingw (Debian's zlib source package)
Version: 1.2.13
Libs: -L$PWD/$deps -lminizip -lz
Cflags: -I$PWD/$deps/include/minizip -I$PWD/$deps/include
EOF
    cp /usr/include/stb/stb_image.h "$assimp_build/include/stb/"
    # Debian's patch links libdraco (glTF's Draco mesh compression, which the Linux
    # build's glTF importer does not enable either); no draco is built for mingw, so
    # an empty package answers its find_package.
    echo 'set(DRACO_LIBRARIES "")' >"$assimp_build/draco/dracoConfig.cmake"
    assimp_importers=()
    for name in GLTF OBJ FBX COLLADA 3DS ASE MD2 MD3 MD5 MDC MS3D LWO PLY STL OFF X B3D SMD IQM 3MF X3D AC BVH; do
        assimp_importers+=("-DASSIMP_BUILD_${name}_IMPORTER=ON")
    done
    PKG_CONFIG_LIBDIR="$assimp_build/pkgconfig" PKG_CONFIG_PATH="" cmake -S "$assimp_src" -B "$assimp_build" \
        -G "Unix Makefiles" -DCMAKE_SYSTEM_NAME=Windows -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$models_cxx" \
        -DCMAKE_RC_COMPILER="${cc%gcc}windres" -DCMAKE_FIND_ROOT_PATH=/usr/x86_64-w64-mingw32 \
        -DCMAKE_FIND_ROOT_PATH_MODE_PROGRAM=NEVER -DCMAKE_FIND_ROOT_PATH_MODE_LIBRARY=ONLY \
        -DCMAKE_FIND_ROOT_PATH_MODE_INCLUDE=ONLY -DCMAKE_FIND_ROOT_PATH_MODE_PACKAGE=BOTH \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS="-DASSIMP_BUILD_SINGLETHREADED" \
        -DCMAKE_CXX_FLAGS="-DASSIMP_BUILD_SINGLETHREADED -I/usr/include/utf8cpp -I$assimp_build/include -I$PWD/$deps/include" \
        -DBUILD_SHARED_LIBS=OFF -DASSIMP_BUILD_TESTS=OFF -DASSIMP_BUILD_ASSIMP_TOOLS=OFF -DASSIMP_INSTALL=OFF \
        -DASSIMP_NO_EXPORT=ON -DASSIMP_WARNINGS_AS_ERRORS=OFF -DASSIMP_IGNORE_GIT_HASH=ON -DASSIMP_BUILD_ZLIB=OFF \
        -DASSIMP_INJECT_DEBUG_POSTFIX=OFF -DASSIMP_BUILD_DRACO=OFF -Ddraco_DIR="$assimp_build/draco" \
        -DZLIB_LIBRARY="$PWD/$deps/libz.a" -DZLIB_INCLUDE_DIR="$PWD/$deps/include" \
        -DASSIMP_BUILD_ALL_IMPORTERS_BY_DEFAULT=OFF "${assimp_importers[@]}" >"$assimp_build/configure.log"
    cmake --build "$assimp_build" -j "$(nproc)" >"$assimp_build/build.log"
    cp "$(find "$assimp_build" -name 'libassimp*.a' | head -n 1)" "$deps/libassimp.a"
    rm -rf "$deps/include/assimp"
    cp -r "$assimp_src/include/assimp" "$deps/include/"
    cp "$assimp_build"/include/assimp/*.h "$deps/include/assimp/"
fi
unset build_stamp
