/* zc_model_md3_tags.c - tag-only MD3 files as node hierarchies.
 *
 * Games of the MD3 format (Quake III engine and its descendants) ship models with
 * tags and no surfaces: attachment frames ("tag_weapon", "tag_head") that place one
 * model on another. assimp refuses such a file ("NUM_SURFACES is 0"); this reader
 * takes it instead and builds the scene assimp builds for an MD3 with surfaces, minus
 * the meshes: a root node "<MD3Root>" turning the format's Z-up frame into Y-up, and
 * one child node per tag holding the tag's first-frame placement (the columns of its
 * 3x3 axis, then its origin as translation), so a tag-only file and a full model
 * describe their tags identically.
 *
 * File layout read here (little-endian, offsets from the start of the file):
 *   header, 108 bytes: "IDP3" (0), version 15 (4), name[64] (8), flags (72), frame
 *   count (76), tag count (80), surface count (84), skin count (88), frames offset
 *   (92), tags offset (96), surfaces offset (100), end offset (104);
 *   tags: frame count x tag count records of 112 bytes: name[64], origin[3] f32,
 *   axis[3][3] f32; frame 0's tags come first.
 * Safe on untrusted input: every count and offset is checked against the bytes read
 * before use, names are cut at 63 bytes, non-finite numbers are refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <assimp/scene.h>

#include "zc_model_internal.h"

_Static_assert(sizeof(struct aiMatrix4x4) == 16 * sizeof(ai_real), "aiMatrix4x4 is 16 cells, row-major");

enum {
    ZC__MD3_HEADER_SIZE = 108,
    ZC__MD3_TAG_SIZE = 112,
    ZC__MD3_NAME_SIZE = 64,
    ZC__MD3_VERSION = 15,
    ZC__MD3_MAX_TAGS = 16,      /* the format's own limit (MD3_MAX_TAGS of the engines) */
};

static struct aiNode *zc__md3_node(const char *name, size_t name_len, struct aiNode *parent) {
    struct aiNode *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    if (name_len >= sizeof n->mName.data) name_len = sizeof n->mName.data - 1;
    memcpy(n->mName.data, name, name_len);
    n->mName.data[name_len] = 0;
    n->mName.length = (uint32_t)name_len;
    n->mParent = parent;
    n->mTransformation.a1 = n->mTransformation.b2 = n->mTransformation.c3 = n->mTransformation.d4 = 1.0f;
    return n;
}

void zc__model_md3_tags_free(struct aiScene *scene) {
    if (!scene) return;
    struct aiNode *root = scene->mRootNode;
    if (root) {
        for (unsigned i = 0; i < root->mNumChildren; ++i) free(root->mChildren[i]);
        free(root->mChildren);
        free(root);
    }
    free(scene);
}

/* The tags of frame 0, at `tags` (count records), as children of a new scene's root. */
static zc_result zc__md3_scene(const uint8_t *tags, uint32_t count, struct aiScene **out, zc_diag *diag) {
    struct aiScene *scene = calloc(1, sizeof *scene);
    struct aiNode *root = scene ? zc__md3_node("<MD3Root>", 9, NULL) : NULL;
    struct aiNode **children = root && count ? calloc(count, sizeof *children) : NULL;
    if (!scene || !root || (count && !children)) {
        free(children);
        free(root);
        free(scene);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory reading the tags");
    }
    scene->mRootNode = root;
    /* Z up (the format) to Y up: y' = z, z' = -y */
    root->mTransformation.b2 = 0.0f;
    root->mTransformation.b3 = 1.0f;
    root->mTransformation.c2 = -1.0f;
    root->mTransformation.c3 = 0.0f;
    root->mChildren = children;
    for (uint32_t i = 0; i < count; ++i) {
        const uint8_t *t = tags + (size_t)i * ZC__MD3_TAG_SIZE;
        float v[12];
        for (int k = 0; k < 12; ++k) {
            v[k] = zc__le_f32(t + ZC__MD3_NAME_SIZE + 4 * k);
            if (!isfinite(v[k])) {
                zc__model_md3_tags_free(scene);
                return zc_fail(diag, ZC_ERR_BAD_SOURCE, "MD3 tag %u holds a number that is not finite", i);
            }
        }
        size_t name_len = strnlen((const char *)t, ZC__MD3_NAME_SIZE - 1);
        struct aiNode *n = zc__md3_node((const char *)t, name_len, root);
        if (!n) {
            zc__model_md3_tags_free(scene);
            return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory reading the tags");
        }
        /* columns: the tag's axes v[3..5], v[6..8], v[9..11]; translation: origin v[0..2] */
        const ai_real cells[16] = { v[3], v[6], v[9], v[0], v[4], v[7], v[10], v[1],
                                    v[5], v[8], v[11], v[2], 0, 0, 0, 1 };
        memcpy(&n->mTransformation, cells, sizeof cells); /* a1..a4, b1..b4, ...: row-major */
        children[root->mNumChildren++] = n;
    }
    *out = scene;
    return ZC_OK;
}

