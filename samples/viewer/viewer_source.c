/* viewer_source.c - the two sources of the viewer: a pack opened through the runtime,
 * and a model imported in memory through the packer library. Both hand out the same
 * view structs; nothing else differs between them. */
#include "viewer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_model.h"

static const char *viewer__type_name(uint32_t type) {
    const char *name = zc_type_name(type);
    return name ? name : "entry of an unknown type";
}

/* ---------------------------------------------------------------------------------
 * Pack: zc_pack_resolve + zc_pack_acquire + zc_*_view_from_entry
 *
 * Every entry viewed is held (zc_pack_acquire) until the source closes, since views
 * point into its bytes: the mapping for an uncompressed entry, the pack's cache for a
 * compressed one (typed entries only when the build's manifest asked for it). The view is made from the entry
 * as its held raw bytes, so the type and layout checks of _from_entry still apply.
 * ------------------------------------------------------------------------------- */

typedef struct viewer__pack_source {
    zc_pack *pack;
    zc_hold *holds;
    size_t count, cap;
} viewer__pack_source;

/* Hold `entry` until the source closes; *raw describes its raw bytes in memory. */
static zc_result viewer__hold(viewer__pack_source *s, const zc_entry *entry, zc_entry *raw) {
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        zc_hold *grown = realloc(s->holds, cap * sizeof *grown);
        if (!grown) return ZC_ERR_OUT_OF_MEMORY;
        s->holds = grown;
        s->cap = cap;
    }
    zc_hold *h = &s->holds[s->count];
    zc_result r = zc_pack_acquire(s->pack, entry, h);
    if (r != ZC_OK) return r;
    s->count++;
    *raw = *entry;
    raw->data = h->data;
    raw->codec = ZC_CODEC_NONE;
    raw->stored_size = raw->raw_size;
    return ZC_OK;
}

static zc_result viewer__pack_scene(void *self, const char *path, zc_scene_view *out, const char **out_path,
                                    char *why, size_t why_size) {
    viewer__pack_source *source = self;
    zc_pack *pack = source->pack;
    zc_entry entry, raw;
    if (path) {
        if (zc_pack_find(pack, path, &entry) != ZC_OK) {
            snprintf(why, why_size, "the pack has no entry \"%s\"", path);
            return ZC_ERR_NO_ENTRY;
        }
    } else {
        int found = 0;
        for (uint32_t i = 0; i < zc_pack_entry_count(pack); ++i) {
            zc_entry e;
            if (zc_pack_entry_at(pack, i, &e) != ZC_OK || e.type != ZC_TYPE_SCENE) continue;
            if (!found || strcmp(e.path, entry.path) < 0) entry = e;
            found = 1;
        }
        if (!found) {
            snprintf(why, why_size, "the pack holds no scene entry");
            return ZC_ERR_NO_ENTRY;
        }
    }
    zc_result r = viewer__hold(source, &entry, &raw);
    if (r == ZC_OK) r = zc_scene_view_from_entry(&raw, out);
    if (r == ZC_ERR_TYPE_MISMATCH)
        snprintf(why, why_size, "entry \"%s\" is a %s, not a scene", entry.path, viewer__type_name(entry.type));
    else if (r != ZC_OK)
        snprintf(why, why_size, "scene entry \"%s\" cannot be read: %s", entry.path, zc_result_str(r));
    *out_path = entry.path;
    return r;
}

static zc_result viewer__pack_mesh(void *self, uint64_t id, zc_mesh_view *out) {
    viewer__pack_source *source = self;
    zc_entry entry, raw;
    zc_result r = zc_pack_resolve(source->pack, id, ZC_TYPE_MESH, &entry);
    if (r == ZC_OK) r = viewer__hold(source, &entry, &raw);
    return r != ZC_OK ? r : zc_mesh_view_from_entry(&raw, out);
}

static zc_result viewer__pack_material(void *self, uint64_t id, zc_material_view *out) {
    viewer__pack_source *source = self;
    zc_entry entry, raw;
    zc_result r = zc_pack_resolve(source->pack, id, ZC_TYPE_MATERIAL, &entry);
    if (r == ZC_OK) r = viewer__hold(source, &entry, &raw);
    return r != ZC_OK ? r : zc_material_view_from_entry(&raw, out);
}

