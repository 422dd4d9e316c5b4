/* zc_fuzz_seeds.c - turn real packs and models into seed inputs of the fuzz targets
 * whose inputs are not plain files (tests/fuzz/make_corpus.sh runs it).
 *
 *   zc_fuzz_seeds pack <pack> <types dir> <zstd dir>
 *       one fuzz_types input per entry (registry index, then the raw bytes; compressed
 *       entries decoded) and one fuzz_zstd input per compressed entry (flags, raw
 *       size, the dictionary the frame names when there is one, the frame), named
 *       <pack name>-<entry index>
 *   zc_fuzz_seeds reply <model file> <out file>
 *       the reply an isolated import child sends for the model (imported here, in
 *       process, under the scene path fuzz_model_reply expects)
 *   zc_fuzz_seeds sign <pack> <out file>
 *       the pack signed with the fuzz targets' fixed key (zcf_fixed_key), for
 *       fuzz_pack's open with that key as the trusted one
 *   zc_fuzz_seeds hostile <dir>...
 *       every hostile pack of zc_fuzz_hostile.c (amplification, dependency lists,
 *       overlapping payloads: zc_fuzz_walk.h, "Hostile packs") into each dir, under
 *       its name
 *   zc_fuzz_seeds assimp <fuzz_model input>
 *       not a seed: the input's model file read by assimp alone, with the flags and
 *       property zcpack uses and none of zcpack's code after it. Exits 0 whether or not
 *       assimp reads the file; tools/fuzz.sh runs it under a time limit to learn whether
 *       a hang or crash of fuzz_model happens in assimp by itself
 *
 * Inputs larger than ZCF_SEED_MAX bytes (the fuzzers' -max_len) are skipped. Exit
 * status 0 on success, 1 on any error (with a sentence on stderr; 2 for `assimp`).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <assimp/cimport.h>
#include <assimp/config.h>
#include <zstd.h>

#include "zc_fuzz_walk.h"
#include "zc_model.h"
#include "zc_sign.h"

#define ZCF_SEED_MAX 65536u

static int zcf__write_file(const char *path, const void *a, size_t a_size, const void *b, size_t b_size) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "zc_fuzz_seeds: cannot write %s\n", path);
        return 1;
    }
    int bad = (a_size && fwrite(a, 1, a_size, f) != a_size) || (b_size && fwrite(b, 1, b_size, f) != b_size);
    bad |= fclose(f) != 0;
    if (bad) fprintf(stderr, "zc_fuzz_seeds: cannot write %s\n", path);
    return bad;
}

static int zcf__registry_index(uint32_t tag) {
    int i = 0;
#define ZCF__INDEX(name, tag_, hash, fn) \
    if (tag == (tag_)) return i;        \
    ++i;
    ZC_TYPE_LIST(ZCF__INDEX)
#undef ZCF__INDEX
    return -1;
}

/* The fuzz_zstd input for compressed entry e: see zcf_zstd in zc_fuzz_walk.h. */
static int zcf__zstd_seed(const zc_pack *pack, const zc_entry *e, const char *path) {
    uint8_t head[7 + 65536];
    size_t n = 5;
    unsigned align = e->alignment >= 4096 ? 3 : e->alignment >= 256 ? 2 : e->alignment >= 64 ? 1 : 0;
    head[0] = (uint8_t)(align << 1 | (unsigned)zcf__registry_index(e->type) << 3);
    head[1] = (uint8_t)e->raw_size;
    head[2] = (uint8_t)(e->raw_size >> 8);
    head[3] = (uint8_t)(e->raw_size >> 16);
    head[4] = (uint8_t)(e->raw_size >> 24);
    unsigned dict_id = ZSTD_getDictID_fromFrame(e->data, (size_t)e->stored_size);
    if (dict_id) {
        char dict_path[32];
        zc_entry d;
        snprintf(dict_path, sizeof dict_path, ZC_ZSTD_DICT_PATH_PREFIX "%u", dict_id);
        if (zc_pack_find(pack, dict_path, &d) != ZC_OK || d.raw_size > 65535) return 0;
        head[0] |= 1u;
        head[5] = (uint8_t)d.raw_size;
        head[6] = (uint8_t)(d.raw_size >> 8);
        memcpy(head + 7, d.data, (size_t)d.raw_size);
        n = 7 + (size_t)d.raw_size;
    }
    if (n + e->stored_size > ZCF_SEED_MAX) return 0;
    return zcf__write_file(path, head, n, e->data, (size_t)e->stored_size);
}

static int zcf__pack_seeds(const char *pack_path, const char *types_dir, const char *zstd_dir) {
    zc_pack *pack;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .path = pack_path, .validate = ZC_VALIDATE_CHECKSUMS });
    if (r != ZC_OK) {
        fprintf(stderr, "zc_fuzz_seeds: %s: %s\n", pack_path, zc_result_str(r));
        return 1;
    }
    const char *base = strrchr(pack_path, '/') ? strrchr(pack_path, '/') + 1 : pack_path;
    int failed = 0;
    for (uint32_t i = 0; i < zc_pack_entry_count(pack) && !failed; ++i) {
        zc_entry e;
        zc_hold h;
        char path[4096];
        zc_pack_entry_at(pack, i, &e);
        if (zc_pack_acquire(pack, &e, &h) != ZC_OK) {
            fprintf(stderr, "zc_fuzz_seeds: %s: entry %s cannot be read\n", pack_path, e.path);
            failed = 1;
            break;
        }
        uint8_t selector = (uint8_t)zcf__registry_index(e.type);
        snprintf(path, sizeof path, "%s/%s-%u", types_dir, base, i);
        if (h.size + 1 <= ZCF_SEED_MAX) failed |= zcf__write_file(path, &selector, 1, h.data, (size_t)h.size);
        zc_hold_release(&h);
        snprintf(path, sizeof path, "%s/%s-%u", zstd_dir, base, i);
        if (e.codec == ZC_CODEC_ZSTD) failed |= zcf__zstd_seed(pack, &e, path);
    }
    zc_pack_close(pack);
    return failed;
}

