// bench_schema_zcs.cpp - zcpack's codec in bench_schema: archived schema entries read
// through the headers `zcpack schema` generates from log.zcs, mesh.zcs and
// minecraft.zcs (accessors and <Root>_validate), and written by zcs_serialize().
//
// zcs_serialize() is the serialize figure: the packer library's builder
// (packer/schema/zc_schema_builder.h, in libzcpacker.a) driven by the typed functions
// of the generated headers (<Root>_start, S_set_f, S_start_f, S_f_slot, T_start_in, V_put),
// as a tool that generates data would write entries. One builder serves every
// repetition: zc_builder_reset keeps its buffer, so a run after the first allocates
// nothing. Records and their targets are written in field order, depth-first, the
// order of the reference writer (SPEC.md 16.3): bench_schema checks the bytes against
// `zcpack schema --encode` of the same data as JSON (zcs_json_document).
#include <cstdarg>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "bench_schema_data.h"

// Before the generated headers, so they hold their typed builder functions.
#include "zc_schema_builder.h"

#include "log_zcs.h"
#include "mesh_zcs.h"
#include "minecraft_zcs.h"

namespace {

using bench_data::Codec;
using bench_data::Data;
using bench_data::Expect;
using bench_data::Set;
using bench_data::LOG;
using bench_data::MESH;
using bench_data::Log;
using bench_data::Player;
using bench_data::Triangle;

typedef zc_builder_pos Pos;

// A std::string into the zc_string field its setter names. The builder's errors are
// sticky and come back from zc_builder_finish, so the results are not checked here.
#define SET_STRING(setter, b, at, s) ((void)setter((b), (at), (s).data(), (s).size()))

void put_logs(zc_builder *b, const std::vector<bench_data::Log> &logs) {
    Pos root = Logs_start(b);
    Pos elems = Logs_start_logs(b, root, logs.size());
    for (size_t i = 0; i < logs.size(); ++i) {
        const bench_data::Log &l = logs[i];
        Pos p = Log_start_in(b, Logs_logs_slot(elems, i));
        Log_set_code(b, p, l.code);
        Log_set_size(b, p, l.size);
        Log_set_address(b, p, ::Address{ l.address[0], l.address[1], l.address[2], l.address[3] });
        SET_STRING(Log_set_identity, b, p, l.identity);
        SET_STRING(Log_set_userid, b, p, l.userid);
        SET_STRING(Log_set_date, b, p, l.date);
        SET_STRING(Log_set_request, b, p, l.request);
    }
}

::Vector3 vector3(const bench_data::Vector3 &x) { return ::Vector3{ x.x, x.y, x.z }; }

// Triangles are inline structs without padding (mesh.zcs): the vector's elements are
// reserved in one call and left unwritten (Mesh_fill_triangles), then each generated
// ::Triangle is written in place, as FlatBuffers fills the uninitialized vector it
// reserved (CreateUninitializedVectorOfStructs).
void put_mesh(zc_builder *b, const std::vector<bench_data::Triangle> &mesh) {
    Pos root = Mesh_start(b);
    ::Triangle *out = Mesh_fill_triangles(b, root, mesh.size());
    if (!out) return; /* the builder failed (or no triangles): finish reports it */
    for (const bench_data::Triangle &t : mesh)
        *out++ = ::Triangle{ vector3(t.v0), vector3(t.v1), vector3(t.v2), vector3(t.normal) };
}

// The fields of the Item record at `p`.
void put_item(zc_builder *b, Pos p, const bench_data::Item &item) {
    Item_set_count(b, p, item.count);
    Item_set_slot(b, p, item.slot);
    SET_STRING(Item_set_id, b, p, item.id);
}

// Vec3d, Rotation, Uuid and Abilities are inline structs (minecraft.zcs): each is a
// value stored in its holder's record by one setter.
::Vec3d vec3d(const bench_data::Vec3d &x) { return ::Vec3d{ x.x, x.y, x.z }; }

::Uuid uuid(const uint32_t (&x)[4]) { return ::Uuid{ x[0], x[1], x[2], x[3] }; }

// Abilities has padding after its five bools (zcs_pad13), which Abilities_put leaves zero.
::Abilities abilities(const bench_data::Abilities &x) {
    ::Abilities a = {};
    a.walk_speed = x.walk_speed;
    a.fly_speed = x.fly_speed;
    a.may_fly = x.may_fly;
    a.flying = x.flying;
    a.invulnerable = x.invulnerable;
    a.may_build = x.may_build;
    a.instabuild = x.instabuild;
    return a;
}

// The fields of the Entity record at `p`.
void put_entity(zc_builder *b, Pos p, const bench_data::Entity &e) {
    Entity_set_fall_distance(b, p, e.fall_distance);
    Entity_set_fire(b, p, e.fire);
    Entity_set_air(b, p, e.air);
    Entity_set_on_ground(b, p, e.on_ground);
    Entity_set_no_gravity(b, p, e.no_gravity);
    Entity_set_invulnerable(b, p, e.invulnerable);
    Entity_set_portal_cooldown(b, p, e.portal_cooldown);
    Entity_set_custom_name_visible(b, p, e.custom_name_visible);
    Entity_set_silent(b, p, e.silent);
    Entity_set_glowing(b, p, e.glowing);
    SET_STRING(Entity_set_id, b, p, e.id);
    Entity_set_pos(b, p, vec3d(e.pos));
    Entity_set_motion(b, p, vec3d(e.motion));
    Entity_set_rotation(b, p, ::Rotation{ e.yaw, e.pitch });
    Entity_set_uuid(b, p, uuid(e.uuid));
    if (e.custom_name) SET_STRING(Entity_set_custom_name, b, p, *e.custom_name);
}

void put_player(zc_builder *b, Pos slot, const bench_data::Player &pl) {
    Pos p = Player_start_in(b, slot);
    Player_set_game_type(b, p, (GameType)pl.game_type);
    Player_set_previous_game_type(b, p, (GameType)pl.previous_game_type);
    Player_set_score(b, p, pl.score);
    Player_set_selected_item_slot(b, p, pl.selected_item_slot);
    Player_set_spawn_x(b, p, pl.spawn_x);
    Player_set_spawn_y(b, p, pl.spawn_y);
    Player_set_spawn_z(b, p, pl.spawn_z);
    if (pl.spawn_forced) Player_set_spawn_forced(b, p, *pl.spawn_forced);
    Player_set_sleep_timer(b, p, pl.sleep_timer);
    Player_set_food_exhaustion_level(b, p, pl.food_exhaustion_level);
    Player_set_food_saturation_level(b, p, pl.food_saturation_level);
    Player_set_food_tick_timer(b, p, pl.food_tick_timer);
    Player_set_xp_level(b, p, pl.xp_level);
    Player_set_xp_p(b, p, pl.xp_p);
    Player_set_xp_total(b, p, pl.xp_total);
    Player_set_xp_seed(b, p, pl.xp_seed);
    Player_set_seen_credits(b, p, pl.seen_credits);
    SET_STRING(Player_set_dimension, b, p, pl.dimension);
    put_item(b, Player_start_selected_item(b, p), pl.selected_item);
    if (pl.spawn_dimension) SET_STRING(Player_set_spawn_dimension, b, p, *pl.spawn_dimension);
    Pos inv = Player_start_inventory(b, p, pl.inventory.size());
    for (size_t i = 0; i < pl.inventory.size(); ++i)
        put_item(b, Item_start_in(b, Player_inventory_slot(inv, i)), pl.inventory[i]);
    Pos ender = Player_start_ender_items(b, p, pl.ender_items.size());
    for (size_t i = 0; i < pl.ender_items.size(); ++i)
        put_item(b, Item_start_in(b, Player_ender_items_slot(ender, i)), pl.ender_items[i]);
    Player_set_abilities(b, p, abilities(pl.abilities));
    if (pl.entered_nether_position) Player_set_entered_nether_position(b, p, vec3d(*pl.entered_nether_position));
    if (pl.root_vehicle) {
        Pos v = Player_start_root_vehicle(b, p);
        Vehicle_set_uuid(b, v, uuid(pl.root_vehicle->uuid));
        put_entity(b, Vehicle_start_entity(b, v), pl.root_vehicle->entity);
    }
    if (pl.shoulder_entity_left) put_entity(b, Player_start_shoulder_entity_left(b, p), *pl.shoulder_entity_left);
    if (pl.shoulder_entity_right) put_entity(b, Player_start_shoulder_entity_right(b, p), *pl.shoulder_entity_right);
    const bench_data::RecipeBook &book = pl.recipe_book;
    Pos rb = Player_start_recipe_book(b, p);
    RecipeBook_set_is_filtering_craftable(b, rb, book.flags[0]);
    RecipeBook_set_is_gui_open(b, rb, book.flags[1]);
    RecipeBook_set_is_furnace_filtering_craftable(b, rb, book.flags[2]);
    RecipeBook_set_is_furnace_gui_open(b, rb, book.flags[3]);
    RecipeBook_set_is_blasting_furnace_filtering_craftable(b, rb, book.flags[4]);
    RecipeBook_set_is_blasting_furnace_gui_open(b, rb, book.flags[5]);
    RecipeBook_set_is_smoker_filtering_craftable(b, rb, book.flags[6]);
    RecipeBook_set_is_smoker_gui_open(b, rb, book.flags[7]);
    Pos r = RecipeBook_start_recipes(b, rb, book.recipes.size());
    for (size_t i = 0; i < book.recipes.size(); ++i)
        SET_STRING(zc_builder_string, b, RecipeBook_recipes_slot(r, i), book.recipes[i]);
    Pos d = RecipeBook_start_to_be_displayed(b, rb, book.to_be_displayed.size());
    for (size_t i = 0; i < book.to_be_displayed.size(); ++i)
        SET_STRING(zc_builder_string, b, RecipeBook_to_be_displayed_slot(d, i), book.to_be_displayed[i]);
}

void put_players(zc_builder *b, const std::vector<bench_data::Player> &players) {
    Pos root = Players_start(b);
    Pos elems = Players_start_players(b, root, players.size());
    for (size_t i = 0; i < players.size(); ++i) put_player(b, Players_players_slot(elems, i), players[i]);
}

// The serialize figure: the archived bytes of a data set from in-memory data, written
// by the builder after a reset (its buffer kept from the previous run), and finished:
// *bytes and *size are the entry, valid until the next reset. A builder error (none
// is expected from this data) ends the program.
void zcs_serialize(zc_builder *b, Set set, const Data &data, const void **bytes, uint64_t *size) {
    zc_builder_reset(b);
    switch (set) {
    case LOG: put_logs(b, data.logs); break;
    case MESH: put_mesh(b, data.mesh); break;
    default: put_players(b, data.players); break;
    }
    zc_diag diag;
    if (zc_builder_finish(b, bytes, size, &diag) != ZC_OK) {
        fprintf(stderr, "bench_schema: zc_builder_finish: %s\n", diag.message);
        exit(1);
    }
}

// Readers: the generated accessors on validated bytes.

uint64_t item_digest(const ::Item *item) {
    uint64_t n;
    Item_id(item, &n);
    return (uint8_t)Item_count(item) + 256u * Item_slot(item) + n;
}

void entity_digest(const ::Entity *e, Expect &x) {
    uint64_t n;
    Entity_id(e, &n);
    const ::Uuid *u = Entity_uuid(e);
    x.digest_u += n + Entity_fire(e) + Entity_air(e) + Entity_on_ground(e) + 2u * Entity_no_gravity(e) +
                  4u * Entity_invulnerable(e) + (uint32_t)Entity_portal_cooldown(e) + u->x0 + u->x1 + u->x2 + u->x3;
    if (Entity_custom_name(e, &n)) x.digest_u += 1 + n;
    x.digest_u += Entity_custom_name_visible(e) + 2u * Entity_silent(e) + 4u * Entity_glowing(e);
    const ::Vec3d *pos = Entity_pos(e);
    const ::Rotation *rot = Entity_rotation(e);
    x.digest_f += pos->x + pos->y + pos->z + Entity_motion(e)->x + rot->yaw + rot->pitch + Entity_fall_distance(e);
}

void player_digest(const ::Player *p, Expect &x) {
    uint64_t n;
    Player_dimension(p, &n);
    x.digest_u += Player_game_type(p) + 4u * Player_previous_game_type(p) + n + Player_selected_item_slot(p) +
                  item_digest(Player_selected_item(p));
    if (Player_spawn_dimension(p, &n)) x.digest_u += 1 + n;
    x.digest_u += (uint64_t)Player_spawn_x(p) + (uint64_t)Player_spawn_y(p) + (uint64_t)Player_spawn_z(p);
    uint8_t forced;
    if (Player_spawn_forced(p, &forced)) x.digest_u += 1 + forced;
    x.digest_u += Player_sleep_timer(p) + Player_food_tick_timer(p) + Player_xp_level(p) +
                  (uint32_t)Player_xp_total(p) + (uint32_t)Player_xp_seed(p);
    for (uint64_t i = 0, c = Player_inventory_count(p); i < c; ++i) x.digest_u += item_digest(Player_inventory_at(p, i));
    for (uint64_t i = 0, c = Player_ender_items_count(p); i < c; ++i)
        x.digest_u += item_digest(Player_ender_items_at(p, i));
    const ::Abilities *a = Player_abilities(p);
    x.digest_u += a->may_fly + 2u * a->flying + 4u * a->invulnerable + 8u * a->may_build + 16u * a->instabuild;
    x.digest_f += Player_food_exhaustion_level(p) + Player_food_saturation_level(p) + Player_xp_p(p) +
                  a->walk_speed + a->fly_speed;
    if (const ::Vec3d *v = Player_entered_nether_position(p)) {
        x.digest_u += 1;
        x.digest_f += v->x + v->y + v->z;
    }
    if (const ::Vehicle *v = Player_root_vehicle(p)) {
        const ::Uuid *u = Vehicle_uuid(v);
        x.digest_u += 1 + u->x0 + u->x3;
        entity_digest(Vehicle_entity(v), x);
    }
    if (const ::Entity *e = Player_shoulder_entity_left(p)) entity_digest(e, x);
    if (const ::Entity *e = Player_shoulder_entity_right(p)) entity_digest(e, x);
    x.digest_u += Player_seen_credits(p);
    const ::RecipeBook *b = Player_recipe_book(p);
    for (uint64_t i = 0, c = RecipeBook_recipes_count(b); i < c; ++i) {
        RecipeBook_recipes_at(b, i, &n);
        x.digest_u += n;
    }
    for (uint64_t i = 0, c = RecipeBook_to_be_displayed_count(b); i < c; ++i) {
        RecipeBook_to_be_displayed_at(b, i, &n);
        x.digest_u += n;
    }
    x.digest_u += (uint64_t)RecipeBook_is_filtering_craftable(b) | (uint64_t)RecipeBook_is_gui_open(b) << 1 |
                  (uint64_t)RecipeBook_is_furnace_filtering_craftable(b) << 2 |
                  (uint64_t)RecipeBook_is_furnace_gui_open(b) << 3 |
                  (uint64_t)RecipeBook_is_blasting_furnace_filtering_craftable(b) << 4 |
                  (uint64_t)RecipeBook_is_blasting_furnace_gui_open(b) << 5 |
                  (uint64_t)RecipeBook_is_smoker_filtering_craftable(b) << 6 |
                  (uint64_t)RecipeBook_is_smoker_gui_open(b) << 7;
}

class ZcsCodec final : public Codec {
public:
    ZcsCodec() {
        if (zc_builder_create(&b_, nullptr) != ZC_OK) throw std::bad_alloc();
    }
    ~ZcsCodec() override { zc_builder_destroy(b_); }
    ZcsCodec(const ZcsCodec &) = delete;
    ZcsCodec &operator=(const ZcsCodec &) = delete;