static zc_result viewer__pack_texture(void *self, uint64_t id, zc_texture_view *out) {
    viewer__pack_source *source = self;
    zc_entry entry, raw;
    zc_result r = zc_pack_resolve(source->pack, id, ZC_TYPE_TEXTURE, &entry);
    if (r == ZC_OK) r = viewer__hold(source, &entry, &raw);
    return r != ZC_OK ? r : zc_texture_view_from_entry(&raw, out);
}

static int viewer__pack_first(zc_pack *pack, uint32_t type, const char *prefix, size_t prefix_length, uint64_t dep,
                              zc_entry *out);

/* The first clip by path over skeleton `skel` into *clip (zeroed when none). */
static void viewer__pack_first_clip(viewer__pack_source *source, uint64_t skel, zc_animation_view *clip) {
    zc_entry best, raw;
    memset(clip, 0, sizeof *clip);
    if (viewer__pack_first(source->pack, ZC_TYPE_ANIMATION, "", 0, skel, &best) &&
        viewer__hold(source, &best, &raw) == ZC_OK && zc_animation_view_from_entry(&raw, clip) != ZC_OK)
        memset(clip, 0, sizeof *clip);
}

static zc_result viewer__pack_skin(void *self, uint64_t mesh, zc_skeleton_view *skeleton, zc_animation_view *clip) {
    viewer__pack_source *source = self;
    zc_pack *pack = source->pack;
    memset(clip, 0, sizeof *clip);
    zc_entry entry, skel, raw;
    zc_result r = zc_pack_resolve(pack, mesh, ZC_TYPE_MESH, &entry);
    int found = 0;
    for (uint32_t k = 0; r == ZC_OK && !found && k < entry.deps_count; ++k)
        found = zc_pack_resolve(pack, entry.deps[k], ZC_TYPE_SKELETON, &skel) == ZC_OK;
    if (r != ZC_OK || !found) return r != ZC_OK ? r : ZC_ERR_NO_ENTRY;
    if ((r = viewer__hold(source, &skel, &raw)) != ZC_OK || (r = zc_skeleton_view_from_entry(&raw, skeleton)) != ZC_OK)
        return r;
    viewer__pack_first_clip(source, skel.id, clip);
    return ZC_OK;
}

/* The first entry by path of `type` whose path starts with prefix[0, prefix_length)
 * and, when `dep` is not 0, whose first dependency is `dep`. 1 when found. */
static int viewer__pack_first(zc_pack *pack, uint32_t type, const char *prefix, size_t prefix_length, uint64_t dep,
                              zc_entry *out) {
    int found = 0;
    for (uint32_t i = 0; i < zc_pack_entry_count(pack); ++i) {
        zc_entry e;
        if (zc_pack_entry_at(pack, i, &e) != ZC_OK || e.type != type || strncmp(e.path, prefix, prefix_length) != 0 ||
            (dep && (!e.deps_count || e.deps[0] != dep)))
            continue;
        if (!found || strcmp(e.path, out->path) < 0) *out = e;
        found = 1;
    }
    return found;
}

static zc_result viewer__pack_morph(void *self, uint64_t mesh, zc_morph_view *morph, zc_skeleton_view *skeleton,
                                    zc_animation_view *clip) {
    viewer__pack_source *source = self;
    zc_pack *pack = source->pack;
    zc_entry entry, raw;
    int found = 0;
    for (uint32_t i = 0; !found && i < zc_pack_entry_count(pack); ++i) {
        if (zc_pack_entry_at(pack, i, &entry) != ZC_OK || entry.type != ZC_TYPE_MORPH) continue;
        int names_mesh = 0; /* a morph entry depends on its mesh: only those are read */
        for (uint32_t k = 0; k < entry.deps_count; ++k) names_mesh |= entry.deps[k] == mesh;
        found = names_mesh && viewer__hold(source, &entry, &raw) == ZC_OK &&
                zc_morph_view_from_entry(&raw, morph) == ZC_OK && morph->mesh == mesh;
    }
    if (!found) return ZC_ERR_NO_ENTRY;
    if (viewer__pack_skin(self, mesh, skeleton, clip) == ZC_OK) return ZC_OK;
    memset(skeleton, 0, sizeof *skeleton);
    memset(clip, 0, sizeof *clip);
    /* an unskinned mesh: the skeleton of its model, whose entries share "<file>#" */
    const char *hash = strchr(entry.path, '#');
    zc_entry skel;
    if (hash && viewer__pack_first(pack, ZC_TYPE_SKELETON, entry.path, (size_t)(hash - entry.path) + 1, 0, &skel) &&
        viewer__hold(source, &skel, &raw) == ZC_OK && zc_skeleton_view_from_entry(&raw, skeleton) == ZC_OK)
        viewer__pack_first_clip(source, skel.id, clip);
    return ZC_OK;
}

