/* zc_model_mesh.c - the mesh pass of the model import: each aiMesh becomes an
 * optimised indexed triangle list (zc__mesh_data), then a P#mesh/<i> entry through
 * the encoder (zc_model_mesh_encode.c).
 *
 * Per mesh, one function per step:
 *  1. gather: the mesh's triangles (point and line primitives are left out with a
 *     note) and its float attributes, scaled positions, non-finite attribute values
 *     replaced by 0 (noted); morph offsets target by target, in the layout of the
 *     morph entry;
 *  2. meshoptimizer in its recommended order: indexing (meshopt_generateVertexRemapMulti
 *     over both streams, so only fully identical vertices merge; zc__index_morph, the
 *     same over the morph offsets too, for a mesh with targets), vertex cache
 *     (meshopt_optimizeVertexCache), overdraw (meshopt_optimizeOverdraw, threshold
 *     1.05), vertex fetch (meshopt_optimizeVertexFetchRemap), the vertex data moved
 *     once by the two remaps composed;
 *  3. bounds: the box of every position (and of every position a vertex reaches with
 *     morph weights in [0, 1]) and a bounding sphere around its centre
 *     (meshoptimizer 0.18 has no whole-mesh sphere; this one is at most sqrt(3)/2 of
 *     the box diagonal, never smaller than needed).
 * A mesh without triangles is dropped with a note; the other meshes keep their
 * source index in their entry path. Memory: about 2 x (vertices x 76 + indices x 4)
 * bytes at the peak for one mesh; meshoptimizer allocates through its default
 * allocator (operator new), which ends the process when memory runs out.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <assimp/mesh.h>
#include <assimp/scene.h>
#include <meshoptimizer.h>
#include <xxhash.h>

#include "zc_model_internal.h"

static const uint32_t zc__attr_sizes[6] = { 3, 4, 2, 2, 4, 8 }; /* normal, tangent, uv0, uv1, color, skin */

uint32_t zc__mesh_attr_offset(uint32_t has, uint32_t attribute) {
    uint32_t offset = 0;
    for (uint32_t bit = 0; bit < 6 && (1u << bit) != attribute; ++bit)
        if (has & (1u << bit)) offset += zc__attr_sizes[bit];
    return offset;
}

static uint32_t zc__attr_floats(uint32_t has) {
    return zc__mesh_attr_offset(has, 1u << 6);
}

static void zc__mesh_data_free(zc__mesh_data *m) {
    free(m->positions);
    free(m->attrs);
    free(m->morph);
    free(m->morph_weights);
    free(m->indices);
    memset(m, 0, sizeof *m);
}

/* Which attributes the mesh carries into the entry. */
static uint32_t zc__mesh_attributes(const zc__model_build *b, const struct aiMesh *am, const zc_model_settings *s) {
    uint32_t has = 0;
    if (am->mBones && am->mNumBones && b->joint_count) has |= ZC__MESH_HAS_SKIN;
    if (am->mNormals) has |= ZC__MESH_HAS_NORMAL;
    if (s->generate_tangents && am->mNormals && am->mTangents && am->mBitangents) has |= ZC__MESH_HAS_TANGENT;
    if (am->mTextureCoords[0]) has |= ZC__MESH_HAS_UV0;
    if (am->mTextureCoords[1]) has |= ZC__MESH_HAS_UV1;
    if (am->mColors[0]) has |= ZC__MESH_HAS_COLOR;
    return has;
}

/* Step 1a: the triangle list. Faces with other than three indices are counted in
 * *skipped; an index past the vertices is an error. */
static zc_result zc__gather_indices(const struct aiMesh *am, uint32_t mesh_index, zc__mesh_data *m,
                                    uint32_t *skipped, zc_diag *diag) {
    uint64_t triangles = 0;
    *skipped = 0;
    for (unsigned f = 0; f < am->mNumFaces; ++f) {
        if (am->mFaces[f].mNumIndices == 3) triangles++;
        else (*skipped)++;
    }
    if (triangles == 0) return ZC_OK;
    if (triangles * 3 > ZC_MESH_MAX_INDICES)
        return zc_fail(diag, ZC_ERR_LIMIT, "mesh %u has %llu triangles, more than the %u a mesh entry holds",
                       mesh_index, (unsigned long long)triangles, ZC_MESH_MAX_INDICES / 3);
    m->index_count = (uint32_t)(triangles * 3);
    m->indices = malloc((size_t)m->index_count * sizeof *m->indices);
    if (!m->indices) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for mesh %u's indices", mesh_index);
    size_t n = 0;
    for (unsigned f = 0; f < am->mNumFaces; ++f) {
        const struct aiFace *face = &am->mFaces[f];
        if (face->mNumIndices != 3) continue;
        for (int k = 0; k < 3; ++k) {
            if (face->mIndices[k] >= am->mNumVertices)
                return zc_fail(diag, ZC_ERR_BAD_SOURCE, "mesh %u face %u names vertex %u of %u", mesh_index, f,
                               face->mIndices[k], am->mNumVertices);
            m->indices[n++] = face->mIndices[k];
        }
    }
    return ZC_OK;
}

