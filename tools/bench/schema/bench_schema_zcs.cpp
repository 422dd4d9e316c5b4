// bench_schema_zcs.cpp - zcpack's codec in bench_schema: archived schema entries read
// through the headers `zcpack schema` generates from log.zcs, mesh.zcs and
// minecraft.zcs (accessors and <Root>_validate), and written by zcs_serialize().
//
// zcs_serialize() is the serialize figure. zcpack's C builder API for schema types is
// not there yet, so it is a stand-in: a small writer that lays the records, arrays and
// strings out as SPEC.md 16.3 and the generated structs declare (depth-first in field
// order, records aligned to 8, string bytes packed), the placement of the reference
// writer: bench_schema checks its bytes against `zcpack schema --encode` of the same
// data as JSON (zcs_json_document). When the builder exists, zcs_serialize() is the
// one function to point at it.
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "bench_schema_data.h"

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

// A growing byte buffer aligned to 8 that keeps its capacity across serializations.
// Positions, not pointers, survive a growth.
struct Writer {
    uint8_t *bytes = nullptr;
    size_t size = 0, capacity = 0;
    ~Writer() { free(bytes); }

    void reserve(size_t need) {
        if (need <= capacity) return;
        size_t cap = capacity ? capacity : 4096;
        while (cap < need) cap *= 2;
        void *p = realloc(bytes, cap);
        if (!p) throw std::bad_alloc();
        bytes = (uint8_t *)p;
        capacity = cap;
    }
    // `n` zero bytes at the next multiple of 8 (padding zeroed too); their position.
    size_t record(size_t n) {
        size_t at = (size + 7) & ~(size_t)7;
        reserve(at + n);
        memset(bytes + size, 0, at + n - size);
        size = at + n;
        return at;
    }
    template <class T> T *at(size_t pos) { return (T *)(void *)(bytes + pos); }
    // A record of struct T with its struct_size; its position.
    template <class T> size_t begin() {
        size_t pos = record(sizeof(T));
        at<T>(pos)->struct_size = (uint32_t)sizeof(T);
        return pos;
    }
    void point(size_t field, size_t target) { at<zc_rel_ptr>(field)->offset = (int64_t)target - (int64_t)field; }
    // The zc_string at `field`: its bytes and NUL packed at the end (empty: null).
    void string(size_t field, const std::string &s) {
        if (s.empty()) return;
        size_t pos = size;
        reserve(pos + s.size() + 1);
        memcpy(bytes + pos, s.c_str(), s.size() + 1);
        size = pos + s.size() + 1;
        zc_string *z = at<zc_string>(field);
        z->offset = (int64_t)pos - (int64_t)field;
        z->length = s.size();
    }
    // The zc_array at `field`: `count` slots of `slot` bytes; the first slot's position.
    size_t array(size_t field, size_t count, size_t slot) {
        if (count == 0) return 0;
        size_t pos = record(count * slot);
        zc_array *a = at<zc_array>(field);
        a->offset = (int64_t)pos - (int64_t)field;
        a->count = count;
        return pos;
    }
    void finish() { record(0); }
};

#define FIELD(pos, Type, field) ((pos) + offsetof(Type, field))

void put_address(Writer &w, size_t field, const uint8_t (&a)[4]) {
    size_t p = w.begin<Address>();
    Address *r = w.at<Address>(p);
    r->x0 = a[0];
    r->x1 = a[1];
    r->x2 = a[2];
    r->x3 = a[3];
    w.point(field, p);
}

void put_logs(Writer &w, const std::vector<bench_data::Log> &logs) {
    size_t root = w.begin<Logs>();
    size_t slots = w.array(FIELD(root, Logs, logs), logs.size(), sizeof(zc_rel_ptr));
    for (size_t i = 0; i < logs.size(); ++i) {
        const bench_data::Log &l = logs[i];
        size_t p = w.begin< ::Log>();
        ::Log *r = w.at< ::Log>(p);
        r->code = l.code;
        r->size = l.size;
        w.point(slots + 8 * i, p);
        put_address(w, FIELD(p, ::Log, address), l.address);
        w.string(FIELD(p, ::Log, identity), l.identity);
        w.string(FIELD(p, ::Log, userid), l.userid);
        w.string(FIELD(p, ::Log, date), l.date);
        w.string(FIELD(p, ::Log, request), l.request);
    }
}

void put_vector3(Writer &w, size_t field, const bench_data::Vector3 &v) {
    size_t p = w.begin< ::Vector3>();
    ::Vector3 *r = w.at< ::Vector3>(p);
    r->x = v.x;
    r->y = v.y;
    r->z = v.z;
    w.point(field, p);
}