static void viewer__pack_close(void *self) {
    viewer__pack_source *source = self;
    for (size_t i = 0; i < source->count; ++i) zc_hold_release(&source->holds[i]);
    free(source->holds);
    zc_pack_close(source->pack);
    free(source);
}

int viewer_source_open_pack(viewer_source *source, const char *pack_path, char *why, size_t why_size) {
    memset(source, 0, sizeof *source);
    viewer__pack_source *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    zc_result r = zc_pack_open(&self->pack, &(zc_pack_desc){ .path = pack_path });
    if (r != ZC_OK) {
        snprintf(why, why_size, "cannot open the pack: %s", zc_result_str(r));
        free(self);
        return -1;
    }
    *source = (viewer_source){
        .name = pack_path,
        .self = self,
        .scene = viewer__pack_scene,
        .mesh = viewer__pack_mesh,
        .material = viewer__pack_material,
        .texture = viewer__pack_texture,
        .skin = viewer__pack_skin,
        .morph = viewer__pack_morph,
        .close = viewer__pack_close,
    };
    return 0;
}

/* ---------------------------------------------------------------------------------
 * Import: zc_model_import_file, then zc_model_find_id + views over the payloads
 * ------------------------------------------------------------------------------- */

/* The entry with `id` and `type`: ZC_ERR_NO_ENTRY or ZC_ERR_TYPE_MISMATCH like
 * zc_pack_resolve. */
static zc_result viewer__model_entry(const zc_model *model, uint64_t id, uint32_t type,
                                     const zc_model_entry **out) {
    *out = id ? zc_model_find_id(model, id) : NULL;
    if (!*out) return ZC_ERR_NO_ENTRY;
    return (*out)->type == type ? ZC_OK : ZC_ERR_TYPE_MISMATCH;
}

static zc_result viewer__model_scene(void *self, const char *path, zc_scene_view *out, const char **out_path,
                                     char *why, size_t why_size) {
    const zc_model *model = self;
    const zc_model_entry *entry = NULL;
    if (path) {
        entry = zc_model_find(model, path);
        if (!entry) {
            snprintf(why, why_size, "the imported model has no entry \"%s\"", path);
            return ZC_ERR_NO_ENTRY;
        }
    } else {
        for (size_t i = 0; i < model->entry_count && !entry; ++i)  /* entries are sorted by path */
            if (model->entries[i].type == ZC_TYPE_SCENE) entry = &model->entries[i];
        if (!entry) {
            snprintf(why, why_size, "the imported model holds no scene entry");
            return ZC_ERR_NO_ENTRY;
        }
    }
    *out_path = entry->path;
    if (entry->type != ZC_TYPE_SCENE) {
        snprintf(why, why_size, "entry \"%s\" is a %s, not a scene", entry->path, viewer__type_name(entry->type));
        return ZC_ERR_TYPE_MISMATCH;
    }
    zc_result r = zc_scene_view_from_bytes(entry->payload, entry->size, out);
    if (r != ZC_OK) snprintf(why, why_size, "scene entry \"%s\" cannot be read: %s", entry->path, zc_result_str(r));
    return r;
}

static zc_result viewer__model_mesh(void *self, uint64_t id, zc_mesh_view *out) {
    const zc_model_entry *entry;
    zc_result r = viewer__model_entry(self, id, ZC_TYPE_MESH, &entry);
    return r != ZC_OK ? r : zc_mesh_view_from_bytes(entry->payload, entry->size, out);
}

static zc_result viewer__model_material(void *self, uint64_t id, zc_material_view *out) {
    const zc_model_entry *entry;
    zc_result r = viewer__model_entry(self, id, ZC_TYPE_MATERIAL, &entry);
    return r != ZC_OK ? r : zc_material_view_from_bytes(entry->payload, entry->size, out);
}

static zc_result viewer__model_texture(void *self, uint64_t id, zc_texture_view *out) {
    const zc_model_entry *entry;
    zc_result r = viewer__model_entry(self, id, ZC_TYPE_TEXTURE, &entry);
    return r != ZC_OK ? r : zc_texture_view_from_bytes(entry->payload, entry->size, out);
}

