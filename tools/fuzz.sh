#!/bin/sh
# fuzz.sh - build the libFuzzer targets of tests/fuzz/ and run each for a while.
#
#   tools/fuzz.sh [target...]       targets are fuzz_pack, fuzz_toc, ... (default: every
#                                   tests/fuzz/fuzz_*.c, one after the other)
#
# Environment (all optional):
#   FUZZ_SECONDS=60        seconds per target (libFuzzer -max_total_time)
#   FUZZ_MAX_LEN=65536     largest input in bytes (-max_len); packs are small
#   FUZZ_BUILD_ONLY=1      build bin/fuzz/ and the corpora, run nothing
#   FUZZ_ARGS="..."        more libFuzzer options for every target
#   ZCPACK=bin/release/zcpack   the packer that builds the seed packs
#
# Build: clang with -fsanitize=fuzzer,address,undefined, the runtime, the packer and
# tests/fuzz/zc_fuzz_*.c compiled once into build/fuzz/obj/ with
# FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION (the runtime then skips its hash checks,
# see runtime/zc_pack_internal.h), one program per target in bin/fuzz/. Corpora: real packs,
# images and models (tests/fuzz/make_corpus.sh) in build/fuzz/corpus/<target>/, plus
# the committed seeds of tests/fuzz/seeds/<target>/ (read, never written).
#
# Findings: libFuzzer writes crash-*, leak-*, timeout-* and oom-* files to
# build/fuzz/artifacts/<target>/. Each one is copied to tests/fuzz/regressions/<target>/
# with a message, and `make test` replays that folder (tests/test_fuzz_replay.c) until
# the bug is fixed and beyond. fuzz_model is the exception for assimp's own bugs: it
# runs in libFuzzer's fork mode, which keeps fuzzing after a crash, and every finding
# whose first stack frame outside the sanitizer runtime and the C/C++ libraries lies in
# libassimp is assimp's (production imports run isolated for that reason): it goes to
# build/fuzz/assimp/ and is counted, not kept (tests/fuzz/README.md).
#
# Prints one line per target with executions, coverage (cov: and ft: of libFuzzer's
# last status line) and time. Exit status: 0 when no target found anything of ours,
# 1 when some input was kept under tests/fuzz/regressions/, 2 on a build error.
set -eu

cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
max_len=${FUZZ_MAX_LEN:-65536}
zcpack=${ZCPACK:-bin/release/zcpack}
cc=${CC_FUZZ:-clang}

out=build/fuzz
obj=$out/obj
bin=bin/fuzz
mkdir -p "$obj" "$bin" "$out/corpus" "$out/artifacts" "$out/logs" "$out/assimp" "$out/replay"

cflags="-std=c11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra
-fsanitize=address,undefined -fno-sanitize-recover=all
-D_POSIX_C_SOURCE=200809L -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
-Iformats -Iruntime/include -Iruntime -Ipacker/types -Ipacker/build -Ipacker/import -Ipacker/import/texture
-Ipacker/import/model -Ipacker/schema -Itests/fuzz"
libs="-lzstd -lxxhash -lsodium -luv -lcjson -lassimp -lmeshoptimizer -lastcenc -lOpenEXR-3_1 -lIex-3_1 -lImath-3_1
-lIlmThread-3_1 -lOpenEXRCore-3_1 -lwebp -lstdc++ -ldl -lm -lpthread"
# The packer's one C++ file (OpenEXR's C++ decoder, for DWA-compressed images); without
# -fsanitize=vptr, which needs the C++ UBSan runtime that a C link leaves out.
cxx=${CXX_FUZZ:-clang++}
cxxflags="-std=c++17 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=all
-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -Iformats -Iruntime/include -Iruntime -Ipacker/types -Ipacker/build
-Ipacker/import -Ipacker/import/texture -Ipacker/schema -isystem /usr/include/OpenEXR -isystem /usr/include/Imath"

# ---------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------