/* Store `count` floats, replacing values that are not finite by 0; returns how many
 * were replaced. */
static uint32_t zc__put_finite(float *dst, const float *src, int count) {
    uint32_t replaced = 0;
    for (int k = 0; k < count; ++k) {
        int ok = zc_f32_finite(src[k]);
        dst[k] = ok ? src[k] : 0.0f;
        replaced += !ok;
    }
    return replaced;
}

/* Step 1b: positions (scaled) and the attribute stream of every source vertex.
 * Returns the number of attribute values replaced by 0. */
static uint32_t zc__gather_vertices(const struct aiMesh *am, float scale, zc__mesh_data *m) {
    uint32_t replaced = 0, stride = m->attr_floats;
    for (unsigned v = 0; v < am->mNumVertices; ++v) {
        const struct aiVector3D *p = &am->mVertices[v];
        m->positions[(size_t)v * 3 + 0] = p->x * scale;
        m->positions[(size_t)v * 3 + 1] = p->y * scale;
        m->positions[(size_t)v * 3 + 2] = p->z * scale;
        float *a = m->attrs ? m->attrs + (size_t)v * stride : NULL;
        if (m->has & ZC__MESH_HAS_NORMAL) {
            const struct aiVector3D *n = &am->mNormals[v];
            replaced += zc__put_finite(a + zc__mesh_attr_offset(m->has, ZC__MESH_HAS_NORMAL),
                                       (const float[3]){ n->x, n->y, n->z }, 3);
        }
        if (m->has & ZC__MESH_HAS_TANGENT) {
            const struct aiVector3D *n = &am->mNormals[v], *t = &am->mTangents[v], *b = &am->mBitangents[v];
            /* handedness: the sign of (n x t) . b */
            float cx = n->y * t->z - n->z * t->y, cy = n->z * t->x - n->x * t->z, cz = n->x * t->y - n->y * t->x;
            float w = cx * b->x + cy * b->y + cz * b->z < 0.0f ? -1.0f : 1.0f;
            replaced += zc__put_finite(a + zc__mesh_attr_offset(m->has, ZC__MESH_HAS_TANGENT),
                                       (const float[4]){ t->x, t->y, t->z, w }, 4);
        }
        for (int set = 0; set < 2; ++set) {
            uint32_t bit = set ? ZC__MESH_HAS_UV1 : ZC__MESH_HAS_UV0;
            if (!(m->has & bit)) continue;
            const struct aiVector3D *uv = &am->mTextureCoords[set][v];
            replaced += zc__put_finite(a + zc__mesh_attr_offset(m->has, bit), (const float[2]){ uv->x, uv->y }, 2);
        }
        if (m->has & ZC__MESH_HAS_COLOR) {
            const struct aiColor4D *c = &am->mColors[0][v];
            replaced += zc__put_finite(a + zc__mesh_attr_offset(m->has, ZC__MESH_HAS_COLOR),
                                       (const float[4]){ c->r, c->g, c->b, c->a }, 4);
        }
    }
    return replaced;
}

/* Step 1c: each vertex's four strongest bone weights with their joints, normalised
 * to sum 1 (weights of bones that name no joint, and non-finite or negative weights,
 * are dropped). A vertex no bone weighs keeps weight 0 everywhere. */
