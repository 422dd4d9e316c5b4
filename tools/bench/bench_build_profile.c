/* bench_build_profile.c - bench_build's CPU profile (bench_build_profile.h). */
#define _GNU_SOURCE
#include "bench_build_profile.h"
#include "zc_bench_util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

const char *const cat_names[CAT_COUNT] = {
    "stb_image decode",
    "BC/ASTC encoders (stb_dxt, bc7, bc6h, astcenc)",
    "assimp import",
    "meshoptimizer",
    "zstd",
    "XXH3 hashing",
    "libwebp / OpenEXR decode",
    "mip filtering (stb_image_resize, own halving)",
    "outside the encode/decode calls",
};

static int starts(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The library category of one frame, or -1. */
static int frame_category(const char *sym, const char *dso) {
    if (strstr(dso, "libassimp")) return CAT_ASSIMP;
    if (strstr(dso, "libmeshoptimizer") || starts(sym, "meshopt_")) return CAT_MESHOPT;
    if (strstr(dso, "libzstd") || starts(sym, "ZSTD_") || starts(sym, "HUF_") || starts(sym, "FSE_")) return CAT_ZSTD;
    if (strstr(dso, "libxxhash") || strcasestr(sym, "xxh3") || starts(sym, "XXH")) return CAT_XXH3;
    if (strstr(dso, "libastcenc") || starts(sym, "astcenc_")) return CAT_BLOCK_ENCODE;
    if (strstr(dso, "libwebp") || strstr(dso, "libOpenEXR") || strstr(dso, "libImath") || strstr(dso, "libIex") ||
        strstr(dso, "libIlmThread") || starts(sym, "WebP"))
        return CAT_OTHER_CODEC;
    if (starts(sym, "stbir") || starts(sym, "zc__texels_halve") || starts(sym, "zc__halve_stbir") ||
        starts(sym, "zc__texels_renormalize"))
        return CAT_MIP_FILTER;
    if (starts(sym, "stbi_write") || starts(sym, "stbiw")) return -1;
    if (starts(sym, "stbi_") || starts(sym, "stbi__")) return CAT_STB_DECODE;
    if (starts(sym, "stb_compress_") || starts(sym, "stb__") || starts(sym, "zc_bc7_encode") ||
        starts(sym, "zc__bc7") || starts(sym, "zc_bc6h_encode") || starts(sym, "zc__bc6h"))
        return CAT_BLOCK_ENCODE;
    return -1;
}



static void charge_outside(profile *p, const char *leaf, double weight) {
    for (size_t i = 0; i < p->top_count; ++i)
        if (strcmp(p->top[i].name, leaf) == 0) {
            p->top[i].weight += weight;
            return;
        }
    if (p->top_count == sizeof p->top / sizeof p->top[0]) return;
    snprintf(p->top[p->top_count].name, sizeof p->top[0].name, "%.95s", leaf);
    p->top[p->top_count++].weight = weight;
}

static int by_weight(const void *a, const void *b) {
    double x = ((const outside_sym *)a)->weight, y = ((const outside_sym *)b)->weight;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* 1 when `command` runs and exits with 0, its output thrown away. */
static int runs_ok(const char *command) {
    size_t size = strlen(command) + sizeof " >/dev/null 2>&1";
    char *cmd = (char *)malloc(size);
    if (!cmd) return 0;
    snprintf(cmd, size, "%s >/dev/null 2>&1", command);
    int ok = system(cmd) == 0;
    free(cmd);
    return ok;
}

/* 1 when `sym` starts a thread's stack: the stack was followed to its end (a kernel-only
 * sample's last frame is a kernel entry, which counts too). */
static int stack_root(const char *sym) {
    static const char *const roots[] = {"_start", "__libc_start_main", "__libc_start_call_main", "clone3",
                                        "__clone", "clone", "start_thread", "_dl_start_user", "_dl_start",
                                        "entry_SYSCALL_64", "ret_from_fork", "asm_"};
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; ++i)
        if (starts(sym, roots[i])) return 1;
    return 0;
}

/* 1 when `sym` is one of zcpack's own entry frames, above which no library frame can
 * lie: main, and a model import's entry and the worker's loop around it (assimp and
 * meshoptimizer are called under them). A stack followed to one of them is followed
 * far enough to charge its sample, whether or not perf gets past libc's start code. */
static int own_entry(const char *sym) {
    static const char *const entries[] = {"main", "zc__model_worker_serve", "zc_model_import_in_process_under"};
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; ++i)
        if (strcmp(sym, entries[i]) == 0 || (starts(sym, entries[i]) && sym[strlen(entries[i])] == '.')) return 1;
    return 0;
}

/* Parse one frame line of perf script: "\t<addr> <sym> (<dso>)". */
static void parse_frame(char *line, char *sym, size_t sym_size, char *dso, size_t dso_size) {
    char *s = line;
    while (*s == ' ' || *s == '\t') s++;
    while (*s && *s != ' ') s++; /* the address */
    while (*s == ' ') s++;
    char *open = strrchr(s, '(');
    char *close = open ? strrchr(open, ')') : NULL;
    if (open && close) {
        snprintf(dso, dso_size, "%.*s", (int)(close - open - 1) < 500 ? (int)(close - open - 1) : 500, open + 1);
        while (open > s && open[-1] == ' ') open--;
        *open = 0;
    } else {
        dso[0] = 0;
    }
    char *plus = strstr(s, "+0x");
    if (plus) *plus = 0;
    snprintf(sym, sym_size, "%.500s", s);
}

/* The profile's builds, in_process 0: PROFILE_BUILDS runs of `zcpack build` through
 * sh; 1: the same builds through zc_build in a child of this program whose model
 * workers are forked from it (bench_build --profile-child). */