void put_mesh(Writer &w, const std::vector<bench_data::Triangle> &mesh) {
    size_t root = w.begin< ::Mesh>();
    size_t slots = w.array(FIELD(root, ::Mesh, triangles), mesh.size(), sizeof(zc_rel_ptr));
    for (size_t i = 0; i < mesh.size(); ++i) {
        const bench_data::Triangle &t = mesh[i];
        size_t p = w.begin< ::Triangle>();
        w.point(slots + 8 * i, p);
        put_vector3(w, FIELD(p, ::Triangle, v0), t.v0);
        put_vector3(w, FIELD(p, ::Triangle, v1), t.v1);
        put_vector3(w, FIELD(p, ::Triangle, v2), t.v2);
        put_vector3(w, FIELD(p, ::Triangle, normal), t.normal);
    }
}

void put_item(Writer &w, size_t field, const bench_data::Item &item) {
    size_t p = w.begin< ::Item>();
    ::Item *r = w.at< ::Item>(p);
    r->count = item.count;
    r->slot = item.slot;
    w.point(field, p);
    w.string(FIELD(p, ::Item, id), item.id);
}

void put_items(Writer &w, size_t field, const std::vector<bench_data::Item> &items) {
    size_t slots = w.array(field, items.size(), sizeof(zc_rel_ptr));
    for (size_t i = 0; i < items.size(); ++i) put_item(w, slots + 8 * i, items[i]);
}

void put_text(Writer &w, size_t field, const std::string &s) {
    size_t p = w.begin< ::Text>();
    w.point(field, p);
    w.string(FIELD(p, ::Text, value), s);
}

void put_vec3d(Writer &w, size_t field, const bench_data::Vec3d &v) {
    size_t p = w.begin< ::Vec3d>();
    ::Vec3d *r = w.at< ::Vec3d>(p);
    r->x = v.x;
    r->y = v.y;
    r->z = v.z;
    w.point(field, p);
}

void put_uuid(Writer &w, size_t field, const uint32_t (&u)[4]) {
    size_t p = w.begin< ::Uuid>();
    ::Uuid *r = w.at< ::Uuid>(p);
    r->x0 = u[0];
    r->x1 = u[1];
    r->x2 = u[2];
    r->x3 = u[3];
    w.point(field, p);
}

void put_entity(Writer &w, size_t field, const bench_data::Entity &e) {
    size_t p = w.begin< ::Entity>();
    ::Entity *r = w.at< ::Entity>(p);
    r->fall_distance = e.fall_distance;
    r->fire = e.fire;
    r->air = e.air;
    r->on_ground = e.on_ground;
    r->no_gravity = e.no_gravity;
    r->invulnerable = e.invulnerable;
    r->portal_cooldown = e.portal_cooldown;
    r->custom_name_visible = e.custom_name_visible;
    r->silent = e.silent;
    r->glowing = e.glowing;
    w.point(field, p);
    w.string(FIELD(p, ::Entity, id), e.id);
    put_vec3d(w, FIELD(p, ::Entity, pos), e.pos);
    put_vec3d(w, FIELD(p, ::Entity, motion), e.motion);
    size_t rot = w.begin< ::Rotation>();
    w.at< ::Rotation>(rot)->yaw = e.yaw;
    w.at< ::Rotation>(rot)->pitch = e.pitch;
    w.point(FIELD(p, ::Entity, rotation), rot);
    put_uuid(w, FIELD(p, ::Entity, uuid), e.uuid);
    if (e.custom_name) put_text(w, FIELD(p, ::Entity, custom_name), *e.custom_name);
}

void put_strings(Writer &w, size_t field, const std::vector<std::string> &strings) {
    size_t slots = w.array(field, strings.size(), sizeof(zc_string));
    for (size_t i = 0; i < strings.size(); ++i) w.string(slots + 16 * i, strings[i]);
}

