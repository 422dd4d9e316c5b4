# Makefile - the commands people type. The build itself is described once, in
# premake5.lua: this file generates makefiles from it under build/ (premake5 when
# installed, else Debian's premake4) and runs them.
#
#   make                          release build of everything, in bin/release/
#   make debug|release|sanitize|editor
#                                 one configuration, in bin/<config>/ (editor: release
#                                 flags plus the hot reload API, ZC_EDITOR)
#   make demo                     pack samples/assets and samples/characters, verify,
#                                 show entries by type, draw the scene and the posed
#                                 character with samples/viewer, write the pack's HTML
#                                 report (zcpack report); a short summary
#   make test                     tests in release, under ASan+UBSan (with the hot reload
#                                 suites) and the hot reload suites (reload, and allocation
#                                 failures in hot reload) in editor, the installed
#                                 SDK (make install PREFIX=build/sdk, then make
#                                 test-sdk), the Windows cross-build; first
#                                 installs the packages holding the test images
#   make check                    the developer loop: release build, then only the
#                                 suites of CHECK_SUITES and the tests of CHECK_TESTS
#                                 (under a minute here); the long suites, sanitizers,
#                                 editor build, SDK and Windows build stay in make test
#   make bench                    every benchmark program, one after the other, then
#                                 BENCHMARKS.md (ratios to in-run comparators) and the
#                                 charts it shows (docs/bench/*.png); first installs
#                                 FlatBuffers and Cap'n Proto for bench_schema
#   make bootstrap-bench          only that: the build packages plus the peers'
#                                 compilers and libraries (tools/bootstrap.sh --bench)
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="fuzz_pack ..."]
#                                 build the libFuzzer targets of tests/fuzz/ with clang
#                                 (ASan+UBSan) into bin/fuzz/ and run each for
#                                 FUZZ_SECONDS; every crashing input is kept under
#                                 tests/fuzz/regressions/, which `make test` replays
#   make install [PREFIX=dir]     builds release and editor, then installs zcpack (and
#                                 lib/zcpack/zcpack_exr.so, the module it loads for EXR files); the
#                                 C, C++ and packer headers (include/zc/); the runtime
#                                 (libzcpack.so.<version> with its soname links,
#                                 libzcpack.a, libzcpack_editor.a with ZC_EDITOR) and
#                                 the packer library (libzcpacker.a); the pkg-config
#                                 files zcpack, zcpack-packer, zcpack-editor; the CMake
#                                 package (lib/cmake/zcpack: find_package(zcpack), targets
#                                 zcpack::runtime, runtime_static, runtime_editor,
#                                 packer); the Bazel rules (share/zcpack/bazel); prints
#                                 where the libraries went and how the loader finds them
#   make test-sdk [SDK=dir]       check an installed SDK (default build/sdk, as `make
#                                 install PREFIX=build/sdk` leaves it) as an engine uses
#                                 it: headers alone, README and header examples,
#                                 pkg-config, the CMake package with the runtime, the
#                                 packer library and the C++ header (also under ASan
#                                 and UBSan), the soname and RUNPATH, a moved SDK
#   make clean                    remove build/ and bin/
#
# demo, test, bench and fuzz first install missing Debian packages (tools/bootstrap.sh).

PREFIX ?= /usr/local
prefix := $(abspath $(PREFIX))

ifneq ($(shell command -v premake5 2>/dev/null),)
PREMAKE := premake5 gmake
else
PREMAKE := premake4 --file=premake5.lua gmake
endif

# Parallel sub-builds, unless the caller chose a -j of their own.
NPROC := $(shell nproc 2>/dev/null || echo 1)
JOBS = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(NPROC))

# "0.1.0" from runtime/include/zc_pack.h; the shared library's soname carries the major.
VERSION := $(shell sed -n 's/^\#define ZC_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*/\2/p' runtime/include/zc_pack.h | paste -sd.)
SOMAJOR := $(firstword $(subst ., ,$(VERSION)))
SOMINOR := $(word 2,$(subst ., ,$(VERSION)))

