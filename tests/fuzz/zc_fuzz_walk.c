/* zc_fuzz_walk.c - the work of each fuzz target on one input (zc_fuzz_walk.h).
 *
 * Compiled into the libFuzzer targets (tools/fuzz.sh, with
 * FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION) and into the ordinary test program for the
 * replay suite. Untrusted input: every function is meant to be given arbitrary bytes.
 */
#include "zc_fuzz_walk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <zstd.h>

#include "zc_entry_types.h"
#include "zc_import_texture.h"
#include "zc_model.h"
#include "zc_pixel_formats.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

/* Keeps the reads of zcf__touch from being optimised away. */
static volatile uint64_t zcf__sink;

/* Read every byte of [p, p + n): a sanitizer reports any byte that is not there. */
static void zcf__touch(const void *p, uint64_t n) {
    const uint8_t *b = (const uint8_t *)p;
    uint64_t sum = 0;
    for (uint64_t i = 0; i < n; ++i) sum += b[i];
    zcf__sink += sum;
}

static void zcf__touch_floats(const float *v, size_t n) {
    uint64_t sum = 0;
    for (size_t i = 0; i < n; ++i) {
        uint32_t bits;
        memcpy(&bits, &v[i], sizeof bits);
        sum += bits;
    }
    zcf__sink += sum;
}

/* A 16-byte-aligned copy of exactly `size` bytes (one byte when size is 0), so a
 * sanitizer flags any read past the end. NULL when out of memory; free() it. */
static uint8_t *zcf__copy(const uint8_t *data, size_t size) {
    void *p = NULL;
    if (posix_memalign(&p, 16, size ? size : 1) != 0) return NULL;
    if (size) memcpy(p, data, size);
    return (uint8_t *)p;
}

/* 1 when [p, p + n) lies inside [base, base + size). */
static int zcf__inside(const void *base, uint64_t size, const void *p, uint64_t n) {
    uintptr_t b = (uintptr_t)base, q = (uintptr_t)p;
    return q >= b && q - b <= size && n <= size - (q - b);
}

/* Layout hash of a registry tag (the packer's table of entry types, one row per
 * ZC_TYPE_LIST type); 0 when the tag is not in the registry. */
static uint32_t zcf__registry_hash(uint32_t tag) {
    const zc_entry_type *t = zc_entry_type_find(tag);
    return t ? t->layout_hash : 0;
}

/* The tag of registry row `pick` modulo the number of rows. */
static uint32_t zcf__registry_tag(uint32_t pick) {
    return zc_entry_type_at(pick % zc_entry_type_count())->tag;
}

/* ---------------------------------------------------------------------------------
 * The typed walk
 * ------------------------------------------------------------------------------- */

/* Resolve a reference found in an entry and read the path of what it names. */
static void zcf__resolve(const zc_pack *pack, uint64_t id, uint32_t type) {
    if (!pack || id == 0) return;
    zc_entry e;
    zc_result r = zc_pack_resolve(pack, id, type, &e);
    if (r == ZC_OK || r == ZC_ERR_TYPE_MISMATCH) {
        ZCF_REQUIRE(e.id == id, "zc_pack_resolve returned id %016llx for %016llx", (unsigned long long)e.id,
                    (unsigned long long)id);
        zcf__touch(e.path, (uint64_t)e.path_length + 1);
    }
}

static zc_result zcf__walk_texture(const void *payload, uint64_t size) {
    zc_texture_view view;
    zc_result r = zc_texture_view_from_bytes(payload, size, &view);
    if (r != ZC_OK) return r;
    zc_texture_level_view lv;
    for (uint32_t level = 0; level < view.mip_count; ++level) {
        for (uint32_t layer = 0; layer < view.layers; ++layer) {
            ZCF_REQUIRE(zc_texture_view_level(&view, level, layer, &lv) == ZC_OK, "texture level %u/%u missing",
                        level, layer);
            ZCF_REQUIRE(zcf__inside(payload, size, lv.data, lv.size), "texture level %u lies outside the entry",
                        level);
            uint64_t rows = zc_texture_block_rows(view.format, lv.height);
            ZCF_REQUIRE(lv.size == (uint64_t)lv.row_pitch * rows * lv.depth, "texture level %u size %llu",
                        level, (unsigned long long)lv.size);
            zcf__touch(lv.data, lv.size);
        }
    }
    ZCF_REQUIRE(zc_texture_view_level(&view, view.mip_count, 0, &lv) == ZC_ERR_NO_ENTRY,
                "texture level past the chain is not refused");
    return ZC_OK;
}

