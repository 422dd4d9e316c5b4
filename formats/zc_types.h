/* zc_types.h - the registry of archived entry types.
 *
 * One X-macro list names every type: its short name, FourCC tag, layout hash and
 * structural validator. The runtime's full validation and the packer's table of
 * entry types (packer/types/zc_entry_types.c: view, `zcpack dump` describer, default
 * compression) expand this list. A new type is its header (layout, then check), one
 * line here, its runtime view (declared in runtime/include/zc_pack.h, when it has one)
 * and its row file packer/types/zc_type_<name>.c, without which the packer does not
 * link.
 * Pure: no I/O, no allocation.
 */
#ifndef ZC_TYPES_H
#define ZC_TYPES_H

#include "zc_format.h"
#include "zc_blob.h"
#include "zc_texture.h"
#include "zc_mesh.h"
#include "zc_material.h"
#include "zc_scene.h"
#include "zc_whiteout.h"
#include "zc_zstd_dict.h"
#include "zc_pack_set.h"
#include "zc_skeleton.h"
#include "zc_animation.h"
#include "zc_morph.h"

/* X(name, tag, layout_hash, check_fn)
 * check_fn: zc_result fn(const void *payload, uint64_t size, zc_diag *diag), safe on
 * untrusted bytes, payload aligned to the entry's alignment. */
#define ZC_TYPE_LIST(X)                                                          \
    X(blob, ZC_TYPE_BLOB, ZC_BLOB_LAYOUT_HASH, zc_blob_check)                    \
    X(texture, ZC_TYPE_TEXTURE, ZC_TEXTURE_LAYOUT_HASH, zc_texture_check)        \
    X(mesh, ZC_TYPE_MESH, ZC_MESH_LAYOUT_HASH, zc_mesh_check)                    \
    X(material, ZC_TYPE_MATERIAL, ZC_MATERIAL_LAYOUT_HASH, zc_material_check)    \
    X(scene, ZC_TYPE_SCENE, ZC_SCENE_LAYOUT_HASH, zc_scene_check)                \
    X(whiteout, ZC_TYPE_WHITEOUT, ZC_WHITEOUT_LAYOUT_HASH, zc_whiteout_check)    \
    X(zstd_dict, ZC_TYPE_ZSTD_DICT, ZC_ZSTD_DICT_LAYOUT_HASH, zc_zstd_dict_check)   \
    X(pack_set, ZC_TYPE_PACK_SET, ZC_PACK_SET_LAYOUT_HASH, zc_pack_set_check)   \
    X(skeleton, ZC_TYPE_SKELETON, ZC_SKELETON_LAYOUT_HASH, zc_skeleton_check)   \
    X(animation, ZC_TYPE_ANIMATION, ZC_ANIMATION_LAYOUT_HASH, zc_animation_check) \
    X(morph, ZC_TYPE_MORPH, ZC_MORPH_LAYOUT_HASH, zc_morph_check)

/* Short name of a type tag ("blob"), NULL when the tag is not in the registry. */
static inline const char *zc_type_name(uint32_t tag) {
#define ZC__TYPE_NAME(name, tag_, hash, fn) if (tag == (tag_)) return #name;
    ZC_TYPE_LIST(ZC__TYPE_NAME)
#undef ZC__TYPE_NAME
    return NULL;
}

/* Structural check of one entry's raw payload through the registry: ZC_ERR_UNKNOWN_TYPE
 * for tags this reader does not know, ZC_ERR_LAYOUT_MISMATCH when the writer used
 * another layout of a known type, else the type's own check. Untrusted. */
static inline zc_result zc_check_payload(uint32_t tag, uint32_t layout_hash, const void *payload,
                                         uint64_t size, zc_diag *diag) {
#define ZC__TYPE_CHECK(name, tag_, hash, fn)                                                  \
    if (tag == (tag_)) {                                                                      \
        if (layout_hash != (hash))                                                            \
            return zc_fail(diag, ZC_ERR_LAYOUT_MISMATCH, #name " layout 0x%08x, reader has 0x%08x", \
                           layout_hash, (unsigned)(hash));                                    \
        return fn(payload, size, diag);                                                       \
    }
    ZC_TYPE_LIST(ZC__TYPE_CHECK)
#undef ZC__TYPE_CHECK
    return zc_fail(diag, ZC_ERR_UNKNOWN_TYPE, "type tag 0x%08x is not known to this reader", tag);
}

#endif /* ZC_TYPES_H */
