// bench_schema.cpp - zcpack's schema types against FlatBuffers and Cap'n Proto, each
// with its own generated code, in one run (issue 16, "Measured against the peers").
//
// Data: the log, mesh and minecraft_savedata data sets of the Rust serialization
// benchmark, generated from a fixed seed (bench_schema_data.cpp), the same values for
// every format. Schemas: tools/bench/schema/*.zcs, *.fbs, *.capnp. Figures, per data
// set and format, each the median [p10..p90] of repetitions that interleave the
// formats:
//   access     root -> vector -> element n/2 -> one field, from the bytes;
//              the sum of that field over every element
//   validate   the whole buffer: the generated <Root>_validate, flatbuffers::Verifier,
//              Cap'n Proto's totalSize() traversal under a traversal limit
//   serialize  from in-memory data into a reused buffer (zcpack: the packer
//              library's builder through the generated typed functions, one builder
//              reset between runs; bench_schema_zcs.cpp)
//   size       bytes, and bytes after zstd
// Before timing, every format's bytes must pass its validator and give the same
// values (element n/2's field, the sum, a digest of most fields), and zcpack's bytes
// must equal those `zcpack schema --encode` writes for the same data as JSON:
// otherwise the program exits 1 naming the format and the data set. Timings never
// fail it.
//
// Usage: bench_schema [--quick]   (--quick: 3 repetitions, for a correctness run)
// Output: a report on stdout, build/bench/bench_schema.md and bench_schema.glance.
// Built and run by `make bench` through tools/bench/schema/build.sh.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include <zstd.h>

#include "bench_schema_data.h"

extern "C" {
#include "zc_bench_util.h"
}

namespace {

using namespace bench_data;

enum { ZCS, FLATBUFFERS, CAPNP, CODECS };
const char *const codec_names[CODECS] = { "zcpack", "FlatBuffers", "Cap'n Proto" };

enum { F_ONE, F_SUM, F_VALIDATE, F_SERIALIZE, FIGURES };

const char *const set_names[SET_COUNT] = { "log", "mesh", "minecraft_savedata" };

// Bytes aligned to 8, as every reader wants them.
struct Bytes {
    std::vector<uint64_t> words;
    size_t size = 0;
    const uint8_t *data() const { return (const uint8_t *)words.data(); }
};

Bytes aligned_copy(const std::vector<uint8_t> &v) {
    Bytes b;
    b.words.assign(v.size() / 8 + 1, 0);
    memcpy(b.words.data(), v.data(), v.size());
    b.size = v.size();
    return b;
}

volatile double sink;

// CPU time of this thread in nanoseconds: on a machine shared with other work, time
// spent descheduled does not count against whichever format was running.
uint64_t thread_cpu_ns() {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

// CPU nanoseconds per call of figure `f` of codec `c` on set `s`, over `iters` calls.
double time_calls(Codec *c, int f, Set s, const Data &data, const Bytes &b, uint64_t iters) {
    double acc = 0;
    uint64_t start = thread_cpu_ns();
    for (uint64_t i = 0; i < iters; ++i) {
        switch (f) {
        case F_ONE: acc += c->one(s, b.data(), b.size); break;
        case F_SUM: acc += c->sum(s, b.data(), b.size); break;
        case F_VALIDATE: acc += c->validate(s, b.data(), b.size); break;
        default: c->serialize(s, data); break;
        }
    }
    uint64_t end = thread_cpu_ns();
    sink = acc;
    return (double)(end - start) / (double)iters;
}

// CPU nanoseconds per call of the log walk (zcs_log_walk, the validate figure's floor),
// called through a pointer as the codecs are through their virtual functions.
bool (*volatile log_walk)(const uint8_t *, size_t) = zcs_log_walk;
double time_walk(const Bytes &b, uint64_t iters) {
    double acc = 0;
    uint64_t start = thread_cpu_ns();
    for (uint64_t i = 0; i < iters; ++i) acc += log_walk(b.data(), b.size);
    uint64_t end = thread_cpu_ns();
    sink = acc;
    return (double)(end - start) / (double)iters;
}

// Calls per timed batch: doubled until a batch takes at least `target_ns`.
uint64_t calibrate(Codec *c, int f, Set s, const Data &data, const Bytes &b, double target_ns) {
    uint64_t iters = 1;
    while (iters < (1u << 24) && time_calls(c, f, s, data, b, iters) * (double)iters < target_ns) iters *= 2;
    return iters;
}

std::string describe(const Expect &e) {
    char buf[256];
    snprintf(buf, sizeof buf, "one %.17g, sum %.17g, digest %llu / %.17g", e.one, e.sum,
             (unsigned long long)e.digest_u, e.digest_f);
    return buf;
}

double load_average() {
    double load = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &load) != 1) load = -1;
        fclose(f);
    }
    return load;
}