/* Every vertex of every attribute, every index, submesh ranges and meshlets. */
static zc_result zcf__walk_mesh(const zc_pack *pack, const void *payload, uint64_t size) {
    zc_mesh_view v;
    zc_result r = zc_mesh_view_from_bytes(payload, size, &v);
    if (r != ZC_OK) return r;
    for (uint32_t s = 0; s < v.stream_count; ++s) {
        uint64_t bytes = (uint64_t)v.vertex_count * v.streams[s].stride;
        ZCF_REQUIRE(zcf__inside(payload, size, v.streams[s].data, bytes), "mesh stream %u lies outside", s);
        zcf__touch(v.streams[s].data, bytes);
    }
    float out[4];
    for (uint32_t a = 0; a < v.attribute_count; ++a) {
        const zc_vertex_attribute *attr = &v.attributes[a];
        for (uint32_t i = 0; i < v.vertex_count; ++i) {
            ZCF_REQUIRE(zc_mesh_view_read(&v, attr, i, out) > 0, "mesh attribute %u vertex %u unreadable", a, i);
            zcf__touch_floats(out, 4);
        }
        ZCF_REQUIRE(zc_mesh_view_read(&v, attr, v.vertex_count, out) == 0, "mesh vertex past the end is read");
    }
    for (uint32_t semantic = 0; semantic <= ZC__SEMANTIC_COUNT; ++semantic) {
        const zc_vertex_attribute *attr = zc_mesh_view_attribute(&v, semantic);
        ZCF_REQUIRE(!attr || attr->semantic == semantic, "zc_mesh_view_attribute(%u) found another", semantic);
    }
    ZCF_REQUIRE(zc_mesh_view_attribute(&v, ZC_SEMANTIC_POSITION) != NULL, "mesh view without POSITION");
    zcf__touch(v.indices, (uint64_t)v.index_count * v.index_size);
    for (uint32_t i = 0; i < v.index_count; ++i)
        ZCF_REQUIRE(zc_mesh_view_index(&v, i) < v.vertex_count, "mesh index %u out of range", i);
    for (uint32_t s = 0; s < v.submesh_count; ++s) {
        const zc_submesh *sub = &v.submeshes[s];
        ZCF_REQUIRE(sub->index_count <= v.index_count && sub->index_offset <= v.index_count - sub->index_count,
                    "mesh submesh %u overruns the indices", s);
        ZCF_REQUIRE(sub->meshlet_count <= v.meshlet_count &&
                        sub->meshlet_offset <= v.meshlet_count - sub->meshlet_count,
                    "mesh submesh %u overruns the meshlets", s);
        zcf__resolve(pack, sub->material, ZC_TYPE_MATERIAL);
    }
    for (uint32_t m = 0; m < v.meshlet_count; ++m) {
        const zc_meshlet *l = &v.meshlets[m];
        for (uint32_t k = 0; k < l->vertex_count; ++k)
            ZCF_REQUIRE(v.meshlet_vertices[l->vertex_offset + k] < v.vertex_count, "meshlet %u vertex %u", m, k);
        for (uint32_t k = 0; k < l->triangle_count * 3u; ++k)
            ZCF_REQUIRE(v.meshlet_triangles[l->triangle_offset + k] < l->vertex_count, "meshlet %u triangle byte %u",
                        m, k);
    }
    return ZC_OK;
}

static zc_result zcf__walk_material(const zc_pack *pack, const void *payload, uint64_t size) {
    zc_material_view v;
    zc_result r = zc_material_view_from_bytes(payload, size, &v);
    if (r != ZC_OK) {
        ZCF_REQUIRE(v.name && v.name[0] == 0, "a refused material view has a name");
        return r;
    }
    zcf__touch(v.name, (uint64_t)v.name_length + 1);
    ZCF_REQUIRE(strlen(v.name) == v.name_length, "material name length %u", v.name_length);
    for (uint32_t s = 0; s < ZC_MATERIAL_SLOT_COUNT; ++s) zcf__resolve(pack, v.textures[s].texture, ZC_TYPE_TEXTURE);
    zcf__touch_floats(v.base_color_factor, 4);
    zcf__touch_floats(v.emissive_factor, 3);
    return ZC_OK;
}

/* Node names and their lookup, references, world transforms, cameras and lights. */
static zc_result zcf__walk_scene(const zc_pack *pack, const void *payload, uint64_t size) {
    zc_scene_view v;
    zc_result r = zc_scene_view_from_bytes(payload, size, &v);
    if (r != ZC_OK) return r;
    for (uint32_t i = 0; i < v.node_count; ++i) {
        uint32_t length = 0;
        const char *name = zc_scene_view_node_name(&v, i, &length);
        zcf__touch(name, (uint64_t)length + 1);
        ZCF_REQUIRE(strlen(name) == length, "scene node %u name length %u", i, length);
        int32_t found = zc_scene_view_find_node(&v, name);
        ZCF_REQUIRE(found >= 0 && (uint32_t)found <= i, "scene node %u: its name finds node %d", i, found);
        uint32_t found_length = 0;
        const char *found_name = zc_scene_view_node_name(&v, (uint32_t)found, &found_length);
        ZCF_REQUIRE(found_length == length && memcmp(found_name, name, length) == 0,
                    "scene node %u: its name finds node %d with another name", i, found);
        const zc_scene_node *n = &v.nodes[i];
        ZCF_REQUIRE(n->camera < 0 || (uint32_t)n->camera < v.camera_count, "scene node %u camera", i);
        ZCF_REQUIRE(n->light < 0 || (uint32_t)n->light < v.light_count, "scene node %u light", i);
        ZCF_REQUIRE(n->mesh_count <= v.mesh_count && n->mesh_first <= v.mesh_count - n->mesh_count,
                    "scene node %u meshes", i);
    }
    ZCF_REQUIRE(zc_scene_view_node_name(&v, v.node_count, NULL)[0] == 0, "a node past the end has a name");
    if (v.node_count) {
        float (*world)[16] = (float (*)[16])malloc((size_t)v.node_count * sizeof *world);
        if (!world) return ZC_ERR_OUT_OF_MEMORY;
        zc_scene_view_world_transforms(&v, world);
        zcf__touch_floats(&world[0][0], (size_t)v.node_count * 16);
        free(world);
    }
    for (uint32_t m = 0; m < v.mesh_count; ++m) {
        zcf__resolve(pack, v.meshes[m].mesh, ZC_TYPE_MESH);
        zcf__resolve(pack, v.meshes[m].material, ZC_TYPE_MATERIAL);
    }
    zcf__touch(v.cameras, (uint64_t)v.camera_count * sizeof *v.cameras);
    zcf__touch(v.lights, (uint64_t)v.light_count * sizeof *v.lights);
    return ZC_OK;
}