static void zc__gather_skin(const zc__model_build *b, const struct aiMesh *am, zc__mesh_data *m) {
    uint32_t at = zc__mesh_attr_offset(m->has, ZC__MESH_HAS_SKIN);
    for (uint32_t v = 0; v < m->vertex_count; ++v) memset(m->attrs + (size_t)v * m->attr_floats + at, 0, 8 * sizeof(float));
    for (unsigned k = 0; k < am->mNumBones; ++k) {
        const struct aiBone *bone = am->mBones[k];
        int32_t joint = bone ? zc__model_joint_of(b, &bone->mName) : -1;
        for (unsigned w = 0; joint >= 0 && bone->mWeights && w < bone->mNumWeights; ++w) {
            unsigned v = bone->mWeights[w].mVertexId;
            float weight = bone->mWeights[w].mWeight;
            if (v >= m->vertex_count || !zc_f32_finite(weight) || weight <= 0.0f) continue;
            float *skin = m->attrs + (size_t)v * m->attr_floats + at; /* joints[4], weights[4] */
            int slot = 3; /* replace the weakest when this one is stronger, keep them sorted */
            if (weight <= skin[4 + slot]) continue;
            while (slot > 0 && skin[4 + slot - 1] < weight) {
                skin[slot] = skin[slot - 1];
                skin[4 + slot] = skin[4 + slot - 1];
                slot--;
            }
            skin[slot] = (float)joint;
            skin[4 + slot] = weight;
        }
    }
    for (uint32_t v = 0; v < m->vertex_count; ++v) {
        float *skin = m->attrs + (size_t)v * m->attr_floats + at;
        float sum = skin[4] + skin[5] + skin[6] + skin[7];
        for (int i = 0; sum > 0.0f && i < 4; ++i) skin[4 + i] /= sum;
    }
}

/* The morph targets a mesh keeps: every aiAnimMesh when each has a position per
 * vertex (normal offsets too when the mesh and every target have normals), at most
 * ZC_MORPH_MAX_TARGETS; 0 when the mesh has none or they do not fit it (noted). */
static uint32_t zc__morph_targets(zc__model_build *b, const struct aiMesh *am, uint32_t mesh_index, int *normals) {
    *normals = 0;
    if (!am->mAnimMeshes || am->mNumAnimMeshes == 0) return 0;
    uint32_t n = am->mNumAnimMeshes;
    if (n > ZC_MORPH_MAX_TARGETS) {
        zc__model_note(b, "mesh %u: %u morph targets, only the first %u kept", mesh_index, n, ZC_MORPH_MAX_TARGETS);
        n = ZC_MORPH_MAX_TARGETS;
    }
    int with_normals = am->mNormals != NULL;
    for (uint32_t t = 0; t < n; ++t) {
        const struct aiAnimMesh *target = am->mAnimMeshes[t];
        if (!target || !target->mVertices || target->mNumVertices != am->mNumVertices) {
            zc__model_note(b, "mesh %u: morph target %u does not move every vertex: morph targets left out",
                           mesh_index, t);
            return 0;
        }
        if (!target->mNormals) with_normals = 0;
    }
    *normals = with_normals;
    return n;
}

/* Floats in one block of m->morph: a position or normal offset for every vertex. */
static size_t zc__morph_block_floats(const zc__mesh_data *m) {
    return (size_t)m->vertex_count * 3;
}

/* Blocks of m->morph: the targets' positions, then, with morph normals, their normals. */
static uint32_t zc__morph_blocks(const zc__mesh_data *m) {
    return m->morph_targets * (m->morph_normals ? 2u : 1u);
}

/* Step 1d: each target's offsets (assimp gives each target's vertices whole: the
 * offset is target minus base, positions scaled) into its blocks of m->morph, and
 * the default weights. Returns the number of values replaced by 0. */
static uint32_t zc__gather_morph(const struct aiMesh *am, float scale, zc__mesh_data *m) {
    uint32_t replaced = 0, targets = m->morph_targets;
    const struct aiAnimMesh *const *anim = (const struct aiAnimMesh *const *)am->mAnimMeshes;
    for (uint32_t t = 0; t < targets; ++t) {
        replaced += zc__put_finite(&m->morph_weights[t], &anim[t]->mWeight, 1);
        float *block = m->morph + t * zc__morph_block_floats(m);
        for (uint32_t v = 0; v < m->vertex_count; ++v) {
            const struct aiVector3D *p = &anim[t]->mVertices[v], *base = &am->mVertices[v];
            replaced += zc__put_finite(block + (size_t)v * 3,
                                       (const float[3]){ (p->x - base->x) * scale, (p->y - base->y) * scale,
                                                         (p->z - base->z) * scale },
                                       3);
        }
    }
    for (uint32_t t = 0; m->morph_normals && t < targets; ++t) {
        float *block = m->morph + (targets + t) * zc__morph_block_floats(m);
        for (uint32_t v = 0; v < m->vertex_count; ++v) {
            const struct aiVector3D *n = &anim[t]->mNormals[v], *bn = &am->mNormals[v];
            replaced += zc__put_finite(block + (size_t)v * 3, (const float[3]){ n->x - bn->x, n->y - bn->y, n->z - bn->z },
                                       3);
        }
    }
    return replaced;
}