# The packer library's public headers: zc_packer.h and what it includes.
PACKER_HEADERS := packer/build/zc_packer.h packer/build/zc_build.h packer/build/zc_build_cache.h \
	packer/build/zc_ignore.h packer/build/zc_link.h packer/build/zc_manifest.h packer/build/zc_sign.h \
	packer/build/zc_watch.h packer/build/zc_writer.h packer/import/zc_importer.h \
	packer/import/texture/zc_import_texture.h packer/import/texture/zc_texture_export.h \
	packer/import/model/zc_model.h packer/schema/zc_schema.h packer/schema/zc_schema_builder.h

# Benchmarks in the order of the report (any other tools/bench/bench_*.c follows them).
# They run from the release build, except bench_reload, which measures the hot reload
# API of the editor build.
BENCH_ORDER := open scene texture formats compress stream prefetch reload incremental build
BENCH_FOUND := $(patsubst tools/bench/bench_%.c,%,$(wildcard tools/bench/bench_*.c))
BENCH_NAMES := $(filter $(BENCH_FOUND),$(BENCH_ORDER)) $(filter-out $(BENCH_ORDER),$(BENCH_FOUND))
EDITOR_BENCHES := $(if $(filter reload,$(BENCH_FOUND)),bin/editor/bench_reload)
BENCHES := $(foreach name,$(BENCH_NAMES),$(if $(filter reload,$(name)),bin/editor,bin/release)/bench_$(name))
# bench_schema, zcpack's schema types against FlatBuffers and Cap'n Proto, is C++ on
# the peers' generated code: tools/bench/schema/build.sh generates and builds it (it
# needs the packages of `tools/bootstrap.sh --bench`), and it runs last.
SCHEMA_BENCH := $(if $(wildcard tools/bench/schema/build.sh),bin/release/bench_schema)
BENCHES += $(SCHEMA_BENCH)
DEMO_PACK := build/demo/assets.zcpack
SDK := build/sdk
SDK_TEST := build/sdk_hello

.NOTPARALLEL:
.PHONY: all debug release sanitize editor generate bootstrap bootstrap-test-data bootstrap-bench demo test check test-sdk bench fuzz install clean

all: release

# premake globs the tree when it runs, so the makefiles are regenerated on every
# build: a new source file is picked up without a separate step.
generate:
	@$(PREMAKE) >/dev/null

debug release sanitize editor: generate
	$(MAKE) $(JOBS) --no-print-directory -C build config=$@

bootstrap:
	@tools/bootstrap.sh

# The real third-party images the texture suites read (Debian packages, never copied
# into the tree).
bootstrap-test-data:
	@tools/bootstrap.sh --test-data

# FlatBuffers' and Cap'n Proto's compilers and libraries, which bench_schema compares
# zcpack's schema types with.
bootstrap-bench:
	@tools/bootstrap.sh --bench