sources=$(ls runtime/*.c packer/types/*.c packer/build/*.c packer/import/*.c packer/import/texture/*.c packer/import/texture/*.cpp \
              packer/import/model/*.c packer/schema/*.c \
              tests/fuzz/zc_fuzz_walk.c tests/fuzz/zc_fuzz_reply.c tests/fuzz/zc_fuzz_hostile.c tests/fuzz/zc_fuzz_schema.c |
              grep -v -e '^runtime/os_win32\.c$')
headers=$(ls formats/*.h runtime/*.h runtime/include/*.h packer/types/*.h packer/build/*.h packer/import/*.h packer/import/texture/*.h \
              packer/import/model/*.h packer/schema/*.h tests/fuzz/*.h)

# An object is rebuilt when its source, any header or this script is newer (the
# whole tree's headers: simple, and a full rebuild takes about a minute).
newest_header=$(ls -t $headers tools/fuzz.sh | head -n 1)
stale=""
for source in $sources; do
    object=$obj/$(basename "${source%.c*}").o
    if [ ! -f "$object" ] || [ "$source" -nt "$object" ] || [ "$newest_header" -nt "$object" ]; then
        stale="$stale $source"
    fi
done
if [ -n "$stale" ]; then
    echo "fuzz: compiling $(echo $stale | wc -w) files with $cc"
    # In batches of one compiler per processor; a failed file loses its object.
    jobs_max=$(nproc 2>/dev/null || echo 2)
    pids=""
    failed=0
    for source in $stale; do
        object=$obj/$(basename "${source%.c*}").o
        compile="$cc $cflags"
        case "$source" in *.cpp) compile="$cxx $cxxflags" ;; esac
        # shellcheck disable=SC2086
        { $compile -fsanitize=fuzzer-no-link -c "$source" -o "$object" || { rm -f "$object"; exit 1; }; } &
        pids="$pids $!"
        if [ "$(echo $pids | wc -w)" -ge "$jobs_max" ]; then
            for pid in $pids; do wait "$pid" || failed=1; done
            pids=""
        fi
    done
    for pid in $pids; do wait "$pid" || failed=1; done
    if [ "$failed" != 0 ]; then
        echo "fuzz: build failed" >&2
        exit 2
    fi
    rm -f "$out/libzcfuzz.a"
fi
if [ ! -f "$out/libzcfuzz.a" ]; then
    ar rcs "$out/libzcfuzz.a" $(for s in $sources; do echo "$obj/$(basename "${s%.c*}").o"; done)
fi

all_targets=$(ls tests/fuzz/fuzz_*.c | sed 's|.*/\(fuzz_[a-z_]*\)\.c|\1|')
targets=${*:-$all_targets}
for t in $targets; do
    if [ ! -f "tests/fuzz/$t.c" ]; then
        echo "fuzz: no target $t (tests/fuzz/$t.c)" >&2
        exit 2
    fi
    if [ ! -x "$bin/$t" ] || [ "tests/fuzz/$t.c" -nt "$bin/$t" ] || [ "$out/libzcfuzz.a" -nt "$bin/$t" ]; then
        # shellcheck disable=SC2086
        $cc $cflags -fsanitize=fuzzer "tests/fuzz/$t.c" "$out/libzcfuzz.a" $libs -o "$bin/$t" || exit 2
    fi
done
# The seed generator: the same objects, a main of its own instead of libFuzzer's.
if [ ! -x "$bin/zc_fuzz_seeds" ] || [ tests/fuzz/zc_fuzz_seeds.c -nt "$bin/zc_fuzz_seeds" ] ||
   [ "$out/libzcfuzz.a" -nt "$bin/zc_fuzz_seeds" ]; then
    # shellcheck disable=SC2086
    $cc $cflags -fsanitize=fuzzer-no-link tests/fuzz/zc_fuzz_seeds.c "$out/libzcfuzz.a" $libs \
        -o "$bin/zc_fuzz_seeds" || exit 2
fi

# ---------------------------------------------------------------------------------
# Corpora
# ---------------------------------------------------------------------------------

if [ ! -f "$out/corpus/.made" ] || [ tests/fuzz/make_corpus.sh -nt "$out/corpus/.made" ]; then
    if [ ! -x "$zcpack" ]; then
        echo "fuzz: $zcpack is missing (make release first): seed packs not built" >&2
    else
        tests/fuzz/make_corpus.sh "$out/corpus" "$zcpack" "$bin/zc_fuzz_seeds"
        touch "$out/corpus/.made"
    fi
fi

[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0

# ---------------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------------

dict_for() {
    case "$1" in
        fuzz_image) echo tests/fuzz/image.dict ;;
        fuzz_model) echo tests/fuzz/model.dict ;;
        fuzz_model_reply) echo tests/fuzz/model_reply.dict ;;
        *) echo tests/fuzz/pack.dict ;;
    esac
}

