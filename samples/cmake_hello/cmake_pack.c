/* cmake_pack.c - the packer library through CMake's zcpack::packer, both ways a tool
 * would use it:
 *  1. zc_build: a directory into a pack, as an editor's "save" would; the result is
 *     opened with the runtime and must hold every entry the build counted;
 *  2. zc_object_import + zc_link: each file of the same directory into an object, then
 *     the objects into one pack, which must equal the build's byte for byte, and into
 *     a pack set (<set index>: textures in a member of their own) that the runtime
 *     opens with every entry.
 *
 *   cmake_pack <dir> <pack> <work dir> <set index>
 *
 * Exit status 0 when every check holds; the message names the first that does not. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zc/zc_packer.h>

#define MAX_FILES 256

static char *files[MAX_FILES];
static unsigned file_count;

static void log_line(zc_log_level level, const char *message, void *user_data) {
    (void)user_data;
    if (level <= ZC_LOG_WARNING) fprintf(stderr, "cmake_pack: %s\n", message);
}

static int add_file(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)ftw;
    if (flag != FTW_F) return 0;
    if (file_count == MAX_FILES) return 1;
    files[file_count] = strdup(path);
    return files[file_count++] == NULL;
}

static int fail(const char *what, const char *path, zc_result r) {
    fprintf(stderr, "cmake_pack: %s: %s: %s\n", path, what, zc_result_str(r));
    return 1;
}

/* The whole file at `path` in *out (malloc'd); 0 on failure. */
static long read_all(const char *path, unsigned char **out) {
    FILE *f = fopen(path, "rb");
    long size = -1;
    if (f && fseek(f, 0, SEEK_END) == 0) size = ftell(f);
    *out = size > 0 ? malloc((size_t)size) : NULL;
    if (!*out || fseek(f, 0, SEEK_SET) != 0 || fread(*out, 1, (size_t)size, f) != (size_t)size) size = 0;
    if (f) fclose(f);
    return size;
}

static int same_file(const char *a, const char *b) {
    unsigned char *x = NULL, *y = NULL;
    long nx = read_all(a, &x), ny = read_all(b, &y);
    int same = nx > 0 && nx == ny && memcmp(x, y, (size_t)nx) == 0;
    free(x);
    free(y);
    return same;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: cmake_pack <dir> <pack> <work dir> <set index>\n");
        return 2;
    }
    const char *dir = argv[1], *out = argv[2], *work = argv[3], *set_path = argv[4];
    zc_logger logger = { .func = log_line };

    /* 1. zc_build, opened by the runtime. */
    zc_build_stats stats;
    zc_result r = zc_build(&(zc_build_desc){ .input_dir = dir, .output_path = out, .logger = logger }, &stats);
    if (r != ZC_OK) return fail("zc_build", dir, r);
    zc_pack *pack = NULL;
    r = zc_pack_open(&pack, &(zc_pack_desc){ .path = out, .validate = ZC_VALIDATE_FULL });
    uint32_t count = r == ZC_OK ? zc_pack_entry_count(pack) : 0;
    zc_pack_close(pack);
    if (r != ZC_OK) return fail("zc_pack_open", out, r);
    if (count != stats.entries || stats.files == 0) {
        fprintf(stderr, "cmake_pack: %s: %u entries, the build counted %u\n", out, count, stats.entries);
        return 1;
    }

    /* 2. One object per file, linked into a pack and into a pack set. */
    if (nftw(dir, add_file, 16, FTW_PHYS) != 0 || file_count == 0) {
        fprintf(stderr, "cmake_pack: %s: cannot list the files (or more than %d)\n", dir, MAX_FILES);
        return 1;
    }
    char *objects[MAX_FILES];
    uint32_t imported_entries = 0;
    for (unsigned i = 0; i < file_count; ++i) {
        size_t n = strlen(work) + 32;
        objects[i] = malloc(n);
        if (!objects[i]) return fail("malloc", work, ZC_ERR_OUT_OF_MEMORY);
        snprintf(objects[i], n, "%s/%u.zco", work, i);
        zc_object_import_info info;
        r = zc_object_import(
            &(zc_object_import_desc){ .file = files[i], .root = dir, .output = objects[i], .logger = logger }, &info);
        if (r != ZC_OK) return fail("zc_object_import", files[i], r);
        imported_entries += info.entries;
        zc_object_import_info_free(&info);
    }
    char linked[4096];
    snprintf(linked, sizeof linked, "%s/linked.zcpack", work);
    zc_link_stats link_stats;
    r = zc_link(&(zc_link_desc){ .objects = (const char *const *)objects, .object_count = file_count,
                                 .output_path = linked, .logger = logger },
                &link_stats);
    if (r != ZC_OK) return fail("zc_link", linked, r);
    if (imported_entries != stats.entries || link_stats.entries != stats.entries || !same_file(out, linked)) {
        fprintf(stderr, "cmake_pack: %s: import and link (%u entries) differ from the build (%u entries)\n", linked,
                link_stats.entries, stats.entries);
        return 1;
    }
    zc_link_chunk chunk = { .match = "textures/*", .name = "textures" };
    r = zc_link(&(zc_link_desc){ .objects = (const char *const *)objects, .object_count = file_count,
                                 .output_path = set_path, .logger = logger, .chunks = &chunk, .chunk_count = 1 },
                &link_stats);
    if (r != ZC_OK) return fail("zc_link", set_path, r);
    zc_pack_set *set = NULL;
    r = zc_pack_set_open(&set, &(zc_pack_set_desc){ .path = set_path, .validate = ZC_VALIDATE_FULL });
    if (r != ZC_OK) return fail("zc_pack_set_open", set_path, r);
    uint32_t members = zc_pack_set_member_count(set);
    uint64_t set_entries = zc_pack_set_entry_count(set);
    zc_pack_set_close(set);
    if (members != 2 || set_entries != stats.entries) {
        fprintf(stderr, "cmake_pack: %s: %u members, %llu entries; expected 2 and %u\n", set_path, members,
                (unsigned long long)set_entries, stats.entries);
        return 1;
    }

    printf("cmake_pack: %s: %u files into %u entries, %llu bytes; import + link gives the same bytes; "
           "%s: a set of %u packs\n",
           out, stats.files, count, (unsigned long long)stats.pack_bytes, set_path, members);
    for (unsigned i = 0; i < file_count; ++i) free(objects[i]), free(files[i]);
    return 0;
}