/* A skeleton's names found again by name, and its rest pose posed and skinned. */
static zc_result zcf__walk_skeleton(const void *payload, uint64_t size) {
    zc_skeleton_view v;
    zc_result r = zc_skeleton_view_from_bytes(payload, size, &v);
    if (r != ZC_OK) return r;
    for (uint32_t j = 0; j < v.joint_count; ++j) {
        uint32_t length = 0;
        const char *name = zc_skeleton_view_joint_name(&v, j, &length);
        zcf__touch(name, (uint64_t)length + 1);
        uint32_t found = zc_skeleton_view_find_joint(&v, name);
        ZCF_REQUIRE(found < v.joint_count, "joint %u: its name finds no joint", j);
        ZCF_REQUIRE(strcmp(zc_skeleton_view_joint_name(&v, found, NULL), name) == 0, "joint %u: found by another name", j);
    }
    zc_joint_pose *poses = (zc_joint_pose *)malloc((size_t)v.joint_count * sizeof *poses);
    float (*world)[16] = (float (*)[16])malloc((size_t)v.joint_count * 2 * sizeof *world);
    if (!poses || !world) {
        free(poses);
        free(world);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    zc_skeleton_view_rest_pose(&v, poses);
    zc_skeleton_view_world(&v, poses, world);
    zc_skeleton_view_skin(&v, (const float (*)[16])world, world + v.joint_count);
    zcf__touch_floats(&world[0][0], (size_t)v.joint_count * 32);
    free(poses);
    free(world);
    return ZC_OK;
}

/* A clip sampled before, inside and after its keys onto as many poses as it names. */
static zc_result zcf__walk_animation(const zc_pack *pack, const void *payload, uint64_t size) {
    zc_animation_view v;
    zc_result r = zc_animation_view_from_bytes(payload, size, &v);
    if (r != ZC_OK) return r;
    zcf__touch(v.name, (uint64_t)v.name_length + 1);
    zcf__resolve(pack, v.skeleton, ZC_TYPE_SKELETON);
    zc_joint_pose *poses = (zc_joint_pose *)calloc(v.joint_count ? v.joint_count : 1, sizeof *poses);
    if (!poses) return ZC_ERR_OUT_OF_MEMORY;
    const float times[4] = { -1.0f, 0.0f, v.duration * 0.37f, v.duration + 1.0f };
    for (int k = 0; k < 4; ++k) zc_animation_view_sample(&v, times[k], poses, v.joint_count);
    zcf__touch_floats(&poses[0].translation[0], (size_t)v.joint_count * sizeof *poses / sizeof(float));
    free(poses);
    return ZC_OK;
}

zc_result zcf_walk_payload(const zc_pack *pack, uint32_t type, const void *payload, uint64_t size) {
    const zc_entry_type *t = zc_entry_type_find(type);
    if (t && t->ops->view) {
        /* Types with a view: the deep walk of the ones this file knows, else the view. */
        switch (type) {
        case ZC_TYPE_TEXTURE: return zcf__walk_texture(payload, size);
        case ZC_TYPE_MESH: return zcf__walk_mesh(pack, payload, size);
        case ZC_TYPE_MATERIAL: return zcf__walk_material(pack, payload, size);
        case ZC_TYPE_SCENE: return zcf__walk_scene(pack, payload, size);
        case ZC_TYPE_SKELETON: return zcf__walk_skeleton(payload, size);
        case ZC_TYPE_ANIMATION: return zcf__walk_animation(pack, payload, size);
        default: {
            zc_entry_view_buffer view;
            return t->ops->view(payload, size, &view);
        }
        }
    }
    /* Types without a view (blob, whiteout, dictionary): the bytes and the check. */
    zcf__touch(payload, size);
    if (type == ZC_TYPE_ZSTD_DICT) zcf__sink += zc_zstd_dict_id(payload, size);
    return t ? zc_check_payload(type, t->layout_hash, payload, size, NULL) : ZC_ERR_UNKNOWN_TYPE;
}

/* ---------------------------------------------------------------------------------
 * fuzz_pack
 * ------------------------------------------------------------------------------- */

void zcf_reseal_pieces(uint8_t *toc, uint64_t toc_size) {
    uint64_t table;
    uint32_t log2;
    if (zc_check_toc_pieces(toc, toc_size, &table, &log2, NULL) != ZC_OK || !table) return;
    const uint64_t piece = (uint64_t)1 << log2, count = zc_toc_piece_count(table, log2);
    for (uint64_t k = 0; k < count; ++k) {
        uint64_t from = k * piece, to = from + piece < table ? from + piece : table;
        uint64_t sum = XXH3_64bits(toc + from, (size_t)(to - from));
        memcpy(toc + table + k * 8, &sum, 8);
    }
}

#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
/* The content hash of a compressed record: decode the frame (with the raw dictionary
 * bytes `dict`, when not NULL) when it declares the record's raw size within
 * ZCF_MAX_DECODED. 0 when it cannot. */
static int zcf__frame_hash(const uint8_t *frame, uint64_t stored, uint64_t raw, const void *dict, size_t dict_size,
                           uint64_t *out) {
    unsigned long long declared = ZSTD_getFrameContentSize(frame, (size_t)stored);
    if (declared != raw || raw > ZCF_MAX_DECODED) return 0;
    void *bytes = malloc(raw ? (size_t)raw : 1);
    if (!bytes) return 0;
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    size_t got = dctx ? ZSTD_decompress_usingDict(dctx, bytes, (size_t)raw, frame, (size_t)stored, dict, dict_size)
                      : (size_t)-1;
    ZSTD_freeDCtx(dctx);
    int ok = !ZSTD_isError(got) && got == raw;
    if (ok) *out = XXH3_64bits(bytes, (size_t)raw);
    free(bytes);
    return ok;
}

/* Recompute the hashes a fuzz build skips, in place: every record's content hash (when
 * the TOC is structurally sound), then the TOC and header checksums. Leaves the image
 * alone where its header cannot be trusted to locate the TOC. */
static void zcf__reseal(uint8_t *image, size_t size) {
    if (zc_check_header(image, size, size, NULL) != ZC_OK) return;
    uint32_t header_size = zc_le32(image + offsetof(zc_header, header_size));
    uint64_t toc_offset = zc_le64(image + offsetof(zc_header, toc_offset));
    uint64_t toc_size = zc_le64(image + offsetof(zc_header, toc_size));
    uint8_t *toc = image + toc_offset;
    if (zc_check_toc(toc, toc_size, header_size, toc_offset, NULL) == ZC_OK) {
        const zc_toc_header *th = (const zc_toc_header *)toc;
        for (uint32_t i = 0; i < th->entry_count; ++i) {
            zc_toc_entry *e = (zc_toc_entry *)(toc + th->header_size + (uint64_t)i * th->entry_size);
            uint64_t hash = e->content_hash;
            if (e->codec == ZC_CODEC_NONE) hash = XXH3_64bits(image + e->offset, (size_t)e->raw_size);
            else if (e->codec == ZC_CODEC_ZSTD)
                zcf__frame_hash(image + e->offset, e->stored_size, e->raw_size, NULL, 0, &hash);
            e->content_hash = hash;
        }
    }
    zcf_reseal_pieces(toc, toc_size);
    uint64_t toc_checksum = XXH3_64bits(toc, (size_t)toc_size);
    memcpy(image + offsetof(zc_header, toc_checksum), &toc_checksum, 8);
    memset(image + ZC_HEADER_CHECKSUM_OFFSET, 0, 8);
    uint64_t header_checksum = XXH3_64bits(image, header_size);
    memcpy(image + ZC_HEADER_CHECKSUM_OFFSET, &header_checksum, 8);
}
#endif

/* Hold an entry, read it, walk it as its type, hold it again (a cache hit for a
 * compressed entry) and release both. */
static zc_result zcf__walk_held(zc_pack *pack, const zc_entry *e) {
    zc_hold h, again;
    zc_result r = zc_pack_acquire(pack, e, &h);
    /* The pack passed FULL validation, which decoded every compressed entry with the
     * same checks: acquiring can only run out of memory. */
    ZCF_REQUIRE(r == ZC_OK || r == ZC_ERR_OUT_OF_MEMORY, "entry %u (%s): acquire failed after validation: %s",
                e->index, e->path, zc_result_str(r));
    if (r != ZC_OK) return r;
    ZCF_REQUIRE(h.size == e->raw_size && (h.data != NULL || h.size == 0), "entry %u: hold of %llu bytes", e->index,
                (unsigned long long)h.size);
    uintptr_t align = e->codec == ZC_CODEC_NONE ? 16 : e->alignment;
    ZCF_REQUIRE((uintptr_t)h.data % align == 0, "entry %u: held bytes not %u-byte aligned", e->index,
                (unsigned)align);
    zcf__touch(h.data, h.size);
    r = zcf_walk_payload(pack, e->type, h.data, h.size);
    /* Full validation checked the structure through the same registry; an entry of a
     * type the registry does not know is opaque to it, and passes (SPEC.md 8.3). */
    ZCF_REQUIRE(r == ZC_OK || (r == ZC_ERR_UNKNOWN_TYPE && !zc_entry_type_find(e->type)),
                "entry %u (%s): validated but its walk failed: %s", e->index, e->path, zc_result_str(r));
    if (r == ZC_ERR_UNKNOWN_TYPE) r = ZC_OK;
    zc_result r2 = zc_pack_acquire(pack, e, &again);
    ZCF_REQUIRE(r2 != ZC_OK || again.data == h.data, "entry %u: a second hold sees other bytes", e->index);
    zc_hold_release(&again);
    zc_hold_release(&h);
    return ZC_OK;
}

/* Typed views straight from the entry, through the type's row (uncompressed entries
 * only succeed). */
static void zcf__views_from_entry(const zc_entry *e) {
    const zc_entry_type *t = zc_entry_type_find(e->type);
    if (!t || !t->ops->view) return;
    zc_entry_view_buffer view;
    zc_result r = zc_entry_type_view(t, e, &view);
    ZCF_REQUIRE(r == ZC_OK || (e->codec != ZC_CODEC_NONE && r == ZC_ERR_UNSUPPORTED_CODEC),
                "entry %u (%s): view from a validated entry failed: %s", e->index, e->path, zc_result_str(r));
}

static zc_result zcf__walk_pack(zc_pack *pack) {
    zc_pack_info info;
    ZCF_REQUIRE(zc_pack_get_info(pack, &info) == ZC_OK, "zc_pack_get_info failed");
    uint32_t n = zc_pack_entry_count(pack);
    ZCF_REQUIRE(info.entry_count == n && info.validated == ZC_VALIDATE_FULL, "pack info disagrees");
    zc_result first = ZC_OK;
    for (uint32_t i = 0; i < n; ++i) {
        zc_entry e, f;
        ZCF_REQUIRE(zc_pack_entry_at(pack, i, &e) == ZC_OK && e.index == i, "entry %u missing", i);
        zcf__touch(e.path, (uint64_t)e.path_length + 1);
        ZCF_REQUIRE(strlen(e.path) == e.path_length, "entry %u path length", i);
        ZCF_REQUIRE(zc_pack_find_id(pack, e.id, &f) == ZC_OK && f.index == i, "entry %u not found by its id", i);
        zc_result found = zc_pack_find(pack, e.path, &f);
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
        /* Ids are checked against their paths only when hashes are checked. */
        ZCF_REQUIRE(found == ZC_OK, "entry %u (%s) not found by its path", i, e.path);
#endif
        /* Unchecked ids may repeat a path under another id: the one found has the path. */
        ZCF_REQUIRE(found != ZC_OK || (f.path_length == e.path_length && memcmp(f.path, e.path, e.path_length) == 0),
                    "entry %u (%s) found as %s by its path", i, e.path, f.path);
        zcf__touch(e.deps, (uint64_t)e.deps_count * sizeof *e.deps);
        for (uint32_t d = 0; d < e.deps_count; ++d) zcf__resolve(pack, e.deps[d], 0);
        const void *bytes;
        uint64_t bytes_size;
        if (zc_entry_bytes(&e, 0, &bytes, &bytes_size) == ZC_OK) {
            ZCF_REQUIRE(e.codec == ZC_CODEC_NONE && bytes_size == e.raw_size, "entry %u bytes", i);
            zcf__touch(bytes, bytes_size);
        }
        zcf__views_from_entry(&e);
        zc_result r = zcf__walk_held(pack, &e);
        if (first == ZC_OK) first = r;
    }
    zc_entry none;
    ZCF_REQUIRE(zc_pack_entry_at(pack, n, &none) == ZC_ERR_NO_ENTRY, "entry past the end exists");
    ZCF_REQUIRE(zc_pack_find(pack, "", &none) == ZC_ERR_NO_ENTRY, "the empty path was found");
    zc_cache_stats stats;
    ZCF_REQUIRE(zc_pack_cache_stats(pack, &stats) == ZC_OK && stats.held_bytes == 0, "held bytes after release");
    zc_result again = zc_pack_validate(pack, ZC_VALIDATE_FULL);
    ZCF_REQUIRE(again == ZC_OK || again == ZC_ERR_OUT_OF_MEMORY, "second validation failed: %s",
                zc_result_str(again));
    zc_pack_validate(pack, ZC_VALIDATE_CHECKSUMS);
    return first;
}

void zcf_fixed_key(zc_public_key *pub, uint8_t secret[64]) {
    static const uint8_t seed[32] = "zcpack fuzz targets' fixed key.";
    uint8_t sk[64], hash[32];
    memset(pub, 0, sizeof *pub);
    if (sodium_init() < 0) abort();
    crypto_sign_seed_keypair(pub->key, sk, seed);
    crypto_generichash(hash, sizeof hash, pub->key, sizeof pub->key, NULL, 0);
    memcpy(pub->key_id, hash, ZC_KEY_ID_SIZE);
    pub->algorithm = ZC_SIGNATURE_ED25519_BLAKE2B;
    if (secret) memcpy(secret, sk, sizeof sk);
    sodium_memzero(sk, sizeof sk);
}

/* fuzz_pack's second open, trusting only the fixed key (zcf_pack in zc_fuzz_walk.h);
 * `unkeyed` is the result of the open at FULL without keys. */
static void zcf__signed_open(const uint8_t *image, size_t size, zc_result unkeyed) {
    static zc_public_key key;
    static int have_key;
    if (!have_key) {
        zcf_fixed_key(&key, NULL);
        have_key = 1;
    }
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .memory = image,
                                                       .memory_size = size,
                                                       .validate = ZC_VALIDATE_TOC,
                                                       .name = "fuzz, signed",
                                                       .trusted_keys = &key,
                                                       .trusted_key_count = 1 });
    ZCF_REQUIRE((r == ZC_OK) == (pack != NULL), "zc_pack_open with keys: result and pack disagree");
    if (r == ZC_OK) {
        zc_pack_info info;
        ZCF_REQUIRE(zc_pack_get_info(pack, &info) == ZC_OK && info.is_signed && info.signature_verified &&
                        memcmp(info.signer_key_id, key.key_id, ZC_KEY_ID_SIZE) == 0,
                    "opened with a trusted key, yet not reported as verified by that key");
        ZCF_REQUIRE(unkeyed == ZC_OK, "a pack signed by the trusted key fails FULL without keys: %s",
                    zc_result_str(unkeyed));
        zc_pack_close(pack);
    }
    ZCF_REQUIRE(unkeyed != ZC_OK || r == ZC_OK || r == ZC_ERR_SIGNATURE,
                "a pack valid at FULL is refused with keys for another reason than its signature: %s",
                zc_result_str(r));
}