/* A vertex's hash with three more floats of it folded in. */
static uint64_t zc__hash_fold(uint64_t h, const float *three) {
    uint64_t a, b = 0;
    memcpy(&a, three, 8);
    memcpy(&b, three + 2, 4);
    h = (h ^ a) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 32;
    h = (h ^ b) * 0xC2B2AE3D27D4EB4Full;
    return h ^ (h >> 29);
}

/* Vertices u and v hold the same bytes in position and attributes. */
static int zc__same_row(const zc__mesh_data *m, uint32_t u, uint32_t v) {
    size_t row = (size_t)m->attr_floats;
    return memcmp(m->positions + (size_t)u * 3, m->positions + (size_t)v * 3, 3 * sizeof(float)) == 0 &&
           (!row || memcmp(m->attrs + u * row, m->attrs + v * row, row * sizeof(float)) == 0);
}

/* Vertices u and v hold the same bytes in every morph block. Reads across the
 * blocks: for the rare pass that must. */
static int zc__same_offsets(const zc__mesh_data *m, uint32_t u, uint32_t v) {
    for (uint32_t b = 0; b < zc__morph_blocks(m); ++b) {
        const float *block = m->morph + b * zc__morph_block_floats(m);
        if (memcmp(block + (size_t)u * 3, block + (size_t)v * 3, 3 * sizeof(float)) != 0) return 0;
    }
    return 1;
}

/* Number the vertices in the order the index buffer first names them; a vertex
 * whose hash and row equal those of one numbered before (and, when `exact`, its
 * offsets too) takes its number and first[v] names that vertex; first[v] = v
 * otherwise. table: cap slots (a power of two), zeroed. The count numbered. */
static size_t zc__number_vertices(const zc__mesh_data *m, const uint64_t *hash, int exact, uint32_t *table,
                                  size_t cap, unsigned *remap, uint32_t *first) {
    for (uint32_t v = 0; v < m->vertex_count; ++v) remap[v] = ~0u, first[v] = v;
    size_t next = 0;
    for (uint32_t k = 0; k < m->index_count; ++k) {
        uint32_t v = m->indices[k];
        if (remap[v] != ~0u) continue;
        size_t at = (size_t)hash[v] & (cap - 1);
        for (; table[at]; at = (at + 1) & (cap - 1)) {
            uint32_t u = table[at] - 1;
            if (hash[u] == hash[v] && zc__same_row(m, u, v) && (!exact || zc__same_offsets(m, u, v))) break;
        }
        if (table[at]) {
            first[v] = table[at] - 1;
            remap[v] = remap[first[v]];
        } else {
            table[at] = v + 1;
            remap[v] = (unsigned)next++;
        }
    }
    return next;
}

size_t zc__index_morph(unsigned *remap, const zc__mesh_data *m, int exact) {
    size_t cap = 16, row = (size_t)m->attr_floats * sizeof(float);
    while (cap < (size_t)m->vertex_count * 2) cap *= 2;
    uint32_t *table = calloc(cap, sizeof *table); /* vertex + 1; 0: empty */
    uint64_t *hash = malloc(((size_t)m->vertex_count + 1) * sizeof *hash);
    uint32_t *first = malloc(((size_t)m->vertex_count + 1) * sizeof *first);
    size_t next = SIZE_MAX;
    if (!table || !hash || !first) goto done;
    for (uint32_t v = 0; v < m->vertex_count; ++v)
        hash[v] = XXH3_64bits_withSeed(row ? m->attrs + (size_t)v * m->attr_floats : NULL, row,
                                       XXH3_64bits(m->positions + (size_t)v * 3, 3 * sizeof(float)));
    for (uint32_t b = 0; b < zc__morph_blocks(m); ++b) {
        const float *block = m->morph + b * zc__morph_block_floats(m);
        for (uint32_t v = 0; v < m->vertex_count; ++v) hash[v] = zc__hash_fold(hash[v], block + (size_t)v * 3);
    }
    next = zc__number_vertices(m, hash, exact, table, cap, remap, first);
    int confirmed = 1;
    for (uint32_t b = 0; !exact && confirmed && b < zc__morph_blocks(m); ++b) {
        const float *block = m->morph + b * zc__morph_block_floats(m);
        for (uint32_t v = 0; confirmed && v < m->vertex_count; ++v)
            confirmed = memcmp(block + (size_t)v * 3, block + (size_t)first[v] * 3, 3 * sizeof(float)) == 0;
    }
    if (!confirmed) {
        memset(table, 0, cap * sizeof *table);
        next = zc__number_vertices(m, hash, 1, table, cap, remap, first);
    }
done:
    free(table);
    free(hash);
    free(first);
    return next;
}