    void serialize(Set set, const Data &data) override { zcs_serialize(b_, set, data, &bytes_, &size_); }
    std::vector<uint8_t> output() override {
        const uint8_t *p = (const uint8_t *)bytes_;
        return std::vector<uint8_t>(p, p + size_);
    }

    bool validate(Set set, const uint8_t *bytes, size_t size) override {
        switch (set) {
        case LOG: return Logs_validate(bytes, size, nullptr) == ZC_OK;
        case MESH: return Mesh_validate(bytes, size, nullptr) == ZC_OK;
        default: return Players_validate(bytes, size, nullptr) == ZC_OK;
        }
    }

    double one(Set set, const uint8_t *bytes, size_t) override {
        switch (set) {
        case LOG: {
            const Logs *root = Logs_root(bytes);
            return (double)Log_size(Logs_logs_at(root, Logs_logs_count(root) / 2));
        }
        case MESH: {
            const ::Mesh *root = Mesh_root(bytes);
            return Mesh_triangles_at(root, Mesh_triangles_count(root) / 2)->normal.x;
        }
        default: {
            const Players *root = Players_root(bytes);
            return (double)Player_score(Players_players_at(root, Players_players_count(root) / 2));
        }
        }
    }

    double sum(Set set, const uint8_t *bytes, size_t) override {
        double total = 0;
        switch (set) {
        case LOG: {
            const Logs *root = Logs_root(bytes);
            uint64_t s = 0;
            for (uint64_t i = 0, n = Logs_logs_count(root); i < n; ++i) s += Log_size(Logs_logs_at(root, i));
            return (double)s;
        }
        case MESH: {
            const ::Mesh *root = Mesh_root(bytes);
            const ::Triangle *t = Mesh_triangles_data(root);
            for (uint64_t i = 0, n = Mesh_triangles_count(root); i < n; ++i) total += t[i].normal.x;
            return total;
        }
        default: {
            const Players *root = Players_root(bytes);
            uint64_t s = 0;
            for (uint64_t i = 0, n = Players_players_count(root); i < n; ++i)
                s += Player_score(Players_players_at(root, i));
            return (double)s;
        }
        }
    }