void put_player(Writer &w, size_t field, const bench_data::Player &pl) {
    size_t p = w.begin< ::Player>();
    ::Player *r = w.at< ::Player>(p);
    r->game_type = pl.game_type;
    r->previous_game_type = pl.previous_game_type;
    r->score = pl.score;
    r->selected_item_slot = pl.selected_item_slot;
    r->spawn_x = pl.spawn_x;
    r->spawn_y = pl.spawn_y;
    r->spawn_z = pl.spawn_z;
    if (pl.spawn_forced) {
        r->spawn_forced_present = 1;
        r->spawn_forced = *pl.spawn_forced;
    }
    r->sleep_timer = pl.sleep_timer;
    r->food_exhaustion_level = pl.food_exhaustion_level;
    r->food_saturation_level = pl.food_saturation_level;
    r->food_tick_timer = pl.food_tick_timer;
    r->xp_level = pl.xp_level;
    r->xp_p = pl.xp_p;
    r->xp_total = pl.xp_total;
    r->xp_seed = pl.xp_seed;
    r->seen_credits = pl.seen_credits;
    w.point(field, p);
    w.string(FIELD(p, ::Player, dimension), pl.dimension);
    put_item(w, FIELD(p, ::Player, selected_item), pl.selected_item);
    if (pl.spawn_dimension) put_text(w, FIELD(p, ::Player, spawn_dimension), *pl.spawn_dimension);
    put_items(w, FIELD(p, ::Player, inventory), pl.inventory);
    put_items(w, FIELD(p, ::Player, ender_items), pl.ender_items);
    size_t ab = w.begin< ::Abilities>();
    ::Abilities *a = w.at< ::Abilities>(ab);
    a->walk_speed = pl.abilities.walk_speed;
    a->fly_speed = pl.abilities.fly_speed;
    a->may_fly = pl.abilities.may_fly;
    a->flying = pl.abilities.flying;
    a->invulnerable = pl.abilities.invulnerable;
    a->may_build = pl.abilities.may_build;
    a->instabuild = pl.abilities.instabuild;
    w.point(FIELD(p, ::Player, abilities), ab);
    if (pl.entered_nether_position)
        put_vec3d(w, FIELD(p, ::Player, entered_nether_position), *pl.entered_nether_position);
    if (pl.root_vehicle) {
        size_t v = w.begin< ::Vehicle>();
        w.point(FIELD(p, ::Player, root_vehicle), v);
        put_uuid(w, FIELD(v, ::Vehicle, uuid), pl.root_vehicle->uuid);
        put_entity(w, FIELD(v, ::Vehicle, entity), pl.root_vehicle->entity);
    }
    if (pl.shoulder_entity_left) put_entity(w, FIELD(p, ::Player, shoulder_entity_left), *pl.shoulder_entity_left);
    if (pl.shoulder_entity_right) put_entity(w, FIELD(p, ::Player, shoulder_entity_right), *pl.shoulder_entity_right);
    size_t rb = w.begin< ::RecipeBook>();
    ::RecipeBook *b = w.at< ::RecipeBook>(rb);
    const bool *f = pl.recipe_book.flags;
    b->is_filtering_craftable = f[0];
    b->is_gui_open = f[1];
    b->is_furnace_filtering_craftable = f[2];
    b->is_furnace_gui_open = f[3];
    b->is_blasting_furnace_filtering_craftable = f[4];
    b->is_blasting_furnace_gui_open = f[5];
    b->is_smoker_filtering_craftable = f[6];
    b->is_smoker_gui_open = f[7];
    w.point(FIELD(p, ::Player, recipe_book), rb);
    put_strings(w, FIELD(rb, ::RecipeBook, recipes), pl.recipe_book.recipes);
    put_strings(w, FIELD(rb, ::RecipeBook, to_be_displayed), pl.recipe_book.to_be_displayed);
}

void put_players(Writer &w, const std::vector<bench_data::Player> &players) {
    size_t root = w.begin< ::Players>();
    size_t slots = w.array(FIELD(root, ::Players, players), players.size(), sizeof(zc_rel_ptr));
    for (size_t i = 0; i < players.size(); ++i) put_player(w, slots + 8 * i, players[i]);
}

// The serialize figure: the archived bytes of a data set from in-memory data, into
// the writer's reused buffer. The stand-in writer today (see the file's comment);
// the builder API of packer/schema/ when it exists.
void zcs_serialize(Writer &w, Set set, const Data &data) {
    w.size = 0;
    switch (set) {
    case LOG: put_logs(w, data.logs); break;
    case MESH: put_mesh(w, data.mesh); break;
    default: put_players(w, data.players); break;
    }
    w.finish();
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
                  4u * Entity_invulnerable(e) + (uint32_t)Entity_portal_cooldown(e) + Uuid_x0(u) + Uuid_x1(u) +
                  Uuid_x2(u) + Uuid_x3(u);
    if (const ::Text *t = Entity_custom_name(e)) {
        Text_value(t, &n);
        x.digest_u += 1 + n;
    }
    x.digest_u += Entity_custom_name_visible(e) + 2u * Entity_silent(e) + 4u * Entity_glowing(e);
    const ::Vec3d *pos = Entity_pos(e);
    const ::Rotation *rot = Entity_rotation(e);
    x.digest_f += Vec3d_x(pos) + Vec3d_y(pos) + Vec3d_z(pos) + Vec3d_x(Entity_motion(e)) + Rotation_yaw(rot) +
                  Rotation_pitch(rot) + Entity_fall_distance(e);
}