zc_result zcf_pack(const uint8_t *data, size_t size) {
    uint8_t *image = zcf__copy(data, size);
    if (!image) return ZC_ERR_OUT_OF_MEMORY;
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    zcf__reseal(image, size);
#endif
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .memory = image,
                                                       .memory_size = size,
                                                       .validate = ZC_VALIDATE_FULL,
                                                       .name = "fuzz",
                                                       .cache_budget = (uint64_t)1 << 20,
                                                       .max_decoded_size = ZCF_MAX_DECODED });
    ZCF_REQUIRE((r == ZC_OK) == (pack != NULL), "zc_pack_open result and pack disagree");
    zcf__signed_open(image, size, r);
    if (r == ZC_OK) {
        r = zcf__walk_pack(pack);
        zc_pack_close(pack);
    }
    free(image);
    return r;
}

/* ---------------------------------------------------------------------------------
 * fuzz_toc
 * ------------------------------------------------------------------------------- */

zc_result zcf_toc(const uint8_t *data, size_t size) {
    uint8_t *copy = zcf__copy(data, size);
    if (!copy) return ZC_ERR_OUT_OF_MEMORY;
    zc_diag diag;
    diag.message[0] = 0;
    const uint8_t *toc = copy;
    uint64_t toc_size = size;
    zc_result r;
    if (size >= 4 && memcmp(copy, ZC_MAGIC, 4) == 0) {
        r = zc_check_header(copy, size, size, &diag);
        if (r == ZC_OK) {
            uint32_t header_size = zc_le32(copy + offsetof(zc_header, header_size));
            uint64_t toc_offset = zc_le64(copy + offsetof(zc_header, toc_offset));
            toc = copy + toc_offset;
            toc_size = zc_le64(copy + offsetof(zc_header, toc_size));
            r = zc_check_toc(toc, toc_size, header_size, toc_offset, &diag);
        }
    } else {
        r = zc_check_toc(toc, toc_size, sizeof(zc_header), (uint64_t)1 << 20, &diag);
    }
    ZCF_REQUIRE(r == ZC_OK || diag.message[0] != 0, "error %s without a sentence", zc_result_str(r));
    zcf__sink += strlen(diag.message);
    if (r == ZC_OK) {
        /* The accessors stay inside a checked TOC. */
        const zc_toc_header *th = (const zc_toc_header *)toc;
        const char *strings = zc_toc_strings(toc);
        for (uint32_t i = 0; i < th->entry_count; ++i) {
            const zc_toc_entry *e = zc_toc_entry_at(toc, i);
            ZCF_REQUIRE(zcf__inside(toc, toc_size, e, sizeof *e), "TOC record %u outside the TOC", i);
            zcf__touch(strings + e->path_offset, (uint64_t)e->path_length + 1);
            zcf__touch(zc_toc_deps(toc) + e->deps_first, (uint64_t)e->deps_count * 8);
        }
        zcf__touch(strings, th->strings_size);
    }
    free(copy);
    return r;
}

