/* cmake_pack.c - the packer library through CMake's zcpack::packer: build a directory
 * into a pack with zc_build, as an editor's "save" would, then open the result with the
 * runtime and check it holds every file. Exit status 0 when it does. */
#include <stdio.h>

#include <zc/zc_packer.h>

static void log_line(zc_log_level level, const char *message, void *user_data) {
    (void)user_data;
    if (level <= ZC_LOG_WARNING) fprintf(stderr, "cmake_pack: %s\n", message);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: cmake_pack <dir> <pack>\n");
        return 2;
    }
    zc_build_stats stats;
    zc_build_desc desc = { .input_dir = argv[1], .output_path = argv[2], .logger = { .func = log_line } };
    zc_result r = zc_build(&desc, &stats);
    if (r != ZC_OK) {
        fprintf(stderr, "cmake_pack: %s: %s\n", argv[1], zc_result_str(r));
        return 1;
    }
    zc_pack *pack = NULL;
    r = zc_pack_open(&pack, &(zc_pack_desc){ .path = argv[2], .validate = ZC_VALIDATE_FULL });
    uint32_t count = r == ZC_OK ? zc_pack_entry_count(pack) : 0;
    zc_pack_close(pack);
    printf("cmake_pack: %s: %u files into %u entries (%u in the pack), %llu bytes\n", argv[2], stats.files,
           stats.entries, count, (unsigned long long)stats.pack_bytes);
    return r == ZC_OK && count == stats.entries && stats.files > 0 ? 0 : 1;
}