/* Apply a vertex remap (new index per old vertex, ~0u for dropped ones) to the
 * positions, the attribute rows and each morph block. */
static zc_result zc__remap(zc__mesh_data *m, const unsigned *remap, uint32_t new_count, uint32_t mesh_index,
                           zc_diag *diag) {
    size_t blocks = zc__morph_blocks(m), block_floats = (size_t)new_count * 3;
    float *pos = malloc((size_t)new_count * 3 * sizeof *pos);
    float *attrs = m->attr_floats ? malloc((size_t)new_count * m->attr_floats * sizeof *attrs) : NULL;
    float *morph = blocks ? malloc(blocks * block_floats * sizeof *morph + 1) : NULL;
    if (!pos || (m->attr_floats && !attrs) || (blocks && !morph)) {
        free(pos);
        free(attrs);
        free(morph);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory optimising mesh %u", mesh_index);
    }
    meshopt_remapVertexBuffer(pos, m->positions, m->vertex_count, 3 * sizeof(float), remap);
    if (attrs) meshopt_remapVertexBuffer(attrs, m->attrs, m->vertex_count, m->attr_floats * sizeof(float), remap);
    for (size_t b = 0; b < blocks; ++b)
        meshopt_remapVertexBuffer(morph + b * block_floats, m->morph + b * zc__morph_block_floats(m), m->vertex_count,
                                  3 * sizeof(float), remap);
    free(m->positions);
    free(m->attrs);
    free(m->morph);
    m->positions = pos;
    m->attrs = attrs;
    m->morph = morph;
    m->vertex_count = new_count;
    return ZC_OK;
}

/* Step 2: meshoptimizer's passes in their recommended order: indexing, then vertex
 * cache and overdraw on the indexed triangles and their positions, then the fetch
 * order. The two remaps are composed, so the vertex data moves once. */
static zc_result zc__optimise(zc__mesh_data *m, uint32_t mesh_index, zc_diag *diag) {
    unsigned *remap = malloc((size_t)m->vertex_count * sizeof *remap);
    if (!remap) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory optimising mesh %u", mesh_index);
    struct meshopt_Stream streams[2] = {
        { m->positions, 3 * sizeof(float), 3 * sizeof(float) },
        { m->attrs, m->attr_floats * sizeof(float), m->attr_floats * sizeof(float) },
    };
    size_t unique = m->morph_targets ? zc__index_morph(remap, m, 0)
                                     : meshopt_generateVertexRemapMulti(remap, m->indices, m->index_count,
                                                                        m->vertex_count, streams, m->attr_floats ? 2 : 1);
    unsigned *order = unique != SIZE_MAX ? malloc((unique ? unique : 1) * sizeof *order) : NULL;
    float *unique_positions = order ? malloc((unique ? unique : 1) * 3 * sizeof *unique_positions) : NULL;
    if (!unique_positions) {
        free(order);
        free(remap);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory optimising mesh %u", mesh_index);
    }
    meshopt_remapVertexBuffer(unique_positions, m->positions, m->vertex_count, 3 * sizeof(float), remap);
    meshopt_remapIndexBuffer(m->indices, m->indices, m->index_count, remap);
    meshopt_optimizeVertexCache(m->indices, m->indices, m->index_count, unique);
    meshopt_optimizeOverdraw(m->indices, m->indices, m->index_count, unique_positions, unique, 3 * sizeof(float),
                             ZC__MODEL_OVERDRAW_THRESHOLD);
    size_t fetched = meshopt_optimizeVertexFetchRemap(order, m->indices, m->index_count, unique);
    meshopt_remapIndexBuffer(m->indices, m->indices, m->index_count, order);
    for (uint32_t v = 0; v < m->vertex_count; ++v)
        if (remap[v] != ~0u) remap[v] = order[remap[v]];
    zc_result r = zc__remap(m, remap, (uint32_t)fetched, mesh_index, diag);
    free(unique_positions);
    free(order);
    free(remap);
    return r;
}