void profile_build(const char *work, const char *mixed, uint32_t threads, int in_process, profile *p) {
    memset(p, 0, sizeof *p);
    char self[4096] = "";
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = 0;
    const char *program = in_process ? self : ZCPACK;
    if (!runs_ok("perf --version")) {
        snprintf(p->why_not, sizeof p->why_not, "perf is not installed");
        return;
    }
    if (!program[0] || access(program, X_OK) != 0) {
        snprintf(p->why_not, sizeof p->why_not, "%s is missing (make release builds it)", program);
        return;
    }
    char data[4300], cmd[20000], out[4300];
    PATH_PRINTF(cmd, "nm '%s' | grep -q ' zc_build$'", program);
    if (!runs_ok(cmd)) {
        snprintf(p->why_not, sizeof p->why_not,
                 "%s has no symbol table, so the encoders compiled into it cannot be told from the rest", program);
        return;
    }
    PATH_PRINTF(data, "%s/perf.data", work);
    PATH_PRINTF(cmd, "perf record -q -e cpu-clock -F %d --call-graph dwarf,16384 -o '%s' -- ", PROFILE_HZ, data);
    size_t at = strlen(cmd);
    if (in_process)
        snprintf(cmd + at, sizeof cmd - at, "'%s' --profile-child '%s' '%s/perf' %u", self, mixed, work, threads);
    else
        snprintf(cmd + at, sizeof cmd - at, "sh -c '");
    for (int i = 0; !in_process && i < PROFILE_BUILDS; ++i) { /* each into a pack of its own: no deletion inside */
        PATH_PRINTF(out, "%s/perf%d.zcpack", work, i);
        at = strlen(cmd);
        snprintf(cmd + at, sizeof cmd - at, "%s%s build \"%s\" -o \"%s\" -j %u -q", i ? " && " : "", ZCPACK, mixed,
                 out, threads);
    }
    if (!in_process) strncat(cmd, "'", sizeof cmd - strlen(cmd) - 1);
    for (int i = 0; i < PROFILE_BUILDS; ++i) {
        PATH_PRINTF(out, "%s/perf%d.zcpack", work, i);
        unlink(out);
    }
    uint64_t start = zc_bench_now_ns();
    int recorded = runs_ok(cmd);
    for (int i = 0; i < PROFILE_BUILDS; ++i) {
        PATH_PRINTF(out, "%s/perf%d.zcpack", work, i);
        unlink(out);
    }
    if (!recorded) {
        snprintf(p->why_not, sizeof p->why_not,
                 "perf record failed (not permitted here? kernel.perf_event_paranoid is read from "
                 "/proc/sys/kernel/perf_event_paranoid)");
        return;
    }
    p->wall = (double)(zc_bench_now_ns() - start) / 1e9;
    PATH_PRINTF(cmd, "perf script -i '%s' -F period,ip,sym,dso --no-inline 2>/dev/null", data);
    FILE *f = popen(cmd, "r");
    if (!f) {
        snprintf(p->why_not, sizeof p->why_not, "perf script failed");
        return;
    }
    char line[4096], leaf[96] = "", leaf_dso[96] = "";
    double period = 0;
    int in_sample = 0, category = -1, frames = 0, rooted = 0, entered = 0;
    for (;;) {
        char *got = fgets(line, sizeof line, f);
        int blank = got && (line[0] == '\n' || line[0] == 0);
        if (!got || blank) {
            if (in_sample && category < 0 && !rooted) {
                p->unwound_not += period;
                p->unwound_not_samples++;
            } else if (in_sample) {
                int c = category >= 0 ? category : CAT_OUTSIDE;
                p->weight[c] += period;
                p->total += period;
                p->samples++;
                if (c == CAT_OUTSIDE) {
                    char name[192];
                    snprintf(name, sizeof name, "%.30s (%.14s)", leaf[0] ? leaf : "?", leaf_dso);
                    charge_outside(p, name, period);
                }
            }
            in_sample = 0;
            if (!got) break;
            continue;
        }
        line[strcspn(line, "\n")] = 0;
        if (line[0] != '\t') { /* a sample's first line: its period (frames start with a tab) */
            in_sample = 1;
            category = -1;
            frames = 0;
            rooted = entered = 0;
            leaf[0] = leaf_dso[0] = 0;
            period = strtod(line, NULL);
            if (period <= 0) period = 1;
            continue;
        }
        char sym[512], dso[512];
        parse_frame(line, sym, sizeof sym, dso, sizeof dso);
        if (frames++ == 0) {
            const char *base = strrchr(dso, '/');
            snprintf(leaf, sizeof leaf, "%.95s", sym);
            snprintf(leaf_dso, sizeof leaf_dso, "%.95s", base ? base + 1 : dso);
        }
        if (category < 0) category = frame_category(sym, dso); /* innermost library frame */
        entered |= own_entry(sym);
        rooted = entered || stack_root(sym); /* of the last frame read, or past an own entry */
    }
    pclose(f);
    unlink(data);
    if (p->samples == 0) {
        snprintf(p->why_not, sizeof p->why_not, "perf recorded no samples");
        return;
    }
    qsort(p->top, p->top_count, sizeof p->top[0], by_weight);
    p->ran = 1;
}


shares profile_shares(const profile *p) {
    shares s = {0, 0, 0, 0};
    if (!p->ran) return s;
    s.outside = 100.0 * p->weight[CAT_OUTSIDE] / p->total;
    s.with_mips = s.outside + 100.0 * p->weight[CAT_MIP_FILTER] / p->total;
    s.at_most = 100.0 * (p->weight[CAT_OUTSIDE] + p->unwound_not) / (p->total + p->unwound_not);
    s.left_out = 100.0 * p->unwound_not / (p->total + p->unwound_not);
    return s;
}