const char *const schema_files[SET_COUNT] = { "log", "mesh", "minecraft" };

// zcpack's serialized bytes must be what `zcpack schema --encode` makes of the same
// data written as JSON (the layout of SPEC.md 16.3 as zcpack's own writer places it).
void check_against_encoder(Set set, const Data &data, const Bytes &b) {
    const char *dir = "build/bench_schema";
    std::string json = std::string(dir) + "/" + set_names[set] + ".json";
    std::string bin = std::string(dir) + "/" + set_names[set] + ".bin";
    std::string doc = zcs_json_document(set, data);
    if (zc_bench_mkdirs(dir) != 0 || zc_bench_write_file(json.c_str(), doc.data(), doc.size()) != 0)
        zc_bench_fatal("cannot write %s", json.c_str());
    std::string command = std::string("bin/release/zcpack schema tools/bench/schema/") + schema_files[set] +
                          ".zcs --encode " + json + " -o " + bin;
    if (system(command.c_str()) != 0) zc_bench_fatal("%s failed (run from the repository root)", command.c_str());
    size_t size = 0;
    uint8_t *encoded = zc_bench_read_file(bin.c_str(), &size);
    if (!encoded) zc_bench_fatal("cannot read %s", bin.c_str());
    size_t at = 0;
    while (at < size && at < b.size && encoded[at] == b.data()[at]) ++at;
    if (size != b.size || at != size)
        zc_bench_fatal("%s: zcpack's serialized bytes (%zu) differ from `zcpack schema --encode` (%zu bytes) at "
                       "byte %zu", set_names[set], b.size, size, at);
    free(encoded);
}

struct SetResult {
    size_t size[CODECS], zstd_size[CODECS];
    zc_bench_spread spread[FIGURES][CODECS];
    zc_bench_spread walk;  // log only: the validate figure's floor
};

void format_cell(const zc_bench_spread &s, char *buf, size_t size) { zc_bench_format_spread(&s, buf, size); }

// "0.85x" (zcpack's time or size over the peer's), "-" when there is nothing to divide.
std::string ratio_text(double zcs, double peer) {
    char buf[32];
    if (peer <= 0) return "-";
    zc_bench_format_ratio(zcs / peer, buf, sizeof buf);
    return buf;
}

}  // namespace