demo: bootstrap release
	@mkdir -p $(dir $(DEMO_PACK))
	@echo "demo: packing samples/assets, samples/characters and samples/textures"
	@bin/release/zcpack build samples/assets -o $(DEMO_PACK) 2> build/demo/build.log || { cat build/demo/build.log; exit 1; }
	@cat build/demo/build.log
	@bin/release/zcpack verify $(DEMO_PACK)
	@bin/release/zcpack stats $(DEMO_PACK) | sed -n '/^by type/,/^$$/p'
	@bin/release/zcpack extract $(DEMO_PACK) textures/leaves.png --level 2 -o build/demo/leaves_level2.png
	@bin/release/viewer $(DEMO_PACK) -o build/demo/preview.png
	@bin/release/zcpack report $(DEMO_PACK) -o build/demo/report.html --preview build/demo/preview.png \
		--log build/demo/build.log
	@bin/release/zcpack build samples/characters -o build/demo/characters.zcpack
	@bin/release/viewer build/demo/characters.zcpack --time 0.25,0.75 --size 320x360 -o build/demo/character.png
	@bin/release/zcpack build samples/textures -o build/demo/textures.zcpack
	@tools/demo_textures.sh bin/release/zcpack build/demo/textures.zcpack
	@bin/release/zcpack extract build/demo/textures.zcpack sky.hdr -o build/demo/sky.ktx2
	@bin/release/zcpack extract build/demo/textures.zcpack mip_colours.dds --level 3 -o build/demo/mip_colours_level3.png
	@echo
	@echo "demo: pack       $(DEMO_PACK)      (zcpack ls, info, dump and stats show what it holds)"
	@echo "      mip 2      build/demo/leaves_level2.png  (level 2 of textures/leaves.png, extracted)"
	@echo "      preview    build/demo/preview.png        (the demo scene drawn by samples/viewer)"
	@echo "      character  build/demo/character.png      (samples/characters at 0.25 s and 0.75 s of its clip)"
	@echo "      textures   build/demo/textures.zcpack    (samples/textures: an HDR panorama as a BC6H cube map, a BC7 array"
	@echo "                 and decal, an ASTC badge, a DDS file kept with its own hand-made mips)"
	@echo "      sky        build/demo/sky.ktx2           (the cube map extracted as KTX2, every face and level)"
	@echo "      mip 3      build/demo/mip_colours_level3.png  (green: level 3 as the DDS file holds it, not rebuilt)"
	@echo "      report     build/demo/report.html        (open it in a browser: treemap, entries, textures, dependencies)"

test: bootstrap-test-data release sanitize editor
	bin/release/zcpack_tests
	bin/editor/zcpack_tests --filter '@($(call alternatives,$(EDITOR_SUITES)))/*'
	ZC_SANITIZE_RUN=1 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		bin/sanitize/zcpack_tests
	rm -rf $(SDK)
	$(MAKE) --no-print-directory install PREFIX=$(SDK)
	$(MAKE) --no-print-directory test-sdk
	tools/mingw.sh

# The suites of `make check`, the edit-compile-test loop: those that take seconds in
# the release build. SLOW_SUITES run in `make test` only: sweeps over every byte or
# every allocation, injected faults, killed builds, a 4 GiB pack, importer crashes and
# hangs, assimp's whole model library, the HDR codecs' quality measurements on real
# environment maps. CHECK_TESTS adds single tests of slow suites.
# EDITOR_SUITES exist in the editor build only (hot reload); `make test` runs them
# there. A new suite goes into one of the lists (time it with
# `bin/release/zcpack_tests --filter 'suite/*'`); `make check` names any suite that is
# in none, and `make test` runs every suite whatever the lists say. Entries are
# Criterion globs.
CHECK_SUITES := format_* cache_stress material_format mesh_format scene_format views runtime runtime_os writer hostile \
	corruption compression mount prefetch fuzz_replay build_cache texture texture_bad texture_quality texture_halve \
	model viewer watch patch cli stats importers trust_inputs trust_bombs outputs signing get mapped model_md3 lookup stream imlink model_pool pack_set cache_server skin morph texture_export texture_bc7 exclude report texture_cube texture_webp texture_dds texture_pcx texture_sgi texture_tiff texture_bmp_rle texture_psd texture_gif texture_undecoded lazy_libraries shared_names schema schema_builder md3_frames pipeline import_stage