/* Round a reach computed in double outward to float. */
static void zc__reach_round(double down, double up, float *lo, float *hi) {
    *lo = (float)down;
    *hi = (float)up;
    if ((double)*lo > down) *lo = nextafterf(*lo, -INFINITY);
    if ((double)*hi < up) *hi = nextafterf(*hi, INFINITY);
}

/* The farthest each vertex reaches along each axis with morph weights in [0, 1], into
 * lo and hi (vertex_count * 3 each): the base plus every negative (lo) or positive
 * (hi) offset; for frame targets, whose weights sum to at most 1, the base or the
 * farthest single offset; the base without targets. The morph blocks are read in
 * order. Frame targets take the least and greatest offset in float, which is exact:
 * rounding p + d is monotonic in d, so min_t (p + d_t) rounds as p + min_t d_t.
 * Sums of offsets are taken in double, target by target. */
static zc_result zc__reaches(const zc__mesh_data *m, float *lo, float *hi) {
    size_t n = zc__morph_block_floats(m);
    memcpy(lo, m->positions, n * sizeof *lo);
    memcpy(hi, m->positions, n * sizeof *hi);
    if (!m->morph_targets) return ZC_OK;
    if (m->morph_frames) {
        float *least = lo, *most = hi; /* the offsets first, then the reach in place */
        for (size_t i = 0; i < n; ++i) least[i] = most[i] = 0.0f; /* the base: no offset */
        for (uint32_t t = 0; t < m->morph_targets; ++t) {
            const float *block = m->morph + t * n;
            for (size_t i = 0; i < n; ++i) {
                least[i] = block[i] < least[i] ? block[i] : least[i];
                most[i] = block[i] > most[i] ? block[i] : most[i];
            }
        }
        for (size_t i = 0; i < n; ++i) {
            float p = m->positions[i];
            zc__reach_round(least[i] < 0 ? (double)p + least[i] : p, most[i] > 0 ? (double)p + most[i] : p, &lo[i],
                            &hi[i]);
        }
        return ZC_OK;
    }
    double *down = malloc(2 * n * sizeof *down + 1), *up = down + n;
    if (!down) return ZC_ERR_OUT_OF_MEMORY;
    for (size_t i = 0; i < n; ++i) down[i] = up[i] = m->positions[i];
    for (uint32_t t = 0; t < m->morph_targets; ++t) {
        const float *block = m->morph + t * n;
        for (size_t i = 0; i < n; ++i) {
            double d = block[i];
            if (d < 0) down[i] += d;
            else up[i] += d;
        }
    }
    for (size_t i = 0; i < n; ++i) zc__reach_round(down[i], up[i], &lo[i], &hi[i]);
    free(down);
    return ZC_OK;
}

/* Step 3: bounds of every position at any morph weights in [0, 1] (frame targets:
 * weights summing to at most 1; the base alone without targets); every position must
 * be finite. */
