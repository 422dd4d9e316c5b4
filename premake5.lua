-- premake5.lua - the one build description of zcpack.
--
--   premake5 gmake                       (premake 5, when installed)
--   premake4 --file=premake5.lua gmake   (Debian's premake 4.3)
--   make -C build config=debug|release|sanitize
--
-- Programs and libraries land in bin/<config>/, generated makefiles and objects
-- under build/. The top-level Makefile drives all of this.

if _PREMAKE_VERSION:sub(1, 1) == "4" then
    -- premake 4.3 has none of the premake 5 calls used below: express them in its terms.
    workspace = solution
    removefiles = excludes

    -- "configurations:release" -> "release"; premake 4 keywords are plain patterns.
    function filter(terms)
        local keywords = {}
        for _, term in ipairs(type(terms) == "table" and terms or { terms }) do
            table.insert(keywords, (term:gsub("^%w+:", "")))
        end
        configuration(keywords)
    end

    -- premake 4 compiles C++ files with the C flags too: the dialect goes to C files
    -- only ($< is the source the make rule compiles).
    function cdialect(dialect) buildoptions { "$(if $(filter %.c,$<),-std=" .. dialect:lower() .. ")" } end
    function symbols(value) if value == "On" then flags { "Symbols" } end end
    function optimize(value)
        local flag = ({ On = "Optimize", Speed = "OptimizeSpeed", Size = "OptimizeSize" })[value]
        if flag then flags { flag } end
    end
    function warnings(value) if value == "Extra" then buildoptions { "-Wall", "-Wextra" } end end
    function pic(value) if value == "On" then buildoptions { "-fPIC" } end end

    -- premake 5 links sibling libraries by path; premake 4 passes -l<name>, and
    -- -lzcpack would pick bin/<config>/libzcpack.so over libzcpack.a.
    function premake.gcc.getlinkflags(cfg)
        local result = premake.getlinks(cfg, "siblings", "fullpath")
        for _, name in ipairs(premake.getlinks(cfg, "system", "basename")) do
            table.insert(result, "-l" .. name)
        end
        return result
    end
end

-- editor: release flags plus ZC_EDITOR, the hot reload API (zc_live_* in zc_live.h);
-- sanitize defines ZC_EDITOR too, so the reload suite also runs under ASan+UBSan.
-- release is the shipping build and carries none of it.
local configs = { "debug", "release", "sanitize", "editor" }
local sanitize_flags = {
    "-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=all",
}

-- Soname major version, read from the public header so the two never disagree.
local header = assert(io.open("runtime/include/zc_pack.h"))
local version_major = header:read("*a"):match("#define ZC_VERSION_MAJOR (%d+)")
header:close()

-- System libraries. The runtime links zstd (compressed entries), libuv (asynchronous
-- prefetch), libsodium (signed packs: BLAKE2b and Ed25519), libm (animation sampling) and pthreads (xxhash is
-- compiled in from its header); the packer side uses the libraries of DESIGN.md
-- section 3 and OpenEXRCore (.exr sources), linked with --as-needed, so unused ones
-- cost nothing. assimp (models) and libcurl (the build cache's shared server) are not
-- linked: the packer loads each with dlopen the first time it needs it
-- (zc_model_assimp.c, zc_build_cache_remote.c), so a process that imports no model
-- and names no server does not pay for mapping them; programs that call assimp
-- themselves (the tests' and benchmarks' comparisons) link it as an extra library.
local runtime_links = { "zstd", "uv", "sodium", "m", "pthread" }
local packer_links = { "cjson", "zstd", "uv", "sodium", "meshoptimizer", "xxhash", "astcenc", "OpenEXR-3_1", "Iex-3_1", "Imath-3_1",
                      "IlmThread-3_1", "OpenEXRCore-3_1", "webp", "stdc++", "dl", "m", "pthread" }

-- Include directories per project, so that a back-edge of the dependency rule
-- (DESIGN.md section 2) fails to compile: formats/ includes nothing outside itself;
-- the runtime sees formats/ and its own headers; the packer and the programs see
-- formats/, the runtime's public headers (runtime/include/) and the packer's folders,
-- never the runtime's private headers (runtime/*.h).
local runtime_includes = { "formats", "runtime/include", "runtime" }
local packer_includes = { "formats", "runtime/include", "packer/types", "packer/build", "packer/import", "packer/import/texture",
                          "packer/import/model", "packer/schema" }

-- Outputs of the current project: bin/<config>/ and build/obj/<config>/<project>/.
local function outputs(name)
    for _, cfg in ipairs(configs) do
        filter("configurations:" .. cfg)
            targetdir("bin/" .. cfg)
            objdir("build/obj/" .. cfg .. "/" .. name)
    end
    filter {}
end

-- A program that uses the packer library and the runtime (static libraries first,
-- in dependency order, for GNU ld). Skipped while its sources do not exist yet.
local function program(name, sources, extra_links, extra_includes)
    if #os.matchfiles(sources[1]) == 0 then
        io.stderr:write("premake5.lua: no sources match " .. sources[1] .. ": project " .. name .. " skipped\n")
        return
    end
    project(name)
        kind "ConsoleApp"
        files(sources)
        includedirs(packer_includes)
        includedirs(extra_includes or {})
        links { "zcpacker", "zcpack_static" }
        links(extra_links or {})
        links(packer_links)
        linkoptions { "-Wl,--as-needed" }
        outputs(name)
end

workspace "zcpack"
    configurations(configs)
    location "build"
    language "C"
    cdialect "C11"
    warnings "Extra"
    defines { "_POSIX_C_SOURCE=200809L" }

    filter "configurations:debug"
        symbols "On"
    filter "configurations:release"
        optimize "Speed"
        defines { "NDEBUG" }
    filter "configurations:sanitize"
        symbols "On"
        defines { "ZC_EDITOR" }
        buildoptions { "-O1" }
        buildoptions(sanitize_flags)
        linkoptions(sanitize_flags)
    filter "configurations:editor"
        optimize "Speed"
        defines { "NDEBUG", "ZC_EDITOR" }
    filter {}

project "zcpack_static"
    kind "StaticLib"
    targetname "zcpack"
    includedirs(runtime_includes)
    files { "runtime/*.c" }
    removefiles { "runtime/os_win32.c" }
    outputs("zcpack_static")

project "zcpack_shared"
    kind "SharedLib"
    targetname "zcpack"
    pic "On"
    includedirs(runtime_includes)
    files { "runtime/*.c" }
    removefiles { "runtime/os_win32.c" }
    links(runtime_links)
    -- Exports: the zc_ API only (runtime/libzcpack.map hides the zc__ internals).
    linkoptions { "-Wl,-soname,libzcpack.so." .. version_major, "-Wl,--no-undefined",
                  "-Wl,--version-script=" .. path.getabsolute("runtime/libzcpack.map") }
    outputs("zcpack_shared")

project "zcpacker"
    kind "StaticLib"
    files { "packer/types/*.c", "packer/build/*.c", "packer/import/*.c", "packer/import/texture/*.c", "packer/import/model/*.c",
            "packer/import/texture/*.cpp", "packer/schema/*.c" }
    includedirs(packer_includes)
    includedirs { "/usr/include/OpenEXR", "/usr/include/Imath" } -- zc_exr_decode.cpp, the one C++ file
    outputs("zcpacker")

-- The zcpack program's OpenEXR reader, a module it loads the first time a file is an
-- EXR (packer/cli/zc_cli_exr.c): OpenEXR's libraries would otherwise take half of every
-- start of the program. Its own copies of the reader's inline helpers, no undefined
-- symbol, and its calls bound inside it (-Bsymbolic: the program defines the same names).
project "zcpack_exr"
    kind "SharedLib"
    targetprefix ""
    targetname "zcpack_exr"
    pic "On"
    files { "packer/import/texture/zc_exr_read.c", "packer/import/texture/zc_exr_decode.cpp" }
    includedirs(packer_includes)
    includedirs { "/usr/include/OpenEXR", "/usr/include/Imath" }
    links { "OpenEXR-3_1", "Iex-3_1", "Imath-3_1", "IlmThread-3_1", "OpenEXRCore-3_1", "stdc++", "m", "pthread" }
    linkoptions { "-Wl,--no-undefined", "-Wl,-Bsymbolic" }
    outputs("zcpack_exr")

program("zcpack", { "packer/cli/*.c" })
-- zcpack keeps its symbol table in release (not debug information: premake links release
-- with -s, and the later -Wl,-S keeps the symbols, dropping only what -g would add), so a
-- profiler names its functions: bench_build profiles `zcpack build` with perf and tells
-- the encoders compiled into it from the rest by name. About 70 KiB of the binary.
    filter "configurations:release"
        linkoptions { "-Wl,-S" }
    filter {}
-- The fuzz targets' shared walk (tests/fuzz/zc_fuzz_walk.h) is compiled in too: the replay
-- suite (tests/test_fuzz_replay.c) runs the fuzz inputs, and the hostile packs of
-- zc_fuzz_hostile.c, through it in the ordinary build.
-- The tests also reach the runtime's OS layer (zc_os.h: fault injection, the io_faults and
-- runtime_os suites), so they see the runtime's private headers too. The CLI's sources are
-- compiled in without their main (ZC_CLI_NO_MAIN), so a test can run a command in-process
-- with the runtime's system calls patched (tests/test_mapped.c: a pack truncated while mapped).
program("zcpack_tests", { "tests/*.c", "tests/fuzz/zc_fuzz_walk.c", "tests/fuzz/zc_fuzz_reply.c", "tests/fuzz/zc_fuzz_hostile.c",
                          "tests/fuzz/zc_fuzz_schema.c",
                          "packer/cli/*.c" },
        { "criterion", "assimp" }, { "runtime", "packer/cli" }) -- packer/cli: zc_exit.h, the program's own exit codes
    defines { "ZC_CLI_NO_MAIN" }
    -- The program's own calls to malloc & co. go through tests/zc_test_alloc_wrap.c,
    -- which can make them fail on demand (the alloc_faults suite); shared libraries
    -- keep the real functions.
    linkoptions { "-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=strdup,--wrap=strndup,"
                  .. "--wrap=aligned_alloc,--wrap=posix_memalign" }

-- The viewer sample: packs through the runtime's public API, --import through the
-- packer library (stb is header-only; the sample compiles its PNG writer privately).
program("viewer", { "samples/viewer/*.c" })

-- The hot reload sample: an editor-style loop printing each new generation's changes
-- (a useful program in the editor configuration only; elsewhere it says so and exits).
program("hotreload", { "samples/hotreload/*.c" })

-- The streaming sample: an entry handed to callback-driven "decoder" code through
-- zc_stream_io.h (stdio/ogg-style callbacks), as an audio library would read it.
program("stream_audio", { "samples/stream_audio/*.c" })

-- One program per tools/bench/bench_<name>.c, with its parts bench_<name>_*.c; the other
-- .c files there are shared helpers compiled into each.
local bench_helpers, bench_names = {}, {}
for _, source in ipairs(os.matchfiles("tools/bench/*.c")) do
    if not path.getname(source):find("^bench_") then
        table.insert(bench_helpers, source)
    else
        bench_names[path.getbasename(source)] = true
    end
end
local function bench_part_of(name) -- the program whose part `name` is, or nil
    for other in pairs(bench_names) do
        if name:sub(1, #other + 1) == other .. "_" then return other end
    end
    return nil
end
for _, source in ipairs(os.matchfiles("tools/bench/bench_*.c")) do
    local name = path.getbasename(source)
    if not bench_part_of(name) then
        local sources = { source }
        for _, part in ipairs(os.matchfiles("tools/bench/" .. name .. "_*.c")) do table.insert(sources, part) end
        for _, helper in ipairs(bench_helpers) do table.insert(sources, helper) end
        program(name, sources, { "assimp" }) -- bench_scene's and bench_build's traditional loads
        if name == "bench_build" then -- profiles itself too, by function name, as zcpack
            filter "configurations:release"
                linkoptions { "-Wl,-S" }
            filter {}
        end
    end
end