static int zcf__reply_seed(const char *model_path, const char *out_path) {
    zc_model model;
    zc_diag diag;
    diag.message[0] = 0;
    zc_model_settings settings;
    memset(&settings, 0, sizeof settings);
    settings.in_process = 1;
    settings.texture.max_dimension = 64;
    zc_result r = zc_model_import_in_process(model_path, "model.gltf", &settings, &model, &diag);
    if (r != ZC_OK) {
        fprintf(stderr, "zc_fuzz_seeds: %s: %s\n", model_path, diag.message);
        return 1;
    }
    int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int failed = fd < 0 || zcf_write_model_reply(fd, &model) != 0;
    if (fd >= 0) close(fd);
    zc_model_free(&model);
    if (failed) {
        fprintf(stderr, "zc_fuzz_seeds: cannot write %s\n", out_path);
        return 1;
    }
    /* A reply larger than the fuzzers take is of no use as a seed. */
    FILE *f = fopen(out_path, "rb");
    long size = -1;
    if (f && fseek(f, 0, SEEK_END) == 0) size = ftell(f);
    if (f) fclose(f);
    if (size < 0 || size > (long)ZCF_SEED_MAX) unlink(out_path);
    return 0;
}

static int zcf__signed_seed(const char *pack_path, const char *out_path) {
    FILE *f = fopen(pack_path, "rb");
    static uint8_t data[ZCF_SEED_MAX + 1];
    size_t size = f ? fread(data, 1, sizeof data, f) : 0;
    if (f) fclose(f);
    if (!f || size > ZCF_SEED_MAX) {
        fprintf(stderr, "zc_fuzz_seeds: %s: %s\n", pack_path, f ? "larger than a seed may be" : "cannot read it");
        return 1;
    }
    if (zcf__write_file(out_path, data, size, NULL, 0)) return 1;
    zc_secret_key key;
    zcf_fixed_key(&key.public_key, key.secret);
    zc_result r = zc_sign_pack_file(out_path, &key, (zc_logger){ 0 });
    zc_secret_key_wipe(&key);
    if (r != ZC_OK) {
        fprintf(stderr, "zc_fuzz_seeds: %s: cannot sign it: %s\n", out_path, zc_result_str(r));
        unlink(out_path);
        return 1;
    }
    return 0;
}

static int zcf__assimp_alone(const char *input) {
    FILE *f = fopen(input, "rb");
    if (!f) {
        fprintf(stderr, "zc_fuzz_seeds: cannot read %s\n", input);
        return 2;
    }
    static uint8_t data[1 << 20];
    size_t size = fread(data, 1, sizeof data, f);
    fclose(f);
    zc_model_settings settings;
    const char *path = zcf_model_file(data, size, &settings);
    if (!path) {
        fprintf(stderr, "zc_fuzz_seeds: %s: cannot write its model file\n", input);
        return 2;
    }
    struct aiPropertyStore *props = aiCreatePropertyStore();
    aiSetImportPropertyInteger(props, AI_CONFIG_IMPORT_NO_SKELETON_MESHES, 1);
    const struct aiScene *scene = aiImportFileExWithProperties(path, zc_model_assimp_flags(&settings), NULL, props);
    aiReleaseImport(scene);
    aiReleasePropertyStore(props);
    return 0;
}

static int zcf__hostile_seeds(int dir_count, char **dirs) {
    for (size_t i = 0; i < zcf_hostile_count; ++i) {
        size_t size = 0;
        uint8_t *image = zcf_hostiles[i].make(&size);
        if (!image) {
            fprintf(stderr, "zc_fuzz_seeds: out of memory making %s\n", zcf_hostiles[i].name);
            return 1;
        }
        int failed = size > ZCF_SEED_MAX;
        if (failed) fprintf(stderr, "zc_fuzz_seeds: %s: %zu bytes, more than a seed may have\n", zcf_hostiles[i].name, size);
        for (int d = 0; d < dir_count && !failed; ++d) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dirs[d], zcf_hostiles[i].name);
            failed = zcf__write_file(path, image, size, NULL, 0);
        }
        free(image);
        if (failed) return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "pack") == 0) return zcf__pack_seeds(argv[2], argv[3], argv[4]);
    if (argc == 4 && strcmp(argv[1], "reply") == 0) return zcf__reply_seed(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "sign") == 0) return zcf__signed_seed(argv[2], argv[3]);
    if (argc == 3 && strcmp(argv[1], "assimp") == 0) return zcf__assimp_alone(argv[2]);
    if (argc >= 3 && strcmp(argv[1], "hostile") == 0) return zcf__hostile_seeds(argc - 2, argv + 2);
    fprintf(stderr, "usage: zc_fuzz_seeds pack <pack> <types dir> <zstd dir>\n"
                    "       zc_fuzz_seeds reply <model file> <out file>\n"
                    "       zc_fuzz_seeds sign <pack> <out file>\n"
                    "       zc_fuzz_seeds hostile <dir>...\n"
                    "       zc_fuzz_seeds assimp <fuzz_model input>\n");
    return 1;
}