static zc_result zc__bounds(zc__mesh_data *m, float scale, uint32_t mesh_index, zc_diag *diag) {
    size_t n = zc__morph_block_floats(m);
    float *lo = malloc(2 * n * sizeof *lo + 1), *hi = lo + n;
    if (!lo || zc__reaches(m, lo, hi) != ZC_OK) {
        free(lo);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory bounding mesh %u", mesh_index);
    }
    for (int k = 0; k < 3; ++k) {
        m->aabb_min[k] = INFINITY;
        m->aabb_max[k] = -INFINITY;
    }
    for (size_t i = 0; i < n; ++i) {
        int k = (int)(i % 3);
        if (!zc_f32_finite(lo[i]) || !zc_f32_finite(hi[i])) {
            free(lo);
            return zc_fail(diag, ZC_ERR_BAD_SOURCE, "mesh %u has a vertex position that is not finite%s", mesh_index,
                           scale != 1.0f ? " after scaling" : m->morph_targets ? " (or morphed)" : "");
        }
        if (lo[i] < m->aabb_min[k]) m->aabb_min[k] = lo[i];
        if (hi[i] > m->aabb_max[k]) m->aabb_max[k] = hi[i];
    }
    double center[3], r2 = 0.0;
    for (int k = 0; k < 3; ++k) {
        center[k] = ((double)m->aabb_min[k] + m->aabb_max[k]) * 0.5;
        m->sphere_center[k] = (float)center[k];
    }
    for (size_t v = 0; v < n / 3; ++v) {
        double d2 = 0.0; /* the farther of lo and hi on each axis */
        for (int k = 0; k < 3; ++k) {
            double d = fmax(fabs((double)lo[v * 3 + k] - m->sphere_center[k]),
                            fabs((double)hi[v * 3 + k] - m->sphere_center[k]));
            d2 += d * d;
        }
        if (d2 > r2) r2 = d2;
    }
    free(lo);
    double radius = sqrt(r2);
    float rf = (float)radius;
    if ((double)rf < radius) rf = nextafterf(rf, INFINITY);
    if (!zc_f32_finite(rf))
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "mesh %u is too large for a float bounding sphere", mesh_index);
    m->sphere_radius = rf;
    return ZC_OK;
}

/* aiMesh -> zc__mesh_data; m->index_count stays 0 when the mesh has no triangles. */
static zc_result zc__convert(zc__model_build *b, const struct aiMesh *am, uint32_t mesh_index,
                             zc__mesh_data *m, uint32_t *skipped, uint32_t *replaced, zc_diag *diag) {
    memset(m, 0, sizeof *m);
    *replaced = 0;
    zc_result r = zc__gather_indices(am, mesh_index, m, skipped, diag);
    if (r != ZC_OK || m->index_count == 0) return r;
    m->has = zc__mesh_attributes(b, am, &b->settings);
    m->morph_targets = zc__morph_targets(b, am, mesh_index, &m->morph_normals);
    m->morph_frames = m->morph_targets && b->frame_targets;
    m->attr_floats = zc__attr_floats(m->has);
    m->vertex_count = am->mNumVertices;
    if (m->morph_targets && (!(m->morph_weights = malloc(m->morph_targets * sizeof *m->morph_weights)) ||
                             !(m->morph = malloc(zc__morph_blocks(m) * zc__morph_block_floats(m) * sizeof *m->morph))))
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for mesh %u's morph targets", mesh_index);
    m->positions = malloc((size_t)m->vertex_count * 3 * sizeof *m->positions);
    m->attrs = m->attr_floats ? malloc((size_t)m->vertex_count * m->attr_floats * sizeof *m->attrs) : NULL;
    if (!m->positions || (m->attr_floats && !m->attrs))
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for mesh %u's %u vertices", mesh_index,
                       m->vertex_count);
    *replaced = zc__gather_vertices(am, b->settings.scale, m);
    if (m->has & ZC__MESH_HAS_SKIN) zc__gather_skin(b, am, m);
    if (m->morph_targets) *replaced += zc__gather_morph(am, b->settings.scale, m);
    if ((r = zc__optimise(m, mesh_index, diag)) != ZC_OK) return r;
    return zc__bounds(m, b->settings.scale, mesh_index, diag);
}

/* The morph entry of mesh i (P#morph/<i>) from its optimised data: the offsets moved
 * out of the vertices into target-major arrays. */