/* ---------------------------------------------------------------------------------
 * fuzz_types
 * ------------------------------------------------------------------------------- */

zc_result zcf_types(const uint8_t *data, size_t size) {
    if (size == 0) return ZC_ERR_INVALID_ARGUMENT;
    uint32_t tag = zcf__registry_tag(data[0]);
    uint8_t *payload = zcf__copy(data + 1, size - 1);
    if (!payload) return ZC_ERR_OUT_OF_MEMORY;
    zc_diag diag;
    diag.message[0] = 0;
    zc_result r = zc_check_payload(tag, zcf__registry_hash(tag), payload, size - 1, &diag);
    ZCF_REQUIRE(r == ZC_OK || diag.message[0] != 0, "%s check error %s without a sentence", zc_type_name(tag),
                zc_result_str(r));
    zc_result walked = zcf_walk_payload(NULL, tag, payload, size - 1);
    /* A view runs the same check: both accept or both refuse. */
    ZCF_REQUIRE((r == ZC_OK) == (walked == ZC_OK), "%s: check says %s, view says %s", zc_type_name(tag),
                zc_result_str(r), zc_result_str(walked));
    free(payload);
    return r;
}

/* ---------------------------------------------------------------------------------
 * Pack images (zcf_build_pack)
 * ------------------------------------------------------------------------------- */