zc_result zc__model_md3_tags(zc__model_build *b, struct aiScene **out, zc_diag *diag) {
    *out = NULL;
    int fd = zc__model_open_source(b, diag);
    if (fd < 0) return ZC_ERR_IO;
    struct stat st;
    uint8_t h[ZC__MD3_HEADER_SIZE];
    zc_result r = ZC_OK;
    ssize_t got = -1;
    if (fstat(fd, &st) != 0)
        r = zc_fail(diag, ZC_ERR_IO, "cannot read the model file: %s", strerror(errno));
    else if ((got = zc__model_pread(fd, h, sizeof h, 0)) < 0)
        r = zc_fail(diag, ZC_ERR_IO, "cannot read the model file: %s", strerror(errno));
    /* not a tag-only MD3 (or no MD3 at all): assimp decides */
    if (r != ZC_OK || got < (ssize_t)sizeof h || memcmp(h, "IDP3", 4) != 0 || zc__le_u32(h + 84) != 0) {
        close(fd);
        return r;
    }
    uint32_t version = zc__le_u32(h + 4), frames = zc__le_u32(h + 76), count = zc__le_u32(h + 80);
    uint32_t tags_offset = zc__le_u32(h + 96);
    uint64_t size = (uint64_t)st.st_size;
    if (version != ZC__MD3_VERSION)
        r = zc_fail(diag, ZC_ERR_BAD_SOURCE, "MD3 version %u is not 15", version);
    else if (frames == 0)
        r = zc_fail(diag, ZC_ERR_BAD_SOURCE, "the MD3 model has no surfaces and no frames");
    else if (count > ZC__MD3_MAX_TAGS)
        r = zc_fail(diag, ZC_ERR_BAD_SOURCE, "the MD3 model declares %u tags, more than the format's %u", count,
                    (unsigned)ZC__MD3_MAX_TAGS);
    else if (count == 0)
        r = zc_fail(diag, ZC_ERR_BAD_SOURCE, "the MD3 model has neither surfaces nor tags");
    else if (tags_offset < ZC__MD3_HEADER_SIZE || (uint64_t)tags_offset + (uint64_t)count * ZC__MD3_TAG_SIZE > size)
        r = zc_fail(diag, ZC_ERR_BAD_SOURCE,
                    "the MD3 tags (%u at offset %u) do not lie inside the file's %llu bytes", count, tags_offset,
                    (unsigned long long)size);
    uint8_t tags[ZC__MD3_MAX_TAGS * ZC__MD3_TAG_SIZE];
    size_t want = (size_t)count * ZC__MD3_TAG_SIZE;
    if (r == ZC_OK && zc__model_pread(fd, tags, want, tags_offset) != (ssize_t)want)
        r = zc_fail(diag, ZC_ERR_BAD_SOURCE, "cannot read the MD3 tags: the file changed or is unreadable");
    close(fd);
    if (r != ZC_OK) return r;
    return zc__md3_scene(tags, count, out, diag);
}
