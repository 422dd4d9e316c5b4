/* test_material_format.c - the material entry layout (formats/zc_material.h) alone: a
 * hand-built material passes zc_material_check, each rule broken on its own gives its
 * error code, every truncation and single-byte damage is handled without a stray read,
 * and the layout hash matches its description.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zc_material.h"
#include "zc_types.h"

/*   0   zc_material   168
 *   168 "bricks", NUL   7  -> 175 bytes */
#define MAT_SIZE 175u
#define MAT_NAME_AT 168u

typedef struct mat {
    _Alignas(16) uint8_t bytes[2048];
    size_t size;
    zc_material *m;
} mat;

static void make_material(mat *t) {
    memset(t, 0, sizeof *t);
    t->size = MAT_SIZE;
    zc_material *m = t->m = (zc_material *)t->bytes;
    m->struct_size = sizeof(zc_material);
    m->alpha_mode = ZC_ALPHA_MASK;
    m->flags = ZC_MATERIAL_DOUBLE_SIDED;
    m->alpha_cutoff = 0.5f;
    const float base[4] = { 1.0f, 0.5f, 0.25f, 1.0f };
    memcpy(m->base_color_factor, base, sizeof base);
    m->metallic_factor = 0.0f;
    m->roughness_factor = 0.8f;
    m->normal_scale = 1.0f;
    m->occlusion_strength = 1.0f;
    memcpy(t->bytes + MAT_NAME_AT, "bricks", 7);
    m->name.offset = MAT_NAME_AT - (int64_t)offsetof(zc_material, name);
    m->name.length = 6;
    m->textures[ZC_MATERIAL_SLOT_BASE_COLOR].texture = UINT64_C(0x1111111111111111);
    m->textures[ZC_MATERIAL_SLOT_NORMAL].texture = UINT64_C(0x2222222222222222);
    m->textures[ZC_MATERIAL_SLOT_NORMAL].texcoord = 1;
}

static void expect(mat *t, zc_result code, const char *what) {
    zc_diag diag = { { 0 } };
    zc_result r = zc_material_check(t->bytes, t->size, &diag);
    cr_expect_eq(r, code, "%s: got %s (%s), expected %s", what, zc_result_name(r), diag.message,
                 zc_result_name(code));
    if (code != ZC_OK) cr_expect_neq(diag.message[0], 0, "%s: no diagnostic", what);
}