    void digest(Set set, const uint8_t *bytes, size_t size, Expect &x) override {
        x.one = one(set, bytes, size);
        x.sum = sum(set, bytes, size);
        if (set == LOG) {
            const Logs *root = Logs_root(bytes);
            for (uint64_t i = 0, c = Logs_logs_count(root); i < c; ++i) {
                const ::Log *l = Logs_logs_at(root, i);
                const Address *a = Log_address(l);
                uint64_t n1, n2, n3, n4;
                Log_identity(l, &n1);
                Log_userid(l, &n2);
                Log_date(l, &n3);
                const char *request = Log_request(l, &n4);
                x.digest_u += a->x0 + a->x1 + a->x2 + a->x3 + Log_code(l) + n1 + n2 +
                              n3 + n4 + (uint8_t)request[0];
            }
        } else if (set == MESH) {
            const ::Mesh *root = Mesh_root(bytes);
            for (uint64_t i = 0, c = Mesh_triangles_count(root); i < c; ++i) {
                const ::Triangle *t = Mesh_triangles_at(root, i);
                const ::Vector3 *v[4] = { &t->v0, &t->v1, &t->v2, &t->normal };
                for (const ::Vector3 *p : v) x.digest_f += (double)p->x + p->y + p->z;
                x.digest_u += 1;
            }
        } else {
            const Players *root = Players_root(bytes);
            for (uint64_t i = 0, c = Players_players_count(root); i < c; ++i) player_digest(Players_players_at(root, i), x);
        }
    }

private:
    zc_builder *b_ = nullptr;
    const void *bytes_ = nullptr;  // the last serialize()'s entry, inside the builder
    uint64_t size_ = 0;
};


// The data set as the JSON document `zcpack schema --encode` turns into the same
// archived bytes: the check that the builder, driven as zcs_serialize() drives it,
// writes what zcpack's encoder writes.

struct Json {
    std::string text;
    void raw(const char *s) { text += s; }
    void key(const char *name) {
        if (!text.empty() && text.back() != '{' && text.back() != '[') text += ',';
        text += '"';
        text += name;
        text += "\":";
    }
    void item() {
        if (!text.empty() && text.back() != '{' && text.back() != '[') text += ',';
    }
    void str(const std::string &s) {  // the data's strings need no escapes
        text += '"';
        text += s;
        text += '"';
    }
    void num(const char *fmt, ...) __attribute__((format(printf, 2, 3))) {
        char buf[64];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        text += buf;
    }
    void f32(float v) { num("%.9g", (double)v); }
    void f64(double v) { num("%.17g", v); }
    void boolean(bool v) { raw(v ? "true" : "false"); }
};

void json_item(Json &j, const bench_data::Item &i) {
    j.raw("{");
    j.key("count"), j.num("%d", i.count);
    j.key("slot"), j.num("%u", i.slot);
    j.key("id"), j.str(i.id);
    j.raw("}");
}

void json_items(Json &j, const std::vector<bench_data::Item> &items) {
    j.raw("[");
    for (const bench_data::Item &i : items) j.item(), json_item(j, i);
    j.raw("]");
}

void json_vec3d(Json &j, const bench_data::Vec3d &v) {
    j.raw("{");
    j.key("x"), j.f64(v.x);
    j.key("y"), j.f64(v.y);
    j.key("z"), j.f64(v.z);
    j.raw("}");
}

void json_uuid(Json &j, const uint32_t (&u)[4]) {
    j.raw("{");
    j.key("x0"), j.num("%u", u[0]);
    j.key("x1"), j.num("%u", u[1]);
    j.key("x2"), j.num("%u", u[2]);
    j.key("x3"), j.num("%u", u[3]);
    j.raw("}");
}

void json_entity(Json &j, const bench_data::Entity &e) {
    j.raw("{");
    j.key("id"), j.str(e.id);
    j.key("pos"), json_vec3d(j, e.pos);
    j.key("motion"), json_vec3d(j, e.motion);
    j.key("rotation"), j.raw("{"), j.key("yaw"), j.f32(e.yaw), j.key("pitch"), j.f32(e.pitch), j.raw("}");
    j.key("fall_distance"), j.f32(e.fall_distance);
    j.key("fire"), j.num("%u", e.fire);
    j.key("air"), j.num("%u", e.air);
    j.key("on_ground"), j.boolean(e.on_ground);
    j.key("no_gravity"), j.boolean(e.no_gravity);
    j.key("invulnerable"), j.boolean(e.invulnerable);
    j.key("portal_cooldown"), j.num("%d", e.portal_cooldown);
    j.key("uuid"), json_uuid(j, e.uuid);
    if (e.custom_name) j.key("custom_name"), j.str(*e.custom_name);
    j.key("custom_name_visible"), j.boolean(e.custom_name_visible);
    j.key("silent"), j.boolean(e.silent);
    j.key("glowing"), j.boolean(e.glowing);
    j.raw("}");
}

void json_strings(Json &j, const std::vector<std::string> &strings) {
    j.raw("[");
    for (const std::string &s : strings) j.item(), j.str(s);
    j.raw("]");
}

void json_player(Json &j, const bench_data::Player &p) {
    static const char *const game_types[] = { "survival", "creative", "adventure", "spectator" };
    j.raw("{");
    j.key("game_type"), j.str(game_types[p.game_type]);
    j.key("previous_game_type"), j.str(game_types[p.previous_game_type]);
    j.key("score"), j.num("%llu", (unsigned long long)p.score);
    j.key("dimension"), j.str(p.dimension);
    j.key("selected_item_slot"), j.num("%u", p.selected_item_slot);
    j.key("selected_item"), json_item(j, p.selected_item);
    if (p.spawn_dimension) j.key("spawn_dimension"), j.str(*p.spawn_dimension);
    j.key("spawn_x"), j.num("%lld", (long long)p.spawn_x);
    j.key("spawn_y"), j.num("%lld", (long long)p.spawn_y);
    j.key("spawn_z"), j.num("%lld", (long long)p.spawn_z);
    if (p.spawn_forced) j.key("spawn_forced"), j.boolean(*p.spawn_forced);
    j.key("sleep_timer"), j.num("%u", p.sleep_timer);
    j.key("food_exhaustion_level"), j.f32(p.food_exhaustion_level);
    j.key("food_saturation_level"), j.f32(p.food_saturation_level);
    j.key("food_tick_timer"), j.num("%u", p.food_tick_timer);
    j.key("xp_level"), j.num("%u", p.xp_level);
    j.key("xp_p"), j.f32(p.xp_p);
    j.key("xp_total"), j.num("%d", p.xp_total);
    j.key("xp_seed"), j.num("%d", p.xp_seed);
    j.key("inventory"), json_items(j, p.inventory);
    j.key("ender_items"), json_items(j, p.ender_items);
    const bench_data::Abilities &a = p.abilities;
    j.key("abilities"), j.raw("{");
    j.key("walk_speed"), j.f32(a.walk_speed);
    j.key("fly_speed"), j.f32(a.fly_speed);
    j.key("may_fly"), j.boolean(a.may_fly);
    j.key("flying"), j.boolean(a.flying);
    j.key("invulnerable"), j.boolean(a.invulnerable);
    j.key("may_build"), j.boolean(a.may_build);
    j.key("instabuild"), j.boolean(a.instabuild);
    j.raw("}");
    if (p.entered_nether_position) j.key("entered_nether_position"), json_vec3d(j, *p.entered_nether_position);
    if (p.root_vehicle) {
        j.key("root_vehicle"), j.raw("{");
        j.key("uuid"), json_uuid(j, p.root_vehicle->uuid);
        j.key("entity"), json_entity(j, p.root_vehicle->entity);
        j.raw("}");
    }
    if (p.shoulder_entity_left) j.key("shoulder_entity_left"), json_entity(j, *p.shoulder_entity_left);
    if (p.shoulder_entity_right) j.key("shoulder_entity_right"), json_entity(j, *p.shoulder_entity_right);
    j.key("seen_credits"), j.boolean(p.seen_credits);
    static const char *const flag_names[8] = {
        "is_filtering_craftable", "is_gui_open", "is_furnace_filtering_craftable", "is_furnace_gui_open",
        "is_blasting_furnace_filtering_craftable", "is_blasting_furnace_gui_open",
        "is_smoker_filtering_craftable", "is_smoker_gui_open",
    };
    j.key("recipe_book"), j.raw("{");
    j.key("recipes"), json_strings(j, p.recipe_book.recipes);
    j.key("to_be_displayed"), json_strings(j, p.recipe_book.to_be_displayed);
    for (int i = 0; i < 8; ++i) j.key(flag_names[i]), j.boolean(p.recipe_book.flags[i]);
    j.raw("}");
    j.raw("}");
}

void json_vector3(Json &j, const char *name, const bench_data::Vector3 &v) {
    j.key(name), j.raw("{");
    j.key("x"), j.f32(v.x);
    j.key("y"), j.f32(v.y);
    j.key("z"), j.f32(v.z);
    j.raw("}");
}

}  // namespace