void player_digest(const ::Player *p, Expect &x) {
    uint64_t n;
    Player_dimension(p, &n);
    x.digest_u += Player_game_type(p) + 4u * Player_previous_game_type(p) + n + Player_selected_item_slot(p) +
                  item_digest(Player_selected_item(p));
    if (const ::Text *t = Player_spawn_dimension(p)) {
        Text_value(t, &n);
        x.digest_u += 1 + n;
    }
    x.digest_u += (uint64_t)Player_spawn_x(p) + (uint64_t)Player_spawn_y(p) + (uint64_t)Player_spawn_z(p);
    uint8_t forced;
    if (Player_spawn_forced(p, &forced)) x.digest_u += 1 + forced;
    x.digest_u += Player_sleep_timer(p) + Player_food_tick_timer(p) + Player_xp_level(p) +
                  (uint32_t)Player_xp_total(p) + (uint32_t)Player_xp_seed(p);
    for (uint64_t i = 0, c = Player_inventory_count(p); i < c; ++i) x.digest_u += item_digest(Player_inventory_at(p, i));
    for (uint64_t i = 0, c = Player_ender_items_count(p); i < c; ++i)
        x.digest_u += item_digest(Player_ender_items_at(p, i));
    const ::Abilities *a = Player_abilities(p);
    x.digest_u += Abilities_may_fly(a) + 2u * Abilities_flying(a) + 4u * Abilities_invulnerable(a) +
                  8u * Abilities_may_build(a) + 16u * Abilities_instabuild(a);
    x.digest_f += Player_food_exhaustion_level(p) + Player_food_saturation_level(p) + Player_xp_p(p) +
                  Abilities_walk_speed(a) + Abilities_fly_speed(a);
    if (const ::Vec3d *v = Player_entered_nether_position(p)) {
        x.digest_u += 1;
        x.digest_f += Vec3d_x(v) + Vec3d_y(v) + Vec3d_z(v);
    }
    if (const ::Vehicle *v = Player_root_vehicle(p)) {
        const ::Uuid *u = Vehicle_uuid(v);
        x.digest_u += 1 + Uuid_x0(u) + Uuid_x3(u);
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
    void serialize(Set set, const Data &data) override { zcs_serialize(w_, set, data); }
    std::vector<uint8_t> output() override { return std::vector<uint8_t>(w_.bytes, w_.bytes + w_.size); }

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
            return Vector3_x(Triangle_normal(Mesh_triangles_at(root, Mesh_triangles_count(root) / 2)));
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
            for (uint64_t i = 0, n = Mesh_triangles_count(root); i < n; ++i)
                total += Vector3_x(Triangle_normal(Mesh_triangles_at(root, i)));
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
                x.digest_u += Address_x0(a) + Address_x1(a) + Address_x2(a) + Address_x3(a) + Log_code(l) + n1 + n2 +
                              n3 + n4 + (uint8_t)request[0];
            }
        } else if (set == MESH) {
            const ::Mesh *root = Mesh_root(bytes);
            for (uint64_t i = 0, c = Mesh_triangles_count(root); i < c; ++i) {
                const ::Triangle *t = Mesh_triangles_at(root, i);
                const ::Vector3 *v[4] = { Triangle_v0(t), Triangle_v1(t), Triangle_v2(t), Triangle_normal(t) };
                for (const ::Vector3 *p : v) x.digest_f += (double)Vector3_x(p) + Vector3_y(p) + Vector3_z(p);
                x.digest_u += 1;
            }
        } else {
            const Players *root = Players_root(bytes);
            for (uint64_t i = 0, c = Players_players_count(root); i < c; ++i) player_digest(Players_players_at(root, i), x);
        }
    }

private:
    Writer w_;
};


// The data set as the JSON document `zcpack schema --encode` turns into the same
// archived bytes: the check that the stand-in writer lays them out as zcpack does.

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

void json_text(Json &j, const std::string &s) {
    j.raw("{");
    j.key("value"), j.str(s);
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
    if (e.custom_name) j.key("custom_name"), json_text(j, *e.custom_name);
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
    if (p.spawn_dimension) j.key("spawn_dimension"), json_text(j, *p.spawn_dimension);
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

}  // namespace bench_data