static zc_result zc__morph_entry(zc__model_build *b, const zc__mesh_data *m, uint32_t i, zc_diag *diag) {
    uint32_t targets = m->morph_targets;
    uint64_t floats = 3ull * m->vertex_count * targets;
    if (floats > ZC_MORPH_MAX_FLOATS)
        return zc_fail(diag, ZC_ERR_LIMIT, "mesh %u: %u morph targets over %u vertices are more than a morph entry "
                       "holds", i, targets, m->vertex_count);
    size_t at_weights = sizeof(zc_morph), at_positions = at_weights + (((size_t)targets * 4 + 15) & ~(size_t)15);
    size_t at_normals = at_positions + (size_t)floats * 4;
    size_t size = at_normals + (m->morph_normals ? (size_t)floats * 4 : 0);
    uint8_t *p = zc__model_alloc_payload(size);
    if (!p) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory for mesh %u's morph targets", i);
    zc_morph *h = (zc_morph *)p;
    h->mesh = zc__model_part_id(b, "mesh", i);
    h->vertex_count = m->vertex_count;
    h->target_count = targets;
    h->flags = (m->morph_normals ? ZC_MORPH_NORMALS : 0) | (m->morph_frames ? ZC_MORPH_FRAMES : 0);
    float *weights = (float *)(p + at_weights), *positions = (float *)(p + at_positions);
    float *normals = m->morph_normals ? (float *)(p + at_normals) : NULL;
    memcpy(weights, m->morph_weights, targets * sizeof *weights);
    memcpy(positions, m->morph, (size_t)floats * (normals ? 2 : 1) * sizeof(float)); /* the normals' blocks follow */
    h->weights.count = targets;
    zc_rel_set(&h->weights.offset, &h->weights, weights);
    h->positions.count = floats;
    zc_rel_set(&h->positions.offset, &h->positions, positions);
    h->normals.count = normals ? floats : 0;
    zc_rel_set(&h->normals.offset, &h->normals, normals);
    zc_diag check;
    zc_result r = zc_morph_check(p, size, &check);
    if (r != ZC_OK) {
        free(p);
        return zc_fail(diag, r, "internal error: mesh %u's morph entry failed its own check: %s", i, check.message);
    }
    uint64_t mesh = h->mesh; /* the entry owns p from here */
    return zc__model_add_entry(b, zc__model_part_path(b, "morph", i), ZC_TYPE_MORPH, ZC_MORPH_LAYOUT_HASH, 4, p, size,
                               &mesh, 1, diag);
}

/* One aiMesh: convert, encode, add P#mesh/<i>. */
static zc_result zc__mesh_entry(zc__model_build *b, const struct aiScene *scene, uint32_t i, zc_diag *diag) {
    const struct aiMesh *am = scene->mMeshes[i];
    zc__mesh_data m;
    uint32_t skipped = 0, replaced = 0;
    zc_result r = zc__convert(b, am, i, &m, &skipped, &replaced, diag);
    char name[ZC__MODEL_NOTE_NAME + 1];
    zc__model_note_name(&am->mName, name);
    if (r != ZC_OK || m.index_count == 0) {
        if (r == ZC_OK)
            zc__model_note(b, "mesh %u \"%s\" has no triangles (%u point or line primitives): left out", i, name,
                           skipped);
        zc__mesh_data_free(&m);
        return r;
    }
    if (skipped) zc__model_note(b, "mesh %u \"%s\": %u point or line primitives left out", i, name, skipped);
    if (replaced)
        zc__model_note(b, "mesh %u \"%s\": %u attribute values that were not finite replaced by 0", i, name,
                       replaced);
    uint64_t material = 0, deps[2];
    uint32_t dep_count = 0;
    if (am->mMaterialIndex < scene->mNumMaterials && scene->mMaterials[am->mMaterialIndex]) {
        material = zc__model_part_id(b, "material", am->mMaterialIndex);
        b->material_used[am->mMaterialIndex] = 1;
        deps[dep_count++] = material;
    }
    if (m.has & ZC__MESH_HAS_SKIN) deps[dep_count++] = b->skeleton_id;
    void *payload = NULL;
    size_t size = 0;
    r = zc__mesh_encode(&m, b->settings.quantize, b->settings.meshlets, material, &payload, &size, diag);
    uint32_t vertices = m.vertex_count, triangles = m.index_count / 3;
    if (r == ZC_OK)
        r = zc__model_add_entry(b, zc__model_part_path(b, "mesh", i), ZC_TYPE_MESH, ZC_MESH_LAYOUT_HASH, 4, payload,
                                size, deps, dep_count, diag);
    if (r == ZC_OK && m.morph_targets) r = zc__morph_entry(b, &m, i, diag);
    zc__mesh_data_free(&m);
    if (r != ZC_OK) return r;
    b->mesh_kept[i] = 1;
    b->mesh_count++;
    b->vertex_count += vertices;
    b->triangle_count += triangles;
    return ZC_OK;
}

zc_result zc__model_meshes(zc__model_build *b, const struct aiScene *scene, zc_diag *diag) {
    for (uint32_t i = 0; i < scene->mNumMeshes; ++i) {
        if (!scene->mMeshes[i]) continue;
        zc_result r = zc__mesh_entry(b, scene, i, diag);
        if (r != ZC_OK) return r;
    }
    return ZC_OK;
}