# "assimp" when every stack of a finding's report (the crash, or each leak) starts,
# below the sanitizer runtime, the allocator, libc, libstdc++ and libgcc, in
# libassimp; "ours" otherwise (also when no frame is left to judge by, in which case
# a crash or hang is checked once more with assimp alone, see below).
classify() {
    grep -E '^ *#[0-9]+ 0x' "$1" | awk '
        /^ *#0 / { if (judging) verdict = verdict "?"; judging = 1 }
        !judging { next }
        /libclang_rt|compiler-rt|\/libc\.so|libstdc\+\+|libgcc_s/ { next }
        /__asan|__sanitizer|__interceptor|__ubsan|fuzzer::|LLVMFuzzerTestOneInput/ { next }
        !/ in / && /bin\/fuzz\// { next } # unnamed: the sanitizer runtime inside the program
        / (nptl|stdlib|string|csu|libio|io|misc|malloc|signal|sysdeps)\// { next }
        / in (malloc|calloc|realloc|free|posix_memalign|aligned_alloc|memalign|strdup)[ (]/ { next }
        / in (operator new|operator delete|abort|raise)[ (]/ { next }
        { verdict = verdict (/libassimp/ ? "a" : "o"); judging = 0 }
        END { if (judging) verdict = verdict "?"; print (verdict != "" && verdict !~ /[o?]/) ? "assimp" : "ours" }'
}

# fuzz_model's temporary model files: one folder for this run, removed at its end
# with whatever crashed or stopped runs left in it.
scratch=$(mktemp -d /dev/shm/zc-fuzz-run-XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM
export ZC_FUZZ_TMPDIR="$scratch"

status=0
summary=""
for t in $targets; do
    corpus=$out/corpus/$t
    seeds=tests/fuzz/seeds/$t
    artifacts=$out/artifacts/$t
    log=$out/logs/$t.log
    mkdir -p "$corpus" "$seeds" "$artifacts"
    extra=""
    if [ "$t" = fuzz_model ]; then
        # assimp crashes and hangs on some inputs by itself: keep fuzzing after them.
        extra="-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -timeout=10"
        lsan="suppressions=tests/fuzz/assimp.supp"
    else
        lsan=""
    fi
    echo "fuzz: $t for ${seconds}s (log: $log)"
    start=$(date +%s)
    # shellcheck disable=SC2086
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
    LSAN_OPTIONS=${LSAN_OPTIONS:-$lsan} \
        "$bin/$t" -max_total_time="$seconds" -max_len="$max_len" -dict="$(dict_for "$t")" \
        -artifact_prefix="$artifacts/" -print_final_stats=1 -rss_limit_mb=2048 -timeout=25 \
        $extra ${FUZZ_ARGS:-} "$corpus" "$seeds" >"$log" 2>&1 || true
    elapsed=$(( $(date +%s) - start ))
    line=$(grep -E '(^#[0-9]+.*cov: )' "$log" | tail -n 1)
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | tail -n 1 | sed 's/.*: *//')
    [ -n "$execs" ] || execs=$(echo "$line" | sed -n 's/^#\([0-9]*\).*/\1/p')
    cov=$(echo "$line" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$line" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    corp=$(ls "$corpus" | wc -l)
    kept=0
    known=0
    for finding in "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-*; do
        [ -f "$finding" ] || continue
        name=$(basename "$finding")
        if [ "$t" = fuzz_model ]; then
            report=$out/logs/$t-$name.txt
            # Full stacks through assimp (built without frame pointers) for the verdict. A
            # hang's report sometimes lacks the stack (the alarm lands in the runtime):
            # such a replay is tried up to three times.
            verdict=ours
            for attempt in 1 2 3; do
                ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:malloc_context_size=40 \
                    "$bin/$t" -runs=1 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$out/replay/" \
                    "$finding" >"$report" 2>&1 || true
                verdict=$(classify "$report")
                grep -q -E '^ *#[0-9]+ 0x' "$report" && break
            done
            # A hang or crash the stacks do not pin on assimp: does assimp alone, on
            # the same file with the same flags, hang or crash too?
            if [ "$verdict" = ours ] && [ "${name#leak-}" = "$name" ]; then
                ASAN_OPTIONS=detect_leaks=0:exitcode=86 timeout 20 "$bin/zc_fuzz_seeds" assimp "$finding" \
                    >>"$report" 2>&1 && alone=0 || alone=$?
                if [ "$alone" = 86 ] || [ "$alone" = 124 ] || [ "$alone" -ge 128 ]; then
                    verdict=assimp
                    echo "fuzz: assimp alone fails on it too (status $alone)" >>"$report"
                fi
            fi
            if [ "$verdict" = assimp ]; then
                mv "$finding" "$out/assimp/$name"
                known=$((known + 1))
                continue
            fi
        fi
        mkdir -p "tests/fuzz/regressions/$t"
        mv "$finding" "tests/fuzz/regressions/$t/$name"
        echo "fuzz: $t: NEW FINDING kept as tests/fuzz/regressions/$t/$name" \
             "(reproduce: $bin/$t tests/fuzz/regressions/$t/$name)"
        kept=$((kept + 1))
        status=1
    done
    result="$t: ${execs:-?} execs, cov ${cov:-?}, ft ${ft:-?}, corpus $corp, ${elapsed}s, kept $kept"
    [ "$t" = fuzz_model ] && result="$result, assimp-internal $known (build/fuzz/assimp/)"
    echo "fuzz: $result"
    summary="$summary$result
"
done
printf '\nfuzz summary (FUZZ_SECONDS=%s):\n%s' "$seconds" "$summary"
exit $status