/* The first clip by path over skeleton entry `skel` into *clip (zeroed when none). */
static void viewer__model_first_clip(const zc_model *model, const zc_model_entry *skel, zc_animation_view *clip) {
    memset(clip, 0, sizeof *clip);
    uint64_t id = zc_asset_id(skel->path, strlen(skel->path));
    for (size_t i = 0; i < model->entry_count; ++i) { /* sorted by path: the first is the one */
        const zc_model_entry *e = &model->entries[i];
        if (e->type != ZC_TYPE_ANIMATION || !e->dep_count || e->deps[0] != id) continue;
        if (zc_animation_view_from_bytes(e->payload, e->size, clip) != ZC_OK) memset(clip, 0, sizeof *clip);
        break;
    }
}

static zc_result viewer__model_skin(void *self, uint64_t mesh, zc_skeleton_view *skeleton, zc_animation_view *clip) {
    const zc_model *model = self;
    memset(clip, 0, sizeof *clip);
    const zc_model_entry *entry, *skel = NULL;
    zc_result r = viewer__model_entry(model, mesh, ZC_TYPE_MESH, &entry);
    for (uint32_t k = 0; r == ZC_OK && !skel && k < entry->dep_count; ++k)
        if (viewer__model_entry(model, entry->deps[k], ZC_TYPE_SKELETON, &skel) != ZC_OK) skel = NULL;
    if (r != ZC_OK || !skel) return r != ZC_OK ? r : ZC_ERR_NO_ENTRY;
    if ((r = zc_skeleton_view_from_bytes(skel->payload, skel->size, skeleton)) != ZC_OK) return r;
    viewer__model_first_clip(model, skel, clip);
    return ZC_OK;
}

static zc_result viewer__model_morph(void *self, uint64_t mesh, zc_morph_view *morph, zc_skeleton_view *skeleton,
                                     zc_animation_view *clip) {
    const zc_model *model = self;
    int found = 0;
    for (size_t i = 0; !found && i < model->entry_count; ++i) {
        const zc_model_entry *e = &model->entries[i];
        found = e->type == ZC_TYPE_MORPH && zc_morph_view_from_bytes(e->payload, e->size, morph) == ZC_OK &&
                morph->mesh == mesh;
    }
    if (!found) return ZC_ERR_NO_ENTRY;
    if (viewer__model_skin(self, mesh, skeleton, clip) == ZC_OK) return ZC_OK;
    memset(skeleton, 0, sizeof *skeleton);
    memset(clip, 0, sizeof *clip);
    for (size_t i = 0; i < model->entry_count; ++i) { /* an unskinned mesh: the model's skeleton */
        const zc_model_entry *e = &model->entries[i];
        if (e->type != ZC_TYPE_SKELETON) continue;
        if (zc_skeleton_view_from_bytes(e->payload, e->size, skeleton) == ZC_OK)
            viewer__model_first_clip(model, e, clip);
        else
            memset(skeleton, 0, sizeof *skeleton);
        break;
    }
    return ZC_OK;
}

static void viewer__model_close(void *self) {
    zc_model_free(self);
    free(self);
}

int viewer_source_import(viewer_source *source, const char *model_path, char *why, size_t why_size) {
    memset(source, 0, sizeof *source);
    zc_model *model = calloc(1, sizeof *model);
    if (!model) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    /* The scene entry is named after the file, as a pack built from its directory
     * would name it relative to the directory. */
    const char *slash = strrchr(model_path, '/');
    const char *entry_path = slash ? slash + 1 : model_path;
    zc_diag diag = { { 0 } };
    /* a lone file, not a tree: it may read its textures wherever they are */
    zc_result r = zc_model_import_file_under("/", model_path, entry_path, NULL, model, &diag);
    if (r != ZC_OK) {
        snprintf(why, why_size, "cannot import the model: %s (%s)", diag.message[0] ? diag.message : "no details",
                 zc_result_str(r));
        free(model);
        return -1;
    }
    if (model->notes) fprintf(stderr, "viewer: %s: importer notes:\n%s\n", model_path, model->notes);
    *source = (viewer_source){
        .name = model_path,
        .self = model,
        .scene = viewer__model_scene,
        .mesh = viewer__model_mesh,
        .material = viewer__model_material,
        .texture = viewer__model_texture,
        .skin = viewer__model_skin,
        .morph = viewer__model_morph,
        .close = viewer__model_close,
    };
    return 0;
}

void viewer_source_close(viewer_source *source) {
    if (!source || !source->close) return;
    source->close(source->self);
    memset(source, 0, sizeof *source);
}