#define BROKEN(code, ...)                                                                   \
    do {                                                                                    \
        mat t_;                                                                             \
        mat *t = &t_;                                                                       \
        make_material(t);                                                                   \
        zc_material *m = t->m;                                                              \
        (void)m;                                                                            \
        __VA_ARGS__;                                                                        \
        expect(t, code, #__VA_ARGS__);                                                      \
    } while (0)

TestSuite(material_format);

Test(material_format, layout_hash_and_registry) {
    cr_assert_eq(zc_layout_hash(ZC_MATERIAL_LAYOUT_DESC), ZC_MATERIAL_LAYOUT_HASH);
    cr_assert_eq(ZC_TYPE_MATERIAL, ZC_FOURCC('M', 'A', 'T', 'L'));
    cr_assert_str_eq(zc_type_name(ZC_TYPE_MATERIAL), "material");
    mat t;
    make_material(&t);
    cr_assert_eq(zc_check_payload(ZC_TYPE_MATERIAL, ZC_MATERIAL_LAYOUT_HASH, t.bytes, t.size, NULL), ZC_OK);
    cr_assert_eq(zc_check_payload(ZC_TYPE_MATERIAL, 0, t.bytes, t.size, NULL), ZC_ERR_LAYOUT_MISMATCH);
}

Test(material_format, enum_tables) {
    cr_assert_eq(ZC_ALPHA_OPAQUE, 1);
    cr_assert_eq(ZC_ALPHA_BLEND, 3);
    cr_assert_str_eq(zc_alpha_mode_name(ZC_ALPHA_MASK), "MASK");
    cr_assert_null(zc_alpha_mode_name(0));
    cr_assert_null(zc_alpha_mode_name(ZC__ALPHA_COUNT));
    cr_assert_eq(ZC_MATERIAL_SLOT_COUNT, 5);
    cr_assert_eq(ZC_MATERIAL_SLOT_BASE_COLOR, 0);
    cr_assert_eq(ZC_MATERIAL_SLOT_EMISSIVE, 4);
    cr_assert_str_eq(zc_material_slot_name(ZC_MATERIAL_SLOT_METALLIC_ROUGHNESS), "METALLIC_ROUGHNESS");
    cr_assert_null(zc_material_slot_name(ZC_MATERIAL_SLOT_COUNT));
    cr_assert(zc_material_slot_is_srgb(ZC_MATERIAL_SLOT_BASE_COLOR));
    cr_assert(zc_material_slot_is_srgb(ZC_MATERIAL_SLOT_EMISSIVE));
    cr_assert_not(zc_material_slot_is_srgb(ZC_MATERIAL_SLOT_NORMAL));
    cr_assert_not(zc_material_slot_is_srgb(ZC_MATERIAL_SLOT_COUNT));
}

Test(material_format, valid) {
    mat t;
    make_material(&t);
    expect(&t, ZC_OK, "material");
    cr_assert_str_eq(zc_string_data(&t.m->name), "bricks");
    BROKEN(ZC_OK, m->name = (zc_string){ 0, 0 }; t->size = 168);       /* unnamed */
    BROKEN(ZC_OK, m->alpha_mode = ZC_ALPHA_OPAQUE; m->flags = 0);
    BROKEN(ZC_OK, m->alpha_mode = ZC_ALPHA_BLEND; m->flags = ZC_MATERIAL_UNLIT | ZC_MATERIAL_DOUBLE_SIDED);
    BROKEN(ZC_OK, m->emissive_factor[0] = 250.0f);                    /* strength folded in */
    BROKEN(ZC_OK, m->normal_scale = -2.0f);
    BROKEN(ZC_OK, m->alpha_cutoff = 0.0f; m->base_color_factor[3] = 0.0f; m->roughness_factor = 1.0f);
    BROKEN(ZC_OK, m->struct_size = 176; t->size = 176);               /* larger writer header */
    BROKEN(ZC_OK, m->textures[ZC_MATERIAL_SLOT_EMISSIVE].texture = 9; m->textures[4].texcoord = 1);
}

Test(material_format, header_fields) {
    BROKEN(ZC_ERR_BAD_ENTRY, t->size = 167);
    BROKEN(ZC_ERR_BAD_ENTRY, m->struct_size = 160);
    BROKEN(ZC_ERR_BAD_ENTRY, m->struct_size = 172);
    BROKEN(ZC_ERR_BAD_ENTRY, m->struct_size = 184);                    /* beyond the entry */
    BROKEN(ZC_ERR_BAD_ENTRY, m->alpha_mode = 0);
    BROKEN(ZC_ERR_BAD_ENTRY, m->alpha_mode = ZC__ALPHA_COUNT);
    BROKEN(ZC_ERR_BAD_ENTRY, m->flags = 4);
    BROKEN(ZC_ERR_BAD_ENTRY, m->flags = 0x80000000u);
    BROKEN(ZC_ERR_BAD_ENTRY, m->reserved0 = 1);
    BROKEN(ZC_ERR_BAD_ENTRY, m->reserved1 = 1);
}

Test(material_format, factors) {
    const float inf = INFINITY, nan = NAN;
    BROKEN(ZC_ERR_BAD_ENTRY, m->alpha_cutoff = 1.01f);
    BROKEN(ZC_ERR_BAD_ENTRY, m->alpha_cutoff = -0.01f);
    BROKEN(ZC_ERR_BAD_ENTRY, m->alpha_cutoff = nan);
    BROKEN(ZC_ERR_BAD_ENTRY, m->base_color_factor[0] = 1.5f);
    BROKEN(ZC_ERR_BAD_ENTRY, m->base_color_factor[3] = -0.1f);
    BROKEN(ZC_ERR_BAD_ENTRY, m->base_color_factor[2] = inf);
    BROKEN(ZC_ERR_BAD_ENTRY, m->base_color_factor[1] = nan);
    BROKEN(ZC_ERR_BAD_ENTRY, m->emissive_factor[1] = -1.0f);
    BROKEN(ZC_ERR_BAD_ENTRY, m->emissive_factor[2] = inf);
    BROKEN(ZC_ERR_BAD_ENTRY, m->emissive_factor[0] = nan);
    BROKEN(ZC_ERR_BAD_ENTRY, m->metallic_factor = 2.0f);
    BROKEN(ZC_ERR_BAD_ENTRY, m->metallic_factor = -inf);
    BROKEN(ZC_ERR_BAD_ENTRY, m->roughness_factor = nan);
    BROKEN(ZC_ERR_BAD_ENTRY, m->roughness_factor = 1.0001f);
    BROKEN(ZC_ERR_BAD_ENTRY, m->occlusion_strength = -0.5f);
    BROKEN(ZC_ERR_BAD_ENTRY, m->normal_scale = inf);
    BROKEN(ZC_ERR_BAD_ENTRY, m->normal_scale = nan);
}

Test(material_format, texture_slots) {
    BROKEN(ZC_ERR_BAD_ENTRY, m->textures[ZC_MATERIAL_SLOT_NORMAL].texcoord = 2);
    BROKEN(ZC_ERR_BAD_ENTRY, m->textures[ZC_MATERIAL_SLOT_BASE_COLOR].texcoord = UINT32_MAX);
    BROKEN(ZC_ERR_BAD_ENTRY, m->textures[ZC_MATERIAL_SLOT_OCCLUSION].texcoord = 1);  /* empty slot */
    BROKEN(ZC_ERR_BAD_ENTRY, m->textures[ZC_MATERIAL_SLOT_EMISSIVE].reserved = 1);
    BROKEN(ZC_ERR_BAD_ENTRY, m->textures[ZC_MATERIAL_SLOT_METALLIC_ROUGHNESS].reserved = 0x100);
}

Test(material_format, name) {
    BROKEN(ZC_ERR_BAD_STRING, t->bytes[MAT_NAME_AT + 6] = 'x');        /* no NUL */
    BROKEN(ZC_ERR_BAD_STRING, t->bytes[MAT_NAME_AT + 2] = 0xC0);       /* overlong lead byte */
    BROKEN(ZC_ERR_BAD_STRING, t->bytes[MAT_NAME_AT + 2] = 0);          /* interior NUL */
    BROKEN(ZC_ERR_BAD_STRING, m->name.offset = 0);                     /* null with a length */
    BROKEN(ZC_ERR_BAD_POINTER, m->name.offset += 8);                   /* 7 bytes at 176 > 175 */
    BROKEN(ZC_ERR_BAD_POINTER, m->name.offset = -100);
    BROKEN(ZC_ERR_BAD_POINTER, m->name.offset = INT64_MIN);
    BROKEN(ZC_ERR_BAD_POINTER, m->name.length = 400);                  /* longer than the entry */
    BROKEN(ZC_ERR_LIMIT, m->name.length = ZC_MATERIAL_MAX_NAME + 1);
    BROKEN(ZC_ERR_LIMIT, m->name.length = UINT64_MAX);
    /* exactly the limit passes */
    BROKEN(ZC_OK, memset(t->bytes + MAT_NAME_AT, 'n', ZC_MATERIAL_MAX_NAME);
           t->bytes[MAT_NAME_AT + ZC_MATERIAL_MAX_NAME] = 0; m->name.length = ZC_MATERIAL_MAX_NAME;
           t->size = MAT_NAME_AT + ZC_MATERIAL_MAX_NAME + 1);
    /* multi-byte UTF-8 passes: "Étés" */
    BROKEN(ZC_OK, memcpy(t->bytes + MAT_NAME_AT, "\xC3\x89t\xC3\xA9s", 6));
}

Test(material_format, truncated) {
    mat t;
    make_material(&t);
    for (size_t n = 0; n < t.size; ++n) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, t.bytes, n);
        cr_assert_neq(zc_material_check(copy, n, NULL), ZC_OK, "cut to %zu bytes accepted", n);
        free(copy);
    }
}

Test(material_format, byte_damage) {
    static const uint8_t values[] = { 0x00, 0x01, 0x7F, 0x80, 0xFF };
    mat t;
    make_material(&t);
    uint8_t *copy = malloc(t.size);
    int refused = 0;
    for (size_t at = 0; at < t.size; ++at)
        for (size_t v = 0; v < sizeof values; ++v) {
            memcpy(copy, t.bytes, t.size);
            if (copy[at] == values[v]) continue;
            copy[at] = values[v];
            refused += zc_material_check(copy, t.size, NULL) != ZC_OK;
        }
    free(copy);
    cr_assert_gt(refused, 0);
}