static uint64_t zcf__align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

uint8_t *zcf_build_pack(const zcf_record *records, uint32_t count, const uint64_t *deps, uint32_t dep_count,
                        size_t *out_size) {
    uint64_t *ids = (uint64_t *)malloc(((size_t)count + 1) * sizeof *ids);
    uint64_t *offsets = (uint64_t *)malloc(((size_t)count + 1) * sizeof *offsets);
    uint32_t *order = (uint32_t *)malloc(((size_t)count + 1) * sizeof *order);
    uint8_t *image = NULL;
    if (!ids || !offsets || !order) goto done;
    uint64_t pos = sizeof(zc_header), strings = 0;
    const zcf_record *dict = NULL;
    for (uint32_t i = 0; i < count; ++i) {
        const zcf_record *rec = &records[i];
        ids[i] = zc_asset_id(rec->path, strlen(rec->path));
        if (rec->bytes) {
            pos = zcf__align_up(pos, (uint64_t)1 << rec->align_log2);
            offsets[i] = pos;
            pos += rec->stored;
        } else {
            offsets[i] = offsets[rec->place] + rec->place_delta;
        }
        strings += strlen(rec->path) + 1;
        if (rec->type == ZC_TYPE_ZSTD_DICT && rec->bytes && !dict) dict = rec;
        /* Records by ascending id (insertion sort: seeds are small). */
        uint32_t k = i;
        for (; k > 0 && ids[order[k - 1]] > ids[i]; --k) order[k] = order[k - 1];
        order[k] = i;
    }
    uint64_t toc_offset = zcf__align_up(pos, 16);
    uint64_t toc_size = sizeof(zc_toc_header) + (uint64_t)count * sizeof(zc_toc_entry) + (uint64_t)dep_count * 8 + strings;
    size_t size = (size_t)(toc_offset + toc_size);
    void *block = NULL;
    if (posix_memalign(&block, 16, size) != 0) goto done;
    image = (uint8_t *)block;
    memset(image, 0, size);
    uint8_t *toc = image + toc_offset;
    zc_toc_header th = { ZC_TOC_TAG, ZC_TOC_VERSION, sizeof(zc_toc_header), sizeof(zc_toc_entry), count, dep_count,
                         strings };
    memcpy(toc, &th, sizeof th);
    uint8_t *dep_list = toc + sizeof th + (size_t)count * sizeof(zc_toc_entry);
    if (dep_count) memcpy(dep_list, deps, (size_t)dep_count * 8);
    char *string_table = (char *)dep_list + (size_t)dep_count * 8;
    for (uint32_t i = 0; i < count; ++i)
        if (records[i].bytes) memcpy(image + offsets[i], records[i].bytes, (size_t)records[i].stored);
    uint32_t string_pos = 0;
    for (uint32_t k = 0; k < count; ++k) {
        uint32_t i = order[k];
        const zcf_record *rec = &records[i];
        const uint8_t *stored = image + offsets[i];
        zc_toc_entry e;
        memset(&e, 0, sizeof e);
        e.id = ids[i];
        e.content_hash = rec->codec == ZC_CODEC_NONE ? XXH3_64bits(stored, (size_t)rec->stored) : 0;
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
        /* Checked builds compare it: give decodable frames their real hash. */
        if (rec->codec == ZC_CODEC_ZSTD)
            zcf__frame_hash(stored, rec->stored, rec->raw, dict ? dict->bytes : NULL, dict ? (size_t)dict->stored : 0,
                            &e.content_hash);
#endif
        e.offset = offsets[i];
        e.stored_size = rec->stored;
        e.raw_size = rec->raw;
        e.path_offset = string_pos;
        e.path_length = (uint32_t)strlen(rec->path);
        e.type = rec->type;
        e.layout_hash = zcf__registry_hash(rec->type);
        e.deps_first = rec->deps_first;
        e.deps_count = rec->deps_count;
        e.codec = rec->codec;
        e.align_log2 = rec->align_log2;
        memcpy(toc + sizeof th + (size_t)k * sizeof e, &e, sizeof e);
        memcpy(string_table + string_pos, rec->path, e.path_length + 1);
        string_pos += e.path_length + 1;
    }
    zc_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, ZC_MAGIC, 4);
    memcpy(h.mangle_check, ZC_MANGLE_CHECK, 4);
    h.format_major = ZC_FORMAT_MAJOR;
    h.format_minor = ZC_FORMAT_MINOR;
    h.header_size = sizeof h;
    h.endian_check = ZC_ENDIAN_CHECK;
    h.float_check = ZC_FLOAT_CHECK;
    h.writer_version = ZC_VERSION_NUMBER;
    h.file_size = size;
    h.toc_offset = toc_offset;
    h.toc_size = toc_size;
    h.toc_checksum = XXH3_64bits(toc, (size_t)toc_size);
    memcpy(image, &h, sizeof h);
    h.header_checksum = XXH3_64bits(image, sizeof h);
    memcpy(image, &h, sizeof h);
    *out_size = size;