CHECK_TESTS := identity/demo*
SLOW_SUITES := alloc_faults io_faults sweep kill large model_build identity bazel texture_exr texture_bc6h
EDITOR_SUITES := reload alloc_faults_editor
empty :=
space := $(empty) $(empty)
alternatives = $(subst $(space),|,$(strip $(1)))
CHECK_FILTER := @(@($(call alternatives,$(CHECK_SUITES)))/*|$(call alternatives,$(CHECK_TESTS)))

check: bootstrap-test-data release
	@bin/release/zcpack_tests --list 2>&1 | sed -n 's/^\([A-Za-z0-9_]*\): [0-9]* tests*$$/\1/p' | \
	while read suite; do \
		case $$suite in $(call alternatives,$(CHECK_SUITES) $(SLOW_SUITES))) ;; \
		*) echo "check: suite $$suite is in neither CHECK_SUITES nor SLOW_SUITES (Makefile): make test runs it, make check does not";; \
		esac; \
	done
	bin/release/zcpack_tests --filter '$(CHECK_FILTER)'

# An engine's view of the SDK that `make install PREFIX=$(SDK)` left (tools/check_*.sh
# say what each checks):
#  - every installed header compiles alone as C11 and as C++17, the C++ header as C++17
#    (check_headers.sh); the zcpack CLI includes only its own headers, installed ones
#    and four named private ones (check_cli_api.sh);
#  - every code example of README.md and of the installed headers compiles against the
#    SDK and runs on the demo pack (check_examples.sh; the hot reload ones link the
#    editor build's library when it exists, else they are only compiled);
#  - the installed zcpack packs the assets, and sdk_hello, built with nothing but
#    `pkg-config --cflags --libs zcpack` (and --static), reads the pack;
#  - samples/cmake_hello, configured by Debian's cmake with find_package(zcpack) and
#    nothing else: cmake_hello (zcpack::runtime, shared, started without
#    LD_LIBRARY_PATH), cmake_pack (zcpack::packer: zc_build, then import + link into the
#    same bytes and into a pack set), cpp_hello (<zc/zc_pack.hpp>, -std=c++17 -Wall
#    -Wextra -Werror, on the pack and the set), then the soname, the exports and the
#    program's RUNPATH (check_sdk_libs.sh);
#  - the SDK copied elsewhere still builds cmake_hello, which loads the copy's library
#    (the CMake package finds its prefix from its own place), and sdk_hello through
#    pkg-config alone (the .pc files find theirs from pcfiledir);
#  - cpp_hello again under ASan and UBSan.
SDK_CMAKE := $(SDK_TEST)/cmake
test-sdk:
	tools/check_headers.sh $(SDK)/include
	tools/check_cli_api.sh $(SDK)/include
	tools/check_examples.sh $(SDK) $(if $(wildcard bin/editor/libzcpack.a),bin/editor)
	rm -rf $(SDK_TEST)
	mkdir -p $(SDK_TEST)
	$(SDK)/bin/zcpack build samples/assets -o $(SDK_TEST)/assets.zcpack
	PKG_CONFIG_PATH=$(abspath $(SDK))/lib/pkgconfig \
		$(MAKE) --no-print-directory -C samples/sdk_hello OUT=$(abspath $(SDK_TEST))
	LD_LIBRARY_PATH=$(abspath $(SDK))/lib \
		$(SDK_TEST)/sdk_hello $(SDK_TEST)/assets.zcpack shaders/sky.glsl
	$(SDK_TEST)/sdk_hello_static $(SDK_TEST)/assets.zcpack shaders/sky.glsl
	cmake -S samples/cmake_hello -B $(SDK_CMAKE) -DCMAKE_PREFIX_PATH=$(abspath $(SDK)) > $(SDK_TEST)/cmake.log
	cmake --build $(SDK_CMAKE) >> $(SDK_TEST)/cmake.log
	env -u LD_LIBRARY_PATH $(SDK_CMAKE)/cmake_hello $(SDK_TEST)/assets.zcpack
	mkdir -p $(SDK_CMAKE)/objects $(SDK_CMAKE)/set
	$(SDK_CMAKE)/cmake_pack samples/assets $(SDK_CMAKE)/assets.zcpack $(SDK_CMAKE)/objects $(SDK_CMAKE)/set/assets.zcindex
	env -u LD_LIBRARY_PATH $(SDK_CMAKE)/cpp_hello $(SDK_TEST)/assets.zcpack $(SDK_CMAKE)/set/assets.zcindex
	tools/check_sdk_libs.sh $(SDK) $(SDK_CMAKE)/cmake_hello
	cp -R $(SDK) $(SDK_TEST)/moved-sdk
	cmake -S samples/cmake_hello -B $(SDK_CMAKE)-moved -DCMAKE_PREFIX_PATH=$(abspath $(SDK_TEST))/moved-sdk \
		> $(SDK_TEST)/cmake-moved.log
	cmake --build $(SDK_CMAKE)-moved --target cmake_hello >> $(SDK_TEST)/cmake-moved.log
	tools/check_sdk_libs.sh $(SDK_TEST)/moved-sdk $(SDK_CMAKE)-moved/cmake_hello
	env -u LD_LIBRARY_PATH $(SDK_CMAKE)-moved/cmake_hello $(SDK_TEST)/assets.zcpack
	flags="$$(PKG_CONFIG_PATH=$(abspath $(SDK_TEST))/moved-sdk/lib/pkgconfig \
		pkg-config --static --cflags --libs zcpack zcpack-packer zcpack-editor)" && \
	case "$$flags" in *"$(abspath $(SDK))/"*) false;; *"-I$(abspath $(SDK_TEST))/moved-sdk/"*) ;; *) false;; esac || \
		{ echo "test-sdk: the copied SDK's pkg-config files do not point into the copy: $$flags"; exit 1; }
	PKG_CONFIG_PATH=$(abspath $(SDK_TEST))/moved-sdk/lib/pkgconfig \
		$(MAKE) --no-print-directory -C samples/sdk_hello OUT=$(abspath $(SDK_TEST))/moved-pc
	$(SDK_TEST)/moved-pc/sdk_hello_static $(SDK_TEST)/assets.zcpack shaders/sky.glsl
	cmake -S samples/cmake_hello -B $(SDK_CMAKE)-sanitize -DCMAKE_PREFIX_PATH=$(abspath $(SDK)) -DZC_SANITIZE=ON \
		> $(SDK_TEST)/cmake-sanitize.log
	cmake --build $(SDK_CMAKE)-sanitize --target cpp_hello >> $(SDK_TEST)/cmake-sanitize.log
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 env -u LD_LIBRARY_PATH \
		$(SDK_CMAKE)-sanitize/cpp_hello $(SDK_TEST)/assets.zcpack $(SDK_CMAKE)/set/assets.zcindex

# Each program leaves build/bench/<program>.md (its section), <program>.glance (its
# rows of the summary table) and its charts in docs/bench/*.png (drawn by
# tools/bench/zc_bench_plot.c: stb_image_write and a built-in font, no plotting tool).
# BENCHMARKS.md is replaced only when every program succeeded.
bench: bootstrap-bench release $(if $(EDITOR_BENCHES),editor)
	@if [ -z "$(BENCHES)" ]; then echo "bench: no tools/bench/bench_*.c"; fi
	$(if $(SCHEMA_BENCH),@tools/bench/schema/build.sh)
	@for program in $(BENCHES); do \
		echo "==== $$program"; \
		$$program || exit 1; \
	done
	@{ printf '# zcpack benchmarks\n\nWritten by `make bench` on the machine described in each section. '; \
	   printf 'Every figure is a ratio to a comparator measured in the same run; timings are\n'; \
	   printf 'measurements, never pass/fail tests. Charts are in `docs/bench/`.\n\n'; \
	   printf '## At a glance\n\n| program | figure | comparator (same run) | ratio |\n|---|---|---|---:|\n'; \
	   for program in $(BENCHES); do cat build/bench/$$(basename $$program).glance; done; echo; \
	   for program in $(BENCHES); do cat build/bench/$$(basename $$program).md; echo; done; } > BENCHMARKS.md.tmp
	@mv BENCHMARKS.md.tmp BENCHMARKS.md
	@echo "bench: wrote BENCHMARKS.md (charts in docs/bench/)"

# Seconds per fuzz target, and the targets (default: all of tests/fuzz/fuzz_*.c).
# tools/fuzz.sh describes the build, the corpora and what happens to findings.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz: bootstrap release
	FUZZ_SECONDS=$(FUZZ_SECONDS) tools/fuzz.sh $(FUZZ_TARGETS)

install: release editor
	install -d $(DESTDIR)$(prefix)/bin $(DESTDIR)$(prefix)/include/zc \
		$(DESTDIR)$(prefix)/lib/pkgconfig $(DESTDIR)$(prefix)/lib/cmake/zcpack
	install -m 755 bin/release/zcpack $(DESTDIR)$(prefix)/bin/zcpack
	install -d $(DESTDIR)$(prefix)/lib/zcpack
	install -m 755 bin/release/zcpack_exr.so $(DESTDIR)$(prefix)/lib/zcpack/zcpack_exr.so
	install -m 644 runtime/include/*.h runtime/include/*.hpp formats/*.h $(PACKER_HEADERS) \
		$(DESTDIR)$(prefix)/include/zc/
	install -m 644 bin/release/libzcpack.a $(DESTDIR)$(prefix)/lib/libzcpack.a
	install -m 644 bin/editor/libzcpack.a $(DESTDIR)$(prefix)/lib/libzcpack_editor.a
	install -m 644 bin/release/libzcpacker.a $(DESTDIR)$(prefix)/lib/libzcpacker.a
	install -m 755 bin/release/libzcpack.so $(DESTDIR)$(prefix)/lib/libzcpack.so.$(VERSION)
	ln -sfn libzcpack.so.$(VERSION) $(DESTDIR)$(prefix)/lib/libzcpack.so.$(SOMAJOR)
	ln -sfn libzcpack.so.$(SOMAJOR) $(DESTDIR)$(prefix)/lib/libzcpack.so
	for pc in zcpack zcpack-packer zcpack-editor; do \
		sed -e 's|@VERSION@|$(VERSION)|' tools/$$pc.pc.in \
			> $(DESTDIR)$(prefix)/lib/pkgconfig/$$pc.pc || exit 1; \
	done
	for f in zcpackConfig zcpackConfigVersion; do \
		sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@SOMAJOR@|$(SOMAJOR)|g' -e 's|@SOMINOR@|$(SOMINOR)|g' \
			tools/cmake/$$f.cmake.in > $(DESTDIR)$(prefix)/lib/cmake/zcpack/$$f.cmake || exit 1; \
	done
	install -d $(DESTDIR)$(prefix)/share/zcpack/bazel
	install -m 644 tools/bazel/README.md tools/bazel/WORKSPACE tools/bazel/BUILD.bazel tools/bazel/*.bzl \
		$(DESTDIR)$(prefix)/share/zcpack/bazel/
	install -m 755 tools/bazel/*.sh $(DESTDIR)$(prefix)/share/zcpack/bazel/
	@echo "install: zcpack $(VERSION) in $(prefix): bin/zcpack (with lib/zcpack/zcpack_exr.so, its OpenEXR reader);"
	@echo "         include/zc/ (C, C++ and packer headers);"
	@echo "         lib/libzcpack.so.$(VERSION) (soname libzcpack.so.$(SOMAJOR)), libzcpack.a, libzcpack_editor.a,"
	@echo "         libzcpacker.a; lib/pkgconfig/zcpack{,-packer,-editor}.pc; lib/cmake/zcpack/"
	@case ":$$(ldconfig -v 2>/dev/null | sed -n 's|^\(/[^:]*\):.*|\1|p' | tr '\n' ':'):" in \
		*":$(prefix)/lib:"*) echo "         $(prefix)/lib is in the loader's path: run ldconfig (as root) once";; \
		*) echo "         $(prefix)/lib is not in the loader's path: CMake targets carry an RPATH; otherwise link"; \
		   echo "         with -Wl,-rpath,$(prefix)/lib, or set LD_LIBRARY_PATH=$(prefix)/lib, or add it to"; \
		   echo "         /etc/ld.so.conf.d/ and run ldconfig";; \
	esac

clean:
	rm -rf build bin
