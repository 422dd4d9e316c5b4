/* cmake_hello.c - the runtime through CMake's zcpack::runtime: open a pack, read one
 * entry, walk every entry's dependencies. Exit status 0 when every step works. */
#include <stdio.h>
#include <string.h>

#include <zc/zc_pack.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: cmake_hello <pack>\n");
        return 2;
    }
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = argv[1], .validate = ZC_VALIDATE_CHECKSUMS });
    if (r != ZC_OK) {
        fprintf(stderr, "cmake_hello: %s: %s\n", argv[1], zc_result_str(r));
        return 1;
    }
    zc_hold text;
    r = zc_pack_get(pack, "text/strings_en.csv", &text);
    int ok = r == ZC_OK && text.size > 0 && memchr(text.data, ',', (size_t)text.size) != NULL;
    uint32_t deps = 0;
    for (uint32_t i = 0; ok && i < zc_pack_entry_count(pack); ++i) {
        zc_entry e, dep;
        ok = zc_pack_entry_at(pack, i, &e) == ZC_OK;
        for (uint32_t d = 0; ok && d < e.deps_count; ++d, ++deps) ok = zc_pack_find_id(pack, e.deps[d], &dep) == ZC_OK;
    }
    printf("cmake_hello: %s: %u entries, %u dependencies resolved, zcpack %s\n", argv[1], zc_pack_entry_count(pack), deps,
           zc_version_string());
    zc_hold_release(&text);
    zc_pack_close(pack);
    return ok ? 0 : 1;
}