done:
    free(ids);
    free(offsets);
    free(order);
    return image;
}

/* ---------------------------------------------------------------------------------
 * fuzz_zstd
 * ------------------------------------------------------------------------------- */

zc_result zcf_zstd(const uint8_t *data, size_t size) {
    if (size < 5) return ZC_ERR_TRUNCATED;
    static const uint8_t align_log2[4] = { 4, 6, 8, 12 };
    uint8_t flags = data[0];
    zcf_record records[2];
    memset(records, 0, sizeof records);
    uint32_t count = 0;
    size_t pos = 5;
    if (flags & 1u) {
        size_t n = 0;
        if (size - pos >= 2) {
            n = (size_t)data[pos] | (size_t)data[pos + 1] << 8;
            pos += 2;
        }
        if (n > size - pos) n = size - pos;
        zcf_record *d = &records[count++];
        snprintf(d->path, sizeof d->path, ZC_ZSTD_DICT_PATH_PREFIX "%u", zc_zstd_dict_id(data + pos, n));
        d->type = ZC_TYPE_ZSTD_DICT;
        d->align_log2 = 4;
        d->bytes = data + pos;
        d->stored = d->raw = n;
        pos += n;
    }
    zcf_record *e = &records[count++];
    snprintf(e->path, sizeof e->path, "data.bin");
    e->type = zcf__registry_tag(flags >> 3 & 7u);
    e->codec = ZC_CODEC_ZSTD;
    e->align_log2 = align_log2[flags >> 1 & 3u];
    e->bytes = data + pos;
    e->stored = size - pos;
    e->raw = zc_le32(data + 1);
    size_t image_size = 0;
    uint8_t *image = zcf_build_pack(records, count, NULL, 0, &image_size);
    if (!image) return ZC_ERR_OUT_OF_MEMORY;
    zc_pack *pack = NULL;
    zc_result r = zc_pack_open(&pack, &(zc_pack_desc){ .memory = image,
                                                       .memory_size = image_size,
                                                       .validate = ZC_VALIDATE_TOC,
                                                       .name = "fuzz_zstd",
                                                       .max_decoded_size = ZCF_MAX_DECODED });
    /* The pack around the frame is well formed: only the frame may be refused. */
    ZCF_REQUIRE(r == ZC_OK, "the pack built around the frame does not open: %s", zc_result_str(r));
    zc_entry entry;
    ZCF_REQUIRE(zc_pack_find(pack, "data.bin", &entry) == ZC_OK, "data.bin not found");
    zc_hold h, again;
    zc_result expected = ZC_OK;
    r = zc_pack_acquire(pack, &entry, &h);
    if (r == ZC_OK) {
        ZCF_REQUIRE(h.size == e->raw && (uintptr_t)h.data % entry.alignment == 0, "decoded %llu bytes, aligned %u",
                    (unsigned long long)h.size, entry.alignment);
        zcf__touch(h.data, h.size);
        expected = zc_check_payload(entry.type, entry.layout_hash, h.data, h.size, NULL);
        zc_result walked = zcf_walk_payload(pack, entry.type, h.data, h.size);
        ZCF_REQUIRE((walked == ZC_OK) == (expected == ZC_OK), "decoded %s: check says %s, view says %s",
                    zc_type_name(entry.type), zc_result_str(expected), zc_result_str(walked));
        ZCF_REQUIRE(zc_pack_acquire(pack, &entry, &again) == ZC_OK && again.data == h.data,
                    "a second hold of a decoded entry differs");
        zc_hold_release(&again);
        zc_hold_release(&h);
    }
    zc_result full = zc_pack_validate(pack, ZC_VALIDATE_FULL);
    /* Validation decodes with the same checks as acquire, then checks the structure;
     * only a dictionary entry (checked too) may add its own error. */
    ZCF_REQUIRE(r != ZC_OK || count == 2 || full == expected || full == ZC_ERR_OUT_OF_MEMORY,
                "a frame that decodes (structure: %s) fails validation with %s", zc_result_str(expected),
                zc_result_str(full));
    zc_pack_close(pack);
    free(image);
    return r;
}

/* ---------------------------------------------------------------------------------
 * fuzz_image
 * ------------------------------------------------------------------------------- */