namespace bench_data {

std::string zcs_json_document(Set set, const Data &data) {
    Json j;
    j.raw("{");
    if (set == LOG) {
        j.key("logs"), j.raw("[");
        for (const Log &l : data.logs) {
            j.item(), j.raw("{");
            j.key("address"), j.raw("{");
            static const char *const x[4] = { "x0", "x1", "x2", "x3" };
            for (int i = 0; i < 4; ++i) j.key(x[i]), j.num("%u", l.address[i]);
            j.raw("}");
            j.key("identity"), j.str(l.identity);
            j.key("userid"), j.str(l.userid);
            j.key("date"), j.str(l.date);
            j.key("request"), j.str(l.request);
            j.key("code"), j.num("%u", l.code);
            j.key("size"), j.num("%llu", (unsigned long long)l.size);
            j.raw("}");
        }
        j.raw("]");
    } else if (set == MESH) {
        j.key("triangles"), j.raw("[");
        for (const Triangle &t : data.mesh) {
            j.item(), j.raw("{");
            json_vector3(j, "v0", t.v0);
            json_vector3(j, "v1", t.v1);
            json_vector3(j, "v2", t.v2);
            json_vector3(j, "normal", t.normal);
            j.raw("}");
        }
        j.raw("]");
    } else {
        j.key("players"), j.raw("[");
        for (const Player &p : data.players) j.item(), json_player(j, p);
        j.raw("]");
    }
    j.raw("}\n");
    return j.text;
}

Codec *make_zcs_codec() { return new ZcsCodec(); }

bool zcs_log_walk(const uint8_t *bytes, size_t size) {
    if (size < sizeof(::Logs)) return false;
    const ::Logs *root = Logs_root(bytes);
    const uint64_t field = offsetof(::Logs, logs), count = root->logs.count;
    const uint64_t at = field + (uint64_t)root->logs.offset; // a negative offset wraps past size
    if (at >= size || count > (size - at) / 8) return false;
    bool nuls = true;
    for (uint64_t i = 0; i < count; ++i) {
        const uint64_t slot = at + 8 * i;
        const uint64_t pos = slot + (uint64_t)((const zc_rel_ptr *)(const void *)(bytes + slot))->offset;
        if (pos >= size || size - pos < sizeof(::Log)) return false;
        const ::Log *log = (const ::Log *)(const void *)(bytes + pos);
        const zc_string *strings[4] = { &log->identity, &log->userid, &log->date, &log->request };
        for (const zc_string *s : strings) {
            const uint64_t target = (uint64_t)((const uint8_t *)s - bytes) + (uint64_t)s->offset;
            if (target >= size || s->length >= size - target) return false;
            nuls &= bytes[target + s->length] == 0;
        }
    }
    return nuls;
}

}  // namespace bench_data