int main(int argc, char **argv) {
    bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    if (argc > 2 || (argc == 2 && !quick)) {
        fprintf(stderr, "usage: bench_schema [--quick]\n");
        return 2;
    }
    const int reps = quick ? 3 : 41;
    const double target_ns = quick ? 1e6 : 5e6;
    uint64_t started = zc_bench_now_ns();
    double load_start = load_average();
    zc_bench_other_work other_work;
    zc_bench_other_work_begin(&other_work);
    zc_bench_machine machine;
    zc_bench_machine_get(&machine);

    Data data;
    data.logs = make_logs(0x10651065u);
    data.mesh = make_mesh(0x3e5a3e5au);
    data.players = make_players(0x3c5a7e00u);

    std::unique_ptr<Codec> codecs[CODECS] = { std::unique_ptr<Codec>(make_zcs_codec()),
                                              std::unique_ptr<Codec>(make_flatbuffers_codec()),
                                              std::unique_ptr<Codec>(make_capnp_codec()) };
    SetResult results[SET_COUNT];
    Bytes bytes[SET_COUNT][CODECS];

    // Serialize, validate and check every value before timing anything.
    for (int s = 0; s < SET_COUNT; ++s) {
        Set set = (Set)s;
        Expect want = expect_of(set, data);
        for (int c = 0; c < CODECS; ++c) {
            codecs[c]->serialize(set, data);
            codecs[c]->output();  // sizes the codec's reused buffers
            codecs[c]->serialize(set, data);
            bytes[s][c] = aligned_copy(codecs[c]->output());
            const Bytes &b = bytes[s][c];
            if (!codecs[c]->validate(set, b.data(), b.size))
                zc_bench_fatal("%s: %s's validator refuses the %zu bytes its serializer wrote", set_names[s],
                               codec_names[c], b.size);
            Expect got;
            codecs[c]->digest(set, b.data(), b.size, got);
            if (!(got == want))
                zc_bench_fatal("%s: %s reads other values than the data holds:\n  expected %s\n  read     %s",
                               set_names[s], codec_names[c], describe(want).c_str(), describe(got).c_str());
            // The same bytes with their last 8 bytes cut off: every validator must refuse them.
            if (b.size > 16 && codecs[c]->validate(set, b.data(), b.size - 8))
                zc_bench_fatal("%s: %s's validator accepts a truncated buffer", set_names[s], codec_names[c]);
            if (c == ZCS) check_against_encoder(set, data, b);
            if (c == ZCS && set == LOG && (!zcs_log_walk(b.data(), b.size) || zcs_log_walk(b.data(), b.size - 8)))
                zc_bench_fatal("log: the walk of zcpack's bytes does not tell them from their truncation");
            results[s].size[c] = b.size;
            std::vector<uint8_t> z(ZSTD_compressBound(b.size));
            size_t zs = ZSTD_compress(z.data(), z.size(), b.data(), b.size, 3);
            if (ZSTD_isError(zs)) zc_bench_fatal("zstd: %s", ZSTD_getErrorName(zs));
            results[s].zstd_size[c] = zs;
        }
        printf("%s: the three formats agree (%s); zcpack's bytes are those of zcpack schema --encode\n",
               set_names[s], describe(want).c_str());
    }

    // Timing: per data set and figure, the formats interleaved in every repetition.
    for (int s = 0; s < SET_COUNT; ++s) {
        Set set = (Set)s;
        for (int f = 0; f < FIGURES; ++f) {
            uint64_t iters[CODECS], walk_iters = 1;
            std::vector<double> samples[CODECS], walk_samples;
            bool walk = set == LOG && f == F_VALIDATE;
            for (int c = 0; c < CODECS; ++c) iters[c] = calibrate(codecs[c].get(), f, set, data, bytes[s][c], target_ns);
            while (walk && walk_iters < (1u << 24) && time_walk(bytes[s][ZCS], walk_iters) * (double)walk_iters < target_ns)
                walk_iters *= 2;
            for (int r = 0; r < reps; ++r) {
                for (int c = 0; c < CODECS; ++c)
                    samples[c].push_back(time_calls(codecs[c].get(), f, set, data, bytes[s][c], iters[c]));
                if (walk) walk_samples.push_back(time_walk(bytes[s][ZCS], walk_iters));
            }
            for (int c = 0; c < CODECS; ++c)
                results[s].spread[f][c] = zc_bench_spread_of(samples[c].data(), samples[c].size());
            if (walk) results[s].walk = zc_bench_spread_of(walk_samples.data(), walk_samples.size());
        }
    }
    double load_end = load_average();
    double other = zc_bench_other_work_end(&other_work, machine.cores);

    // Report.
    const char *const figure_names[SET_COUNT][2] = {
        { "access: logs[5000].size", "access: sum of size, 10000 logs" },
        { "access: triangles[62500].normal.x", "access: sum of normal.x, 125000 triangles" },
        { "access: players[250].score", "access: sum of score, 500 players" },
    };
    const char *head[] = { "figure", "zcpack", "FlatBuffers", "Cap'n Proto", "zcpack / FlatBuffers",
                           "zcpack / Cap'n Proto", "goal" };
    zc_bench_table tables[SET_COUNT];
    zc_bench_md glance;
    zc_bench_md_init(&glance);
    for (int s = 0; s < SET_COUNT; ++s) {
        SetResult &res = results[s];
        zc_bench_table &t = tables[s];
        zc_bench_table_init(&t, 7, head);
        zc_bench_table_left(&t, 0);
        zc_bench_table_left(&t, 6);
        for (int f = 0; f < FIGURES; ++f) {
            int row = zc_bench_table_add_row(&t);
            const char *name = f < 2 ? figure_names[s][f] : f == F_VALIDATE ? "validate the whole buffer"
                                                                          : "serialize from in-memory data";
            zc_bench_table_set(&t, row, 0, "%s", name);
            for (int c = 0; c < CODECS; ++c) {
                char cell[ZC_BENCH_CELL_SIZE];
                format_cell(res.spread[f][c], cell, sizeof cell);
                zc_bench_table_set(&t, row, 1 + c, "%s", cell);
            }
            double z = res.spread[f][ZCS].median, fb = res.spread[f][FLATBUFFERS].median,
                   cp = res.spread[f][CAPNP].median;
            zc_bench_table_set(&t, row, 4, "%s", ratio_text(z, fb).c_str());
            zc_bench_table_set(&t, row, 5, "%s", ratio_text(z, cp).c_str());
            if (f <= F_SUM)
                zc_bench_table_set(&t, row, 6, "<= 1.2x of both: %s", z <= 1.2 * fb && z <= 1.2 * cp ? "met" : "not met");
            else if (f == F_VALIDATE)
                zc_bench_table_set(&t, row, 6, "FB <= 0.125x: %s; Cap'n Proto <= 1x: %s", z * 8 <= fb ? "met" : "no",
                                   z <= cp ? "met" : "no");
            else
                zc_bench_table_set(&t, row, 6, "<= 1.5x of the faster peer: %s (%s)",
                                   z <= 1.5 * (fb < cp ? fb : cp) ? "met" : "not met",
                                   ratio_text(z, fb < cp ? fb : cp).c_str());
            if (f == F_VALIDATE && s == LOG) {
                // The floor: what any validator of these bytes must at least do.
                row = zc_bench_table_add_row(&t);
                double w = res.walk.median;
                char cell[ZC_BENCH_CELL_SIZE];
                format_cell(res.walk, cell, sizeof cell);
                zc_bench_table_set(&t, row, 0, "validate: least walk of the bytes (floor)");
                zc_bench_table_set(&t, row, 1, "%s", cell);
                zc_bench_table_set(&t, row, 2, "-");
                zc_bench_table_set(&t, row, 3, "-");
                zc_bench_table_set(&t, row, 4, "%s", ratio_text(w, fb).c_str());
                zc_bench_table_set(&t, row, 5, "%s", ratio_text(w, cp).c_str());
                zc_bench_table_set(&t, row, 6, "validate %s it; FB <= 0.125x is %s it",
                                   ratio_text(z, w).c_str(), ratio_text(fb / 8, w).c_str());
            }
        }
        const char *size_names[2] = { "size (bytes)", "size after zstd -3 (bytes)" };
        for (int k = 0; k < 2; ++k) {
            int row = zc_bench_table_add_row(&t);
            const size_t *sz = k == 0 ? res.size : res.zstd_size;
            zc_bench_table_set(&t, row, 0, "%s", size_names[k]);
            for (int c = 0; c < CODECS; ++c) zc_bench_table_set(&t, row, 1 + c, "%zu", sz[c]);
            zc_bench_table_set(&t, row, 4, "%s", ratio_text((double)sz[ZCS], (double)sz[FLATBUFFERS]).c_str());
            zc_bench_table_set(&t, row, 5, "%s", ratio_text((double)sz[ZCS], (double)sz[CAPNP]).c_str());
            zc_bench_table_set(&t, row, 6, "reported");
        }
        const zc_bench_spread *sp = res.spread[F_SUM];
        zc_bench_glance_row(&glance, "bench_schema", figure_names[s][1], "FlatBuffers / Cap'n Proto, generated C++",
                            "%s / %s the time", ratio_text(sp[ZCS].median, sp[FLATBUFFERS].median).c_str(),
                            ratio_text(sp[ZCS].median, sp[CAPNP].median).c_str());
        sp = res.spread[F_VALIDATE];
        char figure[96];
        snprintf(figure, sizeof figure, "validate the whole %s buffer", set_names[s]);
        zc_bench_glance_row(&glance, "bench_schema", figure, "flatbuffers::Verifier / Cap'n Proto totalSize()",
                            "%s / %s the time", ratio_text(sp[ZCS].median, sp[FLATBUFFERS].median).c_str(),
                            ratio_text(sp[ZCS].median, sp[CAPNP].median).c_str());
        if (s == LOG)
            zc_bench_glance_row(&glance, "bench_schema", "validate the whole log buffer",
                                "the least walk of the same bytes (pointers and string ends in bounds, no UTF-8)",
                                "%s the time", ratio_text(sp[ZCS].median, res.walk.median).c_str());
        sp = res.spread[F_SERIALIZE];
        snprintf(figure, sizeof figure, "serialize %s from in-memory data (zc_schema_builder.h)", set_names[s]);
        zc_bench_glance_row(&glance, "bench_schema", figure, "FlatBufferBuilder / Cap'n Proto MallocMessageBuilder",
                            "%s / %s the time", ratio_text(sp[ZCS].median, sp[FLATBUFFERS].median).c_str(),
                            ratio_text(sp[ZCS].median, sp[CAPNP].median).c_str());
    }

    char load_text[320];
    if (other < 0)
        snprintf(load_text, sizeof load_text,
                 "1-minute load average %.2f at the start and %.2f at the end, on %ld logical cores (the CPU time "
                 "of other processes could not be read)", load_start, load_end, machine.cores);
    else
        snprintf(load_text, sizeof load_text,
                 "Other processes used %.1f %% of the machine's CPU time during the run (all processes' CPU time "
                 "from /proc/stat less this program's); 1-minute load average %.2f at the start and %.2f at the end, "
                 "on %ld logical cores", other * 100, load_start, load_end, machine.cores);
    bool loaded = other < 0 ? load_start > 0.5 || load_end > 0.5 : other > 0.05;
    const char *what =
        "The `log`, `mesh` and `minecraft_savedata` data sets of the Rust serialization benchmark "
        "(djkoloski/rust_serialization_benchmark, the one the rkyv book cites), with its shapes and counts and "
        "values drawn here from a fixed seed (tools/bench/schema/bench_schema_data.cpp), the same values for the "
        "three formats. `log`: 10000 records of an address (four u8), identity (\"-\"), userid (one of nine "
        "names), an Apache-style date, a request line of one to four path words, an HTTP code and a size below "
        "10^8. `mesh`: 125000 triangles of three vertices in [-1, 1]^3 and their unit normal, all f32. "
        "`minecraft_savedata`: 500 players with the benchmark's field list: game type and previous game type "
        "(an enum), score, dimension, selected item slot and item (count i8, slot u8, id string), an optional "
        "spawn dimension, spawn x/y/z, an optional spawn_forced bool, sleep timer, food and experience values, "
        "0 to 42 inventory items and 0 to 27 ender items, abilities (two f32, five bools), an optional nether "
        "position (three f64), an optional root vehicle (a UUID and an entity), optional left and right "
        "shoulder entities (id, position, motion, rotation, fall distance, fire, air, flags, portal cooldown, "
        "UUID, optional custom name, three flags), seen_credits and a recipe book (0 to 50 recipe ids, 0 to "
        "10 to display, eight flags). About half of the optional values are present (two thirds of spawn_forced).";
    const char *schemas =
        "Schemas: tools/bench/schema/{log,mesh,minecraft}.{zcs,fbs,capnp}, compiled by `zcpack schema`, "
        "flatc 2.0.8 (`--cpp`) and capnp 0.9.2 (`-oc++`); the bench is C++17 at -O3 like the release build "
        "(tools/bench/schema/build.sh). Records of scalars alone are FlatBuffers structs stored inline "
        "(Address, Vector3, Triangle, Abilities, Vec3d, Rotation, Uuid) and Cap'n Proto structs behind "
        "pointers (lists of structs inline). zcpack's schemas declare the same records `inline` (SPEC.md "
        "16.2: fixed layouts stored in place, without a pointer or a struct_size): mesh's triangles are one "
        "packed array of 48-byte values as in FlatBuffers, a log's Address is 4 bytes inside its Log record, "
        "a player's Abilities (16 bytes), Vec3d (24), Rotation (8) and Uuid (16) lie inside their Player, "
        "Entity and Vehicle records; Option<String> is an optional string in all three (zcpack's "
        "`?string`, SPEC.md 16.2).";
    const char *how =
        "Figures: time per call in CPU time of the bench's thread (time descheduled by other work "
        "does not count), median [p10..p90] of %d repetitions, each a batch of calls lasting at least "
        "%.0f ms; the three formats alternate within every repetition, and every call goes through a "
        "virtual function of the format's codec, the same few nanoseconds for the three. Access reads from "
        "the serialized bytes (FlatBuffers: GetRoot and accessors; Cap'n Proto: a FlatArrayMessageReader "
        "with default ReaderOptions, built per call, then getRoot; zcpack: <Root>_root and the generated "
        "accessors), after the bytes were validated once. Validate: zcpack's generated <Root>_validate "
        "(SPEC.md 16.8: bounds, alignment, struct sizes, enums, bools, UTF-8 of every string, depth and "
        "work budget); FlatBuffers' Verify<Root>Buffer with flatbuffers::Verifier (depth 64, table limit "
        "raised out of the way; bounds, alignment, vtables and string NULs, no UTF-8); Cap'n Proto: a "
        "FlatArrayMessageReader with a traversal limit of the message's size in words and nesting limit 64, "
        "then totalSize() of the root, which follows and bounds-checks every pointer (no text checks). "
        "Serialize: from the in-memory values (std::string, std::vector, std::optional) into a buffer "
        "reused across runs: FlatBufferBuilder after Clear(); Cap'n Proto's MallocMessageBuilder over a "
        "reused scratch segment large enough for the whole message (zeroed again by the builder; no copy "
        "into a flat array); zcpack: the packer library's builder (zc_schema_builder.h, libzcpacker.a) "
        "through the typed functions of the generated header (<Root>_start, S_set_f, S_start_f, "
        "T_start_in, V_put), one builder reused across runs with zc_builder_reset, as a tool writing many "
        "entries would, then zc_builder_finish (the bytes stay in the builder's buffer; no copy), "
        "with every string checked as UTF-8 without NUL, which the peers' builders do not check "
        "(bench_schema_zcs.cpp, zcs_serialize()). Sizes: the serialized bytes "
        "(Cap'n Proto: its flat array with the segment table), and after ZSTD_compress at level 3. "
        "Before timing, each format's bytes passed its validator, were refused with their last 8 bytes "
        "cut off, and gave the values of the in-memory data: element n/2's field, the sum, and a digest "
        "of most fields, strings and optional values; zcpack's bytes equal, byte for byte, what `zcpack "
        "schema --encode` makes of the same data written as JSON. Ratios are zcpack's median over the "
        "peer's (below 1: zcpack takes less time or fewer bytes). Goals of issue 16 are reported, never "
        "pass/fail.";
    const char *notes =
        "The floor row of `log` is the least any validator of zcpack's log bytes does "
        "(bench_schema_zcs.cpp, zcs_log_walk()): the root's array and every Log pointer followed and checked "
        "to lie in the buffer, every string's bytes and NUL checked to lie in it and the NUL read, in one "
        "loop written for this one schema; no UTF-8, struct_size, alignment, depth or budget check. A "
        "goal below it cannot be met by any validator of this layout. Its ratio columns are the walk's time "
        "over each peer's, and its goal column gives zcpack's validate time and the goal's (0.125x the "
        "verifier's) over the walk's. "
        "On `mesh`, both zcpack and FlatBuffers hold the triangles as a vector of inline structs, 48 "
        "bytes a triangle, which each validator checks by the vector's bounds and alignment alone, in "
        "constant time (an inline struct of floats has no value to check), so that validate ratio "
        "compares two bounds checks of a few nanoseconds. zcpack's serialize row is the packer library's "
        "builder as a program calls it: records appended, cleared and linked inline "
        "(zc_builder_struct), a bounds check on every store, and a UTF-8 check of every string; on "
        "`mesh` the triangles' array is reserved in one call without clearing it (Mesh_fill_triangles, "
        "offered for vectors of plain values without padding) and each triangle is written in place, "
        "as FlatBufferBuilder writes each 48-byte struct into the uninitialized vector it reserved.";
    char how_text[4096];
    snprintf(how_text, sizeof how_text, how, reps, target_ns / 1e6);

    printf("\n%s\n\n%s\n\n%s\n\n", what, schemas, how_text);
    for (int s = 0; s < SET_COUNT; ++s) {
        printf("%s:\n", set_names[s]);
        zc_bench_table_print(&tables[s], stdout, "  ");
        printf("\n");
    }
    printf("%s\n\nMachine: %s%s.\n", notes, load_text, loaded ? " (loaded by other work during the run)" : "");

    zc_bench_md md;
    zc_bench_md_init(&md);
    zc_bench_md_printf(&md, "## Schema types against FlatBuffers and Cap'n Proto (bench_schema)\n\n");
    zc_bench_md_machine(&md, &machine);
    zc_bench_md_printf(&md, "Produced by `make bench` (program `bench_schema`, built by tools/bench/schema/build.sh, "
                            "run from the repository root). %s%s.\n\n",
                       load_text, loaded ? ": the machine was shared with other work during the run, which widens "
                                           "the spreads; the formats alternate within each repetition, so the "
                                           "ratios stay comparable" : "");
    zc_bench_md_printf(&md, "%s\n\n%s\n\n%s\n\n", what, schemas, how_text);
    for (int s = 0; s < SET_COUNT; ++s) {
        zc_bench_md_printf(&md, "### %s\n\n", set_names[s]);
        zc_bench_md_table(&md, &tables[s]);
    }
    zc_bench_md_printf(&md, "%s\n", notes);
    const char *dir = "build/bench";
    zc_bench_mkdirs(dir);
    int failed = zc_bench_glance_save(&glance, dir, "bench_schema");
    if (zc_bench_md_save(&md, "build/bench/bench_schema.md") != 0) failed = 1;
    zc_bench_md_free(&md);
    printf("\nTotal time: %.1f s\n", (double)(zc_bench_now_ns() - started) / 1e9);
    return failed ? 1 : 0;
}