zc_result zcf_image(const uint8_t *data, size_t size) {
    if (size == 0) return ZC_ERR_INVALID_ARGUMENT;
    uint8_t s = data[0];
    zc_texture_settings settings;
    memset(&settings, 0, sizeof settings);
    /* the first byte's low nibble: the policy, or a row of the pixel-format table */
    size_t pick = (s & 15u) % (zc_pixel_format_row_count() + 1);
    settings.format = pick ? zc_texture_choice_from_name(zc_pixel_format_row_at(pick - 1)->name)
                           : ZC_TEXTURE_CHOICE_AUTO;
    settings.mips = s & 0x10u ? ZC_SWITCH_OFF : ZC_SWITCH_AUTO;
    settings.cutout = s & 0x20u ? ZC_SWITCH_ON : ZC_SWITCH_AUTO;
    settings.max_size = s & 0x80u ? 64 : 0;
    settings.row_pitch_align = s & 0x80u ? 256 : 0;
    settings.max_dimension = ZCF_IMAGE_MAX_DIMENSION;
    const char *name = s & 0x40u ? "fuzz_n.png" : "fuzz.png";
    zc_texture_image image;
    zc_diag diag;
    diag.message[0] = 0;
    zc_result r = zc_texture_import_memory(data + 1, size - 1, name, &settings, &image, &diag);
    if (r != ZC_OK) {
        ZCF_REQUIRE(diag.message[0] != 0, "import error %s without a sentence", zc_result_str(r));
        return r;
    }
    zc_diag why;
    zc_result checked = zc_texture_check(image.payload, image.size, &why);
    ZCF_REQUIRE(checked == ZC_OK, "an imported texture fails its check: %s", why.message);
    zc_texture_view view;
    ZCF_REQUIRE(zc_texture_import_view(&image, &view) == ZC_OK, "zc_texture_import_view failed");
    for (uint32_t level = 0; level < view.mip_count; ++level) {
        zc_texture_level_view lv;
        ZCF_REQUIRE(zc_texture_view_level(&view, level, 0, &lv) == ZC_OK, "imported level %u missing", level);
        ZCF_REQUIRE(zcf__inside(image.payload, image.size, lv.data, lv.size), "imported level %u outside", level);
        zcf__touch(lv.data, lv.size);
    }
    r = zcf_walk_payload(NULL, ZC_TYPE_TEXTURE, image.payload, image.size);
    ZCF_REQUIRE(r == ZC_OK, "an imported texture cannot be viewed: %s", zc_result_str(r));
    zc_texture_image_free(&image);
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * fuzz_model
 * ------------------------------------------------------------------------------- */

static char zcf__model_dir[64];
static char zcf__model_path[96];

static void zcf__model_cleanup(void) {
    if (zcf__model_path[0]) unlink(zcf__model_path);
    if (zcf__model_dir[0]) rmdir(zcf__model_dir);
}

/* The per-process temporary directory, made at first use under $ZC_FUZZ_TMPDIR (else
 * /dev/shm, else /tmp) and removed at a normal exit (tools/fuzz.sh points
 * ZC_FUZZ_TMPDIR at a folder of its own, which it removes with whatever crashed or
 * timed-out runs left there). */
static const char *zcf__temp_dir(void) {
    if (zcf__model_dir[0]) return zcf__model_dir;
    struct stat st;
    const char *base = getenv("ZC_FUZZ_TMPDIR");
    if (!base || !*base || strlen(base) > 40)
        base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
    snprintf(zcf__model_dir, sizeof zcf__model_dir, "%s/zc-fuzz-XXXXXX", base);
    if (!mkdtemp(zcf__model_dir)) {
        zcf__model_dir[0] = 0;
        return NULL;
    }
    atexit(zcf__model_cleanup);
    return zcf__model_dir;
}

static int zcf__write_all(const char *path, const uint8_t *data, size_t size) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return -1;
    while (size) {
        ssize_t n = write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        data += n;
        size -= (size_t)n;
    }
    close(fd);
    return size ? -1 : 0;
}

/* Every entry of an imported model passes its type's check and its walk. */
static void zcf__check_model(const zc_model *model) {
    for (size_t i = 0; i < model->entry_count; ++i) {
        const zc_model_entry *e = &model->entries[i];
        zc_diag why;
        ZCF_REQUIRE(zc_check_path(e->path, strlen(e->path), &why) == ZC_OK, "model entry path: %s", why.message);
        ZCF_REQUIRE(zc_check_payload(e->type, e->layout_hash, e->payload, e->size, &why) == ZC_OK,
                    "model entry %s fails its check: %s", e->path, why.message);
        zc_result r = zcf_walk_payload(NULL, e->type, e->payload, e->size);
        ZCF_REQUIRE(r == ZC_OK, "model entry %s cannot be walked: %s", e->path, zc_result_str(r));
        zcf__touch(e->deps, (uint64_t)e->dep_count * sizeof *e->deps);
    }
    zcf__touch(model->notes, model->notes ? strlen(model->notes) : 0);
}

const char *zcf_model_file(const uint8_t *data, size_t size, struct zc_model_settings *settings) {
    static const char *const extensions[] = { "obj", "ply", "stl", "gltf", "off", "md2", "bvh", "iqm", "md3" };
    if (size == 0) return NULL;
    const char *dir = zcf__temp_dir();
    if (!dir) return NULL;
    /* bit 7 picks md3, else bits 0-2 pick one of the first eight */
    const char *ext = extensions[data[0] & 0x80u ? 8u : data[0] & 7u];
    snprintf(zcf__model_path, sizeof zcf__model_path, "%s/model.%s", dir, ext);
    if (zcf__write_all(zcf__model_path, data + 1, size - 1) != 0) return NULL;
    memset(settings, 0, sizeof *settings);
    settings->quantize = data[0] >> 3 & 1;
    settings->meshlets = data[0] >> 4 & 1;
    settings->generate_normals = data[0] >> 5 & 1;
    settings->generate_tangents = data[0] >> 6 & 1;
    settings->in_process = 1;
    settings->texture.max_dimension = 64;
    return zcf__model_path;
}

zc_result zcf_model(const uint8_t *data, size_t size) {
    if (size == 0) return ZC_ERR_INVALID_ARGUMENT;
    zc_model_settings settings;
    if (!zcf_model_file(data, size, &settings)) return ZC_ERR_IO;
    const char *entry_path = strrchr(zcf__model_path, '/') + 1; /* "model.<ext>" */
    zc_model model;
    zc_diag diag;
    diag.message[0] = 0;
    zc_result r = zc_model_import_in_process(zcf__model_path, entry_path, &settings, &model, &diag);
    if (r == ZC_OK) {
        zcf__check_model(&model);
        zc_model_free(&model);
    } else {
        ZCF_REQUIRE(diag.message[0] != 0, "model import error %s without a sentence", zc_result_str(r));
    }
    unlink(zcf__model_path);
    return r;
}

/* ---------------------------------------------------------------------------------
 * Targets
 * ------------------------------------------------------------------------------- */

const zcf_target zcf_targets[] = {
    { "fuzz_pack", zcf_pack },
    { "fuzz_toc", zcf_toc },
    { "fuzz_types", zcf_types },
    { "fuzz_zstd", zcf_zstd },
    { "fuzz_image", zcf_image },
    { "fuzz_model", zcf_model },
    { "fuzz_model_reply", zcf_model_reply },
    { "fuzz_schema", zcf_schema },
};
const size_t zcf_target_count = sizeof zcf_targets / sizeof zcf_targets[0];
